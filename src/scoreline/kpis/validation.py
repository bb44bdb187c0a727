"""Checks that turn bad KPI definitions, targets, rules, weights and values into ``Invalid``.

Every check names the field at fault. Most checks are pure; the few that read the database
(formulas refer to other KPIs, statuses and rubrics are rows, periods govern changes) only
read. The actions run these checks before they write, and a change request runs the same
checks when it is filed, so a request can never hold a change the action would refuse.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, cast

from django.db.models import Q

from scoreline.engine.formulas import Formula, FormulaError, parse_formula
from scoreline.engine.graph import find_cycle
from scoreline.engine.units import UnitError, check_unit
from scoreline.kpis.fields import TARGET
from scoreline.kpis.models import (
    Direction,
    KpiVersion,
    Phasing,
    Rubric,
    RuleBasis,
    RuleComparison,
    ScoringMethod,
    Status,
    TargetType,
)
from scoreline.lib.dates import effective_on
from scoreline.lib.errors import Invalid
from scoreline.lib.fields import FieldType
from scoreline.lib.validation import (
    check_finite,
    check_model_fields,
    check_not_all_zero,
    fail,
    optional_finite,
    require_month_start,
    require_text,
    show,
)
from scoreline.org.models import Person

__all__ = [
    "KPI_CODE",
    "SEASONAL_MONTHS",
    "LevelSpec",
    "RuleSpec",
    "check_bands",
    "check_kpi_shape",
    "check_rule_place",
    "check_spans_apart",
    "parse_kpi_formula",
    "validate_dependents",
    "validate_formula",
    "validate_kpi_code",
    "validate_kpi_content",
    "validate_profile",
    "validate_rubric_levels",
    "validate_status_rules",
    "validate_target_content",
    "validate_value",
]

KPI_CODE = re.compile(r"[A-Za-z0-9_.-]+\Z")
"""Letters, digits, ``_``, ``.`` and ``-``; only identifiers can be named in formulas."""

SEASONAL_MONTHS = 12
"""A seasonal profile holds one weight per calendar month, January first."""

# Target types that fit each direction.
_TARGET_TYPES = {
    Direction.HIGHER: {TargetType.STAY_ABOVE, TargetType.INCREASE_TO},
    Direction.LOWER: {TargetType.STAY_BELOW, TargetType.DECREASE_TO},
    Direction.RANGE: {TargetType.RANGE},
}
_PERCENT_METHODS = {ScoringMethod.PERCENT_CAPPED, ScoringMethod.PERCENT_UNCAPPED}


@dataclass(frozen=True)
class RuleSpec:
    """One status rule as given: first match wins, the last rule is the OTHERWISE fallback."""

    basis: str
    comparison: str
    status: str
    bound: float | None = None
    bound_upper: float | None = None


@dataclass(frozen=True)
class LevelSpec:
    """One rubric level: its number (from 1), label, behavioural anchor and optional score."""

    level: int
    label: str
    anchor: str
    score: float | None = None


def validate_kpi_code(code: object) -> str:
    if not isinstance(code, str) or not code.strip():
        raise fail("code", "is required")
    if len(code) > 60 or not KPI_CODE.match(code):
        raise fail(
            "code",
            f"{code!r} must be at most 60 letters, digits, '_', '.' or '-' (no spaces)",
        )
    return code


def _numbers(field: str, values: object) -> list[float]:
    if not isinstance(values, list | tuple):
        raise fail(field, f"must be a list of numbers, got {values!r}")
    return [check_finite(f"{field}[{index}]", value) for index, value in enumerate(values)]


def check_bands(edges: Sequence[float], scores: Sequence[float]) -> None:
    """Banded scoring: strictly ascending edges, one score more than edges, each in 0..100
    and none below the one before (worst band first)."""
    if not edges:
        raise fail("band_edges", "banded scoring needs at least one band edge")
    for index in range(1, len(edges)):
        if edges[index] <= edges[index - 1]:
            raise fail(
                "band_edges",
                f"edges must be strictly ascending: edge {index} ({show(edges[index])}) is not "
                f"above edge {index - 1} ({show(edges[index - 1])})",
            )
    if len(scores) != len(edges) + 1:
        raise fail(
            "band_scores",
            f"{len(edges)} edges make {len(edges) + 1} bands, so {len(edges) + 1} scores are "
            f"needed, got {len(scores)}",
        )
    for index, score in enumerate(scores):
        if not 0 <= score <= 100:
            raise fail(f"band_scores[{index}]", f"must be within 0..100, got {show(score)}")
        if index and score < scores[index - 1]:
            raise fail(
                f"band_scores[{index}]",
                f"must not be below the band before it ({show(scores[index - 1])}): band scores "
                "run from the worst band to the best, whichever way is better",
            )


def check_kpi_shape(
    *,
    direction: str,
    scoring: str,
    band_edges: Sequence[float],
    band_scores: Sequence[float],
    has_rubric: bool,
    formula: str,
) -> None:
    """Direction, scoring method, bands, rubric and formula of a KPI must agree with each
    other; the part of a definition's checks that needs no database."""
    if scoring == ScoringMethod.TARGET_RANGE and direction != Direction.RANGE:
        raise fail("scoring", "target-range scoring needs the direction 'range'")
    if direction == Direction.RANGE and scoring != ScoringMethod.TARGET_RANGE:
        raise fail(
            "scoring", f"a KPI scored within a range needs target-range scoring, not {scoring!r}"
        )
    if scoring == ScoringMethod.RUBRIC and direction != Direction.HIGHER:
        raise fail("direction", "rubric scoring needs the direction 'higher' (levels ascend)")
    if scoring == ScoringMethod.BANDED:
        check_bands(band_edges, band_scores)
    elif band_edges or band_scores:
        raise fail("band_edges", "band edges and scores are only used by banded scoring")
    if scoring == ScoringMethod.RUBRIC:
        if not has_rubric:
            raise fail("rubric", "rubric scoring needs a rubric")
        if formula.strip():
            raise fail("formula", "a rubric-scored KPI is rated, not calculated")
    elif has_rubric:
        raise fail("rubric", "a rubric is only used by rubric scoring")


