// Scale extremes: the same two groups of points (unit normal noise about (0, 0) and (6, 6)),
// scaled, shifted, mixed across features, rounded to integers, or with one far outlier. Decided
// and asserted here:
//   around 1e150 (double)        fits; the model of the data / 1e150, scaled back
//   around 1e-150 (double)       fits, but the default reg_covar (1e-6) swamps variances of
//                                1e-300: every covariance is reg_covar; with reg_covar scaled
//                                to the data (1e-306) the model of the data * 1e150, scaled back
//   1e9 + unit noise             double: the model of the noise, shifted (sklearn's uncentered
//                                diag formula raises here); float: 1e9 leaves float no digit for
//                                the noise (spacing 64), so the points coincide: finite, no
//                                negative variance, means within float's spacing of double's
//   features at 1e-6 and 1e6     fits; the groups are found, the 1e-6 feature's variance is
//                                reg_covar (standardize features to use it)
//   integer counts (ties)        fits, from an integer matrix exactly as from its double copy
//   one outlier 1e6 away         fits; the outlier gets its own component (weight 1/n, its
//                                point as mean, covariance reg_covar) or KMeans cluster
// scikit-learn 1.2.1 fits all of these in float64 but the 1e9 offset with tied, diag or
// spherical covariances (ValueError: ill-defined empirical covariance; its uncentered
// E[x^2] - E[x]^2 loses every digit of the noise); in float32 it also raises on the outlier
// with those three types, and collapses the offset data to one point as emgmm does.
// `/usr/bin/python3 tests/reference/degenerate_cases.py` prints its outcomes.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <Eigen/Core>

#include <emgmm/emgmm.hpp>

#include "catch.hpp"
#include "synthetic_data.hpp"

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

/// 100 points about (0, 0) then 100 about (6, 6), unit normal noise, seeded.
Eigen::MatrixXd two_groups(std::uint64_t seed = 11, Index per_group = 100) {
  emgmm_test::NormalSource source(seed);
  Eigen::MatrixXd X(2 * per_group, 2);
  for (Index i = 0; i < X.rows(); ++i) {
    const double center = i < per_group ? 0.0 : 6.0;
    for (Index d = 0; d < 2; ++d) X(i, d) = center + source.normal();
  }
  return X;
}

/// The group each row of two_groups() belongs to.
Eigen::VectorXi true_groups(Index per_group = 100) {
  Eigen::VectorXi y(2 * per_group);
  for (Index i = 0; i < y.size(); ++i) y(i) = i < per_group ? 0 : 1;
  return y;
}

/// Fraction of points that carry their group's label, where a group's label is the one most of
/// its points carry; 0 when both groups have the same one.
double agreement(const Eigen::VectorXi& labels, const Eigen::VectorXi& truth) {
  const auto majority = [&](int group) {
    std::vector<int> count(static_cast<std::size_t>(labels.maxCoeff() + 1), 0);
    for (Index i = 0; i < labels.size(); ++i) {
      if (truth(i) == group) ++count[static_cast<std::size_t>(labels(i))];
    }
    return static_cast<int>(std::max_element(count.begin(), count.end()) - count.begin());
  };
  const int label[2] = {majority(0), majority(1)};
  if (label[0] == label[1]) return 0.0;
  Index agree = 0;
  for (Index i = 0; i < labels.size(); ++i) agree += labels(i) == label[truth(i)] ? 1 : 0;
  return double(agree) / double(labels.size());
}

template <typename Model>
typename Model::Options options_for(int K, CovarianceType type, double reg_covar = 1e-6) {
  typename Model::Options options;
  options.n_components = K;
  options.covariance_type = type;
  options.reg_covar = reg_covar;
  options.random_state = 5;
  return options;
}

template <typename Scalar, typename Data>
emgmm::GaussianMixture<Scalar> fitted(const Data& X, int K, CovarianceType type,
                                      double reg_covar = 1e-6) {
  emgmm::GaussianMixture<Scalar> gmm(
      options_for<emgmm::GaussianMixture<Scalar>>(K, type, reg_covar));
  gmm.fit(X);
  return gmm;
}

template <typename Scalar, typename Data>
emgmm::KMeans<Scalar> fitted_kmeans(const Data& X, int K) {
  typename emgmm::KMeans<Scalar>::Options options;
  options.n_clusters = K;
  options.random_state = 5;
  emgmm::KMeans<Scalar> kmeans(options);
  kmeans.fit(X);
  return kmeans;
}

