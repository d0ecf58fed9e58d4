// The contract both mixtures keep, tested once for both (issue 14, item 5): GaussianMixture and
// BayesianGaussianMixture share their E-step, their queries and their fitted state
// (detail::MixtureModel), and promise the same things of a fit:
//   1. the lower bound never decreases from one EM iteration to the next;
//   2. a fit is bit-identical whatever the number of OpenMP threads;
//   3. warm_start = true continues from the fitted model;
//   4. a fit that throws leaves the model exactly as it was (the strong guarantee);
//   5. save() and load() round-trip the model bit for bit;
//   6. fit_predict(X) is fit(X).predict(X); probabilities and weights sum to one.
// Each property is one TEMPLATE_TEST_CASE over both mixtures with float and double
// (Dim = Eigen::Dynamic), in the manner of Sophus's LieGroupTests<G>: the test is written
// against what the two classes have in common, and a small traits struct (Contract<Model>) says
// what is particular to each: the option that selects its variants (BayesianGaussianMixture's
// weight_concentration_prior_type), its own fitted attributes (compared along with the shared
// ones wherever the contract says "every accessor"), how its lower bound scales, and what the
// thread-count case fits.
// Estimator-specific behaviour stays in test_gaussian_mixture.cpp and
// test_bayesian_gaussian_mixture.cpp, and so do the tests of GaussianMixture with a fixed Dim
// (its lower bound and warm_start among them).
//
// The data are seeded samples of known mixtures (synthetic_data.hpp): three blobs, well
// separated or overlapping, in 2 or 3 dimensions, and every case loops over the four covariance
// types. Every case is tagged [contract]; the thread-count case also [threads] and the
// lower-bound case (hundreds of variational iterations) also [bayesian_gaussian_mixture], so
// that ctest runs these two, the heaviest, in its emgmm_tests_bayesian_threads entry beside the
// other thread-count and BayesianGaussianMixture tests, and the rest in emgmm_tests: the two
// entries stay balanced (tests/CMakeLists.txt).

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>
#include <Eigen/Eigenvalues>

#include <emgmm/emgmm.hpp>

#include "catch.hpp"
#include "error_checks.hpp"
#include "synthetic_data.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace {

using Eigen::Index;
using emgmm::CovarianceType;
using emgmm::InitParams;
using emgmm::IterationInfo;
using emgmm_test_errors::Outcome;
using emgmm_test_errors::outcome_of;
using emgmm_test_errors::Thrown;

const CovarianceType kAllTypes[] = {CovarianceType::full, CovarianceType::tied,
                                    CovarianceType::diag, CovarianceType::spherical};

template <typename Model>
using ScalarOf = typename Model::Matrix::Scalar;

template <typename Scalar>
using Data = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

template <typename Scalar>
double eps() {
  return double(std::numeric_limits<Scalar>::epsilon());
}

// ---------------------------------------------------------------------------------------------
// Bitwise comparison and a record of every accessor of a fitted model.

/// Same shape and the same bytes (error_checks.hpp's test: stricter than ==, NaN-safe).
using emgmm_test_errors::bit_identical;
using emgmm_test_errors::check_same_options;

/// Every accessor of a fitted model and the answers of its queries on some points, by name:
/// what "the model" means when the contract says it is unchanged, reproduced or round-tripped.
template <typename Model>
struct Snapshot {
  using Matrix = Data<ScalarOf<Model>>;
  std::vector<std::pair<std::string, Matrix>> matrices;
  std::vector<std::pair<std::string, double>> numbers;
  std::vector<std::pair<std::string, Eigen::MatrixXi>> integers;

  template <typename Derived>
  void record(const std::string& name, const Eigen::MatrixBase<Derived>& value) {
    using S = typename Derived::Scalar;
    if constexpr (std::is_same<S, int>::value) {
      integers.emplace_back(name, Eigen::MatrixXi(value));
    } else {
      static_assert(std::is_same<S, ScalarOf<Model>>::value, "a matrix of the model's Scalar");
      matrices.emplace_back(name, Matrix(value));
    }
  }
  void record(const std::string& name, double value) { numbers.emplace_back(name, value); }
  void record_integer(const std::string& name, long long value) {
    integers.emplace_back(name, Eigen::MatrixXi::Constant(1, 1, static_cast<int>(value)));
  }
};

template <typename Model>
struct Contract;  // what is particular to each mixture; below

