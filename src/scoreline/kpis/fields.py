"""The fields of the KPI app's definitions, said once: KPIs, status rules, targets and
measures.

The strategy files, the API, the actions and the exports take their fields from here
(see :mod:`scoreline.lib.fields`).
"""

from __future__ import annotations

from scoreline.kpis.models import (
    Direction,
    KpiKind,
    Phasing,
    RefreshCycle,
    RuleBasis,
    RuleComparison,
    ScoringMethod,
    TargetType,
    Temporality,
    TimeAggregation,
    TreeAggregation,
)
from scoreline.lib.fields import (
    FieldSpec,
    choice,
    field_names,
    month,
    number,
    numbers,
    ref,
    text,
)
from scoreline.strategy.fields import ESG

__all__ = [
    "KPI",
    "MEASURE",
    "STATUS_RULE",
    "STATUS_RULE_FIELDS",
    "TARGET",
    "TARGET_FIELDS",
    "TARGET_START",
]

KPI: tuple[FieldSpec, ...] = (
    text("name", 200, required=True),
    text("description"),
    text("unit", 40, description="EUR, count, %, days, tCO2e..."),
    choice(
        "direction", Direction, description="Whether more is better, less, or staying in a range"
    ),
    choice(
        "temporality",
        Temporality,
        description="Leading KPIs move before the results; lagging ones record them",
    ),
    choice("kind", KpiKind),
    text("function", 60),
    text("formula", description="Expression over other KPI codes"),
    choice(
        "time_aggregation",
        TimeAggregation,
        description="How months add up to quarters and years; a summed KPI's target is spread "
        "over the months of its span, a rate's applies to each month",
    ),
    choice(
        "tree_aggregation",
        TreeAggregation,
        description="How the units below give a unit its value when it has none of its own",
    ),
    choice(
        "refresh_cycle",
        ["", *RefreshCycle.values],
        required=False,
        max_length=10,
        description="How often new values arrive (weekly ... annual), or empty",
    ),
    text("data_source", 200),
    ref("owner", "person", description="Employee id"),
    ref("steward", "person", description="Employee id"),
    choice("scoring", ScoringMethod, description="How a value is scored 0-100 against its target"),
    numbers(
        "band_edges", max_length=100, description="Banded scoring: ascending values between bands"
    ),
    numbers(
        "band_scores",
        max_length=101,
        description="Banded scoring: the score of each band, one more than the edges",
    ),
    ref("rubric", "rubric", description="Rubric code"),
    *ESG,
)
"""The versioned content of a KPI definition; its code names the KPI."""

STATUS_RULE: tuple[FieldSpec, ...] = (
    choice("basis", RuleBasis),
    choice("comparison", RuleComparison),
    number("bound", description="The value, percent of target or score compared"),
    number("bound_upper", description="Only for 'between'"),
    ref(
        "status",
        "status",
        required=True,
        nullable=False,
        description="Status code, e.g. red, amber, green",
    ),
)
"""One rule of a KPI's ordered status rules (or of the default set)."""

STATUS_RULE_FIELDS = field_names(STATUS_RULE)

TARGET_START = month("period_start", description="First month of the span")
"""Where a target's span starts: with the KPI and the unit or person, what names it."""

TARGET: tuple[FieldSpec, ...] = (
    month("period_end", description="First month after the span"),
    choice("target_type", TargetType, description="Must suit the KPI's direction"),
    number("threshold", description="Red flag / minimum"),
    number("target"),
    number("stretch", description="Best case"),
    number("range_low", description="Range targets only"),
    number("range_high", description="Range targets only"),
    number("baseline", description="Start of a linear ramp"),
    choice("phasing", Phasing, required=False, default=Phasing.FLAT.value),
    numbers("profile", max_length=12, description="Seasonal weights, January first"),
)
"""The versioned content of a target, in the order every form of it lists them."""

TARGET_FIELDS = field_names(TARGET)

MEASURE: tuple[FieldSpec, ...] = (
    ref("kpi", "kpi", required=True, nullable=False, description="KPI code"),
    number("weight", 1.0, description="Relative weight of the KPI in the objective's score"),
)
"""A KPI measuring an objective, with its weight."""
