"""The strategy pages: the strategy map, objectives, priority workshops and the ESG view.

Everything is read through the strategy and KPI queries, so a page shows only what the
viewer may see; what they may not see answers 404, like what does not exist.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from scoreline.access.scope import AnyUser
from scoreline.kpis.measures import (
    EsgItem,
    MeasuredObjective,
    esg_items,
    measured_objective,
    unmeasured_objectives,
)
from scoreline.lib.dates import today
from scoreline.lib.errors import AccessDenied, NotFound
from scoreline.lib.months import month_start
from scoreline.org.models import OrgUnit
from scoreline.org.queries import people_for, units_for
from scoreline.scoring.explanations import cascade_split
from scoreline.scoring.models import NodeKind, Score
from scoreline.scoring.queries import latest_by, scores_for
from scoreline.strategy.actions.shared import holder_unit
from scoreline.strategy.models import (
    EsgPillar,
    Objective,
    ObjectiveVersion,
    Perspective,
    RequiredBy,
    WorkshopState,
)
from scoreline.strategy.queries import (
    MapLink,
    ObjectiveDetail,
    item_key,
    objectives_for,
    strategy_map,
    strategy_unit,
    workshop_summary,
    workshops_for,
)
from scoreline.web.display import (
    VersionLine,
    combine_label,
    describe_value,
    objective_names,
    recent_months,
    related_ids,
    status_palette,
    version_lines,
    visible_names,
)
from scoreline.web.filters import score_fill_class
from scoreline.web.strategy.editing import may_edit_strategy
from scoreline.web.strategy.forms import UnitPickerForm
from scoreline.web.strategy.workshop_editing import may_enter_points

__all__ = [
    "MapLayout",
    "esg_view",
    "layout_map",
    "objective_page",
    "strategy_map_page",
    "workshop_list",
    "workshop_page",
]


# ---------------------------------------------------------------- the strategy map


@dataclass(frozen=True)
class MapCard:
    """An objective drawn on the map."""

    version: ObjectiveVersion
    x: float
    y: float
    width: float
    height: float
    title: str
    owner: str
    score: Score | None
    fill: str
    unmeasured: bool

    @property
    def centre(self) -> tuple[float, float]:
        return self.x + self.width / 2, self.y + self.height / 2

    @property
    def text_x(self) -> float:
        return self.x + 10

    @property
    def code_y(self) -> float:
        return self.y + 17

    @property
    def title_y(self) -> float:
        return self.y + 35

    @property
    def score_y(self) -> float:
        return self.y + 54


@dataclass(frozen=True)
class MapLaneBox:
    perspective: Perspective
    y: float
    height: float
    cards: list[MapCard]

    @property
    def label_lines(self) -> list[tuple[float, str]]:
        """The perspective's name wrapped to the label column, centred on the lane."""
        lines = textwrap.wrap(self.perspective.name, LABEL_CHARS) or [""]
        first = self.y + self.height / 2 + 5 - (len(lines) - 1) * LINE_HEIGHT / 2
        return [(first + i * LINE_HEIGHT, line) for i, line in enumerate(lines)]


@dataclass(frozen=True)
class MapArrow:
    link: MapLink
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class MapLayout:
    """Where the lanes, cards and arrows of a strategy map go, in SVG user units."""

    width: int
    height: int
    label_width: int
    lanes: list[MapLaneBox]
    arrows: list[MapArrow]


CARD_WIDTH, CARD_HEIGHT, GAP_X, GAP_Y, PER_ROW, LABEL_WIDTH, PADDING = 200, 64, 28, 18, 4, 170, 14
TITLE_LENGTH = 26
LABEL_CHARS, LINE_HEIGHT = 20, 16


def _short(text: str, length: int = TITLE_LENGTH) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "\u2026"


def _edge_point(card: MapCard, towards: tuple[float, float]) -> tuple[float, float]:
    """Where the line from the card's centre to ``towards`` leaves the card."""
    cx, cy = card.centre
    dx, dy = towards[0] - cx, towards[1] - cy
    if dx == 0 and dy == 0:
        return cx, cy
    half_w, half_h = card.width / 2 + 3, card.height / 2 + 3
    scale = min(half_w / abs(dx) if dx else math.inf, half_h / abs(dy) if dy else math.inf)
    return round(cx + dx * scale, 1), round(cy + dy * scale, 1)


