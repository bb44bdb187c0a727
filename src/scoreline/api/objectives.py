"""Objectives and individual goals: list, create, read, revise, retire and their history."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from scoreline.access.capabilities import Capability
from scoreline.access.scope import require_anywhere
from scoreline.api.fields import AsOf, Code, Day, Reason
from scoreline.api.lookups import (
    perspective_by_code,
    referenced_objective,
    referenced_person,
    referenced_unit,
    theme_by_code,
    visible_objective,
)
from scoreline.api.measures import MeasureOut, measure_out
from scoreline.api.pages import HistoryPage, day_or_today, history_out, page_list, plain
from scoreline.api.specs import response_schema, response_values
from scoreline.api.support import (
    ERRORS,
    Choice,
    Input,
    PageQuery,
    Text,
    page_of,
    request_user,
)
from scoreline.kpis.measures import (
    MeasureRow,
    measured_objective,
    unmeasured_objectives,
)
from scoreline.lib.dates import today
from scoreline.lib.errors import Invalid
from scoreline.org.models import OrgUnit, Person
from scoreline.scoring.actions.objectives import (
    do_create_objective,
    do_retire_objective,
    do_update_objective,
)
from scoreline.scoring.explanations import cascade_split
from scoreline.scoring.models import NodeKind, Score
from scoreline.scoring.queries import scores_for
from scoreline.strategy.fields import OBJECTIVE, OBJECTIVE_FIELDS
from scoreline.strategy.models import (
    EsgPillar,
    Objective,
    ObjectiveVersion,
    Perspective,
    RequiredBy,
    Theme,
)
from scoreline.strategy.queries import (
    cascade_level,
    objective_detail,
    objectives_for,
)

__all__ = [
    "router",
]

router = Router()


class ObjectiveOut(
    response_schema(  # type: ignore[misc]
        *OBJECTIVE,
        leading={"code": str},
        described=OBJECTIVE_FIELDS,
        as_text=("esg_pillar", "required_by"),
    )
):
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


class ContributionOut(Schema):
    code: str = Field(description="The KPI or objective code")
    weight: float
    score: float | None
    status: str


class SharePartOut(Schema):
    part: Literal["own_kpis", "contributing"]
    label: str
    share: float = Field(description="What the part carried of the objective's score, 0 to 1")
    score: float | None = Field(description="The part's score (null: none that month)")


class CascadeSplitOut(Schema):
    cascade_share: float = Field(
        description="The scorecard policy's share of contributing objectives, 0 to 1"
    )
    weakest_link: bool = Field(description="The objective takes the lower part instead")
    parts: list[SharePartOut]
    summary: str = Field(description='In words: "own KPIs 70% · contributing objectives 30%"')
    arithmetic: str
    note: str = Field(description="Why the shares differ from the policy's, if they do")


def split_out(score: Score | None) -> dict[str, Any] | None:
    """How an objective's score divides between its own KPIs and contributing objectives."""
    split = cascade_split(score)
    if split is None:
        return None
    return {
        "cascade_share": split.cascade_share,
        "weakest_link": split.weakest_link,
        "parts": [
            {"part": p.part, "label": p.label, "share": p.share, "score": p.score}
            for p in split.parts
        ],
        "summary": split.summary,
        "arithmetic": split.arithmetic,
        "note": split.note,
    }


class ObjectiveScoreOut(Schema):
    period: dt.date
    score: float | None
    explanation: dict[str, Any] = Field(description="How the score was rolled up")
    split: CascadeSplitOut | None = Field(
        description="Its own KPIs' and the contributing objectives' shares of the score"
    )
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
    horizon_start: Day
    horizon_end: Day = Field(description="First day after the horizon")
    valid_from: Day
    esg_pillar: Choice[EsgPillar] = EsgPillar.NONE
    disclosure_ref: str = Field("", max_length=60)
    required_by: Choice[RequiredBy] = RequiredBy.NONE
    reason: str = Reason


class ObjectiveRetireIn(Input):
    effective_from: Day = Field(description="The first day it is no longer in force")
    reason: str = Reason


class ObjectiveUpdateIn(Input):
    effective_from: Day = Field(description="First day of the new version")
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
    horizon_start: Day | None = None
    horizon_end: Day | None = None
    esg_pillar: Choice[EsgPillar] | None = None
    disclosure_ref: str | None = Field(None, max_length=60)
    required_by: Choice[RequiredBy] | None = None


def _objective_out(version: ObjectiveVersion) -> dict[str, Any]:
    unit = version.unit
    return {
        "code": version.objective.code,
        **response_values(version, OBJECTIVE),
        "level": cascade_level(unit.kind if unit is not None else None).label,
        "valid_from": version.valid_from,
        "valid_until": version.valid_until,
    }


def objective_ref(version: ObjectiveVersion) -> dict[str, Any]:
    return {
        "code": version.objective.code,
        "name": version.name,
        "perspective": version.perspective.code,
        "unit": version.unit.code if version.unit is not None else None,
        "person": version.person.employee_id if version.person is not None else None,
    }


