// emgmm::SufficientStatistics and the EM steps it connects: GaussianMixture::expectation,
// GaussianMixture::maximization and GaussianMixtureOptions::statistics_reducer.
//   - expectation() then maximization() is exactly one iteration of fit();
//   - a loop of them is exactly fit() from the same start;
//   - statistics of the parts of the data add up to those of the whole (to rounding);
//   - to_buffer()/from_buffer() round-trip exactly and reject what is not a buffer;
//   - fit() with a reducer on shards, run by threads that exchange their statistics (an
//     in-process stand-in for MPI: examples/mpi_fit.cpp does it over MPI), gives every shard
//     the same model, equal to the fit of all the data to ~1e-12.

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <Eigen/Core>

#include <emgmm/emgmm.hpp>

#include "catch.hpp"
#include "synthetic_data.hpp"

namespace {

using Eigen::Index;
using emgmm::CovarianceType;
using emgmm::SufficientStatistics;

Eigen::MatrixXd blob_data(Index n, std::uint64_t seed) {
  return emgmm_test::draw(emgmm_test::three_blobs(2, CovarianceType::full, 0.3), n, seed).X;
}

double relative_difference(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  REQUIRE(a.rows() == b.rows());
  REQUIRE(a.cols() == b.cols());
  return (a - b).cwiseAbs().maxCoeff() / std::max(1.0, b.cwiseAbs().maxCoeff());
}

std::string message_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const emgmm::InvalidArgument& error) {
    return error.what();
  }
  return "no exception";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// The options of a start every process can share: the parameters of a short fit.
emgmm::GaussianMixtureOptions<> shared_start(const Eigen::MatrixXd& X, CovarianceType type) {
  emgmm::GaussianMixtureOptions<> options;
  options.n_components = 3;
  options.covariance_type = type;
  options.max_iter = 1;
  options.random_state = 4;
  emgmm::GaussianMixture<> start(options);
  start.fit(X.topRows(X.rows() / 4));
  options.max_iter = 100;
  options.tol = 1e-10;
  options.weights_init = start.weights();
  options.means_init = start.means();
  options.precisions_init = start.precisions();
  return options;
}

/// A barrier for a fixed number of threads (C++17 has no std::barrier).
class Barrier {
 public:
  explicit Barrier(int count) : count_(count) {}
  void wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    const int generation = generation_;
    if (++arrived_ == count_) {
      arrived_ = 0;
      ++generation_;
      changed_.notify_all();
    } else {
      changed_.wait(lock, [&] { return generation != generation_; });
    }
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int count_;
  int arrived_ = 0;
  int generation_ = 0;
};

/// An allgather over threads: every thread's statistics, as flat buffers, added in rank order.
class ThreadAllReduce {
 public:
  explicit ThreadAllReduce(int ranks)
      : buffers_(static_cast<std::size_t>(ranks)), barrier_(ranks) {}
  void operator()(int rank, SufficientStatistics& stats) {
    buffers_[static_cast<std::size_t>(rank)] = stats.to_buffer();
    barrier_.wait();
    SufficientStatistics total =
        SufficientStatistics::from_buffer(buffers_[0].data(), buffers_[0].size());
    for (std::size_t r = 1; r < buffers_.size(); ++r) {
      total += SufficientStatistics::from_buffer(buffers_[r].data(), buffers_[r].size());
    }
    barrier_.wait();  // nobody overwrites a buffer before everyone has read them all
    stats = std::move(total);
  }

 private:
  std::vector<std::vector<double>> buffers_;
  Barrier barrier_;
};

}  // namespace

