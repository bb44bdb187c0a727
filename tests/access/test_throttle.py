from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter
from typing import Any

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings

from scoreline.access.models import LoginFailure
from scoreline.access.throttle import begin_attempt, clear_failures
from tests.builders.enterprise import Enterprise


@pytest.mark.django_db
def test_an_account_locks_after_the_allowed_failures_and_unlocks_after_the_window(
    settings: Settings,
) -> None:
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 600
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert all(begin_attempt("Manager", "10.0.0.1") for _ in range(3))
        assert not begin_attempt("manager", "10.0.0.2"), (
            "the lock follows the account, whatever its case"
        )
    with time_machine.travel(start + dt.timedelta(seconds=601), tick=False):
        assert begin_attempt("manager", "10.0.0.1")


@pytest.mark.django_db
def test_attempts_in_flight_count_before_any_password_is_checked(settings: Settings) -> None:
    # Ten sign-ins reach the form at once: all are written down before any password check
    # ends, and only the allowed number get to check theirs.
    settings.LOGIN_MAX_FAILURES = 5
    allowed = [begin_attempt("manager", f"10.0.0.{number}") for number in range(10)]
    assert allowed == [True] * 5 + [False] * 5
    # The refused attempts checked nothing, so they are not counted as failures.
    assert LoginFailure.objects.filter(username="manager").count() == 5


@pytest.mark.django_db
def test_one_address_trying_many_accounts_is_locked_too(settings: Settings) -> None:
    settings.LOGIN_MAX_FAILURES = 2
    assert all(begin_attempt(f"user{number}", "10.0.0.9") for number in range(8))
    assert not begin_attempt("someone-else", "10.0.0.9")
    assert begin_attempt("someone-else", "10.0.0.10")


@pytest.mark.django_db
def test_a_successful_login_clears_the_failures_of_the_account(settings: Settings) -> None:
    settings.LOGIN_MAX_FAILURES = 2
    assert begin_attempt("manager", "10.0.0.1") and begin_attempt("manager", "10.0.0.1")
    assert not begin_attempt("manager", "10.0.0.1")
    clear_failures("manager")
    assert begin_attempt("manager", "10.0.0.1")


ATTACKERS = 50


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_simultaneous_wrong_passwords_get_only_the_allowed_checks(
    enterprise: Enterprise, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.LOGIN_MAX_FAILURES = 5
    checks = Counter[str]()

    def slow_authenticate(*args: Any, **kwargs: Any) -> Any:
        # As long as the production hasher takes, so the attempts overlap.
        checks["password"] += 1
        time.sleep(0.05)
        return authenticate(*args, **kwargs)

    monkeypatch.setattr("django.contrib.auth.forms.authenticate", slow_authenticate)
    start = threading.Barrier(ATTACKERS)
    answers: list[str] = []
    failures: list[BaseException] = []

    def attack(number: int) -> None:
        try:
            client = Client()
            start.wait()
            response = client.post(
                reverse("login"),
                {"username": "manager", "password": f"guess-{number}"},
                REMOTE_ADDR=f"10.1.{number}.1",
            )
            html = response.content.decode()
            answers.append("locked" if "temporarily locked" in html else "checked")
        except BaseException as error:  # reported to the main thread
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attack, args=(number,)) for number in range(ATTACKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    # Never more checks than allowed (attempts that raced in together may all be refused,
    # so there can be fewer), and each one is a failure on record.
    checked = Counter(answers)["checked"]
    assert checked <= 5 and len(answers) == ATTACKERS
    assert checks["password"] == checked
    assert LoginFailure.objects.filter(username="manager").count() == checked
