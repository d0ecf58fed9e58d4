#ifndef EMGMM_DETAIL_GAUSSIAN_MIXTURE_FORMAT_HPP
#define EMGMM_DETAIL_GAUSSIAN_MIXTURE_FORMAT_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

// GaussianMixture's saved format (documented in serialization.hpp): GaussianMixtureFormat, the
// friend of the class that writes and reads its text.

#include <algorithm>
#include <climits>
#include <cmath>
#include <fstream>
#include <istream>
#include <limits>
#include <ostream>
#include <string>
#include <utility>

#include <Eigen/Core>

#include "../covariance_type.hpp"
#include "../errors.hpp"
#include "../options.hpp"
#include "covariance.hpp"
#include "mixture_format.hpp"
#include "model_check.hpp"
#include "parameters.hpp"
#include "text_format.hpp"
#include "validation.hpp"

namespace emgmm {

template <typename Scalar, int Dim>
class GaussianMixture;

namespace detail {

/// GaussianMixture's save and load (a friend of the class).
template <typename Scalar, int Dim>
struct GaussianMixtureFormat {
  using Model = GaussianMixture<Scalar, Dim>;
  using Options = GaussianMixtureOptions<Scalar, Dim>;
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

  static constexpr const char* magic = "emgmm-gaussian-mixture";

  static const char* missing_values_name(MissingValues value) {
    return value == MissingValues::marginalize ? "marginalize" : "error";
  }

  static std::string text(const Model& model, const std::string& where) {
    model.require_fitted("save");
    const Options& o = model.options_;
    const MixtureParameters<Scalar, Dim>& p = model.params_;
    if (o.n_components != p.n_components() || o.covariance_type != p.covariance_type ||
        o.model_name != p.model_name) {
      fail(where, "the options ask for n_components = " + to_text(o.n_components) +
                      ", covariance_type '" + to_string(o.covariance_type) +
                      "' but the fitted model has " + to_text(p.n_components()) + ", '" +
                      to_string(p.covariance_type) +
                      "' (set_params after fit); refit, or set_params back, before saving.");
    }
    model.validate_options(where);  // so that the saved options load again
    TextWriter w;
    write_mixture_opening<Scalar>(w, magic, p.covariance_type, p.n_components(),
                                  model.n_features_in_, o);
    w.key("reseed_collapsed_components").flag(o.reseed_collapsed_components).end_line();
    w.key("learning_decay").value(o.learning_decay).end_line();
    w.key("learning_offset").value(o.learning_offset).end_line();
    w.key("missing_values").word(missing_values_name(o.missing_values)).end_line();
    // mclust's options, on a line of their own only when one differs from its default, so the
    // files of sklearn's models read as before.
    if (o.model_name || o.convergence != Convergence::sklearn ||
        o.inner_tol != Options().inner_tol || o.inner_max_iter != Options().inner_max_iter) {
      w.key("mclust")
          .word(o.model_name ? to_string(*o.model_name) : "none")
          .word(to_string(o.convergence))
          .value(o.inner_tol)
          .value(o.inner_max_iter)
          .end_line();
    }
    w.key("converged").flag(model.converged_).end_line();
    w.key("n_iter").value(model.n_iter_).end_line();
    w.key("lower_bound").value(model.lower_bound_).end_line();
    w.key("weights");
    for (Eigen::Index k = 0; k < p.weights.size(); ++k) w.value(p.weights(k));
    w.end_line();
    write_components(w, p);
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
    Options o;
    const Eigen::Index D =
        read_mixture_opening<Scalar, Dim>(r, magic, "GaussianMixture", "emgmm-kmeans", "KMeans", o);
    const CovarianceType type = o.covariance_type;
    const Eigen::Index K = o.n_components;
    r.expect("reseed_collapsed_components", 1);
    o.reseed_collapsed_components = r.flag(1, "reseed_collapsed_components");
    r.expect("learning_decay", 1);
    o.learning_decay = r.real<double>(1, "learning_decay");
    if (!(o.learning_decay > 0.5 && o.learning_decay <= 1.0)) {
      r.fail("learning_decay = " + to_text(o.learning_decay) + " must be in (0.5, 1].");
    }
    r.expect("learning_offset", 1);
    o.learning_offset = r.real<double>(1, "learning_offset");
    if (!(o.learning_offset > 0.0))
      r.fail("learning_offset = " + to_text(o.learning_offset) + " must be > 0.");
    // Written since issue 18; a file without the line keeps the default (error).
    if (r.expect_optional("missing_values", 1)) {
      const std::string name = r.word(1);
      if (name == missing_values_name(MissingValues::error)) {
        o.missing_values = MissingValues::error;
      } else if (name == missing_values_name(MissingValues::marginalize)) {
        o.missing_values = MissingValues::marginalize;
      } else {
        r.fail("missing_values = '" + TextReader::shown(name) +
               "' is not 'error' or 'marginalize'.");
      }
    }

    // Written since issue 17, only for mclust's options.
    if (r.expect_optional("mclust", 4)) read_mclust_options(r, o);
    r.expect("converged", 1);
    const bool converged = r.flag(1, "converged");
    r.expect("n_iter", 1);
    const int n_iter = r.integer<int>(1, 0, INT_MAX, "n_iter", "an integer >= 0");
    r.expect("lower_bound", 1);
    // -inf is what a fit with max_iter = 0 reports (no E-step was run).
    const double lower_bound = r.real<double>(1, "lower_bound", n_iter == 0);

    MixtureParameters<Scalar, Dim> p;
    p.covariance_type = type;
    p.model_name = o.model_name;
    r.expect("weights", K);
    p.weights.resize(K);
    for (Eigen::Index k = 0; k < K; ++k)
      p.weights(k) = r.real<Scalar>(static_cast<std::size_t>(k + 1), "weights(" + to_text(k) + ")");
    check_weights(r, p.weights, n_iter);

    read_components(r, p, K, D);
    r.expect("end", 0);
    if (whole_input) r.expect_end_of_input();
    r.finish();

    Matrix precisions = precisions_from_cholesky<Scalar, Dim>(p.precisions_cholesky, type, D);
    const std::string defect =
        mixture_defect(p, precisions, n_iter == 0 ? WeightSum::at_most_one : WeightSum::one);
    if (!defect.empty())
      r.fail_at(0, "", "the saved parameters are not a valid model: " + defect + ".");
    Model model(std::move(o));
    SufficientStatistics no_statistics;  // partial_fit starts afresh from a loaded model
    model.commit(p, precisions, typename Model::FitSummary{converged, n_iter, lower_bound},
                 no_statistics, 0);
    return model;
  }

