"""What a change would alter, field by field (before → after), as its approver reads it.

The change is rebuilt from its payload exactly as approving it would rebuild it
(:func:`~scoreline.governance.actions.change_from_payload`), and compared with what is in
force on its effective day. The form that offers to file a request and the inbox that
decides it show the same lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils.dateformat import format as date_format

from scoreline.access.scope import AnyUser
from scoreline.governance.actions import change_from_payload
from scoreline.kpis.actions.definitions import KpiRetirement, KpiUpdate
from scoreline.kpis.actions.measures import MeasureChange
from scoreline.kpis.actions.status_rules import StatusRulesChange
from scoreline.kpis.actions.targets import TargetChange
from scoreline.kpis.fields import KPI, TARGET
from scoreline.kpis.models import (
    KpiVersion,
    Rubric,
    RuleBasis,
    RuleComparison,
    Status,
    StatusRule,
    Target,
)
from scoreline.kpis.validation import RuleSpec
from scoreline.lib.dates import effective_on
from scoreline.lib.errors import Invalid
from scoreline.lib.fields import FieldSpec, column
from scoreline.lib.versioned import version_on
from scoreline.planning.changes import Change
from scoreline.scoring.actions.scorecards import (
    ObjectiveWeightChange,
    PerspectiveWeightChange,
    PolicyChange,
)
from scoreline.scoring.fields import SCORECARD_POLICY
from scoreline.scoring.models import ScorecardPolicy
from scoreline.scoring.perspectives import (
    DEFAULT,
    NONE,
    PerspectiveWeights,
    perspective_weights_in_force,
)
from scoreline.strategy.actions.objectives import (
    ObjectiveCreation,
    ObjectiveRetirement,
    ObjectiveUpdate,
)
from scoreline.strategy.fields import OBJECTIVE
from scoreline.strategy.models import ObjectiveVersion
from scoreline.web.display import FieldChange, describe_value, objective_names, visible_names
from scoreline.web.spec_forms import field_label

__all__ = ["ChangeDiff", "change_diff", "field_facts", "in_force", "rule_text"]

_NONE = "\u2014"


@dataclass(frozen=True)
class ChangeDiff:
    """What a change alters: ``about`` names the definition, ``lines`` the fields that
    differ; ``problem`` says why the change no longer applies (then it cannot be approved)."""

    about: str
    lines: list[FieldChange]
    problem: str = ""


def change_diff(
    user: AnyUser, kind: str, subject: str, payload: Mapping[str, Any], day: dt.date
) -> ChangeDiff:
    """The diff of the change a request (or a form about to file one) describes."""
    try:
        change = change_from_payload(kind, subject, payload, day)
    except Invalid as invalid:
        return ChangeDiff(subject or "default", [], invalid.message)
    about, lines = _describe(user, change, day)
    try:
        # The checks lock what they read (a unit, a KPI): inside a transaction, as the
        # database asks, and released as soon as the diff is known.
        with transaction.atomic():
            change.validate()
    except Invalid as invalid:
        return ChangeDiff(about, lines, invalid.message)
    return ChangeDiff(about, lines)


def _describe(user: AnyUser, change: Change[Any], day: dt.date) -> tuple[str, list[FieldChange]]:
    when = date_format(day, "j M Y")
    if isinstance(change, KpiUpdate):
        names = _kpi_names(user, change.current, change.content)
        before = {column(spec): getattr(change.current, column(spec)) for spec in KPI}
        lines = _field_lines(KpiVersion, KPI, before, change.content, names, attnames=True)
        return f"Definition of {change.kpi.code} from {when}", lines
    if isinstance(change, KpiRetirement):
        return f"Definition of {change.kpi.code}", [_retired(change.current.valid_from, when)]
    if isinstance(change, ObjectiveRetirement):
        named = f"Objective {change.objective.code} ({change.current.name})"
        return named, [_retired(change.current.valid_from, when)]
    if isinstance(change, ObjectiveCreation):
        return _creation_diff(user, change, when)
    if isinstance(change, TargetChange):
        where = change.subject_unit.name if change.subject_unit else _person(user, change)
        current = {spec.name: getattr(change.current, spec.name, None) for spec in TARGET}
        span = date_format(change.period_start, "M Y")
        lines = _field_lines(Target, TARGET, current, change.content, {})
        return f"Target of {change.kpi.code} at {where}, span from {span}, from {when}", lines
    if isinstance(change, StatusRulesChange):
        return _rules_diff(change, day, when)
    if isinstance(change, PolicyChange):
        return _policy_diff(change, day, when)
    if isinstance(change, ObjectiveUpdate):
        before = _objective_content(change.current)
        after = {name: getattr(change.draft, name) for name in change.changed}
        names = _objective_names(user, before, after)
        lines = _field_lines(ObjectiveVersion, OBJECTIVE, before, after, names, attnames=True)
        return f"Objective {change.objective.code} from {when}", lines
    if isinstance(change, MeasureChange):
        old = _number(change.current.weight if change.current else None)
        new = "removed" if change.weight is None else _number(change.weight)
        kpi = version_on(KpiVersion, day, kpi=change.kpi)
        named = f"{kpi.name} ({change.kpi.code})" if kpi is not None else change.kpi.code
        return f"Measures of {change.objective.code} from {when}", [
            FieldChange(f"Weight of {named}", old, new)
        ]
    if isinstance(change, ObjectiveWeightChange):
        pairs = [
            ("Weight", change.current.weight, change.weight),
            ("Contribution weight", change.current.contribution_weight, change.contribution_weight),
        ]
        lines = [
            FieldChange(label, _number(old), _number(new))
            for label, old, new in pairs
            if new is not None and new != old
        ]
        return f"Weights of {change.objective.code} from {when}", lines
    if isinstance(change, PerspectiveWeightChange):
        unit = change.scorecard_unit
        unit_id = unit.pk if unit is not None else None
        weights = perspective_weights_in_force(day, [] if unit_id is None else [unit_id])
        changed = weights.with_weight(unit_id, change.perspective.pk, change.weight)
        where = unit.name if unit is not None else "every unit (the default)"
        return f"Perspective weights of {where} from {when}", [
            FieldChange(
                f"Weight of {change.perspective.name}",
                _perspective_weight(weights, unit_id, change.perspective.pk),
                _perspective_weight(changed, unit_id, change.perspective.pk),
            )
        ]
    raise TypeError(f"no diff for a {type(change).__name__}")  # every kind is listed above


def _retired(since: dt.date, when: str) -> FieldChange:
    return FieldChange("In force", f"since {date_format(since, 'j M Y')}", f"retired from {when}")


def _objective_content(version: ObjectiveVersion) -> dict[str, Any]:
    """An objective version's fields, keyed by column (references as ids)."""
    return {column(spec): getattr(version, column(spec)) for spec in OBJECTIVE}


