"""Whether a subtree has every expected value in, so that its sum can be trusted.

A unit without a value of its own takes the aggregate of its subtree's values. For a sum
(:attr:`~scoreline.engine.aggregation.TreeAggregation.SUM`) a unit that has not reported
yet would count as zero: the group's revenue looks low while the month's data are still
arriving. A sum is therefore only formed when every expected contribution is there. The
other tree rules (average, headcount-weighted mean, minimum, maximum) estimate the subtree
from the units present; a missing unit does not drag them towards zero, and they need no
such test.

The rule, per group (a KPI in a month):

- Some units are *expected* to report (the caller says which: a target in force and the
  KPI's refresh cycle due). The *bottom reporters* are the expected units with no
  expected unit below them.
- A unit's value stands for its whole subtree, so a bottom reporter R is *covered* at the
  depth ``d(R)`` of the nearest unit at or above it that holds a value (-1 when none).
- A unit U is *complete* when every bottom reporter in its subtree (U included) is covered
  inside that subtree: ``d(R) > depth(U)``, one minimum over the subtree. A unit with no
  expected unit at or below it has nothing to wait for and counts as complete.

Units are positions in a tree whose ancestor lists come from
:func:`~scoreline.engine.aggregation.ancestors_csr` (the unit first, then its parent up to
the root), so a unit's depth is the length of its list less one. Groups are integers >= 0.

Examples
--------
GRP (0) has UK (1) and DE (2); UK has UK-SAL (3) and UK-OPS (4); every unit is expected.
Only UK-SAL has reported, so neither UK nor GRP is complete:

>>> from scoreline.engine.aggregation import ancestors_csr
>>> indptr, index = ancestors_csr([-1, 0, 0, 1, 1])
>>> everyone, month = np.arange(5), np.zeros(5, dtype=np.int64)
>>> complete_subtrees([0, 1], [0, 0], everyone, month, [3], [0], indptr, index).tolist()
[False, False]

UK-OPS reports too: UK is complete, the group still waits for DE.

>>> complete_subtrees([0, 1], [0, 0], everyone, month, [3, 4], [0, 0], indptr, index).tolist()
[False, True]
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numpy.typing import ArrayLike

from scoreline.engine.aggregation import TreeAggregation, aggregate_tree_entries, ancestor_pairs
from scoreline.engine.errors import EngineInputError
from scoreline.engine.sets import lookup

__all__ = ["bottom_reporters", "complete_subtrees", "holder_depths"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def _entries(
    unit: ArrayLike, group: ArrayLike, name: str, indptr: ArrayLike, index: ArrayLike
) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray, int]:
    """Checked entries spread over their ancestors-or-self: the entries' units and groups,
    each pair's entry, ancestor and step, and the number of units."""
    units, groups = np.asarray(unit), np.asarray(group)
    if groups.size and (groups.dtype == np.bool_ or not np.issubdtype(groups.dtype, np.integer)):
        raise EngineInputError(f"{name} groups must hold integers, got {groups.dtype}")
    if units.ndim != 1 or groups.shape != units.shape:
        raise EngineInputError(f"{name} units and groups must be 1-D and of one length")
    if (groups < 0).any():
        raise EngineInputError(f"{name} groups must be >= 0")
    entry, ancestor, step = ancestor_pairs(units, indptr, index)
    n_units = max(np.asarray(indptr).size - 1, 1)
    return (
        units.astype(np.int64),
        groups.astype(np.int64),
        entry.astype(np.int64),
        ancestor.astype(np.int64),
        step.astype(np.int64),
        n_units,
    )


def _depths(ancestors_indptr: ArrayLike) -> IntArray:
    """Each unit's depth: the length of its ancestor list (itself included) less one."""
    indptr = np.asarray(ancestors_indptr, dtype=np.int64)
    return indptr[1:] - indptr[:-1] - 1


def bottom_reporters(
    unit: ArrayLike, group: ArrayLike, ancestors_indptr: ArrayLike, ancestors_index: ArrayLike
) -> BoolArray:
    """Whether each expected (unit, group) has no other expected unit of its group below it.

    Examples
    --------
    A department (1) and its team (2) are expected in month 0, the department alone in
    month 1:

    >>> from scoreline.engine.aggregation import ancestors_csr
    >>> indptr, index = ancestors_csr([-1, 0, 1])
    >>> bottom_reporters([1, 2, 1], [0, 0, 1], indptr, index).tolist()
    [False, True, True]
    """
    units, groups, entry, ancestor, step, n = _entries(
        unit, group, "expected", ancestors_indptr, ancestors_index
    )
    above = step > 0
    has_below = groups[entry[above]] * n + ancestor[above]
    return ~np.isin(groups * n + units, has_below)


