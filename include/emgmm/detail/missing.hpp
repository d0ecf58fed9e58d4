#ifndef EMGMM_DETAIL_MISSING_HPP
#define EMGMM_DETAIL_MISSING_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

// EM with missing entries (GaussianMixtureOptions::missing_values = marginalize): the rows of X
// regrouped by missingness pattern (MissingLayout), and the passes over the incomplete ones.
// Complete rows keep the fused blocked passes of passes.hpp; the incomplete ones go through
// incomplete_pass.
//
// For a row with observed coordinates o and missing m, and component k of mean mu and
// covariance S (Ghahramani & Jordan 1994; Little & Rubin 2002, ch. 11), with L L^T = S_oo and
// L z = x_o - mu_o:
//   log p(x_o | k)     = -|o|/2 log 2 pi - log det L - |z|^2 / 2
//   E[x_m | x_o, k]    = mu_m + S_mo S_oo^-1 (x_o - mu_o) = mu_m + B^T z,  B = L^-1 S_om
//   Cov[x_m | x_o, k]  = S_mm - S_mo S_oo^-1 S_om = S_mm - B^T B
// The E-step's statistics then hold, for the completed row x^ (x_o, E[x_m | x_o, k]), the sums
// of r (x^ - m_k) and r ((x^ - m_k)(x^ - m_k)^T + Cov[x_m | x_o, k] on the (m, m) block): the
// expected complete-data statistics, which the M-step (m_step.hpp) turns into the next model
// unchanged.
//
// Two ways to the same numbers, each factoring the smaller block (by_precision):
// - |m| <= |o| (nearly every row of MCAR data), the precision side (fill_by_precision): from
//   Lambda = S^-1 and the |m| x |m| factor of Lambda_mm, blocks of rows of several patterns at
//   once, one product with Lambda per block and component, O(D^2 + |m|^2) per row and one
//   O(|m|^3) factorization per pattern in the block. With D = 16 and 20% MCAR entries most
//   patterns hold few rows, so a per-pattern factorization of S_oo (O(|o|^3)) cost a
//   factorization per row; this costs about what a complete row does.
// - |m| > |o|, the covariance side (factor_marginals, fill_by_covariance): the formulas above,
//   L, B and Cov once per pattern and component, O(|o|^2 + D^2) per row.
// Both hand the completed rows to finish_incomplete_block, which writes the per-sample outputs
// and adds the statistics.
//
// The passes work in double whatever Scalar and Dim are, so they are compiled once per
// translation unit, not once per model. They are templates on an unused `Real = double` all
// the same: a translation unit that includes emgmm without fitting on data with holes (every
// user file in compiled mode) then neither instantiates nor compiles them, where inline
// functions would cost it about 2 s and 100 MB.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "../covariance_type.hpp"
#include "../errors.hpp"
#include "../sufficient_statistics.hpp"
#include "accumulate.hpp"
#include "cholesky.hpp"
#include "covariance.hpp"
#include "log_sum_exp.hpp"
#include "parallel.hpp"
#include "parameters.hpp"
#include "passes.hpp"
#include "row_source.hpp"
#include "validation.hpp"

namespace emgmm {
namespace detail {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

/// One missingness pattern of a MissingLayout: rows [start, start + count) of its rows.
struct MissingPattern {
  Eigen::Index start = 0;
  Eigen::Index count = 0;
  std::vector<Eigen::Index> observed;
  std::vector<Eigen::Index> missing;
};

/// Pass 1 of a MissingLayout: each row's pattern, numbered by first appearance (0: complete,
/// -1: empty), and how many rows each holds.
struct PatternIndex {
  std::unordered_map<std::string, int> ids;
  std::vector<std::string> keys;
  std::vector<Eigen::Index> counts = std::vector<Eigen::Index>(1, 0);  ///< [0]: complete rows
  std::vector<int> pattern_of;
  std::vector<Eigen::Index> empty;

  /// Numbers row `row`, whose missing entries are the '1's of `key` (`n_missing` of them).
  void add(Eigen::Index row, const std::string& key, std::size_t n_missing) {
    int id = 0;
    if (n_missing == key.size()) {
      id = -1;
      empty.push_back(row);
    } else if (n_missing > 0) {
      const auto found = ids.emplace(key, static_cast<int>(keys.size()) + 1);
      if (found.second) {
        keys.push_back(key);
        counts.push_back(0);
      }
      id = found.first->second;
    }
    pattern_of.push_back(id);
    if (id >= 0) ++counts[static_cast<std::size_t>(id)];
  }
};

/// Everything of a MissingLayout but its rows, which the passes read through load_columns (in
/// double): not a template, so that neither are the passes over the incomplete rows.
class MissingRows {
 public:
  MissingRows(const MissingRows&) = delete;
  MissingRows& operator=(const MissingRows&) = delete;
  virtual ~MissingRows() = default;

  Eigen::Index n_rows() const { return n_rows_; }  ///< of X, empty rows included
  Eigen::Index n_features() const { return n_features_; }
  Eigen::Index n_complete() const { return n_complete_; }
  const std::vector<MissingPattern>& patterns() const { return patterns_; }
  const std::vector<Eigen::Index>& empty() const { return empty_; }
  /// X's row of rows().row(j).
  Eigen::Index original_row(Eigen::Index j) const { return order_[static_cast<std::size_t>(j)]; }
  bool weighted() const { return weighted_; }
  double weight(Eigen::Index j) const { return weighted_ ? weights_(j) : 1.0; }

  /// The first column with no observed entry of positive weight, or -1.
  Eigen::Index unobserved_column() const {
    for (Eigen::Index d = 0; d < column_weight_.size(); ++d) {
      if (!(column_weight_(d) > 0.0)) return d;
    }
    return -1;
  }
  /// The informative rows of positive weight.
  Eigen::Index n_positive() const {
    const auto n = static_cast<Eigen::Index>(order_.size());
    if (!weighted_) return n;
    Eigen::Index positive = 0;
    for (Eigen::Index j = 0; j < n; ++j) positive += weights_(j) > 0.0 ? 1 : 0;
    return positive;
  }

  /// Rows [start, start + count) of rows(), missing entries filled, in double: one column per
  /// row (D x count, column-major) at `out`.
  virtual void load_columns(Eigen::Index start, Eigen::Index count, double* out) const = 0;

 protected:
  MissingRows(bool weighted, Eigen::Index n_rows, Eigen::Index D)
      : n_rows_(n_rows), n_features_(D), weighted_(weighted) {}

