"""Signing in with throttling, and signing out."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from scoreline.access.models import LoginFailure
from scoreline.lib.proxies import parse_networks
from tests.builders.enterprise import PASSWORD, Enterprise

LOCKED = "temporarily locked"


def sign_in(
    client: Client, username: str, password: str, address: str = "10.0.0.1", **extra: Any
) -> str:
    response = client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **extra,
    )
    if response.status_code == 302:
        return str(response["Location"])
    assert response.status_code == 200
    return response.content.decode()


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_login_page_signs_in_and_lands_on_home(enterprise: Enterprise) -> None:
    client = Client()
    page = client.get(reverse("login"))
    assert page.status_code == 200 and 'name="password"' in page.content.decode()
    assert sign_in(client, "manager", PASSWORD) == reverse("home")
    assert signed_in(client)


def test_a_wrong_password_is_refused_and_counted(enterprise: Enterprise) -> None:
    client = Client()
    html = sign_in(client, "manager", "wrong")
    assert "Please enter a correct username and password" in html
    assert not signed_in(client)
    assert LoginFailure.objects.filter(username="manager", address="10.0.0.1").count() == 1


def test_too_many_failures_lock_the_account_even_for_the_right_password(
    enterprise: Enterprise, settings: Settings
) -> None:
    settings.LOGIN_MAX_FAILURES = 3
    client = Client()
    for _ in range(3):
        assert LOCKED not in sign_in(client, "manager", "wrong")
    html = sign_in(client, "manager", PASSWORD)
    assert LOCKED in html
    assert not signed_in(client)


def test_a_lockout_is_by_username_whatever_the_address(
    enterprise: Enterprise, settings: Settings
) -> None:
    settings.LOGIN_MAX_FAILURES = 2
    client = Client()
    sign_in(client, "manager", "wrong", address="10.0.0.1")
    sign_in(client, "Manager", "wrong", address="10.0.0.2")
    assert LOCKED in sign_in(client, "manager", PASSWORD, address="10.0.0.3")
    assert sign_in(client, "hr", PASSWORD, address="10.0.0.3") == reverse("home")


def test_a_successful_sign_in_clears_earlier_failures(
    enterprise: Enterprise, settings: Settings
) -> None:
    settings.LOGIN_MAX_FAILURES = 3
    client = Client()
    sign_in(client, "manager", "wrong")
    sign_in(client, "manager", "wrong")
    assert sign_in(client, "manager", PASSWORD) == reverse("home")
    assert not LoginFailure.objects.filter(username="manager").exists()


def test_a_sign_in_without_a_password_neither_counts_nor_lifts_a_lock(
    enterprise: Enterprise, settings: Settings
) -> None:
    settings.LOGIN_MAX_FAILURES = 2
    client = Client()
    for password in ("wrong", "wrong", ""):
        sign_in(client, "manager", password)
    assert not signed_in(client)
    assert LoginFailure.objects.filter(username="manager").count() == 2
    assert LOCKED in sign_in(client, "manager", PASSWORD)


PROXY = "10.9.0.1"


def test_behind_a_trusted_proxy_an_attacker_locks_only_their_own_address(
    enterprise: Enterprise, settings: Settings
) -> None:
    settings.LOGIN_MAX_FAILURES = 2
    settings.TRUSTED_PROXIES = parse_networks(["10.9.0.0/16"], "SCORELINE_TRUSTED_PROXIES")
    client = Client()
    # Every request reaches the server from the proxy; the attacker tries many accounts.
    for number in range(8):
        sign_in(client, f"guess{number}", "wrong", PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert LOCKED in sign_in(client, "hr", PASSWORD, PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5")
    # A forged header in front of the proxy's entry does not get the attacker out.
    forged = "198.51.100.7, 203.0.113.5"
    assert LOCKED in sign_in(client, "hr", PASSWORD, PROXY, HTTP_X_FORWARDED_FOR=forged)
    # Everyone else behind the same proxy still signs in.
    home = reverse("home")
    assert sign_in(client, "hr", PASSWORD, PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7") == home


def test_without_trusted_proxies_a_forwarded_address_does_not_escape_the_lock(
    enterprise: Enterprise, settings: Settings
) -> None:
    settings.LOGIN_MAX_FAILURES = 2
    client = Client()
    for number in range(8):
        sign_in(client, f"guess{number}", "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")
    assert LOCKED in sign_in(client, "hr", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.99")


def test_the_admin_sign_in_is_throttled_too(enterprise: Enterprise, settings: Settings) -> None:
    settings.LOGIN_MAX_FAILURES = 2
    client = Client()
    for _ in range(2):
        client.post(reverse("admin:login"), {"username": "admin", "password": "wrong"})
    response = client.post(reverse("admin:login"), {"username": "admin", "password": PASSWORD})
    assert response.status_code == 200
    assert LOCKED in response.content.decode()


def test_signing_out_needs_a_post_and_returns_to_the_login_page(enterprise: Enterprise) -> None:
    client = Client()
    assert client.login(username="hr", password=PASSWORD)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert not signed_in(client)


@pytest.mark.parametrize("persona", ["manager", "outsider"])
def test_a_signed_in_user_visiting_the_login_page_is_sent_home(
    persona: str, enterprise: Enterprise
) -> None:
    client = Client()
    assert client.login(username=persona, password=PASSWORD)
    response = client.get(reverse("login"))
    assert response.status_code == 302 and response["Location"] == reverse("home")
