"""Apply strategy files: every change of the plan in one transaction, each audited.

Nothing is written when the files have problems, when a change would reach into a closed
planning period, or when a governed change falls in an open one (those go through change
requests). Otherwise each change becomes a version from the day (source ``yaml``) or, for
the organisation-wide catalogue of perspectives, themes, rubrics and statuses, a row, and
each records one audit event (``yaml.<kind>.<create|update|retire>``). Scores are
recomputed in the same transaction. Files that match what is in force change nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from django.db import models, transaction

from scoreline.access.capabilities import Capability
from scoreline.access.scope import AnyUser, require_anywhere, require_everywhere, require_on_unit
from scoreline.as_code.plan import KINDS, Plan, PlannedChange, prepare
from scoreline.as_code.schema import ArchitectureError, Records, count
from scoreline.audit.chain import record_event, snapshot
from scoreline.audit.versions import version_record
from scoreline.kpis.models import (
    Kpi,
    KpiVersion,
    ObjectiveMeasure,
    Rubric,
    RubricLevel,
    Status,
    StatusRule,
    Target,
)
from scoreline.lib.dates import effective_on
from scoreline.lib.errors import Invalid
from scoreline.lib.versioned import Versioned, end_version, save_version, version_fields
from scoreline.org.models import OrgUnit, Person
from scoreline.scoring import pipeline
from scoreline.scoring.models import PerspectiveWeight, ScorecardPolicy
from scoreline.strategy.models import Objective, ObjectiveLink, ObjectiveVersion, Perspective, Theme

__all__ = ["SOURCE", "ArchitectureInvalid", "apply_architecture"]

SOURCE = "yaml"
"""The source recorded on every version written from strategy files."""

_CATALOGUE: dict[str, type[models.Model]] = {
    "perspective": Perspective,
    "theme": Theme,
    "status": Status,
}


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


class _Writer:
    """Writes the changes of a plan; resolves codes to rows as it goes."""

    def __init__(
        self, day: dt.date, actor: AnyUser | None, reason: str, current: Records, wanted: Records
    ) -> None:
        self.day = day
        self.actor = actor
        self.reason = reason
        self.units = {unit.code: unit for unit in OrgUnit.objects.all()}
        named = {
            record[name]
            for section, names in (("kpis", ("owner", "steward")), ("objectives", ("owner",)))
            for record in wanted.get(section, [])
            for name in names
            if record[name] is not None
        }
        self.people = dict(
            Person.objects.filter(employee_id__in=sorted(named)).values_list("employee_id", "id")
        )
        # The units of objectives on both sides: where the right to change them is needed.
        self.objective_units: dict[str, set[str]] = {}
        for records in (current, wanted):
            for record in records.get("objectives", []):
                self.objective_units.setdefault(record["code"], set()).add(record["unit"])

    # -- resolving ---------------------------------------------------------------

    def unit(self, code: str | None) -> OrgUnit | None:
        return None if code is None else self.units[code]

    def person_id(self, employee_id: str | None) -> int | None:
        return None if employee_id is None else self.people[employee_id]

    def row_id(self, model: type[models.Model], code: str | None) -> int | None:
        return None if code is None else model._default_manager.get(code=code).pk

    def kpi(self, code: str) -> Kpi:
        return Kpi.objects.get_or_create(code=code)[0]

    def objective(self, code: str) -> Objective:
        return Objective.objects.get_or_create(code=code)[0]

    # -- access ------------------------------------------------------------------

    def authorise(self, change: PlannedChange) -> None:
        actor = self.actor
        assert actor is not None
        kind = change.kind
        if kind in ("perspective", "theme"):
            require_everywhere(actor, Capability.EDIT_STRATEGY)
        elif kind in ("rubric", "status", "kpi", "status_rules"):
            require_anywhere(actor, Capability.EDIT_KPI)
        elif kind in ("scorecard_policy", "perspective_weight"):
            unit = self.unit(change.key[0])
            if unit is None:
                require_everywhere(actor, Capability.EDIT_STRATEGY)
            else:
                require_on_unit(actor, Capability.EDIT_STRATEGY, unit)
        elif kind == "target":
            require_on_unit(actor, Capability.EDIT_KPI, self.units[change.key[1]])
        else:
            codes = change.key if kind == "link" else change.key[:1]
            for code in codes:
                for unit_code in sorted(self.objective_units.get(code, set())):
                    require_on_unit(actor, Capability.EDIT_STRATEGY, self.units[unit_code])

    # -- writing -------------------------------------------------------------------

    def audit(
        self,
        change: PlannedChange,
        object_id: object,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any] | None,
    ) -> None:
        record_event(
            self.actor,
            f"yaml.{change.kind}.{change.action}",
            change.kind,
            object_id,
            before=before,
            after=after,
            reason=self.reason,
        )

    def write(self, change: PlannedChange) -> None:
        writers: dict[str, Callable[[PlannedChange], None]] = {
            "perspective": self.write_catalogue,
            "theme": self.write_catalogue,
            "status": self.write_catalogue,
            "rubric": self.write_rubric,
            "kpi": self.write_kpi,
            "status_rules": self.write_status_rules,
            "scorecard_policy": self.write_policy,
            "perspective_weight": self.write_perspective_weight,
            "objective": self.write_objective,
            "measure": self.write_measure,
            "link": self.write_link,
            "target": self.write_target,
        }
        writers[change.kind](change)

    def write_catalogue(self, change: PlannedChange) -> None:
        model = _CATALOGUE[change.kind]
        row = model._default_manager.filter(code=change.key[0]).first()
        before = snapshot(row) if row is not None else None
        if change.action == "retire":
            assert row is not None
            object_id = row.pk
            row.delete()
            self.audit(change, object_id, before, None)
            return
        assert change.after is not None
        row = row or model(code=change.key[0])
        for name, value in change.after.items():
            setattr(row, name, value)
        row.save()
        self.audit(change, row.pk, before, snapshot(row))

    def write_rubric(self, change: PlannedChange) -> None:
        rubric = Rubric.objects.filter(code=change.key[0]).first()
        before = None
        if rubric is not None and change.before is not None:
            before = {**snapshot(rubric), "levels": change.before["levels"]}
        if change.action == "retire":
            assert rubric is not None
            object_id = rubric.pk
            rubric.delete()
            self.audit(change, object_id, before, None)
            return
        assert change.after is not None
        content = change.after
        if rubric is None:
            rubric = Rubric(code=change.key[0])
        rubric.name, rubric.description = content["name"], content["description"]
        rubric.save()
        rubric.levels.all().delete()
        RubricLevel.objects.bulk_create(
            RubricLevel(
                rubric=rubric,
                level=level["level"],
                label=level["label"],
                anchor=level["anchor"],
                score=level["score"],
            )
            for level in content["levels"]
        )
        self.audit(change, rubric.pk, before, {**snapshot(rubric), "levels": content["levels"]})

    def save(
        self,
        change: PlannedChange,
        model: type[Versioned],
        identity: dict[str, Any],
        content: dict[str, Any] | None,
        object_id: Callable[[Versioned], object] = lambda version: version.pk,
        describe: Callable[[Versioned | None], dict[str, Any] | None] = version_record,
    ) -> None:
        """Write one versioned item (``content`` None: retire it) and audit it."""
        if content is None:
            ended = end_version(model, self.day, **identity)
            assert ended is not None  # the plan saw it in force
            self.audit(change, object_id(ended), describe(ended), None)
            return
        before, after = save_version(
            model,
            identity,
            content,
            day=self.day,
            author=self.actor,
            reason=self.reason,
            source=SOURCE,
        )
        if after is not None:
            self.audit(change, object_id(after), describe(before), describe(after))

    def write_kpi(self, change: PlannedChange) -> None:
        kpi = self.kpi(change.key[0])
        content = None
        if change.after is not None:
            fields = dict(change.after)
            content = {
                **{
                    name: value
                    for name, value in fields.items()
                    if name not in ("owner", "steward", "rubric")
                },
                "owner_id": self.person_id(fields["owner"]),
                "steward_id": self.person_id(fields["steward"]),
                "rubric_id": self.row_id(Rubric, fields["rubric"]),
            }

        def describe(version: Versioned | None) -> dict[str, Any] | None:
            found = version_record(version)
            return None if found is None else {"code": kpi.code, **found}

        self.save(change, KpiVersion, {"kpi": kpi}, content, lambda _: kpi.pk, describe)

    def write_status_rules(self, change: PlannedChange) -> None:
        """The rules of a set are replaced together: the old ones end, the new ones start."""
        code = change.key[0]
        kpi = None if code is None else self.kpi(code)
        current = list(
            StatusRule.objects.filter(effective_on(self.day), kpi=kpi).order_by("position")
        )
        before = {"rules": [version_fields(rule) for rule in current]} if current else None
        for rule in current:
            end_version(StatusRule, self.day, kpi=kpi, position=rule.position)
        written = []
        for position, rule in enumerate(change.after["rules"] if change.after else []):
            _, saved = save_version(
                StatusRule,
                {"kpi": kpi, "position": position},
                {
                    "basis": rule["basis"],
                    "comparison": rule["comparison"],
                    "bound": rule["bound"],
                    "bound_upper": rule["bound_upper"],
                    "status_id": self.row_id(Status, rule["status"]),
                },
                day=self.day,
                author=self.actor,
                reason=self.reason,
                source=SOURCE,
            )
            assert saved is not None  # every rule of the set was ended above
            written.append(saved)
        after = {"rules": [version_fields(rule) for rule in written]} if written else None
        self.audit(change, kpi.pk if kpi is not None else "default", before, after)

    def write_policy(self, change: PlannedChange) -> None:
        content = None if change.after is None else dict(change.after)
        self.save(change, ScorecardPolicy, {"unit": self.unit(change.key[0])}, content)

    def write_perspective_weight(self, change: PlannedChange) -> None:
        identity = {
            "unit": self.unit(change.key[0]),
            "perspective": Perspective.objects.get(code=change.key[1]),
        }
        content = None if change.after is None else {"weight": change.after["weight"]}
        self.save(change, PerspectiveWeight, identity, content)

    def write_objective(self, change: PlannedChange) -> None:
        objective = self.objective(change.key[0])
        content = None
        if change.after is not None:
            fields = change.after
            content = {
                "name": fields["name"],
                "description": fields["description"],
                "perspective_id": self.row_id(Perspective, fields["perspective"]),
                "theme_id": self.row_id(Theme, fields["theme"]),
                "unit_id": self.units[fields["unit"]].pk,
                "person_id": None,
                "owner_id": self.person_id(fields["owner"]),
                "parent_id": None
                if fields["parent"] is None
                else self.objective(fields["parent"]).pk,
                "contribution_weight": fields["contribution_weight"],
                "weight": fields["weight"],
                "horizon_start": fields["horizon_start"],
                "horizon_end": fields["horizon_end"],
                "esg_pillar": fields["esg_pillar"],
                "disclosure_ref": fields["disclosure_ref"],
                "required_by": fields["required_by"],
            }

        def describe(version: Versioned | None) -> dict[str, Any] | None:
            found = version_record(version)
            return None if found is None else {"code": objective.code, **found}

        self.save(
            change,
            ObjectiveVersion,
            {"objective": objective},
            content,
            lambda _: objective.pk,
            describe,
        )

    def write_measure(self, change: PlannedChange) -> None:
        identity = {"objective": self.objective(change.key[0]), "kpi": self.kpi(change.key[1])}
        content = None if change.after is None else {"weight": change.after["weight"]}
        self.save(change, ObjectiveMeasure, identity, content)

    def write_link(self, change: PlannedChange) -> None:
        identity = {"cause": self.objective(change.key[0]), "effect": self.objective(change.key[1])}
        self.save(change, ObjectiveLink, identity, None if change.after is None else {})

    def write_target(self, change: PlannedChange) -> None:
        kpi_code, unit_code, period_start = change.key
        identity = {
            "kpi": self.kpi(kpi_code),
            "unit": self.units[unit_code],
            "person": None,
            "period_start": period_start,
        }
        content = None if change.after is None else dict(change.after)
        self.save(change, Target, identity, content)


def _write_order(plan: Plan) -> list[PlannedChange]:
    """Definitions before what refers to them; retirements after, in reverse."""
    order = {kind: index for index, kind in enumerate(KINDS)}
    kept = [change for change in plan.changes if change.action != "retire"]
    retired = [change for change in plan.changes if change.action == "retire"]
    kept.sort(key=lambda change: order[change.kind])
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
        writer = _Writer(day, actor, reason.strip(), prepared.current, prepared.wanted)
        if actor is not None:
            for change in plan.changes:
                writer.authorise(change)
        for change in _write_order(plan):
            writer.write(change)
        pipeline.recompute()
    return plan
