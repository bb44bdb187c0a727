"""What the KPI page offers its reader to author: the forms they hold the right to use."""

from __future__ import annotations

from typing import Any

from scoreline.access.capabilities import Capability
from scoreline.access.scope import AnyUser, holds_anywhere, holds_on_unit
from scoreline.kpis.models import Kpi, StatusRule
from scoreline.lib.dates import effective_on, today
from scoreline.org.models import OrgUnit
from scoreline.web.kpis.authoring import units_where
from scoreline.web.strategy.forms import UnitPickerForm

__all__ = ["authoring_links"]


def authoring_links(user: AnyUser, kpi: Kpi, unit: OrgUnit | None) -> dict[str, Any]:
    """``may_edit`` the definition and rules; ``may_target`` at the unit shown; a picker of
    the units where the reader may set targets; whether the KPI has status rules of its own."""
    may_edit = holds_anywhere(user, Capability.EDIT_KPI)
    return {
        "may_edit": may_edit,
        "may_target": unit is not None and holds_on_unit(user, Capability.EDIT_KPI, unit),
        "target_picker": (
            UnitPickerForm(
                initial={"unit": unit.pk if unit else None},
                units=units_where(user, Capability.EDIT_KPI),
            )
            if may_edit
            else None
        ),
        "own_rules": StatusRule.objects.filter(effective_on(today()), kpi=kpi).exists(),
    }
