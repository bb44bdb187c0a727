"""The strategy over the API: objectives and their cascade, the strategy map, perspectives,
themes, the ESG view and priority workshops.

Objectives, units and people are named by their codes (an objective's code, a unit's code, a
person's employee id). Reads go through the strategy queries, so an objective the caller
may not see answers 404; writes call one action each, which checks the right (403) and
records the audit event.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from enum import Enum
from typing import Annotated, Any, Literal, TypeVar

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import BeforeValidator, WithJsonSchema

from scoreline.access.capabilities import Capability
from scoreline.access.scope import require_anywhere, require_everywhere, visible_to
from scoreline.api.support import (
    ERRORS,
    MAX_PAGE_SIZE,
    Id,
    Input,
    PageQuery,
    Text,
    page_of,
    request_user,
)
from scoreline.kpis.measures import (
    EsgItem,
    MeasureRow,
    esg_items,
    measured_objective,
    unmeasured_objectives,
)
from scoreline.kpis.models import Kpi
from scoreline.kpis.models import Status as StatusRow
from scoreline.kpis.queries import can_see_catalogue
from scoreline.lib.dates import today
from scoreline.lib.errors import Invalid, NotFound
from scoreline.org.models import OrgUnit, Person
from scoreline.org.queries import people_for, units_for
from scoreline.scoring.actions.definitions import do_remove_measure, do_set_measure
from scoreline.scoring.models import NodeKind, Score
from scoreline.scoring.queries import scores_for
from scoreline.strategy.actions import (
    ParticipantSpec,
    do_agree_weights,
    do_create_objective,
    do_create_workshop,
    do_link_objectives,
    do_record_allocation,
    do_save_perspective,
    do_save_theme,
    do_unlink_objectives,
    do_update_objective,
)
from scoreline.strategy.models import (
    EsgPillar,
    Objective,
    ObjectiveLink,
    ObjectiveVersion,
    Perspective,
    RequiredBy,
    Theme,
    Workshop,
    WorkshopItem,
    WorkshopState,
    WorkshopSubject,
)
from scoreline.strategy.queries import (
    cascade_level,
    item_key,
    may_see_objective,
    objective_detail,
    objectives_for,
    strategy_map,
    workshop_summary,
    workshops_for,
)

__all__ = [
    "Code",
    "HistoryPage",
    "Month",
    "Reason",
    "page_list",
    "plain",
    "rated_person",
    "referenced_person",
    "referenced_unit",
    "router",
    "visible_unit",
    "worst_status",
]

router = Router()

T = TypeVar("T")

Reason = Field("", max_length=1000, description="Why the change is made (kept in the audit trail)")
AsOf = Query(None, description="The day whose definitions apply (default: today)")

_MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"

Code = Annotated[Text, Field(max_length=60, description="An objective's or KPI's code")]
"""A code in a path."""


def _parse_month(value: object) -> object:
    """``"2024-03"`` -> 1 March 2024; anything else is left for the date check to refuse.

    A month runs until the first day of the next one, so December 9999, whose end is no
    date, is refused too.
    """
    if not isinstance(value, str):
        return value
    year, dash, month = value.partition("-")
    if not (len(year) == 4 and dash and len(month) == 2 and year.isdigit() and month.isdigit()):
        raise ValueError("must be a month as YYYY-MM")
    if not 1 <= int(month) <= 12 or (year, month) in {("0000", month), ("9999", "12")}:
        raise ValueError("must be a month from 0001-01 to 9999-11")
    return dt.date(int(year), int(month), 1)


Month = Annotated[
    dt.date,
    BeforeValidator(_parse_month),
    WithJsonSchema({"type": "string", "pattern": _MONTH_PATTERN, "examples": ["2024-03"]}),
]
"""A calendar month given as ``YYYY-MM``; the value is its first day."""


# Shared lookups (the KPI API uses them too)


def visible_unit(user: User, code: str) -> OrgUnit:
    """The unit ``code`` if the caller may see it; otherwise NotFound."""
    unit = units_for(user).filter(code=code).first()
    if unit is None:
        raise NotFound(f"No unit {code}.")
    return unit


def referenced_unit(user: User, code: str, field: str) -> OrgUnit:
    """A unit named in the input; one the caller cannot see is an unknown value."""
    unit = units_for(user).filter(code=code).first()
    if unit is None:
        raise Invalid.field(field, f"no unit with code {code!r}", code="unknown")
    return unit


def referenced_person(user: User, employee_id: str, field: str) -> Person:
    """A person named in the input by employee id, among the people the caller may see."""
    person = people_for(user).filter(employee_id=employee_id).first()
    if person is None:
        raise Invalid.field(field, f"no person with employee id {employee_id!r}", code="unknown")
    return person


def rated_person(user: User, employee_id: str) -> Person:
    """A person whose goals, values and scores the caller may see; otherwise NotFound."""
    people = Person.objects.filter(employee_id=employee_id).select_related("primary_unit")
    person = visible_to(user, people, Capability.VIEW_RATINGS).first()
    if person is None:
        raise NotFound(f"No person {employee_id}.")
    return person


def page_list(rows: Sequence[T], page: PageQuery) -> tuple[list[T], int]:
    """One page of an already computed list and its length."""
    size = min(page.page_size, MAX_PAGE_SIZE)
    start = (page.page - 1) * size
    return list(rows[start : start + size]), len(rows)


def worst_status(codes: Iterable[str]) -> str:
    """The worst of some status codes (statuses are ordered worst first); "" if none."""
    given = {code for code in codes if code}
    if not given:
        return ""
    order = {code: position for code, position in StatusRow.objects.values_list("code", "position")}
    return min(given, key=lambda code: (order.get(code, math.inf), code))


def plain(value: Any) -> Any:
    """A choice given as an enum member as its stored value; anything else as it is."""
    return value.value if isinstance(value, Enum) else value


def _day(as_of: dt.date | None) -> dt.date:
    return as_of if as_of is not None else today()


# Objectives


class ObjectiveOut(Schema):
    code: str
    name: str
    description: str
    perspective: str = Field(description="Perspective code")
    theme: str | None = Field(description="Theme code")
    unit: str | None = Field(description="Unit code (an objective of a unit)")
    person: str | None = Field(description="Employee id (an individual goal)")
    person_name: str | None
    owner: str | None = Field(description="Employee id of the owner")
    owner_name: str | None
    parent: str | None = Field(description="Code of the objective this one contributes to")
    contribution_weight: float
    weight: float
    horizon_start: dt.date
    horizon_end: dt.date = Field(description="First day after the horizon")
    esg_pillar: str
    disclosure_ref: str
    required_by: str
    level: str = Field(description="Cascade level: corporate, business unit, ... individual")
    valid_from: dt.date
    valid_until: dt.date | None


class ObjectivePage(Schema):
    items: list[ObjectiveOut]
    count: int


class ObjectiveRef(Schema):
    code: str
    name: str
    perspective: str
    unit: str | None
    person: str | None


class MeasureOut(Schema):
    kpi: str
    name: str
    unit_of_measure: str
    direction: str
    weight: float
    valid_from: dt.date


class ContributionOut(Schema):
    code: str = Field(description="The KPI or objective code")
    weight: float
    score: float | None
    status: str


class ObjectiveScoreOut(Schema):
    period: dt.date
    score: float | None
    explanation: dict[str, Any] = Field(description="How the score was rolled up")
    measures: list[ContributionOut] = Field(description="Scores of the KPIs measuring it")
    children: list[ContributionOut] = Field(
        description="Scores of the objectives contributing to it in the cascade"
    )


class ObjectiveDetailOut(Schema):
    objective: ObjectiveOut = Field(description="The version in force (or the last one)")
    day: dt.date
    in_force: bool
    parent: ObjectiveRef | None
    children: list[ObjectiveRef]
    causes: list[ObjectiveRef] = Field(description="Objectives that drive this one on the map")
    effects: list[ObjectiveRef] = Field(description="Objectives this one drives on the map")
    measures: list[MeasureOut]
    measured: bool
    latest_score: ObjectiveScoreOut | None


class ObjectiveCreateIn(Input):
    code: str = Field(min_length=1, max_length=60)
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    perspective: str = Field(max_length=40, description="Perspective code")
    theme: str | None = Field(None, max_length=40, description="Theme code")
    unit: str | None = Field(None, max_length=40, description="Unit code; or give a person")
    person: str | None = Field(
        None, max_length=40, description="Employee id: makes an individual goal"
    )
    owner: str | None = Field(None, max_length=40, description="Employee id of the owner")
    parent: str | None = Field(None, max_length=60, description="Objective it contributes to")
    contribution_weight: float = 1.0
    weight: float = 1.0
    horizon_start: dt.date
    horizon_end: dt.date = Field(description="First day after the horizon")
    valid_from: dt.date
    esg_pillar: EsgPillar = EsgPillar.NONE
    disclosure_ref: str = Field("", max_length=60)
    required_by: RequiredBy = RequiredBy.NONE
    reason: str = Reason


class ObjectiveUpdateIn(Input):
    effective_from: dt.date = Field(description="First day of the new version")
    reason: str = Field(min_length=1, max_length=1000, description="Why (kept in the history)")
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    perspective: str | None = Field(None, max_length=40)
    theme: str | None = Field(None, max_length=40, description="Null removes the theme")
    unit: str | None = Field(None, max_length=40)
    person: str | None = Field(None, max_length=40)
    owner: str | None = Field(None, max_length=40, description="Null removes the owner")
    parent: str | None = Field(None, max_length=60, description="Null leaves the cascade")
    contribution_weight: float | None = None
    weight: float | None = None
    horizon_start: dt.date | None = None
    horizon_end: dt.date | None = None
    esg_pillar: EsgPillar | None = None
    disclosure_ref: str | None = Field(None, max_length=60)
    required_by: RequiredBy | None = None


class ChangeOut(Schema):
    before: Any
    after: Any


class HistoryOut(Schema):
    valid_from: dt.date
    valid_until: dt.date | None
    author: str | None = Field(description="Username of who made the change")
    reason: str
    source: str
    recorded_at: dt.datetime
    changes: dict[str, ChangeOut] = Field(description="Fields changed from the version before")


class HistoryPage(Schema):
    items: list[HistoryOut]
    count: int


class LinkIn(Input):
    effect: str = Field(max_length=60, description="The objective this one drives")
    effective_from: dt.date
    reason: str = Reason


class LinkOut(Schema):
    cause: str
    effect: str
    valid_from: dt.date
    valid_until: dt.date | None


class MeasureIn(Input):
    kpi: str = Field(max_length=60, description="KPI code")
    weight: float = Field(description="Relative weight of the KPI in the objective's score")
    effective_from: dt.date
    reason: str = Reason


class MeasurePage(Schema):
    items: list[MeasureOut]
    count: int


def _visible_objective(user: User, code: str) -> Objective:
    objective = Objective.objects.filter(code=code).first()
    if objective is None or not may_see_objective(user, objective, today()):
        raise NotFound(f"No objective {code}.")
    return objective


def _referenced_objective(user: User, code: str, field: str, day: dt.date) -> Objective:
    objective = Objective.objects.filter(code=code).first()
    if objective is None or not may_see_objective(user, objective, day):
        raise Invalid.field(field, f"no objective with code {code!r}", code="unknown")
    return objective


def _referenced_kpi(user: User, code: str, field: str) -> Kpi:
    kpi = Kpi.objects.filter(code=code).first() if can_see_catalogue(user) else None
    if kpi is None:
        raise Invalid.field(field, f"no KPI with code {code!r}", code="unknown")
    return kpi


def _perspective(code: str, field: str = "perspective") -> Perspective:
    perspective = Perspective.objects.filter(code=code).first()
    if perspective is None:
        raise Invalid.field(field, f"no perspective with code {code!r}", code="unknown")
    return perspective


def _theme(code: str, field: str = "theme") -> Theme:
    theme = Theme.objects.filter(code=code).first()
    if theme is None:
        raise Invalid.field(field, f"no theme with code {code!r}", code="unknown")
    return theme


def _objective_out(version: ObjectiveVersion) -> dict[str, Any]:
    unit, person, owner, theme, parent = (
        version.unit,
        version.person,
        version.owner,
        version.theme,
        version.parent,
    )
    return {
        "code": version.objective.code,
        "name": version.name,
        "description": version.description,
        "perspective": version.perspective.code,
        "theme": theme.code if theme is not None else None,
        "unit": unit.code if unit is not None else None,
        "person": person.employee_id if person is not None else None,
        "person_name": person.full_name if person is not None else None,
        "owner": owner.employee_id if owner is not None else None,
        "owner_name": owner.full_name if owner is not None else None,
        "parent": parent.code if parent is not None else None,
        "contribution_weight": version.contribution_weight,
        "weight": version.weight,
        "horizon_start": version.horizon_start,
        "horizon_end": version.horizon_end,
        "esg_pillar": version.esg_pillar,
        "disclosure_ref": version.disclosure_ref,
        "required_by": version.required_by,
        "level": cascade_level(unit.kind if unit is not None else None).label,
        "valid_from": version.valid_from,
        "valid_until": version.valid_until,
    }


def _objective_ref(version: ObjectiveVersion) -> dict[str, Any]:
    return {
        "code": version.objective.code,
        "name": version.name,
        "perspective": version.perspective.code,
        "unit": version.unit.code if version.unit is not None else None,
        "person": version.person.employee_id if version.person is not None else None,
    }


def _measure_out(row: MeasureRow) -> dict[str, Any]:
    return {
        "kpi": row.kpi.code,
        "name": row.definition.name,
        "unit_of_measure": row.definition.unit,
        "direction": row.definition.direction,
        "weight": row.weight,
        "valid_from": row.measure.valid_from,
    }


def _subject_scores(user: User, version: ObjectiveVersion, period: dt.date) -> list[Score]:
    """The KPI scores in ``period`` of the subject (unit or person) the objective belongs to."""
    return list(
        scores_for(
            user,
            kind=NodeKind.KPI,
            unit=version.unit,
            person=version.person,
            months=[period],
        )
    )


def _latest_score(
    user: User,
    objective: Objective,
    version: ObjectiveVersion | None,
    measures: list[MeasureRow],
    children: list[ObjectiveVersion],
) -> dict[str, Any] | None:
    """The objective's latest stored score with what went into it."""
    row = (
        scores_for(user, kind=NodeKind.OBJECTIVE)
        .filter(objective=objective)
        .order_by("-period")
        .first()
    )
    if row is None:
        return None
    kpi_scores = {
        score.kpi_id: score
        for score in (_subject_scores(user, version, row.period) if version is not None else [])
    }
    child_scores = {
        score.objective_id: score
        for score in scores_for(user, kind=NodeKind.OBJECTIVE, months=[row.period]).filter(
            objective_id__in=[child.objective_id for child in children]
        )
    }

    def contribution(code: str, weight: float, score: Score | None) -> dict[str, Any]:
        return {
            "code": code,
            "weight": weight,
            "score": score.score if score is not None else None,
            "status": score.status if score is not None else "",
        }

    return {
        "period": row.period,
        "score": row.score,
        "explanation": row.explanation,
        "measures": [
            contribution(m.kpi.code, m.weight, kpi_scores.get(m.kpi.pk)) for m in measures
        ],
        "children": [
            contribution(c.objective.code, c.contribution_weight, child_scores.get(c.objective_id))
            for c in children
        ],
    }


