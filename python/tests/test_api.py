"""The scikit-learn conventions beyond the estimator checks: pickling, dtypes and memory order,
bad input, random_state, warnings, threads, sample_weight and partial_fit."""

import pickle
import threading
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError

import emgmm

ESTIMATORS = [
    lambda: emgmm.GaussianMixture(3, random_state=0),
    lambda: emgmm.BayesianGaussianMixture(n_components=3, random_state=0),
    lambda: emgmm.KMeans(3, n_init=1, random_state=0),
]
IDS = ["GaussianMixture", "BayesianGaussianMixture", "KMeans"]


def fitted_state(model):
    """Every fitted attribute (trailing underscore) of a model, as arrays."""
    state = {}
    for name, value in vars(model).items():
        if name.endswith("_") and not name.startswith("_"):
            state[name] = [np.asarray(v) for v in value] if isinstance(value, tuple) else value
    return state


def assert_same_state(a, b):
    sa, sb = fitted_state(a), fitted_state(b)
    assert sa.keys() == sb.keys()
    for name in sa:
        assert_array_equal(np.asarray(sa[name]), np.asarray(sb[name]), err_msg=name)


@pytest.mark.parametrize("make", ESTIMATORS, ids=IDS)
def test_pickle_round_trip_is_exact(make, blobs):
    model = make().fit(blobs)
    loaded = pickle.loads(pickle.dumps(model))
    assert_same_state(model, loaded)
    assert_array_equal(loaded.predict(blobs), model.predict(blobs))
    if hasattr(model, "score_samples"):
        assert_array_equal(loaded.score_samples(blobs), model.score_samples(blobs))
        assert_array_equal(loaded.sample(5)[0], model.sample(5)[0])
    else:
        assert_array_equal(loaded.transform(blobs), model.transform(blobs))
    assert "_core_text" not in vars(loaded)


def test_pickle_of_an_unfitted_model_and_clone(blobs):
    model = emgmm.GaussianMixture(2, covariance_type="diag", random_state=1)
    loaded = pickle.loads(pickle.dumps(model))
    assert loaded.get_params() == model.get_params()
    fitted = model.fit(blobs)
    cloned = clone(fitted)
    assert cloned.get_params() == model.get_params()
    assert not hasattr(cloned, "weights_")
    with pytest.raises(NotFittedError):
        cloned.predict(blobs)


@pytest.mark.parametrize("make", ESTIMATORS, ids=IDS)
def test_float32_stays_float32(make, blobs):
    model = make().fit(blobs.astype(np.float32))
    if isinstance(model, emgmm.KMeans):
        assert model.cluster_centers_.dtype == np.float32
        assert model.transform(blobs).dtype == np.float32
    else:
        for name in ["weights_", "means_", "covariances_", "precisions_cholesky_"]:
            assert getattr(model, name).dtype == np.float32, name
        assert model.score_samples(blobs).dtype == np.float32
        assert model.sample(3)[0].dtype == np.float32
    as64 = make().fit(blobs)
    assert_array_equal(model.predict(blobs), as64.predict(blobs))