  /// The patterns from pass 1; returns where each group's first row goes (complete rows, then
  /// the patterns), and sizes order_ and weights_ for the informative rows.
  std::vector<Eigen::Index> arrange(PatternIndex& index) {
    const std::vector<Eigen::Index>& counts = index.counts;
    std::vector<Eigen::Index> next(counts.size(), 0);
    n_complete_ = counts[0];
    Eigen::Index offset = counts[0];
    for (std::size_t p = 1; p < counts.size(); ++p) {
      MissingPattern pattern;
      pattern.start = offset;
      pattern.count = counts[p];
      for (Eigen::Index d = 0; d < n_features_; ++d) {
        (index.keys[p - 1][static_cast<std::size_t>(d)] == '1' ? pattern.missing : pattern.observed)
            .push_back(d);
      }
      next[p] = offset;
      offset += counts[p];
      patterns_.push_back(std::move(pattern));
    }
    empty_ = std::move(index.empty);
    order_.resize(static_cast<std::size_t>(offset));
    if (weighted_) weights_.resize(offset);
    column_weight_ = Eigen::ArrayXd::Zero(n_features_);
    return next;
  }

  std::vector<Eigen::Index> order_;
  Eigen::VectorXd weights_;
  Eigen::ArrayXd column_weight_;

 private:
  Eigen::Index n_rows_ = 0;
  Eigen::Index n_features_ = 0;
  Eigen::Index n_complete_ = 0;
  std::vector<MissingPattern> patterns_;
  std::vector<Eigen::Index> empty_;
  bool weighted_ = false;
};

/// The rows of X regrouped for EM with missing entries. The rows with at least one observed
/// entry ("informative") are copied into `rows`: the complete rows first, in their order, then
/// each missingness pattern's rows together (patterns in the order of their first row). A
/// missing entry of `rows` holds its column's weighted mean of the observed entries (0 for a
/// column without any): the values an initialization from the data starts from. Rows with no
/// observed entry carry no information; they are listed in `empty` and take no part in a fit.
/// `rows` stays in Scalar with Dim columns: its complete rows go through the blocked passes
/// of passes.hpp exactly as data without NaN would. Built once per call; not copyable
/// (complete_rows() and informative_rows() view `rows`).
template <typename Scalar, int Dim>
class MissingLayout final : public MissingRows {
 public:
  using Data = Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>;
  using Pattern = MissingPattern;

  explicit MissingLayout(const RowSource<Scalar, Dim>& X)
      : MissingRows(X.weighted(), X.rows(), X.cols()) {
    const Eigen::Index n = X.rows();
    const Eigen::Index D = X.cols();
    PatternIndex index;
    index.pattern_of.reserve(static_cast<std::size_t>(n));
    Data block;
    std::string key(static_cast<std::size_t>(D), '\0');
    for (Eigen::Index start = 0; start < n; start += kBlockRows) {
      const Eigen::Index count = std::min(kBlockRows, n - start);
      X.load(start, count, block);
      for (Eigen::Index i = 0; i < count; ++i) {
        std::size_t n_missing = 0;
        for (Eigen::Index d = 0; d < D; ++d) {
          const bool missing = std::isnan(block(i, d));
          key[static_cast<std::size_t>(d)] = missing ? '1' : '0';
          n_missing += missing ? 1 : 0;
        }
        index.add(start + i, key, n_missing);
      }
    }
    std::vector<Eigen::Index> next = arrange(index);
    // Pass 2: the rows into their places, with the column sums for the fill values.
    rows_.resize(static_cast<Eigen::Index>(order_.size()), D);
    Eigen::ArrayXd column_sum = Eigen::ArrayXd::Zero(D);
    for (Eigen::Index start = 0; start < n; start += kBlockRows) {
      const Eigen::Index count = std::min(kBlockRows, n - start);
      X.load(start, count, block);
      for (Eigen::Index i = 0; i < count; ++i) {
        const int id = index.pattern_of[static_cast<std::size_t>(start + i)];
        if (id < 0) continue;
        const Eigen::Index to = next[static_cast<std::size_t>(id)]++;
        order_[static_cast<std::size_t>(to)] = start + i;
        const double w = X.weight(start + i);
        if (weighted()) weights_(to) = w;
        for (Eigen::Index d = 0; d < D; ++d) {
          rows_(to, d) = block(i, d);
          if (std::isnan(block(i, d))) continue;
          column_sum(d) += w * double(block(i, d));
          column_weight_(d) += w;
        }
      }
    }
    for (Eigen::Index d = 0; d < D; ++d) {
      const Scalar fill =
          column_weight_(d) > 0.0 ? static_cast<Scalar>(column_sum(d) / column_weight_(d)) : 0;
      for (const Pattern& pattern : patterns()) {
        for (Eigen::Index j = pattern.start; j < pattern.start + pattern.count; ++j) {
          if (std::isnan(rows_(j, d))) rows_(j, d) = fill;
        }
      }
    }
  }

  const Data& rows() const { return rows_; }

  void load_columns(Eigen::Index start, Eigen::Index count, double* out) const override {
    const Eigen::Index D = rows_.cols();
    for (Eigen::Index i = 0; i < count; ++i) {
      for (Eigen::Index d = 0; d < D; ++d) out[d + i * D] = double(rows_(start + i, d));
    }
  }

  /// Every informative row, missing entries filled (for initializations and re-seeding).
  RowSource<Scalar, Dim> informative_rows() const {
    return weighted() ? RowSource<Scalar, Dim>(rows_, weights_) : RowSource<Scalar, Dim>(rows_);
  }
  /// The complete rows (the first n_complete() of rows()), read in place by the blocked passes.
  RowSource<Scalar, Dim> complete_rows() const {
    return informative_rows().first_rows(n_complete());
  }

 private:
  Data rows_;
};

/// Where incomplete_pass writes the per-row outputs, indexed by X's rows; implemented for each
/// Scalar by OutputSink, so that the pass itself works in double only.
class IncompleteSink {
 public:
  bool labels = false;
  bool responsibilities = false;
  bool log_prob = false;
  bool imputed = false;
  /// The largest magnitude an imputed value may have: the largest finite value of the Scalar
  /// the sink stores (a conditional mean finite in double may not be in float).
  double largest_imputed = std::numeric_limits<double>::max();

  virtual ~IncompleteSink() = default;
  virtual void set_label(Eigen::Index row, int label) const = 0;
  /// The K responsibilities of X's row `row`, at r[k * stride].
  virtual void set_responsibilities(Eigen::Index row, const double* r,
                                    Eigen::Index stride) const = 0;
  virtual void set_log_prob(Eigen::Index row, double value) const = 0;
  virtual void set_imputed(Eigen::Index row, Eigen::Index d, double value) const = 0;

