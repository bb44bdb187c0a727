"""Directed graphs keyed by strings: cycles, dependency order and reachability.

Formula dependencies, the objective cascade and the strategy map's cause-and-effect
links are all directed graphs over string keys, given as ``(a, b)`` edge pairs. The
edge ``(a, b)`` reads "``a`` comes before ``b``" (``b`` depends on ``a``, ``a``
causes ``b``), so :func:`topological_order` lists ``a`` before ``b`` and
:func:`descendants` of ``a`` answers "what depends on ``a``".

Every function iterates in sorted key order, so equal inputs give equal outputs
whatever order the edges arrive in. Self-loops ``(a, a)`` are cycles; repeated edges
count once. Nothing here recurses, so deep graphs do not hit Python's recursion limit.

Examples
--------
>>> topological_order(["c"], [("a", "b"), ("b", "c")])
['a', 'b', 'c']
>>> find_cycle([("a", "b"), ("b", "a")])
['a', 'b', 'a']
>>> sorted(descendants([("a", "b"), ("b", "c")], ["a"]))
['b', 'c']
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence

from scoreline.engine.errors import EngineInputError

__all__ = ["CycleError", "ancestors", "descendants", "find_cycle", "topological_order"]

Edge = tuple[str, str]


class CycleError(EngineInputError):
    """The graph has a cycle where an order was needed.

    Parameters
    ----------
    cycle : sequence of str
        The keys along the cycle, first key repeated at the end.
    what : str
        What the graph is, for the message (``"the graph"``, ``"the formulas"``).

    Attributes
    ----------
    cycle : list of str
        The keys along the cycle, first key repeated at the end.

    Examples
    --------
    >>> str(CycleError(["a", "b", "a"]))
    'cycle in the graph: a -> b -> a'
    """

    def __init__(self, cycle: Sequence[str], what: str = "the graph") -> None:
        self.cycle = list(cycle)
        self.what = what
        super().__init__(f"cycle in {what}: {' -> '.join(self.cycle)}")

    def __reduce__(self) -> tuple[type[CycleError], tuple[list[str], str]]:
        # The default reduce would pass the message as ``cycle``.
        return (type(self), (self.cycle, self.what))


def _successors(edges: Iterable[Edge]) -> dict[str, list[str]]:
    """Adjacency lists with every endpoint present and successors sorted, repeats dropped."""
    adjacency: dict[str, set[str]] = {}
    for edge in edges:
        if (
            not isinstance(edge, tuple | list)
            or len(edge) != 2
            or not all(isinstance(key, str) for key in edge)
        ):
            raise EngineInputError(f"an edge must be a pair of string keys, got {edge!r}")
        source, target = edge
        adjacency.setdefault(source, set()).add(target)
        adjacency.setdefault(target, set())
    return {key: sorted(targets) for key, targets in adjacency.items()}


def find_cycle(edges: Iterable[Edge]) -> list[str] | None:
    """Return one cycle of a directed graph, or ``None`` when it has none.

    Parameters
    ----------
    edges : iterable of (str, str)
        Directed edges ``(source, target)``.

    Returns
    -------
    list of str or None
        The keys along the cycle with the first key repeated at the end
        (``["a", "b", "a"]``; a self-loop gives ``["a", "a"]``), or ``None``.
        Depth-first search in sorted key order, so the same graph always gives the
        same cycle.

    Raises
    ------
    EngineInputError
        An edge is not a pair of strings.

    Examples
    --------
    >>> find_cycle([("b", "c"), ("c", "b"), ("a", "b")])
    ['b', 'c', 'b']
    >>> find_cycle([("a", "b")]) is None
    True
    """
    adjacency = _successors(edges)
    finished: set[str] = set()
    for root in sorted(adjacency):
        if root in finished:
            continue
        # Iterative depth-first search: ``path`` is the current chain of grey keys and
        # ``cursors`` the index of the next successor to visit for each of them.
        path = [root]
        on_path = {root: 0}
        cursors = [0]
        while path:
            key = path[-1]
            successors = adjacency[key]
            if cursors[-1] == len(successors):
                finished.add(key)
                del on_path[key]
                path.pop()
                cursors.pop()
                continue
            following = successors[cursors[-1]]
            cursors[-1] += 1
            if following in on_path:
                return [*path[on_path[following] :], following]
            if following not in finished:
                on_path[following] = len(path)
                path.append(following)
                cursors.append(0)
    return None


def topological_order(nodes: Iterable[str], edges: Iterable[Edge]) -> list[str]:
    """Order keys so that every edge's source comes before its target.

    Parameters
    ----------
    nodes : iterable of str
        Keys to order. Keys that only appear in ``edges`` are ordered too.
    edges : iterable of (str, str)
        ``(a, b)`` means ``a`` must come before ``b`` (``b`` depends on ``a``).

    Returns
    -------
    list of str
        Every key once, dependencies first. Among keys that are free to go next the
        smallest in sorted order goes first, so the order is deterministic.

    Raises
    ------
    CycleError
        The graph has a cycle; the message shows it (``a -> b -> a``) and
        ``.cycle`` holds it.
    EngineInputError
        A node or an edge is not made of strings.

    Examples
    --------
    >>> topological_order(["x", "a"], [("total", "share"), ("a", "total")])
    ['a', 'total', 'share', 'x']
    """
    edge_list = list(edges)
    adjacency = _successors(edge_list)
    for node in nodes:
        if not isinstance(node, str):
            raise EngineInputError(f"a node must be a string key, got {node!r}")
        adjacency.setdefault(node, [])
    indegree = dict.fromkeys(adjacency, 0)
    for targets in adjacency.values():
        for target in targets:
            indegree[target] += 1
    ready = [key for key, count in indegree.items() if count == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        key = heapq.heappop(ready)
        order.append(key)
        for target in adjacency[key]:
            indegree[target] -= 1
            if indegree[target] == 0:
                heapq.heappush(ready, target)
    if len(order) < len(adjacency):
        placed = set(order)
        cycle = find_cycle((source, target) for source, target in edge_list if source not in placed)
        # Keys left unplaced always include a cycle among themselves.
        assert cycle is not None
        raise CycleError(cycle)
    return order


def _reachable(adjacency: dict[str, list[str]], starts: Iterable[str] | str) -> set[str]:
    start_keys = [starts] if isinstance(starts, str) else list(starts)
    reached: set[str] = set()
    stack = [target for key in start_keys for target in adjacency.get(key, ())]
    while stack:
        key = stack.pop()
        if key not in reached:
            reached.add(key)
            stack.extend(adjacency[key])
    return reached


def descendants(edges: Iterable[Edge], starts: Iterable[str] | str) -> set[str]:
    """Keys reachable from any start by following one or more edges forwards.

    Parameters
    ----------
    edges : iterable of (str, str)
        ``(a, b)`` means ``b`` depends on ``a``.
    starts : iterable of str, or str
        Keys to start from; a single string is one key. Unknown keys reach nothing.

    Returns
    -------
    set of str
        Everything that depends, directly or not, on a start: "what depends on
        this". A start is included only if another start or a cycle leads to it.

    Examples
    --------
    >>> sorted(descendants([("revenue", "margin"), ("margin", "bonus")], "revenue"))
    ['bonus', 'margin']
    """
    return _reachable(_successors(edges), starts)


def ancestors(edges: Iterable[Edge], starts: Iterable[str] | str) -> set[str]:
    """Keys from which any start is reachable: edges followed backwards.

    Parameters
    ----------
    edges : iterable of (str, str)
        ``(a, b)`` means ``b`` depends on ``a``.
    starts : iterable of str, or str
        Keys to start from; a single string is one key. Unknown keys reach nothing.

    Returns
    -------
    set of str
        Everything a start depends on, directly or not. A start is included only if
        another start or a cycle leads back to it.

    Examples
    --------
    >>> sorted(ancestors([("revenue", "margin"), ("margin", "bonus")], "bonus"))
    ['margin', 'revenue']
    """
    predecessors: dict[str, list[str]] = {}
    for source, targets in _successors(edges).items():
        predecessors.setdefault(source, [])
        for target in targets:
            predecessors.setdefault(target, []).append(source)
    return _reachable(predecessors, starts)