def layout_map(
    lanes: list[tuple[Perspective, list[ObjectiveVersion]]],
    links: list[MapLink],
    scores: dict[int, Score],
    unmeasured: set[int],
    owners: Mapping[int, str],
) -> MapLayout:
    """Perspectives as rows, the objectives of each as cards (wrapping after four), and an
    arrow from each cause to its effect. ``owners`` names the owners the viewer may see."""
    y = 0.0
    boxes: list[MapLaneBox] = []
    cards_by_objective: dict[int, MapCard] = {}
    for perspective, versions in lanes:
        rows = max(1, math.ceil(len(versions) / PER_ROW))
        height = PADDING * 2 + rows * CARD_HEIGHT + (rows - 1) * GAP_Y
        cards = []
        for index, version in enumerate(versions):
            row, column = divmod(index, PER_ROW)
            score = scores.get(version.objective_id)
            card = MapCard(
                version=version,
                x=LABEL_WIDTH + GAP_X / 2 + column * (CARD_WIDTH + GAP_X),
                y=y + PADDING + row * (CARD_HEIGHT + GAP_Y),
                width=CARD_WIDTH,
                height=CARD_HEIGHT,
                title=_short(version.name),
                owner=describe_value(
                    ObjectiveVersion, "owner", version.owner_id, {"owner": owners}
                ),
                score=score,
                fill=score_fill_class(score.score if score else None),
                unmeasured=version.objective_id in unmeasured,
            )
            cards.append(card)
            cards_by_objective[version.objective_id] = card
        boxes.append(MapLaneBox(perspective, y, height, cards))
        y += height
    arrows = []
    for link in links:
        cause = cards_by_objective.get(link.cause.objective_id)
        effect = cards_by_objective.get(link.effect.objective_id)
        if cause is None or effect is None:
            continue
        start = _edge_point(cause, effect.centre)
        end = _edge_point(effect, cause.centre)
        arrows.append(MapArrow(link, *start, *end))
    width = int(LABEL_WIDTH + PER_ROW * (CARD_WIDTH + GAP_X))
    return MapLayout(width, int(y), LABEL_WIDTH, boxes, arrows)


def _latest_objective_scores(user: AnyUser, unit: OrgUnit) -> dict[int, Score]:
    months = recent_months(today())
    rows = scores_for(user, kind=NodeKind.OBJECTIVE, unit=unit, months=months)
    return latest_by(rows, "objective_id")


def _map_context(request: HttpRequest, unit: OrgUnit) -> dict[str, Any]:
    user, day = request.user, today()
    try:
        found = strategy_map(user, unit, day)
    except AccessDenied as denied:
        raise Http404 from denied
    unmeasured = unmeasured_objectives(user, day).filter(unit=unit)
    flagged = set(unmeasured.values_list("objective_id", flat=True))
    owner_ids = [v.owner_id for lane in found.lanes for v in lane.objectives if v.owner_id]
    layout = layout_map(
        [(lane.perspective, lane.objectives) for lane in found.lanes],
        found.links,
        _latest_objective_scores(user, unit),
        flagged,
        visible_names(user, owner_ids),
    )
    return {
        "unit": unit,
        "day": day,
        "map": found,
        "layout": layout,
        "unmeasured": list(unmeasured),
        "objective_count": sum(len(lane.objectives) for lane in found.lanes),
        "picker": UnitPickerForm(initial={"unit": unit.pk}, units=units_for(user)),
        "may_edit": may_edit_strategy(user, unit),
    }


@login_required
def strategy_map_page(request: HttpRequest, unit_pk: int | None = None) -> HttpResponse:
    """A unit's strategy map; without a unit, the viewer's own (``strategy_unit``)."""
    units = units_for(request.user)
    if unit_pk is None and request.GET.get("unit"):
        picked = UnitPickerForm(request.GET, units=units)
        if not picked.is_valid():
            raise Http404
        return redirect("strategy:unit-map", unit_pk=picked.cleaned_data["unit"].pk)
    if unit_pk is not None:
        unit = get_object_or_404(units, pk=unit_pk)
    else:
        own = strategy_unit(request.user, today())
        if own is None:
            return render(request, "strategy/map.html", {"unit": None})
        unit = own
    return render(request, "strategy/map.html", _map_context(request, unit))


