"""The JSON API at /api/v1/: token or session auth, paginated lists, JSON errors."""

from __future__ import annotations

from typing import NoReturn

from django.http import HttpRequest
from ninja import NinjaAPI, Router
from ninja.operation import Operation

from scoreline.api import (
    change_requests,
    esg,
    grants,
    kpis,
    me,
    measures,
    objective_links,
    objectives,
    people,
    perspectives,
    reporting_lines,
    scorecards,
    scores,
    status_rules,
    strategy_map,
    targets,
    themes,
    units,
    values,
    workshops,
)
from scoreline.api.authentication import API_AUTH
from scoreline.api.body import JsonBody
from scoreline.api.support import install_error_handlers
from scoreline.lib.errors import NotFound


class ScorelineAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        # The function's name, unique across the API: stable wherever the code lives.
        return operation.view_func.__name__


api = ScorelineAPI(
    title="Scoreline API",
    version="1",
    description=(
        "Units, people, reporting lines and access grants; objectives, the strategy map, "
        "workshops, KPIs, targets, status rules, values, scores, scorecards and change "
        "requests; all scoped to what the caller may see. "
        "Authenticate with `Authorization: Bearer <token>` (`scoreline token create USERNAME`) "
        "or a browser session (unsafe methods need the CSRF token). Lists answer "
        '`{"items": [...], "count": N}`; errors answer '
        '`{"code": ..., "message": ..., "fields": {field: [reason, ...]}}`.'
    ),
    urls_namespace="api-v1",
    auth=API_AUTH,
    parser=JsonBody(),
)
install_error_handlers(api)
# One router per resource, mounted in this order (the order of the documentation).
RESOURCES = (
    units,
    people,
    reporting_lines,
    me,
    grants,
    objectives,
    objective_links,
    measures,
    strategy_map,
    perspectives,
    themes,
    esg,
    workshops,
    kpis,
    targets,
    status_rules,
    values,
    scores,
    scorecards,
    change_requests,
)
for resource in RESOURCES:
    api.add_router("", resource.router)

# Last, so it only catches paths no resource matched: they get a JSON 404 too.
unknown = Router()


@unknown.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", auth=None, include_in_schema=False
)
def unknown_resource(request: HttpRequest, rest: str) -> NoReturn:
    raise NotFound(f"There is no resource at /api/v1/{rest}.")


api.add_router("", unknown)
