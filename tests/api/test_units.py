"""Units over the API: create, change with history, and head counts that hide small groups."""

from __future__ import annotations

from collections.abc import Callable

from scoreline.audit.models import AuditEvent
from scoreline.org.models import OrgUnit
from tests.builders.api import ApiClient
from tests.builders.enterprise import Enterprise


def test_an_hr_partner_creates_a_unit_under_a_parent(
    api_as: Callable[[str | None], ApiClient], enterprise: Enterprise
) -> None:
    sales, steward = enterprise.units["SALES"], enterprise.people["steward"]

    response = api_as("hr").post(
        "/units",
        {
            "code": "SALES-S",
            "name": "Sales South",
            "kind": "team",
            "parent_id": sales.pk,
            "country": "de",
            "currency": "EUR",
            "cost_centre": "CC-410",
            "manager_id": steward.pk,
            "valid_from": "2024-01-01",
            "reason": "expansion",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["parent_id"] == sales.pk and body["depth"] == sales.depth + 1
    assert (body["country"], body["currency"], body["cost_centre"]) == ("DE", "EUR", "CC-410")
    assert body["manager_id"] == steward.pk
    created = OrgUnit.objects.get(code="SALES-S")
    assert created.path.startswith(sales.path)
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.actor_username, event.reason) == (
        "org.unit.create",
        "hr",
        "expansion",
    )


def test_renaming_a_unit_keeps_its_history(
    api_as: Callable[[str | None], ApiClient], enterprise: Enterprise
) -> None:
    sales = enterprise.units["SALES"]
    client = api_as("hr")

    response = client.patch(
        f"/units/{sales.pk}",
        {"effective": "2024-01-01", "name": "Sales & Marketing", "cost_centre": "CC-1"},
    )
    versions = client.get(f"/units/{sales.pk}/versions").json()

    assert response.status_code == 200
    assert response.json()["name"] == "Sales & Marketing"
    assert response.json()["manager_id"] == enterprise.people["manager"].pk  # untouched
    assert versions["count"] == 3
    assert [(v["name"], v["valid_from"], v["valid_until"]) for v in versions["items"]] == [
        ("Sales", "2020-01-01", "2020-01-02"),
        ("Sales", "2020-01-02", "2024-01-01"),
        ("Sales & Marketing", "2024-01-01", None),
    ]


def test_a_unit_manager_can_be_removed_with_null(
    api_as: Callable[[str | None], ApiClient], enterprise: Enterprise
) -> None:
    sales = enterprise.units["SALES"]

    body = (
        api_as("admin")
        .patch(f"/units/{sales.pk}", {"effective": "2024-01-01", "manager_id": None})
        .json()
    )

    assert body["manager_id"] is None and body["manager_name"] is None


def test_a_headcount_by_grade_shows_groups_large_enough_to_everyone(
    api_as: Callable[[str | None], ApiClient], enterprise: Enterprise
) -> None:
    uk = enterprise.units["UK"]

    body = api_as("employee").get(f"/units/{uk.pk}/headcount?by=grade").json()

    assert body["groups"] == [{"key": "G3", "count": 10}]
    assert body["other"] is None and body["total"] == 10 and not body["withheld"]


def test_a_gender_split_of_a_small_team_is_merged_without_the_protected_right(
    api_as: Callable[[str | None], ApiClient], enterprise: Enterprise
) -> None:
    team = enterprise.units["SALES-N"]  # four women and two men
    path = f"/units/{team.pk}/headcount?by=gender"

    # The men are too few; the women join them, so the six are one group with no names.
    body = api_as("manager").get(path).json()
    assert body["groups"] == [] and body["other"] == 6 and body["total"] == 6
    body = api_as("hr").get(path).json()
    assert body["groups"] == [{"key": "female", "count": 4}, {"key": "male", "count": 2}]
    assert body["other"] is None


def test_a_unit_of_one_gives_neither_the_key_nor_the_count_of_its_member(
    api_as: Callable[[str | None], ApiClient], enterprise: Enterprise
) -> None:
    project = enterprise.units["PRJ"]  # its manager is its one member

    for by in ["gender", "grade", "country", "job_family"]:
        response = api_as("employee").get(f"/units/{project.pk}/headcount?by={by}")
        body = response.json()
        assert body["withheld"] and body["groups"] == [], by
        assert body["total"] is None and body["other"] is None
        assert "female" not in response.content.decode() and "G3" not in response.content.decode()


def test_a_headcount_by_country_covers_the_whole_subtree(
    api_as: Callable[[str | None], ApiClient], enterprise: Enterprise
) -> None:
    group = enterprise.units["GRP"]

    body = api_as("admin").get(f"/units/{group.pk}/headcount?by=country").json()

    assert body["groups"] == [{"key": "DE", "count": 3}, {"key": "GB", "count": 14}]


def test_a_unit_shows_the_fiscal_calendar_of_its_legal_entity_with_todays_period(
    api_as: Callable[[str | None], ApiClient], enterprise: Enterprise
) -> None:
    import datetime as dt

    import time_machine

    from scoreline.org.actions import do_save_reference_data
    from scoreline.org.models import FiscalCalendar

    calendar = FiscalCalendar(
        legal_entity=enterprise.units["UK"], year_start_month=4, period_type="quarter"
    )
    do_save_reference_data(enterprise.users["admin"], calendar)

    with time_machine.travel(dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC), tick=False):
        team = api_as("employee").get(f"/units/{enterprise.units['SALES-N'].pk}").json()
        germany = api_as("employee").get(f"/units/{enterprise.units['DE'].pk}").json()

    fiscal = team["fiscal_calendar"]
    assert fiscal["legal_entity_id"] == enterprise.units["UK"].pk
    assert fiscal["current_year"] == {"label": "FY2027", "start": "2026-04-01", "end": "2027-04-01"}
    assert fiscal["current_period"] == {
        "label": "FY2027-Q3",
        "start": "2026-10-01",
        "end": "2027-01-01",
    }
    assert germany["fiscal_calendar"] is None
