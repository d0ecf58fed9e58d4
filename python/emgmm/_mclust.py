"""R's mclust for Python users: its hierarchical initialization (hc, hclass) and its model
selection (Mclust / mclustBIC) over the fourteen covariance models, computed by emgmm's core."""

from numbers import Integral

import numpy as np
from sklearn.base import clone
from sklearn.utils import check_array

from . import _core
from ._common import as_core_input
from ._mixture import GaussianMixture

MODEL_NAMES = tuple(_core.MODEL_NAMES)

# What select_mclust_model sets itself (the candidate and its start) or what cannot matter with
# an explicit start; every other GaussianMixture parameter may be passed as an option.
_SWEEP_SETS = (
    "n_components",
    "model_name",
    "covariance_type",
    "resp_init",
    "weights_init",
    "means_init",
    "precisions_init",
    "init_params",
    "n_init",
    "random_state",
    "warm_start",
    "learning_decay",
    "learning_offset",
)


def mclust_em_options():
    """mclust's EM semantics as GaussianMixture parameters (a new dict each call): reg_covar=0
    (mclust has no regularization), convergence="mclust" with emControl()'s tol 1e-5, no
    iteration limit. GaussianMixture(n_components=G, model_name=m, resp_init=z,
    **mclust_em_options()) is mclust's me(m, X, z); select_mclust_model uses them by default."""
    return dict(_core.mclust_em_defaults())


def _hierarchical_input(X, caller):
    # The clustering runs in double precision; float32 widens exactly.
    return as_core_input(check_array(X, dtype=np.float64, ensure_min_samples=2, estimator=caller))


def hierarchical_merges(X):
    """mclust's hc(X) as Mclust() calls it (model "VVV", use "SVD"): the n_samples - 1 merges of
    the model-based agglomerative clustering of the rows of X, an (n_samples - 1, 2) int64
    array. Row s merges the two groups named by their smallest row index (0-based), smaller
    first; the merged group keeps the smaller name. O(n_samples**2) memory; at most 10000 rows.
    """
    return _core.hierarchical_merges(_hierarchical_input(X, "hierarchical_merges"))


def hierarchical_partition(X, n_groups):
    """mclust's default starting partition (hclass(hc(X), n_groups)): labels 0 .. n_groups - 1
    of the rows of X (numbered in order of first appearance) after cutting the clustering of
    hierarchical_merges(X) at n_groups groups. n_groups is an int (returns shape (n_samples,))
    or a sequence of ints (returns (n_samples, len(n_groups)), one column each, from one
    clustering)."""
    X = _hierarchical_input(X, "hierarchical_partition")
    single = isinstance(n_groups, Integral)
    groups = [int(n_groups)] if single else [int(g) for g in n_groups]
    labels = _core.hierarchical_partitions(X, groups)
    return labels[:, 0] if single else labels


class MclustSelection:
    """What select_mclust_model returns.

    Attributes
    ----------
    models : tuple of str
        The models of the sweep, in the order given (the rows of the tables).
    n_components : tuple of int
        The numbers of components, in the order given (the columns of the tables).
    bic : ndarray of shape (len(models), len(n_components))
        mclust's BIC (2 log L - p log n, larger is better) of every fit; NaN where the model
        could not be fitted (a covariance that is not positive definite: mclust's NA).
    errors : ndarray of str, same shape
        Empty, or why that fit failed.
    n_iter : ndarray of int, same shape
        EM iterations of every fit (0 where it failed).
    converged : ndarray of bool, same shape
    best_model_name : str
        The model of the largest BIC (the first one on a tie, models in order, then G).
    best_n_components : int
    best_bic : float
    best_estimator : emgmm.GaussianMixture
        That fit, a fitted estimator whose parameters (model_name, n_components, resp_init =
        the one-hot hierarchical partition, mclust's EM options) refit it exactly.
    """

    def __init__(self, table, models, n_components, best_estimator):
        shape = (len(models), len(n_components))
        self.models = tuple(models)
        self.n_components = tuple(n_components)
        self.bic = np.asarray(table["mclust_bic"], dtype=np.float64).reshape(shape)
        self.errors = np.asarray(table["error"], dtype=object).reshape(shape).astype(str)
        self.n_iter = np.asarray(table["n_iter"], dtype=np.int64).reshape(shape)
        self.converged = np.asarray(table["converged"], dtype=bool).reshape(shape)
        row, column = divmod(int(table["best_index"]), len(n_components))
        self.best_model_name = self.models[row]
        self.best_n_components = self.n_components[column]
        self.best_bic = float(self.bic[row, column])
        self.best_estimator = best_estimator

    def __repr__(self):
        return (
            f"MclustSelection(best_model_name={self.best_model_name!r}, "
            f"best_n_components={self.best_n_components}, best_bic={self.best_bic!r}, "
            f"{len(self.models)} models x {len(self.n_components)} n_components)"
        )


