#ifndef EMGMM_DETAIL_CHOLESKY_HPP
#define EMGMM_DETAIL_CHOLESKY_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

// Cholesky factors, triangular inverses and triangular products of one small D x D matrix, on
// plain loops over column-major storage. The models need them once per component per
// iteration (O(K D^3), next to the passes' O(N K D^2)), so their speed does not matter, but
// their compile cost does: Eigen's LLT and triangular solves instantiate the blocked
// level-3 machinery (a few thousand functions) in every file that fits a model. These are
// templated on the Scalar only.

#include <algorithm>
#include <cmath>
#include <utility>

#include <Eigen/Core>

namespace emgmm {
namespace detail {

/// Replaces the lower triangle of the n x n column-major matrix `a` by its Cholesky factor L
/// (A = L L^T, reading only A's lower triangle) and zeroes the strict upper triangle. Returns
/// false, leaving `a` partly overwritten, when a pivot is not positive (or not a number): A is
/// not numerically positive definite.
template <typename Scalar>
bool cholesky_lower_in_place(Scalar* a, Eigen::Index n) {
  // Left-looking: column j is updated by every finished column k < j (an axpy down the
  // contiguous column), then scaled by its pivot.
  for (Eigen::Index j = 0; j < n; ++j) {
    Scalar* column = a + j * n;
    for (Eigen::Index k = 0; k < j; ++k) {
      const Scalar* finished = a + k * n;
      const Scalar l_jk = finished[j];
      for (Eigen::Index i = j; i < n; ++i) column[i] -= l_jk * finished[i];
    }
    if (!(column[j] > Scalar(0))) return false;
    const Scalar pivot = std::sqrt(column[j]);
    column[j] = pivot;
    for (Eigen::Index i = j + 1; i < n; ++i) column[i] /= pivot;
    for (Eigen::Index i = 0; i < j; ++i) column[i] = Scalar(0);
  }
  return true;
}

/// Solves L X = B in place for a lower-triangular n x n column-major L (nonzero diagonal) and
/// the n x n_rhs column-major B (leading dimension ldb): B becomes L^{-1} B.
template <typename Scalar>
void solve_lower_in_place(const Scalar* l, Eigen::Index n, Scalar* b, Eigen::Index n_rhs,
                          Eigen::Index ldb) {
  for (Eigen::Index c = 0; c < n_rhs; ++c) {
    Scalar* x = b + c * ldb;
    for (Eigen::Index k = 0; k < n; ++k) {
      const Scalar* l_k = l + k * n;
      x[k] /= l_k[k];
      const Scalar x_k = x[k];
      for (Eigen::Index i = k + 1; i < n; ++i) x[i] -= l_k[i] * x_k;
    }
  }
}

/// Replaces the lower-triangular n x n column-major L (nonzero diagonal) by its inverse, also
/// lower triangular: L X = I solved by forward substitution (above the diagonal the solve
/// leaves the identity's zeros).
template <typename Scalar>
void invert_lower_in_place(Scalar* l, Eigen::Index n) {
  Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> inverse(n, n);
  inverse.setIdentity();
  solve_lower_in_place(l, n, inverse.data(), n, n);
  std::copy(inverse.data(), inverse.data() + n * n, l);
}

/// Transposes the n x n column-major matrix in place.
template <typename Scalar>
void transpose_in_place(Scalar* a, Eigen::Index n) {
  for (Eigen::Index j = 0; j < n; ++j) {
    for (Eigen::Index i = j + 1; i < n; ++i) std::swap(a[i + j * n], a[j + i * n]);
  }
}

/// out = T T^T for an n x n column-major T (any shape), computed in the lower triangle and
/// mirrored, so that the result is exactly symmetric. `out` must not alias `t`.
template <typename Scalar>
void multiply_by_own_transpose(const Scalar* t, Eigen::Index n, Scalar* out) {
  for (Eigen::Index j = 0; j < n; ++j) {
    for (Eigen::Index i = j; i < n; ++i) out[i + j * n] = Scalar(0);
  }
  // out(i, j) += T(i, k) T(j, k), column k of T at a time (contiguous).
  for (Eigen::Index k = 0; k < n; ++k) {
    const Scalar* t_k = t + k * n;
    for (Eigen::Index j = 0; j < n; ++j) {
      const Scalar t_jk = t_k[j];
      if (t_jk == Scalar(0)) continue;
      for (Eigen::Index i = j; i < n; ++i) out[i + j * n] += t_k[i] * t_jk;
    }
  }
  for (Eigen::Index j = 0; j < n; ++j) {
    for (Eigen::Index i = j + 1; i < n; ++i) out[j + i * n] = out[i + j * n];
  }
}

/// Whether the n x n column-major matrix is zero above (upper = false) or below (upper =
/// true) its diagonal.
template <typename Scalar>
bool is_triangular(const Scalar* a, Eigen::Index n, bool upper) {
  for (Eigen::Index j = 0; j < n; ++j) {
    for (Eigen::Index i = 0; i < n; ++i) {
      const bool outside = upper ? i > j : i < j;
      if (outside && a[i + j * n] != Scalar(0)) return false;
    }
  }
  return true;
}

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_CHOLESKY_HPP
