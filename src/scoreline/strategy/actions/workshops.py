"""Priority workshops: departments allocate points to themes or objectives, and the
agreed allocation sets the objectives' weights."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from django.contrib.auth.models import User
from django.db import transaction

from scoreline.access.capabilities import Capability
from scoreline.access.scope import (
    AnyUser,
    require_on_unit,
)
from scoreline.audit.chain import record_event, snapshot
from scoreline.engine.errors import EngineInputError
from scoreline.engine.workshop import agreed_weights
from scoreline.lib.errors import Invalid
from scoreline.lib.versioned import version_on
from scoreline.org.models import OrgUnit, Person
from scoreline.planning.changes import admit
from scoreline.strategy.actions.objectives import prepare_objective_update
from scoreline.strategy.actions.shared import lock_objective, require_nonblank
from scoreline.strategy.models import (
    Objective,
    ObjectiveVersion,
    Theme,
    Workshop,
    WorkshopAllocation,
    WorkshopItem,
    WorkshopParticipant,
    WorkshopState,
    WorkshopSubject,
)
from scoreline.strategy.queries import allocation_matrix

__all__ = [
    "AGREEMENT_METHODS",
    "POINTS_TOLERANCE",
    "POINTS_TOTAL",
    "ParticipantSpec",
    "do_agree_weights",
    "do_create_workshop",
    "do_record_allocation",
]

AGREEMENT_METHODS = ("mean", "median")


POINTS_TOTAL = 100.0


POINTS_TOLERANCE = 1e-6


@dataclass(frozen=True)
class ParticipantSpec:
    """A participant of a workshop and the department they speak for."""

    person: Person
    department: OrgUnit


def _check_items(
    unit: OrgUnit, subject: str, items: Sequence[Theme | Objective], day: dt.date
) -> None:
    if len(items) < 2:
        raise Invalid.field("items", "a workshop weighs at least two items")
    expected = Theme if subject == WorkshopSubject.THEMES else Objective
    for index, item in enumerate(items):
        if not isinstance(item, expected):
            raise Invalid.field(f"items[{index}]", f"a workshop on {subject} weighs only {subject}")
    keys = [item.pk for item in items]
    if len(set(keys)) != len(keys):
        raise Invalid.field("items", "an item appears twice")
    if expected is Objective:
        for index, item in enumerate(items):
            assert isinstance(item, Objective)
            version = version_on(ObjectiveVersion, day, objective=item)
            if version is None:
                raise Invalid.field(f"items[{index}]", f"{item.code} is not in force on {day}")
            if version.unit is None or not version.unit.path.startswith(unit.path):
                raise Invalid.field(
                    f"items[{index}]",
                    f"{item.code} is not an objective of {unit.name} or a unit below it",
                )


def _check_participants(unit: OrgUnit, participants: Sequence[ParticipantSpec]) -> None:
    if not participants:
        raise Invalid.field("participants", "a workshop needs at least one participant")
    people: set[int] = set()
    departments: set[int] = set()
    for index, spec in enumerate(participants):
        field = f"participants[{index}]"
        if spec.person.pk in people:
            raise Invalid.field(field, f"{spec.person} takes part twice")
        if spec.department.pk in departments:
            raise Invalid.field(field, f"{spec.department.name} already has a participant")
        if not spec.department.path.startswith(unit.path):
            raise Invalid.field(
                field, f"{spec.department.name} is not {unit.name} or a unit below it"
            )
        people.add(spec.person.pk)
        departments.add(spec.department.pk)


@transaction.atomic
def do_create_workshop(
    actor: AnyUser,
    *,
    name: str,
    unit: OrgUnit,
    subject: str,
    held_on: dt.date,
    items: Sequence[Theme | Objective],
    participants: Sequence[ParticipantSpec],
    reason: str = "",
) -> Workshop:
    """Set up a priority workshop of ``unit`` on themes or on objectives of the unit's subtree."""
    require_on_unit(actor, Capability.EDIT_STRATEGY, unit)
    require_nonblank("name", name)
    if subject not in WorkshopSubject.values:
        raise Invalid.field("subject", f"unknown subject {subject!r}: themes or objectives")
    _check_items(unit, subject, items, held_on)
    _check_participants(unit, participants)
    workshop = Workshop.objects.create(
        name=name,
        unit=unit,
        subject=subject,
        held_on=held_on,
        facilitator=actor if isinstance(actor, User) else None,
    )
    for item in items:
        if isinstance(item, Theme):
            WorkshopItem.objects.create(workshop=workshop, theme=item)
        else:
            WorkshopItem.objects.create(workshop=workshop, objective=item)
    for spec in participants:
        WorkshopParticipant.objects.create(
            workshop=workshop, person=spec.person, department=spec.department
        )
    record_event(
        actor,
        "workshop.create",
        "workshop",
        workshop.pk,
        after={
            **snapshot(workshop),
            "items": [item.pk for item in items],
            "participants": [[spec.person.pk, spec.department.pk] for spec in participants],
        },
        reason=reason,
    )
    return workshop


def _locked_workshop(workshop: Workshop) -> Workshop:
    return Workshop.objects.select_for_update().select_related("unit").get(pk=workshop.pk)


