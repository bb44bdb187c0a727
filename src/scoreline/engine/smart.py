"""SMART validation of KPI definitions: one explained check per letter.

Doran, G. T. (1981) "There's a S.M.A.R.T. way to write management's goals and
objectives", Management Review 70(11), 35-36, asked that an objective be Specific
(target a specific area for improvement), Measurable (quantify, or at least suggest,
an indicator of progress), Assignable (specify who will do it), Realistic (state
what results can realistically be achieved) and Time-related (specify when the
results can be achieved). The later, common
reading is Specific, Measurable, Achievable, Relevant, Time-bound. Both are offered
(:class:`Variant`); the same facts are checked in both and only their grouping
under the letters differs:

====================================  ==========================  =====================
Finding                               Doran (1981)                Modern
====================================  ==========================  =====================
vague words, too short a name,        S Specific                  S Specific
no description
not linked to an active objective     S Specific (no "area for    R Relevant
                                      improvement" without one)
no unit; neither formula nor source   M Measurable                M Measurable
no owner; no data steward             A Assignable                A Achievable
target outside the feasible range     R Realistic                 A Achievable
no target period; no refresh cycle    T Time-related              T Time-bound
====================================  ==========================  =====================

Modern Achievable keeps the owner check: a target is only achievable if somebody
is accountable for achieving it and somebody answers for the figures. Doran has no
relevance letter, so the objective link sits under Specific, whose "area for
improvement" a scorecard names through the objective the KPI serves.

The feasible range comes from the KPI's own history
(:func:`scoreline.engine.specificity.feasible_range`); the caller passes it in.
A target below the range (for a higher-is-better KPI) fails as too easy, one above
it as out of reach; the message says which. Without a target or a range the
feasibility part is reported as not assessed and does not fail.

Every finding fails its letter; whether a failure is a warning or an error is set
per letter by :attr:`SmartRules.error_letters`.

Examples
--------
>>> facts = KpiFacts(
...     code="FIN-01", name="Improve revenue", description="", unit="EUR",
...     formula=None, data_source="erp.revenue", owner="cfo", steward=None,
...     refresh_cycle="monthly", has_period=True, linked_active_objectives=1,
...     kind="lagging", target=None, feasible_low=None, feasible_high=None, direction=1,
... )
>>> report = check_kpi(facts, SmartRules())
>>> [(c.letter, c.passed) for c in report.checks]
[('S', False), ('M', True), ('A', False), ('R', True), ('T', True)]
>>> report.passed, report.errors
(False, False)
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from scoreline.engine.errors import EngineInputError

__all__ = [
    "DEFAULT_VAGUE_WORDS",
    "LETTERS",
    "KpiFacts",
    "SmartCheck",
    "SmartReport",
    "SmartRules",
    "Variant",
    "check_kpi",
    "check_kpis",
]

LETTERS = ("S", "M", "A", "R", "T")

DEFAULT_VAGUE_WORDS: frozenset[str] = frozenset(
    {
        "adequate",
        "appropriate",
        "best",
        "better",
        "effective",
        "effectively",
        "enhance",
        "enhanced",
        "ensure",
        "etc",
        "excellence",
        "excellent",
        "good",
        "great",
        "improve",
        "improved",
        "improvement",
        "improving",
        "maximise",
        "maximize",
        "minimise",
        "minimize",
        "optimal",
        "optimise",
        "optimised",
        "optimize",
        "optimized",
        "robust",
        "several",
        "strengthen",
        "sufficient",
        "various",
        "world-class",
    }
)


class Variant(StrEnum):
    """Which reading of the five letters to check against."""

    DORAN = "doran"
    MODERN = "modern"


_LETTER_NAMES: dict[Variant, dict[str, str]] = {
    Variant.DORAN: {
        "S": "Specific",
        "M": "Measurable",
        "A": "Assignable",
        "R": "Realistic",
        "T": "Time-related",
    },
    Variant.MODERN: {
        "S": "Specific",
        "M": "Measurable",
        "A": "Achievable",
        "R": "Relevant",
        "T": "Time-bound",
    },
}


@dataclass(frozen=True)
class KpiFacts:
    """What the checks need to know about one KPI definition.

    Attributes
    ----------
    code, name, description, unit : str
        Identity and wording; an empty unit means none.
    formula, data_source : str or None
        How the value is computed and where its inputs come from.
    owner, steward : str or None
        Who is accountable for the result, and who for the data.
    refresh_cycle : str or None
        How often the value is refreshed (``"monthly"``, ...).
    has_period : bool
        Whether the KPI has a target for a current period.
    linked_active_objectives : int
        Active objectives the KPI measures.
    kind : str
        Leading or lagging (or another kind); used in the wording only.
    target : float or None
        The current target: the phased target of the month it is judged at, the
        number the scorecard scores that month against.
    feasible_low, feasible_high : float or None
        Feasible range of outcomes at the target date, estimated from history.
    direction : int
        1 higher is better, -1 lower is better, 0 target range.
    target_month : str, optional
        The month the target is for, as the reader should see it ("March 2027").
    """

    code: str
    name: str
    description: str
    unit: str
    formula: str | None
    data_source: str | None
    owner: str | None
    steward: str | None
    refresh_cycle: str | None
    has_period: bool
    linked_active_objectives: int
    kind: str
    target: float | None
    feasible_low: float | None
    feasible_high: float | None
    direction: int
    target_month: str = ""


@dataclass(frozen=True)
class SmartRules:
    """How strictly to check.

    Attributes
    ----------
    variant : Variant
        Doran's letters or the modern ones (see the module notes).
    error_letters : frozenset of str
        Letters whose failures are errors; other failures are warnings. Default:
        Measurable, since a KPI that cannot be measured cannot be scored.
    vague_words : frozenset of str
        Words that make a name or description vague, matched as whole words
        ignoring case.
    min_name_words : int
        Fewest words in a specific name. Two by default: "Customer churn" names a
        measure, "Quality" does not.
    """

    variant: Variant = Variant.MODERN
    error_letters: frozenset[str] = field(default_factory=lambda: frozenset({"M"}))
    vague_words: frozenset[str] = DEFAULT_VAGUE_WORDS
    min_name_words: int = 2

    def __post_init__(self) -> None:
        if not isinstance(self.variant, Variant):
            raise EngineInputError(f"variant must be a Variant, got {self.variant!r}")
        unknown = sorted(set(self.error_letters) - set(LETTERS))
        if unknown:
            raise EngineInputError(f"error_letters must be among S, M, A, R, T, got {unknown}")
        if any(not isinstance(word, str) or not word.strip() for word in self.vague_words):
            raise EngineInputError("vague_words must be non-empty strings")
        if self.min_name_words < 1:
            raise EngineInputError(f"min_name_words must be at least 1, got {self.min_name_words}")


@dataclass(frozen=True)
class SmartCheck:
    """The result of one letter's check.

    Attributes
    ----------
    letter : str
        ``"S"``, ``"M"``, ``"A"``, ``"R"`` or ``"T"``.
    name : str
        The letter's word in the chosen variant.
    passed : bool
        No finding.
    severity : str
        ``"error"`` or ``"warning"``: what a failure of this letter counts as.
    message : str
        The findings with their numbers, or what was confirmed.
    hint : str
        What to change; empty when the check passed.
    """

    letter: str
    name: str
    passed: bool
    severity: str
    message: str
    hint: str

    def as_dict(self) -> dict[str, str | bool]:
        """JSON-able form."""
        return {
            "letter": self.letter,
            "name": self.name,
            "passed": self.passed,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass(frozen=True)
class SmartReport:
    """All five checks for one KPI.

    Attributes
    ----------
    code : str
        The KPI's code.
    variant : Variant
        The variant checked against.
    checks : tuple of SmartCheck
        In S, M, A, R, T order.
    """

    code: str
    variant: Variant
    checks: tuple[SmartCheck, ...]

    @property
    def passed(self) -> bool:
        """Every check passed."""
        return all(check.passed for check in self.checks)

    @property
    def errors(self) -> bool:
        """Some failing check has error severity."""
        return any(not check.passed and check.severity == "error" for check in self.checks)

    def as_dict(self) -> dict[str, object]:
        """JSON-able form."""
        return {
            "code": self.code,
            "variant": self.variant.value,
            "passed": self.passed,
            "errors": self.errors,
            "checks": [check.as_dict() for check in self.checks],
        }


@dataclass(frozen=True)
class _Part:
    """One finding (or confirmation) inside a letter's check."""

    failed: bool
    message: str
    hint: str = ""


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


