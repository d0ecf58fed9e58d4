// emgmm::KMeans fits "successfully" but returns NaN centers (double) or a NaN inertia (float)
// on finite data near the Scalar's largest value.
// Build: g++ -std=c++17 -O2 -I include -I /usr/include/eigen3 kmeans_nan.cpp
#include <emgmm/emgmm.hpp>
#include <iostream>
int main() {
  int failures = 0;
  {  // double: the column mean overflows to -inf, so every centered point is -inf or NaN.
    Eigen::MatrixXd X(3, 1);
    X << -1.6e308, -4, -1.6e308;
    emgmm::KMeans<double>::Options o;
    o.n_clusters = 2;
    o.random_state = 0;
    emgmm::KMeans<double> km(o);
    km.fit(X);
    std::cout << "double centers: " << km.cluster_centers().transpose() << ", inertia " << km.inertia() << "\n";
    failures += km.cluster_centers().hasNaN();
  }
  {  // float: squared distances overflow float; inf - inf in the distances gives NaN.
    Eigen::MatrixXf X(6, 2);
    X << -1, 4, 3, 3, -3.4e38f, -3.4e38f, -3.4e38f, -3.4e38f, 3.4e38f, 1e6f, 1e6f, -1e6f;
    emgmm::KMeans<float>::Options o;
    o.n_clusters = 3;
    o.random_state = 0;
    emgmm::KMeans<float> km(o);
    km.fit(X);
    std::cout << "float centers:\n" << km.cluster_centers() << "\ninertia " << km.inertia()
              << ", labels " << km.labels().transpose() << "\n";
    failures += std::isnan(km.inertia()) || km.cluster_centers().hasNaN();
  }
  return failures;
}
