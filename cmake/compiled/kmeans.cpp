// Part of the emgmm_compiled library (CMake option EMGMM_COMPILED, see cmake/emgmmCompiled.cmake):
// the one instantiation of KMeans<double> and KMeans<float> (Eigen::Dynamic features)
// that programs compiled with EMGMM_COMPILED declare `extern template` and link instead of
// compiling its passes in each of their files.

// This file makes the instantiations the headers declare extern.
#define EMGMM_COMPILED_LIBRARY

#include <emgmm/kmeans.hpp>

namespace emgmm {

template class KMeans<double>;
template class KMeans<float>;

}  // namespace emgmm
