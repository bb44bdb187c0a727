"""Goal specificity: how likely a target is, judged by the KPI's own history.

A target motivates when it is specific and hard but attainable (Locke, E. A. &
Latham, G. P. (2002) "Building a practically useful theory of goal setting and task
motivation", American Psychologist 57(9)). This module puts a number on "attainable":
the share of the KPI's own past movements that, repeated from its latest value,
would reach the target.

The distribution of outcomes
----------------------------
For each series the changes between periods are taken from its history:

* **relative** changes when every observed value is strictly positive, compounded
  as log ratios ``log(x[t + 1] / x[t])`` so that a run of one-period changes adds
  up exactly to the change over the run, and projected as ``level * exp(change)``;
* **absolute** changes ``x[t + 1] - x[t]`` otherwise, projected as
  ``level + change``.

One new value must not move the answer far, so both ends of the projection are
robust (:func:`robust_steps`, :func:`current_level`):

* each one-period change is winsorised to Tukey's far-out fences
  ``[Q1 - 3 IQR, Q3 + 3 IQR]`` (Tukey, J. W. (1977) *Exploratory Data Analysis*),
  with quartiles by Hyndman & Fan's definition 7 (Hyndman, R. J. & Fan, Y. (1996)
  "Sample quantiles in statistical packages", The American Statistician 50(4),
  361-365; ``numpy.quantile``'s default). A change beyond a fence counts as the
  fence, however extreme it is. When more than half the changes are equal the IQR
  is zero, no fence can be drawn and the changes are used as they are;
* ``level``, where the series stands now, is the median of its last three observed
  values, each carried forward to the latest observed period by the winsorised
  changes since. Without a fenced change that is the latest value; a single new
  outlier is outvoted by the two values before it.

The change over ``horizon`` periods is, by preference, the empirical distribution of
the observed ``horizon``-period changes (overlapping windows, each the sum of its
winsorised one-period changes), used when there are at least ``min_direct`` of them:
it keeps the history's drift, autocorrelation and fat tails without any model. With
fewer, the ``horizon``-period change is built as the sum of ``horizon`` independent
one-period changes drawn from the empirical one-period distribution, computed
deterministically by repeated convolution of that discrete distribution; after each
step the outcomes are condensed to ``max_atoms`` equally weighted quantiles so the
work stays bounded. A normal approximation is never used.

Periods are the columns of ``history``; a change needs both of its ends observed
(finite: NaN, and infinity too, mark a missing period).

NaN policy
----------
A series with fewer than ``min_changes`` observed one-period changes, a NaN target
or a NaN direction gives NaN. A target-range direction (0) gives NaN from
:func:`reach_probability`: one target value has no side to reach.
:func:`classify_targets` maps NaN to ``"unknown"``.

Examples
--------
>>> import numpy as np
>>> history = np.arange(100.0, 124.0)      # +1 a month for two years, now at 123
>>> reach_probability(history, target=[125.0, 130.0, 135.0], horizon=6, direction=1)
array([1.        , 0.33333333, 0.        ])
>>> classify_targets(np.array([0.95, 0.5, 0.02, np.nan]))
array(['too_easy', 'specific', 'unrealistic', 'unknown'], dtype='<U11')
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import numpy.typing as npt

from scoreline.engine.errors import EngineInputError

__all__ = [
    "LEVEL_VALUES",
    "SPECIFIC",
    "TOO_EASY",
    "TUKEY_FAR",
    "UNKNOWN",
    "UNREALISTIC",
    "classify_targets",
    "current_level",
    "feasible_range",
    "reach_probability",
    "robust_steps",
]

TOO_EASY = "too_easy"
UNREALISTIC = "unrealistic"
SPECIFIC = "specific"
UNKNOWN = "unknown"

FloatArray = npt.NDArray[np.float64]
ArrayLike = npt.ArrayLike

TUKEY_FAR = 3.0
"""Fences at this many interquartile ranges beyond the quartiles (Tukey's "far out")."""

LEVEL_VALUES = 3
"""The latest observed values whose median is where a series stands now."""

# Bound on the elements of one convolution block, so long histories with short
# horizons do not allocate hundreds of megabytes at once.
_BLOCK_ELEMENTS = 4_000_000


def _as_history(history: ArrayLike) -> FloatArray:
    values = np.asarray(history, dtype=np.float64)
    if values.ndim == 1:
        values = values[np.newaxis, :]
    if values.ndim != 2:
        raise EngineInputError(
            f"history must be 1-D (one series) or 2-D (series x periods), got {values.ndim}-D"
        )
    if values.shape[1] == 0:
        raise EngineInputError("history has no periods")
    return values


def _check_int(value: object, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise EngineInputError(f"{name} must be an integer, got {value!r}")
    if int(value) < minimum:
        raise EngineInputError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def _as_vector(values: ArrayLike, name: str) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim > 1:
        raise EngineInputError(f"{name} must be a scalar or 1-D, got {array.ndim}-D")
    return array


def _weighted_quantiles(values: FloatArray, weights: FloatArray, levels: FloatArray) -> FloatArray:
    """Quantiles of weighted discrete distributions, one per row.

    Each atom sits at the midpoint of its cumulative weight (Hazen plotting positions;
    with equal weights this is ``numpy.quantile(..., method="hazen")``) and the
    quantile interpolates linearly between neighbouring atoms, clamped at the ends.
    Atoms with zero weight must have NaN values; rows with no atom give NaN.
    """
    n_rows, n_atoms = values.shape
    if n_atoms == 0:
        return np.full((n_rows, levels.size), np.nan)
    order = np.argsort(values, axis=1, kind="stable")  # NaN atoms sort last
    sorted_values = np.take_along_axis(values, order, axis=1)
    sorted_weights = np.take_along_axis(weights, order, axis=1)
    valid = np.isfinite(sorted_values)
    n_valid = valid.sum(axis=1)
    total = sorted_weights.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cumulative = np.cumsum(sorted_weights, axis=1) / total[:, np.newaxis]
        positions = cumulative - sorted_weights / (2.0 * total[:, np.newaxis])
    positions = np.where(valid, positions, 2.0)  # after every level, keeps rows sorted
    # One searchsorted over all rows: shift row r by 4r so the rows stay ordered.
    offsets = 4.0 * np.arange(n_rows, dtype=np.float64)
    flat_positions = (positions + offsets[:, np.newaxis]).ravel()
    targets = levels[np.newaxis, :] + offsets[:, np.newaxis]
    found = np.searchsorted(flat_positions, targets.ravel(), side="right").reshape(targets.shape)
    below = found - (np.arange(n_rows) * n_atoms)[:, np.newaxis]  # atoms at or below the level
    last = np.maximum(n_valid - 1, 0)[:, np.newaxis]
    low = np.clip(below - 1, 0, last)
    high = np.clip(below, 0, last)
    low_value = np.take_along_axis(sorted_values, low, axis=1)
    high_value = np.take_along_axis(sorted_values, high, axis=1)
    low_position = np.take_along_axis(positions, low, axis=1)
    high_position = np.take_along_axis(positions, high, axis=1)
    span = high_position - low_position
    with np.errstate(invalid="ignore", divide="ignore"):
        fraction = np.where(span > 0, (levels[np.newaxis, :] - low_position) / span, 0.0)
    fraction = np.clip(fraction, 0.0, 1.0)
    result = low_value + fraction * (high_value - low_value)
    result[n_valid == 0, :] = np.nan
    return result


def _condense(
    values: FloatArray, weights: FloatArray, max_atoms: int
) -> tuple[FloatArray, FloatArray]:
    """Replace each row's distribution by ``max_atoms`` equally weighted quantiles."""
    levels = (np.arange(max_atoms, dtype=np.float64) + 0.5) / max_atoms
    condensed = _weighted_quantiles(values, weights, levels)
    condensed_weights = np.where(np.isfinite(condensed), 1.0 / max_atoms, 0.0)
    return condensed, condensed_weights


def _convolved_changes(
    steps: FloatArray, horizon: int, max_atoms: int
) -> tuple[FloatArray, FloatArray]:
    """Distribution of the sum of ``horizon`` independent draws from each row of ``steps``."""
    observed = np.isfinite(steps)
    step_weights = observed / observed.sum(axis=1, keepdims=True)
    step_values = np.where(observed, steps, np.nan)
    n_rows, n_steps = steps.shape
    out_values = np.full((n_rows, max(max_atoms, n_steps)), np.nan)
    out_weights = np.zeros_like(out_values)
    block = max(1, _BLOCK_ELEMENTS // max(1, max_atoms * n_steps))
    for start in range(0, n_rows, block):
        rows = slice(start, start + block)
        values, weights = step_values[rows], step_weights[rows]
        for _ in range(horizon - 1):
            values = (values[:, :, np.newaxis] + step_values[rows, np.newaxis, :]).reshape(
                values.shape[0], -1
            )
            weights = (weights[:, :, np.newaxis] * step_weights[rows, np.newaxis, :]).reshape(
                weights.shape[0], -1
            )
            if values.shape[1] > max_atoms:
                values, weights = _condense(values, weights, max_atoms)
        out_values[rows, : values.shape[1]] = values
        out_weights[rows, : weights.shape[1]] = weights
    return out_values, out_weights


def robust_steps(steps: ArrayLike) -> FloatArray:
    """One-period changes winsorised to Tukey's far-out fences, row by row.

    Parameters
    ----------
    steps : array_like, shape (n_series, n_steps)
        Changes between consecutive periods; NaN where either end is missing.

    Returns
    -------
    ndarray of float64, same shape
        Each change clipped to ``[Q1 - 3 IQR, Q3 + 3 IQR]`` of its row, the quartiles
        by Hyndman & Fan's definition 7 over the row's observed changes. Rows whose IQR
        is zero (or that have no change) are returned as they are; NaN stays NaN.

    Examples
    --------
    >>> robust_steps([[1.0, -1.0, 2.0, 0.0, 1.0, 500.0]]).tolist()  # Q1 0.25, Q3 1.75
    [[1.0, -1.0, 2.0, 0.0, 1.0, 6.25]]
    """
    values = np.asarray(steps, dtype=np.float64)
    if values.ndim != 2 or values.shape[1] == 0:  # a single period has no change to fence
        return values.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # rows without any change
        q1, q3 = np.nanquantile(values, [0.25, 0.75], axis=1)
    spread = q3 - q1
    fenced = spread > 0
    low = np.where(fenced, q1 - TUKEY_FAR * spread, -np.inf)
    high = np.where(fenced, q3 + TUKEY_FAR * spread, np.inf)
    return np.clip(values, low[:, np.newaxis], high[:, np.newaxis])


def current_level(values: ArrayLike, steps: ArrayLike) -> FloatArray:
    """Where each series stands at its latest observed period, robust to one outlier.

    The median of the last :data:`LEVEL_VALUES` observed values, each carried forward
    to the latest observed period by the (winsorised) ``steps`` between them; a missing
    step counts as the mean of the row's steps. Where nothing was winsorised the
    carried values all equal the latest one, which is then the level.

    Parameters
    ----------
    values : array_like, shape (n_series, n_periods)
        Observed values (on the scale changes add up on); NaN where missing.
    steps : array_like, shape (n_series, n_periods - 1)
        The changes between consecutive periods to carry by, e.g. from
        :func:`robust_steps`; NaN where either end is missing.

    Returns
    -------
    ndarray of float64, shape (n_series,)
        NaN for a series without any observed value.

    Examples
    --------
    >>> # The last change, +77, was fenced to +2: 90 is outvoted by 13 + 2 and 12 + 1 + 2.
    >>> current_level([[10.0, 11.0, 12.0, 13.0, 90.0]], [[1.0, 1.0, 1.0, 2.0]]).tolist()
    [15.0]
    """
    work = np.asarray(values, dtype=np.float64)
    carry = np.asarray(steps, dtype=np.float64)
    n_periods = work.shape[1]
    observed = np.isfinite(work)
    raw = work[:, 1:] - work[:, :-1]
    known = np.isfinite(raw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # series without any change
        drift = np.nanmean(np.where(known, carry, np.nan), axis=1)
    drift = np.where(np.isfinite(drift), drift, 0.0)[:, np.newaxis]
    last = (n_periods - 1 - np.argmax(observed[:, ::-1], axis=1))[:, np.newaxis]

    def to_last(per_step: FloatArray) -> FloatArray:
        """Each period's sum of ``per_step`` from it up to the latest observed period."""
        totals = np.cumsum(np.pad(per_step, ((0, 0), (1, 0))), axis=1)
        return np.take_along_axis(totals, last, axis=1) - totals

    # Along a run of observed changes none of which was fenced, carrying a value forward
    # gives the latest value exactly; elsewhere carry it by the steps (gaps by the drift).
    untouched = to_last((~known | (carry != raw)).astype(np.float64)) == 0
    carried = np.where(
        untouched,
        np.take_along_axis(work, last, axis=1),
        work + to_last(np.where(known, carry, drift)),
    )
    from_end = np.cumsum(observed[:, ::-1], axis=1)[:, ::-1]
    chosen = np.where(observed & (from_end <= LEVEL_VALUES), carried, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # series without any value
        return np.asarray(np.nanmedian(chosen, axis=1), dtype=np.float64)


def _window_sums(values: FloatArray, width: int) -> FloatArray:
    """Sums of ``width`` consecutive values along each row (all finite)."""
    totals = np.cumsum(np.pad(values, ((0, 0), (1, 0))), axis=1)
    return totals[:, width:] - totals[:, :-width]


def _outcomes(
    history: ArrayLike,
    horizon: int,
    min_changes: int,
    min_direct: int,
    max_atoms: int,
) -> tuple[FloatArray, FloatArray]:
    """Projected values ``horizon`` periods ahead and their weights, one row per series.

    Rows whose history is too short have no atoms (all weights zero, values NaN).
    """
    values = _as_history(history)
    horizon = _check_int(horizon, "horizon", 1)
    min_changes = _check_int(min_changes, "min_changes", 1)
    min_direct = _check_int(min_direct, "min_direct", 1)
    max_atoms = _check_int(max_atoms, "max_atoms", 16)
    n_series, n_periods = values.shape

    observed = np.isfinite(values)
    has_any = observed.any(axis=1)
    relative = has_any & np.all(~observed | (values > 0), axis=1)
    safe_logs = np.log(np.where(observed & relative[:, np.newaxis], values, 1.0))
    work = np.where(relative[:, np.newaxis], safe_logs, values)
    work = np.where(observed, work, np.nan)

    one_step = work[:, 1:] - work[:, :-1]
    enough = has_any & (np.isfinite(one_step).sum(axis=1) >= min_changes)
    steps = robust_steps(one_step)
    if horizon < n_periods:
        # An h-period change is the sum of its steps: the exact difference of its ends,
        # less what the fences took off the steps inside it.
        fenced_off = np.where(np.isfinite(one_step), steps - one_step, 0.0)
        direct_changes = work[:, horizon:] - work[:, :-horizon] + _window_sums(fenced_off, horizon)
    else:
        direct_changes = np.empty((n_series, 0))
    level = current_level(work, steps)
    direct = enough & (np.isfinite(direct_changes).sum(axis=1) >= min_direct)
    convolved = enough & ~direct

    parts: list[tuple[npt.NDArray[np.bool_], FloatArray, FloatArray]] = []
    if direct.any():
        finite = np.isfinite(direct_changes[direct])
        direct_weights = finite / finite.sum(axis=1, keepdims=True)
        parts.append((direct, np.where(finite, direct_changes[direct], np.nan), direct_weights))
    if convolved.any():
        conv_values, conv_weights = _convolved_changes(steps[convolved], horizon, max_atoms)
        parts.append((convolved, conv_values, conv_weights))

    width = max((part_values.shape[1] for _, part_values, _ in parts), default=0)
    changes = np.full((n_series, width), np.nan)
    weights = np.zeros((n_series, width))
    for mask, part_values, part_weights in parts:
        changes[mask, : part_values.shape[1]] = part_values
        weights[mask, : part_weights.shape[1]] = part_weights

    projected = level[:, np.newaxis] + changes
    with np.errstate(over="ignore"):  # explosive growth projects to infinity
        projected[relative] = np.exp(projected[relative])
    return projected, weights


def reach_probability(
    history: ArrayLike,
    target: ArrayLike,
    horizon: int,
    direction: ArrayLike,
    *,
    min_changes: int = 6,
    min_direct: int = 12,
    max_atoms: int = 256,
) -> FloatArray:
    """Probability of reaching each target ``horizon`` periods ahead, from history alone.

    Parameters
    ----------
    history : array_like, shape (n_periods,) or (n_series, n_periods)
        Past values, oldest first; NaN for a missing period. 1-D is one series.
    target : array_like, scalar or shape (n_series,)
        The value to reach. One series with several targets compares each target
        against that series.
    horizon : int
        Periods from the latest observed value to the target date (at least 1).
    direction : array_like of int, scalar or shape (n_series,)
        1: reached when the outcome is at or above the target; -1: at or below;
        0 (target range): NaN.
    min_changes : int, default 6
        Fewest observed one-period changes for an answer; fewer gives NaN.
    min_direct : int, default 12
        Fewest observed ``horizon``-period changes to use them directly; with fewer
        the one-period changes are convolved ``horizon`` times (see module notes).
    max_atoms : int, default 256
        Outcomes kept after each convolution step.

    Returns
    -------
    ndarray of float64, shape (n_series,) or (n_targets,)
        Share of the outcome distribution that reaches the target, in [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> history = np.array([10.0, 11, 10, 12, 11, 12, 13, 12, 14, 13])
    >>> reach_probability(history, 15.0, horizon=1, direction=1)  # 2 of 9 monthly moves
    array([0.22222222])
    """
    projected, weights = _outcomes(history, horizon, min_changes, min_direct, max_atoms)
    targets = _as_vector(target, "target")
    directions = _as_vector(direction, "direction")
    try:
        n_out = np.broadcast_shapes((projected.shape[0],), targets.shape, directions.shape)[0]
    except ValueError:
        raise EngineInputError(
            f"history ({projected.shape[0]} series), target {targets.shape} and direction "
            f"{directions.shape} do not broadcast together"
        ) from None
    projected = np.broadcast_to(projected, (n_out, projected.shape[1]))
    weights = np.broadcast_to(weights, projected.shape)
    targets = np.broadcast_to(targets, (n_out,))
    directions = np.broadcast_to(directions, (n_out,))
    known = np.isfinite(directions)
    if np.any(~np.isin(directions[known], (-1.0, 0.0, 1.0))):
        raise EngineInputError("direction must be 1 (higher), -1 (lower) or 0 (range)")
    with np.errstate(invalid="ignore"):
        at_or_above = projected >= targets[:, np.newaxis]
        at_or_below = projected <= targets[:, np.newaxis]
    reached = np.where(directions[:, np.newaxis] > 0, at_or_above, at_or_below)
    total = weights.sum(axis=1)
    # Dividing by the total makes "every outcome reaches it" exactly 1.
    with np.errstate(invalid="ignore", divide="ignore"):
        probability = (weights * reached).sum(axis=1) / total
    answerable = (total > 0) & np.isfinite(targets) & known & (directions != 0)
    return np.where(answerable, np.clip(probability, 0.0, 1.0), np.nan)


def feasible_range(
    history: ArrayLike,
    horizon: int,
    low_q: float = 0.1,
    high_q: float = 0.9,
    *,
    min_changes: int = 6,
    min_direct: int = 12,
    max_atoms: int = 256,
) -> tuple[FloatArray, FloatArray]:
    """Values the KPI plausibly reaches ``horizon`` periods ahead, from history alone.

    The bounds are the ``low_q`` and ``high_q`` quantiles of the same outcome
    distribution :func:`reach_probability` uses (Hazen positions, linear
    interpolation). A target outside them is either too easy or out of reach,
    depending on the direction.

    Parameters
    ----------
    history : array_like, shape (n_periods,) or (n_series, n_periods)
        Past values, oldest first; NaN for a missing period.
    horizon : int
        Periods ahead (at least 1).
    low_q, high_q : float
        Quantile levels, ``0 <= low_q < high_q <= 1``.
    min_changes, min_direct, max_atoms : int
        As in :func:`reach_probability`.

    Returns
    -------
    (low, high) : tuple of ndarray of float64, each shape (n_series,)
        NaN where the history is too short.

    Examples
    --------
    >>> import numpy as np
    >>> low, high = feasible_range(np.arange(100.0, 124.0), horizon=6)
    >>> low.round(2), high.round(2)
    (array([129.38]), array([130.29]))
    """
    if not (0.0 <= low_q < high_q <= 1.0):
        raise EngineInputError(
            f"quantiles must satisfy 0 <= low_q < high_q <= 1, got {low_q} and {high_q}"
        )
    projected, weights = _outcomes(history, horizon, min_changes, min_direct, max_atoms)
    bounds = _weighted_quantiles(projected, weights, np.array([low_q, high_q], dtype=np.float64))
    return bounds[:, 0].copy(), bounds[:, 1].copy()


def classify_targets(
    probabilities: ArrayLike, floor: float = 0.1, ceiling: float = 0.9
) -> npt.NDArray[np.str_]:
    """Sort targets into too easy, specific and unrealistic by their reach probability.

    Parameters
    ----------
    probabilities : array_like of float
        Reach probabilities from :func:`reach_probability`, in [0, 1]; NaN allowed.
    floor : float, default 0.1
        Below it a target is ``"unrealistic"`` (a stretch beyond the feasible range).
    ceiling : float, default 0.9
        Above it a target is ``"too_easy"`` (below the feasible range: it would be
        met without effort). From ``floor`` to ``ceiling`` inclusive: ``"specific"``.

    Returns
    -------
    ndarray of str
        One code per probability; ``"unknown"`` for NaN.

    Examples
    --------
    >>> classify_targets([0.91, 0.9, 0.1, 0.09])
    array(['too_easy', 'specific', 'specific', 'unrealistic'], dtype='<U11')
    """
    if not (0.0 <= floor < ceiling <= 1.0):
        raise EngineInputError(
            f"thresholds must satisfy 0 <= floor < ceiling <= 1, got {floor} and {ceiling}"
        )
    values = np.asarray(probabilities, dtype=np.float64)
    known = np.isfinite(values)
    if np.any((values[known] < 0.0) | (values[known] > 1.0)):
        raise EngineInputError("probabilities must lie in [0, 1]")
    codes = np.full(values.shape, SPECIFIC, dtype="<U11")
    codes[known & (values > ceiling)] = TOO_EASY
    codes[known & (values < floor)] = UNREALISTIC
    codes[~known] = UNKNOWN
    return codes
