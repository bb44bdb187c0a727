"""SMART, redundancy and specificity audits over a small architecture built through the actions.

The architecture is dated from today so the reports' default day (today) sees it: two
years of monthly values up to this month, and targets for the twelve months from it.
Each KPI's series is noise around a level and ends on the level, and each target asks for
that level, so nothing fails except what is planted:

- CUS-LOYALTY has a vague name (SMART S);
- FIN-DSO has no owner (SMART A);
- SAL-ORDERS (sales) and FIN-REVENUE (finance) move together: a duplicate pair;
- OPS-OUTPUT (higher is better) and OPS-OVERTIME (lower is better) move together: a
  conflicting pair.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from pytest_django import Settings

from scoreline.engine.smart import SmartRules, Variant
from scoreline.kpi_quality.reports import (
    organisation_series,
    redundancy_report,
    smart_check_definition,
    smart_report,
    specificity_report,
)
from scoreline.kpis.actions.definitions import do_create_kpi
from scoreline.kpis.models import Kpi, KpiVersion
from scoreline.kpis.smart import smart_rules
from scoreline.lib.dates import today
from scoreline.lib.env import ConfigError
from scoreline.org.actions import do_create_unit
from scoreline.scoring.actions.definitions import do_set_measure, do_set_target
from scoreline.scoring.actions.values import do_record_value
from scoreline.strategy.actions.objectives import do_create_objective
from scoreline.strategy.models import Perspective
from tests.enterprise import Enterprise

pytestmark = pytest.mark.django_db

HISTORY_MONTHS = 24
SPAN_MONTHS = 12


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Spec:
    code: str
    name: str
    description: str
    function: str
    unit_of_measure: str
    direction: str
    time_aggregation: str
    tree_aggregation: str
    source: str
    at: str  # the unit whose values and target are entered
    level: float
    owner: str | None = "ceo"


SPECS = [
    Spec("SAL-ORDERS", "Order intake value", "Signed customer orders in the month",
         "sales", "EUR", "higher", "sum", "sum", "crm.orders", "SALES", 1000.0),
    Spec("FIN-REVENUE", "Recognised revenue", "Revenue booked in the general ledger",
         "finance", "EUR", "higher", "sum", "sum", "erp.ledger", "FIN", 800.0),
    Spec("OPS-OUTPUT", "Units shipped", "Finished units leaving the warehouse",
         "operations", "count", "higher", "sum", "sum", "wms.shipments", "UK", 500.0),
    Spec("OPS-OVERTIME", "Overtime hours", "Paid hours beyond contract across shifts",
         "people", "hours", "lower", "sum", "sum", "hris.timesheets", "UK", 200.0),
    Spec("CUS-LOYALTY", "Improve customer loyalty", "Share of customers renewing a contract",
         "sales", "%", "higher", "average", "average", "crm.renewals", "SALES", 40.0),
    Spec("FIN-DSO", "Debtor collection days", "Average days from invoice to cash received",
         "finance", "days", "lower", "average", "average", "erp.receivables", "FIN", 45.0,
         owner=None),
    Spec("HR-ABSENCE", "Sickness absence rate", "Working days lost to sickness over days planned",
         "people", "%", "lower", "average", "average", "hris.absence", "GRP", 4.0),
]  # fmt: skip
SPEC = {spec.code: spec for spec in SPECS}
PLANTED_SMART = {"CUS-LOYALTY": ["S"], "FIN-DSO": ["A"]}
PLANTED_PAIRS = {
    ("FIN-REVENUE", "SAL-ORDERS", "duplicate"),
    ("OPS-OUTPUT", "OPS-OVERTIME", "conflicting"),
}


def planted_series(months: int) -> dict[str, np.ndarray]:
    """Noise around each level, ending on it; two pairs share a common factor."""
    rng = np.random.default_rng(20261)

    def noise() -> np.ndarray:
        draws = rng.standard_normal(months)
        draws[-1] = 0.0
        return draws

    orders, output = noise(), noise()
    shape = {
        "SAL-ORDERS": 50 * orders,
        "FIN-REVENUE": 40 * orders + 4 * noise(),
        "OPS-OUTPUT": 30 * output,
        "OPS-OVERTIME": 12 * output + 1.2 * noise(),
        "CUS-LOYALTY": 3 * noise(),
        "FIN-DSO": 3 * noise(),
        "HR-ABSENCE": 0.4 * noise(),
    }
    return {code: SPEC[code].level + change for code, change in shape.items()}


@dataclass
class Architecture:
    day: dt.date
    month: dt.date
    kpis: dict[str, Kpi]


def target_fields(spec: Spec, goal: float) -> dict[str, Any]:
    """A target asking for ``goal`` each month (a summed KPI's yearly total is twelve)."""
    total = goal * SPAN_MONTHS if spec.time_aggregation == "sum" else goal
    if spec.direction == "higher":
        return {"target_type": "stay_above", "threshold": 0.8 * total, "target": total,
                "stretch": 1.2 * total}  # fmt: skip
    return {"target_type": "stay_below", "threshold": 1.2 * total, "target": total,
            "stretch": 0.8 * total}  # fmt: skip


def set_monthly_target(world: Enterprise, arch: Architecture, code: str, goal: float) -> None:
    spec = SPEC[code]
    do_set_target(
        world.users["admin"],
        arch.kpis[code],
        unit=world.units[spec.at],
        period_start=arch.month,
        period_end=add_months(arch.month, SPAN_MONTHS),
        reason="audit test",
        **target_fields(spec, goal),
    )


def build_architecture(world: Enterprise) -> Architecture:
    """The planted architecture, written through the KPI and strategy actions."""
    admin = world.users["admin"]
    day = today()
    month = day.replace(day=1)
    start = add_months(month, 1 - HISTORY_MONTHS)
    arch = Architecture(day=day, month=month, kpis={})
    objective = do_create_objective(
        admin,
        code="GRP-PERFORMANCE",
        name="Grow profitable sales with a healthy workforce",
        perspective=Perspective.objects.get(code="financial"),
        unit=world.units["GRP"],
        horizon_start=start,
        horizon_end=add_months(month, 2 * SPAN_MONTHS),
        valid_from=start,
    )
    series = planted_series(HISTORY_MONTHS)
    for spec in SPECS:
        kpi = do_create_kpi(
            admin,
            code=spec.code,
            valid_from=start,
            name=spec.name,
            description=spec.description,
            function=spec.function,
            unit=spec.unit_of_measure,
            direction=spec.direction,
            temporality="lagging",
            kind="output",
            time_aggregation=spec.time_aggregation,
            tree_aggregation=spec.tree_aggregation,
            refresh_cycle="monthly",
            data_source=spec.source,
            owner=world.people[spec.owner] if spec.owner else None,
            steward=world.people["steward"],
            scoring="linear",
        )
        arch.kpis[spec.code] = kpi
        do_set_measure(admin, objective, kpi, weight=1.0, effective=start)
        set_monthly_target(world, arch, spec.code, spec.level)
        for offset, value in enumerate(series[spec.code]):
            do_record_value(
                admin,
                kpi,
                period=add_months(start, offset),
                value=round(float(value), 3),
                unit=world.units[spec.at],
                note="history",
            )
    return arch


@pytest.fixture
def architecture(enterprise: Enterprise) -> Architecture:
    return build_architecture(enterprise)


def failing_letters(reports: list[Any]) -> dict[str, list[str]]:
    return {
        report.code: [check.letter for check in report.checks if not check.passed]
        for report in reports
        if not report.passed
    }


# ---------------------------------------------------------------- SMART


def test_the_smart_report_finds_exactly_the_vague_kpi_and_the_one_without_an_owner(
    architecture: Architecture,
) -> None:
    reports = smart_report()
    assert [report.code for report in reports] == sorted(SPEC)
    assert failing_letters(reports) == PLANTED_SMART
    vague = next(r for r in reports if r.code == "CUS-LOYALTY").checks[0]
    assert vague.message == "1 vague word in the name or description: improve."
    ownerless = next(r for r in reports if r.code == "FIN-DSO").checks[2]
    assert ownerless.message == "There is no owner."
    # Nothing is configured as an error by default.
    assert not any(report.errors for report in reports)


def test_the_feasibility_of_each_target_is_judged_from_its_own_history(
    architecture: Architecture,
) -> None:
    reports = {r.code: r for r in smart_report(architecture.day)}
    achievable = reports["SAL-ORDERS"].checks[2]
    assert achievable.name == "Achievable" and achievable.passed
    # The yearly total of 12,000 is phased into 1,000 a month, the level of the history.
    assert "the target 1000 lies within the feasible range" in achievable.message


def test_the_doran_variant_reports_the_same_kpis_under_its_own_letter_names(
    architecture: Architecture,
) -> None:
    reports = smart_report(architecture.day, SmartRules(variant=Variant.DORAN))
    assert failing_letters(reports) == PLANTED_SMART
    assert [c.name for c in reports[0].checks] == [
        "Specific", "Measurable", "Assignable", "Realistic", "Time-related",
    ]  # fmt: skip


def test_letters_configured_as_errors_make_a_failing_report_an_error(
    architecture: Architecture, settings: Settings
) -> None:
    settings.SCORELINE_SMART_VARIANT = "Doran"
    settings.SCORELINE_SMART_ERRORS = " a, t "
    assert smart_rules() == SmartRules(variant=Variant.DORAN, error_letters=frozenset("AT"))
    errors = {report.code for report in smart_report() if report.errors}
    assert errors == {"FIN-DSO"}


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SCORELINE_SMART_VARIANT", "classic", "SCORELINE_SMART_VARIANT='classic' is not one of"),
        ("SCORELINE_SMART_ERRORS", "M,X", "SCORELINE_SMART_ERRORS='M,X': X not among"),
    ],
)
def test_a_malformed_smart_setting_is_a_configuration_error_naming_it(
    settings: Settings, name: str, value: str, message: str
) -> None:
    setattr(settings, name, value)
    with pytest.raises(ConfigError, match=message):
        smart_rules()


