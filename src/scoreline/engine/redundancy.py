"""Redundancy audit: KPIs that duplicate or contradict each other, across departments.

Departments often measure the same thing twice under different names, or steer two
numbers that move together in opposite directions. Every pair of KPIs is screened
for four kinds of evidence, all computed as matrices:

correlation
    Pearson correlation of the two histories over the periods both have (pairwise
    complete), computed for all pairs at once from the standardised series with
    mask products (``n_ij = M @ M.T`` and friends). It counts when at least
    ``min_periods`` periods overlap and ``|r| >= threshold``. With the KPIs'
    directions ``d`` (1 higher is better, -1 lower is better), ``sign(r) * d_i * d_j
    > 0`` means both improve together (a duplicate signal) and ``< 0`` means one
    improves as the other worsens (a conflicting signal). Target-range KPIs
    (direction 0) have no better side, so their correlations are not judged.
name, description
    ``rapidfuzz`` token-set similarity (0 to 100) of the names, counting from
    ``name_threshold``. Descriptions count when they use the same set of words, or,
    with ``description_threshold`` set, from that token-set similarity on (off by
    default: fuzzy comparison of every pair of long texts is the slowest step).
    Token-set similarity is 100 when one text's words are a subset of the other's,
    so "Revenue" and "Revenue growth" count as similar names: the evidence is shown so
    a reviewer can judge.
formula, source
    Identical formula (all whitespace removed) or identical data source (trimmed,
    case-folded). Sharing a source or a formula alone is common and harmless (a
    ledger feeds many KPIs; one formula can run on different data), so these are
    reported as evidence on pairs found otherwise, and raise a pair on their own only
    when the whole definition matches: same formula and same source, or same
    formula with no source on either side, or same source with no formula on either
    side.

A reported pair is ``"conflicting"`` when its correlation is a conflicting signal,
or when its definitions match but its directions are opposite; otherwise
``"duplicate"``. Pairs come ordered by the number of signals, then the strongest
signal (``|r|``, similarity / 100, or 1 for a matching definition), then codes, so
the result does not depend on the input order. Within a pair ``code_a < code_b``.

NaN policy
----------
NaN in ``series`` is a missing period: it is left out of every correlation it
belongs to; a pair with fewer than ``min_periods`` shared periods, or a series
constant over them, has no correlation signal (its other signals still count).

Examples
--------
>>> import numpy as np
>>> months = np.arange(24.0)
>>> series = np.vstack([100 + 5 * months, 300 + 15 * months + months % 2, 40 - months / 2])
>>> pairs = find_redundancy(
...     codes=["SAL-1", "FIN-9", "FIN-2"],
...     names=["Net sales", "Revenue booked", "Gross margin"],
...     descriptions=["", "", ""],
...     formulas=[None, None, None],
...     sources=["crm.orders", "erp.ledger", "erp.margin"],
...     directions=np.array([1, 1, 1]),
...     functions=["sales", "finance", "finance"],
...     series=series,
... )
>>> sorted((p.code_a, p.code_b, p.kind) for p in pairs)
[('FIN-2', 'FIN-9', 'conflicting'), ('FIN-2', 'SAL-1', 'conflicting'), ('FIN-9', 'SAL-1', 'duplicate')]
>>> sales_finance = next(p for p in pairs if p.kind == "duplicate")
>>> sales_finance.signals[0]["signal"], sales_finance.cross_function
('correlation', True)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process, utils

from scoreline.engine.errors import EngineInputError

__all__ = ["CONFLICTING", "DUPLICATE", "RedundancySettings", "RedundantPair", "find_redundancy"]

DUPLICATE = "duplicate"
CONFLICTING = "conflicting"

Evidence = dict[str, str | float | int]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class RedundancySettings:
    """Thresholds of the audit.

    Attributes
    ----------
    threshold : float, default 0.9
        Smallest ``|r|`` that counts as a correlation signal, in (0, 1].
    name_threshold : float, default 85
        Smallest name similarity (0 to 100) that counts.
    description_threshold : float or None, default None
        Smallest description similarity (0 to 100) that counts. None, the default,
        counts only descriptions with the same set of words: comparing every pair of
        long descriptions costs several seconds per 2,000 KPIs on one core.
    min_periods : int, default 12
        Fewest shared periods for a correlation.
    cross_function_only : bool, default False
        Report only pairs from different functions (departments).
    """

    threshold: float = 0.9
    name_threshold: float = 85.0
    description_threshold: float | None = None
    min_periods: int = 12
    cross_function_only: bool = False

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise EngineInputError(f"threshold must be in (0, 1], got {self.threshold}")
        if not 0.0 <= self.name_threshold <= 100.0:
            raise EngineInputError(f"name_threshold must be in [0, 100], got {self.name_threshold}")
        if self.description_threshold is not None and not (
            0.0 <= self.description_threshold <= 100.0
        ):
            raise EngineInputError(
                f"description_threshold must be in [0, 100] or None, got "
                f"{self.description_threshold}"
            )
        if self.min_periods < 3:
            raise EngineInputError(f"min_periods must be at least 3, got {self.min_periods}")


@dataclass(frozen=True)
class RedundantPair:
    """Two KPIs that look redundant, with the evidence.

    Attributes
    ----------
    code_a, code_b : str
        The two KPIs, ``code_a < code_b``.
    kind : str
        ``"duplicate"`` or ``"conflicting"``.
    signals : list of dict
        Evidence, e.g. ``{"signal": "correlation", "r": 0.97, "periods": 36}``,
        ``{"signal": "name", "similarity": 91.0}``, ``{"signal": "description",
        "similarity": 93.5}``, ``{"signal": "formula"}``, ``{"signal": "source"}``.
    function_a, function_b : str
        The business functions owning ``code_a`` and ``code_b``.
    cross_function : bool
        The two belong to different functions.
    strength : float
        The strongest signal, 0 to 1.
    action : str
        Suggested next step.
    """

    code_a: str
    code_b: str
    kind: str
    signals: list[Evidence]
    function_a: str
    function_b: str
    cross_function: bool
    strength: float
    action: str

    def as_dict(self) -> dict[str, object]:
        """JSON-able form."""
        return {
            "code_a": self.code_a,
            "code_b": self.code_b,
            "kind": self.kind,
            "signals": [dict(signal) for signal in self.signals],
            "function_a": self.function_a,
            "function_b": self.function_b,
            "cross_function": self.cross_function,
            "strength": self.strength,
            "action": self.action,
        }


def _correlations(series: FloatArray, min_periods: int) -> tuple[FloatArray, FloatArray]:
    """Pairwise-complete Pearson correlations and overlap counts, as matrices.

    Each series is standardised over its own observed periods first, which keeps the
    sums small and the subtraction below accurate.
    """
    observed = np.isfinite(series)
    mask = observed.astype(np.float64)
    counts = mask.sum(axis=1)
    safe = np.where(observed, series, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = safe.sum(axis=1) / counts
        deviations = np.where(observed, series - means[:, np.newaxis], 0.0)
        scales = np.sqrt((deviations**2).sum(axis=1) / counts)
    usable = (counts >= 2) & (scales > 0)
    mask[~usable] = 0.0
    z = np.where(observed & usable[:, np.newaxis], deviations, 0.0)
    z[usable] /= scales[usable, np.newaxis]

    overlap = mask @ mask.T
    sums = z @ mask.T  # sums[i, j]: sum of z_i over the periods both i and j have
    with np.errstate(invalid="ignore", divide="ignore"):
        # In place, to keep few n x n matrices alive at once.
        spread = (z * z) @ mask.T
        spread -= sums**2 / overlap  # spread[i, j]: sum of squares of z_i about its mean
        r = z @ z.T
        r -= sums * sums.T / overlap
        del sums
        r /= np.sqrt(spread * spread.T)
    tiny = 1e-12 * np.maximum(overlap, 1.0)
    spread_of_j = spread.T
    valid = (overlap >= min_periods) & (spread > tiny) & (spread_of_j > tiny)
    r = np.where(valid, np.clip(r, -1.0, 1.0), np.nan)
    return r, overlap


def _similarities(texts: list[str]) -> FloatArray:
    """Token-set similarity (0 to 100) of every pair of texts; NaN where either is blank.

    Each distinct text is compared once, and rapidfuzz computes a single triangle
    when the queries are the choices.
    """
    processed = np.array([utils.default_process(text) for text in texts], dtype=object)
    distinct, inverse = np.unique(processed, return_inverse=True)
    choices = [str(text) for text in distinct]
    scores = np.asarray(
        process.cdist(choices, choices, scorer=fuzz.token_set_ratio, dtype=np.float32, workers=1),
        dtype=np.float64,
    )
    blank = np.array([not text for text in choices], dtype=bool)
    scores[blank, :] = np.nan  # never similar, whatever the threshold
    scores[:, blank] = np.nan
    inverse = inverse.reshape(-1)
    return scores[inverse[:, np.newaxis], inverse[np.newaxis, :]]


def _identical_wording(texts: list[str]) -> FloatArray:
    """100 where two texts have the same set of words (after rapidfuzz's default
    processing, which token-set similarity also uses), else 0; 0 where either is blank.
    """
    canonical = np.array(
        [" ".join(sorted(set(utils.default_process(text).split()))) for text in texts],
        dtype=object,
    )
    _, inverse = np.unique(canonical, return_inverse=True)
    inverse = inverse.reshape(-1)
    present = canonical != ""
    same = (inverse[:, np.newaxis] == inverse[np.newaxis, :]) & np.outer(present, present)
    return np.where(same, 100.0, 0.0)


def _groups(values: Sequence[str | None]) -> tuple[npt.NDArray[np.intp], BoolArray]:
    """Group number of each (normalised) value and whether it is present."""
    present = np.array([bool(value) for value in values], dtype=bool)
    labels = np.array([value if value else "" for value in values], dtype=object)
    _, inverse = np.unique(labels, return_inverse=True)
    return inverse.reshape(-1), present


def _strings(values: Sequence[str], name: str, count: int) -> list[str]:
    if len(values) != count:
        raise EngineInputError(f"{name} has {len(values)} entries for {count} KPIs")
    if any(not isinstance(value, str) for value in values):
        raise EngineInputError(f"{name} must be strings")
    return list(values)


def _optional_strings(values: Sequence[str | None], name: str, count: int) -> list[str | None]:
    if len(values) != count:
        raise EngineInputError(f"{name} has {len(values)} entries for {count} KPIs")
    if any(value is not None and not isinstance(value, str) for value in values):
        raise EngineInputError(f"{name} must be strings or None")
    return list(values)


def _action(
    kind: str,
    signals: list[Evidence],
    same_definition: bool,
    function_a: str,
    function_b: str,
) -> str:
    cross = function_a != function_b
    correlation = next((s for s in signals if s["signal"] == "correlation"), None)
    moves = (
        f" (r = {float(correlation['r']):.2f} over {correlation['periods']} periods)"
        if correlation is not None
        else ""
    )
    if kind == CONFLICTING:
        between = f" between {function_a} and {function_b}" if cross else ""
        if correlation is None:
            return (
                "Same definition with opposite directions: decide which way is better "
                f"and keep one KPI{between}."
            )
        return (
            f"They move together{moves} but one counts as better when the other gets "
            f"worse: align the directions and targets{between}, or agree the trade-off "
            "explicitly."
        )
    if same_definition:
        if cross:
            return (
                f"Identical definitions: merge into one KPI shared by {function_a} and "
                f"{function_b}."
            )
        return "Identical definitions: keep one KPI and retire the other."
    wording = any(s["signal"] in ("name", "description") for s in signals)
    if correlation is not None and wording:
        owner = f" shared by {function_a} and {function_b}" if cross else ""
        return f"Similar wording and they move together{moves}: merge into one KPI{owner}."
    if correlation is not None:
        return (
            f"They carry the same information{moves}: keep the one closer to the outcome "
            "and retire the other, or record why both are needed."
        )
    return (
        "Similar wording: check whether they measure the same thing; if so merge them, "
        "otherwise rename them so the difference is clear."
    )


def find_redundancy(
    codes: Sequence[str],
    names: Sequence[str],
    descriptions: Sequence[str],
    formulas: Sequence[str | None],
    sources: Sequence[str | None],
    directions: npt.ArrayLike,
    functions: Sequence[str],
    series: npt.ArrayLike,
    settings: RedundancySettings | None = None,
) -> list[RedundantPair]:
    """Find duplicated and conflicting KPIs among many.

    Parameters
    ----------
    codes : sequence of str, length n
        Unique KPI codes.
    names, descriptions : sequence of str, length n
        Wording compared by token-set similarity.
    formulas, sources : sequence of str or None, length n
        Formula and data source; None or blank for none.
    directions : array_like of int, shape (n,)
        1 higher is better, -1 lower is better, 0 target range.
    functions : sequence of str, length n
        Business function (department) owning each KPI.
    series : array_like of float, shape (n, n_periods)
        Aligned histories, NaN for missing periods.
    settings : RedundancySettings, optional
        Thresholds; the defaults when omitted.

    Returns
    -------
    list of RedundantPair
        Pairs with at least one signal (see the module notes), most evidence first.

    Raises
    ------
    EngineInputError
        Lengths or shapes that do not match, duplicate codes, or a direction other
        than 1, -1 or 0.

    Examples
    --------
    >>> import numpy as np
    >>> pairs = find_redundancy(
    ...     ["A", "B"], ["Customer churn rate", "Churn rate customer"], ["", ""],
    ...     ["lost / customers", "lost/customers"], [None, None], np.array([-1, -1]),
    ...     ["sales", "service"], np.full((2, 0), np.nan))
    >>> [s["signal"] for s in pairs[0].signals], pairs[0].action
    (['name', 'formula'], 'Identical definitions: merge into one KPI shared by sales and service.')
    """
    chosen = settings if settings is not None else RedundancySettings()
    count = len(codes)
    code_list = _strings(codes, "codes", count)
    if len(set(code_list)) != count:
        raise EngineInputError("codes must be unique")
    name_list = _strings(names, "names", count)
    description_list = _strings(descriptions, "descriptions", count)
    function_list = _strings(functions, "functions", count)
    formula_list = _optional_strings(formulas, "formulas", count)
    source_list = _optional_strings(sources, "sources", count)
    direction = np.asarray(directions)
    if direction.shape != (count,):
        raise EngineInputError(f"directions has shape {direction.shape}, expected ({count},)")
    if not np.all(np.isin(direction, (-1, 0, 1))):
        raise EngineInputError("directions must be 1 (higher), -1 (lower) or 0 (range)")
    direction = direction.astype(np.int64)
    history = np.asarray(series, dtype=np.float64)
    if history.ndim != 2 or history.shape[0] != count:
        raise EngineInputError(f"series has shape {history.shape}, expected ({count}, n_periods)")
    if count < 2:
        return []

    upper = np.triu(np.ones((count, count), dtype=bool), k=1)

    r, overlap = _correlations(history, chosen.min_periods)
    strong = np.isfinite(r) & (np.abs(np.nan_to_num(r)) >= chosen.threshold)
    direction_products = np.outer(direction, direction).astype(np.int8)
    effective = np.sign(np.nan_to_num(r)) * direction_products
    agreeing = strong & (effective > 0)
    conflicting = strong & (effective < 0)

    name_similarity = _similarities(name_list)
    similar_names = name_similarity >= chosen.name_threshold
    if chosen.description_threshold is not None:
        description_similarity = _similarities(description_list)
        similar_descriptions = description_similarity >= chosen.description_threshold
    else:
        description_similarity = _identical_wording(description_list)
        similar_descriptions = description_similarity > 0

    formula_group, has_formula = _groups(
        ["".join(f.split()) if f is not None else None for f in formula_list]
    )
    source_group, has_source = _groups(
        [s.strip().casefold() if s is not None else None for s in source_list]
    )
    same_formula = (formula_group[:, None] == formula_group[None, :]) & np.outer(
        has_formula, has_formula
    )
    same_source = (source_group[:, None] == source_group[None, :]) & np.outer(
        has_source, has_source
    )
    no_formula = np.outer(~has_formula, ~has_formula)
    no_source = np.outer(~has_source, ~has_source)
    same_definition = (
        (same_formula | no_formula) & (same_source | no_source) & ~(no_formula & no_source)
    )
    opposite = direction_products < 0

    reported = upper & (
        agreeing | conflicting | similar_names | similar_descriptions | same_definition
    )
    function_array = np.array(function_list, dtype=object)
    cross = function_array[:, None] != function_array[None, :]
    if chosen.cross_function_only:
        reported &= cross
    rows, cols = np.nonzero(reported)
    if rows.size == 0:
        return []

    correlation_strength = np.where(strong[rows, cols], np.abs(np.nan_to_num(r[rows, cols])), 0.0)
    strength = np.maximum.reduce(
        [
            correlation_strength,
            np.where(similar_names[rows, cols], name_similarity[rows, cols] / 100.0, 0.0),
            np.where(
                similar_descriptions[rows, cols], description_similarity[rows, cols] / 100.0, 0.0
            ),
            same_definition[rows, cols].astype(np.float64),
        ]
    )
    n_signals = (
        strong[rows, cols].astype(int)
        + similar_names[rows, cols]
        + similar_descriptions[rows, cols]
        + same_formula[rows, cols]
        + same_source[rows, cols]
    )
    code_rank = np.empty(count, dtype=np.int64)
    code_rank[np.argsort(np.array(code_list, dtype=object), kind="stable")] = np.arange(count)
    rank_a = np.minimum(code_rank[rows], code_rank[cols])
    rank_b = np.maximum(code_rank[rows], code_rank[cols])
    order = np.lexsort((rank_b, rank_a, -strength, -n_signals))

    pairs: list[RedundantPair] = []
    for k in order:
        # (u, v) indexes the matrices; (a, b) orders the pair by code for the output.
        u, v = int(rows[k]), int(cols[k])
        a, b = (u, v) if code_rank[u] < code_rank[v] else (v, u)
        signals: list[Evidence] = []
        if strong[u, v]:
            signals.append(
                {"signal": "correlation", "r": float(r[u, v]), "periods": int(overlap[u, v])}
            )
        if similar_names[u, v]:
            signals.append({"signal": "name", "similarity": float(name_similarity[u, v])})
        if similar_descriptions[u, v]:
            signals.append(
                {"signal": "description", "similarity": float(description_similarity[u, v])}
            )
        if same_formula[u, v]:
            signals.append({"signal": "formula"})
        if same_source[u, v]:
            signals.append({"signal": "source"})
        definition = bool(same_definition[u, v])
        kind = CONFLICTING if conflicting[u, v] or (definition and opposite[u, v]) else DUPLICATE
        pairs.append(
            RedundantPair(
                code_a=code_list[a],
                code_b=code_list[b],
                kind=kind,
                signals=signals,
                function_a=function_list[a],
                function_b=function_list[b],
                cross_function=bool(cross[u, v]),
                strength=float(strength[k]),
                action=_action(kind, signals, definition, function_list[a], function_list[b]),
            )
        )
    return pairs
