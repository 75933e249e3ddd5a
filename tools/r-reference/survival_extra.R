# R's answers for the survival numbers the study report adds: cox.zph (scaled Schoenfeld
# residuals, transform = "km"), the median with its CI and survival at chosen times with CIs
# (summary.survfit), on the reference data sets. Writes JSON into fixtures/reference/.
# Usage: Rscript tools/r-reference/survival_extra.R   (R 4.2, survival 3.5, jsonlite)
suppressMessages({ library(survival); library(jsonlite) })
ref <- file.path(dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))),
                 "..", "..", "fixtures", "reference")
write_ref <- function(x, name) {
  writeLines(toJSON(x, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null", na = "null"),
             file.path(ref, name))
}
zph_json <- function(fit, model, n) {
  z <- cox.zph(fit, transform = "km", terms = TRUE, global = TRUE)
  tab <- z$table
  k <- nrow(tab) - 1
  terms <- lapply(seq_len(k), function(i) list(term = rownames(tab)[i], chi2 = tab[i, "chisq"],
                                                df = tab[i, "df"], p = tab[i, "p"]))
  y <- z$y
  d <- nrow(y)
  list(source = paste("R", getRversion(), "survival", packageVersion("survival"), "cox.zph"),
       model = model, n = n, terms = terms,
       global = list(term = "GLOBAL", chi2 = tab[k + 1, "chisq"], df = tab[k + 1, "df"],
                     p = tab[k + 1, "p"]),
       time = unname(z$time), x = unname(z$x),
       residuals_first5 = lapply(seq_len(k), function(j) unname(y[1:5, j])),
       residuals_last5 = lapply(seq_len(k), function(j) unname(y[(d - 4):d, j])))
}

lung <- read.csv(file.path(ref, "lung.csv"))
lung_cc <- lung[!is.na(lung$ph_ecog), ]
fit <- coxph(Surv(time, event) ~ age + sex + ph_ecog, data = lung_cc, ties = "efron")
write_ref(zph_json(fit, "coxph(Surv(time, event) ~ age + sex + ph_ecog), Efron ties; cox.zph(fit, transform = 'km')",
                   nrow(lung_cc)), "lung_cox_zph.json")

cohort <- read.csv(file.path(ref, "cohort_a.csv"))
fit28 <- coxph(Surv(time28, death28) ~ ne_gt_080 + apache2 + heart_rate + log_il6, data = cohort,
               ties = "efron")
write_ref(zph_json(fit28, "coxph(Surv(time28, death28) ~ ne_gt_080 + apache2 + heart_rate + log_il6), Efron ties; cox.zph(fit, transform = 'km')",
                   nrow(cohort)), "cohort_a_cox28_zph.json")

km_summary <- function(time, event, group, times) {
  fit <- survfit(Surv(time, event) ~ group, conf.type = "log")
  med <- summary(fit)$table
  s <- summary(fit, times = times, extend = FALSE)
  strata <- sub("^group=", "", as.character(s$strata))
  lapply(seq_len(nrow(med)), function(g) {
    level <- sub("^group=", "", rownames(med)[g])
    at <- which(strata == level)
    list(group = level, n = med[g, "records"], events = med[g, "events"],
         median = med[g, "median"], median_lower = med[g, "0.95LCL"], median_upper = med[g, "0.95UCL"],
         at = lapply(at, function(i) list(time = s$time[i], n_risk = s$n.risk[i], survival = s$surv[i],
                                          se = s$std.err[i], lower = s$lower[i], upper = s$upper[i])))
  })
}
write_ref(list(
  source = paste("R", getRversion(), "survival", packageVersion("survival"),
                 "survfit(conf.type = 'log'), summary(fit)$table and summary(fit, times, extend = FALSE)"),
  lung_by_sex = km_summary(lung$time, lung$event, lung$sex, c(90, 180, 365, 730)),
  cohort_a_28_by_ne_gt_080 = km_summary(cohort$time28, cohort$death28, cohort$ne_gt_080, c(7, 14, 28)),
  cohort_a_90_by_ne_gt_080 = km_summary(cohort$time90, cohort$death90, cohort$ne_gt_080, c(28, 60, 90))
), "km_summary.json")
