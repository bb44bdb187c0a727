"""Reads of the strategy, always through the access rules.

An objective of a unit is seen by whoever holds the view-organisation right on the unit,
and by every member of the organisation (a user linked to a person), who sees the whole
structure anyway. An individual goal is seen by those who may see the person's ratings:
the person, their line managers, HR and executives.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from enum import IntEnum
from typing import cast

from django.db.models import Q, QuerySet

from scoreline.access.capabilities import Capability
from scoreline.access.scope import (
    AnyUser,
    capability_paths,
    holds_on_unit,
    is_active,
    people_q,
    sees_every_unit,
    visible_to,
)
from scoreline.engine.workshop import AllocationSummary, summarise_allocations
from scoreline.lib.dates import effective_on
from scoreline.lib.errors import AccessDenied, NotFound
from scoreline.lib.tree import subtrees_q
from scoreline.lib.versioned import VersionChange, version_history, version_on
from scoreline.org.models import OrgUnit, Person, UnitKind
from scoreline.org.queries import own_unit, units_for
from scoreline.strategy.models import (
    Objective,
    ObjectiveLink,
    ObjectiveVersion,
    Perspective,
    Workshop,
    WorkshopAllocation,
    WorkshopItem,
    WorkshopParticipant,
)

__all__ = [
    "CascadeLevel",
    "MapLane",
    "MapLink",
    "ObjectiveDetail",
    "StrategyMap",
    "WorkshopSummary",
    "allocation_matrix",
    "cascade_level",
    "item_key",
    "may_see_objective",
    "objective_detail",
    "objectives_for",
    "strategy_map",
    "strategy_unit",
    "workshop_summary",
    "workshops_for",
]


# The cascade ------------------------------------------------------------------------------------


class CascadeLevel(IntEnum):
    """Levels of the objective cascade, from the top down."""

    CORPORATE = 0
    BUSINESS_UNIT = 1
    DEPARTMENT = 2
    TEAM = 3
    INDIVIDUAL = 4

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").lower()


_UNIT_LEVEL = {
    UnitKind.GROUP: CascadeLevel.CORPORATE,
    UnitKind.LEGAL_ENTITY: CascadeLevel.CORPORATE,
    UnitKind.JOINT_VENTURE: CascadeLevel.CORPORATE,
    UnitKind.ACQUIRED_ENTITY: CascadeLevel.CORPORATE,
    UnitKind.BUSINESS_UNIT: CascadeLevel.BUSINESS_UNIT,
    UnitKind.SHARED_SERVICE_CENTRE: CascadeLevel.BUSINESS_UNIT,
    UnitKind.DEPARTMENT: CascadeLevel.DEPARTMENT,
    UnitKind.PROJECT: CascadeLevel.DEPARTMENT,
    UnitKind.TEAM: CascadeLevel.TEAM,
}


def cascade_level(unit_kind: str | None) -> CascadeLevel:
    """The cascade level of an objective of a unit of this kind; ``None``: an individual goal."""
    if unit_kind is None:
        return CascadeLevel.INDIVIDUAL
    return _UNIT_LEVEL[UnitKind(unit_kind)]


# Scope ------------------------------------------------------------------------------------------


def _units_q(user: AnyUser, lookup: str) -> Q:
    """Rows whose unit (reached through ``lookup``) ``user`` may see the strategy of."""
    if sees_every_unit(user):
        return Q(**{f"{lookup}__isnull": False})
    return subtrees_q(capability_paths(user, Capability.VIEW_ORG), f"{lookup}__path")


def _versions_q(user: AnyUser) -> Q:
    """Objective versions ``user`` may see: of a visible unit, or of a visible person."""
    return _units_q(user, "unit") | people_q(user, Capability.VIEW_RATINGS, "person")


def _may_see_unit(user: AnyUser, unit: OrgUnit) -> bool:
    return sees_every_unit(user) or holds_on_unit(user, Capability.VIEW_ORG, unit)


def _may_see_version(user: AnyUser, version: ObjectiveVersion) -> bool:
    if version.unit is not None:
        return _may_see_unit(user, version.unit)
    people = Person.objects.filter(pk=cast(int, version.person_id))
    return visible_to(user, people, Capability.VIEW_RATINGS).exists()


def may_see_objective(user: AnyUser, objective: Objective, day: dt.date) -> bool:
    """Whether ``user`` may see ``objective`` as it stands on ``day`` (or as it last stood)."""
    version = _version_or_last(objective, day)
    return version is not None and _may_see_version(user, version)


def _version_or_last(objective: Objective, day: dt.date) -> ObjectiveVersion | None:
    version = version_on(ObjectiveVersion, day, objective=objective)
    if version is None:
        version = ObjectiveVersion.objects.filter(objective=objective).order_by("valid_from").last()
    return version


def _in_force(day: dt.date) -> QuerySet[ObjectiveVersion]:
    return ObjectiveVersion.objects.filter(effective_on(day)).select_related(
        "objective", "perspective", "theme", "unit", "person", "owner", "parent"
    )


# Objectives -----------------------------------------------------------------------------------


def objectives_for(
    user: AnyUser, day: dt.date, *, unit: OrgUnit | None = None, person: Person | None = None
) -> QuerySet[ObjectiveVersion]:
    """The versions in force on ``day`` of the objectives ``user`` may see (``.objective`` for
    the identity), by perspective and code; only ``unit``'s own objectives (or ``person``'s
    goals) when it is given."""
    versions = _in_force(day).filter(_versions_q(user))
    if unit is not None:
        versions = versions.filter(unit=unit)
    if person is not None:
        versions = versions.filter(person=person)
    return versions.order_by("perspective__position", "perspective__code", "objective__code")


def strategy_unit(user: AnyUser, day: dt.date) -> OrgUnit | None:
    """The unit whose strategy and scorecard ``user`` opens on: their own unit
    (``org.queries.own_unit``) or, when it has no objectives in force on ``day``, the nearest
    unit above it that has (a team without objectives of its own is steered by its
    department's)."""
    unit = own_unit(user)
    if unit is None:
        return None
    steplen = OrgUnit.steplen
    chain = [unit.path[: steplen * level] for level in range(1, unit.depth + 1)]
    nearest = (
        objectives_for(user, day)
        .filter(unit__path__in=chain)
        .order_by("-unit__depth")
        .values_list("unit_id", flat=True)
        .first()
    )
    if nearest is None:
        return unit
    return units_for(user).filter(pk=nearest).first() or unit


@dataclass(frozen=True)
class ObjectiveDetail:
    """An objective on a day: its version, history, place in the cascade and links."""

    objective: Objective
    day: dt.date
    version: ObjectiveVersion | None
    history: list[VersionChange]
    parent: ObjectiveVersion | None
    children: list[ObjectiveVersion]
    causes: list[ObjectiveVersion]
    effects: list[ObjectiveVersion]

    @property
    def level(self) -> CascadeLevel | None:
        if self.version is None:
            return None
        return cascade_level(self.version.unit.kind if self.version.unit is not None else None)


def objective_detail(user: AnyUser, objective: Objective, day: dt.date) -> ObjectiveDetail:
    """Everything about one objective on ``day``; NotFound unless ``user`` may see it.

    The history lists every version, oldest first, with the fields each changed.
    Children, parent and linked objectives are those in force on ``day`` that ``user`` may
    see.
    """
    if not may_see_objective(user, objective, day):
        raise NotFound(f"No objective {objective.code}.")
    versions = list(
        ObjectiveVersion.objects.filter(objective=objective)
        .select_related("author")
        .order_by("valid_from")
    )
    history = version_history(versions)
    version = next((v for v in versions if v.in_force_on(day)), None)
    visible = _in_force(day).filter(_versions_q(user))
    parent = None
    if version is not None and version.parent_id is not None:
        parent = visible.filter(objective_id=version.parent_id).first()
    links = ObjectiveLink.objects.filter(effective_on(day))
    causes = links.filter(effect=objective).values("cause_id")
    effects = links.filter(cause=objective).values("effect_id")
    by_code = ("objective__code",)
    return ObjectiveDetail(
        objective=objective,
        day=day,
        version=version,
        history=history,
        parent=parent,
        children=list(visible.filter(parent=objective).order_by(*by_code)),
        causes=list(visible.filter(objective_id__in=causes).order_by(*by_code)),
        effects=list(visible.filter(objective_id__in=effects).order_by(*by_code)),
    )


# The strategy map -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapLane:
    """One perspective of the map with the unit's objectives in it."""

    perspective: Perspective
    objectives: list[ObjectiveVersion]


@dataclass(frozen=True)
class MapLink:
    """A cause-and-effect arrow between two objectives on the map."""

    cause: ObjectiveVersion
    effect: ObjectiveVersion


@dataclass(frozen=True)
class StrategyMap:
    unit: OrgUnit
    day: dt.date
    lanes: list[MapLane]
    links: list[MapLink]


def strategy_map(user: AnyUser, unit: OrgUnit, day: dt.date) -> StrategyMap:
    """The perspectives in order, each with ``unit``'s objectives in force on ``day``, and the
    arrows between those objectives."""
    if not _may_see_unit(user, unit):
        raise AccessDenied(f"You need the '{Capability.VIEW_ORG.label}' right on {unit.name}.")
    versions = list(objectives_for(user, day, unit=unit))
    by_objective = {version.objective_id: version for version in versions}
    lanes = [
        MapLane(perspective, [v for v in versions if v.perspective_id == perspective.pk])
        for perspective in Perspective.objects.all()
    ]
    arrows = (
        ObjectiveLink.objects.filter(effective_on(day))
        .filter(cause_id__in=list(by_objective), effect_id__in=list(by_objective))
        .order_by("cause__code", "effect__code")
    )
    links = [MapLink(by_objective[a.cause_id], by_objective[a.effect_id]) for a in arrows]
    return StrategyMap(unit=unit, day=day, lanes=lanes, links=links)


# ESG ------------------------------------------------------------------------------------------------


# Workshops ----------------------------------------------------------------------------------------


def workshops_for(user: AnyUser) -> QuerySet[Workshop]:
    """Workshops of units whose strategy ``user`` may see, and those ``user`` takes part in."""
    if not is_active(user):
        return Workshop.objects.none()
    mine = WorkshopParticipant.objects.filter(person__user_id=cast(int, user.pk)).values(
        "workshop_id"
    )
    return Workshop.objects.filter(_units_q(user, "unit") | Q(pk__in=mine)).select_related("unit")


def allocation_matrix(
    workshop: Workshop,
) -> tuple[list[WorkshopItem], list[WorkshopParticipant], list[list[float]]]:
    """The items, every participant, and their points (participants x items).

    A participant who has not allocated yet has a row of NaN.
    """
    items = list(workshop.items.select_related("theme", "objective"))
    participants = list(workshop.participants.select_related("person", "department"))
    points: dict[tuple[int, int], float] = {
        (row.participant_id, row.item_id): row.points
        for row in WorkshopAllocation.objects.filter(participant__workshop=workshop)
    }
    allocated = {participant_id for participant_id, _ in points}
    rows = [
        [points.get((participant.pk, item.pk), 0.0) for item in items]
        if participant.pk in allocated
        else [math.nan] * len(items)
        for participant in participants
    ]
    return items, participants, rows


def item_key(item: WorkshopItem) -> str:
    """The code of the theme or objective on the table."""
    subject = item.theme if item.theme is not None else item.objective
    assert subject is not None  # an item holds exactly one of the two
    return subject.code


@dataclass(frozen=True)
class WorkshopSummary:
    """Where a workshop stands: the points, per-item statistics, agreement and conflicts.

    ``summary`` labels participants by their department's name and items by code.
    """

    workshop: Workshop
    items: list[WorkshopItem]
    participants: list[WorkshopParticipant]
    points: list[list[float]]
    summary: AllocationSummary
    waiting: list[WorkshopParticipant] = field(default_factory=list)


def workshop_summary(user: AnyUser, workshop: Workshop) -> WorkshopSummary:
    """Summarise the allocations so far; NotFound unless ``user`` may see the workshop."""
    if not workshops_for(user).filter(pk=workshop.pk).exists():
        raise NotFound(f"No workshop {workshop.pk}.")
    items, participants, rows = allocation_matrix(workshop)
    summary = summarise_allocations(
        rows,
        [participant.department.name for participant in participants],
        [item_key(item) for item in items],
    )
    waiting = [p for p, row in zip(participants, rows, strict=True) if math.isnan(row[0])]
    return WorkshopSummary(
        workshop=workshop,
        items=items,
        participants=participants,
        points=rows,
        summary=summary,
        waiting=waiting,
    )
