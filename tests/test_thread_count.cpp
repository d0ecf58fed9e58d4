// The same random_state gives bit-identical models whatever the number of OpenMP threads: the
// passes cut the rows into chunks by the problem's size only and add the chunks' sums in chunk
// order (detail/parallel.hpp). Each fit below runs with 1, 2, 3 and 16 threads and every fitted
// attribute must be equal to the last bit. Without OpenMP there is one thread and the test
// only checks that two fits agree. KMeans here; GaussianMixture and BayesianGaussianMixture in
// test_mixture_contract.cpp (the contract both mixtures keep).

#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include <emgmm/emgmm.hpp>

#include "catch.hpp"
#include "synthetic_data.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace {

using Eigen::Index;
using emgmm::CovarianceType;

const std::vector<int> kThreadCounts = {1, 2, 3, 16};  // 16 oversubscribes 2 cores: fine

/// Runs fit() with `threads` OpenMP threads and puts the previous setting back.
template <typename Fit>
auto with_threads(int threads, Fit&& fit) {
#ifdef _OPENMP
  const int previous = omp_get_max_threads();
  omp_set_num_threads(threads);
  auto result = fit();
  omp_set_num_threads(previous);
  return result;
#else
  (void)threads;
  return fit();
#endif
}

/// Bitwise equality of two matrices of the same shape (== on every coefficient; no NaN here).
template <typename A, typename B>
bool identical(const A& a, const B& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() && (a.array() == b.array()).all();
}

// Enough points for dozens of chunks (a chunk is at least one block of 256 rows, at most 64
// chunks), shared unevenly among 3 threads; few enough that the sanitizer build (-O0) stays quick.
constexpr Index kPoints = 12000;

}  // namespace

TEMPLATE_TEST_CASE("KMeans: bit-identical fits with any number of threads", "[kmeans][threads]",
                   float, double) {
  using Scalar = TestType;
  const emgmm_test::KnownMixture truth = emgmm_test::three_blobs(3, CovarianceType::full);
  const emgmm_test::LabelledData data = emgmm_test::draw(truth, kPoints, 98);
  const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> X = data.X.template cast<Scalar>();
  // Weights with zeros: Lloyd's running cluster sums then count members apart from weight.
  Eigen::VectorXd weights(X.rows());
  for (Eigen::Index i = 0; i < X.rows(); ++i) weights(i) = double(i % 3) * 0.5;
  // k-means++ recomputes the nearest distances on every pass for 5 clusters, keeps them for 12.
  for (const bool weighted : {false, true}) {
    for (const int n_clusters : {5, 12}) {
      INFO("n_clusters " << n_clusters << (weighted ? ", weighted" : ""));
      emgmm::KMeansOptions<Scalar> options;
      options.n_clusters = n_clusters;
      options.n_init = 2;
      options.max_iter = 20;
      options.random_state = 6;
      std::vector<emgmm::KMeans<Scalar>> models;
      for (const int threads : kThreadCounts) {
        models.push_back(with_threads(threads, [&] {
          emgmm::KMeans<Scalar> model(options);
          if (weighted) {
            model.fit(X, weights);
          } else {
            model.fit(X);
          }
          return model;
        }));
      }
      for (std::size_t m = 1; m < models.size(); ++m) {
        INFO(kThreadCounts[m] << " threads against 1");
        CHECK(identical(models[m].cluster_centers(), models.front().cluster_centers()));
        CHECK(identical(models[m].labels(), models.front().labels()));
        CHECK(models[m].inertia() == models.front().inertia());
        CHECK(models[m].n_iter() == models.front().n_iter());
      }
    }
  }
}
