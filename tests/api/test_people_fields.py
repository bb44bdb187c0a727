"""Pay and protected attributes are absent (not null) for callers without the right, and every
response that shows them is recorded as a sensitive read."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from scoreline.audit.models import AuditEvent
from tests.builders.api import ApiClient
from tests.builders.enterprise import Enterprise

PAY = {"base_salary", "salary_currency"}
PROTECTED = {"gender", "date_of_birth"}

# persona -> (sees pay of a seller, sees protected attributes of a seller)
SEES_SELLER: dict[str, tuple[bool, bool]] = {
    "admin": (True, True),
    "ceo": (True, False),
    "hr": (False, True),
    "comp": (True, False),
    "manager": (False, False),
}


@pytest.mark.parametrize(("persona", "sees"), SEES_SELLER.items(), ids=list(SEES_SELLER))
def test_a_persons_pay_and_protected_fields_appear_only_with_the_right(
    api_as: Callable[[str | None], ApiClient],
    enterprise: Enterprise,
    persona: str,
    sees: tuple[bool, bool],
) -> None:
    sees_pay, sees_protected = sees
    seller = enterprise.people["seller2"]

    body = api_as(persona).get(f"/people/{seller.pk}").json()

    assert body["employee_id"] == seller.employee_id
    shown = set(body)
    # All of a field class or none of it.
    assert (shown >= PAY) is sees_pay and bool(shown & PAY) is sees_pay
    assert (shown >= PROTECTED) is sees_protected and bool(shown & PROTECTED) is sees_protected
    if sees_pay:
        assert body["base_salary"] == "50000.00" and body["salary_currency"] == "GBP"


@pytest.mark.parametrize("persona", ["manager", "hr"])
def test_people_lists_leave_out_pay_for_those_who_may_not_see_it(
    api_as: Callable[[str | None], ApiClient], enterprise: Enterprise, persona: str
) -> None:
    me = enterprise.people[persona]

    items = api_as(persona).get("/people?page_size=500").json()["items"]

    others = [item for item in items if item["id"] != me.pk]
    assert others
    assert all(not (PAY & item.keys()) for item in others)
    own = next(item for item in items if item["id"] == me.pk)
    assert own.keys() >= PAY


def test_an_employee_sees_their_own_pay_and_protected_attributes(
    api_as: Callable[[str | None], ApiClient], enterprise: Enterprise
) -> None:
    me = enterprise.people["employee"]

    body = api_as("employee").get(f"/people/{me.pk}").json()

    assert body["base_salary"] == "45000.00"
    assert body["gender"] == "female"
    assert me.date_of_birth is not None
    assert body["date_of_birth"] == me.date_of_birth.isoformat()


def test_the_openapi_document_lists_the_sensitive_fields_as_optional(
    api_as: Callable[[str | None], ApiClient],
) -> None:
    schema = api_as(None).get("/openapi.json").json()["components"]["schemas"]["PersonOut"]

    assert schema["properties"].keys() >= PAY | PROTECTED
    assert not (PAY | PROTECTED) & set(schema["required"])


def test_reading_someones_pay_records_who_looked_and_at_whom(
    api_as: Callable[[str | None], ApiClient], enterprise: Enterprise
) -> None:
    seller = enterprise.people["seller2"]

    api_as("comp").get(f"/people/{seller.pk}")

    event = AuditEvent.objects.filter(action="read.sensitive").latest("seq")
    assert event.actor_username == "comp"
    assert event.after == {"people": [seller.pk], "field_classes": ["pay"], "channel": "api"}


def test_a_page_of_people_is_recorded_once_per_set_of_field_classes_shown(
    api_as: Callable[[str | None], ApiClient], enterprise: Enterprise
) -> None:
    before = AuditEvent.objects.filter(action="read.sensitive").count()

    page = api_as("admin").get("/people?page_size=4").json()

    events = list(AuditEvent.objects.filter(action="read.sensitive").order_by("seq")[before:])
    assert len(events) == 1
    recorded = events[0].after
    assert recorded is not None
    assert recorded["people"] == sorted(item["id"] for item in page["items"])
    assert recorded["field_classes"] == ["pay", "protected"]


def test_a_response_without_sensitive_fields_records_no_read(
    api_as: Callable[[str | None], ApiClient], enterprise: Enterprise
) -> None:
    before = AuditEvent.objects.count()

    api_as("manager").get(f"/people/{enterprise.people['seller2'].pk}")

    assert AuditEvent.objects.count() == before


def test_an_hr_partner_may_not_set_pay_through_the_api(
    api_as: Callable[[str | None], ApiClient], enterprise: Enterprise
) -> None:
    seller = enterprise.people["seller2"]
    before = AuditEvent.objects.count()

    response = api_as("hr").patch(f"/people/{seller.pk}", {"base_salary": "99999.00"})

    assert response.status_code == 403
    seller.refresh_from_db()
    assert str(seller.base_salary) == "50000.00"
    assert AuditEvent.objects.count() == before


def test_an_administrator_may_set_pay_and_sees_the_new_value(
    api_as: Callable[[str | None], ApiClient], enterprise: Enterprise
) -> None:
    seller = enterprise.people["seller2"]

    response = api_as("admin").patch(
        f"/people/{seller.pk}", {"base_salary": "52000.50", "reason": "annual review"}
    )

    assert response.status_code == 200
    assert response.json()["base_salary"] == "52000.50"
    seller.refresh_from_db()
    assert str(seller.base_salary) == "52000.50"
