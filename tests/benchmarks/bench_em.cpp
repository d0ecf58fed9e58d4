// Speed of emgmm's EM iterations, side by side with a GEMM of the same flop count and, when
// found, Armadillo's gmm_full / gmm_diag (issue "Speed"). Workloads W1-W4: see workloads.hpp.
//
// Every fit starts from the same k-means result (computed once, outside the timed region, and
// passed as weights_init / means_init / precisions_init) and runs a fixed number of EM
// iterations (max_iter = 20, tol = 0). Counters of each row:
//   ms_per_iter  milliseconds per EM iteration (a fit's time / its iterations; the fit's own
//                overhead, one scan of X for finite values and K Cholesky factors, included)
//   GFLOPs       the "same flops" convention, 4 N K D^2 (full) or 8 N K D (diag) per iteration
//   vs_dgemm     time per iteration / time of a GEMM doing those flops (vs_sgemm for float):
//                an Eigen product of the data (N x D) with a D x 2KD (full) or D x 4K (diag)
//                matrix, in row blocks spread over the same threads, timed once per process
//                (rows "gemm<...>" show it); 1 would be GEMM speed. For W1 (D = 2) that GEMM
//                is itself far from the machine's peak (peak_dgemm_GFLOPs in the context)
//   loglik       mean log-likelihood of the data under the fitted model (score(X) for emgmm,
//                avg_log_p(X) for Armadillo), also printed, to stderr, in a table at the end
//                that checks emgmm against Armadillo after the same iterations from the same
//                start (they differ slightly: emgmm adds reg_covar = 1e-6 to the variances in
//                every M-step, Armadillo floors them at var_floor = 1e-6)
//
// Rows "emgmm<double,row-major>": the same fit on a Map of a row-major copy of X, what a C
// buffer, a numpy array or a file read row by row gives (the other emgmm rows read a
// column-major Eigen::MatrixXd).
//
// Rows "vlfeat<...>" (diag workloads, when VLFeat's vl/gmm.h and libvl are found): vl_gmm_em of
// VLFeat (Debian's libvlfeat-dev 0.9.21; SIMD, OpenMP), the diagonal GMM computer vision uses
// for Fisher vectors, from the same start (means, variances, priors), its variance floor set to
// 1e-6 like Armadillo's. It stops by itself when the log-likelihood changes by less than 1e-5
// relative; its iterations are counted from its own log, and a run that stopped early is
// reported as an error rather than timed.
//
// Rows "emgmm<double,mcarP%>" (W2 only): GaussianMixture with MissingValues::marginalize on
// W2's data with P% of the entries (MCAR) set to NaN, from the same start (issue 18). 0% is
// the option on complete data, which runs exactly emgmm<double>'s code.
//
// Rows "emgmm<double,EII>" ... "emgmm<double,VVV>" (W2 only): GaussianMixture with each of
// mclust's fourteen covariance models (GaussianMixtureOptions::model_name) from the same start:
// the same E-step, the M-step constrained (issue 17's target: no model above 1.5x VVV).
//
// Rows "default_fit<double>" (W2, W4): a fit with scikit-learn's defaults (its own k-means
// start, max_iter = 100, tol = 1e-3), timed whole; the counter start_share is the part of it
// the start takes (see bm_default_fit).
//
// Rows "bayesian<...>": emgmm::BayesianGaussianMixture's variational iterations from the same
// k-means labels (see bm_bayesian), to show they cost what the EM iterations cost: the same
// fused pass, plus the responsibilities' entropy and the digamma terms of K components.
//
// Threads: OpenMP threads (emgmm's blocks of rows, Eigen's GEMM and Armadillo's EM all use
// OpenMP). The rows are run for every count given with --threads=1,2 (default: the OpenMP
// default, that is OMP_NUM_THREADS or the number of cores); the "omp_threads:N" part of a
// name says which.
//
// Usage: bench_em [--threads=1,2] [--em_iters=20] [--arma_iters=N] [Google Benchmark flags]
//   --em_iters    EM iterations per emgmm fit (default 20)
//   --arma_iters  EM iterations per Armadillo fit; default per workload (workloads.hpp:
//                 20, 20, 5, 10 for W1-W4, as its full-covariance loops are slow), never more
//                 than --em_iters
// e.g. bench_em --threads=1,2 --benchmark_filter=W1   (a quick look)
//      bench_em --threads=1,2 --benchmark_out=em.json --benchmark_out_format=json

