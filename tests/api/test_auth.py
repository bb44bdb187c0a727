"""Who may call the API: bearer tokens, browser sessions with CSRF, nobody else."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from scoreline.access.actions import do_create_token, do_revoke_token
from scoreline.audit.models import AuditEvent
from scoreline.org.models import OrgUnit
from tests.builders.api import ApiClient
from tests.builders.enterprise import PASSWORD, Enterprise

CSRF = "a" * 32
NEW_UNIT = {
    "code": "FIN-AP",
    "name": "Accounts payable",
    "kind": "team",
    "country": "GB",
    "currency": "GBP",
    "valid_from": "2024-01-01",
}


def test_a_bearer_token_authenticates_its_user(enterprise: Enterprise) -> None:
    user = enterprise.users["manager"]
    _, secret = do_create_token(user, user, "laptop")

    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert response.status_code == 200
    assert response.json()["username"] == "manager"


def test_a_bearer_token_writes_without_a_csrf_token(enterprise: Enterprise) -> None:
    admin = enterprise.users["admin"]
    _, secret = do_create_token(admin, admin, "integration")
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        "/api/v1/units",
        {**NEW_UNIT, "parent_id": enterprise.units["FIN"].pk},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )

    assert response.status_code == 201, response.content
    assert OrgUnit.objects.filter(code="FIN-AP").exists()


def test_a_revoked_token_gets_401(enterprise: Enterprise) -> None:
    user = enterprise.users["manager"]
    token, secret = do_create_token(user, user, "laptop")
    do_revoke_token(user, token)

    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_made_up_token_gets_401_even_beside_a_valid_session(enterprise: Enterprise) -> None:
    client = Client()
    assert client.login(username="manager", password=PASSWORD)

    response = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer sl_00000000_not-a-token")

    assert response.status_code == 401


def test_an_anonymous_request_gets_a_json_401(api_as: Callable[[str | None], ApiClient]) -> None:
    response = api_as(None).post("/units", NEW_UNIT)

    assert response.status_code == 401
    assert response.json() == {
        "code": "unauthenticated",
        "message": "Authentication required: send a bearer token or log in.",
        "fields": {},
    }


def test_a_session_write_without_the_csrf_token_is_refused(enterprise: Enterprise) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="admin", password=PASSWORD)
    before = AuditEvent.objects.count()

    response = client.post(
        "/api/v1/units",
        {**NEW_UNIT, "parent_id": enterprise.units["FIN"].pk},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert AuditEvent.objects.count() == before


def test_a_session_write_with_the_csrf_token_goes_through(enterprise: Enterprise) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="admin", password=PASSWORD)
    client.cookies["csrftoken"] = CSRF

    response = client.post(
        "/api/v1/units",
        {**NEW_UNIT, "parent_id": enterprise.units["FIN"].pk},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=CSRF,
    )

    assert response.status_code == 201, response.content


def test_a_session_read_needs_no_csrf_token(enterprise: Enterprise) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="employee", password=PASSWORD)

    assert client.get("/api/v1/me").status_code == 200


def test_the_openapi_document_and_the_docs_are_served(
    api_as: Callable[[str | None], ApiClient],
) -> None:
    client = api_as(None)

    schema = client.get("/openapi.json").json()
    docs = client.get("/docs")

    assert {"/api/v1/units", "/api/v1/people", "/api/v1/reporting-lines", "/api/v1/grants"} <= set(
        schema["paths"]
    )
    assert {"BearerTokenAuth", "SessionCsrfAuth"} <= set(schema["components"]["securitySchemes"])
    assert docs.status_code == 200
    assert b"/static/ninja/swagger-ui-bundle.js" in docs.content
    assert b"cdn." not in docs.content  # the page works offline
