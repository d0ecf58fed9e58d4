// Degenerate data: duplicated points and collapsed clusters, the complaint users of other
// libraries file most ("ill-defined empirical covariance"). For each case the answer is decided
// here and asserted, for GaussianMixture (all four covariance types, float and double) and
// KMeans:
//   all points identical            fits: one component holds every point, covariance reg_covar
//   many exact duplicates           fits: a component on each distinct point, covariance reg_covar
//   K > distinct points             fits: the distinct points share the components, weights per
//                                   point 1/3; KMeans: inertia 0, a center on every point
//   a constant feature              fits: that feature's variance is reg_covar
//   n_samples == n_components       fits: one component per point
//   a component loses every point   fits with the default reg_covar (its weight ~0); with
//                                   reg_covar = 0 a NumericalError naming the component and the
//                                   fixes (full, diag, spherical; tied pools and fits)
// scikit-learn 1.2.1 fits (or raises) in exactly these cases; its outcomes are printed by
// `/usr/bin/python3 tests/reference/degenerate_cases.py` (committed). The tests compare with
// what the data imply (the distinct points, reg_covar), not with numbers copied from either
// implementation.
//
// Then emgmm's opt-in reseed_collapsed_components policy (not in scikit-learn): a fit that
// throws by default succeeds, the re-seeded component sits at the worst-explained point, and
// the result does not depend on the number of OpenMP threads.

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include <emgmm/emgmm.hpp>

#include "catch.hpp"
#include "fixed_models.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace {

using Eigen::Index;
using emgmm::CovarianceType;

template <typename Scalar>
using MatrixX = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

const CovarianceType kAllTypes[] = {CovarianceType::full, CovarianceType::tied,
                                    CovarianceType::diag, CovarianceType::spherical};

template <typename Scalar>
double eps() {
  return double(std::numeric_limits<Scalar>::epsilon());
}

template <typename Scalar>
typename emgmm::GaussianMixture<Scalar>::Options mixture_options(int n_components,
                                                                 CovarianceType type) {
  typename emgmm::GaussianMixture<Scalar>::Options options;
  options.n_components = n_components;
  options.covariance_type = type;
  options.random_state = 3;
  return options;
}

/// What every fitted mixture must satisfy: finite parameters, weights in [0, 1] summing to one
/// (to a few roundings of the Scalar), every covariance symmetric positive definite, and a
/// finite score on the training data.
template <typename Model, typename Data>
void check_valid_mixture(const Model& gmm, const Data& X) {
  using Scalar = typename Model::Matrix::Scalar;
  CHECK(gmm.weights().allFinite());
  CHECK(gmm.means().allFinite());
  CHECK(gmm.covariances().allFinite());
  CHECK(gmm.precisions().allFinite());
  CHECK(gmm.precisions_cholesky().allFinite());
  CHECK((gmm.weights().array() >= Scalar(0)).all());
  CHECK(gmm.weights().template cast<double>().sum() ==
        Approx(1.0).margin(8 * eps<Scalar>() * double(gmm.n_components())));
  for (Index k = 0; k < gmm.n_components(); ++k) {
    const MatrixX<Scalar> c = gmm.covariance(k);
    CHECK(c.isApprox(c.transpose()));
    Eigen::LLT<MatrixX<Scalar>> llt(c);
    CHECK(llt.info() == Eigen::Success);
    CHECK((c.diagonal().array() > Scalar(0)).all());
  }
  CHECK(std::isfinite(gmm.lower_bound()));
  CHECK(gmm.score_samples(X).allFinite());
}

/// The covariance every component on coinciding points gets: reg_covar on the diagonal, 0 off
/// it (to the Scalar's rounding of reg_covar).
template <typename Model>
void check_reg_covar_only(const Model& gmm, Index k, double reg_covar) {
  using Scalar = typename Model::Matrix::Scalar;
  const MatrixX<Scalar> c = gmm.covariance(k);
  const Index D = c.rows();
  const MatrixX<double> expected = reg_covar * MatrixX<double>::Identity(D, D);
  INFO("component " << k << " covariance\n" << c);
  // Relative to reg_covar: the sums of a few roundings of values of order reg_covar.
  CHECK((c.template cast<double>() - expected).cwiseAbs().maxCoeff() <=
        64 * eps<Scalar>() * reg_covar);
}

