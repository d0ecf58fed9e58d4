#ifndef EMGMM_GAUSSIAN_MIXTURE_HPP
#define EMGMM_GAUSSIAN_MIXTURE_HPP

#include "detail/diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "covariance_type.hpp"
#include "detail/covariance.hpp"
#include "detail/em_loop.hpp"
#include "detail/fit_log.hpp"
#include "detail/initialization.hpp"
#include "detail/m_step.hpp"
#include "detail/missing.hpp"
#include "detail/mixture_model.hpp"
#include "detail/model_check.hpp"
#include "detail/parameters.hpp"
#include "detail/passes.hpp"
#include "detail/random.hpp"
#include "detail/sampling.hpp"
#include "detail/validation.hpp"
#include "errors.hpp"
#include "options.hpp"
#include "serialization.hpp"

namespace emgmm {

/// A Gaussian mixture fitted by expectation-maximization: sklearn.mixture.GaussianMixture with
/// the same parameters, methods, fitted attributes (as accessors) and results.
///
/// `Scalar` is float or double; `Dim` the number of features when known at compile time (fixed
/// size Eigen types), or Eigen::Dynamic. Every method taking X accepts any dense Eigen
/// expression (column- or row-major, Map, block) with one point per row; its scalar type may
/// differ from Scalar and is converted block by block.
///
/// NaN in X is an error unless options.missing_values is MissingValues::marginalize: every
/// method taking X then treats NaN entries as missing at random (EM on the observed entries;
/// impute() fills them in). See the README's "Missing values".
///
/// Errors: InvalidArgument for invalid options or data (the message names the parameter, the
/// value and the fix), NotFittedError before fit(), NumericalError when a covariance is not
/// positive definite. A fit that throws leaves the model exactly as it was.
///
/// The queries (predict, predict_proba, score_samples, score, sample) and the fitted mixture's
/// accessors (weights ... precision(k), converged, n_iter, lower_bound, n_features_in) are
/// inherited from detail::MixtureModel (detail/mixture_model.hpp), shared with
/// BayesianGaussianMixture.
template <typename Scalar = double, int Dim = Eigen::Dynamic>
class GaussianMixture : public detail::MixtureModel<GaussianMixture<Scalar, Dim>, Scalar, Dim> {
  using Base = detail::MixtureModel<GaussianMixture<Scalar, Dim>, Scalar, Dim>;

  static_assert(
      std::is_floating_point<Scalar>::value,
      "emgmm::GaussianMixture<Scalar, Dim> needs a floating-point Scalar: float or double.");
  static_assert(Dim == Eigen::Dynamic || Dim > 0,
                "emgmm::GaussianMixture<Scalar, Dim> needs Dim > 0 or Eigen::Dynamic.");

 public:
  using Options = GaussianMixtureOptions<Scalar, Dim>;
  using typename Base::Data;
  using typename Base::Labels;
  using typename Base::Matrix;
  using typename Base::Means;
  using typename Base::Samples;
  using typename Base::SquareMatrix;
  using typename Base::Vector;
  static constexpr const char* kName = "GaussianMixture";

  /// n_components components, every other option sklearn's default.
  explicit GaussianMixture(int n_components = 1) { options_.n_components = n_components; }
  explicit GaussianMixture(Options options) : options_(std::move(options)) {}

  /// The options (sklearn's get_params).
  const Options& get_params() const { return options_; }
  /// Replaces the options (sklearn's set_params); they are validated by the next fit().
  void set_params(Options options) { options_ = std::move(options); }

  /// Estimates the parameters by EM, n_init times, keeping the best lower bound
  /// (sklearn's fit). Returns *this.
  template <typename Derived>
  GaussianMixture& fit(const Eigen::MatrixBase<Derived>& X) {
    fit_impl(X, nullptr, "GaussianMixture::fit", nullptr);
    return *this;
  }

  /// fit(X) with one weight per row (not in sklearn): a point of weight w counts as w points
  /// in every sum of EM and of its k-means start, so integer weights fit the model that
  /// repeating each row that many times fits, and weight 0 drops the row. Weights must be
  /// finite and >= 0, with at least n_components positive. Only their ratios matter: all-equal
  /// weights fit exactly what fit(X) fits, and other non-integer weights are divided by the
  /// largest first, so a common factor of any size (1e-300, 1e300) changes nothing beyond
  /// rounding (integer weights, counts, are kept: the start is drawn as from repeated rows).
  template <typename Derived, typename DerivedWeight>
  GaussianMixture& fit(const Eigen::MatrixBase<Derived>& X,
                       const Eigen::MatrixBase<DerivedWeight>& sample_weight) {
    const Eigen::VectorXd weights = checked_weights(X, sample_weight, "GaussianMixture::fit");
    fit_impl(X, &weights, "GaussianMixture::fit", nullptr);
    return *this;
  }

  /// fit(X), then the most probable component of every point; equals fit(X).predict(X).
  template <typename Derived>
  Labels fit_predict(const Eigen::MatrixBase<Derived>& X) {
    Labels labels;
    fit_impl(X, nullptr, "GaussianMixture::fit_predict", &labels);
    return labels;
  }

  /// fit(X, sample_weight), then the most probable component of every point (rows of weight 0
  /// included).
  template <typename Derived, typename DerivedWeight>
  Labels fit_predict(const Eigen::MatrixBase<Derived>& X,
                     const Eigen::MatrixBase<DerivedWeight>& sample_weight) {
    const Eigen::VectorXd weights =
        checked_weights(X, sample_weight, "GaussianMixture::fit_predict");
    Labels labels;
    fit_impl(X, &weights, "GaussianMixture::fit_predict", &labels);
    return labels;
  }

  /// The E-step of the fitted model on X, as statistics (not in sklearn): what fit() gathers in
  /// one iteration, about the current means(). Statistics of several parts of the data add up
  /// (SufficientStatistics::operator+=); maximization() turns them into the next model. Use it
  /// to run EM over data that never sits in one place; fit() does the same in one call.
  /// Throws NumericalError when the statistics are not finite (a point no component can
  /// explain, or sums beyond double): maximization() could not use them.
  template <typename Derived>
  SufficientStatistics expectation(const Eigen::MatrixBase<Derived>& X) const {
    check_input(X, "expectation");
    return expectation_rows(detail::RowSource<Scalar, Dim>(X), has_missing(X));
  }

