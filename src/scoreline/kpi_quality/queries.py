"""Reads of the KPI quality reports, scoped to what the reader may see."""

from __future__ import annotations

import datetime as dt

from scoreline.access.capabilities import Capability
from scoreline.access.scope import (
    AnyUser,
    capability_paths,
    sees_every_unit,
)
from scoreline.kpi_quality.reports import TargetSpecificity, specificity_report
from scoreline.kpis.models import Kpi
from scoreline.lib.tree import subtrees_q
from scoreline.org.models import OrgUnit

__all__ = ["target_specificity_for"]


def target_specificity_for(
    user: AnyUser, kpi: Kpi, day: dt.date | None = None
) -> list[TargetSpecificity]:
    """How reachable the KPI's current unit targets are, at the units ``user`` may see."""
    report = specificity_report(day, [kpi.pk])
    if not report:
        return []
    visible = OrgUnit.objects.filter(code__in={row.unit for row in report})
    if not sees_every_unit(user):
        visible = visible.filter(subtrees_q(capability_paths(user, Capability.VIEW_ORG), "path"))
    codes = set(visible.values_list("code", flat=True))
    return [row for row in report if row.unit in codes]
