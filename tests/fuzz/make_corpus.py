#!/usr/bin/env python3
"""Writes the seed corpus of emgmm_fuzz (tests/fuzz/corpus/): a few hand-made cases, each a
valid or nearly valid problem that the fuzzer then mutates.

An input is read by libFuzzer's FuzzedDataProvider, which takes every integer from the *end* of
the data, most significant byte first, with as many bytes as the range needs; a float in a range
is an 8-byte integer scaled to it. This script encodes values in the order fuzz_emgmm.cpp's
consume_case() reads them, then reverses the bytes. Run it from anywhere:
    python3 tests/fuzz/make_corpus.py

Inputs that start with "emgmm-" are saved models (serialization.hpp) for the loader instead:
the saved_* seeds below, written as GaussianMixture::save, BayesianGaussianMixture::save and
KMeans::save write them. Inputs that start with "emgmm-buffer" are statistics sent as
SufficientStatistics::to_buffer() writes them, for from_buffer() and maximization().
"""
import math
import os
import random
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


class Encoder:
    def __init__(self):
        self.stream = bytearray()  # in consumption order

    def int_range(self, lo, hi, value, type_bytes=8):
        assert lo <= value <= hi, (lo, hi, value)
        span, n = hi - lo, 0
        while n < type_bytes and (span >> (8 * n)) > 0:
            n += 1
        self.stream += (value - lo).to_bytes(n, "big") if n else b""

    def u64(self, value):
        self.int_range(0, 2**64 - 1, value)

    def i16(self, value):
        self.int_range(-32768, 32767, value, 2)

    def u8(self, value):
        self.int_range(0, 255, value, 1)

    def boolean(self, value):
        self.u8(1 if value else 0)

    def float_range(self, lo, hi, value):
        # min + (max - min) * (u64 / (2**64 - 1))
        self.u64(round((value - lo) / (hi - lo) * (2**64 - 1)))

    def data(self):
        return bytes(reversed(self.stream))


MAGNITUDES = [1e300, 1e150, 1e38, 3.4e38, 3.5e38, 1e20, 1e-20, 1e-38, 1e-45, 1e-300]


# consume_value(): selector 0..15, then the value.
def value(e, x):
    if x != x:
        e.int_range(0, 15, 11); e.boolean(True)
    elif math.isinf(x):
        e.int_range(0, 15, 11); e.boolean(False); e.boolean(x > 0)
    elif x == int(x) and -4 <= x <= 4:
        e.int_range(0, 15, 0); e.int_range(-4, 4, int(x), 4)
    elif abs(x) in MAGNITUDES:
        e.int_range(0, 15, 9); e.int_range(0, 12, MAGNITUDES.index(abs(x)), 4); e.boolean(x < 0)
    else:
        e.int_range(0, 15, 12); e.float_range(-1e6, 1e6, x)


# consume_matrix(): per row "repeat an earlier row?" (0..7, 0 = yes) unless it is the first.
def matrix(e, rows):
    for i, row in enumerate(rows):
        if i > 0:
            e.int_range(0, 7, 1, 4)
        for x in row:
            value(e, x)


TOL = [1e-3, 0.0, 1e-10, 1e-1, 10.0, 1e300, -1.0, "nan", "inf"]
REG = [1e-6, 0.0, 1e-12, 1e-3, 1.0, 1e10, 1e39, 1e300, -1e-6, "nan", "inf"]