/// Finite parameters, weights summing to one, positive variances.
template <typename Model>
void check_finite_model(const Model& gmm) {
  using Scalar = typename Model::Matrix::Scalar;
  CHECK(gmm.weights().allFinite());
  CHECK(gmm.means().allFinite());
  CHECK(gmm.covariances().allFinite());
  CHECK(gmm.precisions_cholesky().allFinite());
  CHECK(gmm.weights().template cast<double>().sum() == Approx(1.0).margin(16 * eps<Scalar>()));
  for (Index k = 0; k < gmm.n_components(); ++k) {
    CHECK((gmm.covariance(k).diagonal().array() > Scalar(0)).all());
  }
  CHECK(std::isfinite(gmm.lower_bound()));
}

/// `scaled` is the model of the data times `scale`: same weights, means times scale,
/// covariances times scale^2, to `tolerance` relative (of each matrix's largest entry).
template <typename Model>
void check_scaled(const Model& scaled, const Model& unit, double scale, double tolerance) {
  const auto close = [&](const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
    return (a - b).cwiseAbs().maxCoeff() <= tolerance * b.cwiseAbs().maxCoeff();
  };
  CHECK(close(scaled.weights().template cast<double>(), unit.weights().template cast<double>()));
  CHECK(
      close(scaled.means().template cast<double>() / scale, unit.means().template cast<double>()));
  CHECK(close(scaled.covariances().template cast<double>() / scale / scale,
              unit.covariances().template cast<double>()));
}

}  // namespace

TEST_CASE("Scale: data around 1e150 give the model of the data / 1e150, scaled back",
          "[scale][gaussian_mixture][kmeans]") {
  const Eigen::MatrixXd X = two_groups();
  const double scale = 1e150;
  const Eigen::MatrixXd big = X * scale;
  for (const CovarianceType type : kAllTypes) {
    INFO("covariance_type " << emgmm::to_string(type));
    // reg_covar 1e-6 at scale 1e150 is 1e-306 at unit scale.
    const auto gmm = fitted<double>(big, 2, type);
    const auto unit = fitted<double>(X, 2, type, 1e-306);
    check_finite_model(gmm);
    check_scaled(gmm, unit, scale, 1e-9);
    CHECK((gmm.predict(big) == unit.predict(X)));
    CHECK(agreement(gmm.predict(big), true_groups()) >= 0.99);
  }
  const auto kmeans = fitted_kmeans<double>(big, 2);
  const auto kmeans_unit = fitted_kmeans<double>(X, 2);
  CHECK(kmeans.cluster_centers().isApprox(kmeans_unit.cluster_centers() * scale, 1e-9));
  CHECK(kmeans.inertia() == Approx(kmeans_unit.inertia() * scale * scale).epsilon(1e-9));
}

TEST_CASE("Scale: data around 1e-150 fit, the default reg_covar swamping their variance",
          "[scale][gaussian_mixture][kmeans]") {
  const Eigen::MatrixXd X = two_groups();
  const double scale = 1e-150;
  const Eigen::MatrixXd tiny = X * scale;
  for (const CovarianceType type : kAllTypes) {
    INFO("covariance_type " << emgmm::to_string(type));
    // Variances of about 1e-300 plus reg_covar = 1e-6: every covariance is reg_covar.
    const auto swamped = fitted<double>(tiny, 2, type);
    check_finite_model(swamped);
    for (Index k = 0; k < 2; ++k) {
      CHECK(swamped.covariance(k).isApprox(1e-6 * Eigen::MatrixXd::Identity(2, 2), 1e-12));
    }
    // reg_covar scaled with the data (1e-6 * scale^2): the unit model, scaled.
    const auto gmm = fitted<double>(tiny, 2, type, 1e-6 * scale * scale);
    const auto unit = fitted<double>(X, 2, type);
    check_finite_model(gmm);
    check_scaled(gmm, unit, scale, 1e-9);
    CHECK(agreement(gmm.predict(tiny), true_groups()) >= 0.99);
  }
  const auto kmeans = fitted_kmeans<double>(tiny, 2);
  const auto kmeans_unit = fitted_kmeans<double>(X, 2);
  CHECK(kmeans.cluster_centers().isApprox(kmeans_unit.cluster_centers() * scale, 1e-9));
  CHECK((kmeans.labels() == kmeans_unit.labels()));
}

