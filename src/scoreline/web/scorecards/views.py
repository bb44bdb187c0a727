"""Scorecard pages: a unit's scorecard in a month, with drill-down to the units below."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from scoreline.access.capabilities import Capability
from scoreline.access.scope import AnyUser, holds_on_unit
from scoreline.lib.dates import today
from scoreline.lib.errors import AccessDenied
from scoreline.lib.months import add_months, month_end, month_start
from scoreline.org.models import OrgUnit
from scoreline.org.queries import units_for
from scoreline.scoring.models import NodeKind
from scoreline.scoring.queries import scores_for, settled_month, unit_scorecard
from scoreline.strategy.queries import strategy_unit
from scoreline.web.display import combine_label, status_palette
from scoreline.web.filters import score_fill_class
from scoreline.web.kpis.forms import (
    MonthForm,
    month_label,
)
from scoreline.web.scorecards.policy import may_set_default_policy
from scoreline.web.strategy.forms import UnitPickerForm

__all__ = [
    "scorecard",
]


def _scorecard_unit(request: HttpRequest, unit_pk: int | None) -> OrgUnit | None:
    if unit_pk is not None:
        return get_object_or_404(units_for(request.user), pk=unit_pk)
    return strategy_unit(request.user, today())


@login_required
def scorecard(request: HttpRequest, unit_pk: int | None = None) -> HttpResponse:
    """A unit's scorecard in a month: perspectives, objectives and KPIs with their scores."""
    user = request.user
    if unit_pk is None and request.GET.get("unit"):
        picked = UnitPickerForm(request.GET, units=units_for(user))
        if not picked.is_valid():
            raise Http404
        target = reverse("kpis:scorecard-unit", args=[picked.cleaned_data["unit"].pk])
        typed = request.GET.get("month", "")
        return redirect(f"{target}?{urlencode({'month': typed})}" if typed else target)
    unit = _scorecard_unit(request, unit_pk)
    month_form = MonthForm(request.GET or None)
    if unit is None:
        return render(request, "kpis/scorecard.html", {"unit": None, "month_form": month_form})
    if month_form.is_bound and not month_form.is_valid():
        context = {"unit": unit, "month_form": month_form, "picker": _picker(user, unit)}
        return render(request, "kpis/scorecard.html", context, status=400)
    this_month = month_start(today())
    month: dt.date | None = month_form.cleaned_data.get("month") if month_form.is_bound else None
    settled = settled_month(scores_for(user, kind=NodeKind.UNIT, unit=unit))
    if month is None:
        month = settled or this_month
    try:
        card = unit_scorecard(user, unit, month)
    except AccessDenied as denied:
        raise Http404 from denied
    unit_score = card.score
    visible = units_for(user)
    steplen = OrgUnit.steplen
    context = {
        "unit": unit,
        "month": month,
        "month_value": month_label(month),
        "previous_month": add_months(month, -1),
        "next_month": add_months(month, 1) if month < this_month else None,
        "unit_score": unit_score,
        "coverage": card.coverage,
        "month_over": month_end(month) < today(),
        "settled": settled if settled != month else None,
        "unit_fill": score_fill_class(unit_score.score if unit_score else None),
        "unit_combine": combine_label(unit_score),
        "perspectives": card.perspectives,
        "children": card.children,
        "ancestors": visible.filter(
            path__in=[unit.path[: steplen * level] for level in range(1, unit.depth)]
        ).order_by("depth"),
        "palette": status_palette(),
        "month_form": MonthForm(initial={"month": month}),
        "picker": _picker(user, unit),
        "may_set_policy": holds_on_unit(user, Capability.EDIT_STRATEGY, unit),
        "may_set_default_policy": may_set_default_policy(user),
    }
    return render(request, "kpis/scorecard.html", context)


def _picker(user: AnyUser, unit: OrgUnit) -> UnitPickerForm:
    return UnitPickerForm(initial={"unit": unit.pk}, units=units_for(user))
