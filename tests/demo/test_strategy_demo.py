"""The demo strategy: objectives cascaded and measured, KPIs with 36 months of values and
targets, individual goals for everyone, and the audit cases planted on purpose."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from collections import Counter, defaultdict

import numpy as np
import numpy.typing as npt
import pytest
from rapidfuzz import fuzz, process, utils

from scoreline.audit.models import AuditEvent
from scoreline.demo.build import GROUP_FISCAL_START, DemoPlan, plan_demo
from scoreline.demo.strategy import (
    MONTHS,
    PLANTED_CONFLICTS,
    PLANTED_DUPLICATES,
    PLANTED_SMART_FAILURES,
    PLANTED_UNMEASURED,
    STRATEGY_ACTION,
    StrategyCounts,
    StrategyPlan,
    person_chunk,
    person_chunks,
    plan_strategy,
    strategy_summary,
    window_months,
)
from scoreline.demo.strategy_catalogue import (
    KPIS,
    KPIS_BY_CODE,
    OBJECTIVE_LINKS,
    OBJECTIVES,
    PERSON_GOALS_BY_FUNCTION,
    PERSPECTIVE_LAYERS,
    RUBRICS,
    STATUS_RULE_SETS,
    UNIT_RULES,
)
from scoreline.engine.formulas import evaluate, parse_formula
from scoreline.engine.graph import find_cycle
from scoreline.engine.smart import DEFAULT_VAGUE_WORDS
from scoreline.engine.specificity import feasible_range
from scoreline.kpis.models import (
    Assessment,
    Kpi,
    KpiValue,
    KpiVersion,
    ObjectiveMeasure,
    Rubric,
    RubricLevel,
    StatusRule,
    Target,
)
from scoreline.lib.dates import today
from scoreline.org.models import Person
from scoreline.planning.models import PlanningPeriod
from scoreline.scoring.models import PerspectiveWeight
from scoreline.strategy.models import Objective, ObjectiveLink, ObjectiveVersion, Theme
from tests.builders.demo import build_strategy_again
from tests.builders.fingerprint import wipe_strategy

# The demo is built once for the tests of this group, which stay on one test process.
pytestmark = pytest.mark.xdist_group("demo-200")

EMPLOYEES, SEED = 200, 7
DAY = dt.date(2026, 11, 25)
PLANTED_PAIRS = {frozenset(pair) for pair in (*PLANTED_DUPLICATES, *PLANTED_CONFLICTS)}

FloatArray = npt.NDArray[np.float64]


@pytest.fixture(scope="module")
def enterprise() -> DemoPlan:
    return plan_demo(EMPLOYEES, SEED)


@pytest.fixture(scope="module")
def strategy(enterprise: DemoPlan) -> StrategyPlan:
    return plan_strategy(enterprise, fiscal_start=GROUP_FISCAL_START, today=DAY)


@pytest.fixture
def built(world_demo_strategy: tuple[DemoPlan, StrategyCounts]) -> tuple[DemoPlan, StrategyCounts]:
    """The 200-person demo with its strategy written again, for the counts it returns."""
    assert (world_demo_strategy[0].employees, world_demo_strategy[0].seed) == (EMPLOYEES, SEED)
    return world_demo_strategy


def _code(strategy: StrategyPlan, k: int) -> str:
    return strategy.index.templates[k].code


def _pairwise_correlation(series: FloatArray) -> FloatArray:
    """Pearson correlation of every pair of rows over the columns both have."""
    seen = np.isfinite(series).astype(np.float64)
    values = np.where(seen > 0, series, 0.0)
    shared = seen @ seen.T
    sums = values @ seen.T
    squares = (values**2) @ seen.T
    products = values @ values.T
    covariance = shared * products - sums * sums.T
    spread = (shared * squares - sums**2) * (shared * squares - sums**2).T
    with np.errstate(invalid="ignore", divide="ignore"):
        correlation = covariance / np.sqrt(spread)
    return np.where(shared >= 12, correlation, np.nan)


def _organisation_series(strategy: StrategyPlan) -> tuple[list[str], FloatArray]:
    """One monthly series per KPI in use: the mean over its units, or over its people."""
    count = strategy.index.count
    sums, counts = np.zeros((count, MONTHS)), np.zeros((count, MONTHS))
    for series in strategy.series:
        present = np.isfinite(series.values)
        sums[series.kpi, present] += series.values[present]
        counts[series.kpi, present] += 1
    for chunk in person_chunks(strategy):
        for k in np.unique(chunk.kpi).tolist():
            rows = chunk.values[chunk.kpi == k]
            sums[k] += np.nansum(rows, axis=0)
            counts[k] += np.isfinite(rows).sum(axis=0)
    used = [k for k in range(count) if strategy.used[k]]
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return [_code(strategy, k) for k in used], means[used]


# --- the catalogue ------------------------------------------------------------------------


def test_the_catalogue_has_about_sixty_objectives_and_three_hundred_kpis() -> None:
    assert 55 <= len(OBJECTIVES) <= 70
    assert 280 <= len(KPIS) <= 320
    assert len({kpi.code for kpi in KPIS}) == len(KPIS)
    perspectives = Counter(objective.perspective for objective in OBJECTIVES)
    assert set(perspectives) == set(PERSPECTIVE_LAYERS)
    functions = {kpi.function for kpi in KPIS}
    for function in ["Finance", "Sales", "Marketing", "Operations", "Supply Chain",
                     "Human Resources", "IT", "Customer Service", "R&D", "ESG",
                     "Legal & Compliance"]:  # fmt: skip
        assert function in functions
    assert {kpi.temporality for kpi in KPIS} == {"leading", "lagging"}
    assert {kpi.scoring for kpi in KPIS} == {
        "linear", "piecewise", "banded", "target_range", "percent_capped",
        "percent_uncapped", "rubric",
    }  # fmt: skip
    assert {kpi.time_aggregation for kpi in KPIS} == {"sum", "average", "last", "min", "max"}
    assert {kpi.tree_aggregation for kpi in KPIS} == {
        "sum", "average", "headcount_weighted", "min", "max", "none",
    }  # fmt: skip


def test_every_objective_is_measured_by_one_to_four_kpis_except_the_planted_ones() -> None:
    unmeasured = [objective.code for objective in OBJECTIVES if not objective.measures]
    assert unmeasured == list(PLANTED_UNMEASURED)
    for objective in OBJECTIVES:
        if objective.measures:
            assert 1 <= len(objective.measures) <= 4, objective.code
            assert all(weight > 0 for weight, _ in objective.measures)


def test_objectives_sit_at_every_level_of_the_organisation() -> None:
    kinds = Counter(objective.placement.split(":")[0] for objective in OBJECTIVES)
    assert kinds["group"] >= 15
    assert kinds["entity"] + kinds["bu"] >= 10
    assert kinds["dept"] >= 15
    assert kinds["team"] >= 5
    codes = [objective.code for objective in OBJECTIVES]
    for number, objective in enumerate(OBJECTIVES):
        if objective.parent:
            assert codes.index(objective.parent) < number, objective.code


def test_strategy_map_links_run_from_lower_to_higher_layers_without_a_cycle() -> None:
    perspective = {objective.code: objective.perspective for objective in OBJECTIVES}
    for cause, effect in OBJECTIVE_LINKS:
        assert PERSPECTIVE_LAYERS[perspective[cause]] < PERSPECTIVE_LAYERS[perspective[effect]]
    assert find_cycle(OBJECTIVE_LINKS) is None


def test_kpi_names_are_distinct_except_the_planted_duplicates() -> None:
    names = [kpi.name for kpi in KPIS]
    similarity = process.cdist(
        names, names, scorer=fuzz.token_set_ratio, processor=utils.default_process
    )
    rows, columns = np.nonzero(np.triu(similarity >= 85, k=1))
    similar = {frozenset((KPIS[i].code, KPIS[j].code)) for i, j in zip(rows, columns, strict=True)}
    assert similar == {frozenset(pair) for pair in PLANTED_DUPLICATES}


def test_names_and_descriptions_avoid_vague_wording_except_the_planted_case() -> None:
    vague = re.compile(
        r"(?<![\w-])(" + "|".join(map(re.escape, DEFAULT_VAGUE_WORDS)) + r")(?![\w-])", re.I
    )
    flagged = {
        kpi.code
        for kpi in KPIS
        if vague.search(kpi.name) or vague.search(kpi.description) or len(kpi.name.split()) < 2
    }
    assert flagged == {code for code, letter in PLANTED_SMART_FAILURES.items() if letter == "S"}
    assert all(kpi.description.strip() for kpi in KPIS)


def test_every_kpi_is_complete_except_for_its_planted_defect() -> None:
    defects: dict[str, list[str]] = defaultdict(list)
    for kpi in KPIS:
        if not kpi.unit:
            defects[kpi.code].append("M")
        if not kpi.formula and not kpi.data_source:
            defects[kpi.code].append("M")
        if not kpi.has_owner:
            defects[kpi.code].append("A")
        if not kpi.refresh_cycle:
            defects[kpi.code].append("T")
    assert {code: "".join(letters) for code, letters in defects.items()} == {
        code: letter for code, letter in PLANTED_SMART_FAILURES.items() if letter != "S"
    }
    sources = Counter(kpi.data_source.casefold() for kpi in KPIS if kpi.data_source)
    assert max(sources.values()) == 1


def test_formulas_use_base_kpis_with_consistent_units() -> None:
    formulas = [kpi for kpi in KPIS if kpi.formula]
    assert len(formulas) >= 8
    for kpi in formulas:
        inputs = [KPIS_BY_CODE[name] for name in sorted(parse_formula(kpi.formula).names)]
        assert all(not source.formula for source in inputs), kpi.code
        units = {source.unit for source in inputs}
        assert len(units) == 1, kpi.code
        if kpi.formula.startswith("100 * "):
            assert kpi.unit == "%"
        elif "/" in kpi.formula:
            assert kpi.unit == "ratio"
        else:
            assert kpi.unit == units.pop()
    assert KPIS_BY_CODE["gross_margin_pct"].formula == "100 * gross_profit / net_revenue"


def test_esg_kpis_carry_a_pillar_and_a_disclosure_reference() -> None:
    esg = [kpi for kpi in KPIS if kpi.esg_pillar]
    assert {kpi.esg_pillar for kpi in esg} == {"E", "S", "G"}
    assert all(re.match(r"(GRI|ESRS) ", kpi.disclosure_ref) for kpi in esg)
    assert {"GRI 305-1", "ESRS E1-6", "GRI 405-1"} <= {kpi.disclosure_ref for kpi in esg}
    assert {kpi.required_by for kpi in esg} == {"regulator", "investor", "both"}


def test_rubrics_have_five_levels_with_anchors_and_rising_scores() -> None:
    assert len(RUBRICS) >= 2
    for rubric in RUBRICS:
        assert [level for level, *_ in rubric.levels] == [1, 2, 3, 4, 5]
        scores = [score for *_, score in rubric.levels]
        assert scores == sorted(scores) and scores[0] == 0 and scores[-1] == 100
        assert all(len(anchor) > 30 for _, _, anchor, _ in rubric.levels)


def test_every_function_has_four_goal_kpis() -> None:
    for function, kpis in PERSON_GOALS_BY_FUNCTION.items():
        assert len(kpis) == 4, function
        assert all(kpi.person and kpi.goal for kpi in kpis)


# --- the plan -----------------------------------------------------------------------------


def test_the_months_end_with_the_last_complete_month_before_the_day(
    strategy: StrategyPlan,
) -> None:
    assert len(strategy.months) == MONTHS
    assert strategy.months[-1] == dt.date(2026, 10, 1)
    assert strategy.months[0] == dt.date(2023, 11, 1)
    assert window_months(dt.date(2026, 12, 1))[-1] == dt.date(2026, 11, 1)


def test_planning_periods_close_the_past_open_the_current_and_draft_the_next(
    strategy: StrategyPlan,
) -> None:
    states = [(period.label, state) for period, state in strategy.planning_periods]
    assert states == [
        ("FY2024", "closed"),
        ("FY2025", "closed"),
        ("FY2026", "closed"),
        ("FY2027", "open"),
        ("FY2028", "draft"),
    ]


def test_the_same_seed_plans_the_same_strategy(
    enterprise: DemoPlan, strategy: StrategyPlan
) -> None:
    again = plan_strategy(enterprise, fiscal_start=GROUP_FISCAL_START, today=DAY)
    assert again.objectives == strategy.objectives
    assert again.kpis == strategy.kpis
    assert len(again.series) == len(strategy.series)
    for first, second in zip(strategy.series, again.series, strict=True):
        assert (first.kpi, first.unit, first.targets) == (second.kpi, second.unit, second.targets)
        np.testing.assert_array_equal(first.values, second.values)
    np.testing.assert_array_equal(strategy.goals.kpi, again.goals.kpi)
    np.testing.assert_array_equal(person_chunk(strategy, 0).values, person_chunk(again, 0).values)


def test_another_seed_plans_other_values(strategy: StrategyPlan) -> None:
    other = plan_strategy(
        plan_demo(EMPLOYEES, SEED + 1), fiscal_start=GROUP_FISCAL_START, today=DAY
    )
    first = {(s.kpi, s.unit): s.values for s in strategy.series}
    second = {(s.kpi, s.unit): s.values for s in other.series}
    shared = [key for key in first if key in second]
    assert shared
    assert any(not np.array_equal(first[key], second[key], equal_nan=True) for key in shared)


def test_every_objective_is_placed_and_owned_by_the_head_of_its_unit(
    enterprise: DemoPlan, strategy: StrategyPlan
) -> None:
    heads = {p.heads: p.index for p in enterprise.people if p.heads is not None}
    assert [objective.code for objective in strategy.objectives] == [o.code for o in OBJECTIVES]
    for objective in strategy.objectives:
        assert objective.owner == heads[objective.unit]
        if objective.parent is not None:
            assert objective.contribution_weight > 0
    edges = [
        (objective.code, strategy.objectives[objective.parent].code)
        for objective in strategy.objectives
        if objective.parent is not None
    ]
    assert find_cycle(edges) is None


def test_values_are_finite_and_respect_their_units(strategy: StrategyPlan) -> None:
    for series in strategy.series:
        kpi = strategy.index.templates[series.kpi]
        values = series.values[np.isfinite(series.values)]
        assert len(values) >= 12, kpi.code
        rule = kpi.rule
        assert values.min() >= rule.low and values.max() <= rule.high, kpi.code
        if rule.decimals == 0 and not kpi.rubric and not kpi.formula:
            np.testing.assert_array_equal(values, np.round(values))
        assert np.isfinite(series.values[-1]), kpi.code
    chunk = person_chunk(strategy, 0)
    low = strategy.index.low[chunk.kpi][:, None]
    high = strategy.index.high[chunk.kpi][:, None]
    present = np.isfinite(chunk.values)
    assert not np.isinf(chunk.values).any()
    assert (chunk.values[present] >= np.broadcast_to(low, chunk.values.shape)[present]).all()
    assert (chunk.values[present] <= np.broadcast_to(high, chunk.values.shape)[present]).all()


def test_percentages_stay_between_0_and_100_and_counts_are_whole(strategy: StrategyPlan) -> None:
    for series in strategy.series:
        kpi = strategy.index.templates[series.kpi]
        values = series.values[np.isfinite(series.values)]
        if kpi.unit == "%":
            assert values.min() >= 0 and values.max() <= 100, kpi.code
        if kpi.unit == "count" and not kpi.formula:
            assert (values >= 0).all() and (values == np.round(values)).all(), kpi.code


def test_formula_values_are_calculated_from_their_inputs(strategy: StrategyPlan) -> None:
    values = {(s.kpi, s.unit): s for s in strategy.series}
    formulas = 0
    for series in strategy.series:
        kpi = strategy.index.templates[series.kpi]
        if not kpi.formula:
            continue
        formulas += 1
        assert series.source == "formula"
        formula = parse_formula(kpi.formula)
        inputs = {
            name: values[(strategy.index.index[name], series.unit)].values for name in formula.names
        }
        np.testing.assert_allclose(series.values, evaluate(formula, inputs), equal_nan=True)
    assert formulas >= 8


def test_the_planted_pairs_move_together_and_nothing_else_does(strategy: StrategyPlan) -> None:
    codes, series = _organisation_series(strategy)
    correlation = _pairwise_correlation(series)
    position = {code: number for number, code in enumerate(codes)}
    for first, second in (*PLANTED_DUPLICATES, *PLANTED_CONFLICTS):
        assert correlation[position[first], position[second]] > 0.95, (first, second)
    for first, second in PLANTED_DUPLICATES:
        assert KPIS_BY_CODE[first].direction == KPIS_BY_CODE[second].direction
        assert KPIS_BY_CODE[first].function != KPIS_BY_CODE[second].function
    for first, second in PLANTED_CONFLICTS:
        assert {KPIS_BY_CODE[first].direction, KPIS_BY_CODE[second].direction} == {
            "higher",
            "lower",
        }
    rows, columns = np.nonzero(np.triu(np.abs(np.nan_to_num(correlation)) >= 0.9, k=1))
    together = {frozenset((codes[i], codes[j])) for i, j in zip(rows, columns, strict=True)}
    assert together == PLANTED_PAIRS


def test_targets_follow_their_direction_and_stay_within_the_unit(strategy: StrategyPlan) -> None:
    expected_types = {
        "higher": {"stay_above", "increase_to"},
        "lower": {"stay_below", "decrease_to"},
        "range": {"range"},
    }
    years = len(strategy.calendar.fiscal_years)
    phasings = set()
    for series in strategy.series:
        kpi = strategy.index.templates[series.kpi]
        assert len(series.targets) == years
        scale = 12.0 if kpi.time_aggregation == "sum" else 1.0
        for target in series.targets:
            phasings.add(target.phasing)
            assert target.target_type in expected_types[kpi.direction], kpi.code
            if kpi.direction == "range":
                assert target.range_low is not None and target.range_high is not None
                assert target.range_low < target.range_high
                continue
            assert target.threshold is not None and target.stretch is not None
            assert target.target is not None
            ordered = [target.threshold, target.target, target.stretch]
            if kpi.direction == "lower":
                ordered.reverse()
            assert ordered[0] < ordered[1] < ordered[2], (kpi.code, ordered)
            assert kpi.rule.low * scale <= min(ordered) and max(ordered) <= kpi.rule.high * scale
            if target.phasing == "seasonal":
                assert len(target.profile) == 12 and math.isclose(
                    sum(target.profile), 12, rel_tol=1e-3
                )
    assert phasings == {"flat", "linear_ramp", "seasonal"}


def test_current_targets_lie_within_what_the_history_makes_plausible(
    strategy: StrategyPlan,
) -> None:
    calendar = strategy.calendar
    current = calendar.current_year
    final_month = calendar.fiscal_slices()[current].stop - 1 - calendar.window_at
    for series in strategy.series:
        kpi = strategy.index.templates[series.kpi]
        target = series.targets[current]
        assert target.target is not None
        final = target.target
        if kpi.time_aggregation == "sum":
            final = final / 12 * (target.profile[-1] if target.profile else 1.0)
        last = int(np.flatnonzero(np.isfinite(series.values))[-1])
        low, high = feasible_range(series.values, final_month - last, 0.1, 0.9)
        assert low[0] - 1e-6 <= final <= high[0] + 1e-6, (kpi.code, low, final, high)


def test_every_person_has_three_goals_with_values_while_employed(
    enterprise: DemoPlan, strategy: StrategyPlan
) -> None:
    goals = strategy.goals
    assert goals.kpi.shape == (len(enterprise.people), 3)
    leadership = strategy.index.index["leadership_behaviour_rating"]
    for person in enterprise.people:
        leads = person.heads is not None and person.manager is not None
        assert (goals.kpi[person.index, 2] == leadership) == leads
        assert len(set(goals.kpi[person.index].tolist())) == 3
    values = 0
    for chunk in person_chunks(strategy):
        employed = goals.active_until[chunk.person] - goals.active_from[chunk.person]
        np.testing.assert_array_equal(np.isfinite(chunk.values).sum(axis=1), employed)
        values += int(np.isfinite(chunk.values).sum())
    employed_months = int((goals.active_until - goals.active_from).sum())
    assert values == 3 * employed_months


def test_every_goal_kpi_in_use_belongs_to_someone_still_employed(
    enterprise: DemoPlan, strategy: StrategyPlan
) -> None:
    staying = [p.index for p in enterprise.people if p.leave_date is None]
    held = set(strategy.goals.kpi[staying].ravel().tolist())
    assert set(strategy.goals.kpi.ravel().tolist()) <= held


def test_chunks_do_not_depend_on_the_order_they_are_drawn(strategy: StrategyPlan) -> None:
    first = person_chunk(strategy, 0)
    drawn = [chunk.values for chunk in person_chunks(strategy)]
    np.testing.assert_array_equal(drawn[0], first.values)
    np.testing.assert_array_equal(person_chunk(strategy, 0).values, first.values)
    with pytest.raises(ValueError, match="outside"):
        person_chunk(strategy, strategy.chunks)


# --- the database -------------------------------------------------------------------------


def test_building_writes_what_was_planned_and_one_audit_event(
    built: tuple[DemoPlan, StrategyCounts],
) -> None:
    plan, counts = built
    assert Kpi.objects.count() == KpiVersion.objects.count() == counts.kpis
    assert 240 <= counts.kpis <= len(KPIS)
    assert Objective.objects.filter(code__startswith="GOAL-").count() == counts.individual_goals
    assert counts.individual_goals == 3 * len(plan.people)
    assert counts.objectives == len(OBJECTIVES)
    assert ObjectiveVersion.objects.count() == counts.objectives + counts.individual_goals
    assert ObjectiveLink.objects.count() == counts.links == len(OBJECTIVE_LINKS)
    assert ObjectiveMeasure.objects.count() == counts.measures
    assert Target.objects.count() == counts.targets
    assert KpiValue.objects.count() == counts.unit_values + counts.person_values
    assert KpiValue.objects.filter(person__isnull=False).count() == counts.person_values
    assert Assessment.objects.count() == counts.assessments > 0
    assert PlanningPeriod.objects.count() == counts.planning_periods == 5
    assert StatusRule.objects.filter(kpi__isnull=False).count() == counts.status_rules
    ruled = StatusRule.objects.filter(kpi__isnull=False).values_list("kpi__code", flat=True)
    assert set(ruled) == set(STATUS_RULE_SETS)
    assert Rubric.objects.count() == len(RUBRICS) and RubricLevel.objects.count() == 15
    assert Theme.objects.count() == counts.themes
    assert PerspectiveWeight.objects.filter(unit__isnull=True).count() == 5
    # One event per build: the demo's own, then the rebuild of the fixture.
    events = AuditEvent.objects.filter(action=STRATEGY_ACTION).order_by("seq")
    assert events.count() == 2
    after = events.last().after  # type: ignore[union-attr]
    assert isinstance(after, dict) and after["person_values"] == counts.person_values
    summary = strategy_summary()
    assert summary is not None and f"{counts.kpis:,} KPIs" in summary


def test_every_objective_is_measured_in_the_database_except_the_planted_ones(
    built: tuple[DemoPlan, StrategyCounts],
) -> None:
    measured = set(ObjectiveMeasure.objects.values_list("objective__code", flat=True))
    unmeasured = set(Objective.objects.values_list("code", flat=True)) - measured
    assert unmeasured == set(PLANTED_UNMEASURED)
    parents = ObjectiveVersion.objects.filter(parent__isnull=False).values_list(
        "objective__code", "parent__code"
    )
    assert find_cycle(list(parents)) is None
    links = ObjectiveLink.objects.values_list("cause__code", "effect__code")
    assert find_cycle(list(links)) is None


def test_every_kpi_in_the_database_has_an_owner_steward_source_and_cycle(
    built: tuple[DemoPlan, StrategyCounts],
) -> None:
    for version in KpiVersion.objects.select_related("kpi"):
        planted = PLANTED_SMART_FAILURES.get(version.kpi.code, "")
        assert (version.owner_id is not None) or planted == "A", version.kpi.code
        assert version.steward_id is not None
        assert version.refresh_cycle or planted == "T"
        assert version.unit or planted == "M"
        assert version.formula or version.data_source or planted == "M"
        assert version.valid_from == window_months(today())[0]
        assert ObjectiveMeasure.objects.filter(kpi=version.kpi).exists(), version.kpi.code


def test_the_latest_values_are_for_the_last_complete_month_before_today(
    built: tuple[DemoPlan, StrategyCounts],
) -> None:
    months = window_months(today())
    periods = set(KpiValue.objects.values_list("period", flat=True).distinct())
    assert periods == set(months)


def test_formula_values_in_the_database_match_their_inputs(
    built: tuple[DemoPlan, StrategyCounts],
) -> None:
    stored: dict[str, dict[tuple[int, dt.date], float]] = defaultdict(dict)
    for code, unit, period, value in KpiValue.objects.filter(unit__isnull=False).values_list(
        "kpi__code", "unit_id", "period", "value"
    ):
        stored[code][(unit, period)] = value
    checked = 0
    for version in KpiVersion.objects.exclude(formula="").select_related("kpi"):
        formula = parse_formula(version.formula)
        rows = KpiValue.objects.filter(kpi=version.kpi)
        assert rows.exists() and all(r.source == "formula" for r in rows)
        assert all(sorted(r.lineage["inputs"]) == sorted(formula.names) for r in rows)
        for key, value in stored[version.kpi.code].items():
            inputs = {name: np.array([stored[name][key]]) for name in formula.names}
            assert math.isclose(value, float(evaluate(formula, inputs)[0]), rel_tol=1e-9)
            checked += 1
    assert checked > 100


def test_every_persons_goals_have_values_for_each_month_employed(
    built: tuple[DemoPlan, StrategyCounts],
) -> None:
    plan, _ = built
    months = window_months(today())
    goals = ObjectiveVersion.objects.filter(person__isnull=False)
    per_person = Counter(goals.values_list("person_id", flat=True))
    assert len(per_person) == len(plan.people) and set(per_person.values()) == {3}
    goal_kpis: dict[int, set[int]] = defaultdict(set)
    measures = ObjectiveMeasure.objects.filter(objective__versions__person__isnull=False)
    for person_id, kpi_id in measures.values_list("objective__versions__person_id", "kpi_id"):
        goal_kpis[person_id].add(kpi_id)
    values: dict[tuple[int, int], int] = Counter(
        KpiValue.objects.filter(person__isnull=False).values_list("person_id", "kpi_id")
    )
    people = Person.objects.in_bulk()
    for person_id, kpis in goal_kpis.items():
        person = people[person_id]
        first = max(months[0], person.hire_date.replace(day=1))
        last = (
            min(months[-1], person.leave_date.replace(day=1)) if person.leave_date else months[-1]
        )
        employed = sum(1 for month in months if first <= month <= last)
        for kpi in kpis:
            assert values[(person_id, kpi)] == employed, (person.employee_id, kpi)


def test_building_twice_with_the_same_seed_writes_the_same_strategy(
    built: tuple[DemoPlan, StrategyCounts],
) -> None:
    plan, _ = built
    first = _strategy_fingerprint()
    wipe_strategy()
    build_strategy_again(plan)
    assert _strategy_fingerprint() == first


def _strategy_fingerprint() -> str:
    parts = [
        list(
            KpiVersion.objects.order_by("kpi__code").values_list(
                "kpi__code", "name", "unit", "direction", "owner__employee_id", "data_source"
            )
        ),
        list(
            ObjectiveVersion.objects.order_by("objective__code").values_list(
                "objective__code", "unit__code", "person__employee_id", "parent__code", "weight"
            )
        ),
        list(
            KpiValue.objects.order_by(
                "kpi__code", "unit__code", "person__employee_id", "period"
            ).values_list("kpi__code", "unit__code", "person__employee_id", "period", "value")
        ),
        list(
            Target.objects.order_by(
                "kpi__code", "unit__code", "person__employee_id", "period_start"
            ).values_list(
                "kpi__code",
                "unit__code",
                "person__employee_id",
                "period_start",
                "threshold",
                "target",
                "stretch",
                "range_low",
                "range_high",
            )
        ),
    ]
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


def test_unit_values_carry_units_consistent_with_their_kpis(
    built: tuple[DemoPlan, StrategyCounts],
) -> None:
    units = dict(KpiVersion.objects.values_list("kpi_id", "unit"))
    for kpi_id, value in KpiValue.objects.values_list("kpi_id", "value").iterator():
        unit = units[kpi_id]
        assert math.isfinite(value)
        if unit == "%":
            assert 0 <= value <= 100
        if unit in UNIT_RULES and UNIT_RULES[unit].decimals == 0 and unit != "level":
            assert value == round(value) and value >= 0
