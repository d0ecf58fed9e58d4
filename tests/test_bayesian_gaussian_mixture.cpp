// Properties of BayesianGaussianMixture that hold whatever scikit-learn computes: unneeded
// components are switched off; the posterior's bookkeeping identities (each factor's parameter =
// prior + the component's count); the priors resolved from the data; sample weights as repeated
// rows; reproducibility; and the error and exception-safety standard of GaussianMixture.
// What it promises as GaussianMixture does (the lower bound never decreases, any number of
// threads gives the same bits, warm_start continues the fit, a fit that throws changes nothing,
// save and load round-trip, fit_predict is fit then predict) is test_mixture_contract.cpp's job,
// for both mixtures; parity with scikit-learn's numbers is test_bayesian_parity.cpp's.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include <emgmm/detail/special_functions.hpp>
#include <emgmm/emgmm.hpp>

#include "catch.hpp"
#include "synthetic_data.hpp"

namespace {

using Eigen::Index;
using emgmm::CovarianceType;
using emgmm::WeightConcentrationPriorType;

const CovarianceType kAllTypes[] = {CovarianceType::full, CovarianceType::tied,
                                    CovarianceType::diag, CovarianceType::spherical};
const WeightConcentrationPriorType kAllPriors[] = {
    WeightConcentrationPriorType::dirichlet_process,
    WeightConcentrationPriorType::dirichlet_distribution};

template <typename Scalar>
using Data = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

/// Overlapping blobs (means about 4.7 apart): many iterations, so the lower bound has room to
/// misbehave.
template <typename Scalar>
Data<Scalar> overlapping_blobs(CovarianceType type, Index n, std::uint64_t seed) {
  return emgmm_test::draw(emgmm_test::three_blobs(2, type, 0.25), n, seed)
      .X.template cast<Scalar>();
}

template <typename A, typename B>
bool identical(const A& a, const B& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() && (a.array() == b.array()).all();
}

/// Every fitted attribute of two models, bit for bit.
template <typename Model>
void check_identical(const Model& a, const Model& b) {
  CHECK(identical(a.weights(), b.weights()));
  CHECK(identical(a.means(), b.means()));
  CHECK(identical(a.covariances(), b.covariances()));
  CHECK(identical(a.precisions_cholesky(), b.precisions_cholesky()));
  CHECK(identical(a.weight_concentration(), b.weight_concentration()));
  CHECK(identical(a.mean_precision(), b.mean_precision()));
  CHECK(identical(a.degrees_of_freedom(), b.degrees_of_freedom()));
  CHECK(a.lower_bound() == b.lower_bound());
  CHECK(a.n_iter() == b.n_iter());
  CHECK(a.converged() == b.converged());
}

}  // namespace

TEST_CASE("BayesianGaussianMixture: digamma and log-gamma agree with scipy",
          "[bayesian_gaussian_mixture]") {
  // scipy.special.digamma and gammaln (SciPy 1.10.1) at these points, printed with repr().
  struct Point {
    double x, digamma, log_gamma;
  };
  const Point points[] = {
      {1e-06, -1000000.57721402, 13.81550998074943},
      {0.25, -4.2274535333762655, 1.2880225246980774},
      {0.5, -1.9635100260214235, 0.5723649429247},
      {1.0, -0.5772156649015329, 0.0},
      {1.4616321449683622, -9.241265521729427e-17, -0.1214862905358497},
      {2.5, 0.7031566406452432, 0.2846828704729192},
      {7.0, 1.872784335098467, 6.579251212010101},
      {9.75, 2.225109535044576, 12.242204940050762},
      {10.0, 2.251752589066721, 12.801827480081469},
      {33.3, 3.490467238520243, 82.60372358165493},
      {1234.5, 7.1180162318279985, 7550.550901077894},
      {10000000.0, 16.11809560095832, 151180949.36947393},
  };
  for (const Point& p : points) {
    INFO("x = " << p.x);
    // A few ulps of the result, or of 1 near the zeros (the recurrences add terms of order 1).
    CHECK(std::abs(emgmm::detail::digamma(p.x) - p.digamma) <=
          8e-16 * std::max(1.0, std::abs(p.digamma)));
    CHECK(std::abs(emgmm::detail::log_gamma(p.x) - p.log_gamma) <=
          8e-16 * std::max(4.0, std::abs(p.log_gamma)));
  }
  // scipy.special.betaln; the last with the arguments of a Dirichlet-process stick.
  CHECK(emgmm::detail::log_beta(2.5, 7.0) == Approx(-4.825399338314249).epsilon(1e-14));
  CHECK(emgmm::detail::log_beta(1234.5, 33.3) == Approx(-154.87153613050396).epsilon(1e-13));
  CHECK(emgmm::detail::log_beta(1e5 + 1, 0.01) == Approx(4.484350573038682).epsilon(1e-12));
}

