// GaussianMixture::partial_fit: stepwise (online) EM over a stream of chunks, and
// SufficientStatistics::recenter / operator*=, which it is built on.
//   - on well-separated data streamed once in chunks of 500, the model's log-likelihood is
//     within 1% of the batch fit's and the true means are recovered;
//   - lower_bound() after a call is the chunk's mean log-likelihood under the model before it;
//   - after fit(), partial_fit continues from the fitted model instead of starting over;
//   - recenter() gives exactly (to rounding) the sums taken about the other means;
//   - bad options and chunks throw and leave the model as it was.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <emgmm/emgmm.hpp>

#include "catch.hpp"
#include "synthetic_data.hpp"

namespace {

using Eigen::Index;
using emgmm::CovarianceType;

std::string message_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const emgmm::Error& error) {
    return dynamic_cast<const std::exception&>(error).what();
  }
  return "no exception";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("partial_fit over a stream of chunks reaches the batch fit", "[partial_fit]") {
  const CovarianceType type = GENERATE(CovarianceType::full, CovarianceType::tied,
                                       CovarianceType::diag, CovarianceType::spherical);
  CAPTURE(emgmm::to_string(type));
  const emgmm_test::KnownMixture truth = emgmm_test::three_blobs(3, type);
  const Eigen::MatrixXd X = emgmm_test::draw(truth, 30000, 101).X;  // components in random order

  emgmm::GaussianMixtureOptions<> options;
  options.n_components = 3;
  options.covariance_type = type;
  options.random_state = 2;
  emgmm::GaussianMixture<> batch(options), online(options);
  batch.fit(X);
  const Index chunk = 500;
  for (Index start = 0; start < X.rows(); start += chunk) {
    online.partial_fit(X.middleRows(start, std::min(chunk, X.rows() - start)));
  }
  CHECK(online.n_iter() == 60);
  CHECK_FALSE(online.converged());
  const double batch_score = batch.score(X);
  const double online_score = online.score(X);
  CAPTURE(batch_score, online_score);
  CHECK(std::abs(online_score - batch_score) <= 0.01 * std::abs(batch_score));
  const std::vector<Index> match = emgmm_test::match_components(online.means(), truth.means);
  REQUIRE(match.size() == 3);
  for (Index k = 0; k < 3; ++k) {
    CAPTURE(k);
    CHECK((online.means().row(k) - truth.means.row(match[static_cast<std::size_t>(k)])).norm() <
          0.1);
    CHECK(online.weights()(k) ==
          Approx(truth.weights(match[static_cast<std::size_t>(k)])).margin(0.02));
  }
}

TEST_CASE("partial_fit's lower bound is the chunk's log-likelihood before the step",
          "[partial_fit]") {
  const Eigen::MatrixXd X =
      emgmm_test::draw(emgmm_test::three_blobs(2, CovarianceType::full), 3000, 102).X;
  emgmm::GaussianMixture<> model(3);
  model.partial_fit(X.topRows(1000));
  CHECK(model.n_iter() == 1);
  const emgmm::GaussianMixture<> before = model;
  model.partial_fit(X.middleRows(1000, 1000));
  CHECK(model.lower_bound() == Approx(before.score(X.middleRows(1000, 1000))).epsilon(1e-12));
  CHECK(model.n_iter() == 2);
  CHECK(model.means() != before.means());  // the step moved the model

  // A weighted chunk: weight 0 everywhere but one row changes the model by that row only.
  Eigen::VectorXd weights = Eigen::VectorXd::Zero(1000);
  weights(3) = 1.0;
  emgmm::GaussianMixture<> weighted = before;
  weighted.partial_fit(X.middleRows(1000, 1000), weights);
  CHECK(weighted.lower_bound() == Approx(before.score(X.middleRows(1003, 1))).epsilon(1e-12));
}

TEST_CASE("partial_fit after fit continues from the fitted model", "[partial_fit]") {
  const emgmm_test::KnownMixture truth = emgmm_test::three_blobs(2, CovarianceType::diag);
  const Eigen::MatrixXd X = emgmm_test::draw(truth, 6000, 103).X;
  emgmm::GaussianMixtureOptions<> options;
  options.n_components = 3;
  options.covariance_type = CovarianceType::diag;
  options.random_state = 1;
  emgmm::GaussianMixture<> model(options);
  model.fit(X.topRows(5000));
  const Eigen::MatrixXd fitted_means = model.means();
  const int fitted_iterations = model.n_iter();
  model.partial_fit(X.bottomRows(1000));
  // The new chunk has the same distribution: the means move by sampling noise, not back to a
  // fresh start, and the components keep their order.
  CHECK((model.means() - fitted_means).rowwise().norm().maxCoeff() < 0.2);
  CHECK(model.n_iter() == fitted_iterations + 1);
}