def test_a_kpi_without_a_current_target_or_objective_fails_time_and_relevance(
    architecture: Architecture, enterprise: Enterprise
) -> None:
    do_create_kpi(
        enterprise.users["admin"],
        code="HR-TRAINING",
        valid_from=architecture.month,
        name="Training hours per employee",
        description="Hours of completed courses divided by headcount",
        unit="hours",
        direction="higher",
        temporality="leading",
        kind="output",
        time_aggregation="sum",
        tree_aggregation="average",
        refresh_cycle="quarterly",
        data_source="lms.completions",
        owner=enterprise.people["hr"],
        steward=enterprise.people["steward"],
        scoring="linear",
    )
    report = next(r for r in smart_report() if r.code == "HR-TRAINING")
    assert [c.letter for c in report.checks if not c.passed] == ["R", "T"]
    relevant, timely = report.checks[3], report.checks[4]
    assert relevant.message == "This leading KPI is linked to 0 active objectives."
    assert timely.message == "There is no target for a current period."
    assert "feasibility not assessed: there is no target" in report.checks[2].message.lower()


def test_a_target_far_beyond_the_history_fails_achievability(
    architecture: Architecture, enterprise: Enterprise
) -> None:
    set_monthly_target(enterprise, architecture, "SAL-ORDERS", 3000.0)
    set_monthly_target(enterprise, architecture, "OPS-OVERTIME", 400.0)
    reports = {r.code: r for r in smart_report()}
    beyond, easy = reports["SAL-ORDERS"].checks[2], reports["OPS-OVERTIME"].checks[2]
    assert not beyond.passed and beyond.message.startswith(
        "The target 3000 is beyond the feasible range"
    )
    assert not easy.passed and easy.message.startswith("The target 400 is too easy")


