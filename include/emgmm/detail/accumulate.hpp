#ifndef EMGMM_DETAIL_ACCUMULATE_HPP
#define EMGMM_DETAIL_ACCUMULATE_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

// What a pass over the data gathers beside its E-step: the sufficient statistics accumulated
// block by block from points and their responsibilities (accumulate, on weighted_moments'
// column sweeps), and the points the model explains worst (WorstPoints, for
// reseed_collapsed_components). The M-step (m_step.hpp) turns the statistics into a model.

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "../covariance_type.hpp"
#include "../sufficient_statistics.hpp"
#include "e_step.hpp"
#include "packet.hpp"
#include "top_k.hpp"

namespace emgmm {
namespace detail {

/// For Comps components k and Cols consecutive columns c of a column-major block x (leading
/// dimension `stride`, n rows), with component k's responsibilities at r + k r_stride and its
/// center at center + k ld (Cols values), and its sums going to first + k ld and second + k ld:
/// first(c) = sum_i r(i) (x(i, c) - center(c)), second(c) = sum_i r(i) (x(i, c) - center(c))^2.
/// One sweep gives all 2 Comps Cols sums, each kept in a cache line's worth of independent lanes
/// (as wide as any SIMD register; the order of the additions depends only on n, never on
/// threads or on Comps and Cols) and added up at the end; the components share the loads of x,
/// the columns those of r.
template <int Cols, int Comps, typename Scalar>
void weighted_moments(const Scalar* x, Eigen::Index stride, const Scalar* r, Eigen::Index r_stride,
                      Eigen::Index n, const Scalar* center, Eigen::Index ld, Scalar* first,
                      Scalar* second) {
  constexpr int kLanes = 64 / static_cast<int>(sizeof(Scalar));
  using Lanes = Eigen::Array<Scalar, kLanes, 1>;
  Lanes first_lanes[Comps][Cols];
  Lanes second_lanes[Comps][Cols];
  // Every loop over the columns and components is unrolled: indexed by a variable, the lanes
  // would live in memory, and GCC (at -O2) would store them back on every row.
  EMGMM_UNROLL(4)
  for (int k = 0; k < Comps; ++k) {
    EMGMM_UNROLL(4)
    for (int c = 0; c < Cols; ++c) {
      first_lanes[k][c].setZero();
      second_lanes[k][c].setZero();
    }
  }
  Eigen::Index i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    Lanes points[Cols];
    EMGMM_UNROLL(4)
    for (int c = 0; c < Cols; ++c) points[c] = Eigen::Map<const Lanes>(x + c * stride + i);
    EMGMM_UNROLL(4)
    for (int k = 0; k < Comps; ++k) {
      const Lanes weight = Eigen::Map<const Lanes>(r + k * r_stride + i);
      EMGMM_UNROLL(4)
      for (int c = 0; c < Cols; ++c) {
        const Lanes t = points[c] - center[k * ld + c];
        const Lanes rt = weight * t;
        first_lanes[k][c] += rt;
        second_lanes[k][c] += rt * t;
      }
    }
  }
  EMGMM_UNROLL(4)
  for (int k = 0; k < Comps; ++k) {
    EMGMM_UNROLL(4)
    for (int c = 0; c < Cols; ++c) {
      Scalar first_tail = 0, second_tail = 0;
      for (Eigen::Index j = i; j < n; ++j) {
        const Scalar t = x[c * stride + j] - center[k * ld + c];
        first_tail += r[k * r_stride + j] * t;
        second_tail += r[k * r_stride + j] * t * t;
      }
      first[k * ld + c] = first_lanes[k][c].sum() + first_tail;
      second[k * ld + c] = second_lanes[k][c].sum() + second_tail;
    }
  }
}

/// weighted_moments of Comps components (starting at k) over all D columns of a block: Cols
/// columns per sweep, the last ones one at a time. centers, first and second are D x K.
template <int Cols, int Comps, typename Scalar>
void weighted_moments_of_components(const Scalar* x, Eigen::Index stride, Eigen::Index n,
                                    Eigen::Index D, const Scalar* r, Eigen::Index r_stride,
                                    Eigen::Index k, const Scalar* centers, Scalar* first,
                                    Scalar* second) {
  const Eigen::Index at = k * D;
  Eigen::Index d = 0;
  for (; d + Cols <= D; d += Cols) {
    weighted_moments<Cols, Comps>(x + d * stride, stride, r + k * r_stride, r_stride, n,
                                  centers + at + d, D, first + at + d, second + at + d);
  }
  for (; d < D; ++d) {
    weighted_moments<1, Comps>(x + d * stride, stride, r + k * r_stride, r_stride, n,
                               centers + at + d, D, first + at + d, second + at + d);
  }
}

/// Pairs of columns per register tile of weighted_scatter: with AVX-512's 32 registers 4 x 4
/// running sums, 4 weighted differences and their 4 sums fit; with 16, 2 x 2 do.
#if defined(EIGEN_VECTORIZE_AVX512)
constexpr int kScatterTile = 4;
#else
constexpr int kScatterTile = 2;
#endif

/// For a tile of kScatterTile columns a of w and kScatterTile columns b of d (each column
/// `packets` whole packets long, columns ld apart): out(a, b) = sum_i w(i, a) d(i, b), in
/// column-major kScatterTile x kScatterTile out, each sum kept in a packet of lanes over the
/// rows and added up at the end. A Diagonal tile (the same columns) fills only its lower
/// triangle and also gives first(a) = sum_i w(i, a).
template <bool Diagonal, typename Scalar>
inline void weighted_scatter_tile(const Scalar* w, const Scalar* d, Eigen::Index ld,
                                  Eigen::Index packets, Scalar* out, Scalar* first) {
  namespace ei = Eigen::internal;
  using P = Packet<Scalar>;
  constexpr Eigen::Index kSize = kPacketSize<Scalar>;
  constexpr int kTile = kScatterTile;
  P sums[kTile][kTile];
  P first_sums[kTile];
  EMGMM_UNROLL(4)
  for (int a = 0; a < kTile; ++a) {
    first_sums[a] = ei::pset1<P>(Scalar(0));
    EMGMM_UNROLL(4)
    for (int b = 0; b < kTile; ++b) sums[a][b] = ei::pset1<P>(Scalar(0));
  }
  for (Eigen::Index i = 0; i < packets * kSize; i += kSize) {
    P weighted[kTile];
    EMGMM_UNROLL(4)
    for (int a = 0; a < kTile; ++a) weighted[a] = ei::ploadu<P>(w + a * ld + i);
    EMGMM_UNROLL(4)
    for (int b = 0; b < kTile; ++b) {
      const P diff = ei::ploadu<P>(d + b * ld + i);
      EMGMM_UNROLL(4)
      for (int a = Diagonal ? b : 0; a < kTile; ++a)
        sums[a][b] = ei::pmadd(weighted[a], diff, sums[a][b]);
    }
    if (Diagonal) {
      EMGMM_UNROLL(4)
      for (int a = 0; a < kTile; ++a) first_sums[a] = ei::padd(first_sums[a], weighted[a]);
    }
  }
  EMGMM_UNROLL(4)
  for (int b = 0; b < kTile; ++b) {
    EMGMM_UNROLL(4)
    for (int a = Diagonal ? b : 0; a < kTile; ++a) out[b * kTile + a] = ei::predux(sums[a][b]);
  }
  if (Diagonal) {
    EMGMM_UNROLL(4)
    for (int a = 0; a < kTile; ++a) first[a] = ei::predux(first_sums[a]);
  }
}

/// Up to this many features weighted_scatter gives the full and tied M-step sums; beyond, the
/// blocks are short (block_rows_for) and adding up 16 lane packets per tile costs more than a
/// symmetric rank update's packing. Measured (AVX-512, double, block_rows_for with K = 8):
/// 1.3-1.5x faster than the rank update at D = 16 to 32, 1.1-1.25x at 48, even at 56 to 64.
constexpr Eigen::Index kScatterMaxDepth = 48;

/// Columns of weighted_scatter's work arrays: D rounded up to whole tiles.
inline Eigen::Index weighted_scatter_width(Eigen::Index D) {
  return (D + kScatterTile - 1) / kScatterTile * kScatterTile;
}

/// Rows of weighted_scatter's work arrays: rows rounded up to whole packets.
template <typename Scalar>
Eigen::Index weighted_scatter_height(Eigen::Index rows) {
  return (rows + kPacketSize<Scalar> - 1) / kPacketSize<Scalar> * kPacketSize<Scalar>;
}

/// first = sum_i r_i (x_i - center) and the lower triangle of
/// scatter = sum_i r_i (x_i - center)(x_i - center)^T for `rows` points of a column-major
/// block x (`stride` apart) of D features, D x D column-major scatter. `work` is resized to
/// hold d = x - center and w = r d, both zero-padded to whole packets and tiles: padded rows
/// and columns add exact zeros, so the sums are those of the points alone, in lanes whose
/// order depends only on the row count. Tile by tile, the sums stay in registers along all
/// the rows, each load of w and d shared by a tile's column pairs: the lower triangle only,
/// with no packing, where a symmetric rank update would pack the block and do more.
template <typename Scalar>
void weighted_scatter(const Scalar* x, Eigen::Index stride, Eigen::Index rows, Eigen::Index D,
                      const Scalar* center, const Scalar* r,
                      Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& work, Scalar* first,
                      Scalar* scatter) {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
  constexpr int kTile = kScatterTile;
  const Eigen::Index width = weighted_scatter_width(D);
  const Eigen::Index height = weighted_scatter_height<Scalar>(rows);
  work.resize(height, 2 * width);
  auto d = work.leftCols(width);
  auto w = work.rightCols(width);
  const Eigen::Map<const Matrix, 0, Eigen::OuterStride<>> points(x, rows, D,
                                                                 Eigen::OuterStride<>(stride));
  const Eigen::Map<const Vector> weights(r, rows);
  d.setZero();
  w.setZero();
  for (Eigen::Index a = 0; a < D; ++a) {
    d.col(a).head(rows) = points.col(a).array() - center[a];
    w.col(a).head(rows) = weights.cwiseProduct(d.col(a).head(rows));
  }
  const Eigen::Index packets = height / kPacketSize<Scalar>;
  Eigen::Matrix<Scalar, kTile, kTile> tile;
  Eigen::Matrix<Scalar, kTile, 1> tile_first;
  for (Eigen::Index a = 0; a < width; a += kTile) {
    for (Eigen::Index b = 0; b < a; b += kTile) {
      weighted_scatter_tile<false>(w.col(a).data(), d.col(b).data(), height, packets, tile.data(),
                                   tile_first.data());
      for (Eigen::Index t = 0; t < kTile && b + t < D; ++t) {
        for (Eigen::Index s = 0; s < kTile && a + s < D; ++s)
          scatter[(b + t) * D + a + s] = tile(s, t);
      }
    }
    weighted_scatter_tile<true>(w.col(a).data(), d.col(a).data(), height, packets, tile.data(),
                                tile_first.data());
    for (Eigen::Index t = 0; t < kTile && a + t < D; ++t) {
      first[a + t] = tile_first(t);
      for (Eigen::Index s = t; s < kTile && a + s < D; ++s)
        scatter[(a + t) * D + a + s] = tile(s, t);
    }
  }
}

/// The points worst explained by a model: up to `capacity` pairs (log p(x), row), lowest
/// log p(x) first, ties broken by the lower row. That is a strict total order, so the kept set
/// does not depend on how the rows were cut into chunks, nor on the number of threads.
struct WorstPoints {
  using Entry = std::pair<double, Eigen::Index>;
  Eigen::Index capacity = 0;
  std::vector<Entry> entries;  // a heap (top_k.hpp): ranked() lists them in order

