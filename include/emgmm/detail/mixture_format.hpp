#ifndef EMGMM_DETAIL_MIXTURE_FORMAT_HPP
#define EMGMM_DETAIL_MIXTURE_FORMAT_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

// What the saved GaussianMixture and BayesianGaussianMixture formats share (serialization.hpp):
// their opening lines (first line, scalar, covariance_type, n_components, n_features and the
// shared options), their closing Gaussians (means, covariances, precisions_cholesky) and the
// checks a loaded covariance and its precisions_cholesky must pass.

#include <climits>
#include <cmath>
#include <limits>
#include <string>

#include <Eigen/Core>

#include "../covariance_type.hpp"
#include "cholesky.hpp"
#include "covariance.hpp"
#include "parameters.hpp"
#include "text_format.hpp"
#include "validation.hpp"

namespace emgmm {
namespace detail {

/// The options both mixtures share, tol through verbose_interval, in the format's order.
template <typename MixtureOptions>
void write_mixture_options(TextWriter& w, const MixtureOptions& o) {
  w.key("tol").value(o.tol).end_line();
  w.key("reg_covar").value(o.reg_covar).end_line();
  w.key("max_iter").value(o.max_iter).end_line();
  w.key("n_init").value(o.n_init).end_line();
  w.key("init_params").word(to_string(o.init_params)).end_line();
  write_random_state(w, o.random_state);
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

/// The lines both mixture formats open with: `<magic> <version>`, scalar, covariance_type,
/// n_components, n_features, then the shared options.
template <typename Scalar, typename MixtureOptions>
void write_mixture_opening(TextWriter& w, const char* magic, CovarianceType covariance_type,
                           Eigen::Index n_components, Eigen::Index n_features,
                           const MixtureOptions& o) {
  write_header(w, magic);
  w.key("scalar").word(scalar_name<Scalar>()).end_line();
  w.key("covariance_type").word(to_string(covariance_type)).end_line();
  w.key("n_components").value(n_components).end_line();
  w.key("n_features").value(n_features).end_line();
  write_mixture_options(w, o);
}

/// Reads what write_mixture_opening wrote into `o` (covariance_type, n_components and the
/// shared options), failing before any allocation when the sizes cannot be addressed; returns
/// n_features. `model` names the reader's class in messages, `other_magic` / `other_model` the
/// kind of model whose file is the likely mistake.
template <typename Scalar, int Dim, typename MixtureOptions>
Eigen::Index read_mixture_opening(TextReader& r, const char* magic, const char* model,
                                  const char* other_magic, const char* other_model,
                                  MixtureOptions& o) {
  read_header(r, magic, model, other_magic, other_model);
  read_scalar<Scalar>(r, model);
  r.expect("covariance_type", 1);
  if (!parse_covariance_type(r.word(1), o.covariance_type)) {
    r.fail("covariance_type = '" + TextReader::shown(r.word(1)) +
           "' is not one of full, tied, diag, spherical.");
  }
  const CovarianceType type = o.covariance_type;
  r.expect("n_components", 1);
  o.n_components = r.integer<int>(1, 1, INT_MAX, "n_components", "an integer >= 1");
  const Eigen::Index K = o.n_components;
  const Eigen::Index D = read_n_features<Dim>(r, model);
  check_addressable<Scalar>(r, double(storage_rows(type, K, D)), double(storage_cols(type, D)),
                            "the covariances");
  check_addressable<Scalar>(r, double(K), double(D), "the means");
  read_mixture_options<Scalar>(r, o);
  return D;
}

/// Exactly symmetric and positive definite, as fit() writes them.
template <typename Scalar, int Dim>
void check_covariances(const TextReader& r, long long line,
                       const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& covariances,
                       CovarianceType type, Eigen::Index D) {
  using Square = Eigen::Matrix<Scalar, Dim, Dim>;
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
                    "the variance (" + to_text(k) + ", " + to_text(j) + ") = " + to_text(variance) +
                        " is not positive; variances must be > 0.");
        }
      }
    }
  }
}

