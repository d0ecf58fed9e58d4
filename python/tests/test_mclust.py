"""R's mclust from Python: GaussianMixture(model_name=...), hierarchical_merges/partition and
select_mclust_model against mclust 6.0.0's own numbers, committed in tests/reference/ by
mclust_reference.R (me(modelName, X, z0) for every model on iris, faithful and a synthetic set)
and mclust_select_reference.R (hc(X), hclass and mclustBIC(X) / Mclust(X)); see those scripts
for how they were run. The same tolerances as the C++ tests (tests/test_mclust_models.cpp,
tests/test_mclust_selection.cpp): 1e-8 relative from the same start, the same iterations,
classification, NA cells and best model."""

import pickle
import threading
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

import emgmm

REFERENCE = Path(__file__).resolve().parents[2] / "tests" / "reference"
RTOL = 1e-8


def read_reference(name):
    """tests/reference/<name>: entries `name rows cols` followed by `rows` lines of numbers (the
    format of tests/reference_data.hpp; mclust's NA written as 0 and flagged separately)."""
    entries = {}
    lines = (REFERENCE / name).read_text().splitlines()
    i = 1  # line 0: the generator and versions
    while i < len(lines):
        key, rows, cols = lines[i].split()
        rows, cols = int(rows), int(cols)
        values = [float(v) for line in lines[i + 1 : i + 1 + rows] for v in line.split()]
        entries[key] = np.array(values).reshape(rows, cols)
        i += 1 + rows
    return entries


def relative_error(actual, expected):
    """The largest |actual - expected| / max(|expected|, 1e-3 max|expected|): entries far below
    their matrix's scale (an off-diagonal covariance near 0) against that floor, as the C++
    test does."""
    actual = np.asarray(actual, dtype=np.float64).reshape(np.shape(expected))
    floor = 1e-3 * np.max(np.abs(expected))
    return np.max(np.abs(actual - expected) / np.maximum(np.abs(expected), floor))


DATASETS = ["iris", "faithful", "synthetic"]


@pytest.fixture(scope="module")
def me_reference():
    return {name: read_reference(f"mclust_{name}.txt") for name in DATASETS}


@pytest.fixture(scope="module")
def select_reference():
    return {name: read_reference(f"mclust_select_{name}.txt") for name in DATASETS}


@pytest.mark.parametrize("model", emgmm.MODEL_NAMES)
@pytest.mark.parametrize("dataset", DATASETS)
def test_me_from_the_same_z_matches_mclust(dataset, model, me_reference):
    ref = me_reference[dataset]
    X, z0 = ref["X"], ref["z0"]
    n, d = X.shape
    G = z0.shape[1]
    assert f"{model}_failed" not in ref  # mclust fits every model on these sets
    gm = emgmm.GaussianMixture(
        n_components=G, model_name=model, resp_init=z0, **emgmm.mclust_em_options()
    ).fit(X)
    assert gm.n_iter_ == int(ref[f"{model}_n_iter"][0, 0])
    assert gm.converged_
    assert relative_error(gm.weights_, ref[f"{model}_pro"]) < RTOL
    assert relative_error(gm.means_, ref[f"{model}_mean"]) < RTOL
    assert relative_error(gm.covariances_.reshape(G * d, d), ref[f"{model}_sigma"]) < RTOL
    assert relative_error(gm.lower_bound_ * n, ref[f"{model}_loglik"]) < RTOL
    assert relative_error(gm.mclust_bic(X), ref[f"{model}_bic"]) < RTOL
    assert gm.mclust_bic(X) == -gm.bic(X)
    assert relative_error(gm.icl(X), ref[f"{model}_icl"]) < RTOL
    np.testing.assert_array_equal(gm.predict(X), ref[f"{model}_classification"].ravel())
    np.testing.assert_allclose(gm.uncertainty(X), ref[f"{model}_uncertainty"].ravel(), atol=1e-8,
                               rtol=0)
    assert relative_error(gm.scale_, ref[f"{model}_scale"]) < RTOL
    assert relative_error(gm.shape_, ref[f"{model}_shape"]) < RTOL


