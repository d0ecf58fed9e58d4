#ifndef EMGMM_DETAIL_KMEANS_PLUSPLUS_HPP
#define EMGMM_DETAIL_KMEANS_PLUSPLUS_HPP

// Greedy k-means++ seeding as scikit-learn does it (Arthur & Vassilvitskii 2007, with
// 2 + floor(log K) candidates per center, keeping the one that lowers the potential most).

#include <algorithm>
#include <cmath>
#include <vector>

#include <Eigen/Core>

#include "parallel.hpp"
#include "random.hpp"
#include "row_source.hpp"

namespace emgmm {
namespace detail {

/// For every row x of X - offset, d(x) = |x - center|^2. With `update`, closest(i) becomes
/// min(closest(i), d(x_i)) (or d(x_i) when closest is empty); either way returns
/// sum_i min(closest(i), d(x_i)), summed per chunk and then in chunk order (deterministic).
/// Nothing of size n is allocated: k-means++ keeps only the one distance vector.
template <typename Scalar, int Dim>
double potential_with(const RowSource<Scalar, Dim>& X, const Eigen::Matrix<Scalar, 1, Dim>& offset,
                      const Eigen::Matrix<Scalar, 1, Dim>& center, Eigen::VectorXd& closest, bool update) {
  using Block = Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>;
  const bool first = closest.size() == 0;
  if (first) closest.resize(X.rows());
  const ChunkPlan plan = ChunkPlan::make(X.rows());
  std::vector<double> partial(static_cast<std::size_t>(plan.n_chunks), 0.0);
  for_each_chunk(plan, [&](Eigen::Index chunk) {
    Block diff;
    Eigen::VectorXd distances;
    double total = 0.0;
    plan.for_each_block(chunk, [&](Eigen::Index start, Eigen::Index rows) {
      X.load(start, rows, diff);
      diff.rowwise() -= offset + center;
      distances = diff.rowwise().squaredNorm().template cast<double>();
      if (!first) distances = distances.cwiseMin(closest.segment(start, rows));
      if (update) closest.segment(start, rows) = distances;
      total += distances.sum();
    });
    partial[static_cast<std::size_t>(chunk)] = total;
  });
  double sum = 0.0;
  for (const double value : partial) sum += value;
  return sum;
}

/// Indices of K rows of X chosen by greedy k-means++. `offset` is subtracted from every point
/// first (the data mean, for accurate distances). Needs X.rows() >= K >= 1.
template <typename Scalar, int Dim>
std::vector<Eigen::Index> kmeans_plusplus(const RowSource<Scalar, Dim>& X,
                                          const Eigen::Matrix<Scalar, 1, Dim>& offset,
                                          Eigen::Index K, Random& random) {
  using RowPoint = Eigen::Matrix<Scalar, 1, Dim>;
  const Eigen::Index n = X.rows();
  const int n_local_trials = 2 + static_cast<int>(std::log(static_cast<double>(K)));
  auto point = [&](Eigen::Index i) -> RowPoint {
    return X.row(i) - offset;
  };

  std::vector<Eigen::Index> indices;
  indices.reserve(static_cast<std::size_t>(K));
  indices.push_back(static_cast<Eigen::Index>(random.randint(static_cast<std::uint64_t>(n))));
  Eigen::VectorXd closest;
  double current_potential = potential_with(X, offset, point(indices[0]), closest, /*update=*/true);

  std::vector<double> targets(static_cast<std::size_t>(n_local_trials));
  std::vector<Eigen::Index> candidates(static_cast<std::size_t>(n_local_trials));
  for (Eigen::Index c = 1; c < K; ++c) {
    // Draw candidates with probability proportional to the squared distance to the nearest
    // center: the first index whose running sum reaches each target (np.searchsorted).
    for (auto& target : targets) target = random.uniform() * current_potential;
    std::vector<std::size_t> order(targets.size());
    for (std::size_t t = 0; t < order.size(); ++t) order[t] = t;
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return targets[a] < targets[b]; });
    double running = 0.0;
    Eigen::Index i = 0;
    for (std::size_t t : order) {
      while (i < n && running + closest(i) < targets[t]) running += closest(i++);
      candidates[t] = std::min(i, n - 1);
    }
    // Keep the candidate that lowers the potential most, then fold it into `closest`.
    double best_potential = 0.0;
    Eigen::Index best = -1;
    for (Eigen::Index candidate : candidates) {
      const double potential = potential_with(X, offset, point(candidate), closest, /*update=*/false);
      if (best < 0 || potential < best_potential) {
        best_potential = potential;
        best = candidate;
      }
    }
    current_potential = potential_with(X, offset, point(best), closest, /*update=*/true);
    indices.push_back(best);
  }
  return indices;
}

}  // namespace detail
}  // namespace emgmm

#endif  // EMGMM_DETAIL_KMEANS_PLUSPLUS_HPP
