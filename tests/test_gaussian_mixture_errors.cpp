// GaussianMixture's errors, beside test_gaussian_mixture.cpp (a separate file so that neither
// compiler process passes 2.5 GB): every bad input gets the documented exception with a
// message that names the function, the parameter and the value,
// never a crash, undefined behaviour or garbage output; and a fit that throws leaves a fitted
// model exactly as it was. Every case runs for float and double, with a runtime
// (Eigen::Dynamic) and a compile-time (Dim = 2) number of features, on the deterministic data of
// error_checks.hpp, whose helpers they use (hence the namespace).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iostream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include <emgmm/emgmm.hpp>

#include "catch.hpp"
#include "error_checks.hpp"
#include "fixed_models.hpp"
#include "synthetic_data.hpp"

namespace emgmm_test_errors {

// =============================================================================================
// Use before fit

TEMPLATE_TEST_CASE(
    "GaussianMixture: every fitted accessor and method throws NotFittedError "
    "before fit",
    "[errors][gaussian_mixture]", emgmm::GaussianMixtureXf, emgmm::GaussianMixtureXd,
    emgmm::GaussianMixture2f, emgmm::GaussianMixture2d) {
  using Scalar = ScalarOf<TestType>;
  const TestType gmm(mixture_options<TestType>(2));
  const MatrixX<Scalar> X = two_blobs<Scalar>(10);
  CHECK_FALSE(gmm.is_fitted());

  CHECK_NOT_FITTED(gmm.predict(X), "GaussianMixture::predict:", "not fitted", "fit(X)");
  CHECK_NOT_FITTED(gmm.predict_proba(X), "GaussianMixture::predict_proba:", "not fitted");
  CHECK_NOT_FITTED(gmm.score_samples(X), "GaussianMixture::score_samples:", "not fitted");
  CHECK_NOT_FITTED(gmm.score(X), "not fitted");
  CHECK_NOT_FITTED(gmm.bic(X), "not fitted");
  CHECK_NOT_FITTED(gmm.aic(X), "not fitted");
  CHECK_NOT_FITTED(gmm.sample(), "GaussianMixture::sample:", "not fitted");
  CHECK_NOT_FITTED(gmm.sample(5), "GaussianMixture::sample:", "not fitted");
  CHECK_NOT_FITTED(gmm.n_parameters(), "GaussianMixture::n_parameters:", "not fitted");
  CHECK_NOT_FITTED(gmm.weights(), "GaussianMixture::weights:", "not fitted");
  CHECK_NOT_FITTED(gmm.means(), "GaussianMixture::means:", "not fitted");
  CHECK_NOT_FITTED(gmm.covariances(), "GaussianMixture::covariances:", "not fitted");
  CHECK_NOT_FITTED(gmm.precisions(), "GaussianMixture::precisions:", "not fitted");
  CHECK_NOT_FITTED(gmm.precisions_cholesky(),
                   "GaussianMixture::precisions_cholesky:", "not fitted");
  CHECK_NOT_FITTED(gmm.covariance(0), "GaussianMixture::covariance:", "not fitted");
  CHECK_NOT_FITTED(gmm.precision(0), "GaussianMixture::precision:", "not fitted");
  CHECK_NOT_FITTED(gmm.converged(), "GaussianMixture::converged:", "not fitted");
  CHECK_NOT_FITTED(gmm.n_iter(), "GaussianMixture::n_iter:", "not fitted");
  CHECK_NOT_FITTED(gmm.lower_bound(), "GaussianMixture::lower_bound:", "not fitted");
  CHECK_NOT_FITTED(gmm.n_features_in(), "GaussianMixture::n_features_in:", "not fitted");

  // Out-of-range arguments and bad data do not hide that the model is not fitted (sklearn
  // checks that first too).
  CHECK_NOT_FITTED(gmm.covariance(-1), "not fitted");
  CHECK_NOT_FITTED(gmm.precision(99), "not fitted");
  CHECK_NOT_FITTED(gmm.sample(0), "not fitted");
  MatrixX<Scalar> with_nan = X;
  with_nan(3, 1) = nan<Scalar>();
  CHECK_NOT_FITTED(gmm.predict(with_nan), "not fitted");
  CHECK_NOT_FITTED(gmm.score_samples(MatrixX<Scalar>(0, 2)), "not fitted");

  // The options are parameters, not fitted attributes: readable at any time.
  CHECK(gmm.n_components() == 2);
  CHECK(gmm.covariance_type() == CovarianceType::full);
  CHECK(gmm.get_params().n_components == 2);

  SECTION("a first fit that fails leaves the model unfitted") {
    TestType failing(mixture_options<TestType>(5));
    const MatrixX<Scalar> three = two_blobs<Scalar>(3);
    CHECK_INVALID(failing.fit(three), "n_components = 5");
    CHECK_FALSE(failing.is_fitted());
    CHECK_NOT_FITTED(failing.weights(), "not fitted");
    CHECK_NOT_FITTED(failing.predict(X), "not fitted");
  }
}

// =============================================================================================
// Bad data given to fit

TEMPLATE_TEST_CASE("GaussianMixture::fit and fit_predict reject bad data with InvalidArgument",
                   "[errors][gaussian_mixture]", emgmm::GaussianMixtureXf, emgmm::GaussianMixtureXd,
                   emgmm::GaussianMixture2f, emgmm::GaussianMixture2d) {
  using Scalar = ScalarOf<TestType>;
  constexpr int kDim = TestType::Means::ColsAtCompileTime;

  // Both entry points, on a fresh model each; the model stays unfitted.
  const auto rejects = [](const MatrixX<Scalar>& X, int n_components,
                          std::initializer_list<std::string> needles) {
    for (const bool via_fit_predict : {false, true}) {
      TestType gmm(mixture_options<TestType>(n_components));
      const Outcome outcome = outcome_of([&] {
        if (via_fit_predict) {
          (void)gmm.fit_predict(X);
        } else {
          gmm.fit(X);
        }
      });
      const std::string where =
          via_fit_predict ? "GaussianMixture::fit_predict:" : "GaussianMixture::fit:";
      INFO(where << " on " << X.rows() << " x " << X.cols()
                 << " data, n_components = " << n_components);
      INFO("message: " << outcome.message);
      CHECK(outcome.kind == Thrown::invalid_argument);
      CHECK(contains(outcome.message, where));
      for (const std::string& needle : needles) {
        INFO("the message should contain: \"" << needle << "\"");
        CHECK(contains(outcome.message, needle));
      }
      CHECK_FALSE(gmm.is_fitted());
    }
  };

  SECTION("no samples") { rejects(MatrixX<Scalar>(0, 2), 1, {"X has 0 rows", "at least 2"}); }
  SECTION("no features") { rejects(MatrixX<Scalar>(5, 0), 1, {"X has 0 columns"}); }
  SECTION("0 x 0") { rejects(MatrixX<Scalar>(0, 0), 1, {"X has 0"}); }
  SECTION("a single sample (sklearn needs at least 2)") {
    rejects(two_blobs<Scalar>(1), 1, {"X has 1 rows", "at least 2"});
  }
  SECTION("fewer samples than components") {
    rejects(two_blobs<Scalar>(3), 4, {"n_components = 4", "n_samples = 3"});
    rejects(two_blobs<Scalar>(2), 3, {"n_components = 3", "n_samples = 2"});
  }
  SECTION("an n_components larger than any data is rejected before anything is allocated") {
    rejects(two_blobs<Scalar>(8), std::numeric_limits<int>::max(),
            {"n_components = 2147483647", "n_samples = 8"});
  }
  SECTION("NaN or infinity anywhere") {
    // 600 rows: several of the library's 256-row blocks; first, middle and last cells.
    const MatrixX<Scalar> clean = two_blobs<Scalar>(600);
    const std::pair<Eigen::Index, Eigen::Index> cells[] = {{0, 0}, {300, 1}, {599, 1}, {257, 0}};
    const std::pair<Scalar, std::string> values[] = {
        {nan<Scalar>(), "nan"}, {inf<Scalar>(), "inf"}, {-inf<Scalar>(), "-inf"}};
    for (const auto& cell : cells) {
      for (const auto& value : values) {
        MatrixX<Scalar> X = clean;
        X(cell.first, cell.second) = value.first;
        rejects(X, 2,
                {"X(" + std::to_string(cell.first) + ", " + std::to_string(cell.second) +
                     ") = " + value.second,
                 "NaN or infinity"});
      }
    }
  }
  SECTION("a fixed-Dim model given data with another number of columns") {
    if (kDim != Eigen::Dynamic) {
      rejects(two_blobs<Scalar>(20, 3), 2, {"X has 3 columns", "Dim = 2"});
      rejects(two_blobs<Scalar>(20, 1), 2, {"X has 1 columns", "Dim = 2"});
    } else {
      // A runtime-dimension model accepts any positive number of features.
      TestType gmm(mixture_options<TestType>(2));
      CHECK_NOTHROW(gmm.fit(two_blobs<Scalar>(20, 3)));
      CHECK(gmm.n_features_in() == 3);
    }
  }
}

// =============================================================================================
// Bad data given to the methods of a fitted model

TEMPLATE_TEST_CASE("GaussianMixture's predict-like methods reject bad data with InvalidArgument",
                   "[errors][gaussian_mixture]", emgmm::GaussianMixtureXf, emgmm::GaussianMixtureXd,
                   emgmm::GaussianMixture2f, emgmm::GaussianMixture2d) {
  using Scalar = ScalarOf<TestType>;
  const TestType gmm = fitted_mixture<TestType>();
  const MatrixX<Scalar> good = two_blobs<Scalar>(12);

  using Method = std::function<void(const MatrixX<Scalar>&)>;
  const std::vector<std::pair<std::string, Method>> methods = {
      {"predict", [&](const MatrixX<Scalar>& X) { (void)gmm.predict(X); }},
      {"predict_proba", [&](const MatrixX<Scalar>& X) { (void)gmm.predict_proba(X); }},
      {"score_samples", [&](const MatrixX<Scalar>& X) { (void)gmm.score_samples(X); }},
      {"score", [&](const MatrixX<Scalar>& X) { (void)gmm.score(X); }},
      {"bic", [&](const MatrixX<Scalar>& X) { (void)gmm.bic(X); }},
      {"aic", [&](const MatrixX<Scalar>& X) { (void)gmm.aic(X); }},
  };

  MatrixX<Scalar> with_nan = good;
  with_nan(11, 1) = nan<Scalar>();
  MatrixX<Scalar> with_inf = good;
  with_inf(0, 1) = inf<Scalar>();
  MatrixX<Scalar> with_minus_inf = good;
  with_minus_inf(5, 0) = -inf<Scalar>();
  const std::vector<std::pair<MatrixX<Scalar>, std::vector<std::string>>> bad = {
      {MatrixX<Scalar>(0, 2), {"X has 0 rows"}},
      {MatrixX<Scalar>(4, 0), {"X has 0 columns"}},
      {with_nan, {"X(11, 1) = nan", "NaN or infinity"}},
      {with_inf, {"X(0, 1) = inf", "NaN or infinity"}},
      {with_minus_inf, {"X(5, 0) = -inf", "NaN or infinity"}},
      // More or fewer features than fitted (for Dim = 2 also a Dim mismatch).
      {two_blobs<Scalar>(6, 3), {"X has 3", "2"}},
      {two_blobs<Scalar>(6, 1), {"X has 1", "2"}},
  };

  for (const auto& method : methods) {
    INFO("GaussianMixture::" << method.first);
    CHECK_NOTHROW(method.second(good));
    for (const auto& data : bad) {
      const Outcome outcome = outcome_of([&] { method.second(data.first); });
      INFO("on " << data.first.rows() << " x " << data.first.cols() << " data");
      INFO("message: " << outcome.message);
      CHECK(outcome.kind == Thrown::invalid_argument);
      for (const std::string& needle : data.second) {
        INFO("the message should contain: \"" << needle << "\"");
        CHECK(contains(outcome.message, needle));
      }
      // The message names the method the user called, not the one it delegates to
      // (style: "the message names the function").
      INFO("the message should name GaussianMixture::" << method.first);
      CHECK(contains(outcome.message, "GaussianMixture::" + method.first + ":"));
    }
  }
}

TEMPLATE_TEST_CASE(
    "GaussianMixture::covariance(k), precision(k) and sample(n) reject "
    "out-of-range arguments",
    "[errors][gaussian_mixture]", emgmm::GaussianMixtureXf, emgmm::GaussianMixtureXd,
    emgmm::GaussianMixture2f, emgmm::GaussianMixture2d) {
  using Scalar = ScalarOf<TestType>;
  for (const CovarianceType type : kAllTypes) {
    INFO("covariance_type " << emgmm::to_string(type));
    const TestType gmm = fitted_mixture<TestType>(type);
    CHECK_NOTHROW(gmm.covariance(0));
    CHECK_NOTHROW(gmm.precision(1));
    CHECK_INVALID(gmm.covariance(-1), "GaussianMixture::covariance:", "k = -1", "n_components = 2");
    CHECK_INVALID(gmm.covariance(2), "GaussianMixture::covariance:", "k = 2", "n_components = 2");
    CHECK_INVALID(gmm.precision(2), "GaussianMixture::precision:", "k = 2", "n_components = 2");
    CHECK_INVALID(gmm.precision(-7), "GaussianMixture::precision:", "k = -7");
    CHECK_INVALID(gmm.covariance(std::numeric_limits<Eigen::Index>::max()),
                  "k = 9223372036854775807");
  }

  const TestType gmm = fitted_mixture<TestType>();
  CHECK(gmm.sample().X.rows() == 1);
  CHECK(gmm.sample(3).y.size() == 3);
  CHECK_INVALID(gmm.sample(0), "GaussianMixture::sample:", "n_samples = 0");
  CHECK_INVALID(gmm.sample(-1), "GaussianMixture::sample:", "n_samples = -1");
  CHECK_INVALID(gmm.sample(std::numeric_limits<Eigen::Index>::min()), "n_samples = -");
  // Too many points to address: an InvalidArgument up front, not std::bad_alloc, a wrapped
  // size or an endless loop.
  const Eigen::Index max = std::numeric_limits<Eigen::Index>::max();
  CHECK_INVALID(gmm.sample(max), "GaussianMixture::sample:", "n_samples = 9223372036854775807");
  CHECK_INVALID(gmm.sample(max / 2), "GaussianMixture::sample:", "n_samples = 4611686018427387903");
  const Eigen::Index first_too_many = max / 2 / Eigen::Index(sizeof(Scalar)) + 1;
  CHECK_INVALID(gmm.sample(first_too_many),
                "GaussianMixture::sample:", "n_samples = " + std::to_string(first_too_many));
}

// =============================================================================================
// Invalid options

TEMPLATE_TEST_CASE(
    "GaussianMixture::fit rejects every invalid option with InvalidArgument "
    "naming it and its value",
    "[errors][gaussian_mixture]", emgmm::GaussianMixtureXf, emgmm::GaussianMixtureXd,
    emgmm::GaussianMixture2f, emgmm::GaussianMixture2d) {
  using Scalar = ScalarOf<TestType>;
  using Options = typename TestType::Options;
  const MatrixX<Scalar> X = two_blobs<Scalar>();

  const auto rejects = [&](const Options& options, std::initializer_list<std::string> needles) {
    TestType gmm(options);
    const Outcome outcome = outcome_of([&] { gmm.fit(X); });
    INFO("message: " << outcome.message);
    CHECK(outcome.kind == Thrown::invalid_argument);
    CHECK(contains(outcome.message, "GaussianMixture::fit:"));
    for (const std::string& needle : needles) {
      INFO("the message should contain: \"" << needle << "\"");
      CHECK(contains(outcome.message, needle));
    }
    CHECK_FALSE(gmm.is_fitted());
  };
  const auto with = [](auto change) {
    Options options = mixture_options<TestType>(2);
    change(options);
    return options;
  };

  // The unchanged options fit: each failure below is the one option's doing.
  TestType control(mixture_options<TestType>(2));
  REQUIRE_NOTHROW(control.fit(X));

  SECTION("n_components < 1") {
    rejects(with([](Options& o) { o.n_components = 0; }), {"n_components = 0", ">= 1"});
    rejects(with([](Options& o) { o.n_components = -1; }), {"n_components = -1", ">= 1"});
    CHECK_INVALID(TestType(0).fit(X), "n_components = 0");
  }
  SECTION("tol negative, NaN or infinite") {
    rejects(with([](Options& o) { o.tol = -0.5; }), {"tol = -0.5"});
    rejects(with([](Options& o) { o.tol = std::nan(""); }), {"tol = nan"});
    rejects(with([](Options& o) { o.tol = HUGE_VAL; }), {"tol = inf"});
    rejects(with([](Options& o) { o.tol = -HUGE_VAL; }), {"tol = -inf"});
    rejects(with([](Options& o) { o.tol = -std::numeric_limits<double>::denorm_min(); }),
            {"tol = -"});
  }
  SECTION("reg_covar negative, NaN or infinite") {
    rejects(with([](Options& o) { o.reg_covar = -1.0; }), {"reg_covar = -1"});
    rejects(with([](Options& o) { o.reg_covar = -1e-6; }), {"reg_covar = -"});
    rejects(with([](Options& o) { o.reg_covar = std::nan(""); }), {"reg_covar = nan"});
    rejects(with([](Options& o) { o.reg_covar = HUGE_VAL; }), {"reg_covar = inf"});
  }
  SECTION("max_iter < 0") {
    rejects(with([](Options& o) { o.max_iter = -1; }), {"max_iter = -1"});
    rejects(with([](Options& o) { o.max_iter = std::numeric_limits<int>::min(); }),
            {"max_iter = -2147483648"});
  }
  SECTION("n_init < 1") {
    rejects(with([](Options& o) { o.n_init = 0; }), {"n_init = 0", ">= 1"});
    rejects(with([](Options& o) { o.n_init = -3; }), {"n_init = -3"});
  }
  SECTION("verbose_interval < 1") {
    rejects(with([](Options& o) { o.verbose_interval = 0; }), {"verbose_interval = 0"});
    rejects(with([](Options& o) { o.verbose_interval = -1; }), {"verbose_interval = -1"});
  }
  SECTION("verbose < 0 (sklearn: verbose is an int >= 0)") {
    rejects(with([](Options& o) { o.verbose = -1; }), {"verbose = -1"});
  }
  SECTION("enum values out of range, cast in") {
    rejects(with([](Options& o) { o.covariance_type = static_cast<CovarianceType>(4); }),
            {"covariance_type = 4", "full"});
    rejects(with([](Options& o) { o.covariance_type = static_cast<CovarianceType>(-1); }),
            {"covariance_type = -1"});
    rejects(with([](Options& o) { o.init_params = static_cast<InitParams>(4); }),
            {"init_params = 4", "kmeans"});
    rejects(with([](Options& o) { o.init_params = static_cast<InitParams>(-1); }),
            {"init_params = -1"});
  }
  SECTION("a reg_covar the Scalar cannot hold") {
    // 1e39 is a finite double but overflows float: the covariances would all be infinite, and a
    // NumericalError saying "increase reg_covar" would send the user the wrong way.
    if (std::is_same<Scalar, float>::value) {
      rejects(with([](Options& o) { o.reg_covar = 1e39; }), {"reg_covar = 1e+39"});
    } else {
      TestType gmm(with([](Options& o) { o.reg_covar = 1e300; }));
      CHECK_NOTHROW(gmm.fit(X));
    }
  }
}

TEMPLATE_TEST_CASE(
    "GaussianMixture::fit rejects invalid weights_init, means_init and "
    "precisions_init",
    "[errors][gaussian_mixture]", emgmm::GaussianMixtureXf, emgmm::GaussianMixtureXd,
    emgmm::GaussianMixture2f, emgmm::GaussianMixture2d) {
  using Scalar = ScalarOf<TestType>;
  using Options = typename TestType::Options;
  using Vector = typename TestType::Vector;
  using Means = typename TestType::Means;
  constexpr bool kDynamic = TestType::Means::ColsAtCompileTime == Eigen::Dynamic;
  const MatrixX<Scalar> X = two_blobs<Scalar>();

  const auto rejects = [&](const Options& options, std::initializer_list<std::string> needles) {
    TestType gmm(options);
    const Outcome outcome = outcome_of([&] { gmm.fit(X); });
    INFO("covariance_type " << emgmm::to_string(options.covariance_type));
    INFO("message: " << outcome.message);
    CHECK(outcome.kind == Thrown::invalid_argument);
    CHECK(contains(outcome.message, "GaussianMixture::fit:"));
    for (const std::string& needle : needles) {
      INFO("the message should contain: \"" << needle << "\"");
      CHECK(contains(outcome.message, needle));
    }
    CHECK_FALSE(gmm.is_fitted());
  };
  const auto weights = [](std::initializer_list<Scalar> values) {
    Vector w(Eigen::Index(values.size()));
    Eigen::Index i = 0;
    for (const Scalar v : values) w(i++) = v;
    Options options = mixture_options<TestType>(2);
    options.weights_init = w;
    return options;
  };
  const auto means = [](const Means& m) {
    Options options = mixture_options<TestType>(2);
    options.means_init = m;
    return options;
  };
  const auto precisions = [](CovarianceType type, const MatrixX<Scalar>& p) {
    Options options = mixture_options<TestType>(2, type);
    options.precisions_init = p;
    return options;
  };

  SECTION("valid starts fit: the failures below are the invalid values' doing") {
    for (const CovarianceType type : kAllTypes) {
      Options options = precisions(type, valid_precisions<Scalar>(type));
      options.weights_init = Vector::Constant(2, Scalar(0.5));
      Means m(2, 2);
      m << 0, 0, 6, 6;
      options.means_init = m;
      TestType gmm(options);
      INFO("covariance_type " << emgmm::to_string(type));
      CHECK_NOTHROW(gmm.fit(X));
      CHECK(gmm.is_fitted());
    }
    TestType with_zero_weight(weights({Scalar(0), Scalar(1)}));
    CHECK_NOTHROW(with_zero_weight.fit(X));
  }

  SECTION("weights_init") {
    rejects(weights({Scalar(1)}), {"weights_init has 1 values", "n_components = 2"});
    rejects(weights({Scalar(0.25), Scalar(0.25), Scalar(0.5)}), {"weights_init has 3 values"});
    rejects(weights({}), {"weights_init has 0 values"});
    rejects(weights({Scalar(-0.25), Scalar(1.25)}), {"weights_init(0) = -0.25", "[0, 1]"});
    rejects(weights({Scalar(1.5), Scalar(-0.5)}), {"weights_init(0) = 1.5", "[0, 1]"});
    rejects(weights({Scalar(0.5), Scalar(1.5)}), {"weights_init(1) = 1.5"});
    rejects(weights({Scalar(0.25), Scalar(0.25)}), {"weights_init", "sums to 0.5", "normalized"});
    rejects(weights({Scalar(0.75), Scalar(0.75)}), {"weights_init", "sums to 1.5"});
    rejects(weights({Scalar(0), Scalar(0)}), {"weights_init", "sums to 0"});
    rejects(weights({nan<Scalar>(), Scalar(0.5)}), {"weights_init(0) = nan"});
    rejects(weights({Scalar(0.5), nan<Scalar>()}), {"weights_init(1) = nan"});
    rejects(weights({Scalar(0.5), inf<Scalar>()}), {"weights_init(1) = inf"});
  }

  SECTION("means_init") {
    rejects(means(Means::Zero(3, 2)), {"means_init has shape (3 x 2)", "(2 x 2)"});
    rejects(means(Means::Zero(1, 2)), {"means_init has shape (1 x 2)", "(2 x 2)"});
    rejects(means(Means::Zero(0, 2)), {"means_init has shape (0 x 2)"});
    if constexpr (kDynamic) {
      // A fixed-Dim Means cannot even hold another number of columns.
      rejects(means(Means::Zero(2, 3)), {"means_init has shape (2 x 3)", "(2 x 2)"});
      rejects(means(Means::Zero(2, 1)), {"means_init has shape (2 x 1)"});
    }
    Means m = Means::Zero(2, 2);
    m(1, 1) = nan<Scalar>();
    rejects(means(m), {"means_init", "NaN"});
    m(1, 1) = -inf<Scalar>();
    rejects(means(m), {"means_init", "infinity"});
  }

  SECTION("precisions_init of the wrong shape for its covariance_type") {
    struct Shape {
      CovarianceType type;
      Eigen::Index rows, cols;
    };
    const Shape wrong[] = {
        {CovarianceType::full, 2, 2},      {CovarianceType::full, 4, 3},
        {CovarianceType::full, 6, 2},      {CovarianceType::full, 4, 1},
        {CovarianceType::tied, 4, 2},      {CovarianceType::tied, 3, 3},
        {CovarianceType::tied, 2, 1},      {CovarianceType::diag, 2, 1},
        {CovarianceType::diag, 3, 2},      {CovarianceType::diag, 2, 3},
        {CovarianceType::diag, 4, 2},      {CovarianceType::spherical, 2, 2},
        {CovarianceType::spherical, 3, 1}, {CovarianceType::spherical, 1, 1},
        {CovarianceType::spherical, 0, 0},
    };
    for (const Shape& shape : wrong) {
      const MatrixX<Scalar> p = MatrixX<Scalar>::Identity(shape.rows, shape.cols);
      rejects(precisions(shape.type, p),
              {"precisions_init has shape (" + std::to_string(shape.rows) + " x " +
                   std::to_string(shape.cols) + ")",
               std::string("'") + emgmm::to_string(shape.type) + "'"});
    }
  }

  SECTION("full and tied precisions_init that are not symmetric positive definite") {
    for (const CovarianceType type : {CovarianceType::full, CovarianceType::tied}) {
      const Eigen::Index blocks = type == CovarianceType::full ? 2 : 1;
      const auto stack = [&](const Eigen::Matrix<Scalar, 2, 2>& bad, Eigen::Index at) {
        MatrixX<Scalar> p = valid_precisions<Scalar>(type);
        p.middleRows(2 * at, 2) = bad;
        return p;
      };
      Eigen::Matrix<Scalar, 2, 2> not_symmetric, indefinite, zero, negative, singular;
      not_symmetric << 2, 1, 0, 2;  // positive diagonal and Cholesky, but not symmetric
      indefinite << 1, 2, 2, 1;     // eigenvalues 3 and -1
      zero.setZero();
      negative << -1, 0, 0, -1;
      singular << 1, 1, 1, 1;
      for (Eigen::Index at = 0; at < blocks; ++at) {
        const std::string component = "component " + std::to_string(at);
        INFO("bad block " << at);
        rejects(precisions(type, stack(not_symmetric, at)),
                {"precisions_init", "symmetric, positive-definite", component});
        rejects(precisions(type, stack(indefinite, at)),
                {"precisions_init", "positive-definite", component});
        rejects(precisions(type, stack(zero, at)),
                {"precisions_init", "positive-definite", component});
        rejects(precisions(type, stack(negative, at)),
                {"precisions_init", "positive-definite", component});
        rejects(precisions(type, stack(singular, at)),
                {"precisions_init", "positive-definite", component});
      }
    }
  }

  SECTION("diag and spherical precisions_init with zero or negative entries") {
    for (const CovarianceType type : {CovarianceType::diag, CovarianceType::spherical}) {
      for (const Scalar bad : {Scalar(0), Scalar(-1), -std::numeric_limits<Scalar>::min()}) {
        MatrixX<Scalar> p = valid_precisions<Scalar>(type);
        p(1, p.cols() - 1) = bad;
        rejects(precisions(type, p), {"precisions_init", "positive"});
      }
    }
  }

  SECTION("precisions_init with NaN or infinity") {
    for (const CovarianceType type : kAllTypes) {
      for (const Scalar bad : {nan<Scalar>(), inf<Scalar>(), -inf<Scalar>()}) {
        MatrixX<Scalar> p = valid_precisions<Scalar>(type);
        p(p.rows() - 1, 0) = bad;
        rejects(precisions(type, p), {"precisions_init", "NaN or infinity"});
      }
    }
  }
}

TEMPLATE_TEST_CASE(
    "GaussianMixture: a precisions_init so small that its covariance overflows "
    "gives no infinite fitted covariances",
    "[errors][gaussian_mixture]", emgmm::GaussianMixtureXf, emgmm::GaussianMixtureXd,
    emgmm::GaussianMixture2f, emgmm::GaussianMixture2d) {
  using Scalar = ScalarOf<TestType>;
  // A positive (subnormal) precision passes validation, but its inverse, the covariance, is
  // infinite. With max_iter = 0 no M-step replaces it, so fit() would publish it. Either
  // rejecting it (InvalidArgument naming precisions_init) or fitting finite values is fine.
  const Scalar tiny = std::numeric_limits<Scalar>::denorm_min() * Scalar(16);
  const MatrixX<Scalar> X = two_blobs<Scalar>();
  for (const CovarianceType type : kAllTypes) {
    INFO("covariance_type " << emgmm::to_string(type));
    MatrixX<Scalar> p = valid_precisions<Scalar>(type);
    if (type == CovarianceType::full || type == CovarianceType::tied) {
      p.topRows(2) = tiny * MatrixX<Scalar>::Identity(2, 2);
    } else {
      p.row(0).setConstant(tiny);
    }
    auto options = mixture_options<TestType>(2, type);
    options.precisions_init = p;
    options.max_iter = 0;
    TestType gmm(options);
    const Outcome outcome = outcome_of([&] { gmm.fit(X); });
    INFO("message: " << outcome.message);
    if (outcome.kind == Thrown::nothing) {
      CHECK(gmm.covariances().allFinite());
      CHECK(gmm.precisions().allFinite());
      CHECK(gmm.sample(4).X.allFinite());
    } else {
      CHECK(outcome.kind == Thrown::invalid_argument);
      CHECK(contains(outcome.message, "precisions_init"));
    }
  }
}

// =============================================================================================
// Numerical failure

TEMPLATE_TEST_CASE(
    "GaussianMixture: a covariance that is not positive definite is a "
    "NumericalError that says to change reg_covar or n_components",
    "[errors][gaussian_mixture]", emgmm::GaussianMixtureXf, emgmm::GaussianMixtureXd,
    emgmm::GaussianMixture2f, emgmm::GaussianMixture2d) {
  using Scalar = ScalarOf<TestType>;
  const auto numerical = [](const typename TestType::Options& options, const MatrixX<Scalar>& X) {
    for (const bool via_fit_predict : {false, true}) {
      TestType gmm(options);
      const Outcome outcome = outcome_of([&] {
        if (via_fit_predict) {
          (void)gmm.fit_predict(X);
        } else {
          gmm.fit(X);
        }
      });
      INFO("covariance_type " << emgmm::to_string(options.covariance_type) << ", n_components "
                              << options.n_components
                              << (via_fit_predict ? ", fit_predict" : ", fit"));
      INFO("message: " << outcome.message);
      CHECK(outcome.kind == Thrown::numerical);
      CHECK(contains(outcome.message, "reg_covar"));
      CHECK(contains(outcome.message, "n_components"));
      CHECK(contains(outcome.message,
                     via_fit_predict ? "GaussianMixture::fit_predict:" : "GaussianMixture::fit:"));
      CHECK_FALSE(gmm.is_fitted());
    }
  };

  SECTION("reg_covar = 0 and every point the same") {
    const MatrixX<Scalar> same = MatrixX<Scalar>::Constant(6, 2, Scalar(3));
    for (const CovarianceType type : kAllTypes) {
      for (const int n_components : {1, 2}) {
        auto options = mixture_options<TestType>(n_components, type);
        options.reg_covar = 0.0;
        numerical(options, same);
      }
    }
  }
  SECTION("reg_covar = 0 and a component on identical points") {
    // Four distinct points about the origin, four copies of (5, 5): the second component
    // collapses. Not for tied, whose one covariance pools both groups. The far points'
    // responsibilities are exactly 0 (the E-step flushes what Eigen's clamped exp leaves, about
    // 1e-38 in float), so float diag and spherical report the collapse too. (scikit-learn
    // 1.2.1 raises for full; for diag and spherical its uncentered formula leaves a variance of
    // rounding noise, 7e-15, and it "fits" in float64 and float32 alike.)
    MatrixX<Scalar> X = two_blobs<Scalar>(8);
    for (Eigen::Index i = 4; i < 8; ++i) X.row(i) << Scalar(5), Scalar(5);
    for (Eigen::Index i = 0; i < 4; ++i) X.row(i) = two_blobs<Scalar>(8).row(2 * i);
    for (const CovarianceType type :
         {CovarianceType::full, CovarianceType::diag, CovarianceType::spherical}) {
      auto options = mixture_options<TestType>(2, type);
      options.reg_covar = 0.0;
      numerical(options, X);
    }
  }
  SECTION("the default reg_covar makes the same data fit") {
    const MatrixX<Scalar> same = MatrixX<Scalar>::Constant(6, 2, Scalar(3));
    for (const CovarianceType type : kAllTypes) {
      TestType gmm(mixture_options<TestType>(2, type));
      INFO("covariance_type " << emgmm::to_string(type));
      REQUIRE_NOTHROW(gmm.fit(same));
      CHECK(gmm.covariances().allFinite());
      // Each variance is reg_covar itself (to float's precision).
      const MatrixX<Scalar> c0 = gmm.covariance(0);
      CHECK(double(c0(0, 0)) == Approx(1e-6).epsilon(1e-3));
    }
  }
}

// =============================================================================================
// Exception safety: a fit that throws leaves a fitted model exactly as it was

namespace {

template <typename Model>
struct MixtureSnapshot {
  using Scalar = ScalarOf<Model>;
  typename Model::Vector weights;
  typename Model::Means means;
  typename Model::Matrix covariances, precisions, precisions_cholesky;
  MatrixX<Scalar> each_covariance, each_precision;  // covariance(k), precision(k) stacked
  bool converged = false;
  int n_iter = 0;
  double lower_bound = 0.0;
  Eigen::Index n_features_in = 0;
  Eigen::Index n_parameters = 0;
  typename Model::Labels labels;
  typename Model::Matrix proba;
  typename Model::Vector log_density;
  double score = 0.0;
  double bic = 0.0;
  typename Model::Data sample_X;
  typename Model::Labels sample_y;

