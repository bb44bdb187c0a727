"""Audits of the KPI set in force on a day: SMART checks, redundant pairs, target specificity.

The engine judges (:mod:`scoreline.engine.smart`, :mod:`scoreline.engine.redundancy`,
:mod:`scoreline.engine.specificity`); this module gathers what it judges from the
database. Values are the derived ones the scorecards score: formula KPIs calculated, and
units without a value of their own given their subtree's aggregate.

Histories and horizons
----------------------
A KPI's history at a unit or person is its monthly values up to the month of the audit
day, oldest first, with gaps as NaN. A target's horizon is the number of months from the
latest value to the last month of the target's span (at least one). The target compared
with the history is the monthly target of that last month after phasing, the same number
the scorecard scores that month against: a flat target of an averaged KPI is its value,
a target summed over the year is that month's share. A range target without a target
value is judged by the middle of its range.

Organisation-level series
-------------------------
The redundancy audit compares one monthly series per KPI for the whole organisation:

* a KPI aggregated up the tree: the value of the root unit, which is its own value or,
  without one, the aggregate of its subtree by the KPI's tree aggregation (sum, average,
  headcount-weighted average, minimum, maximum) exactly as the scorecards compute it;
  several root units are combined by the same rule, weighted by their subtree headcounts
  for a headcount-weighted KPI;
* a KPI not aggregated up the tree: the plain mean of the units' values in the month;
* a KPI measured only for people: the plain mean of the people's values in the month.

The grain is already monthly, so no time aggregation applies. Each KPI's own tree rule
keeps a count's series a count and a rate's series a rate, as a reader of the pair would
see them on the organisation's scorecard.

Settings
--------
``SCORELINE_SMART_VARIANT``: ``modern`` (default) or ``doran``.
``SCORELINE_SMART_ERRORS``: the letters whose failures are errors, comma-separated
(e.g. ``M,T``); empty (the default) makes every finding a warning.
``SCORELINE_REDUNDANCY_THRESHOLD``: the smallest absolute correlation that counts
(default 0.9).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
from django.conf import settings as django_settings

from scoreline.engine import aggregation
from scoreline.engine.directions import DIRECTIONS
from scoreline.engine.errors import EngineInputError
from scoreline.engine.nodes import leaf_codes
from scoreline.engine.redundancy import RedundancySettings, RedundantPair, find_redundancy
from scoreline.engine.sets import lookup
from scoreline.engine.smart import KpiFacts, SmartReport, SmartRules, check_kpis
from scoreline.engine.specificity import classify_targets, feasible_range, reach_probability
from scoreline.kpis.models import Kpi, KpiVersion
from scoreline.kpis.smart import definition_facts, smart_rules
from scoreline.lib.dates import effective_on, today
from scoreline.lib.env import ConfigError
from scoreline.lib.months import month_index, month_of, month_start
from scoreline.org.models import OrgUnit, Person
from scoreline.scoring.engine_codes import TREE
from scoreline.scoring.loading import (
    Definitions,
    TargetRow,
    TargetTable,
    ValueRows,
    headcounts,
    load_definitions,
    load_targets,
    load_values,
    unit_tree,
)
from scoreline.scoring.pipeline import (
    PARAMS,
    MonthlyTargets,
    derive_values,
    sum_targets,
)

__all__ = [
    "REACH_CEILING",
    "REACH_FLOOR",
    "OrganisationSeries",
    "RedundantPair",
    "SmartReport",
    "TargetSpecificity",
    "organisation_series",
    "redundancy_report",
    "redundancy_settings",
    "smart_check_definition",
    "smart_report",
    "specificity_report",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Reach probabilities below the floor are unrealistic, above the ceiling too easy.
REACH_FLOOR, REACH_CEILING = 0.1, 0.9
# Pairs of KPI x subject packed into one integer (subject codes stay below this).


# ---------------------------------------------------------------- settings


def redundancy_settings() -> RedundancySettings:
    """The redundancy thresholds configured in the settings (engine defaults otherwise)."""
    raw = getattr(django_settings, "SCORELINE_REDUNDANCY_THRESHOLD", 0.9)
    try:
        return RedundancySettings(threshold=float(raw))
    except (TypeError, ValueError, EngineInputError):
        raise ConfigError(
            f"SCORELINE_REDUNDANCY_THRESHOLD={raw!r} is not a number in (0, 1]"
        ) from None


# ---------------------------------------------------------------- histories


def _histories(
    rows: ValueRows, kpi: IntArray, unit: IntArray, person: IntArray, first: int, last: int
) -> FloatArray:
    """Monthly values of each KPI x subject asked for, months ``first`` to ``last``."""
    width = max(last - first + 1, 0)
    wanted, inverse = np.unique(leaf_codes(kpi, unit, person), return_inverse=True)
    grid = np.full((len(wanted), width), np.nan)
    if len(rows) and width:
        at, found = lookup(wanted, leaf_codes(rows.kpi, rows.unit, rows.person))
        hit = found & (rows.month >= first) & (rows.month <= last)
        grid[at[hit], rows.month[hit] - first] = rows.value[hit]
    return grid[inverse.reshape(-1)]


@dataclass(frozen=True)
class _Outlook:
    """Where each history stands and where it plausibly goes by its target month."""

    last_value: FloatArray
    last_month: IntArray  # -1 without any value
    horizon: IntArray  # 0 without any value
    low: FloatArray
    high: FloatArray
    probability: FloatArray


def _outlook(
    history: FloatArray, first: int, final_month: IntArray, target: FloatArray, direction: IntArray
) -> _Outlook:
    """Feasible range and reach probability of every target, grouped by horizon."""
    n = history.shape[0]
    nan = np.full(n, np.nan)
    low, high, probability = nan.copy(), nan.copy(), nan.copy()
    if n == 0 or history.shape[1] == 0:
        none = np.full(n, -1, dtype=np.int64)
        return _Outlook(nan, none, np.zeros(n, dtype=np.int64), low, high, probability)
    observed = np.isfinite(history)
    has_any = observed.any(axis=1)
    last_index = history.shape[1] - 1 - np.argmax(observed[:, ::-1], axis=1)
    last_value = np.where(has_any, history[np.arange(n), last_index], np.nan)
    last_month = np.where(has_any, first + last_index, -1).astype(np.int64)
    horizon = np.where(has_any, np.maximum(final_month - last_month, 1), 0).astype(np.int64)
    for months_ahead in np.unique(horizon[has_any]):
        rows = has_any & (horizon == months_ahead)
        ahead = int(months_ahead)
        low[rows], high[rows] = feasible_range(history[rows], ahead, REACH_FLOOR, REACH_CEILING)
        probability[rows] = reach_probability(history[rows], target[rows], ahead, direction[rows])
    return _Outlook(last_value, last_month, horizon, low, high, probability)


def _definitions(day: dt.date, versions: dict[int, KpiVersion]) -> Definitions:
    """The definitions in force on ``day``, with ``versions`` standing in for their KPIs'."""
    defs = load_definitions(day)
    defs.kpis.update(versions)
    return defs


