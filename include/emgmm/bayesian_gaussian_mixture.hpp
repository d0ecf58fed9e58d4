#ifndef EMGMM_BAYESIAN_GAUSSIAN_MIXTURE_HPP
#define EMGMM_BAYESIAN_GAUSSIAN_MIXTURE_HPP

#include "detail/diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include <Eigen/Core>

#include "covariance_type.hpp"
#include "detail/covariance.hpp"
#include "detail/em_loop.hpp"
#include "detail/fit_log.hpp"
#include "detail/initialization.hpp"
#include "detail/mixture_model.hpp"
#include "detail/model_check.hpp"
#include "detail/parameters.hpp"
#include "detail/passes.hpp"
#include "detail/random.hpp"
#include "detail/sampling.hpp"
#include "detail/validation.hpp"
#include "detail/variational.hpp"
#include "errors.hpp"
#include "kmeans.hpp"
#include "options.hpp"
#include "serialization.hpp"

namespace emgmm {

/// A Gaussian mixture fitted by variational inference: sklearn.mixture.BayesianGaussianMixture
/// with the same parameters, methods, fitted attributes (as accessors) and results.
///
/// Give n_components as an upper bound: with a small weight_concentration_prior the fit
/// leaves the components the data do not support with weights near zero, so the number of
/// clusters need not be known (count the weights above a threshold, as
/// examples/auto_components.cpp does). dirichlet_process (the default) orders the components
/// by a stick-breaking prior and switches off the later ones; dirichlet_distribution treats
/// them alike.
///
/// The E-step and the statistics are GaussianMixture's own single pass over the data (blocked,
/// parallel under OpenMP, bit-identical for any number of threads); only the M-step and the
/// lower bound are the variational ones (detail/variational.hpp). Scalar, Dim, the accepted X
/// and the errors are as for GaussianMixture: InvalidArgument for invalid options, priors or
/// data (naming the parameter, the value and the fix), NotFittedError before fit(),
/// NumericalError when a covariance is not positive definite; a fit that throws leaves the
/// model exactly as it was.
///
/// The queries (predict, predict_proba, score_samples, score, sample) and the fitted mixture's
/// accessors (weights ... precision(k), converged, n_iter, lower_bound, n_features_in) are
/// inherited from detail::MixtureModel (detail/mixture_model.hpp), shared with GaussianMixture.
template <typename Scalar = double, int Dim = Eigen::Dynamic>
class BayesianGaussianMixture
    : public detail::MixtureModel<BayesianGaussianMixture<Scalar, Dim>, Scalar, Dim> {
  using Base = detail::MixtureModel<BayesianGaussianMixture<Scalar, Dim>, Scalar, Dim>;

  static_assert(std::is_floating_point<Scalar>::value,
                "emgmm::BayesianGaussianMixture<Scalar, Dim> needs a floating-point Scalar: float "
                "or double.");
  static_assert(Dim == Eigen::Dynamic || Dim > 0,
                "emgmm::BayesianGaussianMixture<Scalar, Dim> needs Dim > 0 or Eigen::Dynamic.");

 public:
  using Options = BayesianGaussianMixtureOptions<Scalar, Dim>;
  using RowVector = Eigen::Matrix<Scalar, 1, Dim>;
  using typename Base::Data;
  using typename Base::Labels;
  using typename Base::Matrix;
  using typename Base::Means;
  using typename Base::Samples;
  using typename Base::SquareMatrix;
  using typename Base::Vector;
  static constexpr const char* kName = "BayesianGaussianMixture";

  /// At most n_components components, every other option sklearn's default.
  explicit BayesianGaussianMixture(int n_components = 1) { options_.n_components = n_components; }
  explicit BayesianGaussianMixture(Options options) : options_(std::move(options)) {}

  /// The options (sklearn's get_params).
  const Options& get_params() const { return options_; }
  /// Replaces the options (sklearn's set_params); they are validated by the next fit().
  void set_params(Options options) { options_ = std::move(options); }

  /// Fits the variational posterior, n_init times, keeping the best lower bound (sklearn's
  /// fit). The priors left empty in the options are taken from X (see the accessors below).
  template <typename Derived>
  BayesianGaussianMixture& fit(const Eigen::MatrixBase<Derived>& X) {
    fit_impl(X, nullptr, "BayesianGaussianMixture::fit", nullptr);
    return *this;
  }

  /// fit(X) with one weight per row (not in sklearn): a point of weight w counts as w points
  /// in every sum, the default priors' mean and covariance included, so integer weights fit
  /// what repeating each row fits. Weights must be finite and >= 0, with at least n_components
  /// positive (and summing to more than 1 when covariance_prior is left to the data). Unlike
  /// GaussianMixture's, these weights are not normalized: the prior weighs as much as a fixed
  /// number of points, so the posterior depends on their scale (weights of 2 are every point
  /// twice, and sharpen it). Their sum and the sums of the statistics must stay within double.
  template <typename Derived, typename DerivedWeight>
  BayesianGaussianMixture& fit(const Eigen::MatrixBase<Derived>& X,
                               const Eigen::MatrixBase<DerivedWeight>& sample_weight) {
    const char* where = "BayesianGaussianMixture::fit";
    const Eigen::VectorXd weights = checked_weights(X, sample_weight, where);
    fit_impl(X, &weights, where, nullptr);
    return *this;
  }

  /// fit(X), then the most probable component of every point; equals fit(X).predict(X).
  template <typename Derived>
  Labels fit_predict(const Eigen::MatrixBase<Derived>& X) {
    Labels labels;
    fit_impl(X, nullptr, "BayesianGaussianMixture::fit_predict", &labels);
    return labels;
  }

  /// fit(X, sample_weight), then the most probable component of every point.
  template <typename Derived, typename DerivedWeight>
  Labels fit_predict(const Eigen::MatrixBase<Derived>& X,
                     const Eigen::MatrixBase<DerivedWeight>& sample_weight) {
    const char* where = "BayesianGaussianMixture::fit_predict";
    const Eigen::VectorXd weights = checked_weights(X, sample_weight, where);
    Labels labels;
    fit_impl(X, &weights, where, &labels);
    return labels;
  }

  using Base::is_fitted;
  /// The posterior of the weights (sklearn's weight_concentration_): dirichlet_process K x 2,
  /// the Beta parameters of each stick (sklearn's tuple [0], [1] as columns);
  /// dirichlet_distribution K x 1, the Dirichlet parameters.
  const Matrix& weight_concentration() const {
    return (require_fitted("weight_concentration"), posterior_.weight_concentration);
  }
  /// Precision (number of pseudo-points) of each mean's Gaussian posterior (sklearn's
  /// mean_precision_).
  const Vector& mean_precision() const {
    return (require_fitted("mean_precision"), posterior_.mean_precision);
  }
  /// Degrees of freedom of each Wishart posterior (sklearn's degrees_of_freedom_; tied: the one
  /// shared value, repeated K times).
  const Vector& degrees_of_freedom() const {
    return (require_fitted("degrees_of_freedom"), posterior_.degrees_of_freedom);
  }
  /// The priors fit() used, its options or the defaults from the data (sklearn's
  /// weight_concentration_prior_, mean_precision_prior_, mean_prior_, degrees_of_freedom_prior_,
  /// covariance_prior_; the covariance prior in the storage of Options::covariance_prior).
  double weight_concentration_prior() const {
    return (require_fitted("weight_concentration_prior"), prior_.weight_concentration);
  }
  double mean_precision_prior() const {
    return (require_fitted("mean_precision_prior"), prior_.mean_precision);
  }
  const RowVector& mean_prior() const { return (require_fitted("mean_prior"), mean_prior_); }
  double degrees_of_freedom_prior() const {
    return (require_fitted("degrees_of_freedom_prior"), prior_.degrees_of_freedom);
  }
  const Matrix& covariance_prior() const {
    return (require_fitted("covariance_prior"), covariance_prior_);
  }
  int n_components() const { return options_.n_components; }
  CovarianceType covariance_type() const { return options_.covariance_type; }

  /// Writes the fitted model to `out` as versioned text (serialization.hpp): every option but
  /// the callback and resp_init, the priors fit() used and every fitted attribute, in numbers
  /// that load() reads back bit for bit. Throws NotFittedError before fit(), InvalidArgument
  /// when set_params() has since changed n_components, covariance_type or
  /// weight_concentration_prior_type or made an option invalid, IOError when the stream fails.
  void save(std::ostream& out) const {
    detail::BayesianMixtureFormat<Scalar, Dim>::save(*this, out);
  }
  /// save(out) into the file `path`, created or replaced; IOError when it cannot be written.
  void save(const std::string& path) const {
    detail::BayesianMixtureFormat<Scalar, Dim>::save(*this, path);
  }
  /// A new fitted model read from text written by save(), equal to the saved one bit for bit.
  /// Throws FormatError (an InvalidArgument) naming the line, the key, what was found and what
  /// was expected when the text is malformed, truncated, of another kind, version, Scalar or
  /// (for a fixed Dim) dimension, or holds invalid parameters.
  static BayesianGaussianMixture load(std::istream& in) {
    return detail::BayesianMixtureFormat<Scalar, Dim>::load(in);
  }
  /// load(in) from the file `path`, which must end with the model's `end` line; IOError when it
  /// cannot be opened.
  static BayesianGaussianMixture load(const std::string& path) {
    return detail::BayesianMixtureFormat<Scalar, Dim>::load(path);
  }

 private:
  using Posterior = detail::VariationalParameters<Scalar, Dim>;
  using Base::check_component;
  using Base::converged_;
  using Base::labels_of;
  using Base::lower_bound_;
  using Base::n_features_in_;
  using Base::n_iter_;
  using Base::precisions_;
  using Base::require_fitted;
  using typename Base::FitSummary;

  // The E-step's view of the fitted model, for the shared queries (detail::MixtureModel).
  const detail::MixtureParameters<Scalar, Dim>& fitted_mixture() const {
    return posterior_.mixture;
  }
  // No missing-value option here (GaussianMixture's missing_values): NaN is an error.
  bool marginalizes_missing() const { return false; }
  static detail::NanPolicy nan_policy() { return detail::NanPolicy::reject; }

  template <typename Derived, typename DerivedWeight>
  Eigen::VectorXd checked_weights(const Eigen::MatrixBase<Derived>& X,
                                  const Eigen::MatrixBase<DerivedWeight>& sample_weight,
                                  const char* where) const {
    validate_options(where);
    return detail::checked_sample_weight(sample_weight, X.rows(), options_.n_components,
                                         "n_components", where);
  }

  /// fit and fit_predict (sklearn's fit_predict); sample_weight is null or validated. The only
  /// part that knows X's type: the checks that read X, then the fit on its rows (fit_rows).
  template <typename Derived>
  void fit_impl(const Eigen::MatrixBase<Derived>& X, const Eigen::VectorXd* sample_weight,
                const std::string& where, Labels* labels) {
    validate_options(where);
    detail::check_data<Scalar, Dim>(X, where, 2);
    const detail::ColumnBounds bounds = detail::check_fit_range<Scalar>(X, where);
    fit_rows(sample_weight ? detail::RowSource<Scalar, Dim>(X, *sample_weight)
                           : detail::RowSource<Scalar, Dim>(X),
             bounds, where, labels);
  }

  // The work below the API boundary, on the rows of X whatever its type: defined after the
  // class and, in compiled mode, instantiated once in the emgmm_compiled library.
  void fit_rows(const detail::RowSource<Scalar, Dim>& X, const detail::ColumnBounds& bounds,
                const std::string& where, Labels* labels);

  /// The one place the fitted state changes (fit, load), from a posterior, precisions and
  /// priors computed and checked before. Only its first two lines allocate (and so could
  /// throw), before anything changes.
  void commit(Posterior& posterior, Matrix& precisions, const FitSummary& summary,
              detail::VariationalPriors& prior) {
    RowVector mean_prior = prior.mean.template cast<Scalar>();
    Matrix covariance_prior = prior.covariance.template cast<Scalar>();
    posterior_ = std::move(posterior);
    prior_ = std::move(prior);
    mean_prior_.swap(mean_prior);
    covariance_prior_.swap(covariance_prior);
    this->commit_summary(precisions, summary, posterior_.mixture.n_features());
  }

  /// sklearn's _initialize_parameters + _initialize: the starting responsibilities (resp_init
  /// or init_params) and the variational update of their statistics.
  Posterior initialize(const detail::RowSource<Scalar, Dim>& source,
                       const detail::VariationalPriors& prior, const Matrix& resp_init,
                       detail::Random& random, const std::string& where) const {
    const CovarianceType type = options_.covariance_type;
    const Eigen::Index K = options_.n_components;
    const SufficientStatistics stats =
        detail::starting_statistics(source, type, K, resp_init, options_.init_params, random);
    Posterior posterior;
    if (const auto k = detail::variational_update(stats, options_.reg_covar, prior, posterior)) {
      throw ill_defined_covariance(where, *k);
    }
    return posterior;
  }

  /// What the fit paths throw for component k, whose covariance is not positive definite:
  /// sklearn's message.
  NumericalError ill_defined_covariance(const std::string& where, Eigen::Index k) const {
    return NumericalError(Base::ill_defined_covariance_message(where, k, options_.reg_covar) + ".");
  }

  /// sklearn's _check_parameters: the priors from the options, or their defaults from the data
  /// (weighted by the sample weights when there are any).
  detail::VariationalPriors resolve_priors(const detail::RowSource<Scalar, Dim>& X,
                                           const std::string& where) const {
    const Options& o = options_;
    const Eigen::Index K = o.n_components;
    const Eigen::Index D = X.cols();
    const CovarianceType type = o.covariance_type;
    detail::VariationalPriors prior;
    prior.weight_type = o.weight_concentration_prior_type;
    prior.weight_concentration =
        o.weight_concentration_prior ? *o.weight_concentration_prior : 1.0 / double(K);
    prior.mean_precision = o.mean_precision_prior ? *o.mean_precision_prior : 1.0;
    prior.degrees_of_freedom = o.degrees_of_freedom_prior ? *o.degrees_of_freedom_prior : double(D);
    if (o.degrees_of_freedom_prior && !(prior.degrees_of_freedom > double(D) - 1.0)) {
      detail::fail(where,
                   "degrees_of_freedom_prior = " + detail::to_text(prior.degrees_of_freedom) +
                       " should be greater than n_features - 1 = " + detail::to_text(D - 1) +
                       "; pass a larger value or leave it empty for n_features.");
    }
    const Eigen::Matrix<Scalar, 1, Dim> data_mean = detail::column_mean(X);
    if (o.mean_prior) {
      if (o.mean_prior->size() != D) {
        detail::fail(where, "mean_prior has " + detail::to_text(o.mean_prior->size()) +
                                " values but must have n_features = " + detail::to_text(D) + ".");
      }
      if (!o.mean_prior->allFinite())
        detail::fail(where, "mean_prior must not contain NaN or infinity.");
      prior.mean = o.mean_prior->template cast<double>();
    } else {
      prior.mean = data_mean.template cast<double>();
    }
    if (o.covariance_prior) {
      prior.covariance = checked_covariance_prior(*o.covariance_prior, D, where);
      return prior;
    }
    // The data's covariance with ddof 1 (np.cov, np.var(ddof=1)), about its mean in one pass.
    const double n = X.total_weight();
    if (!(n > 1.0)) {
      detail::fail(where,
                   "the default covariance_prior divides by sum(sample_weight) - 1, but the "
                   "weights sum to " +
                       detail::to_text(n) + "; scale the weights up or give covariance_prior.");
    }
    const bool diagonal = type == CovarianceType::diag || type == CovarianceType::spherical;
    const CovarianceType layout = diagonal ? CovarianceType::diag : CovarianceType::tied;
    const Means reference = data_mean;
    const SufficientStatistics stats = detail::responsibility_pass<Scalar, Dim>(
        X, layout, 1, reference, [](Eigen::Index, Eigen::Index, Matrix& R) { R.setOnes(); });
    const Eigen::RowVectorXd d = stats.resp_diff_sum.row(0);  // ~0: the rounding of the mean
    // Rounding (data far from zero beside their spread, a float model) may leave a variance a
    // hair below zero: it is 0, the variance of a constant feature.
    if (diagonal) {
      const Eigen::RowVectorXd variances =
          ((stats.scatter.row(0).array() - (d.array() / n) * d.array()) / (n - 1.0)).max(0.0);
      prior.covariance = type == CovarianceType::diag
                             ? Eigen::MatrixXd(variances)
                             : Eigen::MatrixXd::Constant(1, 1, variances.mean());
    } else {
      const Eigen::MatrixXd scatter = stats.scatter.selfadjointView<Eigen::Lower>();
      // (d / n) d^T, not d d^T / n: heavy weights (1e250) make d d^T overflow.
      prior.covariance = (scatter - (d / n).transpose() * d) / (n - 1.0);
      prior.covariance = Eigen::MatrixXd(prior.covariance.selfadjointView<Eigen::Lower>());
      prior.covariance.diagonal() = prior.covariance.diagonal().cwiseMax(0.0);
    }
    // What load() accepts, fit() must give: the one test both make (a default prior that
    // overflows, from weights or data near the largest double, is refused here).
    const std::string defect = detail::covariance_prior_defect(prior.covariance);
    if (!defect.empty()) {
      detail::fail(where,
                   "the default covariance_prior (the weighted covariance of X) is not usable: " +
                       defect + "; rescale X or sample_weight, or give covariance_prior.");
    }
    return prior;
  }

  /// The user's covariance_prior in double, stored as VariationalPriors::covariance.
  Eigen::MatrixXd checked_covariance_prior(const Matrix& given, Eigen::Index D,
                                           const std::string& where) const {
    const CovarianceType type = options_.covariance_type;
    const std::string name = std::string("'") + to_string(type) + " covariance_prior'";
    if (!given.allFinite())
      detail::fail(where, "covariance_prior must not contain NaN or infinity.");
    const Eigen::MatrixXd c = given.template cast<double>();
    const auto shape = detail::to_text(c.rows()) + " x " + detail::to_text(c.cols());
    switch (type) {
      case CovarianceType::full:
      case CovarianceType::tied: {
        if (c.rows() != D || c.cols() != D) {
          detail::fail(where, "covariance_prior has shape (" + shape +
                                  ") but for covariance_type '" + to_string(type) +
                                  "' must be (n_features x n_features) = (" + detail::to_text(D) +
                                  " x " + detail::to_text(D) + ").");
        }
        // sklearn's _check_precision_matrix.
        if (!detail::is_symmetric_positive_definite(c)) {
          detail::fail(where,
                       "covariance_prior: " + name + " should be symmetric, positive-definite.");
        }
        return c;
      }
      case CovarianceType::diag: {
        if (!((c.rows() == 1 && c.cols() == D) || (c.rows() == D && c.cols() == 1))) {
          detail::fail(where, "covariance_prior has shape (" + shape +
                                  ") but for covariance_type 'diag' must hold n_features = " +
                                  detail::to_text(D) + " variances (1 x " + detail::to_text(D) +
                                  " or " + detail::to_text(D) + " x 1).");
        }
        if (!(c.array() > 0.0).all())
          detail::fail(where, "covariance_prior: " + name + " should be positive.");
        return c.rows() == 1 ? c : Eigen::MatrixXd(c.transpose());
      }
      case CovarianceType::spherical: break;
    }
    if (c.rows() != 1 || c.cols() != 1) {
      detail::fail(where,
                   "covariance_prior has shape (" + shape +
                       ") but for covariance_type 'spherical' must be one variance (1 x 1).");
    }
    if (!(c(0, 0) > 0.0)) {
      detail::fail(where, "covariance_prior = " + detail::to_text(c(0, 0)) + "; " + name +
                              " should be positive.");
    }
    return c;
  }

  /// resp_init validated and each row divided by its sum; empty when not given.
  Matrix checked_resp_init(Eigen::Index n_samples, const std::string& where) const {
    return detail::checked_resp_init(options_.resp_init, n_samples, options_.n_components, where);
  }

  void validate_options(const std::string& where) const {
    const Options& o = options_;
    detail::validate_mixture_options<Scalar>(o, where);
    const int prior_type = static_cast<int>(o.weight_concentration_prior_type);
    if (prior_type < 0 || prior_type > 1) {
      detail::fail(where, "weight_concentration_prior_type = " + detail::to_text(prior_type) +
                              " is not one of dirichlet_process, dirichlet_distribution.");
    }
    const auto check_positive = [&](const std::optional<double>& value, const char* name,
                                    const char* fallback) {
      if (value && (!(*value > 0.0) || !std::isfinite(*value))) {
        detail::fail(where, std::string(name) + " = " + detail::to_text(*value) +
                                " must be a finite number > 0 (or empty for the default, " +
                                fallback + ").");
      }
    };
    check_positive(o.weight_concentration_prior, "weight_concentration_prior", "1 / n_components");
    check_positive(o.mean_precision_prior, "mean_precision_prior", "1");
    check_positive(o.degrees_of_freedom_prior, "degrees_of_freedom_prior", "n_features");
  }

  void check_warm_start(const std::string& where, Eigen::Index D) const {
    const Posterior& p = posterior_;
    const bool dirichlet_process = p.weight_concentration.cols() == 2;
    if (D != n_features_in_ || options_.n_components != p.mixture.n_components() ||
        options_.covariance_type != p.mixture.covariance_type ||
        dirichlet_process != (options_.weight_concentration_prior_type ==
                              WeightConcentrationPriorType::dirichlet_process)) {
      detail::fail(
          where, "warm_start continues from the fitted model (" +
                     detail::to_text(p.mixture.n_components()) + " components, covariance_type '" +
                     to_string(p.mixture.covariance_type) + "', " +
                     (dirichlet_process ? "dirichlet_process" : "dirichlet_distribution") + ", " +
                     detail::to_text(n_features_in_) +
                     " features) but the options or data now ask for " +
                     detail::to_text(options_.n_components) + " components, '" +
                     to_string(options_.covariance_type) + "', " +
                     to_string(options_.weight_concentration_prior_type) + ", " +
                     detail::to_text(D) + " features; set warm_start = false to fit from scratch.");
    }
  }

  Options options_;
  Posterior posterior_;
  detail::VariationalPriors prior_;
  RowVector mean_prior_;
  Matrix covariance_prior_;

  friend struct detail::BayesianMixtureFormat<Scalar, Dim>;  // save() and load()
  friend Base;
};

// ---------------------------------------------------------------------------------------------
// The members that run passes over the data, out of the class: not inline, so that in compiled
// mode (EMGMM_COMPILED) the user's translation units instantiate none of them.

template <typename Scalar, int Dim>
void BayesianGaussianMixture<Scalar, Dim>::fit_rows(const detail::RowSource<Scalar, Dim>& X,
                                                    const detail::ColumnBounds& bounds,
                                                    const std::string& where, Labels* labels) {
  const Eigen::Index K = options_.n_components;
  const Eigen::Index D = X.cols();
  if (X.rows() < K) {
    detail::fail(where, "expected n_samples >= n_components but got n_components = " +
                            detail::to_text(K) + ", n_samples = " + detail::to_text(X.rows()) +
                            "; lower n_components or pass more points.");
  }
  detail::VariationalPriors prior = resolve_priors(X, where);
  // As means_init: a mean prior so far from X that squared distances overflow would give
  // the components that keep it means no E-step can use.
  if (options_.mean_prior)
    detail::check_joint_fit_range<Scalar>(bounds, *options_.mean_prior, "mean_prior", where);
  const Matrix resp_init = checked_resp_init(X.rows(), where);
  const bool do_init = !(options_.warm_start && is_fitted());
  if (!do_init) check_warm_start(where, D);
  detail::Random random(detail::Random::seed_from(options_.random_state));

  const auto start = [&](int) {
    return do_init ? initialize(X, prior, resp_init, random, where) : posterior_;
  };
  // One pass: the E-step's responsibilities folded into the statistics (and their r log r),
  // then the variational M-step and the lower bound of its result.
  const auto step = [&](Posterior& posterior, int, int) {
    double resp_log_resp = 0.0;
    const SufficientStatistics stats =
        detail::expectation_pass(X, posterior.mixture, nullptr, &resp_log_resp);
    if (const auto k = detail::variational_update(stats, options_.reg_covar, prior, posterior)) {
      throw ill_defined_covariance(where, *k);
    }
    return detail::EmStep{detail::evidence_lower_bound(posterior, resp_log_resp)};
  };
  detail::EmOutcome<Posterior> fitted = detail::run_em_loop<Posterior>(
      detail::EmLoopSettings::of(options_, do_init ? options_.n_init : 1, "lower bound", where),
      do_init ? -std::numeric_limits<double>::infinity() : lower_bound_, start, step);

  Matrix precisions = Base::checked_precisions(fitted.best.mixture, where);
  // The final E-step, through the same code as predict() so fit_predict(X) == fit(X).predict(X).
  if (labels) *labels = labels_of(X, fitted.best.mixture);
  commit(fitted.best, precisions, FitSummary{fitted.converged, fitted.n_iter, fitted.lower_bound},
         prior);
}

using BayesianGaussianMixtureXd = BayesianGaussianMixture<double>;
using BayesianGaussianMixtureXf = BayesianGaussianMixture<float>;
using BayesianGaussianMixture1d = BayesianGaussianMixture<double, 1>;
using BayesianGaussianMixture1f = BayesianGaussianMixture<float, 1>;
using BayesianGaussianMixture2d = BayesianGaussianMixture<double, 2>;
using BayesianGaussianMixture2f = BayesianGaussianMixture<float, 2>;
using BayesianGaussianMixture3d = BayesianGaussianMixture<double, 3>;
using BayesianGaussianMixture3f = BayesianGaussianMixture<float, 3>;

}  // namespace emgmm

#if defined(EMGMM_COMPILED) && !defined(EMGMM_COMPILED_LIBRARY)
// Compiled mode (EMGMM_COMPILED, see the README's "Compile cost"): the passes of these models
// are instantiated once, in the emgmm_compiled library, instead of in every translation unit.
namespace emgmm {
#ifndef EMGMM_COMPILED_NO_DOUBLE  // EMGMM_COMPILED_SCALARS without double
extern template class detail::MixtureModel<BayesianGaussianMixture<double>, double, Eigen::Dynamic>;
extern template class BayesianGaussianMixture<double>;
#endif
#ifndef EMGMM_COMPILED_NO_FLOAT  // EMGMM_COMPILED_SCALARS without float
extern template class detail::MixtureModel<BayesianGaussianMixture<float>, float, Eigen::Dynamic>;
extern template class BayesianGaussianMixture<float>;
#endif
}  // namespace emgmm
#endif

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_BAYESIAN_GAUSSIAN_MIXTURE_HPP
