#ifndef EMGMM_DETAIL_VALIDATION_HPP
#define EMGMM_DETAIL_VALIDATION_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <type_traits>

#include <Eigen/Core>

#include "../errors.hpp"

namespace emgmm {
namespace detail {

/// Formats a number for an error message: integers as they are, floating-point values in the
/// shortest form that reads back to the same value (1e+39, not 9.9999999999999994e+38).
template <typename T>
std::string to_text(T value) {
  if constexpr (std::is_floating_point<T>::value) {
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, result.ptr);
  } else {
    std::ostringstream out;
    out << value;
    return out.str();
  }
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

/// What check_data makes of NaN entries.
enum class NanPolicy {
  reject,                 ///< an error, "remove or impute those values"
  reject_or_marginalize,  ///< an error that also names MissingValues::marginalize
  allow,                  ///< missing entries (MissingValues::marginalize); infinity still fails
};

/// Validates a data matrix: enough rows, at least one column, the model's number of features,
/// every value finite (or NaN, under NanPolicy::allow) and representable in the model's Scalar.
/// `where` names the calling method for the message.
template <typename Scalar, int Dim, typename Derived>
void check_data(const Eigen::MatrixBase<Derived>& X, const std::string& where,
                Eigen::Index min_samples, Eigen::Index expected_features = -1,
                NanPolicy nan_policy = NanPolicy::reject) {
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
                    to_text(Dim) + "; pass one point per row (transpose X if points are columns).");
  }
  if (expected_features >= 0 && X.cols() != expected_features) {
    const auto features = [](Eigen::Index n) {
      return to_text(n) + (n == 1 ? " feature" : " features");
    };
    // One point given as a column vector: D rows of 1 column.
    const bool transposed = X.cols() == 1 && X.rows() == expected_features;
    fail(where, "X has " + features(X.cols()) + " (columns), but the model was fitted with " +
                    features(expected_features) + "; pass one point per row with " +
                    to_text(expected_features) + (expected_features == 1 ? " column" : " columns") +
                    (transposed ? " (X looks like one point as a column: transpose it)." : "."));
  }
  // One linear scan; the common all-finite case never enters the loop body below. Data wider
  // than the model's Scalar (double into a float model) must also fit in Scalar.
  using InputScalar = typename Derived::Scalar;
  constexpr bool narrowing =
      std::is_floating_point<InputScalar>::value && sizeof(InputScalar) > sizeof(Scalar);
  const double largest = static_cast<double>(std::numeric_limits<Scalar>::max());
  const bool fits =
      narrowing ? (X.template cast<double>().array().abs() <= largest).all() : X.allFinite();
  if (!fits) {
    for (Eigen::Index j = 0; j < X.cols(); ++j) {
      for (Eigen::Index i = 0; i < X.rows(); ++i) {
        const double value = static_cast<double>(X.coeff(i, j));
        if (std::isnan(value) && nan_policy == NanPolicy::allow) continue;
        if (!std::isfinite(value)) {
          fail(where, "X(" + to_text(i) + ", " + to_text(j) + ") = " + to_text(value) +
                          (nan_policy == NanPolicy::allow
                               ? "; X must not contain infinity (NaN marks a missing entry)."
                           : nan_policy == NanPolicy::reject_or_marginalize
                               ? "; X must not contain NaN or infinity (remove or impute those "
                                 "values, or set missing_values = MissingValues::marginalize to "
                                 "treat NaN as missing)."
                               : "; X must not contain NaN or infinity (remove or impute those "
                                 "values)."));
        }
        if (std::abs(value) > largest) {
          fail(where, "X(" + to_text(i) + ", " + to_text(j) + ") = " + to_text(value) +
                          " does not fit in the model's Scalar (largest " + to_text(largest) +
                          "); rescale X or use a double model.");
        }
      }
    }
  }
}

