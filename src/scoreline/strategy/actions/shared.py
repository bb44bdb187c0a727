"""Pieces every strategy action uses: the unit holding an objective, its lock, a text check."""

from __future__ import annotations

from scoreline.lib.errors import Invalid
from scoreline.org.models import OrgUnit
from scoreline.strategy.models import (
    Objective,
    ObjectiveVersion,
)

__all__ = [
    "holder_unit",
    "lock_objective",
    "require_nonblank",
]


def holder_unit(version: ObjectiveVersion) -> OrgUnit:
    """The unit an objective version belongs to: its own, or its person's primary unit."""
    if version.unit is not None:
        return version.unit
    assert version.person is not None  # a version holds exactly one of the two
    return version.person.primary_unit


def require_nonblank(field: str, value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise Invalid.field(field, "must be text, not empty")


def lock_objective(objective: Objective) -> Objective:
    return Objective.objects.select_for_update().get(pk=objective.pk)
