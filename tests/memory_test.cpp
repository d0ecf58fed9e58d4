// What fit adds to the memory the data already take (issue "Speed": a 2-D fit stays within
// 1.5x the data's own size, the user's matrix included; nothing of size N x K, no copy of X).
// Its own program, so that the peak resident set size (getrusage) is this fit's alone, and
// Linux only (ru_maxrss in KiB). Not built under sanitizers, whose shadow memory would count.
//
// Fills N = 4,000,000 2-D points of three blobs in place (no temporary as large as X), then
// fits a default GaussianMixture (k-means initialization), a BayesianGaussianMixture and a
// KMeans one after the other, and fails when the peak after any of them exceeds the peak with
// the data alone by more than half the data's size: today the fits add about a quarter (the
// k-means labels, one int per point); a copy of X would add one.

#include <sys/resource.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>

#include <Eigen/Core>

#include <emgmm/emgmm.hpp>

namespace {

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_maxrss) / 1024.0;
}

/// Three blobs of unit-ish spread about (0, 0), (8, 0) and (0, 8), from a 64-bit LCG: deterministic
/// and without any buffer besides X.
void fill_blobs(Eigen::MatrixXd& X) {
  std::uint64_t state = 42;
  const auto uniform = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return double(state >> 11) * 0x1.0p-53;
  };
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    const Eigen::Index blob = i % 3;
    X(i, 0) = (blob == 1 ? 8.0 : 0.0) + 2.0 * uniform() - 1.0;
    X(i, 1) = (blob == 2 ? 8.0 : 0.0) + 2.0 * uniform() - 1.0;
  }
}

/// The peak so far against the peak with the data alone (`before`): the peak is a maximum over
/// the process's life, so each check covers every fit before it too.
bool within_budget(const char* what, double before, double after, double data_mib) {
  const double added = after - before;
  const bool ok = added <= 0.5 * data_mib;
  std::printf(
      "%-28s peak RSS %8.1f -> %8.1f MiB: added %6.1f MiB = %.2f x the data (limit 0.50)%s\n", what,
      before, after, added, added / data_mib, ok ? "" : "  <-- too much");
  return ok;
}

}  // namespace

int main() try {
  const Eigen::Index n = 4000000;
  Eigen::MatrixXd X(n, 2);
  fill_blobs(X);
  const double data_mib = double(X.size()) * double(sizeof(double)) / (1024.0 * 1024.0);
  bool ok = true;
  const double before = peak_rss_mib();
  emgmm::GaussianMixtureOptions<double> options;
  options.n_components = 3;
  options.max_iter = 3;
  options.random_state = 0;
  emgmm::GaussianMixture<double> gmm(options);
  gmm.fit(X);
  ok = within_budget("GaussianMixture::fit", before, peak_rss_mib(), data_mib) && ok;
  ok = ok && std::isfinite(gmm.lower_bound());

  emgmm::BayesianGaussianMixtureOptions<double> bayesian_options;
  bayesian_options.n_components = 3;
  bayesian_options.max_iter = 3;
  bayesian_options.random_state = 0;
  emgmm::BayesianGaussianMixture<double> bgm(bayesian_options);
  bgm.fit(X);
  ok = within_budget("BayesianGaussianMixture::fit", before, peak_rss_mib(), data_mib) && ok;

  // n_init = 1, as the mixture's initializer runs it: with several runs the best run's labels
  // and the current run's are both held (one more int per point), as in sklearn.
  emgmm::KMeansOptions<double> kmeans_options;
  kmeans_options.n_clusters = 3;
  kmeans_options.n_init = 1;
  emgmm::KMeans<double> kmeans(kmeans_options);
  kmeans.fit(X);
  ok = within_budget("KMeans::fit", before, peak_rss_mib(), data_mib) && ok;
  return ok ? 0 : 1;
} catch (const std::exception& error) {
  std::fprintf(stderr, "memory_test: %s\n", error.what());
  return 1;
}
