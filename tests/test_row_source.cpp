// detail::RowSource, the one view of the user's X that every pass reads: whatever the layout,
// strides and scalar type of X, the rows it hands out hold exactly X's values in the model's
// Scalar, and a model fitted on any layout is the same to the last bit.

#include <emgmm/emgmm.hpp>

#include <algorithm>

#include "catch.hpp"

#include <Eigen/Core>

namespace {

using Eigen::Index;
template <typename Scalar>
using RowMajor = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Every block of `rows` rows that RowSource gives of X (load and view) equals the same rows of
/// `expected` exactly.
template <typename Scalar, typename Input>
void check_blocks(const Input& X,
                  const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& expected,
                  Index rows) {
  const emgmm::detail::RowSource<Scalar, Eigen::Dynamic> source(X);
  REQUIRE(source.rows() == expected.rows());
  REQUIRE(source.cols() == expected.cols());
  typename emgmm::detail::RowSource<Scalar, Eigen::Dynamic>::Block loaded, scratch;
  for (Index start = 0; start < expected.rows(); start += rows) {
    const Index count = std::min(rows, expected.rows() - start);
    source.load(start, count, loaded);
    CHECK(loaded == expected.middleRows(start, count));
    const auto view = source.view(start, count, scratch);
    CHECK(view == expected.middleRows(start, count));
  }
}

}  // namespace

TEST_CASE("RowSource: every layout gives X's values, block by block", "[row_source][input]") {
  // Widths below, at and beyond the four features the row-major loader moves per sweep, and
  // the square tiles it transposes in registers (2 to 8 doubles, 4 to 16 floats a side).
  for (const Index D : {1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 33}) {
    INFO("n_features " << D);
    const Index n = 45;
    const Eigen::MatrixXd X = Eigen::MatrixXd::Random(n, D) * 100.0;
    const Eigen::MatrixXf Xf = X.cast<float>();
    const RowMajor<double> row_major = X;
    const RowMajor<float> row_major_float = Xf;
    // A row-major matrix twice as wide, of which the even columns are X.
    RowMajor<double> interleaved = RowMajor<double>::Constant(n, 2 * D, 1e300);
    for (Index d = 0; d < D; ++d) interleaved.col(2 * d) = X.col(d);
    const Eigen::Map<const RowMajor<double>, Eigen::Unaligned, Eigen::Stride<Eigen::Dynamic, 2>>
        strided(interleaved.data(), n, D, Eigen::Stride<Eigen::Dynamic, 2>(2 * D, 2));
    RowMajor<double> taller = RowMajor<double>::Constant(n + 6, D + 3, -1e300);
    taller.block(2, 1, n, D) = X;
    const Eigen::MatrixXd transposed = X.transpose();

    for (const Index rows : {Index{1}, Index{8}, Index{17}, n}) {
      INFO("block rows " << rows);
      check_blocks<double>(X, X, rows);
      check_blocks<double>(row_major, X, rows);
      check_blocks<double>(strided, X, rows);
      check_blocks<double>(taller.block(2, 1, n, D), X, rows);
      check_blocks<double>(transposed.transpose(), X, rows);
      check_blocks<double>(Xf, Xf.cast<double>(), rows);
      // Into a float model: each value converted once, as static_cast does.
      check_blocks<float>(row_major, Xf, rows);
      check_blocks<float>(X, Xf, rows);
      check_blocks<float>(Xf, Xf, rows);
      check_blocks<float>(row_major_float, Xf, rows);
    }
  }
}

TEST_CASE("RowSource: a model fitted on row-major X is the model fitted on column-major X",
          "[row_source][gaussian_mixture][input]") {
  // Seven features: the row-major loader's four-feature sweep and its tail both run.
  const Index n = 600, D = 7;
  Eigen::MatrixXd X = Eigen::MatrixXd::Random(n, D);
  for (Index i = 0; i < n; ++i) X.row(i).array() += double(i % 3) * 4.0;
  const RowMajor<double> row_major = X;
  const Eigen::Map<const RowMajor<double>> mapped(row_major.data(), n, D);
  for (const emgmm::CovarianceType type :
       {emgmm::CovarianceType::full, emgmm::CovarianceType::tied, emgmm::CovarianceType::diag,
        emgmm::CovarianceType::spherical}) {
    INFO("covariance_type " << emgmm::to_string(type));
    emgmm::GaussianMixtureOptions<double> options;
    options.n_components = 3;
    options.covariance_type = type;
    options.random_state = 5;
    emgmm::GaussianMixture<double> by_columns(options), by_rows(options);
    by_columns.fit(X);
    by_rows.fit(mapped);
    CHECK(by_rows.n_iter() == by_columns.n_iter());
    CHECK(by_rows.lower_bound() == by_columns.lower_bound());
    CHECK(by_rows.weights() == by_columns.weights());
    CHECK(by_rows.means() == by_columns.means());
    CHECK(by_rows.covariances() == by_columns.covariances());
    CHECK(by_rows.score_samples(mapped) == by_columns.score_samples(X));
  }
}
