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
from typing import Any, cast

from django.db.models import Exists, OuterRef, Q, QuerySet

from scoreline.access.capabilities import Capability
from scoreline.access.scope import (
    AnyUser,
    capability_paths,
    holds_anywhere,
    holds_on_unit,
    is_active,
    is_member,
    people_q,
    sees_every_unit,
    visible_to,
)
from scoreline.engine.workshop import AllocationSummary, summarise_allocations
from scoreline.kpis.models import Kpi, KpiVersion
from scoreline.lib.dates import effective_on
from scoreline.lib.errors import AccessDenied, NotFound
from scoreline.lib.tree import subtrees_q
from scoreline.lib.versioned import diff_versions, version_on
from scoreline.org.models import OrgUnit, Person, UnitKind
from scoreline.strategy.models import (
    Objective,
    ObjectiveLink,
    ObjectiveMeasure,
    ObjectiveVersion,
    Perspective,
    Workshop,
    WorkshopAllocation,
    WorkshopItem,
    WorkshopParticipant,
)

__all__ = [
    "CascadeLevel",
    "EsgItem",
    "MapLane",
    "MapLink",
    "MeasureRow",
    "ObjectiveDetail",
    "ScorecardRow",
    "StrategyMap",
    "VersionChange",
    "WorkshopSummary",
    "allocation_matrix",
    "cascade_level",
    "esg_items",
    "item_key",
    "may_see_objective",
    "objective_detail",
    "objectives_for",
    "scorecard_rows",
    "strategy_map",
    "unmeasured_objectives",
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


def unmeasured_objectives(user: AnyUser, day: dt.date) -> QuerySet[ObjectiveVersion]:
    """Objectives in force on ``day`` that no KPI in force measures: each is a gap to flag."""
    measured = ObjectiveMeasure.objects.filter(
        effective_on(day),
        effective_on(day, "kpi__versions__"),
        objective=OuterRef("objective"),
    )
    return objectives_for(user, day).exclude(Exists(measured))


@dataclass(frozen=True)
class VersionChange:
    """One version of an objective and what it changed from the one before."""

    version: ObjectiveVersion
    changes: dict[str, tuple[Any, Any]]

    @property
    def author(self) -> Any:
        return self.version.author

    @property
    def reason(self) -> str:
        return self.version.reason

    @property
    def source(self) -> str:
        return self.version.source


@dataclass(frozen=True)
class MeasureRow:
    """A KPI measuring an objective on the day, with its weight in the objective's score."""

    measure: ObjectiveMeasure
    kpi: Kpi
    definition: KpiVersion
    weight: float


@dataclass(frozen=True)
class ObjectiveDetail:
    """An objective on a day: its version, history, place in the cascade, links and KPIs."""

    objective: Objective
    day: dt.date
    version: ObjectiveVersion | None
    history: list[VersionChange]
    parent: ObjectiveVersion | None
    children: list[ObjectiveVersion]
    causes: list[ObjectiveVersion]
    effects: list[ObjectiveVersion]
    measures: list[MeasureRow]

    @property
    def level(self) -> CascadeLevel | None:
        if self.version is None:
            return None
        return cascade_level(self.version.unit.kind if self.version.unit is not None else None)

    @property
    def measured(self) -> bool:
        """Whether any KPI measures the objective; one with none is flagged."""
        return bool(self.measures)


def _measures(objective_ids: list[int], day: dt.date) -> dict[int, list[MeasureRow]]:
    """The KPIs measuring each objective on ``day``, by KPI code (two queries for all)."""
    measures = (
        ObjectiveMeasure.objects.filter(effective_on(day), objective_id__in=objective_ids)
        .select_related("kpi")
        .order_by("kpi__code")
    )
    definitions = {
        version.kpi_id: version
        for version in KpiVersion.objects.filter(
            effective_on(day), kpi_id__in={measure.kpi_id for measure in measures}
        )
    }
    rows: dict[int, list[MeasureRow]] = {pk: [] for pk in objective_ids}
    for measure in measures:
        if measure.kpi_id in definitions:
            row = MeasureRow(measure, measure.kpi, definitions[measure.kpi_id], measure.weight)
            rows[measure.objective_id].append(row)
    return rows


@dataclass(frozen=True)
class ScorecardRow:
    """What a scorecard shows of an objective: the KPIs measuring it and its visible children."""

    measures: list[MeasureRow]
    children: list[ObjectiveVersion]


def scorecard_rows(
    user: AnyUser, versions: list[ObjectiveVersion], day: dt.date
) -> dict[int, ScorecardRow]:
    """:class:`ScorecardRow` of many objectives at once, by objective id, in three queries.

    ``versions`` are versions ``user`` may see (as :func:`objectives_for` gives them); the
    children are those in force on ``day`` that ``user`` may see.
    """
    ids = [version.objective_id for version in versions]
    children: dict[int, list[ObjectiveVersion]] = {pk: [] for pk in ids}
    visible = _in_force(day).filter(_versions_q(user), parent_id__in=ids)
    for child in visible.order_by("objective__code"):
        children[cast(int, child.parent_id)].append(child)
    measures = _measures(ids, day)
    return {pk: ScorecardRow(measures[pk], children[pk]) for pk in ids}


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
    history = [
        VersionChange(version, diff_versions(versions[index - 1] if index else None, version))
        for index, version in enumerate(versions)
    ]
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
        measures=_measures([objective.pk], day)[objective.pk],
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


@dataclass
class EsgItem:
    """An objective or KPI carrying an ESG pillar, a disclosure reference or a requirement.

    ``status`` is left empty here: the caller fills it from the scores of the day.
    """

    kind: str  # "objective" or "kpi"
    code: str
    name: str
    pillar: str
    disclosure_ref: str
    required_by: str
    unit: OrgUnit | None = None
    person: Person | None = None
    objective: Objective | None = None
    kpi: Kpi | None = None
    status: str = ""


def _esg_q() -> Q:
    return ~Q(esg_pillar="") | ~Q(disclosure_ref="") | ~Q(required_by="")


def esg_items(user: AnyUser, day: dt.date) -> list[EsgItem]:
    """The ESG view: visible objectives and KPI definitions in force on ``day`` that carry an
    ESG pillar, a disclosure reference or a regulator/investor requirement, by pillar."""
    items = [
        EsgItem(
            kind="objective",
            code=version.objective.code,
            name=version.name,
            pillar=version.esg_pillar,
            disclosure_ref=version.disclosure_ref,
            required_by=version.required_by,
            unit=version.unit,
            person=version.person,
            objective=version.objective,
        )
        for version in objectives_for(user, day).filter(_esg_q())
    ]
    if holds_anywhere(user, Capability.VIEW_ORG) or is_member(user):
        definitions = (
            KpiVersion.objects.filter(effective_on(day))
            .filter(_esg_q())
            .select_related("kpi")
            .order_by("kpi__code")
        )
        items += [
            EsgItem(
                kind="kpi",
                code=version.kpi.code,
                name=version.name,
                pillar=version.esg_pillar,
                disclosure_ref=version.disclosure_ref,
                required_by=version.required_by,
                kpi=version.kpi,
            )
            for version in definitions
        ]
    pillars = ["E", "S", "G", ""]
    return sorted(items, key=lambda item: (pillars.index(item.pillar), item.kind, item.code))


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
