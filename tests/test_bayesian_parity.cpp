// Parity with scikit-learn 1.2.1's BayesianGaussianMixture (variational inference): started from
// the same responsibilities, emgmm::BayesianGaussianMixture gives the same numbers. The
// references are made by tests/reference/generate_bayesian_reference.py (see its header for
// every case); each case starts from a given n x K matrix of responsibilities (sklearn's
// _initialize(X, resp); emgmm's option resp_init), so neither library's random numbers play a
// part.
//
// Tolerance: 1e-8 relative in double, as in test_parity.cpp, and for the same reason: both
// libraries compute the same formulas in a different order, which differs in the last bits, and
// the iterations carry those differences on, amplified by a few orders of magnitude. Entries far
// below their matrix's scale (a probability of 1e-30, an off-diagonal covariance near 0) are
// compared against a floor of 1e-3 times the largest |entry| of the expected matrix rather than
// against themselves. The generator checks that no case sits on a knife edge (a lower-bound
// change within 1e-12 or 1e-3 relative of tol, a near tie between labels), so n_iter, converged
// and the labels are compared exactly, and the lower bound after every iteration (seen through
// the callback) to 1e-8 relative.
//
// Set EMGMM_PARITY_VERBOSE=1 to print, after each TEST_CASE, the worst relative error of every
// field over all its cases (and where it occurred); EMGMM_PARITY_VERBOSE=2 also prints every
// field of every case.

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <emgmm/emgmm.hpp>

#include "catch.hpp"
#include "fixed_models.hpp"
#include "reference_data.hpp"

