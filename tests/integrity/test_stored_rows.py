"""``scoreline check``: every stored row that breaks a rule the actions enforce is reported.

The broken rows are written straight into the tables, as a bulk load or a hand edit would,
because the actions refuse them.
"""

from __future__ import annotations

import datetime as dt

import pytest

from scoreline.cli import main as cli_main
from scoreline.integrity.check import check_stored_rows
from scoreline.kpis.models import Kpi, KpiVersion, ObjectiveMeasure, RubricLevel, StatusRule, Target
from scoreline.kpis.validation import LevelSpec, RuleSpec
from scoreline.lib.dates import today
from scoreline.scoring.actions.definitions import (
    do_save_rubric,
    do_set_measure,
    do_set_status_rules,
    do_set_target,
)
from scoreline.scoring.actions.scorecards import do_set_perspective_weight
from scoreline.scoring.models import PerspectiveWeight
from scoreline.strategy.actions.links import do_link_objectives
from scoreline.strategy.models import Objective, ObjectiveLink, ObjectiveVersion, Perspective
from tests.builders.enterprise import Enterprise
from tests.builders.kpis import DAY, YEAR_END, YEAR_START, MakeKpi, MakeObjective

pytestmark = pytest.mark.usefixtures("architecture")


def problems() -> list[str]:
    return [str(problem) for problem in check_stored_rows(today()).sorted()]


def _parent(objective: Objective, parent: Objective | None) -> None:
    ObjectiveVersion.objects.filter(objective=objective).update(parent=parent)


def test_the_clean_test_world_has_no_problems(capsys: pytest.CaptureFixture[str]) -> None:
    findings = check_stored_rows(today())
    assert findings.problems == [] and findings.rows > 20
    assert cli_main(["check"]) == 0
    assert capsys.readouterr().out == (
        f"no problems in {findings.rows} rows in force on {today().isoformat()}\n"
    )


