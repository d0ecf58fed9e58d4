#ifndef EMGMM_DETAIL_VALIDATION_HPP
#define EMGMM_DETAIL_VALIDATION_HPP

#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <type_traits>

#include <Eigen/Core>

#include "../errors.hpp"

namespace emgmm {
namespace detail {

/// Formats a number for an error message with enough digits to be unambiguous.
template <typename T>
std::string to_text(T value) {
  std::ostringstream out;
  out.precision(std::numeric_limits<double>::max_digits10);
  out << value;
  return out.str();
}

/// Throws InvalidArgument with "where: message".
[[noreturn]] inline void fail(const std::string& where, const std::string& message) {
  throw InvalidArgument(where + ": " + message);
}

/// Compile-time check that an input matrix can hold points of the model's dimension.
template <typename Derived, int Dim>
constexpr void static_check_input() {
  static_assert(std::is_arithmetic<typename Derived::Scalar>::value,
                "emgmm needs real-valued input: X must hold float, double or integer values.");
  static_assert(Dim == Eigen::Dynamic || Derived::ColsAtCompileTime == Eigen::Dynamic ||
                    Derived::ColsAtCompileTime == Dim,
                "X has a fixed number of columns that differs from the model's Dim: "
                "one point per row, with Dim features.");
}

/// Validates a data matrix: enough rows, at least one column, the model's number of features,
/// every value finite. `where` names the calling method for the message.
template <int Dim, typename Derived>
void check_data(const Eigen::MatrixBase<Derived>& X, const std::string& where,
                Eigen::Index min_samples, Eigen::Index expected_features = -1) {
  static_check_input<Derived, Dim>();
  if (X.cols() < 1) {
    fail(where, "X has 0 columns (features); pass one point per row with at least one feature.");
  }
  if (X.rows() < min_samples) {
    fail(where, "X has " + to_text(X.rows()) + " rows (samples) but at least " +
                    to_text(min_samples) + " are needed; pass one point per row.");
  }
  if (Dim != Eigen::Dynamic && X.cols() != Dim) {
    fail(where, "X has " + to_text(X.cols()) + " columns but the model was built with Dim = " +
                    to_text(Dim) +
                    "; pass one point per row (transpose X if points are columns).");
  }
  if (expected_features >= 0 && X.cols() != expected_features) {
    fail(where, "X has " + to_text(X.cols()) + " features, but the model was fitted with " +
                    to_text(expected_features) + " features; pass data with " +
                    to_text(expected_features) + " columns.");
  }
  // One linear scan; the common all-finite case never enters the loop body below.
  if (!X.allFinite()) {
    for (Eigen::Index j = 0; j < X.cols(); ++j) {
      for (Eigen::Index i = 0; i < X.rows(); ++i) {
        const double value = static_cast<double>(X.coeff(i, j));
        if (!std::isfinite(value)) {
          fail(where, "X(" + to_text(i) + ", " + to_text(j) + ") = " + to_text(value) +
                          "; X must not contain NaN or infinity (remove or impute those values).");
        }
      }
    }
  }
}

}  // namespace detail
}  // namespace emgmm

#endif  // EMGMM_DETAIL_VALIDATION_HPP
