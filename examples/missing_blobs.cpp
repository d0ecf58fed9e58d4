// Missing values: the unevenly spread blobs of blobs.cpp with 20% of their entries hidden.
//
// Each coordinate of each point is hidden (set to NaN) with probability 0.2, independently:
// missing completely at random. A three-component Gaussian mixture is fitted to what is left,
// marginalizing the hidden entries (GaussianMixtureOptions::missing_values =
// MissingValues::marginalize: no row is dropped, none is filled in before the fit), then
// impute() fills each hidden entry with its expectation given the point's observed coordinate
// under the fitted mixture.
//
// Prints the error of the imputed entries beside filling each with its column's mean, and the
// adjusted Rand index of predict() on the points that kept a coordinate, and draws two panels as an
// SVG: the points with nothing hidden and the fitted components; each point with one hidden
// coordinate at its imputed position (ring), joined to where it truly was (dot).
//
// Usage: missing_blobs [output.svg]     (default: missing_blobs.svg in the build directory)
// Exits with 1 if the imputation is not better than the column means, or the ARI is below 0.85
// (it is 0.89: a point with one coordinate hidden can lie between two blobs).

#include <emgmm/emgmm.hpp>

#include "blobs_plot.hpp"

#include <Eigen/Dense>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

using namespace example;  // the data, the ARI and the SVG plotter: blobs_plot.hpp

#ifndef EMGMM_EXAMPLE_OUTPUT_DIR
#define EMGMM_EXAMPLE_OUTPUT_DIR "."
#endif