def _derived(defs: Definitions, kpi_ids: Collection[int]) -> ValueRows:
    """Derived values of some KPIs up to the month of ``defs.day``.

    Only those KPIs' values are read unless one of them is calculated by a formula,
    whose inputs may be any KPI.
    """
    wanted = set(kpi_ids)
    formula = any(defs.kpis[k].formula.strip() for k in wanted if k in defs.kpis)
    raw = load_values(month_index(defs.day), kpi_ids=None if formula else wanted)
    targets = sum_targets(defs, defs.day, None if formula else wanted)
    rows = derive_values(defs, raw, defs.day, targets)
    return rows.take(np.isin(rows.kpi, list(wanted)))


def _final_targets(defs: Definitions, rows: Sequence[TargetRow]) -> FloatArray:
    """The phased monthly target of each row's last month (the middle of a range without one)."""
    kpi = np.array([r.kpi_id for r in rows], dtype=np.int64)
    last = ValueRows(kpi, *_subjects(rows), _last_months(rows), np.full(len(rows), np.nan))
    params = dict(zip(PARAMS, MonthlyTargets(defs, TargetTable.of(list(rows)))(last), strict=True))
    middle = (params["low"] + params["high"]) / 2
    return np.where(np.isnan(params["target"]), middle, params["target"])


def _last_months(rows: Sequence[TargetRow]) -> IntArray:
    return np.array([month_index(r.period_end) - 1 for r in rows], dtype=np.int64)


def _covering(day: dt.date, kpi_ids: Iterable[int] | None = None) -> list[TargetRow]:
    """Targets in force on ``day`` whose span covers ``day``'s month."""
    month = month_start(day)
    rows = load_targets(day, kpi_ids=None if kpi_ids is None else list(kpi_ids)).rows()
    return [row for row in rows if row.period_start <= month < row.period_end]


