#!/usr/bin/Rscript
# Reference results from R's mclust for emgmm's mclust models (tests/test_mclust_models.cpp).
#
# How to run (from the repository root; deterministic, rewrites mclust_<dataset>.txt next to
# this file):
#
#     Rscript tests/reference/mclust_reference.R
#
# Generated with R 4.2 and mclust 6.0.0 (Debian 12 packages r-base-core, r-cran-mclust); the
# versions are recorded in every file's header.
#
# Datasets (each written once per file as entry X, with its starting responsibilities z0):
#   iris       iris[, 1:4], 150 x 4, G = 3, z0 = the species (one-hot).
#   faithful   faithful, 272 x 2, G = 3, z0 = eruptions cut at 2.5 and 3.8 minutes.
#   synthetic  150 x 3 from set.seed(17): two Gaussian groups of 60 and 90 points with different
#              covariances, rounded to 4 decimals; G = 2, z0 = the sign of the first coordinate
#              (which misplaces some points, so EM has work to do).
#
# For every one of the 14 models: me(modelName, data, z0) with emControl()'s defaults (tol
# c(1e-5, sqrt(eps)), itmax c(.Machine$integer.max, .Machine$integer.max), equalPro FALSE, no
# prior), i.e. EM from the M-step on z0. Entries, each prefixed by the model name (EII_pro ...):
#   pro 1 x G, mean G x d, sigma (G d) x d (component k in rows k d .. k d + d - 1), loglik,
#   n_iter (the first entry of attr(fit, "info"), iterations or niterout), npar (nMclustParams), bic (bic()), icl (bic + 2
#   sum_i log max_k z_ik, mclust's icl() on the final z), classification (0-based map(z)),
#   uncertainty (1 - max_k z_ik), scale (|Sigma_k|^(1/d)) and shape (G x d, the eigenvalues of
#   Sigma_k / scale_k in decreasing order): emgmm's canonical decomposition of mclust's sigma.
# A model that mclust cannot fit from z0 is recorded as <model>_failed 1 1 with the value 1.
suppressPackageStartupMessages(library(mclust))

put <- function(con, name, m) {
  m <- as.matrix(m)
  cat(name, nrow(m), ncol(m), "\n", file = con)
  for (i in seq_len(nrow(m))) cat(sprintf("%.17g", m[i, ]), "\n", file = con)
}

datasets <- list()
datasets$iris <- list(X = as.matrix(iris[, 1:4]), z0 = unmap(as.integer(iris$Species)))
datasets$faithful <- list(X = as.matrix(faithful),
                          z0 = unmap(cut(faithful$eruptions, c(0, 2.5, 3.8, 10), labels = FALSE)))
set.seed(17)
a <- matrix(rnorm(60 * 3), 60, 3) %*% matrix(c(1, 0.5, 0, 0, 1, 0.3, 0, 0, 0.5), 3, 3)
b <- matrix(rnorm(90 * 3), 90, 3) %*% matrix(c(0.6, 0, 0.2, 0.4, 2, 0, 0, 0, 1), 3, 3)
b <- sweep(b, 2, c(2.5, 1, -1), "+")
synthetic <- round(rbind(a, b), 4)
datasets$synthetic <- list(X = synthetic, z0 = unmap(ifelse(synthetic[, 1] > 1, 2, 1)))

here <- "tests/reference"
for (name in names(datasets)) {
  X <- datasets[[name]]$X
  z0 <- datasets[[name]]$z0
  n <- nrow(X); d <- ncol(X); G <- ncol(z0)
  con <- file(file.path(here, paste0("mclust_", name, ".txt")), "w")
  cat("# mclust", as.character(packageVersion("mclust")), "on", R.version.string,
      "-- written by tests/reference/mclust_reference.R\n", file = con)
  put(con, "X", X)
  put(con, "z0", z0)
  for (model in mclust.options("emModelNames")) {
    fit <- me(modelName = model, data = X, z = z0, warn = FALSE)
    if (is.na(fit$loglik)) {
      put(con, paste0(model, "_failed"), 1)
      next
    }
    sigma <- fit$parameters$variance$sigma
    stacked <- do.call(rbind, lapply(seq_len(G), function(k) sigma[, , k]))
    npar <- nMclustParams(model, d, G)
    bic_value <- bic(model, fit$loglik, n, d, G)
    zmax <- apply(fit$z, 1, max)
    scale <- shape <- NULL
    for (k in seq_len(G)) {
      values <- eigen(sigma[, , k], symmetric = TRUE, only.values = TRUE)$values
      volume <- exp(mean(log(values)))
      scale <- c(scale, volume)
      shape <- rbind(shape, values / volume)
    }
    put(con, paste0(model, "_pro"), t(fit$parameters$pro))
    put(con, paste0(model, "_mean"), t(fit$parameters$mean))
    put(con, paste0(model, "_sigma"), stacked)
    put(con, paste0(model, "_loglik"), fit$loglik)
    put(con, paste0(model, "_n_iter"), as.numeric(unlist(attr(fit, "info"))[1]))
    put(con, paste0(model, "_npar"), npar)
    put(con, paste0(model, "_bic"), bic_value)
    put(con, paste0(model, "_icl"), bic_value + 2 * sum(log(zmax)))
    put(con, paste0(model, "_classification"), t(map(fit$z) - 1))
    put(con, paste0(model, "_uncertainty"), t(1 - zmax))
    put(con, paste0(model, "_scale"), t(scale))
    put(con, paste0(model, "_shape"), shape)
  }
  close(con)
}
