from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client

from tests.builders.enterprise import PASSWORD, Enterprise

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

API = "/api/v1"


class ApiClient:
    """A test client speaking JSON to the API as one persona (or anonymously)."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def call(self, method: str, path: str, body: Any = None, **extra: Any) -> Response:
        url = path if path.startswith("/api/") else API + path
        if body is None:
            return self.client.generic(method, url, **extra)
        data = body if isinstance(body, bytes | str) else json.dumps(body)
        return self.client.generic(method, url, data, content_type="application/json", **extra)

    def get(self, path: str, **extra: Any) -> Response:
        return self.call("GET", path, **extra)

    def post(self, path: str, body: Any, **extra: Any) -> Response:
        return self.call("POST", path, body, **extra)

    def patch(self, path: str, body: Any, **extra: Any) -> Response:
        return self.call("PATCH", path, body, **extra)

    def put(self, path: str, body: Any, **extra: Any) -> Response:
        return self.call("PUT", path, body, **extra)

    def delete(self, path: str, **extra: Any) -> Response:
        return self.call("DELETE", path, **extra)


@pytest.fixture
def api_as(enterprise: Enterprise) -> Callable[[str | None], ApiClient]:
    """An API client logged in as a persona; ``None`` gives an anonymous one."""

    def make(persona: str | None) -> ApiClient:
        client = Client()
        if persona is not None:
            assert client.login(username=persona, password=PASSWORD)
        return ApiClient(client)

    return make
