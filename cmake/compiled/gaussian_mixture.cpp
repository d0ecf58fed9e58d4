// Part of the emgmm_compiled library (CMake option EMGMM_COMPILED, see cmake/emgmmCompiled.cmake):
// the one instantiation of GaussianMixture<double> and GaussianMixture<float> (Eigen::Dynamic
// features) that programs compiled with EMGMM_COMPILED declare `extern template` and link instead
// of compiling its passes in each of their files.

// This file makes the instantiations the headers declare extern.
#define EMGMM_COMPILED_LIBRARY

#include <emgmm/gaussian_mixture.hpp>

namespace emgmm {

template class detail::MixtureModel<GaussianMixture<double>, double, Eigen::Dynamic>;
template class GaussianMixture<double>;
template class detail::MixtureModel<GaussianMixture<float>, float, Eigen::Dynamic>;
template class GaussianMixture<float>;

}  // namespace emgmm
