// KMeans versus a Gaussian mixture on three blobs of very different spread.
//
// The data are those of scikit-learn's "Demonstration of k-means assumptions" (unevenly spread
// blobs): make_blobs(n_samples=1500, cluster_std=[1.0, 2.5, 0.5], random_state=170), that is
// three 2-D isotropic Gaussians whose centers are drawn uniformly in [-10, 10]^2, 500 points
// each. KMeans cuts space halfway between centers, so the wide blob loses points to its
// neighbours; a full-covariance mixture models each spread and recovers the blobs.
//
// Prints the adjusted Rand index (ARI) of both clusterings against the truth and draws the
// three labelings side by side, with the mixture's 1-sigma and 2-sigma ellipses, as an SVG.
//
// Usage: blobs [output.svg]        (default: blobs.svg in the build directory)
// Exits with 1 if the mixture's ARI is below 0.95 (it is 0.98 for this data).

#include <emgmm/emgmm.hpp>

#include "blobs_plot.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace example;  // the data, the ARI and the SVG plotter: blobs_plot.hpp

// The build directory (examples/CMakeLists.txt), or the current one when built by hand.
#ifndef EMGMM_EXAMPLE_OUTPUT_DIR
#define EMGMM_EXAMPLE_OUTPUT_DIR "."
#endif

int main(int argc, char** argv) try {
  const std::string svg_path = argc > 1 ? argv[1] : EMGMM_EXAMPLE_OUTPUT_DIR "/blobs.svg";
  const std::uint64_t data_seed = 170;  // as sklearn's example's random_state
  const Blobs blobs = make_blobs(500, {1.0, 2.5, 0.5}, data_seed);
  const Eigen::MatrixXd& X = blobs.X;
  const int k = 3;

  // KMeans with scikit-learn's defaults (k-means++, 10 runs); the seed makes the run repeatable.
  emgmm::KMeans<double>::Options kmeans_options;
  kmeans_options.n_clusters = k;
  kmeans_options.random_state = 0;
  emgmm::KMeans<double> kmeans(kmeans_options);
  const Eigen::VectorXi kmeans_labels = kmeans.fit_predict(X);

  // A mixture of three full-covariance Gaussians, started from one KMeans run.
  emgmm::GaussianMixture<double>::Options gmm_options;
  gmm_options.n_components = k;
  gmm_options.covariance_type = emgmm::CovarianceType::full;
  gmm_options.random_state = 0;
  emgmm::GaussianMixture<double> gmm(gmm_options);
  const Eigen::VectorXi gmm_labels = gmm.fit_predict(X);

  const double kmeans_ari = adjusted_rand_index(blobs.y, kmeans_labels);
  const double gmm_ari = adjusted_rand_index(blobs.y, gmm_labels);

  std::printf("%lld points in %d blobs with standard deviations 1.0, 2.5, 0.5 (seed %llu)\n\n",
              static_cast<long long>(X.rows()), k, static_cast<unsigned long long>(data_seed));
  std::printf("%-44s ARI = %.4f\n", "KMeans (k-means++, 10 runs)", kmeans_ari);
  std::printf("%-44s ARI = %.4f  (%s after %d EM iterations)\n\n",
              "GaussianMixture (3 components, full)", gmm_ari,
              gmm.converged() ? "converged" : "NOT converged", gmm.n_iter());
  if (kmeans_ari < gmm_ari - 0.01) {
    std::printf(
        "KMeans does worse: its straight boundaries give the wide blob's outer points\n"
        "to its neighbours, while the mixture fits each blob's own spread.\n\n");
  } else {
    std::printf("On this draw KMeans does about as well as the mixture.\n\n");
  }

  const std::vector<int> gmm_perm = match_labels(blobs.y, gmm_labels, k);
  std::printf("component  weight   mean               standard deviations (sqrt of eigenvalues)\n");
  for (int c = 0; c < k; ++c) {
    const Eigen::Matrix2d cov = gmm.covariance(c);
    const Eigen::Vector2d sd = eigen_2x2(cov).eigenvalues().cwiseSqrt();
    std::printf("%9d  %6.3f   (%6.2f, %6.2f)   %.2f, %.2f   (blob %d)\n", c, gmm.weights()(c),
                gmm.means()(c, 0), gmm.means()(c, 1), sd(1), sd(0),
                gmm_perm[static_cast<std::size_t>(c)]);
  }

  // The three panels show the same square data box, so their scales are equal in x and y.
  const Eigen::Vector2d lo = X.colwise().minCoeff(), hi = X.colwise().maxCoeff();
  const double span = 1.06 * (hi - lo).maxCoeff();
  const Eigen::Vector2d corner = (lo + hi) / 2.0 - Eigen::Vector2d::Constant(span / 2.0);
  const double size = 400, gap = 70, left = 50, top = 45;
  const double width = left + 3 * size + 2 * gap + 20, height = top + size + 60;

  std::ostringstream svg;
  svg << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" viewBox=\"0 0 " << width << ' ' << height
      << "\" font-family=\"Helvetica, Arial, sans-serif\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  std::vector<int> identity(static_cast<std::size_t>(k));
  std::iota(identity.begin(), identity.end(), 0);
  const std::string titles[] = {"Ground truth", "KMeans (ARI = " + fmt("%.3f", kmeans_ari) + ")",
                                "GaussianMixture, full (ARI = " + fmt("%.3f", gmm_ari) + ")"};
  const Eigen::VectorXi* labels[] = {&blobs.y, &kmeans_labels, &gmm_labels};
  const std::vector<int> perms[] = {identity, match_labels(blobs.y, kmeans_labels, k), gmm_perm};
  for (int i = 0; i < 3; ++i) {
    const Panel p{left + i * (size + gap), top, size, corner.x(), corner.y(), span};
    draw_axes(svg, p, i, titles[i]);
    draw_points(svg, p, X, *labels[i], perms[i]);
    if (i == 2) {
      for (int c = 0; c < k; ++c) {
        draw_ellipses(svg, p, i, gmm.means().row(c).transpose(), gmm.covariance(c),
                      color(gmm_perm[static_cast<std::size_t>(c)]));
      }
      svg << "<text x=\"" << p.left + p.size << "\" y=\"" << p.top + p.size + 42
          << "\" font-size=\"13\" fill=\"#555\" text-anchor=\"end\">ellipses: 1&#963; (solid)"
             " and 2&#963; (dashed) of each component</text>\n";
    }
  }
  svg << "</svg>\n";

  std::ofstream file(svg_path);
  file << svg.str();
  if (!file) {
    std::cerr << "blobs: could not write " << svg_path << '\n';
    return 1;
  }
  std::printf("\nwrote %s\n", svg_path.c_str());

  const double min_gmm_ari = 0.95;
  if (gmm_ari < min_gmm_ari) {
    std::fprintf(stderr, "blobs: FAILED: the mixture's ARI %.4f is below %.2f\n", gmm_ari,
                 min_gmm_ari);
    return 1;
  }
  return 0;
} catch (const std::exception& error) {
  std::cerr << "blobs: " << error.what() << '\n';
  return 1;
}
