"""GaussianMixture and BayesianGaussianMixture: scikit-learn's estimators over emgmm's core."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn import mixture as _sk_mixture
from sklearn.base import BaseEstimator, DensityMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted

from . import _core
from ._common import CorePickleMixin, as_core_input, seed_from

# The library's int options (max_iter, inner_max_iter) are C ints.
_INT_MAX = 2**31 - 1


def _expected_shape(covariance_type, n_components, n_features):
    """sklearn's shape of precisions/covariances for covariance_type."""
    return {
        "full": (n_components, n_features, n_features),
        "tied": (n_features, n_features),
        "diag": (n_components, n_features),
        "spherical": (n_components,),
    }[covariance_type]


def _checked(value, shape, name):
    """value as a float64 array of the given shape, or sklearn's ValueError."""
    array = np.asarray(value, dtype=np.float64)
    if array.shape != shape:
        raise ValueError(
            f"The parameter '{name}' should have the shape of {shape}, but got {array.shape}"
        )
    return array


def _to_sklearn_layout(matrix, covariance_type, n_components, n_features):
    """The library's storage of covariances/precisions (full stacked (K*D, D), spherical (K, 1))
    in sklearn's shape."""
    return matrix.reshape(_expected_shape(covariance_type, n_components, n_features))


class _BaseMixture(CorePickleMixin, DensityMixin, BaseEstimator):
    """fit/predict/score of both mixtures: the validation is scikit-learn's own (its parameter
    constraints, _validate_data, check_is_fitted), the work the core's."""

    def _core_options(self, n_features, seeded=True):
        """The options for the core; seeded=False leaves random_state out (an adopted model's
        options, which draw nothing)."""
        options = {
            "n_components": self.n_components,
            "covariance_type": self.covariance_type,
            "tol": float(self.tol),
            "reg_covar": float(self.reg_covar),
            "max_iter": self.max_iter,
            "n_init": self.n_init,
            "init_params": self.init_params,
            "warm_start": bool(self.warm_start),
            "verbose": int(self.verbose),
            "verbose_interval": self.verbose_interval,
        }
        if seeded:
            options["random_state"] = seed_from(self.random_state)
        options.update(self._model_options(n_features))
        return options

    def _validate_fit_input(self, X, sample_weight, reset=True, min_samples=2):
        X = self._validate_data(
            X, dtype=[np.float64, np.float32], ensure_min_samples=min_samples, reset=reset
        )
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        return X, sample_weight

    def _fit(self, X, sample_weight):
        self._validate_params()
        X, sample_weight = self._validate_fit_input(X, sample_weight)
        if X.shape[0] < self.n_components:
            raise ValueError(
                "Expected n_samples >= n_components "
                f"but got n_components = {self.n_components}, "
                f"n_samples = {X.shape[0]}"
            )
        warm = self.warm_start and getattr(self, "_core", None) is not None
        X = self._run_core("fit", X, sample_weight, fresh=not warm)
        self._copy_attributes()
        # As sklearn: no warning for max_iter == 0 (asked for the initialization only).
        if not self.converged_ and self.max_iter > 0:
            warnings.warn(
                "Initialization %d did not converge. "
                "Try different init parameters, "
                "or increase max_iter, tol "
                "or check for degenerate data." % (self.n_init if not warm else 1),
                ConvergenceWarning,
            )
        return X

    def _run_core(self, method, X, sample_weight, fresh):
        """Calls the core's fit or partial_fit on X: a new core of X's dtype when fresh, else the
        fitted one (X converted to its dtype). A core call that throws leaves the model as it
        was (the library's promise); the options it was given are then put back too, so that a
        failed warm start or partial_fit leaves the fitted model exactly as it was."""
        if fresh:
            X = as_core_input(X)
            core = self._core_classes[X.dtype.name]()
        else:
            X = as_core_input(X, self._core_dtype)
            core = self._core
        options = self._core_options(X.shape[1])
        core.configure(options)
        try:
            getattr(core, method)(X, sample_weight)
        except Exception:
            if not fresh:
                core.configure(self._core_applied)
            raise
        self._core = core
        self._core_dtype = X.dtype.name
        self._core_applied = options
        return X

    def fit(self, X, y=None, sample_weight=None):
        """Estimate the model parameters with the EM algorithm (sklearn's fit), n_init times,
        keeping the best lower bound. sample_weight (not in sklearn): one weight >= 0 per row.
        Returns self."""
        self._fit(X, sample_weight)
        return self

    def fit_predict(self, X, y=None, sample_weight=None):
        """fit(X), then the most probable component of every point (= fit(X).predict(X))."""
        X = self._fit(X, sample_weight)
        return self._core.predict(X).astype(np.intp)

    def _copy_attributes(self):
        a = self._core.attributes()
        K, D = self.n_components, int(a["n_features_in"])
        self.weights_ = a["weights"]
        self.means_ = a["means"]
        self.covariances_ = _to_sklearn_layout(a["covariances"], self.covariance_type, K, D)
        self.precisions_ = _to_sklearn_layout(a["precisions"], self.covariance_type, K, D)
        self.precisions_cholesky_ = _to_sklearn_layout(
            a["precisions_cholesky"], self.covariance_type, K, D
        )
        self.converged_ = bool(a["converged"])
        self.n_iter_ = int(a["n_iter"])
        self.lower_bound_ = float(a["lower_bound"])
        self._copy_model_attributes(a)

    def _query_input(self, X):
        check_is_fitted(self)
        X = self._validate_data(X, reset=False)
        return as_core_input(X, self._core_dtype)

    def score_samples(self, X):
        """Weighted log probabilities log p(x) of every row of X."""
        X = self._query_input(X)
        return self._core.score_samples(X)

    def score(self, X, y=None):
        """Mean of score_samples(X)."""
        X = self._query_input(X)
        return float(self._core.score(X))

    def predict(self, X):
        """The most probable component of every row of X."""
        X = self._query_input(X)
        return self._core.predict(X).astype(np.intp)

    def predict_proba(self, X):
        """Posterior probability of each component for every row of X."""
        X = self._query_input(X)
        return self._core.predict_proba(X)

    def sample(self, n_samples=1):
        """n_samples points drawn from the fitted mixture, and the component of each."""
        check_is_fitted(self)
        if n_samples < 1:
            raise ValueError(
                "Invalid value for 'n_samples': %d . The sampling requires at "
                "least one sample." % (self.n_components)
            )
        # The seed as sklearn draws: the same points for an int, new ones for None or a
        # RandomState (which advances).
        self._core.configure({"random_state": seed_from(self.random_state)})
        X, y = self._core.sample(int(n_samples))
        return X, y.astype(int)