  /// expectation(X) with one weight per row (as fit(X, sample_weight)); weights may all be 0.
  template <typename Derived, typename DerivedWeight>
  SufficientStatistics expectation(const Eigen::MatrixBase<Derived>& X,
                                   const Eigen::MatrixBase<DerivedWeight>& sample_weight) const {
    check_input(X, "expectation");
    const Eigen::VectorXd weights = detail::checked_sample_weight(
        sample_weight, X.rows(), 0, "n_components", "GaussianMixture::expectation");
    return expectation_rows(detail::RowSource<Scalar, Dim>(X, weights), has_missing(X));
  }

  /// The M-step (not in sklearn): the model becomes the update of the statistics `stats`
  /// (from expectation(), possibly added over many parts of the data), with this model's
  /// reg_covar. lower_bound() becomes the statistics' mean log-likelihood and n_iter() counts
  /// one more iteration; converged() is left as it is (your loop decides). Works on an unfitted
  /// model too, whose options must then match the statistics. Throws as fit() does; a failed
  /// step leaves the model as it was.
  GaussianMixture& maximization(const SufficientStatistics& stats);

  /// Stepwise (online) EM on one chunk of a stream (not in sklearn): for data that does not
  /// fit in memory, call it on chunk after chunk (read from a file, a socket, a generator). The
  /// first call on an unfitted model initializes it from that chunk as fit() would (init_params,
  /// random_state; the chunk needs n_components rows); each call then does one E-step on the
  /// chunk, mixes its statistics (per unit weight) into running statistics with step size
  /// eta_t = (t + learning_offset)^(-learning_decay), and takes the M-step of the mix.
  /// lower_bound() is the chunk's mean log-likelihood under the model before the update,
  /// n_iter() counts the calls, converged() stays false. After fit() or maximization(), the
  /// first call continues from that model, whose statistics count as the first chunk's.
  /// Chunks in random order, of a few hundred points or more, work best. A call that throws
  /// leaves the model as it was.
  template <typename Derived>
  GaussianMixture& partial_fit(const Eigen::MatrixBase<Derived>& X) {
    partial_fit_impl(X, nullptr, "GaussianMixture::partial_fit");
    return *this;
  }

  /// partial_fit(X) with one weight per row of the chunk (as fit(X, sample_weight)). A chunk of
  /// total weight 0 changes nothing once the model is fitted (the first call needs
  /// n_components points of positive weight to initialize from).
  template <typename Derived, typename DerivedWeight>
  GaussianMixture& partial_fit(const Eigen::MatrixBase<Derived>& X,
                               const Eigen::MatrixBase<DerivedWeight>& sample_weight) {
    const char* where = "GaussianMixture::partial_fit";
    validate_options(where);
    // A fitted model takes a chunk of total weight 0 as a no-op (as a row of weight 0 is one);
    // the first call initializes from the chunk and needs n_components points of weight > 0.
    const Eigen::VectorXd weights = detail::checked_sample_weight(
        sample_weight, X.rows(), is_fitted() ? 0 : options_.n_components, "n_components", where,
        detail::WeightScale::normalized);
    partial_fit_impl(X, &weights, where);
    return *this;
  }

  /// E[x | observed entries of x] for every row of X under the fitted mixture (not in sklearn):
  /// each NaN entry is replaced by its conditional mean given the row's observed entries, the
  /// components' conditional means weighted by the row's responsibilities (computed from the
  /// observed entries); other entries are returned as they are (converted to Scalar), so rows
  /// without NaN come back unchanged. A row with every entry missing becomes the mixture's mean,
  /// sum_k weights(k) means(k). NaN always means missing here, whatever missing_values says.
  /// Throws NotFittedError before fit(), InvalidArgument for infinity or the wrong number of
  /// columns.
  template <typename Derived>
  Data impute(const Eigen::MatrixBase<Derived>& X) const {
    require_fitted("impute");
    detail::check_data<Scalar, Dim>(X, "GaussianMixture::impute", 1, n_features_in_,
                                    detail::NanPolicy::allow);
    return impute_rows(detail::RowSource<Scalar, Dim>(X));
  }

  /// Bayesian information criterion on X: -2 log L + n_parameters log n. Lower is better.
  template <typename Derived>
  double bic(const Eigen::MatrixBase<Derived>& X) const {
    const double n = double(X.rows());
    const double log_likelihood = log_likelihoods(X, "bic").template cast<double>().sum();
    return -2.0 * log_likelihood + double(n_parameters()) * std::log(n);
  }

  /// Akaike information criterion on X: -2 log L + 2 n_parameters. Lower is better.
  template <typename Derived>
  double aic(const Eigen::MatrixBase<Derived>& X) const {
    const double log_likelihood = log_likelihoods(X, "aic").template cast<double>().sum();
    return -2.0 * log_likelihood + 2.0 * double(n_parameters());
  }

  /// BIC as mclust defines it: 2 log L - n_parameters log n on X, larger is better. The same
  /// number as -bic(X) (sklearn's sign); with a model_name n_parameters() is mclust's count.
  template <typename Derived>
  double mclust_bic(const Eigen::MatrixBase<Derived>& X) const {
    return -bic(X);
  }

  /// mclust's integrated complete-data likelihood criterion (Biernacki et al. 2000) on X:
  /// mclust_bic(X) + 2 sum_i log max_k z_ik, the BIC penalized by the classification's
  /// entropy (z = predict_proba(X)). Larger is better.
  /// (One E-step pass gives both log p(x) and z.)
  template <typename Derived>
  double icl(const Eigen::MatrixBase<Derived>& X) const {
    this->check_input(X, "icl");
    Matrix z(X.rows(), params_.n_components());
    Vector log_prob(X.rows());
    detail::SampleOutputs<Scalar> out;
    out.responsibilities = &z;
    out.log_prob = &log_prob;
    this->evaluate_input(X, out, "icl");
    const double log_likelihood = log_prob.template cast<double>().sum();
    const double bic_mclust =
        2.0 * log_likelihood - double(n_parameters()) * std::log(double(X.rows()));
    return bic_mclust + 2.0 * z.rowwise().maxCoeff().template cast<double>().array().log().sum();
  }

