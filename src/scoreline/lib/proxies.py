"""The client's address behind trusted reverse proxies (opt-in: SCORELINE_TRUSTED_PROXIES).

A proxy appends the address it received a request from to ``X-Forwarded-For``; anything to
the left of what the proxies added was written by the client and may be forged. So the
header is read only when the direct peer is a trusted proxy, from the right, skipping
trusted proxies, and the first address that is not one is the client. With no trusted
proxies (the default) the header is ignored and the peer is the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Sequence

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from scoreline.lib.env import ConfigError

__all__ = ["Network", "TrustedProxyMiddleware", "client_address", "parse_networks"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: Iterable[str], variable: str) -> tuple[Network, ...]:
    """``["10.0.0.0/8", "::1"]`` as networks; a bad entry is a ``ConfigError`` naming it."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ConfigError(
                f"{variable}: {entry!r} is not an IP address or network (e.g. 10.0.0.0/8)"
            ) from None
    return tuple(networks)


def _trusted(address: str, proxies: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_address(peer: str, forwarded_for: str, proxies: Sequence[Network]) -> str:
    """The client's address: the peer's, unless the peer is a trusted proxy; then the
    right-most address in ``forwarded_for`` that is not a trusted proxy.

    >>> proxies = parse_networks(["10.0.0.0/8"], "example")
    >>> client_address("10.0.0.2", "6.6.6.6, 203.0.113.9, 10.0.0.1", proxies)
    '203.0.113.9'
    >>> client_address("198.51.100.4", "6.6.6.6", proxies)
    '198.51.100.4'
    """
    if not _trusted(peer, proxies):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    client = peer
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            # Only the trusted proxies' own entries are read, and they are addresses:
            # anything else means a misconfigured proxy, so keep the last sure address.
            return client
        client = hop
        if not _trusted(hop, proxies):
            return hop
    return client


class TrustedProxyMiddleware:
    """Puts the client's address in ``REMOTE_ADDR``, and takes ``X-Forwarded-Proto: https``
    as a secure request, when the request came through a trusted proxy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        proxies: tuple[Network, ...] = settings.TRUSTED_PROXIES
        peer = str(request.META.get("REMOTE_ADDR", ""))
        if proxies and _trusted(peer, proxies):
            request.META["REMOTE_ADDR"] = client_address(
                peer, request.headers.get("X-Forwarded-For", ""), proxies
            )
            scheme = request.headers.get("X-Forwarded-Proto", "").strip().lower()
            if scheme in ("http", "https"):
                request.META["wsgi.url_scheme"] = scheme
        return self.get_response(request)