def _detail(user: User, objective: Objective, day: dt.date) -> dict[str, Any]:
    detail = measured_objective(user, objective, day)
    version = detail.version
    shown = version if version is not None else detail.history[-1].version
    return {
        "objective": _objective_out(shown),
        "day": day,
        "in_force": version is not None,
        "parent": _objective_ref(detail.parent) if detail.parent is not None else None,
        "children": [_objective_ref(child) for child in detail.children],
        "causes": [_objective_ref(cause) for cause in detail.causes],
        "effects": [_objective_ref(effect) for effect in detail.effects],
        "measures": [_measure_out(row) for row in detail.measures],
        "measured": detail.measured,
        "latest_score": _latest_score(user, objective, version, detail.measures, detail.children),
    }


@router.get("/objectives", response={200: ObjectivePage, **ERRORS}, tags=["objectives"])
def list_objectives(
    request: HttpRequest,
    page: Query[PageQuery],
    unit: Text | None = Query(None, max_length=40, description="Only this unit's objectives"),
    perspective: Text | None = Query(None, max_length=40, description="Perspective code"),
    unmeasured: bool = Query(False, description="Only objectives no KPI measures"),
    as_of: dt.date | None = AsOf,
) -> dict[str, Any]:
    """Objectives and individual goals in force that the caller may see."""
    user = request_user(request)
    day = _day(as_of)
    versions = unmeasured_objectives(user, day) if unmeasured else objectives_for(user, day)
    if unit is not None:
        versions = versions.filter(unit=referenced_unit(user, unit, "unit"))
    if perspective is not None:
        versions = versions.filter(perspective=_perspective(perspective))
    items, count = page_of(versions, page)
    return {"items": [_objective_out(version) for version in items], "count": count}


