#ifndef EMGMM_DETAIL_INITIALIZATION_HPP
#define EMGMM_DETAIL_INITIALIZATION_HPP

// The mixture's starting point (sklearn's _initialize_parameters + _initialize): responsibilities
// from init_params, one M-step on them, then weights_init / means_init / precisions_init
// override what they give.

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "../kmeans.hpp"
#include "../options.hpp"
#include "covariance.hpp"
#include "m_step.hpp"
#include "parameters.hpp"
#include "passes.hpp"
#include "random.hpp"
#include "row_source.hpp"

namespace emgmm {
namespace detail {

/// Responsibilities that put each of K chosen points wholly in its own component and leave
/// every other point out (sklearn's k-means++ and random_from_data starts).
class SeedPointResponsibilities {
 public:
  explicit SeedPointResponsibilities(std::vector<Eigen::Index> seeds) : seeds_(std::move(seeds)) {}
  template <typename Matrix>
  void operator()(Eigen::Index start, Eigen::Index rows, Matrix& R) const {
    R.setZero();
    for (std::size_t k = 0; k < seeds_.size(); ++k) {
      const Eigen::Index i = seeds_[k] - start;
      if (i >= 0 && i < rows) R(i, static_cast<Eigen::Index>(k)) = 1;
    }
  }

 private:
  std::vector<Eigen::Index> seeds_;
};

/// The initial parameters for one initialization. Draws from `random` exactly as much as the
/// chosen init_params needs, so successive initializations differ.
template <typename Scalar, int Dim>
MixtureParameters<Scalar, Dim> initialize_parameters(const RowSource<Scalar, Dim>& X,
                                                     const GaussianMixtureOptions<Scalar, Dim>& options,
                                                     Random& random, const std::string& where) {
  using Means = Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>;
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  const Eigen::Index K = options.n_components;
  const Eigen::Index D = X.cols();
  const CovarianceType type = options.covariance_type;

  MixtureParameters<Scalar, Dim> params;
  params.covariance_type = type;
  const bool fully_given = options.weights_init && options.means_init && options.precisions_init;
  if (!fully_given) {
    const auto with_responsibilities = [&](auto&& resp_block) {
      // Two passes: the means first, then the scatter about them (sklearn's centered formula).
      const Eigen::Matrix<Scalar, 1, Dim> offset = column_mean(X);
      const Means reference = offset.replicate(K, 1);
      SufficientStatistics stats = responsibility_pass<Scalar, Dim>(X, type, K, reference, resp_block);
      const double eps = double(std::numeric_limits<Scalar>::epsilon());
      Means means = reference;
      for (Eigen::Index k = 0; k < K; ++k) {
        means.row(k) += (stats.resp_diff_sum.row(k) / (stats.resp_sum(k) + 10.0 * eps)).template cast<Scalar>();
      }
      stats = responsibility_pass<Scalar, Dim>(X, type, K, means, resp_block);
      return maximize<Scalar, Dim>(stats, options.reg_covar, where, /*normalize_weights=*/false);
    };
    switch (options.init_params) {
      case InitParams::kmeans: {
        KMeansOptions<Scalar, Dim> kmeans_options;
        kmeans_options.n_clusters = options.n_components;
        kmeans_options.n_init = 1;
        kmeans_options.random_state = random.next_u64();
        const Eigen::VectorXi labels = kmeans_fit(X, kmeans_options).labels;
        params = with_responsibilities([&](Eigen::Index start, Eigen::Index rows, Matrix& R) {
          R.setZero();
          for (Eigen::Index i = 0; i < rows; ++i) R(i, labels(start + i)) = Scalar(1);
        });
        break;
      }
      case InitParams::k_means_plus_plus: {
        params = with_responsibilities(SeedPointResponsibilities(kmeans_plusplus(X, column_mean(X), K, random)));
        break;
      }
      case InitParams::random_from_data:
        params = with_responsibilities(SeedPointResponsibilities(random_rows(X, K, random)));
        break;
      case InitParams::random: {
        const std::uint64_t seed = random.next_u64();
        params = with_responsibilities([&](Eigen::Index start, Eigen::Index rows, Matrix& R) {
          for (Eigen::Index i = 0; i < rows; ++i) {
            const auto row = static_cast<std::uint64_t>(start + i) * static_cast<std::uint64_t>(K);
            for (Eigen::Index k = 0; k < K; ++k) {
              R(i, k) = static_cast<Scalar>(hashed_uniform(seed, row + static_cast<std::uint64_t>(k)));
            }
            R.row(i) /= R.row(i).sum();
          }
        });
        break;
      }
    }
  }
  if (options.weights_init) params.weights = *options.weights_init;
  if (options.means_init) params.means = *options.means_init;
  if (options.precisions_init) {
    params.precisions_cholesky = cholesky_of_precisions<Scalar, Dim>(*options.precisions_init, type, D);
    params.covariances = covariances_from_cholesky<Scalar, Dim>(params.precisions_cholesky, type, D);
    if (!params.covariances.allFinite()) {
      fail(where, "precisions_init is so close to singular that its inverse, the covariance, "
                  "overflows the Scalar type; pass larger precisions.");
    }
  }
  return params;
}

}  // namespace detail
}  // namespace emgmm

#endif  // EMGMM_DETAIL_INITIALIZATION_HPP
