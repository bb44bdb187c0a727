"""Writes to the KPI architecture: one transaction, a permission check and an audit event each.

Definitions (KPIs, targets, status rules, weights) are effective-dated versions. A change to
one that already exists and that would alter an open planning period goes through a change
request instead (``Invalid`` code ``change_request_required``); one that would alter a closed
period is refused (``period_closed``). Each governed change is a :class:`Change`: the direct
action here and the approval of a change request (``scoreline.kpis.governance``) check and
apply it through the same object, so the two paths cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from statistics import fmean
from typing import Any

from django.contrib.auth.models import User
from django.db import models, transaction
from django.db.models import Q

from scoreline.access.capabilities import Capability
from scoreline.access.scope import (
    AnyUser,
    require_anywhere,
    require_everywhere,
    require_on_unit,
)
from scoreline.audit.chain import record_event, snapshot
from scoreline.audit.versions import save_audited_version, version_record
from scoreline.engine.formulas import FormulaError, parse_formula
from scoreline.engine.graph import descendants
from scoreline.kpis.models import (
    Assessment,
    Kpi,
    KpiValue,
    KpiVersion,
    ObjectiveMeasure,
    Rubric,
    RubricLevel,
    ScoringMethod,
    StatusRule,
    Target,
    ValueSource,
)
from scoreline.kpis.smart import require_smart_definition
from scoreline.kpis.validation import (
    LevelSpec,
    RuleSpec,
    validate_kpi_code,
    validate_kpi_content,
    validate_rubric_levels,
    validate_status_rules,
    validate_target_content,
    validate_value,
)
from scoreline.lib.dates import effective_on
from scoreline.lib.errors import Invalid
from scoreline.lib.validation import (
    check_model_fields,
    check_not_all_zero,
    check_weight,
    require_month_start,
    require_text,
)
from scoreline.lib.versioned import (
    VERSION_COLUMNS,
    end_version,
    save_version,
    version_on,
)
from scoreline.org.models import OrgUnit, Person
from scoreline.planning.changes import Change, admit
from scoreline.planning.control import require_not_closed
from scoreline.scoring import pipeline
from scoreline.scoring.models import Combine, MissingPolicy, PerspectiveWeight, ScorecardPolicy
from scoreline.strategy.actions import holder_unit
from scoreline.strategy.models import Objective, ObjectiveVersion, Perspective

__all__ = [
    "KPI_FIELDS",
    "KpiRetirement",
    "KpiUpdate",
    "LevelSpec",
    "MeasureChange",
    "PerspectiveWeightChange",
    "RuleSpec",
    "StatusRulesChange",
    "TargetChange",
    "do_create_kpi",
    "do_record_assessment",
    "do_record_value",
    "do_remove_measure",
    "do_retire_kpi",
    "do_save_rubric",
    "do_set_measure",
    "do_set_perspective_weight",
    "do_set_scorecard_policy",
    "do_set_status_rules",
    "do_set_target",
    "do_update_kpi",
    "kpi_fields",
    "prepare_kpi_retirement",
    "prepare_kpi_update",
    "prepare_measure",
    "prepare_perspective_weight",
    "prepare_status_rules",
    "prepare_target",
    "rescore",
]

# The versioned content of a KPI, by attribute name (foreign keys as ids).
KPI_FIELDS: tuple[str, ...] = tuple(
    f.attname
    for f in KpiVersion._meta.concrete_fields
    if f.name not in VERSION_COLUMNS and f.name != "kpi"
)
TARGET_FIELDS = (
    "period_end",
    "target_type",
    "threshold",
    "target",
    "stretch",
    "range_low",
    "range_high",
    "baseline",
    "phasing",
    "profile",
)
RED = "red"
# Sources of values entered or loaded as they are (formulas and assessments derive theirs).
ENTERED_SOURCES = (
    ValueSource.MANUAL,
    ValueSource.IMPORT,
    ValueSource.CONNECTOR,
    ValueSource.DEMO,
)


# ---------------------------------------------------------------- shared pieces


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _home_unit(unit: OrgUnit | None, person: Person | None) -> OrgUnit:
    """The unit whose rights cover a subject: the unit itself, or the person's primary unit."""
    if (unit is None) == (person is None):
        raise Invalid(
            "give either a unit or a person",
            fields={"unit": ["give a unit or a person"], "person": ["give a unit or a person"]},
        )
    if unit is not None:
        return unit
    assert person is not None
    return person.primary_unit


def _kpi_version(kpi: Kpi, day: dt.date, field: str = "effective") -> KpiVersion:
    version = version_on(KpiVersion, day, kpi=kpi)
    if version is None:
        raise Invalid.field(
            field, f"{kpi.code} has no definition in force on {day.isoformat()}", "not_in_force"
        )
    return version


def _source(source: str) -> str:
    if not isinstance(source, str) or len(source) > 80:
        raise Invalid.field("source", "must be text of at most 80 characters")
    return source


