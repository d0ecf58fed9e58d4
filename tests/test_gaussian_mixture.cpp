// Properties of GaussianMixture that hold whatever scikit-learn computes: what EM guarantees
// (the lower bound never decreases), what a fitted mixture must satisfy (probabilities and
// weights sum to one, covariances are SPD and invert the precisions), invariances (order of the
// points, layout and scalar type of the input, seed). Beside it, with the configurations and
// helpers of gaussian_mixture_checks.hpp (one file took a compiler process to 3.3 GiB; issue
// 15): recovery of known parameters, sampling and float against double in
// test_gaussian_mixture_recovery.cpp, the methods that follow from the fitted parameters in
// test_gaussian_mixture_queries.cpp, the behaviour of every option (n_init, warm_start,
// max_iter = 0, init_params, callback, verbose) in test_gaussian_mixture_options.cpp. Its
// errors (every bad input gets the documented exception, and a fit that throws changes nothing)
// are test_gaussian_mixture_errors.cpp's. Parity with scikit-learn's numbers is test_parity.cpp's
// job; what GaussianMixture and BayesianGaussianMixture both promise is tested once for both,
// with a dynamic dimension, in test_mixture_contract.cpp.
//
// Every test runs for float and double, with a dynamic and a fixed dimension (the lower bound
// and warm_start with the fixed one only: the contract has the dynamic one), and loops over the
// four covariance types. The data are seeded samples of known mixtures (synthetic_data.hpp).
// Tolerances are multiples of the Scalar's epsilon, each with its reason, or statistical (a
// multiple of the estimator's standard error), said where used.

#include "gaussian_mixture_checks.hpp"

