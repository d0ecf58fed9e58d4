#ifndef EMGMM_DETAIL_KMEANS_FIT_HPP
#define EMGMM_DETAIL_KMEANS_FIT_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

// The k-means algorithm behind KMeans::fit (kmeans.hpp) and GaussianMixture's kmeans start
// (initialization.hpp): n_init runs of k-means++ or random seeding and Lloyd's iterations, and
// the column sums and means it centers the data with. Kept apart from the KMeans class so that
// detail/ needs no public estimator header.

#include <cstddef>
#include <iostream>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "../options.hpp"
#include "kmeans_plusplus.hpp"
#include "lloyd.hpp"
#include "parallel.hpp"
#include "random.hpp"
#include "row_source.hpp"

namespace emgmm {
namespace detail {

/// sum_i w_i (x_id - center_d), or of its square, for every feature d (w_i = 1 without sample
/// weights), in double column by column, per chunk and then in chunk order: the same sum for
/// any thread count, with the rows read in place when X allows it.
template <typename Scalar, int Dim>
Eigen::RowVectorXd column_sums(const RowSource<Scalar, Dim>& X, const Eigen::RowVectorXd& center,
                               bool squared) {
  const Eigen::Index D = X.cols();
  const ChunkPlan plan = ChunkPlan::make(X.rows());
  std::vector<Eigen::RowVectorXd> partial(static_cast<std::size_t>(plan.n_chunks));
  for_each_chunk(plan, [&](Eigen::Index chunk) {
    Eigen::Matrix<Scalar, Eigen::Dynamic, Dim> loaded;
    Eigen::RowVectorXd sum = Eigen::RowVectorXd::Zero(D);
    plan.for_each_block(chunk, [&](Eigen::Index start, Eigen::Index rows) {
      const auto view = X.view(start, rows, loaded);
      for (Eigen::Index d = 0; d < D; ++d) {
        const auto deviation = view.col(d).template cast<double>().array() - center(d);
        if (X.weighted()) {
          const auto w = X.weights(start, rows).array();
          sum(d) += squared ? (w * deviation.square()).sum() : (w * deviation).sum();
        } else {
          sum(d) += squared ? deviation.square().sum() : deviation.sum();
        }
      }
    });
    partial[static_cast<std::size_t>(chunk)] = std::move(sum);
  });
  Eigen::RowVectorXd total = Eigen::RowVectorXd::Zero(D);
  for (const Eigen::RowVectorXd& sum : partial) total += sum;
  return total;
}

/// Column means of X (weighted by the sample weights, if any), summed in double about the first
/// row: the sum then grows with the data's spread, never with its offset, so values near the
/// largest double cannot overflow it.
template <typename Scalar, int Dim>
Eigen::Matrix<Scalar, 1, Dim> column_mean(const RowSource<Scalar, Dim>& X) {
  const Eigen::RowVectorXd first = X.row(0).template cast<double>();
  const Eigen::RowVectorXd sum = column_sums(X, first, false);
  return (first + sum / X.total_weight()).template cast<Scalar>();
}

/// Mean over features of the per-feature population variance (sklearn's _tolerance), weighted
/// by the sample weights if any (so that integer weights act as repeated rows).
template <typename Scalar, int Dim>
double mean_variance(const RowSource<Scalar, Dim>& X, const Eigen::Matrix<Scalar, 1, Dim>& mean) {
  const Eigen::RowVectorXd sum_sq = column_sums(X, mean.template cast<double>(), true);
  return (sum_sq / X.total_weight()).mean();
}

/// sklearn's _is_same_clustering: labels `a` map onto labels `b` one to one.
inline bool same_clustering(const Eigen::VectorXi& a, const Eigen::VectorXi& b, Eigen::Index K) {
  std::vector<int> mapping(static_cast<std::size_t>(K), -1);
  for (Eigen::Index i = 0; i < a.size(); ++i) {
    int& target = mapping[static_cast<std::size_t>(a(i))];
    if (target == -1) {
      target = b(i);
    } else if (target != b(i)) {
      return false;
    }
  }
  return true;
}

/// What one KMeans fit finds.
template <typename Scalar, int Dim>
struct KMeansResult {
  Eigen::Matrix<Scalar, Eigen::Dynamic, Dim> centers;
  Eigen::VectorXi labels;
  double inertia = 0.0;
  int n_iter = 0;
};

/// The k-means algorithm on validated options and data: n_init runs from k-means++, random or
/// given centers, each by Lloyd's iterations on the data centered on its mean; the lowest
/// inertia wins (unless it is the same clustering, as sklearn decides).
template <typename Scalar, int Dim>
KMeansResult<Scalar, Dim> kmeans_fit(const RowSource<Scalar, Dim>& X,
                                     const KMeansOptions<Scalar, Dim>& options) {
  using Options = KMeansOptions<Scalar, Dim>;
  using Centers = Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>;
  const Eigen::Index K = options.n_clusters;
  const Eigen::Matrix<Scalar, 1, Dim> offset = column_mean(X);
  const double abs_tol = options.tol == 0.0 ? 0.0 : mean_variance(X, offset) * options.tol;
  Random random(Random::seed_from(options.random_state));
  int n_init = options.n_init;
  if (n_init == 0)
    n_init = (options.init == Options::Init::random && !options.init_centers) ? 10 : 1;
  if (options.init_centers) n_init = 1;  // sklearn: an explicit start runs once

  LloydResult<Scalar, Dim> best;
  bool have_best = false;
  for (int run = 0; run < n_init; ++run) {
    Centers start(K, X.cols());
    if (options.init_centers) {
      start = options.init_centers->rowwise() - offset;
    } else {
      const std::vector<Eigen::Index> seeds = options.init == Options::Init::k_means_plus_plus
                                                  ? kmeans_plusplus(X, offset, K, random)
                                                  : random_rows(X, K, random);
      for (Eigen::Index k = 0; k < K; ++k)
        start.row(k) = X.row(seeds[static_cast<std::size_t>(k)]) - offset;
    }
    if (options.verbose > 0) std::cout << "Initialization complete\n";
    auto result = lloyd(X, offset, std::move(start), options.max_iter, abs_tol, options.verbose);
    if (!have_best ||
        (result.inertia < best.inertia && !same_clustering(result.labels, best.labels, K))) {
      best = std::move(result);
      have_best = true;
    }
  }
  best.centers.rowwise() += offset;
  return KMeansResult<Scalar, Dim>{std::move(best.centers), std::move(best.labels), best.inertia,
                                   best.n_iter};
}

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_KMEANS_FIT_HPP