namespace {

using emgmm_test::reference_path;
using emgmm_test::ReferenceData;

// Every case the generator writes; the "every file is listed" test fails when the directory
// holds one this list misses (or the other way round).
const std::vector<std::string> kBgmCases = {
    "bgm_iris_full_dp",
    "bgm_iris_full_dd",
    "bgm_iris_tied_dp",
    "bgm_iris_tied_dd",
    "bgm_iris_diag_dp",
    "bgm_iris_diag_dd",
    "bgm_iris_spherical_dp",
    "bgm_iris_spherical_dd",
    "bgm_blobs2d_full_dp",
    "bgm_blobs2d_full_dd",
    "bgm_blobs2d_tied_dp",
    "bgm_blobs2d_tied_dd",
    "bgm_blobs2d_diag_dp",
    "bgm_blobs2d_diag_dd",
    "bgm_blobs2d_spherical_dp",
    "bgm_blobs2d_spherical_dd",
    "bgm_blobs5d_full_dp",
    "bgm_blobs5d_full_dd",
    "bgm_blobs5d_tied_dp",
    "bgm_blobs5d_tied_dd",
    "bgm_blobs5d_diag_dp",
    "bgm_blobs5d_diag_dd",
    "bgm_blobs5d_spherical_dp",
    "bgm_blobs5d_spherical_dd",
    "bgm_iris_full_dp_priors",
    "bgm_iris_tied_dp_priors",
    "bgm_iris_diag_dp_priors",
    "bgm_iris_spherical_dp_priors",
    "bgm_iris_full_dp_maxiter3",          // stops before converging
    "bgm_blobs2d_spherical_dd_maxiter3",  // the same, spherical with the Dirichlet distribution
    "bgm_blobs2d_diag_dp_tol1e-8",        // tol 1e-8, max_iter 500
    "bgm_iris_full_dd_reg1e-3",           // reg_covar 1e-3
};

// 0: quiet; 1: the worst error per field after each TEST_CASE; 2: also every field of every case.
int verbosity() {
  static const int level = [] {
#ifdef _MSC_VER
#pragma warning(suppress : 4996)  // getenv is fine here: read once, never stored
#endif
    const char* v = std::getenv("EMGMM_PARITY_VERBOSE");
    if (v == nullptr || *v == '\0' || std::string(v) == "0") return 0;
    return std::string(v) == "2" ? 2 : 1;
  }();
  return level;
}

// ---------------------------------------------------------------------------------------------
// Loading

const ReferenceData& load(const std::string& file) {
  static std::map<std::string, ReferenceData> cache;
  auto it = cache.find(file);
  if (it == cache.end()) {
    it = cache.emplace(file, ReferenceData::load(reference_path(file + ".txt"))).first;
  }
  return it->second;
}

struct Case {
  std::string name;
  const ReferenceData& ref;
  const Eigen::MatrixXd& X;
};

// bgm_<dataset>_...: X is entry X of data_<dataset>.txt, checked against the recorded sizes.
Case load_case(const std::string& name) {
  const auto start = name.find('_') + 1;
  const std::string dataset = name.substr(start, name.find('_', start) - start);
  const ReferenceData& ref = load(name);
  const Eigen::MatrixXd& X = load("data_" + dataset).matrix("X");
  REQUIRE(X.rows() == ref.integer("n_samples"));
  REQUIRE(X.cols() == ref.integer("n_features"));
  return {name, ref, X};
}

emgmm::CovarianceType covariance_type_of(const ReferenceData& ref) {
  switch (ref.integer("covariance_type")) {  // the generator's coding
    case 0: return emgmm::CovarianceType::full;
    case 1: return emgmm::CovarianceType::tied;
    case 2: return emgmm::CovarianceType::diag;
    case 3: return emgmm::CovarianceType::spherical;
    default: FAIL("unknown covariance_type code in " << ref.path());
  }
  return emgmm::CovarianceType::full;
}

emgmm::WeightConcentrationPriorType prior_type_of(const ReferenceData& ref) {
  switch (ref.integer("weight_concentration_prior_type")) {
    case 0: return emgmm::WeightConcentrationPriorType::dirichlet_process;
    case 1: return emgmm::WeightConcentrationPriorType::dirichlet_distribution;
    default: FAIL("unknown weight_concentration_prior_type code in " << ref.path());
  }
  return emgmm::WeightConcentrationPriorType::dirichlet_process;
}

// ---------------------------------------------------------------------------------------------
// Comparison

// The worst relative error of each field over the cases of one TEST_CASE, for the verbose
// summary; `current_case` names the case being checked.
struct Worst {
  double rel = 0.0;
  std::string where;
};
std::map<std::string, Worst> worst_by_field;
std::string current_case;

void print_worst(const char* title) {
  if (verbosity() > 0) {
    std::printf("%s: worst relative error per field over all cases\n", title);
    for (const auto& field : worst_by_field) {
      std::printf("  %-28s %9.3g  %s\n", field.first.c_str(), field.second.rel,
                  field.second.where.c_str());
    }
  }
  worst_by_field.clear();
}

/// Elementwise |actual - expected| <= rtol * max(|expected|, floor), floor = floor_fraction
/// times the largest |expected|; on failure the message names the count, the first and the worst
/// offending entries (for the lower-bound history, the first is the first iteration that differs).
template <class A, class B>
void check_close(const std::string& what, const Eigen::MatrixBase<A>& actual_in,
                 const Eigen::MatrixBase<B>& expected_in, double rtol, double floor_fraction) {
  const Eigen::MatrixXd actual = actual_in.template cast<double>();
  const Eigen::MatrixXd expected = expected_in.template cast<double>();
  if (actual.rows() != expected.rows() || actual.cols() != expected.cols()) {
    FAIL_CHECK(what << ": actual is " << actual.rows() << " x " << actual.cols() << ", expected "
                    << expected.rows() << " x " << expected.cols());
    return;
  }
  if (expected.size() == 0) return;
  const double floor = floor_fraction * expected.cwiseAbs().maxCoeff();
  const Eigen::ArrayXXd scale = expected.cwiseAbs().array().max(floor);
  Eigen::ArrayXXd rel = (actual - expected).cwiseAbs().array() / scale.max(1e-300);
  rel = rel.isNaN().select(std::numeric_limits<double>::infinity(), rel);  // NaN is the worst
  Eigen::Index worst_i = 0, worst_j = 0, first_i = -1, first_j = -1, n_bad = 0;
  const double worst = rel.maxCoeff(&worst_i, &worst_j);
  for (Eigen::Index i = 0; i < rel.rows(); ++i) {  // row-major: the first row (iteration) first
    for (Eigen::Index j = 0; j < rel.cols(); ++j) {
      if (rel(i, j) <= rtol) continue;
      if (n_bad++ == 0) {
        first_i = i;
        first_j = j;
      }
    }
  }
  Worst& w = worst_by_field[what];
  if (worst >= w.rel) w = {worst, current_case};
  if (verbosity() > 1) std::printf("    %-28s worst rel err %.3g\n", what.c_str(), worst);

  std::ostringstream msg;
  msg.precision(17);
  msg << what << ": " << n_bad << " of " << expected.size() << " entries differ by more than rtol "
      << rtol << " (floor " << floor << ")";
  if (n_bad > 0) {
    msg << "; first at (" << first_i << ", " << first_j << "): actual " << actual(first_i, first_j)
        << ", expected " << expected(first_i, first_j) << ", relative error "
        << rel(first_i, first_j) << "; worst at (" << worst_i << ", " << worst_j << "): actual "
        << actual(worst_i, worst_j) << ", expected " << expected(worst_i, worst_j)
        << ", relative error " << worst;
  }
  INFO(msg.str());
  CHECK(n_bad == 0);
}

void check_close_scalar(const std::string& what, double actual, double expected, double rtol) {
  check_close(what, Eigen::Matrix<double, 1, 1>::Constant(actual),
              Eigen::Matrix<double, 1, 1>::Constant(expected), rtol, 0.0);
}

void check_equal_labels(const std::string& what, const Eigen::VectorXi& actual,
                        const Eigen::VectorXi& expected) {
  REQUIRE(actual.size() == expected.size());
  Eigen::Index n_bad = 0, first = -1;
  for (Eigen::Index i = 0; i < actual.size(); ++i) {
    if (actual(i) != expected(i) && n_bad++ == 0) first = i;
  }
  INFO(what << ": " << n_bad << " of " << actual.size() << " labels differ; first at " << first
            << " (actual " << (first >= 0 ? actual(first) : -1) << ", expected "
            << (first >= 0 ? expected(first) : -1) << ")");
  CHECK(n_bad == 0);
}

// ---------------------------------------------------------------------------------------------
// BayesianGaussianMixture

// Relative tolerances, and the floors (fractions of a matrix's largest |entry|) below which an
// entry is compared against the floor instead of itself; see check_close.
struct Tolerance {
  double parameters;        // weights, means, covariances, precisions, the variational
                            // parameters and the resolved priors
  double per_sample;        // score_samples, predict_proba
  double scalars;           // lower_bound, score, the lower-bound history
  double parameters_floor;  // floor fraction for the parameters
  double per_sample_floor;  // floor fraction for score_samples and predict_proba
};

constexpr Tolerance kDoubleTolerance{1e-8, 1e-8, 1e-8, 1e-3, 1e-3};

template <typename Scalar, int Dim>
emgmm::BayesianGaussianMixtureOptions<Scalar, Dim> bgm_options(const ReferenceData& ref,
                                                               std::vector<double>* history) {
  using Options = emgmm::BayesianGaussianMixtureOptions<Scalar, Dim>;
  Options opts;
  opts.n_components = ref.integer("n_components");
  opts.covariance_type = covariance_type_of(ref);
  opts.weight_concentration_prior_type = prior_type_of(ref);
  opts.tol = ref.scalar("tol");
  opts.reg_covar = ref.scalar("reg_covar");
  opts.max_iter = ref.integer("max_iter");
  opts.n_init = ref.integer("n_init");
  // A prior the file does not hold was None in sklearn: left unset, the default applies.
  if (ref.contains("weight_concentration_prior")) {
    opts.weight_concentration_prior = ref.scalar("weight_concentration_prior");
  }
  if (ref.contains("mean_precision_prior")) {
    opts.mean_precision_prior = ref.scalar("mean_precision_prior");
  }
  if (ref.contains("mean_prior")) {
    opts.mean_prior = typename Options::RowVector(ref.matrix("mean_prior").cast<Scalar>());
  }
  if (ref.contains("degrees_of_freedom_prior")) {
    opts.degrees_of_freedom_prior = ref.scalar("degrees_of_freedom_prior");
  }
  if (ref.contains("covariance_prior")) {
    opts.covariance_prior = typename Options::Matrix(ref.matrix("covariance_prior").cast<Scalar>());
  }
  opts.resp_init = typename Options::Matrix(ref.matrix("resp_init").cast<Scalar>());
  opts.random_state = 0;  // not used with resp_init; fixed all the same
  opts.callback = [history](const emgmm::IterationInfo& info) {
    history->push_back(info.lower_bound);
    return true;
  };
  return opts;
}

/// Fits BayesianGaussianMixture<Scalar, Dim> on X (the case's data, as Scalar) and compares
/// everything sklearn recorded.
template <typename Scalar, int Dim, class Derived>
void check_bgm_case(const Case& c, const std::string& variant, const Eigen::MatrixBase<Derived>& X,
                    const Tolerance& tolerance) {
  INFO("case " << c.name << " [" << variant << "]");
  current_case = c.name + " [" + variant + "]";
  if (verbosity() > 1) std::printf("  %s\n", current_case.c_str());
  const ReferenceData& ref = c.ref;
  std::vector<double> history;
  emgmm::BayesianGaussianMixture<Scalar, Dim> bgm(bgm_options<Scalar, Dim>(ref, &history));

  Eigen::VectorXi labels;
  try {
    labels = bgm.fit_predict(X);
  } catch (const std::exception& e) {
    FAIL_CHECK("fit_predict threw: " << e.what());
    return;
  }

  CHECK(bgm.n_iter() == ref.integer("n_iter"));
  CHECK(bgm.converged() == (ref.integer("converged") != 0));
  check_equal_labels("labels (fit_predict)", labels, ref.integers("labels"));
  const double p = tolerance.parameters;
  const double pf = tolerance.parameters_floor;
  check_close("weights", bgm.weights(), ref.vector("weights"), p, pf);
  check_close("means", bgm.means(), ref.matrix("means"), p, pf);
  check_close("covariances", bgm.covariances(), ref.matrix("covariances"), p, pf);
  check_close("precisions_cholesky", bgm.precisions_cholesky(), ref.matrix("precisions_cholesky"),
              p, pf);
  check_close("precisions", bgm.precisions(), ref.matrix("precisions"), p, pf);
  check_close("weight_concentration", bgm.weight_concentration(),
              ref.matrix("weight_concentration"), p, pf);
  check_close("mean_precision", bgm.mean_precision(), ref.vector("mean_precision"), p, pf);
  check_close("degrees_of_freedom", bgm.degrees_of_freedom(), ref.vector("degrees_of_freedom"), p,
              pf);
  // The priors as resolved from the options and X (sklearn's attributes ending in '_').
  check_close_scalar("weight_concentration_prior", bgm.weight_concentration_prior(),
                     ref.scalar("weight_concentration_prior_"), p);
  check_close_scalar("mean_precision_prior", bgm.mean_precision_prior(),
                     ref.scalar("mean_precision_prior_"), p);
  check_close("mean_prior", bgm.mean_prior(), ref.matrix("mean_prior_"), p, pf);
  check_close_scalar("degrees_of_freedom_prior", bgm.degrees_of_freedom_prior(),
                     ref.scalar("degrees_of_freedom_prior_"), p);
  check_close("covariance_prior", bgm.covariance_prior(), ref.matrix("covariance_prior_"), p, pf);

  check_close_scalar("lower_bound", bgm.lower_bound(), ref.scalar("lower_bound"),
                     tolerance.scalars);
  // The callback sees every iteration; its lower bound is sklearn's _compute_lower_bound.
  check_close(
      "lower_bound (callback)",
      Eigen::Map<const Eigen::VectorXd>(history.data(), static_cast<Eigen::Index>(history.size())),
      ref.vector("lower_bound_history"), tolerance.scalars, 0.0);

  try {
    check_equal_labels("labels (predict)", bgm.predict(X), ref.integers("labels"));
    check_close("score_samples", bgm.score_samples(X), ref.vector("score_samples"),
                tolerance.per_sample, tolerance.per_sample_floor);
    check_close("predict_proba", bgm.predict_proba(X), ref.matrix("predict_proba"),
                tolerance.per_sample, tolerance.per_sample_floor);
    check_close_scalar("score", bgm.score(X), ref.scalar("score"), tolerance.scalars);
  } catch (const std::exception& e) {
    FAIL_CHECK("a method on the fitted model threw: " << e.what());
  }
}

}  // namespace

