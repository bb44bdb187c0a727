"""Stored scores: what is written reads back as the engine computed it, explained as before.

The explanations are compared with ``golden/explanations_stored_as_json.json``: every score
of the world of ``tests/builders/scores.py`` with the explanation Scoreline stored as JSON beside it before scores
were stored in columns (decision 8), keyed by natural keys.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import time_machine

from scoreline.lib.months import month_of
from scoreline.scoring.models import Score
from scoreline.scoring.pipeline import Computation, compute_as_of, recompute
from scoreline.strategy.models import Objective
from tests.builders.enterprise import Enterprise
from tests.builders.scores import NOW, build_scorecards

GOLDEN = Path(__file__).parent / "golden" / "explanations_stored_as_json.json"


@pytest.fixture(autouse=True)
def _april_2025() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def scorecards(enterprise: Enterprise) -> dict[str, Objective]:
    return build_scorecards(enterprise)


def _key(row: Score) -> str:
    names = (
        row.kind,
        row.kpi.code if row.kpi else "",
        row.objective.code if row.objective else "",
        row.perspective.code if row.perspective else "",
        row.unit.code if row.unit else "",
        row.person.employee_id if row.person else "",
        row.period.isoformat(),
    )
    return "/".join(names)


def stored_explanations() -> dict[str, dict[str, Any]]:
    rows = Score.objects.select_related("kpi", "objective", "perspective", "unit", "person")
    return {
        _key(row): {
            "value": row.value,
            "score": row.score,
            "status": row.status,
            "explanation": row.explanation,
        }
        for row in rows
    }


def test_stored_scores_read_back_as_the_engine_computed_them_and_explained_as_before(
    scorecards: dict[str, Objective],
) -> None:
    recompute()
    golden = json.loads(GOLDEN.read_text())
    kinds = {key.split("/")[0] for key in golden}
    assert kinds == {"kpi", "objective", "perspective", "unit", "person"}
    assert stored_explanations() == golden
    fields = ("kind", "kpi", "objective", "perspective", "unit", "person", "period")
    stored = {row[:-1]: row[-1] for row in Score.objects.values_list(*fields, "score")}
    expected: dict[tuple[object, ...], float | None] = {}
    for done in compute_as_of(NOW.date()):
        rows = done.leaves.rows
        for kpi, unit, person, month, score in zip(
            rows.kpi.tolist(), rows.unit.tolist(), rows.person.tolist(), rows.month.tolist(),
            done.leaves.score.tolist(), strict=True,
        ):  # fmt: skip
            key = ("kpi", kpi, None, None, unit or None, person or None, month_of(month))
            expected[key] = score if np.isfinite(score) else None
        for node in done.nodes.tolist():
            for month, score in zip(done.months.tolist(), done.scores[node].tolist(), strict=True):
                if np.isfinite(score):
                    expected[_node_key(done.graph.keys[node], done, month)] = score
    assert len(stored) == len(expected) > 60
    assert stored == expected


def _node_key(key: tuple[object, ...], done: Computation, month: int) -> tuple[object, ...]:
    kind, first = str(key[0]), key[1]
    ids: dict[str, object] = {}
    if kind == "objective":
        owner = done.graph.owner_of(int(first))  # type: ignore[call-overload]
        assert owner is not None
        ids = {"objective": first, "unit" if owner[0] == "u" else "person": owner[1]}
    elif kind == "perspective":
        ids = {"unit": first, "perspective": key[2]}
    else:
        ids = {kind: first}
    names = ("kpi", "objective", "perspective", "unit", "person")
    return (kind, *(ids.get(name) for name in names), month_of(month))
