// detail/accumulate.hpp's weighted_scatter: the full and tied M-step's sums
// sum_i r_i (x_i - c) and sum_i r_i (x_i - c)(x_i - c)^T (lower triangle) of a block, against a
// long-double reference, for every width up to 20 and 64 (whole and partial register tiles),
// block lengths around the packet size (the zero-padded rows), reused work arrays, and the
// upper triangle, which it must leave alone.
#include <emgmm/detail/accumulate.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include <Eigen/Core>

#include "catch.hpp"

namespace {

using emgmm::detail::kPacketSize;
using emgmm::detail::weighted_scatter;

template <typename Scalar>
using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
template <typename Scalar>
using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

}  // namespace

TEMPLATE_TEST_CASE("weighted_scatter matches long-double weighted sums of (x - c)(x - c)^T",
                   "[accumulate]", float, double) {
  using Scalar = TestType;
  const Eigen::Index packet = kPacketSize<Scalar>;
  std::vector<Eigen::Index> widths;
  for (Eigen::Index D = 1; D <= 20; ++D) widths.push_back(D);
  widths.push_back(64);
  std::vector<Eigen::Index> row_counts = {1, 2, 3, 100};
  for (Eigen::Index m = 1; m <= 4; ++m) {
    for (Eigen::Index delta : {-1, 0, 1}) row_counts.push_back(m * packet + delta);
  }
  std::mt19937_64 rng(11);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  Matrix<Scalar> work;  // reused across every size, as a pass reuses it across blocks
  for (const Eigen::Index D : widths) {
    for (const Eigen::Index rows : row_counts) {
      // The block sits inside a taller matrix, so its stride is not its row count.
      const Matrix<Scalar> storage =
          Matrix<Scalar>::NullaryExpr(rows + 2, D, [&] { return Scalar(3 * normal(rng)); });
      const Vector<Scalar> center =
          Vector<Scalar>::NullaryExpr(D, [&] { return Scalar(normal(rng)); });
      // Responsibilities in [0, 1], some exactly 0 (a point another component owns).
      Vector<Scalar> r = Vector<Scalar>::NullaryExpr(rows, [&] { return Scalar(uniform(rng)); });
      for (Eigen::Index i = 0; i < rows; i += 3) r(i) = 0;
      Vector<Scalar> first = Vector<Scalar>::Constant(D, Scalar(-1));
      Matrix<Scalar> scatter =
          Matrix<Scalar>::Constant(D, D, std::numeric_limits<Scalar>::quiet_NaN());
      weighted_scatter(storage.data() + 1, storage.rows(), rows, D, center.data(), r.data(), work,
                       first.data(), scatter.data());
      INFO("D " << D << ", rows " << rows);
      for (Eigen::Index a = 0; a < D; ++a) {
        long double ref_first = 0, magnitude_first = 0;
        for (Eigen::Index i = 0; i < rows; ++i) {
          const long double t = static_cast<long double>(Scalar(storage(i + 1, a) - center(a)));
          ref_first += r(i) * t;
          magnitude_first += std::abs(r(i) * t);
        }
        // Sums over rows / packet lanes, then across the lanes: far fewer than rows + 2
        // roundings each, and twice that as a margin.
        const long double eps = std::numeric_limits<Scalar>::epsilon();
        const long double bound = 2.0L * static_cast<long double>(rows + 2) * eps;
        CHECK(std::abs(first(a) - ref_first) <= bound * magnitude_first);
        for (Eigen::Index b = 0; b < D; ++b) {
          if (b > a) {
            CHECK(std::isnan(scatter(a, b)));  // the upper triangle is left alone
            continue;
          }
          long double ref = 0, magnitude = 0;
          for (Eigen::Index i = 0; i < rows; ++i) {
            // The kernel's differences are rounded to Scalar first, as the M-step's always were.
            const long double ta = static_cast<long double>(Scalar(storage(i + 1, a) - center(a)));
            const long double tb = static_cast<long double>(Scalar(storage(i + 1, b) - center(b)));
            ref += r(i) * ta * tb;
            magnitude += std::abs(r(i) * ta * tb);
          }
          CHECK(std::abs(scatter(a, b) - ref) <= bound * magnitude);
        }
      }
    }
  }
}

TEMPLATE_TEST_CASE("weighted_scatter gives the same sums whatever the work array held before",
                   "[accumulate]", float, double) {
  using Scalar = TestType;
  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal(0.0, 1.0);
  const Eigen::Index rows = 3 * kPacketSize<Scalar> + 1, D = 7;
  const Matrix<Scalar> X =
      Matrix<Scalar>::NullaryExpr(rows, D, [&] { return Scalar(normal(rng)); });
  const Vector<Scalar> center = Vector<Scalar>::Zero(D);
  const Vector<Scalar> r = Vector<Scalar>::Constant(rows, Scalar(0.5));
  Matrix<Scalar> fresh_work, used_work = Matrix<Scalar>::Constant(
                                 2 * rows, 4 * D, std::numeric_limits<Scalar>::quiet_NaN());
  Vector<Scalar> first_fresh(D), first_used(D);
  Matrix<Scalar> fresh = Matrix<Scalar>::Zero(D, D), used = Matrix<Scalar>::Zero(D, D);
  weighted_scatter(X.data(), rows, rows, D, center.data(), r.data(), fresh_work, first_fresh.data(),
                   fresh.data());
  // A work array left larger and full of NaN by an earlier call: its padding must be cleared.
  weighted_scatter(X.data(), rows, rows, D, center.data(), r.data(), used_work, first_used.data(),
                   used.data());
  CHECK(fresh.allFinite());
  CHECK(used == fresh);
  CHECK(first_used == first_fresh);
}
