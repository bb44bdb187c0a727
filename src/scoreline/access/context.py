"""Template context: the navigation a user is entitled to."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from scoreline.access.capabilities import Capability
from scoreline.access.scope import holds_anywhere, is_member


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {"nav": []}
    items = []
    if is_member(user):
        items.append(("Organisation", "org:tree"))
    if holds_anywhere(user, Capability.VIEW_PEOPLE):
        items.append(("People", "org:people"))
    if is_member(user):
        items.append(("Strategy", "strategy:map"))
        items.append(("Scorecards", "kpis:scorecard"))
        items.append(("KPIs", "kpis:catalogue"))
    if any(
        holds_anywhere(user, capability)
        for capability in (Capability.APPROVE_CHANGE, Capability.EDIT_KPI, Capability.EDIT_STRATEGY)
    ):
        items.append(("Changes", "kpis:changes"))
    if getattr(user, "is_superuser", False):
        items.append(("Administration", "admin:index"))
    return {"nav": items}
