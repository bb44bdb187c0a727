"""The KPI architecture over the API: the catalogue, targets, status rules, values,
assessments, scores with their explanation, unit scorecards and change requests.

KPIs are named by code, units by code and people by employee id. The catalogue (definitions
without values) is open to every member of the organisation; targets, values and scores are
seen through the same rules as the unit or person they belong to, and anything the caller
may not see answers 404. Each write calls one action, which checks the right (403) and
records the audit event. A change to a definition in force in an open planning period
answers 400 with the code ``change_request_required``: file it at ``/change-requests`` and
someone else who may approve it decides.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import asdict
from typing import Annotated, Any, Literal

from django.contrib.auth.models import User
from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator

from scoreline.access.capabilities import Capability
from scoreline.access.scope import require_anywhere
from scoreline.api.strategy import (
    Code,
    HistoryPage,
    Month,
    Reason,
    page_list,
    plain,
    rated_person,
    referenced_person,
    referenced_unit,
    visible_unit,
)
from scoreline.api.support import ERRORS, Id, Input, PageQuery, Text, page_of, request_user
from scoreline.engine.directions import DIRECTIONS
from scoreline.engine.errors import EngineInputError
from scoreline.engine.scoring import explain
from scoreline.governance.actions import (
    CHANGE_KINDS,
    can_decide,
    do_decide_change,
    do_request_change,
)
from scoreline.governance.models import ChangeRequest, ChangeState
from scoreline.governance.queries import change_requests_for
from scoreline.kpi_quality.queries import target_specificity_for
from scoreline.kpi_quality.reports import smart_check_definition
from scoreline.kpis.actions.definitions import do_create_kpi
from scoreline.kpis.measures import scorecard_rows
from scoreline.kpis.models import (
    Assessment,
    Direction,
    Kpi,
    KpiKind,
    KpiValue,
    KpiVersion,
    Phasing,
    Rubric,
    RuleBasis,
    RuleComparison,
    ScoringMethod,
    StatusRule,
    Target,
    TargetType,
    Temporality,
    TimeAggregation,
    TreeAggregation,
)
from scoreline.kpis.queries import (
    can_see_catalogue,
    kpi_history,
    kpi_version_on,
    kpis_for,
    targets_for,
    values_for,
)
from scoreline.kpis.validation import RuleSpec
from scoreline.lib.dates import effective_on, today
from scoreline.lib.errors import AccessDenied, Invalid, NotFound
from scoreline.lib.months import month_end
from scoreline.org.models import OrgUnit, Person
from scoreline.org.queries import units_for
from scoreline.scoring.actions.definitions import do_set_status_rules, do_set_target, do_update_kpi
from scoreline.scoring.actions.values import do_record_assessment, do_record_value
from scoreline.scoring.engine_codes import METHOD
from scoreline.scoring.models import NodeKind, Score
from scoreline.scoring.quarters import kpi_periods
from scoreline.scoring.queries import scores_for
from scoreline.strategy.models import EsgPillar, RequiredBy
from scoreline.strategy.queries import objectives_for

__all__ = ["router"]

router = Router()

AsOf = Query(None, description="The day whose definitions apply (default: today)")
UnitQuery = Query(None, max_length=40, description="Unit code")
PersonQuery = Query(None, max_length=40, description="Employee id of a person")
MonthsQuery = Query(None, description="Months as YYYY-MM (repeat the parameter for several)")


def _visible_kpi(user: User, code: str) -> Kpi:
    kpi = Kpi.objects.filter(code=code).first() if can_see_catalogue(user) else None
    if kpi is None:
        raise NotFound(f"No KPI {code}.")
    return kpi


def _subject(
    user: User, unit: str | None, person: str | None
) -> tuple[OrgUnit | None, Person | None]:
    """The unit or person whose targets, values or scores are asked for (404 if hidden)."""
    if unit is not None and person is not None:
        raise Invalid(
            "give a unit or a person, not both",
            fields={"unit": ["give a unit or a person"], "person": ["give a unit or a person"]},
        )
    return (
        visible_unit(user, unit) if unit is not None else None,
        rated_person(user, person) if person is not None else None,
    )


def _written_subject(
    user: User, unit: str | None, person: str | None
) -> tuple[OrgUnit | None, Person | None]:
    """The unit or person a write is about, named in the body."""
    if (unit is None) == (person is None):
        raise Invalid(
            "give either a unit or a person",
            fields={"unit": ["give a unit or a person"], "person": ["give a unit or a person"]},
        )
    return (
        referenced_unit(user, unit, "unit") if unit is not None else None,
        referenced_person(user, person, "person") if person is not None else None,
    )


def _subject_out(unit: OrgUnit | None, person: Person | None) -> dict[str, str | None]:
    return {
        "unit": unit.code if unit is not None else None,
        "person": person.employee_id if person is not None else None,
    }


# Definitions


class KpiOut(Schema):
    code: str
    name: str
    description: str
    unit_of_measure: str = Field(description="EUR, count, %, days, tCO2e...")
    direction: Direction
    temporality: Temporality
    kind: KpiKind
    function: str
    formula: str
    time_aggregation: TimeAggregation
    tree_aggregation: TreeAggregation
    refresh_cycle: str
    data_source: str
    owner: str | None = Field(description="Employee id")
    owner_name: str | None
    steward: str | None = Field(description="Employee id")
    steward_name: str | None
    scoring: ScoringMethod
    band_edges: list[float]
    band_scores: list[float]
    rubric: str | None = Field(description="Rubric code")
    esg_pillar: str
    disclosure_ref: str
    required_by: str
    valid_from: dt.date
    valid_until: dt.date | None


class KpiPage(Schema):
    items: list[KpiOut]
    count: int


class RubricLevelOut(Schema):
    level: int
    label: str
    anchor: str
    score: float


class KpiScoreOut(Schema):
    kpi: str
    unit: str | None
    person: str | None
    period: dt.date
    value: float | None
    score: float | None
    status: str
    attainment: float | None = Field(description="Percent of target, direction-aware")
    inputs: dict[str, float | None] = Field(description="Targets the value was scored against")
    definitions_as_of: str | None
    explanation: dict[str, Any] | None = Field(
        description="Which segment the value fell in and the arithmetic applied"
    )
    explanation_error: str | None = Field(description="Why no explanation could be built")


class KpiScorePage(Schema):
    items: list[KpiScoreOut]
    count: int


class KpiDetailOut(Schema):
    definition: KpiOut = Field(description="The definition in force (or the last one)")
    day: dt.date
    in_force: bool
    rubric_levels: list[RubricLevelOut]
    smart: dict[str, Any] = Field(
        description="SMART check of the definition, one explained check per letter"
    )
    latest_scores: list[KpiScoreOut] = Field(
        description="Scores of the latest scored month, for the units and people the caller "
        "may see (at most 100)"
    )


class _KpiFields(Input):
    description: str | None = None
    unit_of_measure: str | None = Field(None, max_length=40)
    temporality: Temporality | None = None
    kind: KpiKind | None = None
    function: str | None = Field(None, max_length=60)
    formula: str | None = Field(None, description="Expression over other KPI codes")
    time_aggregation: TimeAggregation | None = None
    tree_aggregation: TreeAggregation | None = None
    refresh_cycle: str | None = Field(None, max_length=10, description="weekly ... annual or ''")
    data_source: str | None = Field(None, max_length=200)
    owner: str | None = Field(None, max_length=40, description="Employee id")
    steward: str | None = Field(None, max_length=40, description="Employee id")
    band_edges: list[float] | None = Field(None, max_length=100)
    band_scores: list[float] | None = Field(None, max_length=101)
    rubric: str | None = Field(None, max_length=40, description="Rubric code")
    esg_pillar: EsgPillar | None = None
    disclosure_ref: str | None = Field(None, max_length=60)
    required_by: RequiredBy | None = None
    reason: str = Reason


class KpiCreateIn(_KpiFields):
    code: str = Field(min_length=1, max_length=60)
    valid_from: dt.date
    name: str = Field(min_length=1, max_length=200)
    direction: Direction
    temporality: Temporality
    kind: KpiKind
    time_aggregation: TimeAggregation
    tree_aggregation: TreeAggregation
    scoring: ScoringMethod


class KpiUpdateIn(_KpiFields):
    effective_from: dt.date = Field(description="First day of the new version")
    reason: str = Field(min_length=1, max_length=1000, description="Why (kept in the history)")
    name: str | None = Field(None, min_length=1, max_length=200)
    direction: Direction | None = None
    scoring: ScoringMethod | None = None


def _person_ref(person: Person | None) -> tuple[str | None, str | None]:
    if person is None:
        return None, None
    return person.employee_id, person.full_name


def _kpi_out(version: KpiVersion) -> dict[str, Any]:
    owner, owner_name = _person_ref(version.owner)
    steward, steward_name = _person_ref(version.steward)
    return {
        "code": version.kpi.code,
        "name": version.name,
        "description": version.description,
        "unit_of_measure": version.unit,
        "direction": version.direction,
        "temporality": version.temporality,
        "kind": version.kind,
        "function": version.function,
        "formula": version.formula,
        "time_aggregation": version.time_aggregation,
        "tree_aggregation": version.tree_aggregation,
        "refresh_cycle": version.refresh_cycle,
        "data_source": version.data_source,
        "owner": owner,
        "owner_name": owner_name,
        "steward": steward,
        "steward_name": steward_name,
        "scoring": version.scoring,
        "band_edges": version.band_edges,
        "band_scores": version.band_scores,
        "rubric": version.rubric.code if version.rubric is not None else None,
        "esg_pillar": version.esg_pillar,
        "disclosure_ref": version.disclosure_ref,
        "required_by": version.required_by,
        "valid_from": version.valid_from,
        "valid_until": version.valid_until,
    }


def _rubric(code: str) -> Rubric:
    rubric = Rubric.objects.filter(code=code).first()
    if rubric is None:
        raise Invalid.field("rubric", f"no rubric with code {code!r}", code="unknown")
    return rubric


def _kpi_changes(user: User, data: Mapping[str, Any]) -> dict[str, Any]:
    """Input fields as action keywords: codes become rows, ``unit_of_measure`` the unit."""
    fields: dict[str, Any] = {}
    for name, value in data.items():
        if name == "unit_of_measure":
            fields["unit"] = value
        elif name in ("owner", "steward"):
            fields[name] = referenced_person(user, value, name) if value is not None else None
        elif name == "rubric":
            fields[name] = _rubric(value) if value is not None else None
        else:
            fields[name] = plain(value)
    return fields


# Fields a change may leave out but may not set to null.
_NULLABLE = frozenset({"owner", "steward", "rubric"})


def _smart(version: KpiVersion, in_force: bool, day: dt.date) -> dict[str, Any]:
    """The SMART check of a definition, as it stands on ``day`` when in force then."""
    return smart_check_definition(version, day if in_force else None).as_dict()


def _definition(kpi: Kpi, day: dt.date) -> tuple[KpiVersion, bool]:
    version = kpi_version_on(kpi, day)
    if version is not None:
        return version, True
    history = kpi_history(kpi)
    if not history:
        raise NotFound(f"No KPI {kpi.code}.")
    return history[-1].version, False


def _detail(user: User, kpi: Kpi, day: dt.date) -> dict[str, Any]:
    version, in_force = _definition(kpi, day)
    levels = list(version.rubric.levels.order_by("level")) if version.rubric is not None else []
    scores = scores_for(user, kind=NodeKind.KPI, kpi=kpi).select_related("kpi", "unit", "person")
    latest = scores.order_by("-period").values_list("period", flat=True).first()
    rows = list(scores.filter(period=latest)[:100]) if latest is not None else []
    return {
        "definition": _kpi_out(version),
        "day": day,
        "in_force": in_force,
        "rubric_levels": [
            {"level": lv.level, "label": lv.label, "anchor": lv.anchor, "score": lv.score}
            for lv in levels
        ],
        "smart": _smart(version, in_force, day),
        "latest_scores": _scores_out(rows),
    }


@router.get("/kpis", response={200: KpiPage, **ERRORS}, tags=["kpis"])
def list_kpis(
    request: HttpRequest,
    page: Query[PageQuery],
    q: Text | None = Query(None, max_length=200, description="Part of a code or name"),
    kind: KpiKind | None = Query(None),
    as_of: dt.date | None = AsOf,
) -> dict[str, Any]:
    """The KPI catalogue: each KPI's definition in force, by code."""
    versions = kpis_for(request_user(request), as_of)
    if q:
        versions = versions.filter(Q(kpi__code__icontains=q) | Q(name__icontains=q))
    if kind is not None:
        versions = versions.filter(kind=kind)
    items, count = page_of(versions.order_by("kpi__code"), page)
    return {"items": [_kpi_out(version) for version in items], "count": count}


