#ifndef EMGMM_DETAIL_SPECIAL_FUNCTIONS_HPP
#define EMGMM_DETAIL_SPECIAL_FUNCTIONS_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

// The digamma and log-gamma functions for positive arguments, which the variational mixture's
// expected log weights, Wishart terms and lower bound need (scipy.special's digamma, gammaln,
// betaln). Written here rather than taken from <cmath>: std::lgamma writes the global `signgam`
// in glibc, a data race when several threads fit models at once, and <cmath> has no digamma.
//
// Both shift the argument up to 10 by the recurrences psi(x) = psi(x + 1) - 1/x and
// log Gamma(x) = log Gamma(x + 1) - log x, then sum the asymptotic (Stirling) series through
// its x^-14 (x^-13) term, whose remainder is below 1e-16 there (Abramowitz & Stegun 6.3.18,
// 6.1.41): about 1e-15 relative, as scipy's.

#include <cmath>

namespace emgmm {
namespace detail {

/// psi(x) = d/dx log Gamma(x), for x > 0.
inline double digamma(double x) {
  double shift = 0.0;
  while (x < 10.0) {
    shift += 1.0 / x;
    x += 1.0;
  }
  const double inv = 1.0 / x;
  const double inv2 = inv * inv;
  // sum_n B_2n / (2n x^2n), n = 1..7
  const double series =
      inv2 * (1.0 / 12 -
              inv2 * (1.0 / 120 -
                      inv2 * (1.0 / 252 -
                              inv2 * (1.0 / 240 -
                                      inv2 * (1.0 / 132 - inv2 * (691.0 / 32760 - inv2 / 12.0))))));
  return std::log(x) - 0.5 * inv - series - shift;
}

/// log Gamma(x), for x > 0.
inline double log_gamma(double x) {
  double product = 1.0;  // x (x + 1) ... up to 10: at most 10 factors below 10, no overflow
  while (x < 10.0) {
    product *= x;
    x += 1.0;
  }
  const double inv = 1.0 / x;
  const double inv2 = inv * inv;
  // sum_n B_2n / (2n (2n - 1) x^(2n-1)), n = 1..7
  const double series =
      inv * (1.0 / 12 -
             inv2 * (1.0 / 360 -
                     inv2 * (1.0 / 1260 -
                             inv2 * (1.0 / 1680 - inv2 * (1.0 / 1188 - inv2 * (691.0 / 360360 -
                                                                               inv2 / 156.0))))));
  const double half_log_two_pi = 0.91893853320467274178;
  return (x - 0.5) * std::log(x) - x + half_log_two_pi + series - std::log(product);
}

/// log B(a, b) = log Gamma(a) + log Gamma(b) - log Gamma(a + b), for a, b > 0.
inline double log_beta(double a, double b) {
  return log_gamma(a) + log_gamma(b) - log_gamma(a + b);
}

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_SPECIAL_FUNCTIONS_HPP