def rescore(kpi_ids: frozenset[int] | None) -> None:
    """Recompute the scores a change affects (``None``: every KPI)."""
    if kpi_ids is not None and not kpi_ids:
        return
    pipeline.recompute(kpi_ids=set(kpi_ids) if kpi_ids is not None else None)


# ---------------------------------------------------------------- KPI definitions

_KPI_ALIASES = {"owner": "owner_id", "steward": "steward_id", "rubric": "rubric_id"}


def kpi_fields(given: Mapping[str, Any]) -> dict[str, Any]:
    """KPI fields by attribute name; instances given for owner, steward and rubric become ids."""
    content: dict[str, Any] = {}
    for name, value in given.items():
        attname = _KPI_ALIASES.get(name, name)
        if attname not in KPI_FIELDS:
            raise Invalid.field(name, "not a field of a KPI")
        if isinstance(value, models.Model):
            value = value.pk
        elif isinstance(value, tuple):
            value = list(value)
        content[attname] = value
    return content


def _kpi_content(version: KpiVersion) -> dict[str, Any]:
    return {name: getattr(version, name) for name in KPI_FIELDS}


def _formula_edges(day: dt.date) -> list[tuple[str, str]]:
    """(referenced code, formula KPI code) of the formulas in force on ``day``."""
    edges: list[tuple[str, str]] = []
    rows = KpiVersion.objects.filter(effective_on(day)).exclude(formula="")
    for code, formula in rows.values_list("kpi__code", "formula"):
        try:
            names = parse_formula(formula).names
        except FormulaError:
            continue
        edges.extend((name, code) for name in names)
    return edges


def _with_dependents(kpi: Kpi, day: dt.date) -> frozenset[int]:
    """The KPI and every formula KPI calculated from it, directly or not."""
    codes = descendants(_formula_edges(day), kpi.code)
    ids = set(Kpi.objects.filter(code__in=codes).values_list("pk", flat=True))
    return frozenset(ids | {kpi.pk})


@dataclass(kw_only=True)
class KpiUpdate(Change):
    kpi: Kpi
    current: KpiVersion
    content: dict[str, Any]

    @property
    def unchanged(self) -> bool:
        return all(getattr(self.current, name) == value for name, value in self.content.items())

    @property
    def affected(self) -> frozenset[int]:
        return _with_dependents(self.kpi, self.starts)

    def validate(self) -> None:
        validate_kpi_content(self.content, code=self.kpi.code, day=self.starts, kpi_id=self.kpi.pk)
        require_smart_definition(self.kpi, self.content, self.starts)

    def apply(self, actor: AnyUser, *, reason: str, source: str) -> KpiVersion | None:
        after = save_audited_version(
            actor,
            KpiVersion,
            {"kpi": self.kpi},
            self.content,
            day=self.starts,
            reason=reason,
            source=source,
            action="kpi.update",
            object_type="kpi",
            object_id=self.kpi.pk,
        )
        if after is None:
            return None
        return after


def prepare_kpi_update(kpi: Kpi, changes: Mapping[str, Any], day: dt.date) -> KpiUpdate:
    """The version in force on ``day`` with ``changes`` applied, as the version from ``day``."""
    current = _kpi_version(kpi, day)
    return KpiUpdate(
        right=Capability.EDIT_KPI,
        unit=None,
        shared=True,
        starts=day,
        existing=True,
        kpi=kpi,
        current=current,
        content={**_kpi_content(current), **kpi_fields(changes)},
    )


@dataclass(kw_only=True)
class KpiRetirement(Change):
    kpi: Kpi
    current: KpiVersion

    @property
    def unchanged(self) -> bool:
        return False

    @property
    def affected(self) -> frozenset[int]:
        return frozenset({self.kpi.pk})

    def validate(self) -> None:
        later = KpiVersion.objects.filter(kpi=self.kpi, valid_from__gt=self.starts).first()
        if later is not None:
            raise Invalid.field(
                "effective",
                f"{self.kpi.code} has a version from {later.valid_from.isoformat()}; "
                "retire it from that day or later",
            )
        users = KpiVersion.objects.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=self.starts)
        ).exclude(kpi=self.kpi)
        dependents = sorted(
            {
                code
                for code, formula in users.exclude(formula="").values_list("kpi__code", "formula")
                if self.kpi.code in _names(formula)
            }
        )
        if dependents:
            raise Invalid.field(
                "kpi",
                f"{self.kpi.code} is used by the formulas of {', '.join(dependents)}",
                code="in_use",
            )

    def apply(self, actor: AnyUser, *, reason: str, source: str) -> KpiVersion:
        before = version_record(self.current)
        end_version(KpiVersion, self.starts, kpi=self.kpi)
        record_event(
            actor,
            "kpi.retire",
            "kpi",
            self.kpi.pk,
            before=before,
            after={"valid_until": self.starts, "source": source},
            reason=reason,
        )
        return self.current