  /// mclust's uncertainty of each point's classification: 1 - max_k z_ik, z = predict_proba(X).
  template <typename Derived>
  Vector uncertainty(const Eigen::MatrixBase<Derived>& X) const {
    this->check_input(X, "uncertainty");
    Matrix z(X.rows(), params_.n_components());
    detail::SampleOutputs<Scalar> out;
    out.responsibilities = &z;
    this->evaluate_input(X, out, "uncertainty");
    return (Scalar(1) - z.rowwise().maxCoeff().array()).matrix();
  }

  /// The fitted mclust model (GaussianMixtureOptions::model_name), or none.
  std::optional<ModelName> model_name() const {
    return (require_fitted("model_name"), params_.model_name);
  }

  /// mclust's decomposition Sigma_k = scale(k) orientation(k) diag(shape().row(k))
  /// orientation(k)^T of every fitted covariance (any model or covariance_type): the volume
  /// scale(k) = |Sigma_k|^(1/D) (mclust's variance$scale).
  Vector scale() const {
    require_fitted("scale");
    Vector volumes(params_.n_components());
    for (Eigen::Index k = 0; k < volumes.size(); ++k) {
      const Eigen::VectorXd values = eigen_of(k).values;
      volumes(k) = Scalar(detail::geometric_mean(values.data(), values.size()));
    }
    return volumes;
  }
  /// The shapes, K x D: row k holds the eigenvalues of Sigma_k / scale(k) in decreasing order
  /// (their product is 1). mclust lists an Equal shape once, in the order of its orientation.
  Matrix shape() const {
    require_fitted("shape");
    Matrix shapes(params_.n_components(), n_features_in_);
    for (Eigen::Index k = 0; k < shapes.rows(); ++k) {
      const Eigen::VectorXd values = eigen_of(k).values;
      shapes.row(k) = (values / detail::geometric_mean(values.data(), values.size()))
                          .transpose()
                          .template cast<Scalar>();
    }
    return shapes;
  }
  /// The orientation D_k: the eigenvectors of Sigma_k as columns, in the order of shape().row(k),
  /// each defined up to its sign (and, for equal eigenvalues, up to a rotation among them).
  SquareMatrix orientation(Eigen::Index k) const {
    check_component(k, "orientation");
    return eigen_of(k).vectors.template cast<Scalar>();
  }

  /// Free parameters of the model: covariances + means + weights - 1 (sklearn's _n_parameters;
  /// with a model_name mclust's nVarParams for the covariances).
  Eigen::Index n_parameters() const {
    require_fitted("n_parameters");
    const Eigen::Index K = params_.n_components();
    const Eigen::Index D = n_features_in_;
    const Eigen::Index covariance =
        params_.model_name ? n_variance_parameters(*params_.model_name, K, D)
                           : detail::n_covariance_parameters(params_.covariance_type, K, D);
    return covariance + K * D + K - 1;
  }

  using Base::is_fitted;
  int n_components() const { return options_.n_components; }
  CovarianceType covariance_type() const { return options_.covariance_type; }

  /// Writes the fitted model to `out` as versioned text (format in serialization.hpp): every
  /// option but the callback and the *_init starts, and every fitted attribute, in numbers
  /// that load() reads back bit for bit. Throws NotFittedError before fit(), InvalidArgument
  /// when set_params() has since changed n_components or covariance_type or made an option
  /// invalid, IOError when the stream fails. The model is not changed.
  void save(std::ostream& out) const {
    detail::GaussianMixtureFormat<Scalar, Dim>::save(*this, out);
  }
  /// save(out) into the file `path`, created or replaced; IOError when it cannot be written.
  void save(const std::string& path) const {
    detail::GaussianMixtureFormat<Scalar, Dim>::save(*this, path);
  }
  /// A new fitted model read from text written by save(): equal to the saved one in every
  /// saved option and fitted attribute, bit for bit, so it predicts, scores and (seeded)
  /// samples the same. Reads one model, through its `end` line, so that several can share a
  /// stream. Throws FormatError (an InvalidArgument) naming the line, the key, what was found
  /// and what was expected when the text is malformed, truncated, of another version, Scalar
  /// or (for a fixed Dim) dimension, or holds invalid parameters; never changes a model.
  static GaussianMixture load(std::istream& in) {
    return detail::GaussianMixtureFormat<Scalar, Dim>::load(in);
  }
  /// load(in) from the file `path`, which must end with the model's `end` line; IOError when
  /// the file cannot be opened.
  static GaussianMixture load(const std::string& path) {
    return detail::GaussianMixtureFormat<Scalar, Dim>::load(path);
  }

 private:
  using Base::check_component;
  using Base::check_input;
  using Base::converged_;
  using Base::labels_of;
  using Base::log_likelihoods;
  using Base::lower_bound_;
  using Base::n_features_in_;
  using Base::n_iter_;
  using Base::precisions_;
  using Base::require_fitted;
  using typename Base::FitSummary;
  using typename Base::Parameters;

  /// expectation()'s result, or NumericalError naming what is not finite.
  static SufficientStatistics finite_statistics(SufficientStatistics stats) {
    const char* what = !std::isfinite(stats.log_likelihood) ? "the log-likelihood"
                       : !std::isfinite(stats.n_samples)    ? "the total sample weight"
                       : !stats.resp_sum.allFinite()        ? "a responsibility sum"
                       : !stats.resp_diff_sum.allFinite()   ? "a weighted sum of the points"
                       : !stats.scatter.allFinite()         ? "a scatter sum"
                                                            : nullptr;
    if (what != nullptr) {
      throw NumericalError(
          std::string("GaussianMixture::expectation: ") + what +
          " of the data under this model is " +
          (std::isfinite(stats.log_likelihood) ? "not finite"
                                               : detail::to_text(stats.log_likelihood)) +
          "; the data lie too far from every component for the Scalar type or are too large. "
          "Rescale the data or fit the model to data like them.");
    }
    return stats;
  }