/// Index of the row of `points` equal to `x` within `tolerance` (max norm), or -1.
template <typename A, typename B>
Index matching_row(const A& points, const B& x, double tolerance) {
  for (Index i = 0; i < points.rows(); ++i) {
    if ((points.row(i).template cast<double>() - x.template cast<double>()).cwiseAbs().maxCoeff() <=
        tolerance) {
      return i;
    }
  }
  return -1;
}

/// Three distinct points, each repeated `copies` times (in blocks).
template <typename Scalar>
MatrixX<Scalar> three_points_repeated(Index copies) {
  MatrixX<Scalar> distinct(3, 2);
  distinct << 0, 0, 5, 5, 0, 5;
  MatrixX<Scalar> X(3 * copies, 2);
  for (Index i = 0; i < X.rows(); ++i) X.row(i) = distinct.row(i / copies);
  return X;
}

template <typename Scalar>
MatrixX<Scalar> three_distinct_points() {
  MatrixX<Scalar> distinct(3, 2);
  distinct << 0, 0, 5, 5, 0, 5;
  return distinct;
}

/// Two circles of `per_circle` points each, radius 1, about (0, 0) and (10, 0); `extra` rows
/// appended after them (left for the caller to fill).
template <typename Scalar>
MatrixX<Scalar> two_circles(Index per_circle, Index extra = 0) {
  MatrixX<Scalar> X(2 * per_circle + extra, 2);
  X.setZero();
  for (Index i = 0; i < 2 * per_circle; ++i) {
    const double angle = 2.0 * 3.14159265358979323846 * double(i % per_circle) / double(per_circle);
    X(i, 0) = static_cast<Scalar>((i < per_circle ? 0.0 : 10.0) + std::cos(angle));
    X(i, 1) = static_cast<Scalar>(std::sin(angle));
  }
  return X;
}

/// Means for three components: on the two circles, and the third far from every point.
template <typename Scalar>
MatrixX<Scalar> far_third_mean() {
  MatrixX<Scalar> m(3, 2);
  m << 0, 0, 10, 0, 100, 100;
  return m;
}

template <typename Scalar>
bool bit_identical(const MatrixX<Scalar>& a, const MatrixX<Scalar>& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(Scalar) * static_cast<std::size_t>(a.size())) == 0;
}

}  // namespace

// =============================================================================================
// GaussianMixture

TEMPLATE_TEST_CASE("GaussianMixture: all points identical fit, one component holds them all",
                   "[degenerate][gaussian_mixture]", float, double) {
  using Scalar = TestType;
  MatrixX<Scalar> X(20, 2);
  X.col(0).setConstant(Scalar(3));
  X.col(1).setConstant(Scalar(-2));
  for (const CovarianceType type : kAllTypes) {
    for (const int K : {1, 3}) {
      INFO("covariance_type " << emgmm::to_string(type) << ", n_components " << K);
      emgmm::GaussianMixture<Scalar> gmm(mixture_options<Scalar>(K, type));
      REQUIRE_NOTHROW(gmm.fit(X));
      check_valid_mixture(gmm, X);
      // Every point is the same: the components that hold them (all the weight) sit on the
      // point with only reg_covar as covariance; any other (weight ~0) is finite.
      double weight_on_point = 0.0;
      for (Index k = 0; k < K; ++k) {
        if (double(gmm.weights()(k)) < 1e-6) continue;
        INFO("component " << k << " mean " << gmm.means().row(k));
        CHECK(double(gmm.means()(k, 0)) == 3.0);
        CHECK(double(gmm.means()(k, 1)) == -2.0);
        check_reg_covar_only(gmm, k, 1e-6);
        weight_on_point += double(gmm.weights()(k));
      }
      CHECK(weight_on_point == Approx(1.0).margin(1e-6));
      const Eigen::VectorXi labels = gmm.predict(X);
      CHECK((labels.array() == labels(0)).all());
    }
  }
}

