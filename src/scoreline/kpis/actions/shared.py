"""Pieces every KPI action uses: the unit covering a subject, the definition in force, the
source of a change."""

from __future__ import annotations

import datetime as dt

from scoreline.kpis.models import (
    Kpi,
    KpiVersion,
)
from scoreline.lib.errors import Invalid
from scoreline.lib.versioned import (
    version_on,
)
from scoreline.org.models import OrgUnit, Person

__all__ = ["checked_source", "definition_in_force", "home_unit"]


def home_unit(unit: OrgUnit | None, person: Person | None) -> OrgUnit:
    """The unit whose rights cover a subject: the unit itself, or the person's primary unit."""
    if (unit is None) == (person is None):
        raise Invalid(
            "give either a unit or a person",
            fields={"unit": ["give a unit or a person"], "person": ["give a unit or a person"]},
        )
    if unit is not None:
        return unit
    assert person is not None
    return person.primary_unit


def definition_in_force(kpi: Kpi, day: dt.date, field: str = "effective") -> KpiVersion:
    """The KPI's definition in force on ``day``; ``Invalid`` naming ``field`` without one."""
    version = version_on(KpiVersion, day, kpi=kpi)
    if version is None:
        raise Invalid.field(
            field, f"{kpi.code} has no definition in force on {day.isoformat()}", "not_in_force"
        )
    return version


def checked_source(source: str) -> str:
    """Where a change came from (page, API, YAML...): short text."""
    if not isinstance(source, str) or len(source) > 80:
        raise Invalid.field("source", "must be text of at most 80 characters")
    return source
