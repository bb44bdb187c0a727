"""Every 4xx and 5xx under /api/ is the API's JSON error, whoever answered it: the API's own
handlers, the framework's URL resolver and method check, the size limit of a body, or the
500 of an exception nobody caught."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from scoreline.access.actions import do_create_token
from scoreline.org.models import OrgUnit
from tests.builders.api import ApiClient
from tests.builders.enterprise import PASSWORD, Enterprise

SHAPE = {"code", "message", "fields"}
NEW_UNIT = {"code": "FIN-AP", "name": "Accounts payable", "kind": "team", "country": "GB",
            "currency": "GBP", "valid_from": "2024-01-01"}  # fmt: skip


def client_as(persona: str | None) -> ApiClient:
    client = Client(raise_request_exception=False)
    if persona is not None:
        assert client.login(username=persona, password=PASSWORD)
    return ApiClient(client)


def json_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body: dict[str, Any] = response.json()
    assert set(body) == SHAPE and body["code"] == code, body
    return body


@pytest.mark.parametrize("persona", ["ceo", "outsider", None])
@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/api/v1/nonexistent", "There is no resource at /api/v1/nonexistent."),
        ("/api/", "There is no resource at /api/."),
        ("/api/v2/units", "There is no resource at /api/v2/units."),
        ("/api", "There is no resource at /api."),
    ],
)
def test_a_path_that_is_no_resource_answers_a_json_404(
    enterprise: Enterprise, persona: str | None, path: str, message: str
) -> None:
    body = json_error(client_as(persona).client.get(path), 404, "not_found")
    assert body["message"] == message


@pytest.mark.parametrize("persona", ["ceo", "outsider", None])
def test_a_method_the_path_does_not_take_answers_a_json_405_naming_the_allowed_ones(
    enterprise: Enterprise, persona: str | None
) -> None:
    response = client_as(persona).delete("/units")
    body = json_error(response, 405, "method_not_allowed")
    assert body["message"] == "DELETE is not allowed on /api/v1/units; allowed: GET, POST."
    assert sorted(response["Allow"].replace(" ", "").split(",")) == ["GET", "POST"]
    json_error(client_as(persona).put("/me", {}), 405, "method_not_allowed")


def test_a_body_over_the_limit_answers_a_json_413_with_the_limit_and_writes_nothing(
    enterprise: Enterprise,
) -> None:
    admin = enterprise.users["admin"]
    _, secret = do_create_token(admin, admin, "integration")
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    padding = " " * (10 * 1024 * 1024)
    huge = '{"code": "FIN-AP"' + padding + "}"
    units = OrgUnit.objects.count()

    for client, extra in [
        (client_as(None), {"HTTP_AUTHORIZATION": f"Bearer {secret}"}),
        (client_as("admin"), {}),
    ]:
        body = json_error(client.post("/units", huge, **extra), 413, "too_large")
        assert body["message"] == f"The request body is larger than the limit of {limit} bytes."
        assert body["fields"] == {"body": [f"larger than the limit of {limit} bytes"]}
    assert OrgUnit.objects.count() == units
    # Just under the limit the same request is read and created.
    fitting = client_as("admin").post(
        "/units", NEW_UNIT | {"parent_id": enterprise.units["GRP"].pk}
    )
    assert fitting.status_code == 201, fitting.content


def test_a_session_write_without_its_csrf_token_answers_a_json_403(enterprise: Enterprise) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="admin", password=PASSWORD)
    response = ApiClient(client).post("/units", NEW_UNIT)
    assert "CSRF" in json_error(response, 403, "forbidden")["message"]


def test_an_uncaught_exception_in_an_operation_answers_a_json_500_and_is_logged(
    enterprise: Enterprise, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any) -> None:
        raise RuntimeError("a bug with internals")

    monkeypatch.setattr("scoreline.api.me.capability_paths", broken)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client_as("ceo").get("/me", HTTP_X_REQUEST_ID="req-42")
    body = json_error(response, 500, "server_error")
    assert body["message"] == (
        "Something went wrong on the server and the error has been logged (request id req-42)."
    )
    assert "internals" not in response.content.decode()
    assert any("a bug with internals" in str(record.exc_info) for record in caplog.records)


def test_pages_outside_the_api_keep_their_html_error_pages(enterprise: Enterprise) -> None:
    response = Client().get("/apis/nothing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