@router.post("/kpis", response={201: KpiDetailOut, **ERRORS}, tags=["kpis"])
def create_kpi(request: HttpRequest, payload: KpiCreateIn) -> Status:
    """Add a KPI to the catalogue, with its first definition in force from ``valid_from``."""
    user = request_user(request)
    require_anywhere(user, Capability.EDIT_KPI)
    data = payload.model_dump(exclude_unset=True, exclude={"code", "valid_from", "reason"})
    for name in list(data):
        if data[name] is None and name not in _NULLABLE:
            raise Invalid.field(name, "cannot be null")
    kpi = do_create_kpi(
        user,
        code=payload.code,
        valid_from=payload.valid_from,
        reason=payload.reason,
        source="api",
        **_kpi_changes(user, data),
    )
    return Status(201, _detail(user, kpi, payload.valid_from))


@router.get("/kpis/{code}", response={200: KpiDetailOut, **ERRORS}, tags=["kpis"])
def get_kpi(request: HttpRequest, code: Code, as_of: dt.date | None = AsOf) -> dict[str, Any]:
    """The definition in force with its SMART check and the latest scores."""
    user = request_user(request)
    return _detail(user, _visible_kpi(user, code), as_of or today())


@router.patch("/kpis/{code}", response={200: KpiDetailOut, **ERRORS}, tags=["kpis"])
def update_kpi(request: HttpRequest, code: Code, payload: KpiUpdateIn) -> dict[str, Any]:
    """Change the definition from ``effective_from`` on; the earlier version stays as history.

    A change that would alter an open planning period answers 400 with the code
    ``change_request_required``: file it at ``/change-requests`` instead.
    """
    user = request_user(request)
    kpi = _visible_kpi(user, code)
    require_anywhere(user, Capability.EDIT_KPI)
    data = payload.model_dump(exclude_unset=True, exclude={"effective_from", "reason"})
    for name in list(data):
        if data[name] is None and name not in _NULLABLE:
            raise Invalid.field(name, "cannot be null")
    do_update_kpi(
        user,
        kpi,
        effective=payload.effective_from,
        reason=payload.reason,
        source="api",
        **_kpi_changes(user, data),
    )
    return _detail(user, kpi, payload.effective_from)


