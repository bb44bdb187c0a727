"""Which target a value is scored against: the one of its KPI and subject whose span covers
its month, the later one (by id) where spans overlap; and its phased bounds there."""

from __future__ import annotations

import doctest
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoreline.engine import targets
from scoreline.engine.nodes import leaf_codes
from scoreline.engine.phasing import Phasing
from scoreline.engine.targets import (
    TargetSpans,
    covering_rows,
    repeat_profiles,
    target_segments,
)

BASE = 2024 * 12
Span = tuple[int, int, int, int]  # kpi, subject (odd: a person), first month, months


def _leaves(kpi: list[int], subject: list[int]) -> np.ndarray:
    kpis, subjects = np.array(kpi, dtype=np.int64), np.array(subject, dtype=np.int64)
    units = np.where(subjects % 2 == 0, subjects, 0)
    persons = np.where(subjects % 2 == 1, subjects, 0)
    return leaf_codes(kpis, units, persons)


def _ask(spans: list[Span], kpi: list[int], subject: list[int], month: list[int]) -> list[int]:
    """The row covering each asked KPI, subject and month, of targets given in id order."""
    first = np.array([BASE + s[2] for s in spans], dtype=np.int64)
    end = first + np.array([s[3] for s in spans], dtype=np.int64)
    segments = target_segments(_leaves([s[0] for s in spans], [s[1] for s in spans]), first, end)
    months = BASE + np.array(month, dtype=np.int64)
    return covering_rows(segments, _leaves(kpi, subject), months).tolist()


def test_the_examples_run() -> None:
    assert doctest.testmod(targets).failed == 0


def test_each_value_takes_the_span_covering_its_month() -> None:
    spans = [(1, 2, 0, 12), (1, 2, 12, 12), (1, 4, 0, 12), (2, 3, 0, 12)]
    assert _ask(spans, [1, 1, 1, 2, 2], [2, 2, 4, 3, 2], [0, 12, 11, 5, 5]) == [0, 1, 2, 3, -1]


def test_months_outside_every_span_have_no_target() -> None:
    spans = [(1, 2, 0, 12), (1, 2, 24, 12)]
    assert _ask(spans, [1, 1, 1], [2, 2, 2], [-1, 12, 36]) == [-1, -1, -1]


def test_where_spans_overlap_the_later_target_wins_only_the_months_it_covers() -> None:
    # Row 1 spans months 3..5 inside row 0's year; row 2 takes months 6..17 over row 0.
    spans = [(1, 2, 0, 12), (1, 2, 3, 3), (1, 2, 6, 12)]
    months = list(range(19))
    expected = [0, 0, 0, 1, 1, 1] + [2] * 12 + [-1]
    assert _ask(spans, [1] * 19, [2] * 19, months) == expected


def test_without_targets_nothing_is_covered() -> None:
    assert _ask([], [1, 2], [2, 3], [0, 5]) == [-1, -1]


spans = st.lists(
    st.tuples(st.integers(1, 2), st.integers(1, 3), st.integers(0, 30), st.integers(0, 14)),
    max_size=12,
)


@given(spans, st.lists(st.tuples(st.integers(1, 2), st.integers(1, 3), st.integers(-2, 46))))
def test_the_lookup_agrees_with_checking_every_target(
    given_spans: list[Span], asked: list[tuple[int, int, int]]
) -> None:
    expected = []
    for kpi, subject, month in asked:
        covering = [
            i
            for i, (k, s, first, length) in enumerate(given_spans)
            if (k, s) == (kpi, subject) and first <= month < first + length
        ]
        expected.append(max(covering, default=-1))
    columns = [list(column) for column in zip(*asked, strict=True)] or [[], [], []]
    assert _ask(given_spans, *columns) == expected


