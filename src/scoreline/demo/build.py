"""Plan the demo enterprise from a seed, then write it in bulk in one transaction.

Planning is pure Python over one ``numpy`` generator, so a seed and a head count always
give the same enterprise. Writing bypasses the per-row actions for speed (this is a
generator, not user input) but leaves the same shapes they leave: a version row for every
unit, effective-dated reporting lines whose weights sum to 100, and one audit event
describing the build.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

import numpy as np
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from rich.progress import Progress

from scoreline.audit.chain import record_event
from scoreline.audit.models import AuditEvent
from scoreline.demo.changes import build_change_requests
from scoreline.demo.lines import LinePlan, plan_lines
from scoreline.demo.money import RatePlan, plan_fx_rates
from scoreline.demo.org import ENTITIES, UnitPlan, plan_units
from scoreline.demo.people import PersonPlan, plan_people
from scoreline.demo.personas import choose_personas, create_personas
from scoreline.demo.strategy import build_strategy
from scoreline.demo.workshops import build_workshops
from scoreline.lib.dates import today
from scoreline.lib.errors import Invalid
from scoreline.org.models import (
    FiscalCalendar,
    FxRate,
    OrgUnit,
    PeriodType,
    Person,
    ReportingLine,
    UnitVersion,
)
from scoreline.scoring.pipeline import recompute

__all__ = [
    "DEMO_BUILD_ACTION",
    "MAX_EMPLOYEES",
    "MIN_EMPLOYEES",
    "BuildParameters",
    "DemoPlan",
    "build_demo",
    "plan_demo",
    "recorded_build",
]

DEMO_BUILD_ACTION = "demo.build"
MIN_EMPLOYEES, MAX_EMPLOYEES = 200, 500_000
BATCH = 2_000
# The group reports on the parent company's fiscal year.
GROUP_FISCAL_START = 4

T = TypeVar("T")
Advance = Callable[[int], None]


@dataclass(frozen=True)
class BuildParameters:
    employees: int
    seed: int


@dataclass(frozen=True)
class DemoPlan:
    employees: int
    seed: int
    units: list[UnitPlan]
    people: list[PersonPlan]
    lines: list[LinePlan]
    rates: list[RatePlan]
    personas: dict[str, int]


def _check_size(employees: int) -> None:
    if not MIN_EMPLOYEES <= employees <= MAX_EMPLOYEES:
        raise Invalid.field(
            "employees",
            f"--employees must be between {MIN_EMPLOYEES:,} and {MAX_EMPLOYEES:,}, got {employees:,}",
        )


def plan_demo(employees: int, seed: int) -> DemoPlan:
    """The whole enterprise as plain data; nothing is written."""
    _check_size(employees)
    rng = np.random.default_rng(seed)
    units = plan_units(employees, rng)
    people = plan_people(units, rng)
    lines = plan_lines(units, people, rng)
    rates = plan_fx_rates(sorted({unit.currency for unit in units}), rng)
    personas = choose_personas(units, people)
    return DemoPlan(employees, seed, units, people, lines, rates, personas)


def recorded_build() -> BuildParameters | None:
    """The parameters of the demo this database holds, from its build event; None if none."""
    event = AuditEvent.objects.filter(action=DEMO_BUILD_ACTION).order_by("-seq").first()
    if event is None or not isinstance(event.after, dict):
        return None
    return BuildParameters(int(event.after["employees"]), int(event.after["seed"]))


def _batches(items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Steps:
    """Progress bars when a rich ``Progress`` is given, silence otherwise."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress

    def task(self, description: str, total: int) -> Advance:
        progress = self.progress
        if progress is None:
            return lambda done: None
        task_id = progress.add_task(description, total=total)
        return lambda done: progress.advance(task_id, done)


def build_demo(
    employees: int, seed: int, *, password: str, progress: Progress | None = None
) -> DemoPlan:
    """Plan and write the demo into an empty database; returns the plan it wrote."""
    _check_size(employees)
    steps = _Steps(progress)
    advance = steps.task("Planning the enterprise", 1)
    plan = plan_demo(employees, seed)
    advance(1)
    with transaction.atomic():
        if OrgUnit.objects.exists():
            raise Invalid("the database already holds an organisation; the demo needs an empty one")
        unit_ids = _write_units(plan.units, steps)
        person_ids = _write_people(plan.people, unit_ids, steps)
        _write_managers_and_versions(plan, unit_ids, person_ids, steps)
        _write_lines(plan.lines, unit_ids, person_ids, steps)
        _write_reference_data(plan, unit_ids)
        build_strategy(
            plan, unit_ids, person_ids, fiscal_start=GROUP_FISCAL_START, progress=progress
        )
        advance = steps.task("Scoring every value", 1)
        recompute()
        advance(1)
        advance = steps.task("Creating the persona logins", 1)
        root = OrgUnit.objects.get(pk=unit_ids[0])
        users = create_personas(plan.personas, person_ids, root, make_password(password))
        advance(1)
        # Through the actions, as the personas: an approved request rescores its KPI.
        advance = steps.task("Workshops and change requests", 1)
        day = today()
        build_workshops(users, seed, fiscal_start=GROUP_FISCAL_START, today=day)
        build_change_requests(users, seed, fiscal_start=GROUP_FISCAL_START, today=day)
        advance(1)
        record_event(
            None,
            DEMO_BUILD_ACTION,
            "org_unit",
            root.pk,
            after={
                "employees": employees,
                "seed": seed,
                "units": len(plan.units),
                "people": len(plan.people),
                "reporting_lines": len(plan.lines),
                "fx_rates": len(plan.rates),
                "personas": sorted(["admin", *plan.personas]),
            },
            reason="demo enterprise generated by `scoreline demo`",
        )
    return plan


