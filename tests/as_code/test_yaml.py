"""Strategy as code: export, load, plan and apply the architecture as YAML files."""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import struct
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from scoreline.as_code import (
    ArchitectureInvalid,
    apply_architecture,
    export_architecture,
    load_architecture,
    plan_architecture,
)
from scoreline.as_code import apply as apply_module
from scoreline.as_code.commands import main_apply, main_export, main_plan
from scoreline.as_code.export import dump_file
from scoreline.as_code.parse import parse_architecture
from scoreline.as_code.schema import SECTIONS
from scoreline.audit.models import AuditEvent
from scoreline.cli import main as cli_main
from scoreline.kpis.models import (
    Kpi,
    KpiVersion,
    ObjectiveMeasure,
    Rubric,
    RubricLevel,
    Status,
    StatusRule,
    Target,
)
from scoreline.lib.dates import effective_on
from scoreline.lib.errors import AccessDenied, Invalid
from scoreline.lib.versioned import Versioned, save_version
from scoreline.planning.models import PlanningPeriod
from scoreline.scoring.models import PerspectiveWeight, ScorecardPolicy
from scoreline.strategy.models import (
    Objective,
    ObjectiveLink,
    ObjectiveVersion,
    Perspective,
    Theme,
)
from tests.builders.enterprise import Enterprise

START = dt.date(2026, 1, 1)
DAY = dt.date(2026, 3, 1)
YEAR_END = dt.date(2027, 1, 1)

VERSIONED: tuple[type[Versioned], ...] = (
    KpiVersion,
    ObjectiveVersion,
    ObjectiveMeasure,
    ObjectiveLink,
    Target,
    StatusRule,
    ScorecardPolicy,
    PerspectiveWeight,
)

KPI: dict[str, Any] = {
    "description": "",
    "unit": "EUR",
    "direction": "higher",
    "temporality": "lagging",
    "kind": "output",
    "function": "",
    "formula": "",
    "time_aggregation": "sum",
    "tree_aggregation": "sum",
    "refresh_cycle": "monthly",
    "data_source": "",
    "scoring": "linear",
    "band_edges": [],
    "band_scores": [],
    "esg_pillar": "",
    "disclosure_ref": "",
    "required_by": "",
}


def _version(model: type[Versioned], identity: dict[str, Any], **content: Any) -> None:
    save_version(model, identity, content, day=START, author=None, reason="setup", source="test")


def _kpi(code: str, **content: Any) -> Kpi:
    kpi = Kpi.objects.create(code=code)
    _version(KpiVersion, {"kpi": kpi}, **{**KPI, "name": code.capitalize(), **content})
    return kpi


def _objective(code: str, **content: Any) -> Objective:
    objective = Objective.objects.create(code=code)
    fields = {
        "name": code.replace("-", " ").capitalize(),
        "perspective": Perspective.objects.get(code="financial"),
        "horizon_start": START,
        "horizon_end": YEAR_END,
        **content,
    }
    _version(ObjectiveVersion, {"objective": objective}, **fields)
    return objective


