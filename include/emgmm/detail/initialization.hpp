#ifndef EMGMM_DETAIL_INITIALIZATION_HPP
#define EMGMM_DETAIL_INITIALIZATION_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

// The mixtures' starting point (sklearn's _initialize_parameters + _initialize): responsibilities
// from init_params and their statistics; for GaussianMixture one M-step on them, then
// weights_init / means_init / precisions_init override what they give (BayesianGaussianMixture
// takes the statistics to its variational update instead).

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "../options.hpp"
#include "covariance.hpp"
#include "kmeans_fit.hpp"
#include "kmeans_plusplus.hpp"
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

/// The statistics of given starting responsibilities, about the means they give:
/// resp_block(start, rows, R) fills R (rows x K). Two passes, the means first, then the scatter
/// about them (sklearn's centered formula), so the start is as accurate as sklearn's. The first
/// pass only needs the means: it sums as for diagonal covariances (N K D work) whatever the
/// type, where full and tied scatters would cost N K D^2 for nothing.
template <typename Scalar, int Dim>
SufficientStatistics statistics_of_responsibilities(
    const RowSource<Scalar, Dim>& X, CovarianceType type, Eigen::Index K,
    const typename ResponsibilityBlock<Scalar>::type& resp_block) {
  using Means = Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>;
  const Eigen::Matrix<Scalar, 1, Dim> offset = column_mean(X);
  const Means reference = offset.replicate(K, 1);
  const SufficientStatistics first =
      responsibility_pass<Scalar, Dim>(X, CovarianceType::diag, K, reference, resp_block);
  const double eps = double(std::numeric_limits<Scalar>::epsilon());
  Means means = reference;
  for (Eigen::Index k = 0; k < K; ++k) {
    means.row(k) +=
        (first.resp_diff_sum.row(k) / (first.resp_sum(k) + 10.0 * eps)).template cast<Scalar>();
  }
  return responsibility_pass<Scalar, Dim>(X, type, K, means, resp_block);
}

/// The statistics of the starting responsibilities init_params chooses (sklearn's
/// _initialize_parameters, up to the resp it hands to _initialize). Draws from `random`
/// exactly as much as the chosen init_params needs, so successive initializations differ.
template <typename Scalar, int Dim>
SufficientStatistics initial_statistics(const RowSource<Scalar, Dim>& X, CovarianceType type,
                                        Eigen::Index K, InitParams init_params, Random& random) {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  switch (init_params) {
    case InitParams::kmeans: {
      KMeansOptions<Scalar, Dim> kmeans_options;
      kmeans_options.n_clusters = static_cast<int>(K);
      kmeans_options.n_init = 1;
      kmeans_options.random_state = random.next_u64();
      const Eigen::VectorXi labels = kmeans_fit(X, kmeans_options).labels;
      return statistics_of_responsibilities(X, type, K,
                                            [&](Eigen::Index start, Eigen::Index rows, Matrix& R) {
                                              R.setZero();
                                              for (Eigen::Index i = 0; i < rows; ++i)
                                                R(i, labels(start + i)) = Scalar(1);
                                            });
    }
    case InitParams::k_means_plus_plus:
      return statistics_of_responsibilities(
          X, type, K, SeedPointResponsibilities(kmeans_plusplus(X, column_mean(X), K, random)));
    case InitParams::random_from_data:
      return statistics_of_responsibilities(X, type, K,
                                            SeedPointResponsibilities(random_rows(X, K, random)));
    case InitParams::random: break;
  }
  const std::uint64_t seed = random.next_u64();
  return statistics_of_responsibilities(
      X, type, K, [&](Eigen::Index start, Eigen::Index rows, Matrix& R) {
        for (Eigen::Index i = 0; i < rows; ++i) {
          const auto row = static_cast<std::uint64_t>(start + i) * static_cast<std::uint64_t>(K);
          for (Eigen::Index k = 0; k < K; ++k) {
            R(i, k) =
                static_cast<Scalar>(hashed_uniform(seed, row + static_cast<std::uint64_t>(k)));
          }
          R.row(i) /= R.row(i).sum();
        }
      });
}

/// The statistics of the start: of `resp_init` (validated) when not empty, else of the
/// responsibilities init_params chooses (initial_statistics).
template <typename Scalar, int Dim>
SufficientStatistics starting_statistics(
    const RowSource<Scalar, Dim>& X, CovarianceType type, Eigen::Index K,
    const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& resp_init, InitParams init_params,
    Random& random) {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  if (resp_init.size() == 0) return initial_statistics(X, type, K, init_params, random);
  return statistics_of_responsibilities(X, type, K,
                                        [&](Eigen::Index start, Eigen::Index rows, Matrix& R) {
                                          R = resp_init.middleRows(start, rows);
                                        });
}

/// The initial parameters `params` for one initialization: one M-step on the starting
/// responsibilities (`resp_init`, validated, when not empty; else those init_params chooses),
/// then weights_init / means_init / precisions_init override what it gives.
/// Returns the component the M-step found ill-defined (see maximize), or nothing.
template <typename Scalar, int Dim>
[[nodiscard]] std::optional<Eigen::Index> initialize_parameters(
    const RowSource<Scalar, Dim>& X, const GaussianMixtureOptions<Scalar, Dim>& options,
    const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& resp_init, Random& random,
    const std::string& where, MixtureParameters<Scalar, Dim>& params) {
  const Eigen::Index D = X.cols();
  const CovarianceType type = options.covariance_type;
  const Eigen::Index K = options.n_components;
  params = MixtureParameters<Scalar, Dim>();
  params.covariance_type = type;
  params.model_name = options.model_name;
  if (!(options.weights_init && options.means_init && options.precisions_init)) {
    const std::optional<Eigen::Index> ill_defined = maximize<Scalar, Dim>(
        starting_statistics(X, type, K, resp_init, options.init_params, random), options.reg_covar,
        parsimonious_of(options), where, params, /*normalize_weights=*/false);
    if (ill_defined) return ill_defined;
  }
  if (options.weights_init) params.weights = *options.weights_init;
  if (options.means_init) params.means = *options.means_init;
  if (options.precisions_init) {
    params.precisions_cholesky =
        cholesky_of_precisions<Scalar, Dim>(*options.precisions_init, type, D);
    params.covariances =
        covariances_from_cholesky<Scalar, Dim>(params.precisions_cholesky, type, D);
    if (!params.covariances.allFinite()) {
      fail(where,
           "precisions_init is so close to singular that its inverse, the covariance, "
           "overflows the Scalar type; pass larger precisions.");
    }
  }
  return std::nullopt;
}

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_INITIALIZATION_HPP