def _names(formula: str) -> frozenset[str]:
    try:
        return parse_formula(formula).names
    except FormulaError:
        return frozenset()


def prepare_kpi_retirement(kpi: Kpi, day: dt.date) -> KpiRetirement:
    return KpiRetirement(
        right=Capability.EDIT_KPI,
        unit=None,
        shared=True,
        starts=day,
        existing=True,
        kpi=kpi,
        current=_kpi_version(kpi, day),
    )


@transaction.atomic
def do_create_kpi(
    actor: AnyUser,
    *,
    code: str,
    valid_from: dt.date,
    reason: str = "",
    source: str = "page",
    **fields: Any,
) -> Kpi:
    """Add a KPI to the catalogue with its first definition, in force from ``valid_from``.

    ``fields`` are :data:`KPI_FIELDS` (owner, steward and rubric may be given as instances).
    A new KPI changes no running scorecard, so no change request is needed.
    """
    require_anywhere(actor, Capability.EDIT_KPI)
    code = validate_kpi_code(code)
    if Kpi.objects.filter(code=code).exists():
        raise Invalid.field("code", f"a KPI with code {code!r} already exists", code="duplicate")
    defaults = {
        f.attname: f.get_default()
        for f in KpiVersion._meta.concrete_fields
        if f.attname in KPI_FIELDS
    }
    content = {**defaults, **kpi_fields(fields)}
    validate_kpi_content(content, code=code, day=valid_from, kpi_id=None)
    require_smart_definition(Kpi(code=code), content, valid_from)
    kpi = Kpi.objects.create(code=code)
    _, version = save_version(
        KpiVersion,
        {"kpi": kpi},
        content,
        day=valid_from,
        author=actor,
        reason=reason,
        source=_source(source),
    )
    record_event(actor, "kpi.create", "kpi", kpi.pk, after=version_record(version), reason=reason)
    return kpi


@transaction.atomic
def do_update_kpi(
    actor: AnyUser,
    kpi: Kpi,
    *,
    effective: dt.date,
    reason: str = "",
    source: str = "page",
    **changes: Any,
) -> KpiVersion | None:
    """Change a KPI's definition from ``effective`` on; returns the new version.

    Unchanged content writes nothing and returns None.
    """
    kpi = Kpi.objects.select_for_update().get(pk=kpi.pk)
    change = prepare_kpi_update(kpi, changes, effective)
    if not admit(actor, change):
        return None
    version = change.apply(actor, reason=reason, source=_source(source))
    rescore(change.affected)
    return version


@transaction.atomic
def do_retire_kpi(
    actor: AnyUser, kpi: Kpi, *, effective: dt.date, reason: str = "", source: str = "page"
) -> KpiVersion:
    """End a KPI's definition on ``effective`` (its history stays); returns the ended version."""
    kpi = Kpi.objects.select_for_update().get(pk=kpi.pk)
    change = prepare_kpi_retirement(kpi, effective)
    admit(actor, change)
    version = change.apply(actor, reason=reason, source=_source(source))
    rescore(change.affected)
    return version


# ---------------------------------------------------------------- rubrics

_SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")


def _rubric_state(rubric: Rubric) -> dict[str, Any]:
    return {
        **snapshot(rubric),
        "levels": [
            {"level": lv.level, "label": lv.label, "anchor": lv.anchor, "score": lv.score}
            for lv in rubric.levels.order_by("level")
        ],
    }


@transaction.atomic
def do_save_rubric(
    actor: AnyUser,
    *,
    code: str,
    name: str,
    levels: Sequence[LevelSpec],
    description: str = "",
    reason: str = "",
) -> Rubric:
    """Create a rubric or replace its levels; every level needs a behavioural anchor.

    Level scores default to an even spread from 0 to 100. A level in use by assessments
    cannot be dropped. Changed scores rescore the KPIs rated on the rubric.
    """
    require_anywhere(actor, Capability.EDIT_KPI)
    check_model_fields(Rubric, {"code": code, "name": name, "description": description})
    require_text("name", name)
    if not _SLUG.match(code):
        raise Invalid.field("code", "use letters, digits, '-' and '_' only")
    scores = validate_rubric_levels(levels)
    rubric = Rubric.objects.select_for_update().filter(code=code).first()
    before = _rubric_state(rubric) if rubric is not None else None
    if rubric is None:
        rubric = Rubric.objects.create(code=code, name=name.strip(), description=description)
    else:
        used = (
            Assessment.objects.filter(kpi__versions__rubric=rubric, level__gt=len(levels))
            .values_list("level", flat=True)
            .first()
        )
        if used is not None:
            raise Invalid.field(
                "levels", f"level {used} is used by assessments and cannot be dropped", "in_use"
            )
        rubric.name, rubric.description = name.strip(), description
        rubric.save()
        rubric.levels.all().delete()
    ordered = sorted(levels, key=lambda level: level.level)
    RubricLevel.objects.bulk_create(
        RubricLevel(
            rubric=rubric,
            level=level.level,
            label=level.label.strip(),
            anchor=level.anchor.strip(),
            score=score,
        )
        for level, score in zip(ordered, scores, strict=True)
    )
    after = _rubric_state(rubric)
    if after == before:
        return rubric
    record_event(
        actor, "rubric.save", "rubric", rubric.pk, before=before, after=after, reason=reason
    )
    if before is not None and before["levels"] != after["levels"]:
        rated = KpiVersion.objects.filter(rubric=rubric).values_list("kpi_id", flat=True)
        rescore(frozenset(rated))
    return rubric