@pytest.fixture
def world(enterprise: Enterprise) -> Enterprise:
    """A small architecture in force from 2026-01-01 on top of the enterprise."""
    people, units = enterprise.people, enterprise.units
    growth = Theme.objects.create(code="growth", name="Growth", description="Grow the business")
    rubric = Rubric.objects.create(code="leadership", name="Leadership")
    for level, label, score in [(1, "Emerging", 0.0), (2, "Solid", 50.0), (3, "Role model", 100.0)]:
        RubricLevel.objects.create(
            rubric=rubric,
            level=level,
            label=label,
            anchor=f"Shows {label.lower()}\nbehaviour",
            score=score,
        )
    revenue = _kpi(
        "revenue",
        name="Umsatz Überblick",
        description="Net revenue.\nBooked when invoiced.",
        owner=people["manager"],
        steward=people["steward"],
    )
    cost = _kpi("cost", direction="lower")
    margin = _kpi(
        "margin", unit="%", formula="(revenue - cost) / revenue", scoring="percent_capped"
    )
    nps = _kpi(
        "nps",
        unit="score",
        kind="quality",
        scoring="banded",
        band_edges=[0.0, 30.0, 50.0],
        band_scores=[0.0, 40.0, 70.0, 100.0],
    )
    leadership = _kpi(
        "leadership",
        unit="score",
        kind="qualitative",
        scoring="rubric",
        rubric=rubric,
        time_aggregation="last",
        tree_aggregation="average",
    )
    amber, green, red = (Status.objects.get(code=code) for code in ("amber", "green", "red"))
    for position, (comparison, bound, status) in enumerate(
        [("le", 100.0, green), ("le", 120.0, amber), ("otherwise", None, red)]
    ):
        _version(
            StatusRule,
            {"kpi": cost, "position": position},
            basis="value",
            comparison=comparison,
            bound=bound,
            status=status,
        )
    _version(
        ScorecardPolicy,
        {"unit": units["SALES"]},
        combine="minimum",
        missing="blank",
        cap_at_100=False,
        cascade_share=0.5,
    )
    for code, weight in [("financial", 0.4), ("customer", 0.3), ("internal-process", 0.2)]:
        perspective = Perspective.objects.get(code=code)
        _version(PerspectiveWeight, {"perspective": perspective, "unit": None}, weight=weight)
    _version(
        PerspectiveWeight,
        {"perspective": Perspective.objects.get(code="customer"), "unit": units["SALES"]},
        weight=1.0 / 3.0,
    )
    grow = _objective("grow", unit=units["GRP"], theme=growth, owner=people["ceo"])
    sales_up = _objective(
        "sales-up",
        unit=units["SALES"],
        parent=grow,
        contribution_weight=0.6,
        weight=2.0,
    )
    lead = _objective(
        "lead",
        unit=units["SALES"],
        parent=grow,
        perspective=Perspective.objects.get(code="learning-growth"),
        esg_pillar="S",
        disclosure_ref="GRI 404-1",
        required_by="investor",
    )
    goal = _objective("goal-employee", person=people["employee"], parent=sales_up)
    for objective, kpi, weight in [
        (grow, revenue, 1.0),
        (grow, margin, 0.5),
        (sales_up, revenue, 1.0),
        (lead, leadership, 1.0),
        (goal, nps, 1.0),
    ]:
        _version(ObjectiveMeasure, {"objective": objective, "kpi": kpi}, weight=weight)
    _version(ObjectiveLink, {"cause": lead, "effect": sales_up})
    _version(ObjectiveLink, {"cause": sales_up, "effect": grow})
    _version(
        Target,
        {"kpi": revenue, "unit": units["SALES"], "person": None, "period_start": START},
        period_end=YEAR_END,
        target_type="increase_to",
        threshold=80.0,
        target=100.0,
        stretch=120.0,
        phasing="seasonal",
        profile=[1.0 / 3.0] * 6 + [2.0] * 6,
    )
    _version(
        Target,
        {"kpi": cost, "unit": units["FIN"], "person": None, "period_start": START},
        period_end=YEAR_END,
        target_type="stay_below",
        threshold=120.0,
        target=100.0,
    )
    _version(
        Target,
        {"kpi": revenue, "unit": None, "person": people["employee"], "period_start": START},
        period_end=YEAR_END,
        target_type="increase_to",
        threshold=8.0,
        target=10.0,
    )
    return enterprise


def _wipe_architecture() -> None:
    """Back to a fresh database with the same organisation: only the installed defaults."""
    for model in (ObjectiveLink, ObjectiveMeasure, Target, ObjectiveVersion, PerspectiveWeight):
        model.objects.all().delete()
    Objective.objects.all().delete()
    StatusRule.objects.filter(kpi__isnull=False).delete()
    ScorecardPolicy.objects.filter(unit__isnull=False).delete()
    KpiVersion.objects.all().delete()
    Kpi.objects.all().delete()
    Rubric.objects.all().delete()
    Theme.objects.all().delete()


def _counts() -> dict[str, int]:
    counts = {model.__name__: model._default_manager.count() for model in VERSIONED}
    counts["AuditEvent"] = AuditEvent.objects.count()
    counts["Objective"] = Objective.objects.count()
    counts["Kpi"] = Kpi.objects.count()
    counts["Theme"] = Theme.objects.count()
    return counts


def _export_text(tmp_path: Path, name: str = "strategy.yaml") -> tuple[Path, str]:
    path = tmp_path / name
    export_architecture(path, DAY)
    return path, path.read_text(encoding="utf-8")


