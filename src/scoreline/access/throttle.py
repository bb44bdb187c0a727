"""Login throttling kept in the database, so every web process sees the same count."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from scoreline.access.models import LoginFailure

__all__ = ["clear_failures", "is_locked_out", "note_failure"]


def _window_start() -> datetime:
    return timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def is_locked_out(username: str, address: str) -> bool:
    since = _window_start()
    recent = LoginFailure.objects.filter(at__gte=since)
    by_user = recent.filter(username=username.lower()).count()
    by_address = recent.filter(address=address).count()
    limit: int = settings.LOGIN_MAX_FAILURES
    # An address may try several accounts (a shared office), so it gets more room.
    return by_user >= limit or by_address >= limit * 4


def note_failure(username: str, address: str) -> None:
    LoginFailure.objects.create(username=username.lower(), address=address)
    LoginFailure.objects.filter(at__lt=_window_start()).delete()


def clear_failures(username: str) -> None:
    LoginFailure.objects.filter(Q(username=username.lower())).delete()