class GaussianMixture(_BaseMixture):
    """sklearn.mixture.GaussianMixture computed by emgmm: the same parameters, defaults,
    attributes and results from the same start.

    Not in sklearn: fit/fit_predict/partial_fit take sample_weight; partial_fit runs stepwise
    (online) EM on one chunk with step sizes (t + learning_offset) ** -learning_decay.

    R's mclust (not in sklearn): model_name, one of mclust's fourteen covariance models "EII" ...
    "VVV" (with covariance_type "full", which stores them); convergence="mclust", mclust's
    stopping rule and kept model; inner_tol and inner_max_iter, the inner iterations of the
    models whose M-step iterates (VEI, VEE, EVE, VVE, VEV), None for no limit; resp_init, an
    (n_samples, n_components) array of starting responsibilities replacing init_params (mclust's
    me(modelName, data, z)). With reg_covar=0, convergence="mclust", tol=1e-5 and
    max_iter=2**31 - 1 a fit gives mclust's numbers. The queries mclust_bic(X) (2 log L - p log
    n, larger is better, = -bic(X)), icl(X) and uncertainty(X), and the fitted attributes scale_
    (K,), shape_ (K, D) and orientation_ (K, D, D): covariances_[k] = scale_[k] *
    orientation_[k] @ diag(shape_[k]) @ orientation_[k].T, for any model or covariance_type.
    """

    _core_classes = {
        "float64": _core.GaussianMixture_float64,
        "float32": _core.GaussianMixture_float32,
    }
    _parameter_constraints: dict = {
        **_sk_mixture.GaussianMixture._parameter_constraints,
        "learning_decay": [Interval(Real, 0.5, 1, closed="right")],
        "learning_offset": [Interval(Real, 0, None, closed="neither")],
        "model_name": [StrOptions(set(_core.MODEL_NAMES)), None],
        "convergence": [StrOptions({"sklearn", "mclust"})],
        "inner_tol": [Interval(Real, 0, None, closed="left")],
        "inner_max_iter": [Interval(Integral, 1, _INT_MAX, closed="both"), None],
        "resp_init": ["array-like", None],
    }

    def __init__(
        self,
        n_components=1,
        *,
        covariance_type="full",
        tol=1e-3,
        reg_covar=1e-6,
        max_iter=100,
        n_init=1,
        init_params="kmeans",
        weights_init=None,
        means_init=None,
        precisions_init=None,
        random_state=None,
        warm_start=False,
        verbose=0,
        verbose_interval=10,
        learning_decay=0.7,
        learning_offset=1.0,
        model_name=None,
        convergence="sklearn",
        inner_tol=1.4901161193847656e-08,
        inner_max_iter=None,
        resp_init=None,
    ):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.weights_init = weights_init
        self.means_init = means_init
        self.precisions_init = precisions_init
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.verbose_interval = verbose_interval
        self.learning_decay = learning_decay
        self.learning_offset = learning_offset
        self.model_name = model_name
        self.convergence = convergence
        self.inner_tol = inner_tol
        self.inner_max_iter = inner_max_iter
        self.resp_init = resp_init

    def _model_options(self, n_features):
        K = self.n_components
        options = {
            "weights_init": None,
            "means_init": None,
            "precisions_init": None,
            "learning_decay": float(self.learning_decay),
            "learning_offset": float(self.learning_offset),
            "model_name": self.model_name,
            "convergence": self.convergence,
            "inner_tol": float(self.inner_tol),
            "inner_max_iter": _INT_MAX if self.inner_max_iter is None else int(self.inner_max_iter),
            "resp_init": None,
        }
        if self.resp_init is not None:
            options["resp_init"] = np.asarray(self.resp_init, dtype=np.float64)
        if self.weights_init is not None:
            options["weights_init"] = _checked(self.weights_init, (K,), "weights")
        if self.means_init is not None:
            options["means_init"] = _checked(self.means_init, (K, n_features), "means")
        if self.precisions_init is not None:
            shape = _expected_shape(self.covariance_type, K, n_features)
            p = _checked(self.precisions_init, shape, f"{self.covariance_type} precision")
            options["precisions_init"] = p.reshape(-1, 1 if p.ndim == 1 else p.shape[-1])
        return options

    def _copy_model_attributes(self, a):
        K, D = self.n_components, int(a["n_features_in"])
        self.scale_ = a["scale"]
        self.shape_ = a["shape"]
        self.orientation_ = a["orientation"].reshape(K, D, D)

    def _adopt_core(self, core, X):
        """Makes this (unfitted) estimator the fitted model `core`, fitted on X (already
        validated by self._validate_data) with this estimator's parameters."""
        self._core = core
        self._core_dtype = X.dtype.name
        self._core_applied = self._core_options(X.shape[1], seeded=False)
        self._copy_attributes()
        return self

    def partial_fit(self, X, y=None, sample_weight=None):
        """One step of stepwise (online) EM on the chunk X (not in sklearn). The first call
        initializes the model from X as fit() would; later calls mix the chunk's statistics into
        the running ones. Returns self."""
        self._validate_params()
        first = getattr(self, "_core", None) is None
        X, sample_weight = self._validate_fit_input(X, sample_weight, reset=first, min_samples=1)
        self._run_core("partial_fit", X, sample_weight, fresh=first)
        self._copy_attributes()
        return self

    def bic(self, X):
        """Bayesian information criterion of the model on X (lower is better)."""
        X = self._query_input(X)
        return float(self._core.bic(X))

    def aic(self, X):
        """Akaike information criterion of the model on X (lower is better)."""
        X = self._query_input(X)
        return float(self._core.aic(X))

    def mclust_bic(self, X):
        """BIC as R's mclust defines it (not in sklearn): 2 log L - n_parameters log n on X,
        larger is better; the same number as -bic(X). With a model_name, n_parameters is
        mclust's count."""
        X = self._query_input(X)
        return float(self._core.mclust_bic(X))

    def icl(self, X):
        """mclust's integrated complete-data likelihood on X (not in sklearn): mclust_bic(X) +
        2 sum_i log max_k predict_proba(X)[i, k]. Larger is better."""
        X = self._query_input(X)
        return float(self._core.icl(X))

    def uncertainty(self, X):
        """mclust's uncertainty of every row's classification (not in sklearn): 1 - max_k
        predict_proba(X)[i, k]."""
        X = self._query_input(X)
        return self._core.uncertainty(X)