  static bool worse(const Entry& a, const Entry& b) {
    return a.first < b.first || (a.first == b.first && a.second < b.second);
  }
  void offer(double log_prob, Eigen::Index row) {
    offer_top_k(entries, Entry(log_prob, row), static_cast<std::size_t>(capacity), worse);
  }
  /// The kept points, worst first: the order in which collapsed components take them.
  std::vector<Entry> ranked() const {
    std::vector<Entry> sorted = entries;
    std::sort(sorted.begin(), sorted.end(), worse);
    return sorted;
  }
};

/// Adds to `stats` a block of points with their responsibilities R (rows x K), about
/// `reference` (K x D), each component about its own reference mean. With sample weights, R
/// holds w_i r_ik and `weight` is sum_i w_i; unweighted, `weight` is the number of rows.
template <typename Scalar, int Dim>
void accumulate(SufficientStatistics& stats, const BlockView<Scalar, Dim>& points,
                const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& R,
                const Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>& reference,
                BlockWork<Scalar, Dim>& work, double weight) {
  using Square = Eigen::Matrix<Scalar, Dim, Dim>;
  using RowPoint = Eigen::Matrix<Scalar, 1, Dim>;
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  const Eigen::Index K = R.cols();
  const Eigen::Index D = points.cols();
  const Eigen::Index rows = points.rows();
  const Eigen::Index stride = points.outerStride();
  stats.resp_sum += R.colwise().sum().transpose().template cast<double>();
  stats.n_samples += weight;
  const bool diagonal = stats.covariance_type == CovarianceType::diag ||
                        stats.covariance_type == CovarianceType::spherical;
  if (diagonal) {
    // Sweeps along the points give both sums without a centered copy of the block. With
    // AVX-512's 32 registers, four components share each load of the points (two columns at a
    // time); with 16, one component takes four columns.
#if defined(EIGEN_VECTORIZE_AVX512)
    constexpr int kComps = 4, kCols = 2;
#else
    constexpr int kComps = 1, kCols = 4;
#endif
    using Columns = Eigen::Matrix<Scalar, Dim, Eigen::Dynamic>;  // D x K
    const Columns centers = reference.transpose();
    Columns first(D, K), second(D, K);
    const Scalar* x = points.data();
    Eigen::Index k = 0;
    for (; k + kComps <= K; k += kComps) {
      weighted_moments_of_components<kCols, kComps>(x, stride, rows, D, R.data(), R.rows(), k,
                                                    centers.data(), first.data(), second.data());
    }
    for (; k < K; ++k) {
      weighted_moments_of_components<4, 1>(x, stride, rows, D, R.data(), R.rows(), k,
                                           centers.data(), first.data(), second.data());
    }
    stats.resp_diff_sum += first.transpose().template cast<double>();
    stats.scatter += second.transpose().template cast<double>();
    return;
  }
  // Lower triangle only: the upper one is never written nor read.
  Square block_scatter = Square::Zero(D, D);
  RowPoint first = RowPoint::Zero(D);
  for (Eigen::Index k = 0; k < K; ++k) {
    const RowPoint center = reference.row(k);
    if (D <= kScatterMaxDepth) {
      weighted_scatter(points.data(), stride, rows, D, center.data(), R.col(k).data(), work.product,
                       first.data(), block_scatter.data());
    } else {
      // sum r (x-m)(x-m)^T = A^T A with A = diag(sqrt r) (x - m): a symmetric rank update,
      // through a dynamic-size view (with Dim = 1 diff's type is a vector, and Eigen would
      // take the vector rank-update path).
      const auto r = R.col(k);
      work.diff.noalias() = points.rowwise() - center;
      first.noalias() = r.transpose() * work.diff;
      work.diff.array().colwise() *= r.array().sqrt();
      block_scatter.setZero();
      const Eigen::Map<const Matrix> scaled(work.diff.data(), rows, D);
      block_scatter.template selfadjointView<Eigen::Lower>().rankUpdate(scaled.transpose());
    }
    stats.resp_diff_sum.row(k) += first.template cast<double>();
    if (stats.covariance_type == CovarianceType::full) {
      stats.scatter.middleRows(k * D, D).template triangularView<Eigen::Lower>() +=
          block_scatter.template cast<double>();
    } else {
      stats.scatter.template triangularView<Eigen::Lower>() +=
          block_scatter.template cast<double>();
    }
  }
}

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_ACCUMULATE_HPP
