"""Sets of large integer arrays: their distinct values, and where keys sit in a sorted set.

Since numpy 2.3, ``np.unique`` without indices or counts finds the values with a hash
table; on millions of scattered 64-bit codes that is many times slower than sorting,
which is what :func:`distinct` does.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

__all__ = ["distinct", "lookup"]

Scalar = TypeVar("Scalar", bound=np.generic)
IntArray = NDArray[np.int64]


def distinct(values: NDArray[Scalar]) -> NDArray[Scalar]:
    """The distinct values of an integer array, sorted (``np.unique`` by sorting).

    >>> distinct(np.array([3, 1, 3, 2])).tolist()
    [1, 2, 3]
    """
    ordered = np.sort(values.ravel())
    if ordered.size < 2:
        return ordered
    first = np.empty(ordered.size, dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first]


def lookup(sorted_keys: IntArray, keys: IntArray) -> tuple[IntArray, NDArray[np.bool_]]:
    """Where each key sits in ``sorted_keys`` and whether it is there at all.

    Parameters
    ----------
    sorted_keys : array of int64
        Distinct keys, sorted (as :func:`distinct` gives them).
    keys : array of int64
        The keys to find.

    Returns
    -------
    at : array of int64
        Each key's position in ``sorted_keys`` where it is found (any valid position,
        0 when ``sorted_keys`` is empty, where it is not).
    found : array of bool
        Whether each key is in ``sorted_keys``.

    Examples
    --------
    >>> at, found = lookup(np.array([2, 5, 9]), np.array([5, 4, 9]))
    >>> at[found].tolist(), found.tolist()
    ([1, 2], [True, False, True])
    """
    if len(sorted_keys) == 0:
        return np.zeros(len(keys), dtype=np.int64), np.zeros(len(keys), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return at, sorted_keys[at] == keys
