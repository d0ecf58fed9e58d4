#ifndef EMGMM_DETAIL_LLOYD_HPP
#define EMGMM_DETAIL_LLOYD_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

// Lloyd's k-means iterations as scikit-learn's _kmeans_single_lloyd: assign every point to the
// nearest center, move empty clusters to the points farthest from their centers, average,
// stop on unchanged labels or when the squared center shift is within tol.
// With sample weights (X.weighted()) every sum, count and inertia is weighted, and points of
// weight 0 neither move a center, nor count for convergence, nor fill an empty cluster: they
// are as if dropped, but still get a label.

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <limits>
#include <numeric>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "e_step.hpp"
#include "packet.hpp"
#include "parallel.hpp"
#include "row_source.hpp"
#include "small_matrix.hpp"
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
                    const Eigen::Ref<const Eigen::VectorXi>& old_labels,
                    const Eigen::VectorXi& new_labels) {
  for (Eigen::Index i = 0; i < new_labels.size(); ++i) {
    if (old_labels(i) != new_labels(i) && (!X.weighted() || X.weight(start + i) != 0.0))
      return true;
  }
  return false;
}

/// Rows of X less the offset, shifted as they are read (no shifted copy of the block):
/// (i, d) is data[d * stride + i] - offset[d], the same Scalar subtraction a copy would make.
template <typename Scalar>
struct ShiftedRows {
  const Scalar* data;
  Eigen::Index stride;
  const Scalar* offset;

  template <typename View, typename Offset>
  ShiftedRows(const View& view, const Offset& offset_row)
      : data(view.data()), stride(view.outerStride()), offset(offset_row.data()) {}
  Scalar operator()(Eigen::Index i, Eigen::Index d) const {
    return data[d * stride + i] - offset[d];
  }
};

/// |x_rows.row(i) - centers.row(k)|^2 in the Scalar, summed feature by feature: the one
/// distance both the inertia and the empty-cluster relocation rank points by.
template <typename Scalar, typename Centers>
Scalar squared_distance(const ShiftedRows<Scalar>& x_rows, Eigen::Index i, const Centers& centers,
                        Eigen::Index k) {
  Scalar squared = 0;
  for (Eigen::Index d = 0; d < centers.cols(); ++d) {
    const Scalar t = x_rows(i, d) - centers(k, d);
    squared += t * t;
  }
  return squared;
}

/// `total` plus w_i |x_rows.row(i) - centers.row(labels(i))|^2 for the rows [start, start +
/// rows) of X, whose labels are `labels` (rows of them), added one by one: a running inertia
/// carried through a block. (Returned, not updated in place, so that it stays in a register.)
template <typename Scalar, int Dim, typename Centers, typename Labels>
double add_block_inertia(double total, const RowSource<Scalar, Dim>& X, Eigen::Index start,
                         Eigen::Index rows, const ShiftedRows<Scalar>& x_rows,
                         const Centers& centers, const Labels& labels) {
  for (Eigen::Index i = 0; i < rows; ++i) {
    total += X.weight(start + i) * double(squared_distance(x_rows, i, centers, labels(i)));
  }
  return total;
}

/// Row packets a panel of nearest_centers' distance kernel keeps in registers (see
/// kRegisterPanels), and centers per panel.
constexpr int kNearestPanels = kRegisterPanels;
constexpr int kNearestCenters = 4;