TEMPLATE_TEST_CASE("BayesianGaussianMixture: switches off the components the data do not need",
                   "[bayesian_gaussian_mixture][property]", float, double) {
  using Scalar = TestType;
  for (const CovarianceType type : kAllTypes) {
    const emgmm_test::KnownMixture truth = emgmm_test::three_blobs(2, type);
    const emgmm_test::LabelledData data = emgmm_test::draw(truth, 900, 5);
    const Data<Scalar> X = data.X.template cast<Scalar>();
    for (const WeightConcentrationPriorType prior : kAllPriors) {
      INFO(emgmm::to_string(type) << ", " << emgmm::to_string(prior));
      emgmm::BayesianGaussianMixtureOptions<Scalar> options;
      options.n_components = 10;
      options.covariance_type = type;
      options.weight_concentration_prior_type = prior;
      options.weight_concentration_prior = 0.01;
      options.max_iter = 1000;
      options.random_state = 0;
      emgmm::BayesianGaussianMixture<Scalar> model(options);
      const Eigen::VectorXi labels = model.fit_predict(X);
      CHECK(model.converged());
      const auto& weights = model.weights();
      CHECK((weights.array() > Scalar(1e-2)).count() == 3);
      // The three kept components are the three blobs: each blob's points share one label, and
      // that component's weight is the blob's share of the points.
      std::vector<int> label_of_blob;
      for (int blob = 0; blob < 3; ++blob) {
        Eigen::VectorXi votes = Eigen::VectorXi::Zero(10);
        int members = 0;
        for (Index i = 0; i < X.rows(); ++i) {
          if (data.labels(i) == blob) {
            ++votes(labels(i));
            ++members;
          }
        }
        Index best = 0;
        CHECK(votes.maxCoeff(&best) == members);
        label_of_blob.push_back(static_cast<int>(best));
        CHECK(double(weights(best)) == Approx(double(members) / double(X.rows())).margin(0.01));
      }
      CHECK(label_of_blob[0] != label_of_blob[1]);
      CHECK(label_of_blob[1] != label_of_blob[2]);
      CHECK(label_of_blob[0] != label_of_blob[2]);
    }
  }
}

