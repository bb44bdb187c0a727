from __future__ import annotations

import dataclasses
import doctest
import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoreline.engine import smart
from scoreline.engine.errors import EngineInputError
from scoreline.engine.smart import (
    KpiFacts,
    SmartReport,
    SmartRules,
    Variant,
    check_kpi,
    check_kpis,
)

GOOD = KpiFacts(
    code="OPS-07",
    name="On-time delivery rate",
    description="Share of customer orders delivered by the promised date",
    unit="%",
    formula="on_time / orders * 100",
    data_source="wms.shipments",
    owner="coo",
    steward="ops.analyst",
    refresh_cycle="weekly",
    has_period=True,
    linked_active_objectives=2,
    kind="lagging",
    target=95.0,
    feasible_low=91.0,
    feasible_high=97.0,
    direction=1,
)
DORAN = SmartRules(variant=Variant.DORAN)
MODERN = SmartRules(variant=Variant.MODERN)


def kpi(**changes: Any) -> KpiFacts:
    return dataclasses.replace(GOOD, **changes)


def letter(report: SmartReport, code: str) -> smart.SmartCheck:
    return next(check for check in report.checks if check.letter == code)


def failing(facts: KpiFacts, rules: SmartRules) -> list[str]:
    return [check.letter for check in check_kpi(facts, rules).checks if not check.passed]


def test_the_examples_in_the_docs_run() -> None:
    assert doctest.testmod(smart).failed == 0


@pytest.mark.parametrize("rules", [DORAN, MODERN], ids=["doran", "modern"])
def test_a_well_defined_kpi_passes_every_letter(rules: SmartRules) -> None:
    report = check_kpi(GOOD, rules)
    assert [c.letter for c in report.checks] == ["S", "M", "A", "R", "T"]
    assert report.passed and not report.errors
    assert all(check.hint == "" for check in report.checks)


def test_each_variant_names_its_letters() -> None:
    assert [c.name for c in check_kpi(GOOD, DORAN).checks] == [
        "Specific",
        "Measurable",
        "Assignable",
        "Realistic",
        "Time-related",
    ]
    assert [c.name for c in check_kpi(GOOD, MODERN).checks] == [
        "Specific",
        "Measurable",
        "Achievable",
        "Relevant",
        "Time-bound",
    ]


# --- Specific -----------------------------------------------------------------------


def test_vague_words_make_a_kpi_unspecific() -> None:
    check = letter(check_kpi(kpi(name="Improve delivery", description="Better, etc."), MODERN), "S")
    assert not check.passed
    assert "3 vague words" in check.message
    assert "better, etc, improve" in check.message


def test_vague_words_match_whole_words_only_ignoring_case() -> None:
    assert failing(kpi(name="IMPROVEMENT backlog size"), MODERN) == ["S"]
    assert failing(kpi(name="Betterment fund balance"), MODERN) == []
    assert failing(kpi(name="Goodwill impairment charge"), MODERN) == []
    assert failing(kpi(name="World-class service index"), MODERN) == ["S"]
    assert failing(kpi(name="Business class seats sold"), MODERN) == []


def test_the_vague_word_list_is_configurable() -> None:
    rules = SmartRules(vague_words=frozenset({"growth"}))
    assert failing(kpi(name="Improve revenue growth"), rules) == ["S"]
    assert failing(kpi(name="Improve revenue"), rules) == []
    assert failing(kpi(name="Improve revenue"), SmartRules(vague_words=frozenset())) == []


def test_a_one_word_name_is_too_short() -> None:
    check = letter(check_kpi(kpi(name="Quality"), MODERN), "S")
    assert not check.passed
    assert "1 word, fewer than 2" in check.message
    assert failing(kpi(name="Customer churn"), SmartRules(min_name_words=3)) == ["S"]


def test_a_missing_description_makes_a_kpi_unspecific() -> None:
    assert "no description" in letter(check_kpi(kpi(description="  "), MODERN), "S").message


# --- Measurable ---------------------------------------------------------------------


def test_a_kpi_without_a_unit_is_not_measurable() -> None:
    check = letter(check_kpi(kpi(unit=""), DORAN), "M")
    assert not check.passed and "no unit" in check.message


def test_a_formula_or_a_data_source_is_enough_to_measure() -> None:
    assert failing(kpi(formula=None), MODERN) == []
    assert failing(kpi(data_source=None), MODERN) == []
    check = letter(check_kpi(kpi(formula=None, data_source=" "), MODERN), "M")
    assert not check.passed and "neither a formula nor a data source" in check.message


# --- Assignable / Achievable ----------------------------------------------------------


