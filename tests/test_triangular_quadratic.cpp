// detail/triangular_quadratic.hpp: the full and tied E-step's quadratic forms
// |(x - mu_k) P_k|^2, against a long-double reference, for every width up to 20 and 64, block
// lengths around the packet and panel sizes (the padded tail), full and tied factors, and the
// properties the E-step relies on: a point's value does not depend on its place in the block,
// the factor's lower triangle is never read, and an overflowed x - mu never gives a finite form.
#include <emgmm/detail/e_step.hpp>
#include <emgmm/detail/triangular_quadratic.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include "catch.hpp"

namespace {

using emgmm::detail::kPacketSize;
using emgmm::detail::triangular_quadratic;

template <typename Scalar>
using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

/// A mixture's worth of inputs for triangular_quadratic: a block of `rows` points inside a
/// taller matrix (so the stride is not the row count), K means and K (or, tied, 1) upper
/// triangular factors with NaN below the diagonal, which the kernel must never read.
template <typename Scalar>
struct Problem {
  Matrix<Scalar> storage;  // (rows + 3) x D; the block starts at row 1
  Matrix<Scalar> means;    // D x K
  Matrix<Scalar> factors;  // D x (n_factors D)
  Eigen::Index rows = 0, D = 0, K = 0;
  bool tied = false;

  Problem(Eigen::Index rows_, Eigen::Index D_, Eigen::Index K_, bool tied_, unsigned seed)
      : rows(rows_), D(D_), K(K_), tied(tied_) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal(0.0, 1.0);
    const auto draw = [&](double scale) { return static_cast<Scalar>(scale * normal(rng)); };
    storage = Matrix<Scalar>::NullaryExpr(rows + 3, D, [&] { return draw(3.0); });
    means = Matrix<Scalar>::NullaryExpr(D, K, [&] { return draw(2.0); });
    const Eigen::Index n_factors = tied ? 1 : K;
    factors.resize(D, n_factors * D);
    for (Eigen::Index f = 0; f < n_factors; ++f) {
      for (Eigen::Index j = 0; j < D; ++j) {
        for (Eigen::Index i = 0; i < D; ++i) {
          Scalar& p = factors(i, f * D + j);
          if (i > j)
            p = std::numeric_limits<Scalar>::quiet_NaN();
          else if (i == j)
            p = static_cast<Scalar>(0.5 + std::abs(normal(rng)));
          else
            p = draw(0.3);
        }
      }
    }
  }

  const Scalar* block() const { return storage.data() + 1; }
  Eigen::Index stride() const { return storage.rows(); }

  /// The kernel's rows x K forms.
  Matrix<Scalar> forms() const {
    Matrix<Scalar> out(rows, K);
    triangular_quadratic(block(), stride(), rows, D, means.data(), factors.data(), tied, K,
                         out.data(), rows);
    return out;
  }

  /// The form of block row i and component k in long double, and the sum of the squares of
  /// sum_l |d_l P_lj|, the scale against which the rounding of the Scalar sums is bounded.
  void reference(Eigen::Index i, Eigen::Index k, long double& form, long double& scale) const {
    const Eigen::Index f = tied ? 0 : k;
    form = 0;
    scale = 0;
    for (Eigen::Index j = 0; j < D; ++j) {
      long double y = 0, magnitude = 0;
      for (Eigen::Index l = 0; l <= j; ++l) {
        const long double term = (static_cast<long double>(storage(i + 1, l)) - means(l, k)) *
                                 static_cast<long double>(factors(l, f * D + j));
        y += term;
        magnitude += std::abs(term);
      }
      form += y * y;
      scale += magnitude * magnitude;
    }
  }
};

/// Block lengths around every multiple of the packet up to three panels and beyond.
std::vector<Eigen::Index> row_counts(Eigen::Index packet) {
  std::vector<Eigen::Index> counts = {1, 2, 3};
  for (Eigen::Index m = 1; m <= 7; ++m) {
    for (Eigen::Index delta : {-1, 0, 1}) counts.push_back(m * packet + delta);
  }
  counts.push_back(100);
  return counts;
}

}  // namespace

