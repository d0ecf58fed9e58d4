#ifndef EMGMM_DETAIL_EM_LOOP_HPP
#define EMGMM_DETAIL_EM_LOOP_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

// The EM loop, written once for both mixtures (sklearn's BaseMixture.fit_predict): n_init
// starts, each iterated until the lower bound changes by less than tol, max_iter is reached or
// the callback says stop; the start with the best lower bound is kept. Each estimator supplies
// only its start and its step: GaussianMixture's step is the E-step pass, the statistics
// reducer and the M-step (with re-seeding); BayesianGaussianMixture's is the same E-step pass
// and the variational update.

#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "../errors.hpp"
#include "../options.hpp"
#include "fit_log.hpp"
#include "validation.hpp"

namespace emgmm {
namespace detail {

/// The options of the loop, as both mixtures' options name them.
struct EmLoopSettings {
  int n_init = 1;
  int max_iter = 100;
  double tol = 1e-3;
  int verbose = 0;
  int verbose_interval = 10;
  const IterationCallback* callback = nullptr;
  /// mclust's rule: converged when |L - L_before| / (1 + |L|) <= tol for the step's total
  /// log-likelihood L = lower_bound * total_weight; else sklearn's |change| < tol.
  bool relative = false;
  const char* bound_name = "lower bound";  ///< what the lower bound is, for the error message
  std::string where;                       ///< "GaussianMixture::fit", for the error message

  template <typename MixtureOptions>
  static EmLoopSettings of(const MixtureOptions& o, int n_init, const char* bound_name,
                           std::string where) {
    EmLoopSettings s;
    s.n_init = n_init;
    s.max_iter = o.max_iter;
    s.tol = o.tol;
    s.verbose = o.verbose;
    s.verbose_interval = o.verbose_interval;
    s.callback = o.callback ? &o.callback : nullptr;
    s.bound_name = bound_name;
    s.where = std::move(where);
    return s;
  }
};

/// What one step of the loop reports.
struct EmStep {
  double lower_bound;         ///< the step's lower bound (GaussianMixture: before its M-step)
  bool restarted = false;     ///< a component was re-seeded: a new start, never converged
  double total_weight = 1.0;  ///< the lower bound times this is the total (relative rule)
};

/// The start the loop keeps, and what sklearn reports about the fit.
template <typename State>
struct EmOutcome {
  State best;
  double lower_bound = -std::numeric_limits<double>::infinity();
  int n_iter = 0;
  bool converged = false;  ///< sklearn's converged_: whether any start converged
};

/// Runs the loop. `start(init)` gives initialization init's State (a warm start: the fitted
/// one, with `first_lower_bound` its lower bound; else -inf); `step(state, init, n_iter)`
/// updates the state by one iteration and returns its lower bound. A step that returns a
/// non-finite lower bound stops the fit with NumericalError before anything is kept. With
/// max_iter = 0 the last start is kept as it is (sklearn 1.2), with n_iter 0.
template <typename State, typename Start, typename Step>
EmOutcome<State> run_em_loop(const EmLoopSettings& s, double first_lower_bound, Start&& start,
                             Step&& step) {
  EmOutcome<State> outcome;
  bool stopped = false;
  FitLog log(s.verbose, s.verbose_interval);
  for (int init = 0; init < s.n_init && !stopped; ++init) {
    log.begin_init(init);
    State state = start(init);
    if (s.max_iter == 0) {
      outcome.best = std::move(state);
      outcome.n_iter = 0;
      continue;
    }
    double lower_bound = first_lower_bound;
    int n_iter = 1;
    for (;; ++n_iter) {
      const double previous = lower_bound;
      const EmStep result = step(state, init, n_iter);
      lower_bound = result.lower_bound;
      if (!std::isfinite(lower_bound)) {
        throw NumericalError(
            s.where + ": the " + s.bound_name + " became " + to_text(lower_bound) +
            " in iteration " + to_text(n_iter) + " of initialization " + to_text(init) +
            "; the data may be too large for the Scalar type or degenerate. Rescale the "
            "data, increase reg_covar or decrease n_components.");
      }
      const double change = lower_bound - previous;
      log.iteration(n_iter, change);
      if (s.callback && !(*s.callback)(IterationInfo{init, n_iter, lower_bound, change})) {
        stopped = true;
        break;
      }
      const double total = lower_bound * result.total_weight;
      const bool small =
          s.relative ? std::abs(change * result.total_weight) / (1.0 + std::abs(total)) <= s.tol
                     : std::abs(change) < s.tol;
      if (!result.restarted && small) {
        outcome.converged = true;
        break;
      }
      if (n_iter == s.max_iter) break;
    }
    log.end_init(outcome.converged, lower_bound);
    if (lower_bound > outcome.lower_bound ||
        outcome.lower_bound == -std::numeric_limits<double>::infinity()) {
      outcome.lower_bound = lower_bound;
      outcome.best = std::move(state);
      outcome.n_iter = n_iter;
    }
  }
  if (!outcome.converged && s.max_iter > 0) log.not_converged(s.n_init);
  return outcome;
}

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_EM_LOOP_HPP
