// What the GaussianMixture property tests share (test_gaussian_mixture*.cpp: guarantees and
// invariances, recovery, queries, options; one file was too big for one compiler process,
// issue 15): the configurations they run for, and the helpers that compare, perturb and
// capture. See test_gaussian_mixture.cpp for what the tests cover.
#ifndef EMGMM_TESTS_GAUSSIAN_MIXTURE_CHECKS_HPP
#define EMGMM_TESTS_GAUSSIAN_MIXTURE_CHECKS_HPP

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iostream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <Eigen/LU>

#include <emgmm/emgmm.hpp>

#include "catch.hpp"
#include "fixed_models.hpp"
#include "synthetic_data.hpp"

namespace emgmm_test_gaussian_mixture {

using Eigen::Index;
using emgmm::CovarianceType;
using emgmm::InitParams;
using emgmm::IterationInfo;
using emgmm_test::KnownMixture;
using emgmm_test::LabelledData;

// ---------------------------------------------------------------------------------------------
// Configurations: the model's Scalar and Dim, and the number of features of the data.

template <typename S, int D, int N>
struct Config {
  static_assert(D == Eigen::Dynamic || D == N, "a fixed Dim must equal the number of features");
  using Scalar = S;
  static constexpr int Dim = D;
  static constexpr int n_features = N;
  using Model = emgmm::GaussianMixture<S, D>;
  using Options = typename Model::Options;
  using Data = Eigen::Matrix<S, Eigen::Dynamic, D>;
  /// Unit roundoff scale of the Scalar, as a double.
  static double eps() { return double(std::numeric_limits<S>::epsilon()); }
};

// Each Scalar with a dynamic and a fixed dimension, each of 2 and 3 features with each Scalar.
using FloatDynamic2 = Config<float, Eigen::Dynamic, 2>;
using DoubleDynamic3 = Config<double, Eigen::Dynamic, 3>;
using FloatFixed3 = Config<float, 3, 3>;
using DoubleFixed2 = Config<double, 2, 2>;
#define EMGMM_TEST_CONFIGS FloatDynamic2, DoubleDynamic3, FloatFixed3, DoubleFixed2
// The fixed dimensions only: for what both mixtures promise, test_mixture_contract.cpp tests the
// dynamic ones (with 2 and 3 features, float and double), for GaussianMixture and
// BayesianGaussianMixture alike.
#define EMGMM_TEST_FIXED_CONFIGS FloatFixed3, DoubleFixed2
// For comparing float with double on the other dimensions.
using FloatDynamic3 = Config<float, Eigen::Dynamic, 3>;
using FloatFixed2 = Config<float, 2, 2>;

inline const CovarianceType kAllTypes[] = {CovarianceType::full, CovarianceType::tied,
                                           CovarianceType::diag, CovarianceType::spherical};

// ---------------------------------------------------------------------------------------------
// Helpers

/// Component k's D x D matrix from covariances()/precisions()-style storage, in double.
/// Written here from covariance_type.hpp's table, independently of the library's expansion.
template <typename Matrix>
Eigen::MatrixXd expand(const Matrix& storage, CovarianceType type, Index k, Index D) {
  const Eigen::MatrixXd s = storage.template cast<double>();
  switch (type) {
    case CovarianceType::full: return s.block(k * D, 0, D, D);
    case CovarianceType::tied: return s;
    case CovarianceType::diag: return s.row(k).transpose().asDiagonal();
    case CovarianceType::spherical: return s(k, 0) * Eigen::MatrixXd::Identity(D, D);
  }
  return {};
}

/// Largest absolute difference of two equally shaped matrices, in double.
template <typename A, typename B>
double max_abs_diff(const A& a, const B& b) {
  REQUIRE(a.rows() == b.rows());
  REQUIRE(a.cols() == b.cols());
  if (a.size() == 0) return 0.0;
  return (a.template cast<double>() - b.template cast<double>()).cwiseAbs().maxCoeff();
}

/// Largest absolute entry, in double (the scale a difference is compared against).
template <typename A>
double max_abs(const A& a) {
  return a.size() == 0 ? 0.0 : a.template cast<double>().cwiseAbs().maxCoeff();
}

/// Every fitted parameter equal to the last bit.
template <typename Model>
void check_identical(const Model& a, const Model& b) {
  CHECK(a.weights() == b.weights());
  CHECK(a.means() == b.means());
  CHECK(a.covariances() == b.covariances());
  CHECK(a.precisions_cholesky() == b.precisions_cholesky());
  CHECK(a.precisions() == b.precisions());
  CHECK(a.lower_bound() == b.lower_bound());
  CHECK(a.n_iter() == b.n_iter());
  CHECK(a.converged() == b.converged());
}

/// The known mixture's parameters as a start in the storage of `type`, moved away from the truth
/// (weights shifted, means moved by about half a standard deviation, covariances inflated by 30%)
/// so that EM has work to do.
template <typename C>
typename C::Options start_near(const KnownMixture& mixture, CovarianceType type) {
  using Scalar = typename C::Scalar;
  using Options = typename C::Options;
  const Index K = mixture.n_components();
  const Index D = mixture.n_features();
  Options options;
  options.n_components = static_cast<int>(K);
  options.covariance_type = type;
  Eigen::VectorXd weights = mixture.weights + Eigen::VectorXd::LinSpaced(K, -0.05, 0.05);
  weights /= weights.sum();
  options.weights_init = weights.cast<Scalar>();
  Eigen::MatrixXd means = mixture.means;
  means.array() += 0.5;
  options.means_init = typename Options::Means(means.cast<Scalar>());
  Eigen::MatrixXd precisions;
  switch (type) {
    case CovarianceType::full:
      precisions.resize(K * D, D);
      for (Index k = 0; k < K; ++k) {
        precisions.middleRows(k * D, D) = (1.3 * mixture.covariances[std::size_t(k)]).inverse();
      }
      break;
    case CovarianceType::tied: precisions = (1.3 * mixture.covariances[0]).inverse(); break;
    case CovarianceType::diag:
      precisions.resize(K, D);
      for (Index k = 0; k < K; ++k) {
        precisions.row(k) =
            (1.3 * mixture.covariances[std::size_t(k)].diagonal()).cwiseInverse().transpose();
      }
      break;
    case CovarianceType::spherical:
      precisions.resize(K, 1);
      for (Index k = 0; k < K; ++k) {
        precisions(k, 0) = 1.0 / (1.3 * mixture.covariances[std::size_t(k)].diagonal().mean());
      }
      break;
  }
  options.precisions_init = precisions.cast<Scalar>();
  return options;
}

/// The rows of X in the order `order`.
template <typename Data>
Data permuted(const Data& X, const std::vector<Index>& order) {
  Data result(X.rows(), X.cols());
  for (Index i = 0; i < X.rows(); ++i) result.row(i) = X.row(order[std::size_t(i)]);
  return result;
}

/// Redirects std::cout into a string for its lifetime.
class CoutCapture {
 public:
  CoutCapture() : previous_(std::cout.rdbuf(buffer_.rdbuf())) {}
  ~CoutCapture() { std::cout.rdbuf(previous_); }
  CoutCapture(const CoutCapture&) = delete;
  CoutCapture& operator=(const CoutCapture&) = delete;
  std::string str() const { return buffer_.str(); }

