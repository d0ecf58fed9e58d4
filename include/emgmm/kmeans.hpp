#ifndef EMGMM_KMEANS_HPP
#define EMGMM_KMEANS_HPP

#include "detail/diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

#include <cmath>
#include <iostream>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "detail/kmeans_fit.hpp"
#include "detail/model_check.hpp"
#include "detail/parallel.hpp"
#include "detail/row_source.hpp"
#include "detail/validation.hpp"
#include "errors.hpp"
#include "options.hpp"
#include "serialization.hpp"

namespace emgmm {

/// K-means clustering (sklearn.cluster.KMeans with algorithm="lloyd"): greedy k-means++ or
/// random seeding, Lloyd iterations, the best of n_init runs by inertia. Also the default
/// initializer of GaussianMixture.
///
/// Every method taking X accepts any dense Eigen expression with one point per row.
/// Throws InvalidArgument for invalid options or data, NotFittedError before fit().
template <typename Scalar = double, int Dim = Eigen::Dynamic>
class KMeans {
  static_assert(std::is_floating_point<Scalar>::value,
                "emgmm::KMeans<Scalar, Dim> needs a floating-point Scalar: float or double.");
  static_assert(Dim == Eigen::Dynamic || Dim > 0,
                "emgmm::KMeans<Scalar, Dim> needs Dim > 0 or Eigen::Dynamic.");

 public:
  using Options = KMeansOptions<Scalar, Dim>;
  using Centers = Eigen::Matrix<Scalar, Eigen::Dynamic, Dim>;
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using Labels = Eigen::VectorXi;

  /// n_clusters clusters, every other option sklearn's default.
  explicit KMeans(int n_clusters = 8) { options_.n_clusters = n_clusters; }
  explicit KMeans(Options options) : options_(std::move(options)) {}

  const Options& get_params() const { return options_; }
  /// Replaces the options; they are validated by the next fit().
  void set_params(Options options) { options_ = std::move(options); }

  /// Computes the clustering. A fit that throws leaves the model as it was.
  template <typename Derived>
  KMeans& fit(const Eigen::MatrixBase<Derived>& X) {
    fit_impl(X, nullptr, "KMeans::fit");
    return *this;
  }

  /// Computes the clustering with one weight per row (sklearn's sample_weight): centers are
  /// weighted means, inertia a weighted sum, and k-means++ draws a point with probability
  /// proportional to its weight. Integer weights give the clustering of the rows repeated that
  /// many times (random init excepted: it draws distinct rows); weight 0 drops a row from every
  /// sum, though it still gets a label. Weights must be finite and >= 0, with at least
  /// n_clusters positive.
  template <typename Derived, typename DerivedWeight>
  KMeans& fit(const Eigen::MatrixBase<Derived>& X,
              const Eigen::MatrixBase<DerivedWeight>& sample_weight) {
    double weight_scale = 1.0;
    const Eigen::VectorXd weights = checked_weights(X, sample_weight, "KMeans::fit", weight_scale);
    fit_impl(X, &weights, "KMeans::fit", weight_scale);
    return *this;
  }

  /// fit(X), then the label of every point.
  template <typename Derived>
  Labels fit_predict(const Eigen::MatrixBase<Derived>& X) {
    fit_impl(X, nullptr, "KMeans::fit_predict");
    return labels_;
  }

  /// fit(X, sample_weight), then the label of every point.
  template <typename Derived, typename DerivedWeight>
  Labels fit_predict(const Eigen::MatrixBase<Derived>& X,
                     const Eigen::MatrixBase<DerivedWeight>& sample_weight) {
    double weight_scale = 1.0;
    const Eigen::VectorXd weights =
        checked_weights(X, sample_weight, "KMeans::fit_predict", weight_scale);
    fit_impl(X, &weights, "KMeans::fit_predict", weight_scale);
    return labels_;
  }

