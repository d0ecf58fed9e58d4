#!/usr/bin/Rscript
# Reference results from R's mclust for emgmm's hierarchical initialization and Mclust()-style
# model selection (tests/test_hierarchical.cpp, tests/test_model_selection_mclust.cpp).
#
# How to run (from the repository root; deterministic, rewrites mclust_select_<dataset>.txt next
# to this file):
#
#     Rscript tests/reference/mclust_select_reference.R
#
# Generated with R 4.2 and mclust 6.0.0 (Debian 12 packages r-base-core, r-cran-mclust); the
# versions are recorded in every file's header.
#
# Datasets: iris[, 1:4] (150 x 4, with duplicated rows), faithful (272 x 2, with duplicated
# rows), and the synthetic 150 x 3 set of mclust_reference.R (same seed and recipe).
#
# Entries (format of tests/reference_data.hpp):
#   X             the data.
#   hc_merges     (n - 1) x 2: hc(X) as mclustBIC calls it (modelName "VVV", use "SVD",
#                 alpha = beta = 1, no initial partition), 0-based: row s merges the groups
#                 labelled by their smallest member, smaller label first (t(hc(X)) - 1).
#   hc_partitions n x 9: column G - 1 is hclass(hc(X), 1:9)[, G] - 1 (groups numbered in order
#                 of first appearance).
# and for iris and faithful only (the Mclust() sweep):
#   bic           9 x 14: mclustBIC(X) (G = 1..9 in rows, mclust.options("emModelNames") in
#                 columns), NA written as 0 and flagged in bic_na.
#   bic_na        9 x 14: 1 where mclustBIC is NA (the model could not be fitted).
#   return_codes  9 x 14: attr(mclustBIC(X), "returnCodes").
#   best          1 x 2: Mclust(X)'s model (0-based index into emModelNames) and G.
#   best_bic      Mclust(X)$bic.
# mclustBIC uses hc on the whole data here (n <= mclust.options("subset") = 2000).
suppressPackageStartupMessages(library(mclust))

put <- function(con, name, m) {
  m <- as.matrix(m)
  cat(name, nrow(m), ncol(m), "\n", file = con)
  for (i in seq_len(nrow(m))) cat(sprintf("%.17g", m[i, ]), "\n", file = con)
}

set.seed(17)
a <- matrix(rnorm(60 * 3), 60, 3) %*% matrix(c(1, 0.5, 0, 0, 1, 0.3, 0, 0, 0.5), 3, 3)
b <- matrix(rnorm(90 * 3), 90, 3) %*% matrix(c(0.6, 0, 0.2, 0.4, 2, 0, 0, 0, 1), 3, 3)
b <- sweep(b, 2, c(2.5, 1, -1), "+")
datasets <- list(iris = as.matrix(iris[, 1:4]), faithful = as.matrix(faithful),
                 synthetic = round(rbind(a, b), 4))

here <- "tests/reference"
for (name in names(datasets)) {
  X <- datasets[[name]]
  dimnames(X) <- NULL
  con <- file(file.path(here, paste0("mclust_select_", name, ".txt")), "w")
  cat("# mclust", as.character(packageVersion("mclust")), "on", R.version.string,
      "-- written by tests/reference/mclust_select_reference.R\n", file = con)
  put(con, "X", X)
  tree <- hc(X, modelName = mclust.options("hcModelName"), use = mclust.options("hcUse"))
  stopifnot(attr(tree, "use") == "SVD", attr(tree, "modelName") == "VVV",
            identical(as.numeric(attr(tree, "initialPartition")), as.numeric(seq_len(nrow(X)))))
  put(con, "hc_merges", t(tree) - 1)
  put(con, "hc_partitions", hclass(tree, 1:9) - 1)
  if (name != "synthetic") {
    models <- mclust.options("emModelNames")
    bic <- mclustBIC(X, verbose = FALSE)
    stopifnot(identical(colnames(bic), models), identical(rownames(bic), as.character(1:9)))
    values <- unclass(bic)[, models]
    na <- is.na(values)
    values[na] <- 0
    put(con, "bic", values)
    put(con, "bic_na", na * 1)
    put(con, "return_codes", attr(bic, "returnCodes")[, models])
    fit <- Mclust(X, verbose = FALSE)
    put(con, "best", cbind(match(fit$modelName, models) - 1, fit$G))
    put(con, "best_bic", fit$bic)
  }
  close(con)
}