def test_a_draft_definition_is_checked_against_the_architecture_it_would_join(
    architecture: Architecture,
) -> None:
    current = KpiVersion.objects.get(kpi=architecture.kpis["SAL-ORDERS"])
    draft = KpiVersion(
        **{f.attname: getattr(current, f.attname) for f in KpiVersion._meta.concrete_fields}
    )
    draft.pk, draft.name, draft.unit = None, "Sales", ""
    report = smart_check_definition(draft)
    assert report.code == "SAL-ORDERS"
    assert [c.letter for c in report.checks if not c.passed] == ["S", "M"]
    assert report.checks[0].message == "The name has 1 word, fewer than 2."
    # The target and the objective link of the stored KPI still count.
    assert report.checks[3].passed and report.checks[4].passed


def test_a_draft_of_a_new_kpi_has_no_target_link_or_history_yet(
    architecture: Architecture, enterprise: Enterprise
) -> None:
    draft = KpiVersion(
        kpi=Kpi(code="NEW-CHURN"),
        name="Customer churn rate",
        description="Customers lost in the month over customers at its start",
        unit="%",
        direction="lower",
        temporality="lagging",
        kind="output",
        time_aggregation="average",
        tree_aggregation="average",
        refresh_cycle="monthly",
        data_source="crm.accounts",
        owner=enterprise.people["manager"],
        steward=enterprise.people["steward"],
        scoring="linear",
    )
    report = smart_check_definition(draft, rules=SmartRules(error_letters=frozenset("T")))
    assert report.code == "NEW-CHURN"
    assert [c.letter for c in report.checks if not c.passed] == ["R", "T"]
    assert report.errors


