"""Scenario: scoring every value and rolling up every scorecard, against an ORM loop and SQL.

Everything runs in one process over the same database:

1. the full recompute, split into (a) loading definitions and values into arrays, (b) the
   engine's work on those arrays and (c) both, with wall time and peak memory; scores are
   not stored in the timed part;
2. baseline A, a per-object ORM loop over a slice of people (person, goal, KPI, month:
   fetch the value and the target, score in Python, weighted means upwards), the way
   appraisal modules of HR suites compute, scaled to every value;
3. baseline B, the same arithmetic as SQL in DuckDB over the same arrays;
4. one changed value followed to every affected ancestor, in the engine on the prebuilt
   plan and through the application against the database.

Both baselines must reproduce the engine's person scores to 1e-9 before their times are
compared, so the comparison is of the same arithmetic.
"""

from __future__ import annotations

import bisect
import datetime as dt
import gc
import math
import os
import resource
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import numpy as np
import numpy.typing as npt
from django.db import connection, transaction
from rich.console import Console

from bench.report import Measure, Report

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
T = TypeVar("T")

SLICE_PEOPLE = 1_000
CHANGES = 50
TOLERANCE = 1e-9
# Scores are stored (and the application's incremental recompute measured against them)
# when storing is expected to take less than this, or on a small database.
STORE_BUDGET_SECONDS = 60.0
STORE_ALWAYS_UP_TO = 10_000
STORE_SAMPLE_ROWS = 20_000
# The engine and the DuckDB query are each run this many times; the median run is reported.
RUNS = 3


# ---------------------------------------------------------------- memory and time


