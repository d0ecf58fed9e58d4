// Parity with scikit-learn 1.2.1: GaussianMixture and KMeans started from the same point give
// the same numbers. The reference results are made by tests/reference/generate_reference.py
// (see its header for every case); each case starts from a fully specified start
// (weights_init + means_init + precisions_init; init centers with n_init = 1), so emgmm's own
// random numbers play no part.
//
// Tolerance: 1e-8 relative in double. Both libraries compute the same formulas in a different
// order (blocked sums, BLAS vs Eigen products, sklearn's expanded |x|^2 - 2 x.mu + |mu|^2 for
// diag/spherical), which differs in the last bits; EM carries those differences through its
// iterations, amplified by about 1e4 (a plain NumPy EM written independently, with the direct
// (x - mu) forms, agrees with every reference to 3e-12 relative), far from 1e-8. Entries far
// below their matrix's scale (an off-diagonal covariance near 0, a probability of 1e-30) are
// compared against a floor of 1e-3 times the largest entry of the expected matrix rather than
// against themselves.
// The generator checks that no case sits on a knife edge (a lower-bound change within 1e-12 of
// tol, a near tie between labels), so n_iter, converged and labels are compared exactly.
//
// Set EMGMM_PARITY_VERBOSE=1 in the environment to print the worst relative error of every
// field of every case.

#include <algorithm>
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

// Every case the generator writes; the "all listed" test fails when the directory holds one
// this list misses (or the other way round).
const std::vector<std::string> kGmmCases = {
    "gmm_iris_full",
    "gmm_iris_tied",
    "gmm_iris_diag",
    "gmm_iris_spherical",
    "gmm_blobs2d_full",
    "gmm_blobs2d_tied",
    "gmm_blobs2d_diag",
    "gmm_blobs2d_spherical",
    "gmm_blobs5d_full",
    "gmm_blobs5d_tied",
    "gmm_blobs5d_diag",
    "gmm_blobs5d_spherical",
    "gmm_iris_full_maxiter3",
    "gmm_blobs2d_spherical_maxiter3",
    "gmm_blobs2d_diag_tol1e-10",
    "gmm_iris_full_tol1e-10",
    "gmm_iris_tied_tol1e-10",
    "gmm_iris_full_reg1e-3",
    "gmm_iris_diag_reg1e-3",
};
const std::vector<std::string> kKMeansCases = {
    "kmeans_iris",    "kmeans_blobs2d_tol0",     "kmeans_blobs2d_tol1e-3",
    "kmeans_blobs5d", "kmeans_blobs2d_maxiter2", "kmeans_iris_empty",
};

