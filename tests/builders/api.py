"""A test client speaking JSON to the API."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.test import Client

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