TEMPLATE_TEST_CASE("GaussianMixture: many exact duplicates fit, a component on each point",
                   "[degenerate][gaussian_mixture]", float, double) {
  using Scalar = TestType;
  const MatrixX<Scalar> X = three_points_repeated<Scalar>(30);
  const MatrixX<Scalar> distinct = three_distinct_points<Scalar>();
  for (const CovarianceType type : kAllTypes) {
    INFO("covariance_type " << emgmm::to_string(type));
    emgmm::GaussianMixture<Scalar> gmm(mixture_options<Scalar>(3, type));
    REQUIRE_NOTHROW(gmm.fit(X));
    check_valid_mixture(gmm, X);
    std::vector<bool> covered(3, false);
    for (Index k = 0; k < 3; ++k) {
      const Index point = matching_row(distinct, gmm.means().row(k), 1e-4);
      INFO("component " << k << " mean " << gmm.means().row(k));
      REQUIRE(point >= 0);
      covered[static_cast<std::size_t>(point)] = true;
      CHECK(double(gmm.weights()(k)) == Approx(1.0 / 3.0).epsilon(1e-5));
      check_reg_covar_only(gmm, k, 1e-6);
    }
    CHECK((covered[0] && covered[1] && covered[2]));
  }
}

TEMPLATE_TEST_CASE("GaussianMixture: more components than distinct points fit",
                   "[degenerate][gaussian_mixture]", float, double) {
  using Scalar = TestType;
  const MatrixX<Scalar> X = three_points_repeated<Scalar>(30);
  const MatrixX<Scalar> distinct = three_distinct_points<Scalar>();
  for (const CovarianceType type : kAllTypes) {
    for (const int K : {4, 6}) {
      INFO("covariance_type " << emgmm::to_string(type) << ", n_components " << K);
      emgmm::GaussianMixture<Scalar> gmm(mixture_options<Scalar>(K, type));
      REQUIRE_NOTHROW(gmm.fit(X));
      check_valid_mixture(gmm, X);
      // Components that hold points sit on a distinct point, and the components on each point
      // share its third of the data between them.
      Eigen::Vector3d weight_at = Eigen::Vector3d::Zero();
      for (Index k = 0; k < K; ++k) {
        const Index point = matching_row(distinct, gmm.means().row(k), 1e-4);
        if (point >= 0) {
          weight_at(point) += double(gmm.weights()(k));
        } else {
          INFO("component " << k << " mean " << gmm.means().row(k));
          CHECK(double(gmm.weights()(k)) < 1e-6);
        }
      }
      CHECK(weight_at(0) == Approx(1.0 / 3.0).epsilon(1e-5));
      CHECK(weight_at(1) == Approx(1.0 / 3.0).epsilon(1e-5));
      CHECK(weight_at(2) == Approx(1.0 / 3.0).epsilon(1e-5));
      // Every point is predicted to a component sitting on it.
      const Eigen::VectorXi labels = gmm.predict(X);
      for (Index i = 0; i < X.rows(); ++i) {
        CHECK(matching_row(X.row(i), gmm.means().row(labels(i)), 1e-4) == 0);
      }
    }
  }
}

