"""Work spread over threads: every piece done once, results in order, errors raised."""

from __future__ import annotations

import doctest
import threading

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoreline.engine import parallel, sets
from scoreline.engine.errors import EngineInputError
from scoreline.engine.parallel import each, slices
from scoreline.engine.sets import distinct


def test_the_examples_in_the_docstrings_hold() -> None:
    assert doctest.testmod(parallel).failed == 0
    assert doctest.testmod(sets).failed == 0


@given(st.integers(0, 1000), st.integers(1, 300))
def test_slices_cover_the_range_once_in_order(n: int, size: int) -> None:
    covered = [i for part in slices(n, size) for i in range(n)[part]]
    assert covered == list(range(n))
    assert all(part.stop - part.start <= size for part in slices(n, size))


def test_a_slice_size_below_one_is_refused() -> None:
    with pytest.raises(EngineInputError, match="at least 1, got 0"):
        slices(10, 0)


def test_pieces_run_side_by_side_on_two_threads() -> None:
    # Each piece waits for the other at the barrier: run one after the other, they would
    # time out and break it.
    barrier = threading.Barrier(2, timeout=10)

    def meet(piece: int) -> tuple[int, int]:
        barrier.wait()
        return piece, threading.get_ident()

    results = each(meet, [0, 1], workers=2)
    assert [piece for piece, _ in results] == [0, 1]
    assert results[0][1] != results[1][1]


def test_results_keep_the_order_of_the_pieces() -> None:
    assert each(lambda x: x * 10, range(50), workers=2) == [x * 10 for x in range(50)]


def test_one_worker_runs_the_pieces_in_the_calling_thread() -> None:
    caller = threading.get_ident()
    assert each(lambda _: threading.get_ident(), range(3), workers=1) == [caller] * 3


def test_an_error_in_a_piece_is_raised_to_the_caller() -> None:
    def work(piece: int) -> int:
        if piece == 3:
            raise EngineInputError("piece 3 is bad")
        return piece

    with pytest.raises(EngineInputError, match="piece 3 is bad"):
        each(work, range(6), workers=2)


def test_numpy_work_on_disjoint_slices_fills_the_whole_output() -> None:
    values = np.random.default_rng(5).normal(size=10_001)
    out = np.empty_like(values)

    def square(part: slice) -> None:
        out[part] = values[part] ** 2

    each(square, slices(len(values), 1000), workers=2)
    assert np.array_equal(out, values**2)


@given(st.lists(st.integers(-(2**62), 2**62), max_size=200))
def test_distinct_equals_numpys_unique(values: list[int]) -> None:
    array = np.array(values, dtype=np.int64)
    assert np.array_equal(distinct(array), np.unique(array))
