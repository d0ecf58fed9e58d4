// Choosing the number of components (model_selection.hpp): the table has one row per
// candidate, each row is what fitting that candidate separately gives, the best is the argmin
// of the criterion, BIC finds the number of well separated clusters, and bad requests throw
// InvalidArgument naming the parameter.

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <emgmm/emgmm.hpp>

#include "catch.hpp"
#include "fixed_models.hpp"
#include "synthetic_data.hpp"

namespace {

using emgmm::CovarianceType;
using emgmm::Criterion;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

template <typename F>
std::string invalid_argument_message(F&& f) {
  try {
    f();
  } catch (const emgmm::InvalidArgument& error) {
    return error.what();
  }
  return "(nothing thrown)";
}

}  // namespace

TEMPLATE_TEST_CASE("model selection: every row is the separately fitted candidate",
                   "[model_selection]", float, double) {
  using Scalar = TestType;
  const Eigen::MatrixXd X =
      emgmm_test::draw(emgmm_test::three_blobs(2, CovarianceType::diag), 240, 21).X;
  emgmm::GaussianMixtureOptions<Scalar> base;
  base.random_state = 5;
  base.n_init = 2;
  base.tol = 1e-4;
  const std::vector<int> candidates = {4, 1, 2, 3};
  const std::vector<CovarianceType> types = {CovarianceType::spherical, CovarianceType::full};
  for (const Criterion criterion : {Criterion::bic, Criterion::aic}) {
    INFO("criterion " << emgmm::to_string(criterion));
    const auto result = emgmm::select_gaussian_mixture(X, candidates, types, criterion, base);
    REQUIRE(result.table.size() == candidates.size() * types.size());
    CHECK(result.criterion == criterion);
    std::size_t argmin = 0;
    for (std::size_t t = 0; t < types.size(); ++t) {
      for (std::size_t i = 0; i < candidates.size(); ++i) {
        const std::size_t r = t * candidates.size() + i;
        const emgmm::ModelSelectionRow& row = result.table[r];
        INFO("row " << r);
        CHECK(row.n_components == candidates[i]);
        CHECK(row.covariance_type == types[t]);
        CHECK(row.fitted());
        emgmm::GaussianMixtureOptions<Scalar> options = base;
        options.n_components = candidates[i];
        options.covariance_type = types[t];
        emgmm::GaussianMixture<Scalar> alone(options);
        alone.fit(X);
        CHECK(row.bic == alone.bic(X));
        CHECK(row.aic == alone.aic(X));
        CHECK(row.lower_bound == alone.lower_bound());
        CHECK(row.converged == alone.converged());
        CHECK(row.n_iter == alone.n_iter());
        CHECK(row.n_parameters == alone.n_parameters());
        if (row.value(criterion) < result.table[argmin].value(criterion)) argmin = r;
        if (r == result.best_index) {
          // The returned model is that fit.
          CHECK(result.best.means() == alone.means());
          CHECK(result.best.covariances() == alone.covariances());
          CHECK(result.best.weights() == alone.weights());
        }
      }
    }
    CHECK(result.best_index == argmin);
    CHECK(&result.best_row() == &result.table[argmin]);
    CHECK(result.best.n_components() == result.table[argmin].n_components);
    CHECK(result.best.covariance_type() == result.table[argmin].covariance_type);
    CHECK(result.best.bic(X) == result.table[argmin].bic);
  }
}

TEMPLATE_TEST_CASE("model selection: BIC finds three well separated blobs", "[model_selection]",
                   float, double) {
  using Scalar = TestType;
  for (const CovarianceType type :
       {CovarianceType::full, CovarianceType::diag, CovarianceType::spherical}) {
    INFO("data and model of covariance_type " << emgmm::to_string(type));
    const emgmm_test::LabelledData data =
        emgmm_test::draw(emgmm_test::three_blobs(3, type), 300, 77);
    emgmm::GaussianMixtureOptions<Scalar> base;
    base.random_state = 0;
    base.n_init = 3;
    const auto result =
        emgmm::select_gaussian_mixture(data.X, {1, 2, 3, 4, 5, 6}, {type}, Criterion::bic, base);
    CHECK(result.best_row().n_components == 3);
    CHECK(result.best.n_components() == 3);
    // The BIC falls until K = 3 and rises after it (each extra component only adds parameters).
    for (std::size_t i = 0; i + 1 < result.table.size(); ++i) {
      if (i < 2) CHECK(result.table[i + 1].bic < result.table[i].bic);
      if (i >= 2) CHECK(result.table[i + 1].bic > result.table[2].bic);
    }
    // The recovered means are the true ones (the blobs are at least 18 apart; 1 is generous).
    const auto match = emgmm_test::match_components(result.best.means().template cast<double>(),
                                                    emgmm_test::three_blobs(3, type).means);
    REQUIRE(match.size() == 3);
  }
}