def case(X, query, *, K=3, covariance_type=0, init_params=0, tol=1e-3, reg_covar=1e-6,
         max_iter=8, n_init=1, seed=0, warm_start=False, stop_after=-1, n_sample=10,
         n_clusters=3, kmeans_init=0, kmeans_n_init=1, kmeans_max_iter=8, kmeans_tol=1e-3,
         weights_init=None, means_init=None, precisions_init=None, init_centers=None):
    e = Encoder()
    d = len(X[0]) if X else (len(query[0]) if query else 1)
    e.int_range(1, 6, d, 8)
    e.int_range(0, 200, len(X), 8)
    e.int_range(0, 8, K, 4)
    e.int_range(0, 4, covariance_type, 4)
    e.int_range(0, 4, init_params, 4)
    e.int_range(0, 8, TOL.index(tol), 4)
    e.int_range(0, 10, REG.index(reg_covar), 4)
    e.int_range(-1, 8, max_iter, 4)
    e.int_range(0, 3, n_init, 4)
    e.u64(seed)
    e.int_range(0, 7, 0 if warm_start else 1, 4)
    if stop_after >= 0:
        e.int_range(0, 7, 0, 4); e.int_range(0, 3, stop_after, 4)
    else:
        e.int_range(0, 7, 1, 4)
    e.int_range(-1, 50, n_sample, 8)
    e.int_range(0, 8, n_clusters, 4)
    e.int_range(0, 2, kmeans_init, 4)
    e.int_range(-1, 3, kmeans_n_init, 4)
    e.int_range(0, 8, kmeans_max_iter, 4)
    e.int_range(0, 8, TOL.index(kmeans_tol), 4)
    e.u64(seed + 1)
    flags = ((1 if weights_init else 0) | (4 if means_init else 0) | (8 if precisions_init else 0)
             | (16 if init_centers else 0))
    e.u8(flags)
    if weights_init:  # integer weights 1..16, normalized by the fuzzer
        for w in weights_init:
            e.int_range(0, 15, w - 1, 4)
    if means_init:
        matrix(e, means_init)
    if precisions_init:  # the "valid" branch: diagonal exponents for diag/spherical only here
        e.int_range(0, 3, 1, 4)
        for row in precisions_init:
            for exponent in row:
                e.int_range(-60, 60, exponent, 4)
    if init_centers:
        matrix(e, init_centers)
    e.int_range(0, 15, 1, 4)  # the query has the data's width
    e.int_range(0, 20, len(query), 8)
    matrix(e, X)
    matrix(e, query)
    return e.data()


def blobs(rng, n, centers, scale=1.0):
    return [[c + rng.gauss(0, scale) for c in centers[i % len(centers)]] for i in range(n)]


def cholesky_precision(c):
    """The upper-triangular P with P P^T = inverse(C) of a 2 x 2 SPD C, as fit() computes it:
    the transposed inverse of C's lower Cholesky factor."""
    l11 = math.sqrt(c[0][0])
    l21 = c[1][0] / l11
    l22 = math.sqrt(c[1][1] - l21 * l21)
    return [[1 / l11, -l21 / (l11 * l22)], [0.0, 1 / l22]]


def number(x):
    if math.isinf(x):
        return "-inf" if x < 0 else "inf"
    return repr(float(x)) if x != int(x) else str(int(x))


def saved_mixture(scalar, covariance_type, weights, means, covariances, factors, n_iter=3,
                  lower_bound=-2.5, random_state="42"):
    lines = ["emgmm-gaussian-mixture 1", "scalar " + scalar, "covariance_type " + covariance_type,
             f"n_components {len(weights)}", f"n_features {len(means[0])}", "tol 0.001",
             "reg_covar 1e-06", "max_iter 100", "n_init 1", "init_params kmeans",
             "random_state " + random_state, "warm_start false", "verbose 0",
             "verbose_interval 10", "reseed_collapsed_components false", "learning_decay 0.7",
             "learning_offset 1", "converged true", f"n_iter {n_iter}",
             "lower_bound " + number(lower_bound),
             "weights " + " ".join(number(w) for w in weights)]
    for name, rows in (("means", means), ("covariances", covariances), ("precisions_cholesky", factors)):
        lines.append(f"{name} {len(rows)} {len(rows[0])}")
        lines += [" ".join(number(x) for x in row) for row in rows]
    lines.append("end")
    return ("\n".join(lines) + "\n").encode()


