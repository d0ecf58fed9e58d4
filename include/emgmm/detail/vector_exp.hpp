#ifndef EMGMM_DETAIL_VECTOR_EXP_HPP
#define EMGMM_DETAIL_VECTOR_EXP_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

// exp of a packet of non-positive numbers, for the responsibilities exp(L - max L) of
// log_sum_exp.hpp. Eigen's vectorized exp of double is a rational approximation whose
// division (vdivpd) makes it cost about four cycles per value: as much as the whole E-step of a
// diagonal model with D = 8. Here, for double on x86 (SSE2, AVX2, AVX-512):
//   n = round(x / ln 2), r = x - n ln 2 (ln 2 in two parts, so n ln 2 is exact), |r| <= 0.35;
//   exp(r) by its Taylor polynomial of degree 13 (the first term left out is below 6e-18);
//   2^n put together from the bits of the rounding's magic sum, one integer shift.
// Error within 1 ulp of the true value where the result is normal; below -709 (and for -inf)
// the result is 0, NaN stays NaN. float, and double on other instruction sets, use
// Eigen's pexp (for float it has no division).

#include <type_traits>

#include <Eigen/Core>

#include "packet.hpp"

namespace emgmm {
namespace detail {

/// Where the argument is clamped. exp(-708.396...) is the smallest normal double; from there
/// down to here the result is subnormal (which the caller flushes to 0), and here n = -1023,
/// whose power of two put together from the bits is exactly 0: -inf and every argument below
/// give 0. (One step further, n = -1024 would wrap around into the sign and exponent bits.)
constexpr double kExpFloor = -709.0;

// 2^n from t = magic + n, where magic = 1.5 * 2^52 + 1023: the integer in t's low mantissa
// bits, shifted into the exponent field, is the biased exponent n + 1023. One overload per
// instruction set with a 64-bit integer shift of double's packet; EMGMM_FAST_EXP_DOUBLE says
// whether this build has one (AVX without AVX2 has not).
#if defined(EIGEN_VECTORIZE_AVX512)
#define EMGMM_FAST_EXP_DOUBLE 1
inline Eigen::internal::Packet8d exponent_bits_to_power(const Eigen::internal::Packet8d& t) {
  return _mm512_castsi512_pd(_mm512_slli_epi64(_mm512_castpd_si512(t), 52));
}
#elif defined(EIGEN_VECTORIZE_AVX2)
#define EMGMM_FAST_EXP_DOUBLE 1
inline Eigen::internal::Packet4d exponent_bits_to_power(const Eigen::internal::Packet4d& t) {
  return _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_castpd_si256(t), 52));
}
#elif defined(EIGEN_VECTORIZE_SSE2) && !defined(EIGEN_VECTORIZE_AVX)
#define EMGMM_FAST_EXP_DOUBLE 1
inline Eigen::internal::Packet2d exponent_bits_to_power(const Eigen::internal::Packet2d& t) {
  return _mm_castsi128_pd(_mm_slli_epi64(_mm_castpd_si128(t), 52));
}
#else
#define EMGMM_FAST_EXP_DOUBLE 0
#endif

/// exp(x) for x <= 0 (or -inf, or NaN) of a packet of Scalar; see the file comment.
template <typename Scalar>
Packet<Scalar> exp_nonpositive(const Packet<Scalar>& x) {
  namespace ei = Eigen::internal;
  if constexpr (!std::is_same<Scalar, double>::value || !EMGMM_FAST_EXP_DOUBLE) {
    return ei::pexp(x);
  } else {
    using P = Packet<Scalar>;
    const P clamped = ei::pmax(x, ei::pset1<P>(kExpFloor));  // -inf -> floor
    const P magic = ei::pset1<P>(6755399441055744.0 + 1023.0);
    const P t = ei::pmadd(clamped, ei::pset1<P>(1.4426950408889634074), magic);
    const P n = ei::psub(t, magic);
    // ln 2 in two parts, the first with 21 significant bits, so that n times it is exact.
    P r = ei::pmadd(n, ei::pset1<P>(-0.693145751953125), clamped);
    r = ei::pmadd(n, ei::pset1<P>(-1.42860682030941723212e-6), r);
    // 1 + r + r^2/2! + ... + r^13/13! as 1 + (r + r^2 E(r)), E by Estrin's scheme: six
    // operations deep instead of Horner's thirteen, so that the packets of a column overlap in
    // the pipeline, and the 1 added last, so that the rounding of the rest stays below it.
    const auto c = [](double value) { return ei::pset1<P>(value); };
    const P r2 = ei::pmul(r, r);
    const P r4 = ei::pmul(r2, r2);
    const P r8 = ei::pmul(r4, r4);
    const P p0 = ei::pmadd(c(1.0 / 6.0), r, c(0.5));
    const P p1 = ei::pmadd(c(1.0 / 120.0), r, c(1.0 / 24.0));
    const P p2 = ei::pmadd(c(1.0 / 5040.0), r, c(1.0 / 720.0));
    const P p3 = ei::pmadd(c(1.0 / 362880.0), r, c(1.0 / 40320.0));
    const P p4 = ei::pmadd(c(1.0 / 39916800.0), r, c(1.0 / 3628800.0));
    const P p5 = ei::pmadd(c(1.0 / 6227020800.0), r, c(1.0 / 479001600.0));
    const P e0 = ei::pmadd(p1, r2, p0);
    const P e1 = ei::pmadd(p3, r2, p2);
    const P e2 = ei::pmadd(p5, r2, p4);
    const P tail = ei::pmadd(e2, r8, ei::pmadd(e1, r4, e0));
    const P p = ei::padd(c(1.0), ei::pmadd(r2, tail, r));
    const P result = ei::pmul(p, exponent_bits_to_power(t));
    // pmax returned the floor for NaN on some instruction sets: NaN must stay NaN.
    return ei::pselect(ei::pcmp_eq(x, x), result, x);
  }
}

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_VECTOR_EXP_HPP