_KPI_REFERENCES: dict[str, tuple[type[Person | Rubric], str]] = {
    "owner": (Person, "employee_id"),
    "steward": (Person, "employee_id"),
    "rubric": (Rubric, "code"),
}


def _readable(name: str, value: Any, names: dict[str, dict[int, str]]) -> Any:
    if name in names and value is not None:
        return names[name].get(value, value)
    return value


@router.get("/kpis/{code}/history", response={200: HistoryPage, **ERRORS}, tags=["kpis"])
def get_kpi_history(request: HttpRequest, code: Code, page: Query[PageQuery]) -> dict[str, Any]:
    """Every version of the definition, oldest first: who changed what, when and why."""
    user = request_user(request)
    history, count = page_list(kpi_history(_visible_kpi(user, code)), page)
    wanted: dict[str, set[int]] = {}
    for entry in history:
        for name, pair in entry.changes.items():
            if name in _KPI_REFERENCES:
                wanted.setdefault(name, set()).update(v for v in pair if v is not None)
    names = {
        name: dict(
            _KPI_REFERENCES[name][0]
            .objects.filter(pk__in=ids)
            .values_list("pk", _KPI_REFERENCES[name][1])
        )
        for name, ids in wanted.items()
    }
    return {
        "items": [
            {
                "valid_from": entry.version.valid_from,
                "valid_until": entry.version.valid_until,
                "author": entry.author or None,
                "reason": entry.reason,
                "source": entry.source,
                "recorded_at": entry.version.recorded_at,
                "changes": {
                    ("unit_of_measure" if name == "unit" else name): {
                        "before": _readable(name, before, names),
                        "after": _readable(name, after, names),
                    }
                    for name, (before, after) in entry.changes.items()
                    if name != "kpi"
                },
            }
            for entry in history
        ],
        "count": count,
    }


# Targets


class TargetOut(Schema):
    kpi: str
    unit: str | None
    person: str | None
    period_start: dt.date
    period_end: dt.date = Field(description="First month after the span")
    target_type: TargetType
    threshold: float | None
    target: float | None
    stretch: float | None
    range_low: float | None
    range_high: float | None
    baseline: float | None
    phasing: Phasing
    profile: list[float]
    valid_from: dt.date
    valid_until: dt.date | None
    reason: str
    source: str


class TargetPage(Schema):
    items: list[TargetOut]
    count: int


