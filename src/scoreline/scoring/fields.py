"""The fields of the scoring app's definitions, said once: scorecard policies and
perspective weights.

The strategy files and the exports take their fields from here (see
:mod:`scoreline.lib.fields`).
"""

from __future__ import annotations

from scoreline.kpis.defaults import DEFAULT_CASCADE_SHARE
from scoreline.lib.fields import FieldSpec, boolean, choice, number, ref
from scoreline.scoring.models import CombineRule, MissingPolicy

__all__ = ["PERSPECTIVE_WEIGHT", "SCORECARD_POLICY"]

SCORECARD_POLICY: tuple[FieldSpec, ...] = (
    choice("combine", CombineRule, description="How the scorecard combines its weighted parts"),
    choice("missing", MissingPolicy, description="What a part without data counts as"),
    boolean("cap_at_100", True, description="Scores above 100 count as 100 in the roll-up"),
    number(
        "cascade_share",
        DEFAULT_CASCADE_SHARE,
        description=(
            "Share (0 to 1) of the contributing objectives in the score of an objective that "
            "also has KPIs of its own; its own KPIs carry the rest"
        ),
    ),
)
"""How a unit's scorecard rolls up: the rule that combines, missing data, the cap, and the
share of contributing objectives beside an objective's own KPIs."""

PERSPECTIVE_WEIGHT: tuple[FieldSpec, ...] = (
    ref("perspective", "perspective", required=True, nullable=False),
    number("weight", required=True),
)
"""The weight of a perspective in a unit's scorecard (or in every unit's, by default)."""
