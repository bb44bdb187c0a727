"""The site's icon at ``/favicon.ico``, where browsers look for it before any page names it."""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

__all__ = ["ICON", "favicon"]

ICON = "scoreline/favicon.svg"
"""The icon's static path; the pages link it too."""


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> FileResponse:
    """The brand mark as an SVG image (every current browser takes SVG icons)."""
    found = finders.find(ICON)
    if not isinstance(found, str):
        raise Http404
    return FileResponse(open(found, "rb"), content_type="image/svg+xml")