 private:
  std::ostringstream buffer_;
  std::streambuf* previous_;
};

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// The smallest variance of any component of `truth` in any direction.
inline double smallest_variance(const KnownMixture& truth) {
  double smallest = std::numeric_limits<double>::infinity();
  for (const Eigen::MatrixXd& covariance : truth.covariances) {
    smallest = std::min(
        smallest,
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(covariance).eigenvalues().minCoeff());
  }
  return smallest;
}

/// The cancellation factor kappa of data drawn from `truth`: the largest squared distance of a
/// point from the data's mean, in units of the smallest variance of any component in any
/// direction. Evaluating a density or a variance from moments about one common point (as
/// sklearn's formulas for diag and spherical covariances do) subtracts terms of that size to get
/// results of order one, so it rounds to about kappa eps; a computation from
/// x - mean_k does not. The invariance tests below allow for it; whether the fitted numbers are
/// nevertheless accurate is the test "accuracy does not depend on the distance between
/// components".
template <typename Data>
double cancellation_factor(const Data& X, const KnownMixture& truth) {
  const Eigen::MatrixXd points = X.template cast<double>();
  const double spread =
      (points.rowwise() - points.colwise().mean()).rowwise().squaredNorm().maxCoeff();
  return spread / smallest_variance(truth);
}

/// How far two evaluations of the same lower bound may differ by rounding. A bound is a mean of
/// per-point log-densities, each a sum of a few terms of the size of |log p(x)| (log weight,
/// log det, D/2 log 2 pi, half a Mahalanobis distance of order D) evaluated in Scalar with a
/// relative error of a few eps, or of about kappa eps where moments about a common point are
/// subtracted (see cancellation_factor); the mean over the points averages these errors.
/// Observed on the blobs: up to 0.7 eps (1 + |bound|) with an E-step from x - mean_k, 11 with one
/// from moments about the mixture's center; allowed: 16 eps (1 + |bound|) + kappa eps.
template <typename C>
double bound_rounding(double bound, double kappa) {
  return C::eps() * (16.0 * (1.0 + std::abs(bound)) + kappa);
}

/// The data every test fits: `n` points of three well-separated blobs (full covariances).
template <typename C>
typename C::Data blobs(Index n, std::uint64_t seed = 1) {
  return emgmm_test::draw(emgmm_test::three_blobs(C::n_features, CovarianceType::full), n, seed)
      .X.template cast<typename C::Scalar>();
}

}  // namespace emgmm_test_gaussian_mixture

#endif  // EMGMM_TESTS_GAUSSIAN_MIXTURE_CHECKS_HPP
