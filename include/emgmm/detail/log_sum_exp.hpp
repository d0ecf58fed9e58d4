#ifndef EMGMM_DETAIL_LOG_SUM_EXP_HPP
#define EMGMM_DETAIL_LOG_SUM_EXP_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

#include <cmath>
#include <limits>
#include <vector>

#include <Eigen/Core>

#include "vector_exp.hpp"

namespace emgmm {
namespace detail {

/// One column of normalize_log_rows: column(i) = e_i = exp(column(i) - m(i)), flushed to 0
/// below the smallest normal number; sums(i) += e_i; with resp_log_resp, it also adds
/// e_i (column(i) - m(i)) where e_i > 0. Every value goes through the same packet code (the
/// last rows through a padded packet), so a point's result does not depend on where in a
/// block it falls.
///
/// Responsibilities below the smallest normal number become exactly 0. A vectorized exp clamps
/// its argument, so far below -708 (double) or -87 (float) it returns a denormal (SSE) or 0
/// (AVX-512) where the true value is 0; those denormals gave a component that lost every point a
/// covariance made of rounding noise instead of the 0 (+ reg_covar) sklearn computes, and so a
/// "fit" with reg_covar = 0 where sklearn reports the collapsed component.
template <typename Scalar>
void exp_shifted_column(Scalar* column, const Scalar* m, Eigen::Index rows, Scalar* sums,
                        Scalar* resp_log_resp) {
  namespace ei = Eigen::internal;
  using P = Packet<Scalar>;
  constexpr Eigen::Index kSize = kPacketSize<Scalar>;
  const P smallest = ei::pset1<P>(std::numeric_limits<Scalar>::min());
  const P zero = ei::pset1<P>(Scalar(0));
  const auto packet = [&](Scalar* c, const Scalar* shift, Scalar* sum, Scalar* rlr) {
    const P shifted = ei::psub(ei::ploadu<P>(c), ei::ploadu<P>(shift));
    P e = exp_nonpositive<Scalar>(shifted);
    e = ei::pandnot(e, ei::pcmp_lt(e, smallest));  // NaN stays NaN
    ei::pstoreu(c, e);
    ei::pstoreu(sum, ei::padd(ei::ploadu<P>(sum), e));
    // sum_k e (L - m), 0 where e is flushed to 0 (there L - m may be -inf).
    if (rlr) {
      ei::pstoreu(
          rlr, ei::padd(ei::ploadu<P>(rlr), ei::pand(ei::pmul(e, shifted), ei::pcmp_lt(zero, e))));
    }
  };
  Eigen::Index i = 0;
  for (; i + kSize <= rows; i += kSize) {
    packet(column + i, m + i, sums + i, resp_log_resp ? resp_log_resp + i : nullptr);
  }
  if (i == rows) return;
  Scalar c[kSize], shift[kSize], sum[kSize], rlr[kSize];
  for (Eigen::Index j = 0; j < kSize; ++j) {
    const bool inside = i + j < rows;
    c[j] = inside ? column[i + j] : Scalar(0);
    shift[j] = inside ? m[i + j] : Scalar(0);
    sum[j] = inside ? sums[i + j] : Scalar(0);
    rlr[j] = inside && resp_log_resp ? resp_log_resp[i + j] : Scalar(0);
  }
  packet(c, shift, sum, resp_log_resp ? rlr : nullptr);
  for (Eigen::Index j = 0; i + j < rows; ++j) {
    column[i + j] = c[j];
    sums[i + j] = sum[j];
    if (resp_log_resp) resp_log_resp[i + j] = rlr[j];
  }
}

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
  Eigen::Array<Scalar, Eigen::Dynamic, 1> sums =
      Eigen::Array<Scalar, Eigen::Dynamic, 1>::Zero(rows);
  if (resp_log_resp) resp_log_resp->setZero(rows);
  for (Eigen::Index k = 0; k < K; ++k) {
    exp_shifted_column(L.col(k).data(), log_norm.data(), rows, sums.data(),
                       resp_log_resp ? resp_log_resp->data() : nullptr);
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