def _objective_names(user: AnyUser, *contents: Mapping[str, Any]) -> dict[str, Mapping[int, str]]:
    """What the references of objective versions' ``contents`` are called, for ``user``."""

    def ids(name: str) -> set[int]:
        values = (content.get(f"{name}_id") for content in contents)
        return {value for value in values if isinstance(value, int)}

    return objective_names(user, ids)


def _creation_diff(
    user: AnyUser, change: ObjectiveCreation, when: str
) -> tuple[str, list[FieldChange]]:
    """A new objective: "New objective SALES-UK under GRP-GROW in Sales from 1 Apr 2026",
    with every field it is given."""
    draft = change.draft
    after = {
        name: value
        for name, value in _objective_content(draft).items()
        if value is not None and value != ""
    }
    names = _objective_names(user, after)
    if draft.person_id is not None:
        person = names["person"].get(draft.person_id, "a person not visible to you")
        about = f"New individual goal {change.code} of {person}"
    else:
        unit = names["unit"].get(draft.unit_id or 0, "a unit not visible to you")
        about = f"New objective {change.code} in {unit}"
    if draft.parent_id is not None:
        about += f" under {names['parent'].get(draft.parent_id, 'an objective')}"
    lines = _field_lines(ObjectiveVersion, OBJECTIVE, {}, after, names, attnames=True)
    return f"{about} from {when}", lines


def _policy_diff(change: PolicyChange, day: dt.date, when: str) -> tuple[str, list[FieldChange]]:
    """A scorecard policy set, or a unit's own ended (the unit then follows the default)."""
    unit = change.scorecard_unit
    default = version_on(ScorecardPolicy, day, unit=None)
    in_force = change.current or default
    current = {spec.name: getattr(in_force, spec.name, None) for spec in SCORECARD_POLICY}
    where = unit.name if unit is not None else "every unit (the default)"
    if change.content is not None:
        after = change.content
        lines = _field_lines(ScorecardPolicy, SCORECARD_POLICY, current, after, {})
        return f"Scorecard policy of {where} from {when}", lines
    after = {spec.name: getattr(default, spec.name, None) for spec in SCORECARD_POLICY}
    follows = FieldChange("Follows", "its own policy", "the organisation's default")
    lines = _field_lines(ScorecardPolicy, SCORECARD_POLICY, current, after, {})
    return f"Scorecard policy of {where} from {when}", [follows, *lines]