 protected:
  IncompleteSink() = default;
  IncompleteSink(const IncompleteSink&) = default;
  IncompleteSink& operator=(const IncompleteSink&) = default;
};

/// IncompleteSink into SampleOutputs (n x K, n, n) and an n x D matrix of imputed rows; either
/// may be null.
template <typename Scalar, int Dim>
class OutputSink final : public IncompleteSink {
 public:
  OutputSink(const SampleOutputs<Scalar>* samples,
             Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>* imputed_rows)
      : samples_(samples), imputed_(imputed_rows) {
    labels = samples && samples->labels;
    responsibilities = samples && samples->responsibilities;
    log_prob = samples && samples->log_prob;
    imputed = imputed_rows != nullptr;
    largest_imputed = static_cast<double>(std::numeric_limits<Scalar>::max());
  }
  void set_label(Eigen::Index row, int label) const override { (*samples_->labels)(row) = label; }
  void set_responsibilities(Eigen::Index row, const double* r, Eigen::Index stride) const override {
    auto& R = *samples_->responsibilities;
    for (Eigen::Index k = 0; k < R.cols(); ++k) R(row, k) = static_cast<Scalar>(r[k * stride]);
  }
  void set_log_prob(Eigen::Index row, double value) const override {
    (*samples_->log_prob)(row) = static_cast<Scalar>(value);
  }
  void set_imputed(Eigen::Index row, Eigen::Index d, double value) const override {
    (*imputed_)(row, d) = static_cast<Scalar>(value);
  }

 private:
  const SampleOutputs<Scalar>* samples_;
  Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>* imputed_;
};

/// What incomplete_pass writes; any may be null. `sink` receives the per-row outputs; `stats`
/// the incomplete rows' statistics (added to it, about the model's means); `worst` indexes
/// rows().
struct IncompleteOutputs {
  const IncompleteSink* sink = nullptr;
  SufficientStatistics* stats = nullptr;
  WorstPoints* worst = nullptr;
};

/// Whether a pattern goes through the precision side (|m| <= |o|: the |m| x |m| block of the
/// precision factored per pattern and block of rows) or the covariance side (|m| > |o|: the
/// |o| x |o| sub-covariance factored once per pattern). Each side factors the smaller block.
inline bool by_precision(std::size_t n_observed, std::size_t n_missing) {
  return n_missing <= n_observed;
}

/// A unit of incomplete_pass's work: `count` rows of rows() from `start`. Precision side: a
/// block of consecutive rows of the precision-side patterns from `first_pattern` on (cut at
/// the block size, not at the patterns). Covariance side: all of pattern `first_pattern`.
struct IncompletePiece {
  Eigen::Index start = 0;
  Eigen::Index count = 0;
  std::size_t first_pattern = 0;
  bool precision_side = false;
};

/// The pieces of the patterns of `layout`, in the order of its rows: depends on the layout and
/// the block size only, so that results do not depend on the number of threads.
template <typename Real = double>
inline std::vector<IncompletePiece> incomplete_pieces(const MissingRows& layout,
                                                      Eigen::Index block_rows) {
  std::vector<IncompletePiece> pieces;
  const auto& patterns = layout.patterns();
  for (std::size_t p = 0; p < patterns.size(); ++p) {
    const auto& pattern = patterns[p];
    if (!by_precision(pattern.observed.size(), pattern.missing.size())) {
      pieces.push_back(IncompletePiece{pattern.start, pattern.count, p, false});
      continue;
    }
    Eigen::Index row = pattern.start;
    const Eigen::Index end = pattern.start + pattern.count;
    while (row < end) {
      if (pieces.empty() || !pieces.back().precision_side || pieces.back().count == block_rows ||
          pieces.back().start + pieces.back().count != row) {
        pieces.push_back(IncompletePiece{row, 0, p, true});
      }
      const Eigen::Index take = std::min(block_rows - pieces.back().count, end - row);
      pieces.back().count += take;
      row += take;
    }
  }
  return pieces;
}

// The passes' products, each written once so that every call site shares its instantiation.

/// out = A^T B (the covariance side's B^T B and B^T z).
template <typename Real = double>
inline void multiply_transposed(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B,
                                Eigen::MatrixXd& out) {
  out.noalias() = A.transpose() * B;
}

/// y = A x for A (rows x cols, column-major) and x (cols) at raw pointers.
template <typename Real = double>
inline void multiply_vector(const double* A, Eigen::Index rows, Eigen::Index cols, const double* x,
                            double* y) {
  Eigen::Map<Eigen::VectorXd>(y, rows).noalias() =
      Eigen::Map<const Eigen::MatrixXd>(A, rows, cols) * Eigen::Map<const Eigen::VectorXd>(x, cols);
}

/// One component restricted to a pattern on the covariance side: the factors of the formulas
/// at the top of the file.
struct MarginalFactor {
  Eigen::MatrixXd L;       ///< |o| x |o|, lower: L L^T = S_oo
  Eigen::MatrixXd B;       ///< |o| x |m|: L^-1 S_om
  Eigen::MatrixXd C;       ///< |m| x |m|: S_mm - B^T B
  double log_constant{0};  ///< log weight - |o|/2 log 2 pi - log det L
};

/// A block of incomplete rows as both sides leave it for finish_incomplete_block: rows
/// [start, start + rows) of rows(), cut into segments of one pattern each.
struct CompletedBlock {
  struct Segment {
    Eigen::Index begin = 0;  ///< first row, relative to the block
    Eigen::Index end = 0;
    const std::vector<Eigen::Index>* missing = nullptr;
    std::size_t cov_offset = 0;  ///< component k's Cov[x_m | x_o, k] at cov_offset + k |m|^2
  };
  Eigen::Index start = 0;
  Eigen::Index rows = 0;
  std::vector<Segment> segments;
  Eigen::MatrixXd log_prob;  ///< rows x K: log w_k + log p(x_o | k), then responsibilities
  std::vector<double> T;     ///< K blocks of D x rows (column-major): x^ - mu_k per row
  std::vector<double> conditional_cov;  ///< per segment and component, |m| x |m| column-major

