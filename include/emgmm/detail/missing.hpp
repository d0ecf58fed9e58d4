#ifndef EMGMM_DETAIL_MISSING_HPP
#define EMGMM_DETAIL_MISSING_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

// EM with missing entries (GaussianMixtureOptions::missing_values = marginalize): the rows of X
// regrouped by missingness pattern (MissingLayout), and the passes over the incomplete ones.
// Complete rows keep the fused blocked passes of passes.hpp; each pattern's rows go through
// incomplete_pass, which factors every component's observed sub-covariance once per pattern.
//
// For a row with observed coordinates o and missing m, and component k of mean mu and
// covariance S (Ghahramani & Jordan 1994; Little & Rubin 2002, ch. 11):
//   log p(x_o | k)     = -|o|/2 log 2 pi - log det L - |z|^2 / 2,  L L^T = S_oo, L z = x_o - mu_o
//   E[x_m | x_o, k]    = mu_m + S_mo S_oo^-1 (x_o - mu_o) = mu_m + B^T z,  B = L^-1 S_om
//   Cov[x_m | x_o, k]  = S_mm - S_mo S_oo^-1 S_om = S_mm - B^T B
// The E-step's statistics then hold, for the completed row x^ (x_o, E[x_m | x_o, k]), the sums
// of r (x^ - m_k) and r ((x^ - m_k)(x^ - m_k)^T + Cov[x_m | x_o, k] on the (m, m) block): the
// expected complete-data statistics, which the M-step (m_step.hpp) turns into the next model
// unchanged. Sub-matrices are taken of the covariance, never of the precision.

#include <cmath>
#include <cstddef>
#include <optional>
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

/// The rows of X regrouped for EM with missing entries. The rows with at least one observed
/// entry ("informative") are copied into `rows`: the complete rows first, in their order, then
/// each missingness pattern's rows together (patterns in the order of their first row). A
/// missing entry of `rows` holds its column's weighted mean of the observed entries (0 for a
/// column without any): the values an initialization from the data starts from. Rows with no
/// observed entry carry no information; they are listed in `empty` and take no part in a fit.
/// Built once per call; not copyable (complete_rows() views `rows`).
template <typename Scalar, int Dim>
class MissingLayout {
 public:
  using Data = Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>;

  /// One missingness pattern: rows [start, start + count) of `rows`.
  struct Pattern {
    Eigen::Index start = 0;
    Eigen::Index count = 0;
    std::vector<Eigen::Index> observed;
    std::vector<Eigen::Index> missing;
  };

