"""The whole API fuzzed from its OpenAPI document, as the CEO and as an employee.

Schemathesis reads ``/api/v1/openapi.json`` and sends every operation the examples the
document gives and requests generated from it, valid and invalid (its examples and fuzzing
phases; ``EXAMPLES`` bounds the generated ones per operation). Path parameters and the body
fields that name things (a unit, a KPI, a day) often take the test world's identifiers and
days, so that requests reach real objects as well as missing ones. No answer may be a 5xx, and each must be on the document: a
documented status code with a body of its schema, else an error in the API's JSON shape.

The requests go in process to the Django WSGI application, inside the test's transaction,
in the shared world with the KPI architecture; each example's writes are rolled back before
the next example starts.

Schemathesis runs on Hypothesis. Its configuration (``_config``, the keys of a
``schemathesis.toml``) bounds the generated requests (``generation.max-examples``); every
setting of the loaded Hypothesis profile (tests/conftest.py) that differs from Hypothesis's
defaults wins over it: no deadline, and with CI set derandomised without an example database,
so that every run sends the same requests.

The coverage phase is off: every boundary and every invalid variant of every field is about
8,500 requests for the two personas, minutes of CPU where the suite has seconds to spare.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from scoreline.access.actions import do_create_token
from scoreline.access.models import Grant
from scoreline.audit.models import AuditEvent
from scoreline.governance.models import ChangeRequest
from scoreline.kpis.models import Kpi
from scoreline.org.models import OrgUnit, Person
from scoreline.strategy.models import Objective, Perspective, Theme, Workshop
from tests.builders.architecture import Architecture
from tests.builders.enterprise import Enterprise

PERSONAS = ["ceo", "employee"]
# Generated requests per operation and persona (the document's own examples come on top).
EXAMPLES = 8
# How often a parameter bound to the world's identifiers takes one of them.
KNOWN = 0.7


@pytest.fixture
def in_process() -> Iterator[WSGIHandler]:
    """The Django WSGI application, answering inside the test's transaction.

    Around each request a WSGI handler closes the database connection, which would end the
    test's transaction: the signal is disconnected meanwhile, as Django's test client does.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _known_values() -> dict[str, list[Any]]:
    """Identifiers of the world, and days and months it has data for, by the parameter or
    body field they fill."""
    objectives = list(Objective.objects.values_list("code", flat=True))
    kpis = list(Kpi.objects.values_list("code", flat=True))
    units = list(OrgUnit.objects.values_list("code", flat=True))
    people = list(Person.objects.values_list("employee_id", flat=True))
    days = ["2024-01-01", "2024-03-01", "2024-07-01"]
    return {
        "path.unit_id": list(OrgUnit.objects.values_list("pk", flat=True)),
        "path.unit_code": units,
        "path.person_id": list(Person.objects.values_list("pk", flat=True)),
        "path.employee_id": people,
        "path.grant_id": list(Grant.objects.values_list("pk", flat=True)),
        "path.workshop_id": list(Workshop.objects.values_list("pk", flat=True)),
        "path.request_id": list(ChangeRequest.objects.values_list("pk", flat=True)),
        "query.unit": units,
        "body.unit": units,
        "body.parent_id": list(OrgUnit.objects.values_list("pk", flat=True)),
        "body.person": people,
        "body.perspective": list(Perspective.objects.values_list("code", flat=True)),
        "body.parent": objectives,
        "body.effect": objectives,
        "body.kpi": kpis,
        "body.subject": [*kpis, *objectives],
        "body.effective_from": days,
        "body.valid_from": days,
        "body.period": ["2024-01", "2024-03", "2024-06"],
    }


def _codes_by_resource() -> dict[str, list[str]]:
    """The codes a ``{code}`` in a path names, by the resource the path is under."""
    return {
        "kpis": list(Kpi.objects.values_list("code", flat=True)),
        "objectives": list(Objective.objects.values_list("code", flat=True)),
        "perspectives": list(Perspective.objects.values_list("code", flat=True)),
        "themes": list(Theme.objects.values_list("code", flat=True)),
    }


def _config(token: str) -> schemathesis.Config:
    """Schemathesis's configuration (the keys of its ``schemathesis.toml``) for a token."""
    known = _known_values()
    codes = _codes_by_resource()

    def drawn_from(dictionary: str) -> dict[str, Any]:
        return {"dictionary": dictionary, "probability": KNOWN}

    return schemathesis.Config.from_dict(
        {
            "headers": {"Authorization": f"Bearer {token}"},
            "generation": {"max-examples": EXAMPLES},
            "phases": {"coverage": {"enabled": False}},
            "dictionaries": {
                **{key.replace(".", "-"): {"values": values} for key, values in known.items()},
                **{f"{resource}-codes": {"values": values} for resource, values in codes.items()},
            },
            "parameters": {key: drawn_from(key.replace(".", "-")) for key in known},
            "operations": [
                {
                    "include-path-regex": f"^/api/v1/{resource}/",
                    "parameters": {"path.code": drawn_from(f"{resource}-codes")},
                }
                for resource in codes
            ],
        }
    )


@pytest.fixture(params=PERSONAS)
def api_schema(
    request: pytest.FixtureRequest,
    enterprise: Enterprise,
    world_api_architecture: Architecture,
    in_process: WSGIHandler,
) -> schemathesis.BaseSchema:
    """The API's OpenAPI document, read from the application, with a persona's token."""
    user = enterprise.users[request.param]
    _, token = do_create_token(user, user, "fuzzing")
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", in_process, config=_config(token))


@pytest.fixture
def audit_length(api_schema: schemathesis.BaseSchema) -> int:
    """The audit trail's length before the first example: every write lengthens it."""
    return AuditEvent.objects.count()


def documented_status_or_json_error(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> None:
    """A status code the operation documents, else an error in the API's JSON shape."""
    documented = {int(code) for code in case.operation.responses.status_codes}
    if response.status_code in documented:
        return
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    assert isinstance(body, dict) and {"code", "message"} <= body.keys(), (
        f"undocumented status {response.status_code} without a JSON error: "
        f"{response.content[:200]!r}"
    )


CHECKS = [
    not_a_server_error,
    documented_status_or_json_error,
    content_type_conformance,
    response_schema_conformance,
]

fuzzed = schemathesis.pytest.from_fixture("api_schema")


@fuzzed.parametrize()
def test_no_operation_answers_with_a_server_error_or_off_its_schema(
    case: schemathesis.Case, audit_length: int
) -> None:
    with transaction.atomic():
        case.call_and_validate(checks=CHECKS)
        transaction.set_rollback(True)
    assert AuditEvent.objects.count() == audit_length, "an example's writes outlived it"