bool verbose() {
  static const bool on = [] {
#ifdef _MSC_VER
#pragma warning(suppress : 4996)  // getenv is fine here: read once, never stored
#endif
    const char* v = std::getenv("EMGMM_PARITY_VERBOSE");
    return v != nullptr && *v != '\0' && std::string(v) != "0";
  }();
  return on;
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

// A case file names its dataset after the first '_': gmm_<dataset>_..., kmeans_<dataset>...
const Eigen::MatrixXd& dataset_of(const std::string& case_name) {
  const auto start = case_name.find('_') + 1;
  const auto end = case_name.find('_', start);
  const std::string dataset =
      case_name.substr(start, end == std::string::npos ? std::string::npos : end - start);
  return load("data_" + dataset).matrix("X");
}

// A case with its data, its X checked against the sizes the case recorded.
struct Case {
  std::string name;
  const ReferenceData& ref;
  const Eigen::MatrixXd& X;
};

Case load_case(const std::string& name) {
  const ReferenceData& ref = load(name);
  const Eigen::MatrixXd& X = dataset_of(name);
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

// ---------------------------------------------------------------------------------------------
// Comparison

/// Elementwise |actual - expected| <= rtol * max(|expected|, floor), floor = floor_fraction
/// times the largest |expected| entry. On failure the message names the worst entry.
template <class A, class B>
void check_close(const std::string& what, const Eigen::MatrixBase<A>& actual_in,
                 const Eigen::MatrixBase<B>& expected_in, double rtol,
                 double floor_fraction = 1e-3) {
  const Eigen::MatrixXd actual = actual_in.template cast<double>();
  const Eigen::MatrixXd expected = expected_in.template cast<double>();
  if (actual.rows() != expected.rows() || actual.cols() != expected.cols()) {
    FAIL_CHECK(what << ": actual is " << actual.rows() << " x " << actual.cols() << ", expected "
                    << expected.rows() << " x " << expected.cols());
    return;
  }
  if (expected.size() == 0) return;

  const double floor = floor_fraction * expected.cwiseAbs().maxCoeff();
  Eigen::Index worst_i = 0, worst_j = 0, n_bad = 0;
  double worst_ratio = -1.0, worst_rel = 0.0;
  for (Eigen::Index j = 0; j < expected.cols(); ++j) {
    for (Eigen::Index i = 0; i < expected.rows(); ++i) {
      const double scale = std::max(std::abs(expected(i, j)), floor);
      const double diff = std::abs(actual(i, j) - expected(i, j));
      // NaN in actual compares false everywhere: count it as the worst possible entry.
      const double rel = std::isnan(diff) ? std::numeric_limits<double>::infinity()
                                          : (scale > 0 ? diff / scale : diff);
      const double ratio = rel / rtol;
      if (!(rel <= rtol)) ++n_bad;
      if (ratio > worst_ratio || std::isnan(diff)) {
        worst_ratio = ratio;
        worst_rel = rel;
        worst_i = i;
        worst_j = j;
      }
    }
  }
  if (verbose()) std::printf("    %-22s worst rel err %.3g\n", what.c_str(), worst_rel);
  std::ostringstream msg;
  msg.precision(17);
  msg << what << ": " << n_bad << " of " << expected.size() << " entries differ by more than rtol "
      << rtol << " (floor " << floor << "); worst at (" << worst_i << ", " << worst_j
      << "): actual " << actual(worst_i, worst_j) << ", expected " << expected(worst_i, worst_j)
      << ", relative error " << worst_rel;
  INFO(msg.str());
  CHECK(n_bad == 0);
}

template <class T>
void check_close_scalar(const std::string& what, T actual, double expected, double rtol) {
  Eigen::Matrix<double, 1, 1> a, e;
  a(0, 0) = static_cast<double>(actual);
  e(0, 0) = expected;
  check_close(what, a, e, rtol, 0.0);
}

void check_equal_labels(const std::string& what, const Eigen::VectorXi& actual,
                        const Eigen::VectorXi& expected) {
  if (actual.size() != expected.size()) {
    FAIL_CHECK(what << ": actual has " << actual.size() << " labels, expected " << expected.size());
    return;
  }
  Eigen::Index n_bad = 0, first = -1;
  for (Eigen::Index i = 0; i < actual.size(); ++i) {
    if (actual(i) != expected(i)) {
      if (first < 0) first = i;
      ++n_bad;
    }
  }
  INFO(what << ": " << n_bad << " of " << actual.size() << " labels differ; first at " << first
            << " (actual " << (first >= 0 ? actual(first) : -1) << ", expected "
            << (first >= 0 ? expected(first) : -1) << ")");
  CHECK(n_bad == 0);
}

// ---------------------------------------------------------------------------------------------
// GaussianMixture

// Relative tolerances, and the floors (fractions of a matrix's largest |entry|) below which an
// entry is compared against the floor instead of itself; see check_close.
struct Tolerance {
  double parameters;        // weights, means, covariances, precisions and their Cholesky factors
  double per_sample;        // score_samples, predict_proba
  double scalars;           // lower_bound, score, bic, aic, the lower-bound history
  double parameters_floor;  // floor fraction for the parameters
  double per_sample_floor;  // floor fraction for score_samples and predict_proba
};

constexpr Tolerance kDoubleTolerance{1e-8, 1e-8, 1e-8, 1e-3, 1e-3};

template <typename Scalar, int Dim>
emgmm::GaussianMixtureOptions<Scalar, Dim> gmm_options(const ReferenceData& ref,
                                                       std::vector<double>* history) {
  using Options = emgmm::GaussianMixtureOptions<Scalar, Dim>;
  Options opts;
  opts.n_components = ref.integer("n_components");
  opts.covariance_type = covariance_type_of(ref);
  opts.tol = ref.scalar("tol");
  opts.reg_covar = ref.scalar("reg_covar");
  opts.max_iter = ref.integer("max_iter");
  opts.n_init = ref.integer("n_init");
  opts.random_state = 0;  // not used by a fully specified start; fixed all the same
  opts.weights_init = typename Options::Vector(ref.vector("weights_init").cast<Scalar>());
  opts.means_init = typename Options::Means(ref.matrix("means_init").cast<Scalar>());
  opts.precisions_init = typename Options::Matrix(ref.matrix("precisions_init").cast<Scalar>());
  opts.callback = [history](const emgmm::IterationInfo& info) {
    history->push_back(info.lower_bound);
    return true;
  };
  return opts;
}

/// Fits GaussianMixture<Scalar, Dim> on X (any dense expression holding the case's data) and
/// compares everything sklearn recorded.
template <typename Scalar, int Dim, class Derived>
void check_gmm_case(const Case& c, const std::string& variant, const Eigen::MatrixBase<Derived>& X,
                    const Tolerance& tol) {
  INFO("case " << c.name << " [" << variant << "]");
  if (verbose()) std::printf("  %s [%s]\n", c.name.c_str(), variant.c_str());
  const ReferenceData& ref = c.ref;
  std::vector<double> history;
  emgmm::GaussianMixture<Scalar, Dim> gmm(gmm_options<Scalar, Dim>(ref, &history));

  Eigen::VectorXi labels;
  try {
    labels = gmm.fit_predict(X);
  } catch (const std::exception& e) {
    FAIL_CHECK("fit_predict threw: " << e.what());
    return;
  }

  CHECK(gmm.n_iter() == ref.integer("n_iter"));
  CHECK(gmm.converged() == (ref.integer("converged") != 0));
  CHECK(gmm.n_parameters() == ref.integer("n_parameters"));
  check_equal_labels("labels (fit_predict)", labels, ref.integers("labels"));
  const double pf = tol.parameters_floor;
  check_close("weights", gmm.weights(), ref.vector("weights"), tol.parameters, pf);
  check_close("means", gmm.means(), ref.matrix("means"), tol.parameters, pf);
  check_close("covariances", gmm.covariances(), ref.matrix("covariances"), tol.parameters, pf);
  check_close("precisions_cholesky", gmm.precisions_cholesky(), ref.matrix("precisions_cholesky"),
              tol.parameters, pf);
  check_close("precisions", gmm.precisions(), ref.matrix("precisions"), tol.parameters, pf);
  check_close_scalar("lower_bound", gmm.lower_bound(), ref.scalar("lower_bound"), tol.scalars);
  {
    const Eigen::VectorXd expected = ref.vector("lower_bound_history");
    const Eigen::VectorXd actual = Eigen::Map<const Eigen::VectorXd>(
        history.data(), static_cast<Eigen::Index>(history.size()));
    // The callback sees every iteration; its lower bounds are sklearn's, one per E-step.
    check_close("lower_bound (callback)", actual, expected, tol.scalars, 0.0);
  }

  try {
    check_equal_labels("labels (predict)", gmm.predict(X), ref.integers("labels"));
    check_close("score_samples", gmm.score_samples(X), ref.vector("score_samples"), tol.per_sample,
                tol.per_sample_floor);
    check_close("predict_proba", gmm.predict_proba(X), ref.matrix("predict_proba"), tol.per_sample,
                tol.per_sample_floor);
    check_close_scalar("score", gmm.score(X), ref.scalar("score"), tol.scalars);
    check_close_scalar("bic", gmm.bic(X), ref.scalar("bic"), tol.scalars);
    check_close_scalar("aic", gmm.aic(X), ref.scalar("aic"), tol.scalars);
  } catch (const std::exception& e) {
    FAIL_CHECK("a method on the fitted model threw: " << e.what());
  }
}

/// Runs check_gmm_case with the dimension fixed at compile time (2, 4 or 5 in the references).
template <class Derived>
void check_gmm_case_fixed_dim(const Case& c, const Eigen::MatrixBase<Derived>& X) {
  switch (X.cols()) {
    case 2: check_gmm_case<double, 2>(c, "double, Dim 2", X, kDoubleTolerance); break;
    case 4: check_gmm_case<double, 4>(c, "double, Dim 4", X, kDoubleTolerance); break;
    case 5: check_gmm_case<double, 5>(c, "double, Dim 5", X, kDoubleTolerance); break;
    default: FAIL("no fixed-dimension instantiation for D = " << X.cols());
  }
}

// ---------------------------------------------------------------------------------------------
// KMeans

template <typename Scalar, int Dim>
void check_kmeans_case(const Case& c, const std::string& variant) {
  INFO("case " << c.name << " [" << variant << "]");
  if (verbose()) std::printf("  %s [%s]\n", c.name.c_str(), variant.c_str());
  const ReferenceData& ref = c.ref;
  using KMeans = emgmm::KMeans<Scalar, Dim>;
  typename KMeans::Options opts;
  opts.n_clusters = ref.integer("n_clusters");
  opts.init_centers = typename KMeans::Centers(ref.matrix("init").cast<Scalar>());
  opts.n_init = 1;
  opts.max_iter = ref.integer("max_iter");
  opts.tol = ref.scalar("tol");
  opts.random_state = 0;
  KMeans km(opts);
  try {
    km.fit(c.X);
  } catch (const std::exception& e) {
    FAIL_CHECK("fit threw: " << e.what());
    return;
  }
  CHECK(km.n_iter() == ref.integer("n_iter"));
  check_equal_labels("labels", km.labels(), ref.integers("labels"));
  check_close("cluster_centers", km.cluster_centers(), ref.matrix("cluster_centers"), 1e-8);
  check_close_scalar("inertia", km.inertia(), ref.scalar("inertia"), 1e-8);
}

}  // namespace

TEST_CASE("parity: every reference file is listed in the test", "[parity]") {
  namespace fs = std::filesystem;
  const fs::path dir = reference_path("");
  REQUIRE(fs::is_directory(dir));
  std::set<std::string> listed(kGmmCases.begin(), kGmmCases.end());
  listed.insert(kKMeansCases.begin(), kKMeansCases.end());
  std::set<std::string> on_disk;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string file = entry.path().filename().string();
    const bool is_case = (file.rfind("gmm_", 0) == 0 || file.rfind("kmeans_", 0) == 0);
    if (is_case && entry.path().extension() == ".txt") on_disk.insert(entry.path().stem().string());
  }
  for (const auto& name : on_disk) {
    INFO(name << ".txt is in " << dir << " but not in this test's case lists");
    CHECK(listed.count(name) == 1);
  }
  for (const auto& name : listed) {
    INFO(name << " is listed but " << name << ".txt is missing; regenerate with "
              << "/usr/bin/python3 tests/reference/generate_reference.py");
    CHECK(on_disk.count(name) == 1);
  }
}

