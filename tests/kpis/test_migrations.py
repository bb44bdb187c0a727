"""A database made before planning, scoring and governance had their own apps migrates forward
with every row in place."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from scoreline.governance.models import ChangeRequest
from scoreline.planning.models import PlanningPeriod
from scoreline.scoring.freshness import stale_rules
from scoreline.scoring.models import Score, ScorecardPolicy

KEPT = [("kpis", "0002_default_statuses_rules_policy"), ("strategy", "0002_default_perspectives")]
BEFORE: list[tuple[str, str | None]] = [
    *KEPT,
    ("planning", None),
    ("scoring", None),
    ("governance", None),
]
# A unit's score as stored before its explanation moved to columns.
EXPLAINED = {
    "combine": "weighted_mean",
    "missing": "skip",
    "cap": 100.0,
    "definitions_as_of": "2026-03-31",
    "values_present": 4,
    "values_expected": 5,
}


def _migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


@pytest.mark.django_db(transaction=True)
def test_rows_of_the_moved_tables_survive_the_forward_migration() -> None:
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old = _migrate(BEFORE).loader.project_state(KEPT).apps
    try:
        assert not old.is_installed("scoreline.scoring")
        OldPeriod = old.get_model("kpis", "PlanningPeriod")
        OldScore = old.get_model("kpis", "Score")
        OldRequest = old.get_model("kpis", "ChangeRequest")
        OldPeriod.objects.create(
            label="FY2026", start=dt.date(2026, 1, 1), end=dt.date(2027, 1, 1), state="open"
        )
        OldScore.objects.create(
            kind="unit",
            period=dt.date(2026, 3, 1),
            score=87.5,
            status="green",
            explanation=EXPLAINED,
            computed_at=dt.datetime(2026, 4, 1, tzinfo=dt.UTC),
        )
        OldRequest.objects.create(
            kind="kpi",
            subject="REV",
            payload={"name": "Revenue"},
            effective_from=dt.date(2026, 3, 1),
            justification="audit finding",
        )
        ContentType.objects.get_or_create(app_label="kpis", model="score")
    finally:
        _migrate(latest)

    assert PlanningPeriod.objects.get().label == "FY2026"
    # Scores are results: the move of their explanation to columns (decision 8) clears
    # them and marks them for the recompute `scoreline migrate` runs next.
    assert not Score.objects.exists()
    assert stale_rules() == 0
    assert ChangeRequest.objects.get().justification == "audit finding"
    assert ScorecardPolicy.objects.filter(unit__isnull=True).count() == 1
    assert ContentType.objects.filter(app_label="scoring", model="score").exists()
    assert not ContentType.objects.filter(app_label="kpis", model="score").exists()