@pytest.mark.parametrize("dataset", DATASETS)
def test_hierarchical_clustering_matches_hc(dataset, select_reference):
    ref = select_reference[dataset]
    X = ref["X"]
    merges = emgmm.hierarchical_merges(X)
    assert merges.shape == (X.shape[0] - 1, 2)
    np.testing.assert_array_equal(merges, ref["hc_merges"])
    partitions = emgmm.hierarchical_partition(X, range(1, 10))
    np.testing.assert_array_equal(partitions, ref["hc_partitions"])
    np.testing.assert_array_equal(emgmm.hierarchical_partition(X, 4), ref["hc_partitions"][:, 3])
    # float32 data widens exactly: the same clustering as of its float64 copy.
    X32 = X.astype(np.float32)
    np.testing.assert_array_equal(
        emgmm.hierarchical_merges(X32), emgmm.hierarchical_merges(X32.astype(np.float64))
    )


@pytest.mark.parametrize("dataset", ["iris", "faithful"])
def test_select_mclust_model_matches_mclustBIC(dataset, select_reference):
    ref = select_reference[dataset]
    X = ref["X"]
    result = emgmm.select_mclust_model(X)
    assert result.models == emgmm.MODEL_NAMES
    assert result.n_components == tuple(range(1, 10))
    # mclustBIC's table is G x models; ours models x G.
    expected = ref["bic"].T
    na = ref["bic_na"].T != 0
    assert na.sum() == {"iris": 5, "faithful": 0}[dataset]  # iris has cells mclust cannot fit
    np.testing.assert_array_equal(np.isnan(result.bic), na)
    assert all(result.errors[na]) and not any(result.errors[~na])
    error = np.where(na, 0.0, np.abs(result.bic - expected) / np.abs(np.where(na, 1, expected)))
    # At G = 1 mclust fits EVE and VVE by the closed form of one Gaussian (mvn), emgmm by the
    # models' inner MM iterations, which stop at inner_tol = sqrt(eps): 1.3e-8 apart on iris.
    # A tighter inner_tol closes the gap (below), which shows it is the inner stopping point.
    inner = [(emgmm.MODEL_NAMES.index(m), 0) for m in ("EVE", "VVE")]
    for cell in inner:
        assert error[cell] < 1e-7
        error[cell] = 0.0
    assert np.max(error) < RTOL
    tight = emgmm.select_mclust_model(X, [1], ["EVE", "VVE"], inner_tol=1e-14)
    np.testing.assert_allclose(tight.bic[:, 0], [expected[cell] for cell in inner], rtol=1e-12)
    best_model, best_G = ref["best"][0]
    assert result.best_model_name == emgmm.MODEL_NAMES[int(best_model)]
    assert result.best_n_components == int(best_G)
    assert abs(result.best_bic - ref["best_bic"][0, 0]) < RTOL * abs(ref["best_bic"][0, 0])
    assert result.best_bic == np.nanmax(result.bic)

    best = result.best_estimator
    assert isinstance(best, emgmm.GaussianMixture)
    assert best.model_name == result.best_model_name
    assert best.n_components == result.best_n_components
    assert best.mclust_bic(X) == result.best_bic
    # Its parameters say how it was fitted: a refit from them is the same fit.
    again = clone(best).fit(X)
    assert again.mclust_bic(X) == result.best_bic
    assert again.n_iter_ == best.n_iter_
    np.testing.assert_array_equal(again.means_, best.means_)