def _number(value: float) -> str:
    """A number as the pages show one (Django's ``floatformat:"-2g"``): thousands grouped,
    two decimals unless it is whole at two decimals."""
    if not math.isfinite(value):
        return "infinity" if value > 0 else "-infinity" if value < 0 else "NaN"
    rounded = round(value, 2) + 0.0  # + 0.0 turns -0.0 into 0.0
    return f"{rounded:,.0f}" if rounded.is_integer() else f"{rounded:,.2f}"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "." if text else ""


def _vague_pattern(words: frozenset[str]) -> re.Pattern[str]:
    if not words:
        return re.compile(r"(?!)")  # matches nothing
    alternatives = "|".join(
        re.escape(word.strip().lower()) for word in sorted(words, key=lambda w: (-len(w), w))
    )
    # Whole words: hyphenated words such as "world-class" count as one word.
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


def _wording(facts: KpiFacts, rules: SmartRules, vague: re.Pattern[str]) -> list[_Part]:
    parts: list[_Part] = []
    found = sorted(
        {
            m.group(0).lower()
            for text in (facts.name, facts.description)
            for m in vague.finditer(text)
        }
    )
    if found:
        parts.append(
            _Part(
                True,
                f"{len(found)} vague word{'s' if len(found) > 1 else ''} in the name or "
                f"description: {', '.join(found)}",
                f"replace {', '.join(found)} with what is counted and which way is better",
            )
        )
    words = len(re.findall(r"[\w][\w'-]*", facts.name))
    if words < rules.min_name_words:
        parts.append(
            _Part(
                True,
                f"the name has {words} word{'s' if words != 1 else ''}, fewer than "
                f"{rules.min_name_words}",
                "name the measure and its scope, e.g. 'Customer churn rate'",
            )
        )
    if _blank(facts.description):
        parts.append(
            _Part(True, "there is no description", "describe what is counted and what is not")
        )
    return parts


