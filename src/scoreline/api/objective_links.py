"""Cause-and-effect links between objectives on the strategy map."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from scoreline.access.capabilities import Capability
from scoreline.access.scope import require_anywhere
from scoreline.api.fields import Code, Day, Reason
from scoreline.api.lookups import referenced_objective, visible_objective
from scoreline.api.support import (
    ERRORS,
    Input,
    Text,
    request_user,
)
from scoreline.strategy.actions.links import do_link_objectives, do_unlink_objectives
from scoreline.strategy.models import (
    Objective,
    ObjectiveLink,
)

__all__ = [
    "router",
]

router = Router()


class LinkIn(Input):
    effect: str = Field(max_length=60, description="The objective this one drives")
    effective_from: Day
    reason: str = Reason


class LinkOut(Schema):
    cause: str
    effect: str
    valid_from: dt.date
    valid_until: dt.date | None


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
    cause = visible_objective(user, code)
    require_anywhere(user, Capability.EDIT_STRATEGY)
    effect = referenced_objective(user, payload.effect, "effect", payload.effective_from)
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
    effective_from: Day = Query(..., description="First day without the arrow"),
    reason: Text = Query("", max_length=1000),
) -> dict[str, Any]:
    """Remove an arrow from the map from ``effective_from`` on; earlier days keep it."""
    user = request_user(request)
    cause = visible_objective(user, code)
    require_anywhere(user, Capability.EDIT_STRATEGY)
    driven = referenced_objective(user, effect, "effect", effective_from)
    link = do_unlink_objectives(user, cause, driven, effective=effective_from, reason=reason)
    return _link_out(link, cause, driven, effective_from)