@router.post("/objectives", response={201: ObjectiveDetailOut, **ERRORS}, tags=["objectives"])
def create_objective(request: HttpRequest, payload: ObjectiveCreateIn) -> Status:
    """Create an objective of a unit, or an individual goal of a person."""
    user = request_user(request)
    require_anywhere(user, Capability.EDIT_STRATEGY)
    day = payload.valid_from
    objective = do_create_objective(
        user,
        code=payload.code,
        name=payload.name,
        description=payload.description,
        perspective=_perspective(payload.perspective),
        theme=_theme(payload.theme) if payload.theme is not None else None,
        unit=referenced_unit(user, payload.unit, "unit") if payload.unit is not None else None,
        person=referenced_person(user, payload.person, "person")
        if payload.person is not None
        else None,
        owner=referenced_person(user, payload.owner, "owner")
        if payload.owner is not None
        else None,
        parent=_referenced_objective(user, payload.parent, "parent", day)
        if payload.parent is not None
        else None,
        contribution_weight=payload.contribution_weight,
        weight=payload.weight,
        horizon_start=payload.horizon_start,
        horizon_end=payload.horizon_end,
        valid_from=day,
        esg_pillar=plain(payload.esg_pillar),
        disclosure_ref=payload.disclosure_ref,
        required_by=plain(payload.required_by),
        reason=payload.reason,
        source="api",
    )
    return Status(201, _detail(user, objective, day))


