// What the error tests of every estimator share (test_errors.cpp, and the error tests in
// test_gaussian_mixture.cpp and test_kmeans.cpp, which test_errors.cpp held before): what an
// expression threw and its message, CHECK_THROWS_KIND / CHECK_INVALID / CHECK_NOT_FITTED, and
// the deterministic data and models they use; and the comparisons of two models that the
// contract and serialization tests share (bit_identical, check_same_options).
//
// Documented contract (errors.hpp, gaussian_mixture.hpp, kmeans.hpp, STYLE.md):
//   InvalidArgument (a std::invalid_argument)  invalid options or data (sklearn's ValueError)
//   NotFittedError  (a std::logic_error)        a fitted attribute or method used before fit()
//   NumericalError  (a std::runtime_error)      a covariance that is not positive definite
// all three also an emgmm::Error. Not converging is not an error: converged() says so.
//
// The data are deterministic (no RNG), two well separated groups in 2-D. Everything is in
// namespace emgmm_test_errors, where the error tests are written, so that the names do not clash
// with the other tests' helpers of the file they are in.
#ifndef EMGMM_TESTS_ERROR_CHECKS_HPP
#define EMGMM_TESTS_ERROR_CHECKS_HPP

#include <cmath>
#include <cstring>
#include <exception>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include <emgmm/emgmm.hpp>

#include "catch.hpp"

namespace emgmm_test_errors {

using emgmm::CovarianceType;
using emgmm::InitParams;

template <typename Scalar>
using MatrixX = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

template <typename Model>
using ScalarOf = typename Model::Matrix::Scalar;

// ---------------------------------------------------------------------------------------------
// What an expression threw, and its message.

enum class Thrown { nothing, invalid_argument, not_fitted, numerical, other };

struct Outcome {
  Thrown kind = Thrown::nothing;
  std::string message;
};

template <typename F>
Outcome outcome_of(F&& f) {
  try {
    f();
  } catch (const emgmm::InvalidArgument& e) {
    return {Thrown::invalid_argument, e.what()};
  } catch (const emgmm::NotFittedError& e) {
    return {Thrown::not_fitted, e.what()};
  } catch (const emgmm::NumericalError& e) {
    return {Thrown::numerical, e.what()};
  } catch (const std::exception& e) {
    return {Thrown::other, std::string("(a std::exception that is no emgmm type) ") + e.what()};
  } catch (...) {
    return {Thrown::other, "(an exception that is no std::exception)"};
  }
  return {};
}

inline bool contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

// ---------------------------------------------------------------------------------------------
// Data and models.

/// n points in d dimensions: even rows about 0, odd rows about 6, spread +-0.7 by sines so that
/// every group has a non-degenerate covariance.
template <typename Scalar>
MatrixX<Scalar> two_blobs(Eigen::Index n = 40, Eigen::Index d = 2) {
  MatrixX<Scalar> X(n, d);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double center = (i % 2 == 0) ? 0.0 : 6.0;
    for (Eigen::Index j = 0; j < d; ++j) {
      X(i, j) = static_cast<Scalar>(
          center + 0.7 * std::sin(1.7 * double(i) + 2.3 * double(j) + 0.4 * double(i * j)));
    }
  }
  return X;
}

/// Points near both groups, for comparing predictions before and after a failed fit.
template <typename Scalar>
MatrixX<Scalar> probe_points() {
  MatrixX<Scalar> X(5, 2);
  X << 0, 0, 6, 6, 3, 3, -1, 7, 2.5, 3.5;
  return X;
}

template <typename Model>
typename Model::Options mixture_options(int n_components = 2,
                                        CovarianceType type = CovarianceType::full) {
  typename Model::Options options;
  options.n_components = n_components;
  options.covariance_type = type;
  options.random_state = 7;
  return options;
}

template <typename Model>
Model fitted_mixture(CovarianceType type = CovarianceType::full, int n_components = 2) {
  Model gmm(mixture_options<Model>(n_components, type));
  gmm.fit(two_blobs<ScalarOf<Model>>());
  return gmm;
}

template <typename Model>
typename Model::Options kmeans_options(int n_clusters = 2) {
  typename Model::Options options;
  options.n_clusters = n_clusters;
  options.random_state = 7;
  return options;
}

template <typename Model>
Model fitted_kmeans(int n_clusters = 2) {
  Model kmeans(kmeans_options<Model>(n_clusters));
  kmeans.fit(two_blobs<ScalarOf<Model>>());
  return kmeans;
}

