"""Which target a value is scored against: the one of its KPI and subject whose span covers
its month, the later one (by id) where spans overlap."""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from scoreline.scoring.loading import TargetRow, TargetTable, month_of
from scoreline.scoring.pipeline import _covering_rows, _segments, leaf_codes

BASE = 2024 * 12


def _table(spans: list[tuple[int, int, int, int]]) -> TargetTable:
    """Targets from (kpi, subject, first month, months) with ids in list order; odd
    subjects are persons."""
    rows = []
    for pk, (kpi, subject, first, length) in enumerate(spans, start=1):
        unit, person = (None, subject) if subject % 2 else (subject, None)
        rows.append(
            TargetRow(
                pk,
                kpi,
                unit,
                person,
                month_of(BASE + first),
                month_of(BASE + first + length),
                None,
                100.0,
                None,
                None,
                None,
                None,
                "flat",
                [],
            )
        )
    return TargetTable.of(rows)


def _ask(table: TargetTable, kpi: list[int], subject: list[int], month: list[int]) -> list[int]:
    kpis, subjects = np.array(kpi, dtype=np.int64), np.array(subject, dtype=np.int64)
    units = np.where(subjects % 2 == 0, subjects, 0)
    persons = np.where(subjects % 2 == 1, subjects, 0)
    months = BASE + np.array(month, dtype=np.int64)
    segments = _segments(leaf_codes(table.kpi, table.unit, table.person), table.first, table.end)
    found = _covering_rows(segments, leaf_codes(kpis, units, persons), months)
    return found.tolist()


def test_each_value_takes_the_span_covering_its_month() -> None:
    table = _table([(1, 2, 0, 12), (1, 2, 12, 12), (1, 4, 0, 12), (2, 3, 0, 12)])
    assert _ask(table, [1, 1, 1, 2, 2], [2, 2, 4, 3, 2], [0, 12, 11, 5, 5]) == [0, 1, 2, 3, -1]


def test_months_outside_every_span_have_no_target() -> None:
    table = _table([(1, 2, 0, 12), (1, 2, 24, 12)])
    assert _ask(table, [1, 1, 1], [2, 2, 2], [-1, 12, 36]) == [-1, -1, -1]


def test_where_spans_overlap_the_later_target_wins_only_the_months_it_covers() -> None:
    # Row 1 spans months 3..5 inside row 0's year; row 2 takes months 6..17 over row 0.
    table = _table([(1, 2, 0, 12), (1, 2, 3, 3), (1, 2, 6, 12)])
    months = list(range(19))
    expected = [0, 0, 0, 1, 1, 1] + [2] * 12 + [-1]
    assert _ask(table, [1] * 19, [2] * 19, months) == expected


spans = st.lists(
    st.tuples(st.integers(1, 2), st.integers(1, 3), st.integers(0, 30), st.integers(0, 14)),
    max_size=12,
)


@given(spans, st.lists(st.tuples(st.integers(1, 2), st.integers(1, 3), st.integers(-2, 46))))
def test_the_lookup_agrees_with_checking_every_target(
    given_spans: list[tuple[int, int, int, int]], asked: list[tuple[int, int, int]]
) -> None:
    table = _table(given_spans)
    expected = []
    for kpi, subject, month in asked:
        covering = [
            i
            for i, (k, s, first, length) in enumerate(given_spans)
            if (k, s) == (kpi, subject) and first <= month < first + length
        ]
        expected.append(max(covering, default=-1))
    columns = [list(column) for column in zip(*asked, strict=True)] or [[], [], []]
    assert _ask(table, *columns) == expected


def test_a_table_reads_back_its_rows() -> None:
    table = _table([(1, 2, 0, 12), (2, 3, 6, 6)])
    rows = table.rows()
    assert [(r.kpi_id, r.unit_id, r.person_id) for r in rows] == [(1, 2, None), (2, None, 3)]
    assert rows[1].period_start == dt.date(2024, 7, 1) and rows[1].period_end == dt.date(2025, 1, 1)
    assert TargetTable.of(rows).rows() == rows