/// The snapshot of a fitted model: every shared accessor, covariance(k) and precision(k) of
/// every component, predict / predict_proba / score_samples / score on `probe` and a seeded
/// sample(), then the estimator's own accessors (Contract<Model>::record_specific).
template <typename Model>
Snapshot<Model> snapshot_of(const Model& model, const Data<ScalarOf<Model>>& probe) {
  REQUIRE(model.is_fitted());
  Snapshot<Model> s;
  s.record("weights", model.weights());
  s.record("means", model.means());
  s.record("covariances", model.covariances());
  s.record("precisions", model.precisions());
  s.record("precisions_cholesky", model.precisions_cholesky());
  for (Index k = 0; k < model.weights().size(); ++k) {
    s.record("covariance(" + std::to_string(k) + ")", model.covariance(k));
    s.record("precision(" + std::to_string(k) + ")", model.precision(k));
  }
  s.record_integer("converged", model.converged() ? 1 : 0);
  s.record_integer("n_iter", model.n_iter());
  s.record("lower_bound", model.lower_bound());
  s.record_integer("n_features_in", model.n_features_in());
  s.record_integer("n_components", model.n_components());
  s.record_integer("covariance_type", static_cast<int>(model.covariance_type()));
  s.record("predict", model.predict(probe));
  s.record("predict_proba", model.predict_proba(probe));
  s.record("score_samples", model.score_samples(probe));
  s.record("score", model.score(probe));
  const auto samples = model.sample(7);
  s.record("sample X", samples.X);
  s.record("sample y", samples.y);
  Contract<Model>::record_specific(model, probe, s);
  return s;
}

/// Every entry of two snapshots bit-identical, but those named in `except`.
template <typename Model>
void check_same(const Snapshot<Model>& a, const Snapshot<Model>& b,
                const std::vector<std::string>& except = {}) {
  const auto skipped = [&](const std::string& name) {
    for (const std::string& e : except) {
      if (e == name) return true;
    }
    return false;
  };
  REQUIRE(a.matrices.size() == b.matrices.size());
  REQUIRE(a.numbers.size() == b.numbers.size());
  REQUIRE(a.integers.size() == b.integers.size());
  for (std::size_t i = 0; i < a.matrices.size(); ++i) {
    if (skipped(a.matrices[i].first)) continue;
    INFO(a.matrices[i].first);
    CHECK(bit_identical(a.matrices[i].second, b.matrices[i].second));
  }
  for (std::size_t i = 0; i < a.numbers.size(); ++i) {
    if (skipped(a.numbers[i].first)) continue;
    INFO(a.numbers[i].first << ": " << a.numbers[i].second << " and " << b.numbers[i].second);
    CHECK(bit_identical(a.numbers[i].second, b.numbers[i].second));
  }
  for (std::size_t i = 0; i < a.integers.size(); ++i) {
    if (skipped(a.integers[i].first)) continue;
    INFO(a.integers[i].first);
    CHECK(a.integers[i].second == b.integers[i].second);
  }
}

// ---------------------------------------------------------------------------------------------
// What is particular to each mixture.

template <typename Options>
struct Variant {
  std::string name;
  std::function<void(Options&)> apply;
};

template <typename Scalar>
struct Contract<emgmm::GaussianMixture<Scalar>> {
  using Model = emgmm::GaussianMixture<Scalar>;
  using Options = typename Model::Options;
  static constexpr const char* kName = "GaussianMixture";
  /// One variant: every option that matters to the contract is set by the tests themselves.
  static std::vector<Variant<Options>> variants() {
    return {{"", [](Options&) {}}};
  }
  /// lower_bound() is the mean log-likelihood: the bound of one point.
  static double points_in_bound(Index /*n_samples*/) { return 1.0; }
  /// The thread-count case: every covariance type (the passes have a kernel for each), and two
  /// k-means starts from different seeds.
  static std::vector<CovarianceType> thread_count_types() {
    return {CovarianceType::full, CovarianceType::tied, CovarianceType::diag,
            CovarianceType::spherical};
  }
  static constexpr int kThreadCountInits = 2;
  static void record_specific(const Model& model, const Data<Scalar>& probe, Snapshot<Model>& s) {
    s.record_integer("n_parameters", model.n_parameters());
    s.record("bic", model.bic(probe));
    s.record("aic", model.aic(probe));
  }
};

