"""The KPI architecture in force on a day, read from the database into plain arrays.

The pipeline (``scoring.pipeline``) scores and rolls up what this module loads; nothing here calculates. Every
read takes the day whose definitions apply, which is what makes "as of" exact.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.db.models import Count, Func, IntegerField, Max, Q
from django.db.models.functions import Coalesce

from scoreline.engine import parallel
from scoreline.engine.directions import DIRECTIONS
from scoreline.engine.nodes import PAYLOAD, PERSPECTIVE_BITS, kpi_nodes, node_codes, subject_code
from scoreline.engine.status import Basis
from scoreline.kpis.defaults import DEFAULT_CASCADE_SHARE
from scoreline.kpis.models import KpiValue, KpiVersion, ObjectiveMeasure, StatusRule, Target
from scoreline.lib.dates import effective_between, effective_on
from scoreline.lib.months import month_index, month_of
from scoreline.org.models import OrgUnit, Person
from scoreline.scoring.engine_codes import BASIS, COMBINE, COMPARISON, MISSING
from scoreline.scoring.models import PerspectiveWeight, ScorecardPolicy
from scoreline.scoring.perspectives import perspective_weights_in_force
from scoreline.strategy.models import ObjectiveVersion

__all__ = [
    "Definitions",
    "Edges",
    "Subject",
    "TargetRow",
    "TargetTable",
    "ValueRows",
    "load_definitions",
    "load_edges",
    "load_targets",
    "load_values",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# A subject is what a value belongs to: ("u", unit id) or ("p", person id).
Subject = tuple[str, int]


class MonthIndex(Func):
    """:func:`~scoreline.lib.months.month_index` of a date column, computed by the database.

    Reading months as integers spares converting millions of dates in Python.
    """

    output_field = IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = (
            "(CAST(substr(%(expressions)s, 1, 4) AS integer) * 12"
            " + CAST(substr(%(expressions)s, 6, 2) AS integer) - 1)"
        )
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = (
            "(CAST(EXTRACT(YEAR FROM %(expressions)s) AS integer) * 12"
            " + CAST(EXTRACT(MONTH FROM %(expressions)s) AS integer) - 1)"
        )
        return self.as_sql(compiler, connection, template=template, **extra)


class DayNumber(Func):
    """Days since 1970-01-01 of a date column (:func:`day_number`), computed by the database."""

    output_field = IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "CAST(julianday(%(expressions)s) - 2440587.5 AS integer)"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "(%(expressions)s - DATE '1970-01-01')"
        return self.as_sql(compiler, connection, template=template, **extra)


# How pages name what a status follows when it is not the score bands.
BASIS_WORDS = {
    int(Basis.VALUE): "value",
    int(Basis.PERCENT_OF_TARGET): "% of target",
    int(Basis.SCORE): "own score bands",
}

EPOCH = dt.date(1970, 1, 1)
OPEN_END = 1 << 40  # the day number of a validity without an end


def day_number(day: dt.date) -> int:
    return (day - EPOCH).days


@dataclass
class Definitions:
    """KPI versions and status rule sets in force on ``day``."""

    day: dt.date
    kpis: dict[int, KpiVersion]
    rubric_scores: dict[int, FloatArray]  # rubric id -> score per level (1-based levels)
    # Rule arrays for the engine; set 0 is the default set, set k the KPI with id k.
    rule_set: IntArray
    rule_basis: IntArray
    rule_comparison: IntArray
    rule_bound: FloatArray
    rule_bound_upper: FloatArray
    rule_status: IntArray
    fallback: dict[int, int]  # rule set -> status index
    statuses: list[str]  # status index -> code

    def rule_set_of(self, kpi_id: int) -> int:
        return kpi_id if kpi_id in self.fallback else 0

    def bases_of(self, rule_set: int) -> set[int]:
        """The bases (:class:`~scoreline.engine.status.Basis` codes) a rule set compares."""
        return set(self.rule_basis[self.rule_set == rule_set].tolist())

    def follows_score_bands(self, rule_set: int) -> bool:
        """Whether a rule set is the score bands: the default set, comparing scores only."""
        return rule_set == 0 and self.bases_of(0) <= {int(Basis.SCORE)}

    def status_by(self, kpi_id: int) -> str | None:
        """What a KPI's status follows, in words, when it is not the score bands (None)."""
        rule_set = self.rule_set_of(kpi_id)
        if self.follows_score_bands(rule_set):
            return None
        return " and ".join(BASIS_WORDS[b] for b in sorted(self.bases_of(rule_set))) or "own rules"

    def direction(self, kpi_id: int) -> int:
        return DIRECTIONS[self.kpis[kpi_id].direction]


