#!/usr/bin/python3
"""Reference results from scikit-learn for emgmm's parity tests (tests/test_parity.cpp).

How to run (from the repository root; deterministic, rewrites every *.txt next to this file):

    /usr/bin/python3 tests/reference/generate_reference.py

Generated with scikit-learn 1.2.1, NumPy 1.24.2, SciPy 1.10.1 (Debian 12 packages
python3-sklearn, python3-numpy, python3-scipy). The script records the versions it ran with in
every file's header and warns when they differ from these.

Datasets
  iris     sklearn.datasets.load_iris().data, 150 x 4 (shipped inside sklearn, offline).
  blobs2d  200 x 2, K = 3 Gaussian blobs with random rotations and anisotropic scales.
  blobs5d  300 x 5, K = 4 Gaussian blobs with random rotations and anisotropic scales.
  The synthetic sets come from np.random.RandomState (whose stream NumPy keeps frozen) and are
  rounded to 4 decimals, so the text holds the exact input and stays short.
  Each dataset is written once, as entry X of data_<dataset>.txt; a case file names its dataset
  in its file name (gmm_<dataset>_..., kmeans_<dataset>...) and records n_samples and
  n_features, which the test checks against X. This keeps the files small (< 500 KB in all).

GaussianMixture cases, gmm_<dataset>_<covariance_type>[_<variant>].txt
  Every case starts EM from a fully specified start -- weights_init, means_init and
  precisions_init -- so that sklearn's k-means initialization (which emgmm cannot reproduce
  bit for bit, its random numbers being its own) has no influence on the result. The start is
  a deliberately mediocre one: every point is given to the nearest of K seeded data points,
  the parameters of those hard clusters are estimated, then perturbed (weights x U(0.8, 1.2),
  means + 0.1 sd noise, covariances through a random near-identity transform B C B^T, or a
  U(0.7, 1.3) factor for diag/spherical), and inverted into precisions.
  Otherwise sklearn's defaults: tol 1e-3, reg_covar 1e-6, max_iter 100, n_init 1.
    <dataset>_<type>          iris, blobs2d, blobs5d x full, tied, diag, spherical (12 cases)
    iris_full_maxiter3        max_iter 3: stops before converging (converged_ False, n_iter_ 3)
    blobs2d_spherical_maxiter3  the same for spherical on the 2-D set
    blobs2d_diag_tol1e-10     tol 1e-10, max_iter 500: many iterations, n_iter_ exercised
    iris_full_tol1e-10        the same for full on iris
    iris_tied_tol1e-10        the same for tied on iris
    iris_full_reg1e-3         reg_covar 1e-3
    iris_diag_reg1e-3         reg_covar 1e-3 for diag
  (blobs2d full and tied are not used with tol 1e-10: an iteration there changes the lower
  bound by tol +- 1e-12, so n_iter_ would hang on the last bits -- see the checks below.)
  Recorded: the options, the inputs (n_samples, n_features, weights_init, means_init,
  precisions_init; X is in data_<dataset>.txt) and
  weights_, means_, covariances_, precisions_cholesky_, precisions_, lower_bound_, n_iter_,
  converged_, the labels from fit_predict(X), score_samples(X), predict_proba(X), score(X),
  bic(X), aic(X), _n_parameters(), and the lower bound after every EM iteration
  (lower_bound_history, n_iter_ x 1).

KMeans cases, kmeans_<dataset>[_<variant>].txt: KMeans(n_clusters, init=<explicit centers>,
  n_init=1, algorithm='lloyd'), sklearn's defaults otherwise (max_iter 300, tol 1e-4).
    iris                  K 3, init = three seeded data points
    blobs2d_tol0          K 3, tol 0: runs until no label changes (strict convergence)
    blobs2d_tol1e-3       K 3, tol 1e-3: stops on the center-shift test, then relabels
    blobs5d               K 4, default tol
    blobs2d_maxiter2      K 3, max_iter 2: stops early, then relabels
    iris_empty            K 3 with one init center far from every point: that cluster is
                          empty after the first assignment and is relocated to the point
                          farthest from its center
  Recorded: the options, n_samples, n_features, init (the centers), cluster_centers_, labels_,
  inertia_, n_iter_ (X is in data_<dataset>.txt).

File format (parsed by tests/reference_data.hpp): '#' starts a comment line; every entry is a
block "name rows cols" followed by its rows * cols numbers row by row, one row per line
(integer columns such as labels 20 to a line; the reader only counts numbers). Scalars are
1 x 1 blocks; labels, counts and booleans (0/1) are written as integers; reals with repr(),
the shortest text that reads back to the same double. covariance_type is coded 0 full,
1 tied, 2 diag, 3 spherical (emgmm::CovarianceType's order). Matrix layout is emgmm's (see
covariance_type.hpp): full (K, D, D) is stacked as a (K*D) x D matrix (component k = rows
k*D .. k*D+D-1), tied D x D, diag K x D, spherical K x 1.

The script also checks, and fails loudly otherwise, that each case is robust to the last-bit
differences between two correct implementations: no iteration's lower-bound change lies within
1e-12 (absolute) or 1e-3 (relative) of tol, no label is a near tie, and for KMeans that its own
NumPy replay of sklearn's Lloyd iteration gives the same centers, labels and n_iter_ with the
stopping tests away from their thresholds.
"""