template <typename Scalar>
struct Contract<emgmm::BayesianGaussianMixture<Scalar>> {
  using Model = emgmm::BayesianGaussianMixture<Scalar>;
  using Options = typename Model::Options;
  static constexpr const char* kName = "BayesianGaussianMixture";
  /// Both priors on the weights: their variational updates and lower bounds differ.
  static std::vector<Variant<Options>> variants() {
    return {{"dirichlet_process",
             [](Options& o) {
               o.weight_concentration_prior_type =
                   emgmm::WeightConcentrationPriorType::dirichlet_process;
             }},
            {"dirichlet_distribution", [](Options& o) {
               o.weight_concentration_prior_type =
                   emgmm::WeightConcentrationPriorType::dirichlet_distribution;
             }}};
  }
  /// lower_bound() is the evidence lower bound, a sum over the points.
  static double points_in_bound(Index n_samples) { return double(n_samples); }
  /// The thread-count case: its passes are GaussianMixture's own, which GaussianMixture's
  /// instantiation runs with every covariance type and two starts; between them, the
  /// variational update is serial. Full and diag (the passes' two kinds of kernels: tied runs
  /// full's, spherical diag's) and one start check it, and keep the sanitizer build (-O0) quick.
  static std::vector<CovarianceType> thread_count_types() {
    return {CovarianceType::full, CovarianceType::diag};
  }
  static constexpr int kThreadCountInits = 1;
  static void record_specific(const Model& model, const Data<Scalar>& /*probe*/,
                              Snapshot<Model>& s) {
    s.record("weight_concentration", model.weight_concentration());
    s.record("mean_precision", model.mean_precision());
    s.record("degrees_of_freedom", model.degrees_of_freedom());
    s.record("weight_concentration_prior", model.weight_concentration_prior());
    s.record("mean_precision_prior", model.mean_precision_prior());
    s.record("mean_prior", model.mean_prior());
    s.record("degrees_of_freedom_prior", model.degrees_of_freedom_prior());
    s.record("covariance_prior", model.covariance_prior());
  }
};

// ---------------------------------------------------------------------------------------------
// Data and rounding.

/// n points of three_blobs(n_features, structure, separation), drawn with `seed`, in Scalar.
template <typename Scalar>
Data<Scalar> blobs(int n_features, CovarianceType structure, double separation, Index n,
                   std::uint64_t seed) {
  return emgmm_test::draw(emgmm_test::three_blobs(n_features, structure, separation), n, seed)
      .X.template cast<Scalar>();
}

/// The smallest variance of any component of `truth` in any direction.
double smallest_variance(const emgmm_test::KnownMixture& truth) {
  double smallest = std::numeric_limits<double>::infinity();
  for (const Eigen::MatrixXd& covariance : truth.covariances) {
    smallest = std::min(
        smallest,
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(covariance).eigenvalues().minCoeff());
  }
  return smallest;
}

/// The cancellation factor kappa of data drawn from `truth` (as in test_gaussian_mixture.cpp):
/// the largest squared distance of a point from the data's mean, in units of the smallest
/// variance of any component. A density evaluated from moments about one common point (as
/// sklearn's formulas for diag and spherical covariances are) subtracts terms of that size to
/// get results of order one, so it rounds to about kappa eps.
template <typename Scalar>
double cancellation_factor(const Data<Scalar>& X, const emgmm_test::KnownMixture& truth) {
  const Eigen::MatrixXd points = X.template cast<double>();
  const double spread =
      (points.rowwise() - points.colwise().mean()).rowwise().squaredNorm().maxCoeff();
  return spread / smallest_variance(truth);
}

/// How far two evaluations of the same lower bound may differ by rounding alone, for a bound
/// over `points` points (1 for GaussianMixture's mean, n for BayesianGaussianMixture's sum).
/// Per point, the bound is a sum of a few terms of the size of |log p(x)| (log weight, log det,
/// D/2 log 2 pi, half a Mahalanobis distance of order D), each evaluated in Scalar with a
/// relative error of a few eps, or of about kappa eps where moments about a common point are
/// subtracted (cancellation_factor); the variational terms of BayesianGaussianMixture (log-gamma
/// and digamma of posterior parameters stored in Scalar) are of the same size per point. So a
/// per-point bound b rounds to within 16 eps (1 + |b|) + kappa eps, and a sum over the points
/// to that many times as much. Exact arithmetic never decreases the bound; a decrease beyond
/// this is not rounding.
template <typename Scalar>
double bound_rounding(double bound, double kappa, double points) {
  const double per_point = std::abs(bound) / points;
  return points * eps<Scalar>() * (16.0 * (1.0 + per_point) + kappa);
}

/// Runs f() with `threads` OpenMP threads and puts the previous setting back. Without OpenMP
/// there is one thread, and the thread-count case only checks that two fits agree.
template <typename F>
auto with_threads(int threads, F&& f) {
#ifdef _OPENMP
  const int previous = omp_get_max_threads();
  omp_set_num_threads(threads);
  auto result = f();
  omp_set_num_threads(previous);
  return result;
#else
  (void)threads;
  return f();
#endif
}

}  // namespace

