#ifndef EMGMM_DETAIL_MODEL_CHECK_HPP
#define EMGMM_DETAIL_MODEL_CHECK_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

// The one validity gate. Every path that produces a mixture (fit, maximization, partial_fit,
// load, for both mixtures) ends in mixture_defect() before it commits: all parameters finite,
// the weights a distribution, every covariance symmetric positive definite with a finite,
// positive-diagonal precision factor, the precisions finite, and the means close enough
// together that squared distances between them (and so the E-step) stay finite. Fit paths turn
// a defect into NumericalError, load into FormatError, so that whatever fit produces load
// accepts, and whatever load rejects fit never produces.

#include <cmath>
#include <limits>
#include <string>

#include <Eigen/Core>

#include "../covariance_type.hpp"
#include "../errors.hpp"
#include "covariance.hpp"
#include "parameters.hpp"
#include "validation.hpp"

namespace emgmm {
namespace detail {

/// How the weights of a mixture must sum.
enum class WeightSum {
  one,          ///< a fitted mixture: one, up to the rounding of K values
  at_most_one,  ///< a start with max_iter = 0 (sklearn 1.2 does not normalize it): in (0, 1]
};

/// What is wrong with the mixture `p` with precisions `precisions` in Scalar, in a sentence
/// fragment, or "" when it is a valid model.
template <typename Scalar, int Dim>
std::string mixture_defect(const MixtureParameters<Scalar, Dim>& p,
                           const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& precisions,
                           WeightSum weight_sum = WeightSum::one) {
  using Square = Eigen::Matrix<Scalar, Dim, Dim>;
  const CovarianceType type = p.covariance_type;
  const Eigen::Index K = p.n_components();
  const Eigen::Index D = p.n_features();
  const Eigen::Index rows = storage_rows(type, K, D);
  const Eigen::Index cols = storage_cols(type, D);
  if (K < 1 || D < 1 || p.means.rows() != K || p.covariances.rows() != rows ||
      p.covariances.cols() != cols || p.precisions_cholesky.rows() != rows ||
      p.precisions_cholesky.cols() != cols || precisions.rows() != rows ||
      precisions.cols() != cols || (p.log_weights.size() != 0 && p.log_weights.size() != K)) {
    return "its matrices do not have the shapes of " + to_text(K) + " components in " + to_text(D) +
           " features";
  }
  // Weights: finite, >= 0 and a distribution.
  const double eps = double(std::numeric_limits<Scalar>::epsilon());
  for (Eigen::Index k = 0; k < K; ++k) {
    if (!(p.weights(k) >= Scalar(0)) || !std::isfinite(p.weights(k))) {
      return "weight " + to_text(k) + " is " + to_text(p.weights(k)) + ", not a number in [0, 1]";
    }
  }
  const double sum = p.weights.template cast<double>().sum();
  const double tolerance = 4.0 * double(K + 1) * eps;
  const bool sum_ok = weight_sum == WeightSum::one
                          ? std::abs(sum - 1.0) <= tolerance
                          : sum > 0.0 && sum <= 1.0 + std::max(1e-8, 8.0 * eps) + tolerance;
  if (!sum_ok) return "the weights sum to " + to_text(sum) + ", not to one";
  if (!p.log_weights.allFinite()) return "a log weight of the E-step is not finite";
  // Means: finite, and not so far apart that squared distances between them overflow.
  if (!p.means.allFinite()) return "a mean is not finite";
  double extent = 0.0;
  const Eigen::ArrayXd lowest =
      p.means.template cast<double>().colwise().minCoeff().transpose().array();
  const Eigen::ArrayXd highest =
      p.means.template cast<double>().colwise().maxCoeff().transpose().array();
  const Eigen::Index feature = feature_beyond_fit_range<Scalar>(lowest, highest, &extent);
  if (feature >= 0) {
    return "the means span " + to_text(extent) + " in feature " + to_text(feature) +
           ", so squared distances between them overflow the Scalar type";
  }
  // Covariances and their precision factors.
  if (!p.covariances.allFinite()) return "a covariance is not finite";
  if (!p.precisions_cholesky.allFinite()) return "a precision Cholesky factor is not finite";
  if (!precisions.allFinite()) return "a precision (inverse covariance) is not finite";
  if (type == CovarianceType::full || type == CovarianceType::tied) {
    for (Eigen::Index k = 0; k < rows / D; ++k) {
      const Square covariance = p.covariances.middleRows(k * D, D);
      if (!(covariance == covariance.transpose()))
        return "the covariance of component " + to_text(k) + " is not symmetric";
      if (!is_symmetric_positive_definite(covariance)) {
        return "the covariance of component " + to_text(k) + " is not positive definite";
      }
      if (!(p.precisions_cholesky.middleRows(k * D, D).diagonal().array() > Scalar(0)).all()) {
        return "the precision factor of component " + to_text(k) + " has a diagonal entry <= 0";
      }
    }
  } else {
    if (!(p.covariances.array() > Scalar(0)).all()) return "a variance is not positive";
    if (!(p.precisions_cholesky.array() > Scalar(0)).all())
      return "a precision factor is not positive";
  }
  return std::string();
}

/// For the fit paths (fit, maximization, partial_fit): NumericalError naming the defect.
template <typename Scalar, int Dim>
void check_fitted_mixture(const MixtureParameters<Scalar, Dim>& p,
                          const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& precisions,
                          const std::string& where, WeightSum weight_sum = WeightSum::one) {
  const std::string defect = mixture_defect(p, precisions, weight_sum);
  if (!defect.empty()) {
    throw NumericalError(
        where + ": the parameters it computed are not a valid model (" + defect +
        "); the data or statistics are too extreme for the Scalar type. Rescale the data, "
        "use a double model or increase reg_covar.");
  }
}

/// KMeans's gate, for fit and load alike: what is wrong with cluster centers and an inertia,
/// or "": finite centers close enough together that squared distances between them stay finite
/// in Scalar, and an inertia >= 0 (+inf when the weighted sum overflowed, as sklearn's).
template <typename Derived>
std::string clustering_defect(const Eigen::MatrixBase<Derived>& centers, double inertia) {
  using Scalar = typename Derived::Scalar;
  if (centers.rows() < 1 || centers.cols() < 1) return "there are no cluster centers";
  if (!centers.allFinite()) return "a cluster center is not finite";
  const Eigen::MatrixXd c = centers.template cast<double>();
  double extent = 0.0;
  const Eigen::Index feature =
      feature_beyond_fit_range<Scalar>(c.colwise().minCoeff().transpose().array(),
                                       c.colwise().maxCoeff().transpose().array(), &extent);
  if (feature >= 0) {
    return "the centers span " + to_text(extent) + " in feature " + to_text(feature) +
           ", so squared distances between them overflow the Scalar type";
  }
  if (!(inertia >= 0.0))
    return "the inertia is " + to_text(inertia) + ", not a sum of squared distances";
  return std::string();
}

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_MODEL_CHECK_HPP
