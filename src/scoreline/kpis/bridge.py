"""Scores from the database: load the architecture in force, call the engine, store results.

Three entry points share one pipeline (values -> derived values -> phased targets ->
leaf scores and statuses -> roll-up over the scorecard graph):

- :func:`recompute` scores everything from scratch, as of any day;
- :func:`recompute_value` follows one changed value up to every affected ancestor;
- :func:`recompute_kpis` does the same for every value of some KPIs (after a definition,
  target or rule change).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from scoreline.engine import aggregation, formulas, phasing, rollup, scoring, status
from scoreline.engine.directions import TARGET_RANGE
from scoreline.kpis.architecture import (
    METHOD,
    Definitions,
    Edges,
    NodeKey,
    Policy,
    TargetRow,
    ValueRows,
    headcounts,
    load_definitions,
    load_edges,
    load_policies,
    load_targets,
    load_values,
    month_index,
    month_of,
    owners_of,
    stored_months,
    unit_tree,
    version_boundaries,
)
from scoreline.kpis.models import Kpi, NodeKind, Score
from scoreline.lib.bulk import BulkInsert, db_date, db_datetime, db_json
from scoreline.lib.dates import today
from scoreline.org.models import OrgUnit, Person

__all__ = [
    "compute",
    "compute_as_of",
    "recompute",
    "recompute_kpis",
    "recompute_value",
    "status_of_value",
    "summarise",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

TIME = {
    "sum": aggregation.TimeAggregation.SUM,
    "average": aggregation.TimeAggregation.AVERAGE,
    "last": aggregation.TimeAggregation.LAST,
    "min": aggregation.TimeAggregation.MIN,
    "max": aggregation.TimeAggregation.MAX,
}
TREE = {
    "sum": aggregation.TreeAggregation.SUM,
    "average": aggregation.TreeAggregation.AVERAGE,
    "headcount_weighted": aggregation.TreeAggregation.HEADCOUNT_WEIGHTED,
    "min": aggregation.TreeAggregation.MIN,
    "max": aggregation.TreeAggregation.MAX,
}
PHASING = {
    "flat": phasing.Phasing.FLAT,
    "linear_ramp": phasing.Phasing.LINEAR_RAMP,
    "seasonal": phasing.Phasing.SEASONAL,
}
# Subjects and months packed into one integer key: persons odd, units even.
MONTHS = 1 << 20


def subject_code(unit: IntArray, person: IntArray) -> IntArray:
    return np.where(unit > 0, unit * 2, person * 2 + 1)


def element_keys(kpi: IntArray, unit: IntArray, person: IntArray, month: IntArray) -> IntArray:
    """One int64 per KPI x subject x month, for joins by sorting."""
    return leaf_codes(kpi, unit, person) * MONTHS + month


# ---------------------------------------------------------------- derived values


def derive_values(defs: Definitions, values: ValueRows, day: dt.date) -> ValueRows:
    """Fill tree-aggregated units, then calculate formula KPIs (their stored values give way).

    Units are filled before formulas so that a group's ratio is the ratio of its sums, not
    a sum of its units' ratios; calculated KPIs are then filled up the tree in turn.
    """
    is_formula = np.isin(values.kpi, [k for k, v in defs.kpis.items() if v.formula])
    base = values.take(~is_formula)
    base = ValueRows.concat([base, _tree_values(defs, base, day)])
    calculated = _formula_values(defs, base)
    calculated = ValueRows.concat([calculated, _tree_values(defs, calculated, day)])
    return ValueRows.concat([base, calculated])


def _formula_values(defs: Definitions, values: ValueRows) -> ValueRows:
    code_of = {kpi_id: version.kpi.code for kpi_id, version in defs.kpis.items()}
    parsed = {
        code_of[k]: formulas.parse_formula(v.formula) for k, v in defs.kpis.items() if v.formula
    }
    if not parsed:
        return ValueRows.empty()
    id_of = {code: kpi_id for kpi_id, code in code_of.items()}
    subject = subject_code(values.unit, values.person)
    keys = subject * MONTHS + values.month
    involved = {name for f in parsed.values() for name in f.names} | set(parsed)
    wanted = np.isin(values.kpi, [id_of[c] for c in involved if c in id_of])
    union = np.unique(keys[wanted])
    base: dict[str, FloatArray] = {}
    for code in involved:
        column = np.full(len(union), np.nan)
        mine = values.kpi == id_of.get(code, -1)
        column[np.searchsorted(union, keys[mine])] = values.value[mine]
        base[code] = column
    results = formulas.evaluate_all(parsed, {c: a for c, a in base.items() if c not in parsed})
    parts = []
    for code, result in results.items():
        found = np.isfinite(result)
        subjects, months = union[found] // MONTHS, union[found] % MONTHS
        parts.append(
            ValueRows(
                np.full(int(found.sum()), id_of[code], dtype=np.int64),
                np.where(subjects % 2 == 0, subjects // 2, 0),
                np.where(subjects % 2 == 1, subjects // 2, 0),
                months,
                result[found],
            )
        )
    return ValueRows.concat(parts)


def _tree_values(defs: Definitions, values: ValueRows, day: dt.date) -> ValueRows:
    """Units without a value of their own get the aggregate of their subtree's values."""
    tree_kpis = [k for k, v in defs.kpis.items() if v.tree_aggregation != "none"]
    at_units = values.unit > 0
    if not tree_kpis or not at_units.any():
        return ValueRows.empty()
    unit_ids, parent = unit_tree()
    position = {int(u): i for i, u in enumerate(unit_ids)}
    indptr, index = aggregation.ancestors_csr(parent)
    heads = headcounts(unit_ids, day)
    months = np.unique(values.month[at_units])
    parts = []
    for kpi_id in tree_kpis:
        mine = at_units & (values.kpi == kpi_id)
        if not mine.any():
            continue
        grid = np.full((len(unit_ids), len(months)), np.nan)
        rows = np.array([position[int(u)] for u in values.unit[mine]], dtype=np.int64)
        grid[rows, np.searchsorted(months, values.month[mine])] = values.value[mine]
        how = TREE[defs.kpis[kpi_id].tree_aggregation]
        weights = heads if how == aggregation.TreeAggregation.HEADCOUNT_WEIGHTED else None
        total = aggregation.aggregate_tree(grid, indptr, index, how, headcount=weights)
        fill = np.isnan(grid) & np.isfinite(total)
        unit_pos, month_pos = np.nonzero(fill)
        parts.append(
            ValueRows(
                np.full(len(unit_pos), kpi_id, dtype=np.int64),
                unit_ids[unit_pos],
                np.zeros(len(unit_pos), dtype=np.int64),
                months[month_pos],
                total[fill],
            )
        )
    return ValueRows.concat(parts)


