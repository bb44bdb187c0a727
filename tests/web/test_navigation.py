"""Finding the pages that matter: the Strategy and Scorecards links open the viewer's own unit,
unit pages and scorecards link to each other, and a name links to a person's page only where
the viewer may open it."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from scoreline.org.queries import own_unit
from scoreline.scoring.actions.objectives import do_create_objective
from scoreline.strategy.models import Perspective
from tests.builders.enterprise import Enterprise
from tests.builders.pages import ClientFor, PageOf, analyst_on, section
from tests.builders.strategy_pages import StrategyWorld


def person_url(world: Enterprise, key: str) -> str:
    return reverse("org:person", args=[world.people[key].pk])


def unit_url(world: Enterprise, code: str) -> str:
    return reverse("org:unit", args=[world.units[code].pk])


def heading(html: str) -> str:
    found = re.search(r"<h1>(.*?)</h1>", html, re.S)
    assert found is not None
    return found.group(1).strip()


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("ceo", "GRP"),  # manages the group
        ("manager", "SALES"),  # manages Sales, works there too
        ("employee", "SALES-N"),  # primary unit
        ("steward", "FIN"),
        ("admin", "GRP"),  # sees everything, has no unit: the group
    ],
)
def test_a_users_own_unit_is_the_unit_they_manage_else_their_primary_unit(
    enterprise: Enterprise, persona: str, code: str
) -> None:
    unit = own_unit(enterprise.users[persona])
    assert unit is not None and unit.code == code


def test_a_user_with_a_grant_only_opens_on_the_top_of_their_subtree_and_an_outsider_on_none(
    enterprise: Enterprise,
) -> None:
    analyst = own_unit(analyst_on(enterprise, "DE"))
    assert analyst is not None and analyst.code == "DE"
    assert own_unit(enterprise.users["outsider"]) is None


@pytest.mark.parametrize("page", ["strategy:map", "kpis:scorecard"])
def test_the_strategy_and_scorecards_links_open_the_viewers_own_unit(
    enterprise: Enterprise, strategy: StrategyWorld, page_of: PageOf, page: str
) -> None:
    assert heading(page_of("employee", reverse(page))).endswith("· Sales North")
    assert heading(page_of("ceo", reverse(page))).endswith("· Group")


@pytest.mark.parametrize("page", ["strategy:map", "kpis:scorecard"])
def test_a_department_head_opens_on_their_department(
    enterprise: Enterprise, strategy: StrategyWorld, page_of: PageOf, page: str
) -> None:
    do_create_objective(
        enterprise.users["ceo"],
        code="sales-grow",
        name="Grow sales in the UK",
        perspective=Perspective.objects.get(code="financial"),
        unit=enterprise.units["SALES"],
        horizon_start=strategy.start,
        horizon_end=strategy.this_month.replace(year=strategy.this_month.year + 2),
        valid_from=strategy.start,
        parent=strategy.objectives["grow"],
    )
    assert heading(page_of("manager", reverse(page))).endswith("· Sales")


@pytest.mark.parametrize("page", ["strategy:map", "kpis:scorecard"])
def test_a_unit_without_objectives_opens_on_the_nearest_unit_above_that_has_them(
    enterprise: Enterprise, strategy: StrategyWorld, page_of: PageOf, page: str
) -> None:
    # Finance and Scoreline UK have no objectives; the group steers them.
    assert heading(page_of("steward", reverse(page))).endswith("· Group")


def test_an_outsider_is_told_they_see_no_strategy_or_scorecard(
    enterprise: Enterprise, strategy: StrategyWorld, page_of: PageOf
) -> None:
    assert "no access to the strategy" in page_of("outsider", reverse("strategy:map"))
    assert "no access to the scorecard" in page_of("outsider", reverse("kpis:scorecard"))


def test_a_unit_page_links_to_its_scorecard_and_strategy_map_and_back(
    enterprise: Enterprise, strategy: StrategyWorld, page_of: PageOf
) -> None:
    north = enterprise.units["SALES-N"]
    links = section(page_of("employee", unit_url(enterprise, "SALES-N")), "unit-links")
    links = links.split("</p>")[0]
    assert reverse("kpis:scorecard-unit", args=[north.pk]) in links
    assert reverse("strategy:unit-map", args=[north.pk]) in links
    scorecard = page_of("employee", reverse("kpis:scorecard-unit", args=[north.pk]))
    assert f'href="{unit_url(enterprise, "SALES-N")}"' in scorecard
    strategy_map = page_of("employee", reverse("strategy:unit-map", args=[north.pk]))
    assert f'href="{unit_url(enterprise, "SALES-N")}"' in strategy_map


def test_an_employees_own_page_names_their_manager_without_a_link_they_may_not_follow(
    enterprise: Enterprise, client_for: ClientFor, page_of: PageOf
) -> None:
    manager_page = person_url(enterprise, "manager")
    html = page_of("employee", person_url(enterprise, "employee"))
    assert enterprise.people["manager"].full_name in html
    assert f'href="{manager_page}"' not in html
    assert client_for("employee").get(manager_page).status_code == 404
    # Those who may open the manager's page get the link.
    assert f'href="{manager_page}"' in page_of("hr", person_url(enterprise, "employee"))
    assert f'href="{manager_page}"' in page_of("manager", person_url(enterprise, "employee"))


def test_a_unit_page_links_its_manager_only_for_viewers_who_may_open_their_page(
    enterprise: Enterprise, page_of: PageOf
) -> None:
    manager_page = person_url(enterprise, "manager")
    assert f'href="{manager_page}"' not in page_of("steward", unit_url(enterprise, "SALES"))
    assert f'href="{manager_page}"' in page_of("ceo", unit_url(enterprise, "SALES"))


def _fact(html: str, testid: str) -> str:
    return section(html, testid).split("</dd>")[0]


def test_a_steward_sees_their_own_name_on_the_kpis_they_steward(
    enterprise: Enterprise, strategy: StrategyWorld, page_of: PageOf
) -> None:
    html = page_of("steward", reverse("kpis:kpi", args=[strategy.kpis["on-time"].pk]))
    steward = _fact(html, "kpi-steward")
    assert enterprise.people["steward"].full_name in steward
    assert f'href="{person_url(enterprise, "steward")}"' in steward
    # The owner is the sales manager, whose page the steward may not open: no name, no link.
    owner = _fact(html, "kpi-owner")
    assert "Not visible to you" in owner and "href" not in owner


def test_kpi_owners_and_stewards_follow_the_people_pages_rule(
    enterprise: Enterprise, strategy: StrategyWorld, client_for: ClientFor, page_of: PageOf
) -> None:
    url = reverse("kpis:kpi", args=[strategy.kpis["on-time"].pk])
    html = page_of("ceo", url)
    for testid, key in [("kpi-owner", "manager"), ("kpi-steward", "steward")]:
        fact = _fact(html, testid)
        assert enterprise.people[key].full_name in fact
        assert f'href="{person_url(enterprise, key)}"' in fact
    # The employee may open neither page, so sees neither name.
    html = page_of("employee", url)
    for testid, key in [("kpi-owner", "manager"), ("kpi-steward", "steward")]:
        assert enterprise.people[key].full_name not in _fact(html, testid)
        assert client_for("employee").get(person_url(enterprise, key)).status_code == 404


def test_the_navigation_of_a_login_without_a_person_or_grant_has_no_strategy_link(
    enterprise: Enterprise, page_of: PageOf
) -> None:
    outsider: User = enterprise.users["outsider"]
    html = page_of(outsider.get_username(), reverse("home"))
    assert f'href="{reverse("strategy:map")}"' not in html