  double* deviations(Eigen::Index k, Eigen::Index D) { return T.data() + k * D * rows; }
  const double* deviations(Eigen::Index k, Eigen::Index D) const { return T.data() + k * D * rows; }
  /// Starts a block of `n_rows` rows from row `first` of rows(), without segments.
  void reset(Eigen::Index first, Eigen::Index n_rows, Eigen::Index K, Eigen::Index D) {
    start = first;
    rows = n_rows;
    segments.clear();
    log_prob.resize(n_rows, K);
    T.resize(static_cast<std::size_t>(K * D * n_rows));
    conditional_cov.clear();
  }
  void add_segment(Eigen::Index begin, Eigen::Index end, const std::vector<Eigen::Index>& missing,
                   Eigen::Index K) {
    const std::size_t n_m = missing.size();
    segments.push_back(Segment{begin, end, &missing, conditional_cov.size()});
    conditional_cov.resize(conditional_cov.size() + static_cast<std::size_t>(K) * n_m * n_m);
  }
};

/// What both sides of incomplete_pass read: the model in double.
struct IncompleteModel {
  CovarianceType type = CovarianceType::full;
  Eigen::Index K = 0;
  Eigen::Index D = 0;
  Eigen::MatrixXd means;               ///< K x D
  Eigen::VectorXd log_weights;         ///< K
  Eigen::VectorXd prior;               ///< K, the weights: an empty row's responsibilities
  std::vector<Eigen::MatrixXd> sigma;  ///< per component, D x D
  /// Precision side, per component: Lambda = S^-1 = U^T U (U = L^-1, L L^T = S: the
  /// Cholesky factor's inverse, as precisions_cholesky), and log det U = -1/2 log det S.
  std::vector<Eigen::MatrixXd> precision;
  Eigen::VectorXd log_det_U;
  std::string where;  ///< the calling function, for the messages

  /// `what`: "restricted to ..." (which block of component k's covariance or precision).
  [[noreturn]] void not_positive_definite(Eigen::Index k, const std::string& what) const {
    throw NumericalError(where + ": the covariance of component " + to_text(k) + " " + what +
                         " is not numerically positive definite (a nearly singular covariance); "
                         "increase reg_covar or rescale the data.");
  }