  explicit MixtureSnapshot(const Model& gmm) {
    REQUIRE(gmm.is_fitted());
    weights = gmm.weights();
    means = gmm.means();
    covariances = gmm.covariances();
    precisions = gmm.precisions();
    precisions_cholesky = gmm.precisions_cholesky();
    const Eigen::Index K = weights.size();
    const Eigen::Index D = gmm.n_features_in();
    each_covariance.resize(K * D, D);
    each_precision.resize(K * D, D);
    for (Eigen::Index k = 0; k < K; ++k) {
      each_covariance.middleRows(k * D, D) = gmm.covariance(k);
      each_precision.middleRows(k * D, D) = gmm.precision(k);
    }
    converged = gmm.converged();
    n_iter = gmm.n_iter();
    lower_bound = gmm.lower_bound();
    n_features_in = gmm.n_features_in();
    n_parameters = gmm.n_parameters();
    const MatrixX<Scalar> probe = probe_points<Scalar>();
    labels = gmm.predict(probe);
    proba = gmm.predict_proba(probe);
    log_density = gmm.score_samples(probe);
    score = gmm.score(probe);
    bic = gmm.bic(probe);
    auto samples = gmm.sample(6);
    sample_X = samples.X;
    sample_y = samples.y;
  }
};

template <typename Model>
void check_unchanged(const MixtureSnapshot<Model>& before, const Model& gmm) {
  REQUIRE(gmm.is_fitted());
  const MixtureSnapshot<Model> after(gmm);
  CHECK(bit_identical(before.weights, after.weights));
  CHECK(bit_identical(before.means, after.means));
  CHECK(bit_identical(before.covariances, after.covariances));
  CHECK(bit_identical(before.precisions, after.precisions));
  CHECK(bit_identical(before.precisions_cholesky, after.precisions_cholesky));
  CHECK(bit_identical(before.each_covariance, after.each_covariance));
  CHECK(bit_identical(before.each_precision, after.each_precision));
  CHECK(before.converged == after.converged);
  CHECK(before.n_iter == after.n_iter);
  CHECK(bit_identical(before.lower_bound, after.lower_bound));
  CHECK(before.n_features_in == after.n_features_in);
  CHECK(before.n_parameters == after.n_parameters);
  CHECK(bit_identical(before.labels, after.labels));
  CHECK(bit_identical(before.proba, after.proba));
  CHECK(bit_identical(before.log_density, after.log_density));
  CHECK(bit_identical(before.score, after.score));
  CHECK(bit_identical(before.bic, after.bic));
  CHECK(bit_identical(before.sample_X, after.sample_X));
  CHECK(bit_identical(before.sample_y, after.sample_y));
}

}  // namespace

TEMPLATE_TEST_CASE(
    "GaussianMixture: a refit that throws leaves every fitted attribute "
    "bit-identical",
    "[errors][gaussian_mixture]", emgmm::GaussianMixtureXf, emgmm::GaussianMixtureXd,
    emgmm::GaussianMixture2f, emgmm::GaussianMixture2d) {
  using Scalar = ScalarOf<TestType>;
  using Options = typename TestType::Options;
  constexpr bool kDynamic = TestType::Means::ColsAtCompileTime == Eigen::Dynamic;
  const CovarianceType type = GENERATE(CovarianceType::full, CovarianceType::tied,
                                       CovarianceType::diag, CovarianceType::spherical);
  INFO("covariance_type " << emgmm::to_string(type));
  const Options original = mixture_options<TestType>(2, type);
  TestType gmm(original);
  gmm.fit(two_blobs<Scalar>());
  const MixtureSnapshot<TestType> before(gmm);

  // Refits with `options` on `X`, expects `kind`, restores the options, and compares.
  const auto refit_fails = [&](const Options& options, const MatrixX<Scalar>& X, Thrown kind,
                               const std::string& needle) {
    for (const bool via_fit_predict : {false, true}) {
      gmm.set_params(options);
      const Outcome outcome = outcome_of([&] {
        if (via_fit_predict) {
          (void)gmm.fit_predict(X);
        } else {
          gmm.fit(X);
        }
      });
      gmm.set_params(original);
      INFO((via_fit_predict ? "fit_predict" : "fit") << " on " << X.rows() << " x " << X.cols());
      INFO("message: " << outcome.message);
      CHECK(outcome.kind == kind);
      CHECK(contains(outcome.message, needle));
      check_unchanged(before, gmm);
    }
  };
  const auto with = [&](auto change) {
    Options options = original;
    change(options);
    return options;
  };
  const MatrixX<Scalar> X = two_blobs<Scalar>(30);

  SECTION("bad data") {
    MatrixX<Scalar> with_nan = X;
    with_nan(17, 0) = nan<Scalar>();
    refit_fails(original, with_nan, Thrown::invalid_argument, "X(17, 0) = nan");
    MatrixX<Scalar> with_inf = X;
    with_inf(29, 1) = inf<Scalar>();
    refit_fails(original, with_inf, Thrown::invalid_argument, "X(29, 1) = inf");
    refit_fails(original, MatrixX<Scalar>(0, 2), Thrown::invalid_argument, "X has 0 rows");
    refit_fails(original, MatrixX<Scalar>(8, 0), Thrown::invalid_argument, "X has 0 columns");
    refit_fails(original, two_blobs<Scalar>(1), Thrown::invalid_argument, "X has 1 rows");
    refit_fails(with([](Options& o) { o.n_components = 5; }), two_blobs<Scalar>(4),
                Thrown::invalid_argument, "n_components = 5");
    if (!kDynamic) {
      refit_fails(original, two_blobs<Scalar>(20, 3), Thrown::invalid_argument, "Dim = 2");
    }
  }
  SECTION("bad options") {
    refit_fails(with([](Options& o) { o.n_components = 0; }), X, Thrown::invalid_argument,
                "n_components = 0");
    refit_fails(with([](Options& o) { o.reg_covar = -1.0; }), X, Thrown::invalid_argument,
                "reg_covar = -1");
    refit_fails(with([](Options& o) { o.tol = std::nan(""); }), X, Thrown::invalid_argument,
                "tol = nan");
    refit_fails(with([](Options& o) { o.n_init = 0; }), X, Thrown::invalid_argument, "n_init = 0");
    refit_fails(with([](Options& o) { o.covariance_type = static_cast<CovarianceType>(9); }), X,
                Thrown::invalid_argument, "covariance_type = 9");
    refit_fails(
        with([](Options& o) { o.weights_init = TestType::Vector::Constant(2, Scalar(0.7)); }), X,
        Thrown::invalid_argument, "weights_init");
    refit_fails(with([](Options& o) { o.means_init = TestType::Means::Zero(3, 2); }), X,
                Thrown::invalid_argument, "means_init");
    refit_fails(with([&](Options& o) {
                  MatrixX<Scalar> p = valid_precisions<Scalar>(type);
                  p(0, 0) = -p(0, 0);
                  o.precisions_init = p;
                }),
                X, Thrown::invalid_argument, "precisions_init");
  }
  SECTION("a covariance that is not positive definite") {
    const MatrixX<Scalar> same = MatrixX<Scalar>::Constant(10, 2, Scalar(-2));
    refit_fails(with([](Options& o) { o.reg_covar = 0.0; }), same, Thrown::numerical, "reg_covar");
  }
  SECTION("warm_start that does not match the fitted model") {
    refit_fails(with([](Options& o) {
                  o.warm_start = true;
                  o.n_components = 3;
                }),
                X, Thrown::invalid_argument, "warm_start");
    if (kDynamic) {
      refit_fails(with([](Options& o) { o.warm_start = true; }), two_blobs<Scalar>(30, 3),
                  Thrown::invalid_argument, "warm_start");
    }
  }
  SECTION("a progress callback that throws") {
    refit_fails(with([](Options& o) {
                  o.tol = 0.0;
                  o.callback = [](const emgmm::IterationInfo& info) -> bool {
                    if (info.iteration >= 2) throw std::runtime_error("stopped by the callback");
                    return true;
                  };
                }),
                X, Thrown::other, "stopped by the callback");
  }

  // And the model still refits normally afterwards.
  CHECK_NOTHROW(gmm.fit(X));
  CHECK(gmm.n_features_in() == 2);
}

// =============================================================================================
// Not converging is not an error

TEMPLATE_TEST_CASE("GaussianMixture: not converging is reported by converged(), not thrown",
                   "[errors][gaussian_mixture]", emgmm::GaussianMixtureXf, emgmm::GaussianMixtureXd,
                   emgmm::GaussianMixture2f, emgmm::GaussianMixture2d) {
  using Scalar = ScalarOf<TestType>;
  const MatrixX<Scalar> X = two_blobs<Scalar>();
  for (const CovarianceType type : kAllTypes) {
    INFO("covariance_type " << emgmm::to_string(type));
    SECTION(std::string("max_iter = 1, tol = 0: ") + emgmm::to_string(type)) {
      auto options = mixture_options<TestType>(2, type);
      options.max_iter = 1;
      options.tol = 0.0;
      TestType gmm(options);
      REQUIRE_NOTHROW(gmm.fit(X));
      CHECK_FALSE(gmm.converged());
      CHECK(gmm.n_iter() == 1);
      CHECK(std::isfinite(gmm.lower_bound()));
      CHECK(gmm.weights().allFinite());
      CHECK(gmm.predict(X).size() == X.rows());
    }
    SECTION(std::string("max_iter = 0 only initializes: ") + emgmm::to_string(type)) {
      auto options = mixture_options<TestType>(2, type);
      options.max_iter = 0;
      TestType gmm(options);
      REQUIRE_NOTHROW(gmm.fit(X));
      CHECK_FALSE(gmm.converged());
      CHECK(gmm.n_iter() == 0);
      CHECK(gmm.means().allFinite());
      CHECK(gmm.precisions_cholesky().allFinite());
    }
    SECTION(std::string("a callback that stops the fit: ") + emgmm::to_string(type)) {
      auto options = mixture_options<TestType>(2, type);
      options.tol = 0.0;
      options.callback = [](const emgmm::IterationInfo&) { return false; };
      TestType gmm(options);
      REQUIRE_NOTHROW(gmm.fit(X));
      CHECK_FALSE(gmm.converged());
      CHECK(gmm.n_iter() == 1);
    }
  }
  // KMeans too: one Lloyd iteration is a result, not an error.
  emgmm::KMeans<Scalar, TestType::Means::ColsAtCompileTime> kmeans(2);
  auto kmeans_opts = kmeans.get_params();
  kmeans_opts.max_iter = 1;
  kmeans_opts.tol = 0.0;
  kmeans_opts.random_state = 3;
  kmeans.set_params(kmeans_opts);
  REQUIRE_NOTHROW(kmeans.fit(X));
  CHECK(kmeans.n_iter() == 1);
}

// =============================================================================================
// Extreme but finite input never gives garbage

TEMPLATE_TEST_CASE(
    "GaussianMixture: a point so far away that every density underflows has "
    "log-density -inf, not a finite number",
    "[errors][gaussian_mixture]", emgmm::GaussianMixtureXf, emgmm::GaussianMixtureXd,
    emgmm::GaussianMixture2f, emgmm::GaussianMixture2d) {
  using Scalar = ScalarOf<TestType>;
  // Finite in Scalar, but its squared distance to every mean overflows: log N = -inf under
  // every component. log_sum_exp.hpp documents the result: log p(x) = -inf, all of the
  // responsibility on the first component, never NaN.
  const Scalar far = std::numeric_limits<Scalar>::max() / Scalar(4);
  for (const CovarianceType type : kAllTypes) {
    INFO("covariance_type " << emgmm::to_string(type));
    const TestType gmm = fitted_mixture<TestType>(type);
    MatrixX<Scalar> X = probe_points<Scalar>();
    X(2, 0) = far;
    const typename TestType::Vector log_density = gmm.score_samples(X);
    const typename TestType::Matrix proba = gmm.predict_proba(X);
    INFO("score_samples: " << log_density.transpose());
    INFO("predict_proba row: " << proba.row(2));
    CHECK(log_density(2) == -inf<Scalar>());
    CHECK(proba.allFinite());
    CHECK(double(proba.row(2).sum()) == Approx(1.0));
    CHECK(double(proba(2, 0)) == 1.0);
    CHECK(double(proba(2, 1)) == 0.0);
    CHECK(gmm.predict(X)(2) == 0);
    // The other points are unaffected.
    CHECK(std::isfinite(double(log_density(0))));
  }
}

TEMPLATE_TEST_CASE("float models reject double data that float cannot hold, like infinity",
                   "[errors][gaussian_mixture][kmeans]", emgmm::GaussianMixtureXf,
                   emgmm::GaussianMixture2f) {
  // 1e39 and 1e300 are finite doubles but overflow float (converting them is undefined
  // behaviour in C++, infinity in practice). Without a check, fit fails with a NumericalError
  // blaming reg_covar, and predict_proba / score_samples return NaN.
  const MatrixX<double> clean = two_blobs<double>(20);
  for (const double huge : {1e39, -1e300}) {
    INFO("X(3, 1) = " << huge);
    MatrixX<double> X = clean;
    X(3, 1) = huge;
    {
      TestType gmm(mixture_options<TestType>(2));
      CHECK_INVALID(gmm.fit(X), "GaussianMixture::fit:", "X(3, 1)");
      CHECK_FALSE(gmm.is_fitted());
    }
    const TestType gmm = fitted_mixture<TestType>();
    CHECK_NOTHROW(gmm.predict(clean));
    CHECK_INVALID(gmm.predict(X), "GaussianMixture::predict:", "X(3, 1)");
    CHECK_INVALID(gmm.predict_proba(X), "GaussianMixture::predict_proba:", "X(3, 1)");
    CHECK_INVALID(gmm.score_samples(X), "GaussianMixture::score_samples:", "X(3, 1)");

    emgmm::KMeans<float, TestType::Means::ColsAtCompileTime> kmeans(2);
    CHECK_INVALID(kmeans.fit(X), "KMeans::fit:", "X(3, 1)");
    CHECK_FALSE(kmeans.is_fitted());
    kmeans.fit(clean);
    CHECK_INVALID(kmeans.predict(X), "KMeans::predict:", "X(3, 1)");
  }
}

}  // namespace emgmm_test_errors
