"""Setting a KPI's target at a unit in the pages: a new span, or a revision of one in force,
with its phasing (flat, a ramp from a baseline, or a seasonal profile) and range targets.

Shown to those who hold the right to edit KPIs over the unit (403 for others who may see
it, 404 for those who may not); inside an open planning period the change is offered as a
change request.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from scoreline.access.capabilities import Capability
from scoreline.access.scope import holds_on_unit
from scoreline.governance.models import ChangeKind
from scoreline.kpis.fields import TARGET, TARGET_START
from scoreline.kpis.models import Kpi, Target
from scoreline.kpis.queries import kpi_history, kpi_version_on, targets_for
from scoreline.lib.dates import today
from scoreline.lib.fields import values_of
from scoreline.lib.months import add_months
from scoreline.org.models import OrgUnit
from scoreline.org.queries import units_for
from scoreline.scoring.actions.definitions import do_set_target
from scoreline.web.changes.diff import in_force
from scoreline.web.changes.proposals import Proposal, edit_page, submit_change
from scoreline.web.kpis.authoring import TARGET_SPAN, action_values, target_form, units_where
from scoreline.web.kpis.forms import parse_month
from scoreline.web.kpis.lookups import visible_kpi
from scoreline.web.strategy.forms import UnitPickerForm

__all__ = ["target_at", "target_unit"]

RIGHT = Capability.EDIT_KPI


def _kpi_and_unit(request: HttpRequest, pk: int, unit_pk: int) -> tuple[Kpi, OrgUnit]:
    kpi, _ = visible_kpi(request.user, pk)
    return kpi, get_object_or_404(units_for(request.user), pk=unit_pk)


def _revised(request: HttpRequest, kpi: Kpi, unit: OrgUnit) -> Target | None:
    """The target in force whose span starts in the month ``?start=`` names, if any."""
    start = parse_month(request.GET.get("start", ""))
    if start is None:
        return None
    rows = targets_for(request.user, kpi, unit=unit).filter(period_start=start)
    target = rows.first()
    if target is None:
        raise Http404
    return target


@login_required
@require_GET
def target_unit(request: HttpRequest, pk: int) -> HttpResponse:
    """The unit picker of the KPI page: to the target form at the chosen unit."""
    user = request.user
    kpi, _ = visible_kpi(user, pk)
    picked = UnitPickerForm(request.GET, units=units_where(user, RIGHT))
    if not picked.is_valid():
        raise Http404
    return redirect("kpis:target", pk=kpi.pk, unit_pk=picked.cleaned_data["unit"].pk)


@login_required
@require_http_methods(["GET", "POST"])
def target_at(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    """A KPI's target at a unit over a span: set a new one, or revise one in force."""
    user = request.user
    kpi, unit = _kpi_and_unit(request, pk, unit_pk)
    if not holds_on_unit(user, RIGHT, unit):
        raise PermissionDenied(f"You need the '{RIGHT.label}' right over {unit.name}.")
    revised = _revised(request, kpi, unit)
    if revised is not None:
        initial = values_of(revised, TARGET_SPAN)
    else:
        year = dt.date(today().year, 1, 1)
        initial = {TARGET_START.name: year, "period_end": add_months(year, 12)}
    form = target_form(request.POST or None, initial)
    submission = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        start: dt.date = data[TARGET_START.name]
        effective: dt.date | None = data["effective"]
        values = action_values(user, TARGET, data)
        proposal = Proposal(
            ChangeKind.TARGET,
            kpi.code,
            {"unit_id": unit.pk, TARGET_START.name: start, **values},
            effective or start,
        )
        submission = submit_change(
            request,
            proposal,
            lambda: do_set_target(
                user,
                kpi,
                unit=unit,
                period_start=start,
                effective=effective,
                reason=data["reason"],
                **values,
            ),
            place=form,
            saved=f"Target of {kpi.code} at {unit.name} saved for the span from {start:%b %Y}.",
        )
        if submission.done:
            return redirect("kpis:kpi-unit", pk=kpi.pk, unit_pk=unit.pk)
    definition = kpi_version_on(kpi) or kpi_history(kpi)[-1].version
    page = reverse("kpis:kpi-unit", args=[kpi.pk, unit.pk])
    verb = "Revise the target" if revised is not None else "Set a target"
    context = {
        "title": f"{verb} of {definition.name} at {unit.name}",
        "crumbs": [
            (reverse("kpis:catalogue"), "KPIs"),
            (reverse("kpis:kpi", args=[kpi.pk]), kpi.code),
            (page, unit.name),
        ],
        "intro": (
            f"{definition.name} is {definition.get_direction_display().lower()} and scored "
            f"{definition.get_scoring_display().lower()}. A target spans months from its first "
            "month up to (not including) its end month; the span is phased flat, as a ramp from "
            "the baseline, or by a seasonal profile of twelve weights (January first). A range "
            "target gives the low and high ends instead of threshold, target and stretch."
        ),
        **in_force(Target, TARGET_SPAN, revised),
        "form": form,
        "submit": "Save the target",
        "cancel": page,
    }
    return edit_page(request, context, submission)
