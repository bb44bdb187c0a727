"""Balanced-scorecard perspectives, the ESG perspective among them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from scoreline.access.capabilities import Capability
from scoreline.access.scope import (
    AnyUser,
    require_everywhere,
)
from scoreline.audit.chain import record_event, snapshot
from scoreline.strategy.actions.shared import fields_error, require_nonblank
from scoreline.strategy.defaults import ESG_PERSPECTIVE
from scoreline.strategy.models import (
    Perspective,
)

__all__ = [
    "do_add_esg_perspective",
    "do_save_perspective",
]


@transaction.atomic
def do_save_perspective(
    actor: AnyUser,
    *,
    code: str,
    name: str,
    description: str = "",
    position: int | None = None,
    is_esg: bool = False,
    reason: str = "",
) -> Perspective:
    """Create the perspective ``code`` or change it; a new one goes last unless placed."""
    require_everywhere(actor, Capability.EDIT_STRATEGY)
    require_nonblank("name", name)
    perspective = Perspective.objects.select_for_update().filter(code=code).first()
    before = snapshot(perspective) if perspective is not None else None
    if perspective is None:
        if position is None:
            last = Perspective.objects.aggregate(last=Max("position"))["last"]
            position = 0 if last is None else last + 1
        perspective = Perspective(code=code, position=position)
    elif position is not None:
        perspective.position = position
    perspective.name, perspective.description, perspective.is_esg = name, description, is_esg
    try:
        perspective.full_clean(validate_unique=False)
    except ValidationError as error:
        raise fields_error(error) from None
    perspective.save()
    action = "perspective.create" if before is None else "perspective.update"
    record_event(
        actor,
        action,
        "perspective",
        perspective.pk,
        before=before,
        after=snapshot(perspective),
        reason=reason,
    )
    return perspective


def do_add_esg_perspective(actor: AnyUser, *, reason: str = "") -> Perspective:
    """Add the environmental, social and governance perspective after the others."""
    code, name, description = ESG_PERSPECTIVE
    return do_save_perspective(
        actor, code=code, name=name, description=description, is_esg=True, reason=reason
    )