class TargetIn(Input):
    unit: str | None = Field(None, max_length=40, description="Unit code; or give a person")
    person: str | None = Field(None, max_length=40, description="Employee id")
    period_start: Month = Field(description="First month of the span, YYYY-MM")
    period_end: Month = Field(description="First month after the span, YYYY-MM")
    target_type: TargetType
    threshold: float | None = Field(None, description="Red flag / minimum")
    target: float | None = None
    stretch: float | None = None
    range_low: float | None = None
    range_high: float | None = None
    baseline: float | None = Field(None, description="Start of a linear ramp")
    phasing: Phasing = Phasing.FLAT
    profile: list[float] = Field(
        default_factory=list, max_length=12, description="Seasonal weights, January first"
    )
    effective_from: dt.date | None = Field(
        None, description="First day of this version (default: the start of the span)"
    )
    reason: str = Reason


def _target_out(row: Target) -> dict[str, Any]:
    return {
        "kpi": row.kpi.code,
        **_subject_out(row.unit, row.person),
        "period_start": row.period_start,
        "period_end": row.period_end,
        "target_type": row.target_type,
        "threshold": row.threshold,
        "target": row.target,
        "stretch": row.stretch,
        "range_low": row.range_low,
        "range_high": row.range_high,
        "baseline": row.baseline,
        "phasing": row.phasing,
        "profile": row.profile,
        "valid_from": row.valid_from,
        "valid_until": row.valid_until,
        "reason": row.reason,
        "source": row.source,
    }


@router.get("/kpis/{code}/targets", response={200: TargetPage, **ERRORS}, tags=["targets"])
def list_targets(
    request: HttpRequest,
    code: Code,
    page: Query[PageQuery],
    unit: Text | None = UnitQuery,
    person: Text | None = PersonQuery,
    as_of: dt.date | None = AsOf,
) -> dict[str, Any]:
    """The KPI's targets in force, for the units and people the caller may see."""
    user = request_user(request)
    kpi = _visible_kpi(user, code)
    subject_unit, subject_person = _subject(user, unit, person)
    rows = targets_for(user, kpi, unit=subject_unit, person=subject_person, day=as_of)
    items, count = page_of(rows, page)
    return {"items": [_target_out(row) for row in items], "count": count}


class SpecificityOut(Schema):
    unit: str
    period_start: dt.date
    period_end: dt.date
    target: float | None = Field(description="The phased target of the span's last month")
    last_value: float | None
    last_month: dt.date | None
    horizon: int | None = Field(description="Months from the last value to the target")
    probability: float | None = Field(description="Share of the KPI's own history that reaches it")
    classification: str = Field(description="too_easy, specific, unrealistic or unknown")
    feasible_low: float | None
    feasible_high: float | None


@router.get(
    "/kpis/{code}/target-specificity",
    response={200: list[SpecificityOut], **ERRORS},
    tags=["targets"],
)
def target_specificity(
    request: HttpRequest, code: Code, as_of: dt.date | None = AsOf
) -> list[dict[str, Any]]:
    """How likely each current unit target is to be reached, judged from the KPI's own history
    (empirical period-over-period changes); targets above 90% are too easy, below 10%
    unrealistic."""
    user = request_user(request)
    kpi = _visible_kpi(user, code)
    return [row.as_dict() for row in target_specificity_for(user, kpi, as_of)]


@router.post(
    "/kpis/{code}/targets", response={200: TargetOut, 201: TargetOut, **ERRORS}, tags=["targets"]
)
def set_target(request: HttpRequest, code: Code, payload: TargetIn) -> Status:
    """Set the KPI's threshold, target and stretch at a unit (or for a person) over a span.

    Thresholds must be in the order the KPI's direction asks for. Revising a target already
    set whose span runs in an open period answers 400 with ``change_request_required``.
    Answers 201 with the new version, or 200 with the one in force when nothing changed.
    """
    user = request_user(request)
    kpi = _visible_kpi(user, code)
    require_anywhere(user, Capability.EDIT_KPI)
    unit, person = _written_subject(user, payload.unit, payload.person)
    written = do_set_target(
        user,
        kpi,
        unit=unit,
        person=person,
        period_start=payload.period_start,
        period_end=payload.period_end,
        target_type=plain(payload.target_type),
        threshold=payload.threshold,
        target=payload.target,
        stretch=payload.stretch,
        range_low=payload.range_low,
        range_high=payload.range_high,
        baseline=payload.baseline,
        phasing=plain(payload.phasing),
        profile=payload.profile,
        effective=payload.effective_from,
        reason=payload.reason,
        source="api",
    )
    if written is not None:
        return Status(201, _target_out(written))
    day = payload.effective_from or payload.period_start
    current = targets_for(user, kpi, unit=unit, person=person, day=day).filter(
        period_start=payload.period_start
    )
    return Status(200, _target_out(current.get()))


# Status rules


class RuleOut(Schema):
    basis: RuleBasis
    comparison: RuleComparison
    bound: float | None
    bound_upper: float | None
    status: str


class RulesOut(Schema):
    kpi: str
    day: dt.date
    inherited: bool = Field(description="True when the KPI has no rules of its own")
    valid_from: dt.date | None
    rules: list[RuleOut] = Field(description="In evaluation order: the first match wins")


class RuleIn(Input):
    basis: RuleBasis
    comparison: RuleComparison
    bound: float | None = None
    bound_upper: float | None = Field(None, description="Only for 'between'")
    status: str = Field(max_length=20, description="Status code, e.g. red, amber, green")


class RulesIn(Input):
    rules: list[RuleIn] = Field(max_length=50, description="The last one is the OTHERWISE rule")
    effective_from: dt.date
    reason: str = Reason


def _rules_out(kpi: Kpi, day: dt.date) -> dict[str, Any]:
    in_force = StatusRule.objects.filter(effective_on(day)).select_related("status")
    own = list(in_force.filter(kpi=kpi).order_by("position"))
    rules = own or list(in_force.filter(kpi__isnull=True).order_by("position"))
    return {
        "kpi": kpi.code,
        "day": day,
        "inherited": not own,
        "valid_from": max((rule.valid_from for rule in rules), default=None),
        "rules": [
            {
                "basis": rule.basis,
                "comparison": rule.comparison,
                "bound": rule.bound,
                "bound_upper": rule.bound_upper,
                "status": rule.status.code,
            }
            for rule in rules
        ],
    }


