"""Each persona lands on its own view, decided from what the user holds, not from the name."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from scoreline.access.actions import do_grant_role
from scoreline.access.models import Role
from scoreline.org.actions import (
    LineSpec,
    do_create_person,
    do_set_reporting_lines,
    do_update_person,
)
from scoreline.web.landing import Landing, landing_for
from tests.builders.enterprise import PASSWORD, START, Enterprise

PageOf = Callable[[str | None, str], str]


@pytest.mark.parametrize(
    ("persona", "landing", "heading"),
    [
        ("admin", Landing.ADMIN, "Administration overview"),
        ("ceo", Landing.EXECUTIVE, "Organisation summary"),
        ("hr", Landing.HR, "<h1>People</h1>"),
        ("comp", Landing.COMPENSATION, "Pay overview"),
        ("manager", Landing.MANAGER, "<h1>My team</h1>"),
        ("steward", Landing.STEWARD, "<h1>Organisation</h1>"),
        ("employee", Landing.EMPLOYEE, "Employee Person5"),
        ("outsider", Landing.OUTSIDER, "not linked to anyone"),
    ],
)
def test_each_persona_lands_on_its_own_view(
    persona: str, landing: Landing, heading: str, enterprise: Enterprise, page_of: PageOf
) -> None:
    assert landing_for(enterprise.users[persona]) is landing
    assert heading in page_of(persona, reverse("home"))


def test_the_landing_follows_the_grant_not_the_username(enterprise: Enterprise) -> None:
    user = get_user_model().objects.create_user("someone", "someone@example.com", PASSWORD)
    do_grant_role(
        enterprise.users["admin"],
        user,
        Role.objects.get(code="compensation_manager"),
        enterprise.units["DE"],
    )
    assert landing_for(user) is Landing.COMPENSATION


def test_the_administrator_overview_counts_units_people_and_grants(
    enterprise: Enterprise, page_of: PageOf
) -> None:
    html = page_of("admin", reverse("home"))
    assert '<span class="stat-value">7</span><span class="stat-label">Units</span>' in html
    assert '<span class="stat-value">17</span><span class="stat-label">People</span>' in html
    assert '<span class="stat-value">4</span><span class="stat-label">Access grants</span>' in html
    assert reverse("admin:index") in html


def test_the_executive_summary_gives_head_counts_by_legal_entity(
    enterprise: Enterprise, page_of: PageOf
) -> None:
    html = page_of("ceo", reverse("home"))
    assert "Scoreline UK" in html and "Scoreline GmbH" in html
    # UK: manager + employee + 5 sellers + 3 in finance; DE: 3 (the CEO sees everyone).
    assert '<td class="num">10</td>' in html
    assert '<td class="num">3</td>' in html
    assert '<span class="stat-value">17</span><span class="stat-label">People</span>' in html


def test_the_pay_overview_averages_base_salary_by_grade_per_currency(
    enterprise: Enterprise, page_of: PageOf
) -> None:
    html = page_of("comp", reverse("home"))
    assert "Paid in GBP" in html and "Paid in EUR" in html
    # GBP, grade G3: ceo 250k, manager 90k, employee 45k and eleven others at 50k: 935k / 14.
    assert "66,786 GBP" in html
    # EUR: three people in Germany, fewer than the minimum group size, but comp may see each.
    assert "50,000 EUR" in html


def test_the_pay_overview_hides_small_groups_from_whoever_cannot_see_each_salary(
    enterprise: Enterprise, client_for: Callable[[str | None], Client]
) -> None:
    user = get_user_model().objects.create_user("uk-comp", "uk-comp@example.com", PASSWORD)
    do_grant_role(
        enterprise.users["admin"],
        user,
        Role.objects.get(code="compensation_manager"),
        enterprise.units["UK"],
    )
    client = Client()
    assert client.login(username="uk-comp", password=PASSWORD)
    html = client.get(reverse("home")).content.decode()
    assert "Paid in GBP" in html
    assert "Paid in EUR" not in html


def test_my_team_lists_direct_reports_before_others_in_the_managed_units(
    enterprise: Enterprise, page_of: PageOf
) -> None:
    admin = enterprise.users["admin"]
    newcomer = do_create_person(
        admin,
        employee_id="E09999",
        first_name="Aaron",
        last_name="Aardvark",
        email="aaron@example.com",
        job_title="Analyst",
        job_family="Operations",
        job_level=2,
        grade="G2",
        fte=Decimal("1"),
        hire_date=START,
        country=enterprise.units["SALES-N"].country,
        primary_unit=enterprise.units["SALES-N"],
    )
    do_set_reporting_lines(
        admin,
        newcomer,
        [LineSpec(enterprise.people["ceo"], "solid", Decimal(100))],
        effective=START,
    )
    html = page_of("manager", reverse("home"))
    names = [enterprise.people[key].full_name for key in ["employee", "seller0", "seller4"]]
    positions = [html.index(name) for name in names]
    assert max(positions) < html.index("Aaron Aardvark")
    assert "In your units" in html
    assert enterprise.people["manager"].full_name not in html.split("<table")[1]


def test_my_team_shows_project_lines_with_their_weight(
    enterprise: Enterprise, page_of: PageOf
) -> None:
    project_lead = get_user_model().objects.create_user("lead", "lead@example.com", PASSWORD)
    do_update_person(enterprise.users["admin"], enterprise.people["lead"], user=project_lead)
    html = page_of("lead", reverse("home"))
    assert "My team" in html
    assert "Project line, 40%" in html
    assert enterprise.people["seller0"].full_name in html
    assert enterprise.people["seller2"].full_name not in html