  /// The precision side's factors, from `sigma`. (A template on an unused Real, as the passes.)
  template <typename Real = double>
  void add_precisions() {
    precision.resize(static_cast<std::size_t>(K));
    log_det_U.resize(K);
    Eigen::MatrixXd U(D, D);
    for (Eigen::Index k = 0; k < K; ++k) {
      U = sigma[static_cast<std::size_t>(k)];
      if (!cholesky_lower_in_place(U.data(), D)) not_positive_definite(k, "(all features)");
      double log_det = 0.0;
      for (Eigen::Index d = 0; d < D; ++d) log_det += std::log(U(d, d));
      log_det_U(k) = -log_det;
      invert_lower_in_place(U.data(), D);
      transpose_in_place(U.data(), D);  // U^T, so that its product with its transpose is U^T U
      precision[static_cast<std::size_t>(k)].resize(D, D);
      multiply_by_own_transpose(U.data(), D, precision[static_cast<std::size_t>(k)].data());
    }
  }
};

/// The weights exp(log_weights), normalized.
template <typename Real = double>
inline Eigen::VectorXd weights_of_logs(const Eigen::VectorXd& log_weights) {
  Eigen::VectorXd weights = (log_weights.array() - log_weights.maxCoeff()).exp().matrix();
  weights /= weights.sum();
  return weights;
}

/// The precision side on one piece: for component k and a row with observed o and missing m,
/// Lambda = S^-1 in blocks, Lambda_mm = M M^T (M lower) and d = x - mu_k with d_m = 0 (the
/// Schur complement S_oo^-1 = Lambda_oo - Lambda_om Lambda_mm^-1 Lambda_mo, and det S =
/// det S_oo det(Lambda_mm)^-1; e.g. Little & Rubin 2002, sec. 11.2; Bishop 2006, sec. 2.3.1):
///   E[x_m | x_o, k] - mu_m = delta = -Lambda_mm^-1 Lambda_mo d_o = -M^-T w,  w = M^-1 (Lambda d)_m
///   Cov[x_m | x_o, k]      = Lambda_mm^-1 = M^-T M^-1
///   d_o^T S_oo^-1 d_o      = d^T Lambda d - |w|^2
///   log det S_oo           = log det S + 2 log det M
/// A block's Lambda d is one product with Lambda (as the complete rows' pass multiplies by
/// precisions_cholesky), so a row costs O(D^2 + |m|^2) and each pattern in the block one
/// |m| x |m| factorization, instead of the covariance side's O(|o|^3) per pattern. The
/// subtraction loses at most about cond(S) ulps of the quadratic, what a solve with S_oo
/// loses too. `X` holds the piece's rows (load_columns).
template <typename Real = double>
inline void fill_by_precision(const MissingRows& layout, const IncompleteModel& model,
                              const IncompletePiece& piece, bool conditional_covariances,
                              const Eigen::MatrixXd& X, CompletedBlock& block, Eigen::MatrixXd& V,
                              std::vector<double>& scratch) {
  Eigen::VectorXd quadratic;  // d^T Lambda d with d = x - mu_k, d_m = 0, per row
  const Eigen::Index K = model.K;
  const Eigen::Index D = model.D;
  const Eigen::Index n = piece.count;
  const auto& patterns = layout.patterns();
  block.reset(piece.start, n, K, D);
  const Eigen::Index end = piece.start + n;
  for (std::size_t p = piece.first_pattern; p < patterns.size() && patterns[p].start < end; ++p) {
    const Eigen::Index begin = std::max(patterns[p].start, piece.start);
    block.add_segment(begin - piece.start,
                      std::min(patterns[p].start + patterns[p].count, end) - piece.start,
                      patterns[p].missing, K);
  }
  // The segments by their number of missing entries: the small loops below then run the same
  // number of times for long stretches, which the branch predictor learns (in the order of the
  // rows, a random |m| costs a misprediction per loop).
  std::vector<std::size_t> by_size(block.segments.size());
  for (std::size_t j = 0; j < by_size.size(); ++j) by_size[j] = j;
  std::stable_sort(by_size.begin(), by_size.end(), [&](std::size_t a, std::size_t b) {
    return block.segments[a].missing->size() < block.segments[b].missing->size();
  });
  const double log_2pi = std::log(2.0 * 3.14159265358979323846);
  const bool diagonal =
      model.type == CovarianceType::diag || model.type == CovarianceType::spherical;
  scratch.resize(static_cast<std::size_t>(2 * D * D + D));
  double* const M = scratch.data();   // Lambda_mm's factor, |m| x |m|
  double* const inverse = M + D * D;  // M^-1
  double* const w = inverse + D * D;  // M^-1 (Lambda d)_m
  const double* const x = X.data();
  for (Eigen::Index k = 0; k < K; ++k) {
    double* const t = block.deviations(k, D);
    Eigen::Map<Eigen::MatrixXd> T(t, D, n);
    for (Eigen::Index i = 0; i < n; ++i) {
      for (Eigen::Index d = 0; d < D; ++d) t[d + i * D] = x[d + i * D] - model.means(k, d);
    }
    for (const CompletedBlock::Segment& s : block.segments) {
      for (Eigen::Index i = s.begin; i < s.end; ++i) {
        for (const Eigen::Index d : *s.missing) t[d + i * D] = 0.0;
      }
    }
    const Eigen::MatrixXd& precision = model.precision[static_cast<std::size_t>(k)];
    if (diagonal) {
      V.resize(D, n);
      for (Eigen::Index i = 0; i < n; ++i) {
        for (Eigen::Index d = 0; d < D; ++d) V(d, i) = precision(d, d) * t[d + i * D];
      }
    } else {
      V.noalias() = precision * T;
    }
    quadratic = (T.array() * V.array()).colwise().sum().transpose();
    for (const std::size_t index : by_size) {
      const CompletedBlock::Segment& s = block.segments[index];
      const std::vector<Eigen::Index>& m = *s.missing;
      const auto n_m = static_cast<Eigen::Index>(m.size());
      for (Eigen::Index b = 0; b < n_m; ++b) {
        for (Eigen::Index a = b; a < n_m; ++a) {
          M[a + b * n_m] =
              precision(m[static_cast<std::size_t>(a)], m[static_cast<std::size_t>(b)]);
        }
      }
      if (!cholesky_lower_in_place(M, n_m)) {
        model.not_positive_definite(
            k, "(its precision restricted to the " + to_text(n_m) + " missing features of a row)");
      }
      // M^-1, lower, by forward substitution with the pivots' reciprocals: the rows below
      // need products only, no divisions (which cost as much as the rest of a row here).
      double pivots = 1.0;
      for (Eigen::Index b = 0; b < n_m; ++b) {
        pivots *= M[b + b * n_m];
        for (Eigen::Index a = 0; a < b; ++a) inverse[a + b * n_m] = 0.0;
        inverse[b + b * n_m] = 1.0 / M[b + b * n_m];
      }
      for (Eigen::Index b = 0; b < n_m; ++b) {
        for (Eigen::Index a = b + 1; a < n_m; ++a) {
          double sum = 0.0;
          for (Eigen::Index j = b; j < a; ++j) sum += M[a + j * n_m] * inverse[j + b * n_m];
          inverse[a + b * n_m] = -sum * inverse[a + a * n_m];
        }
      }
      // log det M: one logarithm, unless the product of the pivots leaves double's range.
      double log_det_M = 0.0;
      if (std::isnormal(pivots)) {
        log_det_M = std::log(pivots);
      } else {
        for (Eigen::Index a = 0; a < n_m; ++a) log_det_M += std::log(M[a + a * n_m]);
      }
      const double log_constant =
          model.log_weights(k) - 0.5 * double(D - n_m) * log_2pi + model.log_det_U(k) - log_det_M;
      for (Eigen::Index i = s.begin; i < s.end; ++i) {
        const double* v = V.data() + i * D;  // (Lambda d)_m at v[m_a]
        // w = M^-1 v; the marginal quadratic d^T Lambda d - |w|^2 (>= 0; rounding below is 0).
        double w_norm = 0.0;
        for (Eigen::Index a = 0; a < n_m; ++a) {
          double sum = 0.0;
          for (Eigen::Index b = 0; b <= a; ++b) {
            sum += inverse[a + b * n_m] * v[m[static_cast<std::size_t>(b)]];
          }
          w[a] = sum;
          w_norm += sum * sum;
        }
        // Not below infinity (inf or NaN): an observed x - mu overflowed, so the true quadratic
        // is itself beyond the largest double.
        const double marginal = quadratic(i) - w_norm;
        block.log_prob(i, k) =
            marginal < kInfinity ? log_constant - 0.5 * std::max(0.0, marginal) : -kInfinity;
        // delta = -M^-T w.
        for (Eigen::Index a = 0; a < n_m; ++a) {
          double sum = 0.0;
          for (Eigen::Index b = a; b < n_m; ++b) sum += inverse[b + a * n_m] * w[b];
          t[m[static_cast<std::size_t>(a)] + i * D] = -sum;
        }
      }
      if (conditional_covariances) {
        // Lambda_mm^-1 = M^-T M^-1.
        double* C =
            block.conditional_cov.data() + s.cov_offset + static_cast<std::size_t>(k * n_m * n_m);
        for (Eigen::Index b = 0; b < n_m; ++b) {
          for (Eigen::Index a = 0; a < n_m; ++a) {
            double sum = 0.0;
            for (Eigen::Index j = std::max(a, b); j < n_m; ++j) {
              sum += inverse[j + a * n_m] * inverse[j + b * n_m];
            }
            C[a + b * n_m] = sum;
          }
        }
      }
    }
  }
}

/// The covariance side's factors of one pattern, for every component (the formulas at the top
/// of the file).
template <typename Real = double>
inline void factor_marginals(const IncompleteModel& model, const std::vector<Eigen::Index>& o,
                             const std::vector<Eigen::Index>& m,
                             std::vector<MarginalFactor>& factors, Eigen::MatrixXd& product) {
  const double log_2pi = std::log(2.0 * 3.14159265358979323846);
  const auto n_o = static_cast<Eigen::Index>(o.size());
  const auto n_m = static_cast<Eigen::Index>(m.size());
  // S restricted to rows `rows` and columns `cols`.
  const auto gather = [](const Eigen::MatrixXd& S, const std::vector<Eigen::Index>& rows,
                         const std::vector<Eigen::Index>& cols, Eigen::MatrixXd& out) {
    out.resize(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(cols.size()));
    for (std::size_t b = 0; b < cols.size(); ++b) {
      for (std::size_t a = 0; a < rows.size(); ++a) {
        out(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b)) = S(rows[a], cols[b]);
      }
    }
  };
  factors.resize(static_cast<std::size_t>(model.K));
  for (Eigen::Index k = 0; k < model.K; ++k) {
    const Eigen::MatrixXd& S = model.sigma[static_cast<std::size_t>(k)];
    MarginalFactor& f = factors[static_cast<std::size_t>(k)];
    gather(S, o, o, f.L);
    if (!cholesky_lower_in_place(f.L.data(), n_o)) {
      model.not_positive_definite(
          k, "restricted to the " + to_text(n_o) + " observed features of a row");
    }
    gather(S, o, m, f.B);
    solve_lower_in_place(f.L.data(), n_o, f.B.data(), n_m, n_o);
    gather(S, m, m, f.C);
    multiply_transposed(f.B, f.B, product);
    for (Eigen::Index b = 0; b < n_m; ++b) {
      for (Eigen::Index a = 0; a < n_m; ++a) f.C(a, b) -= product(a, b);
    }
    double log_det = 0.0;
    for (Eigen::Index a = 0; a < n_o; ++a) log_det += std::log(f.L(a, a));
    f.log_constant = model.log_weights(k) - 0.5 * double(n_o) * log_2pi - log_det;
  }
}

/// The covariance side on rows [start, start + rows) of one pattern, factored by
/// factor_marginals; `X` holds those rows (load_columns).
template <typename Real = double>
inline void fill_by_covariance(const IncompleteModel& model, const MissingPattern& pattern,
                               const std::vector<MarginalFactor>& factors, Eigen::Index start,
                               Eigen::Index rows, bool conditional_covariances,
                               const Eigen::MatrixXd& X, CompletedBlock& block,
                               Eigen::MatrixXd& observed, Eigen::MatrixXd& product) {
  const Eigen::Index K = model.K;
  const Eigen::Index D = model.D;
  const auto& o = pattern.observed;
  const auto& m = pattern.missing;
  const auto n_o = static_cast<Eigen::Index>(o.size());
  const auto n_m = static_cast<Eigen::Index>(m.size());
  block.reset(start, rows, K, D);
  block.add_segment(0, rows, m, K);
  // The block's observed entries, one column per row.
  observed.resize(n_o, rows);
  for (Eigen::Index i = 0; i < rows; ++i) {
    for (Eigen::Index c = 0; c < n_o; ++c) observed(c, i) = X(o[static_cast<std::size_t>(c)], i);
  }
  Eigen::MatrixXd z(n_o, rows);
  for (Eigen::Index k = 0; k < K; ++k) {
    const MarginalFactor& f = factors[static_cast<std::size_t>(k)];
    double* const t = block.deviations(k, D);
    // The completed rows about mu_k: x_o - mu_o observed, B^T z (the conditional mean minus
    // mu_m) missing.
    for (Eigen::Index i = 0; i < rows; ++i) {
      for (Eigen::Index c = 0; c < n_o; ++c) {
        const Eigen::Index d = o[static_cast<std::size_t>(c)];
        z(c, i) = observed(c, i) - model.means(k, d);
        t[d + i * D] = z(c, i);
      }
    }
    solve_lower_in_place(f.L.data(), n_o, z.data(), rows, n_o);
    for (Eigen::Index i = 0; i < rows; ++i) {
      const double quadratic = z.col(i).squaredNorm();  // NaN: x - mu overflowed, as above
      block.log_prob(i, k) = quadratic < kInfinity ? f.log_constant - 0.5 * quadratic : -kInfinity;
    }
    multiply_transposed(f.B, z, product);
    for (Eigen::Index i = 0; i < rows; ++i) {
      for (Eigen::Index c = 0; c < n_m; ++c)
        t[m[static_cast<std::size_t>(c)] + i * D] = product(c, i);
    }
    if (conditional_covariances) {
      std::copy(f.C.data(), f.C.data() + n_m * n_m,
                block.conditional_cov.data() + static_cast<std::size_t>(k * n_m * n_m));
    }
  }
}

/// The part both sides share: responsibilities, the per-sample outputs, and the statistics of
/// the completed rows, r (x^ - mu_k) and r (x^ - mu_k)(x^ - mu_k)^T plus r Cov[x_m | x_o, k]
/// on the (m, m) block.
template <typename Real = double>
inline void finish_incomplete_block(const MissingRows& layout, const IncompleteModel& model,
                                    const IncompleteOutputs& out, CompletedBlock& block,
                                    SufficientStatistics& stats, WorstPoints* worst) {
  const Eigen::Index K = model.K;
  const Eigen::Index D = model.D;
  const Eigen::Index start = block.start;
  const Eigen::Index rows = block.rows;
  Eigen::VectorXd log_norm;
  normalize_log_rows(block.log_prob, log_norm);  // log_prob now holds the responsibilities
  const Eigen::MatrixXd& resp = block.log_prob;
  if (const IncompleteSink* sink = out.sink) {
    for (Eigen::Index i = 0; i < rows; ++i) {
      const Eigen::Index row = layout.original_row(start + i);
      if (sink->labels) {
        Eigen::Index best = 0;
        for (Eigen::Index k = 1; k < K; ++k) best = resp(i, k) > resp(i, best) ? k : best;
        sink->set_label(row, static_cast<int>(best));
      }
      if (sink->responsibilities) sink->set_responsibilities(row, resp.data() + i, rows);
      if (sink->log_prob) sink->set_log_prob(row, log_norm(i));
    }
    if (sink->imputed) {
      for (const CompletedBlock::Segment& s : block.segments) {
        for (Eigen::Index i = s.begin; i < s.end; ++i) {
          const Eigen::Index row = layout.original_row(start + i);
          for (const Eigen::Index d : *s.missing) {
            // Components of responsibility 0 are left out: their deviations may hold the NaN
            // of an overflowed x - mu (a point beyond the largest double from them).
            double expected = 0.0;
            for (Eigen::Index k = 0; k < K; ++k) {
              if (resp(i, k) == 0.0) continue;
              expected += resp(i, k) * (model.means(k, d) + block.deviations(k, D)[d + i * D]);
            }
            if (!std::isfinite(expected)) {
              throw NumericalError(
                  model.where + ": row " + to_text(row) +
                  " lies so far from every component that its observed values minus the means "
                  "overflow; its missing values have no finite conditional mean. Rescale the "
                  "data, or drop the row.");
            }
            if (std::abs(expected) > sink->largest_imputed) {
              throw NumericalError(
                  model.where + ": the conditional mean of X(" + to_text(row) + ", " + to_text(d) +
                  "), " + to_text(expected) + ", does not fit in the model's Scalar (largest " +
                  to_text(sink->largest_imputed) + "); rescale the data, or use a double model.");
            }
            sink->set_imputed(row, d, expected);
          }
        }
      }
    }
  }
  if (worst) {
    for (Eigen::Index i = 0; i < rows; ++i) {
      if (layout.weight(start + i) > 0.0) worst->offer(log_norm(i), start + i);
    }
  }
  if (!out.stats) return;
  Eigen::VectorXd w(rows);
  for (Eigen::Index i = 0; i < rows; ++i) w(i) = layout.weight(start + i);
  stats.log_likelihood += w.dot(log_norm);
  stats.n_samples += w.sum();
  const bool square = model.type == CovarianceType::full || model.type == CovarianceType::tied;
  Eigen::MatrixXd weighted, second;
  Eigen::VectorXd r(rows), sum(D);
  for (Eigen::Index k = 0; k < K; ++k) {
    const double* const t = block.deviations(k, D);
    for (Eigen::Index i = 0; i < rows; ++i) r(i) = resp(i, k) * w(i);
    stats.resp_sum(k) += r.sum();
    multiply_vector(t, D, rows, r.data(), sum.data());
    for (Eigen::Index d = 0; d < D; ++d) stats.resp_diff_sum(k, d) += sum(d);
    const Eigen::Index first_row = model.type == CovarianceType::full ? k * D : 0;
    if (square) {
      // sum r t t^T = A A^T with A = T diag(sqrt r): a symmetric rank update (half a product).
      weighted.resize(D, rows);
      for (Eigen::Index i = 0; i < rows; ++i) {
        const double root = std::sqrt(r(i));
        for (Eigen::Index d = 0; d < D; ++d) weighted(d, i) = t[d + i * D] * root;
      }
      second.setZero(D, D);
      second.selfadjointView<Eigen::Lower>().rankUpdate(weighted);
      for (Eigen::Index b = 0; b < D; ++b) {
        for (Eigen::Index a = b; a < D; ++a) stats.scatter(first_row + a, b) += second(a, b);
      }
    } else {
      // sum_i r_i t_i^2, row by row in order, as a product with a computed left side runs.
      sum.setZero();
      for (Eigen::Index i = 0; i < rows; ++i) {
        for (Eigen::Index d = 0; d < D; ++d) {
          sum(d) += r(i) * (t[d + i * D] * t[d + i * D]);
        }
      }
      for (Eigen::Index d = 0; d < D; ++d) stats.scatter(k, d) += sum(d);
    }
    for (const CompletedBlock::Segment& s : block.segments) {
      const std::vector<Eigen::Index>& m = *s.missing;
      const auto n_m = static_cast<Eigen::Index>(m.size());
      const double r_sum = r.segment(s.begin, s.end - s.begin).sum();
      const double* C =
          block.conditional_cov.data() + s.cov_offset + static_cast<std::size_t>(k * n_m * n_m);
      for (Eigen::Index b = 0; b < n_m; ++b) {
        const Eigen::Index mb = m[static_cast<std::size_t>(b)];
        if (!square) {
          stats.scatter(k, mb) += r_sum * C[b + b * n_m];
          continue;
        }
        for (Eigen::Index a = b; a < n_m; ++a) {
          stats.scatter(first_row + m[static_cast<std::size_t>(a)], mb) += r_sum * C[a + b * n_m];
        }
      }
    }
  }
}

/// The model of incomplete_pass in double, without the precision side's factors: the one
/// step of the pass that reads the parameters' Scalar and Dim.
template <typename Scalar, int Dim>
IncompleteModel incomplete_model(const MixtureParameters<Scalar, Dim>& params,
                                 const std::string& where) {
  IncompleteModel model;
  model.type = params.covariance_type;
  model.K = params.n_components();
  model.D = params.n_features();
  model.where = where;
  const Eigen::Index K = model.K;
  const Eigen::Index D = model.D;
  model.means.resize(K, D);
  for (Eigen::Index d = 0; d < D; ++d) {
    for (Eigen::Index k = 0; k < K; ++k) model.means(k, d) = double(params.means(k, d));
  }
  const bool logs = params.log_weights.size() == K;
  model.log_weights.resize(K);
  model.prior.resize(K);
  for (Eigen::Index k = 0; k < K; ++k) {
    model.log_weights(k) = logs ? params.log_weights(k) : std::log(double(params.weights(k)));
    model.prior(k) = double(params.weights(k));
  }
  if (logs) model.prior = weights_of_logs(params.log_weights);
  model.sigma.resize(static_cast<std::size_t>(K));
  for (Eigen::Index k = 0; k < K; ++k) {
    Eigen::MatrixXd& S = model.sigma[static_cast<std::size_t>(k)];
    S.resize(D, D);
    const Eigen::Matrix<Scalar, Dim, Dim> component =
        expand_component<Scalar, Dim>(params.covariances, model.type, k, D);
    for (Eigen::Index b = 0; b < D; ++b) {
      for (Eigen::Index a = 0; a < D; ++a) S(a, b) = double(component(a, b));
    }
  }
  return model;
}

/// The E-step on the rows of every missingness pattern and on the empty rows, in double. The
/// pieces (incomplete_pieces) are cut into chunks by their number only, and the chunks' sums
/// added in chunk order, so results do not depend on the number of threads. Throws
/// NumericalError, naming model.where, when a block of the covariance or precision that a row
/// needs is not numerically positive definite.
template <typename Real = double>
inline void incomplete_pass(const MissingRows& layout, IncompleteModel model,
                            const IncompleteOutputs& out) {
  const CovarianceType type = model.type;
  const Eigen::Index K = model.K;
  const Eigen::Index D = model.D;
  // The precision side keeps K completed D x rows blocks: about 256 KiB of them.
  const Eigen::Index block_rows = std::max<Eigen::Index>(
      16,
      std::min<Eigen::Index>(kBlockRows, Eigen::Index{32768} / std::max<Eigen::Index>(1, K * D)));
  const std::vector<IncompletePiece> pieces = incomplete_pieces(layout, block_rows);
  bool any_precision = false;
  for (const IncompletePiece& piece : pieces) any_precision |= piece.precision_side;
  if (any_precision) model.add_precisions();
  const auto& patterns = layout.patterns();
  const ChunkPlan plan = ChunkPlan::make(static_cast<Eigen::Index>(pieces.size()), 1,
                                         out.stats ? SufficientStatistics::bytes(type, K, D) : 0.0);
  std::vector<SufficientStatistics> partial(static_cast<std::size_t>(plan.n_chunks));
  std::vector<WorstPoints> chunk_worst(out.worst ? partial.size() : 0,
                                       WorstPoints{out.worst ? out.worst->capacity : 0, {}});
  const bool conditional_covariances = out.stats != nullptr;
  for_each_chunk(plan, [&](Eigen::Index chunk) {
    SufficientStatistics stats;
    if (out.stats) stats = SufficientStatistics(type, K, D);
    WorstPoints* worst = out.worst ? &chunk_worst[static_cast<std::size_t>(chunk)] : nullptr;
    CompletedBlock block;
    std::vector<MarginalFactor> factors;
    Eigen::MatrixXd X, scratch_matrix, product;
    std::vector<double> scratch;
    plan.for_each_block(chunk, [&](Eigen::Index index, Eigen::Index) {
      const IncompletePiece& piece = pieces[static_cast<std::size_t>(index)];
      if (piece.precision_side) {
        X.resize(D, piece.count);
        layout.load_columns(piece.start, piece.count, X.data());
        fill_by_precision(layout, model, piece, conditional_covariances, X, block, scratch_matrix,
                          scratch);
        finish_incomplete_block(layout, model, out, block, stats, worst);
        return;
      }
      const MissingPattern& pattern = patterns[piece.first_pattern];
      factor_marginals(model, pattern.observed, pattern.missing, factors, product);
      for (Eigen::Index start = piece.start; start < piece.start + piece.count;
           start += block_rows) {
        const Eigen::Index rows = std::min(block_rows, piece.start + piece.count - start);
        X.resize(D, rows);
        layout.load_columns(start, rows, X.data());
        fill_by_covariance(model, pattern, factors, start, rows, conditional_covariances, X, block,
                           scratch_matrix, product);
        finish_incomplete_block(layout, model, out, block, stats, worst);
      }
    });
    partial[static_cast<std::size_t>(chunk)] = std::move(stats);
  });
  if (out.stats) {
    for (const SufficientStatistics& part : partial) {
      out.stats->resp_sum += part.resp_sum;
      out.stats->resp_diff_sum += part.resp_diff_sum;
      out.stats->scatter += part.scatter;
      out.stats->log_likelihood += part.log_likelihood;
      out.stats->n_samples += part.n_samples;
    }
  }
  for (const WorstPoints& kept : chunk_worst) {
    for (const WorstPoints::Entry& entry : kept.entries)
      out.worst->offer(entry.first, entry.second);
  }
  // A row with no observed entry: its posterior is the prior, its marginal density that of
  // nothing (log 1 = 0), its expectation the mixture's mean.
  const IncompleteSink* sink = out.sink;
  if (layout.empty().empty() || !sink) return;
  const Eigen::VectorXd& weights = model.prior;
  Eigen::Index best = 0;
  weights.maxCoeff(&best);
  const Eigen::RowVectorXd mixture_mean = weights.transpose() * model.means;
  for (const Eigen::Index row : layout.empty()) {
    if (sink->labels) sink->set_label(row, static_cast<int>(best));
    if (sink->responsibilities) sink->set_responsibilities(row, weights.data(), 1);
    if (sink->log_prob) sink->set_log_prob(row, 0.0);
    if (sink->imputed) {
      for (Eigen::Index d = 0; d < D; ++d) sink->set_imputed(row, d, mixture_mean(d));
    }
  }
}

/// One EM iteration's statistics on data with missing entries: the complete rows through
/// expectation_pass (the fused blocked E-step and accumulation), the patterns through
/// incomplete_pass, added up; `worst` indexes layout.rows().
template <typename Scalar, int Dim>
SufficientStatistics missing_expectation(const MissingLayout<Scalar, Dim>& layout,
                                         const MixtureParameters<Scalar, Dim>& params,
                                         const std::string& where, WorstPoints* worst = nullptr) {
  SufficientStatistics stats;
  if (layout.n_complete() > 0) {
    stats = expectation_pass(layout.complete_rows(), params, worst);
  } else {
    stats =
        SufficientStatistics(params.covariance_type, params.n_components(), params.n_features());
    stats.reference.resize(params.n_components(), params.n_features());
    for (Eigen::Index d = 0; d < params.n_features(); ++d) {
      for (Eigen::Index k = 0; k < params.n_components(); ++k) {
        stats.reference(k, d) = double(params.means(k, d));
      }
    }
  }
  IncompleteOutputs out;
  out.stats = &stats;
  out.worst = worst;
  incomplete_pass(layout, incomplete_model(params, where), out);
  return stats;
}

/// The per-sample E-step (predict, predict_proba, score_samples) on data with missing entries;
/// the outputs are sized as X's rows (layout.n_rows()).
template <typename Scalar, int Dim>
void missing_evaluation(const MissingLayout<Scalar, Dim>& layout,
                        const MixtureParameters<Scalar, Dim>& params,
                        const SampleOutputs<Scalar>& out, const std::string& where) {
  const Eigen::Index n_complete = layout.n_complete();
  if (n_complete > 0) {
    // The complete rows in their own outputs, then copied to X's rows.
    const Eigen::Index K = params.n_components();
    Eigen::VectorXi labels;
    Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> responsibilities;
    Eigen::Matrix<Scalar, Eigen::Dynamic, 1> log_prob;
    SampleOutputs<Scalar> complete;
    if (out.labels) complete.labels = &(labels = Eigen::VectorXi(n_complete));
    if (out.responsibilities) {
      responsibilities.resize(n_complete, K);
      complete.responsibilities = &responsibilities;
    }
    if (out.log_prob) complete.log_prob = &(log_prob = decltype(log_prob)(n_complete));
    evaluation_pass(layout.complete_rows(), params, complete);
    for (Eigen::Index j = 0; j < n_complete; ++j) {
      const Eigen::Index row = layout.original_row(j);
      if (out.labels) (*out.labels)(row) = labels(j);
      if (out.responsibilities) {
        for (Eigen::Index k = 0; k < K; ++k)
          (*out.responsibilities)(row, k) = responsibilities(j, k);
      }
      if (out.log_prob) (*out.log_prob)(row) = log_prob(j);
    }
  }
  const OutputSink<Scalar, Dim> sink(&out, nullptr);
  IncompleteOutputs incomplete;
  incomplete.sink = &sink;
  incomplete_pass(layout, incomplete_model(params, where), incomplete);
}

/// E[x | x_observed] of every row of X under the mixture (n x D): observed entries as they
/// are, missing ones the responsibility-weighted conditional means of the components.
template <typename Scalar, int Dim>
Eigen::Matrix<Scalar, Eigen::Dynamic, Dim> impute_rows(const RowSource<Scalar, Dim>& X,
                                                       const MixtureParameters<Scalar, Dim>& params,
                                                       const std::string& where) {
  const MissingLayout<Scalar, Dim> layout(X);
  Eigen::Matrix<Scalar, Eigen::Dynamic, Dim> imputed(X.rows(), X.cols());
  Eigen::Matrix<Scalar, Eigen::Dynamic, Dim> block;
  for (Eigen::Index start = 0; start < X.rows(); start += kBlockRows) {
    const Eigen::Index count = std::min(kBlockRows, X.rows() - start);
    X.load(start, count, block);
    for (Eigen::Index d = 0; d < X.cols(); ++d) {
      for (Eigen::Index i = 0; i < count; ++i) imputed(start + i, d) = block(i, d);
    }
  }
  const OutputSink<Scalar, Dim> sink(nullptr, &imputed);
  IncompleteOutputs out;
  out.sink = &sink;
  incomplete_pass(layout, incomplete_model(params, where), out);
  return imputed;
}

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_MISSING_HPP