def validate_kpi_content(
    content: Mapping[str, Any], *, code: str, day: dt.date, kpi_id: int | None
) -> None:
    """Check a whole KPI version (attribute names) as it would stand from ``day``.

    Direction, scoring method, bands, rubric and formula must agree with each other, and
    a formula must refer to KPIs in force, fit the declared unit and close no cycle.
    """
    check_model_fields(KpiVersion, content)
    require_text("name", content["name"])
    rubric_id = content.get("rubric_id")
    check_kpi_shape(
        direction=content["direction"],
        scoring=content["scoring"],
        band_edges=_numbers("band_edges", content.get("band_edges", [])),
        band_scores=_numbers("band_scores", content.get("band_scores", [])),
        has_rubric=rubric_id is not None,
        formula=content.get("formula", ""),
    )
    if rubric_id is not None and not Rubric.objects.filter(pk=rubric_id).exists():
        raise fail("rubric", f"no rubric with id {rubric_id}")
    for name in ("owner_id", "steward_id"):
        person = content.get(name)
        if person is not None and not Person.objects.filter(pk=person).exists():
            raise fail(name.removesuffix("_id"), f"no person with id {person}")
    formula = content.get("formula", "")
    if formula.strip():
        validate_formula(code, formula, content.get("unit", ""), day=day, kpi_id=kpi_id)
    if kpi_id is not None:
        validate_dependents(code, content.get("unit", ""), day=day, kpi_id=kpi_id)


def validate_dependents(code: str, unit: str, *, day: dt.date, kpi_id: int) -> None:
    """Formulas in force on ``day`` that use ``code`` must still give their KPI's unit."""
    versions = list(
        KpiVersion.objects.filter(effective_on(day)).values_list(
            "kpi_id", "kpi__code", "unit", "formula"
        )
    )
    units = {other: other_unit for _, other, other_unit, _ in versions} | {code: unit}
    for other_id, other, declared, formula in versions:
        if other_id == kpi_id or code not in _formula_names(formula):
            continue
        parsed = parse_formula(formula)
        if not parsed.names <= units.keys():
            continue
        try:
            check_unit(parsed, units, declared)
        except UnitError as error:
            raise fail(
                "unit", f"{other} is calculated from {code}: {error}", code="unit_mismatch"
            ) from None


@dataclass(frozen=True)
class _FormulaVersion:
    kpi_id: int
    code: str
    unit: str
    formula: str
    valid_from: dt.date
    valid_until: dt.date | None

    def in_force_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day < self.valid_until)


def _formula_names(text: str) -> frozenset[str]:
    """Codes a stored formula refers to (a formula that no longer parses refers to none)."""
    if not text.strip():
        return frozenset()
    try:
        return parse_formula(text).names
    except FormulaError:
        return frozenset()


