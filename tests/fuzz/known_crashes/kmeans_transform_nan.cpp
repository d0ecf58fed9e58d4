// emgmm::KMeans<float>::transform returns NaN for finite points whose distance to a center
// fits in float but whose squared distance does not (> 3.4e38), e.g. 2e19.
// Build: g++ -std=c++17 -O2 -I include -I /usr/include/eigen3 kmeans_transform_nan.cpp
#include <emgmm/emgmm.hpp>
#include <iostream>
int main() {
  Eigen::MatrixXf X(4, 1);
  X << 0, 1, 10, 11;
  emgmm::KMeans<float>::Options options;
  options.n_clusters = 2;
  options.random_state = 0;
  emgmm::KMeans<float> km(options);
  km.fit(X);
  Eigen::MatrixXf Q = Eigen::MatrixXf::Constant(4, 1, 2e19f);  // 4 rows: Eigen's packet path
  std::cout << "centers: " << km.cluster_centers().transpose() << "\n"
            << "transform(Q):\n" << km.transform(Q) << "\n"           // nan (expected about 2e19)
            << "transform(Q.topRows(1)): " << km.transform(Q.topRows(1)) << "\n";  // inf
  return km.transform(Q).hasNaN() ? 1 : 0;
}
