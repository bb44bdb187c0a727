"""The change-request inbox: requests to decide, requests filed, the history of the others,
and the decision form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from scoreline.access.scope import AnyUser
from scoreline.governance.actions import can_decide, do_decide_change
from scoreline.governance.models import ChangeRequest, ChangeState
from scoreline.governance.queries import change_requests_for
from scoreline.lib.errors import AccessDenied, Invalid, NotFound
from scoreline.web.changes.diff import ChangeDiff, change_diff
from scoreline.web.kpis.forms import (
    DecisionForm,
    add_action_errors,
)

__all__ = [
    "RequestLine",
    "change_inbox",
    "decide_change",
]


@dataclass(frozen=True)
class RequestLine:
    """A request with its decision form (for its approver) and, while it is pending, what
    approving it would change."""

    request: ChangeRequest
    form: DecisionForm | None
    diff: ChangeDiff | None


def _diff(user: AnyUser, row: ChangeRequest) -> ChangeDiff | None:
    if row.state != ChangeState.PENDING:
        return None
    return change_diff(user, row.kind, row.subject, row.payload, row.effective_from)


def _inbox(request: HttpRequest, bound: tuple[int, DecisionForm] | None = None) -> dict[str, Any]:
    user = request.user
    rows = list(change_requests_for(user).order_by("-requested_at", "-id"))
    decidable, own = [], []
    diffs = {row.pk: _diff(user, row) for row in rows}
    for row in rows:
        if can_decide(user, row):
            form = bound[1] if bound is not None and bound[0] == row.pk else DecisionForm()
            decidable.append(RequestLine(row, form, diffs[row.pk]))
        if row.requested_by_id == user.pk:
            own.append(RequestLine(row, None, diffs[row.pk]))
    state = request.GET.get("state", "")
    if state not in ChangeState.values:
        state = ""
    history = [
        RequestLine(row, None, diffs[row.pk])
        for row in rows
        if row.requested_by_id != user.pk and (not state or row.state == state)
    ]
    return {
        "decidable": decidable,
        "own": own,
        "history": history,
        "state": state,
        "states": ChangeState.choices,
        "pending": ChangeState.PENDING,
    }


@login_required
def change_inbox(request: HttpRequest) -> HttpResponse:
    """Pending requests the viewer may decide, the viewer's own requests, and the history of
    the others the viewer may see (filtered by ``?state=``)."""
    return render(request, "kpis/changes.html", _inbox(request))


@login_required
@require_POST
def decide_change(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject one change request (a rejection needs a note)."""
    user = request.user
    change = change_requests_for(user).filter(pk=pk).first()
    if change is None:
        raise Http404
    # The right before the form: a caller who may not decide gets 403, not the form's errors.
    if change.state == ChangeState.PENDING and not can_decide(user, change):
        raise PermissionDenied(
            "A change request is decided by an approver other than its requester."
        )
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            decided = do_decide_change(user, change.pk, form.approves, form.cleaned_data["note"])
        except AccessDenied as denied:
            raise PermissionDenied(denied.message) from denied
        except NotFound as missing:
            raise Http404 from missing
        except Invalid as invalid:
            add_action_errors(form, invalid)
        else:
            verb = "approved and applied" if decided.state == ChangeState.APPROVED else "rejected"
            messages.success(request, f"Change request {decided.pk} {verb}.")
            return redirect("kpis:changes")
    context = _inbox(request, (change.pk, form))
    context["refused"] = change
    context["refusal"] = [error for errors in form.errors.values() for error in errors]
    status = 409 if change.state != ChangeState.PENDING else 400  # decided meanwhile
    return render(request, "kpis/changes.html", context, status=status)
