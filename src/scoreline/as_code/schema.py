"""The shape of the strategy files: sections, records, fields and their fixed order.

Each section is a list of records; each record is a mapping whose keys appear in the
order of :data:`SECTIONS` (the export writes them in that order, the loader accepts any
order). Units are named by their code, people by their employee id, everything else by
the code given in these files.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from scoreline.kpis.models import (
    Direction,
    KpiKind,
    Phasing,
    RefreshCycle,
    RuleBasis,
    RuleComparison,
    ScoringMethod,
    TargetType,
    Temporality,
    TimeAggregation,
    TreeAggregation,
)
from scoreline.scoring.models import CombineRule, MissingPolicy
from scoreline.strategy.models import EsgPillar, RequiredBy

__all__ = [
    "SECTIONS",
    "ArchitectureError",
    "FieldSpec",
    "FieldType",
    "Records",
    "SectionSpec",
    "count",
    "is_single_file",
    "section",
]

Records = dict[str, list[dict[str, Any]]]
"""Section name -> its records as plain values (codes, dates, floats), in file order."""


@dataclass(frozen=True, order=True)
class ArchitectureError:
    """One problem in the strategy files: where it is and what is wrong.

    Examples
    --------
    >>> print(ArchitectureError("kpis.yaml", 12, "kpis.colour: unknown key 'colour'"))
    kpis.yaml:12: kpis.colour: unknown key 'colour'
    """

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


class FieldType(Enum):
    TEXT = "text"
    CODE = "code"  # non-blank text without surrounding spaces
    NUMBER = "number"  # finite float
    INTEGER = "integer"  # whole number >= 0
    BOOLEAN = "boolean"
    DATE = "date"
    NUMBERS = "numbers"  # list of finite floats
    CHOICE = "choice"
    REF = "ref"  # the code of another record (or a unit / a person's employee id)
    RECORDS = "records"  # nested list of records
    RECORD = "record"  # one nested record


@dataclass(frozen=True)
class FieldSpec:
    """One key of a record.

    ``required`` keys must be present; others take ``default`` when absent. ``nullable``
    keys accept ``null``. ``ref`` names what a REF points at: a section's item kind
    (``kpi``, ``objective``, ``perspective``, ``theme``, ``rubric``, ``status``) or
    ``unit`` / ``person`` in the organisation.
    """

    name: str
    type: FieldType
    required: bool = False
    nullable: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    ref: str = ""
    max_length: int | None = None
    fields: tuple[FieldSpec, ...] = ()

    def default_value(self) -> Any:
        return list(self.default) if isinstance(self.default, tuple) else self.default


@dataclass(frozen=True)
class SectionSpec:
    """A section: its file in the folder form, its record fields and identity."""

    name: str
    fields: tuple[FieldSpec, ...]
    key: tuple[str, ...]

    @property
    def file_name(self) -> str:
        return f"{self.name}.yaml"


def _text(name: str, max_length: int | None = None, *, required: bool = False) -> FieldSpec:
    return FieldSpec(name, FieldType.TEXT, required=required, default="", max_length=max_length)


def _code(name: str, max_length: int) -> FieldSpec:
    return FieldSpec(name, FieldType.CODE, required=True, max_length=max_length)


def _choice(name: str, values: list[str], *, required: bool = True, default: str = "") -> FieldSpec:
    return FieldSpec(
        name, FieldType.CHOICE, required=required, default=default, choices=tuple(values)
    )


def _ref(name: str, ref: str, *, required: bool = False, nullable: bool = True) -> FieldSpec:
    return FieldSpec(name, FieldType.REF, required=required, nullable=nullable, ref=ref)


def _number(name: str, default: float | None = None, *, required: bool = False) -> FieldSpec:
    return FieldSpec(
        name,
        FieldType.NUMBER,
        required=required,
        nullable=default is None and not required,
        default=default,
    )


def _date(name: str) -> FieldSpec:
    return FieldSpec(name, FieldType.DATE, required=True)


def _numbers(name: str) -> FieldSpec:
    return FieldSpec(name, FieldType.NUMBERS, default=())


ESG_FIELDS = (
    _choice("esg_pillar", EsgPillar.values, required=False),
    _text("disclosure_ref", 60),
    _choice("required_by", RequiredBy.values, required=False),
)

SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(
        "perspectives",
        (
            _code("code", 40),
            _text("name", 120, required=True),
            _text("description"),
            FieldSpec("position", FieldType.INTEGER, default=0),
            FieldSpec("is_esg", FieldType.BOOLEAN, default=False),
        ),
        ("code",),
    ),
    SectionSpec(
        "themes",
        (_code("code", 40), _text("name", 200, required=True), _text("description")),
        ("code",),
    ),
    SectionSpec(
        "rubrics",
        (
            _code("code", 40),
            _text("name", 200, required=True),
            _text("description"),
            FieldSpec(
                "levels",
                FieldType.RECORDS,
                required=True,
                fields=(
                    FieldSpec("level", FieldType.INTEGER, required=True),
                    _text("label", 80, required=True),
                    _number("score", required=True),
                    _text("anchor", required=True),
                ),
            ),
        ),
        ("code",),
    ),
    SectionSpec(
        "statuses",
        (
            _code("code", 20),
            _text("name", 60, required=True),
            _text("colour", 7, required=True),
            FieldSpec("position", FieldType.INTEGER, default=0),
        ),
        ("code",),
    ),
    SectionSpec(
        "kpis",
        (
            _code("code", 60),
            _text("name", 200, required=True),
            _text("description"),
            _text("unit", 40),
            _choice("direction", Direction.values),
            _choice("temporality", Temporality.values),
            _choice("kind", KpiKind.values),
            _text("function", 60),
            _text("formula"),
            _choice("time_aggregation", TimeAggregation.values),
            _choice("tree_aggregation", TreeAggregation.values),
            _choice("refresh_cycle", ["", *RefreshCycle.values], required=False),
            _text("data_source", 200),
            _ref("owner", "person"),
            _ref("steward", "person"),
            _choice("scoring", ScoringMethod.values),
            _numbers("band_edges"),
            _numbers("band_scores"),
            _ref("rubric", "rubric"),
            *ESG_FIELDS,
        ),
        ("code",),
    ),
    SectionSpec(
        "status_rules",
        (
            _ref("kpi", "kpi", required=True),
            FieldSpec(
                "rules",
                FieldType.RECORDS,
                required=True,
                fields=(
                    _choice("basis", RuleBasis.values),
                    _choice("comparison", RuleComparison.values),
                    _number("bound"),
                    _number("bound_upper"),
                    _ref("status", "status", required=True, nullable=False),
                ),
            ),
        ),
        ("kpi",),
    ),
    SectionSpec(
        "scorecards",
        (
            _ref("unit", "unit", required=True),
            FieldSpec(
                "policy",
                FieldType.RECORD,
                nullable=True,
                fields=(
                    _choice("combine", CombineRule.values),
                    _choice("missing", MissingPolicy.values),
                    FieldSpec("cap_at_100", FieldType.BOOLEAN, default=True),
                ),
            ),
            FieldSpec(
                "weights",
                FieldType.RECORDS,
                default=(),
                fields=(
                    _ref("perspective", "perspective", required=True, nullable=False),
                    _number("weight", required=True),
                ),
            ),
        ),
        ("unit",),
    ),
    SectionSpec(
        "objectives",
        (
            _code("code", 60),
            _text("name", 200, required=True),
            _text("description"),
            _ref("unit", "unit", required=True, nullable=False),
            _ref("perspective", "perspective", required=True, nullable=False),
            _ref("theme", "theme"),
            _ref("owner", "person"),
            _ref("parent", "objective"),
            _number("contribution_weight", 1.0),
            _number("weight", 1.0),
            _date("horizon_start"),
            _date("horizon_end"),
            *ESG_FIELDS,
            FieldSpec(
                "measures",
                FieldType.RECORDS,
                default=(),
                fields=(
                    _ref("kpi", "kpi", required=True, nullable=False),
                    _number("weight", 1.0),
                ),
            ),
        ),
        ("code",),
    ),
    SectionSpec(
        "links",
        (
            _ref("cause", "objective", required=True, nullable=False),
            _ref("effect", "objective", required=True, nullable=False),
        ),
        ("cause", "effect"),
    ),
    SectionSpec(
        "targets",
        (
            _ref("kpi", "kpi", required=True, nullable=False),
            _ref("unit", "unit", required=True, nullable=False),
            _date("period_start"),
            _date("period_end"),
            _choice("target_type", TargetType.values),
            _number("threshold"),
            _number("target"),
            _number("stretch"),
            _number("range_low"),
            _number("range_high"),
            _number("baseline"),
            _choice("phasing", Phasing.values, required=False, default=Phasing.FLAT.value),
            _numbers("profile"),
        ),
        ("kpi", "unit", "period_start"),
    ),
)


SINGLE_FILE_SUFFIXES = (".yaml", ".yml")


def is_single_file(path: Path) -> bool:
    """Whether PATH names one file with every section (else a folder of section files)."""
    return path.suffix.lower() in SINGLE_FILE_SUFFIXES


def count(number: int, noun: str, plural: str = "") -> str:
    """``1 change``, ``2 changes``: a number with its noun.

    Examples
    --------
    >>> count(1, "change"), count(3, "problem")
    ('1 change', '3 problems')
    """
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def section(name: str) -> SectionSpec:
    """The spec of a section by name."""
    for spec in SECTIONS:
        if spec.name == name:
            return spec
    raise KeyError(name)