TEMPLATE_TEST_CASE("BayesianGaussianMixture: the posterior adds the counts to the priors",
                   "[bayesian_gaussian_mixture][property]", float, double) {
  using Scalar = TestType;
  const double eps = double(std::numeric_limits<Scalar>::epsilon());
  for (const CovarianceType type : kAllTypes) {
    for (const WeightConcentrationPriorType prior : kAllPriors) {
      INFO(emgmm::to_string(type) << ", " << emgmm::to_string(prior));
      const Data<Scalar> X = overlapping_blobs<Scalar>(type, 300, 17);
      const Index n = X.rows();
      const Index D = X.cols();
      emgmm::BayesianGaussianMixtureOptions<Scalar> options;
      options.n_components = 4;
      options.covariance_type = type;
      options.weight_concentration_prior_type = prior;
      options.mean_precision_prior = 0.5;
      options.random_state = 1;
      emgmm::BayesianGaussianMixture<Scalar> model(options);
      const Eigen::VectorXi labels = model.fit_predict(X);
      const Index K = 4;
      // nk_k = mean_precision_k - mean_precision_prior, and the counts sum to n.
      const Eigen::ArrayXd nk = model.mean_precision().template cast<double>().array() - 0.5;
      CHECK(nk.sum() == Approx(double(n)).epsilon(100 * eps));
      CHECK((nk >= -1e-3).all());
      if (type == CovarianceType::tied) {
        CHECK((model.degrees_of_freedom().array() == model.degrees_of_freedom()(0)).all());
        CHECK(double(model.degrees_of_freedom()(0)) ==
              Approx(double(D) + double(n) / double(K)).epsilon(100 * eps));
      } else {
        CHECK((model.degrees_of_freedom().template cast<double>().array() - double(D)).sum() ==
              Approx(double(n)).epsilon(100 * eps));
      }
      const auto& concentration = model.weight_concentration();
      const double wcp = 1.0 / double(K);
      CHECK(model.weight_concentration_prior() == wcp);
      if (prior == WeightConcentrationPriorType::dirichlet_process) {
        REQUIRE(concentration.cols() == 2);
        // Beta(1 + nk, prior + sum of the later components' counts).
        for (Index k = 0; k < K; ++k) {
          CHECK(double(concentration(k, 0)) ==
                Approx(1.0 + nk(k)).epsilon(100 * eps).margin(100 * eps));
          CHECK(double(concentration(k, 1)) ==
                Approx(wcp + nk.tail(K - 1 - k).sum()).epsilon(100 * eps).margin(1e3 * eps));
        }
      } else {
        REQUIRE(concentration.cols() == 1);
        CHECK((concentration.template cast<double>().array() - wcp).sum() ==
              Approx(double(n)).epsilon(100 * eps));
        CHECK(model.weights().template cast<double>().isApprox(
            concentration.template cast<double>() / concentration.template cast<double>().sum(),
            100 * eps));
      }
      // A valid mixture: weights sum to one, covariances symmetric positive definite and
      // inverse to the precisions, probabilities sum to one, fit_predict == predict.
      CHECK(model.weights().template cast<double>().sum() == Approx(1.0).epsilon(10 * eps));
      for (Index k = 0; k < K; ++k) {
        const auto covariance = model.covariance(k);
        CHECK(Eigen::LLT<Eigen::MatrixXd>(covariance.template cast<double>()).info() ==
              Eigen::Success);
        CHECK((covariance.template cast<double>() * model.precision(k).template cast<double>())
                  .isApprox(Eigen::MatrixXd::Identity(D, D), 1e3 * eps));
      }
      const auto proba = model.predict_proba(X);
      CHECK((proba.template cast<double>().rowwise().sum().array() - 1.0).abs().maxCoeff() <=
            10 * eps);
      CHECK(identical(labels, model.predict(X)));
      CHECK(model.score(X) == Approx(model.score_samples(X).template cast<double>().mean()));
    }
  }
}

TEST_CASE(
    "BayesianGaussianMixture: default priors come from the data, given ones are used as given",
    "[bayesian_gaussian_mixture]") {
  const Data<double> X = overlapping_blobs<double>(CovarianceType::full, 200, 23);
  const Index n = X.rows();
  const Eigen::RowVectorXd mean = X.colwise().mean();
  const Eigen::MatrixXd centered = X.rowwise() - mean;
  const Eigen::MatrixXd covariance = centered.transpose() * centered / double(n - 1);  // np.cov
  for (const CovarianceType type : kAllTypes) {
    INFO(emgmm::to_string(type));
    emgmm::BayesianGaussianMixtureOptions<double> options;
    options.n_components = 3;
    options.covariance_type = type;
    options.random_state = 0;
    emgmm::BayesianGaussianMixture<double> model(options);
    model.fit(X);
    CHECK(model.weight_concentration_prior() == 1.0 / 3.0);
    CHECK(model.mean_precision_prior() == 1.0);
    CHECK(model.degrees_of_freedom_prior() == 2.0);
    CHECK(model.mean_prior().isApprox(mean, 1e-14));
    switch (type) {
      case CovarianceType::full:
      case CovarianceType::tied: CHECK(model.covariance_prior().isApprox(covariance, 1e-13)); break;
      case CovarianceType::diag:
        CHECK(model.covariance_prior().isApprox(covariance.diagonal().transpose(), 1e-13));
        break;
      case CovarianceType::spherical:
        REQUIRE(model.covariance_prior().size() == 1);
        CHECK(model.covariance_prior()(0, 0) ==
              Approx(covariance.diagonal().mean()).epsilon(1e-13));
        break;
    }

    options.weight_concentration_prior = 0.05;
    options.mean_precision_prior = 2.0;
    options.mean_prior = Eigen::RowVector2d(1.0, -1.0);
    options.degrees_of_freedom_prior = 3.5;
    options.covariance_prior =
        type == CovarianceType::spherical ? Eigen::MatrixXd::Constant(1, 1, 0.7)
        : type == CovarianceType::diag    ? Eigen::MatrixXd(Eigen::Vector2d(0.5, 2.0))  // D x 1
                                       : Eigen::MatrixXd(Eigen::Matrix2d{{2.0, 0.3}, {0.3, 1.0}});
    model.set_params(options);
    model.fit(X);
    CHECK(model.weight_concentration_prior() == 0.05);
    CHECK(model.mean_precision_prior() == 2.0);
    CHECK(model.degrees_of_freedom_prior() == 3.5);
    CHECK(identical(model.mean_prior(), Eigen::RowVector2d(1.0, -1.0)));
    const Eigen::MatrixXd expected = type == CovarianceType::diag
                                         ? Eigen::MatrixXd(options.covariance_prior->transpose())
                                         : *options.covariance_prior;
    CHECK(identical(model.covariance_prior(), expected));  // diag: stored as one row
  }
}

