"""The share of contributing objectives in a parent objective's score, from the scorecard
policy through the stored scores to their explanation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from scoreline.kpis.actions.definitions import do_create_kpi
from scoreline.kpis.models import Kpi
from scoreline.lib.errors import Invalid
from scoreline.scoring.actions.definitions import do_set_measure, do_set_target
from scoreline.scoring.actions.objectives import do_create_objective
from scoreline.scoring.actions.scorecards import do_set_scorecard_policy
from scoreline.scoring.actions.values import do_record_value
from scoreline.scoring.explanations import cascade_split
from scoreline.scoring.models import NodeKind, Score, ScorecardPolicy
from scoreline.scoring.pipeline import recompute
from scoreline.strategy.models import Objective, Perspective
from tests.builders.enterprise import Enterprise
from tests.builders.kpis import nothing_written

START = dt.date(2025, 1, 1)
NOW = dt.datetime(2025, 4, 20, 12, 0, tzinfo=dt.UTC)
JANUARY, FEBRUARY, MARCH = dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)


@pytest.fixture(autouse=True)
def _april_2025() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def cascade(enterprise: Enterprise) -> dict[str, Objective]:
    """The group's objective measured by its own KPI (80% of target: score 80) and two
    objectives of the legal entities contributing to it (on target: 100 each). In March the
    group has no value of its own yet. A third objective has contributing objectives only."""
    admin, units = enterprise.users["admin"], enterprise.units
    financial = Perspective.objects.get(code="financial")
    sales = do_create_kpi(
        admin, code="sales", name="Sales of the unit", unit="EUR", direction="higher",
        temporality="lagging", kind="output", time_aggregation="average", tree_aggregation="none",
        refresh_cycle="monthly", data_source="ERP general ledger", scoring="percent_capped",
        valid_from=START,
    )  # fmt: skip
    span: dict[str, Any] = {"period_start": START, "period_end": dt.date(2026, 1, 1)}
    for code in ("GRP", "UK", "DE"):
        do_set_target(
            admin, sales, unit=units[code], target_type="stay_above", target=100.0, **span
        )
    horizon: dict[str, Any] = {
        "horizon_start": START,
        "horizon_end": dt.date(2026, 1, 1),
        "valid_from": START,
    }

    def objective(code: str, unit: str, **fields: Any) -> Objective:
        return do_create_objective(
            admin, code=code, name=code, perspective=financial, unit=units[unit], **horizon,
            **fields,
        )  # fmt: skip

    group = objective("grow", "GRP")
    made = {"grow": group}
    for code in ("UK", "DE"):
        made[code] = objective(f"grow-{code}", code, parent=group)
        do_set_measure(admin, made[code], sales, weight=1.0, effective=START)
    do_set_measure(admin, group, sales, weight=1.0, effective=START)
    made["steer"] = objective("steer", "GRP")
    objective("steer-uk", "UK", parent=made["steer"])
    for month in (JANUARY, FEBRUARY, MARCH):
        for code in ("UK", "DE"):
            _record(enterprise, sales, code, month, 100.0)
    for month in (JANUARY, FEBRUARY):
        _record(enterprise, sales, "GRP", month, 80.0)
    return made


def _record(world: Enterprise, kpi: Kpi, unit: str, month: dt.date, value: float) -> None:
    do_record_value(
        world.users["admin"], kpi, unit=world.units[unit], period=month, value=value, note="ok"
    )


def _score(objective: Objective, month: dt.date) -> Score | None:
    return Score.objects.filter(kind=NodeKind.OBJECTIVE, objective=objective, period=month).first()


def _group_policy(world: Enterprise, share: float, missing: str = "skip") -> None:
    do_set_scorecard_policy(
        world.users["ceo"], world.units["GRP"], combine="weighted_mean", missing=missing,
        cap_at_100=True, cascade_share=share, effective=START,
    )  # fmt: skip


def test_the_default_gives_contributing_objectives_30_percent(
    cascade: dict[str, Objective],
) -> None:
    recompute()
    row = _score(cascade["grow"], JANUARY)
    # Own KPI 80, two contributing objectives at 100: 0.7 * 80 + 0.3 * 100 = 56 + 30 = 86
    # (pooled, the three would give (80 + 100 + 100) / 3 = 93.3).
    assert row is not None and row.score == pytest.approx(86.0)
    split = cascade_split(row)
    assert split is not None
    assert split.summary == "own KPIs 70% · contributing objectives 30%"
    assert (
        split.arithmetic
        == "70% \N{MULTIPLICATION SIGN} 80.0 + 30% \N{MULTIPLICATION SIGN} 100.0 = 86.0"
    )
    assert [(p.part, p.score) for p in split.parts] == [("own_kpis", 80.0), ("contributing", 100.0)]


@pytest.mark.parametrize(("share", "expected"), [(0.0, 80.0), (0.5, 90.0), (1.0, 100.0)])
def test_the_units_policy_sets_the_share(
    enterprise: Enterprise, cascade: dict[str, Objective], share: float, expected: float
) -> None:
    # Share 0.5: 0.5 * 80 + 0.5 * 100 = 90; 0 gives the own KPI alone, 1 the children alone.
    _group_policy(enterprise, share)
    recompute()
    row = _score(cascade["grow"], JANUARY)
    assert row is not None and row.score == pytest.approx(expected)
    assert row.explanation["cascade_share"] == share


def test_a_month_without_own_values_is_carried_by_the_contributing_objectives(
    cascade: dict[str, Objective],
) -> None:
    recompute()
    row = _score(cascade["grow"], MARCH)
    # Skipped: the group's own KPI has no value in March, so the children (100) carry 100%.
    assert row is not None and row.score == 100.0
    split = cascade_split(row)
    assert split is not None
    assert split.summary == "own KPIs 0% · contributing objectives 100%"
    assert split.note == "the own KPIs have no score this month, so they are skipped"


def test_missing_own_values_count_as_zero_only_under_a_zero_policy(
    enterprise: Enterprise, cascade: dict[str, Objective]
) -> None:
    _group_policy(enterprise, 0.3, missing="zero")
    recompute()
    row = _score(cascade["grow"], MARCH)
    # Zero: the own KPI counts 0 in March: 0.7 * 0 + 0.3 * 100 = 30.
    assert row is not None and row.score == pytest.approx(30.0)
    _group_policy(enterprise, 0.3, missing="blank")
    recompute()
    assert _score(cascade["grow"], MARCH) is None


def test_an_objective_without_kpis_of_its_own_takes_its_childrens_score_whole(
    cascade: dict[str, Objective],
) -> None:
    recompute()
    steer = _score(cascade["steer"], JANUARY)
    # "steer" has only "steer-uk", which no KPI measures: it has no score, nor has "steer".
    assert steer is None
    grow_uk = cascade_split(_score(cascade["UK"], JANUARY))
    assert grow_uk is not None and grow_uk.summary == "own KPIs 100%"
    assert grow_uk.note == "no objective contributes to it"


def test_a_changed_value_rescores_the_split_as_a_full_recompute_does(
    enterprise: Enterprise, cascade: dict[str, Objective]
) -> None:
    recompute()
    sales = Kpi.objects.get(code="sales")
    # The UK value drops to 40: contributing (40 + 100) / 2 = 70; 0.7 * 80 + 0.3 * 70 = 77.
    _record(enterprise, sales, "UK", JANUARY, 40.0)
    incremental = _score(cascade["grow"], JANUARY)
    assert incremental is not None and incremental.score == pytest.approx(77.0)
    recompute()
    full = _score(cascade["grow"], JANUARY)
    assert full is not None and full.explanation["own_kpis"] == 80.0
    assert full.explanation["contributing"] == incremental.explanation["contributing"] == 70.0
    assert full.score == pytest.approx(incremental.score)


@pytest.mark.parametrize("share", [-0.1, 1.2, float("nan"), "half", None])
def test_a_share_outside_0_to_1_is_refused_and_nothing_written(
    enterprise: Enterprise, share: object
) -> None:
    with nothing_written(), pytest.raises(Invalid) as error:
        _group_policy(enterprise, share)  # type: ignore[arg-type]
    assert "cascade_share" in error.value.fields


@pytest.mark.django_db
def test_the_default_policy_holds_the_default_share() -> None:
    default = ScorecardPolicy.objects.get(unit__isnull=True)
    assert default.cascade_share == 0.3
