#ifndef EMGMM_DETAIL_TEXT_FORMAT_HPP
#define EMGMM_DETAIL_TEXT_FORMAT_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

// The text layer of the saved-model format (documented in serialization.hpp): TextWriter and
// TextReader, which write and read `key value...` lines with exact, locale-free numbers and
// name the line and key in every error, and the reads and writes of the lines every format
// shares (first line, scalar, n_features, random_state, matrices). The formats themselves are
// in gaussian_mixture_format.hpp, bayesian_gaussian_mixture_format.hpp and kmeans_format.hpp.

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <ios>
#include <istream>
#include <limits>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "../covariance_type.hpp"
#include "../errors.hpp"
#include "validation.hpp"

namespace emgmm {
namespace detail {

/// The version of the text format that save() writes and load() reads (published as
/// emgmm::serialization_format_version in serialization.hpp).
inline constexpr int format_version = 1;

/// The Scalar's name in the format.
template <typename Scalar>
const char* scalar_name() {
  if (std::is_same<Scalar, float>::value) return "float";
  if (std::is_same<Scalar, double>::value) return "double";
  return "long_double";
}

/// Builds the saved text, every number by std::to_chars (no locale, shortest exact form).
class TextWriter {
 public:
  TextWriter& key(const char* name) {
    text_ += name;
    return *this;
  }
  TextWriter& word(const char* value) {
    text_ += ' ';
    text_ += value;
    return *this;
  }
  template <typename T>
  TextWriter& value(T number) {
    text_ += ' ';
    append(number);
    return *this;
  }
  /// A number at the start of a line.
  template <typename T>
  TextWriter& first(T number) {
    append(number);
    return *this;
  }
  TextWriter& flag(bool value) { return word(value ? "true" : "false"); }
  void end_line() { text_ += '\n'; }

  /// `name rows cols`, then one line per row.
  template <typename Derived>
  void matrix(const char* name, const Eigen::MatrixBase<Derived>& M) {
    key(name).value(M.rows()).value(M.cols());
    end_line();
    for (Eigen::Index i = 0; i < M.rows(); ++i) {
      for (Eigen::Index j = 0; j < M.cols(); ++j) {
        if (j > 0) text_ += ' ';
        append(M(i, j));
      }
      end_line();
    }
  }

  const std::string& text() const { return text_; }

 private:
  template <typename T>
  void append(T number) {
    char buffer[64];
    const std::to_chars_result result = std::to_chars(buffer, buffer + sizeof buffer, number);
    text_.append(buffer, result.ptr);
  }

  std::string text_;
};

/// Writes `text` to `out`; IOError when the stream fails (also with exceptions enabled).
inline void write_text(std::ostream& out, const std::string& text, const std::string& where) {
  bool ok = false;
  try {
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.flush();
    ok = static_cast<bool>(out);
  } catch (const std::ios_base::failure&) {
    ok = false;
  }
  if (!ok) {
    throw IOError(where +
                  ": writing the model to the stream failed (the stream is in a failed "
                  "state, or the device is full); check the stream or file.");
  }
}

inline void write_file(const std::string& path, const std::string& text, const std::string& where) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) {
    throw IOError(where + ": cannot open '" + path +
                  "' for writing; check that its directory exists and is writable.");
  }
  write_text(file, text, where);
}

/// Reads the saved text line by line, straight from the stream buffer (no locale, no
/// exception mask), and throws FormatError naming the function, line and key.
class TextReader {
 public:
  TextReader(std::istream& in, std::string where) : in_(in), where_(std::move(where)) {
    if (!in_.good() || in_.rdbuf() == nullptr) {
      fail_at(0, "",
              "the stream cannot be read (it is at its end or in a failed state); pass a "
              "stream opened on saved text.");
    }
  }

  /// The next line must be `key` followed by `n_values` tokens.
  void expect(const char* key, long long n_values) {
    key_ = key;  // named by the messages about this line, also when it is missing
    read_line(std::string("the key '") + key + "'", n_values);
    if (tokens_.empty() || tokens_[0] != key) {
      fail("expected the key '" + std::string(key) + "', found " +
           (tokens_.empty() ? std::string("an empty line") : "'" + shown(tokens_[0]) + "'") + ".");
    }
    check_count(n_values, 1, "after the key '" + std::string(key) + "'");
  }