def holder_depths(
    unit: ArrayLike,
    group: ArrayLike,
    held_unit: ArrayLike,
    held_group: ArrayLike,
    ancestors_indptr: ArrayLike,
    ancestors_index: ArrayLike,
) -> IntArray:
    """The depth of the nearest unit at or above each (unit, group) holding a value of that
    group; -1 where none does.

    Examples
    --------
    The root (0) holds a value in month 0, the department (1) in month 1; the team (2)
    holds none:

    >>> from scoreline.engine.aggregation import ancestors_csr
    >>> indptr, index = ancestors_csr([-1, 0, 1])
    >>> holder_depths([2, 2, 2], [0, 1, 2], [0, 1], [0, 1], indptr, index).tolist()
    [0, 1, -1]
    """
    _, groups, entry, ancestor, _, n = _entries(
        unit, group, "asked", ancestors_indptr, ancestors_index
    )
    held_units, held_groups, *_ = _entries(
        held_unit, held_group, "held", ancestors_indptr, ancestors_index
    )
    depth = _depths(ancestors_indptr)
    holds = np.isin(groups[entry] * n + ancestor, held_groups * n + held_units)
    # Ancestors get shallower up the list: the nearest holder is the deepest one.
    nearest = np.full(groups.size, -1, dtype=np.int64)
    np.maximum.at(nearest, entry[holds], depth[ancestor[holds]])
    return nearest


def complete_subtrees(
    unit: ArrayLike,
    group: ArrayLike,
    expected_unit: ArrayLike,
    expected_group: ArrayLike,
    held_unit: ArrayLike,
    held_group: ArrayLike,
    ancestors_indptr: ArrayLike,
    ancestors_index: ArrayLike,
) -> BoolArray:
    """Whether each asked (unit, group) has every expected value of its subtree in.

    Parameters
    ----------
    unit, group : array_like of int, shape (n,)
        The (unit, group) pairs asked about (usually units to be filled by a sum).
    expected_unit, expected_group : array_like of int
        The units expected to report in each group.
    held_unit, held_group : array_like of int
        The units holding a value of their own in each group.
    ancestors_indptr, ancestors_index : array_like of int
        The tree, as :func:`~scoreline.engine.aggregation.ancestors_csr` gives it.

    Returns
    -------
    ndarray of bool, shape (n,)
        True when every bottom reporter at or below the unit is covered by a value inside
        the unit's subtree, or when no expected unit lies at or below it.

    Examples
    --------
    The tree of the module's example: DE (2) reports its own total, and UK-SAL (3) and
    UK-OPS (4) theirs; the group (0) is complete.

    >>> from scoreline.engine.aggregation import ancestors_csr
    >>> indptr, index = ancestors_csr([-1, 0, 0, 1, 1])
    >>> complete_subtrees(
    ...     [0], [0], np.arange(5), np.zeros(5, dtype=np.int64), [2, 3, 4], [0, 0, 0],
    ...     indptr, index,
    ... ).tolist()
    [True]
    """
    units, groups, *_ = _entries(unit, group, "asked", ancestors_indptr, ancestors_index)
    expected_units, expected_groups, *_ = _entries(
        expected_unit, expected_group, "expected", ancestors_indptr, ancestors_index
    )
    bottom = bottom_reporters(expected_units, expected_groups, ancestors_indptr, ancestors_index)
    reporters, reporter_groups = expected_units[bottom], expected_groups[bottom]
    covered_at = holder_depths(
        reporters, reporter_groups, held_unit, held_group, ancestors_indptr, ancestors_index
    )
    where, in_group, shallowest = aggregate_tree_entries(
        reporters,
        reporter_groups,
        covered_at.astype(np.float64),
        ancestors_indptr,
        ancestors_index,
        TreeAggregation.MIN,
    )
    if not where.size:
        return np.ones(units.size, dtype=bool)
    n = max(np.asarray(ancestors_indptr).size - 1, 1)
    at, waits = lookup(in_group * n + where, groups * n + units)
    depth = _depths(ancestors_indptr)
    covered: BoolArray = ~waits | (shallowest[at] > depth[units])
    return covered
