"""Every link on every page, as every persona, answers: a crawl of the strategy world.

From each persona's landing page the crawl follows the site's own links breadth first, a few
steps deep, and asks for each page once. A link that answers 4xx or 5xx, or sends the viewer
to the login page, is a link shown to someone who may not follow it (or a broken page).
Signing out and the Django admin's own pages (tested in test_admin.py) are not followed;
pages of a kind already visited often enough are not asked for again, so the crawl stays
fast while every kind of page is reached.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.http import HttpResponse
from django.urls import Resolver404, resolve, reverse

from tests.builders.enterprise import PERSONAS, Enterprise
from tests.builders.pages import ClientFor
from tests.builders.strategy_pages import StrategyWorld

DEPTH = 4
# Pages of one kind (URL name and query keys) asked for per persona; the rest are skipped.
PER_KIND = 3
NOT_FOLLOWED = ("/static/", "/admin/", "/api/")
# Every kind of page the crawl must reach, as someone.
EXPECTED_PAGES = {
    "home",
    "org:tree",
    "org:unit",
    "org:people",
    "org:person",
    "org:person-lines",
    "strategy:map",
    "strategy:unit-map",
    "strategy:objective",
    "strategy:workshops",
    "strategy:workshop",
    "strategy:esg",
    "kpis:catalogue",
    "kpis:kpi",
    "kpis:kpi-unit",
    "kpis:scorecard",
    "kpis:scorecard-unit",
    "kpis:changes",
}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_of(html: str, page: str) -> list[str]:
    """The same-site links of a page as absolute paths with their queries, in page order."""
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        url, _ = urldefrag(urljoin(f"http://testserver{page}", href))
        parts = urlsplit(url)
        if parts.netloc != "testserver" or parts.scheme not in ("http", "https"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if not path.startswith(NOT_FOLLOWED) and path != reverse("logout"):
            found.append(path)
    return found


def kind_of(url: str) -> str:
    """The URL's name and the names of its query keys: ``kpis:scorecard-unit?month``."""
    parts = urlsplit(url)
    try:
        name = resolve(parts.path).view_name
    except Resolver404:
        name = parts.path
    keys = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    return name + (f"?{'&'.join(keys)}" if keys else "")


@dataclass(frozen=True)
class Failure:
    persona: str
    page: str
    link: str
    status: int

    def __str__(self) -> str:
        return f"{self.persona}: {self.link} (linked from {self.page}) answered {self.status}"


def crawl(persona: str, get: Callable[[str], Any]) -> tuple[list[Failure], set[str]]:
    """Follow the links from the landing page, asking ``get`` for each page; the failures and
    the kinds of page reached."""
    start = reverse("home")
    seen = {start}
    queue: deque[tuple[str, str, int]] = deque([(start, start, 0)])
    asked: Counter[str] = Counter()
    failures: list[Failure] = []
    reached: set[str] = set()
    login = reverse("login")
    while queue:
        url, source, depth = queue.popleft()
        kind = kind_of(url)
        if asked[kind] >= PER_KIND:
            continue
        asked[kind] += 1
        response = get(url)
        location = response.get("Location", "")
        if response.status_code >= 400 or (
            response.status_code in (301, 302) and location.startswith(login)
        ):
            failures.append(Failure(persona, source, url, response.status_code))
            continue
        reached.add(kind.split("?")[0])
        if response.status_code in (301, 302):
            links = [urljoin(url, location)]
        elif "text/html" in response.get("Content-Type", ""):
            links = links_of(response.content.decode(), url)
        else:
            continue
        if depth == DEPTH:
            continue
        for link in links:
            if link not in seen:
                seen.add(link)
                queue.append((link, url, depth + 1))
    return failures, reached


def test_every_link_on_every_page_answers_for_every_persona(
    enterprise: Enterprise, strategy: StrategyWorld, client_for: ClientFor
) -> None:
    failures: list[Failure] = []
    reached: set[str] = set()
    for persona in PERSONAS:
        found, kinds = crawl(persona, client_for(persona).get)
        failures += found
        reached |= kinds
    assert not failures, "\n".join(str(failure) for failure in failures)
    assert reached >= EXPECTED_PAGES, f"never reached: {sorted(EXPECTED_PAGES - reached)}"


def test_the_crawl_reports_the_persona_page_and_link_that_failed(
    enterprise: Enterprise, client_for: ClientFor
) -> None:
    client = client_for("employee")
    broken = reverse("org:unit", args=[999_999])

    def get(url: str) -> Any:
        if url != reverse("home"):
            return client.get(url)
        # A landing page linking to a unit that does not exist, to signing out and elsewhere.
        return HttpResponse(
            f'<a href="{broken}">gone</a><a href="{reverse("logout")}">out</a>'
            f'<a href="/static/x.css">style</a><a href="https://example.com/">away</a>'
            f'<a href="{reverse("org:tree")}#top">tree</a>'
        )

    failures, reached = crawl("employee", get)
    assert [str(failure) for failure in failures] == [
        f"employee: {broken} (linked from /) answered 404"
    ]
    assert {"home", "org:tree", "org:unit"} <= reached


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("/kpis/scorecards/3/?month=2026-01", "kpis:scorecard-unit?month"),
        ("/org/people/?q=a&page=2", "org:people?page&q"),
        ("/", "home"),
    ],
)
def test_pages_are_grouped_by_their_url_name_and_query_keys(url: str, kind: str) -> None:
    assert kind_of(url) == kind
