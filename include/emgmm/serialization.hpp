#ifndef EMGMM_SERIALIZATION_HPP
#define EMGMM_SERIALIZATION_HPP

#include "detail/diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

/// Saving and loading fitted models: GaussianMixture, BayesianGaussianMixture and KMeans's
/// save / load.
///
/// The format is versioned text, one `key value...` line after another in a fixed order, that
/// a person can read and a diff can compare. A GaussianMixture<double> with K = 2 components
/// in D = 2 dimensions, covariance_type 'diag' and random_state 42, fitted on eight points:
///
///     emgmm-gaussian-mixture 1        <- kind of model and format version
///     scalar double                   <- float or double: the model's Scalar
///     covariance_type diag
///     n_components 2
///     n_features 2
///     tol 0.001                       <- the options (GaussianMixtureOptions), under their names
///     reg_covar 1e-06
///     max_iter 100
///     n_init 1
///     init_params kmeans
///     random_state 42                 <- or `none`
///     warm_start false
///     verbose 0
///     verbose_interval 10
///     reseed_collapsed_components false
///     learning_decay 0.7              <- partial_fit's step sizes
///     learning_offset 1
///     converged true                  <- the fitted attributes
///     n_iter 2
///     lower_bound -2.2458275811628368
///     weights 0.5 0.5
///     means 2 2                       <- a matrix: its rows and columns, then one line per row
///     6.7 5.65
///     0.675 0.75
///     covariances 2 2                 <- in covariances()' storage (covariance_type.hpp)
///     0.24500099999999986 0.35250099999999984
///     0.2168759999999999 0.31250099999999986
///     precisions_cholesky 2 2
///     2.020300966045433 1.6843014530546574
///     2.1473075578208083 1.7888515198396902
///     end
///
/// A BayesianGaussianMixture file starts `emgmm-bayesian-gaussian-mixture 1` and adds its prior
/// options and posterior (see BayesianMixtureFormat below).
///
/// A KMeans file starts `emgmm-kmeans 1`, then scalar, n_clusters, n_features, the options
/// init (k-means++ or random), n_init, max_iter, tol, random_state, verbose, then inertia,
/// n_iter, `cluster_centers K D` with its rows, `labels n` followed by one line of the n
/// training labels (sklearn's pickled KMeans keeps labels_ too), and `end`.
///
/// Numbers are written in the shortest decimal form that reads back to the same value
/// (std::to_chars) and read with std::from_chars, independently of any locale: every saved
/// number, option and fitted attribute loads bit for bit, so a loaded model predicts, scores
/// and (with the same random_state) samples exactly as the saved one did. precisions() is
/// recomputed from precisions_cholesky() by the same code as fit().
///
/// Not saved: the callback, the statistics_reducer and the starts (weights_init, means_init,
/// precisions_init, init_centers), which only matter to a refit from scratch; set them again
/// with set_params(). Nor partial_fit's running statistics: after load, the first partial_fit
/// chunk starts them afresh.
///
/// Loading checks everything and throws FormatError (an InvalidArgument) whose message names
/// the function, the line, the key, what was found and what was expected: truncated text, a
/// wrong first line or an unknown version, a float file loaded into a double model (or the
/// reverse: load it with the Scalar it was saved with), n_features different from a fixed Dim,
/// a line with the wrong key or number of values, a number that does not parse, is out of
/// range, NaN or infinite (lower_bound alone may be -inf, for a model fitted with
/// max_iter = 0), an invalid option, weights outside [0, 1] or not summing to one, a
/// covariance that is not exactly symmetric or not positive definite, precisions_cholesky
/// that do not invert the covariances, labels out of range, and, when loading from a path,
/// anything after `end`. Sizes come from the text itself: the loader allocates only for values it
/// has read, so a header that claims 10^12 components fails as truncated, not by allocating.
/// Loading ends in the same validity check as fitting (detail/model_check.hpp): parameters
/// that parse but do not form a usable model (precisions that overflow, means so far apart
/// that squared distances overflow) are a FormatError too. Loading returns a new model and
/// changes no existing one. Files that cannot be opened or read (a directory), and streams
/// that fail while reading or saving, throw IOError naming the path.

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

#include "covariance_type.hpp"
#include "detail/covariance.hpp"
#include "detail/model_check.hpp"
#include "detail/parameters.hpp"
#include "detail/validation.hpp"
#include "detail/variational.hpp"
#include "errors.hpp"
#include "options.hpp"