TEMPLATE_TEST_CASE("BayesianGaussianMixture: integer sample weights fit what repeated rows fit",
                   "[bayesian_gaussian_mixture][sample_weight]", float, double) {
  using Scalar = TestType;
  const Data<Scalar> X = overlapping_blobs<Scalar>(CovarianceType::full, 120, 29);
  const Index n = X.rows();
  const Index K = 3;
  Eigen::VectorXd weights(n);
  for (Index i = 0; i < n; ++i) weights(i) = double(i % 4);  // 0 drops the row
  const Index repeated_rows = Index(weights.sum());
  // A soft start for each row, the same for every copy of it.
  Data<Scalar> resp(n, K);
  for (Index i = 0; i < n; ++i) {
    for (Index k = 0; k < K; ++k) resp(i, k) = Scalar(1 + (i * 7 + k * 3) % 5);
  }
  Data<Scalar> X_repeated(repeated_rows, X.cols());
  Data<Scalar> resp_repeated(repeated_rows, K);
  Index row = 0;
  for (Index i = 0; i < n; ++i) {
    for (int copy = 0; copy < int(weights(i)); ++copy, ++row) {
      X_repeated.row(row) = X.row(i);
      resp_repeated.row(row) = resp.row(i);
    }
  }
  for (const CovarianceType type : kAllTypes) {
    for (const WeightConcentrationPriorType prior : kAllPriors) {
      INFO(emgmm::to_string(type) << ", " << emgmm::to_string(prior));
      emgmm::BayesianGaussianMixtureOptions<Scalar> options;
      options.n_components = int(K);
      options.covariance_type = type;
      options.weight_concentration_prior_type = prior;
      options.resp_init = resp;
      emgmm::BayesianGaussianMixture<Scalar> weighted(options);
      weighted.fit(X, weights);
      options.resp_init = resp_repeated;
      emgmm::BayesianGaussianMixture<Scalar> repeated(options);
      repeated.fit(X_repeated);
      // The same sums in another order: rounding only, carried through the iterations.
      const double tolerance = std::is_same<Scalar, float>::value ? 2e-3 : 1e-9;
      CHECK(weighted.n_iter() == repeated.n_iter());
      CHECK(weighted.lower_bound() == Approx(repeated.lower_bound()).epsilon(tolerance));
      CHECK(weighted.means().template cast<double>().isApprox(
          repeated.means().template cast<double>(), tolerance));
      CHECK(weighted.covariances().template cast<double>().isApprox(
          repeated.covariances().template cast<double>(), tolerance));
      CHECK(weighted.weights().template cast<double>().isApprox(
          repeated.weights().template cast<double>(), tolerance));
      CHECK(weighted.covariance_prior().template cast<double>().isApprox(
          repeated.covariance_prior().template cast<double>(), tolerance));
    }
  }
}

