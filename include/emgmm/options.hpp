#ifndef EMGMM_OPTIONS_HPP
#define EMGMM_OPTIONS_HPP

#include "detail/diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>

#include <Eigen/Core>

#include "covariance_type.hpp"
#include "model_name.hpp"
#include "sufficient_statistics.hpp"

namespace emgmm {

/// What the progress callback receives after every EM iteration.
struct IterationInfo {
  int init = 0;       ///< which initialization (0 .. n_init-1), as sklearn's verbose log
  int iteration = 0;  ///< 1-based EM iteration within this initialization
  /// GaussianMixture: the mean per-sample log-likelihood before this M-step;
  /// BayesianGaussianMixture: the evidence lower bound after it (sklearn's lower_bound_)
  double lower_bound = 0.0;
  double change = 0.0;  ///< lower_bound minus the previous one (inf on the first)
};

/// Called after every EM iteration; return false to stop fitting early (the best model found
/// so far is kept, and converged() is false).
using IterationCallback = std::function<bool(const IterationInfo&)>;

/// Called in fit() on every EM iteration's E-step statistics of the local data, before the
/// M-step; replaces them with the statistics of all the data (for example the sum over MPI
/// processes, added in rank order). See GaussianMixtureOptions::statistics_reducer.
using StatisticsReducer = std::function<void(SufficientStatistics&)>;

/// What GaussianMixture makes of a NaN entry of X (GaussianMixtureOptions::missing_values).
enum class MissingValues {
  error,        ///< NaN is an error, as in scikit-learn (the default)
  marginalize,  ///< NaN means "missing at random": EM on the observed entries of every row
};

/// When GaussianMixture's EM stops, and which model it keeps (GaussianMixtureOptions::convergence).
enum class Convergence {
  /// scikit-learn's: when the mean log-likelihood per point changes by less than tol; the model
  /// is the M-step after that E-step.
  sklearn,
  /// mclust's (its Fortran me* routines, emControl()$tol[1], default 1e-5): when the total
  /// log-likelihood L changes by |L - L_before| / (1 + |L|) <= tol; the model is the one whose
  /// log-likelihood that was (mclust's loglik and parameters), so lower_bound() is L / n.
  mclust,
};

/// "sklearn" or "mclust".
inline const char* to_string(Convergence rule) {
  return rule == Convergence::mclust ? "mclust" : "sklearn";
}

/// GaussianMixture's parameters under scikit-learn's names and with its defaults.
/// A plain aggregate, so C++20 code can write `{.n_components = 3, .covariance_type = ...}`.
template <typename Scalar = double, int Dim = Eigen::Dynamic>
struct GaussianMixtureOptions {
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
  using Means = Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>;
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

  int n_components = 1;
  CovarianceType covariance_type = CovarianceType::full;
  /// Not in sklearn: one of mclust's fourteen covariance models (model_name.hpp), fitted by
  /// Celeux & Govaert's M-steps as mclust 6.0 does. The parameters are then stored as for
  /// CovarianceType::full, which covariance_type must stay (its default). sklearn's four are
  /// VII = spherical, VVI = diag, EEE = tied, VVV = full (the same fit, stored in full layout).
  /// reg_covar is added to each component's covariance before the constraint; mclust has none,
  /// so set reg_covar = 0 (and convergence = Convergence::mclust, tol = 1e-5) for its results.
  std::optional<ModelName> model_name;
  double tol = 1e-3;        ///< stop when the lower bound changes by less than this
  double reg_covar = 1e-6;  ///< added to the diagonal of every covariance
  int max_iter = 100;       ///< EM iterations per initialization (0: only initialize)
  int n_init = 1;           ///< initializations; the one with the best lower bound is kept
  /// Not in sklearn: the stopping rule and kept model, sklearn's (default) or mclust's.
  Convergence convergence = Convergence::sklearn;
  /// With model_name VEI, VEE, EVE, VVE or VEV, whose M-step iterates: stop its inner iterations
  /// when their relative change is at most inner_tol (mclust's emControl()$tol[2],
  /// sqrt(DBL_EPSILON)) or after inner_max_iter (emControl()$itmax[2]).
  double inner_tol = 1.4901161193847656e-08;
  int inner_max_iter = std::numeric_limits<int>::max();
  InitParams init_params = InitParams::kmeans;
  /// Not in sklearn: the starting responsibilities, n_samples x n_components, >= 0, each row
  /// normalized to sum to 1 (e.g. one-hot labels; mclust's me(modelName, data, z)). Replaces
  /// init_params; the first M-step is taken on them.
  std::optional<Matrix> resp_init;
  std::optional<Vector> weights_init;  ///< K weights, each in [0, 1], summing to 1
  std::optional<Means> means_init;     ///< K x D
  /// Precisions (inverse covariances) in the layout of covariances(): full (K*D) x D stacked,
  /// tied D x D, diag K x D, spherical K x 1.
  std::optional<Matrix> precisions_init;
  /// Seed of every random choice (initialization, sample()); std::nullopt draws one from
  /// std::random_device at each call, like sklearn's random_state=None.
  std::optional<std::uint64_t> random_state;
  bool warm_start = false;  ///< a refit starts from the fitted parameters (n_init ignored)
  int verbose = 0;          ///< 0 silent, 1 per-init messages, 2 also timing and change
  int verbose_interval = 10;
  IterationCallback callback;  ///< optional progress hook (not in sklearn)
  /// Not in sklearn; off by default, which is sklearn's behaviour. When an EM iteration's
  /// M-step finds a component that lost every point (its responsibilities sum to at most
  /// 10 eps) or whose full, diag or spherical covariance is not positive definite, fit()
  /// throws NumericalError naming it. With this option it re-seeds the component instead: its
  /// mean becomes the point with the lowest log p(x) under the model of that iteration's E-step
  /// (ties: the lowest row; several components take the next-worst points in turn), its
  /// covariance the weight-averaged covariance of the other components (tied: unchanged), its
  /// weight 1 / n_samples (of the total sample weight). Deterministic, the same with any number of
  /// threads; an iteration that re-seeds never counts as converged. Still throws when every
  /// component collapsed, a tied covariance is not positive definite, or the initialization's own
  /// M-step fails. Not with statistics_reducer: each process would re-seed at its own worst points.
  bool reseed_collapsed_components = false;
  /// Distributed EM (not in sklearn): when set, fit(X) on each process's shard X calls it on
  /// every iteration's statistics, and the M-step, lower bound and convergence test use what
  /// it leaves, so every process fits the model of all the shards together. Every process
  /// must start from the same parameters: give weights_init, means_init and precisions_init
  /// (e.g. fitted on a sample and broadcast), or warm_start from such a model.
  StatisticsReducer statistics_reducer;
  /// partial_fit's step sizes (not in sklearn; the names of sklearn's LatentDirichletAllocation):
  /// call t = 1, 2, ... after the first mixes its chunk's statistics into the running ones
  /// with weight eta_t = (t + learning_offset)^(-learning_decay). Stepwise EM (Liang & Klein
  /// 2009; Cappé & Moulines 2009) needs learning_decay in (0.5, 1]; smaller forgets faster.
  double learning_decay = 0.7;
  double learning_offset = 1.0;  ///< > 0; larger makes the first chunks weigh less
  /// Not in sklearn. With MissingValues::marginalize a NaN entry of X is missing at random for
  /// fit, fit_predict, partial_fit, expectation, predict, predict_proba, score_samples, score,
  /// bic and aic: each row counts by the marginal density of its observed entries, and the
  /// M-step uses the expected statistics of the missing ones (README, "Missing values").
  /// Infinity stays an error. Data without NaN run exactly the code of MissingValues::error.
  /// Not saved by save() (as the callback): set it again on a loaded model.
  MissingValues missing_values = MissingValues::error;
};

/// BayesianGaussianMixture's parameters under scikit-learn's names and with its defaults; a
/// prior left empty takes sklearn's data-dependent default at fit().
template <typename Scalar = double, int Dim = Eigen::Dynamic>
struct BayesianGaussianMixtureOptions {
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using RowVector = Eigen::Matrix<Scalar, 1, Dim>;

