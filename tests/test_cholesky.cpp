// detail/cholesky.hpp: the plain-loop Cholesky factor, triangular inverse and solve, and T T^T
// that the covariance parametrizations use, against their definitions (L L^T = A, L L^{-1} = I,
// L X = B) on random SPD matrices of several sizes, for float and double, and their failure
// on matrices that are not positive definite.
#include <emgmm/detail/cholesky.hpp>

#include <limits>
#include <random>

#include <Eigen/Core>

#include "catch.hpp"

namespace {

template <typename Scalar>
using Square = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

/// A random SPD matrix M M^T / n + I / 10, built in double then rounded to Scalar.
template <typename Scalar>
Square<Scalar> random_spd(Eigen::Index n, std::mt19937_64& rng) {
  std::normal_distribution<double> normal(0.0, 1.0);
  Eigen::MatrixXd M(n, n);
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = 0; i < n; ++i) M(i, j) = normal(rng);
  Eigen::MatrixXd A = M * M.transpose() / double(n);
  A.diagonal().array() += 0.1;
  return A.cast<Scalar>();
}

/// Tolerance for an n x n factorization's residual relative to the matrix's norm: a few
/// hundred units of rounding in Scalar times n (the condition numbers here are at most ~1e3).
template <typename Scalar>
double tolerance(Eigen::Index n) {
  return 200.0 * double(n) * double(std::numeric_limits<Scalar>::epsilon());
}

}  // namespace

TEMPLATE_TEST_CASE("cholesky_lower_in_place factors A = L L^T from A's lower triangle",
                   "[cholesky]", float, double) {
  using Scalar = TestType;
  std::mt19937_64 rng(7);
  for (const Eigen::Index n : {1, 2, 3, 5, 8, 17, 40}) {
    const Square<Scalar> A = random_spd<Scalar>(n, rng);
    Square<Scalar> L = A;
    L.template triangularView<Eigen::StrictlyUpper>().setConstant(Scalar(12345));  // unread
    REQUIRE(emgmm::detail::cholesky_lower_in_place(L.data(), n));
    CHECK(L.template triangularView<Eigen::StrictlyUpper>().toDenseMatrix().isZero(0));
    CHECK((L.diagonal().array() > Scalar(0)).all());
    const Square<Scalar> product = L * L.transpose();
    CHECK(double((product - A).norm()) <= tolerance<Scalar>(n) * double(A.norm()));
  }
}

TEMPLATE_TEST_CASE("cholesky_lower_in_place rejects matrices that are not positive definite",
                   "[cholesky]", float, double) {
  using Scalar = TestType;
  Square<Scalar> indefinite(2, 2);
  indefinite << 1, 2, 2, 1;  // eigenvalues 3 and -1
  CHECK_FALSE(emgmm::detail::cholesky_lower_in_place(indefinite.data(), 2));
  Square<Scalar> singular = Square<Scalar>::Ones(3, 3);  // rank 1
  CHECK_FALSE(emgmm::detail::cholesky_lower_in_place(singular.data(), 3));
  Square<Scalar> not_a_number = Square<Scalar>::Identity(2, 2);
  not_a_number(1, 1) = std::numeric_limits<Scalar>::quiet_NaN();
  CHECK_FALSE(emgmm::detail::cholesky_lower_in_place(not_a_number.data(), 2));
  Square<Scalar> zero = Square<Scalar>::Zero(1, 1);
  CHECK_FALSE(emgmm::detail::cholesky_lower_in_place(zero.data(), 1));
}

TEMPLATE_TEST_CASE("invert_lower_in_place and solve_lower_in_place invert a Cholesky factor",
                   "[cholesky]", float, double) {
  using Scalar = TestType;
  std::mt19937_64 rng(11);
  for (const Eigen::Index n : {1, 2, 4, 9, 33}) {
    Square<Scalar> L = random_spd<Scalar>(n, rng);
    REQUIRE(emgmm::detail::cholesky_lower_in_place(L.data(), n));
    Square<Scalar> inverse = L;
    emgmm::detail::invert_lower_in_place(inverse.data(), n);
    CHECK(inverse.template triangularView<Eigen::StrictlyUpper>().toDenseMatrix().isZero(0));
    const Square<Scalar> identity = Square<Scalar>::Identity(n, n);
    CHECK(double((L * inverse - identity).norm()) <= tolerance<Scalar>(n) * std::sqrt(double(n)));

    // Three right-hand sides inside a taller array (leading dimension n + 2).
    std::normal_distribution<double> normal(0.0, 1.0);
    Square<Scalar> B(n + 2, 3);
    for (Eigen::Index j = 0; j < 3; ++j)
      for (Eigen::Index i = 0; i < n + 2; ++i) B(i, j) = Scalar(normal(rng));
    Square<Scalar> X = B;
    emgmm::detail::solve_lower_in_place(L.data(), n, X.data(), 3, n + 2);
    const Square<Scalar> residual = L * X.topRows(n) - B.topRows(n);
    CHECK(double(residual.norm()) <=
          tolerance<Scalar>(n) * double(L.norm()) * double(X.topRows(n).norm()));
    CHECK(X.bottomRows(2) == B.bottomRows(2));  // rows past n untouched
  }
}

TEMPLATE_TEST_CASE("multiply_by_own_transpose gives T T^T exactly symmetric", "[cholesky]", float,
                   double) {
  using Scalar = TestType;
  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal(0.0, 1.0);
  for (const Eigen::Index n : {1, 3, 6, 20}) {
    Square<Scalar> T(n, n);
    for (Eigen::Index j = 0; j < n; ++j)
      for (Eigen::Index i = 0; i < n; ++i) T(i, j) = Scalar(normal(rng));
    Square<Scalar> out(n, n);
    emgmm::detail::multiply_by_own_transpose(T.data(), n, out.data());
    CHECK(out == out.transpose());
    const Square<Scalar> expected = T * T.transpose();
    CHECK(double((out - expected).norm()) <= tolerance<Scalar>(n) * double(expected.norm()));
  }
}

TEST_CASE("is_triangular and transpose_in_place", "[cholesky]") {
  Eigen::Matrix3d M;
  M << 1, 0, 0, 2, 3, 0, 4, 5, 6;
  CHECK(emgmm::detail::is_triangular(M.data(), 3, false));  // lower
  CHECK_FALSE(emgmm::detail::is_triangular(M.data(), 3, true));
  Eigen::Matrix3d T = M;
  emgmm::detail::transpose_in_place(T.data(), 3);
  CHECK(T == M.transpose());
  CHECK(emgmm::detail::is_triangular(T.data(), 3, true));  // upper
  const Eigen::Matrix3d diagonal = Eigen::Vector3d(1, 2, 3).asDiagonal();
  CHECK(emgmm::detail::is_triangular(diagonal.data(), 3, true));
  CHECK(emgmm::detail::is_triangular(diagonal.data(), 3, false));
}