@pytest.mark.parametrize("make", ESTIMATORS, ids=IDS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_c_and_fortran_order_give_identical_results(make, dtype, blobs):
    C = np.ascontiguousarray(blobs, dtype=dtype)
    F = np.asfortranarray(blobs, dtype=dtype)
    strided = np.repeat(C, 2, axis=1)[:, ::2]
    assert F.flags.f_contiguous and not F.flags.c_contiguous
    assert not strided.flags.c_contiguous and not strided.flags.f_contiguous
    reference = make().fit(C)
    for X in (F, strided):
        other = make().fit(X)
        assert_same_state(reference, other)
        assert_array_equal(reference.predict(X), other.predict(C))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_contiguous_input_reaches_the_core_without_a_copy(dtype, blobs, monkeypatch):
    """What fit hands to the core is the caller's array itself, in C and in F order (the core
    then reads it through an Eigen Map of that layout); only a strided view is copied."""
    seen = []
    core_class = emgmm.GaussianMixture._core_classes[dtype]

    class Spy(core_class):
        def fit(self, X, sample_weight):
            seen.append(X)
            return super().fit(X, sample_weight)

    monkeypatch.setitem(emgmm.GaussianMixture._core_classes, dtype, Spy)
    C = np.ascontiguousarray(blobs, dtype=dtype)
    F = np.asfortranarray(C)
    strided = np.repeat(C, 2, axis=1)[:, ::2]
    for X in (C, F, strided):
        emgmm.GaussianMixture(3, random_state=0).fit(X)
    assert seen[0] is C and seen[1] is F
    assert seen[2] is not strided and seen[2].flags.c_contiguous


def test_input_is_read_in_place_not_modified(blobs):
    """The core reads C- and F-ordered input through a view: read-only input works and is left
    as it was."""
    for X in (np.ascontiguousarray(blobs), np.asfortranarray(blobs)):
        X = X.copy(order="K")
        X.setflags(write=False)
        before = X.copy()
        emgmm.GaussianMixture(3, random_state=0).fit(X).predict(X)
        assert_array_equal(X, before)


BAD_X = {
    "NaN": (np.array([[0.0, 1.0], [np.nan, 2.0], [3.0, 4.0]]), "NaN"),
    "inf": (np.array([[0.0, 1.0], [np.inf, 2.0], [3.0, 4.0]]), "infinity"),
    "1-D": (np.arange(5.0), "Expected 2D array"),
    "3-D": (np.zeros((3, 2, 2)), "Found array with dim 3"),
    "empty": (np.zeros((0, 2)), "0 sample"),
}


@pytest.mark.parametrize("make", ESTIMATORS, ids=IDS)
@pytest.mark.parametrize("case", BAD_X.keys())
def test_bad_data_is_a_value_error(make, case):
    X, message = BAD_X[case]
    with pytest.raises(ValueError, match=message):
        make().fit(X)


def test_too_few_samples_and_wrong_feature_count(blobs):
    with pytest.raises(ValueError, match="Expected n_samples >= n_components"):
        emgmm.GaussianMixture(5).fit(blobs[:4])
    with pytest.raises(ValueError, match="should be >= n_clusters"):
        emgmm.KMeans(5, n_init=1).fit(blobs[:4])
    model = emgmm.GaussianMixture(2, random_state=0).fit(blobs)
    with pytest.raises(ValueError, match="X has 3 features, but GaussianMixture is expecting 2"):
        model.predict(np.zeros((4, 3)))


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(n_components=0), "'n_components' parameter of GaussianMixture must be"),
        (dict(covariance_type="banana"), "'covariance_type' parameter"),
        (dict(tol=-1.0), "'tol' parameter"),
        (dict(reg_covar=-1e-3), "'reg_covar' parameter"),
        (dict(init_params="nope"), "'init_params' parameter"),
        (dict(random_state=-3), "random_state"),
        (dict(learning_decay=0.3), "'learning_decay' parameter"),
        (dict(n_components=2, weights_init=[0.5, 0.2, 0.3]), "'weights' should have the shape"),
        (dict(n_components=2, weights_init=[0.9, 0.3]), "weights_init"),
        (dict(n_components=2, means_init=np.zeros((3, 2))), "'means' should have the shape"),
        (dict(n_components=2, covariance_type="diag", precisions_init=-np.ones((2, 2))),
         "precisions_init"),
    ],
)
def test_bad_parameters_are_value_errors(params, message, blobs):
    with pytest.raises(ValueError, match=message):
        emgmm.GaussianMixture(**params).fit(blobs)


def test_bad_bayesian_and_kmeans_parameters(blobs):
    with pytest.raises(ValueError, match="weight_concentration_prior_type"):
        emgmm.BayesianGaussianMixture(weight_concentration_prior_type="x").fit(blobs)
    with pytest.raises(ValueError, match="degrees_of_freedom_prior"):
        emgmm.BayesianGaussianMixture(degrees_of_freedom_prior=0.1).fit(blobs)
    with pytest.raises(ValueError, match="resp_init"):
        emgmm.BayesianGaussianMixture(n_components=2, resp_init=np.ones((3, 2))).fit(blobs)
    with pytest.raises(ValueError, match="'init' parameter of KMeans"):
        emgmm.KMeans(init="nope").fit(blobs)
    with pytest.raises(ValueError, match="does not match the number of clusters"):
        emgmm.KMeans(3, init=np.zeros((2, 2)), n_init=1).fit(blobs)


