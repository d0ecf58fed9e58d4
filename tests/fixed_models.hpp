// The fixed-Dim models the tests fit, compiled once for the whole test executable
// (tests/fixed_models/*.cpp, one file per Scalar and Dim), the way compiled mode compiles the
// Eigen::Dynamic ones once (cmake/compiled/): a test file that includes this header declares
// them `extern template` and compiles only the layer that reads its X, instead of every pass of
// every model it fits. Each (Scalar, Dim) model instantiated in a test file cost its compiler
// process about 16 s and 500 MB: GaussianMixture<double, 2> was compiled in five files, and the
// parity files, with four or more models each, took 2.5 GB (issue 15). The tests are the same:
// the same code runs, compiled in another file.
//
// Only where the target defines EMGMM_TEST_FIXED_MODELS, that is where it also compiles
// tests/fixed_models/*.cpp (emgmm_tests, and emgmm_tests_native the files of the models
// test_parity.cpp fits, with its own flags); elsewhere every file instantiates what it uses, as
// usual.
#ifndef EMGMM_TESTS_FIXED_MODELS_HPP
#define EMGMM_TESTS_FIXED_MODELS_HPP

#include <emgmm/emgmm.hpp>

// The list, once: F(estimator, Scalar, Dim) for each model compiled in tests/fixed_models/, and
// the test files that fit it.
#define EMGMM_TEST_FOR_EACH_FIXED_MODEL(F)                                                  \
  F(GaussianMixture, double, 2) /* gaussian_mixture*, errors, parity, sample_weight, ... */ \
  F(GaussianMixture, float, 2)  /* gaussian_mixture, errors, degenerate, hostile_input */   \
  F(GaussianMixture, float, 3)  /* gaussian_mixture*, serialization */                      \
  F(GaussianMixture, double, 4) /* parity, model_selection */                               \
  F(GaussianMixture, double, 5) /* parity */                                                \
  F(GaussianMixture, float, 4)  /* parity */                                                \
  F(BayesianGaussianMixture, double, 2) /* bayesian_parity */                               \
  F(BayesianGaussianMixture, double, 4) /* bayesian_parity */                               \
  F(BayesianGaussianMixture, double, 5) /* bayesian_parity */                               \
  F(BayesianGaussianMixture, float, 2)  /* bayesian_parity */                               \
  F(KMeans, double, 2)                  /* kmeans, parity, serialization */                 \
  F(KMeans, float, 2)                   /* kmeans */                                        \
  F(KMeans, float, 3)                   /* kmeans, serialization */                         \
  F(KMeans, double, 4)                  /* parity */                                        \
  F(KMeans, double, 5)                  /* parity */

// What compiled mode declares for GaussianMixture<double> (include/emgmm/gaussian_mixture.hpp),
// for one fixed-Dim model: the mixtures' shared base and the estimator (`prefix` is `extern` or
// nothing).
#define EMGMM_TEST_INSTANTIATE_GaussianMixture(prefix, Scalar, Dim)                              \
  prefix template class emgmm::detail::MixtureModel<emgmm::GaussianMixture<Scalar, Dim>, Scalar, \
                                                    Dim>;                                        \
  prefix template class emgmm::GaussianMixture<Scalar, Dim>;
#define EMGMM_TEST_INSTANTIATE_BayesianGaussianMixture(prefix, Scalar, Dim)                      \
  prefix template class emgmm::detail::MixtureModel<emgmm::BayesianGaussianMixture<Scalar, Dim>, \
                                                    Scalar, Dim>;                                \
  prefix template class emgmm::BayesianGaussianMixture<Scalar, Dim>;
#define EMGMM_TEST_INSTANTIATE_KMeans(prefix, Scalar, Dim) \
  prefix template class emgmm::KMeans<Scalar, Dim>;

#if defined(EMGMM_TEST_FIXED_MODELS) && !defined(EMGMM_TEST_FIXED_MODELS_DEFINITION)
#define EMGMM_TEST_DECLARE_EXTERN(estimator, Scalar, Dim) \
  EMGMM_TEST_INSTANTIATE_##estimator(extern, Scalar, Dim)
EMGMM_TEST_FOR_EACH_FIXED_MODEL(EMGMM_TEST_DECLARE_EXTERN)
#undef EMGMM_TEST_DECLARE_EXTERN
#endif

#endif  // EMGMM_TESTS_FIXED_MODELS_HPP
