// ODR test, translation unit A (odr_b.cpp has main): both units include everything, so a
// function or variable that a header defines without `inline` is defined twice and the program
// fails to link (fmt's odr-test). Each unit also uses the library, so that both definitions
// are really linked in.
#include <emgmm/emgmm.hpp>

#include <string>

std::string odr_describe_in_a() {
  const emgmm::GaussianMixture<double> gmm(3);
  return std::string(emgmm::to_string(gmm.covariance_type())) + " x" +
         std::to_string(gmm.n_components());
}
