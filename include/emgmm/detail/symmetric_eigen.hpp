#ifndef EMGMM_DETAIL_SYMMETRIC_EIGEN_HPP
#define EMGMM_DETAIL_SYMMETRIC_EIGEN_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

// The two small dense decompositions the parsimonious models need, D x D in double, by Jacobi
// rotations in plain loops: the eigen-decomposition of a symmetric matrix (cyclic Jacobi) and
// the orthogonal polar factor U V^T of a square matrix F = U S V^T (one-sided Jacobi, Hestenes).
// Both are as accurate as LAPACK's for the matrices met here (scatter matrices, a few dozen
// features) and cost O(D^3) per sweep, a handful of sweeps. Written here rather than taken from
// <Eigen/Eigenvalues> and <Eigen/SVD> so that every translation unit that fits a GaussianMixture
// does not parse and compile Eigen's decompositions (issue 15). Templates on the floating type
// Real (mclust's models use double), so that their instantiation waits for a caller: a
// translation unit that includes emgmm but fits no mclust model compiles none of it.

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include <Eigen/Core>

#include "small_matrix.hpp"

namespace emgmm {
namespace detail {

/// The rotation (c, s) that zeroes the off-diagonal of the symmetric 2 x 2 [[p, r], [r, q]]
/// when applied as J^T A J with J = [[c, s], [-s, c]] (Golub & Van Loan, sym.schur2).
template <typename Real>
void jacobi_rotation(Real p, Real q, Real r, Real& c, Real& s) {
  const Real tau = (q - p) / (2 * r);
  const Real t =
      tau >= 0 ? 1 / (tau + std::sqrt(1 + tau * tau)) : -1 / (-tau + std::sqrt(1 + tau * tau));
  c = 1 / std::sqrt(1 + t * t);
  s = t * c;
}

/// Columns p and q of `m` replaced by c col_p - s col_q and s col_p + c col_q.
template <typename Real>
void rotate_columns(Matrix<Real>& m, Eigen::Index p, Eigen::Index q, Real c, Real s) {
  Real* EIGEN_RESTRICT column_p = m.data() + p * m.rows();
  Real* EIGEN_RESTRICT column_q = m.data() + q * m.rows();
  for (Eigen::Index k = 0; k < m.rows(); ++k) {
    const Real mp = column_p[k];
    const Real mq = column_q[k];
    column_p[k] = c * mp - s * mq;
    column_q[k] = s * mp + c * mq;
  }
}

/// The eigenvalues of a symmetric matrix (its lower triangle is read) in decreasing order
/// (LAPACK's SVD order, mclust's) and the orthonormal eigenvectors in the same order, as
/// columns. Cyclic Jacobi sweeps until the off-diagonal part is below rounding of the whole.
/// A matrix with a NaN or an infinity gives NaN values and vectors (the caller's covariance
/// check then reports it).
template <typename Real>
void symmetric_eigen(const Matrix<Real>& symmetric, Vector<Real>& values, Matrix<Real>& vectors) {
  const Eigen::Index n = symmetric.rows();
  Matrix<Real> a(n, n);
  bool finite = true;
  for (Eigen::Index j = 0; j < n; ++j) {
    for (Eigen::Index i = 0; i < n; ++i) {
      a(i, j) = i >= j ? symmetric(i, j) : symmetric(j, i);
      finite = finite && std::isfinite(a(i, j));
    }
  }
  if (!finite) {
    values.resize(n);
    vectors.resize(n, n);
    std::fill(values.data(), values.data() + n, std::numeric_limits<Real>::quiet_NaN());
    std::fill(vectors.data(), vectors.data() + n * n, std::numeric_limits<Real>::quiet_NaN());
    return;
  }
  Matrix<Real> v = identity_matrix<Real>(n);
  constexpr Real eps = std::numeric_limits<Real>::epsilon();
  constexpr int kMaxSweeps = 64;  // converges quadratically: ~6-10 sweeps in practice
  for (int sweep = 0; sweep < kMaxSweeps; ++sweep) {
    Real off = 0;
    for (Eigen::Index q = 0; q < n; ++q)
      for (Eigen::Index p = 0; p < q; ++p) off += a(p, q) * a(p, q);
    if (!(off > eps * eps * dot(a.data(), a.data(), n * n))) break;
    for (Eigen::Index q = 1; q < n; ++q) {
      for (Eigen::Index p = 0; p < q; ++p) {
        if (a(p, q) == 0) continue;
        Real c = 1, s = 0;
        jacobi_rotation(a(p, p), a(q, q), a(p, q), c, s);
        rotate_columns(a, p, q, c, s);
        for (Eigen::Index k = 0; k < n; ++k) {  // the same rotation of rows p and q
          const Real ap = a(p, k);
          const Real aq = a(q, k);
          a(p, k) = c * ap - s * aq;
          a(q, k) = s * ap + c * aq;
        }
        a(p, q) = a(q, p) = 0;
        rotate_columns(v, p, q, c, s);
      }
    }
  }
  std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](Eigen::Index i, Eigen::Index j) { return a(i, i) > a(j, j); });
  values.resize(n);
  vectors.resize(n, n);
  for (Eigen::Index j = 0; j < n; ++j) {
    const Eigen::Index from = order[static_cast<std::size_t>(j)];
    values(j) = a(from, from);
    std::copy(v.data() + from * n, v.data() + (from + 1) * n, vectors.data() + j * n);
  }
}

