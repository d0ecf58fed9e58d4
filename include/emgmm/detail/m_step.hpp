#ifndef EMGMM_DETAIL_M_STEP_HPP
#define EMGMM_DETAIL_M_STEP_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

// The M-step: the sufficient statistics one pass accumulates from points and their
// responsibilities, and the weight / mean / covariance update computed from them
// (sklearn's _estimate_gaussian_parameters followed by _compute_precision_cholesky).

#include <algorithm>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "../covariance_type.hpp"
#include "../sufficient_statistics.hpp"
#include "covariance.hpp"
#include "e_step.hpp"
#include "parameters.hpp"

namespace emgmm {
namespace detail {

/// For Cols consecutive columns c of a column-major block x (leading dimension `stride`, n
/// rows): first(c) = sum_i r(i) (x(i, c) - center(c)), second(c) = sum_i r(i) (x(i, c) -
/// center(c))^2. One sweep gives all 2 Cols sums, each kept in a cache line's worth of
/// independent lanes (as wide as any SIMD register; the order of the additions depends only on
/// n, never on threads) and added up at the end; several columns per sweep share r's loads.
template <int Cols, typename Scalar>
void weighted_moments(const Scalar* x, Eigen::Index stride, const Scalar* r, Eigen::Index n,
                      const Scalar* center, Scalar* first, Scalar* second) {
  constexpr int kLanes = 64 / static_cast<int>(sizeof(Scalar));
  using Lanes = Eigen::Array<Scalar, kLanes, 1>;
  Lanes first_lanes[Cols];
  Lanes second_lanes[Cols];
  for (int c = 0; c < Cols; ++c) {
    first_lanes[c].setZero();
    second_lanes[c].setZero();
  }
  Eigen::Index i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    const Lanes weight = Eigen::Map<const Lanes>(r + i);
    for (int c = 0; c < Cols; ++c) {
      const Lanes t = Eigen::Map<const Lanes>(x + c * stride + i) - center[c];
      const Lanes rt = weight * t;
      first_lanes[c] += rt;
      second_lanes[c] += rt * t;
    }
  }
  for (int c = 0; c < Cols; ++c) {
    Scalar first_tail = 0, second_tail = 0;
    for (Eigen::Index j = i; j < n; ++j) {
      const Scalar t = x[c * stride + j] - center[c];
      first_tail += r[j] * t;
      second_tail += r[j] * t * t;
    }
    first[c] = first_lanes[c].sum() + first_tail;
    second[c] = second_lanes[c].sum() + second_tail;
  }
}

/// The points worst explained by a model: up to `capacity` pairs (log p(x), row), lowest
/// log p(x) first, ties broken by the lower row. That is a strict total order, so the kept set
/// does not depend on how the rows were cut into chunks, nor on the number of threads.
struct WorstPoints {
  using Entry = std::pair<double, Eigen::Index>;
  Eigen::Index capacity = 0;
  std::vector<Entry> entries;