  int n_components = 1;  ///< an upper bound: the fit switches off the components it does not need
  CovarianceType covariance_type = CovarianceType::full;
  double tol = 1e-3;        ///< stop when the lower bound (a sum over the points) changes by less
  double reg_covar = 1e-6;  ///< added to the diagonal of every empirical covariance
  int max_iter = 100;       ///< variational EM iterations per initialization (0: only initialize)
  int n_init = 1;           ///< initializations; the one with the best lower bound is kept
  InitParams init_params = InitParams::kmeans;
  WeightConcentrationPriorType weight_concentration_prior_type =
      WeightConcentrationPriorType::dirichlet_process;
  /// > 0; small values put the mass on few components, large ones spread it. Default 1 /
  /// n_components.
  std::optional<double> weight_concentration_prior;
  /// > 0; how strongly the means are pulled to mean_prior. Default 1.
  std::optional<double> mean_precision_prior;
  std::optional<RowVector> mean_prior;             ///< D values; default the mean of X
  std::optional<double> degrees_of_freedom_prior;  ///< > n_features - 1; default n_features
  /// Prior of the covariance: full and tied D x D symmetric positive definite, diag 1 x D (or
  /// D x 1) positive, spherical 1 x 1 positive. Default the covariance of X (np.cov, ddof 1;
  /// diag its diagonal, spherical the mean of that).
  std::optional<Matrix> covariance_prior;
  /// Not in sklearn: the starting responsibilities, n_samples x n_components, >= 0, each row
  /// normalized to sum to 1 (e.g. one-hot labels of a clustering of your own). Replaces
  /// init_params; every initialization then starts from it.
  std::optional<Matrix> resp_init;
  /// Seed of every random choice (initialization, sample()); std::nullopt draws one from
  /// std::random_device at each call, like sklearn's random_state=None.
  std::optional<std::uint64_t> random_state;
  bool warm_start = false;  ///< a refit starts from the fitted parameters (n_init ignored)
  int verbose = 0;          ///< 0 silent, 1 per-init messages, 2 also timing and change
  int verbose_interval = 10;
  IterationCallback callback;  ///< optional progress hook (not in sklearn)
};

/// KMeans's parameters under scikit-learn's names and with scikit-learn 1.2's defaults.
template <typename Scalar = double, int Dim = Eigen::Dynamic>
struct KMeansOptions {
  using Centers = Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>;

  /// How the initial centers are chosen; `init_centers` overrides both.
  enum class Init { k_means_plus_plus, random };

  int n_clusters = 8;
  Init init = Init::k_means_plus_plus;
  std::optional<Centers> init_centers;  ///< explicit n_clusters x D start (sklearn's init=array)
  /// Runs with different seeds; the lowest inertia is kept. 0 means sklearn's 'auto'
  /// (1 for k-means++ or explicit centers, 10 for random).
  int n_init = 10;
  int max_iter = 300;
  /// Relative tolerance: Lloyd stops when the squared center shift is at most
  /// tol times the mean variance of the features.
  double tol = 1e-4;
  std::optional<std::uint64_t> random_state;
  int verbose = 0;
};

}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_OPTIONS_HPP