def load_definitions(day: dt.date, kpi_ids: Collection[int] | None = None) -> Definitions:
    versions = KpiVersion.objects.filter(effective_on(day)).select_related("kpi", "rubric")
    if kpi_ids is not None:
        versions = versions.filter(kpi_id__in=kpi_ids)
    kpis = {version.kpi_id: version for version in versions}
    rubric_scores: dict[int, FloatArray] = {}
    for version in kpis.values():
        if version.rubric is not None and version.rubric_id not in rubric_scores:
            levels = version.rubric.levels.order_by("level")
            rubric_scores[version.rubric.pk] = np.array([lv.score for lv in levels], dtype=float)
    rules = StatusRule.objects.filter(effective_on(day)).select_related("status")
    rules = rules.filter(Q(kpi__isnull=True) | Q(kpi_id__in=list(kpis)))
    ordered = sorted(rules, key=lambda rule: (rule.kpi_id or 0, rule.position))
    statuses: list[str] = []
    index: dict[str, int] = {}

    def status_index(code: str) -> int:
        if code not in index:
            index[code] = len(statuses)
            statuses.append(code)
        return index[code]

    fallback: dict[int, int] = {}
    conditional = []
    for rule in ordered:
        rule_set = rule.kpi_id or 0
        if rule.comparison == "otherwise":
            fallback[rule_set] = status_index(rule.status.code)
        else:
            conditional.append((rule_set, rule))
    return Definitions(
        day=day,
        kpis=kpis,
        rubric_scores=rubric_scores,
        rule_set=np.array([s for s, _ in conditional], dtype=np.int64),
        rule_basis=np.array([BASIS[r.basis] for _, r in conditional], dtype=np.int64),
        rule_comparison=np.array([COMPARISON[r.comparison] for _, r in conditional], np.int64),
        rule_bound=_floats([r.bound for _, r in conditional]),
        rule_bound_upper=_floats([r.bound_upper for _, r in conditional]),
        rule_status=np.array([status_index(r.status.code) for _, r in conditional], np.int64),
        fallback=fallback,
        statuses=statuses,
    )


def _floats(items: list[float | None]) -> FloatArray:
    return np.array([np.nan if x is None else x for x in items], dtype=np.float64)


@dataclass
class ValueRows:
    """Values as parallel arrays: one element per KPI x subject x month."""

    kpi: IntArray
    unit: IntArray  # 0 when the value belongs to a person
    person: IntArray  # 0 when the value belongs to a unit
    month: IntArray
    value: FloatArray

    @classmethod
    def empty(cls) -> ValueRows:
        ints = np.zeros(0, dtype=np.int64)
        return cls(ints, ints, ints, ints, np.zeros(0))

    def __len__(self) -> int:
        return len(self.kpi)

    def take(self, index: npt.NDArray[np.intp] | npt.NDArray[np.bool_] | slice) -> ValueRows:
        copies = not isinstance(index, slice)  # a slice only takes views
        return ValueRows(
            *_by_column(
                lambda name: getattr(self, name)[index], copies and len(self) > PARALLEL_ROWS
            )
        )

    @staticmethod
    def concat(parts: list[ValueRows]) -> ValueRows:
        if not parts:
            return ValueRows.empty()
        return ValueRows(
            *_by_column(
                lambda name: np.concatenate([getattr(p, name) for p in parts]),
                sum(len(p) for p in parts) > PARALLEL_ROWS,
            )
        )

    @staticmethod
    def names() -> tuple[str, ...]:
        return ("kpi", "unit", "person", "month", "value")


# Rows from which the columns of values are copied side by side, one per core.
PARALLEL_ROWS = 1 << 20


def _by_column(copy: Callable[[str], npt.NDArray[Any]], large: bool) -> list[npt.NDArray[Any]]:
    """Each column of ValueRows copied; large ones on every core (copies let go of the
    interpreter lock)."""
    return parallel.each(copy, ValueRows.names(), workers=None if large else 1)


