#ifndef EMGMM_COVARIANCE_TYPE_HPP
#define EMGMM_COVARIANCE_TYPE_HPP

#include "detail/diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

#include <string>

#include "errors.hpp"

namespace emgmm {

/// How each component's covariance is parametrized (sklearn's `covariance_type`).
///
/// The storage of covariances(), precisions() and precisions_cholesky() follows sklearn,
/// with its 3-D array for `full` stacked into one matrix:
/// | type      | sklearn shape  | emgmm matrix     | component k                          |
/// |-----------|----------------|------------------|--------------------------------------|
/// | full      | (K, D, D)      | (K*D) x D        | rows k*D .. k*D+D-1 (middleRows)     |
/// | tied      | (D, D)         | D x D            | the same matrix for every k          |
/// | diag      | (K, D)         | K x D            | row k holds the D variances          |
/// | spherical | (K,)           | K x 1            | entry k is the one variance          |
/// GaussianMixture::covariance(k) gives component k's full D x D matrix for any type.
enum class CovarianceType { full, tied, diag, spherical };

/// sklearn's spelling: "full", "tied", "diag", "spherical".
inline const char* to_string(CovarianceType type) {
  switch (type) {
    case CovarianceType::full: return "full";
    case CovarianceType::tied: return "tied";
    case CovarianceType::diag: return "diag";
    case CovarianceType::spherical: return "spherical";
  }
  return "unknown";
}

/// Parses sklearn's spelling; throws InvalidArgument naming the accepted values.
inline CovarianceType covariance_type_from_string(const std::string& name) {
  if (name == "full") return CovarianceType::full;
  if (name == "tied") return CovarianceType::tied;
  if (name == "diag") return CovarianceType::diag;
  if (name == "spherical") return CovarianceType::spherical;
  throw InvalidArgument("covariance_type_from_string: covariance_type = '" + name +
                        "' is not one of 'full', 'tied', 'diag', 'spherical'.");
}

/// How the mixture's starting responsibilities are chosen (sklearn's `init_params`).
enum class InitParams {
  kmeans,             ///< labels of one KMeans run (n_init = 1); sklearn's default
  k_means_plus_plus,  ///< the k-means++ seeds, one point per component ("k-means++")
  random,             ///< uniform random responsibilities, normalized per point
  random_from_data    ///< K distinct points drawn uniformly, one per component
};

/// sklearn's spelling: "kmeans", "k-means++", "random", "random_from_data".
inline const char* to_string(InitParams init) {
  switch (init) {
    case InitParams::kmeans: return "kmeans";
    case InitParams::k_means_plus_plus: return "k-means++";
    case InitParams::random: return "random";
    case InitParams::random_from_data: return "random_from_data";
  }
  return "unknown";
}

/// Parses sklearn's spelling; throws InvalidArgument naming the accepted values.
inline InitParams init_params_from_string(const std::string& name) {
  if (name == "kmeans") return InitParams::kmeans;
  if (name == "k-means++" || name == "k_means_plus_plus") return InitParams::k_means_plus_plus;
  if (name == "random") return InitParams::random;
  if (name == "random_from_data") return InitParams::random_from_data;
  throw InvalidArgument("init_params_from_string: init_params = '" + name +
                        "' is not one of 'kmeans', 'k-means++', 'random', 'random_from_data'.");
}

/// The prior on the mixing weights of BayesianGaussianMixture (sklearn's
/// `weight_concentration_prior_type`).
enum class WeightConcentrationPriorType {
  dirichlet_process,  ///< stick-breaking (infinite mixture truncated at n_components); sklearn's
                      ///< default
  dirichlet_distribution  ///< a finite Dirichlet over the n_components weights
};

/// sklearn's spelling: "dirichlet_process", "dirichlet_distribution".
inline const char* to_string(WeightConcentrationPriorType type) {
  switch (type) {
    case WeightConcentrationPriorType::dirichlet_process: return "dirichlet_process";
    case WeightConcentrationPriorType::dirichlet_distribution: return "dirichlet_distribution";
  }
  return "unknown";
}

/// Parses sklearn's spelling; throws InvalidArgument naming the accepted values.
inline WeightConcentrationPriorType weight_concentration_prior_type_from_string(
    const std::string& name) {
  if (name == "dirichlet_process") return WeightConcentrationPriorType::dirichlet_process;
  if (name == "dirichlet_distribution") return WeightConcentrationPriorType::dirichlet_distribution;
  throw InvalidArgument(
      "weight_concentration_prior_type_from_string: weight_concentration_prior_type = '" + name +
      "' is not one of 'dirichlet_process', 'dirichlet_distribution'.");
}

}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_COVARIANCE_TYPE_HPP
