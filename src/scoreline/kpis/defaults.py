"""Statuses, status rules and the scorecard policy every installation starts with."""

from __future__ import annotations

import datetime as dt

from scoreline.engine.scoring import GOAL_SCORE, RED_FLAG_SCORE

__all__ = [
    "BELOW_BANDS",
    "DEFAULTS_FROM",
    "DEFAULT_CASCADE_SHARE",
    "DEFAULT_POLICY",
    "DEFAULT_STATUSES",
    "DEFAULT_STATUS_RULES",
    "PERCENT_OF_TARGET_RULES",
    "SCORE_BANDS",
]

# The day the default definitions take effect: before any data a customer brings.
DEFAULTS_FROM = dt.date(2000, 1, 1)

# code -> (name, colour); worst first.
DEFAULT_STATUSES: dict[str, tuple[str, str]] = {
    "red": ("Red", "#c0392b"),
    "amber": ("Amber", "#d68910"),
    "green": ("Green", "#1e8449"),
}

# The score bands: the status follows the score beside it. Green from the goal's score,
# amber from the red flag's (the goal / red flag scale of engine.scoring: 6.67 and 3.33 of
# 10), red below. A KPI may have rules of its own, on its value or % of target.
SCORE_BANDS: list[tuple[float, str]] = [(GOAL_SCORE, "green"), (RED_FLAG_SCORE, "amber")]
BELOW_BANDS = "red"

# (basis, comparison, bound, status): first match wins, the last rule is the fallback.
DEFAULT_STATUS_RULES: list[tuple[str, str, float | None, str]] = [
    *(("score", "ge", bound, code) for bound, code in SCORE_BANDS),
    ("score", "otherwise", None, BELOW_BANDS),
]

# The default rules installed before the status followed the score (percent of target is
# direction-aware attainment: 100 means on target either way).
PERCENT_OF_TARGET_RULES: list[tuple[str, str, float | None, str]] = [
    ("percent_of_target", "ge", 100.0, "green"),
    ("percent_of_target", "ge", 90.0, "amber"),
    ("value", "otherwise", None, "red"),
]

# (combine, missing, cap at 100)
DEFAULT_POLICY = ("weighted_mean", "skip", True)

# The share of contributing objectives in the score of an objective that also has KPIs of
# its own (decision 7): its own KPIs carry the rest.
DEFAULT_CASCADE_SHARE = 0.3
