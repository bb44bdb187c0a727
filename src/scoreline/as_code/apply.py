"""Apply strategy files: every change of the plan in one transaction, through the actions.

Nothing is written when the files have problems, when a change would reach into a closed
planning period, or when a governed change falls in an open one (those go through change
requests). Otherwise each change of the plan becomes the very change the pages and the API
make (a :class:`~scoreline.planning.changes.Change`), which is authorised, checked and
applied in turn: it writes a version from the day (source ``yaml``) or, for the catalogue
of perspectives, themes, rubrics and statuses, a row, and records the action's audit event.
The scores the changes alter are recomputed once, at the end, in the same transaction.
Files that match what is in force change nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import models, transaction

from scoreline.access.scope import AnyUser
from scoreline.as_code.plan import KINDS, Plan, PlannedChange, prepare
from scoreline.as_code.schema import ArchitectureError, Records, count
from scoreline.engine.formulas import FormulaError, parse_formula
from scoreline.engine.graph import topological_order
from scoreline.kpis.actions.definitions import (
    prepare_kpi,
    prepare_kpi_retirement,
    prepare_kpi_update,
)
from scoreline.kpis.actions.measures import prepare_measure
from scoreline.kpis.actions.rubrics import prepare_rubric
from scoreline.kpis.actions.status_rules import prepare_status_rules
from scoreline.kpis.actions.statuses import prepare_status
from scoreline.kpis.actions.targets import prepare_target, prepare_target_end
from scoreline.kpis.fields import KPI
from scoreline.kpis.models import Kpi, Rubric, Status
from scoreline.kpis.validation import LevelSpec, RuleSpec
from scoreline.lib.errors import Invalid
from scoreline.lib.fields import FieldSpec, FieldType
from scoreline.org.models import OrgUnit, Person
from scoreline.planning.changes import Change, authorise, check
from scoreline.scoring.actions.objectives import prepare_objective_creation
from scoreline.scoring.actions.rescoring import rescore
from scoreline.scoring.actions.scorecards import (
    prepare_perspective_weight,
    prepare_scorecard_policy,
)
from scoreline.strategy.actions.links import prepare_link
from scoreline.strategy.actions.objectives import (
    prepare_objective_retirement,
    prepare_objective_update,
)
from scoreline.strategy.actions.perspectives import prepare_perspective
from scoreline.strategy.actions.themes import prepare_theme
from scoreline.strategy.fields import OBJECTIVE
from scoreline.strategy.models import Objective, Perspective, Theme

__all__ = ["SOURCE", "ArchitectureInvalid", "apply_architecture"]

SOURCE = "yaml"
"""The source recorded on every version written from strategy files."""

_REFERENCED: dict[str, type[models.Model]] = {
    "perspective": Perspective,
    "theme": Theme,
    "rubric": Rubric,
    "status": Status,
    "objective": Objective,
}
"""The catalogue entries and objectives a reference may name, by its kind."""


class ArchitectureInvalid(Invalid):
    """Strategy files with problems; ``errors`` lists each with its file and line."""

    def __init__(self, errors: tuple[ArchitectureError, ...], source: str) -> None:
        lines = "\n".join(str(error) for error in errors)
        super().__init__(
            f"{count(len(errors), 'problem')} in {source}; nothing was applied\n{lines}",
            code="invalid_architecture",
        )
        self.errors = errors


def _fall(number: int) -> str:
    return f"{count(number, 'change')} {'falls' if number == 1 else 'fall'}"


def _summary(changes: tuple[PlannedChange, ...]) -> str:
    return "; ".join(change.label for change in changes)


def _refuse_periods(plan: Plan) -> None:
    closed, running = plan.in_closed_period, plan.in_open_period
    if closed:
        periods = ", ".join(sorted({change.period for change in closed}))
        raise Invalid(
            f"{_fall(len(closed))} in closed period {periods} and "
            f"{'is' if len(closed) == 1 else 'are'} refused: "
            f"{_summary(closed)}",
            code="period_closed",
        )
    if running:
        periods = ", ".join(sorted({change.period for change in running}))
        raise Invalid(
            f"{_fall(len(running))} in open period {periods} and "
            f"{'needs a change request' if len(running) == 1 else 'need change requests'}: "
            f"{_summary(running)}",
            code="change_request_required",
        )


class _Changes:
    """Turns the planned changes into the actions' changes; resolves codes to rows."""

    def __init__(self, day: dt.date, wanted: Records) -> None:
        self.day = day
        self.units = {unit.code: unit for unit in OrgUnit.objects.all()}
        named = {
            record[name]
            for section, names in (("kpis", ("owner", "steward")), ("objectives", ("owner",)))
            for record in wanted.get(section, [])
            for name in names
            if record[name] is not None
        }
        self.people = {
            person.employee_id: person
            for person in Person.objects.filter(employee_id__in=sorted(named))
        }

    def unit(self, code: str | None) -> OrgUnit | None:
        return None if code is None else self.units[code]

    def kpi(self, code: str) -> Kpi:
        return Kpi.objects.get(code=code)

    def objective(self, code: str) -> Objective:
        return Objective.objects.get(code=code)

    def row(self, kind: str, code: str | None) -> Any:
        """What a reference of ``kind`` names by ``code`` (a unit, a person by employee id,
        a catalogue entry, an objective)."""
        if code is None:
            return None
        if kind == "unit":
            return self.units[code]
        if kind == "person":
            return self.people[code]
        return _REFERENCED[kind]._default_manager.get(code=code)

    def resolved(self, record: Mapping[str, Any], fields: Iterable[FieldSpec]) -> dict[str, Any]:
        """A record's values with each reference the fields declare turned into its row."""
        rows = {
            spec.name: self.row(spec.ref, record[spec.name])
            for spec in fields
            if spec.type is FieldType.REF and spec.name in record
        }
        return {**record, **rows}

    def prepare(self, planned: PlannedChange) -> Change[object]:
        preparers: dict[str, Callable[[PlannedChange], Change[Any]]] = {
            "perspective": lambda c: prepare_perspective(c.key[0], c.after),
            "theme": lambda c: prepare_theme(c.key[0], c.after),
            "status": lambda c: prepare_status(c.key[0], c.after),
            "rubric": self.rubric,
            "kpi": self.kpi_change,
            "status_rules": self.status_rules,
            "scorecard_policy": self.policy,
            "perspective_weight": self.perspective_weight,
            "objective": self.objective_change,
            "measure": self.measure,
            "link": self.link,
            "target": self.target,
        }
        return preparers[planned.kind](planned)

    def rubric(self, planned: PlannedChange) -> Change[Any]:
        after = planned.after
        if after is None:
            return prepare_rubric(planned.key[0], levels=None, day=self.day)
        levels = [LevelSpec(**level) for level in after["levels"]]
        return prepare_rubric(
            planned.key[0],
            name=after["name"],
            description=after["description"],
            levels=levels,
            day=self.day,
        )

    def kpi_change(self, planned: PlannedChange) -> Change[Any]:
        code = planned.key[0]
        if planned.after is None:
            return prepare_kpi_retirement(self.kpi(code), self.day)
        fields = self.resolved(planned.after, KPI)
        if planned.action == "create":
            return prepare_kpi(code, fields, self.day)
        return prepare_kpi_update(self.kpi(code), fields, self.day)

    def status_rules(self, planned: PlannedChange) -> Change[Any]:
        code = planned.key[0]
        rules = [RuleSpec(**rule) for rule in (planned.after or {}).get("rules", [])]
        return prepare_status_rules(None if code is None else self.kpi(code), rules, self.day)

    def policy(self, planned: PlannedChange) -> Change[Any]:
        content = None if planned.after is None else dict(planned.after)
        return prepare_scorecard_policy(self.unit(planned.key[0]), content, self.day)

    def perspective_weight(self, planned: PlannedChange) -> Change[Any]:
        unit, perspective = self.unit(planned.key[0]), self.row("perspective", planned.key[1])
        weight = None if planned.after is None else planned.after["weight"]
        return prepare_perspective_weight(perspective, unit, weight, self.day)

    def objective_change(self, planned: PlannedChange) -> Change[Any]:
        code = planned.key[0]
        if planned.after is None:
            return prepare_objective_retirement(self.objective(code), self.day)
        fields = {**self.resolved(planned.after, OBJECTIVE), "person": None}
        if planned.action == "create":
            return prepare_objective_creation(code, fields, self.day)
        objective = Objective.objects.select_for_update().get(code=code)
        return prepare_objective_update(objective, fields, self.day)

    def measure(self, planned: PlannedChange) -> Change[Any]:
        objective, kpi = self.objective(planned.key[0]), self.kpi(planned.key[1])
        weight = None if planned.after is None else planned.after["weight"]
        return prepare_measure(objective, kpi, weight, self.day)

    def link(self, planned: PlannedChange) -> Change[Any]:
        cause, effect = self.objective(planned.key[0]), self.objective(planned.key[1])
        return prepare_link(cause, effect, self.day, drawn=planned.after is not None)

    def target(self, planned: PlannedChange) -> Change[Any]:
        kpi_code, unit_code, period_start = planned.key
        kpi, unit = self.kpi(kpi_code), self.units[unit_code]
        if planned.after is None:
            return prepare_target_end(
                kpi, unit=unit, person=None, period_start=period_start, day=self.day
            )
        return prepare_target(
            kpi,
            unit=unit,
            person=None,
            period_start=period_start,
            values=planned.after,
            day=self.day,
        )


