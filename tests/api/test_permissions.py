"""Every API endpoint, called by every persona and anonymously, answers exactly as the table says.

Objects a persona cannot see answer 404 (their existence does not leak); writes on objects
the persona can see but may not change answer 403; a request without credentials answers 401.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction

from scoreline.access.models import Grant
from scoreline.audit.models import AuditEvent
from scoreline.governance.models import ChangeRequest
from scoreline.strategy.models import Workshop
from tests.builders.api import ApiClient
from tests.builders.enterprise import Enterprise
from tests.builders.worlds import WORLDS

ANONYMOUS = "anonymous"
CALLERS = [ANONYMOUS, "admin", "ceo", "hr", "comp", "manager", "steward", "employee", "outsider"]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # {UNIT:CODE}, {PERSON:key} and {GRANT:username} are filled from the enterprise
    body: dict[str, Any] | None = None
    # Strategy and KPI endpoints run against the architecture of tests.api.test_kpi_api; their
    # paths name objectives, KPIs and units by code ({CODE:x}, {UNIT_CODE:x}), the workshop
    # ({WORKSHOP}) and the change request ({CHANGE_REQUEST}) it holds.
    architecture: bool = False


# Placeholders of the architecture's paths and bodies, with the path parameter each stands for.
CODE_PLACEHOLDER = re.compile(r"\{(CODE|UNIT_CODE):([^}]+)\}")
ARCHITECTURE_PARAMETERS = {
    "CODE": "{code}",
    "UNIT_CODE": "{unit_code}",
    "WORKSHOP": "{workshop_id}",
    "CHANGE_REQUEST": "{request_id}",
    "EMPLOYEE": "{employee_id}",
}


def _fill(template: str, world: Enterprise) -> str:
    path = template
    for code, unit in world.units.items():
        path = path.replace(f"{{UNIT:{code}}}", str(unit.pk))
    for key, person in world.people.items():
        path = path.replace(f"{{PERSON:{key}}}", str(person.pk))
    if "{GRANT:steward}" in path:
        grant = Grant.objects.get(user__username="steward")
        path = path.replace("{GRANT:steward}", str(grant.pk))
    for key, person in world.people.items():
        path = path.replace(f"{{EMPLOYEE:{key}}}", person.employee_id)
    path = CODE_PLACEHOLDER.sub(lambda match: match.group(2), path)
    if "{WORKSHOP}" in path:
        path = path.replace("{WORKSHOP}", str(Workshop.objects.get().pk))
    if "{CHANGE_REQUEST}" in path:
        path = path.replace("{CHANGE_REQUEST}", str(ChangeRequest.objects.get().pk))
    return path


def _fill_body(body: Any, world: Enterprise) -> Any:
    if isinstance(body, dict):
        return {key: _fill_body(value, world) for key, value in body.items()}
    if isinstance(body, list):
        return [_fill_body(value, world) for value in body]
    if isinstance(body, str) and body.startswith("{") and body.endswith("}"):
        filled = _fill(body, world)
        return int(filled) if filled.isdigit() else filled
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

# Strategy and KPI endpoints, run against the architecture of tests.api.test_kpi_api.
ARCHITECTURE_ENDPOINTS: dict[str, Endpoint] = {
    name: Endpoint(method, path, body, architecture=True)
    for name, (method, path, body) in {
        "list objectives": ("GET", "/objectives", None),
        "create objective": ("POST", "/objectives", {
            "code": "SALES-N-VISITS", "name": "Visit key accounts", "perspective": "customer",
            "unit": "SALES-N", "horizon_start": "2024-01-01", "horizon_end": "2025-01-01",
            "valid_from": "2024-01-01"}),
        "get objective": ("GET", "/objectives/{CODE:SALES-GROW}", None),
        "update objective": ("PATCH", "/objectives/{CODE:SALES-GROW}", {
            "effective_from": "2024-07-01", "reason": "Sharper", "name": "Grow sales"}),
        "objective history": ("GET", "/objectives/{CODE:SALES-GROW}/history", None),
        "retire objective": ("POST", "/objectives/{CODE:SALES-NPS}/retirement", {
            "effective_from": "2024-03-01", "reason": "Folded into growth"}),
        "link objectives": ("POST", "/objectives/{CODE:SALES-N-CALLS}/links", {
            "effect": "SALES-NPS", "effective_from": "2024-03-01"}),
        "unlink objectives": ("DELETE", "/objectives/{CODE:SALES-NPS}/links"
                              "?effect=SALES-GROW&effective_from=2024-03-01", None),
        "set measure": ("POST", "/objectives/{CODE:SALES-N-CALLS}/measures", {
            "kpi": "NPS", "weight": 1, "effective_from": "2024-01-01"}),
        "remove measure": ("DELETE", "/objectives/{CODE:SALES-GROW}/measures"
                           "?kpi=REVENUE&effective_from=2024-03-01", None),
        "strategy map": ("GET", "/strategy-map?unit=SALES", None),
        "list perspectives": ("GET", "/perspectives", None),
        "save perspective": ("PUT", "/perspectives/{CODE:esg}", {"name": "ESG", "is_esg": True}),
        "list themes": ("GET", "/themes", None),
        "save theme": ("PUT", "/themes/{CODE:people}", {"name": "People"}),
        "esg": ("GET", "/esg", None),
        "list workshops": ("GET", "/workshops", None),
        "create workshop": ("POST", "/workshops", {
            "name": "Round two", "unit": "SALES", "subject": "themes", "held_on": "2024-03-01",
            "items": ["growth", "efficiency"],
            "participants": [{"person": "{EMPLOYEE:manager}", "department": "SALES"},
                             {"person": "{EMPLOYEE:employee}", "department": "SALES-N"}]}),
        "get workshop": ("GET", "/workshops/{WORKSHOP}", None),
        "record allocation": ("POST", "/workshops/{WORKSHOP}/allocations", {
            "participant": "{EMPLOYEE:manager}", "points": {"growth": 40, "efficiency": 60}}),
        "agree weights": ("POST", "/workshops/{WORKSHOP}/agreement", {
            "method": "mean", "effective_from": "2024-02-01"}),
        "list kpis": ("GET", "/kpis", None),
        "create kpi": ("POST", "/kpis", {
            "code": "CHURN", "valid_from": "2024-01-01", "name": "Customer churn rate",
            "unit_of_measure": "%", "direction": "lower", "temporality": "lagging",
            "kind": "output", "time_aggregation": "average", "tree_aggregation": "average",
            "scoring": "linear"}),
        "get kpi": ("GET", "/kpis/{CODE:REVENUE}", None),
        "update kpi": ("PATCH", "/kpis/{CODE:REVENUE}", {
            "effective_from": "2024-06-01", "reason": "Ledger", "name": "Net revenue"}),
        "kpi history": ("GET", "/kpis/{CODE:REVENUE}/history", None),
        "list targets": ("GET", "/kpis/{CODE:REVENUE}/targets", None),
        "target specificity": ("GET", "/kpis/{CODE:REVENUE}/target-specificity", None),
        "kpi periods": ("GET", "/kpis/{CODE:REVENUE}/periods?unit=SALES", None),
        "set target": ("POST", "/kpis/{CODE:REVENUE}/targets", {
            "unit": "FIN", "period_start": "2024-01", "period_end": "2025-01",
            "target_type": "increase_to", "threshold": 50, "target": 70}),
        "get status rules": ("GET", "/kpis/{CODE:REVENUE}/status-rules", None),
        "set status rules": ("PUT", "/kpis/{CODE:REVENUE}/status-rules", {
            "effective_from": "2024-01-01",
            "rules": [{"basis": "score", "comparison": "ge", "bound": 75, "status": "green"},
                      {"basis": "value", "comparison": "otherwise", "status": "red"}]}),
        "list values": ("GET", "/kpis/{CODE:REVENUE}/values?unit=SALES", None),
        "record value": ("POST", "/kpis/{CODE:REVENUE}/values", {
            "unit": "SALES", "period": "2024-03", "value": 100}),
        "record assessment": ("POST", "/kpis/{CODE:LEAD}/assessments", {
            "unit": "SALES-N", "period": "2024-03", "level": 4, "evidence": "Ran the kick-off",
            "rater": "{EMPLOYEE:steward}"}),
        "list scores": ("GET", "/kpis/{CODE:REVENUE}/scores?unit=SALES", None),
        "scorecard": ("GET", "/scorecards/{UNIT_CODE:SALES}?period=2024-01", None),
        "person scorecard": ("GET", "/scorecards/people/{EMPLOYEE:employee}?period=2024-01", None),
        "list change requests": ("GET", "/change-requests", None),
        "request change": ("POST", "/change-requests", {
            "kind": "kpi", "subject": "REVENUE", "payload": {"name": "Gross revenue"},
            "effective_from": "2024-07-01", "justification": "Board wording"}),
        "decide change": ("POST", "/change-requests/{CHANGE_REQUEST}/decision", {
            "approve": True, "note": "Agreed"}),
    }.items()
}  # fmt: skip

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
    **ARCHITECTURE_ENDPOINTS,
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
    "list objectives":  (401, 200, 200, 200, 200, 200, 200, 200, 200),
    "create objective": (401, 201, 201, 403, 403, 201, 403, 403, 403),
    "get objective":    (401, 200, 200, 200, 200, 200, 200, 200, 404),
    "update objective": (401, 200, 200, 403, 403, 200, 403, 403, 404),
    "retire objective": (401, 200, 200, 403, 403, 200, 403, 403, 404),
    "objective history": (401, 200, 200, 200, 200, 200, 200, 200, 404),
    "link objectives":  (401, 201, 201, 403, 403, 201, 403, 403, 404),
    "unlink objectives": (401, 200, 200, 403, 403, 200, 403, 403, 404),
    "set measure":      (401, 200, 200, 403, 403, 200, 403, 403, 404),
    "remove measure":   (401, 200, 200, 403, 403, 200, 403, 403, 404),
    "strategy map":     (401, 200, 200, 200, 200, 200, 200, 200, 404),
    "list perspectives": (401, 200, 200, 200, 200, 200, 200, 200, 200),
    "save perspective": (401, 200, 200, 403, 403, 403, 403, 403, 403),
    "list themes":      (401, 200, 200, 200, 200, 200, 200, 200, 200),
    "save theme":       (401, 200, 200, 403, 403, 403, 403, 403, 403),
    "esg":              (401, 200, 200, 200, 200, 200, 200, 200, 200),
    "list workshops":   (401, 200, 200, 200, 200, 200, 200, 200, 200),
    "create workshop":  (401, 201, 201, 403, 403, 201, 403, 403, 403),
    "get workshop":     (401, 200, 200, 200, 200, 200, 200, 200, 404),
    "record allocation": (401, 200, 200, 403, 403, 200, 403, 403, 404),
    "agree weights":    (401, 200, 200, 403, 403, 200, 403, 403, 404),
    "list kpis":        (401, 200, 200, 200, 200, 200, 200, 200, 200),
    "create kpi":       (401, 201, 403, 403, 403, 403, 201, 403, 403),
    "get kpi":          (401, 200, 200, 200, 200, 200, 200, 200, 404),
    "update kpi":       (401, 200, 403, 403, 403, 403, 200, 403, 404),
    "kpi history":      (401, 200, 200, 200, 200, 200, 200, 200, 404),
    "list targets":     (401, 200, 200, 200, 200, 200, 200, 200, 404),
    "target specificity": (401, 200, 200, 200, 200, 200, 200, 200, 404),
    "kpi periods":      (401, 200, 200, 200, 200, 200, 200, 200, 404),
    "set target":       (401, 201, 403, 403, 403, 403, 201, 403, 404),
    "get status rules": (401, 200, 200, 200, 200, 200, 200, 200, 404),
    "set status rules": (401, 200, 403, 403, 403, 403, 200, 403, 404),
    "list values":      (401, 200, 200, 200, 200, 200, 200, 200, 404),
    "record value":     (401, 201, 403, 403, 403, 403, 201, 403, 404),
    "record assessment": (401, 201, 403, 403, 403, 403, 201, 403, 404),
    "list scores":      (401, 200, 200, 200, 200, 200, 200, 200, 404),
    "scorecard":        (401, 200, 200, 200, 200, 200, 200, 200, 404),
    "person scorecard": (401, 200, 200, 200, 200, 200, 404, 200, 404),
    "list change requests": (401, 200, 200, 200, 200, 200, 200, 200, 200),
    "request change":   (401, 201, 403, 403, 403, 403, 201, 403, 403),
    "decide change":    (401, 200, 200, 404, 404, 404, 403, 404, 404),
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
        path = CODE_PLACEHOLDER.sub(lambda match: ARCHITECTURE_PARAMETERS[match.group(1)], path)
        for placeholder in ("WORKSHOP", "CHANGE_REQUEST"):
            path = path.replace(f"{{{placeholder}}}", ARCHITECTURE_PARAMETERS[placeholder])
        path = re.sub(r"\{EMPLOYEE:[^}]+\}", ARCHITECTURE_PARAMETERS["EMPLOYEE"], path)
        normalised.add((method, path))
    assert documented <= normalised
    assert set(EXPECTED) == set(ENDPOINTS)


class _Undo(Exception):
    """Raised to roll a persona's call back, so the next persona meets the same world."""


