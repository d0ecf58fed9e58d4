// detail/vector_exp.hpp and detail/log_sum_exp.hpp: the E-step's exponentials and its
// normalization of log-probabilities into responsibilities, against long-double references
// on random rows of every length around the packet size, and on the edge cases the fits meet
// (rows of -inf, entries far below their row's maximum, NaN).
#include <emgmm/detail/log_sum_exp.hpp>
#include <emgmm/detail/vector_exp.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include <Eigen/Core>

#include "catch.hpp"

namespace {

using emgmm::detail::exp_nonpositive;
using emgmm::detail::kPacketSize;
using emgmm::detail::normalize_log_rows;
using emgmm::detail::Packet;

/// exp_nonpositive of every value, a packet at a time (the last one padded with zeros).
template <typename Scalar>
std::vector<Scalar> packet_exp(const std::vector<Scalar>& x) {
  namespace ei = Eigen::internal;
  constexpr Eigen::Index kSize = kPacketSize<Scalar>;
  std::vector<Scalar> padded = x, out(x.size() + kSize);
  padded.resize(x.size() + kSize, Scalar(0));
  for (std::size_t i = 0; i < x.size(); i += kSize) {
    ei::pstoreu(out.data() + i,
                exp_nonpositive<Scalar>(ei::ploadu<Packet<Scalar>>(padded.data() + i)));
  }
  out.resize(x.size());
  return out;
}

/// |a - b| in units of the spacing of Scalar at b.
template <typename Scalar>
double ulps(Scalar a, Scalar b) {
  const Scalar spacing = std::nextafter(b, std::numeric_limits<Scalar>::infinity()) - b;
  return std::abs(double(a) - double(b)) / double(spacing);
}

template <typename Scalar>
using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
template <typename Scalar>
using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

}  // namespace

TEMPLATE_TEST_CASE("exp_nonpositive is within 2 ulps of std::exp wherever the result is normal",
                   "[log_sum_exp]", float, double) {
  using Scalar = TestType;
  // ln of the smallest normal number: -708.39 (double), -87.33 (float).
  const double lowest = std::log(double(std::numeric_limits<Scalar>::min())) + 0.01;
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> uniform(lowest, 0.0);
  std::vector<Scalar> x;
  for (int i = 0; i < 200000; ++i) x.push_back(Scalar(uniform(rng)));
  for (int i = 0; i < 20000; ++i) x.push_back(Scalar(uniform(rng) * 1e-6));  // near 0
  for (int e = -40; e <= 0; ++e) x.push_back(-std::ldexp(Scalar(1), e));     // powers of two
  x.push_back(Scalar(0));
  x.push_back(-Scalar(0));
  const std::vector<Scalar> y = packet_exp(x);
  double worst = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) worst = std::max(worst, ulps(y[i], std::exp(x[i])));
  CHECK(worst <= 2.0);
  CHECK(y[y.size() - 1] == Scalar(1));
  CHECK(y[y.size() - 2] == Scalar(1));
}

TEMPLATE_TEST_CASE("exp_nonpositive of -inf is 0 and of NaN is NaN", "[log_sum_exp]", float,
                   double) {
  using Scalar = TestType;
  const Scalar inf = std::numeric_limits<Scalar>::infinity();
  const std::vector<Scalar> y =
      packet_exp<Scalar>({-inf, std::numeric_limits<Scalar>::quiet_NaN(), Scalar(-1)});
  CHECK(y[0] < std::numeric_limits<Scalar>::min());  // 0, or a denormal the caller flushes
  CHECK(std::isnan(y[1]));
  CHECK(ulps(y[2], std::exp(Scalar(-1))) <= 2.0);
}

TEST_CASE("exp_nonpositive of double is exactly 0 from -709 down", "[log_sum_exp]") {
  const std::vector<double> y =
      packet_exp<double>({-709.0, -745.0, -1e300, -std::numeric_limits<double>::max()});
  for (const double value : y) CHECK(value == 0.0);
}