@router.get("/objectives/{code}", response={200: ObjectiveDetailOut, **ERRORS}, tags=["objectives"])
def get_objective(request: HttpRequest, code: Code, as_of: dt.date | None = AsOf) -> dict[str, Any]:
    """An objective with its place in the cascade, map links, KPIs and latest score."""
    user = request_user(request)
    return _detail(user, _visible_objective(user, code), _day(as_of))


# Fields that may be left out of a change but not set to null.
_REQUIRED_IF_SENT = (
    "name",
    "description",
    "perspective",
    "contribution_weight",
    "weight",
    "horizon_start",
    "horizon_end",
    "esg_pillar",
    "disclosure_ref",
    "required_by",
)


def _objective_changes(user: User, payload: ObjectiveUpdateIn) -> dict[str, Any]:
    sent = payload.model_fields_set - {"effective_from", "reason"}
    data = {name: plain(value) for name, value in payload.model_dump(include=sent).items()}
    for name in _REQUIRED_IF_SENT:
        if name in data and data[name] is None:
            raise Invalid.field(name, "cannot be null")
    day = payload.effective_from
    resolvers = {
        "perspective": lambda code: _perspective(code),
        "theme": lambda code: _theme(code),
        "unit": lambda code: referenced_unit(user, code, "unit"),
        "person": lambda code: referenced_person(user, code, "person"),
        "owner": lambda code: referenced_person(user, code, "owner"),
        "parent": lambda code: _referenced_objective(user, code, "parent", day),
    }
    for name, resolve in resolvers.items():
        if name in data and data[name] is not None:
            data[name] = resolve(data[name])
    return data