def _relevance(facts: KpiFacts) -> _Part:
    count = facts.linked_active_objectives
    if count < 1:
        kind = f"{facts.kind.strip()} " if facts.kind.strip() else ""
        return _Part(
            True,
            f"this {kind}KPI is linked to 0 active objectives",
            "link it to the objective it measures, or retire it",
        )
    return _Part(False, f"linked to {count} active objective{'s' if count > 1 else ''}")


def _measurability(facts: KpiFacts) -> list[_Part]:
    parts: list[_Part] = []
    if _blank(facts.unit):
        parts.append(_Part(True, "there is no unit", "give the unit (%, EUR, days, count, ...)"))
    if _blank(facts.formula) and _blank(facts.data_source):
        parts.append(
            _Part(
                True,
                "there is neither a formula nor a data source",
                "give the formula or the data source the value comes from",
            )
        )
    return parts


def _assignment(facts: KpiFacts) -> list[_Part]:
    parts: list[_Part] = []
    if _blank(facts.owner):
        parts.append(_Part(True, "there is no owner", "name the person accountable for the result"))
    if _blank(facts.steward):
        parts.append(
            _Part(True, "there is no data steward", "name the person who answers for the figures")
        )
    return parts


def _feasibility(facts: KpiFacts) -> _Part:
    if facts.target is None or math.isnan(facts.target):
        return _Part(False, "feasibility not assessed: there is no target")
    if (
        facts.feasible_low is None
        or facts.feasible_high is None
        or math.isnan(facts.feasible_low)
        or math.isnan(facts.feasible_high)
    ):
        return _Part(
            False, "feasibility not assessed: the history is too short for a feasible range"
        )
    target, low, high = float(facts.target), float(facts.feasible_low), float(facts.feasible_high)
    if low > high:
        raise EngineInputError(
            f"KPI {facts.code}: feasible_low ({_number(low)}) is above feasible_high "
            f"({_number(high)})"
        )
    goal = f"the target {_number(target)}" + (
        f" for {facts.target_month}" if facts.target_month else ""
    )
    span = f"the feasible range {_number(low)} to {_number(high)} estimated from history"
    if low <= target <= high:
        return _Part(False, f"{goal} lies within {span}")
    above = target > high
    if facts.direction == 0:
        return _Part(
            True,
            f"{goal} lies outside {span}",
            "move the target into the range the KPI has actually moved in",
        )
    out_of_reach = above == (facts.direction > 0)
    if out_of_reach:
        return _Part(
            True,
            f"{goal} is beyond {span}: history gives little chance of reaching it",
            "lower the stretch to the edge of the feasible range, or plan the change that "
            "would make it reachable",
        )
    return _Part(
        True,
        f"{goal} is too easy: it lies {'above' if above else 'below'} {span}",
        "raise the ambition into the feasible range so the target asks for effort",
    )