# ---------------------------------------------------------------- an objective


@dataclass(frozen=True)
class MeasureLine:
    kpi: Any
    name: str
    unit_of_measure: str
    weight: float
    share: float | None
    score: Score | None


def _history(user: AnyUser, detail: ObjectiveDetail) -> list[VersionLine]:
    """The objective's versions, newest first, with ids turned into names the viewer may see."""
    history = detail.history
    names = objective_names(user, lambda name: related_ids(history, name))
    return version_lines(ObjectiveVersion, history, names, skip=frozenset({"objective"}))


def _measure_lines(user: AnyUser, detail: MeasuredObjective) -> list[MeasureLine]:
    version = detail.version
    if version is None or not detail.measures:
        return []
    rows = scores_for(
        user,
        kind=NodeKind.KPI,
        unit=version.unit,
        person=version.person,
        months=recent_months(today()),
    ).filter(kpi_id__in=[row.kpi.pk for row in detail.measures])
    latest = latest_by(rows, "kpi_id")
    total = sum(row.weight for row in detail.measures)
    return [
        MeasureLine(
            kpi=row.kpi,
            name=row.definition.name,
            unit_of_measure=row.definition.unit,
            weight=row.weight,
            share=row.weight / total * 100 if total > 0 else None,
            score=latest.get(row.kpi.pk),
        )
        for row in detail.measures
    ]


@login_required
def objective_page(request: HttpRequest, pk: int) -> HttpResponse:
    """An objective: its version in force, the cascade, its KPIs and its history."""
    user, day = request.user, today()
    objective = get_object_or_404(Objective, pk=pk)
    try:
        detail = measured_objective(user, objective, day)
    except NotFound as missing:
        raise Http404 from missing
    version = detail.version or (detail.history[-1].version if detail.history else None)
    if version is None:
        raise Http404
    months = recent_months(day)
    related = [objective.pk, *(child.objective_id for child in detail.children)]
    objective_scores = latest_by(
        scores_for(user, kind=NodeKind.OBJECTIVE, months=months).filter(objective_id__in=related),
        "objective_id",
    )
    latest = objective_scores.get(objective.pk)
    children_total = sum(child.contribution_weight for child in detail.children)
    owners = {"owner": visible_names(user, [version.owner_id] if version.owner_id else [])}
    context = {
        "objective": objective,
        "detail": detail,
        "version": version,
        "in_force": detail.version is not None,
        "score": latest,
        "score_fill": score_fill_class(latest.score if latest else None),
        "combine": combine_label(latest),
        "split": cascade_split(latest),
        "measures": _measure_lines(user, detail),
        "owner_name": describe_value(ObjectiveVersion, "owner", version.owner_id, owners),
        "people_shown": owners["owner"],
        "children": [
            (
                child,
                child.contribution_weight / children_total * 100 if children_total else None,
                objective_scores.get(child.objective_id),
            )
            for child in detail.children
        ],
        "history": _history(user, detail),
        "palette": status_palette(),
        "may_edit": detail.version is not None and may_edit_strategy(user, holder_unit(version)),
    }
    return render(request, "strategy/objective.html", context)


# ---------------------------------------------------------------- workshops


@login_required
def workshop_list(request: HttpRequest) -> HttpResponse:
    """The priority workshops of the units whose strategy the viewer may see."""
    workshops = workshops_for(request.user).order_by("-held_on", "id")
    return render(request, "strategy/workshops.html", {"workshops": workshops})


@dataclass(frozen=True)
class ItemLine:
    key: str
    name: str
    mean: float | None
    median: float | None
    std: float | None
    iqr: float | None
    minimum: float | None
    maximum: float | None
    agreed: float | None


@dataclass(frozen=True)
class AllocationLine:
    participant_id: int
    department: str
    person: str
    points: list[float | None]
    waiting: bool
    may_enter: bool


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


