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

from scoreline.engine.arrays import as_floats
from scoreline.engine.errors import EngineInputError

__all__ = ["Phasing", "phase_periods", "phase_targets", "profile_shares"]

FloatArray = NDArray[np.float64]


class Phasing(IntEnum):
    """How a target is spread over the periods of a plan."""

    FLAT = 1
    LINEAR_RAMP = 2
    SEASONAL = 3


def _phasing(how: int) -> Phasing:
    if isinstance(how, bool) or not isinstance(how, int | np.integer):
        raise EngineInputError(f"how must be a Phasing code, got {how!r}")
    try:
        return Phasing(int(how))
    except ValueError:
        choices = ", ".join(f"{member.value} = {member.name}" for member in Phasing)
        raise EngineInputError(f"{how} is not a Phasing code ({choices})") from None


def profile_shares(profile: ArrayLike, n_periods: int) -> FloatArray:
    """Seasonal weights as each period's share of its plan: every row normalised to sum 1.

    Parameters
    ----------
    profile : array_like of float, shape (n_periods,) or (n_targets, n_periods)
        Weights ``>= 0``, one per period; only their ratios matter.
    n_periods : int
        The number of periods the weights must cover.

    Raises
    ------
    EngineInputError
        A weight negative or infinite, a row of zeros, or the wrong number of weights.

    Examples
    --------
    >>> profile_shares([1, 1, 2], 3).tolist()
    [0.25, 0.25, 0.5]
    """
    weights = as_floats(profile, "profile", max_ndim=2)
    if weights.ndim == 0 or weights.shape[-1] != n_periods:
        raise EngineInputError(
            f"profile must have one weight per period ({n_periods}), got shape {weights.shape}"
        )
    if (weights < 0).any() or np.isinf(weights).any():
        raise EngineInputError("profile weights must be finite and >= 0")
    totals = weights.sum(axis=-1, keepdims=True)
    if (totals == 0).any():
        raise EngineInputError("profile weights must not all be zero")
    shares: FloatArray = weights / totals
    return shares


def phase_periods(
    value: ArrayLike,
    n_periods: ArrayLike,
    period: ArrayLike,
    how: ArrayLike,
    *,
    start_value: ArrayLike = np.nan,
    share: ArrayLike = np.nan,
    additive: ArrayLike = False,
) -> FloatArray:
    """The target of one period of a plan, for many targets at once, each its own way.

    Elementwise (all arguments broadcast): ``value`` spread over a plan of ``n_periods``
    periods by the :class:`Phasing` code ``how``, read at the 0-based ``period``. This is
    what :func:`phase_targets` computes for whole plans; here every element may have its
    own plan length, method and additivity, so scattered periods of many plans are phased
    in one call without spreading every plan over all its periods.

    Parameters
    ----------
    value : array_like of float
        The plan's total (additive) or the level to hold or reach.
    n_periods, period : array_like of int
        The plan's length (``>= 1``) and the period asked for (``0 .. n_periods - 1``).
    how : array_like of int
        :class:`Phasing` codes.
    start_value : array_like of float
        ``LINEAR_RAMP``: the first period's level (or amount, additive).
    share : array_like of float
        ``SEASONAL``: the period's share of the plan's weights (:func:`profile_shares`).
    additive : array_like of bool
        True where period values add up to the plan's value.

    Raises
    ------
    EngineInputError
        An unknown code, a plan shorter than one period or a period outside its plan.

    Examples
    --------
    Month 2 of three plans: flat, a ramp from 60 to 90 over 3 months, and a season:

    >>> phase_periods(
    ...     [1200.0, 90.0, 100.0], [12, 3, 4], [2, 2, 3], [1, 2, 3],
    ...     start_value=[np.nan, 60.0, np.nan], share=[np.nan, np.nan, 0.5],
    ...     additive=[True, False, True],
    ... ).tolist()
    [100.0, 90.0, 50.0]
    """
    codes = np.asarray(how)
    low, high = min(Phasing), max(Phasing)
    if codes.size and (codes.min() < low or codes.max() > high):
        wrong = codes[(codes < low) | (codes > high)].flat[0]
        raise EngineInputError(f"{wrong} is not a Phasing code")
    lengths, steps = np.asarray(n_periods), np.asarray(period)
    if (lengths < 1).any() or (steps < 0).any() or np.greater_equal(steps, lengths).any():
        raise EngineInputError("every period must lie within its plan of at least one period")
    arrays = (
        as_floats(value, "value", max_ndim=2),
        lengths.astype(np.float64),
        steps,
        as_floats(start_value, "start_value", max_ndim=2),
        as_floats(share, "share", max_ndim=2),
        np.asarray(additive, dtype=bool),
    )
    present = np.unique(codes).tolist() if codes.size > 1 else codes.ravel().tolist()
    shape = np.broadcast_shapes(codes.shape, *(a.shape for a in arrays))
    if len(present) == 1:  # one method: no masks, and nothing broadcast that is unused
        one = _phase(Phasing(present[0]), *arrays)
        return one if one.shape == shape else np.broadcast_to(one, shape).copy()
    code, *spread = np.broadcast_arrays(codes, *arrays)
    result = np.empty(shape)
    for method in present:
        mine = code == method
        result[mine] = _phase(Phasing(method), *(a[mine] for a in spread))
    return result


