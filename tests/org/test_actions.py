from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from scoreline.audit.models import AuditEvent
from scoreline.lib.dates import effective_on
from scoreline.lib.errors import AccessDenied, Invalid
from scoreline.org.actions import (
    LineSpec,
    do_create_person,
    do_create_unit,
    do_set_reporting_lines,
    do_update_person,
    do_update_unit,
)
from scoreline.org.models import Country, Currency, OrgUnit, Person, ReportingLine, UnitVersion
from tests.builders.enterprise import Enterprise

pytestmark = pytest.mark.django_db


@contextmanager
def nothing_written() -> Iterator[None]:
    counts = (
        AuditEvent.objects.count(),
        OrgUnit.objects.count(),
        ReportingLine.objects.count(),
        Person.objects.count(),
    )
    yield
    assert counts == (
        AuditEvent.objects.count(),
        OrgUnit.objects.count(),
        ReportingLine.objects.count(),
        Person.objects.count(),
    )


def test_creating_a_unit_needs_the_manage_org_right_on_its_parent(enterprise: Enterprise) -> None:
    uk = enterprise.units["UK"]
    gb, gbp = Country.objects.get(code="GB"), Currency.objects.get(code="GBP")

    def create_operations(user: User) -> OrgUnit:
        return do_create_unit(
            user,
            code="OPS",
            name="Operations",
            kind="department",
            parent=uk,
            country=gb,
            currency=gbp,
            valid_from=dt.date(2024, 1, 1),
        )

    with nothing_written(), pytest.raises(AccessDenied):
        create_operations(enterprise.users["manager"])
    unit = create_operations(enterprise.users["hr"])
    assert unit.path.startswith(enterprise.units["UK"].path)
    assert UnitVersion.objects.filter(unit=unit, valid_until__isnull=True).count() == 1


def test_a_duplicate_unit_code_is_refused_with_the_field(enterprise: Enterprise) -> None:
    with nothing_written(), pytest.raises(Invalid) as error:
        do_create_unit(
            enterprise.users["admin"],
            code="FIN",
            name="Finance again",
            kind="department",
            parent=enterprise.units["UK"],
            country=Country.objects.get(code="GB"),
            currency=Currency.objects.get(code="GBP"),
            valid_from=dt.date(2024, 1, 1),
        )
    assert error.value.fields == {"code": ["a unit with code 'FIN' already exists"]}


def test_moving_a_unit_below_itself_is_refused_as_a_cycle(enterprise: Enterprise) -> None:
    with nothing_written(), pytest.raises(Invalid) as error:
        do_update_unit(
            enterprise.users["admin"],
            enterprise.units["SALES"],
            effective=dt.date(2024, 1, 1),
            parent=enterprise.units["SALES-N"],
        )
    assert error.value.code == "cycle" and "parent" in error.value.fields


def test_a_move_keeps_the_previous_placement_as_history(enterprise: Enterprise) -> None:
    sales = do_update_unit(
        enterprise.users["admin"],
        enterprise.units["SALES"],
        effective=dt.date(2024, 1, 1),
        parent=enterprise.units["DE"],
        reason="Sales moves to Germany",
    )
    assert sales.path.startswith(enterprise.units["DE"].path)
    assert OrgUnit.objects.get(code="SALES-N").path.startswith(sales.path)
    versions = list(UnitVersion.objects.filter(unit=sales).order_by("valid_from"))
    assert [version.parent.code if version.parent else None for version in versions] == [
        "UK",
        "UK",
        "DE",
    ]
    assert versions[-2].valid_until == dt.date(2024, 1, 1)
    event = AuditEvent.objects.filter(action="org.unit.update", object_id=str(sales.pk)).latest(
        "seq"
    )
    assert event.reason == "Sales moves to Germany"
    assert (
        event.before is not None
        and event.after is not None
        and event.before["path"] != event.after["path"]
    )


def test_a_change_dated_before_the_current_version_is_refused_as_overlapping(
    enterprise: Enterprise,
) -> None:
    with nothing_written(), pytest.raises(Invalid) as error:
        do_update_unit(
            enterprise.users["admin"],
            enterprise.units["SALES"],
            effective=dt.date(2019, 6, 1),
            name="Old sales",
        )
    assert error.value.code == "overlap"


def lines(world: Enterprise, *weights: tuple[str, str, int]) -> list[LineSpec]:
    return [
        LineSpec(manager=world.people[key], kind=kind, weight=Decimal(weight))
        for key, kind, weight in weights
    ]


@pytest.mark.parametrize(
    ("weights", "field", "reason"),
    [
        (
            (("manager", "solid", 60), ("lead", "project", 30)),
            "lines",
            "weights must sum to 100, got 90",
        ),
        ((("manager", "dotted", 50), ("lead", "project", 50)), "lines", "exactly one solid"),
        ((("manager", "solid", 50), ("ceo", "solid", 50)), "lines", "exactly one solid"),
        ((("employee", "solid", 100),), "lines[0].manager", "cannot report to themselves"),
        ((("manager", "solid", 120), ("lead", "project", -20)), "lines[0].weight", "at most 100"),
    ],
)
def test_reporting_lines_that_break_a_rule_are_refused_with_the_field(
    enterprise: Enterprise, weights: tuple[tuple[str, str, int], ...], field: str, reason: str
) -> None:
    with nothing_written(), pytest.raises(Invalid) as error:
        do_set_reporting_lines(
            enterprise.users["admin"],
            enterprise.people["employee"],
            lines(enterprise, *weights),
            effective=dt.date(2024, 1, 1),
        )
    assert any(reason in message for message in error.value.fields[field])


