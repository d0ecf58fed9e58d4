// GaussianMixture with missing entries (options.missing_values = MissingValues::marginalize,
// issue 18): parity with the plain NumPy EM of tests/reference/missing_values_reference.py,
// the properties EM on incomplete data keeps, imputation, and hostile input.

#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <emgmm/emgmm.hpp>

#include "catch.hpp"
#include "reference_data.hpp"
#include "synthetic_data.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace {

using Eigen::Index;
using emgmm::CovarianceType;
using emgmm::MissingValues;

const CovarianceType kTypes[] = {CovarianceType::full, CovarianceType::tied, CovarianceType::diag,
                                 CovarianceType::spherical};
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

template <typename Scalar>
emgmm::GaussianMixtureOptions<Scalar> marginalizing(int K, CovarianceType type) {
  emgmm::GaussianMixtureOptions<Scalar> options;
  options.n_components = K;
  options.covariance_type = type;
  options.random_state = 7;
  options.missing_values = MissingValues::marginalize;
  return options;
}

/// X with each entry set to NaN independently with probability p (seeded).
Eigen::MatrixXd with_holes(Eigen::MatrixXd X, double p, std::uint64_t seed) {
  emgmm_test::NormalSource source(seed);
  for (Index j = 0; j < X.cols(); ++j) {
    for (Index i = 0; i < X.rows(); ++i) {
      if (source.uniform() < p) X(i, j) = kNaN;
    }
  }
  return X;
}

/// |a - b| <= tolerance * max(|b|, 1) for every entry: relative for entries of magnitude 1 or
/// more (the data's scale), absolute below (probabilities, near-zero correlations).
template <typename A, typename B>
bool close(const Eigen::MatrixBase<A>& a, const Eigen::MatrixBase<B>& b, double tolerance) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
  const Eigen::MatrixXd x = a.template cast<double>();
  const Eigen::MatrixXd y = b.template cast<double>();
  return ((x - y).array().abs() <= tolerance * y.array().abs().max(1.0)).all();
}

template <typename Model>
bool same_model(const Model& a, const Model& b) {
  return a.weights() == b.weights() && a.means() == b.means() &&
         a.covariances() == b.covariances() && a.precisions_cholesky() == b.precisions_cholesky() &&
         a.lower_bound() == b.lower_bound() && a.n_iter() == b.n_iter() &&
         a.converged() == b.converged();
}

std::string reference_path(const std::string& data, CovarianceType type) {
  return std::string(EMGMM_TEST_DATA_DIR) + "/missing_" + data + "_" + emgmm::to_string(type) +
         ".txt";
}

/// The reference file's X with NaN where missing_mask says.
Eigen::MatrixXd reference_X(const emgmm_test::ReferenceData& ref) {
  Eigen::MatrixXd X = ref.matrix("X");
  const Eigen::MatrixXd& mask = ref.matrix("missing_mask");
  for (Index i = 0; i < X.rows(); ++i) {
    for (Index j = 0; j < X.cols(); ++j) {
      if (mask(i, j) != 0.0) X(i, j) = kNaN;
    }
  }
  return X;
}

emgmm::GaussianMixtureOptions<double> reference_options(const emgmm_test::ReferenceData& ref,
                                                        CovarianceType type) {
  auto options = marginalizing<double>(int(ref.matrix("means_init").rows()), type);
  options.tol = 0.0;
  options.max_iter = ref.integer("max_iter");
  options.weights_init = ref.vector("weights_init");
  options.means_init = ref.matrix("means_init");
  options.precisions_init = ref.matrix("precisions_init");
  return options;
}

}  // namespace

