"""Login throttling kept in the database, so every web process sees the same count.

An attempt is written down before its password is checked, and only then are the attempts
counted: whichever attempts race, the n-th to be written sees at least n of them, so no more
than the allowed number of passwords are ever checked within the window, on any database and
without locks (attempts that arrive together may see each other and all be refused, which
errs on the safe side). An attempt refused by the lock is struck off again (it checked
nothing); one whose password was wrong stays as a failure; a successful sign-in clears the
account's.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from scoreline.access.models import LoginFailure

__all__ = ["begin_attempt", "clear_failures"]


def _window_start() -> datetime:
    return timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def begin_attempt(username: str, address: str) -> bool:
    """Record a sign-in attempt about to check a password; ``False`` when the account or the
    address is locked out, and the password must not be checked."""
    username = username.lower()
    attempt = LoginFailure.objects.create(username=username, address=address)
    since = _window_start()
    LoginFailure.objects.filter(at__lt=since).delete()
    recent = LoginFailure.objects.filter(at__gte=since)
    limit: int = settings.LOGIN_MAX_FAILURES
    # An address may try several accounts (a shared office), so it gets more room.
    if (
        recent.filter(username=username).count() > limit
        or recent.filter(address=address).count() > limit * 4
    ):
        attempt.delete()
        return False
    return True


def clear_failures(username: str) -> None:
    LoginFailure.objects.filter(username=username.lower()).delete()
