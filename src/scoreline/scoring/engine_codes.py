"""The engine's codes for the choices stored on the models, in one place.

Definitions store their choices as text (``"linear"``, ``"weighted_mean"``); the engine
takes small integers. Every translation from one to the other goes through these maps.
Directions are the exception: the engine names its own (``engine.directions.DIRECTIONS``),
because the KPI catalogue below this app needs them too.
"""

from __future__ import annotations

from scoreline.engine.aggregation import TimeAggregation, TreeAggregation
from scoreline.engine.coverage import Cycle
from scoreline.engine.phasing import Phasing
from scoreline.engine.rollup import Combine, Missing
from scoreline.engine.scoring import Method
from scoreline.engine.status import Basis, Comparison

__all__ = [
    "BASIS", "COMBINE", "COMPARISON", "CYCLE", "METHOD", "MISSING", "PHASING", "TIME", "TREE",
]  # fmt: skip

# KpiVersion.scoring
METHOD = {
    "linear": Method.LINEAR,
    "piecewise": Method.PIECEWISE,
    "banded": Method.BANDED,
    "target_range": Method.TARGET_RANGE,
    "percent_capped": Method.PERCENT_CAPPED,
    "percent_uncapped": Method.PERCENT_UNCAPPED,
    "rubric": Method.RUBRIC,
}
# KpiVersion.time_aggregation
TIME = {
    "sum": TimeAggregation.SUM,
    "average": TimeAggregation.AVERAGE,
    "last": TimeAggregation.LAST,
    "min": TimeAggregation.MIN,
    "max": TimeAggregation.MAX,
}
# KpiVersion.tree_aggregation ("none": values stay at their own unit)
TREE = {
    "sum": TreeAggregation.SUM,
    "average": TreeAggregation.AVERAGE,
    "headcount_weighted": TreeAggregation.HEADCOUNT_WEIGHTED,
    "min": TreeAggregation.MIN,
    "max": TreeAggregation.MAX,
}
# KpiVersion.refresh_cycle (weekly values are due every month, as monthly ones are)
CYCLE = {
    "": Cycle.MONTHLY,
    "weekly": Cycle.MONTHLY,
    "monthly": Cycle.MONTHLY,
    "quarterly": Cycle.QUARTERLY,
    "annual": Cycle.ANNUAL,
}
# Target.phasing
PHASING = {
    "flat": Phasing.FLAT,
    "linear_ramp": Phasing.LINEAR_RAMP,
    "seasonal": Phasing.SEASONAL,
}
# StatusRule.basis and StatusRule.comparison ("otherwise": the set's fallback status)
BASIS = {"value": Basis.VALUE, "percent_of_target": Basis.PERCENT_OF_TARGET, "score": Basis.SCORE}
COMPARISON = {
    "ge": Comparison.GE,
    "gt": Comparison.GT,
    "le": Comparison.LE,
    "lt": Comparison.LT,
    "between": Comparison.BETWEEN,
}
# ScorecardPolicy.combine and ScorecardPolicy.missing
COMBINE = {"weighted_mean": Combine.WEIGHTED_MEAN, "sum": Combine.SUM, "minimum": Combine.MINIMUM}
MISSING = {"skip": Missing.SKIP, "zero": Missing.ZERO, "blank": Missing.BLANK}
