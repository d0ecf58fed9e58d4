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
#include <vector>

#include <Eigen/Core>

#include "../model_name.hpp"
#include "cholesky.hpp"
#include "small_matrix.hpp"
#include "symmetric_eigen.hpp"

namespace emgmm {
namespace detail {

// The routines below are templates on the floating type Real (the M-step instantiates them for
// double), so that a translation unit that includes emgmm but fits no mclust model compiles
// none of them, and in compiled mode only the library does. They work on plain loops
// (small_matrix.hpp), not Eigen expressions, for the same reason (issue 15).

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

/// Relative change as mclust measures it: |new - old| / (1 + |new|).
template <typename Real>
Real relative_change(Real now, Real before) {
  return std::abs(now - before) / (1.0 + std::abs(now));
}

/// Volumes lambda_k = sum_j w_kj / a_j / (D n_k) and a common shape a = sum_k w_k / lambda_k
/// (normalized to product 1), alternated from `scale` and `shape` (D values) until the largest
/// relative change of a lambda_k or a_j is small: mclust's inner iterations of VEI (w_k: the
/// diagonal of W_k) and VEV (w_k: its eigenvalues), which differ only in their comparisons
/// (`vei`: go on while change > tol and count <= limit; VEV: while change >= tol and count <
/// limit). `w` is K x D.
template <typename Real>
void alternate_volumes_and_shape(const Matrix<Real>& w, const Vector<Real>& nk,
                                 const Parsimonious& settings, bool vei, Vector<Real>& scale,
                                 Vector<Real>& shape) {
  const Eigen::Index K = w.rows();
  const Eigen::Index D = w.cols();
  const Real dims = Real(D);
  const long limit = settings.inner_max_iter;
  for (long inner = 1;; ++inner) {
    const Vector<Real> previous_scale = scale;
    const Vector<Real> previous_shape = shape;
    for (Eigen::Index k = 0; k < K; ++k) {
      Real sum = 0;
      for (Eigen::Index j = 0; j < D; ++j) sum += w(k, j) / previous_shape(j);
      scale(k) = sum / (dims * nk(k));
    }
    for (Eigen::Index j = 0; j < D; ++j) {
      Real sum = 0;
      for (Eigen::Index k = 0; k < K; ++k) sum += w(k, j) / scale(k);
      shape(j) = sum;
    }
    const Real volume = geometric_mean(shape.data(), D);
    for (Eigen::Index j = 0; j < D; ++j) shape(j) /= volume;
    Real change = 0.0;
    for (Eigen::Index k = 0; k < K; ++k) {
      change = std::max(change, relative_change(scale(k), previous_scale(k)));
    }
    for (Eigen::Index j = 0; j < D; ++j) {
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
  const Real n = strided_sum(nk.data(), K);
  const Real dims = Real(D);
  const long max_inner = settings.inner_max_iter;
  std::vector<Matrix<Real>> W(static_cast<std::size_t>(K));  // W[k] = W_k, D x D
  for (Eigen::Index k = 0; k < K; ++k) {
    Matrix<Real>& w = W[static_cast<std::size_t>(k)];
    w.resize(D, D);
    for (Eigen::Index j = 0; j < D; ++j) {
      for (Eigen::Index i = 0; i < D; ++i) w(i, j) = scatter(k * D + i, j);
    }
  }
  const auto scatter_of = [&](Eigen::Index k) -> const Matrix<Real>& {
    return W[static_cast<std::size_t>(k)];
  };
  Matrix<Real> diagonals(K, D);  // row k: the diagonal of W_k
  for (Eigen::Index k = 0; k < K; ++k) {
    for (Eigen::Index j = 0; j < D; ++j) diagonals(k, j) = scatter_of(k)(j, j);
  }
  const auto eigen_of_scatters = [&] {
    std::vector<DecreasingEigen<Real>> eigen;
    eigen.reserve(static_cast<std::size_t>(K));
    for (Eigen::Index k = 0; k < K; ++k) eigen.emplace_back(scatter_of(k));
    return eigen;
  };

  Matrix<Real> sigma = zero_matrix<Real>(K * D, D);
  // Sigma_k = `factor` times the lower triangle of `block`, made exactly symmetric as the full
  // M-step's (a saved model is checked for symmetry).
  const auto set = [&](Eigen::Index k, Real factor, const Matrix<Real>& block) {
    for (Eigen::Index j = 0; j < D; ++j) {
      for (Eigen::Index i = 0; i < D; ++i) {
        sigma(k * D + i, j) = factor * (i >= j ? block(i, j) : block(j, i));
      }
    }
  };
  // Sigma_k = diag(values[0], values[stride], ...) times `factor`.
  const auto set_diagonal = [&](Eigen::Index k, Real factor, const Real* values,
                                Eigen::Index stride) {
    for (Eigen::Index j = 0; j < D; ++j) sigma(k * D + j, j) = factor * values[j * stride];
  };
  // Sigma_k = lambda * O diag(a) O^T, with `a` D values `stride` apart.
  const auto set_rotated = [&](Eigen::Index k, Real lambda, const Matrix<Real>& orientation,
                               const Real* a, Eigen::Index stride) {
    Matrix<Real> half(D, D);  // O diag(sqrt(lambda a))
    for (Eigen::Index j = 0; j < D; ++j) {
      const Real root = std::sqrt(lambda * a[j * stride]);
      for (Eigen::Index i = 0; i < D; ++i) half(i, j) = orientation(i, j) * root;
    }
    Matrix<Real> covariance(D, D);
    multiply_by_own_transpose(half.data(), D, covariance.data());
    set(k, Real(1), covariance);
  };

  switch (settings.model) {
    case ModelName::EII: {
      const Real variance = strided_sum(diagonals.data(), K * D) / (n * dims);
      for (Eigen::Index k = 0; k < K; ++k) set_diagonal(k, Real(1), &variance, 0);
      break;
    }
    case ModelName::VII:
      for (Eigen::Index k = 0; k < K; ++k) {
        const Real variance = strided_sum(&diagonals(k, 0), D, K) / (dims * nk(k));
        set_diagonal(k, Real(1), &variance, 0);
      }
      break;
    case ModelName::EEI: {
      Vector<Real> variances(D);
      for (Eigen::Index j = 0; j < D; ++j) variances(j) = strided_sum(&diagonals(0, j), K) / n;
      for (Eigen::Index k = 0; k < K; ++k) set_diagonal(k, Real(1), variances.data(), 1);
      break;
    }
    case ModelName::VVI:
      for (Eigen::Index k = 0; k < K; ++k) {
        for (Eigen::Index j = 0; j < D; ++j) sigma(k * D + j, j) = diagonals(k, j) / nk(k);
      }
      break;
    case ModelName::EVI: {
      // lambda = sum_k |B_k|^(1/D) / n, A_k = B_k / |B_k|^(1/D) (Celeux & Govaert, model 12).
      Vector<Real> volumes(K);
      for (Eigen::Index k = 0; k < K; ++k) volumes(k) = geometric_mean(&diagonals(k, 0), D, K);
      const Real lambda = strided_sum(volumes.data(), K) / n;
      for (Eigen::Index k = 0; k < K; ++k) {
        set_diagonal(k, lambda / volumes(k), &diagonals(k, 0), K);
      }
      break;
    }
    case ModelName::VEI: {
      // Alternate lambda_k = tr(W_k A^-1) / (D n_k) and A = sum_k diag(W_k) / lambda_k, |A| = 1,
      // from lambda = A = 1 on the first EM iteration and from the last one's after.
      Vector<Real> scale = state.scale.size() == K ? state.scale : Vector<Real>::Ones(K);
      Vector<Real> shape = Vector<Real>::Ones(D);
      if (state.shape.size() == D)
        std::copy(state.shape.data(), state.shape.data() + D, shape.data());
      alternate_volumes_and_shape(diagonals, nk, settings, /*vei=*/true, scale, shape);
      for (Eigen::Index k = 0; k < K; ++k) set_diagonal(k, scale(k), shape.data(), 1);
      state.scale = scale;
      state.shape.resize(1, D);
      std::copy(shape.data(), shape.data() + D, state.shape.data());
      break;
    }
    case ModelName::EEE: {
      Matrix<Real> pooled = zero_matrix<Real>(D, D);
      for (Eigen::Index k = 0; k < K; ++k) {
        for (Eigen::Index i = 0; i < D * D; ++i) pooled.data()[i] += scatter_of(k).data()[i];
      }
      for (Eigen::Index i = 0; i < D * D; ++i) pooled.data()[i] /= n;
      for (Eigen::Index k = 0; k < K; ++k) set(k, Real(1), pooled);
      break;
    }
    case ModelName::VVV:
      for (Eigen::Index k = 0; k < K; ++k) {
        Matrix<Real> covariance = scatter_of(k);
        for (Eigen::Index i = 0; i < D * D; ++i) covariance.data()[i] /= nk(k);
        set(k, Real(1), covariance);
      }
      break;
    case ModelName::EVV: {
      // lambda = sum_k |W_k|^(1/D) / n, C_k = W_k / |W_k|^(1/D).
      Vector<Real> volumes(K);
      for (Eigen::Index k = 0; k < K; ++k) {
        volumes(k) = geometric_mean(DecreasingEigen<Real>(scatter_of(k)).values.data(), D);
      }
      const Real lambda = strided_sum(volumes.data(), K) / n;
      for (Eigen::Index k = 0; k < K; ++k) set(k, lambda / volumes(k), scatter_of(k));
      break;
    }
    case ModelName::EEV: {
      // W_k = L_k Omega_k L_k^T; A = sum_k Omega_k / |.|^(1/D), lambda = |sum_k Omega_k|^(1/D) / n.
      const std::vector<DecreasingEigen<Real>> eigen = eigen_of_scatters();
      Vector<Real> sum = Vector<Real>::Zero(D);
      for (const DecreasingEigen<Real>& e : eigen) {
        for (Eigen::Index j = 0; j < D; ++j) sum(j) += e.values(j);
      }
      const Real volume = geometric_mean(sum.data(), D);
      for (Eigen::Index j = 0; j < D; ++j) sum(j) /= volume;
      for (Eigen::Index k = 0; k < K; ++k) {
        set_rotated(k, volume / n, eigen[static_cast<std::size_t>(k)].vectors, sum.data(), 1);
      }
      break;
    }
    case ModelName::VEV: {
      // Alternate lambda_k = tr(Omega_k A^-1) / (D n_k) and A = sum_k Omega_k / lambda_k, |A| = 1,
      // on the eigenvalues Omega_k of W_k; the first EM iteration starts from the EEV estimate.
      const std::vector<DecreasingEigen<Real>> eigen = eigen_of_scatters();
      Matrix<Real> omega(K, D);
      for (Eigen::Index k = 0; k < K; ++k) {
        for (Eigen::Index j = 0; j < D; ++j)
          omega(k, j) = eigen[static_cast<std::size_t>(k)].values(j);
      }
      Vector<Real> scale(K);
      Vector<Real> shape(D);
      if (state.scale.size() == K && state.shape.size() == D) {
        scale = state.scale;
        std::copy(state.shape.data(), state.shape.data() + D, shape.data());
      } else {
        for (Eigen::Index j = 0; j < D; ++j) shape(j) = strided_sum(&omega(0, j), K);
        const Real volume = geometric_mean(shape.data(), D);
        for (Eigen::Index k = 0; k < K; ++k) scale(k) = volume / nk(k);
        for (Eigen::Index j = 0; j < D; ++j) shape(j) /= volume;
      }
      alternate_volumes_and_shape(omega, nk, settings, /*vei=*/false, scale, shape);
      for (Eigen::Index k = 0; k < K; ++k) {
        set_rotated(k, scale(k), eigen[static_cast<std::size_t>(k)].vectors, shape.data(), 1);
      }
      state.scale = scale;
      state.shape.resize(1, D);
      std::copy(shape.data(), shape.data() + D, state.shape.data());
      break;
    }
    case ModelName::VEE: {
      // Alternate C = sum_k W_k / lambda_k, |C| = 1, and lambda_k = tr(W_k C^-1) / (D n_k), from
      // lambda = 1 in every M-step; stop on the relative change of n D + D sum_k n_k log lambda_k.
      Vector<Real> scale = Vector<Real>::Ones(K);
      Matrix<Real> C(D, D);
      Real target_before = std::numeric_limits<Real>::max() / 2;
      for (long inner = 1;; ++inner) {
        std::fill(C.data(), C.data() + D * D, Real(0));
        for (Eigen::Index k = 0; k < K; ++k) {
          for (Eigen::Index i = 0; i < D * D; ++i)
            C.data()[i] += scatter_of(k).data()[i] / scale(k);
        }
        const Real volume = geometric_mean(DecreasingEigen<Real>(C).values.data(), D);
        for (Eigen::Index i = 0; i < D * D; ++i) C.data()[i] /= volume;
        // tr(C^-1 W_k) = tr(L^-1 (L^-1 W_k)^T) with C = L L^T (W_k symmetric).
        Matrix<Real> factor = C;
        const bool positive_definite = cholesky_lower_in_place(factor.data(), D);
        for (Eigen::Index k = 0; k < K; ++k) {
          if (!positive_definite) {
            scale(k) = std::numeric_limits<Real>::quiet_NaN();
            continue;
          }
          Matrix<Real> half = scatter_of(k);
          solve_lower_in_place(factor.data(), D, half.data(), D, D);
          transpose_in_place(half.data(), D);
          solve_lower_in_place(factor.data(), D, half.data(), D, D);
          scale(k) = strided_sum(half.data(), D, D + 1) / (dims * nk(k));
        }
        Real weighted_log_volume = 0;
        for (Eigen::Index k = 0; k < K; ++k) weighted_log_volume += nk(k) * std::log(scale(k));
        const Real target = n * dims + dims * weighted_log_volume;
        const Real change = relative_change(target, target_before);
        target_before = target;
        if (!(change > settings.inner_tol && inner < max_inner)) break;
      }
      for (Eigen::Index k = 0; k < K; ++k) set(k, scale(k), C);
      break;
    }
    case ModelName::EVE:
    case ModelName::VVE: {
      // A common orientation D with shapes A_k by Browne & McNicholas's two MM updates, from
      // D = I and A_k = 1 on the first EM iteration and the last one's after. As in mclust,
      // VVE's updates weigh the W_k by the det-1 shapes alone, not by the volumes: not an exact
      // M-step, and its EM can lower the likelihood (mclust's does too).
      const bool equal_volume = settings.model == ModelName::EVE;
      Matrix<Real> orientation =
          state.orientation.rows() == D ? state.orientation : identity_matrix<Real>(D);
      Matrix<Real> shape = state.shape.rows() == K && state.shape.cols() == D
                               ? state.shape
                               : Matrix<Real>(Matrix<Real>::Ones(K, D));
      Vector<Real> largest(K);  // the largest eigenvalue of each W_k
      for (Eigen::Index k = 0; k < K; ++k) {
        largest(k) = DecreasingEigen<Real>(scatter_of(k)).values(0);
      }
      Vector<Real> scale(K);
      Vector<Real> spread(D);
      Vector<Real> rotated_diagonal(D);
      Matrix<Real> F(D, D);
      Matrix<Real> scaled(D, D);
      Real target = 0.0;
      Real target_before = std::numeric_limits<Real>::max() / 2;
      for (long inner = 1;; ++inner) {
        // F = sum_k A_k^-1 D^T W_k - lambda_max(W_k) A_k^-1 D^T
        std::fill(F.data(), F.data() + D * D, Real(0));
        for (Eigen::Index k = 0; k < K; ++k) {
          for (Eigen::Index j = 0; j < D; ++j) {
            for (Eigen::Index i = 0; i < D; ++i)
              scaled(i, j) = (1 / shape(k, i)) * orientation(j, i);
          }
          const Matrix<Real> turned = product(scaled, scatter_of(k));
          for (Eigen::Index i = 0; i < D * D; ++i) {
            F.data()[i] += turned.data()[i] - largest(k) * scaled.data()[i];
          }
        }
        orientation = transposed(polar_factor(F));
        // F = sum_k W_k D A_k^-1 - max(A_k^-1) W_k D
        std::fill(F.data(), F.data() + D * D, Real(0));
        for (Eigen::Index k = 0; k < K; ++k) {
          const Matrix<Real> rotated_scatter = product(scatter_of(k), orientation);
          Real largest_inverse = 1 / shape(k, 0);
          for (Eigen::Index j = 1; j < D; ++j)
            largest_inverse = std::max(largest_inverse, 1 / shape(k, j));
          for (Eigen::Index j = 0; j < D; ++j) {
            const Real inverse = 1 / shape(k, j);
            for (Eigen::Index i = 0; i < D; ++i) {
              F(i, j) += rotated_scatter(i, j) * inverse - largest_inverse * rotated_scatter(i, j);
            }
          }
        }
        orientation = polar_factor(F);
        target = 0.0;
        for (Eigen::Index k = 0; k < K; ++k) {
          // The diagonal of D^T W_k D: d_j^T W_k d_j.
          const Matrix<Real> rotated_scatter = product(scatter_of(k), orientation);
          for (Eigen::Index j = 0; j < D; ++j) {
            rotated_diagonal(j) =
                dot(orientation.data() + j * D, rotated_scatter.data() + j * D, D);
            spread(j) = rotated_diagonal(j) / (equal_volume ? Real(1) : nk(k));
          }
          scale(k) = geometric_mean(spread.data(), D);
          for (Eigen::Index j = 0; j < D; ++j) shape(k, j) = spread(j) / scale(k);
          Real weighted = 0;  // tr(D^T W_k D A_k^-1)
          for (Eigen::Index j = 0; j < D; ++j) weighted += rotated_diagonal(j) * (1 / shape(k, j));
          target += weighted;
        }
        const Real change = relative_change(target, target_before);
        target_before = target;
        if (!(change > settings.inner_tol && inner < max_inner)) break;
      }
      for (Eigen::Index k = 0; k < K; ++k) {
        const Real lambda = equal_volume ? target / (n * dims) : scale(k);
        set_rotated(k, lambda, orientation, &shape(k, 0), K);
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
