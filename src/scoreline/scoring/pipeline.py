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
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from enum import IntEnum
from functools import cached_property

import numpy as np
import numpy.typing as npt
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from scoreline.engine import (
    aggregation,
    coverage,
    formulas,
    parallel,
    phasing,
    rollup,
    scoring,
    status,
    subtrees,
)
from scoreline.engine.directions import HIGHER_IS_BETTER, TARGET_RANGE
from scoreline.engine.nodes import (
    KIND_SHIFT,
    NODE_KINDS,
    PAYLOAD,
    PERSPECTIVE_BITS,
    STORED_KINDS,
    SUBJECT_BITS,
    NodeKey,
    leaf_codes,
    node_codes,
    node_key,
    node_kinds,
    stored_nodes,
    subject_code,
)
from scoreline.engine.sets import distinct, lookup
from scoreline.engine.targets import MONTHS, TargetSpans, covering_rows
from scoreline.kpis.models import Kpi
from scoreline.kpis.validation import SEASONAL_MONTHS
from scoreline.lib.bulk import BulkInsert, db_date, db_datetime
from scoreline.lib.dates import today
from scoreline.lib.months import month_end, month_index, month_of
from scoreline.org.models import OrgUnit, Person
from scoreline.scoring.engine_codes import CYCLE, METHOD, PHASING, TREE
from scoreline.scoring.freshness import note_rules, record_rules
from scoreline.scoring.loading import (
    Definitions,
    Edges,
    MonthIndex,
    Policy,
    TargetTable,
    ValueRows,
    fetch_rows,
    headcounts,
    latest_stored_month,
    load_definitions,
    load_edges,
    load_policies,
    load_targets,
    load_values,
    numeric_columns,
    owners_of,
    stored_months,
    unit_tree,
    version_boundaries,
)
from scoreline.scoring.models import SCORING_INPUTS, NodeKind, Score
from scoreline.scoring.storing import delete_every_score, hold_scores_lock, replacing_scores