TEST_CASE("SufficientStatistics::recenter gives the sums about other means",
          "[partial_fit][sufficient_statistics]") {
  const CovarianceType type = GENERATE(CovarianceType::full, CovarianceType::tied,
                                       CovarianceType::diag, CovarianceType::spherical);
  CAPTURE(emgmm::to_string(type));
  const Eigen::MatrixXd X =
      emgmm_test::draw(emgmm_test::three_blobs(3, CovarianceType::full), 900, 104).X;
  const emgmm::detail::RowSource<double, Eigen::Dynamic> source(X);
  // Fixed responsibilities: point i belongs to component i % 3 with 0.8, the others 0.1.
  const auto responsibilities = [](Index start, Index rows, Eigen::MatrixXd& R) {
    for (Index i = 0; i < rows; ++i) {
      for (Index k = 0; k < 3; ++k) R(i, k) = (start + i) % 3 == k ? 0.8 : 0.1;
    }
  };
  Eigen::MatrixXd about(3, 3), other(3, 3);
  about << 1, 2, 3, -4, 5, 0, 0.5, 0, -7;
  other << -2, 0, 1, 3, 3, 3, 0, 10, -1;
  emgmm::SufficientStatistics stats =
      emgmm::detail::responsibility_pass(source, type, 3, about, responsibilities);
  const emgmm::SufficientStatistics expected =
      emgmm::detail::responsibility_pass(source, type, 3, other, responsibilities);
  stats.recenter(other);
  CHECK(stats.reference == expected.reference);
  CHECK((stats.resp_diff_sum - expected.resp_diff_sum).cwiseAbs().maxCoeff() < 1e-9);
  const Eigen::MatrixXd lower_got = stats.scatter.triangularView<Eigen::Lower>();
  const Eigen::MatrixXd lower_expected = expected.scatter.triangularView<Eigen::Lower>();
  const bool diagonal = type == CovarianceType::diag || type == CovarianceType::spherical;
  CHECK(((diagonal ? stats.scatter : lower_got) - (diagonal ? expected.scatter : lower_expected))
            .cwiseAbs()
            .maxCoeff() < 1e-8 * expected.scatter.cwiseAbs().maxCoeff());
  CHECK(contains(message_of([&] { stats.recenter(Eigen::MatrixXd::Zero(2, 3)); }),
                 "SufficientStatistics::recenter: the new reference means are (2 x 3)"));
}

TEST_CASE("partial_fit rejects bad options and chunks and leaves the model as it was",
          "[partial_fit][errors]") {
  const Eigen::MatrixXd X =
      emgmm_test::draw(emgmm_test::three_blobs(2, CovarianceType::full), 600, 105).X;
  emgmm::GaussianMixture<> fresh(3);
  CHECK(contains(message_of([&] { fresh.partial_fit(X.topRows(2)); }),
                 "GaussianMixture::partial_fit: X has 2 rows (samples) but at least 3 are needed"));
  CHECK_FALSE(fresh.is_fitted());

  emgmm::GaussianMixture<> model(3);
  model.partial_fit(X.topRows(300));
  const emgmm::GaussianMixture<> before = model;
  CHECK(contains(message_of([&] { model.partial_fit(Eigen::MatrixXd::Zero(10, 3)); }),
                 "X has 3 features (columns), but the model was fitted with 2 features"));
  emgmm::GaussianMixtureOptions<> bad = model.get_params();
  bad.learning_decay = 0.5;
  model.set_params(bad);
  CHECK(contains(message_of([&] { model.partial_fit(X.bottomRows(300)); }),
                 "learning_decay = 0.5 must be in (0.5, 1]"));
  bad.learning_decay = 0.7;
  bad.learning_offset = 0.0;
  model.set_params(bad);
  CHECK(contains(message_of([&] { model.partial_fit(X.bottomRows(300)); }),
                 "learning_offset = 0 must be"));
  bad.learning_offset = 1.0;
  bad.n_components = 4;
  model.set_params(bad);
  CHECK(contains(message_of([&] { model.partial_fit(X.bottomRows(300)); }),
                 "call fit() to start over"));
  model.set_params(before.get_params());
  Eigen::VectorXd negative = Eigen::VectorXd::Ones(300);
  negative(0) = -1.0;
  CHECK(contains(message_of([&] { model.partial_fit(X.bottomRows(300), negative); }),
                 "sample_weight(0) = -1"));
  CHECK(model.means() == before.means());
  CHECK(model.covariances() == before.covariances());
  CHECK(model.n_iter() == before.n_iter());
  CHECK(model.lower_bound() == before.lower_bound());
  // ...and the next good chunk takes the same step it would have taken without the failures.
  emgmm::GaussianMixture<> untouched = before;
  model.partial_fit(X.bottomRows(300));
  untouched.partial_fit(X.bottomRows(300));
  CHECK(model.means() == untouched.means());
}