// The four mixtures of the contract.
#define EMGMM_CONTRACT_MIXTURES                                  \
  emgmm::GaussianMixture<float>, emgmm::GaussianMixture<double>, \
      emgmm::BayesianGaussianMixture<float>, emgmm::BayesianGaussianMixture<double>

// =============================================================================================
// 1. The lower bound never decreases

TEMPLATE_TEST_CASE("contract: the lower bound never decreases from one iteration to the next",
                   "[contract][bayesian_gaussian_mixture]", EMGMM_CONTRACT_MIXTURES) {
  using Model = TestType;
  using Scalar = ScalarOf<Model>;
  using Hooks = Contract<Model>;
  // Two settings, each run on both mixtures:
  //  - EM's own: three components from random responsibilities on well separated and on
  //    overlapping blobs (the latter take many iterations), tol = 0 so that the fit keeps
  //    iterating after it has converged, where the true increase is zero and consecutive bounds
  //    may differ by rounding either way. reg_covar = 0: the regularized M-step is not the exact
  //    maximizer, so only the unregularized algorithm carries the guarantee (sklearn's
  //    test_monotonic_likelihood sets reg_covar = 0 for GaussianMixture for the same reason).
  //  - Many components on overlapping blobs from the k-means start, with the default reg_covar
  //    (sklearn's test_monotonic_likelihood of BayesianGaussianMixture): components are switched
  //    off over hundreds of iterations; the regularization's effect is far below rounding.
  struct Setting {
    const char* name;
    int n_features;
    double separation;
    bool structured;  // the blobs' covariances of the fitted covariance_type (else full)
    Index n;
    int n_components;
    double reg_covar;
    double tol;
    int max_iter;
    InitParams init;
  };
  const Setting settings[] = {
      {"3 components from random starts, well separated, 2 features", 2, 1.0, false, 300, 3, 0.0,
       0.0, 30, InitParams::random},
      {"3 components from random starts, well separated, 3 features", 3, 1.0, false, 300, 3, 0.0,
       0.0, 30, InitParams::random},
      {"3 components from random starts, overlapping, 2 features", 2, 0.25, false, 300, 3, 0.0, 0.0,
       30, InitParams::random},
      {"3 components from random starts, overlapping, 3 features", 3, 0.25, false, 300, 3, 0.0, 0.0,
       30, InitParams::random},
      {"6 components from k-means, overlapping, default reg_covar", 2, 0.25, true, 400, 6, 1e-6,
       1e-6, 300, InitParams::kmeans},
  };
  for (const Setting& setting : settings) {
    for (const CovarianceType type : kAllTypes) {
      const emgmm_test::KnownMixture truth = emgmm_test::three_blobs(
          setting.n_features, setting.structured ? type : CovarianceType::full, setting.separation);
      const Data<Scalar> X = emgmm_test::draw(truth, setting.n, 11).X.template cast<Scalar>();
      const double kappa = cancellation_factor(X, truth);
      for (const auto& variant : Hooks::variants()) {
        INFO(Hooks::kName << ", " << setting.name << ", covariance_type " << emgmm::to_string(type)
                          << " " << variant.name);
        typename Model::Options options;
        options.n_components = setting.n_components;
        options.covariance_type = type;
        options.reg_covar = setting.reg_covar;
        options.tol = setting.tol;
        options.max_iter = setting.max_iter;
        options.init_params = setting.init;
        options.random_state = 3;
        variant.apply(options);
        std::vector<IterationInfo> calls;
        options.callback = [&](const IterationInfo& info) {
          calls.push_back(info);
          return true;
        };
        Model model(options);
        model.fit(X);
        // The callback sees every iteration, numbered from 1, each with its change.
        REQUIRE(calls.size() == static_cast<std::size_t>(model.n_iter()));
        if (setting.tol == 0.0) {
          REQUIRE(model.n_iter() == setting.max_iter);
        } else {
          REQUIRE(model.n_iter() >= 5);
        }
        CHECK(model.lower_bound() == calls.back().lower_bound);
        const double points = Hooks::points_in_bound(X.rows());
        for (std::size_t i = 0; i < calls.size(); ++i) {
          CHECK(calls[i].init == 0);
          CHECK(calls[i].iteration == static_cast<int>(i) + 1);
          if (i == 0) {
            CHECK(calls[i].change == std::numeric_limits<double>::infinity());
            continue;
          }
          CHECK(calls[i].change == calls[i].lower_bound - calls[i - 1].lower_bound);
          const double allowed = bound_rounding<Scalar>(calls[i].lower_bound, kappa, points);
          INFO("iteration " << i + 1 << ": " << calls[i - 1].lower_bound << " -> "
                            << calls[i].lower_bound << " (rounding allowed: " << allowed << ")");
          CHECK(calls[i].lower_bound >= calls[i - 1].lower_bound - allowed);
        }
      }
    }
  }
}

