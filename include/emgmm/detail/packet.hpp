#ifndef EMGMM_DETAIL_PACKET_HPP
#define EMGMM_DETAIL_PACKET_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

// Eigen's SIMD packet of a Scalar on this build, for the hand-written kernels
// (diagonal_quadratic.hpp, vector_exp.hpp, log_sum_exp.hpp, row_source.hpp, ...). They are
// templates on Scalar and name the packet through these aliases.

#include <Eigen/Core>

namespace emgmm {
namespace detail {

template <typename Scalar>
using Packet = typename Eigen::internal::packet_traits<Scalar>::type;

/// Values per packet: the SIMD width of Scalar on this build (1 without vectorization).
template <typename Scalar>
constexpr Eigen::Index kPacketSize = Eigen::internal::packet_traits<Scalar>::size;

/// Packets of points a register-tiled kernel sweeps at once, against 4 columns (or centers):
/// with AVX-512's 32 registers 3 x 4 running sums, 3 loads and 4 broadcasts fit; with 16,
/// 2 x 4 do (triangular_quadratic.hpp, lloyd.hpp's nearest_panels).
#if defined(EIGEN_VECTORIZE_AVX512)
constexpr int kRegisterPanels = 3;
#else
constexpr int kRegisterPanels = 2;
#endif

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_PACKET_HPP
