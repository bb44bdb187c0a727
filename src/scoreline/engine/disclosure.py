"""Which counts of people may be shown without letting a viewer work out a small group.

A breakdown of a unit's people (by grade, gender, ...) is one row of a table whose rows are
the units and whose columns are the keys. Each row covers the unit's whole subtree, so the
rows of a unit and of its children are linked: a parent's cell is its own members' cell
plus its children's cells. Hiding a small cell is not enough; a viewer who subtracts the
shown cells from a total, or a parent's cell from its children's, must learn nothing either.

:func:`withhold` decides what to hide from the counts of the people the viewer cannot see
(those they can see, they could count themselves). Three rules, applied until none adds
anything (cells are only ever added, so it ends):

- **small cells**: a cell of 1 to ``minimum - 1`` unseen people is hidden;
- **rows** (complementary suppression): the hidden cells of a row are shown together as
  one "other" count, so a row hides at least two cells holding unseen people and at least
  ``minimum`` of them (the smallest other cells join until it does); a row that cannot,
  because it holds fewer than ``minimum`` unseen people, is withheld whole: no cell, no
  "other", no total;
- **families** (parent minus children): for a parent cell that is shown, the viewer knows
  its *residual*: the parent's cell minus the children's cells shown in that column, that
  is the parent's own members plus the hidden children's cells. The residual must hold no
  unseen people or at least ``minimum``, and when it holds hidden children's cells it must
  hold at least two unknown parts (two hidden children's cells, or one and the parent's own
  members), so no hidden cell is the residual alone. A child's cell (the smallest) is
  hidden until it does, or, when no child has one left, the parent's cell itself.

The keys of hidden cells are never shown (a row shows its shown cells and one "other"), so
a viewer cannot tell a hidden key from an empty one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["Withheld", "subtree_counts", "withhold"]

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class Withheld:
    """What to hide: ``totals[unit]`` (head counts), ``cells[unit, key]`` and ``rows[unit]``
    (breakdown rows withheld whole: no cell, no "other", no total)."""

    totals: BoolArray
    cells: BoolArray
    rows: BoolArray


def subtree_counts(own: IntArray, parent: IntArray) -> IntArray:
    """The counts of each unit's whole subtree from the counts of its own members.

    ``parent[i]`` is the row of unit ``i``'s parent, or -1 for a top unit.

    >>> subtree_counts(np.array([[1, 0], [2, 3], [0, 4]]), np.array([-1, 0, 1])).tolist()
    [[3, 7], [2, 7], [0, 4]]
    """
    totals = np.array(own, dtype=np.int64, copy=True)
    for unit in _deepest_first(parent):
        if parent[unit] >= 0:
            totals[parent[unit]] += totals[unit]
    return totals


def withhold(
    unseen: IntArray, parent: IntArray, minimum: int, *, unseen_heads: IntArray | None = None
) -> Withheld:
    """Decide which head counts and which cells of every unit's breakdown to hide from a viewer.

    The head counts (people in each unit and below) are decided first, as a breakdown with
    a single key; a unit whose head count is hidden has its breakdown withheld whole, so no
    breakdown gives its head count away.

    Parameters
    ----------
    unseen : array of int64, shape (n_units, n_keys)
        People the viewer cannot see, counted by their own unit (not its subtree) and key.
    parent : array of int64, shape (n_units,)
        Each unit's parent row, -1 for a top unit.
    minimum : int
        The minimum group size.
    unseen_heads : array of int64, shape (n_units,), optional
        The people of each unit the viewer cannot see at all, when the breakdown is of
        something the viewer may see of fewer people (gender, pay): head counts are about
        people, and must come out the same from every breakdown. Default: ``unseen`` summed.

    Returns
    -------
    Withheld
        The hidden head counts, the hidden cells of the breakdowns and the rows withheld
        whole.

    Examples
    --------
    A team of one, whose key nobody may learn, under a department of eleven:

    >>> hidden = withhold(np.array([[6, 5], [1, 0]]), np.array([-1, 0]), 5)
    >>> hidden.totals.tolist(), hidden.rows.tolist(), hidden.cells.tolist()
    ([False, True], [False, True], [[False, False], [True, True]])
    """
    own = np.asarray(unseen, dtype=np.int64)
    parent = np.asarray(parent, dtype=np.int64)
    heads = own.sum(axis=1) if unseen_heads is None else np.asarray(unseen_heads, dtype=np.int64)
    totals = _suppress(heads.reshape(-1, 1), parent, minimum, withheld_rows=None)
    hidden_totals = totals.cells[:, 0]
    breakdowns = _suppress(own, parent, minimum, withheld_rows=hidden_totals)
    return Withheld(totals=hidden_totals, cells=breakdowns.cells, rows=breakdowns.rows)


@dataclass(frozen=True)
class _Decision:
    cells: BoolArray
    rows: BoolArray


def _suppress(
    own: IntArray, parent: IntArray, minimum: int, *, withheld_rows: BoolArray | None
) -> _Decision:
    n_units, n_keys = own.shape
    counts = subtree_counts(own, parent)
    rows = np.zeros(n_units, dtype=bool) if withheld_rows is None else withheld_rows.copy()
    rows |= (counts.sum(axis=1) > 0) & (counts.sum(axis=1) < minimum)
    cells = (counts >= 1) & (counts < minimum)
    children: list[list[int]] = [[] for _ in range(n_units)]
    for unit in range(n_units):
        if parent[unit] >= 0:
            children[parent[unit]].append(unit)
    changed = True
    while changed:
        changed = False
        for unit in range(n_units):
            changed |= _complete_row(unit, counts, cells, rows, minimum)
        for unit in range(n_units):
            for key in range(n_keys):
                changed |= _close_residual(unit, key, children[unit], counts, own, cells, minimum)
    return _Decision(cells=cells, rows=rows)


def _complete_row(
    unit: int, counts: IntArray, cells: BoolArray, rows: BoolArray, minimum: int
) -> bool:
    """Hide more of the row until its hidden cells hold two groups and ``minimum`` people."""
    row, hidden = counts[unit], cells[unit]
    if rows[unit]:
        if hidden.all():
            return False
        hidden[:] = True
        return True
    if not hidden.any():
        return False
    added = False
    while (row[hidden] > 0).sum() < 2 or row[hidden].sum() < minimum:
        candidates = np.flatnonzero(~hidden & (row > 0))
        if candidates.size == 0:
            rows[unit] = True
            hidden[:] = True
            return True
        hidden[candidates[np.argmin(row[candidates])]] = True
        added = True
    return added


def _close_residual(
    unit: int,
    key: int,
    children: list[int],
    counts: IntArray,
    own: IntArray,
    cells: BoolArray,
    minimum: int,
) -> bool:
    """Hide children's cells (or the parent's) until the column cannot be solved by subtraction.

    A shown parent cell: its residual (own members and hidden children's cells) holds no
    unseen people, or at least ``minimum`` made of no hidden cell or of at least two. A hidden
    parent cell: at least one hidden child's cell holds people of the column, unless no child
    does, so the children's shown cells never add up to it.
    """
    if not children:
        return False
    column = np.array(children)
    added = False
    while True:
        hidden = column[cells[column, key] & (counts[column, key] > 0)]
        if cells[unit, key]:
            safe = hidden.size > 0 or not (counts[column, key] > 0).any()
        else:
            residual = own[unit, key] + counts[hidden, key].sum()
            safe = residual == 0 or (residual >= minimum and hidden.size != 1)
        if safe:
            return added
        shown = column[~cells[column, key] & (counts[column, key] > 0)]
        if shown.size == 0:
            cells[unit, key] = True
            return True
        cells[shown[np.argmin(counts[shown, key])], key] = True
        added = True


def _deepest_first(parent: IntArray) -> list[int]:
    depth = np.zeros(parent.size, dtype=np.int64)
    for unit in range(parent.size):
        ancestor = parent[unit]
        while ancestor >= 0:
            depth[unit] += 1
            ancestor = parent[ancestor]
    return [int(unit) for unit in np.argsort(-depth, kind="stable")]