# ---------------------------------------------------------------- SMART


def _facts(day: dt.date, versions: Sequence[KpiVersion]) -> list[KpiFacts]:
    """What the SMART checks need about each version, as it stands on ``day``: the
    definition's own facts with its current target period and the target's feasibility."""
    stored = {v.kpi_id: v for v in versions if v.kpi_id is not None}
    ids = set(stored)
    defs = _definitions(day, stored)
    rows = _derived(defs, ids) if ids else ValueRows.empty()
    covering = _covering(day, ids) if ids else []
    main = _main_targets(rows, covering)
    goal = _final_targets(defs, main)
    kpi = np.array([r.kpi_id for r in main], dtype=np.int64)
    first = int(rows.month.min()) if len(rows) else month_index(day)
    history = _histories(rows, kpi, *_subjects(main), first, month_index(day))
    direction = np.array([defs.direction(int(k)) for k in kpi], dtype=np.int64)
    final_months = _last_months(main)
    outlook = _outlook(history, first, final_months, goal, direction)
    feasible = {
        int(k): (
            _number(goal[i]),
            _number(outlook.low[i]),
            _number(outlook.high[i]),
            month_of(int(final_months[i])).strftime("%B %Y"),
        )
        for i, k in enumerate(kpi)
    }
    has_period = {row.kpi_id for row in covering}
    facts = []
    for version, own in zip(versions, definition_facts(day, versions), strict=True):
        target, low, high, when = feasible.get(version.kpi_id, (None, None, None, ""))
        facts.append(
            replace(
                own,
                has_period=version.kpi_id in has_period,
                target=target,
                feasible_low=low,
                feasible_high=high,
                target_month=when,
            )
        )
    return facts


def _main_targets(rows: ValueRows, covering: Sequence[TargetRow]) -> list[TargetRow]:
    """Each KPI's target at its main subject: the one with most values (ties: units first,
    the higher unit first), ordered by KPI id."""
    pairs, counts = np.unique(leaf_codes(rows.kpi, rows.unit, rows.person), return_counts=True)
    count_of = dict(zip(pairs.tolist(), counts.tolist(), strict=True))
    unit_ids = {r.unit_id for r in covering if r.unit_id is not None}
    paths = dict(OrgUnit.objects.filter(id__in=unit_ids).values_list("id", "path"))

    def rank(row: TargetRow) -> tuple[int, int, str, int]:
        unit, person = _subjects([row])
        pair = int(leaf_codes(np.array([row.kpi_id]), unit, person)[0])
        is_person = 0 if row.unit_id is not None else 1
        return (-count_of.get(pair, 0), is_person, paths.get(row.unit_id or 0, ""), row.pk)

    main: dict[int, TargetRow] = {}
    for row in sorted(covering, key=rank):
        main.setdefault(row.kpi_id, row)
    return [main[k] for k in sorted(main)]


def _subjects(rows: Sequence[TargetRow]) -> tuple[IntArray, IntArray]:
    unit = np.array([r.unit_id or 0 for r in rows], dtype=np.int64)
    person = np.array([r.person_id or 0 for r in rows], dtype=np.int64)
    return unit, person


def _name(people: dict[int, Person], person_id: int | None) -> str | None:
    person = people.get(person_id) if person_id is not None else None
    return person.full_name if person is not None else None