namespace emgmm_test_gaussian_mixture {

// ---------------------------------------------------------------------------------------------
// What EM guarantees

TEMPLATE_TEST_CASE("GaussianMixture: the lower bound never decreases",
                   "[gaussian_mixture][property]", EMGMM_TEST_FIXED_CONFIGS) {
  using C = TestType;
  // Well separated and overlapping blobs (the latter take many iterations), random starts so
  // EM has a long way to go, tol = 0 so it keeps iterating after it has converged.
  // reg_covar = 0: the regularized M-step is not the exact maximizer of EM's auxiliary function,
  // so only the unregularized algorithm carries the guarantee (sklearn's own
  // test_monotonic_likelihood sets reg_covar = 0 for the same reason).
  for (const double separation : {1.0, 0.25}) {
    const KnownMixture truth =
        emgmm_test::three_blobs(C::n_features, CovarianceType::full, separation);
    const typename C::Data X =
        emgmm_test::draw(truth, 300, 11).X.template cast<typename C::Scalar>();
    const double kappa = cancellation_factor(X, truth);
    for (const CovarianceType type : kAllTypes) {
      INFO("separation " << separation << ", covariance_type " << emgmm::to_string(type));
      typename C::Options options;
      options.n_components = 3;
      options.covariance_type = type;
      options.reg_covar = 0.0;
      options.tol = 0.0;
      options.max_iter = 30;
      options.init_params = InitParams::random;
      options.random_state = 3;
      std::vector<double> bounds;
      options.callback = [&](const IterationInfo& info) {
        bounds.push_back(info.lower_bound);
        return true;
      };
      typename C::Model model(options);
      model.fit(X);
      REQUIRE(bounds.size() == 30u);
      CHECK(model.lower_bound() == bounds.back());
      // In exact arithmetic bounds[i] >= bounds[i-1]. Once EM has converged the true increase
      // is zero, so consecutive bounds may differ by rounding either way (bound_rounding), and
      // by nothing more.
      for (std::size_t i = 1; i < bounds.size(); ++i) {
        const double allowed = bound_rounding<C>(bounds[i], kappa);
        INFO("iteration " << i + 1 << ": " << bounds[i - 1] << " -> " << bounds[i]);
        CHECK(bounds[i] >= bounds[i - 1] - allowed);
      }
    }
  }
}

TEMPLATE_TEST_CASE("GaussianMixture: fitted parameters are a valid mixture",
                   "[gaussian_mixture][property]", EMGMM_TEST_CONFIGS) {
  using C = TestType;
  const Index D = C::n_features;
  const typename C::Data X = blobs<C>(600);
  for (const CovarianceType type : kAllTypes) {
    INFO("covariance_type " << emgmm::to_string(type));
    typename C::Options options;
    options.n_components = 3;
    options.covariance_type = type;
    options.random_state = 5;
    typename C::Model model(options);
    model.fit(X);
    const Index K = 3;
    REQUIRE(model.is_fitted());
    CHECK(model.n_features_in() == D);

    // Weights: computed in double, rounded once to Scalar (eps/2 each), summed here in double.
    const Eigen::VectorXd weights = model.weights().template cast<double>();
    REQUIRE(weights.size() == K);
    CHECK((weights.array() >= 0.0).all());
    CHECK((weights.array() <= 1.0).all());
    CHECK(std::abs(weights.sum() - 1.0) <= double(K) * C::eps());

    // Responsibilities: exp of K log-differences divided by their sum, each a few roundings.
    const Eigen::MatrixXd proba = model.predict_proba(X).template cast<double>();
    REQUIRE(proba.rows() == X.rows());
    REQUIRE(proba.cols() == K);
    CHECK((proba.array() >= 0.0).all());
    CHECK((proba.array() <= 1.0).all());
    CHECK((proba.rowwise().sum().array() - 1.0).abs().maxCoeff() <= 4.0 * double(K) * C::eps());

    // Storage shapes (covariance_type.hpp's table) and covariance(k) / precision(k) against
    // the storage, expanded here independently.
    const Index rows = type == CovarianceType::full ? K * D : type == CovarianceType::tied ? D : K;
    const Index cols = type == CovarianceType::spherical ? 1 : D;
    CHECK(model.covariances().rows() == rows);
    CHECK(model.covariances().cols() == cols);
    CHECK(model.precisions().rows() == rows);
    CHECK(model.precisions().cols() == cols);
    CHECK(model.precisions_cholesky().rows() == rows);
    CHECK(model.precisions_cholesky().cols() == cols);
    CHECK(model.means().rows() == K);
    CHECK(model.means().cols() == D);

    for (Index k = 0; k < K; ++k) {
      INFO("component " << k);
      const Eigen::MatrixXd covariance = model.covariance(k).template cast<double>();
      const Eigen::MatrixXd precision = model.precision(k).template cast<double>();
      // Exact: both are copies of the same stored numbers.
      CHECK(covariance == expand(model.covariances(), type, k, D));
      CHECK(precision == expand(model.precisions(), type, k, D));
      // Symmetric: any asymmetry beyond rounding of the stored Scalar would be a bug.
      CHECK(max_abs_diff(covariance, covariance.transpose()) <=
            2.0 * C::eps() * max_abs(covariance));
      CHECK(max_abs_diff(precision, precision.transpose()) <= 2.0 * C::eps() * max_abs(precision));
      // Positive definite: the Cholesky factorization of the Scalar matrix succeeds.
      const Eigen::LLT<Eigen::Matrix<typename C::Scalar, Eigen::Dynamic, Eigen::Dynamic>> llt(
          model.covariance(k));
      CHECK(llt.info() == Eigen::Success);
      const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(covariance);
      CHECK(eigen.eigenvalues().minCoeff() > 0.0);
      // precision * covariance = I: both hold D x D values rounded to Scalar and the precision
      // comes from a Cholesky factorization and triangular inverse, whose backward error is a
      // few D eps; multiplied out, the error grows with the condition number of the covariance.
      const double condition = eigen.eigenvalues().maxCoeff() / eigen.eigenvalues().minCoeff();
      CHECK(max_abs_diff(precision * covariance, Eigen::MatrixXd::Identity(D, D)) <=
            8.0 * double(D) * condition * C::eps());
      // P P^T = precision (diag, spherical: P^2 = precision entrywise, which the same
      // expansion covers): one product of D-term sums in Scalar.
      const Eigen::MatrixXd P = expand(model.precisions_cholesky(), type, k, D);
      CHECK(max_abs_diff(P * P.transpose(), precision) <=
            2.0 * double(D) * C::eps() * max_abs(P) * max_abs(P));
      // sklearn's precisions_cholesky_ is upper triangular for full and tied.
      if (type == CovarianceType::full || type == CovarianceType::tied) {
        CHECK(P.isUpperTriangular(0.0));
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Invariances

TEMPLATE_TEST_CASE("GaussianMixture: the order of the points does not matter",
                   "[gaussian_mixture][property]", EMGMM_TEST_CONFIGS) {
  using C = TestType;
  const KnownMixture truth = emgmm_test::three_blobs(C::n_features, CovarianceType::full);
  const typename C::Data X = emgmm_test::draw(truth, 400, 21).X.template cast<typename C::Scalar>();
  const typename C::Data Y = permuted(X, emgmm_test::permutation(X.rows(), 22));
  const double kappa = cancellation_factor(X, truth);

  SECTION("from a fully specified start: the same parameters") {
    for (const CovarianceType type : kAllTypes) {
      INFO("covariance_type " << emgmm::to_string(type));
      // tol = 0 and a fixed number of iterations, so that both fits do the same iterations.
      typename C::Options options = start_near<C>(truth, type);
      options.tol = 0.0;
      options.max_iter = 15;
      typename C::Model a(options), b(options);
      a.fit(X);
      b.fit(Y);
      // Permuting the points changes only the order of the sums over points (within blocks of
      // points they run in Scalar, then in double), so the statistics differ by rounding; EM
      // contracts towards its fixed point, so these differences do not grow over the
      // iterations. Sums of x - mean_k give a few eps relative (observed: up to 3 eps), sums
      // of moments about a common point up to a few kappa eps (see cancellation_factor; kappa
      // is 450 to 620 here, so the tolerance is about 3e-4 in float and 6e-13 in double, well
      // within the 1e-10 asked of double).
      const double tolerance = (64.0 + 4.0 * kappa) * C::eps();
      CHECK(max_abs_diff(a.weights(), b.weights()) <= tolerance);
      CHECK(max_abs_diff(a.means(), b.means()) <= tolerance * max_abs(a.means()));
      CHECK(max_abs_diff(a.covariances(), b.covariances()) <= tolerance * max_abs(a.covariances()));
      CHECK(max_abs_diff(a.precisions(), b.precisions()) <= tolerance * max_abs(a.precisions()));
      CHECK(std::abs(a.lower_bound() - b.lower_bound()) <= tolerance * std::abs(a.lower_bound()));
      CHECK(a.n_iter() == b.n_iter());
      // The same labels, point by point.
      CHECK(permuted(Eigen::MatrixXi(a.predict(X)), emgmm_test::permutation(X.rows(), 22)) ==
            Eigen::MatrixXi(b.predict(Y)));
    }
  }

  SECTION("from the default k-means start: the same mixture up to the order of the components") {
    for (const CovarianceType type : kAllTypes) {
      INFO("covariance_type " << emgmm::to_string(type));
      typename C::Options options;
      options.n_components = 3;
      options.covariance_type = type;
      options.random_state = 4;
      // Run to EM's fixed point, which it reaches within a few iterations on these blobs
      // (float cannot resolve a change below ~1e-7 of the bound, so it stops at max_iter), so
      // that both fits reach the same maximum.
      options.tol = 1e-10;
      options.max_iter = 30;
      typename C::Model a(options), b(options);
      a.fit(X);
      b.fit(Y);
      // k-means picks different points as seeds in Y, but on well-separated blobs both fits find
      // the same three components, possibly numbered differently.
      const std::vector<Index> match = emgmm_test::match_components(
          b.means().template cast<double>(), a.means().template cast<double>());
      REQUIRE(match.size() == 3u);
      // At the fixed point the parameters are determined by the data up to rounding, as in
      // the section above.
      const double tolerance = (64.0 + 4.0 * kappa) * C::eps();
      for (Index k = 0; k < 3; ++k) {
        const Index j = match[std::size_t(k)];
        INFO("component " << k << " of the permuted fit is component " << j);
        CHECK(std::abs(double(b.weights()(k)) - double(a.weights()(j))) <= tolerance);
        CHECK(max_abs_diff(b.means().row(k), a.means().row(j)) <= tolerance * max_abs(a.means()));
        CHECK(max_abs_diff(b.covariance(k), a.covariance(j)) <=
              tolerance * max_abs(a.covariance(j)));
      }
      CHECK(std::abs(a.lower_bound() - b.lower_bound()) <= tolerance * std::abs(a.lower_bound()));
    }
  }
}

TEMPLATE_TEST_CASE("GaussianMixture: the same random_state gives the same model",
                   "[gaussian_mixture][property]", EMGMM_TEST_CONFIGS) {
  using C = TestType;
  const typename C::Data X = blobs<C>(200, 31);
  for (const InitParams init : {InitParams::kmeans, InitParams::k_means_plus_plus,
                                InitParams::random, InitParams::random_from_data}) {
    for (const CovarianceType type : kAllTypes) {
      INFO("init_params " << emgmm::to_string(init) << ", covariance_type "
                          << emgmm::to_string(type));
      typename C::Options options;
      options.n_components = 3;
      options.covariance_type = type;
      options.init_params = init;
      options.n_init = 2;
      options.random_state = 77;
      typename C::Model a(options), b(options);
      a.fit(X);
      b.fit(X);
      check_identical(a, b);
      // And a third fit of the first model (a refit starts afresh without warm_start).
      a.fit(X);
      check_identical(a, b);
    }
  }
}

TEMPLATE_TEST_CASE("GaussianMixture: every input layout and scalar type gives the same model",
                   "[gaussian_mixture][property]", EMGMM_TEST_CONFIGS) {
  using C = TestType;
  using Scalar = typename C::Scalar;
  const Index D = C::n_features;
  // Identical to the last bit, not just close: every input is converted block by block into
  // the model's own Scalar storage before any arithmetic. The values are representable in
  // float, so float and double inputs hold the same numbers, and sums of them in double (the
  // data's mean) are exact whatever order a layout or alignment makes Eigen add them in.
  const Eigen::MatrixXf Xf = blobs<C>(400, 41).template cast<float>();
  const Eigen::MatrixXd Xd = Xf.cast<double>();
  const Index n = Xd.rows();

  const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> row_major = Xd;
  std::vector<double> buffer(Xd.data(), Xd.data() + Xd.size());
  const Eigen::Map<const Eigen::MatrixXd> mapped(buffer.data(), n, D);
  Eigen::MatrixXd bigger = Eigen::MatrixXd::Constant(n + 7, D + 2, 1e30);
  bigger.block(3, 1, n, D) = Xd;
  Eigen::MatrixXd taller = Eigen::MatrixXd::Constant(n + 7, D, 1e30);
  taller.middleRows(5, n) = Xd;
  const typename C::Data own = Xd.cast<Scalar>();

  for (const CovarianceType type : kAllTypes) {
    INFO("covariance_type " << emgmm::to_string(type));
    typename C::Options options;
    options.n_components = 3;
    options.covariance_type = type;
    options.random_state = 8;
    typename C::Model reference(options);
    reference.fit(Xd);
    const typename C::Model::Labels labels = reference.predict(Xd);
    const typename C::Model::Vector log_density = reference.score_samples(Xd);

    const auto check_same = [&](const auto& input, const char* what) {
      INFO("input: " << what);
      typename C::Model model(options);
      model.fit(input);
      check_identical(model, reference);
      CHECK(model.predict(input) == labels);
      CHECK(model.score_samples(input) == log_density);
    };
    check_same(row_major, "row-major MatrixXd");
    check_same(mapped, "Map over a std::vector<double>");
    check_same(bigger.block(3, 1, n, D), "block of a bigger matrix");
    check_same(taller.middleRows(5, n), "middleRows of a taller matrix");
    check_same(Xf, "MatrixXf");
    check_same(own, "the model's own Data type");
  }
}

}  // namespace emgmm_test_gaussian_mixture
