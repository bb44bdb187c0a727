from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from scoreline.access.actions import do_grant_role
from scoreline.access.models import Role
from scoreline.kpis.models import Kpi, KpiValue
from scoreline.lib.errors import AccessDenied, Invalid
from scoreline.scoring.actions.values import do_record_value
from scoreline.scoring.models import Score
from tests.builders.enterprise import Enterprise
from tests.builders.kpis import (
    MONTH,
    MakeKpi,
    MakePeriod,
    events,
    nothing_written,
    set_target,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def revenue(enterprise: Enterprise, make_kpi: MakeKpi) -> Kpi:
    """A level KPI in EUR with a flat monthly target of 100 at Sales (red below 90%)."""
    kpi = make_kpi("revenue", unit="EUR", time_aggregation="average")
    set_target(enterprise, kpi)
    return kpi


def record(
    enterprise: Enterprise,
    kpi: Kpi,
    value: Any,
    *,
    actor: str = "steward",
    unit: str | None = "SALES",
    person: str | None = None,
    **fields: Any,
) -> KpiValue:
    return do_record_value(
        enterprise.users[actor],
        kpi,
        period=fields.pop("period", MONTH),
        value=value,
        unit=enterprise.units[unit] if unit and not person else None,
        person=enterprise.people[person] if person else None,
        **fields,
    )


def test_the_data_steward_enters_a_value_and_it_is_scored(
    enterprise: Enterprise, revenue: Kpi
) -> None:
    row = record(enterprise, revenue, 105.0, reason="monthly close")
    assert (row.value, row.source, row.entered_by) == (105.0, "manual", enterprise.users["steward"])
    (event,) = events("kpi_value.record")
    assert event.before is None and event.after is not None and event.after["value"] == 105.0
    assert event.reason == "monthly close"
    score = Score.objects.get(kind="kpi", kpi=revenue, unit=enterprise.units["SALES"], period=MONTH)
    assert score.value == 105.0 and score.status == "green"


def test_a_correction_keeps_the_value_before_in_the_audit_trail(
    enterprise: Enterprise, revenue: Kpi
) -> None:
    record(enterprise, revenue, 105.0)
    row = record(enterprise, revenue, 97.0)
    assert KpiValue.objects.get().value == 97.0 and row.value == 97.0
    event = events("kpi_value.record")[-1]
    assert event.before is not None and event.after is not None
    assert (event.before["value"], event.after["value"]) == (105.0, 97.0)
    score = Score.objects.get(kind="kpi", kpi=revenue, unit=enterprise.units["SALES"])
    assert score.value == 97.0 and score.status == "amber"


def test_entering_the_same_value_again_writes_nothing(enterprise: Enterprise, revenue: Kpi) -> None:
    record(enterprise, revenue, 105.0)
    with nothing_written():
        record(enterprise, revenue, 105.0)


def test_a_red_value_needs_a_note(enterprise: Enterprise, revenue: Kpi) -> None:
    with nothing_written(), pytest.raises(Invalid) as error:
        record(enterprise, revenue, 50.0)
    assert error.value.code == "note_required" and "note" in error.value.fields
    with nothing_written(), pytest.raises(Invalid):
        record(enterprise, revenue, 50.0, note="   ")
    row = record(enterprise, revenue, 50.0, note="Lost the biggest client")
    assert row.note == "Lost the biggest client"


def test_a_value_without_a_target_needs_no_note(enterprise: Enterprise, revenue: Kpi) -> None:
    row = record(enterprise, revenue, 1.0, unit="FIN")
    assert row.value == 1.0 and row.note == ""


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf"), "12", None, True])
def test_a_value_must_be_a_finite_number(enterprise: Enterprise, revenue: Kpi, value: Any) -> None:
    with nothing_written(), pytest.raises(Invalid) as error:
        record(enterprise, revenue, value)
    assert "value" in error.value.fields


def test_a_value_given_in_another_unit_is_refused(enterprise: Enterprise, revenue: Kpi) -> None:
    with nothing_written(), pytest.raises(Invalid) as error:
        record(enterprise, revenue, 100.0, unit_of_measure="USD")
    assert "unit_of_measure" in error.value.fields and "EUR" in error.value.message
    assert record(enterprise, revenue, 100.0, unit_of_measure="EUR").value == 100.0


def test_percent_values_are_not_clamped(enterprise: Enterprise, make_kpi: MakeKpi) -> None:
    share = make_kpi("share", unit="%", time_aggregation="average")
    assert record(enterprise, share, 130.0).value == 130.0
    assert record(enterprise, share, -5.0, unit="FIN").value == -5.0


def test_a_formula_kpi_is_not_entered_by_hand(
    enterprise: Enterprise, revenue: Kpi, make_kpi: MakeKpi
) -> None:
    doubled = make_kpi("doubled", unit="EUR", formula="revenue * 2")
    with nothing_written(), pytest.raises(Invalid) as error:
        record(enterprise, doubled, 10.0)
    assert error.value.code == "calculated"


def test_a_value_belongs_to_the_first_day_of_a_month_the_kpi_is_in_force(
    enterprise: Enterprise, revenue: Kpi
) -> None:
    with nothing_written(), pytest.raises(Invalid) as error:
        record(enterprise, revenue, 100.0, period=dt.date(2026, 3, 15))
    assert "period" in error.value.fields
    with nothing_written(), pytest.raises(Invalid) as error:
        record(enterprise, revenue, 100.0, period=dt.date(2023, 3, 1))
    assert "period" in error.value.fields and error.value.code == "not_in_force"


def test_a_value_belongs_to_a_unit_or_a_person(enterprise: Enterprise, revenue: Kpi) -> None:
    with nothing_written(), pytest.raises(Invalid) as error:
        record(enterprise, revenue, 100.0, unit=None)
    assert set(error.value.fields) == {"unit", "person"}
    row = record(enterprise, revenue, 100.0, person="seller0")
    assert row.person == enterprise.people["seller0"] and row.unit is None


@pytest.mark.parametrize("persona", ["manager", "employee", "hr", "outsider"])
def test_entering_values_needs_the_enter_values_right(
    enterprise: Enterprise, revenue: Kpi, persona: str
) -> None:
    with nothing_written(), pytest.raises(AccessDenied):
        record(enterprise, revenue, 100.0, actor=persona)
    with nothing_written(), pytest.raises(AccessDenied):
        record(enterprise, revenue, 100.0, actor=persona, person="employee")


def test_the_enter_values_right_on_a_team_covers_its_people_and_no_others(
    enterprise: Enterprise, revenue: Kpi
) -> None:
    do_grant_role(
        enterprise.users["admin"],
        enterprise.users["employee"],
        Role.objects.get(code="data_steward"),
        enterprise.units["SALES-N"],
    )
    assert record(enterprise, revenue, 100.0, actor="employee", unit="SALES-N").value == 100.0
    assert record(enterprise, revenue, 100.0, actor="employee", person="seller3").value == 100.0
    with nothing_written(), pytest.raises(AccessDenied):
        record(enterprise, revenue, 100.0, actor="employee", unit="SALES")
    with nothing_written(), pytest.raises(AccessDenied):
        record(enterprise, revenue, 100.0, actor="employee", person="fin1")


def test_a_value_in_a_closed_period_is_refused(
    enterprise: Enterprise, revenue: Kpi, make_period: MakePeriod
) -> None:
    make_period("FY2025", dt.date(2025, 1, 1), dt.date(2026, 1, 1), "closed")
    with nothing_written(), pytest.raises(Invalid) as error:
        record(enterprise, revenue, 100.0, period=dt.date(2025, 12, 1))
    assert error.value.code == "period_closed" and "period" in error.value.fields
    assert record(enterprise, revenue, 100.0).value == 100.0


def test_a_value_for_the_last_month_of_the_calendar_is_refused_by_name(
    enterprise: Enterprise, make_kpi: MakeKpi
) -> None:
    kpi = make_kpi("revenue")
    with pytest.raises(Invalid) as error:
        do_record_value(
            enterprise.users["steward"], kpi, unit=enterprise.units["UK"],
            period=dt.date(9999, 12, 1), value=1.0,
        )  # fmt: skip
    assert "period" in error.value.fields
