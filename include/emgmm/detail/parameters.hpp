#ifndef EMGMM_DETAIL_PARAMETERS_HPP
#define EMGMM_DETAIL_PARAMETERS_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

#include <Eigen/Core>

#include "../covariance_type.hpp"

namespace emgmm {
namespace detail {

/// One mixture's parameters: what an EM iteration reads and writes, and what a fitted model
/// holds. Covariance storage as described in covariance_type.hpp.
template <typename Scalar, int Dim>
struct MixtureParameters {
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
  using Means = Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>;
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

  CovarianceType covariance_type = CovarianceType::full;
  Vector weights;              ///< K
  Means means;                 ///< K x D
  Matrix covariances;          ///< storage per covariance_type
  Matrix precisions_cholesky;  ///< same storage; P with P P^T = precision
  /// What the E-step adds as component k's log weight when not empty (K values): the
  /// BayesianGaussianMixture's expected log weight plus its Wishart terms (variational.hpp).
  /// Empty for a GaussianMixture, whose E-step uses log(weights).
  Eigen::VectorXd log_weights;

  Eigen::Index n_components() const { return weights.size(); }
  Eigen::Index n_features() const { return means.cols(); }
};

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_PARAMETERS_HPP
