#ifndef EMGMM_DETAIL_E_STEP_HPP
#define EMGMM_DETAIL_E_STEP_HPP

// The E-step: log N(x | mean_k, cov_k) + log weight_k for a block of points, for each
// covariance type, from the precision Cholesky factors (sklearn's _estimate_log_gaussian_prob).
//
// Points are first centered on the mixture's mean, so that the products below never subtract
// two large, nearly equal numbers (data offset by 1e9, say). Then:
//   full/tied  (x - mu_k) P_k = (x - c) P_k - (mu_k - c) P_k: one matrix product of the block
//              with all K factors side by side, then a row shift per component;
//   diag       sum_d p_kd (x_d - mu_kd)^2 = (x - c)^2 p_k - 2 (x - c) (p_k o (mu_k - c)) + const:
//              one product of the moments [x - c, (x - c)^2] with a 2D x K matrix, and the
//              M-step reuses the same moments;
//   spherical  the same with one precision per component.

#include <cmath>

#include <Eigen/Core>

#include "../covariance_type.hpp"
#include "covariance.hpp"
#include "parameters.hpp"

namespace emgmm {
namespace detail {

/// The weighted mean of the component means: a reference point inside the data.
template <typename Scalar, int Dim>
Eigen::Matrix<Scalar, 1, Dim> mixture_center(const MixtureParameters<Scalar, Dim>& params) {
  const Eigen::RowVectorXd center =
      params.weights.template cast<double>().transpose() * params.means.template cast<double>() /
      params.weights.template cast<double>().sum();
  return center.template cast<Scalar>();
}

/// Scratch arrays of one thread's pass, reused from block to block.
template <typename Scalar, int Dim>
struct BlockWork {
  Eigen::Matrix<Scalar, Eigen::Dynamic, Dim> centered;  ///< the block minus the center
  Eigen::Matrix<Scalar, Eigen::Dynamic, Dim> diff;      ///< the block minus one mean
  /// full/tied: the block times the factors; diag/spherical: the moments [x - c, (x - c)^2],
  /// which the M-step then reuses.
  Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> product;
};

/// Below this many features a matrix product is written as column operations: the general
/// product's packing costs more than the few multiply-adds per point.
constexpr Eigen::Index kSmallDepth = 4;

/// C = A * B for a tall A with few columns, vectorized along A's columns.
template <typename Lhs, typename Rhs, typename Out>
void multiply_tall(const Lhs& A, const Rhs& B, Out& C) {
  C.resize(A.rows(), B.cols());
  if (A.cols() > kSmallDepth) {
    C.noalias() = A * B;
    return;
  }
  for (Eigen::Index j = 0; j < B.cols(); ++j) {
    C.col(j) = A.col(0) * B(0, j);
    for (Eigen::Index d = 1; d < A.cols(); ++d) C.col(j) += A.col(d) * B(d, j);
  }
}

/// What the E-step needs from a mixture, prepared once per pass so that evaluating a block
/// does no allocation beyond its work arrays.
template <typename Scalar, int Dim>
class WeightedLogDensity {
 public:
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using RowVector = Eigen::Matrix<Scalar, 1, Eigen::Dynamic>;
  using RowPoint = Eigen::Matrix<Scalar, 1, Dim>;
  using Block = Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>;

