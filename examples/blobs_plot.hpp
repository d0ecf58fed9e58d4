// What examples/blobs.cpp and examples/auto_components.cpp share: the blobs data (as
// scikit-learn's make_blobs, generated with a portable seeded generator), the adjusted Rand
// index, the matching of cluster labels to the true blobs, and a small SVG plotter for 2-D
// points and Gaussian ellipses. Example code, not part of the library.
#ifndef EMGMM_EXAMPLES_BLOBS_PLOT_HPP
#define EMGMM_EXAMPLES_BLOBS_PLOT_HPP

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <numeric>
#include <ostream>
#include <random>
#include <string>
#include <vector>

namespace example {

inline constexpr double kPi = 3.14159265358979323846;

/// Uniform and standard normal numbers from a seeded std::mt19937_64. The engine's output is
/// fixed by the C++ standard but the algorithms of std::normal_distribution and friends are
/// not, so the transforms are written out here: the same seed gives the same data with
/// libstdc++, libc++ and MSVC.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  /// Uniform in [0, 1), from the top 53 bits of one draw.
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

  /// Standard normal by the Box–Muller transform; the second value of each pair is kept.
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = 1.0 - uniform();  // in (0, 1], so log(u1) is finite
    const double u2 = uniform();
    const double radius = std::sqrt(-2.0 * std::log(u1));
    spare_ = radius * std::sin(2.0 * kPi * u2);
    has_spare_ = true;
    return radius * std::cos(2.0 * kPi * u2);
  }

 private:
  std::mt19937_64 engine_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

struct Blobs {
  Eigen::MatrixXd X;  // one point per row
  Eigen::VectorXi y;  // the blob each point was drawn from
};

/// Isotropic 2-D Gaussian blobs, `n_per_blob` points each, centers uniform in [-10, 10]^2.
inline Blobs make_blobs(Eigen::Index n_per_blob, const std::vector<double>& stddevs,
                        std::uint64_t seed) {
  Rng rng(seed);
  const auto n_blobs = static_cast<Eigen::Index>(stddevs.size());
  Eigen::MatrixXd centers(n_blobs, 2);
  for (Eigen::Index k = 0; k < n_blobs; ++k) {
    for (Eigen::Index d = 0; d < 2; ++d) centers(k, d) = -10.0 + 20.0 * rng.uniform();
  }
  Blobs blobs{Eigen::MatrixXd(n_blobs * n_per_blob, 2), Eigen::VectorXi(n_blobs * n_per_blob)};
  for (Eigen::Index k = 0; k < n_blobs; ++k) {
    for (Eigen::Index i = k * n_per_blob; i < (k + 1) * n_per_blob; ++i) {
      for (Eigen::Index d = 0; d < 2; ++d) {
        blobs.X(i, d) = centers(k, d) + stddevs[static_cast<std::size_t>(k)] * rng.normal();
      }
      blobs.y(i) = static_cast<int>(k);
    }
  }
  return blobs;
}

/// Adjusted Rand index of two labelings (labels 0, 1, ...), from their contingency table:
/// Hubert & Arabie (1985), as sklearn.metrics.adjusted_rand_score. 1 for identical
/// partitions (whatever the label names), about 0 for random ones.
inline double adjusted_rand_index(const Eigen::VectorXi& truth, const Eigen::VectorXi& predicted) {
  Eigen::MatrixXd table = Eigen::MatrixXd::Zero(truth.maxCoeff() + 1, predicted.maxCoeff() + 1);
  for (Eigen::Index i = 0; i < truth.size(); ++i) table(truth(i), predicted(i)) += 1.0;
  const auto pairs = [](double m) { return m * (m - 1.0) / 2.0; };
  const double index = table.unaryExpr(pairs).sum();
  const double rows = table.rowwise().sum().unaryExpr(pairs).sum();
  const double cols = table.colwise().sum().unaryExpr(pairs).sum();
  const double expected = rows * cols / pairs(static_cast<double>(truth.size()));
  const double max_index = (rows + cols) / 2.0;
  if (max_index == expected) return 1.0;  // both labelings trivial: sklearn's convention
  return (index - expected) / (max_index - expected);
}