TEMPLATE_TEST_CASE("triangular_quadratic matches a long-double |(x - mu) P|^2", "[e_step]", float,
                   double) {
  using Scalar = TestType;
  const Eigen::Index packet = kPacketSize<Scalar>;
  std::vector<Eigen::Index> widths;
  for (Eigen::Index D = 1; D <= 20; ++D) widths.push_back(D);
  widths.push_back(64);
  unsigned seed = 1;
  for (const bool tied : {false, true}) {
    for (const Eigen::Index D : widths) {
      for (const Eigen::Index rows : row_counts(packet)) {
        const Problem<Scalar> problem(rows, D, 3, tied, seed++);
        const Matrix<Scalar> out = problem.forms();
        for (Eigen::Index k = 0; k < problem.K; ++k) {
          for (Eigen::Index i = 0; i < rows; ++i) {
            long double form = 0, scale = 0;
            problem.reference(i, k, form, scale);
            // Each of the D column sums and the sum of squares rounds at most D + 1 times:
            // |error| <= 2 (D + 2) eps scale to first order; twice that as a margin.
            const long double tolerance = 4.0L * static_cast<long double>(D + 2) *
                                          std::numeric_limits<Scalar>::epsilon() * scale;
            INFO("tied " << tied << ", D " << D << ", rows " << rows << ", row " << i
                         << ", component " << k);
            CHECK(std::abs(static_cast<long double>(out(i, k)) - form) <= tolerance);
          }
        }
      }
    }
  }
}

TEMPLATE_TEST_CASE("triangular_quadratic gives a point the same value wherever it falls",
                   "[e_step]", float, double) {
  using Scalar = TestType;
  // The same points run as one block and as the block less its first row: every point moves
  // from a full panel to a packet or the padded tail, or the other way.
  for (const Eigen::Index D : {1, 5, 16, 17, 64}) {
    const Problem<Scalar> problem(7 * kPacketSize<Scalar> + 3, D, 2, false, 77);
    const Matrix<Scalar> whole = problem.forms();
    Matrix<Scalar> shifted(problem.rows - 1, problem.K);
    triangular_quadratic(problem.block() + 1, problem.stride(), problem.rows - 1, D,
                         problem.means.data(), problem.factors.data(), false, problem.K,
                         shifted.data(), problem.rows - 1);
    INFO("D " << D);
    CHECK(shifted == whole.bottomRows(problem.rows - 1));
  }
}

TEMPLATE_TEST_CASE("triangular_quadratic: an overflowed form or x - mu is never finite", "[e_step]",
                   float, double) {
  using Scalar = TestType;
  const Scalar huge = std::numeric_limits<Scalar>::max() / 2;
  for (const Eigen::Index D : {1, 3, 16, 64}) {
    Problem<Scalar> problem(2 * kPacketSize<Scalar> + 1, D, 2, false, 5);
    const Matrix<Scalar> before = problem.forms();
    problem.means(0, 0) = -huge;  // component 0: every point's form overflows
    const Eigen::Index overflow_row = problem.rows - 1;
    problem.storage(overflow_row + 1, 0) = huge;      // and this point's x - mu becomes inf
    problem.storage(overflow_row + 1, D - 1) = huge;  // its form of component 1 overflows
    const Matrix<Scalar> after = problem.forms();
    INFO("D " << D);
    for (Eigen::Index i = 0; i < problem.rows; ++i) {
      CHECK_FALSE(std::isfinite(after(i, 0)));
      if (i == overflow_row)
        CHECK_FALSE(std::isfinite(after(i, 1)));
      else
        CHECK(after(i, 1) == before(i, 1));  // the other points are untouched
    }
  }
}

