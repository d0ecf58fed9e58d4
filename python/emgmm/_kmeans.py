"""KMeans: scikit-learn's estimator over emgmm's core (Lloyd's algorithm)."""

import warnings

import numpy as np
from sklearn import cluster as _sk_cluster
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    ClusterMixin,
    TransformerMixin,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_array, check_random_state
from sklearn.utils.validation import _check_sample_weight, check_is_fitted

from . import _core
from ._common import CorePickleMixin, as_core_input, seed_from


class KMeans(
    CorePickleMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin, ClusterMixin, BaseEstimator
):
    """sklearn.cluster.KMeans computed by emgmm: the same parameters, defaults and attributes.

    algorithm: every value runs Lloyd's algorithm ('elkan' gives the same clustering in exact
    arithmetic). copy_x: X is never modified, so it changes nothing. Dense input only.
    """

    _core_classes = {"float64": _core.KMeans_float64, "float32": _core.KMeans_float32}
    _parameter_constraints: dict = dict(_sk_cluster.KMeans._parameter_constraints)

    def __init__(
        self,
        n_clusters=8,
        *,
        init="k-means++",
        n_init="warn",
        max_iter=300,
        tol=1e-4,
        verbose=0,
        random_state=None,
        copy_x=True,
        algorithm="lloyd",
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.verbose = verbose
        self.random_state = random_state
        self.copy_x = copy_x
        self.algorithm = algorithm

    def _effective_n_init(self, init_is_array):
        """sklearn 1.2's n_init: 'warn' (the default) is 10 with a FutureWarning, 'auto' is 1 for
        k-means++ and 10 otherwise, and an explicit array of centers runs once."""
        n_init = self.n_init
        if n_init == "warn":
            warnings.warn(
                "The default value of `n_init` will change from 10 to 'auto' in 1.4. Set the "
                "value of `n_init` explicitly to suppress the warning",
                FutureWarning,
            )
            n_init = 10
        if n_init == "auto":
            n_init = 1 if (isinstance(self.init, str) and self.init == "k-means++") else 10
        if init_is_array and n_init != 1:
            warnings.warn(
                "Explicit initial center position passed: performing only"
                f" one init in {self.__class__.__name__} instead of "
                f"n_init={n_init}.",
                RuntimeWarning,
                stacklevel=3,
            )
            n_init = 1
        return n_init

    def _initial_centers(self, centers, X):
        centers = check_array(centers, dtype=X.dtype, copy=True, order="C")
        if centers.shape[0] != self.n_clusters:
            raise ValueError(
                f"The shape of the initial centers {centers.shape} does not "
                f"match the number of clusters {self.n_clusters}."
            )
        if centers.shape[1] != X.shape[1]:
            raise ValueError(
                f"The shape of the initial centers {centers.shape} does not "
                f"match the number of features of the data {X.shape[1]}."
            )
        return centers

    def fit(self, X, y=None, sample_weight=None):
        """Compute the k-means clustering (sklearn's fit). Returns self."""
        self._validate_params()
        X = self._validate_data(X, dtype=[np.float64, np.float32])
        if X.shape[0] < self.n_clusters:
            raise ValueError(f"n_samples={X.shape[0]} should be >= n_clusters={self.n_clusters}.")
        if self.algorithm in ("auto", "full"):
            warnings.warn(
                f"algorithm='{self.algorithm}' is deprecated, it will be "
                "removed in 1.3. Using 'lloyd' instead.",
                FutureWarning,
            )
        X = as_core_input(X)
        sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        init_is_array = not isinstance(self.init, str) and not callable(self.init)
        n_init = self._effective_n_init(init_is_array)
        options = {
            "n_clusters": self.n_clusters,
            "max_iter": self.max_iter,
            "tol": float(self.tol),
            "verbose": int(self.verbose),
            "init_centers": None,
        }
        if callable(self.init):
            # A callable draws the centers of each run, as in sklearn: n_init runs of one start
            # each, the lowest inertia kept.
            rng = check_random_state(self.random_state)
            best = None
            for _ in range(n_init):
                centers = self._initial_centers(self.init(X, self.n_clusters, random_state=rng), X)
                core = self._core_classes[X.dtype.name]()
                core.configure({**options, "n_init": 1, "init_centers": centers})
                core.fit(X, sample_weight)
                if best is None or core.attributes()["inertia"] < best.attributes()["inertia"]:
                    best = core
            core = best
        else:
            options["random_state"] = seed_from(self.random_state)
            options["n_init"] = n_init
            if init_is_array:
                options["init_centers"] = self._initial_centers(self.init, X)
            else:
                options["init"] = self.init
            core = self._core_classes[X.dtype.name]()
            core.configure(options)
            core.fit(X, sample_weight)
        a = core.attributes()
        distinct_clusters = len(np.unique(a["labels"]))
        if distinct_clusters < self.n_clusters:
            warnings.warn(
                "Number of distinct clusters ({}) found smaller than "
                "n_clusters ({}). Possibly due to duplicate points "
                "in X.".format(distinct_clusters, self.n_clusters),
                ConvergenceWarning,
                stacklevel=2,
            )
        self._core = core
        self._core_dtype = X.dtype.name
        self.cluster_centers_ = a["cluster_centers"]
        self._n_features_out = self.cluster_centers_.shape[0]
        self.labels_ = a["labels"]
        self.inertia_ = float(a["inertia"])
        self.n_iter_ = int(a["n_iter"])
        return self

    def fit_predict(self, X, y=None, sample_weight=None):
        """fit(X), then the cluster of every point (labels_)."""
        return self.fit(X, sample_weight=sample_weight).labels_

    def fit_transform(self, X, y=None, sample_weight=None):
        """fit(X), then transform(X)."""
        return self.fit(X, sample_weight=sample_weight).transform(X)

    def _query_input(self, X):
        check_is_fitted(self)
        X = self._validate_data(X, dtype=[np.float64, np.float32], reset=False)
        return as_core_input(X, self._core_dtype)

    def predict(self, X, sample_weight=None):
        """The index of the nearest cluster center for every row of X (sample_weight is
        accepted as in sklearn 1.2 and, as there, changes nothing)."""
        X = self._query_input(X)
        _check_sample_weight(sample_weight, X, dtype=np.float64)
        return self._core.predict(X)

    def transform(self, X):
        """Euclidean distance of every row of X to every cluster center."""
        X = self._query_input(X)
        return self._core.transform(X)

    def score(self, X, y=None, sample_weight=None):
        """Opposite of the (weighted) inertia of X with respect to the cluster centers."""
        X = self._query_input(X)
        sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        return float(self._core.score(X, sample_weight))

    def _more_tags(self):
        return {
            "preserves_dtype": [np.float64, np.float32],
            # As sklearn's own KMeans marks it. Here the partition is the same but its cluster
            # numbers are not: the k-means++ draws run over all rows, zero-weight ones included,
            # so the extra rows change which draw picks which center first.
            "_xfail_checks": {
                "check_sample_weights_invariance": (
                    "zero sample_weight is not equivalent to removing samples"
                ),
            },
        }
