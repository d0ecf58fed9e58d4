"""Data shared by the tests: computed in the test run (sklearn's datasets), never stored."""

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_blobs


@pytest.fixture(scope="session")
def iris():
    return load_iris().data.astype(np.float64)


@pytest.fixture(scope="session")
def blobs():
    X, _ = make_blobs(n_samples=600, centers=3, n_features=2, random_state=170)
    return X