TEMPLATE_TEST_CASE("The full E-step gives an overflowed point log-density -inf, not NaN",
                   "[e_step]", float, double) {
  using Scalar = TestType;
  const Scalar huge = std::numeric_limits<Scalar>::max() / 2;
  for (const Eigen::Index D : {2, 16}) {
    emgmm::detail::MixtureParameters<Scalar, Eigen::Dynamic> params;
    params.covariance_type = emgmm::CovarianceType::full;
    params.weights = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>::Constant(2, Scalar(0.5));
    params.means = Matrix<Scalar>::Zero(2, D);
    params.means(1, 0) = -huge;
    params.covariances = Matrix<Scalar>::Identity(2 * D, D);
    params.precisions_cholesky = Matrix<Scalar>::Zero(2 * D, D);
    params.precisions_cholesky.topRows(D).setIdentity();
    params.precisions_cholesky.bottomRows(D).setIdentity();
    const emgmm::detail::WeightedLogDensity<Scalar, Eigen::Dynamic> density(params);
    Matrix<Scalar> X = Matrix<Scalar>::Zero(3, D);
    X(2, D - 1) = huge;  // with component 0's zero mean, x - mu is finite; its square is not
    X(1, 0) = huge;      // x - mu overflows for component 1
    const emgmm::detail::BlockView<Scalar, Eigen::Dynamic> points(X.data(), X.rows(), D,
                                                                  Eigen::OuterStride<>(X.rows()));
    Matrix<Scalar> L;
    emgmm::detail::BlockWork<Scalar, Eigen::Dynamic> work;
    density.evaluate(points, L, work);
    const Scalar minus_infinity = -std::numeric_limits<Scalar>::infinity();
    INFO("D " << D);
    // log 0.5 - D/2 log(2 pi) at the mean of a unit covariance.
    const double at_mean = std::log(0.5) - 0.5 * double(D) * std::log(2.0 * 3.14159265358979);
    CHECK(std::abs(double(L(0, 0)) - at_mean) <= 1e-5 * std::abs(at_mean));
    CHECK(L(2, 0) == minus_infinity);
    CHECK(L(1, 1) == minus_infinity);
    CHECK(L(0, 1) == minus_infinity);
  }
}

TEMPLATE_TEST_CASE("The full E-step takes lower-triangular factors too (a precisions_init's)",
                   "[e_step]", float, double) {
  using Scalar = TestType;
  // The same precisions U U^T = L L^T through the upper factor U (the M-step's) and the lower
  // factor L (scikit-learn's cholesky(precisions_init, lower=True)): the same log-densities.
  for (const Eigen::Index D : {3, 16}) {
    const Eigen::Index K = 2, rows = 5 * kPacketSize<Scalar> + 3;
    std::mt19937_64 rng(9);
    std::normal_distribution<double> normal(0.0, 1.0);
    emgmm::detail::MixtureParameters<Scalar, Eigen::Dynamic> upper;
    upper.covariance_type = emgmm::CovarianceType::full;
    upper.weights = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>::Constant(K, Scalar(0.5));
    upper.means = Matrix<Scalar>::NullaryExpr(K, D, [&] { return Scalar(normal(rng)); });
    upper.covariances = Matrix<Scalar>::Zero(K * D, D);  // not read by the E-step
    upper.precisions_cholesky = Matrix<Scalar>::Zero(K * D, D);
    emgmm::detail::MixtureParameters<Scalar, Eigen::Dynamic> lower = upper;
    for (Eigen::Index k = 0; k < K; ++k) {
      Eigen::MatrixXd U = Eigen::MatrixXd::Zero(D, D);
      for (Eigen::Index j = 0; j < D; ++j) {
        for (Eigen::Index i = 0; i < j; ++i) U(i, j) = 0.3 * normal(rng);
        U(j, j) = 0.5 + std::abs(normal(rng));
      }
      const Eigen::MatrixXd L = (U * U.transpose()).llt().matrixL();
      upper.precisions_cholesky.middleRows(k * D, D) = U.cast<Scalar>();
      lower.precisions_cholesky.middleRows(k * D, D) = L.cast<Scalar>();
    }
    const Matrix<Scalar> X =
        Matrix<Scalar>::NullaryExpr(rows, D, [&] { return Scalar(2 * normal(rng)); });
    const emgmm::detail::BlockView<Scalar, Eigen::Dynamic> points(X.data(), rows, D,
                                                                  Eigen::OuterStride<>(rows));
    emgmm::detail::BlockWork<Scalar, Eigen::Dynamic> work;
    Matrix<Scalar> from_upper, from_lower;
    emgmm::detail::WeightedLogDensity<Scalar, Eigen::Dynamic>(upper).evaluate(points, from_upper,
                                                                              work);
    emgmm::detail::WeightedLogDensity<Scalar, Eigen::Dynamic>(lower).evaluate(points, from_lower,
                                                                              work);
    INFO("D " << D);
    // Two factorizations of one precision, each rounded to Scalar: relative differences of a
    // few hundred epsilon in the forms (tens of units), far below what a wrong triangle gives.
    const double scale = double(from_upper.cwiseAbs().maxCoeff());
    const double difference = double((from_upper - from_lower).cwiseAbs().maxCoeff());
    CHECK(difference <= 1000.0 * double(std::numeric_limits<Scalar>::epsilon()) * scale);
  }
}
