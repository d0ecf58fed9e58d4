#ifndef EMGMM_MODEL_SELECTION_HPP
#define EMGMM_MODEL_SELECTION_HPP

#include "detail/diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

/// Choosing the number of components (and the covariance type) by an information criterion:
/// mclust's BIC sweep, or scikit-learn's "Gaussian Mixture Model Selection" example, in one
/// call that returns the whole table and the best fitted model.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "covariance_type.hpp"
#include "detail/validation.hpp"
#include "errors.hpp"
#include "gaussian_mixture.hpp"
#include "hierarchical.hpp"
#include "model_name.hpp"
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
  /// The mclust model of the candidate (select_mclust_model), or none.
  std::optional<ModelName> model_name;
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
  /// mclust's BIC, 2 log L - n_parameters log n = -bic (larger is better); NaN when the fit
  /// failed (mclust's NA).
  double mclust_bic() const { return fitted() ? -bic : std::numeric_limits<double>::quiet_NaN(); }
};

/// What select_gaussian_mixture and select_mclust_model return.
template <typename Scalar = double, int Dim = Eigen::Dynamic>
struct ModelSelection {
  /// One row per candidate, covariance type by covariance type (select_mclust_model: model by
  /// model) in the order given, and within a type n_components in the order given.
  std::vector<ModelSelectionRow> table;
  /// The row with the lowest criterion (the first one on a tie).
  std::size_t best_index = 0;
  Criterion criterion = Criterion::bic;
  /// That row's fitted model: the same as GaussianMixture(options).fit(X) with the base options,
  /// that n_components and that covariance_type (select_mclust_model: that model_name and its
  /// starting partition).
  GaussianMixture<Scalar, Dim> best;

  const ModelSelectionRow& best_row() const { return table[best_index]; }
};

namespace detail {

/// Checks a sweep's candidate numbers of components for data with `rows` rows.
inline void check_candidates(const std::vector<int>& n_components, Eigen::Index rows,
                             const std::string& where) {
  if (n_components.empty()) {
    fail(where,
         "n_components is empty; pass the candidate numbers of components, e.g. {1, 2, 3, "
         "4, 5, 6}.");
  }
  for (std::size_t i = 0; i < n_components.size(); ++i) {
    const int k = n_components[i];
    if (k < 1) {
      fail(where,
           "n_components[" + to_text(i) + "] = " + to_text(k) + "; every candidate must be >= 1.");
    }
    if (k > rows) {
      fail(where, "n_components[" + to_text(i) + "] = " + to_text(k) + " but X has only " +
                      to_text(rows) +
                      " rows; a mixture needs at least as many points as components, so drop the "
                      "candidates above " +
                      to_text(rows) + ".");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (n_components[j] == k) {
        fail(where, "n_components lists " + to_text(k) + " twice (at " + to_text(j) + " and " +
                        to_text(i) + "); list each candidate once.");
      }
    }
  }
}

/// Fits one candidate of a sweep on X and fills its row; when the fit breaks down, the
/// NumericalError's message goes to row.error (and to first_error if that is still empty).
template <typename Model, typename Derived>
void fit_candidate(Model& model, const Eigen::MatrixBase<Derived>& X, ModelSelectionRow& row,
                   std::string& first_error) {
  try {
    model.fit(X);
  } catch (const NumericalError& error) {
    row.bic = row.aic = std::numeric_limits<double>::infinity();
    row.lower_bound = -std::numeric_limits<double>::infinity();
    row.error = error.what();
    if (first_error.empty()) first_error = row.error;
    return;
  }
  // bic(X) and aic(X) from one pass over X, each exactly as the model computes it.
  const double log_likelihood = model.score_samples(X).template cast<double>().sum();
  const double n_parameters = double(model.n_parameters());
  row.bic = -2.0 * log_likelihood + n_parameters * std::log(double(X.rows()));
  row.aic = -2.0 * log_likelihood + 2.0 * n_parameters;
  row.lower_bound = model.lower_bound();
  row.converged = model.converged();
  row.n_iter = model.n_iter();
  row.n_parameters = model.n_parameters();
}

/// Appends a candidate's row to the sweep's table, and keeps its model as the best when the
/// row's criterion is the lowest so far: a failed fit or NaN never wins, the first of equal
/// values does.
template <typename Selection, typename Model>
void add_candidate(Selection& result, Model& model, ModelSelectionRow&& row, bool& have_best) {
  const double value = row.value(result.criterion);
  if (row.fitted() && !std::isnan(value) &&
      (!have_best || value < result.best_row().value(result.criterion))) {
    have_best = true;
    result.best_index = result.table.size();
    result.best = std::move(model);
  }
  result.table.push_back(std::move(row));
}

/// The end of a sweep: NumericalError when no candidate could be fitted.
inline void require_a_fit(bool have_best, const std::string& where,
                          const std::string& first_error) {
  if (!have_best) {
    throw NumericalError(where +
                         ": no candidate could be fitted; the first failure was: " + first_error);
  }
}

}  // namespace detail

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
  detail::check_candidates(n_components, X.rows(), where);
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
      detail::fit_candidate(model, X, row, first_error);
      detail::add_candidate(result, model, std::move(row), have_best);
    }
  }
  detail::require_a_fit(have_best, where, first_error);
  return result;
}