  /// Index of the nearest cluster center for every row of X.
  template <typename Derived>
  Labels predict(const Eigen::MatrixBase<Derived>& X) const {
    const Eigen::MatrixXd distances = squared_distances(X, "predict");
    Labels labels(distances.rows());
    for (Eigen::Index i = 0; i < distances.rows(); ++i) {
      Eigen::Index best = 0;
      distances.row(i).minCoeff(&best);
      labels(i) = static_cast<int>(best);
    }
    return labels;
  }

  /// Euclidean distance of every row of X to every center (n x n_clusters).
  template <typename Derived>
  Matrix transform(const Eigen::MatrixBase<Derived>& X) const {
    // The root in double: a float distance may be finite where its square is not.
    return squared_distances(X, "transform").array().sqrt().matrix().template cast<Scalar>();
  }

  /// Opposite of the inertia of X with respect to the fitted centers (sklearn's score).
  template <typename Derived>
  double score(const Eigen::MatrixBase<Derived>& X) const {
    const Eigen::MatrixXd distances = squared_distances(X, "score");
    return -distances.rowwise().minCoeff().sum();
  }

  /// Opposite of the weighted inertia of X (sklearn's score with sample_weight).
  template <typename Derived, typename DerivedWeight>
  double score(const Eigen::MatrixBase<Derived>& X,
               const Eigen::MatrixBase<DerivedWeight>& sample_weight) const {
    const Eigen::MatrixXd distances = squared_distances(X, "score");
    const Eigen::VectorXd weights =
        detail::checked_sample_weight(sample_weight, X.rows(), 0, "n_clusters", "KMeans::score");
    return -weights.dot(distances.rowwise().minCoeff());
  }

  bool is_fitted() const { return n_features_in_ > 0; }
  /// n_clusters x n_features centers (sklearn's cluster_centers_).
  const Centers& cluster_centers() const {
    return (require_fitted("cluster_centers"), cluster_centers_);
  }
  /// Label of every training point (sklearn's labels_).
  const Labels& labels() const { return (require_fitted("labels"), labels_); }
  /// Sum of squared distances of the training points to their centers (sklearn's inertia_);
  /// +inf when that sum overflows double (data spanning more than about 1e150).
  double inertia() const { return (require_fitted("inertia"), inertia_); }
  /// Lloyd iterations of the kept run (sklearn's n_iter_).
  int n_iter() const { return (require_fitted("n_iter"), n_iter_); }
  Eigen::Index n_features_in() const { return (require_fitted("n_features_in"), n_features_in_); }

  /// Writes the fitted model to `out` as versioned text (format in serialization.hpp): the
  /// options but init_centers, the centers, inertia, n_iter and the training labels, in
  /// numbers that load() reads back bit for bit. Throws NotFittedError before fit(),
  /// InvalidArgument when set_params() has since changed n_clusters or made an option invalid,
  /// IOError when the stream fails.
  void save(std::ostream& out) const { detail::KMeansFormat<Scalar, Dim>::save(*this, out); }
  /// save(out) into the file `path`, created or replaced; IOError when it cannot be written.
  void save(const std::string& path) const { detail::KMeansFormat<Scalar, Dim>::save(*this, path); }
  /// A new fitted model read from text written by save(), bit for bit; reads through the
  /// `end` line. Throws FormatError (an InvalidArgument) naming the line, key and problem.
  static KMeans load(std::istream& in) { return detail::KMeansFormat<Scalar, Dim>::load(in); }
  /// load(in) from the file `path`, which must end with the `end` line; IOError when the file
  /// cannot be opened.
  static KMeans load(const std::string& path) {
    return detail::KMeansFormat<Scalar, Dim>::load(path);
  }

