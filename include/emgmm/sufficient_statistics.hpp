#ifndef EMGMM_SUFFICIENT_STATISTICS_HPP
#define EMGMM_SUFFICIENT_STATISTICS_HPP

#include "detail/diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "covariance_type.hpp"
#include "detail/covariance.hpp"
#include "detail/small_matrix.hpp"
#include "detail/validation.hpp"
#include "errors.hpp"

namespace emgmm {

/// What one E-step pass over some data accumulates: everything the M-step needs, as a value.
///
/// For reference means m_k (the means of the model whose E-step made them; the sums are taken
/// about them so that one pass is as accurate as a centered two-pass formula), with r_ik the
/// responsibilities and w_i the sample weights (1 without):
///   resp_sum(k)          = sum_i w_i r_ik
///   resp_diff_sum.row(k) = sum_i w_i r_ik (x_i - m_k)
///   scatter              = sum_i w_i r_ik (x_i - m_k)(x_i - m_k)^T, lower triangle:
///                          full (K*D) x D stacked per k; tied D x D summed over k;
///                          diag and spherical K x D, the diagonals
///   log_likelihood       = sum_i w_i log p(x_i)
///   n_samples            = sum_i w_i
/// all in double whatever the model's Scalar.
///
/// Statistics of disjoint parts of the data (shards on several machines, chunks of a stream)
/// taken under the same model add up (`+=`) to the statistics of all of it: the seam for
/// distributed EM (GaussianMixtureOptions::statistics_reducer, examples/mpi_fit.cpp) and for
/// EM loops of your own (GaussianMixture::expectation and maximization). Addition is exact
/// arithmetic up to rounding; adding the parts in a fixed order gives bit-identical results
/// on every process. to_buffer()/from_buffer() turn the value into a flat array of doubles and
/// back, for sending it.
struct SufficientStatistics {
  CovarianceType covariance_type = CovarianceType::full;
  Eigen::VectorXd resp_sum;       ///< K
  Eigen::MatrixXd resp_diff_sum;  ///< K x D
  Eigen::MatrixXd scatter;        ///< see above
  double log_likelihood = 0.0;
  double n_samples = 0.0;
  Eigen::MatrixXd reference;  ///< K x D: the m_k the sums are taken about

  SufficientStatistics() = default;
  /// Zero statistics of K components in D dimensions about `reference` (K x D).
  /// Throws InvalidArgument for an unknown type, negative counts or sizes beyond memory.
  SufficientStatistics(CovarianceType type, Eigen::Index K, Eigen::Index D)
      : covariance_type(type),
        resp_sum(checked_counts(type, K, D, "SufficientStatistics")),
        resp_diff_sum(K, D),
        scatter(scatter_rows(type, K, D), D) {
    std::fill_n(resp_sum.data(), resp_sum.size(), 0.0);
    std::fill_n(resp_diff_sum.data(), resp_diff_sum.size(), 0.0);
    std::fill_n(scatter.data(), scatter.size(), 0.0);
  }

  Eigen::Index n_components() const { return resp_sum.size(); }
  Eigen::Index n_features() const { return resp_diff_sum.cols(); }

  /// Rows of `scatter` (its columns are D).
  static Eigen::Index scatter_rows(CovarianceType type, Eigen::Index K, Eigen::Index D) {
    return detail::storage_rows(type, K, D);
  }

  /// Whether every member has the shape that n_components(), n_features() and covariance_type
  /// give it (reference K x D, or empty before an E-step set it). Members are public, so a
  /// reducer or a program of yours can break this; every method that reads them checks it.
  bool is_consistent() const {
    const int type = static_cast<int>(covariance_type);
    if (type < 0 || type > 3) return false;
    const Eigen::Index K = resp_sum.size();
    const Eigen::Index D = resp_diff_sum.cols();
    return resp_diff_sum.rows() == K && scatter.cols() == D &&
           scatter.rows() == scatter_rows(covariance_type, K, D) &&
           (reference.size() == 0 || (reference.rows() == K && reference.cols() == D));
  }