/// mclust's EM semantics for select_mclust_model and for fitting a model_name as mclust's me()
/// does: no regularization, mclust's stopping rule with emControl()'s tol 1e-5, and no
/// iteration limit (itmax = .Machine$integer.max).
template <typename Scalar = double>
GaussianMixtureOptions<Scalar> mclust_em_options() {
  GaussianMixtureOptions<Scalar> o;
  o.reg_covar = 0.0;
  o.convergence = Convergence::mclust;
  o.tol = 1e-5;
  o.max_iter = std::numeric_limits<int>::max();
  return o;
}

/// Model selection as R's Mclust(X) / mclustBIC(X) does it: mclust's hierarchical clustering
/// (hierarchical_merges, once) cut at each G of `n_components` gives the starting partition,
/// and every model of `models` is fitted from it (resp_init = the one-hot partition; G = 1
/// from all points) with `base`'s options, by default mclust_em_options(). The table has one
/// row per model (in the order given) and G (in the order given); a row's mclust_bic() is
/// mclust's BIC, and a model that cannot be fitted at some G (a covariance that is not positive
/// definite, mclust's "singular covariance" NA) has the NumericalError's message in `error`.
/// `best` is the fitted model of the highest mclust BIC (the first one on a tie), and the
/// criterion is Criterion::bic (sklearn's sign: the best row has the lowest bic).
/// Defaults: G = 1..9 and all fourteen models, as Mclust(X). Unlike mclust, it clusters all
/// the points however many (mclust clusters a random subset of 2000 above 2000 points), so
/// hierarchical_merges' size limit applies.
///
/// Throws InvalidArgument for invalid X (as fit and hierarchical_merges do), an empty or
/// repeated candidate, a G below 1 or above the number of rows, a model outside ModelName,
/// base options with covariance_type other than full or with resp_init, weights_init,
/// means_init or precisions_init set (the sweep sets the start), or otherwise invalid (as fit
/// would); NumericalError when no candidate could be fitted.
template <typename Scalar = double, typename Derived>
ModelSelection<Scalar> select_mclust_model(
    const Eigen::MatrixBase<Derived>& X,
    const std::vector<int>& n_components = {1, 2, 3, 4, 5, 6, 7, 8, 9},
    const std::vector<ModelName>& models = std::vector<ModelName>(std::begin(kModelNames),
                                                                  std::end(kModelNames)),
    const GaussianMixtureOptions<Scalar>& base = mclust_em_options<Scalar>()) {
  const std::string where = "select_mclust_model";
  detail::check_data<Scalar, Eigen::Dynamic>(X, where, 2);
  detail::check_candidates(n_components, X.rows(), where);
  if (models.empty()) {
    detail::fail(where, "models is empty; pass at least one, e.g. {ModelName::VVV}.");
  }
  for (std::size_t i = 0; i < models.size(); ++i) {
    const int model = static_cast<int>(models[i]);
    if (model < 0 || model >= static_cast<int>(std::size(kModelNames))) {
      detail::fail(where, "models[" + detail::to_text(i) + "] = " + detail::to_text(model) +
                              " is not one of the fourteen ModelName values.");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (models[j] == models[i]) {
        detail::fail(where, std::string("models lists '") + to_string(models[i]) +
                                "' twice; list each model once.");
      }
    }
  }
  if (base.covariance_type != CovarianceType::full) {
    detail::fail(where, std::string("the base options set covariance_type = '") +
                            to_string(base.covariance_type) +
                            "'; the sweep sets model_name, which needs the default 'full'.");
  }
  if (base.resp_init || base.weights_init || base.means_init || base.precisions_init) {
    detail::fail(where, "the base options set " +
                            std::string(base.resp_init      ? "resp_init"
                                        : base.weights_init ? "weights_init"
                                        : base.means_init   ? "means_init"
                                                            : "precisions_init") +
                            "; the sweep starts every fit from the hierarchical clustering, so "
                            "leave resp_init, weights_init, means_init and precisions_init "
                            "empty.");
  }

  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  const Eigen::Index n = X.rows();
  const bool needs_tree =
      std::any_of(n_components.begin(), n_components.end(), [](int k) { return k > 1; });
  HierarchicalMerges merges;
  if (needs_tree) merges = hierarchical_merges(X);
  std::vector<Matrix> starts;  // one-hot start per candidate G, in n_components' order
  for (const int k : n_components) {
    Matrix z = Matrix::Zero(n, k);
    if (k == 1) {
      z.setOnes();
    } else {
      const std::vector<int> partition = hierarchical_partition(merges, k);
      for (Eigen::Index i = 0; i < n; ++i) z(i, partition[static_cast<std::size_t>(i)]) = 1;
    }
    starts.push_back(std::move(z));
  }

  ModelSelection<Scalar> result;
  result.criterion = Criterion::bic;
  bool have_best = false;
  std::string first_error;
  for (const ModelName model : models) {
    for (std::size_t c = 0; c < n_components.size(); ++c) {
      GaussianMixtureOptions<Scalar> options = base;
      options.n_components = n_components[c];
      options.model_name = model;
      options.resp_init = starts[c];
      GaussianMixture<Scalar> candidate(std::move(options));
      ModelSelectionRow row;
      row.n_components = n_components[c];
      row.model_name = model;
      detail::fit_candidate(candidate, X, row, first_error);
      detail::add_candidate(result, candidate, std::move(row), have_best);
    }
  }
  detail::require_a_fit(have_best, where, first_error);
  return result;
}

}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_MODEL_SELECTION_HPP