TEST_CASE("expectation then maximization is one iteration of fit", "[sufficient_statistics]") {
  const CovarianceType type = GENERATE(CovarianceType::full, CovarianceType::tied,
                                       CovarianceType::diag, CovarianceType::spherical);
  CAPTURE(emgmm::to_string(type));
  const Eigen::MatrixXd X = blob_data(500, 1);
  emgmm::GaussianMixtureOptions<> options = shared_start(X, type);
  options.tol = 0.0;  // run exactly max_iter iterations
  options.max_iter = 6;
  emgmm::GaussianMixture<> fitted(options);
  fitted.fit(X);

  // The same six iterations by hand, from an unfitted model: the first E-step needs the start
  // as a fitted model, so it is made by a fit of 0 iterations... which is the start itself.
  emgmm::GaussianMixtureOptions<> start_options = options;
  start_options.max_iter = 0;
  emgmm::GaussianMixture<> manual(start_options);
  manual.fit(X);
  for (int iteration = 0; iteration < 6; ++iteration) manual.maximization(manual.expectation(X));
  CHECK(manual.weights() == fitted.weights());
  CHECK(manual.means() == fitted.means());
  CHECK(manual.covariances() == fitted.covariances());
  CHECK(manual.precisions_cholesky() == fitted.precisions_cholesky());
  CHECK(manual.precisions() == fitted.precisions());
  CHECK(manual.lower_bound() == fitted.lower_bound());
  CHECK(manual.n_iter() == 6);
  CHECK(fitted.n_iter() == 6);

  // An unfitted model takes the statistics too, if its options match.
  emgmm::GaussianMixture<> fresh(options);
  fresh.maximization(fitted.expectation(X));
  emgmm::GaussianMixture<> next = fitted;
  next.maximization(fitted.expectation(X));
  CHECK(fresh.means() == next.means());
  CHECK(fresh.covariances() == next.covariances());
  CHECK(fresh.n_iter() == 1);
  CHECK(next.n_iter() == 7);
}

TEST_CASE("Statistics of the parts add up to those of the whole", "[sufficient_statistics]") {
  const CovarianceType type = GENERATE(CovarianceType::full, CovarianceType::tied,
                                       CovarianceType::diag, CovarianceType::spherical);
  CAPTURE(emgmm::to_string(type));
  const Eigen::MatrixXd X = blob_data(3001, 2);
  emgmm::GaussianMixture<> model(shared_start(X, type));
  model.fit(X);
  const SufficientStatistics whole = model.expectation(X);
  SufficientStatistics parts = model.expectation(X.topRows(1000));
  parts += model.expectation(X.middleRows(1000, 1500));
  parts += model.expectation(X.bottomRows(501));
  CHECK(parts.n_samples == whole.n_samples);
  CHECK(parts.log_likelihood == Approx(whole.log_likelihood).epsilon(1e-13));
  CHECK(relative_difference(parts.resp_sum, whole.resp_sum) < 1e-13);
  CHECK(relative_difference(parts.resp_diff_sum, whole.resp_diff_sum) < 1e-11);
  CHECK(relative_difference(parts.scatter, whole.scatter) < 1e-12);
  CHECK(parts.reference == whole.reference);
  CHECK(whole.n_samples == 3001.0);
  CHECK(whole.log_likelihood / whole.n_samples == Approx(model.score(X)).epsilon(1e-12));

  // Weighted statistics: weight 2 counts a row twice.
  const SufficientStatistics doubled =
      model.expectation(X, Eigen::VectorXd::Constant(X.rows(), 2.0));
  CHECK(doubled.n_samples == 2.0 * whole.n_samples);
  CHECK(relative_difference(doubled.scatter, 2.0 * whole.scatter) < 1e-13);
}