# ---------------------------------------------------------------- redundancy


def test_the_redundancy_report_finds_exactly_the_duplicate_and_the_conflicting_pair(
    architecture: Architecture,
) -> None:
    pairs = redundancy_report()
    assert {(p.code_a, p.code_b, p.kind) for p in pairs} == PLANTED_PAIRS
    duplicate = next(p for p in pairs if p.kind == "duplicate")
    assert [s["signal"] for s in duplicate.signals] == ["correlation"]
    assert duplicate.signals[0]["periods"] == HISTORY_MONTHS
    assert float(duplicate.signals[0]["r"]) > 0.95
    assert (duplicate.function_a, duplicate.function_b) == ("finance", "sales")
    assert duplicate.cross_function
    conflicting = next(p for p in pairs if p.kind == "conflicting")
    assert "align the directions" in conflicting.action
    json.dumps([p.as_dict() for p in pairs])


def test_the_correlation_threshold_comes_from_the_settings(
    architecture: Architecture, settings: Settings
) -> None:
    settings.SCORELINE_REDUNDANCY_THRESHOLD = 0.9999
    assert redundancy_report() == []
    settings.SCORELINE_REDUNDANCY_THRESHOLD = "high"
    with pytest.raises(ConfigError, match="SCORELINE_REDUNDANCY_THRESHOLD='high'"):
        redundancy_report()


Entry = tuple[str, str | None, str | None, float]


def organisation_values(
    world: Enterprise, rules: dict[str, str], entries: list[Entry]
) -> dict[str, float]:
    """Create KPIs with tree rules, enter this month's values, return the organisation's."""
    admin, units, people = world.users["admin"], world.units, world.people
    month = today().replace(day=1)
    for code, rule in rules.items():
        do_create_kpi(
            admin, code=code, valid_from=add_months(month, -1), name=f"Measure {code}",
            direction="higher", temporality="lagging", kind="output",
            time_aggregation="average", tree_aggregation=rule, scoring="linear",
        )  # fmt: skip
    for code, unit, person, value in entries:
        kpi = Kpi.objects.get(code=code)
        unit_given = units[unit] if unit else None
        person_given = people[person] if person else None
        do_record_value(
            admin, kpi, period=month, value=value, unit=unit_given, person=person_given,
            note="entered",
        )  # fmt: skip
    series = organisation_series()
    assert series.months == [month]
    return dict(zip(series.codes, series.values[:, 0].tolist(), strict=True))