def _carry_out(
    change: Change[object], planned: PlannedChange, actor: AnyUser | None, reason: str
) -> frozenset[int] | None:
    """Authorise, check and apply one change; the KPIs whose scores it alters (None: all).
    The command line (no ``actor``) acts with the authority of whoever runs it, unnamed in
    the audit trail. A refusal names the item it concerns."""
    try:
        if actor is not None:
            authorise(actor, change)
        if not check(change):
            return frozenset()
        change.apply(AnonymousUser() if actor is None else actor, reason=reason, source=SOURCE)
    except Invalid as error:
        raise Invalid(f"{planned.label}: {error}", code=error.code, fields=error.fields) from None
    return change.affected


def _depends_on(change: PlannedChange) -> set[str]:
    """Codes of the same kind a created or updated item needs in force first: the KPIs a
    formula reads, an objective's parent."""
    after = change.after or {}
    if change.kind == "kpi" and after.get("formula"):
        try:
            return set(parse_formula(after["formula"]).names)
        except FormulaError:
            return set()
    if change.kind == "objective" and after.get("parent") is not None:
        return {after["parent"]}
    return set()


def _write_order(plan: Plan) -> list[PlannedChange]:
    """Definitions before what refers to them (a formula's KPIs before it, a parent before
    its children); retirements after, in reverse."""
    kept = [change for change in plan.changes if change.action != "retire"]
    retired = [change for change in plan.changes if change.action == "retire"]
    names = {f"{change.kind}:{change.key[0]}" for change in kept}
    edges = [
        (f"{change.kind}:{needed}", f"{change.kind}:{change.key[0]}")
        for change in kept
        for needed in sorted(_depends_on(change))
        if f"{change.kind}:{needed}" in names
    ]
    place = {name: index for index, name in enumerate(topological_order(sorted(names), edges))}
    order = {kind: index for index, kind in enumerate(KINDS)}
    kept.sort(key=lambda change: (order[change.kind], place[f"{change.kind}:{change.key[0]}"]))
    retired.sort(key=lambda change: -order[change.kind])
    return kept + retired