// =============================================================================================
// 2. The number of threads changes nothing

TEMPLATE_TEST_CASE("contract: bit-identical fits with 1, 2, 3 and 16 threads",
                   "[contract][threads]", EMGMM_CONTRACT_MIXTURES) {
  using Model = TestType;
  using Scalar = ScalarOf<Model>;
  using Hooks = Contract<Model>;
  // The passes cut the rows into chunks by the problem's size only and add the chunks' sums in
  // chunk order (detail/parallel.hpp), so the same random_state gives the same bits with any
  // number of threads. 12000 points of 3 features: several chunks of blocks (a block holds up to
  // 2048 rows; fewer points would make one chunk, and the test vacuous), shared unevenly among 3
  // threads; 16 oversubscribes the cores. Few enough points that the sanitizer build (-O0)
  // stays quick; the queries run on 5000 of them (three chunks).
  const std::vector<int> thread_counts = {1, 2, 3, 16};
  const Data<Scalar> X = blobs<Scalar>(3, CovarianceType::full, 1.0, 12000, 97);
  const Data<Scalar> probe = X.topRows(5000);
  for (const CovarianceType type : Hooks::thread_count_types()) {
    INFO(Hooks::kName << ", covariance_type " << emgmm::to_string(type));
    typename Model::Options options;
    options.n_components = 4;  // one more than the blobs: the fit has something to decide
    options.covariance_type = type;
    options.n_init = Hooks::kThreadCountInits;
    options.max_iter = 8;
    options.random_state = 5;
    // One variant: the prior type changes the serial variational update, not the passes.
    Hooks::variants().front().apply(options);
    std::vector<Snapshot<Model>> fits;
    for (const int threads : thread_counts) {
      // fit_predict (which fits what fit fits: the fit_predict case) and its labels of all 12000
      // points, then every accessor and the queries, with the same number of threads.
      fits.push_back(with_threads(threads, [&] {
        Model model(options);
        const Eigen::VectorXi labels = model.fit_predict(X);
        Snapshot<Model> snapshot = snapshot_of(model, probe);
        snapshot.record("fit_predict", labels);
        return snapshot;
      }));
    }
    for (std::size_t t = 1; t < fits.size(); ++t) {
      INFO(thread_counts[t] << " threads against 1");
      check_same(fits[t], fits.front());
    }
  }
}

// =============================================================================================
// 3. warm_start continues from the fitted model