  static bool worse(const Entry& a, const Entry& b) {
    return a.first < b.first || (a.first == b.first && a.second < b.second);
  }
  void offer(double log_prob, Eigen::Index row) {
    const Entry candidate(log_prob, row);
    const auto size = static_cast<Eigen::Index>(entries.size());
    if (capacity == 0 || (size == capacity && !worse(candidate, entries.back()))) return;
    entries.insert(std::upper_bound(entries.begin(), entries.end(), candidate, worse), candidate);
    if (size + 1 > capacity) entries.pop_back();
  }
};

/// Adds to `stats` a block of points with their responsibilities R (rows x K), about
/// `reference` (K x D), each component about its own reference mean. With sample weights, R
/// holds w_i r_ik and `weight` is sum_i w_i; unweighted, `weight` is the number of rows.
template <typename Scalar, int Dim>
void accumulate(SufficientStatistics& stats,
                const Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>& points,
                const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& R,
                const Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>& reference,
                BlockWork<Scalar, Dim>& work, double weight) {
  using Square = Eigen::Matrix<Scalar, Dim, Dim>;
  using RowPoint = Eigen::Matrix<Scalar, 1, Dim>;
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  const Eigen::Index K = R.cols();
  const Eigen::Index D = points.cols();
  const Eigen::Index rows = points.rows();
  stats.resp_sum += R.colwise().sum().transpose().template cast<double>();
  stats.n_samples += weight;
  const bool diagonal = stats.covariance_type == CovarianceType::diag ||
                        stats.covariance_type == CovarianceType::spherical;
  if (diagonal) {
    // Sweeps along the points give both sums, four features at a time, without a centered
    // copy of the block.
    Eigen::Matrix<Scalar, Dim, 1> center, first(D), second(D);
    for (Eigen::Index k = 0; k < K; ++k) {
      center = reference.row(k).transpose();
      const Scalar* r = R.col(k).data();
      Eigen::Index d = 0;
      for (; d + 4 <= D; d += 4) {
        weighted_moments<4>(points.col(d).data(), rows, r, rows, center.data() + d,
                            first.data() + d, second.data() + d);
      }
      for (; d < D; ++d) {
        weighted_moments<1>(points.col(d).data(), rows, r, rows, center.data() + d,
                            first.data() + d, second.data() + d);
      }
      stats.resp_diff_sum.row(k) += first.transpose().template cast<double>();
      stats.scatter.row(k) += second.transpose().template cast<double>();
    }
    return;
  }
  Square block_scatter = Square::Zero(D, D);
  for (Eigen::Index k = 0; k < K; ++k) {
    const auto r = R.col(k);
    work.diff.noalias() = points.rowwise() - RowPoint(reference.row(k));
    stats.resp_diff_sum.row(k) += (r.transpose() * work.diff).template cast<double>();
    if (D <= kSmallDepth) {
      // A few weighted dot products beat a rank update's set-up.
      for (Eigen::Index a = 0; a < D; ++a) {
        const Eigen::Matrix<Scalar, Eigen::Dynamic, 1> weighted = r.cwiseProduct(work.diff.col(a));
        for (Eigen::Index b = 0; b <= a; ++b) block_scatter(a, b) = weighted.dot(work.diff.col(b));
      }
    } else {
      // sum r (x-m)(x-m)^T = A^T A with A = diag(sqrt r) (x - m): a symmetric rank update,
      // through a dynamic-size view (with Dim = 1 diff's type is a vector, and Eigen would
      // take the vector rank-update path).
      work.diff.array().colwise() *= r.array().sqrt();
      block_scatter.setZero();
      const Eigen::Map<const Matrix> scaled(work.diff.data(), rows, D);
      block_scatter.template selfadjointView<Eigen::Lower>().rankUpdate(scaled.transpose());
    }
    if (stats.covariance_type == CovarianceType::full) {
      stats.scatter.middleRows(k * D, D).template triangularView<Eigen::Lower>() +=
          block_scatter.template cast<double>();
    } else {
      stats.scatter.template triangularView<Eigen::Lower>() +=
          block_scatter.template cast<double>();
    }
  }
}

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

inline GaussianEstimates estimate_gaussian_parameters(const SufficientStatistics& stats,
                                                      double reg_covar, double eps) {
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

  Eigen::MatrixXd& covariances = estimates.covariances;
  switch (type) {
    case CovarianceType::full: {
      covariances.resize(K * D, D);
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
      covariances = stats.scatter.selfadjointView<Eigen::Lower>();
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
      covariances.resize(K, D);
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

/// The M-step from accumulated statistics (about their reference means).
/// `normalize_weights` is false only for sklearn's initialization, whose weights are
/// nk / n_samples without renormalization. Throws NumericalError when a covariance is not
/// positive definite; `where` names the user's call in its message. With `collapsed` (the
/// reseed_collapsed_components policy), it lists instead, in increasing order, the components
/// that lost every point (responsibilities summing to at most sklearn's 10 eps) or whose
/// full, diag or spherical covariance is not positive definite, for reseed_components().
template <typename Scalar, int Dim>
MixtureParameters<Scalar, Dim> maximize(const SufficientStatistics& stats, double reg_covar,
                                        const std::string& where, bool normalize_weights = true,
                                        std::vector<Eigen::Index>* collapsed = nullptr) {
  const CovarianceType type = stats.covariance_type;
  const Eigen::Index K = stats.resp_sum.size();
  const Eigen::Index D = stats.resp_diff_sum.cols();
  const double eps = double(std::numeric_limits<Scalar>::epsilon());
  const GaussianEstimates estimates = estimate_gaussian_parameters(stats, reg_covar, eps);
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

  MixtureParameters<Scalar, Dim> params;
  params.covariance_type = type;
  const Eigen::VectorXd weights =
      normalize_weights ? Eigen::VectorXd(nk / nk.sum()) : Eigen::VectorXd(nk / stats.n_samples);
  params.weights = weights.template cast<Scalar>();
  params.means = estimates.means.template cast<Scalar>();
  params.covariances = estimates.covariances.template cast<Scalar>();
  params.precisions_cholesky = compute_precision_cholesky<Scalar, Dim>(
      params.covariances, type, K, D, where, reg_covar, collapsed);
  if (collapsed) {
    for (Eigen::Index k = 0; k < K; ++k) {
      if (stats.resp_sum(k) <= 10.0 * eps) collapsed->push_back(k);
    }
    std::sort(collapsed->begin(), collapsed->end());
    collapsed->erase(std::unique(collapsed->begin(), collapsed->end()), collapsed->end());
  }
  return params;
}

/// The reseed_collapsed_components policy (not in sklearn): collapsed[j] restarts at seeds.row(j),
/// the j-th point worst explained by the model of the E-step. Its mean becomes that point, its
/// covariance the weight-averaged covariance of the components that did not collapse (tied:
/// the shared one, unchanged), its weight that of one point out of n_samples, the others'
/// weights scaled so that all sum to one. Throws the ill-defined covariance NumericalError
/// when every component collapsed, as there is then no covariance to restart from.
template <typename Scalar, int Dim>
void reseed_components(MixtureParameters<Scalar, Dim>& params,
                       const std::vector<Eigen::Index>& collapsed,
                       const Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>& seeds, double n_samples,
                       const std::string& where, double reg_covar) {
  using Square = Eigen::Matrix<Scalar, Dim, Dim>;
  const CovarianceType type = params.covariance_type;
  const Eigen::Index K = params.n_components();
  const Eigen::Index D = params.n_features();
  std::vector<bool> is_collapsed(static_cast<std::size_t>(K), false);
  for (const Eigen::Index k : collapsed) is_collapsed[static_cast<std::size_t>(k)] = true;
  // The healthy components' covariances, averaged by weight, in double.
  const Eigen::Index rows = type == CovarianceType::full ? D : type == CovarianceType::tied ? 0 : 1;
  Eigen::MatrixXd average = Eigen::MatrixXd::Zero(rows, params.covariances.cols());
  double healthy_weight = 0.0;
  for (Eigen::Index k = 0; k < K; ++k) {
    if (is_collapsed[static_cast<std::size_t>(k)] || rows == 0) continue;
    const double w = double(params.weights(k));
    average += w * params.covariances.middleRows(k * rows, rows).template cast<double>();
    healthy_weight += w;
  }
  if (collapsed.size() == static_cast<std::size_t>(K) ||
      (type != CovarianceType::tied && !(healthy_weight > 0.0))) {
    throw NumericalError(ill_defined_covariance_message(where, collapsed.front(), reg_covar));
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
        throw NumericalError(ill_defined_covariance_message(where, k, reg_covar));
      }
      params.precisions_cholesky.middleRows(k * D, D) = factor;
    } else {
      // A mean of positive variances whose precisions are representable: positive and finite.
      params.precisions_cholesky.row(k) =
          covariance.array().sqrt().inverse().matrix().template cast<Scalar>();
    }
  }
  params.weights = weights.template cast<Scalar>();
}

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_M_STEP_HPP
