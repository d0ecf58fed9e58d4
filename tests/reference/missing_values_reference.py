#!/usr/bin/python3
"""Reference results for EM with missing entries (tests/test_missing_values.cpp, issue 18).

How to run (from the repository root; deterministic, rewrites every missing_*.txt here):

    /usr/bin/python3 tests/reference/missing_values_reference.py

scikit-learn has no EM for incomplete data, so this is an independent implementation in plain
NumPy, written from the formulas (Ghahramani & Jordan 1994; Little & Rubin 2002, ch. 11) one
point and one component at a time: no grouping by missingness pattern, no blocking, no shifted
sums. For a point with observed coordinates o and missing m, and component k (mean mu,
covariance S):
    log p(x_o | k)    = log N(x_o; mu_o, S_oo)                (Cholesky factor of S_oo)
    E[x_m | x_o, k]   = mu_m + S_mo S_oo^-1 (x_o - mu_o)
    Cov[x_m | x_o, k] = S_mm - S_mo S_oo^-1 S_om
E-step: r_ik proportional to w_k p(x_o | k); the observed-data log-likelihood sum_i s_i log
sum_k w_k p(x_o | k) (s_i the sample weight). M-step, scikit-learn's (nk with its 10 eps):
    nk = sum_i s_i r_ik + 10 eps,   weights = nk / sum nk,   mu_k = sum_i s_i r_ik x^_ik / nk
    full      S_k = sum_i s_i r_ik ((x^_ik - mu_k)(x^_ik - mu_k)^T + Cov_ik) / nk + reg_covar I
    tied      S   = sum_k sum_i (same) / sum_k nk + reg_covar I
    diag      S_k = diagonal of the full sum / nk + reg_covar;  spherical: its mean
where x^_ik is x_i with its missing entries replaced by E[x_m | x_o, k] and Cov_ik is the
conditional covariance placed on the (m, m) block. A point with every entry missing carries no
information and takes no part (emgmm's documented choice); the lower bound is the
log-likelihood per unit weight of the other points.

Data sets (np.random.RandomState(18), 150 x 4, K = 3 Gaussian blobs, rounded to 4 decimals):
  mcar05, mcar20, mcar50   each entry missing independently with probability 5%, 20%, 50%
                           (mcar50 has rows with every entry missing)
  structured               rows 0-39 miss features 0 and 1, rows 40-79 miss feature 3,
                           rows 80-89 miss features 1, 2, 3, the rest are complete
  mcar20w                  mcar20 with integer sample weights in {0, 1, 2, 3}
Every case starts from a given start (weights_init, means_init, precisions_init, from the
true blobs perturbed) and runs max_iter = 20 iterations with tol = 0. Files
missing_<data>_<covariance_type>.txt hold the data (X with its holes filled by 0, and
missing_mask, 1 where missing), the start, lower_bounds (every iteration's), the fitted
weights, means, covariances (emgmm's storage), and under the fitted model score_samples,
predict_proba and impute of X. Format as reference_data.hpp reads it.
"""

import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
EPS = np.finfo(np.float64).eps
REG_COVAR = 1e-6
MAX_ITER = 20
TYPES = ("full", "tied", "diag", "spherical")


def make_blobs():
    rng = np.random.RandomState(18)
    n, d, k = 150, 4, 3
    centers = rng.uniform(-4.0, 4.0, size=(k, d))
    shapes = [np.eye(d) * 0.8 + rng.normal(scale=0.3, size=(d, d)) for _ in range(k)]
    labels = np.arange(n) % k
    X = np.array([centers[labels[i]] + rng.normal(size=d) @ shapes[labels[i]] for i in range(n)])
    return np.round(X, 4), centers, rng


def mcar(rng, shape, p):
    return rng.uniform(size=shape) < p


