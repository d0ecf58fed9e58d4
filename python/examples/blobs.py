"""KMeans versus a Gaussian mixture on three blobs of very different spread: scikit-learn's
"Demonstration of k-means assumptions" (unevenly spread blobs) with emgmm's estimators, the one
changed line being the import.

    python3 python/examples/blobs.py [output.png]      (default: blobs.png)

Writes a three-panel figure (the true blobs, KMeans, GaussianMixture) and prints the adjusted
Rand index of both clusterings; exits with 1 if the mixture's is below 0.95.
"""

import sys

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from emgmm import GaussianMixture, KMeans


def main(path="blobs.png"):
    X, y = make_blobs(n_samples=1500, cluster_std=[1.0, 2.5, 0.5], random_state=170)
    kmeans_labels = KMeans(n_clusters=3, n_init="auto", random_state=170).fit_predict(X)
    gmm_labels = GaussianMixture(n_components=3, random_state=170).fit_predict(X)

    fig, axes = plt.subplots(1, 3, figsize=(15, 5))
    panels = [
        ("True blobs", y),
        (f"KMeans (ARI {adjusted_rand_score(y, kmeans_labels):.2f})", kmeans_labels),
        (f"GaussianMixture (ARI {adjusted_rand_score(y, gmm_labels):.2f})", gmm_labels),
    ]
    for ax, (title, labels) in zip(axes, panels):
        ax.scatter(X[:, 0], X[:, 1], c=labels, s=5)
        ax.set_title(title)
    fig.suptitle("Unevenly spread blobs: emgmm's KMeans and GaussianMixture")
    fig.savefig(path, dpi=80)

    ari = adjusted_rand_score(y, gmm_labels)
    print(f"KMeans ARI {adjusted_rand_score(y, kmeans_labels):.3f}, "
          f"GaussianMixture ARI {ari:.3f}; wrote {path}")
    return 0 if ari >= 0.95 else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