def load_values(
    until_month: int,
    *,
    kpi_ids: Collection[int] | None = None,
    months: Collection[int] | None = None,
    unit_ids: Collection[int] | None = None,
    person_ids: Collection[int] | None = None,
) -> ValueRows:
    """Values up to and including ``until_month``, read straight into arrays.

    A raw cursor keeps ten million rows affordable; the filters narrow an incremental
    recompute to what a change touches (units and persons filters are alternatives).
    """
    rows = KpiValue.objects.filter(period__lte=month_of(until_month))
    if kpi_ids is not None:
        rows = rows.filter(kpi_id__in=list(kpi_ids))
    if months is not None:
        rows = rows.filter(period__in=[month_of(m) for m in months])
    if unit_ids is not None or person_ids is not None:
        rows = rows.filter(
            Q(unit_id__in=list(unit_ids or ())) | Q(person_id__in=list(person_ids or ()))
        )
    # In no particular order: whatever the pipeline computes does not depend on it.
    columns = (
        rows.order_by()
        .annotate(
            unit_or_0=Coalesce("unit_id", 0),
            person_or_0=Coalesce("person_id", 0),
            month=MonthIndex("period"),
        )
        .values_list("kpi_id", "unit_or_0", "person_or_0", "month", "value")
    )
    fetched = fetch_rows(columns)
    if not fetched:
        return ValueRows.empty()
    kpi, unit, person, month, value = numeric_columns(fetched, 5)
    return ValueRows(
        kpi.astype(np.int64), unit.astype(np.int64), person.astype(np.int64),
        month.astype(np.int64), value,
    )  # fmt: skip


class TargetRow(NamedTuple):
    """One target version, for the audits that read targets row by row."""

    pk: int
    kpi_id: int
    unit_id: int | None
    person_id: int | None
    period_start: dt.date
    period_end: dt.date
    threshold: float | None
    target: float | None
    stretch: float | None
    range_low: float | None
    range_high: float | None
    baseline: float | None
    phasing: str
    profile: list[float]


@dataclass
class TargetTable:
    """Target versions as parallel arrays, in id order (a later row wins a shared month)."""

    pk: IntArray
    kpi: IntArray
    unit: IntArray  # 0 when the target belongs to a person
    person: IntArray  # 0 when the target belongs to a unit
    first: IntArray  # month index of the span's first month
    end: IntArray  # month index just after the span
    threshold: FloatArray
    target: FloatArray
    stretch: FloatArray
    low: FloatArray
    high: FloatArray
    baseline: FloatArray
    phasing: npt.NDArray[np.str_]
    profile: npt.NDArray[np.object_]  # seasonal weights, a list (None when not seasonal)
    valid_from: IntArray  # the version's validity, as day numbers (OPEN_END: none)
    valid_until: IntArray

    def __len__(self) -> int:
        return len(self.pk)

    def take(self, index: npt.NDArray[np.intp] | npt.NDArray[np.bool_]) -> TargetTable:
        return TargetTable(*(getattr(self, name)[index] for name in TARGET_ARRAYS))

    def on(self, day: dt.date) -> TargetTable:
        """The versions in force on ``day``."""
        number = day_number(day)
        return self.take((self.valid_from <= number) & (number < self.valid_until))

    def rows(self) -> list[TargetRow]:
        table = {name: getattr(self, name).tolist() for name in TARGET_ARRAYS}
        return [
            TargetRow(
                pk=table["pk"][i],
                kpi_id=table["kpi"][i],
                unit_id=table["unit"][i] or None,
                person_id=table["person"][i] or None,
                period_start=month_of(table["first"][i]),
                period_end=month_of(table["end"][i]),
                threshold=_optional(table["threshold"][i]),
                target=_optional(table["target"][i]),
                stretch=_optional(table["stretch"][i]),
                range_low=_optional(table["low"][i]),
                range_high=_optional(table["high"][i]),
                baseline=_optional(table["baseline"][i]),
                phasing=table["phasing"][i],
                profile=table["profile"][i] or [],
            )
            for i in range(len(self))
        ]

    @classmethod
    def of(cls, rows: list[TargetRow]) -> TargetTable:
        """The table of some rows (as :meth:`rows` gives them)."""
        columns = [list(column) for column in zip(*rows, strict=True)] if rows else []
        if columns:
            for at in (4, 5):  # the span's dates as month indices
                columns[at] = [month_index(day) for day in columns[at]]
        return _target_table(*(tuple(column) for column in columns))


TARGET_ARRAYS = (
    "pk", "kpi", "unit", "person", "first", "end", "threshold", "target", "stretch", "low",
    "high", "baseline", "phasing", "profile", "valid_from", "valid_until",
)  # fmt: skip


