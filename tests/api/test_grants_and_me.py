"""Grants over the API, and what the caller learns about their own rights."""

from __future__ import annotations

from collections.abc import Callable

from scoreline.access.models import Grant
from scoreline.audit.models import AuditEvent
from tests.builders.api import ApiClient
from tests.builders.enterprise import Enterprise


def test_an_administrator_grants_a_role_by_username_and_by_id(
    api_as: Callable[[str | None], ApiClient], enterprise: Enterprise
) -> None:
    client = api_as("admin")
    fin = enterprise.units["FIN"]

    by_name = client.post("/grants", {"user": "employee", "role": "analyst", "unit_id": fin.pk})
    by_id = client.post(
        "/grants", {"user": enterprise.users["manager"].pk, "role": "analyst", "unit_id": fin.pk}
    )

    assert (by_name.status_code, by_id.status_code) == (201, 201)
    assert by_name.json()["username"] == "employee"
    assert by_name.json()["unit"] == {"id": fin.pk, "code": "FIN", "name": "Finance"}
    assert Grant.objects.filter(role__code="analyst", unit=fin).count() == 2


def test_a_granted_role_shows_in_the_users_own_list_and_summary(
    api_as: Callable[[str | None], ApiClient], enterprise: Enterprise
) -> None:
    fin = enterprise.units["FIN"]
    api_as("admin").post("/grants", {"user": "employee", "role": "hr_partner", "unit_id": fin.pk})
    client = api_as("employee")

    grants = client.get("/grants").json()
    me = client.get("/me").json()

    assert [grant["role"] for grant in grants["items"]] == ["hr_partner"]
    assert [grant["role"] for grant in me["grants"]] == ["hr_partner"]
    manage_org = next(item for item in me["capabilities"] if item["capability"] == "manage_org")
    assert [unit["code"] for unit in manage_org["units"]] == ["FIN"]


def test_revoking_a_grant_removes_it_and_records_the_reason(
    api_as: Callable[[str | None], ApiClient], enterprise: Enterprise
) -> None:
    grant = Grant.objects.get(user__username="steward")

    response = api_as("admin").delete(f"/grants/{grant.pk}?reason=left+the+team")

    assert response.status_code == 204
    assert not Grant.objects.filter(pk=grant.pk).exists()
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.reason) == ("access.grant.revoke", "left the team")


def test_a_manager_learns_what_they_may_do_and_where(
    api_as: Callable[[str | None], ApiClient], enterprise: Enterprise
) -> None:
    me = api_as("manager").get("/me").json()

    assert me["person"]["id"] == enterprise.people["manager"].pk
    assert [unit["code"] for unit in me["managed_units"]] == ["SALES"]
    held = {
        item["capability"]: [unit["code"] for unit in item["units"]] for item in me["capabilities"]
    }
    assert held["view_people"] == ["SALES"]
    assert "view_pay" not in held
    assert set(me["own_record"]) >= {"view_pay", "view_protected"}


def test_an_outsider_is_told_they_hold_nothing(api_as: Callable[[str | None], ApiClient]) -> None:
    me = api_as("outsider").get("/me").json()

    assert me["person"] is None
    assert me["grants"] == me["managed_units"] == me["capabilities"] == me["own_record"] == []