TEMPLATE_TEST_CASE("GaussianMixture: a constant feature fits with variance reg_covar in it",
                   "[degenerate][gaussian_mixture]", float, double) {
  using Scalar = TestType;
  // Feature 0: two groups about 0 and 8; feature 1: always 7.
  MatrixX<Scalar> X(60, 2);
  for (Index i = 0; i < 60; ++i) {
    X(i, 0) = static_cast<Scalar>((i < 30 ? 0.0 : 8.0) + std::sin(1.3 * double(i)));
    X(i, 1) = Scalar(7);
  }
  for (const CovarianceType type : kAllTypes) {
    INFO("covariance_type " << emgmm::to_string(type));
    emgmm::GaussianMixture<Scalar> gmm(mixture_options<Scalar>(2, type));
    REQUIRE_NOTHROW(gmm.fit(X));
    check_valid_mixture(gmm, X);
    const Eigen::VectorXi labels = gmm.predict(X);
    for (Index i = 0; i < 60; ++i) CHECK(labels(i) == labels(i < 30 ? 0 : 59));
    CHECK(labels(0) != labels(59));
    for (Index k = 0; k < 2; ++k) {
      CHECK(double(gmm.means()(k, 1)) == Approx(7.0).epsilon(4 * eps<Scalar>()));
      if (type != CovarianceType::spherical) {
        // The constant feature: no variance of its own and no covariance with the other.
        const MatrixX<Scalar> c = gmm.covariance(k);
        CHECK(double(c(1, 1)) == Approx(1e-6).epsilon(64 * eps<Scalar>()));
        CHECK(std::abs(double(c(0, 1))) <= 64 * eps<Scalar>() * std::sqrt(1e-6 * double(c(0, 0))));
      }
    }
  }
}

TEMPLATE_TEST_CASE("GaussianMixture: n_samples == n_components fits, one component per point",
                   "[degenerate][gaussian_mixture]", float, double) {
  using Scalar = TestType;
  MatrixX<Scalar> X(4, 2);
  X << 0, 0, 1, 0, 0, 1, 5, 5;
  for (const CovarianceType type : kAllTypes) {
    INFO("covariance_type " << emgmm::to_string(type));
    emgmm::GaussianMixture<Scalar> gmm(mixture_options<Scalar>(4, type));
    REQUIRE_NOTHROW(gmm.fit(X));
    check_valid_mixture(gmm, X);
    std::vector<bool> covered(4, false);
    for (Index k = 0; k < 4; ++k) {
      const Index point = matching_row(X, gmm.means().row(k), 1e-4);
      INFO("component " << k << " mean " << gmm.means().row(k));
      REQUIRE(point >= 0);
      covered[static_cast<std::size_t>(point)] = true;
      CHECK(double(gmm.weights()(k)) == Approx(0.25).epsilon(1e-5));
      check_reg_covar_only(gmm, k, 1e-6);
    }
    CHECK((covered[0] && covered[1] && covered[2] && covered[3]));
  }
}

TEMPLATE_TEST_CASE(
    "GaussianMixture: a component that loses every point fits with the default reg_covar, "
    "and with reg_covar = 0 throws a NumericalError naming it",
    "[degenerate][gaussian_mixture]", float, double) {
  using Scalar = TestType;
  const MatrixX<Scalar> X = two_circles<Scalar>(20);
  for (const CovarianceType type : kAllTypes) {
    INFO("covariance_type " << emgmm::to_string(type));
    auto options = mixture_options<Scalar>(3, type);
    options.means_init = far_third_mean<Scalar>();  // component 2 explains no point at all
    {
      emgmm::GaussianMixture<Scalar> gmm(options);
      REQUIRE_NOTHROW(gmm.fit(X));
      check_valid_mixture(gmm, X);
      // The empty component keeps (almost) no weight; the circles keep theirs, about their
      // centers (to the rounding of a sum of sines).
      // (Its weight is sklearn's 10 eps over n_samples: below a millionth of one point's.)
      CHECK(double(gmm.weights()(2)) * double(X.rows()) < 1e-5);
      CHECK(double(gmm.weights()(0)) == Approx(0.5).epsilon(1e-6));
      CHECK(std::abs(double(gmm.means()(0, 0))) < 1e-5);
      CHECK(double(gmm.means()(1, 0)) == Approx(10.0).epsilon(1e-6));
      const Eigen::VectorXi labels = gmm.predict(X);
      CHECK((labels.array() != 2).all());
    }
    options.reg_covar = 0.0;
    emgmm::GaussianMixture<Scalar> gmm(options);
    if (type == CovarianceType::tied) {
      // One covariance pooled over all points: positive definite however the points are shared.
      REQUIRE_NOTHROW(gmm.fit(X));
      check_valid_mixture(gmm, X);
      continue;
    }
    try {
      gmm.fit(X);
      FAIL("expected emgmm::NumericalError");
    } catch (const emgmm::NumericalError& e) {
      const std::string message = e.what();
      INFO("message: " << message);
      CHECK(message.find("GaussianMixture::fit") != std::string::npos);
      CHECK(message.find("component 2") != std::string::npos);
      CHECK(message.find("increase reg_covar (now 0)") != std::string::npos);
      CHECK(message.find("decrease n_components") != std::string::npos);
      CHECK(message.find("reseed_collapsed_components = true") != std::string::npos);
    }
    CHECK_FALSE(gmm.is_fitted());
  }
}