def test_ill_defined_covariance_is_a_value_error():
    X = np.repeat(np.array([[0.0, 0.0], [1.0, 1.0]]), 10, axis=0)
    with pytest.raises(ValueError, match="reg_covar"):
        emgmm.GaussianMixture(2, reg_covar=0, random_state=0).fit(X)


@pytest.mark.parametrize("make", ESTIMATORS, ids=IDS)
def test_not_fitted(make, blobs):
    model = make()
    with pytest.raises(NotFittedError):
        model.predict(blobs)
    with pytest.raises(NotFittedError):
        pickle.loads(pickle.dumps(model)).predict(blobs)


def test_convergence_warning_as_sklearn(blobs):
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        emgmm.GaussianMixture(3, max_iter=1, tol=0, random_state=0).fit(blobs)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = emgmm.GaussianMixture(3, max_iter=0, random_state=0).fit(blobs)  # init only
        assert model.n_iter_ == 0
        emgmm.GaussianMixture(3, random_state=0).fit(blobs)
    X = np.repeat(blobs[:2], 5, axis=0)
    with pytest.warns(ConvergenceWarning, match="Number of distinct clusters"):
        emgmm.KMeans(3, n_init=1, random_state=0).fit(X)
    with pytest.warns(FutureWarning, match="n_init"):
        emgmm.KMeans(3, random_state=0).fit(blobs)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("make", ESTIMATORS, ids=IDS)
def test_random_state_int_instance_and_none(make, blobs):
    X = blobs + np.random.RandomState(3).normal(scale=3.0, size=blobs.shape)
    a = make().set_params(random_state=7).fit(X)
    b = make().set_params(random_state=7).fit(X)
    assert_same_state(a, b)
    # A RandomState advances: two fits from one instance equal two fits from two instances
    # seeded alike, in the same order.
    rng1, rng2 = np.random.RandomState(5), np.random.RandomState(5)
    first = make().set_params(random_state=rng1).fit(X)
    second = make().set_params(random_state=rng1).fit(X)
    assert_same_state(first, make().set_params(random_state=rng2).fit(X))
    assert_same_state(second, make().set_params(random_state=rng2).fit(X))
    # None follows numpy's global RandomState, as sklearn's check_random_state(None) does.
    np.random.seed(11)
    c = make().set_params(random_state=None).fit(X)
    np.random.seed(11)
    assert_same_state(c, make().set_params(random_state=None).fit(X))


def test_sample_follows_random_state(blobs):
    model = emgmm.GaussianMixture(3, random_state=0).fit(blobs)
    X1, y1 = model.sample(50)
    X2, _ = model.sample(50)
    assert X1.shape == (50, 2) and y1.shape == (50,)
    assert_array_equal(X1, X2)  # an int: the same points at every call, as sklearn's
    model.set_params(random_state=np.random.RandomState(0))
    X3, _ = model.sample(50)
    X4, _ = model.sample(50)
    assert not np.array_equal(X3, X4)
    with pytest.raises(ValueError, match="n_samples"):
        model.sample(0)


def fit_all(jobs):
    return [make().fit(X) for make, X in jobs]


def test_threads_fitting_at_once_match_serial_fits(blobs):
    """The GIL is released during fit: eight Python threads fitting at once (each its own model,
    some sharing one read-only X) give exactly the serial results."""
    rng = np.random.RandomState(0)
    big = np.vstack([blobs + rng.normal(scale=0.5, size=blobs.shape) for _ in range(20)])
    jobs = [(ESTIMATORS[i % 3], big if i % 2 else np.asfortranarray(big)) for i in range(8)]
    serial = fit_all(jobs)
    results = [None] * len(jobs)

    def run(i):
        results[i] = jobs[i][0]().fit(jobs[i][1])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for a, b in zip(serial, results):
        assert_same_state(a, b)