def _phase(
    method: Phasing,
    value: FloatArray,
    n: FloatArray,
    step: NDArray[np.int64],
    start: FloatArray,
    share: FloatArray,
    additive: NDArray[np.bool_],
) -> FloatArray:
    """Periods of plans that share one method (arguments broadcast)."""
    if method == Phasing.FLAT:
        return _flat(value, n, additive)
    if method == Phasing.LINEAR_RAMP:
        return _ramp(value, start, n, step, additive)
    # A level season scales the value by share * n, so that the periods average to it.
    result: FloatArray = value * np.where(additive, share, share * n)
    return result


def _flat(value: FloatArray, n: FloatArray, additive: NDArray[np.bool_]) -> FloatArray:
    """The value, shared evenly over the periods where additive (divided only there)."""
    shape = np.broadcast_shapes(value.shape, n.shape, additive.shape)
    result = np.array(np.broadcast_to(value, shape), dtype=np.float64)
    np.divide(result, n, out=result, where=additive)
    return result


def _ramp(
    end: FloatArray,
    first: FloatArray,
    n: FloatArray,
    step: NDArray[np.int64],
    additive: NDArray[np.bool_],
) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore"):
        # Additive: equal steps from the first amount, adding up to the total.
        amount = first + 2.0 * (end - n * first) / (n * (n - 1)) * step
        # Level: weighted form so that both endpoints come out exactly.
        fraction = step / (n - 1)
        level = first * (1.0 - fraction) + end * fraction
    # One period holds the whole total, or reaches the end level at once.
    single = np.where(np.isnan(first), np.nan, end)
    return np.where(n == 1, single, np.where(additive, amount, level))


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
    value = as_floats(annual_or_end_value, "annual_or_end_value", max_ndim=1)
    if start_value is not None and method != Phasing.LINEAR_RAMP:
        raise EngineInputError("start_value is only used by LINEAR_RAMP")
    if profile is not None and method != Phasing.SEASONAL:
        raise EngineInputError("profile is only used by SEASONAL")

    steps = np.arange(n)
    start: ArrayLike = np.nan
    share: ArrayLike = np.nan
    if method == Phasing.LINEAR_RAMP:
        if start_value is None:
            raise EngineInputError("LINEAR_RAMP needs a start_value")
        value, start_values = _broadcast(
            value, as_floats(start_value, "start_value", max_ndim=1), "start_value"
        )
        start = start_values[..., None]
    elif method == Phasing.SEASONAL:
        if profile is None:
            raise EngineInputError("SEASONAL needs a profile")
        share = profile_shares(profile, n)
        value, _ = _broadcast(value, share[..., 0], "profile")
    return phase_periods(
        value[..., None], n, steps, method, start_value=start, share=share, additive=additive
    )


def _broadcast(value: FloatArray, other: FloatArray, name: str) -> tuple[FloatArray, FloatArray]:
    try:
        left, right = np.broadcast_arrays(value, other)
    except ValueError:
        raise EngineInputError(
            f"{name} must have one entry per target {value.shape}, got {other.shape}"
        ) from None
    return left, right