/// The orthogonal polar factor U V^T of a square F = U S V^T: the orthogonal matrix nearest to
/// F. One-sided Jacobi rotations of F's columns until they are orthogonal give F V = U S; a
/// column of zero length (F singular) is completed to an orthonormal basis.
template <typename Real>
Matrix<Real> polar_factor(const Matrix<Real>& F) {
  const Eigen::Index n = F.rows();
  Matrix<Real> a = F;
  Matrix<Real> v = identity_matrix<Real>(n);
  const auto column = [n](Matrix<Real>& m, Eigen::Index j) { return m.data() + j * n; };
  constexpr Real eps = std::numeric_limits<Real>::epsilon();
  constexpr int kMaxSweeps = 64;
  for (int sweep = 0; sweep < kMaxSweeps; ++sweep) {
    bool rotated = false;
    for (Eigen::Index q = 1; q < n; ++q) {
      for (Eigen::Index p = 0; p < q; ++p) {
        const Real alpha = dot(column(a, p), column(a, p), n);
        const Real beta = dot(column(a, q), column(a, q), n);
        const Real gamma = dot(column(a, p), column(a, q), n);
        if (!(std::abs(gamma) > eps * std::sqrt(alpha * beta))) continue;
        rotated = true;
        Real c = 1, s = 0;
        jacobi_rotation(alpha, beta, gamma, c, s);
        rotate_columns(a, p, q, c, s);
        rotate_columns(v, p, q, c, s);
      }
    }
    if (!rotated) break;
  }
  // U's columns: a's, normalized; those of (numerically) zero length completed by
  // Gram-Schmidt from the unit vectors.
  Matrix<Real> u(n, n);
  std::vector<Real> lengths(static_cast<std::size_t>(n));
  Real largest = 0;
  for (Eigen::Index j = 0; j < n; ++j) {
    lengths[static_cast<std::size_t>(j)] = std::sqrt(dot(column(a, j), column(a, j), n));
    largest = std::max(largest, lengths[static_cast<std::size_t>(j)]);
  }
  std::vector<bool> done(static_cast<std::size_t>(n), false);
  for (Eigen::Index j = 0; j < n; ++j) {
    const Real length = lengths[static_cast<std::size_t>(j)];
    if (length > eps * largest * Real(n) && length > 0) {
      for (Eigen::Index i = 0; i < n; ++i) u(i, j) = a(i, j) / length;
      done[static_cast<std::size_t>(j)] = true;
    }
  }
  Eigen::Index unit = 0;
  std::vector<Real> candidate(static_cast<std::size_t>(n));
  for (Eigen::Index j = 0; j < n; ++j) {
    if (done[static_cast<std::size_t>(j)]) continue;
    for (; unit < n; ++unit) {
      std::fill(candidate.begin(), candidate.end(), Real(0));
      candidate[static_cast<std::size_t>(unit)] = 1;
      for (Eigen::Index i = 0; i < n; ++i) {
        if (!done[static_cast<std::size_t>(i)]) continue;
        const Real projection = dot(column(u, i), candidate.data(), n);
        for (Eigen::Index r = 0; r < n; ++r) {
          candidate[static_cast<std::size_t>(r)] -= projection * u(r, i);
        }
      }
      const Real length = std::sqrt(dot(candidate.data(), candidate.data(), n));
      if (length > Real(0.5)) {
        for (Eigen::Index r = 0; r < n; ++r)
          u(r, j) = candidate[static_cast<std::size_t>(r)] / length;
        done[static_cast<std::size_t>(j)] = true;
        ++unit;
        break;
      }
    }
  }
  return product(u, transposed(v));
}

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_SYMMETRIC_EIGEN_HPP
