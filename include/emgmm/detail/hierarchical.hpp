#ifndef EMGMM_DETAIL_HIERARCHICAL_HPP
#define EMGMM_DETAIL_HIERARCHICAL_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

// mclust's default initialization: model-based agglomerative hierarchical clustering with VVV
// merges (Banfield & Raftery 1993; Fraley 1998, "Algorithms for model-based Gaussian
// hierarchical clustering"), on the data transformed as mclust >= 5.4 does by default
// (mclust.options("hcUse") = "SVD"), as R's hc(X, modelName = "VVV", use = "SVD") with
// alpha = beta = 1 and no initial partition, which is how mclustBIC() calls it.
//
// The transform (mclust's hc, use = "SVD"): each column centred and divided by its standard
// deviation (n - 1 divisor; a constant column is dropped, as mclust drops the non-finite columns
// this gives), then Z = Xs V diag(1 / sqrt(d)) for the SVD Xs = U diag(d) V^T. The criterion is
// invariant to the signs and order of V's columns, so V and d come from the eigen-decomposition
// of Xs^T Xs (d = sqrt of its eigenvalues).
//
// The criterion (mclust's hcvvv and vvvtij): a group C of l points with scatter matrix W
// (sum of outer products of deviations from its mean) and tr = trace(W) costs
//   term(C) = l log(beta (tr + alpha) / l)                       when l <= p (or W is singular)
//   term(C) = l log(det(W / l) + beta (tr + alpha) / l)          otherwise,
// where alpha = trace of the scatter of Z / sqrt(n p) (at least machine epsilon); a singleton
// costs log(alpha beta). Each step merges the pair of groups whose merge changes the total
// least, term(A u B) - term(A) - term(B).
//
// Ties (duplicated points give exactly equal costs): mclust keeps the costs of the current
// groups ("slots" 1..L) in a packed triangle, pair (i < j) at (j - 1)(j - 2) / 2 + i, scans it
// in that order with "<=" (the last minimum wins), puts the merged group in slot i and moves
// the group in the last slot L into slot j. This file keeps the same slots and scan, so equal
// costs resolve to the same pair. A merge is reported with the groups' labels, the smallest
// observation index in each (0-based here), smaller first, as hc() reports them.
//
// Memory: the packed triangle holds n (n - 1) / 2 doubles, as mclust's; kMaxHierarchicalPoints
// bounds n (mclust hc()s a random subset of 2000 points, mclust.options("subset"), above that).

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "../errors.hpp"
#include "cholesky.hpp"
#include "symmetric_eigen.hpp"
#include "validation.hpp"

namespace emgmm {
namespace detail {

/// The most rows the hierarchical clustering accepts: its cost table then takes 400 MB.
constexpr Eigen::Index kMaxHierarchicalPoints = 10000;

/// mclust's "SVD" transform of X (n x D) into Z (row-major, n x p, p = the non-constant
/// columns). Throws InvalidArgument when every column is constant or the columns are
/// linearly dependent (a zero singular value: the transform divides by it).
template <typename Derived>
std::vector<double> mclust_svd_transform(const Eigen::MatrixBase<Derived>& X, Eigen::Index& p,
                                         const std::string& where) {
  const Eigen::Index n = X.rows();
  const Eigen::Index D = X.cols();
  std::vector<Eigen::Index> kept;
  std::vector<double> centre, spread;
  for (Eigen::Index j = 0; j < D; ++j) {
    double mean = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) mean += static_cast<double>(X.coeff(i, j));
    mean /= static_cast<double>(n);
    double squares = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) {
      const double deviation = static_cast<double>(X.coeff(i, j)) - mean;
      squares += deviation * deviation;
    }
    const double sd = std::sqrt(squares / static_cast<double>(n - 1));
    if (!(sd > 0.0)) continue;  // mclust drops the column (0 / 0 is not finite)
    kept.push_back(j);
    centre.push_back(mean);
    spread.push_back(sd);
  }
  p = static_cast<Eigen::Index>(kept.size());
  if (p == 0) {
    fail(where, "every column of X is constant; the clustering needs a feature that varies.");
  }
  std::vector<double> scaled(static_cast<std::size_t>(n * p));
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index c = 0; c < p; ++c) {
      const auto k = static_cast<std::size_t>(c);
      scaled[static_cast<std::size_t>(i * p + c)] =
          (static_cast<double>(X.coeff(i, kept[k])) - centre[k]) / spread[k];
    }
  }
  Eigen::MatrixXd gram = Eigen::MatrixXd::Zero(p, p);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double* row = scaled.data() + i * p;
    for (Eigen::Index b = 0; b < p; ++b) {
      for (Eigen::Index a = b; a < p; ++a) gram(a, b) += row[a] * row[b];
    }
  }
  Eigen::VectorXd values;
  Eigen::MatrixXd vectors;
  symmetric_eigen(gram, values, vectors);
  std::vector<double> factor(static_cast<std::size_t>(p));  // 1 / sqrt(d) = values^(-1/4)
  for (Eigen::Index c = 0; c < p; ++c) {
    if (!(values(c) > 0.0)) {
      fail(where,
           "the columns of X are linearly dependent (a singular value of the standardized "
           "data is 0); drop the redundant columns.");
    }
    factor[static_cast<std::size_t>(c)] = 1.0 / std::sqrt(std::sqrt(values(c)));
  }
  std::vector<double> Z(static_cast<std::size_t>(n * p), 0.0);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double* row = scaled.data() + i * p;
    double* out = Z.data() + i * p;
    for (Eigen::Index c = 0; c < p; ++c) {
      double sum = 0.0;
      for (Eigen::Index a = 0; a < p; ++a) sum += row[a] * vectors(a, c);
      out[c] = sum * factor[static_cast<std::size_t>(c)];
    }
  }
  return Z;
}

