// Online EM: fitting a CSV file chunk by chunk with partial_fit, never holding it in memory.
//
// The program first writes stream.csv (200000 rows "x,y" from four 2-D Gaussians, in random
// order) into the build directory (or the path given), then reads it back 1000 lines at a time and
// calls GaussianMixture::partial_fit on each chunk: the memory used is one chunk, however large the
// file. For comparison it also fits the whole file at once, and prints both models.
//
// Exits with 1 if the online model's mean log-likelihood is not within 1% of the batch fit's
// or its means are not within 0.1 of the true ones.
//
//   ./build/examples/online_csv [file.csv]

#include <emgmm/emgmm.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <fstream>
#include <functional>
#include <limits>
#include <locale>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

// The build directory (examples/CMakeLists.txt), or the current one when built by hand.
#ifndef EMGMM_EXAMPLE_OUTPUT_DIR
#define EMGMM_EXAMPLE_OUTPUT_DIR "."
#endif

namespace {

constexpr int kComponents = 4;
constexpr long kRows = 200000;
const double kMeans[kComponents][2] = {{0.0, 0.0}, {5.0, 1.0}, {-3.0, 4.0}, {1.0, -5.0}};
const double kScales[kComponents][2] = {{1.0, 0.6}, {0.5, 1.2}, {0.8, 0.8}, {1.3, 0.5}};

/// Writes the data set: component drawn uniformly, then mean + scale * standard normal
/// (Box–Muller from raw std::mt19937_64 output, so every standard library writes the same file).
void write_csv(const std::string& path) {
  std::ofstream out(path);
  out.imbue(std::locale::classic());
  out.precision(17);
  std::mt19937_64 engine(42);
  const auto uniform = [&] { return (static_cast<double>(engine() >> 11) + 0.5) * 0x1.0p-53; };
  out << "x,y\n";
  for (long i = 0; i < kRows; ++i) {
    const auto k = static_cast<int>(engine() % kComponents);
    const double radius = std::sqrt(-2.0 * std::log(uniform()));
    const double angle = 6.283185307179586 * uniform();
    out << kMeans[k][0] + kScales[k][0] * radius * std::cos(angle) << ','
        << kMeans[k][1] + kScales[k][1] * radius * std::sin(angle) << '\n';
  }
  if (!out) throw std::runtime_error("cannot write " + path);
}

/// Calls `consume` on consecutive chunks of at most `chunk_rows` rows of a two-column CSV file
/// with a header line. Only one chunk is in memory at a time.
void for_each_chunk(const std::string& path, Eigen::Index chunk_rows,
                    const std::function<void(const Eigen::MatrixX2d&)>& consume) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::string line;
  std::getline(in, line);  // header
  Eigen::MatrixX2d chunk(chunk_rows, 2);
  Eigen::Index rows = 0;
  long line_number = 1;
  std::istringstream fields;
  fields.imbue(std::locale::classic());
  while (std::getline(in, line)) {
    ++line_number;
    fields.clear();
    fields.str(line);
    char comma = 0;
    if (!(fields >> chunk(rows, 0) >> comma >> chunk(rows, 1)) || comma != ',') {
      throw std::runtime_error(path + ":" + std::to_string(line_number) +
                               ": expected \"x,y\", got \"" + line + "\"");
    }
    if (++rows == chunk_rows) {
      consume(chunk);
      rows = 0;
    }
  }
  if (rows > 0) consume(chunk.topRows(rows));
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string path = argc > 1 ? argv[1] : EMGMM_EXAMPLE_OUTPUT_DIR "/stream.csv";
    write_csv(path);

    emgmm::GaussianMixture2d::Options options;
    options.n_components = kComponents;
    options.random_state = 3;

    emgmm::GaussianMixture2d online(options);
    long chunks = 0;
    for_each_chunk(path, 1000, [&](const Eigen::MatrixX2d& chunk) {
      online.partial_fit(chunk);
      ++chunks;
    });

    // The batch fit and the scores need the whole file; a real stream would score on a sample.
    Eigen::MatrixX2d all(kRows, 2);
    Eigen::Index row = 0;
    for_each_chunk(path, 1000, [&](const Eigen::MatrixX2d& chunk) {
      all.middleRows(row, chunk.rows()) = chunk;
      row += chunk.rows();
    });
    emgmm::GaussianMixture2d batch(options);
    batch.fit(all);

    const double online_score = online.score(all);
    const double batch_score = batch.score(all);
    std::printf("%s: %ld rows in %ld chunks of 1000\n", path.c_str(), kRows, chunks);
    std::printf("online (partial_fit): mean log-likelihood %.5f\n", online_score);
    std::printf(
        "batch  (fit, %2d iterations): mean log-likelihood %.5f (relative difference %.2e)\n",
        batch.n_iter(), batch_score, std::abs(online_score - batch_score) / std::abs(batch_score));
    double worst = 0.0;
    for (int k = 0; k < kComponents; ++k) {
      double nearest = std::numeric_limits<double>::infinity();
      for (int j = 0; j < kComponents; ++j) {
        nearest = std::min(nearest, std::hypot(online.means()(k, 0) - kMeans[j][0],
                                               online.means()(k, 1) - kMeans[j][1]));
      }
      worst = std::max(worst, nearest);
      std::printf(
          "  component %d: weight %.3f, mean (%6.3f, %6.3f), %.3f from the nearest true mean\n", k,
          online.weights()(k), online.means()(k, 0), online.means()(k, 1), nearest);
    }
    const bool ok =
        std::abs(online_score - batch_score) <= 0.01 * std::abs(batch_score) && worst < 0.1;
    std::printf("%s\n", ok ? "online fit within 1% of the batch fit; means recovered"
                           : "FAILED: the online fit is not close to the batch fit");
    return ok ? 0 : 1;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "online_csv: %s\n", error.what());
    return 2;
  }
}