def load_targets(
    day: dt.date,
    *,
    kpi_ids: Collection[int] | None = None,
    unit_ids: Collection[int] | None = None,
    person_ids: Collection[int] | None = None,
    months: Collection[int] | None = None,
    until: dt.date | None = None,
) -> TargetTable:
    """Targets in force on ``day`` (or on any day up to ``until``: pick a day's with
    :meth:`TargetTable.on`); with ``months``, only those whose span covers one.

    Read with a raw cursor straight into arrays, as values are: a large organisation has
    a million targets.
    """
    rows = Target.objects.filter(
        effective_on(day) if until is None else effective_between(day, until)
    )
    if months:
        rows = rows.filter(
            period_start__lte=month_of(max(months)), period_end__gt=month_of(min(months))
        )
    if kpi_ids is not None:
        rows = rows.filter(kpi_id__in=list(kpi_ids))
    if unit_ids is not None or person_ids is not None:
        rows = rows.filter(
            Q(unit_id__in=list(unit_ids or ())) | Q(person_id__in=list(person_ids or ()))
        )
    columns = rows.order_by("id").annotate(
        first=MonthIndex("period_start"),
        end=MonthIndex("period_end"),
        since=DayNumber("valid_from"),
        until=Coalesce(DayNumber("valid_until"), OPEN_END),
    ).values_list(
        "id", "kpi_id", "unit_id", "person_id", "first", "end", "threshold", "target",
        "stretch", "range_low", "range_high", "baseline", "phasing", "profile", "since", "until",
    )  # fmt: skip
    fetched = list(zip(*fetch_rows(columns), strict=True)) or [()] * (len(TargetRow._fields) + 2)
    *fields, since, until_day = fetched
    return _target_table(*fields, validity=(since, until_day))


def _target_table(
    *columns: tuple[Any, ...], validity: tuple[tuple[Any, ...], tuple[Any, ...]] | None = None
) -> TargetTable:
    """A table from its columns (as :class:`TargetRow` has them); without ``validity``, the
    rows count as always in force."""
    if not columns:
        columns = ((),) * len(TargetRow._fields)
    pk, kpi, unit, person, first, end, *bounds, phasing, profile = columns
    since, until = validity or ((0,) * len(pk), (OPEN_END,) * len(pk))
    how = np.array(phasing, dtype=np.str_) if phasing else np.zeros(0, dtype=np.str_)
    profiles = np.full(len(pk), None, dtype=object)
    for i in np.flatnonzero(how == "seasonal").tolist():
        weights = profile[i]  # JSON text on SQLite, a list on PostgreSQL
        profiles[i] = json.loads(weights) if isinstance(weights, str) else list(weights)
    threshold, target, stretch, low, high, baseline = (
        np.array(column, dtype=np.float64) for column in bounds
    )
    return TargetTable(
        np.array(pk, dtype=np.int64),
        np.array(kpi, dtype=np.int64),
        _ids(unit),
        _ids(person),
        np.array(first, dtype=np.int64),
        np.array(end, dtype=np.int64),
        threshold,
        target,
        stretch,
        low,
        high,
        baseline,
        how,
        profiles,
        np.array(since, dtype=np.int64),
        np.array(until, dtype=np.int64),
    )


def _optional(number: float) -> float | None:
    return None if math.isnan(number) else number


def numeric_columns(rows: list[tuple[Any, ...]], width: int) -> FloatArray:
    """Rows of numbers as one float column per field, NULL as NaN (ids are exact below
    2**53)."""
    return np.array(rows, dtype=np.float64).reshape(-1, width).T.copy()


def _ids(column: tuple[object, ...]) -> IntArray:
    return np.array([0 if x is None else x for x in column], dtype=np.int64)


def fetch_rows(columns: models.QuerySet[Any]) -> list[tuple[Any, ...]]:
    """A query's rows through a raw cursor, without building model or field values."""
    try:
        sql, params = columns.query.sql_with_params()
    except EmptyResultSet:  # a filter on an empty list matches nothing
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@dataclass
class Edges:
    """Weighted child -> parent edges of the scorecard graph in force on a day, as codes."""

    child: IntArray
    parent: IntArray
    weight: FloatArray
    # Which unit's policy a node follows (persons and their goals: their primary unit).
    policy_node: IntArray
    policy_unit: IntArray
    # The objectives loaded, sorted, and the subject code of the unit or person owning each.
    objective: IntArray
    owner: IntArray
    # Parent objectives owned by subjects not loaded.
    outside_parents: set[int]


