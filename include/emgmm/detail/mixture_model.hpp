#ifndef EMGMM_DETAIL_MIXTURE_MODEL_HPP
#define EMGMM_DETAIL_MIXTURE_MODEL_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

// What a fitted GaussianMixture and a fitted BayesianGaussianMixture have in common (sklearn's
// BaseMixture): the queries, the mixture's fitted attributes, and the checks behind them, written
// once. A CRTP base: Derived gives its name for messages (kName), its fitted mixture
// (fitted_mixture(), the MixtureParameters the E-step runs on) and its random_state
// (get_params()); the base keeps the fitted state both share.

#include <limits>
#include <string>

#include <Eigen/Core>

#include "../errors.hpp"
#include "covariance.hpp"
#include "missing.hpp"
#include "model_check.hpp"
#include "parameters.hpp"
#include "passes.hpp"
#include "random.hpp"
#include "row_source.hpp"
#include "sampling.hpp"
#include "validation.hpp"

namespace emgmm {
namespace detail {

template <typename Derived, typename Scalar, int Dim>
class MixtureModel {
 public:
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
  using Means = Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>;
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using SquareMatrix = Eigen::Matrix<Scalar, Dim, Dim>;
  using Data = Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>;
  using Labels = Eigen::VectorXi;

  /// What sample() returns: the points and the component each was drawn from, grouped by
  /// component as sklearn does. `auto [X, y] = model.sample(100);`
  struct Samples {
    Data X;
    Labels y;
  };

  /// The most probable component of every row of X.
  template <typename DerivedX>
  Labels predict(const Eigen::MatrixBase<DerivedX>& X) const {
    check_input(X, "predict");
    Labels labels(X.rows());
    SampleOutputs<Scalar> out;
    out.labels = &labels;
    evaluate_input(X, out, "predict");
    return labels;
  }

  /// Posterior probability of each component for every row of X (n x n_components).
  template <typename DerivedX>
  Matrix predict_proba(const Eigen::MatrixBase<DerivedX>& X) const {
    check_input(X, "predict_proba");
    Matrix proba(X.rows(), mixture().n_components());
    SampleOutputs<Scalar> out;
    out.responsibilities = &proba;
    evaluate_input(X, out, "predict_proba");
    return proba;
  }

  /// log p(x) of every row of X under the model. For BayesianGaussianMixture, as sklearn's, the
  /// log-sum-exp of its E-step terms (the variational log weights and Wishart terms in place of
  /// log weights()): not a normalized density.
  template <typename DerivedX>
  Vector score_samples(const Eigen::MatrixBase<DerivedX>& X) const {
    return log_likelihoods(X, "score_samples");
  }

  /// Mean of score_samples(X).
  template <typename DerivedX>
  double score(const Eigen::MatrixBase<DerivedX>& X) const {
    return log_likelihoods(X, "score").template cast<double>().mean();
  }

  /// n_samples points drawn from the mixture of weights(), means() and covariances(), with
  /// their components. Reproducible: the same random_state gives the same points at every call.
  Samples sample(Eigen::Index n_samples = 1) const {
    require_fitted("sample");
    Samples samples;
    draw_samples(mixture(), n_samples, Random::seed_from(derived().get_params().random_state),
                 name("sample"), samples.X, samples.y);
    return samples;
  }