def saved_bayesian_mixture(covariance_type, concentration, means, covariances, factors, prior_covariance):
    """A BayesianGaussianMixture<double> with the Dirichlet-process prior, as save() writes it."""
    k, d = len(means), len(means[0])
    lines = ["emgmm-bayesian-gaussian-mixture 1", "scalar double", "covariance_type " + covariance_type,
             f"n_components {k}", f"n_features {d}", "tol 0.001", "reg_covar 1e-06", "max_iter 100",
             "n_init 1", "init_params kmeans", "random_state 3", "warm_start false", "verbose 0",
             "verbose_interval 10", "weight_concentration_prior_type dirichlet_process",
             "weight_concentration_prior 0.01", "mean_precision_prior none", "mean_prior 0 0",
             "degrees_of_freedom_prior none", "covariance_prior 0 0", "converged true", "n_iter 7",
             "lower_bound -123.5", "weight_concentration_prior_ 0.01", "mean_precision_prior_ 1",
             "mean_prior_ 1 2", "2 -0.5", "degrees_of_freedom_prior_ 2"]
    for name, rows in (("covariance_prior_", prior_covariance), ("weight_concentration", concentration)):
        lines.append(f"{name} {len(rows)} {len(rows[0])}")
        lines += [" ".join(number(x) for x in row) for row in rows]
    lines.append("mean_precision " + " ".join(number(r[0] - 1 + 1) for r in concentration))
    lines.append("degrees_of_freedom " + " ".join(number(r[0] - 1 + 2) for r in concentration))
    for name, rows in (("means", means), ("covariances", covariances), ("precisions_cholesky", factors)):
        lines.append(f"{name} {len(rows)} {len(rows[0])}")
        lines += [" ".join(number(x) for x in row) for row in rows]
    lines.append("end")
    return ("\n".join(lines) + "\n").encode()


def saved_seeds():
    correlated = [[2.0, 0.6], [0.6, 1.0]]
    full_factors = [[2, 0], [0, 0.5]] + cholesky_precision(correlated)
    tied = [[1.0, 0.5], [0.5, 2.0]]
    kmeans = "\n".join(["emgmm-kmeans 1", "scalar double", "n_clusters 2", "n_features 2", "init k-means++",
                        "n_init 1", "max_iter 300", "tol 0.0001", "random_state 7", "verbose 0",
                        "inertia 12.5", "n_iter 2", "cluster_centers 2 2", "-1 0.5", "3 2.25", "labels 6",
                        "0 0 1 1 0 1", "end"]) + "\n"
    return {
        "saved_gmm_full_double": saved_mixture("double", "full", [0.25, 0.75], [[0, 1], [4, -2]],
                                               [[0.25, 0], [0, 4]] + correlated, full_factors),
        "saved_gmm_tied_double": saved_mixture("double", "tied", [0.5, 0.25, 0.25],
                                               [[0, 0], [5, 5], [-5, 5]], tied, cholesky_precision(tied)),
        "saved_gmm_diag_float": saved_mixture("float", "diag", [0.5, 0.5], [[1.5, -1], [-3, 2]],
                                              [[0.25, 4], [1, 0.0625]], [[2, 0.5], [1, 4]],
                                              random_state="none"),
        # max_iter = 0 (n_iter 0): lower_bound -inf and weights of a k-means++ start (2 / 40).
        "saved_gmm_spherical_3d_max_iter_0": saved_mixture(
            "double", "spherical", [0.025, 0.025], [[0, 0, 0], [1, 2, 3]], [[0.25], [4]], [[2], [0.5]],
            n_iter=0, lower_bound=float("-inf")),
        "saved_kmeans_double": kmeans.encode(),
        "saved_bgm_full_double": saved_bayesian_mixture(
            "full", [[31, 10.01], [11, 0.01]], [[0, 1], [4, -2]], [[0.25, 0], [0, 4]] + correlated,
            full_factors, tied),
    }


def statistics_buffer(values):
    """An input for the statistics reader: "emgmm-buffer", then doubles (little-endian, as
    SufficientStatistics::to_buffer() holds them in memory on x86-64)."""
    return b"emgmm-buffer" + struct.pack("<%dd" % len(values), *values)


