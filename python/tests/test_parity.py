"""emgmm gives scikit-learn's numbers from the same start (1e-8 relative): the four covariance
types of GaussianMixture and BayesianGaussianMixture with both weight priors, on iris and on
blobs. The start is explicit (weights_init, means_init, precisions_init; for the Bayesian model
the same starting responsibilities in both), so both run the same EM iterations."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn import mixture as sk
from sklearn.cluster import KMeans as SkKMeans
from sklearn.exceptions import ConvergenceWarning

import emgmm

RTOL = 1e-8
COVARIANCE_TYPES = ["full", "tied", "diag", "spherical"]


def start_of(X, n_components, covariance_type):
    """A start both libraries accept: sklearn's parameters after one EM iteration from a
    k-means labeling."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gm = sk.GaussianMixture(
            n_components, covariance_type=covariance_type, max_iter=1, random_state=0
        ).fit(X)
    return dict(weights_init=gm.weights_, means_init=gm.means_, precisions_init=gm.precisions_)


def fit_quietly(model, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X)


def assert_same_mixture(ours, theirs, X):
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.converged_ == theirs.converged_
    for name in ["weights_", "means_", "covariances_", "precisions_", "precisions_cholesky_"]:
        assert np.shape(getattr(ours, name)) == np.shape(getattr(theirs, name)), name
        assert_allclose(getattr(ours, name), getattr(theirs, name), rtol=RTOL, atol=1e-12,
                        err_msg=name)
    assert_allclose(ours.lower_bound_, theirs.lower_bound_, rtol=RTOL)
    assert_allclose(ours.score_samples(X), theirs.score_samples(X), rtol=RTOL)
    assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=RTOL, atol=1e-12)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("data", ["iris", "blobs"])
def test_gaussian_mixture_matches_sklearn(covariance_type, data, request):
    X = request.getfixturevalue(data)
    params = dict(n_components=3, covariance_type=covariance_type, tol=1e-10, max_iter=30,
                  **start_of(X, 3, covariance_type))
    ours = fit_quietly(emgmm.GaussianMixture(**params), X)
    theirs = fit_quietly(sk.GaussianMixture(**params), X)
    assert_same_mixture(ours, theirs, X)
    assert_allclose(ours.bic(X), theirs.bic(X), rtol=RTOL)
    assert_allclose(ours.aic(X), theirs.aic(X), rtol=RTOL)
    assert_allclose(ours.score(X), theirs.score(X), rtol=RTOL)


def one_hot_start(X, n_components):
    labels = SkKMeans(n_components, n_init=1, random_state=0).fit(X).labels_
    resp = np.zeros((X.shape[0], n_components))
    resp[np.arange(X.shape[0]), labels] = 1.0
    return resp


class SklearnBayesianFrom(sk.BayesianGaussianMixture):
    """sklearn's model started from given responsibilities, as emgmm's resp_init starts it."""

    def __init__(self, resp, **params):
        super().__init__(**params)
        self.resp = resp

    def _initialize_parameters(self, X, random_state):
        self._initialize(X, self.resp.copy())


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("prior_type", ["dirichlet_process", "dirichlet_distribution"])
@pytest.mark.parametrize("data", ["iris", "blobs"])
def test_bayesian_gaussian_mixture_matches_sklearn(covariance_type, prior_type, data, request):
    X = request.getfixturevalue(data)
    resp = one_hot_start(X, 4)
    params = dict(n_components=4, covariance_type=covariance_type, tol=1e-10, max_iter=30,
                  weight_concentration_prior_type=prior_type, weight_concentration_prior=0.01)
    ours = fit_quietly(emgmm.BayesianGaussianMixture(resp_init=resp, **params), X)
    theirs = fit_quietly(SklearnBayesianFrom(resp, **params), X)
    assert_same_mixture(ours, theirs, X)
    if prior_type == "dirichlet_process":
        for a, b in zip(ours.weight_concentration_, theirs.weight_concentration_):
            assert_allclose(a, b, rtol=RTOL)
    else:
        assert_allclose(ours.weight_concentration_, theirs.weight_concentration_, rtol=RTOL)
    for name in ["mean_precision_", "degrees_of_freedom_", "weight_concentration_prior_",
                 "mean_precision_prior_", "mean_prior_", "degrees_of_freedom_prior_",
                 "covariance_prior_"]:
        assert_allclose(getattr(ours, name), getattr(theirs, name), rtol=RTOL, err_msg=name)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_bayesian_explicit_priors_match_sklearn(covariance_type, iris):
    """Every prior given: the shapes sklearn takes them in (diag a vector, spherical a float)."""
    D = iris.shape[1]
    covariance_prior = {
        "full": np.cov(iris.T) + np.eye(D),
        "tied": 0.5 * np.eye(D),
        "diag": np.linspace(0.5, 2.0, D),
        "spherical": 0.7,
    }[covariance_type]
    resp = one_hot_start(iris, 3)
    params = dict(n_components=3, covariance_type=covariance_type, tol=1e-10, max_iter=20,
                  weight_concentration_prior=0.5, mean_precision_prior=0.3,
                  mean_prior=iris.mean(axis=0) + 0.1, degrees_of_freedom_prior=D + 1.5,
                  covariance_prior=covariance_prior)
    ours = fit_quietly(emgmm.BayesianGaussianMixture(resp_init=resp, **params), iris)
    theirs = fit_quietly(SklearnBayesianFrom(resp, **params), iris)
    assert_same_mixture(ours, theirs, iris)
    assert_allclose(ours.covariance_prior_, theirs.covariance_prior_, rtol=RTOL)
    assert np.shape(ours.covariance_prior_) == np.shape(theirs.covariance_prior_)


def test_kmeans_matches_sklearn_from_the_same_centers(iris):
    centers = iris[[0, 50, 100]]
    ours = emgmm.KMeans(3, init=centers, n_init=1).fit(iris)
    theirs = SkKMeans(3, init=centers, n_init=1).fit(iris)
    np.testing.assert_array_equal(ours.labels_, theirs.labels_)
    assert ours.n_iter_ == theirs.n_iter_
    assert_allclose(ours.cluster_centers_, theirs.cluster_centers_, rtol=RTOL)
    assert_allclose(ours.inertia_, theirs.inertia_, rtol=RTOL)
    assert_allclose(ours.transform(iris), theirs.transform(iris), rtol=RTOL, atol=1e-12)
    assert_allclose(ours.score(iris), theirs.score(iris), rtol=RTOL)
