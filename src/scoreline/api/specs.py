"""Request and response schemas built from the field specifications of the definitions.

A resource hands over a definition's fields (:mod:`scoreline.lib.fields`) and gets a
schema whose types, defaults, limits and descriptions follow them. The schema is a base
class made at run time; the resource's own class derives from it and adds the fields that
belong to the API alone. mypy cannot see fields made at run time, so the base carries a
``# type: ignore[misc]`` and the resource reads those fields as ``Any``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from typing import Any, cast

from ninja import Field, Schema
from pydantic import create_model

from scoreline.api.fields import Day, Month
from scoreline.api.support import Choice, Input
from scoreline.lib.fields import FieldSpec, FieldType, reference_code

__all__ = ["request_schema", "response_schema", "response_values"]

# The longest code of each kind of row a field may name.
_CODE_LENGTHS = {
    "kpi": 60,
    "objective": 60,
    "perspective": 40,
    "person": 40,
    "rubric": 40,
    "status": 20,
    "theme": 40,
    "unit": 40,
}

_TYPES: dict[FieldType, Any] = {
    FieldType.TEXT: str,
    FieldType.CODE: str,
    FieldType.REF: str,
    FieldType.NUMBER: float,
    FieldType.INTEGER: int,
    FieldType.BOOLEAN: bool,
    FieldType.DATE: dt.date,
    FieldType.MONTH: dt.date,
    FieldType.NUMBERS: list[float],
    FieldType.CHOICE: str,
}


def _value_type(spec: FieldSpec, *, as_text: bool = False) -> Any:
    if spec.type is FieldType.CHOICE and spec.enum is not None and not as_text:
        return spec.enum
    return _TYPES[spec.type]


def _request_type(spec: FieldSpec) -> Any:
    """A field's type in a request body, read from JSON (see ``Input``): days and months
    from their ISO text, a choice from its value."""
    if spec.type is FieldType.DATE:
        return Day
    if spec.type is FieldType.MONTH:
        return Month
    kind = _value_type(spec)
    # The choice class is known only at run time: mypy cannot check the alias applied to it.
    return cast(Any, Choice)[kind] if spec.enum is not None else kind


def response_schema(
    *fields: FieldSpec,
    leading: Mapping[str, Any] | None = None,
    described: Collection[str] = (),
    as_text: Collection[str] = (),
    names: Mapping[str, str] | None = None,
) -> type[Schema]:
    """A response's fields: all present, typed as stored, None where a field may be empty.

    ``leading`` fields (name -> type) come first; a reference to a person is followed by the
    person's name (``owner``, ``owner_name``). Only the ``described`` fields show their
    description, choices named in ``as_text`` are plain text, and ``names`` renames fields
    whose API name differs from the stored one.
    """
    definitions: dict[str, Any] = {name: (kind, ...) for name, kind in (leading or {}).items()}
    for spec in fields:
        kind = _value_type(spec, as_text=spec.name in as_text)
        if spec.nullable:
            kind = kind | None
        described_as = (spec.description or None) if spec.name in described else None
        name = (names or {}).get(spec.name, spec.name)
        definitions[name] = (kind, Field(description=described_as))
        if spec.type is FieldType.REF and spec.ref == "person":
            definitions[f"{name}_name"] = (str | None, ...)
    return create_model("SpecifiedResponse", __base__=Schema, **definitions)


def _limits(spec: FieldSpec) -> dict[str, Any]:
    if spec.type is FieldType.REF:
        return {"max_length": _CODE_LENGTHS[spec.ref]}
    if spec.type in (FieldType.CODE, FieldType.TEXT) and spec.required:
        return {"min_length": 1, "max_length": spec.max_length}
    return {"max_length": spec.max_length}


def _description(spec: FieldSpec, described: Collection[str] | None) -> str | None:
    if not spec.description or (described is not None and spec.name not in described):
        return None
    if spec.type is FieldType.MONTH:
        return f"{spec.description}, YYYY-MM"
    return spec.description


def request_schema(
    *fields: FieldSpec,
    base: type[Input] = Input,
    leading: Mapping[str, Any] | None = None,
    optional: bool = False,
    described: Collection[str] | None = None,
    names: Mapping[str, str] | None = None,
) -> type[Input]:
    """A request body's fields, with their limits, defaults and descriptions.

    Required fields must be sent and the others take their defaults; with ``optional``
    every field may be left out (None: not sent), as a change of some fields sends them.
    Months are given as ``YYYY-MM``, references by the codes they name (at most as long as
    those codes). The fields follow those of ``base`` (a field of ``base`` given again
    keeps its place) and the ``leading`` ones (name -> type and default); ``described``
    names the fields that show their description (default: all) and ``names`` renames
    fields whose API name differs from the stored one.
    """
    definitions: dict[str, Any] = dict(leading or {})
    for spec in fields:
        kind = _request_type(spec)
        settings = {**_limits(spec), "description": _description(spec, described)}
        if optional or spec.nullable:
            kind = kind | None
        if optional or (not spec.required and spec.default is None):
            field = Field(None, **settings)
        elif spec.required:
            field = Field(**settings)
        elif isinstance(spec.default, tuple):
            field = Field(default_factory=list, **settings)
        else:
            field = Field(spec.default, **settings)
        definitions[(names or {}).get(spec.name, spec.name)] = (kind, field)
    return create_model("SpecifiedRequest", __base__=base, **definitions)


def response_values(
    row: object, fields: Iterable[FieldSpec], names: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """A stored definition's fields as a response shows them (see :func:`response_schema`)."""
    values: dict[str, Any] = {}
    for spec in fields:
        name = (names or {}).get(spec.name, spec.name)
        value = getattr(row, spec.name)
        if spec.type is FieldType.REF:
            values[name] = reference_code(value, spec.ref)
            if spec.ref == "person":
                values[f"{name}_name"] = value.full_name if value is not None else None
        else:
            values[name] = value
    return values