TEST_CASE("Scale: 1e9 plus unit noise, double: the model of the noise, shifted",
          "[scale][gaussian_mixture][kmeans]") {
  const Eigen::MatrixXd X = two_groups();
  const double offset = 1e9;
  const Eigen::MatrixXd shifted = X.array() + offset;
  for (const CovarianceType type : kAllTypes) {
    INFO("covariance_type " << emgmm::to_string(type));
    const auto gmm = fitted<double>(shifted, 2, type);
    const auto unit = fitted<double>(X, 2, type);
    check_finite_model(gmm);
    // The data keep 1e9 * eps ~ 1e-7 of each value: means to about that, variances (of order
    // 1) to a few times it.
    CHECK(((gmm.means().array() - offset) - unit.means().array()).abs().maxCoeff() <= 1e-5);
    CHECK(gmm.covariances().isApprox(unit.covariances(), 1e-5));
    CHECK(gmm.weights().isApprox(unit.weights(), 1e-5));
    CHECK(agreement(gmm.predict(shifted), true_groups()) >= 0.99);
  }
  const auto kmeans = fitted_kmeans<double>(shifted, 2);
  const auto kmeans_unit = fitted_kmeans<double>(X, 2);
  CHECK(((kmeans.cluster_centers().array() - offset) - kmeans_unit.cluster_centers().array())
            .abs()
            .maxCoeff() <= 1e-5);
}

TEST_CASE(
    "Scale: 1e9 plus unit noise, float: no negative variance, no NaN, means of the double fit",
    "[scale][gaussian_mixture][kmeans]") {
  const Eigen::MatrixXd X = two_groups();
  const double offset = 1e9;
  const Eigen::MatrixXd shifted = X.array() + offset;
  // float's spacing at 1e9 is 64: every value rounds to within 32 of it.
  const double spacing = 64.0;
  for (const CovarianceType type : kAllTypes) {
    INFO("covariance_type " << emgmm::to_string(type));
    const auto single = fitted<float>(shifted, 2, type);
    const auto reference = fitted<double>(shifted, 2, type);
    check_finite_model(single);
    CHECK(single.score_samples(shifted).allFinite());
    for (Index k = 0; k < 2; ++k) {
      const Eigen::MatrixXf c = single.covariance(k);
      CHECK(
          (c.diagonal().array() >= 1e-6f * (1 - 4 * std::numeric_limits<float>::epsilon())).all());
      // Near the truth: within float's spacing of 1e9 and of the double fit's means.
      for (Index d = 0; d < 2; ++d) {
        CHECK(std::abs(double(single.means()(k, d)) - offset) <= spacing);
        CHECK(std::abs(double(single.means()(k, d)) - reference.means().col(d).mean()) <=
              2 * spacing);
      }
    }
  }
  const auto kmeans = fitted_kmeans<float>(shifted, 2);
  CHECK(kmeans.cluster_centers().allFinite());
  CHECK(((kmeans.cluster_centers().cast<double>().array() - offset).abs() <= spacing).all());
  CHECK(std::isfinite(kmeans.inertia()));
  CHECK(kmeans.inertia() >= 0.0);
}

TEMPLATE_TEST_CASE("Scale: features at 1e-6 and 1e6 fit, the small feature's variance reg_covar",
                   "[scale][gaussian_mixture][kmeans]", float, double) {
  using Scalar = TestType;
  Eigen::MatrixXd mixed = two_groups();
  mixed.col(0) *= 1e-6;
  mixed.col(1) *= 1e6;
  const MatrixX<Scalar> X = mixed.cast<Scalar>();
  for (const CovarianceType type : kAllTypes) {
    INFO("covariance_type " << emgmm::to_string(type));
    const auto gmm = fitted<Scalar>(X, 2, type);
    check_finite_model(gmm);
    CHECK(agreement(gmm.predict(X), true_groups()) >= 0.98);
    if (type == CovarianceType::full || type == CovarianceType::diag) {
      for (Index k = 0; k < 2; ++k) {
        // True variance about 1e-12, plus reg_covar.
        CHECK(double(gmm.covariance(k)(0, 0)) == Approx(1e-6).epsilon(1e-4));
        CHECK(double(gmm.covariance(k)(1, 1)) == Approx(1e12).epsilon(0.5));
      }
    }
  }
  const auto kmeans = fitted_kmeans<Scalar>(X, 2);
  CHECK(agreement(kmeans.labels(), true_groups()) >= 0.98);
}

