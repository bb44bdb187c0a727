"""Sign-in forms that refuse to check a password once too many attempts have failed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest

from scoreline.access.throttle import begin_attempt, clear_failures

__all__ = ["ThrottledAdminAuthenticationForm", "ThrottledAuthenticationForm", "client_address"]

LOCKED_MESSAGE = (
    "This account is temporarily locked after too many failed sign-in attempts. Try again later."
)


def client_address(request: HttpRequest | None) -> str:
    """The address the request came from: the peer's, or the client's behind a trusted proxy
    (``lib.proxies``)."""
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))


class _Throttled(forms.Form):
    """Counts failures per username and address; a locked account is refused before any check."""

    request: HttpRequest | None

    def clean(self) -> dict[str, Any]:
        username = str(self.cleaned_data.get("username") or "")
        if not (username and self.cleaned_data.get("password")):
            # No password is checked, so nothing counts (the fields say what is missing).
            return super().clean() or self.cleaned_data
        # Counted before the password is checked, so the right password does not reveal
        # itself to a locked account and racing attempts cannot all slip under the limit.
        if not begin_attempt(username, client_address(self.request)):
            raise forms.ValidationError(LOCKED_MESSAGE, code="locked")
        cleaned: dict[str, Any] = super().clean() or self.cleaned_data
        clear_failures(username)
        return cleaned


class ThrottledAuthenticationForm(_Throttled, AuthenticationForm):
    """The sign-in page's form."""


class ThrottledAdminAuthenticationForm(_Throttled, AdminAuthenticationForm):
    """The admin's sign-in form, throttled alike so it is no way around the limit."""
