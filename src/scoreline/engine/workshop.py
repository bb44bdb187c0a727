"""Priority workshops: how far departments agree when they share out 100 points.

In a workshop every participant (usually one per department: sales, operations,
finance, ...) distributes 100 points over the candidate items (objectives, KPIs,
initiatives). This module summarises the allocations, measures the overall
agreement and finds the pairs of participants who disagree most, so the workshop can
start where the conflict is.

Agreement: Kendall's W
----------------------
Each participant's points are turned into ranks (more points, higher rank; tied
points share their average rank). With ``m`` participants, ``n`` items, rank sums
``R_j`` and ``S = sum_j (R_j - m (n + 1) / 2) ** 2``, the coefficient of concordance
corrected for ties is

    W = 12 S / (m**2 (n**3 - n) - m T),   T = sum over participants and tie groups of (t**3 - t)

(Kendall, M. G. & Babington Smith, B. (1939) "The problem of m rankings", Annals of
Mathematical Statistics 10(3); tie-corrected form as in Legendre, P. (2005) "Species
associations: the Kendall coefficient of concordance revisited", Journal of
Agricultural, Biological and Environmental Statistics 10(2)). W is 1 when everyone
ranks the items alike and 0 when the rank sums are all equal. ``m (n - 1) W`` is
Friedman's chi-square statistic with ``n - 1`` degrees of freedom; its p-value is a
large-sample approximation.

Disagreement between two participants
-------------------------------------
``points_moved`` is half the L1 distance between their allocations: the points one
would have to move to turn one allocation into the other (0 to 100).
``spearman_rho`` is Spearman's correlation between their rankings (Pearson on the
average ranks, so ties are handled).

NaN policy
----------
A participant row containing NaN has not (fully) allocated and is left out of every
statistic. Statistics that need more participants than remain are NaN (W and the
chi-square need two, the standard deviation two); W is NaN when every participant
spread the points evenly (no ranking at all). Points are compared for ties after
rounding to 1e-9 points, so 100/3 typed two ways still ties.

Examples
--------
>>> import numpy as np
>>> points = np.array([[50.0, 30, 20], [40, 40, 20], [10, 30, 60]])
>>> summary = summarise_allocations(points, ["sales", "operations", "finance"], ["a", "b", "c"])
>>> summary.mean
array([33.33333333, 33.33333333, 33.33333333])
>>> round(summary.concordance.w, 4)
0.0909
>>> summary.disagreements[0].participant_a, summary.disagreements[0].participant_b
('sales', 'finance')
>>> agreed_weights(points, "median")             # medians 40, 30, 20 re-normalised
array([0.44444444, 0.33333333, 0.22222222])
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats

from scoreline.engine.errors import EngineInputError

__all__ = [
    "AllocationSummary",
    "Concordance",
    "Disagreement",
    "agreed_weights",
    "kendall_w",
    "summarise_allocations",
]

FloatArray = npt.NDArray[np.float64]

TOTAL_POINTS = 100.0
TOLERANCE = 1e-6
_TIE_DECIMALS = 9


def _json_float(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


@dataclass(frozen=True)
class Concordance:
    """Kendall's coefficient of concordance and its large-sample test.

    Attributes
    ----------
    w : float
        Tie-corrected W in [0, 1]; NaN when undefined.
    chi_square : float
        Friedman statistic ``raters * (items - 1) * w``.
    df : int
        Degrees of freedom, ``items - 1``.
    p_value : float
        Upper tail of the chi-square distribution at ``chi_square``.
    raters, items : int
        Complete rankings used and items ranked.
    """

    w: float
    chi_square: float
    df: int
    p_value: float
    raters: int
    items: int

    def as_dict(self) -> dict[str, float | int | None]:
        """JSON-able form; NaN becomes None."""
        return {
            "w": _json_float(self.w),
            "chi_square": _json_float(self.chi_square),
            "df": self.df,
            "p_value": _json_float(self.p_value),
            "raters": self.raters,
            "items": self.items,
        }


@dataclass(frozen=True)
class Disagreement:
    """How far two participants' allocations are apart.

    Attributes
    ----------
    participant_a, participant_b : str
        Labels (departments) of the two participants.
    row_a, row_b : int
        Their rows in the allocation matrix, ``row_a < row_b``.
    points_moved : float
        Half the L1 distance between the allocations, 0 to 100.
    spearman_rho : float
        Spearman correlation of their rankings; NaN if either spread the points evenly.
    """

    participant_a: str
    participant_b: str
    row_a: int
    row_b: int
    points_moved: float
    spearman_rho: float

    def as_dict(self) -> dict[str, str | int | float | None]:
        """JSON-able form; NaN becomes None."""
        return {
            "participant_a": self.participant_a,
            "participant_b": self.participant_b,
            "row_a": self.row_a,
            "row_b": self.row_b,
            "points_moved": self.points_moved,
            "spearman_rho": _json_float(self.spearman_rho),
        }


@dataclass(frozen=True)
class AllocationSummary:
    """Per-item statistics, overall agreement and the most disagreeing pairs.

    Attributes
    ----------
    items : tuple of str
        Item keys, in column order.
    participants : tuple of str
        Labels of the participants whose allocations were used (complete rows).
    mean, median, std, minimum, maximum, iqr : ndarray of float64, shape (n_items,)
        Points per item across participants; ``std`` is the sample standard deviation
        (ddof=1), ``iqr`` the 75th minus the 25th percentile (linear interpolation).
    concordance : Concordance
        Kendall's W over all complete allocations.
    disagreements : tuple of Disagreement
        Every pair of participants, most points moved first, then lowest rank
        correlation, then row order.
    """

    items: tuple[str, ...]
    participants: tuple[str, ...]
    mean: FloatArray
    median: FloatArray
    std: FloatArray
    minimum: FloatArray
    maximum: FloatArray
    iqr: FloatArray
    concordance: Concordance
    disagreements: tuple[Disagreement, ...]

    def as_dict(self) -> dict[str, object]:
        """JSON-able form; NaN becomes None."""
        columns = {
            "mean": self.mean,
            "median": self.median,
            "std": self.std,
            "min": self.minimum,
            "max": self.maximum,
            "iqr": self.iqr,
        }
        return {
            "participants": list(self.participants),
            "items": [
                {"item": item} | {name: _json_float(float(col[j])) for name, col in columns.items()}
                for j, item in enumerate(self.items)
            ],
            "concordance": self.concordance.as_dict(),
            "disagreements": [pair.as_dict() for pair in self.disagreements],
        }


def _labels(labels: Sequence[str] | None, count: int, prefix: str, what: str) -> tuple[str, ...]:
    if labels is None:
        return tuple(f"{prefix}{i + 1}" for i in range(count))
    result = tuple(str(label) for label in labels)
    if len(result) != count:
        raise EngineInputError(f"{len(result)} {what} labels for {count} {what}s")
    return result


def _validated(
    points: npt.ArrayLike, participants: Sequence[str] | None, items: Sequence[str] | None
) -> tuple[FloatArray, npt.NDArray[np.bool_], tuple[str, ...], tuple[str, ...]]:
    """The allocation matrix, which rows are complete, and the labels."""
    matrix = np.asarray(points, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[0] == 0 or matrix.shape[1] == 0:
        raise EngineInputError(
            f"points must be a non-empty 2-D matrix (participants x items), got shape {matrix.shape}"
        )
    people = _labels(participants, matrix.shape[0], "participant ", "participant")
    keys = _labels(items, matrix.shape[1], "item ", "item")
    if len(set(keys)) != len(keys):
        raise EngineInputError("item keys must be unique")
    complete: npt.NDArray[np.bool_] = np.asarray(~np.isnan(matrix).any(axis=1))

    def refuse(row: int, problem: str) -> EngineInputError:
        return EngineInputError(f"participant row {row} ({people[row]}) {problem}")

    infinite = np.isinf(matrix)
    if infinite.any():
        row, col = np.argwhere(infinite)[0]
        raise refuse(int(row), f"has an infinite allocation for item {keys[col]!r}")
    negative = complete[:, np.newaxis] & (matrix < 0)
    if negative.any():
        row, col = np.argwhere(negative)[0]
        raise refuse(
            int(row), f"gives a negative allocation ({matrix[row, col]:g}) to item {keys[col]!r}"
        )
    totals = matrix.sum(axis=1)
    off = complete & (np.abs(totals - TOTAL_POINTS) > TOLERANCE)
    if off.any():
        row = int(np.argmax(off))
        raise refuse(row, f"allocates {totals[row]:g} points, not {TOTAL_POINTS:g}")
    return matrix, complete, people, keys


def _average_ranks(scores: FloatArray) -> FloatArray:
    """Ranks within each row, ascending, ties sharing their average rank."""
    return np.asarray(stats.rankdata(scores, method="average", axis=1), dtype=np.float64)


def _concordance(scores: FloatArray) -> Concordance:
    raters, n_items = scores.shape
    if raters < 2 or n_items < 2:
        return Concordance(math.nan, math.nan, max(n_items - 1, 0), math.nan, raters, n_items)
    ranks = _average_ranks(scores)
    rank_sums = ranks.sum(axis=0)
    spread = float(np.sum((rank_sums - raters * (n_items + 1) / 2.0) ** 2))
    # Sum of (t^3 - t) over tie groups equals the sum over items of (t_item^2 - 1),
    # t_item being the size of the item's own tie group.
    group_sizes = (scores[:, :, np.newaxis] == scores[:, np.newaxis, :]).sum(axis=2)
    ties = float(np.sum(group_sizes.astype(np.float64) ** 2 - 1.0))
    denominator = raters**2 * (n_items**3 - n_items) - raters * ties
    if denominator <= 0:
        return Concordance(math.nan, math.nan, n_items - 1, math.nan, raters, n_items)
    w = min(max(12.0 * spread / denominator, 0.0), 1.0)
    chi_square = raters * (n_items - 1) * w
    p_value = float(stats.chi2.sf(chi_square, n_items - 1))
    return Concordance(w, chi_square, n_items - 1, p_value, raters, n_items)


def kendall_w(scores: npt.ArrayLike) -> Concordance:
    """Kendall's coefficient of concordance, corrected for ties.

    Parameters
    ----------
    scores : array_like, shape (raters, items)
        Any scores or ranks; each row is ranked on its own, larger scores ranking
        higher, ties sharing their average rank. Rows containing NaN are left out.

    Returns
    -------
    Concordance
        W, Friedman's chi-square, its degrees of freedom and p-value.

    Examples
    --------
    >>> kendall_w([[1, 2, 3], [1, 2, 3]]).w
    1.0
    >>> round(kendall_w([[12, 2, 1, 12, 2], [1, 4, 7, 1, 0]]).w, 5)
    0.22973
    """
    matrix = np.asarray(scores, dtype=np.float64)
    if matrix.ndim != 2:
        raise EngineInputError(f"scores must be 2-D (raters x items), got {matrix.ndim}-D")
    if np.isinf(matrix).any():
        raise EngineInputError("scores must be finite or NaN")
    return _concordance(matrix[~np.isnan(matrix).any(axis=1)])


def _disagreements(
    allocations: FloatArray, rows: npt.NDArray[np.intp], labels: tuple[str, ...]
) -> tuple[Disagreement, ...]:
    count = allocations.shape[0]
    if count < 2:
        return ()
    moved = 0.5 * np.abs(allocations[:, np.newaxis, :] - allocations[np.newaxis, :, :]).sum(axis=2)
    ranks = _average_ranks(allocations)
    centred = ranks - ranks.mean(axis=1, keepdims=True)
    norms = np.sqrt((centred**2).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = (centred @ centred.T) / np.outer(norms, norms)
    rho = np.clip(rho, -1.0, 1.0)
    first, second = np.triu_indices(count, k=1)
    pair_moved = moved[first, second]
    pair_rho = rho[first, second]
    # Most points moved first, then the least correlated rankings (NaN last), then rows.
    order = np.lexsort((second, first, np.nan_to_num(pair_rho, nan=2.0), -pair_moved))
    return tuple(
        Disagreement(
            participant_a=labels[rows[first[k]]],
            participant_b=labels[rows[second[k]]],
            row_a=int(rows[first[k]]),
            row_b=int(rows[second[k]]),
            points_moved=float(pair_moved[k]),
            spearman_rho=float(pair_rho[k]),
        )
        for k in order
    )


def summarise_allocations(
    points: npt.ArrayLike,
    participants: Sequence[str] | None = None,
    items: Sequence[str] | None = None,
) -> AllocationSummary:
    """Summarise a 100-point allocation workshop.

    Parameters
    ----------
    points : array_like, shape (n_participants, n_items)
        Points each participant gives each item; every complete row is non-negative
        and sums to 100 (within 1e-6). A row with NaN is a missing allocation.
    participants : sequence of str, optional
        One label per row, usually the department; default ``participant 1``, ...
    items : sequence of str, optional
        One unique key per column; default ``item 1``, ...

    Returns
    -------
    AllocationSummary

    Raises
    ------
    EngineInputError
        A negative or infinite allocation, a row not summing to 100 (the message
        names the participant row and label), or labels that do not match the shape.

    Examples
    --------
    >>> s = summarise_allocations([[60.0, 40.0], [20.0, 80.0]], ["sales", "finance"])
    >>> s.median, s.disagreements[0].points_moved
    (array([40., 60.]), 40.0)
    """
    matrix, complete, people, keys = _validated(points, participants, items)
    rows = np.flatnonzero(complete)
    allocations = np.round(matrix[rows], _TIE_DECIMALS)
    n_items = matrix.shape[1]
    if rows.size:
        mean = allocations.mean(axis=0)
        median = np.median(allocations, axis=0)
        minimum = allocations.min(axis=0)
        maximum = allocations.max(axis=0)
        q25, q75 = np.percentile(allocations, [25.0, 75.0], axis=0)
        iqr = q75 - q25
    else:
        mean = median = minimum = maximum = iqr = np.full(n_items, np.nan)
    std = allocations.std(axis=0, ddof=1) if rows.size >= 2 else np.full(n_items, np.nan)
    return AllocationSummary(
        items=keys,
        participants=tuple(people[r] for r in rows),
        mean=mean,
        median=median,
        std=std,
        minimum=minimum,
        maximum=maximum,
        iqr=iqr,
        concordance=_concordance(allocations),
        disagreements=_disagreements(allocations, rows, people),
    )


def agreed_weights(points: npt.ArrayLike, method: Literal["mean", "median"] = "mean") -> FloatArray:
    """One set of weights from everyone's allocations, summing to 1.

    Parameters
    ----------
    points : array_like, shape (n_participants, n_items)
        As in :func:`summarise_allocations`.
    method : {"mean", "median"}
        ``"mean"``: average points / 100. ``"median"``: per-item medians, divided by
        their sum (medians of allocations need not add up to 100).

    Returns
    -------
    ndarray of float64, shape (n_items,)
        NaN everywhere when no participant allocated, or when every median is 0.

    Examples
    --------
    >>> agreed_weights([[60.0, 40.0], [20.0, 80.0]])
    array([0.4, 0.6])
    """
    if method not in ("mean", "median"):
        raise EngineInputError(f"method must be 'mean' or 'median', got {method!r}")
    matrix, complete, _, _ = _validated(points, None, None)
    allocations = matrix[complete]
    if allocations.shape[0] == 0:
        return np.full(matrix.shape[1], np.nan)
    central = allocations.mean(axis=0) if method == "mean" else np.median(allocations, axis=0)
    total = central.sum()
    if total <= 0:
        return np.full(matrix.shape[1], np.nan)
    return np.asarray(central / total, dtype=np.float64)
