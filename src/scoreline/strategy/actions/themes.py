"""Strategic themes."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from scoreline.access.capabilities import Capability
from scoreline.access.scope import (
    AnyUser,
    require_everywhere,
)
from scoreline.audit.chain import record_event, snapshot
from scoreline.strategy.actions.shared import fields_error, require_nonblank
from scoreline.strategy.models import (
    Theme,
)

__all__ = [
    "do_save_theme",
]


@transaction.atomic
def do_save_theme(
    actor: AnyUser, *, code: str, name: str, description: str = "", reason: str = ""
) -> Theme:
    """Create the strategic theme ``code`` or change its name and description."""
    require_everywhere(actor, Capability.EDIT_STRATEGY)
    require_nonblank("name", name)
    theme = Theme.objects.select_for_update().filter(code=code).first()
    before = snapshot(theme) if theme is not None else None
    theme = theme or Theme(code=code)
    theme.name, theme.description = name, description
    try:
        theme.full_clean(validate_unique=False)
    except ValidationError as error:
        raise fields_error(error) from None
    theme.save()
    action = "theme.create" if before is None else "theme.update"
    record_event(
        actor, action, "theme", theme.pk, before=before, after=snapshot(theme), reason=reason
    )
    return theme