# ---------------------------------------------------------------- targets


@dataclass(kw_only=True)
class TargetChange(Change):
    kpi: Kpi
    subject_unit: OrgUnit | None
    person: Person | None
    period_start: dt.date
    day: dt.date
    content: dict[str, Any]
    current: Target | None

    @property
    def identity(self) -> dict[str, Any]:
        return {
            "kpi": self.kpi,
            "unit": self.subject_unit,
            "person": self.person,
            "period_start": self.period_start,
        }

    @property
    def unchanged(self) -> bool:
        return self.current is not None and all(
            getattr(self.current, name) == value for name, value in self.content.items()
        )

    @property
    def affected(self) -> frozenset[int]:
        return frozenset({self.kpi.pk})

    def validate(self) -> None:
        period_end = self.content["period_end"]
        version = _kpi_version(self.kpi, self.starts, "kpi")
        validate_target_content(version, self.period_start, self.content)
        if self.day >= period_end:
            raise Invalid.field(
                "effective",
                f"{self.day.isoformat()} is not before the end of the span "
                f"({period_end.isoformat()}): the version would never apply",
            )
        overlapping = (
            Target.objects.filter(
                kpi=self.kpi,
                unit=self.subject_unit,
                person=self.person,
                period_start__lt=period_end,
                period_end__gt=self.period_start,
            )
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=self.day))
            .exclude(period_start=self.period_start)
            .first()
        )
        if overlapping is not None:
            raise Invalid.field(
                "period_start",
                f"overlaps the target span from {overlapping.period_start.isoformat()} "
                f"to {overlapping.period_end.isoformat()}",
                code="overlap",
            )

    def apply(self, actor: AnyUser, *, reason: str, source: str) -> Target | None:
        after = save_audited_version(
            actor,
            Target,
            self.identity,
            self.content,
            day=self.day,
            reason=reason,
            source=source,
            action="target.set",
            object_type="target",
        )
        if after is None:
            return None
        return after


def prepare_target(
    kpi: Kpi,
    *,
    unit: OrgUnit | None,
    person: Person | None,
    period_start: dt.date,
    values: Mapping[str, Any],
    day: dt.date | None,
) -> TargetChange:
    """A target version for a KPI at a unit (or for a person) over a span of months.

    ``values`` holds :data:`TARGET_FIELDS`; ``day`` is the day the version takes effect
    (None: the start of the span). The change alters the span's months from that day on.
    """
    home = _home_unit(unit, person)
    require_month_start("period_start", period_start)
    require_month_start("period_end", values.get("period_end"))
    unknown = sorted(set(values) - set(TARGET_FIELDS))
    if unknown:
        raise Invalid.field(unknown[0], "not a field of a target")
    defaults: dict[str, Any] = {name: None for name in TARGET_FIELDS}
    defaults |= {"phasing": "flat", "profile": []}
    content = {**defaults, **values}
    if isinstance(content["profile"], tuple):
        content["profile"] = list(content["profile"])
    if content["profile"] is None:
        content["profile"] = []
    effective = day or period_start
    identity = {"kpi": kpi, "unit": unit, "person": person, "period_start": period_start}
    current = version_on(Target, effective, **identity)
    existing = Target.objects.filter(**identity).exists()
    period_end = content["period_end"]
    ends = [period_end] + ([current.period_end] if current is not None else [])
    return TargetChange(
        right=Capability.EDIT_KPI,
        unit=home,
        starts=max(effective, period_start),
        until=max(ends),
        existing=existing,
        kpi=kpi,
        subject_unit=unit,
        person=person,
        period_start=period_start,
        day=effective,
        content=content,
        current=current,
    )