# ---------------------------------------------------------------- targets


@dataclass
class TargetParams:
    """Phased monthly targets, one element per KPI x subject x month, sorted by key."""

    key: IntArray
    threshold: FloatArray
    target: FloatArray
    stretch: FloatArray
    low: FloatArray
    high: FloatArray


BOUNDS = ("threshold", "stretch", "low", "high")


def phase(
    defs: Definitions, targets: Iterable[TargetRow], months: Collection[int] | None = None
) -> TargetParams:
    """Spread each target over the months of its span (only ``months``, when given).

    Targets sharing a phasing, a span length and additivity are phased together in one
    engine call. Where spans overlap, the later target row wins the month.
    """
    rows = [t for t in targets if t.kpi_id in defs.kpis]
    if not rows:
        empty = np.zeros(0)
        return TargetParams(np.zeros(0, dtype=np.int64), empty, empty, empty, empty, empty)
    first = np.array([month_index(t.period_start) for t in rows], dtype=np.int64)
    length = np.array([month_index(t.period_end) for t in rows], dtype=np.int64) - first
    goal = _column([t.target for t in rows])
    raw = {
        "threshold": _column([t.threshold for t in rows]),
        "stretch": _column([t.stretch for t in rows]),
        "low": _column([t.range_low for t in rows]),
        "high": _column([t.range_high for t in rows]),
    }
    baseline = _column([t.baseline for t in rows])
    how = np.array([PHASING[t.phasing] for t in rows], dtype=np.int64)
    # A ramp without a start and a season without a profile fall back to flat.
    how[(how == phasing.Phasing.LINEAR_RAMP) & (np.isnan(baseline) | np.isnan(goal))] = (
        phasing.Phasing.FLAT
    )
    seasonal = how == phasing.Phasing.SEASONAL
    how[seasonal & np.array([not t.profile for t in rows])] = phasing.Phasing.FLAT
    additive = np.array([defs.kpis[t.kpi_id].time_aggregation == "sum" for t in rows])
    groups: dict[tuple[int, int, bool], list[int]] = {}
    shapes = zip(how.tolist(), length.tolist(), additive.tolist(), strict=True)
    for i, shape in enumerate(shapes):
        groups.setdefault(shape, []).append(i)
    parts: dict[str, list[FloatArray]] = {name: [] for name in ("target", *BOUNDS)}
    keys: list[IntArray] = []
    order: list[IntArray] = []
    for (code, n, add), members in groups.items():
        idx = np.array(members, dtype=np.intp)
        method = phasing.Phasing(code)
        profile = (
            np.array([np.resize(np.asarray(rows[i].profile, dtype=float), n) for i in members])
            if method == phasing.Phasing.SEASONAL
            else None
        )
        start = baseline[idx] if method == phasing.Phasing.LINEAR_RAMP else None

        phased_goal = phasing.phase_targets(
            goal[idx], n, method, start_value=start, profile=profile, additive=add
        ).reshape(len(idx), n)
        parts["target"].append(phased_goal.ravel())
        for name in BOUNDS:
            if method == phasing.Phasing.LINEAR_RAMP:
                # A ramp moves the whole band: each bound keeps its distance from the target.
                moved = phased_goal + (raw[name][idx] - goal[idx])[:, None]
            else:
                moved = phasing.phase_targets(
                    raw[name][idx], n, method, profile=profile, additive=add
                ).reshape(len(idx), n)
            parts[name].append(moved.ravel())
        month = (first[idx][:, None] + np.arange(n)).ravel()
        kpi = np.repeat(np.array([rows[i].kpi_id for i in members], dtype=np.int64), n)
        unit = np.repeat(np.array([rows[i].unit_id or 0 for i in members], dtype=np.int64), n)
        person = np.repeat(np.array([rows[i].person_id or 0 for i in members], np.int64), n)
        keys.append(element_keys(kpi, unit, person, month))
        order.append(np.repeat(idx, n))
    key: IntArray = np.concatenate(keys)
    position = np.concatenate(order)
    columns = {name: np.concatenate(part) for name, part in parts.items()}
    wanted = np.ones(len(key), dtype=bool)
    if months is not None:
        wanted = np.isin(key % MONTHS, list(months))
    # The later row (by load order) wins a month that several spans cover.
    ranked = np.lexsort((position, key))
    ranked = ranked[wanted[ranked]]
    sorted_keys = key[ranked]
    last = np.r_[sorted_keys[1:] != sorted_keys[:-1], True] if len(ranked) else ranked.astype(bool)
    pick = ranked[last]
    return TargetParams(
        key[pick],
        columns["threshold"][pick],
        columns["target"][pick],
        columns["stretch"][pick],
        columns["low"][pick],
        columns["high"][pick],
    )