  /// What statistics_reducer left must be statistics of this model, of data of positive
  /// weight: the same shapes and reference means the E-step gave it, finite sums.
  void check_reduced_statistics(const SufficientStatistics& stats, const Eigen::MatrixXd& reference,
                                const std::string& where) const {
    const Eigen::Index K = options_.n_components;
    const Eigen::Index D = reference.cols();
    const std::string who = where + ": statistics_reducer";
    if (!stats.is_consistent() || stats.covariance_type != options_.covariance_type ||
        stats.n_components() != K || stats.n_features() != D) {
      detail::fail(
          who,
          "left statistics of " + detail::to_text(stats.n_components()) + " components, " +
              detail::to_text(stats.n_features()) + " features, covariance_type '" +
              to_string(stats.covariance_type) + "'" +
              (stats.is_consistent() ? std::string() : " with members of inconsistent shapes") +
              " but the model has " + detail::to_text(K) + " components, " + detail::to_text(D) +
              " features, '" + to_string(options_.covariance_type) +
              "'; a reducer must only add other processes' statistics of the same model (+=).");
    }
    if (!(stats.reference.rows() == K && stats.reference == reference)) {
      detail::fail(
          who,
          "changed the statistics' reference means, so they are no longer the E-step of this "
          "model; a reducer must only add (+=) statistics taken under the same parameters.");
    }
    if (!(stats.n_samples > 0.0) || !stats.all_finite() || !(stats.resp_sum.array() >= 0.0).all()) {
      detail::fail(
          who,
          "left statistics with n_samples = " + detail::to_text(stats.n_samples) +
              ", log_likelihood = " + detail::to_text(stats.log_likelihood) +
              " or non-finite or negative sums; a reducer must leave the finite sums of data of "
              "positive weight.");
    }
  }

  template <typename Derived, typename DerivedWeight>
  Eigen::VectorXd checked_weights(const Eigen::MatrixBase<Derived>& X,
                                  const Eigen::MatrixBase<DerivedWeight>& sample_weight,
                                  const char* where) const {
    validate_options(where);
    // Only the weights' ratios matter to the model: normalized (normalize_sample_weight), the
    // fit is the same for any common factor (sklearn's 10 eps floor on the responsibility sums
    // and the re-seeded weight of one point are then in units of the heaviest point).
    return detail::checked_sample_weight(sample_weight, X.rows(), options_.n_components,
                                         "n_components", where, detail::WeightScale::normalized);
  }

  /// fit and fit_predict; sample_weight is null or validated (checked_weights). The only part
  /// that knows X's type: the checks that read X, then the fit on its rows (fit_rows).
  template <typename Derived>
  void fit_impl(const Eigen::MatrixBase<Derived>& X, const Eigen::VectorXd* sample_weight,
                const std::string& where, Labels* labels) {
    validate_options(where);
    detail::check_data<Scalar, Dim>(X, where, 2, -1, nan_policy());
    const bool holes = has_missing(X);
    // With holes the bounds are taken of the observed entries, once they are regrouped.
    const detail::ColumnBounds bounds =
        holes ? detail::ColumnBounds{} : detail::check_fit_range<Scalar>(X, where);
    fit_rows(sample_weight ? detail::RowSource<Scalar, Dim>(X, *sample_weight)
                           : detail::RowSource<Scalar, Dim>(X),
             bounds, where, labels, holes);
  }

  /// partial_fit on one chunk; sample_weight is null or validated.
  template <typename Derived>
  void partial_fit_impl(const Eigen::MatrixBase<Derived>& X, const Eigen::VectorXd* sample_weight,
                        const std::string& where) {
    validate_options(where);
    const bool first = !is_fitted();
    detail::check_data<Scalar, Dim>(X, where,
                                    first ? std::max<Eigen::Index>(options_.n_components, 1) : 1,
                                    first ? -1 : n_features_in_, nan_policy());
    const bool holes = has_missing(X);
    const detail::ColumnBounds bounds =
        holes ? detail::ColumnBounds{} : detail::check_fit_range<Scalar>(X, where);
    partial_fit_rows(sample_weight ? detail::RowSource<Scalar, Dim>(X, *sample_weight)
                                   : detail::RowSource<Scalar, Dim>(X),
                     bounds, where, holes);
  }

  bool marginalizes_missing() const {
    return options_.missing_values == MissingValues::marginalize;
  }
  detail::NanPolicy nan_policy() const {
    return marginalizes_missing() ? detail::NanPolicy::allow
                                  : detail::NanPolicy::reject_or_marginalize;
  }
  /// Whether X (checked) has missing entries to marginalize: data without NaN take exactly the
  /// code path of MissingValues::error.
  template <typename Derived>
  bool has_missing(const Eigen::MatrixBase<Derived>& X) const {
    return marginalizes_missing() && X.hasNaN();
  }

  /// The rows of X with missing entries regrouped (`holes`), with the checks a fit from them
  /// needs: a start drawn from the data needs n_components informative rows of positive weight
  /// and an observed entry in every column. Returns the bounds of the observed entries.
  detail::ColumnBounds check_missing_layout(const detail::MissingLayout<Scalar, Dim>& holes,
                                            bool start_from_data, const std::string& where) const;

  // The work below the API boundary, on the rows of X whatever its type: defined after the
  // class and, in compiled mode, instantiated once in the emgmm_compiled library.
  void fit_rows(const detail::RowSource<Scalar, Dim>& X, const detail::ColumnBounds& bounds,
                const std::string& where, Labels* labels, bool holes);
  void partial_fit_rows(const detail::RowSource<Scalar, Dim>& X, const detail::ColumnBounds& bounds,
                        const std::string& where, bool holes);
  SufficientStatistics expectation_rows(const detail::RowSource<Scalar, Dim>& X, bool holes) const;
  Data impute_rows(const detail::RowSource<Scalar, Dim>& X) const;

  /// The one place the fitted state changes (fit, maximization, partial_fit, load). Nothing
  /// here can throw: everything it stores was computed and checked before.
  void commit(Parameters& params, Matrix& precisions, const FitSummary& summary,
              SufficientStatistics& running, std::int64_t partial_fit_steps) noexcept {
    params_ = std::move(params);
    running_stats_ = std::move(running);
    partial_fit_steps_ = partial_fit_steps;
    this->commit_summary(precisions, summary, params_.n_features());
  }

