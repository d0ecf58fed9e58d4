#ifndef EMGMM_DETAIL_M_STEP_HPP
#define EMGMM_DETAIL_M_STEP_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

// The M-step: the weight / mean / covariance update computed from the sufficient statistics a
// pass accumulated (accumulate.hpp), as sklearn's _estimate_gaussian_parameters followed by
// _compute_precision_cholesky, and the re-seeding of collapsed components.

#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "../covariance_type.hpp"
#include "../errors.hpp"
#include "../sufficient_statistics.hpp"
#include "covariance.hpp"
#include "e_step.hpp"
#include "parameters.hpp"
#include "parsimonious.hpp"

namespace emgmm {
namespace detail {

/// sklearn's _estimate_gaussian_parameters from accumulated statistics (about their reference
/// means), in double: nk (with sklearn's 10 eps, of the model's Scalar, so an empty component
/// divides by a tiny positive number instead of zero), the means and the covariances with
/// reg_covar on their diagonals. GaussianMixture's M-step turns them into its parameters,
/// BayesianGaussianMixture's into its variational posterior (variational.hpp).
struct GaussianEstimates {
  Eigen::VectorXd nk;           ///< K
  Eigen::MatrixXd means;        ///< K x D
  Eigen::MatrixXd covariances;  ///< storage per covariance type, exactly symmetric
};

/// `Statistics` is SufficientStatistics: a template, so that only files that fit compile the
/// expressions on it (as missing.hpp's passes).
template <typename Statistics>
GaussianEstimates estimate_gaussian_parameters(const Statistics& stats, double reg_covar,
                                               double eps) {
  const CovarianceType type = stats.covariance_type;
  const Eigen::Index K = stats.resp_sum.size();
  const Eigen::Index D = stats.resp_diff_sum.cols();
  GaussianEstimates estimates;
  estimates.nk = stats.resp_sum.array() + 10.0 * eps;
  const Eigen::VectorXd& nk = estimates.nk;
  // sum r (x - mean_new)(x - mean_new)^T = scatter - c_k d d^T with d = resp_diff_sum.row(k),
  // c_k = 2 / nk - s / nk^2 (exact for the shifted sums, including sklearn's eps in nk).
  const Eigen::ArrayXd correction = 2.0 / nk.array() - stats.resp_sum.array() / nk.array().square();

  estimates.means = stats.reference;
  for (Eigen::Index k = 0; k < K; ++k) estimates.means.row(k) += stats.resp_diff_sum.row(k) / nk(k);

  // In the scatter's shape; spherical averages its per-feature variances below.
  Eigen::MatrixXd& covariances = estimates.covariances;
  covariances.resize(stats.scatter.rows(), stats.scatter.cols());
  switch (type) {
    case CovarianceType::full: {
      for (Eigen::Index k = 0; k < K; ++k) {
        const Eigen::RowVectorXd d = stats.resp_diff_sum.row(k);
        Eigen::MatrixXd block = stats.scatter.middleRows(k * D, D);
        block = block.selfadjointView<Eigen::Lower>();
        block -= correction(k) * (d.transpose() * d);
        block /= nk(k);
        block.diagonal().array() += reg_covar;
        // Exactly symmetric: the outer product above rounds (c d_i) d_j and (c d_j) d_i apart,
        // and a saved model is checked for symmetry (serialization.hpp).
        covariances.middleRows(k * D, D) = block.selfadjointView<Eigen::Lower>();
      }
      break;
    }
    case CovarianceType::tied: {
      covariances = stats.scatter.template selfadjointView<Eigen::Lower>();
      for (Eigen::Index k = 0; k < K; ++k) {
        const Eigen::RowVectorXd d = stats.resp_diff_sum.row(k);
        covariances -= correction(k) * (d.transpose() * d);
      }
      covariances /= nk.sum();
      covariances.diagonal().array() += reg_covar;
      covariances =
          Eigen::MatrixXd(covariances.selfadjointView<Eigen::Lower>());  // exactly symmetric
      break;
    }
    case CovarianceType::diag:
    case CovarianceType::spherical: {
      for (Eigen::Index k = 0; k < K; ++k) {
        const Eigen::ArrayXXd d = stats.resp_diff_sum.row(k).array();
        // Rounding may leave a collapsed component's variance a hair below zero.
        covariances.row(k) =
            ((stats.scatter.row(k).array() - correction(k) * d.square()) / nk(k)).max(0.0) +
            reg_covar;
      }
      if (type == CovarianceType::spherical) {
        covariances = Eigen::MatrixXd(covariances.rowwise().mean());
      }
      break;
    }
  }
  return estimates;
}

/// The M-step from accumulated statistics (about their reference means), into `params`.
/// `normalize_weights` is false only for sklearn's initialization, whose weights are
/// nk / n_samples without renormalization. Returns the first component whose covariance is not
/// positive definite (`params` is then incomplete), for the estimator to name in its message,
/// or nothing. Throws NumericalError when the estimates are not finite; `where` names the
/// user's call in that message. With `collapsed` (the reseed_collapsed_components policy), it
/// lists instead, in increasing order, the components that lost every point (responsibilities
/// summing to at most sklearn's 10 eps) or whose full, diag or spherical covariance is not
/// positive definite, for reseed_components(). With `model` (full statistics), the full
/// covariances are then constrained to mclust's model (parsimonious.hpp), starting the inner
/// iterations where those of the M-step that made `params` stopped.
template <typename Scalar, int Dim>
[[nodiscard]] std::optional<Eigen::Index> maximize(
    const SufficientStatistics& stats, double reg_covar, const std::optional<Parsimonious>& model,
    const std::string& where, MixtureParameters<Scalar, Dim>& params, bool normalize_weights = true,
    std::vector<Eigen::Index>* collapsed = nullptr) {
  const CovarianceType type = stats.covariance_type;
  const Eigen::Index K = stats.resp_sum.size();
  const Eigen::Index D = stats.resp_diff_sum.cols();
  const double eps = double(std::numeric_limits<Scalar>::epsilon());
  GaussianEstimates estimates = estimate_gaussian_parameters(stats, reg_covar, eps);
  const Eigen::VectorXd& nk = estimates.nk;
  // Finite statistics can still give non-finite estimates (sums near the largest double, or
  // beside responsibility sums near zero): say so rather than blame the covariance's shape.
  // (Under the re-seed policy such a component is re-seeded like a collapsed one.)
  if (!collapsed && (!estimates.means.allFinite() || !estimates.covariances.allFinite())) {
    throw NumericalError(
        where + ": the statistics give " + (estimates.means.allFinite() ? "covariances" : "means") +
        " that are not finite (their sums are too large beside the responsibility sums for "
        "double); rescale the data, or pass statistics that expectation() made.");
  }

  ParsimoniousState<double> constraint_state = std::move(params.constraint_state);
  if (model) {
    // The scatter W_k = n_k S_k of each component, constrained, back as covariances.
    Eigen::MatrixXd scatter = estimates.covariances;
    for (Eigen::Index k = 0; k < K; ++k) scatter.middleRows(k * D, D) *= nk(k);
    estimates.covariances = constrained_covariances(nk, scatter, *model, constraint_state);
  }
  params = MixtureParameters<Scalar, Dim>();
  params.covariance_type = type;
  params.constraint_state = std::move(constraint_state);
  if (model) params.model_name = model->model;
  const Eigen::VectorXd weights =
      normalize_weights ? Eigen::VectorXd(nk / nk.sum()) : Eigen::VectorXd(nk / stats.n_samples);
  params.weights = weights.template cast<Scalar>();
  params.means = estimates.means.template cast<Scalar>();
  params.covariances = estimates.covariances.template cast<Scalar>();
  const std::optional<Eigen::Index> ill_defined = compute_precision_cholesky<Scalar, Dim>(
      params.covariances, type, K, D, params.precisions_cholesky, collapsed);
  if (ill_defined) return ill_defined;
  if (collapsed) {
    for (Eigen::Index k = 0; k < K; ++k) {
      if (stats.resp_sum(k) <= 10.0 * eps) collapsed->push_back(k);
    }
    std::sort(collapsed->begin(), collapsed->end());
    collapsed->erase(std::unique(collapsed->begin(), collapsed->end()), collapsed->end());
  }
  return std::nullopt;
}

/// The reseed_collapsed_components policy (not in sklearn): collapsed[j] restarts at seeds.row(j),
/// the j-th point worst explained by the model of the E-step. Its mean becomes that point, its
/// covariance the weight-averaged covariance of the components that did not collapse (tied:
/// the shared one, unchanged), its weight that of one point out of n_samples, the others'
/// weights scaled so that all sum to one. Returns the component to name as ill-defined (and
/// `params` is then incomplete) when every component collapsed, as there is then no covariance
/// to restart from, or when the restarted covariance is not positive definite; else nothing.
template <typename Scalar, int Dim>
[[nodiscard]] std::optional<Eigen::Index> reseed_components(
    MixtureParameters<Scalar, Dim>& params, const std::vector<Eigen::Index>& collapsed,
    const Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>& seeds, double n_samples) {
  using Square = Eigen::Matrix<Scalar, Dim, Dim>;
  const CovarianceType type = params.covariance_type;
  const Eigen::Index K = params.n_components();
  const Eigen::Index D = params.n_features();
  std::vector<bool> is_collapsed(static_cast<std::size_t>(K), false);
  for (const Eigen::Index k : collapsed) is_collapsed[static_cast<std::size_t>(k)] = true;
  // The healthy components' covariances, averaged by weight, in double.
  const Eigen::Index rows = component_rows(type, D);
  Eigen::MatrixXd average = Eigen::MatrixXd::Zero(rows, params.covariances.cols());
  double healthy_weight = 0.0;
  for (Eigen::Index k = 0; k < K; ++k) {
    if (is_collapsed[static_cast<std::size_t>(k)] || type == CovarianceType::tied) continue;
    const double w = double(params.weights(k));
    average += w * params.covariances.middleRows(k * rows, rows).template cast<double>();
    healthy_weight += w;
  }
  if (collapsed.size() == static_cast<std::size_t>(K) ||
      (type != CovarianceType::tied && !(healthy_weight > 0.0))) {
    return collapsed.front();
  }
  // The others keep their proportions and leave 1 / n_samples to each re-seeded component.
  Eigen::VectorXd weights = params.weights.template cast<double>();
  double others = 0.0;
  for (Eigen::Index k = 0; k < K; ++k) {
    if (!is_collapsed[static_cast<std::size_t>(k)]) others += weights(k);
  }
  const double one_point = 1.0 / n_samples;
  weights *= (1.0 - double(collapsed.size()) * one_point) / others;
  for (std::size_t j = 0; j < collapsed.size(); ++j) {
    const Eigen::Index k = collapsed[j];
    params.means.row(k) = seeds.row(static_cast<Eigen::Index>(j));
    weights(k) = one_point;
    if (type == CovarianceType::tied) continue;
    const Eigen::MatrixXd covariance = average / healthy_weight;
    params.covariances.middleRows(k * rows, rows) = covariance.template cast<Scalar>();
    if (type == CovarianceType::full) {
      Square factor(D, D);
      if (!precision_cholesky_of<Scalar, Dim>(Square(covariance.template cast<Scalar>()), factor)) {
        return k;
      }
      params.precisions_cholesky.middleRows(k * D, D) = factor;
    } else {
      // A mean of positive variances whose precisions are representable: positive and finite.
      params.precisions_cholesky.row(k) =
          covariance.array().sqrt().inverse().matrix().template cast<Scalar>();
    }
  }
  params.weights = weights.template cast<Scalar>();
  return std::nullopt;
}

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_M_STEP_HPP
