"""The statuses status rules give (on track, at risk...), with their colours."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scoreline.access.capabilities import Capability
from scoreline.kpis.models import Status
from scoreline.planning.entries import EntryChange, prepare_entry

__all__ = ["prepare_status"]


def prepare_status(code: str, values: Mapping[str, Any] | None) -> EntryChange[Status]:
    """Create or change the status ``code``, or with ``values`` None remove it. Statuses are
    shared by the whole catalogue: the right to edit KPIs anywhere is enough."""
    return prepare_entry(Status, code, values, right=Capability.EDIT_KPI, shared=True)