  void validate_options(const std::string& where) const {
    const Options& o = options_;
    detail::validate_mixture_options<Scalar>(o, where);
    if (!(o.learning_decay > 0.5 && o.learning_decay <= 1.0)) {
      detail::fail(where, "learning_decay = " + detail::to_text(o.learning_decay) +
                              " must be in (0.5, 1] for stepwise EM to converge (default 0.7).");
    }
    if (o.missing_values != MissingValues::error &&
        o.missing_values != MissingValues::marginalize) {
      detail::fail(where,
                   "missing_values = " + detail::to_text(static_cast<int>(o.missing_values)) +
                       " is not MissingValues::error or MissingValues::marginalize.");
    }
    if (!(o.learning_offset > 0.0) || !std::isfinite(o.learning_offset)) {
      detail::fail(where, "learning_offset = " + detail::to_text(o.learning_offset) +
                              " must be a finite number > 0 (default 1).");
    }
    if (o.model_name) {
      const int model = static_cast<int>(*o.model_name);
      if (model < 0 || model >= static_cast<int>(std::size(kModelNames))) {
        detail::fail(where, "model_name = " + detail::to_text(model) +
                                " is not one of mclust's ModelName::EII ... ModelName::VVV.");
      }
      if (o.covariance_type != CovarianceType::full) {
        detail::fail(where, std::string("model_name = '") + to_string(*o.model_name) +
                                "' stores its covariances in the full layout but covariance_type "
                                "is '" +
                                to_string(o.covariance_type) +
                                "'; leave covariance_type at CovarianceType::full with a "
                                "model_name (sklearn's '" +
                                to_string(o.covariance_type) + "' is model " +
                                sklearn_model(o.covariance_type) + "), or unset model_name.");
      }
    }
    if (o.convergence != Convergence::sklearn && o.convergence != Convergence::mclust) {
      detail::fail(where, "convergence = " + detail::to_text(static_cast<int>(o.convergence)) +
                              " is not Convergence::sklearn or Convergence::mclust.");
    }
    if (!(o.inner_tol >= 0.0) || !std::isfinite(o.inner_tol)) {
      detail::fail(where, "inner_tol = " + detail::to_text(o.inner_tol) +
                              " must be a finite number >= 0 (mclust's default 1.49e-8).");
    }
    if (o.inner_max_iter < 1) {
      detail::fail(where, "inner_max_iter = " + detail::to_text(o.inner_max_iter) +
                              " must be >= 1 (mclust's default INT_MAX).");
    }
  }

  /// mclust's name for sklearn's covariance type.
  static const char* sklearn_model(CovarianceType type) {
    switch (type) {
      case CovarianceType::spherical: return "VII";
      case CovarianceType::diag: return "VVI";
      case CovarianceType::tied: return "EEE";
      case CovarianceType::full: break;
    }
    return "VVV";
  }

  /// resp_init validated against the rows of X (empty when not given); not with missing values,
  /// whose fit starts from the regrouped rows.
  Matrix checked_resp_init(Eigen::Index n_samples, bool holes, const std::string& where) const {
    if (holes && options_.resp_init) {
      detail::fail(where,
                   "resp_init is given but X has missing entries (NaN), whose rows the fit "
                   "regroups; start from init_params, or impute X first.");
    }
    return detail::checked_resp_init(options_.resp_init, n_samples, options_.n_components, where);
  }

  /// sklearn's _check_weights, _check_means and _check_precisions.
  /// The X part (means_init within X's range) takes X's bounds.
  void validate_initial_parameters(const std::string& where, Eigen::Index D,
                                   const detail::ColumnBounds& X) const {
    const Options& o = options_;
    const Eigen::Index K = o.n_components;
    if (o.weights_init) {
      const Vector& w = *o.weights_init;
      if (w.size() != K) {
        detail::fail(where, "weights_init has " + detail::to_text(w.size()) +
                                " values but must have n_components = " + detail::to_text(K) + ".");
      }
      for (Eigen::Index k = 0; k < K; ++k) {
        if (!(w(k) >= Scalar(0) && w(k) <= Scalar(1))) {
          detail::fail(where, "weights_init(" + detail::to_text(k) +
                                  ") = " + detail::to_text(w(k)) +
                                  "; every weight must be in the range [0, 1].");
        }
      }
      const double sum = w.template cast<double>().sum();
      const double tolerance = std::max(1e-8, 8.0 * double(std::numeric_limits<Scalar>::epsilon()));
      if (!(std::abs(1.0 - sum) <= tolerance)) {
        detail::fail(where, "weights_init should be normalized, but sums to " +
                                detail::to_text(sum) + "; divide it by its sum.");
      }
    }
    if (o.means_init) {
      const Means& m = *o.means_init;
      if (m.rows() != K || m.cols() != D) {
        detail::fail(where, "means_init has shape (" + detail::to_text(m.rows()) + " x " +
                                detail::to_text(m.cols()) +
                                ") but must be (n_components x n_features) = (" +
                                detail::to_text(K) + " x " + detail::to_text(D) + ").");
      }
      if (!m.allFinite()) detail::fail(where, "means_init must not contain NaN or infinity.");
      detail::check_joint_fit_range<Scalar>(X, m, "means_init", where);
    }
    if (o.precisions_init) {
      const Matrix& p = *o.precisions_init;
      const CovarianceType type = o.covariance_type;
      const std::string name = std::string("'") + to_string(type) + " precision'";
      if (p.rows() != detail::storage_rows(type, K, D) ||
          p.cols() != detail::storage_cols(type, D)) {
        detail::fail(where, "precisions_init has shape (" + detail::to_text(p.rows()) + " x " +
                                detail::to_text(p.cols()) + ") but for covariance_type '" +
                                to_string(type) + "' must be " + detail::sklearn_shape(type, K, D) +
                                ".");
      }
      if (!p.allFinite()) detail::fail(where, "precisions_init must not contain NaN or infinity.");
      if (type == CovarianceType::full || type == CovarianceType::tied) {
        for (Eigen::Index k = 0; k < p.rows() / D; ++k) {
          const SquareMatrix block = p.middleRows(k * D, D);
          if (!detail::is_symmetric_positive_definite(block)) {
            detail::fail(where, "precisions_init: " + name + " of component " + detail::to_text(k) +
                                    " should be symmetric, positive-definite.");
          }
        }
      } else if (!(p.array() > Scalar(0)).all()) {
        detail::fail(where, "precisions_init: " + name + " should be positive.");
      }
    }
  }

