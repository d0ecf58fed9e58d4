#ifndef EMGMM_DETAIL_KMEANS_FORMAT_HPP
#define EMGMM_DETAIL_KMEANS_FORMAT_HPP

#include "diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

// KMeans's saved format (documented in serialization.hpp): KMeansFormat, the friend of the
// class that writes and reads its text.

#include <climits>
#include <cstddef>
#include <fstream>
#include <istream>
#include <limits>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "../errors.hpp"
#include "../options.hpp"
#include "model_check.hpp"
#include "text_format.hpp"
#include "validation.hpp"

namespace emgmm {

template <typename Scalar, int Dim>
class KMeans;

namespace detail {

/// KMeans's save and load (a friend of the class).
template <typename Scalar, int Dim>
struct KMeansFormat {
  using Model = KMeans<Scalar, Dim>;
  using Options = KMeansOptions<Scalar, Dim>;
  using Centers = Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>;

  static constexpr const char* magic = "emgmm-kmeans";

  static std::string text(const Model& model, const std::string& where) {
    model.require_fitted("save");
    const Options& o = model.options_;
    if (o.n_clusters != model.cluster_centers_.rows()) {
      fail(where, "the options ask for n_clusters = " + to_text(o.n_clusters) +
                      " but the fitted model has " + to_text(model.cluster_centers_.rows()) +
                      " (set_params after fit); refit, or set_params back, before saving.");
    }
    model.validate_options(where);
    TextWriter w;
    write_header(w, magic);
    w.key("scalar").word(scalar_name<Scalar>()).end_line();
    w.key("n_clusters").value(o.n_clusters).end_line();
    w.key("n_features").value(model.n_features_in_).end_line();
    w.key("init").word(o.init == Options::Init::random ? "random" : "k-means++").end_line();
    w.key("n_init").value(o.n_init).end_line();
    w.key("max_iter").value(o.max_iter).end_line();
    w.key("tol").value(o.tol).end_line();
    write_random_state(w, o.random_state);
    w.key("verbose").value(o.verbose).end_line();
    w.key("inertia").value(model.inertia_).end_line();
    w.key("n_iter").value(model.n_iter_).end_line();
    w.matrix("cluster_centers", model.cluster_centers_);
    w.key("labels").value(model.labels_.size()).end_line();
    for (Eigen::Index i = 0; i < model.labels_.size(); ++i) {
      if (i == 0) {
        w.first(model.labels_(i));
      } else {
        w.value(model.labels_(i));
      }
    }
    w.end_line();
    w.key("end").end_line();
    return w.text();
  }

  static void save(const Model& model, std::ostream& out) {
    const std::string where = "KMeans::save";
    write_text(out, text(model, where), where);
  }

  static void save(const Model& model, const std::string& path) {
    const std::string where = "KMeans::save";
    write_file(path, text(model, where), where);
  }

  static Model load(const std::string& path) {
    const std::string where = "KMeans::load";
    std::ifstream file(path, std::ios::binary);
    if (!file) throw IOError(where + ": cannot open '" + path + "' for reading; check the path.");
    return load(file, where + "('" + path + "')", true);
  }

  static Model load(std::istream& in, const std::string& where = "KMeans::load",
                    bool whole_input = false) {
    TextReader r(in, where);
    read_header(r, magic, "KMeans", "emgmm-gaussian-mixture", "GaussianMixture");
    read_scalar<Scalar>(r, "KMeans");
    Options o;
    r.expect("n_clusters", 1);
    o.n_clusters = r.integer<int>(1, 1, INT_MAX, "n_clusters", "an integer >= 1");
    const Eigen::Index K = o.n_clusters;
    const Eigen::Index D = read_n_features<Dim>(r, "KMeans");
    check_addressable<Scalar>(r, double(K), double(D), "the cluster centers");
    r.expect("init", 1);
    if (r.word(1) == "k-means++") {
      o.init = Options::Init::k_means_plus_plus;
    } else if (r.word(1) == "random") {
      o.init = Options::Init::random;
    } else {
      r.fail("init = '" + TextReader::shown(r.word(1)) + "' is not one of k-means++, random.");
    }
    r.expect("n_init", 1);
    o.n_init = r.integer<int>(1, 0, INT_MAX, "n_init", "an integer >= 0 (0: 'auto')");
    r.expect("max_iter", 1);
    o.max_iter = r.integer<int>(1, 1, INT_MAX, "max_iter", "an integer >= 1");
    r.expect("tol", 1);
    o.tol = r.real<double>(1, "tol");
    if (!(o.tol >= 0.0)) r.fail("tol = " + to_text(o.tol) + " must be >= 0.");
    o.random_state = read_random_state(r);
    r.expect("verbose", 1);
    o.verbose = r.integer<int>(1, 0, INT_MAX, "verbose", "an integer >= 0");
    r.expect("inertia", 1);
    // +inf: the sum of squared distances of data near the largest double overflows (fit keeps
    // that clustering, as sklearn does).
    const double inertia = r.real<double>(1, "inertia", false, true);
    if (!(inertia >= 0.0))
      r.fail("inertia = " + to_text(inertia) + " must be >= 0 (a sum of squared distances).");
    r.expect("n_iter", 1);
    const int n_iter = r.integer<int>(1, 0, INT_MAX, "n_iter", "an integer >= 0");
    const long long centers_line = r.line() + 1;
    Centers centers = to_matrix<Centers>(
        read_matrix<Scalar>(r, "cluster_centers", K, D, "n_clusters x n_features"), K, D);
    // The same check as fit() makes of its result.
    const std::string defect = clustering_defect(centers, inertia);
    if (!defect.empty()) {
      r.fail_at(centers_line, "cluster_centers",
                "the saved clustering is not a valid model: " + defect + ".");
    }
    r.expect("labels", 1);
    const auto n =
        r.integer<long long>(1, K, std::numeric_limits<Eigen::Index>::max() / 8, "labels",
                             "the number of training points, at least n_clusters");
    r.expect_values(n, "the labels");
    std::vector<int> labels;
    labels.reserve(static_cast<std::size_t>(n));  // the line holding them has been read
    for (long long i = 0; i < n; ++i) {
      labels.push_back(r.integer<int>(static_cast<std::size_t>(i), 0, static_cast<int>(K - 1),
                                      "labels(" + to_text(i) + ")",
                                      "a cluster index in [0, n_clusters)"));
    }
    r.expect("end", 0);
    if (whole_input) r.expect_end_of_input();
    r.finish();

    Model model(std::move(o));
    model.cluster_centers_.swap(centers);
    model.labels_ =
        Eigen::Map<const Eigen::VectorXi>(labels.data(), static_cast<Eigen::Index>(labels.size()));
    model.inertia_ = inertia;
    model.n_iter_ = n_iter;
    model.n_features_in_ = D;
    return model;
  }
};

}  // namespace detail
}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_DETAIL_KMEANS_FORMAT_HPP
