// detail/symmetric_eigen.hpp: the Jacobi eigen-decomposition and polar factor that the mclust
// models use, against their definitions (A V = V diag(values), V^T V = I, decreasing values;
// Q orthogonal with Q^T F symmetric positive semi-definite) and against Eigen's own solvers
// (SelfAdjointEigenSolver, JacobiSVD), on random, repeated-eigenvalue, diagonal, rank-deficient
// and 1 x 1 matrices.
#include <emgmm/detail/symmetric_eigen.hpp>

#include <cmath>
#include <random>

#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <Eigen/SVD>

#include "catch.hpp"

namespace {

Eigen::MatrixXd random_matrix(Eigen::Index n, std::mt19937_64& rng) {
  std::normal_distribution<double> normal(0.0, 1.0);
  Eigen::MatrixXd M(n, n);
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = 0; i < n; ++i) M(i, j) = normal(rng);
  return M;
}

/// Residuals of a decomposition relative to the matrix's norm: a few hundred units of rounding
/// times n.
double tolerance(Eigen::Index n) { return 200.0 * double(n) * 2.220446049250313e-16; }

void check_eigen(const Eigen::MatrixXd& A) {
  const Eigen::Index n = A.rows();
  Eigen::VectorXd values;
  Eigen::MatrixXd vectors;
  emgmm::detail::symmetric_eigen(A, values, vectors);
  REQUIRE(values.size() == n);
  REQUIRE(vectors.rows() == n);
  REQUIRE(vectors.cols() == n);
  const double scale = std::max(1.0, A.norm());
  CHECK((A * vectors - vectors * values.asDiagonal()).norm() <= tolerance(n) * scale);
  CHECK((vectors.transpose() * vectors - Eigen::MatrixXd::Identity(n, n)).norm() <= tolerance(n));
  for (Eigen::Index j = 1; j < n; ++j) CHECK(values(j - 1) >= values(j));
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> reference(A);
  CHECK((values - reference.eigenvalues().reverse()).norm() <= tolerance(n) * scale);
}

void check_polar(const Eigen::MatrixXd& F) {
  const Eigen::Index n = F.rows();
  const Eigen::MatrixXd Q = emgmm::detail::polar_factor(F);
  REQUIRE(Q.rows() == n);
  REQUIRE(Q.cols() == n);
  const double scale = std::max(1.0, F.norm());
  CHECK((Q.transpose() * Q - Eigen::MatrixXd::Identity(n, n)).norm() <= tolerance(n));
  // F = Q H with H = Q^T F symmetric positive semi-definite.
  const Eigen::MatrixXd H = Q.transpose() * F;
  CHECK((H - H.transpose()).norm() <= tolerance(n) * scale);
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> h_eigen(0.5 * (H + H.transpose()));
  CHECK(h_eigen.eigenvalues().minCoeff() >= -tolerance(n) * scale);
}

}  // namespace

TEST_CASE("symmetric_eigen diagonalizes symmetric matrices, values in decreasing order",
          "[symmetric_eigen]") {
  std::mt19937_64 rng(20261206);
  for (const Eigen::Index n : {1, 2, 3, 4, 7, 16, 33}) {
    CAPTURE(n);
    const Eigen::MatrixXd M = random_matrix(n, rng);
    check_eigen(M + M.transpose());                      // indefinite
    check_eigen(M * M.transpose() / double(n));          // a scatter matrix
    check_eigen(Eigen::MatrixXd::Identity(n, n) * 2.5);  // one repeated value
    const Eigen::VectorXd d = Eigen::VectorXd::LinSpaced(n, 1.0, double(n));
    check_eigen(Eigen::MatrixXd(d.asDiagonal()));  // already diagonal, increasing
    if (n > 2) {
      const Eigen::MatrixXd thin = M.leftCols(2) * M.leftCols(2).transpose();  // rank 2
      check_eigen(thin);
    }
  }
}

