// Part of the emgmm_compiled library: the models of float with Eigen::Dynamic features, as
// models_double.cpp does for double (see there).

// This file makes the instantiations the headers declare extern.
#define EMGMM_COMPILED_LIBRARY

#include <emgmm/bayesian_gaussian_mixture.hpp>
#include <emgmm/gaussian_mixture.hpp>
#include <emgmm/kmeans.hpp>

namespace emgmm {

template class detail::MixtureModel<GaussianMixture<float>, float, Eigen::Dynamic>;
template class GaussianMixture<float>;
template class detail::MixtureModel<BayesianGaussianMixture<float>, float, Eigen::Dynamic>;
template class BayesianGaussianMixture<float>;
template class KMeans<float>;

}  // namespace emgmm