namespace emgmm {

template <typename Scalar, int Dim>
class GaussianMixture;
template <typename Scalar, int Dim>
class KMeans;
template <typename Scalar, int Dim>
class BayesianGaussianMixture;

/// The version of the text format that save() writes and load() reads.
inline constexpr int serialization_format_version = 1;

namespace detail {

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
  T real(std::size_t i, const std::string& name, bool minus_infinity = false, bool plus_infinity = false) const {
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
      throw IOError(where_ + ": reading failed at line " + to_text(line_) + " (" + error.what() +
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

/// The first line, `<magic> <version>`, with a message that names the other kind of model.
inline void read_header(TextReader& reader, const char* magic, const char* model,
                        const char* other_magic, const char* other_model) {
  const std::string first_line = std::string(magic) + " " + to_text(serialization_format_version);
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
  if (version != serialization_format_version) {
    reader.fail("format version " + to_text(version) +
                " is not supported: this emgmm reads version " +
                to_text(serialization_format_version) +
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

inline std::optional<std::uint64_t> read_random_state(TextReader& reader) {
  reader.expect("random_state", 1);
  if (reader.word(1) == "none") return std::nullopt;
  return reader.integer<std::uint64_t>(1, 0, std::numeric_limits<std::uint64_t>::max(),
                                       "random_state", "'none' or an unsigned 64-bit integer");
}

/// `name rows cols` (which must be the expected ones), then the rows; the values in row-major
/// order. Memory grows with the values actually read.
template <typename Scalar>
std::vector<Scalar> read_matrix(TextReader& reader, const char* name, Eigen::Index rows,
                                Eigen::Index cols, const std::string& shape) {
  reader.expect(name, 2);
  const auto found_rows =
      reader.integer<long long>(1, 0, LLONG_MAX, std::string(name) + " rows", "a row count");
  const auto found_cols =
      reader.integer<long long>(2, 0, LLONG_MAX, std::string(name) + " columns", "a column count");
  if (found_rows != rows || found_cols != cols) {
    reader.fail("the matrix is " + to_text(found_rows) + " x " + to_text(found_cols) +
                " but must be " + to_text(rows) + " x " + to_text(cols) + " (" + shape + ").");
  }
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

/// The options both mixtures share, tol through verbose_interval, in the format's order.
template <typename MixtureOptions>
void write_mixture_options(TextWriter& w, const MixtureOptions& o) {
  w.key("tol").value(o.tol).end_line();
  w.key("reg_covar").value(o.reg_covar).end_line();
  w.key("max_iter").value(o.max_iter).end_line();
  w.key("n_init").value(o.n_init).end_line();
  w.key("init_params").word(to_string(o.init_params)).end_line();
  if (o.random_state) {
    w.key("random_state").value(*o.random_state).end_line();
  } else {
    w.key("random_state").word("none").end_line();
  }
  w.key("warm_start").flag(o.warm_start).end_line();
  w.key("verbose").value(o.verbose).end_line();
  w.key("verbose_interval").value(o.verbose_interval).end_line();
}

template <typename Scalar, typename MixtureOptions>
void read_mixture_options(TextReader& r, MixtureOptions& o) {
  r.expect("tol", 1);
  o.tol = r.real<double>(1, "tol");
  if (!(o.tol >= 0.0)) r.fail("tol = " + to_text(o.tol) + " must be >= 0.");
  r.expect("reg_covar", 1);
  o.reg_covar = r.real<double>(1, "reg_covar");
  if (!(o.reg_covar >= 0.0) || o.reg_covar > double(std::numeric_limits<Scalar>::max()) / 4) {
    r.fail("reg_covar = " + to_text(o.reg_covar) +
           " must be >= 0 and at most a quarter of the Scalar's largest value.");
  }
  r.expect("max_iter", 1);
  o.max_iter = r.integer<int>(1, 0, INT_MAX, "max_iter", "an integer >= 0");
  r.expect("n_init", 1);
  o.n_init = r.integer<int>(1, 1, INT_MAX, "n_init", "an integer >= 1");
  r.expect("init_params", 1);
  if (!parse_init_params(r.word(1), o.init_params)) {
    r.fail("init_params = '" + TextReader::shown(r.word(1)) +
           "' is not one of kmeans, k-means++, random, random_from_data.");
  }
  o.random_state = read_random_state(r);
  r.expect("warm_start", 1);
  o.warm_start = r.flag(1, "warm_start");
  r.expect("verbose", 1);
  o.verbose = r.integer<int>(1, 0, INT_MAX, "verbose", "an integer >= 0");
  r.expect("verbose_interval", 1);
  o.verbose_interval = r.integer<int>(1, 1, INT_MAX, "verbose_interval", "an integer >= 1");
}

/// GaussianMixture's save and load (a friend of the class).
template <typename Scalar, int Dim>
struct MixtureFormat {
  using Model = GaussianMixture<Scalar, Dim>;
  using Options = GaussianMixtureOptions<Scalar, Dim>;
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
  using Means = Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>;
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using Square = Eigen::Matrix<Scalar, Dim, Dim>;

  static constexpr const char* magic = "emgmm-gaussian-mixture";

  static std::string text(const Model& model, const std::string& where) {
    model.require_fitted("save");
    const Options& o = model.options_;
    const MixtureParameters<Scalar, Dim>& p = model.params_;
    if (o.n_components != p.n_components() || o.covariance_type != p.covariance_type) {
      fail(where, "the options ask for n_components = " + to_text(o.n_components) +
                      ", covariance_type '" + to_string(o.covariance_type) +
                      "' but the fitted model has " + to_text(p.n_components()) + ", '" +
                      to_string(p.covariance_type) +
                      "' (set_params after fit); refit, or set_params back, before saving.");
    }
    model.validate_options(where);  // so that the saved options load again
    TextWriter w;
    w.key(magic).value(serialization_format_version).end_line();
    w.key("scalar").word(scalar_name<Scalar>()).end_line();
    w.key("covariance_type").word(to_string(p.covariance_type)).end_line();
    w.key("n_components").value(p.n_components()).end_line();
    w.key("n_features").value(model.n_features_in_).end_line();
    write_mixture_options(w, o);
    w.key("reseed_collapsed_components").flag(o.reseed_collapsed_components).end_line();
    w.key("learning_decay").value(o.learning_decay).end_line();
    w.key("learning_offset").value(o.learning_offset).end_line();
    w.key("converged").flag(model.converged_).end_line();
    w.key("n_iter").value(model.n_iter_).end_line();
    w.key("lower_bound").value(model.lower_bound_).end_line();
    w.key("weights");
    for (Eigen::Index k = 0; k < p.weights.size(); ++k) w.value(p.weights(k));
    w.end_line();
    w.matrix("means", p.means);
    w.matrix("covariances", p.covariances);
    w.matrix("precisions_cholesky", p.precisions_cholesky);
    w.key("end").end_line();
    return w.text();
  }

  static void save(const Model& model, std::ostream& out) {
    const std::string where = "GaussianMixture::save";
    write_text(out, text(model, where), where);
  }

  static void save(const Model& model, const std::string& path) {
    const std::string where = "GaussianMixture::save";
    write_file(path, text(model, where), where);
  }

  static Model load(const std::string& path) {
    const std::string where = "GaussianMixture::load";
    std::ifstream file(path, std::ios::binary);
    if (!file) throw IOError(where + ": cannot open '" + path + "' for reading; check the path.");
    return load(file, where + "('" + path + "')", true);
  }

  static Model load(std::istream& in, const std::string& where = "GaussianMixture::load",
                    bool whole_input = false) {
    TextReader r(in, where);
    read_header(r, magic, "GaussianMixture", "emgmm-kmeans", "KMeans");
    read_scalar<Scalar>(r, "GaussianMixture");

    Options o;
    r.expect("covariance_type", 1);
    if (!parse_covariance_type(r.word(1), o.covariance_type)) {
      r.fail("covariance_type = '" + TextReader::shown(r.word(1)) +
             "' is not one of full, tied, diag, spherical.");
    }
    const CovarianceType type = o.covariance_type;
    r.expect("n_components", 1);
    o.n_components = r.integer<int>(1, 1, INT_MAX, "n_components", "an integer >= 1");
    const Eigen::Index K = o.n_components;
    const Eigen::Index D = read_n_features<Dim>(r, "GaussianMixture");
    check_addressable<Scalar>(r, double(storage_rows(type, K, D)), double(storage_cols(type, D)),
                              "the covariances");
    check_addressable<Scalar>(r, double(K), double(D), "the means");

    read_mixture_options<Scalar>(r, o);
    r.expect("reseed_collapsed_components", 1);
    o.reseed_collapsed_components = r.flag(1, "reseed_collapsed_components");
    r.expect("learning_decay", 1);
    o.learning_decay = r.real<double>(1, "learning_decay");
    if (!(o.learning_decay > 0.5 && o.learning_decay <= 1.0)) {
      r.fail("learning_decay = " + to_text(o.learning_decay) + " must be in (0.5, 1].");
    }
    r.expect("learning_offset", 1);
    o.learning_offset = r.real<double>(1, "learning_offset");
    if (!(o.learning_offset > 0.0)) r.fail("learning_offset = " + to_text(o.learning_offset) + " must be > 0.");

    r.expect("converged", 1);
    const bool converged = r.flag(1, "converged");
    r.expect("n_iter", 1);
    const int n_iter = r.integer<int>(1, 0, INT_MAX, "n_iter", "an integer >= 0");
    r.expect("lower_bound", 1);
    // -inf is what a fit with max_iter = 0 reports (no E-step was run).
    const double lower_bound = r.real<double>(1, "lower_bound", n_iter == 0);

    MixtureParameters<Scalar, Dim> p;
    p.covariance_type = type;
    r.expect("weights", K);
    p.weights.resize(K);
    for (Eigen::Index k = 0; k < K; ++k)
      p.weights(k) = r.real<Scalar>(static_cast<std::size_t>(k + 1), "weights(" + to_text(k) + ")");
    check_weights(r, p.weights, n_iter);

    const std::string means_shape = "n_components x n_features";
    p.means = to_matrix<Means>(read_matrix<Scalar>(r, "means", K, D, means_shape), K, D);
    const Eigen::Index rows = storage_rows(type, K, D);
    const Eigen::Index cols = storage_cols(type, D);
    const std::string shape =
        std::string("the storage of covariance_type '") + to_string(type) + "'";
    const long long covariances_line = r.line() + 1;
    p.covariances =
        to_matrix<Matrix>(read_matrix<Scalar>(r, "covariances", rows, cols, shape), rows, cols);
    check_covariances(r, covariances_line, p.covariances, type, D);
    const long long cholesky_line = r.line() + 1;
    p.precisions_cholesky = to_matrix<Matrix>(
        read_matrix<Scalar>(r, "precisions_cholesky", rows, cols, shape), rows, cols);
    check_precisions_cholesky(r, cholesky_line, p, D);
    r.expect("end", 0);
    if (whole_input) r.expect_end_of_input();
    r.finish();

    Matrix precisions = precisions_from_cholesky<Scalar, Dim>(p.precisions_cholesky, type, D);
    const std::string defect =
        mixture_defect(p, precisions, n_iter == 0 ? WeightSum::at_most_one : WeightSum::one);
    if (!defect.empty()) r.fail_at(0, "", "the saved parameters are not a valid model: " + defect + ".");
    Model model(std::move(o));
    model.params_ = std::move(p);
    model.precisions_.swap(precisions);
    model.converged_ = converged;
    model.n_iter_ = n_iter;
    model.lower_bound_ = lower_bound;
    model.n_features_in_ = D;
    return model;
  }

  /// Each weight in [0, 1]; the sum one up to the rounding of K values (after EM), or for
  /// n_iter = 0 the initial weights, which sklearn 1.2 does not normalize (k-means++ and
  /// random_from_data starts sum to K / n_samples, sklearn #24085): positive, at most one.
  static void check_weights(const TextReader& r, const Vector& weights, int n_iter) {
    const double eps = double(std::numeric_limits<Scalar>::epsilon());
    const double tolerance = 4.0 * double(weights.size() + 1) * eps;
    // weights_init is accepted by fit() within max(1e-8, 8 eps) of one.
    const double initial_tolerance = std::max(1e-8, 8.0 * eps) + tolerance;
    // An initial weight is (count + 10 eps) / n_samples, as sklearn's: a cluster holding every
    // point starts a few eps above one.
    const double largest = n_iter == 0 ? 1.0 + initial_tolerance : 1.0;
    for (Eigen::Index k = 0; k < weights.size(); ++k) {
      if (!(weights(k) >= Scalar(0) && double(weights(k)) <= largest)) {
        r.fail("weights(" + to_text(k) + ") = " + to_text(weights(k)) +
               "; every weight must be in [0, 1].");
      }
    }
    const double sum = weights.template cast<double>().sum();
    if (n_iter > 0 && !(std::abs(sum - 1.0) <= tolerance)) {
      r.fail("the weights sum to " + to_text(sum) + ", not to one (tolerance " +
             to_text(tolerance) + "); a fitted mixture's weights sum to one.");
    }
    if (n_iter == 0 && !(sum > 0.0 && sum <= 1.0 + initial_tolerance)) {
      r.fail("the weights sum to " + to_text(sum) +
             "; the initial weights of a model with n_iter = 0 "
             "must sum to a positive number at most one.");
    }
  }

  /// Exactly symmetric and positive definite, as fit() writes them.
  static void check_covariances(const TextReader& r, long long line, const Matrix& covariances,
                                CovarianceType type, Eigen::Index D) {
    if (type == CovarianceType::full || type == CovarianceType::tied) {
      for (Eigen::Index k = 0; k < covariances.rows() / D; ++k) {
        const Square block = covariances.middleRows(k * D, D);
        Square factor(D, D);
        if (!precision_cholesky_of<Scalar, Dim>(block, factor)) {
          r.fail_at(line, "covariances",
                    "the covariance of component " + to_text(k) +
                        " is not symmetric positive definite (its Cholesky factorization failed).");
        }
        // fit() writes exactly symmetric covariances (the upper triangle a copy of the lower).
        for (Eigen::Index i = 0; i < D; ++i) {
          for (Eigen::Index j = 0; j < i; ++j) {
            if (!(block(i, j) == block(j, i))) {
              r.fail_at(line + 1 + k * D + i, "covariances",
                        "the covariance of component " + to_text(k) + " is not symmetric: entry (" +
                            to_text(i) + ", " + to_text(j) + ") = " + to_text(block(i, j)) +
                            " but (" + to_text(j) + ", " + to_text(i) +
                            ") = " + to_text(block(j, i)) + "; a covariance equals its transpose.");
            }
          }
        }
      }
    } else {
      for (Eigen::Index k = 0; k < covariances.rows(); ++k) {
        for (Eigen::Index j = 0; j < covariances.cols(); ++j) {
          const Scalar variance = covariances(k, j);
          if (!(variance > Scalar(0)) || !std::isfinite(Scalar(1) / std::sqrt(variance))) {
            r.fail_at(line + 1 + k, "covariances",
                      "the variance (" + to_text(k) + ", " + to_text(j) +
                          ") = " + to_text(variance) + " is not positive; variances must be > 0.");
          }
        }
      }
    }
  }

  /// precisions_cholesky must be the factors of the covariances' inverses: bit for bit what
  /// fit() computes from them, or else (a start from precisions_init, max_iter = 0) a
  /// triangular factor P with P^T C P = I to the rounding that the conditioning allows.
  static void check_precisions_cholesky(const TextReader& r, long long line,
                                        const MixtureParameters<Scalar, Dim>& p, Eigen::Index D) {
    const double eps = double(std::numeric_limits<Scalar>::epsilon());
    const std::string key = "precisions_cholesky";
    if (p.covariance_type == CovarianceType::full || p.covariance_type == CovarianceType::tied) {
      for (Eigen::Index k = 0; k < p.covariances.rows() / D; ++k) {
        const Square covariance = p.covariances.middleRows(k * D, D);
        const Square factor = p.precisions_cholesky.middleRows(k * D, D);
        Square expected(D, D);
        precision_cholesky_of<Scalar, Dim>(covariance, expected);  // succeeded in check_covariances
        if (factor == expected) continue;
        const bool lower =
            factor.template triangularView<Eigen::StrictlyUpper>().toDenseMatrix().isZero(0);
        const bool upper =
            factor.template triangularView<Eigen::StrictlyLower>().toDenseMatrix().isZero(0);
        if (!(lower || upper) || !(factor.diagonal().array() > Scalar(0)).all()) {
          r.fail_at(line, key,
                    "the factor of component " + to_text(k) +
                        " is not triangular with a positive diagonal, as a Cholesky factor is.");
        }
        const Eigen::MatrixXd C = covariance.template cast<double>();
        const Eigen::MatrixXd P = factor.template cast<double>();
        const double deviation =
            (P.transpose() * C * P - Eigen::MatrixXd::Identity(D, D)).cwiseAbs().maxCoeff();
        // ||C|| ||P||^2 bounds the condition number of C when P P^T is its inverse.
        const double condition = C.norm() * P.squaredNorm();
        const double tolerance = 64.0 * double(D) * eps * (condition + 1.0);
        if (!(deviation <= tolerance)) {
          r.fail_at(line, key,
                    "the factor of component " + to_text(k) +
                        " does not invert its covariance: max |P^T C P - I| = " +
                        to_text(deviation) + " (tolerance " + to_text(tolerance) + ").");
        }
      }
    } else {
      for (Eigen::Index k = 0; k < p.covariances.rows(); ++k) {
        for (Eigen::Index j = 0; j < p.covariances.cols(); ++j) {
          const Scalar variance = p.covariances(k, j);
          const Scalar factor = p.precisions_cholesky(k, j);
          if (factor == Scalar(1) / std::sqrt(variance)) continue;
          const double deviation =
              std::abs(double(factor) * double(factor) * double(variance) - 1.0);
          if (!(factor > Scalar(0)) || !(deviation <= 64.0 * eps)) {
            r.fail_at(line + 1 + k, key,
                      "entry (" + to_text(k) + ", " + to_text(j) + ") = " + to_text(factor) +
                          " is not 1 / sqrt of the variance " + to_text(variance) + ".");
          }
        }
      }
    }
  }
};

/// BayesianGaussianMixture's save and load (a friend of the class). The text is GaussianMixture's
/// with its own first line and, after the shared options, the prior options (`none` or the
/// value; a matrix option left empty is written `name 0 0`), then the fitted attributes: the
/// priors fit() used (sklearn's names, with their trailing underscore), weight_concentration
/// (K x 2 or K x 1), mean_precision and degrees_of_freedom (K values each), means, covariances
/// and precisions_cholesky. weights() and the E-step's terms are recomputed from these by the
/// same code as fit(), so they load bit for bit. resp_init, a start, is not saved.
template <typename Scalar, int Dim>
struct BayesianMixtureFormat {
  using Model = BayesianGaussianMixture<Scalar, Dim>;
  using Options = BayesianGaussianMixtureOptions<Scalar, Dim>;
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
  using RowVector = Eigen::Matrix<Scalar, 1, Dim>;
  using Means = Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>;
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using Square = Eigen::Matrix<Scalar, Dim, Dim>;

  static constexpr const char* magic = "emgmm-bayesian-gaussian-mixture";

  static std::string text(const Model& model, const std::string& where) {
    model.require_fitted("save");
    const Options& o = model.options_;
    const VariationalParameters<Scalar, Dim>& p = model.posterior_;
    const bool dirichlet_process = p.weight_concentration.cols() == 2;
    if (o.n_components != p.mixture.n_components() || o.covariance_type != p.mixture.covariance_type ||
        dirichlet_process != (o.weight_concentration_prior_type == WeightConcentrationPriorType::dirichlet_process)) {
      fail(where, "the options ask for n_components = " + to_text(o.n_components) + ", covariance_type '" +
                      to_string(o.covariance_type) + "', " + to_string(o.weight_concentration_prior_type) +
                      " but the fitted model has " + to_text(p.mixture.n_components()) + ", '" +
                      to_string(p.mixture.covariance_type) + "', " +
                      (dirichlet_process ? "dirichlet_process" : "dirichlet_distribution") +
                      " (set_params after fit); refit, or set_params back, before saving.");
    }
    model.validate_options(where);  // so that the saved options load again
    TextWriter w;
    w.key(magic).value(serialization_format_version).end_line();
    w.key("scalar").word(scalar_name<Scalar>()).end_line();
    w.key("covariance_type").word(to_string(p.mixture.covariance_type)).end_line();
    w.key("n_components").value(p.mixture.n_components()).end_line();
    w.key("n_features").value(model.n_features_in_).end_line();
    write_mixture_options(w, o);
    w.key("weight_concentration_prior_type").word(to_string(o.weight_concentration_prior_type)).end_line();
    write_optional(w, "weight_concentration_prior", o.weight_concentration_prior);
    write_optional(w, "mean_precision_prior", o.mean_precision_prior);
    w.matrix("mean_prior", o.mean_prior ? Matrix(*o.mean_prior) : Matrix(0, 0));
    write_optional(w, "degrees_of_freedom_prior", o.degrees_of_freedom_prior);
    w.matrix("covariance_prior", o.covariance_prior ? *o.covariance_prior : Matrix(0, 0));
    w.key("converged").flag(model.converged_).end_line();
    w.key("n_iter").value(model.n_iter_).end_line();
    w.key("lower_bound").value(model.lower_bound_).end_line();
    w.key("weight_concentration_prior_").value(model.prior_.weight_concentration).end_line();
    w.key("mean_precision_prior_").value(model.prior_.mean_precision).end_line();
    w.matrix("mean_prior_", model.prior_.mean);
    w.key("degrees_of_freedom_prior_").value(model.prior_.degrees_of_freedom).end_line();
    w.matrix("covariance_prior_", model.prior_.covariance);
    w.matrix("weight_concentration", p.weight_concentration);
    w.key("mean_precision");
    for (Eigen::Index k = 0; k < p.mean_precision.size(); ++k) w.value(p.mean_precision(k));
    w.end_line();
    w.key("degrees_of_freedom");
    for (Eigen::Index k = 0; k < p.degrees_of_freedom.size(); ++k) w.value(p.degrees_of_freedom(k));
    w.end_line();
    w.matrix("means", p.mixture.means);
    w.matrix("covariances", p.mixture.covariances);
    w.matrix("precisions_cholesky", p.mixture.precisions_cholesky);
    w.key("end").end_line();
    return w.text();
  }

  static void save(const Model& model, std::ostream& out) {
    const std::string where = "BayesianGaussianMixture::save";
    write_text(out, text(model, where), where);
  }

  static void save(const Model& model, const std::string& path) {
    const std::string where = "BayesianGaussianMixture::save";
    write_file(path, text(model, where), where);
  }

  static Model load(const std::string& path) {
    const std::string where = "BayesianGaussianMixture::load";
    std::ifstream file(path, std::ios::binary);
    if (!file) throw IOError(where + ": cannot open '" + path + "' for reading; check the path.");
    return load(file, where + "('" + path + "')", true);
  }

  static Model load(std::istream& in, const std::string& where = "BayesianGaussianMixture::load",
                    bool whole_input = false) {
    TextReader r(in, where);
    read_header(r, magic, "BayesianGaussianMixture", "emgmm-gaussian-mixture", "GaussianMixture");
    read_scalar<Scalar>(r, "BayesianGaussianMixture");
    Options o;
    r.expect("covariance_type", 1);
    if (!parse_covariance_type(r.word(1), o.covariance_type)) {
      r.fail("covariance_type = '" + TextReader::shown(r.word(1)) + "' is not one of full, tied, diag, spherical.");
    }
    const CovarianceType type = o.covariance_type;
    r.expect("n_components", 1);
    o.n_components = r.integer<int>(1, 1, INT_MAX, "n_components", "an integer >= 1");
    const Eigen::Index K = o.n_components;
    const Eigen::Index D = read_n_features<Dim>(r, "BayesianGaussianMixture");
    check_addressable<Scalar>(r, double(storage_rows(type, K, D)), double(storage_cols(type, D)), "the covariances");
    check_addressable<Scalar>(r, double(K), double(D), "the means");
    read_mixture_options<Scalar>(r, o);

    r.expect("weight_concentration_prior_type", 1);
    const std::string prior_type = r.word(1);
    if (prior_type == "dirichlet_process") {
      o.weight_concentration_prior_type = WeightConcentrationPriorType::dirichlet_process;
    } else if (prior_type == "dirichlet_distribution") {
      o.weight_concentration_prior_type = WeightConcentrationPriorType::dirichlet_distribution;
    } else {
      r.fail("weight_concentration_prior_type = '" + TextReader::shown(prior_type) +
             "' is not one of dirichlet_process, dirichlet_distribution.");
    }
    const bool dirichlet_process = o.weight_concentration_prior_type == WeightConcentrationPriorType::dirichlet_process;
    o.weight_concentration_prior = read_optional(r, "weight_concentration_prior", 0.0);
    o.mean_precision_prior = read_optional(r, "mean_precision_prior", 0.0);
    if (const auto mean = read_optional_matrix(r, "mean_prior", 1, D, "1 x n_features")) o.mean_prior = RowVector(*mean);
    o.degrees_of_freedom_prior = read_optional(r, "degrees_of_freedom_prior", double(D) - 1.0);
    const Eigen::Index prior_rows = type == CovarianceType::full || type == CovarianceType::tied ? D : 1;
    const Eigen::Index prior_cols = type == CovarianceType::spherical ? 1 : D;
    const std::string prior_shape = std::string("the covariance_prior of covariance_type '") + to_string(type) + "'";
    o.covariance_prior = read_optional_matrix(r, "covariance_prior", prior_rows, prior_cols, prior_shape);

    r.expect("converged", 1);
    const bool converged = r.flag(1, "converged");
    r.expect("n_iter", 1);
    const int n_iter = r.integer<int>(1, 0, INT_MAX, "n_iter", "an integer >= 0");
    r.expect("lower_bound", 1);
    const double lower_bound = r.real<double>(1, "lower_bound", n_iter == 0);  // -inf: max_iter = 0

    VariationalPriors prior;
    prior.weight_type = o.weight_concentration_prior_type;
    prior.weight_concentration = read_positive(r, "weight_concentration_prior_", 0.0);
    prior.mean_precision = read_positive(r, "mean_precision_prior_", 0.0);
    prior.mean = to_matrix<Eigen::MatrixXd>(read_matrix<double>(r, "mean_prior_", 1, D, "1 x n_features"), 1, D);
    prior.degrees_of_freedom = read_positive(r, "degrees_of_freedom_prior_", double(D) - 1.0);
    const long long covariance_prior_line = r.line() + 1;
    prior.covariance = to_matrix<Eigen::MatrixXd>(
        read_matrix<double>(r, "covariance_prior_", prior_rows, prior_cols, prior_shape), prior_rows, prior_cols);
    // The same test as fit() makes of the prior it computed (the data's covariance may be
    // singular: variances >= 0, exactly symmetric).
    const std::string prior_defect = covariance_prior_defect(prior.covariance);
    if (!prior_defect.empty()) r.fail_at(covariance_prior_line, "covariance_prior_", prior_defect + ".");

    VariationalParameters<Scalar, Dim> p;
    const Eigen::Index concentration_cols = dirichlet_process ? 2 : 1;
    const long long concentration_line = r.line() + 1;
    p.weight_concentration = to_matrix<Matrix>(
        read_matrix<Scalar>(r, "weight_concentration", K, concentration_cols,
                            dirichlet_process ? "n_components x 2 for dirichlet_process"
                                              : "n_components x 1 for dirichlet_distribution"),
        K, concentration_cols);
    if (!(p.weight_concentration.array() > Scalar(0)).all()) {
      r.fail_at(concentration_line, "weight_concentration", "every concentration must be > 0.");
    }
    p.mean_precision = read_vector(r, "mean_precision", K, 0.0);
    p.degrees_of_freedom = read_vector(r, "degrees_of_freedom", K, double(D) - 1.0);
    p.mixture.covariance_type = type;
    p.mixture.means = to_matrix<Means>(read_matrix<Scalar>(r, "means", K, D, "n_components x n_features"), K, D);
    const Eigen::Index rows = storage_rows(type, K, D);
    const Eigen::Index cols = storage_cols(type, D);
    const std::string shape = std::string("the storage of covariance_type '") + to_string(type) + "'";
    const long long covariances_line = r.line() + 1;
    p.mixture.covariances = to_matrix<Matrix>(read_matrix<Scalar>(r, "covariances", rows, cols, shape), rows, cols);
    MixtureFormat<Scalar, Dim>::check_covariances(r, covariances_line, p.mixture.covariances, type, D);
    const long long cholesky_line = r.line() + 1;
    p.mixture.precisions_cholesky =
        to_matrix<Matrix>(read_matrix<Scalar>(r, "precisions_cholesky", rows, cols, shape), rows, cols);
    MixtureFormat<Scalar, Dim>::check_precisions_cholesky(r, cholesky_line, p.mixture, D);
    r.expect("end", 0);
    if (whole_input) r.expect_end_of_input();
    r.finish();

    complete_posterior(p);
    Matrix precisions = precisions_from_cholesky<Scalar, Dim>(p.mixture.precisions_cholesky, type, D);
    const std::string defect = mixture_defect(p.mixture, precisions);
    if (!defect.empty()) r.fail_at(0, "", "the saved parameters are not a valid model: " + defect + ".");
    RowVector mean_prior = prior.mean.template cast<Scalar>();
    Matrix covariance_prior = prior.covariance.template cast<Scalar>();
    Model model(std::move(o));
    model.posterior_ = std::move(p);
    model.precisions_.swap(precisions);
    model.prior_ = std::move(prior);
    model.mean_prior_.swap(mean_prior);
    model.covariance_prior_.swap(covariance_prior);
    model.converged_ = converged;
    model.n_iter_ = n_iter;
    model.lower_bound_ = lower_bound;
    model.n_features_in_ = D;
    return model;
  }

 private:
  static void write_optional(TextWriter& w, const char* name, const std::optional<double>& value) {
    if (value) {
      w.key(name).value(*value).end_line();
    } else {
      w.key(name).word("none").end_line();
    }
  }

  /// A finite number above `above`.
  static double read_positive(TextReader& r, const char* name, double above) {
    r.expect(name, 1);
    const double value = r.real<double>(1, name);
    if (!(value > above)) r.fail(std::string(name) + " = " + to_text(value) + " must be > " + to_text(above) + ".");
    return value;
  }

  /// `none`, or a finite number above `above`.
  static std::optional<double> read_optional(TextReader& r, const char* name, double above) {
    r.expect(name, 1);
    if (r.word(1) == "none") return std::nullopt;
    const double value = r.real<double>(1, name);
    if (!(value > above)) {
      r.fail(std::string(name) + " = " + to_text(value) + " must be 'none' or a number > " + to_text(above) + ".");
    }
    return value;
  }

  /// `name 0 0` (not given) or the rows x cols matrix.
  static std::optional<Matrix> read_optional_matrix(TextReader& r, const char* name, Eigen::Index rows,
                                                    Eigen::Index cols, const std::string& shape) {
    r.expect(name, 2);
    if (r.word(1) == "0" && r.word(2) == "0") return std::nullopt;
    const auto found_rows = r.integer<long long>(1, 0, LLONG_MAX, std::string(name) + " rows", "a row count");
    const auto found_cols = r.integer<long long>(2, 0, LLONG_MAX, std::string(name) + " columns", "a column count");
    if (found_rows != rows || found_cols != cols) {
      r.fail("the matrix is " + to_text(found_rows) + " x " + to_text(found_cols) + " but must be 0 x 0 (not given) or " +
             to_text(rows) + " x " + to_text(cols) + " (" + shape + ").");
    }
    Matrix M(rows, cols);
    for (Eigen::Index i = 0; i < rows; ++i) {
      r.expect_values(cols, "row " + to_text(i) + " of " + name);
      for (Eigen::Index j = 0; j < cols; ++j) {
        M(i, j) = r.real<Scalar>(static_cast<std::size_t>(j), std::string(name) + "(" + to_text(i) + ", " + to_text(j) + ")");
      }
    }
    return M;
  }

  /// `name` and K finite values, each above `above`.
  static Vector read_vector(TextReader& r, const char* name, Eigen::Index K, double above) {
    r.expect(name, K);
    Vector values(K);
    for (Eigen::Index k = 0; k < K; ++k) {
      values(k) = r.real<Scalar>(static_cast<std::size_t>(k + 1), std::string(name) + "(" + to_text(k) + ")");
      if (!(double(values(k)) > above)) {
        r.fail(std::string(name) + "(" + to_text(k) + ") = " + to_text(values(k)) + " must be > " + to_text(above) + ".");
      }
    }
    return values;
  }
};

/// KMeans's save and load (a friend of the class).
template <typename Scalar, int Dim>
struct KMeansFormat {
  using Model = KMeans<Scalar, Dim>;
  using Options = KMeansOptions<Scalar, Dim>;
  using Centers = Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>;

  static constexpr const char* magic = "emgmm-kmeans";

  static std::string text(const Model& model, const std::string& where) {
    model.require_fitted("save");
    const Options& o = model.options_;
    if (o.n_clusters != model.cluster_centers_.rows()) {
      fail(where, "the options ask for n_clusters = " + to_text(o.n_clusters) +
                      " but the fitted model has " + to_text(model.cluster_centers_.rows()) +
                      " (set_params after fit); refit, or set_params back, before saving.");
    }
    model.validate_options(where);
    TextWriter w;
    w.key(magic).value(serialization_format_version).end_line();
    w.key("scalar").word(scalar_name<Scalar>()).end_line();
    w.key("n_clusters").value(o.n_clusters).end_line();
    w.key("n_features").value(model.n_features_in_).end_line();
    w.key("init").word(o.init == Options::Init::random ? "random" : "k-means++").end_line();
    w.key("n_init").value(o.n_init).end_line();
    w.key("max_iter").value(o.max_iter).end_line();
    w.key("tol").value(o.tol).end_line();
    if (o.random_state) {
      w.key("random_state").value(*o.random_state).end_line();
    } else {
      w.key("random_state").word("none").end_line();
    }
    w.key("verbose").value(o.verbose).end_line();
    w.key("inertia").value(model.inertia_).end_line();
    w.key("n_iter").value(model.n_iter_).end_line();
    w.matrix("cluster_centers", model.cluster_centers_);
    w.key("labels").value(model.labels_.size()).end_line();
    for (Eigen::Index i = 0; i < model.labels_.size(); ++i) {
      if (i == 0) {
        w.first(model.labels_(i));
      } else {
        w.value(model.labels_(i));
      }
    }
    w.end_line();
    w.key("end").end_line();
    return w.text();
  }

  static void save(const Model& model, std::ostream& out) {
    const std::string where = "KMeans::save";
    write_text(out, text(model, where), where);
  }

  static void save(const Model& model, const std::string& path) {
    const std::string where = "KMeans::save";
    write_file(path, text(model, where), where);
  }

  static Model load(const std::string& path) {
    const std::string where = "KMeans::load";
    std::ifstream file(path, std::ios::binary);
    if (!file) throw IOError(where + ": cannot open '" + path + "' for reading; check the path.");
    return load(file, where + "('" + path + "')", true);
  }

  static Model load(std::istream& in, const std::string& where = "KMeans::load",
                    bool whole_input = false) {
    TextReader r(in, where);
    read_header(r, magic, "KMeans", "emgmm-gaussian-mixture", "GaussianMixture");
    read_scalar<Scalar>(r, "KMeans");
    Options o;
    r.expect("n_clusters", 1);
    o.n_clusters = r.integer<int>(1, 1, INT_MAX, "n_clusters", "an integer >= 1");
    const Eigen::Index K = o.n_clusters;
    const Eigen::Index D = read_n_features<Dim>(r, "KMeans");
    check_addressable<Scalar>(r, double(K), double(D), "the cluster centers");
    r.expect("init", 1);
    if (r.word(1) == "k-means++") {
      o.init = Options::Init::k_means_plus_plus;
    } else if (r.word(1) == "random") {
      o.init = Options::Init::random;
    } else {
      r.fail("init = '" + TextReader::shown(r.word(1)) + "' is not one of k-means++, random.");
    }
    r.expect("n_init", 1);
    o.n_init = r.integer<int>(1, 0, INT_MAX, "n_init", "an integer >= 0 (0: 'auto')");
    r.expect("max_iter", 1);
    o.max_iter = r.integer<int>(1, 1, INT_MAX, "max_iter", "an integer >= 1");
    r.expect("tol", 1);
    o.tol = r.real<double>(1, "tol");
    if (!(o.tol >= 0.0)) r.fail("tol = " + to_text(o.tol) + " must be >= 0.");
    o.random_state = read_random_state(r);
    r.expect("verbose", 1);
    o.verbose = r.integer<int>(1, 0, INT_MAX, "verbose", "an integer >= 0");
    r.expect("inertia", 1);
    // +inf: the sum of squared distances of data near the largest double overflows (fit keeps
    // that clustering, as sklearn does).
    const double inertia = r.real<double>(1, "inertia", false, true);
    if (!(inertia >= 0.0))
      r.fail("inertia = " + to_text(inertia) + " must be >= 0 (a sum of squared distances).");
    r.expect("n_iter", 1);
    const int n_iter = r.integer<int>(1, 0, INT_MAX, "n_iter", "an integer >= 0");
    const long long centers_line = r.line() + 1;
    Centers centers = to_matrix<Centers>(
        read_matrix<Scalar>(r, "cluster_centers", K, D, "n_clusters x n_features"), K, D);
    // The same check as fit() makes of its result.
    const std::string defect = clustering_defect(centers, inertia);
    if (!defect.empty()) {
      r.fail_at(centers_line, "cluster_centers", "the saved clustering is not a valid model: " + defect + ".");
    }
    r.expect("labels", 1);
    const auto n =
        r.integer<long long>(1, K, std::numeric_limits<Eigen::Index>::max() / 8, "labels",
                             "the number of training points, at least n_clusters");
    r.expect_values(n, "the labels");
    std::vector<int> labels;
    labels.reserve(static_cast<std::size_t>(n));  // the line holding them has been read
    for (long long i = 0; i < n; ++i) {
      labels.push_back(r.integer<int>(static_cast<std::size_t>(i), 0, static_cast<int>(K - 1),
                                      "labels(" + to_text(i) + ")",
                                      "a cluster index in [0, n_clusters)"));
    }
    r.expect("end", 0);
    if (whole_input) r.expect_end_of_input();
    r.finish();

    Model model(std::move(o));
    model.cluster_centers_.swap(centers);
    model.labels_ =
        Eigen::Map<const Eigen::VectorXi>(labels.data(), static_cast<Eigen::Index>(labels.size()));
    model.inertia_ = inertia;
    model.n_iter_ = n_iter;
    model.n_features_in_ = D;
    return model;
  }
};

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_SERIALIZATION_HPP
