// BayesianGaussianMixture<double, 5> for the test files that fit it (see tests/fixed_models.hpp).
#define EMGMM_TEST_FIXED_MODELS_DEFINITION
#include "fixed_models.hpp"

EMGMM_TEST_INSTANTIATE_BayesianGaussianMixture(, double, 5)
