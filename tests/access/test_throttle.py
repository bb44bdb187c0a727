from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from pytest_django import Settings

from scoreline.access.throttle import clear_failures, is_locked_out, note_failure

pytestmark = pytest.mark.django_db


def test_an_account_locks_after_the_allowed_failures_and_unlocks_after_the_window(
    settings: Settings,
) -> None:
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 600
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(3):
            assert not is_locked_out("Manager", "10.0.0.1")
            note_failure("Manager", "10.0.0.1")
        assert is_locked_out("manager", "10.0.0.2"), (
            "the lock follows the account, whatever its case"
        )
    with time_machine.travel(start + dt.timedelta(seconds=601), tick=False):
        assert not is_locked_out("manager", "10.0.0.1")


def test_one_address_trying_many_accounts_is_locked_too(settings: Settings) -> None:
    settings.LOGIN_MAX_FAILURES = 2
    for number in range(8):
        note_failure(f"user{number}", "10.0.0.9")
    assert is_locked_out("someone-else", "10.0.0.9")
    assert not is_locked_out("someone-else", "10.0.0.10")


def test_a_successful_login_clears_the_failures_of_the_account(
    settings: Settings,
) -> None:
    settings.LOGIN_MAX_FAILURES = 2
    note_failure("manager", "10.0.0.1")
    note_failure("manager", "10.0.0.1")
    assert is_locked_out("manager", "10.0.0.1")
    clear_failures("manager")
    assert not is_locked_out("manager", "10.0.0.1")