TEMPLATE_TEST_CASE(
    "Scale: integer counts with many ties fit, from an integer matrix as from doubles",
    "[scale][gaussian_mixture][kmeans]", float, double) {
  using Scalar = TestType;
  // Counts about 3 and about 20 (rounded normals, clipped at 0): a few dozen distinct values.
  emgmm_test::NormalSource source(23);
  Eigen::MatrixXi counts(200, 2);
  for (Index i = 0; i < 200; ++i) {
    for (Index d = 0; d < 2; ++d) {
      const double value = i < 100 ? 3.0 + 1.7 * source.normal() : 20.0 + 4.5 * source.normal();
      counts(i, d) = std::max(0, static_cast<int>(std::lround(value)));
    }
  }
  const MatrixX<Scalar> as_scalar = counts.cast<Scalar>();
  for (const CovarianceType type : kAllTypes) {
    INFO("covariance_type " << emgmm::to_string(type));
    const auto gmm = fitted<Scalar>(counts, 2, type);
    const auto same = fitted<Scalar>(as_scalar, 2, type);
    check_finite_model(gmm);
    CHECK((gmm.means() == same.means()));
    CHECK((gmm.covariances() == same.covariances()));
    CHECK(agreement(gmm.predict(counts), true_groups()) >= 0.97);
  }
  // Only three values per feature: many exact ties, some components on one lattice point.
  Eigen::MatrixXi lattice(90, 3);
  for (Index i = 0; i < 90; ++i) {
    for (Index d = 0; d < 3; ++d) lattice(i, d) = static_cast<int>((i * (d + 2) + i / 7) % 3);
  }
  for (const CovarianceType type : kAllTypes) {
    INFO("lattice, covariance_type " << emgmm::to_string(type));
    const auto gmm = fitted<Scalar>(lattice, 4, type);
    check_finite_model(gmm);
    CHECK(gmm.score_samples(lattice).allFinite());
  }
  const auto kmeans = fitted_kmeans<Scalar>(counts, 2);
  CHECK(agreement(kmeans.labels(), true_groups()) >= 0.97);
}

TEMPLATE_TEST_CASE("Scale: one outlier 1e6 away gets a component (or cluster) of its own",
                   "[scale][gaussian_mixture][kmeans]", float, double) {
  using Scalar = TestType;
  Eigen::MatrixXd with_outlier(201, 2);
  with_outlier.topRows(200) = two_groups();
  with_outlier.row(200) << 1e6, 1e6;
  const MatrixX<Scalar> X = with_outlier.cast<Scalar>();
  const Index n = X.rows();
  for (const CovarianceType type : kAllTypes) {
    for (const int K : {2, 3}) {
      INFO("covariance_type " << emgmm::to_string(type) << ", n_components " << K);
      const auto gmm = fitted<Scalar>(X, K, type);
      check_finite_model(gmm);
      const Eigen::VectorXi labels = gmm.predict(X);
      const int alone = labels(200);
      CHECK((labels.head(200).array() != alone).all());
      CHECK(double(gmm.weights()(alone)) == Approx(1.0 / double(n)).epsilon(1e-4));
      CHECK(gmm.means().row(alone).template cast<double>().isApprox(with_outlier.row(200),
                                                                    4 * eps<Scalar>()));
      if (type == CovarianceType::full || type == CovarianceType::diag) {
        // One point: no spread of its own (sklearn's uncentered diag formula gives 2e-3 here).
        CHECK(gmm.covariance(alone).template cast<double>().isApprox(
            1e-6 * Eigen::Matrix2d::Identity(), 64 * eps<Scalar>()));
      }
      if (K == 3) CHECK(agreement(labels.head(200), true_groups()) >= 0.99);
    }
  }
  const auto kmeans = fitted_kmeans<Scalar>(X, 2);
  CHECK((kmeans.labels().head(200).array() != kmeans.labels()(200)).all());
  CHECK(kmeans.cluster_centers()
            .row(kmeans.labels()(200))
            .template cast<double>()
            .isApprox(with_outlier.row(200), 4 * eps<Scalar>()));
}
