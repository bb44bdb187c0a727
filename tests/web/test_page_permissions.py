"""Every page for every persona, an outsider and an anonymous visitor, against an explicit table."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from tests.builders.enterprise import Enterprise
from tests.builders.worlds import WORLDS

VISITORS = ["admin", "ceo", "hr", "comp", "manager", "steward", "employee", "outsider", "anonymous"]


def url_of(page: str, world: Enterprise) -> str:
    kind, _, key = page.partition(":")
    if kind == "home":
        return reverse("home")
    if kind == "tree":
        return reverse("org:tree")
    if kind == "people":
        return reverse("org:people")
    if kind == "unit":
        return reverse("org:unit", args=[world.units[key].pk])
    if kind == "person":
        return reverse("org:person", args=[world.people[key].pk])
    if kind == "admin":
        return reverse("admin:index")
    simple = {
        "strategy": "strategy:map",
        "workshops": "strategy:workshops",
        "esg": "strategy:esg",
        "kpis": "kpis:catalogue",
        "scorecards": "kpis:scorecard",
        "changes": "kpis:changes",
    }
    if kind in simple:
        return reverse(simple[kind])
    if kind == "strategy-map":
        return reverse("strategy:unit-map", args=[world.units[key].pk])
    if kind == "scorecard":
        return reverse("kpis:scorecard-unit", args=[world.units[key].pk])
    # Pages about one objective, KPI or workshop need the strategy (no values: access does not
    # depend on them), committed for the test by its mark, or built now when it is not.
    strategy = WORLDS.get("web_strategy_plain", world)
    if kind == "objective":
        return reverse("strategy:objective", args=[strategy.objectives[key].pk])
    if kind == "kpi":
        return reverse("kpis:kpi", args=[strategy.kpis[key].pk])
    if kind == "workshop" and strategy.workshop is not None:
        return reverse("strategy:workshop", args=[strategy.workshop.pk])
    raise ValueError(page)


OK, LOGIN, ADMIN_LOGIN, MISSING = 200, "login", "admin login", 404
# The manager's individual goal is seen by whoever may see the manager's ratings.
GOAL_SEEN = {"objective:manager-goal": OK}
GRP_SCOPE = {
    **GOAL_SEEN,
    "person:ceo": OK,
    "person:manager": OK,
    "person:employee": OK,
    "person:seller2": OK,
    "person:de0": OK,
    "person:fin1": OK,
    "person:steward": OK,
}

# Every visitor who signs in can open the landing page, the tree and the directory; what those
# pages list is scoped (see the other tests). Unit pages follow visible_units, person pages
# visible_to, and only superusers or holders of "administer" reach the admin. The strategy and
# KPI lists (map, workshops, ESG, catalogue, scorecards, change requests) open for everyone
# signed in and show what the visitor may see; a unit's map or scorecard, an objective, a KPI
# and a workshop answer 404 to whoever may not see them.
EXPECTED: dict[str, dict[str, int | str]] = {
    "admin": {**GRP_SCOPE, "admin": OK},
    "ceo": {**GRP_SCOPE},
    "hr": {**GRP_SCOPE},
    "comp": {**GRP_SCOPE},
    "manager": {**GOAL_SEEN, "person:manager": OK, "person:employee": OK, "person:seller2": OK},
    "steward": {"person:steward": OK},
    "employee": {"person:employee": OK},
    "outsider": {
        "unit:GRP": MISSING,
        "unit:SALES-N": MISSING,
        "unit:DE": MISSING,
        "strategy-map:GRP": MISSING,
        "strategy-map:SALES-N": MISSING,
        "objective:delight": MISSING,
        "kpi:on-time": MISSING,
        "scorecard:GRP": MISSING,
        "workshop": MISSING,
    },
    "anonymous": {},
}
PAGES = [
    "home",
    "tree",
    "people",
    "unit:GRP",
    "unit:SALES-N",
    "unit:DE",
    "person:ceo",
    "person:manager",
    "person:employee",
    "person:seller2",
    "person:de0",
    "person:fin1",
    "person:steward",
    "admin",
    "strategy",
    "strategy-map:GRP",
    "strategy-map:SALES-N",
    "objective:delight",
    "objective:manager-goal",
    "workshops",
    "workshop",
    "esg",
    "kpis",
    "kpi:on-time",
    "scorecards",
    "scorecard:GRP",
    "changes",
]


def expected(visitor: str, page: str) -> int | str:
    if visitor == "anonymous":
        return ADMIN_LOGIN if page == "admin" else LOGIN
    if page in EXPECTED[visitor]:
        return EXPECTED[visitor][page]
    if page == "admin":
        return ADMIN_LOGIN
    if page.startswith(("person:", "objective:manager-goal")):
        return MISSING
    return OK


def needs_strategy(page: str) -> bool:
    return page.partition(":")[0] in ("objective", "kpi", "workshop")


@pytest.mark.parametrize(
    "page",
    [
        pytest.param(page, marks=pytest.mark.world("web_strategy_plain"))
        if needs_strategy(page)
        else page
        for page in PAGES
    ],
)
@pytest.mark.parametrize("visitor", VISITORS)
def test_each_page_answers_each_visitor_as_the_table_says(
    visitor: str, page: str, enterprise: Enterprise, client_for: Callable[[str | None], Client]
) -> None:
    url = url_of(page, enterprise)
    response = client_for(None if visitor == "anonymous" else visitor).get(url)
    want = expected(visitor, page)
    if want == LOGIN:
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={url}"
    elif want == ADMIN_LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    else:
        assert response.status_code == want


def test_the_table_covers_the_pages_an_outsider_should_not_reach() -> None:
    assert all(
        expected("outsider", page) in (MISSING, ADMIN_LOGIN) for page in PAGES if ":" in page
    )
