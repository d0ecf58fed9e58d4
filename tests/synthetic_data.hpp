// Seeded synthetic data for the property tests: Gaussian mixtures with known weights, means and
// covariances, and samples drawn from them. Depends on Eigen, the standard library and
// emgmm/covariance_type.hpp only.
//
// Reproducibility: every draw comes from the raw output of std::mt19937_64, whose sequence the
// C++ standard fixes, turned into uniforms by bit arithmetic and into normals by our own
// Box–Muller transform (never std::*_distribution, whose algorithms differ between standard
// libraries). The same seed therefore gives the same data with libstdc++, libc++ and MSVC, up
// to the last bit of std::log / std::sin / std::cos, which math libraries may round
// differently; no test depends on that last bit, since every comparison with the known
// parameters uses a statistical tolerance.
#ifndef EMGMM_TESTS_SYNTHETIC_DATA_HPP
#define EMGMM_TESTS_SYNTHETIC_DATA_HPP

#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <utility>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include <emgmm/covariance_type.hpp>

namespace emgmm_test {

/// Uniform and normal variates from the raw output of std::mt19937_64.
class NormalSource {
 public:
  explicit NormalSource(std::uint64_t seed) : engine_(seed) {}

  /// Uniform in [0, 1) from the top 53 bits of one engine output.
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

  /// Standard normal by Box–Muller; both values of a pair are used.
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    // u1 in (0, 1] so that log(u1) is finite.
    const double u1 = static_cast<double>((engine_() >> 11) + 1) * 0x1.0p-53;
    const double u2 = uniform();
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double angle = 2.0 * 3.14159265358979323846 * u2;
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
  }

  /// Uniform integer in [0, n) (n small, so the modulo bias of at most n / 2^64 is irrelevant).
  std::uint64_t index(std::uint64_t n) { return engine_() % n; }

 private:
  std::mt19937_64 engine_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

/// A Gaussian mixture with known parameters, every covariance stored as a full D x D matrix.
struct KnownMixture {
  Eigen::VectorXd weights;                   ///< K, summing to one
  Eigen::MatrixXd means;                     ///< K x D
  std::vector<Eigen::MatrixXd> covariances;  ///< K matrices, D x D