/// Valid precisions_init for 2 components in 2-D, in the storage of `type`.
template <typename Scalar>
MatrixX<Scalar> valid_precisions(CovarianceType type) {
  switch (type) {
    case CovarianceType::full: {
      MatrixX<Scalar> P(4, 2);
      P << 2, 0.5, 0.5, 1, 3, 0, 0, 3;
      return P;
    }
    case CovarianceType::tied: {
      MatrixX<Scalar> P(2, 2);
      P << 2, 0.5, 0.5, 1;
      return P;
    }
    case CovarianceType::diag: return MatrixX<Scalar>::Constant(2, 2, Scalar(2));
    case CovarianceType::spherical: return MatrixX<Scalar>::Constant(2, 1, Scalar(2));
  }
  return {};
}

template <typename Scalar>
Scalar nan() {
  return std::numeric_limits<Scalar>::quiet_NaN();
}
template <typename Scalar>
Scalar inf() {
  return std::numeric_limits<Scalar>::infinity();
}

/// a and b have the same shape and the same bits (NaN-safe, and +0 differs from -0).
template <typename A, typename B>
bool bit_identical(const Eigen::MatrixBase<A>& a, const Eigen::MatrixBase<B>& b) {
  static_assert(std::is_same<typename A::Scalar, typename B::Scalar>::value, "same scalar type");
  using Plain = Eigen::Matrix<typename A::Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
  if (a.size() == 0) return true;
  const Plain pa = a;
  const Plain pb = b;
  return std::memcmp(pa.data(), pb.data(), sizeof(typename A::Scalar) * std::size_t(pa.size())) ==
         0;
}
inline bool bit_identical(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

/// The options both mixtures have (GaussianMixtureOptions, BayesianGaussianMixtureOptions) are
/// the same, the doubles to the bit: what save() writes and load() reads back. The callback and
/// the starts (weights_init, ...) are not saved.
template <typename Options>
void check_same_options(const Options& o, const Options& p) {
  CHECK(o.n_components == p.n_components);
  CHECK(o.covariance_type == p.covariance_type);
  CHECK(bit_identical(o.tol, p.tol));
  CHECK(bit_identical(o.reg_covar, p.reg_covar));
  CHECK(o.max_iter == p.max_iter);
  CHECK(o.n_init == p.n_init);
  CHECK(o.init_params == p.init_params);
  CHECK(o.random_state == p.random_state);
  CHECK(o.warm_start == p.warm_start);
  CHECK(o.verbose == p.verbose);
  CHECK(o.verbose_interval == p.verbose_interval);
}

const CovarianceType kAllTypes[] = {CovarianceType::full, CovarianceType::tied,
                                    CovarianceType::diag, CovarianceType::spherical};

}  // namespace emgmm_test_errors

namespace Catch {
template <>
struct StringMaker<emgmm_test_errors::Thrown> {
  static std::string convert(emgmm_test_errors::Thrown kind) {
    switch (kind) {
      case emgmm_test_errors::Thrown::nothing: return "nothing thrown";
      case emgmm_test_errors::Thrown::invalid_argument: return "emgmm::InvalidArgument";
      case emgmm_test_errors::Thrown::not_fitted: return "emgmm::NotFittedError";
      case emgmm_test_errors::Thrown::numerical: return "emgmm::NumericalError";
      case emgmm_test_errors::Thrown::other: return "another exception";
    }
    return "?";
  }
};
}  // namespace Catch

// Checks that `expr` throws exactly `expected` (an emgmm type, not any other exception) and that
// the message contains every one of the strings that follow (at least one).
#define CHECK_THROWS_KIND(expected, expr, ...)                                 \
  do {                                                                         \
    const emgmm_test_errors::Outcome outcome_ =                                \
        emgmm_test_errors::outcome_of([&] { (void)(expr); });                  \
    INFO("expression: " #expr);                                                \
    INFO("message: " << outcome_.message);                                     \
    CHECK(outcome_.kind == (expected));                                        \
    for (const std::string& needle_ : std::vector<std::string>{__VA_ARGS__}) { \
      INFO("the message should contain: \"" << needle_ << "\"");               \
      CHECK(emgmm_test_errors::contains(outcome_.message, needle_));           \
    }                                                                          \
  } while (false)

#define CHECK_INVALID(expr, ...) \
  CHECK_THROWS_KIND(emgmm_test_errors::Thrown::invalid_argument, expr, __VA_ARGS__)
#define CHECK_NOT_FITTED(expr, ...) \
  CHECK_THROWS_KIND(emgmm_test_errors::Thrown::not_fitted, expr, __VA_ARGS__)

#endif  // EMGMM_TESTS_ERROR_CHECKS_HPP