/// The feature of the widest extent when squared distances between points spanning
/// [lowest, highest] (per feature) could overflow the model's Scalar (sums of D squared
/// differences, with a margin of 16 for the sums of several of them); -1 when they cannot.
template <typename Scalar>
Eigen::Index feature_beyond_fit_range(const Eigen::ArrayXd& lowest, const Eigen::ArrayXd& highest,
                                      double* widest_extent) {
  // Half the range, so that max - min cannot overflow in double.
  const Eigen::ArrayXd spread = 0.5 * highest - 0.5 * lowest;
  Eigen::Index feature = 0;
  const double widest = spread.maxCoeff(&feature);
  *widest_extent = 2.0 * widest;
  if (!(widest > 0.0)) return -1;
  // sum_j (2 spread_j)^2 <= max / 16, evaluated as (sum_j (spread_j / widest)^2) * widest^2.
  const double relative = (spread / widest).square().sum();
  const double limit = static_cast<double>(std::numeric_limits<Scalar>::max()) / 64.0;
  return widest > std::sqrt(limit / relative) ? feature : -1;
}

/// The smallest and largest value of every column of X, in double, read in X's storage order
/// (no copy of X is made, whatever its type): column by column, or row by row for a row-major
/// X, where a scan down each column would read every cache line of X once per feature.
template <typename Derived>
void column_bounds(const Eigen::MatrixBase<Derived>& X, Eigen::ArrayXd& lowest,
                   Eigen::ArrayXd& highest) {
  lowest.resize(X.cols());
  highest.resize(X.cols());
  if constexpr (Derived::IsRowMajor) {
    lowest.setConstant(std::numeric_limits<double>::infinity());
    highest.setConstant(-std::numeric_limits<double>::infinity());
    for (Eigen::Index i = 0; i < X.rows(); ++i) {
      const auto row = X.row(i).transpose().template cast<double>().array();
      lowest = lowest.min(row);
      highest = highest.max(row);
    }
  } else {
    for (Eigen::Index j = 0; j < X.cols(); ++j) {
      const auto column = X.col(j).template cast<double>();
      lowest(j) = column.minCoeff();
      highest(j) = column.maxCoeff();
    }
  }
}

/// The smallest and largest value of every feature of the data a fit sees, in double: what
/// the range checks need of X, taken once where X's type is known.
struct ColumnBounds {
  Eigen::ArrayXd lowest;
  Eigen::ArrayXd highest;
};

/// For fitting: the data's extent must leave room for squared distances between its points in
/// the model's Scalar (feature_beyond_fit_range). A spread of 1e160 in double or 1e19 in float
/// cannot be clustered without overflow; values that are merely large (1e300 +- 1) are fine.
/// Call after check_data. Returns X's bounds, for check_joint_fit_range.
template <typename Scalar, typename Derived>
ColumnBounds check_fit_range(const Eigen::MatrixBase<Derived>& X, const std::string& where) {
  ColumnBounds bounds;
  column_bounds(X, bounds.lowest, bounds.highest);
  double extent = 0.0;
  const Eigen::Index feature =
      feature_beyond_fit_range<Scalar>(bounds.lowest, bounds.highest, &extent);
  if (feature >= 0) {
    fail(where, "X spans " + to_text(extent) + " in feature " + to_text(feature) +
                    ", so squared distances between its points would overflow the model's "
                    "Scalar (largest " +
                    to_text(static_cast<double>(std::numeric_limits<Scalar>::max())) +
                    "); rescale X (divide it by a power of ten)" +
                    (sizeof(Scalar) < sizeof(double) ? " or use a double model." : "."));
  }
  return bounds;
}

/// For fitting from given points (means_init, init_centers, mean_prior): with X (its bounds
/// from check_fit_range), they must still leave room for squared distances between any two of
/// them (check_fit_range for the union; points of X's width).
template <typename Scalar, typename DerivedPoints>
void check_joint_fit_range(const ColumnBounds& X, const Eigen::MatrixBase<DerivedPoints>& points,
                           const std::string& name, const std::string& where) {
  Eigen::ArrayXd points_lowest, points_highest;
  column_bounds(points, points_lowest, points_highest);
  double extent = 0.0;
  const Eigen::Index feature = feature_beyond_fit_range<Scalar>(
      X.lowest.min(points_lowest), X.highest.max(points_highest), &extent);
  if (feature >= 0) {
    fail(where,
         "X and " + name + " together span " + to_text(extent) + " in feature " + to_text(feature) +
             ", so squared distances between them would overflow the model's Scalar (largest " +
             to_text(static_cast<double>(std::numeric_limits<Scalar>::max())) + "); pass " + name +
             " within the range of X or rescale both.");
  }
}