/// The renaming of `predicted`'s labels that agrees with `truth` on the most points, so that a
/// cluster is drawn in the color of the blob it found. Tries every permutation (k is small).
inline std::vector<int> match_labels(const Eigen::VectorXi& truth, const Eigen::VectorXi& predicted,
                                     int k) {
  Eigen::MatrixXi table = Eigen::MatrixXi::Zero(k, k);
  for (Eigen::Index i = 0; i < truth.size(); ++i) table(predicted(i), truth(i)) += 1;
  std::vector<int> perm(static_cast<std::size_t>(k));
  std::iota(perm.begin(), perm.end(), 0);
  std::vector<int> best = perm;
  int best_agree = -1;
  do {
    int agree = 0;
    for (int c = 0; c < k; ++c) agree += table(c, perm[static_cast<std::size_t>(c)]);
    if (agree > best_agree) {
      best_agree = agree;
      best = perm;
    }
  } while (std::next_permutation(perm.begin(), perm.end()));
  return best;
}

// ---- SVG drawing --------------------------------------------------------------------------

inline const char* const kColors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                      "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};
inline const char* color(int label) { return kColors[label % 8]; }

inline std::string fmt(const char* format, double a) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, a);
  return buffer;
}

/// One square panel: the data box [x0, x0 + span] x [y0, y0 + span] drawn as a `size` px square
/// whose top left corner is at (left, top). Equal spans keep circles round.
struct Panel {
  double left, top, size, x0, y0, span;
  double px(double x) const { return left + (x - x0) / span * size; }
  double py(double y) const { return top + (y0 + span - y) / span * size; }  // y grows upwards
  double scale() const { return size / span; }
};

/// Tick positions inside [lo, lo + span]: about five multiples of a round step (1, 2 or 5
/// times a power of ten). Integer multiples, so no drift from repeated addition and no "-0".
inline std::vector<double> ticks(double lo, double span) {
  const double raw = span / 5.0;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  double step = 10.0 * power;
  for (double m : {5.0, 2.0, 1.0}) {
    if (m * power >= raw) step = m * power;  // the smallest round step of at least `raw`
  }
  std::vector<double> values;
  for (long i = std::lround(std::ceil(lo / step));; ++i) {
    const double t = static_cast<double>(i) * step;
    if (t > lo + span) break;
    values.push_back(t);
  }
  return values;
}

/// Background, frame, ticks, tick labels, title, and a clip path `clip<id>` for the box.
inline void draw_axes(std::ostream& svg, const Panel& p, int id, const std::string& title) {
  svg << "<clipPath id=\"clip" << id << "\"><rect x=\"" << p.left << "\" y=\"" << p.top
      << "\" width=\"" << p.size << "\" height=\"" << p.size << "\"/></clipPath>\n"
      << "<rect x=\"" << p.left << "\" y=\"" << p.top << "\" width=\"" << p.size << "\" height=\""
      << p.size << "\" fill=\"#fafafa\" stroke=\"#333\"/>\n"
      << "<g stroke=\"#333\" font-size=\"12\" fill=\"#333\">\n";
  const double bottom = p.top + p.size;
  for (const double t : ticks(p.x0, p.span)) {
    const std::string x = fmt("%.1f", p.px(t));
    svg << "<line x1=\"" << x << "\" y1=\"" << bottom << "\" x2=\"" << x << "\" y2=\"" << bottom + 5
        << "\"/><text x=\"" << x << "\" y=\"" << bottom + 19
        << "\" stroke=\"none\" text-anchor=\"middle\">" << fmt("%g", t) << "</text>\n";
  }
  for (const double t : ticks(p.y0, p.span)) {
    const std::string y = fmt("%.1f", p.py(t));
    svg << "<line x1=\"" << p.left - 5 << "\" y1=\"" << y << "\" x2=\"" << p.left << "\" y2=\"" << y
        << "\"/><text x=\"" << p.left - 8 << "\" y=\"" << y
        << "\" dy=\"4\" stroke=\"none\" text-anchor=\"end\">" << fmt("%g", t) << "</text>\n";
  }
  svg << "</g>\n<text x=\"" << p.left + p.size / 2 << "\" y=\"" << p.top - 12
      << "\" font-size=\"16\" font-weight=\"bold\" text-anchor=\"middle\">" << title << "</text>\n";
}