def select_mclust_model(X, n_components=range(1, 10), models=None, **options):
    """Model selection as R's Mclust(X) / mclustBIC(X): every model of `models` (default: all
    fourteen, MODEL_NAMES) with every number of components in `n_components` (default 1..9),
    each fitted from mclust's hierarchical clustering of X cut at that many groups (one group:
    all points), with mclust's EM options: reg_covar=0, convergence="mclust", tol=1e-5, no
    iteration limit. `options` are other GaussianMixture parameters replacing those (tol,
    reg_covar, max_iter, convergence, inner_tol, inner_max_iter, verbose, verbose_interval).
    Returns an MclustSelection: the BIC table (models x n_components, NaN where a model cannot
    be fitted), the best model, G and fitted estimator.

    Raises ValueError for invalid X, parameters or candidates (an empty or repeated entry, a G
    below 1 or above the number of rows, an unknown model), TypeError for an option that the
    sweep sets itself or that GaussianMixture does not have, and ValueError when no candidate
    could be fitted.
    """
    fixed = sorted(set(options) & set(_SWEEP_SETS))
    if fixed:
        raise TypeError(
            f"select_mclust_model: option {fixed[0]!r} is set by the sweep (every candidate "
            "starts from the hierarchical clustering); pass only tol, reg_covar, max_iter, "
            "convergence, inner_tol, inner_max_iter, verbose or verbose_interval."
        )
    parameters = mclust_em_options()
    parameters.update(options)
    template = GaussianMixture(**parameters)  # TypeError for an unknown option, as sklearn's
    template._validate_params()  # sklearn's InvalidParameterError naming the parameter
    X = template._validate_data(X, dtype=[np.float64, np.float32], ensure_min_samples=2)
    X = as_core_input(X)

    if isinstance(n_components, Integral):
        n_components = [n_components]
    n_components = [int(g) for g in n_components]
    models = MODEL_NAMES if models is None else ([models] if isinstance(models, str) else models)
    models = [str(m) for m in models]
    unknown = [m for m in models if m not in MODEL_NAMES]
    if unknown:
        raise ValueError(
            f"select_mclust_model: models contains {unknown[0]!r}, which is not one of mclust's "
            f"models {', '.join(MODEL_NAMES)}."
        )

    core_options = template._core_options(X.shape[1], seeded=False)
    sweep = getattr(_core, "select_mclust_model_" + X.dtype.name)
    table = sweep(X, n_components, models, core_options)

    best = table["best"]
    K = best.attributes()["weights"].shape[0]
    start = np.zeros((X.shape[0], K))
    if K > 1:
        start[np.arange(X.shape[0]), hierarchical_partition(X, K)] = 1.0
    else:
        start[:, 0] = 1.0
    best_model = table["model_name"][int(table["best_index"])]
    estimator = clone(template).set_params(n_components=K, model_name=best_model, resp_init=start)
    for name in ("n_features_in_", "feature_names_in_"):
        if hasattr(template, name):
            setattr(estimator, name, getattr(template, name))
    estimator._adopt_core(best, X)
    return MclustSelection(table, models, n_components, estimator)