def _timing(facts: KpiFacts) -> list[_Part]:
    parts: list[_Part] = []
    if not facts.has_period:
        parts.append(
            _Part(True, "there is no target for a current period", "set a target with its period")
        )
    if _blank(facts.refresh_cycle):
        parts.append(
            _Part(True, "there is no refresh cycle", "say how often the value is refreshed")
        )
    return parts


_CONFIRMATIONS = {
    "wording": "the name and description are specific",
    "measurability": "it has a unit and a formula or data source",
    "assignment": "it has an owner and a data steward",
    "timing": "it has a current target period and a refresh cycle",
}


def _letter_parts(
    facts: KpiFacts, rules: SmartRules, vague: re.Pattern[str]
) -> dict[str, list[_Part]]:
    wording = _wording(facts, rules, vague) or [_Part(False, _CONFIRMATIONS["wording"])]
    measurability = _measurability(facts) or [_Part(False, _CONFIRMATIONS["measurability"])]
    assignment = _assignment(facts) or [_Part(False, _CONFIRMATIONS["assignment"])]
    timing = _timing(facts) or [_Part(False, _CONFIRMATIONS["timing"])]
    relevance = _relevance(facts)
    feasibility = _feasibility(facts)
    if rules.variant is Variant.DORAN:
        return {
            "S": [*wording, relevance],
            "M": measurability,
            "A": assignment,
            "R": [feasibility],
            "T": timing,
        }
    return {
        "S": wording,
        "M": measurability,
        "A": [*assignment, feasibility],
        "R": [relevance],
        "T": timing,
    }


def _check(facts: KpiFacts, rules: SmartRules, vague: re.Pattern[str]) -> SmartReport:
    if facts.direction not in (-1, 0, 1):
        raise EngineInputError(
            f"KPI {facts.code}: direction must be 1, -1 or 0, got {facts.direction!r}"
        )
    if facts.linked_active_objectives < 0:
        raise EngineInputError(f"KPI {facts.code}: linked_active_objectives cannot be negative")
    names = _LETTER_NAMES[rules.variant]
    checks = []
    for letter, parts in _letter_parts(facts, rules, vague).items():
        failures = [part for part in parts if part.failed]
        # A failing letter explains its findings; a passing one what it confirmed.
        message = "; ".join(part.message for part in failures or parts)
        checks.append(
            SmartCheck(
                letter=letter,
                name=names[letter],
                passed=not failures,
                severity="error" if letter in rules.error_letters else "warning",
                message=_sentence(message),
                hint=_sentence("; ".join(part.hint for part in failures if part.hint)),
            )
        )
    return SmartReport(code=facts.code, variant=rules.variant, checks=tuple(checks))


def check_kpi(facts: KpiFacts, rules: SmartRules | None = None) -> SmartReport:
    """Check one KPI definition against the five letters.

    Parameters
    ----------
    facts : KpiFacts
        The definition's facts.
    rules : SmartRules, optional
        Variant, error letters and word list; the defaults when omitted.

    Returns
    -------
    SmartReport
        Five checks in S, M, A, R, T order.

    Raises
    ------
    EngineInputError
        A direction other than 1, -1 or 0, a negative objective count, or a
        feasible range whose low end is above its high end.

    Examples
    --------
    >>> facts = KpiFacts("OPS-07", "On-time delivery rate", "Orders delivered by the promised date",
    ...     "%", "on_time / orders", "wms.shipments", "coo", "ops.analyst", "weekly", True, 2,
    ...     "lagging", 99.5, 91.0, 97.0, 1)
    >>> report = check_kpi(facts, SmartRules(variant=Variant.DORAN))
    >>> report.checks[3].name, report.checks[3].passed
    ('Realistic', False)
    >>> report.checks[3].message
    'The target 99.50 is beyond the feasible range 91 to 97 estimated from history: history gives little chance of reaching it.'
    """
    chosen = rules if rules is not None else SmartRules()
    return _check(facts, chosen, _vague_pattern(chosen.vague_words))


def check_kpis(facts: Sequence[KpiFacts], rules: SmartRules | None = None) -> list[SmartReport]:
    """Check many KPI definitions; one report each, in input order.

    Examples
    --------
    >>> check_kpis([])
    []
    """
    chosen = rules if rules is not None else SmartRules()
    vague = _vague_pattern(chosen.vague_words)
    return [_check(item, chosen, vague) for item in facts]
