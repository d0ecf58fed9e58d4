"""scikit-learn's own estimator checks (sklearn.utils.estimator_checks, what check_estimator
runs), one pytest test per check. The only check marked to fail is the one scikit-learn itself
marks for KMeans (its _more_tags), see python/README.md. GaussianMixture runs them twice: with
sklearn's defaults, and as one of mclust's models with mclust's EM options."""

from sklearn.utils.estimator_checks import parametrize_with_checks

import emgmm


@parametrize_with_checks(
    [
        emgmm.GaussianMixture(),
        emgmm.GaussianMixture(model_name="VEV", **emgmm.mclust_em_options()),
        emgmm.BayesianGaussianMixture(),
        emgmm.KMeans(n_init="auto"),
    ]
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