__all__ = [
    "calendar_profile",
    "compute",
    "compute_as_of",
    "recompute",
    "recompute_kpis",
    "recompute_value",
    "status_of_value",
    "sum_targets",
    "summarise",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Values per piece of the per-value work (phasing, scoring, status), which runs on every core.
PIECE = 1 << 19


# ---------------------------------------------------------------- derived values


def derive_values(
    defs: Definitions, values: ValueRows, day: dt.date, targets: TargetTable
) -> ValueRows:
    """Fill tree-aggregated units, then calculate formula KPIs (their stored values give way).

    Units are filled before formulas so that a group's ratio is the ratio of its sums, not
    a sum of its units' ratios; calculated KPIs are then filled up the tree in turn.
    ``targets`` (those in force, of every unit) say which units are expected to report a
    summed KPI (see :func:`_tree_values`).
    """
    is_formula = np.isin(values.kpi, [k for k, v in defs.kpis.items() if v.formula])
    base = values.take(~is_formula) if is_formula.any() else values
    filled = _tree_values(defs, base, day, targets)
    calculated = _formula_values(defs, [base, filled])
    # One concatenation at the end: the values are by far the largest arrays here.
    return ValueRows.concat(
        [base, filled, calculated, _tree_values(defs, calculated, day, targets)]
    )


def sum_targets(
    defs: Definitions,
    day: dt.date,
    kpi_ids: Collection[int] | None = None,
    months: Collection[int] | None = None,
) -> TargetTable:
    """The targets in force that say who is expected to report the summed KPIs among
    ``kpi_ids`` (all by default) in ``months`` (all by default), for :func:`derive_values`."""
    summed = [
        k
        for k, v in defs.kpis.items()
        if v.tree_aggregation == "sum" and (kpi_ids is None or k in kpi_ids)
    ]
    return load_targets(day, kpi_ids=summed, months=months)


def _formula_values(defs: Definitions, parts: list[ValueRows]) -> ValueRows:
    code_of = {kpi_id: version.kpi.code for kpi_id, version in defs.kpis.items()}
    parsed = {
        code_of[k]: formulas.parse_formula(v.formula) for k, v in defs.kpis.items() if v.formula
    }
    # A formula reading no KPI (refused on save, but perhaps stored before) has no subject
    # or month to be calculated for: it gives no values.
    parsed = {code: formula for code, formula in parsed.items() if formula.names}
    if not parsed:
        return ValueRows.empty()
    id_of = {code: kpi_id for kpi_id, code in code_of.items()}
    involved = {name for f in parsed.values() for name in f.names} | set(parsed)
    # Only the values of the KPIs the formulas involve are read, one column per KPI.
    read = [id_of[c] for c in involved if c in id_of]
    values = ValueRows.concat([part.take(np.isin(part.kpi, read)) for part in parts])
    keys = subject_code(values.unit, values.person) * MONTHS + values.month
    union = distinct(keys)
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


def _tree_values(
    defs: Definitions, values: ValueRows, day: dt.date, targets: TargetTable
) -> ValueRows:
    """Units without a value of their own get the aggregate of their subtree's values.

    Only the units holding values are spread up the tree (one engine call per tree
    rule), so the work follows the values, not units x months x KPIs.

    A sum counts each unit's value once, for its whole subtree (a total is not added to
    the parts below it), and is formed only when every unit expected to report in the
    month is in (:func:`scoreline.engine.subtrees.complete_subtrees`): a unit that has not
    reported yet would otherwise count as zero. A unit whose scorecard policy counts
    missing values as zero keeps the partial sum. The average, headcount-weighted mean,
    minimum and maximum are estimates from the units present, whoever is missing.
    """
    tree_kpis = [k for k, v in defs.kpis.items() if v.tree_aggregation != "none"]
    at_units = np.flatnonzero(values.unit > 0)
    at_units = at_units[np.isin(values.kpi[at_units], tree_kpis)]
    if not at_units.size:
        return ValueRows.empty()
    unit_ids, parent = unit_tree()
    indptr, index = aggregation.ancestors_csr(parent)
    heads = headcounts(unit_ids, day)
    own = values.take(at_units)
    by_id = np.argsort(unit_ids)
    position = by_id[np.searchsorted(unit_ids, own.unit, sorter=by_id)]
    # A group is one KPI x month; month offsets stay below MONTHS. Sorted, so that sums
    # add up in the same order however the values were read.
    group = own.kpi * MONTHS + own.month
    ordered = np.lexsort((position, group))
    own, position, group = own.take(ordered), position[ordered], group[ordered]
    held = distinct(group * len(unit_ids) + position)
    rule = np.array([TREE[defs.kpis[int(k)].tree_aggregation] for k in own.kpi], dtype=np.int64)
    parts = []
    for how in np.unique(rule).tolist():
        mine = rule == how
        summed = how == aggregation.TreeAggregation.SUM
        weights = heads if how == aggregation.TreeAggregation.HEADCOUNT_WEIGHTED else None
        units, groups, total = aggregation.aggregate_tree_entries(
            position[mine], group[mine], own.value[mine], indptr, index, how,
            headcount=weights, stop_at_holders=summed,
        )  # fmt: skip
        fill = np.isfinite(total) & ~np.isin(groups * len(unit_ids) + units, held)
        if summed:
            at = np.flatnonzero(fill)
            fill[at] = _complete_sums(
                defs, targets, day, unit_ids, indptr, index, units[at], groups[at],
                position[mine], group[mine],
            )  # fmt: skip
        parts.append(
            ValueRows(
                groups[fill] // MONTHS,
                unit_ids[units[fill]],
                np.zeros(int(fill.sum()), dtype=np.int64),
                groups[fill] % MONTHS,
                total[fill],
            )
        )
    return ValueRows.concat(parts)


def _complete_sums(
    defs: Definitions,
    targets: TargetTable,
    day: dt.date,
    unit_ids: IntArray,
    indptr: npt.NDArray[np.intp],
    index: npt.NDArray[np.intp],
    units: npt.NDArray[np.intp],
    groups: IntArray,
    held_units: npt.NDArray[np.intp],
    held_groups: IntArray,
) -> npt.NDArray[np.bool_]:
    """Which sums may stand, of units (positions in ``unit_ids``) in KPI-month groups:
    those with every expected value of their subtree in, and partial ones where the unit's
    scorecard policy counts missing values as zero.

    A unit is expected to report a KPI in a month when a target of its own covers the
    month and the KPI's refresh cycle makes it due there, as coverage expects a value
    (:func:`expected_values`).
    """
    if not units.size:
        return np.zeros(0, dtype=bool)
    asked = distinct(groups)
    at_units = targets.take((targets.unit > 0) & np.isin(targets.kpi, distinct(asked // MONTHS)))
    # Each target against each month asked of its KPI (groups sort by KPI, then month).
    first = np.searchsorted(asked // MONTHS, at_units.kpi, side="left")
    count = np.searchsorted(asked // MONTHS, at_units.kpi, side="right") - first
    row = np.repeat(np.arange(len(at_units)), count)
    slot = first[row] + np.arange(len(row)) - np.repeat(np.cumsum(count) - count, count)
    leaf = leaf_codes(at_units.kpi[row], at_units.unit[row], at_units.person[row])
    spans = MonthlyTargets(defs, at_units).spans
    due = expected_values(defs, spans, leaf, asked[slot] % MONTHS)
    by_id = np.argsort(unit_ids)
    expected_unit = by_id[np.searchsorted(unit_ids, at_units.unit[row[due]], sorter=by_id)]
    complete = subtrees.complete_subtrees(
        units, groups, expected_unit, asked[slot[due]], held_units, held_groups, indptr, index
    )
    waiting = np.flatnonzero(~complete)
    if waiting.size:
        policies = unit_policies(day, unit_ids[units[waiting]].tolist())
        complete[waiting] = [policy.missing == rollup.Missing.ZERO for policy in policies]
    return complete


# ---------------------------------------------------------------- targets


PARAMS = SCORING_INPUTS


def calendar_profile(profile: list[float] | None, first: int) -> list[float] | None:
    """A seasonal profile, stored by calendar month (January first), from the span's first
    month (a :func:`~scoreline.lib.months.month_index`) on, as the engine reads it."""
    if not profile or len(profile) != SEASONAL_MONTHS:
        return profile
    start = first % SEASONAL_MONTHS  # month indices count January as 0 in every year
    return profile[start:] + profile[:start]


class MonthlyTargets:
    """The targets in force, ready to give any rows the phased target of their month.

    Calling it with rows gives a (len(PARAMS), n) array: each row takes the target of
    its KPI and subject whose span covers its month (the later target where spans
    overlap), phased on its own as month ``i`` of a span of ``n`` months by the
    target's phasing (:class:`~scoreline.engine.targets.TargetSpans`). Rows without a
    target get NaN.
    """

    def __init__(self, defs: Definitions, targets: TargetTable) -> None:
        known = np.isin(targets.kpi, list(defs.kpis))
        table = targets if known.all() else targets.take(known)
        summed = [k for k, v in defs.kpis.items() if v.time_aggregation == "sum"]
        self.spans = TargetSpans(
            leaf=leaf_codes(table.kpi, table.unit, table.person),
            first=table.first,
            end=table.end,
            how=np.select(
                [table.phasing == name for name in PHASING],
                [int(code) for code in PHASING.values()],
                default=int(phasing.Phasing.FLAT),
            ),
            additive=np.isin(table.kpi, summed),
            bounds=np.vstack([getattr(table, name) for name in PARAMS]),
            target=table.target,
            baseline=table.baseline,
            profiles=[
                calendar_profile(profile, first)
                for profile, first in zip(table.profile.tolist(), table.first.tolist(), strict=True)
            ],
        )

    def __call__(self, rows: ValueRows, out: FloatArray | None = None) -> FloatArray:
        """The phased parameters of ``rows``, written into ``out`` when it is given."""
        return self.spans(leaf_codes(rows.kpi, rows.unit, rows.person), rows.month, out=out)


# ---------------------------------------------------------------- leaf scores


@dataclass
class Leaves:
    """Scored values: the KPI leaves of every scorecard."""

    rows: ValueRows
    params: dict[str, FloatArray]
    score: FloatArray
    status: IntArray
    attainment: FloatArray


def score_values(defs: Definitions, rows: ValueRows, targets: FloatArray) -> Leaves:
    """Score ``rows`` against their targets (as :class:`MonthlyTargets` gives them)."""
    params = dict(zip(PARAMS, targets, strict=True))
    kpi_ids = np.array(sorted(defs.kpis), dtype=np.int64)
    position = np.searchsorted(kpi_ids, rows.kpi)
    method = np.array([METHOD[defs.kpis[k].scoring] for k in kpi_ids], dtype=np.int64)[position]
    direction = np.array([defs.direction(int(k)) for k in kpi_ids], dtype=np.int64)[position]
    score = scoring.score_by_method(
        method,
        rows.value,
        params["threshold"],
        params["target"],
        params["threshold"],
        params["target"],
        params["stretch"],
        params["low"],
        params["high"],
        direction=direction,
        leave_tabled=True,
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


def score_rows(defs: Definitions, targets: TargetTable, rows: ValueRows) -> Leaves:
    """Give ``rows`` their phased targets and score them, in pieces spread over the cores."""
    monthly = MonthlyTargets(defs, targets)
    n = len(rows)
    params = np.empty((len(PARAMS), n))
    score, statuses, attainment = np.empty(n), np.empty(n, dtype=np.int64), np.empty(n)

    def score_piece(part: slice) -> None:
        piece = rows.take(part)
        monthly(piece, out=params[:, part])
        leaves = score_values(defs, piece, params[:, part])
        score[part], statuses[part], attainment[part] = (
            leaves.score,
            leaves.status,
            leaves.attainment,
        )

    parallel.each(score_piece, parallel.slices(n, PIECE))
    return Leaves(rows, dict(zip(PARAMS, params, strict=True)), score, statuses, attainment)


def _attainment(
    values: FloatArray, params: dict[str, FloatArray], direction: IntArray
) -> FloatArray:
    """Percent of target, direction-aware: 100 means on target whichever way is better."""
    ranged = direction == TARGET_RANGE
    # Range KPIs are read as higher-is-better first, then scored on their range instead.
    result = scoring.score_percent_of_target(
        values, params["target"], direction=np.where(ranged, HIGHER_IS_BETTER, direction), cap=None
    )
    at = np.flatnonzero(ranged)
    if at.size:
        low, high = params["low"][at], params["high"][at]
        result[at] = scoring.score_target_range(
            values[at], low, high, scoring.range_tolerance(low, high)
        )
    return result


# ---------------------------------------------------------------- roll-up


@dataclass
class Graph:
    """The scorecard graph: node codes (sorted), each node's policy, and the engine plan.

    An objective measured both by KPIs of its own and by contributing objectives has two
    part nodes, ("own_kpis", id) and ("contributing", id), whose codes come last; the
    objective mixes them by its policy's cascade share. Parts are computed, never stored.
    """

    codes: IntArray
    plan: rollup.RollupPlan
    shared: rollup.SharedGraph
    combine: IntArray
    missing: IntArray
    cap: FloatArray
    cascade_share: FloatArray
    objective: IntArray  # objectives loaded (sorted) and the subject code of their owner
    owner: IntArray
    counting: rollup.RollupPlan  # adds up leaf counts over the same edges (coverage)

    @cached_property
    def n_leaves(self) -> int:
        # A leaf's code is its KPI x subject code, and leaves sort first (their kind is 0).
        return int(np.searchsorted(self.codes, 1 << KIND_SHIFT))

    @cached_property
    def keys(self) -> list[NodeKey]:
        return [node_key(code) for code in self.codes.tolist()]

    @cached_property
    def index(self) -> dict[NodeKey, int]:
        return {key: i for i, key in enumerate(self.keys)}

    def kinds(self) -> IntArray:
        return node_kinds(self.codes)

    def policy(self, node: int) -> Policy:
        return Policy(
            int(self.combine[node]),
            int(self.missing[node]),
            float(self.cap[node]),
            float(self.cascade_share[node]),
        )

    def stored(self, nodes: npt.NDArray[np.intp]) -> npt.NDArray[np.intp]:
        """The roll-up nodes among ``nodes`` whose scores are stored: neither leaves nor parts."""
        kinds = self.kinds()[nodes]
        return nodes[(kinds != NODE_KINDS.index("kpi")) & (kinds < len(STORED_KINDS))]

    def parts_among(self, nodes: npt.NDArray[np.intp]) -> npt.NDArray[np.intp]:
        """Both part nodes of each objective among ``nodes`` that has them."""
        shared = self.shared
        mine = np.isin(shared.split, nodes)
        return np.concatenate([shared.own[mine], shared.cascaded[mine]])

    @cached_property
    def parts_of(self) -> dict[int, tuple[int, int]]:
        """The own-KPIs and contributing parts of each objective node that has both."""
        shared = self.shared
        pairs = zip(shared.own.tolist(), shared.cascaded.tolist(), strict=True)
        return dict(zip(shared.split.tolist(), pairs, strict=True))

    def measured_by(self, node: int) -> str:
        """What an objective node's score comes from: "own_kpis", "contributing" or "both"."""
        own, cascaded = bool(self.shared.has_own[node]), bool(self.shared.has_cascaded[node])
        return "both" if own and cascaded else "contributing" if cascaded else "own_kpis"

    def owner_of(self, objective: int) -> tuple[str, int] | None:
        """The unit ("u", id) or person ("p", id) owning a loaded objective."""
        at = int(np.searchsorted(self.objective, objective))
        if at == len(self.objective) or self.objective[at] != objective:
            return None
        subject = int(self.owner[at])
        return ("p", subject // 2) if subject % 2 else ("u", subject // 2)

    def leaf_positions(self, rows: ValueRows) -> npt.NDArray[np.intp]:
        """Each value's leaf node, or -1 when no scorecard uses it."""
        at, found = lookup(
            self.codes[: self.n_leaves], leaf_codes(rows.kpi, rows.unit, rows.person)
        )
        return np.where(found, at, -1)


def unit_policies(day: dt.date, unit_ids: list[int]) -> list[Policy]:
    """Each unit's scorecard policy on ``day``: its own, else the organisation's default
    (also for unit id 0, no unit)."""
    by_unit = load_policies(day, [u for u in unit_ids if u])
    default = by_unit.get(None, Policy(rollup.Combine.WEIGHTED_MEAN, rollup.Missing.SKIP, 100.0))
    return [by_unit.get(u, default) if u else default for u in unit_ids]


def build_graph(edges: Edges, day: dt.date) -> Graph:
    codes = distinct(np.concatenate([edges.child, edges.parent]))
    # Each node follows its unit's policy, or the organisation's default.
    unit = np.zeros(len(codes), dtype=np.int64)
    unit[np.searchsorted(codes, edges.policy_node)] = edges.policy_unit
    units, unit_slot = np.unique(unit, return_inverse=True)
    policies = unit_policies(day, units.tolist())
    combine = np.array([p.combine for p in policies], dtype=np.int64)[unit_slot]
    missing = np.array([p.missing for p in policies], dtype=np.int64)[unit_slot]
    cap = np.array([p.cap for p in policies], dtype=np.float64)[unit_slot]
    share = np.array([p.cascade_share for p in policies], dtype=np.float64)[unit_slot]
    child, parent = np.searchsorted(codes, edges.child), np.searchsorted(codes, edges.parent)
    # An objective's contributing objectives (and goals) share its score with its own KPIs.
    kinds, objective = node_kinds(codes), NODE_KINDS.index("objective")
    cascaded = (kinds[child] == objective) & (kinds[parent] == objective)
    shared = rollup.split_shares(len(codes), child, parent, edges.weight, cascaded, share)
    # Part kinds come after every stored kind, so the codes stay sorted.
    split = codes[shared.split] & PAYLOAD
    codes = np.concatenate(
        [codes, node_codes("own_kpis", split), node_codes("contributing", split)]
    )
    return Graph(
        codes,
        shared.plan(combine, missing, cap),
        shared,
        shared.per_node(combine),
        shared.per_node(missing),
        shared.per_node(cap),
        shared.per_node(share),
        edges.objective,
        edges.owner,
        # Coverage counts the values below each node over the edges as given (parts have none).
        coverage.counting_plan(len(codes), child, parent, edges.weight),
    )


# ---------------------------------------------------------------- coverage


def expected_leaves(
    defs: Definitions, targets: TargetTable, graph: Graph, months: IntArray
) -> npt.NDArray[np.bool_]:
    """Graph leaves x months: whether each KPI value is expected in each month
    (:func:`expected_values`)."""
    codes = graph.codes[: graph.n_leaves]
    spans = MonthlyTargets(defs, targets).spans
    leaf, month = np.repeat(codes, len(months)), np.tile(months, len(codes))
    return expected_values(defs, spans, leaf, month).reshape(len(codes), len(months))


def expected_values(
    defs: Definitions, spans: TargetSpans, leaf: IntArray, month: IntArray
) -> npt.NDArray[np.bool_]:
    """Whether the value of each KPI leaf (KPI x subject code) is expected in its month.

    A value is expected when its KPI's refresh cycle makes it due in the month (counted
    in the span of the target covering the month) and it could be scored there: a target
    in force covers the month, or its method needs none (banded, rubric).
    """
    kpi_ids = np.array(sorted(defs.kpis), dtype=np.int64)
    at, known = lookup(kpi_ids, (leaf & PAYLOAD) >> SUBJECT_BITS)
    # Unknown KPIs read the last slot, which no KPI has.
    slot = np.where(known, at, len(kpi_ids))
    versions = [defs.kpis[int(k)] for k in kpi_ids.tolist()]
    cycles = [CYCLE[v.refresh_cycle] for v in versions] + [coverage.Cycle.MONTHLY]
    cycle = np.array(cycles, dtype=np.int64)[slot]
    untargeted = np.array([v.scoring in ("banded", "rubric") for v in versions] + [False])[slot]
    row = covering_rows(spans.segments, leaf, month)
    covered = row >= 0
    found = np.maximum(row, 0)
    first = spans.first[found] if len(spans.first) else np.zeros(len(row), dtype=np.int64)
    end = spans.end[found] if len(spans.end) else np.ones(len(row), dtype=np.int64)
    by_cycle = np.where(covered, cycle, coverage.Cycle.MONTHLY)
    is_due = coverage.due(
        by_cycle, np.where(covered, month - first, 0), np.where(covered, end - first, 1)
    )
    due: npt.NDArray[np.bool_] = known & is_due & (covered | untargeted)
    return due


def count_coverage(
    graph: Graph,
    matrix: FloatArray,
    due: npt.NDArray[np.bool_],
    frontier: tuple[npt.NDArray[np.intp], FloatArray, FloatArray] | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Values present (scored) and expected below every node, graph nodes x months.

    ``matrix`` holds the leaves' scores; a scored value counts as expected even when it
    is not due. ``frontier`` gives nodes whose children are not loaded, with their stored
    counts (an incremental recompute).
    """
    n = graph.n_leaves
    present, expected = np.zeros_like(matrix), np.zeros_like(matrix)
    present[:n] = np.isfinite(matrix[:n])
    expected[:n] = due | (present[:n] > 0)
    if frontier is not None:
        nodes, stored_present, stored_expected = frontier
        present[nodes], expected[nodes] = stored_present, stored_expected
    return graph.counting.apply(present, inplace=True), graph.counting.apply(expected, inplace=True)


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
    present: FloatArray  # graph nodes x months: values below each node with a score
    expected: FloatArray  # graph nodes x months: values below each node due in the month


def compute(
    day: dt.date,
    months: Collection[int] | None = None,
    *,
    raw: ValueRows | None = None,
    targets: TargetTable | None = None,
) -> Computation:
    """Score values and roll up every scorecard with the definitions in force on ``day``.

    ``months`` limits the work to some months (default: every month up to ``day``). The
    values of those months (``raw``) and the targets in force on ``day`` may be passed in
    when they have been loaded already.
    """
    defs = load_definitions(day)
    if raw is None:
        raw = load_values(month_index(day), months=months)
    if targets is None:
        targets = load_targets(day, months=months)
    values = derive_values(defs, raw, day, targets)
    leaves = score_rows(defs, targets, values)
    graph = build_graph(load_edges(day), day)
    done_months, matrix = leaf_matrix(graph, leaves)
    due = expected_leaves(defs, targets, graph, done_months)
    present, expected = count_coverage(graph, matrix, due)
    scores = graph.plan.apply(matrix, inplace=True)
    inner = graph.stored(np.arange(len(graph.codes), dtype=np.intp))
    return Computation(day, defs, leaves, graph, done_months, scores, inner, present, expected)


def compute_as_of(as_of: dt.date) -> list[Computation]:
    """Every month up to ``as_of``, each scored with the definitions in force at its end.

    A month's scorecard follows the definitions of its own last day (or of ``as_of`` when
    that comes first), so a later change leaves earlier months, and closed periods, as they
    were; and recomputing as of a past day reproduces what was stored on that day.
    """
    months = stored_months(month_index(as_of))
    segments = definition_days(months, as_of)
    if not segments:
        return []
    # Values and targets are read once; each run of months takes its own.
    values = load_values(month_index(as_of))
    targets = load_targets(segments[0][0], until=segments[-1][0])
    return [
        compute(day, group, raw=values.take(np.isin(values.month, group)), targets=targets.on(day))
        for day, group in segments
    ]


def definition_days(months: Collection[int], as_of: dt.date) -> list[tuple[dt.date, list[int]]]:
    """Months grouped by the definitions governing them, with the day to read those from.

    A run of months between two changes of definition is scored on one day: the end of the
    run's last month that holds values (or ``as_of``, when that comes first). The day is
    the same whichever months of the run are asked for, so that the recompute after one
    value reads the organisation (headcounts, the people with goals) on the day the full
    recompute reads it.
    """
    # Only a boundary after the first month's end can put months in different groups.
    first = min(months, default=month_index(as_of))
    boundaries = version_boundaries(as_of, since=month_end(month_of(first)))
    groups: dict[int, list[int]] = {}
    for month in sorted(months):
        groups.setdefault(bisect.bisect_right(boundaries, _month_day(month, as_of)), []).append(
            month
        )
    return [
        (_run_day(boundaries[key] if key < len(boundaries) else None, max(group), as_of), group)
        for key, group in sorted(groups.items())
    ]


def _month_day(month: int, as_of: dt.date) -> dt.date:
    return min(month_end(month_of(month)), as_of)


def _run_day(before: dt.date | None, month: int, as_of: dt.date) -> dt.date:
    """The day of the run of months holding ``month`` and ending before ``before`` (the
    next change of definition, if any): see :func:`definition_days`."""
    last = month_index(as_of)
    if before is not None and before <= as_of:
        last = min(last, month_index(before) - 1)  # the last month ending before it
    return _month_day(max(latest_stored_month(last) or month, month), as_of)


def leaf_matrix(graph: Graph, leaves: Leaves) -> tuple[IntArray, FloatArray]:
    """The months of ``leaves`` and a graph nodes x months matrix with their scores in
    their leaves' rows (NaN everywhere else), ready to be rolled up."""
    month = leaves.rows.month
    first = int(month.min()) if month.size else 0
    # Months are small integers: counted rather than sorted.
    months = first + np.flatnonzero(np.bincount(month - first)).astype(np.int64)
    matrix = np.full((len(graph.codes), len(months)), np.nan)
    _write_leaves(matrix, graph, leaves, months)
    return months, matrix


def _write_leaves(matrix: FloatArray, graph: Graph, leaves: Leaves, months: IntArray) -> None:
    """Put each score in its leaf's row and its month's column; values no scorecard uses
    are left out."""
    rows = leaves.rows

    def place(part: slice) -> None:
        nodes = graph.leaf_positions(rows.take(part))
        used = nodes >= 0
        column = np.searchsorted(months, rows.month[part][used])
        matrix[nodes[used], column] = leaves.score[part][used]

    parallel.each(place, parallel.slices(len(rows), PIECE))


def recompute(*, kpi_ids: set[int] | None = None, as_of: dt.date | None = None) -> int:
    """Recompute and store scores; returns the number of score rows written.

    With ``kpi_ids`` only those KPIs' values and what depends on them are recomputed.
    """
    day = as_of or today()
    if kpi_ids is not None:
        return recompute_kpis(kpi_ids, day=day)
    # Read, computed and stored in one transaction holding the scores' lock: all old or all
    # new scores are visible, and no other recompute writes in between (decision 8).
    with replacing_scores():
        parts = compute_as_of(day)
        delete_every_score()
        written = sum(_store(part) for part in parts)
        record_rules()
        return written


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
    with transaction.atomic():
        # The stored scores this builds on are read once no full recompute is writing them.
        hold_scores_lock()
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
    rows = derive_values(defs, raw, day, sum_targets(defs, day, needed, months))
    keep = np.isin(rows.kpi, list(affected))
    if units is not None or persons is not None:
        keep &= np.isin(rows.unit, list(units or ())) | np.isin(rows.person, list(persons or ()))
    rows = rows.take(keep)
    targets = load_targets(day, kpi_ids=affected, unit_ids=units, person_ids=persons, months=months)
    leaves = score_rows(defs, targets, rows)
    months_done = np.array(sorted(months), dtype=np.int64)
    edges, subjects = _closed_edges(day, rows, units, persons)
    graph = build_graph(edges, day)
    current, stored_present, stored_expected = _stored_scores(graph, months_done)
    frontier = _frontier(graph, subjects)
    if np.isnan(stored_expected[frontier]).any():
        # A contributing objective of another subject has no stored coverage (a month
        # not yet computed in full): the month is computed in full once.
        return _recompute_in_full(day, months)
    # The leaves of the affected KPIs at the subjects changed (everywhere when none given).
    is_leaf = graph.kinds() == NODE_KINDS.index("kpi")
    payload = graph.codes & PAYLOAD
    subject = payload & ((1 << SUBJECT_BITS) - 1)
    mine = is_leaf & np.isin(payload >> SUBJECT_BITS, list(affected))
    if units is not None or persons is not None:
        at_unit = np.isin(subject // 2, list(units or ())) & (subject % 2 == 0)
        at_person = np.isin(subject // 2, list(persons or ())) & (subject % 2 == 1)
        mine &= at_unit | at_person
    changed = np.flatnonzero(mine)
    current[changed] = np.nan
    _write_leaves(current, graph, leaves, months_done)
    due = expected_leaves(defs, _leaf_targets(day, graph, months), graph, months_done)
    present, expected = count_coverage(
        graph, current, due, (frontier, stored_present[frontier], stored_expected[frontier])
    )
    # Parts are not stored: an affected objective needs both of its parts recomputed.
    nodes = rollup.affected_nodes(graph.plan, changed)
    nodes = np.union1d(nodes, graph.parts_among(nodes))
    rollup.rollup_subset(graph.plan, current, nodes, inplace=True)
    inner = graph.stored(nodes)
    done = Computation(day, defs, leaves, graph, months_done, current, inner, present, expected)
    with transaction.atomic():
        _delete_part(done, affected, units, persons)
        return _store(done)


def _recompute_in_full(day: dt.date, months: list[int]) -> int:
    done = compute(day, months)
    with transaction.atomic():
        Score.objects.filter(period__in=[month_of(m) for m in months]).delete()
        return _store(done)


def _leaf_targets(day: dt.date, graph: Graph, months: list[int]) -> TargetTable:
    """The targets in force of every KPI leaf of ``graph`` in ``months``."""
    payload = graph.codes[: graph.n_leaves] & PAYLOAD
    subject = payload & ((1 << SUBJECT_BITS) - 1)
    return load_targets(
        day,
        kpi_ids=distinct(payload >> SUBJECT_BITS).tolist(),
        unit_ids=distinct(subject[subject % 2 == 0] // 2).tolist(),
        person_ids=distinct(subject[subject % 2 == 1] // 2).tolist(),
        months=months,
    )


def _frontier(graph: Graph, subjects: tuple[set[int], set[int]]) -> npt.NDArray[np.intp]:
    """Objectives of ``graph`` owned by subjects whose edges were not loaded: their
    children are not in the graph, so their coverage is the stored one."""
    units, persons = subjects
    objectives = np.flatnonzero(graph.kinds() == NODE_KINDS.index("objective"))
    outside = [
        node
        for node in objectives.tolist()
        if (owner := graph.owner_of(int(graph.codes[node] & PAYLOAD))) is not None
        and owner[1] not in (units if owner[0] == "u" else persons)
    ]
    return np.array(outside, dtype=np.intp)


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
) -> tuple[Edges, tuple[set[int], set[int]]]:
    """The edges of every subject whose scorecards a change can reach, loaded until closed,
    and those subjects (units, persons)."""
    if units is None and persons is None:
        units = {int(u) for u in distinct(rows.unit) if u}
        persons = {int(p) for p in distinct(rows.person) if p}
    units, persons = set(units or ()), set(persons or ())
    while True:
        edges = load_edges(day, unit_ids=units, person_ids=persons)
        more_units, more_persons = owners_of(day, edges.outside_parents)
        if more_units <= units and more_persons <= persons:
            return edges, (units, persons)
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


def _subject_fields(subject: tuple[str, int]) -> dict[str, object]:
    return {"unit_id": subject[1]} if subject[0] == "u" else {"person_id": subject[1]}


SCORE_FIELDS = (
    "kind", "kpi", "objective", "perspective", "unit", "person", "period", "value", "score",
    "status", "definitions_as_of", "method", "direction", "status_by", *PARAMS, "attainment",
    "combine", "missing", "cap", "cascade_share", "measured_by", "values_present",
    "values_expected", "own_kpis", "contributing", "computed_at",
)  # fmt: skip
# Columns a kind of row leaves empty hold "" (text) or NULL (everything else).
TEXT_FIELDS = {"status", "method", "direction", "status_by", "combine", "missing", "measured_by"}

Column = list[object] | Iterable[object]


def _store(done: Computation) -> int:
    """Write a computation's scores: every scored value, and every roll-up node with a score.

    Rows are built column by column from the computation's arrays, and zipped into tuples
    only as they are sent.
    """
    note_rules()
    stamp = db_datetime(timezone.now())
    day = db_date(done.day)
    writer = BulkInsert(Score, SCORE_FIELDS)
    return sum(
        writer.write(_rows(columns, stamp, day))
        for columns in (_kpi_columns(done), _node_columns(done))
    )


def _rows(columns: dict[str, Column], stamp: object, day: object) -> Iterator[tuple[object, ...]]:
    n = len(columns["kind"])  # type: ignore[arg-type]
    columns |= {
        "computed_at": itertools.repeat(stamp, n),
        "definitions_as_of": itertools.repeat(day, n),
    }
    return zip(
        *(
            columns.get(name, itertools.repeat("" if name in TEXT_FIELDS else None, n))
            for name in SCORE_FIELDS
        ),
        strict=False,  # the repeated columns are as long as the others
    )


def _kpi_columns(done: Computation) -> dict[str, Column]:
    leaves, defs = done.leaves, done.defs
    rows = leaves.rows
    kpis = distinct(rows.kpi)
    at = np.searchsorted(kpis, rows.kpi)
    versions = [defs.kpis[kpi] for kpi in kpis.tolist()]
    status_by = [defs.status_by(kpi) for kpi in kpis.tolist()]

    def per_kpi(values: list[object]) -> list[object]:
        return np.array(values, dtype=object)[at].tolist()

    # A status by score needs a score; one by value or % of target needs a target.
    by_score = np.array([by is None for by in status_by], dtype=bool)[at]
    has_status = np.isfinite(leaves.score) | (~by_score & np.isfinite(leaves.attainment))
    statuses = np.array(defs.statuses or [""], dtype=object)[leaves.status if defs.statuses else 0]
    return {
        "kind": [NodeKind.KPI.value] * len(rows),
        "kpi": rows.kpi.tolist(),
        "unit": _ids(rows.unit),
        "person": _ids(rows.person),
        "period": _periods(rows.month),
        "value": rows.value.tolist(),
        "score": _nullable(leaves.score),
        "status": np.where(has_status, statuses, "").tolist(),
        "method": per_kpi([version.scoring for version in versions]),
        "direction": per_kpi([version.direction for version in versions]),
        "status_by": per_kpi([by or "" for by in status_by]),
        **{name: _nullable(column) for name, column in leaves.params.items()},
        "attainment": _nullable(leaves.attainment),
    }


def _node_columns(done: Computation) -> dict[str, Column]:
    """The roll-up rows: one per stored node and month with a score."""
    graph, nodes = done.graph, done.nodes
    kinds = graph.kinds()[nodes]
    payload = graph.codes[nodes] & PAYLOAD
    objective = kinds == NODE_KINDS.index("objective")
    perspective = kinds == NODE_KINDS.index("perspective")
    # The unit or person owning each objective (0 when it is not loaded).
    owned = np.searchsorted(graph.objective, payload).clip(max=max(len(graph.objective) - 1, 0))
    found = (
        objective & (graph.objective[owned] == payload)
        if len(graph.objective)
        else objective & False
    )
    owner = np.where(found, graph.owner[owned] if len(graph.owner) else 0, 0)
    unit = np.select(
        [objective, perspective, kinds == NODE_KINDS.index("unit")],
        [np.where(owner % 2 == 0, owner // 2, 0), payload >> PERSPECTIVE_BITS, payload],
        default=0,
    )
    person = np.select(
        [objective, kinds == NODE_KINDS.index("person")],
        [np.where(owner % 2 == 1, owner // 2, 0), payload],
        default=0,
    )
    shared = graph.shared
    own, cascaded = shared.has_own[nodes], shared.has_cascaded[nodes]
    measured_by = np.where(
        objective,
        np.where(own & cascaded, "both", np.where(cascaded, "contributing", "own_kpis")),
        "",
    )
    # Each objective split in two parts explains its months by the parts' scores.
    split, is_split = lookup(shared.split.astype(np.int64), nodes.astype(np.int64))
    parts = split.clip(max=max(len(shared.split) - 1, 0))
    scores = done.scores[nodes]
    node, month = np.nonzero(np.isfinite(scores))  # node by node, months in order
    combine, missing = _names(rollup.Combine), _names(rollup.Missing)
    cap = graph.cap[nodes]

    def part(which: npt.NDArray[np.intp]) -> list[object]:
        split_here = is_split[node]
        values = np.full(len(node), np.nan)
        values[split_here] = done.scores[which[parts[node[split_here]]], month[split_here]]
        return _nullable(values)

    return {
        "kind": np.array(NODE_KINDS, dtype=object)[kinds[node]].tolist(),
        "objective": _ids(np.where(objective, payload, 0)[node]),
        "perspective": _ids(
            np.where(perspective, payload & ((1 << PERSPECTIVE_BITS) - 1), 0)[node]
        ),
        "unit": _ids(unit[node]),
        "person": _ids(person[node]),
        "period": _periods(done.months[month]),
        "score": scores[node, month].tolist(),
        "status": band_statuses(done.defs, scores)[node, month].tolist(),
        "combine": combine[graph.combine[nodes]][node].tolist(),
        "missing": missing[graph.missing[nodes]][node].tolist(),
        "cap": _nullable(np.where(np.isinf(cap), np.nan, cap)[node]),
        "cascade_share": _nullable(np.where(objective, graph.cascade_share[nodes], np.nan)[node]),
        "measured_by": measured_by[node].tolist(),
        "values_present": done.present[nodes[node], month].astype(np.int64).tolist(),
        "values_expected": done.expected[nodes[node], month].astype(np.int64).tolist(),
        "own_kpis": part(shared.own),
        "contributing": part(shared.cascaded),
    }


def _names(codes: type[IntEnum]) -> npt.NDArray[np.object_]:
    """The names of an engine's codes, lower case, at their codes' positions."""
    names = np.full(max(codes) + 1, "", dtype=object)
    for code in codes:
        names[code] = code.name.lower()
    return names


def _ids(ids: IntArray) -> list[object]:
    """Database ids, with 0 (no id) as NULL."""
    out = ids.astype(object)
    out[ids == 0] = None
    return out.tolist()


def _nullable(values: FloatArray) -> list[object]:
    """Floats, with NaN (no number) as NULL."""
    out = values.astype(object)
    out[~np.isfinite(values)] = None
    return out.tolist()


def _periods(months: IntArray) -> list[object]:
    """The first day of each month, as the database takes dates."""
    if not len(months):
        return []
    first = int(months.min())
    days = [db_date(month_of(m)) for m in range(first, int(months.max()) + 1)]
    return np.array(days, dtype=object)[months - first].tolist()


def band_statuses(defs: Definitions, scores: FloatArray) -> npt.NDArray[np.object_]:
    """The status of each roll-up score by the score bands (none when the default rules
    compare something other than scores, which roll-ups do not have)."""
    if not (defs.statuses and defs.follows_score_bands(0)):
        return np.full(scores.shape, "", dtype=object)
    default = defs.rule_set == 0
    found = status.evaluate_status(
        np.nan,
        np.nan,
        scores,
        defs.rule_basis[default],
        defs.rule_comparison[default],
        defs.rule_bound[default],
        defs.rule_bound_upper[default],
        defs.rule_status[default],
        defs.fallback.get(0, 0),
    )
    codes = np.array(defs.statuses, dtype=object)
    shown: npt.NDArray[np.object_] = np.where(np.isfinite(scores), codes[found], "")
    return shown


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


SCORE_IDS = ("kpi_id", "objective_id", "perspective_id", "unit_id", "person_id")


def _stored_scores(graph: Graph, months: IntArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The stored score of every graph node in some months, and the coverage counts stored
    with the roll-up nodes (NaN where none is stored)."""
    shape = (len(graph.codes), len(months))
    current, present, expected = (
        np.full(shape, np.nan),
        np.full(shape, np.nan),
        np.full(shape, np.nan),
    )
    kinds, payload = graph.kinds(), graph.codes & PAYLOAD

    def ids(kind: str, shift: int = 0) -> list[int]:
        return distinct(payload[kinds == NODE_KINDS.index(kind)] >> shift).tolist()

    leaves = payload[kinds == NODE_KINDS.index("kpi")]
    subjects = leaves & ((1 << SUBJECT_BITS) - 1)
    units = ids("unit") + ids("perspective", PERSPECTIVE_BITS)
    # One query per kind, so that each can use its index.
    wanted = [
        Q(kind=NodeKind.KPI, kpi_id__in=distinct(leaves >> SUBJECT_BITS).tolist())
        & (
            Q(unit_id__in=distinct(subjects[subjects % 2 == 0] // 2).tolist())
            | Q(person_id__in=distinct(subjects[subjects % 2 == 1] // 2).tolist())
        ),
        Q(kind=NodeKind.OBJECTIVE, objective_id__in=ids("objective")),
        Q(kind__in=[NodeKind.PERSPECTIVE, NodeKind.UNIT], unit_id__in=units),
        Q(kind=NodeKind.PERSON, person_id__in=ids("person")),
    ]
    periods = [month_of(int(m)) for m in months]
    ids_or_0 = {f"{c}_or_0": Coalesce(c, 0) for c in SCORE_IDS}
    counts = ["values_present", "values_expected"]
    fetched = []
    for match in wanted:
        rows = Score.objects.filter(match, period__in=periods).order_by()
        rows = rows.annotate(**ids_or_0, month=MonthIndex("period"))
        fetched += fetch_rows(rows.values_list("kind", *ids_or_0, "month", "score", *counts))
    if not fetched:
        return current, present, expected
    kind = np.array([row[0] for row in fetched], dtype=np.str_)
    columns = numeric_columns([row[1:] for row in fetched], len(SCORE_IDS) + 4)
    *numbers, month, score, got, due = columns
    code = stored_nodes(kind, *(column.astype(np.int64) for column in numbers))
    node, found = lookup(graph.codes, code)
    column = np.searchsorted(months, month.astype(np.int64))
    at = node[found], column[found]
    current[at], present[at], expected[at] = score[found], got[found], due[found]
    return current, present, expected


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
    leaves = score_rows(defs, targets, rows)
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