/// The running argmin of nearest_centers over `P` packets of rows starting at `data`
/// (column-major, leading dimension ld, less `offset` as they are read: the same Scalar
/// subtraction as ShiftedRows) for centers [k, k + J): each distance
/// sum_d x_d (-2 c_kd) + |c_k|^2 formed in registers in the order of d, then compared with
/// the best so far (strictly: the first of equals wins, and a NaN never does).
template <int P, int J, typename Packet, typename Scalar>
EIGEN_STRONG_INLINE void nearest_panel(const Scalar* data, Eigen::Index ld, const Scalar* offset,
                                       Eigen::Index D, const Scalar* minus_two_centers,
                                       const Scalar* norms, Eigen::Index k, Packet* best,
                                       Packet* label) {
  namespace ei = Eigen::internal;
  constexpr Eigen::Index kLanes = ei::unpacket_traits<Packet>::size;
  Packet acc[P][J];
  for (int p = 0; p < P; ++p) {
    for (int j = 0; j < J; ++j) acc[p][j] = ei::pset1<Packet>(Scalar(0));
  }
  const Scalar* c = minus_two_centers + k * D;  // column k of the D x K matrix
  for (Eigen::Index d = 0; d < D; ++d) {
    const Packet shift = ei::pset1<Packet>(offset[d]);
    Packet x[P];
    for (int p = 0; p < P; ++p)
      x[p] = ei::psub(ei::ploadu<Packet>(data + d * ld + p * kLanes), shift);
    for (int j = 0; j < J; ++j) {
      const Packet cj = ei::pset1<Packet>(c[j * D + d]);
      for (int p = 0; p < P; ++p) acc[p][j] = ei::pmadd(x[p], cj, acc[p][j]);
    }
  }
  for (int j = 0; j < J; ++j) {
    const Packet norm = ei::pset1<Packet>(norms[k + j]);
    const Packet index = ei::pset1<Packet>(Scalar(k + j));
    for (int p = 0; p < P; ++p) {
      const Packet distance = ei::padd(acc[p][j], norm);
      if (k + j == 0) {
        best[p] = distance;
        label[p] = index;
      } else {
        const Packet closer = ei::pcmp_lt(distance, best[p]);
        best[p] = ei::pselect(closer, distance, best[p]);
        label[p] = ei::pselect(closer, index, label[p]);
      }
    }
  }
}

/// nearest_centers' labels for P packets of rows at `data` (less `offset`), all K centers,
/// written as Scalars to label_values. The points are read from where they lie, once per 4
/// centers: the first read brings a block into cache, and the subtraction is free beside the
/// multiply-adds, where a shifted copy of the block cost a pass of its own.
template <int P, typename Packet, typename Scalar>
EIGEN_STRONG_INLINE void nearest_panels(const Scalar* data, Eigen::Index ld, const Scalar* offset,
                                        Eigen::Index D, Eigen::Index K,
                                        const Scalar* minus_two_centers, const Scalar* norms,
                                        Scalar* label_values) {
  namespace ei = Eigen::internal;
  constexpr Eigen::Index kLanes = ei::unpacket_traits<Packet>::size;
  Packet best[P], label[P];
  Eigen::Index k = 0;
  for (; k + kNearestCenters <= K; k += kNearestCenters)
    nearest_panel<P, kNearestCenters>(data, ld, offset, D, minus_two_centers, norms, k, best,
                                      label);
  switch (K - k) {
    case 3:
      nearest_panel<P, 3>(data, ld, offset, D, minus_two_centers, norms, k, best, label);
      break;
    case 2:
      nearest_panel<P, 2>(data, ld, offset, D, minus_two_centers, norms, k, best, label);
      break;
    case 1:
      nearest_panel<P, 1>(data, ld, offset, D, minus_two_centers, norms, k, best, label);
      break;
    default: break;
  }
  for (int p = 0; p < P; ++p) ei::pstoreu(label_values + p * kLanes, label[p]);
}

/// Whether nearest_centers forms the distances of D features to K centers by nearest_panels:
/// with more than kSmallDepth features, and labels a Scalar counts exactly (up to 2^digits
/// clusters: 16.7 million in float). Without vectorization a packet is one Scalar.
template <typename Scalar>
bool uses_nearest_panels(Eigen::Index D, Eigen::Index K) {
  return D > kSmallDepth && K <= (Eigen::Index(1) << std::numeric_limits<Scalar>::digits);
}

/// |c_k|^2 for every center (row) k, as nearest_centers takes them: row by row, so that equal
/// centers get equal norms (rowwise() may vectorize some rows and not others) and a tie goes
/// to the first of them.
template <typename Scalar, int Dim>
Eigen::Matrix<Scalar, Eigen::Dynamic, 1> squared_center_norms(
    const Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>& centers) {
  Eigen::Matrix<Scalar, Eigen::Dynamic, 1> norms(centers.rows());
  for (Eigen::Index k = 0; k < centers.rows(); ++k) norms(k) = centers.row(k).squaredNorm();
  return norms;
}

