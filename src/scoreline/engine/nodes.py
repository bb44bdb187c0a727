"""Nodes of the scorecard graph as int64 codes.

A scorecard graph has five kinds of node, each with a key that people and storage read:

``("kpi", kpi id, subject)``
    A KPI's score at a unit (``("u", unit id)``) or for a person (``("p", person id)``):
    the leaves.
``("objective", objective id)``
    An objective, unit or individual.
``("perspective", unit id, perspective id)``
    A perspective of a unit's scorecard.
``("unit", unit id)``
    A unit's scorecard.
``("person", person id)``
    An individual scorecard.

and two kinds that are computed but never stored, the parts of an objective measured both by
its own KPIs and by objectives cascading into it (see :func:`scoreline.engine.rollup.split_shares`):

``("own_kpis", objective id)``
    The objective's own KPIs combined.
``("contributing", objective id)``
    The objectives contributing to it combined.

The graph itself is built on codes: one int64 per node with the kind (its position in
:data:`NODE_KINDS`) in the bits from :data:`KIND_SHIFT` up and the ids packed below. A
subject is one integer, units even and persons odd (:func:`subject_code`), below
``2**SUBJECT_BITS``; a leaf packs its KPI id above its subject. As the kind of a leaf is 0,
leaves sort before every other node.

Ids are positive integers within their bit budgets (subjects below ``2**21`` each,
perspectives below ``2**PERSPECTIVE_BITS``); 0 stands for "no id" in a column that does
not apply. Nothing here checks the budgets: the codes are built from database ids that
stay far below them.

Examples
--------
>>> code = int(kpi_nodes(np.array([7]), subject_code(np.array([3]), np.array([0])))[0])
>>> node_key(code)
('kpi', 7, ('u', 3))
>>> node_key(int(node_codes("objective", np.array([12]))[0]))
('objective', 12)
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = [
    "KIND_SHIFT",
    "NODE_KINDS",
    "PAYLOAD",
    "PERSPECTIVE_BITS",
    "STORED_KINDS",
    "SUBJECT_BITS",
    "NodeKey",
    "kpi_nodes",
    "leaf_codes",
    "node_codes",
    "node_key",
    "node_kinds",
    "stored_nodes",
    "subject_code",
]

IntArray = npt.NDArray[np.int64]

NodeKey = tuple[object, ...]
NODE_KINDS = ("kpi", "objective", "perspective", "unit", "person", "own_kpis", "contributing")
STORED_KINDS = NODE_KINDS[:5]
KIND_SHIFT = 58
PAYLOAD = (1 << KIND_SHIFT) - 1
SUBJECT_BITS = 22  # subjects (units and persons) below 2**21 each
PERSPECTIVE_BITS = 20


def subject_code(unit: IntArray, person: IntArray) -> IntArray:
    """One integer per subject: units even, persons odd (0 marks the other column).

    Parameters
    ----------
    unit, person : array of int64
        The unit id, or 0 where the subject is a person; the person id, or 0 where it is
        a unit.

    Returns
    -------
    array of int64
        ``2 * unit`` for units, ``2 * person + 1`` for persons.

    Examples
    --------
    >>> subject_code(np.array([5, 0]), np.array([0, 5])).tolist()
    [10, 11]
    """
    return np.where(unit > 0, unit * 2, person * 2 + 1)


def kpi_nodes(kpi: IntArray, subject: IntArray) -> IntArray:
    """Codes of KPI leaves; the kind is 0, so a leaf's code is its KPI x subject code.

    Parameters
    ----------
    kpi : array of int64
        KPI ids.
    subject : array of int64
        Subject codes (:func:`subject_code`).

    Examples
    --------
    >>> kpi_nodes(np.array([1]), np.array([10])).tolist() == [(1 << SUBJECT_BITS) | 10]
    True
    """
    return (kpi << SUBJECT_BITS) | subject


def leaf_codes(kpi: IntArray, unit: IntArray, person: IntArray) -> IntArray:
    """One int64 per KPI x subject: the code of its leaf in the scorecard graph.

    Examples
    --------
    >>> leaf = leaf_codes(np.array([4]), np.array([0]), np.array([9]))
    >>> node_key(int(leaf[0]))
    ('kpi', 4, ('p', 9))
    """
    return kpi_nodes(kpi, subject_code(unit, person))


def node_codes(kind: str, payload: IntArray) -> IntArray:
    """Codes of nodes of one ``kind`` (a name in :data:`NODE_KINDS`) from their payloads.

    The payload of an objective, unit or person node is its id; of a perspective node,
    ``unit << PERSPECTIVE_BITS | perspective``.

    Examples
    --------
    >>> codes = node_codes("unit", np.array([3, 4]))
    >>> [node_key(int(code)) for code in codes]
    [('unit', 3), ('unit', 4)]
    """
    return (NODE_KINDS.index(kind) << KIND_SHIFT) | payload


def node_kinds(codes: IntArray) -> IntArray:
    """Each code's kind, as its position in :data:`NODE_KINDS`.

    Examples
    --------
    >>> node_kinds(node_codes("person", np.array([1]))).tolist()
    [4]
    """
    return codes >> KIND_SHIFT


def stored_nodes(
    kind: npt.NDArray[np.str_],
    kpi: IntArray,
    objective: IntArray,
    perspective: IntArray,
    unit: IntArray,
    person: IntArray,
) -> IntArray:
    """The node codes of stored score rows, given their columns (0 for null ids).

    Parameters
    ----------
    kind : array of str
        Each row's kind, a name in :data:`STORED_KINDS`.
    kpi, objective, perspective, unit, person : array of int64
        The rows' ids, 0 where a row has none.

    Examples
    --------
    >>> codes = stored_nodes(
    ...     np.array(["kpi", "perspective"]), np.array([2, 0]), np.array([0, 0]),
    ...     np.array([0, 6]), np.array([3, 3]), np.array([0, 0]),
    ... )
    >>> [node_key(int(code)) for code in codes]
    [('kpi', 2, ('u', 3)), ('perspective', 3, 6)]
    """
    payload = np.select(
        [kind == "kpi", kind == "objective", kind == "perspective", kind == "unit"],
        [
            kpi_nodes(kpi, subject_code(unit, person)),
            objective,
            (unit << PERSPECTIVE_BITS) | perspective,
            unit,
        ],
        default=person,
    )
    position = np.select([kind == name for name in STORED_KINDS], list(range(len(STORED_KINDS))))
    return (position << KIND_SHIFT) | payload


def node_key(code: int) -> NodeKey:
    """The key of the node with ``code``, as people and storage read it.

    Examples
    --------
    >>> node_key(int(node_codes("perspective", np.array([(3 << PERSPECTIVE_BITS) | 6]))[0]))
    ('perspective', 3, 6)
    """
    kind, payload = NODE_KINDS[code >> KIND_SHIFT], code & PAYLOAD
    if kind == "kpi":
        subject = payload & ((1 << SUBJECT_BITS) - 1)
        return (kind, payload >> SUBJECT_BITS, ("p" if subject % 2 else "u", subject // 2))
    if kind == "perspective":
        return (kind, payload >> PERSPECTIVE_BITS, payload & ((1 << PERSPECTIVE_BITS) - 1))
    return (kind, payload)