@transaction.atomic
def do_set_target(
    actor: AnyUser,
    kpi: Kpi,
    *,
    unit: OrgUnit | None = None,
    person: Person | None = None,
    period_start: dt.date,
    period_end: dt.date,
    target_type: str,
    threshold: float | None = None,
    target: float | None = None,
    stretch: float | None = None,
    range_low: float | None = None,
    range_high: float | None = None,
    baseline: float | None = None,
    phasing: str = "flat",
    profile: Sequence[float] | None = None,
    effective: dt.date | None = None,
    reason: str = "",
    source: str = "page",
) -> Target | None:
    """Set a KPI's target at a unit or for a person over ``period_start``..``period_end``.

    The version takes effect on ``effective`` (default: the start of the span). Revising a
    target already set whose span runs in an open period needs a change request. Returns the
    new version, or None when nothing changed.
    """
    change = prepare_target(
        kpi,
        unit=unit,
        person=person,
        period_start=period_start,
        values={
            "period_end": period_end,
            "target_type": target_type,
            "threshold": threshold,
            "target": target,
            "stretch": stretch,
            "range_low": range_low,
            "range_high": range_high,
            "baseline": baseline,
            "phasing": phasing,
            "profile": list(profile or []),
        },
        day=effective,
    )
    if not admit(actor, change):
        return None
    version = change.apply(actor, reason=reason, source=_source(source))
    rescore(change.affected)
    return version


# ---------------------------------------------------------------- status rules


def _ruleversion_record(rule: StatusRule) -> dict[str, Any]:
    return {
        "basis": rule.basis,
        "comparison": rule.comparison,
        "bound": rule.bound,
        "bound_upper": rule.bound_upper,
        "status_id": rule.status_id,
    }


@dataclass(kw_only=True)
class StatusRulesChange(Change):
    kpi: Kpi | None
    rules: list[RuleSpec]
    current: list[StatusRule]
    contents: list[dict[str, Any]] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return [_ruleversion_record(rule) for rule in self.current] == self.contents

    @property
    def affected(self) -> frozenset[int] | None:
        return frozenset({self.kpi.pk}) if self.kpi is not None else None

    def validate(self) -> None:
        statuses = validate_status_rules(self.rules)
        self.contents = [
            {
                "basis": rule.basis,
                "comparison": rule.comparison,
                "bound": None if rule.bound is None else float(rule.bound),
                "bound_upper": None if rule.bound_upper is None else float(rule.bound_upper),
                "status_id": statuses[rule.status].pk,
            }
            for rule in self.rules
        ]

    def apply(self, actor: AnyUser, *, reason: str, source: str) -> list[StatusRule]:
        for position, content in enumerate(self.contents):
            save_version(
                StatusRule,
                {"kpi": self.kpi, "position": position},
                content,
                day=self.starts,
                author=actor,
                reason=reason,
                source=source,
            )
        for rule in self.current[len(self.contents) :]:
            end_version(StatusRule, self.starts, kpi=self.kpi, position=rule.position)
        after = _rules_on(self.kpi, self.starts)
        record_event(
            actor,
            "status_rules.set",
            "status_rules",
            self.kpi.pk if self.kpi is not None else "default",
            before={"rules": [_ruleversion_record(rule) for rule in self.current]},
            after={
                "rules": [_ruleversion_record(rule) for rule in after],
                "valid_from": self.starts,
            },
            reason=reason,
        )
        return after


def _rules_on(kpi: Kpi | None, day: dt.date) -> list[StatusRule]:
    return list(StatusRule.objects.filter(effective_on(day), kpi=kpi).order_by("position"))


def prepare_status_rules(
    kpi: Kpi | None, rules: Sequence[RuleSpec], day: dt.date
) -> StatusRulesChange:
    """Replace a KPI's ordered rule set (None: the default set) from ``day`` on."""
    return StatusRulesChange(
        right=Capability.EDIT_KPI,
        unit=None,
        shared=True,
        starts=day,
        existing=kpi is None or StatusRule.objects.filter(kpi=kpi).exists(),
        kpi=kpi,
        rules=list(rules),
        current=_rules_on(kpi, day),
    )


@transaction.atomic
def do_set_status_rules(
    actor: AnyUser,
    kpi: Kpi | None,
    rules: Sequence[RuleSpec],
    *,
    effective: dt.date,
    reason: str = "",
    source: str = "page",
) -> list[StatusRule] | None:
    """Replace the ordered status rules of ``kpi`` (None: the default set) from ``effective``.

    Returns the rules in force from then, or None when the set is unchanged.
    """
    change = prepare_status_rules(kpi, rules, effective)
    if not admit(actor, change):
        return None
    after = change.apply(actor, reason=reason, source=_source(source))
    rescore(change.affected)
    return after


# ---------------------------------------------------------------- weights


def _objective_version(objective: Objective, day: dt.date) -> ObjectiveVersion:
    version = version_on(ObjectiveVersion, day, objective=objective)
    if version is None:
        raise Invalid.field(
            "objective",
            f"{objective.code} is not in force on {day.isoformat()}",
            code="not_in_force",
        )
    return version


