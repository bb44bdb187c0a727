"""The KPI pages: catalogue, KPI page with history chart and value entry, scorecard tree and
the inbox of change requests. Reads go through the queries, writes through the actions."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from scoreline.access.capabilities import Capability
from scoreline.access.scope import AnyUser, holds_on_unit
from scoreline.governance.actions import can_decide, do_decide_change
from scoreline.governance.models import ChangeRequest, ChangeState
from scoreline.governance.queries import change_requests_for
from scoreline.kpi_quality.queries import target_specificity_for
from scoreline.kpi_quality.reports import smart_check_definition
from scoreline.kpis.models import Kpi, KpiVersion, Rubric, ScoringMethod, Status
from scoreline.kpis.queries import (
    can_see_catalogue,
    kpi_history,
    kpi_version_on,
    kpis_for,
    targets_for,
    values_for,
)
from scoreline.lib.dates import today
from scoreline.lib.errors import AccessDenied, Invalid, NotFound
from scoreline.lib.months import add_months, month_start
from scoreline.lib.versioned import VersionChange
from scoreline.org.models import OrgUnit
from scoreline.org.queries import people_for, units_for
from scoreline.scoring.actions.values import do_record_value
from scoreline.scoring.explanations import explain_scores
from scoreline.scoring.models import CombineRule, NodeKind, Score
from scoreline.scoring.quarters import kpi_periods
from scoreline.scoring.queries import scores_for, unit_scorecard
from scoreline.web.filters import score_fill
from scoreline.web.kpis.forms import (
    DecisionForm,
    MonthForm,
    ValueEntryForm,
    add_action_errors,
    month_label,
)
from scoreline.web.strategy.forms import UnitPickerForm

QUARTERS_SHOWN = 8

__all__ = [
    "HISTORY_MONTHS",
    "HistoryChart",
    "catalogue",
    "change_inbox",
    "combine_label",
    "decide_change",
    "describe_value",
    "history_chart",
    "kpi_detail",
    "latest_by",
    "recent_months",
    "related_ids",
    "scorecard",
    "status_palette",
    "version_lines",
    "visible_names",
]

HISTORY_MONTHS = 36
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


# ---------------------------------------------------------------- shared display helpers


def recent_months(last: dt.date, count: int = HISTORY_MONTHS) -> list[dt.date]:
    """The ``count`` months ending with ``last``'s month, oldest first."""
    end = month_start(last)
    return [add_months(end, offset) for offset in range(1 - count, 1)]


def latest_by(rows: Iterable[Score], key: str) -> dict[int, Score]:
    """The latest score row per value of ``key`` (e.g. ``"objective_id"``)."""
    latest: dict[int, Score] = {}
    for row in rows:
        ident = getattr(row, key)
        if ident is None:
            continue
        known = latest.get(ident)
        if known is None or row.period > known.period:
            latest[ident] = row
    return latest


@dataclass(frozen=True)
class StatusStyle:
    code: str
    name: str
    colour: str


def status_palette() -> list[StatusStyle]:
    """The configured statuses (red, amber, green by default), worst first, with colours safe
    to put in a style sheet (anything but ``#rrggbb`` shows grey)."""
    return [
        StatusStyle(
            status.code,
            status.name,
            status.colour if _COLOUR.match(status.colour) else "#8a94a6",
        )
        for status in Status.objects.all()
    ]


def combine_label(score: Score | None) -> str:
    """How a stored roll-up score combined its parts, in words ("Weighted mean")."""
    stored = score.explanation if score is not None and isinstance(score.explanation, dict) else {}
    code = stored.get("combine")
    return str(CombineRule(code).label) if code in CombineRule.values else ""


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else math.nan


# ---------------------------------------------------------------- version histories


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class VersionLine:
    """One version of a definition with who made it, why, and what it changed."""

    version: Any
    author: str
    first: bool
    changes: list[FieldChange]


def describe_value(
    model: type[Model], name: str, value: Any, names: Mapping[str, Mapping[int, str]]
) -> str:
    """A version field's value as a reader wants it: labels for choices, names for ids."""
    if value is None or value == "" or value == []:
        return "\u2014"
    model_field = model._meta.get_field(name)
    if model_field.is_relation:
        return names.get(name, {}).get(value, "Not visible to you")
    choices = dict(getattr(model_field, "flatchoices", None) or ())
    if value in choices:
        return str(choices[value])
    if isinstance(value, dt.date):
        return date_format(value, "j M Y")
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _label(model: type[Model], name: str) -> str:
    verbose = getattr(model._meta.get_field(name), "verbose_name", name)
    return str(verbose).capitalize()