TEMPLATE_TEST_CASE("normalize_log_rows gives the log-sum-exp and the responsibilities",
                   "[log_sum_exp]", float, double) {
  using Scalar = TestType;
  const double tolerance = std::is_same<Scalar, float>::value ? 2e-6 : 1e-14;
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal(0.0, 30.0);
  for (const Eigen::Index K : {1, 3, 8, 13}) {
    for (const Eigen::Index rows : {1, 2, 3, 7, 8, 9, 15, 16, 17, 33, 1029}) {
      Matrix<Scalar> L(rows, K);
      for (Eigen::Index k = 0; k < K; ++k)
        for (Eigen::Index i = 0; i < rows; ++i) L(i, k) = Scalar(normal(rng));
      const Matrix<Scalar> original = L;
      Vector<Scalar> log_norm, resp_log_resp;
      normalize_log_rows(L, log_norm, &resp_log_resp);
      for (Eigen::Index i = 0; i < rows; ++i) {
        long double m = original(i, 0);
        for (Eigen::Index k = 1; k < K; ++k) m = std::max(m, (long double)original(i, k));
        long double sum = 0.0L;
        for (Eigen::Index k = 0; k < K; ++k) sum += std::exp((long double)original(i, k) - m);
        const long double expected_log_norm = m + std::log(sum);
        CHECK(std::abs(double(log_norm(i)) - double(expected_log_norm)) <=
              tolerance * std::max(1.0, std::abs(double(expected_log_norm))));
        long double entropy = 0.0L;
        for (Eigen::Index k = 0; k < K; ++k) {
          const long double r = std::exp((long double)original(i, k) - expected_log_norm);
          // Where exp(L - max) is below the smallest normal number, exactly 0.
          if (std::exp((long double)original(i, k) - m) <
              (long double)std::numeric_limits<Scalar>::min()) {
            CHECK(L(i, k) == Scalar(0));
          } else {
            CHECK(std::abs(double(L(i, k)) - double(r)) <= tolerance * 4);
            entropy += r * std::log(r);
          }
        }
        CHECK(std::abs(double(resp_log_resp(i)) - double(entropy)) <= tolerance * 100);
      }
    }
  }
}

TEMPLATE_TEST_CASE("normalize_log_rows: a row's result does not depend on where it lies",
                   "[log_sum_exp]", float, double) {
  using Scalar = TestType;
  std::mt19937_64 rng(11);
  std::normal_distribution<double> normal(0.0, 5.0);
  const Eigen::Index K = 5;
  Matrix<Scalar> block(37, K);
  for (Eigen::Index k = 0; k < K; ++k)
    for (Eigen::Index i = 0; i < block.rows(); ++i) block(i, k) = Scalar(normal(rng));
  Matrix<Scalar> whole = block;
  Vector<Scalar> whole_norm;
  normalize_log_rows(whole, whole_norm);
  // Every row again in blocks that start and end elsewhere: in a packet, in a padded tail.
  for (const Eigen::Index start : {0, 1, 5, 30, 36}) {
    for (const Eigen::Index rows : {1, 3, 7}) {
      if (start + rows > block.rows()) continue;
      Matrix<Scalar> part = block.middleRows(start, rows);
      Vector<Scalar> part_norm;
      normalize_log_rows(part, part_norm);
      CHECK(part == whole.middleRows(start, rows));
      CHECK(part_norm == whole_norm.segment(start, rows));
    }
  }
}

TEMPLATE_TEST_CASE("normalize_log_rows: rows of -inf, far entries and NaN", "[log_sum_exp]", float,
                   double) {
  using Scalar = TestType;
  const Scalar inf = std::numeric_limits<Scalar>::infinity();
  const Scalar nan = std::numeric_limits<Scalar>::quiet_NaN();
  Matrix<Scalar> L(4, 3);
  L << -inf, -inf, -inf,                   // no component explains the point
      Scalar(0), Scalar(-2000), -inf,      // exp(-2000) is 0: exactly 0, not a denormal
      Scalar(-3), Scalar(-3), Scalar(-3),  // ties
      Scalar(1), nan, Scalar(2);           // NaN stays visible
  Vector<Scalar> log_norm, resp_log_resp;
  normalize_log_rows(L, log_norm, &resp_log_resp);
  CHECK(log_norm(0) == -inf);
  CHECK(L(0, 0) == Scalar(1));
  CHECK(L(0, 1) == Scalar(0));
  CHECK(L(0, 2) == Scalar(0));
  CHECK(resp_log_resp(0) == Scalar(0));
  CHECK(log_norm(1) == Scalar(0));
  CHECK(L(1, 0) == Scalar(1));
  CHECK(L(1, 1) == Scalar(0));
  CHECK(L(1, 2) == Scalar(0));
  CHECK(resp_log_resp(1) == Scalar(0));
  CHECK(std::abs(double(log_norm(2)) - (-3.0 + std::log(3.0))) < 1e-6);
  for (Eigen::Index k = 0; k < 3; ++k) CHECK(std::abs(double(L(2, k)) - 1.0 / 3.0) < 1e-6);
  CHECK(std::isnan(log_norm(3)));
}