TEST_CASE("SufficientStatistics round-trips through a flat buffer and rejects other buffers",
          "[sufficient_statistics][errors]") {
  const CovarianceType type = GENERATE(CovarianceType::full, CovarianceType::tied,
                                       CovarianceType::diag, CovarianceType::spherical);
  CAPTURE(emgmm::to_string(type));
  const Eigen::MatrixXd X = blob_data(200, 3);
  emgmm::GaussianMixture<> model(shared_start(X, type));
  model.fit(X);
  const SufficientStatistics stats = model.expectation(X);
  const std::vector<double> buffer = stats.to_buffer();
  CHECK(buffer.size() == SufficientStatistics::buffer_size(type, 3, 2));
  const SufficientStatistics back = SufficientStatistics::from_buffer(buffer.data(), buffer.size());
  CHECK(back.covariance_type == stats.covariance_type);
  CHECK(back.resp_sum == stats.resp_sum);
  CHECK(back.resp_diff_sum == stats.resp_diff_sum);
  CHECK(back.scatter == stats.scatter);
  CHECK(back.reference == stats.reference);
  CHECK(back.log_likelihood == stats.log_likelihood);
  CHECK(back.n_samples == stats.n_samples);

  CHECK(
      contains(message_of([&] { (void)SufficientStatistics::from_buffer(buffer.data(), 3); }),
               "SufficientStatistics::from_buffer: the buffer holds 3 doubles, fewer than the 5"));
  CHECK(contains(message_of([&] {
                   (void)SufficientStatistics::from_buffer(buffer.data(), buffer.size() - 1);
                 }),
                 "doubles but its header"));
  std::vector<double> bad = buffer;
  bad[0] = 7.0;
  CHECK(
      contains(message_of([&] { (void)SufficientStatistics::from_buffer(bad.data(), bad.size()); }),
               "buffer[0] = 7 is not a covariance type code"));
  bad = buffer;
  bad[1] = 2.5;
  CHECK(
      contains(message_of([&] { (void)SufficientStatistics::from_buffer(bad.data(), bad.size()); }),
               "are not component and feature counts"));
  bad = buffer;
  bad[1] = 1e300;  // a huge count must not make it allocate
  CHECK(
      contains(message_of([&] { (void)SufficientStatistics::from_buffer(bad.data(), bad.size()); }),
               "are not component and feature counts"));
  bad = buffer;
  bad.back() = std::nan("");
  CHECK(
      contains(message_of([&] { (void)SufficientStatistics::from_buffer(bad.data(), bad.size()); }),
               "; statistics must be finite."));
}

TEST_CASE("Only statistics of the same model add; maximization checks what it gets",
          "[sufficient_statistics][errors]") {
  const Eigen::MatrixXd X = blob_data(300, 4);
  emgmm::GaussianMixture<> model(shared_start(X, CovarianceType::full));
  model.fit(X);
  emgmm::GaussianMixture<> other = model;
  other.maximization(other.expectation(X));  // moves the means
  SufficientStatistics stats = model.expectation(X);
  CHECK(contains(message_of([&] { stats += other.expectation(X); }), "different reference means"));
  emgmm::GaussianMixtureOptions<> four = shared_start(X, CovarianceType::diag);
  four.n_components = 4;
  four.weights_init.reset();
  four.means_init.reset();
  four.precisions_init.reset();
  emgmm::GaussianMixture<> diag4(four);
  diag4.fit(X);
  CHECK(contains(message_of([&] { stats += diag4.expectation(X); }),
                 "cannot add statistics of 4 components, 2 features, covariance_type 'diag'"));

  const emgmm::GaussianMixture<> before = model;
  CHECK(contains(message_of([&] { model.maximization(diag4.expectation(X)); }),
                 "GaussianMixture::maximization: the statistics are of 4 components"));
  SufficientStatistics empty = model.expectation(X, Eigen::VectorXd::Zero(X.rows()));
  CHECK(empty.n_samples == 0.0);
  CHECK(contains(message_of([&] { model.maximization(empty); }), "the statistics hold no samples"));
  CHECK(model.means() == before.means());
  CHECK(model.n_iter() == before.n_iter());
  CHECK(model.lower_bound() == before.lower_bound());
}

