"""Phasing targets across the periods of a plan (an annual target into months).

Two kinds of KPI are phased differently. An *additive* KPI (sales, hires,
incidents) has a total for the plan that the periods share out, so the period
targets sum back to the total. A *level* KPI (a margin, a satisfaction score, a
headcount) has a value to hold or reach in each period, so the period targets
are levels, not shares.

``FLAT``
    Level: the value in every period. Additive: the total split evenly.
``LINEAR_RAMP``
    Level: a straight line from ``start_value`` in the first period to the end
    value in the last (both exact). Additive: per-period amounts that start at
    ``start_value`` in the first period, change by the same step every period and
    sum to the total.
``SEASONAL``
    Additive: the total shared in proportion to ``profile`` (e.g. twelve monthly
    weights; only their ratios matter). Level: the value scaled by
    ``profile / mean(profile)``, so the period targets average to the value.

NaN policy
----------
A NaN value, start value or profile weight gives NaN targets for that row of
periods; nothing raises for NaN. Structural problems (a negative or infinite
profile weight, a profile of all zeros, mismatched shapes, a start value given
to a method that does not use it) raise :class:`EngineInputError`.

Examples
--------
>>> phase_targets(1200.0, 4, Phasing.FLAT, additive=True).tolist()
[300.0, 300.0, 300.0, 300.0]
>>> phase_targets(90.0, 3, Phasing.LINEAR_RAMP, start_value=60.0).tolist()
[60.0, 75.0, 90.0]
>>> phase_targets(100.0, 4, Phasing.SEASONAL, profile=[1, 1, 2, 4], additive=True).tolist()
[12.5, 12.5, 25.0, 50.0]
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scoreline.engine.errors import EngineInputError

__all__ = ["Phasing", "phase_targets"]

FloatArray = NDArray[np.float64]


class Phasing(IntEnum):
    """How a target is spread over the periods of a plan."""

    FLAT = 1
    LINEAR_RAMP = 2
    SEASONAL = 3


def _floats(values: ArrayLike, name: str, max_ndim: int) -> FloatArray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise EngineInputError(f"{name} must be numbers: {error}") from None
    if array.ndim > max_ndim:
        raise EngineInputError(f"{name} must have at most {max_ndim} dimensions")
    return array


def _phasing(how: int) -> Phasing:
    if isinstance(how, bool) or not isinstance(how, int | np.integer):
        raise EngineInputError(f"how must be a Phasing code, got {how!r}")
    try:
        return Phasing(int(how))
    except ValueError:
        choices = ", ".join(f"{member.value} = {member.name}" for member in Phasing)
        raise EngineInputError(f"{how} is not a Phasing code ({choices})") from None


def _shares(profile: FloatArray, n_periods: int, level: bool) -> FloatArray:
    """Each row of ``profile`` normalised to sum 1 (additive) or average 1 (level)."""
    if profile.ndim == 0 or profile.shape[-1] != n_periods:
        raise EngineInputError(
            f"profile must have one weight per period ({n_periods}), got shape {profile.shape}"
        )
    if (profile < 0).any() or np.isinf(profile).any():
        raise EngineInputError("profile weights must be finite and >= 0")
    totals = profile.sum(axis=-1, keepdims=True)
    if (totals == 0).any():
        raise EngineInputError("profile weights must not all be zero")
    shares: FloatArray = profile / totals
    return shares * n_periods if level else shares


def phase_targets(
    annual_or_end_value: ArrayLike,
    n_periods: int,
    how: int,
    *,
    start_value: ArrayLike | None = None,
    profile: ArrayLike | None = None,
    additive: bool = False,
) -> FloatArray:
    """Spread targets over ``n_periods`` periods.

    Parameters
    ----------
    annual_or_end_value : array_like of float, scalar or shape (n_targets,)
        The total for the plan (additive KPIs) or the level to hold or reach
        (level KPIs), one per target.
    n_periods : int
        Number of periods, ``>= 1``.
    how : int
        :class:`Phasing` code.
    start_value : array_like of float, optional
        ``LINEAR_RAMP`` only (and required there): the first period's level, or
        for an additive ramp the first period's amount. Scalar or one per target.
    profile : array_like of float, optional
        ``SEASONAL`` only (and required there): weights ``>= 0`` per period, shape
        ``(n_periods,)`` or one row per target ``(n_targets, n_periods)``.
    additive : bool, default False
        True for KPIs whose period values add up to the plan's value.

    Returns
    -------
    ndarray of float64, shape (n_periods,) or (n_targets, n_periods)
        The period targets; one row per target when any input has one.

    Raises
    ------
    EngineInputError
        ``n_periods < 1``, an unknown code, a start value or profile missing where
        needed or given where unused, mismatched shapes, or a bad profile.

    Examples
    --------
    Three targets at once, each with its own start:

    >>> phase_targets([100.0, 50.0, 0.0], 3, Phasing.LINEAR_RAMP, start_value=[40.0, 50.0, 6.0])
    array([[ 40.,  70., 100.],
           [ 50.,  50.,  50.],
           [  6.,   3.,   0.]])

    An additive ramp starting at 10 a period and adding up to 60:

    >>> phase_targets(60.0, 3, Phasing.LINEAR_RAMP, start_value=10.0, additive=True).tolist()
    [10.0, 20.0, 30.0]
    """
    if isinstance(n_periods, bool) or not isinstance(n_periods, int | np.integer):
        raise EngineInputError(f"n_periods must be an int, got {n_periods!r}")
    if n_periods < 1:
        raise EngineInputError(f"n_periods must be >= 1, got {n_periods}")
    n = int(n_periods)
    method = _phasing(how)
    value = _floats(annual_or_end_value, "annual_or_end_value", 1)
    if start_value is not None and method != Phasing.LINEAR_RAMP:
        raise EngineInputError("start_value is only used by LINEAR_RAMP")
    if profile is not None and method != Phasing.SEASONAL:
        raise EngineInputError("profile is only used by SEASONAL")

    steps = np.arange(n, dtype=np.float64)
    if method == Phasing.FLAT:
        per_period = value / n if additive else value
        result = np.repeat(per_period[..., None], n, axis=-1)
    elif method == Phasing.LINEAR_RAMP:
        if start_value is None:
            raise EngineInputError("LINEAR_RAMP needs a start_value")
        start = _floats(start_value, "start_value", 1)
        value, start = _broadcast(value, start, "start_value")
        end, first = value[..., None], start[..., None]
        if n == 1:
            # One period holds the whole total, or reaches the end level at once.
            result = np.where(np.isnan(first), np.nan, end)
        elif additive:
            step = 2.0 * (end - n * first) / (n * (n - 1))
            result = first + step * steps
        else:
            # Weighted form so that both endpoints come out exactly.
            fraction = steps / (n - 1)
            result = first * (1.0 - fraction) + end * fraction
    else:
        if profile is None:
            raise EngineInputError("SEASONAL needs a profile")
        weights = _floats(profile, "profile", 2)
        shares = _shares(weights, n, level=not additive)
        rows, _ = _broadcast(value, shares[..., 0], "profile")
        result = rows[..., None] * shares
    return np.asarray(result, dtype=np.float64)


def _broadcast(value: FloatArray, other: FloatArray, name: str) -> tuple[FloatArray, FloatArray]:
    try:
        left, right = np.broadcast_arrays(value, other)
    except ValueError:
        raise EngineInputError(
            f"{name} must have one entry per target {value.shape}, got {other.shape}"
        ) from None
    return left, right
