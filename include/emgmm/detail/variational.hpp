#ifndef EMGMM_DETAIL_VARIATIONAL_HPP
#define EMGMM_DETAIL_VARIATIONAL_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

// The variational Bayesian mixture's M-step and lower bound (sklearn's BayesianGaussianMixture:
// _estimate_weights, _estimate_means, _estimate_precisions, _estimate_log_weights,
// _estimate_log_prob, _compute_lower_bound; Bishop, PRML 10.2, with sklearn's normalization of
// the Wishart scale by the degrees of freedom). The E-step is GaussianMixture's own
// (e_step.hpp, passes.hpp): the posterior enters it through MixtureParameters::log_weights.

#include <cmath>
#include <optional>
#include <string>

#include <Eigen/Core>

#include "../covariance_type.hpp"
#include "../sufficient_statistics.hpp"
#include "covariance.hpp"
#include "m_step.hpp"
#include "parameters.hpp"
#include "special_functions.hpp"

namespace emgmm {
namespace detail {

/// The priors as fit() resolved them (sklearn's attributes weight_concentration_prior_,
/// mean_precision_prior_, mean_prior_, degrees_of_freedom_prior_, covariance_prior_).
struct VariationalPriors {
  WeightConcentrationPriorType weight_type = WeightConcentrationPriorType::dirichlet_process;
  double weight_concentration = 0.0;
  double mean_precision = 0.0;
  Eigen::RowVectorXd mean;  ///< D
  double degrees_of_freedom = 0.0;
  Eigen::MatrixXd covariance;  ///< full, tied D x D; diag 1 x D; spherical 1 x 1
};

/// The variational posterior: the Gaussian part in `mixture` (means, covariances normalized by
/// the degrees of freedom, their precision Cholesky factors, the expected weights, and the
/// E-step's log weights), and the parameters of the Dirichlet (or stick-breaking Beta),
/// Gaussian and Wishart factors.
template <typename Scalar, int Dim>
struct VariationalParameters {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
  MixtureParameters<Scalar, Dim> mixture;
  /// dirichlet_process: K x 2, the Beta parameters of the sticks (sklearn's tuple
  /// weight_concentration_[0], [1]); dirichlet_distribution: K x 1.
  Matrix weight_concentration;
  Vector mean_precision;      ///< K
  Vector degrees_of_freedom;  ///< K (tied: K copies of the one value)
};

/// Expected weights (sklearn's weights_) and the E-step's log weights from the stored
/// posterior, read in double from its Scalar values so that a model continued (warm_start)
/// or loaded computes exactly what the fitted one did.
template <typename Scalar, int Dim>
void complete_posterior(VariationalParameters<Scalar, Dim>& p) {
  const Eigen::Index K = p.mean_precision.size();
  const Eigen::Index D = p.mixture.n_features();
  const Eigen::MatrixXd concentration = p.weight_concentration.template cast<double>();
  Eigen::VectorXd weights(K);
  Eigen::VectorXd expected_log_weights(K);
  if (concentration.cols() == 2) {
    // Stick breaking: pi_k = v_k prod_{j<k} (1 - v_j), v_k ~ Beta(a_k, b_k).
    double remaining = 1.0;      // prod_{j<k} E[1 - v_j]
    double log_remaining = 0.0;  // sum_{j<k} E[log(1 - v_j)]
    for (Eigen::Index k = 0; k < K; ++k) {
      const double a = concentration(k, 0);
      const double b = concentration(k, 1);
      const double digamma_sum = digamma(a + b);
      weights(k) = a / (a + b) * remaining;
      expected_log_weights(k) = digamma(a) - digamma_sum + log_remaining;
      remaining *= b / (a + b);
      log_remaining += digamma(b) - digamma_sum;
    }
  } else {
    weights = concentration.col(0);
    const double digamma_sum = digamma(concentration.sum());
    for (Eigen::Index k = 0; k < K; ++k)
      expected_log_weights(k) = digamma(concentration(k, 0)) - digamma_sum;
  }
  p.mixture.weights = (weights / weights.sum()).template cast<Scalar>();
  // E[log det precision] and E[(x - m)^T precision (x - m)] beyond the plug-in Gaussian:
  // log_lambda = D log 2 + sum_d psi((nu - d) / 2), and - D / beta; the covariances are
  // normalized by nu, hence - D/2 log nu (sklearn's _estimate_log_prob).
  p.mixture.log_weights.resize(K);
  for (Eigen::Index k = 0; k < K; ++k) {
    const double nu = double(p.degrees_of_freedom(k));
    double log_lambda = double(D) * std::log(2.0);
    for (Eigen::Index d = 0; d < D; ++d) log_lambda += digamma(0.5 * (nu - double(d)));
    p.mixture.log_weights(k) = expected_log_weights(k) - 0.5 * double(D) * std::log(nu) +
                               0.5 * (log_lambda - double(D) / double(p.mean_precision(k)));
  }
}

/// The variational M-step: the posterior `p` from the statistics of the E-step's
/// responsibilities (sklearn's _m_step, and _initialize on the starting responsibilities).
/// Returns the first component whose covariance is not positive definite (`p` is then
/// incomplete), for the estimator to name in its message, or nothing.
template <typename Scalar, int Dim>
[[nodiscard]] std::optional<Eigen::Index> variational_update(
    const SufficientStatistics& stats, double reg_covar, const VariationalPriors& prior,
    VariationalParameters<Scalar, Dim>& p) {
  const CovarianceType type = stats.covariance_type;
  const Eigen::Index K = stats.resp_sum.size();
  const Eigen::Index D = stats.resp_diff_sum.cols();
  const GaussianEstimates estimates = estimate_gaussian_parameters(
      stats, reg_covar, double(std::numeric_limits<Scalar>::epsilon()));
  const Eigen::VectorXd& nk = estimates.nk;

  p = VariationalParameters<Scalar, Dim>();
  // Weights (_estimate_weights).
  if (prior.weight_type == WeightConcentrationPriorType::dirichlet_process) {
    Eigen::MatrixXd concentration(K, 2);
    double tail = 0.0;  // sum_{j>k} nk_j, summed from the last component as sklearn's cumsum
    for (Eigen::Index k = K - 1; k >= 0; --k) {
      concentration(k, 0) = 1.0 + nk(k);
      concentration(k, 1) = prior.weight_concentration + tail;
      tail += nk(k);
    }
    p.weight_concentration = concentration.template cast<Scalar>();
  } else {
    p.weight_concentration =
        (prior.weight_concentration + nk.array()).matrix().template cast<Scalar>();
  }
  // Means (_estimate_means).
  const Eigen::VectorXd beta = prior.mean_precision + nk.array();
  Eigen::MatrixXd means(K, D);
  for (Eigen::Index k = 0; k < K; ++k) {
    // (beta0 m0 + nk xk) / beta written as m0 + nk / beta (xk - m0): the sum of the two terms
    // overflows where the data lie near the largest double (found by the fuzzer); the step
    // from m0 toward xk stays between them.
    means.row(k) = prior.mean + (nk(k) / beta(k)) * (estimates.means.row(k) - prior.mean);
  }
  // Precisions (_estimate_wishart_*): the Wishart scale, normalized by its degrees of freedom.
  const Eigen::MatrixXd& sk = estimates.covariances;
  Eigen::VectorXd nu(K);
  Eigen::MatrixXd covariances(sk.rows(), sk.cols());
  switch (type) {
    case CovarianceType::full:
      for (Eigen::Index k = 0; k < K; ++k) {
        nu(k) = prior.degrees_of_freedom + nk(k);
        const Eigen::RowVectorXd diff = estimates.means.row(k) - prior.mean;
        Eigen::MatrixXd block =
            prior.covariance + nk(k) * sk.middleRows(k * D, D) +
            (nk(k) * prior.mean_precision / beta(k)) * (diff.transpose() * diff);
        block /= nu(k);
        covariances.middleRows(k * D, D) =
            block.selfadjointView<Eigen::Lower>();  // exactly symmetric
      }
      break;
    case CovarianceType::tied: {
      const double mean_nk = nk.sum() / double(K);
      nu.setConstant(prior.degrees_of_freedom + mean_nk);
      Eigen::MatrixXd spread = Eigen::MatrixXd::Zero(D, D);
      for (Eigen::Index k = 0; k < K; ++k) {
        const Eigen::RowVectorXd diff = estimates.means.row(k) - prior.mean;
        spread += (nk(k) / beta(k)) * (diff.transpose() * diff);
      }
      covariances = prior.covariance + sk * mean_nk + (prior.mean_precision / double(K)) * spread;
      covariances /= nu(0);
      covariances = Eigen::MatrixXd(covariances.selfadjointView<Eigen::Lower>());
      break;
    }
    case CovarianceType::diag:
      for (Eigen::Index k = 0; k < K; ++k) {
        nu(k) = prior.degrees_of_freedom + nk(k);
        const Eigen::ArrayXXd diff = estimates.means.row(k) - prior.mean;
        covariances.row(k) =
            (prior.covariance.array() +
             nk(k) * (sk.row(k).array() + prior.mean_precision / beta(k) * diff.square())) /
            nu(k);
      }
      break;
    case CovarianceType::spherical:
      for (Eigen::Index k = 0; k < K; ++k) {
        nu(k) = prior.degrees_of_freedom + nk(k);
        const double mean_square = (estimates.means.row(k) - prior.mean).array().square().mean();
        covariances(k, 0) = (prior.covariance(0, 0) +
                             nk(k) * (sk(k, 0) + prior.mean_precision / beta(k) * mean_square)) /
                            nu(k);
      }
      break;
  }
  p.mean_precision = beta.template cast<Scalar>();
  p.degrees_of_freedom = nu.template cast<Scalar>();
  p.mixture.covariance_type = type;
  p.mixture.means = means.template cast<Scalar>();
  p.mixture.covariances = covariances.template cast<Scalar>();
  const std::optional<Eigen::Index> ill_defined = compute_precision_cholesky<Scalar, Dim>(
      p.mixture.covariances, type, K, D, p.mixture.precisions_cholesky);
  if (ill_defined) return ill_defined;
  complete_posterior(p);
  return std::nullopt;
}

/// sklearn's _compute_lower_bound: the evidence lower bound up to constants, from the posterior
/// after the M-step and sum_i w_i sum_k r_ik log r_ik of the E-step before it.
template <typename Scalar, int Dim>
double evidence_lower_bound(const VariationalParameters<Scalar, Dim>& p, double resp_log_resp) {
  const CovarianceType type = p.mixture.covariance_type;
  const Eigen::Index K = p.mean_precision.size();
  const Eigen::Index D = p.mixture.n_features();
  const Eigen::Matrix<Scalar, Eigen::Dynamic, 1> log_det =
      log_det_cholesky<Scalar>(p.mixture.precisions_cholesky, type, K, D);
  // Negative log normalizers of the Wishart factors (without the log pi term sklearn drops).
  const auto log_wishart_norm = [&](Eigen::Index k) {
    const double nu = double(p.degrees_of_freedom(k));
    const double log_det_precision_cholesky = double(log_det(k)) - 0.5 * double(D) * std::log(nu);
    double log_gammas = 0.0;
    for (Eigen::Index d = 0; d < D; ++d) log_gammas += log_gamma(0.5 * (nu - double(d)));
    return -(nu * log_det_precision_cholesky + nu * double(D) * 0.5 * std::log(2.0) + log_gammas);
  };
  double log_wishart = 0.0;
  if (type == CovarianceType::tied) {
    log_wishart = double(K) * log_wishart_norm(0);  // one shared factor, counted K times as sklearn
  } else {
    for (Eigen::Index k = 0; k < K; ++k) log_wishart += log_wishart_norm(k);
  }
  const Eigen::MatrixXd concentration = p.weight_concentration.template cast<double>();
  double log_norm_weight = 0.0;
  if (concentration.cols() == 2) {
    for (Eigen::Index k = 0; k < K; ++k)
      log_norm_weight -= log_beta(concentration(k, 0), concentration(k, 1));
  } else {
    log_norm_weight = log_gamma(concentration.sum());
    for (Eigen::Index k = 0; k < K; ++k) log_norm_weight -= log_gamma(concentration(k, 0));
  }
  const double log_mean_precision = p.mean_precision.template cast<double>().array().log().sum();
  return -resp_log_resp - log_wishart - log_norm_weight - 0.5 * double(D) * log_mean_precision;
}

/// What is wrong with a covariance prior in VariationalPriors' storage (full and tied D x D,
/// diag 1 x D, spherical 1 x 1), or "": finite variances >= 0 and, as a matrix, exactly
/// symmetric. The default prior, the data's covariance, may be singular (a constant feature).
/// fit() checks the prior it computed and load() the one it read with this one test. (A
/// template on an unused Real, as missing.hpp's passes: only files that fit or load compile it.)
template <typename Real = double>
inline std::string covariance_prior_defect(const Eigen::MatrixXd& covariance) {
  if (!covariance.allFinite()) return "the covariance prior is not finite";
  if (covariance.size() == 0) return "the covariance prior is empty";
  const bool square = covariance.rows() == covariance.cols();  // full and tied (diag 1 x D)
  const double smallest = square ? covariance.diagonal().minCoeff() : covariance.minCoeff();
  if (!(smallest >= 0.0)) return "the covariance prior has a negative variance";
  if (square && !(covariance == covariance.transpose()))
    return "the covariance prior is not symmetric";
  return std::string();
}

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_VARIATIONAL_HPP
