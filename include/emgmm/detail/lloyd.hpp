#ifndef EMGMM_DETAIL_LLOYD_HPP
#define EMGMM_DETAIL_LLOYD_HPP

// Lloyd's k-means iterations as scikit-learn's _kmeans_single_lloyd: assign every point to the
// nearest center, move empty clusters to the points farthest from their centers, average,
// stop on unchanged labels or when the squared center shift is within tol.
// With sample weights (X.weighted()) every sum, count and inertia is weighted, and points of
// weight 0 neither move a center, nor count for convergence, nor fill an empty cluster: they
// are as if dropped, but still get a label.

#include <algorithm>
#include <iostream>
#include <limits>
#include <numeric>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "e_step.hpp"
#include "parallel.hpp"
#include "row_source.hpp"
#include "top_k.hpp"

namespace emgmm {
namespace detail {

template <typename Scalar, int Dim>
struct LloydResult {
  Eigen::Matrix<Scalar, Eigen::Dynamic, Dim> centers;  ///< in the offset coordinates
  Eigen::VectorXi labels;
  double inertia = 0.0;
  int n_iter = 0;
};

/// Whether the new labels of rows [start, start + rows) differ from the old ones, among the
/// points of positive weight.
template <typename Scalar, int Dim>
bool labels_changed(const RowSource<Scalar, Dim>& X, Eigen::Index start,
                    const Eigen::Ref<const Eigen::VectorXi>& old_labels, const Eigen::VectorXi& new_labels) {
  if (!X.weighted()) return old_labels != new_labels;
  for (Eigen::Index i = 0; i < new_labels.size(); ++i) {
    if (old_labels(i) != new_labels(i) && X.weight(start + i) != 0.0) return true;
  }
  return false;
}

/// labels(i) = the first k with the smallest |c_k|^2 - 2 x_i.c_k (np.argmin) for the rows x_i
/// of `points` (already less the offset); `minus_two_centers` is D x K; `distances` and
/// `label_values` are scratch.
/// Branch-free and vectorized along the points with Eigen's packet primitives: with mixed
/// clusters a compare-and-branch per center mispredicts half the time. With few features
/// (D <= kSmallDepth) the distances are formed in registers, in the order multiply_tall forms
/// them, and never stored; with more, they come from multiply_tall (a matrix product).
template <typename Scalar, int Dim>
void nearest_centers(const Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>& points,
                     const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& minus_two_centers,
                     const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>& center_norms,
                     Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& distances,
                     Eigen::Array<Scalar, Eigen::Dynamic, 1>& label_values, Eigen::VectorXi& labels) {
  namespace ei = Eigen::internal;
  using Packet = typename ei::packet_traits<Scalar>::type;
  constexpr Eigen::Index kLanes = ei::packet_traits<Scalar>::size;
  const Eigen::Index rows = points.rows();
  const Eigen::Index D = points.cols();
  const Eigen::Index K = minus_two_centers.cols();
  const bool in_registers = D <= kSmallDepth;
  if (!in_registers) {
    multiply_tall(points, minus_two_centers, distances);
    for (Eigen::Index k = 0; k < K; ++k) distances.col(k).array() += center_norms(k);
  }
  // The distance of rows [i, i + kLanes) to center k.
  const auto distance = [&](Eigen::Index i, Eigen::Index k, const Packet* x) {
    if (!in_registers) return ei::ploadu<Packet>(distances.col(k).data() + i);
    Packet t = ei::pmul(x[0], ei::pset1<Packet>(minus_two_centers(0, k)));
    for (Eigen::Index d = 1; d < D; ++d) t = ei::padd(t, ei::pmul(x[d], ei::pset1<Packet>(minus_two_centers(d, k))));
    return ei::padd(t, ei::pset1<Packet>(center_norms(k)));
  };
  // The rows that do not fill a packet (all of them without vectorization), one by one, the
  // same way.
  const auto nearest_one = [&](Eigen::Index i) {
    const auto scalar_distance = [&](Eigen::Index k) {
      if (!in_registers) return distances(i, k);
      Scalar t = points(i, 0) * minus_two_centers(0, k);
      for (Eigen::Index d = 1; d < D; ++d) t = t + points(i, d) * minus_two_centers(d, k);
      return t + center_norms(k);
    };
    Scalar best = scalar_distance(0);
    Eigen::Index label = 0;
    for (Eigen::Index k = 1; k < K; ++k) {
      const Scalar d = scalar_distance(k);
      if (d < best) {
        best = d;
        label = k;
      }
    }
    return label;
  };
  // The packets carry each label as a Scalar, exact up to 2^digits (float: 16.7 million
  // clusters); past that, only the scalar way.
  if (K > (Eigen::Index(1) << std::numeric_limits<Scalar>::digits)) {
    labels.resize(rows);
    for (Eigen::Index i = 0; i < rows; ++i) labels(i) = static_cast<int>(nearest_one(i));
    return;
  }
  label_values.resize(rows);
  Eigen::Index i = 0;
  if (kLanes > 1) {
    Packet x[kSmallDepth];
    for (; i + kLanes <= rows; i += kLanes) {
      if (in_registers) {
        for (Eigen::Index d = 0; d < D; ++d) x[d] = ei::ploadu<Packet>(points.col(d).data() + i);
      }
      Packet best = distance(i, 0, x);
      Packet label = ei::pset1<Packet>(Scalar(0));
      for (Eigen::Index k = 1; k < K; ++k) {
        const Packet d = distance(i, k, x);
        const Packet closer = ei::pcmp_lt(d, best);  // false for NaN, as `<`
        best = ei::pselect(closer, d, best);
        label = ei::pselect(closer, ei::pset1<Packet>(Scalar(k)), label);
      }
      ei::pstoreu(label_values.data() + i, label);
    }
  }
  for (; i < rows; ++i) label_values(i) = Scalar(nearest_one(i));
  labels = label_values.template cast<int>().matrix();
}

/// Assigns each row of X - offset to its nearest center (smallest |c|^2 - 2 x.c, as sklearn),
/// writing labels; returns, per chunk in order, the per-cluster sums and counts (weighted),
/// and whether the label of any point (of positive weight) changed.
template <typename Scalar, int Dim>
bool assign_labels(const RowSource<Scalar, Dim>& X, const Eigen::Matrix<Scalar, 1, Dim>& offset,
                   const Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>& centers,
                   Eigen::VectorXi& labels, Eigen::MatrixXd* sums, Eigen::VectorXd* counts) {
  using Block = Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>;
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  const Eigen::Index K = centers.rows();
  const Eigen::Index D = centers.cols();
  const Eigen::Matrix<Scalar, Eigen::Dynamic, 1> center_norms = centers.rowwise().squaredNorm();
  const Matrix minus_two_centers = Scalar(-2) * centers.transpose();  // D x K
  const ChunkPlan plan = ChunkPlan::make(X.rows(), kBlockRows, 8.0 * double(K) * double(D + 1));
  std::vector<Eigen::MatrixXd> chunk_sums(static_cast<std::size_t>(plan.n_chunks));
  std::vector<Eigen::VectorXd> chunk_counts(static_cast<std::size_t>(plan.n_chunks));
  std::vector<char> chunk_changed(static_cast<std::size_t>(plan.n_chunks), 0);
  for_each_chunk(plan, [&](Eigen::Index chunk) {
    Block points;
    Matrix distances;
    Eigen::Array<Scalar, Eigen::Dynamic, 1> label_values;
    Eigen::VectorXi block_labels;
    Eigen::MatrixXd local_sums;
    Eigen::VectorXd local_counts;
    Eigen::VectorXd interleaved_sums, interleaved_counts;  // 4 K x D and 4 K
    if (sums) {
      local_sums.setZero(K, D);
      local_counts.setZero(K);
      interleaved_sums.setZero(4 * K * D);
      interleaved_counts.setZero(4 * K);
    }
    bool changed = false;
    plan.for_each_block(chunk, [&](Eigen::Index start, Eigen::Index rows) {
      X.load(start, rows, points);
      // Column by column: Eigen does not vectorize rowwise() on a column-major block.
      for (Eigen::Index d = 0; d < D; ++d) points.col(d).array() -= offset(d);
      nearest_centers(points, minus_two_centers, center_norms, distances, label_values, block_labels);
      auto labels_here = labels.segment(start, rows);
      if (!changed) changed = labels_changed(X, start, labels_here, block_labels);
      labels_here = block_labels;
      if (sums && X.weighted()) {
        const auto w = X.weights(start, rows);
        for (Eigen::Index d = 0; d < D; ++d) {
          const Scalar* x = points.col(d).data();
          double* sum = interleaved_sums.data() + 4 * K * d;
          for (Eigen::Index i = 0; i < rows; ++i) sum[4 * block_labels(i) + (i & 3)] += w(i) * double(x[i]);
        }
        for (Eigen::Index i = 0; i < rows; ++i) interleaved_counts(4 * block_labels(i) + (i & 3)) += w(i);
      } else if (sums) {
        // Scattered additions into four interleaved partial sums, so that runs of points in
        // the same cluster do not wait on each other's additions. (Not K masked sums: GCC 12
        // at -O3 with AVX2 or AVX-512 vectorizes `s += label == k ? x : 0` into wrong sums.)
        for (Eigen::Index d = 0; d < D; ++d) {
          const Scalar* x = points.col(d).data();
          double* sum = interleaved_sums.data() + 4 * K * d;
          for (Eigen::Index i = 0; i < rows; ++i) sum[4 * block_labels(i) + (i & 3)] += double(x[i]);
        }
        for (Eigen::Index i = 0; i < rows; ++i) interleaved_counts(4 * block_labels(i) + (i & 3)) += 1.0;
      }
    });
    if (sums) {
      for (Eigen::Index k = 0; k < K; ++k) {
        for (Eigen::Index d = 0; d < D; ++d) {
          const double* sum = interleaved_sums.data() + 4 * K * d + 4 * k;
          local_sums(k, d) = (sum[0] + sum[1]) + (sum[2] + sum[3]);
        }
        const double* count = interleaved_counts.data() + 4 * k;
        local_counts(k) = (count[0] + count[1]) + (count[2] + count[3]);
      }
    }
    chunk_changed[static_cast<std::size_t>(chunk)] = changed;
    if (sums) {
      chunk_sums[static_cast<std::size_t>(chunk)] = std::move(local_sums);
      chunk_counts[static_cast<std::size_t>(chunk)] = std::move(local_counts);
    }
  });
  if (sums) {
    sums->setZero(K, D);
    counts->setZero(K);
    for (std::size_t c = 0; c < chunk_sums.size(); ++c) {
      *sums += chunk_sums[c];
      *counts += chunk_counts[c];
    }
  }
  return std::any_of(chunk_changed.begin(), chunk_changed.end(), [](char c) { return c != 0; });
}

/// |points.row(i) - centers.row(k)|^2 in the Scalar, summed feature by feature: the one
/// distance both the inertia and the empty-cluster relocation rank points by.
template <typename Points, typename Centers>
typename Points::Scalar squared_distance(const Points& points, Eigen::Index i,
                                         const Centers& centers, Eigen::Index k) {
  typename Points::Scalar squared = 0;
  for (Eigen::Index d = 0; d < points.cols(); ++d) {
    const typename Points::Scalar t = points(i, d) - centers(k, d);
    squared += t * t;
  }
  return squared;
}

/// Sum of (weighted) squared distances of the rows of X - offset to their labelled centers.
template <typename Scalar, int Dim>
double labelled_inertia(const RowSource<Scalar, Dim>& X, const Eigen::Matrix<Scalar, 1, Dim>& offset,
                        const Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>& centers,
                        const Eigen::VectorXi& labels) {
  using Block = Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>;
  const ChunkPlan plan = ChunkPlan::make(X.rows());
  std::vector<double> chunk_inertia(static_cast<std::size_t>(plan.n_chunks), 0.0);
  for_each_chunk(plan, [&](Eigen::Index chunk) {
    Block points;
    double total = 0.0;
    plan.for_each_block(chunk, [&](Eigen::Index start, Eigen::Index rows) {
      X.load(start, rows, points);
      points.rowwise() -= offset;
      for (Eigen::Index i = 0; i < rows; ++i) {
        total += X.weight(start + i) * double(squared_distance(points, i, centers, labels(start + i)));
      }
    });
    chunk_inertia[static_cast<std::size_t>(chunk)] = total;
  });
  return std::accumulate(chunk_inertia.begin(), chunk_inertia.end(), 0.0);
}

/// The `count` points (of positive weight) farthest from their labelled centers, farthest first
/// (ties: lower index first), as sorting all n distances would give, but keeping only `count`
/// per chunk.
template <typename Scalar, int Dim>
std::vector<Eigen::Index> farthest_points(const RowSource<Scalar, Dim>& X,
                                          const Eigen::Matrix<Scalar, 1, Dim>& offset,
                                          const Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>& centers,
                                          const Eigen::VectorXi& labels, Eigen::Index count) {
  using Block = Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>;
  using Candidate = std::pair<double, Eigen::Index>;
  // a before b when a is farther, or as far and earlier: a strict total order.
  const auto farther = [](const Candidate& a, const Candidate& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  };
  const auto keep = static_cast<std::size_t>(std::min(count, X.rows()));
  const ChunkPlan plan = ChunkPlan::make(X.rows());
  std::vector<std::vector<Candidate>> chunk_best(static_cast<std::size_t>(plan.n_chunks));
  for_each_chunk(plan, [&](Eigen::Index chunk) {
    std::vector<Candidate>& best = chunk_best[static_cast<std::size_t>(chunk)];
    best.reserve(keep + 1);
    Block points;
    plan.for_each_block(chunk, [&](Eigen::Index start, Eigen::Index rows) {
      X.load(start, rows, points);
      points.rowwise() -= offset;
      for (Eigen::Index i = 0; i < rows; ++i) {
        if (X.weight(start + i) == 0.0) continue;
        offer_top_k(best, Candidate(double(squared_distance(points, i, centers, labels(start + i))), start + i),
                    keep, farther);
      }
    });
  });
  std::vector<Candidate> all;
  for (const auto& best : chunk_best) all.insert(all.end(), best.begin(), best.end());
  std::sort(all.begin(), all.end(), farther);
  all.resize(std::min(all.size(), keep));
  std::vector<Eigen::Index> indices;
  for (const Candidate& c : all) indices.push_back(c.second);
  return indices;
}

/// One k-means run from `centers` (in offset coordinates). tol is already absolute.
template <typename Scalar, int Dim>
LloydResult<Scalar, Dim> lloyd(const RowSource<Scalar, Dim>& X,
                               const Eigen::Matrix<Scalar, 1, Dim>& offset,
                               Eigen::Matrix<Scalar, Eigen::Dynamic, Dim> centers, int max_iter,
                               double tol, int verbose) {
  const Eigen::Index n = X.rows();
  const Eigen::Index K = centers.rows();
  LloydResult<Scalar, Dim> result;
  result.labels = Eigen::VectorXi::Constant(n, -1);
  Eigen::MatrixXd sums;
  Eigen::VectorXd counts;
  bool strict_convergence = false;
  int iteration = 0;
  for (; iteration < max_iter; ++iteration) {
    const bool changed = assign_labels<Scalar, Dim>(X, offset, centers, result.labels, &sums, &counts);
    // Empty clusters take the points farthest from their current centers, in decreasing
    // order of distance (sklearn's _relocate_empty_clusters_dense).
    std::vector<Eigen::Index> empty;
    for (Eigen::Index k = 0; k < K; ++k) {
      if (counts(k) == 0.0) empty.push_back(k);
    }
    if (!empty.empty()) {
      const std::vector<Eigen::Index> order =
          farthest_points<Scalar, Dim>(X, offset, centers, result.labels, Eigen::Index(empty.size()));
      const auto n_far = static_cast<std::ptrdiff_t>(order.size());
      for (std::ptrdiff_t e = 0; e < n_far; ++e) {
        const Eigen::Index far = order[static_cast<std::size_t>(e)];
        const Eigen::Index new_cluster = empty[static_cast<std::size_t>(e)];
        const Eigen::Index old_cluster = result.labels(far);
        const double weight = X.weight(far);
        const Eigen::RowVectorXd point = (X.row(far) - offset).template cast<double>();
        sums.row(old_cluster) -= weight * point;
        counts(old_cluster) -= weight;
        sums.row(new_cluster) = weight * point;
        counts(new_cluster) = weight;
      }
    }
    Eigen::Matrix<Scalar, Eigen::Dynamic, Dim> new_centers = centers;
    for (Eigen::Index k = 0; k < K; ++k) {
      if (counts(k) > 0.0) new_centers.row(k) = (sums.row(k) / counts(k)).template cast<Scalar>();
    }
    const double center_shift =
        (new_centers - centers).template cast<double>().rowwise().squaredNorm().sum();
    centers.swap(new_centers);
    if (verbose > 0) {
      std::cout << "Iteration " << iteration << ", inertia "
                << labelled_inertia<Scalar, Dim>(X, offset, centers, result.labels) << ".\n";
    }
    if (iteration > 0 && !changed) {
      if (verbose > 0) std::cout << "Converged at iteration " << iteration << ": strict convergence.\n";
      strict_convergence = true;
      break;
    }
    if (center_shift <= tol) {
      if (verbose > 0) {
        std::cout << "Converged at iteration " << iteration << ": center shift " << center_shift
                  << " within tolerance " << tol << ".\n";
      }
      break;
    }
  }
  result.n_iter = std::min(iteration + 1, max_iter);
  if (!strict_convergence) {
    // Labels must match the final centers.
    assign_labels<Scalar, Dim>(X, offset, centers, result.labels, nullptr, nullptr);
  }
  result.inertia = labelled_inertia<Scalar, Dim>(X, offset, centers, result.labels);
  result.centers = std::move(centers);
  return result;
}

}  // namespace detail
}  // namespace emgmm

#endif  // EMGMM_DETAIL_LLOYD_HPP
