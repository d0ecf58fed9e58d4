#ifndef EMGMM_DETAIL_PARSIMONIOUS_HPP
#define EMGMM_DETAIL_PARSIMONIOUS_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

// The M-step of mclust's fourteen covariance models (model_name.hpp): the components' weighted
// scatter matrices W_k = n_k S_k, as the full M-step computes them, turned into the constrained
// covariances Sigma_k = lambda_k D_k A_k D_k^T that maximize the expected log-likelihood (Celeux
// & Govaert 1995, "Gaussian parsimonious clustering models", Pattern Recognition 28(5)), with
// mclust 6.0's choices where the paper leaves one: the start and stopping rule of the inner
// iterations (VEI, VEE, EVE, VVE, VEV), the order of the eigenvalues (decreasing) and the
// minorization-maximization updates of a common orientation with varying shapes (Browne &
// McNicholas 2014, "Estimating common principal components in high dimensions", ADAC 8). The
// results are stored in the full layout, so the E-step is the full one.

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include <Eigen/Core>

#include "../model_name.hpp"
#include "cholesky.hpp"
#include "symmetric_eigen.hpp"

namespace emgmm {
namespace detail {

// The routines below are templates on the floating type Real (the M-step instantiates them for
// double), so that a translation unit that includes emgmm but fits no mclust model compiles
// none of them, and in compiled mode only the library does (issue 15).
template <typename Real>
using Matrix = Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic>;
template <typename Real>
using Vector = Eigen::Matrix<Real, Eigen::Dynamic, 1>;
template <typename Real>
using RowVector = Eigen::Matrix<Real, 1, Eigen::Dynamic>;

/// Which model, and the inner iterations' stopping rule (mclust's emControl()$tol[2] and
/// $itmax[2]): stop when the relative change is at most inner_tol or after inner_max_iter.
struct Parsimonious {
  ModelName model = ModelName::VVV;
  double inner_tol = 1.4901161193847656e-08;  // sqrt(.Machine$double.eps)
  int inner_max_iter = std::numeric_limits<int>::max();
};

/// The model a GaussianMixture's options ask for, if any.
template <typename Options>
std::optional<Parsimonious> parsimonious_of(const Options& o) {
  if (!o.model_name) return std::nullopt;
  return Parsimonious{*o.model_name, o.inner_tol, o.inner_max_iter};
}

/// What the inner iterations of one M-step leave for the next EM iteration's (mclust carries
/// them over for VEI, VEV, EVE and VVE): the volumes, the shapes (1 x D when equal, K x D when
/// variable, normalized to determinant 1) and the common orientation. Empty: start afresh.
template <typename Real>
struct ParsimoniousState {
  Vector<Real> scale;
  Matrix<Real> shape;
  Matrix<Real> orientation;
};

/// The eigenvalues of a symmetric matrix in decreasing order (LAPACK's SVD order, mclust's) and
/// the eigenvectors in the same order, as columns.
template <typename Real>
struct DecreasingEigen {
  Vector<Real> values;
  Matrix<Real> vectors;
  explicit DecreasingEigen(const Matrix<Real>& symmetric) {
    symmetric_eigen(symmetric, values, vectors);
  }
};

template <typename Derived>
typename Derived::Scalar geometric_mean(const Eigen::ArrayBase<Derived>& values) {
  return std::exp(values.log().mean());
}

/// Relative change as mclust measures it: |new - old| / (1 + |new|).
template <typename Real>
Real relative_change(Real now, Real before) {
  return std::abs(now - before) / (1.0 + std::abs(now));
}

/// Volumes lambda_k = sum_j w_kj / a_j / (D n_k) and a common shape a = sum_k w_k / lambda_k
/// (normalized to product 1), alternated from `scale` and `shape` until the largest relative
/// change of a lambda_k or a_j is small: mclust's inner iterations of VEI (w_k: the diagonal
/// of W_k) and VEV (w_k: its eigenvalues), which differ only in their comparisons (`vei`: go
/// on while change > tol and count <= limit; VEV: while change >= tol and count < limit).
template <typename Real>
void alternate_volumes_and_shape(const Matrix<Real>& w, const Vector<Real>& nk,
                                 const Parsimonious& settings, bool vei, Vector<Real>& scale,
                                 RowVector<Real>& shape) {
  const Real dims = Real(w.cols());
  const long limit = settings.inner_max_iter;
  for (long inner = 1;; ++inner) {
    const Vector<Real> previous_scale = scale;
    const RowVector<Real> previous_shape = shape;
    for (Eigen::Index k = 0; k < w.rows(); ++k) {
      scale(k) = (w.row(k).array() / previous_shape.array()).sum() / (dims * nk(k));
    }
    shape = (w.array().colwise() / scale.array()).colwise().sum();
    shape /= geometric_mean(shape.array());
    Real change = 0.0;
    for (Eigen::Index k = 0; k < w.rows(); ++k) {
      change = std::max(change, relative_change(scale(k), previous_scale(k)));
    }
    for (Eigen::Index j = 0; j < w.cols(); ++j) {
      change = std::max(change, relative_change(shape(j), previous_shape(j)));
    }
    const bool more = vei ? change > settings.inner_tol && inner <= limit
                          : change >= settings.inner_tol && inner < limit;
    if (!more) break;
  }
}

/// Sigma (K*D x D) from the weighted scatter matrices (K*D x D) and the sums n_k of the
/// responsibilities, under `settings.model`; `state` carries the inner iterations' start from one
/// EM iteration to the next. A degenerate scatter gives non-finite or singular covariances,
/// which the precision Cholesky then reports as ill-defined.
template <typename Real>
Matrix<Real> constrained_covariances(const Vector<Real>& nk, const Matrix<Real>& scatter,
                                     const Parsimonious& settings, ParsimoniousState<Real>& state) {
  const Eigen::Index K = nk.size();
  const Eigen::Index D = scatter.cols();
  const Real n = nk.sum();
  const Real dims = Real(D);
  const auto W = [&](Eigen::Index k) { return scatter.middleRows(k * D, D); };
  const long max_inner = settings.inner_max_iter;
  Matrix<Real> sigma = Matrix<Real>::Zero(K * D, D);
  // Exactly symmetric, as the full M-step's (a saved model is checked for symmetry).
  const auto set = [&](Eigen::Index k, const Matrix<Real>& block) {
    sigma.middleRows(k * D, D) = block.template selfadjointView<Eigen::Lower>();
  };
  // lambda * D diag(a) D^T.
  const auto rotated = [&](Real lambda, const Matrix<Real>& orientation, const Vector<Real>& a) {
    const Matrix<Real> half = orientation * (lambda * a).cwiseSqrt().asDiagonal();
    return Matrix<Real>(half * half.transpose());
  };
  Matrix<Real> diagonals(K, D);  // row k: the diagonal of W_k
  for (Eigen::Index k = 0; k < K; ++k) diagonals.row(k) = W(k).diagonal().transpose();

  switch (settings.model) {
    case ModelName::EII: {
      const Real variance = diagonals.sum() / (n * dims);
      for (Eigen::Index k = 0; k < K; ++k) set(k, variance * Matrix<Real>::Identity(D, D));
      break;
    }
    case ModelName::VII:
      for (Eigen::Index k = 0; k < K; ++k) {
        set(k, diagonals.row(k).sum() / (dims * nk(k)) * Matrix<Real>::Identity(D, D));
      }
      break;
    case ModelName::EEI: {
      const Vector<Real> variances = diagonals.colwise().sum().transpose() / n;
      for (Eigen::Index k = 0; k < K; ++k) set(k, variances.asDiagonal());
      break;
    }
    case ModelName::VVI:
      for (Eigen::Index k = 0; k < K; ++k) set(k, (diagonals.row(k) / nk(k)).asDiagonal());
      break;
    case ModelName::EVI: {
      // lambda = sum_k |B_k|^(1/D) / n, A_k = B_k / |B_k|^(1/D) (Celeux & Govaert, model 12).
      Vector<Real> volumes(K);
      for (Eigen::Index k = 0; k < K; ++k) volumes(k) = geometric_mean(diagonals.row(k).array());
      const Real lambda = volumes.sum() / n;
      for (Eigen::Index k = 0; k < K; ++k) {
        set(k, (lambda / volumes(k) * diagonals.row(k)).asDiagonal());
      }
      break;
    }
    case ModelName::VEI: {
      // Alternate lambda_k = tr(W_k A^-1) / (D n_k) and A = sum_k diag(W_k) / lambda_k, |A| = 1,
      // from lambda = A = 1 on the first EM iteration and from the last one's after.
      Vector<Real> scale = state.scale.size() == K ? state.scale : Vector<Real>::Ones(K);
      RowVector<Real> shape =
          state.shape.size() == D ? RowVector<Real>(state.shape) : RowVector<Real>::Ones(D);
      alternate_volumes_and_shape(diagonals, nk, settings, /*vei=*/true, scale, shape);
      for (Eigen::Index k = 0; k < K; ++k) set(k, (scale(k) * shape).asDiagonal());
      state.scale = scale;
      state.shape = shape;
      break;
    }
    case ModelName::EEE: {
      Matrix<Real> pooled = Matrix<Real>::Zero(D, D);
      for (Eigen::Index k = 0; k < K; ++k) pooled += W(k);
      for (Eigen::Index k = 0; k < K; ++k) set(k, pooled / n);
      break;
    }
    case ModelName::VVV:
      for (Eigen::Index k = 0; k < K; ++k) set(k, W(k) / nk(k));
      break;
    case ModelName::EVV: {
      // lambda = sum_k |W_k|^(1/D) / n, C_k = W_k / |W_k|^(1/D).
      Vector<Real> volumes(K);
      for (Eigen::Index k = 0; k < K; ++k) {
        volumes(k) = geometric_mean(DecreasingEigen<Real>(W(k)).values.array());
      }
      const Real lambda = volumes.sum() / n;
      for (Eigen::Index k = 0; k < K; ++k) set(k, lambda / volumes(k) * W(k));
      break;
    }
    case ModelName::EEV: {
      // W_k = L_k Omega_k L_k^T; A = sum_k Omega_k / |.|^(1/D), lambda = |sum_k Omega_k|^(1/D) / n.
      Vector<Real> sum = Vector<Real>::Zero(D);
      for (Eigen::Index k = 0; k < K; ++k) sum += DecreasingEigen<Real>(W(k)).values;
      const Real volume = geometric_mean(sum.array());
      for (Eigen::Index k = 0; k < K; ++k) {
        set(k, rotated(volume / n, DecreasingEigen<Real>(W(k)).vectors, sum / volume));
      }
      break;
    }
    case ModelName::VEV: {
      // Alternate lambda_k = tr(Omega_k A^-1) / (D n_k) and A = sum_k Omega_k / lambda_k, |A| = 1,
      // on the eigenvalues Omega_k of W_k; the first EM iteration starts from the EEV estimate.
      Matrix<Real> omega(K, D);
      for (Eigen::Index k = 0; k < K; ++k)
        omega.row(k) = DecreasingEigen<Real>(W(k)).values.transpose();
      Vector<Real> scale(K);
      RowVector<Real> shape(D);
      if (state.scale.size() == K && state.shape.size() == D) {
        scale = state.scale;
        shape = state.shape;
      } else {
        shape = omega.colwise().sum();
        const Real volume = geometric_mean(shape.array());
        scale = (volume / nk.array()).matrix();
        shape /= volume;
      }
      alternate_volumes_and_shape(omega, nk, settings, /*vei=*/false, scale, shape);
      for (Eigen::Index k = 0; k < K; ++k) {
        set(k, rotated(scale(k), DecreasingEigen<Real>(W(k)).vectors, shape.transpose()));
      }
      state.scale = scale;
      state.shape = shape;
      break;
    }
    case ModelName::VEE: {
      // Alternate C = sum_k W_k / lambda_k, |C| = 1, and lambda_k = tr(W_k C^-1) / (D n_k), from
      // lambda = 1 in every M-step; stop on the relative change of n D + D sum_k n_k log lambda_k.
      Vector<Real> scale = Vector<Real>::Ones(K);
      Matrix<Real> C(D, D);
      Real target_before = std::numeric_limits<Real>::max() / 2;
      for (long inner = 1;; ++inner) {
        C.setZero();
        for (Eigen::Index k = 0; k < K; ++k) C += W(k) / scale(k);
        C /= geometric_mean(DecreasingEigen<Real>(C).values.array());
        // tr(C^-1 W_k) = tr(L^-1 (L^-1 W_k)^T) with C = L L^T (W_k symmetric).
        Matrix<Real> factor = C;
        const bool positive_definite = cholesky_lower_in_place(factor.data(), D);
        for (Eigen::Index k = 0; k < K; ++k) {
          if (!positive_definite) {
            scale(k) = std::numeric_limits<Real>::quiet_NaN();
            continue;
          }
          Matrix<Real> half = W(k);
          solve_lower_in_place(factor.data(), D, half.data(), D, D);
          transpose_in_place(half.data(), D);
          solve_lower_in_place(factor.data(), D, half.data(), D, D);
          scale(k) = half.trace() / (dims * nk(k));
        }
        const Real target = n * dims + dims * (nk.array() * scale.array().log()).sum();
        const Real change = relative_change(target, target_before);
        target_before = target;
        if (!(change > settings.inner_tol && inner < max_inner)) break;
      }
      for (Eigen::Index k = 0; k < K; ++k) set(k, scale(k) * C);
      break;
    }
    case ModelName::EVE:
    case ModelName::VVE: {
      // A common orientation D with shapes A_k by Browne & McNicholas's two MM updates, from
      // D = I and A_k = 1 on the first EM iteration and the last one's after. As in mclust,
      // VVE's updates weigh the W_k by the det-1 shapes alone, not by the volumes: not an exact
      // M-step, and its EM can lower the likelihood (mclust's does too).
      const bool equal_volume = settings.model == ModelName::EVE;
      Matrix<Real> orientation = state.orientation.rows() == D
                                     ? state.orientation
                                     : Matrix<Real>(Matrix<Real>::Identity(D, D));
      Matrix<Real> shape = state.shape.rows() == K && state.shape.cols() == D
                               ? state.shape
                               : Matrix<Real>(Matrix<Real>::Ones(K, D));
      Vector<Real> largest(K);  // the largest eigenvalue of each W_k
      for (Eigen::Index k = 0; k < K; ++k) largest(k) = DecreasingEigen<Real>(W(k)).values(0);
      Vector<Real> scale(K);
      Real target = 0.0;
      Real target_before = std::numeric_limits<Real>::max() / 2;
      for (long inner = 1;; ++inner) {
        Matrix<Real> F = Matrix<Real>::Zero(D, D);
        for (Eigen::Index k = 0; k < K; ++k) {
          const Matrix<Real> scaled =
              shape.row(k).transpose().cwiseInverse().asDiagonal() * orientation.transpose();
          F += scaled * W(k) - largest(k) * scaled;
        }
        orientation = polar_factor(F).transpose();
        F.setZero();
        for (Eigen::Index k = 0; k < K; ++k) {
          const Matrix<Real> rotated_scatter = W(k) * orientation;
          F += rotated_scatter * shape.row(k).transpose().cwiseInverse().asDiagonal() -
               shape.row(k).cwiseInverse().maxCoeff() * rotated_scatter;
        }
        orientation = polar_factor(F);
        target = 0.0;
        for (Eigen::Index k = 0; k < K; ++k) {
          const Vector<Real> spread = (orientation.transpose() * W(k) * orientation).diagonal() /
                                      (equal_volume ? 1.0 : nk(k));
          scale(k) = geometric_mean(spread.array());
          shape.row(k) = spread.transpose() / scale(k);
          target += (orientation.transpose() * W(k) * orientation)
                        .diagonal()
                        .dot(shape.row(k).transpose().cwiseInverse());
        }
        const Real change = relative_change(target, target_before);
        target_before = target;
        if (!(change > settings.inner_tol && inner < max_inner)) break;
      }
      for (Eigen::Index k = 0; k < K; ++k) {
        const Real lambda = equal_volume ? target / (n * dims) : scale(k);
        set(k, rotated(lambda, orientation, shape.row(k).transpose()));
      }
      state.shape = shape;
      state.orientation = orientation;
      break;
    }
  }
  return sigma;
}

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_PARSIMONIOUS_HPP
