// The fixed-Dim models of (float, 2) that the test files fit, compiled together (see
// tests/fixed_models.hpp): GaussianMixture<float, 2>, BayesianGaussianMixture<float, 2>,
// KMeans<float, 2>.
#define EMGMM_TEST_FIXED_MODELS_DEFINITION
#include "fixed_models.hpp"

// One instantiation per line (each macro ends with its own semicolons).
// clang-format off
EMGMM_TEST_INSTANTIATE_GaussianMixture(, float, 2)
EMGMM_TEST_INSTANTIATE_BayesianGaussianMixture(, float, 2)
EMGMM_TEST_INSTANTIATE_KMeans(, float, 2)