 private:
  template <typename Derived, typename DerivedWeight>
  Eigen::VectorXd checked_weights(const Eigen::MatrixBase<Derived>& X,
                                  const Eigen::MatrixBase<DerivedWeight>& sample_weight,
                                  const char* where, double& weight_scale) const {
    validate_options(where);
    // Only the weights' ratios move the centers: they are clustered normalized
    // (normalize_sample_weight, divided by weight_scale), so that a common factor (1e-300,
    // 1e250) changes nothing, and the inertia, a weighted sum, is scaled back (+inf when that
    // overflows, as sklearn's).
    return detail::checked_sample_weight(sample_weight, X.rows(), options_.n_clusters, "n_clusters",
                                         where, detail::WeightScale::normalized, &weight_scale);
  }

  /// fit and fit_predict; sample_weight is null or validated (checked_weights). The only part
  /// that knows X's type: the checks that read X, then the fit on its rows (fit_rows).
  template <typename Derived>
  void fit_impl(const Eigen::MatrixBase<Derived>& X, const Eigen::VectorXd* sample_weight,
                const std::string& where, double weight_scale = 1.0) {
    validate_options(where);
    detail::check_data<Scalar, Dim>(X, where, 1);
    const detail::ColumnBounds bounds = detail::check_fit_range<Scalar>(X, where);
    fit_rows(sample_weight ? detail::RowSource<Scalar, Dim>(X, *sample_weight)
                           : detail::RowSource<Scalar, Dim>(X),
             bounds, where, weight_scale);
  }

  // The work below the API boundary, on the rows of X whatever its type: defined after the
  // class and, in compiled mode, instantiated once in the emgmm_compiled library.
  void fit_rows(const detail::RowSource<Scalar, Dim>& X, const detail::ColumnBounds& bounds,
                const std::string& where, double weight_scale);

  void validate_options(const std::string& where) const {
    if (options_.n_clusters < 1) {
      detail::fail(where,
                   "n_clusters = " + detail::to_text(options_.n_clusters) + " must be >= 1.");
    }
    if (options_.n_init < 0) {
      detail::fail(where, "n_init = " + detail::to_text(options_.n_init) +
                              " must be >= 1 (or 0 for sklearn's 'auto').");
    }
    const int init = static_cast<int>(options_.init);
    if (init < 0 || init > 1) {
      detail::fail(where, "init = " + detail::to_text(init) + " is not one of k-means++, random.");
    }
    if (options_.verbose < 0) {
      detail::fail(where, "verbose = " + detail::to_text(options_.verbose) + " must be >= 0.");
    }
    if (options_.max_iter < 1) {
      detail::fail(where, "max_iter = " + detail::to_text(options_.max_iter) + " must be >= 1.");
    }
    if (!(options_.tol >= 0.0) || !std::isfinite(options_.tol)) {
      detail::fail(where,
                   "tol = " + detail::to_text(options_.tol) + " must be a finite number >= 0.");
    }
  }

  void require_fitted(const char* what) const {
    if (!is_fitted()) {
      throw NotFittedError(std::string("KMeans::") + what +
                           ": this KMeans instance is not fitted yet; call fit(X) first.");
    }
  }

  template <typename Derived>
  Eigen::MatrixXd squared_distances(const Eigen::MatrixBase<Derived>& X, const char* method) const {
    require_fitted(method);
    detail::check_data<Scalar, Dim>(X, std::string("KMeans::") + method, 1, n_features_in_);
    return squared_distances(detail::RowSource<Scalar, Dim>(X));
  }

  /// In double for every Scalar: far points of a float model have squares beyond float's range.
  Eigen::MatrixXd squared_distances(const detail::RowSource<Scalar, Dim>& X) const;

  Options options_;
  Centers cluster_centers_;
  Labels labels_;
  double inertia_ = 0.0;
  int n_iter_ = 0;
  Eigen::Index n_features_in_ = 0;

