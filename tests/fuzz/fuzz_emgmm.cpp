// libFuzzer target for emgmm: arbitrary bytes become a point matrix, a second "query" matrix
// and the options of GaussianMixture (and BayesianGaussianMixture) and KMeans; every public method
// then runs on them, for float and double models, with a dynamic and (when the data have two
// columns) a fixed Dim.
//
// What may happen: any exception derived from emgmm::Error (the data or the options were
// rejected, or the fit broke down numerically with NumericalError). What must not, and aborts
// so that libFuzzer reports it: another exception type, a crash or a sanitizer report, NaN or
// infinity in a successfully fitted model's parameters, a label out of range, probabilities
// that do not sum to one, fit_predict(X) differing from fit(X).predict(X), and a throwing fit
// that changes an already fitted model.
//
// Saving and loading: every fitted model is saved and loaded again, and must come back bit for
// bit. An input that starts with "emgmm-" is instead saved text: it goes to every load(), where
// only emgmm::Error may escape, and a model that loads must be a valid one whose queries work
// and which saves back to text that loads to the same model.
//
// Sample weights, partial_fit and expectation/maximization: weights derived from the case
// (0 to 3, so some rows drop out) go to fit(X, w) of both estimators (the mixture re-seeding
// collapsed components in half the cases); partial_fit runs on X and
// then on the query matrix; the statistics of X round-trip through a flat buffer and their
// M-step either fails (leaving the model as it was) or gives a valid model. The same holds for
// those statistics with extreme but finite entries, for a statistics_reducer that misbehaves
// (wrong shapes, moved reference means, extreme or NaN sums), and for the weights times
// factors from 1e-300 to 1.7e308 (all-equal weights of any size must fit exactly what ones fit).
//
// Missing values: X and the query matrix with holes (NaN) go to a mixture with
// MissingValues::marginalize (fit, the queries, partial_fit, save -> load, a refit), and to
// impute(), which throws an emgmm::Error or returns finite entries with the observed ones as
// they were.
//
// BayesianGaussianMixture runs on the same case (its prior type and priors derived from the
// seed and the starting parameters): every method, save -> load, a refit that must leave the
// model as it was when it throws, and sample weights; saved text goes to its load() too.
//
// An input that starts with "emgmm-buffer" is instead a SufficientStatistics buffer (doubles, as
// another process would send them) for from_buffer() and maximization().
//
// Built by -DEMGMM_BUILD_FUZZERS=ON with Clang (tests/fuzz/CMakeLists.txt); see the README.
// Sizes are kept small (n <= 200, d <= 6, K <= 8, max_iter <= 8) so one execution is fast.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>

#include <Eigen/Core>

#include <emgmm/emgmm.hpp>