  /// Bytes one instance holds, for sizing per-thread partial sums.
  static double bytes(CovarianceType type, Eigen::Index K, Eigen::Index D) {
    return 8.0 * (double(scatter_rows(type, K, D)) * double(D) + double(K) * double(D + 1));
  }

  /// Adds the statistics of other data taken under the same model. Throws InvalidArgument if
  /// the covariance type, the shapes or the reference means differ (statistics of different
  /// models cannot be added).
  SufficientStatistics& operator+=(const SufficientStatistics& other) {
    require_consistent(*this, "SufficientStatistics::operator+=", "the left-hand statistics");
    require_consistent(other, "SufficientStatistics::operator+=", "the right-hand statistics");
    if (other.covariance_type != covariance_type || other.resp_sum.size() != resp_sum.size() ||
        other.resp_diff_sum.cols() != resp_diff_sum.cols()) {
      detail::fail("SufficientStatistics::operator+=",
                   "cannot add statistics of " + detail::to_text(other.n_components()) +
                       " components, " + detail::to_text(other.n_features()) +
                       " features, covariance_type '" + to_string(other.covariance_type) +
                       "' to statistics of " + detail::to_text(n_components()) + " components, " +
                       detail::to_text(n_features()) + " features, '" + to_string(covariance_type) +
                       "'; add only statistics of the same model.");
    }
    if (other.reference.size() != reference.size() ||
        !std::equal(reference.data(), reference.data() + reference.size(),
                    other.reference.data())) {
      detail::fail(
          "SufficientStatistics::operator+=",
          "the two statistics were taken about different reference means, so they come from "
          "different models; add only statistics of E-steps under the same model.");
    }
    detail::add_to(resp_sum.data(), other.resp_sum.data(), resp_sum.size());
    detail::add_to(resp_diff_sum.data(), other.resp_diff_sum.data(), resp_diff_sum.size());
    detail::add_to(scatter.data(), other.scatter.data(), scatter.size());
    log_likelihood += other.log_likelihood;
    n_samples += other.n_samples;
    return *this;
  }

  /// Whether log_likelihood, n_samples and every sum are finite numbers.
  bool all_finite() const {
    return std::isfinite(log_likelihood) && std::isfinite(n_samples) &&
           all_finite_values(resp_sum.data(), resp_sum.size()) &&
           all_finite_values(resp_diff_sum.data(), resp_diff_sum.size()) &&
           all_finite_values(scatter.data(), scatter.size());
  }

  /// Multiplies every sum (and log_likelihood, n_samples) by `factor`: a weighted average of
  /// statistics is a sum of scaled ones (partial_fit's stepwise EM).
  SufficientStatistics& operator*=(double factor) {
    require_consistent(*this, "SufficientStatistics::operator*=", "the statistics");
    scale_values(resp_sum.data(), resp_sum.size(), factor);
    scale_values(resp_diff_sum.data(), resp_diff_sum.size(), factor);
    scale_values(scatter.data(), scatter.size(), factor);
    log_likelihood *= factor;
    n_samples *= factor;
    return *this;
  }

  /// The same sums taken about other reference means (K x D): with delta_k = m_k - m'_k,
  /// sum r (x - m') = d_k + r_k delta_k and the scatter gains d_k delta_k^T + delta_k d_k^T +
  /// r_k delta_k delta_k^T. Exact algebra; lets statistics of different models be averaged.
  template <typename Real = double>  // always double: see the note under private:
  void recenter(const Eigen::MatrixXd& new_reference) {
    require_consistent(*this, "SufficientStatistics::recenter", "the statistics");
    const Eigen::Index K = n_components();
    const Eigen::Index D = n_features();
    if (new_reference.rows() != K || new_reference.cols() != D || reference.rows() != K ||
        reference.cols() != D) {
      detail::fail("SufficientStatistics::recenter",
                   "the new reference means are (" + detail::to_text(new_reference.rows()) + " x " +
                       detail::to_text(new_reference.cols()) + ") but the statistics need (" +
                       detail::to_text(K) + " x " + detail::to_text(D) +
                       ") and reference means of their own.");
    }
    for (Eigen::Index k = 0; k < K; ++k) {
      const Eigen::Matrix<Real, 1, Eigen::Dynamic> delta = reference.row(k) - new_reference.row(k);
      const Eigen::Matrix<Real, 1, Eigen::Dynamic> d = resp_diff_sum.row(k);
      switch (covariance_type) {
        case CovarianceType::full:
        case CovarianceType::tied: {
          const Eigen::MatrixXd shift = d.transpose() * delta + delta.transpose() * d +
                                        resp_sum(k) * (delta.transpose() * delta);
          auto block = covariance_type == CovarianceType::full ? scatter.middleRows(k * D, D)
                                                               : scatter.middleRows(0, D);
          block.template triangularView<Eigen::Lower>() += shift;
          break;
        }
        case CovarianceType::diag:
        case CovarianceType::spherical:
          scatter.row(k) +=
              (2.0 * d.array() * delta.array() + resp_sum(k) * delta.array().square()).matrix();
          break;
      }
      resp_diff_sum.row(k) += resp_sum(k) * delta;
    }
    reference = new_reference;
  }