  /// The next line is either `optional_key` and `n_optional` values, a line that older files
  /// lack (returns true; the caller reads its values, then expects `key`), or `key` and
  /// `n_values` values (returns false).
  bool expect_either(const char* optional_key, long long n_optional, const char* key,
                     long long n_values) {
    key_ = key;
    read_line(std::string("the key '") + key + "'", std::max(n_optional, n_values));
    if (!tokens_.empty() && tokens_[0] == optional_key) {
      key_ = optional_key;
      check_count(n_optional, 1, "after the key '" + std::string(optional_key) + "'");
      return true;
    }
    if (tokens_.empty() || tokens_[0] != key) {
      fail("expected the key '" + std::string(key) + "' (or '" + optional_key + "'), found " +
           (tokens_.empty() ? std::string("an empty line") : "'" + shown(tokens_[0]) + "'") + ".");
    }
    check_count(n_values, 1, "after the key '" + std::string(key) + "'");
    return false;
  }

  /// Reads the next line whatever its key (`what` is for the message at the end of the text).
  void expect_any(const std::string& what, long long n_values) {
    key_.clear();
    read_line(what, n_values);
    key_ = tokens_.empty() ? std::string() : shown(tokens_[0]);
  }

  std::size_t size() const { return tokens_.size(); }

  /// The next line must hold exactly `n_values` numbers (a row of the matrix `what`).
  void expect_values(long long n_values, const std::string& what) {
    read_line(what, n_values);
    check_count(n_values, 0, "in " + what);
  }

  /// Token i of the current line as an integer in [lo, hi]; `expected` says what it must be.
  template <typename T>
  T integer(std::size_t i, T lo, T hi, const std::string& name, const char* expected) const {
    const std::string_view text = tokens_[i];
    T value{};
    const std::from_chars_result result =
        std::from_chars(text.data(), text.data() + text.size(), value);
    if (result.ec != std::errc() || result.ptr != text.data() + text.size() || value < lo ||
        value > hi) {
      fail(name + " = '" + shown(text) + "' is not " + expected + ".");
    }
    return value;
  }

  /// Token i as a finite T (or -inf / +inf when `minus_infinity` / `plus_infinity` allow it),
  /// parsed exactly.
  template <typename T>
  T real(std::size_t i, const std::string& name, bool minus_infinity = false,
         bool plus_infinity = false) const {
    const std::string_view text = tokens_[i];
    T value{};
    const std::from_chars_result result =
        std::from_chars(text.data(), text.data() + text.size(), value);
    if (result.ec == std::errc::result_out_of_range) {
      fail(name + " = '" + shown(text) + "' is out of the range of " + scalar_name<T>() +
           "; expected a finite " + scalar_name<T>() + " number.");
    }
    if (result.ec != std::errc() || result.ptr != text.data() + text.size()) {
      fail(name + " = '" + shown(text) +
           "' is not a number; expected a decimal number such as 0.25 or -1.5e-07.");
    }
    if (std::isnan(value) || (std::isinf(value) && !(value < 0 ? minus_infinity : plus_infinity))) {
      fail(name + " = " + shown(text) +
           "; expected a finite number (NaN and infinity are not valid here).");
    }
    return value;
  }

  bool flag(std::size_t i, const std::string& name) const {
    if (tokens_[i] == "true") return true;
    if (tokens_[i] == "false") return false;
    fail(name + " = '" + shown(tokens_[i]) + "' is not 'true' or 'false'.");
  }

  std::string word(std::size_t i) const { return std::string(tokens_[i]); }

  /// For load(path): nothing may follow the `end` line.
  void expect_end_of_input() {
    using Traits = std::char_traits<char>;
    if (Traits::eq_int_type(next_character(false), Traits::eof())) return;
    ++line_;
    key_ = "";
    fail("unexpected text after the 'end' line; a saved model ends with its 'end' line.");
  }

  /// Marks the stream at its end if the reader reached it (state only, never throws).
  void finish() {
    if (!at_end_) return;
    try {
      in_.setstate(std::ios_base::eofbit);
    } catch (const std::ios_base::failure&) {
      // The caller asked for exceptions on eof; the model was read completely all the same.
    }
  }

  long long line() const { return line_; }
  const std::string& where() const { return where_; }

  [[noreturn]] void fail(const std::string& message) const { fail_at(line_, key_, message); }

  [[noreturn]] void fail_at(long long line, const std::string& key,
                            const std::string& message) const {
    std::string text = where_ + ": ";
    if (line > 0) text += "line " + to_text(line) + (key.empty() ? "" : " (" + key + ")") + ": ";
    throw FormatError(text + message, line, key);
  }

  /// At most 40 characters of a token, for messages.
  static std::string shown(std::string_view text) {
    return text.size() <= 40 ? std::string(text) : std::string(text.substr(0, 40)) + "...";
  }

 private:
  /// The stream buffer's next character, or IOError when reading fails (a directory, a device
  /// error), which libstdc++'s filebuf reports by throwing std::ios_base::failure.
  std::char_traits<char>::int_type next_character(bool consume) {
    try {
      return consume ? in_.rdbuf()->sbumpc() : in_.rdbuf()->sgetc();
    } catch (const std::ios_base::failure& error) {
      throw IOError(
          where_ + ": reading failed at line " + to_text(line_) + " (" + error.what() +
          "); check that the path is a readable file or the stream is open on saved text.");
    }
  }

