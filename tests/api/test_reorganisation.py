"""After a unit moves, access follows the tree: the old parent's manager loses sight of its
people and the new parent's manager gains it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model

from tests.builders.api import ApiClient
from tests.builders.enterprise import PASSWORD, Enterprise


def _add_boss(hr: ApiClient, username: str, unit_id: int, number: int) -> int:
    get_user_model().objects.create_user(username, f"{username}@example.com", PASSWORD)
    person: dict[str, Any] = hr.post(
        "/people",
        {
            "employee_id": f"B{number:05d}",
            "first_name": username.capitalize(),
            "last_name": "Boss",
            "email": f"{username}@example.com",
            "job_title": "Country manager",
            "job_family": "Management",
            "job_level": 8,
            "grade": "G8",
            "hire_date": "2020-01-01",
            "country": "GB",
            "primary_unit_id": unit_id,
            "user": username,
        },
    ).json()
    response = hr.patch(
        f"/units/{unit_id}", {"effective": "2021-01-01", "manager_id": person["id"]}
    )
    assert response.status_code == 200, response.content
    return int(person["id"])


def test_moving_sales_under_germany_moves_access_from_the_uk_manager_to_the_german_one(
    api_as: Callable[[str | None], ApiClient], enterprise: Enterprise
) -> None:
    uk, de, sales = (enterprise.units[code] for code in ["UK", "DE", "SALES"])
    seller = enterprise.people["seller2"]
    hr = api_as("hr")
    _add_boss(hr, "ukboss", uk.pk, 1)
    _add_boss(hr, "deboss", de.pk, 2)
    uk_boss, de_boss = api_as("ukboss"), api_as("deboss")
    assert uk_boss.get(f"/people/{seller.pk}").status_code == 200
    assert de_boss.get(f"/people/{seller.pk}").status_code == 404

    moved = api_as("admin").patch(
        f"/units/{sales.pk}",
        {"effective": "2024-04-01", "parent_id": de.pk, "reason": "reorganisation"},
    )

    assert moved.status_code == 200, moved.content
    assert moved.json()["parent_id"] == de.pk
    assert uk_boss.get(f"/people/{seller.pk}").status_code == 404
    assert de_boss.get(f"/people/{seller.pk}").status_code == 200
    assert seller.pk not in {
        item["id"] for item in uk_boss.get("/people?page_size=500").json()["items"]
    }
    in_germany = de_boss.get(f"/people?unit={de.pk}&page_size=500").json()
    assert seller.pk in {item["id"] for item in in_germany["items"]}
    assert in_germany["count"] == 3 + 1 + 7  # the German staff, their boss, and all of Sales
    versions = api_as("admin").get(f"/units/{sales.pk}/versions").json()["items"]
    assert [version["parent_id"] for version in versions][-2:] == [uk.pk, de.pk]
