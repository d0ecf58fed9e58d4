#ifndef EMGMM_DETAIL_DIAGONAL_QUADRATIC_HPP
#define EMGMM_DETAIL_DIAGONAL_QUADRATIC_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

// The E-step's quadratic forms for diagonal and spherical covariances (and k-means++'s squared
// distances, with unit weights): out(i, k) = sum_d w_dk (x_id - c_dk)^2 for a column-major block
// of points (each feature's values contiguous, `stride` apart), vectorized along the points with
// Eigen's packet primitives. Every difference is x - c itself, never an expansion around
// another point, so the accuracy does not depend on how far the data lie from the origin or the
// components from each other. The sweep is bound by arithmetic: four components share each
// load of the points, and the sums stay in registers. The last rows that do not fill a packet
// go through the same packet code on a zero-padded copy, so a point's value never depends on
// where in a block it falls.

#include <algorithm>

#include <Eigen/Core>

#include "packet.hpp"

namespace emgmm {
namespace detail {

/// The quadratic forms q of Comps components (centers and weights `ldc` apart, each D
/// contiguous values) for Panels packets of points from row x: their sums over the features
/// stay in registers, and each packet of points is loaded once for all Comps components. With
/// `offsets`, out receives offsets[c] + scale q instead of q.
template <int Comps, int Panels, typename Scalar>
inline void diagonal_quadratic_panel(const Scalar* x, Eigen::Index stride, Eigen::Index D,
                                     const Scalar* centers, const Scalar* weights, Eigen::Index ldc,
                                     const Scalar* offsets, Scalar scale, Scalar* out,
                                     Eigen::Index ld_out) {
  namespace ei = Eigen::internal;
  using P = Packet<Scalar>;
  constexpr Eigen::Index kSize = kPacketSize<Scalar>;
  P sums[Comps][Panels];
  EMGMM_UNROLL(4)
  for (int c = 0; c < Comps; ++c) {
    EMGMM_UNROLL(2)
    for (int p = 0; p < Panels; ++p) sums[c][p] = ei::pset1<P>(Scalar(0));
  }
  for (Eigen::Index d = 0; d < D; ++d) {
    P points[Panels];
    EMGMM_UNROLL(2)
    for (int p = 0; p < Panels; ++p) points[p] = ei::ploadu<P>(x + d * stride + p * kSize);
    EMGMM_UNROLL(4)
    for (int c = 0; c < Comps; ++c) {
      const P center = ei::pset1<P>(centers[c * ldc + d]);
      const P weight = ei::pset1<P>(weights[c * ldc + d]);
      EMGMM_UNROLL(2)
      for (int p = 0; p < Panels; ++p) {
        const P t = ei::psub(points[p], center);
        sums[c][p] = ei::pmadd(ei::pmul(t, weight), t, sums[c][p]);
      }
    }
  }
  EMGMM_UNROLL(4)
  for (int c = 0; c < Comps; ++c) {
    EMGMM_UNROLL(2)
    for (int p = 0; p < Panels; ++p) {
      const P value = offsets ? ei::pmadd(ei::pset1<P>(scale), sums[c][p], ei::pset1<P>(offsets[c]))
                              : sums[c][p];
      ei::pstoreu(out + c * ld_out + p * kSize, value);
    }
  }
}

/// diagonal_quadratic for Comps (1 to 4) components.
template <int Comps, typename Scalar>
void diagonal_quadratic_rows(const Scalar* x, Eigen::Index stride, Eigen::Index rows,
                             Eigen::Index D, const Scalar* centers, const Scalar* weights,
                             Eigen::Index ldc, const Scalar* offsets, Scalar scale, Scalar* out,
                             Eigen::Index ld_out) {
  constexpr Eigen::Index kSize = kPacketSize<Scalar>;
  Eigen::Index i = 0;
  for (; i + 2 * kSize <= rows; i += 2 * kSize) {
    diagonal_quadratic_panel<Comps, 2>(x + i, stride, D, centers, weights, ldc, offsets, scale,
                                       out + i, ld_out);
  }
  for (; i + kSize <= rows; i += kSize) {
    diagonal_quadratic_panel<Comps, 1>(x + i, stride, D, centers, weights, ldc, offsets, scale,
                                       out + i, ld_out);
  }
  if (i == rows) return;
  // The last rows, padded with zeros to a packet.
  const Eigen::Index tail = rows - i;
  Eigen::Matrix<Scalar, kSize, Eigen::Dynamic> padded =
      Eigen::Matrix<Scalar, kSize, Eigen::Dynamic>::Zero(kSize, D);
  for (Eigen::Index d = 0; d < D; ++d)
    padded.col(d).head(tail) =
        Eigen::Map<const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>>(x + d * stride + i, tail);
  Eigen::Matrix<Scalar, kSize, Comps> padded_out;
  diagonal_quadratic_panel<Comps, 1>(padded.data(), kSize, D, centers, weights, ldc, offsets, scale,
                                     padded_out.data(), kSize);
  for (int c = 0; c < Comps; ++c) {
    Eigen::Map<Eigen::Matrix<Scalar, Eigen::Dynamic, 1>>(out + c * ld_out + i, tail) =
        padded_out.col(c).head(tail);
  }
}

/// out(i, k) = q_ik = sum_d weights(d, k) (x(i, d) - centers(d, k))^2 for `rows` points of a
/// column-major block x (`stride` apart) and K components whose centers and weights are D x K
/// column-major; out is rows x K, column-major with leading dimension ld_out. With `offsets`
/// (K values), out(i, k) = offsets(k) + scale q_ik instead: the E-step's log-densities
/// log_norm_k - q_ik / 2 without another pass over out.
template <typename Scalar>
void diagonal_quadratic(const Scalar* x, Eigen::Index stride, Eigen::Index rows, Eigen::Index D,
                        const Scalar* centers, const Scalar* weights, Eigen::Index K, Scalar* out,
                        Eigen::Index ld_out, const Scalar* offsets = nullptr,
                        Scalar scale = Scalar(1)) {
  for (Eigen::Index k = 0; k < K; k += 4) {
    const Scalar* c = centers + k * D;
    const Scalar* w = weights + k * D;
    Scalar* o = out + k * ld_out;
    const Scalar* f = offsets ? offsets + k : nullptr;
    switch (std::min<Eigen::Index>(4, K - k)) {
      case 4: diagonal_quadratic_rows<4>(x, stride, rows, D, c, w, D, f, scale, o, ld_out); break;
      case 3: diagonal_quadratic_rows<3>(x, stride, rows, D, c, w, D, f, scale, o, ld_out); break;
      case 2: diagonal_quadratic_rows<2>(x, stride, rows, D, c, w, D, f, scale, o, ld_out); break;
      default: diagonal_quadratic_rows<1>(x, stride, rows, D, c, w, D, f, scale, o, ld_out); break;
    }
  }
}

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_DIAGONAL_QUADRATIC_HPP