@dataclass(kw_only=True)
class MeasureChange(Change):
    """A KPI's weight in an objective; a weight of None removes the KPI from the objective."""

    objective: Objective
    kpi: Kpi
    weight: float | None
    current: ObjectiveMeasure | None

    @property
    def unchanged(self) -> bool:
        return (
            self.weight is not None
            and self.current is not None
            and self.current.weight == self.weight
        )

    @property
    def affected(self) -> frozenset[int]:
        return frozenset({self.kpi.pk})

    def validate(self) -> None:
        others = ObjectiveMeasure.objects.filter(
            effective_on(self.starts), objective=self.objective
        ).exclude(kpi=self.kpi)
        weights = list(others.values_list("weight", flat=True))
        if self.weight is None:
            if self.current is None:
                raise Invalid.field(
                    "kpi",
                    f"{self.kpi.code} does not measure {self.objective.code} on "
                    f"{self.starts.isoformat()}",
                    code="not_in_force",
                )
        else:
            self.weight = check_weight("weight", self.weight)
            _kpi_version(self.kpi, self.starts, "kpi")
            weights.append(self.weight)
        check_not_all_zero("weight", weights)

    def apply(self, actor: AnyUser, *, reason: str, source: str) -> ObjectiveMeasure | None:
        identity = {"objective": self.objective, "kpi": self.kpi}
        if self.weight is None:
            ended = end_version(ObjectiveMeasure, self.starts, **identity)
            record_event(
                actor,
                "measure.remove",
                "objective_measure",
                ended.pk if ended is not None else "",
                before=version_record(ended),
                after={"valid_until": self.starts, "source": source},
                reason=reason,
            )
            return ended
        after = save_audited_version(
            actor,
            ObjectiveMeasure,
            identity,
            {"weight": self.weight},
            day=self.starts,
            reason=reason,
            source=source,
            action="measure.set",
            object_type="objective_measure",
        )
        if after is None:
            return None
        return after


def prepare_measure(
    objective: Objective, kpi: Kpi, weight: float | None, day: dt.date
) -> MeasureChange:
    """Set (or with ``weight`` None, end) the measure of ``objective`` by ``kpi`` from ``day``."""
    version = _objective_version(objective, day)
    identity = {"objective": objective, "kpi": kpi}
    return MeasureChange(
        right=Capability.EDIT_STRATEGY,
        unit=holder_unit(version),
        starts=day,
        existing=ObjectiveMeasure.objects.filter(**identity).exists(),
        objective=objective,
        kpi=kpi,
        weight=weight,
        current=version_on(ObjectiveMeasure, day, **identity),
    )


@transaction.atomic
def do_set_measure(
    actor: AnyUser,
    objective: Objective,
    kpi: Kpi,
    *,
    weight: float,
    effective: dt.date,
    reason: str = "",
    source: str = "page",
) -> ObjectiveMeasure | None:
    """Measure ``objective`` by ``kpi`` with ``weight`` from ``effective`` on.

    Returns the new version, or None when the weight is unchanged.
    """
    change = prepare_measure(objective, kpi, weight, effective)
    if not admit(actor, change):
        return None
    measure = change.apply(actor, reason=reason, source=_source(source))
    rescore(change.affected)
    return measure


@transaction.atomic
def do_remove_measure(
    actor: AnyUser,
    objective: Objective,
    kpi: Kpi,
    *,
    effective: dt.date,
    reason: str = "",
    source: str = "page",
) -> ObjectiveMeasure | None:
    """Stop measuring ``objective`` by ``kpi`` from ``effective`` on; returns the ended version."""
    change = prepare_measure(objective, kpi, None, effective)
    admit(actor, change)
    measure = change.apply(actor, reason=reason, source=_source(source))
    rescore(change.affected)
    return measure


@dataclass(kw_only=True)
class PerspectiveWeightChange(Change):
    perspective: Perspective
    scorecard_unit: OrgUnit | None
    weight: float
    current: PerspectiveWeight | None

    @property
    def unchanged(self) -> bool:
        return self.current is not None and self.current.weight == self.weight

    @property
    def affected(self) -> frozenset[int] | None:
        if self.scorecard_unit is None:
            return None
        objectives = ObjectiveVersion.objects.filter(
            effective_on(self.starts), unit=self.scorecard_unit, perspective=self.perspective
        ).values("objective_id")
        measures = ObjectiveMeasure.objects.filter(
            effective_on(self.starts), objective_id__in=objectives
        )
        return frozenset(measures.values_list("kpi_id", flat=True))

    def validate(self) -> None:
        self.weight = check_weight("weight", self.weight)
        rows = PerspectiveWeight.objects.filter(effective_on(self.starts)).filter(
            Q(unit__isnull=True) | Q(unit=self.scorecard_unit)
        )
        default: dict[int, float] = {}
        own: dict[int, float] = {}
        for perspective, unit, weight in rows.values_list("perspective_id", "unit_id", "weight"):
            (default if unit is None else own)[perspective] = weight
        chosen = own if self.scorecard_unit is not None else default
        chosen[self.perspective.pk] = self.weight
        # A perspective without a weight of its own counts 1, as in the scorecard roll-up.
        in_force = [
            own.get(pk, default.get(pk, 1.0))
            for pk in Perspective.objects.values_list("pk", flat=True)
        ]
        check_not_all_zero("weight", in_force)

    def apply(self, actor: AnyUser, *, reason: str, source: str) -> PerspectiveWeight | None:
        after = save_audited_version(
            actor,
            PerspectiveWeight,
            {"perspective": self.perspective, "unit": self.scorecard_unit},
            {"weight": self.weight},
            day=self.starts,
            reason=reason,
            source=source,
            action="perspective_weight.set",
            object_type="perspective_weight",
        )
        if after is None:
            return None
        return after


