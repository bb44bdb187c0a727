"""The fields of the strategy app's definitions, said once: the ESG fields.

The strategy files, the API, the actions and the exports take their fields from here
(see :mod:`scoreline.lib.fields`).
"""

from __future__ import annotations

from scoreline.lib.fields import FieldSpec, choice, text
from scoreline.strategy.models import EsgPillar, RequiredBy

__all__ = ["ESG"]

ESG: tuple[FieldSpec, ...] = (
    choice("esg_pillar", EsgPillar, required=False),
    text("disclosure_ref", 60),
    choice("required_by", RequiredBy, required=False),
)
"""What an objective or a KPI reports under ESG: pillar, disclosure and who requires it."""