TEST_CASE("missing values: EM agrees with the plain NumPy reference to 1e-10", "[missing_values]") {
  // Twenty iterations from the same explicit start, on 5%, 20% and 50% MCAR holes (50%: rows
  // with every entry missing), structured holes, and integer sample weights with zeros. The
  // two implementations differ only by rounding (factors of the sub-covariance here, of the
  // precision for complete rows; sums in another order), which 1e-10 leaves ample room for.
  for (const std::string data : {"mcar05", "mcar20", "mcar50", "structured", "mcar20w"}) {
    for (const CovarianceType type : kTypes) {
      INFO(data << ", covariance_type " << emgmm::to_string(type));
      const auto ref = emgmm_test::ReferenceData::load(reference_path(data, type));
      const Eigen::MatrixXd X = reference_X(ref);
      const Eigen::VectorXd sample_weight = ref.vector("sample_weight");
      auto options = reference_options(ref, type);
      std::vector<double> bounds;
      options.callback = [&](const emgmm::IterationInfo& info) {
        bounds.push_back(info.lower_bound);
        return true;
      };
      emgmm::GaussianMixture<double> model(options);
      if (data == "mcar20w") {
        model.fit(X, sample_weight);
      } else {
        model.fit(X);
      }
      REQUIRE(model.n_iter() == options.max_iter);
      const Eigen::VectorXd expected_bounds = ref.vector("lower_bounds");
      REQUIRE(static_cast<Index>(bounds.size()) == expected_bounds.size());
      CHECK(close(Eigen::Map<const Eigen::VectorXd>(bounds.data(), expected_bounds.size()),
                  expected_bounds, 1e-10));
      CHECK(model.lower_bound() == bounds.back());
      CHECK(close(model.weights(), ref.vector("weights"), 1e-10));
      CHECK(close(model.means(), ref.matrix("means"), 1e-10));
      CHECK(close(model.covariances(), ref.matrix("covariances"), 1e-10));
      CHECK(close(model.score_samples(X), ref.vector("score_samples"), 1e-10));
      CHECK(close(model.predict_proba(X), ref.matrix("predict_proba"), 1e-10));
      CHECK(close(model.impute(X), ref.matrix("impute"), 1e-10));
      CHECK(std::abs(model.score(X) - ref.vector("score_samples").mean()) <= 1e-10);
    }
  }
}

TEST_CASE("missing values: data without NaN give bit-identical models with the option on",
          "[missing_values]") {
  const emgmm_test::KnownMixture truth = emgmm_test::three_blobs(3, CovarianceType::full, 0.3);
  const Eigen::MatrixXd X = emgmm_test::draw(truth, 500, 4).X;
  Eigen::VectorXd weights(X.rows());
  for (Index i = 0; i < X.rows(); ++i) weights(i) = double(1 + i % 3);
  for (const CovarianceType type : kTypes) {
    INFO("covariance_type " << emgmm::to_string(type));
    auto on = marginalizing<double>(3, type);
    auto off = on;
    off.missing_values = MissingValues::error;
    emgmm::GaussianMixture<double> a(on), b(off);
    const Eigen::VectorXi la = a.fit_predict(X);
    const Eigen::VectorXi lb = b.fit_predict(X);
    CHECK(same_model(a, b));
    CHECK(la == lb);
    CHECK(a.predict_proba(X) == b.predict_proba(X));
    CHECK(a.score_samples(X) == b.score_samples(X));
    CHECK(a.impute(X) == X);
    a.fit(X, weights);
    b.fit(X, weights);
    CHECK(same_model(a, b));
    a.partial_fit(X);
    b.partial_fit(X);
    CHECK(same_model(a, b));
  }
}

