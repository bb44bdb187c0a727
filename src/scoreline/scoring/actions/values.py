"""Values and assessments as they are recorded, with the scores they feed."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from scoreline.access.scope import AnyUser
from scoreline.kpis.actions.values import ValueEntry, prepare_value, record_assessment, store_value
from scoreline.kpis.models import (
    Assessment,
    Kpi,
    KpiValue,
    ValueSource,
)
from scoreline.lib.errors import Invalid
from scoreline.org.models import OrgUnit, Person
from scoreline.scoring import pipeline

__all__ = [
    "do_record_assessment",
    "do_record_value",
]


RED = "red"


def _store_and_rescore(actor: AnyUser, entry: ValueEntry, reason: str) -> KpiValue:
    row, written = store_value(actor, entry, reason=reason)
    if written:
        pipeline.recompute_value(
            kpi_id=entry.kpi.pk,
            unit_id=entry.unit.pk if entry.unit is not None else None,
            person_id=entry.person.pk if entry.person is not None else None,
            period=entry.period,
        )
    return row


@transaction.atomic
def do_record_value(
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
    reason: str = "",
) -> KpiValue:
    """Enter (or correct) a KPI's value for a unit or a person in the month ``period``, and
    rescore what it feeds.

    A value whose status would be red needs a note saying why (code ``note_required``).
    Formula KPIs are calculated and rubric KPIs are rated: neither is entered here.
    """
    entry = prepare_value(
        actor,
        kpi,
        period=period,
        value=value,
        unit=unit,
        person=person,
        unit_of_measure=unit_of_measure,
        note=note,
        source=source,
    )
    status = pipeline.status_of_value(entry.kpi, unit, person, period, entry.value)
    if status == RED and not entry.note:
        raise Invalid(
            "note: a red value needs a note explaining it",
            fields={"note": ["a red value needs a note explaining it"]},
            code="note_required",
        )
    return _store_and_rescore(actor, entry, reason)


@transaction.atomic
def do_record_assessment(
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
) -> Assessment:
    """Record a rater's rubric level for a qualitative KPI in a month (see
    :func:`~scoreline.kpis.actions.values.record_assessment`); the KPI's value becomes the
    mean level of its assessments, and what it feeds is rescored."""
    assessment, entry = record_assessment(
        actor,
        kpi,
        period=period,
        level=level,
        evidence=evidence,
        unit=unit,
        person=person,
        rater=rater,
        reason=reason,
    )
    _store_and_rescore(actor, entry, reason)
    return assessment
