#ifndef EMGMM_DETAIL_BAYESIAN_GAUSSIAN_MIXTURE_FORMAT_HPP
#define EMGMM_DETAIL_BAYESIAN_GAUSSIAN_MIXTURE_FORMAT_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

// BayesianGaussianMixture's saved format (documented in serialization.hpp):
// BayesianMixtureFormat, the friend of the class that writes and reads its text.

#include <climits>
#include <cstddef>
#include <fstream>
#include <istream>
#include <optional>
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
#include "text_format.hpp"
#include "validation.hpp"
#include "variational.hpp"

namespace emgmm {

template <typename Scalar, int Dim>
class BayesianGaussianMixture;

namespace detail {

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
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

  static constexpr const char* magic = "emgmm-bayesian-gaussian-mixture";

  static std::string text(const Model& model, const std::string& where) {
    model.require_fitted("save");
    const Options& o = model.options_;
    const VariationalParameters<Scalar, Dim>& p = model.posterior_;
    const bool dirichlet_process = p.weight_concentration.cols() == 2;
    if (o.n_components != p.mixture.n_components() ||
        o.covariance_type != p.mixture.covariance_type ||
        dirichlet_process != (o.weight_concentration_prior_type ==
                              WeightConcentrationPriorType::dirichlet_process)) {
      fail(where, "the options ask for n_components = " + to_text(o.n_components) +
                      ", covariance_type '" + to_string(o.covariance_type) + "', " +
                      to_string(o.weight_concentration_prior_type) + " but the fitted model has " +
                      to_text(p.mixture.n_components()) + ", '" +
                      to_string(p.mixture.covariance_type) + "', " +
                      (dirichlet_process ? "dirichlet_process" : "dirichlet_distribution") +
                      " (set_params after fit); refit, or set_params back, before saving.");
    }
    model.validate_options(where);  // so that the saved options load again
    TextWriter w;
    write_mixture_opening<Scalar>(w, magic, p.mixture.covariance_type, p.mixture.n_components(),
                                  model.n_features_in_, o);
    w.key("weight_concentration_prior_type")
        .word(to_string(o.weight_concentration_prior_type))
        .end_line();
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
    write_components(w, p.mixture);
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
    Options o;
    const Eigen::Index D = read_mixture_opening<Scalar, Dim>(
        r, magic, "BayesianGaussianMixture", "emgmm-gaussian-mixture", "GaussianMixture", o);
    const CovarianceType type = o.covariance_type;
    const Eigen::Index K = o.n_components;

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
    const bool dirichlet_process =
        o.weight_concentration_prior_type == WeightConcentrationPriorType::dirichlet_process;
    o.weight_concentration_prior = read_optional(r, "weight_concentration_prior", 0.0);
    o.mean_precision_prior = read_optional(r, "mean_precision_prior", 0.0);
    if (const auto mean = read_optional_matrix(r, "mean_prior", 1, D, "1 x n_features"))
      o.mean_prior = RowVector(*mean);
    o.degrees_of_freedom_prior = read_optional(r, "degrees_of_freedom_prior", double(D) - 1.0);
    const Eigen::Index prior_rows = component_rows(type, D);
    const Eigen::Index prior_cols = storage_cols(type, D);
    const std::string prior_shape =
        std::string("the covariance_prior of covariance_type '") + to_string(type) + "'";
    o.covariance_prior =
        read_optional_matrix(r, "covariance_prior", prior_rows, prior_cols, prior_shape);

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
    prior.mean = to_matrix<Eigen::MatrixXd>(
        read_matrix<double>(r, "mean_prior_", 1, D, "1 x n_features"), 1, D);
    prior.degrees_of_freedom = read_positive(r, "degrees_of_freedom_prior_", double(D) - 1.0);
    const long long covariance_prior_line = r.line() + 1;
    prior.covariance = to_matrix<Eigen::MatrixXd>(
        read_matrix<double>(r, "covariance_prior_", prior_rows, prior_cols, prior_shape),
        prior_rows, prior_cols);
    // The same test as fit() makes of the prior it computed (the data's covariance may be
    // singular: variances >= 0, exactly symmetric).
    const std::string prior_defect = covariance_prior_defect(prior.covariance);
    if (!prior_defect.empty())
      r.fail_at(covariance_prior_line, "covariance_prior_", prior_defect + ".");

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
    read_components(r, p.mixture, K, D);
    r.expect("end", 0);
    if (whole_input) r.expect_end_of_input();
    r.finish();

    complete_posterior(p);
    Matrix precisions =
        precisions_from_cholesky<Scalar, Dim>(p.mixture.precisions_cholesky, type, D);
    const std::string defect = mixture_defect(p.mixture, precisions);
    if (!defect.empty())
      r.fail_at(0, "", "the saved parameters are not a valid model: " + defect + ".");
    Model model(std::move(o));
    model.commit(p, precisions, typename Model::FitSummary{converged, n_iter, lower_bound}, prior);
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
    if (!(value > above))
      r.fail(std::string(name) + " = " + to_text(value) + " must be > " + to_text(above) + ".");
    return value;
  }

  /// `none`, or a finite number above `above`.
  static std::optional<double> read_optional(TextReader& r, const char* name, double above) {
    r.expect(name, 1);
    if (r.word(1) == "none") return std::nullopt;
    const double value = r.real<double>(1, name);
    if (!(value > above)) {
      r.fail(std::string(name) + " = " + to_text(value) + " must be 'none' or a number > " +
             to_text(above) + ".");
    }
    return value;
  }

  /// `name 0 0` (not given) or the rows x cols matrix.
  static std::optional<Matrix> read_optional_matrix(TextReader& r, const char* name,
                                                    Eigen::Index rows, Eigen::Index cols,
                                                    const std::string& shape) {
    if (!read_matrix_header(r, name, rows, cols, shape, /*optional=*/true)) return std::nullopt;
    return to_matrix<Matrix>(read_matrix_values<Scalar>(r, name, rows, cols), rows, cols);
  }

  /// `name` and K finite values, each above `above`.
  static Vector read_vector(TextReader& r, const char* name, Eigen::Index K, double above) {
    r.expect(name, K);
    Vector values(K);
    for (Eigen::Index k = 0; k < K; ++k) {
      values(k) = r.real<Scalar>(static_cast<std::size_t>(k + 1),
                                 std::string(name) + "(" + to_text(k) + ")");
      if (!(double(values(k)) > above)) {
        r.fail(std::string(name) + "(" + to_text(k) + ") = " + to_text(values(k)) + " must be > " +
               to_text(above) + ".");
      }
    }
    return values;
  }
};

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_BAYESIAN_GAUSSIAN_MIXTURE_FORMAT_HPP
