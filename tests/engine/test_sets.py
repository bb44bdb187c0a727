"""Distinct values of large integer arrays, and where keys sit in a sorted set."""

from __future__ import annotations

import doctest

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from scoreline.engine import sets
from scoreline.engine.sets import distinct, lookup

keys = st.lists(st.integers(-(2**62), 2**62), max_size=40)


def test_the_examples_run() -> None:
    assert doctest.testmod(sets).failed == 0


def test_nothing_is_found_in_an_empty_set() -> None:
    at, found = lookup(np.zeros(0, dtype=np.int64), np.array([1, 2], dtype=np.int64))
    assert at.tolist() == [0, 0] and found.tolist() == [False, False]


@given(keys, keys)
def test_lookup_finds_exactly_the_keys_in_the_set(members: list[int], asked: list[int]) -> None:
    sorted_keys = distinct(np.array(members, dtype=np.int64))
    at, found = lookup(sorted_keys, np.array(asked, dtype=np.int64))
    assert found.tolist() == [key in set(members) for key in asked]
    assert sorted_keys[at[found]].tolist() == [key for key in asked if key in set(members)]


@given(keys)
def test_distinct_is_numpys_unique(values: list[int]) -> None:
    array = np.array(values, dtype=np.int64)
    assert distinct(array).tolist() == np.unique(array).tolist()