@given(spans)
def test_segments_never_overlap_and_cover_what_the_spans_cover(given_spans: list[Span]) -> None:
    first = np.array([s[2] for s in given_spans], dtype=np.int64)
    end = first + np.array([s[3] for s in given_spans], dtype=np.int64)
    leaf = _leaves([s[0] for s in given_spans], [s[1] for s in given_spans])
    seg_leaf, seg_first, seg_end, seg_row = target_segments(leaf, first, end)
    covered = {(int(lf), m) for lf, f, e in zip(leaf, first, end, strict=True) for m in range(f, e)}
    laid_out = [
        (int(lf), m)
        for lf, f, e in zip(seg_leaf, seg_first, seg_end, strict=True)
        for m in range(f, e)
    ]
    assert len(laid_out) == len(set(laid_out)) and set(laid_out) == covered
    starts = list(zip(seg_leaf.tolist(), seg_first.tolist(), strict=True))
    assert starts == sorted(starts)
    assert (leaf[seg_row] == seg_leaf).all()


def test_profiles_repeat_cyclically_to_the_span() -> None:
    result = repeat_profiles([[1.0, 2.0, 3.0], [5.0]], 7)
    assert result.tolist() == [[1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 1.0], [5.0] * 7]


@given(
    st.lists(st.lists(st.floats(0, 10), min_size=1, max_size=12), max_size=5), st.integers(1, 30)
)
def test_a_repeated_profile_reads_its_weights_in_turn(weights: list[list[float]], n: int) -> None:
    result = repeat_profiles(weights, n)
    assert result.shape == (len(weights), n)
    for row, profile in zip(result.tolist(), weights, strict=True):
        assert row == [profile[i % len(profile)] for i in range(n)]


def _spans(how: list[int], **columns: Any) -> TargetSpans:
    n = len(how)
    given: dict[str, Any] = {
        "leaf": np.arange(1, n + 1, dtype=np.int64),
        "first": np.zeros(n, dtype=np.int64),
        "end": np.full(n, 12, dtype=np.int64),
        "how": np.array(how, dtype=np.int64),
        "additive": np.zeros(n, dtype=bool),
        "target": np.full(n, 100.0),
        "baseline": np.full(n, np.nan),
        "profiles": [None] * n,
        **columns,
    }
    given.setdefault("bounds", np.vstack([given["target"] - 10, given["target"]]))
    return TargetSpans(**given)


def test_a_ramp_moves_every_bound_with_the_target() -> None:
    spans = _spans([Phasing.LINEAR_RAMP], baseline=np.array([40.0]))
    phased = spans(np.array([1, 1]), np.array([0, 11]))
    assert phased.tolist() == [[30.0, 90.0], [40.0, 100.0]]


def test_a_ramp_without_a_start_and_a_season_without_weights_are_flat() -> None:
    spans = _spans([Phasing.LINEAR_RAMP, Phasing.SEASONAL], profiles=[None, []])
    assert spans.how.tolist() == [Phasing.FLAT, Phasing.FLAT]
    assert spans(np.array([1, 2]), np.array([3, 3])).tolist() == [[90.0, 90.0], [100.0, 100.0]]


def test_a_seasonal_total_is_shared_by_its_repeated_weights() -> None:
    spans = _spans(
        [Phasing.SEASONAL], additive=np.array([True]), profiles=[[1.0, 3.0]],
        bounds=np.array([[100.0]]), target=np.array([100.0]),
    )  # fmt: skip
    # Twelve months of weights 1, 3, 1, 3, ...: 24 in all.
    phased = spans(np.array([1, 1]), np.array([0, 1]))
    assert phased[0].tolist() == pytest.approx([100 / 24, 300 / 24], rel=1e-12)


def test_a_month_without_a_target_gets_nan_and_the_output_is_written_in_place() -> None:
    spans = _spans([Phasing.FLAT])
    out = np.zeros((2, 2))
    result = spans(np.array([1, 2]), np.array([12, 0]), out=out)
    assert result is out and np.isnan(out).all()
