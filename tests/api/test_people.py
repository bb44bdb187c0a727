"""People and reporting lines over the API: create, change, and lines with their history."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model

from scoreline.audit.models import AuditEvent
from scoreline.org.models import Person, ReportingLine
from tests.builders.api import ApiClient
from tests.builders.enterprise import Enterprise


def test_an_hr_partner_adds_a_person_linked_to_a_login(
    api_as: Callable[[str | None], ApiClient], enterprise: Enterprise
) -> None:
    get_user_model().objects.create_user("nova", "nova@example.com", "x")
    team = enterprise.units["SALES-N"]

    response = api_as("hr").post(
        "/people",
        {
            "employee_id": "E90001",
            "first_name": "Nova",
            "last_name": "Newcomer",
            "email": "nova@example.com",
            "job_title": "Account executive",
            "job_family": "Sales",
            "job_level": 2,
            "grade": "G2",
            "fte": "0.8",
            "hire_date": "2024-03-01",
            "country": "GB",
            "primary_unit_id": team.pk,
            "gender": "non_binary",
            "user": "nova",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["username"], body["fte"], body["gender"]) == ("nova", "0.800", "non_binary")
    assert "base_salary" not in body  # an HR partner does not see pay
    person = Person.objects.get(employee_id="E90001")
    assert person.user is not None and person.user.get_username() == "nova"
    assert person.primary_unit_id == team.pk


def test_an_hr_partner_may_not_set_pay_when_adding_a_person(
    api_as: Callable[[str | None], ApiClient], enterprise: Enterprise
) -> None:
    response = api_as("hr").post(
        "/people",
        {
            "employee_id": "E90002",
            "first_name": "Paid",
            "last_name": "Person",
            "email": "paid@example.com",
            "job_title": "Analyst",
            "job_family": "Finance",
            "job_level": 2,
            "grade": "G2",
            "hire_date": "2024-03-01",
            "country": "GB",
            "primary_unit_id": enterprise.units["FIN"].pk,
            "base_salary": "40000",
            "salary_currency": "GBP",
        },
    )

    assert response.status_code == 403
    assert not Person.objects.filter(employee_id="E90002").exists()


def test_changing_a_person_changes_only_the_fields_sent(
    api_as: Callable[[str | None], ApiClient], enterprise: Enterprise
) -> None:
    seller = enterprise.people["seller2"]

    response = api_as("hr").patch(
        f"/people/{seller.pk}",
        {"job_title": "Senior specialist", "leave_date": "2025-06-30", "reason": "promotion"},
    )

    assert response.status_code == 200, response.content
    seller.refresh_from_db()
    assert (seller.job_title, str(seller.leave_date)) == ("Senior specialist", "2025-06-30")
    assert seller.grade == "G3" and seller.gender == "female"
    event = AuditEvent.objects.filter(action="org.person.update").latest("seq")
    assert event.reason == "promotion"


def test_a_persons_reporting_lines_show_the_current_ones_and_the_history(
    api_as: Callable[[str | None], ApiClient], enterprise: Enterprise
) -> None:
    seller, manager, lead = (enterprise.people[key] for key in ["seller2", "manager", "lead"])
    prj = enterprise.units["PRJ"]
    client = api_as("hr")

    response = client.put(
        f"/people/{seller.pk}/reporting-lines",
        {
            "effective": "2024-01-01",
            "reason": "joins Atlas",
            "lines": [
                {"manager_id": manager.pk, "kind": "solid", "weight": "75"},
                {"manager_id": lead.pk, "kind": "project", "weight": 25, "unit_id": prj.pk},
            ],
        },
    )

    assert response.status_code == 200, response.content
    body = client.get(f"/people/{seller.pk}/reporting-lines").json()
    assert sorted((line["kind"], line["weight"]) for line in body["current"]) == [
        ("project", "25.00"),
        ("solid", "75.00"),
    ]
    assert [(line["valid_from"], line["valid_until"]) for line in body["history"]] == [
        ("2024-01-01", None),
        ("2024-01-01", None),
        ("2020-01-01", "2024-01-01"),
    ]
    assert ReportingLine.objects.filter(person=seller, unit=prj).count() == 1


def test_an_employee_sees_their_own_reporting_line(
    api_as: Callable[[str | None], ApiClient], enterprise: Enterprise
) -> None:
    me = enterprise.people["employee"]

    body = api_as("employee").get(f"/people/{me.pk}/reporting-lines").json()

    assert [(line["manager_id"], line["weight"]) for line in body["current"]] == [
        (enterprise.people["manager"].pk, "100.00")
    ]
