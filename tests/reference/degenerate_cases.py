#!/usr/bin/python3
"""What scikit-learn does with degenerate data and extreme scales: the reference for the answers
that tests/test_degenerate_data.cpp and tests/test_scale_extremes.cpp assert for emgmm.

How to run (from the repository root; deterministic, writes nothing):

    /usr/bin/python3 tests/reference/degenerate_cases.py

Run with scikit-learn 1.2.1 (Debian 12's python3-sklearn). For every case and covariance type,
float64 and float32, it prints "fits" (with the weights and the largest |covariance|) or
"raises" (with the exception's first words), and the same for KMeans. The data mirror the C++
tests' (same shapes and scales; the C++ tests use their own seeded noise).
"""
import warnings

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from sklearn.mixture import GaussianMixture

TYPES = ["full", "tied", "diag", "spherical"]


def gm(name, X, K, dtypes=(np.float64, np.float32), **kw):
    for ct in TYPES:
        for dt in dtypes:
            try:
                g = GaussianMixture(K, covariance_type=ct, random_state=0, **kw).fit(X.astype(dt))
                print(f"{name:34s} {ct:9s} {dt.__name__:7s} fits   weights {np.round(g.weights_, 4)}"
                      f" max|cov| {np.abs(g.covariances_).max():.3g}")
            except Exception as e:  # noqa: BLE001 -- the outcome is what we record
                print(f"{name:34s} {ct:9s} {dt.__name__:7s} raises {type(e).__name__}: {str(e)[:60]}")


def km(name, X, K, dtypes=(np.float64, np.float32), **kw):
    for dt in dtypes:
        try:
            k = KMeans(K, n_init=10, random_state=0, **kw).fit(X.astype(dt))
            print(f"{name:34s} {'kmeans':9s} {dt.__name__:7s} fits   inertia {k.inertia_:.3g}"
                  f" counts {np.bincount(k.labels_, minlength=K)}")
        except Exception as e:  # noqa: BLE001
            print(f"{name:34s} {'kmeans':9s} {dt.__name__:7s} raises {type(e).__name__}: {str(e)[:60]}")


def two_circles(per_circle, extra=0):
    t = 2 * np.pi * np.arange(per_circle) / per_circle
    X = np.zeros((2 * per_circle + extra, 2))
    X[:per_circle] = np.c_[np.cos(t), np.sin(t)]
    X[per_circle:2 * per_circle] = np.c_[10 + np.cos(t), np.sin(t)]
    return X


def main():
    warnings.simplefilter("ignore")  # ConvergenceWarning on the degenerate fits
    print("scikit-learn", sklearn.__version__)

    print("\n# degenerate data (tests/test_degenerate_data.cpp)")
    same = np.tile([3.0, -2.0], (20, 1))
    gm("all identical, K=1", same, 1)
    gm("all identical, K=3", same, 3)
    km("all identical, K=3", same, 3)
    dup = np.repeat([[0.0, 0.0], [5.0, 5.0], [0.0, 5.0]], 30, axis=0)
    gm("3 points x 30 copies, K=3", dup, 3)
    km("3 points x 30 copies, K=3", dup, 3)
    gm("3 points x 30 copies, K=4", dup, 4)
    gm("3 points x 30 copies, K=6", dup, 6)
    km("3 points x 30 copies, K=4", dup, 4)
    i = np.arange(60)
    const = np.c_[np.where(i < 30, 0.0, 8.0) + np.sin(1.3 * i), np.full(60, 7.0)]
    gm("constant feature, K=2", const, 2)
    km("constant feature, K=2", const, 2)
    four = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [5.0, 5.0]])
    gm("n_samples == n_components = 4", four, 4)
    km("n_samples == n_clusters = 4", four, 4)
    circles = two_circles(20)
    far = np.array([[0.0, 0.0], [10.0, 0.0], [100.0, 100.0]])
    gm("component 2 loses every point", circles, 3, means_init=far)
    gm("... with reg_covar = 0", circles, 3, means_init=far, reg_covar=0.0)
    km("cluster 2 loses every point", circles, 3, init=far)

    print("\n# scale extremes (tests/test_scale_extremes.cpp)")
    r = np.random.RandomState(0)
    groups = np.r_[r.randn(100, 2), r.randn(100, 2) + 6]
    gm("around 1e150", groups * 1e150, 2, dtypes=(np.float64,))
    km("around 1e150", groups * 1e150, 2, dtypes=(np.float64,))
    gm("around 1e-150", groups * 1e-150, 2, dtypes=(np.float64,))
    gm("around 1e-150, reg_covar 1e-306", groups * 1e-150, 2, dtypes=(np.float64,), reg_covar=1e-306)
    km("around 1e-150", groups * 1e-150, 2, dtypes=(np.float64,))
    gm("1e9 + unit noise", groups + 1e9, 2)
    km("1e9 + unit noise", groups + 1e9, 2)
    mixed = groups * [1e-6, 1e6]
    gm("features at 1e-6 and 1e6", mixed, 2)
    km("features at 1e-6 and 1e6", mixed, 2)
    counts = np.r_[r.poisson(3, (100, 2)), r.poisson(20, (100, 2))].astype(float)
    gm("integer counts", counts, 2)
    km("integer counts", counts, 2)
    outlier = np.r_[groups, [[1e6, 1e6]]]
    gm("one outlier 1e6 away, K=2", outlier, 2)
    gm("one outlier 1e6 away, K=3", outlier, 3)
    km("one outlier 1e6 away, K=2", outlier, 2)


if __name__ == "__main__":
    main()