namespace {

// The fuzzer's verdict on a property: print what failed and abort (libFuzzer saves the input).
#define EMGMM_FUZZ_CHECK(condition)                                                       \
  do {                                                                                    \
    if (!(condition)) {                                                                   \
      std::fprintf(stderr, "emgmm fuzz check failed: %s (%s:%d)\n", #condition, __FILE__, \
                   __LINE__);                                                             \
      std::abort();                                                                       \
    }                                                                                     \
  } while (false)

using Eigen::Index;
using Eigen::MatrixXd;

constexpr int kMaxRows = 200;
constexpr int kMaxCols = 6;
constexpr int kMaxComponents = 8;
constexpr int kMaxIter = 8;

// One value: mostly ordinary numbers, often small integers (duplicates, ties, collapsed
// clusters), sometimes huge or tiny magnitudes, the float boundary, NaN and infinity.
double consume_value(FuzzedDataProvider& in, const std::vector<double>& previous) {
  const double inf = std::numeric_limits<double>::infinity();
  switch (in.ConsumeIntegralInRange<int>(0, 15)) {
    case 0:
    case 1:
    case 2:
    case 3: return static_cast<double>(in.ConsumeIntegralInRange<int>(-4, 4));
    case 4:
    case 5:
    case 6:
    case 7: return static_cast<double>(in.ConsumeIntegral<std::int16_t>()) / 256.0;
    case 8:
      return previous.empty()
                 ? 0.0
                 : previous[in.ConsumeIntegralInRange<std::size_t>(0, previous.size() - 1)];
    case 9: {
      static const double kMagnitudes[] = {1e300,
                                           1e150,
                                           1e38,
                                           3.4e38,
                                           3.5e38,
                                           1e20,
                                           1e-20,
                                           1e-38,
                                           1e-45,
                                           1e-300,
                                           4.9e-324,
                                           std::numeric_limits<double>::max(),
                                           std::numeric_limits<double>::min()};
      const double m = kMagnitudes[in.ConsumeIntegralInRange<int>(0, 12)];
      return in.ConsumeBool() ? -m : m;
    }
    case 10: {
      // Any bit pattern: denormals, NaN payloads, the extremes.
      const std::uint64_t bits = in.ConsumeIntegral<std::uint64_t>();
      double value;
      std::memcpy(&value, &bits, sizeof value);
      return value;
    }
    case 11:
      return in.ConsumeBool() ? std::numeric_limits<double>::quiet_NaN()
                              : (in.ConsumeBool() ? inf : -inf);
    default: return in.ConsumeFloatingPointInRange<double>(-1e6, 1e6);
  }
}

// n x d values; sometimes a row repeats an earlier one, and the first byte may ask for few
// distinct rows so that duplicates dominate.
MatrixXd consume_matrix(FuzzedDataProvider& in, Index n, Index d) {
  MatrixXd X(n, d);
  std::vector<double> previous;
  for (Index i = 0; i < n; ++i) {
    // (Not with 0 columns: Eigen's row() on an empty matrix offsets a null pointer.)
    if (i > 0 && d > 0 && in.ConsumeIntegralInRange<int>(0, 7) == 0) {
      X.row(i) = X.row(in.ConsumeIntegralInRange<Index>(0, i - 1));
      continue;
    }
    for (Index j = 0; j < d; ++j) {
      X(i, j) = consume_value(in, previous);
      previous.push_back(X(i, j));
    }
  }
  return X;
}

double consume_tol(FuzzedDataProvider& in) {
  static const double kValues[] = {1e-3,
                                   0.0,
                                   1e-10,
                                   1e-1,
                                   10.0,
                                   1e300,
                                   -1.0,
                                   std::numeric_limits<double>::quiet_NaN(),
                                   std::numeric_limits<double>::infinity()};
  return kValues[in.ConsumeIntegralInRange<int>(0, 8)];
}

double consume_reg_covar(FuzzedDataProvider& in) {
  static const double kValues[] = {1e-6,
                                   0.0,
                                   1e-12,
                                   1e-3,
                                   1.0,
                                   1e10,
                                   1e39,
                                   1e300,
                                   -1e-6,
                                   std::numeric_limits<double>::quiet_NaN(),
                                   std::numeric_limits<double>::infinity()};
  return kValues[in.ConsumeIntegralInRange<int>(0, 10)];
}

// Everything decoded from the input, in double; each model converts it to its Scalar.
struct Case {
  MatrixXd X;
  MatrixXd query;  // a second matrix for predict & co. (sometimes another width)
  // GaussianMixture
  int n_components = 1;
  int covariance_type = 0;
  int init_params = 0;
  double tol = 1e-3;
  double reg_covar = 1e-6;
  int max_iter = 1;
  int n_init = 1;
  std::uint64_t random_state = 0;
  bool warm_start = false;
  int stop_after = -1;  // callback returns false after this many iterations (-1: no callback)
  std::optional<Eigen::VectorXd> weights_init;
  std::optional<MatrixXd> means_init;
  std::optional<MatrixXd> precisions_init;
  Index n_sample = 1;
  // KMeans
  int n_clusters = 1;
  int kmeans_init = 0;
  std::optional<MatrixXd> init_centers;
  int kmeans_n_init = 1;
  int kmeans_max_iter = 1;
  double kmeans_tol = 1e-4;
  std::uint64_t kmeans_random_state = 0;
};

Index storage_rows(int type, Index K, Index D) {
  switch (type) {
    case 0: return K * D;  // full
    case 1: return D;      // tied
    case 2: return K;      // diag
    default: return K;     // spherical
  }
}
Index storage_cols(int type, Index D) { return type == 0 || type == 1 ? D : (type == 2 ? D : 1); }

// Precisions in the layout of covariance_type: usually valid (A A^T + c I per component,
// positive entries for diag/spherical), sometimes raw values that the library must reject.
MatrixXd consume_precisions(FuzzedDataProvider& in, int type, Index K, Index D) {
  const Index rows = storage_rows(type, K, D);
  const Index cols = storage_cols(type, D);
  if (in.ConsumeIntegralInRange<int>(0, 3) == 0) return consume_matrix(in, rows, cols);
  MatrixXd P(rows, cols);
  if (type == 0 || type == 1) {
    for (Index k = 0; k < rows / D; ++k) {
      MatrixXd A(D, D);
      for (Index i = 0; i < D; ++i) {
        for (Index j = 0; j < D; ++j) A(i, j) = in.ConsumeFloatingPointInRange<double>(-3.0, 3.0);
      }
      const double c = std::ldexp(1.0, in.ConsumeIntegralInRange<int>(-40, 40));
      P.middleRows(k * D, D) = A * A.transpose() + c * MatrixXd::Identity(D, D);
    }
  } else {
    for (Index i = 0; i < rows; ++i) {
      for (Index j = 0; j < cols; ++j)
        P(i, j) = std::ldexp(1.0, in.ConsumeIntegralInRange<int>(-60, 60));
    }
  }
  return P;
}

Case consume_case(FuzzedDataProvider& in) {
  Case c;
  const Index d = in.ConsumeIntegralInRange<Index>(1, kMaxCols);
  const Index n = in.ConsumeIntegralInRange<Index>(0, kMaxRows);
  c.n_components = in.ConsumeIntegralInRange<int>(0, kMaxComponents);
  c.covariance_type = in.ConsumeIntegralInRange<int>(0, 4);  // 4 is invalid
  c.init_params = in.ConsumeIntegralInRange<int>(0, 4);      // 4 is invalid
  c.tol = consume_tol(in);
  c.reg_covar = consume_reg_covar(in);
  c.max_iter = in.ConsumeIntegralInRange<int>(-1, kMaxIter);
  c.n_init = in.ConsumeIntegralInRange<int>(0, 3);
  c.random_state = in.ConsumeIntegral<std::uint64_t>();
  c.warm_start = in.ConsumeIntegralInRange<int>(0, 7) == 0;
  c.stop_after =
      in.ConsumeIntegralInRange<int>(0, 7) == 0 ? in.ConsumeIntegralInRange<int>(0, 3) : -1;
  c.n_sample = in.ConsumeIntegralInRange<Index>(-1, 50);
  c.n_clusters = in.ConsumeIntegralInRange<int>(0, kMaxComponents);
  c.kmeans_init = in.ConsumeIntegralInRange<int>(0, 2);  // 2 is invalid
  c.kmeans_n_init = in.ConsumeIntegralInRange<int>(-1, 3);
  c.kmeans_max_iter = in.ConsumeIntegralInRange<int>(0, kMaxIter);
  c.kmeans_tol = consume_tol(in);
  c.kmeans_random_state = in.ConsumeIntegral<std::uint64_t>();
  const int has_init = in.ConsumeIntegral<std::uint8_t>();
  // The initial parameters usually have the right shape (the data's d, n_components rows);
  // the library checks the shape, so a wrong one only needs to be rare.
  const Index K = std::max(1, c.n_components);
  if (has_init & 1) {
    Eigen::VectorXd w(K);
    for (Index k = 0; k < K; ++k) w(k) = 1.0 + in.ConsumeIntegralInRange<int>(0, 15);
    if (has_init & 2) w(0) = consume_value(in, {});  // maybe invalid
    c.weights_init = w / w.sum();
  }
  if (has_init & 4) c.means_init = consume_matrix(in, K, d);
  if (has_init & 8) {
    const int type = c.covariance_type > 3 ? 0 : c.covariance_type;
    c.precisions_init = consume_precisions(in, type, K, d);
  }
  if (has_init & 16) c.init_centers = consume_matrix(in, std::max(1, c.n_clusters), d);
  const Index query_cols = in.ConsumeIntegralInRange<int>(0, 15) == 0
                               ? in.ConsumeIntegralInRange<Index>(0, kMaxCols)
                               : d;
  const Index query_rows = in.ConsumeIntegralInRange<Index>(0, 20);
  c.X = consume_matrix(in, n, d);
  c.query = consume_matrix(in, query_rows, query_cols);
  return c;
}

// With EMGMM_FUZZ_PRINT set in the environment, each input's decoded case is printed to stderr:
// run the fuzzer on one crash file to see the data and options that reproduce it.
void print_case(const Case& c) {
  const Eigen::IOFormat full(Eigen::FullPrecision, 0, ", ", "\n", "  [", "]");
  std::fprintf(
      stderr,
      "X: %ld x %ld, query: %ld x %ld\nGaussianMixture: n_components=%d covariance_type=%d "
      "init_params=%d tol=%.17g reg_covar=%.17g max_iter=%d n_init=%d random_state=%llu "
      "warm_start=%d stop_after=%d weights_init=%d means_init=%d precisions_init=%d "
      "n_sample=%ld\nKMeans: n_clusters=%d init=%d init_centers=%d n_init=%d max_iter=%d "
      "tol=%.17g random_state=%llu\n",
      long(c.X.rows()), long(c.X.cols()), long(c.query.rows()), long(c.query.cols()),
      c.n_components, c.covariance_type, c.init_params, c.tol, c.reg_covar, c.max_iter, c.n_init,
      static_cast<unsigned long long>(c.random_state), int(c.warm_start), c.stop_after,
      int(c.weights_init.has_value()), int(c.means_init.has_value()),
      int(c.precisions_init.has_value()), long(c.n_sample), c.n_clusters, c.kmeans_init,
      int(c.init_centers.has_value()), c.kmeans_n_init, c.kmeans_max_iter, c.kmeans_tol,
      static_cast<unsigned long long>(c.kmeans_random_state));
  std::cerr << "X =\n" << c.X.format(full) << "\nquery =\n" << c.query.format(full) << "\n";
  if (c.weights_init)
    std::cerr << "weights_init =\n" << c.weights_init->transpose().format(full) << "\n";
  if (c.means_init) std::cerr << "means_init =\n" << c.means_init->format(full) << "\n";
  if (c.precisions_init)
    std::cerr << "precisions_init =\n" << c.precisions_init->format(full) << "\n";
  if (c.init_centers) std::cerr << "init_centers =\n" << c.init_centers->format(full) << "\n";
}

template <typename Derived>
bool all_finite(const Eigen::MatrixBase<Derived>& M) {
  return M.allFinite();
}

template <typename Derived>
bool has_nan(const Eigen::MatrixBase<Derived>& M) {
  return M.hasNaN();
}

bool labels_in_range(const Eigen::VectorXi& labels, Index n, Index K) {
  return labels.size() == n &&
         (labels.size() == 0 || (labels.minCoeff() >= 0 && labels.maxCoeff() < K));
}

// Runs f(); an emgmm::Error is an accepted answer (returns false), anything else escapes.
// EMGMM_FUZZ_VERBOSE=1 prints each error, to see why a replayed crash input was refused.
template <typename F>
bool attempt(F&& f) {
  try {
    f();
    return true;
  } catch (const emgmm::Error& error) {
    static const bool verbose = std::getenv("EMGMM_FUZZ_VERBOSE") != nullptr;
    if (verbose) std::fprintf(stderr, "emgmm fuzz: refused: %s\n", error.message());
    return false;
  }
}

// save -> load of a fitted model, which must succeed: a failure prints the text and the error.
template <typename Model>
std::optional<Model> saved_and_loaded(const Model& model) {
  std::stringstream text;
  EMGMM_FUZZ_CHECK(attempt([&] { model.save(text); }));
  std::optional<Model> copy;
  if (!attempt([&] { copy.emplace(Model::load(text)); })) {
    std::fprintf(stderr, "emgmm fuzz: a fitted model did not load back:\n%s\n", text.str().c_str());
    try {
      std::istringstream retry(text.str());
      Model::load(retry);
    } catch (const emgmm::Error& error) {
      std::fprintf(stderr, "%s\n", error.message());
    }
    EMGMM_FUZZ_CHECK(false);
  }
  return copy;
}

// A fitted mixture: every parameter finite, weights a distribution, shapes consistent.
template <typename Model>
void check_fitted_mixture(const Model& gmm, Index K, Index D) {
  EMGMM_FUZZ_CHECK(gmm.is_fitted());
  EMGMM_FUZZ_CHECK(gmm.n_features_in() == D);
  EMGMM_FUZZ_CHECK(gmm.weights().size() == K);
  EMGMM_FUZZ_CHECK(gmm.means().rows() == K && gmm.means().cols() == D);
  EMGMM_FUZZ_CHECK(all_finite(gmm.weights()));
  EMGMM_FUZZ_CHECK(all_finite(gmm.means()));
  EMGMM_FUZZ_CHECK(all_finite(gmm.covariances()));
  EMGMM_FUZZ_CHECK(all_finite(gmm.precisions()));
  EMGMM_FUZZ_CHECK(all_finite(gmm.precisions_cholesky()));
  EMGMM_FUZZ_CHECK((gmm.weights().array() >= 0).all());
  // With max_iter = 0 the weights are the initial ones, and scikit-learn 1.2 (which emgmm
  // mirrors) divides the k-means++ and random_from_data counts by n_samples instead of their
  // sum: K weights of 1/n each (scikit-learn issue #24085). Any EM iteration normalizes them.
  const double weight_sum = gmm.weights().template cast<double>().sum();
  if (gmm.n_iter() == 0) {
    EMGMM_FUZZ_CHECK(weight_sum > 0.0 && weight_sum < 1.0 + 1e-3);
  } else {
    EMGMM_FUZZ_CHECK(std::abs(weight_sum - 1.0) < 1e-3);
  }
  EMGMM_FUZZ_CHECK(!std::isnan(gmm.lower_bound()));
}

template <typename Model>
struct MixtureSnapshot {
  typename Model::Vector weights;
  typename Model::Means means;
  typename Model::Matrix covariances, precisions, precisions_cholesky;
  bool converged;
  int n_iter;
  double lower_bound;
  explicit MixtureSnapshot(const Model& m)
      : weights(m.weights()),
        means(m.means()),
        covariances(m.covariances()),
        precisions(m.precisions()),
        precisions_cholesky(m.precisions_cholesky()),
        converged(m.converged()),
        n_iter(m.n_iter()),
        lower_bound(m.lower_bound()) {}
  bool operator==(const MixtureSnapshot& o) const {
    // Bitwise equality (lower_bound may legitimately be -inf, which == handles).
    return weights == o.weights && means == o.means && covariances == o.covariances &&
           precisions == o.precisions && precisions_cholesky == o.precisions_cholesky &&
           converged == o.converged && n_iter == o.n_iter && lower_bound == o.lower_bound;
  }
};

// The queries of a fitted mixture on one matrix Q.
template <typename Model>
void query_mixture(const Model& gmm, const MatrixXd& Q, Index K) {
  const Index n = Q.rows();
  attempt([&] { EMGMM_FUZZ_CHECK(labels_in_range(gmm.predict(Q), n, K)); });
  attempt([&] {
    const auto proba = gmm.predict_proba(Q);
    EMGMM_FUZZ_CHECK(proba.rows() == n && proba.cols() == K);
    EMGMM_FUZZ_CHECK(!has_nan(proba));
    EMGMM_FUZZ_CHECK((proba.array() >= 0).all() &&
                     (proba.template cast<double>().array() <= 1.0001).all());
    for (Index i = 0; i < n; ++i) {
      EMGMM_FUZZ_CHECK(std::abs(proba.row(i).template cast<double>().sum() - 1.0) < 1e-3);
    }
  });
  attempt([&] {
    const auto log_prob = gmm.score_samples(Q);
    EMGMM_FUZZ_CHECK(log_prob.size() == n && !has_nan(log_prob));
    // A density can exceed one, but log p(x) = +inf would need a zero-volume component.
    EMGMM_FUZZ_CHECK(
        (log_prob.array() < std::numeric_limits<typename Model::Vector::Scalar>::infinity()).all());
  });
  attempt([&] { EMGMM_FUZZ_CHECK(!std::isnan(gmm.score(Q))); });
  attempt([&] { EMGMM_FUZZ_CHECK(!std::isnan(gmm.bic(Q))); });
  attempt([&] { EMGMM_FUZZ_CHECK(!std::isnan(gmm.aic(Q))); });
}

template <typename Scalar, int Dim>
typename emgmm::GaussianMixture<Scalar, Dim>::Options mixture_options(const Case& c) {
  using Model = emgmm::GaussianMixture<Scalar, Dim>;
  typename Model::Options o;
  o.n_components = c.n_components;
  o.covariance_type = static_cast<emgmm::CovarianceType>(c.covariance_type);
  o.init_params = static_cast<emgmm::InitParams>(c.init_params);
  o.tol = c.tol;
  o.reg_covar = c.reg_covar;
  o.max_iter = c.max_iter;
  o.n_init = c.n_init;
  // Always seeded: the fuzzer must be deterministic for its crashes to reproduce.
  o.random_state = c.random_state;
  o.warm_start = c.warm_start;
  if (c.weights_init) o.weights_init = c.weights_init->template cast<Scalar>();
  if (c.means_init && (Dim == Eigen::Dynamic || c.means_init->cols() == Dim)) {
    o.means_init = c.means_init->template cast<Scalar>();
  }
  if (c.precisions_init) o.precisions_init = c.precisions_init->template cast<Scalar>();
  if (c.stop_after >= 0) {
    const int stop_after = c.stop_after;
    o.callback = [stop_after](const emgmm::IterationInfo& info) {
      EMGMM_FUZZ_CHECK(std::isfinite(info.lower_bound));
      EMGMM_FUZZ_CHECK(info.iteration >= 1);
      return info.iteration <= stop_after;
    };
  }
  return o;
}

template <typename Scalar, int Dim>
void fuzz_mixture(const Case& c) {
  using Model = emgmm::GaussianMixture<Scalar, Dim>;
  const typename Model::Options options = mixture_options<Scalar, Dim>(c);
  const Index K = c.n_components;
  const Index D = c.X.cols();

  Model gmm(options);
  // Not fitted: every query is a NotFittedError, never a crash.
  EMGMM_FUZZ_CHECK(!attempt([&] { gmm.predict(c.X); }));

  Eigen::VectorXi labels;
  if (!attempt([&] { labels = gmm.fit_predict(c.X); })) {
    EMGMM_FUZZ_CHECK(!gmm.is_fitted());
    return;
  }
  check_fitted_mixture(gmm, K, D);
  EMGMM_FUZZ_CHECK(labels_in_range(labels, c.X.rows(), K));
  EMGMM_FUZZ_CHECK(gmm.n_iter() >= 0 && gmm.n_iter() <= std::max(0, c.max_iter));

  // fit_predict(X) == fit(X).predict(X), as documented, with the same seed.
  Model again(options);
  if (attempt([&] { again.fit(c.X); })) {
    Eigen::VectorXi predicted;
    if (attempt([&] { predicted = again.predict(c.X); })) EMGMM_FUZZ_CHECK(predicted == labels);
  } else {
    // The same options and data were accepted a moment ago: a fit is deterministic.
    EMGMM_FUZZ_CHECK(false);
  }

  query_mixture(gmm, c.X, K);
  query_mixture(gmm, c.query, K);

  attempt([&] {
    const auto [S, y] = gmm.sample(c.n_sample);
    EMGMM_FUZZ_CHECK(S.rows() == c.n_sample && S.cols() == D);
    EMGMM_FUZZ_CHECK(!has_nan(S));
    EMGMM_FUZZ_CHECK(labels_in_range(y, c.n_sample, K));
  });
  attempt([&] { EMGMM_FUZZ_CHECK(gmm.n_parameters() > 0); });
  attempt([&] {
    for (Index k = 0; k < K; ++k) {
      EMGMM_FUZZ_CHECK(all_finite(gmm.covariance(k)) && all_finite(gmm.precision(k)));
    }
  });

  // save -> load gives the same model, bit for bit, and the same answers.
  {
    const std::optional<Model> copy = saved_and_loaded(gmm);
    EMGMM_FUZZ_CHECK(MixtureSnapshot<Model>(*copy) == MixtureSnapshot<Model>(gmm));
    Eigen::VectorXi predicted;
    if (attempt([&] { predicted = copy->predict(c.X); }))
      EMGMM_FUZZ_CHECK(predicted == gmm.predict(c.X));
  }

  // A refit on the query matrix (often invalid: NaN, another width, too few rows): when it
  // throws, the fitted model must be exactly as it was; when it succeeds, it is a valid model
  // (with warm_start, it continued from the first fit).
  const MixtureSnapshot<Model> before(gmm);
  if (attempt([&] { gmm.fit(c.query); })) {
    check_fitted_mixture(gmm, K, c.query.cols());
  } else {
    EMGMM_FUZZ_CHECK(MixtureSnapshot<Model>(gmm) == before);
  }
}

// Weights 0..3 for the rows of X, from the case's seed: a fixed function of the input.
Eigen::VectorXd case_weights(const Case& c) {
  Eigen::VectorXd w(c.X.rows());
  for (Index i = 0; i < w.size(); ++i) w(i) = double((c.random_state >> (2 * (i % 32))) & 3U);
  return w;
}

// The weights' scale: all-equal weights of any size are divided exactly to ones, so they fit
// exactly what weights of 1 fit; the case's weights times an extreme factor fit a valid model or
// throw an emgmm::Error, never a model with non-finite parameters.
template <typename Scalar, int Dim>
void fuzz_weight_scales(const Case& c,
                        const typename emgmm::GaussianMixture<Scalar, Dim>::Options& options) {
  using Model = emgmm::GaussianMixture<Scalar, Dim>;
  const Index K = c.n_components;
  const double kFactors[] = {1e-300, 1e-30, 1e-6, 0.75, 1e30, 1e250, 1e300, 1.7e308};
  const double factor = kFactors[(c.random_state >> 5) % 8];
  Model ones(options), constant(options);
  const bool ones_fitted = attempt([&] { ones.fit(c.X, Eigen::VectorXd::Ones(c.X.rows())); });
  const bool constant_fitted =
      attempt([&] { constant.fit(c.X, Eigen::VectorXd::Constant(c.X.rows(), factor)); });
  EMGMM_FUZZ_CHECK(ones_fitted == constant_fitted);
  if (ones_fitted)
    EMGMM_FUZZ_CHECK(MixtureSnapshot<Model>(ones) == MixtureSnapshot<Model>(constant));
  Model scaled(options);
  const Eigen::VectorXd w = case_weights(c) * factor;
  if (attempt([&] { scaled.fit(c.X, w); })) {
    check_fitted_mixture(scaled, K, c.X.cols());
  } else {
    EMGMM_FUZZ_CHECK(!scaled.is_fitted());
  }
  Model online(options);
  if (attempt([&] { online.partial_fit(c.X, w); })) check_fitted_mixture(online, K, c.X.cols());
}

// A statistics_reducer that the case makes misbehave: it leaves the statistics as they are,
// doubles them, drops a component or a scatter row, moves the reference means, or writes an
// extreme or non-finite number. fit() (a warm start from `fitted`, as a distributed fit would
// continue) either refuses with an emgmm::Error, leaving the model as it was, or fits a valid
// model; it never reads out of bounds (ASan) or aborts on Eigen's assertions.
template <typename Scalar, int Dim>
void fuzz_reducer(const Case& c, emgmm::GaussianMixture<Scalar, Dim> model) {
  using Model = emgmm::GaussianMixture<Scalar, Dim>;
  typename Model::Options options = model.get_params();
  options.warm_start = true;
  options.reseed_collapsed_components = false;
  const int kind = int((c.random_state >> 9) % 9);
  const double extreme = (c.random_state >> 13) & 1U ? 1e300 : -1.7e308;
  // Set when the reducer made statistics that fit() must refuse (max_iter = 0 never calls it;
  // moving huge reference means by 1 may change nothing).
  auto invalid = std::make_shared<bool>(false);
  options.statistics_reducer = [kind, extreme, invalid](emgmm::SufficientStatistics& s) {
    switch (kind) {
      case 0: break;
      case 1: s *= 2.0; break;
      case 2:
        s.resp_sum.conservativeResize(s.resp_sum.size() - 1);
        *invalid = true;
        break;
      case 3:
        s.scatter.conservativeResize(s.scatter.rows() - 1, Eigen::NoChange);
        *invalid = true;
        break;
      case 4: {
        const Eigen::MatrixXd before = s.reference;
        s.reference.array() += 1.0;
        *invalid = *invalid || s.reference != before;
        break;
      }
      case 5: s.resp_diff_sum(0, 0) = extreme; break;
      case 6: s.scatter(0, 0) = extreme; break;
      case 7:
        s.resp_sum(0) = std::numeric_limits<double>::quiet_NaN();
        *invalid = true;
        break;
      default:
        s = emgmm::SufficientStatistics(s.covariance_type, s.n_components() + 1, s.n_features());
        *invalid = true;
        break;
    }
  };
  model.set_params(options);
  const MixtureSnapshot<Model> before(model);
  if (attempt([&] { model.fit(c.X); })) {
    EMGMM_FUZZ_CHECK(!*invalid);
    check_fitted_mixture(model, c.n_components, c.X.cols());
  } else {
    EMGMM_FUZZ_CHECK(MixtureSnapshot<Model>(model) == before);
  }
}

// fit(X, w), partial_fit and expectation/maximization of the mixture.
template <typename Scalar, int Dim>
void fuzz_mixture_extensions(const Case& c) {
  using Model = emgmm::GaussianMixture<Scalar, Dim>;
  typename Model::Options options = mixture_options<Scalar, Dim>(c);
  // Half the cases also re-seed collapsed components instead of throwing.
  options.reseed_collapsed_components = (c.random_state & 1U) != 0;
  const Index K = c.n_components;
  const Eigen::VectorXd w = case_weights(c);

  Model weighted(options);
  if (attempt([&] { weighted.fit(c.X, w); })) {
    check_fitted_mixture(weighted, K, c.X.cols());
    Eigen::VectorXi labels;
    EMGMM_FUZZ_CHECK(attempt([&] { labels = weighted.predict(c.X); }));
    EMGMM_FUZZ_CHECK(labels_in_range(labels, c.X.rows(), K));
  } else {
    EMGMM_FUZZ_CHECK(!weighted.is_fitted());
  }

  Model online(options);
  if (!attempt([&] { online.partial_fit(c.X); })) {
    EMGMM_FUZZ_CHECK(!online.is_fitted());
  } else {
    EMGMM_FUZZ_CHECK(online.is_fitted() && all_finite(online.means()) &&
                     all_finite(online.covariances()));
    const MixtureSnapshot<Model> before(online);
    if (attempt([&] { online.partial_fit(c.query); })) {
      EMGMM_FUZZ_CHECK(all_finite(online.means()) && all_finite(online.covariances()));
      EMGMM_FUZZ_CHECK(std::abs(online.weights().template cast<double>().sum() - 1.0) < 1e-3);
    } else {
      EMGMM_FUZZ_CHECK(MixtureSnapshot<Model>(online) == before);
    }
  }

  fuzz_weight_scales<Scalar, Dim>(c, options);

  if (!weighted.is_fitted()) return;
  emgmm::SufficientStatistics stats;
  if (!attempt([&] { stats = weighted.expectation(c.X); })) return;
  const std::vector<double> buffer = stats.to_buffer();
  emgmm::SufficientStatistics back;
  EMGMM_FUZZ_CHECK(attempt(
      [&] { back = emgmm::SufficientStatistics::from_buffer(buffer.data(), buffer.size()); }));
  EMGMM_FUZZ_CHECK(back.to_buffer() == buffer);
  const MixtureSnapshot<Model> before(weighted);
  if (attempt([&] { weighted.maximization(back); })) {
    check_fitted_mixture(weighted, K, c.X.cols());
    query_mixture(weighted, c.query, K);
  } else {
    EMGMM_FUZZ_CHECK(MixtureSnapshot<Model>(weighted) == before);
  }

  // Extreme but finite statistics, as another process could send them: a buffer whose entries
  // the case replaces (from_buffer accepts any finite number); maximization() either refuses
  // them, leaving the model as it was, or gives a valid model whose queries work.
  std::vector<double> extreme = buffer;
  const std::uint64_t bits = c.random_state * 0x9E3779B97F4A7C15ULL;
  const double kExtremes[] = {1e300, -1e300, 1.7e308, -1.7e308, 1e-300, 0.0, 3e38, -3e38};
  for (int j = 0; j < 4; ++j) {
    const std::size_t at = 3 + std::size_t((bits >> (16 * j)) % (extreme.size() - 3));
    extreme[at] = kExtremes[(bits >> (16 * j + 8)) % 8];
  }
  emgmm::SufficientStatistics received;
  if (attempt([&] {
        received = emgmm::SufficientStatistics::from_buffer(extreme.data(), extreme.size());
      })) {
    const MixtureSnapshot<Model> unchanged(weighted);
    if (attempt([&] { weighted.maximization(received); })) {
      check_fitted_mixture(weighted, K, c.X.cols());
      query_mixture(weighted, c.X, K);
      std::optional<Model> copy = saved_and_loaded(weighted);
      EMGMM_FUZZ_CHECK(copy && MixtureSnapshot<Model>(*copy) == MixtureSnapshot<Model>(weighted));
    } else {
      EMGMM_FUZZ_CHECK(MixtureSnapshot<Model>(weighted) == unchanged);
    }
  }

  fuzz_reducer<Scalar, Dim>(c, weighted);
}

// The case's matrix with holes: about a quarter of the entries, and now and then a whole row,
// become NaN (from the case's k-means seed, a fixed function of the input).
MatrixXd with_holes(const MatrixXd& M, std::uint64_t seed) {
  MatrixXd holes = M;
  std::uint64_t bits = seed | 1U;
  for (Index i = 0; i < M.rows(); ++i) {
    for (Index j = 0; j < M.cols(); ++j) {
      bits ^= bits << 13;  // xorshift64: cheap, and the same on every machine
      bits ^= bits >> 7;
      bits ^= bits << 17;
      if ((bits & 3U) == 0 || (bits >> 60) == 0)
        holes(i, j) = std::numeric_limits<double>::quiet_NaN();
    }
  }
  return holes;
}

// impute(Q): an emgmm::Error, or a matrix of Q's shape with every entry finite and every
// observed entry returned as it was.
template <typename Model>
void check_impute(const Model& gmm, const MatrixXd& Q) {
  typename Model::Data filled;
  if (!attempt([&] { filled = gmm.impute(Q); })) return;
  EMGMM_FUZZ_CHECK(filled.rows() == Q.rows() && filled.cols() == Q.cols());
  EMGMM_FUZZ_CHECK(all_finite(filled));
  using Scalar = typename Model::Vector::Scalar;
  for (Index i = 0; i < Q.rows(); ++i) {
    for (Index j = 0; j < Q.cols(); ++j) {
      if (!std::isnan(Q(i, j))) EMGMM_FUZZ_CHECK(filled(i, j) == static_cast<Scalar>(Q(i, j)));
    }
  }
}

// MissingValues::marginalize on X and the query matrix with holes: fit, the queries, impute,
// partial_fit, save -> load and a refit, under the same contract as without holes.
template <typename Scalar, int Dim>
void fuzz_missing_values(const Case& c) {
  using Model = emgmm::GaussianMixture<Scalar, Dim>;
  typename Model::Options options = mixture_options<Scalar, Dim>(c);
  options.missing_values = emgmm::MissingValues::marginalize;
  const Index K = c.n_components;
  const MatrixXd X = with_holes(c.X, c.kmeans_random_state);
  const MatrixXd query = with_holes(c.query, ~c.kmeans_random_state);

  Model gmm(options);
  if (!attempt([&] { gmm.fit(X); })) {
    EMGMM_FUZZ_CHECK(!gmm.is_fitted());
  } else {
    check_fitted_mixture(gmm, K, X.cols());
    query_mixture(gmm, X, K);
    query_mixture(gmm, query, K);
    check_impute(gmm, X);
    check_impute(gmm, query);
    const std::optional<Model> copy = saved_and_loaded(gmm);
    EMGMM_FUZZ_CHECK(copy && MixtureSnapshot<Model>(*copy) == MixtureSnapshot<Model>(gmm));
    const MixtureSnapshot<Model> before(gmm);
    if (attempt([&] { gmm.fit(query); })) {
      check_fitted_mixture(gmm, K, query.cols());
    } else {
      EMGMM_FUZZ_CHECK(MixtureSnapshot<Model>(gmm) == before);
    }
  }

  Model online(options);
  if (!attempt([&] { online.partial_fit(X); })) {
    EMGMM_FUZZ_CHECK(!online.is_fitted());
  } else {
    EMGMM_FUZZ_CHECK(all_finite(online.means()) && all_finite(online.covariances()));
    const MixtureSnapshot<Model> before(online);
    if (attempt([&] { online.partial_fit(query); })) {
      EMGMM_FUZZ_CHECK(all_finite(online.means()) && all_finite(online.covariances()));
    } else {
      EMGMM_FUZZ_CHECK(MixtureSnapshot<Model>(online) == before);
    }
  }
}

template <typename Scalar, int Dim>
void query_kmeans(const emgmm::KMeans<Scalar, Dim>& km, const MatrixXd& Q, Index K) {
  const Index n = Q.rows();
  attempt([&] { EMGMM_FUZZ_CHECK(labels_in_range(km.predict(Q), n, K)); });
  attempt([&] {
    const auto distances = km.transform(Q);
    EMGMM_FUZZ_CHECK(distances.rows() == n && distances.cols() == K);
    EMGMM_FUZZ_CHECK(!has_nan(distances) && (distances.array() >= 0).all());
  });
  attempt([&] {
    const double score = km.score(Q);
    EMGMM_FUZZ_CHECK(!std::isnan(score) && score <= 0.0);
  });
}

template <typename Scalar, int Dim>
void fuzz_kmeans(const Case& c) {
  using Model = emgmm::KMeans<Scalar, Dim>;
  typename Model::Options o;
  o.n_clusters = c.n_clusters;
  o.init = static_cast<typename Model::Options::Init>(c.kmeans_init);
  if (c.init_centers && (Dim == Eigen::Dynamic || c.init_centers->cols() == Dim)) {
    o.init_centers = c.init_centers->template cast<Scalar>();
  }
  o.n_init = c.kmeans_n_init;
  o.max_iter = c.kmeans_max_iter;
  o.tol = c.kmeans_tol;
  o.random_state = c.kmeans_random_state;
  const Index K = c.n_clusters;

  Model km(o);
  Eigen::VectorXi labels;
  if (!attempt([&] { labels = km.fit_predict(c.X); })) {
    EMGMM_FUZZ_CHECK(!km.is_fitted());
    return;
  }
  EMGMM_FUZZ_CHECK(labels_in_range(labels, c.X.rows(), K));
  EMGMM_FUZZ_CHECK(km.labels() == labels);
  EMGMM_FUZZ_CHECK(km.cluster_centers().rows() == K && km.cluster_centers().cols() == c.X.cols());
  EMGMM_FUZZ_CHECK(!has_nan(km.cluster_centers()));
  EMGMM_FUZZ_CHECK(!std::isnan(km.inertia()) && km.inertia() >= 0.0);
  EMGMM_FUZZ_CHECK(km.n_iter() >= 0 && km.n_iter() <= c.kmeans_max_iter);
  query_kmeans(km, c.X, K);
  query_kmeans(km, c.query, K);

  // save -> load gives the same model, bit for bit.
  std::stringstream text;
  EMGMM_FUZZ_CHECK(attempt([&] { km.save(text); }));
  std::optional<Model> copy;
  EMGMM_FUZZ_CHECK(attempt([&] { copy.emplace(Model::load(text)); }));
  EMGMM_FUZZ_CHECK(copy->cluster_centers() == km.cluster_centers());
  EMGMM_FUZZ_CHECK(copy->labels() == km.labels());
  EMGMM_FUZZ_CHECK(copy->inertia() == km.inertia() && copy->n_iter() == km.n_iter());

  // Weighted: a valid clustering or an emgmm::Error that leaves the model as it was.
  const Eigen::VectorXd w = case_weights(c);
  const auto centers = km.cluster_centers();
  if (attempt([&] { km.fit(c.X, w); })) {
    EMGMM_FUZZ_CHECK(!has_nan(km.cluster_centers()) && !std::isnan(km.inertia()) &&
                     km.inertia() >= 0.0);
    EMGMM_FUZZ_CHECK(labels_in_range(km.labels(), c.X.rows(), K));
  } else {
    EMGMM_FUZZ_CHECK(km.cluster_centers() == centers);
  }
}

// BayesianGaussianMixture: the same options as the mixture, a prior type and priors derived
// from the case (the starting parameters stand in for a mean and covariance prior, often of
// a wrong shape, which fit() must reject), then every method, save -> load, and a refit.
template <typename Scalar, int Dim>
void fuzz_bayesian_mixture(const Case& c) {
  using Model = emgmm::BayesianGaussianMixture<Scalar, Dim>;
  const auto base = mixture_options<Scalar, Dim>(c);
  typename Model::Options o;
  o.n_components = base.n_components;
  o.covariance_type = base.covariance_type;
  o.init_params = base.init_params;
  o.tol = base.tol;
  o.reg_covar = base.reg_covar;
  o.max_iter = base.max_iter;
  o.n_init = base.n_init;
  o.random_state = base.random_state;
  o.warm_start = base.warm_start;
  o.callback = base.callback;
  const std::uint64_t bits = c.random_state;
  o.weight_concentration_prior_type =
      static_cast<emgmm::WeightConcentrationPriorType>((bits >> 1) & 1U);
  if (bits & 4U) o.weight_concentration_prior = std::ldexp(1.0, int((bits >> 3) % 40) - 30);
  if (bits & 128U) o.mean_precision_prior = std::ldexp(1.0, int((bits >> 8) % 20) - 10);
  if (bits & 8192U)
    o.degrees_of_freedom_prior =
        double(c.X.cols()) - 1.0 + std::ldexp(1.0, int((bits >> 14) % 12) - 6);
  if (c.means_init && c.means_init->rows() > 0 &&
      (Dim == Eigen::Dynamic || c.means_init->cols() == Dim)) {
    o.mean_prior = c.means_init->row(0).template cast<Scalar>();
  }
  if (c.precisions_init && c.precisions_init->rows() > 0) {
    const MatrixXd& P = *c.precisions_init;
    switch (c.covariance_type) {
      case 0:
      case 1:
        o.covariance_prior = P.topRows(std::min(P.rows(), P.cols())).template cast<Scalar>();
        break;
      case 2: o.covariance_prior = P.topRows(1).template cast<Scalar>(); break;
      default: o.covariance_prior = P.topLeftCorner(1, 1).template cast<Scalar>(); break;
    }
  }
  const Index K = c.n_components;
  const Index D = c.X.cols();
  Model bgm(o);
  Eigen::VectorXi labels;
  if (!attempt([&] { labels = bgm.fit_predict(c.X); })) {
    EMGMM_FUZZ_CHECK(!bgm.is_fitted());
  } else {
    EMGMM_FUZZ_CHECK(bgm.n_features_in() == D && bgm.weights().size() == K);
    EMGMM_FUZZ_CHECK(all_finite(bgm.weights()) && all_finite(bgm.means()) &&
                     all_finite(bgm.covariances()));
    EMGMM_FUZZ_CHECK(all_finite(bgm.precisions_cholesky()) &&
                     all_finite(bgm.weight_concentration()));
    EMGMM_FUZZ_CHECK((bgm.weights().array() >= 0).all());
    EMGMM_FUZZ_CHECK(std::abs(bgm.weights().template cast<double>().sum() - 1.0) < 1e-3);
    EMGMM_FUZZ_CHECK((bgm.mean_precision().array() > 0).all() &&
                     (bgm.weight_concentration().array() > 0).all());
    EMGMM_FUZZ_CHECK(!std::isnan(bgm.lower_bound()));
    EMGMM_FUZZ_CHECK(labels_in_range(labels, c.X.rows(), K));
    Eigen::VectorXi predicted;
    if (attempt([&] { predicted = bgm.predict(c.X); })) EMGMM_FUZZ_CHECK(predicted == labels);
    for (const MatrixXd* Q : {&c.X, &c.query}) {
      const Index n = Q->rows();
      attempt([&] {
        const auto proba = bgm.predict_proba(*Q);
        EMGMM_FUZZ_CHECK(proba.rows() == n && proba.cols() == K && !has_nan(proba));
        for (Index i = 0; i < n; ++i)
          EMGMM_FUZZ_CHECK(std::abs(proba.row(i).template cast<double>().sum() - 1.0) < 1e-3);
      });
      attempt([&] { EMGMM_FUZZ_CHECK(!has_nan(bgm.score_samples(*Q))); });
    }
    attempt([&] {
      const auto [S, y] = bgm.sample(c.n_sample);
      EMGMM_FUZZ_CHECK(S.rows() == c.n_sample && !has_nan(S) && labels_in_range(y, c.n_sample, K));
    });
    const std::optional<Model> copy = saved_and_loaded(bgm);
    EMGMM_FUZZ_CHECK(copy->weights() == bgm.weights() && copy->means() == bgm.means() &&
                     copy->covariances() == bgm.covariances() &&
                     copy->weight_concentration() == bgm.weight_concentration() &&
                     copy->lower_bound() == bgm.lower_bound());
    // A refit on the query: on failure the model is exactly as it was.
    const typename Model::Matrix covariances = bgm.covariances();
    const typename Model::Matrix concentration = bgm.weight_concentration();
    const double lower_bound = bgm.lower_bound();
    if (!attempt([&] { bgm.fit(c.query); })) {
      EMGMM_FUZZ_CHECK(bgm.covariances() == covariances &&
                       bgm.weight_concentration() == concentration &&
                       bgm.lower_bound() == lower_bound);
    }
  }
  Model weighted(o);
  if (attempt([&] { weighted.fit(c.X, case_weights(c)); })) {
    EMGMM_FUZZ_CHECK(all_finite(weighted.means()) && all_finite(weighted.covariances()));
  } else {
    EMGMM_FUZZ_CHECK(!weighted.is_fitted());
  }
}

// Saved text from the input: only emgmm::Error may escape load(); a model that loads is valid,
// answers queries, and saves to text that loads to the same model.
template <typename Scalar, int Dim>
void fuzz_load_mixture(const std::string& input) {
  using Model = emgmm::GaussianMixture<Scalar, Dim>;
  std::istringstream in(input);
  std::optional<Model> model;
  if (!attempt([&] { model.emplace(Model::load(in)); })) return;
  const Index K = model->n_components();
  const Index D = model->n_features_in();
  check_fitted_mixture(*model, K, D);
  MatrixXd Q(K + 2, D);
  Q.topRows(K) = model->means().template cast<double>();
  Q.row(K).setZero();
  Q.row(K + 1).setConstant(1e3);
  query_mixture(*model, Q, K);
  attempt([&] {
    const auto [S, y] = model->sample(7);
    EMGMM_FUZZ_CHECK(S.rows() == 7 && !has_nan(S));
    EMGMM_FUZZ_CHECK(labels_in_range(y, 7, K));
  });
  std::stringstream text;
  EMGMM_FUZZ_CHECK(attempt([&] { model->save(text); }));
  const std::string saved = text.str();
  std::optional<Model> again;
  EMGMM_FUZZ_CHECK(attempt([&] { again.emplace(Model::load(text)); }));
  EMGMM_FUZZ_CHECK(MixtureSnapshot<Model>(*again) == MixtureSnapshot<Model>(*model));
  std::ostringstream twice;
  again->save(twice);
  EMGMM_FUZZ_CHECK(twice.str() == saved);
}

template <typename Scalar, int Dim>
void fuzz_load_kmeans(const std::string& input) {
  using Model = emgmm::KMeans<Scalar, Dim>;
  std::istringstream in(input);
  std::optional<Model> model;
  if (!attempt([&] { model.emplace(Model::load(in)); })) return;
  const Index K = model->cluster_centers().rows();
  const Index D = model->n_features_in();
  EMGMM_FUZZ_CHECK(all_finite(model->cluster_centers()) && model->inertia() >= 0.0);
  EMGMM_FUZZ_CHECK(labels_in_range(model->labels(), model->labels().size(), K));
  MatrixXd Q(K + 1, D);
  Q.topRows(K) = model->cluster_centers().template cast<double>();
  Q.row(K).setZero();
  query_kmeans(*model, Q, K);
  std::stringstream text;
  EMGMM_FUZZ_CHECK(attempt([&] { model->save(text); }));
  std::optional<Model> again;
  EMGMM_FUZZ_CHECK(attempt([&] { again.emplace(Model::load(text)); }));
  EMGMM_FUZZ_CHECK(again->cluster_centers() == model->cluster_centers() &&
                   again->labels() == model->labels());
}

template <typename Scalar, int Dim>
void fuzz_load_bayesian_mixture(const std::string& input) {
  using Model = emgmm::BayesianGaussianMixture<Scalar, Dim>;
  std::istringstream in(input);
  std::optional<Model> model;
  if (!attempt([&] { model.emplace(Model::load(in)); })) return;
  const Index K = model->n_components();
  const Index D = model->n_features_in();
  EMGMM_FUZZ_CHECK(all_finite(model->weights()) && all_finite(model->means()) &&
                   all_finite(model->covariances()));
  EMGMM_FUZZ_CHECK(std::abs(model->weights().template cast<double>().sum() - 1.0) < 1e-3);
  MatrixXd Q(K + 2, D);
  Q.topRows(K) = model->means().template cast<double>();
  Q.row(K).setZero();
  Q.row(K + 1).setConstant(1e3);
  attempt([&] { EMGMM_FUZZ_CHECK(labels_in_range(model->predict(Q), K + 2, K)); });
  attempt([&] { EMGMM_FUZZ_CHECK(!has_nan(model->predict_proba(Q))); });
  std::stringstream text;
  EMGMM_FUZZ_CHECK(attempt([&] { model->save(text); }));
  const std::string saved = text.str();
  std::optional<Model> again;
  EMGMM_FUZZ_CHECK(attempt([&] { again.emplace(Model::load(text)); }));
  std::ostringstream twice;
  again->save(twice);
  EMGMM_FUZZ_CHECK(twice.str() == saved);
}

void fuzz_load(const std::string& input) {
  fuzz_load_mixture<double, Eigen::Dynamic>(input);
  fuzz_load_mixture<float, Eigen::Dynamic>(input);
  fuzz_load_mixture<double, 2>(input);
  fuzz_load_mixture<float, 2>(input);
  fuzz_load_bayesian_mixture<double, Eigen::Dynamic>(input);
  fuzz_load_bayesian_mixture<float, 2>(input);
  fuzz_load_kmeans<double, Eigen::Dynamic>(input);
  fuzz_load_kmeans<float, 2>(input);
}

// Bytes after "emgmm-buffer", read as doubles: statistics as another process (MPI, a
// socket) would send them. from_buffer() accepts them or throws InvalidArgument, never
// overflowing on the header's counts; what it accepts writes back the same doubles, and the
// M-step of a model of that shape either refuses them (the model left unfitted) or gives a
// valid model whose queries work.
template <typename Scalar>
void fuzz_statistics_model(const emgmm::SufficientStatistics& stats) {
  const Index K = stats.n_components();
  typename emgmm::GaussianMixture<Scalar>::Options options;
  options.n_components = int(K);
  options.covariance_type = stats.covariance_type;
  emgmm::GaussianMixture<Scalar> model(options);
  if (attempt([&] { model.maximization(stats); })) {
    check_fitted_mixture(model, K, stats.n_features());
    query_mixture(model, stats.reference, K);
  } else {
    EMGMM_FUZZ_CHECK(!model.is_fitted());
  }
}

void fuzz_statistics_buffer(const std::uint8_t* data, std::size_t size) {
  std::vector<double> values(size / sizeof(double));
  if (!values.empty()) std::memcpy(values.data(), data, values.size() * sizeof(double));
  emgmm::SufficientStatistics stats;
  if (!attempt(
          [&] { stats = emgmm::SufficientStatistics::from_buffer(values.data(), values.size()); }))
    return;
  EMGMM_FUZZ_CHECK(stats.is_consistent());
  EMGMM_FUZZ_CHECK(stats.to_buffer() == values);
  if (stats.n_components() > 16 || stats.n_features() > 16) return;  // keep an execution fast
  fuzz_statistics_model<double>(stats);
  fuzz_statistics_model<float>(stats);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const char kBufferPrefix[] = "emgmm-buffer";
  if (size >= sizeof kBufferPrefix - 1 &&
      std::memcmp(data, kBufferPrefix, sizeof kBufferPrefix - 1) == 0) {
    fuzz_statistics_buffer(data + sizeof kBufferPrefix - 1, size - (sizeof kBufferPrefix - 1));
    return 0;
  }
  static const char kSavedPrefix[] = "emgmm-";
  if (size >= sizeof kSavedPrefix - 1 &&
      std::memcmp(data, kSavedPrefix, sizeof kSavedPrefix - 1) == 0) {
    fuzz_load(std::string(reinterpret_cast<const char*>(data), size));
    return 0;
  }
  FuzzedDataProvider in(data, size);
  const Case c = consume_case(in);
  static const bool print = std::getenv("EMGMM_FUZZ_PRINT") != nullptr;
  if (print) print_case(c);
  fuzz_mixture<double, Eigen::Dynamic>(c);
  fuzz_mixture<float, Eigen::Dynamic>(c);
  fuzz_mixture_extensions<double, Eigen::Dynamic>(c);
  fuzz_mixture_extensions<float, Eigen::Dynamic>(c);
  fuzz_missing_values<double, Eigen::Dynamic>(c);
  fuzz_missing_values<float, Eigen::Dynamic>(c);
  fuzz_bayesian_mixture<double, Eigen::Dynamic>(c);
  fuzz_bayesian_mixture<float, Eigen::Dynamic>(c);
  fuzz_kmeans<double, Eigen::Dynamic>(c);
  fuzz_kmeans<float, Eigen::Dynamic>(c);
  if (c.X.cols() == 2) {
    fuzz_mixture<double, 2>(c);
    fuzz_mixture<float, 2>(c);
    fuzz_bayesian_mixture<double, 2>(c);
    fuzz_kmeans<double, 2>(c);
    fuzz_kmeans<float, 2>(c);
  }
  return 0;
}
