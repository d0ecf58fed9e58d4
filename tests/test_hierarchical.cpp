// mclust's hierarchical initialization (hierarchical.hpp): the merge sequence of
// hc(X, modelName = "VVV", use = "SVD") and the hclass partitions for G = 1..9, exactly as
// mclust 6.0.0 computes them (tests/reference/mclust_select_reference.R), on iris and faithful
// (both with duplicated points, whose equal merge costs exercise the tie rule) and a synthetic
// set; and the errors.

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <emgmm/emgmm.hpp>

#include "catch.hpp"
#include "reference_data.hpp"

using emgmm_test::reference_path;
using emgmm_test::ReferenceData;

TEST_CASE("hierarchical_merges: the merges and partitions of mclust's hc(VVV, SVD)",
          "[hierarchical][mclust][parity]") {
  const std::string dataset = GENERATE(as<std::string>{}, "iris", "faithful", "synthetic");
  INFO(dataset);
  const ReferenceData ref =
      ReferenceData::load(reference_path("mclust_select_" + dataset + ".txt"));
  const Eigen::MatrixXd& X = ref.matrix("X");
  const Eigen::MatrixXd& expected = ref.matrix("hc_merges");
  const emgmm::HierarchicalMerges merges = emgmm::hierarchical_merges(X);
  REQUIRE(merges.n_samples == X.rows());
  REQUIRE(static_cast<Eigen::Index>(merges.pairs.size()) == expected.rows());
  Eigen::Index first_difference = -1;
  for (Eigen::Index s = 0; s < expected.rows(); ++s) {
    const auto& pair = merges.pairs[static_cast<std::size_t>(s)];
    if (double(pair[0]) != expected(s, 0) || double(pair[1]) != expected(s, 1)) {
      first_difference = s;
      UNSCOPED_INFO("merge " << s << ": emgmm (" << pair[0] << ", " << pair[1] << "), mclust ("
                             << expected(s, 0) << ", " << expected(s, 1) << ")");
      break;
    }
  }
  CHECK(first_difference == -1);

  const Eigen::MatrixXd& partitions = ref.matrix("hc_partitions");
  for (int G = 1; G <= 9; ++G) {
    INFO("G = " << G);
    const std::vector<int> partition = emgmm::hierarchical_partition(merges, G);
    REQUIRE(static_cast<Eigen::Index>(partition.size()) == X.rows());
    int mismatches = 0;
    for (Eigen::Index i = 0; i < X.rows(); ++i) {
      mismatches += double(partition[static_cast<std::size_t>(i)]) != partitions(i, G - 1);
    }
    CHECK(mismatches == 0);
    CHECK(std::set<int>(partition.begin(), partition.end()).size() == std::size_t(G));
  }
  // The convenience overload is the same cut of the same tree.
  CHECK(emgmm::hierarchical_partition(X, 3) == emgmm::hierarchical_partition(merges, 3));
}

TEST_CASE("hierarchical_merges: the order of the columns does not matter; float input is widened",
          "[hierarchical]") {
  const ReferenceData ref = ReferenceData::load(reference_path("mclust_select_iris.txt"));
  const Eigen::MatrixXd& X = ref.matrix("X");
  const std::vector<int> partition = emgmm::hierarchical_partition(X, 3);
  const Eigen::MatrixXd reversed = X.rowwise().reverse();
  CHECK(emgmm::hierarchical_partition(reversed, 3) == partition);
  // float input is read exactly and clustered in double precision.
  const Eigen::MatrixXf Xf = X.cast<float>();
  const Eigen::MatrixXd widened = Xf.cast<double>();
  CHECK(emgmm::hierarchical_merges(Xf).pairs == emgmm::hierarchical_merges(widened).pairs);
}

TEST_CASE("hierarchical_merges and hierarchical_partition: invalid input is a typed error",
          "[hierarchical][errors]") {
  using emgmm::InvalidArgument;
  using emgmm_test::message_contains;
  const Eigen::MatrixXd one = Eigen::MatrixXd::Ones(1, 2);
  CHECK_THROWS_AS(emgmm::hierarchical_merges(one), InvalidArgument);
  Eigen::MatrixXd bad = Eigen::MatrixXd::Random(10, 2);
  bad(3, 1) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(emgmm::hierarchical_merges(bad),
                    message_contains("hierarchical_merges") && message_contains("X(3, 1)"));
  const Eigen::MatrixXd constant = Eigen::MatrixXd::Constant(10, 2, 4.0);
  CHECK_THROWS_WITH(emgmm::hierarchical_merges(constant), message_contains("constant"));
  Eigen::MatrixXd dependent = Eigen::MatrixXd::Random(10, 3);
  dependent.col(2) = dependent.col(0) + 2.0 * dependent.col(1);
  CHECK_THROWS_WITH(emgmm::hierarchical_merges(dependent), message_contains("linearly dependent"));
  const Eigen::MatrixXd big = Eigen::MatrixXd::Zero(10001, 2);
  CHECK_THROWS_WITH(emgmm::hierarchical_merges(big), message_contains("hierarchical_merges") &&
                                                         message_contains("10001") &&
                                                         message_contains("subset"));

  const emgmm::HierarchicalMerges merges =
      emgmm::hierarchical_merges(Eigen::MatrixXd::Random(12, 2));
  CHECK_THROWS_WITH(emgmm::hierarchical_partition(merges, 0),
                    message_contains("hierarchical_partition") && message_contains("n_groups = 0"));
  CHECK_THROWS_AS(emgmm::hierarchical_partition(merges, 13), InvalidArgument);
  emgmm::HierarchicalMerges broken = merges;
  broken.pairs[1] = broken.pairs[0];
  CHECK_THROWS_WITH(emgmm::hierarchical_partition(broken, 2), message_contains("merge 1"));
}
