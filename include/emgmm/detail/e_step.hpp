#ifndef EMGMM_DETAIL_E_STEP_HPP
#define EMGMM_DETAIL_E_STEP_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

// The E-step: log N(x | mean_k, cov_k) + log weight_k for a block of points, for each
// covariance type, from the precision Cholesky factors (sklearn's _estimate_log_gaussian_prob).
//
// Every component's quadratic form is taken on x - mu_k itself, never expanded around another
// point, so the accuracy does not depend on how far the components are from each other or from
// the origin (data offset by 1e9, clusters 1000 standard deviations apart):
//   full/tied  |(x - mu_k) P_k|^2, on the factor's upper triangle, swept along the points
//              (triangular_quadratic.hpp); a product of the block with the component's factor
//              for many features, or when a factor is not upper triangular (the lower ones
//              of a precisions_init, scikit-learn's cholesky(lower=True), before the first
//              M-step);
//   diag       sum_d p_kd (x_d - mu_kd)^2, swept along the points four components at a time
//              (diagonal_quadratic.hpp);
//   spherical  the same with p_kd = p_k.

#include <cmath>
#include <limits>

#include <Eigen/Core>

#include "../covariance_type.hpp"
#include "covariance.hpp"
#include "diagonal_quadratic.hpp"
#include "parameters.hpp"
#include "row_source.hpp"
#include "triangular_quadratic.hpp"

namespace emgmm {
namespace detail {

/// Scratch arrays of one thread's pass, reused from block to block. `product` also holds the
/// M-step's weighted differences (weighted_scatter in accumulate.hpp).
template <typename Scalar, int Dim>
struct BlockWork {
  Eigen::Matrix<Scalar, Eigen::Dynamic, Dim> diff;                ///< the block minus one mean
  Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> product;  ///< diff times a factor
};

/// Below this many features a matrix product is written as column operations: the general
/// product's packing costs more than the few multiply-adds per point.
constexpr Eigen::Index kSmallDepth = 4;

/// Up to this many features the full and tied forms are swept on the factor's triangle
/// (triangular_quadratic), half the multiply-adds of a product and no packing; beyond, the
/// general product's cache blocking wins.
constexpr Eigen::Index kTriangularMaxDepth = 64;

/// Whether every D x D factor side by side in `factors` is upper triangular (exact zeros
/// below the diagonal), as the M-step's always are.
template <typename Matrix>
bool upper_triangular_factors(const Matrix& factors, Eigen::Index D) {
  for (Eigen::Index j = 0; j < factors.cols(); ++j) {
    for (Eigen::Index i = j % D + 1; i < D; ++i) {
      if (factors(i, j) != 0) return false;
    }
  }
  return true;
}

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
  using RowPoint = Eigen::Matrix<Scalar, 1, Dim>;
  using Block = Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>;

  explicit WeightedLogDensity(const MixtureParameters<Scalar, Dim>& params)
      : type_(params.covariance_type),
        n_components_(params.n_components()),
        n_features_(params.n_features()),
        means_(params.means) {
    const Eigen::Index K = n_components_;
    const Eigen::Index D = n_features_;
    const Vector log_det = log_det_cholesky<Scalar>(params.precisions_cholesky, type_, K, D);
    // Since P P^T is the precision, -1/2 log det(precision) becomes + log det(P).
    const double log_two_pi = std::log(2.0 * 3.14159265358979323846);
    log_norm_.resize(K);
    for (Eigen::Index k = 0; k < K; ++k) {
      const double log_weight = params.log_weights.size() == K
                                    ? params.log_weights(k)
                                    : std::log(double(params.weights(k)));
      log_norm_(k) =
          static_cast<Scalar>(log_weight + double(log_det(k)) - 0.5 * double(D) * log_two_pi);
    }
    if (type_ == CovarianceType::full || type_ == CovarianceType::tied) {
      const Eigen::Index n_factors = type_ == CovarianceType::full ? K : 1;
      factors_.resize(D, n_factors * D);
      for (Eigen::Index f = 0; f < n_factors; ++f) {
        factors_.middleCols(f * D, D) = params.precisions_cholesky.middleRows(f * D, D);
      }
      triangular_ = D <= kTriangularMaxDepth && upper_triangular_factors(factors_, D);
    } else {
      // D x K, one component per column so its precisions and mean are contiguous.
      precisions_ = params.precisions_cholesky.array().square().matrix().transpose();
      if (type_ == CovarianceType::spherical)
        precisions_ = precisions_.row(0).replicate(D, 1).eval();
    }
    means_t_ = params.means.transpose();
  }

  Eigen::Index n_components() const { return n_components_; }
  Eigen::Index n_features() const { return n_features_; }

  /// L(i, k) = log weight_k + log N(points(i) | component k).
  void evaluate(const BlockView<Scalar, Dim>& points, Matrix& L,
                BlockWork<Scalar, Dim>& work) const {
    const Eigen::Index rows = points.rows();
    const Eigen::Index K = n_components_;
    const Eigen::Index D = n_features_;
    L.resize(rows, K);
    const Scalar infinity = std::numeric_limits<Scalar>::infinity();
    if (type_ == CovarianceType::diag || type_ == CovarianceType::spherical) {
      diagonal_quadratic(points.data(), points.outerStride(), rows, D, means_t_.data(),
                         precisions_.data(), K, L.data(), rows, log_norm_.data(), Scalar(-0.5));
      return;
    }
    if (triangular_) {
      triangular_quadratic(points.data(), points.outerStride(), rows, D, means_t_.data(),
                           factors_.data(), type_ == CovarianceType::tied, K, L.data(), rows);
    } else {
      for (Eigen::Index k = 0; k < K; ++k) {
        work.diff.noalias() = points.rowwise() - RowPoint(means_.row(k));
        const Eigen::Index f = type_ == CovarianceType::full ? k : 0;
        multiply_tall(work.diff, factors_.middleCols(f * D, D), work.product);
        L.col(k) = work.product.rowwise().squaredNorm();
      }
    }
    // On finite points and parameters a NaN here is an overflow: x - mu beyond the largest
    // Scalar became inf, and inf times a zero of the factor (or inf - inf in a column's sum)
    // NaN. The true form is then at least |x - mu|^2 / (largest covariance eigenvalue), itself
    // beyond the largest Scalar.
    L = (L.array() == L.array()).select(L, infinity);
    L = (Scalar(-0.5) * L).rowwise() + log_norm_.transpose();
  }

 private:
  CovarianceType type_;
  Eigen::Index n_components_;
  Eigen::Index n_features_;
  Block means_;
  Matrix factors_;           // full/tied: D x (K*D) (tied: D x D), the factors side by side
  bool triangular_ = false;  // full/tied: the forms by triangular_quadratic
  Matrix precisions_;        // diag/spherical: D x K (spherical: each column one value repeated)
  Matrix means_t_;           // D x K, the means transposed
  Vector log_norm_;          // log weight + log det(P) - D/2 log(2 pi)
};

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_E_STEP_HPP