def version_lines(
    model: type[Model],
    history: Sequence[VersionChange],
    names: Mapping[str, Mapping[int, str]],
    *,
    skip: frozenset[str] = frozenset(),
) -> list[VersionLine]:
    """The versions of a definition, newest first, each with its changes described."""
    lines = []
    for index, change in enumerate(history):
        author = change.version.author
        lines.append(
            VersionLine(
                version=change.version,
                author=author.get_username() if author is not None else "system",
                first=index == 0,
                changes=[
                    FieldChange(
                        _label(model, name),
                        describe_value(model, name, old, names),
                        describe_value(model, name, new, names),
                    )
                    for name, (old, new) in change.changes.items()
                    if name not in skip
                ],
            )
        )
    return list(reversed(lines))


def related_ids(history: Sequence[VersionChange], name: str) -> set[int]:
    """Every id a foreign key ``name`` took across a history."""
    return {
        value
        for change in history
        for value in change.changes.get(name, ())
        if isinstance(value, int)
    }


def visible_names(user: AnyUser, ids: Iterable[int]) -> dict[int, str]:
    """Full names of those of ``ids`` the viewer may see."""
    return {person.pk: person.full_name for person in people_for(user).filter(pk__in=list(ids))}


# ---------------------------------------------------------------- the history chart


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class ChartPoint:
    month: dt.date
    x: float
    y: float
    value: float
    status: str
    colour: str


@dataclass(frozen=True)
class HistoryChart:
    """Geometry of a KPI's monthly history in SVG user units, drawn by the template."""

    width: int
    height: int
    left: int
    top: int
    right: int
    bottom: int
    points: list[ChartPoint]
    lines: list[str]
    bands: list[str]
    targets: list[str]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    band_label: str
    first: dt.date
    last: dt.date

    @property
    def plot_width(self) -> int:
        return self.right - self.left

    @property
    def plot_height(self) -> int:
        return self.bottom - self.top


def _nice_step(span: float, count: int) -> float:
    raw = span / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10.0 * magnitude


def _tick_text(value: float, step: float) -> str:
    """The tick's number with as many decimals as the step needs (2.5 -> one)."""
    decimals = 0
    while decimals < 6 and abs(round(step, decimals) - step) > step * 1e-9:
        decimals += 1
    return f"{value:,.{decimals}f}"


def _runs(indexes: Sequence[int]) -> list[list[int]]:
    """Consecutive runs of month indexes: gaps break lines and bands."""
    runs: list[list[int]] = []
    for index in indexes:
        if runs and runs[-1][-1] == index - 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    return runs


def _band(params: Mapping[str, Any], direction: str) -> tuple[float, float] | None:
    """The good band of a month: the target range, or threshold to stretch (or target)."""
    if direction == "range":
        low, high = _number(params.get("low")), _number(params.get("high"))
    else:
        ends = [_number(params.get(name)) for name in ("threshold", "stretch", "target")]
        known = [end for end in ends[:2] if math.isfinite(end)]
        if len(known) < 2 and math.isfinite(ends[2]):
            known.append(ends[2])
        if len(known) < 2:
            return None
        low, high = min(known), max(known)
    if not (math.isfinite(low) and math.isfinite(high)):
        return None
    return low, high


