"""Monthly FX rates between the demo's currencies: a seeded random walk around real levels."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from scoreline.lib.months import add_months

__all__ = ["FX_MONTHS", "RatePlan", "plan_fx_rates"]

FX_MONTHS = 36
FIRST_MONTH = dt.date(2023, 1, 1)
# US dollars for one unit of each currency at the start of the walk.
USD_VALUE = {"USD": 1.0, "GBP": 1.21, "EUR": 1.07, "SGD": 0.75, "PLN": 0.23}
MONTHLY_VOLATILITY = 0.018
RATE_PLACES = Decimal("0.0000000001")


@dataclass(frozen=True, slots=True)
class RatePlan:
    base: str
    quote: str
    rate_date: dt.date
    rate: Decimal


def plan_fx_rates(currencies: list[str], rng: np.random.Generator) -> list[RatePlan]:
    """Rates on the first day of each month for every ordered pair of ``currencies``.

    Each currency walks against the US dollar; cross rates come from those walks, so
    ``rate(a, b) * rate(b, c)`` equals ``rate(a, c)`` up to rounding.
    """
    ordered = sorted(currencies)
    steps = rng.normal(0.0, MONTHLY_VOLATILITY, size=(FX_MONTHS, len(ordered)))
    steps[0, :] = 0.0
    if "USD" in ordered:
        steps[:, ordered.index("USD")] = 0.0  # the anchor of the walk
    start = np.array([USD_VALUE[code] for code in ordered])
    usd_value = start * np.exp(np.cumsum(steps, axis=0))
    rates: list[RatePlan] = []
    for month in range(FX_MONTHS):
        day = add_months(FIRST_MONTH, month)
        for i, base in enumerate(ordered):
            for j, quote in enumerate(ordered):
                if i != j:
                    value = Decimal(float(usd_value[month, i] / usd_value[month, j]))
                    rates.append(RatePlan(base, quote, day, value.quantize(RATE_PLACES)))
    return rates