import os
import sys
import warnings

import numpy as np
import scipy
import sklearn
from sklearn.cluster import KMeans
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

OUT_DIR = os.path.dirname(os.path.abspath(__file__))
EXPECTED_VERSIONS = {"sklearn": "1.2.1", "numpy": "1.24.2", "scipy": "1.10.1"}
VERSIONS = {"sklearn": sklearn.__version__, "numpy": np.__version__, "scipy": scipy.__version__}
COV_CODE = {"full": 0, "tied": 1, "diag": 2, "spherical": 3}
COV_TYPES = ("full", "tied", "diag", "spherical")

# Robustness margins (see the docstring).
LB_ABS_MARGIN = 1e-12
LB_REL_MARGIN = 1e-3
TIE_MARGIN = 1e-6


# ----------------------------------------------------------------------------------------------
# Output


def fmt_real(v):
    v = float(v)
    if not np.isfinite(v):
        raise ValueError("non-finite value %r in the reference output" % v)
    return repr(v)


class RefFile:
    """Collects blocks and writes them in the format tests/reference_data.hpp reads."""

    def __init__(self, name, description):
        self.name = name
        self.lines = [
            "# emgmm parity reference: %s" % name,
            "# %s" % description,
            "# generated by tests/reference/generate_reference.py with scikit-learn %s, "
            "numpy %s, scipy %s" % (VERSIONS["sklearn"], VERSIONS["numpy"], VERSIONS["scipy"]),
        ]
        self.names = set()

    def _header(self, name, rows, cols):
        if name in self.names:
            raise ValueError("duplicate entry %s in %s" % (name, self.name))
        self.names.add(name)
        self.lines.append("%s %d %d" % (name, rows, cols))

    def matrix(self, name, a):
        a = np.asarray(a, dtype=np.float64)
        if a.ndim == 0:
            a = a.reshape(1, 1)
        elif a.ndim == 1:
            a = a.reshape(-1, 1)
        assert a.ndim == 2
        self._header(name, a.shape[0], a.shape[1])
        for row in a:
            self.lines.append(" ".join(fmt_real(v) for v in row))

    def integers(self, name, a):
        a = np.asarray(a)
        if a.ndim == 0:
            a = a.reshape(1, 1)
        elif a.ndim == 1:
            a = a.reshape(-1, 1)
        assert np.all(a == np.round(a))
        self._header(name, a.shape[0], a.shape[1])
        # A column vector is written on one line per 20 values to keep files short to scroll;
        # the reader only counts numbers.
        if a.shape[1] == 1:
            flat = [str(int(v)) for v in a[:, 0]]
            for i in range(0, len(flat), 20):
                self.lines.append(" ".join(flat[i:i + 20]))
        else:
            for row in a:
                self.lines.append(" ".join(str(int(v)) for v in row))

    def write(self):
        path = os.path.join(OUT_DIR, self.name + ".txt")
        with open(path, "w", newline="\n") as f:
            f.write("\n".join(self.lines) + "\n")
        return path