TEMPLATE_TEST_CASE("BayesianGaussianMixture: random_state, n_init and every init_params",
                   "[bayesian_gaussian_mixture]", float, double) {
  using Scalar = TestType;
  const Data<Scalar> X = overlapping_blobs<Scalar>(CovarianceType::diag, 250, 37);
  for (const emgmm::InitParams init :
       {emgmm::InitParams::kmeans, emgmm::InitParams::k_means_plus_plus, emgmm::InitParams::random,
        emgmm::InitParams::random_from_data}) {
    INFO(emgmm::to_string(init));
    emgmm::BayesianGaussianMixtureOptions<Scalar> options;
    options.n_components = 4;
    options.covariance_type = CovarianceType::diag;
    options.init_params = init;
    options.random_state = 42;
    emgmm::BayesianGaussianMixture<Scalar> a(options), b(options);
    a.fit(X);
    b.fit(X);
    check_identical(a, b);
    // n_init keeps the best of its starts: never worse than the first start alone.
    options.n_init = 3;
    std::vector<double> finals;
    options.callback = [&](const emgmm::IterationInfo& info) {
      if (finals.size() <= static_cast<std::size_t>(info.init)) finals.push_back(0.0);
      finals[static_cast<std::size_t>(info.init)] = info.lower_bound;
      return true;
    };
    emgmm::BayesianGaussianMixture<Scalar> best(options);
    best.fit(X);
    REQUIRE(finals.size() == 3);
    CHECK(best.lower_bound() == *std::max_element(finals.begin(), finals.end()));
    CHECK(best.lower_bound() >= a.lower_bound());
  }
}

TEST_CASE("BayesianGaussianMixture: max_iter = 0 only initializes; sample draws from the model",
          "[bayesian_gaussian_mixture]") {
  const Data<double> X = overlapping_blobs<double>(CovarianceType::full, 200, 41);
  emgmm::BayesianGaussianMixtureOptions<double> options;
  options.n_components = 3;
  options.max_iter = 0;
  options.random_state = 0;
  emgmm::BayesianGaussianMixture<double> model(options);
  model.fit(X);
  CHECK(model.n_iter() == 0);
  CHECK_FALSE(model.converged());
  CHECK(model.lower_bound() == -std::numeric_limits<double>::infinity());
  CHECK(model.weights().sum() == Approx(1.0));

  options.max_iter = 100;
  model.set_params(options);
  model.fit(X);
  const auto samples = model.sample(20000);
  REQUIRE(samples.X.rows() == 20000);
  for (Index k = 0; k < 3; ++k) {
    const double share = double((samples.y.array() == int(k)).count()) / 20000.0;
    CHECK(share == Approx(model.weights()(k)).margin(0.015));  // 4 binomial standard errors
  }
  const auto again = model.sample(20000);
  CHECK(identical(again.X, samples.X));
}