TEST_CASE("missing values: the observed-data log-likelihood never decreases", "[missing_values]") {
  // EM's guarantee holds for the unregularized M-step (reg_covar = 0, as in
  // test_mixture_contract.cpp); rounding may move a converged bound by a few ulps of the sum.
  const emgmm_test::KnownMixture truth = emgmm_test::three_blobs(3, CovarianceType::full, 0.25);
  const Eigen::MatrixXd X = with_holes(emgmm_test::draw(truth, 400, 5).X, 0.3, 6);
  for (const CovarianceType type : kTypes) {
    INFO("covariance_type " << emgmm::to_string(type));
    auto options = marginalizing<double>(3, type);
    options.reg_covar = 0.0;
    options.tol = 0.0;
    options.max_iter = 60;
    options.init_params = emgmm::InitParams::random;
    std::vector<double> bounds;
    options.callback = [&](const emgmm::IterationInfo& info) {
      bounds.push_back(info.lower_bound);
      return true;
    };
    emgmm::GaussianMixture<double>(options).fit(X);
    REQUIRE(bounds.size() == 60);
    for (std::size_t i = 1; i < bounds.size(); ++i) {
      INFO("iteration " << i + 1 << ": " << bounds[i - 1] << " -> " << bounds[i]);
      CHECK(bounds[i] >= bounds[i - 1] - 1e-12 * std::abs(bounds[i - 1]));
    }
    CHECK(bounds.back() > bounds.front());
  }
}

TEST_CASE("missing values: a row repeated with its holes equals weight 2; weight 0 drops it",
          "[missing_values]") {
  const auto ref = emgmm_test::ReferenceData::load(reference_path("mcar20", CovarianceType::full));
  const Eigen::MatrixXd X = reference_X(ref);
  const Index n = X.rows();
  for (const CovarianceType type : kTypes) {
    INFO("covariance_type " << emgmm::to_string(type));
    const auto typed = emgmm_test::ReferenceData::load(reference_path("mcar20", type));
    const auto options = reference_options(typed, type);
    // Rows 0..9 again at the end, against weight 2 on them.
    Eigen::MatrixXd repeated(n + 10, X.cols());
    repeated << X, X.topRows(10);
    Eigen::VectorXd twice = Eigen::VectorXd::Ones(n);
    twice.head(10).setConstant(2.0);
    emgmm::GaussianMixture<double> a(options), b(options);
    a.fit(repeated);
    b.fit(X, twice);
    CHECK(close(a.weights(), b.weights(), 1e-12));
    CHECK(close(a.means(), b.means(), 1e-12));
    CHECK(close(a.covariances(), b.covariances(), 1e-12));
    CHECK(std::abs(a.lower_bound() - b.lower_bound()) <= 1e-12 * std::abs(b.lower_bound()));
    // Weight 0 on every row with a hole fits the complete rows alone.
    Eigen::VectorXd complete_only(n);
    std::vector<Index> complete_rows;
    for (Index i = 0; i < n; ++i) {
      const bool complete = !X.row(i).hasNaN();
      complete_only(i) = complete ? 1.0 : 0.0;
      if (complete) complete_rows.push_back(i);
    }
    const Eigen::MatrixXd complete_X = X(complete_rows, Eigen::all);
    emgmm::GaussianMixture<double> c(options), d(options);
    c.fit(X, complete_only);
    d.fit(complete_X);
    CHECK(close(c.means(), d.means(), 1e-12));
    CHECK(close(c.covariances(), d.covariances(), 1e-12));
    CHECK(std::abs(c.lower_bound() - d.lower_bound()) <= 1e-12 * std::abs(d.lower_bound()));
  }
}

