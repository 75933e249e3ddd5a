# R's answer for a thin-plate GAM on an explicit knot subset (mgcv's `knots =`), the basis mcvideo
# builds above `max_knots` distinct doses. Writes fixtures/reference/large_gam.csv (n = 2600),
# large_gam_knots.csv (1500 of its distinct x) and large_gam_tp_knots.json.
# Usage: Rscript tools/r-reference/gam_knots.R   (R 4.2, mgcv 1.8-41, jsonlite)
suppressMessages({ library(mgcv); library(jsonlite) })
ref <- file.path(dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))),
                 "..", "..", "fixtures", "reference")
n <- 2600
i <- 0:(n - 1)
x <- 2 * (((i * 7919) %% n) + 0.37) / n
c <- sqrt((i * 31) %% 17)
y <- 1 - 1.5 * pmax(x - 0.8, 0) + 0.3 * sin(3 * x) + 0.05 * c + 0.2 * (((i * 104729) %% 1000) / 1000 - 0.5)
d <- data.frame(x = x, c = c, y = y)
write.csv(data.frame(lapply(d, function(v) trimws(format(v, digits = 17)))), file.path(ref, "large_gam.csv"), row.names = FALSE, quote = FALSE)
set.seed(11)
kn <- sort(sample(unique(x), 1500))
write.csv(data.frame(knot = trimws(format(kn, digits = 17))), file.path(ref, "large_gam_knots.csv"),
          row.names = FALSE, quote = FALSE)
d <- read.csv(file.path(ref, "large_gam.csv"))
kn <- read.csv(file.path(ref, "large_gam_knots.csv"))$knot
fit <- gam(y ~ s(x, bs = "tp", k = 10) + c, data = d, knots = list(x = kn), method = "REML")
s <- summary(fit)
term <- function(g) {
  p <- predict(fit, data.frame(x = g, c = 0), type = "terms", se.fit = TRUE)
  list(fit = unname(p$fit[, "s(x)"]), se = unname(p$se.fit[, "s(x)"]))
}
q <- quantile(d$x, c(0.025, 0.975), names = FALSE)
g <- seq(q[1], q[2], length.out = 401)
f <- term(g)$fit
h <- g[2] - g[1]
inner <- 2:400
f1 <- (f[inner + 1] - f[inner - 1]) / (2 * h)
f2 <- (f[inner + 1] - 2 * f[inner] + f[inner - 1]) / h^2
kappa <- abs(f2) / (1 + f1^2)^1.5
grid <- seq(min(d$x), max(d$x), length.out = 101)
curve <- term(grid)
writeLines(toJSON(list(
  method = "gam", source = paste("R", getRversion(), "mgcv", packageVersion("mgcv")),
  model = "gam(y ~ s(x, bs = 'tp', k = 10) + c, knots = list(x = large_gam_knots.csv), method = 'REML')",
  n = n, knots = length(kn), basis = "tp", k = 10, edf = sum(fit$edf[grep("s\\(x\\)", names(fit$edf))]),
  p_smooth = s$s.table[1, "p-value"], r2_adj = s$r.sq, dev_explained = s$dev.expl, reml = fit$gcv.ubre[[1]],
  linear_terms = list(list(name = "c", coef = s$p.table["c", "Estimate"], se = s$p.table["c", "Std. Error"],
                           p = s$p.table["c", "Pr(>|t|)"])),
  threshold = list(x = g[inner][which.max(kappa)], method = "max_curvature",
                   x_max_abs_f2 = g[inner][which.max(abs(f2))]),
  curve = lapply(seq_along(grid), function(j) list(x = grid[j], fit = curve$fit[j], se = curve$se[j]))
), auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(ref, "large_gam_tp_knots.json"))
