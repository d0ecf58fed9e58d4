#ifndef EMGMM_MODEL_SELECTION_HPP
#define EMGMM_MODEL_SELECTION_HPP

#include "detail/diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

/// Choosing the number of components (and the covariance type) by an information criterion:
/// mclust's BIC sweep, or scikit-learn's "Gaussian Mixture Model Selection" example, in one
/// call that returns the whole table and the best fitted model.

#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "covariance_type.hpp"
#include "detail/validation.hpp"
#include "errors.hpp"
#include "gaussian_mixture.hpp"
#include "options.hpp"

namespace emgmm {

/// The criterion select_gaussian_mixture minimizes: GaussianMixture::bic or ::aic on the data.
enum class Criterion { bic, aic };

/// "bic" or "aic".
inline const char* to_string(Criterion criterion) {
  switch (criterion) {
    case Criterion::bic: return "bic";
    case Criterion::aic: return "aic";
  }
  return "unknown";
}

/// One candidate of the sweep, fitted on the sweep's data.
struct ModelSelectionRow {
  int n_components = 0;
  CovarianceType covariance_type = CovarianceType::full;
  double bic = 0.0;               ///< bic(X) of the fitted candidate (+inf when its fit failed)
  double aic = 0.0;               ///< aic(X) of the fitted candidate (+inf when its fit failed)
  double lower_bound = 0.0;       ///< its lower_bound() (-inf when its fit failed)
  bool converged = false;         ///< its converged()
  int n_iter = 0;                 ///< its n_iter()
  Eigen::Index n_parameters = 0;  ///< its n_parameters() (0 when its fit failed)
  /// Empty, or the message of the NumericalError that stopped this candidate's fit (too many
  /// components for the data: a collapsed covariance). Such a row is never the best.
  std::string error;

  bool fitted() const { return error.empty(); }
  /// The value of `criterion` for this row.
  double value(Criterion criterion) const { return criterion == Criterion::aic ? aic : bic; }
};

/// What select_gaussian_mixture returns.
template <typename Scalar = double, int Dim = Eigen::Dynamic>
struct ModelSelection {
  /// One row per candidate, covariance type by covariance type in the order given, and within
  /// a type n_components in the order given.
  std::vector<ModelSelectionRow> table;
  /// The row with the lowest criterion (the first one on a tie).
  std::size_t best_index = 0;
  Criterion criterion = Criterion::bic;
  /// That row's fitted model: the same as GaussianMixture(options).fit(X) with the base options,
  /// that n_components and that covariance_type.
  GaussianMixture<Scalar, Dim> best;

