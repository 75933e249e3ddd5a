# R's partial residuals of the cohort A GAMs, as plot.gam(residuals = TRUE) draws them: the
# smooth term at each patient plus the residual. Writes fixtures/reference/cohort_a_gam_partial.json.
# Usage: Rscript tools/r-reference/gam_partial.R   (R 4.2, mgcv 1.8-41, jsonlite)
suppressMessages({ library(mgcv); library(jsonlite) })
ref <- file.path(dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))),
                 "..", "..", "fixtures", "reference")
d <- read.csv(file.path(ref, "cohort_a.csv"))
partial <- function(y) {
  g <- gam(as.formula(paste(y, "~ s(ne_dose, bs = 'tp', k = 10) + apache2 + heart_rate + log_il6")),
           data = d, method = "REML")
  unname(residuals(g) + predict(g, type = "terms")[, "s(ne_dose)"])
}
writeLines(toJSON(list(
  source = paste("R", getRversion(), "mgcv", packageVersion("mgcv"),
                 "residuals(g) + predict(g, type = 'terms')[, 's(ne_dose)'], rows in cohort_a.csv order"),
  model = "gam(y ~ s(ne_dose, bs = 'tp', k = 10) + apache2 + heart_rate + log_il6, method = 'REML')",
  ne_dose = d$ne_dose, mfi = partial("mfi"), ppv = partial("ppv"), hi = partial("hi")
), auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(ref, "cohort_a_gam_partial.json"))
