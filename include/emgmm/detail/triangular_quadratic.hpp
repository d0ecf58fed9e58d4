#ifndef EMGMM_DETAIL_TRIANGULAR_QUADRATIC_HPP
#define EMGMM_DETAIL_TRIANGULAR_QUADRATIC_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

// The E-step's quadratic forms for full and tied covariances: out(i, k) = |(x_i - mu_k) P_k|^2,
// P_k the upper-triangular Cholesky factor of component k's precision (cov^-1 = P P^T,
// scikit-learn's precisions_cholesky_). Column j of the product (x - mu) P takes only the first
// j + 1 differences, so the triangle costs half the multiply-adds of a general product, and
// nothing is packed: for Panels packets of points (consecutive rows of a column-major block),
// the differences x - mu are written once to a buffer that stays in L1, then Cols columns of
// the product at a time are summed in registers, each factor entry broadcast and shared by
// the packets, and squared into the form. The rows that do not fill a packet go through the
// same packet code on a zero-padded copy, so a point's value never depends on where in a
// block it falls.

#include <Eigen/Core>

#include "packet.hpp"

namespace emgmm {
namespace detail {

/// Adds to q[p] the squares of product columns j0 .. j0 + Cols - 1 of Panels packets of
/// points, whose differences are in `diff` (difference i of packet p at (i Panels + p) kSize).
/// factor is column-major with leading dimension ld; only its upper triangle is read.
template <int Cols, int Panels, typename Scalar>
inline void triangular_columns(const Scalar* diff, const Scalar* factor, Eigen::Index ld,
                               Eigen::Index j0, Packet<Scalar>* q) {
  namespace ei = Eigen::internal;
  using P = Packet<Scalar>;
  constexpr Eigen::Index kSize = kPacketSize<Scalar>;
  const Scalar* column = factor + j0 * ld;
  P y[Cols][Panels];
  EMGMM_UNROLL(8)
  for (int c = 0; c < Cols; ++c) {
    EMGMM_UNROLL(4)
    for (int p = 0; p < Panels; ++p) y[c][p] = ei::pset1<P>(Scalar(0));
  }
  // The differences above the columns' diagonal block enter every column.
  for (Eigen::Index i = 0; i < j0; ++i) {
    P d[Panels];
    EMGMM_UNROLL(4)
    for (int p = 0; p < Panels; ++p) d[p] = ei::ploadu<P>(diff + (i * Panels + p) * kSize);
    EMGMM_UNROLL(8)
    for (int c = 0; c < Cols; ++c) {
      const P f = ei::pset1<P>(column[c * ld + i]);
      EMGMM_UNROLL(4)
      for (int p = 0; p < Panels; ++p) y[c][p] = ei::pmadd(d[p], f, y[c][p]);
    }
  }
  // The diagonal block: column j0 + c takes differences j0 .. j0 + c, never the factor's
  // lower triangle, so what is stored there does not matter.
  EMGMM_UNROLL(8)
  for (int t = 0; t < Cols; ++t) {
    P d[Panels];
    EMGMM_UNROLL(4)
    for (int p = 0; p < Panels; ++p) d[p] = ei::ploadu<P>(diff + ((j0 + t) * Panels + p) * kSize);
    EMGMM_UNROLL(8)
    for (int c = t; c < Cols; ++c) {
      const P f = ei::pset1<P>(column[c * ld + j0 + t]);
      EMGMM_UNROLL(4)
      for (int p = 0; p < Panels; ++p) y[c][p] = ei::pmadd(d[p], f, y[c][p]);
    }
  }
  EMGMM_UNROLL(8)
  for (int c = 0; c < Cols; ++c) {
    EMGMM_UNROLL(4)
    for (int p = 0; p < Panels; ++p) q[p] = ei::pmadd(y[c][p], y[c][p], q[p]);
  }
}

/// The quadratic forms of Panels packets of points from row x (features `stride` apart) about
/// `mean` (D values) with `factor` (D x D, leading dimension ld), to out. `diff` is scratch for
/// D Panels packets.
template <int Cols, int Panels, typename Scalar>
inline void triangular_quadratic_panel(const Scalar* x, Eigen::Index stride, Eigen::Index D,
                                       const Scalar* mean, const Scalar* factor, Eigen::Index ld,
                                       Scalar* diff, Scalar* out) {
  namespace ei = Eigen::internal;
  using P = Packet<Scalar>;
  constexpr Eigen::Index kSize = kPacketSize<Scalar>;
  for (Eigen::Index i = 0; i < D; ++i) {
    const P m = ei::pset1<P>(mean[i]);
    EMGMM_UNROLL(4)
    for (int p = 0; p < Panels; ++p) {
      ei::pstoreu(diff + (i * Panels + p) * kSize,
                  ei::psub(ei::ploadu<P>(x + i * stride + p * kSize), m));
    }
  }
  P q[Panels];
  EMGMM_UNROLL(4)
  for (int p = 0; p < Panels; ++p) q[p] = ei::pset1<P>(Scalar(0));
  Eigen::Index j = 0;
  for (; j + Cols <= D; j += Cols) triangular_columns<Cols, Panels>(diff, factor, ld, j, q);
  for (; j < D; ++j) triangular_columns<1, Panels>(diff, factor, ld, j, q);
  EMGMM_UNROLL(4)
  for (int p = 0; p < Panels; ++p) ei::pstoreu(out + p * kSize, q[p]);
}

/// Packets of points per sweep and product columns per register tile (see kRegisterPanels).
constexpr int kTriangularPanels = kRegisterPanels;
constexpr int kTriangularCols = 4;

/// The forms of all `rows` points about one mean with one factor; diff is scratch for D
/// kTriangularPanels packets.
template <typename Scalar>
void triangular_quadratic_rows(const Scalar* x, Eigen::Index stride, Eigen::Index rows,
                               Eigen::Index D, const Scalar* mean, const Scalar* factor,
                               Eigen::Index ld, Scalar* diff, Scalar* out) {
  constexpr int kPanels = kTriangularPanels, kCols = kTriangularCols;
  constexpr Eigen::Index kSize = kPacketSize<Scalar>;
  Eigen::Index i = 0;
  for (; i + kPanels * kSize <= rows; i += kPanels * kSize) {
    triangular_quadratic_panel<kCols, kPanels>(x + i, stride, D, mean, factor, ld, diff, out + i);
  }
  for (; i + kSize <= rows; i += kSize) {
    triangular_quadratic_panel<kCols, 1>(x + i, stride, D, mean, factor, ld, diff, out + i);
  }
  if (i == rows) return;
  // The last rows, padded with zeros to a packet.
  const Eigen::Index tail = rows - i;
  Eigen::Matrix<Scalar, kSize, Eigen::Dynamic> padded =
      Eigen::Matrix<Scalar, kSize, Eigen::Dynamic>::Zero(kSize, D);
  for (Eigen::Index d = 0; d < D; ++d)
    padded.col(d).head(tail) =
        Eigen::Map<const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>>(x + d * stride + i, tail);
  Eigen::Matrix<Scalar, kSize, 1> padded_out;
  triangular_quadratic_panel<kCols, 1>(padded.data(), kSize, D, mean, factor, ld, diff,
                                       padded_out.data());
  Eigen::Map<Eigen::Matrix<Scalar, Eigen::Dynamic, 1>>(out + i, tail) = padded_out.head(tail);
}

/// out(i, k) = |(x_i - mean_k) P_k|^2 for `rows` points of a column-major block x (`stride`
/// apart) and K components: the means are D x K column-major, the factors D x D upper
/// triangular side by side (P_k in columns k D .. k D + D - 1; with `shared_factor`, tied
/// covariance, all components take the first). out is rows x K, column-major with leading
/// dimension ld_out. An x - mu beyond the largest Scalar gives inf or NaN, as a product would.
template <typename Scalar>
void triangular_quadratic(const Scalar* x, Eigen::Index stride, Eigen::Index rows, Eigen::Index D,
                          const Scalar* means, const Scalar* factors, bool shared_factor,
                          Eigen::Index K, Scalar* out, Eigen::Index ld_out) {
  Eigen::Matrix<Scalar, Eigen::Dynamic, 1> diff(D * kTriangularPanels * kPacketSize<Scalar>);
  for (Eigen::Index k = 0; k < K; ++k) {
    const Scalar* factor = factors + (shared_factor ? 0 : k * D * D);
    triangular_quadratic_rows(x, stride, rows, D, means + k * D, factor, D, diff.data(),
                              out + k * ld_out);
  }
}

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_TRIANGULAR_QUADRATIC_HPP