  void check_warm_start(const std::string& where, Eigen::Index D) const {
    if (D != n_features_in_ || options_.n_components != params_.n_components() ||
        options_.covariance_type != params_.covariance_type) {
      detail::fail(
          where, "warm_start continues from the fitted model (" +
                     detail::to_text(params_.n_components()) + " components, covariance_type '" +
                     to_string(params_.covariance_type) + "', " + detail::to_text(n_features_in_) +
                     " features) but the options or data now ask for " +
                     detail::to_text(options_.n_components) + " components, '" +
                     to_string(options_.covariance_type) + "', " + detail::to_text(D) +
                     " features; set warm_start = false to fit from scratch.");
    }
  }

  /// What the fit paths throw for component k, whose covariance is not positive definite:
  /// sklearn's message, and the re-seed policy as a further fix.
  NumericalError ill_defined_covariance(const std::string& where, Eigen::Index k) const {
    return NumericalError(Base::ill_defined_covariance_message(where, k, options_.reg_covar) +
                          ", or set reseed_collapsed_components = true.");
  }

  detail::DecreasingEigen<double> eigen_of(Eigen::Index k) const {
    return detail::DecreasingEigen<double>(this->covariance(k).template cast<double>());
  }

  // The E-step's view of the fitted model, for the shared queries (detail::MixtureModel).
  const Parameters& fitted_mixture() const { return params_; }

  Options options_;
  Parameters params_;
  // partial_fit's running statistics (per unit weight) and the number of updates in them; after
  // fit() the statistics of its last M-step, counted as one.
  SufficientStatistics running_stats_;
  std::int64_t partial_fit_steps_ = 0;