def test_doran_wants_an_owner_and_a_steward_under_assignable() -> None:
    check = letter(check_kpi(kpi(owner=None, steward=None), DORAN), "A")
    assert check.name == "Assignable" and not check.passed
    assert "no owner" in check.message and "no data steward" in check.message
    assert failing(kpi(owner=None), DORAN) == ["A"]


def test_the_modern_reading_keeps_the_owner_under_achievable() -> None:
    check = letter(check_kpi(kpi(owner=""), MODERN), "A")
    assert check.name == "Achievable" and not check.passed
    assert "no owner" in check.message


# --- feasibility ---------------------------------------------------------------------


def test_doran_checks_feasibility_under_realistic_and_modern_under_achievable() -> None:
    stretch = kpi(target=99.5)
    assert failing(stretch, DORAN) == ["R"]
    assert failing(stretch, MODERN) == ["A"]


def test_a_target_beyond_the_feasible_range_explains_the_numbers() -> None:
    check = letter(check_kpi(kpi(target=99.5), DORAN), "R")
    assert check.message == (
        "The target 99.50 is beyond the feasible range 91 to 97 estimated from history: "
        "history gives little chance of reaching it."
    )
    assert check.hint.startswith("Lower the stretch")


def test_the_numbers_read_as_on_the_pages_and_the_target_names_its_month() -> None:
    # Two decimals unless whole, thousands grouped: Django's floatformat "-2g".
    facts = kpi(
        target=8654975.375205,
        feasible_low=7_000_000.0,
        feasible_high=9_000_000.004,
        target_month="March 2027",
    )
    check = letter(check_kpi(facts, MODERN), "A")
    assert check.message.endswith(
        "the target 8,654,975.38 for March 2027 lies within the feasible range 7,000,000 to "
        "9,000,000 estimated from history."
    )


def test_a_target_below_the_feasible_range_is_too_easy_when_higher_is_better() -> None:
    check = letter(check_kpi(kpi(target=90.0), DORAN), "R")
    assert not check.passed
    assert "too easy" in check.message and "below" in check.message


def test_for_lower_is_better_the_sides_swap() -> None:
    lower = kpi(direction=-1, target=90.0)
    assert "beyond" in letter(check_kpi(lower, DORAN), "R").message
    assert "too easy" in letter(check_kpi(kpi(direction=-1, target=98.0), DORAN), "R").message


def test_a_range_target_outside_the_feasible_range_fails() -> None:
    check = letter(check_kpi(kpi(direction=0, target=98.0), DORAN), "R")
    assert not check.passed and "outside" in check.message


def test_targets_on_the_edges_of_the_feasible_range_pass() -> None:
    assert failing(kpi(target=91.0), DORAN) == []
    assert failing(kpi(target=97.0), DORAN) == []


@pytest.mark.parametrize(
    "changes",
    [
        {"target": None},
        {"target": math.nan},
        {"feasible_low": None},
        {"feasible_high": math.nan},
    ],
)
def test_feasibility_without_a_target_or_a_range_is_not_assessed(changes: dict[str, Any]) -> None:
    check = letter(check_kpi(kpi(**changes), DORAN), "R")
    assert check.passed
    assert "not assessed" in check.message


def test_a_feasible_range_upside_down_is_refused() -> None:
    with pytest.raises(EngineInputError, match="feasible_low"):
        check_kpi(kpi(feasible_low=98.0, feasible_high=91.0))


# --- Relevant ------------------------------------------------------------------------


def test_a_kpi_linked_to_no_active_objective_is_irrelevant_in_the_modern_reading() -> None:
    check = letter(check_kpi(kpi(linked_active_objectives=0), MODERN), "R")
    assert check.name == "Relevant" and not check.passed
    assert check.message == "This lagging KPI is linked to 0 active objectives."


def test_doran_asks_for_the_objective_link_under_specific() -> None:
    assert failing(kpi(linked_active_objectives=0), DORAN) == ["S"]


# --- Time ---------------------------------------------------------------------------


def test_a_kpi_needs_a_current_target_period_and_a_refresh_cycle() -> None:
    check = letter(check_kpi(kpi(has_period=False, refresh_cycle=None), MODERN), "T")
    assert not check.passed
    assert "no target for a current period" in check.message
    assert "no refresh cycle" in check.message
    assert failing(kpi(refresh_cycle=""), DORAN) == ["T"]


# --- severity and reports -------------------------------------------------------------


def test_measurable_failures_are_errors_by_default_and_others_warnings() -> None:
    report = check_kpi(kpi(unit="", owner=None))
    assert letter(report, "M").severity == "error"
    assert letter(report, "A").severity == "warning"
    assert report.errors and not report.passed