def prepare_perspective_weight(
    perspective: Perspective, unit: OrgUnit | None, weight: float, day: dt.date
) -> PerspectiveWeightChange:
    """The weight of a perspective in ``unit``'s scorecard (None: the default) from ``day``."""
    identity = {"perspective": perspective, "unit": unit}
    return PerspectiveWeightChange(
        right=Capability.EDIT_STRATEGY,
        unit=unit,
        starts=day,
        existing=PerspectiveWeight.objects.filter(**identity).exists(),
        perspective=perspective,
        scorecard_unit=unit,
        weight=weight,
        current=version_on(PerspectiveWeight, day, **identity),
    )


@transaction.atomic
def do_set_perspective_weight(
    actor: AnyUser,
    perspective: Perspective,
    unit: OrgUnit | None,
    *,
    weight: float,
    effective: dt.date,
    reason: str = "",
    source: str = "page",
) -> PerspectiveWeight | None:
    """Weigh ``perspective`` in ``unit``'s scorecard (None: every unit's default)."""
    change = prepare_perspective_weight(perspective, unit, weight, effective)
    if not admit(actor, change):
        return None
    version = change.apply(actor, reason=reason, source=_source(source))
    rescore(change.affected)
    return version


@transaction.atomic
def do_set_scorecard_policy(
    actor: AnyUser,
    unit: OrgUnit | None,
    *,
    combine: str,
    missing: str,
    cap_at_100: bool,
    effective: dt.date,
    reason: str = "",
    source: str = "page",
) -> ScorecardPolicy | None:
    """How ``unit``'s scorecard rolls up (None: the organisation's default) from ``effective``.

    A policy cannot reach back into a closed period. Returns None when nothing changed.
    """
    if unit is not None:
        require_on_unit(actor, Capability.EDIT_STRATEGY, unit)
    else:
        require_everywhere(actor, Capability.EDIT_STRATEGY)
    if combine not in Combine.values:
        raise Invalid.field("combine", f"{combine!r} is not one of {', '.join(Combine.values)}")
    if missing not in MissingPolicy.values:
        raise Invalid.field(
            "missing", f"{missing!r} is not one of {', '.join(MissingPolicy.values)}"
        )
    if not isinstance(cap_at_100, bool):
        raise Invalid.field("cap_at_100", "must be true or false")
    require_not_closed(effective)
    after = save_audited_version(
        actor,
        ScorecardPolicy,
        {"unit": unit},
        {"combine": combine, "missing": missing, "cap_at_100": cap_at_100},
        day=effective,
        reason=reason,
        source=_source(source),
        action="scorecard_policy.set",
        object_type="scorecard_policy",
    )
    if after is None:
        return None
    rescore(None)
    return after


# ---------------------------------------------------------------- values and assessments


def _value_row(
    kpi: Kpi, unit: OrgUnit | None, person: Person | None, period: dt.date
) -> KpiValue | None:
    return (
        KpiValue.objects.select_for_update()
        .filter(kpi=kpi, unit=unit, person=person, period=period)
        .first()
    )


def _store_value(
    actor: AnyUser,
    kpi: Kpi,
    unit: OrgUnit | None,
    person: Person | None,
    period: dt.date,
    *,
    value: float,
    source: str,
    lineage: dict[str, Any],
    note: str,
    reason: str,
) -> KpiValue:
    """Insert or update one value with its audit event, then rescore what it feeds."""
    row = _value_row(kpi, unit, person, period)
    before = snapshot(row) if row is not None else None
    if (
        row is not None
        and row.value == value
        and row.source == source
        and row.lineage == lineage
        and row.note == note
    ):
        return row
    if row is None:
        row = KpiValue(kpi=kpi, unit=unit, person=person, period=period)
    row.value, row.source, row.lineage, row.note = value, source, lineage, note
    row.entered_by = actor if isinstance(actor, User) else None
    row.save()
    record_event(
        actor,
        "kpi_value.record",
        "kpi_value",
        row.pk,
        before=before,
        after=snapshot(row),
        reason=reason,
    )
    pipeline.recompute_value(
        kpi_id=kpi.pk,
        unit_id=unit.pk if unit is not None else None,
        person_id=person.pk if person is not None else None,
        period=period,
    )
    return row


