"""Status rules: ordered comparisons that give each element a status index.

A rule set is a list of rules in evaluation order. Each rule compares one basis
of an element (its value, its value as a percentage of target, or its score)
with a bound; the first rule that matches gives the element its status, and an
element that matches no rule gets the fallback. Rules are parallel 1-D arrays
(``rule_basis``, ``rule_comparison``, ``rule_bound``, ``rule_bound_upper``,
``rule_status``), so rule sets load straight from table columns.

Status indices are plain integers whose meaning (red, amber, green, ...) belongs
to the caller.

NaN policy
----------
A NaN basis never matches a rule, so elements with a missing value (or a missing
target or score, for rules on those) fall through to the fallback. Pass
``missing_status`` to give elements whose value is NaN a dedicated status
instead. A percentage of a zero or negative target is undefined and counts as
NaN (unless the caller supplies its own ``percent_of_target`` basis). Rules
themselves must be complete: a NaN bound, an unknown basis or comparison code, or
a BETWEEN rule whose bound is not below its upper bound raises
:class:`~scoreline.engine.errors.EngineInputError`.

Examples
--------
>>> rag = dict(
...     rule_basis=[Basis.PERCENT_OF_TARGET, Basis.PERCENT_OF_TARGET],
...     rule_comparison=[Comparison.GE, Comparison.GE],
...     rule_bound=[100.0, 90.0],
...     rule_bound_upper=[float("nan"), float("nan")],
...     rule_status=[2, 1],
...     fallback=0,
... )
>>> evaluate_status([105.0, 95.0, 50.0], 100.0, float("nan"), **rag).tolist()
[2, 1, 0]
"""

from enum import IntEnum
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from scoreline.engine.arrays import as_floats
from scoreline.engine.errors import EngineInputError

