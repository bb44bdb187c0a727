"""Lists hold exactly what the caller may see, page by page, with the total count."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.builders.api import ApiClient
from tests.builders.enterprise import Enterprise

# persona -> how many units, people, lines in force and grants each list holds
VISIBLE: dict[str, tuple[int, int, int, int]] = {
    "admin": (7, 17, 18, 4),
    "ceo": (7, 17, 18, 1),
    "hr": (7, 17, 18, 1),
    "comp": (7, 17, 18, 1),
    # Sales: the manager, the employee and five sellers, two of them with project lines.
    "manager": (7, 7, 9, 0),
    "steward": (7, 1, 1, 1),
    "employee": (7, 1, 1, 0),
    "outsider": (0, 0, 0, 0),
}


@pytest.mark.parametrize(("persona", "counts"), VISIBLE.items(), ids=list(VISIBLE))
def test_each_list_counts_only_what_the_persona_may_see(
    api_as: Callable[[str | None], ApiClient], persona: str, counts: tuple[int, int, int, int]
) -> None:
    client = api_as(persona)

    found = tuple(
        client.get(f"/{resource}?page_size=500").json()
        for resource in ["units", "people", "reporting-lines", "grants"]
    )

    assert tuple(body["count"] for body in found) == counts
    assert tuple(len(body["items"]) for body in found) == counts


def test_pages_split_the_list_without_gaps_or_repeats(
    api_as: Callable[[str | None], ApiClient],
) -> None:
    client = api_as("admin")

    pages = [client.get(f"/people?page_size=5&page={number}").json() for number in range(1, 6)]

    assert [page["count"] for page in pages] == [17] * 5
    assert [len(page["items"]) for page in pages] == [5, 5, 5, 2, 0]
    ids = [item["id"] for page in pages for item in page["items"]]
    assert len(ids) == len(set(ids)) == 17


def test_a_page_size_above_the_cap_is_capped(api_as: Callable[[str | None], ApiClient]) -> None:
    body = api_as("admin").get("/people?page_size=100000").json()

    assert body["count"] == len(body["items"]) == 17


def test_people_can_be_narrowed_to_a_subtree(
    api_as: Callable[[str | None], ApiClient], enterprise: Enterprise
) -> None:
    sales = enterprise.units["SALES"]

    body = api_as("hr").get(f"/people?unit={sales.pk}").json()

    assert body["count"] == 7
    expected = {enterprise.units["SALES"].pk, enterprise.units["SALES-N"].pk}
    assert {item["primary_unit_id"] for item in body["items"]} == expected


def test_people_can_be_searched_by_name(
    api_as: Callable[[str | None], ApiClient], enterprise: Enterprise
) -> None:
    body = api_as("hr").get("/people?q=seller").json()

    assert body["count"] == 5
    assert all(item["first_name"].startswith("Seller") for item in body["items"])


def test_a_search_does_not_reach_past_what_the_caller_may_see(
    api_as: Callable[[str | None], ApiClient],
) -> None:
    assert api_as("employee").get("/people?q=seller").json()["count"] == 0


def test_reporting_lines_can_be_narrowed_to_one_manager(
    api_as: Callable[[str | None], ApiClient], enterprise: Enterprise
) -> None:
    lead = enterprise.people["lead"]

    body = api_as("admin").get(f"/reporting-lines?manager={lead.pk}").json()

    assert body["count"] == 2
    assert {item["kind"] for item in body["items"]} == {"project"}
    assert {item["weight"] for item in body["items"]} == {"40.00"}
