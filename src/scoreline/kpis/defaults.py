"""Statuses, status rules and the scorecard policy every installation starts with."""

from __future__ import annotations

import datetime as dt

__all__ = [
    "DEFAULTS_FROM",
    "DEFAULT_CASCADE_SHARE",
    "DEFAULT_POLICY",
    "DEFAULT_STATUSES",
    "DEFAULT_STATUS_RULES",
]

# The day the default definitions take effect: before any data a customer brings.
DEFAULTS_FROM = dt.date(2000, 1, 1)

# code -> (name, colour); worst first.
DEFAULT_STATUSES: dict[str, tuple[str, str]] = {
    "red": ("Red", "#c0392b"),
    "amber": ("Amber", "#d68910"),
    "green": ("Green", "#1e8449"),
}

# (basis, comparison, bound, status): first match wins, the last rule is the fallback.
# Percent of target is direction-aware attainment: 100 means on target either way.
DEFAULT_STATUS_RULES: list[tuple[str, str, float | None, str]] = [
    ("percent_of_target", "ge", 100.0, "green"),
    ("percent_of_target", "ge", 90.0, "amber"),
    ("value", "otherwise", None, "red"),
]

# (combine, missing, cap at 100)
DEFAULT_POLICY = ("weighted_mean", "skip", True)

# The share of contributing objectives in the score of an objective that also has KPIs of
# its own (decision 6): its own KPIs carry the rest.
DEFAULT_CASCADE_SHARE = 0.3
