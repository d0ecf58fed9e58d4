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

/// Squared distance of every row of X (minus `offset`) to `center`, written to `out`.
template <typename Scalar, int Dim>
void squared_distances_to(const RowSource<Scalar, Dim>& X,
                          const Eigen::Matrix<Scalar, 1, Dim>& offset,
                          const Eigen::Matrix<Scalar, 1, Dim>& center, Eigen::VectorXd& out) {
  using Block = Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>;
  out.resize(X.rows());
  const ChunkPlan plan = ChunkPlan::make(X.rows());
  for_each_chunk(plan, [&](Eigen::Index chunk) {
    Block diff;
    plan.for_each_block(chunk, [&](Eigen::Index start, Eigen::Index rows) {
      X.load(start, rows, diff);
      diff.rowwise() -= offset + center;
      out.segment(start, rows) = diff.rowwise().squaredNorm().template cast<double>();
    });
  });
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
  squared_distances_to<Scalar, Dim>(X, offset, point(indices[0]), closest);
  double current_potential = closest.sum();

  Eigen::VectorXd candidate_distances, best_distances;
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
    // Keep the candidate that lowers the potential most.
    double best_potential = 0.0;
    Eigen::Index best = -1;
    for (Eigen::Index candidate : candidates) {
      squared_distances_to<Scalar, Dim>(X, offset, point(candidate), candidate_distances);
      candidate_distances = candidate_distances.cwiseMin(closest);
      const double potential = candidate_distances.sum();
      if (best < 0 || potential < best_potential) {
        best_potential = potential;
        best = candidate;
        best_distances.swap(candidate_distances);
      }
    }
    closest.swap(best_distances);
    current_potential = best_potential;
    indices.push_back(best);
  }
  return indices;
}

}  // namespace detail
}  // namespace emgmm

#endif  // EMGMM_DETAIL_KMEANS_PLUSPLUS_HPP