def _column(items: list[float | None]) -> FloatArray:
    return np.array([np.nan if x is None else x for x in items], dtype=np.float64)


# ---------------------------------------------------------------- leaf scores


@dataclass
class Leaves:
    """Scored values: the KPI leaves of every scorecard."""

    rows: ValueRows
    params: dict[str, FloatArray]
    score: FloatArray
    status: IntArray
    attainment: FloatArray


def score_values(defs: Definitions, rows: ValueRows, targets: TargetParams) -> Leaves:
    n = len(rows)
    keys = element_keys(rows.kpi, rows.unit, rows.person, rows.month)
    at, found = lookup(targets.key, keys)
    params: dict[str, FloatArray] = {}
    for name in ("threshold", "target", "stretch", "low", "high"):
        column = np.full(n, np.nan)
        column[found] = getattr(targets, name)[at[found]]
        params[name] = column
    kpi_ids = np.array(sorted(defs.kpis), dtype=np.int64)
    position = np.searchsorted(kpi_ids, rows.kpi)
    method = np.array([METHOD[defs.kpis[k].scoring] for k in kpi_ids], dtype=np.int64)[position]
    direction = np.array([defs.direction(int(k)) for k in kpi_ids], dtype=np.int64)[position]
    score = np.full(n, np.nan)
    dispatched = (method != scoring.Method.BANDED) & (method != scoring.Method.RUBRIC)
    if dispatched.any():
        score[dispatched] = scoring.score_by_method(
            method[dispatched],
            rows.value[dispatched],
            params["threshold"][dispatched],
            params["target"][dispatched],
            params["threshold"][dispatched],
            params["target"][dispatched],
            params["stretch"][dispatched],
            params["low"][dispatched],
            params["high"][dispatched],
            direction=direction[dispatched],
        )
    tabled = [k for k in kpi_ids if defs.kpis[int(k)].scoring in ("banded", "rubric")]
    for kpi_id in tabled:
        version = defs.kpis[int(kpi_id)]
        mine = rows.kpi == kpi_id
        if version.scoring == "banded" and mine.any():
            score[mine] = scoring.score_banded(
                rows.value[mine],
                version.band_edges,
                version.band_scores,
                direction=defs.direction(int(kpi_id)),
            )
        elif version.scoring == "rubric" and mine.any() and version.rubric_id is not None:
            score[mine] = scoring.score_rubric(
                rows.value[mine], defs.rubric_scores[version.rubric_id]
            )
    attainment = _attainment(rows.value, params, direction)
    # Rule set and fallback status per KPI, spread to the values by their KPI's position.
    kpi_sets = [defs.rule_set_of(int(k)) for k in kpi_ids]
    rule_sets = np.array(kpi_sets, dtype=np.int64)[position]
    default = defs.fallback.get(0, 0)
    fallback = np.array([defs.fallback.get(s, default) for s in kpi_sets], np.int64)[position]
    statuses = status.evaluate_status_grouped(
        rows.value,
        params["target"],
        score,
        rule_sets,
        defs.rule_set,
        defs.rule_basis,
        defs.rule_comparison,
        defs.rule_bound,
        defs.rule_bound_upper,
        defs.rule_status,
        fallback,
        percent_of_target=attainment,
    )
    return Leaves(rows, params, score, statuses, attainment)


