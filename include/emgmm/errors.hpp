#ifndef EMGMM_ERRORS_HPP
#define EMGMM_ERRORS_HPP

#include <stdexcept>
#include <string>

namespace emgmm {

/// Base of every exception emgmm throws; catch this to handle any of them.
/// Each concrete type also derives from the matching standard exception.
class Error {
 public:
  virtual ~Error() = default;
  /// The message, the same as the standard exception's what().
  virtual const char* message() const noexcept = 0;
};

/// A parameter, an option or the data is invalid (the message names which and how to fix it).
/// sklearn raises ValueError for these.
class InvalidArgument : public std::invalid_argument, public Error {
 public:
  explicit InvalidArgument(const std::string& what) : std::invalid_argument(what) {}
  const char* message() const noexcept override { return what(); }
};

/// A method that needs a fitted model was called before fit() (sklearn's NotFittedError).
class NotFittedError : public std::logic_error, public Error {
 public:
  explicit NotFittedError(const std::string& what) : std::logic_error(what) {}
  const char* message() const noexcept override { return what(); }
};

/// The numbers went wrong during fitting: a covariance that is not positive definite,
/// a non-finite log-likelihood. The message says what to change (n_components, reg_covar).
class NumericalError : public std::runtime_error, public Error {
 public:
  explicit NumericalError(const std::string& what) : std::runtime_error(what) {}
  const char* message() const noexcept override { return what(); }
};

}  // namespace emgmm

#endif  // EMGMM_ERRORS_HPP