def statistics_seeds():
    # Full, K = 2, D = 2: header, resp_sum, resp_diff_sum, reference, scatter (column by column).
    valid = [0, 2, 2, -3.5, 10.0, 4.0, 6.0, 0.1, -0.2, 0.3, 0.1, 0.0, 5.0, 0.0, 5.0,
             4.0, 1.0, 6.0, 0.5, 1.0, 2.0, 0.5, 3.0]
    return {
        "statistics_buffer_full": statistics_buffer(valid),
        # Counts each allowed but whose size products overflow a 64-bit integer (issue 13).
        "statistics_buffer_overflowing_header": statistics_buffer([0, 1e9, 1e9, 0, 1] + [0.0] * 8),
        # Diag, K = 1, D = 1, with sums near the largest double.
        "statistics_buffer_extreme": statistics_buffer([2, 1, 1, -1.0, 1.0, 1e-300, 1e300, 0.0, 1e308]),
    }


def main():
    rng = random.Random(1)
    out = os.path.join(HERE, "corpus")
    os.makedirs(out, exist_ok=True)
    three = [[0, 0], [8, 0], [4, 6]]
    seeds = {
        # The README's problem: three blobs in 2-D (fixed Dim = 2 runs too), every method.
        "blobs_2d_full": case(blobs(rng, 60, three), blobs(rng, 8, three)),
        "blobs_2d_tied_kmeanspp": case(blobs(rng, 45, three), blobs(rng, 5, three),
                                       covariance_type=1, init_params=1, n_init=2),
        "blobs_3d_diag_random": case(blobs(rng, 40, [[0, 0, 0], [5, 5, 5]]), blobs(rng, 4, [[1, 1, 1]]),
                                     K=2, covariance_type=2, init_params=2, n_clusters=2),
        "blobs_1d_spherical_from_data": case(blobs(rng, 30, [[-3], [3]]), [[0], [10]],
                                             K=2, covariance_type=3, init_params=3, n_clusters=2),
        # Duplicates: every point one of two values (collapsing covariances, reg_covar = 0).
        "duplicates_reg0": case([[1, 1], [1, 1], [2, 2]] * 8, [[1, 1]], reg_covar=0.0, K=2, n_clusters=2),
        # Given starting parameters and KMeans centers.
        "init_parameters": case(blobs(rng, 30, [[0, 0], [6, 6]]), [[3, 3]], K=2, covariance_type=2,
                                weights_init=[1, 3], means_init=[[0, 0], [6, 6]],
                                precisions_init=[[0, 0], [1, -1]], n_clusters=2,
                                init_centers=[[0, 0], [6, 6]]),
        # NaN and infinity in the query only (fit succeeds, queries are rejected).
        "nan_inf_query": case(blobs(rng, 20, three), [[0, float("nan")], [float("inf"), 0]]),
        # Magnitudes at the edge of float: the float model must reject or cope.
        "huge_values": case([[1e38, -1e38], [3.4e38, 1e20], [1e-38, 1e-45], [1e300, 1]] * 3,
                            [[1e150, 0]], K=2, n_clusters=2),
        # warm_start, a callback that stops early, max_iter = 0, many features.
        "warm_start_callback": case(blobs(rng, 50, [[0] * 6, [4] * 6]), blobs(rng, 3, [[2] * 6]),
                                    K=2, warm_start=True, stop_after=1, n_clusters=4, kmeans_n_init=0),
        "max_iter_0": case(blobs(rng, 25, three), [], max_iter=0, tol=0.0, n_init=3,
                           kmeans_init=1, kmeans_n_init=3),
        # Fewer points than components, and no points at all.
        "too_few_points": case([[1, 2], [3, 4]], [[0, 0]], K=5, n_clusters=5),
        "empty": case([], [[0]]),
    }
    seeds.update(saved_seeds())
    seeds.update(statistics_seeds())
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print(f"wrote {len(seeds)} files to {out}")


if __name__ == "__main__":
    main()
