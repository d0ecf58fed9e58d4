// A consumer's file, compiled by the consumer_warnings tests with -O2 -march=native -fopenmp
// -Wall -Wextra -Werror (tests/consumer_warnings.cmake): it fits each model the way the README
// does, so that every kernel a user's program instantiates is compiled under those flags, and
// the fixed-size one-feature model on which GCC 12 gives false -Warray-bounds. Compiled only,
// never run: the tests are about warnings.

#include <emgmm/emgmm.hpp>

#include <Eigen/Core>

int main() {
  const Eigen::MatrixXd X = Eigen::MatrixXd::Random(300, 3);
  const Eigen::VectorXi labels = emgmm::GaussianMixture<double>(3).fit_predict(X);

  emgmm::BayesianGaussianMixtureOptions<float> options;
  options.n_components = 4;
  options.covariance_type = emgmm::CovarianceType::diag;
  emgmm::BayesianGaussianMixture<float> bayesian(options);
  bayesian.fit(X.cast<float>());

  emgmm::KMeans<double> kmeans(3);
  kmeans.fit(X);

  const Eigen::Matrix<double, Eigen::Dynamic, 1> column = X.col(0);
  emgmm::GaussianMixture<double, 1> one_feature(2);
  one_feature.fit(column);

  return labels(0) + bayesian.predict(X.cast<float>())(0) + kmeans.predict(X)(0) +
         one_feature.predict(column)(0);
}
