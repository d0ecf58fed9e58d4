"""Times emgmm against scikit-learn on the workloads of tests/benchmarks (W1-W4), both fitting
from the same start for the same number of EM iterations, and prints the ratio.

    python3 python/benchmarks/bench_vs_sklearn.py [--scale 0.1] [--threads N] [--repeat 3]

  W1  N = 100000,  D = 2,  K = 3,  full, 20 iterations  three blobs (make_blobs, random_state=170)
  W2  N = 200000,  D = 16, K = 16, full, 20 iterations  random mixture
  W3  N = 100000,  D = 64, K = 8,  full, 5 iterations   random mixture
  W4  N = 1000000, D = 32, K = 32, diag, 10 iterations  random mixture, axis-aligned covariances

The sizes, types and iteration counts are those of tests/benchmarks/workloads.hpp; the data are
drawn the same way but with numpy's generator, so they are not the C++ benchmark's bit for bit.
--scale multiplies N. The start is a k-means start (sklearn's init_params="kmeans" with
max_iter=0, fitted on at most 20000 evenly strided points) given to both as weights_init,
means_init and precisions_init; tol=0, so both run exactly the given iterations (each says
ConvergenceWarning, silenced here). Times are the best of --repeat fits. --threads limits the
OpenMP threads of both (threadpoolctl); sklearn's mixtures use BLAS threads only.
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.datasets import make_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture as SkGaussianMixture
from threadpoolctl import threadpool_limits

import emgmm

WORKLOADS = [
    ("W1", 100_000, 2, 3, "full", 20, 170),
    ("W2", 200_000, 16, 16, "full", 20, 1002),
    ("W3", 100_000, 64, 8, "full", 5, 1003),
    ("W4", 1_000_000, 32, 32, "diag", 10, 1004),
]


def random_mixture(n, d, k, covariance_type, seed):
    """k equally weighted Gaussians, point i from component i mod k (workloads.hpp's recipe)."""
    rng = np.random.RandomState(seed)
    means = 4.0 * np.sqrt(1.125) / np.sqrt(2.0 * d) * rng.standard_normal((k, d))
    X = rng.standard_normal((n, d))
    for j in range(k):
        root_lambda = np.sqrt(0.25 + 1.75 * rng.uniform(size=d))
        if covariance_type == "diag":
            factor = np.diag(root_lambda)
        else:
            q, _ = np.linalg.qr(rng.standard_normal((d, d)))
            factor = q * root_lambda
        X[j::k] = means[j] + X[j::k] @ factor.T
    return X


def make_data(name, n, d, k, covariance_type, seed):
    if name == "W1":
        X, _ = make_blobs(n_samples=n, cluster_std=[1.0, 2.5, 0.5], random_state=seed)
        return X
    return random_mixture(n, d, k, covariance_type, seed)


def kmeans_start(X, k, covariance_type, seed):
    stride = max(1, X.shape[0] // 20_000)
    start = SkGaussianMixture(k, covariance_type=covariance_type, max_iter=0, random_state=seed)
    start.fit(X[::stride])
    return dict(weights_init=start.weights_, means_init=start.means_,
                precisions_init=start.precisions_)


def best_time(make, X, repeat):
    best, model = np.inf, None
    for _ in range(repeat):
        model = make()
        t0 = time.perf_counter()
        model.fit(X)
        best = min(best, time.perf_counter() - t0)
    return best, model


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every N by this")
    parser.add_argument("--threads", type=int, default=None, help="OpenMP threads (default: all)")
    parser.add_argument("--repeat", type=int, default=3, help="fits per library; the best counts")
    parser.add_argument("--only", nargs="*", default=None, help="workloads to run, e.g. W1 W3")
    args = parser.parse_args()

    print(f"emgmm {emgmm.__version__}, scale {args.scale}, threads {args.threads or 'all'}, "
          f"best of {args.repeat}")
    header = (f"{'workload':8} {'N':>8} {'D':>3} {'K':>3} {'type':5} {'iter':>4} "
              f"{'sklearn s':>10} {'emgmm s':>9} {'ratio':>6} {'max rel diff':>12}")
    print(header)
    print("-" * len(header))
    with warnings.catch_warnings(), threadpool_limits(limits=args.threads):
        warnings.simplefilter("ignore", ConvergenceWarning)
        for name, n, d, k, covariance_type, iters, seed in WORKLOADS:
            if args.only and name not in args.only:
                continue
            n = max(int(n * args.scale), 10 * k)
            X = make_data(name, n, d, k, covariance_type, seed)
            params = dict(n_components=k, covariance_type=covariance_type, max_iter=iters, tol=0,
                          **kmeans_start(X, k, covariance_type, seed))
            t_sk, sk = best_time(lambda: SkGaussianMixture(**params), X, args.repeat)
            t_em, em = best_time(lambda: emgmm.GaussianMixture(**params), X, args.repeat)
            assert sk.n_iter_ == em.n_iter_ == iters
            diff = max(np.max(np.abs(em.means_ - sk.means_) / np.maximum(np.abs(sk.means_), 1e-12)),
                       abs(em.lower_bound_ - sk.lower_bound_) / abs(sk.lower_bound_))
            print(f"{name:8} {n:8d} {d:3d} {k:3d} {covariance_type:5} {iters:4d} "
                  f"{t_sk:10.3f} {t_em:9.3f} {t_sk / t_em:5.1f}x {diff:12.1e}")


if __name__ == "__main__":
    main()
