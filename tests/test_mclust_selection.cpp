// Model selection as R's Mclust() (select_mclust_model in model_selection.hpp): the BIC table
// over the fourteen models x G = 1..9, each fit started from mclust's hierarchical clustering,
// against mclustBIC(X) and Mclust(X) of mclust 6.0.0 on iris and faithful
// (tests/reference/mclust_select_reference.R): the same cells NA (a singular covariance), the
// others within 1e-6 relative, the same best model and G.

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <emgmm/emgmm.hpp>

#include "catch.hpp"
#include "reference_data.hpp"

using emgmm::ModelName;
using emgmm_test::reference_path;
using emgmm_test::ReferenceData;

TEST_CASE("select_mclust_model: the BIC table and best model of mclust's Mclust()",
          "[mclust][model_selection][parity]") {
  const std::string dataset = GENERATE(as<std::string>{}, "iris", "faithful");
  INFO(dataset);
  const ReferenceData ref =
      ReferenceData::load(reference_path("mclust_select_" + dataset + ".txt"));
  const Eigen::MatrixXd& X = ref.matrix("X");
  const Eigen::MatrixXd& bic = ref.matrix("bic");
  const Eigen::MatrixXd& na = ref.matrix("bic_na");
  const auto selection = emgmm::select_mclust_model(X);
  REQUIRE(selection.table.size() == 9 * 14);
  std::size_t row = 0;
  double worst = 0.0;
  int na_cells = 0;
  for (int m = 0; m < 14; ++m) {
    for (int G = 1; G <= 9; ++G, ++row) {
      const emgmm::ModelSelectionRow& cell = selection.table[row];
      INFO(emgmm::to_string(emgmm::kModelNames[m]) << " G = " << G << ": " << cell.error);
      REQUIRE(cell.model_name == emgmm::kModelNames[m]);
      REQUIRE(cell.n_components == G);
      if (na(G - 1, m) != 0.0) {
        ++na_cells;
        CHECK_FALSE(cell.fitted());
        CHECK(std::isnan(cell.mclust_bic()));
        continue;
      }
      REQUIRE(cell.fitted());
      const double expected = bic(G - 1, m);
      const double error = std::abs(cell.mclust_bic() - expected) / std::abs(expected);
      CHECK(error <= 1e-6);
      worst = std::max(worst, error);
    }
  }
  CHECK(na_cells == int(na.sum()));
  WARN(dataset << ": worst relative BIC difference " << worst << ", " << na_cells << " NA cells");
  const Eigen::MatrixXd& best = ref.matrix("best");
  CHECK(selection.best_row().model_name == emgmm::kModelNames[int(best(0, 0))]);
  CHECK(selection.best_row().n_components == int(best(0, 1)));
  CHECK(std::abs(selection.best.mclust_bic(X) - ref.scalar("best_bic")) <=
        1e-6 * std::abs(ref.scalar("best_bic")));
}

TEST_CASE("select_mclust_model: the best row is the fit from its hierarchical partition",
          "[mclust][model_selection]") {
  const ReferenceData ref = ReferenceData::load(reference_path("mclust_select_faithful.txt"));
  const Eigen::MatrixXd& X = ref.matrix("X");
  const auto selection = emgmm::select_mclust_model(X, {2, 3, 4}, {ModelName::VVV, ModelName::EEE});
  REQUIRE(selection.table.size() == 6);
  CHECK(selection.table[0].model_name == ModelName::VVV);
  CHECK(selection.table[5].model_name == ModelName::EEE);
  CHECK(selection.table[5].n_components == 4);
  const emgmm::ModelSelectionRow& best = selection.best_row();
  for (const auto& row : selection.table) CHECK(row.mclust_bic() <= best.mclust_bic());

  // The same fit by hand: mclust's EM options, the hierarchical partition as resp_init.
  emgmm::GaussianMixtureOptions<double> o = emgmm::mclust_em_options<double>();
  o.n_components = best.n_components;
  o.model_name = best.model_name;
  const std::vector<int> partition = emgmm::hierarchical_partition(X, best.n_components);
  Eigen::MatrixXd z = Eigen::MatrixXd::Zero(X.rows(), best.n_components);
  for (Eigen::Index i = 0; i < X.rows(); ++i) z(i, partition[std::size_t(i)]) = 1.0;
  o.resp_init = z;
  emgmm::GaussianMixture<double> gm(o);
  gm.fit(X);
  CHECK(gm.mclust_bic(X) == best.mclust_bic());
  CHECK(selection.best.mclust_bic(X) == best.mclust_bic());
  CHECK(gm.n_iter() == best.n_iter);
}

TEST_CASE("select_mclust_model: a float sweep picks mclust's model on faithful",
          "[mclust][model_selection][float]") {
  const ReferenceData ref = ReferenceData::load(reference_path("mclust_select_faithful.txt"));
  const Eigen::MatrixXf X = ref.matrix("X").cast<float>();
  const auto selection =
      emgmm::select_mclust_model<float>(X, {2, 3, 4}, {ModelName::EEE, ModelName::VVV});
  CHECK(selection.best_row().model_name == ModelName::EEE);
  CHECK(selection.best_row().n_components == 3);
  // float's EM stops within its precision: the BIC agrees with mclust's double to 1e-4.
  CHECK(std::abs(selection.best_row().mclust_bic() - ref.scalar("best_bic")) <=
        1e-4 * std::abs(ref.scalar("best_bic")));
}

TEST_CASE("select_mclust_model: invalid input is a typed error",
          "[mclust][model_selection][errors]") {
  using emgmm::InvalidArgument;
  using emgmm_test::message_contains;
  const ReferenceData ref = ReferenceData::load(reference_path("mclust_select_faithful.txt"));
  const Eigen::MatrixXd& X = ref.matrix("X");
  CHECK_THROWS_WITH(
      emgmm::select_mclust_model(X, {}),
      message_contains("select_mclust_model") && message_contains("n_components is empty"));
  CHECK_THROWS_WITH(emgmm::select_mclust_model(X, {1, 273}),
                    message_contains("n_components[1] = 273"));
  CHECK_THROWS_WITH(emgmm::select_mclust_model(X, {2}, {}), message_contains("models is empty"));
  CHECK_THROWS_WITH(emgmm::select_mclust_model(X, {2}, {ModelName::EEE, ModelName::EEE}),
                    message_contains("'EEE' twice"));
  CHECK_THROWS_WITH(emgmm::select_mclust_model(X, {2}, {static_cast<ModelName>(14)}),
                    message_contains("models[0] = 14"));
  emgmm::GaussianMixtureOptions<double> o = emgmm::mclust_em_options<double>();
  o.resp_init = Eigen::MatrixXd::Ones(X.rows(), 1);
  CHECK_THROWS_WITH(emgmm::select_mclust_model(X, {1}, {ModelName::VVV}, o),
                    message_contains("resp_init"));
  o = emgmm::mclust_em_options<double>();
  o.covariance_type = emgmm::CovarianceType::tied;
  CHECK_THROWS_AS(emgmm::select_mclust_model(X, {1}, {ModelName::VVV}, o), InvalidArgument);
  o = emgmm::mclust_em_options<double>();
  o.tol = -1.0;
  CHECK_THROWS_AS(emgmm::select_mclust_model(X, {1}, {ModelName::VVV}, o), InvalidArgument);
  Eigen::MatrixXd bad = X;
  bad(4, 0) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(emgmm::select_mclust_model(bad), message_contains("X(4, 0)"));
}