def _number(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def smart_report(day: dt.date | None = None, rules: SmartRules | None = None) -> list[SmartReport]:
    """SMART check of every KPI definition in force on ``day`` (default today), by code.

    ``rules`` default to the configured ones (:func:`smart_rules`).
    """
    when = day or today()
    versions = sorted(
        KpiVersion.objects.filter(effective_on(when)).select_related("kpi"),
        key=lambda v: v.kpi.code,
    )
    return check_kpis(_facts(when, versions), rules or smart_rules())


def smart_check_definition(
    version: KpiVersion, day: dt.date | None = None, rules: SmartRules | None = None
) -> SmartReport:
    """SMART check of one KPI version, saved or not, against the architecture on ``day``.

    The day defaults to today, moved into the version's validity when it lies outside
    (a future version is checked on its first day, an ended one on its last). A version
    of a KPI not yet saved has no targets, links or history.
    """
    when = day or today()
    if day is None and version.valid_from is not None:
        when = max(when, version.valid_from)
        if version.valid_until is not None and when >= version.valid_until:
            when = version.valid_until - dt.timedelta(days=1)
    return check_kpis(_facts(when, [version]), rules or smart_rules())[0]


# ---------------------------------------------------------------- redundancy


@dataclass(frozen=True)
class OrganisationSeries:
    """One monthly series per KPI for the whole organisation (see the module notes)."""

    versions: list[KpiVersion]  # ordered by code
    codes: list[str]
    months: list[dt.date]
    values: FloatArray  # KPIs x months, NaN where there is no value


def organisation_series(day: dt.date | None = None) -> OrganisationSeries:
    """The organisation-level monthly series of every KPI in force on ``day``."""
    when = day or today()
    defs = load_definitions(when)
    codes_by_id = dict(Kpi.objects.filter(id__in=list(defs.kpis)).values_list("id", "code"))
    ids = sorted(defs.kpis, key=lambda k: codes_by_id[k])
    rows = _derived(defs, ids)
    last = month_index(when)
    first = int(rows.month.min()) if len(rows) else last + 1
    months = np.arange(first, last + 1, dtype=np.int64)
    values = np.full((len(ids), len(months)), np.nan)
    if len(rows):
        position = np.full(max(ids) + 1, -1, dtype=np.int64)
        position[ids] = np.arange(len(ids))
        cells = _Cells(position, first, len(months))
        at_unit = rows.unit > 0
        with_units = np.zeros(len(ids), dtype=bool)
        with_units[position[rows.kpi[at_unit]]] = True
        tree = np.array([defs.kpis[k].tree_aggregation != "none" for k in ids], dtype=bool)
        _fill_means(values, cells, rows.take(at_unit), with_units & ~tree)
        _fill_means(values, cells, rows.take(~at_unit), ~with_units)
        # Only KPIs with unit values have a root value; "none" leaves a row alone.
        rules = [
            defs.kpis[k].tree_aggregation if with_units[i] else "none" for i, k in enumerate(ids)
        ]
        _fill_roots(values, cells, rows.take(at_unit), rules, when)
    return OrganisationSeries(
        versions=[defs.kpis[k] for k in ids],
        codes=[codes_by_id[k] for k in ids],
        months=[month_of(int(m)) for m in months],
        values=values,
    )


@dataclass(frozen=True)
class _Cells:
    """Where a value row lands in a KPIs x months matrix."""

    position: IntArray  # KPI id -> row
    first: int
    n_months: int

    def of(self, rows: ValueRows) -> IntArray:
        return self.position[rows.kpi] * self.n_months + (rows.month - self.first)


def _fill_means(
    values: FloatArray, cells: _Cells, rows: ValueRows, wanted: npt.NDArray[np.bool_]
) -> None:
    """Write the monthly mean of ``rows`` into the KPIs ``wanted``."""
    rows = rows.take(wanted[cells.position[rows.kpi]])
    cell = cells.of(rows)
    sums = np.bincount(cell, weights=rows.value, minlength=values.size)
    counts = np.bincount(cell, minlength=values.size)
    filled = counts > 0
    flat = values.reshape(-1)
    flat[filled] = sums[filled] / counts[filled]


def _fill_roots(
    values: FloatArray, cells: _Cells, rows: ValueRows, rules: list[str], day: dt.date
) -> None:
    """Write the root units' values of tree-aggregated KPIs, combined across roots by each
    KPI's own rule."""
    unit_ids, parent = unit_tree()
    is_root = parent < 0
    roots = unit_ids[is_root]
    rows = rows.take(np.isin(rows.unit, roots))
    if not len(rows):
        return
    by_id = np.argsort(roots)
    root_row = by_id[np.searchsorted(roots[by_id], rows.unit)] + 1
    # Row 0 is the whole organisation, with every root unit under it.
    grid = np.full((len(roots) + 1, values.size), np.nan)
    grid[root_row, cells.of(rows)] = rows.value
    indptr, index = aggregation.ancestors_csr(np.r_[-1, np.zeros(len(roots), dtype=np.int64)])
    subtree = aggregation.aggregate_tree(
        headcounts(unit_ids, day),
        *aggregation.ancestors_csr(parent),
        aggregation.TreeAggregation.SUM,
    )[is_root]
    # Without anybody in the roots, weigh them equally rather than lose the value.
    heads = np.r_[0.0, subtree if (subtree > 0).any() else np.ones(len(roots))]
    n_months = cells.n_months
    for rule, code in TREE.items():
        mine = np.array([r == rule for r in rules], dtype=bool)
        if not mine.any():
            continue
        columns = np.repeat(mine, n_months)
        weights = heads if code == aggregation.TreeAggregation.HEADCOUNT_WEIGHTED else None
        total = aggregation.aggregate_tree(grid[:, columns], indptr, index, code, headcount=weights)
        values[mine] = total[0].reshape(-1, n_months)


def redundancy_report(
    day: dt.date | None = None, settings: RedundancySettings | None = None
) -> list[RedundantPair]:
    """Duplicated and conflicting KPI pairs among the KPIs in force on ``day``.

    ``settings`` default to the configured ones (:func:`redundancy_settings`).
    """
    series = organisation_series(day)
    versions = series.versions
    return find_redundancy(
        codes=series.codes,
        names=[v.name for v in versions],
        descriptions=[v.description for v in versions],
        formulas=[v.formula or None for v in versions],
        sources=[v.data_source or None for v in versions],
        directions=np.array([DIRECTIONS[v.direction] for v in versions], dtype=np.int64),
        functions=[v.function for v in versions],
        series=series.values,
        settings=settings or redundancy_settings(),
    )


# ---------------------------------------------------------------- specificity


@dataclass(frozen=True)
class TargetSpecificity:
    """How attainable one unit target is, judged by the KPI's own history at that unit.

    ``target`` is the phased monthly target of the span's last month, ``horizon`` the
    months from the latest value to it; ``probability`` is the share of past movements
    that, repeated from the latest value, reach the target. ``classification`` is
    ``too_easy`` (above the ceiling), ``unrealistic`` (below the floor), ``specific``, or
    ``unknown`` when the history is too short or the KPI is steered within a range.
    """

    code: str
    unit: str
    direction: str
    period_start: dt.date
    period_end: dt.date
    target: float | None
    last_value: float | None
    last_month: dt.date | None
    horizon: int | None
    probability: float | None
    classification: str
    feasible_low: float | None
    feasible_high: float | None

    def as_dict(self) -> dict[str, object]:
        """JSON-able form (dates as ISO text)."""
        return {
            "code": self.code,
            "unit": self.unit,
            "direction": self.direction,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "target": self.target,
            "last_value": self.last_value,
            "last_month": self.last_month.isoformat() if self.last_month else None,
            "horizon": self.horizon,
            "probability": self.probability,
            "classification": self.classification,
            "feasible_low": self.feasible_low,
            "feasible_high": self.feasible_high,
        }


def specificity_report(
    day: dt.date | None = None, kpi_ids: Collection[int] | None = None
) -> list[TargetSpecificity]:
    """Every unit target in force covering ``day``'s month (of some KPIs), with its reach
    probability."""
    when = day or today()
    defs = load_definitions(when)
    covering = _covering(when, kpi_ids)
    rows = [r for r in covering if r.unit_id is not None and r.kpi_id in defs.kpis]
    if not rows:
        return []
    values = _derived(defs, {r.kpi_id for r in rows})
    kpi = np.array([r.kpi_id for r in rows], dtype=np.int64)
    first = int(values.month.min()) if len(values) else month_index(when)
    history = _histories(values, kpi, *_subjects(rows), first, month_index(when))
    target = _final_targets(defs, rows)
    direction = np.array([defs.direction(int(k)) for k in kpi], dtype=np.int64)
    outlook = _outlook(history, first, _last_months(rows), target, direction)
    classes = classify_targets(outlook.probability, REACH_FLOOR, REACH_CEILING)
    codes = dict(Kpi.objects.filter(id__in=set(kpi.tolist())).values_list("id", "code"))
    units = dict(OrgUnit.objects.filter(id__in={r.unit_id for r in rows}).values_list("id", "code"))
    found = []
    for i, row in enumerate(rows):
        seen = bool(outlook.last_month[i] >= 0)
        found.append(
            TargetSpecificity(
                code=codes[row.kpi_id],
                unit=units[row.unit_id or 0],
                direction=defs.kpis[row.kpi_id].direction,
                period_start=row.period_start,
                period_end=row.period_end,
                target=_number(target[i]),
                last_value=_number(outlook.last_value[i]),
                last_month=month_of(int(outlook.last_month[i])) if seen else None,
                horizon=int(outlook.horizon[i]) if seen else None,
                probability=_number(outlook.probability[i]),
                classification=str(classes[i]),
                feasible_low=_number(outlook.low[i]),
                feasible_high=_number(outlook.high[i]),
            )
        )
    return sorted(found, key=lambda t: (t.code, t.unit, t.period_start))
