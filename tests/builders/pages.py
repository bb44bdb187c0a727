"""Helpers of the page tests: another kind of visitor, clients, and parts of a page."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from scoreline.access.actions import do_grant_role
from scoreline.access.models import Role
from tests.builders.enterprise import PASSWORD, Enterprise
from tests.builders.strategy_pages import StrategyWorld

PageOf = Callable[[str | None, str], str]
ClientFor = Callable[[str | None], Client]


def analyst_on(world: Enterprise, unit: str) -> User:
    """A login without a person who may see one unit's subtree only: same organisation, no
    right on the rest of it."""
    user = User.objects.create_user("analyst", "analyst@example.com", PASSWORD)
    do_grant_role(world.users["admin"], user, Role.objects.get(code="analyst"), world.units[unit])
    return user


def map_url(world: Enterprise, unit: str) -> str:
    return reverse("strategy:unit-map", args=[world.units[unit].pk])


def objective_url(strategy: StrategyWorld, code: str) -> str:
    return reverse("strategy:objective", args=[strategy.objectives[code].pk])


def assert_login_redirect(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('login')}?next=")


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def section(html: str, testid: str) -> str:
    """The element marked ``data-testid=testid`` up to the end of the page."""
    start = html.index(f'data-testid="{testid}"')
    return html[start:]
