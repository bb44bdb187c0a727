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
from scoreline.api.fields import AsOf, Code, Day, Reason
from scoreline.api.lookups import (
    referenced_person,
    rubric_by_code,
    visible_kpi,
)
from scoreline.api.pages import HistoryPage, history_out, page_list, plain
from scoreline.api.scores import KpiScoreOut, scores_out
from scoreline.api.specs import request_schema, response_schema, response_values
from scoreline.api.support import ERRORS, PageQuery, Text, page_of, request_user
from scoreline.kpi_quality.reports import smart_check_definition
from scoreline.kpis.actions.definitions import do_create_kpi
from scoreline.kpis.fields import KPI
from scoreline.kpis.models import (
    Kpi,
    KpiKind,
    KpiVersion,
    Rubric,
)
from scoreline.kpis.queries import (
    kpi_history,
    kpi_version_on,
    kpis_for,
)
from scoreline.lib.dates import today
from scoreline.lib.errors import Invalid, NotFound
from scoreline.lib.fields import FieldType
from scoreline.org.models import Person
from scoreline.scoring.actions.definitions import do_update_kpi
from scoreline.scoring.models import NodeKind
from scoreline.scoring.queries import scores_for

__all__ = [
    "router",
]

router = Router()


# Names the API gives to stored fields.
_API_NAMES = {"unit": "unit_of_measure"}


class KpiOut(
    response_schema(  # type: ignore[misc]
        *KPI,
        leading={"code": str},
        described=("unit", "owner", "steward", "rubric"),
        as_text=("esg_pillar", "required_by"),
        names=_API_NAMES,
    )
):
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


# Fields the creation and the change bodies list after their own (code and valid_from;
# effective_from and reason): the order of the bodies' fields is part of the API document.
_APART = ("name", "direction", "scoring")


class _KpiFields(
    request_schema(  # type: ignore[misc]
        *(spec for spec in KPI if spec.name not in _APART),
        optional=True,
        described=("formula", "refresh_cycle", "owner", "steward", "rubric"),
        names=_API_NAMES,
    )
):
    reason: str = Reason


class _KpiCreation(_KpiFields):
    code: str = Field(min_length=1, max_length=60)
    valid_from: Day


class KpiCreateIn(
    request_schema(  # type: ignore[misc]
        *(spec for spec in KPI if spec.required), base=_KpiCreation, names=_API_NAMES
    )
):
    pass  # no docstring: it would become the schema's description in the OpenAPI document


class _KpiRevision(_KpiFields):
    effective_from: Day = Field(description="First day of the new version")
    reason: str = Field(min_length=1, max_length=1000, description="Why (kept in the history)")


class KpiUpdateIn(
    request_schema(  # type: ignore[misc]
        *(spec for spec in KPI if spec.name in _APART), base=_KpiRevision, optional=True
    )
):
    pass  # no docstring: it would become the schema's description in the OpenAPI document


def kpi_out(version: KpiVersion) -> dict[str, Any]:
    return {
        "code": version.kpi.code,
        **response_values(version, KPI, _API_NAMES),
        "valid_from": version.valid_from,
        "valid_until": version.valid_until,
    }


def _kpi_changes(user: User, data: Mapping[str, Any]) -> dict[str, Any]:
    """Input fields as action keywords: codes become rows, ``unit_of_measure`` the unit."""
    fields: dict[str, Any] = {}
    for spec in KPI:
        name = _API_NAMES.get(spec.name, spec.name)
        if name not in data:
            continue
        value = data[name]
        if spec.type is FieldType.REF and value is not None:
            value = (
                referenced_person(user, value, name)
                if spec.ref == "person"
                else rubric_by_code(value)
            )
        fields[spec.name] = plain(value)
    return fields


# Fields a change may leave out but may not set to null.
_NULLABLE = frozenset(_API_NAMES.get(spec.name, spec.name) for spec in KPI if spec.nullable)


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
    as_of: Day | None = AsOf,
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
def get_kpi(request: HttpRequest, code: Code, as_of: Day | None = AsOf) -> dict[str, Any]:
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
                    _API_NAMES.get(name, name): {
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