@router.patch(
    "/objectives/{code}", response={200: ObjectiveDetailOut, **ERRORS}, tags=["objectives"]
)
def update_objective(
    request: HttpRequest, code: Code, payload: ObjectiveUpdateIn
) -> dict[str, Any]:
    """Change an objective from ``effective_from`` on; the earlier version stays as history.

    A weight change that would alter an open planning period answers 400 with the code
    ``change_request_required``: file it at ``/change-requests`` instead.
    """
    user = request_user(request)
    objective = _visible_objective(user, code)
    require_anywhere(user, Capability.EDIT_STRATEGY)
    do_update_objective(
        user,
        objective,
        effective=payload.effective_from,
        reason=payload.reason,
        source="api",
        **_objective_changes(user, payload),
    )
    return _detail(user, objective, payload.effective_from)


_REFERENCES: dict[str, type[Objective | Perspective | Theme | OrgUnit | Person]] = {
    "perspective": Perspective,
    "theme": Theme,
    "unit": OrgUnit,
    "person": Person,
    "owner": Person,
    "parent": Objective,
}


def _readable_changes(changes: list[dict[str, tuple[Any, Any]]]) -> list[dict[str, Any]]:
    """Diffs with foreign keys shown as codes (employee ids for people), read in one go."""
    wanted: dict[str, set[int]] = {}
    for diff in changes:
        for name, pair in diff.items():
            if name in _REFERENCES:
                wanted.setdefault(name, set()).update(v for v in pair if v is not None)
    names: dict[str, dict[int, str]] = {}
    for name, ids in wanted.items():
        model = _REFERENCES[name]
        key = "employee_id" if model is Person else "code"
        names[name] = dict(model.objects.filter(pk__in=ids).values_list("pk", key))

    def shown(name: str, value: Any) -> Any:
        if name in names and value is not None:
            return names[name].get(value, value)
        return value

    return [
        {
            name: {"before": shown(name, before), "after": shown(name, after)}
            for name, (before, after) in diff.items()
            if name != "objective"
        }
        for diff in changes
    ]


@router.get(
    "/objectives/{code}/history", response={200: HistoryPage, **ERRORS}, tags=["objectives"]
)
def objective_history(request: HttpRequest, code: Code, page: Query[PageQuery]) -> dict[str, Any]:
    """Every version of the objective, oldest first: who changed what, when and why."""
    user = request_user(request)
    objective = _visible_objective(user, code)
    history, count = page_list(objective_detail(user, objective, today()).history, page)
    readable = _readable_changes([entry.changes for entry in history])
    return {
        "items": [
            {
                "valid_from": entry.version.valid_from,
                "valid_until": entry.version.valid_until,
                "author": entry.author.get_username() if entry.author is not None else None,
                "reason": entry.reason,
                "source": entry.source,
                "recorded_at": entry.version.recorded_at,
                "changes": changes,
            }
            for entry, changes in zip(history, readable, strict=True)
        ],
        "count": count,
    }


def _link_out(
    link: ObjectiveLink, cause: Objective, effect: Objective, until: dt.date | None
) -> dict[str, Any]:
    return {
        "cause": cause.code,
        "effect": effect.code,
        "valid_from": link.valid_from,
        "valid_until": until,
    }


@router.post("/objectives/{code}/links", response={201: LinkOut, **ERRORS}, tags=["strategy map"])
def link_objectives(request: HttpRequest, code: Code, payload: LinkIn) -> Status:
    """Draw an arrow on the strategy map: achieving this objective drives ``effect``."""
    user = request_user(request)
    cause = _visible_objective(user, code)
    require_anywhere(user, Capability.EDIT_STRATEGY)
    effect = _referenced_objective(user, payload.effect, "effect", payload.effective_from)
    link = do_link_objectives(
        user,
        cause,
        effect,
        effective=payload.effective_from,
        reason=payload.reason,
        source="api",
    )
    return Status(201, _link_out(link, cause, effect, link.valid_until))


@router.delete("/objectives/{code}/links", response={200: LinkOut, **ERRORS}, tags=["strategy map"])
def unlink_objectives(
    request: HttpRequest,
    code: Code,
    effect: Text = Query(..., max_length=60, description="The objective no longer driven"),
    effective_from: dt.date = Query(..., description="First day without the arrow"),
    reason: Text = Query("", max_length=1000),
) -> dict[str, Any]:
    """Remove an arrow from the map from ``effective_from`` on; earlier days keep it."""
    user = request_user(request)
    cause = _visible_objective(user, code)
    require_anywhere(user, Capability.EDIT_STRATEGY)
    driven = _referenced_objective(user, effect, "effect", effective_from)
    link = do_unlink_objectives(user, cause, driven, effective=effective_from, reason=reason)
    return _link_out(link, cause, driven, effective_from)


def _measures_page(user: User, objective: Objective, day: dt.date) -> dict[str, Any]:
    rows = measured_objective(user, objective, day).measures
    return {"items": [_measure_out(row) for row in rows], "count": len(rows)}