#include "workloads.hpp"

#include <benchmark/benchmark.h>

#include <Eigen/Core>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

#if EMGMM_HAVE_ARMADILLO
#include <armadillo>
#endif

#if EMGMM_HAVE_VLFEAT
extern "C" {
#include <vl/generic.h>
#include <vl/gmm.h>
}
#include <cstdarg>
#endif

namespace {

using emgmm_bench::Workload;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Settings {
  std::vector<int> threads;
  int em_iters = 20;
  int arma_iters = 0;  // 0: the workload's default
};
Settings g_settings;

void set_threads(int threads) {
#ifdef _OPENMP
  omp_set_num_threads(threads);
#else
  (void)threads;
#endif
}

int default_threads() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

template <typename Scalar>
using MatrixX = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

/// One workload's data in every form the benchmarks need, with its start. Built on first use
/// and kept until another workload is asked for (the benchmarks are registered workload by
/// workload), so that W4's 600 MB are not held while W1 runs.
struct Prepared {
  Workload w;
  Eigen::MatrixXd X;
  Eigen::MatrixXf Xf;
  // One point per row, contiguous: the row-major rows' data, and VLFeat's layout.
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> Xr;
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> Xrf;
  emgmm_bench::Start start;
#if EMGMM_HAVE_ARMADILLO
  arma::mat Xa;  // one point per column
#endif
};

Prepared& prepare(const Workload& w) {
  static std::unique_ptr<Prepared> current;
  if (current && current->w.name == w.name) return *current;
  current.reset();
  const Clock::time_point begin = Clock::now();
  auto p = std::make_unique<Prepared>();
  p->w = w;
  p->X = emgmm_bench::make_data(w);
  p->Xf = p->X.cast<float>();
  p->Xr = p->X;
  if (w.type == emgmm::CovarianceType::diag) p->Xrf = p->Xf;  // VLFeat's float rows
  p->start = emgmm_bench::kmeans_start(p->X, w);
#if EMGMM_HAVE_ARMADILLO
  p->Xa = arma::mat(p->X.data(), arma::uword(w.n), arma::uword(w.d)).t();
#endif
  std::fprintf(stderr, "[%s: data and k-means start ready in %.1f s]\n", w.label().c_str(),
               seconds_since(begin));
  current = std::move(p);
  return *current;
}

template <typename Scalar>
const MatrixX<Scalar>& data_of(const Prepared& p) {
  if constexpr (std::is_same<Scalar, float>::value) {
    return p.Xf;
  } else {
    return p.X;
  }
}

// ---------------------------------------------------------------------------------------------
// The GEMM of the same flops as one EM iteration: X (N x D) times B, B being D x 2KD for full
// (2 N D 2KD = 4 N K D^2) and D x 4K for diag (2 N D 4K = 8 N K D). Blocks of rows are shared
// among the threads; each block's product stays in the core's L2 cache.

template <typename Scalar>
double gemm_pass(const MatrixX<Scalar>& X, const MatrixX<Scalar>& B) {
  const Eigen::Index N = X.rows();
  const Eigen::Index block_rows =
      std::max<Eigen::Index>(64, std::min<Eigen::Index>(4096, (32768 / B.cols()) / 32 * 32));
  const Eigen::Index n_blocks = (N + block_rows - 1) / block_rows;
  const Clock::time_point begin = Clock::now();
#pragma omp parallel
  {
    MatrixX<Scalar> C(block_rows, B.cols());
#pragma omp for schedule(static)
    for (Eigen::Index b = 0; b < n_blocks; ++b) {
      const Eigen::Index start = b * block_rows;
      const Eigen::Index rows = std::min(block_rows, N - start);
      C.topRows(rows).noalias() = X.middleRows(start, rows) * B;
      benchmark::DoNotOptimize(C.data());
      benchmark::ClobberMemory();
    }
  }
  return seconds_since(begin);
}

template <typename Scalar>
MatrixX<Scalar> gemm_rhs(const Workload& w) {
  const Eigen::Index cols = w.type == emgmm::CovarianceType::full ? 2 * w.k * w.d : 4 * w.k;
  emgmm_bench::Rng rng(7);
  MatrixX<Scalar> B(w.d, cols);
  for (Eigen::Index j = 0; j < cols; ++j) {
    for (Eigen::Index i = 0; i < w.d; ++i) B(i, j) = static_cast<Scalar>(rng.normal());
  }
  return B;
}

/// Seconds of that GEMM on `threads` threads: the best of at least three passes (and 0.3 s),
/// measured once per process.
template <typename Scalar>
double gemm_reference(const Prepared& p, int threads) {
  static std::map<std::tuple<std::string, int>, double> cache;
  const auto key = std::make_tuple(p.w.name, threads);
  const auto found = cache.find(key);
  if (found != cache.end()) return found->second;
  set_threads(threads);
  const MatrixX<Scalar> B = gemm_rhs<Scalar>(p.w);
  gemm_pass(data_of<Scalar>(p), B);  // warm up
  double best = 1e300, total = 0.0;
  for (int rep = 0; rep < 3 || total < 0.3; ++rep) {
    const double t = gemm_pass(data_of<Scalar>(p), B);
    best = std::min(best, t);
    total += t;
  }
  cache.emplace(key, best);
  return best;
}

template <typename Scalar>
const char* scalar_name() {
  return std::is_same<Scalar, float>::value ? "float" : "double";
}

void set_speed_counters(benchmark::State& state, const Workload& w, double seconds_per_iter,
                        double reference_seconds, const char* reference_name) {
  state.counters["ms_per_iter"] = benchmark::Counter(1e3 * seconds_per_iter);
  state.counters["GFLOPs"] = benchmark::Counter(w.flops_per_iteration() / seconds_per_iter / 1e9);
  if (reference_seconds > 0.0) {
    state.counters[reference_name] = benchmark::Counter(seconds_per_iter / reference_seconds);
  }
}

template <typename Scalar>
void bm_gemm(benchmark::State& state, const Workload& w, int threads) {
  Prepared& p = prepare(w);
  set_threads(threads);
  const MatrixX<Scalar> B = gemm_rhs<Scalar>(w);
  double total = 0.0;
  for (auto _ : state) {
    const double t = gemm_pass(data_of<Scalar>(p), B);
    state.SetIterationTime(t);
    total += t;
  }
  set_speed_counters(state, w, total / double(state.iterations()), 0.0, "");
}

// ---------------------------------------------------------------------------------------------
// The log-likelihoods reached, for the table printed at the end.

struct Outcome {
  int iterations = 0;
  double loglik = 0.0;
};
std::map<std::string, std::map<std::string, Outcome>> g_outcomes;  // workload -> implementation

template <typename Scalar, int Dim>
emgmm::GaussianMixtureOptions<Scalar, Dim> options_for(const Prepared& p, int max_iter) {
  emgmm::GaussianMixtureOptions<Scalar, Dim> options;
  options.n_components = static_cast<int>(p.w.k);
  options.covariance_type = p.w.type;
  options.max_iter = max_iter;
  options.tol = 0.0;  // never converged: exactly max_iter iterations
  options.n_init = 1;
  options.weights_init = p.start.weights.cast<Scalar>();
  options.means_init = p.start.means.cast<Scalar>();
  options.precisions_init = p.start.precisions.cast<Scalar>();
  return options;
}

template <typename Scalar, int Dim, typename Data>
void run_emgmm(benchmark::State& state, const Prepared& p, const Data& X, int threads,
               std::string name = "", bool marginalize = false,
               std::optional<emgmm::ModelName> model = std::nullopt) {
  const Workload& w = p.w;
  const double reference = gemm_reference<Scalar>(p, threads);
  set_threads(threads);
  const int iters = g_settings.em_iters;
  emgmm::GaussianMixtureOptions<Scalar, Dim> options = options_for<Scalar, Dim>(p, iters);
  if (marginalize) options.missing_values = emgmm::MissingValues::marginalize;
  options.model_name = model;
  emgmm::GaussianMixture<Scalar, Dim> gmm(options);
  double total = 0.0;
  for (auto _ : state) {
    const Clock::time_point begin = Clock::now();
    gmm.fit(X);
    const double t = seconds_since(begin);
    state.SetIterationTime(t);
    total += t;
    benchmark::DoNotOptimize(gmm.lower_bound());
  }
  if (gmm.n_iter() != iters) {
    state.SkipWithError("emgmm ran a different number of EM iterations than max_iter");
    return;
  }
  const double per_iter = total / double(state.iterations()) / iters;
  set_speed_counters(state, w, per_iter, reference,
                     std::is_same<Scalar, float>::value ? "vs_sgemm" : "vs_dgemm");
  const double loglik = gmm.score(X);
  state.counters["loglik"] = benchmark::Counter(loglik);
  if (name.empty()) {
    name =
        std::string("emgmm<") + scalar_name<Scalar>() + (Dim == Eigen::Dynamic ? "" : ", 2") + ">";
  }
  g_outcomes[w.label()][name] = Outcome{iters, loglik};
}

/// emgmm's fit on row-major data, through a Map as a user of a C buffer would pass it.
void bm_emgmm_row_major(benchmark::State& state, const Workload& w, int threads) {
  const Prepared& p = prepare(w);
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Eigen::Map<const RowMajor> X(p.Xr.data(), p.Xr.rows(), p.Xr.cols());
  run_emgmm<double, Eigen::Dynamic>(state, p, X, threads, "emgmm<double,row-major>");
}

/// emgmm's fit with MissingValues::marginalize on the workload's data with `percent` of the
/// entries (MCAR, fixed seed) replaced by NaN (issue 18): 0% runs the option on complete data,
/// which must cost what emgmm<double> costs (the same code path).
template <int Percent>
void bm_emgmm_missing(benchmark::State& state, const Workload& w, int threads) {
  const Prepared& p = prepare(w);
  Eigen::MatrixXd X = p.X;
  std::mt19937_64 engine(18);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (Eigen::Index j = 0; j < X.cols(); ++j) {
    for (Eigen::Index i = 0; i < X.rows(); ++i) {
      if (uniform(engine) < Percent / 100.0) X(i, j) = std::numeric_limits<double>::quiet_NaN();
    }
  }
  run_emgmm<double, Eigen::Dynamic>(state, p, X, threads,
                                    "emgmm<double,mcar" + std::to_string(Percent) + "%>", true);
}

/// emgmm's fit under one of mclust's covariance models (full workloads; issue 17): the same
/// start and E-step as emgmm<double>, the M-step constrained (detail/parsimonious.hpp).
void bm_emgmm_model(benchmark::State& state, const Workload& w, int threads,
                    emgmm::ModelName model) {
  const Prepared& p = prepare(w);
  run_emgmm<double, Eigen::Dynamic>(state, p, p.X, threads,
                                    std::string("emgmm<double,") + emgmm::to_string(model) + ">",
                                    false, model);
}

/// emgmm's fit; Dim = 2 runs the fixed-size model on Eigen::Matrix<double, Dynamic, 2> data,
/// what a user of that model holds.
template <typename Scalar, int Dim>
void bm_emgmm(benchmark::State& state, const Workload& w, int threads) {
  const Prepared& p = prepare(w);
  if constexpr (Dim == Eigen::Dynamic) {
    run_emgmm<Scalar, Dim>(state, p, data_of<Scalar>(p), threads);
  } else {
    const Eigen::Matrix<Scalar, Eigen::Dynamic, Dim> X = data_of<Scalar>(p);
    run_emgmm<Scalar, Dim>(state, p, X, threads);
  }
}

/// A default fit, as a user writes it (issue 16's "the k-means start no more than 25% of a
/// default fit"): GaussianMixture<double>(n_components = K, the workload's covariance type),
/// every other option scikit-learn's default (init_params kmeans: KMeans with n_init = 1 and
/// its own max_iter = 300, tol = 1e-4; max_iter = 100, tol = 1e-3; random_state fixed). The
/// manual time is the whole fit; each repetition also fits with max_iter = 0, the start alone
/// (k-means, the first M-step and the final E-step for the labels), so that
///   start_share  = (max_iter = 0 fit) / (default fit)
///   n_iter       = the default fit's EM iterations (tol = 1e-3 decides when it stops)
void bm_default_fit(benchmark::State& state, const Workload& w, int threads) {
  const Prepared& p = prepare(w);
  set_threads(threads);
  emgmm::GaussianMixtureOptions<double> options;
  options.n_components = static_cast<int>(w.k);
  options.covariance_type = w.type;
  options.random_state = w.seed;
  emgmm::GaussianMixture<double> model(options);
  options.max_iter = 0;
  emgmm::GaussianMixture<double> start_only(options);
  double total = 0.0, start_total = 0.0;
  for (auto _ : state) {
    Clock::time_point begin = Clock::now();
    start_only.fit(p.X);
    start_total += seconds_since(begin);
    begin = Clock::now();
    model.fit(p.X);
    const double t = seconds_since(begin);
    state.SetIterationTime(t);
    total += t;
    benchmark::DoNotOptimize(model.lower_bound());
  }
  const double repetitions = double(state.iterations());
  state.counters["ms_start"] = benchmark::Counter(1e3 * start_total / repetitions);
  state.counters["start_share"] = benchmark::Counter(start_total / total);
  state.counters["n_iter"] = benchmark::Counter(double(model.n_iter()));
  state.counters["loglik"] = benchmark::Counter(model.score(p.X));
}

/// BayesianGaussianMixture (variational EM, no C++ peer) on the same start: resp_init one-hot
/// on the k-means labels. Its fit also resolves the priors and initializes (three passes over
/// X), so each timed repetition fits twice, with em_iters iterations and with max_iter = 0,
/// and the manual time is the difference: the iterations alone, comparable with emgmm<...>'s.
template <typename Scalar>
void bm_bayesian(benchmark::State& state, const Workload& w, int threads) {
  const Prepared& p = prepare(w);
  const MatrixX<Scalar>& X = data_of<Scalar>(p);
  const double reference = gemm_reference<Scalar>(p, threads);
  set_threads(threads);
  const int iters = g_settings.em_iters;
  emgmm::BayesianGaussianMixtureOptions<Scalar> options;
  options.n_components = static_cast<int>(w.k);
  options.covariance_type = w.type;
  options.tol = 0.0;
  MatrixX<Scalar> resp = MatrixX<Scalar>::Zero(X.rows(), w.k);
  for (Eigen::Index i = 0; i < X.rows(); ++i) resp(i, p.start.labels(i)) = Scalar(1);
  options.resp_init = std::move(resp);
  options.max_iter = 0;
  emgmm::BayesianGaussianMixture<Scalar> start_only(options);
  options.max_iter = iters;
  emgmm::BayesianGaussianMixture<Scalar> model(std::move(options));
  double total = 0.0;
  for (auto _ : state) {
    Clock::time_point begin = Clock::now();
    start_only.fit(X);
    const double setup = seconds_since(begin);
    begin = Clock::now();
    model.fit(X);
    const double t = std::max(0.0, seconds_since(begin) - setup);
    state.SetIterationTime(t);
    total += t;
    benchmark::DoNotOptimize(model.lower_bound());
  }
  if (model.n_iter() != iters) {
    state.SkipWithError(
        "BayesianGaussianMixture ran a different number of iterations than max_iter");
    return;
  }
  set_speed_counters(state, w, total / double(state.iterations()) / iters, reference,
                     std::is_same<Scalar, float>::value ? "vs_sgemm" : "vs_dgemm");
  state.counters["lower_bound"] = benchmark::Counter(model.lower_bound());
}

#if EMGMM_HAVE_ARMADILLO

/// Counts the "EM: iteration:" lines of Armadillo's learn(print_mode = true): its EM stops
/// early when the log-likelihood changes by less than machine epsilon, which must not happen
/// in a timed run.
int count_arma_iterations(const std::string& log) {
  int count = 0;
  for (std::size_t at = log.find("EM: iteration:"); at != std::string::npos;
       at = log.find("EM: iteration:", at + 1)) {
    ++count;
  }
  return count;
}

template <typename Model>
void set_arma_start(Model& model, const Prepared& p) {
  const emgmm_bench::Start& s = p.start;
  const arma::uword D = arma::uword(p.w.d), K = arma::uword(p.w.k);
  arma::mat means(D, K);
  arma::rowvec hefts(K);
  for (arma::uword k = 0; k < K; ++k) {
    hefts(k) = s.weights(Eigen::Index(k));
    for (arma::uword d = 0; d < D; ++d) means(d, k) = s.means(Eigen::Index(k), Eigen::Index(d));
  }
  if constexpr (std::is_same<Model, arma::gmm_full>::value) {
    arma::cube fcovs(D, D, K);
    for (arma::uword k = 0; k < K; ++k) {
      for (arma::uword j = 0; j < D; ++j) {
        for (arma::uword i = 0; i < D; ++i) {
          fcovs(i, j, k) = s.covariances(Eigen::Index(k * D + i), Eigen::Index(j));
        }
      }
    }
    model.set_params(means, fcovs, hefts);
  } else {
    arma::mat dcovs(D, K);
    for (arma::uword k = 0; k < K; ++k) {
      for (arma::uword d = 0; d < D; ++d)
        dcovs(d, k) = s.covariances(Eigen::Index(k), Eigen::Index(d));
    }
    model.set_params(means, dcovs, hefts);
  }
}

template <typename Model>
void bm_armadillo(benchmark::State& state, const Workload& w, int threads) {
  Prepared& p = prepare(w);
  const double reference = gemm_reference<double>(p, threads);
  set_threads(threads);
  const int iters = std::min(g_settings.em_iters,
                             g_settings.arma_iters > 0 ? g_settings.arma_iters : w.arma_iters);
  Model model;
  double total = 0.0;
  for (auto _ : state) {
    set_arma_start(model, p);
    std::ostringstream log;
    std::streambuf* const cout_buffer = std::cout.rdbuf(log.rdbuf());
    const Clock::time_point begin = Clock::now();
    const bool ok = model.learn(p.Xa, arma::uword(w.k), arma::eucl_dist, arma::keep_existing,
                                /*km_iter=*/0, /*em_iter=*/arma::uword(iters), /*var_floor=*/1e-6,
                                /*print_mode=*/true);
    const double t = seconds_since(begin);
    std::cout.rdbuf(cout_buffer);
    state.SetIterationTime(t);
    total += t;
    if (!ok) {
      state.SkipWithError("Armadillo's learn() failed");
      return;
    }
    if (count_arma_iterations(log.str()) != iters) {
      state.SkipWithError("Armadillo's EM stopped early; its time per iteration would be wrong");
      return;
    }
  }
  const double per_iter = total / double(state.iterations()) / iters;
  set_speed_counters(state, w, per_iter, reference, "vs_dgemm");
  const double loglik = model.avg_log_p(p.Xa);
  state.counters["loglik"] = benchmark::Counter(loglik);
  const char* name =
      std::is_same<Model, arma::gmm_full>::value ? "arma::gmm_full" : "arma::gmm_diag";
  g_outcomes[w.label()][name] = Outcome{iters, loglik};
  // emgmm after the same number of iterations, for the log-likelihood check (untimed).
  if (iters != g_settings.em_iters) {
    emgmm::GaussianMixture<double> gmm(options_for<double, Eigen::Dynamic>(p, iters));
    gmm.fit(p.X);
    g_outcomes[w.label()]["emgmm<double> (same iterations)"] = Outcome{iters, gmm.score(p.X)};
  }
}

#endif  // EMGMM_HAVE_ARMADILLO

#if EMGMM_HAVE_VLFEAT

/// VLFeat's log lines of the run in progress (vl_set_printf_func takes a C function).
std::string g_vlfeat_log;

int capture_vlfeat_log(char const* format, ...) {
  char line[512];
  va_list args;
  va_start(args, format);
  const int written = std::vsnprintf(line, sizeof line, format, args);
  va_end(args);
  g_vlfeat_log += line;
  return written;
}

/// The EM iterations of one vl_gmm_em run: its M-steps, one per "iteration" line but the last
/// (each line reports an E-step; the last E-step is followed by the stopping test).
int count_vlfeat_iterations(const std::string& log) {
  int lines = 0;
  for (std::size_t at = log.find("gmm: em: iteration"); at != std::string::npos;
       at = log.find("gmm: em: iteration", at + 1)) {
    ++lines;
  }
  return lines - 1;
}

template <typename Scalar>
void bm_vlfeat(benchmark::State& state, const Workload& w, int threads) {
  Prepared& p = prepare(w);
  const double reference = gemm_reference<Scalar>(p, threads);
  set_threads(threads);
  vl_set_num_threads(vl_size(threads));
  const printf_func_t previous_printf = vl_get_printf_func();
  vl_set_printf_func(&capture_vlfeat_log);
  const int iters = g_settings.em_iters;
  const emgmm_bench::Start& s = p.start;
  const Eigen::Index D = w.d, K = w.k;
  // VLFeat's parameters: one component per column of means and variances (D x K).
  const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> means =
      s.means.transpose().cast<Scalar>();
  const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> variances =
      s.covariances.transpose().cast<Scalar>();
  const Eigen::Matrix<Scalar, Eigen::Dynamic, 1> priors = s.weights.cast<Scalar>();
  const void* data = nullptr;
  if constexpr (std::is_same<Scalar, float>::value) {
    data = p.Xrf.data();
  } else {
    data = p.Xr.data();
  }
  VlGMM* gmm = vl_gmm_new(std::is_same<Scalar, float>::value ? VL_TYPE_FLOAT : VL_TYPE_DOUBLE,
                          vl_size(D), vl_size(K));
  vl_gmm_set_max_num_iterations(gmm, vl_size(iters));
  vl_gmm_set_covariance_lower_bound(gmm, 1e-6);
  vl_gmm_set_verbosity(gmm, 1);
  double total = 0.0, loglik = 0.0;
  int done = 0;
  for (auto _ : state) {
    vl_gmm_set_means(gmm, means.data());
    vl_gmm_set_covariances(gmm, variances.data());
    vl_gmm_set_priors(gmm, priors.data());
    g_vlfeat_log.clear();
    const Clock::time_point begin = Clock::now();
    loglik = vl_gmm_em(gmm, data, vl_size(w.n));
    const double t = seconds_since(begin);
    state.SetIterationTime(t);
    total += t;
    done = count_vlfeat_iterations(g_vlfeat_log);
    if (done != iters) break;
  }
  vl_gmm_delete(gmm);
  vl_set_printf_func(previous_printf);
  if (done != iters) {
    state.SkipWithError("VLFeat's EM stopped early; its time per iteration would be wrong");
    return;
  }
  set_speed_counters(state, w, total / double(state.iterations()) / iters, reference,
                     std::is_same<Scalar, float>::value ? "vs_sgemm" : "vs_dgemm");
  // vl_gmm_em returns the log-likelihood of its last E-step, summed over the points.
  state.counters["loglik"] = benchmark::Counter(loglik / double(w.n));
  g_outcomes[w.label()][std::string("vlfeat<") + scalar_name<Scalar>() + ">"] =
      Outcome{iters, loglik / double(w.n)};
}

#endif  // EMGMM_HAVE_VLFEAT

// ---------------------------------------------------------------------------------------------

/// Eigen's GEMM on 1024 x 1024 matrices with `threads` threads, in GFLOP/s (best of three).
double peak_dgemm_gflops(int threads) {
  set_threads(threads);
  const Eigen::Index n = 1024;
  const Eigen::MatrixXd A = Eigen::MatrixXd::Random(n, n), B = Eigen::MatrixXd::Random(n, n);
  Eigen::MatrixXd C(n, n);
  double best = 1e300;
  for (int rep = 0; rep < 4; ++rep) {
    const Clock::time_point begin = Clock::now();
    C.noalias() = A * B;
    benchmark::DoNotOptimize(C.data());
    if (rep > 0) best = std::min(best, seconds_since(begin));
  }
  return 2.0 * double(n) * double(n) * double(n) / best / 1e9;
}

void register_benchmarks() {
  for (const Workload& w : emgmm_bench::all_workloads()) {
    const bool is_w1 = w.name == "W1";
    for (int threads : g_settings.threads) {
      const std::string suffix = "/omp_threads:" + std::to_string(threads);
      const auto add = [&](const std::string& what, auto function) {
        benchmark::RegisterBenchmark((w.label() + "/" + what + suffix).c_str(), function, w,
                                     threads)
            ->UseManualTime()
            ->Unit(benchmark::kMillisecond);
      };
      add("gemm<double>", bm_gemm<double>);
      add("emgmm<double>", bm_emgmm<double, Eigen::Dynamic>);
      add("emgmm<double,row-major>", bm_emgmm_row_major);
      add("bayesian<double>", bm_bayesian<double>);
      if (w.name == "W2" || w.name == "W4") add("default_fit<double>", bm_default_fit);
      if (w.name == "W2") {
        add("emgmm<double,mcar0%>", bm_emgmm_missing<0>);
        add("emgmm<double,mcar5%>", bm_emgmm_missing<5>);
        add("emgmm<double,mcar20%>", bm_emgmm_missing<20>);
        for (const emgmm::ModelName model : emgmm::kModelNames) {
          add(std::string("emgmm<double,") + emgmm::to_string(model) + ">",
              [model](benchmark::State& state, const Workload& work, int n_threads) {
                bm_emgmm_model(state, work, n_threads, model);
              });
        }
      }
      if (is_w1) {
        add("emgmm<double,2>", bm_emgmm<double, 2>);
      } else {
        add("gemm<float>", bm_gemm<float>);
        add("emgmm<float>", bm_emgmm<float, Eigen::Dynamic>);
        add("bayesian<float>", bm_bayesian<float>);
      }
#if EMGMM_HAVE_ARMADILLO
      if (w.type == emgmm::CovarianceType::full) {
        add("arma::gmm_full", bm_armadillo<arma::gmm_full>);
      } else {
        add("arma::gmm_diag", bm_armadillo<arma::gmm_diag>);
      }
#endif
#if EMGMM_HAVE_VLFEAT
      if (w.type == emgmm::CovarianceType::diag) {
        add("vlfeat<double>", bm_vlfeat<double>);
        add("vlfeat<float>", bm_vlfeat<float>);
      }
#endif
    }
  }
}

void print_outcomes() {
  if (g_outcomes.empty()) return;
  std::fprintf(
      stderr,
      "\nMean log-likelihood of the data after the EM iterations, from the same k-means start:\n");
  for (const auto& [workload, outcomes] : g_outcomes) {
    for (const auto& [name, outcome] : outcomes) {
      std::fprintf(stderr, "  %-26s %-34s %3d iterations  %.10f\n", workload.c_str(), name.c_str(),
                   outcome.iterations, outcome.loglik);
    }
    // emgmm against Armadillo after the same iterations.
    for (const char* arma_name : {"arma::gmm_full", "arma::gmm_diag"}) {
      const auto arma = outcomes.find(arma_name);
      if (arma == outcomes.end()) continue;
      for (const auto& [name, outcome] : outcomes) {
        if (name.rfind("emgmm<double", 0) != 0 || outcome.iterations != arma->second.iterations)
          continue;
        std::fprintf(stderr, "  %-26s %s - %s = %.3g\n", workload.c_str(), name.c_str(), arma_name,
                     outcome.loglik - arma->second.loglik);
      }
    }
  }
}

/// Takes out --threads, --em_iters and --arma_iters; leaves the rest to Google Benchmark.
bool parse_own_flags(int& argc, char** argv) {
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value_of = [&](const std::string& flag) -> const char* {
      return arg.rfind(flag + "=", 0) == 0 ? argv[i] + flag.size() + 1 : nullptr;
    };
    if (const char* v = value_of("--threads")) {
      std::stringstream list(v);
      std::string item;
      while (std::getline(list, item, ',')) {
        const int t = std::atoi(item.c_str());
        if (t < 1) {
          std::fprintf(stderr,
                       "bench_em: --threads=%s: give thread counts >= 1, e.g. --threads=1,2\n", v);
          return false;
        }
        g_settings.threads.push_back(t);
      }
    } else if (const char* iters = value_of("--em_iters")) {
      g_settings.em_iters = std::atoi(iters);
      if (g_settings.em_iters < 1) {
        std::fprintf(stderr, "bench_em: --em_iters=%s must be >= 1\n", iters);
        return false;
      }
    } else if (const char* arma_iters = value_of("--arma_iters")) {
      g_settings.arma_iters = std::atoi(arma_iters);
      if (g_settings.arma_iters < 1) {
        std::fprintf(stderr, "bench_em: --arma_iters=%s must be >= 1\n", arma_iters);
        return false;
      }
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  if (g_settings.threads.empty()) g_settings.threads.push_back(default_threads());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (!parse_own_flags(argc, argv)) return 2;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  benchmark::AddCustomContext("emgmm_version", std::to_string(EMGMM_VERSION_MAJOR) + "." +
                                                   std::to_string(EMGMM_VERSION_MINOR) + "." +
                                                   std::to_string(EMGMM_VERSION_PATCH));
  benchmark::AddCustomContext("eigen_simd", Eigen::SimdInstructionSetsInUse());
#ifdef _OPENMP
  benchmark::AddCustomContext("openmp",
                              "yes (default threads " + std::to_string(default_threads()) + ")");
#else
  benchmark::AddCustomContext("openmp", "no: every row runs on one thread");
#endif
#if EMGMM_HAVE_ARMADILLO
  std::string arma = arma::arma_version::as_string();
#if defined(ARMA_USE_OPENMP)
  arma += ", OpenMP";
#else
  arma += ", no OpenMP";
#endif
  benchmark::AddCustomContext("armadillo", arma);
#else
  benchmark::AddCustomContext("armadillo", "not found");
#endif
  benchmark::AddCustomContext("em_iters", std::to_string(g_settings.em_iters));
  for (int threads : g_settings.threads) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", peak_dgemm_gflops(threads));
    benchmark::AddCustomContext("peak_dgemm_GFLOPs/omp_threads:" + std::to_string(threads), text);
  }

  register_benchmarks();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  print_outcomes();
  return 0;
}
