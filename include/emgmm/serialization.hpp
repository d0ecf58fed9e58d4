#ifndef EMGMM_SERIALIZATION_HPP
#define EMGMM_SERIALIZATION_HPP

#include "detail/diagnostics.hpp"
EMGMM_DIAGNOSTICS_PUSH

/// Saving and loading fitted models: GaussianMixture, BayesianGaussianMixture and KMeans's
/// save / load.
///
/// The format is versioned text, one `key value...` line after another in a fixed order, that
/// a person can read and a diff can compare. A GaussianMixture<double> with K = 2 components
/// in D = 2 dimensions, covariance_type 'diag' and random_state 42, fitted on eight points:
///
///     emgmm-gaussian-mixture 1        <- kind of model and format version
///     scalar double                   <- float or double: the model's Scalar
///     covariance_type diag
///     n_components 2
///     n_features 2
///     tol 0.001                       <- the options (GaussianMixtureOptions), under their names
///     reg_covar 1e-06
///     max_iter 100
///     n_init 1
///     init_params kmeans
///     random_state 42                 <- or `none`
///     warm_start false
///     verbose 0
///     verbose_interval 10
///     reseed_collapsed_components false
///     learning_decay 0.7              <- partial_fit's step sizes
///     learning_offset 1
///     missing_values error            <- or marginalize; files without the line load as error
///     converged true                  <- the fitted attributes
///     n_iter 2
///     lower_bound -2.2458275811628368
///     weights 0.5 0.5
///     means 2 2                       <- a matrix: its rows and columns, then one line per row
///     6.7 5.65
///     0.675 0.75
///     covariances 2 2                 <- in covariances()' storage (covariance_type.hpp)
///     0.24500099999999986 0.35250099999999984
///     0.2168759999999999 0.31250099999999986
///     precisions_cholesky 2 2
///     2.020300966045433 1.6843014530546574
///     2.1473075578208083 1.7888515198396902
///     end
///
/// A model fitted with mclust's options (GaussianMixtureOptions::model_name, convergence,
/// inner_tol, inner_max_iter; any of them not at its default) has one more line after
/// missing_values, `mclust <model_name or none> <sklearn|mclust> <inner_tol> <inner_max_iter>`,
/// e.g. `mclust VEV mclust 1.4901161193847656e-08 2147483647`; files without it load with the
/// defaults. The inner iterations' last state is not saved: a warm start or partial_fit from a
/// loaded model starts them afresh.
///
/// A BayesianGaussianMixture file starts `emgmm-bayesian-gaussian-mixture 1` and adds its prior
/// options and posterior (see detail/bayesian_gaussian_mixture_format.hpp).
///
/// A KMeans file starts `emgmm-kmeans 1`, then scalar, n_clusters, n_features, the options
/// init (k-means++ or random), n_init, max_iter, tol, random_state, verbose, then inertia,
/// n_iter, `cluster_centers K D` with its rows, `labels n` followed by one line of the n
/// training labels (sklearn's pickled KMeans keeps labels_ too), and `end`.
///
/// Numbers are written in the shortest decimal form that reads back to the same value
/// (std::to_chars) and read with std::from_chars, independently of any locale: every saved
/// number, option and fitted attribute loads bit for bit, so a loaded model predicts, scores
/// and (with the same random_state) samples exactly as the saved one did. precisions() is
/// recomputed from precisions_cholesky() by the same code as fit().
///
/// Not saved: the callback, the statistics_reducer and the starts (weights_init, means_init,
/// resp_init, precisions_init, init_centers), which only matter to a refit from scratch; set them
/// again with set_params(). Nor partial_fit's running statistics: after load, the first partial_fit
/// chunk starts them afresh.
///
/// Loading checks everything and throws FormatError (an InvalidArgument) whose message names
/// the function, the line, the key, what was found and what was expected: truncated text, a
/// wrong first line or an unknown version, a float file loaded into a double model (or the
/// reverse: load it with the Scalar it was saved with), n_features different from a fixed Dim,
/// a line with the wrong key or number of values, a number that does not parse, is out of
/// range, NaN or infinite (lower_bound alone may be -inf, for a model fitted with
/// max_iter = 0), an invalid option, weights outside [0, 1] or not summing to one, a
/// covariance that is not exactly symmetric or not positive definite, precisions_cholesky
/// that do not invert the covariances, labels out of range, and, when loading from a path,
/// anything after `end`. Sizes come from the text itself: the loader allocates only for values it
/// has read, so a header that claims 10^12 components fails as truncated, not by allocating.
/// Loading ends in the same validity check as fitting (detail/model_check.hpp): parameters
/// that parse but do not form a usable model (precisions that overflow, means so far apart
/// that squared distances overflow) are a FormatError too. Loading returns a new model and
/// changes no existing one. Files that cannot be opened or read (a directory), and streams
/// that fail while reading or saving, throw IOError naming the path.
///
/// The implementation is in detail/: text_format.hpp (the line reader and writer, the lines
/// every format shares), mixture_format.hpp (what the two mixture formats share), and one
/// header per model, each defining the friend struct that the model's save() and load() call.

#include "detail/bayesian_gaussian_mixture_format.hpp"
#include "detail/gaussian_mixture_format.hpp"
#include "detail/kmeans_format.hpp"
#include "detail/mixture_format.hpp"
#include "detail/text_format.hpp"

namespace emgmm {

/// The version of the text format that save() writes and load() reads.
inline constexpr int serialization_format_version = detail::format_version;

}  // namespace emgmm

EMGMM_DIAGNOSTICS_POP

#endif  // EMGMM_SERIALIZATION_HPP