@login_required
def workshop_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A workshop: who gave what, per-item statistics, Kendall's W, conflicts, agreed weights."""
    user = request.user
    workshop = get_object_or_404(workshops_for(user), pk=pk)
    try:
        summary = workshop_summary(user, workshop)
    except NotFound as missing:
        raise Http404 from missing
    stats = summary.summary
    objective_ids = [item.objective_id for item in summary.items if item.objective_id]
    names = {
        version.objective_id: version.name
        for version in objectives_for(user, workshop.held_on).filter(objective_id__in=objective_ids)
    }
    items = [
        ItemLine(
            key=item_key(item),
            name=item.theme.name
            if item.theme is not None
            else names.get(item.objective_id or 0, ""),
            mean=_finite(stats.mean[j]),
            median=_finite(stats.median[j]),
            std=_finite(stats.std[j]),
            iqr=_finite(stats.iqr[j]),
            minimum=_finite(stats.minimum[j]),
            maximum=_finite(stats.maximum[j]),
            agreed=item.agreed_weight,
        )
        for j, item in enumerate(summary.items)
    ]
    visible = set(
        people_for(user)
        .filter(pk__in=[p.person_id for p in summary.participants])
        .values_list("pk", flat=True)
    )
    waiting = {participant.pk for participant in summary.waiting}
    allocations = [
        AllocationLine(
            participant_id=participant.pk,
            department=participant.department.name,
            person=participant.person.full_name if participant.person_id in visible else "",
            points=[_finite(points) for points in row],
            waiting=participant.pk in waiting,
            may_enter=may_enter_points(user, workshop, participant),
        )
        for participant, row in zip(summary.participants, summary.points, strict=True)
    ]
    concordance = stats.concordance
    context = {
        "workshop": workshop,
        "items": items,
        "allocations": allocations,
        "concordance": concordance,
        "w": _finite(concordance.w),
        "p_value": _finite(concordance.p_value),
        "chi_square": _finite(concordance.chi_square),
        "disagreements": [(pair, _finite(pair.spearman_rho)) for pair in stats.disagreements[:5]],
        "agreed": any(item.agreed is not None for item in items),
        "waiting": len(waiting),
        "may_agree": workshop.state == WorkshopState.OPEN
        and not waiting
        and may_edit_strategy(user, workshop.unit),
    }
    return render(request, "strategy/workshop.html", context)


# ---------------------------------------------------------------- ESG


@dataclass(frozen=True)
class EsgLine:
    item: EsgItem
    score: Score | None
    fill: str

    @property
    def pillar(self) -> str:
        return EsgPillar(self.item.pillar).label if self.item.pillar else ""

    @property
    def required_by(self) -> str:
        return RequiredBy(self.item.required_by).label if self.item.required_by else ""


@login_required
def esg_view(request: HttpRequest) -> HttpResponse:
    """ESG objectives and KPIs with pillar, disclosure reference, requirement and status."""
    user, day = request.user, today()
    items = esg_items(user, day)
    months = recent_months(day)
    objective_ids = [item.objective.pk for item in items if item.objective is not None]
    kpi_ids = [item.kpi.pk for item in items if item.kpi is not None]
    objective_scores = latest_by(
        scores_for(user, kind=NodeKind.OBJECTIVE, months=months).filter(
            objective_id__in=objective_ids
        ),
        "objective_id",
    )
    # A KPI's status is shown where it is measured highest in the organisation, latest first.
    kpi_rows = (
        scores_for(user, kind=NodeKind.KPI, months=months)
        .filter(kpi_id__in=kpi_ids, unit__isnull=False)
        .select_related("unit")
        .order_by("unit__depth", "-period", "unit__path")
    )
    kpi_scores: dict[int, Score] = {}
    for row in kpi_rows:
        if row.kpi_id is not None:
            kpi_scores.setdefault(row.kpi_id, row)
    lines = []
    for item in items:
        score: Score | None = None
        if item.objective is not None:
            score = objective_scores.get(item.objective.pk)
        elif item.kpi is not None:
            score = kpi_scores.get(item.kpi.pk)
            item.status = score.status if score is not None else ""
        lines.append(EsgLine(item, score, score_fill_class(score.score if score else None)))
    context = {
        "lines": lines,
        "palette": status_palette(),
        "month": month_start(day),
        "required": sum(1 for item in items if item.required_by),
    }
    return render(request, "strategy/esg.html", context)
