#ifndef EMGMM_DETAIL_PASSES_HPP
#define EMGMM_DETAIL_PASSES_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

// The passes over the data. Each walks the rows in blocks of kBlockRows, reads a block in place
// (or converts it to the model's Scalar once, RowSource::view), and does all of its work on it
// while it is in cache: nothing of size n_samples x n_components is ever held. Chunks of blocks
// run in parallel under OpenMP and their partial sums are combined in chunk order (see
// parallel.hpp).

#include <functional>
#include <vector>

#include <Eigen/Core>

#include "accumulate.hpp"
#include "e_step.hpp"
#include "log_sum_exp.hpp"
#include "m_step.hpp"
#include "parallel.hpp"
#include "parameters.hpp"
#include "row_source.hpp"

namespace emgmm {
namespace detail {

/// Per-point scratch columns of the E-step beyond the log-densities: full and tied keep one
/// component's D-column product at a time (sized K x D to leave room for the M-step's copy);
/// diag and spherical sweep the block in place.
inline Eigen::Index product_columns(CovarianceType type, Eigen::Index K, Eigen::Index D) {
  return type == CovarianceType::full || type == CovarianceType::tied ? K * D : 0;
}

/// One EM iteration's pass: the E-step on every block, its responsibilities immediately folded
/// into the sufficient statistics about the current means; log_likelihood gets sum log p(x).
/// Sample weights (X.weighted()) scale each point's responsibilities and log-likelihood: a
/// weight of 3 counts the point three times. With `worst` (capacity > 0), it also keeps the
/// points of positive weight with the lowest log p(x) (reseed_collapsed_components). With
/// `resp_log_resp`, it also sums sum_i w_i sum_k r_ik log r_ik there (the responsibilities' part
/// of BayesianGaussianMixture's lower bound), in chunk order.
template <typename Scalar, int Dim>
SufficientStatistics expectation_pass(const RowSource<Scalar, Dim>& X,
                                      const MixtureParameters<Scalar, Dim>& params,
                                      WorstPoints* worst = nullptr,
                                      double* resp_log_resp = nullptr) {
  using Block = Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>;
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
  const Eigen::Index K = params.n_components();
  const Eigen::Index D = params.n_features();
  const CovarianceType type = params.covariance_type;
  const WeightedLogDensity<Scalar, Dim> density(params);
  // The sums are taken about the current means: one pass as accurate as a centered two-pass.
  const Block& reference = params.means;
  const ChunkPlan plan =
      ChunkPlan::make(X.rows(), block_rows_for(D, K, product_columns(type, K, D)),
                      SufficientStatistics::bytes(type, K, D));
  std::vector<SufficientStatistics> partial(static_cast<std::size_t>(plan.n_chunks));
  std::vector<double> chunk_resp_log_resp(partial.size(), 0.0);
  std::vector<WorstPoints> chunk_worst(worst ? partial.size() : 0,
                                       WorstPoints{worst ? worst->capacity : 0, {}});
  for_each_chunk(plan, [&](Eigen::Index chunk) {
    SufficientStatistics stats(type, K, D);
    Block loaded;  // rows converted to Scalar, when X cannot be read in place
    BlockWork<Scalar, Dim> work;
    Matrix resp;
    Vector log_norm;
    Vector per_point;  // sum_k r log r of each point, when asked for
    plan.for_each_block(chunk, [&](Eigen::Index start, Eigen::Index rows) {
      const BlockView<Scalar, Dim> points = X.view(start, rows, loaded);
      density.evaluate(points, resp, work);
      normalize_log_rows(resp, log_norm, resp_log_resp ? &per_point : nullptr);
      if (worst) {
        for (Eigen::Index i = 0; i < rows; ++i) {
          if (X.weight(start + i) > 0.0) {
            chunk_worst[static_cast<std::size_t>(chunk)].offer(double(log_norm(i)), start + i);
          }
        }
      }
      if (resp_log_resp) {
        chunk_resp_log_resp[static_cast<std::size_t>(chunk)] +=
            X.weighted() ? X.weights(start, rows).dot(per_point.template cast<double>())
                         : per_point.template cast<double>().sum();
      }
      if (X.weighted()) {
        const auto w = X.weights(start, rows);
        stats.log_likelihood += w.dot(log_norm.template cast<double>());
        resp.array().colwise() *= w.template cast<Scalar>().array();
        accumulate(stats, points, resp, reference, work, w.sum());
      } else {
        stats.log_likelihood += log_norm.template cast<double>().sum();
        accumulate(stats, points, resp, reference, work, double(rows));
      }
    });
    partial[static_cast<std::size_t>(chunk)] = std::move(stats);
  });
  for (std::size_t c = 1; c < partial.size(); ++c) partial[0] += partial[c];
  partial[0].reference = reference.template cast<double>();
  if (resp_log_resp) {
    *resp_log_resp = 0.0;
    for (const double part : chunk_resp_log_resp) *resp_log_resp += part;
  }
  // WorstPoints' order is total, so the merged set does not depend on the chunks.
  for (const WorstPoints& kept : chunk_worst) {
    for (const WorstPoints::Entry& entry : kept.entries) worst->offer(entry.first, entry.second);
  }
  return std::move(partial[0]);
}

/// Fills R (rows x K) with the given responsibilities of rows [start, start + rows): how the
/// starts (labels, seed points, random numbers, resp_init) hand theirs to responsibility_pass.
/// A std::function, called once per block, so that the pass is compiled once, not once per
/// kind of start. (A struct, so that Scalar is not deduced from the caller's lambda.)
template <typename Scalar>
struct ResponsibilityBlock {
  using type = std::function<void(Eigen::Index, Eigen::Index,
                                  Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>&)>;
};

/// The statistics of given responsibilities: resp_block(start, rows, R) fills R (rows x K).
/// Used by the initialization, whose responsibilities come from labels or random numbers.
/// resp_block is called from several threads at once, for different blocks.
template <typename Scalar, int Dim>
SufficientStatistics responsibility_pass(
    const RowSource<Scalar, Dim>& X, CovarianceType type, Eigen::Index K,
    const Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>& reference,
    const typename ResponsibilityBlock<Scalar>::type& resp_block) {
  using Block = Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>;
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  const Eigen::Index D = X.cols();
  const ChunkPlan plan =
      ChunkPlan::make(X.rows(), block_rows_for(D, K, product_columns(type, K, D)),
                      SufficientStatistics::bytes(type, K, D));
  std::vector<SufficientStatistics> partial(static_cast<std::size_t>(plan.n_chunks));
  for_each_chunk(plan, [&](Eigen::Index chunk) {
    SufficientStatistics stats(type, K, D);
    Block loaded;  // rows converted to Scalar, when X cannot be read in place
    BlockWork<Scalar, Dim> work;
    Matrix resp;
    plan.for_each_block(chunk, [&](Eigen::Index start, Eigen::Index rows) {
      const BlockView<Scalar, Dim> points = X.view(start, rows, loaded);
      resp.resize(rows, K);
      resp_block(start, rows, resp);
      if (X.weighted()) {
        const auto w = X.weights(start, rows);
        resp.array().colwise() *= w.template cast<Scalar>().array();
        accumulate(stats, points, resp, reference, work, w.sum());
      } else {
        accumulate(stats, points, resp, reference, work, double(rows));
      }
    });
    partial[static_cast<std::size_t>(chunk)] = std::move(stats);
  });
  for (std::size_t c = 1; c < partial.size(); ++c) partial[0] += partial[c];
  partial[0].reference = reference.template cast<double>();
  return std::move(partial[0]);
}

/// Where the per-sample E-step writes: any of the three may be null.
template <typename Scalar>
struct SampleOutputs {
  Eigen::VectorXi* labels = nullptr;                                                  ///< argmax
  Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>* responsibilities = nullptr;  ///< n x K
  Eigen::Matrix<Scalar, Eigen::Dynamic, 1>* log_prob = nullptr;                       ///< log p(x)
};

/// The per-sample E-step used by predict, predict_proba and score_samples (and the final
/// E-step of fit, so fit_predict(X) == fit(X).predict(X)); the outputs must be sized n
/// (x K). Blocks run in parallel, each writing only its own rows.
template <typename Scalar, int Dim>
void evaluation_pass(const RowSource<Scalar, Dim>& X, const MixtureParameters<Scalar, Dim>& params,
                     const SampleOutputs<Scalar>& out) {
  using Block = Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>;
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
  const WeightedLogDensity<Scalar, Dim> density(params);
  const ChunkPlan plan = ChunkPlan::make(
      X.rows(), block_rows_for(params.n_features(), params.n_components(),
                               product_columns(params.covariance_type, params.n_components(),
                                               params.n_features())));
  for_each_chunk(plan, [&](Eigen::Index chunk) {
    Block loaded;  // rows converted to Scalar, when X cannot be read in place
    BlockWork<Scalar, Dim> work;
    Matrix resp;
    Vector log_norm;
    plan.for_each_block(chunk, [&](Eigen::Index start, Eigen::Index rows) {
      const BlockView<Scalar, Dim> points = X.view(start, rows, loaded);
      density.evaluate(points, resp, work);
      normalize_log_rows(resp, log_norm);
      if (out.labels) {
        for (Eigen::Index i = 0; i < rows; ++i) {
          Eigen::Index best = 0;
          resp.row(i).maxCoeff(&best);
          (*out.labels)(start + i) = static_cast<int>(best);
        }
      }
      if (out.responsibilities) out.responsibilities->middleRows(start, rows) = resp;
      if (out.log_prob) out.log_prob->segment(start, rows) = log_norm;
    });
  });
}

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_PASSES_HPP
