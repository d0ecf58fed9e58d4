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
void rotate_columns(Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic>& m, Eigen::Index p,
                    Eigen::Index q, Real c, Real s) {
  for (Eigen::Index k = 0; k < m.rows(); ++k) {
    const Real mp = m(k, p);
    const Real mq = m(k, q);
    m(k, p) = c * mp - s * mq;
    m(k, q) = s * mp + c * mq;
  }
}

/// The eigenvalues of a symmetric matrix (its lower triangle is read) in decreasing order
/// (LAPACK's SVD order, mclust's) and the orthonormal eigenvectors in the same order, as
/// columns. Cyclic Jacobi sweeps until the off-diagonal part is below rounding of the whole.
/// A matrix with a NaN or an infinity gives NaN values and vectors (the caller's covariance
/// check then reports it).
template <typename Real>
void symmetric_eigen(const Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic>& symmetric,
                     Eigen::Matrix<Real, Eigen::Dynamic, 1>& values,
                     Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic>& vectors) {
  using Matrix = Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic>;
  const Eigen::Index n = symmetric.rows();
  Matrix a = symmetric.template selfadjointView<Eigen::Lower>();
  if (!a.allFinite()) {
    values.setConstant(n, std::numeric_limits<Real>::quiet_NaN());
    vectors.setConstant(n, n, std::numeric_limits<Real>::quiet_NaN());
    return;
  }
  Matrix v = Matrix::Identity(n, n);
  constexpr Real eps = std::numeric_limits<Real>::epsilon();
  constexpr int kMaxSweeps = 64;  // converges quadratically: ~6-10 sweeps in practice
  for (int sweep = 0; sweep < kMaxSweeps; ++sweep) {
    Real off = 0;
    for (Eigen::Index q = 0; q < n; ++q)
      for (Eigen::Index p = 0; p < q; ++p) off += a(p, q) * a(p, q);
    if (!(off > eps * eps * a.squaredNorm())) break;
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
    vectors.col(j) = v.col(from);
  }
}

/// The orthogonal polar factor U V^T of a square F = U S V^T: the orthogonal matrix nearest to
/// F. One-sided Jacobi rotations of F's columns until they are orthogonal give F V = U S; a
/// column of zero length (F singular) is completed to an orthonormal basis.
template <typename Real>
Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic> polar_factor(
    const Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic>& F) {
  using Matrix = Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic>;
  using Vector = Eigen::Matrix<Real, Eigen::Dynamic, 1>;
  const Eigen::Index n = F.rows();
  Matrix a = F;
  Matrix v = Matrix::Identity(n, n);
  constexpr Real eps = std::numeric_limits<Real>::epsilon();
  constexpr int kMaxSweeps = 64;
  for (int sweep = 0; sweep < kMaxSweeps; ++sweep) {
    bool rotated = false;
    for (Eigen::Index q = 1; q < n; ++q) {
      for (Eigen::Index p = 0; p < q; ++p) {
        const Real alpha = a.col(p).squaredNorm();
        const Real beta = a.col(q).squaredNorm();
        const Real gamma = a.col(p).dot(a.col(q));
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
  Matrix u(n, n);
  const Real largest = n > 0 ? a.colwise().norm().maxCoeff() : Real(0);
  std::vector<bool> done(static_cast<std::size_t>(n), false);
  for (Eigen::Index j = 0; j < n; ++j) {
    const Real length = a.col(j).norm();
    if (length > eps * largest * Real(n) && length > 0) {
      u.col(j) = a.col(j) / length;
      done[static_cast<std::size_t>(j)] = true;
    }
  }
  Eigen::Index unit = 0;
  for (Eigen::Index j = 0; j < n; ++j) {
    if (done[static_cast<std::size_t>(j)]) continue;
    for (; unit < n; ++unit) {
      Vector candidate = Vector::Unit(n, unit);
      for (Eigen::Index i = 0; i < n; ++i) {
        if (done[static_cast<std::size_t>(i)]) candidate -= u.col(i).dot(candidate) * u.col(i);
      }
      if (candidate.norm() > Real(0.5)) {
        u.col(j) = candidate.normalized();
        done[static_cast<std::size_t>(j)] = true;
        ++unit;
        break;
      }
    }
  }
  return u * v.transpose();
}

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_SYMMETRIC_EIGEN_HPP