@router.get("/kpis/{code}/status-rules", response={200: RulesOut, **ERRORS}, tags=["kpis"])
def get_status_rules(
    request: HttpRequest, code: Code, as_of: dt.date | None = AsOf
) -> dict[str, Any]:
    """The ordered status rules of the KPI, or the default rules it inherits."""
    user = request_user(request)
    return _rules_out(_visible_kpi(user, code), as_of or today())


@router.put("/kpis/{code}/status-rules", response={200: RulesOut, **ERRORS}, tags=["kpis"])
def set_status_rules(request: HttpRequest, code: Code, payload: RulesIn) -> dict[str, Any]:
    """Replace the KPI's ordered rule set from ``effective_from`` on."""
    user = request_user(request)
    kpi = _visible_kpi(user, code)
    require_anywhere(user, Capability.EDIT_KPI)
    do_set_status_rules(
        user,
        kpi,
        [
            RuleSpec(
                basis=plain(rule.basis),
                comparison=plain(rule.comparison),
                status=rule.status,
                bound=rule.bound,
                bound_upper=rule.bound_upper,
            )
            for rule in payload.rules
        ],
        effective=payload.effective_from,
        reason=payload.reason,
        source="api",
    )
    return _rules_out(kpi, payload.effective_from)


# Values and assessments


class ValueOut(Schema):
    kpi: str
    unit: str | None
    person: str | None
    period: dt.date = Field(description="First day of the month")
    value: float
    source: str
    note: str
    entered_by: str | None
    entered_at: dt.datetime


class ValuePage(Schema):
    items: list[ValueOut]
    count: int


class ValueIn(Input):
    unit: str | None = Field(None, max_length=40, description="Unit code; or give a person")
    person: str | None = Field(None, max_length=40, description="Employee id")
    period: Month = Field(description="The month, YYYY-MM")
    value: float = Field(description="A finite number")
    unit_of_measure: str | None = Field(
        None, max_length=40, description="When given, must be the KPI's unit"
    )
    note: str = Field("", description="Required when the value would be red")
    reason: str = Reason


class AssessmentIn(Input):
    unit: str | None = Field(None, max_length=40, description="Unit code; or give a person")
    person: str | None = Field(None, max_length=40, description="Employee id")
    period: Month = Field(description="The month, YYYY-MM")
    level: int = Field(ge=0, le=32767, description="The rubric level")
    evidence: str = Field(min_length=1, description="What was observed")
    rater: str | None = Field(
        None, max_length=40, description="Employee id of the rater (default: the caller)"
    )
    reason: str = Reason


class AssessmentOut(Schema):
    kpi: str
    unit: str | None
    person: str | None
    period: dt.date
    rater: str = Field(description="Employee id")
    level: int
    evidence: str
    recorded_at: dt.datetime
    value: float | None = Field(description="The KPI's value for the month: the mean level")


def _value_out(row: KpiValue) -> dict[str, Any]:
    return {
        "kpi": row.kpi.code,
        **_subject_out(row.unit, row.person),
        "period": row.period,
        "value": row.value,
        "source": row.source,
        "note": row.note,
        "entered_by": row.entered_by.get_username() if row.entered_by is not None else None,
        "entered_at": row.entered_at,
    }


@router.get("/kpis/{code}/values", response={200: ValuePage, **ERRORS}, tags=["values"])
def list_values(
    request: HttpRequest,
    code: Code,
    page: Query[PageQuery],
    unit: Text | None = UnitQuery,
    person: Text | None = PersonQuery,
    months: list[Month] | None = MonthsQuery,
) -> dict[str, Any]:
    """The KPI's values for a unit or a person (or every one the caller may see), by month."""
    user = request_user(request)
    kpi = _visible_kpi(user, code)
    subject_unit, subject_person = _subject(user, unit, person)
    rows = values_for(user, kpi, unit=subject_unit, person=subject_person, months=months)
    items, count = page_of(rows, page)
    return {"items": [_value_out(row) for row in items], "count": count}


@router.post("/kpis/{code}/values", response={201: ValueOut, **ERRORS}, tags=["values"])
def record_value(request: HttpRequest, code: Code, payload: ValueIn) -> Status:
    """Enter or correct the KPI's value for a unit or a person in a month.

    The value must be finite and, when a unit of measure is given, in the KPI's unit. A
    value whose status would be red needs a note (400, ``note_required``).
    """
    user = request_user(request)
    kpi = _visible_kpi(user, code)
    require_anywhere(user, Capability.ENTER_VALUES)
    unit, person = _written_subject(user, payload.unit, payload.person)
    row = do_record_value(
        user,
        kpi,
        period=payload.period,
        value=payload.value,
        unit=unit,
        person=person,
        unit_of_measure=payload.unit_of_measure,
        note=payload.note,
        reason=payload.reason,
    )
    return Status(201, _value_out(row))


def _assessment_out(row: Assessment, value: KpiValue | None) -> dict[str, Any]:
    return {
        "kpi": row.kpi.code,
        **_subject_out(row.unit, row.person),
        "period": row.period,
        "rater": row.rater.employee_id,
        "level": row.level,
        "evidence": row.evidence,
        "recorded_at": row.recorded_at,
        "value": value.value if value is not None else None,
    }


