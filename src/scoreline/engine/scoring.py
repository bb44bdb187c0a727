"""Scoring methods: turn measured values into scores on a 0..100 scale.

Every method is vectorised: values and parameters are numpy arrays (scalars
broadcast) and the result is a float64 array of scores, 100 being best.

NaN policy
----------
A NaN value or a NaN parameter gives a NaN score for that element ("no score")
and never raises; so does a percentage of a zero or negative target. Parameters
that are structurally wrong (thresholds in the wrong order for the direction, a
red flag equal to its goal, an infinite threshold, an unknown method or
direction code, shapes that do not broadcast) raise
:class:`~scoreline.engine.errors.EngineInputError` with a message naming the
problem and the first offending element.

Methods
-------
``score_linear``
    Goal / red flag scoring: the red flag scores 100/3, the goal 200/3, and the
    line extends beyond both until it is clipped to 0..100.
``score_piecewise``
    Threshold (50), target (80), stretch (100); nothing below the threshold.
``score_banded``
    A score per band between ascending edges; ``band_ranges`` says in words which
    values each band holds.
``score_target_range``
    100 inside a range, falling to 0 at a tolerance outside it.
``score_percent_of_target``
    Achievement as a percentage of target, optionally capped.
``score_rubric``
    A score per rubric level.
``score_by_method``
    Mixed dispatcher: each element names its own method and direction.
``explain``
    A JSON-able account of how one score came about.

Examples
--------
>>> score_linear([300.0, 600.0, 900.0], red_flag=500.0, goal=700.0).round(2).tolist()
[0.0, 50.0, 100.0]
"""

from collections.abc import Mapping
from enum import IntEnum
from math import isfinite, isnan
from typing import Any, NoReturn

import numpy as np
import numpy.typing as npt

from scoreline.engine.arrays import as_floats
from scoreline.engine.directions import HIGHER_IS_BETTER, LOWER_IS_BETTER, TARGET_RANGE
from scoreline.engine.errors import EngineInputError