TEMPLATE_TEST_CASE("contract: warm_start continues from the fitted model", "[contract]",
                   EMGMM_CONTRACT_MIXTURES) {
  using Model = TestType;
  using Scalar = ScalarOf<Model>;
  using Hooks = Contract<Model>;
  for (const int n_features : {2, 3}) {
    // Overlapping blobs, so that EM is far from converged after a few iterations.
    const emgmm_test::KnownMixture truth =
        emgmm_test::three_blobs(n_features, CovarianceType::full, 0.3);
    const Data<Scalar> X = emgmm_test::draw(truth, 500, 101).X.template cast<Scalar>();
    const double kappa = cancellation_factor(X, truth);
    const double points = Hooks::points_in_bound(X.rows());
    for (const CovarianceType type : kAllTypes) {
      for (const auto& variant : Hooks::variants()) {
        INFO(Hooks::kName << ", " << n_features << " features, covariance_type "
                          << emgmm::to_string(type) << " " << variant.name);
        typename Model::Options base;
        base.n_components = 3;
        base.covariance_type = type;
        base.random_state = 14;
        variant.apply(base);

        // 6 and 12 iterations in one fit, from scratch.
        typename Model::Options options = base;
        options.tol = 0.0;
        options.max_iter = 6;
        Model cold(options);
        cold.fit(X);
        REQUIRE(cold.n_iter() == 6);
        const Snapshot<Model> six = snapshot_of(cold, X);
        options.max_iter = 12;
        cold.set_params(options);
        cold.fit(X);
        REQUIRE(cold.n_iter() == 12);
        const Snapshot<Model> twelve = snapshot_of(cold, X);

        {
          INFO("2 iterations, then 4 warm ones (n_init ignored)");
          options.max_iter = 2;
          Model warm(options);
          warm.fit(X);
          options.max_iter = 4;
          options.warm_start = true;
          options.n_init = 3;  // ignored by a warm start
          warm.set_params(options);
          warm.fit(X);
          CHECK(warm.n_iter() == 4);
          check_same(snapshot_of(warm, X), six, {"n_iter"});
        }
        {
          INFO("twelve fits of one iteration each, all with warm_start (the first from scratch)");
          options = base;
          options.tol = 0.0;
          options.max_iter = 1;
          options.warm_start = true;  // an unfitted model starts from scratch
          std::vector<IterationInfo> calls;
          options.callback = [&](const IterationInfo& info) {
            calls.push_back(info);
            return true;
          };
          Model stepwise(options);
          double previous = -std::numeric_limits<double>::infinity();
          for (int step = 0; step < 12; ++step) {
            INFO("step " << step + 1);
            calls.clear();
            stepwise.fit(X);
            REQUIRE(calls.size() == 1u);
            CHECK(stepwise.n_iter() == 1);
            CHECK(calls[0].iteration == 1);
            CHECK(calls[0].lower_bound == stepwise.lower_bound());
            // Each fit continues from the previous one's lower bound, not from -inf, and does not
            // lower it (but by rounding: bound_rounding).
            CHECK(calls[0].change == calls[0].lower_bound - previous);
            if (step > 0) {
              CHECK(stepwise.lower_bound() >=
                    previous - bound_rounding<Scalar>(stepwise.lower_bound(), kappa, points));
            }
            previous = stepwise.lower_bound();
          }
          check_same(snapshot_of(stepwise, X), twelve, {"n_iter"});
        }
        {
          INFO("a converged model stays where it is");
          options = base;
          Model model(options);
          model.fit(X);
          REQUIRE(model.converged());
          const double before = model.lower_bound();
          options.warm_start = true;
          std::vector<IterationInfo> calls;
          options.callback = [&](const IterationInfo& info) {
            calls.push_back(info);
            return true;
          };
          model.set_params(options);
          model.fit(X);
          REQUIRE(!calls.empty());
          CHECK(model.converged());
          CHECK(model.n_iter() <= 2);
          CHECK(calls[0].change == calls[0].lower_bound - before);
          CHECK(calls[0].lower_bound >= before - bound_rounding<Scalar>(before, kappa, points));
          CHECK(model.lower_bound() >= before - bound_rounding<Scalar>(before, kappa, points));
        }
      }
    }
  }
}

// =============================================================================================
// 4. The strong guarantee: a fit that throws changes nothing

