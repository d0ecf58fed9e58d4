#ifndef EMGMM_ERRORS_HPP
#define EMGMM_ERRORS_HPP

#include "detail/diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

#include <stdexcept>
#include <string>
#include <utility>

namespace emgmm {

/// Base of every exception emgmm throws; catch this to handle any of them and print what().
/// Each concrete type also derives from the matching standard exception, whose what() it is
/// (so catching std::exception works too; Error is not itself a std::exception, which would
/// make that catch ambiguous).
class Error {
 public:
  virtual ~Error() = default;
  /// The message (the standard exception's what()).
  virtual const char* what() const noexcept = 0;
  /// The same message, under the name emgmm used first.
  const char* message() const noexcept { return what(); }
};

/// A parameter, an option or the data is invalid (the message names which and how to fix it).
/// sklearn raises ValueError for these.
class InvalidArgument : public std::invalid_argument, public Error {
 public:
  explicit InvalidArgument(const std::string& what) : std::invalid_argument(what) {}
  const char* what() const noexcept override { return std::invalid_argument::what(); }
};

/// A method that needs a fitted model was called before fit() (sklearn's NotFittedError).
class NotFittedError : public std::logic_error, public Error {
 public:
  explicit NotFittedError(const std::string& what) : std::logic_error(what) {}
  const char* what() const noexcept override { return std::logic_error::what(); }
};

/// The numbers went wrong during fitting: a covariance that is not positive definite,
/// a non-finite log-likelihood. The message says what to change (n_components, reg_covar).
class NumericalError : public std::runtime_error, public Error {
 public:
  explicit NumericalError(const std::string& what) : std::runtime_error(what) {}
  const char* what() const noexcept override { return std::runtime_error::what(); }
};

/// A saved model (serialization.hpp) is malformed: truncated, of another kind or version,
/// with a bad number, inconsistent sizes or invalid parameters. An InvalidArgument too; line()
/// and key() say where (line 0 and key "" when the problem is not on one line).
class FormatError : public InvalidArgument {
 public:
  FormatError(const std::string& what, long long line, std::string key)
      : InvalidArgument(what), line_(line), key_(std::move(key)) {}
  /// 1-based line of the saved text where the problem is (0: none in particular).
  long long line() const noexcept { return line_; }
  /// The key of that line ("weights", "covariances", ...), or "" when unknown.
  const std::string& key() const noexcept { return key_; }

 private:
  long long line_;
  std::string key_;
};

/// A file could not be opened, read or written, or a stream failed while saving
/// (std::runtime_error, as std::filesystem::filesystem_error is).
class IOError : public std::runtime_error, public Error {
 public:
  explicit IOError(const std::string& what) : std::runtime_error(what) {}
  const char* what() const noexcept override { return std::runtime_error::what(); }
};

}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_ERRORS_HPP