/// The groups of the agglomeration, one per slot, and the packed triangle of merge costs.
template <typename Real>
class VvvAgglomeration {
 public:
  VvvAgglomeration(const std::vector<Real>& Z, Eigen::Index n, Eigen::Index p) : p_(p), slots_(n) {
    // alpha = trace of the scatter of Z / sqrt(n p), i.e. the summed squared deviations from
    // the column means over n p (mclust's hcVVV: traceW(data / sqrt(n * p))).
    Real alpha = 0;
    for (Eigen::Index c = 0; c < p; ++c) {
      Real mean = 0;
      for (Eigen::Index i = 0; i < n; ++i) mean += Z[static_cast<std::size_t>(i * p + c)];
      mean /= static_cast<Real>(n);
      for (Eigen::Index i = 0; i < n; ++i) {
        const Real deviation = Z[static_cast<std::size_t>(i * p + c)] - mean;
        alpha += deviation * deviation;
      }
    }
    alpha_ = std::max(alpha / static_cast<Real>(n * p), std::numeric_limits<Real>::epsilon());
    beta_ = 1;
    const auto size = static_cast<std::size_t>(n);
    count_.assign(size, 1);
    label_.resize(size);
    mean_.assign(Z.begin(), Z.end());
    scatter_.assign(size * static_cast<std::size_t>(p * p), Real(0));
    trace_.assign(size, Real(0));
    term_.assign(size, std::log(beta_ * alpha_));
    for (Eigen::Index i = 0; i < n; ++i) label_[static_cast<std::size_t>(i)] = i;
    cost_.resize(size * (size - 1) / 2);
    work_.resize(static_cast<std::size_t>(p * p));
    merged_mean_.resize(static_cast<std::size_t>(p));
    for (Eigen::Index j = 1; j < n; ++j) {
      for (Eigen::Index i = 0; i < j; ++i) cost_[index(i, j)] = merge_cost(i, j);
    }
  }

  /// Merges the cheapest pair and returns its labels, smaller first.
  std::array<Eigen::Index, 2> merge_next() {
    // The last minimum in the packed order, as mclust's scan with "<=".
    const std::size_t live = static_cast<std::size_t>(slots_ * (slots_ - 1) / 2);
    const Real* cost = cost_.data();
    std::size_t best = 0;
    Real lowest = cost[0];
    for (std::size_t k = 1; k < live; ++k) {
      if (cost[k] <= lowest) {
        lowest = cost[k];
        best = k;
      }
    }
    Eigen::Index j = 1;
    while (static_cast<std::size_t>(j * (j + 1) / 2) <= best) ++j;
    const Eigen::Index i = static_cast<Eigen::Index>(best) - j * (j - 1) / 2;

    const std::array<Eigen::Index, 2> pair = {std::min(label_[slot(i)], label_[slot(j)]),
                                              std::max(label_[slot(i)], label_[slot(j)])};
    combine(i, j);  // group i becomes the union, its statistics in slot i
    label_[slot(i)] = pair[0];
    const Eigen::Index last = slots_ - 1;
    if (j != last) move_slot(last, j);
    --slots_;
    for (Eigen::Index k = 0; k < slots_; ++k) {
      if (k != i) cost_[index(std::min(i, k), std::max(i, k))] = merge_cost(i, k);
    }
    return pair;
  }

  Eigen::Index groups() const { return slots_; }

 private:
  static std::size_t slot(Eigen::Index s) { return static_cast<std::size_t>(s); }
  static std::size_t index(Eigen::Index i, Eigen::Index j) {  // i < j
    return static_cast<std::size_t>(j * (j - 1) / 2 + i);
  }
  Real* mean(Eigen::Index s) { return mean_.data() + s * p_; }
  Real* scatter(Eigen::Index s) { return scatter_.data() + s * p_ * p_; }