def subject_scores(user: User, version: ObjectiveVersion, period: dt.date) -> list[Score]:
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


def latest_score(
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
        for score in (subject_scores(user, version, row.period) if version is not None else [])
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
        "split": split_out(row),
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
        "parent": objective_ref(detail.parent) if detail.parent is not None else None,
        "children": [objective_ref(child) for child in detail.children],
        "causes": [objective_ref(cause) for cause in detail.causes],
        "effects": [objective_ref(effect) for effect in detail.effects],
        "measures": [measure_out(row) for row in detail.measures],
        "measured": detail.measured,
        "latest_score": latest_score(user, objective, version, detail.measures, detail.children),
    }


@router.get("/objectives", response={200: ObjectivePage, **ERRORS}, tags=["objectives"])
def list_objectives(
    request: HttpRequest,
    page: Query[PageQuery],
    unit: Text | None = Query(None, max_length=40, description="Only this unit's objectives"),
    perspective: Text | None = Query(None, max_length=40, description="Perspective code"),
    unmeasured: bool = Query(False, description="Only objectives no KPI measures"),
    as_of: Day | None = AsOf,
) -> dict[str, Any]:
    """Objectives and individual goals in force that the caller may see."""
    user = request_user(request)
    day = day_or_today(as_of)
    versions = unmeasured_objectives(user, day) if unmeasured else objectives_for(user, day)
    if unit is not None:
        versions = versions.filter(unit=referenced_unit(user, unit, "unit"))
    if perspective is not None:
        versions = versions.filter(perspective=perspective_by_code(perspective))
    items, count = page_of(versions, page)
    return {"items": [_objective_out(version) for version in items], "count": count}


@router.post("/objectives", response={201: ObjectiveDetailOut, **ERRORS}, tags=["objectives"])
def create_objective(request: HttpRequest, payload: ObjectiveCreateIn) -> Status:
    """Create an objective of a unit, or an individual goal of a person.

    Where a scorecard it rolls into counts missing data (policy ``zero`` or ``blank``), a
    new objective changes scores: inside an open planning period it answers 400 with the
    code ``change_request_required`` (file a ``new_objective`` request at
    ``/change-requests``), and in a closed one ``period_closed``.
    """
    user = request_user(request)
    require_anywhere(user, Capability.EDIT_STRATEGY)
    day = payload.valid_from
    objective = do_create_objective(
        user,
        code=payload.code,
        name=payload.name,
        description=payload.description,
        perspective=perspective_by_code(payload.perspective),
        theme=theme_by_code(payload.theme) if payload.theme is not None else None,
        unit=referenced_unit(user, payload.unit, "unit") if payload.unit is not None else None,
        person=referenced_person(user, payload.person, "person")
        if payload.person is not None
        else None,
        owner=referenced_person(user, payload.owner, "owner")
        if payload.owner is not None
        else None,
        parent=referenced_objective(user, payload.parent, "parent", day)
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
def get_objective(request: HttpRequest, code: Code, as_of: Day | None = AsOf) -> dict[str, Any]:
    """An objective with its place in the cascade, map links, KPIs and latest score."""
    user = request_user(request)
    return _detail(user, visible_objective(user, code), day_or_today(as_of))


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
        "perspective": lambda code: perspective_by_code(code),
        "theme": lambda code: theme_by_code(code),
        "unit": lambda code: referenced_unit(user, code, "unit"),
        "person": lambda code: referenced_person(user, code, "person"),
        "owner": lambda code: referenced_person(user, code, "owner"),
        "parent": lambda code: referenced_objective(user, code, "parent", day),
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

    A weight change or a move that would alter an open planning period answers 400 with
    the code ``change_request_required``: file it at ``/change-requests`` instead.
    """
    user = request_user(request)
    objective = visible_objective(user, code)
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


@router.post(
    "/objectives/{code}/retirement",
    response={200: ObjectiveDetailOut, **ERRORS},
    tags=["objectives"],
)
def retire_objective(
    request: HttpRequest, code: Code, payload: ObjectiveRetireIn
) -> dict[str, Any]:
    """End an objective on ``effective_from`` (its last day is the day before), with its
    strategy-map links; its history stays.

    Refused while objectives still contribute to it (``has_children``). The scorecards it
    rolled into no longer count it, so inside an open planning period it answers 400 with
    the code ``change_request_required`` (file an ``objective`` request with the payload
    ``{"retire": true}`` at ``/change-requests``), and in a closed one ``period_closed``.
    """
    user = request_user(request)
    objective = visible_objective(user, code)
    require_anywhere(user, Capability.EDIT_STRATEGY)
    do_retire_objective(
        user, objective, effective=payload.effective_from, reason=payload.reason, source="api"
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
    objective = visible_objective(user, code)
    history, count = page_list(objective_detail(user, objective, today()).history, page)
    readable = _readable_changes([entry.changes for entry in history])
    return {
        "items": [
            history_out(entry, changes) for entry, changes in zip(history, readable, strict=True)
        ],
        "count": count,
    }
