// Thread safety: a fitted GaussianMixture or KMeans is only read by its const methods, so any
// number of threads may query one model at the same time and each gets exactly the answer of a
// single thread; and separate models may be fitted in parallel (no hidden shared state).
//
// Eight std::threads call predict, predict_proba, score_samples and score (KMeans: predict,
// transform and score) on one const model, in a different order in each thread, many times,
// and compare every result bit for bit with the single-threaded one. The threads never use
// Catch2 (its assertions are not thread-safe in v2): they count mismatches, and the main thread
// checks the counts after joining.
//
// This file is its own executable (emgmm_thread_safety_tests, ctest name thread_safety) so that
// it can be built alone under ThreadSanitizer, as .ci/run does:
//   cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS=-fsanitize=thread
//         -DEMGMM_ENABLE_OPENMP=OFF -DEMGMM_BUILD_EXAMPLES=OFF -DEMGMM_TEST_CONSUMPTION=OFF
//         -DEMGMM_CHECK_HEADERS=OFF
//   cmake --build build-tsan --target emgmm_thread_safety_tests &&
//   build-tsan/tests/emgmm_thread_safety_tests
// The TSan build must be without OpenMP: ThreadSanitizer does not understand libgomp's
// synchronization and would report races inside the OpenMP runtime. In the ordinary build
// (with OpenMP) the same test checks that the library's parallel passes may themselves be
// started from several threads at once.

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <thread>
#include <vector>

#include <Eigen/Core>

#include <emgmm/emgmm.hpp>

#include "catch.hpp"
#include "synthetic_data.hpp"

namespace {

using Eigen::Index;
using emgmm::CovarianceType;

constexpr int kThreads = 8;

// Runs every task from kThreads threads at once (each starting at a different task, then
// cycling through all of them `repetitions` times); returns how many calls returned something
// other than the single-threaded result. A task returns true when its result matched.
// An exception in a thread is rethrown here after all threads have joined.
int run_concurrently(int repetitions, const std::vector<std::function<bool()>>& tasks) {
  std::atomic<int> ready{0};
  std::atomic<int> mismatches{0};
  std::vector<std::exception_ptr> failures(kThreads);
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        // Start together, so that the calls overlap as much as possible.
        ready.fetch_add(1);
        while (ready.load() < kThreads) std::this_thread::yield();
        const std::size_t n_tasks = tasks.size();
        for (int repetition = 0; repetition < repetitions; ++repetition) {
          for (std::size_t i = 0; i < n_tasks; ++i) {
            if (!tasks[(i + static_cast<std::size_t>(t)) % n_tasks]()) mismatches.fetch_add(1);
          }
        }
      } catch (...) {
        failures[static_cast<std::size_t>(t)] = std::current_exception();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::exception_ptr& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
  return mismatches.load();
}

template <typename Scalar>
using Data = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

// Well separated blobs for fitting, and other points from the same mixture for the queries.
// Over 2048 rows (one block of the mixture passes here), so that every pass has at least two
// chunks and runs in parallel under OpenMP.
template <typename Scalar>
void make_data(CovarianceType type, Data<Scalar>& train, Data<Scalar>& query) {
  const emgmm_test::KnownMixture mixture = emgmm_test::three_blobs(3, type, 0.5);
  train = emgmm_test::draw(mixture, 3000, 11).X.template cast<Scalar>();
  query = emgmm_test::draw(mixture, 2100, 12).X.template cast<Scalar>();
}

}  // namespace

