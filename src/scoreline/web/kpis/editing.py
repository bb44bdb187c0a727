"""Authoring the KPI catalogue in the pages: add a KPI, revise or retire its definition, and
set the status rules of a KPI or the default set.

Each page is shown only to those who hold the right to edit KPIs (403 for others, 404 for
those who may not read the catalogue), and calls the action the API calls; a change that
reaches an open planning period is offered as a change request instead.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from scoreline.access.capabilities import Capability
from scoreline.access.scope import AnyUser, holds_anywhere
from scoreline.governance.models import ChangeKind
from scoreline.kpis.actions.definitions import do_create_kpi
from scoreline.kpis.fields import KPI
from scoreline.kpis.models import Kpi, KpiVersion, StatusRule
from scoreline.kpis.queries import can_see_catalogue, kpi_version_on
from scoreline.lib.dates import effective_on, today
from scoreline.lib.errors import AccessDenied, Invalid
from scoreline.lib.fields import values_of
from scoreline.scoring.actions.definitions import do_retire_kpi, do_set_status_rules, do_update_kpi
from scoreline.web.changes.diff import rule_text
from scoreline.web.changes.proposals import Proposal, edit_page, submit_change
from scoreline.web.kpis.authoring import (
    ChangeDetails,
    RulesChange,
    action_values,
    kpi_form,
    payload_of,
    rule_rows,
)
from scoreline.web.kpis.forms import add_action_errors
from scoreline.web.kpis.lookups import visible_kpi
from scoreline.web.spec_forms import spec_initial

__all__ = ["kpi_new", "kpi_retire", "kpi_revise", "status_rules"]

RIGHT = Capability.EDIT_KPI


def require_kpi_editor(user: AnyUser) -> None:
    """Refuse (403) a reader of the catalogue who may not edit KPIs."""
    if not holds_anywhere(user, RIGHT):
        raise PermissionDenied(f"You need the '{RIGHT.label}' right.")


def _editable_kpi(user: AnyUser, pk: int) -> tuple[Kpi, KpiVersion]:
    """The KPI and its definition in force today (or its last one)."""
    kpi, history = visible_kpi(user, pk)
    require_kpi_editor(user)
    return kpi, kpi_version_on(kpi) or history[-1].version


def _crumbs(kpi: Kpi | None = None) -> list[tuple[str, str]]:
    crumbs = [(reverse("kpis:catalogue"), "KPIs")]
    if kpi is not None:
        crumbs.append((reverse("kpis:kpi", args=[kpi.pk]), kpi.code))
    return crumbs


@login_required
@require_http_methods(["GET", "POST"])
def kpi_new(request: HttpRequest) -> HttpResponse:
    """Add a KPI to the catalogue with its first definition."""
    user = request.user
    require_kpi_editor(user)
    form = kpi_form(user, request.POST or None, None, initial={"effective": today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            kpi = do_create_kpi(
                user,
                code=data["code"],
                valid_from=data["effective"],
                reason=data["reason"],
                **action_values(user, KPI, data),
            )
        except AccessDenied as denied:
            raise PermissionDenied(denied.message) from denied
        except Invalid as invalid:
            add_action_errors(form, invalid)
        else:
            messages.success(request, f"{kpi.code} added to the catalogue.")
            return redirect("kpis:kpi", pk=kpi.pk)
    context = {
        "title": "Add a KPI",
        "crumbs": _crumbs(),
        "intro": "A new KPI scores nothing until a target is set for it at a unit and it "
        "measures an objective. Its code cannot change later.",
        "form": form,
        "submit": "Add the KPI",
        "cancel": reverse("kpis:catalogue"),
    }
    return edit_page(request, context, None)


@login_required
@require_http_methods(["GET", "POST"])
def kpi_revise(request: HttpRequest, pk: int) -> HttpResponse:
    """Revise a KPI's definition from a day on (a change request inside an open period)."""
    user = request.user
    kpi, definition = _editable_kpi(user, pk)
    current = values_of(definition, KPI)
    form = kpi_form(user, request.POST or None, current, initial={"effective": today()})
    submission = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        effective: dt.date = data["effective"]
        in_force = kpi_version_on(kpi, effective) or definition
        changes = action_values(user, KPI, data, spec_initial(values_of(in_force, KPI), KPI))
        proposal = Proposal(ChangeKind.KPI, kpi.code, payload_of(changes), effective)
        submission = submit_change(
            request,
            proposal,
            lambda: do_update_kpi(user, kpi, effective=effective, reason=data["reason"], **changes),
            place=form,
            saved=f"The definition of {kpi.code} is revised from {effective:%d %b %Y}.",
        )
        if submission.done:
            return redirect("kpis:kpi", pk=kpi.pk)
    context = {
        "title": f"Revise {definition.name}",
        "crumbs": _crumbs(kpi),
        "intro": f"The form holds the definition in force since "
        f"{definition.valid_from:%d %b %Y}. Change what should differ: the new version applies "
        "from the effective day and every score it alters is recomputed. Inside an open "
        "planning period the change needs an approved change request.",
        "form": form,
        "submit": "Save the new version",
        "cancel": reverse("kpis:kpi", args=[kpi.pk]),
    }
    return edit_page(request, context, submission)