  /// vvvtij: the cost of a group of l points whose scatter (its lower triangle) is in work_
  /// and whose trace is tr; `pair_of_points` takes mclust's closed form for two singletons.
  Real term(Eigen::Index l, Real tr, bool pair_of_points) {
    const Real size = static_cast<Real>(l);
    const Real spread = beta_ * (tr + alpha_) / size;
    if (l <= p_ || pair_of_points) return size * std::log(spread);
    if (tr == Real(0)) return size * std::log(alpha_ * beta_ / size);
    if (!cholesky_lower_in_place(work_.data(), p_)) return size * std::log(spread);
    // log det(W / l) from the factor's diagonal, scaled by sqrt(1 / l) as mclust's det2mc.
    const Real s = std::sqrt(Real(1) / size);
    Real detlog = 0;
    for (Eigen::Index k = 0; k < p_; ++k) detlog += std::log(std::abs(work_[slot(k * p_ + k)] * s));
    detlog *= 2;
    const Real value = detlog <= Real(0) ? std::log(std::exp(detlog) + spread)
                                         : std::log(Real(1) + std::exp(-detlog) * spread) + detlog;
    return size * value;
  }

  /// The union of slots a and b: count, mean into merged_mean_, scatter into work_, trace.
  Real unite(Eigen::Index a, Eigen::Index b, Eigen::Index& count) {
    const Real na = static_cast<Real>(count_[slot(a)]);
    const Real nb = static_cast<Real>(count_[slot(b)]);
    count = count_[slot(a)] + count_[slot(b)];
    const Real nab = na + nb;
    const Real weight = std::sqrt(na * nb / nab);
    const Real* ma = mean(a);
    const Real* mb = mean(b);
    Real spread = 0;
    for (Eigen::Index c = 0; c < p_; ++c) {
      merged_mean_[slot(c)] = (ma[c] - mb[c]) * weight;  // v = sqrt(na nb / nab) (ma - mb)
      spread += merged_mean_[slot(c)] * merged_mean_[slot(c)];
    }
    const Real* wa = scatter(a);
    const Real* wb = scatter(b);
    for (Eigen::Index c = 0; c < p_; ++c) {
      for (Eigen::Index r = c; r < p_; ++r) {
        const std::size_t at = slot(c * p_ + r);
        work_[at] = wa[at] + wb[at] + merged_mean_[slot(r)] * merged_mean_[slot(c)];
      }
    }
    for (Eigen::Index c = 0; c < p_; ++c) {
      merged_mean_[slot(c)] = (na * ma[c] + nb * mb[c]) / nab;
    }
    return (trace_[slot(a)] + trace_[slot(b)]) + spread;
  }

  Real merge_cost(Eigen::Index a, Eigen::Index b) {
    Eigen::Index count = 0;
    const Real tr = unite(a, b, count);
    const bool pair_of_points = count_[slot(a)] == 1 && count_[slot(b)] == 1;
    return term(count, tr, pair_of_points) - (term_[slot(a)] + term_[slot(b)]);
  }

  void combine(Eigen::Index a, Eigen::Index b) {
    Eigen::Index count = 0;
    const Real tr = unite(a, b, count);
    std::copy(merged_mean_.begin(), merged_mean_.end(), mean(a));
    std::copy(work_.begin(), work_.end(), scatter(a));
    const bool pair_of_points = count_[slot(a)] == 1 && count_[slot(b)] == 1;
    count_[slot(a)] = count;
    trace_[slot(a)] = tr;
    term_[slot(a)] = term(count, tr, pair_of_points);
  }

  /// Slot `from` (the last) takes the place of slot `to`, its costs included (mclust's wardsw).
  void move_slot(Eigen::Index from, Eigen::Index to) {
    count_[slot(to)] = count_[slot(from)];
    label_[slot(to)] = label_[slot(from)];
    trace_[slot(to)] = trace_[slot(from)];
    term_[slot(to)] = term_[slot(from)];
    std::copy(mean(from), mean(from) + p_, mean(to));
    std::copy(scatter(from), scatter(from) + p_ * p_, scatter(to));
    for (Eigen::Index k = 0; k < from; ++k) {
      if (k != to) cost_[index(std::min(k, to), std::max(k, to))] = cost_[index(k, from)];
    }
  }

  Eigen::Index p_;
  Eigen::Index slots_;
  Real alpha_ = 0;
  Real beta_ = 1;
  std::vector<Eigen::Index> count_, label_;
  std::vector<Real> mean_, scatter_, trace_, term_, cost_, work_, merged_mean_;
};

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_HIERARCHICAL_HPP