def test_integer_sample_weight_equals_repeated_rows(blobs):
    """Each model from one explicit start: integer weights fit what repeating the rows fits."""
    X = blobs[:60]
    counts = np.random.RandomState(0).randint(1, 4, size=X.shape[0])
    repeated = np.repeat(X, counts, axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = emgmm.GaussianMixture(3, random_state=0, max_iter=2).fit(X)
    explicit = dict(n_components=3, weights_init=start.weights_, means_init=start.means_,
                    precisions_init=start.precisions_)
    resp = start.predict_proba(X)
    pairs = [
        (emgmm.GaussianMixture(**explicit), emgmm.GaussianMixture(**explicit),
         ["weights_", "means_", "covariances_"]),
        (emgmm.BayesianGaussianMixture(n_components=3, resp_init=resp),
         emgmm.BayesianGaussianMixture(n_components=3, resp_init=np.repeat(resp, counts, axis=0)),
         ["weights_", "means_", "covariances_", "mean_precision_"]),
        (emgmm.KMeans(3, init=X[[0, 20, 40]], n_init=1),
         emgmm.KMeans(3, init=X[[0, 20, 40]], n_init=1), ["cluster_centers_", "inertia_"]),
    ]
    for weighted, plain, attributes in pairs:
        weighted.fit(X, sample_weight=counts)
        plain.fit(repeated)
        for name in attributes:
            assert_allclose(getattr(weighted, name), getattr(plain, name), rtol=1e-9,
                            atol=1e-12, err_msg=name)
        with pytest.raises(ValueError, match="sample_weight"):
            clone(weighted).fit(X, sample_weight=np.ones(3))
        with pytest.raises(ValueError, match="sample weights must be finite and >= 0"):
            clone(weighted).fit(X, sample_weight=-np.ones(X.shape[0]))


def test_partial_fit_streams_towards_the_batch_fit(blobs):
    rng = np.random.RandomState(0)
    X = blobs[rng.permutation(blobs.shape[0])]
    batch = emgmm.GaussianMixture(3, random_state=0).fit(X)
    online = emgmm.GaussianMixture(3, random_state=0)
    for chunk in np.array_split(np.tile(X, (5, 1)), 30):
        assert online.partial_fit(chunk) is online
    assert online.n_iter_ == 30 and not online.converged_
    assert online.n_features_in_ == 2
    order = np.argsort(online.means_[:, 0])
    batch_order = np.argsort(batch.means_[:, 0])
    assert_allclose(online.means_[order], batch.means_[batch_order], atol=0.1)
    assert abs(online.score(X) - batch.score(X)) < 0.01
    with pytest.raises(ValueError, match="X has 3 features"):
        online.partial_fit(np.zeros((10, 3)))
    # A chunk of weight 0 changes nothing.
    before = online.means_.copy()
    online.partial_fit(X[:20], sample_weight=np.zeros(20))
    assert_array_equal(online.means_, before)


def test_failed_warm_start_and_partial_fit_leave_the_model_as_it_was(blobs):
    model = emgmm.GaussianMixture(3, random_state=0).fit(blobs)
    before = pickle.dumps(model)
    model.set_params(warm_start=True, n_components=2)
    with pytest.raises(ValueError, match="warm_start"):
        model.fit(blobs)
    with pytest.raises(ValueError, match="call fit"):
        model.partial_fit(blobs)
    model.set_params(warm_start=False, n_components=3)
    assert pickle.dumps(model) == before  # the core's saved text too: options put back
    assert_array_equal(model.predict(blobs), pickle.loads(before).predict(blobs))


def test_fit_predict_equals_fit_then_predict(blobs):
    for make in ESTIMATORS:
        labels = make().fit_predict(blobs)
        assert_array_equal(labels, make().fit(blobs).predict(blobs))
    kmeans = emgmm.KMeans(3, n_init=1, random_state=0)
    assert_allclose(kmeans.fit_transform(blobs), kmeans.transform(blobs))


def test_threadpoolctl_limits_the_openmp_threads(blobs):
    threadpoolctl = pytest.importorskip("threadpoolctl")
    info = [p for p in threadpoolctl.threadpool_info() if p["user_api"] == "openmp"]
    assert info, "the module's OpenMP runtime is visible to threadpoolctl"
    reference = emgmm.GaussianMixture(3, random_state=0).fit(blobs)
    with threadpoolctl.threadpool_limits(limits=1, user_api="openmp"):
        one = emgmm.GaussianMixture(3, random_state=0).fit(blobs)
    assert_same_state(reference, one)  # bit-identical for any number of threads