TEST_CASE("bayesian parity: every bgm_ reference file is listed in the test",
          "[parity][bayesian]") {
  namespace fs = std::filesystem;
  const fs::path dir = reference_path("");
  REQUIRE(fs::is_directory(dir));
  const std::set<std::string> listed(kBgmCases.begin(), kBgmCases.end());
  REQUIRE(listed.size() == kBgmCases.size());  // no case listed twice
  std::set<std::string> on_disk;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string file = entry.path().filename().string();
    if (file.rfind("bgm_", 0) == 0 && entry.path().extension() == ".txt") {
      on_disk.insert(entry.path().stem().string());
    }
  }
  for (const auto& name : on_disk) {
    INFO(name << ".txt is in " << dir << " but not in kBgmCases");
    CHECK(listed.count(name) == 1);
  }
  for (const auto& name : listed) {
    INFO(name << " is listed but " << name << ".txt is missing; regenerate with "
              << "/usr/bin/python3 tests/reference/generate_bayesian_reference.py");
    CHECK(on_disk.count(name) == 1);
  }
}

TEST_CASE("bayesian parity: BayesianGaussianMixture<double> matches scikit-learn",
          "[parity][bayesian]") {
  for (const auto& name : kBgmCases) {
    const Case c = load_case(name);
    check_bgm_case<double, Eigen::Dynamic>(c, "double, dynamic", c.X, kDoubleTolerance);
  }
  print_worst("BayesianGaussianMixture<double>");
}