def history_chart(
    months: Sequence[dt.date],
    values: Mapping[dt.date, float],
    params: Mapping[dt.date, Mapping[str, Any]],
    statuses: Mapping[dt.date, str],
    colours: Mapping[str, str],
    direction: str,
) -> HistoryChart | None:
    """Lay out the values of ``months`` as a line over the band of each month's target.

    ``params`` are the phased inputs each month was scored with (threshold, target,
    stretch, low, high); months without a value or a target leave gaps. None when there is
    nothing to draw.
    """
    if not any(month in values for month in months):
        return None
    width, height, left, top, right, bottom = 720, 260, 64, 14, 690, 222
    bands = {m: b for m in months if (b := _band(params.get(m, {}), direction)) is not None}
    targets = {
        m: t
        for m in months
        if direction != "range" and math.isfinite(t := _number(params.get(m, {}).get("target")))
    }
    numbers = [values[m] for m in months if m in values]
    numbers += [end for band in bands.values() for end in band] + list(targets.values())
    low, high = min(numbers), max(numbers)
    if high == low:
        pad = abs(high) * 0.1 or 1.0
        low, high = low - pad, high + pad
    step = _nice_step(high - low, 5)
    floor, ceiling = math.floor(low / step) * step, math.ceil(high / step) * step

    def y_of(number: float) -> float:
        return round(bottom - (number - floor) / (ceiling - floor) * (bottom - top), 1)

    slot = (right - left) / max(len(months) - 1, 1)

    def x_of(index: int) -> float:
        return round(left + index * slot, 1)

    position = {month: index for index, month in enumerate(months)}
    points = [
        ChartPoint(
            month=m,
            x=x_of(position[m]),
            y=y_of(values[m]),
            value=values[m],
            status=statuses.get(m, ""),
            colour=colours.get(statuses.get(m, ""), "#2454c5"),
        )
        for m in months
        if m in values
    ]

    def polyline(run: list[int], number: Mapping[dt.date, float]) -> str:
        return " ".join(f"{x_of(i)},{y_of(number[months[i]])}" for i in run)

    value_runs = _runs([position[m] for m in months if m in values])
    band_runs = _runs([position[m] for m in months if m in bands])
    band_shapes = []
    for run in band_runs:
        upper = [f"{x_of(i)},{y_of(bands[months[i]][1])}" for i in run]
        lower = [f"{x_of(i)},{y_of(bands[months[i]][0])}" for i in reversed(run)]
        if len(run) == 1:  # a single month: a short bar rather than an invisible sliver
            i = run[0]
            half = min(slot / 2, 8)
            hi_y, lo_y = y_of(bands[months[i]][1]), y_of(bands[months[i]][0])
            upper = [f"{x_of(i) - half},{hi_y}", f"{x_of(i) + half},{hi_y}"]
            lower = [f"{x_of(i) + half},{lo_y}", f"{x_of(i) - half},{lo_y}"]
        band_shapes.append(" ".join(upper + lower))
    every = 1 if len(months) <= 12 else 3 if len(months) <= 24 else 6
    x_ticks = [Tick(x_of(i), date_format(m, "M y")) for i, m in enumerate(months) if i % every == 0]
    count = round((ceiling - floor) / step)
    y_ticks = [
        Tick(y_of(floor + k * step), _tick_text(floor + k * step, step)) for k in range(count + 1)
    ]
    return HistoryChart(
        width=width,
        height=height,
        left=left,
        top=top,
        right=right,
        bottom=bottom,
        points=points,
        lines=[polyline(run, values) for run in value_runs],
        bands=band_shapes,
        targets=[polyline(run, targets) for run in _runs([position[m] for m in targets])],
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        band_label="target range" if direction == "range" else "threshold to stretch",
        first=months[0],
        last=months[-1],
    )


# ---------------------------------------------------------------- explaining a score


# ---------------------------------------------------------------- catalogue


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    """Every KPI definition in force today, for those who may read the catalogue."""
    user = request.user
    context = {"kpis": kpis_for(user), "allowed": can_see_catalogue(user)}
    return render(request, "kpis/catalogue.html", context)


# ---------------------------------------------------------------- the KPI page


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