@router.post(
    "/objectives/{code}/measures", response={200: MeasurePage, **ERRORS}, tags=["objectives"]
)
def set_measure(request: HttpRequest, code: Code, payload: MeasureIn) -> dict[str, Any]:
    """Measure the objective by a KPI with a weight (or change the weight) from a day on.

    Weights are not negative and not all zero. Changing a weight already set that would
    alter an open planning period answers 400 with the code ``change_request_required``.
    """
    user = request_user(request)
    objective = _visible_objective(user, code)
    require_anywhere(user, Capability.EDIT_STRATEGY)
    kpi = _referenced_kpi(user, payload.kpi, "kpi")
    do_set_measure(
        user,
        objective,
        kpi,
        weight=payload.weight,
        effective=payload.effective_from,
        reason=payload.reason,
        source="api",
    )
    return _measures_page(user, objective, payload.effective_from)


@router.delete(
    "/objectives/{code}/measures", response={200: MeasurePage, **ERRORS}, tags=["objectives"]
)
def remove_measure(
    request: HttpRequest,
    code: Code,
    kpi: Text = Query(..., max_length=60, description="KPI code"),
    effective_from: dt.date = Query(..., description="First day the KPI no longer measures it"),
    reason: Text = Query("", max_length=1000),
) -> dict[str, Any]:
    """Stop measuring the objective by a KPI from ``effective_from`` on."""
    user = request_user(request)
    objective = _visible_objective(user, code)
    require_anywhere(user, Capability.EDIT_STRATEGY)
    do_remove_measure(
        user,
        objective,
        _referenced_kpi(user, kpi, "kpi"),
        effective=effective_from,
        reason=reason,
        source="api",
    )
    return _measures_page(user, objective, effective_from)


# The strategy map


class MapLaneOut(Schema):
    perspective: str
    name: str
    objectives: list[ObjectiveOut]


class MapLinkOut(Schema):
    cause: str
    effect: str


class MapOut(Schema):
    unit: str
    unit_name: str
    day: dt.date
    lanes: list[MapLaneOut] = Field(description="One per perspective, in order")
    links: list[MapLinkOut] = Field(description="Cause-and-effect arrows between the objectives")


@router.get("/strategy-map", response={200: MapOut, **ERRORS}, tags=["strategy map"])
def get_strategy_map(
    request: HttpRequest,
    unit: Text = Query(..., max_length=40, description="Unit code"),
    as_of: dt.date | None = AsOf,
) -> dict[str, Any]:
    """The unit's objectives lane by lane (perspective) with the arrows between them."""
    user = request_user(request)
    found = visible_unit(user, unit)
    day = _day(as_of)
    drawn = strategy_map(user, found, day)
    return {
        "unit": found.code,
        "unit_name": found.name,
        "day": day,
        "lanes": [
            {
                "perspective": lane.perspective.code,
                "name": lane.perspective.name,
                "objectives": [_objective_out(version) for version in lane.objectives],
            }
            for lane in drawn.lanes
        ],
        "links": [
            {"cause": link.cause.objective.code, "effect": link.effect.objective.code}
            for link in drawn.links
        ],
    }


# Perspectives and themes


class PerspectiveOut(Schema):
    code: str
    name: str
    description: str
    position: int
    is_esg: bool


class PerspectivePage(Schema):
    items: list[PerspectiveOut]
    count: int


class PerspectiveIn(Input):
    name: str = Field(min_length=1, max_length=120)
    description: str = ""
    position: int | None = Field(None, ge=0, le=32767, description="Default: after the others")
    is_esg: bool = False
    reason: str = Reason


class ThemeOut(Schema):
    code: str
    name: str
    description: str


class ThemePage(Schema):
    items: list[ThemeOut]
    count: int


class ThemeIn(Input):
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    reason: str = Reason


