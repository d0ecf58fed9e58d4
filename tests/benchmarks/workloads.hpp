// The workloads of emgmm's benchmarks: seeded data, the k-means start EM runs from, and the
// flop count of one EM iteration. Shared by bench_em.cpp and peak_memory.cpp.
//
//   W1  N = 100000,  D = 2,  K = 3,  full  three 2-D blobs as in examples/blobs.cpp
//   W2  N = 200000,  D = 16, K = 16, full  random mixture (see make_random_mixture)
//   W3  N = 100000,  D = 64, K = 8,  full  random mixture
//   W4  N = 1000000, D = 32, K = 32, diag  random mixture, axis-aligned covariances
//
// All random numbers come from std::mt19937_64, whose output the C++ standard fixes, through
// transforms written out here (the algorithms of std::normal_distribution and friends are not
// specified), so every standard library generates the same data; only the last bits of libm's
// log/sin/cos and of Eigen's QR (which depend on the SIMD instruction set) may differ.

#ifndef EMGMM_BENCHMARKS_WORKLOADS_HPP
#define EMGMM_BENCHMARKS_WORKLOADS_HPP

#include <emgmm/emgmm.hpp>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <Eigen/QR>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace emgmm_bench {

constexpr double kPi = 3.14159265358979323846;

/// Uniform and standard normal numbers from a seeded std::mt19937_64 (as examples/blobs.cpp).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  /// Uniform in [0, 1), from the top 53 bits of one draw.
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

  /// Standard normal by the Box–Muller transform; the second value of each pair is kept.
  double normal() {
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
  std::mt19937_64 engine_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

/// One benchmark problem.
struct Workload {
  std::string name;  ///< "W1" .. "W4"
  Eigen::Index n = 0;
  Eigen::Index d = 0;
  Eigen::Index k = 0;
  emgmm::CovarianceType type = emgmm::CovarianceType::full;
  std::uint64_t seed = 0;
  /// EM iterations of the Armadillo peer: fewer than emgmm's where it is slow (the time per
  /// iteration does not depend on the count).
  int arma_iters = 20;

  /// "W2_full_N200000_D16_K16"
  std::string label() const {
    return name + "_" + emgmm::to_string(type) + "_N" + std::to_string(n) + "_D" +
           std::to_string(d) + "_K" + std::to_string(k);
  }

  /// Flops of one EM iteration by the "same flops" convention: 4 N K D^2 for full (the E-step's
  /// N x D times D x KD product and the M-step's K scatter matrices, 2 N K D^2 each), 8 N K D
  /// for diag. Lets the GFLOP/s of different implementations be compared; it is not a count
  /// of what any of them executes.
  double flops_per_iteration() const {
    const double N = double(n), D = double(d), K = double(k);
    return type == emgmm::CovarianceType::full ? 4.0 * N * K * D * D : 8.0 * N * K * D;
  }
};

/// The four workloads of the "Speed" issue.
inline std::vector<Workload> all_workloads() {
  using emgmm::CovarianceType;
  return {
      {"W1", 100000, 2, 3, CovarianceType::full, 170, 20},
      {"W2", 200000, 16, 16, CovarianceType::full, 1002, 20},
      {"W3", 100000, 64, 8, CovarianceType::full, 1003, 5},
      {"W4", 1000000, 32, 32, CovarianceType::diag, 1004, 10},
  };
}

/// Isotropic 2-D blobs with standard deviations 1.0, 2.5, 0.5 and centers uniform in
/// [-10, 10]^2, generated exactly as examples/blobs.cpp (sklearn's make_blobs split: n / 3
/// points per blob, the remainder to the first ones), grouped by blob.
inline Eigen::MatrixXd make_blobs(Eigen::Index n, std::uint64_t seed) {
  const std::vector<double> stddevs = {1.0, 2.5, 0.5};
  const auto n_blobs = static_cast<Eigen::Index>(stddevs.size());
  Rng rng(seed);
  Eigen::MatrixXd centers(n_blobs, 2);
  for (Eigen::Index k = 0; k < n_blobs; ++k) {
    for (Eigen::Index d = 0; d < 2; ++d) centers(k, d) = -10.0 + 20.0 * rng.uniform();
  }
  Eigen::MatrixXd X(n, 2);
  Eigen::Index row = 0;
  for (Eigen::Index k = 0; k < n_blobs; ++k) {
    const Eigen::Index count = n / n_blobs + (k < n % n_blobs ? 1 : 0);
    for (Eigen::Index j = 0; j < count; ++j, ++row) {
      for (Eigen::Index d = 0; d < 2; ++d) {
        X(row, d) = centers(k, d) + stddevs[static_cast<std::size_t>(k)] * rng.normal();
      }
    }
  }
  return X;
}

/// A random mixture of K equally weighted Gaussians in D dimensions, point i drawn from
/// component i mod K.
///   covariances  Q diag(lambda) Q^T, lambda uniform in [0.25, 2] and Q a random rotation (the
///                Q of the QR factorization of a D x D standard normal matrix); for diag,
///                Q = I, so that the diag model is the true one;
///   means        standard normal vectors scaled so that the root-mean-square distance between
///                two means is 4 typical standard deviations, 4 sqrt(E lambda) = 4 sqrt(1.125)
///                (pairwise distances concentrate around it: in D >= 16, about +-20%).
inline Eigen::MatrixXd make_random_mixture(Eigen::Index n, Eigen::Index D, Eigen::Index K,
                                           emgmm::CovarianceType type, std::uint64_t seed) {
  Rng rng(seed);
  const double mean_scale = 4.0 * std::sqrt(1.125) / std::sqrt(2.0 * double(D));
  Eigen::MatrixXd means(K, D);
  for (Eigen::Index k = 0; k < K; ++k) {
    for (Eigen::Index d = 0; d < D; ++d) means(k, d) = mean_scale * rng.normal();
  }
  // x = mean + z A^T with A = Q diag(sqrt(lambda)), so that cov(x) = A A^T.
  std::vector<Eigen::MatrixXd> factors_t(static_cast<std::size_t>(K));
  for (Eigen::Index k = 0; k < K; ++k) {
    Eigen::VectorXd root_lambda(D);
    for (Eigen::Index d = 0; d < D; ++d) root_lambda(d) = std::sqrt(0.25 + 1.75 * rng.uniform());
    Eigen::MatrixXd Q = Eigen::MatrixXd::Identity(D, D);
    if (type != emgmm::CovarianceType::diag) {
      Eigen::MatrixXd G(D, D);
      for (Eigen::Index i = 0; i < D; ++i) {
        for (Eigen::Index j = 0; j < D; ++j) G(i, j) = rng.normal();
      }
      Q = Eigen::HouseholderQR<Eigen::MatrixXd>(G).householderQ();
    }
    factors_t[static_cast<std::size_t>(k)] = (Q * root_lambda.asDiagonal()).transpose();
  }
  Eigen::MatrixXd X(n, D);
  Eigen::RowVectorXd z(D);
  for (Eigen::Index i = 0; i < n; ++i) {
    const Eigen::Index k = i % K;
    for (Eigen::Index d = 0; d < D; ++d) z(d) = rng.normal();
    X.row(i).noalias() = means.row(k) + z * factors_t[static_cast<std::size_t>(k)];
  }
  return X;
}

/// The data of a workload, one point per row.
inline Eigen::MatrixXd make_data(const Workload& w) {
  if (w.name == "W1") return make_blobs(w.n, w.seed);
  return make_random_mixture(w.n, w.d, w.k, w.type, w.seed);
}

/// Where EM starts, in emgmm's storage (see covariance_type.hpp): weights K, means K x D,
/// covariances and precisions (K*D) x D stacked for full, K x D for diag.
struct Start {
  Eigen::VectorXd weights;
  Eigen::MatrixXd means;
  Eigen::MatrixXd covariances;  ///< the clusters' covariances + reg_covar on the diagonal
  Eigen::MatrixXd precisions;   ///< their inverses
  Eigen::VectorXi labels;       ///< each point's cluster (BayesianGaussianMixture's resp_init)
};

/// The clusters of emgmm::KMeans turned into a mixture, as sklearn's init_params="kmeans" does
/// (one M-step on the hard labels). KMeans (k-means++, n_init = 1, max_iter = 100, seeded with
/// the workload's seed) runs on an evenly strided subsample of at most 100000 points, to keep
/// the setup of W4 short; every point is then labeled by its nearest center, and the weights,
/// means and covariances (+ reg_covar) are those of the labeled clusters.
inline Start kmeans_start(const Eigen::MatrixXd& X, const Workload& w, double reg_covar = 1e-6) {
  const Eigen::Index N = X.rows(), D = X.cols(), K = w.k;
  const Eigen::Index stride = (N + 99999) / 100000;
  const Eigen::Index n_sub = (N + stride - 1) / stride;
  const Eigen::MatrixXd subsample = X(Eigen::seqN(0, n_sub, stride), Eigen::all);

  emgmm::KMeansOptions<double> options;
  options.n_clusters = static_cast<int>(K);
  options.n_init = 1;
  options.max_iter = 100;
  options.random_state = w.seed;
  emgmm::KMeans<double> kmeans(options);
  kmeans.fit(subsample);
  const Eigen::VectorXi labels = kmeans.predict(X);

  std::vector<std::vector<Eigen::Index>> members(static_cast<std::size_t>(K));
  for (Eigen::Index i = 0; i < N; ++i) members[static_cast<std::size_t>(labels(i))].push_back(i);
  const bool full = w.type == emgmm::CovarianceType::full;
  Start start;
  start.labels = labels;
  start.weights.resize(K);
  start.means.resize(K, D);
  start.covariances.resize(full ? K * D : K, D);
  start.precisions.resize(full ? K * D : K, D);
  for (Eigen::Index k = 0; k < K; ++k) {
    const std::vector<Eigen::Index>& rows = members[static_cast<std::size_t>(k)];
    const auto count = static_cast<Eigen::Index>(rows.size());
    if (count <= D) {
      throw std::runtime_error(w.name + ": k-means cluster " + std::to_string(k) + " has only " +
                               std::to_string(count) + " points; change the seed");
    }
    const Eigen::MatrixXd cluster = X(rows, Eigen::all);
    const Eigen::RowVectorXd mean = cluster.colwise().mean();
    const Eigen::MatrixXd centered = cluster.rowwise() - mean;
    start.weights(k) = double(count) / double(N);
    start.means.row(k) = mean;
    if (full) {
      Eigen::MatrixXd covariance = (centered.transpose() * centered) / double(count);
      covariance.diagonal().array() += reg_covar;
      start.covariances.middleRows(k * D, D) = covariance;
      start.precisions.middleRows(k * D, D) =
          Eigen::LLT<Eigen::MatrixXd>(covariance).solve(Eigen::MatrixXd::Identity(D, D));
    } else {
      const Eigen::RowVectorXd variances =
          centered.array().square().colwise().sum() / double(count) + reg_covar;
      start.covariances.row(k) = variances;
      start.precisions.row(k) = variances.cwiseInverse();
    }
  }
  return start;
}

}  // namespace emgmm_bench

#endif  // EMGMM_BENCHMARKS_WORKLOADS_HPP
