# R answers for the mcvideo-stats `describe` tests (crates/mcvideo-stats/tests/stats/describe_vs_r.rs).
# Run from the repository root: Rscript tools/stats-reference.R
# Writes fixtures/stats/<data>.csv (data sets shipped with R) and fixtures/stats/<data>_describe_r.json.
# Needs r-base-core and r-cran-jsonlite (Debian bookworm: R 4.2.2).
library(jsonlite)

out_dir <- "fixtures/stats"
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

sw <- function(x) {
  if (length(x) < 3 || length(x) > 5000 || diff(range(x)) == 0) return(list(w = NULL, p = NULL))
  s <- shapiro.test(x)
  list(w = unname(s$statistic), p = s$p.value)
}

numeric_summary <- function(x) {
  q <- quantile(x, c(0.25, 0.75), type = 7, names = FALSE)
  s <- sw(x)
  list(n = length(x), mean = mean(x), sd = sd(x), median = median(x), q1 = q[1], q3 = q[2],
       shapiro_w = s$w, shapiro_p = s$p)
}

describe_numeric <- function(d, v, g) {
  keep <- !is.na(d[[v]]) & !is.na(g)
  x <- d[[v]][keep]
  grp <- factor(g[keep])
  lv <- levels(grp)
  res <- list(name = v, overall = numeric_summary(x),
              groups = lapply(lv, function(l) c(list(group = l), numeric_summary(x[grp == l]))))
  if (length(lv) == 2) {
    a <- x[grp == lv[1]]; b <- x[grp == lv[2]]
    welch <- t.test(a, b)
    student <- t.test(a, b, var.equal = TRUE)
    wil <- suppressWarnings(wilcox.test(a, b, exact = FALSE, correct = TRUE))
    res$welch <- list(t = unname(welch$statistic), df = unname(welch$parameter), p = welch$p.value)
    res$student <- list(t = unname(student$statistic), df = unname(student$parameter), p = student$p.value)
    res$wilcoxon <- list(w = unname(wil$statistic), p = wil$p.value)
  }
  if (length(lv) > 2) {
    av <- anova(lm(x ~ grp))
    kw <- kruskal.test(x, grp)
    res$anova <- list(f = av[["F value"]][1], df1 = av$Df[1], df2 = av$Df[2], p = av[["Pr(>F)"]][1])
    res$kruskal <- list(statistic = unname(kw$statistic), df = unname(kw$parameter), p = kw$p.value)
  }
  res
}

describe_categorical <- function(d, v, g) {
  keep <- !is.na(d[[v]]) & !is.na(g)
  tab <- table(factor(d[[v]][keep]), factor(g[keep]))
  chi <- suppressWarnings(chisq.test(tab))
  fi <- fisher.test(tab)
  list(name = v, levels = rownames(tab), groups = colnames(tab),
       table = unname(lapply(seq_len(nrow(tab)), function(i) as.integer(tab[i, ]))),
       min_expected = min(chi$expected),
       chisq = list(statistic = unname(chi$statistic), df = unname(chi$parameter), p = chi$p.value),
       fisher = list(p = fi$p.value))
}

run <- function(name, d, group, numeric_vars, categorical_vars, group_values = d[[group]]) {
  res <- list(data = paste0(name, ".csv"), group = group,
              numeric = lapply(numeric_vars, function(v) describe_numeric(d, v, group_values)),
              categorical = lapply(categorical_vars, function(v) describe_categorical(d, v, group_values)))
  writeLines(toJSON(res, auto_unbox = TRUE, digits = NA, null = "null", pretty = TRUE),
             file.path(out_dir, paste0(name, "_describe_r.json")))
}

# 1. The synthetic cohort (fixtures/reference/cohort_a.csv), split at ne_dose 0.8 (ne_gt_080).
cohort <- read.csv("fixtures/reference/cohort_a.csv")
run("cohort_a", cohort, "ne_gt_080",
    c("apache2", "heart_rate", "il6", "log_il6", "mfi", "ppv", "hi", "lactate", "time90"),
    c("death28", "death90"))

# 2. NCCTG lung cancer (fixtures/reference/lung.csv, survival::lung), by sex; ph_ecog and wt_loss have NAs.
lung <- read.csv("fixtures/reference/lung.csv")
run("lung", lung, "sex", c("time", "age", "wt_loss"), c("event", "ph_ecog"))

