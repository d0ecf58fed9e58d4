#ifndef EMGMM_DETAIL_FIT_LOG_HPP
#define EMGMM_DETAIL_FIT_LOG_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

// The verbose log of the mixtures' fit(), in sklearn's words and format (BaseMixture's
// _print_verbose_msg_*), written to std::cout.

#include <chrono>
#include <cstdio>
#include <iostream>

namespace emgmm {
namespace detail {

class FitLog {
 public:
  /// verbose 0 is silent, 1 prints per-initialization lines, 2 also times and changes.
  FitLog(int verbose, int verbose_interval) : verbose_(verbose), interval_(verbose_interval) {}

  void begin_init(int init) {
    init_start_ = iteration_start_ = Clock::now();
    if (verbose_ >= 1) std::cout << "Initialization " << init << "\n";
  }

  void iteration(int n_iter, double change) {
    if (verbose_ < 1 || n_iter % interval_ != 0) return;
    if (verbose_ == 1) {
      std::cout << "  Iteration " << n_iter << "\n";
      return;
    }
    const Clock::time_point now = Clock::now();
    print_line("  Iteration %d\t time lapse %.5fs\t ll change %.5f", n_iter,
               seconds(iteration_start_, now), change);
    iteration_start_ = now;
  }

  void end_init(bool converged, double lower_bound) const {
    if (verbose_ == 1) {
      std::cout << "Initialization converged: " << (converged ? "True" : "False") << "\n";
    } else if (verbose_ >= 2) {
      print_line("Initialization converged: %s\t time lapse %.5fs\t ll %.5f",
                 converged ? "True" : "False", seconds(init_start_, Clock::now()), lower_bound);
    }
  }

  /// sklearn's ConvergenceWarning, as a line of the log (C++ has no warnings module).
  void not_converged(int n_init) const {
    if (verbose_ < 1) return;
    std::cout << "ConvergenceWarning: Initialization " << n_init
              << " did not converge. Try different init parameters, or increase max_iter, tol "
                 "or check for degenerate data.\n";
  }

 private:
  using Clock = std::chrono::steady_clock;

  static double seconds(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double>(to - from).count();
  }

  template <typename... Args>
  static void print_line(const char* format, Args... args) {
    char line[256];
    std::snprintf(line, sizeof line, format, args...);
    std::cout << line << "\n";
  }

  int verbose_;
  int interval_;
  Clock::time_point init_start_;
  Clock::time_point iteration_start_;
};

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_FIT_LOG_HPP