def parse_kpi_formula(text: str) -> Formula:
    """A KPI's formula parsed; it must read at least one other KPI.

    A formula of constants alone (``42``, ``2*3``) measures nothing: it has no subject or
    month to be calculated for, and a constant goal is a target, not a KPI.
    """
    try:
        parsed = parse_formula(text)
    except FormulaError as error:
        raise fail("formula", str(error)) from None
    if not parsed.names:
        raise fail(
            "formula",
            f"{text.strip()!r} reads no KPI: a formula must read at least one KPI; "
            "a constant goal belongs in the KPI's target",
            code="no_inputs",
        )
    return parsed


def validate_formula(
    code: str, text: str, unit: str, *, day: dt.date, kpi_id: int | None
) -> frozenset[str]:
    """Check a formula for KPI ``code`` from ``day``; returns the codes it refers to.

    On ``day`` and on every later day another KPI's definition changes (until this KPI's
    own next version), each referenced code must be a KPI in force and the formulas of
    all KPIs together must form no cycle. The result must have the KPI's unit.
    """
    parsed = parse_kpi_formula(text)
    rows = KpiVersion.objects.filter(Q(valid_until__isnull=True) | Q(valid_until__gt=day))
    versions = [
        _FormulaVersion(*row)
        for row in rows.values_list(
            "kpi_id", "kpi__code", "unit", "formula", "valid_from", "valid_until"
        )
    ]
    own_next = min(
        (v.valid_from for v in versions if v.kpi_id == kpi_id and v.valid_from > day),
        default=None,
    )
    others = [v for v in versions if v.kpi_id != kpi_id and v.code != code]
    days = {day} | {v.valid_from for v in others if v.valid_from > day}
    days |= {v.valid_until for v in others if v.valid_until is not None and v.valid_until > day}
    checked = sorted(d for d in days if own_next is None or d < own_next)
    for when in checked:
        in_force = [v for v in others if v.in_force_on(when)]
        units = {v.code: v.unit for v in in_force}
        missing = sorted(name for name in parsed.names if name not in units and name != code)
        if missing:
            listed = ", ".join(repr(name) for name in missing)
            raise fail(
                "formula",
                f"refers to {listed}, which is not a KPI in force on {when.isoformat()}",
                code="unknown_code",
            )
        edges = [(name, v.code) for v in in_force for name in _formula_names(v.formula)]
        edges += [(name, code) for name in parsed.names]
        cycle = find_cycle(edges)
        if cycle is not None:
            raise fail(
                "formula",
                f"the formulas would form a cycle: {' -> '.join(cycle)}",
                code="cycle",
            )
        if when == day:
            try:
                check_unit(parsed, units, unit)
            except UnitError as error:
                raise fail("formula", str(error), code="unit_mismatch") from None
    return parsed.names


def validate_profile(profile: object) -> list[float]:
    """A seasonal profile: twelve finite weights of zero or more, not all zero."""
    weights = _numbers("profile", profile)
    if len(weights) != SEASONAL_MONTHS:
        raise fail(
            "profile",
            f"a seasonal profile needs {SEASONAL_MONTHS} monthly weights, got {len(weights)}",
        )
    for index, weight in enumerate(weights):
        if weight < 0:
            raise fail(f"profile[{index}]", f"cannot be negative, got {show(weight)}")
    check_not_all_zero("profile", weights)
    return weights


def _check_order(version: KpiVersion, values: Mapping[str, float | None]) -> None:
    """Threshold, target and stretch in the order the direction asks for."""
    given = [(name, values[name]) for name in ("threshold", "target", "stretch")]
    present = [(name, value) for name, value in given if value is not None]
    higher = version.direction == Direction.HIGHER
    for (low_name, low), (high_name, high) in pairwise(present):
        assert low is not None and high is not None
        wrong = low > high if higher else low < high
        if wrong:
            word = "above" if higher else "below"
            kind = "higher" if higher else "lower"
            raise Invalid(
                f"{low_name} ({show(low)}) must not be {word} {high_name} ({show(high)}) "
                f"for a {kind}-is-better KPI",
                fields={
                    low_name: [f"must not be {word} {high_name} ({show(high)})"],
                    high_name: [f"must not be {'below' if higher else 'above'} {low_name}"],
                },
            )


