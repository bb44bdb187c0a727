"""Field specifications: the fields of a definition, said once for every form it takes.

Each definition (a target, a KPI, a status rule, an objective, a scorecard policy) declares
its fields once, as a tuple of :class:`FieldSpec` in its own app. The strategy files, the
API schemas, the actions and the exports take their fields from that tuple, so a field is
added, renamed or described in one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

__all__ = [
    "FieldSpec",
    "FieldType",
    "boolean",
    "choice",
    "code",
    "column",
    "date",
    "field_names",
    "integer",
    "month",
    "number",
    "numbers",
    "ref",
    "reference_code",
    "text",
    "values_of",
]


ChoiceClass = type[Enum]
"""A class of choices (Django's ``TextChoices`` among them)."""


class FieldType(Enum):
    TEXT = "text"
    CODE = "code"  # non-blank text without surrounding spaces
    NUMBER = "number"  # finite float
    INTEGER = "integer"  # whole number >= 0
    BOOLEAN = "boolean"
    DATE = "date"
    MONTH = "month"  # a month, as its first day
    NUMBERS = "numbers"  # list of finite floats
    CHOICE = "choice"
    REF = "ref"  # the code of another record (or a unit / a person's employee id)
    RECORDS = "records"  # nested list of records
    RECORD = "record"  # one nested record


@dataclass(frozen=True)
class FieldSpec:
    """One field of a definition.

    ``required`` fields must be given; others take ``default`` when absent. ``nullable``
    fields accept ``None``. ``choices`` lists the values of a CHOICE, ``enum`` the choice
    class they come from (when there is one). ``ref`` names what a REF points at: an item
    kind of the strategy files (``kpi``, ``objective``, ``perspective``, ``theme``,
    ``rubric``, ``status``) or ``unit`` / ``person`` in the organisation. ``max_length``
    bounds the characters of text or the items of a list; ``description`` says what the
    field means, for the API's documentation.
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
    description: str = ""
    enum: ChoiceClass | None = None

    def default_value(self) -> Any:
        return list(self.default) if isinstance(self.default, tuple) else self.default


def text(
    name: str, max_length: int | None = None, *, required: bool = False, description: str = ""
) -> FieldSpec:
    return FieldSpec(
        name,
        FieldType.TEXT,
        required=required,
        default="",
        max_length=max_length,
        description=description,
    )


def code(name: str, max_length: int) -> FieldSpec:
    return FieldSpec(name, FieldType.CODE, required=True, max_length=max_length)


def choice(
    name: str,
    values: ChoiceClass | Sequence[str],
    *,
    required: bool = True,
    default: str = "",
    max_length: int | None = None,
    description: str = "",
) -> FieldSpec:
    """A choice among ``values``: a choices class (its values) or the values themselves."""
    enum = values if isinstance(values, type) else None
    listed = tuple(str(value.value if isinstance(value, Enum) else value) for value in values)
    return FieldSpec(
        name,
        FieldType.CHOICE,
        required=required,
        default=default,
        choices=listed,
        max_length=max_length,
        description=description,
        enum=enum,
    )


def ref(
    name: str,
    kind: str,
    *,
    required: bool = False,
    nullable: bool = True,
    max_length: int | None = None,
    description: str = "",
) -> FieldSpec:
    return FieldSpec(
        name,
        FieldType.REF,
        required=required,
        nullable=nullable,
        ref=kind,
        max_length=max_length,
        description=description,
    )


def number(
    name: str, default: float | None = None, *, required: bool = False, description: str = ""
) -> FieldSpec:
    """A number; one without a default (and not required) may be left empty (None)."""
    return FieldSpec(
        name,
        FieldType.NUMBER,
        required=required,
        nullable=default is None and not required,
        default=default,
        description=description,
    )


def integer(name: str, default: int = 0) -> FieldSpec:
    return FieldSpec(name, FieldType.INTEGER, default=default)


def boolean(name: str, default: bool, *, description: str = "") -> FieldSpec:
    return FieldSpec(name, FieldType.BOOLEAN, default=default, description=description)


def date(name: str, *, description: str = "") -> FieldSpec:
    return FieldSpec(name, FieldType.DATE, required=True, description=description)


def month(name: str, *, description: str = "") -> FieldSpec:
    return FieldSpec(name, FieldType.MONTH, required=True, description=description)


def numbers(name: str, *, max_length: int | None = None, description: str = "") -> FieldSpec:
    return FieldSpec(
        name, FieldType.NUMBERS, default=(), max_length=max_length, description=description
    )


def column(spec: FieldSpec) -> str:
    """The stored column of a field: a reference's is the id of the row (``owner_id``)."""
    return f"{spec.name}_id" if spec.type is FieldType.REF else spec.name


def field_names(fields: Iterable[FieldSpec]) -> tuple[str, ...]:
    """The names of some fields, in order."""
    return tuple(spec.name for spec in fields)


# What names a referenced row where it is not its code.
_REFERENCE_KEYS = {"person": "employee_id"}


def reference_code(row: object | None, kind: str) -> str | None:
    """The code naming a referenced row: a person's employee id, anything else's code."""
    return None if row is None else str(getattr(row, _REFERENCE_KEYS.get(kind, "code")))


def values_of(row: object, fields: Iterable[FieldSpec]) -> dict[str, Any]:
    """A stored definition's fields as plain values: references as codes, lists as lists.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> owner = SimpleNamespace(employee_id="E042")
    >>> row = SimpleNamespace(owner=owner, band_edges=(1.0, 2.0))
    >>> values_of(row, (ref("owner", "person"), numbers("band_edges")))
    {'owner': 'E042', 'band_edges': [1.0, 2.0]}
    """
    values: dict[str, Any] = {}
    for spec in fields:
        value = getattr(row, spec.name)
        if spec.type is FieldType.REF:
            value = reference_code(value, spec.ref)
        elif spec.type is FieldType.NUMBERS:
            value = list(value)
        values[spec.name] = value
    return values