def to_emgmm_layout(a, cov_type):
    """sklearn's covariance/precision array -> emgmm's 2-D layout."""
    a = np.asarray(a, dtype=np.float64)
    if cov_type == "full":
        k, d, _ = a.shape
        return a.reshape(k * d, d)  # row k*D + i is a[k, i, :]
    if cov_type == "tied":
        return a
    if cov_type == "diag":
        return a
    return a.reshape(-1, 1)  # spherical


# ----------------------------------------------------------------------------------------------
# Data


def iris():
    return np.ascontiguousarray(load_iris().data, dtype=np.float64)


def blobs(seed, n, d, k):
    rs = np.random.RandomState(seed)
    centers = rs.uniform(-5.0, 5.0, size=(k, d))
    proportions = rs.uniform(0.5, 1.5, size=k)
    counts = np.floor(proportions / proportions.sum() * n).astype(int)
    counts[0] += n - counts.sum()
    parts = []
    for j in range(k):
        q, r = np.linalg.qr(rs.standard_normal((d, d)))
        q = q * np.sign(np.diag(r))  # a proper random rotation/reflection
        scales = rs.uniform(0.4, 2.0, size=d)
        a = q * scales  # columns of q scaled: covariance a a^T, anisotropic
        parts.append(centers[j] + rs.standard_normal((counts[j], d)) @ a.T)
    x = np.concatenate(parts)[rs.permutation(n)]
    return np.round(x, 4)


DATASETS = {
    "iris": (iris, 3),
    "blobs2d": (lambda: blobs(20240601, 200, 2, 3), 3),
    "blobs5d": (lambda: blobs(20240602, 300, 5, 4), 4),
}


# ----------------------------------------------------------------------------------------------
# Starts


def hard_clusters(x, k, rs):
    """Labels from the nearest of K seeded data points; every cluster gets >= 2 D points."""
    n, d = x.shape
    for _ in range(100):
        idx = rs.choice(n, k, replace=False)
        dist = ((x[:, None, :] - x[idx][None, :, :]) ** 2).sum(axis=2)
        labels = dist.argmin(axis=1)
        if np.bincount(labels, minlength=k).min() >= 2 * d:
            return labels
    raise RuntimeError("could not find a start with populated clusters")


def make_start(x, k, cov_type, seed):
    """weights_init, means_init, precisions_init (sklearn's shapes) for one dataset.

    The same seed gives the same hard clusters and perturbations for every covariance type."""
    rs = np.random.RandomState(seed)
    n, d = x.shape
    labels = hard_clusters(x, k, rs)
    counts = np.bincount(labels, minlength=k).astype(np.float64)

    weights = counts / n * rs.uniform(0.8, 1.2, size=k)
    weights = weights / weights.sum()

    sd = x.std(axis=0)
    means = np.array([x[labels == j].mean(axis=0) for j in range(k)])
    means = means + 0.1 * sd * rs.standard_normal((k, d))

    covs = np.array([np.cov(x[labels == j], rowvar=False, bias=True).reshape(d, d)
                     for j in range(k)])
    transforms = np.eye(d) + 0.1 * rs.standard_normal((k, d, d))
    factors = rs.uniform(0.7, 1.3, size=(k, d))

    def symmetric_inverse(c):
        p = np.linalg.inv(c)
        p = 0.5 * (p + p.T)  # exactly symmetric, so either triangle gives the same Cholesky
        np.linalg.cholesky(p)  # raises if not positive definite
        return p

    def perturbed(c, b):
        c = b @ c @ b.T
        return c + 1e-3 * np.trace(c) / d * np.eye(d)

    if cov_type == "full":
        precisions = np.array([symmetric_inverse(perturbed(covs[j], transforms[j]))
                               for j in range(k)])
    elif cov_type == "tied":
        pooled = np.einsum("k,kij->ij", counts, covs) / n
        precisions = symmetric_inverse(perturbed(pooled, transforms[0]))
    elif cov_type == "diag":
        precisions = 1.0 / (np.array([np.diag(c) for c in covs]) * factors)
    else:
        precisions = 1.0 / (np.array([np.diag(c).mean() for c in covs]) * factors[:, 0])
    return weights, means, precisions


