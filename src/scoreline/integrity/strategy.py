"""The cascade and the strategy map as stored: every parent placed as the actions require,
no cycles."""

from __future__ import annotations

import datetime as dt

from scoreline.engine.graph import find_cycle
from scoreline.integrity.findings import Findings
from scoreline.lib.dates import effective_on
from scoreline.lib.errors import Invalid
from scoreline.strategy.actions.shared import holder_unit
from scoreline.strategy.models import ObjectiveLink, ObjectiveVersion
from scoreline.strategy.rules import check_parent_version, cycle_error

__all__ = ["check_cascade", "check_map"]


def check_cascade(day: dt.date, findings: Findings) -> None:
    """Each objective in force on ``day`` with a parent: the parent is in force, a unit's
    objective, in the child's unit or above and at its level or above; no cycles."""
    related = ("objective", "parent", "unit", "person__primary_unit")
    versions = findings.read_in_force(ObjectiveVersion, day, related, ("objective__code",))
    in_force = {version.objective_id: version for version in versions}
    edges: list[tuple[str, str]] = []
    for version in versions:
        if version.parent is None:
            continue
        code, parent = version.objective.code, version.parent.code
        edges.append((parent, code))
        try:
            check_parent_version(
                parent,
                in_force.get(version.parent.pk),
                day,
                holder_unit(version),
                version.unit,
                str(version.person) if version.person is not None else "",
            )
        except Invalid as error:
            findings.refused("objective", code, error)
    # A cycle is named by the child of one of its edges: that row's parent closes it.
    for _, child, cycle in _cycles(edges, field="parent", graph="the cascade"):
        findings.refused("objective", child, cycle)


def check_map(day: dt.date, findings: Findings) -> None:
    """The cause-and-effect links in force on ``day`` form no cycle."""
    links = list(
        ObjectiveLink.objects.filter(effective_on(day)).values_list("cause__code", "effect__code")
    )
    findings.read(len(links))
    for cause, effect, cycle in _cycles(links, field="effect", graph="the strategy map"):
        findings.refused("link", f"{cause}->{effect}", cycle)


def _cycles(
    edges: list[tuple[str, str]], *, field: str, graph: str
) -> list[tuple[str, str, Invalid]]:
    """Every cycle of the graph, each named by one of its edges: a cycle is reported, that
    edge set aside, and the rest searched again."""
    remaining = set(edges)
    found = []
    while (cycle := find_cycle(sorted(remaining))) is not None:
        found.append(
            (cycle[0], cycle[1], cycle_error(cycle, field=field, graph=graph, proposed=False))
        )
        remaining.discard((cycle[0], cycle[1]))
    return found
