"""Composite scorecards: node scores rolled up a directed acyclic graph.

A scorecard is a graph of nodes (KPIs, objectives, perspectives, units, people).
Each edge ``child -> parent`` carries a relative weight; a node with children takes
its score from them, a node without children keeps its own leaf score. A node may
have several parents (a KPI shared by two objectives), so the structure is a DAG,
not a tree.

The work is done level by level: a node's *level* is the length of the longest
path from it down to a childless node, so every child sits on a lower level than
its parents. All nodes of one level are combined at once with segment reductions
(``np.add.reduceat``, ``np.fmin.reduceat``) over their edges; Python only loops
over levels. Build a :class:`RollupPlan` once from the structure and apply it to
as many score vectors as needed, or to a ``(n_nodes, n_periods)`` array at once.

Combination rules (per parent)
------------------------------
Weights are relative: they are re-normalised per parent, so scaling all of a
parent's weights by the same positive factor changes nothing. An edge of weight
0 is inert: its child neither counts nor blanks the parent.

``WEIGHTED_MEAN``
    ``sum(w * s) / sum(w)`` over the children counted.
``SUM``
    The children's scores added up with the weights normalised to average 1 over
    the children counted: ``count * weighted mean``. With equal weights this is
    the plain sum of the children's scores (points that add up), usually with a
    cap of 100 on the parent.
``MINIMUM``
    The weakest link: the lowest child score (weights only decide which children
    take part: those with weight > 0).

Missing children (NaN scores)
-----------------------------
``SKIP``
    Missing children are left out and the remaining weights re-normalised; with
    no child present the parent is NaN.
``ZERO``
    A missing child counts as a score of 0 (with all children missing the parent
    scores 0).
``BLANK``
    Any missing child makes the parent NaN.

Own measures and cascaded children
----------------------------------
An objective is measured by its own KPIs and may have objectives cascading into it
(contributing objectives, individual goals). Pooled in one weighted mean, the number of
children would decide: a hundred goals at 100 would drown four amber KPIs.
:func:`split_shares` therefore splits every parent that has both kinds of children into
two parts, its *own* children and its *cascaded* ones; each part combines its children by
the parent's rule and missing policy, and the parent mixes the two parts, the cascaded one
with the parent's *share* and the own one with ``1 - share``: a weighted mean of the parts,
or the lower of the parts that take part (share > 0) when the parent takes the weakest
link. A parent with only one kind of children is not split: that kind carries 100%.
Under ``SKIP`` a part without a score leaves the other part 100%; under ``BLANK`` it blanks
the parent; under ``ZERO`` a part always has a score (its missing children count 0).

NaN policy
----------
NaN in ``leaf_scores`` is a missing score and follows the parent's ``Missing``
rule. A NaN edge weight makes its parent NaN (the weights are undefined); a NaN
cap makes its node NaN. A node with both a leaf score and children takes its
score from its children: the leaf score is ignored. Every node's result, leaf or
not, is capped at its ``node_cap`` (``inf`` for no cap).

Examples
--------
Two KPIs (weights 30 and 70) under an objective, and a weakest-link parent:

>>> plan = RollupPlan(
...     4,
...     edge_child=[0, 1, 0, 1],
...     edge_parent=[2, 2, 3, 3],
...     edge_weight=[30, 70, 1, 1],
...     node_combine=[Combine.WEIGHTED_MEAN] * 3 + [Combine.MINIMUM],
... )
>>> plan.apply([100.0, 60.0, np.nan, np.nan]).tolist()
[100.0, 60.0, 72.0, 60.0]
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scoreline.engine import parallel
from scoreline.engine.arrays import as_floats
from scoreline.engine.errors import EngineInputError

__all__ = [
    "Combine",
    "Missing",
    "RollupPlan",
    "SharedGraph",
    "affected_nodes",
    "rollup",
    "rollup_subset",
    "split_shares",
]

FloatArray = NDArray[np.float64]
IndexArray = NDArray[np.intp]

# Level computations are run over blocks of periods so that the per-edge temporaries
# of one level stay around this many elements (about 64 MB of float64) at most.
_BLOCK_ELEMENTS = 1 << 23


class Combine(IntEnum):
    """How a parent combines its children's scores."""

    WEIGHTED_MEAN = 1
    SUM = 2
    MINIMUM = 3