# ----------------------------------------------------------------------------------------------
# Robustness checks


def check_lower_bound_margins(case, history, tol, converged):
    prev = -np.inf
    for i, lb in enumerate(history):
        change = abs(lb - prev)
        prev = lb
        if not np.isfinite(change):
            continue
        gap = abs(change - tol)
        if gap < LB_ABS_MARGIN or gap < LB_REL_MARGIN * tol:
            raise RuntimeError("%s: iteration %d changes the lower bound by %r, too close to "
                               "tol %r for a robust n_iter_" % (case, i + 1, change, tol))
    last_change = abs(history[-1] - history[-2]) if len(history) > 1 else np.inf
    assert converged == (last_change < tol), case


def check_no_ties(case, scores):
    """scores: n x K, larger is better; the best must beat the second by TIE_MARGIN."""
    s = np.sort(scores, axis=1)
    gap = s[:, -1] - s[:, -2]
    scale = np.maximum(1.0, np.abs(s[:, -1]))
    worst = np.min(gap / scale)
    if worst < TIE_MARGIN:
        raise RuntimeError("%s: a label is a near tie (relative gap %r)" % (case, worst))


# ----------------------------------------------------------------------------------------------
# GaussianMixture


def gmm_case(dataset, cov_type, variant="", tol=1e-3, reg_covar=1e-6, max_iter=100):
    make_x, k = DATASETS[dataset]
    x = make_x()
    n, d = x.shape
    seed = {"iris": 11, "blobs2d": 12, "blobs5d": 13}[dataset]
    weights_init, means_init, precisions_init = make_start(x, k, cov_type, seed)

    gm = GaussianMixture(n_components=k, covariance_type=cov_type, tol=tol, reg_covar=reg_covar,
                         max_iter=max_iter, n_init=1, weights_init=weights_init,
                         means_init=means_init, precisions_init=precisions_init, random_state=0)
    history = []
    compute_lower_bound = gm._compute_lower_bound

    def recording_lower_bound(log_resp, log_prob_norm):
        lb = compute_lower_bound(log_resp, log_prob_norm)
        history.append(lb)
        return lb

    gm._compute_lower_bound = recording_lower_bound
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        labels = gm.fit_predict(x)

    case = "gmm_%s_%s%s" % (dataset, cov_type, "_" + variant if variant else "")
    assert len(history) == gm.n_iter_, case
    assert np.array_equal(labels, gm.predict(x)), case
    check_lower_bound_margins(case, history, tol, gm.converged_)
    check_no_ties(case, gm._estimate_weighted_log_prob(x))

    f = RefFile(case, "GaussianMixture(n_components=%d, covariance_type='%s', tol=%r, "
                      "reg_covar=%r, max_iter=%d, n_init=1, weights_init, means_init, "
                      "precisions_init) on %s (%d x %d)"
                % (k, cov_type, tol, reg_covar, max_iter, dataset, n, d))
    f.lines.append("# options")
    f.integers("n_components", k)
    f.integers("covariance_type", COV_CODE[cov_type])
    f.matrix("tol", tol)
    f.matrix("reg_covar", reg_covar)
    f.integers("max_iter", max_iter)
    f.integers("n_init", 1)
    f.lines.append("# inputs (X: data_%s.txt)" % dataset)
    f.integers("n_samples", n)
    f.integers("n_features", d)
    f.matrix("weights_init", weights_init)
    f.matrix("means_init", means_init)
    f.matrix("precisions_init", to_emgmm_layout(precisions_init, cov_type))
    f.lines.append("# fitted attributes")
    f.matrix("weights", gm.weights_)
    f.matrix("means", gm.means_)
    f.matrix("covariances", to_emgmm_layout(gm.covariances_, cov_type))
    f.matrix("precisions_cholesky", to_emgmm_layout(gm.precisions_cholesky_, cov_type))
    f.matrix("precisions", to_emgmm_layout(gm.precisions_, cov_type))
    f.matrix("lower_bound", gm.lower_bound_)
    f.integers("n_iter", gm.n_iter_)
    f.integers("converged", int(bool(gm.converged_)))
    f.integers("n_parameters", gm._n_parameters())
    f.matrix("lower_bound_history", np.array(history))
    f.lines.append("# methods on X")
    f.integers("labels", labels)
    f.matrix("score_samples", gm.score_samples(x))
    f.matrix("predict_proba", gm.predict_proba(x))
    f.matrix("score", gm.score(x))
    f.matrix("bic", gm.bic(x))
    f.matrix("aic", gm.aic(x))
    f.write()
    return case, gm.n_iter_, bool(gm.converged_)


