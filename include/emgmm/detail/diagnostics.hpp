#ifndef EMGMM_DETAIL_DIAGNOSTICS_HPP
#define EMGMM_DETAIL_DIAGNOSTICS_HPP

// Known false-positive warnings silenced inside emgmm's own headers, and only there: every
// header opens with EMGMM_DIAGNOSTICS_PUSH and ends with EMGMM_DIAGNOSTICS_POP, so a
// consumer's own code keeps every warning it asked for.
//
// GCC 12 (bug 105593) warns "'__Y' may be used uninitialized" in its own AVX-512 intrinsics
// when they are inlined into Eigen's matrix kernels (-O2 -march=native), hundreds of times per
// translation unit, and at -O2/-O3 gives false -Warray-bounds and -Wuse-after-free on Eigen
// expressions of fixed size 1. GCC decides at the definition of the function it inlines
// into: the kernels Eigen instantiates for emgmm are covered when Eigen is first included
// through emgmm (include <emgmm/emgmm.hpp> before <Eigen/...>, or give Eigen's include
// directory as a system one, as CMake's Eigen3::Eigen target does). GCC also warns
// (-Wignored-attributes) wherever one of Eigen's packet types (__m512d and friends, vector
// types with attributes) is a class template's argument, as in the PacketBlock that
// row_source.hpp transposes with; the attributes are not needed there.

#if defined(__GNUC__) && !defined(__clang__)
#if __GNUC__ >= 12
#define EMGMM_DIAGNOSTICS_IGNORE_GCC12 _Pragma("GCC diagnostic ignored \"-Wuse-after-free\"")
#else
#define EMGMM_DIAGNOSTICS_IGNORE_GCC12
#endif
#define EMGMM_DIAGNOSTICS_PUSH                                                               \
  _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wmaybe-uninitialized\"") \
      _Pragma("GCC diagnostic ignored \"-Wuninitialized\"")                                  \
          _Pragma("GCC diagnostic ignored \"-Warray-bounds\"")                               \
              _Pragma("GCC diagnostic ignored \"-Wignored-attributes\"")                     \
                  EMGMM_DIAGNOSTICS_IGNORE_GCC12
#define EMGMM_DIAGNOSTICS_POP _Pragma("GCC diagnostic pop")
#else
#define EMGMM_DIAGNOSTICS_PUSH
#define EMGMM_DIAGNOSTICS_POP
#endif

// Unrolls the loop that follows (GCC and Clang; elsewhere a no-op). The packet kernels keep small
// arrays of accumulators in registers only if every loop over them is unrolled; GCC at -O2 does
// not unroll them on its own, and then stores the accumulators back to memory on every row.
#define EMGMM_PRAGMA(text) _Pragma(#text)
#if defined(__GNUC__)
#define EMGMM_UNROLL(n) EMGMM_PRAGMA(GCC unroll n)
#else
#define EMGMM_UNROLL(n)
#endif

#endif  // EMGMM_DETAIL_DIAGNOSTICS_HPP
