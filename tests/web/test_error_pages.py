"""Error pages keep the site's frame and a way back; the site's icon is served."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path, reverse
from pytest_django import Settings

from scoreline.urls import urlpatterns as site_patterns
from tests.builders.enterprise import Enterprise
from tests.builders.pages import ClientFor


def _forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("You need a right you do not hold.")


def _broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


# This module is the URL map of its tests: the site's, plus two pages that fail on purpose.
urlpatterns = [
    path("test-forbidden/", _forbidden),
    path("test-broken/", _broken),
    *site_patterns,
]

pytestmark = pytest.mark.urls(__name__)


def _framed(html: str) -> None:
    """The page has the site's frame: style sheet, icon, brand bar and a way back."""
    assert '<link rel="stylesheet" href="/static/scoreline/scoreline.css">' in html
    assert '<link rel="icon" href="/static/scoreline/favicon.svg"' in html
    assert '<header class="topbar">' in html
    assert f'<a href="{reverse("home")}">Back to your start page</a>' in html


@pytest.mark.parametrize(
    ("url", "status", "heading"),
    [
        ("/no-such-page/", 404, "Not found"),
        ("/test-forbidden/", 403, "Not allowed"),
        ("/test-broken/", 500, "Something went wrong"),
    ],
)
@pytest.mark.parametrize("persona", ["ceo", None])
def test_each_error_page_has_the_sites_frame_and_a_way_back(
    enterprise: Enterprise,
    client_for: ClientFor,
    settings: Settings,
    persona: str | None,
    url: str,
    status: int,
    heading: str,
) -> None:
    settings.DEBUG = False
    client = client_for(persona)
    client.raise_request_exception = False
    response = client.get(url)
    assert response.status_code == status
    html = response.content.decode()
    _framed(html)
    assert f"<h1>{heading}</h1>" in html
    assert "a bug" not in html  # no internals reach the visitor


def test_a_signed_in_visitor_keeps_the_main_navigation_on_a_missing_page(
    enterprise: Enterprise, client_for: ClientFor, settings: Settings
) -> None:
    settings.DEBUG = False
    html = client_for("ceo").get("/no-such-page/").content.decode()
    assert 'aria-label="Main"' in html and "Sign out" in html


def test_the_icon_is_served_where_browsers_look_for_it(db: None) -> None:
    response = Client().get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"".join(response.streaming_content).startswith(b"<svg")  # type: ignore[attr-defined]
