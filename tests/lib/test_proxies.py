from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from pytest_django import Settings

from scoreline.lib.env import ConfigError
from scoreline.lib.proxies import TrustedProxyMiddleware, client_address, parse_networks

PROXIES = parse_networks(["10.0.0.0/8", "2001:db8::/32"], "SCORELINE_TRUSTED_PROXIES")


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "client"),
    [
        # No trusted proxy in front: the header is whatever the client wrote, and ignored.
        ("198.51.100.4", "203.0.113.9", "198.51.100.4"),
        ("198.51.100.4", "", "198.51.100.4"),
        # One proxy: the address it appended.
        ("10.0.0.2", "203.0.113.9", "203.0.113.9"),
        # A forged entry to the left of what the proxy appended is not believed.
        ("10.0.0.2", "6.6.6.6, 203.0.113.9", "203.0.113.9"),
        # Two proxies: skip the inner one, take the first address that is not a proxy.
        ("10.0.0.2", "6.6.6.6, 203.0.113.9, 10.0.0.7", "203.0.113.9"),
        ("2001:db8::1", "2001:db8::5, 2a00:1450::1", "2a00:1450::1"),
        # Everything trusted: the left-most address the proxies vouch for.
        ("10.0.0.2", "10.0.0.9, 10.0.0.7", "10.0.0.9"),
        # A trusted proxy that forwarded no header: the proxy is all that is known.
        ("10.0.0.2", "", "10.0.0.2"),
        # A malformed entry stops the walk at the last address a proxy vouched for.
        ("10.0.0.2", "203.0.113.9, unknown", "10.0.0.2"),
        ("10.0.0.2", "garbage, 10.0.0.7", "10.0.0.7"),
    ],
)
def test_the_client_is_the_right_most_address_that_is_no_trusted_proxy(
    peer: str, forwarded_for: str, client: str
) -> None:
    assert client_address(peer, forwarded_for, PROXIES) == client


def test_no_trusted_proxies_means_the_header_is_never_read() -> None:
    assert client_address("10.0.0.2", "203.0.113.9", ()) == "10.0.0.2"


@pytest.mark.parametrize("entry", ["proxy.internal", "10.0.0.0/33", "10.0.0.1-10.0.0.9"])
def test_a_bad_trusted_proxy_names_the_variable_and_the_entry(entry: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_networks(["10.0.0.1", entry], "SCORELINE_TRUSTED_PROXIES")
    assert str(error.value) == (
        f"SCORELINE_TRUSTED_PROXIES: {entry!r} is not an IP address or network (e.g. 10.0.0.0/8)"
    )


def _seen(settings: Settings, peer: str, headers: dict[str, str]) -> tuple[str, bool]:
    """The address and the security of a request as the views behind the middleware see it."""
    settings.TRUSTED_PROXIES = PROXIES
    seen: list[tuple[str, bool]] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append((str(request.META["REMOTE_ADDR"]), request.is_secure()))
        return HttpResponse()

    request = RequestFactory().get("/", REMOTE_ADDR=peer, headers=headers)
    TrustedProxyMiddleware(view)(request)
    return seen[0]


def test_behind_a_trusted_proxy_the_request_has_the_clients_address_and_scheme(
    settings: Settings,
) -> None:
    headers = {"X-Forwarded-For": "6.6.6.6, 203.0.113.9", "X-Forwarded-Proto": "https"}
    assert _seen(settings, "10.0.0.2", headers) == ("203.0.113.9", True)


def test_a_client_that_sends_the_proxy_headers_itself_is_not_believed(
    settings: Settings,
) -> None:
    headers = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    assert _seen(settings, "198.51.100.4", headers) == ("198.51.100.4", False)


def test_an_unknown_forwarded_scheme_is_ignored(settings: Settings) -> None:
    headers = {"X-Forwarded-Proto": "https, http"}
    assert _seen(settings, "10.0.0.2", headers) == ("10.0.0.2", False)