/// precisions_cholesky must be the factors of the covariances' inverses: bit for bit what
/// fit() computes from them, or else (a start from precisions_init, max_iter = 0) a
/// triangular factor P with P^T C P = I to the rounding that the conditioning allows.
template <typename Scalar, int Dim>
void check_precisions_cholesky(const TextReader& r, long long line,
                               const MixtureParameters<Scalar, Dim>& p, Eigen::Index D) {
  using Square = Eigen::Matrix<Scalar, Dim, Dim>;
  const double eps = double(std::numeric_limits<Scalar>::epsilon());
  const std::string key = "precisions_cholesky";
  if (p.covariance_type == CovarianceType::full || p.covariance_type == CovarianceType::tied) {
    for (Eigen::Index k = 0; k < p.covariances.rows() / D; ++k) {
      const Square covariance = p.covariances.middleRows(k * D, D);
      const Square factor = p.precisions_cholesky.middleRows(k * D, D);
      Square expected(D, D);
      precision_cholesky_of<Scalar, Dim>(covariance, expected);  // succeeded in check_covariances
      if (factor == expected) continue;
      const bool lower = is_triangular(factor.data(), D, false);
      const bool upper = is_triangular(factor.data(), D, true);
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
                      " does not invert its covariance: max |P^T C P - I| = " + to_text(deviation) +
                      " (tolerance " + to_text(tolerance) + ").");
      }
    }
  } else {
    for (Eigen::Index k = 0; k < p.covariances.rows(); ++k) {
      for (Eigen::Index j = 0; j < p.covariances.cols(); ++j) {
        const Scalar variance = p.covariances(k, j);
        const Scalar factor = p.precisions_cholesky(k, j);
        if (factor == Scalar(1) / std::sqrt(variance)) continue;
        const double deviation = std::abs(double(factor) * double(factor) * double(variance) - 1.0);
        if (!(factor > Scalar(0)) || !(deviation <= 64.0 * eps)) {
          r.fail_at(line + 1 + k, key,
                    "entry (" + to_text(k) + ", " + to_text(j) + ") = " + to_text(factor) +
                        " is not 1 / sqrt of the variance " + to_text(variance) + ".");
        }
      }
    }
  }
}

/// The Gaussians both mixture formats end with (before `end`): means, covariances and
/// precisions_cholesky, in covariances()' storage.
template <typename Scalar, int Dim>
void write_components(TextWriter& w, const MixtureParameters<Scalar, Dim>& p) {
  w.matrix("means", p.means);
  w.matrix("covariances", p.covariances);
  w.matrix("precisions_cholesky", p.precisions_cholesky);
}

/// Reads what write_components wrote into `p`, whose covariance_type is set, for K components
/// in D dimensions; the covariances and their factors checked as fit() would have made them.
template <typename Scalar, int Dim>
void read_components(TextReader& r, MixtureParameters<Scalar, Dim>& p, Eigen::Index K,
                     Eigen::Index D) {
  using Means = Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>;
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  const CovarianceType type = p.covariance_type;
  const std::string means_shape = "n_components x n_features";
  p.means = to_matrix<Means>(read_matrix<Scalar>(r, "means", K, D, means_shape), K, D);
  const Eigen::Index rows = storage_rows(type, K, D);
  const Eigen::Index cols = storage_cols(type, D);
  const std::string shape = std::string("the storage of covariance_type '") + to_string(type) + "'";
  const long long covariances_line = r.line() + 1;
  p.covariances =
      to_matrix<Matrix>(read_matrix<Scalar>(r, "covariances", rows, cols, shape), rows, cols);
  check_covariances<Scalar, Dim>(r, covariances_line, p.covariances, type, D);
  const long long cholesky_line = r.line() + 1;
  p.precisions_cholesky = to_matrix<Matrix>(
      read_matrix<Scalar>(r, "precisions_cholesky", rows, cols, shape), rows, cols);
  check_precisions_cholesky(r, cholesky_line, p, D);
}

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_MIXTURE_FORMAT_HPP
