#ifndef EMGMM_DETAIL_SAMPLING_HPP
#define EMGMM_DETAIL_SAMPLING_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

// Drawing points from a fitted mixture (sklearn's BaseMixture.sample): how many from each
// component by its weight, then mean + L z with L the Cholesky factor of its covariance.

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "cholesky.hpp"
#include "covariance.hpp"
#include "parameters.hpp"
#include "random.hpp"
#include "validation.hpp"

namespace emgmm {
namespace detail {

/// n_samples points of the mixture into X (n_samples x D) and their components into y,
/// grouped by component as sklearn does; the same seed gives the same points. `where` names the
/// user's call in the InvalidArgument thrown for n_samples < 1 or too many to address.
template <typename Scalar, int Dim>
void draw_samples(const MixtureParameters<Scalar, Dim>& params, Eigen::Index n_samples,
                  std::uint64_t seed, const std::string& where,
                  Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>& X, Eigen::VectorXi& y) {
  using Square = Eigen::Matrix<Scalar, Dim, Dim>;
  const Eigen::Index D = params.n_features();
  if (n_samples < 1) {
    fail(where,
         "n_samples = " + to_text(n_samples) + "; the sampling requires at least one sample.");
  }
  if (n_samples > std::numeric_limits<Eigen::Index>::max() / D / Eigen::Index(sizeof(Scalar))) {
    fail(where, "n_samples = " + to_text(n_samples) + " points of " + to_text(D) +
                    " features cannot be addressed; ask for fewer.");
  }
  X.resize(n_samples, D);  // fails fast when too large
  y.resize(n_samples);
  Random random(seed);
  const Eigen::Index K = params.n_components();
  // Component of each draw: the inverse of the cumulative weights, then counts.
  std::vector<double> cumulative(static_cast<std::size_t>(K));
  double running = 0.0;
  for (Eigen::Index k = 0; k < K; ++k)
    cumulative[static_cast<std::size_t>(k)] = running += double(params.weights(k));
  std::vector<Eigen::Index> counts(static_cast<std::size_t>(K), 0);
  for (Eigen::Index i = 0; i < n_samples; ++i) {
    const double u = random.uniform() * running;
    Eigen::Index k = 0;
    while (k + 1 < K && cumulative[static_cast<std::size_t>(k)] <= u) ++k;
    ++counts[static_cast<std::size_t>(k)];
  }
  Eigen::Matrix<Scalar, Dim, 1> z(D);
  Eigen::Index row = 0;
  for (Eigen::Index k = 0; k < K; ++k) {
    Square factor = expand_component<Scalar, Dim>(params.covariances, params.covariance_type, k, D);
    cholesky_lower_in_place(factor.data(), D);  // a fitted model's covariances are SPD
    for (Eigen::Index j = 0; j < counts[static_cast<std::size_t>(k)]; ++j, ++row) {
      for (Eigen::Index d = 0; d < D; ++d) z(d) = static_cast<Scalar>(random.standard_normal());
      X.row(row) = params.means.row(k) + (factor * z).transpose();
      y(row) = static_cast<int>(k);
    }
  }
}

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_SAMPLING_HPP
