"""The strategy map of a unit: perspectives, objectives and their links."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from scoreline.api.fields import AsOf, Day
from scoreline.api.lookups import visible_unit
from scoreline.api.objectives import ObjectiveOut, _objective_out
from scoreline.api.pages import day_or_today
from scoreline.api.support import (
    ERRORS,
    Text,
    request_user,
)
from scoreline.strategy.queries import (
    strategy_map,
)

__all__ = [
    "router",
]

router = Router()


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
    as_of: Day | None = AsOf,
) -> dict[str, Any]:
    """The unit's objectives lane by lane (perspective) with the arrows between them."""
    user = request_user(request)
    found = visible_unit(user, unit)
    day = day_or_today(as_of)
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