  const ModelSelectionRow& best_row() const { return table[best_index]; }
};

/// Fits a GaussianMixture for every n_components in `n_components` and every type in
/// `covariance_types`, each with `base` (its other options: random_state, n_init, tol, ...),
/// and keeps the one with the lowest `criterion` on X. Every candidate is fitted from scratch
/// exactly as `GaussianMixture<Scalar, Dim>(options).fit(X)` would, so a row's bic equals that
/// model's bic(X). Set base.random_state for a reproducible table.
///
/// Throws InvalidArgument for invalid X (as fit does), an empty candidate list, a candidate
/// below 1 or above the number of rows of X, a repeated candidate or type, or base options
/// with weights_init, means_init or precisions_init (their shapes depend on n_components) or
/// otherwise invalid (as fit would). A candidate whose fit breaks down numerically
/// (NumericalError) is reported in its row's `error` and skipped; NumericalError when every
/// candidate does.
template <typename Scalar = double, int Dim = Eigen::Dynamic, typename Derived>
ModelSelection<Scalar, Dim> select_gaussian_mixture(
    const Eigen::MatrixBase<Derived>& X, const std::vector<int>& n_components,
    const std::vector<CovarianceType>& covariance_types = {CovarianceType::full},
    Criterion criterion = Criterion::bic,
    const GaussianMixtureOptions<Scalar, Dim>& base = GaussianMixtureOptions<Scalar, Dim>()) {
  const std::string where = "select_gaussian_mixture";
  detail::check_data<Scalar, Dim>(X, where, 2);
  if (n_components.empty()) {
    detail::fail(where,
                 "n_components is empty; pass the candidate numbers of components, e.g. {1, 2, 3, "
                 "4, 5, 6}.");
  }
  for (std::size_t i = 0; i < n_components.size(); ++i) {
    const int k = n_components[i];
    if (k < 1) {
      detail::fail(where, "n_components[" + detail::to_text(i) + "] = " + detail::to_text(k) +
                              "; every candidate must be >= 1.");
    }
    if (k > X.rows()) {
      detail::fail(where,
                   "n_components[" + detail::to_text(i) + "] = " + detail::to_text(k) +
                       " but X has only " + detail::to_text(X.rows()) +
                       " rows; a mixture needs at least as many points as components, so drop the "
                       "candidates above " +
                       detail::to_text(X.rows()) + ".");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (n_components[j] == k) {
        detail::fail(where, "n_components lists " + detail::to_text(k) + " twice (at " +
                                detail::to_text(j) + " and " + detail::to_text(i) +
                                "); list each candidate once.");
      }
    }
  }
  if (covariance_types.empty()) {
    detail::fail(where,
                 "covariance_types is empty; pass at least one, e.g. {CovarianceType::full}.");
  }
  for (std::size_t i = 0; i < covariance_types.size(); ++i) {
    const int type = static_cast<int>(covariance_types[i]);
    if (type < 0 || type > 3) {
      detail::fail(where, "covariance_types[" + detail::to_text(i) +
                              "] = " + detail::to_text(type) +
                              " is not one of full, tied, diag, spherical.");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (covariance_types[j] == covariance_types[i]) {
        detail::fail(where, std::string("covariance_types lists '") +
                                to_string(covariance_types[i]) + "' twice; list each type once.");
      }
    }
  }
  if (criterion != Criterion::bic && criterion != Criterion::aic) {
    detail::fail(where, "criterion = " + detail::to_text(static_cast<int>(criterion)) +
                            " is not Criterion::bic or Criterion::aic.");
  }
  if (base.weights_init || base.means_init || base.precisions_init) {
    detail::fail(where,
                 "the base options set " +
                     std::string(base.weights_init ? "weights_init"
                                 : base.means_init ? "means_init"
                                                   : "precisions_init") +
                     ", whose shape depends on n_components; leave weights_init, means_init and "
                     "precisions_init empty for a sweep.");
  }

  ModelSelection<Scalar, Dim> result;
  result.criterion = criterion;
  double best_value = std::numeric_limits<double>::infinity();
  bool have_best = false;
  std::string first_error;
  for (const CovarianceType type : covariance_types) {
    for (const int k : n_components) {
      GaussianMixtureOptions<Scalar, Dim> options = base;
      options.n_components = k;
      options.covariance_type = type;
      GaussianMixture<Scalar, Dim> model(std::move(options));
      ModelSelectionRow row;
      row.n_components = k;
      row.covariance_type = type;
      try {
        model.fit(X);
      } catch (const NumericalError& error) {
        row.bic = row.aic = std::numeric_limits<double>::infinity();
        row.lower_bound = -std::numeric_limits<double>::infinity();
        row.error = error.what();
        if (first_error.empty()) first_error = row.error;
        result.table.push_back(std::move(row));
        continue;
      }
      row.bic = model.bic(X);
      row.aic = model.aic(X);
      row.lower_bound = model.lower_bound();
      row.converged = model.converged();
      row.n_iter = model.n_iter();
      row.n_parameters = model.n_parameters();
      const double value = row.value(criterion);
      // NaN never wins; the first of equal values does.
      if (!std::isnan(value) && (!have_best || value < best_value)) {
        best_value = value;
        have_best = true;
        result.best_index = result.table.size();
        result.best = std::move(model);
      }
      result.table.push_back(std::move(row));
    }
  }
  if (!have_best) {
    throw NumericalError(where +
                         ": no candidate could be fitted; the first failure was: " + first_error);
  }
  return result;
}

}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_MODEL_SELECTION_HPP