  void read_line(const std::string& expected, long long n_values) {
    ++line_;
    text_.clear();
    tokens_.clear();
    // Every token is at most a few dozen characters; a longer line is not a saved model (and
    // must not make us read an endless stream into memory).
    const double limit = 64.0 * (double(n_values) + 2.0);
    using Traits = std::char_traits<char>;
    bool any = false;
    for (;;) {
      const Traits::int_type c = next_character(true);
      if (Traits::eq_int_type(c, Traits::eof())) {
        at_end_ = true;
        break;
      }
      any = true;
      if (Traits::to_char_type(c) == '\n') break;
      if (double(text_.size()) >= limit) {
        fail("the line is longer than " + to_text(static_cast<long long>(limit)) +
             " characters; expected " + expected + " with " + to_text(n_values) + " value(s).");
      }
      text_ += Traits::to_char_type(c);
    }
    if (!any) {
      fail_at(
          line_, key_,
          "the text ends here, but " + expected + " was expected; the saved model is truncated.");
    }
    if (!text_.empty() && text_.back() == '\r') text_.pop_back();  // written on Windows
    std::size_t start = 0;
    while (start < text_.size()) {
      while (start < text_.size() && (text_[start] == ' ' || text_[start] == '\t')) ++start;
      std::size_t stop = start;
      while (stop < text_.size() && text_[stop] != ' ' && text_[stop] != '\t') ++stop;
      if (stop > start) tokens_.emplace_back(text_.data() + start, stop - start);
      start = stop;
    }
  }

  void check_count(long long n_values, std::size_t skip, const std::string& what) const {
    const long long found = static_cast<long long>(tokens_.size()) - static_cast<long long>(skip);
    if (found != n_values) {
      fail("expected " + to_text(n_values) + " value(s) " + what + ", found " + to_text(found) +
           ".");
    }
  }

  std::istream& in_;
  std::string where_;
  std::string text_;
  std::vector<std::string_view> tokens_;
  std::string key_;
  long long line_ = 0;
  bool at_end_ = false;
};

/// The first line, `<magic> <version>`.
inline void write_header(TextWriter& w, const char* magic) {
  w.key(magic).value(format_version).end_line();
}

/// The first line, `<magic> <version>`, with a message that names the other kind of model.
inline void read_header(TextReader& reader, const char* magic, const char* model,
                        const char* other_magic, const char* other_model) {
  const std::string first_line = std::string(magic) + " " + to_text(format_version);
  reader.expect_any("the first line '" + first_line + "'", 1);
  if (reader.size() == 0 || reader.word(0) != magic) {
    if (reader.size() > 0 && reader.word(0) == other_magic) {
      reader.fail(std::string("this is a saved ") + other_model + ", not a " + model +
                  "; load it with " + other_model + "::load.");
    }
    reader.fail("expected the first line '" + first_line + "', found " +
                (reader.size() == 0 ? std::string("an empty line")
                                    : "'" + TextReader::shown(reader.word(0)) + "'") +
                "; this is not a " + model + " saved by emgmm.");
  }
  if (reader.size() != 2) {
    reader.fail("expected the format version after '" + std::string(magic) + "', as in '" +
                first_line + "'.");
  }
  const int version =
      reader.integer<int>(1, 0, INT_MAX, "format version", "a format version number");
  if (version != format_version) {
    reader.fail("format version " + to_text(version) +
                " is not supported: this emgmm reads version " + to_text(format_version) +
                " (a newer emgmm wrote it?); load it with the emgmm that saved it.");
  }
}

template <typename Scalar>
void read_scalar(TextReader& reader, const char* model) {
  reader.expect("scalar", 1);
  const std::string found = reader.word(1);
  if (found != scalar_name<Scalar>()) {
    if (found == "float" || found == "double" || found == "long_double") {
      reader.fail("the file holds a " + found + " model but this " + model +
                  " has Scalar = " + scalar_name<Scalar>() + "; load it with " + model + "<" +
                  (found == "long_double" ? std::string("long double") : found) +
                  ", Dim>::load (models are not converted, so that a round trip stays exact).");
    }
    reader.fail("scalar = '" + TextReader::shown(found) +
                "' is not one of float, double, long_double.");
  }
}

/// n_features, checked against a fixed Dim.
template <int Dim>
Eigen::Index read_n_features(TextReader& reader, const char* model) {
  reader.expect("n_features", 1);
  const auto D = reader.integer<long long>(1, 1, INT_MAX, "n_features", "an integer >= 1");
  if (Dim != Eigen::Dynamic && D != Dim) {
    reader.fail("the saved model has n_features = " + to_text(D) + " but this " + model +
                " has Dim = " + to_text(Dim) + "; load it with Dim = " + to_text(D) +
                " or Eigen::Dynamic.");
  }
  return static_cast<Eigen::Index>(D);
}