  explicit MissingLayout(const RowSource<Scalar, Dim>& X) : weighted_(X.weighted()) {
    const Eigen::Index n = X.rows();
    const Eigen::Index D = X.cols();
    // Pass 1: each row's pattern, numbered by first appearance (0: complete, -1: empty).
    std::vector<int> pattern_of(static_cast<std::size_t>(n), 0);
    std::unordered_map<std::string, int> ids;
    std::vector<std::string> keys;
    std::vector<Eigen::Index> counts(1, 0);  // counts[0]: complete rows
    Data block;
    std::string key(static_cast<std::size_t>(D), '\0');
    for (Eigen::Index start = 0; start < n; start += kBlockRows) {
      const Eigen::Index count = std::min(kBlockRows, n - start);
      X.load(start, count, block);
      for (Eigen::Index i = 0; i < count; ++i) {
        Eigen::Index n_missing = 0;
        for (Eigen::Index d = 0; d < D; ++d) {
          const bool missing = std::isnan(block(i, d));
          key[static_cast<std::size_t>(d)] = missing ? '1' : '0';
          n_missing += missing ? 1 : 0;
        }
        int id = 0;
        if (n_missing == D) {
          id = -1;
          empty_.push_back(start + i);
        } else if (n_missing > 0) {
          const auto found = ids.emplace(key, static_cast<int>(keys.size()) + 1);
          if (found.second) {
            keys.push_back(key);
            counts.push_back(0);
          }
          id = found.first->second;
        }
        pattern_of[static_cast<std::size_t>(start + i)] = id;
        if (id >= 0) ++counts[static_cast<std::size_t>(id)];
      }
    }
    // Where each group's rows go: complete rows, then the patterns.
    std::vector<Eigen::Index> next(counts.size(), 0);
    n_complete_ = counts[0];
    Eigen::Index offset = counts[0];
    for (std::size_t p = 1; p < counts.size(); ++p) {
      Pattern pattern;
      pattern.start = offset;
      pattern.count = counts[p];
      for (Eigen::Index d = 0; d < D; ++d) {
        (keys[p - 1][static_cast<std::size_t>(d)] == '1' ? pattern.missing : pattern.observed)
            .push_back(d);
      }
      next[p] = offset;
      offset += counts[p];
      patterns_.push_back(std::move(pattern));
    }
    // Pass 2: the rows into their places, with the column sums for the fill values.
    rows_.resize(offset, D);
    order_.resize(static_cast<std::size_t>(offset));
    if (weighted_) weights_.resize(offset);
    Eigen::ArrayXd column_sum = Eigen::ArrayXd::Zero(D);
    column_weight_ = Eigen::ArrayXd::Zero(D);
    for (Eigen::Index start = 0; start < n; start += kBlockRows) {
      const Eigen::Index count = std::min(kBlockRows, n - start);
      X.load(start, count, block);
      for (Eigen::Index i = 0; i < count; ++i) {
        const int id = pattern_of[static_cast<std::size_t>(start + i)];
        if (id < 0) continue;
        const Eigen::Index to = next[static_cast<std::size_t>(id)]++;
        rows_.row(to) = block.row(i);
        order_[static_cast<std::size_t>(to)] = start + i;
        const double w = X.weight(start + i);
        if (weighted_) weights_(to) = w;
        for (Eigen::Index d = 0; d < D; ++d) {
          if (std::isnan(block(i, d))) continue;
          column_sum(d) += w * double(block(i, d));
          column_weight_(d) += w;
        }
      }
    }
    for (Eigen::Index d = 0; d < D; ++d) {
      const Scalar fill =
          column_weight_(d) > 0.0 ? static_cast<Scalar>(column_sum(d) / column_weight_(d)) : 0;
      for (const Pattern& pattern : patterns_) {
        for (Eigen::Index j = pattern.start; j < pattern.start + pattern.count; ++j) {
          if (std::isnan(rows_(j, d))) rows_(j, d) = fill;
        }
      }
    }
    complete_view_.emplace(rows_.data(), n_complete_, D, Eigen::OuterStride<>(rows_.rows()));
    n_rows_ = n;
  }
  MissingLayout(const MissingLayout&) = delete;
  MissingLayout& operator=(const MissingLayout&) = delete;

  Eigen::Index n_rows() const { return n_rows_; }  ///< of X, empty rows included
  Eigen::Index n_features() const { return rows_.cols(); }
  Eigen::Index n_complete() const { return n_complete_; }
  const Data& rows() const { return rows_; }
  const std::vector<Pattern>& patterns() const { return patterns_; }
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
    if (!weighted_) return rows_.rows();
    return static_cast<Eigen::Index>((weights_.array() > 0.0).count());
  }

  /// Every informative row, missing entries filled (for initializations and re-seeding).
  RowSource<Scalar, Dim> informative_rows() const {
    return weighted_ ? RowSource<Scalar, Dim>(rows_, weights_) : RowSource<Scalar, Dim>(rows_);
  }
  /// The complete rows, read in place by the blocked passes.
  RowSource<Scalar, Dim> complete_rows() const {
    return weighted_ ? RowSource<Scalar, Dim>(*complete_view_, weights_)
                     : RowSource<Scalar, Dim>(*complete_view_);
  }

 private:
  Data rows_;
  Eigen::VectorXd weights_;
  std::vector<Eigen::Index> order_;
  Eigen::Index n_complete_ = 0;
  Eigen::Index n_rows_ = 0;
  std::vector<Pattern> patterns_;
  std::vector<Eigen::Index> empty_;
  Eigen::ArrayXd column_weight_;
  bool weighted_ = false;
  std::optional<BlockView<Scalar, Dim>> complete_view_;
};

/// What incomplete_pass writes; any may be null. `samples` and `imputed` are indexed by X's
/// rows (n x K, n, n x D); `stats` receives the incomplete rows' statistics (added to it, about
/// the model's means); `worst` indexes rows().
template <typename Scalar, int Dim>
struct IncompleteOutputs {
  const SampleOutputs<Scalar>* samples = nullptr;
  SufficientStatistics* stats = nullptr;
  WorstPoints* worst = nullptr;
  Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>* imputed = nullptr;
};

