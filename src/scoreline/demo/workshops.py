"""The demo's priority workshops, set up through the workshop actions: the group's theme
priorities, agreed before the current fiscal year began, and next year's objective priorities
of the manager persona's company, still collecting the departments' allocations.

Every number comes from a generator seeded by the demo's seed; the days follow the day given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
from django.contrib.auth.models import User

from scoreline.lib.months import add_months
from scoreline.lib.periods import Period, fiscal_year_of
from scoreline.org.models import OrgUnit, Person, UnitKind
from scoreline.scoring.actions.objectives import do_agree_weights
from scoreline.strategy.actions.workshops import (
    POINTS_TOTAL,
    ParticipantSpec,
    do_create_workshop,
    do_record_allocation,
)
from scoreline.strategy.models import Objective, Theme, Workshop, WorkshopSubject
from scoreline.strategy.queries import objectives_for

__all__ = ["build_workshops", "spread_points"]

STREAM = 0x3057
# Points are given in steps of this size, as people do with a hundred points to spread.
STEP = 5
# How closely participants agree: the higher, the nearer each spread is to the shared view.
CONSENSUS = 6.0
MAX_ITEMS = 5
MAX_DEPARTMENTS = 6
PARTICIPATING_KINDS = (UnitKind.DEPARTMENT, UnitKind.BUSINESS_UNIT)
COMPANY_KINDS = {
    UnitKind.LEGAL_ENTITY,
    UnitKind.SHARED_SERVICE_CENTRE,
    UnitKind.JOINT_VENTURE,
    UnitKind.ACQUIRED_ENTITY,
}


def spread_points(shares: npt.NDArray[np.float64]) -> list[float]:
    """Shares (summing to 1) as points in steps of :data:`STEP` totalling 100, by the largest
    remainder (Hamilton's apportionment method), so every spread passes the action's check.

    >>> spread_points(np.array([0.47, 0.34, 0.19]))
    [45.0, 35.0, 20.0]
    """
    steps = int(POINTS_TOTAL) // STEP
    exact = shares * steps
    whole = np.floor(exact).astype(np.int64)
    short = steps - int(whole.sum())
    order = np.argsort(-(exact - whole), kind="stable")
    whole[order[:short]] += 1
    return [float(count * STEP) for count in whole]


def _spreads(rng: np.random.Generator, participants: int, items: int) -> list[list[float]]:
    """Each participant's points: around a view they share, each leaning their own way."""
    shared = rng.dirichlet(np.full(items, 2.0))
    return [
        spread_points(rng.dirichlet(shared * CONSENSUS * items + 0.5)) for _ in range(participants)
    ]


def _heads(units: Sequence[OrgUnit]) -> list[ParticipantSpec]:
    """The head of each unit speaking for it (one unit each; units without a head left out)."""
    specs, seen = [], set()
    for unit in units:
        head = unit.manager
        if head is not None and head.pk not in seen:
            seen.add(head.pk)
            specs.append(ParticipantSpec(head, unit))
    return specs


def _allocate(
    facilitator: User,
    workshop: Workshop,
    spreads: Sequence[Sequence[float]],
    who: Sequence[int],
) -> None:
    """Record the spreads of the participants at the positions ``who``, as the facilitator."""
    items = list(workshop.items.all())
    participants = list(workshop.participants.all())
    for position in who:
        points = dict(zip(items, spreads[position], strict=True))
        do_record_allocation(
            facilitator, participants[position], points, reason="Entered from the workshop board"
        )


def _theme_workshop(
    ceo: User, group: OrgUnit, year: Period, rng: np.random.Generator
) -> Workshop | None:
    companies = list(
        OrgUnit.objects.filter(depth=2, kind__in=COMPANY_KINDS)
        .select_related("manager")
        .order_by("path")
    )
    participants = _heads(companies)
    themes = list(Theme.objects.order_by("code"))
    if not participants or len(themes) < 2:
        return None
    held_on = add_months(year.start, -1) + dt.timedelta(days=9)
    workshop = do_create_workshop(
        ceo,
        name=f"Strategic theme priorities {year.label}",
        unit=group,
        subject=WorkshopSubject.THEMES,
        held_on=held_on,
        items=themes,
        participants=participants,
        reason="Annual strategy offsite of the group's company heads",
    )
    spreads = _spreads(rng, len(participants), len(themes))
    _allocate(ceo, workshop, spreads, range(len(participants)))
    return do_agree_weights(
        ceo,
        workshop,
        method="mean",
        effective=year.start,
        reason="The theme weights steer the objectives set for the year",
    )


def _company_of(unit: OrgUnit) -> OrgUnit:
    return OrgUnit.objects.get(path=unit.path[: OrgUnit.steplen * 2])


def _objective_workshop(
    ceo: User,
    department: OrgUnit,
    held_on: dt.date,
    following: Period,
    rng: np.random.Generator,
) -> Workshop | None:
    company = _company_of(department)
    in_force = (
        objectives_for(ceo, held_on)
        .filter(unit__path__startswith=company.path)
        .order_by("unit__depth", "unit__path", "objective__code")
        .values_list("objective_id", flat=True)
    )
    items: list[Theme | Objective] = list(
        Objective.objects.filter(pk__in=list(in_force[:MAX_ITEMS])).order_by("code")
    )
    subject = WorkshopSubject.OBJECTIVES
    if len(items) < 2:  # a company without objectives of its own weighs the themes
        items, subject = list(Theme.objects.order_by("code")), WorkshopSubject.THEMES
    # Departments speak first; a small company's business units join them.
    others = sorted(
        OrgUnit.objects.filter(path__startswith=company.path, kind__in=PARTICIPATING_KINDS)
        .exclude(pk=department.pk)
        .select_related("manager"),
        key=lambda unit: (unit.kind != UnitKind.DEPARTMENT, unit.path),
    )
    participants = _heads([department, *others[: MAX_DEPARTMENTS - 1]])
    if len(items) < 2 or len(participants) < 2:
        return None
    workshop = do_create_workshop(
        ceo,
        name=f"{company.name}: priorities for {following.label}",
        unit=company,
        subject=subject,
        held_on=held_on,
        items=items,
        participants=participants,
        reason="Departments weigh next year's priorities before the budget round",
    )
    spreads = _spreads(rng, len(participants), len(items))
    # Most departments have entered their points; the persona's (first) and a third of the
    # others have not yet.
    waiting = max(1, len(participants) // 3)
    _allocate(ceo, workshop, spreads, range(1, len(participants) - waiting + 1))
    return workshop


def build_workshops(
    users: Mapping[str, User], seed: int, *, fiscal_start: int, today: dt.date
) -> list[Workshop]:
    """The demo's workshops, facilitated by the chief executive: one agreed, one collecting."""
    rng = np.random.default_rng([seed, STREAM])
    ceo = users["ceo"]
    group = OrgUnit.objects.get(depth=1)
    year = fiscal_year_of(today, fiscal_start)
    following = fiscal_year_of(year.end, fiscal_start)
    made = [_theme_workshop(ceo, group, year, rng)]
    manager = Person.objects.filter(user=users["manager"]).first()
    department = OrgUnit.objects.filter(manager=manager).order_by("depth").first()
    if department is not None and department.depth > 2:
        held_on = today - dt.timedelta(days=6)
        made.append(_objective_workshop(ceo, department, held_on, following, rng))
    return [workshop for workshop in made if workshop is not None]