/// Brings validated weights (finite, >= 0) to a scale where a fit does not depend on it, and
/// returns the divisor (1 when they are left as they are):
///  - all positive weights equal (1e-300 each, 3 each): divided by that value, exactly ones, so
///    that the fit is exactly the unweighted one;
///  - integers whose sum is exact in double (counts): left as they are, so that a fit draws its
///    start exactly as from the rows repeated that many times;
///  - anything else: divided by the largest, so that the smallest and largest scales double
///    holds (1e-300, 1e300) fit what moderate ones fit and sklearn's absolute 10 eps floor
///    on the responsibility sums is in units of the heaviest point.
/// A positive weight whose ratio to the largest is below the smallest double (it would become
/// 0) is refused with InvalidArgument.
inline double normalize_sample_weight(Eigen::VectorXd& weights, const std::string& where) {
  double largest = 0.0, smallest = 0.0, total = 0.0;
  bool integral = true;
  for (Eigen::Index i = 0; i < weights.size(); ++i) {
    const double w = weights(i);
    if (w > 0.0 && (smallest == 0.0 || w < smallest)) smallest = w;
    largest = std::max(largest, w);
    integral = integral && w == std::floor(w);
    total += w;
  }
  if (!(largest > 0.0)) return 1.0;
  const bool counts = integral && total <= 0x1.0p53;
  const double divisor = smallest == largest ? largest : counts ? 1.0 : largest;
  if (divisor == 1.0) return 1.0;
  for (Eigen::Index i = 0; i < weights.size(); ++i) {
    const double given = weights(i);
    weights(i) = given / divisor;
    if (weights(i) == 0.0 && given > 0.0) {
      fail(
          where,
          "sample_weight(" + to_text(i) + ") = " + to_text(given) +
              " is positive but too small beside the largest weight " + to_text(largest) +
              " for double precision (their ratio is below 5e-324); give it weight 0 or raise it.");
    }
  }
  return divisor;
}

/// Whether checked_sample_weight keeps the weights as given or scales them.
enum class WeightScale {
  as_given,    ///< the weights count points (sums of statistics across calls, Bayesian priors)
  normalized,  ///< normalize_sample_weight, for fits where only the ratios matter
};

/// fit's sample_weight, validated and in double: one finite weight >= 0 per row of X (a row or
/// column vector of n_samples entries), with a finite sum and at least `min_positive` positive
/// entries (`min_name` names that lower bound: "n_components" or "n_clusters"). `normalized`
/// divides them by the largest (normalize_sample_weight, which `divided_by` receives), so that
/// weights that differ by a common factor (1e-300 or 1e250 each) give the same fit.
template <typename Derived>
Eigen::VectorXd checked_sample_weight(const Eigen::MatrixBase<Derived>& sample_weight,
                                      Eigen::Index n_samples, Eigen::Index min_positive,
                                      const char* min_name, const std::string& where,
                                      WeightScale scale = WeightScale::as_given,
                                      double* divided_by = nullptr) {
  static_assert(std::is_arithmetic<typename Derived::Scalar>::value,
                "emgmm needs real-valued sample weights: sample_weight must hold float, double or "
                "integer values.");
  if (sample_weight.rows() != 1 && sample_weight.cols() != 1) {
    fail(where, "sample_weight has shape (" + to_text(sample_weight.rows()) + " x " +
                    to_text(sample_weight.cols()) +
                    "); pass a vector with one weight per row of X.");
  }
  if (sample_weight.size() != n_samples) {
    fail(where, "sample_weight has " + to_text(sample_weight.size()) + " entries but X has " +
                    to_text(n_samples) + " rows; pass one weight per row of X.");
  }
  Eigen::VectorXd weights(n_samples);
  Eigen::Index positive = 0;
  for (Eigen::Index i = 0; i < n_samples; ++i) {
    const double w = static_cast<double>(sample_weight.coeff(i));
    if (!(w >= 0.0) || !std::isfinite(w)) {
      fail(where, "sample_weight(" + to_text(i) + ") = " + to_text(w) +
                      "; sample weights must be finite and >= 0 (0 drops the row).");
    }
    weights(i) = w;
    if (w > 0.0) ++positive;
  }
  // Normalized weights are at most one each, so their sum is finite whatever their scale.
  const double divisor =
      scale == WeightScale::normalized ? normalize_sample_weight(weights, where) : 1.0;
  if (divided_by) *divided_by = divisor;
  if (!std::isfinite(weights.sum())) {
    fail(where,
         "sample_weight sums to infinity; divide the weights by a common factor (the sums "
         "of the statistics must stay within double).");
  }
  if (positive < min_positive) {
    fail(where, "sample_weight has " + to_text(positive) + " positive entries but " + min_name +
                    " = " + to_text(min_positive) +
                    " needs at least that many points of positive weight; lower " + min_name +
                    " or give more points a positive weight.");
  }
  return weights;
}

