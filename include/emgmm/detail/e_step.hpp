#ifndef EMGMM_DETAIL_E_STEP_HPP
#define EMGMM_DETAIL_E_STEP_HPP

// The E-step: log N(x | mean_k, cov_k) + log weight_k for a block of points, for each
// covariance type, from the precision Cholesky factors (sklearn's _estimate_log_gaussian_prob).

#include <cmath>
#include <vector>

#include <Eigen/Core>

#include "../covariance_type.hpp"
#include "covariance.hpp"
#include "parameters.hpp"

namespace emgmm {
namespace detail {

/// What the E-step needs from a mixture, prepared once per pass so that evaluating a block
/// does no allocation beyond its work arrays.
template <typename Scalar, int Dim>
class WeightedLogDensity {
 public:
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
  using Means = Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>;
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using Square = Eigen::Matrix<Scalar, Dim, Dim>;
  using Block = Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>;
  using RowPoint = Eigen::Matrix<Scalar, 1, Dim>;

  explicit WeightedLogDensity(const MixtureParameters<Scalar, Dim>& params)
      : type_(params.covariance_type),
        n_components_(params.n_components()),
        n_features_(params.n_features()),
        means_(params.means) {
    const Eigen::Index K = n_components_;
    const Eigen::Index D = n_features_;
    const Vector log_det = log_det_cholesky<Scalar>(params.precisions_cholesky, type_, K, D);
    // Since P P^T is the precision, -1/2 log det(precision) becomes + log det(P).
    const Scalar log_two_pi = static_cast<Scalar>(std::log(2.0 * 3.14159265358979323846));
    log_norm_.resize(K);
    for (Eigen::Index k = 0; k < K; ++k) {
      log_norm_(k) = std::log(params.weights(k)) + log_det(k) - Scalar(0.5) * Scalar(D) * log_two_pi;
    }
    if (type_ == CovarianceType::full || type_ == CovarianceType::tied) {
      const Eigen::Index n_factors = type_ == CovarianceType::full ? K : 1;
      factors_.reserve(static_cast<std::size_t>(n_factors));
      for (Eigen::Index k = 0; k < n_factors; ++k) {
        factors_.emplace_back(params.precisions_cholesky.middleRows(k * D, D));
      }
    } else {
      precisions_ = params.precisions_cholesky.array().square().matrix();
    }
  }

  Eigen::Index n_components() const { return n_components_; }
  Eigen::Index n_features() const { return n_features_; }

  /// L(i, k) = log weight_k + log N(X(i) | component k) for the rows of `points`.
  /// `diff` is caller-owned scratch of the block's size.
  void evaluate(const Block& points, Matrix& L, Block& diff) const {
    const Eigen::Index rows = points.rows();
    L.resize(rows, n_components_);
    for (Eigen::Index k = 0; k < n_components_; ++k) {
      diff.noalias() = points.rowwise() - RowPoint(means_.row(k));
      auto mahalanobis = L.col(k);
      switch (type_) {
        case CovarianceType::full:
        case CovarianceType::tied: {
          const Square& factor = factors_[type_ == CovarianceType::full ? std::size_t(k) : 0];
          mahalanobis = (diff * factor).rowwise().squaredNorm();
          break;
        }
        case CovarianceType::diag:
          mahalanobis.noalias() = diff.array().square().matrix() * precisions_.row(k).transpose();
          break;
        case CovarianceType::spherical:
          mahalanobis = diff.rowwise().squaredNorm() * precisions_(k, 0);
          break;
      }
      L.col(k) = (Scalar(-0.5) * mahalanobis.array() + log_norm_(k)).matrix();
    }
  }

 private:
  CovarianceType type_;
  Eigen::Index n_components_;
  Eigen::Index n_features_;
  Means means_;
  std::vector<Square> factors_;  // full: K factors, tied: one
  Matrix precisions_;            // diag: K x D, spherical: K x 1
  Vector log_norm_;              // log weight + log det(P) - D/2 log(2 pi)
};

}  // namespace detail
}  // namespace emgmm

#endif  // EMGMM_DETAIL_E_STEP_HPP
