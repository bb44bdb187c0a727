"""Sign-in forms that refuse to check a password once too many attempts have failed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest

from scoreline.access.throttle import clear_failures, is_locked_out, note_failure

__all__ = ["ThrottledAdminAuthenticationForm", "ThrottledAuthenticationForm", "client_address"]

LOCKED_MESSAGE = (
    "This account is temporarily locked after too many failed sign-in attempts. Try again later."
)


def client_address(request: HttpRequest | None) -> str:
    """The address the request came from, as the server saw it."""
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))


class _Throttled(forms.Form):
    """Counts failures per username and address; a locked account is refused before any check."""

    request: HttpRequest | None

    def clean(self) -> dict[str, Any]:
        username = str(self.cleaned_data.get("username") or "")
        address = client_address(self.request)
        if is_locked_out(username, address):
            # Checked before the password, so the right password does not reveal itself.
            raise forms.ValidationError(LOCKED_MESSAGE, code="locked")
        try:
            cleaned: dict[str, Any] = super().clean() or self.cleaned_data
        except forms.ValidationError:
            note_failure(username, address)
            raise
        clear_failures(username)
        return cleaned


class ThrottledAuthenticationForm(_Throttled, AuthenticationForm):
    """The sign-in page's form."""


class ThrottledAdminAuthenticationForm(_Throttled, AdminAuthenticationForm):
    """The admin's sign-in form, throttled alike so it is no way around the limit."""
