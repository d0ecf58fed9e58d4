#ifndef EMGMM_DETAIL_M_STEP_HPP
#define EMGMM_DETAIL_M_STEP_HPP

// The M-step: the sufficient statistics one pass accumulates from points and their
// responsibilities, and the weight / mean / covariance update computed from them
// (sklearn's _estimate_gaussian_parameters followed by _compute_precision_cholesky).

#include <algorithm>
#include <limits>
#include <string>

#include <Eigen/Core>

#include "../covariance_type.hpp"
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

/// Per-component sums over the points, taken about reference means m_k (the means of the
/// previous iteration) so that one pass keeps the accuracy of a centered two-pass formula:
///   resp_sum(k)         = sum_i r_ik
///   resp_diff_sum.row(k)= sum_i r_ik (x_i - m_k)
///   scatter             = sum_i r_ik (x_i - m_k)(x_i - m_k)^T   (full: per k; tied: summed
///                         over k; lower triangle only), or its diagonal (diag, spherical: K x D)
/// Kept in double whatever the model's Scalar, so float fits sum millions of points safely.
struct SufficientStatistics {
  CovarianceType covariance_type = CovarianceType::full;
  Eigen::VectorXd resp_sum;
  Eigen::MatrixXd resp_diff_sum;
  Eigen::MatrixXd scatter;
  double log_likelihood = 0.0;  ///< sum over points of log p(x_i)
  double n_samples = 0.0;
  Eigen::MatrixXd reference;    ///< K x D: the m_k the sums are taken about

  SufficientStatistics() = default;
  SufficientStatistics(CovarianceType type, Eigen::Index K, Eigen::Index D)
      : covariance_type(type),
        resp_sum(Eigen::VectorXd::Zero(K)),
        resp_diff_sum(Eigen::MatrixXd::Zero(K, D)) {
    switch (type) {
      case CovarianceType::full: scatter.setZero(K * D, D); break;
      case CovarianceType::tied: scatter.setZero(D, D); break;
      case CovarianceType::diag:
      case CovarianceType::spherical: scatter.setZero(K, D); break;
    }
  }

  /// Bytes one instance holds, for sizing the per-chunk partial sums.
  static double bytes(CovarianceType type, Eigen::Index K, Eigen::Index D) {
    const double scatter_size = type == CovarianceType::full   ? double(K) * D * D
                                : type == CovarianceType::tied ? double(D) * D
                                                               : double(K) * D;
    return 8.0 * (scatter_size + double(K) * (D + 1));
  }

  SufficientStatistics& operator+=(const SufficientStatistics& other) {
    resp_sum += other.resp_sum;
    resp_diff_sum += other.resp_diff_sum;
    scatter += other.scatter;
    log_likelihood += other.log_likelihood;
    n_samples += other.n_samples;
    return *this;
  }

  /// Adds a block of points with their responsibilities R (rows x K), about `reference`
  /// (K x D), each component about its own reference mean.
  template <typename Scalar, int Dim>
  void accumulate(const Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>& points,
                  const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& R,
                  const Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>& reference,
                  BlockWork<Scalar, Dim>& work) {
    using Square = Eigen::Matrix<Scalar, Dim, Dim>;
    using RowPoint = Eigen::Matrix<Scalar, 1, Dim>;
    using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
    const Eigen::Index K = R.cols();
    const Eigen::Index D = points.cols();
    const Eigen::Index rows = points.rows();
    resp_sum += R.colwise().sum().transpose().template cast<double>();
    n_samples += double(rows);
    const bool diagonal = covariance_type == CovarianceType::diag ||
                          covariance_type == CovarianceType::spherical;
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
        resp_diff_sum.row(k) += first.transpose().template cast<double>();
        scatter.row(k) += second.transpose().template cast<double>();
      }
      return;
    }
    Square block_scatter = Square::Zero(D, D);
    for (Eigen::Index k = 0; k < K; ++k) {
      const auto r = R.col(k);
      work.diff.noalias() = points.rowwise() - RowPoint(reference.row(k));
      resp_diff_sum.row(k) += (r.transpose() * work.diff).template cast<double>();
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
      if (covariance_type == CovarianceType::full) {
        scatter.middleRows(k * D, D).template triangularView<Eigen::Lower>() +=
            block_scatter.template cast<double>();
      } else {
        scatter.template triangularView<Eigen::Lower>() += block_scatter.template cast<double>();
      }
    }
  }
};

/// The M-step from accumulated statistics (about their reference means).
/// `normalize_weights` is false only for sklearn's initialization, whose weights are
/// nk / n_samples without renormalization. Throws NumericalError when a covariance is not
/// positive definite; `where` names the user's call in its message.
template <typename Scalar, int Dim>
MixtureParameters<Scalar, Dim> maximize(const SufficientStatistics& stats, double reg_covar,
                                        const std::string& where,
                                        bool normalize_weights = true) {
  const CovarianceType type = stats.covariance_type;
  const Eigen::Index K = stats.resp_sum.size();
  const Eigen::Index D = stats.resp_diff_sum.cols();
  // sklearn adds 10 * eps (of the data's dtype) so an empty component divides by a tiny
  // positive number instead of zero.
  const double eps = double(std::numeric_limits<Scalar>::epsilon());
  const Eigen::VectorXd nk = stats.resp_sum.array() + 10.0 * eps;
  // sum r (x - mean_new)(x - mean_new)^T = scatter - c_k d d^T with d = resp_diff_sum.row(k),
  // c_k = 2 / nk - s / nk^2 (exact for the shifted sums, including sklearn's eps in nk).
  const Eigen::ArrayXd correction =
      2.0 / nk.array() - stats.resp_sum.array() / nk.array().square();

  MixtureParameters<Scalar, Dim> params;
  params.covariance_type = type;
  const Eigen::VectorXd weights =
      normalize_weights ? Eigen::VectorXd(nk / nk.sum()) : Eigen::VectorXd(nk / stats.n_samples);
  params.weights = weights.template cast<Scalar>();

  Eigen::MatrixXd means = stats.reference;
  for (Eigen::Index k = 0; k < K; ++k) means.row(k) += stats.resp_diff_sum.row(k) / nk(k);
  params.means = means.template cast<Scalar>();

  Eigen::MatrixXd covariances;
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
      covariances = Eigen::MatrixXd(covariances.selfadjointView<Eigen::Lower>());  // exactly symmetric
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
  params.covariances = covariances.template cast<Scalar>();
  params.precisions_cholesky =
      compute_precision_cholesky<Scalar, Dim>(params.covariances, type, K, D, where, reg_covar);
  return params;
}

}  // namespace detail
}  // namespace emgmm

#endif  // EMGMM_DETAIL_M_STEP_HPP
