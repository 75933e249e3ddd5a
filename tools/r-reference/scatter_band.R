# R's least-squares line and its 95% confidence band of the mean, as the study's scatter figures
# draw them: predict(lm(y ~ ne_dose), interval = "confidence") on cohort A for each correlated
# outcome, at 21 doses across the data's range and a little beyond it (the figure's padded axis).
# Writes fixtures/reference/cohort_a_scatter_band.json.
# Usage: Rscript tools/r-reference/scatter_band.R   (R 4.2, jsonlite)
suppressMessages(library(jsonlite))
ref <- file.path(dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))),
                 "..", "..", "fixtures", "reference")
d <- read.csv(file.path(ref, "cohort_a.csv"))
span <- range(d$ne_dose)
at <- seq(span[1] - 0.05 * diff(span), span[2] + 0.05 * diff(span), length.out = 21)
band <- function(y) {
  fit <- lm(as.formula(paste(y, "~ ne_dose")), data = d)
  p <- predict(fit, newdata = data.frame(ne_dose = at), interval = "confidence", level = 0.95)
  list(n = nrow(d), df_residual = fit$df.residual, intercept = unname(coef(fit)[1]),
       slope = unname(coef(fit)[2]), fit = unname(p[, "fit"]), lower = unname(p[, "lwr"]),
       upper = unname(p[, "upr"]))
}
writeLines(toJSON(list(
  source = paste("R", getRversion(),
                 "predict(lm(y ~ ne_dose), newdata, interval = 'confidence', level = 0.95)"),
  x = "ne_dose", at = at,
  mfi = band("mfi"), ppv = band("ppv"), hi = band("hi"), lactate = band("lactate")
), auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(ref, "cohort_a_scatter_band.json"))