  explicit WeightedLogDensity(const MixtureParameters<Scalar, Dim>& params)
      : type_(params.covariance_type),
        n_components_(params.n_components()),
        n_features_(params.n_features()),
        center_(mixture_center(params)) {
    const Eigen::Index K = n_components_;
    const Eigen::Index D = n_features_;
    const Vector log_det = log_det_cholesky<Scalar>(params.precisions_cholesky, type_, K, D);
    // Since P P^T is the precision, -1/2 log det(precision) becomes + log det(P).
    const double log_two_pi = std::log(2.0 * 3.14159265358979323846);
    log_norm_.resize(K);
    for (Eigen::Index k = 0; k < K; ++k) {
      log_norm_(k) = static_cast<Scalar>(std::log(double(params.weights(k))) + double(log_det(k)) -
                                         0.5 * double(D) * log_two_pi);
    }
    const Block centered_means = params.means.rowwise() - center_;
    switch (type_) {
      case CovarianceType::full:
      case CovarianceType::tied: {
        const Eigen::Index n_factors = type_ == CovarianceType::full ? K : 1;
        factors_.resize(D, n_factors * D);
        for (Eigen::Index f = 0; f < n_factors; ++f) {
          factors_.middleCols(f * D, D) = params.precisions_cholesky.middleRows(f * D, D);
        }
        shifts_.resize(K, D);
        for (Eigen::Index k = 0; k < K; ++k) {
          const Eigen::Index f = type_ == CovarianceType::full ? k : 0;
          shifts_.row(k).noalias() = centered_means.row(k) * factors_.middleCols(f * D, D);
        }
        break;
      }
      case CovarianceType::diag:
      case CovarianceType::spherical: {
        // One product of the moments [x - c, (x - c)^2] (rows x 2D) with coefficients (2D x K):
        // -2 p_k o (mu_k - c) for the linear part, p_k for the square; the constant
        // sum_d p_kd (mu_kd - c_d)^2 goes into log_norm_.
        Matrix precisions = params.precisions_cholesky.array().square().matrix();
        if (type_ == CovarianceType::spherical) precisions = precisions.col(0).replicate(1, D).eval();
        coefficients_.resize(2 * D, K);
        coefficients_.topRows(D) = (Scalar(-2) * precisions.array() * centered_means.array()).matrix().transpose();
        coefficients_.bottomRows(D) = precisions.transpose();
        log_norm_ -= Scalar(0.5) * (precisions.array() * centered_means.array().square()).rowwise().sum().matrix();
        break;
      }
    }
  }

  Eigen::Index n_components() const { return n_components_; }
  Eigen::Index n_features() const { return n_features_; }
  const RowPoint& center() const { return center_; }

  /// L(i, k) = log weight_k + log N(points(i) | component k).
  void evaluate(const Block& points, Matrix& L, BlockWork<Scalar, Dim>& work) const {
    const Eigen::Index rows = points.rows();
    const Eigen::Index K = n_components_;
    const Eigen::Index D = n_features_;
    L.resize(rows, K);
    work.centered.noalias() = points.rowwise() - center_;
    switch (type_) {
      case CovarianceType::full:
      case CovarianceType::tied: {
        multiply_tall(work.centered, factors_, work.product);
        for (Eigen::Index k = 0; k < K; ++k) {
          const Eigen::Index f = type_ == CovarianceType::full ? k : 0;
          L.col(k) = (work.product.middleCols(f * D, D).rowwise() - shifts_.row(k)).rowwise().squaredNorm();
        }
        break;
      }
      case CovarianceType::diag:
      case CovarianceType::spherical:
        work.product.resize(rows, 2 * D);
        work.product.leftCols(D) = work.centered;
        work.product.rightCols(D) = work.centered.array().square();
        multiply_tall(work.product, coefficients_, L);
        break;
    }
    L = (Scalar(-0.5) * L).rowwise() + log_norm_.transpose();
  }

 private:
  CovarianceType type_;
  Eigen::Index n_components_;
  Eigen::Index n_features_;
  RowPoint center_;
  Matrix factors_;       // full/tied: D x (K*D) (tied: D x D), the factors side by side
  Matrix shifts_;        // full/tied: K x D, row k = (mu_k - c) P_k
  Matrix coefficients_;  // diag/spherical: 2D x K
  Vector log_norm_;    // log weight + log det(P) - D/2 log(2 pi) (- 1/2 the constant term)
};

}  // namespace detail
}  // namespace emgmm

#endif  // EMGMM_DETAIL_E_STEP_HPP
