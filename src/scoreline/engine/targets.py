"""Targets over spans of months: which target covers a month, and its phased value there.

A target belongs to a *leaf* (one KPI at one unit or person, as an int64 code) and spans
the months ``first .. end - 1``. Months are integers, consecutive for consecutive months
(any origin); leaf codes and months below :data:`MONTHS` are packed into one integer
key as ``leaf * MONTHS + month``.

Where spans of one leaf overlap, every month they share belongs to the later target (the
one further down the inputs, which come in id order): :func:`target_segments` lays the
spans out as non-overlapping segments once, and :func:`covering_rows` then finds the
target of any leaf and month with one binary search. :class:`TargetSpans` adds the
phasing: each value takes its target phased on its own as month ``i`` of a span of ``n``
months (:func:`scoreline.engine.phasing.phase_periods`), so targets are never spread
over months without values.

NaN policy
----------
A leaf and month no span covers gets row -1 and NaN bounds. NaN bounds, baselines or
profile weights give NaN phased bounds (see :mod:`scoreline.engine.phasing`); a ramp
whose baseline or target is NaN, and a seasonal target without profile weights, are
phased flat instead.

Examples
--------
Two targets of leaf 1, the second taking months 3 and 4 out of the first's year:

>>> segments = target_segments(np.array([1, 1]), np.array([0, 3]), np.array([12, 5]))
>>> covering_rows(segments, np.array([1, 1, 1, 1]), np.array([2, 3, 5, 12])).tolist()
[0, 1, 0, -1]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from scoreline.engine import phasing

__all__ = [
    "MONTHS",
    "Segments",
    "TargetSpans",
    "covering_rows",
    "repeat_profiles",
    "target_segments",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Months below this bound, packed under KPI x subject codes into one integer key.
MONTHS = 1 << 20
# Target spans as (leaf, first month, end month, target row) arrays.
Segments = tuple[IntArray, IntArray, IntArray, IntArray]


def target_segments(leaf: IntArray, first: IntArray, end: IntArray) -> Segments:
    """Target spans as non-overlapping (leaf, first, end, row) segments sorted by leaf, first.

    Parameters
    ----------
    leaf : array of int64
        Each target's leaf code (KPI x subject), ``>= 0``.
    first, end : array of int64
        Each target's first month and the month just after its span, ``0 <= first <= end
        < MONTHS``.

    Returns
    -------
    Segments
        ``row`` is the position in the inputs, which are in id order. Spans that overlap
        no other of their leaf are their own segment; overlapping ones are laid out month
        by month, each month kept by the last row covering it, and joined back into runs.

    Examples
    --------
    >>> leaf, first, end, row = target_segments(
    ...     np.array([1, 1]), np.array([0, 3]), np.array([12, 5])
    ... )
    >>> list(zip(first.tolist(), end.tolist(), row.tolist()))
    [(0, 3, 0), (3, 5, 1), (5, 12, 0)]
    """
    order = np.lexsort((first, leaf))
    leaf_s, first_s, end_s = leaf[order], first[order], end[order]
    # Within a leaf (sorted), a span overlaps an earlier one when it starts before the
    # latest end so far; ranks lift each leaf above the last so one running max serves all.
    rank = np.r_[0, np.cumsum(leaf_s[1:] != leaf_s[:-1])]
    reach = np.maximum.accumulate(rank * MONTHS + end_s)
    same = np.r_[False, leaf_s[1:] == leaf_s[:-1]]
    clash = same & (first_s < np.r_[0, reach[:-1]] - rank * MONTHS)
    tangled = np.isin(leaf_s, leaf_s[clash])
    if not tangled.any():
        return leaf_s, first_s, end_s, order
    rows = order[tangled]
    length = end[rows] - first[rows]
    row = np.repeat(rows, length)
    month = first[row] + np.arange(len(row)) - np.repeat(np.cumsum(length) - length, length)
    key = leaf[row] * MONTHS + month
    ranked = np.lexsort((row, key))
    key, row = key[ranked], row[ranked]
    last = np.r_[key[1:] != key[:-1], True]
    key, row = key[last], row[last]
    # A new segment where the row changes or the months stop being consecutive.
    starts = np.r_[True, (row[1:] != row[:-1]) | (key[1:] != key[:-1] + 1)]
    begin = np.flatnonzero(starts)
    stop = np.r_[begin[1:], len(key)]
    untangled = ~tangled
    parts = (
        np.r_[leaf_s[untangled], key[begin] // MONTHS],
        np.r_[first_s[untangled], key[begin] % MONTHS],
        np.r_[end_s[untangled], key[stop - 1] % MONTHS + 1],
        np.r_[order[untangled], row[begin]],
    )
    resort = np.lexsort((parts[1], parts[0]))
    return parts[0][resort], parts[1][resort], parts[2][resort], parts[3][resort]


def covering_rows(segments: Segments, leaf: IntArray, month: IntArray) -> IntArray:
    """The target row covering each leaf and month; -1 for none.

    Parameters
    ----------
    segments : Segments
        The targets' spans as :func:`target_segments` lays them out: where a leaf's spans
        overlap, the months they share belong to the later row.
    leaf, month : array of int64
        The leaf codes and months asked for.

    Examples
    --------
    >>> segments = target_segments(np.array([5]), np.array([0]), np.array([12]))
    >>> covering_rows(segments, np.array([5, 5, 6]), np.array([11, 12, 0])).tolist()
    [0, -1, -1]
    """
    seg_leaf, seg_first, seg_end, seg_row = segments
    if not seg_leaf.size:
        return np.full(len(leaf), -1, dtype=np.int64)
    at = np.searchsorted(seg_leaf * MONTHS + seg_first, leaf * MONTHS + month, side="right") - 1
    safe = np.maximum(at, 0)
    covered = (at >= 0) & (seg_leaf[safe] == leaf) & (month < seg_end[safe])
    return np.where(covered, seg_row[safe], -1)


def repeat_profiles(weights: Sequence[Sequence[float]], n: int) -> FloatArray:
    """Seasonal weights as rows of ``n`` months, each repeated cyclically to the span.

    Parameters
    ----------
    weights : sequence of sequences of float
        One profile per target, of any non-zero length.
    n : int
        The span's length in months.

    Examples
    --------
    >>> repeat_profiles([[1.0, 2.0], [3.0, 4.0, 5.0]], 4).tolist()
    [[1.0, 2.0, 1.0, 2.0], [3.0, 4.0, 5.0, 3.0]]
    """
    result = np.empty((len(weights), n))
    lengths = np.array([len(w) for w in weights], dtype=np.int64)
    for size in np.unique(lengths).tolist():
        mine = np.flatnonzero(lengths == size)
        block = np.array([weights[i] for i in mine.tolist()], dtype=np.float64)
        result[mine] = block[:, np.arange(n) % size]
    return result


class TargetSpans:
    """Targets over spans of months, ready to give any leaf and month its phased bounds.

    Calling it gives a ``(len(bounds), n)`` array: each leaf and month takes the bounds of
    the target whose span covers it (the later target where spans overlap), phased on its
    own as month ``i`` of a span of ``n`` months by the target's phasing. Leaves and months
    without a target get NaN.

    Parameters
    ----------
    leaf, first, end : array of int64
        Each target's leaf code, first month and the month after its span, in id order.
    how : array of int64
        Each target's :class:`~scoreline.engine.phasing.Phasing` code. A ramp without a
        baseline or a target, and a season without profile weights, are phased flat.
    additive : array of bool
        Whether each target's KPI adds up over months.
    bounds : array of float, shape (n_bounds, n_targets)
        The values to phase: thresholds, targets, stretches, range ends.
    target : array of float
        Each target's target value, which a ramp moves: every bound keeps its distance
        from it.
    baseline : array of float
        Where a ramp starts.
    profiles : sequence
        Each target's seasonal weights (None or empty when it has none); they repeat over
        the span.

    Examples
    --------
    A flat target of 120 and a ramp from 0 to 100, both over a year:

    >>> spans = TargetSpans(
    ...     leaf=np.array([1, 2]), first=np.array([0, 0]), end=np.array([12, 12]),
    ...     how=np.array([1, 2]), additive=np.array([True, False]),
    ...     bounds=np.array([[120.0, 100.0]]), target=np.array([120.0, 100.0]),
    ...     baseline=np.array([np.nan, 0.0]), profiles=[None, None],
    ... )
    >>> spans(np.array([1, 2, 2, 3]), np.array([5, 0, 11, 0])).round(2).tolist()
    [[10.0, 0.0, 100.0, nan]]
    """

    def __init__(
        self,
        *,
        leaf: IntArray,
        first: IntArray,
        end: IntArray,
        how: IntArray,
        additive: BoolArray,
        bounds: FloatArray,
        target: FloatArray,
        baseline: FloatArray,
        profiles: Sequence[Sequence[float] | None],
    ) -> None:
        self.first, self.end = first, end
        self.segments = target_segments(leaf, first, end)
        self.how = _with_fallbacks(how, target, baseline, profiles)
        self.additive = additive
        self.bounds, self.target, self.baseline = bounds, target, baseline
        self.profiles = profiles

    def __call__(
        self, leaf: IntArray, month: IntArray, out: FloatArray | None = None
    ) -> FloatArray:
        """The phased bounds of each ``leaf`` and ``month``, written into ``out`` when it is
        given."""
        first, end, bounds, target = self.first, self.end, self.bounds, self.target
        row = covering_rows(self.segments, leaf, month)
        result = np.empty((len(bounds), len(leaf))) if out is None else out
        result.fill(np.nan)
        method = np.zeros(len(leaf), dtype=np.int64)  # 0: no target
        found = row >= 0
        method[found] = self.how[row[found]]
        for phased in phasing.Phasing:
            at = np.flatnonzero(method == phased)
            if not at.size:
                continue
            mine = row[at]
            n, period = end[mine] - first[mine], month[at] - first[mine]
            if phased == phasing.Phasing.LINEAR_RAMP:
                goal = phasing.phase_periods(
                    target[mine], n, period, phased, start_value=self.baseline[mine],
                    additive=self.additive[mine],
                )  # fmt: skip
                # A ramp moves the whole band: each bound keeps its distance from the target.
                result[:, at] = goal + (bounds[:, mine] - target[mine])
                continue
            share: FloatArray | float = np.nan
            if phased == phasing.Phasing.SEASONAL:
                share = self._profile_shares(mine, n, period)
            result[:, at] = phasing.phase_periods(
                bounds[:, mine], n, period, phased, share=share, additive=self.additive[mine]
            )
        return result

    def _profile_shares(self, row: IntArray, n: IntArray, period: IntArray) -> FloatArray:
        """Each seasonal element's share of its span's weights, which repeat over the span;
        validated and normalised in one engine call per span length."""
        result = np.empty(len(row))
        for length in np.unique(n).tolist():
            mine = np.flatnonzero(n == length)
            owners, slot = np.unique(row[mine], return_inverse=True)
            weights = [self.profiles[r] or () for r in owners.tolist()]
            shares = phasing.profile_shares(repeat_profiles(weights, length), length)
            result[mine] = shares[slot, period[mine]]
        return result


def _with_fallbacks(
    how: IntArray,
    target: FloatArray,
    baseline: FloatArray,
    profiles: Sequence[Sequence[float] | None],
) -> IntArray:
    """Phasing codes with a ramp lacking a start or a goal, and a season lacking weights,
    turned flat."""
    how = how.copy()
    no_start = np.isnan(baseline) | np.isnan(target)
    how[(how == phasing.Phasing.LINEAR_RAMP) & no_start] = phasing.Phasing.FLAT
    seasonal = np.flatnonzero(how == phasing.Phasing.SEASONAL)
    bare = [i for i in seasonal.tolist() if not profiles[i]]
    how[bare] = phasing.Phasing.FLAT
    return how
