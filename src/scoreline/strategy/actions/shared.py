"""Pieces every strategy action uses: where an objective's rights are held, change control."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from scoreline.access.capabilities import Capability
from scoreline.access.scope import (
    AnyUser,
    require_everywhere,
    require_on_unit,
)
from scoreline.lib.errors import Invalid
from scoreline.lib.versioned import version_on
from scoreline.org.models import OrgUnit
from scoreline.planning.control import require_direct_change_allowed
from scoreline.strategy.models import (
    Objective,
    ObjectiveVersion,
)

__all__ = [
    "check_change_control",
    "fields_error",
    "holder_unit",
    "lock_objective",
    "require_edit",
    "require_edit_objective",
    "require_nonblank",
]


def holder_unit(version: ObjectiveVersion) -> OrgUnit:
    """The unit an objective version belongs to: its own, or its person's primary unit."""
    if version.unit is not None:
        return version.unit
    assert version.person is not None  # a version holds exactly one of the two
    return version.person.primary_unit


def require_edit(actor: AnyUser, version: ObjectiveVersion) -> None:
    require_on_unit(actor, Capability.EDIT_STRATEGY, holder_unit(version))


def require_edit_objective(actor: AnyUser, objective: Objective, day: dt.date) -> None:
    """The edit right over an objective as it stands on ``day``, or as it last stood."""
    version = version_on(ObjectiveVersion, day, objective=objective)
    if version is None:
        version = ObjectiveVersion.objects.filter(objective=objective).order_by("valid_from").last()
    if version is None:
        require_everywhere(actor, Capability.EDIT_STRATEGY)
    else:
        require_edit(actor, version)


def fields_error(error: ValidationError) -> Invalid:
    fields = {
        name: [str(message) for message in messages]
        for name, messages in error.message_dict.items()
    }
    first_field, first_messages = next(iter(fields.items()))
    return Invalid(f"{first_field}: {first_messages[0]}", fields=fields)


def check_change_control(objective: Objective, day: dt.date) -> None:
    """Refuse a weight change from ``day`` that would alter a planning period in use.

    The new version runs until the objective's next later version, if any: only periods
    that span overlaps count. One reaching into a closed period is refused outright
    (``period_closed``); one reaching into an open period must go through a change request
    (``change_request_required``).
    """
    later = (
        ObjectiveVersion.objects.filter(objective=objective, valid_from__gt=day)
        .order_by("valid_from")
        .values_list("valid_from", flat=True)
        .first()
    )
    require_direct_change_allowed(day, later)


def require_nonblank(field: str, value: str) -> None:
    if not value.strip():
        raise Invalid.field(field, "must not be empty")


def lock_objective(objective: Objective) -> Objective:
    return Objective.objects.select_for_update().get(pk=objective.pk)
