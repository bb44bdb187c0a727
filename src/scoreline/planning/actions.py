"""Planning periods: created in draft, opened (definitions then change by request), closed."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from scoreline.access.capabilities import Capability
from scoreline.access.scope import AnyUser, require_everywhere
from scoreline.audit.chain import record_event, snapshot
from scoreline.lib.errors import Invalid
from scoreline.lib.validation import check_model_fields, require_text
from scoreline.planning.models import PeriodState, PlanningPeriod

__all__ = ["do_close_period", "do_create_period", "do_open_period"]


@transaction.atomic
def do_create_period(
    actor: AnyUser, *, label: str, start: dt.date, end: dt.date, reason: str = ""
) -> PlanningPeriod:
    """A planning period in draft; periods do not overlap."""
    require_everywhere(actor, Capability.APPROVE_CHANGE)
    check_model_fields(PlanningPeriod, {"label": label})
    label = require_text("label", label)
    if not end > start:
        raise Invalid.field("end", f"must be after the start {start.isoformat()}")
    if PlanningPeriod.objects.filter(label=label).exists():
        raise Invalid.field("label", f"a period called {label!r} exists", code="duplicate")
    overlapping = PlanningPeriod.objects.filter(start__lt=end, end__gt=start).first()
    if overlapping is not None:
        raise Invalid.field("start", f"overlaps the period {overlapping.label}", code="overlap")
    period = PlanningPeriod.objects.create(label=label, start=start, end=end)
    record_event(
        actor, "period.create", "planning_period", period.pk, after=snapshot(period), reason=reason
    )
    return period


def _move_period(
    actor: AnyUser, period: PlanningPeriod, origin: str, target: str, reason: str
) -> PlanningPeriod:
    require_everywhere(actor, Capability.APPROVE_CHANGE)
    period = PlanningPeriod.objects.select_for_update().get(pk=period.pk)
    if period.state != origin:
        raise Invalid.field(
            "state",
            f"{period.label} is {period.state}; only a {origin} period can become {target}",
            code="invalid_state",
        )
    before = snapshot(period)
    period.state = target
    period.save(update_fields=["state"])
    record_event(
        actor,
        f"period.{'open' if target == PeriodState.OPEN else 'close'}",
        "planning_period",
        period.pk,
        before=before,
        after=snapshot(period),
        reason=reason,
    )
    return period


@transaction.atomic
def do_open_period(actor: AnyUser, period: PlanningPeriod, *, reason: str = "") -> PlanningPeriod:
    """Open a draft period: from now on its definitions change only by change request."""
    return _move_period(actor, period, PeriodState.DRAFT, PeriodState.OPEN, reason)


@transaction.atomic
def do_close_period(actor: AnyUser, period: PlanningPeriod, *, reason: str = "") -> PlanningPeriod:
    """Close an open period: nothing may change it any more."""
    return _move_period(actor, period, PeriodState.OPEN, PeriodState.CLOSED, reason)