GMM_VARIANTS = [
    ("iris", "full", "maxiter3", dict(max_iter=3)),
    ("blobs2d", "spherical", "maxiter3", dict(max_iter=3)),
    ("blobs2d", "diag", "tol1e-10", dict(tol=1e-10, max_iter=500)),
    ("iris", "full", "tol1e-10", dict(tol=1e-10, max_iter=500)),
    ("iris", "tied", "tol1e-10", dict(tol=1e-10, max_iter=500)),
    ("iris", "full", "reg1e-3", dict(reg_covar=1e-3)),
    ("iris", "diag", "reg1e-3", dict(reg_covar=1e-3)),
]


# ----------------------------------------------------------------------------------------------
# KMeans


def lloyd_replay(x, centers, max_iter, tol):
    """sklearn 1.2.1's _kmeans_single_lloyd in NumPy, to check the stopping margins."""
    n, d = x.shape
    k = centers.shape[0]
    tol_abs = 0.0 if tol == 0 else np.mean(np.var(x, axis=0)) * tol
    labels_old = np.full(n, -1)
    strict = False
    for i in range(max_iter):
        dist = ((x[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)
        check_no_ties("kmeans replay", -dist)
        labels = dist.argmin(axis=1)
        sums = np.zeros((k, d))
        weight = np.zeros(k)
        for j in range(k):
            sums[j] = x[labels == j].sum(axis=0)
            weight[j] = np.sum(labels == j)
        empty = np.flatnonzero(weight == 0)
        if len(empty):
            far_dist = ((x - centers[labels]) ** 2).sum(axis=1)
            order = np.argsort(-far_dist, kind="stable")
            if len(far_dist) > len(empty) and \
                    far_dist[order[len(empty) - 1]] - far_dist[order[len(empty)]] < 1e-9:
                raise RuntimeError("empty-cluster relocation is a near tie")
            for e, far in zip(empty, order[:len(empty)]):
                old = labels[far]
                sums[old] -= x[far]
                sums[e] = x[far]
                weight[e] = 1.0
                weight[old] -= 1.0
        new_centers = np.where(weight[:, None] > 0, sums / np.maximum(weight, 1)[:, None],
                               centers)
        shift = ((new_centers - centers) ** 2).sum()
        centers = new_centers
        if np.array_equal(labels, labels_old):
            strict = True
            break
        if tol_abs > 0 and abs(shift - tol_abs) < 1e-6 * tol_abs:
            raise RuntimeError("center shift %r too close to tol %r" % (shift, tol_abs))
        if shift <= tol_abs:
            break
        labels_old = labels
    if not strict:
        dist = ((x[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)
        check_no_ties("kmeans replay", -dist)
        labels = dist.argmin(axis=1)
    inertia = ((x - centers[labels]) ** 2).sum()
    return centers, labels, inertia, i + 1, strict


def kmeans_case(dataset, variant="", k=None, tol=1e-4, max_iter=300, far_center=False):
    make_x, k_default = DATASETS[dataset]
    k = k or k_default
    x = make_x()
    n, d = x.shape
    rs = np.random.RandomState({"iris": 21, "blobs2d": 22, "blobs5d": 23}[dataset])
    init = x[rs.choice(n, k, replace=False)].copy()
    if far_center:
        init[-1] = x.max(axis=0) + 100.0 * x.std(axis=0)

    km = KMeans(n_clusters=k, init=init, n_init=1, algorithm="lloyd", tol=tol,
                max_iter=max_iter, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        km.fit(x)

    case = "kmeans_%s%s" % (dataset, "_" + variant if variant else "")
    centers, labels, inertia, n_iter, strict = lloyd_replay(x, init, max_iter, tol)
    assert n_iter == km.n_iter_, (case, n_iter, km.n_iter_)
    assert np.array_equal(labels, km.labels_), case
    assert np.allclose(centers, km.cluster_centers_, rtol=1e-12, atol=1e-12), case
    assert np.isclose(inertia, km.inertia_, rtol=1e-12), case
    if far_center:
        assert np.bincount(km.labels_, minlength=k).min() > 0, case  # relocated, not left empty

    f = RefFile(case, "KMeans(n_clusters=%d, init=<array>, n_init=1, algorithm='lloyd', "
                      "tol=%r, max_iter=%d) on %s (%d x %d); %s convergence"
                % (k, tol, max_iter, dataset, n, d, "strict" if strict else "tol/max_iter"))
    f.lines.append("# options")
    f.integers("n_clusters", k)
    f.matrix("tol", tol)
    f.integers("max_iter", max_iter)
    f.lines.append("# inputs (X: data_%s.txt)" % dataset)
    f.integers("n_samples", n)
    f.integers("n_features", d)
    f.matrix("init", init)
    f.lines.append("# fitted attributes")
    f.matrix("cluster_centers", km.cluster_centers_)
    f.integers("labels", km.labels_)
    f.matrix("inertia", km.inertia_)
    f.integers("n_iter", km.n_iter_)
    f.write()
    return case, km.n_iter_, strict


KMEANS_CASES = [
    ("iris", "", dict()),
    ("blobs2d", "tol0", dict(tol=0.0)),
    ("blobs2d", "tol1e-3", dict(tol=1e-3)),
    ("blobs5d", "", dict()),
    ("blobs2d", "maxiter2", dict(max_iter=2)),
    ("iris", "empty", dict(far_center=True)),
]


def main():
    for key, expected in EXPECTED_VERSIONS.items():
        if VERSIONS[key] != expected:
            print("warning: %s %s, the references were made with %s"
                  % (key, VERSIONS[key], expected), file=sys.stderr)
    for old in os.listdir(OUT_DIR):
        if old.startswith(("gmm_", "kmeans_", "data_")) and old.endswith(".txt"):
            os.remove(os.path.join(OUT_DIR, old))
    for dataset, (make_x, _) in DATASETS.items():
        x = make_x()
        f = RefFile("data_" + dataset, "dataset %s, %d x %d" % (dataset, x.shape[0], x.shape[1]))
        f.integers("n_samples", x.shape[0])
        f.integers("n_features", x.shape[1])
        f.matrix("X", x)
        f.write()
    for dataset in DATASETS:
        for cov_type in COV_TYPES:
            print("%-34s n_iter %3d converged %s" % gmm_case(dataset, cov_type))
    for dataset, cov_type, variant, kwargs in GMM_VARIANTS:
        print("%-34s n_iter %3d converged %s" % gmm_case(dataset, cov_type, variant, **kwargs))
    for dataset, variant, kwargs in KMEANS_CASES:
        print("%-34s n_iter %3d strict    %s" % kmeans_case(dataset, variant, **kwargs))


if __name__ == "__main__":
    main()
