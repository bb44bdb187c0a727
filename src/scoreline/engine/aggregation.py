"""Aggregating measured values over time and up the organisation tree.

Time and tree are separate questions with separate rules: a headcount is the
*last* month of a quarter but the *sum* over units; a satisfaction score is the
*average* of the months and the *headcount-weighted* mean over units. Each KPI
names one rule for each, and the two functions here apply them.

:func:`aggregate_time` folds periods into coarser periods (months into quarters
or years) given a group index per period. :func:`aggregate_tree` gives every
unit the aggregate over its whole subtree, the tree given as lists of
ancestors-or-self per unit (compressed sparse rows, as :func:`ancestors_csr`
builds them from a parent array). Both work on many series at once and loop in
Python only over methods or tree depth, never over values.

NaN policy
----------
A NaN value is "no value": it is left out of every aggregate. A group or subtree
with no value at all aggregates to NaN (a sum of nothing is unknown, not 0). For
``HEADCOUNT_WEIGHTED`` a unit with a NaN headcount is left out; for ``LAST`` a
period whose ``order`` is NaN is left out.

Examples
--------
Months to quarters, summed and last-of-quarter:

>>> months = np.array([10.0, 20.0, np.nan, 40.0, np.nan, np.nan])
>>> quarter = np.array([0, 0, 0, 1, 1, 1])
>>> aggregate_time(months, quarter, 2, TimeAggregation.SUM).tolist()
[30.0, 40.0]
>>> aggregate_time(months, quarter, 2, TimeAggregation.LAST).tolist()
[20.0, 40.0]

A unit tree (0 is the root of 1 and 2; 3 sits under 2), summed over subtrees (dense,
and sparse with :func:`aggregate_tree_entries` when few units hold values):

>>> indptr, index = ancestors_csr(np.array([-1, 0, 0, 2]))
>>> aggregate_tree(np.array([1.0, 2.0, 3.0, 4.0]), indptr, index, TreeAggregation.SUM).tolist()
[10.0, 2.0, 7.0, 4.0]
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scoreline.engine.arrays import as_floats
from scoreline.engine.errors import EngineInputError

__all__ = [
    "TimeAggregation",
    "TreeAggregation",
    "aggregate_time",
    "aggregate_tree",
    "aggregate_tree_entries",
    "ancestor_pairs",
    "ancestors_csr",
]

FloatArray = NDArray[np.float64]
IndexArray = NDArray[np.intp]


class TimeAggregation(IntEnum):
    """How a KPI's values over several periods make the value of a longer period."""

    SUM = 1
    AVERAGE = 2
    LAST = 3
    MIN = 4
    MAX = 5


class TreeAggregation(IntEnum):
    """How a KPI's unit values make the value of a unit with a subtree."""

    SUM = 1
    AVERAGE = 2
    HEADCOUNT_WEIGHTED = 3
    MIN = 4
    MAX = 5
    NONE = 6


def _series(values: ArrayLike, name: str) -> FloatArray:
    """``values`` as floats with one or two dimensions (elements, or elements x series)."""
    array = as_floats(values, name)
    if array.ndim not in (1, 2):
        raise EngineInputError(f"{name} must be 1-D or 2-D, got shape {array.shape}")
    return array