TEST_CASE("missing values: 20% MCAR holes recover the complete-data fit", "[missing_values]") {
  // Three well separated blobs in 3 features, 2000 points, 20% of the entries removed at
  // random; compared with the fit of the same points without holes. Measured over seeds 1..40
  // (all four covariance types): the largest distance between matched means was 0.094, the
  // largest covariance difference relative to the covariance's largest entry 0.148 (seeds
  // 1..10, run here: 0.079 and 0.081). The bounds, 0.2 and 0.3, are about twice the 40-seed
  // worst, and far below the component spacing (over 18) and the variances (0.5 to 1.5).
  for (const CovarianceType type : kTypes) {
    INFO("covariance_type " << emgmm::to_string(type));
    const emgmm_test::KnownMixture truth = emgmm_test::three_blobs(3, type);
    double worst_mean = 0.0, worst_covariance = 0.0;
    for (std::uint64_t seed = 1; seed <= 10; ++seed) {
      const Eigen::MatrixXd complete = emgmm_test::draw(truth, 2000, seed).X;
      const Eigen::MatrixXd X = with_holes(complete, 0.2, seed + 100);
      emgmm::GaussianMixture<double> a(marginalizing<double>(3, type));
      emgmm::GaussianMixture<double> b(marginalizing<double>(3, type));
      a.fit(X);
      b.fit(complete);
      const std::vector<Index> match = emgmm_test::match_components(a.means(), b.means());
      REQUIRE(match.size() == 3);
      for (Index k = 0; k < 3; ++k) {
        const Index j = match[static_cast<std::size_t>(k)];
        worst_mean = std::max(worst_mean, (a.means().row(k) - b.means().row(j)).norm());
        const Eigen::MatrixXd ca = a.covariance(k), cb = b.covariance(j);
        worst_covariance =
            std::max(worst_covariance, (ca - cb).cwiseAbs().maxCoeff() / cb.cwiseAbs().maxCoeff());
      }
    }
    INFO("largest mean distance " << worst_mean << ", covariance difference " << worst_covariance);
    CHECK(worst_mean < 0.2);
    CHECK(worst_covariance < 0.3);
  }
}

TEST_CASE("missing values: impute() beats column means on held-out entries", "[missing_values]") {
  // Correlated features (full covariances, AR(1) correlations 0.5, -0.3, 0.2) and well separated
  // components: the observed entries of a row tell its component, hence most of the missing
  // entry. Column means know neither.
  const emgmm_test::KnownMixture truth = emgmm_test::three_blobs(3, CovarianceType::full);
  const Eigen::MatrixXd complete = emgmm_test::draw(truth, 1500, 9).X;
  const Eigen::MatrixXd X = with_holes(complete, 0.2, 10);
  emgmm::GaussianMixture<double> model(marginalizing<double>(3, CovarianceType::full));
  model.fit(X.topRows(1000));
  // New data: the last 500 rows, whose holes the fit never saw.
  const Eigen::MatrixXd held_out = X.bottomRows(500);
  const Eigen::MatrixXd imputed = model.impute(held_out);
  double model_error = 0.0, mean_error = 0.0;
  Index count = 0;
  for (Index j = 0; j < X.cols(); ++j) {
    double sum = 0.0;
    Index observed = 0;
    for (Index i = 0; i < 1000; ++i) {
      if (!std::isnan(X(i, j))) {
        sum += X(i, j);
        ++observed;
      }
    }
    const double column_mean = sum / double(observed);
    for (Index i = 0; i < 500; ++i) {
      const double truth_value = complete(1000 + i, j);
      if (std::isnan(held_out(i, j))) {
        model_error += std::pow(imputed(i, j) - truth_value, 2);
        mean_error += std::pow(column_mean - truth_value, 2);
        ++count;
      } else {
        CHECK(imputed(i, j) == held_out(i, j));  // observed entries as they are
      }
    }
  }
  REQUIRE(count > 100);
  INFO("imputation MSE " << model_error / double(count) << ", column means "
                         << mean_error / double(count));
  CHECK(model_error <
        0.5 * mean_error);  // 0.31 here: rows with one observed feature can be ambiguous
  CHECK(imputed.allFinite());
}

