"""A unit's scorecard policy in the pages: how its scorecard combines its parts, what missing
data counts as, and whether scores are capped at 100.

Shown to those who may edit the unit's strategy (403 for others who may see the unit, 404 for
those who may not); inside an open planning period the change is offered as a change request.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from scoreline.access.capabilities import Capability
from scoreline.access.scope import holds_on_unit
from scoreline.governance.models import ChangeKind
from scoreline.lib.dates import today
from scoreline.lib.fields import values_of
from scoreline.lib.versioned import version_on
from scoreline.org.queries import units_for
from scoreline.scoring.actions.scorecards import do_set_scorecard_policy
from scoreline.scoring.fields import SCORECARD_POLICY
from scoreline.scoring.models import ScorecardPolicy
from scoreline.web.changes.diff import in_force
from scoreline.web.changes.proposals import Proposal, edit_page, submit_change
from scoreline.web.kpis.authoring import action_values, policy_form

__all__ = ["RIGHT", "scorecard_policy"]

RIGHT = Capability.EDIT_STRATEGY


@login_required
@require_http_methods(["GET", "POST"])
def scorecard_policy(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """Set the scorecard policy of a unit from a day on."""
    user = request.user
    unit = get_object_or_404(units_for(user), pk=unit_pk)
    if not holds_on_unit(user, RIGHT, unit):
        raise PermissionDenied(f"You need the '{RIGHT.label}' right over {unit.name}.")
    own = version_on(ScorecardPolicy, today(), unit=unit)
    policy = own or version_on(ScorecardPolicy, today(), unit=None)
    current = values_of(policy, SCORECARD_POLICY) if policy is not None else {}
    form = policy_form(request.POST or None, current | {"effective": today()})
    submission = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        effective: dt.date = data["effective"]
        content = action_values(user, SCORECARD_POLICY, data)
        proposal = Proposal(ChangeKind.SCORECARD_POLICY, unit.code, content, effective)
        submission = submit_change(
            request,
            proposal,
            lambda: do_set_scorecard_policy(
                user, unit, effective=effective, reason=data["reason"], **content
            ),
            place=form,
            saved=f"The scorecard policy of {unit.name} applies from {effective:%d %b %Y}.",
        )
        if submission.done:
            return redirect("kpis:scorecard-unit", unit_pk=unit.pk)
    scorecard = reverse("kpis:scorecard-unit", args=[unit.pk])
    whose = "its own" if own is not None else "the organisation's default"
    context = {
        "title": f"Scorecard policy of {unit.name}",
        "crumbs": [(reverse("kpis:scorecard"), "Scorecards"), (scorecard, unit.name)],
        "intro": (
            "How the scorecard of this unit rolls up its objectives, perspectives and the units "
            "below: the rule that combines the parts, what a part without data counts as, and "
            f"whether a score may exceed 100. {unit.name} follows {whose} policy today. "
            "Every score of the unit is recomputed from the effective day."
        ),
        **in_force(ScorecardPolicy, SCORECARD_POLICY, policy),
        "form": form,
        "submit": "Save the policy",
        "cancel": scorecard,
    }
    return edit_page(request, context, submission)