TEST_CASE("BayesianGaussianMixture: invalid input throws, names the parameter and changes nothing",
          "[bayesian_gaussian_mixture][errors]") {
  const Data<double> X = overlapping_blobs<double>(CovarianceType::full, 100, 43);
  emgmm::BayesianGaussianMixtureOptions<double> good;
  good.n_components = 3;
  good.random_state = 0;
  emgmm::BayesianGaussianMixture<double> unfitted(good);
  CHECK_THROWS_AS(unfitted.predict(X), emgmm::NotFittedError);
  CHECK_THROWS_AS(unfitted.weight_concentration(), emgmm::NotFittedError);
  CHECK_THROWS_AS(unfitted.covariance_prior(), emgmm::NotFittedError);

  emgmm::BayesianGaussianMixture<double> fitted(good);
  fitted.fit(X);
  const emgmm::BayesianGaussianMixture<double> before = fitted;

  using Change = std::function<void(emgmm::BayesianGaussianMixtureOptions<double>&)>;
  struct Case {
    const char* expected;  // in the message
    Change change;
  };
  const Case cases[] = {
      {"n_components", [](auto& o) { o.n_components = 0; }},
      {"tol", [](auto& o) { o.tol = -1.0; }},
      {"reg_covar", [](auto& o) { o.reg_covar = std::nan(""); }},
      {"max_iter", [](auto& o) { o.max_iter = -2; }},
      {"n_init", [](auto& o) { o.n_init = 0; }},
      {"weight_concentration_prior_type",
       [](auto& o) {
         o.weight_concentration_prior_type = static_cast<WeightConcentrationPriorType>(7);
       }},
      {"weight_concentration_prior", [](auto& o) { o.weight_concentration_prior = 0.0; }},
      {"mean_precision_prior", [](auto& o) { o.mean_precision_prior = -1.0; }},
      {"degrees_of_freedom_prior",
       [](auto& o) { o.degrees_of_freedom_prior = 0.5; }},  // <= D - 1 = 1
      {"degrees_of_freedom_prior",
       [](auto& o) { o.degrees_of_freedom_prior = std::numeric_limits<double>::infinity(); }},
      {"mean_prior", [](auto& o) { o.mean_prior = Eigen::RowVectorXd::Zero(3); }},
      {"mean_prior", [](auto& o) { o.mean_prior = Eigen::RowVector2d(0.0, std::nan("")); }},
      {"covariance_prior", [](auto& o) { o.covariance_prior = Eigen::MatrixXd::Identity(3, 3); }},
      {"covariance_prior",
       [](auto& o) {
         o.covariance_prior = Eigen::MatrixXd(Eigen::Matrix2d{{1.0, 2.0}, {2.0, 1.0}});
       }},
      {"covariance_prior",
       [](auto& o) {
         o.covariance_prior = Eigen::MatrixXd(Eigen::Matrix2d{{1.0, 0.5}, {0.0, 1.0}});
       }},
      {"covariance_prior",
       [](auto& o) {
         o.covariance_type = CovarianceType::diag;
         o.covariance_prior = Eigen::MatrixXd(Eigen::RowVector2d(1.0, 0.0));
       }},
      {"covariance_prior",
       [](auto& o) {
         o.covariance_type = CovarianceType::spherical;
         o.covariance_prior = Eigen::MatrixXd::Constant(1, 2, 1.0);
       }},
      {"resp_init", [](auto& o) { o.resp_init = Eigen::MatrixXd::Ones(99, 3); }},
      {"resp_init", [](auto& o) { o.resp_init = Eigen::MatrixXd::Ones(100, 2); }},
      {"resp_init",
       [](auto& o) {
         o.resp_init = Eigen::MatrixXd::Ones(100, 3);
         (*o.resp_init)(5, 1) = -0.1;
       }},
      {"resp_init",
       [](auto& o) {
         o.resp_init = Eigen::MatrixXd::Ones(100, 3);
         o.resp_init->row(7).setZero();
       }},
      {"warm_start",
       [](auto& o) {
         o.warm_start = true;
         o.weight_concentration_prior_type = WeightConcentrationPriorType::dirichlet_distribution;
       }},
  };
  for (const Case& c : cases) {
    emgmm::BayesianGaussianMixtureOptions<double> options = good;
    c.change(options);
    fitted.set_params(options);
    std::string message;
    try {
      fitted.fit(X);
    } catch (const emgmm::InvalidArgument& error) {
      message = error.what();
    }
    INFO("expected an InvalidArgument about " << c.expected << "; got: '" << message << "'");
    CHECK(message.find(c.expected) != std::string::npos);
    CHECK(message.find("BayesianGaussianMixture::fit") == 0);
    check_identical(fitted, before);
  }
  fitted.set_params(good);
  // Data errors.
  CHECK_THROWS_AS(fitted.fit(Data<double>(2, 0)), emgmm::InvalidArgument);
  Data<double> bad = X;
  bad(3, 1) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_AS(fitted.fit(bad), emgmm::InvalidArgument);
  CHECK_THROWS_AS(fitted.fit(X.topRows(2)), emgmm::InvalidArgument);  // fewer rows than components
  CHECK_THROWS_AS(fitted.predict(Data<double>::Zero(4, 3)), emgmm::InvalidArgument);
  Eigen::VectorXd weights = Eigen::VectorXd::Ones(100);
  weights(9) = -1.0;
  CHECK_THROWS_WITH(fitted.fit(X, weights), emgmm_test::message_contains("sample_weight(9)"));
  // Weights summing to 1 or less leave no data covariance for the default prior.
  CHECK_THROWS_WITH(fitted.fit(X, Eigen::VectorXd::Constant(100, 0.005)),
                    emgmm_test::message_contains("covariance_prior"));
  check_identical(fitted, before);
  CHECK_THROWS_AS(fitted.covariance(3), emgmm::InvalidArgument);
  CHECK_THROWS_AS(fitted.sample(0), emgmm::InvalidArgument);
}

