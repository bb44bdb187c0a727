"""Balanced-scorecard perspectives, the ESG perspective among them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max

from scoreline.access.capabilities import Capability
from scoreline.access.scope import AnyUser
from scoreline.planning.changes import perform
from scoreline.planning.entries import EntryChange, prepare_entry
from scoreline.strategy.defaults import ESG_PERSPECTIVE
from scoreline.strategy.models import Perspective

__all__ = [
    "do_add_esg_perspective",
    "do_save_perspective",
    "prepare_perspective",
]


def prepare_perspective(code: str, values: Mapping[str, Any] | None) -> EntryChange[Perspective]:
    """Create or change the perspective ``code`` (a new one goes last unless ``values`` place
    it), or with ``values`` None remove it."""
    change = prepare_entry(Perspective, code, values, right=Capability.EDIT_STRATEGY, shared=False)
    if change.values is not None and change.values.get("position") is None:
        values = {name: value for name, value in change.values.items() if name != "position"}
        if change.current is None:
            last = Perspective.objects.aggregate(last=Max("position"))["last"]
            values["position"] = 0 if last is None else last + 1
        change.values = values
    return change


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
    values = {"name": name, "description": description, "position": position, "is_esg": is_esg}
    change = prepare_perspective(code, values)
    saved = perform(actor, change, reason=reason, source="page")
    return saved or Perspective.objects.get(code=code)


def do_add_esg_perspective(actor: AnyUser, *, reason: str = "") -> Perspective:
    """Add the environmental, social and governance perspective after the others."""
    code, name, description = ESG_PERSPECTIVE
    return do_save_perspective(
        actor, code=code, name=name, description=description, is_esg=True, reason=reason
    )
