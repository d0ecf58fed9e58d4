// ODR test, translation unit B: the same includes as odr_a.cpp, and main().
#include <emgmm/emgmm.hpp>

#include <iostream>
#include <string>

std::string odr_describe_in_a();

namespace {

std::string describe_in_b() {
  const emgmm::GaussianMixture<double> gmm(3);
  return std::string(emgmm::to_string(gmm.covariance_type())) + " x" +
         std::to_string(gmm.n_components());
}

}  // namespace

int main() {
  const std::string a = odr_describe_in_a();
  const std::string b = describe_in_b();
  std::cout << "unit A: " << a << ", unit B: " << b << " (emgmm " << EMGMM_VERSION_MAJOR << '.'
            << EMGMM_VERSION_MINOR << '.' << EMGMM_VERSION_PATCH << ")\n";
  return a == b && a == "full x3" ? 0 : 1;
}
