"""The person page: pay and protected attributes shown only with the right and read-audited;
the individual scorecard shown to who may see the person's ratings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.urls import reverse

from scoreline.access.actions import do_grant_role
from scoreline.access.capabilities import Capability
from scoreline.access.models import Role, RoleCapability
from scoreline.audit.models import AuditEvent
from scoreline.kpis.actions.definitions import do_create_kpi
from scoreline.scoring.actions.definitions import do_set_measure, do_set_target
from scoreline.scoring.actions.objectives import do_create_objective
from scoreline.scoring.actions.values import do_record_value
from scoreline.scoring.pipeline import recompute
from scoreline.strategy.models import Perspective
from tests.builders.enterprise import Enterprise
from tests.builders.pages import ClientFor

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


def _scored_goal(world: Enterprise) -> None:
    """The employee's goal measured by a KPI they have a value and a target for, scored."""
    admin, person = world.users["admin"], world.people["employee"]
    start = dt.date(2024, 1, 1)
    calls = do_create_kpi(
        admin, code="calls", valid_from=start, name="Calls made", unit="count",
        direction="higher", temporality="leading", kind="output", time_aggregation="sum",
        tree_aggregation="none", scoring="piecewise",
    )  # fmt: skip
    goal = do_create_objective(
        admin, code="goal-calls", name="Make the calls", person=person,
        perspective=Perspective.objects.get(code="learning-growth"),
        horizon_start=start, horizon_end=dt.date(2025, 1, 1), valid_from=start,
    )  # fmt: skip
    do_set_measure(admin, goal, calls, weight=1.0, effective=start)
    do_set_target(
        admin, calls, person=person, target_type="stay_above", threshold=40.0, target=50.0,
        stretch=60.0, period_start=start, period_end=dt.date(2024, 2, 1), effective=start,
    )  # fmt: skip
    do_record_value(admin, calls, person=person, period=start, value=55.0)
    recompute(as_of=dt.date(2024, 1, 31))


@pytest.mark.parametrize("viewer", ["employee", "manager", "hr"])
def test_the_person_page_shows_the_individual_scorecard_to_who_may_see_ratings(
    viewer: str, enterprise: Enterprise, page_of: PageOf
) -> None:
    _scored_goal(enterprise)
    html = page_of(viewer, person_url(enterprise, "employee"))
    card = html.split('id="individual-scorecard"')[1].split("</section>")[0]
    assert "Individual scorecard, January 2024" in card
    assert "Make the calls" in card
    # 55 lies halfway from target (80 points) to stretch (100 points).
    assert card.count("90.0") == 2  # the goal's score and the person's


def test_the_individual_scorecard_is_absent_for_a_colleague_without_the_right(
    enterprise: Enterprise, page_of: PageOf
) -> None:
    _scored_goal(enterprise)
    directory = Role.objects.create(code="directory", name="Directory reader")
    for capability in (Capability.VIEW_ORG, Capability.VIEW_PEOPLE):
        RoleCapability.objects.create(role=directory, capability=capability)
    steward = enterprise.users["steward"]
    do_grant_role(enterprise.users["admin"], steward, directory, enterprise.units["GRP"])
    html = page_of("steward", person_url(enterprise, "employee"))
    assert enterprise.people["employee"].full_name in html
    assert "individual-scorecard" not in html and "Make the calls" not in html


def test_an_outsider_gets_no_person_page_and_no_scorecard(
    enterprise: Enterprise, client_for: ClientFor
) -> None:
    _scored_goal(enterprise)
    response = client_for("outsider").get(person_url(enterprise, "employee"))
    assert response.status_code == 404
    assert "Make the calls" not in response.content.decode()