def test_select_mclust_model_subsets_options_and_float32(select_reference):
    X = select_reference["faithful"]["X"]
    result = emgmm.select_mclust_model(X, n_components=[2, 3, 4], models=["VVV", "EEE"])
    assert result.bic.shape == (2, 3)
    assert (result.best_model_name, result.best_n_components) == ("EEE", 3)
    assert np.all(result.converged) and np.all(result.n_iter > 0)
    # Each cell is the fit GaussianMixture gives from the hierarchical partition.
    start = np.eye(4)[emgmm.hierarchical_partition(X, 4)]
    cell = emgmm.GaussianMixture(
        n_components=4, model_name="VVV", resp_init=start, **emgmm.mclust_em_options()
    ).fit(X)
    assert cell.mclust_bic(X) == result.bic[0, 2]
    # Options replace mclust's EM options: a looser tol stops no later.
    loose = emgmm.select_mclust_model(X, [2, 3, 4], ["VVV", "EEE"], tol=1e-2)
    assert np.all(loose.n_iter <= result.n_iter) and np.any(loose.n_iter < result.n_iter)
    # float32 data fits float32 models; EM stops within float's precision.
    single = emgmm.select_mclust_model(X.astype(np.float32), [2, 3, 4], ["EEE", "VVV"])
    assert (single.best_model_name, single.best_n_components) == ("EEE", 3)
    assert single.best_estimator.means_.dtype == np.float32
    assert abs(single.best_bic - result.best_bic) < 1e-4 * abs(result.best_bic)


def test_decomposition_rebuilds_the_covariances(select_reference):
    X = select_reference["synthetic"]["X"]
    for model in ["VEV", "EVE", "VVV"]:
        gm = emgmm.GaussianMixture(3, model_name=model, random_state=0).fit(X)
        K, D = 3, X.shape[1]
        assert gm.scale_.shape == (K,) and gm.shape_.shape == (K, D)
        assert gm.orientation_.shape == (K, D, D)
        np.testing.assert_allclose(np.prod(gm.shape_, axis=1), 1.0, rtol=1e-12)
        for k in range(K):
            O = gm.orientation_[k]
            np.testing.assert_allclose(O.T @ O, np.eye(D), atol=1e-12)
            rebuilt = gm.scale_[k] * O @ np.diag(gm.shape_[k]) @ O.T
            np.testing.assert_allclose(rebuilt, gm.covariances_[k], rtol=1e-10, atol=1e-13)
        # Equal volumes (E..) and equal shapes (.E.) hold in the fitted parameters.
        if model[0] == "E":
            np.testing.assert_allclose(gm.scale_, gm.scale_[0], rtol=1e-10)
        if model[1] == "E":
            np.testing.assert_allclose(gm.shape_, np.tile(gm.shape_[0], (K, 1)), rtol=1e-10)
    # sklearn's covariance types decompose as well.
    tied = emgmm.GaussianMixture(2, covariance_type="tied", random_state=0).fit(X)
    np.testing.assert_allclose(tied.scale_, tied.scale_[0], rtol=1e-12)


def test_mclust_models_pickle_and_queries(select_reference):
    X = select_reference["synthetic"]["X"]
    gm = emgmm.GaussianMixture(2, model_name="VEI", convergence="mclust", random_state=0)
    with pytest.raises(NotFittedError):
        gm.icl(X)
    gm.fit(X)
    copy = pickle.loads(pickle.dumps(gm))
    for name in ["mclust_bic", "icl", "uncertainty", "score_samples"]:
        np.testing.assert_array_equal(getattr(copy, name)(X), getattr(gm, name)(X))
    np.testing.assert_array_equal(copy.orientation_, gm.orientation_)
    z = gm.predict_proba(X)
    np.testing.assert_allclose(gm.uncertainty(X), 1 - z.max(axis=1), rtol=1e-12, atol=1e-15)
    # ICL is the BIC less twice the classification's entropy term, so never above it.
    assert gm.icl(X) <= gm.mclust_bic(X)
    # inner_max_iter bounds VEI's inner iterations: one inner step gives another fit.
    capped = emgmm.GaussianMixture(2, model_name="VEI", convergence="mclust", random_state=0,
                                   inner_max_iter=1).fit(X)
    assert capped.mclust_bic(X) != gm.mclust_bic(X)


