"""Every page for every persona, an outsider and an anonymous visitor, against an explicit table."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from tests.enterprise import Enterprise

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
    raise ValueError(page)


OK, LOGIN, ADMIN_LOGIN, MISSING = 200, "login", "admin login", 404
GRP_SCOPE = {
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
# visible_to, and only superusers or holders of "administer" reach the admin.
EXPECTED: dict[str, dict[str, int | str]] = {
    "admin": {**GRP_SCOPE, "admin": OK},
    "ceo": {**GRP_SCOPE},
    "hr": {**GRP_SCOPE},
    "comp": {**GRP_SCOPE},
    "manager": {"person:manager": OK, "person:employee": OK, "person:seller2": OK},
    "steward": {"person:steward": OK},
    "employee": {"person:employee": OK},
    "outsider": {"unit:GRP": MISSING, "unit:SALES-N": MISSING, "unit:DE": MISSING},
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
]


def expected(visitor: str, page: str) -> int | str:
    if visitor == "anonymous":
        return ADMIN_LOGIN if page == "admin" else LOGIN
    if page in EXPECTED[visitor]:
        return EXPECTED[visitor][page]
    if page == "admin":
        return ADMIN_LOGIN
    if page.startswith("person:"):
        return MISSING
    return OK


@pytest.mark.parametrize("page", PAGES)
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