TEST_CASE("bayesian parity: BayesianGaussianMixture<double, D> with a compile-time dimension",
          "[parity][bayesian][fixed_dim]") {
  for (const auto& name : kBgmCases) {
    const Case c = load_case(name);
    switch (c.X.cols()) {
      case 2: check_bgm_case<double, 2>(c, "double, Dim 2", c.X, kDoubleTolerance); break;
      case 4: check_bgm_case<double, 4>(c, "double, Dim 4", c.X, kDoubleTolerance); break;
      case 5: check_bgm_case<double, 5>(c, "double, Dim 5", c.X, kDoubleTolerance); break;
      default: FAIL("no fixed-dimension instantiation for D = " << c.X.cols());
    }
  }
  print_worst("BayesianGaussianMixture<double, D>");
}

TEST_CASE("bayesian parity: BayesianGaussianMixture<float> stays within float accuracy",
          "[parity][bayesian][float]") {
  // sklearn ran in double; this measures float against double, so the tolerance is float's.
  // The case: sklearn's lower bound is the ELBO of the whole data set (hundreds to thousands),
  // so tol 1e-3 is only 0.1 to 14 float ulps of it for every converging case -- n_iter would
  // hang on float rounding. blobs2d_tied_dp runs to max_iter 100 with every change at least
  // 5.2e-3 (86 ulps of its ELBO, -601) away from tol, and the smallest gap between a point's
  // two best weighted log-probabilities is 0.068, so n_iter, converged and labels stay exact.
  // Measured, emgmm in float against sklearn in double (entries below a tenth of their
  // matrix's largest |entry| compared against that tenth; per-sample values against their
  // largest): at most 1.1e-6 relative on the parameters (means; weights 8.4e-7, precisions
  // 4.6e-7), 2.3e-7 on the lower bounds (history included) and score, 8.5e-7 absolute on the
  // probabilities, 1.6e-7 of the largest |score_sample|. sklearn itself run on X rounded to
  // float (in double otherwise: the part of float's error that comes from the input alone)
  // lands 10x higher on this case: 1.1e-5 on the parameters, 7e-8 on the lower bounds, 4.5e-6
  // on the probabilities. Hence 1e-4 for parameters and per-sample values (9x that input-only
  // error, 90x emgmm's) and 1e-5 for the lower bounds and score (40x emgmm's; 6e-3 of this
  // ELBO of -601, while a wrong or missing term of the bound is off by units): room for
  // another summation order or FMA, while a wrong formula is off by far more.
  const Tolerance float_tolerance{1e-4, 1e-4, 1e-5, 0.1, 1.0};
  const Case c = load_case("bgm_blobs2d_tied_dp");
  const Eigen::MatrixXf X = c.X.cast<float>();
  check_bgm_case<float, Eigen::Dynamic>(c, "float, dynamic", X, float_tolerance);
  check_bgm_case<float, 2>(c, "float, Dim 2", X, float_tolerance);
  print_worst("BayesianGaussianMixture<float>");
}
