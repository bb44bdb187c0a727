"""Changes to KPI definitions, rubrics, targets, status rules and measures, with their scores."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from scoreline.access.scope import AnyUser
from scoreline.kpis.actions.definitions import prepare_kpi_retirement, prepare_kpi_update
from scoreline.kpis.actions.measures import prepare_measure
from scoreline.kpis.actions.rubrics import prepare_rubric
from scoreline.kpis.actions.status_rules import prepare_status_rules
from scoreline.kpis.actions.targets import prepare_target
from scoreline.kpis.models import (
    Kpi,
    KpiVersion,
    ObjectiveMeasure,
    Rubric,
    StatusRule,
    Target,
)
from scoreline.kpis.validation import LevelSpec, RuleSpec
from scoreline.org.models import OrgUnit, Person
from scoreline.scoring.actions.rescoring import carry_out
from scoreline.strategy.models import Objective

__all__ = [
    "do_remove_measure",
    "do_retire_kpi",
    "do_save_rubric",
    "do_set_measure",
    "do_set_status_rules",
    "do_set_target",
    "do_update_kpi",
]


@transaction.atomic
def do_update_kpi(
    actor: AnyUser,
    kpi: Kpi,
    *,
    effective: dt.date,
    reason: str = "",
    source: str = "page",
    **changes: Any,
) -> KpiVersion | None:
    """Change a KPI's definition from ``effective`` on; returns the new version.

    Unchanged content writes nothing and returns None.
    """
    kpi = Kpi.objects.select_for_update().get(pk=kpi.pk)
    change = prepare_kpi_update(kpi, changes, effective)
    return carry_out(actor, change, reason=reason, source=source)


@transaction.atomic
def do_retire_kpi(
    actor: AnyUser, kpi: Kpi, *, effective: dt.date, reason: str = "", source: str = "page"
) -> KpiVersion:
    """End a KPI's definition on ``effective`` (its history stays); returns the ended version."""
    kpi = Kpi.objects.select_for_update().get(pk=kpi.pk)
    change = prepare_kpi_retirement(kpi, effective)
    retired = carry_out(actor, change, reason=reason, source=source)
    assert retired is not None, "a retirement always ends the version in force"
    return retired


@transaction.atomic
def do_set_target(
    actor: AnyUser,
    kpi: Kpi,
    *,
    unit: OrgUnit | None = None,
    person: Person | None = None,
    period_start: dt.date,
    effective: dt.date | None = None,
    reason: str = "",
    source: str = "page",
    **values: Any,
) -> Target | None:
    """Set a KPI's target at a unit or for a person over a span from ``period_start``.

    ``values`` are the fields of :data:`~scoreline.kpis.fields.TARGET`: ``period_end`` and
    ``target_type`` always, the others when they differ from their defaults. The version
    takes effect on ``effective`` (default: the start of the span). Revising a target
    already set whose span runs in an open period needs a change request. Returns the new
    version, or None when nothing changed.
    """
    change = prepare_target(
        kpi, unit=unit, person=person, period_start=period_start, values=values, day=effective
    )
    return carry_out(actor, change, reason=reason, source=source)


@transaction.atomic
def do_set_status_rules(
    actor: AnyUser,
    kpi: Kpi | None,
    rules: Sequence[RuleSpec],
    *,
    effective: dt.date,
    reason: str = "",
    source: str = "page",
) -> list[StatusRule] | None:
    """Replace the ordered status rules of ``kpi`` (None: the default set) from ``effective``.

    Returns the rules in force from then, or None when the set is unchanged.
    """
    change = prepare_status_rules(kpi, rules, effective)
    return carry_out(actor, change, reason=reason, source=source)


@transaction.atomic
def do_set_measure(
    actor: AnyUser,
    objective: Objective,
    kpi: Kpi,
    *,
    weight: float,
    effective: dt.date,
    reason: str = "",
    source: str = "page",
) -> ObjectiveMeasure | None:
    """Measure ``objective`` by ``kpi`` with ``weight`` from ``effective`` on.

    Returns the new version, or None when the weight is unchanged.
    """
    change = prepare_measure(objective, kpi, weight, effective)
    return carry_out(actor, change, reason=reason, source=source)


@transaction.atomic
def do_remove_measure(
    actor: AnyUser,
    objective: Objective,
    kpi: Kpi,
    *,
    effective: dt.date,
    reason: str = "",
    source: str = "page",
) -> ObjectiveMeasure | None:
    """Stop measuring ``objective`` by ``kpi`` from ``effective`` on; returns the ended version."""
    change = prepare_measure(objective, kpi, None, effective)
    return carry_out(actor, change, reason=reason, source=source)


@transaction.atomic
def do_save_rubric(
    actor: AnyUser,
    *,
    code: str,
    name: str,
    levels: Sequence[LevelSpec],
    description: str = "",
    reason: str = "",
) -> Rubric:
    """Create a rubric or replace its levels (see :class:`~scoreline.kpis.actions.rubrics.RubricChange`);
    new level scores rescore the KPIs rated on the rubric."""
    change = prepare_rubric(code, name=name, levels=levels, description=description)
    saved = carry_out(actor, change, reason=reason, source="page")
    return saved or Rubric.objects.get(code=code)
