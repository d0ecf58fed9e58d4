#ifndef EMGMM_DETAIL_SMALL_MATRIX_HPP
#define EMGMM_DETAIL_SMALL_MATRIX_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

// Products, transposes and sums of the small dense matrices (D x D, K x D) of mclust's M-step
// and of the Jacobi routines, on plain loops over column-major storage: the Eigen matrices only
// hold the numbers. Each Eigen expression (A * B^T, diag * A^T * B, a block of rows times a
// matrix, colwise().sum(), ...) instantiates its own evaluators and GEMM plumbing in every file
// that fits a model, where these loops compile once per Real (issue 15: a third of the fit's
// compile time was these few hundred lines). They cost O(D^3) per call, beside the passes'
// O(N K D^2), and the compiler vectorizes their inner loops (contiguous, not aliased).

#include <algorithm>
#include <cmath>

#include <Eigen/Core>

namespace emgmm {
namespace detail {

template <typename Real>
using Matrix = Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic>;
template <typename Real>
using Vector = Eigen::Matrix<Real, Eigen::Dynamic, 1>;

/// A rows x cols matrix of zeros.
template <typename Real>
Matrix<Real> zero_matrix(Eigen::Index rows, Eigen::Index cols) {
  Matrix<Real> m(rows, cols);
  std::fill(m.data(), m.data() + m.size(), Real(0));
  return m;
}

/// The n x n identity.
template <typename Real>
Matrix<Real> identity_matrix(Eigen::Index n) {
  Matrix<Real> m = zero_matrix<Real>(n, n);
  for (Eigen::Index i = 0; i < n; ++i) m(i, i) = Real(1);
  return m;
}

/// A^T.
template <typename Real>
Matrix<Real> transposed(const Matrix<Real>& a) {
  Matrix<Real> t(a.cols(), a.rows());
  for (Eigen::Index j = 0; j < a.cols(); ++j) {
    for (Eigen::Index i = 0; i < a.rows(); ++i) t(j, i) = a(i, j);
  }
  return t;
}

/// A B: each column of the product accumulated as a sum of A's columns (axpy down contiguous
/// columns, the loop the compiler vectorizes).
template <typename Real>
Matrix<Real> product(const Matrix<Real>& a, const Matrix<Real>& b) {
  const Eigen::Index m = a.rows();
  Matrix<Real> c = zero_matrix<Real>(m, b.cols());
  for (Eigen::Index j = 0; j < b.cols(); ++j) {
    Real* EIGEN_RESTRICT column = c.data() + j * m;
    for (Eigen::Index l = 0; l < a.cols(); ++l) {
      const Real* EIGEN_RESTRICT a_l = a.data() + l * m;
      const Real b_lj = b(l, j);
      for (Eigen::Index i = 0; i < m; ++i) column[i] += a_l[i] * b_lj;
    }
  }
  return c;
}

/// The dot product of n values at x and y.
template <typename Real>
Real dot(const Real* x, const Real* y, Eigen::Index n) {
  Real sum = 0;
  for (Eigen::Index i = 0; i < n; ++i) sum += x[i] * y[i];
  return sum;
}

/// to[i] += from[i] for n values: the elementwise sum of statistics (SufficientStatistics,
/// lloyd.hpp's ClusterSums), without an Eigen expression in every file that includes emgmm.
template <typename T>
void add_to(T* to, const T* from, Eigen::Index n) {
  for (Eigen::Index i = 0; i < n; ++i) to[i] += from[i];
}

/// The sum of n values `stride` apart.
template <typename Real>
Real strided_sum(const Real* values, Eigen::Index n, Eigen::Index stride = 1) {
  Real sum = 0;
  for (Eigen::Index i = 0; i < n; ++i) sum += values[i * stride];
  return sum;
}

/// exp(mean(log(v))) of n values `stride` apart: the volume of a shape or of eigenvalues.
template <typename Real>
Real geometric_mean(const Real* values, Eigen::Index n, Eigen::Index stride = 1) {
  Real sum = 0;
  for (Eigen::Index i = 0; i < n; ++i) sum += std::log(values[i * stride]);
  return std::exp(sum / Real(n));
}

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_SMALL_MATRIX_HPP