  bool is_fitted() const { return n_features_in_ > 0; }
  /// Mixing weights, K values summing to one (sklearn's weights_; for BayesianGaussianMixture
  /// their expectation under the posterior).
  const Vector& weights() const { return (require_fitted("weights"), mixture().weights); }
  /// K x D component means (sklearn's means_).
  const Means& means() const { return (require_fitted("means"), mixture().means); }
  /// Covariances in the storage of covariance_type (see covariance_type.hpp): full (K*D) x D
  /// with component k in rows k*D .. k*D+D-1, tied D x D, diag K x D, spherical K x 1
  /// (sklearn's covariances_; for BayesianGaussianMixture the Wishart scales divided by their
  /// degrees of freedom).
  const Matrix& covariances() const {
    return (require_fitted("covariances"), mixture().covariances);
  }
  /// Precisions (inverse covariances), in the same storage (sklearn's precisions_).
  const Matrix& precisions() const { return (require_fitted("precisions"), precisions_); }
  /// Cholesky factors P of the precisions, P P^T = precision, same storage
  /// (sklearn's precisions_cholesky_).
  const Matrix& precisions_cholesky() const {
    return (require_fitted("precisions_cholesky"), mixture().precisions_cholesky);
  }
  /// Component k's full D x D covariance matrix, whatever the covariance_type.
  SquareMatrix covariance(Eigen::Index k) const {
    check_component(k, "covariance");
    return expand_component<Scalar, Dim>(mixture().covariances, mixture().covariance_type, k,
                                         n_features_in_);
  }
  /// Component k's full D x D precision matrix, whatever the covariance_type.
  SquareMatrix precision(Eigen::Index k) const {
    check_component(k, "precision");
    return expand_component<Scalar, Dim>(precisions_, mixture().covariance_type, k, n_features_in_);
  }
  /// Whether the fit converged (sklearn's converged_: true when any initialization did).
  bool converged() const { return (require_fitted("converged"), converged_); }
  /// Iterations of the best initialization (sklearn's n_iter_).
  int n_iter() const { return (require_fitted("n_iter"), n_iter_); }
  /// The lower bound of the best initialization (sklearn's lower_bound_): GaussianMixture's mean
  /// log-likelihood of the last E-step; BayesianGaussianMixture's evidence lower bound, up to
  /// constants, a sum over the points.
  double lower_bound() const { return (require_fitted("lower_bound"), lower_bound_); }
  /// Number of features seen by fit (sklearn's n_features_in_).
  Eigen::Index n_features_in() const { return (require_fitted("n_features_in"), n_features_in_); }

 protected:
  using Parameters = MixtureParameters<Scalar, Dim>;

  static std::string name(const char* method) {
    return std::string(Derived::kName) + "::" + method;
  }

  const Derived& derived() const { return static_cast<const Derived&>(*this); }
  const Parameters& mixture() const { return derived().fitted_mixture(); }

  /// What fit, maximization, partial_fit and load report beside the parameters.
  struct FitSummary {
    bool converged = false;
    int n_iter = 0;
    double lower_bound = -std::numeric_limits<double>::infinity();
  };

  /// The most probable component of every row under `params` (predict; fit_predict's final
  /// E-step, through the same code so that fit_predict(X) == fit(X).predict(X)).
  static Labels labels_of(const RowSource<Scalar, Dim>& X, const Parameters& params);

  /// The per-sample E-step of `params` on X into `out` (evaluation_pass). Defined below the
  /// class, as every member that runs a pass: in compiled mode (EMGMM_COMPILED) the user's
  /// translation unit then instantiates none of the passes (see emgmm/compiled.hpp).
  static void evaluate(const RowSource<Scalar, Dim>& X, const Parameters& params,
                       const SampleOutputs<Scalar>& out);

  /// The precisions of a mixture that is about to be committed, after the one validity gate
  /// every fit path passes (check_fitted_mixture): NumericalError with the model unchanged
  /// when it is not a valid model.
  static Matrix checked_precisions(const Parameters& params, const std::string& where,
                                   WeightSum weight_sum = WeightSum::one);

  /// sklearn's message for component k, whose covariance is not positive definite (the kernels
  /// report k as a value), up to the further fix each estimator offers, which ends the sentence.
  static std::string ill_defined_covariance_message(const std::string& where, Eigen::Index k,
                                                    double reg_covar) {
    return where + ": fitting the mixture model failed because component " + to_text(k) +
           " has an ill-defined empirical covariance (for instance caused by singleton or "
           "collapsed samples). Try to decrease n_components, or increase reg_covar (now " +
           to_text(reg_covar) + ")";
  }

  /// Stores the state both estimators share; the estimator's commit() stores its own beside it.
  /// Nothing here can throw: everything was computed and checked before.
  void commit_summary(Matrix& precisions, const FitSummary& summary,
                      Eigen::Index n_features) noexcept {
    precisions_.swap(precisions);
    converged_ = summary.converged;
    n_iter_ = summary.n_iter;
    lower_bound_ = summary.lower_bound;
    n_features_in_ = n_features;
  }

