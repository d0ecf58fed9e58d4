// The fixed-Dim models of (double, 4) that the test files fit, compiled together (see
// tests/fixed_models.hpp): GaussianMixture<double, 4>, BayesianGaussianMixture<double, 4>,
// KMeans<double, 4>.
#define EMGMM_TEST_FIXED_MODELS_DEFINITION
#include "fixed_models.hpp"

// One instantiation per line (each macro ends with its own semicolons).
// clang-format off
EMGMM_TEST_INSTANTIATE_GaussianMixture(, double, 4)
EMGMM_TEST_INSTANTIATE_BayesianGaussianMixture(, double, 4)
EMGMM_TEST_INSTANTIATE_KMeans(, double, 4)