@login_required
@require_http_methods(["GET", "POST"])
def kpi_retire(request: HttpRequest, pk: int) -> HttpResponse:
    """End a KPI's definition on a day; its history and values stay."""
    user = request.user
    kpi, definition = _editable_kpi(user, pk)
    form = ChangeDetails(request.POST or None, initial={"effective": today()})
    form.fields["effective"].label = "Retire from"
    form.fields["effective"].help_text = "The first day without the KPI; earlier days keep it."
    submission = None
    if request.method == "POST" and form.is_valid():
        effective: dt.date = form.cleaned_data["effective"]
        proposal = Proposal(ChangeKind.KPI, kpi.code, {"retire": True}, effective)
        submission = submit_change(
            request,
            proposal,
            lambda: do_retire_kpi(
                user, kpi, effective=effective, reason=form.cleaned_data["reason"]
            ),
            place=form,
            saved=f"{kpi.code} is retired from {effective:%d %b %Y}.",
        )
        if submission.done:
            return redirect("kpis:kpi", pk=kpi.pk)
    context = {
        "title": f"Retire {definition.name}",
        "crumbs": _crumbs(kpi),
        "intro": "A retired KPI leaves the catalogue from the day given: it is no longer "
        "scored from then, while its versions, values and past scores stay. A KPI used in "
        "other KPIs' formulas cannot be retired.",
        "form": form,
        "submit": "Retire the KPI",
        "danger": True,
        "cancel": reverse("kpis:kpi", args=[kpi.pk]),
    }
    return edit_page(request, context, submission)


def _rules_on(kpi: Kpi | None, day: dt.date) -> list[StatusRule]:
    rules = StatusRule.objects.filter(effective_on(day), kpi=kpi).select_related("status")
    return list(rules.order_by("position"))


@login_required
@require_http_methods(["GET", "POST"])
def status_rules(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The ordered status rules of a KPI (or, without ``pk``, the default set)."""
    user = request.user
    kpi: Kpi | None = None
    if pk is None:
        if not can_see_catalogue(user):
            raise Http404
        require_kpi_editor(user)
        name = "the default status rules"
    else:
        kpi, definition = _editable_kpi(user, pk)
        name = definition.name
    own = _rules_on(kpi, today())
    in_force = own or (_rules_on(None, today()) if kpi is not None else [])
    add_row = "add_row" in request.POST
    change = RulesChange(
        request.POST if request.method == "POST" else None, rule_rows(in_force), add_row=add_row
    )
    if request.method != "POST":
        change.details.initial = {"effective": today()}
    submission = None
    if request.method == "POST" and not add_row and change.is_valid():
        effective: dt.date = change.details.cleaned_data["effective"]
        rules = change.specs()
        proposal = Proposal(
            ChangeKind.STATUS_RULES, kpi.code if kpi else "", change.payload(), effective
        )
        reason = change.details.cleaned_data["reason"]
        whose = kpi.code if kpi else "the default set"
        submission = submit_change(
            request,
            proposal,
            lambda: do_set_status_rules(user, kpi, rules, effective=effective, reason=reason),
            place=change.add_action_errors,
            saved=f"The status rules of {whose} apply from {effective:%d %b %Y}.",
        )
        if submission.done:
            return redirect("kpis:kpi", pk=kpi.pk) if kpi else redirect("kpis:catalogue")
    context = {
        "kpi": kpi,
        "name": name,
        "change": change,
        "inherited": kpi is not None and not own,
        "in_force": [
            rule_text(r.basis, r.comparison, r.bound, r.bound_upper, r.status.name)
            for r in in_force
        ],
        "offer": submission.offer if submission else None,
    }
    status = 400 if request.method == "POST" and not add_row else 200
    return render(request, "kpis/status_rules.html", context, status=status)