TEST_CASE("fit with a statistics_reducer over shards equals the fit of all the data",
          "[sufficient_statistics][distributed]") {
  const CovarianceType type = GENERATE(CovarianceType::full, CovarianceType::diag);
  const int ranks = GENERATE(1, 2, 4);
  CAPTURE(emgmm::to_string(type), ranks);
  const Eigen::MatrixXd X = blob_data(2000, 5);
  const emgmm::GaussianMixtureOptions<> options = shared_start(X, type);
  emgmm::GaussianMixture<> whole(options);
  const Eigen::VectorXi whole_labels = whole.fit_predict(X);
  REQUIRE(whole.n_iter() > 5);

  ThreadAllReduce all_reduce(ranks);
  std::vector<emgmm::GaussianMixture<>> models(static_cast<std::size_t>(ranks));
  std::vector<Eigen::VectorXi> labels(static_cast<std::size_t>(ranks));
  std::vector<std::thread> threads;
  const Index shard = X.rows() / ranks;
  for (int rank = 0; rank < ranks; ++rank) {
    threads.emplace_back([&, rank] {
      emgmm::GaussianMixtureOptions<> local = options;
      local.statistics_reducer = [&, rank](SufficientStatistics& stats) {
        all_reduce(rank, stats);
      };
      const Index first = rank * shard;
      const Index rows = rank == ranks - 1 ? X.rows() - first : shard;
      auto& model = models[static_cast<std::size_t>(rank)];
      model.set_params(local);
      labels[static_cast<std::size_t>(rank)] = model.fit_predict(X.middleRows(first, rows));
    });
  }
  for (std::thread& thread : threads) thread.join();

  Eigen::VectorXi gathered(X.rows());
  for (int rank = 0; rank < ranks; ++rank) {
    const auto& model = models[static_cast<std::size_t>(rank)];
    // Every process holds the same model, to the last bit...
    CHECK(model.means() == models[0].means());
    CHECK(model.covariances() == models[0].covariances());
    CHECK(model.n_iter() == models[0].n_iter());
    // ...which is the model of all the data.
    CHECK(model.n_iter() == whole.n_iter());
    CHECK(model.converged() == whole.converged());
    CHECK(relative_difference(model.weights(), whole.weights()) < 1e-12);
    CHECK(relative_difference(model.means(), whole.means()) < 1e-12);
    CHECK(relative_difference(model.covariances(), whole.covariances()) < 1e-12);
    CHECK(model.lower_bound() == Approx(whole.lower_bound()).epsilon(1e-12));
    gathered.segment(rank * shard, labels[static_cast<std::size_t>(rank)].size()) =
        labels[static_cast<std::size_t>(rank)];
  }
  CHECK(gathered == whole_labels);
}

TEST_CASE("A statistics_reducer needs a start every process shares",
          "[sufficient_statistics][errors]") {
  const Eigen::MatrixXd X = blob_data(100, 6);
  emgmm::GaussianMixtureOptions<> options;
  options.n_components = 2;
  options.statistics_reducer = [](SufficientStatistics&) {};
  emgmm::GaussianMixture<> model(options);
  CHECK(contains(message_of([&] { model.fit(X); }),
                 "GaussianMixture::fit: statistics_reducer is set"));
  CHECK_FALSE(model.is_fitted());
  // With the start given it runs (an identity reducer is a one-process fit).
  emgmm::GaussianMixtureOptions<> given = shared_start(X, CovarianceType::full);
  emgmm::GaussianMixture<> plain(given);
  plain.fit(X);
  given.statistics_reducer = [](SufficientStatistics&) {};
  emgmm::GaussianMixture<> reduced(given);
  reduced.fit(X);
  CHECK(reduced.means() == plain.means());
  CHECK(reduced.lower_bound() == plain.lower_bound());
}

TEST_CASE("expectation refuses data whose statistics are not finite",
          "[sufficient_statistics][errors]") {
  const Eigen::MatrixXd X = blob_data(300, 5);
  emgmm::GaussianMixture<> model(shared_start(X, CovarianceType::full));
  model.fit(X);
  // A point ~1e300 from every mean: its squared Mahalanobis distance overflows, so no
  // component can explain it and the log-likelihood is -inf; maximization could not use it.
  Eigen::MatrixXd far = X.topRows(5);
  far(2, 0) = 1e300;
  std::string message;
  try {
    (void)model.expectation(far);
  } catch (const emgmm::NumericalError& error) {
    message = error.what();
  }
  CHECK(contains(
      message,
      "GaussianMixture::expectation: the log-likelihood of the data under this model is -inf"));
  CHECK_THROWS_AS(model.expectation(far, Eigen::VectorXd::Ones(far.rows())), emgmm::NumericalError);
  // The same rows without the far point are fine.
  CHECK(std::isfinite(model.expectation(X.topRows(5)).log_likelihood));
}
