"""The history chart of a KPI page: values, the target band and statuses over 36 months, as SVG
coordinates the template draws."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.dateformat import format as date_format

from scoreline.web.display import number_or_nan

__all__ = [
    "ChartPoint",
    "HistoryChart",
    "Tick",
    "history_chart",
]


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class ChartPoint:
    month: dt.date
    x: float
    y: float
    value: float
    status: str
    colour: str


@dataclass(frozen=True)
class HistoryChart:
    """Geometry of a KPI's monthly history in SVG user units, drawn by the template."""

    width: int
    height: int
    left: int
    top: int
    right: int
    bottom: int
    points: list[ChartPoint]
    lines: list[str]
    bands: list[str]
    targets: list[str]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    band_label: str
    first: dt.date
    last: dt.date

    @property
    def plot_width(self) -> int:
        return self.right - self.left

    @property
    def plot_height(self) -> int:
        return self.bottom - self.top


def _nice_step(span: float, count: int) -> float:
    raw = span / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10.0 * magnitude


def _tick_text(value: float, step: float) -> str:
    """The tick's number with as many decimals as the step needs (2.5 -> one)."""
    decimals = 0
    while decimals < 6 and abs(round(step, decimals) - step) > step * 1e-9:
        decimals += 1
    return f"{value:,.{decimals}f}"


def _runs(indexes: Sequence[int]) -> list[list[int]]:
    """Consecutive runs of month indexes: gaps break lines and bands."""
    runs: list[list[int]] = []
    for index in indexes:
        if runs and runs[-1][-1] == index - 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    return runs


def _band(params: Mapping[str, Any], direction: str) -> tuple[float, float] | None:
    """The good band of a month: the target range, or threshold to stretch (or target)."""
    if direction == "range":
        low, high = number_or_nan(params.get("low")), number_or_nan(params.get("high"))
    else:
        ends = [number_or_nan(params.get(name)) for name in ("threshold", "stretch", "target")]
        known = [end for end in ends[:2] if math.isfinite(end)]
        if len(known) < 2 and math.isfinite(ends[2]):
            known.append(ends[2])
        if len(known) < 2:
            return None
        low, high = min(known), max(known)
    if not (math.isfinite(low) and math.isfinite(high)):
        return None
    return low, high


def history_chart(
    months: Sequence[dt.date],
    values: Mapping[dt.date, float],
    params: Mapping[dt.date, Mapping[str, Any]],
    statuses: Mapping[dt.date, str],
    colours: Mapping[str, str],
    direction: str,
) -> HistoryChart | None:
    """Lay out the values of ``months`` as a line over the band of each month's target.

    ``params`` are the phased inputs each month was scored with (threshold, target,
    stretch, low, high); months without a value or a target leave gaps. None when there is
    nothing to draw.
    """
    if not any(month in values for month in months):
        return None
    width, height, left, top, right, bottom = 720, 260, 64, 14, 690, 222
    bands = {m: b for m in months if (b := _band(params.get(m, {}), direction)) is not None}
    targets = {
        m: t
        for m in months
        if direction != "range"
        and math.isfinite(t := number_or_nan(params.get(m, {}).get("target")))
    }
    numbers = [values[m] for m in months if m in values]
    numbers += [end for band in bands.values() for end in band] + list(targets.values())
    low, high = min(numbers), max(numbers)
    if high == low:
        pad = abs(high) * 0.1 or 1.0
        low, high = low - pad, high + pad
    step = _nice_step(high - low, 5)
    floor, ceiling = math.floor(low / step) * step, math.ceil(high / step) * step

    def y_of(number: float) -> float:
        return round(bottom - (number - floor) / (ceiling - floor) * (bottom - top), 1)

    slot = (right - left) / max(len(months) - 1, 1)

    def x_of(index: int) -> float:
        return round(left + index * slot, 1)

    position = {month: index for index, month in enumerate(months)}
    points = [
        ChartPoint(
            month=m,
            x=x_of(position[m]),
            y=y_of(values[m]),
            value=values[m],
            status=statuses.get(m, ""),
            colour=colours.get(statuses.get(m, ""), "#2454c5"),
        )
        for m in months
        if m in values
    ]

    def polyline(run: list[int], number: Mapping[dt.date, float]) -> str:
        return " ".join(f"{x_of(i)},{y_of(number[months[i]])}" for i in run)

    value_runs = _runs([position[m] for m in months if m in values])
    band_runs = _runs([position[m] for m in months if m in bands])
    band_shapes = []
    for run in band_runs:
        upper = [f"{x_of(i)},{y_of(bands[months[i]][1])}" for i in run]
        lower = [f"{x_of(i)},{y_of(bands[months[i]][0])}" for i in reversed(run)]
        if len(run) == 1:  # a single month: a short bar rather than an invisible sliver
            i = run[0]
            half = min(slot / 2, 8)
            hi_y, lo_y = y_of(bands[months[i]][1]), y_of(bands[months[i]][0])
            upper = [f"{x_of(i) - half},{hi_y}", f"{x_of(i) + half},{hi_y}"]
            lower = [f"{x_of(i) + half},{lo_y}", f"{x_of(i) - half},{lo_y}"]
        band_shapes.append(" ".join(upper + lower))
    every = 1 if len(months) <= 12 else 3 if len(months) <= 24 else 6
    x_ticks = [Tick(x_of(i), date_format(m, "M y")) for i, m in enumerate(months) if i % every == 0]
    count = round((ceiling - floor) / step)
    y_ticks = [
        Tick(y_of(floor + k * step), _tick_text(floor + k * step, step)) for k in range(count + 1)
    ]
    return HistoryChart(
        width=width,
        height=height,
        left=left,
        top=top,
        right=right,
        bottom=bottom,
        points=points,
        lines=[polyline(run, values) for run in value_runs],
        bands=band_shapes,
        targets=[polyline(run, targets) for run in _runs([position[m] for m in targets])],
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        band_label="target range" if direction == "range" else "threshold to stretch",
        first=months[0],
        last=months[-1],
    )
