"""Priority workshops: allocations of points, agreement and the weights they set."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Literal

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from scoreline.access.capabilities import Capability
from scoreline.access.scope import require_anywhere
from scoreline.api.fields import Day, Reason
from scoreline.api.lookups import (
    referenced_objective,
    referenced_person,
    referenced_unit,
    theme_by_code,
)
from scoreline.api.pages import plain
from scoreline.api.support import (
    ERRORS,
    Choice,
    Id,
    Input,
    PageQuery,
    Text,
    page_of,
    request_user,
)
from scoreline.lib.errors import Invalid, NotFound
from scoreline.scoring.actions.objectives import do_agree_weights
from scoreline.strategy.actions.workshops import (
    ParticipantSpec,
    do_create_workshop,
    do_record_allocation,
)
from scoreline.strategy.models import (
    Objective,
    Theme,
    Workshop,
    WorkshopItem,
    WorkshopState,
    WorkshopSubject,
)
from scoreline.strategy.queries import (
    item_key,
    workshop_summary,
    workshops_for,
)

__all__ = [
    "router",
]

router = Router()


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
    subject: Choice[WorkshopSubject]
    held_on: Day
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
    effective_from: Day = Field(
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
            found.append(theme_by_code(code, field))
        else:
            found.append(referenced_objective(user, code, field, day))
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
