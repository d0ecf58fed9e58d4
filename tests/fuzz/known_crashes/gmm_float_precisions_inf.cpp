// emgmm::GaussianMixture<float, 2> (spherical, reg_covar = 0) fits without an error but its
// precisions() hold inf: the precision Cholesky factor is finite (about 1/sqrt(variance)) but
// its square overflows float. The dynamic-Dim float model on the same data is printed too.
// Build: g++ -std=c++17 -O2 -I include -I /usr/include/eigen3 gmm_float_precisions_inf.cpp
#include <emgmm/emgmm.hpp>
#include <iostream>
#include <iomanip>
template <int Dim>
bool run(const Eigen::MatrixXd& X) {
  typename emgmm::GaussianMixture<float, Dim>::Options o;
  o.n_components = 7;
  o.covariance_type = emgmm::CovarianceType::spherical;
  o.init_params = emgmm::InitParams::random;
  o.tol = 0.1;
  o.reg_covar = 0.0;
  o.max_iter = 4;
  o.n_init = 3;
  o.random_state = 13093571283691877813ull;
  o.weights_init = Eigen::VectorXf::Constant(7, 1.0f / 7);
  typename emgmm::GaussianMixture<float, Dim>::Means m(7, 2);
  m << 0.5, -2, 0.5, -2, 0.5, -2, -617081.402762622, -659405.637254167, -999142.278729002, -74.00390625,
       192156.862745098, -74.00390625, 0.5, -2;
  o.means_init = m;
  emgmm::GaussianMixture<float, Dim> gmm(o);
  try {
    gmm.fit(X);
  } catch (const emgmm::Error& e) {
    std::cout << "Dim " << Dim << ": " << e.message() << "\n";
    return true;
  }
  std::cout << std::setprecision(9) << "Dim " << Dim << ": covariances " << gmm.covariances().transpose()
            << "\n  precisions_cholesky " << gmm.precisions_cholesky().transpose()
            << "\n  precisions " << gmm.precisions().transpose() << "\n";
  return gmm.precisions().allFinite();
}
int main() {
  const double values[] = {   0, -3,    0, -3,    0, -3,    0, -3,    0, -3,    0, -3,    0, -3,    0, -3,    0, -3,    0, -3,    0, -3,    0, -3,    0, -3,    0, -3,    0, -3,    0, -3,    0, -3,    0, -3,    0, -3,    0, -3,    0, -3,    0, -3,    0, -3,    0, -3,    0, -3,   -2,  0,    0, -1,    0,  0,    0, -3,    0, -3,    0, -3,    0, -3,    0, -3,    0, -3,    0, -3,    0, -3,    0, -3,    0, -3,    0, -3,    0, -3,    0, -3,    0, -3};
  const Eigen::MatrixXd X = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, 2, Eigen::RowMajor>>(values, sizeof values / sizeof values[0] / 2, 2);
  const bool dynamic_ok = run<Eigen::Dynamic>(X);
  const bool fixed_ok = run<2>(X);
  return dynamic_ok && fixed_ok ? 0 : 1;
}
