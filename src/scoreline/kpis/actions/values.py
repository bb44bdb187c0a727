"""Values of a KPI as entered or loaded, and rubric assessments that rate qualitative KPIs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from statistics import fmean
from typing import Any

from django.contrib.auth.models import User

from scoreline.access.capabilities import Capability
from scoreline.access.scope import (
    AnyUser,
    require_on_unit,
)
from scoreline.audit.chain import record_event, snapshot
from scoreline.kpis.actions.shared import definition_in_force, home_unit
from scoreline.kpis.models import (
    Assessment,
    Kpi,
    KpiValue,
    RubricLevel,
    ScoringMethod,
    ValueSource,
)
from scoreline.kpis.validation import (
    validate_value,
)
from scoreline.lib.errors import Invalid
from scoreline.lib.months import next_month
from scoreline.lib.validation import (
    require_month_start,
    require_text,
)
from scoreline.org.models import OrgUnit, Person
from scoreline.planning.control import require_not_closed

__all__ = [
    "ENTERED_SOURCES",
    "ValueEntry",
    "prepare_value",
    "record_assessment",
    "store_value",
]


# Sources of values entered or loaded as they are (formulas and assessments derive theirs).
ENTERED_SOURCES = (
    ValueSource.MANUAL,
    ValueSource.IMPORT,
    ValueSource.CONNECTOR,
    ValueSource.DEMO,
)


@dataclass(frozen=True)
class ValueEntry:
    """A KPI value checked for entry: the KPI (row locked), its subject, month and number."""

    kpi: Kpi
    unit: OrgUnit | None
    person: Person | None
    period: dt.date
    value: float
    source: str
    lineage: dict[str, Any]
    note: str


def prepare_value(
    actor: AnyUser,
    kpi: Kpi,
    *,
    period: dt.date,
    value: float,
    unit: OrgUnit | None = None,
    person: Person | None = None,
    unit_of_measure: str | None = None,
    note: str = "",
    source: str = ValueSource.MANUAL,
) -> ValueEntry:
    """Check a KPI's value for a unit or a person in the month ``period`` before it is stored.

    Formula KPIs are calculated and rubric KPIs are rated: neither is entered here.
    """
    home = home_unit(unit, person)
    require_on_unit(actor, Capability.ENTER_VALUES, home)
    require_month_start("period", period)
    if source not in ENTERED_SOURCES:
        raise Invalid.field("source", f"{source!r} is not one of {', '.join(ENTERED_SOURCES)}")
    if not isinstance(note, str):
        raise Invalid.field("note", "must be text")
    kpi = Kpi.objects.select_for_update().get(pk=kpi.pk)
    version = definition_in_force(kpi, period, "period")
    if version.formula.strip():
        raise Invalid.field(
            "kpi", f"{kpi.code} is calculated from its formula, not entered", code="calculated"
        )
    if version.scoring == ScoringMethod.RUBRIC:
        raise Invalid.field(
            "kpi", f"{kpi.code} is rated through rubric assessments, not entered", code="assessed"
        )
    number = validate_value(version, value, unit_of_measure)
    require_not_closed(period, next_month(period), field="period")
    return ValueEntry(kpi, unit, person, period, number, source, {}, note.strip())


def store_value(actor: AnyUser, entry: ValueEntry, *, reason: str) -> tuple[KpiValue, bool]:
    """Insert or update one value with its audit event; False when it was already so."""
    row = (
        KpiValue.objects.select_for_update()
        .filter(kpi=entry.kpi, unit=entry.unit, person=entry.person, period=entry.period)
        .first()
    )
    before = snapshot(row) if row is not None else None
    if (
        row is not None
        and row.value == entry.value
        and row.source == entry.source
        and row.lineage == entry.lineage
        and row.note == entry.note
    ):
        return row, False
    if row is None:
        row = KpiValue(kpi=entry.kpi, unit=entry.unit, person=entry.person, period=entry.period)
    row.value, row.source, row.lineage, row.note = (
        entry.value,
        entry.source,
        entry.lineage,
        entry.note,
    )
    row.entered_by = actor if isinstance(actor, User) else None
    row.save()
    record_event(
        actor,
        "kpi_value.record",
        "kpi_value",
        row.pk,
        before=before,
        after=snapshot(row),
        reason=reason,
    )
    return row, True


def record_assessment(
    actor: AnyUser,
    kpi: Kpi,
    *,
    period: dt.date,
    level: int,
    evidence: str,
    unit: OrgUnit | None = None,
    person: Person | None = None,
    rater: Person | None = None,
    reason: str = "",
) -> tuple[Assessment, ValueEntry]:
    """Record a rater's rubric level, with evidence, for a qualitative KPI in a month.

    The rater is the acting user's person unless someone who may edit KPIs at the subject's
    unit names another. Returns the assessment and the KPI's value for the month to store:
    the mean level of its assessments, with the assessments listed as its lineage.
    """
    home = home_unit(unit, person)
    require_on_unit(actor, Capability.ENTER_VALUES, home)
    require_month_start("period", period)
    kpi = Kpi.objects.select_for_update().get(pk=kpi.pk)
    version = definition_in_force(kpi, period, "period")
    if version.scoring != ScoringMethod.RUBRIC or version.rubric_id is None:
        raise Invalid.field("kpi", f"{kpi.code} is not rated on a rubric", code="not_rated")
    own = Person.objects.filter(user_id=actor.pk).first() if actor.is_authenticated else None
    if rater is None:
        if own is None:
            raise Invalid.field("rater", "the rater must be a person: name one")
        rater = own
    elif own is None or rater.pk != own.pk:
        require_on_unit(actor, Capability.EDIT_KPI, home)
    if isinstance(level, bool) or not isinstance(level, int):
        raise Invalid.field("level", f"must be a whole number, got {level!r}")
    levels = list(
        RubricLevel.objects.filter(rubric_id=version.rubric_id).values_list("level", flat=True)
    )
    if level not in levels:
        raise Invalid.field(
            "level", f"must be one of the rubric's levels {min(levels)}..{max(levels)}, got {level}"
        )
    evidence = require_text("evidence", evidence)
    require_not_closed(period, next_month(period), field="period")
    assessment = (
        Assessment.objects.select_for_update()
        .filter(kpi=kpi, unit=unit, person=person, period=period, rater=rater)
        .first()
    )
    before = snapshot(assessment) if assessment is not None else None
    if assessment is None:
        assessment = Assessment(kpi=kpi, unit=unit, person=person, period=period, rater=rater)
    assessment.level, assessment.evidence = level, evidence
    assessment.save()
    record_event(
        actor,
        "assessment.record",
        "assessment",
        assessment.pk,
        before=before,
        after=snapshot(assessment),
        reason=reason,
    )
    rated = list(
        Assessment.objects.filter(kpi=kpi, unit=unit, person=person, period=period)
        .order_by("pk")
        .values_list("pk", "level")
    )
    mean = fmean(lv for _, lv in rated)
    lineage = {"assessments": [pk for pk, _ in rated]}
    entry = ValueEntry(kpi, unit, person, period, mean, ValueSource.ASSESSMENT, lineage, "")
    return assessment, entry
