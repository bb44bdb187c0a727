"""The demo's change requests, filed and decided through the governance actions: revisions
of this year's targets filed by the data steward (one approved and applied, one rejected,
one pending) and a pending change of an objective's weight filed by the manager persona.

The chief executive decides. Which targets are revised comes from a generator seeded by
the demo's seed; a revision the target checks refuse is passed over for the next candidate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.contrib.auth.models import User
from django.utils.dateformat import format as date_format

from scoreline.governance.actions import do_decide_change, do_request_change
from scoreline.governance.models import ChangeKind, ChangeRequest
from scoreline.kpis.actions.targets import TARGET_FIELDS
from scoreline.kpis.models import KpiVersion, Target, TargetType
from scoreline.lib.dates import effective_on
from scoreline.lib.errors import Invalid
from scoreline.lib.months import month_start
from scoreline.lib.periods import fiscal_year_of
from scoreline.org.models import OrgUnit, Person
from scoreline.strategy.queries import objectives_for

__all__ = ["build_change_requests"]

STREAM = 0xC4A6
# +1 where a higher target asks more of the unit, -1 where a lower one does.
AMBITION = {
    TargetType.STAY_ABOVE: 1,
    TargetType.INCREASE_TO: 1,
    TargetType.STAY_BELOW: -1,
    TargetType.DECREASE_TO: -1,
}
SCALED = ("threshold", "target", "stretch")
WEIGHT_FACTOR = 1.5


@dataclass(frozen=True)
class Revision:
    """A revision of a target: how far it moves (towards more ambition when positive), why,
    and how the chief executive decides it (None: not yet)."""

    ambition: float
    justification: str
    approve: bool | None
    note: str = ""


def _revisions(year: str, following: str) -> list[Revision]:
    return [
        Revision(
            0.04,
            "{kpi} at {unit} has run ahead of plan since the start of " + year + ". The "
            "quarterly business review agreed to tighten the target from {old} to {new} from "
            "{month}, so that it still stretches the team.",
            approve=True,
            note="Agreed at the quarterly business review.",
        ),
        Revision(
            -0.08,
            "Ease the {kpi} target at {unit} from {old} to {new} from {month}: the delayed "
            "system migration has taken capacity from the team for the rest of " + year + ".",
            approve=False,
            note="The target was set in the budget round, when the migration delay was already "
            "known. Keep it, and record the delay as a risk on the objective; we will look "
            "again at the mid-year review.",
        ),
        Revision(
            -0.04,
            "A major customer has moved orders into " + following + ", and the forecast of "
            "{kpi} at {unit} for the rest of " + year + " falls short of the plan. Adjust the "
            "target from {old} to {new} from {month}, in line with the revised forecast "
            "signed off by finance.",
            approve=None,
        ),
    ]


def _number(value: float, unit: str) -> str:
    number = f"{value:,.4g}"
    return f"{number}{unit}" if unit == "%" else f"{number} {unit}".strip()


def _candidates(day: dt.date) -> list[Target]:
    """This year's unit targets of a kind that has a direction, in a fixed order."""
    month = month_start(day)
    return list(
        Target.objects.filter(
            effective_on(day),
            unit__isnull=False,
            target__gt=0,
            target_type__in=list(AMBITION),
            period_start__lte=month,
            period_end__gt=month,
        )
        .select_related("kpi", "unit")
        .order_by("kpi__code", "unit__path", "period_start")
    )


def _payload(target: Target, factor: float) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "unit_id": target.unit_id,
        "period_start": target.period_start.isoformat(),
    }
    for name in TARGET_FIELDS:
        value = getattr(target, name)
        if name in SCALED and value is not None:
            value = float(f"{value * factor:.3g}")
        payload[name] = value.isoformat() if isinstance(value, dt.date) else value
    return payload


def _file_revision(
    steward: User, target: Target, revision: Revision, effective: dt.date
) -> ChangeRequest:
    definition = KpiVersion.objects.filter(effective_on(effective), kpi=target.kpi).first()
    if definition is None:
        raise Invalid.field("subject", f"{target.kpi.code} is not in force")
    factor = 1 + revision.ambition * AMBITION[TargetType(target.target_type)]
    payload = _payload(target, factor)
    assert target.target is not None and target.unit is not None
    justification = revision.justification.format(
        kpi=definition.name,
        unit=target.unit.name,
        old=_number(target.target, definition.unit),
        new=_number(payload["target"], definition.unit),
        month=date_format(effective, "F Y"),
    )
    return do_request_change(
        steward, ChangeKind.TARGET, target.kpi.code, payload, effective, justification
    )


def _target_requests(
    users: Mapping[str, User],
    rng: np.random.Generator,
    effective: dt.date,
    year: str,
    following: str,
) -> list[ChangeRequest]:
    candidates = _candidates(effective)
    order = rng.permutation(len(candidates)).tolist()
    made: list[ChangeRequest] = []
    used: set[int] = set()
    for revision in _revisions(year, following):
        while order:
            target = candidates[order.pop(0)]
            if target.kpi_id in used:
                continue
            try:
                request = _file_revision(users["steward"], target, revision, effective)
            except Invalid:
                continue  # this target refuses the revision (bounds, order): try the next
            used.add(target.kpi_id)
            if revision.approve is not None:
                request = do_decide_change(
                    users["ceo"], request.pk, approve=revision.approve, note=revision.note
                )
            made.append(request)
            break
    return made


def _weight_request(manager: User, effective: dt.date, year: str) -> ChangeRequest | None:
    """The manager asks to weigh one of their department's objectives more heavily."""
    person = Person.objects.filter(user=manager).first()
    department = OrgUnit.objects.filter(manager=person).order_by("depth").first()
    if department is None:
        return None
    version = objectives_for(manager, effective, unit=department).first()
    if version is None:
        return None
    new = round(version.weight * WEIGHT_FACTOR, 2)
    justification = (
        f"{version.name} carries most of the plan of {department.name} for the rest of {year}. "
        f"Raise its weight from {version.weight:g} to {new:g} from "
        f"{date_format(effective, 'F Y')}, so that the scorecard reflects where the team "
        "spends its effort."
    )
    return do_request_change(
        manager,
        ChangeKind.OBJECTIVE_WEIGHT,
        version.objective.code,
        {"weight": new},
        effective,
        justification,
    )


def build_change_requests(
    users: Mapping[str, User], seed: int, *, fiscal_start: int, today: dt.date
) -> list[ChangeRequest]:
    """Change requests in every state, effective from the start of the current month."""
    rng = np.random.default_rng([seed, STREAM])
    effective = month_start(today)
    year = fiscal_year_of(today, fiscal_start)
    following = fiscal_year_of(year.end, fiscal_start)
    made = _target_requests(users, rng, effective, year.label, following.label)
    weight = _weight_request(users["manager"], effective, year.label)
    return made if weight is None else [*made, weight]