@router.post("/kpis/{code}/assessments", response={201: AssessmentOut, **ERRORS}, tags=["values"])
def record_assessment(request: HttpRequest, code: Code, payload: AssessmentIn) -> Status:
    """Record a rater's rubric level, with evidence, for a qualitative KPI in a month.

    The rater is the caller's own person unless someone who may edit KPIs there names
    another; the month's value becomes the mean level of its assessments.
    """
    user = request_user(request)
    kpi = _visible_kpi(user, code)
    require_anywhere(user, Capability.ENTER_VALUES)
    unit, person = _written_subject(user, payload.unit, payload.person)
    rater = referenced_person(user, payload.rater, "rater") if payload.rater is not None else None
    row = do_record_assessment(
        user,
        kpi,
        period=payload.period,
        level=payload.level,
        evidence=payload.evidence,
        unit=unit,
        person=person,
        rater=rater,
        reason=payload.reason,
    )
    value = values_for(user, kpi, unit=unit, person=person, months=[payload.period]).first()
    return Status(201, _assessment_out(row, value))


# Scores


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else math.nan


def _table_params(version: KpiVersion | None) -> dict[str, float]:
    """Band edges and scores, or rubric level scores, of the definition a score used."""
    if version is None:
        return {}
    params = {f"edge_{i}": float(edge) for i, edge in enumerate(version.band_edges)}
    params |= {f"band_score_{i}": float(score) for i, score in enumerate(version.band_scores)}
    if version.rubric is not None:
        levels = version.rubric.levels.order_by("level")
        params |= {f"level_score_{lv.level}": lv.score for lv in levels}
    return params


def _explain_score(row: Score, table: dict[str, float]) -> dict[str, Any]:
    """The engine's explanation of a stored KPI score, rebuilt from its stored inputs.

    ``table`` holds the band or level scores of the definition the score used. Returns
    ``{"explanation": ..., "explanation_error": ...}`` with exactly one of the two set.
    """
    stored = row.explanation or {}
    inputs = stored.get("inputs") or {}
    method = METHOD.get(str(stored.get("method")))
    direction = DIRECTIONS.get(str(stored.get("direction")))
    if method is None or direction is None:
        return {"explanation": None, "explanation_error": "the score records no scoring method"}
    params = {
        "red_flag": _number(inputs.get("threshold")),
        "goal": _number(inputs.get("target")),
        "threshold": _number(inputs.get("threshold")),
        "target": _number(inputs.get("target")),
        "stretch": _number(inputs.get("stretch")),
        "low": _number(inputs.get("low")),
        "high": _number(inputs.get("high")),
        **table,
    }
    try:
        explained = explain(method, _number(row.value), params, direction)
    except EngineInputError as error:
        return {"explanation": None, "explanation_error": str(error)}
    return {"explanation": explained, "explanation_error": None}


def _definitions_day(row: Score) -> dt.date:
    text = (row.explanation or {}).get("definitions_as_of")
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        return row.period


def _scores_out(rows: list[Score]) -> list[dict[str, Any]]:
    tables: dict[tuple[int, dt.date], dict[str, float]] = {}
    out = []
    for row in rows:
        assert row.kpi is not None  # KPI scores always name their KPI
        key = (row.kpi.pk, _definitions_day(row))
        if key not in tables:
            tables[key] = _table_params(kpi_version_on(row.kpi, key[1]))
        stored = row.explanation or {}
        out.append(
            {
                "kpi": row.kpi.code,
                **_subject_out(row.unit, row.person),
                "period": row.period,
                "value": row.value,
                "score": row.score,
                "status": row.status,
                "attainment": stored.get("attainment"),
                "inputs": stored.get("inputs") or {},
                "definitions_as_of": stored.get("definitions_as_of"),
                **_explain_score(row, tables[key]),
            }
        )
    return out


@router.get("/kpis/{code}/scores", response={200: KpiScorePage, **ERRORS}, tags=["scores"])
def list_scores(
    request: HttpRequest,
    code: Code,
    page: Query[PageQuery],
    unit: Text | None = UnitQuery,
    person: Text | None = PersonQuery,
    months: list[Month] | None = MonthsQuery,
) -> dict[str, Any]:
    """The KPI's scores for a unit or a person by month, each explained step by step."""
    user = request_user(request)
    kpi = _visible_kpi(user, code)
    subject_unit, subject_person = _subject(user, unit, person)
    rows = scores_for(
        user, kind=NodeKind.KPI, kpi=kpi, unit=subject_unit, person=subject_person, months=months
    ).select_related("kpi", "unit", "person")
    items, count = page_of(rows, page)
    return {"items": _scores_out(items), "count": count}


class KpiPeriodOut(Schema):
    label: str = Field(description="Fiscal quarter (FY2027-Q1) or year (FY2027)")
    start: dt.date
    end: dt.date = Field(description="First day after the period")
    months: int = Field(description="Months of the period holding a value (to date)")
    value: float | None = Field(description="The months rolled up by the KPI's time aggregation")
    target: float | None = Field(description="The phased targets rolled up the same way")
    score: float | None
    status: str


@router.get("/kpis/{code}/periods", response={200: list[KpiPeriodOut], **ERRORS}, tags=["scores"])
def list_periods(
    request: HttpRequest,
    code: Code,
    unit: Text | None = UnitQuery,
    person: Text | None = PersonQuery,
    per: Literal["quarter", "year"] = Query("quarter"),
) -> list[dict[str, Any]]:
    """The KPI for a unit or a person per fiscal quarter or year: its monthly values and
    targets rolled up by the KPI's own time aggregation, then scored like a month."""
    user = request_user(request)
    kpi = _visible_kpi(user, code)
    subject_unit, subject_person = _subject(user, unit, person)
    if subject_unit is None and subject_person is None:
        raise Invalid.field("unit", "give a unit or a person")
    periods = kpi_periods(kpi, unit=subject_unit, person=subject_person, per=per)
    return [asdict(period) for period in periods]


# Scorecards


class ScorecardKpiOut(Schema):
    code: str
    name: str
    unit_of_measure: str
    weight: float = Field(description="Weight of the KPI in the objective")
    value: float | None
    target: float | None
    score: float | None
    status: str


