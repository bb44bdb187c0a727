"""The JSON API at /api/v1/: token or session auth, paginated lists, JSON errors."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(title="Scoreline API", version="1", urls_namespace="api-v1")