def start(rng, centers, d, kind):
    k = centers.shape[0]
    weights = rng.uniform(0.8, 1.2, size=k)
    weights /= weights.sum()
    means = np.round(centers + rng.normal(scale=0.3, size=centers.shape), 4)
    covs = []
    for _ in range(k):
        b = np.eye(d) + rng.normal(scale=0.1, size=(d, d))
        covs.append(b @ (0.9 * np.eye(d)) @ b.T)
    covs = np.array(covs)
    if kind == "full":
        prec = np.vstack([np.linalg.inv(c) for c in covs])
    elif kind == "tied":
        prec = np.linalg.inv(covs.mean(axis=0))
    elif kind == "diag":
        prec = np.array([1.0 / np.diag(c) for c in covs])
    else:
        prec = np.array([[1.0 / np.mean(np.diag(c))] for c in covs])
    return weights, means, prec


def covariances_from_precisions(prec, kind, k, d):
    """Every component's full D x D covariance."""
    if kind == "full":
        return [np.linalg.inv(prec[j * d:(j + 1) * d]) for j in range(k)]
    if kind == "tied":
        c = np.linalg.inv(prec)
        return [c for _ in range(k)]
    if kind == "diag":
        return [np.diag(1.0 / prec[j]) for j in range(k)]
    return [np.eye(d) / prec[j, 0] for j in range(k)]


def storage(covs, kind):
    if kind == "full":
        return np.vstack(covs)
    if kind == "tied":
        return covs[0]
    if kind == "diag":
        return np.array([np.diag(c) for c in covs])
    return np.array([[c[0, 0]] for c in covs])


def point_terms(x, miss, weights, means, covs):
    """For one point: log w_k p(x_o | k), conditional means (full vectors) and covariances."""
    obs = ~miss
    k = len(weights)
    d = x.shape[0]
    log_terms = np.empty(k)
    completed = np.empty((k, d))
    cond_covs = []
    for j in range(k):
        S = covs[j]
        mu = means[j]
        S_oo = S[np.ix_(obs, obs)]
        L = np.linalg.cholesky(S_oo)
        diff = x[obs] - mu[obs]
        z = np.linalg.solve(L, diff)
        n_o = obs.sum()
        log_terms[j] = (np.log(weights[j]) - 0.5 * n_o * np.log(2 * np.pi)
                        - np.sum(np.log(np.diag(L))) - 0.5 * z @ z)
        xhat = x.copy()
        C = np.zeros((d, d))
        if miss.any():
            S_mo = S[np.ix_(miss, obs)]
            gain = np.linalg.solve(S_oo, S_mo.T).T  # S_mo S_oo^-1
            xhat[miss] = mu[miss] + gain @ diff
            C[np.ix_(miss, miss)] = S[np.ix_(miss, miss)] - gain @ S_mo.T
        completed[j] = xhat
        cond_covs.append(C)
    return log_terms, completed, cond_covs


def logsumexp(v):
    top = np.max(v)
    return top + np.log(np.sum(np.exp(v - top)))


def e_step(X, mask, sw, weights, means, covs):
    n = X.shape[0]
    k = len(weights)
    total, n_eff = 0.0, 0.0
    resp = np.zeros((n, k))
    completed, cond = [], []
    score = np.zeros(n)
    for i in range(n):
        if mask[i].all():
            resp[i] = weights
            completed.append(None)
            cond.append(None)
            continue
        log_terms, xh, C = point_terms(X[i], mask[i], weights, means, covs)
        lse = logsumexp(log_terms)
        resp[i] = np.exp(log_terms - lse)
        score[i] = lse
        total += sw[i] * lse
        n_eff += sw[i]
        completed.append(xh)
        cond.append(C)
    return total / n_eff, resp, completed, cond, score