  friend struct detail::KMeansFormat<Scalar, Dim>;  // save() and load()
};

// ---------------------------------------------------------------------------------------------
// The members that run passes over the data, out of the class: not inline, so that in compiled
// mode (EMGMM_COMPILED) the user's translation units instantiate none of them.

template <typename Scalar, int Dim>
void KMeans<Scalar, Dim>::fit_rows(const detail::RowSource<Scalar, Dim>& X,
                                   const detail::ColumnBounds& bounds, const std::string& where,
                                   double weight_scale) {
  const Eigen::Index K = options_.n_clusters;
  if (X.rows() < K) {
    detail::fail(where, "n_samples = " + detail::to_text(X.rows()) + " must be >= n_clusters = " +
                            detail::to_text(K) + "; lower n_clusters or pass more points.");
  }
  if (options_.init_centers) {
    const Centers& init = *options_.init_centers;
    if (init.rows() != K || init.cols() != X.cols()) {
      detail::fail(where, "init_centers has shape (" + detail::to_text(init.rows()) + " x " +
                              detail::to_text(init.cols()) +
                              ") but must be (n_clusters x n_features) = (" + detail::to_text(K) +
                              " x " + detail::to_text(X.cols()) + ").");
    }
    if (!init.allFinite()) detail::fail(where, "init_centers must not contain NaN or infinity.");
    detail::check_joint_fit_range<Scalar>(bounds, init, "init_centers", where);
  }

  detail::KMeansResult<Scalar, Dim> best = detail::kmeans_fit(X, options_);
  best.inertia *= weight_scale;
  const std::string defect = detail::clustering_defect(best.centers, best.inertia);
  if (!defect.empty()) {
    throw NumericalError(
        where + ": the clustering it computed is not a valid model (" + defect +
        "); the data are too extreme for the Scalar type. Rescale the data or use a double model.");
  }
  // Commit: nothing below can throw.
  cluster_centers_.swap(best.centers);
  labels_.swap(best.labels);
  inertia_ = best.inertia;
  n_iter_ = best.n_iter;
  n_features_in_ = X.cols();
}

template <typename Scalar, int Dim>
Eigen::MatrixXd KMeans<Scalar, Dim>::squared_distances(
    const detail::RowSource<Scalar, Dim>& X) const {
  const Eigen::Index K = cluster_centers_.rows();
  const Eigen::MatrixXd centers = cluster_centers_.template cast<double>();
  Eigen::MatrixXd distances(X.rows(), K);
  const detail::ChunkPlan plan = detail::ChunkPlan::make(X.rows());
  detail::for_each_chunk(plan, [&](Eigen::Index chunk) {
    Centers points;
    plan.for_each_block(chunk, [&](Eigen::Index start, Eigen::Index rows) {
      X.load(start, rows, points);
      for (Eigen::Index k = 0; k < K; ++k) {
        distances.block(start, k, rows, 1) =
            (points.template cast<double>().rowwise() - centers.row(k)).rowwise().squaredNorm();
      }
    });
  });
  return distances;
}

using KMeansXd = KMeans<double>;
using KMeansXf = KMeans<float>;
using KMeans1d = KMeans<double, 1>;
using KMeans1f = KMeans<float, 1>;
using KMeans2d = KMeans<double, 2>;
using KMeans2f = KMeans<float, 2>;
using KMeans3d = KMeans<double, 3>;
using KMeans3f = KMeans<float, 3>;

}  // namespace emgmm

#if defined(EMGMM_COMPILED) && !defined(EMGMM_COMPILED_LIBRARY)
// Compiled mode (EMGMM_COMPILED, see the README's "Compile cost"): the passes of these models
// are instantiated once, in the emgmm_compiled library, instead of in every translation unit.
namespace emgmm {
#ifndef EMGMM_COMPILED_NO_DOUBLE  // EMGMM_COMPILED_SCALARS without double
extern template class KMeans<double>;
#endif
#ifndef EMGMM_COMPILED_NO_FLOAT  // EMGMM_COMPILED_SCALARS without float
extern template class KMeans<float>;
#endif
}  // namespace emgmm
#endif

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_KMEANS_HPP
