"""The headers of a production app: a Content-Security-Policy on every page with nothing
inline for it to refuse (the browser check is in test_browser.py), and HSTS once the site
runs on HTTPS."""

from __future__ import annotations

import re
import runpy
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from scoreline import settings as settings_module
from scoreline.lib.env import ConfigError
from scoreline.lib.proxies import parse_networks
from tests.builders.enterprise import Enterprise
from tests.builders.pages import ClientFor, PageOf, map_url, objective_url
from tests.builders.strategy_pages import StrategyWorld

POLICY = "Content-Security-Policy"
ONE_YEAR = 365 * 24 * 3600
SETTINGS_FILE = Path(settings_module.__file__)


def directives(response: Any) -> dict[str, list[str]]:
    policy = response[POLICY]
    parsed = [part.split() for part in policy.split(";") if part.strip()]
    return {name: values for name, *values in parsed}


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        (None, "/login/"),
        (None, "/no-such-page/"),
        ("ceo", "/"),
        ("employee", "/"),
        ("outsider", "/"),
        ("admin", "/admin/"),
        ("ceo", "/api/v1/docs"),
        ("ceo", "/api/v1/me"),
    ],
)
def test_every_answer_carries_a_policy_that_allows_nothing_inline(
    enterprise: Enterprise, client_for: ClientFor, persona: str | None, url: str
) -> None:
    policy = directives(client_for(persona).get(url))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]  # no nonce: the page has no style block
    assert policy["object-src"] == policy["base-uri"] == policy["frame-ancestors"] == ["'none'"]


def test_the_one_style_block_carries_the_nonce_of_its_own_answer(
    enterprise: Enterprise, strategy: StrategyWorld, client_for: ClientFor
) -> None:
    client = client_for("ceo")
    url = objective_url(strategy, "grow")
    nonces = []
    for _ in range(2):
        response = client.get(url)
        (nonce,) = re.findall(r'<style nonce="([^"]+)">', response.content.decode())
        assert directives(response)["style-src"] == ["'self'", f"'nonce-{nonce}'"]
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


INLINE = re.compile(r"\sstyle=|\son[a-z]+=|<script(?![^>]*\ssrc=)[^>]*>\s*\S", re.IGNORECASE)


def test_the_pages_that_colour_scores_do_it_without_inline_styles(
    enterprise: Enterprise, strategy: StrategyWorld, page_of: PageOf
) -> None:
    on_time = strategy.kpis["on-time"].pk
    group = enterprise.units["GRP"].pk
    for url in [
        reverse("org:tree"),
        map_url(enterprise, "GRP"),
        objective_url(strategy, "grow"),
        reverse("kpis:kpi-unit", args=[on_time, group]),
        reverse("kpis:scorecard-unit", args=[group]),
        reverse("strategy:esg"),
    ]:
        html = page_of("ceo", url)
        assert not INLINE.search(html), (url, INLINE.search(html))


def test_hsts_is_sent_over_https_only(enterprise: Enterprise, settings: Settings) -> None:
    settings.SECURE_HSTS_SECONDS = ONE_YEAR
    settings.TRUSTED_PROXIES = parse_networks(["10.9.0.1"], "SCORELINE_TRUSTED_PROXIES")
    client = Client()
    hsts = "Strict-Transport-Security"
    assert client.get("/login/", secure=True)[hsts] == f"max-age={ONE_YEAR}"
    assert hsts not in client.get("/login/")
    # TLS ended at a trusted proxy, which says so.
    behind = client.get("/login/", REMOTE_ADDR="10.9.0.1", HTTP_X_FORWARDED_PROTO="https")
    assert behind[hsts] == f"max-age={ONE_YEAR}"
    # The same header from anyone else changes nothing.
    forged = client.get("/login/", REMOTE_ADDR="10.9.0.2", HTTP_X_FORWARDED_PROTO="https")
    assert hsts not in forged


def settings_under(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> dict[str, Any]:
    """The settings module's values when read under ``env``."""
    monkeypatch.setenv("SCORELINE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SCORELINE_SECRET_KEY", "k" * 40)
    for name in ("SCORELINE_SECURE_COOKIES", "SCORELINE_HSTS_SECONDS", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


@pytest.mark.parametrize(
    ("env", "seconds"),
    [
        ({}, 0),
        ({"SCORELINE_HSTS_SECONDS": "600"}, 0),
        ({"SCORELINE_SECURE_COOKIES": "true"}, ONE_YEAR),
        ({"SCORELINE_SECURE_COOKIES": "true", "SCORELINE_HSTS_SECONDS": "600"}, 600),
    ],
)
def test_hsts_is_on_with_secure_cookies(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, env: dict[str, str], seconds: int
) -> None:
    assert settings_under(monkeypatch, tmp_path, **env)["SECURE_HSTS_SECONDS"] == seconds


def test_trusted_proxies_are_read_from_the_environment_and_checked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    read = settings_under(monkeypatch, tmp_path, SCORELINE_TRUSTED_PROXIES="10.0.0.0/8, ::1")
    assert [str(network) for network in read["TRUSTED_PROXIES"]] == ["10.0.0.0/8", "::1/128"]
    with pytest.raises(ConfigError, match=re.escape("SCORELINE_TRUSTED_PROXIES: 'proxy.internal'")):
        settings_under(monkeypatch, tmp_path, SCORELINE_TRUSTED_PROXIES="proxy.internal")