TEMPLATE_TEST_CASE("contract: a fit that throws leaves the model bit-identical", "[contract]",
                   EMGMM_CONTRACT_MIXTURES) {
  using Model = TestType;
  using Scalar = ScalarOf<Model>;
  using Options = typename Model::Options;
  using Hooks = Contract<Model>;
  const Data<Scalar> X = blobs<Scalar>(2, CovarianceType::full, 1.0, 120, 7);
  const Data<Scalar> probe = blobs<Scalar>(2, CovarianceType::full, 1.0, 25, 8);
  const Scalar nan = std::numeric_limits<Scalar>::quiet_NaN();
  const Scalar inf = std::numeric_limits<Scalar>::infinity();
  for (const CovarianceType type : kAllTypes) {
    for (const auto& variant : Hooks::variants()) {
      INFO(Hooks::kName << ", covariance_type " << emgmm::to_string(type) << " " << variant.name);
      Options original;
      original.n_components = 3;
      original.covariance_type = type;
      original.random_state = 7;
      variant.apply(original);
      Model model(original);
      model.fit(X);
      const Snapshot<Model> before = snapshot_of(model, probe);

      // Fits with `options` on `data` (and `weights`, when not empty), expects `kind` with
      // `needle` in the message, restores the options and compares every accessor.
      const auto refit_fails = [&](const Options& options, const Data<Scalar>& data, Thrown kind,
                                   const std::string& needle,
                                   const Eigen::VectorXd& weights = Eigen::VectorXd()) {
        for (const bool via_fit_predict : {false, true}) {
          model.set_params(options);
          const Outcome outcome = outcome_of([&] {
            if (weights.size() > 0) {
              if (via_fit_predict) {
                (void)model.fit_predict(data, weights);
              } else {
                model.fit(data, weights);
              }
            } else if (via_fit_predict) {
              (void)model.fit_predict(data);
            } else {
              model.fit(data);
            }
          });
          model.set_params(original);
          INFO((via_fit_predict ? "fit_predict" : "fit")
               << " on " << data.rows() << " x " << data.cols()
               << (weights.size() > 0 ? " with sample weights" : ""));
          INFO("thrown: " << Catch::StringMaker<Thrown>::convert(outcome.kind) << ": "
                          << outcome.message);
          CHECK(outcome.kind == kind);
          CHECK(outcome.message.find(needle) != std::string::npos);
          check_same(snapshot_of(model, probe), before);
        }
      };
      const auto with = [&](auto change) {
        Options options = original;
        change(options);
        return options;
      };

      // Bad data.
      Data<Scalar> bad = X;
      bad(17, 0) = nan;
      refit_fails(original, bad, Thrown::invalid_argument, "X(17, 0) = nan");
      bad = X;
      bad(119, 1) = inf;
      refit_fails(original, bad, Thrown::invalid_argument, "X(119, 1) = inf");
      bad = X;
      bad(60, 1) = -inf;
      refit_fails(original, bad, Thrown::invalid_argument, "X(60, 1) = -inf");
      refit_fails(original, Data<Scalar>(0, 2), Thrown::invalid_argument, "X has 0 rows");
      refit_fails(original, Data<Scalar>(8, 0), Thrown::invalid_argument, "X has 0 columns");
      refit_fails(original, X.topRows(1), Thrown::invalid_argument, "X has 1 rows");
      refit_fails(original, X.topRows(2), Thrown::invalid_argument, "n_components = 3");
      Eigen::VectorXd weights = Eigen::VectorXd::Ones(X.rows());
      weights(9) = -1.0;
      refit_fails(original, X, Thrown::invalid_argument, "sample_weight(9)", weights);
      refit_fails(original, X, Thrown::invalid_argument, "sample_weight",
                  Eigen::VectorXd::Ones(X.rows() - 1));
      // Bad options.
      refit_fails(with([](Options& o) { o.n_components = 0; }), X, Thrown::invalid_argument,
                  "n_components = 0");
      refit_fails(with([](Options& o) { o.tol = std::nan(""); }), X, Thrown::invalid_argument,
                  "tol = nan");
      refit_fails(with([](Options& o) { o.reg_covar = -1.0; }), X, Thrown::invalid_argument,
                  "reg_covar = -1");
      refit_fails(with([](Options& o) { o.max_iter = -1; }), X, Thrown::invalid_argument,
                  "max_iter = -1");
      refit_fails(with([](Options& o) { o.n_init = 0; }), X, Thrown::invalid_argument,
                  "n_init = 0");
      refit_fails(with([](Options& o) { o.covariance_type = static_cast<CovarianceType>(9); }), X,
                  Thrown::invalid_argument, "covariance_type = 9");
      refit_fails(with([](Options& o) { o.init_params = static_cast<InitParams>(9); }), X,
                  Thrown::invalid_argument, "init_params = 9");
      // warm_start from a model the options or data do not describe.
      refit_fails(with([](Options& o) {
                    o.warm_start = true;
                    o.n_components = 2;
                  }),
                  X, Thrown::invalid_argument, "warm_start");
      refit_fails(with([](Options& o) { o.warm_start = true; }),
                  blobs<Scalar>(3, CovarianceType::full, 1.0, 60, 9), Thrown::invalid_argument,
                  "warm_start");
      // A fit that fails in the middle of EM, after iterations that changed its own state.
      refit_fails(with([](Options& o) {
                    o.tol = 0.0;
                    o.callback = [](const IterationInfo& info) -> bool {
                      if (info.iteration >= 3) throw std::runtime_error("stopped by the callback");
                      return true;
                    };
                  }),
                  X, Thrown::other, "stopped by the callback");
      // Every point the same and no regularization: no covariance is positive definite (for
      // BayesianGaussianMixture too: its default covariance prior, the data's, is zero).
      refit_fails(with([](Options& o) { o.reg_covar = 0.0; }),
                  Data<Scalar>::Constant(10, 2, Scalar(-2)), Thrown::numerical, "reg_covar");

      // The model still refits normally, to the same model.
      model.fit(X);
      check_same(snapshot_of(model, probe), before);

      // A first fit that fails leaves the model unfitted.
      Model fresh(with([](Options& o) { o.n_components = 200; }));
      CHECK(outcome_of([&] { fresh.fit(X); }).kind == Thrown::invalid_argument);
      CHECK_FALSE(fresh.is_fitted());
      CHECK(outcome_of([&] { (void)fresh.weights(); }).kind == Thrown::not_fitted);
    }
  }
}

// =============================================================================================
// 5. save and load