// =============================================================================================
// KMeans

TEMPLATE_TEST_CASE("KMeans: identical points, duplicates, more clusters than distinct points",
                   "[degenerate][kmeans]", float, double) {
  using Scalar = TestType;
  using Model = emgmm::KMeans<Scalar>;
  const auto fitted = [](int K, const MatrixX<Scalar>& X) {
    typename Model::Options options;
    options.n_clusters = K;
    options.random_state = 3;
    Model kmeans(options);
    kmeans.fit(X);
    return kmeans;
  };
  SECTION("all points identical") {
    const MatrixX<Scalar> X = MatrixX<Scalar>::Constant(20, 2, Scalar(3));
    const Model kmeans = fitted(3, X);
    CHECK(kmeans.cluster_centers().allFinite());
    CHECK(kmeans.inertia() == 0.0);
    for (Index k = 0; k < 3; ++k) CHECK(matching_row(X, kmeans.cluster_centers().row(k), 0.0) == 0);
    CHECK((kmeans.labels().array() >= 0).all());
    CHECK((kmeans.labels().array() < 3).all());
  }
  for (const int K : {3, 4}) {
    DYNAMIC_SECTION("three distinct points, 30 copies each, n_clusters " << K) {
      const MatrixX<Scalar> X = three_points_repeated<Scalar>(30);
      const MatrixX<Scalar> distinct = three_distinct_points<Scalar>();
      const Model kmeans = fitted(K, X);
      CHECK(kmeans.cluster_centers().allFinite());
      // Centered on the data mean, the averages of a point's copies round at the data's scale.
      CHECK(kmeans.inertia() <= 90 * 64 * eps<Scalar>() * eps<Scalar>() * 50);
      std::vector<bool> covered(3, false);
      for (Index k = 0; k < K; ++k) {
        const Index point =
            matching_row(distinct, kmeans.cluster_centers().row(k), 64 * eps<Scalar>() * 5);
        INFO("center " << k << ": " << kmeans.cluster_centers().row(k));
        CHECK(point >= 0);
        if (point >= 0) covered[static_cast<std::size_t>(point)] = true;
      }
      CHECK((covered[0] && covered[1] && covered[2]));
    }
  }
  SECTION("n_samples == n_clusters") {
    MatrixX<Scalar> X(4, 2);
    X << 0, 0, 1, 0, 0, 1, 5, 5;
    const Model kmeans = fitted(4, X);
    CHECK(kmeans.inertia() <= 4 * 64 * eps<Scalar>() * eps<Scalar>() * 50);
    std::vector<int> per_cluster(4, 0);
    for (Index i = 0; i < 4; ++i) ++per_cluster[static_cast<std::size_t>(kmeans.labels()(i))];
    CHECK(per_cluster == std::vector<int>{1, 1, 1, 1});
  }
  SECTION("a constant feature") {
    MatrixX<Scalar> X(60, 2);
    for (Index i = 0; i < 60; ++i) {
      X(i, 0) = static_cast<Scalar>((i < 30 ? 0.0 : 8.0) + std::sin(1.3 * double(i)));
      X(i, 1) = Scalar(7);
    }
    const Model kmeans = fitted(2, X);
    CHECK(double(kmeans.cluster_centers()(0, 1)) == Approx(7.0).epsilon(4 * eps<Scalar>()));
    CHECK(double(kmeans.cluster_centers()(1, 1)) == Approx(7.0).epsilon(4 * eps<Scalar>()));
    CHECK(kmeans.labels()(0) != kmeans.labels()(59));
  }
  SECTION("a cluster that loses every point is moved to the farthest point") {
    // scikit-learn's _relocate_empty_clusters: the far start (100, 100) gets no point, so the
    // cluster restarts at the point farthest from its center; no cluster ends empty.
    const MatrixX<Scalar> X = two_circles<Scalar>(20);
    typename Model::Options options;
    options.n_clusters = 3;
    options.init_centers = far_third_mean<Scalar>();
    Model kmeans(options);
    REQUIRE_NOTHROW(kmeans.fit(X));
    CHECK(kmeans.cluster_centers().allFinite());
    std::vector<int> per_cluster(3, 0);
    for (Index i = 0; i < X.rows(); ++i)
      ++per_cluster[static_cast<std::size_t>(kmeans.labels()(i))];
    for (const int count : per_cluster) CHECK(count > 0);
    CHECK(std::isfinite(kmeans.inertia()));
  }
}

