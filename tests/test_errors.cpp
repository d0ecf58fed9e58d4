// Errors: emgmm::Error and the exceptions of errors.hpp. Each documented exception derives from
// the matching standard exception and from emgmm::Error, what() and message() are reachable from
// either base, and what the library throws is caught by both.
//
// Documented contract (errors.hpp, gaussian_mixture.hpp, kmeans.hpp, STYLE.md):
//   InvalidArgument (a std::invalid_argument)  invalid options or data (sklearn's ValueError)
//   NotFittedError  (a std::logic_error)        a fitted attribute or method used before fit()
//   NumericalError  (a std::runtime_error)      a covariance that is not positive definite
// all three also an emgmm::Error. Not converging is not an error: converged() says so.
//
// The error tests of each estimator (every bad input gets the documented exception with a
// message that names the function, the parameter and the value; a fit that throws leaves a
// fitted model exactly as it was) are in that estimator's test file, with the helpers they share
// in error_checks.hpp.

#include <stdexcept>
#include <string>
#include <type_traits>

#include <Eigen/Core>

#include <emgmm/emgmm.hpp>

#include "catch.hpp"
#include "error_checks.hpp"

namespace emgmm_test_errors {

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

}  // namespace emgmm_test_errors
