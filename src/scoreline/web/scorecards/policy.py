"""Scorecard policies in the pages: how a scorecard combines its parts, what missing data
counts as, whether scores are capped at 100, and the share of contributing objectives.

A unit's own policy is set (or ended, after which the unit follows the default) by those who
may edit the unit's strategy: 403 for others who may see the unit, 404 for those who may not.
The organisation's default is set by those who may edit the strategy of every unit (403 for
everyone else). Inside an open planning period the change is offered as a change request.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from scoreline.access.capabilities import Capability
from scoreline.access.scope import AnyUser, holds_everywhere, holds_on_unit
from scoreline.governance.models import ChangeKind
from scoreline.lib.dates import effective_on, today
from scoreline.lib.fields import values_of
from scoreline.lib.versioned import version_on
from scoreline.org.models import OrgUnit
from scoreline.org.queries import units_for
from scoreline.scoring.actions.scorecards import do_end_scorecard_policy, do_set_scorecard_policy
from scoreline.scoring.fields import SCORECARD_POLICY
from scoreline.scoring.models import ScorecardPolicy
from scoreline.web.changes.diff import in_force
from scoreline.web.changes.proposals import Proposal, Submission, edit_page, submit_change
from scoreline.web.kpis.authoring import ChangeDetails, action_values, policy_form

__all__ = [
    "RIGHT",
    "default_scorecard_policy",
    "end_scorecard_policy",
    "may_set_default_policy",
    "scorecard_policy",
]

RIGHT = Capability.EDIT_STRATEGY


def may_set_default_policy(user: AnyUser) -> bool:
    return holds_everywhere(user, RIGHT)


def _policy_unit(request: HttpRequest, unit_pk: int) -> OrgUnit:
    """The unit, 404 unless the viewer may see it, 403 unless they may edit its strategy."""
    unit = get_object_or_404(units_for(request.user), pk=unit_pk)
    if not holds_on_unit(request.user, RIGHT, unit):
        raise PermissionDenied(f"You need the '{RIGHT.label}' right over {unit.name}.")
    return unit


def _set_policy(request: HttpRequest, unit: OrgUnit | None) -> tuple[forms.Form, Submission | None]:
    """The policy form of ``unit`` (None: the default), filled with the policy it follows
    today; once posted, the change made or offered as a request. Returns the form and the
    submission (None until posted and valid)."""
    user = request.user
    policy = version_on(ScorecardPolicy, today(), unit=unit)
    if policy is None and unit is not None:
        policy = version_on(ScorecardPolicy, today(), unit=None)
    current = values_of(policy, SCORECARD_POLICY) if policy is not None else {}
    form = policy_form(request.POST or None, current | {"effective": today()})
    if request.method != "POST" or not form.is_valid():
        return form, None
    data = form.cleaned_data
    effective: dt.date = data["effective"]
    content = action_values(user, SCORECARD_POLICY, data)
    subject = unit.code if unit is not None else ""
    where = unit.name if unit is not None else "every unit without one of its own"
    submission = submit_change(
        request,
        Proposal(ChangeKind.SCORECARD_POLICY, subject, content, effective),
        lambda: do_set_scorecard_policy(
            user, unit, effective=effective, reason=data["reason"], **content
        ),
        place=form,
        saved=f"The scorecard policy of {where} applies from {effective:%d %b %Y}.",
    )
    return form, submission


def _links(user: AnyUser, unit: OrgUnit, own: bool) -> list[tuple[str, str]]:
    links = []
    if own:
        end = reverse("kpis:scorecard-policy-end", args=[unit.pk])
        links.append((end, "End its own policy (follow the default)"))
    if may_set_default_policy(user):
        links.append((reverse("kpis:scorecard-default-policy"), "The default policy"))
    return links


@login_required
@require_http_methods(["GET", "POST"])
def scorecard_policy(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """Set the scorecard policy of a unit from a day on."""
    unit = _policy_unit(request, unit_pk)
    scorecard = reverse("kpis:scorecard-unit", args=[unit.pk])
    form, submission = _set_policy(request, unit)
    if submission is not None and submission.done:
        return redirect(scorecard)
    own = version_on(ScorecardPolicy, today(), unit=unit)
    policy = own or version_on(ScorecardPolicy, today(), unit=None)
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
        "links": _links(request.user, unit, own is not None),
        **in_force(ScorecardPolicy, SCORECARD_POLICY, policy),
        "form": form,
        "submit": "Save the policy",
        "cancel": scorecard,
    }
    return edit_page(request, context, submission)


@login_required
@require_http_methods(["GET", "POST"])
def default_scorecard_policy(request: HttpRequest) -> HttpResponse:
    """Set the organisation's default scorecard policy from a day on."""
    if not may_set_default_policy(request.user):
        raise PermissionDenied(f"You need the '{RIGHT.label}' right over every unit.")
    scorecards = reverse("kpis:scorecard")
    form, submission = _set_policy(request, None)
    here = reverse("kpis:scorecard-default-policy")
    if submission is not None and submission.done:
        return redirect(here)
    policy = version_on(ScorecardPolicy, today(), unit=None)
    own = ScorecardPolicy.objects.filter(effective_on(today()), unit__isnull=False).count()
    context = {
        "title": "Default scorecard policy",
        "crumbs": [(scorecards, "Scorecards")],
        "intro": (
            "How the scorecard of every unit without a policy of its own rolls up: the rule "
            "that combines the parts, what a part without data counts as, whether a score may "
            "exceed 100, and the share of contributing objectives. "
            f"{_units_with_own(own)} Every score that follows the default is "
            "recomputed from the effective day."
        ),
        **in_force(ScorecardPolicy, SCORECARD_POLICY, policy),
        "form": form,
        "submit": "Save the default policy",
        "cancel": scorecards,
    }
    if policy is None:
        context["intro"] += (
            " None is set yet: scorecards take the weighted mean, skip missing data, cap "
            "at 100 and give contributing objectives 30%."
        )
    return edit_page(request, context, submission)


