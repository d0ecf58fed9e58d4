// detail/lloyd.hpp's nearest_centers, the distance pass of every Lloyd iteration: for every
// width 1-9, 16, 33 and 64, cluster counts around the kernel's panel of 4 centers, and block
// lengths around the packet and panel sizes (the padded tail), float and double:
// - every label is a nearest center: its true distance is the smallest, up to the rounding of
//   |c|^2 - 2 x.c (checked in long double);
// - ties go to the first center, as np.argmin;
// - a point's label does not depend on its place in the block (each one alone gets the same).
#include <emgmm/detail/lloyd.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include <Eigen/Core>

#include "catch.hpp"

namespace {

template <typename Scalar>
using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

/// Labels of rows [first, first + rows) of `storage` (shifted by `offset`) as assign_labels
/// computes them.
template <typename Scalar>
Eigen::VectorXi labels_of(const Matrix<Scalar>& storage, Eigen::Index first, Eigen::Index rows,
                          const Eigen::Matrix<Scalar, 1, Eigen::Dynamic>& offset,
                          const Matrix<Scalar>& centers) {
  using emgmm::detail::ShiftedRows;
  const Eigen::Index D = storage.cols();
  const auto view = storage.middleRows(first, rows);
  const ShiftedRows<Scalar> x_rows(view, offset);
  Matrix<Scalar> points(rows, D);
  for (Eigen::Index d = 0; d < D; ++d) points.col(d).array() = view.col(d).array() - offset(d);
  const Eigen::Matrix<Scalar, Eigen::Dynamic, 1> norms =
      emgmm::detail::squared_center_norms(centers);
  const Matrix<Scalar> minus_two_centers = Scalar(-2) * centers.transpose();
  Matrix<Scalar> distances;
  Eigen::Array<Scalar, Eigen::Dynamic, 1> label_values;
  Eigen::VectorXi labels;
  emgmm::detail::nearest_centers<Scalar, Eigen::Dynamic>(x_rows, rows, points, minus_two_centers,
                                                         norms, distances, label_values, labels);
  return labels;
}

template <typename Scalar>
void check_case(Eigen::Index rows, Eigen::Index D, Eigen::Index K, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  // The block starts at row 2 of a taller matrix, so that its stride is not its length.
  Matrix<Scalar> storage(rows + 3, D);
  for (Eigen::Index i = 0; i < storage.rows(); ++i) {
    for (Eigen::Index d = 0; d < D; ++d) storage(i, d) = Scalar(5.0 + normal(rng));
  }
  Eigen::Matrix<Scalar, 1, Eigen::Dynamic> offset(D);
  offset.setConstant(Scalar(5));
  Matrix<Scalar> centers(K, D);
  for (Eigen::Index k = 0; k < K; ++k) {
    for (Eigen::Index d = 0; d < D; ++d) centers(k, d) = Scalar(normal(rng));
  }
  // A tie: the last center repeats the first, and must never win over it.
  if (K > 2) centers.row(K - 1) = centers.row(0);
  const Eigen::VectorXi labels = labels_of(storage, 2, rows, offset, centers);
  REQUIRE(labels.size() == rows);
  const long double eps = std::numeric_limits<Scalar>::epsilon();
  for (Eigen::Index i = 0; i < rows; ++i) {
    INFO("rows " << rows << ", D " << D << ", K " << K << ", row " << i);
    REQUIRE(labels(i) >= 0);
    REQUIRE(labels(i) < K);
    if (K > 2) CHECK(labels(i) != K - 1);
    // True squared distances, and the size of the formula's rounding.
    long double best = std::numeric_limits<long double>::infinity(), scale = 0;
    std::vector<long double> squared(static_cast<std::size_t>(K));
    for (Eigen::Index k = 0; k < K; ++k) {
      long double sum = 0, x_norm = 0, c_norm = 0;
      for (Eigen::Index d = 0; d < D; ++d) {
        const long double x = static_cast<Scalar>(storage(2 + i, d) - offset(d));
        const long double t = x - static_cast<long double>(centers(k, d));
        sum += t * t;
        x_norm += x * x;
        c_norm += static_cast<long double>(centers(k, d)) * centers(k, d);
      }
      squared[static_cast<std::size_t>(k)] = sum;
      best = std::min(best, sum);
      scale = std::max(scale, std::pow(std::sqrt(x_norm) + std::sqrt(c_norm), 2.0L));
    }
    CHECK(squared[static_cast<std::size_t>(labels(i))] <= best + 4 * (D + 3) * eps * scale);
    // The same point alone, in a block of one row, gets the same label.
    CHECK(labels_of(storage, 2 + i, 1, offset, centers)(0) == labels(i));
  }
}

}  // namespace

TEMPLATE_TEST_CASE("nearest_centers: nearest labels, first of ties, independent of the block",
                   "[kmeans][nearest_centers]", float, double) {
  unsigned seed = 1;
  for (const Eigen::Index D : {1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 33, 64}) {
    for (const Eigen::Index K : {1, 2, 3, 4, 5, 7, 8, 9, 13}) {
      for (const Eigen::Index rows : {1, 3, 8, 15, 16, 17, 24, 25, 47, 48, 49, 100, 256}) {
        check_case<TestType>(rows, D, K, seed++);
      }
    }
  }
}
