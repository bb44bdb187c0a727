"""Strategic themes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from scoreline.access.capabilities import Capability
from scoreline.access.scope import AnyUser
from scoreline.planning.changes import perform
from scoreline.planning.entries import EntryChange, prepare_entry
from scoreline.strategy.models import Theme

__all__ = [
    "do_save_theme",
    "prepare_theme",
]


def prepare_theme(code: str, values: Mapping[str, Any] | None) -> EntryChange[Theme]:
    """Create or change the theme ``code``, or with ``values`` None remove it."""
    return prepare_entry(Theme, code, values, right=Capability.EDIT_STRATEGY, shared=False)


@transaction.atomic
def do_save_theme(
    actor: AnyUser, *, code: str, name: str, description: str = "", reason: str = ""
) -> Theme:
    """Create the strategic theme ``code`` or change its name and description."""
    change = prepare_theme(code, {"name": name, "description": description})
    saved = perform(actor, change, reason=reason, source="page")
    return saved or Theme.objects.get(code=code)