def apply_architecture(
    path: Path, day: dt.date, *, actor: AnyUser | None = None, reason: str
) -> Plan:
    """Make the files at ``path`` the architecture in force from ``day``.

    Parameters
    ----------
    path : Path
        One ``.yaml`` / ``.yml`` file or a folder of section files.
    day : date
        The day the changes take effect.
    actor : user, optional
        Who applies the files; their rights are checked for every change (EDIT_KPI for
        KPI definitions, rubrics, statuses, rules and targets, EDIT_STRATEGY for the rest).
        None: the command line, with the authority of whoever runs it.
    reason : str
        Why; stored on every version and audit event.

    Returns
    -------
    Plan
        The changes applied (empty when the files match what is in force).

    Raises
    ------
    ArchitectureInvalid
        The files have problems; ``errors`` lists them with file and line.
    Invalid
        A change falls in a closed period (code ``period_closed``) or a governed change in
        an open one (code ``change_request_required``), or no reason is given.
    AccessDenied
        ``actor`` lacks a right a change needs.

    Examples
    --------
    >>> apply_architecture(Path("strategy"), dt.date(2026, 1, 1), reason="FY26")  # doctest: +SKIP
    Plan(day=datetime.date(2026, 1, 1), changes=(...), errors=(), source='strategy')
    """
    if not isinstance(reason, str) or not reason.strip():
        raise Invalid.field("reason", "say why the architecture changes")
    with transaction.atomic():
        prepared = prepare(path, day)
        plan = prepared.plan
        if plan.errors:
            raise ArchitectureInvalid(plan.errors, str(path))
        _refuse_periods(plan)
        if plan.is_empty:
            return plan
        changes = _Changes(day, prepared.wanted)
        affected: set[int] | None = set()
        for planned in _write_order(plan):
            altered = _carry_out(changes.prepare(planned), planned, actor, reason.strip())
            if altered is None or affected is None:
                affected = None
            else:
                affected |= altered
        rescore(None if affected is None else frozenset(affected))
    return plan