def _units_with_own(count: int) -> str:
    if count == 0:
        return "Every unit follows it today."
    if count == 1:
        return "One unit follows a policy of its own today instead."
    return f"{count:,} units follow policies of their own today instead."


@login_required
@require_http_methods(["GET", "POST"])
def end_scorecard_policy(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """End a unit's own scorecard policy on a day: from then on it follows the default."""
    user = request.user
    unit = _policy_unit(request, unit_pk)
    own = version_on(ScorecardPolicy, today(), unit=unit)
    policy_page = reverse("kpis:scorecard-policy", args=[unit.pk])
    form = ChangeDetails(request.POST or None, initial={"effective": today()})
    form.fields[
        "effective"
    ].help_text = (
        "The first day the unit follows the default; its own policy's last day is the day before."
    )
    submission: Submission | None = None
    if request.method == "POST" and form.is_valid():
        effective: dt.date = form.cleaned_data["effective"]
        submission = submit_change(
            request,
            Proposal(ChangeKind.SCORECARD_POLICY, unit.code, {"end": True}, effective),
            lambda: do_end_scorecard_policy(
                user, unit, effective=effective, reason=form.cleaned_data["reason"]
            ),
            place=form,
            saved=f"{unit.name} follows the default scorecard policy from {effective:%d %b %Y}.",
        )
        if submission.done:
            return redirect(policy_page)
    scorecard = reverse("kpis:scorecard-unit", args=[unit.pk])
    later = ScorecardPolicy.objects.filter(unit=unit, valid_from__gt=today()).exists()
    nothing_to_end = own is None and not later and request.method == "GET"
    if nothing_to_end:  # the page says so and offers no form
        today_says = (
            f"{unit.name} has no policy of its own, today or later: it follows the default, "
            "and there is nothing to end."
        )
    elif own is None:
        today_says = f"{unit.name} has no policy of its own today: it follows the default."
    else:
        today_says = f"{unit.name} follows its own policy today."
    context = {
        "title": f"End the scorecard policy of {unit.name}",
        "crumbs": [
            (reverse("kpis:scorecard"), "Scorecards"),
            (scorecard, unit.name),
            (policy_page, "Scorecard policy"),
        ],
        "intro": today_says
        if nothing_to_end
        else (
            f"{today_says} From the effective day on its scorecard rolls up by the "
            "organisation's default policy, and every score of the unit is recomputed."
        ),
        **in_force(ScorecardPolicy, SCORECARD_POLICY, own),
        "form": None if nothing_to_end else form,
        "submit": "End the policy",
        "danger": True,
        "cancel": policy_page,
    }
    return edit_page(request, context, submission)