class Memory:
    """Resident-set size of this process, with a high-water mark reset before each phase.

    Linux keeps the high-water mark in ``VmHWM`` of ``/proc/self/status`` and resets it
    when ``5`` is written to ``/proc/self/clear_refs``; elsewhere the mark of
    ``getrusage`` is used, which cannot be reset (a later phase then reports at least the
    peak of an earlier one).
    """

    STATUS = Path("/proc/self/status")
    CLEAR = Path("/proc/self/clear_refs")

    def __init__(self) -> None:
        self.resettable = self._clear()

    @property
    def method(self) -> str:
        if self.resettable:
            return "VmHWM of /proc/self/status, reset through /proc/self/clear_refs per phase"
        return "ru_maxrss of getrusage (process high-water mark, never reset)"

    def _clear(self) -> bool:
        try:
            self.CLEAR.write_text("5")
        except OSError:
            return False
        return self._status("VmHWM") is not None

    def _status(self, name: str) -> float | None:
        try:
            for line in self.STATUS.read_text().splitlines():
                if line.startswith(f"{name}:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            return None
        return None

    def start(self) -> float:
        """Reset the high-water mark; returns the resident size now, in MB."""
        gc.collect()
        if self.resettable:
            self._clear()
        return self.current()

    def current(self) -> float:
        found = self._status("VmRSS")
        return found if found is not None else self.peak()

    def peak(self) -> float:
        found = self._status("VmHWM") if self.resettable else None
        if found is not None:
            return found
        # ru_maxrss is in kilobytes on Linux.
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Phase:
    seconds: float
    cpu_seconds: float
    start_mb: float
    peak_mb: float
    steps: dict[str, float] = field(default_factory=dict)


@contextmanager
def timed(steps: dict[str, float], name: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    steps[name] = steps.get(name, 0.0) + time.perf_counter() - started


def measured(
    memory: Memory, work: Callable[[dict[str, float]], T], runs: int = 1
) -> tuple[T, Phase]:
    """Run ``work`` (which times its own steps) ``runs`` times with the wall clock and memory
    watched: the last result, and the median run's times with the highest peak of memory."""
    phases = []
    result: T | None = None
    for _ in range(runs):
        result = None  # the previous run's arrays are let go before the next one starts
        steps: dict[str, float] = {}
        start_mb = memory.start()
        started, cpu = time.perf_counter(), time.process_time()
        result = work(steps)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        phases.append(Phase(seconds, cpu, start_mb, memory.peak(), steps))
    assert result is not None
    median = sorted(phases, key=lambda phase: phase.seconds)[len(phases) // 2]
    median.peak_mb = max(phase.peak_mb for phase in phases)
    median.start_mb = min(phase.start_mb for phase in phases)
    return result, median


def load_average() -> list[float]:
    """The machine's 1, 5 and 15 minute load averages: other work competing for the cores."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def _percentile(samples: list[float], share: float) -> float:
    return float(np.percentile(np.array(samples), share))


# ---------------------------------------------------------------- the full recompute


@dataclass
class Loaded:
    """What the pipeline's loaders read from the database."""

    defs: Any  # architecture.Definitions
    raw: Any  # architecture.ValueRows
    targets: Any  # scoring.loading.TargetTable
    edges: Any  # architecture.Edges


@dataclass
class Scored:
    """What the engine made of it: every value scored, every scorecard rolled up."""

    values: Any  # architecture.ValueRows, derived values included
    leaves: Any  # pipeline.Leaves
    graph: Any  # pipeline.Graph
    months: IntArray
    scores: FloatArray  # graph nodes x months

    @cached_property
    def targets(self) -> FloatArray:
        """Each value's phased target parameters: pipeline.PARAMS x values."""
        from scoreline.scoring.pipeline import PARAMS

        return np.vstack([self.leaves.params[name] for name in PARAMS])


def load(day: dt.date, steps: dict[str, float]) -> Loaded:
    from scoreline.lib.months import month_index
    from scoreline.scoring.loading import load_definitions, load_edges, load_targets, load_values

    with timed(steps, "load_definitions"):
        defs = load_definitions(day)
    with timed(steps, "load_values"):
        raw = load_values(month_index(day))
    with timed(steps, "load_targets"):
        targets = load_targets(day)
    with timed(steps, "load_edges"):
        edges = load_edges(day)
    return Loaded(defs, raw, targets, edges)


def run_engine(day: dt.date, loaded: Loaded, steps: dict[str, float]) -> Scored:
    """The work of ``pipeline.compute`` after loading, step by step."""
    from scoreline.scoring.pipeline import build_graph, derive_values, leaf_matrix, score_rows

    with timed(steps, "derive_values"):
        values = derive_values(loaded.defs, loaded.raw, day, loaded.targets)
    with timed(steps, "score_rows (phase and score)"):
        leaves = score_rows(loaded.defs, loaded.targets, values)
    with timed(steps, "build_graph (RollupPlan)"):
        graph = build_graph(loaded.edges, day)
    with timed(steps, "RollupPlan.apply"):
        months, matrix = leaf_matrix(graph, leaves)
        scores = graph.plan.apply(matrix, inplace=True)
    return Scored(values, leaves, graph, months, scores)


def bare_fetch() -> float:
    """Seconds to fetch every value row with one raw SQL query: the least a load can cost."""
    from scoreline.kpis.models import KpiValue

    table = connection.ops.quote_name(KpiValue._meta.db_table)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT kpi_id, unit_id, person_id, period, value FROM {table}")
        rows = cursor.fetchall()
    elapsed = time.perf_counter() - started
    del rows
    return elapsed


def same_scores(a: FloatArray, b: FloatArray) -> tuple[bool, float, int]:
    """Whether two score arrays agree to the tolerance (NaN where the other is NaN)."""
    both_missing = np.isnan(a) & np.isnan(b)
    with np.errstate(invalid="ignore"):
        difference = np.where(both_missing, 0.0, np.abs(a - b))
    difference = np.where(np.isnan(difference), np.inf, difference)
    worst = float(difference.max()) if difference.size else 0.0
    wrong = int((difference > TOLERANCE).sum())
    return wrong == 0, worst, wrong


# ---------------------------------------------------------------- baseline A: an ORM loop


@dataclass
class PolicyRow:
    combine: str
    missing: str
    cap: float


def _policy(unit_id: int | None, day: dt.date) -> PolicyRow:
    from scoreline.lib.dates import effective_on
    from scoreline.scoring.models import ScorecardPolicy

    row = None
    if unit_id is not None:
        row = ScorecardPolicy.objects.filter(effective_on(day), unit_id=unit_id).first()
    if row is None:
        row = ScorecardPolicy.objects.filter(effective_on(day), unit__isnull=True).first()
    if row is None:
        return PolicyRow("weighted_mean", "skip", 100.0)
    return PolicyRow(row.combine, row.missing, 100.0 if row.cap_at_100 else math.inf)


def _combine(children: list[tuple[float, float]], policy: PolicyRow) -> float:
    """One parent's score from its (weight, score) children; NaN scores are missing."""
    counted = [(w, s) for w, s in children if w > 0]
    present = [(w, s) for w, s in counted if not math.isnan(s)]
    if not counted:
        return math.nan
    if policy.missing == "blank" and len(present) < len(counted):
        return math.nan
    if policy.combine == "minimum":
        lowest = min((s for _, s in present), default=math.nan)
        if policy.missing == "zero" and len(present) < len(counted):
            lowest = 0.0 if math.isnan(lowest) else min(lowest, 0.0)
        return min(lowest, policy.cap) if not math.isnan(lowest) else math.nan
    numerator = sum(w * s for w, s in present)
    if policy.missing == "skip":
        weight = sum(w for w, _ in present)
        mean = numerator / weight if weight else math.nan
    else:
        mean = numerator / sum(w for w, _ in counted)
    if policy.combine == "sum":
        mean *= len(present) if policy.missing == "skip" else len(counted)
    return min(mean, policy.cap) if not math.isnan(mean) else math.nan


def _phase_one(
    value: float | None,
    n: int,
    i: int,
    how: str,
    baseline: float | None,
    profile: list[float] | None,
    additive: bool,
) -> float | None:
    """The month ``i`` (of ``n``) of a target spread over its span, in plain Python."""
    if value is None:
        return None
    if how == "linear_ramp" and baseline is None:
        how = "flat"
    if how == "seasonal" and profile is None:
        how = "flat"
    if how == "flat":
        return value / n if additive else value
    if how == "linear_ramp":
        assert baseline is not None
        if n == 1:
            return value
        if additive:
            step = 2.0 * (value - n * baseline) / (n * (n - 1))
            return baseline + step * i
        fraction = i / (n - 1)
        return baseline * (1.0 - fraction) + value * fraction
    assert profile is not None
    share = profile[i] / sum(profile)
    return value * (share if additive else share * n)


def _monthly_target(row: Any, version: Any, month: int) -> dict[str, float | None]:
    """Threshold, target, stretch and range of one month, phased as the pipeline phases."""
    from scoreline.lib.months import month_index

    first, last = month_index(row.period_start), month_index(row.period_end)
    n, i = last - first, month - first
    additive = version.time_aggregation == "sum"
    profile = [float(x) for x in row.profile] if row.profile else None
    if profile is not None and len(profile) != n:
        profile = [profile[j % len(profile)] for j in range(n)]
    goal = _phase_one(row.target, n, i, row.phasing, row.baseline, profile, additive)
    phased: dict[str, float | None] = {"target": goal}
    for name, column in (
        ("threshold", "threshold"),
        ("stretch", "stretch"),
        ("range_low", "low"),
        ("range_high", "high"),
    ):
        raw = getattr(row, name)
        if raw is None:
            phased[column] = None
        elif row.phasing == "linear_ramp" and row.target is not None:
            assert goal is not None
            phased[column] = goal + (raw - row.target)
        else:
            phased[column] = _phase_one(raw, n, i, row.phasing, None, profile, additive)
    return phased


def score_one(method: str, direction: str, value: float, p: dict[str, float | None]) -> float:
    """One value's score with the method's formula, written out for a single number."""
    from scoreline.engine.scoring import GOAL_SCORE, RED_FLAG_SCORE

    def need(*names: str) -> list[float] | None:
        found = [p.get(name) for name in names]
        if any(x is None or math.isnan(x) for x in found):
            return None
        return [float(x) for x in found if x is not None]

    if method == "linear":
        got = need("threshold", "target")
        if got is None:
            return math.nan
        red, goal = got
        position = (value - red) / (goal - red) * (GOAL_SCORE - RED_FLAG_SCORE) + RED_FLAG_SCORE
        return min(max(position, 0.0), 100.0)
    if method == "piecewise":
        got = need("threshold", "target", "stretch")
        if got is None:
            return math.nan
        sign = -1.0 if direction == "lower" else 1.0
        x, a, b, c = value * sign, got[0] * sign, got[1] * sign, got[2] * sign
        if x < a:
            return 0.0
        if x < b:
            return 50.0 + 30.0 * ((x - a) / (b - a))
        if x < c:
            return 80.0 + 20.0 * ((x - b) / (c - b))
        return 100.0
    if method == "target_range":
        got = need("low", "high")
        if got is None:
            return math.nan
        low, high = got
        distance = max(low - value, value - high, 0.0) / ((high - low) / 2.0)
        return max(100.0 * (1.0 - distance), 0.0)
    if method in ("percent_capped", "percent_uncapped"):
        got = need("target")
        if got is None or not got[0] > 0.0:
            return math.nan
        ratio = value / got[0]
        score = max((2.0 - ratio if direction == "lower" else ratio) * 100.0, 0.0)
        return min(score, 100.0) if method == "percent_capped" else score
    raise ValueError(f"the ORM loop scores no {method!r} KPI outside score_table")


def score_table(
    method: str, direction: str, value: float, edges: list[float], scores: list[float]
) -> float:
    """Banded and rubric scores, which look the value up in the KPI's own table."""
    if method == "banded":
        if direction == "lower":
            return scores[len(edges) - bisect.bisect_left(edges, value)]
        return scores[bisect.bisect_right(edges, value)]
    low = min(math.floor(value), len(scores))
    if low == len(scores):
        return scores[-1]
    return (scores[low] - scores[low - 1]) * (value - low) + scores[low - 1]


def orm_loop(
    person_ids: list[int], months: list[int], day: dt.date
) -> tuple[dict[int, list[float]], int]:
    """Person scores per month computed object by object through the ORM.

    For each person, each of their goals, each KPI measuring the goal and each month the
    value and the target are fetched, the value is scored in Python and the scores are
    averaged upwards with the weights and the scorecard policy. Returns the scores and the
    number of values scored.
    """
    from scoreline.kpis.models import KpiValue, KpiVersion, ObjectiveMeasure, RubricLevel, Target
    from scoreline.lib.dates import effective_on
    from scoreline.lib.months import month_of
    from scoreline.org.models import Person
    from scoreline.strategy.models import ObjectiveVersion

    leaf_cap = _policy(None, day).cap
    results: dict[int, list[float]] = {}
    scored = 0
    for person_id in person_ids:
        person = Person.objects.get(pk=person_id)
        policy = _policy(person.primary_unit_id, day)
        goal_rows: list[tuple[float, list[float]]] = []
        goals = ObjectiveVersion.objects.filter(effective_on(day), person=person)
        for goal in goals.order_by("objective_id"):
            kpi_rows: list[tuple[float, list[float]]] = []
            measures = ObjectiveMeasure.objects.filter(
                effective_on(day), objective_id=goal.objective_id
            )
            for measure in measures.order_by("kpi_id"):
                version = KpiVersion.objects.get(effective_on(day), kpi_id=measure.kpi_id)
                table: tuple[list[float], list[float]] | None = None
                if version.scoring == "banded":
                    table = (list(version.band_edges), list(version.band_scores))
                elif version.scoring == "rubric" and version.rubric_id is not None:
                    levels = RubricLevel.objects.filter(rubric_id=version.rubric_id)
                    table = ([], [level.score for level in levels.order_by("level")])
                by_month: list[float] = []
                for month in months:
                    period = month_of(month)
                    row = KpiValue.objects.filter(
                        kpi_id=measure.kpi_id, person=person, period=period
                    ).first()
                    if row is None:
                        by_month.append(math.nan)
                        continue
                    scored += 1
                    target = (
                        Target.objects.filter(
                            effective_on(day),
                            kpi_id=measure.kpi_id,
                            person=person,
                            period_start__lte=period,
                            period_end__gt=period,
                        )
                        .order_by("id")
                        .last()
                    )
                    if version.scoring in ("banded", "rubric"):
                        score = (
                            score_table(
                                version.scoring, version.direction, row.value, table[0], table[1]
                            )
                            if table is not None
                            else math.nan
                        )
                    elif target is None:
                        score = math.nan
                    else:
                        phased = _monthly_target(target, version, month)
                        score = score_one(version.scoring, version.direction, row.value, phased)
                    by_month.append(min(score, leaf_cap) if not math.isnan(score) else math.nan)
                kpi_rows.append((measure.weight, by_month))
            goal_rows.append(
                (
                    goal.weight,
                    [
                        _combine([(w, s[m]) for w, s in kpi_rows], policy)
                        for m in range(len(months))
                    ],
                )
            )
        results[person_id] = [
            _combine([(w, s[m]) for w, s in goal_rows], policy) for m in range(len(months))
        ]
    return results, scored


# ---------------------------------------------------------------- baseline B: DuckDB

LINEAR, PIECEWISE, BANDED, TARGET_RANGE, PERCENT_CAPPED, PERCENT_UNCAPPED, RUBRIC = range(1, 8)
WEIGHTED_MEAN, SUM, MINIMUM = 1, 2, 3
SKIP, ZERO, BLANK = 1, 2, 3


def duckdb_tables(loaded: Loaded, scored: Scored) -> dict[str, dict[str, npt.NDArray[Any]]]:
    """The loaded arrays as columns of tables: values, phased targets, KPIs, graph."""
    from scoreline.engine.directions import DIRECTIONS
    from scoreline.scoring.engine_codes import METHOD
    from scoreline.scoring.pipeline import PARAMS

    defs, graph = loaded.defs, scored.graph
    values = scored.values
    # The phased targets of the months that hold values, one row per value, to be joined.
    has_target = ~np.isnan(scored.targets).all(axis=0)
    phased = dict(zip(PARAMS, scored.targets[:, has_target], strict=True))
    kpi_ids = np.array(sorted(defs.kpis), dtype=np.int64)
    versions = [defs.kpis[int(k)] for k in kpi_ids]
    band_kpi: list[int] = []
    band_edge: list[float] = []
    score_kpi: list[int] = []
    score_band: list[int] = []
    score_value: list[float] = []
    rubric_kpi: list[int] = []
    rubric_level: list[int] = []
    rubric_score: list[float] = []
    for kpi_id, version in zip(kpi_ids, versions, strict=True):
        if version.scoring == "banded":
            band_kpi += [int(kpi_id)] * len(version.band_edges)
            band_edge += [float(x) for x in version.band_edges]
            score_kpi += [int(kpi_id)] * len(version.band_scores)
            score_band += list(range(len(version.band_scores)))
            score_value += [float(x) for x in version.band_scores]
        elif version.scoring == "rubric" and version.rubric_id is not None:
            table = defs.rubric_scores[version.rubric_id]
            rubric_kpi += [int(kpi_id)] * len(table)
            rubric_level += list(range(1, len(table) + 1))
            rubric_score += [float(x) for x in table]
    leaves = np.flatnonzero(graph.kinds() == 0)
    leaf_code = graph.codes[leaves]
    leaf_subject = leaf_code % (1 << 22)
    edges = loaded.edges
    return {
        "vals": {
            "kpi": values.kpi,
            "unit": values.unit,
            "person": values.person,
            "month": values.month,
            "value": values.value,
        },
        "tgt": {
            "kpi": values.kpi[has_target],
            "unit": values.unit[has_target],
            "person": values.person[has_target],
            "month": values.month[has_target],
            **phased,
        },
        "kpis": {
            "kpi": kpi_ids,
            "method": np.array([METHOD[v.scoring] for v in versions], dtype=np.int64),
            "direction": np.array([DIRECTIONS[v.direction] for v in versions], dtype=np.int64),
            "n_edges": np.array([len(v.band_edges) for v in versions], dtype=np.int64),
        },
        "band_edges": {
            "kpi": np.array(band_kpi, dtype=np.int64),
            "edge": np.array(band_edge, dtype=np.float64),
        },
        "band_scores": {
            "kpi": np.array(score_kpi, dtype=np.int64),
            "band": np.array(score_band, dtype=np.int64),
            "score": np.array(score_value, dtype=np.float64),
        },
        "rubric": {
            "kpi": np.array(rubric_kpi, dtype=np.int64),
            "level": np.array(rubric_level, dtype=np.int64),
            "score": np.array(rubric_score, dtype=np.float64),
        },
        "leaf": {
            "kpi": leaf_code // (1 << 22),
            "unit": np.where(leaf_subject % 2 == 0, leaf_subject // 2, 0),
            "person": np.where(leaf_subject % 2 == 1, leaf_subject // 2, 0),
            "node": leaves.astype(np.int64),
        },
        "edges": {
            "child": np.searchsorted(graph.codes, edges.child),
            "parent": np.searchsorted(graph.codes, edges.parent),
            "weight": edges.weight,
        },
        "nodes": {
            "node": np.arange(len(graph.codes), dtype=np.int64),
            "combine": graph.combine,
            "missing": graph.missing,
            "cap": graph.cap,
        },
        "months": {"month": scored.months},
    }


LEVELS_SQL = """
CREATE OR REPLACE TEMP TABLE node_level AS
WITH RECURSIVE up(node, level) AS (
    SELECT node, 0 FROM nodes WHERE node NOT IN (SELECT parent FROM edges)
    UNION
    SELECT e.parent, up.level + 1 FROM up JOIN edges e ON e.child = up.node
)
SELECT node, max(level) AS level FROM up GROUP BY node
"""


def _capped(expression: str, cap: str) -> str:
    """LEAST ignores NULL in DuckDB; a missing score must stay missing."""
    return f"CASE WHEN ({expression}) IS NULL THEN NULL ELSE LEAST({expression}, {cap}) END"


def rollup_sql(levels: int) -> str:
    """One query: every value scored by its method, then every level rolled up in turn."""
    from scoreline.engine.scoring import GOAL_SCORE, RED_FLAG_SCORE

    span, red = repr(GOAL_SCORE - RED_FLAG_SCORE), repr(RED_FLAG_SCORE)
    x, a, b, c = ("value * sg", "threshold * sg", "target * sg", "stretch * sg")
    parts = [
        f"""
base AS (
    SELECT l.node, v.month, v.kpi, v.value, k.method, k.direction, k.n_edges,
           CASE WHEN k.direction = -1 THEN -1.0 ELSE 1.0 END AS sg,
           t.threshold, t.target, t.stretch, t.low, t.high
    FROM vals v
    JOIN leaf l ON l.kpi = v.kpi AND l.unit = v.unit AND l.person = v.person
    JOIN kpis k ON k.kpi = v.kpi
    LEFT JOIN tgt t ON t.kpi = v.kpi AND t.unit = v.unit AND t.person = v.person
                   AND t.month = v.month
),
by_formula AS (
    SELECT node, month, CASE
        WHEN method = {LINEAR} THEN CASE
            WHEN threshold IS NULL OR target IS NULL THEN NULL
            ELSE LEAST(GREATEST((value - threshold) / (target - threshold) * {span} + {red},
                                0.0), 100.0) END
        WHEN method = {PIECEWISE} THEN CASE
            WHEN threshold IS NULL OR target IS NULL OR stretch IS NULL THEN NULL
            WHEN {x} < {a} THEN 0.0
            WHEN {x} < {b} THEN 50.0 + 30.0 * (({x} - {a}) / ({b} - {a}))
            WHEN {x} < {c} THEN 80.0 + 20.0 * (({x} - {b}) / ({c} - {b}))
            ELSE 100.0 END
        WHEN method = {TARGET_RANGE} THEN CASE
            WHEN low IS NULL OR high IS NULL THEN NULL
            ELSE GREATEST(100.0 * (1.0 - GREATEST(low - value, value - high, 0.0)
                                         / ((high - low) / 2.0)), 0.0) END
        WHEN method IN ({PERCENT_CAPPED}, {PERCENT_UNCAPPED}) THEN CASE
            WHEN target IS NULL OR NOT target > 0.0 THEN NULL
            WHEN method = {PERCENT_CAPPED} THEN LEAST(GREATEST(
                (CASE WHEN direction = -1 THEN 2.0 - value / target ELSE value / target END)
                * 100.0, 0.0), 100.0)
            ELSE GREATEST(
                (CASE WHEN direction = -1 THEN 2.0 - value / target ELSE value / target END)
                * 100.0, 0.0) END
        END AS score
    FROM base WHERE method NOT IN ({BANDED}, {RUBRIC})
),
by_band AS (
    SELECT g.node, g.month, s.score
    FROM (
        SELECT base.node, base.month, base.kpi,
               CASE WHEN any_value(base.direction) = -1
                    THEN any_value(base.n_edges) - count(*) FILTER (WHERE e.edge < base.value)
                    ELSE count(*) FILTER (WHERE e.edge <= base.value) END AS band
        FROM base JOIN band_edges e ON e.kpi = base.kpi
        WHERE base.method = {BANDED}
        GROUP BY base.node, base.month, base.kpi
    ) g
    JOIN band_scores s ON s.kpi = g.kpi AND s.band = g.band
),
by_rubric AS (
    SELECT base.node, base.month,
           CASE WHEN hi.score IS NULL THEN lo.score
                ELSE (hi.score - lo.score) * (base.value - lo.level) + lo.score END AS score
    FROM base
    JOIN rubric lo ON lo.kpi = base.kpi AND lo.level = floor(base.value)
    LEFT JOIN rubric hi ON hi.kpi = base.kpi AND hi.level = floor(base.value) + 1
    WHERE base.method = {RUBRIC}
),
parent_stats AS (
    SELECT parent AS node, count(*) AS n_edges, sum(weight) AS total_weight
    FROM edges WHERE weight > 0 GROUP BY parent
),
s0 AS MATERIALIZED (
    SELECT u.node, u.month, LEAST(u.score, n.cap) AS score
    FROM (SELECT * FROM by_formula UNION ALL SELECT * FROM by_band
          UNION ALL SELECT * FROM by_rubric) u
    JOIN nodes n ON n.node = u.node
    WHERE u.score IS NOT NULL
)"""
    ]
    for level in range(1, levels + 1):
        below = " UNION ALL ".join(f"SELECT node, month, score FROM s{k}" for k in range(level))
        combined = f"""CASE
            WHEN n.missing = {BLANK} AND g.present < p.n_edges THEN NULL
            WHEN n.combine = {MINIMUM} THEN CASE
                WHEN n.missing = {ZERO} AND g.present < p.n_edges
                THEN CASE WHEN g.lowest IS NULL THEN 0.0 ELSE LEAST(g.lowest, 0.0) END
                ELSE g.lowest END
            ELSE (CASE WHEN n.missing = {SKIP} THEN g.numerator / g.present_weight
                       ELSE g.numerator / p.total_weight END)
                 * (CASE WHEN n.combine = {SUM}
                         THEN (CASE WHEN n.missing = {SKIP} THEN g.present ELSE p.n_edges END)
                         ELSE 1 END)
        END"""
        parts.append(
            f"""
f{level} AS (
    SELECT e.parent AS node, c.month, e.weight, c.score
    FROM edges e
    JOIN node_level pl ON pl.node = e.parent AND pl.level = {level}
    JOIN ({below}) c ON c.node = e.child
    WHERE e.weight > 0
    UNION ALL
    -- A parent that counts missing children as zero scores in every month.
    SELECT pl.node, m.month, 0.0, NULL
    FROM node_level pl JOIN nodes n ON n.node = pl.node CROSS JOIN months m
    WHERE pl.level = {level} AND n.missing = {ZERO}
),
g{level} AS (
    SELECT node, month,
           coalesce(sum(weight * score), 0.0) AS numerator,
           sum(weight) FILTER (WHERE score IS NOT NULL) AS present_weight,
           count(score) AS present,
           min(score) AS lowest
    FROM f{level} GROUP BY node, month
),
s{level} AS MATERIALIZED (
    SELECT node, month, score FROM (
        SELECT g.node, g.month, {_capped(combined, "n.cap")} AS score
        FROM g{level} g JOIN nodes n ON n.node = g.node JOIN parent_stats p ON p.node = g.node
    ) WHERE score IS NOT NULL
)"""
        )
    every = " UNION ALL ".join(f"SELECT node, month, score FROM s{k}" for k in range(levels + 1))
    return (
        "CREATE OR REPLACE TABLE result AS WITH " + ",".join(parts) + f"\nSELECT * FROM ({every})"
    )


@dataclass
class DuckdbRun:
    register_seconds: float
    levels_seconds: float
    query_seconds: float
    cpu_seconds: float
    levels: int
    threads: int
    scores: FloatArray

    @property
    def seconds(self) -> float:
        return self.levels_seconds + self.query_seconds


def run_duckdb(loaded: Loaded, scored: Scored) -> DuckdbRun:
    started = time.perf_counter()
    tables = duckdb_tables(loaded, scored)
    con = duckdb.connect()
    for name, columns in tables.items():
        con.register(name, columns)
    register_seconds = time.perf_counter() - started
    started, cpu = time.perf_counter(), time.process_time()
    con.execute(LEVELS_SQL)
    found = con.execute("SELECT max(level) FROM node_level").fetchone()
    levels = int(found[0]) if found and found[0] is not None else 0
    levels_seconds = time.perf_counter() - started
    started = time.perf_counter()
    con.execute(rollup_sql(levels))
    query_seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    threads = con.execute("SELECT current_setting('threads')").fetchone()
    out = con.execute("SELECT node, month, score FROM result").fetchnumpy()
    matrix = np.full(scored.scores.shape, np.nan)
    matrix[
        np.asarray(out["node"], dtype=np.int64),
        np.searchsorted(scored.months, np.asarray(out["month"], dtype=np.int64)),
    ] = np.asarray(out["score"], dtype=np.float64)
    con.close()
    return DuckdbRun(
        register_seconds,
        levels_seconds,
        query_seconds,
        cpu,
        levels,
        int(threads[0]) if threads else 0,
        matrix,
    )


# ---------------------------------------------------------------- one changed value


def _replacement(values: Any, row: int, rng: np.random.Generator) -> float:
    """A new value for a row: the value of another row of the same KPI (so it stays valid)."""
    same = np.flatnonzero(values.kpi == values.kpi[row])
    return float(values.value[rng.choice(same)])


def engine_changes(
    loaded: Loaded,
    scored: Scored,
    rows: IntArray,
    rng: np.random.Generator,
    *,
    month_only: bool,
) -> list[float]:
    """Milliseconds to rescore one value and roll it up to every affected ancestor.

    With ``month_only`` the ancestors are recomputed in the changed value's month alone
    (the only month a value changes); otherwise in every month of the matrix.
    """
    from scoreline.engine import rollup
    from scoreline.scoring.pipeline import score_values

    timings = []
    for row in rows:
        change = scored.values.take(np.array([row]))
        change.value[0] = _replacement(scored.values, int(row), rng)
        started = time.perf_counter()
        leaf = score_values(loaded.defs, change, scored.targets[:, [row]])
        node = scored.graph.leaf_positions(change)
        column = int(np.searchsorted(scored.months, change.month[0]))
        scored.scores[node[0], column] = leaf.score[0]
        nodes = rollup.affected_nodes(scored.graph.plan, node)
        # A one-column slice is a view: the roll-up writes straight into the matrix.
        target = scored.scores[:, column : column + 1] if month_only else scored.scores
        rollup.rollup_subset(scored.graph.plan, target, nodes, inplace=True)
        timings.append(1000 * (time.perf_counter() - started))
    return timings


def app_changes(loaded: Loaded, rows: IntArray, rng: np.random.Generator) -> list[float]:
    """Milliseconds of ``pipeline.recompute_value`` after one stored value changed."""
    from scoreline.kpis.models import KpiValue
    from scoreline.lib.months import month_of
    from scoreline.scoring.pipeline import recompute_value

    raw = loaded.raw
    timings = []
    for row in rows:
        kpi, unit, person = int(raw.kpi[row]), int(raw.unit[row]), int(raw.person[row])
        period = month_of(int(raw.month[row]))
        subject = {"unit_id": unit} if unit else {"person_id": person}
        KpiValue.objects.filter(kpi_id=kpi, period=period, **subject).update(
            value=_replacement(raw, int(row), rng)
        )
        started = time.perf_counter()
        recompute_value(kpi_id=kpi, unit_id=unit or None, person_id=person or None, period=period)
        timings.append(1000 * (time.perf_counter() - started))
    return timings


def _sample(candidates: IntArray, count: int, rng: np.random.Generator) -> IntArray:
    if len(candidates) == 0:
        return candidates
    return np.asarray(
        rng.choice(candidates, size=min(count, len(candidates)), replace=False), dtype=np.int64
    )


# ---------------------------------------------------------------- storing


class _Rollback(Exception):
    pass


def store_seconds_per_row(done: Any) -> float:
    """Seconds per score row written by the pipeline's store, from a rolled-back sample."""
    from scoreline.scoring.pipeline import Computation, Leaves, _store

    leaves = done.leaves
    take = np.arange(min(STORE_SAMPLE_ROWS, len(leaves.rows)))
    sample_leaves = Leaves(
        leaves.rows.take(take),
        {name: column[take] for name, column in leaves.params.items()},
        leaves.score[take],
        leaves.status[take],
        leaves.attainment[take],
    )
    per_node = max(len(done.months), 1)
    nodes = done.nodes[: max(1, STORE_SAMPLE_ROWS // per_node)]
    sample = Computation(
        done.day, done.defs, sample_leaves, done.graph, done.months, done.scores, nodes,
        done.present, done.expected,
    )  # fmt: skip
    written = 0
    started = time.perf_counter()
    try:
        with transaction.atomic():
            written = _store(sample)
            raise _Rollback
    except _Rollback:
        pass
    return (time.perf_counter() - started) / max(written, 1)


def store_all(done: Any) -> tuple[float, int]:
    from scoreline.scoring.models import Score
    from scoreline.scoring.pipeline import _store

    started = time.perf_counter()
    with transaction.atomic():
        Score.objects.all().delete()
        written = _store(done)
    return time.perf_counter() - started, written


# ---------------------------------------------------------------- month by month


@dataclass
class AsOf:
    seconds: float
    segments: int


def as_of_recompute(day: dt.date) -> AsOf:
    """The application's full recompute: each month scored with the definitions at its end.

    ``compute_as_of`` reads values and targets once and runs ``compute`` once per run of
    months sharing their definitions.
    """
    from scoreline.scoring.pipeline import compute_as_of

    started = time.perf_counter()
    parts = compute_as_of(day)
    seconds = time.perf_counter() - started
    segments = len(parts)
    del parts
    gc.collect()
    return AsOf(seconds, segments)


# ---------------------------------------------------------------- the scenario


def _steps_note(steps: dict[str, float]) -> dict[str, float]:
    return {name: round(seconds, 3) for name, seconds in steps.items()}


def run(report: Report, console: Console) -> None:
    from scoreline.lib.dates import today
    from scoreline.scoring.pipeline import compute

    rng = np.random.default_rng(report.seed)
    memory = Memory()
    day = today()
    notes: dict[str, Any] = {
        "memory": memory.method,
        "day": day.isoformat(),
        "load_average_at_start": load_average(),
    }
    report.notes["scoring"] = notes
    # The demo was built in this process: what it left behind is moved out of the garbage
    # collector's way, as a process that only recomputes would not hold it.
    gc.collect()
    gc.freeze()

    console.print("Scoring: loading definitions and values into arrays (a)")
    loaded, phase_a = measured(memory, lambda steps: load(day, steps))
    console.print(
        f"  {phase_a.seconds:.2f} s (CPU {phase_a.cpu_seconds:.2f} s) {_steps_note(phase_a.steps)}"
    )
    console.print(f"Scoring: the engine on the loaded arrays (b), median of {RUNS} runs")
    scored, phase_b = measured(memory, lambda steps: run_engine(day, loaded, steps), RUNS)
    console.print(
        f"  {phase_b.seconds:.2f} s (CPU {phase_b.cpu_seconds:.2f} s) {_steps_note(phase_b.steps)}"
    )
    end_to_end = phase_a.seconds + phase_b.seconds
    n_values = len(scored.values)
    persons = np.array(
        [int(key[1]) for key in scored.graph.keys if key[0] == "person"], dtype=np.int64
    )
    notes.update(
        {
            "values_loaded": len(loaded.raw),
            "values_scored": n_values,
            "values_on_a_scorecard": int((scored.graph.leaf_positions(scored.values) >= 0).sum()),
            "targets": len(loaded.targets),
            "kpis": len(loaded.defs.kpis),
            "graph_nodes": len(scored.graph.codes),
            "graph_edges": len(loaded.edges.child),
            "graph_levels": scored.graph.plan.n_levels,
            "months": len(scored.months),
            "person_scorecards": len(persons),
            "load_steps_s": _steps_note(phase_a.steps),
            "engine_steps_s": _steps_note(phase_b.steps),
            "load_cpu_seconds": round(phase_a.cpu_seconds, 3),
            "engine_cpu_seconds": round(phase_b.cpu_seconds, 3),
        }
    )

    console.print("Scoring: pipeline.compute end to end, to check the split (c)")
    started = time.perf_counter()
    done = compute(day)
    compute_seconds = time.perf_counter() - started
    identical = (
        np.array_equal(done.graph.codes, scored.graph.codes)
        and np.array_equal(done.scores, scored.scores, equal_nan=True)
        and np.array_equal(done.leaves.score, scored.leaves.score, equal_nan=True)
    )
    notes["compute_matches_split"] = bool(identical)
    console.print(f"  {compute_seconds:.2f} s, same scores as the split: {identical}")
    console.print("Scoring: compute_as_of, each month with the definitions at its end (d)")
    as_of = as_of_recompute(day)
    notes["as_of"] = {"segments": as_of.segments, "seconds": round(as_of.seconds, 1)}
    console.print(
        f"  {as_of.segments} runs of months with their own definitions: {as_of.seconds:.1f} s"
    )
    console.print("Baseline: one raw SQL fetch of every value row")
    fetch_seconds = bare_fetch()

    slice_ids = sorted(
        int(p) for p in rng.choice(persons, size=min(SLICE_PEOPLE, len(persons)), replace=False)
    )
    console.print(f"Baseline A: the ORM loop over {len(slice_ids):,} people")
    queries = [0]

    def count(execute: Callable[..., Any], *args: Any) -> Any:
        queries[0] += 1
        return execute(*args)

    started, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(count):
        looped, looped_values = orm_loop(slice_ids, [int(m) for m in scored.months], day)
    loop_seconds, loop_cpu = time.perf_counter() - started, time.process_time() - cpu
    looped_queries = queries[0]
    ours = scored.scores[[scored.graph.index[("person", p)] for p in slice_ids]]
    theirs = np.array([looped[p] for p in slice_ids], dtype=np.float64).reshape(ours.shape)
    loop_same, loop_worst, loop_wrong = same_scores(ours, theirs)
    loop_scaled = loop_seconds * n_values / max(looped_values, 1)
    notes["orm_loop"] = {
        "people": len(slice_ids),
        "values_scored": looped_values,
        "queries": looped_queries,
        "seconds": round(loop_seconds, 3),
        "cpu_seconds": round(loop_cpu, 3),
        "scaled_seconds": round(loop_scaled, 1),
        "person_scores_equal": loop_same,
        "max_abs_difference": loop_worst,
        "person_months_differing": loop_wrong,
    }
    console.print(
        f"  {loop_seconds:.1f} s for {looped_values:,} values ({looped_queries:,} queries), "
        f"scaled to {n_values:,} values: {loop_scaled:,.0f} s; person scores equal: "
        f"{loop_same} (max difference {loop_worst:.3g})"
    )

    console.print(f"Baseline B: the same arithmetic as SQL in DuckDB, median of {RUNS} runs")
    sql = sorted((run_duckdb(loaded, scored) for _ in range(RUNS)), key=lambda run: run.seconds)[
        RUNS // 2
    ]
    person_rows = np.flatnonzero(
        np.array([key[0] == "person" for key in scored.graph.keys], dtype=bool)
    )
    sql_same, sql_worst, sql_wrong = same_scores(
        scored.scores[person_rows], sql.scores[person_rows]
    )
    all_same, all_worst, all_wrong = same_scores(scored.scores, sql.scores)
    notes["duckdb"] = {
        "version": duckdb.__version__,
        "threads": sql.threads,
        "register_seconds": round(sql.register_seconds, 3),
        "levels_query_seconds": round(sql.levels_seconds, 3),
        "rollup_query_seconds": round(sql.query_seconds, 3),
        "cpu_seconds_all_threads": round(sql.cpu_seconds, 3),
        "levels": sql.levels,
        "person_scores_equal": sql_same,
        "person_max_abs_difference": sql_worst,
        "person_months_differing": sql_wrong,
        "every_node_equal": all_same,
        "every_node_max_abs_difference": all_worst,
        "node_months_differing": all_wrong,
    }
    console.print(
        f"  {sql.seconds:.2f} s ({sql.threads} threads; levels {sql.levels_seconds:.2f} s, "
        f"roll-up {sql.query_seconds:.2f} s); person scores equal: {sql_same} "
        f"(max {sql_worst:.3g}); every node equal: {all_same} ({all_wrong} differing)"
    )

    rows_to_store = n_values + int(np.isfinite(done.scores[done.nodes]).sum())
    per_row = store_seconds_per_row(done)
    store_estimate = per_row * rows_to_store
    stored = store_estimate < STORE_BUDGET_SECONDS or report.employees <= STORE_ALWAYS_UP_TO
    notes["store"] = {
        "rows": rows_to_store,
        "estimated_seconds": round(store_estimate, 1),
        "stored": stored,
    }
    store_seconds = math.nan
    if stored:
        console.print(f"Storing {rows_to_store:,} scores (estimated {store_estimate:.0f} s)")
        store_seconds, written = store_all(done)
        notes["store"].update({"seconds": round(store_seconds, 1), "written": written})
        console.print(f"  {store_seconds:.1f} s for {written:,} rows")
    else:
        console.print(
            f"Not storing {rows_to_store:,} scores: estimated {store_estimate:,.0f} s "
            f"from a sample of {STORE_SAMPLE_ROWS:,} rows"
        )
    del done
    gc.collect()

    on_card = scored.graph.leaf_positions(scored.values) >= 0
    person_rows_v = _sample(np.flatnonzero(on_card & (scored.values.person > 0)), CHANGES, rng)
    unit_rows_v = _sample(np.flatnonzero(on_card & (scored.values.unit > 0)), CHANGES, rng)
    started = time.perf_counter()
    scored.graph.plan.apply(scored.scores)
    apply_ms = 1000 * (time.perf_counter() - started)
    console.print("Incremental: one value rescored and rolled up in the engine")
    engine_person = engine_changes(loaded, scored, person_rows_v, rng, month_only=True)
    engine_unit = engine_changes(loaded, scored, unit_rows_v, rng, month_only=True)
    engine_person_all = engine_changes(loaded, scored, person_rows_v, rng, month_only=False)
    engine_unit_all = engine_changes(loaded, scored, unit_rows_v, rng, month_only=False)
    still_same, still_worst, _ = same_scores(scored.scores, scored.graph.plan.apply(scored.scores))
    notes["incremental_engine_equals_full_rollup"] = still_same
    notes["incremental_engine_max_abs_difference"] = still_worst
    console.print(
        f"  person {statistics.median(engine_person):.2f} ms, unit "
        f"{statistics.median(engine_unit):.2f} ms (median; the changed month), person "
        f"{statistics.median(engine_person_all):.2f} ms, unit "
        f"{statistics.median(engine_unit_all):.2f} ms (every month); equals a full roll-up: "
        f"{still_same}"
    )

    app_person: list[float] = []
    app_unit: list[float] = []
    if stored:
        raw = loaded.raw
        formula_kpis = [k for k, v in loaded.defs.kpis.items() if v.formula]
        raw_on_card = (scored.graph.leaf_positions(raw) >= 0) & ~np.isin(raw.kpi, formula_kpis)
        console.print("Incremental: pipeline.recompute_value against the database")
        app_person = app_changes(
            loaded, _sample(np.flatnonzero(raw_on_card & (raw.person > 0)), CHANGES, rng), rng
        )
        app_unit = app_changes(
            loaded, _sample(np.flatnonzero(raw_on_card & (raw.unit > 0)), CHANGES, rng), rng
        )
        console.print(
            f"  person {statistics.median(app_person):.0f} ms, unit "
            f"{statistics.median(app_unit):.0f} ms (median)"
        )

    notes["load_average_at_end"] = load_average()

    # ------------------------------------------------------------ the report
    scenario = "scoring"
    report.add(
        Measure(
            scenario,
            f"(a) load into arrays ({len(loaded.raw):,} values)",
            "s",
            phase_a.seconds,
            fetch_seconds,
            "one raw SQL fetch of every value row",
        )
    )
    report.add(
        Measure(
            scenario,
            "(a) peak memory (RSS)",
            "MB",
            phase_a.peak_mb,
            phase_a.start_mb,
            "RSS at the start of the phase",
        )
    )
    report.add(
        Measure(
            scenario,
            "(b) engine: derive, phase, score, graph, roll-up",
            "s",
            phase_b.seconds,
            sql.seconds,
            f"DuckDB SQL, {sql.threads} threads (levels + roll-up query)",
        )
    )
    like_for_like = sum(
        phase_b.steps[name]
        for name in ("score_rows (phase and score)", "build_graph (RollupPlan)", "RollupPlan.apply")
    )
    report.add(
        Measure(
            scenario,
            "(b) without derive_values: phase, score, graph, roll-up",
            "s",
            like_for_like,
            sql.seconds,
            "DuckDB SQL, given the derived values and phased targets",
        )
    )
    report.add(
        Measure(
            scenario,
            "(b) peak memory (RSS)",
            "MB",
            phase_b.peak_mb,
            phase_b.start_mb,
            "RSS at the start of the phase",
        )
    )
    report.add(
        Measure(
            scenario,
            "(c) end to end, (a) + (b)",
            "s",
            end_to_end,
            loop_scaled,
            f"ORM loop, {len(slice_ids):,} people scaled to {n_values:,} values",
        )
    )
    report.add(
        Measure(
            scenario,
            "(c) pipeline.compute measured in one call",
            "s",
            compute_seconds,
            end_to_end,
            "(a) + (b) measured step by step",
        )
    )
    report.add(
        Measure(
            scenario,
            f"(d) compute_as_of: {as_of.segments} runs of months",
            "s",
            as_of.seconds,
            end_to_end,
            "(c) one compute over every month",
        )
    )
    report.add(
        Measure(
            scenario,
            "ORM loop (baseline A), scaled",
            "s",
            loop_scaled,
            phase_b.seconds,
            "our (b) engine",
        )
    )
    if stored:
        report.add(
            Measure(
                scenario,
                f"storing {rows_to_store:,} scores (not in the timed parts)",
                "s",
                store_seconds,
                end_to_end,
                "(c) end to end",
            )
        )
    every_month = f", all {len(scored.months)} months rolled up"
    for label, where, samples in (
        ("person-level", "", engine_person),
        ("unit-level", "", engine_unit),
        ("person-level", every_month, engine_person_all),
        ("unit-level", every_month, engine_unit_all),
    ):
        if samples:
            for name, figure in (
                ("median", statistics.median(samples)),
                ("p95", _percentile(samples, 95)),
            ):
                report.add(
                    Measure(
                        scenario,
                        f"one {label} value, engine{where} ({name} of {len(samples)})",
                        "ms",
                        figure,
                        apply_ms,
                        "full RollupPlan.apply",
                    )
                )
    for label, samples in (("person-level", app_person), ("unit-level", app_unit)):
        if samples:
            for name, figure in (
                ("median", statistics.median(samples)),
                ("p95", _percentile(samples, 95)),
            ):
                report.add(
                    Measure(
                        scenario,
                        f"one {label} value, recompute_value ({name} of {len(samples)})",
                        "ms",
                        figure,
                        1000 * end_to_end,
                        "(c) full recompute",
                    )
                )
    if not stored:
        notes["app_level_incremental"] = (
            "not measured at this size: storing the scores first would take about "
            f"{store_estimate:,.0f} s; run with --quick for it"
        )

    report.check(
        "full recompute under 5 s: (b) engine", f"{phase_b.seconds:.2f} s", phase_b.seconds < 5
    )
    report.check("full recompute under 5 s: (c) end to end", f"{end_to_end:.2f} s", end_to_end < 5)
    report.check(
        "full recompute under 5 s: (d) compute_as_of, the application's path",
        f"{as_of.seconds:.1f} s",
        as_of.seconds < 5,
    )
    for label, ours_seconds in (("(b)", phase_b.seconds), ("(c)", end_to_end)):
        speedup = loop_scaled / ours_seconds
        report.check(
            f"at least 100x faster than the ORM loop: {label}",
            f"{speedup:,.0f}x (person scores equal: {loop_same})",
            speedup >= 100 and loop_same,
        )
    ratio = phase_b.seconds / sql.seconds
    report.check(
        "within 2x of DuckDB: (b) / DuckDB",
        f"{ratio:.2f}x (person scores equal: {sql_same})",
        ratio <= 2 and sql_same,
    )
    ratio = like_for_like / sql.seconds
    report.check(
        "within 2x of DuckDB: score + roll-up only / DuckDB",
        f"{ratio:.2f}x",
        ratio <= 2 and sql_same,
    )
