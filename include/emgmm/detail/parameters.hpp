#ifndef EMGMM_DETAIL_PARAMETERS_HPP
#define EMGMM_DETAIL_PARAMETERS_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

#include <optional>

#include <Eigen/Core>

#include "../covariance_type.hpp"
#include "../model_name.hpp"
#include "parsimonious.hpp"

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
  /// GaussianMixtureOptions::model_name of the fit (full storage), or none.
  std::optional<ModelName> model_name;
  Vector weights;              ///< K
  Means means;                 ///< K x D
  Matrix covariances;          ///< storage per covariance_type
  Matrix precisions_cholesky;  ///< same storage; P with P P^T = precision
  /// What the E-step adds as component k's log weight when not empty (K values): the
  /// BayesianGaussianMixture's expected log weight plus its Wishart terms (variational.hpp).
  /// Empty for a GaussianMixture, whose E-step uses log(weights).
  Eigen::VectorXd log_weights;
  /// With GaussianMixtureOptions::model_name: where the M-step's inner iterations stopped, the
  /// start of the next M-step's (parsimonious.hpp). Not saved: a loaded model starts afresh.
  ParsimoniousState<double> constraint_state;

  Eigen::Index n_components() const { return weights.size(); }
  Eigen::Index n_features() const { return means.cols(); }
};

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_PARAMETERS_HPP
