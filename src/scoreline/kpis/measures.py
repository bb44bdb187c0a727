"""Reads of objectives with the KPIs that measure them, through the access rules.

The measures of an objective, the objectives no KPI measures, what a scorecard shows of each
objective, and the ESG view over objectives and KPI definitions alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import cast

from django.db.models import Exists, OuterRef, Q, QuerySet

from scoreline.access.capabilities import Capability
from scoreline.access.scope import AnyUser, holds_anywhere, is_member
from scoreline.kpis.models import Kpi, KpiVersion, ObjectiveMeasure
from scoreline.lib.dates import effective_on
from scoreline.org.models import OrgUnit, Person
from scoreline.strategy.models import Objective, ObjectiveVersion
from scoreline.strategy.queries import ObjectiveDetail, objective_detail, objectives_for

__all__ = [
    "EsgItem",
    "MeasureRow",
    "MeasuredObjective",
    "ScorecardRow",
    "esg_items",
    "measured_objective",
    "measures_of",
    "scorecard_rows",
    "unmeasured_objectives",
]


def unmeasured_objectives(user: AnyUser, day: dt.date) -> QuerySet[ObjectiveVersion]:
    """Objectives in force on ``day`` that no KPI in force measures: each is a gap to flag."""
    measured = ObjectiveMeasure.objects.filter(
        effective_on(day),
        effective_on(day, "kpi__versions__"),
        objective=OuterRef("objective"),
    )
    return objectives_for(user, day).exclude(Exists(measured))


@dataclass(frozen=True)
class MeasureRow:
    """A KPI measuring an objective on the day, with its weight in the objective's score."""

    measure: ObjectiveMeasure
    kpi: Kpi
    definition: KpiVersion
    weight: float


def measures_of(objective_ids: list[int], day: dt.date) -> dict[int, list[MeasureRow]]:
    """The KPIs measuring each objective on ``day``, by KPI code (two queries for all)."""
    measures = (
        ObjectiveMeasure.objects.filter(effective_on(day), objective_id__in=objective_ids)
        .select_related("kpi")
        .order_by("kpi__code")
    )
    definitions = {
        version.kpi_id: version
        for version in KpiVersion.objects.filter(
            effective_on(day), kpi_id__in={measure.kpi_id for measure in measures}
        )
    }
    rows: dict[int, list[MeasureRow]] = {pk: [] for pk in objective_ids}
    for measure in measures:
        if measure.kpi_id in definitions:
            row = MeasureRow(measure, measure.kpi, definitions[measure.kpi_id], measure.weight)
            rows[measure.objective_id].append(row)
    return rows


@dataclass(frozen=True)
class MeasuredObjective(ObjectiveDetail):
    """An objective on a day with the KPIs measuring it."""

    measures: list[MeasureRow]

    @property
    def measured(self) -> bool:
        """Whether any KPI measures the objective; one with none is flagged."""
        return bool(self.measures)


def measured_objective(user: AnyUser, objective: Objective, day: dt.date) -> MeasuredObjective:
    """:func:`~scoreline.strategy.queries.objective_detail` with the objective's measures."""
    detail = objective_detail(user, objective, day)
    known = {f.name: getattr(detail, f.name) for f in fields(detail)}
    return MeasuredObjective(**known, measures=measures_of([objective.pk], day)[objective.pk])


@dataclass(frozen=True)
class ScorecardRow:
    """What a scorecard shows of an objective: the KPIs measuring it and its visible children."""

    measures: list[MeasureRow]
    children: list[ObjectiveVersion]


def scorecard_rows(
    user: AnyUser, versions: list[ObjectiveVersion], day: dt.date
) -> dict[int, ScorecardRow]:
    """:class:`ScorecardRow` of many objectives at once, by objective id, in three queries.

    ``versions`` are versions ``user`` may see (as :func:`objectives_for` gives them); the
    children are those in force on ``day`` that ``user`` may see.
    """
    ids = [version.objective_id for version in versions]
    children: dict[int, list[ObjectiveVersion]] = {pk: [] for pk in ids}
    visible = objectives_for(user, day).filter(parent_id__in=ids)
    for child in visible.order_by("objective__code"):
        children[cast(int, child.parent_id)].append(child)
    measures = measures_of(ids, day)
    return {pk: ScorecardRow(measures[pk], children[pk]) for pk in ids}


@dataclass
class EsgItem:
    """An objective or KPI carrying an ESG pillar, a disclosure reference or a requirement.

    ``status`` is left empty here: the caller fills it from the scores of the day.
    """

    kind: str  # "objective" or "kpi"
    code: str
    name: str
    pillar: str
    disclosure_ref: str
    required_by: str
    unit: OrgUnit | None = None
    person: Person | None = None
    objective: Objective | None = None
    kpi: Kpi | None = None
    status: str = ""


def _esg_q() -> Q:
    return ~Q(esg_pillar="") | ~Q(disclosure_ref="") | ~Q(required_by="")


def esg_items(user: AnyUser, day: dt.date) -> list[EsgItem]:
    """The ESG view: visible objectives and KPI definitions in force on ``day`` that carry an
    ESG pillar, a disclosure reference or a regulator/investor requirement, by pillar."""
    items = [
        EsgItem(
            kind="objective",
            code=version.objective.code,
            name=version.name,
            pillar=version.esg_pillar,
            disclosure_ref=version.disclosure_ref,
            required_by=version.required_by,
            unit=version.unit,
            person=version.person,
            objective=version.objective,
        )
        for version in objectives_for(user, day).filter(_esg_q())
    ]
    if holds_anywhere(user, Capability.VIEW_ORG) or is_member(user):
        definitions = (
            KpiVersion.objects.filter(effective_on(day))
            .filter(_esg_q())
            .select_related("kpi")
            .order_by("kpi__code")
        )
        items += [
            EsgItem(
                kind="kpi",
                code=version.kpi.code,
                name=version.name,
                pillar=version.esg_pillar,
                disclosure_ref=version.disclosure_ref,
                required_by=version.required_by,
                kpi=version.kpi,
            )
            for version in definitions
        ]
    pillars = ["E", "S", "G", ""]
    return sorted(items, key=lambda item: (pillars.index(item.pillar), item.kind, item.code))