  template <typename DerivedX>
  Vector log_likelihoods(const Eigen::MatrixBase<DerivedX>& X, const char* method) const {
    check_input(X, method);
    Vector log_prob(X.rows());
    SampleOutputs<Scalar> out;
    out.log_prob = &log_prob;
    evaluate_input(X, out, method);
    return log_prob;
  }

  template <typename DerivedX>
  void check_input(const Eigen::MatrixBase<DerivedX>& X, const char* method) const {
    require_fitted(method);
    check_data<Scalar, Dim>(X, name(method), 1, n_features_in_, derived().nan_policy());
  }

  /// The per-sample E-step on checked X: the blocked pass, or, when the estimator marginalizes
  /// missing entries and X has some, the pass by missingness pattern (missing.hpp).
  template <typename DerivedX>
  void evaluate_input(const Eigen::MatrixBase<DerivedX>& X, const SampleOutputs<Scalar>& out,
                      const char* method) const {
    const RowSource<Scalar, Dim> rows(X);
    if (derived().marginalizes_missing() && X.hasNaN()) {
      evaluate_missing(rows, mixture(), out, name(method));
    } else {
      evaluate(rows, mixture(), out);
    }
  }

  /// evaluate() on data with missing entries (NaN), by missingness pattern.
  static void evaluate_missing(const RowSource<Scalar, Dim>& X, const Parameters& params,
                               const SampleOutputs<Scalar>& out, const std::string& where);

  void require_fitted(const char* method) const {
    if (!is_fitted()) {
      throw NotFittedError(name(method) + ": this " + Derived::kName +
                           " instance is not fitted yet; call fit(X) first.");
    }
  }

  void check_component(Eigen::Index k, const char* method) const {
    require_fitted(method);
    if (k < 0 || k >= mixture().n_components()) {
      fail(name(method), "k = " + to_text(k) +
                             " is not a component; pass 0 <= k < n_components = " +
                             to_text(mixture().n_components()) + ".");
    }
  }

  // The fitted state beyond the mixture's parameters, the same for both estimators.
  Matrix precisions_;
  bool converged_ = false;
  int n_iter_ = 0;
  double lower_bound_ = -std::numeric_limits<double>::infinity();
  Eigen::Index n_features_in_ = 0;
};

template <typename Derived, typename Scalar, int Dim>
typename MixtureModel<Derived, Scalar, Dim>::Labels MixtureModel<Derived, Scalar, Dim>::labels_of(
    const RowSource<Scalar, Dim>& X, const Parameters& params) {
  Labels labels(X.rows());
  SampleOutputs<Scalar> out;
  out.labels = &labels;
  evaluation_pass(X, params, out);
  return labels;
}

template <typename Derived, typename Scalar, int Dim>
void MixtureModel<Derived, Scalar, Dim>::evaluate(const RowSource<Scalar, Dim>& X,
                                                  const Parameters& params,
                                                  const SampleOutputs<Scalar>& out) {
  evaluation_pass(X, params, out);
}

template <typename Derived, typename Scalar, int Dim>
void MixtureModel<Derived, Scalar, Dim>::evaluate_missing(const RowSource<Scalar, Dim>& X,
                                                          const Parameters& params,
                                                          const SampleOutputs<Scalar>& out,
                                                          const std::string& where) {
  const MissingLayout<Scalar, Dim> layout(X);
  missing_evaluation(layout, params, out, where);
}

template <typename Derived, typename Scalar, int Dim>
typename MixtureModel<Derived, Scalar, Dim>::Matrix
MixtureModel<Derived, Scalar, Dim>::checked_precisions(const Parameters& params,
                                                       const std::string& where,
                                                       WeightSum weight_sum) {
  Matrix precisions = precisions_from_cholesky<Scalar, Dim>(
      params.precisions_cholesky, params.covariance_type, params.n_features());
  check_fitted_mixture(params, precisions, where, weight_sum);
  return precisions;
}

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_MIXTURE_MODEL_HPP
