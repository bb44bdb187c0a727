"""Pay and protected attributes on the person page: shown only with the right, and read-audited."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse

from scoreline.audit.models import AuditEvent
from tests.enterprise import Enterprise

PageOf = Callable[[str | None, str], str]
EMPLOYEE_PAY = "45,000 GBP"


def person_url(world: Enterprise, key: str) -> str:
    return reverse("org:person", args=[world.people[key].pk])


def shows_pay(html: str) -> bool:
    return 'data-field-class="pay"' in html or "Base salary" in html


def shows_protected(html: str) -> bool:
    return 'data-field-class="protected"' in html or "Date of birth" in html


@pytest.mark.parametrize("viewer", ["manager", "hr"])
def test_pay_is_absent_from_the_person_page_for_viewers_without_the_pay_right(
    viewer: str, enterprise: Enterprise, page_of: PageOf
) -> None:
    html = page_of(viewer, person_url(enterprise, "employee"))
    assert not shows_pay(html)
    assert "45,000" not in html and "45000" not in html


@pytest.mark.parametrize("viewer", ["comp", "ceo", "admin"])
def test_pay_is_shown_to_viewers_with_the_pay_right(
    viewer: str, enterprise: Enterprise, page_of: PageOf
) -> None:
    html = page_of(viewer, person_url(enterprise, "employee"))
    assert shows_pay(html)
    assert EMPLOYEE_PAY in html


def test_an_employee_sees_their_own_pay_and_nobody_elses(
    enterprise: Enterprise, page_of: PageOf
) -> None:
    own = page_of("employee", person_url(enterprise, "employee"))
    assert EMPLOYEE_PAY in own
    team_page = page_of("employee", reverse("org:unit", args=[enterprise.units["SALES-N"].pk]))
    assert "50,000" not in team_page and "Base salary" not in team_page
    assert "Base salary" not in page_of("employee", reverse("org:people"))


def test_a_manager_sees_their_own_pay_but_not_their_reports(
    enterprise: Enterprise, page_of: PageOf
) -> None:
    assert "90,000 GBP" in page_of("manager", person_url(enterprise, "manager"))
    assert not shows_pay(page_of("manager", person_url(enterprise, "seller2")))


@pytest.mark.parametrize(
    ("viewer", "visible"),
    [("hr", True), ("admin", True), ("manager", False), ("comp", False), ("ceo", False)],
)
def test_gender_and_date_of_birth_are_shown_only_to_hr_and_administrators(
    viewer: str, visible: bool, enterprise: Enterprise, page_of: PageOf
) -> None:
    html = page_of(viewer, person_url(enterprise, "employee"))
    assert shows_protected(html) is visible
    birthday = enterprise.people["employee"].date_of_birth
    assert birthday is not None
    assert (f"{birthday.day} May 1985" in html) is visible


def test_everyone_sees_their_own_protected_attributes(
    enterprise: Enterprise, page_of: PageOf
) -> None:
    assert shows_protected(page_of("employee", person_url(enterprise, "employee")))
    assert shows_protected(page_of("manager", person_url(enterprise, "manager")))


def test_showing_pay_on_a_person_page_records_a_sensitive_read(
    enterprise: Enterprise, page_of: PageOf
) -> None:
    employee = enterprise.people["employee"]
    page_of("comp", person_url(enterprise, "employee"))
    event = AuditEvent.objects.filter(action="read.sensitive").get()
    assert event.actor_username == "comp"
    assert event.object_id == str(employee.pk)
    assert event.after == {"people": [employee.pk], "field_classes": ["pay"], "channel": "page"}


def test_a_page_without_sensitive_fields_records_no_read(
    enterprise: Enterprise, page_of: PageOf
) -> None:
    page_of("manager", person_url(enterprise, "seller2"))
    assert not AuditEvent.objects.filter(action="read.sensitive").exists()


def test_the_person_page_lists_the_reporting_lines_in_force_with_their_weights(
    enterprise: Enterprise, page_of: PageOf
) -> None:
    html = page_of("hr", person_url(enterprise, "seller0"))
    assert "Solid (primary)" in html and "60%" in html
    assert "Project" in html and "40%" in html and "Project Atlas" in html


def test_the_person_page_of_a_manager_lists_who_reports_to_them(
    enterprise: Enterprise, page_of: PageOf
) -> None:
    html = page_of("hr", person_url(enterprise, "manager"))
    for key in ["employee", "seller0", "seller4"]:
        assert enterprise.people[key].full_name in html
