// Errors: every bad input to GaussianMixture and KMeans gets the documented exception with a
// message that names the function, the parameter and the value, never a crash, undefined
// behaviour or garbage output; and a fit that throws leaves a fitted model exactly as it was.
//
// Documented contract (errors.hpp, gaussian_mixture.hpp, kmeans.hpp, STYLE.md):
//   InvalidArgument (a std::invalid_argument)  invalid options or data (sklearn's ValueError)
//   NotFittedError  (a std::logic_error)        a fitted attribute or method used before fit()
//   NumericalError  (a std::runtime_error)      a covariance that is not positive definite
// all three also an emgmm::Error. Not converging is not an error: converged() says so.
//
// Every case runs for float and double, with a runtime (Eigen::Dynamic) and a compile-time
// (Dim = 2) number of features. The data are deterministic (no RNG), two well separated
// groups in 2-D.

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <emgmm/emgmm.hpp>

#include "catch.hpp"

namespace {

using emgmm::CovarianceType;
using emgmm::InitParams;

template <typename Scalar>
using MatrixX = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

template <typename Model>
using ScalarOf = typename Model::Matrix::Scalar;

// ---------------------------------------------------------------------------------------------
// What an expression threw, and its message.

enum class Thrown { nothing, invalid_argument, not_fitted, numerical, other };

struct Outcome {
  Thrown kind = Thrown::nothing;
  std::string message;
};

template <typename F>
Outcome outcome_of(F&& f) {
  try {
    f();
  } catch (const emgmm::InvalidArgument& e) {
    return {Thrown::invalid_argument, e.what()};
  } catch (const emgmm::NotFittedError& e) {
    return {Thrown::not_fitted, e.what()};
  } catch (const emgmm::NumericalError& e) {
    return {Thrown::numerical, e.what()};
  } catch (const std::exception& e) {
    return {Thrown::other, std::string("(a std::exception that is no emgmm type) ") + e.what()};
  } catch (...) {
    return {Thrown::other, "(an exception that is no std::exception)"};
  }
  return {};
}

bool contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

}  // namespace

namespace Catch {
template <>
struct StringMaker<Thrown> {
  static std::string convert(Thrown kind) {
    switch (kind) {
      case Thrown::nothing: return "nothing thrown";
      case Thrown::invalid_argument: return "emgmm::InvalidArgument";
      case Thrown::not_fitted: return "emgmm::NotFittedError";
      case Thrown::numerical: return "emgmm::NumericalError";
      case Thrown::other: return "another exception";
    }
    return "?";
  }
};
}  // namespace Catch