@pytest.mark.parametrize(
    "params, error, message",
    [
        (dict(model_name="XYZ"), InvalidParameterError,
         "'model_name' parameter of GaussianMixture must be"),
        (dict(model_name="vvv"), InvalidParameterError, "'model_name' parameter"),
        (dict(convergence="R"), InvalidParameterError, "'convergence' parameter"),
        (dict(inner_tol=-1.0), InvalidParameterError, "'inner_tol' parameter"),
        (dict(inner_max_iter=0), InvalidParameterError, "'inner_max_iter' parameter"),
        (dict(resp_init="abc"), ValueError, "resp_init|could not convert"),
        (dict(model_name="VVV", covariance_type="tied"), ValueError, "model_name"),
        (dict(resp_init=np.ones((3, 2))), ValueError, "resp_init"),
        (dict(resp_init=-np.ones((272, 2))), ValueError, "resp_init"),
    ],
)
def test_bad_mclust_parameters(params, error, message, select_reference):
    X = select_reference["faithful"]["X"]
    with pytest.raises(error, match=message):
        emgmm.GaussianMixture(n_components=2, **params).fit(X)


def test_bad_selection_and_clustering_input(select_reference):
    X = select_reference["faithful"]["X"]
    with pytest.raises(ValueError, match="models contains 'XYZ'"):
        emgmm.select_mclust_model(X, [2], ["VVV", "XYZ"])
    with pytest.raises(ValueError, match="'EEE' twice"):
        emgmm.select_mclust_model(X, [2], ["EEE", "EEE"])
    with pytest.raises(ValueError, match="n_components is empty"):
        emgmm.select_mclust_model(X, [])
    with pytest.raises(ValueError, match=r"n_components\[1\] = 273"):
        emgmm.select_mclust_model(X, [1, 273], ["VVV"])
    with pytest.raises(TypeError, match="'random_state' is set by the sweep"):
        emgmm.select_mclust_model(X, [2], ["VVV"], random_state=0)
    with pytest.raises(TypeError, match="banana"):
        emgmm.select_mclust_model(X, [2], ["VVV"], banana=1)
    with pytest.raises(InvalidParameterError, match="'tol' parameter"):
        emgmm.select_mclust_model(X, [2], ["VVV"], tol=-1.0)
    bad = X.copy()
    bad[4, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        emgmm.select_mclust_model(bad, [2], ["VVV"])
    with pytest.raises(ValueError, match="n_groups = 0"):
        emgmm.hierarchical_partition(X, 0)
    with pytest.raises(ValueError, match="n_groups = 273"):
        emgmm.hierarchical_partition(X, [2, 273])
    with pytest.raises(ValueError, match="minimum of 2"):
        emgmm.hierarchical_merges(X[:1])


def test_sweeps_in_threads_match_serial_sweeps(select_reference):
    """The sweep and the clustering run with the GIL released: four Python threads at once (two
    sharing one read-only X, one float32) give exactly the serial results."""
    X = select_reference["iris"]["X"]
    inputs = [X, X, np.asfortranarray(X), X.astype(np.float32)]

    def sweep(data):
        result = emgmm.select_mclust_model(data, [1, 2, 3], ["VEV", "EVE", "VVV"])
        return result.bic, emgmm.hierarchical_partition(data, 3)

    serial = [sweep(data) for data in inputs]
    results = [None] * len(inputs)

    def run(i):
        results[i] = sweep(inputs[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(inputs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for (bic, labels), (bic_serial, labels_serial) in zip(results, serial):
        np.testing.assert_array_equal(bic, bic_serial)
        np.testing.assert_array_equal(labels, labels_serial)