def _field_lines(
    model: type[Model],
    fields: Sequence[FieldSpec],
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    names: Mapping[str, Mapping[int, str]],
    *,
    attnames: bool = False,
) -> list[FieldChange]:
    """The fields whose value differs, in the specification's order, described for reading."""
    lines = []
    for spec in fields:
        key = column(spec) if attnames else spec.name
        if key not in after or before.get(key) == after[key]:
            continue
        lines.append(
            FieldChange(
                field_label(spec),
                _shown(model, spec.name, before.get(key), names),
                _shown(model, spec.name, after[key], names),
            )
        )
    return lines


def field_facts(
    model: type[Model], fields: Sequence[FieldSpec], row: Model
) -> list[tuple[str, str]]:
    """A stored definition's fields that hold a value, described for reading."""
    facts = []
    for spec in fields:
        value = getattr(row, column(spec))
        if value is None or value == "" or value == []:
            continue
        facts.append((field_label(spec), _shown(model, spec.name, value, {})))
    return facts


def in_force(model: type[Model], fields: Sequence[FieldSpec], row: Any) -> dict[str, Any]:
    """An authoring page's "in force now" panel: the row's facts and since when."""
    if row is None:
        return {"current": [], "current_since": None}
    return {"current": field_facts(model, fields, row), "current_since": row.valid_from}


def _shown(
    model: type[Model], name: str, value: Any, names: Mapping[str, Mapping[int, str]]
) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list) and value:
        return ", ".join(_number(item) for item in value)
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, dt.date) and value.day == 1 and model is Target:
        return date_format(value, "M Y")
    return describe_value(model, name, value, names)


def _kpi_names(
    user: AnyUser, current: KpiVersion, content: Mapping[str, Any]
) -> dict[str, Mapping[int, str]]:
    people = {
        value
        for name in ("owner_id", "steward_id")
        for value in (getattr(current, name), content.get(name))
        if isinstance(value, int)
    }
    named = visible_names(user, people)
    rubrics = {value for value in (current.rubric_id, content.get("rubric_id")) if value}
    return {
        "owner": named,
        "steward": named,
        "rubric": dict(Rubric.objects.filter(pk__in=rubrics).values_list("pk", "name")),
    }


def _person(user: AnyUser, change: TargetChange) -> str:
    person = change.person
    if person is None:
        return _NONE
    return visible_names(user, [person.pk]).get(person.pk, "a person not visible to you")


def _perspective_weight(weights: PerspectiveWeights, unit_id: int | None, pk: int) -> str:
    """A perspective's weight in a scorecard, saying when it is not the scorecard's own."""
    weight, source = weights.source(unit_id, pk)
    if source == NONE:
        return f"{_number(weight)} (none set)"
    if source == DEFAULT and unit_id is not None:
        return f"{_number(weight)} (the default)"
    return _number(weight)


def _number(value: float | None) -> str:
    """A number as people read it: thousands grouped, at most four decimals, no trailing
    zeros (61,200,000; 0.9894; 95.5)."""
    if value is None:
        return _NONE
    text = f"{value:,.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def rule_text(
    basis: str,
    comparison: str,
    bound: float | None,
    bound_upper: float | None,
    status: str,
) -> str:
    """One status rule in words: "Score at least 90: Green"."""
    if comparison == RuleComparison.OTHERWISE:
        return f"Otherwise: {status}"
    labels = dict(RuleComparison.choices)
    words = str(labels.get(comparison, comparison))
    if comparison == RuleComparison.BETWEEN:
        condition = f"from {_number(bound)} up to {_number(bound_upper)}"
    else:
        condition = f"{words} {_number(bound)}"
    basis_label = str(dict(RuleBasis.choices).get(basis, basis))
    return f"{basis_label} {condition}: {status}"


def _rules_diff(
    change: StatusRulesChange, day: dt.date, when: str
) -> tuple[str, list[FieldChange]]:
    statuses = dict(Status.objects.values_list("code", "name"))
    current = change.current
    inherited = change.kpi is not None and not current
    if inherited:
        current = list(
            StatusRule.objects.filter(effective_on(day), kpi=None)
            .select_related("status")
            .order_by("position")
        )
    before = [
        rule_text(r.basis, r.comparison, r.bound, r.bound_upper, r.status.name) for r in current
    ]
    after = [_spec_text(rule, statuses) for rule in change.rules]
    lines = []
    for index in range(max(len(before), len(after))):
        old = before[index] if index < len(before) else _NONE
        new = after[index] if index < len(after) else "removed"
        if old != new:
            lines.append(FieldChange(f"Rule {index + 1}", old, new))
    about = f"Status rules of {change.kpi.code}" if change.kpi else "Default status rules"
    if inherited:
        about += ", which follow the default set until now,"
    return f"{about} from {when}", lines


def _spec_text(rule: RuleSpec, statuses: Mapping[str, str]) -> str:
    return rule_text(
        rule.basis,
        rule.comparison,
        rule.bound,
        rule.bound_upper,
        statuses.get(rule.status, rule.status),
    )