  /// The `mclust <model_name|none> <convergence> <inner_tol> <inner_max_iter>` line.
  static void read_mclust_options(const TextReader& r, Options& o) {
    const std::string model = r.word(1);
    if (model != "none") {
      bool known = false;
      for (const ModelName name : kModelNames) {
        if (model == to_string(name)) {
          o.model_name = name;
          known = true;
        }
      }
      if (!known) {
        r.fail("model_name = '" + TextReader::shown(model) +
               "' is not 'none' or one of mclust's 'EII' ... 'VVV'.");
      }
      if (o.covariance_type != CovarianceType::full) {
        r.fail("model_name = '" + model + "' needs covariance_type 'full', not '" +
               to_string(o.covariance_type) + "'.");
      }
    }
    const std::string rule = r.word(2);
    if (rule != "sklearn" && rule != "mclust") {
      r.fail("convergence = '" + TextReader::shown(rule) + "' is not 'sklearn' or 'mclust'.");
    }
    o.convergence = rule == "mclust" ? Convergence::mclust : Convergence::sklearn;
    o.inner_tol = r.real<double>(3, "inner_tol");
    if (!(o.inner_tol >= 0.0)) r.fail("inner_tol = " + to_text(o.inner_tol) + " must be >= 0.");
    o.inner_max_iter = r.integer<int>(4, 1, INT_MAX, "inner_max_iter", "an integer >= 1");
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
};

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_GAUSSIAN_MIXTURE_FORMAT_HPP
