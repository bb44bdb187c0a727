"""A new objective has no score until a KPI measures it: where its scorecards skip missing data
it alters no stored score, and where one counts missing data as zero (or blanks the parent)
its creation rescores what it alters."""

from __future__ import annotations

import pytest

from scoreline.scoring import pipeline
from scoreline.scoring.actions.objectives import do_create_objective
from scoreline.scoring.actions.scorecards import do_set_scorecard_policy
from scoreline.strategy.models import Objective, Perspective
from tests.builders.enterprise import Enterprise
from tests.builders.kpis import recomputed_scores, stored_scores
from tests.builders.measured import (
    HORIZON,
    START,
    objective_score,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def grow(measured_grow: Objective) -> Objective:
    """The group's objective, measured by one KPI at 80% of its target (score 80), in March
    2025."""
    return measured_grow


def _add_child(enterprise: Enterprise, parent: Objective) -> Objective:
    return do_create_objective(
        enterprise.users["admin"], code="grow-uk", name="Grow the UK", parent=parent,
        perspective=Perspective.objects.get(code="financial"), unit=enterprise.units["UK"],
        **HORIZON,
    )  # fmt: skip


def test_a_new_objective_under_a_policy_that_skips_missing_data_alters_no_score(
    enterprise: Enterprise, grow: Objective, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = stored_scores()
    assert objective_score(grow) == 80.0
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
    assert objective_score(grow) == 80.0  # alone, the objective has no missing part
    _add_child(enterprise, grow)
    assert objective_score(grow) == expected
    stored = stored_scores()
    assert stored == recomputed_scores()