@pytest.mark.parametrize(
    "endpoint_name",
    [
        pytest.param(name, marks=pytest.mark.world("api_architecture"))
        if endpoint.architecture
        else name
        for name, endpoint in ENDPOINTS.items()
    ],
)
def test_each_endpoint_answers_each_persona_as_the_table_says(
    api_as: Callable[[str | None], ApiClient], enterprise: Enterprise, endpoint_name: str
) -> None:
    # One world per endpoint; each persona's call runs in a savepoint that is rolled back.
    endpoint = ENDPOINTS[endpoint_name]
    if endpoint.architecture:
        # The architecture (tests/builders/architecture.py) is committed for the test by its
        # mark, or built now when it is not.
        WORLDS.get("api_architecture", enterprise)
    wrong = []
    for caller, expected in zip(CALLERS, EXPECTED[endpoint_name], strict=True):
        try:
            with transaction.atomic():
                problem = _call(api_as, enterprise, endpoint, caller, expected)
                raise _Undo
        except _Undo:
            pass
        if problem:
            wrong.append(f"{caller}: {problem}")
    assert not wrong, "\n".join(wrong)


def _call(
    api_as: Callable[[str | None], ApiClient],
    enterprise: Enterprise,
    endpoint: Endpoint,
    caller: str,
    expected: int,
) -> str | None:
    """What is wrong with one persona's answer, or None."""
    client = api_as(None if caller == ANONYMOUS else caller)
    events_before = AuditEvent.objects.count()
    body = _fill_body(endpoint.body, enterprise) if endpoint.body is not None else None
    response = client.call(endpoint.method, _fill(endpoint.path, enterprise), body)
    if response.status_code != expected:
        return f"answered {response.status_code}, expected {expected}: {response.content[:300]!r}"
    if expected >= 400:
        if response.json()["code"] not in {"unauthenticated", "forbidden", "not_found"}:
            return f"error code {response.json()['code']}"
        if AuditEvent.objects.count() != events_before:
            return "a refused request wrote something"
    return None
