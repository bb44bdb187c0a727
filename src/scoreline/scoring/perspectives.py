"""A perspective's weight in a unit's scorecard: the unit's own weight, else the organisation's
default, else 1.

The rule is written here once: the roll-up (:mod:`scoreline.scoring.loading`), the check of a
weight change (:mod:`scoreline.scoring.actions.scorecards`), ``scoreline check`` and the pages
that show the weights all read it from :class:`PerspectiveWeights`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.db.models import Q

from scoreline.lib.dates import effective_on
from scoreline.lib.validation import check_not_all_zero
from scoreline.scoring.models import PerspectiveWeight

__all__ = [
    "DEFAULT",
    "NONE",
    "OWN",
    "UNWEIGHTED",
    "PerspectiveWeights",
    "perspective_weights_in_force",
]

UNWEIGHTED = 1.0
"""The weight of a perspective that has none, in a unit's scorecard or by default."""

OWN, DEFAULT, NONE = "own", "default", ""
"""Where a weight comes from: the unit's own, the default, or none set."""


@dataclass(frozen=True)
class PerspectiveWeights:
    """Perspective weights in force on a day: the ``default`` ones by perspective id, and each
    unit's ``own`` by unit id, then perspective id."""

    default: dict[int, float]
    own: dict[int, dict[int, float]]

    def source(self, unit_id: int | None, perspective_id: int) -> tuple[float, str]:
        """The weight of a perspective in the scorecard of ``unit_id`` (None: the default
        scorecard) and where it comes from: ``"own"``, ``"default"`` or ``""`` (none is set,
        so it counts 1)."""
        own = self.own.get(unit_id, {}) if unit_id is not None else {}
        if perspective_id in own:
            return own[perspective_id], OWN
        if perspective_id in self.default:
            return self.default[perspective_id], DEFAULT
        return UNWEIGHTED, NONE

    def weight(self, unit_id: int | None, perspective_id: int) -> float:
        """The weight of a perspective in the scorecard of ``unit_id`` (None: the default)."""
        return self.source(unit_id, perspective_id)[0]

    def with_weight(
        self, unit_id: int | None, perspective_id: int, weight: float | None
    ) -> PerspectiveWeights:
        """These weights with one set in ``unit_id``'s scorecard (None: the default), or
        ended when ``weight`` is None."""
        default = dict(self.default)
        own = {unit: dict(weights) for unit, weights in self.own.items()}
        chosen = default if unit_id is None else own.setdefault(unit_id, {})
        chosen.pop(perspective_id, None)
        if weight is not None:
            chosen[perspective_id] = weight
        return PerspectiveWeights(default, own)

    def check(self, unit_id: int | None, perspectives: Iterable[int]) -> None:
        """The perspectives of ``unit_id``'s scorecard (None: the default) must not all weigh
        zero."""
        check_not_all_zero("weight", [self.weight(unit_id, pk) for pk in perspectives])


def perspective_weights_in_force(
    day: dt.date, unit_ids: Collection[int] | None = None
) -> PerspectiveWeights:
    """The default perspective weights in force on ``day`` and the own weights of ``unit_ids``
    (None: of every unit)."""
    rows = PerspectiveWeight.objects.filter(effective_on(day))
    if unit_ids is not None:
        rows = rows.filter(Q(unit__isnull=True) | Q(unit_id__in=list(unit_ids)))
    default: dict[int, float] = {}
    own: defaultdict[int, dict[int, float]] = defaultdict(dict)
    for perspective_id, unit_id, weight in rows.values_list("perspective_id", "unit_id", "weight"):
        if unit_id is None:
            default[perspective_id] = weight
        else:
            own[unit_id][perspective_id] = weight
    return PerspectiveWeights(default, dict(own))
