// The fixed-Dim models of (double, 2) that the test files fit, compiled together (see
// tests/fixed_models.hpp): GaussianMixture<double, 2>, BayesianGaussianMixture<double, 2>,
// KMeans<double, 2>.
#define EMGMM_TEST_FIXED_MODELS_DEFINITION
#include "fixed_models.hpp"

// One instantiation per line (each macro ends with its own semicolons).
// clang-format off
EMGMM_TEST_INSTANTIATE_GaussianMixture(, double, 2)
EMGMM_TEST_INSTANTIATE_BayesianGaussianMixture(, double, 2)
EMGMM_TEST_INSTANTIATE_KMeans(, double, 2)