// =============================================================================================
// reseed_collapsed_components

namespace {

/// The two circles and a small fifth cluster of five points about (5, 4) between them, above:
/// under a model of the circles its top point (5, 4.3) has the lowest log p(x).
template <typename Scalar>
MatrixX<Scalar> circles_and_small_cluster(Index per_circle) {
  MatrixX<Scalar> X = two_circles<Scalar>(per_circle, 5);
  const Index n = X.rows();
  X.bottomRows(5) << Scalar(5), Scalar(4), Scalar(4.7), Scalar(4), Scalar(5.3), Scalar(4),
      Scalar(5), Scalar(3.7), Scalar(5), Scalar(4.3);
  (void)n;
  return X;
}

/// A fully given start (so no k-means initialization and no initial M-step): equal weights,
/// the given means, precision 2 I for every component.
template <typename Scalar>
typename emgmm::GaussianMixture<Scalar>::Options given_start(CovarianceType type,
                                                             const MatrixX<Scalar>& means) {
  const auto K = static_cast<int>(means.rows());
  const Index D = means.cols();
  auto options = mixture_options<Scalar>(K, type);
  options.weights_init =
      Eigen::Matrix<Scalar, Eigen::Dynamic, 1>::Constant(K, Scalar(1) / Scalar(K));
  options.means_init = means;
  switch (type) {
    case CovarianceType::full:
      options.precisions_init = Scalar(2) * MatrixX<Scalar>::Identity(D, D).replicate(K, 1);
      break;
    case CovarianceType::tied:
      options.precisions_init = Scalar(2) * MatrixX<Scalar>::Identity(D, D);
      break;
    case CovarianceType::diag:
      options.precisions_init = MatrixX<Scalar>::Constant(K, D, Scalar(2));
      break;
    case CovarianceType::spherical:
      options.precisions_init = MatrixX<Scalar>::Constant(K, 1, Scalar(2));
      break;
  }
  return options;
}

}  // namespace

TEST_CASE("reseed_collapsed_components is off by default", "[degenerate][reseed]") {
  CHECK_FALSE(emgmm::GaussianMixture<double>::Options{}.reseed_collapsed_components);
  CHECK_FALSE(emgmm::GaussianMixture<float, 2>::Options{}.reseed_collapsed_components);
}