TEMPLATE_TEST_CASE(
    "GaussianMixture: concurrent queries on one model equal the single-threaded ones",
    "[thread_safety]", float, double) {
  using Scalar = TestType;
  const CovarianceType type = GENERATE(CovarianceType::full, CovarianceType::tied,
                                       CovarianceType::diag, CovarianceType::spherical);
  CAPTURE(emgmm::to_string(type));
  Data<Scalar> train, query;
  make_data<Scalar>(type, train, query);

  typename emgmm::GaussianMixture<Scalar>::Options options;
  options.n_components = 3;
  options.covariance_type = type;
  options.random_state = 0;
  emgmm::GaussianMixture<Scalar> fitted(options);
  fitted.fit(train);
  const emgmm::GaussianMixture<Scalar>& gmm = fitted;

  const Eigen::VectorXi labels = gmm.predict(query);
  const auto proba = gmm.predict_proba(query);
  const auto log_prob = gmm.score_samples(query);
  const double score = gmm.score(query);
  const Eigen::VectorXi train_labels = gmm.predict(train);

  const int mismatches = run_concurrently(
      8, {
             [&] { return gmm.predict(query) == labels; },
             [&] { return gmm.predict_proba(query) == proba; },
             [&] { return gmm.score_samples(query) == log_prob; },
             // Bitwise: the same operations in the same order give the same double.
             [&] { return gmm.score(query) == score; },
             [&] { return gmm.predict(train) == train_labels; },
         });
  CHECK(mismatches == 0);
}

TEMPLATE_TEST_CASE("KMeans: concurrent queries on one model equal the single-threaded ones",
                   "[thread_safety]", float, double) {
  using Scalar = TestType;
  Data<Scalar> train, query;
  make_data<Scalar>(CovarianceType::full, train, query);

  typename emgmm::KMeans<Scalar>::Options options;
  options.n_clusters = 3;
  options.random_state = 0;
  emgmm::KMeans<Scalar> fitted(options);
  fitted.fit(train);
  const emgmm::KMeans<Scalar>& km = fitted;

  const Eigen::VectorXi labels = km.predict(query);
  const auto distances = km.transform(query);
  const double score = km.score(query);

  const int mismatches = run_concurrently(8, {
                                                 [&] { return km.predict(query) == labels; },
                                                 [&] { return km.transform(query) == distances; },
                                                 [&] { return km.score(query) == score; },
                                             });
  CHECK(mismatches == 0);
}

TEMPLATE_TEST_CASE("GaussianMixture and KMeans: models fitted in parallel equal those fitted alone",
                   "[thread_safety]", float, double) {
  using Scalar = TestType;
  Data<Scalar> train, query;
  make_data<Scalar>(CovarianceType::diag, train, query);

  auto fit_mixture = [&](CovarianceType type) {
    typename emgmm::GaussianMixture<Scalar>::Options options;
    options.n_components = 3;
    options.covariance_type = type;
    options.init_params = emgmm::InitParams::k_means_plus_plus;
    options.n_init = 2;
    options.random_state = 7;
    emgmm::GaussianMixture<Scalar> gmm(options);
    gmm.fit(train);
    return gmm;
  };
  auto fit_kmeans = [&] {
    typename emgmm::KMeans<Scalar>::Options options;
    options.n_clusters = 4;
    options.n_init = 3;
    options.random_state = 7;
    emgmm::KMeans<Scalar> km(options);
    km.fit(train);
    return km;
  };
  const emgmm::GaussianMixture<Scalar> full = fit_mixture(CovarianceType::full);
  const emgmm::GaussianMixture<Scalar> spherical = fit_mixture(CovarianceType::spherical);
  const emgmm::KMeans<Scalar> km = fit_kmeans();

  auto same_mixture = [](const emgmm::GaussianMixture<Scalar>& a,
                         const emgmm::GaussianMixture<Scalar>& b) {
    return a.weights() == b.weights() && a.means() == b.means() &&
           a.covariances() == b.covariances() &&
           a.precisions_cholesky() == b.precisions_cholesky() && a.n_iter() == b.n_iter() &&
           a.lower_bound() == b.lower_bound();
  };
  // Not a structured binding: C++17 lambdas cannot capture those (clang rejects it).
  const auto sampled = full.sample(200);
  const int mismatches = run_concurrently(
      1, {
             [&] { return same_mixture(fit_mixture(CovarianceType::full), full); },
             [&] { return same_mixture(fit_mixture(CovarianceType::spherical), spherical); },
             [&] {
               const emgmm::KMeans<Scalar> again = fit_kmeans();
               return again.cluster_centers() == km.cluster_centers() &&
                      again.labels() == km.labels() && again.inertia() == km.inertia();
             },
             // sample() is const and seeded by random_state: the same points in every thread.
             [&] {
               const auto [X, y] = full.sample(200);
               return X == sampled.X && y == sampled.y;
             },
         });
  CHECK(mismatches == 0);
}