def _count(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise EngineInputError(f"{name} must be an int >= 0, got {value!r}")
    return int(value)


def _indices(values: ArrayLike, name: str, low: int, high: int) -> IndexArray:
    """A 1-D integer array with every entry in ``low .. high - 1``."""
    array = np.asarray(values)
    if array.ndim != 1:
        raise EngineInputError(f"{name} must be 1-D, got shape {array.shape}")
    if array.size == 0:
        return np.zeros(0, dtype=np.intp)
    if array.dtype == np.bool_ or not np.issubdtype(array.dtype, np.integer):
        raise EngineInputError(f"{name} must hold integers, got {array.dtype}")
    bad = np.flatnonzero((array < low) | (array >= high))
    if bad.size:
        raise EngineInputError(f"{name}[{bad[0]}] = {array[bad[0]]} is outside {low}..{high - 1}")
    return array.astype(np.intp, copy=False)


def _codes(how: ArrayLike, codes: type[IntEnum], name: str) -> NDArray[np.int64]:
    array = np.asarray(how)
    if array.size and (array.dtype == np.bool_ or not np.issubdtype(array.dtype, np.integer)):
        raise EngineInputError(f"{name} must be {codes.__name__} codes, got {array.dtype}")
    known = np.array([member.value for member in codes])
    bad = np.flatnonzero(~np.isin(array.ravel(), known))
    if bad.size:
        choices = ", ".join(f"{member.value} = {member.name}" for member in codes)
        raise EngineInputError(
            f"{array.ravel()[bad[0]]} is not a {codes.__name__} code ({choices})"
        )
    return array.astype(np.int64)


def _sum_and_count(
    values: FloatArray, starts: IndexArray, axis: int
) -> tuple[FloatArray, NDArray[np.intp]]:
    missing = np.isnan(values)
    sums = np.add.reduceat(np.where(missing, 0.0, values), starts, axis=axis)
    counts = np.add.reduceat(~missing, starts, axis=axis, dtype=np.intp)
    return sums, counts


def aggregate_time(
    values: ArrayLike,
    group_index: ArrayLike,
    n_groups: int,
    how: ArrayLike,
    order: ArrayLike | None = None,
) -> FloatArray:
    """Aggregate periods into groups of periods (months into quarters, ...).

    Parameters
    ----------
    values : array_like of float, shape (n_periods,) or (n_series, n_periods)
        One value per period, or one row of periods per series (KPI, unit, ...).
    group_index : array_like of int, shape (n_periods,)
        The group (``0 .. n_groups - 1``) each period falls in.
    n_groups : int
        Number of groups; groups without a period come out NaN.
    how : int or array_like of int
        :class:`TimeAggregation` code, or for 2-D ``values`` one code per series.
    order : array_like of float, shape (n_periods,), optional
        Chronological position of each period, used by ``LAST`` (the value with
        the greatest order among the group's non-NaN values wins; ties go to the
        later column). Defaults to the column position. NaN leaves a period out of
        ``LAST``.

    Returns
    -------
    ndarray of float64, shape (n_groups,) or (n_series, n_groups)
        ``SUM``, ``AVERAGE``, ``MIN``, ``MAX`` over the non-NaN values of each
        group, ``LAST`` the latest non-NaN value; NaN for a group with no value.

    Raises
    ------
    EngineInputError
        Shapes do not match, a group index is out of range, or a code is unknown.

    Examples
    --------
    Two KPIs over four months into two bimesters, each KPI with its own rule:

    >>> values = np.array([[1.0, 2.0, 3.0, 4.0], [5.0, np.nan, 7.0, 6.0]])
    >>> aggregate_time(values, [0, 0, 1, 1], 2, [TimeAggregation.SUM, TimeAggregation.MAX])
    array([[3., 7.],
           [5., 7.]])

    ``LAST`` follows ``order``, not the column position:

    >>> aggregate_time([8.0, 9.0], [0, 0], 1, TimeAggregation.LAST, order=[2, 1]).tolist()
    [8.0]
    """
    data = _series(values, "values")
    rows = data[None, :] if data.ndim == 1 else data
    n_series, n_periods = rows.shape
    groups_wanted = _count(n_groups, "n_groups")
    groups = _indices(group_index, "group_index", 0, groups_wanted)
    if groups.size != n_periods:
        raise EngineInputError(
            f"group_index has {groups.size} entries but values have {n_periods} periods"
        )
    codes = _codes(how, TimeAggregation, "how")
    if codes.ndim == 0:
        codes = np.full(n_series, codes)
    elif data.ndim == 1 or codes.shape != (n_series,):
        raise EngineInputError(
            f"how must be one code or one per series ({n_series}), got shape {codes.shape}"
        )
    if order is None:
        ranks = np.arange(n_periods, dtype=np.float64)
    else:
        ranks = _series(order, "order")
        if ranks.shape != (n_periods,):
            raise EngineInputError(f"order must have one entry per period ({n_periods})")

    result = np.full((n_series, groups_wanted), np.nan)
    # Periods sorted by group, then order, then column: groups become contiguous runs
    # and the last usable column of a run is the LAST value.
    by_group = np.lexsort((np.arange(n_periods), np.nan_to_num(ranks, nan=-np.inf), groups))
    present, starts = np.unique(groups[by_group], return_index=True)
    if present.size == 0:
        return result[0] if data.ndim == 1 else result
    sorted_rows = rows[:, by_group]
    ranked = ~np.isnan(ranks[by_group])
    for code in np.unique(codes):
        series = np.flatnonzero(codes == code)
        block = sorted_rows[series]
        result[np.ix_(series, present)] = _reduce_periods(block, starts, int(code), ranked)
    return result[0] if data.ndim == 1 else result


def _reduce_periods(
    block: FloatArray, starts: IndexArray, code: int, ranked: NDArray[np.bool_]
) -> FloatArray:
    if code == TimeAggregation.MIN:
        lowest: FloatArray = np.fmin.reduceat(block, starts, axis=1)
        return lowest
    if code == TimeAggregation.MAX:
        highest: FloatArray = np.fmax.reduceat(block, starts, axis=1)
        return highest
    if code == TimeAggregation.LAST:
        usable = ~np.isnan(block) & ranked
        position = np.where(usable, np.arange(block.shape[1]), -1)
        latest = np.maximum.reduceat(position, starts, axis=1)
        picked = np.take_along_axis(block, np.maximum(latest, 0), axis=1)
        return np.where(latest >= 0, picked, np.nan)
    sums, counts = _sum_and_count(block, starts, axis=1)
    if code == TimeAggregation.SUM:
        return np.where(counts > 0, sums, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean: FloatArray = sums / counts
    return mean


def ancestors_csr(parent: ArrayLike) -> tuple[IndexArray, IndexArray]:
    """Ancestors-or-self of every unit of a forest, as compressed sparse rows.

    Parameters
    ----------
    parent : array_like of int, shape (n_units,)
        Each unit's parent index, ``-1`` for a root.

    Returns
    -------
    indptr : ndarray of intp, shape (n_units + 1,)
    index : ndarray of intp
        Unit ``i``'s ancestors are ``index[indptr[i]:indptr[i + 1]]``: ``i`` itself
        first, then its parent, grandparent, ... up to its root.

    Raises
    ------
    EngineInputError
        A parent index is out of range, or the parents form a cycle (the message
        names a unit on it).

    Examples
    --------
    >>> indptr, index = ancestors_csr([-1, 0, 1])
    >>> indptr.tolist(), index.tolist()
    ([0, 1, 3, 6], [0, 1, 0, 2, 1, 0])
    """
    parents = _indices(np.asarray(parent), "parent", -1, np.asarray(parent).size)
    n_units = parents.size
    units = np.arange(n_units, dtype=np.intp)
    # Pointer doubling: after 2**k >= n jumps every unit sits on its root, unless its
    # parent chain runs into a cycle, in which case it sits on the cycle.
    jump = np.where(parents < 0, units, parents)
    for _ in range(max(1, n_units.bit_length())):
        jump = jump[jump]
    looping = np.flatnonzero(parents[jump] >= 0)
    if looping.size:
        raise EngineInputError(f"the parents form a cycle through unit {jump[looping[0]]}")

    unit_pieces = [units]
    ancestor_pieces = [units]
    climbing = parents >= 0
    below, above = units[climbing], parents[climbing]
    while below.size:
        unit_pieces.append(below)
        ancestor_pieces.append(above)
        higher = parents[above]
        climbing = higher >= 0
        below, above = below[climbing], higher[climbing]
    unit_of_entry = np.concatenate(unit_pieces)
    by_unit = np.argsort(unit_of_entry, kind="stable")
    index = np.concatenate(ancestor_pieces)[by_unit]
    indptr = np.concatenate(([0], np.cumsum(np.bincount(unit_of_entry, minlength=n_units))))
    return indptr.astype(np.intp), index.astype(np.intp)


def _checked_csr(
    indptr_values: ArrayLike, index_values: ArrayLike, n_units: int
) -> tuple[IndexArray, IndexArray]:
    index = _indices(index_values, "ancestors_index", 0, max(n_units, 1))
    indptr = _indices(indptr_values, "ancestors_indptr", 0, index.size + 1)
    if indptr.size != n_units + 1 or indptr[0] != 0:
        raise EngineInputError(
            f"ancestors_indptr must have {n_units + 1} entries starting at 0, got {indptr.size}"
        )
    if indptr[-1] != index.size or (np.diff(indptr) < 0).any():
        raise EngineInputError(
            "ancestors_indptr must rise to the length of ancestors_index without falling"
        )
    member = np.repeat(np.arange(n_units, dtype=np.intp), np.diff(indptr))
    selves = np.bincount(member[index == member], minlength=n_units)
    wrong = np.flatnonzero(selves != 1)
    if wrong.size:
        raise EngineInputError(
            f"unit {wrong[0]}'s ancestors must list the unit itself exactly once"
        )
    pairs = np.sort(member * n_units + index)
    twins = np.flatnonzero(pairs[1:] == pairs[:-1])
    if twins.size:
        repeated = pairs[twins[0]]
        raise EngineInputError(
            f"unit {repeated // n_units} lists ancestor {repeated % n_units} twice"
        )
    return indptr, index


def _headcounts(headcount: ArrayLike | None, n_units: int) -> FloatArray:
    if headcount is None:
        raise EngineInputError("HEADCOUNT_WEIGHTED needs a headcount per unit")
    weights = _series(headcount, "headcount")
    if weights.shape != (n_units,):
        raise EngineInputError(f"headcount must have one entry per unit ({n_units})")
    if (weights < 0).any() or np.isinf(weights).any():
        raise EngineInputError("headcount must be finite and >= 0")
    return weights


def aggregate_tree(
    unit_values: ArrayLike,
    ancestors_indptr: ArrayLike,
    ancestors_index: ArrayLike,
    how: int,
    headcount: ArrayLike | None = None,
) -> FloatArray:
    """Aggregate every unit's subtree: the unit itself and all units below it.

    Parameters
    ----------
    unit_values : array_like of float, shape (n_units,) or (n_units, n_periods)
        Each unit's own value (NaN = no value).
    ancestors_indptr, ancestors_index : array_like of int
        Each unit's ancestors-or-self as compressed sparse rows (see
        :func:`ancestors_csr`): unit ``i`` counts towards every unit in
        ``ancestors_index[ancestors_indptr[i]:ancestors_indptr[i + 1]]``, which
        must include ``i`` once. Lists need not come from one tree: a unit may
        count towards several lines (matrix organisations).
    how : int
        :class:`TreeAggregation` code.
    headcount : array_like of float, shape (n_units,), optional
        Each unit's own headcount; required for ``HEADCOUNT_WEIGHTED``, where the
        subtree value is ``sum(headcount * value) / sum(headcount)`` over the units
        with a value (NaN when that headcount sums to 0).

    Returns
    -------
    ndarray of float64, same shape as ``unit_values``
        Each unit's aggregate over the units of its subtree that have a value
        (``AVERAGE`` is their plain mean); NaN for a subtree without a value.
        ``NONE`` returns a copy of ``unit_values``.

    Raises
    ------
    EngineInputError
        Malformed ancestor lists, an unknown code, or a missing, negative or
        infinite headcount for ``HEADCOUNT_WEIGHTED``.

    Examples
    --------
    Engagement 80 in a team of 30 and 60 in a team of 10 under one department:

    >>> indptr, index = ancestors_csr([-1, 0, 0])
    >>> aggregate_tree(
    ...     [np.nan, 80.0, 60.0], indptr, index, TreeAggregation.HEADCOUNT_WEIGHTED,
    ...     headcount=[0, 30, 10],
    ... ).tolist()
    [75.0, 80.0, 60.0]
    """
    data = _series(unit_values, "unit_values")
    n_units = data.shape[0]
    code = _codes(how, TreeAggregation, "how")
    if code.ndim != 0:
        raise EngineInputError("how must be a single TreeAggregation code")
    indptr, index = _checked_csr(ancestors_indptr, ancestors_index, n_units)
    weights = (
        _headcounts(headcount, n_units) if code == TreeAggregation.HEADCOUNT_WEIGHTED else None
    )
    if code == TreeAggregation.NONE or n_units == 0:
        return data.copy()

    rows = data[:, None] if data.ndim == 1 else data
    member = np.repeat(np.arange(n_units, dtype=np.intp), np.diff(indptr))
    # Entries grouped by the ancestor they count towards; every unit counts towards
    # itself, so no group is empty.
    by_ancestor = np.argsort(index, kind="stable")
    contributor = member[by_ancestor]
    sizes = np.bincount(index, minlength=n_units)
    starts = np.cumsum(sizes) - sizes
    values = rows[contributor]
    result: FloatArray
    if code == TreeAggregation.MIN:
        result = np.fmin.reduceat(values, starts, axis=0)
    elif code == TreeAggregation.MAX:
        result = np.fmax.reduceat(values, starts, axis=0)
    elif weights is not None:
        weight = weights[contributor][:, None]
        usable = ~np.isnan(values) & ~np.isnan(weight)
        numerator = np.add.reduceat(np.where(usable, values * weight, 0.0), starts, axis=0)
        denominator = np.add.reduceat(np.where(usable, weight, 0.0), starts, axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            result = numerator / denominator
    else:
        sums, counts = _sum_and_count(values, starts, axis=0)
        if code == TreeAggregation.SUM:
            result = np.where(counts > 0, sums, np.nan)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                result = sums / counts
    return result[:, 0] if data.ndim == 1 else result


def _pairs(
    entry_unit: IndexArray, indptr: IndexArray, index: IndexArray
) -> tuple[IndexArray, IndexArray, IndexArray]:
    """Each entry once per ancestor-or-self of its unit (checked inputs)."""
    first, count = indptr[entry_unit], indptr[entry_unit + 1] - indptr[entry_unit]
    entry = np.repeat(np.arange(entry_unit.size, dtype=np.intp), count)
    step = np.arange(entry.size, dtype=np.intp) - np.repeat(np.cumsum(count) - count, count)
    return entry, index[first[entry] + step], step


def ancestor_pairs(
    unit: ArrayLike, ancestors_indptr: ArrayLike, ancestors_index: ArrayLike
) -> tuple[IndexArray, IndexArray, IndexArray]:
    """Every entry once per ancestor-or-self of its unit, as (entry, ancestor, step).

    ``step`` is the ancestor's place in the unit's list: 0 for the unit itself, then 1,
    2, ... (in a tree as :func:`ancestors_csr` lists it, the parent, the grandparent, ...).
    The pairs come in entry order, each entry's in the order of its list.

    Examples
    --------
    >>> indptr, index = ancestors_csr([-1, 0, 1])
    >>> [column.tolist() for column in ancestor_pairs([2, 0], indptr, index)]
    [[0, 0, 0, 1], [2, 1, 0, 0], [0, 1, 2, 0]]
    """
    n_units = max(np.asarray(ancestors_indptr).size - 1, 0)
    indptr, index = _checked_csr(ancestors_indptr, ancestors_index, n_units)
    return _pairs(_indices(unit, "unit", 0, max(n_units, 1)), indptr, index)


def _at_or_above_holders(
    pair_key: NDArray[np.int64], step: IndexArray, held_key: NDArray[np.int64]
) -> NDArray[np.bool_]:
    """Pairs (as :func:`_pairs` lays them out, entry by entry from the unit up) whose
    ancestor is, or lies above, the nearest holder strictly above the entry's unit."""
    holder = (step > 0) & np.isin(pair_key, held_key)
    seen = np.cumsum(holder)
    # Each entry's run starts at its step 0; holders seen in earlier runs do not count.
    starts = np.flatnonzero(step == 0)
    run = np.cumsum(step == 0) - 1
    blocked: NDArray[np.bool_] = np.greater(seen - (seen[starts] - holder[starts])[run], 0)
    return blocked


def aggregate_tree_entries(
    unit: ArrayLike,
    group: ArrayLike,
    values: ArrayLike,
    ancestors_indptr: ArrayLike,
    ancestors_index: ArrayLike,
    how: int,
    headcount: ArrayLike | None = None,
    *,
    stop_at_holders: bool = False,
) -> tuple[IndexArray, NDArray[np.int64], FloatArray]:
    """:func:`aggregate_tree` for sparse data: values given as (unit, group, value) entries.

    Where few units hold values, a dense units x series grid is mostly empty; here each
    entry is spread to its ancestors-or-self and the aggregates are formed per
    (ancestor, group) that received at least one value, in time proportional to the
    entries times the tree's depth. A group is any series label (say, KPI x month).

    Parameters
    ----------
    unit : array_like of int, shape (n,)
        Each entry's unit index.
    group : array_like of int, shape (n,)
        Each entry's series, an integer >= 0. A unit should hold at most one entry per
        group (a second one counts as another unit's value).
    values : array_like of float, shape (n,)
        The values; NaN entries are left out.
    ancestors_indptr, ancestors_index, how, headcount
        As for :func:`aggregate_tree`.
    stop_at_holders : bool, default False
        A unit's own value stands for its whole subtree: an entry counts towards the
        ancestors up to, not including, the nearest one holding an entry of its own in the
        same group, so a total is not added to the parts it already holds. It needs each
        unit's ancestors listed nearest first, as :func:`ancestors_csr` lists them.

    Returns
    -------
    unit, group, aggregate : ndarrays
        One element per (unit, group) whose subtree holds a value in that group, sorted
        by group then unit; the aggregate equals what :func:`aggregate_tree` gives that
        unit for that series (NaN where headcounts sum to 0), or with ``stop_at_holders``
        the aggregate of the values nearest to it in each line (a unit holding a value
        gets that value).

    Examples
    --------
    >>> indptr, index = ancestors_csr([-1, 0, 0])
    >>> unit, group, total = aggregate_tree_entries(
    ...     [1, 2, 2], [0, 0, 1], [5.0, 7.0, 1.0], indptr, index, TreeAggregation.SUM
    ... )
    >>> unit.tolist(), group.tolist(), total.tolist()
    ([0, 1, 2, 0, 2], [0, 0, 0, 1, 1], [12.0, 5.0, 7.0, 1.0, 1.0])

    A department (1) reporting its total of 9 and one of its teams (3) its 4: the group
    adds the department's total, not the team's part of it again:

    >>> indptr, index = ancestors_csr([-1, 0, 0, 1])
    >>> unit, group, total = aggregate_tree_entries(
    ...     [1, 2, 3], [0, 0, 0], [9.0, 7.0, 4.0], indptr, index, TreeAggregation.SUM,
    ...     stop_at_holders=True,
    ... )
    >>> unit.tolist(), total.tolist()
    ([0, 1, 2, 3], [16.0, 9.0, 7.0, 4.0])
    """
    data = _series(values, "values")
    if data.ndim != 1:
        raise EngineInputError(f"values must be 1-D, got shape {data.shape}")
    code = _codes(how, TreeAggregation, "how")
    if code.ndim != 0:
        raise EngineInputError("how must be a single TreeAggregation code")
    n_units = max(np.asarray(ancestors_indptr).size - 1, 0)
    indptr, index = _checked_csr(ancestors_indptr, ancestors_index, n_units)
    entry_unit = _indices(unit, "unit", 0, max(n_units, 1))
    entry_group = _indices(group, "group", 0, np.iinfo(np.intp).max).astype(np.int64)
    if not entry_unit.size == entry_group.size == data.size:
        raise EngineInputError("unit, group and values must have one element per entry")
    weights = (
        _headcounts(headcount, n_units) if code == TreeAggregation.HEADCOUNT_WEIGHTED else None
    )
    keep = ~np.isnan(data)
    entry_unit, entry_group, data = entry_unit[keep], entry_group[keep], data[keep]
    if code == TreeAggregation.NONE:
        order = np.lexsort((entry_unit, entry_group))
        return entry_unit[order], entry_group[order], data[order]

    entry, ancestor, step = _pairs(entry_unit, indptr, index)
    pair_key = entry_group[entry] * max(n_units, 1) + ancestor
    if stop_at_holders:
        held = entry_group * max(n_units, 1) + entry_unit
        counted = ~_at_or_above_holders(pair_key, step, held)
        entry, pair_key = entry[counted], pair_key[counted]
    keys, slot = np.unique(pair_key, return_inverse=True)
    spread = data[entry]
    result: FloatArray
    if code in (TreeAggregation.MIN, TreeAggregation.MAX):
        result = np.full(keys.size, np.inf if code == TreeAggregation.MIN else -np.inf)
        reduce = np.minimum if code == TreeAggregation.MIN else np.maximum
        reduce.at(result, slot, spread)
    elif weights is not None:
        weight = weights[entry_unit][entry]
        usable = ~np.isnan(weight)
        numerator = np.bincount(slot[usable], (spread * weight)[usable], minlength=keys.size)
        denominator = np.bincount(slot[usable], weight[usable], minlength=keys.size)
        with np.errstate(divide="ignore", invalid="ignore"):
            result = numerator / denominator
    else:
        result = np.asarray(np.bincount(slot, spread, minlength=keys.size), dtype=np.float64)
        if code == TreeAggregation.AVERAGE:
            result = result / np.bincount(slot, minlength=keys.size).astype(np.float64)
    return (keys % max(n_units, 1)).astype(np.intp), keys // max(n_units, 1), result
