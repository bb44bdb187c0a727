"""The fields of the strategy app's definitions, said once: objectives and the ESG fields.

The strategy files, the API, the actions and the exports take their fields from here
(see :mod:`scoreline.lib.fields`).
"""

from __future__ import annotations

from scoreline.lib.fields import FieldSpec, choice, date, field_names, number, ref, text
from scoreline.strategy.models import EsgPillar, RequiredBy

__all__ = ["ESG", "OBJECTIVE", "OBJECTIVE_FIELDS"]

ESG: tuple[FieldSpec, ...] = (
    choice("esg_pillar", EsgPillar, required=False),
    text("disclosure_ref", 60),
    choice("required_by", RequiredBy, required=False),
)
"""What an objective or a KPI reports under ESG: pillar, disclosure and who requires it."""

OBJECTIVE: tuple[FieldSpec, ...] = (
    text("name", 200, required=True),
    text("description"),
    ref(
        "perspective", "perspective", required=True, nullable=False, description="Perspective code"
    ),
    ref("theme", "theme", description="Theme code"),
    ref("unit", "unit", description="Unit code (an objective of a unit)"),
    ref("person", "person", description="Employee id (an individual goal)"),
    ref("owner", "person", description="Employee id of the owner"),
    ref("parent", "objective", description="Code of the objective this one contributes to"),
    number("contribution_weight", 1.0),
    number("weight", 1.0),
    date("horizon_start"),
    date("horizon_end", description="First day after the horizon"),
    *ESG,
)
"""The versioned content of an objective or individual goal; its code names it."""

OBJECTIVE_FIELDS = field_names(OBJECTIVE)