# 3. mtcars, by transmission (am); six_cyl gives a 2x2 table with small expected counts.
mt <- mtcars
mt$car <- rownames(mtcars)
mt$six_cyl <- as.integer(mt$cyl == 6)
mt <- mt[, c("car", setdiff(names(mt), "car"))]
write.csv(mt, file.path(out_dir, "mtcars.csv"), row.names = FALSE, quote = FALSE)
run("mtcars", mt, "am", c("mpg", "disp", "hp", "drat", "wt", "qsec"), c("vs", "cyl", "gear", "six_cyl"))

# 3b. mtcars by number of cylinders (three groups: ANOVA and Kruskal-Wallis).
run("mtcars_cyl", mt, "cyl", c("mpg", "disp", "hp", "wt", "qsec"), c("am", "vs"))

# 4. ToothGrowth, by supplement (text group labels OJ / VC).
tg <- ToothGrowth
tg$supp <- as.character(tg$supp)
write.csv(tg, file.path(out_dir, "toothgrowth.csv"), row.names = FALSE, quote = FALSE)
run("toothgrowth", tg, "supp", c("len"), c("dose"))
run("toothgrowth_dose", tg, "dose", c("len"), c("supp"))

# 5. sleep (Student's data), by group.
sl <- sleep
sl$group <- as.character(sl$group)
sl$ID <- as.character(sl$ID)
write.csv(sl, file.path(out_dir, "sleep.csv"), row.names = FALSE, quote = FALSE)
run("sleep", sl, "group", c("extra"), character(0))

# Correlations (Pearson and Spearman with the t approximation, BH over the outcomes) and
# linear models on more data sets, for crates/mcvideo-stats/tests/stats/more_r.rs.
correlations <- function(d, x, ys, method) {
  rows <- lapply(ys, function(y) {
    keep <- !is.na(d[[x]]) & !is.na(d[[y]])
    ct <- suppressWarnings(cor.test(d[[x]][keep], d[[y]][keep], method = method, exact = FALSE))
    list(y = y, n = sum(keep), r = unname(ct$estimate), p = ct$p.value)
  })
  p_fdr <- p.adjust(sapply(rows, `[[`, "p"), method = "BH")
  for (i in seq_along(rows)) rows[[i]]$p_fdr <- p_fdr[i]
  list(x = x, kind = method, results = rows)
}
linear_model <- function(d, y, xs) {
  fit <- lm(reformulate(xs, y), data = d)
  s <- summary(fit)
  ci <- confint(fit)
  co <- s$coefficients
  list(y = y, x = xs, n = nobs(fit), r2 = s$r.squared, r2_adj = s$adj.r.squared,
       terms = lapply(seq_len(nrow(co)), function(i) list(name = rownames(co)[i], coef = co[i, 1],
         se = co[i, 2], ci = unname(ci[i, ]), t = co[i, 3], p = co[i, 4])))
}
more <- list(
  correlate = list(
    c(list(data = "stats/mtcars.csv"), correlations(mt, "hp", c("mpg", "wt", "qsec", "drat"), "pearson")),
    c(list(data = "stats/mtcars.csv"), correlations(mt, "hp", c("mpg", "wt", "qsec", "drat"), "spearman")),
    c(list(data = "reference/lung.csv"), correlations(lung, "age", c("time", "wt_loss", "ph_ecog"), "pearson")),
    c(list(data = "reference/lung.csv"), correlations(lung, "age", c("time", "wt_loss", "ph_ecog"), "spearman")),
    c(list(data = "reference/cohort_a.csv"), correlations(cohort, "ne_dose", c("mfi", "ppv", "hi", "lactate"), "pearson"))),
  regress = list(
    c(list(data = "stats/mtcars.csv"), linear_model(mt, "mpg", c("wt", "hp", "qsec"))),
    c(list(data = "reference/lung.csv"), linear_model(lung, "time", c("age", "wt_loss", "ph_ecog"))),
    c(list(data = "stats/toothgrowth.csv"), linear_model(tg, "len", c("dose"))))
)
writeLines(toJSON(more, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(out_dir, "more_r.json"))