def _attainment(
    values: FloatArray, params: dict[str, FloatArray], direction: IntArray
) -> FloatArray:
    """Percent of target, direction-aware: 100 means on target whichever way is better."""
    result = np.full(len(values), np.nan)
    ranged = direction == TARGET_RANGE
    if (~ranged).any():
        result[~ranged] = scoring.score_percent_of_target(
            values[~ranged], params["target"][~ranged], direction=direction[~ranged], cap=None
        )
    if ranged.any():
        low, high = params["low"][ranged], params["high"][ranged]
        result[ranged] = scoring.score_target_range(values[ranged], low, high, (high - low) / 2)
    return result


# ---------------------------------------------------------------- roll-up


@dataclass
class Graph:
    """The scorecard graph with node positions and a prepared engine plan."""

    keys: list[NodeKey]
    index: dict[NodeKey, int]
    plan: rollup.RollupPlan
    policies: list[Policy]
    owner: dict[int, tuple[str, int]]

    leaf_code: IntArray  # sorted codes of the KPI leaves (see leaf_codes)
    leaf_node: npt.NDArray[np.intp]  # the node of each code

    def leaf_positions(self, rows: ValueRows) -> npt.NDArray[np.intp]:
        """Each value's leaf node, or -1 when no scorecard uses it."""
        at, found = lookup(self.leaf_code, leaf_codes(rows.kpi, rows.unit, rows.person))
        return np.where(found, self.leaf_node[at] if found.any() else -1, -1)