TEST_CASE("parity: GaussianMixture<double> matches scikit-learn", "[parity][gaussian_mixture]") {
  for (const auto& name : kGmmCases) {
    const Case c = load_case(name);
    check_gmm_case<double, Eigen::Dynamic>(c, "double, dynamic", c.X, kDoubleTolerance);
  }
}

TEST_CASE("parity: GaussianMixture<double, D> with a compile-time dimension",
          "[parity][gaussian_mixture][fixed_dim]") {
  for (const auto& name : kGmmCases) {
    const Case c = load_case(name);
    check_gmm_case_fixed_dim(c, c.X);
  }
}

TEST_CASE("parity: GaussianMixture on a row-major copy and on a Map of a raw buffer",
          "[parity][gaussian_mixture][input]") {
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  for (const auto& name : kGmmCases) {
    const Case c = load_case(name);
    const RowMajor X_row = c.X;
    check_gmm_case<double, Eigen::Dynamic>(c, "row-major copy", X_row, kDoubleTolerance);

    // A C array of points, one after the other, as a user's buffer would hold them.
    std::vector<double> buffer(static_cast<std::size_t>(c.X.size()));
    for (Eigen::Index i = 0; i < c.X.rows(); ++i) {
      for (Eigen::Index j = 0; j < c.X.cols(); ++j) {
        buffer[static_cast<std::size_t>(i * c.X.cols() + j)] = c.X(i, j);
      }
    }
    const Eigen::Map<const RowMajor> X_map(buffer.data(), c.X.rows(), c.X.cols());
    check_gmm_case<double, Eigen::Dynamic>(c, "Map of a row-major buffer", X_map, kDoubleTolerance);
  }
}