  Eigen::Index n_components() const { return weights.size(); }
  Eigen::Index n_features() const { return means.cols(); }
};

/// Points with the component each was drawn from.
struct LabelledData {
  Eigen::MatrixXd X;       ///< n x D, one point per row
  Eigen::VectorXi labels;  ///< n
};

/// Three components in 2 or 3 dimensions, with weights 0.5, 0.3, 0.2, whose covariances have
/// exactly the structure of `type` (full: a different correlated matrix per component; tied:
/// component 0's for all; diag: uncorrelated with unequal variances; spherical: s_k I).
/// The variances lie in [0.5, 1.5] and no covariance has an eigenvalue above 2.1. With
/// separation = 1 the means are at least 18.8 apart, so half the distance between two means is
/// over 6.5 standard deviations in any direction: a point falls nearer another component's
/// mean with probability below 1e-10, and both k-means and EM recover the components.
/// Smaller separations scale the means toward the origin to make overlapping mixtures
/// (separation = 0.25: means about 4.7 apart, so EM needs many iterations).
inline KnownMixture three_blobs(int n_features, emgmm::CovarianceType type,
                                double separation = 1.0) {
  if (n_features < 2 || n_features > 3) throw std::invalid_argument("three_blobs: 2 or 3 features");
  const Eigen::Index D = n_features;
  const double all_means[3][3] = {{-10.0, -5.0, 2.0}, {10.0, -5.0, -2.0}, {0.0, 11.0, 1.0}};
  const double all_variances[3][3] = {{1.5, 0.8, 1.1}, {0.7, 1.2, 0.9}, {1.0, 0.5, 1.3}};
  const double correlations[3] = {0.5, -0.3, 0.2};  // AR(1): corr(i, j) = rho^|i - j|
  const double spherical_variances[3] = {1.2, 0.6, 0.9};

  KnownMixture mixture;
  mixture.weights = Eigen::Vector3d(0.5, 0.3, 0.2);
  mixture.means.resize(3, D);
  for (int k = 0; k < 3; ++k) {
    for (Eigen::Index d = 0; d < D; ++d) mixture.means(k, d) = separation * all_means[k][d];
  }
  for (int k = 0; k < 3; ++k) {
    const int source = type == emgmm::CovarianceType::tied ? 0 : k;
    Eigen::MatrixXd covariance(D, D);
    for (Eigen::Index i = 0; i < D; ++i) {
      for (Eigen::Index j = 0; j < D; ++j) {
        switch (type) {
          case emgmm::CovarianceType::full:
          case emgmm::CovarianceType::tied:
            covariance(i, j) = std::sqrt(all_variances[source][i] * all_variances[source][j]) *
                               std::pow(correlations[source], double(i > j ? i - j : j - i));
            break;
          case emgmm::CovarianceType::diag:
            covariance(i, j) = i == j ? all_variances[k][i] : 0.0;
            break;
          case emgmm::CovarianceType::spherical:
            covariance(i, j) = i == j ? spherical_variances[k] : 0.0;
            break;
        }
      }
    }
    mixture.covariances.push_back(covariance);
  }
  return mixture;
}

/// n points drawn independently from `mixture`: the component by inverting the cumulative
/// weights, then mean + L z with L L^T the covariance and z standard normal.
inline LabelledData draw(const KnownMixture& mixture, Eigen::Index n, std::uint64_t seed) {
  const Eigen::Index K = mixture.n_components();
  const Eigen::Index D = mixture.n_features();
  std::vector<Eigen::MatrixXd> factors;
  for (const Eigen::MatrixXd& covariance : mixture.covariances) {
    factors.push_back(Eigen::LLT<Eigen::MatrixXd>(covariance).matrixL());
  }
  NormalSource source(seed);
  LabelledData data{Eigen::MatrixXd(n, D), Eigen::VectorXi(n)};
  Eigen::VectorXd z(D);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double u = source.uniform();
    Eigen::Index k = 0;
    double cumulative = mixture.weights(0);
    while (k + 1 < K && u >= cumulative) cumulative += mixture.weights(++k);
    for (Eigen::Index d = 0; d < D; ++d) z(d) = source.normal();
    data.X.row(i) = mixture.means.row(k) + (factors[static_cast<std::size_t>(k)] * z).transpose();
    data.labels(i) = static_cast<int>(k);
  }
  return data;
}

/// A seeded random permutation of 0 .. n-1 (Fisher–Yates on the raw engine output).
inline std::vector<Eigen::Index> permutation(Eigen::Index n, std::uint64_t seed) {
  std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
  for (Eigen::Index i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
  NormalSource source(seed);
  for (Eigen::Index i = n - 1; i > 0; --i) {
    const auto j = static_cast<Eigen::Index>(source.index(static_cast<std::uint64_t>(i + 1)));
    std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(j)]);
  }
  return order;
}

/// Which known component each estimated component is: for every row of `estimated` (K x D
/// means), the index of the nearest row of `known`. Empty when that is not one to one (two
/// estimates nearest the same known mean, so the components were not recovered).
inline std::vector<Eigen::Index> match_components(const Eigen::MatrixXd& estimated,
                                                  const Eigen::MatrixXd& known) {
  std::vector<Eigen::Index> match(static_cast<std::size_t>(estimated.rows()));
  std::vector<bool> taken(static_cast<std::size_t>(known.rows()), false);
  for (Eigen::Index k = 0; k < estimated.rows(); ++k) {
    Eigen::Index nearest = 0;
    (known.rowwise() - estimated.row(k)).rowwise().squaredNorm().minCoeff(&nearest);
    if (taken[static_cast<std::size_t>(nearest)]) return {};
    taken[static_cast<std::size_t>(nearest)] = true;
    match[static_cast<std::size_t>(k)] = nearest;
  }
  return match;
}

}  // namespace emgmm_test

#endif  // EMGMM_TESTS_SYNTHETIC_DATA_HPP
