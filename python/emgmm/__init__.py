"""emgmm: scikit-learn's GaussianMixture, BayesianGaussianMixture and KMeans, computed by the
emgmm C++ library (same results from the same start, faster, with OpenMP threads).

Change one import::

    from emgmm import GaussianMixture, KMeans

The classes are scikit-learn estimators (sklearn.base.BaseEstimator): the same parameters,
defaults, methods, fitted attributes and errors as scikit-learn 1.2, plus sample_weight and
GaussianMixture.partial_fit; and R's mclust: GaussianMixture(model_name="VEV", ...),
select_mclust_model(X), hierarchical_partition(X, n_groups). See python/README.md for what
differs.
"""

from ._core import __version__
from ._kmeans import KMeans
from ._mclust import (
    MODEL_NAMES,
    MclustSelection,
    hierarchical_merges,
    hierarchical_partition,
    mclust_em_options,
    select_mclust_model,
)
from ._mixture import BayesianGaussianMixture, GaussianMixture

__all__ = [
    "BayesianGaussianMixture",
    "GaussianMixture",
    "KMeans",
    "MODEL_NAMES",
    "MclustSelection",
    "__version__",
    "hierarchical_merges",
    "hierarchical_partition",
    "mclust_em_options",
    "select_mclust_model",
]