def _may_enter(user: AnyUser, unit: OrgUnit | None, definition: KpiVersion) -> bool:
    return (
        unit is not None
        and not definition.formula.strip()
        and definition.scoring != ScoringMethod.RUBRIC
        and holds_on_unit(user, Capability.ENTER_VALUES, unit)
    )


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
    targets: list[Any] = []
    rows: list[tuple[dt.date, Any, Score | None]] = []
    this_month = month_start(today())
    next_to_enter = this_month
    if unit is not None:
        latest = values_for(user, kpi, unit=unit).order_by("-period").first()
        months = recent_months(latest.period if latest else this_month)
        values = {row.period: row for row in values_for(user, kpi, unit=unit, months=months)}
        if values:  # the chart starts at the first value of the window
            months = [month for month in months if month >= min(values)]
            next_to_enter = min(add_months(max(values), 1), this_month)
        scores = {
            row.period: row
            for row in scores_for(user, kind=NodeKind.KPI, kpi=kpi, unit=unit, months=months)
        }
        chart = history_chart(
            months,
            {month: row.value for month, row in values.items()},
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
        "smart": smart_check_definition(definition),
        "unit": unit,
        "picker": UnitPickerForm(
            initial={"unit": unit.pk if unit else None}, units=_subject_units(user, kpi)
        ),
        "chart": chart,
        "explanation": explanation,
        "palette": palette,
        "rows": rows,
        "targets": targets,
        "quarters": kpi_periods(kpi, unit=unit, per="quarter")[-QUARTERS_SHOWN:] if unit else [],
        "reach": [
            row for row in target_specificity_for(user, kpi) if unit and row.unit == unit.code
        ],
        "form": form if may_enter else None,
        "months_shown": HISTORY_MONTHS,
    }


@login_required
@require_http_methods(["GET", "POST"])
def kpi_detail(request: HttpRequest, pk: int, unit_pk: int | None = None) -> HttpResponse:
    """A KPI's definition, SMART report, history at a unit, latest score and value entry."""
    user = request.user
    if not can_see_catalogue(user):
        raise Http404
    kpi = get_object_or_404(Kpi, pk=pk)
    history = kpi_history(kpi)
    if not history:
        raise Http404
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


# ---------------------------------------------------------------- the scorecard tree


def _scorecard_unit(request: HttpRequest, unit_pk: int | None) -> OrgUnit | None:
    units = units_for(request.user)
    if unit_pk is not None:
        return get_object_or_404(units, pk=unit_pk)
    return units.order_by("depth", "path").first()


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
    if month is None:
        stored = (
            scores_for(user, kind=NodeKind.UNIT, unit=unit)
            .filter(period__lte=this_month)
            .order_by("-period")
            .first()
        )
        month = stored.period if stored is not None else this_month
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
        "unit_fill": score_fill(unit_score.score if unit_score else None),
        "unit_combine": combine_label(unit_score),
        "perspectives": card.perspectives,
        "children": card.children,
        "ancestors": visible.filter(
            path__in=[unit.path[: steplen * level] for level in range(1, unit.depth)]
        ).order_by("depth"),
        "palette": status_palette(),
        "month_form": MonthForm(initial={"month": month}),
        "picker": _picker(user, unit),
    }
    return render(request, "kpis/scorecard.html", context)


def _picker(user: AnyUser, unit: OrgUnit) -> UnitPickerForm:
    return UnitPickerForm(initial={"unit": unit.pk}, units=units_for(user))


# ---------------------------------------------------------------- change requests


@dataclass(frozen=True)
class RequestLine:
    request: ChangeRequest
    form: DecisionForm | None
    payload: list[tuple[str, str]]


def _payload_items(payload: Any) -> list[tuple[str, str]]:
    if not isinstance(payload, dict):
        return [("payload", str(payload))]
    return [(str(key), str(value)) for key, value in payload.items()]


def _inbox(request: HttpRequest, bound: tuple[int, DecisionForm] | None = None) -> dict[str, Any]:
    user = request.user
    rows = list(change_requests_for(user).order_by("-requested_at", "-id"))
    decidable, own = [], []
    for row in rows:
        if can_decide(user, row):
            form = bound[1] if bound is not None and bound[0] == row.pk else DecisionForm()
            decidable.append(RequestLine(row, form, _payload_items(row.payload)))
        if row.requested_by_id == user.pk:
            own.append(RequestLine(row, None, _payload_items(row.payload)))
    return {"decidable": decidable, "own": own, "pending": ChangeState.PENDING}


@login_required
def change_inbox(request: HttpRequest) -> HttpResponse:
    """Pending requests the viewer may decide, and the viewer's own requests."""
    return render(request, "kpis/changes.html", _inbox(request))


@login_required
@require_POST
def decide_change(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject one change request (a rejection needs a note)."""
    user = request.user
    change = change_requests_for(user).filter(pk=pk).first()
    if change is None:
        raise Http404
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
    return render(request, "kpis/changes.html", context, status=400)
