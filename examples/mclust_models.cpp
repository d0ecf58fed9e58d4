// mclust's BIC plot of the Old Faithful data: the fourteen covariance models for G = 1..9
// components, each fitted by EM from mclust's hierarchical clustering, as R's
//     plot(mclustBIC(faithful))
// draws it in mclust's faithful example, written here as an SVG.
//
// emgmm::select_mclust_model does Mclust()'s sweep: hierarchical_merges once (VVV merges on
// the "SVD"-transformed data), cut at each G for the starting partition, EM with mclust's
// semantics, mclust's BIC (2 log L - parameters log n, larger is better). Models that cannot
// be fitted at some G (a singular covariance) are left out of the plot there, as mclust's NA.
//
// Usage: mclust_models [out.svg] [faithful.csv]
// (defaults: mclust_models.svg in the build directory, examples/data/faithful.csv).
// Exits with 1 unless the best model is mclust's: EEE with 3 components, BIC -2314.316
// (Mclust(faithful) with mclust 6.0.0; tests/reference/mclust_select_faithful.txt).

#include <emgmm/emgmm.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "blobs_plot.hpp"  // example::ticks, example::fmt

#ifndef EMGMM_EXAMPLE_OUTPUT_DIR
#define EMGMM_EXAMPLE_OUTPUT_DIR "."
#endif
#ifndef EMGMM_EXAMPLE_DATA_DIR
#define EMGMM_EXAMPLE_DATA_DIR "data"
#endif

namespace {

/// The numeric rows of a CSV file with a header line; lines starting with '#' are comments.
Eigen::MatrixXd read_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<std::vector<double>> rows;
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (header) {
      header = false;
      continue;
    }
    std::vector<double> row;
    std::stringstream fields(line);
    for (std::string field; std::getline(fields, field, ',');) row.push_back(std::stod(field));
    if (!rows.empty() && row.size() != rows[0].size()) {
      throw std::runtime_error(path + ": rows of different lengths");
    }
    rows.push_back(row);
  }
  if (rows.empty()) throw std::runtime_error(path + ": no data");
  Eigen::MatrixXd X(static_cast<Eigen::Index>(rows.size()),
                    static_cast<Eigen::Index>(rows[0].size()));
  for (Eigen::Index i = 0; i < X.rows(); ++i) {
    for (Eigen::Index j = 0; j < X.cols(); ++j) {
      X(i, j) = rows[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)];
    }
  }
  return X;
}

// mclust's plot colours and symbols differ per model; here 14 colours, and dashed lines for the
// models with equal volume (E..).
const char* const kModelColors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
                                    "#393b79", "#637939", "#8c6d31", "#843c39"};

