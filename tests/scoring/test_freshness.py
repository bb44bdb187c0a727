"""Stored scores say which scoring rules they follow, and an upgrade recomputes them when
this version's rules differ, instead of showing numbers an older version computed."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterator

import pytest
import time_machine
from django.apps import apps

import scoreline.server
from scoreline.cli import main
from scoreline.kpis.actions.definitions import do_create_kpi
from scoreline.scoring.actions.definitions import do_set_target
from scoreline.scoring.actions.values import do_record_value
from scoreline.scoring.freshness import RULES, stale_rules
from scoreline.scoring.models import Score, ScoringRules
from scoreline.scoring.pipeline import recompute
from tests.builders.enterprise import Enterprise

START = dt.date(2025, 1, 1)
NOW = dt.datetime(2025, 4, 20, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _april_2025() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def scored(enterprise: Enterprise) -> None:
    """One KPI with a target at the group and three months of values, each stored (and
    scored) one at a time as they were entered."""
    admin, group = enterprise.users["admin"], enterprise.units["GRP"]
    sales = do_create_kpi(
        admin, code="sales", name="Sales of the unit", unit="EUR", direction="higher",
        temporality="lagging", kind="output", time_aggregation="average", tree_aggregation="none",
        refresh_cycle="monthly", data_source="ERP general ledger", scoring="percent_capped",
        valid_from=START,
    )  # fmt: skip
    do_set_target(
        admin, sales, unit=group, target_type="stay_above", target=100.0,
        period_start=START, period_end=dt.date(2026, 1, 1),
    )  # fmt: skip
    for month, value in ((1, 80.0), (2, 90.0), (3, 100.0)):
        do_record_value(admin, sales, unit=group, period=dt.date(2025, month, 1), value=value)


def _scores() -> list[tuple[object, ...]]:
    return sorted(Score.objects.values_list("kind", "kpi", "unit", "period", "score", "status"))


def test_the_first_scores_a_database_stores_record_the_rules_they_follow(scored: None) -> None:
    assert ScoringRules.objects.get().version == RULES
    assert stale_rules() is None


def test_a_database_that_never_stored_scores_has_nothing_stale(enterprise: Enterprise) -> None:
    assert not ScoringRules.objects.exists()
    assert stale_rules() is None


def test_scores_an_upgrade_cleared_are_recomputed_by_migrate(
    scored: None, capsys: pytest.CaptureFixture[str]
) -> None:
    current = _scores()
    Score.objects.all().delete()
    ScoringRules.objects.filter(pk=1).update(version=0)
    assert stale_rules() == 0
    assert main(["migrate", "--quiet"]) == 0
    assert "recomputing them" in capsys.readouterr().out
    assert _scores() == current


def test_serving_refuses_scores_stored_under_older_rules_and_migrate_recomputes_them(
    scored: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    current = _scores()
    served: list[object] = []
    monkeypatch.setattr(scoreline.server, "serve", lambda *args: served.append(args))
    # Scores as an older version left them: other numbers, recorded under rules 0.
    Score.objects.update(score=0.0, status="red")
    ScoringRules.objects.filter(pk=1).update(version=0)
    assert stale_rules() == 0

    assert main(["serve", "--port", "8765"]) == 1
    assert not served
    assert capsys.readouterr().err.strip() == (
        f"scoreline: the stored scores follow scoring rules 0 and this version uses rules "
        f"{RULES}; run `scoreline migrate` (it recomputes them) first"
    )

    assert main(["migrate", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert f"follow scoring rules 0; recomputing them under rules {RULES}" in out
    assert _scores() == current
    assert stale_rules() is None
    assert main(["serve", "--port", "8765"]) == 0
    assert len(served) == 1


def test_migrate_leaves_current_scores_alone(
    scored: None, capsys: pytest.CaptureFixture[str]
) -> None:
    recompute()
    before = ScoringRules.objects.get().computed_at
    assert main(["migrate", "--quiet"]) == 0
    assert capsys.readouterr().out == ""
    assert ScoringRules.objects.get().computed_at == before


def test_the_upgrade_marks_scores_stored_before_rules_were_recorded(scored: None) -> None:
    ScoringRules.objects.all().delete()
    migration = importlib.import_module("scoreline.scoring.migrations.0004_scoring_rules")
    migration.mark_existing_scores(apps, None)
    assert stale_rules() == 0


def test_the_upgrade_marks_nothing_on_a_database_without_scores(enterprise: Enterprise) -> None:
    migration = importlib.import_module("scoreline.scoring.migrations.0004_scoring_rules")
    migration.mark_existing_scores(apps, None)
    assert not ScoringRules.objects.exists()