__all__ = [
    "GOAL_SCORE",
    "RED_FLAG_SCORE",
    "STRETCH_SCORE",
    "TARGET_SCORE",
    "THRESHOLD_SCORE",
    "Method",
    "band_ranges",
    "even_rubric_scores",
    "explain",
    "range_tolerance",
    "score_banded",
    "score_by_method",
    "score_linear",
    "score_percent_of_target",
    "score_piecewise",
    "score_rubric",
    "score_target_range",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Score at the red flag in goal / red flag scoring (3.33 on a 0..10 scale).
RED_FLAG_SCORE = 100.0 / 3.0
#: Score at the goal in goal / red flag scoring (6.67 on a 0..10 scale).
GOAL_SCORE = 200.0 / 3.0
#: Score at the threshold of piecewise scoring (below it the score is 0).
THRESHOLD_SCORE = 50.0
#: Score at the target of piecewise scoring.
TARGET_SCORE = 80.0
#: Score at and beyond the stretch of piecewise scoring.
STRETCH_SCORE = 100.0

_DIRECTION_NAMES = {HIGHER_IS_BETTER: "higher", LOWER_IS_BETTER: "lower", TARGET_RANGE: "range"}


class Method(IntEnum):
    """Scoring method codes, stored per KPI and passed per element to the dispatcher."""

    LINEAR = 1
    PIECEWISE = 2
    BANDED = 3
    TARGET_RANGE = 4
    PERCENT_CAPPED = 5
    PERCENT_UNCAPPED = 6
    RUBRIC = 7


# ---------------------------------------------------------------------------
# Input helpers


def _codes(name: str, x: npt.ArrayLike) -> IntArray:
    arr = np.asarray(x)
    if arr.dtype.kind not in "iu" and arr.size:
        raise EngineInputError(f"{name} must hold integer codes, not {arr.dtype}")
    return arr.astype(np.int64, copy=False)


def _broadcast(**arrays: npt.NDArray[Any]) -> tuple[list[npt.NDArray[Any]], tuple[int, ...]]:
    """Broadcast the arrays together; all-scalar input is worked on as one element.

    Returns the arrays (at least 1-D, so ufuncs return arrays, not numpy scalars)
    and the broadcast shape to give the result.
    """
    try:
        out = np.broadcast_arrays(*arrays.values())
    except ValueError:
        shapes = ", ".join(f"{name} {arr.shape}" for name, arr in arrays.items())
        raise EngineInputError(f"shapes do not match: {shapes}") from None
    shape = out[0].shape
    return [np.atleast_1d(a) for a in out], shape


def _where(bad: BoolArray, positions: IntArray | None) -> tuple[int, str]:
    """Flat index of the first True in ``bad`` and a label naming that element."""
    flat = int(np.argmax(bad.ravel()))
    if positions is not None:
        return flat, f"element {int(positions[flat])}"
    if bad.ndim > 1:
        return flat, f"element {tuple(int(i) for i in np.unravel_index(flat, bad.shape))}"
    return flat, f"element {flat}"


def _fail(
    message: str, bad: BoolArray, positions: IntArray | None, **shown: FloatArray
) -> NoReturn:
    flat, label = _where(bad, positions)
    details = ", ".join(f"{name}={_fmt(float(arr.flat[flat]))}" for name, arr in shown.items())
    raise EngineInputError(f"{message} ({label}: {details})")


def _require_not_infinite(positions: IntArray | None, **params: FloatArray) -> None:
    for name, arr in params.items():
        bad = np.isinf(arr)
        if bad.any():
            _fail(f"{name} must be finite or NaN", bad, positions, **{name: arr})


def _check_directions(
    d: IntArray, allowed: tuple[int, ...], method: str, positions: IntArray | None
) -> None:
    bad = np.ones(d.shape, dtype=bool)
    for code in allowed:
        bad &= d != code
    if bad.any():
        flat, label = _where(bad, positions)
        names = ", ".join(f"{c} ({_DIRECTION_NAMES[c]})" for c in allowed)
        raise EngineInputError(
            f"{method} needs a direction of {names}; {label} has direction {int(d.flat[flat])}"
        )


def _check_score_table(name: str, scores: FloatArray) -> None:
    if scores.ndim != 1:
        raise EngineInputError(f"{name} must be 1-D, got shape {scores.shape}")
    if not np.all(np.isfinite(scores)) or np.any(scores < 0.0) or np.any(scores > 100.0):
        raise EngineInputError(f"{name} must be finite scores within 0..100, got {scores.tolist()}")


# ---------------------------------------------------------------------------
# Linear (goal / red flag)


def _linear(
    v: FloatArray,
    r: FloatArray,
    g: FloatArray,
    *,
    extend: bool,
    lower: float,
    upper: float,
    positions: IntArray | None,
) -> FloatArray:
    _require_not_infinite(positions, red_flag=r, goal=g)
    same = r == g
    if same.any():
        _fail(
            "red_flag equals goal, so the scale is undefined", same, positions, red_flag=r, goal=g
        )
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        # 0 at the red flag, 1 at the goal; the sign of (g - r) carries the direction.
        position = np.subtract(v, r)
        position /= g - r
    if not extend:
        np.clip(position, 0.0, 1.0, out=position)
    position *= GOAL_SCORE - RED_FLAG_SCORE
    position += RED_FLAG_SCORE
    np.clip(position, lower, upper, out=position)
    return position


def score_linear(
    values: npt.ArrayLike,
    red_flag: npt.ArrayLike,
    goal: npt.ArrayLike,
    *,
    extend: bool = True,
    lower: float = 0.0,
    upper: float = 100.0,
) -> FloatArray:
    """Goal / red flag scoring on a 0..100 scale.

    The red flag scores ``RED_FLAG_SCORE`` (100/3) and the goal ``GOAL_SCORE``
    (200/3); the score is the linear position of the value on that line. With
    ``extend`` the line continues beyond both thresholds, so the score reaches 0 one
    red-flag-to-goal gap on the bad side of the red flag and 100 one gap beyond the
    goal. This is Spider Impact's default "Goal/Red Flag" scoring type, whose 0..10
    scale is multiplied by 10 here.

    Parameters
    ----------
    values : array_like
        Measured values.
    red_flag, goal : array_like
        Thresholds, broadcast against ``values``. Their order gives the direction:
        ``goal > red_flag`` means higher is better, ``goal < red_flag`` lower is better.
    extend : bool, default True
        Continue the line beyond the thresholds. When False the score is held
        between the red-flag score and the goal score.
    lower, upper : float, default 0 and 100
        Bounds the result is clipped to (pass ``-inf``/``inf`` for an unbounded
        line).

    Returns
    -------
    numpy.ndarray
        float64 scores, NaN where the value or a threshold is NaN.

    Raises
    ------
    EngineInputError
        A red flag equals its goal, a threshold is infinite, ``lower > upper``, or
        shapes do not broadcast.

    Examples
    --------
    >>> score_linear([500.0, 700.0, 1000.0], red_flag=500.0, goal=700.0).round(2).tolist()
    [33.33, 66.67, 100.0]
    >>> score_linear([8.0, 12.0], red_flag=10.0, goal=5.0).round(2).tolist()
    [46.67, 20.0]
    >>> score_linear([0.0, 1000.0], 500.0, 700.0, extend=False).round(2).tolist()
    [33.33, 66.67]
    """
    if not lower <= upper:
        raise EngineInputError(f"lower ({lower}) must not exceed upper ({upper})")
    (v, r, g), shape = _broadcast(
        values=as_floats(values, "values", cause=False),
        red_flag=as_floats(red_flag, "red_flag", cause=False),
        goal=as_floats(goal, "goal", cause=False),
    )
    return _linear(v, r, g, extend=extend, lower=lower, upper=upper, positions=None).reshape(shape)


# ---------------------------------------------------------------------------
# Piecewise (threshold / target / stretch)


def _piecewise(
    v: FloatArray,
    th: FloatArray,
    tg: FloatArray,
    st: FloatArray,
    d: IntArray,
    positions: IntArray | None,
) -> FloatArray:
    _check_directions(d, (HIGHER_IS_BETTER, LOWER_IS_BETTER), "piecewise scoring", positions)
    _require_not_infinite(positions, threshold=th, target=tg, stretch=st)
    # Flip lower-is-better elements so that every element reads "higher is better".
    sign = np.where(d == LOWER_IS_BETTER, -1.0, 1.0)
    x, a, b, c = v * sign, th * sign, tg * sign, st * sign
    for lo, hi, lo_name, hi_name in ((a, b, "threshold", "target"), (b, c, "target", "stretch")):
        bad = lo >= hi
        if bad.any():
            flat, label = _where(bad, positions)
            word = "below" if d.flat[flat] == HIGHER_IS_BETTER else "above"
            kind = _DIRECTION_NAMES[int(d.flat[flat])]
            raise EngineInputError(
                f"{lo_name} must be {word} {hi_name} for a {kind}-is-better KPI ({label}: "
                f"threshold={_fmt(float(th.flat[flat]))}, target={_fmt(float(tg.flat[flat]))}, "
                f"stretch={_fmt(float(st.flat[flat]))})"
            )
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        to_target = THRESHOLD_SCORE + (TARGET_SCORE - THRESHOLD_SCORE) * ((x - a) / (b - a))
        to_stretch = TARGET_SCORE + (STRETCH_SCORE - TARGET_SCORE) * ((x - b) / (c - b))
        missing = np.isnan(x + a + b + c)
    score = np.where(x < b, to_target, np.where(x < c, to_stretch, STRETCH_SCORE))
    score[x < a] = 0.0
    score[missing] = np.nan
    return score


def score_piecewise(
    values: npt.ArrayLike,
    threshold: npt.ArrayLike,
    target: npt.ArrayLike,
    stretch: npt.ArrayLike,
    *,
    direction: npt.ArrayLike,
) -> FloatArray:
    """Piecewise linear scoring through threshold, target and stretch.

    The threshold scores ``THRESHOLD_SCORE`` (50), the target ``TARGET_SCORE`` (80)
    and the stretch ``STRETCH_SCORE`` (100), linearly in between. The threshold is a
    gate: a value short of it scores 0. Values at or beyond the stretch score 100.

    Parameters
    ----------
    values : array_like
        Measured values.
    threshold, target, stretch : array_like
        Breakpoints, broadcast against ``values``. Higher-is-better needs
        ``threshold < target < stretch``; lower-is-better the reverse.
    direction : array_like of int
        ``HIGHER_IS_BETTER`` (1) or ``LOWER_IS_BETTER`` (-1), scalar or per element.

    Returns
    -------
    numpy.ndarray
        float64 scores in 0..100, NaN where the value or a breakpoint is NaN.

    Raises
    ------
    EngineInputError
        Breakpoints out of order for the direction (the message names which pair),
        an infinite breakpoint, or a direction other than 1 or -1.

    Examples
    --------
    >>> score_piecewise([90.0, 100.0, 135.0, 200.0], 100.0, 120.0, 150.0, direction=1).tolist()
    [0.0, 50.0, 90.0, 100.0]
    >>> score_piecewise([15.0, 9.0], 20.0, 10.0, 5.0, direction=-1).tolist()
    [65.0, 84.0]
    """
    (v, th, tg, st, d), shape = _broadcast(
        values=as_floats(values, "values", cause=False),
        threshold=as_floats(threshold, "threshold", cause=False),
        target=as_floats(target, "target", cause=False),
        stretch=as_floats(stretch, "stretch", cause=False),
        direction=_codes("direction", direction),
    )
    return _piecewise(v, th, tg, st, d, None).reshape(shape)


# ---------------------------------------------------------------------------
# Banded


def score_banded(
    values: npt.ArrayLike,
    edges: npt.ArrayLike,
    band_scores: npt.ArrayLike,
    *,
    direction: int,
) -> FloatArray:
    """Score by band: each band between ascending edges carries a fixed score.

    With ``k`` edges there are ``k + 1`` bands. For higher-is-better, band ``i``
    holds the values that reached ``i`` edges (``edges[i-1] <= value < edges[i]``),
    so reaching an edge earns the next band. For lower-is-better the bands are read
    from the top: band ``i`` holds the values at or below ``k - i`` edges, so band 0
    is above the highest edge and reaching an edge from above earns the next band.
    Either way ``band_scores`` runs from the worst band to the best.

    Parameters
    ----------
    values : array_like
        Measured values.
    edges : array_like
        1-D, finite, strictly ascending band edges (at least one).
    band_scores : array_like
        1-D, ``len(edges) + 1`` scores within 0..100.
    direction : int
        ``HIGHER_IS_BETTER`` (1) or ``LOWER_IS_BETTER`` (-1).

    Returns
    -------
    numpy.ndarray
        float64 scores, NaN where the value is NaN.

    Raises
    ------
    EngineInputError
        Edges not strictly ascending or not finite, a band score count other than
        ``len(edges) + 1``, band scores outside 0..100, or an unknown direction.

    Examples
    --------
    >>> score_banded([5.0, 10.0, 25.0], [10.0, 20.0], [0.0, 50.0, 100.0], direction=1).tolist()
    [0.0, 50.0, 100.0]
    >>> score_banded([5.0, 10.0, 25.0], [10.0, 20.0], [0.0, 50.0, 100.0], direction=-1).tolist()
    [100.0, 100.0, 0.0]
    """
    given = as_floats(values, "values", cause=False)
    v = np.atleast_1d(given)
    e = as_floats(edges, "edges", cause=False)
    s = as_floats(band_scores, "band_scores", cause=False)
    if e.ndim != 1 or e.size == 0:
        raise EngineInputError(f"edges must be a non-empty 1-D array, got shape {e.shape}")
    if not np.all(np.isfinite(e)):
        raise EngineInputError(f"edges must be finite, got {e.tolist()}")
    if np.any(np.diff(e) <= 0.0):
        raise EngineInputError(f"edges must be strictly ascending, got {e.tolist()}")
    if s.shape != (e.size + 1,):
        raise EngineInputError(
            f"band_scores needs len(edges) + 1 = {e.size + 1} scores, got shape {s.shape}"
        )
    _check_score_table("band_scores", s)
    if direction == HIGHER_IS_BETTER:
        band = np.searchsorted(e, v, side="right")
    elif direction == LOWER_IS_BETTER:
        band = e.size - np.searchsorted(e, v, side="left")
    else:
        raise EngineInputError(
            f"banded scoring needs a direction of 1 (higher) or -1 (lower), got {direction}"
        )
    score = s[band]
    score[np.isnan(v)] = np.nan
    return score.reshape(given.shape)


# ---------------------------------------------------------------------------
# Target range


def _target_range(
    v: FloatArray,
    low: FloatArray,
    high: FloatArray,
    tolerance: FloatArray,
    positions: IntArray | None,
) -> FloatArray:
    _require_not_infinite(positions, low=low, high=high, tolerance=tolerance)
    bad = low > high
    if bad.any():
        _fail("low must not exceed high", bad, positions, low=low, high=high)
    bad = tolerance <= 0.0
    if bad.any():
        _fail("tolerance must be positive", bad, positions, tolerance=tolerance)
    with np.errstate(invalid="ignore", over="ignore"):
        distance = np.maximum(low - v, v - high)
        np.maximum(distance, 0.0, out=distance)
        distance /= tolerance
        score = 100.0 * (1.0 - distance)
    np.maximum(score, 0.0, out=score)
    return score


def range_tolerance(low: npt.ArrayLike, high: npt.ArrayLike) -> FloatArray:
    """The tolerance of a target range given none: half its width.

    Half of the narrowest positive width a float can hold (the smallest subnormal) rounds
    to 0, which no tolerance may be; such a range gets that smallest positive float
    instead, so it scores 100 inside and 0 at the next float outside. A range of no width
    keeps the tolerance 0 (refused by :func:`score_target_range`).

    Examples
    --------
    >>> range_tolerance([20.0, 0.0], [24.0, 5e-324]).tolist()
    [2.0, 5e-324]
    """
    lo = as_floats(low, "low", cause=False)
    hi = as_floats(high, "high", cause=False)
    with np.errstate(invalid="ignore", over="ignore"):
        half = (hi - lo) / 2.0
        return np.where((half == 0.0) & (hi > lo), _SMALLEST_POSITIVE, half)


_SMALLEST_POSITIVE = float(np.nextafter(0.0, 1.0))


def score_target_range(
    values: npt.ArrayLike,
    low: npt.ArrayLike,
    high: npt.ArrayLike,
    tolerance: npt.ArrayLike,
) -> FloatArray:
    """Score a value against a target range: 100 inside, falling to 0 outside.

    Inside ``[low, high]`` the score is 100. Outside it falls linearly with the
    distance to the nearer edge and reaches 0 at ``tolerance`` beyond that edge;
    both sides fall at the same rate.

    Parameters
    ----------
    values : array_like
        Measured values.
    low, high : array_like
        Range edges, ``low <= high``.
    tolerance : array_like
        Positive distance outside the range at which the score reaches 0.

    Returns
    -------
    numpy.ndarray
        float64 scores in 0..100, NaN where any input is NaN.

    Raises
    ------
    EngineInputError
        ``low > high``, ``tolerance <= 0``, or an infinite parameter.

    Examples
    --------
    >>> score_target_range([20.0, 22.0, 25.0, 27.0], 20.0, 24.0, 2.0).tolist()
    [100.0, 100.0, 50.0, 0.0]
    """
    (v, lo, hi, tol), shape = _broadcast(
        values=as_floats(values, "values", cause=False),
        low=as_floats(low, "low", cause=False),
        high=as_floats(high, "high", cause=False),
        tolerance=as_floats(tolerance, "tolerance", cause=False),
    )
    return _target_range(v, lo, hi, tol, None).reshape(shape)


# ---------------------------------------------------------------------------
# Percent of target


def _percent_of_target(
    v: FloatArray,
    t: FloatArray,
    d: IntArray,
    cap: float | None,
    positions: IntArray | None,
) -> FloatArray:
    _check_directions(
        d, (HIGHER_IS_BETTER, LOWER_IS_BETTER), "percent-of-target scoring", positions
    )
    _require_not_infinite(positions, target=t)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        ratio = v / t
        # A percentage of a zero or negative target means nothing: no score.
        ratio[~(t > 0.0)] = np.nan
        score = np.where(d == LOWER_IS_BETTER, 2.0 - ratio, ratio)
        score *= 100.0
    np.maximum(score, 0.0, out=score)
    if cap is not None:
        np.minimum(score, cap, out=score)
    return score


def score_percent_of_target(
    values: npt.ArrayLike,
    target: npt.ArrayLike,
    *,
    direction: npt.ArrayLike,
    cap: float | None = 100.0,
) -> FloatArray:
    """Score achievement as a percentage of target.

    Higher-is-better scores ``100 * value / target``; lower-is-better scores
    ``100 * (2 - value / target)``, so hitting the target scores 100 either way and
    each percent under a lower-is-better target earns a point. Scores are floored at
    0 and, unless ``cap`` is None, capped at ``cap``.

    Parameters
    ----------
    values : array_like
        Measured values.
    target : array_like
        Targets; only positive targets give a score.
    direction : array_like of int
        ``HIGHER_IS_BETTER`` (1) or ``LOWER_IS_BETTER`` (-1), scalar or per element.
    cap : float or None, default 100
        Highest score awarded; None leaves over-achievement uncapped.

    Returns
    -------
    numpy.ndarray
        float64 scores, NaN where the value or target is NaN, and also where the
        target is 0 or negative: a percentage of nothing, or of a negative
        target, has no meaning (score such measures linearly or piecewise).

    Raises
    ------
    EngineInputError
        An infinite target, ``cap <= 0``, or an unknown direction.

    Examples
    --------
    >>> score_percent_of_target([45.0, 75.0], 50.0, direction=1, cap=None).tolist()
    [90.0, 150.0]
    >>> score_percent_of_target([8.0, 12.0], 10.0, direction=-1).round(6).tolist()
    [100.0, 80.0]
    """
    if cap is not None and not cap > 0.0:
        raise EngineInputError(f"cap must be positive or None, got {cap}")
    (v, t, d), shape = _broadcast(
        values=as_floats(values, "values", cause=False),
        target=as_floats(target, "target", cause=False),
        direction=_codes("direction", direction),
    )
    return _percent_of_target(v, t, d, cap, None).reshape(shape)


# ---------------------------------------------------------------------------
# Rubric


def even_rubric_scores(n: int) -> FloatArray:
    """Scores for an ``n``-level rubric spread evenly from 0 (level 1) to 100 (level n).

    Examples
    --------
    >>> even_rubric_scores(5).tolist()
    [0.0, 25.0, 50.0, 75.0, 100.0]
    """
    if n < 2:
        raise EngineInputError(f"a rubric needs at least 2 levels, got {n}")
    return np.linspace(0.0, 100.0, n)


def score_rubric(levels: npt.ArrayLike, level_scores: npt.ArrayLike) -> FloatArray:
    """Score rubric levels: level ``i`` (1-based) scores ``level_scores[i - 1]``.

    Parameters
    ----------
    levels : array_like
        Levels from 1 to ``len(level_scores)``; NaN means not rated. A fractional
        level (the mean of several raters, say) scores by linear interpolation
        between the scores of the levels either side.
    level_scores : array_like
        1-D scores within 0..100, one per level, e.g. ``even_rubric_scores(n)``.

    Returns
    -------
    numpy.ndarray
        float64 scores, NaN where the level is NaN.

    Raises
    ------
    EngineInputError
        A level outside 1..n, or bad level scores.

    Examples
    --------
    >>> score_rubric([1.0, 3.0, float("nan"), 5.0], even_rubric_scores(5)).tolist()
    [0.0, 50.0, nan, 100.0]
    >>> score_rubric([2.5], even_rubric_scores(5)).tolist()
    [37.5]
    """
    given = as_floats(levels, "levels", cause=False)
    lv = np.atleast_1d(given)
    table = as_floats(level_scores, "level_scores", cause=False)
    _check_score_table("level_scores", table)
    if table.size == 0:
        raise EngineInputError("level_scores must hold at least one level")
    missing = np.isnan(lv)
    bad = ~missing & ((lv < 1.0) | (lv > table.size))
    if bad.any():
        _fail(f"rubric levels must lie from 1 to {table.size}", bad, None, level=lv)
    score = np.interp(np.where(missing, 1.0, lv), np.arange(1, table.size + 1), table)
    score[missing] = np.nan
    return score.reshape(given.shape)


# ---------------------------------------------------------------------------
# Mixed dispatcher


def _gather(arr: npt.NDArray[Any], idx: IntArray | None) -> npt.NDArray[Any]:
    return arr if idx is None else arr[idx]


def _check_linear_direction(
    r: FloatArray, g: FloatArray, d: IntArray, positions: IntArray | None
) -> None:
    bad = ((g > r) & (d != HIGHER_IS_BETTER)) | ((g < r) & (d != LOWER_IS_BETTER))
    if bad.any():
        flat, label = _where(bad, positions)
        raise EngineInputError(
            "linear scoring takes its direction from the order of red flag and goal "
            f"(goal above red flag: 1, below: -1), but {label} has direction "
            f"{int(d.flat[flat])} with red_flag={_fmt(float(r.flat[flat]))}, "
            f"goal={_fmt(float(g.flat[flat]))}"
        )


def score_by_method(
    method: npt.ArrayLike,
    values: npt.ArrayLike,
    red_flag: npt.ArrayLike,
    goal: npt.ArrayLike,
    threshold: npt.ArrayLike,
    target: npt.ArrayLike,
    stretch: npt.ArrayLike,
    low: npt.ArrayLike,
    high: npt.ArrayLike,
    *,
    direction: npt.ArrayLike,
    leave_tabled: bool = False,
) -> FloatArray:
    """Score elements that each carry their own method, direction and parameters.

    This is the bulk entry point: one call scores every value of every KPI. Each
    method's elements are gathered by index and scored in one vectorised call, so
    the cost grows with the number of elements, not with a Python loop over them.

    ==================  ==========================================  ================
    method              parameters used                             direction
    ==================  ==========================================  ================
    LINEAR              red_flag, goal                              must agree with
                                                                    goal vs red flag
    PIECEWISE           threshold, target, stretch                  1 or -1
    TARGET_RANGE        low, high; tolerance = (high - low) / 2     0 (range)
                        (see :func:`range_tolerance`)
    PERCENT_CAPPED      target (capped at 100)                      1 or -1
    PERCENT_UNCAPPED    target                                      1 or -1
    ==================  ==========================================  ================

    BANDED and RUBRIC are not dispatched here because they need a band or level
    table per KPI; score those KPIs with :func:`score_banded` and
    :func:`score_rubric`. Such elements are refused, or left NaN with
    ``leave_tabled``. Parameters a method does not use are ignored (pass NaN).

    Parameters
    ----------
    method : array_like of int
        ``Method`` code per element.
    values, red_flag, goal, threshold, target, stretch, low, high : array_like
        1-D float arrays, all the length of ``method``.
    direction : array_like of int
        Direction code per element (see the table).
    leave_tabled : bool, default False
        Leave BANDED and RUBRIC elements NaN, for the caller to score from their
        tables, instead of refusing them.

    Returns
    -------
    numpy.ndarray
        float64 scores; NaN follows each method's NaN policy.

    Raises
    ------
    EngineInputError
        Arrays of different lengths, an unknown method code, a BANDED or RUBRIC
        element (unless ``leave_tabled``), a direction that does not fit the method, or any error of the
        individual method (named with the element's position in these arrays).

    Examples
    --------
    >>> nan = float("nan")
    >>> score_by_method(
    ...     [Method.LINEAR, Method.PIECEWISE, Method.PERCENT_CAPPED],
    ...     values=[600.0, 135.0, 45.0],
    ...     red_flag=[500.0, nan, nan],
    ...     goal=[700.0, nan, nan],
    ...     threshold=[nan, 100.0, nan],
    ...     target=[nan, 120.0, 50.0],
    ...     stretch=[nan, 150.0, nan],
    ...     low=[nan, nan, nan],
    ...     high=[nan, nan, nan],
    ...     direction=[1, 1, 1],
    ... ).round(2).tolist()
    [50.0, 90.0, 90.0]
    """
    m = _codes("method", method)
    d = _codes("direction", direction)
    columns = {
        "values": as_floats(values, "values", cause=False),
        "red_flag": as_floats(red_flag, "red_flag", cause=False),
        "goal": as_floats(goal, "goal", cause=False),
        "threshold": as_floats(threshold, "threshold", cause=False),
        "target": as_floats(target, "target", cause=False),
        "stretch": as_floats(stretch, "stretch", cause=False),
        "low": as_floats(low, "low", cause=False),
        "high": as_floats(high, "high", cause=False),
        "direction": d,
    }
    if m.ndim != 1:
        raise EngineInputError(f"method must be 1-D, got shape {m.shape}")
    wrong = [f"{name} {arr.shape}" for name, arr in columns.items() if arr.shape != m.shape]
    if wrong:
        raise EngineInputError(
            f"every array must have the shape of method {m.shape}; got " + ", ".join(wrong)
        )

    n = m.size
    groups: dict[Method, IntArray] = {}
    counted = 0
    for code in Method:
        idx = np.flatnonzero(m == code)
        if idx.size:
            groups[code] = idx
            counted += idx.size
    if counted != n:
        unknown = np.ones(n, dtype=bool)
        for idx in groups.values():
            unknown[idx] = False
        flat, label = _where(unknown, None)
        raise EngineInputError(
            f"unknown method code {int(m[flat])} at {label}; known codes: "
            + ", ".join(f"{c.value} ({c.name})" for c in Method)
        )
    for code in (Method.BANDED, Method.RUBRIC):
        if code in groups and leave_tabled:
            del groups[code]
        elif code in groups:
            _, label = _where(m == code, None)
            raise EngineInputError(
                f"{code.name} needs a per-KPI table and is not dispatched here ({label}); "
                f"use score_{code.name.lower()} for those KPIs"
            )

    result = np.full(n, np.nan)
    for code, idx in groups.items():
        # When one method covers the whole batch, skip the gather (and name errors
        # by their own position, which is then the same).
        positions = None if idx.size == n else idx
        v = _gather(columns["values"], positions)
        dd = _gather(columns["direction"], positions)
        if code is Method.LINEAR:
            r, g = _gather(columns["red_flag"], positions), _gather(columns["goal"], positions)
            _check_linear_direction(r, g, dd, positions)
            scores = _linear(v, r, g, extend=True, lower=0.0, upper=100.0, positions=positions)
        elif code is Method.PIECEWISE:
            th, tg, st = (
                _gather(columns[k], positions) for k in ("threshold", "target", "stretch")
            )
            scores = _piecewise(v, th, tg, st, dd, positions)
        elif code is Method.TARGET_RANGE:
            _check_directions(dd, (TARGET_RANGE,), "target-range scoring", positions)
            lo, hi = _gather(columns["low"], positions), _gather(columns["high"], positions)
            bad = lo >= hi
            if bad.any():
                _fail("target-range scoring needs low below high", bad, positions, low=lo, high=hi)
            scores = _target_range(v, lo, hi, range_tolerance(lo, hi), positions)
        else:
            cap = 100.0 if code is Method.PERCENT_CAPPED else None
            tg = _gather(columns["target"], positions)
            scores = _percent_of_target(v, tg, dd, cap, positions)
        if positions is None:
            result = scores
        else:
            result[idx] = scores
    return result


# ---------------------------------------------------------------------------
# Explanation


def _fmt(x: float) -> str:
    """A number as people read it: whole numbers without decimals, others to 10 digits."""
    if isnan(x):
        return "NaN"
    if not isfinite(x):
        return "infinity" if x > 0 else "-infinity"
    if x == round(x) and abs(x) < 1e15:
        return str(round(x))
    return f"{x:.10g}"


def _score_text(x: float) -> str:
    return _fmt(round(x, 2))


def _operand(x: float) -> str:
    return f"({_fmt(x)})" if x < 0 else _fmt(x)


def _json_number(x: float) -> float | None:
    return None if isnan(x) else float(x)


def _need(params: Mapping[str, float], *names: str) -> list[float]:
    missing = [name for name in names if name not in params]
    if missing:
        raise EngineInputError("explain needs parameter(s): " + ", ".join(missing))
    return [float(params[name]) for name in names]


def _indexed(params: Mapping[str, float], prefix: str, start: int) -> list[float]:
    found: dict[int, float] = {}
    for key, val in params.items():
        if key.startswith(prefix) and key[len(prefix) :].isdigit():
            found[int(key[len(prefix) :])] = float(val)
    expected = list(range(start, start + len(found)))
    if sorted(found) != expected:
        raise EngineInputError(
            f"explain needs {prefix}{start}, {prefix}{start + 1}, ... without gaps, "
            f"got {sorted(found)}"
        )
    return [found[i] for i in expected]


def explain(
    method: int, value: float, params: Mapping[str, float], direction: int
) -> dict[str, Any]:
    """Explain one score: which segment the value fell in and the arithmetic applied.

    The score is computed by the same functions the bulk scoring uses (linear with
    the dispatcher's defaults: extended and clipped to 0..100), so the explanation
    and the stored score cannot disagree.

    Parameters
    ----------
    method : int
        A ``Method`` code.
    value : float
        The measured value (the level, for RUBRIC); NaN gives an explanation of a
        missing score.
    params : mapping of str to float
        LINEAR: ``red_flag``, ``goal``. PIECEWISE: ``threshold``, ``target``,
        ``stretch``. TARGET_RANGE: ``low``, ``high`` and optionally ``tolerance``
        (default ``(high - low) / 2``). PERCENT_CAPPED / PERCENT_UNCAPPED:
        ``target``. BANDED: ``edge_0`` .. ``edge_{k-1}`` and ``band_score_0`` ..
        ``band_score_k``. RUBRIC: ``level_score_1`` .. ``level_score_n``. Other keys
        are ignored.
    direction : int
        Direction code, checked as in :func:`score_by_method`; ignored for RUBRIC.

    Returns
    -------
    dict
        JSON-able: ``method`` (lower-case name), ``direction`` ("higher", "lower",
        "range"), ``value``, ``inputs`` (the parameters used), ``segment`` (where the
        value fell), ``formula`` (the arithmetic with the numbers) and ``score``.
        Missing numbers are None.

    Raises
    ------
    EngineInputError
        An unknown method or direction, a missing parameter, or any error the
        scoring function itself raises.

    Examples
    --------
    >>> out = explain(Method.PIECEWISE, 135.0,
    ...               {"threshold": 100.0, "target": 120.0, "stretch": 150.0}, 1)
    >>> out["segment"]
    'between target 120 and stretch 150'
    >>> out["formula"]
    '80 + 20 * (135 - 120) / (150 - 120) = 90'
    >>> out["score"]
    90.0
    """
    try:
        code = Method(int(method))
    except ValueError:
        raise EngineInputError(f"unknown method code {method}") from None
    if direction not in _DIRECTION_NAMES:
        raise EngineInputError(f"unknown direction {direction}; use 1, -1 or 0")
    v = float(value)
    inputs: dict[str, float]
    d = np.array([direction], dtype=np.int64)
    x = np.array([v])

    if code is Method.LINEAR:
        r, g = _need(params, "red_flag", "goal")
        inputs = {"red_flag": r, "goal": g}
        _check_linear_direction(np.array([r]), np.array([g]), d, None)
        score = float(score_linear(x, r, g)[0])
        segment, formula = _explain_linear(v, r, g, score)
    elif code is Method.PIECEWISE:
        th, tg, st = _need(params, "threshold", "target", "stretch")
        inputs = {"threshold": th, "target": tg, "stretch": st}
        score = float(score_piecewise(x, th, tg, st, direction=d)[0])
        segment, formula = _explain_piecewise(v, th, tg, st, direction, score)
    elif code is Method.TARGET_RANGE:
        lo, hi = _need(params, "low", "high")
        tol = float(params.get("tolerance", range_tolerance(lo, hi)))
        inputs = {"low": lo, "high": hi, "tolerance": tol}
        _check_directions(d, (TARGET_RANGE,), "target-range scoring", None)
        score = float(score_target_range(x, lo, hi, tol)[0])
        segment, formula = _explain_target_range(v, lo, hi, tol, score)
    elif code in (Method.PERCENT_CAPPED, Method.PERCENT_UNCAPPED):
        (t,) = _need(params, "target")
        inputs = {"target": t}
        cap = 100.0 if code is Method.PERCENT_CAPPED else None
        score = float(score_percent_of_target(x, t, direction=d, cap=cap)[0])
        segment, formula = _explain_percent(v, t, direction, cap, score)
    elif code is Method.BANDED:
        edges = _indexed(params, "edge_", 0)
        band_scores = _indexed(params, "band_score_", 0)
        inputs = {f"edge_{i}": e for i, e in enumerate(edges)}
        inputs.update({f"band_score_{i}": s for i, s in enumerate(band_scores)})
        score = float(score_banded(x, edges, band_scores, direction=direction)[0])
        segment, formula = _explain_banded(v, edges, direction, score)
    else:
        level_scores = _indexed(params, "level_score_", 1)
        inputs = {f"level_score_{i + 1}": s for i, s in enumerate(level_scores)}
        score = float(score_rubric(x, level_scores)[0])
        segment = "not rated" if isnan(v) else f"level {_fmt(v)} of {len(level_scores)}"
        formula = (
            "no score without a level"
            if isnan(v)
            else f"score for level {_fmt(v)} = {_score_text(score)}"
        )

    if isnan(v):
        segment, formula = "no value", "no score without a value"
    elif any(isnan(p) for p in inputs.values()):
        segment, formula = "no score", "a parameter is missing, so there is no score"
    return {
        "method": code.name.lower(),
        "direction": _DIRECTION_NAMES[direction],
        "value": _json_number(v),
        "inputs": {name: _json_number(p) for name, p in inputs.items()},
        "segment": segment,
        "formula": formula,
        "score": _json_number(score),
    }


def _limited(raw: float, score: float) -> str:
    return "" if raw == score else f", limited to {_score_text(score)}"


def _explain_linear(v: float, r: float, g: float, score: float) -> tuple[str, str]:
    gap = g - r
    zero, full = r - gap, g + gap
    position = (v - r) / gap if gap else float("nan")
    if position <= -1.0:
        segment = f"at or past the zero-score point {_fmt(zero)}"
    elif position < 0.0:
        segment = f"between the zero-score point {_fmt(zero)} and red flag {_fmt(r)}"
    elif position <= 1.0:
        segment = f"between red flag {_fmt(r)} and goal {_fmt(g)}"
    elif position < 2.0:
        segment = f"between goal {_fmt(g)} and the full-score point {_fmt(full)}"
    else:
        segment = f"at or past the full-score point {_fmt(full)}"
    raw = RED_FLAG_SCORE * (1.0 + position)
    formula = (
        f"100/3 * (1 + ({_operand(v)} - {_operand(r)}) / ({_operand(g)} - {_operand(r)})) "
        f"= {_score_text(raw)}{_limited(raw, score)}"
    )
    return segment, formula


def _explain_piecewise(
    v: float, th: float, tg: float, st: float, direction: int, score: float
) -> tuple[str, str]:
    def short_of(x: float, y: float) -> bool:
        return x < y if direction == HIGHER_IS_BETTER else x > y

    if short_of(v, th):
        return (
            f"short of threshold {_fmt(th)} (gate)",
            f"0 (short of the threshold {_fmt(th)})",
        )
    if short_of(v, tg):
        lo_name, lo, hi_name, hi, base, rise = "threshold", th, "target", tg, 50, 30
    elif short_of(v, st):
        lo_name, lo, hi_name, hi, base, rise = "target", tg, "stretch", st, 80, 20
    else:
        return f"at or beyond stretch {_fmt(st)}", f"{_fmt(STRETCH_SCORE)} (stretch reached)"
    formula = (
        f"{base} + {rise} * ({_operand(v)} - {_operand(lo)}) / ({_operand(hi)} - {_operand(lo)}) "
        f"= {_score_text(score)}"
    )
    return f"between {lo_name} {_fmt(lo)} and {hi_name} {_fmt(hi)}", formula


def _explain_target_range(
    v: float, lo: float, hi: float, tol: float, score: float
) -> tuple[str, str]:
    if lo <= v <= hi:
        return f"inside the range {_fmt(lo)} to {_fmt(hi)}", "100 (inside the range)"
    if v < lo:
        distance, side = lo - v, f"below the range by {_fmt(lo - v)} (low {_fmt(lo)})"
    else:
        distance, side = v - hi, f"above the range by {_fmt(v - hi)} (high {_fmt(hi)})"
    raw = 100.0 * (1.0 - distance / tol)
    formula = (
        f"100 * (1 - {_fmt(distance)} / {_fmt(tol)}) = {_score_text(raw)}{_limited(raw, score)}"
    )
    return side, formula


def _explain_percent(
    v: float, t: float, direction: int, cap: float | None, score: float
) -> tuple[str, str]:
    if not t > 0.0 and not isnan(t):
        return (
            f"target {_fmt(t)} is not positive",
            "a percentage of a zero or negative target is undefined",
        )
    percent = 100.0 * v / t
    segment = f"{_score_text(percent)}% of target {_fmt(t)}"
    if direction == HIGHER_IS_BETTER:
        raw, formula = percent, f"100 * {_operand(v)} / {_operand(t)}"
    else:
        raw, formula = 100.0 * (2.0 - v / t), f"100 * (2 - {_operand(v)} / {_operand(t)})"
    return segment, f"{formula} = {_score_text(raw)}{_limited(raw, score)}"


def band_ranges(edges: list[float], direction: int) -> list[str]:
    """The values each band of :func:`score_banded` holds, in words, worst band first.

    Parameters
    ----------
    edges : list of float
        Strictly ascending band edges (at least one).
    direction : int
        1 (higher is better) or -1 (lower is better).

    Returns
    -------
    list of str
        ``len(edges) + 1`` descriptions, in the order of ``band_scores``.

    Examples
    --------
    >>> band_ranges([0.0, 30.0], 1)
    ['below 0', 'from 0 up to 30', 'at or above 30']
    >>> band_ranges([0.5, 2.0], -1)
    ['above 2', 'above 0.5 up to 2', 'at or below 0.5']
    """
    k = len(edges)
    if direction == HIGHER_IS_BETTER:
        return [
            f"below {_fmt(edges[0])}",
            *(f"from {_fmt(edges[i - 1])} up to {_fmt(edges[i])}" for i in range(1, k)),
            f"at or above {_fmt(edges[-1])}",
        ]
    return [
        f"above {_fmt(edges[-1])}",
        *(f"above {_fmt(edges[k - b - 1])} up to {_fmt(edges[k - b])}" for b in range(1, k)),
        f"at or below {_fmt(edges[0])}",
    ]


def _explain_banded(v: float, edges: list[float], direction: int, score: float) -> tuple[str, str]:
    if direction == HIGHER_IS_BETTER:
        band = int(np.searchsorted(edges, v, side="right"))
    else:
        band = len(edges) - int(np.searchsorted(edges, v, side="left"))
    segment = f"band {band}: {band_ranges(edges, direction)[band]}"
    return segment, f"score of band {band} = {_score_text(score)}"