def _require_open(workshop: Workshop) -> None:
    if workshop.state != WorkshopState.OPEN:
        raise Invalid(f"{workshop.name} has already agreed its weights", code="workshop_agreed")


def _participant_label(participant: WorkshopParticipant) -> str:
    return f"{participant.person} ({participant.department.name})"


@transaction.atomic
def do_record_allocation(
    actor: AnyUser,
    participant: WorkshopParticipant,
    points: Mapping[WorkshopItem, float],
    *,
    reason: str = "",
) -> list[WorkshopAllocation]:
    """Record how a participant spreads 100 points over the items, replacing any earlier spread.

    Items left out get no points. The facilitating side (edit-strategy right on the workshop's
    unit) records for anyone; a participant may record their own.
    """
    participant = WorkshopParticipant.objects.select_related("person", "department").get(
        pk=participant.pk
    )
    workshop = _locked_workshop(participant.workshop)
    own = getattr(actor, "is_authenticated", False) and participant.person.user_id == actor.pk
    if not own:
        require_on_unit(actor, Capability.EDIT_STRATEGY, workshop.unit)
    _require_open(workshop)
    items = {item.pk: item for item in workshop.items.all()}
    label = _participant_label(participant)
    spread: dict[int, float] = dict.fromkeys(items, 0.0)
    for item, value in points.items():
        if item.pk not in items:
            raise Invalid.field("points", f"item {item} is not on the table of {workshop.name}")
        if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
            raise Invalid.field(
                "points",
                f"{label} gives {value!r} points to {item}: points are finite and not negative",
            )
        spread[item.pk] = float(value)
    total = math.fsum(spread.values())
    if abs(total - POINTS_TOTAL) > POINTS_TOLERANCE:
        raise Invalid.field(
            "points",
            f"{label} allocates {total:g} points; the points must total 100",
            code="points_total",
        )
    previous = {
        str(row.item_id): row.points
        for row in WorkshopAllocation.objects.filter(participant=participant)
    }
    WorkshopAllocation.objects.filter(participant=participant).delete()
    rows = WorkshopAllocation.objects.bulk_create(
        WorkshopAllocation(participant=participant, item_id=item_id, points=value)
        for item_id, value in spread.items()
    )
    record_event(
        actor,
        "workshop.allocate",
        "workshop_participant",
        participant.pk,
        before={"workshop": workshop.pk, "points": previous} if previous else None,
        after={
            "workshop": workshop.pk,
            "points": {str(key): value for key, value in spread.items()},
        },
        reason=reason,
    )
    return rows


@transaction.atomic
def do_agree_weights(
    actor: AnyUser,
    workshop: Workshop,
    *,
    method: str,
    effective: dt.date,
    reason: str = "",
) -> Workshop:
    """Close the workshop on the weights agreed by ``method`` (mean or median of the points).

    Every item gets its agreed weight; in a workshop on objectives these become the
    objectives' weights from ``effective`` (weight changes, so under change control).
    """
    workshop = _locked_workshop(workshop)
    require_on_unit(actor, Capability.EDIT_STRATEGY, workshop.unit)
    _require_open(workshop)
    if method not in AGREEMENT_METHODS:
        raise Invalid.field("method", f"unknown method {method!r}: mean or median")
    items, participants, rows = allocation_matrix(workshop)
    missing = [
        _participant_label(participant)
        for participant, row in zip(participants, rows, strict=True)
        if any(math.isnan(points) for points in row)
    ]
    if missing:
        raise Invalid.field(
            "participants", f"no allocation yet from {', '.join(missing)}", code="incomplete"
        )
    chosen: Literal["mean", "median"] = "mean" if method == "mean" else "median"
    try:
        weights = [float(weight) for weight in agreed_weights(rows, chosen)]
    except EngineInputError as error:
        raise Invalid.field("points", str(error)) from error
    if not all(math.isfinite(weight) for weight in weights):
        raise Invalid.field(
            "method",
            f"the {method} of the points is 0 for every item: no weights to agree",
            code="no_agreement",
        )
    source = f"workshop:{workshop.pk}"
    why = f"Agreed in workshop {workshop.name} ({method})" + (f": {reason}" if reason else "")
    if workshop.subject == WorkshopSubject.OBJECTIVES:
        # Every weight is checked before any is written.
        changes = [
            prepare_objective_update(lock_objective(item.objective), {"weight": weight}, effective)
            for item, weight in zip(items, weights, strict=True)
            if item.objective is not None
        ]
        admitted = [change for change in changes if admit(actor, change)]
        for change in admitted:
            change.apply(actor, reason=why, source=source)
    for item, weight in zip(items, weights, strict=True):
        item.agreed_weight = weight
        item.save(update_fields=["agreed_weight"])
    before = snapshot(workshop)
    workshop.state = WorkshopState.AGREED
    workshop.agreed_method = method
    workshop.agreed_on = effective
    workshop.save(update_fields=["state", "agreed_method", "agreed_on"])
    record_event(
        actor,
        "workshop.agree",
        "workshop",
        workshop.pk,
        before=before,
        after={**snapshot(workshop), "weights": {str(i.pk): i.agreed_weight for i in items}},
        reason=reason,
    )
    return workshop