@transaction.atomic
def do_record_value(
    actor: AnyUser,
    kpi: Kpi,
    *,
    period: dt.date,
    value: float,
    unit: OrgUnit | None = None,
    person: Person | None = None,
    unit_of_measure: str | None = None,
    note: str = "",
    source: str = ValueSource.MANUAL,
    reason: str = "",
) -> KpiValue:
    """Enter (or correct) a KPI's value for a unit or a person in the month ``period``.

    A value whose status would be red needs a note saying why (code ``note_required``).
    Formula KPIs are calculated and rubric KPIs are rated: neither is entered here.
    """
    home = _home_unit(unit, person)
    require_on_unit(actor, Capability.ENTER_VALUES, home)
    require_month_start("period", period)
    if source not in ENTERED_SOURCES:
        raise Invalid.field("source", f"{source!r} is not one of {', '.join(ENTERED_SOURCES)}")
    if not isinstance(note, str):
        raise Invalid.field("note", "must be text")
    kpi = Kpi.objects.select_for_update().get(pk=kpi.pk)
    version = _kpi_version(kpi, period, "period")
    if version.formula.strip():
        raise Invalid.field(
            "kpi", f"{kpi.code} is calculated from its formula, not entered", code="calculated"
        )
    if version.scoring == ScoringMethod.RUBRIC:
        raise Invalid.field(
            "kpi", f"{kpi.code} is rated through rubric assessments, not entered", code="assessed"
        )
    number = validate_value(version, value, unit_of_measure)
    require_not_closed(period, _next_month(period), field="period")
    status = pipeline.status_of_value(kpi, unit, person, period, number)
    if status == RED and not note.strip():
        raise Invalid(
            "note: a red value needs a note explaining it",
            fields={"note": ["a red value needs a note explaining it"]},
            code="note_required",
        )
    return _store_value(
        actor,
        kpi,
        unit,
        person,
        period,
        value=number,
        source=source,
        lineage={},
        note=note.strip(),
        reason=reason,
    )


@transaction.atomic
def do_record_assessment(
    actor: AnyUser,
    kpi: Kpi,
    *,
    period: dt.date,
    level: int,
    evidence: str,
    unit: OrgUnit | None = None,
    person: Person | None = None,
    rater: Person | None = None,
    reason: str = "",
) -> Assessment:
    """Record a rater's rubric level, with evidence, for a qualitative KPI in a month.

    The rater is the acting user's person unless someone who may edit KPIs at the subject's
    unit names another. The KPI's value for the month becomes the mean level of its
    assessments, with the assessments listed as its lineage.
    """
    home = _home_unit(unit, person)
    require_on_unit(actor, Capability.ENTER_VALUES, home)
    require_month_start("period", period)
    kpi = Kpi.objects.select_for_update().get(pk=kpi.pk)
    version = _kpi_version(kpi, period, "period")
    if version.scoring != ScoringMethod.RUBRIC or version.rubric_id is None:
        raise Invalid.field("kpi", f"{kpi.code} is not rated on a rubric", code="not_rated")
    own = Person.objects.filter(user_id=actor.pk).first() if actor.is_authenticated else None
    if rater is None:
        if own is None:
            raise Invalid.field("rater", "the rater must be a person: name one")
        rater = own
    elif own is None or rater.pk != own.pk:
        require_on_unit(actor, Capability.EDIT_KPI, home)
    if isinstance(level, bool) or not isinstance(level, int):
        raise Invalid.field("level", f"must be a whole number, got {level!r}")
    levels = list(
        RubricLevel.objects.filter(rubric_id=version.rubric_id).values_list("level", flat=True)
    )
    if level not in levels:
        raise Invalid.field(
            "level", f"must be one of the rubric's levels {min(levels)}..{max(levels)}, got {level}"
        )
    evidence = require_text("evidence", evidence)
    require_not_closed(period, _next_month(period), field="period")
    assessment = (
        Assessment.objects.select_for_update()
        .filter(kpi=kpi, unit=unit, person=person, period=period, rater=rater)
        .first()
    )
    before = snapshot(assessment) if assessment is not None else None
    if assessment is None:
        assessment = Assessment(kpi=kpi, unit=unit, person=person, period=period, rater=rater)
    assessment.level, assessment.evidence = level, evidence
    assessment.save()
    record_event(
        actor,
        "assessment.record",
        "assessment",
        assessment.pk,
        before=before,
        after=snapshot(assessment),
        reason=reason,
    )
    rated = list(
        Assessment.objects.filter(kpi=kpi, unit=unit, person=person, period=period)
        .order_by("pk")
        .values_list("pk", "level")
    )
    _store_value(
        actor,
        kpi,
        unit,
        person,
        period,
        value=fmean(lv for _, lv in rated),
        source=ValueSource.ASSESSMENT,
        lineage={"assessments": [pk for pk, _ in rated]},
        note="",
        reason=reason,
    )
    return assessment
