// Part of the emgmm_compiled library (CMake option EMGMM_COMPILED, see cmake/emgmmCompiled.cmake):
// the one instantiation of KMeans<float> (Eigen::Dynamic features), which programs compiled
// with EMGMM_COMPILED declare `extern template` and link instead of compiling its passes in
// each of their files. One model and Scalar per file, so that the library's files build side
// by side and EMGMM_COMPILED_SCALARS can leave a Scalar out.

// This file makes the instantiations the headers declare extern.
#define EMGMM_COMPILED_LIBRARY

#include <emgmm/kmeans.hpp>

namespace emgmm {

template class KMeans<float>;

}  // namespace emgmm
