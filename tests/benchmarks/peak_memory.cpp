// Peak memory of a large fit, and the share of its time spent in the k-means initialization
// (issue "Speed"). A plain program, not a Google Benchmark one.
//
// Fits N = 10,000,000 2-D points (W1's three blobs, workloads.hpp, just more of them) with a
// default GaussianMixture of K = 3 full components (init_params = kmeans, n_init = 1, tol = 1e-3)
// and max_iter = 10, then prints
//   - the peak resident set size (getrusage's ru_maxrss) after generating the data and after
//     the fit, against the data's own size N * D * 8 bytes: what the fit adds on top of X;
//   - the time of the fit, of its initialization alone (the same fit with max_iter = 0: KMeans,
//     then one M-step on its labels) and of KMeans alone (n_clusters = 3, n_init = 1, with the
//     seed the fit's initializer uses), and so the shares of initialization and EM.
// The peak RSS after KMeans alone is the process's peak so far, so it only shows memory beyond
// the fit's.
//
// Usage: peak_memory [N]     (default 10000000; threads from OMP_NUM_THREADS)

#include "workloads.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// Peak resident set size of the process so far, in MiB.
double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
#ifdef __APPLE__
  return double(usage.ru_maxrss) / (1024.0 * 1024.0);  // bytes on macOS
#else
  return double(usage.ru_maxrss) / 1024.0;  // KiB on Linux and the BSDs
#endif
}

constexpr std::uint64_t kRandomState = 0;

emgmm::GaussianMixture<double> make_model(int max_iter) {
  emgmm::GaussianMixtureOptions<double> options;
  options.n_components = 3;
  options.max_iter = max_iter;
  options.random_state = kRandomState;
  return emgmm::GaussianMixture<double>(options);
}

}  // namespace

int main(int argc, char** argv) try {
  const Eigen::Index n = argc > 1 ? std::atoll(argv[1]) : 10000000;
  if (n < 3) {
    std::fprintf(stderr, "usage: peak_memory [N >= 3]\n");
    return 2;
  }
#ifdef _OPENMP
  const int threads = omp_get_max_threads();
#else
  const int threads = 1;
#endif
  const double baseline = peak_rss_mib();
  const Eigen::MatrixXd X = emgmm_bench::make_blobs(n, 170);
  const double data_mib = double(X.size()) * double(sizeof(double)) / (1024.0 * 1024.0);
  const double after_data = peak_rss_mib();

  emgmm::GaussianMixture<double> gmm = make_model(10);
  Clock::time_point begin = Clock::now();
  gmm.fit(X);
  const double fit_seconds = seconds_since(begin);
  const double after_fit = peak_rss_mib();

  emgmm::GaussianMixture<double> init_only = make_model(0);
  begin = Clock::now();
  init_only.fit(X);
  const double init_seconds = seconds_since(begin);

  // KMeans with the seed the fit's initializer gives its own KMeans (initialization.hpp: the
  // first draw of the fit's generator), so that it runs the same Lloyd iterations: their
  // number depends much on the seed (4 to 16 on this data).
  emgmm::detail::Random fit_random(emgmm::detail::Random::seed_from(kRandomState));
  emgmm::KMeansOptions<double> kmeans_options;
  kmeans_options.n_clusters = 3;
  kmeans_options.n_init = 1;
  kmeans_options.random_state = fit_random.next_u64();
  emgmm::KMeans<double> kmeans(kmeans_options);
  begin = Clock::now();
  kmeans.fit(X);
  const double kmeans_seconds = seconds_since(begin);
  const double after_all = peak_rss_mib();

  std::printf(
      "peak_memory: N = %lld points, D = 2, K = 3 full, max_iter = 10, %d OpenMP thread(s)\n",
      static_cast<long long>(n), threads);
  std::printf("  data X (N * D * 8 bytes)         %9.1f MiB\n", data_mib);
  std::printf("  peak RSS at start                %9.1f MiB\n", baseline);
  std::printf("  peak RSS after making X          %9.1f MiB\n", after_data);
  std::printf(
      "  peak RSS after the fit           %9.1f MiB  = %.2f x data; the fit added %.1f MiB (%.2f x "
      "data)\n",
      after_fit, after_fit / data_mib, after_fit - after_data, (after_fit - after_data) / data_mib);
  std::printf("  peak RSS after KMeans alone      %9.1f MiB\n", after_all);
  std::printf(
      "  fit                              %9.3f s  (%d EM iterations, converged: %s, lower bound "
      "%.6f)\n",
      fit_seconds, gmm.n_iter(), gmm.converged() ? "yes" : "no", gmm.lower_bound());
  std::printf(
      "  its initialization (max_iter 0)  %9.3f s  = %.0f%% of the fit; EM %.3f s = %.0f%%, %.3f s "
      "per iteration\n",
      init_seconds, 100.0 * init_seconds / fit_seconds, fit_seconds - init_seconds,
      100.0 * (fit_seconds - init_seconds) / fit_seconds,
      (fit_seconds - init_seconds) / std::max(1, gmm.n_iter()));
  std::printf(
      "  KMeans alone (n_init 1)          %9.3f s  = %.0f%% of the fit (k-means++ and %d Lloyd "
      "iterations)\n",
      kmeans_seconds, 100.0 * kmeans_seconds / fit_seconds, kmeans.n_iter());
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "peak_memory: %s\n", e.what());
  return 1;
}
