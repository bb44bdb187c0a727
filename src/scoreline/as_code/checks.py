"""Rules that span records: codes, references, formulas, cycles, weights and thresholds.

The files are the whole architecture, so references between definitions resolve within
the files (a KPI named by a target must be in the ``kpis`` section); units and people
resolve in the organisation (units by code, people by employee id). The checks reuse
:mod:`scoreline.kpis.validation` where its functions need no database; the checks of a
KPI's shape and of a status rule set are repeated here without the database lookups of
their counterparts there, because the statuses, rubrics and KPIs they name may be new in
the files.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from scoreline.as_code.parse import Located, Parsed
from scoreline.as_code.schema import SECTIONS, ArchitectureError
from scoreline.engine.graph import find_cycle
from scoreline.engine.units import UnitError, check_unit
from scoreline.kpis.fields import TARGET_FIELDS
from scoreline.kpis.models import (
    Kpi,
    KpiVersion,
)
from scoreline.kpis.validation import (
    LevelSpec,
    check_kpi_shape,
    check_rule_place,
    parse_kpi_formula,
    validate_kpi_code,
    validate_rubric_levels,
    validate_target_content,
)
from scoreline.lib.dates import effective_on
from scoreline.lib.errors import Invalid
from scoreline.lib.fields import FieldSpec, FieldType
from scoreline.lib.validation import check_not_all_zero, check_share, check_weight
from scoreline.org.models import OrgUnit, Person
from scoreline.strategy.models import ObjectiveVersion
from scoreline.strategy.rules import check_placement

__all__ = ["check_architecture", "check_kpi_record", "check_rule_set"]

_SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}\Z")
_PATH = re.compile(r"(\w+)(?:\[(\d+)\])?(?:\.(\w+))?")
_REFERENCED = {
    "kpi": "KPI",
    "objective": "objective",
    "perspective": "perspective",
    "theme": "theme",
    "rubric": "rubric",
    "status": "status",
}
# Nested records that name something once per parent record.
_NESTED_KEYS = {("objectives", "measures"): "kpi", ("scorecards", "weights"): "perspective"}
_SECTION_OF = {
    "kpi": "kpis",
    "objective": "objectives",
    "perspective": "perspectives",
    "theme": "themes",
    "rubric": "rubrics",
    "status": "statuses",
}


def _fail(field: str, reason: str) -> Invalid:
    return Invalid.field(field, reason)


def _show(value: float) -> str:
    return f"{value:g}"


def check_kpi_record(record: Mapping[str, Any]) -> None:
    """:func:`scoreline.kpis.validation.check_kpi_shape` of a KPI record (the rubric named by
    its code); raises :class:`Invalid` naming the field."""
    check_kpi_shape(
        direction=record["direction"],
        scoring=record["scoring"],
        band_edges=record["band_edges"],
        band_scores=record["band_scores"],
        has_rubric=record["rubric"] is not None,
        formula=record["formula"],
    )


def check_rule_set(rules: Sequence[Mapping[str, Any]]) -> None:
    """An ordered status rule set: one OTHERWISE fallback, last; bounds where needed.

    The database-free part of :func:`scoreline.kpis.validation.validate_status_rules`
    (statuses are checked as references); raises :class:`Invalid` naming the field.
    """
    if not rules:
        raise _fail("rules", "a rule set needs at least the OTHERWISE fallback rule")
    last = len(rules) - 1
    for index, rule in enumerate(rules):
        check_rule_place(
            f"rules[{index}]",
            last=index == last,
            comparison=rule["comparison"],
            bound=rule["bound"],
            upper=rule["bound_upper"],
        )


def _position_in(positions: Mapping[int, int]) -> Callable[[int], int]:
    """Rubric checks name levels by number; their records sit at positions."""
    return lambda number: positions.get(number, -1)


def _complete(fields: Sequence[FieldSpec], record: Mapping[str, Any]) -> bool:
    """Whether every field was read (a bad value leaves its key out)."""
    return all(spec.name in record for spec in fields)


def _field_line(located: Located, path: str, index_of: Callable[[int], int] | None = None) -> int:
    """The line of a field path such as ``rules[2].bound`` or ``profile[3]``."""
    match = _PATH.match(path)
    if match is None:
        return located.line
    name, index, sub = match.group(1), match.group(2), match.group(3)
    items = located.nested.get(name)
    if index is not None and items is not None:
        position = int(index) if index_of is None else index_of(int(index))
        if 0 <= position < len(items):
            return items[position].line_of(sub) if sub else items[position].line
    return located.line_of(name)


def _describe_key(section: str, key: tuple[Any, ...]) -> str:
    if section == "status_rules":
        return "the default rule set" if key[0] is None else f"the rule set of {key[0]!r}"
    if section == "scorecards":
        return "the default scorecard" if key[0] is None else f"the scorecard of {key[0]!r}"
    if section == "links":
        return f"the link {key[0]!r} -> {key[1]!r}"
    if section == "targets":
        return f"the target of {key[0]!r} at {key[1]!r} from {key[2].isoformat()}"
    return repr(key[0])


class _Checker:
    def __init__(self, parsed: Parsed, day: dt.date) -> None:
        self.parsed = parsed
        self.day = day
        self.errors = parsed.errors
        self.specs = {spec.name: spec for spec in SECTIONS}
        self.units: dict[str, OrgUnit] = {}  # the units the files name, by code

    # -- helpers ------------------------------------------------------------------

    def rows(self, section: str) -> Iterator[tuple[dict[str, Any], Located]]:
        yield from zip(
            self.parsed.records.get(section, []),
            self.parsed.positions.get(section, []),
            strict=True,
        )

    def complete(self, section: str) -> Iterator[tuple[dict[str, Any], Located]]:
        fields = self.specs[section].fields
        for record, located in self.rows(section):
            if _complete(fields, record):
                yield record, located

    def fail(self, section: str, located: Located, field: str, reason: str) -> None:
        self.errors.append(
            ArchitectureError(located.file, located.line_of(field), f"{section}.{field}: {reason}")
        )

    def fail_at(self, section: str, file: str, line: int, reason: str) -> None:
        self.errors.append(ArchitectureError(file, line, f"{section}: {reason}"))

    def invalid(
        self,
        section: str,
        located: Located,
        error: Invalid,
        index_of: Callable[[int], int] | None = None,
    ) -> None:
        fields = list(error.fields)
        if len(fields) == 1:
            field = fields[0]
            reason = f"{section}.{field}: {error.fields[field][0]}"
        else:
            field = fields[0] if fields else ""
            reason = f"{section}: {error.message}"
        line = _field_line(located, field, index_of) if field else located.line
        self.errors.append(ArchitectureError(located.file, line, reason))

    # -- the checks -----------------------------------------------------------------

    def run(self) -> None:
        self.check_keys()
        self.check_references()
        self.check_catalogue()
        self.check_kpis()
        self.check_status_rules()
        self.check_scorecards()
        self.check_objectives()
        self.check_links()
        self.check_targets()
        self.errors.sort()

    def check_keys(self) -> None:
        """Every record once: codes (and the identity of keyed records) are unique."""
        for spec in SECTIONS:
            seen: dict[tuple[Any, ...], int] = {}
            for record, located in self.rows(spec.name):
                if any(name not in record for name in spec.key):
                    continue
                key = tuple(record[name] for name in spec.key)
                if key in seen:
                    self.fail(
                        spec.name,
                        located,
                        spec.key[0],
                        f"{_describe_key(spec.name, key)} appears twice "
                        f"(first on line {seen[key]})",
                    )
                else:
                    seen[key] = located.line_of(spec.key[0])
        for (section, name), key_field in _NESTED_KEYS.items():
            for record, located in self.rows(section):
                self.check_nested_keys(section, name, key_field, record, located)

    def check_nested_keys(
        self, section: str, name: str, key_field: str, record: dict[str, Any], located: Located
    ) -> None:
        """A KPI measures an objective once; a perspective is weighed once per scorecard."""
        first_line: dict[Any, int] = {}
        items = record.get(name) or []
        positions = located.nested.get(name, [])
        for index, (item, where) in enumerate(zip(items, positions, strict=False)):
            if key_field not in item:
                continue
            value, line = item[key_field], where.line_of(key_field)
            if value not in first_line:
                first_line[value] = line
                continue
            reason = (
                f"{section}.{name}[{index}].{key_field}: {value!r} appears twice in this "
                f"record (first on line {first_line[value]})"
            )
            self.errors.append(ArchitectureError(where.file, line, reason))

    def codes(self, kind: str) -> set[str]:
        return {record["code"] for record, _ in self.rows(_SECTION_OF[kind]) if "code" in record}

    def check_references(self) -> None:
        known = {kind: self.codes(kind) for kind in _SECTION_OF}
        wanted: dict[str, set[str]] = {"unit": set(), "person": set()}
        for spec in SECTIONS:
            for record, _ in self.rows(spec.name):
                for kind, value, _where in _references(spec.fields, record, None):
                    if kind in wanted:
                        wanted[kind].add(value)
        self.units = {
            unit.code: unit for unit in OrgUnit.objects.filter(code__in=sorted(wanted["unit"]))
        }
        known["unit"] = set(self.units)
        known["person"] = set(
            Person.objects.filter(employee_id__in=sorted(wanted["person"])).values_list(
                "employee_id", flat=True
            )
        )
        for spec in SECTIONS:
            for record, located in self.rows(spec.name):
                for kind, value, (where, path) in _references(spec.fields, record, located):
                    if value in known[kind]:
                        continue
                    if kind == "unit":
                        reason = f"no unit with code {value!r}"
                    elif kind == "person":
                        reason = f"no person with employee id {value!r}"
                    else:
                        reason = (
                            f"unknown {_REFERENCED[kind]} {value!r} "
                            f"(not in the {_SECTION_OF[kind]} section)"
                        )
                    self.errors.append(
                        ArchitectureError(
                            where.file,
                            where.line_of(path[-1]),
                            f"{spec.name}.{'.'.join(path)}: {reason}",
                        )
                    )

    def check_catalogue(self) -> None:
        for section in ("perspectives", "themes", "rubrics", "statuses"):
            for record, located in self.rows(section):
                code = record.get("code")
                if code is not None and not _SLUG.match(code):
                    self.fail(
                        section,
                        located,
                        "code",
                        f"{code!r} may hold only letters, digits, '-' and '_'",
                    )
        for record, located in self.complete("statuses"):
            if not _COLOUR.match(record["colour"]):
                self.fail(
                    "statuses",
                    located,
                    "colour",
                    f"must be a colour like #1e8449, got {record['colour']!r}",
                )
        for record, located in self.complete("rubrics"):
            levels = record["levels"]
            specs = [
                LevelSpec(level["level"], level["label"], level["anchor"], level["score"])
                for level in levels
            ]
            positions = {level["level"]: index for index, level in enumerate(levels)}
            try:
                validate_rubric_levels(specs)
            except Invalid as error:
                self.invalid("rubrics", located, error, index_of=_position_in(positions))

    def check_kpis(self) -> None:
        records = list(self.rows("kpis"))
        units = {record["code"]: record.get("unit") for record, _ in records if "code" in record}
        edges: list[tuple[str, str]] = []
        formula_line: dict[str, tuple[Located, str]] = {}
        for record, located in records:
            code = record.get("code")
            if code is not None:
                try:
                    validate_kpi_code(code)
                except Invalid as error:
                    self.invalid("kpis", located, error)
            if _complete(self.specs["kpis"].fields, record):
                try:
                    check_kpi_record(record)
                except Invalid as error:
                    self.invalid("kpis", located, error)
            text = record.get("formula", "")
            if code is None or not text.strip():
                continue
            try:
                formula = parse_kpi_formula(text)
            except Invalid as error:
                self.invalid("kpis", located, error)
                continue
            unknown = sorted(name for name in formula.names if name not in units)
            for name in unknown:
                self.fail("kpis", located, "formula", f"refers to unknown KPI {name!r}")
            edges.extend((name, code) for name in sorted(formula.names) if name in units)
            formula_line[code] = (located, text)
            needed = {
                name: unit
                for name in formula.names
                if name in units and (unit := units[name]) is not None
            }
            if unknown or "unit" not in record or len(needed) < len(formula.names):
                continue
            try:
                check_unit(formula, needed, record["unit"])
            except UnitError as error:
                self.fail("kpis", located, "formula", str(error))
        cycle = find_cycle(edges)
        if cycle is not None:
            located, _ = formula_line[cycle[1]]
            self.fail(
                "kpis",
                located,
                "formula",
                f"the formulas form a cycle: {' -> '.join(cycle)}",
            )

    def check_status_rules(self) -> None:
        has_default = False
        for record, located in self.rows("status_rules"):
            if "kpi" in record and record["kpi"] is None:
                has_default = True
            rules = record.get("rules")
            fields = self.specs["status_rules"].fields[1].fields
            if rules is None or not all(_complete(fields, rule) for rule in rules):
                continue
            try:
                check_rule_set(rules)
            except Invalid as error:
                self.invalid("status_rules", located, error)
        if not has_default:
            file, line = self.parsed.sections["status_rules"]
            self.fail_at("status_rules", file, line, "the default rule set (kpi: null) is missing")

    def check_scorecards(self) -> None:
        has_default = False
        for record, located in self.rows("scorecards"):
            if "unit" in record and record["unit"] is None and record.get("policy") is not None:
                has_default = True
            self.check_share(located, record.get("policy"))
            weights = record.get("weights")
            if weights is None:
                continue
            self.check_weights("scorecards", located, "weights", weights)
        if not has_default:
            file, line = self.parsed.sections["scorecards"]
            self.fail_at(
                "scorecards",
                file,
                line,
                "the default scorecard (unit: null) with its policy is missing",
            )

    def check_share(self, located: Located, policy: Mapping[str, Any] | None) -> None:
        """A scorecard policy's share of contributing objectives: from 0 to 1."""
        if policy is None or "cascade_share" not in policy:
            return
        try:
            check_share("cascade_share", policy["cascade_share"])
        except Invalid as error:
            line = _field_line(located, "policy[0].cascade_share")
            reason = f"scorecards.policy.cascade_share: {error.fields['cascade_share'][0]}"
            self.errors.append(ArchitectureError(located.file, line, reason))

    def check_weights(
        self, section: str, located: Located, name: str, items: list[dict[str, Any]]
    ) -> None:
        """Weights of nested records: none negative, not all zero."""
        given = [item["weight"] for item in items if "weight" in item]
        for index, item in enumerate(items):
            if "weight" not in item:
                continue
            try:
                check_weight("weight", item["weight"])
            except Invalid as error:
                self.invalid(
                    section,
                    located,
                    Invalid.field(f"{name}[{index}].weight", error.fields["weight"][0]),
                )
        if len(given) == len(items):
            try:
                check_not_all_zero(name, given)
            except Invalid as error:
                self.invalid(section, located, error)

    def check_objectives(self) -> None:
        records = list(self.rows("objectives"))
        groups: dict[tuple[str, str], list[tuple[float, Located]]] = defaultdict(list)
        by_code = {record["code"]: record for record, _ in records if "code" in record}
        edges: list[tuple[str, str]] = []
        parent_line: dict[str, Located] = {}
        for record, located in records:
            for name in ("weight", "contribution_weight"):
                if name in record:
                    try:
                        check_weight(name, record[name])
                    except Invalid as error:
                        self.invalid("objectives", located, error)
            start, end = record.get("horizon_start"), record.get("horizon_end")
            if start is not None and end is not None and end <= start:
                self.fail(
                    "objectives",
                    located,
                    "horizon_end",
                    f"the horizon ends on {end}, not after its start {start}",
                )
            if "measures" in record:
                self.check_weights("objectives", located, "measures", record["measures"])
            if all(name in record for name in ("unit", "perspective", "weight")):
                groups[(record["unit"], record["perspective"])].append((record["weight"], located))
            code, parent = record.get("code"), record.get("parent")
            if code is not None and parent is not None and parent in by_code:
                edges.append((parent, code))
                parent_line[code] = located
                self.check_placement(record, by_code[parent], located)
        for (unit, perspective), members in sorted(groups.items()):
            if not any(weight > 0 for weight, _ in members):
                self.fail(
                    "objectives",
                    members[0][1],
                    "weight",
                    f"the objectives of {unit!r} in perspective {perspective!r} all weigh zero: "
                    "at least one must be above zero",
                )
        cycle = find_cycle(edges)
        if cycle is not None:
            self.fail(
                "objectives",
                parent_line[cycle[1]],
                "parent",
                f"the cascade forms a cycle: {' -> '.join(cycle)}",
            )
        self.check_goal_codes(records)

    def check_placement(
        self, record: Mapping[str, Any], parent: Mapping[str, Any], located: Located
    ) -> None:
        """A parent belongs to the same unit or one above, at the same cascade level or above
        (:func:`scoreline.strategy.rules.check_placement`, as the actions check it)."""
        unit, parent_unit = self.units.get(record.get("unit", "")), None
        if "unit" in parent:
            parent_unit = self.units.get(parent["unit"])
        if unit is None or parent_unit is None:
            return
        try:
            check_placement(parent["code"], parent_unit, unit, unit)
        except Invalid as error:
            self.invalid("objectives", located, error)

    def check_goal_codes(self, records: list[tuple[dict[str, Any], Located]]) -> None:
        """A code held by an individual goal cannot become a unit's objective."""
        codes = {record["code"]: located for record, located in records if "code" in record}
        goals = ObjectiveVersion.objects.filter(
            effective_on(self.day), person__isnull=False, objective__code__in=sorted(codes)
        ).values_list("objective__code", flat=True)
        for code in sorted(set(goals)):
            self.fail(
                "objectives",
                codes[code],
                "code",
                f"{code!r} is an individual goal; individual goals are not managed in these files",
            )

    def check_links(self) -> None:
        edges: list[tuple[str, str]] = []
        line_of: dict[tuple[str, str], Located] = {}
        for record, located in self.complete("links"):
            pair = (record["cause"], record["effect"])
            edges.append(pair)
            line_of.setdefault(pair, located)
        cycle = find_cycle(edges)
        if cycle is not None:
            self.fail(
                "links",
                line_of[(cycle[0], cycle[1])],
                "cause",
                f"the strategy map forms a cycle: {' -> '.join(cycle)}",
            )

    def check_targets(self) -> None:
        kpis = {record["code"]: record for record, _ in self.complete("kpis")}
        spans: dict[tuple[str, str], list[tuple[dt.date, dt.date, Located]]] = defaultdict(list)
        for record, located in self.complete("targets"):
            kpi = kpis.get(record["kpi"])
            if kpi is None:
                continue
            version = KpiVersion(
                kpi=Kpi(code=kpi["code"]), direction=kpi["direction"], scoring=kpi["scoring"]
            )
            content = {name: record[name] for name in TARGET_FIELDS}
            try:
                validate_target_content(version, record["period_start"], content)
            except Invalid as error:
                self.invalid("targets", located, error)
                continue
            spans[(record["kpi"], record["unit"])].append(
                (record["period_start"], record["period_end"], located)
            )
        for (kpi_code, unit), items in sorted(spans.items()):
            items.sort(key=lambda item: item[0])
            for (start, end, _), (later, _, located) in itertools.pairwise(items):
                if later < end:
                    self.fail(
                        "targets",
                        located,
                        "period_start",
                        f"the target of {kpi_code!r} at {unit!r} from {later.isoformat()} "
                        f"overlaps the one from {start.isoformat()} (until {end.isoformat()})",
                    )


def _references(
    fields: Sequence[FieldSpec], record: Mapping[str, Any], located: Located | None
) -> Iterator[tuple[str, str, tuple[Located, tuple[str, ...]]]]:
    """(kind, code, (where, field path)) of every reference in a record, nested included."""
    for spec in fields:
        value = record.get(spec.name)
        if value is None:
            continue
        if spec.type is FieldType.REF:
            where = located if located is not None else Located("", 0)
            yield spec.ref, value, (where, (spec.name,))
        elif spec.type in (FieldType.RECORDS, FieldType.RECORD):
            items = value if spec.type is FieldType.RECORDS else [value]
            nested = located.nested.get(spec.name, []) if located is not None else []
            for index, item in enumerate(items):
                inner = nested[index] if index < len(nested) else None
                label = f"{spec.name}[{index}]" if spec.type is FieldType.RECORDS else spec.name
                for kind, code, (where, path) in _references(spec.fields, item, inner):
                    yield kind, code, (where, (label, *path))


def check_architecture(parsed: Parsed, day: dt.date) -> None:
    """Add to ``parsed.errors`` every problem that spans records; sorts the errors."""
    _Checker(parsed, day).run()