TEMPLATE_TEST_CASE("contract: save and load round-trip the model bit for bit", "[contract]",
                   EMGMM_CONTRACT_MIXTURES) {
  using Model = TestType;
  using Scalar = ScalarOf<Model>;
  using Hooks = Contract<Model>;
  for (const CovarianceType type : kAllTypes) {
    const Data<Scalar> X = blobs<Scalar>(2, type, 1.0, 240, 11);
    const Data<Scalar> probe = blobs<Scalar>(2, type, 1.0, 50, 99);
    for (const auto& variant : Hooks::variants()) {
      INFO(Hooks::kName << ", covariance_type " << emgmm::to_string(type) << " " << variant.name);
      typename Model::Options options;
      options.n_components = 3;
      options.covariance_type = type;
      options.random_state = 2024;
      options.tol = 1e-5;  // values with no short binary form
      options.reg_covar = 1.0 / 3.0 * 1e-6;
      options.verbose_interval = 7;
      variant.apply(options);
      Model model(options);
      model.fit(X);
      std::stringstream stream;
      model.save(stream);
      const Model loaded = Model::load(stream);
      check_same(snapshot_of(loaded, probe), snapshot_of(model, probe));
      // The options are saved too (but the callback and the starts).
      check_same_options(model.get_params(), loaded.get_params());
      // Saving the loaded model writes the same text.
      std::stringstream again;
      loaded.save(again);
      CHECK(again.str() == stream.str());
      // A warm-started refit continues from the loaded model exactly as from the saved one.
      options.warm_start = true;
      options.max_iter = 3;
      Model continued = loaded;
      continued.set_params(options);
      model.set_params(options);
      continued.fit(probe);
      model.fit(probe);
      check_same(snapshot_of(continued, X), snapshot_of(model, X));
    }
  }
}

// =============================================================================================
// 6. fit_predict, probabilities and weights

TEMPLATE_TEST_CASE(
    "contract: fit_predict is fit then predict; probabilities and weights sum to one", "[contract]",
    EMGMM_CONTRACT_MIXTURES) {
  using Model = TestType;
  using Scalar = ScalarOf<Model>;
  using Hooks = Contract<Model>;
  const Data<Scalar> X = blobs<Scalar>(2, CovarianceType::full, 1.0, 500, 81);
  for (const CovarianceType type : kAllTypes) {
    for (const auto& variant : Hooks::variants()) {
      // max_iter = 2 leaves EM far from converged: fit_predict must still agree with predict
      // (sklearn's final E-step), for a converged fit as well.
      for (const int max_iter : {2, 100}) {
        INFO(Hooks::kName << ", covariance_type " << emgmm::to_string(type) << " " << variant.name
                          << ", max_iter " << max_iter);
        typename Model::Options options;
        options.n_components = 4;
        options.covariance_type = type;
        options.random_state = 12;
        options.max_iter = max_iter;
        variant.apply(options);
        Model a(options), b(options);
        const Eigen::VectorXi labels = a.fit_predict(X);
        b.fit(X);
        // fit_predict fits what fit fits, and returns what predict returns after it.
        check_same(snapshot_of(a, X), snapshot_of(b, X));
        CHECK(labels == b.predict(X));
        CHECK(labels == a.predict(X));

        const Index K = options.n_components;
        // Weights: computed in double, normalized, rounded once to Scalar (eps / 2 each).
        const Eigen::VectorXd weights = a.weights().template cast<double>();
        REQUIRE(weights.size() == K);
        CHECK((weights.array() >= 0.0).all());
        CHECK((weights.array() <= 1.0).all());
        CHECK(std::abs(weights.sum() - 1.0) <= double(K) * eps<Scalar>());
        // Responsibilities: exp of K log-differences divided by their sum, each a few roundings.
        const Eigen::MatrixXd proba = a.predict_proba(X).template cast<double>();
        REQUIRE(proba.rows() == X.rows());
        REQUIRE(proba.cols() == K);
        CHECK((proba.array() >= 0.0).all());
        CHECK((proba.array() <= 1.0).all());
        CHECK((proba.rowwise().sum().array() - 1.0).abs().maxCoeff() <=
              4.0 * double(K) * eps<Scalar>());
        // predict is the most probable component.
        Index disagreements = 0;
        for (Index i = 0; i < X.rows(); ++i) {
          Index best = 0;
          proba.row(i).maxCoeff(&best);
          if (labels(i) != int(best)) ++disagreements;
        }
        CHECK(disagreements == 0);
        // score is the mean of score_samples.
        CHECK(a.score(X) ==
              Approx(a.score_samples(X).template cast<double>().mean()).epsilon(1e-12));
      }
    }
  }
}
