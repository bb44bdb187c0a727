"""The KPI catalogue: definitions, their SMART report and their history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from scoreline.access.capabilities import Capability
from scoreline.access.scope import require_anywhere
from scoreline.api.fields import AsOf, Code, Reason
from scoreline.api.lookups import (
    person_ref,
    referenced_person,
    rubric_by_code,
    visible_kpi,
)
from scoreline.api.pages import HistoryPage, history_out, page_list, plain
from scoreline.api.scores import KpiScoreOut, scores_out
from scoreline.api.support import ERRORS, Input, PageQuery, Text, page_of, request_user
from scoreline.kpi_quality.reports import smart_check_definition
from scoreline.kpis.actions.definitions import do_create_kpi
from scoreline.kpis.models import (
    Direction,
    Kpi,
    KpiKind,
    KpiVersion,
    Rubric,
    ScoringMethod,
    Temporality,
    TimeAggregation,
    TreeAggregation,
)
from scoreline.kpis.queries import (
    kpi_history,
    kpi_version_on,
    kpis_for,
)
from scoreline.lib.dates import today
from scoreline.lib.errors import Invalid, NotFound
from scoreline.org.models import Person
from scoreline.scoring.actions.definitions import do_update_kpi
from scoreline.scoring.models import NodeKind
from scoreline.scoring.queries import scores_for
from scoreline.strategy.models import EsgPillar, RequiredBy

__all__ = [
    "router",
]

router = Router()


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


def kpi_out(version: KpiVersion) -> dict[str, Any]:
    owner, owner_name = person_ref(version.owner)
    steward, steward_name = person_ref(version.steward)
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


def _kpi_changes(user: User, data: Mapping[str, Any]) -> dict[str, Any]:
    """Input fields as action keywords: codes become rows, ``unit_of_measure`` the unit."""
    fields: dict[str, Any] = {}
    for name, value in data.items():
        if name == "unit_of_measure":
            fields["unit"] = value
        elif name in ("owner", "steward"):
            fields[name] = referenced_person(user, value, name) if value is not None else None
        elif name == "rubric":
            fields[name] = rubric_by_code(value) if value is not None else None
        else:
            fields[name] = plain(value)
    return fields


# Fields a change may leave out but may not set to null.
_NULLABLE = frozenset({"owner", "steward", "rubric"})


def _smart(version: KpiVersion, in_force: bool, day: dt.date) -> dict[str, Any]:
    """The SMART check of a definition, as it stands on ``day`` when in force then."""
    return smart_check_definition(version, day if in_force else None).as_dict()


def definition_on(kpi: Kpi, day: dt.date) -> tuple[KpiVersion, bool]:
    version = kpi_version_on(kpi, day)
    if version is not None:
        return version, True
    history = kpi_history(kpi)
    if not history:
        raise NotFound(f"No KPI {kpi.code}.")
    return history[-1].version, False


def _detail(user: User, kpi: Kpi, day: dt.date) -> dict[str, Any]:
    version, in_force = definition_on(kpi, day)
    levels = list(version.rubric.levels.order_by("level")) if version.rubric is not None else []
    scores = scores_for(user, kind=NodeKind.KPI, kpi=kpi).select_related("kpi", "unit", "person")
    latest = scores.order_by("-period").values_list("period", flat=True).first()
    rows = list(scores.filter(period=latest)[:100]) if latest is not None else []
    return {
        "definition": kpi_out(version),
        "day": day,
        "in_force": in_force,
        "rubric_levels": [
            {"level": lv.level, "label": lv.label, "anchor": lv.anchor, "score": lv.score}
            for lv in levels
        ],
        "smart": _smart(version, in_force, day),
        "latest_scores": scores_out(rows),
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
    return {"items": [kpi_out(version) for version in items], "count": count}


@router.post("/kpis", response={201: KpiDetailOut, **ERRORS}, tags=["kpis"])
def create_kpi(request: HttpRequest, payload: KpiCreateIn) -> Status:
    """Add a KPI to the catalogue, with its first definition in force from ``valid_from``."""
    user = request_user(request)
    # The right first: a caller who may not edit KPIs learns nothing from its inputs.
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
    return _detail(user, visible_kpi(user, code), as_of or today())


@router.patch("/kpis/{code}", response={200: KpiDetailOut, **ERRORS}, tags=["kpis"])
def update_kpi(request: HttpRequest, code: Code, payload: KpiUpdateIn) -> dict[str, Any]:
    """Change the definition from ``effective_from`` on; the earlier version stays as history.

    A change that would alter an open planning period answers 400 with the code
    ``change_request_required``: file it at ``/change-requests`` instead.
    """
    user = request_user(request)
    kpi = visible_kpi(user, code)
    # The right first: a caller who may not edit KPIs learns nothing from its inputs.
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
    history, count = page_list(kpi_history(visible_kpi(user, code)), page)
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
            history_out(
                entry,
                {
                    ("unit_of_measure" if name == "unit" else name): {
                        "before": _readable(name, before, names),
                        "after": _readable(name, after, names),
                    }
                    for name, (before, after) in entry.changes.items()
                    if name != "kpi"
                },
            )
            for entry in history
        ],
        "count": count,
    }