class ScorecardChildOut(Schema):
    code: str
    name: str
    unit: str | None
    person: str | None
    score: float | None


class ScorecardObjectiveOut(Schema):
    code: str
    name: str
    weight: float
    score: float | None
    kpis: list[ScorecardKpiOut]
    children: list[ScorecardChildOut] = Field(
        description="Objectives cascading into this one (drill down)"
    )


class ScorecardPerspectiveOut(Schema):
    code: str
    name: str
    score: float | None
    objectives: list[ScorecardObjectiveOut]


class ScorecardUnitOut(Schema):
    code: str
    name: str
    score: float | None


class ScorecardOut(Schema):
    unit: str
    name: str
    period: dt.date
    definitions_as_of: dt.date
    score: float | None
    explanation: dict[str, Any] = Field(description="How the unit's score was rolled up")
    perspectives: list[ScorecardPerspectiveOut]
    children: list[ScorecardUnitOut] = Field(
        description="Units directly below, with their scores (drill down to their scorecards)"
    )


def _scorecard_period(user: User, unit: OrgUnit, period: dt.date | None) -> dt.date:
    if period is not None:
        return period
    latest = (
        scores_for(user, kind=NodeKind.UNIT, unit=unit)
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )
    return latest if latest is not None else today().replace(day=1)


def _objectives_out(
    user: User, versions: list[Any], scores: list[Score], month: dt.date, day: dt.date
) -> Callable[[Any], dict[str, Any]]:
    """How to show each objective (or goal) of a scorecard: its score, KPIs and children."""
    objective_scores = {s.objective_id: s for s in scores if s.kind == NodeKind.OBJECTIVE}
    kpi_scores = {s.kpi_id: s for s in scores if s.kind == NodeKind.KPI}
    details = scorecard_rows(user, versions, day)
    child_ids = [c.objective_id for d in details.values() for c in d.children]
    child_scores = {
        s.objective_id: s.score
        for s in scores_for(user, kind=NodeKind.OBJECTIVE, months=[month]).filter(
            objective_id__in=child_ids
        )
    }

    def objective_out(version: Any) -> dict[str, Any]:
        detail = details[version.objective_id]
        own = objective_scores.get(version.objective_id)
        kpis = []
        for row in detail.measures:
            leaf = kpi_scores.get(row.kpi.pk)
            inputs = (leaf.explanation or {}).get("inputs", {}) if leaf is not None else {}
            kpis.append(
                {
                    "code": row.kpi.code,
                    "name": row.definition.name,
                    "unit_of_measure": row.definition.unit,
                    "weight": row.weight,
                    "value": leaf.value if leaf is not None else None,
                    "target": inputs.get("target"),
                    "score": leaf.score if leaf is not None else None,
                    "status": leaf.status if leaf is not None else "",
                }
            )
        return {
            "code": version.objective.code,
            "name": version.name,
            "weight": version.weight,
            "score": own.score if own is not None else None,
            "kpis": kpis,
            "children": [
                {
                    "code": child.objective.code,
                    "name": child.name,
                    "unit": child.unit.code if child.unit is not None else None,
                    "person": child.person.employee_id if child.person is not None else None,
                    "score": child_scores.get(child.objective_id),
                }
                for child in detail.children
            ],
        }

    return objective_out


@router.get("/scorecards/{unit_code}", response={200: ScorecardOut, **ERRORS}, tags=["scorecards"])
def get_scorecard(
    request: HttpRequest,
    unit_code: Annotated[Text, Field(max_length=40, description="Unit code")],
    period: Month | None = Query(None, description="The month, YYYY-MM (default: the latest)"),
) -> dict[str, Any]:
    """The unit's scorecard in a month: unit, perspectives, objectives and their KPIs with
    scores and statuses, and the units below to drill down into."""
    user = request_user(request)
    unit = visible_unit(user, unit_code)
    month = _scorecard_period(user, unit, period)
    day = min(today(), month_end(month))
    scores = list(scores_for(user, unit=unit, months=[month]).select_related("kpi", "objective"))
    unit_score = next((s for s in scores if s.kind == NodeKind.UNIT), None)
    perspective_scores = {s.perspective_id: s for s in scores if s.kind == NodeKind.PERSPECTIVE}
    versions = list(objectives_for(user, day, unit=unit))
    objective_out = _objectives_out(user, versions, scores, month, day)

    perspectives: dict[int, dict[str, Any]] = {}
    for version in versions:
        perspective = version.perspective
        lane = perspectives.setdefault(
            perspective.pk,
            {
                "code": perspective.code,
                "name": perspective.name,
                "score": getattr(perspective_scores.get(perspective.pk), "score", None),
                "objectives": [],
            },
        )
        lane["objectives"].append(objective_out(version))
    below = list(
        units_for(user).filter(path__startswith=unit.path, depth=unit.depth + 1).order_by("code")
    )
    below_scores = {
        s.unit_id: s.score
        for s in scores_for(user, kind=NodeKind.UNIT, months=[month]).filter(
            unit_id__in=[u.pk for u in below]
        )
    }
    return {
        "unit": unit.code,
        "name": unit.name,
        "period": month,
        "definitions_as_of": day,
        "score": unit_score.score if unit_score is not None else None,
        "explanation": unit_score.explanation if unit_score is not None else {},
        "perspectives": list(perspectives.values()),
        "children": [
            {"code": u.code, "name": u.name, "score": below_scores.get(u.pk)} for u in below
        ],
    }


class PersonScorecardOut(Schema):
    person: str = Field(description="Employee id")
    name: str
    period: dt.date
    definitions_as_of: dt.date
    score: float | None
    explanation: dict[str, Any] = Field(description="How the goals were rolled up")
    goals: list[ScorecardObjectiveOut]


