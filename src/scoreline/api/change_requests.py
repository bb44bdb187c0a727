"""Change requests: filing a change to a definition in an open period, and deciding it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from scoreline.api.fields import Day
from scoreline.api.lookups import referenced_unit
from scoreline.api.support import ERRORS, ErrorOut, Id, Input, PageQuery, page_of, request_user
from scoreline.governance.actions import (
    CHANGE_KINDS,
    can_decide,
    do_decide_change,
    do_request_change,
)
from scoreline.governance.models import ChangeRequest, ChangeState
from scoreline.governance.queries import change_requests_for
from scoreline.kpis.queries import (
    can_see_catalogue,
)
from scoreline.lib.errors import AccessDenied, NotFound

__all__ = [
    "router",
]

router = Router()


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


class ChangeRequestIn(Input):
    kind: str = Field(max_length=20, description=f"One of: {', '.join(CHANGE_KINDS)}")
    subject: str = Field(
        max_length=200, description="The KPI, objective or perspective code the change is about"
    )
    payload: dict[str, Any] = Field(
        description="The proposed fields, as described for each kind (ids for units and people)"
    )
    effective_from: Day
    justification: str = Field(min_length=1)
    unit: str | None = Field(
        None, max_length=40, description="Widen the approvers to this unit above the change's own"
    )


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
    """Requests the caller may see, newest first: those they filed or decided, and every
    request where they hold the approval right; filter by ``state`` (``can_decide`` marks
    the ones waiting for the caller)."""
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
    response={200: ChangeRequestOut, 409: ErrorOut, **ERRORS},
    tags=["change requests"],
)
def decide_change(request: HttpRequest, request_id: Id, payload: DecisionIn) -> dict[str, Any]:
    """Approve (apply with its effective date, then rescore) or reject a pending request.

    Someone other than the requester, holding the approval right where the request
    belongs, decides; a rejection needs a note. A request already decided answers 409
    (``already_decided``).
    """
    user = request_user(request)
    if not change_requests_for(user).filter(pk=request_id).exists():
        raise NotFound(f"No change request {request_id}.")
    return _request_out(user, do_decide_change(user, request_id, payload.approve, payload.note))
