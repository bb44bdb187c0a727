"""Writes to the organisation: one transaction, a permission check and an audit event each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from scoreline.access.capabilities import Capability
from scoreline.access.scope import AnyUser, require_everywhere, require_on_unit
from scoreline.audit.chain import record_event, snapshot
from scoreline.lib.errors import AccessDenied, Invalid
from scoreline.org.models import (
    Country,
    Currency,
    FiscalCalendar,
    FxRate,
    LineKind,
    OrgUnit,
    Person,
    ReportingLine,
    UnitKind,
    UnitVersion,
)

__all__ = [
    "LineSpec",
    "Unchanged",
    "do_create_person",
    "do_create_unit",
    "do_save_reference_data",
    "do_set_reporting_lines",
    "do_update_person",
    "do_update_unit",
]


class Unchanged(Enum):
    """Marks an argument the caller leaves as it is (``None`` would mean "clear it")."""

    UNCHANGED = "unchanged"


def _open_version(unit: OrgUnit, day: dt.date) -> None:
    parent = OrgUnit.objects.get_parent(unit, update=True)
    UnitVersion.objects.create(
        unit=unit, parent=parent, name=unit.name, manager=unit.manager, valid_from=day
    )


@transaction.atomic
def do_create_unit(
    actor: AnyUser,
    *,
    code: str,
    name: str,
    kind: str,
    parent: OrgUnit | None,
    country: Country,
    currency: Currency,
    valid_from: dt.date,
    manager: Person | None = None,
    cost_centre: str = "",
    reason: str = "",
) -> OrgUnit:
    if parent is None:
        if not getattr(actor, "is_superuser", False):
            raise AccessDenied("Only an administrator can create a top-level unit.")
    else:
        require_on_unit(actor, Capability.MANAGE_ORG, parent)
    if kind not in UnitKind.values:
        raise Invalid.field("kind", f"unknown unit kind {kind!r}")
    if OrgUnit.objects.filter(code=code).exists():
        raise Invalid.field("code", f"a unit with code {code!r} already exists", code="duplicate")
    fields: dict[str, Any] = dict(
        code=code,
        name=name,
        kind=kind,
        country=country,
        currency=currency,
        manager=manager,
        cost_centre=cost_centre,
        valid_from=valid_from,
    )
    unit = OrgUnit.objects.add_child(parent, fields) if parent else OrgUnit.objects.add_root(fields)
    _open_version(unit, valid_from)
    record_event(
        actor,
        "org.unit.create",
        "org_unit",
        unit.pk,
        after=snapshot(unit),
        reason=reason,
    )
    return unit


def _check_no_cycle(unit: OrgUnit, new_parent: OrgUnit) -> None:
    if new_parent.pk == unit.pk or new_parent.path.startswith(unit.path):
        raise Invalid.field(
            "parent",
            f"{new_parent.code} is {unit.code} itself or lies below it: the tree would have a cycle",
            code="cycle",
        )


@transaction.atomic
def do_update_unit(
    actor: AnyUser,
    unit: OrgUnit,
    *,
    effective: dt.date,
    name: str | None = None,
    manager: Person | Unchanged | None = Unchanged.UNCHANGED,
    parent: OrgUnit | None = None,
    cost_centre: str | None = None,
    reason: str = "",
) -> OrgUnit:
    """Rename, re-manage or move a unit from ``effective`` on, keeping the previous version."""
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    require_on_unit(actor, Capability.MANAGE_ORG, unit)
    current = UnitVersion.objects.filter(unit=unit, valid_until__isnull=True).first()
    if current is not None and effective <= current.valid_from:
        raise Invalid.field(
            "effective",
            f"overlapping effective dates: the current version starts on {current.valid_from}",
            code="overlap",
        )
    before = snapshot(unit)
    current_parent = OrgUnit.objects.get_parent(unit)
    if parent is not None and (current_parent is None or parent.pk != current_parent.pk):
        _check_no_cycle(unit, parent)
        require_on_unit(actor, Capability.MANAGE_ORG, parent)
        OrgUnit.objects.move(unit, parent, pos="last-child")
        unit.refresh_from_db()
    if name is not None:
        unit.name = name
    if manager is not Unchanged.UNCHANGED:
        unit.manager = manager
    if cost_centre is not None:
        unit.cost_centre = cost_centre
    unit.save()
    if current is not None:
        current.valid_until = effective
        current.save(update_fields=["valid_until"])
    _open_version(unit, effective)
    record_event(
        actor,
        "org.unit.update",
        "org_unit",
        unit.pk,
        before=before,
        after=snapshot(unit),
        reason=reason,
    )
    return unit


def _save_person(person: Person) -> None:
    """Validate every field and constraint, then save and re-read the stored values."""
    _clean(person)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as error:
        raise Invalid(
            f"the person conflicts with an existing record: {error}", code="conflict"
        ) from error
    person.refresh_from_db()


@transaction.atomic
def do_create_person(actor: AnyUser, *, reason: str = "", **fields: Any) -> Person:
    person = Person(**fields)
    require_on_unit(actor, Capability.MANAGE_ORG, person.primary_unit)
    if person.base_salary is not None or person.salary_currency_id is not None:
        require_on_unit(actor, Capability.MANAGE_PAY, person.primary_unit)
    _save_person(person)
    record_event(
        actor,
        "org.person.create",
        "person",
        person.pk,
        after=snapshot(person),
        reason=reason,
    )
    return person


@transaction.atomic
def do_update_person(actor: AnyUser, person: Person, *, reason: str = "", **changes: Any) -> Person:
    person = Person.objects.select_for_update().get(pk=person.pk)
    require_on_unit(actor, Capability.MANAGE_ORG, person.primary_unit)
    before = snapshot(person)
    for name, value in changes.items():
        setattr(person, name, value)
    if "primary_unit" in changes:
        require_on_unit(actor, Capability.MANAGE_ORG, person.primary_unit)
    if "base_salary" in changes or "salary_currency" in changes:
        require_on_unit(actor, Capability.MANAGE_PAY, person.primary_unit)
    _save_person(person)
    record_event(
        actor,
        "org.person.update",
        "person",
        person.pk,
        before=before,
        after=snapshot(person),
        reason=reason,
    )
    return person


ReferenceData = Currency | Country | FxRate | FiscalCalendar


def _clean(instance: ReferenceData | Person) -> None:
    """Run every field and constraint check; a failure names the fields at fault."""
    try:
        instance.full_clean(validate_unique=True, validate_constraints=True)
    except ValidationError as error:
        fields = {
            name: [str(message) for message in messages]
            for name, messages in error.message_dict.items()
        }
        first_field, first_messages = next(iter(fields.items()))
        raise Invalid(f"{first_field}: {first_messages[0]}", fields=fields) from None


@transaction.atomic
def do_save_reference_data(actor: AnyUser, instance: ReferenceData, *, reason: str = "") -> None:
    """Create or change a currency, country, FX rate or fiscal calendar, with its audit event.

    A fiscal calendar belongs to its legal entity; the rest is shared by the whole organisation
    and only those who administer all of it may change it.
    """
    if isinstance(instance, FiscalCalendar):
        require_on_unit(actor, Capability.ADMINISTER, instance.legal_entity)
    else:
        require_everywhere(actor, Capability.ADMINISTER)
    _clean(instance)
    model = type(instance)
    stored = (
        model.objects.select_for_update().filter(pk=instance.pk).first() if instance.pk else None
    )
    before = snapshot(stored) if stored is not None else None
    instance.save()
    name = str(model._meta.model_name)
    record_event(
        actor,
        f"org.{name}.save",
        name,
        instance.pk,
        before=before,
        after=snapshot(instance),
        reason=reason,
    )


@dataclass(frozen=True)
class LineSpec:
    manager: Person
    kind: str
    weight: Decimal
    unit: OrgUnit | None = None


def _validate_lines(person: Person, lines: list[LineSpec]) -> None:
    problems: dict[str, list[str]] = {}

    def problem(field: str, reason: str) -> None:
        problems.setdefault(field, []).append(reason)

    solid = [line for line in lines if line.kind == LineKind.SOLID]
    if len(solid) != 1:
        problem("lines", f"exactly one solid (primary) line is required, got {len(solid)}")
    seen: set[tuple[int, str]] = set()
    for index, line in enumerate(lines):
        if line.kind not in LineKind.values:
            problem(f"lines[{index}].kind", f"unknown line kind {line.kind!r}")
        if line.manager.pk == person.pk:
            problem(f"lines[{index}].manager", "a person cannot report to themselves")
        if not line.weight > 0 or line.weight > 100:
            problem(
                f"lines[{index}].weight",
                f"weight must be above 0 and at most 100, got {line.weight}",
            )
        key = (line.manager.pk, line.kind)
        if key in seen:
            problem(
                f"lines[{index}].manager", f"{line.manager} appears twice with kind {line.kind}"
            )
        seen.add(key)
    total = sum((line.weight for line in lines), Decimal(0))
    if lines and total != 100:
        problem("lines", f"weights must sum to 100, got {total}")
    if problems:
        first = next(iter(problems.items()))
        raise Invalid(f"{first[0]}: {first[1][0]}", fields=problems)


@transaction.atomic
def do_set_reporting_lines(
    actor: AnyUser, person: Person, lines: list[LineSpec], *, effective: dt.date, reason: str = ""
) -> list[ReportingLine]:
    """Replace the person's reporting lines from ``effective`` on; earlier lines are kept as history."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    require_on_unit(actor, Capability.MANAGE_ORG, person.primary_unit)
    _validate_lines(person, lines)
    if effective < person.hire_date:
        raise Invalid.field("effective", f"{effective} is before the hire date {person.hire_date}")
    existing = list(
        ReportingLine.objects.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=effective), person=person
        )
    )
    later = [line for line in existing if line.valid_from >= effective]
    if later:
        raise Invalid.field(
            "effective",
            f"overlapping effective dates: lines already start on {max(line.valid_from for line in later)}",
            code="overlap",
        )
    before = [snapshot(line) for line in existing]
    ReportingLine.objects.filter(pk__in=[line.pk for line in existing]).update(
        valid_until=effective
    )
    created = ReportingLine.objects.bulk_create(
        ReportingLine(
            person=person,
            manager=spec.manager,
            kind=spec.kind,
            unit=spec.unit,
            weight=spec.weight,
            valid_from=effective,
        )
        for spec in lines
    )
    record_event(
        actor,
        "org.lines.set",
        "person",
        person.pk,
        before={"lines": before},
        after={"lines": [snapshot(line) for line in created]},
        reason=reason,
    )
    return created