def _check_method_parameters(version: KpiVersion, values: Mapping[str, float | None]) -> None:
    """What the KPI's scoring method needs from a target, so scoring never fails later."""
    scoring = version.scoring
    threshold, target, stretch = values["threshold"], values["target"], values["stretch"]
    if scoring == ScoringMethod.LINEAR:
        if threshold is None:
            raise fail("threshold", "linear scoring needs a threshold (the red flag)")
        if threshold == target:
            raise fail("threshold", "linear scoring needs a threshold different from the target")
    elif scoring == ScoringMethod.PIECEWISE:
        for name in ("threshold", "stretch"):
            if values[name] is None:
                raise fail(name, f"piecewise scoring needs a {name}")
        if threshold == target or target == stretch:
            raise fail(
                "target",
                "piecewise scoring needs threshold, target and stretch all different "
                f"(got {show(threshold or 0)}, {show(target or 0)}, {show(stretch or 0)})",
            )
    elif scoring in _PERCENT_METHODS and target is not None and target <= 0:
        raise fail(
            "target", f"percent-of-target scoring needs a target above zero, got {show(target)}"
        )


_TARGET_NUMBERS = tuple(spec.name for spec in TARGET if spec.type is FieldType.NUMBER)


def validate_target_content(
    version: KpiVersion, period_start: dt.date, content: Mapping[str, Any]
) -> None:
    """Check a target version for the KPI definition ``version``.

    ``content`` holds the versioned fields: ``period_end``, ``target_type``, the numbers,
    ``phasing`` and ``profile``.
    """
    require_month_start("period_start", period_start)
    period_end = require_month_start("period_end", content["period_end"])
    if period_end <= period_start:
        raise fail(
            "period_end",
            f"the span must end after it starts ({period_start.isoformat()}), "
            f"got {period_end.isoformat()}",
        )
    values = {name: optional_finite(name, content.get(name)) for name in _TARGET_NUMBERS}
    target_type = content["target_type"]
    if target_type not in TargetType.values:
        raise fail("target_type", f"{target_type!r} is not one of {', '.join(TargetType.values)}")
    allowed = _TARGET_TYPES[Direction(version.direction)]
    if target_type not in allowed:
        needed = {
            TargetType.STAY_ABOVE: "higher",
            TargetType.INCREASE_TO: "higher",
            TargetType.STAY_BELOW: "lower",
            TargetType.DECREASE_TO: "lower",
            TargetType.RANGE: "range",
        }[TargetType(target_type)]
        raise fail(
            "target_type",
            f"{target_type!r} needs a KPI whose direction is {needed!r}; "
            f"{version.kpi.code} is {version.direction!r}",
        )
    if target_type == TargetType.RANGE:
        low, high = values["range_low"], values["range_high"]
        for name, value in (("range_low", low), ("range_high", high)):
            if value is None:
                raise fail(name, "a range target needs range_low and range_high")
        assert low is not None and high is not None
        if not low < high:
            raise Invalid(
                f"range_low ({show(low)}) must be below range_high ({show(high)})",
                fields={
                    "range_low": [f"must be below range_high ({show(high)})"],
                    "range_high": [f"must be above range_low ({show(low)})"],
                },
            )
    else:
        if values["target"] is None:
            raise fail("target", f"a {target_type!r} target needs a target value")
        _check_order(version, values)
        _check_method_parameters(version, values)
    phasing = content["phasing"]
    if phasing not in Phasing.values:
        raise fail("phasing", f"{phasing!r} is not one of {', '.join(Phasing.values)}")
    if phasing == Phasing.SEASONAL:
        validate_profile(content.get("profile"))
    elif content.get("profile"):
        raise fail("profile", "a profile is only used by seasonal phasing")
    if phasing == Phasing.LINEAR_RAMP and values["baseline"] is None:
        raise fail("baseline", "a linear ramp starts from a baseline")


def check_spans_apart(
    period_start: dt.date, period_end: dt.date, others: Iterable[tuple[dt.date, dt.date]]
) -> None:
    """A target's span shares no month with the other spans (start, end) of the same KPI and
    subject; the span starting on the same day is the target itself, revised."""
    for start, end in sorted(others):
        if start != period_start and start < period_end and end > period_start:
            raise fail(
                "period_start",
                f"overlaps the target span from {start.isoformat()} to {end.isoformat()}",
                code="overlap",
            )