  /// The number of doubles to_buffer() writes for these dimensions.
  /// Throws InvalidArgument when the count would not fit in memory's address range.
  static std::size_t buffer_size(CovarianceType type, Eigen::Index K, Eigen::Index D) {
    checked_counts(type, K, D, "SufficientStatistics::buffer_size");
    return static_cast<std::size_t>(kHeader + K + 2 * K * D + scatter_rows(type, K, D) * D);
  }

  /// Flat layout: covariance type, K, D, log_likelihood, n_samples, then resp_sum,
  /// resp_diff_sum, reference and scatter, each column by column.
  std::vector<double> to_buffer() const {
    require_consistent(*this, "SufficientStatistics::to_buffer", "the statistics");
    const Eigen::Index K = n_components();
    const Eigen::Index D = n_features();
    std::vector<double> buffer(buffer_size(covariance_type, K, D));
    buffer[0] = double(static_cast<int>(covariance_type));
    buffer[1] = double(K);
    buffer[2] = double(D);
    buffer[3] = log_likelihood;
    buffer[4] = n_samples;
    double* out = buffer.data() + kHeader;
    const auto put = [&out](const double* values, Eigen::Index count) {
      out = std::copy(values, values + count, out);
    };
    put(resp_sum.data(), resp_sum.size());
    put(resp_diff_sum.data(), resp_diff_sum.size());
    if (reference.size() == 0) {
      out = std::fill_n(out, K * D, 0.0);
    } else {
      put(reference.data(), reference.size());
    }
    put(scatter.data(), scatter.size());
    return buffer;
  }

  /// The statistics to_buffer() wrote. Throws InvalidArgument for a buffer that is not one:
  /// wrong size for its header, unknown covariance type, non-finite values.
  static SufficientStatistics from_buffer(const double* data, std::size_t size) {
    const char* where = "SufficientStatistics::from_buffer";
    if (data == nullptr || size < kHeader) {
      detail::fail(where, "the buffer holds " + detail::to_text(size) +
                              " doubles, fewer than the " + detail::to_text(kHeader) +
                              " of its header; pass what to_buffer() wrote.");
    }
    const double type_code = data[0], K_value = data[1], D_value = data[2];
    if (!(type_code == 0 || type_code == 1 || type_code == 2 || type_code == 3)) {
      detail::fail(where,
                   "buffer[0] = " + detail::to_text(type_code) +
                       " is not a covariance type code (0..3); pass what to_buffer() wrote.");
    }
    if (!(K_value >= 1 && K_value <= 1e9 && K_value == std::floor(K_value)) ||
        !(D_value >= 1 && D_value <= 1e9 && D_value == std::floor(D_value))) {
      detail::fail(where,
                   "buffer[1..2] = (" + detail::to_text(K_value) + ", " + detail::to_text(D_value) +
                       ") are not component and feature counts; pass what to_buffer() wrote.");
    }
    const auto type = static_cast<CovarianceType>(static_cast<int>(type_code));
    const auto K = static_cast<Eigen::Index>(K_value);
    const auto D = static_cast<Eigen::Index>(D_value);
    // The header's numbers come from elsewhere (another process, the network): the size they
    // claim is worked out in double, which cannot overflow, and compared with the buffer's own
    // before any integer arithmetic on them.
    const double needed = double(kHeader) + K_value + 2.0 * K_value * D_value +
                          double(detail::storage_rows(type, K_value, D_value)) * D_value;
    if (!(needed == double(size)) || needed > kLargestBuffer) {
      detail::fail(where, "the buffer holds " + detail::to_text(size) +
                              " doubles but its header (" + detail::to_text(K) + " components, " +
                              detail::to_text(D) + " features, '" + to_string(type) + "') needs " +
                              detail::to_text(needed) + "; pass exactly what to_buffer() wrote.");
    }
    for (std::size_t i = 3; i < size; ++i) {
      if (!std::isfinite(data[i])) {
        detail::fail(where, "buffer[" + detail::to_text(i) + "] = " + detail::to_text(data[i]) +
                                "; statistics must be finite.");
      }
    }
    SufficientStatistics stats(type, K, D);
    stats.log_likelihood = data[3];
    stats.n_samples = data[4];
    const double* in = data + kHeader;
    const auto get = [&in](auto& matrix) {
      std::copy(in, in + matrix.size(), matrix.data());
      in += matrix.size();
    };
    stats.reference.resize(K, D);
    get(stats.resp_sum);
    get(stats.resp_diff_sum);
    get(stats.reference);
    get(stats.scatter);
    return stats;
  }