/// One component restricted to a pattern: the factors of the formulas at the top of the file.
struct MarginalFactor {
  Eigen::MatrixXd L;       ///< |o| x |o|, lower: L L^T = S_oo
  Eigen::MatrixXd B;       ///< |o| x |m|: L^-1 S_om
  Eigen::MatrixXd C;       ///< |m| x |m|: S_mm - B^T B
  double log_constant{0};  ///< log weight - |o|/2 log 2 pi - log det L
};

/// The E-step on the rows of every missingness pattern and on the empty rows, in double. The
/// patterns are cut into chunks by their number only, and the chunks' sums added in chunk
/// order, so results do not depend on the number of threads. Throws NumericalError when an
/// observed sub-covariance is not positive definite.
template <typename Scalar, int Dim>
void incomplete_pass(const MissingLayout<Scalar, Dim>& layout,
                     const MixtureParameters<Scalar, Dim>& params,
                     const IncompleteOutputs<Scalar, Dim>& out) {
  const CovarianceType type = params.covariance_type;
  const Eigen::Index K = params.n_components();
  const Eigen::Index D = params.n_features();
  const Eigen::MatrixXd means = params.means.template cast<double>();
  Eigen::VectorXd log_weights(K);
  for (Eigen::Index k = 0; k < K; ++k) {
    log_weights(k) = params.log_weights.size() == K ? params.log_weights(k)
                                                    : std::log(double(params.weights(k)));
  }
  std::vector<Eigen::MatrixXd> sigma(static_cast<std::size_t>(K));
  for (Eigen::Index k = 0; k < K; ++k) {
    sigma[static_cast<std::size_t>(k)] =
        expand_component<Scalar, Dim>(params.covariances, type, k, D).template cast<double>();
  }
  const double log_2pi = std::log(2.0 * 3.14159265358979323846);
  const auto& patterns = layout.patterns();
  const auto n_patterns = static_cast<Eigen::Index>(patterns.size());
  const ChunkPlan plan =
      ChunkPlan::make(n_patterns, 1, out.stats ? SufficientStatistics::bytes(type, K, D) : 0.0);
  std::vector<SufficientStatistics> partial(static_cast<std::size_t>(plan.n_chunks));
  std::vector<WorstPoints> chunk_worst(out.worst ? partial.size() : 0,
                                       WorstPoints{out.worst ? out.worst->capacity : 0, {}});
  for_each_chunk(plan, [&](Eigen::Index chunk) {
    SufficientStatistics stats;
    if (out.stats) stats = SufficientStatistics(type, K, D);
    std::vector<MarginalFactor> factors(static_cast<std::size_t>(K));
    std::vector<Eigen::MatrixXd> z(static_cast<std::size_t>(K));
    Eigen::MatrixXd observed, log_prob, T;
    Eigen::VectorXd log_norm;
    plan.for_each_block(chunk, [&](Eigen::Index p, Eigen::Index) {
      const auto& pattern = patterns[static_cast<std::size_t>(p)];
      const auto& o = pattern.observed;
      const auto& m = pattern.missing;
      const auto n_o = static_cast<Eigen::Index>(o.size());
      const auto n_m = static_cast<Eigen::Index>(m.size());
      for (Eigen::Index k = 0; k < K; ++k) {
        const Eigen::MatrixXd& S = sigma[static_cast<std::size_t>(k)];
        MarginalFactor& f = factors[static_cast<std::size_t>(k)];
        f.L = S(o, o);
        if (!cholesky_lower_in_place(f.L.data(), n_o)) {
          throw NumericalError(
              "emgmm: the covariance of component " + to_text(k) +
              " restricted to a row's observed features is not positive definite; increase "
              "reg_covar.");
        }
        f.B = S(o, m);
        solve_lower_in_place(f.L.data(), n_o, f.B.data(), n_m, n_o);
        f.C = S(m, m);
        f.C.noalias() -= f.B.transpose() * f.B;
        f.log_constant =
            log_weights(k) - 0.5 * double(n_o) * log_2pi - f.L.diagonal().array().log().sum();
      }
      for (Eigen::Index start = pattern.start; start < pattern.start + pattern.count;
           start += kBlockRows) {
        const Eigen::Index rows = std::min(kBlockRows, pattern.start + pattern.count - start);
        // The block's observed entries, one column per row.
        observed.resize(n_o, rows);
        for (Eigen::Index i = 0; i < rows; ++i) {
          for (Eigen::Index c = 0; c < n_o; ++c) {
            observed(c, i) = double(layout.rows()(start + i, o[static_cast<std::size_t>(c)]));
          }
        }
        log_prob.resize(rows, K);
        for (Eigen::Index k = 0; k < K; ++k) {
          Eigen::MatrixXd& zk = z[static_cast<std::size_t>(k)];
          const MarginalFactor& f = factors[static_cast<std::size_t>(k)];
          zk = observed.colwise() - means(k, o).transpose();
          solve_lower_in_place(f.L.data(), n_o, zk.data(), rows, n_o);
          log_prob.col(k) =
              (f.log_constant - 0.5 * zk.colwise().squaredNorm().array()).transpose().matrix();
        }
        normalize_log_rows(log_prob, log_norm);  // log_prob now holds the responsibilities
        if (out.samples) {
          const SampleOutputs<Scalar>& s = *out.samples;
          for (Eigen::Index i = 0; i < rows; ++i) {
            const Eigen::Index row = layout.original_row(start + i);
            if (s.labels) {
              Eigen::Index best = 0;
              log_prob.row(i).maxCoeff(&best);
              (*s.labels)(row) = static_cast<int>(best);
            }
            if (s.responsibilities) {
              s.responsibilities->row(row) = log_prob.row(i).template cast<Scalar>();
            }
            if (s.log_prob) (*s.log_prob)(row) = static_cast<Scalar>(log_norm(i));
          }
        }
        if (out.worst) {
          for (Eigen::Index i = 0; i < rows; ++i) {
            if (layout.weight(start + i) > 0.0) {
              chunk_worst[static_cast<std::size_t>(chunk)].offer(log_norm(i), start + i);
            }
          }
        }
        if (out.imputed) {
          Eigen::MatrixXd expected = Eigen::MatrixXd::Zero(n_m, rows);
          for (Eigen::Index k = 0; k < K; ++k) {
            const MarginalFactor& f = factors[static_cast<std::size_t>(k)];
            Eigen::MatrixXd conditional = f.B.transpose() * z[static_cast<std::size_t>(k)];
            conditional.colwise() += means(k, m).transpose();
            expected += conditional * log_prob.col(k).asDiagonal();
          }
          for (Eigen::Index i = 0; i < rows; ++i) {
            const Eigen::Index row = layout.original_row(start + i);
            for (Eigen::Index c = 0; c < n_m; ++c) {
              (*out.imputed)(row, m[static_cast<std::size_t>(c)]) =
                  static_cast<Scalar>(expected(c, i));
            }
          }
        }
        if (out.stats) {
          Eigen::VectorXd w(rows);
          for (Eigen::Index i = 0; i < rows; ++i) w(i) = layout.weight(start + i);
          stats.log_likelihood += w.dot(log_norm);
          stats.n_samples += w.sum();
          T.resize(D, rows);
          for (Eigen::Index k = 0; k < K; ++k) {
            const MarginalFactor& f = factors[static_cast<std::size_t>(k)];
            const Eigen::MatrixXd& zk = z[static_cast<std::size_t>(k)];
            const Eigen::VectorXd r = log_prob.col(k).cwiseProduct(w);
            const double r_sum = r.sum();
            // The completed rows about the reference mean m_k = mu_k: x_o - mu_o observed,
            // B^T z (the conditional mean minus mu_m) missing.
            T(o, Eigen::all) = observed.colwise() - means(k, o).transpose();
            T(m, Eigen::all) = f.B.transpose() * zk;
            stats.resp_sum(k) += r_sum;
            stats.resp_diff_sum.row(k) += (T * r).transpose();
            if (type == CovarianceType::full || type == CovarianceType::tied) {
              Eigen::MatrixXd second = T * r.asDiagonal() * T.transpose();
              second(m, m) += r_sum * f.C;
              auto block = stats.scatter.middleRows(type == CovarianceType::full ? k * D : 0, D);
              block.template triangularView<Eigen::Lower>() += second;
            } else {
              Eigen::RowVectorXd second = (T.array().square().matrix() * r).transpose();
              second(m) += r_sum * f.C.diagonal().transpose();
              stats.scatter.row(k) += second;
            }
          }
        }
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
  if (!layout.empty().empty() && (out.samples || out.imputed)) {
    Eigen::VectorXd weights = params.weights.template cast<double>();
    if (params.log_weights.size() == K) {
      weights = (params.log_weights.array() - params.log_weights.maxCoeff()).exp().matrix();
      weights /= weights.sum();
    }
    Eigen::Index best = 0;
    weights.maxCoeff(&best);
    const Eigen::RowVectorXd mixture_mean = weights.transpose() * means;
    for (const Eigen::Index row : layout.empty()) {
      if (out.samples && out.samples->labels) (*out.samples->labels)(row) = static_cast<int>(best);
      if (out.samples && out.samples->responsibilities) {
        out.samples->responsibilities->row(row) = weights.transpose().template cast<Scalar>();
      }
      if (out.samples && out.samples->log_prob) (*out.samples->log_prob)(row) = Scalar(0);
      if (out.imputed) out.imputed->row(row) = mixture_mean.template cast<Scalar>();
    }
  }
}

/// One EM iteration's statistics on data with missing entries: the complete rows through
/// expectation_pass (the fused blocked E-step and accumulation), the patterns through
/// incomplete_pass, added up; `worst` indexes layout.rows().
template <typename Scalar, int Dim>
SufficientStatistics missing_expectation(const MissingLayout<Scalar, Dim>& layout,
                                         const MixtureParameters<Scalar, Dim>& params,
                                         WorstPoints* worst = nullptr) {
  SufficientStatistics stats;
  if (layout.n_complete() > 0) {
    stats = expectation_pass(layout.complete_rows(), params, worst);
  } else {
    stats =
        SufficientStatistics(params.covariance_type, params.n_components(), params.n_features());
    stats.reference = params.means.template cast<double>();
  }
  IncompleteOutputs<Scalar, Dim> out;
  out.stats = &stats;
  out.worst = worst;
  incomplete_pass(layout, params, out);
  return stats;
}

/// The per-sample E-step (predict, predict_proba, score_samples) on data with missing entries;
/// the outputs are sized as X's rows (layout.n_rows()).
template <typename Scalar, int Dim>
void missing_evaluation(const MissingLayout<Scalar, Dim>& layout,
                        const MixtureParameters<Scalar, Dim>& params,
                        const SampleOutputs<Scalar>& out) {
  const Eigen::Index n_complete = layout.n_complete();
  if (n_complete > 0) {
    Eigen::VectorXi labels;
    Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> responsibilities;
    Eigen::Matrix<Scalar, Eigen::Dynamic, 1> log_prob;
    SampleOutputs<Scalar> complete;
    if (out.labels) complete.labels = &(labels = Eigen::VectorXi(n_complete));
    if (out.responsibilities) {
      responsibilities.resize(n_complete, params.n_components());
      complete.responsibilities = &responsibilities;
    }
    if (out.log_prob) complete.log_prob = &(log_prob = decltype(log_prob)(n_complete));
    evaluation_pass(layout.complete_rows(), params, complete);
    for (Eigen::Index j = 0; j < n_complete; ++j) {
      const Eigen::Index row = layout.original_row(j);
      if (out.labels) (*out.labels)(row) = labels(j);
      if (out.responsibilities) out.responsibilities->row(row) = responsibilities.row(j);
      if (out.log_prob) (*out.log_prob)(row) = log_prob(j);
    }
  }
  IncompleteOutputs<Scalar, Dim> incomplete;
  incomplete.samples = &out;
  incomplete_pass(layout, params, incomplete);
}

/// E[x | x_observed] of every row of X under the mixture (n x D): observed entries as they
/// are, missing ones the responsibility-weighted conditional means of the components.
template <typename Scalar, int Dim>
Eigen::Matrix<Scalar, Eigen::Dynamic, Dim> impute_rows(
    const RowSource<Scalar, Dim>& X, const MixtureParameters<Scalar, Dim>& params) {
  const MissingLayout<Scalar, Dim> layout(X);
  Eigen::Matrix<Scalar, Eigen::Dynamic, Dim> imputed(X.rows(), X.cols());
  for (Eigen::Index start = 0; start < X.rows(); start += kBlockRows) {
    const Eigen::Index count = std::min(kBlockRows, X.rows() - start);
    Eigen::Matrix<Scalar, Eigen::Dynamic, Dim> block;
    X.load(start, count, block);
    imputed.middleRows(start, count) = block;
  }
  IncompleteOutputs<Scalar, Dim> out;
  out.imputed = &imputed;
  incomplete_pass(layout, params, out);
  return imputed;
}

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_MISSING_HPP