def check_rule_place(
    field: str,
    *,
    last: bool,
    comparison: str,
    bound: object,
    upper: object,
    number: Callable[[str, object], float] = lambda _field, value: cast(float, value),
) -> None:
    """One rule of an ordered set: only the last is the OTHERWISE fallback, which takes no
    bound; every other rule has a bound, a BETWEEN rule also a larger upper bound.
    ``number`` reads a bound (:func:`~scoreline.lib.validation.check_finite` refuses NaN)."""
    if comparison == RuleComparison.OTHERWISE:
        if not last:
            raise fail(
                f"{field}.comparison",
                "the OTHERWISE fallback must be the last rule, and there must be only one",
            )
        if bound is not None or upper is not None:
            raise fail(f"{field}.bound", "the OTHERWISE fallback takes no bound")
        return
    if last:
        raise fail(f"{field}.comparison", "the last rule must be the OTHERWISE fallback rule")
    if bound is None:
        raise fail(f"{field}.bound", f"a {comparison!r} rule needs a bound")
    low = number(f"{field}.bound", bound)
    if comparison == RuleComparison.BETWEEN:
        if upper is None:
            raise fail(f"{field}.bound_upper", "a 'between' rule needs an upper bound")
        high = number(f"{field}.bound_upper", upper)
        if not low < high:
            raise fail(
                f"{field}.bound_upper", f"must be above the bound ({show(low)}), got {show(high)}"
            )
    elif upper is not None:
        raise fail(f"{field}.bound_upper", "only a 'between' rule takes an upper bound")


def validate_status_rules(rules: Sequence[RuleSpec]) -> dict[str, Status]:
    """Check an ordered rule set; returns the statuses it uses by code.

    Exactly one OTHERWISE rule, and it comes last; every other rule has a finite bound,
    BETWEEN also a larger finite upper bound.
    """
    if not rules:
        raise fail("rules", "a rule set needs at least the OTHERWISE fallback rule")
    statuses = {status.code: status for status in Status.objects.all()}
    last = len(rules) - 1
    for index, rule in enumerate(rules):
        field = f"rules[{index}]"
        if rule.basis not in RuleBasis.values:
            raise fail(f"{field}.basis", f"{rule.basis!r} is not one of {RuleBasis.values}")
        if rule.comparison not in RuleComparison.values:
            raise fail(
                f"{field}.comparison",
                f"{rule.comparison!r} is not one of {RuleComparison.values}",
            )
        if rule.status not in statuses:
            raise fail(f"{field}.status", f"no status with code {rule.status!r}")
        check_rule_place(
            field,
            last=index == last,
            comparison=rule.comparison,
            bound=rule.bound,
            upper=rule.bound_upper,
            number=check_finite,
        )
    return statuses


def validate_rubric_levels(levels: Sequence[LevelSpec]) -> list[float]:
    """Check rubric levels (numbered 1..n, anchored); returns each level's score.

    Scores are given for every level or for none; none spreads them evenly from 0 to 100.
    Given scores lie within 0..100 and rise with the level.
    """
    if len(levels) < 2:
        raise fail("levels", f"a rubric needs at least 2 levels, got {len(levels)}")
    numbers = [level.level for level in levels]
    if sorted(numbers) != list(range(1, len(levels) + 1)):
        raise fail("levels", f"levels must be numbered 1 to {len(levels)}, got {numbers}")
    ordered = sorted(levels, key=lambda level: level.level)
    for level in ordered:
        field = f"levels[{level.level}]"
        label = require_text(f"{field}.label", level.label)
        if len(label) > 80:
            raise fail(f"{field}.label", "must be at most 80 characters")
        require_text(f"{field}.anchor", level.anchor)
    given = [level.score for level in ordered]
    if all(score is None for score in given):
        steps = len(ordered) - 1
        return [100.0 * index / steps for index in range(len(ordered))]
    if any(score is None for score in given):
        raise fail("levels", "give a score for every level or for none")
    scores = [check_finite(f"levels[{lv.level}].score", lv.score) for lv in ordered]
    for level, score in zip(ordered, scores, strict=True):
        if not 0 <= score <= 100:
            raise fail(f"levels[{level.level}].score", f"must be within 0..100, got {score:g}")
    for index in range(1, len(scores)):
        if scores[index] <= scores[index - 1]:
            raise fail(
                f"levels[{index + 1}].score",
                f"must be above the score of level {index} ({show(scores[index - 1])})",
            )
    return scores


def validate_value(version: KpiVersion, value: object, unit_of_measure: str | None) -> float:
    """A measured value: a finite number, in the KPI's unit when a unit is given."""
    number = check_finite("value", value)
    if unit_of_measure is not None and unit_of_measure != version.unit:
        raise fail(
            "unit_of_measure",
            f"{version.kpi.code} is measured in {version.unit!r}, got {unit_of_measure!r}",
            code="unit_mismatch",
        )
    return number
