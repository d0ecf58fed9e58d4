// Part of the emgmm_compiled library (CMake option EMGMM_COMPILED, see cmake/emgmmCompiled.cmake):
// the one instantiation of each model of double with Eigen::Dynamic features (GaussianMixture,
// BayesianGaussianMixture, KMeans), which programs compiled with EMGMM_COMPILED declare
// `extern template` and link instead of compiling their passes in each of their files.
//
// One file per Scalar, the three models together: they share most of what they instantiate
// (the passes, the k-means start, the row views), so this file compiles in about the time
// GaussianMixture alone took in a file of its own, and the three in separate files cost twice
// the CPU (g++ 12 -O3: 38.7 and 35.9 s here against 44.4 + 29.5 + 12.6 s, 1.34 GB peak; issue
// 15). EMGMM_COMPILED_SCALARS leaves a Scalar's file out.

// This file makes the instantiations the headers declare extern.
#define EMGMM_COMPILED_LIBRARY

#include <emgmm/bayesian_gaussian_mixture.hpp>
#include <emgmm/gaussian_mixture.hpp>
#include <emgmm/kmeans.hpp>

namespace emgmm {

template class detail::MixtureModel<GaussianMixture<double>, double, Eigen::Dynamic>;
template class GaussianMixture<double>;
template class detail::MixtureModel<BayesianGaussianMixture<double>, double, Eigen::Dynamic>;
template class BayesianGaussianMixture<double>;
template class KMeans<double>;

}  // namespace emgmm
