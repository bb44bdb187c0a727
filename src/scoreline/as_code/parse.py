"""Parse strategy files into typed records, keeping the line of every value.

The YAML is composed (not constructed) so that every node keeps its position; values are
then typed by the schema one field at a time. Every problem found is collected as an
:class:`~.schema.ArchitectureError` (file, line, reason) instead of stopping at the first,
so one run shows everything to fix. The rules that span records (references, formulas,
cycles, weights, thresholds) live in :mod:`.checks`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from scoreline.as_code.files import compose, read_text
from scoreline.as_code.schema import (
    SECTIONS,
    ArchitectureError,
    Records,
    SectionSpec,
    is_single_file,
)
from scoreline.lib.fields import FieldSpec, FieldType
from scoreline.lib.strict import parse_iso_date, text_problem

__all__ = ["Located", "Parsed", "parse_architecture"]

_TYPE_NAMES = {
    "tag:yaml.org,2002:str": "text",
    "tag:yaml.org,2002:int": "a whole number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "true/false",
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:timestamp": "a date",
    "tag:yaml.org,2002:seq": "a list",
    "tag:yaml.org,2002:map": "a mapping",
}
_EXPECTED = {
    FieldType.TEXT: "text",
    FieldType.CODE: "a code",
    FieldType.NUMBER: "a number",
    FieldType.INTEGER: "a whole number",
    FieldType.BOOLEAN: "true or false",
    FieldType.DATE: "a date (YYYY-MM-DD)",
    FieldType.MONTH: "a date (YYYY-MM-DD)",
    FieldType.NUMBERS: "a list of numbers",
    FieldType.CHOICE: "one of the listed values",
    FieldType.REF: "a code",
    FieldType.RECORDS: "a list of records",
    FieldType.RECORD: "a record",
}


@dataclass
class Located:
    """Where a record sits: its file and first line, the line of each key's value, and
    the positions of nested records (a RECORD field holds a list of one)."""

    file: str
    line: int
    fields: dict[str, int] = field(default_factory=dict)
    nested: dict[str, list[Located]] = field(default_factory=dict)

    def line_of(self, name: str) -> int:
        return self.fields.get(name, self.line)


@dataclass
class Parsed:
    """Records as read, their positions, and every problem found so far.

    A record with a bad value keeps its good values only, so that later checks can still
    run on it without repeating the same problem.
    """

    records: Records
    positions: dict[str, list[Located]]
    sections: dict[str, tuple[str, int]]  # section -> (file, line) where it starts
    errors: list[ArchitectureError]
    # Sections whose file could not be read at all: checks across records would only
    # repeat that problem as missing references.
    unreadable: set[str] = field(default_factory=set)


def _describe(node: yaml.Node) -> str:
    name = _TYPE_NAMES.get(node.tag, node.tag)
    if isinstance(node, yaml.ScalarNode) and node.tag != "tag:yaml.org,2002:null":
        shown = node.value if len(node.value) <= 40 else node.value[:37] + "..."
        return f"{name} {shown!r}"
    return name


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


class _Reader:
    """Types the nodes of one file against the schema, collecting problems."""

    def __init__(self, file: str, errors: list[ArchitectureError]) -> None:
        self.file = file
        self.errors = errors
        self.constructor = SafeConstructor()
        self.seen: set[int] = set()

    def fail(self, node: yaml.Node | int, reason: str) -> None:
        line = node if isinstance(node, int) else _line(node)
        self.errors.append(ArchitectureError(self.file, line, reason))

    def visit(self, node: yaml.Node) -> bool:
        """Refuse a node met twice: aliases would let a small file expand without bound."""
        if id(node) in self.seen:
            self.fail(node, "aliases (*name) are not supported; write the value out")
            return False
        self.seen.add(id(node))
        return True

    def scalar(self, node: yaml.ScalarNode) -> Any:
        try:
            return self.constructor.construct_object(node, deep=True)
        except (ConstructorError, ValueError) as error:
            self.fail(node, f"unreadable value {node.value!r}: {error}")
            return _BAD

    def record_list(
        self, node: yaml.Node, fields: tuple[FieldSpec, ...], what: str
    ) -> tuple[list[dict[str, Any]], list[Located]]:
        records: list[dict[str, Any]] = []
        positions: list[Located] = []
        if not self.visit(node):
            return records, positions
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            self.fail(node, f"{what}: expected a list (write [] for none), got null")
            return records, positions
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, f"{what}: expected a list of records, got {_describe(node)}")
            return records, positions
        for item in node.value:
            read = self.record(item, fields, what)
            if read is not None:
                records.append(read[0])
                positions.append(read[1])
        return records, positions

    def record(
        self, node: yaml.Node, fields: tuple[FieldSpec, ...], what: str
    ) -> tuple[dict[str, Any], Located] | None:
        if not self.visit(node):
            return None
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"{what}: expected a record (key: value lines), got {_describe(node)}")
            return None
        specs = {spec.name: spec for spec in fields}
        given: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str) or key_node.tag != "tag:yaml.org,2002:str":
                self.fail(key_node, f"{what}: a key must be a name, got {_describe(key_node)}")
                continue
            if key not in specs:
                allowed = ", ".join(specs)
                self.fail(key_node, f"{what}.{key}: unknown key {key!r} (allowed: {allowed})")
                continue
            if key in given:
                first = _line(given[key][0])
                self.fail(key_node, f"{what}: key {key!r} given twice (first on line {first})")
                continue
            given[key] = (key_node, value_node)
        located = Located(self.file, _line(node))
        values: dict[str, Any] = {}
        for spec in fields:
            if spec.name not in given:
                if spec.required:
                    self.fail(node, f"{what}: missing key {spec.name!r}")
                else:
                    values[spec.name] = spec.default_value()
                continue
            value_node = given[spec.name][1]
            located.fields[spec.name] = _line(value_node)
            value = self.value(value_node, spec, f"{what}.{spec.name}", located)
            if value is not _BAD:
                values[spec.name] = value
        return values, located

    def value(self, node: yaml.Node, spec: FieldSpec, what: str, located: Located) -> Any:
        if spec.type is FieldType.RECORDS:
            records, positions = self.record_list(node, spec.fields, what)
            located.nested[spec.name] = positions
            return records
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            if spec.nullable:
                return None
            self.fail(node, f"{what}: must not be null (expected {_EXPECTED[spec.type]})")
            return _BAD
        if spec.type is FieldType.RECORD:
            read = self.record(node, spec.fields, what)
            if read is None:
                return _BAD
            located.nested[spec.name] = [read[1]]
            return read[0]
        if spec.type is FieldType.NUMBERS:
            return self.numbers(node, what)
        if not self.visit(node):
            return _BAD
        if not isinstance(node, yaml.ScalarNode):
            self.fail(node, f"{what}: expected {_EXPECTED[spec.type]}, got {_describe(node)}")
            return _BAD
        return self.typed_scalar(node, spec, what)

    def numbers(self, node: yaml.Node, what: str) -> Any:
        if not self.visit(node):
            return _BAD
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, f"{what}: expected a list of numbers, got {_describe(node)}")
            return _BAD
        numbers = []
        for index, item in enumerate(node.value):
            if not self.visit(item):
                return _BAD
            number = (
                self.number(item, f"{what}[{index}]") if isinstance(item, yaml.ScalarNode) else None
            )
            if number is None:
                if not isinstance(item, yaml.ScalarNode):
                    self.fail(item, f"{what}[{index}]: expected a number, got {_describe(item)}")
                return _BAD
            numbers.append(number)
        return numbers

    def number(self, node: yaml.ScalarNode, what: str) -> float | None:
        value = self.scalar(node)
        if value is _BAD:
            return None
        if node.tag == "tag:yaml.org,2002:str" and node.style is None:
            # YAML 1.1 reads "1e3" (no dot) as text; a plain, unquoted number is meant.
            with contextlib.suppress(ValueError):
                value = float(node.value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(node, f"{what}: expected a number, got {_describe(node)}")
            return None
        number = float(value)
        if not math.isfinite(number):
            self.fail(node, f"{what}: must be a finite number, got {node.value}")
            return None
        return number

    def typed_scalar(self, node: yaml.ScalarNode, spec: FieldSpec, what: str) -> Any:
        kind = spec.type
        if kind is FieldType.NUMBER:
            number = self.number(node, what)
            return _BAD if number is None else number
        value = self.scalar(node)
        if value is _BAD:
            return _BAD
        if kind is FieldType.INTEGER:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                self.fail(
                    node, f"{what}: expected a whole number of at least 0, got {_describe(node)}"
                )
                return _BAD
            return value
        if kind is FieldType.BOOLEAN:
            if not isinstance(value, bool):
                self.fail(node, f"{what}: expected true or false, got {_describe(node)}")
                return _BAD
            return value
        if kind in (FieldType.DATE, FieldType.MONTH):
            # Whether a month is given by its first day is checked with its record.
            return self.date(node, value, what)
        if not isinstance(value, str):
            scalar_like = isinstance(value, int | float | bool | dt.date)
            hint = " (quote it)" if scalar_like and kind is not FieldType.CHOICE else ""
            self.fail(node, f"{what}: expected {_EXPECTED[kind]}, got {_describe(node)}{hint}")
            return _BAD
        return self.text(node, spec, value, what)

    def date(self, node: yaml.ScalarNode, value: Any, what: str) -> Any:
        if isinstance(value, dt.datetime):
            self.fail(node, f"{what}: expected a date without a time, got {node.value!r}")
            return _BAD
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return parse_iso_date(value)
            except ValueError:
                pass
        self.fail(node, f"{what}: expected a date (YYYY-MM-DD), got {_describe(node)}")
        return _BAD

    def text(self, node: yaml.ScalarNode, spec: FieldSpec, value: str, what: str) -> Any:
        problem = text_problem(value)
        if problem is not None:
            self.fail(node, f"{what}: {problem}")
            return _BAD
        if spec.type is FieldType.CHOICE and value not in spec.choices:
            allowed = ", ".join(repr(choice) for choice in spec.choices)
            self.fail(node, f"{what}: unknown value {value!r} (allowed: {allowed})")
            return _BAD
        if spec.max_length is not None and len(value) > spec.max_length:
            self.fail(node, f"{what}: at most {spec.max_length} characters, got {len(value)}")
            return _BAD
        must_fill = spec.type in (FieldType.CODE, FieldType.REF) or spec.required
        if must_fill and not value.strip():
            self.fail(node, f"{what}: must not be blank")
            return _BAD
        if spec.type in (FieldType.CODE, FieldType.REF) and value != value.strip():
            self.fail(node, f"{what}: {value!r} has spaces around it")
            return _BAD
        return value


class _Bad:
    """A value that could not be read (its problem is already reported)."""


_BAD: Any = _Bad()


def _empty(parsed: Parsed, spec: SectionSpec) -> None:
    parsed.records[spec.name] = []
    parsed.positions[spec.name] = []


def _read_section(parsed: Parsed, spec: SectionSpec, reader: _Reader, node: yaml.Node) -> None:
    records, positions = reader.record_list(node, spec.fields, spec.name)
    parsed.records[spec.name] = records
    parsed.positions[spec.name] = positions
    parsed.sections[spec.name] = (reader.file, _line(node))


def _parse_single(path: Path, parsed: Parsed) -> None:
    file = str(path)
    text = read_text(path, parsed.errors)
    root = None if text is None else compose(file, text, parsed.errors)
    reader = _Reader(file, parsed.errors)
    given: dict[str, yaml.Node] = {}
    if root is not None and not isinstance(root, yaml.MappingNode):
        reader.fail(root, f"expected the sections as top-level keys, got {_describe(root)}")
    elif root is not None:
        names = [spec.name for spec in SECTIONS]
        for key_node, value_node in root.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key not in names:
                reader.fail(
                    key_node,
                    f"unknown section {_describe(key_node)} (sections: {', '.join(names)})",
                )
            elif key in given:
                reader.fail(key_node, f"section {key!r} given twice")
            else:
                given[key] = value_node
        for spec in SECTIONS:
            if spec.name not in given:
                reader.fail(root, f"missing section {spec.name!r} (write [] for none)")
    for spec in SECTIONS:
        _empty(parsed, spec)
        parsed.sections[spec.name] = (file, 1)
        if spec.name in given:
            _read_section(parsed, spec, reader, given[spec.name])
        else:
            parsed.unreadable.add(spec.name)


def _parse_folder(path: Path, parsed: Parsed) -> None:
    if not path.is_dir():
        parsed.errors.append(ArchitectureError(str(path), 0, "no such folder"))
        parsed.unreadable.update(spec.name for spec in SECTIONS)
        return
    expected = {spec.file_name for spec in SECTIONS}
    for extra in sorted(path.iterdir()):
        if extra.suffix.lower() in (".yaml", ".yml") and extra.name not in expected:
            parsed.errors.append(
                ArchitectureError(
                    str(extra), 0, f"unknown section file (expected: {', '.join(sorted(expected))})"
                )
            )
    for spec in SECTIONS:
        _empty(parsed, spec)
        file = path / spec.file_name
        parsed.sections[spec.name] = (str(file), 1)
        text = read_text(file, parsed.errors, folder=path)
        root = None if text is None else compose(str(file), text, parsed.errors)
        if root is not None:
            _read_section(parsed, spec, _Reader(str(file), parsed.errors), root)
        else:
            parsed.unreadable.add(spec.name)


def parse_architecture(path: Path) -> Parsed:
    """Read and type the strategy files at ``path`` (one file or a folder of sections).

    Only the shape is checked here: keys, types and allowed values. Problems are collected
    in ``errors``; when there are none, ``records`` has every key of every record.
    """
    parsed = Parsed(records={}, positions={}, sections={}, errors=[])
    if is_single_file(path):
        _parse_single(path, parsed)
    else:
        _parse_folder(path, parsed)
    return parsed