int main(int argc, char** argv) try {
  const std::string svg_path = argc > 1 ? argv[1] : EMGMM_EXAMPLE_OUTPUT_DIR "/missing_blobs.svg";
  const Blobs blobs = make_blobs(500, {1.0, 2.5, 0.5}, 170);  // blobs.cpp's data
  const Eigen::MatrixXd& truth = blobs.X;
  const int k = 3;

  // Hide 20% of the entries, each independently.
  const double missing_fraction = 0.2;
  Rng rng(2024);
  Eigen::MatrixXd X = truth;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    for (Eigen::Index d = 0; d < X.cols(); ++d) {
      if (rng.uniform() < missing_fraction) X(i, d) = nan;
    }
  }
  const Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic> hidden = X.array().isNaN();
  const Eigen::VectorXi hidden_per_row = hidden.rowwise().count().cast<int>();

  emgmm::GaussianMixture<double>::Options options;
  options.n_components = k;
  options.covariance_type = emgmm::CovarianceType::full;
  options.random_state = 0;
  options.missing_values = emgmm::MissingValues::marginalize;
  emgmm::GaussianMixture<double> gmm(options);
  const Eigen::VectorXi labels = gmm.fit_predict(X);
  const Eigen::MatrixXd imputed = gmm.impute(X);

  // The baseline: each hidden entry replaced by the mean of its column's observed entries.
  Eigen::Vector2d column_mean;
  for (Eigen::Index d = 0; d < 2; ++d) {
    double sum = 0.0;
    Eigen::Index count = 0;
    for (Eigen::Index i = 0; i < X.rows(); ++i) {
      if (!hidden(i, d)) {
        sum += X(i, d);
        ++count;
      }
    }
    column_mean(d) = sum / double(count);
  }
  // Root-mean-square errors over the entries hidden in rows that kept one coordinate (a row
  // with nothing observed can only get the mixture's mean, which says nothing of the method).
  double mixture_error = 0.0, mean_error = 0.0;
  Eigen::Index n_imputed = 0;
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    if (hidden_per_row(i) != 1) continue;
    for (Eigen::Index d = 0; d < 2; ++d) {
      if (!hidden(i, d)) continue;
      mixture_error += std::pow(imputed(i, d) - truth(i, d), 2);
      mean_error += std::pow(column_mean(d) - truth(i, d), 2);
      ++n_imputed;
    }
  }
  mixture_error = std::sqrt(mixture_error / double(n_imputed));
  mean_error = std::sqrt(mean_error / double(n_imputed));
  // The ARI over the points with at least one observed coordinate: a point with none carries
  // no information and gets the heaviest component (the README's "Missing values").
  std::vector<Eigen::Index> informative;
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    if (hidden_per_row(i) < 2) informative.push_back(i);
  }
  Eigen::VectorXi informative_truth(static_cast<Eigen::Index>(informative.size()));
  Eigen::VectorXi informative_labels(informative_truth.size());
  for (std::size_t j = 0; j < informative.size(); ++j) {
    informative_truth(static_cast<Eigen::Index>(j)) = blobs.y(informative[j]);
    informative_labels(static_cast<Eigen::Index>(j)) = labels(informative[j]);
  }
  const double ari = adjusted_rand_index(informative_truth, informative_labels);

  const auto rows_with = [&](int n) { return (hidden_per_row.array() == n).count(); };
  std::printf(
      "%lld points, %.0f%% of the entries hidden at random: %lld points complete, %lld "
      "with one coordinate hidden, %lld with both\n\n",
      static_cast<long long>(X.rows()), 100.0 * missing_fraction,
      static_cast<long long>(rows_with(0)), static_cast<long long>(rows_with(1)),
      static_cast<long long>(rows_with(2)));
  std::printf(
      "GaussianMixture (3 components, full, missing_values = marginalize): %s after %d "
      "EM iterations\n",
      gmm.converged() ? "converged" : "NOT converged", gmm.n_iter());
  std::printf(
      "  adjusted Rand index of predict() on the points with an observed coordinate: "
      "%.4f\n",
      ari);
  std::printf("  RMS error of the %lld imputed entries: %.3f  (column means: %.3f)\n\n",
              static_cast<long long>(n_imputed), mixture_error, mean_error);

  // Two panels over the same square data box (the true points').
  const Eigen::Vector2d lo = truth.colwise().minCoeff(), hi = truth.colwise().maxCoeff();
  const double span = 1.06 * (hi - lo).maxCoeff();
  const Eigen::Vector2d corner = (lo + hi) / 2.0 - Eigen::Vector2d::Constant(span / 2.0);
  const double size = 440, gap = 70, left = 50, top = 45;
  const double width = left + 2 * size + gap + 20, height = top + size + 60;
  const std::vector<int> perm = match_labels(blobs.y, labels, k);

  std::ostringstream svg;
  svg << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" viewBox=\"0 0 " << width << ' ' << height
      << "\" font-family=\"Helvetica, Arial, sans-serif\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";

  // Left: the complete points by fitted component, and the components.
  const Panel complete_panel{left, top, size, corner.x(), corner.y(), span};
  draw_axes(svg, complete_panel, 0,
            "Complete points, and the mixture fitted to all (ARI = " + fmt("%.3f", ari) + ")");
  std::vector<Eigen::Index> complete_rows;
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    if (hidden_per_row(i) == 0) complete_rows.push_back(i);
  }
  const auto n_complete = static_cast<Eigen::Index>(complete_rows.size());
  Eigen::MatrixXd complete(n_complete, 2);
  Eigen::VectorXi complete_labels(n_complete);
  for (Eigen::Index j = 0; j < n_complete; ++j) {
    complete.row(j) = X.row(complete_rows[static_cast<std::size_t>(j)]);
    complete_labels(j) = labels(complete_rows[static_cast<std::size_t>(j)]);
  }
  draw_points(svg, complete_panel, complete, complete_labels, perm);
  for (int c = 0; c < k; ++c) {
    draw_ellipses(svg, complete_panel, 0, gmm.means().row(c).transpose(), gmm.covariance(c),
                  color(perm[static_cast<std::size_t>(c)]));
  }

  // Right: the points with one hidden coordinate, imputed (ring) and true (dot), joined.
  const Panel imputed_panel{left + size + gap, top, size, corner.x(), corner.y(), span};
  draw_axes(
      svg, imputed_panel, 1,
      "One coordinate hidden: imputed (ring) and true (dot), RMSE " + fmt("%.2f", mixture_error));
  svg << "<g clip-path=\"url(#clip1)\">\n";
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    if (hidden_per_row(i) != 1) continue;
    const char* stroke = color(perm[static_cast<std::size_t>(labels(i))]);
    const std::string x0 = fmt("%.1f", imputed_panel.px(imputed(i, 0)));
    const std::string y0 = fmt("%.1f", imputed_panel.py(imputed(i, 1)));
    const std::string x1 = fmt("%.1f", imputed_panel.px(truth(i, 0)));
    const std::string y1 = fmt("%.1f", imputed_panel.py(truth(i, 1)));
    svg << "<line x1=\"" << x0 << "\" y1=\"" << y0 << "\" x2=\"" << x1 << "\" y2=\"" << y1
        << "\" stroke=\"#999\" stroke-width=\"0.8\"/>\n"
        << "<circle cx=\"" << x1 << "\" cy=\"" << y1 << "\" r=\"2\" fill=\"" << stroke
        << "\" fill-opacity=\"0.7\"/>\n"
        << "<circle cx=\"" << x0 << "\" cy=\"" << y0 << "\" r=\"3.2\" fill=\"none\" stroke=\""
        << stroke << "\" stroke-width=\"1.4\"/>\n";
  }
  svg << "</g>\n";
  svg << "<text x=\"" << imputed_panel.left + imputed_panel.size << "\" y=\""
      << imputed_panel.top + imputed_panel.size + 42
      << "\" font-size=\"13\" fill=\"#555\" text-anchor=\"end\">colors: the fitted component of "
         "each point; column means would give RMSE "
      << fmt("%.2f", mean_error) << "</text>\n";
  svg << "</svg>\n";

  std::ofstream file(svg_path);
  file << svg.str();
  if (!file) {
    std::cerr << "missing_blobs: could not write " << svg_path << '\n';
    return 1;
  }
  std::printf("wrote %s\n", svg_path.c_str());

  if (!(mixture_error < mean_error)) {
    std::fprintf(stderr,
                 "missing_blobs: FAILED: imputation RMSE %.3f is not below the column "
                 "means' %.3f\n",
                 mixture_error, mean_error);
    return 1;
  }
  if (ari < 0.85) {
    std::fprintf(stderr, "missing_blobs: FAILED: the ARI %.4f is below 0.85\n", ari);
    return 1;
  }
  return 0;
} catch (const std::exception& error) {
  std::cerr << "missing_blobs: " << error.what() << '\n';
  return 1;
}