// Checks that `expr` throws exactly `expected` (an emgmm type, not any other exception) and that the
// message contains every one of the strings that follow (at least one).
#define CHECK_THROWS_KIND(expected, expr, ...)                                 \
  do {                                                                         \
    const Outcome outcome_ = outcome_of([&] { (void)(expr); });                \
    INFO("expression: " #expr);                                                \
    INFO("message: " << outcome_.message);                                     \
    CHECK(outcome_.kind == (expected));                                        \
    for (const std::string& needle_ : std::vector<std::string>{__VA_ARGS__}) { \
      INFO("the message should contain: \"" << needle_ << "\"");               \
      CHECK(contains(outcome_.message, needle_));                              \
    }                                                                          \
  } while (false)

#define CHECK_INVALID(expr, ...) CHECK_THROWS_KIND(Thrown::invalid_argument, expr, __VA_ARGS__)
#define CHECK_NOT_FITTED(expr, ...) CHECK_THROWS_KIND(Thrown::not_fitted, expr, __VA_ARGS__)

namespace {

// ---------------------------------------------------------------------------------------------
// Data and models.

/// n points in d dimensions: even rows about 0, odd rows about 6, spread +-0.7 by sines so that
/// every group has a non-degenerate covariance.
template <typename Scalar>
MatrixX<Scalar> two_blobs(Eigen::Index n = 40, Eigen::Index d = 2) {
  MatrixX<Scalar> X(n, d);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double center = (i % 2 == 0) ? 0.0 : 6.0;
    for (Eigen::Index j = 0; j < d; ++j) {
      X(i, j) = static_cast<Scalar>(
          center + 0.7 * std::sin(1.7 * double(i) + 2.3 * double(j) + 0.4 * double(i * j)));
    }
  }
  return X;
}

/// Points near both groups, for comparing predictions before and after a failed fit.
template <typename Scalar>
MatrixX<Scalar> probe_points() {
  MatrixX<Scalar> X(5, 2);
  X << 0, 0, 6, 6, 3, 3, -1, 7, 2.5, 3.5;
  return X;
}

template <typename Model>
typename Model::Options mixture_options(int n_components = 2,
                                        CovarianceType type = CovarianceType::full) {
  typename Model::Options options;
  options.n_components = n_components;
  options.covariance_type = type;
  options.random_state = 7;
  return options;
}

template <typename Model>
Model fitted_mixture(CovarianceType type = CovarianceType::full, int n_components = 2) {
  Model gmm(mixture_options<Model>(n_components, type));
  gmm.fit(two_blobs<ScalarOf<Model>>());
  return gmm;
}

template <typename Model>
typename Model::Options kmeans_options(int n_clusters = 2) {
  typename Model::Options options;
  options.n_clusters = n_clusters;
  options.random_state = 7;
  return options;
}

template <typename Model>
Model fitted_kmeans(int n_clusters = 2) {
  Model kmeans(kmeans_options<Model>(n_clusters));
  kmeans.fit(two_blobs<ScalarOf<Model>>());
  return kmeans;
}

/// Valid precisions_init for 2 components in 2-D, in the storage of `type`.
template <typename Scalar>
MatrixX<Scalar> valid_precisions(CovarianceType type) {
  switch (type) {
    case CovarianceType::full: {
      MatrixX<Scalar> P(4, 2);
      P << 2, 0.5, 0.5, 1, 3, 0, 0, 3;
      return P;
    }
    case CovarianceType::tied: {
      MatrixX<Scalar> P(2, 2);
      P << 2, 0.5, 0.5, 1;
      return P;
    }
    case CovarianceType::diag: return MatrixX<Scalar>::Constant(2, 2, Scalar(2));
    case CovarianceType::spherical: return MatrixX<Scalar>::Constant(2, 1, Scalar(2));
  }
  return {};
}

template <typename Scalar>
Scalar nan() {
  return std::numeric_limits<Scalar>::quiet_NaN();
}
template <typename Scalar>
Scalar inf() {
  return std::numeric_limits<Scalar>::infinity();
}

/// a and b have the same shape and the same bits (NaN-safe, and +0 differs from -0).
template <typename A, typename B>
bool bit_identical(const Eigen::MatrixBase<A>& a, const Eigen::MatrixBase<B>& b) {
  static_assert(std::is_same<typename A::Scalar, typename B::Scalar>::value, "same scalar type");
  using Plain = Eigen::Matrix<typename A::Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
  if (a.size() == 0) return true;
  const Plain pa = a;
  const Plain pb = b;
  return std::memcmp(pa.data(), pb.data(), sizeof(typename A::Scalar) * std::size_t(pa.size())) ==
         0;
}
bool bit_identical(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

const CovarianceType kAllTypes[] = {CovarianceType::full, CovarianceType::tied,
                                    CovarianceType::diag, CovarianceType::spherical};

}  // namespace

// =============================================================================================
// Exception types

TEST_CASE("emgmm's exceptions derive from the matching standard exception and from emgmm::Error",
          "[errors]") {
  STATIC_REQUIRE(std::is_base_of<std::invalid_argument, emgmm::InvalidArgument>::value);
  STATIC_REQUIRE(std::is_base_of<std::logic_error, emgmm::NotFittedError>::value);
  STATIC_REQUIRE(std::is_base_of<std::runtime_error, emgmm::NumericalError>::value);
  STATIC_REQUIRE(std::is_base_of<emgmm::Error, emgmm::InvalidArgument>::value);
  STATIC_REQUIRE(std::is_base_of<emgmm::Error, emgmm::NotFittedError>::value);
  STATIC_REQUIRE(std::is_base_of<emgmm::Error, emgmm::NumericalError>::value);
  // Distinct kinds: a handler for one never catches another by accident.
  STATIC_REQUIRE_FALSE(std::is_base_of<std::invalid_argument, emgmm::NotFittedError>::value);
  STATIC_REQUIRE_FALSE(std::is_base_of<std::logic_error, emgmm::NumericalError>::value);
  STATIC_REQUIRE_FALSE(std::is_base_of<std::runtime_error, emgmm::InvalidArgument>::value);

  SECTION("message() is what()") {
    const emgmm::NumericalError error("increase reg_covar");
    const emgmm::Error& as_error = error;
    const std::runtime_error& as_std = error;
    CHECK(std::string(as_error.message()) == "increase reg_covar");
    CHECK(std::string(as_std.what()) == "increase reg_covar");
    CHECK(as_error.message() == as_std.what());
    // what() reached from emgmm::Error, the standard way to print a caught exception, for every
    // type (FormatError through InvalidArgument), and a catch of std::exception still matches.
    CHECK(std::string(as_error.what()) == "increase reg_covar");
    const emgmm::FormatError format("line 3: bad", 3, "tol");
    const emgmm::Error& format_as_error = format;
    CHECK(std::string(format_as_error.what()) == "line 3: bad");
    const emgmm::IOError io("cannot open");
    CHECK(std::string(static_cast<const emgmm::Error&>(io).what()) == "cannot open");
    const emgmm::NotFittedError not_fitted("fit first");
    CHECK(std::string(static_cast<const emgmm::Error&>(not_fitted).what()) == "fit first");
    try {
      throw emgmm::InvalidArgument("n_components");
    } catch (const std::exception& caught) {
      CHECK(std::string(caught.what()) == "n_components");
    }
  }

  SECTION("a point given as a column is told to transpose; one feature is 'feature'") {
    const MatrixX<double> X = two_blobs<double>();
    emgmm::GaussianMixtureXd fitted(2);
    fitted.fit(X);
    const Eigen::VectorXd point = X.row(0).transpose();
    std::string message;
    try {
      (void)fitted.predict(point);
    } catch (const emgmm::Error& error) {
      message = error.what();
    }
    CHECK(message.find("X has 1 feature (columns)") != std::string::npos);
    CHECK(message.find("transpose it") != std::string::npos);
  }

  SECTION("what the library throws is caught by the standard base and by emgmm::Error") {
    const MatrixX<double> X = two_blobs<double>();
    emgmm::GaussianMixtureXd unfitted(2);
    CHECK_THROWS_AS(unfitted.weights(), emgmm::NotFittedError);
    CHECK_THROWS_AS(unfitted.weights(), std::logic_error);
    CHECK_THROWS_AS(unfitted.weights(), emgmm::Error);

    emgmm::GaussianMixtureXd no_components(0);
    CHECK_THROWS_AS(no_components.fit(X), emgmm::InvalidArgument);
    CHECK_THROWS_AS(no_components.fit(X), std::invalid_argument);
    CHECK_THROWS_AS(no_components.fit(X), emgmm::Error);

    auto options = mixture_options<emgmm::GaussianMixtureXd>(1);
    options.reg_covar = 0.0;
    emgmm::GaussianMixtureXd collapsed(options);
    const MatrixX<double> same = MatrixX<double>::Constant(6, 2, 3.0);
    CHECK_THROWS_AS(collapsed.fit(same), emgmm::NumericalError);
    CHECK_THROWS_AS(collapsed.fit(same), std::runtime_error);
    CHECK_THROWS_AS(collapsed.fit(same), emgmm::Error);

    emgmm::KMeansXd kmeans(2);
    CHECK_THROWS_AS(kmeans.cluster_centers(), std::logic_error);
    CHECK_THROWS_AS(kmeans.cluster_centers(), emgmm::Error);
    emgmm::KMeansXd no_clusters(0);
    CHECK_THROWS_AS(no_clusters.fit(X), std::invalid_argument);
    CHECK_THROWS_AS(no_clusters.fit(X), emgmm::Error);
  }
}

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

TEMPLATE_TEST_CASE("KMeans: every fitted accessor and method throws NotFittedError before fit",
                   "[errors][kmeans]", emgmm::KMeansXf, emgmm::KMeansXd, emgmm::KMeans2f,
                   emgmm::KMeans2d) {
  using Scalar = ScalarOf<TestType>;
  const TestType kmeans(kmeans_options<TestType>(2));
  const MatrixX<Scalar> X = two_blobs<Scalar>(10);
  CHECK_FALSE(kmeans.is_fitted());
  CHECK_NOT_FITTED(kmeans.predict(X), "KMeans::predict:", "not fitted", "fit(X)");
  CHECK_NOT_FITTED(kmeans.transform(X), "KMeans::transform:", "not fitted");
  CHECK_NOT_FITTED(kmeans.score(X), "KMeans::score:", "not fitted");
  CHECK_NOT_FITTED(kmeans.cluster_centers(), "KMeans::cluster_centers:", "not fitted");
  CHECK_NOT_FITTED(kmeans.labels(), "KMeans::labels:", "not fitted");
  CHECK_NOT_FITTED(kmeans.inertia(), "KMeans::inertia:", "not fitted");
  CHECK_NOT_FITTED(kmeans.n_iter(), "KMeans::n_iter:", "not fitted");
  CHECK_NOT_FITTED(kmeans.n_features_in(), "KMeans::n_features_in:", "not fitted");
  MatrixX<Scalar> with_nan = X;
  with_nan(0, 0) = nan<Scalar>();
  CHECK_NOT_FITTED(kmeans.predict(with_nan), "not fitted");
  CHECK_THROWS_AS(kmeans.labels(), std::logic_error);
  CHECK_THROWS_AS(kmeans.labels(), emgmm::Error);

  TestType failing(kmeans_options<TestType>(4));
  const MatrixX<Scalar> three = two_blobs<Scalar>(3);
  CHECK_INVALID(failing.fit(three), "n_clusters = 4");
  CHECK_FALSE(failing.is_fitted());
  CHECK_NOT_FITTED(failing.inertia(), "not fitted");
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
// KMeans

TEMPLATE_TEST_CASE(
    "KMeans rejects invalid options, initial centers and data with "
    "InvalidArgument",
    "[errors][kmeans]", emgmm::KMeansXf, emgmm::KMeansXd, emgmm::KMeans2f, emgmm::KMeans2d) {
  using Scalar = ScalarOf<TestType>;
  using Options = typename TestType::Options;
  using Centers = typename TestType::Centers;
  constexpr bool kDynamic = Centers::ColsAtCompileTime == Eigen::Dynamic;
  const MatrixX<Scalar> X = two_blobs<Scalar>();

  const auto rejects = [](const Options& options, const MatrixX<Scalar>& data,
                          std::initializer_list<std::string> needles) {
    for (const bool via_fit_predict : {false, true}) {
      TestType kmeans(options);
      const Outcome outcome = outcome_of([&] {
        if (via_fit_predict) {
          (void)kmeans.fit_predict(data);
        } else {
          kmeans.fit(data);
        }
      });
      INFO((via_fit_predict ? "fit_predict" : "fit")
           << " on " << data.rows() << " x " << data.cols() << " data");
      INFO("message: " << outcome.message);
      CHECK(outcome.kind == Thrown::invalid_argument);
      CHECK(contains(outcome.message, "KMeans::fit"));
      for (const std::string& needle : needles) {
        INFO("the message should contain: \"" << needle << "\"");
        CHECK(contains(outcome.message, needle));
      }
      CHECK_FALSE(kmeans.is_fitted());
    }
  };
  const auto with = [](auto change) {
    Options options = kmeans_options<TestType>(2);
    change(options);
    return options;
  };
  const Options good = kmeans_options<TestType>(2);
  {
    TestType control(good);
    REQUIRE_NOTHROW(control.fit(X));
    // sklearn's KMeans needs only n_samples >= n_clusters: one point, one cluster is fine.
    TestType single(kmeans_options<TestType>(1));
    CHECK_NOTHROW(single.fit(two_blobs<Scalar>(1)));
  }

  SECTION("options") {
    rejects(with([](Options& o) { o.n_clusters = 0; }), X, {"n_clusters = 0", ">= 1"});
    rejects(with([](Options& o) { o.n_clusters = -1; }), X, {"n_clusters = -1"});
    rejects(with([](Options& o) { o.n_init = -1; }), X, {"n_init = -1"});
    rejects(with([](Options& o) { o.max_iter = 0; }), X, {"max_iter = 0", ">= 1"});
    rejects(with([](Options& o) { o.max_iter = -1; }), X, {"max_iter = -1"});
    rejects(with([](Options& o) { o.tol = -0.5; }), X, {"tol = -0.5"});
    rejects(with([](Options& o) { o.tol = std::nan(""); }), X, {"tol = nan"});
    rejects(with([](Options& o) { o.tol = HUGE_VAL; }), X, {"tol = inf"});
    rejects(with([](Options& o) { o.n_clusters = std::numeric_limits<int>::max(); }), X,
            {"n_clusters = 2147483647"});
    // n_init = 0 is sklearn's 'auto', valid.
    TestType auto_init(with([](Options& o) { o.n_init = 0; }));
    CHECK_NOTHROW(auto_init.fit(X));
  }
  SECTION("init out of range, cast in") {
    rejects(with([](Options& o) { o.init = static_cast<typename Options::Init>(7); }), X,
            {"init = 7"});
    rejects(with([](Options& o) { o.init = static_cast<typename Options::Init>(-1); }), X,
            {"init = -1"});
  }
  SECTION("verbose < 0 (sklearn: verbose is an int >= 0)") {
    rejects(with([](Options& o) { o.verbose = -1; }), X, {"verbose = -1"});
  }
  SECTION("init_centers") {
    const auto centers = [](const Centers& c) {
      Options options = kmeans_options<TestType>(2);
      options.init_centers = c;
      return options;
    };
    rejects(centers(Centers::Zero(3, 2)), X, {"init_centers has shape (3 x 2)", "(2 x 2)"});
    rejects(centers(Centers::Zero(1, 2)), X, {"init_centers has shape (1 x 2)"});
    rejects(centers(Centers::Zero(0, 2)), X, {"init_centers has shape (0 x 2)"});
    if constexpr (kDynamic) {
      rejects(centers(Centers::Zero(2, 3)), X, {"init_centers has shape (2 x 3)", "(2 x 2)"});
    }
    Centers c(2, 2);
    c << 0, 0, 6, 6;
    TestType valid(centers(c));
    CHECK_NOTHROW(valid.fit(X));
    c(1, 0) = nan<Scalar>();
    rejects(centers(c), X, {"init_centers", "NaN"});
    c(1, 0) = inf<Scalar>();
    rejects(centers(c), X, {"init_centers", "infinity"});
  }
  SECTION("data") {
    rejects(good, MatrixX<Scalar>(0, 2), {"X has 0 rows"});
    rejects(good, MatrixX<Scalar>(5, 0), {"X has 0 columns"});
    rejects(kmeans_options<TestType>(4), two_blobs<Scalar>(3), {"n_samples = 3", "n_clusters = 4"});
    const MatrixX<Scalar> clean = two_blobs<Scalar>(600);
    for (const Eigen::Index row : {Eigen::Index(0), Eigen::Index(299), Eigen::Index(599)}) {
      for (const Scalar bad : {nan<Scalar>(), inf<Scalar>(), -inf<Scalar>()}) {
        MatrixX<Scalar> data = clean;
        data(row, 1) = bad;
        rejects(good, data, {"X(" + std::to_string(row) + ", 1) = ", "NaN or infinity"});
      }
    }
    if (!kDynamic) {
      rejects(good, two_blobs<Scalar>(20, 3), {"X has 3 columns", "Dim = 2"});
      rejects(good, two_blobs<Scalar>(20, 1), {"X has 1 columns", "Dim = 2"});
    }
  }
  SECTION("predict, transform and score on bad data") {
    const TestType kmeans = fitted_kmeans<TestType>();
    using Method = std::function<void(const MatrixX<Scalar>&)>;
    const std::vector<std::pair<std::string, Method>> methods = {
        {"predict", [&](const MatrixX<Scalar>& d) { (void)kmeans.predict(d); }},
        {"transform", [&](const MatrixX<Scalar>& d) { (void)kmeans.transform(d); }},
        {"score", [&](const MatrixX<Scalar>& d) { (void)kmeans.score(d); }},
    };
    MatrixX<Scalar> with_nan = two_blobs<Scalar>(9);
    with_nan(8, 0) = nan<Scalar>();
    MatrixX<Scalar> with_inf = two_blobs<Scalar>(9);
    with_inf(2, 1) = -inf<Scalar>();
    const std::vector<std::pair<MatrixX<Scalar>, std::string>> bad = {
        {MatrixX<Scalar>(0, 2), "X has 0 rows"},
        {MatrixX<Scalar>(3, 0), "X has 0 columns"},
        {with_nan, "X(8, 0) = nan"},
        {with_inf, "X(2, 1) = -inf"},
        {two_blobs<Scalar>(4, 3), "X has 3"},
        {two_blobs<Scalar>(4, 1), "X has 1"},
    };
    for (const auto& method : methods) {
      INFO("KMeans::" << method.first);
      CHECK_NOTHROW(method.second(X));
      for (const auto& data : bad) {
        const Outcome outcome = outcome_of([&] { method.second(data.first); });
        INFO("message: " << outcome.message);
        CHECK(outcome.kind == Thrown::invalid_argument);
        CHECK(contains(outcome.message, data.second));
        CHECK(contains(outcome.message, "KMeans::" + method.first + ":"));
      }
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

TEMPLATE_TEST_CASE("KMeans: a refit that throws leaves every fitted attribute bit-identical",
                   "[errors][kmeans]", emgmm::KMeansXf, emgmm::KMeansXd, emgmm::KMeans2f,
                   emgmm::KMeans2d) {
  using Scalar = ScalarOf<TestType>;
  using Options = typename TestType::Options;
  constexpr bool kDynamic = TestType::Centers::ColsAtCompileTime == Eigen::Dynamic;
  const Options original = kmeans_options<TestType>(2);
  TestType kmeans(original);
  kmeans.fit(two_blobs<Scalar>());
  const MatrixX<Scalar> probe = probe_points<Scalar>();
  const typename TestType::Centers centers = kmeans.cluster_centers();
  const typename TestType::Labels labels = kmeans.labels();
  const double inertia = kmeans.inertia();
  const int n_iter = kmeans.n_iter();
  const typename TestType::Labels predicted = kmeans.predict(probe);
  const typename TestType::Matrix distances = kmeans.transform(probe);
  const double score = kmeans.score(probe);

  const auto refit_fails = [&](const Options& options, const MatrixX<Scalar>& X,
                               const std::string& needle) {
    for (const bool via_fit_predict : {false, true}) {
      kmeans.set_params(options);
      const Outcome outcome = outcome_of([&] {
        if (via_fit_predict) {
          (void)kmeans.fit_predict(X);
        } else {
          kmeans.fit(X);
        }
      });
      kmeans.set_params(original);
      INFO((via_fit_predict ? "fit_predict" : "fit") << " on " << X.rows() << " x " << X.cols());
      INFO("message: " << outcome.message);
      CHECK(outcome.kind == Thrown::invalid_argument);
      CHECK(contains(outcome.message, needle));
      REQUIRE(kmeans.is_fitted());
      CHECK(bit_identical(kmeans.cluster_centers(), centers));
      CHECK(bit_identical(kmeans.labels(), labels));
      CHECK(bit_identical(kmeans.inertia(), inertia));
      CHECK(kmeans.n_iter() == n_iter);
      CHECK(kmeans.n_features_in() == 2);
      CHECK(bit_identical(kmeans.predict(probe), predicted));
      CHECK(bit_identical(kmeans.transform(probe), distances));
      CHECK(bit_identical(kmeans.score(probe), score));
    }
  };
  const auto with = [&](auto change) {
    Options options = original;
    change(options);
    return options;
  };
  const MatrixX<Scalar> X = two_blobs<Scalar>(30);

  MatrixX<Scalar> with_nan = X;
  with_nan(3, 1) = nan<Scalar>();
  refit_fails(original, with_nan, "X(3, 1) = nan");
  refit_fails(original, MatrixX<Scalar>(0, 2), "X has 0 rows");
  refit_fails(original, MatrixX<Scalar>(4, 0), "X has 0 columns");
  refit_fails(with([](Options& o) { o.n_clusters = 7; }), two_blobs<Scalar>(5), "n_clusters = 7");
  refit_fails(with([](Options& o) { o.n_clusters = 0; }), X, "n_clusters = 0");
  refit_fails(with([](Options& o) { o.max_iter = 0; }), X, "max_iter = 0");
  refit_fails(with([](Options& o) { o.tol = -1.0; }), X, "tol = -1");
  refit_fails(with([](Options& o) { o.init_centers = TestType::Centers::Zero(3, 2); }), X,
              "init_centers");
  refit_fails(with([](Options& o) {
                typename TestType::Centers c = TestType::Centers::Zero(2, 2);
                c(0, 0) = inf<Scalar>();
                o.init_centers = c;
              }),
              X, "init_centers");
  if (!kDynamic) refit_fails(original, two_blobs<Scalar>(20, 3), "Dim = 2");

  CHECK_NOTHROW(kmeans.fit(X));
  CHECK(kmeans.labels().size() == 30);
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

TEST_CASE("data whose spread would overflow squared distances are rejected by fit",
          "[errors][gaussian_mixture][kmeans]") {
  // Found by the fuzzer: values near the largest double (or float) used to give NaN centers
  // and a NaN inertia without an error. Squared distances between such points cannot be
  // represented, so fit says so and how to fix it.
  MatrixX<double> X(3, 1);
  X << -1.6e308, -4, -1.6e308;
  emgmm::KMeans<double> kmeans(2);
  CHECK_INVALID(kmeans.fit(X), "KMeans::fit:", "X spans 1.6e+308 in feature 0");
  CHECK_FALSE(kmeans.is_fitted());
  emgmm::GaussianMixture<double> gmm(mixture_options<emgmm::GaussianMixture<double>>(2));
  CHECK_INVALID(gmm.fit(X), "GaussianMixture::fit:", "rescale X");

  MatrixX<float> Xf(6, 2);
  Xf << -1, 4, 3, 3, -3.4e38f, -3.4e38f, -3.4e38f, -3.4e38f, 3.4e38f, 1e6f, 1e6f, -1e6f;
  emgmm::KMeans<float> kmeans_f(3);
  CHECK_INVALID(kmeans_f.fit(Xf), "KMeans::fit:", "use a double model");

  // The same for init_centers far from X (found by the fuzzer: a float center at -3.4e38
  // gave a NaN inertia); the model stays as it was.
  emgmm::KMeansOptions<float> far_start;
  far_start.n_clusters = 2;
  far_start.init_centers = MatrixX<float>(2, 2);
  *far_start.init_centers << -3, -3.4e38f, 1, 2;
  emgmm::KMeans<float> started(far_start);
  CHECK_INVALID(started.fit(Xf.topRows(2)), "KMeans::fit: X and init_centers together span",
                "in feature 1, so squared distances between them would overflow");
  CHECK_FALSE(started.is_fitted());
  far_start.init_centers->row(0) << -3, -3;
  started.set_params(far_start);
  REQUIRE_NOTHROW(started.fit(Xf.topRows(2)));

  // Huge values with a small spread are fine: the column mean is summed about the first row.
  MatrixX<double> far = MatrixX<double>::Constant(5, 2, 1.5e308);
  emgmm::KMeans<double> one(1);
  REQUIRE_NOTHROW(one.fit(far));
  CHECK(one.cluster_centers().allFinite());
  CHECK(one.cluster_centers()(0, 0) == 1.5e308);
  CHECK(one.inertia() == 0.0);
}

TEST_CASE("KMeans<float>::transform of far points is finite", "[errors][kmeans]") {
  // Found by the fuzzer: a distance of 2e19 fits in float but its square does not; the
  // distances are now squared and rooted in double.
  MatrixX<float> X(4, 2);
  X << 10, 0, 11, 1, 0, 0, 1, 1;
  emgmm::KMeans<float> kmeans(2);
  kmeans.fit(X);
  MatrixX<float> far(4, 2);
  far << 2e19f, 0, -2e19f, 0, 0, 2e19f, 1e19f, -1e19f;
  const MatrixX<float> distances = kmeans.transform(far);
  CHECK(distances.allFinite());
  CHECK(distances(0, 0) == Approx(2e19).epsilon(1e-6));
  CHECK(std::isfinite(kmeans.score(far)));
}
