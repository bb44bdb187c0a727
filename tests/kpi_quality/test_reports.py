"""SMART, redundancy and specificity audits over a small planted architecture.

The architecture (tests/builders/audits.py, the ``architecture`` fixture) plants what the
audits must find: a vague KPI, one without an owner, a duplicate and a conflicting pair.
"""

from __future__ import annotations

import json
from typing import Any

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
from scoreline.scoring.actions.definitions import do_set_target
from scoreline.scoring.actions.values import do_record_value
from scoreline.scoring.models import NodeKind, Score
from tests.builders.audits import (
    HISTORY_MONTHS,
    PLANTED_PAIRS,
    PLANTED_SMART,
    SPAN_MONTHS,
    SPEC,
    SPECS,
    Architecture,
    add_months,
    set_monthly_target,
)
from tests.builders.enterprise import Enterprise

pytestmark = pytest.mark.django_db


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
    # The yearly total of 12,000 is phased into 1,000 a month, the level of the history,
    # and judged at the span's last month.
    last = add_months(architecture.month, SPAN_MONTHS - 1).strftime("%B %Y")
    assert f"the target 1,000 for {last} lies within the feasible range" in achievable.message


def test_achievability_judges_the_target_the_scorecard_scores_that_month_against(
    architecture: Architecture, enterprise: Enterprise
) -> None:
    # A group target over four months ending with this one, ramped from 41.25 to 45.5:
    # this month is scored against the last step, and the SMART check names that number.
    do_set_target(
        enterprise.users["admin"], architecture.kpis["CUS-LOYALTY"],
        unit=enterprise.units["GRP"], period_start=add_months(architecture.month, -3),
        period_end=add_months(architecture.month, 1), target_type="increase_to",
        threshold=30.0, target=45.5, stretch=50.0, baseline=41.25, phasing="linear_ramp",
        reason="audit test",
    )  # fmt: skip
    scored = Score.objects.get(
        kind=NodeKind.KPI, kpi=architecture.kpis["CUS-LOYALTY"],
        unit=enterprise.units["GRP"], period=architecture.month,
    )  # fmt: skip
    assert scored.explanation["inputs"]["target"] == pytest.approx(45.5)
    report = next(r for r in smart_report() if r.code == "CUS-LOYALTY")
    month = architecture.month.strftime("%B %Y")
    assert report.checks[2].message.startswith(f"The target 45.50 for {month} ")


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
    assert not beyond.passed and beyond.message.startswith("The target 3,000 for")
    assert "is beyond the feasible range" in beyond.message
    assert not easy.passed and easy.message.startswith("The target 400 for")
    assert "is too easy" in easy.message


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
