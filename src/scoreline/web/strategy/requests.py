"""A direct change refused in an open planning period, offered as a change request.

When an action answers ``change_request_required``, the page keeps what was typed and
offers to file the very same change for approval, with a justification, showing what it
would change (before and after). Filing goes through
:func:`~scoreline.governance.actions.do_request_change`, which checks it as the direct
change would be checked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpRequest

from scoreline.access.scope import AnyUser
from scoreline.governance.actions import do_request_change
from scoreline.governance.models import ChangeRequest
from scoreline.lib.errors import Invalid
from scoreline.web.kpis.forms import NOTE_MAX_LENGTH, add_action_errors

__all__ = [
    "REQUEST_REQUIRED",
    "DiffLine",
    "JustificationForm",
    "RequestOffer",
    "file_request",
    "needs_request",
    "offer_request",
    "wants_request",
]

REQUEST_REQUIRED = "change_request_required"
_SUBMIT, _REQUEST = "submit", "request"


@dataclass(frozen=True)
class DiffLine:
    """One thing the change would alter: its name, before and after (as shown)."""

    label: str
    before: str
    after: str


class JustificationForm(forms.Form):
    justification = forms.CharField(
        label="Justification",
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why the change is needed now; the approver reads it, and it stays in "
        "the history.",
    )


@dataclass(frozen=True)
class RequestOffer:
    """The change request a refused direct change would become: ``kind``, ``subject`` and
    ``payload`` as :mod:`scoreline.governance.actions` describes them."""

    kind: str
    subject: str
    payload: Mapping[str, Any]
    effective: dt.date
    diff: list[DiffLine]
    form: JustificationForm

    @property
    def submit_name(self) -> str:
        return _SUBMIT

    @property
    def submit_value(self) -> str:
        return _REQUEST


def needs_request(invalid: Invalid) -> bool:
    """Whether a refusal means "file a change request instead"."""
    return invalid.code == REQUEST_REQUIRED


def wants_request(request: HttpRequest) -> bool:
    """Whether the form was sent with the "file a change request" button."""
    return request.method == "POST" and request.POST.get(_SUBMIT) == _REQUEST


def offer_request(
    request: HttpRequest,
    *,
    kind: str,
    subject: str,
    payload: Mapping[str, Any],
    effective: dt.date,
    diff: list[DiffLine],
) -> RequestOffer:
    """The offer, with the justification as typed when the request was being filed."""
    form = JustificationForm(request.POST) if wants_request(request) else JustificationForm()
    return RequestOffer(kind, subject, payload, effective, diff, form)


def file_request(actor: AnyUser, offer: RequestOffer) -> ChangeRequest | None:
    """File the offered change; None (with the reasons on the form) when it is refused."""
    if not offer.form.is_valid():
        return None
    try:
        return do_request_change(
            actor,
            offer.kind,
            offer.subject,
            offer.payload,
            offer.effective,
            offer.form.cleaned_data["justification"],
        )
    except Invalid as invalid:
        add_action_errors(offer.form, invalid)
        return None