def lookup(sorted_keys: IntArray, keys: IntArray) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """Where each key sits in ``sorted_keys`` and whether it is there at all."""
    if len(sorted_keys) == 0:
        return np.zeros(len(keys), dtype=np.int64), np.zeros(len(keys), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return at, sorted_keys[at] == keys


def leaf_codes(kpi: IntArray, unit: IntArray, person: IntArray) -> IntArray:
    """One int64 per KPI x subject."""
    return kpi * (1 << 22) + subject_code(unit, person)


def build_graph(edges: Edges, day: dt.date) -> Graph:
    keys = sorted(set(edges.child) | set(edges.parent), key=repr)
    index = {key: i for i, key in enumerate(keys)}
    policies_by_unit = load_policies(day, set(edges.policy_unit.values()))
    default = policies_by_unit.get(
        None, Policy(rollup.Combine.WEIGHTED_MEAN, rollup.Missing.SKIP, 100.0)
    )
    policies = [policies_by_unit.get(edges.policy_unit.get(key), default) for key in keys]
    plan = rollup.RollupPlan(
        len(keys),
        edge_child=np.array([index[c] for c in edges.child], dtype=np.int64),
        edge_parent=np.array([index[p] for p in edges.parent], dtype=np.int64),
        edge_weight=np.array(edges.weight, dtype=np.float64),
        node_combine=np.array([p.combine for p in policies], dtype=np.int64),
        node_missing=np.array([p.missing for p in policies], dtype=np.int64),
        node_cap=np.array([p.cap for p in policies], dtype=np.float64),
    )
    leaves = [(i, key) for i, key in enumerate(keys) if key[0] == "kpi"]
    codes = np.array(
        [int(key[1]) * (1 << 22) + _subject_number(key[2]) for _, key in leaves],  # type: ignore[call-overload]
        dtype=np.int64,
    )
    order = np.argsort(codes)
    nodes = np.array([i for i, _ in leaves], dtype=np.intp)[order]
    return Graph(keys, index, plan, policies, edges.owner, codes[order], nodes)


def _subject_number(subject: object) -> int:
    assert isinstance(subject, tuple)
    return int(subject[1]) * 2 + (0 if subject[0] == "u" else 1)


# ---------------------------------------------------------------- computing


@dataclass
class Computation:
    """Everything one recompute produced, before it is stored."""

    day: dt.date
    defs: Definitions
    leaves: Leaves
    graph: Graph
    months: IntArray
    scores: FloatArray  # graph nodes x months
    nodes: npt.NDArray[np.intp]  # the non-leaf nodes whose scores are to be stored


def compute(day: dt.date, months: Collection[int] | None = None) -> Computation:
    """Score values and roll up every scorecard with the definitions in force on ``day``.

    ``months`` limits the work to some months (default: every month up to ``day``).
    """
    defs = load_definitions(day)
    raw = load_values(month_index(day), months=months)
    values = derive_values(defs, raw, day)
    targets = load_targets(day, months=months)
    leaves = score_values(defs, values, phase(defs, targets, months))
    graph = build_graph(load_edges(day), day)
    done_months = np.unique(values.month)
    matrix = np.full((len(graph.keys), len(done_months)), np.nan)
    _write_leaves(matrix, graph, leaves, done_months)
    scores = graph.plan.apply(matrix)
    inner = np.array([i for i, key in enumerate(graph.keys) if key[0] != "kpi"], dtype=np.intp)
    return Computation(day, defs, leaves, graph, done_months, scores, inner)


def compute_as_of(as_of: dt.date) -> list[Computation]:
    """Every month up to ``as_of``, each scored with the definitions in force at its end.

    A month's scorecard follows the definitions of its own last day (or of ``as_of`` when
    that comes first), so a later change leaves earlier months, and closed periods, as they
    were; and recomputing as of a past day reproduces what was stored on that day.
    """
    months = stored_months(month_index(as_of))
    return [compute(day, group) for day, group in definition_days(months, as_of)]


def definition_days(months: Collection[int], as_of: dt.date) -> list[tuple[dt.date, list[int]]]:
    """Months grouped by the definitions governing them, with the day to read those from."""
    boundaries = version_boundaries(as_of)
    groups: dict[int, list[tuple[int, dt.date]]] = {}
    for month in sorted(months):
        day = min(month_of(month + 1) - dt.timedelta(days=1), as_of)
        groups.setdefault(bisect.bisect_right(boundaries, day), []).append((month, day))
    return [
        (max(day for _, day in group), [month for month, _ in group])
        for _, group in sorted(groups.items())
    ]


def _write_leaves(matrix: FloatArray, graph: Graph, leaves: Leaves, months: IntArray) -> None:
    nodes = graph.leaf_positions(leaves.rows)
    used = nodes >= 0
    matrix[nodes[used], np.searchsorted(months, leaves.rows.month[used])] = leaves.score[used]


def recompute(*, kpi_ids: set[int] | None = None, as_of: dt.date | None = None) -> int:
    """Recompute and store scores; returns the number of score rows written.

    With ``kpi_ids`` only those KPIs' values and what depends on them are recomputed.
    """
    day = as_of or today()
    if kpi_ids is not None:
        return recompute_kpis(kpi_ids, day=day)
    parts = compute_as_of(day)
    with transaction.atomic():
        Score.objects.all().delete()
        return sum(_store(part) for part in parts)


def recompute_value(
    *, kpi_id: int, unit_id: int | None, person_id: int | None, period: dt.date
) -> int:
    """Follow one changed value up to every scorecard node that depends on it."""
    units = {unit_id} if unit_id is not None else set()
    persons = {person_id} if person_id is not None else set()
    return _recompute_part(today(), {kpi_id}, [month_index(period)], units, persons)


def recompute_kpis(kpi_ids: Collection[int], *, day: dt.date | None = None) -> int:
    """Rescore every value of some KPIs (after a definition, target or rule change)."""
    day = day or today()
    months = stored_months(month_index(day), kpi_ids=kpi_ids)
    return _recompute_part(day, set(kpi_ids), months, None, None)


def _recompute_part(
    as_of: dt.date,
    kpi_ids: set[int],
    months: list[int],
    units: set[int] | None,
    persons: set[int] | None,
) -> int:
    written = 0
    for day, group in definition_days(months, as_of):
        written += _recompute_segment(day, kpi_ids, group, units, persons)
    return written


def _recompute_segment(
    day: dt.date,
    kpi_ids: set[int],
    months: list[int],
    units: set[int] | None,
    persons: set[int] | None,
) -> int:
    defs = load_definitions(day)
    affected, needed = formula_closure(defs, kpi_ids)
    tree = any(defs.kpis[k].tree_aggregation != "none" for k in affected if k in defs.kpis)
    if units and tree:
        units = units | set(_ancestor_ids(units))
    # Tree-aggregated units read every unit's values; otherwise only the subjects changed.
    everyone = tree and bool(units)
    raw = load_values(
        month_index(day),
        kpi_ids=needed,
        months=months,
        unit_ids=None if everyone else units,
        person_ids=None if everyone else persons,
    )
    rows = derive_values(defs, raw, day)
    keep = np.isin(rows.kpi, list(affected))
    if units is not None or persons is not None:
        keep &= np.isin(rows.unit, list(units or ())) | np.isin(rows.person, list(persons or ()))
    rows = rows.take(keep)
    targets = load_targets(day, kpi_ids=affected, unit_ids=units, person_ids=persons, months=months)
    leaves = score_values(defs, rows, phase(defs, targets, months))
    months_done = np.array(sorted(months), dtype=np.int64)
    graph = build_graph(_closed_edges(day, rows, units, persons), day)
    current = _stored_scores(graph, months_done)
    changed = [
        i
        for i, key in enumerate(graph.keys)
        if key[0] == "kpi" and key[1] in affected and _subject_in(key[2], units, persons)  # type: ignore[arg-type]
    ]
    current[changed] = np.nan
    _write_leaves(current, graph, leaves, months_done)
    nodes = rollup.affected_nodes(graph.plan, np.array(changed, dtype=np.int64))
    rollup.rollup_subset(graph.plan, current, nodes, inplace=True)
    inner = np.array([n for n in nodes if graph.keys[n][0] != "kpi"], dtype=np.intp)
    done = Computation(day, defs, leaves, graph, months_done, current, inner)
    with transaction.atomic():
        _delete_part(done, affected, units, persons)
        return _store(done)


def _subject_in(subject: tuple[str, int], units: set[int] | None, persons: set[int] | None) -> bool:
    if units is None and persons is None:
        return True
    kind, ident = subject
    return ident in (units or set()) if kind == "u" else ident in (persons or set())


def formula_closure(defs: Definitions, kpi_ids: set[int]) -> tuple[set[int], set[int]]:
    """KPIs whose values change with ``kpi_ids`` (formulas over them, transitively), and
    every KPI whose values those calculations read."""
    id_of = {v.kpi.code: k for k, v in defs.kpis.items()}
    reads = {
        k: {id_of[n] for n in formulas.parse_formula(v.formula).names if n in id_of}
        for k, v in defs.kpis.items()
        if v.formula
    }
    affected = set(kpi_ids)
    grew = True
    while grew:
        extra = {k for k, inputs in reads.items() if inputs & affected} - affected
        affected |= extra
        grew = bool(extra)
    needed = set(affected)
    frontier = set(affected)
    while frontier:
        frontier = {i for k in frontier for i in reads.get(k, ())} - needed
        needed |= frontier
    return affected, needed


def _ancestor_ids(unit_ids: set[int]) -> list[int]:
    paths = OrgUnit.objects.filter(id__in=unit_ids).values_list("path", flat=True)
    steplen = OrgUnit.steplen
    prefixes = {p[:i] for p in paths for i in range(steplen, len(p), steplen)}
    return list(OrgUnit.objects.filter(path__in=prefixes).values_list("id", flat=True))


def _closed_edges(
    day: dt.date, rows: ValueRows, units: set[int] | None, persons: set[int] | None
) -> Edges:
    """The edges of every subject whose scorecards a change can reach, loaded until closed."""
    if units is None and persons is None:
        units = {int(u) for u in np.unique(rows.unit) if u}
        persons = {int(p) for p in np.unique(rows.person) if p}
    units, persons = set(units or ()), set(persons or ())
    while True:
        edges = load_edges(day, unit_ids=units, person_ids=persons)
        more_units, more_persons = owners_of(day, edges.outside_parents)  # type: ignore[arg-type]
        if more_units <= units and more_persons <= persons:
            return edges
        units |= more_units
        persons |= more_persons


# ---------------------------------------------------------------- storing

FIELDS_OF_KIND = {
    "kpi": NodeKind.KPI,
    "objective": NodeKind.OBJECTIVE,
    "perspective": NodeKind.PERSPECTIVE,
    "unit": NodeKind.UNIT,
    "person": NodeKind.PERSON,
}


def _node_fields(key: NodeKey, owner: dict[int, tuple[str, int]]) -> dict[str, object]:
    kind = key[0]
    if kind == "kpi":
        subject = key[2]
        assert isinstance(subject, tuple)
        return {"kpi_id": key[1], **_subject_fields(subject)}
    if kind == "objective":
        found = owner.get(int(key[1]))  # type: ignore[call-overload]
        return {"objective_id": key[1], **(_subject_fields(found) if found else {})}
    if kind == "perspective":
        return {"unit_id": key[1], "perspective_id": key[2]}
    if kind == "unit":
        return {"unit_id": key[1]}
    return {"person_id": key[1]}


def _subject_fields(subject: tuple[str, int]) -> dict[str, object]:
    return {"unit_id": subject[1]} if subject[0] == "u" else {"person_id": subject[1]}


SCORE_FIELDS = (
    "kind", "kpi", "objective", "perspective", "unit", "person", "period", "value", "score",
    "status", "explanation", "computed_at",
)  # fmt: skip


def _store(done: Computation) -> int:
    """Write a computation's scores: every scored value, and every roll-up node with a score."""
    return BulkInsert(Score, SCORE_FIELDS).write(itertools.chain(_kpi_rows(done), _node_rows(done)))


def _kpi_rows(done: Computation) -> Iterator[tuple[object, ...]]:
    computed_at = db_datetime(timezone.now())
    day = done.day.isoformat()
    leaves, codes = done.leaves, done.defs.statuses
    rows = leaves.rows
    periods = {int(m): db_date(month_of(int(m))) for m in np.unique(rows.month)}
    has_status = np.isfinite(leaves.score) | np.isfinite(leaves.attainment)
    params = {name: column.tolist() for name, column in leaves.params.items()}
    score, attainment = leaves.score.tolist(), leaves.attainment.tolist()
    status = leaves.status.tolist()
    for i, (kpi, unit, person, month, value) in enumerate(
        zip(*(getattr(rows, name).tolist() for name in ValueRows.names()), strict=True)
    ):
        version = done.defs.kpis[kpi]
        explanation = {
            "method": version.scoring,
            "direction": version.direction,
            "inputs": {name: _number(column[i]) for name, column in params.items()},
            "attainment": _number(attainment[i]),
            "definitions_as_of": day,
        }
        yield (
            NodeKind.KPI.value, kpi, None, None, unit or None, person or None, periods[month],
            value, _number(score[i]), codes[status[i]] if has_status[i] and codes else "",
            db_json(Score, "explanation", explanation), computed_at,
        )  # fmt: skip


def _node_rows(done: Computation) -> Iterator[tuple[object, ...]]:
    computed_at = db_datetime(timezone.now())
    graph, day = done.graph, done.day.isoformat()
    periods = [db_date(month_of(int(m))) for m in done.months]
    for node in done.nodes:
        key, policy = graph.keys[node], graph.policies[node]
        ids = _node_fields(key, graph.owner)
        explanation = db_json(
            Score,
            "explanation",
            {
                "combine": rollup.Combine(policy.combine).name.lower(),
                "missing": rollup.Missing(policy.missing).name.lower(),
                "cap": None if np.isinf(policy.cap) else policy.cap,
                "definitions_as_of": day,
            },
        )
        head = (
            FIELDS_OF_KIND[str(key[0])].value, ids.get("kpi_id"), ids.get("objective_id"),
            ids.get("perspective_id"), ids.get("unit_id"), ids.get("person_id"),
        )  # fmt: skip
        for period, value in zip(periods, done.scores[node].tolist(), strict=True):
            if math.isfinite(value):
                yield (*head, period, None, value, "", explanation, computed_at)


def _number(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _delete_part(
    done: Computation, kpi_ids: set[int], units: set[int] | None, persons: set[int] | None
) -> None:
    periods = [month_of(int(m)) for m in done.months]
    kpi_rows = Score.objects.filter(kind=NodeKind.KPI, kpi_id__in=kpi_ids, period__in=periods)
    if units is not None or persons is not None:
        kpi_rows = kpi_rows.filter(
            Q(unit_id__in=list(units or ())) | Q(person_id__in=list(persons or ()))
        )
    kpi_rows.delete()
    by_kind: dict[str, list[NodeKey]] = {}
    for node in done.nodes:
        key = done.graph.keys[node]
        by_kind.setdefault(str(key[0]), []).append(key)
    for kind, keys in by_kind.items():
        match = Q()
        for key in keys:
            match |= Q(**_identity(key))
        Score.objects.filter(match, kind=FIELDS_OF_KIND[kind], period__in=periods).delete()


def _identity(key: NodeKey) -> dict[str, object]:
    kind = key[0]
    if kind == "objective":
        return {"objective_id": key[1]}
    if kind == "perspective":
        return {"unit_id": key[1], "perspective_id": key[2]}
    if kind == "unit":
        return {"unit_id": key[1]}
    if kind == "person":
        return {"person_id": key[1]}
    subject = key[2]
    assert isinstance(subject, tuple)
    return {"kpi_id": key[1], **_subject_fields(subject)}


def _stored_scores(graph: Graph, months: IntArray) -> FloatArray:
    """The stored score of every graph node in some months (NaN where none is stored)."""
    current = np.full((len(graph.keys), len(months)), np.nan)
    periods = [month_of(int(m)) for m in months]
    wanted: dict[tuple[object, ...], int] = {}
    for i, key in enumerate(graph.keys):
        wanted[_row_key(FIELDS_OF_KIND[str(key[0])], _identity(key))] = i
    kinds = {str(key[0]) for key in graph.keys}
    rows = Score.objects.filter(kind__in=[FIELDS_OF_KIND[k] for k in kinds], period__in=periods)
    ids = {
        "objective_id": [k[1] for k in graph.keys if k[0] == "objective"],
        "unit_id": [k[1] for k in graph.keys if k[0] in ("perspective", "unit")]
        + [k[2][1] for k in graph.keys if k[0] == "kpi" and k[2][0] == "u"],  # type: ignore[index]
        "person_id": [k[1] for k in graph.keys if k[0] == "person"]
        + [k[2][1] for k in graph.keys if k[0] == "kpi" and k[2][0] == "p"],  # type: ignore[index]
    }
    rows = rows.filter(
        Q(objective_id__in=ids["objective_id"])
        | Q(unit_id__in=ids["unit_id"])
        | Q(person_id__in=ids["person_id"])
    )
    month_pos = {month_of(int(m)): j for j, m in enumerate(months)}
    for kind, kpi, objective, perspective, unit, person, period, score in rows.values_list(
        "kind",
        "kpi_id",
        "objective_id",
        "perspective_id",
        "unit_id",
        "person_id",
        "period",
        "score",
    ):
        identity = _stored_identity(kind, kpi, objective, perspective, unit, person)
        node = wanted.get(_row_key(kind, identity))
        if node is not None and score is not None:
            current[node, month_pos[period]] = score
    return current


def _stored_identity(
    kind: str, kpi: int | None, objective: int | None, perspective: int | None,
    unit: int | None, person: int | None,
) -> dict[str, object]:  # fmt: skip
    if kind == NodeKind.KPI:
        return {"kpi_id": kpi, **({"unit_id": unit} if unit else {"person_id": person})}
    if kind == NodeKind.OBJECTIVE:
        return {"objective_id": objective}
    if kind == NodeKind.PERSPECTIVE:
        return {"unit_id": unit, "perspective_id": perspective}
    if kind == NodeKind.UNIT:
        return {"unit_id": unit}
    return {"person_id": person}


def _row_key(kind: str, identity: dict[str, object]) -> tuple[object, ...]:
    return (str(kind), *sorted(identity.items()))


# ---------------------------------------------------------------- one value


def status_of_value(
    kpi: Kpi, unit: OrgUnit | None, person: Person | None, period: dt.date, value: float
) -> str | None:
    """The status a value would get against its target (None when it has no target)."""
    day = today()
    defs = load_definitions(day, [kpi.pk])
    if kpi.pk not in defs.kpis:
        return None
    unit_id, person_id = (unit.pk if unit else 0), (person.pk if person else 0)
    rows = ValueRows(
        np.array([kpi.pk]), np.array([unit_id]), np.array([person_id]),
        np.array([month_index(period)]), np.array([float(value)]),
    )  # fmt: skip
    targets = load_targets(
        day,
        kpi_ids=[kpi.pk],
        unit_ids=[unit_id] if unit_id else None,
        person_ids=[person_id] if person_id else None,
    )
    leaves = score_values(defs, rows, phase(defs, targets))
    if not (np.isfinite(leaves.score[0]) or np.isfinite(leaves.attainment[0])):
        return None
    return defs.statuses[int(leaves.status[0])] if defs.statuses else None


def summarise(parts: list[Computation]) -> str:
    """A few lines on a recompute: its size and the unit scorecards of its last month."""
    values = sum(len(part.leaves.rows) for part in parts)
    lines = [f"{values} values scored in {len(parts)} run(s) of definitions"]
    if not parts or len(parts[-1].months) == 0:
        return lines[0]
    done = parts[-1]
    last = len(done.months) - 1
    units = {int(key[1]): i for i, key in enumerate(done.graph.keys) if key[0] == "unit"}  # type: ignore[call-overload]
    codes = dict(OrgUnit.objects.filter(id__in=list(units)).values_list("id", "code"))
    month = month_of(int(done.months[last]))
    lines.append(f"unit scorecards in {month:%Y-%m} (definitions of {done.day}):")
    for unit_id, node in sorted(units.items(), key=lambda item: str(codes.get(item[0]))):
        value = done.scores[node, last]
        shown = f"{value:6.1f}" if np.isfinite(value) else "     -"
        lines.append(f"  {codes.get(unit_id, unit_id)!s:<24}{shown}")
    return "\n".join(lines)