def test_a_warning_alone_does_not_make_an_error() -> None:
    report = check_kpi(kpi(owner=None))
    assert not report.passed and not report.errors


def test_error_letters_are_configurable() -> None:
    rules = SmartRules(error_letters=frozenset({"A"}))
    assert check_kpi(kpi(owner=None), rules).errors
    assert not check_kpi(kpi(unit=""), rules).errors


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"error_letters": frozenset({"X"})}, "error_letters"),
        ({"min_name_words": 0}, "min_name_words"),
        ({"vague_words": frozenset({" "})}, "vague_words"),
        ({"variant": "doran"}, "variant"),
    ],
)
def test_bad_rules_are_refused(changes: dict[str, Any], problem: str) -> None:
    with pytest.raises(EngineInputError, match=problem):
        SmartRules(**changes)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [({"direction": 2}, "direction"), ({"linked_active_objectives": -1}, "negative")],
)
def test_bad_facts_are_refused_naming_the_kpi(changes: dict[str, Any], problem: str) -> None:
    with pytest.raises(EngineInputError, match=f"OPS-07.*{problem}"):
        check_kpi(kpi(**changes))


def test_many_kpis_are_checked_in_order_like_one_at_a_time() -> None:
    facts = [kpi(code="A", unit=""), GOOD, kpi(code="C", owner=None)]
    reports = check_kpis(facts, DORAN)
    assert [r.code for r in reports] == ["A", "OPS-07", "C"]
    assert reports == [check_kpi(f, DORAN) for f in facts]


def test_a_report_is_json_ready() -> None:
    report = check_kpi(kpi(target=99.5, owner=None), DORAN)
    data = json.loads(json.dumps(report.as_dict()))
    assert data["code"] == "OPS-07" and data["variant"] == "doran"
    assert data["passed"] is False and data["errors"] is False
    assert data["checks"][2] == {
        "letter": "A",
        "name": "Assignable",
        "passed": False,
        "severity": "warning",
        "message": "There is no owner.",
        "hint": "Name the person accountable for the result.",
    }


# --- properties ----------------------------------------------------------------------

optional_text = st.one_of(st.none(), st.just(""), st.sampled_from(["x", "erp.sales", "a / b"]))
facts_strategy = st.builds(
    KpiFacts,
    code=st.just("K"),
    name=st.sampled_from(["Revenue", "Net revenue", "Improve sales", "Good customer churn rate"]),
    description=st.sampled_from(["", "Orders shipped on time", "Various things, etc."]),
    unit=st.sampled_from(["", "%", "EUR"]),
    formula=optional_text,
    data_source=optional_text,
    owner=optional_text,
    steward=optional_text,
    refresh_cycle=optional_text,
    has_period=st.booleans(),
    linked_active_objectives=st.integers(0, 3),
    kind=st.sampled_from(["leading", "lagging", ""]),
    target=st.one_of(st.none(), st.floats(0, 200)),
    feasible_low=st.one_of(st.none(), st.floats(0, 100)),
    feasible_high=st.one_of(st.none(), st.floats(100, 200)),
    direction=st.sampled_from([-1, 0, 1]),
)


def _findings(report: SmartReport) -> list[str]:
    return sorted(
        part.strip().rstrip(".").lower()
        for check in report.checks
        if not check.passed
        for part in check.message.split("; ")
    )


@settings(max_examples=150, deadline=None)
@given(facts_strategy)
def test_both_variants_find_the_same_problems_grouped_differently(facts: KpiFacts) -> None:
    doran, modern = check_kpi(facts, DORAN), check_kpi(facts, MODERN)
    assert _findings(doran) == _findings(modern)
    assert doran.passed == modern.passed


@settings(max_examples=150, deadline=None)
@given(facts_strategy, st.frozensets(st.sampled_from(list("SMART"))))
def test_a_report_passes_only_if_every_check_passes_and_errors_follow_the_rules(
    facts: KpiFacts, error_letters: frozenset[str]
) -> None:
    report = check_kpi(facts, SmartRules(error_letters=error_letters))
    assert report.passed == all(check.passed for check in report.checks)
    assert report.errors == any(
        not check.passed and check.letter in error_letters for check in report.checks
    )
    for check in report.checks:
        assert check.message.endswith(".")
        assert (check.hint == "") == check.passed


@settings(max_examples=100, deadline=None)
@given(facts_strategy)
def test_filling_in_an_owner_never_adds_a_failure(facts: KpiFacts) -> None:
    before = set(failing(facts, MODERN))
    after = set(failing(dataclasses.replace(facts, owner="someone", steward="someone"), MODERN))
    assert after <= before