TEST_CASE("symmetric_eigen reads only the lower triangle", "[symmetric_eigen]") {
  std::mt19937_64 rng(7);
  const Eigen::MatrixXd M = random_matrix(5, rng);
  const Eigen::MatrixXd A = M * M.transpose();
  Eigen::MatrixXd lower_only = A.triangularView<Eigen::Lower>();
  lower_only.triangularView<Eigen::StrictlyUpper>().setConstant(1e300);
  Eigen::VectorXd values, expected;
  Eigen::MatrixXd vectors, expected_vectors;
  emgmm::detail::symmetric_eigen(lower_only, values, vectors);
  emgmm::detail::symmetric_eigen(A, expected, expected_vectors);
  CHECK(values == expected);
}

TEST_CASE("symmetric_eigen of a matrix with a NaN gives NaN values and vectors",
          "[symmetric_eigen]") {
  Eigen::MatrixXd A = Eigen::MatrixXd::Identity(3, 3);
  A(2, 1) = std::nan("");
  Eigen::VectorXd values;
  Eigen::MatrixXd vectors;
  emgmm::detail::symmetric_eigen(A, values, vectors);
  CHECK(values.hasNaN());
  CHECK(vectors.hasNaN());
}

TEST_CASE("polar_factor is the orthogonal factor of F = Q H, as JacobiSVD's U V^T",
          "[symmetric_eigen]") {
  std::mt19937_64 rng(42);
  for (const Eigen::Index n : {1, 2, 3, 5, 16}) {
    CAPTURE(n);
    const Eigen::MatrixXd F = random_matrix(n, rng);
    check_polar(F);
    const Eigen::JacobiSVD<Eigen::MatrixXd> svd(F, Eigen::ComputeFullU | Eigen::ComputeFullV);
    const Eigen::MatrixXd expected = svd.matrixU() * svd.matrixV().transpose();
    CHECK((emgmm::detail::polar_factor(F) - expected).norm() <= 1e3 * tolerance(n));
    check_polar(-F);
    check_polar(Eigen::MatrixXd::Identity(n, n));
  }
}

TEST_CASE("polar_factor of a singular F is still orthogonal", "[symmetric_eigen]") {
  std::mt19937_64 rng(3);
  const Eigen::MatrixXd M = random_matrix(4, rng);
  check_polar(M.leftCols(2) * M.leftCols(2).transpose());  // rank 2
  check_polar(Eigen::MatrixXd::Zero(3, 3));
}

TEST_CASE("symmetric_eigen and polar_factor in float agree with double to float's precision",
          "[symmetric_eigen]") {
  // The routines are templates on the floating type; the models instantiate double, and a float
  // instantiation must give the same decomposition to float's rounding.
  std::mt19937_64 rng(11);
  for (const Eigen::Index n : {1, 2, 4, 9}) {
    CAPTURE(n);
    const Eigen::MatrixXd M = random_matrix(n, rng);
    const Eigen::MatrixXd A = M * M.transpose() + Eigen::MatrixXd::Identity(n, n);
    Eigen::VectorXf values;
    Eigen::MatrixXf vectors;
    const Eigen::MatrixXf A_float = A.cast<float>();
    emgmm::detail::symmetric_eigen(A_float, values, vectors);
    Eigen::VectorXd expected;
    Eigen::MatrixXd expected_vectors;
    emgmm::detail::symmetric_eigen(A, expected, expected_vectors);
    const double float_tolerance = 200.0 * double(n) * 1.1920929e-7;
    CHECK((values.cast<double>() - expected).norm() <= float_tolerance * A.norm());
    CHECK((A_float * vectors - vectors * values.asDiagonal()).norm() <=
          float(float_tolerance * A.norm()));
    const Eigen::MatrixXf Q = emgmm::detail::polar_factor(Eigen::MatrixXf(M.cast<float>()));
    CHECK((Q.cast<double>() - emgmm::detail::polar_factor(M)).norm() <= 1e3 * float_tolerance);
  }
}
