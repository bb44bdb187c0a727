"""Coverage of a scorecard: the values a score rests on against the values expected.

A month whose data is still arriving gives scores computed from the few values present;
coverage says how few. For every node of a scorecard graph, *expected* counts the KPI
values (leaves) below it that are due in the month, and *present* those of them that have
a score. Counting runs over the same edges as the roll-up, so a leaf is counted once for
every path by which it reaches the node (a KPI measuring two objectives counts twice in
their unit, as it weighs twice in its score). Edges of weight 0 count nothing, as they
weigh nothing.

The coverage ratio is ``present / expected``: the completeness measure "Com-I-1" of
ISO/IEC 25024:2015 (data items with a value against data items required). A month is
:attr:`MonthState.COMPLETE` when it has ended and every expected value is present,
:attr:`MonthState.SUFFICIENT` when it has ended and the ratio reaches a threshold, and
:attr:`MonthState.PROVISIONAL` otherwise: a month not yet over is always provisional.

NaN policy
----------
Leaf indicators are booleans: there is no NaN input. A node expecting nothing has a NaN
ratio; a month that has ended with nothing expected is complete (nothing is missing).

Examples
--------
Two KPIs under an objective, one of them present:

>>> plan = counting_plan(3, [0, 1], [2, 2], [0.3, 0.7])
>>> plan.apply(np.array([1.0, 1.0, 0.0])).tolist()  # expected
[1.0, 1.0, 2.0]
>>> coverage_ratio(np.array([1.0]), np.array([2.0])).tolist()
[0.5]
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np
import numpy.typing as npt
from numpy.typing import ArrayLike

from scoreline.engine.arrays import as_floats
from scoreline.engine.errors import EngineInputError
from scoreline.engine.rollup import Combine, Missing, RollupPlan

__all__ = [
    "Cycle",
    "MonthState",
    "counting_plan",
    "coverage_ratio",
    "due",
    "month_states",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class Cycle(IntEnum):
    """How often a KPI's value is due."""

    #: Every month (monthly and weekly KPIs, and KPIs without a cycle).
    MONTHLY = 1
    #: The last month of each quarter of the target's span.
    QUARTERLY = 2
    #: The last month of the target's span.
    ANNUAL = 3


class MonthState(IntEnum):
    """How far a month's data can be trusted."""

    PROVISIONAL = 0
    SUFFICIENT = 1
    COMPLETE = 2


def counting_plan(
    n_nodes: int, edge_child: ArrayLike, edge_parent: ArrayLike, edge_weight: ArrayLike
) -> RollupPlan:
    """A roll-up plan that adds up leaf counts over a scorecard's edges.

    Applied to 0/1 leaf indicators it gives every node the number of leaves (paths)
    below it that carry a 1. An edge of weight 0 counts nothing; an edge of NaN weight,
    which blanks its parent's score, still counts.

    Examples
    --------
    >>> plan = counting_plan(4, [0, 1, 2], [2, 3, 3], [1.0, 2.0, 0.0])
    >>> plan.apply(np.array([1.0, 1.0, 0.0, 0.0])).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    weight = as_floats(edge_weight, "edge_weight")
    counts = np.where(np.isnan(weight) | (weight > 0), 1.0, 0.0)
    return RollupPlan(
        n_nodes,
        edge_child,
        edge_parent,
        counts,
        node_combine=Combine.SUM,
        node_missing=Missing.ZERO,
        node_cap=np.inf,
    )


def due(cycle: ArrayLike, offset: ArrayLike, length: ArrayLike) -> BoolArray:
    """Whether a value is due in month ``offset`` (0-based) of a target span of ``length``.

    Monthly values are due every month, quarterly ones in every third month of the span
    and its last, annual ones in its last month.

    Examples
    --------
    >>> due([Cycle.MONTHLY, Cycle.QUARTERLY, Cycle.QUARTERLY, Cycle.ANNUAL], [0, 1, 2, 11], 12)
    array([ True, False,  True,  True])
    """
    cycle, offset, length = (np.asarray(x, dtype=np.int64) for x in (cycle, offset, length))
    known = np.isin(cycle, [c.value for c in Cycle])
    if not known.all():
        bad = np.flatnonzero(~known.ravel())[0]
        raise EngineInputError(f"cycle[{bad}] = {cycle.ravel()[bad]} is not a Cycle code")
    last = offset == length - 1
    return np.select(
        [cycle == Cycle.MONTHLY, cycle == Cycle.QUARTERLY],
        [np.ones_like(last), last | ((offset + 1) % 3 == 0)],
        default=last,
    ).astype(bool)


def coverage_ratio(present: ArrayLike, expected: ArrayLike) -> FloatArray:
    """``present / expected`` (NaN where nothing is expected).

    Examples
    --------
    >>> coverage_ratio([3, 0, 2], [4, 0, 2]).tolist()
    [0.75, nan, 1.0]
    """
    got, wanted = as_floats(present, "present"), as_floats(expected, "expected")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(wanted > 0, got / np.where(wanted > 0, wanted, 1.0), np.nan)


def month_states(
    present: ArrayLike, expected: ArrayLike, ended: ArrayLike, threshold: float
) -> IntArray:
    """Each month's :class:`MonthState` from its counts and whether it has ended.

    Parameters
    ----------
    present, expected : array_like of float
        Values present and values expected.
    ended : array_like of bool
        Whether the month is over (its data are due).
    threshold : float
        The smallest coverage ratio, in ``(0, 1]``, that makes an ended month sufficient.

    Examples
    --------
    >>> month_states([10, 9, 8, 10, 0], [10, 10, 10, 10, 0], [1, 1, 1, 0, 1], 0.9).tolist()
    [2, 1, 0, 0, 2]
    """
    if not 0.0 < threshold <= 1.0:
        raise EngineInputError(f"threshold must be in (0, 1], got {threshold}")
    ratio = coverage_ratio(present, expected)
    over = np.asarray(ended, dtype=bool)
    complete = over & (np.isnan(ratio) | (ratio >= 1.0))
    sufficient = over & (ratio >= threshold)
    return np.select(
        [complete, sufficient], [MonthState.COMPLETE, MonthState.SUFFICIENT], MonthState.PROVISIONAL
    ).astype(np.int64)