TEMPLATE_TEST_CASE(
    "reseed_collapsed_components: a fit that throws by default succeeds, the component "
    "restarting at the worst-explained point",
    "[degenerate][reseed]", float, double) {
  using Scalar = TestType;
  const MatrixX<Scalar> X = circles_and_small_cluster<Scalar>(20);
  const Index n = X.rows();
  const Index top = n - 1;  // (5, 4.3)
  for (const CovarianceType type :
       {CovarianceType::full, CovarianceType::diag, CovarianceType::spherical}) {
    INFO("covariance_type " << emgmm::to_string(type));
    // Component 2 starts far from every point; with reg_covar = 0 its covariance is 0.
    auto options = given_start<Scalar>(type, far_third_mean<Scalar>());
    options.reg_covar = 0.0;
    {
      emgmm::GaussianMixture<Scalar> by_default(options);
      CHECK_THROWS_AS(by_default.fit(X), emgmm::NumericalError);
    }
    options.reseed_collapsed_components = true;

    // The model of the first E-step is the start (max_iter = 0); its worst-explained point
    // (lowest score_samples, ties to the lowest row) is where component 2 must restart.
    auto start_options = options;
    start_options.max_iter = 0;
    emgmm::GaussianMixture<Scalar> start(start_options);
    REQUIRE_NOTHROW(start.fit(X));
    const Eigen::Matrix<Scalar, Eigen::Dynamic, 1> log_p = start.score_samples(X);
    Index worst = 0;
    for (Index i = 1; i < n; ++i) {
      if (log_p(i) < log_p(worst)) worst = i;
    }
    REQUIRE(worst == top);  // the data are built so; else the test checks nothing new

    auto one_options = options;
    one_options.max_iter = 1;
    emgmm::GaussianMixture<Scalar> one(one_options);
    REQUIRE_NOTHROW(one.fit(X));
    check_valid_mixture(one, X);
    CHECK((one.means().row(2) == X.row(worst)));
    // One point's weight, the others rescaled; the other components' covariances averaged.
    CHECK(double(one.weights()(2)) == Approx(1.0 / double(n)).epsilon(16 * eps<Scalar>()));
    const double w0 = double(one.weights()(0));
    const double w1 = double(one.weights()(1));
    const MatrixX<double> average = (w0 * one.covariance(0).template cast<double>() +
                                     w1 * one.covariance(1).template cast<double>()) /
                                    (w0 + w1);
    CHECK(one.covariance(2).template cast<double>().isApprox(average, 16 * eps<Scalar>()));
    CHECK_FALSE(one.converged());

    // The whole fit succeeds, and the re-seeded component takes the small cluster.
    emgmm::GaussianMixture<Scalar> gmm(options);
    REQUIRE_NOTHROW(gmm.fit(X));
    check_valid_mixture(gmm, X);
    CHECK((gmm.predict(X.bottomRows(5)).array() == 2).all());
    CHECK(double(gmm.weights()(2)) == Approx(5.0 / double(n)).epsilon(0.05));
    CHECK(gmm.converged());
  }
}

TEMPLATE_TEST_CASE(
    "reseed_collapsed_components: an empty component under the default reg_covar "
    "is re-seeded instead of kept with no weight",
    "[degenerate][reseed]", float, double) {
  using Scalar = TestType;
  const MatrixX<Scalar> X = circles_and_small_cluster<Scalar>(20);
  for (const CovarianceType type : kAllTypes) {
    INFO("covariance_type " << emgmm::to_string(type));
    auto options = mixture_options<Scalar>(3, type);
    options.means_init = far_third_mean<Scalar>();
    emgmm::GaussianMixture<Scalar> plain(options);
    REQUIRE_NOTHROW(plain.fit(X));
    CHECK(double(plain.weights()(2)) * double(X.rows()) < 1e-5);  // sklearn's answer: kept empty
    options.reseed_collapsed_components = true;
    emgmm::GaussianMixture<Scalar> gmm(options);
    REQUIRE_NOTHROW(gmm.fit(X));
    check_valid_mixture(gmm, X);
    // No component is left at (100, 100) with no weight.
    CHECK(gmm.means().template cast<double>().cwiseAbs().maxCoeff() < 20.0);
    CHECK(double(gmm.weights().minCoeff()) * double(X.rows()) >= 0.5);
  }
}

