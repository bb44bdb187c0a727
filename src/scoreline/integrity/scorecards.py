"""Scorecard weights as stored: the perspectives of a scorecard never all weigh zero."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from scoreline.integrity.findings import Findings
from scoreline.lib.dates import effective_on
from scoreline.lib.errors import Invalid
from scoreline.scoring.actions.scorecards import check_perspective_weights
from scoreline.scoring.models import PerspectiveWeight
from scoreline.strategy.models import Perspective

__all__ = ["check_perspective_weights_in_force"]


def check_perspective_weights_in_force(day: dt.date, findings: Findings) -> None:
    """The default perspective weights in force on ``day``, and each unit's own over them."""
    rows = list(
        PerspectiveWeight.objects.filter(effective_on(day)).values_list(
            "perspective_id", "unit__code", "weight"
        )
    )
    findings.read(len(rows))
    default: dict[int, float] = {}
    own: dict[str, dict[int, float]] = defaultdict(dict)
    for perspective, unit, weight in rows:
        (default if unit is None else own[unit])[perspective] = weight
    perspectives = list(Perspective.objects.values_list("pk", flat=True))
    scorecards = {"default": {}, **own} if default else dict(own)
    for code, weights in sorted(scorecards.items()):
        try:
            check_perspective_weights(perspectives, default, weights)
        except Invalid as error:
            findings.refused("perspective_weights", code, error)