def _replace(path: Path, old: str, new: str) -> int:
    """Replace one snippet in a file; returns the line where the new text starts."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    index = text.index(old)
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[:index].count("\n") + 1


# --------------------------------------------------------------------------- export


def test_the_export_holds_every_section_in_a_fixed_order_without_ids(
    world: Enterprise, tmp_path: Path
) -> None:
    _, text = _export_text(tmp_path)
    data = yaml.safe_load(text)
    assert list(data) == [spec.name for spec in SECTIONS]
    assert [kpi["code"] for kpi in data["kpis"]] == sorted(kpi["code"] for kpi in data["kpis"])
    revenue = next(kpi for kpi in data["kpis"] if kpi["code"] == "revenue")
    assert list(revenue) == [field.name for field in SECTIONS[4].fields]
    assert revenue["owner"] == world.people["manager"].employee_id
    assert revenue["name"] == "Umsatz Überblick"
    assert "Umsatz Überblick" in text  # written as it is, not escaped
    assert "description: |-\n    Net revenue.\n    Booked when invoiced." in text
    margin = next(kpi for kpi in data["kpis"] if kpi["code"] == "margin")
    assert margin["formula"] == "(revenue - cost) / revenue"
    assert "valid_from" not in text and "recorded_at" not in text and " id:" not in text
    weights = next(card for card in data["scorecards"] if card["unit"] == "SALES")["weights"]
    assert weights == [{"perspective": "customer", "weight": 1.0 / 3.0}]


def test_individual_goals_and_the_targets_of_people_are_not_exported(
    world: Enterprise, tmp_path: Path
) -> None:
    _, text = _export_text(tmp_path)
    data = yaml.safe_load(text)
    assert [objective["code"] for objective in data["objectives"]] == ["grow", "lead", "sales-up"]
    assert "goal-employee" not in text
    assert [(target["kpi"], target["unit"]) for target in data["targets"]] == [
        ("cost", "FIN"),
        ("revenue", "SALES"),
    ]
    assert world.people["employee"].employee_id not in text


def test_exporting_twice_writes_the_same_bytes(world: Enterprise, tmp_path: Path) -> None:
    _, first = _export_text(tmp_path, "a.yaml")
    _, second = _export_text(tmp_path, "b.yaml")
    assert first == second


@pytest.mark.parametrize("form", ["strategy.yaml", "strategy"])
def test_export_apply_on_a_fresh_database_export_is_byte_identical(
    world: Enterprise, tmp_path: Path, form: str
) -> None:
    original = tmp_path / "original" / form
    written = export_architecture(original, DAY)
    before = {file.name: file.read_bytes() for file in written}
    _wipe_architecture()

    plan = apply_architecture(original, DAY, reason="round trip")

    assert plan.count("create") > 0 and plan.count("update") == 0
    again = export_architecture(tmp_path / "again" / form, DAY)
    assert {file.name: file.read_bytes() for file in again} == before
    if form == "strategy":
        assert sorted(before) == sorted(spec.file_name for spec in SECTIONS)
    assert KpiVersion.objects.filter(source="yaml", reason="round trip").count() == 5
    lead = ObjectiveVersion.objects.get(objective__code="lead")
    assert (lead.unit, lead.parent, lead.esg_pillar, lead.disclosure_ref, lead.required_by) == (
        world.units["SALES"],
        Objective.objects.get(code="grow"),
        "S",
        "GRI 404-1",
        "investor",
    )
    revenue = KpiVersion.objects.get(kpi__code="revenue")
    assert (revenue.owner, revenue.steward) == (world.people["manager"], world.people["steward"])
    target = Target.objects.get(kpi__code="revenue")
    assert target.profile == [1.0 / 3.0] * 6 + [2.0] * 6
    first_level = RubricLevel.objects.order_by("level").first()
    assert first_level is not None and first_level.anchor == "Shows emerging\nbehaviour"


def test_the_export_is_as_of_its_day(world: Enterprise, tmp_path: Path) -> None:
    path = tmp_path / "before.yaml"
    export_architecture(path, START - dt.timedelta(days=1))

    data = yaml.safe_load(path.read_text(encoding="utf-8"))

    assert (data["kpis"], data["objectives"], data["targets"], data["links"]) == ([], [], [], [])
    assert [rule_set["kpi"] for rule_set in data["status_rules"]] == [None]


@settings(max_examples=200, deadline=None)
@given(weight=st.floats(allow_nan=False, allow_infinity=False))
def test_floats_read_back_to_the_same_value(weight: float) -> None:
    records: dict[str, list[dict[str, Any]]] = {spec.name: [] for spec in SECTIONS}
    records["scorecards"] = [
        {"unit": None, "policy": None, "weights": [{"perspective": "p", "weight": weight}]}
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "one.yaml"
        path.write_text(dump_file(records), encoding="utf-8")
        parsed = parse_architecture(path)

    assert parsed.errors == []
    read = parsed.records["scorecards"][0]["weights"][0]["weight"]
    assert struct.pack("<d", read) == struct.pack("<d", weight)


# --------------------------------------------------------------------------- plan and apply


def _edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Edit the file as data and write it back the way the export writes."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(dump_file(data), encoding="utf-8")


def _add_target(
    start: dt.date, end: dt.date, unit: str = "FIN"
) -> Callable[[dict[str, Any]], None]:
    """Another target like the one of cost at FIN."""

    def change(data: dict[str, Any]) -> None:
        added = copy.deepcopy(data["targets"][0])
        added |= {"unit": unit, "period_start": start, "period_end": end}
        data["targets"].append(added)

    return change


def _drop_objective(code: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["objectives"] = [row for row in data["objectives"] if row["code"] != code]
        data["links"] = [row for row in data["links"] if code not in (row["cause"], row["effect"])]

    return change


def test_applying_an_unchanged_export_changes_nothing(world: Enterprise, tmp_path: Path) -> None:
    path, _ = _export_text(tmp_path)
    before = _counts()

    assert plan_architecture(path, DAY).is_empty
    plan = apply_architecture(path, DAY, reason="no-op")

    assert plan.is_empty
    assert _counts() == before


def test_the_plan_shows_an_edited_field_before_and_after(world: Enterprise, tmp_path: Path) -> None:
    path, _ = _export_text(tmp_path)
    _replace(path, "name: Umsatz Überblick", "name: Net revenue")

    plan = plan_architecture(path, DAY)

    assert [(change.action, change.label) for change in plan.changes] == [
        ("update", "kpi 'revenue'")
    ]
    (field,) = plan.changes[0].fields
    assert (field.name, field.before, field.after) == ("name", "Umsatz Überblick", "Net revenue")
    assert "~ kpi 'revenue'\n      name: 'Umsatz Überblick' -> 'Net revenue'" in plan.render()
    assert plan.render().startswith(
        "Plan for 2026-03-01 from " + str(path) + ": 0 to create, 1 to update, 0 to retire"
    )


def test_applying_an_edit_writes_one_version_and_one_audit_event(
    world: Enterprise, tmp_path: Path
) -> None:
    path, _ = _export_text(tmp_path)
    _replace(path, "name: Umsatz Überblick", "name: Net revenue")
    events = AuditEvent.objects.count()

    apply_architecture(path, DAY, actor=world.users["admin"], reason="rename")

    current = KpiVersion.objects.get(kpi__code="revenue", valid_until__isnull=True)
    assert (current.name, current.valid_from, current.source, current.reason) == (
        "Net revenue",
        DAY,
        "yaml",
        "rename",
    )
    assert KpiVersion.objects.get(kpi__code="revenue", valid_from=START).valid_until == DAY
    (event,) = AuditEvent.objects.filter(seq__gt=events)
    assert (event.action, event.reason, event.actor_username) == (
        "kpi.update",
        "rename",
        "admin",
    )
    assert event.before is not None and event.after is not None
    assert (event.before["name"], event.after["name"]) == ("Umsatz Überblick", "Net revenue")


def test_nested_changes_are_shown_field_by_field_and_removals_retire(
    world: Enterprise, tmp_path: Path
) -> None:
    path, _ = _export_text(tmp_path)
    _replace(path, "    bound: 120.0\n", "    bound: 125.0\n")
    _replace(path, "- cause: lead\n  effect: sales-up\n", "")

    plan = plan_architecture(path, DAY)

    rendered = plan.render()
    assert "~ status rules of 'cost'" in rendered
    assert "rules[1].bound: 120.0 -> 125.0" in rendered
    assert "- link 'lead' -> 'sales-up'" in rendered
    apply_architecture(path, DAY, reason="tune")
    assert not ObjectiveLink.objects.filter(cause__code="lead", valid_until__isnull=True).exists()
    rules = StatusRule.objects.filter(effective_on(DAY), kpi__code="cost").order_by("position")
    assert [rule.bound for rule in rules] == [100.0, 125.0, None]
    assert [rule.valid_from == DAY for rule in rules] == [False, True, False]
    assert AuditEvent.objects.filter(action="status_rules.set").count() == 1
    assert AuditEvent.objects.filter(action="objective_link.end").count() == 1


def test_a_removed_objective_retires_with_its_measures_and_links(
    world: Enterprise, tmp_path: Path
) -> None:
    path, _ = _export_text(tmp_path)
    _edit(path, _drop_objective("lead"))

    plan = apply_architecture(path, DAY, reason="drop lead")

    assert [(change.action, change.label) for change in plan.changes] == [
        ("retire", "objective 'lead'"),
        ("retire", "measure 'leadership' of objective 'lead'"),
        ("retire", "link 'lead' -> 'sales-up'"),
    ]
    lead = Objective.objects.get(code="lead")
    assert ObjectiveVersion.objects.get(objective=lead).valid_until == DAY
    assert ObjectiveMeasure.objects.get(objective=lead).valid_until == DAY
    assert ObjectiveLink.objects.get(cause=lead).valid_until == DAY
    actions = AuditEvent.objects.filter(reason="drop lead").values_list("action", flat=True)
    assert sorted(actions) == ["measure.remove", "objective.retire", "objective_link.end"]


def test_an_objective_an_individual_goal_contributes_to_cannot_be_removed(
    world: Enterprise, tmp_path: Path
) -> None:
    path, _ = _export_text(tmp_path)
    _edit(path, _drop_objective("sales-up"))

    (error,) = plan_architecture(path, DAY).errors

    assert error.reason == (
        "objectives: objective 'sales-up' is not in the files but the individual goal "
        "'goal-employee' still contributes to it"
    )


def test_a_governed_change_in_an_open_period_needs_a_change_request(
    world: Enterprise, tmp_path: Path
) -> None:
    PlanningPeriod.objects.create(label="FY2026", start=START, end=YEAR_END, state="open")
    path, _ = _export_text(tmp_path)
    _replace(path, "name: Umsatz Überblick", "name: Net revenue")
    _replace(path, "name: Growth\n", "name: Growth first\n")
    before = _counts()

    plan = plan_architecture(path, DAY)
    with pytest.raises(Invalid) as refused:
        apply_architecture(path, DAY, reason="rename")

    assert [change.label for change in plan.in_open_period] == ["kpi 'revenue'"]
    assert "[open period FY2026: needs a change request]" in plan.render()
    assert refused.value.code == "change_request_required"
    assert refused.value.message == (
        "1 change falls in open period FY2026 and needs a change request: kpi 'revenue'"
    )
    assert _counts() == before
    assert Theme.objects.get(code="growth").name == "Growth"


def _add_objective(code: str, unit: str, parent: str) -> Callable[[dict[str, Any]], None]:
    """Another objective like sales-up, without measures, in ``unit`` under ``parent``."""

    def change(data: dict[str, Any]) -> None:
        [model] = [row for row in data["objectives"] if row["code"] == "sales-up"]
        added = copy.deepcopy(model) | {"code": code, "unit": unit, "parent": parent}
        data["objectives"].append(added | {"name": f"Objective {code}", "measures": []})

    return change


def test_retiring_an_objective_or_adding_one_that_counts_as_missing_needs_a_request(
    world: Enterprise, tmp_path: Path
) -> None:
    """Sales blanks missing data: a new objective under sales-up alters its score; the
    default policy skips it, so one under grow in Finance alters nothing."""
    PlanningPeriod.objects.create(label="FY2026", start=START, end=YEAR_END, state="open")
    path, _ = _export_text(tmp_path)
    _edit(path, _drop_objective("lead"))
    _edit(path, _add_objective("north-up", "SALES-N", parent="sales-up"))
    _edit(path, _add_objective("fin-save", "FIN", parent="grow"))
    before = _counts()

    plan = plan_architecture(path, DAY)
    with pytest.raises(Invalid) as refused:
        apply_architecture(path, DAY, reason="reshape")

    assert [change.label for change in plan.in_open_period] == [
        "objective 'lead'",
        "objective 'north-up'",
        "measure 'leadership' of objective 'lead'",
    ]
    assert refused.value.code == "change_request_required"
    assert "objective 'lead'; objective 'north-up'; measure" in refused.value.message
    assert _counts() == before

    path, _ = _export_text(tmp_path)
    _edit(path, _add_objective("fin-save", "FIN", parent="grow"))
    applied = apply_architecture(path, DAY, reason="save costs")
    assert [(change.label, change.governed) for change in applied.changes] == [
        ("objective 'fin-save'", False)
    ]
    assert Objective.objects.filter(code="fin-save").exists()


def test_a_change_reaching_into_a_closed_period_is_refused(
    world: Enterprise, tmp_path: Path
) -> None:
    PlanningPeriod.objects.create(label="FY2026", start=START, end=YEAR_END, state="closed")
    path, _ = _export_text(tmp_path)
    _replace(path, "  threshold: 120.0\n", "  threshold: 130.0\n")

    with pytest.raises(Invalid) as refused:
        apply_architecture(path, DAY, reason="late")

    assert refused.value.code == "period_closed"
    assert "target of 'cost' at 'FIN' from 2026-01-01" in refused.value.message


def test_a_new_target_is_refused_in_a_closed_period_and_needs_a_request_in_an_open_one(
    world: Enterprise, tmp_path: Path
) -> None:
    """A first target changes the scores of its months as much as a revision does."""
    path, _ = _export_text(tmp_path)
    _edit(path, _add_target(START, YEAR_END, unit="DE"))
    period = PlanningPeriod.objects.create(
        label="FY2026", start=START, end=YEAR_END, state="closed"
    )
    before = _counts()

    with pytest.raises(Invalid) as closed:
        apply_architecture(path, DAY, reason="late")
    period.state = "open"
    period.save()
    plan = plan_architecture(path, DAY)
    with pytest.raises(Invalid) as running:
        apply_architecture(path, DAY, reason="new")

    assert (closed.value.code, running.value.code) == ("period_closed", "change_request_required")
    assert [(change.label, change.governed, change.period_state) for change in plan.changes] == [
        ("target of 'cost' at 'DE' from 2026-01-01", True, "open")
    ]
    assert _counts() == before


def test_a_target_for_a_later_year_is_not_governed_by_the_open_year(
    world: Enterprise, tmp_path: Path
) -> None:
    PlanningPeriod.objects.create(label="FY2026", start=START, end=YEAR_END, state="open")
    path, _ = _export_text(tmp_path)
    _edit(path, _add_target(YEAR_END, dt.date(2028, 1, 1)))

    plan = apply_architecture(path, DAY, reason="next year")

    assert [(change.action, change.governed, change.period) for change in plan.changes] == [
        ("create", True, "")
    ]


def test_a_scorecard_policy_is_governed_like_the_definitions_it_rolls_up(
    world: Enterprise, tmp_path: Path
) -> None:
    path, _ = _export_text(tmp_path)
    _replace(path, "    combine: minimum\n", "    combine: weighted_mean\n")
    period = PlanningPeriod.objects.create(
        label="FY2026", start=START, end=YEAR_END, state="closed"
    )

    closed_plan = plan_architecture(path, DAY)
    with pytest.raises(Invalid) as closed:
        apply_architecture(path, DAY, reason="late")
    period.state = "open"
    period.save()
    open_plan = plan_architecture(path, DAY)
    with pytest.raises(Invalid) as running:
        apply_architecture(path, DAY, reason="policy")
    period.state = "draft"
    period.save()
    apply_architecture(path, DAY, reason="policy")

    label = "scorecard policy of 'SALES'"
    assert [change.label for change in closed_plan.in_closed_period] == [label]
    assert [change.label for change in open_plan.in_open_period] == [label]
    assert (closed.value.code, running.value.code) == ("period_closed", "change_request_required")
    policy = ScorecardPolicy.objects.get(unit__code="SALES", valid_from=DAY)
    assert (policy.combine, policy.source) == ("weighted_mean", "yaml")


def test_each_change_needs_the_right_its_action_needs(world: Enterprise, tmp_path: Path) -> None:
    """The data steward may edit KPIs and targets, not objectives: the same files split."""
    path, _ = _export_text(tmp_path)
    _replace(path, "  threshold: 120.0\n", "  threshold: 110.0\n")
    allowed = apply_architecture(path, DAY, actor=world.users["steward"], reason="kpi work")
    _replace(path, "name: Growth\n", "name: Growth first\n")
    _replace(path, "  threshold: 110.0\n", "  threshold: 105.0\n")

    with pytest.raises(AccessDenied, match="strategy map"):
        apply_architecture(path, DAY, actor=world.users["steward"], reason="strategy work")

    assert [change.label for change in allowed.changes] == [
        "target of 'cost' at 'FIN' from 2026-01-01"
    ]
    target = Target.objects.get(kpi__code="cost", unit__code="FIN", valid_from=DAY)
    assert (target.threshold, target.author, target.source) == (
        110.0,
        world.users["steward"],
        "yaml",
    )
    assert Theme.objects.get(code="growth").name == "Growth"
    assert Target.objects.get(kpi__code="cost", unit__code="FIN", valid_from=DAY).threshold == 110


def test_apply_is_atomic_when_the_last_write_fails(
    world: Enterprise, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _ = _export_text(tmp_path)
    _wipe_architecture()
    before = _counts()
    total = len(plan_architecture(path, DAY).changes)
    calls: list[str] = []
    carry_out = apply_module._carry_out

    def failing(change: Any, planned: Any, *args: Any) -> Any:
        calls.append(planned.label)
        altered = carry_out(change, planned, *args)
        if len(calls) == total:
            raise RuntimeError("disk full")
        return altered

    monkeypatch.setattr(apply_module, "_carry_out", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        apply_architecture(path, DAY, reason="round trip")

    assert len(calls) == total > 20
    assert _counts() == before


def test_a_theme_still_used_by_history_cannot_be_removed(world: Enterprise, tmp_path: Path) -> None:
    path, _ = _export_text(tmp_path)
    _replace(
        path,
        "themes:\n- code: growth\n  name: Growth\n  description: Grow the business\n",
        "themes: []\n",
    )
    _replace(path, "theme: growth", "theme: null")

    plan = plan_architecture(path, DAY)

    (error,) = plan.errors
    assert "theme 'growth' is not in the files but cannot be removed" in error.reason
    assert "1 objective versions" in error.reason


def test_a_user_without_the_rights_cannot_apply(world: Enterprise, tmp_path: Path) -> None:
    path, _ = _export_text(tmp_path)
    _replace(path, "name: Umsatz Überblick", "name: Net revenue")

    with pytest.raises(AccessDenied):
        apply_architecture(path, DAY, actor=world.users["employee"], reason="rename")

    assert KpiVersion.objects.filter(source="yaml").count() == 0


def test_a_reason_is_required(world: Enterprise, tmp_path: Path) -> None:
    path, _ = _export_text(tmp_path)
    with pytest.raises(Invalid, match="reason"):
        apply_architecture(path, DAY, reason="  ")


# --------------------------------------------------------------------------- bad input

BadEdit = tuple[str, str, str, str]

BAD_INPUT: dict[str, BadEdit] = {
    # case: (old snippet, new snippet, where the problem is in the edited file, reason)
    "unknown key": (
        "- code: cost\n  name: Cost\n",
        "- code: cost\n  colour: blue\n  name: Cost\n",
        "  colour: blue",
        "kpis.colour: unknown key 'colour'",
    ),
    "wrong type": (
        "  contribution_weight: 0.6\n",
        "  contribution_weight: abc\n",
        "  contribution_weight: abc",
        "objectives.contribution_weight: expected a number, got text 'abc'",
    ),
    "missing KPI reference": (
        "  - kpi: leadership\n",
        "  - kpi: charisma\n",
        "  - kpi: charisma",
        "objectives.measures[0].kpi: unknown KPI 'charisma' (not in the kpis section)",
    ),
    "formula cycle": (
        "  kind: output\n  function: ''\n  formula: ''\n  time_aggregation: sum\n"
        "  tree_aggregation: sum\n  refresh_cycle: monthly\n  data_source: ''\n"
        "  owner: null\n  steward: null\n  scoring: linear\n  band_edges: []\n"
        "  band_scores: []\n  rubric: null\n  esg_pillar: ''\n  disclosure_ref: ''\n"
        "  required_by: ''\n- code: leadership\n",
        "  kind: output\n  function: ''\n  formula: margin * revenue\n  time_aggregation: sum\n"
        "  tree_aggregation: sum\n  refresh_cycle: monthly\n  data_source: ''\n"
        "  owner: null\n  steward: null\n  scoring: linear\n  band_edges: []\n"
        "  band_scores: []\n  rubric: null\n  esg_pillar: ''\n  disclosure_ref: ''\n"
        "  required_by: ''\n- code: leadership\n",
        "  formula: (revenue - cost) / revenue",
        "kpis.formula: the formulas form a cycle: cost -> margin -> cost",
    ),
    "cascade cycle": (
        "  owner: E00001\n  parent: null\n",
        "  owner: E00001\n  parent: lead\n",
        "  parent: grow\n  contribution_weight: 1.0\n  weight: 1.0\n",
        "objectives.parent: the cascade forms a cycle: grow -> lead -> grow",
    ),
    "forbidden formula construct": (
        "  formula: (revenue - cost) / revenue\n",
        "  formula: revenue.real / cost\n",
        "  formula: revenue.real / cost",
        "kpis.formula: attribute access is not allowed (col 1)",
    ),
    "formula without inputs": (
        "  formula: (revenue - cost) / revenue\n",
        "  formula: 2*3\n",
        "  formula: 2*3",
        "kpis.formula: '2*3' reads no KPI: a formula must read at least one KPI; a constant "
        "goal belongs in the KPI's target",
    ),
    "unknown enum value": (
        "  direction: lower\n",
        "  direction: down\n",
        "  direction: down",
        "kpis.direction: unknown value 'down' (allowed: 'higher', 'lower', 'range')",
    ),
    "formula unit mismatch": (
        "  formula: (revenue - cost) / revenue\n",
        "  formula: revenue - cost\n",
        "  formula: revenue - cost",
        "kpis.formula: formula 'revenue - cost' gives EUR, but the KPI's unit is '%'",
    ),
    "duplicate code": (
        "- code: nps\n",
        "- code: cost\n",
        "- code: cost\n  name: Nps",
        "kpis.code: 'cost' appears twice (first on line",
    ),
    "thresholds out of order": (
        "  threshold: 80.0\n",
        "  threshold: 110.0\n",
        "  threshold: 110.0",
        "targets: threshold (110) must not be above target (100) for a higher-is-better KPI",
    ),
    "negative weight": (
        "  weight: 2.0\n",
        "  weight: -2.0\n",
        "  weight: -2.0",
        "objectives.weight: a weight cannot be negative, got -2",
    ),
    "missing unit": (
        "  unit: SALES\n  perspective: learning-growth\n",
        "  unit: SALES-S\n  perspective: learning-growth\n",
        "  unit: SALES-S",
        "objectives.unit: no unit with code 'SALES-S'",
    ),
    "missing key": (
        "  target_type: stay_below\n",
        "",
        "- kpi: cost\n  unit: FIN",
        "targets: missing key 'target_type'",
    ),
    "all-zero weights": (
        "  measures:\n  - kpi: margin\n    weight: 0.5\n  - kpi: revenue\n    weight: 1.0\n",
        "  measures:\n  - kpi: margin\n    weight: 0.0\n  - kpi: revenue\n    weight: 0.0\n",
        "  - kpi: margin\n    weight: 0.0",
        "objectives.measures: the weights would all be zero",
    ),
    "measure given twice": (
        "  - kpi: margin\n    weight: 0.5\n  - kpi: revenue\n",
        "  - kpi: margin\n    weight: 0.5\n  - kpi: margin\n",
        "  - kpi: margin\n    weight: 1.0\n",
        "objectives.measures[1].kpi: 'margin' appears twice in this record (first on line",
    ),
    "share outside 0 to 1": (
        "  cascade_share: 0.5\n",
        "  cascade_share: 1.5\n",
        "  cascade_share: 1.5",
        "scorecards.policy.cascade_share: a share lies between 0 and 1, got 1.5",
    ),
    "unknown person": (
        "  owner: E00001\n",
        "  owner: E99999\n",
        "  owner: E99999",
        "objectives.owner: no person with employee id 'E99999'",
    ),
}


def _line_of(path: Path, marker: str) -> int:
    text = path.read_text(encoding="utf-8")
    assert text.count(marker) == 1, f"{marker!r} occurs {text.count(marker)} times"
    return text[: text.index(marker)].count("\n") + 1


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_fails_with_file_line_and_reason_and_nothing_is_applied(
    world: Enterprise, tmp_path: Path, case: str
) -> None:
    old, new, marker, reason = BAD_INPUT[case]
    path, _ = _export_text(tmp_path)
    _replace(path, old, new)
    line = _line_of(path, marker)
    before = _counts()

    loaded = load_architecture(path, DAY)
    with pytest.raises(ArchitectureInvalid) as refused:
        apply_architecture(path, DAY, reason="bad")

    matching = [error for error in loaded.errors if error.reason.startswith(reason)]
    assert matching, [str(error) for error in loaded.errors]
    assert (matching[0].file, matching[0].line) == (str(path), line)
    assert refused.value.errors == loaded.errors
    assert refused.value.code == "invalid_architecture"
    assert _counts() == before


def test_every_problem_is_reported_at_once(world: Enterprise, tmp_path: Path) -> None:
    path, _ = _export_text(tmp_path)
    _replace(path, "  direction: lower\n", "  direction: down\n")
    _replace(path, "  contribution_weight: 0.6\n", "  contribution_weight: abc\n")
    _replace(path, "- cause: lead\n", "- cause: nobody\n")

    plan = plan_architecture(path, DAY)

    assert [error.reason.split(":")[0] for error in plan.errors] == [
        "kpis.direction",
        "objectives.contribution_weight",
        "links.cause",
    ]
    assert plan.is_empty
    assert plan.render().startswith(f"Plan for 2026-03-01 from {path}: 3 problems")


def test_a_folder_missing_a_section_file_is_refused(world: Enterprise, tmp_path: Path) -> None:
    folder = tmp_path / "strategy"
    export_architecture(folder, DAY)
    (folder / "links.yaml").unlink()
    (folder / "notes.yaml").write_text("[]\n", encoding="utf-8")

    errors = load_architecture(folder, DAY).errors

    assert [(Path(error.file).name, error.reason) for error in errors] == [
        ("links.yaml", "no such file"),
        ("notes.yaml", errors[1].reason),
    ]
    assert errors[1].reason.startswith("unknown section file")


def test_invalid_yaml_names_its_line(world: Enterprise, tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("perspectives: []\nthemes: []\nkpis: x: y\n", encoding="utf-8")

    (error,) = load_architecture(path, DAY).errors

    assert error.file == str(path)
    assert error.line == 3
    assert error.reason.startswith("not valid YAML")


def test_aliases_are_refused(world: Enterprise, tmp_path: Path) -> None:
    path, _ = _export_text(tmp_path)
    _replace(path, "  measures:\n  - kpi: margin\n", "  measures: &m\n  - kpi: margin\n")
    _replace(path, "  measures:\n  - kpi: leadership\n    weight: 1.0\n", "  measures: *m\n")

    errors = load_architecture(path, DAY).errors

    assert any("aliases (*name) are not supported" in error.reason for error in errors)


# --------------------------------------------------------------------------- commands


def _args(path: Path, **extra: Any) -> argparse.Namespace:
    return argparse.Namespace(path=str(path), as_of=DAY, **extra)


def test_the_commands_export_plan_and_apply(
    world: Enterprise, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "strategy"
    assert main_export(_args(folder)) == 0
    assert "exported the architecture in force on 2026-03-01 to 10 files" in capsys.readouterr().out
    _replace(folder / "themes.yaml", "name: Growth\n", "name: Growth first\n")

    assert main_plan(_args(folder)) == 0
    assert "~ theme 'growth'\n      name: 'Growth' -> 'Growth first'" in capsys.readouterr().out
    assert main_apply(_args(folder, reason="cli")) == 0
    assert "applied 1 change" in capsys.readouterr().out
    assert Theme.objects.get(code="growth").name == "Growth first"


def test_the_plan_command_prints_each_problem_and_fails(
    world: Enterprise, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = _export_text(tmp_path)
    line = _replace(path, "  direction: lower\n", "  direction: down\n")

    assert main_plan(_args(path)) == 1
    assert main_apply(_args(path, reason="bad")) == 1

    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"{path}:{line}: kpis.direction: unknown value 'down'")
    assert err[1] == f"scoreline: 1 problem in {path}; nothing was applied"


def test_the_command_line_runs_the_strategy_commands(
    world: Enterprise, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "strategy.yml"
    assert cli_main(["strategy", "export", str(path), "--as-of", "2026-03-01"]) == 0
    _replace(path, "name: Growth\n", "name: Growth first\n")
    PlanningPeriod.objects.create(label="FY2026", start=START, end=YEAR_END, state="closed")
    _replace(path, "  threshold: 120.0\n", "  threshold: 130.0\n")
    capsys.readouterr()

    status = cli_main(["strategy", "apply", str(path), "--as-of", "2026-03-01", "--reason", "x"])

    assert status == 1
    assert capsys.readouterr().err == (
        "scoreline: 1 change falls in closed period FY2026 and is refused: "
        "target of 'cost' at 'FIN' from 2026-01-01\n"
    )
    assert Theme.objects.get(code="growth").name == "Growth"