TEST_CASE("BayesianGaussianMixture: a covariance that is not positive definite is a NumericalError",
          "[bayesian_gaussian_mixture][errors]") {
  // All points equal in the first feature and a covariance prior that adds almost nothing there (a
  // denormal): reg_covar = 0 leaves that direction with zero variance.
  Data<double> X = overlapping_blobs<double>(CovarianceType::diag, 60, 47);
  X.col(0).setConstant(2.0);
  emgmm::BayesianGaussianMixtureOptions<double> options;
  options.n_components = 2;
  options.covariance_type = CovarianceType::diag;
  options.reg_covar = 0.0;
  options.covariance_prior = Eigen::MatrixXd(Eigen::RowVector2d(1e-320, 1.0));
  options.random_state = 0;
  emgmm::BayesianGaussianMixture<double> model(options);
  CHECK_THROWS_AS(model.fit(X), emgmm::NumericalError);
  CHECK_FALSE(model.is_fitted());
  options.reg_covar = 1e-6;
  model.set_params(options);
  CHECK_NOTHROW(model.fit(X));
}

TEMPLATE_TEST_CASE("BayesianGaussianMixture: save and load give the same model bit for bit",
                   "[bayesian_gaussian_mixture][serialization]", float, double) {
  using Scalar = TestType;
  using Model = emgmm::BayesianGaussianMixture<Scalar>;
  const Data<Scalar> X = overlapping_blobs<Scalar>(CovarianceType::full, 150, 53);
  for (const CovarianceType type : kAllTypes) {
    for (const WeightConcentrationPriorType prior : kAllPriors) {
      for (const bool given_priors : {false, true}) {
        INFO(emgmm::to_string(type)
             << ", " << emgmm::to_string(prior) << (given_priors ? ", priors given" : ""));
        emgmm::BayesianGaussianMixtureOptions<Scalar> options;
        options.n_components = 3;
        options.covariance_type = type;
        options.weight_concentration_prior_type = prior;
        options.random_state = 9;
        if (given_priors) {
          options.weight_concentration_prior = 0.1;
          options.mean_precision_prior = 0.3;
          options.mean_prior = Eigen::Matrix<Scalar, 1, Eigen::Dynamic>::Constant(2, Scalar(0.5));
          options.degrees_of_freedom_prior = 2.5;
          options.covariance_prior =
              type == CovarianceType::spherical ? Data<Scalar>::Constant(1, 1, Scalar(0.8))
              : type == CovarianceType::diag    ? Data<Scalar>::Constant(1, 2, Scalar(0.8))
                                                : Data<Scalar>(Data<Scalar>::Identity(2, 2));
        }
        Model model(options);
        model.fit(X);
        std::stringstream stream;
        model.save(stream);
        const Model loaded = Model::load(stream);
        check_identical(loaded, model);
        CHECK(identical(loaded.precisions(), model.precisions()));
        CHECK(loaded.weight_concentration_prior() == model.weight_concentration_prior());
        CHECK(loaded.mean_precision_prior() == model.mean_precision_prior());
        CHECK(loaded.degrees_of_freedom_prior() == model.degrees_of_freedom_prior());
        CHECK(identical(loaded.mean_prior(), model.mean_prior()));
        CHECK(identical(loaded.covariance_prior(), model.covariance_prior()));
        CHECK(loaded.get_params().weight_concentration_prior == options.weight_concentration_prior);
        CHECK(loaded.get_params().covariance_prior.has_value() == given_priors);
        // The E-step's terms are recomputed, so the loaded model predicts the same.
        CHECK(identical(loaded.predict_proba(X), model.predict_proba(X)));
        CHECK(identical(loaded.score_samples(X), model.score_samples(X)));
        std::stringstream again;
        loaded.save(again);
        CHECK(again.str() == stream.str());
        // warm_start from the loaded model continues exactly as from the fitted one.
        options.warm_start = true;
        options.max_iter = 2;
        Model continued = loaded;
        continued.set_params(options);
        model.set_params(options);
        continued.fit(X);
        model.fit(X);
        check_identical(continued, model);
      }
    }
  }
}

TEST_CASE(
    "BayesianGaussianMixture: a model whose default covariance prior is singular saves and loads",
    "[bayesian_gaussian_mixture][serialization]") {
  // A constant feature makes the data's covariance, the default prior, singular; reg_covar
  // keeps the fit well defined, and the saved prior must load again (found by the fuzzer).
  Data<double> X = overlapping_blobs<double>(CovarianceType::full, 80, 61);
  X.col(1).setConstant(-4.0);
  for (const CovarianceType type : kAllTypes) {
    INFO(emgmm::to_string(type));
    emgmm::BayesianGaussianMixtureOptions<double> options;
    options.n_components = 2;
    options.covariance_type = type;
    options.random_state = 0;
    emgmm::BayesianGaussianMixture<double> model(options);
    model.fit(X);
    // The constant feature's variance (spherical: the mean variance is positive).
    if (type == CovarianceType::full || type == CovarianceType::tied)
      CHECK(model.covariance_prior()(1, 1) == 0.0);
    if (type == CovarianceType::diag) CHECK(model.covariance_prior()(0, 1) == 0.0);
    std::stringstream text;
    model.save(text);
    const auto loaded = emgmm::BayesianGaussianMixture<double>::load(text);
    check_identical(loaded, model);
  }
}

