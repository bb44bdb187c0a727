"""The fields of the KPI app's definitions, said once: targets.

The strategy files, the API, the actions and the exports take their fields from here
(see :mod:`scoreline.lib.fields`).
"""

from __future__ import annotations

from scoreline.kpis.models import Phasing, TargetType
from scoreline.lib.fields import FieldSpec, choice, field_names, month, number, numbers

__all__ = ["TARGET", "TARGET_FIELDS", "TARGET_START"]

TARGET_START = month("period_start", description="First month of the span")
"""Where a target's span starts: with the KPI and the unit or person, what names it."""

TARGET: tuple[FieldSpec, ...] = (
    month("period_end", description="First month after the span"),
    choice("target_type", TargetType),
    number("threshold", description="Red flag / minimum"),
    number("target"),
    number("stretch"),
    number("range_low"),
    number("range_high"),
    number("baseline", description="Start of a linear ramp"),
    choice("phasing", Phasing, required=False, default=Phasing.FLAT.value),
    numbers("profile", max_length=12, description="Seasonal weights, January first"),
)
"""The versioned content of a target, in the order every form of it lists them."""

TARGET_FIELDS = field_names(TARGET)
