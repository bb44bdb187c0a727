"""The shape of the strategy files: sections, records, fields and their fixed order.

Each section is a list of records; each record is a mapping whose keys appear in the
order of :data:`SECTIONS` (the export writes them in that order, the loader accepts any
order). Units are named by their code, people by their employee id, everything else by
the code given in these files. The fields of a definition come from its app's field
specification (:mod:`scoreline.kpis.fields`, ...); a section adds what names the records.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from scoreline.kpis.fields import KPI, MEASURE, STATUS_RULE, TARGET, TARGET_START
from scoreline.lib.fields import (
    FieldSpec,
    FieldType,
    boolean,
    code,
    integer,
    number,
    ref,
    text,
)
from scoreline.scoring.fields import PERSPECTIVE_WEIGHT, SCORECARD_POLICY
from scoreline.strategy.fields import ESG, OBJECTIVE

__all__ = [
    "SECTIONS",
    "UNIT_OBJECTIVE",
    "ArchitectureError",
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


@dataclass(frozen=True)
class SectionSpec:
    """A section: its file in the folder form, its record fields and identity."""

    name: str
    fields: tuple[FieldSpec, ...]
    key: tuple[str, ...]

    @property
    def file_name(self) -> str:
        return f"{self.name}.yaml"


def _unit_objective() -> tuple[FieldSpec, ...]:
    """An objective as the files hold it: always of a unit (goals of people are not
    exported), its fields in the files' order."""
    by_name = {spec.name: spec for spec in OBJECTIVE}
    names = ["name", "description", "unit", "perspective", "theme", "owner", "parent",
             "contribution_weight", "weight", "horizon_start", "horizon_end"]  # fmt: skip
    fields = [by_name[name] for name in names]
    fields[names.index("unit")] = replace(by_name["unit"], required=True, nullable=False)
    return (*fields, *ESG)


UNIT_OBJECTIVE = _unit_objective()

SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(
        "perspectives",
        (
            code("code", 40),
            text("name", 120, required=True),
            text("description"),
            integer("position"),
            boolean("is_esg", False),
        ),
        ("code",),
    ),
    SectionSpec(
        "themes",
        (code("code", 40), text("name", 200, required=True), text("description")),
        ("code",),
    ),
    SectionSpec(
        "rubrics",
        (
            code("code", 40),
            text("name", 200, required=True),
            text("description"),
            FieldSpec(
                "levels",
                FieldType.RECORDS,
                required=True,
                fields=(
                    FieldSpec("level", FieldType.INTEGER, required=True),
                    text("label", 80, required=True),
                    number("score", required=True),
                    text("anchor", required=True),
                ),
            ),
        ),
        ("code",),
    ),
    SectionSpec(
        "statuses",
        (
            code("code", 20),
            text("name", 60, required=True),
            text("colour", 7, required=True),
            integer("position"),
        ),
        ("code",),
    ),
    SectionSpec("kpis", (code("code", 60), *KPI), ("code",)),
    SectionSpec(
        "status_rules",
        (
            ref("kpi", "kpi", required=True),
            FieldSpec("rules", FieldType.RECORDS, required=True, fields=STATUS_RULE),
        ),
        ("kpi",),
    ),
    SectionSpec(
        "scorecards",
        (
            ref("unit", "unit", required=True),
            FieldSpec("policy", FieldType.RECORD, nullable=True, fields=SCORECARD_POLICY),
            FieldSpec("weights", FieldType.RECORDS, default=(), fields=PERSPECTIVE_WEIGHT),
        ),
        ("unit",),
    ),
    SectionSpec(
        "objectives",
        (
            code("code", 60),
            *UNIT_OBJECTIVE,
            FieldSpec(
                "measures",
                FieldType.RECORDS,
                default=(),
                fields=MEASURE,
            ),
        ),
        ("code",),
    ),
    SectionSpec(
        "links",
        (
            ref("cause", "objective", required=True, nullable=False),
            ref("effect", "objective", required=True, nullable=False),
        ),
        ("cause", "effect"),
    ),
    SectionSpec(
        "targets",
        (
            ref("kpi", "kpi", required=True, nullable=False),
            ref("unit", "unit", required=True, nullable=False),
            TARGET_START,
            *TARGET,
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
