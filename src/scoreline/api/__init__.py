"""The JSON API at /api/v1/: token or session auth, paginated lists, JSON errors."""

from __future__ import annotations

from typing import NoReturn

from django.http import HttpRequest
from ninja import NinjaAPI, Router

from scoreline.api.access import router as access_router
from scoreline.api.authentication import API_AUTH
from scoreline.api.kpis import router as kpis_router
from scoreline.api.org import router as org_router
from scoreline.api.strategy import router as strategy_router
from scoreline.api.support import install_error_handlers
from scoreline.lib.errors import NotFound

api = NinjaAPI(
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
)
install_error_handlers(api)
api.add_router("", org_router)
api.add_router("", access_router)
api.add_router("", strategy_router)
api.add_router("", kpis_router)

# Last, so it only catches paths no resource matched: they get a JSON 404 too.
unknown = Router()


@unknown.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", auth=None, include_in_schema=False
)
def unknown_resource(request: HttpRequest, rest: str) -> NoReturn:
    raise NotFound(f"There is no resource at /api/v1/{rest}.")


api.add_router("", unknown)