/// BIC (y) against the number of components (x) per model, with a legend at the right.
void write_svg(const std::string& path, const emgmm::ModelSelection<double>& selection,
               const std::vector<int>& Gs) {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  for (const auto& row : selection.table) {
    if (!row.fitted()) continue;
    lo = std::min(lo, row.mclust_bic());
    hi = std::max(hi, row.mclust_bic());
  }
  const double margin = 0.04 * (hi - lo);
  lo -= margin;
  hi += margin;
  const double left = 90, top = 50, width = 560, height = 420;
  const double g0 = Gs.front() - 0.3, g1 = Gs.back() + 0.3;
  const auto px = [&](double g) { return left + (g - g0) / (g1 - g0) * width; };
  const auto py = [&](double b) { return top + (hi - b) / (hi - lo) * height; };

  std::ofstream svg(path);
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"800\" height=\"540\" "
         "font-family=\"sans-serif\">\n<rect width=\"800\" height=\"540\" fill=\"white\"/>\n"
      << "<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << width << "\" height=\""
      << height << "\" fill=\"#fafafa\" stroke=\"#333\"/>\n<g font-size=\"12\" fill=\"#333\">\n";
  for (const int g : Gs) {
    svg << "<text x=\"" << example::fmt("%.1f", px(g)) << "\" y=\"" << top + height + 18
        << "\" text-anchor=\"middle\">" << g << "</text>\n";
  }
  for (const double t : example::ticks(lo, hi - lo)) {
    svg << "<text x=\"" << left - 8 << "\" y=\"" << example::fmt("%.1f", py(t))
        << "\" dy=\"4\" text-anchor=\"end\">" << example::fmt("%g", t) << "</text>\n"
        << "<line x1=\"" << left << "\" x2=\"" << left + width << "\" y1=\""
        << example::fmt("%.1f", py(t)) << "\" y2=\"" << example::fmt("%.1f", py(t))
        << "\" stroke=\"#ddd\"/>\n";
  }
  svg << "<text x=\"" << left + width / 2 << "\" y=\"" << top + height + 40
      << "\" text-anchor=\"middle\">Number of components</text>\n"
      << "<text transform=\"translate(24," << top + height / 2
      << ") rotate(-90)\" text-anchor=\"middle\">BIC</text>\n"
      << "<text x=\"" << left + width / 2 << "\" y=\"30\" font-size=\"16\" font-weight=\"bold\" "
      << "text-anchor=\"middle\">Old Faithful: mclust's BIC per model (emgmm)</text>\n</g>\n";

  for (std::size_t m = 0; m < std::size(emgmm::kModelNames); ++m) {
    const emgmm::ModelName model = emgmm::kModelNames[m];
    const char* colour = kModelColors[m];
    const bool equal_volume = emgmm::to_string(model)[0] == 'E';
    std::string path_data;
    std::string markers;
    bool pen_down = false;  // an NA cell lifts the pen: the line breaks there
    for (const auto& row : selection.table) {
      if (row.model_name != model) continue;
      if (!row.fitted()) {
        pen_down = false;
        continue;
      }
      const std::string x = example::fmt("%.1f", px(row.n_components));
      const std::string y = example::fmt("%.1f", py(row.mclust_bic()));
      path_data += (pen_down ? "L" : "M") + x + "," + y + " ";
      pen_down = true;
      markers += "<circle cx=\"" + x + "\" cy=\"" + y + "\" r=\"2.5\"/>";
    }
    svg << "<g stroke=\"" << colour << "\" fill=\"" << colour << "\">"
        << "<path d=\"" << path_data << "\" fill=\"none\" stroke-width=\"1.5\""
        << (equal_volume ? " stroke-dasharray=\"5,3\"" : "") << "/>" << markers << "</g>\n";
    const double ly = top + 14 + 22.0 * static_cast<double>(m);
    svg << "<g stroke=\"" << colour << "\"><line x1=\"" << left + width + 20 << "\" x2=\""
        << left + width + 50 << "\" y1=\"" << ly << "\" y2=\"" << ly << "\" stroke-width=\"1.5\""
        << (equal_volume ? " stroke-dasharray=\"5,3\"" : "") << "/></g><text x=\""
        << left + width + 58 << "\" y=\"" << ly + 4 << "\" font-size=\"12\">"
        << emgmm::to_string(model) << "</text>\n";
  }
  svg << "</svg>\n";
  if (!svg) throw std::runtime_error("cannot write " + path);
}

}  // namespace

int main(int argc, char** argv) try {
  const std::string svg_path = argc > 1 ? argv[1] : EMGMM_EXAMPLE_OUTPUT_DIR "/mclust_models.svg";
  const std::string data_path = argc > 2 ? argv[2] : EMGMM_EXAMPLE_DATA_DIR "/faithful.csv";
  const Eigen::MatrixXd X = read_csv(data_path);

  const std::vector<int> Gs = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const emgmm::ModelSelection<double> selection = emgmm::select_mclust_model(X, Gs);

  // The BIC table as mclust prints it: G in rows, models in columns.
  std::printf("Bayesian Information Criterion (BIC), %ld points:\n   ", long(X.rows()));
  for (const emgmm::ModelName model : emgmm::kModelNames) {
    std::printf("%10s", emgmm::to_string(model));
  }
  for (const int g : Gs) {
    std::printf("\n%2d ", g);
    for (const auto& row : selection.table) {
      if (row.n_components != g) continue;
      if (row.fitted()) {
        std::printf("%10.2f", row.mclust_bic());
      } else {
        std::printf("%10s", "NA");
      }
    }
  }
  const emgmm::ModelSelectionRow& best = selection.best_row();
  std::printf("\n\nBest: %s with %d components, BIC %.3f\n", emgmm::to_string(*best.model_name),
              best.n_components, best.mclust_bic());
  write_svg(svg_path, selection, Gs);
  std::printf("Wrote %s\n", svg_path.c_str());

  const bool as_mclust = best.model_name == emgmm::ModelName::EEE && best.n_components == 3 &&
                         std::abs(best.mclust_bic() - (-2314.3162956657766)) < 1e-3;
  if (!as_mclust) {
    std::printf(
        "FAILED: mclust 6.0.0's Mclust(faithful) selects EEE with 3 components, BIC "
        "-2314.316\n");
    return 1;
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "mclust_models: %s\n", e.what());
  return 1;
}
