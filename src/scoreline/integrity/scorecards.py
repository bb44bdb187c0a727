"""Scorecard weights as stored: the perspectives of a scorecard never all weigh zero."""

from __future__ import annotations

import datetime as dt

from scoreline.integrity.findings import Findings
from scoreline.lib.errors import Invalid
from scoreline.org.models import OrgUnit
from scoreline.scoring.perspectives import perspective_weights_in_force
from scoreline.strategy.models import Perspective

__all__ = ["check_perspective_weights_in_force"]


def check_perspective_weights_in_force(day: dt.date, findings: Findings) -> None:
    """The default perspective weights in force on ``day``, and each unit's own over them."""
    weights = perspective_weights_in_force(day)
    findings.read(len(weights.default) + sum(len(own) for own in weights.own.values()))
    perspectives = list(Perspective.objects.values_list("pk", flat=True))
    scorecards: dict[str, int | None] = dict(
        OrgUnit.objects.filter(pk__in=list(weights.own)).values_list("code", "pk")
    )
    if weights.default:
        scorecards["default"] = None
    for code, unit_id in sorted(scorecards.items()):
        try:
            weights.check(unit_id, perspectives)
        except Invalid as error:
            findings.refused("perspective_weights", code, error)
