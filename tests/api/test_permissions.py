"""Every API endpoint, called by every persona and anonymously, answers exactly as the table says.

Objects a persona cannot see answer 404 (their existence does not leak); writes on objects
the persona can see but may not change answer 403; a request without credentials answers 401.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from scoreline.access.models import Grant
from scoreline.audit.models import AuditEvent
from tests.api.conftest import ApiClient
from tests.enterprise import Enterprise

ANONYMOUS = "anonymous"
CALLERS = [ANONYMOUS, "admin", "ceo", "hr", "comp", "manager", "steward", "employee", "outsider"]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # {UNIT:CODE}, {PERSON:key} and {GRANT:username} are filled from the enterprise
    body: dict[str, Any] | None = None


def _fill(template: str, world: Enterprise) -> str:
    path = template
    for code, unit in world.units.items():
        path = path.replace(f"{{UNIT:{code}}}", str(unit.pk))
    for key, person in world.people.items():
        path = path.replace(f"{{PERSON:{key}}}", str(person.pk))
    if "{GRANT:steward}" in path:
        grant = Grant.objects.get(user__username="steward")
        path = path.replace("{GRANT:steward}", str(grant.pk))
    return path


def _fill_body(body: Any, world: Enterprise) -> Any:
    if isinstance(body, dict):
        return {key: _fill_body(value, world) for key, value in body.items()}
    if isinstance(body, list):
        return [_fill_body(value, world) for value in body]
    if isinstance(body, str) and body.startswith("{") and body.endswith("}"):
        return int(_fill(body, world))
    return body


NEW_PERSON = {
    "employee_id": "E90001",
    "first_name": "Nova",
    "last_name": "Newcomer",
    "email": "nova@example.com",
    "job_title": "Specialist",
    "job_family": "Sales",
    "job_level": 2,
    "grade": "G2",
    "hire_date": "2024-03-01",
    "country": "GB",
    "primary_unit_id": "{UNIT:SALES-N}",
}

ENDPOINTS: dict[str, Endpoint] = {
    "list units": Endpoint("GET", "/units"),
    "get unit": Endpoint("GET", "/units/{UNIT:SALES}"),
    "create unit": Endpoint(
        "POST",
        "/units",
        {
            "code": "SALES-S",
            "name": "Sales South",
            "kind": "team",
            "parent_id": "{UNIT:SALES}",
            "country": "GB",
            "currency": "GBP",
            "valid_from": "2024-01-01",
        },
    ),
    "update unit": Endpoint(
        "PATCH", "/units/{UNIT:SALES}", {"effective": "2024-01-01", "name": "Sales & Marketing"}
    ),
    "unit versions": Endpoint("GET", "/units/{UNIT:SALES}/versions"),
    "unit headcount": Endpoint("GET", "/units/{UNIT:SALES}/headcount?by=grade"),
    "list people": Endpoint("GET", "/people"),
    "get person": Endpoint("GET", "/people/{PERSON:seller2}"),
    "create person": Endpoint("POST", "/people", NEW_PERSON),
    "update person": Endpoint(
        "PATCH", "/people/{PERSON:seller2}", {"job_title": "Senior Specialist"}
    ),
    "person lines": Endpoint("GET", "/people/{PERSON:seller2}/reporting-lines"),
    "set person lines": Endpoint(
        "PUT",
        "/people/{PERSON:seller2}/reporting-lines",
        {
            "effective": "2024-01-01",
            "lines": [
                {"manager_id": "{PERSON:manager}", "kind": "solid", "weight": 70},
                {
                    "manager_id": "{PERSON:lead}",
                    "kind": "project",
                    "weight": 30,
                    "unit_id": "{UNIT:PRJ}",
                },
            ],
        },
    ),
    "list lines": Endpoint("GET", "/reporting-lines"),
    "list grants": Endpoint("GET", "/grants"),
    "create grant": Endpoint(
        "POST", "/grants", {"user": "steward", "role": "analyst", "unit_id": "{UNIT:FIN}"}
    ),
    "revoke grant": Endpoint("DELETE", "/grants/{GRANT:steward}"),
    "me": Endpoint("GET", "/me"),
    "openapi": Endpoint("GET", "/openapi.json"),
    "docs": Endpoint("GET", "/docs"),
}

# The expected status per endpoint, in the order of CALLERS:
#                    anon admin ceo  hr   comp mgr  stew empl outsider
EXPECTED: dict[str, tuple[int, ...]] = {
    "list units":       (401, 200, 200, 200, 200, 200, 200, 200, 200),
    "get unit":         (401, 200, 200, 200, 200, 200, 200, 200, 404),
    "create unit":      (401, 201, 403, 201, 403, 403, 403, 403, 403),
    "update unit":      (401, 200, 403, 200, 403, 403, 403, 403, 404),
    "unit versions":    (401, 200, 200, 200, 200, 200, 200, 200, 404),
    "unit headcount":   (401, 200, 200, 200, 200, 200, 200, 200, 404),
    "list people":      (401, 200, 200, 200, 200, 200, 200, 200, 200),
    "get person":       (401, 200, 200, 200, 200, 200, 404, 404, 404),
    "create person":    (401, 201, 403, 201, 403, 403, 403, 403, 403),
    "update person":    (401, 200, 403, 200, 403, 403, 404, 404, 404),
    "person lines":     (401, 200, 200, 200, 200, 200, 404, 404, 404),
    "set person lines": (401, 200, 403, 200, 403, 403, 404, 404, 404),
    "list lines":       (401, 200, 200, 200, 200, 200, 200, 200, 200),
    "list grants":      (401, 200, 200, 200, 200, 200, 200, 200, 200),
    "create grant":     (401, 201, 403, 403, 403, 403, 403, 403, 403),
    "revoke grant":     (401, 204, 404, 404, 404, 404, 403, 404, 404),
    "me":               (401, 200, 200, 200, 200, 200, 200, 200, 200),
    "openapi":          (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "docs":             (200, 200, 200, 200, 200, 200, 200, 200, 200),
}  # fmt: skip


def test_the_table_covers_every_endpoint_of_the_api() -> None:
    from scoreline.api import api

    documented = {
        (method, path.removeprefix("/api/v1"))
        for path, operations in api.get_openapi_schema()["paths"].items()
        for method in operations
    }
    tested = {
        (endpoint.method.lower(), endpoint.path.split("?")[0]) for endpoint in ENDPOINTS.values()
    }
    placeholders = {
        "{UNIT:SALES}": "{unit_id}",
        "{PERSON:seller2}": "{person_id}",
        "{GRANT:steward}": "{grant_id}",
    }
    normalised = set()
    for method, path in tested:
        for placeholder, name in placeholders.items():
            path = path.replace(placeholder, name)
        normalised.add((method, path))
    assert documented <= normalised
    assert set(EXPECTED) == set(ENDPOINTS)


CASES = [
    pytest.param(name, caller, EXPECTED[name][index], id=f"{name} as {caller}")
    for name in ENDPOINTS
    for index, caller in enumerate(CALLERS)
]


@pytest.mark.parametrize(("endpoint_name", "caller", "expected"), CASES)
def test_each_endpoint_answers_each_persona_as_the_table_says(
    api_as: Callable[[str | None], ApiClient],
    enterprise: Enterprise,
    endpoint_name: str,
    caller: str,
    expected: int,
) -> None:
    endpoint = ENDPOINTS[endpoint_name]
    client = api_as(None if caller == ANONYMOUS else caller)
    events_before = AuditEvent.objects.count()

    body = _fill_body(endpoint.body, enterprise) if endpoint.body is not None else None
    response = client.call(endpoint.method, _fill(endpoint.path, enterprise), body)

    assert response.status_code == expected, response.content
    if expected >= 400:
        assert response.json()["code"] in {"unauthenticated", "forbidden", "not_found"}
        assert AuditEvent.objects.count() == events_before, "a refused request wrote something"
