"""What the three estimators share: input conversion for the compiled core, random_state to a
seed, and pickling through the library's versioned text format."""

import numbers

import numpy as np
from sklearn.utils import check_random_state

# The core's classes by dtype name; each Python estimator picks its two.
_DTYPES = ("float64", "float32")


def seed_from(random_state):
    """The library's seed for sklearn's random_state: an int is used as it is (so that
    random_state=0 gives the C++ library's random_state = 0), a RandomState instance or None
    (numpy's global RandomState) gives a draw from it, so that it advances as sklearn's does."""
    rng = check_random_state(random_state)  # raises ValueError for what sklearn rejects
    if isinstance(random_state, numbers.Integral):
        return int(random_state)
    return int(rng.randint(np.iinfo(np.int32).max))


def as_core_input(X, dtype=None):
    """X as the core reads it in place: a 2-D array of the model's dtype, C- or F-contiguous.
    Only a non-contiguous view or another dtype is copied."""
    if dtype is not None and X.dtype != dtype:
        X = X.astype(dtype)
    if not (X.flags.c_contiguous or X.flags.f_contiguous):
        X = np.ascontiguousarray(X)
    return X


class CorePickleMixin:
    """Pickles the compiled model (self._core) as the library's versioned text (save/load), and
    every other attribute as usual."""

    def __getstate__(self):
        # A copy: on Python >= 3.11 object.__getstate__ returns the instance's own __dict__.
        state = dict(super().__getstate__())
        core = state.pop("_core", None)
        if core is not None:
            state["_core_text"] = core.save()
        return state

    def __setstate__(self, state):
        state = dict(state)
        text = state.pop("_core_text", None)
        if text is not None:
            state["_core"] = self._core_classes[state["_core_dtype"]].load(text)
        super().__setstate__(state)