__all__ = ["Basis", "Comparison", "evaluate_status", "evaluate_status_grouped"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class Basis(IntEnum):
    """What a rule compares."""

    #: The measured value itself.
    VALUE = 1
    #: ``100 * value / target``.
    PERCENT_OF_TARGET = 2
    #: The element's score (0..100).
    SCORE = 3


class Comparison(IntEnum):
    """How a rule compares its basis ``x`` with its bound(s)."""

    #: ``x >= bound``
    GE = 1
    #: ``x > bound``
    GT = 2
    #: ``x <= bound``
    LE = 3
    #: ``x < bound``
    LT = 4
    #: ``bound <= x < bound_upper``
    BETWEEN = 5


class _Rules(NamedTuple):
    basis: IntArray
    comparison: IntArray
    bound: FloatArray
    upper: FloatArray
    status: IntArray


def _ints(name: str, x: npt.ArrayLike) -> IntArray:
    arr = np.asarray(x)
    if arr.dtype.kind not in "iu" and arr.size:
        raise EngineInputError(f"{name} must hold integers, not {arr.dtype}")
    return arr.astype(np.int64, copy=False)


def _rules(
    rule_basis: npt.ArrayLike,
    rule_comparison: npt.ArrayLike,
    rule_bound: npt.ArrayLike,
    rule_bound_upper: npt.ArrayLike,
    rule_status: npt.ArrayLike,
) -> _Rules:
    rules = _Rules(
        basis=_ints("rule_basis", rule_basis),
        comparison=_ints("rule_comparison", rule_comparison),
        bound=as_floats(rule_bound, "rule_bound", cause=False),
        upper=as_floats(rule_bound_upper, "rule_bound_upper", cause=False),
        status=_ints("rule_status", rule_status),
    )
    shapes = {name: arr.shape for name, arr in rules._asdict().items()}
    if any(len(shape) != 1 for shape in shapes.values()) or len(set(shapes.values())) != 1:
        listed = ", ".join(f"rule_{name} {shape}" for name, shape in shapes.items())
        raise EngineInputError(f"rule arrays must be 1-D and of one length; got {listed}")
    checks = (
        (~np.isin(rules.basis, [b.value for b in Basis]), "unknown basis code"),
        (~np.isin(rules.comparison, [c.value for c in Comparison]), "unknown comparison code"),
        (np.isnan(rules.bound), "no bound (NaN)"),
        (
            (rules.comparison == Comparison.BETWEEN) & ~(rules.bound < rules.upper),
            "BETWEEN needs bound < bound_upper",
        ),
    )
    for bad, problem in checks:
        if bad.any():
            r = int(np.argmax(bad))
            raise EngineInputError(
                f"rule {r}: {problem} (basis={int(rules.basis[r])}, "
                f"comparison={int(rules.comparison[r])}, bound={float(rules.bound[r])}, "
                f"bound_upper={float(rules.upper[r])}); bases: "
                + ", ".join(f"{b.value}={b.name}" for b in Basis)
                + "; comparisons: "
                + ", ".join(f"{c.value}={c.name}" for c in Comparison)
            )
    return rules


def _elements(
    values: npt.ArrayLike,
    targets: npt.ArrayLike,
    scores: npt.ArrayLike,
    *extra: npt.ArrayLike | None,
) -> tuple[list[npt.NDArray[Any]], tuple[int, ...]]:
    arrays = [
        as_floats(values, "values", cause=False),
        as_floats(targets, "targets", cause=False),
        as_floats(scores, "scores", cause=False),
        *(np.asarray(np.nan if x is None else x) for x in extra),
    ]
    try:
        out = np.broadcast_arrays(*arrays)
    except ValueError:
        shapes = ", ".join(str(a.shape) for a in arrays)
        raise EngineInputError(f"element arrays do not broadcast together: {shapes}") from None
    return [np.atleast_1d(a) for a in out], out[0].shape


def _percent_of_target(v: FloatArray, t: FloatArray) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        percent = 100.0 * v / t
    percent[~(t > 0.0)] = np.nan
    return percent


def _intervals(rules: _Rules) -> tuple[FloatArray, FloatArray]:
    """Each rule as a closed interval: the rule matches ``x`` when ``lo <= x <= hi``.

    Strict bounds move one float inward (``x > b`` is ``x >= nextafter(b, inf)``),
    so every comparison becomes the same two vectorised tests. A strict bound that
    cannot move (``x > inf``, ``x < -inf``) gets NaN, which nothing matches.
    """
    c, bound = rules.comparison, rules.bound
    lo = np.full(bound.shape, -np.inf)
    hi = np.full(bound.shape, np.inf)
    lower_inclusive = (c == Comparison.GE) | (c == Comparison.BETWEEN)
    lo[lower_inclusive] = bound[lower_inclusive]
    gt = c == Comparison.GT
    lo[gt] = np.where(bound[gt] == np.inf, np.nan, np.nextafter(bound[gt], np.inf))
    le = c == Comparison.LE
    hi[le] = bound[le]
    lt = c == Comparison.LT
    hi[lt] = np.where(bound[lt] == -np.inf, np.nan, np.nextafter(bound[lt], -np.inf))
    between = c == Comparison.BETWEEN
    hi[between] = np.nextafter(rules.upper[between], -np.inf)
    return lo, hi


def _basis(
    basis: int, v: FloatArray, t: FloatArray, s: FloatArray, percent: FloatArray | None
) -> FloatArray:
    if basis == Basis.VALUE:
        return v
    if basis == Basis.SCORE:
        return s
    return _percent_of_target(v, t) if percent is None else percent


def _columns(set_ids: IntArray, element_set: IntArray) -> npt.NDArray[np.intp]:
    """Dense index of each element's set in ``set_ids`` (sorted, unique); missing sets
    map to ``len(set_ids)``."""
    n_sets = set_ids.size
    smallest, largest = int(set_ids[0]), int(set_ids[-1])
    if smallest >= 0 and largest < max(8 * n_sets, 1 << 20):
        # Ids are small non-negative numbers (database keys, usually): a lookup
        # table is much faster than a binary search per element.
        lookup = np.full(largest + 2, n_sets, dtype=np.intp)
        lookup[set_ids] = np.arange(n_sets)
        inside = (element_set >= 0) & (element_set <= largest)
        return lookup[np.where(inside, element_set, largest + 1)]
    column = np.searchsorted(set_ids, element_set)
    found = column < n_sets
    found[found] = set_ids[column[found]] == element_set[found]
    column[~found] = n_sets
    return column


def _start(
    v: FloatArray, fallback: npt.NDArray[np.generic], missing_status: int | None
) -> tuple[IntArray, BoolArray]:
    fb = np.asarray(fallback)
    if fb.dtype.kind not in "iu" and fb.size:
        raise EngineInputError(f"fallback must hold integers, not {fb.dtype}")
    result = fb.astype(np.int64, copy=True)
    undecided = np.ones(v.shape, dtype=bool)
    if missing_status is not None:
        missing = np.isnan(v)
        result[missing] = missing_status
        undecided &= ~missing
    return result, undecided


def evaluate_status(
    values: npt.ArrayLike,
    targets: npt.ArrayLike,
    scores: npt.ArrayLike,
    rule_basis: npt.ArrayLike,
    rule_comparison: npt.ArrayLike,
    rule_bound: npt.ArrayLike,
    rule_bound_upper: npt.ArrayLike,
    rule_status: npt.ArrayLike,
    fallback: npt.ArrayLike,
    *,
    missing_status: int | None = None,
    percent_of_target: npt.ArrayLike | None = None,
) -> IntArray:
    """Status of every element under one ordered rule set; first match wins.

    Parameters
    ----------
    values, targets, scores : array_like
        Per-element value, target and score, broadcast together (scalars allowed).
        Only the bases the rules use are read.
    rule_basis, rule_comparison : array_like of int
        ``Basis`` and ``Comparison`` code per rule, in evaluation order.
    rule_bound : array_like
        Bound per rule (the lower bound for BETWEEN).
    rule_bound_upper : array_like
        Exclusive upper bound for BETWEEN rules; ignored (NaN) for the others.
    rule_status : array_like of int
        Status index a rule gives.
    fallback : int or array_like of int
        Status of elements no rule matches (scalar or per element).
    missing_status : int, optional
        If given, elements whose value is NaN get this status without evaluating
        the rules.
    percent_of_target : array_like, optional
        The PERCENT_OF_TARGET basis per element, when the caller computes it
        (for instance a direction-aware attainment where 100 means on target for
        lower-is-better measures too). By default it is ``100 * value / target``.

    Returns
    -------
    numpy.ndarray
        int64 status index per element.

    Raises
    ------
    EngineInputError
        Rule arrays of different lengths, unknown codes, a NaN bound, a BETWEEN
        rule with ``bound >= bound_upper``, or element arrays that do not broadcast.

    Examples
    --------
    >>> evaluate_status(
    ...     [5.0, 15.0, 30.0], float("nan"), float("nan"),
    ...     rule_basis=[Basis.VALUE, Basis.VALUE],
    ...     rule_comparison=[Comparison.LT, Comparison.BETWEEN],
    ...     rule_bound=[10.0, 10.0],
    ...     rule_bound_upper=[float("nan"), 20.0],
    ...     rule_status=[0, 1],
    ...     fallback=2,
    ... ).tolist()
    [0, 1, 2]
    """
    rules = _rules(rule_basis, rule_comparison, rule_bound, rule_bound_upper, rule_status)
    (v, t, s, fb, pct), shape = _elements(values, targets, scores, fallback, percent_of_target)
    percent = None if percent_of_target is None else pct.astype(np.float64, copy=False)
    result, undecided = _start(v, fb, missing_status)
    lo, hi = _intervals(rules)
    bases: dict[int, FloatArray] = {}
    for r in range(rules.basis.size):
        if not undecided.any():
            break
        basis = int(rules.basis[r])
        if basis not in bases:
            bases[basis] = _basis(basis, v, t, s, percent)
        x = bases[basis]
        hit = (x >= lo[r]) & (x <= hi[r])
        hit &= undecided
        result[hit] = rules.status[r]
        undecided &= ~hit
    return result.reshape(shape)


def evaluate_status_grouped(
    values: npt.ArrayLike,
    targets: npt.ArrayLike,
    scores: npt.ArrayLike,
    element_set: npt.ArrayLike,
    rule_set: npt.ArrayLike,
    rule_basis: npt.ArrayLike,
    rule_comparison: npt.ArrayLike,
    rule_bound: npt.ArrayLike,
    rule_bound_upper: npt.ArrayLike,
    rule_status: npt.ArrayLike,
    fallback: npt.ArrayLike,
    *,
    missing_status: int | None = None,
    percent_of_target: npt.ArrayLike | None = None,
) -> IntArray:
    """Status of elements that each follow their own rule set, all at once.

    ``element_set`` names each element's rule set; ``rule_set`` names the set of
    each rule. Within a set, rules are evaluated in the order they appear in the
    rule arrays (sets may be interleaved). The work loops over rule positions
    (first rule of every set, then second, ...), each a vectorised step over the
    elements still undecided, so the cost does not grow with a loop over elements
    or sets. An element whose set has no rules gets the fallback.

    Parameters
    ----------
    values, targets, scores : array_like
        Per-element value, target and score, broadcast together.
    element_set : array_like of int
        Rule-set id per element.
    rule_set : array_like of int
        Rule-set id per rule.
    rule_basis, rule_comparison, rule_bound, rule_bound_upper, rule_status
        As in :func:`evaluate_status`, one entry per rule.
    fallback : int or array_like of int
        Status of elements no rule matches (scalar or per element).
    missing_status : int, optional
        Status for elements whose value is NaN, skipping the rules.
    percent_of_target : array_like, optional
        The PERCENT_OF_TARGET basis per element, as in :func:`evaluate_status`.

    Returns
    -------
    numpy.ndarray
        int64 status index per element.

    Raises
    ------
    EngineInputError
        As :func:`evaluate_status`, or ``rule_set`` not matching the rule arrays.

    Examples
    --------
    >>> nan = float("nan")
    >>> evaluate_status_grouped(
    ...     [95.0, 95.0], 100.0, nan, element_set=[7, 8],
    ...     rule_set=[7, 8, 8],
    ...     rule_basis=[Basis.PERCENT_OF_TARGET] * 3,
    ...     rule_comparison=[Comparison.GE] * 3,
    ...     rule_bound=[90.0, 100.0, 90.0],
    ...     rule_bound_upper=[nan, nan, nan],
    ...     rule_status=[2, 2, 1],
    ...     fallback=0,
    ... ).tolist()
    [2, 1]
    """
    rules = _rules(rule_basis, rule_comparison, rule_bound, rule_bound_upper, rule_status)
    sets = _ints("rule_set", rule_set)
    if sets.shape != rules.basis.shape:
        raise EngineInputError(
            f"rule_set must have one entry per rule {rules.basis.shape}, got {sets.shape}"
        )
    (v, t, s, es, fb, pct), shape = _elements(
        values, targets, scores, _ints("element_set", element_set), fallback, percent_of_target
    )
    percent = None if percent_of_target is None else pct.astype(np.float64, copy=False)
    result, undecided = _start(v, fb, missing_status)
    if sets.size == 0:
        return result.reshape(shape)

    set_ids, dense = np.unique(sets, return_inverse=True)
    n_sets = set_ids.size
    # position[i]: rank of rule i within its own set, in the given order.
    order = np.argsort(dense, kind="stable")
    first = np.searchsorted(dense[order], np.arange(n_sets))
    position = np.empty(sets.size, dtype=np.intp)
    position[order] = np.arange(sets.size) - first[dense[order]]
    # column[j]: dense index of element j's set; n_sets (a column no rule fills)
    # for a set without rules.
    column = _columns(set_ids, es)
    lo, hi = _intervals(rules)

    bases: dict[int, FloatArray] = {}
    for p in range(int(position.max()) + 1):
        if not undecided.any():
            break
        at_p = np.flatnonzero(position == p)
        status_at = np.zeros(n_sets + 1, dtype=np.int64)
        status_at[dense[at_p]] = rules.status[at_p]
        hit = np.zeros(undecided.shape, dtype=bool)
        for basis in np.unique(rules.basis[at_p]).tolist():
            if basis not in bases:
                bases[basis] = _basis(basis, v, t, s, percent)
            x = bases[basis]
            these = at_p[rules.basis[at_p] == basis]
            # Per-set bounds of this position's rule on this basis; NaN (never
            # matching) for sets whose rule here reads another basis or that have
            # no rule this deep.
            lo_at = np.full(n_sets + 1, np.nan)
            hi_at = np.full(n_sets + 1, np.nan)
            lo_at[dense[these]] = lo[these]
            hi_at[dense[these]] = hi[these]
            hit |= (x >= lo_at[column]) & (x <= hi_at[column])
        hit &= undecided
        result[hit] = status_at[column[hit]]
        undecided &= ~hit
    return result.reshape(shape)