CodePath = Annotated[str, Field(max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")]


@router.get("/perspectives", response={200: PerspectivePage, **ERRORS}, tags=["strategy"])
def list_perspectives(request: HttpRequest, page: Query[PageQuery]) -> dict[str, Any]:
    """The balanced-scorecard perspectives, in order."""
    user = request_user(request)
    rows = Perspective.objects.all() if can_see_catalogue(user) else Perspective.objects.none()
    items, count = page_of(rows, page)
    return {"items": items, "count": count}


@router.put("/perspectives/{code}", response={200: PerspectiveOut, **ERRORS}, tags=["strategy"])
def save_perspective(request: HttpRequest, code: CodePath, payload: PerspectiveIn) -> Perspective:
    """Create the perspective or change it (needs the strategy right over the organisation)."""
    user = request_user(request)
    require_everywhere(user, Capability.EDIT_STRATEGY)
    return do_save_perspective(
        user,
        code=code,
        name=payload.name,
        description=payload.description,
        position=payload.position,
        is_esg=payload.is_esg,
        reason=payload.reason,
    )


@router.get("/themes", response={200: ThemePage, **ERRORS}, tags=["strategy"])
def list_themes(request: HttpRequest, page: Query[PageQuery]) -> dict[str, Any]:
    """Strategic themes, by code."""
    user = request_user(request)
    rows = Theme.objects.all() if can_see_catalogue(user) else Theme.objects.none()
    items, count = page_of(rows, page)
    return {"items": items, "count": count}


@router.put("/themes/{code}", response={200: ThemeOut, **ERRORS}, tags=["strategy"])
def save_theme(request: HttpRequest, code: CodePath, payload: ThemeIn) -> Theme:
    """Create the theme or change it (needs the strategy right over the organisation)."""
    user = request_user(request)
    require_everywhere(user, Capability.EDIT_STRATEGY)
    return do_save_theme(
        user,
        code=code,
        name=payload.name,
        description=payload.description,
        reason=payload.reason,
    )


# ESG


class EsgOut(Schema):
    kind: Literal["objective", "kpi"]
    code: str
    name: str
    pillar: str = Field(description="E, S, G or empty")
    disclosure_ref: str
    required_by: str
    unit: str | None
    person: str | None
    status: str = Field(
        description="Worst status of the latest KPI scores behind the item; empty when unscored"
    )
    period: dt.date | None = Field(description="The month of those scores")


class EsgPage(Schema):
    items: list[EsgOut]
    count: int


def _esg_status(user: User, item: EsgItem, day: dt.date) -> tuple[str, dt.date | None]:
    """The worst status among the latest KPI scores behind an ESG item."""
    if item.kind == "kpi":
        scores = scores_for(user, kind=NodeKind.KPI, kpi=item.kpi)
    else:
        assert item.objective is not None
        measures = measured_objective(user, item.objective, day).measures
        scores = scores_for(user, kind=NodeKind.KPI, unit=item.unit, person=item.person).filter(
            kpi_id__in=[row.kpi.pk for row in measures]
        )
    latest = scores.order_by("-period").values_list("period", flat=True).first()
    if latest is None:
        return "", None
    statuses = scores.filter(period=latest).values_list("status", flat=True)
    return worst_status(statuses), latest


@router.get("/esg", response={200: EsgPage, **ERRORS}, tags=["strategy"])
def list_esg(
    request: HttpRequest, page: Query[PageQuery], as_of: dt.date | None = AsOf
) -> dict[str, Any]:
    """Objectives and KPIs with an ESG pillar, a disclosure reference or a regulator or
    investor requirement, by pillar, each with the status of its latest scores."""
    user = request_user(request)
    day = _day(as_of)
    items, count = page_list(esg_items(user, day), page)
    out = []
    for item in items:
        status, period = _esg_status(user, item, day)
        out.append(
            {
                "kind": item.kind,
                "code": item.code,
                "name": item.name,
                "pillar": item.pillar,
                "disclosure_ref": item.disclosure_ref,
                "required_by": item.required_by,
                "unit": item.unit.code if item.unit is not None else None,
                "person": item.person.employee_id if item.person is not None else None,
                "status": status,
                "period": period,
            }
        )
    return {"items": out, "count": count}


# Priority workshops


class WorkshopOut(Schema):
    id: int
    name: str
    unit: str
    subject: WorkshopSubject
    held_on: dt.date
    state: WorkshopState
    agreed_method: str
    agreed_on: dt.date | None


class WorkshopPage(Schema):
    items: list[WorkshopOut]
    count: int


class WorkshopItemOut(Schema):
    code: str = Field(description="Theme or objective code")
    agreed_weight: float | None


class ParticipantOut(Schema):
    person: str = Field(description="Employee id")
    name: str
    department: str = Field(description="Unit code of the department spoken for")
    allocated: bool
    points: list[float | None] = Field(description="Points per item, in item order")


class WorkshopSummaryOut(WorkshopOut):
    items: list[WorkshopItemOut]
    participants: list[ParticipantOut]
    waiting: list[str] = Field(description="Employee ids of participants yet to allocate")
    summary: dict[str, Any] = Field(
        description="Per-item statistics, Kendall's W (concordance) and the most "
        "disagreeing pairs of departments"
    )


class ParticipantIn(Input):
    person: Text = Field(max_length=40, description="Employee id")
    department: Text = Field(max_length=40, description="Unit code of the department")


class WorkshopIn(Input):
    name: str = Field(min_length=1, max_length=200)
    unit: str = Field(max_length=40, description="Unit code")
    subject: WorkshopSubject
    held_on: dt.date
    items: list[Text] = Field(max_length=100, description="Theme or objective codes")
    participants: list[ParticipantIn] = Field(max_length=200)
    reason: str = Reason


class AllocationIn(Input):
    participant: str = Field(max_length=40, description="Employee id of the participant")
    points: dict[Text, float] = Field(
        description="Points per item code; they total 100, items left out get none"
    )
    reason: str = Reason


class AgreementIn(Input):
    method: Literal["mean", "median"]
    effective_from: dt.date = Field(
        description="First day of the agreed weights (objectives' weights change then)"
    )
    reason: str = Reason


def _workshop_out(workshop: Workshop) -> dict[str, Any]:
    return {
        "id": workshop.pk,
        "name": workshop.name,
        "unit": workshop.unit.code,
        "subject": workshop.subject,
        "held_on": workshop.held_on,
        "state": workshop.state,
        "agreed_method": workshop.agreed_method,
        "agreed_on": workshop.agreed_on,
    }


def _visible_workshop(user: User, workshop_id: int) -> Workshop:
    workshop = workshops_for(user).filter(pk=workshop_id).first()
    if workshop is None:
        raise NotFound(f"No workshop {workshop_id}.")
    return workshop


def _summary_out(user: User, workshop: Workshop) -> dict[str, Any]:
    summary = workshop_summary(user, workshop)
    waiting = {participant.pk for participant in summary.waiting}
    return _workshop_out(summary.workshop) | {
        "items": [
            {"code": item_key(item), "agreed_weight": item.agreed_weight} for item in summary.items
        ],
        "participants": [
            {
                "person": participant.person.employee_id,
                "name": participant.person.full_name,
                "department": participant.department.code,
                "allocated": participant.pk not in waiting,
                "points": [None if math.isnan(points) else points for points in row],
            }
            for participant, row in zip(summary.participants, summary.points, strict=True)
        ],
        "waiting": [participant.person.employee_id for participant in summary.waiting],
        "summary": summary.summary.as_dict(),
    }


@router.get("/workshops", response={200: WorkshopPage, **ERRORS}, tags=["workshops"])
def list_workshops(request: HttpRequest, page: Query[PageQuery]) -> dict[str, Any]:
    """Priority workshops of units the caller may see, and those the caller takes part in."""
    items, count = page_of(workshops_for(request_user(request)), page)
    return {"items": [_workshop_out(workshop) for workshop in items], "count": count}


def _workshop_items(
    user: User, subject: WorkshopSubject, codes: list[str], day: dt.date
) -> list[Theme | Objective]:
    found: list[Theme | Objective] = []
    for index, code in enumerate(codes):
        field = f"items[{index}]"
        if subject == WorkshopSubject.THEMES:
            found.append(_theme(code, field))
        else:
            found.append(_referenced_objective(user, code, field, day))
    return found


@router.post("/workshops", response={201: WorkshopSummaryOut, **ERRORS}, tags=["workshops"])
def create_workshop(request: HttpRequest, payload: WorkshopIn) -> Status:
    """Set up a workshop where department leads each spread 100 points over the items."""
    user = request_user(request)
    require_anywhere(user, Capability.EDIT_STRATEGY)
    participants = [
        ParticipantSpec(
            person=referenced_person(user, spec.person, f"participants[{index}].person"),
            department=referenced_unit(user, spec.department, f"participants[{index}].department"),
        )
        for index, spec in enumerate(payload.participants)
    ]
    workshop = do_create_workshop(
        user,
        name=payload.name,
        unit=referenced_unit(user, payload.unit, "unit"),
        subject=plain(payload.subject),
        held_on=payload.held_on,
        items=_workshop_items(user, payload.subject, payload.items, payload.held_on),
        participants=participants,
        reason=payload.reason,
    )
    return Status(201, _summary_out(user, workshop))


@router.get(
    "/workshops/{workshop_id}", response={200: WorkshopSummaryOut, **ERRORS}, tags=["workshops"]
)
def get_workshop(request: HttpRequest, workshop_id: Id) -> dict[str, Any]:
    """The allocations so far, per-item statistics, Kendall's W and the disagreeing pairs."""
    user = request_user(request)
    return _summary_out(user, _visible_workshop(user, workshop_id))


@router.post(
    "/workshops/{workshop_id}/allocations",
    response={200: WorkshopSummaryOut, **ERRORS},
    tags=["workshops"],
)
def record_allocation(
    request: HttpRequest, workshop_id: Id, payload: AllocationIn
) -> dict[str, Any]:
    """Record how one participant spreads 100 points, replacing their earlier spread.

    Participants record their own; the facilitating side (strategy right on the workshop's
    unit) records anyone's.
    """
    user = request_user(request)
    workshop = _visible_workshop(user, workshop_id)
    summary = workshop_summary(user, workshop)
    participant = next(
        (p for p in summary.participants if p.person.employee_id == payload.participant), None
    )
    if participant is None:
        raise Invalid.field(
            "participant",
            f"{payload.participant!r} does not take part in {workshop.name}",
            code="unknown",
        )
    items: dict[str, WorkshopItem] = {item_key(item): item for item in summary.items}
    points: dict[WorkshopItem, float] = {}
    for code, value in payload.points.items():
        item = items.get(code)
        if item is None:
            raise Invalid.field(f"points.{code}", f"{code!r} is not on the table", code="unknown")
        points[item] = value
    do_record_allocation(user, participant, points, reason=payload.reason)
    return _summary_out(user, workshop)


@router.post(
    "/workshops/{workshop_id}/agreement",
    response={200: WorkshopSummaryOut, **ERRORS},
    tags=["workshops"],
)
def agree_weights(request: HttpRequest, workshop_id: Id, payload: AgreementIn) -> dict[str, Any]:
    """Close the workshop on the mean or median of the points as the agreed weights.

    In a workshop on objectives these become the objectives' weights from
    ``effective_from``; in an open planning period that needs a change request (400,
    ``change_request_required``).
    """
    user = request_user(request)
    workshop = _visible_workshop(user, workshop_id)
    agreed = do_agree_weights(
        user,
        workshop,
        method=payload.method,
        effective=payload.effective_from,
        reason=payload.reason,
    )
    return _summary_out(user, agreed)