TEMPLATE_TEST_CASE("missing values: float and double models fit the same mixture",
                   "[missing_values]", float, double) {
  using Scalar = TestType;
  const emgmm_test::KnownMixture truth = emgmm_test::three_blobs(3, CovarianceType::full);
  const Eigen::MatrixXd X = with_holes(emgmm_test::draw(truth, 600, 12).X, 0.2, 13);
  for (const CovarianceType type : kTypes) {
    INFO("covariance_type " << emgmm::to_string(type));
    emgmm::GaussianMixture<Scalar> model(marginalizing<Scalar>(3, type));
    emgmm::GaussianMixture<double> reference(marginalizing<double>(3, type));
    const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> Xs = X.template cast<Scalar>();
    model.fit(Xs);
    reference.fit(X);
    const std::vector<Index> match =
        emgmm_test::match_components(model.means().template cast<double>(), reference.means());
    REQUIRE(match.size() == 3);
    // float: the fits agree to what float's rounding over a few EM iterations allows.
    const double tolerance = std::is_same<Scalar, float>::value ? 1e-3 : 0.0;
    for (Index k = 0; k < 3; ++k) {
      const Index j = match[static_cast<std::size_t>(k)];
      CHECK(close(model.means().row(k), reference.means().row(j), tolerance));
    }
    const auto proba = model.predict_proba(Xs);
    CHECK(proba.allFinite());
    CHECK(close(proba.rowwise().sum(), Eigen::VectorXd::Ones(X.rows()), 1e-5));
    CHECK(model.impute(Xs).allFinite());
  }
}

TEST_CASE("missing values: bit-identical fits with 1, 2 and 3 threads",
          "[missing_values][threads]") {
  // Enough rows for several chunks of complete rows and of patterns.
  Eigen::MatrixXd complete(6000, 5);
  emgmm_test::NormalSource source(21);
  for (Index i = 0; i < complete.rows(); ++i) {
    for (Index j = 0; j < complete.cols(); ++j)
      complete(i, j) = source.normal() + 4.0 * double(i % 3);
  }
  const Eigen::MatrixXd X = with_holes(complete, 0.2, 22);
  for (const CovarianceType type : kTypes) {
    INFO("covariance_type " << emgmm::to_string(type));
    auto options = marginalizing<double>(3, type);
    options.max_iter = 10;
    options.reseed_collapsed_components = true;
    std::vector<emgmm::GaussianMixture<double>> models;
    std::vector<Eigen::MatrixXd> probas;
    for (const int threads : {1, 2, 3}) {
#ifdef _OPENMP
      const int previous = omp_get_max_threads();
      omp_set_num_threads(threads);
#else
      (void)threads;
#endif
      models.emplace_back(options);
      models.back().fit(X);
      probas.push_back(models.back().predict_proba(X));
#ifdef _OPENMP
      omp_set_num_threads(previous);
#endif
    }
    CHECK(same_model(models[0], models[1]));
    CHECK(same_model(models[0], models[2]));
    CHECK(probas[0] == probas[1]);
    CHECK(probas[0] == probas[2]);
  }
}

TEST_CASE("missing values: expectation/maximization and partial_fit take holes",
          "[missing_values]") {
  const auto ref = emgmm_test::ReferenceData::load(reference_path("mcar20", CovarianceType::full));
  const Eigen::MatrixXd X = reference_X(ref);
  for (const CovarianceType type : kTypes) {
    INFO("covariance_type " << emgmm::to_string(type));
    const auto typed = emgmm_test::ReferenceData::load(reference_path("mcar20", type));
    auto options = reference_options(typed, type);
    options.max_iter = 0;  // the start itself
    emgmm::GaussianMixture<double> start(options);
    start.fit(X);
    // Statistics of two shards add up to those of all rows; their M-step is fit's iteration.
    emgmm::SufficientStatistics stats = start.expectation(X.topRows(70));
    stats += start.expectation(X.bottomRows(X.rows() - 70));
    const emgmm::SufficientStatistics whole = start.expectation(X);
    CHECK(close(stats.scatter, whole.scatter, 1e-12));
    CHECK(std::abs(stats.log_likelihood - whole.log_likelihood) <=
          1e-12 * std::abs(whole.log_likelihood));
    emgmm::GaussianMixture<double> stepped = start;
    stepped.maximization(stats);
    options.max_iter = 1;
    emgmm::GaussianMixture<double> fitted(options);
    fitted.fit(X);
    CHECK(close(stepped.means(), fitted.means(), 1e-12));
    CHECK(close(stepped.covariances(), fitted.covariances(), 1e-12));
    CHECK(std::abs(stepped.lower_bound() - fitted.lower_bound()) <= 1e-12);
    // Stepwise EM over chunks with holes.
    emgmm::GaussianMixture<double> online(marginalizing<double>(3, type));
    for (Index start_row = 0; start_row < X.rows(); start_row += 50) {
      online.partial_fit(X.middleRows(start_row, 50));
    }
    CHECK(online.n_iter() == 3);
    CHECK(std::isfinite(online.lower_bound()));
    CHECK(online.score_samples(X).allFinite());
  }
}

