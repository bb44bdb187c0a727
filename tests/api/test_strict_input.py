"""Request bodies and parameters are read strictly: text that cannot be stored, values of the
wrong JSON type and dates not written YYYY-MM-DD answer a JSON 400 naming the field, and
write nothing."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from scoreline.api import api
from scoreline.api.support import Input
from scoreline.audit.models import AuditEvent
from scoreline.governance.models import ChangeRequest
from scoreline.kpis.models import KpiValue
from scoreline.lib.strict import ISO_DATE_PATTERN
from tests.builders.api import ApiClient
from tests.builders.architecture import NEW_KPI, NEW_OBJECTIVE, Architecture

pytestmark = pytest.mark.usefixtures("arch")

Clients = Callable[[str | None], ApiClient]

LONE_SURROGATE = "\\ud800"  # as a JSON escape: decodes to half a character

VALUE = {"unit": "SALES", "period": "2024-03", "value": 50, "note": "Lost an account"}
KPI = NEW_KPI
OBJECTIVE = NEW_OBJECTIVE | {"description": "Each key account once a quarter"}
CHANGE = {
    "kind": "objective_weight",
    "subject": "SALES-GROW",
    "payload": {"weight": 3},
    "effective_from": "2024-06-01",
    "justification": "Growth first",
}


@contextmanager
def nothing_written() -> Iterator[None]:
    def state() -> tuple[int, ...]:
        return (
            AuditEvent.objects.count(),
            KpiValue.objects.count(),
            ChangeRequest.objects.count(),
        )

    before = state()
    yield
    assert state() == before


def with_raw(body: dict[str, Any], path: tuple[str | int, ...], raw: str) -> str:
    """``body`` as JSON with the value at ``path`` replaced by the JSON text ``raw``."""
    marker = "@@raw@@"
    changed = json.loads(json.dumps(body))
    holder = changed
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = marker
    return json.dumps(changed).replace(json.dumps(marker), raw)


def refused(response: Any, field: str) -> list[str]:
    """The reasons given for ``field`` by a JSON 400."""
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "invalid", body
    assert field in body["fields"], body
    return list(body["fields"][field])


# ---------------------------------------------------------------- text that cannot be stored

Call = tuple[str, str, str, dict[str, Any], tuple[str | int, ...]]
"""Persona, method, path, body, and where in the body the text goes."""

SURROGATE_CASES: dict[str, Call] = {
    "a value's note": ("steward", "POST", "/kpis/REVENUE/values", VALUE, ("note",)),
    "a theme's description": (
        "ceo",
        "PUT",
        "/themes/people",
        {"name": "People", "description": ""},
        ("description",),
    ),
    "a perspective's description": (
        "ceo",
        "PUT",
        "/perspectives/esg",
        {"name": "ESG", "description": ""},
        ("description",),
    ),
    "an objective's description": ("admin", "POST", "/objectives", OBJECTIVE, ("description",)),
    "a KPI's description": ("admin", "POST", "/kpis", KPI, ("description",)),
    "a string in a change request's payload": (
        "manager",
        "POST",
        "/change-requests",
        {**CHANGE, "payload": {"weight": 3, "lines": [{"note": ""}]}},
        ("payload", "lines", 0, "note"),
    ),
}


@pytest.mark.parametrize("case", sorted(SURROGATE_CASES))
def test_a_lone_surrogate_in_free_text_is_a_json_error_naming_the_field(
    api_as: Clients, case: str
) -> None:
    persona, method, path, body, where = SURROGATE_CASES[case]
    field = ".".join(str(key) for key in where).replace(".0.", "[0].")
    client = api_as(persona)

    with nothing_written():
        escaped = client.call(method, path, with_raw(body, where, f'"a{LONE_SURROGATE}b"'))
        raw_bytes = client.call(
            method, path, with_raw(body, where, '"a@b"').encode().replace(b"@", b"\xed\xa0\x80")
        )

    for response in (escaped, raw_bytes):
        assert refused(response, field) == [
            "holds an unpaired surrogate (U+D800), which is not a character"
        ]


def test_a_surrogate_pair_is_a_character_and_is_kept(api_as: Clients) -> None:
    raw = with_raw(VALUE, ("note",), '"Lost \\ud83d\\ude1e an account"')

    response = api_as("steward").post("/kpis/REVENUE/values", raw)

    assert response.status_code == 201, response.content
    assert response.json()["note"] == "Lost \U0001f61e an account"


@pytest.mark.parametrize(
    ("raw", "field", "reason"),
    [
        ('"a\\u0000b"', "note", "must not contain NUL characters"),
        ("NaN", "value", "must be a finite number, got nan"),
        ("1e400", "value", "must be a finite number, got inf"),
    ],
)
def test_values_no_database_could_hold_are_refused_where_they_sit(
    api_as: Clients, raw: str, field: str, reason: str
) -> None:
    where = ("note",) if field == "note" else ("value",)
    with nothing_written():
        response = api_as("steward").post("/kpis/REVENUE/values", with_raw(VALUE, where, raw))

    assert refused(response, field) == [reason]


def test_a_field_name_that_cannot_be_stored_names_the_object_holding_it(
    api_as: Clients,
) -> None:
    raw = with_raw(CHANGE, ("payload",), '{"weight": 3, "\\ud800": 1}')

    with nothing_written():
        response = api_as("manager").post("/change-requests", raw)

    (reason,) = refused(response, "payload")
    assert reason.startswith("a field name holds an unpaired surrogate")


# ---------------------------------------------------------------- strict JSON types


@pytest.mark.parametrize(
    ("persona", "path", "body", "field"),
    [
        ("steward", "/kpis/REVENUE/values", {**VALUE, "value": True}, "value"),
        ("steward", "/kpis/REVENUE/values", {**VALUE, "value": "120"}, "value"),
        ("steward", "/kpis/REVENUE/values", {**VALUE, "period": 202403}, "period"),
        ("admin", "/kpis", {**KPI, "valid_from": 0}, "valid_from"),
        ("admin", "/kpis", {**KPI, "valid_from": "2024-W01"}, "valid_from"),
        ("admin", "/kpis", {**KPI, "valid_from": "20240101"}, "valid_from"),
        ("admin", "/kpis", {**KPI, "valid_from": "2024-01-01T00:00:00"}, "valid_from"),
        ("admin", "/objectives", {**OBJECTIVE, "horizon_end": 1735689600}, "horizon_end"),
        ("manager", "/change-requests", {**CHANGE, "effective_from": 0}, "effective_from"),
        ("ceo", "/change-requests/{request}/decision", {"approve": 1}, "approve"),
        ("ceo", "/change-requests/{request}/decision", {"approve": "yes"}, "approve"),
    ],
    ids=lambda value: str(value)[:40] if isinstance(value, str) else "",
)
def test_a_value_of_the_wrong_json_type_is_refused_naming_the_field(
    api_as: Clients, arch: Architecture, persona: str, path: str, body: dict[str, Any], field: str
) -> None:
    with nothing_written():
        response = api_as(persona).post(path.format(request=arch.change_request.pk), body)

    assert refused(response, field)


def test_true_is_not_stored_as_a_value_of_one(api_as: Clients) -> None:
    with nothing_written():
        response = api_as("steward").post("/kpis/REVENUE/values", {**VALUE, "value": True})

    assert refused(response, "value") == ["Input should be a valid number"]


def test_a_whole_number_is_still_a_number(api_as: Clients) -> None:
    response = api_as("steward").post("/kpis/REVENUE/values", {**VALUE, "value": 120})

    assert response.status_code == 201, response.content
    assert response.json()["value"] == 120.0


@pytest.mark.parametrize(
    "day", ["0", "1700000000", "2024-W01", "20240101", "2024-1-1", "2024-02-30"]
)
def test_an_as_of_day_is_read_only_as_yyyy_mm_dd(api_as: Clients, day: str) -> None:
    response = api_as("employee").get(f"/objectives?as_of={day}")

    (reason,) = refused(response, "as_of")
    assert reason.startswith(("expected a date as YYYY-MM-DD", f"{day!r} is not a date"))


def test_an_as_of_day_written_yyyy_mm_dd_is_read(api_as: Clients) -> None:
    response = api_as("employee").get("/objectives/SALES-GROW?as_of=2024-01-01")

    assert response.status_code == 200, response.content
    assert response.json()["day"] == "2024-01-01"


# ---------------------------------------------------------------- every endpoint, now and later


def _operations() -> Iterator[Any]:
    for _, router in api._routers:
        for path_view in router.path_operations.values():
            yield from path_view.operations


def test_every_request_body_is_a_strict_input() -> None:
    bodies = [
        (operation.view_func.__name__, field.annotation)
        for operation in _operations()
        for model in operation.models
        if model.__ninja_param_source__ == "body"
        for field in model.model_fields.values()
    ]

    assert bodies
    for name, annotation in bodies:
        assert isinstance(annotation, type) and issubclass(annotation, Input), name
    assert Input.model_config.get("strict") is True


def _date_fields(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if node.get("format") == "date":
            yield where, node
        for key, value in node.items():
            yield from _date_fields(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _date_fields(value, f"{where}/{index}")


def test_every_date_a_client_sends_is_documented_as_yyyy_mm_dd() -> None:
    schema = api.get_openapi_schema()
    sent = {
        name: body
        for name, body in schema["components"]["schemas"].items()
        if not name.endswith(("Out", "Page"))
    }
    parameters = [
        operation.get("parameters", [])
        for operations in schema["paths"].values()
        for operation in operations.values()
    ]

    dates = [*_date_fields(sent, "schemas"), *_date_fields(parameters, "parameters")]

    assert len(dates) > 20
    for where, field in dates:
        assert field.get("pattern") == ISO_DATE_PATTERN, where
