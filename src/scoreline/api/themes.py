"""Strategic themes."""

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
from scoreline.strategy.actions.themes import do_save_theme
from scoreline.strategy.models import (
    Theme,
)

__all__ = [
    "router",
]

router = Router()


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
    return do_save_theme(
        user,
        code=code,
        name=payload.name,
        description=payload.description,
        reason=payload.reason,
    )