@router.get(
    "/scorecards/people/{employee_id}",
    response={200: PersonScorecardOut, **ERRORS},
    tags=["scorecards"],
)
def get_person_scorecard(
    request: HttpRequest,
    employee_id: Annotated[Text, Field(max_length=40, description="Employee id")],
    period: Month | None = Query(None, description="The month, YYYY-MM (default: the latest)"),
) -> dict[str, Any]:
    """A person's individual scorecard in a month: their goals, the KPIs measuring each, and
    the overall score; for those who may see the person's ratings."""
    user = request_user(request)
    _, person = _subject(user, None, employee_id)
    assert person is not None
    scored = scores_for(user, kind=NodeKind.PERSON, person=person).order_by("-period")
    latest = scored.values_list("period", flat=True).first()
    month = period or latest or today().replace(day=1)
    day = min(today(), month_end(month))
    versions = list(objectives_for(user, day, person=person))
    scores = list(
        scores_for(user, months=[month])
        .filter(Q(person=person) | Q(objective_id__in=[v.objective_id for v in versions]))
        .select_related("kpi", "objective")
    )
    own = next((s for s in scores if s.kind == NodeKind.PERSON), None)
    goal_out = _objectives_out(user, versions, scores, month, day)
    return {
        "person": person.employee_id,
        "name": person.full_name,
        "period": month,
        "definitions_as_of": day,
        "score": own.score if own is not None else None,
        "explanation": own.explanation if own is not None else {},
        "goals": [goal_out(version) for version in versions],
    }


# Change requests


class ChangeRequestOut(Schema):
    id: int
    kind: str
    subject: str
    payload: dict[str, Any]
    effective_from: dt.date
    justification: str
    unit: str | None = Field(description="Unit whose approvers decide (none: the organisation)")
    requested_by: str | None
    requested_at: dt.datetime
    state: ChangeState
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str
    can_decide: bool = Field(description="Whether the caller may approve or reject it now")


class ChangeRequestPage(Schema):
    items: list[ChangeRequestOut]
    count: int


def _no_bad_values(value: Any, where: str) -> None:
    """Nested JSON without NUL characters or non-finite numbers (neither can be stored)."""
    if isinstance(value, str) and "\x00" in value:
        raise ValueError(f"{where} must not contain NUL characters")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{where} must be a finite number")
    if isinstance(value, dict):
        for key, item in value.items():
            _no_bad_values(key, where)
            _no_bad_values(item, f"{where}.{key}")
    if isinstance(value, list):
        for index, item in enumerate(value):
            _no_bad_values(item, f"{where}[{index}]")


class ChangeRequestIn(Input):
    kind: str = Field(max_length=20, description=f"One of: {', '.join(CHANGE_KINDS)}")
    subject: str = Field(
        max_length=200, description="The KPI, objective or perspective code the change is about"
    )
    payload: dict[str, Any] = Field(
        description="The proposed fields, as described for each kind (ids for units and people)"
    )
    effective_from: dt.date
    justification: str = Field(min_length=1)
    unit: str | None = Field(
        None, max_length=40, description="Widen the approvers to this unit above the change's own"
    )

    @field_validator("payload")
    @classmethod
    def _storable(cls, value: dict[str, Any]) -> dict[str, Any]:
        _no_bad_values(value, "payload")
        return value


class DecisionIn(Input):
    approve: bool
    note: str = Field("", description="Required to reject")


def _request_out(user: User, row: ChangeRequest) -> dict[str, Any]:
    return {
        "id": row.pk,
        "kind": row.kind,
        "subject": row.subject,
        "payload": row.payload,
        "effective_from": row.effective_from,
        "justification": row.justification,
        "unit": row.unit.code if row.unit is not None else None,
        "requested_by": row.requested_by.get_username() if row.requested_by else None,
        "requested_at": row.requested_at,
        "state": row.state,
        "decided_by": row.decided_by.get_username() if row.decided_by else None,
        "decided_at": row.decided_at,
        "decision_note": row.decision_note,
        "can_decide": can_decide(user, row),
    }


@router.get(
    "/change-requests", response={200: ChangeRequestPage, **ERRORS}, tags=["change requests"]
)
def list_change_requests(
    request: HttpRequest, page: Query[PageQuery], state: ChangeState | None = Query(None)
) -> dict[str, Any]:
    """The inbox: pending requests the caller may decide, and every request the caller filed."""
    user = request_user(request)
    rows = change_requests_for(user)
    if state is not None:
        rows = rows.filter(state=state)
    items, count = page_of(rows, page)
    return {"items": [_request_out(user, row) for row in items], "count": count}


@router.post(
    "/change-requests", response={201: ChangeRequestOut, **ERRORS}, tags=["change requests"]
)
def request_change(request: HttpRequest, payload: ChangeRequestIn) -> Status:
    """File a change to a definition in force in an open period, for someone else to decide.

    It is checked now exactly as the direct change would be; the requester needs the right
    to make the change directly.
    """
    user = request_user(request)
    if not can_see_catalogue(user):
        # Someone outside the organisation learns nothing from the codes a request names.
        raise AccessDenied("You need a role in the organisation to request a change.")
    unit = referenced_unit(user, payload.unit, "unit") if payload.unit is not None else None
    row = do_request_change(
        user,
        payload.kind,
        payload.subject,
        payload.payload,
        payload.effective_from,
        payload.justification,
        unit=unit,
    )
    return Status(201, _request_out(user, row))


@router.post(
    "/change-requests/{request_id}/decision",
    response={200: ChangeRequestOut, **ERRORS},
    tags=["change requests"],
)
def decide_change(request: HttpRequest, request_id: Id, payload: DecisionIn) -> dict[str, Any]:
    """Approve (apply with its effective date, then rescore) or reject a pending request.

    Someone other than the requester, holding the approval right where the request
    belongs, decides; a rejection needs a note.
    """
    user = request_user(request)
    if not change_requests_for(user).filter(pk=request_id).exists():
        raise NotFound(f"No change request {request_id}.")
    return _request_out(user, do_decide_change(user, request_id, payload.approve, payload.note))
