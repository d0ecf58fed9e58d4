# Compiled mode (option EMGMM_COMPILED), as fmt and spdlog offer it: the target
# emgmm::emgmm_compiled, a static library that instantiates the common models once
# (GaussianMixture, BayesianGaussianMixture and KMeans of double and float, Eigen::Dynamic
# features; cmake/compiled/*.cpp). Linking it defines EMGMM_COMPILED, under which the headers
# declare those instantiations `extern template`: a program's files then compile only the thin
# layer that reads the caller's X and link the passes from the library, instead of compiling
# them in every file that fits a model. Other models (fixed Dim) stay header-only as before.
#
# Whether the passes run in parallel is decided when the library is built: with OpenMP when
# CMake finds it (EMGMM_COMPILED_OPENMP, default ON), which the target then passes on to its
# consumers.

option(EMGMM_COMPILED_OPENMP "Build emgmm_compiled with OpenMP, when found" ON)

add_library(emgmm_compiled STATIC
  "${CMAKE_CURRENT_LIST_DIR}/compiled/gaussian_mixture.cpp"
  "${CMAKE_CURRENT_LIST_DIR}/compiled/bayesian_gaussian_mixture.cpp"
  "${CMAKE_CURRENT_LIST_DIR}/compiled/kmeans.cpp")
add_library(emgmm::emgmm_compiled ALIAS emgmm_compiled)
target_link_libraries(emgmm_compiled PUBLIC emgmm)
target_compile_definitions(emgmm_compiled PUBLIC EMGMM_COMPILED)
target_compile_features(emgmm_compiled PUBLIC cxx_std_17)
set_target_properties(emgmm_compiled PROPERTIES POSITION_INDEPENDENT_CODE ON)

set(EMGMM_COMPILED_WITH_OPENMP OFF)
if(EMGMM_COMPILED_OPENMP)
  find_package(OpenMP COMPONENTS CXX)
  if(OpenMP_CXX_FOUND)
    target_link_libraries(emgmm_compiled PUBLIC OpenMP::OpenMP_CXX)
    set(EMGMM_COMPILED_WITH_OPENMP ON)
  else()
    message(STATUS "emgmm: OpenMP not found; emgmm_compiled runs its passes single-threaded")
  endif()
endif()