class Missing(IntEnum):
    """What a parent does with children that have no score (NaN)."""

    SKIP = 1
    ZERO = 2
    BLANK = 3


def _node_count(n_nodes: int) -> int:
    if isinstance(n_nodes, bool) or not isinstance(n_nodes, int | np.integer):
        raise EngineInputError(f"n_nodes must be an int, got {n_nodes!r}")
    if n_nodes < 0:
        raise EngineInputError(f"n_nodes must be >= 0, got {n_nodes}")
    return int(n_nodes)


def _node_indices(values: ArrayLike, name: str, n_nodes: int) -> IndexArray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise EngineInputError(f"{name} must be 1-D, got shape {array.shape}")
    if array.size == 0:
        return np.zeros(0, dtype=np.intp)
    if array.dtype == np.bool_ or not np.issubdtype(array.dtype, np.integer):
        raise EngineInputError(f"{name} must hold integer node indices, got {array.dtype}")
    bad = np.flatnonzero((array < 0) | (array >= n_nodes))
    if bad.size:
        raise EngineInputError(
            f"{name}[{bad[0]}] = {array[bad[0]]} is not a node index (0..{n_nodes - 1})"
        )
    return array.astype(np.intp, copy=False)


def _per_node_codes(
    values: ArrayLike, name: str, n_nodes: int, codes: type[IntEnum]
) -> NDArray[np.int8]:
    array = np.asarray(values)
    if array.ndim == 0:
        array = np.full(n_nodes, array)
    if array.shape != (n_nodes,):
        raise EngineInputError(f"{name} must be one code or one per node, got {array.shape}")
    if array.size and (array.dtype == np.bool_ or not np.issubdtype(array.dtype, np.integer)):
        raise EngineInputError(f"{name} must hold integer {codes.__name__} codes")
    known = np.array([member.value for member in codes])
    bad = np.flatnonzero(~np.isin(array, known))
    if bad.size:
        choices = ", ".join(f"{member.value} = {member.name}" for member in codes)
        raise EngineInputError(
            f"{name}[{bad[0]}] = {array[bad[0]]} is not a {codes.__name__} code ({choices})"
        )
    return array.astype(np.int8)


def _edges(
    n_nodes: int, edge_child: ArrayLike, edge_parent: ArrayLike, edge_weight: ArrayLike
) -> tuple[int, IndexArray, IndexArray, FloatArray]:
    """The node count and the edges' children, parents and weights, checked."""
    n = _node_count(n_nodes)
    child = _node_indices(edge_child, "edge_child", n)
    parent = _node_indices(edge_parent, "edge_parent", n)
    if child.size != parent.size:
        raise EngineInputError(
            f"edge_child has {child.size} edges but edge_parent has {parent.size}"
        )
    weight = as_floats(edge_weight, "edge_weight")
    if weight.ndim == 0:
        weight = np.full(child.size, weight)
    if weight.shape != child.shape:
        raise EngineInputError(
            f"edge_weight must be one weight or one per edge ({child.size}), "
            f"got shape {weight.shape}"
        )
    return n, child, parent, weight


