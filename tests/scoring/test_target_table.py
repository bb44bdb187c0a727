"""Targets as a table of parallel arrays: the rows it is made of read back unchanged."""

from __future__ import annotations

import datetime as dt

from scoreline.lib.months import month_of
from scoreline.scoring.loading import TargetRow, TargetTable

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


def test_a_table_reads_back_its_rows() -> None:
    table = _table([(1, 2, 0, 12), (2, 3, 6, 6)])
    rows = table.rows()
    assert [(r.kpi_id, r.unit_id, r.person_id) for r in rows] == [(1, 2, None), (2, None, 3)]
    assert rows[1].period_start == dt.date(2024, 7, 1) and rows[1].period_end == dt.date(2025, 1, 1)
    assert TargetTable.of(rows).rows() == rows
