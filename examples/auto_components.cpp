// How many clusters? Let a Bayesian mixture decide.
//
// The blobs of examples/blobs.cpp (three 2-D Gaussians of standard deviations 1.0, 2.5 and 0.5,
// 500 points each) fitted by emgmm::BayesianGaussianMixture with n_components = 10, an upper
// bound rather than a guess. Under its Dirichlet-process prior with a small
// weight_concentration_prior, variational inference leaves the components the data do not
// need with weights near zero: the effective number of components is the number of weights
// above 1%. GaussianMixture, asked for 10 components, would use all 10.
//
// Prints every component's weight, the effective number of components and the adjusted Rand
// index against the truth; draws the data colored by component with the 1- and 2-sigma
// ellipses of the effective components, as an SVG.
//
// Usage: auto_components [output.svg]        (default: auto_components.svg in the build directory)
// Exits with 1 unless exactly 3 components remain and the ARI is at least 0.95.

#include <emgmm/emgmm.hpp>

#include "blobs_plot.hpp"

#include <cstdint>
#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

using namespace example;  // the data, the ARI and the SVG plotter: blobs_plot.hpp

// The build directory (examples/CMakeLists.txt), or the current one when built by hand.
#ifndef EMGMM_EXAMPLE_OUTPUT_DIR
#define EMGMM_EXAMPLE_OUTPUT_DIR "."
#endif

int main(int argc, char** argv) try {
  const std::string svg_path = argc > 1 ? argv[1] : EMGMM_EXAMPLE_OUTPUT_DIR "/auto_components.svg";
  const Blobs blobs = make_blobs(500, {1.0, 2.5, 0.5}, 170);
  const Eigen::MatrixXd& X = blobs.X;

  emgmm::BayesianGaussianMixture<double>::Options options;
  options.n_components = 10;  // at most ten
  options.covariance_type = emgmm::CovarianceType::full;
  options.weight_concentration_prior_type = emgmm::WeightConcentrationPriorType::dirichlet_process;
  options.weight_concentration_prior = 0.01;  // few components are expected a priori
  options.max_iter = 500;                     // the unneeded components fade slowly
  options.random_state = 0;
  emgmm::BayesianGaussianMixture<double> model(options);
  const Eigen::VectorXi labels = model.fit_predict(X);

  const double threshold = 0.01;
  int effective = 0;
  std::printf(
      "BayesianGaussianMixture, n_components = 10, full, dirichlet_process, "
      "weight_concentration_prior = 0.01\n%s after %d iterations, lower bound %.3f\n\n",
      model.converged() ? "converged" : "NOT converged", model.n_iter(), model.lower_bound());
  std::printf("component  weight     mean\n");
  for (int k = 0; k < model.n_components(); ++k) {
    const double weight = model.weights()(k);
    const bool kept = weight > threshold;
    effective += kept ? 1 : 0;
    std::printf("%9d  %.2e   (%6.2f, %6.2f)%s\n", k, weight, model.means()(k, 0),
                model.means()(k, 1), kept ? "" : "   switched off");
  }
  const double ari = adjusted_rand_index(blobs.y, labels);
  std::printf("\neffective number of components (weight > %.0f%%): %d   (the data have 3 blobs)\n",
              100 * threshold, effective);
  std::printf("adjusted Rand index against the true blobs: %.4f\n", ari);

  // One panel over the square data box, points colored by component, ellipses of the kept ones.
  const Eigen::Vector2d lo = X.colwise().minCoeff(), hi = X.colwise().maxCoeff();
  const double span = 1.06 * (hi - lo).maxCoeff();
  const Eigen::Vector2d corner = (lo + hi) / 2.0 - Eigen::Vector2d::Constant(span / 2.0);
  const double size = 500, left = 50, top = 45;
  const double width = left + size + 20, height = top + size + 60;
  std::ostringstream svg;
  svg << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" viewBox=\"0 0 " << width << ' ' << height
      << "\" font-family=\"Helvetica, Arial, sans-serif\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  const Panel panel{left, top, size, corner.x(), corner.y(), span};
  draw_axes(
      svg, panel, 0,
      "n_components = 10: " + std::to_string(effective) + " used (ARI = " + fmt("%.3f", ari) + ")");
  std::vector<int> identity(static_cast<std::size_t>(model.n_components()));
  for (std::size_t k = 0; k < identity.size(); ++k) identity[k] = static_cast<int>(k);
  draw_points(svg, panel, X, labels, identity);
  for (int k = 0; k < model.n_components(); ++k) {
    if (model.weights()(k) > threshold) {
      draw_ellipses(svg, panel, 0, model.means().row(k).transpose(), model.covariance(k), color(k));
    }
  }
  svg << "<text x=\"" << left + size << "\" y=\"" << top + size + 42
      << "\" font-size=\"13\" fill=\"#555\" text-anchor=\"end\">ellipses: 1&#963; (solid) and "
         "2&#963; "
         "(dashed) of the components of weight above 1%</text>\n</svg>\n";
  std::ofstream file(svg_path);
  file << svg.str();
  if (!file) {
    std::cerr << "auto_components: could not write " << svg_path << '\n';
    return 1;
  }
  std::printf("\nwrote %s\n", svg_path.c_str());

  if (effective != 3 || ari < 0.95) {
    std::fprintf(stderr,
                 "auto_components: FAILED: %d effective components (expected 3), ARI %.4f "
                 "(expected >= 0.95)\n",
                 effective, ari);
    return 1;
  }
  return 0;
} catch (const std::exception& error) {
  std::cerr << "auto_components: " << error.what() << '\n';
  return 1;
}