def _ranges(starts: IndexArray, counts: IndexArray) -> IndexArray:
    """Concatenate ``arange(start, start + count)`` for every pair, without a loop."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.intp)
    shifts = starts - (np.cumsum(counts) - counts)
    return np.repeat(shifts, counts) + np.arange(total, dtype=np.intp)


def _segment_starts(counts: IndexArray) -> IndexArray:
    return np.cumsum(counts) - counts


class RollupPlan:
    """A scorecard structure prepared for fast, repeated roll-ups.

    Building the plan validates the graph, sorts the edges by parent and assigns
    every node its level; :meth:`apply` then rolls up any number of score vectors.

    Parameters
    ----------
    n_nodes : int
        Number of nodes; nodes are the indices ``0 .. n_nodes - 1``.
    edge_child, edge_parent : array_like of int
        One entry per edge ``child -> parent``.
    edge_weight : array_like of float
        Relative weight of each edge (or one weight for all), ``>= 0``; a parent's
        weights are re-normalised, so only their ratios matter. A parent's weights
        may not all be zero. NaN makes the parent's score NaN.
    node_combine : array_like of int, default ``Combine.WEIGHTED_MEAN``
        :class:`Combine` code per node (or one for all). Ignored for nodes without
        children.
    node_missing : array_like of int, default ``Missing.SKIP``
        :class:`Missing` code per node (or one for all).
    node_cap : array_like of float, default 100.0
        Upper bound of each node's score (or one for all); ``inf`` for no cap.

    Raises
    ------
    EngineInputError
        An index is out of range, arrays do not match, an edge appears twice, a
        weight is negative or infinite, a parent's weights are all zero (the message
        names the parent), a code is unknown, or the graph has a cycle (the message
        names a node on it).

    Examples
    --------
    One plan, three periods at once (nodes x periods):

    >>> plan = RollupPlan(3, edge_child=[0, 1], edge_parent=[2, 2], edge_weight=[1, 3])
    >>> plan.apply([[40.0, 80.0, np.nan], [80.0, 40.0, 20.0], [np.nan] * 3])[2].tolist()
    [70.0, 50.0, 20.0]
    >>> plan.levels.tolist()
    [0, 0, 1]
    """

    __slots__ = (
        "_cap",
        "_child_indptr",
        "_combine",
        "_edge_child",
        "_edge_count",
        "_edge_first",
        "_edge_weight",
        "_level_indptr",
        "_level_nodes",
        "_levels",
        "_missing",
        "_n_nodes",
        "_parents_by_child",
        "_total_weight",
        "_undefined",
    )

    def __init__(
        self,
        n_nodes: int,
        edge_child: ArrayLike,
        edge_parent: ArrayLike,
        edge_weight: ArrayLike,
        node_combine: ArrayLike = Combine.WEIGHTED_MEAN,
        node_missing: ArrayLike = Missing.SKIP,
        node_cap: ArrayLike = 100.0,
    ) -> None:
        n, child, parent, weight = _edges(n_nodes, edge_child, edge_parent, edge_weight)
        self._combine = _per_node_codes(node_combine, "node_combine", n, Combine)
        self._missing = _per_node_codes(node_missing, "node_missing", n, Missing)
        cap = as_floats(node_cap, "node_cap")
        if cap.ndim == 0:
            cap = np.full(n, cap)
        if cap.shape != (n,):
            raise EngineInputError(f"node_cap must be one cap or one per node, got {cap.shape}")
        self._cap = cap.copy()
        self._n_nodes = n

        # Sorted by parent, then child: a parent's edges are contiguous and a repeated
        # edge sits next to its twin.
        by_parent = np.lexsort((child, parent))
        child, parent, weight = child[by_parent], parent[by_parent], weight[by_parent]
        twins = np.flatnonzero((child[1:] == child[:-1]) & (parent[1:] == parent[:-1]))
        if twins.size:
            at = twins[0]
            raise EngineInputError(
                f"the edge from child {child[at]} to parent {parent[at]} appears twice"
            )
        _check_weights(weight, parent)

        # A NaN weight leaves the parent's weighting undefined: the parent scores NaN.
        self._undefined = np.bincount(parent[np.isnan(weight)], minlength=n) > 0
        counted = (weight > 0) & ~self._undefined[parent]
        self._edge_child = child[counted]
        self._edge_weight = weight[counted]
        self._edge_count = np.bincount(parent[counted], minlength=n).astype(np.intp)
        self._edge_first = _segment_starts(self._edge_count)
        self._total_weight = np.bincount(parent[counted], weights=weight[counted], minlength=n)
        zero_total = (
            (np.bincount(parent, minlength=n) > 0) & ~self._undefined & (self._edge_count == 0)
        )
        if zero_total.any():
            raise EngineInputError(
                f"parent {np.flatnonzero(zero_total)[0]}: its child weights are all zero"
            )

        child_order = np.argsort(child, kind="stable")
        self._parents_by_child = parent[child_order]
        self._child_indptr = np.concatenate(
            ([0], np.cumsum(np.bincount(child, minlength=n)))
        ).astype(np.intp)
        self._levels = _levels(n, child, parent, self._child_indptr, self._parents_by_child)
        self._level_nodes = np.argsort(self._levels, kind="stable").astype(np.intp)
        n_levels = int(self._levels.max()) + 1 if n else 0
        self._level_indptr = np.concatenate(
            ([0], np.cumsum(np.bincount(self._levels, minlength=n_levels)))
        ).astype(np.intp)
        for array in (self._levels, self._cap, self._combine, self._missing):
            array.setflags(write=False)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return self._n_nodes

    @property
    def n_levels(self) -> int:
        """Number of levels (0 for an empty graph, 1 when no node has children)."""
        return self._level_indptr.size - 1

    @property
    def levels(self) -> IndexArray:
        """Each node's level: 0 without children, else 1 + the highest child level."""
        return self._levels

    def apply(self, leaf_scores: ArrayLike, *, inplace: bool = False) -> FloatArray:
        """Roll leaf scores up the graph.

        Parameters
        ----------
        leaf_scores : array_like of float, shape (n_nodes,) or (n_nodes, n_periods)
            Each childless node's own score (NaN = missing); values given for nodes
            with children are ignored (children win).
        inplace : bool, default False
            Write the result into ``leaf_scores`` (which must then be a float64
            ndarray) instead of a new array, which saves memory on large graphs.

        Returns
        -------
        ndarray of float64, same shape as ``leaf_scores``
            Every node's score, capped at its ``node_cap``.

        Examples
        --------
        >>> plan = RollupPlan(3, [0, 1], [2, 2], 1.0, node_combine=Combine.SUM)
        >>> plan.apply([70.0, 50.0, np.nan]).tolist()
        [70.0, 50.0, 100.0]
        """
        if inplace:
            _check_inplace(leaf_scores, "leaf_scores")
        scores = self._scores(leaf_scores, "leaf_scores")
        # Each block of periods is copied out before it is rolled up, so writing the
        # results back into the input is safe.
        out = scores if inplace else np.empty_like(scores)
        columns = scores.shape[1]
        widest = max(int(self._edge_count.sum()), self._n_nodes, 1)
        step = max(1, _BLOCK_ELEMENTS // widest)

        def roll(part: slice) -> None:
            block = np.ascontiguousarray(scores[:, part])
            for level in range(self.n_levels):
                nodes = self._level_nodes[self._level_indptr[level] : self._level_indptr[level + 1]]
                block[nodes] = self._node_scores(block, nodes, level)
            out[:, part] = block

        # Periods are independent: blocks of them are rolled up side by side.
        parallel.each(roll, parallel.slices(columns, step))
        return out[:, 0] if np.ndim(leaf_scores) == 1 else out

    def _scores(self, values: ArrayLike, name: str) -> FloatArray:
        scores = as_floats(values, name)
        if scores.ndim not in (1, 2) or scores.shape[0] != self._n_nodes:
            raise EngineInputError(
                f"{name} must have shape ({self._n_nodes},) or ({self._n_nodes}, n_periods), "
                f"got {scores.shape}"
            )
        return scores[:, None] if scores.ndim == 1 else scores

    def _node_scores(self, scores: FloatArray, nodes: IndexArray, level: int) -> FloatArray:
        """Scores of ``nodes`` (all on ``level``) from the current ``scores`` of their children."""
        cap = self._cap[nodes][:, None]
        if level == 0:
            return np.minimum(scores[nodes], cap)
        result = np.full((nodes.size, scores.shape[1]), np.nan)
        weakest = self._combine[nodes] == Combine.MINIMUM
        defined = ~self._undefined[nodes]
        weighted = defined & ~weakest
        if weighted.any():
            result[weighted] = self._weighted(scores, nodes[weighted])
        weakest &= defined
        if weakest.any():
            result[weakest] = self._weakest(scores, nodes[weakest])
        return np.minimum(result, cap)

    def _children(self, scores: FloatArray, parents: IndexArray) -> tuple[FloatArray, IndexArray]:
        counts = self._edge_count[parents]
        edges = _ranges(self._edge_first[parents], counts)
        return scores[self._edge_child[edges]], edges

    def _weighted(self, scores: FloatArray, parents: IndexArray) -> FloatArray:
        values, edges = self._children(scores, parents)
        segments = _segment_starts(self._edge_count[parents])
        missing = np.isnan(values)
        weight = self._edge_weight[edges][:, None]
        weighted_values = np.where(missing, 0.0, values)
        weighted_values *= weight
        numerator = np.add.reduceat(weighted_values, segments, axis=0)

        count = self._edge_count[parents][:, None]
        skip = (self._missing[parents] == Missing.SKIP)[:, None]
        blank = (self._missing[parents] == Missing.BLANK)[:, None]
        adds_up = (self._combine[parents] == Combine.SUM)[:, None]
        # Skipping parents divide by the weight of the children present, the others by
        # all their weight; each sum is only taken when some parent needs it.
        total = self._total_weight[parents][:, None]
        if skip.any():
            present_weight = np.add.reduceat(np.where(missing, 0.0, weight), segments, axis=0)
            total = present_weight if skip.all() else np.where(skip, present_weight, total)
        with np.errstate(divide="ignore", invalid="ignore"):
            result: FloatArray = numerator / total
        if adds_up.any() or blank.any():
            present = np.add.reduceat(~missing, segments, axis=0, dtype=np.intp)
            result *= np.where(adds_up, np.where(skip, present, count), 1)
            result[blank & (present < count)] = np.nan
        return result

    def _weakest(self, scores: FloatArray, parents: IndexArray) -> FloatArray:
        values, _ = self._children(scores, parents)
        segments = _segment_starts(self._edge_count[parents])
        lowest: FloatArray = np.fmin.reduceat(values, segments, axis=0)
        any_missing = np.logical_or.reduceat(np.isnan(values), segments, axis=0)
        policy = self._missing[parents][:, None]
        lowest = np.where((policy == Missing.ZERO) & any_missing, np.fmin(lowest, 0.0), lowest)
        lowest[(policy == Missing.BLANK) & any_missing] = np.nan
        return lowest


def _check_inplace(scores: ArrayLike, name: str) -> None:
    if not (isinstance(scores, np.ndarray) and scores.dtype == np.float64):
        raise EngineInputError(f"an inplace roll-up needs {name} as a float64 ndarray")


def _check_weights(weight: FloatArray, parent: IndexArray) -> None:
    negative = np.flatnonzero(weight < 0)
    if negative.size:
        at = negative[0]
        raise EngineInputError(f"parent {parent[at]}: child weights must be >= 0, got {weight[at]}")
    infinite = np.flatnonzero(np.isinf(weight))
    if infinite.size:
        raise EngineInputError(f"parent {parent[infinite[0]]}: child weights must be finite")


def _levels(
    n_nodes: int,
    child: IndexArray,
    parent: IndexArray,
    child_indptr: IndexArray,
    parents_by_child: IndexArray,
) -> IndexArray:
    """Longest-path level of every node, peeling childless nodes level by level."""
    levels = np.full(n_nodes, -1, dtype=np.intp)
    waiting = np.bincount(parent, minlength=n_nodes)  # children not yet levelled
    out_degree = np.diff(child_indptr)
    frontier = np.flatnonzero(waiting == 0)
    level = 0
    while frontier.size:
        levels[frontier] = level
        above = parents_by_child[_ranges(child_indptr[frontier], out_degree[frontier])]
        candidates, hits = np.unique(above, return_counts=True)
        waiting[candidates] -= hits
        frontier = candidates[waiting[candidates] == 0]
        level += 1
    if (levels < 0).any():
        raise EngineInputError(
            f"the roll-up graph has a cycle through node {_node_on_cycle(levels, child, parent)}"
        )
    return levels


def _node_on_cycle(levels: IndexArray, child: IndexArray, parent: IndexArray) -> int:
    """A node on a cycle among the nodes that could not be levelled."""
    stuck = levels < 0
    # Every stuck node has a stuck child; following one such child from any stuck node
    # for n steps (by pointer doubling) must end on a cycle.
    step = np.arange(levels.size, dtype=np.intp)
    inside = stuck[child] & stuck[parent]
    step[parent[inside]] = child[inside]
    for _ in range(max(1, int(levels.size).bit_length())):
        step = step[step]
    return int(step[np.flatnonzero(stuck)[0]])


def rollup(
    n_nodes: int,
    leaf_scores: ArrayLike,
    edge_child: ArrayLike,
    edge_parent: ArrayLike,
    edge_weight: ArrayLike,
    node_combine: ArrayLike = Combine.WEIGHTED_MEAN,
    node_missing: ArrayLike = Missing.SKIP,
    node_cap: ArrayLike = 100.0,
) -> FloatArray:
    """Roll leaf scores up a scorecard graph in one call.

    Builds a :class:`RollupPlan` and applies it; build the plan yourself to reuse it
    for many score vectors.

    Parameters
    ----------
    n_nodes : int
        Number of nodes.
    leaf_scores : array_like of float, shape (n_nodes,) or (n_nodes, n_periods)
        Childless nodes' scores (NaN = missing); ignored for nodes with children.
    edge_child, edge_parent, edge_weight, node_combine, node_missing, node_cap
        As for :class:`RollupPlan`.

    Returns
    -------
    ndarray of float64, same shape as ``leaf_scores``
        Every node's score.

    Raises
    ------
    EngineInputError
        As for :class:`RollupPlan`, or ``leaf_scores`` has the wrong shape.

    Examples
    --------
    >>> rollup(
    ...     3, [np.nan, 80.0, np.nan], [0, 1], [2, 2], [1, 1], node_missing=Missing.ZERO
    ... ).tolist()
    [nan, 80.0, 40.0]
    """
    plan = RollupPlan(
        n_nodes, edge_child, edge_parent, edge_weight, node_combine, node_missing, node_cap
    )
    return plan.apply(leaf_scores)


def affected_nodes(plan: RollupPlan, changed_nodes: ArrayLike) -> IndexArray:
    """The changed nodes and every node above them: what to recompute after a change.

    Parameters
    ----------
    plan : RollupPlan
        The scorecard structure.
    changed_nodes : array_like of int
        Nodes whose leaf score changed.

    Returns
    -------
    ndarray of intp
        The changed nodes and all their ancestors, each once, ordered by level then
        index (the order :func:`rollup_subset` recomputes them in).

    Examples
    --------
    >>> plan = RollupPlan(5, [0, 1, 2, 3], [3, 3, 4, 4], 1.0)
    >>> affected_nodes(plan, [1]).tolist()
    [1, 3, 4]
    """
    changed = np.unique(_node_indices(np.atleast_1d(changed_nodes), "changed_nodes", plan.n_nodes))
    seen = np.zeros(plan.n_nodes, dtype=bool)
    seen[changed] = True
    found = [changed]
    frontier = changed
    out_degree = np.diff(plan._child_indptr)
    while frontier.size:
        above = plan._parents_by_child[_ranges(plan._child_indptr[frontier], out_degree[frontier])]
        frontier = np.unique(above)
        frontier = frontier[~seen[frontier]]
        seen[frontier] = True
        found.append(frontier)
    nodes = np.concatenate(found)
    return nodes[np.lexsort((nodes, plan.levels[nodes]))]


def rollup_subset(
    plan: RollupPlan, scores: ArrayLike, nodes: ArrayLike, *, inplace: bool = False
) -> FloatArray:
    """Recompute some nodes from the current scores of their children.

    The incremental counterpart of :meth:`RollupPlan.apply`: after leaf scores
    change, write the new values into the current score vector and recompute
    ``affected_nodes(plan, changed)``; the result equals a full roll-up while the
    work is proportional to the nodes recomputed.

    Parameters
    ----------
    plan : RollupPlan
        The scorecard structure.
    scores : array_like of float, shape (n_nodes,) or (n_nodes, n_periods)
        Current scores of every node (new leaf values already written in).
    nodes : array_like of int
        Nodes to recompute; they are processed level by level, lowest first. A
        childless node is recomputed as its current value capped.
    inplace : bool, default False
        Write into ``scores`` (which must then be a float64 ndarray) instead of a
        copy.

    Returns
    -------
    ndarray of float64, same shape as ``scores``
        The scores with ``nodes`` recomputed.

    Raises
    ------
    EngineInputError
        Shapes do not match the plan, a node index is out of range, or ``inplace``
        is asked for on something other than a float64 ndarray.

    Examples
    --------
    >>> plan = RollupPlan(3, [0, 1], [2, 2], 1.0)
    >>> current = plan.apply([40.0, 60.0, np.nan])
    >>> current[0] = 80.0
    >>> rollup_subset(plan, current, affected_nodes(plan, [0])).tolist()
    [80.0, 60.0, 70.0]
    """
    if inplace:
        _check_inplace(scores, "scores")
    checked = plan._scores(scores, "scores")
    # For a float64 ndarray ``checked`` is a view of ``scores``, so writing into it
    # writes into the caller's array.
    out = checked if inplace else checked.copy()
    chosen = np.unique(_node_indices(np.atleast_1d(nodes), "nodes", plan.n_nodes))
    chosen = chosen[np.argsort(plan.levels[chosen], kind="stable")]
    levels = plan.levels[chosen]
    bounds = np.flatnonzero(np.diff(levels)) + 1
    for group in np.split(chosen, bounds):
        if group.size:
            out[group] = plan._node_scores(out, group, int(plan.levels[group[0]]))
    return out[:, 0] if np.ndim(scores) == 1 else out


@dataclass(frozen=True)
class SharedGraph:
    """A scorecard graph whose parents with both own and cascaded children are split.

    Nodes ``0 .. n_original - 1`` are the original nodes; the own part of every split parent
    follows, then its cascaded part, both in the order of ``split``. Build it with
    :func:`split_shares`, then its plan with :meth:`plan`.

    Attributes
    ----------
    n_original : int
        Nodes of the graph given.
    n_nodes : int
        ``n_original`` plus two parts per split parent.
    edge_child, edge_parent, edge_weight : ndarray
        The edges, those of split parents moved to their parts, and the two mixing edges of
        each split parent: own part weighted ``1 - share``, cascaded part ``share``.
    split : ndarray of intp
        The parents split, ascending.
    has_own, has_cascaded : ndarray of bool
        Per original node: whether it has own (cascaded) children of non-zero weight.
    """

    n_original: int
    n_nodes: int
    edge_child: IndexArray
    edge_parent: IndexArray
    edge_weight: FloatArray
    split: IndexArray
    has_own: NDArray[np.bool_]
    has_cascaded: NDArray[np.bool_]

    @property
    def own(self) -> IndexArray:
        """The own part of each split parent."""
        return self.n_original + np.arange(self.split.size, dtype=np.intp)

    @property
    def cascaded(self) -> IndexArray:
        """The cascaded part of each split parent."""
        return self.own + self.split.size

    def per_node(self, values: ArrayLike, name: str = "values") -> NDArray[Any]:
        """One value per original node (along the first axis), each part taking its parent's.

        Examples
        --------
        >>> shared = split_shares(3, [0, 1], [2, 2], 1.0, [False, True], 0.5)
        >>> shared.per_node([7, 8, 9]).tolist()
        [7, 8, 9, 9, 9]
        """
        array = np.asarray(values)
        if array.ndim == 0:
            array = np.full(self.n_original, array)
        if array.shape[0] != self.n_original:
            raise EngineInputError(
                f"{name} must have one entry per node ({self.n_original}), got {array.shape}"
            )
        return np.concatenate([array, array[self.split], array[self.split]])

    def plan(
        self,
        node_combine: ArrayLike = Combine.WEIGHTED_MEAN,
        node_missing: ArrayLike = Missing.SKIP,
        node_cap: ArrayLike = 100.0,
    ) -> RollupPlan:
        """The roll-up plan of the split graph, given the original nodes' rules.

        Each part combines its children by its parent's rule, missing policy and cap; a split
        parent mixes its parts by a weighted mean, or takes the lower part when its rule is
        the weakest link (a part with share 0 takes no part).
        """
        combine = self.per_node(node_combine, "node_combine")
        mixing = combine[self.split]
        combine[self.split] = np.where(
            mixing == Combine.MINIMUM, Combine.MINIMUM, Combine.WEIGHTED_MEAN
        )
        return RollupPlan(
            self.n_nodes,
            self.edge_child,
            self.edge_parent,
            self.edge_weight,
            node_combine=combine,
            node_missing=self.per_node(node_missing, "node_missing"),
            node_cap=self.per_node(node_cap, "node_cap"),
        )


def split_shares(
    n_nodes: int,
    edge_child: ArrayLike,
    edge_parent: ArrayLike,
    edge_weight: ArrayLike,
    edge_cascaded: ArrayLike,
    node_share: ArrayLike,
) -> SharedGraph:
    """Give the cascaded children of every parent an explicit share of its score.

    A parent with children of both kinds (own, e.g. the KPIs measuring an objective, and
    cascaded, e.g. the objectives contributing to it) gets two new part nodes: its own
    children and its cascaded children move to them, and the parent mixes the parts, the
    cascaded part with weight ``share`` and the own part with ``1 - share``. Within a part the
    edge weights stay relative, so the number of cascaded children no longer decides how much
    they count. A parent with children of one kind only keeps them: they carry 100%.

    Parameters
    ----------
    n_nodes : int
        Number of nodes.
    edge_child, edge_parent, edge_weight
        As for :class:`RollupPlan`.
    edge_cascaded : array_like of bool
        Per edge (or one for all): the child is a cascaded child of its parent rather than
        one of its own measures.
    node_share : array_like of float
        Per node (or one for all): the share of its cascaded children, in ``[0, 1]``. Only
        parents with both kinds of children use it.

    Returns
    -------
    SharedGraph

    Raises
    ------
    EngineInputError
        A node index is out of range, the arrays do not match, or a share is not a number
        between 0 and 1 (the message names the node).

    Examples
    --------
    Objective 4 is measured by KPIs 0 and 1, and objectives 2 and 3 contribute to it; the
    contributing objectives have a share of 25%: ``0.75 * (50 + 70) / 2 + 0.25 * 100 = 70``
    (pooled, the four children would give 80).

    >>> shared = split_shares(5, [0, 1, 2, 3], [4, 4, 4, 4], 1.0, [False, False, True, True], 0.25)
    >>> scores = shared.plan().apply(shared.per_node([50.0, 70.0, 100.0, 100.0, np.nan]))
    >>> scores[[4, *shared.own, *shared.cascaded]].tolist()
    [70.0, 60.0, 100.0]
    """
    n, child, parent, weight = _edges(n_nodes, edge_child, edge_parent, edge_weight)
    cascaded = _per_item(np.asarray(edge_cascaded), child.size, "edge_cascaded", "edge")
    if cascaded.size and cascaded.dtype != np.bool_:
        raise EngineInputError(f"edge_cascaded must hold booleans, got {cascaded.dtype}")
    share = _per_item(as_floats(node_share, "node_share"), n, "node_share", "node")
    outside = np.flatnonzero(~((share >= 0) & (share <= 1)))
    if outside.size:
        at = outside[0]
        raise EngineInputError(f"node {at}: its share must lie between 0 and 1, got {share[at]}")

    # A NaN weight counts: it leaves its part, and so its parent, without a score.
    counted = weight != 0
    has_own = np.bincount(parent[counted & ~cascaded], minlength=n) > 0
    has_cascaded = np.bincount(parent[counted & cascaded], minlength=n) > 0
    split = np.flatnonzero(has_own & has_cascaded).astype(np.intp)
    slot = np.full(n, -1, dtype=np.intp)
    slot[split] = np.arange(split.size, dtype=np.intp)
    at = slot[parent]
    moved = at >= 0
    new_parent = parent.copy()
    new_parent[moved] = n + at[moved] + np.where(cascaded[moved], split.size, 0)
    own = n + np.arange(split.size, dtype=np.intp)
    return SharedGraph(
        n_original=n,
        n_nodes=n + 2 * split.size,
        edge_child=np.concatenate([child, own, own + split.size]),
        edge_parent=np.concatenate([new_parent, split, split]),
        edge_weight=np.concatenate([weight, 1.0 - share[split], share[split]]),
        split=split,
        has_own=has_own,
        has_cascaded=has_cascaded,
    )


def _per_item(array: NDArray[Any], size: int, name: str, item: str) -> NDArray[Any]:
    """``array`` as one entry per item: a single value is repeated ``size`` times."""
    if array.ndim == 0:
        return np.full(size, array)
    if array.shape != (size,):
        raise EngineInputError(
            f"{name} must be one value or one per {item} ({size}), got {array.shape}"
        )
    return array
