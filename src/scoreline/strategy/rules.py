"""The rules of the cascade and the strategy map, written once.

The actions check a change with them before they write it, strategy files check their
records with them, and the check of stored rows (``scoreline check``) runs them over what
the database holds. Each rule raises ``Invalid`` naming the field at fault.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from scoreline.engine.graph import find_cycle
from scoreline.lib.errors import Invalid
from scoreline.org.models import OrgUnit
from scoreline.strategy.models import ObjectiveVersion
from scoreline.strategy.queries import cascade_level

__all__ = ["check_acyclic", "check_parent_version", "check_placement", "cycle_error"]


def check_placement(
    parent: str,
    parent_unit: OrgUnit,
    home: OrgUnit,
    child_unit: OrgUnit | None,
    whose: str = "",
) -> None:
    """A parent belongs to the child's unit (``home``: an individual goal's person's primary
    unit, ``whose`` the person) or one above it, at the child's cascade level or above
    (``child_unit`` None: the child is an individual goal)."""
    if not home.path.startswith(parent_unit.path):
        where = f"{whose}'s unit {home.name}" if whose else home.name
        raise Invalid.field(
            "parent",
            f"{parent} belongs to {parent_unit.name}, which is neither {where} nor a unit above it",
            code="cascade",
        )
    parent_level = cascade_level(parent_unit.kind)
    child_level = cascade_level(child_unit.kind if child_unit is not None else None)
    if parent_level > child_level:
        raise Invalid.field(
            "parent",
            f"{parent} is a {parent_level.label} objective and cannot lead a "
            f"{child_level.label} one: the cascade runs corporate, business unit, department, "
            "team, individual",
            code="cascade",
        )


def check_parent_version(
    parent: str,
    parent_version: ObjectiveVersion | None,
    day: dt.date,
    home: OrgUnit,
    child_unit: OrgUnit | None,
    whose: str = "",
) -> None:
    """The parent ``parent`` (its version in force on ``day``, None if there is none) can
    lead a child of ``home`` on that day: in force, a unit's objective, placed above."""
    if parent_version is None:
        raise Invalid.field("parent", f"{parent} is not in force on {day}", code="cascade")
    if parent_version.unit is None:
        raise Invalid.field(
            "parent",
            f"{parent} is an individual goal; only a unit's objective can be a parent",
            code="cascade",
        )
    check_placement(parent, parent_version.unit, home, child_unit, whose)


def cycle_error(cycle: list[str], *, field: str, graph: str, proposed: bool = True) -> Invalid:
    """The ``graph`` (the cascade, the strategy map) has ``cycle``; the message says it
    "would have" one for a ``proposed`` change, "has" one for stored rows."""
    verb = "would have" if proposed else "has"
    return Invalid.field(field, f"{graph} {verb} a cycle: {' -> '.join(cycle)}", code="cycle")


def check_acyclic(edges: Iterable[tuple[str, str]], *, field: str, graph: str) -> None:
    """The ``graph`` drawn by ``edges`` (a proposed change included) has no cycle."""
    cycle = find_cycle(list(edges))
    if cycle is not None:
        raise cycle_error(cycle, field=field, graph=graph)
