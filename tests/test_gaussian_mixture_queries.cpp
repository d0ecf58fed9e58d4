// GaussianMixture's methods that follow from the fitted parameters (predict, predict_proba,
// score_samples, score, bic, aic agree with each other and with the parameters), and the accuracy
// of the fitted numbers whatever the distance between the components. Beside
// test_gaussian_mixture.cpp (see there for what the property tests cover and how), with its
// configurations and helpers (gaussian_mixture_checks.hpp).

#include "gaussian_mixture_checks.hpp"

namespace emgmm_test_gaussian_mixture {

// ---------------------------------------------------------------------------------------------
// Methods that follow from the fitted parameters

TEMPLATE_TEST_CASE("GaussianMixture: predictions, scores and information criteria are consistent",
                   "[gaussian_mixture][property]", EMGMM_TEST_CONFIGS) {
  using C = TestType;
  const Index D = C::n_features;
  const KnownMixture truth = emgmm_test::three_blobs(C::n_features, CovarianceType::full);
  const typename C::Data X = emgmm_test::draw(truth, 500, 81).X.template cast<typename C::Scalar>();
  const double n = double(X.rows());
  for (const CovarianceType type : kAllTypes) {
    INFO("covariance_type " << emgmm::to_string(type));
    typename C::Options options;
    options.n_components = 3;
    options.covariance_type = type;
    options.random_state = 12;
    // max_iter = 2 leaves EM far from converged: fit_predict must still agree with predict
    // (sklearn's final E-step), for a converged fit as well.
    for (const int max_iter : {2, 100}) {
      INFO("max_iter " << max_iter);
      options.max_iter = max_iter;
      typename C::Model a(options), b(options);
      const typename C::Model::Labels fit_labels = a.fit_predict(X);
      b.fit(X);
      CHECK(fit_labels == b.predict(X));
      CHECK(fit_labels == a.predict(X));
      // predict is the argmax of predict_proba.
      const typename C::Model::Matrix proba = a.predict_proba(X);
      for (Index i = 0; i < X.rows(); ++i) {
        Index best = 0;
        proba.row(i).maxCoeff(&best);
        CHECK(fit_labels(i) == int(best));
      }
    }

    typename C::Model model(options);
    model.fit(X);
    const Eigen::VectorXd log_density = model.score_samples(X).template cast<double>();
    REQUIRE(log_density.size() == X.rows());
    // score is that mean, summed in double: equal to double rounding.
    const double score = model.score(X);
    CHECK(std::abs(score - log_density.mean()) <=
          4.0 * std::numeric_limits<double>::epsilon() * std::abs(score));

    // score_samples against log sum_k w_k N(x | mean_k, covariance_k) computed here in double
    // from the fitted parameters by another route (Cholesky of the covariance, not of the
    // precision). The model's own evaluation rounds in Scalar: x - mean, the Mahalanobis
    // distance m (a few D eps relative), log det and the log-sum-exp, each a few eps of its
    // size (observed: about 1 eps (1 + |log p| + m) from x - mean_k); an evaluation from
    // moments about a common point also rounds terms of the size of kappa_i, this point's
    // squared distance from the data's mean in units of the smallest variance (see
    // cancellation_factor). Allow 16 eps (1 + |log p| + m + kappa_i).
    const Eigen::RowVectorXd data_mean = X.template cast<double>().colwise().mean();
    const double variance_unit = smallest_variance(truth);
    for (Index i = 0; i < X.rows(); ++i) {
      Eigen::VectorXd terms(3), mahalanobis(3);
      for (Index k = 0; k < 3; ++k) {
        const Eigen::MatrixXd S = model.covariance(k).template cast<double>();
        const Eigen::LLT<Eigen::MatrixXd> llt(S);
        const Eigen::VectorXd diff =
            (X.row(i).template cast<double>() - model.means().row(k).template cast<double>())
                .transpose();
        mahalanobis(k) = llt.matrixL().solve(diff).squaredNorm();
        const double log_det = 2.0 * llt.matrixL().toDenseMatrix().diagonal().array().log().sum();
        terms(k) =
            std::log(double(model.weights()(k))) -
            0.5 * (double(D) * std::log(2.0 * 3.14159265358979323846) + log_det + mahalanobis(k));
      }
      // The other components' terms are smaller by a factor exp(-(difference)); only the
      // largest term's error matters.
      Index top = 0;
      terms.maxCoeff(&top);
      const double expected = terms(top) + std::log((terms.array() - terms(top)).exp().sum());
      const double kappa_i =
          (X.row(i).template cast<double>() - data_mean).squaredNorm() / variance_unit;
      INFO("point " << i);
      CHECK(std::abs(log_density(i) - expected) <=
            16.0 * C::eps() * (1.0 + std::abs(expected) + mahalanobis(top) + kappa_i));
    }

    // sklearn's _n_parameters: covariance parameters + K D means + K - 1 weights.
    const Index K = 3;
    const Index covariance_parameters = type == CovarianceType::full   ? K * D * (D + 1) / 2
                                        : type == CovarianceType::tied ? D * (D + 1) / 2
                                        : type == CovarianceType::diag ? K * D
                                                                       : K;
    const Index p = covariance_parameters + K * D + K - 1;
    CHECK(model.n_parameters() == p);
    // bic = -2 n score + p log n, aic = -2 n score + 2 p: a few double roundings apart.
    const double expected_bic = -2.0 * score * n + double(p) * std::log(n);
    const double expected_aic = -2.0 * score * n + 2.0 * double(p);
    const double double_eps = std::numeric_limits<double>::epsilon();
    CHECK(std::abs(model.bic(X) - expected_bic) <=
          8.0 * double_eps * (std::abs(expected_bic) + 2.0 * std::abs(score) * n));
    CHECK(std::abs(model.aic(X) - expected_aic) <=
          8.0 * double_eps * (std::abs(expected_aic) + 2.0 * std::abs(score) * n));
    // And the lower bound of a converged fit is the training score up to the last EM step,
    // which changed the bound by less than tol.
    CHECK(model.converged());
    CHECK(std::abs(model.lower_bound() - score) <=
          options.tol + 100.0 * C::eps() * std::abs(score));
  }
}

TEMPLATE_TEST_CASE("GaussianMixture: accuracy does not depend on the distance between components",
                   "[gaussian_mixture][property][accuracy]", EMGMM_TEST_CONFIGS) {
  using C = TestType;
  using Scalar = typename C::Scalar;
  const Index D = C::n_features;
  // Two components 20 and 2000 standard deviations apart, centered on the origin. Each
  // component's parameters are well conditioned functions of its own points (x - mean_k is
  // exact for nearby floating-point numbers), so a fit is as accurate far apart as close
  // together; only moments about a common point lose accuracy with the distance (about
  // kappa eps, kappa ~ (distance / sigma)^2: 1e6 here).
  for (const double half_distance : {10.0, 1000.0}) {
    for (const CovarianceType type : kAllTypes) {
      INFO("means at +-" << half_distance << " on the first axis, covariance_type "
                         << emgmm::to_string(type));
      const KnownMixture three = emgmm_test::three_blobs(C::n_features, type);
      KnownMixture truth;
      truth.weights = Eigen::Vector2d(0.5, 0.5);
      truth.means = Eigen::MatrixXd::Zero(2, D);
      truth.means(0, 0) = -half_distance;
      truth.means(1, 0) = half_distance;
      truth.covariances = {three.covariances[0], three.covariances[1]};
      const LabelledData data = emgmm_test::draw(truth, 400, 301);
      const typename C::Data X = data.X.template cast<Scalar>();
      typename C::Options options;
      options.n_components = 2;
      options.covariance_type = type;
      options.reg_covar = 0.0;
      options.random_state = 19;
      typename C::Model model(options);
      model.fit(X);
      CHECK(model.converged());
      const std::vector<Index> match =
          emgmm_test::match_components(model.means().template cast<double>(), truth.means);
      REQUIRE(match.size() == 2u);

      // The responsibilities are 0 or 1 to within exp(-50), so the fit is the maximum-
      // likelihood estimate of each drawn component from its own points: computed here in
      // double from the Scalar data, for the covariance type.
      std::vector<Eigen::MatrixXd> covariances(2);
      std::vector<Eigen::RowVectorXd> means(2);
      std::vector<double> counts(2);
      for (Index j = 0; j < 2; ++j) {
        std::vector<Index> rows;
        for (Index i = 0; i < X.rows(); ++i) {
          if (data.labels(i) == j) rows.push_back(i);
        }
        Eigen::MatrixXd points(rows.size(), D);
        for (std::size_t r = 0; r < rows.size(); ++r)
          points.row(Index(r)) = X.row(rows[r]).template cast<double>();
        means[std::size_t(j)] = points.colwise().mean();
        const Eigen::MatrixXd centered = points.rowwise() - means[std::size_t(j)];
        covariances[std::size_t(j)] = centered.transpose() * centered / double(rows.size());
        counts[std::size_t(j)] = double(rows.size());
      }
      const auto expected_covariance = [&](Index j) -> Eigen::MatrixXd {
        const Eigen::MatrixXd& S = covariances[std::size_t(j)];
        switch (type) {
          case CovarianceType::full: return S;
          case CovarianceType::tied:
            return (counts[0] * covariances[0] + counts[1] * covariances[1]) /
                   (counts[0] + counts[1]);
          case CovarianceType::diag: return S.diagonal().asDiagonal();
          case CovarianceType::spherical:
            return S.diagonal().mean() * Eigen::MatrixXd::Identity(D, D);
        }
        return {};
      };
      for (Index k = 0; k < 2; ++k) {
        const Index j = match[std::size_t(k)];
        INFO("component " << k);
        // The mean: a sum of a few hundred points rounded to Scalar, whose coordinates are up
        // to |mean| + 5 sigma: 16 eps of that.
        const double coordinate =
            half_distance +
            5.0 * std::sqrt(truth.covariances[std::size_t(j)].diagonal().maxCoeff());
        CHECK(max_abs_diff(model.means().row(k), means[std::size_t(j)]) <=
              16.0 * C::eps() * coordinate);
        // The covariance: sums of (x - mean_k) products, a few eps relative to its largest
        // entry; 64 eps.
        const Eigen::MatrixXd expected = expected_covariance(j);
        CHECK(max_abs_diff(model.covariance(k), expected) <= 64.0 * C::eps() * max_abs(expected));
      }

      // log p(x) against the same computation in double from the model's own parameters, as in
      // the consistency test: 16 eps (1 + |log p| + m).
      const Eigen::VectorXd log_density = model.score_samples(X).template cast<double>();
      double worst = 0.0;
      for (Index i = 0; i < X.rows(); ++i) {
        Eigen::Vector2d terms, mahalanobis;
        for (Index k = 0; k < 2; ++k) {
          const Eigen::LLT<Eigen::MatrixXd> llt(model.covariance(k).template cast<double>());
          const Eigen::VectorXd diff =
              (X.row(i).template cast<double>() - model.means().row(k).template cast<double>())
                  .transpose();
          mahalanobis(k) = llt.matrixL().solve(diff).squaredNorm();
          terms(k) = std::log(double(model.weights()(k))) -
                     0.5 * (double(D) * std::log(2.0 * 3.14159265358979323846) +
                            2.0 * llt.matrixL().toDenseMatrix().diagonal().array().log().sum() +
                            mahalanobis(k));
        }
        Index top = 0;
        terms.maxCoeff(&top);
        const double expected = terms(top) + std::log((terms.array() - terms(top)).exp().sum());
        worst = std::max(worst, std::abs(log_density(i) - expected) /
                                    (C::eps() * (1.0 + std::abs(expected) + mahalanobis(top))));
      }
      INFO("largest error of score_samples, in units of eps (1 + |log p| + m)");
      CHECK(worst <= 16.0);
    }
  }
}

}  // namespace emgmm_test_gaussian_mixture