TEST_CASE("parity: GaussianMixture<float> stays within float accuracy of scikit-learn",
          "[parity][gaussian_mixture][float]") {
  // sklearn ran in double; this measures float against double, so the tolerance is float's.
  // Rounding at float's epsilon (1.2e-7; X itself is rounded to float first) enters every one
  // of the 29 EM iterations and is amplified by about 1e3-1e4 on the way -- the same factor as
  // in double, where 1e-16 becomes ~1e-12. A plain float32 NumPy EM (direct forms) lands at
  // ~6e-5 relative on parameter entries above a tenth of their matrix's largest, ~2e-4 on the
  // small off-diagonal ones, and 6e-5 absolute on probabilities. Hence 1e-3 relative, with
  // entries below a tenth of the matrix's largest |entry| (parameters) or below its largest
  // (per-sample: probabilities to 1e-3 absolute, log-densities to 1e-3 of the largest) compared
  // against that: over 10x room for a different summation order, while a wrong formula is off
  // by far more. The case is robust in float: the last lower-bound changes (0.064, then 1.5e-4
  // against tol 1e-3) and the smallest log-probability gap between a point's two best
  // components (0.93) dwarf float rounding, so n_iter, converged and labels stay exact.
  const Tolerance float_tolerance{1e-3, 1e-3, 1e-3, 0.1, 1.0};
  const Case c = load_case("gmm_iris_full");
  const Eigen::MatrixXf X = c.X.cast<float>();
  check_gmm_case<float, Eigen::Dynamic>(c, "float, dynamic", X, float_tolerance);
  check_gmm_case<float, 4>(c, "float, Dim 4", X, float_tolerance);
}

TEST_CASE("parity: KMeans (Lloyd) matches scikit-learn", "[parity][kmeans]") {
  for (const auto& name : kKMeansCases) {
    const Case c = load_case(name);
    check_kmeans_case<double, Eigen::Dynamic>(c, "double, dynamic");
    switch (c.X.cols()) {
      case 2: check_kmeans_case<double, 2>(c, "double, Dim 2"); break;
      case 4: check_kmeans_case<double, 4>(c, "double, Dim 4"); break;
      case 5: check_kmeans_case<double, 5>(c, "double, Dim 5"); break;
      default: FAIL("no fixed-dimension instantiation for D = " << c.X.cols());
    }
  }
}