def load_edges(
    day: dt.date,
    *,
    unit_ids: Collection[int] | None = None,
    person_ids: Collection[int] | None = None,
) -> Edges:
    """The edges of the scorecards in force on ``day``: all of them, or some subjects' own.

    With subjects given, the edges loaded are complete for every node those subjects own:
    their objectives (with all measuring KPIs and all child objectives), perspectives and
    scorecards. ``outside_parents`` then names the parent objectives owned by others, which
    an incremental recompute follows upwards.
    """
    versions = ObjectiveVersion.objects.filter(effective_on(day))
    measures = ObjectiveMeasure.objects.filter(effective_on(day))
    if unit_ids is not None or person_ids is not None:
        owned = versions.filter(
            Q(unit_id__in=list(unit_ids or ())) | Q(person_id__in=list(person_ids or ()))
        )
        owned_ids = list(owned.values_list("objective_id", flat=True))
        versions = versions.filter(Q(objective_id__in=owned_ids) | Q(parent_id__in=owned_ids))
        measures = measures.filter(objective_id__in=owned_ids)
    fetched = fetch_rows(
        versions.order_by("objective_id").values_list(
            "objective_id", "unit_id", "person_id", "person__primary_unit_id", "perspective_id",
            "parent_id", "contribution_weight", "weight",
        )
    )  # fmt: skip
    columns = numeric_columns(fetched, 8)
    objective, unit, person, person_unit, perspective, parent = (
        np.nan_to_num(c).astype(np.int64) for c in columns[:6]
    )
    contribution, weight = columns[6:]
    node = node_codes("objective", objective)
    at_unit = unit > 0
    perspective_node = node_codes("perspective", (unit << PERSPECTIVE_BITS) | perspective)[at_unit]
    person_node = node_codes("person", person)[~at_unit]
    cascaded = parent > 0
    child_parts = [node[cascaded], node[at_unit], node[~at_unit]]
    parent_parts = [node_codes("objective", parent[cascaded]), perspective_node, person_node]
    weight_parts = [contribution[cascaded], weight[at_unit], weight[~at_unit]]
    unit_node = node_codes("unit", unit[at_unit])
    policy_node = np.concatenate([node, perspective_node, unit_node, person_node])
    policy_unit = np.concatenate(
        [np.where(at_unit, unit, person_unit), unit[at_unit], unit[at_unit], person_unit[~at_unit]]
    )
    owner = subject_code(unit, person)
    outside = set(np.setdiff1d(parent[cascaded], objective).tolist())
    kpi_edges = _measure_edges(measures, objective, owner)
    units_weighted = _perspective_edges(day, np.unique(perspective_node))
    return Edges(
        child=np.concatenate([*child_parts, kpi_edges[0], units_weighted[0]]),
        parent=np.concatenate([*parent_parts, kpi_edges[1], units_weighted[1]]),
        weight=np.concatenate([*weight_parts, kpi_edges[2], units_weighted[2]]),
        policy_node=policy_node,
        policy_unit=policy_unit,
        objective=objective,
        owner=owner,
        outside_parents=outside,
    )


def _measure_edges(
    measures: models.QuerySet[ObjectiveMeasure], objective: IntArray, owner: IntArray
) -> tuple[IntArray, IntArray, FloatArray]:
    """KPI leaf -> objective edges of the loaded objectives (their owner is the subject)."""
    rows = measures.order_by("objective_id", "kpi_id", "valid_from")
    measured, kpi, weight = numeric_columns(
        fetch_rows(rows.values_list("objective_id", "kpi_id", "weight")), 3
    )
    measured, kpi = measured.astype(np.int64), kpi.astype(np.int64)
    at = np.minimum(np.searchsorted(objective, measured), max(len(objective) - 1, 0))
    loaded = (objective[at] == measured) if len(objective) else np.zeros(len(kpi), dtype=bool)
    return (
        kpi_nodes(kpi[loaded], owner[at[loaded]]),
        node_codes("objective", measured[loaded]),
        weight[loaded],
    )