TEST_CASE("model selection: a candidate that breaks down is reported, not fatal",
          "[model_selection]") {
  // Three distinct points, four copies each: four components with reg_covar = 0 collapse one
  // covariance onto a single point.
  Eigen::MatrixXd X(12, 2);
  for (int i = 0; i < 12; ++i)
    X.row(i) = (i % 3 == 0   ? Eigen::RowVector2d(0, 0)
                : i % 3 == 1 ? Eigen::RowVector2d(5, 1)
                             : Eigen::RowVector2d(2, 7));
  emgmm::GaussianMixtureOptions<double> base;
  base.reg_covar = 0.0;
  base.random_state = 3;
  emgmm::GaussianMixtureOptions<double> four = base;
  four.n_components = 4;
  REQUIRE_THROWS_AS(emgmm::GaussianMixture<double>(four).fit(X), emgmm::NumericalError);
  const auto result =
      emgmm::select_gaussian_mixture(X, {1, 4}, {CovarianceType::full}, Criterion::bic, base);
  REQUIRE(result.table.size() == 2);
  CHECK(result.table[0].fitted());
  CHECK(!result.table[1].fitted());
  CHECK(contains(result.table[1].error, "ill-defined empirical covariance"));
  CHECK(result.table[1].bic == std::numeric_limits<double>::infinity());
  CHECK(result.best_index == 0);
  // When every candidate breaks down, the sweep does too.
  CHECK_THROWS_AS(
      emgmm::select_gaussian_mixture(X, {4}, {CovarianceType::full}, Criterion::bic, base),
      emgmm::NumericalError);
}

TEST_CASE("model selection: invalid requests", "[model_selection]") {
  const Eigen::MatrixXd X =
      emgmm_test::draw(emgmm_test::three_blobs(2, CovarianceType::full), 20, 1).X;
  const auto message = [&](std::vector<int> ks,
                           std::vector<CovarianceType> types = {CovarianceType::full},
                           emgmm::GaussianMixtureOptions<double> base = {}) {
    return invalid_argument_message(
        [&] { emgmm::select_gaussian_mixture(X, ks, types, Criterion::bic, base); });
  };
  CHECK(contains(message({}), "select_gaussian_mixture: n_components is empty"));
  CHECK(contains(message({1, 0}), "n_components[1] = 0; every candidate must be >= 1"));
  CHECK(contains(message({-2}), "n_components[0] = -2"));
  CHECK(contains(message({2, 21}), "n_components[1] = 21 but X has only 20 rows"));
  CHECK(contains(message({2, 3, 2}), "n_components lists 2 twice"));
  CHECK(contains(message({2}, {}), "covariance_types is empty"));
  CHECK(contains(message({2}, {CovarianceType::diag, CovarianceType::diag}),
                 "covariance_types lists 'diag' twice"));
  CHECK(contains(message({2}, {static_cast<CovarianceType>(9)}),
                 "covariance_types[0] = 9 is not one of"));
  emgmm::GaussianMixtureOptions<double> with_means;
  with_means.means_init = Eigen::MatrixXd::Zero(2, 2);
  CHECK(contains(message({2}, {CovarianceType::full}, with_means),
                 "the base options set means_init"));
  emgmm::GaussianMixtureOptions<double> bad_tol;
  bad_tol.tol = -1;
  CHECK(contains(message({2}, {CovarianceType::full}, bad_tol), "tol = -1"));
  CHECK(contains(invalid_argument_message([&] {
                   emgmm::select_gaussian_mixture(X, {2}, {CovarianceType::full},
                                                  static_cast<Criterion>(5));
                 }),
                 "criterion = 5"));
  Eigen::MatrixXd with_nan = X;
  with_nan(3, 1) = std::nan("");
  CHECK(contains(invalid_argument_message([&] { emgmm::select_gaussian_mixture(with_nan, {2}); }),
                 "select_gaussian_mixture: X(3, 1) = nan"));
  // Fixed Dim: a matrix of another width (Dim = 4, a model the tests compile once:
  // fixed_models.hpp).
  CHECK(
      contains(invalid_argument_message([&] { emgmm::select_gaussian_mixture<double, 4>(X, {2}); }),
               "Dim = 4"));
}
