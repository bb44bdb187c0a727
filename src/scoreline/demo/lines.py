"""Reporting lines: one solid line each, and a matrix of project and dotted lines with weights.

About one person in eight splits their time: 60/40, 70/30 or 80/20 between the solid line
and a project lead (a project line) or the group head of their function (a dotted line).
When the second line starts later than the solid one, the solid line first runs alone at
100 and is then replaced, as ``do_set_reporting_lines`` would leave the history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from scoreline.demo.org import UnitPlan
from scoreline.demo.people import PersonPlan
from scoreline.org.models import LineKind, UnitKind

__all__ = ["LinePlan", "plan_lines"]

SPLITS = ((60, 40), (70, 30), (80, 20))
SPLIT_ODDS = np.array([0.3, 0.4, 0.3])
MATRIX_SHARE = 0.13
DOTTED_SHARE = 0.25


@dataclass(slots=True)
class LinePlan:
    person: int
    manager: int
    kind: str
    unit: int | None
    weight: int
    valid_from: dt.date
    valid_until: dt.date | None


def _functional_heads(units: list[UnitPlan], people: list[PersonPlan]) -> dict[str, int]:
    """The group head of each function: the head of its first top-level department."""
    heads = {person.heads: person.index for person in people if person.heads is not None}
    found: dict[str, int] = {}
    for unit in units:
        parent = units[unit.parent] if unit.parent is not None else None
        top_level = parent is not None and parent.kind != UnitKind.DEPARTMENT
        if unit.kind == UnitKind.DEPARTMENT and top_level and unit.function not in found:
            found[unit.function] = heads[unit.index]
    return found


def plan_lines(
    units: list[UnitPlan], people: list[PersonPlan], rng: np.random.Generator
) -> list[LinePlan]:
    count = len(people)
    matrix = rng.random(count) < MATRIX_SHARE
    dotted = rng.random(count) < DOTTED_SHARE
    split_pick = rng.choice(len(SPLITS), size=count, p=SPLIT_ODDS)
    projects = [unit for unit in units if unit.kind == UnitKind.PROJECT]
    project_pick = rng.integers(0, len(projects), size=count)
    project_leads = {person.heads: person.index for person in people if person.heads is not None}
    functional = _functional_heads(units, people)

    lines: list[LinePlan] = []
    for person in people:
        if person.manager is None:
            continue
        unit = units[person.unit]
        second: tuple[int, str, int | None, dt.date] | None = None
        eligible = (
            matrix[person.index]
            and person.heads is None
            and person.leave_date is None
            and units[unit.entity].kind != UnitKind.ACQUIRED_ENTITY
        )
        if eligible and dotted[person.index]:
            head = functional.get(unit.function)
            if head is not None and head != person.manager:
                start = max(person.line_start, people[head].hire_date)
                second = (head, LineKind.DOTTED, None, start)
        elif eligible:
            project = projects[int(project_pick[person.index])]
            lead = project_leads[project.index]
            start = max(person.line_start, people[lead].hire_date, project.valid_from)
            second = (lead, LineKind.PROJECT, project.index, start)

        if second is None:
            lines.append(_solid(person, 100, person.line_start, person.leave_date))
            continue
        manager, kind, line_unit, start = second
        if start > person.line_start:
            lines.append(_solid(person, 100, person.line_start, start))
        solid_weight, second_weight = SPLITS[int(split_pick[person.index])]
        lines.append(_solid(person, solid_weight, start, None))
        lines.append(LinePlan(person.index, manager, kind, line_unit, second_weight, start, None))
    return lines


def _solid(person: PersonPlan, weight: int, start: dt.date, until: dt.date | None) -> LinePlan:
    assert person.manager is not None
    return LinePlan(person.index, person.manager, LineKind.SOLID, None, weight, start, until)
