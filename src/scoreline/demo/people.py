"""The demo's people: heads of units and team members with jobs, pay, dates and attributes.

All random draws are made as arrays in one fixed order, so the same seed and head count
always produce the same people, whatever the speed of the machine.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from scoreline.demo.names import NAMES, email_local_part, surname_for
from scoreline.demo.org import FUNCTIONS, REFERENCE_DATE, UnitPlan
from scoreline.org.models import Gender, PersonKind, UnitKind

__all__ = ["EMAIL_DOMAIN", "PersonPlan", "plan_people"]

EMAIL_DOMAIN = "meridian.example"
YEAR = 365.25

# Annual full-time base pay at level 1, local currency; each level pays about 20% more.
LEVEL_ONE_PAY = {"GBP": 23_000, "EUR": 27_000, "USD": 38_000, "SGD": 36_000, "PLN": 60_000}
LEVEL_STEP = 1.2
SENIORITY = {1: "Trainee", 2: "Associate", 3: "", 4: "Senior", 5: "Lead", 6: "Principal"}
MEMBER_LEVELS = np.array([1, 2, 3, 4, 5, 6])
MEMBER_LEVEL_ODDS = np.array([0.04, 0.14, 0.32, 0.28, 0.14, 0.08])
PART_TIME_FTE = ("0.500", "0.600", "0.800", "0.900")
GENDERS = (Gender.FEMALE, Gender.MALE, Gender.NON_BINARY, Gender.UNDISCLOSED)
GENDER_ODDS = np.array([0.47, 0.49, 0.01, 0.03])
# The acquired company started long before it joined the group.
ACQUIRED_FOUNDED = dt.date(2014, 3, 1)
LEAVERS_FROM, LEAVERS_UNTIL = dt.date(2025, 1, 1), dt.date(2025, 12, 31)


@dataclass(slots=True)
class PersonPlan:
    index: int
    employee_id: str
    kind: str
    first_name: str
    last_name: str
    email: str
    job_title: str
    job_family: str
    job_level: int
    grade: str
    fte: Decimal
    hire_date: dt.date
    leave_date: dt.date | None
    country: str
    location: str
    unit: int
    base_salary: Decimal | None
    salary_currency: str | None
    gender: str
    date_of_birth: dt.date
    heads: int | None
    # The solid-line manager (a person index) and the first day the line can hold.
    manager: int | None = None
    line_start: dt.date = REFERENCE_DATE


def _head_level(unit: UnitPlan, units: list[UnitPlan], rng_value: float) -> int:
    bump = 1 if rng_value < 0.5 else 0
    if unit.kind == UnitKind.GROUP:
        return 15
    if unit.kind in {
        UnitKind.LEGAL_ENTITY,
        UnitKind.SHARED_SERVICE_CENTRE,
        UnitKind.JOINT_VENTURE,
        UnitKind.ACQUIRED_ENTITY,
    }:
        return 12 + bump
    if unit.kind == UnitKind.BUSINESS_UNIT:
        return 10 + bump
    if unit.kind == UnitKind.PROJECT:
        return 9 + bump
    if unit.kind == UnitKind.DEPARTMENT:
        parent = units[unit.parent] if unit.parent is not None else unit
        return 8 if parent.kind == UnitKind.DEPARTMENT else 8 + bump
    return 6 + bump


def _head_title(unit: UnitPlan, entity: UnitPlan) -> tuple[str, str]:
    """Job title and job family of the person heading ``unit``."""
    family = FUNCTIONS[unit.function].job_family if unit.function else "General Management"
    titles = {
        UnitKind.GROUP: "Group Chief Executive Officer",
        UnitKind.LEGAL_ENTITY: f"Chief Executive, {unit.name}",
        UnitKind.SHARED_SERVICE_CENTRE: "Director of Business Services",
        UnitKind.JOINT_VENTURE: "Managing Director, Nordwind Energy",
        UnitKind.ACQUIRED_ENTITY: f"Founder and Chief Executive, {unit.name}",
        UnitKind.BUSINESS_UNIT: f"General Manager, {unit.name} ({entity.code})",
        UnitKind.PROJECT: f"Programme Director, {unit.name}",
        UnitKind.DEPARTMENT: f"Head of {unit.name}",
        UnitKind.TEAM: f"Team Lead, {unit.function}",
    }
    if unit.kind == UnitKind.PROJECT:
        family = "Project Management"
    return titles[UnitKind(unit.kind)], family


def plan_people(units: list[UnitPlan], rng: np.random.Generator) -> list[PersonPlan]:
    """Heads first within each unit, units in tree order; numbers follow that order."""
    slots: list[tuple[int, bool]] = []  # (unit index, is head)
    for unit in units:
        slots.append((unit.index, True))
        slots.extend((unit.index, False) for _ in range(unit.members))
    count = len(slots)

    gender_pick = rng.choice(len(GENDERS), size=count, p=GENDER_ODDS)
    either_list = rng.random(count)
    first_pick = rng.integers(0, 1 << 30, size=count)
    last_pick = rng.integers(0, 1 << 30, size=count)
    level_pick = rng.choice(MEMBER_LEVELS, size=count, p=MEMBER_LEVEL_ODDS)
    head_bump = rng.random(count)
    age_noise = rng.normal(0.0, 1.0, size=count)
    tenure_draw = rng.exponential(1.0, size=count)
    pay_noise = rng.normal(0.0, 0.09, size=count)
    part_time = rng.random(count) < 0.09
    fte_pick = rng.integers(0, len(PART_TIME_FTE), size=count)
    contractor = rng.random(count) < 0.06
    leaver = rng.random(count) < 0.02
    leave_offset = rng.random(count)
    day_offset = rng.integers(0, 365, size=count)

    heads: dict[int, int] = {}
    emails: dict[str, int] = {}
    people: list[PersonPlan] = []
    for index, (unit_index, is_head) in enumerate(slots):
        unit = units[unit_index]
        entity = units[unit.entity]
        names = NAMES[unit.country]
        gender = GENDERS[int(gender_pick[index])]
        female = gender == Gender.FEMALE or (
            gender != Gender.MALE and float(either_list[index]) < 0.5
        )
        firsts = names.female if female else names.male
        first = firsts[int(first_pick[index]) % len(firsts)]
        last = surname_for(
            unit.country, names.last[int(last_pick[index]) % len(names.last)], female
        )
        local = email_local_part(first, last)
        seen = emails.get(local, 0) + 1
        emails[local] = seen
        email = f"{local}{seen if seen > 1 else ''}@{EMAIL_DOMAIN}"

        if is_head:
            level = _head_level(unit, units, float(head_bump[index]))
            title, family = _head_title(unit, entity)
            age = float(np.clip(30 + 1.6 * level + 5 * age_noise[index], 28, 66))
            tenure = 9.0 * float(tenure_draw[index])
            kind = PersonKind.EMPLOYEE
        else:
            level = int(level_pick[index])
            function = FUNCTIONS[unit.function]
            title = f"{SENIORITY[level]} {function.job_noun}".strip()
            family = function.job_family
            age = float(np.clip(27 + 2.5 * level + 8 * age_noise[index], 20, 66))
            tenure = 5.0 * float(tenure_draw[index])
            kind = PersonKind.CONTRACTOR if contractor[index] else PersonKind.EMPLOYEE
        founded = ACQUIRED_FOUNDED if entity.kind == UnitKind.ACQUIRED_ENTITY else entity.valid_from
        longest = min((REFERENCE_DATE - founded).days / YEAR, age - 18.5)
        tenure = float(np.clip(tenure, 30 / YEAR, max(longest, 30 / YEAR)))
        hire = REFERENCE_DATE - dt.timedelta(days=int(tenure * YEAR) + int(day_offset[index]) % 28)
        born = REFERENCE_DATE - dt.timedelta(days=int(age * YEAR) + int(day_offset[index]))

        if kind == PersonKind.CONTRACTOR:
            fte, salary, currency = Decimal("1.000"), None, None
        else:
            fte = Decimal(PART_TIME_FTE[int(fte_pick[index])]) if part_time[index] else Decimal(1)
            full_time = LEVEL_ONE_PAY[unit.currency] * LEVEL_STEP ** (level - 1)
            pay = full_time * float(np.exp(pay_noise[index])) * float(fte)
            salary, currency = Decimal(round(pay / 100.0) * 100), unit.currency
        # The acquired company keeps its own grading until it is integrated.
        acquired = entity.kind == UnitKind.ACQUIRED_ENTITY
        grade = f"BP{level}" if acquired else f"G{level:02d}"

        person = PersonPlan(
            index=index,
            employee_id=f"{'C' if kind == PersonKind.CONTRACTOR else 'E'}{index + 1:06d}",
            kind=kind,
            first_name=first,
            last_name=last,
            email=email,
            job_title=title,
            job_family=family,
            job_level=level,
            grade=grade,
            fte=fte.quantize(Decimal("0.001")),
            hire_date=hire,
            leave_date=None,
            country=unit.country,
            location=unit.city,
            unit=unit_index,
            base_salary=salary,
            salary_currency=currency,
            gender=gender,
            date_of_birth=born,
            heads=unit_index if is_head else None,
        )
        if is_head:
            heads[unit_index] = index
        _place(person, units, people, heads)
        if not is_head and leaver[index] and person.line_start < LEAVERS_FROM:
            span = (LEAVERS_UNTIL - LEAVERS_FROM).days
            person.leave_date = LEAVERS_FROM + dt.timedelta(days=int(leave_offset[index] * span))
        people.append(person)
    return people


def _place(
    person: PersonPlan, units: list[UnitPlan], people: list[PersonPlan], heads: dict[int, int]
) -> None:
    """The solid-line manager: the head of one's unit, or of the unit above for its head."""
    unit = units[person.unit]
    boss_unit = unit.parent if person.heads is not None else unit.index
    if boss_unit is None:
        return  # the group chief executive reports to the board, not to a person
    manager = people[heads[boss_unit]]
    person.manager = manager.index
    person.line_start = max(person.hire_date, manager.hire_date, unit.valid_from)