  friend struct detail::GaussianMixtureFormat<Scalar, Dim>;  // save() and load()
  friend Base;
};

// ---------------------------------------------------------------------------------------------
// The members that run passes over the data, out of the class: not inline, so that in compiled
// mode (EMGMM_COMPILED) the user's translation units instantiate none of them.

template <typename Scalar, int Dim>
void GaussianMixture<Scalar, Dim>::fit_rows(const detail::RowSource<Scalar, Dim>& X,
                                            const detail::ColumnBounds& given_bounds,
                                            const std::string& where, Labels* labels, bool holes) {
  const Eigen::Index K = options_.n_components;
  const Eigen::Index D = X.cols();
  if (X.rows() < K) {
    detail::fail(where, "expected n_samples >= n_components but got n_components = " +
                            detail::to_text(K) + ", n_samples = " + detail::to_text(X.rows()) +
                            "; lower n_components or pass more points.");
  }
  const bool do_init = !(options_.warm_start && is_fitted());
  const Matrix resp_init = checked_resp_init(X.rows(), holes, where);
  // With missing entries: the rows regrouped by pattern; `data` (the initialization's and the
  // re-seeding's rows) is then the informative rows with their holes filled by column means.
  std::optional<detail::MissingLayout<Scalar, Dim>> layout;
  if (holes) layout.emplace(X);
  const detail::ColumnBounds bounds =
      layout ? check_missing_layout(*layout,
                                    do_init && !(options_.weights_init && options_.means_init &&
                                                 options_.precisions_init),
                                    where)
             : given_bounds;
  const detail::RowSource<Scalar, Dim> data = layout ? layout->informative_rows() : X;
  validate_initial_parameters(where, D, bounds);
  if (options_.statistics_reducer && do_init &&
      !(options_.weights_init && options_.means_init && options_.precisions_init)) {
    detail::fail(
        where,
        "statistics_reducer is set, so every process must start from the same parameters, "
        "but init_params would start from this process's data; give weights_init, means_init "
        "and precisions_init (e.g. fitted on a sample and broadcast), or warm_start from "
        "such a model.");
  }
  if (options_.statistics_reducer && options_.reseed_collapsed_components) {
    detail::fail(
        where,
        "statistics_reducer and reseed_collapsed_components are both set, but each process "
        "would re-seed at its own worst-explained points and the processes' models would "
        "differ; turn reseed_collapsed_components off for a distributed fit.");
  }
  if (!do_init) check_warm_start(where, D);
  detail::Random random(detail::Random::seed_from(options_.random_state));
  const bool reseed = options_.reseed_collapsed_components;

  // A start's state: its parameters and the statistics of its last M-step (for partial_fit);
  // under mclust's convergence also the parameters of its last E-step, the ones it keeps.
  const bool mclust = options_.convergence == Convergence::mclust;
  struct State {
    Parameters params;
    SufficientStatistics stats;
    Parameters measured;
  };
  const auto start = [&](int) {
    if (!do_init) return State{params_, {}, {}};
    State state;
    if (const auto k =
            detail::initialize_parameters(data, options_, resp_init, random, where, state.params)) {
      throw ill_defined_covariance(where, *k);
    }
    return state;
  };
  // One pass: E-step responsibilities folded into the M-step statistics, the reducer, the
  // M-step; reseed_collapsed_components restarts collapsed components at the points the model
  // explains worst instead of throwing (see options.hpp).
  const auto step = [&](State& state, int, int) {
    detail::WorstPoints worst{reseed ? K : 0, {}};
    SufficientStatistics stats =
        layout
            ? detail::missing_expectation(*layout, state.params, where, reseed ? &worst : nullptr)
            : detail::expectation_pass(X, state.params, reseed ? &worst : nullptr);
    if (options_.statistics_reducer) {
      const Eigen::MatrixXd reference = stats.reference;
      options_.statistics_reducer(stats);
      check_reduced_statistics(stats, reference, where);
    }
    const double lower_bound = stats.log_likelihood / stats.n_samples;
    if (!std::isfinite(lower_bound)) return detail::EmStep{lower_bound};  // the loop throws
    if (mclust) state.measured = state.params;
    std::vector<Eigen::Index> collapsed;
    if (const auto k = detail::maximize<Scalar, Dim>(
            stats, options_.reg_covar, detail::parsimonious_of(options_), where, state.params, true,
            reseed ? &collapsed : nullptr)) {
      throw ill_defined_covariance(where, *k);
    }
    if (!collapsed.empty()) {
      const std::vector<detail::WorstPoints::Entry> ranked = worst.ranked();
      Data seeds(static_cast<Eigen::Index>(collapsed.size()), D);
      for (std::size_t j = 0; j < collapsed.size(); ++j) {
        seeds.row(static_cast<Eigen::Index>(j)) = data.row(ranked[j].second);
      }
      if (const auto k = detail::reseed_components<Scalar, Dim>(state.params, collapsed, seeds,
                                                                stats.n_samples)) {
        throw ill_defined_covariance(where, *k);
      }
    }
    const double total_weight = stats.n_samples;
    state.stats = std::move(stats);
    return detail::EmStep{lower_bound, !collapsed.empty(), total_weight};
  };
  detail::EmLoopSettings settings =
      detail::EmLoopSettings::of(options_, do_init ? options_.n_init : 1, "log-likelihood", where);
  settings.relative = mclust;
  detail::EmOutcome<State> fitted = detail::run_em_loop<State>(
      settings, do_init ? -std::numeric_limits<double>::infinity() : lower_bound_, start, step);
  // mclust keeps the model whose log-likelihood its stopping rule measured.
  if (mclust && fitted.n_iter > 0) fitted.best.params = std::move(fitted.best.measured);

  Matrix precisions = Base::checked_precisions(
      fitted.best.params, where,
      fitted.n_iter == 0 ? detail::WeightSum::at_most_one : detail::WeightSum::one);
  // The final E-step, through the same code as predict() so fit_predict(X) == fit(X).predict(X).
  if (labels && layout) {
    labels->resize(X.rows());
    detail::SampleOutputs<Scalar> out;
    out.labels = labels;
    detail::missing_evaluation(*layout, fitted.best.params, out, where);
  } else if (labels) {
    *labels = labels_of(X, fitted.best.params);
  }
  // partial_fit continues with the fitted model's statistics (per unit weight) as its first chunk.
  SufficientStatistics& running = fitted.best.stats;
  if (running.n_samples > 0.0) running *= 1.0 / running.n_samples;
  commit(fitted.best.params, precisions,
         FitSummary{fitted.converged, fitted.n_iter, fitted.lower_bound}, running,
         running.n_samples > 0.0 ? 1 : 0);
}

template <typename Scalar, int Dim>
void GaussianMixture<Scalar, Dim>::partial_fit_rows(const detail::RowSource<Scalar, Dim>& X,
                                                    const detail::ColumnBounds& given_bounds,
                                                    const std::string& where, bool holes) {
  const bool first = !is_fitted();
  const Eigen::Index D = X.cols();
  std::optional<detail::MissingLayout<Scalar, Dim>> layout;
  if (holes) layout.emplace(X);
  Parameters params;
  if (first) {
    const detail::ColumnBounds bounds =
        layout ? check_missing_layout(
                     *layout,
                     !(options_.weights_init && options_.means_init && options_.precisions_init),
                     where)
               : given_bounds;
    validate_initial_parameters(where, D, bounds);
    detail::Random random(detail::Random::seed_from(options_.random_state));
    const detail::RowSource<Scalar, Dim> data = layout ? layout->informative_rows() : X;
    const Matrix resp_init = checked_resp_init(X.rows(), holes, where);
    if (const auto k =
            detail::initialize_parameters(data, options_, resp_init, random, where, params)) {
      throw ill_defined_covariance(where, *k);
    }
  } else {
    if (options_.n_components != params_.n_components() ||
        options_.covariance_type != params_.covariance_type) {
      detail::fail(where, "the model has " + detail::to_text(params_.n_components()) +
                              " components of covariance_type '" +
                              to_string(params_.covariance_type) +
                              "' but the options now ask for " +
                              detail::to_text(options_.n_components) + " of '" +
                              to_string(options_.covariance_type) + "'; call fit() to start over.");
    }
    params = params_;
  }
  SufficientStatistics stats = layout ? detail::missing_expectation(*layout, params, where)
                                      : detail::expectation_pass(X, params);
  if (!(stats.n_samples > 0.0)) return;  // a chunk of weight 0 changes nothing
  stats *= 1.0 / stats.n_samples;        // per unit weight, so chunks of any size mix alike
  const double chunk_lower_bound = stats.log_likelihood;
  if (!std::isfinite(chunk_lower_bound)) {
    throw NumericalError(
        where + ": the chunk's log-likelihood is " + detail::to_text(chunk_lower_bound) +
        "; the data may be too large for the Scalar type or degenerate. Rescale the data, "
        "increase reg_covar or decrease n_components.");
  }
  SufficientStatistics running = stats;
  std::int64_t steps = 1;
  if (!first && running_stats_.n_components() == stats.n_components()) {
    const double eta =
        std::pow(double(partial_fit_steps_) + options_.learning_offset, -options_.learning_decay);
    running = running_stats_;
    running.recenter(stats.reference);
    running *= 1.0 - eta;
    stats *= eta;
    running += stats;
    steps = partial_fit_steps_ + 1;
  }
  Parameters next;
  next.constraint_state = params.constraint_state;  // the inner iterations go on from there
  if (const auto k = detail::maximize<Scalar, Dim>(
          running, options_.reg_covar, detail::parsimonious_of(options_), where, next)) {
    throw ill_defined_covariance(where, *k);
  }
  Matrix precisions = Base::checked_precisions(next, where);
  commit(next, precisions, FitSummary{false, first ? 1 : n_iter_ + 1, chunk_lower_bound}, running,
         steps);
}

template <typename Scalar, int Dim>
SufficientStatistics GaussianMixture<Scalar, Dim>::expectation_rows(
    const detail::RowSource<Scalar, Dim>& X, bool holes) const {
  if (holes) {
    const detail::MissingLayout<Scalar, Dim> layout(X);
    return finite_statistics(
        detail::missing_expectation(layout, params_, "GaussianMixture::expectation"));
  }
  return finite_statistics(detail::expectation_pass(X, params_));
}

template <typename Scalar, int Dim>
typename GaussianMixture<Scalar, Dim>::Data GaussianMixture<Scalar, Dim>::impute_rows(
    const detail::RowSource<Scalar, Dim>& X) const {
  return detail::impute_rows(X, params_, "GaussianMixture::impute");
}

template <typename Scalar, int Dim>
detail::ColumnBounds GaussianMixture<Scalar, Dim>::check_missing_layout(
    const detail::MissingLayout<Scalar, Dim>& holes, bool start_from_data,
    const std::string& where) const {
  const Eigen::Index K = options_.n_components;
  if (holes.n_positive() == 0) {
    detail::fail(where,
                 "every row of positive weight has every entry missing (NaN), so there is "
                 "nothing to fit; pass rows with observed entries.");
  }
  if (start_from_data) {
    const Eigen::Index column = holes.unobserved_column();
    if (column >= 0) {
      detail::fail(where, "column " + detail::to_text(column) +
                              " of X has no observed entry (every value is NaN, or its rows "
                              "have weight 0), so the start cannot be drawn from the data; drop "
                              "that column, or give weights_init, means_init and "
                              "precisions_init.");
    }
    if (holes.n_positive() < K) {
      detail::fail(where, "only " + detail::to_text(holes.n_positive()) +
                              " rows have an observed entry and positive weight but the start "
                              "from the data needs n_components = " +
                              detail::to_text(K) +
                              "; lower n_components or give weights_init, means_init and "
                              "precisions_init.");
    }
  }
  return detail::check_fit_range<Scalar>(holes.rows(), where);
}

template <typename Scalar, int Dim>
GaussianMixture<Scalar, Dim>& GaussianMixture<Scalar, Dim>::maximization(
    const SufficientStatistics& stats) {
  const std::string where = "GaussianMixture::maximization";
  validate_options(where);
  const Eigen::Index K = stats.n_components();
  const Eigen::Index D = stats.n_features();
  const bool shape_ok =
      stats.covariance_type == options_.covariance_type && K == options_.n_components && D >= 1 &&
      (Dim == Eigen::Dynamic || D == Dim) && (!is_fitted() || D == n_features_in_);
  if (!shape_ok) {
    detail::fail(
        where,
        "the statistics are of " + detail::to_text(K) + " components, " + detail::to_text(D) +
            " features, covariance_type '" + to_string(stats.covariance_type) +
            "' but this model has n_components = " + detail::to_text(options_.n_components) +
            ", covariance_type '" + to_string(options_.covariance_type) + "'" +
            (is_fitted() ? ", " + detail::to_text(n_features_in_) + " features" : std::string()) +
            "; pass statistics from this model's expectation().");
  }
  const bool consistent = stats.is_consistent() && stats.reference.rows() == K;
  if (!consistent) {
    detail::fail(where,
                 "the statistics' matrices do not have the shapes of " + detail::to_text(K) +
                     " components and " + detail::to_text(D) +
                     " features (or have no reference means); pass statistics from expectation().");
  }
  if (!(stats.n_samples > 0.0) || !stats.all_finite() || !(stats.resp_sum.array() >= 0.0).all() ||
      !stats.reference.allFinite()) {
    detail::fail(where,
                 "the statistics hold no samples (n_samples = " + detail::to_text(stats.n_samples) +
                     ") or non-finite or negative sums; pass statistics from expectation() on data "
                     "of positive weight.");
  }
  Parameters params;
  if (is_fitted()) params.constraint_state = params_.constraint_state;
  if (const auto k = detail::maximize<Scalar, Dim>(
          stats, options_.reg_covar, detail::parsimonious_of(options_), where, params)) {
    throw ill_defined_covariance(where, *k);
  }
  Matrix precisions = Base::checked_precisions(params, where);
  // Per unit weight: the lower bound and what a later partial_fit continues from. Finite sums
  // over a tiny n_samples can overflow here; a model must never hold an infinite lower bound
  // (load refuses it) or running sums a partial_fit would turn into garbage.
  const double lower_bound = stats.log_likelihood / stats.n_samples;
  SufficientStatistics running = stats;
  running *= 1.0 / stats.n_samples;
  if (!std::isfinite(lower_bound) || !running.all_finite()) {
    throw NumericalError(
        where + ": the statistics per unit weight overflow (log_likelihood / n_samples = " +
        detail::to_text(lower_bound) + ", n_samples = " + detail::to_text(stats.n_samples) +
        "); pass statistics from expectation() on data of weight the sums "
        "can be divided by, or rescale the data and the weights.");
  }
  const bool was_fitted = is_fitted();
  commit(params, precisions,
         FitSummary{was_fitted && converged_, was_fitted ? n_iter_ + 1 : 1, lower_bound}, running,
         1);
  return *this;
}

using GaussianMixtureXd = GaussianMixture<double>;
using GaussianMixtureXf = GaussianMixture<float>;
using GaussianMixture1d = GaussianMixture<double, 1>;
using GaussianMixture1f = GaussianMixture<float, 1>;
using GaussianMixture2d = GaussianMixture<double, 2>;
using GaussianMixture2f = GaussianMixture<float, 2>;
using GaussianMixture3d = GaussianMixture<double, 3>;
using GaussianMixture3f = GaussianMixture<float, 3>;

}  // namespace emgmm

#if defined(EMGMM_COMPILED) && !defined(EMGMM_COMPILED_LIBRARY)
// Compiled mode (EMGMM_COMPILED, see the README's "Compile cost"): the passes of these models
// are instantiated once, in the emgmm_compiled library, instead of in every translation unit.
namespace emgmm {
#ifndef EMGMM_COMPILED_NO_DOUBLE  // EMGMM_COMPILED_SCALARS without double
extern template class detail::MixtureModel<GaussianMixture<double>, double, Eigen::Dynamic>;
extern template class GaussianMixture<double>;
#endif
#ifndef EMGMM_COMPILED_NO_FLOAT  // EMGMM_COMPILED_SCALARS without float
extern template class detail::MixtureModel<GaussianMixture<float>, float, Eigen::Dynamic>;
extern template class GaussianMixture<float>;
#endif
}  // namespace emgmm
#endif

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_GAUSSIAN_MIXTURE_HPP