 private:
  // The members work on the values through plain loops, and recenter() is a template on Real
  // (always double), which its vectors' types name: a file that includes emgmm without using
  // SufficientStatistics (every file in compiled mode) then instantiates no Eigen expression
  // for them (see missing.hpp).
  static void scale_values(double* values, Eigen::Index count, double factor) {
    for (Eigen::Index i = 0; i < count; ++i) values[i] *= factor;
  }
  static bool all_finite_values(const double* values, Eigen::Index count) {
    for (Eigen::Index i = 0; i < count; ++i) {
      if (!std::isfinite(values[i])) return false;
    }
    return true;
  }

  static constexpr Eigen::Index kHeader = 5;
  // Buffers and matrices beyond 2^50 doubles (8 PiB) cannot exist; below it, sizes in double
  // are exact and their integer products cannot overflow Eigen::Index.
  static constexpr double kLargestBuffer = 1125899906842624.0;

  /// K, after checking that statistics of K components in D features can exist.
  static Eigen::Index checked_counts(CovarianceType type, Eigen::Index K, Eigen::Index D,
                                     const char* where) {
    const int code = static_cast<int>(type);
    if (code < 0 || code > 3) {
      detail::fail(where, "covariance_type = " + detail::to_text(code) +
                              " is not one of full, tied, diag, spherical.");
    }
    const double Kd = double(K), Dd = double(D);
    if (K < 0 || D < 0 ||
        double(kHeader) + Kd + 2.0 * Kd * Dd + detail::storage_rows(type, Kd, Dd) * Dd >
            kLargestBuffer) {
      detail::fail(
          where,
          "statistics of " + detail::to_text(K) + " components and " + detail::to_text(D) +
              " features cannot exist (negative, or beyond memory); pass the model's counts.");
    }
    return K;
  }

  static void require_consistent(const SufficientStatistics& stats, const char* where,
                                 const char* which) {
    if (!stats.is_consistent()) {
      detail::fail(
          where,
          std::string(which) + " have members of inconsistent shapes (resp_sum " +
              detail::to_text(stats.resp_sum.size()) + ", resp_diff_sum " +
              detail::to_text(stats.resp_diff_sum.rows()) + " x " +
              detail::to_text(stats.resp_diff_sum.cols()) + ", scatter " +
              detail::to_text(stats.scatter.rows()) + " x " +
              detail::to_text(stats.scatter.cols()) + ", reference " +
              detail::to_text(stats.reference.rows()) + " x " +
              detail::to_text(stats.reference.cols()) +
              "); pass statistics as expectation() makes them, changing values, not shapes.");
    }
  }
};

}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_SUFFICIENT_STATISTICS_HPP
