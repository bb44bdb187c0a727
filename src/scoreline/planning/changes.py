"""The change protocol every governed write follows: prepare, authorise, admit, apply.

An action prepares a :class:`Change`, :func:`admit` checks the actor's right, the change's own
rules and the planning periods it touches, then the change applies itself and records its
audit event. A change request (``scoreline.governance``) checks and applies the very same
object when it is approved, so the direct path and the governed path cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Generic, TypeVar

from scoreline.access.capabilities import Capability
from scoreline.access.scope import AnyUser, require_anywhere, require_everywhere, require_on_unit
from scoreline.org.models import OrgUnit
from scoreline.planning.control import require_direct_change_allowed, require_not_closed

__all__ = ["Change", "admit", "authorise"]

# What a change gives back once applied (a new version, say).
Applied = TypeVar("Applied", covariant=True)


@dataclass(kw_only=True)
class Change(ABC, Generic[Applied]):
    """A change to a governed definition: who may make it, which days it alters, how it applies.

    ``unit`` is where the right is needed and whose approvers decide a request (None: the
    whole organisation; with ``shared`` the right held anywhere is enough, as for the shared
    KPI catalogue). The change alters the days from ``starts`` up to ``until`` (None: open).
    Only changes to definitions that already exist (``existing``) are governed.
    """

    right: Capability
    unit: OrgUnit | None
    shared: bool = False
    starts: dt.date
    until: dt.date | None = None
    existing: bool

    @property
    @abstractmethod
    def unchanged(self) -> bool:
        """Whether applying would write nothing (valid after :meth:`validate`)."""

    @property
    @abstractmethod
    def affected(self) -> frozenset[int] | None:
        """The KPIs whose scores the change alters (None: all of them)."""

    @abstractmethod
    def validate(self) -> None:
        """Raise ``Invalid`` naming the field when the change breaks a rule."""

    @abstractmethod
    def apply(self, actor: AnyUser, *, reason: str, source: str) -> Applied:
        """Write the change and its audit event, inside the caller's transaction."""


def authorise(actor: AnyUser, change: Change[object]) -> None:
    """The right to make ``change`` directly (also needed to request it)."""
    if change.unit is not None:
        require_on_unit(actor, change.right, change.unit)
    elif change.shared:
        require_anywhere(actor, change.right)
    else:
        require_everywhere(actor, change.right)


def admit(actor: AnyUser, change: Change[object]) -> bool:
    """Checks of a direct change; False when it would change nothing (nothing is written)."""
    authorise(actor, change)
    change.validate()
    if change.unchanged:
        return False
    if change.existing:
        require_direct_change_allowed(change.starts, change.until)
    else:
        require_not_closed(change.starts, change.until)
    return True
