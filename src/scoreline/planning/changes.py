"""The change protocol every write to a definition follows: prepare, authorise, admit, apply.

An action prepares a :class:`Change`, :func:`admit` checks the actor's right, the change's own
rules and the planning periods it touches, then the change applies itself and records its
audit event. A change request (``scoreline.governance``) checks and applies the very same
object when it is approved, and strategy files (``scoreline.as_code``) apply a batch of them
in one transaction, so the direct, governed and batch paths cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Generic, TypeVar

from scoreline.access.capabilities import Capability
from scoreline.access.scope import AnyUser, require_anywhere, require_everywhere, require_on_unit
from scoreline.org.models import OrgUnit
from scoreline.planning.control import require_direct_change_allowed

__all__ = ["Change", "admit", "authorise", "check", "perform"]

# What a change gives back once applied (a new version, say).
Applied = TypeVar("Applied", covariant=True)
Result = TypeVar("Result")


@dataclass(kw_only=True)
class Change(ABC, Generic[Applied]):
    """A change to a definition: who may make it, which days it alters, how it applies.

    ``unit`` is where the right is needed and whose approvers decide a request (None: the
    whole organisation; with ``shared`` the right held anywhere is enough, as for the shared
    KPI catalogue; ``also_on`` lists further units where the right is needed, as both ends of
    a move). The change alters the days from ``starts`` up to ``until`` (None: open). A
    ``governed`` change alters what scores those days (a target, a weight, a rule, a KPI's
    definition, first ones included, an objective's move or retirement, or a new objective
    where a scorecard counts missing data): a closed period refuses it, and an open one
    takes it only through an approved change request. Other changes (a name, a catalogue
    entry, a new KPI, or a new objective where the scorecards skip missing data, which
    score nothing until measured) may be made any day.
    """

    right: Capability
    unit: OrgUnit | None
    shared: bool = False
    also_on: tuple[OrgUnit, ...] = ()
    starts: dt.date
    until: dt.date | None = None
    governed: bool

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
    for unit in change.also_on:
        require_on_unit(actor, change.right, unit)


def check(change: Change[object]) -> bool:
    """The change's own rules and the periods it touches; False when it would change nothing."""
    change.validate()
    if change.unchanged:
        return False
    if change.governed:
        require_direct_change_allowed(change.starts, change.until)
    return True


def admit(actor: AnyUser, change: Change[object]) -> bool:
    """Checks of a direct change; False when it would change nothing (nothing is written)."""
    authorise(actor, change)
    return check(change)


def perform(actor: AnyUser, change: Change[Result], *, reason: str, source: str) -> Result | None:
    """Admit ``change`` and apply it inside the caller's transaction; None when it would
    change nothing. For changes that alter no score; the others go through scoring's
    ``carry_out``, which also rescores."""
    if not admit(actor, change):
        return None
    return change.apply(actor, reason=reason, source=source)
