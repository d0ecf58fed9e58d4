#ifndef EMGMM_DETAIL_KMEANS_PLUSPLUS_HPP
#define EMGMM_DETAIL_KMEANS_PLUSPLUS_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

// Greedy k-means++ seeding as scikit-learn does it (Arthur & Vassilvitskii 2007, with
// 2 + floor(log K) candidates per center, keeping the one that lowers the potential most).
// With sample weights every probability and potential is weighted (scikit-learn 1.3's
// weighted k-means++): a point of weight 3 is drawn as if it were there three times, and a
// point of weight 0 is never drawn.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "diagonal_quadratic.hpp"
#include "parallel.hpp"
#include "random.hpp"
#include "row_source.hpp"

namespace emgmm {
namespace detail {

/// Up to this many centers, k-means++ recomputes each point's distance to its nearest center on
/// every pass instead of keeping it (see NearestCenterDistances).
constexpr Eigen::Index kRecomputeNearestUpTo = 8;

/// The squared distance nearest(i) of every point (X - offset) to its nearest chosen center.
/// With many centers it is kept in an n-vector; with few (K <= kRecomputeNearestUpTo) it is
/// recomputed from the centers on every pass, which costs a few more distance evaluations and
/// saves n doubles: the largest allocation of a small-dimensional fit (half the size of 2-D
/// data). Both ways give bit-identical values, sums and choices.
template <typename Scalar, int Dim>
class NearestCenterDistances {
 public:
  using RowPoint = Eigen::Matrix<Scalar, 1, Dim>;
  using Block = Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>;
  using BlockView = typename RowSource<Scalar, Dim>::BlockView;

  NearestCenterDistances(const RowSource<Scalar, Dim>& X, const RowPoint& offset, bool keep)
      : X_(X),
        offset_(offset),
        unit_weights_(Eigen::Matrix<Scalar, Dim, 1>::Ones(X.cols())),
        keep_(keep),
        plan_(ChunkPlan::make(X.rows())),
        last_drawable_(X.rows() - 1) {
    if (X.weighted()) {
      while (last_drawable_ > 0 && X.weight(last_drawable_) == 0.0) --last_drawable_;
    }
  }

  /// sum_i w_i min(nearest(i), |x_i - candidate|^2) for every candidate: the potential if it
  /// were added. One pass over the data for all of them (nearest(i) found once per block);
  /// each value is what a pass for that candidate alone would sum, in the same order.
  /// With kept distances, the minima are kept too when they cost less memory than the data
  /// (fewer candidates than half the features, in double): adding the chosen candidate then
  /// takes its minima instead of another pass over the data. With large data each pass is
  /// bound by reading it, so this halves the time of the seeding.
  std::vector<double> potentials_with(const std::vector<RowPoint>& candidates) {
    const std::size_t count = candidates.size();
    const bool keep_minima =
        keep_ && double(count) * sizeof(double) <= double(X_.cols()) * sizeof(Scalar) / 2.0;
    candidate_minima_.resize(keep_minima ? count : 0);
    for (Eigen::VectorXd& minima : candidate_minima_) minima.resize(X_.rows());
    std::vector<double> partial(static_cast<std::size_t>(plan_.n_chunks) * count, 0.0);
    for_each_chunk(plan_, [&](Eigen::Index chunk) {
      Block loaded;
      Eigen::VectorXd distances, nearest, scratch;
      double* totals = partial.data() + static_cast<std::size_t>(chunk) * count;
      plan_.for_each_block(chunk, [&](Eigen::Index start, Eigen::Index rows) {
        const BlockView points = X_.view(start, rows, loaded);
        nearest_of(start, rows, points, scratch, nearest);
        for (std::size_t c = 0; c < count; ++c) {
          distances_to(points, candidates[c], distances);
          distances = distances.cwiseMin(nearest);
          if (keep_minima) candidate_minima_[c].segment(start, rows) = distances;
          totals[c] += X_.weighted() ? X_.weights(start, rows).dot(distances) : distances.sum();
        }
      });
    });
    std::vector<double> potentials(count, 0.0);
    for (Eigen::Index chunk = 0; chunk < plan_.n_chunks; ++chunk) {
      for (std::size_t c = 0; c < count; ++c)
        potentials[c] += partial[static_cast<std::size_t>(chunk) * count + c];
    }
    return potentials;
  }

  /// Makes `center` the first chosen center; returns the potential sum_i w_i nearest(i).
  double add_first(const RowPoint& center) {
    if (keep_) nearest_.resize(X_.rows());
    const double potential = reduce(center, keep_ ? &nearest_ : nullptr);
    centers_.push_back(center);
    return potential;
  }

