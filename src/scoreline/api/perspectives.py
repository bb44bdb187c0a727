"""Balanced-scorecard perspectives."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from scoreline.api.fields import CodePath, Reason
from scoreline.api.support import (
    ERRORS,
    Input,
    PageQuery,
    page_of,
    request_user,
)
from scoreline.kpis.queries import can_see_catalogue
from scoreline.strategy.actions.perspectives import do_save_perspective
from scoreline.strategy.models import (
    Perspective,
)

__all__ = [
    "router",
]

router = Router()


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
    return do_save_perspective(
        user,
        code=code,
        name=payload.name,
        description=payload.description,
        position=payload.position,
        is_esg=payload.is_esg,
        reason=payload.reason,
    )
