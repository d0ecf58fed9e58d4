// Choosing the number of components and the covariance type by BIC.
//
// 600 points from four well separated, differently shaped 2-D Gaussian clusters.
// emgmm::select_gaussian_mixture fits a mixture for every K = 1..8 and every covariance type,
// and keeps the one with the lowest Bayesian information criterion,
// BIC = -2 log L + (number of parameters) ln n: scikit-learn's "Gaussian Mixture Model
// Selection" example, as a table.
//
// Clusters that are not round need several spherical or diagonal components each, so those
// types pick a larger K; full covariances describe each cluster with one component and win.
//
// Exits with 1 if the best model does not have K = 4.

#include <emgmm/emgmm.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <random>
#include <vector>

namespace {

constexpr double kPi = 3.14159265358979323846;

/// Standard normal numbers from a seeded std::mt19937_64. std::normal_distribution's algorithm
/// is not fixed by the C++ standard, so Box–Muller is written out here: the same seed gives the
/// same points with every standard library.
class NormalRng {
 public:
  explicit NormalRng(std::uint64_t seed) : engine_(seed) {}

  double operator()() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = 1.0 - uniform();  // in (0, 1], so log(u1) is finite
    const double u2 = uniform();
    const double radius = std::sqrt(-2.0 * std::log(u1));
    spare_ = radius * std::sin(2.0 * kPi * u2);
    has_spare_ = true;
    return radius * std::cos(2.0 * kPi * u2);
  }

 private:
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }  // [0, 1)

  std::mt19937_64 engine_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

/// A 2-D Gaussian cluster: center, standard deviations along its two axes, and the angle of
/// its first axis in degrees.
struct Cluster {
  double x, y, sd_major, sd_minor, degrees;
};

}  // namespace

int main() try {
  const Cluster clusters[] = {{-8.0, -6.0, 2.0, 0.6, 30.0},
                              {6.0, -7.0, 1.2, 1.2, 0.0},
                              {-5.0, 7.0, 1.8, 0.7, -45.0},
                              {7.0, 6.0, 1.0, 0.5, 80.0}};
  const int per_cluster = 150;

  // x = center + R(angle) diag(sd_major, sd_minor) z, with z standard normal.
  Eigen::MatrixXd X(4 * per_cluster, 2);
  NormalRng normal(0);
  Eigen::Index row = 0;
  for (const Cluster& c : clusters) {
    const double angle = c.degrees * kPi / 180.0;
    Eigen::Matrix2d transform;
    transform << std::cos(angle), -std::sin(angle), std::sin(angle), std::cos(angle);
    transform *= Eigen::Vector2d(c.sd_major, c.sd_minor).asDiagonal();
    for (int i = 0; i < per_cluster; ++i, ++row) {
      const Eigen::Vector2d z(normal(), normal());
      X.row(row) = (Eigen::Vector2d(c.x, c.y) + transform * z).transpose();
    }
  }

  // One call fits every K = 1..8 with every covariance type and keeps the lowest BIC.
  const std::vector<emgmm::CovarianceType> types = {
      emgmm::CovarianceType::full, emgmm::CovarianceType::tied, emgmm::CovarianceType::diag,
      emgmm::CovarianceType::spherical};
  const int max_k = 8;
  std::vector<int> candidates;
  for (int k = 1; k <= max_k; ++k) candidates.push_back(k);
  emgmm::GaussianMixture<double>::Options base;
  base.n_init = 3;  // keep the best of three starts: one can land in a poor local optimum
  base.random_state = 0;
  const auto selection =
      emgmm::select_gaussian_mixture(X, candidates, types, emgmm::Criterion::bic, base);

  // The table has one row per (type, K), type by type: lay it out as bic(K - 1, type).
  Eigen::MatrixXd bic(max_k, 4);
  for (const emgmm::ModelSelectionRow& candidate : selection.table) {
    const auto t = std::find(types.begin(), types.end(), candidate.covariance_type) - types.begin();
    bic(candidate.n_components - 1, t) = candidate.bic;
  }
  const long long best_k = selection.best_row().n_components;
  const auto best_type =
      std::find(types.begin(), types.end(), selection.best_row().covariance_type) - types.begin();

  std::printf("BIC of %lld points (lower is better)\n\n", static_cast<long long>(X.rows()));
  std::printf("     K");
  for (const auto type : types) std::printf("  %10s ", emgmm::to_string(type));
  std::printf("\n");
  for (int k = 1; k <= max_k; ++k) {
    std::printf("%6d", k);
    for (int t = 0; t < 4; ++t) {
      const bool best = k == best_k && t == best_type;  // the selection's best row
      std::printf("  %10.1f%c", bic(k - 1, t), best ? '*' : ' ');
    }
    std::printf("\n");
  }
  std::printf("best K");
  for (int t = 0; t < 4; ++t) {
    Eigen::Index k = 0;
    bic.col(t).minCoeff(&k);
    std::printf("  %10lld ", static_cast<long long>(k + 1));
  }
  std::printf("\n\nbest model: K = %lld, covariance_type = %s, converged: %s\n", best_k,
              emgmm::to_string(types[static_cast<std::size_t>(best_type)]),
              selection.best.converged() ? "yes" : "no");

  if (best_k != 4) {
    std::fprintf(stderr, "choose_k: FAILED: BIC chose K = %lld, the data have 4 clusters\n",
                 best_k);
    return 1;
  }
  return 0;
} catch (const std::exception& error) {
  std::fprintf(stderr, "choose_k: %s\n", error.what());
  return 1;
}