TEST_CASE("missing values: save and load keep the option and the model", "[missing_values]") {
  const auto ref = emgmm_test::ReferenceData::load(reference_path("mcar20", CovarianceType::full));
  const Eigen::MatrixXd X = reference_X(ref);
  emgmm::GaussianMixture<double> model(marginalizing<double>(3, CovarianceType::full));
  model.fit(X);
  std::stringstream text;
  model.save(text);
  emgmm::GaussianMixture<double> loaded = emgmm::GaussianMixture<double>::load(text);
  CHECK(same_model(model, loaded));
  CHECK(loaded.get_params().missing_values == MissingValues::marginalize);
  CHECK(loaded.score_samples(X) == model.score_samples(X));
  CHECK(loaded.predict(X) == model.predict(X));
  CHECK(loaded.impute(X) == model.impute(X));
}

TEST_CASE("missing values: hostile input", "[missing_values]") {
  const emgmm_test::KnownMixture truth = emgmm_test::three_blobs(3, CovarianceType::full);
  const Eigen::MatrixXd complete = emgmm_test::draw(truth, 240, 31).X;
  const auto message_of = [](auto&& call) {
    try {
      call();
    } catch (const emgmm::InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("no exception");
  };

  SECTION("NaN in every pattern, rows entirely missing among them") {
    Eigen::MatrixXd X = complete;
    for (Index i = 0; i < X.rows(); ++i) {
      for (Index j = 0; j < 3; ++j) {
        if ((i % 8) & (Index{1} << j)) X(i, j) = kNaN;  // pattern i % 8; 7: all missing
      }
    }
    for (const CovarianceType type : kTypes) {
      INFO("covariance_type " << emgmm::to_string(type));
      emgmm::GaussianMixture<double> model(marginalizing<double>(3, type));
      const Eigen::VectorXi labels = model.fit_predict(X);
      CHECK(labels == model.predict(X));
      const Eigen::MatrixXd proba = model.predict_proba(X);
      const Eigen::VectorXd scores = model.score_samples(X);
      Index heaviest = 0;
      model.weights().maxCoeff(&heaviest);
      for (Index i = 0; i < X.rows(); ++i) {
        CHECK(std::abs(proba.row(i).sum() - 1.0) <= 1e-12);
        if (i % 8 == 7) {  // no observed entry: the prior, log 1, the mixture's mean
          CHECK(proba.row(i) == model.weights().transpose());
          CHECK(scores(i) == 0.0);
          CHECK(labels(i) == heaviest);
        } else {
          CHECK(std::isfinite(scores(i)));
        }
      }
      // Rows entirely missing take no part in the fit: dropping them changes nothing.
      std::vector<Index> informative;
      for (Index i = 0; i < X.rows(); ++i) {
        if (i % 8 != 7) informative.push_back(i);
      }
      auto options = marginalizing<double>(3, type);
      options.weights_init = model.weights();
      options.means_init = model.means();
      options.precisions_init = model.precisions();
      options.max_iter = 5;
      emgmm::GaussianMixture<double> a(options), b(options);
      a.fit(X);
      b.fit(Eigen::MatrixXd(X(informative, Eigen::all)));
      CHECK(a.means() == b.means());
      CHECK(a.lower_bound() == b.lower_bound());
      const Eigen::MatrixXd imputed = model.impute(X);
      CHECK(imputed.allFinite());
      const Eigen::RowVectorXd mixture_mean = model.weights().transpose() * model.means();
      CHECK(close(imputed.row(7), mixture_mean, 1e-12));
    }
  }

  SECTION("a column entirely missing") {
    Eigen::MatrixXd X = complete;
    X.col(1).setConstant(kNaN);
    emgmm::GaussianMixture<double> model(marginalizing<double>(3, CovarianceType::full));
    const std::string message = message_of([&] { model.fit(X); });
    CHECK(message.find("GaussianMixture::fit: column 1 of X has no observed entry") == 0);
    CHECK(message.find("means_init") != std::string::npos);
    CHECK_FALSE(model.is_fitted());
    // With a given start the fit is defined (the column's parameters follow its correlations).
    model.fit(complete);
    auto options = marginalizing<double>(3, CovarianceType::full);
    options.weights_init = model.weights();
    options.means_init = model.means();
    options.precisions_init = model.precisions();
    emgmm::GaussianMixture<double> started(options);
    started.fit(X);
    CHECK(started.means().allFinite());
    // And a fitted model's predictions and imputation on such data are defined.
    CHECK(model.impute(X).allFinite());
    CHECK(model.score_samples(X).allFinite());
  }

  SECTION("every row entirely missing, or fewer informative rows than components") {
    Eigen::MatrixXd X = Eigen::MatrixXd::Constant(10, 3, kNaN);
    emgmm::GaussianMixture<double> model(marginalizing<double>(3, CovarianceType::diag));
    CHECK(message_of([&] { model.fit(X); }).find("nothing to fit") != std::string::npos);
    X(0, 0) = 1.0;
    X(1, 1) = 2.0;
    X(1, 2) = 3.0;
    CHECK(message_of([&] { model.fit(X); }).find("only 2 rows have an observed entry") !=
          std::string::npos);
  }

  SECTION("missing entries in rows of weight 0, and K above the number of complete rows") {
    Eigen::MatrixXd X = with_holes(complete, 0.5, 33);  // about 30 complete rows of 240
    Index n_complete = 0;
    for (Index i = 0; i < X.rows(); ++i) n_complete += X.row(i).hasNaN() ? 0 : 1;
    REQUIRE(n_complete < 40);
    emgmm::GaussianMixture<double> model(marginalizing<double>(40, CovarianceType::diag));
    model.fit(X);  // 40 components, fewer complete rows: the start uses the filled rows
    CHECK(model.means().allFinite());
    Eigen::VectorXd weights = Eigen::VectorXd::Ones(X.rows());
    for (Index i = 0; i < X.rows(); i += 2) weights(i) = 0.0;
    emgmm::GaussianMixture<double> weighted(marginalizing<double>(3, CovarianceType::full));
    weighted.fit(X, weights);
    CHECK(weighted.score_samples(X).allFinite());
  }

  SECTION("a float model's conditional mean beyond the largest float is an error, not inf") {
    // x2 = 2 x1 + noise: given x1 = 3e38 (a float), E[x2 | x1] is about 6e38, finite in the
    // double the pass computes in but not in float. Found by the fuzzer (impute returned inf).
    Eigen::MatrixXf X(200, 2);
    std::mt19937_64 engine(35);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (Index i = 0; i < X.rows(); ++i) {
      X(i, 0) = normal(engine);
      X(i, 1) = 2.0f * X(i, 0) + 0.01f * normal(engine);
    }
    emgmm::GaussianMixture<float> model(marginalizing<float>(1, CovarianceType::full));
    model.fit(X);
    Eigen::MatrixXf query(2, 2);
    query << 3e38f, std::numeric_limits<float>::quiet_NaN(), 1.0f,
        std::numeric_limits<float>::quiet_NaN();
    std::string message = "no exception";
    try {
      model.impute(query);
    } catch (const emgmm::NumericalError& e) {
      message = e.what();
    }
    CHECK(message.find("GaussianMixture::impute: the conditional mean of X(0, 1)") == 0);
    // A row whose conditional mean fits is imputed as before.
    const Eigen::MatrixXf fitting = model.impute(query.bottomRows(1));
    CHECK(std::isfinite(fitting(0, 1)));
    CHECK(std::abs(fitting(0, 1) - 2.0f) < 0.1f);
  }

  SECTION("infinity is still an error, NaN without the option too, and elsewhere") {
    Eigen::MatrixXd X = with_holes(complete, 0.1, 34);
    X(5, 2) = std::numeric_limits<double>::infinity();
    emgmm::GaussianMixture<double> model(marginalizing<double>(3, CovarianceType::full));
    CHECK(message_of([&] { model.fit(X); }) ==
          "GaussianMixture::fit: X(5, 2) = inf; X must not contain infinity (NaN marks a "
          "missing entry).");
    X(5, 2) = 0.0;
    emgmm::GaussianMixture<double> plain(3);
    CHECK(message_of([&] { plain.fit(X); })
              .find("set missing_values = "
                    "MissingValues::marginalize") != std::string::npos);
    plain.fit(complete);
    CHECK(message_of([&] { plain.predict(X); }).find("GaussianMixture::predict: X(") == 0);
    X(6, 0) = -std::numeric_limits<double>::infinity();
    CHECK(message_of([&] { plain.impute(X); }).find("must not contain infinity") !=
          std::string::npos);
    X(6, 0) = 0.0;
    emgmm::BayesianGaussianMixture<double> bayesian(3);
    CHECK(message_of([&] { bayesian.fit(X); }).find("must not contain NaN") != std::string::npos);
    emgmm::KMeans<double> kmeans(3);
    CHECK(message_of([&] { kmeans.fit(X); }).find("must not contain NaN") != std::string::npos);
    auto bad = marginalizing<double>(3, CovarianceType::full);
    bad.missing_values = static_cast<MissingValues>(7);
    emgmm::GaussianMixture<double> invalid(bad);
    CHECK(message_of([&] { invalid.fit(complete); }).find("missing_values = 7") !=
          std::string::npos);
  }
}

TEST_CASE("missing values: a block that is not positive definite is named with the caller",
          "[missing_values]") {
  // Not reachable through a validated model: the E-step's own guard, called directly on a
  // covariance whose features 0 and 1 are perfectly correlated (singular).
  emgmm::detail::MixtureParameters<double, Eigen::Dynamic> params;
  params.covariance_type = CovarianceType::full;
  params.weights = Eigen::VectorXd::Ones(1);
  params.means = Eigen::MatrixXd::Zero(1, 5);
  params.covariances = Eigen::MatrixXd::Identity(5, 5);
  params.covariances(0, 1) = params.covariances(1, 0) = 1.0;
  const auto message_of = [&](const Eigen::MatrixXd& X, const char* where) {
    const emgmm::detail::RowSource<double, Eigen::Dynamic> rows(X);
    const emgmm::detail::MissingLayout<double, Eigen::Dynamic> layout(rows);
    try {
      emgmm::detail::missing_expectation(layout, params, where);
    } catch (const emgmm::NumericalError& e) {
      return std::string(e.what());
    }
    return std::string("no exception");
  };
  // Features 2, 3, 4 missing (more than observed): the covariance side factors S_oo, the
  // singular 2 x 2 block of features 0 and 1.
  Eigen::MatrixXd X = Eigen::MatrixXd::Ones(2, 5);
  X.rightCols(3).setConstant(kNaN);
  CHECK(message_of(X, "GaussianMixture::fit") ==
        "GaussianMixture::fit: the covariance of component 0 restricted to the 2 observed "
        "features of a row is not numerically positive definite (a nearly singular "
        "covariance); increase reg_covar or rescale the data.");
  // One feature missing: the precision side factors the whole covariance first.
  X = Eigen::MatrixXd::Ones(2, 5);
  X.col(4).setConstant(kNaN);
  CHECK(message_of(X, "GaussianMixture::expectation") ==
        "GaussianMixture::expectation: the covariance of component 0 (all features) is not "
        "numerically positive definite (a nearly singular covariance); increase reg_covar or "
        "rescale the data.");
}