def test_new_reporting_lines_close_the_old_ones_and_keep_them_as_history(
    enterprise: Enterprise,
) -> None:
    employee = enterprise.people["employee"]
    do_set_reporting_lines(
        enterprise.users["hr"],
        employee,
        lines(enterprise, ("manager", "solid", 70), ("lead", "project", 30)),
        effective=dt.date(2024, 1, 1),
    )
    in_force = ReportingLine.objects.filter(effective_on(dt.date(2024, 6, 1)), person=employee)
    assert sorted((line.kind, line.weight) for line in in_force) == [("project", 30), ("solid", 70)]
    before = ReportingLine.objects.filter(effective_on(dt.date(2023, 6, 1)), person=employee)
    assert [(line.kind, line.weight) for line in before] == [("solid", 100)]


def test_reporting_lines_cannot_be_dated_before_lines_already_in_place(
    enterprise: Enterprise,
) -> None:
    employee = enterprise.people["employee"]
    do_set_reporting_lines(
        enterprise.users["admin"],
        employee,
        lines(enterprise, ("ceo", "solid", 100)),
        effective=dt.date(2024, 1, 1),
    )
    with nothing_written(), pytest.raises(Invalid) as error:
        do_set_reporting_lines(
            enterprise.users["admin"],
            employee,
            lines(enterprise, ("manager", "solid", 100)),
            effective=dt.date(2023, 1, 1),
        )
    assert error.value.code == "overlap"


def test_a_manager_without_the_manage_org_right_cannot_change_lines(enterprise: Enterprise) -> None:
    with nothing_written(), pytest.raises(AccessDenied):
        do_set_reporting_lines(
            enterprise.users["manager"],
            enterprise.people["employee"],
            lines(enterprise, ("ceo", "solid", 100)),
            effective=dt.date(2024, 1, 1),
        )


def test_a_person_with_an_impossible_fte_is_refused_with_the_field(enterprise: Enterprise) -> None:
    template = enterprise.people["fin1"]
    with nothing_written(), pytest.raises(Invalid) as error:
        do_create_person(
            enterprise.users["admin"],
            employee_id="E9999",
            first_name="A",
            last_name="B",
            email="ab@example.com",
            job_title="x",
            job_family="x",
            job_level=1,
            grade="G1",
            fte=Decimal("1.5"),
            hire_date=dt.date(2024, 1, 1),
            country=template.country,
            primary_unit=template.primary_unit,
        )
    assert "fte" in error.value.fields


def test_changing_pay_needs_the_manage_pay_right_on_top_of_manage_org(
    enterprise: Enterprise,
) -> None:
    employee = enterprise.people["employee"]
    with nothing_written(), pytest.raises(AccessDenied):
        do_update_person(enterprise.users["hr"], employee, base_salary=Decimal(99_000))
    do_update_person(
        enterprise.users["hr"], employee, job_title="Senior specialist", reason="promotion"
    )
    assert Person.objects.get(pk=employee.pk).job_title == "Senior specialist"
    do_update_person(enterprise.users["admin"], employee, base_salary=Decimal(99_000))
    event = AuditEvent.objects.filter(
        action="org.person.update", object_id=str(employee.pk)
    ).latest("seq")
    assert event.before is not None and event.after is not None
    assert (event.before["base_salary"], event.after["base_salary"]) == ("45000.00", "99000.00")


def test_reference_data_changes_are_audited_and_need_the_whole_organisation(
    enterprise: Enterprise,
) -> None:
    from scoreline.org.actions import do_save_reference_data
    from scoreline.org.models import FxRate

    rate = FxRate(
        base_id="GBP", quote_id="EUR", rate_date=dt.date(2026, 1, 31), rate=Decimal("1.1700")
    )
    with nothing_written(), pytest.raises(AccessDenied):
        do_save_reference_data(enterprise.users["hr"], rate)
    do_save_reference_data(enterprise.users["admin"], rate, reason="month-end rate")
    event = AuditEvent.objects.filter(action="org.fxrate.save").get()
    assert event.before is None and event.after is not None and event.after["rate"] == "1.1700"
    rate.rate = Decimal("1.1800")
    do_save_reference_data(enterprise.users["admin"], rate, reason="corrected")
    changed = AuditEvent.objects.filter(action="org.fxrate.save").latest("seq")
    assert changed.before is not None and changed.before["rate"] == "1.1700000000"


def test_a_bad_fx_rate_is_refused_with_the_field(enterprise: Enterprise) -> None:
    from scoreline.org.actions import do_save_reference_data
    from scoreline.org.models import FxRate

    with nothing_written(), pytest.raises(Invalid) as error:
        do_save_reference_data(
            enterprise.users["admin"],
            FxRate(
                base_id="GBP", quote_id="EUR", rate_date=dt.date(2026, 1, 31), rate=Decimal("-1")
            ),
        )
    assert error.value.fields


def test_a_fiscal_calendar_applies_to_every_unit_below_its_legal_entity(
    enterprise: Enterprise,
) -> None:
    from scoreline.org.actions import do_save_reference_data
    from scoreline.org.models import FiscalCalendar
    from scoreline.org.queries import fiscal_calendar_of

    assert fiscal_calendar_of(enterprise.units["SALES-N"]) is None
    calendar = FiscalCalendar(
        legal_entity=enterprise.units["UK"], year_start_month=4, period_type="month"
    )
    do_save_reference_data(enterprise.users["admin"], calendar)
    found = fiscal_calendar_of(enterprise.units["SALES-N"])
    assert found == calendar
    assert found.period_of(dt.date(2026, 11, 25)).label == "FY2027-M08"
    assert fiscal_calendar_of(enterprise.units["DE"]) is None