  /// Makes `center`, candidate number `candidate` of the last potentials_with(), a chosen
  /// center, given its potential from there; returns the new potential (that value). Only
  /// kept distances need a pass, to store the new minima, unless potentials_with() kept them.
  double add(std::size_t candidate, const RowPoint& center, double potential) {
    if (candidate < candidate_minima_.size()) {
      nearest_.swap(candidate_minima_[candidate]);
    } else if (keep_) {
      potential = reduce(center, &nearest_);
    }
    centers_.push_back(center);
    return potential;
  }

  /// For targets sorted ascending, found[t] = the first index whose running sum of
  /// w_i nearest(i) reaches targets[t] (np.searchsorted on the cumulative sum), skipping points
  /// of weight 0; or the last point that can be drawn.
  void search(const std::vector<double>& targets, std::vector<Eigen::Index>& found) const {
    found.assign(targets.size(), last_drawable_);
    std::size_t t = 0;
    double running = 0.0;
    Block loaded;
    Eigen::VectorXd nearest, distances;
    for (Eigen::Index chunk = 0; chunk < plan_.n_chunks && t < targets.size(); ++chunk) {
      plan_.for_each_block(chunk, [&](Eigen::Index start, Eigen::Index rows) {
        if (t == targets.size()) return;
        if (keep_) {
          nearest = nearest_.segment(start, rows);
        } else {
          nearest_of(start, rows, X_.view(start, rows, loaded), distances, nearest);
        }
        Eigen::Index i = 0;
        if (X_.weighted()) {
          const auto w = X_.weights(start, rows);
          nearest.array() *= w.array();
          while (t < targets.size()) {
            while (i < rows && (running + nearest(i) < targets[t] || w(i) == 0.0))
              running += nearest(i++);
            if (i == rows) break;
            found[t++] = start + i;
          }
          return;
        }
        while (t < targets.size()) {
          while (i < rows && running + nearest(i) < targets[t]) running += nearest(i++);
          if (i == rows) break;
          found[t++] = start + i;
        }
      });
    }
  }

 private:
  /// distances = |x_i - (offset + center)|^2 (in double) for the rows of a block of X,
  /// swept along the points (diagonal_quadratic with unit weights).
  void distances_to(const BlockView& points, const RowPoint& center,
                    Eigen::VectorXd& distances) const {
    const RowPoint absolute = offset_ + center;
    Eigen::Matrix<Scalar, Eigen::Dynamic, 1> squared(points.rows());
    const Eigen::Matrix<Scalar, Dim, 1> center_column = absolute.transpose();
    diagonal_quadratic(points.data(), points.outerStride(), points.rows(), points.cols(),
                       center_column.data(), unit_weights_.data(), 1, squared.data(),
                       points.rows());
    distances = squared.template cast<double>();
  }

  /// nearest(i) for rows [start, start + rows), whose points are `points`: the kept values, or
  /// recomputed from the chosen centers (`distances` is scratch).
  void nearest_of(Eigen::Index start, Eigen::Index rows, const BlockView& points,
                  Eigen::VectorXd& distances, Eigen::VectorXd& nearest) const {
    if (keep_) {
      nearest = nearest_.segment(start, rows);
      return;
    }
    for (std::size_t c = 0; c < centers_.size(); ++c) {
      distances_to(points, centers_[c], distances);
      if (c == 0) {
        nearest = distances;
      } else {
        nearest = nearest.cwiseMin(distances);
      }
    }
  }

  /// sum_i w_i min(nearest(i), |x_i - center|^2), summed per chunk and then in chunk order
  /// (deterministic for any thread count); `store`, when given, receives those minima.
  double reduce(const RowPoint& center, Eigen::VectorXd* store) const {
    const bool first = centers_.empty();
    std::vector<double> partial(static_cast<std::size_t>(plan_.n_chunks), 0.0);
    for_each_chunk(plan_, [&](Eigen::Index chunk) {
      Block loaded;
      Eigen::VectorXd distances, nearest, scratch;
      double total = 0.0;
      plan_.for_each_block(chunk, [&](Eigen::Index start, Eigen::Index rows) {
        const BlockView points = X_.view(start, rows, loaded);
        if (!first) nearest_of(start, rows, points, scratch, nearest);
        distances_to(points, center, distances);
        if (!first) distances = distances.cwiseMin(nearest);
        if (store) store->segment(start, rows) = distances;
        total += X_.weighted() ? X_.weights(start, rows).dot(distances) : distances.sum();
      });
      partial[static_cast<std::size_t>(chunk)] = total;
    });
    double sum = 0.0;
    for (const double value : partial) sum += value;
    return sum;
  }

