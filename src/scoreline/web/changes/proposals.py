"""A page's change, made directly or, where an open period forbids it, filed for approval.

A form describes its change once, as a :class:`Proposal` (the kind, subject and payload of a
change request) and as the direct action's call. :func:`submit_change` calls the action; when
the action refuses because the change reaches an open planning period, the page offers to file
the very same change as a request, showing what it would alter, and a second submit files it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from scoreline.audit.chain import jsonable
from scoreline.governance.actions import do_request_change
from scoreline.lib.errors import AccessDenied, Invalid
from scoreline.web.changes.diff import ChangeDiff, change_diff
from scoreline.web.kpis.forms import NOTE_MAX_LENGTH, add_action_errors

__all__ = [
    "FILE_REQUEST",
    "JustificationForm",
    "Offer",
    "Proposal",
    "Submission",
    "edit_page",
    "submit_change",
]

FILE_REQUEST = "file_request"
"""The name of the button that files the offered change request."""

REQUEST_REQUIRED = "change_request_required"


@dataclass(frozen=True)
class Proposal:
    """A change as a change request describes it (see :mod:`scoreline.governance.actions`)."""

    kind: str
    subject: str
    payload: Mapping[str, Any]
    effective: dt.date

    def stored(self) -> dict[str, Any]:
        """The payload as the request stores it (dates as text)."""
        return dict(jsonable(dict(self.payload)))


class JustificationForm(forms.Form):
    justification = forms.CharField(
        label="Justification",
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why the change is needed inside the open period. The approver reads it "
        "beside the changes listed above.",
    )


@dataclass(frozen=True)
class Offer:
    """The change request a page offers to file: what it would change, and why (to fill in)."""

    diff: ChangeDiff
    form: JustificationForm


@dataclass(frozen=True)
class Submission:
    """``done``: the change was saved or filed (the page redirects); otherwise the form shows
    its errors, with an ``offer`` when a change request is the way to make the change."""

    done: bool
    offer: Offer | None = None


def submit_change(
    request: HttpRequest,
    proposal: Proposal,
    direct: Callable[[], object],
    *,
    place: forms.Form | Callable[[Invalid], None],
    saved: str,
) -> Submission:
    """Make the change directly (``direct`` calls the action), or file it when the page's
    ``FILE_REQUEST`` button was pressed. Refusals go on the fields of the form ``place``
    (or ``place`` puts them on the page's forms)."""
    if isinstance(place, forms.Form):
        place = partial(add_action_errors, place)
    user = request.user
    if FILE_REQUEST in request.POST:
        justification = JustificationForm(request.POST)
        if justification.is_valid():
            try:
                filed = do_request_change(
                    user,
                    proposal.kind,
                    proposal.subject,
                    proposal.stored(),
                    proposal.effective,
                    justification.cleaned_data["justification"],
                )
            except AccessDenied as denied:
                raise PermissionDenied(denied.message) from denied
            except Invalid as invalid:
                if "justification" in invalid.fields:
                    add_action_errors(justification, invalid)
                else:
                    place(invalid)
            else:
                messages.success(
                    request,
                    f"Change request #{filed.pk} filed. It applies once someone else who may "
                    "approve changes here approves it.",
                )
                return Submission(done=True)
        return Submission(done=False, offer=_offer(request, proposal, justification))
    try:
        result = direct()
    except AccessDenied as denied:
        raise PermissionDenied(denied.message) from denied
    except Invalid as invalid:
        place(invalid)
        if invalid.code == REQUEST_REQUIRED:
            return Submission(done=False, offer=_offer(request, proposal, JustificationForm()))
        return Submission(done=False)
    if result is None:
        messages.info(request, "Nothing changed: the values are those already in force.")
    else:
        messages.success(request, saved)
    return Submission(done=True)


def edit_page(
    request: HttpRequest, context: dict[str, Any], submission: Submission | None
) -> HttpResponse:
    """The authoring page (``kpis/edit.html``) with its offer, if any; 400 after a POST that
    saved nothing."""
    context = {**context, "offer": submission.offer if submission else None}
    status = 400 if request.method == "POST" else 200
    return render(request, "kpis/edit.html", context, status=status)


def _offer(request: HttpRequest, proposal: Proposal, form: JustificationForm) -> Offer:
    diff = change_diff(
        request.user, proposal.kind, proposal.subject, proposal.stored(), proposal.effective
    )
    return Offer(diff=diff, form=form)