TEST_CASE("reseed_collapsed_components: the same model with 1 and 2 OpenMP threads",
          "[degenerate][reseed][threads]") {
  // Enough points for several chunks of rows (detail/parallel.hpp), so the worst points are
  // found in different chunks and merged; two components need re-seeding at once.
  const Index per_circle = 3000;
  MatrixX<double> X = two_circles<double>(per_circle, 10);
  for (Index i = 0; i < 2 * per_circle; ++i) {
    X(i, 1) *= 1.0 + 0.5 * std::sin(0.37 * double(i));  // break the circles' symmetry
  }
  const MatrixX<double> small = circles_and_small_cluster<double>(1).bottomRows(5);
  X.middleRows(2 * per_circle, 5) = small;
  X.bottomRows(5) = small;
  X.bottomRows(5).col(1) *= -1.0;  // a second small cluster below
  MatrixX<double> means(4, 2);
  means << 0, 0, 10, 0, 100, 100, -100, 100;  // two components that get no point
  auto options = given_start<double>(CovarianceType::full, means);
  options.reg_covar = 0.0;
  options.reseed_collapsed_components = true;
  const auto fit_with = [&](int threads) {
#ifdef _OPENMP
    const int previous = omp_get_max_threads();
    omp_set_num_threads(threads);
#else
    (void)threads;
#endif
    emgmm::GaussianMixture<double> gmm(options);
    gmm.fit(X);
#ifdef _OPENMP
    omp_set_num_threads(previous);
#endif
    return gmm;
  };
  const emgmm::GaussianMixture<double> one = fit_with(1);
  const emgmm::GaussianMixture<double> two = fit_with(2);
  check_valid_mixture(one, X);
  CHECK(bit_identical<double>(one.weights(), two.weights()));
  CHECK(bit_identical<double>(one.means(), two.means()));
  CHECK(bit_identical<double>(one.covariances(), two.covariances()));
  CHECK(bit_identical<double>(one.precisions_cholesky(), two.precisions_cholesky()));
  CHECK(one.n_iter() == two.n_iter());
  CHECK(one.lower_bound() == two.lower_bound());
  // The two re-seeded components took the two small clusters.
  const Eigen::VectorXi labels = one.predict(X.bottomRows(10));
  CHECK((labels.head(5).array() == labels(0)).all());
  CHECK((labels.tail(5).array() == labels(5)).all());
  CHECK(labels(0) != labels(5));
  CHECK(labels(0) >= 2);
  CHECK(labels(5) >= 2);
}

TEMPLATE_TEST_CASE(
    "reseed_collapsed_components: when every component collapses the fit throws and leaves "
    "the model as it was",
    "[degenerate][reseed]", float, double) {
  using Scalar = TestType;
  const MatrixX<Scalar> X = two_circles<Scalar>(20);
  MatrixX<Scalar> means(2, 2);
  means << 0, 0, 10, 0;
  auto options = given_start<Scalar>(CovarianceType::full, means);
  options.reseed_collapsed_components = true;
  emgmm::GaussianMixture<Scalar> gmm(options);
  gmm.fit(X);
  const Eigen::Matrix<Scalar, Eigen::Dynamic, 1> weights = gmm.weights();
  const MatrixX<Scalar> fitted_means = gmm.means();
  const MatrixX<Scalar> covariances = gmm.covariances();
  // Every point the same and reg_covar = 0: both components collapse onto it, and there is
  // no covariance left to re-seed from.
  options.reg_covar = 0.0;
  gmm.set_params(options);
  try {
    gmm.fit(MatrixX<Scalar>::Constant(10, 2, Scalar(1)));
    FAIL("expected emgmm::NumericalError");
  } catch (const emgmm::NumericalError& e) {
    const std::string message = e.what();
    INFO("message: " << message);
    CHECK(message.find("component 0") != std::string::npos);
    CHECK(message.find("reg_covar") != std::string::npos);
  }
  CHECK(bit_identical<Scalar>(gmm.weights(), weights));
  CHECK(bit_identical<Scalar>(gmm.means(), fitted_means));
  CHECK(bit_identical<Scalar>(gmm.covariances(), covariances));
}
