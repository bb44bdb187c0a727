from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol

import pytest
from django.contrib.auth.models import User

from scoreline.access.actions import do_grant_role
from scoreline.access.models import Role
from scoreline.governance.actions import do_decide_change, do_request_change
from scoreline.governance.queries import change_requests_for
from scoreline.kpis.models import Kpi
from scoreline.kpis.queries import (
    can_see_catalogue,
    kpi_history,
    kpi_version_on,
    kpis_for,
    targets_for,
    values_for,
)
from scoreline.org.models import OrgUnit, Person
from scoreline.scoring.actions.definitions import do_retire_kpi, do_update_kpi
from scoreline.scoring.actions.values import do_record_value
from scoreline.scoring.queries import scores_for
from tests.builders.enterprise import Enterprise
from tests.builders.kpis import DAY, MONTH, YEAR_END, YEAR_START, MakeKpi, MakePeriod, set_target

pytestmark = pytest.mark.django_db

LATER = dt.date(2025, 6, 1)


@pytest.fixture
def analyst(enterprise: Enterprise) -> User:
    """A login with no person, allowed to view Finance only."""
    user = User.objects.create_user("analyst", "analyst@example.com", "x")
    do_grant_role(
        enterprise.users["admin"], user, Role.objects.get(code="analyst"), enterprise.units["FIN"]
    )
    return user


@pytest.fixture
def revenue(enterprise: Enterprise, make_kpi: MakeKpi) -> Kpi:
    """Revenue with targets and values at Sales, Finance, the employee and a seller."""
    kpi = make_kpi("revenue", name="Revenue", time_aggregation="average")
    steward = enterprise.users["steward"]
    for unit in ("SALES", "FIN"):
        set_target(enterprise, kpi, unit=unit)
        do_record_value(steward, kpi, period=MONTH, value=100.0, unit=enterprise.units[unit])
    for person in ("employee", "seller0"):
        set_target(enterprise, kpi, person=person)
        do_record_value(steward, kpi, period=MONTH, value=100.0, person=enterprise.people[person])
    return kpi


class _Subject(Protocol):
    unit: OrgUnit | None
    person: Person | None


def _label(row: _Subject) -> str | None:
    if row.unit is not None:
        return row.unit.code
    return row.person.first_name if row.person is not None else None


def subjects(rows: Iterable[_Subject]) -> set[str]:
    """Unit codes and first names of the people the rows are about."""
    return {label for row in rows if (label := _label(row)) is not None}


def test_members_and_viewers_read_the_catalogue_and_outsiders_do_not(
    enterprise: Enterprise, make_kpi: MakeKpi, analyst: User
) -> None:
    make_kpi("revenue")
    retired = make_kpi("legacy")
    do_retire_kpi(enterprise.users["steward"], retired, effective=LATER)
    for user in (enterprise.users["employee"], enterprise.users["manager"], analyst):
        assert can_see_catalogue(user)
        assert [v.kpi.code for v in kpis_for(user, DAY)] == ["legacy", "revenue"]
        assert [v.kpi.code for v in kpis_for(user, LATER)] == ["revenue"]
    assert not can_see_catalogue(enterprise.users["outsider"])
    assert not kpis_for(enterprise.users["outsider"], DAY).exists()


def test_the_history_of_a_kpi_shows_who_changed_what_and_why(
    enterprise: Enterprise, make_kpi: MakeKpi
) -> None:
    kpi = make_kpi("revenue", name="Revenue")
    do_update_kpi(
        enterprise.users["steward"], kpi, effective=LATER, name="Net revenue", reason="IFRS 15"
    )
    first, second = kpi_history(kpi)
    assert first.changes["name"] == (None, "Revenue")
    assert second.changes == {"name": ("Revenue", "Net revenue")}
    assert (second.author, second.reason, second.source) == (
        enterprise.users["steward"],
        "IFRS 15",
        "page",
    )
    current = kpi_version_on(kpi, LATER)
    assert current is not None and current.name == "Net revenue"
    assert kpi_version_on(kpi, dt.date(2023, 1, 1)) is None


def test_targets_and_values_are_read_through_the_access_rules(
    enterprise: Enterprise, revenue: Kpi, analyst: User
) -> None:
    users = enterprise.users
    expected = {
        "admin": {"SALES", "FIN", "Employee", "Seller0"},
        "manager": {"SALES", "FIN", "Employee", "Seller0"},
        "employee": {"SALES", "FIN", "Employee"},
        "steward": {"SALES", "FIN"},
        "outsider": set(),
    }
    for persona, seen in expected.items():
        assert subjects(targets_for(users[persona], revenue)) == seen, persona
        assert subjects(values_for(users[persona], revenue, months=[MONTH])) == seen, persona
    assert subjects(targets_for(analyst, revenue)) == {"FIN"}
    assert subjects(values_for(analyst, revenue)) == {"FIN"}
    only_sales = values_for(users["manager"], revenue, unit=enterprise.units["SALES"])
    assert [row.value for row in only_sales] == [100.0]
    assert not values_for(users["manager"], revenue, months=[YEAR_START]).exists()


def test_scores_are_read_through_the_access_rules(
    enterprise: Enterprise, revenue: Kpi, analyst: User
) -> None:
    users = enterprise.users
    # Units above Sales and Finance are scored on the values rolled up the tree.
    units = {"GRP", "UK", "SALES", "FIN"}
    manager = scores_for(users["manager"], kind="kpi", kpi=revenue)
    assert subjects(manager) == units | {"Employee", "Seller0"}
    employee = scores_for(users["employee"], kind="kpi", kpi=revenue)
    assert subjects(employee) == units | {"Employee"}
    assert subjects(scores_for(analyst, kind="kpi", kpi=revenue)) == {"FIN"}
    assert not scores_for(users["outsider"]).exists()


def test_the_inbox_holds_requests_to_decide_and_ones_own(
    enterprise: Enterprise, revenue: Kpi, make_period: MakePeriod
) -> None:
    make_period("FY2026", YEAR_START, YEAR_END)
    users = enterprise.users
    do_grant_role(
        users["admin"], users["hr"], Role.objects.get(code="executive"), enterprise.units["SALES"]
    )
    catalogue = do_request_change(
        users["steward"], "kpi", "revenue", {"name": "Net"}, MONTH, "clearer"
    )
    target = do_request_change(
        users["steward"],
        "target",
        "revenue",
        {
            "unit_id": enterprise.units["SALES"].pk,
            "period_start": "2026-01-01",
            "period_end": "2027-01-01",
            "target_type": "stay_above",
            "threshold": 80.0,
            "target": 90.0,
            "stretch": 120.0,
        },
        MONTH,
        "market fell",
    )
    assert set(change_requests_for(users["ceo"])) == {catalogue, target}
    assert set(change_requests_for(users["steward"])) == {catalogue, target}
    assert set(change_requests_for(users["hr"])) == {target}
    assert not change_requests_for(users["manager"]).exists()
    assert not change_requests_for(users["outsider"]).exists()
    do_decide_change(users["ceo"], catalogue.pk, True)
    # Decided, it stays in the history of those who could decide it.
    assert set(change_requests_for(users["ceo"])) == {catalogue, target}
    assert set(change_requests_for(users["hr"])) == {target}
    assert set(change_requests_for(users["steward"])) == {catalogue, target}