/// labels(i) = the first k with the smallest |c_k|^2 - 2 x_i.c_k (np.argmin) for the `rows`
/// rows x_i of `x`; `minus_two_centers` is D x K; `distances` and `label_values` are scratch.
/// Branch-free and vectorized along the points with Eigen's packet primitives: with mixed
/// clusters a compare-and-branch per center mispredicts half the time. With few features
/// (D <= kSmallDepth) the distances are formed in registers, in the order multiply_tall forms
/// them, and never stored; with more, by panels of rows and centers (nearest_panels), or where
/// those do not apply (see uses_nearest_panels) from multiply_tall (a matrix product) of
/// `points`, the same rows as a block, which is read only then.
template <typename Scalar, int Dim>
void nearest_centers(const ShiftedRows<Scalar>& x_rows, Eigen::Index rows,
                     const Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>& points,
                     const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& minus_two_centers,
                     const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>& center_norms,
                     Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& distances,
                     Eigen::Array<Scalar, Eigen::Dynamic, 1>& label_values,
                     Eigen::VectorXi& labels) {
  namespace ei = Eigen::internal;
  using Packet = typename ei::packet_traits<Scalar>::type;
  constexpr Eigen::Index kLanes = ei::packet_traits<Scalar>::size;
  const Eigen::Index D = minus_two_centers.rows();
  const Eigen::Index K = minus_two_centers.cols();
  const bool in_registers = D <= kSmallDepth;
  const bool panels = uses_nearest_panels<Scalar>(D, K);
  Eigen::Index panel_rows = 0;
  if (panels) {
    label_values.resize(rows);
    constexpr Eigen::Index kPanelRows = kNearestPanels * kLanes;
    for (; panel_rows + kPanelRows <= rows; panel_rows += kPanelRows) {
      nearest_panels<kNearestPanels, Packet>(x_rows.data + panel_rows, x_rows.stride, x_rows.offset,
                                             D, K, minus_two_centers.data(), center_norms.data(),
                                             label_values.data() + panel_rows);
    }
    if (kNearestPanels > 2 && panel_rows + 2 * kLanes <= rows) {
      nearest_panels<2, Packet>(x_rows.data + panel_rows, x_rows.stride, x_rows.offset, D, K,
                                minus_two_centers.data(), center_norms.data(),
                                label_values.data() + panel_rows);
      panel_rows += 2 * kLanes;
    }
    for (; panel_rows + kLanes <= rows; panel_rows += kLanes) {
      nearest_panels<1, Packet>(x_rows.data + panel_rows, x_rows.stride, x_rows.offset, D, K,
                                minus_two_centers.data(), center_norms.data(),
                                label_values.data() + panel_rows);
    }
    if (panel_rows < rows) {
      // The last rows through a padded packet: every row's distances are formed the same way
      // wherever it lies in the block. (The padding's labels are not used.)
      const Eigen::Index tail = rows - panel_rows;
      Eigen::Matrix<Scalar, kLanes, Dim> padded =
          Eigen::Matrix<Scalar, kLanes, Dim>::Zero(kLanes, D);
      for (Eigen::Index d = 0; d < D; ++d) {
        for (Eigen::Index r = 0; r < tail; ++r)
          padded(r, d) = x_rows.data[d * x_rows.stride + panel_rows + r];
      }
      Eigen::Matrix<Scalar, kLanes, 1> padded_labels;
      nearest_panels<1, Packet>(padded.data(), kLanes, x_rows.offset, D, K,
                                minus_two_centers.data(), center_norms.data(),
                                padded_labels.data());
      label_values.tail(tail) = padded_labels.head(tail).array();
      panel_rows = rows;
    }
  }
  if (!in_registers && panel_rows < rows) {
    multiply_tall(points.bottomRows(rows - panel_rows), minus_two_centers, distances);
    for (Eigen::Index k = 0; k < K; ++k) distances.col(k).array() += center_norms(k);
  }
  // The distance of rows [i, i + kLanes) to center k.
  const auto distance = [&](Eigen::Index i, Eigen::Index k, const Packet* x) {
    if (!in_registers) return ei::ploadu<Packet>(distances.col(k).data() + (i - panel_rows));
    Packet t = ei::pmul(x[0], ei::pset1<Packet>(minus_two_centers(0, k)));
    for (Eigen::Index d = 1; d < D; ++d)
      t = ei::padd(t, ei::pmul(x[d], ei::pset1<Packet>(minus_two_centers(d, k))));
    return ei::padd(t, ei::pset1<Packet>(center_norms(k)));
  };
  // The rows that do not fill a packet (all of them without vectorization), one by one, the
  // same way.
  const auto nearest_one = [&](Eigen::Index i) {
    const auto scalar_distance = [&](Eigen::Index k) {
      if (!in_registers) return distances(i - panel_rows, k);
      Scalar t = x_rows(i, 0) * minus_two_centers(0, k);
      for (Eigen::Index d = 1; d < D; ++d) t = t + x_rows(i, d) * minus_two_centers(d, k);
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
  Eigen::Index i = panel_rows;
  if (kLanes > 1) {
    Packet x[kSmallDepth];
    for (; i + kLanes <= rows; i += kLanes) {
      if (in_registers) {
        for (Eigen::Index d = 0; d < D; ++d) {
          x[d] = ei::psub(ei::ploadu<Packet>(x_rows.data + d * x_rows.stride + i),
                          ei::pset1<Packet>(x_rows.offset[d]));
        }
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

/// The (weighted) sum of the points of each label, their total weight and how many of them
/// have positive weight, as of the labels last assigned. Lloyd keeps it across passes: after
/// the first, a pass moves only the points whose label changed (a few percent, fewer each
/// pass) instead of adding up all n again, the one scatter left in a pass.
/// The members count is exact, so a cluster that lost all its points is exactly empty (sum
/// and weight 0), not a remainder of rounding. (Plain loops: a non-template struct's Eigen
/// expressions would be compiled by every file that includes emgmm, see missing.hpp.)
struct ClusterSums {
  Eigen::MatrixXd sums;                                    ///< K x D
  Eigen::VectorXd counts;                                  ///< K, total weight
  Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1> members;  ///< K, points of positive weight

  bool empty() const { return counts.size() == 0; }
  void set_zero(Eigen::Index K, Eigen::Index D) {
    sums.resize(K, D);
    counts.resize(K);
    members.resize(K);
    std::fill_n(sums.data(), sums.size(), 0.0);
    std::fill_n(counts.data(), K, 0.0);
    std::fill_n(members.data(), K, std::int64_t{0});
  }
  ClusterSums& operator+=(const ClusterSums& other) {
    add_to(sums.data(), other.sums.data(), sums.size());
    add_to(counts.data(), other.counts.data(), counts.size());
    add_to(members.data(), other.members.data(), members.size());
    return *this;
  }
};

/// Assigns each row of X - offset to its nearest center (smallest |c|^2 - 2 x.c, as sklearn),
/// writing labels; returns whether the label of any point (of positive weight) changed.
/// With `running`, also brings its per-cluster sums up to date with the new labels: summed
/// afresh when it is empty (the first pass), else moved point by point where a label changed.
/// With `inertia`, also sums the (weighted) squared distances of the points to their new
/// centers, as labelled_inertia would, in the same pass.
/// Either way per chunk in a fixed order, so the result does not depend on the thread count.
template <typename Scalar, int Dim>
bool assign_labels(const RowSource<Scalar, Dim>& X, const Eigen::Matrix<Scalar, 1, Dim>& offset,
                   const Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>& centers,
                   Eigen::VectorXi& labels, ClusterSums* running, double* inertia = nullptr) {
  using Block = Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>;
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  const Eigen::Index K = centers.rows();
  const Eigen::Index D = centers.cols();
  const bool afresh = running && running->empty();
  const Eigen::Matrix<Scalar, Eigen::Dynamic, 1> center_norms = squared_center_norms(centers);
  const Matrix minus_two_centers = Scalar(-2) * centers.transpose();  // D x K
  const ChunkPlan plan = ChunkPlan::make(X.rows(), kBlockRows, 8.0 * double(K) * double(D + 2));
  std::vector<ClusterSums> chunk_sums(static_cast<std::size_t>(running ? plan.n_chunks : 0));
  std::vector<char> chunk_changed(static_cast<std::size_t>(plan.n_chunks), 0);
  std::vector<double> chunk_inertia(static_cast<std::size_t>(plan.n_chunks), 0.0);
  for_each_chunk(plan, [&](Eigen::Index chunk) {
    Block loaded, points;  // X's rows when not read in place; shifted, for a matrix product
    Matrix distances;
    Eigen::Array<Scalar, Eigen::Dynamic, 1> label_values;
    Eigen::VectorXi block_labels;
    ClusterSums local;
    Eigen::VectorXd interleaved_sums, interleaved_counts;  // 4 K x D and 4 K
    if (running) local.set_zero(K, D);
    if (afresh) {
      interleaved_sums.setZero(4 * K * D);
      interleaved_counts.setZero(4 * K);
    }
    bool changed = false;
    plan.for_each_block(chunk, [&](Eigen::Index start, Eigen::Index rows) {
      const auto view = X.view(start, rows, loaded);
      const ShiftedRows<Scalar> x_rows(view, offset);
      if (D > kSmallDepth && !uses_nearest_panels<Scalar>(D, K)) {
        // The matrix product needs the shifted block itself. Column by column: Eigen does not
        // vectorize rowwise() on a column-major block.
        points.resize(rows, D);
        for (Eigen::Index d = 0; d < D; ++d)
          points.col(d).array() = view.col(d).array() - offset(d);
      }
      nearest_centers(x_rows, rows, points, minus_two_centers, center_norms, distances,
                      label_values, block_labels);
      if (inertia) {
        double& total = chunk_inertia[static_cast<std::size_t>(chunk)];
        total = add_block_inertia(total, X, start, rows, x_rows, centers, block_labels);
      }
      auto labels_here = labels.segment(start, rows);
      if (afresh && X.weighted()) {
        const auto w = X.weights(start, rows);
        for (Eigen::Index d = 0; d < D; ++d) {
          double* sum = interleaved_sums.data() + 4 * K * d;
          for (Eigen::Index i = 0; i < rows; ++i)
            sum[4 * block_labels(i) + (i & 3)] += w(i) * double(x_rows(i, d));
        }
        for (Eigen::Index i = 0; i < rows; ++i) {
          interleaved_counts(4 * block_labels(i) + (i & 3)) += w(i);
          if (w(i) != 0.0) ++local.members(block_labels(i));
        }
        changed = changed || labels_changed(X, start, labels_here, block_labels);
        labels_here = block_labels;
      } else if (afresh) {
        // Scattered additions into four interleaved partial sums, so that runs of points in
        // the same cluster do not wait on each other's additions. (Not K masked sums: GCC 12
        // at -O3 with AVX2 or AVX-512 vectorizes `s += label == k ? x : 0` into wrong sums.)
        for (Eigen::Index d = 0; d < D; ++d) {
          double* sum = interleaved_sums.data() + 4 * K * d;
          for (Eigen::Index i = 0; i < rows; ++i)
            sum[4 * block_labels(i) + (i & 3)] += double(x_rows(i, d));
        }
        for (Eigen::Index i = 0; i < rows; ++i)
          interleaved_counts(4 * block_labels(i) + (i & 3)) += 1.0;
        for (Eigen::Index i = 0; i < rows; ++i) ++local.members(block_labels(i));
        changed = changed || labels_changed(X, start, labels_here, block_labels);
        labels_here = block_labels;
      } else if (!running) {
        if (!changed) changed = labels_changed(X, start, labels_here, block_labels);
        labels_here = block_labels;
      } else {
        // Only the points whose label changed (and that weigh something) move, from the old
        // cluster's sums to the new one's, and only their labels are written. Runs of eight
        // unchanged labels are skipped after one vectorized test.
        const int* from_labels = labels_here.data();
        const int* to_labels = block_labels.data();
        for (Eigen::Index run = 0; run < rows; run += 8) {
          const Eigen::Index run_end = std::min(run + 8, rows);
          int differ = 0;
          for (Eigen::Index i = run; i < run_end; ++i) differ |= from_labels[i] ^ to_labels[i];
          if (differ == 0) continue;
          for (Eigen::Index i = run; i < run_end; ++i) {
            const int from = from_labels[i];
            const int to = to_labels[i];
            if (from == to) continue;
            labels_here(i) = to;
            const double weight = X.weight(start + i);
            if (weight == 0.0) continue;
            changed = true;
            for (Eigen::Index d = 0; d < D; ++d) {
              const double x = weight * double(x_rows(i, d));
              local.sums(from, d) -= x;
              local.sums(to, d) += x;
            }
            local.counts(from) -= weight;
            local.counts(to) += weight;
            --local.members(from);
            ++local.members(to);
          }
        }
      }
    });
    if (afresh) {
      for (Eigen::Index k = 0; k < K; ++k) {
        for (Eigen::Index d = 0; d < D; ++d) {
          const double* sum = interleaved_sums.data() + 4 * K * d + 4 * k;
          local.sums(k, d) = (sum[0] + sum[1]) + (sum[2] + sum[3]);
        }
        const double* count = interleaved_counts.data() + 4 * k;
        local.counts(k) = (count[0] + count[1]) + (count[2] + count[3]);
      }
    }
    chunk_changed[static_cast<std::size_t>(chunk)] = changed;
    if (running) chunk_sums[static_cast<std::size_t>(chunk)] = std::move(local);
  });
  if (running) {
    if (afresh) running->set_zero(K, D);
    for (const ClusterSums& local : chunk_sums) *running += local;
    for (Eigen::Index k = 0; k < K; ++k) {
      if (running->members(k) == 0) {
        running->sums.row(k).setZero();
        running->counts(k) = 0.0;
      }
    }
  }
  if (inertia) *inertia = std::accumulate(chunk_inertia.begin(), chunk_inertia.end(), 0.0);
  return std::any_of(chunk_changed.begin(), chunk_changed.end(), [](char c) { return c != 0; });
}

/// Sum of (weighted) squared distances of the rows of X - offset to their labelled centers.
template <typename Scalar, int Dim>
double labelled_inertia(const RowSource<Scalar, Dim>& X,
                        const Eigen::Matrix<Scalar, 1, Dim>& offset,
                        const Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>& centers,
                        const Eigen::VectorXi& labels) {
  using Block = Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>;
  const ChunkPlan plan = ChunkPlan::make(X.rows());
  std::vector<double> chunk_inertia(static_cast<std::size_t>(plan.n_chunks), 0.0);
  for_each_chunk(plan, [&](Eigen::Index chunk) {
    Block loaded;
    double total = 0.0;
    plan.for_each_block(chunk, [&](Eigen::Index start, Eigen::Index rows) {
      const ShiftedRows<Scalar> x_rows(X.view(start, rows, loaded), offset);
      total =
          add_block_inertia(total, X, start, rows, x_rows, centers, labels.segment(start, rows));
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
    Block loaded;
    plan.for_each_block(chunk, [&](Eigen::Index start, Eigen::Index rows) {
      const ShiftedRows<Scalar> x_rows(X.view(start, rows, loaded), offset);
      for (Eigen::Index i = 0; i < rows; ++i) {
        if (X.weight(start + i) == 0.0) continue;
        offer_top_k(
            best,
            Candidate(double(squared_distance(x_rows, i, centers, labels(start + i))), start + i),
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
  ClusterSums by_label;  // of result.labels, kept up to date pass by pass
  bool strict_convergence = false;
  int iteration = 0;
  for (; iteration < max_iter; ++iteration) {
    const bool changed = assign_labels<Scalar, Dim>(X, offset, centers, result.labels, &by_label);
    // The relocation below changes the centers' sums, not the labels: work on a copy.
    Eigen::MatrixXd sums = by_label.sums;
    Eigen::VectorXd counts = by_label.counts;
    // Empty clusters take the points farthest from their current centers, in decreasing
    // order of distance (sklearn's _relocate_empty_clusters_dense).
    std::vector<Eigen::Index> empty;
    for (Eigen::Index k = 0; k < K; ++k) {
      if (counts(k) == 0.0) empty.push_back(k);
    }
    if (!empty.empty()) {
      const std::vector<Eigen::Index> order = farthest_points<Scalar, Dim>(
          X, offset, centers, result.labels, Eigen::Index(empty.size()));
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
      if (verbose > 0)
        std::cout << "Converged at iteration " << iteration << ": strict convergence.\n";
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
  if (strict_convergence) {
    result.inertia = labelled_inertia<Scalar, Dim>(X, offset, centers, result.labels);
  } else {
    // Labels must match the final centers; the inertia comes in the same pass.
    assign_labels<Scalar, Dim>(X, offset, centers, result.labels, nullptr, &result.inertia);
  }
  result.centers = std::move(centers);
  return result;
}

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_LLOYD_HPP
