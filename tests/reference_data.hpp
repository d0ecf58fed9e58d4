// Reader for the scikit-learn reference files in tests/reference/ (written by
// tests/reference/generate_reference.py). Depends on Eigen and the standard library only.
//
// Format: a line starting with '#' is a comment; every entry is a header line
// "name rows cols" followed by rows * cols numbers (row by row, any line breaks).
// Scalars are 1 x 1 entries; integers (labels, n_iter, booleans as 0/1) are plain numbers.
// Reals are written with Python's repr(), the shortest text that reads back to the same
// double, and are read with std::strtod, which rounds correctly: the values are exact.
#ifndef EMGMM_TESTS_REFERENCE_DATA_HPP
#define EMGMM_TESTS_REFERENCE_DATA_HPP

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

namespace emgmm_test {

/// The entries of one reference file, by name.
class ReferenceData {
 public:
  /// Reads `path`; throws std::runtime_error naming the file and line when it cannot be read
  /// or is malformed.
  static ReferenceData load(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
      throw std::runtime_error("reference data: cannot open '" + path +
                               "' (regenerate with /usr/bin/python3 "
                               "tests/reference/generate_reference.py)");
    }
    // Tokens with their line numbers, comments and blank lines dropped.
    std::vector<std::pair<std::string, int>> tokens;
    std::string line;
    for (int line_no = 1; std::getline(in, line); ++line_no) {
      const auto first = line.find_first_not_of(" \t\r");
      if (first == std::string::npos || line[first] == '#') continue;
      std::istringstream words(line);
      std::string word;
      while (words >> word) tokens.emplace_back(word, line_no);
    }

    ReferenceData data;
    data.path_ = path;
    std::size_t pos = 0;
    const auto where = [&](std::size_t i) {
      return path + ":" + std::to_string(i < tokens.size() ? tokens[i].second : -1);
    };
    while (pos < tokens.size()) {
      if (pos + 3 > tokens.size()) {
        throw std::runtime_error("reference data: " + where(pos) +
                                 ": truncated header, expected 'name rows cols'");
      }
      const std::string name = tokens[pos].first;
      const long rows = parse_count(tokens[pos + 1].first, where(pos + 1));
      const long cols = parse_count(tokens[pos + 2].first, where(pos + 2));
      pos += 3;
      if (data.entries_.count(name) != 0) {
        throw std::runtime_error("reference data: " + where(pos - 3) + ": duplicate entry '" +
                                 name + "'");
      }
      Eigen::MatrixXd m(rows, cols);
      for (long i = 0; i < rows; ++i) {
        for (long j = 0; j < cols; ++j, ++pos) {
          if (pos >= tokens.size()) {
            throw std::runtime_error("reference data: " + path + ": entry '" + name + "' (" +
                                     std::to_string(rows) + " x " + std::to_string(cols) +
                                     ") ends after " + std::to_string(i * cols + j) + " numbers");
          }
          m(i, j) = parse_real(tokens[pos].first, where(pos), name);
        }
      }
      data.entries_.emplace(name, std::move(m));
    }
    return data;
  }

  const std::string& path() const { return path_; }

  bool contains(const std::string& name) const { return entries_.count(name) != 0; }

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& entry : entries_) out.push_back(entry.first);
    return out;
  }

  /// The entry `name`; throws std::out_of_range listing the entries the file does have.
  const Eigen::MatrixXd& matrix(const std::string& name) const {
    const auto it = entries_.find(name);
    if (it == entries_.end()) {
      std::string have;
      for (const auto& entry : entries_) have += (have.empty() ? "" : ", ") + entry.first;
      throw std::out_of_range("reference data: '" + path_ + "' has no entry '" + name +
                              "' (it has: " + have + ")");
    }
    return it->second;
  }

  /// A column entry (n x 1) as a vector.
  Eigen::VectorXd vector(const std::string& name) const {
    const Eigen::MatrixXd& m = matrix(name);
    if (m.cols() != 1) shape_error(name, "a column (n x 1)", m);
    return m.col(0);
  }

  /// A 1 x 1 entry.
  double scalar(const std::string& name) const {
    const Eigen::MatrixXd& m = matrix(name);
    if (m.rows() != 1 || m.cols() != 1) shape_error(name, "a scalar (1 x 1)", m);
    return m(0, 0);
  }

  /// A 1 x 1 entry holding an integer.
  int integer(const std::string& name) const {
    const double v = scalar(name);
    if (v != std::floor(v)) {
      throw std::runtime_error("reference data: '" + path_ + "': entry '" + name +
                               "' is not an integer");
    }
    return static_cast<int>(v);
  }

  /// A column entry of integers (labels).
  Eigen::VectorXi integers(const std::string& name) const {
    const Eigen::VectorXd v = vector(name);
    if ((v.array() != v.array().floor()).any()) {
      throw std::runtime_error("reference data: '" + path_ + "': entry '" + name +
                               "' is not all integers");
    }
    return v.cast<int>();
  }

 private:
  static long parse_count(const std::string& text, const std::string& where) {
    char* end = nullptr;
    const long v = std::strtol(text.c_str(), &end, 10);
    if (end == text.c_str() || *end != '\0' || v < 0) {
      throw std::runtime_error("reference data: " + where + ": expected a row/column count, got '" +
                               text + "'");
    }
    return v;
  }

  // std::strtod follows the C locale, which a test program does not change.
  static double parse_real(const std::string& text, const std::string& where,
                           const std::string& name) {
    char* end = nullptr;
    // (No errno check: glibc reports ERANGE for subnormal results, which are valid here.)
    const double v = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0' || !std::isfinite(v)) {
      throw std::runtime_error("reference data: " + where + ": entry '" + name +
                               "': expected a finite number, got '" + text + "'");
    }
    return v;
  }

  [[noreturn]] void shape_error(const std::string& name, const char* expected,
                                const Eigen::MatrixXd& m) const {
    throw std::runtime_error("reference data: '" + path_ + "': entry '" + name + "' is " +
                             std::to_string(m.rows()) + " x " + std::to_string(m.cols()) +
                             ", expected " + expected);
  }

  std::string path_;
  std::map<std::string, Eigen::MatrixXd> entries_;
};

/// Path of a file in the reference directory (the EMGMM_TEST_DATA_DIR compile definition).
inline std::string reference_path(const std::string& file) {
#ifdef EMGMM_TEST_DATA_DIR
  return std::string(EMGMM_TEST_DATA_DIR) + "/" + file;
#else
  return "tests/reference/" + file;
#endif
}

}  // namespace emgmm_test

#endif  // EMGMM_TESTS_REFERENCE_DATA_HPP