def test_a_parent_in_a_sibling_unit_is_reported_and_the_command_fails(
    make_objective: MakeObjective, capsys: pytest.CaptureFixture[str]
) -> None:
    finance = make_objective("FIN-1", unit="FIN")
    sales = make_objective("SALES-1", unit="SALES")
    _parent(sales, finance)
    assert problems() == [
        "objective SALES-1: parent: FIN-1 belongs to Finance, which is neither Sales nor a unit "
        "above it"
    ]
    assert cli_main(["check", "--as-of", today().isoformat()]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("objective SALES-1: parent: FIN-1 belongs to Finance")
    assert lines[1].startswith("1 problem in ")


def test_a_parent_at_a_lower_level_is_reported(make_objective: MakeObjective) -> None:
    team = make_objective("NORTH-1", unit="SALES-N")
    sales = make_objective("SALES-1", unit="SALES")
    _parent(sales, team)
    [problem] = problems()
    assert problem.startswith("objective SALES-1: parent: NORTH-1 belongs to Sales North")
    goal = make_objective("EMP-1", person="employee")
    _parent(team, goal)
    assert "objective NORTH-1: parent: EMP-1 is an individual goal; only a unit's objective" in (
        " ".join(problems())
    )


def test_a_parent_no_longer_in_force_is_reported(make_objective: MakeObjective) -> None:
    group = make_objective("GRP-1", unit="GRP")
    make_objective("UK-1", unit="UK", parent=group)
    ObjectiveVersion.objects.filter(objective=group).update(valid_until=YEAR_START)
    day = today()
    assert problems() == [f"objective UK-1: parent: GRP-1 is not in force on {day}"]


def test_every_cycle_of_the_cascade_is_reported(make_objective: MakeObjective) -> None:
    first = make_objective("SALES-A", unit="SALES")
    second = make_objective("SALES-B", unit="SALES", parent=first)
    _parent(first, second)
    lonely = make_objective("SALES-C", unit="SALES")
    _parent(lonely, lonely)
    assert problems() == [
        "objective SALES-B: parent: the cascade has a cycle: SALES-A -> SALES-B -> SALES-A",
        "objective SALES-C: parent: the cascade has a cycle: SALES-C -> SALES-C",
    ]


def test_a_cycle_of_the_strategy_map_is_reported(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    cause, effect = make_objective("SALES-A", unit="SALES"), make_objective("SALES-B", unit="SALES")
    do_link_objectives(enterprise.users["admin"], cause, effect, effective=DAY)
    ObjectiveLink.objects.create(cause=effect, effect=cause, valid_from=DAY)
    assert problems() == [
        "link SALES-A->SALES-B: effect: the strategy map has a cycle: SALES-A -> SALES-B -> SALES-A"
    ]


def _target(enterprise: Enterprise, kpi: Kpi, **numbers: object) -> Target:
    written = do_set_target(
        enterprise.users["admin"],
        kpi,
        unit=enterprise.units["SALES"],
        period_start=YEAR_START,
        period_end=YEAR_END,
        **numbers,  # type: ignore[arg-type]
    )
    assert written is not None
    return written


def test_targets_out_of_order_for_their_direction_are_reported(
    enterprise: Enterprise, make_kpi: MakeKpi
) -> None:
    higher, lower = make_kpi("UP"), make_kpi("DOWN", direction="lower")
    up = _target(enterprise, higher, target_type="increase_to", threshold=80.0, target=100.0)
    down = _target(enterprise, lower, target_type="decrease_to", threshold=120.0, target=100.0)
    Target.objects.filter(pk=up.pk).update(threshold=120.0)
    Target.objects.filter(pk=down.pk).update(target=130.0)
    start = YEAR_START.isoformat()
    assert problems() == [
        f"target DOWN@SALES/{start}: threshold (120) must not be below target (130) for a "
        "lower-is-better KPI",
        f"target UP@SALES/{start}: threshold (120) must not be above target (100) for a "
        "higher-is-better KPI",
    ]


def test_a_range_target_whose_low_end_is_not_below_its_high_end_is_reported(
    enterprise: Enterprise, make_kpi: MakeKpi
) -> None:
    band = make_kpi("BAND", direction="range", scoring="target_range")
    target = _target(enterprise, band, target_type="range", range_low=10.0, range_high=20.0)
    Target.objects.filter(pk=target.pk).update(range_low=20.0)
    assert problems() == [
        f"target BAND@SALES/{YEAR_START.isoformat()}: range_low (20) must be below range_high (20)"
    ]


def test_overlapping_target_spans_are_reported(enterprise: Enterprise, make_kpi: MakeKpi) -> None:
    kpi = make_kpi("UP")
    target = _target(enterprise, kpi, target_type="increase_to", threshold=80.0, target=100.0)
    later = dt.date(YEAR_START.year, 7, 1)
    Target.objects.create(
        **{
            field.attname: getattr(target, field.attname)
            for field in Target._meta.concrete_fields
            if field.name != "id"
        }
        | {"period_start": later, "period_end": dt.date(YEAR_END.year, 7, 1)}
    )
    assert problems() == [
        f"target UP@SALES/{later.isoformat()}: period_start: overlaps the target span from "
        f"{YEAR_START.isoformat()} to {YEAR_END.isoformat()}"
    ]


def test_a_formula_over_a_kpi_no_longer_in_force_is_reported(make_kpi: MakeKpi) -> None:
    make_kpi("COST", unit="GBP")
    make_kpi("SALES", unit="GBP")
    make_kpi("PROFIT", unit="GBP", formula="SALES - COST")
    KpiVersion.objects.filter(kpi__code="COST").update(valid_until=YEAR_START)
    assert problems() == [
        f"kpi PROFIT: formula: refers to 'COST', which is not a KPI in force on {today()}"
    ]


def test_a_status_rule_set_without_its_fallback_last_is_reported(
    enterprise: Enterprise, make_kpi: MakeKpi
) -> None:
    kpi = make_kpi("UP")
    rules = [RuleSpec("score", "ge", "green", 80.0), RuleSpec("score", "otherwise", "red")]
    do_set_status_rules(enterprise.users["admin"], kpi, rules, effective=DAY)
    StatusRule.objects.filter(kpi=kpi, position=1).update(comparison="lt", bound=50.0)
    assert problems() == [
        "status_rules UP: rules[1].comparison: the last rule must be the OTHERWISE fallback rule"
    ]


def test_measures_that_all_weigh_zero_are_reported(
    enterprise: Enterprise, make_kpi: MakeKpi, make_objective: MakeObjective
) -> None:
    objective = make_objective("SALES-1", unit="SALES")
    for code in ("UP", "ALSO"):
        do_set_measure(
            enterprise.users["admin"], objective, make_kpi(code), weight=1.0, effective=DAY
        )
    ObjectiveMeasure.objects.filter(objective=objective).update(weight=0.0)
    assert problems() == [
        "measures SALES-1: weight: the weights would all be zero: at least one must be above zero"
    ]


def test_perspective_weights_that_all_weigh_zero_are_reported(enterprise: Enterprise) -> None:
    admin, sales = enterprise.users["admin"], enterprise.units["SALES"]
    for perspective in Perspective.objects.all():
        do_set_perspective_weight(admin, perspective, sales, weight=1.0, effective=DAY)
    PerspectiveWeight.objects.filter(unit=sales).update(weight=0.0)
    assert problems() == [
        "perspective_weights SALES: weight: the weights would all be zero: at least one must be "
        "above zero"
    ]


def test_rubric_levels_whose_scores_do_not_rise_are_reported(enterprise: Enterprise) -> None:
    levels = [LevelSpec(number, f"Level {number}", f"Behaviour {number}") for number in (1, 2, 3)]
    do_save_rubric(enterprise.users["admin"], code="craft", name="Craft", levels=levels)
    RubricLevel.objects.filter(rubric__code="craft", level=3).update(score=40.0)
    assert problems() == ["rubric craft: levels[3].score: must be above the score of level 2 (50)"]
