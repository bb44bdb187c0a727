"""Compare strategy files with the architecture in force on a day: what applying would do.

Both sides are read into the same records (the database through the export's reader), cut
into items, the smallest things that are versioned or stored on their own: a KPI
definition, a status rule set, one perspective weight, an objective, one of its measures,
a link, a target... An item only in the files is created, one only in force is retired,
one in both with other content is updated, field by field.

Change control follows the actions. Changes to what scores a period (a KPI definition, a
target, a status rule set, a perspective weight, a measure, an objective's weights, move or
retirement, a new objective where a scorecard counts missing data, a scorecard policy),
first ones included, that alter a closed planning period are refused; those that alter an
open one need change requests. A change alters the days from the day
it applies on; a target only the months of its span.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from django.db.models import Q

from scoreline.as_code.export import read_records
from scoreline.as_code.load import load_architecture
from scoreline.as_code.schema import ArchitectureError, Records, count
from scoreline.kpis.models import Assessment, KpiVersion, StatusRule
from scoreline.lib.dates import effective_on
from scoreline.org.models import OrgUnit
from scoreline.planning.models import PeriodState, PlanningPeriod
from scoreline.scoring.actions.objectives import counts_missing
from scoreline.scoring.models import PerspectiveWeight, Score
from scoreline.strategy.actions.objectives import GOVERNED_FIELDS
from scoreline.strategy.models import ObjectiveLink, ObjectiveVersion, WorkshopItem

__all__ = [
    "KINDS",
    "FieldChange",
    "Item",
    "Plan",
    "PlannedChange",
    "Prepared",
    "describe",
    "diff_records",
    "items_of",
    "plan_architecture",
    "prepare",
]

Action = Literal["create", "update", "retire"]

KINDS: tuple[str, ...] = (
    "perspective",
    "theme",
    "rubric",
    "status",
    "kpi",
    "status_rules",
    "scorecard_policy",
    "perspective_weight",
    "objective",
    "measure",
    "link",
    "target",
)
"""Item kinds in the order they are planned and written (retirements go in reverse)."""

_ORDER = {kind: index for index, kind in enumerate(KINDS)}
_MARKS = {"create": "+", "update": "~", "retire": "-"}


@dataclass(frozen=True)
class Item:
    """One thing the files define: its kind, identity (codes) and content."""

    kind: str
    key: tuple[Any, ...]
    content: Mapping[str, Any]


@dataclass(frozen=True)
class FieldChange:
    """One field of an update: ``name`` may be a path such as ``rules[1].bound``."""

    name: str
    before: Any
    after: Any

    def render(self) -> str:
        return f"{self.name}: {_show(self.before)} -> {_show(self.after)}"


@dataclass(frozen=True)
class PlannedChange:
    """One create, update or retirement of an item.

    ``period`` names the planning period a governed change falls in and ``period_state``
    says whether that period is ``"open"`` (the change needs a change request) or
    ``"closed"`` (it is refused); both are empty for changes that are free to apply.
    """

    action: Action
    kind: str
    key: tuple[Any, ...]
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    fields: tuple[FieldChange, ...] = ()
    governed: bool = False
    period: str = ""
    period_state: str = ""

    @property
    def label(self) -> str:
        return describe(self.kind, self.key)

    @property
    def blocked(self) -> bool:
        return bool(self.period_state)

    def render(self) -> str:
        line = f"{_MARKS[self.action]} {self.label}"
        if self.period_state == "open":
            line += f"  [open period {self.period}: needs a change request]"
        elif self.period_state == "closed":
            line += f"  [closed period {self.period}: refused]"
        details = [f"    {change.render()}" for change in self.fields]
        return "\n".join([line, *details]) if self.action == "update" else line


@dataclass(frozen=True)
class Plan:
    """What applying the files on ``day`` would change, in a fixed order."""

    day: dt.date
    changes: tuple[PlannedChange, ...] = ()
    errors: tuple[ArchitectureError, ...] = ()
    source: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.changes

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def in_open_period(self) -> tuple[PlannedChange, ...]:
        return tuple(change for change in self.changes if change.period_state == "open")

    @property
    def in_closed_period(self) -> tuple[PlannedChange, ...]:
        return tuple(change for change in self.changes if change.period_state == "closed")

    def count(self, action: Action) -> int:
        return sum(change.action == action for change in self.changes)

    def render(self) -> str:
        """The plan as text: a summary line, then one line per change (updates with their
        fields), or the problems that stop it."""
        where = f" from {self.source}" if self.source else ""
        if self.errors:
            problems = count(len(self.errors), "problem")
            lines = [f"Plan for {self.day.isoformat()}{where}: {problems}"]
            lines += [f"  {error}" for error in self.errors]
            return "\n".join(lines)
        if self.is_empty:
            return (
                f"Plan for {self.day.isoformat()}{where}: no changes "
                "(the files match the architecture in force)"
            )
        summary = (
            f"Plan for {self.day.isoformat()}{where}: {self.count('create')} to create, "
            f"{self.count('update')} to update, {self.count('retire')} to retire"
        )
        lines = [summary]
        lines += [f"  {line}" for change in self.changes for line in change.render().split("\n")]
        for state, changes in (("open", self.in_open_period), ("closed", self.in_closed_period)):
            if changes:
                lines.append(
                    f"{count(len(changes), 'change')} in {state} periods "
                    f"({', '.join(sorted({change.period for change in changes}))})"
                )
        return "\n".join(lines)


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, float | int):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return json.dumps(value, default=str, ensure_ascii=False)


def describe(kind: str, key: tuple[Any, ...]) -> str:
    """A readable name of an item: ``kpi 'revenue'``, ``target of 'revenue' at 'SALES' ...``."""
    if kind == "status_rules":
        return "default status rules" if key[0] is None else f"status rules of {key[0]!r}"
    if kind == "scorecard_policy":
        return "default scorecard policy" if key[0] is None else f"scorecard policy of {key[0]!r}"
    if kind == "perspective_weight":
        where = "by default" if key[0] is None else f"at {key[0]!r}"
        return f"weight of perspective {key[1]!r} {where}"
    if kind == "measure":
        return f"measure {key[1]!r} of objective {key[0]!r}"
    if kind == "link":
        return f"link {key[0]!r} -> {key[1]!r}"
    if kind == "target":
        return f"target of {key[0]!r} at {key[1]!r} from {key[2].isoformat()}"
    return f"{kind} {key[0]!r}"


def _without(record: Mapping[str, Any], *names: str) -> dict[str, Any]:
    return {name: value for name, value in record.items() if name not in names}


def _items(records: Records) -> Iterator[Item]:
    for kind, section in (
        ("perspective", "perspectives"),
        ("theme", "themes"),
        ("rubric", "rubrics"),
        ("status", "statuses"),
        ("kpi", "kpis"),
    ):
        for record in records[section]:
            yield Item(kind, (record["code"],), _without(record, "code"))
    for record in records["status_rules"]:
        yield Item("status_rules", (record["kpi"],), {"rules": record["rules"]})
    for record in records["scorecards"]:
        if record["policy"] is not None:
            yield Item("scorecard_policy", (record["unit"],), dict(record["policy"]))
        for weight in record["weights"]:
            yield Item(
                "perspective_weight",
                (record["unit"], weight["perspective"]),
                {"weight": weight["weight"]},
            )
    for record in records["objectives"]:
        yield Item("objective", (record["code"],), _without(record, "code", "measures"))
        for measure in record["measures"]:
            yield Item("measure", (record["code"], measure["kpi"]), {"weight": measure["weight"]})
    for record in records["links"]:
        yield Item("link", (record["cause"], record["effect"]), {})
    for record in records["targets"]:
        yield Item(
            "target",
            (record["kpi"], record["unit"], record["period_start"]),
            _without(record, "kpi", "unit", "period_start"),
        )


def _sortable(kind: str, key: tuple[Any, ...]) -> tuple[Any, ...]:
    return (_ORDER[kind], *((value is not None, value or "") for value in key))


def items_of(records: Records) -> dict[tuple[str, tuple[Any, ...]], Item]:
    """The items of a set of records, keyed by (kind, key), in plan order."""
    items = {(item.kind, item.key): item for item in _items(records)}
    return dict(sorted(items.items(), key=lambda entry: _sortable(*entry[0])))


def _field_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[FieldChange]:
    changes: list[FieldChange] = []
    for name in after:
        old, new = before.get(name), after[name]
        if old == new:
            continue
        if (
            isinstance(old, list)
            and isinstance(new, list)
            and all(isinstance(item, dict) for item in [*old, *new])
        ):
            for index in range(max(len(old), len(new))):
                first = old[index] if index < len(old) else None
                second = new[index] if index < len(new) else None
                label = f"{name}[{index}]"
                if first is not None and second is not None:
                    changes += [
                        FieldChange(f"{label}.{change.name}", change.before, change.after)
                        for change in _field_changes(first, second)
                    ]
                elif first != second:
                    changes.append(FieldChange(label, first, second))
        else:
            changes.append(FieldChange(name, old, new))
    return changes


def _periods(day: dt.date) -> list[PlanningPeriod]:
    """Open and closed periods a change from ``day`` would reach into (not ended by then)."""
    return list(
        PlanningPeriod.objects.filter(
            end__gt=day, state__in=[PeriodState.OPEN, PeriodState.CLOSED]
        ).order_by("start", "label")
    )


def _scoring_creations(changes: list[PlannedChange], day: dt.date) -> set[str]:
    """Codes of the objectives ``changes`` create that alter scores: those whose scorecard,
    or their parent's, counts missing data, as the action decides
    (:func:`~scoreline.scoring.actions.objectives.prepare_objective_creation`)."""
    planned = {
        change.key[0]: change.after["unit"]
        for change in changes
        if change.kind == "objective" and change.after is not None
    }
    created = [c for c in changes if c.kind == "objective" and c.action == "create"]
    parents = {c.after.get("parent") for c in created if c.after} - {None}
    in_force = dict(
        ObjectiveVersion.objects.filter(effective_on(day), objective__code__in=parents)
        .exclude(unit=None)
        .values_list("objective__code", "unit__code")
    )
    units = dict(OrgUnit.objects.values_list("code", "pk"))
    scoring = set()
    for change in created:
        assert change.after is not None
        parent = change.after.get("parent") or ""
        codes = {change.after["unit"], planned.get(parent) or in_force.get(parent)}
        if counts_missing({units[code] for code in codes if code in units}, day):
            scoring.add(change.key[0])
    return scoring


def _controlled(change: PlannedChange, scoring_creations: set[str]) -> bool:
    """Whether change control looks at a change at all: definitions that score periods."""
    if change.kind == "objective":
        if change.action == "create":
            return change.key[0] in scoring_creations
        changed = {field.name for field in change.fields}
        return change.action == "retire" or bool(changed & set(GOVERNED_FIELDS))
    if change.kind == "kpi":
        return change.action != "create"
    return change.kind in (
        "target",
        "status_rules",
        "measure",
        "perspective_weight",
        "scorecard_policy",
    )


def _window(change: PlannedChange, day: dt.date) -> tuple[dt.date, dt.date | None]:
    """The days a change alters: from ``day`` on; a target only the months of its span
    (old and new), as :func:`scoreline.kpis.actions.prepare_target` counts them."""
    if change.kind != "target":
        return day, None
    ends = [content["period_end"] for content in (change.before, change.after) if content]
    return max(day, change.key[2]), max(ends)


def _mark(changes: list[PlannedChange], day: dt.date) -> list[PlannedChange]:
    """Mark governed changes and the period each falls in.

    As the actions do: a change to what scores a period that alters an open period needs
    a change request, and one that alters a closed period is refused.
    """
    periods = _periods(day)
    scoring_creations = _scoring_creations(changes, day)
    marked = []
    for change in changes:
        if not _controlled(change, scoring_creations):
            marked.append(change)
            continue
        starts, until = _window(change, day)
        touched = [
            period
            for period in periods
            if period.end > starts and (until is None or period.start < until)
        ]
        closed = next((p for p in touched if p.state == PeriodState.CLOSED), None)
        running = next((p for p in touched if p.state == PeriodState.OPEN), None)
        period = closed or running
        if period is None:
            marked.append(replace(change, governed=True))
            continue
        state = "closed" if period is closed else "open"
        marked.append(replace(change, governed=True, period=period.label, period_state=state))
    return marked


@dataclass
class _DatabaseFindings:
    """What the database says about a plan: problems, and retirements that follow."""

    errors: list[ArchitectureError] = field(default_factory=list)
    extra: list[PlannedChange] = field(default_factory=list)


_SECTION_OF = {
    "perspective": "perspectives",
    "theme": "themes",
    "rubric": "rubrics",
    "status": "statuses",
    "kpi": "kpis",
    "objective": "objectives",
}


def _used_by(kind: str, code: str) -> list[str]:
    """What still refers to a catalogue entry (any day), which keeps it from being removed."""
    uses: list[tuple[str, int]] = []
    if kind == "perspective":
        uses = [
            ("objective versions", ObjectiveVersion.objects.filter(perspective__code=code).count()),
            (
                "perspective weights",
                PerspectiveWeight.objects.filter(perspective__code=code).count(),
            ),
            ("scores", Score.objects.filter(perspective__code=code).count()),
        ]
    elif kind == "theme":
        uses = [
            ("objective versions", ObjectiveVersion.objects.filter(theme__code=code).count()),
            ("workshop items", WorkshopItem.objects.filter(theme__code=code).count()),
        ]
    elif kind == "rubric":
        uses = [("KPI versions", KpiVersion.objects.filter(rubric__code=code).count())]
    elif kind == "status":
        uses = [("status rules", StatusRule.objects.filter(status__code=code).count())]
    return [f"{count} {what}" for what, count in uses if count]


def _not_ended(day: dt.date) -> Q:
    return Q(valid_until__isnull=True) | Q(valid_until__gt=day)


class _DatabaseChecks:
    """Rules the files cannot show on their own: history, later versions, individual goals.

    The same rules the actions apply: catalogue entries that history refers to stay, a
    retirement cannot hide a later version, rubric levels in use stay, and individual goals
    keep a parent in force that sits at or above their person's unit.
    """

    def __init__(
        self, changes: list[PlannedChange], day: dt.date, sections: Mapping[str, tuple[str, int]]
    ) -> None:
        self.changes = changes
        self.day = day
        self.sections = sections
        self.found = _DatabaseFindings()

    def fail(self, kind: str, reason: str) -> None:
        section = _SECTION_OF[kind]
        file, line = self.sections[section]
        self.found.errors.append(ArchitectureError(file, line, f"{section}: {reason}"))

    def run(self) -> _DatabaseFindings:
        for change in self.changes:
            if change.action == "retire" and change.kind in (
                "perspective",
                "theme",
                "rubric",
                "status",
            ):
                uses = _used_by(change.kind, change.key[0])
                if uses:
                    self.fail(
                        change.kind,
                        f"{change.label} is not in the files but cannot be removed: history "
                        f"refers to it ({', '.join(uses)})",
                    )
            if change.action == "retire" and change.kind in ("kpi", "objective"):
                self.check_later_version(change)
            if change.kind == "rubric" and change.action == "update":
                self.check_rubric_levels(change)
            if change.kind == "objective" and change.action == "update":
                self.check_goals_stay_below(change)
        retired = [c.key[0] for c in self.changes if c.kind == "objective" and c.action == "retire"]
        if retired:
            self.check_retired_objectives(retired)
        return self.found

    def check_later_version(self, change: PlannedChange) -> None:
        versions = (
            KpiVersion.objects.filter(kpi__code=change.key[0])
            if change.kind == "kpi"
            else ObjectiveVersion.objects.filter(objective__code=change.key[0])
        )
        later = versions.filter(valid_from__gt=self.day).order_by("valid_from").first()
        if later is not None:
            self.fail(
                change.kind,
                f"{change.label} is not in the files but has a version from "
                f"{later.valid_from.isoformat()}; retire it from that day or later",
            )

    def check_rubric_levels(self, change: PlannedChange) -> None:
        assert change.after is not None
        kept = [level["level"] for level in change.after["levels"]]
        dropped = (
            Assessment.objects.filter(kpi__versions__rubric__code=change.key[0])
            .exclude(level__in=kept)
            .values_list("level", flat=True)
        )
        for level in sorted(set(dropped)):
            self.fail("rubric", f"{change.label} drops level {level}, which assessments use")

    def check_goals_stay_below(self, change: PlannedChange) -> None:
        assert change.before is not None and change.after is not None
        if change.before["unit"] == change.after["unit"]:
            return
        unit = OrgUnit.objects.get(code=change.after["unit"])
        goals = (
            ObjectiveVersion.objects.filter(_not_ended(self.day))
            .filter(person__isnull=False, parent__code=change.key[0])
            .select_related("objective", "person__primary_unit")
        )
        stranded = sorted(
            {
                goal.objective.code
                for goal in goals
                if goal.person is not None
                and not goal.person.primary_unit.path.startswith(unit.path)
            }
        )
        if stranded:
            self.fail(
                "objective",
                f"{change.label} moves to {unit.code}, but the individual goals "
                f"{', '.join(stranded)} of people outside it contribute to it",
            )

    def check_retired_objectives(self, retired: list[str]) -> None:
        goals = (
            ObjectiveVersion.objects.filter(_not_ended(self.day))
            .filter(person__isnull=False, parent__code__in=retired)
            .values_list("parent__code", "objective__code")
        )
        for parent, goal in sorted(set(goals)):
            self.fail(
                "objective",
                f"objective {parent!r} is not in the files but the individual goal {goal!r} "
                "still contributes to it",
            )
        # Arrows between a retired objective and an individual goal end with the objective.
        links = (
            ObjectiveLink.objects.filter(effective_on(self.day))
            .filter(Q(cause__code__in=retired) | Q(effect__code__in=retired))
            .values_list("cause__code", "effect__code")
        )
        planned = {change.key for change in self.changes if change.kind == "link"}
        for pair in sorted(set(links)):
            if pair not in planned:
                self.found.extra.append(
                    PlannedChange("retire", "link", pair, before={}, after=None)
                )


def diff_records(current: Records, wanted: Records) -> list[PlannedChange]:
    """Changes that turn ``current`` into ``wanted`` (both as section records), in plan order."""
    old, new = items_of(current), items_of(wanted)
    keys = sorted(set(old) | set(new), key=lambda entry: _sortable(*entry))
    changes: list[PlannedChange] = []
    for entry in keys:
        before, after = old.get(entry), new.get(entry)
        kind, key = entry
        if before is None:
            assert after is not None
            changes.append(PlannedChange("create", kind, key, before=None, after=after.content))
        elif after is None:
            changes.append(PlannedChange("retire", kind, key, before=before.content, after=None))
        elif before.content != after.content:
            fields = tuple(_field_changes(before.content, after.content))
            changes.append(
                PlannedChange("update", kind, key, before.content, after.content, fields=fields)
            )
    return changes


@dataclass(frozen=True)
class Prepared:
    """A plan with the records on both sides, for the writer."""

    plan: Plan
    current: Records
    wanted: Records


def prepare(path: Path, day: dt.date) -> Prepared:
    """Load, check and compare; the plan carries the problems when there are any."""
    loaded = load_architecture(path, day)
    if loaded.errors:
        return Prepared(Plan(day=day, errors=loaded.errors, source=str(path)), {}, {})
    current = read_records(day)
    changes = diff_records(current, loaded.records)
    found = _DatabaseChecks(changes, day, loaded.sections).run()
    if found.errors:
        errors = tuple(sorted(found.errors))
        return Prepared(Plan(day=day, errors=errors, source=str(path)), {}, {})
    ordered = sorted(
        [*changes, *found.extra], key=lambda change: _sortable(change.kind, change.key)
    )
    plan = Plan(day=day, changes=tuple(_mark(ordered, day)), source=str(path))
    return Prepared(plan, current, loaded.records)


def plan_architecture(path: Path, day: dt.date) -> Plan:
    """Compare the files at ``path`` with the architecture in force on ``day``.

    Parameters
    ----------
    path : Path
        One ``.yaml`` / ``.yml`` file or a folder of section files (see
        :func:`~.export.export_architecture`).
    day : date
        The day the changes would take effect.

    Returns
    -------
    Plan
        With ``errors`` when the files have problems (then no changes are listed), else
        the changes in a fixed order, governed ones marked with their period.

    Examples
    --------
    >>> plan = plan_architecture(Path("strategy.yaml"), dt.date(2026, 1, 1))  # doctest: +SKIP
    >>> print(plan.render())  # doctest: +SKIP
    Plan for 2026-01-01 from strategy.yaml: 0 to create, 1 to update, 0 to retire
      ~ kpi 'revenue'
          name: 'Revenue' -> 'Net revenue'
    """
    return prepare(path, day).plan