def m_step(mask, sw, resp, completed, cond, kind):
    n, k = resp.shape
    d = mask.shape[1]
    nk = np.full(k, 10 * EPS)
    sums = np.zeros((k, d))
    for i in range(n):
        if completed[i] is None:
            continue
        for j in range(k):
            nk[j] += sw[i] * resp[i, j]
            sums[j] += sw[i] * resp[i, j] * completed[i][j]
    means = sums / nk[:, None]
    scatter = np.zeros((k, d, d))
    for i in range(n):
        if completed[i] is None:
            continue
        for j in range(k):
            diff = completed[i][j] - means[j]
            scatter[j] += sw[i] * resp[i, j] * (np.outer(diff, diff) + cond[i][j])
    if kind == "full":
        covs = [scatter[j] / nk[j] + REG_COVAR * np.eye(d) for j in range(k)]
    elif kind == "tied":
        c = scatter.sum(axis=0) / nk.sum() + REG_COVAR * np.eye(d)
        covs = [c for _ in range(k)]
    elif kind == "diag":
        covs = [np.diag(np.diag(scatter[j]) / nk[j] + REG_COVAR) for j in range(k)]
    else:
        covs = [np.eye(d) * (np.mean(np.diag(scatter[j]) / nk[j] + REG_COVAR)) for j in range(k)]
    return nk / nk.sum(), means, covs


def impute(X, mask, weights, means, covs):
    out = X.copy()
    for i in range(X.shape[0]):
        if not mask[i].any():
            continue
        if mask[i].all():
            out[i] = weights @ means
            continue
        log_terms, xh, _ = point_terms(X[i], mask[i], weights, means, covs)
        r = np.exp(log_terms - logsumexp(log_terms))
        out[i] = r @ xh
    return out


def fmt(value):
    return repr(float(value))


def write(path, entries):
    with open(path, "w") as f:
        f.write("# written by tests/reference/missing_values_reference.py (NumPy %s)\n"
                % np.__version__)
        for name, value in entries:
            m = np.asarray(value, dtype=float)
            m = m.reshape(-1, 1) if m.ndim == 1 else np.atleast_2d(m)  # vectors as columns
            f.write("%s %d %d\n" % (name, m.shape[0], m.shape[1]))
            for row in m:
                f.write(" ".join(fmt(v) for v in row) + "\n")


def main():
    X, centers, rng = make_blobs()
    n, d = X.shape
    k = centers.shape[0]
    structured = np.zeros((n, d), dtype=bool)
    structured[0:40, [0, 1]] = True
    structured[40:80, 3] = True
    structured[80:90, 1:4] = True
    mask20 = mcar(rng, (n, d), 0.20)
    datasets = [
        ("mcar05", mcar(rng, (n, d), 0.05), np.ones(n)),
        ("mcar20", mask20, np.ones(n)),
        ("mcar50", mcar(rng, (n, d), 0.50), np.ones(n)),
        ("structured", structured, np.ones(n)),
        ("mcar20w", mask20, rng.randint(0, 4, size=n).astype(float)),
    ]
    starts = {kind: start(rng, centers, d, kind) for kind in TYPES}
    for name, mask, sw in datasets:
        Xh = np.where(mask, 0.0, X)
        for kind in TYPES:
            weights0, means0, prec0 = starts[kind]
            weights, means = weights0.copy(), means0.copy()
            covs = covariances_from_precisions(prec0, kind, k, d)
            bounds = []
            for _ in range(MAX_ITER):
                bound, resp, completed, cond, _ = e_step(Xh, mask, sw, weights, means, covs)
                bounds.append(bound)
                weights, means, covs = m_step(mask, sw, resp, completed, cond, kind)
            _, proba, _, _, score = e_step(Xh, mask, sw, weights, means, covs)
            write(os.path.join(HERE, "missing_%s_%s.txt" % (name, kind)), [
                ("X", Xh), ("missing_mask", mask.astype(float)), ("sample_weight", sw),
                ("weights_init", weights0), ("means_init", means0),
                ("precisions_init", prec0), ("max_iter", MAX_ITER),
                ("lower_bounds", np.array(bounds)), ("weights", weights),
                ("means", means), ("covariances", storage(covs, kind)),
                ("score_samples", score), ("predict_proba", proba),
                ("impute", impute(Xh, mask, weights, means, covs)),
            ])
            print("missing_%s_%s.txt: %d missing entries, %d empty rows, lower bound %.6f"
                  % (name, kind, mask.sum(), mask.all(axis=1).sum(), bounds[-1]))


if __name__ == "__main__":
    main()