  const RowSource<Scalar, Dim>& X_;
  RowPoint offset_;
  Eigen::Matrix<Scalar, Dim, 1> unit_weights_;  // diagonal_quadratic's weights: all 1
  bool keep_;
  ChunkPlan plan_;
  std::vector<RowPoint> centers_;
  Eigen::VectorXd nearest_;                        // kept distances (keep_ only)
  std::vector<Eigen::VectorXd> candidate_minima_;  // min(nearest, candidate) (see potentials_with)
  Eigen::Index last_drawable_;                     // the last point of positive weight
};

/// The first k-means++ center: a uniformly drawn point, or with sample weights a point drawn
/// with probability proportional to its weight. Integer weights (the common case: counts)
/// draw an integer below their sum, exactly as the repeated rows would be drawn from.
template <typename Scalar, int Dim>
Eigen::Index draw_first_center(const RowSource<Scalar, Dim>& X, Random& random) {
  const Eigen::Index n = X.rows();
  if (!X.weighted())
    return static_cast<Eigen::Index>(random.randint(static_cast<std::uint64_t>(n)));
  const auto w = X.weights(0, n);
  const double total = w.sum();
  const bool integral = total <= 0x1.0p53 && (w.array() == w.array().floor()).all();
  const double target = integral ? double(random.randint(static_cast<std::uint64_t>(total)))
                                 : random.uniform() * total;
  double running = 0.0;
  Eigen::Index last = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    if (w(i) == 0.0) continue;
    running += w(i);
    last = i;
    if (running > target) return i;
  }
  return last;  // only when rounding left the sum short of `total`
}

/// Indices of K rows of X chosen by greedy k-means++. `offset` is subtracted from every point
/// first (the data mean, for accurate distances). Needs K >= 1 and at least K rows (of
/// positive weight, with sample weights). `keep_distances`
/// chooses how NearestCenterDistances works (the result is the same either way).
template <typename Scalar, int Dim>
std::vector<Eigen::Index> kmeans_plusplus(const RowSource<Scalar, Dim>& X,
                                          const Eigen::Matrix<Scalar, 1, Dim>& offset,
                                          Eigen::Index K, Random& random) {
  return kmeans_plusplus(X, offset, K, random, K > kRecomputeNearestUpTo);
}

template <typename Scalar, int Dim>
std::vector<Eigen::Index> kmeans_plusplus(const RowSource<Scalar, Dim>& X,
                                          const Eigen::Matrix<Scalar, 1, Dim>& offset,
                                          Eigen::Index K, Random& random, bool keep_distances) {
  using RowPoint = Eigen::Matrix<Scalar, 1, Dim>;
  const int n_local_trials = 2 + static_cast<int>(std::log(static_cast<double>(K)));
  auto point = [&](Eigen::Index i) -> RowPoint { return X.row(i) - offset; };

  std::vector<Eigen::Index> indices;
  indices.reserve(static_cast<std::size_t>(K));
  indices.push_back(draw_first_center(X, random));
  NearestCenterDistances<Scalar, Dim> nearest(X, offset, keep_distances);
  double current_potential = nearest.add_first(point(indices[0]));

  std::vector<double> targets(static_cast<std::size_t>(n_local_trials));
  std::vector<double> sorted_targets(targets.size());
  std::vector<Eigen::Index> found;
  std::vector<Eigen::Index> candidates(static_cast<std::size_t>(n_local_trials));
  std::vector<RowPoint> candidate_points(candidates.size());
  for (Eigen::Index c = 1; c < K; ++c) {
    // Draw candidates with probability proportional to the squared distance to the nearest
    // center: the first index whose running sum reaches each target (np.searchsorted).
    for (auto& target : targets) target = random.uniform() * current_potential;
    std::vector<std::size_t> order(targets.size());
    for (std::size_t t = 0; t < order.size(); ++t) order[t] = t;
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return targets[a] < targets[b]; });
    for (std::size_t t = 0; t < order.size(); ++t) sorted_targets[t] = targets[order[t]];
    nearest.search(sorted_targets, found);
    for (std::size_t t = 0; t < order.size(); ++t) candidates[order[t]] = found[t];
    // Keep the candidate that lowers the potential most (the first of equals), then make it a
    // center.
    for (std::size_t t = 0; t < candidates.size(); ++t) candidate_points[t] = point(candidates[t]);
    const std::vector<double> potentials = nearest.potentials_with(candidate_points);
    std::size_t best = 0;
    for (std::size_t t = 1; t < candidates.size(); ++t) {
      if (potentials[t] < potentials[best]) best = t;
    }
    current_potential = nearest.add(best, candidate_points[best], potentials[best]);
    indices.push_back(candidates[best]);
  }
  return indices;
}

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_KMEANS_PLUSPLUS_HPP