def _perspective_edges(
    day: dt.date, perspective_nodes: IntArray
) -> tuple[IntArray, IntArray, FloatArray]:
    """Perspective -> unit edges weighted as :mod:`scoreline.scoring.perspectives` says."""
    payload = perspective_nodes & PAYLOAD
    unit, perspective = payload >> PERSPECTIVE_BITS, payload & ((1 << PERSPECTIVE_BITS) - 1)
    weights = perspective_weights_in_force(day, np.unique(unit).tolist())
    share = [weights.weight(u, p) for u, p in zip(unit.tolist(), perspective.tolist(), strict=True)]
    return perspective_nodes, node_codes("unit", unit), np.array(share, dtype=np.float64)


def owners_of(day: dt.date, objective_ids: Collection[int]) -> tuple[set[int], set[int]]:
    """The units and persons owning some objectives on ``day``."""
    rows = ObjectiveVersion.objects.filter(effective_on(day), objective_id__in=list(objective_ids))
    units: set[int] = set()
    persons: set[int] = set()
    for unit, person in rows.values_list("unit_id", "person_id"):
        if unit is not None:
            units.add(unit)
        else:
            persons.add(person)
    return units, persons


@dataclass
class Policy:
    combine: int
    missing: int
    cap: float
    cascade_share: float = DEFAULT_CASCADE_SHARE


def load_policies(day: dt.date, unit_ids: Collection[int]) -> dict[int | None, Policy]:
    """Scorecard policy per unit (key None: the organisation's default)."""
    rows = ScorecardPolicy.objects.filter(effective_on(day))
    rows = rows.filter(Q(unit__isnull=True) | Q(unit_id__in=list(unit_ids)))
    return {
        row.unit_id: Policy(
            COMBINE[row.combine],
            MISSING[row.missing],
            100.0 if row.cap_at_100 else np.inf,
            row.cascade_share,
        )
        for row in rows
    }


def unit_tree() -> tuple[IntArray, IntArray]:
    """Every unit's id and its parent's position in that array (-1 for roots)."""
    units = list(OrgUnit.objects.order_by("path").values_list("id", "path", "depth"))
    ids = np.array([u for u, _, _ in units], dtype=np.int64)
    position = {path: i for i, (_, path, _) in enumerate(units)}
    steplen = OrgUnit.steplen
    parent = np.array(
        [
            position.get(path[: (depth - 1) * steplen], -1) if depth > 1 else -1
            for _, path, depth in units
        ],
        dtype=np.int64,
    )
    return ids, parent


def headcounts(unit_ids: IntArray, day: dt.date) -> FloatArray:
    """Active people whose primary unit is each unit, on ``day``."""
    active = Person.objects.filter(hire_date__lte=day).filter(
        Q(leave_date__isnull=True) | Q(leave_date__gt=day)
    )
    counts = dict(
        active.values_list("primary_unit_id")
        .annotate(n=Count("id"))
        .values_list("primary_unit_id", "n")
    )
    return np.array([counts.get(int(u), 0) for u in unit_ids], dtype=np.float64)


# The definitions whose changes alter scores; a change to any starts a new scoring segment.
SCORING_DEFINITIONS: tuple[type[models.Model], ...] = (
    KpiVersion, Target, StatusRule, ObjectiveMeasure, ObjectiveVersion, PerspectiveWeight,
    ScorecardPolicy,
)  # fmt: skip


def version_boundaries(until: dt.date, since: dt.date | None = None) -> list[dt.date]:
    """Every day up to ``until`` (and after ``since``) on which some scoring definition
    starts or ends, sorted."""
    days: set[dt.date] = set()
    for model in SCORING_DEFINITIONS:
        rows = model._default_manager.order_by()
        for column in ("valid_from", "valid_until"):
            within = rows.filter(**{f"{column}__lte": until})
            if since is not None:
                within = within.filter(**{f"{column}__gt": since})
            days.update(within.values_list(column, flat=True).distinct())
    return sorted(days)


def latest_stored_month(until_month: int) -> int | None:
    """The latest month up to ``until_month`` that holds a value of any KPI."""
    latest = KpiValue.objects.filter(period__lte=month_of(until_month)).aggregate(
        latest=Max("period")
    )["latest"]
    return None if latest is None else month_index(latest)


def stored_months(until_month: int, kpi_ids: Collection[int] | None = None) -> list[int]:
    """The months holding values, up to and including ``until_month``."""
    rows = KpiValue.objects.filter(period__lte=month_of(until_month))
    if kpi_ids is not None:
        rows = rows.filter(kpi_id__in=list(kpi_ids))
    periods = rows.order_by().values_list("period", flat=True).distinct()
    return sorted(month_index(day) for day in periods)
