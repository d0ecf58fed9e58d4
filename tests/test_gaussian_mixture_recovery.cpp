// GaussianMixture recovers the parameters of known mixtures, sample() draws from the fitted
// model, and float agrees with double. Beside test_gaussian_mixture.cpp (see there for what the
// property tests cover and how), with its configurations and helpers
// (gaussian_mixture_checks.hpp).

#include "gaussian_mixture_checks.hpp"

namespace emgmm_test_gaussian_mixture {

// ---------------------------------------------------------------------------------------------
// Known parameters

TEMPLATE_TEST_CASE("GaussianMixture: recovers the parameters of a known mixture",
                   "[gaussian_mixture][property]", EMGMM_TEST_CONFIGS) {
  using C = TestType;
  const Index D = C::n_features;
  const double n = 3000;
  for (const CovarianceType type : kAllTypes) {
    INFO("covariance_type " << emgmm::to_string(type));
    // Data drawn from a mixture of exactly this covariance type, so the model is correct.
    const KnownMixture truth = emgmm_test::three_blobs(C::n_features, type);
    const typename C::Data X =
        emgmm_test::draw(truth, Index(n), 51).X.template cast<typename C::Scalar>();
    typename C::Options options;
    options.n_components = 3;
    options.covariance_type = type;
    options.random_state = 6;
    typename C::Model model(options);
    model.fit(X);
    CHECK(model.converged());
    const std::vector<Index> match =
        emgmm_test::match_components(model.means().template cast<double>(), truth.means);
    REQUIRE(match.size() == 3u);

    // Statistical tolerances, 5 standard errors of the maximum-likelihood estimates (the
    // components hardly overlap, so they behave as per-component sample statistics):
    //   weight w:           sqrt(w (1 - w) / n)                 (binomial count)
    //   mean coordinate d:  sqrt(S_dd / n_k)                    (n_k = w n points)
    //   covariance (i, j):  sqrt((S_ii S_jj + S_ij^2) / n_k)    (Wishart; tied pools all n)
    // A 5-sigma bound fails by chance with probability 6e-7 per number, about 1e-4 for all
    // the numbers this test checks; the data are seeded, so this is decided once, not per run.
    const double z = 5.0;
    for (Index k = 0; k < 3; ++k) {
      const Index j = match[std::size_t(k)];
      INFO("fitted component " << k << " is known component " << j);
      const double w = truth.weights(j);
      const Eigen::MatrixXd& S = truth.covariances[std::size_t(j)];
      const double n_k = type == CovarianceType::tied ? n : w * n;
      CHECK(std::abs(double(model.weights()(k)) - w) <= z * std::sqrt(w * (1 - w) / n));
      for (Index d = 0; d < D; ++d) {
        CHECK(std::abs(double(model.means()(k, d)) - truth.means(j, d)) <=
              z * std::sqrt(S(d, d) / (w * n)));
      }
      const Eigen::MatrixXd covariance = model.covariance(k).template cast<double>();
      for (Index a = 0; a < D; ++a) {
        for (Index b = 0; b < D; ++b) {
          INFO("covariance entry (" << a << ", " << b << ")");
          CHECK(std::abs(covariance(a, b) - S(a, b)) <=
                z * std::sqrt((S(a, a) * S(b, b) + S(a, b) * S(a, b)) / n_k));
        }
      }
    }
  }
}

TEMPLATE_TEST_CASE("GaussianMixture: sample() draws from the model", "[gaussian_mixture][property]",
                   EMGMM_TEST_CONFIGS) {
  using C = TestType;
  const Index D = C::n_features;
  const typename C::Data X = blobs<C>(600, 61);
  for (const CovarianceType type : kAllTypes) {
    INFO("covariance_type " << emgmm::to_string(type));
    typename C::Options options;
    options.n_components = 3;
    options.covariance_type = type;
    options.random_state = 9;
    typename C::Model model(options);
    model.fit(X);

    // Shapes and labels.
    for (const Index n : {Index(1), Index(2), Index(17)}) {
      const auto samples = model.sample(n);
      CHECK(samples.X.rows() == n);
      CHECK(samples.X.cols() == D);
      CHECK(samples.y.size() == n);
      CHECK(samples.y.minCoeff() >= 0);
      CHECK(samples.y.maxCoeff() < 3);
      CHECK(samples.X.allFinite());
      // Grouped by component, as sklearn returns them.
      CHECK(std::is_sorted(samples.y.data(), samples.y.data() + samples.y.size()));
    }

    // Reproducible from random_state: at every call, and from another model with the same
    // parameters and seed; another seed gives other points.
    const auto first = model.sample(50);
    const auto again = model.sample(50);
    CHECK(first.X == again.X);
    CHECK(first.y == again.y);
    typename C::Model twin(options);
    twin.fit(X);
    CHECK(twin.sample(50).X == first.X);
    typename C::Model reseeded = model;
    typename C::Options other_seed = options;
    other_seed.random_state = 10;
    reseeded.set_params(other_seed);
    CHECK(reseeded.means() == model.means());
    CHECK(reseeded.sample(50).X != first.X);

    // A large sample has the model's weights, means and covariances, to 5 standard errors as
    // in the recovery test (weights binomial, means sqrt(S_dd / n_k), covariances
    // sqrt((S_ii S_jj + S_ij^2) / n_k)), the model's parameters now being the truth.
    const Index n = 20000;
    const auto samples = model.sample(n);
    const double z = 5.0;
    for (Index k = 0; k < 3; ++k) {
      INFO("component " << k);
      const double w = double(model.weights()(k));
      const Eigen::MatrixXd S = model.covariance(k).template cast<double>();
      std::vector<Index> rows;
      for (Index i = 0; i < n; ++i) {
        if (samples.y(i) == k) rows.push_back(i);
      }
      const double n_k = double(rows.size());
      CHECK(std::abs(n_k / double(n) - w) <= z * std::sqrt(w * (1 - w) / double(n)));
      REQUIRE(n_k > 10);
      Eigen::MatrixXd points(rows.size(), D);
      for (std::size_t r = 0; r < rows.size(); ++r) {
        points.row(Index(r)) = samples.X.row(rows[r]).template cast<double>();
      }
      const Eigen::RowVectorXd mean = points.colwise().mean();
      const Eigen::MatrixXd centered = points.rowwise() - mean;
      const Eigen::MatrixXd covariance = centered.transpose() * centered / n_k;
      const Eigen::RowVectorXd model_mean = model.means().row(k).template cast<double>();
      for (Index a = 0; a < D; ++a) {
        CHECK(std::abs(mean(a) - model_mean(a)) <= z * std::sqrt(S(a, a) / n_k));
        for (Index b = 0; b < D; ++b) {
          CHECK(std::abs(covariance(a, b) - S(a, b)) <=
                z * std::sqrt((S(a, a) * S(b, b) + S(a, b) * S(a, b)) / n_k));
        }
      }
    }
  }
}

TEMPLATE_TEST_CASE("GaussianMixture: float agrees with double", "[gaussian_mixture][property]",
                   FloatDynamic3, FloatFixed2) {
  using C = TestType;
  using Twin = Config<double, C::Dim, C::n_features>;
  const KnownMixture truth = emgmm_test::three_blobs(C::n_features, CovarianceType::full);
  // The float data, and the same numbers in double.
  const typename C::Data Xf = emgmm_test::draw(truth, 800, 71).X.template cast<float>();
  const typename Twin::Data Xd = Xf.template cast<double>();
  for (const CovarianceType type : kAllTypes) {
    INFO("covariance_type " << emgmm::to_string(type));
    // The same fully specified start (float values, in both), the same iterations.
    typename C::Options float_options = start_near<C>(truth, type);
    float_options.tol = 0.0;
    float_options.max_iter = 20;
    typename Twin::Options double_options = start_near<Twin>(truth, type);
    double_options.weights_init =
        Eigen::VectorXd(float_options.weights_init->template cast<double>());
    double_options.means_init =
        typename Twin::Options::Means(float_options.means_init->template cast<double>());
    double_options.precisions_init =
        Eigen::MatrixXd(float_options.precisions_init->template cast<double>());
    double_options.tol = 0.0;
    double_options.max_iter = 20;
    typename C::Model single(float_options);
    typename Twin::Model twin(double_options);
    single.fit(Xf);
    twin.fit(Xd);
    // Each float iteration rounds the E-step (x - mean, the Mahalanobis distances,
    // exponentials) and the sums within blocks of points to float, errors of a few float eps
    // that largely average out over the points (observed: about 1 float eps of each
    // parameter's scale from x - mean_k), or up to a few kappa float eps where moments about
    // a common point are subtracted (see cancellation_factor); the statistics are summed in
    // double and EM contracts, so the error does not accumulate over the iterations.
    const double tolerance = (64.0 + 4.0 * cancellation_factor(Xd, truth)) * C::eps();
    CHECK(max_abs_diff(single.weights(), twin.weights()) <= tolerance);
    CHECK(max_abs_diff(single.means(), twin.means()) <= tolerance * max_abs(twin.means()));
    CHECK(max_abs_diff(single.covariances(), twin.covariances()) <=
          tolerance * max_abs(twin.covariances()));
    CHECK(max_abs_diff(single.precisions(), twin.precisions()) <=
          tolerance * max_abs(twin.precisions()));
    CHECK(std::abs(single.lower_bound() - twin.lower_bound()) <=
          tolerance * std::abs(twin.lower_bound()));
    CHECK(single.predict(Xf) == twin.predict(Xd));
  }
}

}  // namespace emgmm_test_gaussian_mixture
