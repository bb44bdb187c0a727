"""The Django admin: administrators only, scoped like every other read, writing through actions."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from scoreline.access.actions import do_grant_role
from scoreline.access.models import Grant, Role
from scoreline.audit.models import AuditEvent
from scoreline.org.models import OrgUnit, Person, UnitVersion
from tests.builders.enterprise import PASSWORD, Enterprise


def staff_client(world: Enterprise, username: str, administer_on: str | None) -> Client:
    """A staff login, holding the administrator role on one unit or no role at all."""
    user = User.objects.create_user(username, f"{username}@example.com", PASSWORD, is_staff=True)
    if administer_on is not None:
        role = Role.objects.get(code="administrator")
        do_grant_role(world.users["admin"], user, role, world.units[administer_on])
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def admin_client() -> Client:
    client = Client()
    assert client.login(username="admin", password=PASSWORD)
    return client


def changelist(client: Client, model: str) -> Any:
    return client.get(reverse(f"admin:{model}_changelist"))


@pytest.mark.parametrize(
    "model",
    [
        "org_orgunit",
        "org_person",
        "org_reportingline",
        "org_country",
        "org_currency",
        "org_fxrate",
        "org_fiscalcalendar",
        "access_role",
        "access_grant",
        "access_apitoken",
    ],
)
def test_a_superuser_reaches_every_set_up_page(model: str, enterprise: Enterprise) -> None:
    assert changelist(admin_client(), model).status_code == 200
    assert admin_client().get(reverse(f"admin:{model}_add")).status_code in (200, 403)


def test_staff_without_the_administer_right_are_refused(enterprise: Enterprise) -> None:
    client = staff_client(enterprise, "clerk", administer_on=None)
    assert changelist(client, "org_person").status_code == 403
    assert changelist(client, "access_grant").status_code == 403
    index = client.get(reverse("admin:index")).content.decode()
    assert "People" not in index


def test_an_administrator_of_one_entity_sees_only_its_people_and_units(
    enterprise: Enterprise,
) -> None:
    client = staff_client(enterprise, "de-admin", administer_on="DE")
    people = changelist(client, "org_person").content.decode()
    assert enterprise.people["de0"].full_name in people
    assert enterprise.people["employee"].full_name not in people
    units = changelist(client, "org_orgunit").content.decode()
    assert "Scoreline GmbH" in units and "Sales North" not in units
    outside = reverse("admin:org_person_change", args=[enterprise.people["employee"].pk])
    assert client.get(outside).status_code == 302  # "does not exist", back to the index
    lines = changelist(client, "org_reportingline").content.decode()
    assert enterprise.people["seller0"].full_name not in lines
    # Reference data shared by everyone is read-only for a partial administrator.
    assert client.get(reverse("admin:org_currency_add")).status_code == 403


def person_form(person: Person, **changes: Any) -> dict[str, Any]:
    data = {
        "employee_id": person.employee_id,
        "user": person.user_id or "",
        "kind": person.kind,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "job_title": person.job_title,
        "job_family": person.job_family,
        "job_level": person.job_level,
        "grade": person.grade,
        "fte": person.fte,
        "hire_date": person.hire_date.isoformat(),
        "leave_date": "",
        "country": person.country_id,
        "location": person.location,
        "primary_unit": person.primary_unit_id,
        "base_salary": person.base_salary or "",
        "salary_currency": person.salary_currency_id or "",
        "gender": person.gender,
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else "",
    }
    return data | changes


def test_changing_a_person_in_the_admin_goes_through_the_action_and_is_audited(
    enterprise: Enterprise,
) -> None:
    person = enterprise.people["seller2"]
    url = reverse("admin:org_person_change", args=[person.pk])
    response = admin_client().post(url, person_form(person, job_title="Senior Specialist"))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.job_title == "Senior Specialist"
    event = AuditEvent.objects.filter(action="org.person.update").latest("seq")
    assert event.object_id == str(person.pk)
    assert event.after is not None and event.after["job_title"] == "Senior Specialist"


def test_adding_a_person_in_the_admin_goes_through_the_action(enterprise: Enterprise) -> None:
    template = enterprise.people["de1"]
    data = person_form(
        template, employee_id="E07777", email="new@example.com", user="", first_name="Nina"
    )
    response = admin_client().post(reverse("admin:org_person_add"), data)
    assert response.status_code == 302
    created = Person.objects.get(employee_id="E07777")
    assert AuditEvent.objects.filter(action="org.person.create", object_id=str(created.pk)).exists()


def test_opening_a_person_in_the_admin_records_a_sensitive_read(enterprise: Enterprise) -> None:
    person = enterprise.people["fin1"]
    admin_client().get(reverse("admin:org_person_change", args=[person.pk]))
    event = AuditEvent.objects.filter(action="read.sensitive").get()
    assert event.after == {
        "people": [person.pk],
        "field_classes": ["pay", "protected"],
        "channel": "admin",
    }


def test_creating_and_moving_a_unit_in_the_admin_keeps_history_and_audit(
    enterprise: Enterprise,
) -> None:
    client = admin_client()
    data = {
        "code": "OPS",
        "name": "Operations",
        "kind": "department",
        "parent": enterprise.units["UK"].pk,
        "country": "GB",
        "currency": "GBP",
        "manager": "",
        "cost_centre": "CC-9",
        "valid_from": "2021-01-01",
    }
    assert client.post(reverse("admin:org_orgunit_add"), data).status_code == 302
    unit = OrgUnit.objects.get(code="OPS")
    assert OrgUnit.objects.get_parent(unit) == enterprise.units["UK"]
    change = {
        "name": "Operations",
        "parent": enterprise.units["DE"].pk,
        "manager": "",
        "cost_centre": "CC-9",
        "effective": "2022-01-01",
    }
    assert (
        client.post(reverse("admin:org_orgunit_change", args=[unit.pk]), change).status_code == 302
    )
    unit.refresh_from_db()
    assert OrgUnit.objects.get_parent(unit) == OrgUnit.objects.get(code="DE")
    assert UnitVersion.objects.filter(unit=unit).count() == 2
    assert AuditEvent.objects.filter(action="org.unit.update", object_id=str(unit.pk)).exists()


def test_a_unit_change_breaking_a_rule_is_refused_with_the_reason(enterprise: Enterprise) -> None:
    unit = enterprise.units["SALES"]
    change = {
        "name": "Sales",
        "parent": enterprise.units["SALES-N"].pk,
        "manager": "",
        "cost_centre": "",
        "effective": "2024-01-01",
    }
    response = admin_client().post(
        reverse("admin:org_orgunit_change", args=[unit.pk]), change, follow=True
    )
    assert "Nothing was saved" in response.content.decode() and "cycle" in response.content.decode()
    unit.refresh_from_db()
    assert OrgUnit.objects.get_parent(unit) == enterprise.units["UK"]


def test_granting_and_revoking_in_the_admin_go_through_the_actions(enterprise: Enterprise) -> None:
    client = admin_client()
    role = Role.objects.get(code="analyst")
    data = {
        "user": enterprise.users["outsider"].pk,
        "role": role.pk,
        "unit": enterprise.units["DE"].pk,
    }
    assert client.post(reverse("admin:access_grant_add"), data).status_code == 302
    grant = Grant.objects.get(user=enterprise.users["outsider"])
    assert AuditEvent.objects.filter(action="access.grant.create", object_id=str(grant.pk)).exists()
    delete = reverse("admin:access_grant_delete", args=[grant.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not Grant.objects.filter(pk=grant.pk).exists()
    assert AuditEvent.objects.filter(action="access.grant.revoke", object_id=str(grant.pk)).exists()


def test_people_cannot_be_deleted_from_the_admin(enterprise: Enterprise) -> None:
    person = enterprise.people["fin2"]
    response = admin_client().get(reverse("admin:org_person_delete", args=[person.pk]))
    assert response.status_code == 403
