"""emgmm: scikit-learn's GaussianMixture, BayesianGaussianMixture and KMeans, computed by the
emgmm C++ library (same results from the same start, faster, with OpenMP threads).

Change one import::

    from emgmm import GaussianMixture, KMeans

The classes are scikit-learn estimators (sklearn.base.BaseEstimator): the same parameters,
defaults, methods, fitted attributes and errors as scikit-learn 1.2, plus sample_weight and
GaussianMixture.partial_fit. See python/README.md for what differs.
"""

from ._core import __version__
from ._kmeans import KMeans
from ._mixture import BayesianGaussianMixture, GaussianMixture

__all__ = ["BayesianGaussianMixture", "GaussianMixture", "KMeans", "__version__"]
