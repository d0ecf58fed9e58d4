#ifndef EMGMM_DETAIL_COVARIANCE_HPP
#define EMGMM_DETAIL_COVARIANCE_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

// The four covariance parametrizations in one place: storage shapes, precision Cholesky
// factors, log-determinants, parameter counts and expansion to a full matrix.
// Storage (see covariance_type.hpp): full (K*D) x D stacked, tied D x D, diag K x D,
// spherical K x 1.

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "../covariance_type.hpp"
#include "cholesky.hpp"
#include "validation.hpp"

namespace emgmm {
namespace detail {

/// Whether the n x n column-major matrix is a covariance or precision matrix:
/// numpy.allclose(M, M^T) (|a - b| <= 1e-8 + 1e-5 |b|) and a Cholesky factorization with a
/// positive diagonal, as sklearn's _check_precision_matrix. The one such test:
/// precisions_init, covariance_prior and the validity gate (model_check.hpp, which also asks
/// for exact symmetry) use it.
template <typename Scalar>
bool is_symmetric_positive_definite(const Scalar* m, Eigen::Index n) {
  for (Eigen::Index j = 0; j < n; ++j) {
    for (Eigen::Index i = 0; i < n; ++i) {
      const Scalar a = m[i + j * n];
      const Scalar b = m[j + i * n];
      if (!(std::abs(a - b) <= Scalar(1e-8) + Scalar(1e-5) * std::abs(b))) return false;
    }
  }
  std::vector<Scalar> factor(m, m + n * n);
  return cholesky_lower_in_place(factor.data(), n);
}
template <typename Scalar, int Rows, int Cols>
bool is_symmetric_positive_definite(const Eigen::Matrix<Scalar, Rows, Cols>& M) {
  return M.rows() == M.cols() && is_symmetric_positive_definite(M.data(), M.rows());
}

/// Rows of one component's block of the storage: full D, diag and spherical 1; tied's one
/// D x D block serves every component. Also the shape of a single covariance (such as
/// BayesianGaussianMixture's covariance_prior), with storage_cols columns.
inline Eigen::Index component_rows(CovarianceType type, Eigen::Index D) {
  return type == CovarianceType::full || type == CovarianceType::tied ? D : 1;
}

/// Rows of the covariance (and precision) storage for K components in D dims, and of
/// SufficientStatistics::scatter. A template so that counts read from a buffer can be checked
/// in double, before any integer arithmetic on them.
template <typename Count>
Count storage_rows(CovarianceType type, Count K, Count D) {
  switch (type) {
    case CovarianceType::full: return K * D;
    case CovarianceType::tied: return D;
    case CovarianceType::diag:
    case CovarianceType::spherical: break;
  }
  return K;
}
/// Columns of the covariance storage. The scatter keeps D for spherical too: its per-feature
/// sums are averaged only in the M-step.
inline Eigen::Index storage_cols(CovarianceType type, Eigen::Index D) {
  return type == CovarianceType::spherical ? 1 : D;
}

/// sklearn's shape of the same array, for messages.
inline std::string sklearn_shape(CovarianceType type, Eigen::Index K, Eigen::Index D) {
  switch (type) {
    case CovarianceType::full:
      return "(" + to_text(K * D) + " x " + to_text(D) + "): the K = " + to_text(K) + " " +
             to_text(D) + " x " + to_text(D) + " matrices stacked";
    case CovarianceType::tied: return "(" + to_text(D) + " x " + to_text(D) + ")";
    case CovarianceType::diag: return "(" + to_text(K) + " x " + to_text(D) + ")";
    case CovarianceType::spherical: return "(" + to_text(K) + " x 1)";
  }
  return "";
}

/// The free parameters of the covariances (sklearn's _n_parameters, covariance part).
inline Eigen::Index n_covariance_parameters(CovarianceType type, Eigen::Index K, Eigen::Index D) {
  switch (type) {
    case CovarianceType::full: return K * D * (D + 1) / 2;
    case CovarianceType::tied: return D * (D + 1) / 2;
    case CovarianceType::diag: return K * D;
    case CovarianceType::spherical: return K;
  }
  return 0;
}

/// Upper-triangular U with U U^T = inverse(C), from the Cholesky factor L of C:
/// U = L^{-T}, by a triangular solve (sklearn's `solve_triangular(cov_chol, eye).T`).
/// Returns false when C is not (numerically) positive definite.
template <typename Scalar, int Dim>
bool precision_cholesky_of(const Eigen::Matrix<Scalar, Dim, Dim>& covariance,
                           Eigen::Matrix<Scalar, Dim, Dim>& precision_cholesky) {
  if (!covariance.allFinite()) return false;
  const Eigen::Index D = covariance.rows();
  precision_cholesky = covariance;
  if (!cholesky_lower_in_place(precision_cholesky.data(), D)) return false;
  invert_lower_in_place(precision_cholesky.data(), D);
  transpose_in_place(precision_cholesky.data(), D);
  return precision_cholesky.allFinite();
}

/// Fills `precisions_cholesky` from covariances, in the same storage. Returns the first
/// component whose covariance is not positive definite (the factors are then incomplete), or
/// nothing: the estimator names it in its own message. With `failed`, a full, diag or spherical
/// component that fails is appended to it instead (its factor left the identity, for the caller
/// to replace); a tied covariance, shared by all components, is still returned.
template <typename Scalar, int Dim>
[[nodiscard]] std::optional<Eigen::Index> compute_precision_cholesky(
    const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& covariances, CovarianceType type,
    Eigen::Index K, Eigen::Index D,
    Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& precisions_cholesky,
    std::vector<Eigen::Index>* failed = nullptr) {
  using Square = Eigen::Matrix<Scalar, Dim, Dim>;
  precisions_cholesky.resize(covariances.rows(), covariances.cols());
  const double largest = static_cast<double>(std::numeric_limits<Scalar>::max());
  if (type == CovarianceType::full || type == CovarianceType::tied) {
    const Eigen::Index n_blocks = type == CovarianceType::full ? K : 1;
    for (Eigen::Index k = 0; k < n_blocks; ++k) {
      const Square covariance = covariances.middleRows(k * D, D);
      Square factor(D, D);
      // The precisions P P^T must be representable too (a row's squared norm bounds its
      // entries): a tiny, barely positive definite covariance is as unusable as a singular one.
      if (!precision_cholesky_of<Scalar, Dim>(covariance, factor) ||
          !(double(factor.rowwise().squaredNorm().maxCoeff()) <= largest / 2.0)) {
        if (!failed || type == CovarianceType::tied) return k;
        failed->push_back(k);
        factor.setIdentity();
      }
      precisions_cholesky.middleRows(k * D, D) = factor;
    }
  } else {
    for (Eigen::Index k = 0; k < covariances.rows(); ++k) {
      for (Eigen::Index j = 0; j < covariances.cols(); ++j) {
        const Scalar variance = covariances(k, j);
        // Positive, finite, and with a representable precision 1 / variance (a float denormal
        // variance is positive but its precision is not).
        if (!(double(variance) >= 1.0 / largest) || !std::isfinite(static_cast<double>(variance))) {
          if (!failed) return k;
          failed->push_back(k);
          precisions_cholesky.row(k).setOnes();
          break;
        }
        precisions_cholesky(k, j) = Scalar(1) / std::sqrt(variance);
      }
    }
  }
  return std::nullopt;
}

/// precisions = P P^T (full, tied) or P^2 (diag, spherical), in the same storage.
template <typename Scalar, int Dim>
Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> precisions_from_cholesky(
    const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& precisions_cholesky,
    CovarianceType type, Eigen::Index D) {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using Square = Eigen::Matrix<Scalar, Dim, Dim>;
  if (type == CovarianceType::full || type == CovarianceType::tied) {
    Matrix result(precisions_cholesky.rows(), precisions_cholesky.cols());
    Square precision(D, D);
    for (Eigen::Index k = 0; k < precisions_cholesky.rows() / D; ++k) {
      const Square factor = precisions_cholesky.middleRows(k * D, D);
      multiply_by_own_transpose(factor.data(), D, precision.data());
      result.middleRows(k * D, D) = precision;
    }
    return result;
  }
  return precisions_cholesky.array().square().matrix();
}

/// covariances = inverse(P P^T) from a precision Cholesky factor P of either triangle, by two
/// triangular solves (used when the start is given as precisions_init).
template <typename Scalar, int Dim>
Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> covariances_from_cholesky(
    const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& precisions_cholesky,
    CovarianceType type, Eigen::Index D) {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using Square = Eigen::Matrix<Scalar, Dim, Dim>;
  if (type == CovarianceType::full || type == CovarianceType::tied) {
    Matrix result(precisions_cholesky.rows(), precisions_cholesky.cols());
    for (Eigen::Index k = 0; k < precisions_cholesky.rows() / D; ++k) {
      const Square factor = precisions_cholesky.middleRows(k * D, D);
      // (P P^T)^{-1} = P^{-T} P^{-1} = M M^T with M = P^{-T}: the inverse of whichever of P
      // and P^T is lower triangular, transposed back if that was P.
      Square inverse = factor;
      const bool lower = is_triangular(factor.data(), D, false);
      if (!lower) transpose_in_place(inverse.data(), D);
      invert_lower_in_place(inverse.data(), D);
      if (lower) transpose_in_place(inverse.data(), D);
      Square covariance(D, D);
      multiply_by_own_transpose(inverse.data(), D, covariance.data());  // exactly symmetric
      result.middleRows(k * D, D) = covariance;
    }
    return result;
  }
  return precisions_cholesky.array().square().inverse().matrix();
}

/// Cholesky factor of user-given precisions (lower, as sklearn's `linalg.cholesky(p, lower=True)`
/// for full/tied, square root for diag/spherical). Assumes validate_precisions() passed.
template <typename Scalar, int Dim>
Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> cholesky_of_precisions(
    const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& precisions, CovarianceType type,
    Eigen::Index D) {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using Square = Eigen::Matrix<Scalar, Dim, Dim>;
  if (type == CovarianceType::full || type == CovarianceType::tied) {
    Matrix result(precisions.rows(), precisions.cols());
    for (Eigen::Index k = 0; k < precisions.rows() / D; ++k) {
      Square lower = precisions.middleRows(k * D, D);
      cholesky_lower_in_place(lower.data(), D);  // positive definite: validate_precisions
      result.middleRows(k * D, D) = lower;
    }
    return result;
  }
  return precisions.array().sqrt().matrix();
}

/// log det of each component's precision Cholesky factor (= -1/2 log det covariance), K values.
template <typename Scalar>
Eigen::Matrix<Scalar, Eigen::Dynamic, 1> log_det_cholesky(
    const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& precisions_cholesky,
    CovarianceType type, Eigen::Index K, Eigen::Index D) {
  Eigen::Matrix<Scalar, Eigen::Dynamic, 1> result(K);
  for (Eigen::Index k = 0; k < K; ++k) {
    switch (type) {
      case CovarianceType::full:
        result(k) = precisions_cholesky.middleRows(k * D, D).diagonal().array().log().sum();
        break;
      case CovarianceType::tied:
        result(k) = precisions_cholesky.diagonal().array().log().sum();
        break;
      case CovarianceType::diag: result(k) = precisions_cholesky.row(k).array().log().sum(); break;
      case CovarianceType::spherical:
        result(k) = Scalar(D) * std::log(precisions_cholesky(k, 0));
        break;
    }
  }
  return result;
}

/// Component k's full D x D matrix from any storage (covariances or precisions alike).
template <typename Scalar, int Dim>
Eigen::Matrix<Scalar, Dim, Dim> expand_component(
    const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& storage, CovarianceType type,
    Eigen::Index k, Eigen::Index D) {
  using Square = Eigen::Matrix<Scalar, Dim, Dim>;
  switch (type) {
    case CovarianceType::full: return storage.middleRows(k * D, D);
    case CovarianceType::tied: return storage;
    case CovarianceType::diag: return storage.row(k).transpose().asDiagonal();
    case CovarianceType::spherical: return storage(k, 0) * Square::Identity(D, D);
  }
  return Square::Zero(D, D);
}

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_COVARIANCE_HPP