def _write_units(units: list[UnitPlan], steps: _Steps) -> list[int]:
    advance = steps.task("Units", len(units))
    ids: list[int] = []
    for batch in _batches(units):
        created = OrgUnit.objects.bulk_create(
            OrgUnit(
                path=unit.path,
                depth=unit.depth,
                numchild=len(unit.children),
                code=unit.code,
                name=unit.name,
                kind=unit.kind,
                country_id=unit.country,
                currency_id=unit.currency,
                cost_centre=unit.cost_centre,
                valid_from=unit.valid_from,
            )
            for unit in batch
        )
        ids.extend(row.pk for row in created)
        advance(len(batch))
    return ids


def _write_people(people: list[PersonPlan], unit_ids: list[int], steps: _Steps) -> list[int]:
    advance = steps.task("People", len(people))
    ids: list[int] = []
    for batch in _batches(people):
        created = Person.objects.bulk_create(
            Person(
                employee_id=person.employee_id,
                kind=person.kind,
                first_name=person.first_name,
                last_name=person.last_name,
                email=person.email,
                job_title=person.job_title,
                job_family=person.job_family,
                job_level=person.job_level,
                grade=person.grade,
                fte=person.fte,
                hire_date=person.hire_date,
                leave_date=person.leave_date,
                country_id=person.country,
                location=person.location,
                primary_unit_id=unit_ids[person.unit],
                base_salary=person.base_salary,
                salary_currency_id=person.salary_currency,
                gender=person.gender,
                date_of_birth=person.date_of_birth,
            )
            for person in batch
        )
        ids.extend(row.pk for row in created)
        advance(len(batch))
    return ids


def _write_managers_and_versions(
    plan: DemoPlan, unit_ids: list[int], person_ids: list[int], steps: _Steps
) -> None:
    advance = steps.task("Unit managers and versions", len(plan.units))
    head_of = {person.heads: person.index for person in plan.people if person.heads is not None}
    table = connection.ops.quote_name(OrgUnit._meta.db_table)
    with connection.cursor() as cursor:
        for batch in _batches(plan.units):
            cursor.executemany(
                f"UPDATE {table} SET manager_id = %s WHERE id = %s",
                [(person_ids[head_of[unit.index]], unit_ids[unit.index]) for unit in batch],
            )
            UnitVersion.objects.bulk_create(
                UnitVersion(
                    unit_id=unit_ids[unit.index],
                    parent_id=unit_ids[unit.parent] if unit.parent is not None else None,
                    name=unit.name,
                    manager_id=person_ids[head_of[unit.index]],
                    valid_from=unit.valid_from,
                )
                for unit in batch
            )
            advance(len(batch))


def _write_lines(
    lines: list[LinePlan], unit_ids: list[int], person_ids: list[int], steps: _Steps
) -> None:
    advance = steps.task("Reporting lines", len(lines))
    for batch in _batches(lines):
        ReportingLine.objects.bulk_create(
            ReportingLine(
                person_id=person_ids[line.person],
                manager_id=person_ids[line.manager],
                kind=line.kind,
                unit_id=unit_ids[line.unit] if line.unit is not None else None,
                weight=Decimal(line.weight),
                valid_from=line.valid_from,
                valid_until=line.valid_until,
            )
            for line in batch
        )
        advance(len(batch))


def _write_reference_data(plan: DemoPlan, unit_ids: list[int]) -> None:
    """Fiscal calendars of the group and its companies, and the FX rates between their currencies."""
    by_code = {unit.code: unit for unit in plan.units}
    calendars = [
        FiscalCalendar(
            legal_entity_id=unit_ids[0],
            year_start_month=GROUP_FISCAL_START,
            period_type=PeriodType.MONTH,
        )
    ]
    calendars += [
        FiscalCalendar(
            legal_entity_id=unit_ids[by_code[spec.code].index],
            year_start_month=spec.fiscal_year_start,
            period_type=spec.period_type,
        )
        for spec in ENTITIES
    ]
    FiscalCalendar.objects.bulk_create(calendars)
    FxRate.objects.bulk_create(
        (
            FxRate(base_id=rate.base, quote_id=rate.quote, rate_date=rate.rate_date, rate=rate.rate)
            for rate in plan.rates
        ),
        batch_size=BATCH,
    )