/// The points, colored by label after renaming labels with `perm`.
inline void draw_points(std::ostream& svg, const Panel& p, const Eigen::MatrixXd& X,
                        const Eigen::VectorXi& labels, const std::vector<int>& perm) {
  for (int k = 0; k < static_cast<int>(perm.size()); ++k) {
    svg << "<g fill=\"" << color(perm[static_cast<std::size_t>(k)]) << "\" fill-opacity=\"0.6\">\n";
    for (Eigen::Index i = 0; i < X.rows(); ++i) {
      if (labels(i) != k) continue;
      svg << "<circle cx=\"" << fmt("%.1f", p.px(X(i, 0))) << "\" cy=\""
          << fmt("%.1f", p.py(X(i, 1))) << "\" r=\"2.2\"/>\n";
    }
    svg << "</g>\n";
  }
}

/// Eigenvalues (ascending) and eigenvectors of a symmetric 2 x 2 matrix. computeDirect is
/// Eigen's closed form for 2 x 2 and 3 x 3; the iterative compute() also works but makes GCC 12
/// warn (-Wmaybe-uninitialized, a false positive inside Eigen 3.4).
inline Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d> eigen_2x2(const Eigen::Matrix2d& matrix) {
  Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d> solver;
  solver.computeDirect(matrix);
  return solver;
}

/// The 1-sigma and 2-sigma ellipses of a 2-D Gaussian: axes along the eigenvectors of the
/// covariance, half-lengths sqrt(eigenvalue) times 1 and 2.
inline void draw_ellipses(std::ostream& svg, const Panel& p, int id, const Eigen::Vector2d& mean,
                          const Eigen::Matrix2d& covariance, const char* stroke) {
  const auto eigen = eigen_2x2(covariance);
  const Eigen::Vector2d major = eigen.eigenvectors().col(1);  // eigenvalues ascend
  // Screen y points down, so an angle measured counterclockwise in data space is negated.
  const double degrees = -std::atan2(major.y(), major.x()) * 180.0 / kPi;
  const double minor_radius = std::sqrt(eigen.eigenvalues()(0)) * p.scale();
  const double major_radius = std::sqrt(eigen.eigenvalues()(1)) * p.scale();
  const std::string x = fmt("%.2f", p.px(mean.x())), y = fmt("%.2f", p.py(mean.y()));
  const std::string rx = fmt("%.2f", major_radius), ry = fmt("%.2f", minor_radius);
  const std::string rx2 = fmt("%.2f", 2 * major_radius), ry2 = fmt("%.2f", 2 * minor_radius);
  // Each line is drawn twice, over a wider white halo, to stand out over points of its color.
  svg << "<g clip-path=\"url(#clip" << id << ")\" fill=\"none\">\n<g transform=\"translate(" << x
      << ' ' << y << ") rotate(" << fmt("%.2f", degrees) << ")\">\n"
      << "<ellipse rx=\"" << rx << "\" ry=\"" << ry << "\" fill=\"" << stroke
      << "\" fill-opacity=\"0.1\" stroke=\"white\" stroke-width=\"5\" stroke-opacity=\"0.8\"/>\n"
      << "<ellipse rx=\"" << rx << "\" ry=\"" << ry << "\" stroke=\"" << stroke
      << "\" stroke-width=\"2.5\"/>\n"
      << "<ellipse rx=\"" << rx2 << "\" ry=\"" << ry2
      << "\" stroke=\"white\" stroke-width=\"4\" stroke-opacity=\"0.8\"/>\n"
      << "<ellipse rx=\"" << rx2 << "\" ry=\"" << ry2 << "\" stroke=\"" << stroke
      << "\" stroke-width=\"2\" stroke-dasharray=\"7 4\"/>\n</g>\n"
      << "<path d=\"M " << x << ' ' << y << " m -5 0 h 10 m -5 -5 v 10\" stroke=\"white\""
      << " stroke-width=\"5\"/>\n"
      << "<path d=\"M " << x << ' ' << y << " m -5 0 h 10 m -5 -5 v 10\" stroke=\"#222\""
      << " stroke-width=\"2\"/>\n</g>\n";
}

}  // namespace example

#endif  // EMGMM_EXAMPLES_BLOBS_PLOT_HPP
