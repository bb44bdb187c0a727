"""KPI pages: the catalogue, and a KPI's definition, SMART report, chart, explained latest score,
values and value entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateformat import format as date_format
from django.views.decorators.http import require_http_methods

from scoreline.access.capabilities import Capability
from scoreline.access.scope import AnyUser, holds_anywhere, holds_on_unit
from scoreline.engine.directions import DIRECTIONS
from scoreline.engine.scoring import band_ranges
from scoreline.kpi_quality.queries import target_specificity_for
from scoreline.kpi_quality.reports import smart_check_definition
from scoreline.kpis.models import Kpi, KpiVersion, Rubric, ScoringMethod, Target
from scoreline.kpis.queries import (
    can_see_catalogue,
    kpi_version_on,
    kpis_for,
    targets_for,
    values_for,
)
from scoreline.lib.dates import today
from scoreline.lib.errors import AccessDenied, Invalid
from scoreline.lib.months import add_months, month_start
from scoreline.lib.versioned import VersionChange
from scoreline.org.models import OrgUnit
from scoreline.org.queries import units_for
from scoreline.planning.control import closed_periods
from scoreline.planning.models import PlanningPeriod
from scoreline.scoring.actions.values import do_record_value
from scoreline.scoring.explanations import explain_scores
from scoreline.scoring.models import NodeKind, Score
from scoreline.scoring.quarters import kpi_periods
from scoreline.scoring.queries import scores_for
from scoreline.web.display import (
    HISTORY_MONTHS,
    describe_value,
    recent_months,
    related_ids,
    status_palette,
    version_lines,
    visible_names,
)
from scoreline.web.kpis.charts import history_chart
from scoreline.web.kpis.forms import (
    ValueEntryForm,
    add_action_errors,
)
from scoreline.web.kpis.links import authoring_links
from scoreline.web.kpis.lookups import visible_kpi
from scoreline.web.strategy.forms import UnitPickerForm

__all__ = [
    "QUARTERS_SHOWN",
    "catalogue",
    "kpi_detail",
]


QUARTERS_SHOWN = 8


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    """Every KPI definition in force today, for those who may read the catalogue."""
    user = request.user
    context = {
        "kpis": kpis_for(user),
        "allowed": can_see_catalogue(user),
        "may_edit": holds_anywhere(user, Capability.EDIT_KPI),
    }
    return render(request, "kpis/catalogue.html", context)


def _default_unit(user: AnyUser, kpi: Kpi) -> OrgUnit | None:
    """The unit a KPI page opens on: where the latest value the viewer may see was recorded."""
    row = (
        values_for(user, kpi)
        .filter(unit__isnull=False)
        .order_by("-period", "unit__depth", "unit__path")
        .first()
    )
    if row is not None:
        return row.unit
    target = targets_for(user, kpi).filter(unit__isnull=False).order_by("unit__path").first()
    return target.unit if target is not None else None


def _subject_units(user: AnyUser, kpi: Kpi) -> QuerySet[OrgUnit]:
    """Visible units where the KPI has a value or a target in force: the page's unit picker."""
    with_values = values_for(user, kpi).filter(unit__isnull=False).order_by().values("unit_id")
    with_targets = targets_for(user, kpi).filter(unit__isnull=False).order_by().values("unit_id")
    return units_for(user).filter(Q(pk__in=with_values) | Q(pk__in=with_targets)).order_by("path")


def _frozen(target: Target, closed: list[PlanningPeriod]) -> str:
    """Why a target can no longer be revised (empty when it can): its whole span lies in one
    of the ``closed`` planning periods."""
    for period in closed:
        if period.start <= target.period_start and target.period_end <= period.end:
            return f"{period.label} is closed"
    return ""


def _may_enter(user: AnyUser, unit: OrgUnit | None, definition: KpiVersion) -> bool:
    return (
        unit is not None
        and not definition.formula.strip()
        and definition.scoring != ScoringMethod.RUBRIC
        and holds_on_unit(user, Capability.ENTER_VALUES, unit)
    )


def _bands(definition: KpiVersion) -> list[tuple[str, float]]:
    """A banded KPI's bands, best first: the values each holds and the score it earns."""
    if definition.scoring != ScoringMethod.BANDED or not definition.band_edges:
        return []
    ranges = band_ranges(definition.band_edges, DIRECTIONS[definition.direction])
    return list(reversed(list(zip(ranges, definition.band_scores, strict=True))))


