"""The KPI a page is about, among what its reader may see."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from scoreline.access.scope import AnyUser
from scoreline.kpis.models import Kpi
from scoreline.kpis.queries import can_see_catalogue, kpi_history
from scoreline.lib.versioned import VersionChange

__all__ = ["visible_kpi"]


def visible_kpi(user: AnyUser, pk: int) -> tuple[Kpi, list[VersionChange]]:
    """The KPI and its versions, oldest first; 404 for a reader of no catalogue or no KPI."""
    if not can_see_catalogue(user):
        raise Http404
    kpi = get_object_or_404(Kpi, pk=pk)
    history = kpi_history(kpi)
    if not history:
        raise Http404
    return kpi, history
