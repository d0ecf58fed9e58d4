#ifndef EMGMM_DETAIL_LOG_SUM_EXP_HPP
#define EMGMM_DETAIL_LOG_SUM_EXP_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

#include <cmath>
#include <limits>
#include <vector>

#include <Eigen/Core>

namespace emgmm {
namespace detail {

/// For each row i of the weighted log-probabilities L (rows x K): log_norm(i) = log sum_k
/// exp(L(i, k)), computed as m + log sum exp(L - m) with m the row maximum so nothing
/// overflows. L is replaced by the responsibilities exp(L - log_norm). A row whose every entry
/// is -inf (a point no component can explain) gets log_norm = -inf and all its responsibility
/// on its most likely component (the first), never NaN.
/// With `resp_log_resp`, it also gets sum_k r_ik log r_ik of every row (BayesianGaussianMixture's
/// lower bound), as sum_k e_ik (L_ik - m_i) / s_i - log s_i with e = exp(L - m), s = sum_k e:
/// K multiply-adds on values already at hand rather than K logarithms, and no cancellation, L
/// being taken relative to its row maximum m.
template <typename Scalar>
void normalize_log_rows(Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& L,
                        Eigen::Matrix<Scalar, Eigen::Dynamic, 1>& log_norm,
                        Eigen::Matrix<Scalar, Eigen::Dynamic, 1>* resp_log_resp = nullptr) {
  // Column sweeps throughout: L is column-major, so each is vectorized along the points and
  // L is read and written twice in all (once for the exponentials, once to scale them).
  const Eigen::Index rows = L.rows();
  const Eigen::Index K = L.cols();
  log_norm = L.col(0);
  for (Eigen::Index k = 1; k < K; ++k) log_norm = log_norm.cwiseMax(L.col(k));
  // Rows whose maximum is -inf are remembered and patched at the end: the vectorized exp of
  // -inf is a tiny denormal rather than 0, so their sums cannot be trusted to be zero.
  const Scalar minus_inf = -std::numeric_limits<Scalar>::infinity();
  std::vector<Eigen::Index> unexplained;
  for (Eigen::Index i = 0; i < rows; ++i) {
    if (log_norm(i) == minus_inf) {
      unexplained.push_back(i);
      log_norm(i) = Scalar(0);  // placeholder so the vectorized lines below stay finite
    }
  }
  // Responsibilities below the smallest normal number become exactly 0. Eigen's vectorized exp
  // clamps its argument, so far below -708 (double) or -87 (float) it returns a denormal (SSE)
  // or 0 (AVX-512) where the true value is 0; those denormals gave a component that lost every
  // point a covariance made of rounding noise instead of the 0 (+ reg_covar) sklearn computes,
  // and so a "fit" with reg_covar = 0 where sklearn reports the collapsed component.
  const Scalar smallest = std::numeric_limits<Scalar>::min();
  Eigen::Array<Scalar, Eigen::Dynamic, 1> sums =
      Eigen::Array<Scalar, Eigen::Dynamic, 1>::Zero(rows);
  Eigen::Array<Scalar, Eigen::Dynamic, 1> shifted;
  if (resp_log_resp) resp_log_resp->setZero(rows);
  for (Eigen::Index k = 0; k < K; ++k) {
    auto column = L.col(k).array();
    shifted = column - log_norm.array();
    column = shifted.exp();
    column = (column < smallest).select(Scalar(0), column);
    sums += column;
    // sum_k e (L - m), 0 where e is flushed to 0 (there L - m may be -inf).
    if (resp_log_resp)
      resp_log_resp->array() += (column > Scalar(0)).select(column * shifted, Scalar(0));
  }
  const Eigen::Array<Scalar, Eigen::Dynamic, 1> log_sums = sums.log();
  log_norm.array() += log_sums;
  sums = sums.inverse();  // one division per point, not per responsibility
  for (Eigen::Index k = 0; k < K; ++k) L.col(k).array() *= sums;
  if (resp_log_resp) resp_log_resp->array() = resp_log_resp->array() * sums - log_sums;
  for (const Eigen::Index i : unexplained) {
    log_norm(i) = minus_inf;
    L.row(i).setZero();
    L(i, 0) = Scalar(1);
    if (resp_log_resp) (*resp_log_resp)(i) = Scalar(0);
  }
}

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_LOG_SUM_EXP_HPP