def _kpi_context(
    request: HttpRequest,
    kpi: Kpi,
    history: list[VersionChange],
    unit: OrgUnit | None,
    form: ValueEntryForm | None,
) -> dict[str, Any]:
    user = request.user
    definition = kpi_version_on(kpi) or history[-1].version
    palette = status_palette()
    colours = {status.code: status.colour for status in palette}
    chart = explanation = None
    calculated = False
    targets: list[Any] = []
    rows: list[tuple[dt.date, Any, Score | None]] = []
    this_month = month_start(today())
    next_to_enter = this_month
    if unit is not None:
        latest = values_for(user, kpi, unit=unit).order_by("-period").first()
        months = recent_months(latest.period if latest else this_month)
        values = {row.period: row for row in values_for(user, kpi, unit=unit, months=months)}
        scores = {
            row.period: row
            for row in scores_for(user, kind=NodeKind.KPI, kpi=kpi, unit=unit, months=months)
        }
        # Months without an entered value show the value scored there: one calculated from
        # the units below or by the KPI's formula.
        shown = {month: row.value for month, row in scores.items() if row.value is not None}
        shown |= {month: row.value for month, row in values.items()}
        calculated = bool(shown.keys() - values.keys())
        if shown:  # the chart starts at the first value of the window
            months = [month for month in months if month >= min(shown)]
        if values:
            next_to_enter = min(add_months(max(values), 1), this_month)
        chart = history_chart(
            months,
            shown,
            {
                month: row.explanation.get("inputs", {})
                for month, row in scores.items()
                if isinstance(row.explanation, dict)
            },
            {month: row.status for month, row in scores.items()},
            colours,
            definition.direction,
        )
        scored = [row for row in scores.values() if row.value is not None]
        if scored:
            explanation = explain_scores([max(scored, key=lambda row: row.period)])[0]
        rows = [
            (month, values[month], scores.get(month))
            for month in reversed(months)
            if month in values
        ]
        targets = list(targets_for(user, kpi, unit=unit))
    closed = closed_periods() if targets else []
    people = related_ids(history, "owner") | related_ids(history, "steward")
    people |= {pk for pk in (definition.owner_id, definition.steward_id) if pk is not None}
    named = visible_names(user, people)
    names: dict[str, Mapping[int, str]] = {
        "owner": named,
        "steward": named,
        "rubric": dict(
            Rubric.objects.filter(pk__in=related_ids(history, "rubric")).values_list("pk", "name")
        ),
    }
    may_enter = _may_enter(user, unit, definition)
    if may_enter and form is None:
        form = ValueEntryForm(initial={"period": next_to_enter})
    return {
        "kpi": kpi,
        "definition": definition,
        "history": version_lines(KpiVersion, history, names, skip=frozenset({"kpi"})),
        "owner_name": describe_value(KpiVersion, "owner", definition.owner_id, names),
        "steward_name": describe_value(KpiVersion, "steward", definition.steward_id, names),
        "people_shown": named,
        "smart": smart_check_definition(definition),
        "bands": _bands(definition),
        "unit": unit,
        "picker": UnitPickerForm(
            initial={"unit": unit.pk if unit else None}, units=_subject_units(user, kpi)
        ),
        "chart": chart,
        "calculated": calculated,
        "explanation": explanation,
        "palette": palette,
        "rows": rows,
        "targets": [(target, _frozen(target, closed)) for target in targets],
        "quarters": kpi_periods(kpi, unit=unit, per="quarter")[-QUARTERS_SHOWN:] if unit else [],
        "reach": [
            row for row in target_specificity_for(user, kpi) if unit and row.unit == unit.code
        ],
        "form": form if may_enter else None,
        "months_shown": HISTORY_MONTHS,
        **authoring_links(user, kpi, unit),
    }


@login_required
@require_http_methods(["GET", "POST"])
def kpi_detail(request: HttpRequest, pk: int, unit_pk: int | None = None) -> HttpResponse:
    """A KPI's definition, SMART report, history at a unit, latest score and value entry."""
    user = request.user
    kpi, history = visible_kpi(user, pk)
    if unit_pk is None and request.method == "GET" and request.GET.get("unit"):
        picked = UnitPickerForm(request.GET, units=units_for(user))
        if not picked.is_valid():
            raise Http404
        return redirect("kpis:kpi-unit", pk=kpi.pk, unit_pk=picked.cleaned_data["unit"].pk)
    if unit_pk is not None:
        unit: OrgUnit | None = get_object_or_404(units_for(user), pk=unit_pk)
    else:
        unit = _default_unit(user, kpi)
    if request.method != "POST":
        return render(request, "kpis/kpi.html", _kpi_context(request, kpi, history, unit, None))
    if unit is None or unit_pk is None:
        raise Http404
    # The right before the form: a caller who may not enter values here gets 403, not errors.
    if not holds_on_unit(user, Capability.ENTER_VALUES, unit):
        raise PermissionDenied(f"You need the '{Capability.ENTER_VALUES.label}' right here.")
    form = ValueEntryForm(request.POST)
    if form.is_valid():
        try:
            row = do_record_value(
                user,
                kpi,
                unit=unit,
                period=form.cleaned_data["period"],
                value=form.cleaned_data["value"],
                note=form.cleaned_data["note"],
                reason="entered on the KPI page",
            )
        except AccessDenied as denied:
            raise PermissionDenied(denied.message) from denied
        except Invalid as invalid:
            add_action_errors(form, invalid)
        else:
            month = date_format(row.period, "F Y")
            messages.success(request, f"Value for {month} at {unit.name} saved.")
            return redirect("kpis:kpi-unit", pk=kpi.pk, unit_pk=unit.pk)
    context = _kpi_context(request, kpi, history, unit, form)
    if context["form"] is None:  # the KPI cannot be entered by hand: say so on the page
        context["entry_refused"] = form.errors.get("__all__") or [
            error for errors in form.errors.values() for error in errors
        ]
    return render(request, "kpis/kpi.html", context, status=400)
