// BayesianGaussianMixture<float, 2> for the test files that fit it (see tests/fixed_models.hpp).
#define EMGMM_TEST_FIXED_MODELS_DEFINITION
#include "fixed_models.hpp"

EMGMM_TEST_INSTANTIATE_BayesianGaussianMixture(, float, 2)