class BayesianGaussianMixture(_BaseMixture):
    """sklearn.mixture.BayesianGaussianMixture computed by emgmm: the same parameters, defaults,
    attributes and results from the same start.

    Not in sklearn: fit/fit_predict take sample_weight; resp_init, an (n_samples, n_components)
    array of starting responsibilities (rows summing to one, e.g. one-hot labels of a clustering
    of your own), replaces init_params, so that a start can be given as GaussianMixture's
    weights_init/means_init/precisions_init give one.
    """

    _core_classes = {
        "float64": _core.BayesianGaussianMixture_float64,
        "float32": _core.BayesianGaussianMixture_float32,
    }
    _parameter_constraints: dict = {
        **_sk_mixture.BayesianGaussianMixture._parameter_constraints,
        "resp_init": ["array-like", None],
    }

    def __init__(
        self,
        *,
        n_components=1,
        covariance_type="full",
        tol=1e-3,
        reg_covar=1e-6,
        max_iter=100,
        n_init=1,
        init_params="kmeans",
        weight_concentration_prior_type="dirichlet_process",
        weight_concentration_prior=None,
        mean_precision_prior=None,
        mean_prior=None,
        degrees_of_freedom_prior=None,
        covariance_prior=None,
        random_state=None,
        warm_start=False,
        verbose=0,
        verbose_interval=10,
        resp_init=None,
    ):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.weight_concentration_prior_type = weight_concentration_prior_type
        self.weight_concentration_prior = weight_concentration_prior
        self.mean_precision_prior = mean_precision_prior
        self.mean_prior = mean_prior
        self.degrees_of_freedom_prior = degrees_of_freedom_prior
        self.covariance_prior = covariance_prior
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.verbose_interval = verbose_interval
        self.resp_init = resp_init

    def _model_options(self, n_features):
        def optional_float(value):
            return None if value is None else float(value)

        options = {
            "weight_concentration_prior_type": self.weight_concentration_prior_type,
            "weight_concentration_prior": optional_float(self.weight_concentration_prior),
            "mean_precision_prior": optional_float(self.mean_precision_prior),
            "degrees_of_freedom_prior": optional_float(self.degrees_of_freedom_prior),
            "mean_prior": None,
            "covariance_prior": None,
            "resp_init": None,
        }
        if self.resp_init is not None:
            options["resp_init"] = np.asarray(self.resp_init, dtype=np.float64)
        if self.mean_prior is not None:
            options["mean_prior"] = _checked(self.mean_prior, (n_features,), "means")
        if self.covariance_prior is not None:
            shape = {
                "full": (n_features, n_features),
                "tied": (n_features, n_features),
                "diag": (n_features,),
                "spherical": (),
            }[self.covariance_type]
            name = f"{self.covariance_type} covariance_prior"
            prior = _checked(self.covariance_prior, shape, name)
            options["covariance_prior"] = np.atleast_2d(prior)
        return options

    def _copy_model_attributes(self, a):
        concentration = a["weight_concentration"]
        if self.weight_concentration_prior_type == "dirichlet_process":
            self.weight_concentration_ = (concentration[:, 0].copy(), concentration[:, 1].copy())
        else:
            self.weight_concentration_ = concentration[:, 0].copy()
        self.mean_precision_ = a["mean_precision"]
        self.degrees_of_freedom_ = a["degrees_of_freedom"]
        self.weight_concentration_prior_ = float(a["weight_concentration_prior"])
        self.mean_precision_prior_ = float(a["mean_precision_prior"])
        self.mean_prior_ = np.asarray(a["mean_prior"]).ravel()
        self.degrees_of_freedom_prior_ = float(a["degrees_of_freedom_prior"])
        prior = a["covariance_prior"]
        if self.covariance_type in ("full", "tied"):
            self.covariance_prior_ = prior
        elif self.covariance_type == "diag":
            self.covariance_prior_ = prior.ravel()
        else:
            self.covariance_prior_ = float(prior.ravel()[0])
