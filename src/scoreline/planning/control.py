"""Which planning period a change touches, and whether it may be made directly.

A change in force from a day on alters every period that has not ended by then. A closed
period never changes; an open one changes only through an approved change request.
"""

from __future__ import annotations

import datetime as dt

from scoreline.lib.errors import Invalid
from scoreline.planning.models import PeriodState, PlanningPeriod

__all__ = [
    "closed_period",
    "closed_periods",
    "governing_period",
    "require_direct_change_allowed",
    "require_not_closed",
]


def _touching(state: str, day: dt.date, until: dt.date | None) -> PlanningPeriod | None:
    periods = PlanningPeriod.objects.filter(state=state, end__gt=day)
    if until is not None:
        periods = periods.filter(start__lt=until)
    return periods.order_by("start").first()


def governing_period(day: dt.date, until: dt.date | None = None) -> PlanningPeriod | None:
    """The open period a change effective from ``day`` (until ``until``) would touch.

    A change in force from ``day`` on affects every period that has not ended by then.
    """
    return _touching(PeriodState.OPEN, day, until)


def closed_period(day: dt.date, until: dt.date | None = None) -> PlanningPeriod | None:
    """The closed period a change effective from ``day`` (until ``until``) would rewrite."""
    return _touching(PeriodState.CLOSED, day, until)


def closed_periods() -> list[PlanningPeriod]:
    """Every closed planning period, earliest first."""
    return list(PlanningPeriod.objects.filter(state=PeriodState.CLOSED).order_by("start"))


def require_not_closed(
    day: dt.date, until: dt.date | None = None, field: str = "effective"
) -> None:
    period = closed_period(day, until)
    if period is not None:
        raise Invalid(
            f"{field}: {day.isoformat()} would change the closed period {period.label}",
            fields={field: [f"the period {period.label} is closed"]},
            code="period_closed",
        )


def require_direct_change_allowed(
    day: dt.date, until: dt.date | None = None, field: str = "effective"
) -> None:
    """Refuse a direct change that would touch a closed period or an open one.

    An open period's definitions change only through an approved change request.
    """
    require_not_closed(day, until, field)
    period = governing_period(day, until)
    if period is not None:
        raise Invalid(
            f"{field}: the change from {day.isoformat()} affects the open period "
            f"{period.label}; file a change request",
            fields={field: [f"the period {period.label} is open: a change request is required"]},
            code="change_request_required",
        )