/// The options every mixture shares (sklearn's BaseMixture parameters), validated; `o` is a
/// GaussianMixtureOptions or BayesianGaussianMixtureOptions.
template <typename Scalar, typename MixtureOptions>
void validate_mixture_options(const MixtureOptions& o, const std::string& where) {
  if (o.n_components < 1) {
    fail(where, "n_components = " + to_text(o.n_components) + " must be >= 1.");
  }
  if (!(o.tol >= 0.0) || !std::isfinite(o.tol)) {
    fail(where, "tol = " + to_text(o.tol) + " must be a finite number >= 0.");
  }
  if (!(o.reg_covar >= 0.0) || !std::isfinite(o.reg_covar)) {
    fail(where, "reg_covar = " + to_text(o.reg_covar) + " must be a finite number >= 0.");
  }
  if (o.reg_covar > double(std::numeric_limits<Scalar>::max()) / 4) {
    fail(where, "reg_covar = " + to_text(o.reg_covar) +
                    " is too large for the model's Scalar type; pass a smaller reg_covar.");
  }
  if (o.verbose < 0) {
    fail(where, "verbose = " + to_text(o.verbose) + " must be >= 0.");
  }
  if (o.max_iter < 0) {
    fail(where, "max_iter = " + to_text(o.max_iter) + " must be >= 0.");
  }
  if (o.n_init < 1) {
    fail(where, "n_init = " + to_text(o.n_init) + " must be >= 1.");
  }
  if (o.verbose_interval < 1) {
    fail(where, "verbose_interval = " + to_text(o.verbose_interval) + " must be >= 1.");
  }
  const int type = static_cast<int>(o.covariance_type);
  if (type < 0 || type > 3) {
    fail(where,
         "covariance_type = " + to_text(type) + " is not one of full, tied, diag, spherical.");
  }
  const int init = static_cast<int>(o.init_params);
  if (init < 0 || init > 3) {
    fail(where, "init_params = " + to_text(init) +
                    " is not one of kmeans, k-means++, random, random_from_data.");
  }
}

/// A mixture's resp_init option validated and each row divided by its sum; empty when not given.
template <typename Matrix>
Matrix checked_resp_init(const std::optional<Matrix>& resp_init, Eigen::Index n_samples,
                         Eigen::Index K, const std::string& where) {
  using Scalar = typename Matrix::Scalar;
  if (!resp_init) return Matrix();
  const Matrix& r = *resp_init;
  if (r.rows() != n_samples || r.cols() != K) {
    fail(where, "resp_init has shape (" + to_text(r.rows()) + " x " + to_text(r.cols()) +
                    ") but must be (n_samples x n_components) = (" + to_text(n_samples) + " x " +
                    to_text(K) + ").");
  }
  Matrix normalized(n_samples, K);
  for (Eigen::Index i = 0; i < n_samples; ++i) {
    double sum = 0.0;
    for (Eigen::Index k = 0; k < K; ++k) {
      const Scalar value = r(i, k);
      if (!(value >= Scalar(0)) || !std::isfinite(static_cast<double>(value))) {
        fail(where, "resp_init(" + to_text(i) + ", " + to_text(k) + ") = " + to_text(value) +
                        "; responsibilities must be finite and >= 0.");
      }
      sum += double(value);
    }
    if (!(sum > 0.0) || !std::isfinite(sum)) {
      fail(where,
           "resp_init row " + to_text(i) + " sums to " + to_text(sum) +
               "; every point needs a positive, finite total responsibility (give it weight 0 "
               "with sample_weight to leave it out).");
    }
    normalized.row(i) = (r.row(i).template cast<double>() / sum).template cast<Scalar>();
  }
  return normalized;
}

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_VALIDATION_HPP
