#ifndef EMGMM_DETAIL_LLOYD_HPP
#define EMGMM_DETAIL_LLOYD_HPP

// Lloyd's k-means iterations as scikit-learn's _kmeans_single_lloyd: assign every point to the
// nearest center, move empty clusters to the points farthest from their centers, average,
// stop on unchanged labels or when the squared center shift is within tol.

#include <algorithm>
#include <iostream>
#include <numeric>
#include <vector>

#include <Eigen/Core>

#include "parallel.hpp"
#include "row_source.hpp"

namespace emgmm {
namespace detail {

template <typename Scalar, int Dim>
struct LloydResult {
  Eigen::Matrix<Scalar, Eigen::Dynamic, Dim> centers;  ///< in the offset coordinates
  Eigen::VectorXi labels;
  double inertia = 0.0;
  int n_iter = 0;
};

/// Assigns each row of X - offset to its nearest center (smallest |c|^2 - 2 x.c, as sklearn),
/// writing labels; returns, per chunk in order, the per-cluster sums and counts, and whether
/// any label changed.
template <typename Scalar, int Dim>
bool assign_labels(const RowSource<Scalar, Dim>& X, const Eigen::Matrix<Scalar, 1, Dim>& offset,
                   const Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>& centers,
                   Eigen::VectorXi& labels, Eigen::MatrixXd* sums, Eigen::VectorXd* counts) {
  using Block = Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>;
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  const Eigen::Index K = centers.rows();
  const Eigen::Index D = centers.cols();
  const Eigen::Matrix<Scalar, Eigen::Dynamic, 1> center_norms = centers.rowwise().squaredNorm();
  const ChunkPlan plan = ChunkPlan::make(X.rows(), kBlockRows, 8.0 * double(K) * double(D + 1));
  std::vector<Eigen::MatrixXd> chunk_sums(static_cast<std::size_t>(plan.n_chunks));
  std::vector<Eigen::VectorXd> chunk_counts(static_cast<std::size_t>(plan.n_chunks));
  std::vector<char> chunk_changed(static_cast<std::size_t>(plan.n_chunks), 0);
  for_each_chunk(plan, [&](Eigen::Index chunk) {
    Block points;
    Matrix distances;
    Eigen::MatrixXd local_sums;
    Eigen::VectorXd local_counts;
    if (sums) local_sums.setZero(K, D), local_counts.setZero(K);
    bool changed = false;
    plan.for_each_block(chunk, [&](Eigen::Index start, Eigen::Index rows) {
      X.load(start, rows, points);
      points.rowwise() -= offset;
      distances.noalias() = Scalar(-2) * points * centers.transpose();
      distances.rowwise() += center_norms.transpose();
      for (Eigen::Index i = 0; i < rows; ++i) {
        Eigen::Index best = 0;
        distances.row(i).minCoeff(&best);
        const int label = static_cast<int>(best);
        if (labels(start + i) != label) changed = true;
        labels(start + i) = label;
        if (sums) {
          local_sums.row(best) += points.row(i).template cast<double>();
          local_counts(best) += 1.0;
        }
      }
    });
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

/// Sum of squared distances of the rows of X - offset to their labelled centers; with
/// `per_point`, also each point's own squared distance.
template <typename Scalar, int Dim>
double labelled_inertia(const RowSource<Scalar, Dim>& X, const Eigen::Matrix<Scalar, 1, Dim>& offset,
                        const Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>& centers,
                        const Eigen::VectorXi& labels, Eigen::VectorXd* per_point = nullptr) {
  using Block = Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>;
  const ChunkPlan plan = ChunkPlan::make(X.rows());
  std::vector<double> chunk_inertia(static_cast<std::size_t>(plan.n_chunks), 0.0);
  if (per_point) per_point->resize(X.rows());
  for_each_chunk(plan, [&](Eigen::Index chunk) {
    Block points;
    double total = 0.0;
    plan.for_each_block(chunk, [&](Eigen::Index start, Eigen::Index rows) {
      X.load(start, rows, points);
      points.rowwise() -= offset;
      for (Eigen::Index i = 0; i < rows; ++i) {
        const double d2 = double((points.row(i) - centers.row(labels(start + i))).squaredNorm());
        if (per_point) (*per_point)(start + i) = d2;
        total += d2;
      }
    });
    chunk_inertia[static_cast<std::size_t>(chunk)] = total;
  });
  return std::accumulate(chunk_inertia.begin(), chunk_inertia.end(), 0.0);
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
      Eigen::VectorXd distances;
      labelled_inertia<Scalar, Dim>(X, offset, centers, result.labels, &distances);
      std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
      std::iota(order.begin(), order.end(), Eigen::Index{0});
      const auto n_far = static_cast<std::ptrdiff_t>(std::min<std::size_t>(empty.size(), order.size()));
      std::partial_sort(order.begin(), order.begin() + n_far, order.end(),
                        [&](Eigen::Index a, Eigen::Index b) {
                          return distances(a) > distances(b) || (distances(a) == distances(b) && a < b);
                        });
      for (std::ptrdiff_t e = 0; e < n_far; ++e) {
        const Eigen::Index far = order[static_cast<std::size_t>(e)];
        const Eigen::Index new_cluster = empty[static_cast<std::size_t>(e)];
        const Eigen::Index old_cluster = result.labels(far);
        const Eigen::RowVectorXd point = (X.row(far) - offset).template cast<double>();
        sums.row(old_cluster) -= point;
        counts(old_cluster) -= 1.0;
        sums.row(new_cluster) = point;
        counts(new_cluster) = 1.0;
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
