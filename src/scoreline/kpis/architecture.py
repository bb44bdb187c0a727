"""The KPI architecture in force on a day, read from the database into plain arrays.

The bridge scores and rolls up what this module loads; nothing here calculates. Every
read takes the day whose definitions apply, which is what makes "as of" exact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.db.models import Count, Q
from django.db.models.functions import Coalesce

from scoreline.engine.directions import DIRECTIONS
from scoreline.engine.rollup import Combine, Missing
from scoreline.engine.scoring import Method
from scoreline.engine.status import Basis, Comparison
from scoreline.kpis.models import (
    KpiValue,
    KpiVersion,
    ObjectiveMeasure,
    PerspectiveWeight,
    ScorecardPolicy,
    StatusRule,
    Target,
)
from scoreline.lib.dates import effective_on
from scoreline.org.models import OrgUnit, Person
from scoreline.strategy.models import ObjectiveVersion

__all__ = [
    "Definitions",
    "Edges",
    "Subject",
    "TargetRow",
    "ValueRows",
    "load_definitions",
    "load_edges",
    "load_targets",
    "load_values",
    "month_index",
    "month_of",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

METHOD = {
    "linear": Method.LINEAR,
    "piecewise": Method.PIECEWISE,
    "banded": Method.BANDED,
    "target_range": Method.TARGET_RANGE,
    "percent_capped": Method.PERCENT_CAPPED,
    "percent_uncapped": Method.PERCENT_UNCAPPED,
    "rubric": Method.RUBRIC,
}
BASIS = {"value": Basis.VALUE, "percent_of_target": Basis.PERCENT_OF_TARGET, "score": Basis.SCORE}
COMPARISON = {
    "ge": Comparison.GE,
    "gt": Comparison.GT,
    "le": Comparison.LE,
    "lt": Comparison.LT,
    "between": Comparison.BETWEEN,
}
COMBINE = {"weighted_mean": Combine.WEIGHTED_MEAN, "sum": Combine.SUM, "minimum": Combine.MINIMUM}
MISSING = {"skip": Missing.SKIP, "zero": Missing.ZERO, "blank": Missing.BLANK}

# A subject is what a value belongs to: ("u", unit id) or ("p", person id).
Subject = tuple[str, int]


def month_index(day: dt.date) -> int:
    """Months since year 0: consecutive integers for consecutive months."""
    return day.year * 12 + day.month - 1


def month_of(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def subject_of(unit_id: int | None, person_id: int | None) -> Subject:
    return ("u", unit_id) if unit_id is not None else ("p", person_id)  # type: ignore[return-value]


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

    def take(self, index: npt.NDArray[np.intp] | npt.NDArray[np.bool_]) -> ValueRows:
        return ValueRows(
            self.kpi[index], self.unit[index], self.person[index], self.month[index],
            self.value[index],
        )  # fmt: skip

    @staticmethod
    def concat(parts: list[ValueRows]) -> ValueRows:
        if not parts:
            return ValueRows.empty()
        return ValueRows(
            *(np.concatenate([getattr(p, name) for p in parts]) for name in ValueRows.names())
        )

    @staticmethod
    def names() -> tuple[str, ...]:
        return ("kpi", "unit", "person", "month", "value")


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
    columns = rows.annotate(
        unit_or_0=Coalesce("unit_id", 0), person_or_0=Coalesce("person_id", 0)
    ).values_list("kpi_id", "unit_or_0", "person_or_0", "period", "value")
    try:
        sql, params = columns.query.sql_with_params()
    except EmptyResultSet:  # a filter on an empty list matches nothing
        return ValueRows.empty()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    if not fetched:
        return ValueRows.empty()
    kpi, unit, person, period, value = zip(*fetched, strict=True)
    # Dates arrive as date objects (PostgreSQL) or ISO text (SQLite); numpy parses both.
    months = np.array(period, dtype="datetime64[M]").astype(np.int64) + 1970 * 12
    return ValueRows(
        np.array(kpi, dtype=np.int64),
        np.array(unit, dtype=np.int64),
        np.array(person, dtype=np.int64),
        months,
        np.array(value, dtype=np.float64),
    )


class TargetRow(NamedTuple):
    """The columns of a target version that scoring reads (lighter than a model instance)."""

    pk: int
    kpi_id: int
    unit_id: int | None
    person_id: int | None
    period_start: dt.date
    period_end: dt.date
    target_type: str
    threshold: float | None
    target: float | None
    stretch: float | None
    range_low: float | None
    range_high: float | None
    baseline: float | None
    phasing: str
    profile: list[float]


def load_targets(
    day: dt.date,
    *,
    kpi_ids: Collection[int] | None = None,
    unit_ids: Collection[int] | None = None,
    person_ids: Collection[int] | None = None,
    months: Collection[int] | None = None,
) -> list[TargetRow]:
    """Targets in force on ``day``; with ``months``, only those whose span covers one."""
    rows = Target.objects.filter(effective_on(day))
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
    columns = rows.order_by("id").values_list(*TargetRow._fields)
    return [TargetRow(*row) for row in columns]


# Node keys of the scorecard graph.
#   ("kpi", kpi id, subject)    a KPI's score at a unit or for a person (the leaves)
#   ("objective", objective id)
#   ("perspective", unit id, perspective id)
#   ("unit", unit id)           a unit's scorecard
#   ("person", person id)       an individual scorecard
NodeKey = tuple[object, ...]


@dataclass
class Edges:
    """Weighted child -> parent edges of the scorecard graph in force on a day."""

    child: list[NodeKey] = field(default_factory=list)
    parent: list[NodeKey] = field(default_factory=list)
    weight: list[float] = field(default_factory=list)
    # Which unit's policy a node follows (persons and their goals: their primary unit).
    policy_unit: dict[NodeKey, int] = field(default_factory=dict)
    outside_parents: set[object] = field(default_factory=set)
    # The unit or person owning each objective loaded.
    owner: dict[int, Subject] = field(default_factory=dict)

    def add(self, child: NodeKey, parent: NodeKey, weight: float) -> None:
        self.child.append(child)
        self.parent.append(parent)
        self.weight.append(weight)


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
    edges = Edges()
    versions = ObjectiveVersion.objects.filter(effective_on(day))
    measures = ObjectiveMeasure.objects.filter(effective_on(day))
    if unit_ids is not None or person_ids is not None:
        owned = versions.filter(
            Q(unit_id__in=list(unit_ids or ())) | Q(person_id__in=list(person_ids or ()))
        )
        owned_ids = list(owned.values_list("objective_id", flat=True))
        versions = versions.filter(Q(objective_id__in=owned_ids) | Q(parent_id__in=owned_ids))
        measures = measures.filter(objective_id__in=owned_ids)
    rows = list(
        versions.values_list(
            "objective_id", "unit_id", "person_id", "person__primary_unit_id", "perspective_id",
            "parent_id", "contribution_weight", "weight",
        )
    )  # fmt: skip
    subject: dict[int, Subject] = {}
    for objective, unit, person, person_unit, perspective, parent, contribution, weight in rows:
        node = ("objective", objective)
        subject[objective] = subject_of(unit, person)
        if parent is not None:
            edges.add(node, ("objective", parent), contribution)
        if unit is not None:
            edges.add(node, ("perspective", unit, perspective), weight)
            for key in (node, ("perspective", unit, perspective), ("unit", unit)):
                edges.policy_unit[key] = unit
        else:
            edges.add(node, ("person", person), weight)
            for key in (node, ("person", person)):
                edges.policy_unit[key] = person_unit
    edges.owner = subject
    edges.outside_parents = {
        key[1] for key in edges.parent if key[0] == "objective" and key[1] not in subject
    }
    for objective, kpi, weight in measures.values_list("objective_id", "kpi_id", "weight"):
        if objective in subject:
            edges.add(("kpi", kpi, subject[objective]), ("objective", objective), weight)
    units = {key[1] for key in edges.parent if key[0] == "perspective"}
    _add_perspective_weights(edges, day, units)
    return edges


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


def _add_perspective_weights(edges: Edges, day: dt.date, units: set[object]) -> None:
    weights = PerspectiveWeight.objects.filter(effective_on(day))
    weights = weights.filter(Q(unit__isnull=True) | Q(unit_id__in=list(units)))
    default: dict[int, float] = {}
    own: dict[tuple[int, int], float] = {}
    for perspective, unit, weight in weights.values_list("perspective_id", "unit_id", "weight"):
        if unit is None:
            default[perspective] = weight
        else:
            own[(unit, perspective)] = weight
    for key in sorted({k for k in edges.parent if k[0] == "perspective"}, key=str):
        unit_id, perspective_id = int(key[1]), int(key[2])  # type: ignore[call-overload]
        share = own.get((unit_id, perspective_id), default.get(perspective_id, 1.0))
        edges.add(key, ("unit", unit_id), share)


@dataclass
class Policy:
    combine: int
    missing: int
    cap: float


def load_policies(day: dt.date, unit_ids: Collection[int]) -> dict[int | None, Policy]:
    """Scorecard policy per unit (key None: the organisation's default)."""
    rows = ScorecardPolicy.objects.filter(effective_on(day))
    rows = rows.filter(Q(unit__isnull=True) | Q(unit_id__in=list(unit_ids)))
    return {
        row.unit_id: Policy(
            COMBINE[row.combine], MISSING[row.missing], 100.0 if row.cap_at_100 else np.inf
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


def version_boundaries(until: dt.date) -> list[dt.date]:
    """Every day up to ``until`` on which some scoring definition starts or ends, sorted."""
    days: set[dt.date] = set()
    for model in SCORING_DEFINITIONS:
        rows = model._default_manager.all()
        days.update(rows.filter(valid_from__lte=until).values_list("valid_from", flat=True))
        days.update(rows.filter(valid_until__lte=until).values_list("valid_until", flat=True))
    return sorted(days)


def stored_months(until_month: int, kpi_ids: Collection[int] | None = None) -> list[int]:
    """The months holding values, up to and including ``until_month``."""
    rows = KpiValue.objects.filter(period__lte=month_of(until_month))
    if kpi_ids is not None:
        rows = rows.filter(kpi_id__in=list(kpi_ids))
    periods = rows.order_by().values_list("period", flat=True).distinct()
    return sorted(month_index(day) for day in periods)