def test_the_organisation_series_follows_each_kpis_tree_rule(enterprise: Enterprise) -> None:
    rules = {"T-SUM": "sum", "T-AVG": "average", "T-HEAD": "headcount_weighted",
             "T-NONE": "none", "T-PEOPLE": "average"}  # fmt: skip
    entries: list[Entry] = [
        ("T-SUM", "SALES-N", None, 10.0), ("T-SUM", "FIN", None, 5.0),
        ("T-AVG", "SALES-N", None, 10.0), ("T-AVG", "FIN", None, 20.0),
        ("T-HEAD", "SALES-N", None, 10.0), ("T-HEAD", "FIN", None, 40.0),
        ("T-NONE", "SALES", None, 3.0), ("T-NONE", "DE", None, 5.0),
        ("T-PEOPLE", None, "employee", 2.0), ("T-PEOPLE", None, "seller0", 4.0),
    ]  # fmt: skip
    # Sales North has six people, Finance three: (6 * 10 + 3 * 40) / 9 = 20.
    assert organisation_values(enterprise, rules, entries) == {
        "T-AVG": 15.0, "T-HEAD": 20.0, "T-NONE": 4.0, "T-PEOPLE": 3.0, "T-SUM": 15.0,
    }  # fmt: skip


def test_several_root_units_are_combined_by_each_kpis_tree_rule(enterprise: Enterprise) -> None:
    enterprise.units["JV"] = do_create_unit(
        enterprise.users["admin"],
        code="JV",
        name="Joint venture",
        kind="joint_venture",
        parent=None,
        country=enterprise.units["GRP"].country,
        currency=enterprise.units["GRP"].currency,
        valid_from=add_months(today().replace(day=1), -1),
    )
    rules = {"R-SUM": "sum", "R-MAX": "max", "R-HEAD": "headcount_weighted"}
    entries: list[Entry] = [
        ("R-SUM", "SALES-N", None, 10.0), ("R-SUM", "JV", None, 7.0),
        ("R-MAX", "SALES-N", None, 10.0), ("R-MAX", "JV", None, 7.0),
        ("R-HEAD", "SALES-N", None, 10.0), ("R-HEAD", "JV", None, 50.0),
    ]  # fmt: skip
    # Nobody works in the joint venture, so its value has no weight among the roots.
    assert organisation_values(enterprise, rules, entries) == {
        "R-HEAD": 10.0, "R-MAX": 10.0, "R-SUM": 17.0,
    }  # fmt: skip


# ---------------------------------------------------------------- specificity


def test_targets_at_the_level_of_their_history_are_specific(architecture: Architecture) -> None:
    found = specificity_report()
    assert [(t.code, t.unit) for t in found] == [
        (s.code, s.at) for s in sorted(SPECS, key=lambda s: s.code)
    ]
    for item in found:
        level = SPEC[item.code].level
        assert item.classification == "specific", item
        assert item.target == pytest.approx(level)
        assert item.last_value == pytest.approx(level)
        assert item.last_month == architecture.month
        assert item.horizon == SPAN_MONTHS - 1
        assert item.probability is not None and 0.1 <= item.probability <= 0.9
        assert item.feasible_low is not None and item.feasible_high is not None
        assert item.feasible_low < level < item.feasible_high


def test_an_easy_and_an_unrealistic_target_are_told_apart(
    architecture: Architecture, enterprise: Enterprise
) -> None:
    set_monthly_target(enterprise, architecture, "SAL-ORDERS", 500.0)
    set_monthly_target(enterprise, architecture, "OPS-OVERTIME", 100.0)
    found = {t.code: t for t in specificity_report()}
    easy, unrealistic = found["SAL-ORDERS"], found["OPS-OVERTIME"]
    assert (easy.classification, easy.probability, easy.target) == ("too_easy", 1.0, 500.0)
    assert (unrealistic.classification, unrealistic.probability) == ("unrealistic", 0.0)
    assert unrealistic.direction == "lower"
    row = json.loads(json.dumps(easy.as_dict()))
    assert row["period_start"] == architecture.month.isoformat()
    assert row["period_end"] == add_months(architecture.month, SPAN_MONTHS).isoformat()
    assert row["classification"] == "too_easy" and row["horizon"] == SPAN_MONTHS - 1
