"""A new objective has no score until a KPI measures it: where its scorecards skip missing data
it alters no stored score, and where one counts missing data as zero (or blanks the parent)
its creation rescores what it alters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from scoreline.kpis.actions.definitions import do_create_kpi
from scoreline.scoring import pipeline
from scoreline.scoring.actions.definitions import do_set_measure, do_set_target
from scoreline.scoring.actions.objectives import do_create_objective
from scoreline.scoring.actions.scorecards import do_set_scorecard_policy
from scoreline.scoring.actions.values import do_record_value
from scoreline.scoring.models import NodeKind, Score
from scoreline.strategy.models import Objective, Perspective
from tests.builders.enterprise import Enterprise
from tests.builders.kpis import recomputed_scores, stored_scores

pytestmark = pytest.mark.django_db

START = dt.date(2025, 1, 1)
NOW = dt.datetime(2025, 3, 20, 12, 0, tzinfo=dt.UTC)
JANUARY = dt.date(2025, 1, 1)
HORIZON: dict[str, Any] = {
    "horizon_start": START,
    "horizon_end": dt.date(2026, 1, 1),
    "valid_from": START,
}


@pytest.fixture(autouse=True)
def _march_2025() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def grow(enterprise: Enterprise) -> Objective:
    """The group's objective, measured by one KPI at 80% of its target in January (score 80)."""
    admin, group = enterprise.users["admin"], enterprise.units["GRP"]
    sales = do_create_kpi(
        admin, code="sales", name="Sales", unit="EUR", direction="higher", temporality="lagging",
        kind="output", time_aggregation="average", tree_aggregation="none",
        refresh_cycle="monthly", data_source="ERP", scoring="percent_capped", valid_from=START,
    )  # fmt: skip
    do_set_target(
        admin, sales, unit=group, target_type="stay_above", target=100.0, period_start=START,
        period_end=dt.date(2026, 1, 1),
    )  # fmt: skip
    objective = do_create_objective(
        admin, code="grow", name="Grow", perspective=Perspective.objects.get(code="financial"),
        unit=group, **HORIZON,
    )  # fmt: skip
    do_set_measure(admin, objective, sales, weight=1.0, effective=START)
    do_record_value(
        enterprise.users["steward"], sales, unit=group, period=JANUARY, value=80.0, source="manual"
    )
    pipeline.recompute()
    return objective


def _add_child(enterprise: Enterprise, parent: Objective) -> Objective:
    return do_create_objective(
        enterprise.users["admin"], code="grow-uk", name="Grow the UK", parent=parent,
        perspective=Perspective.objects.get(code="financial"), unit=enterprise.units["UK"],
        **HORIZON,
    )  # fmt: skip


def _score_of(objective: Objective) -> float | None:
    """The objective's stored January score (None: no score stored)."""
    rows = Score.objects.filter(kind=NodeKind.OBJECTIVE, objective=objective, period=JANUARY)
    return rows.values_list("score", flat=True).first()


def test_a_new_objective_under_a_policy_that_skips_missing_data_alters_no_score(
    enterprise: Enterprise, grow: Objective, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = stored_scores()
    assert _score_of(grow) == 80.0
    calls: list[object] = []
    monkeypatch.setattr(pipeline, "recompute", lambda **kwargs: calls.append(kwargs))
    _add_child(enterprise, grow)
    assert calls == []  # nothing to redo
    monkeypatch.undo()
    # A full recompute agrees: the child, without a score, changes nothing above it.
    assert stored_scores() == before
    assert recomputed_scores() == before


@pytest.mark.parametrize(
    ("missing", "expected"),
    [
        # Decision 7: the own KPIs carry 70%, the contributing objectives 30%; the child
        # without data counts 0 under "zero" (0.7 * 80 + 0.3 * 0), and blanks it under "blank".
        ("zero", 56.0),
        ("blank", None),
    ],
)
def test_a_new_objective_under_a_policy_that_counts_missing_data_rescores_its_parent(
    enterprise: Enterprise, grow: Objective, missing: str, expected: float | None
) -> None:
    do_set_scorecard_policy(
        enterprise.users["admin"], None, combine="weighted_mean", missing=missing,
        cap_at_100=True, effective=START,
    )  # fmt: skip
    assert _score_of(grow) == 80.0  # alone, the objective has no missing part
    _add_child(enterprise, grow)
    assert _score_of(grow) == expected
    stored = stored_scores()
    assert stored == recomputed_scores()