/// Fails unless rows x cols values of Scalar can be addressed (before any of them is read).
template <typename Scalar>
void check_addressable(TextReader& reader, double rows, double cols, const char* what) {
  const double largest =
      double(std::numeric_limits<Eigen::Index>::max()) / double(sizeof(Scalar)) / 4.0;
  if (rows * cols > largest) {
    reader.fail("the saved sizes make " + std::string(what) + " " + to_text(rows) + " x " +
                to_text(cols) + " values, more than can be addressed; the header is corrupt.");
  }
}

/// `random_state` and its value or `none`.
inline void write_random_state(TextWriter& w, const std::optional<std::uint64_t>& random_state) {
  if (random_state) {
    w.key("random_state").value(*random_state).end_line();
  } else {
    w.key("random_state").word("none").end_line();
  }
}

inline std::optional<std::uint64_t> read_random_state(TextReader& reader) {
  reader.expect("random_state", 1);
  if (reader.word(1) == "none") return std::nullopt;
  return reader.integer<std::uint64_t>(1, 0, std::numeric_limits<std::uint64_t>::max(),
                                       "random_state", "'none' or an unsigned 64-bit integer");
}

/// Reads `name rows cols` and fails unless they are the expected counts (`shape` says what they
/// are, in the message). With `optional`, `name 0 0` passes too and means not given: returns
/// false.
inline bool read_matrix_header(TextReader& reader, const char* name, Eigen::Index rows,
                               Eigen::Index cols, const std::string& shape, bool optional = false) {
  reader.expect(name, 2);
  if (optional && reader.word(1) == "0" && reader.word(2) == "0") return false;
  const auto found_rows =
      reader.integer<long long>(1, 0, LLONG_MAX, std::string(name) + " rows", "a row count");
  const auto found_cols =
      reader.integer<long long>(2, 0, LLONG_MAX, std::string(name) + " columns", "a column count");
  if (found_rows != rows || found_cols != cols) {
    reader.fail("the matrix is " + to_text(found_rows) + " x " + to_text(found_cols) +
                " but must be " + (optional ? "0 x 0 (not given) or " : "") + to_text(rows) +
                " x " + to_text(cols) + " (" + shape + ").");
  }
  return true;
}

/// The rows of a matrix after its header (read_matrix_header): the values in row-major order.
/// Memory grows with the values actually read.
template <typename Scalar>
std::vector<Scalar> read_matrix_values(TextReader& reader, const char* name, Eigen::Index rows,
                                       Eigen::Index cols) {
  std::vector<Scalar> values;
  values.reserve(static_cast<std::size_t>(std::min<double>(double(rows) * double(cols), 4096.0)));
  for (Eigen::Index i = 0; i < rows; ++i) {
    const std::string row = "row " + to_text(i) + " of " + name;
    reader.expect_values(cols, row);
    for (Eigen::Index j = 0; j < cols; ++j) {
      values.push_back(
          reader.real<Scalar>(static_cast<std::size_t>(j),
                              std::string(name) + "(" + to_text(i) + ", " + to_text(j) + ")"));
    }
  }
  return values;
}

/// `name rows cols` (which must be the expected ones), then the rows; the values in row-major
/// order.
template <typename Scalar>
std::vector<Scalar> read_matrix(TextReader& reader, const char* name, Eigen::Index rows,
                                Eigen::Index cols, const std::string& shape) {
  read_matrix_header(reader, name, rows, cols, shape);
  return read_matrix_values<Scalar>(reader, name, rows, cols);
}

template <typename Matrix, typename Scalar>
Matrix to_matrix(const std::vector<Scalar>& values, Eigen::Index rows, Eigen::Index cols) {
  using RowMajor = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  return Matrix(Eigen::Map<const RowMajor>(values.data(), rows, cols));
}

inline bool parse_covariance_type(const std::string& name, CovarianceType& type) {
  for (const CovarianceType candidate : {CovarianceType::full, CovarianceType::tied,
                                         CovarianceType::diag, CovarianceType::spherical}) {
    if (name == to_string(candidate)) {
      type = candidate;
      return true;
    }
  }
  return false;
}

inline bool parse_init_params(const std::string& name, InitParams& init) {
  for (const InitParams candidate : {InitParams::kmeans, InitParams::k_means_plus_plus,
                                     InitParams::random, InitParams::random_from_data}) {
    if (name == to_string(candidate)) {
      init = candidate;
      return true;
    }
  }
  return false;
}

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_TEXT_FORMAT_HPP
