// The README's quick start: fit a three-component Gaussian mixture and query it.
#include <emgmm/emgmm.hpp>

#include <iostream>
#include <random>

int main() {
  // 300 points around three centers, one point per row.
  std::mt19937_64 rng(42);
  std::normal_distribution<double> noise(0.0, 1.0);
  const double centers[3][2] = {{0, 0}, {8, 0}, {4, 6}};
  Eigen::MatrixXd X(300, 2);
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    for (int d = 0; d < 2; ++d) X(i, d) = centers[i % 3][d] + noise(rng);
  }

  // Every scikit-learn parameter is an Options field, with the same name and default;
  // random_state makes the result the same at every run, with any number of threads.
  emgmm::GaussianMixture<double>::Options opts;
  opts.n_components = 3;
  opts.random_state = 0;
  emgmm::GaussianMixture<double> gmm(opts);
  Eigen::VectorXi labels = gmm.fit_predict(X);

  std::cout << "first labels: " << labels.head(6).transpose() << '\n';
  std::cout << "weights: " << gmm.weights().transpose() << '\n';
  std::cout << "means:\n" << gmm.means() << '\n';
  std::cout << "P(component | (4, 5)): " << gmm.predict_proba(Eigen::RowVector2d(4, 5)) << '\n';
  std::cout << "mean log-likelihood: " << gmm.score(X) << '\n';

  opts.covariance_type = emgmm::CovarianceType::diag;
  opts.n_init = 5;
  emgmm::GaussianMixture<double> diag(opts);
  std::cout << "BIC: diag " << diag.fit(X).bic(X) << ", full " << gmm.bic(X) << '\n';

  return gmm.converged() && diag.converged() ? 0 : 1;
}