TEST_CASE("BayesianGaussianMixture: posterior means stay finite for data near the largest double",
          "[bayesian_gaussian_mixture][scale]") {
  // Points at -0.9 DBL_MAX: the textbook (beta0 m0 + nk xk) / beta overflows to -inf although
  // the mean it stands for is the data's own value (found by the fuzzer).
  const double far = -0.9 * std::numeric_limits<double>::max();
  Data<double> X = Data<double>::Constant(12, 2, far);
  X.col(1).setConstant(0.5 * far);
  for (const int max_iter : {0, 2}) {
    INFO("max_iter " << max_iter);
    emgmm::BayesianGaussianMixtureOptions<double> options;
    options.n_components = 2;
    options.covariance_type = CovarianceType::diag;
    options.max_iter = max_iter;
    options.random_state = 0;
    emgmm::BayesianGaussianMixture<double> model(options);
    model.fit(X);
    REQUIRE(model.means().allFinite());
    CHECK((model.means().col(0).array() == far).all());
    CHECK((model.means().col(1).array() == 0.5 * far).all());
  }
}

TEST_CASE("BayesianGaussianMixture: load rejects malformed text, naming the line and key",
          "[bayesian_gaussian_mixture][serialization]") {
  using Model = emgmm::BayesianGaussianMixture<double>;
  const Data<double> X = overlapping_blobs<double>(CovarianceType::diag, 120, 59);
  emgmm::BayesianGaussianMixtureOptions<double> options;
  options.n_components = 2;
  options.covariance_type = CovarianceType::diag;
  options.random_state = 0;
  Model model(options);
  model.fit(X);
  std::stringstream stream;
  model.save(stream);
  const std::string text = stream.str();
  const auto replaced = [&](const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.substr(0, at) + to + text.substr(at + from.size());
  };
  struct Case {
    std::string text, expected;
  };
  const Case cases[] = {
      {"emgmm-gaussian-mixture 1\n", "load it with GaussianMixture::load"},
      {text.substr(0, text.size() / 2), "ends"},
      {replaced("weight_concentration_prior_type dirichlet_process",
                "weight_concentration_prior_type stick"),
       "weight_concentration_prior_type"},
      {replaced("weight_concentration_prior none", "weight_concentration_prior -1"),
       "weight_concentration_prior"},
      {replaced("weight_concentration 2 2", "weight_concentration 2 1"), "weight_concentration"},
      {replaced("weight_concentration 2 2\n", "weight_concentration 2 2\n-"),
       "weight_concentration"},
      {replaced("degrees_of_freedom_prior_ 2", "degrees_of_freedom_prior_ 0.5"),
       "degrees_of_freedom_prior_"},
      {replaced("covariance_prior 0 0", "covariance_prior 2 2"), "covariance_prior"},
  };
  for (const Case& c : cases) {
    std::istringstream in(c.text);
    std::string message;
    try {
      (void)Model::load(in);
    } catch (const emgmm::FormatError& error) {
      message = error.what();
    }
    INFO("expected a FormatError about '" << c.expected << "'; got: '" << message << "'");
    CHECK(message.find(c.expected) != std::string::npos);
    CHECK(message.find("BayesianGaussianMixture::load") == 0);
  }
  // A GaussianMixture file names the class to load it with, and the other way round.
  emgmm::GaussianMixture<double> gmm(2);
  gmm.fit(X);
  std::stringstream gmm_text;
  gmm.save(gmm_text);
  CHECK_THROWS_WITH(Model::load(gmm_text), emgmm_test::message_contains("GaussianMixture::load"));
  std::istringstream bgm_text(text);
  CHECK_THROWS_AS(emgmm::GaussianMixture<double>::load(bgm_text), emgmm::FormatError);
  CHECK_THROWS_AS(Model().save(stream), emgmm::NotFittedError);
}
