"""Change control: definitions in force in an open planning period change by approved request.

A direct change to what scores a period (a KPI definition, a target, a weight, a status rule
set or a scorecard policy, the first one included) that would alter an open period is refused
with code ``change_request_required``; the requester files
the same change here instead, and someone else holding the approval right decides it. An
approved request is applied with its effective date through the very checks and writes the
direct action uses, then the affected scores are recomputed.

Payloads (JSON; dates as ``YYYY-MM-DD`` text) by kind:

``kpi``
    subject: the KPI code; payload: the KPI fields to change (``{"name": "...",
    "rubric_id": 3}``), or ``{"retire": true}`` to retire the KPI.
``target``
    subject: the KPI code; payload: ``unit_id`` or ``person_id``, ``period_start`` and the
    fields of :data:`~scoreline.kpis.fields.TARGET` (``period_end`` and ``target_type``
    always, any of the others).
``measure_weight``
    subject: the objective code; payload: ``{"kpi": code, "weight": w}`` or
    ``{"kpi": code, "remove": true}``.
``new_objective``
    subject: the new objective's code; payload: its fields of
    :data:`~scoreline.strategy.fields.OBJECTIVE`, named as for ``objective``; ``name``,
    ``perspective``, ``horizon_start``, ``horizon_end`` and ``unit_id`` (or ``person_id``,
    for an individual goal) are required (``{"name": "Grow", "perspective": "financial",
    "unit_id": 4, "parent": "GRP-GROW", "horizon_start": "2026-01-01", "horizon_end":
    "2029-01-01"}``). Needed where a scorecard it rolls into counts missing data.
``objective``
    subject: the objective code; payload: the fields of
    :data:`~scoreline.strategy.fields.OBJECTIVE` to change, as a move (``parent``,
    ``perspective``, ``unit_id``, ``person_id``) or any other revision: ``parent``,
    ``perspective`` and ``theme`` by code, ``unit_id``, ``person_id`` and ``owner_id`` by
    id, ``horizon_start`` and ``horizon_end`` as dates (``{"parent": "GRP-CUST"}``); or
    ``{"retire": true}`` to retire the objective from the effective day.
``objective_weight``
    subject: the objective code; payload: ``weight`` and/or ``contribution_weight``.
``status_rules``
    subject: the KPI code, or ``""`` for the default set; payload: ``{"rules": [...]}``,
    each rule with the fields of :data:`~scoreline.kpis.fields.STATUS_RULE`, in evaluation
    order.
``perspective_weight``
    subject: the perspective code; payload: ``{"unit_id": id or null, "weight": w}``.
``scorecard_policy``
    subject: the unit code, or ``""`` for the default policy; payload: ``{"combine": rule,
    "missing": policy, "cap_at_100": true or false, "cascade_share": share}``, the share of
    contributing objectives from 0 to 1 optional (default 0.3); or ``{"end": true}`` to end
    a unit's own policy, after which the unit follows the default.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from scoreline.access.capabilities import Capability
from scoreline.access.scope import AnyUser, holds_everywhere, holds_on_unit
from scoreline.audit.chain import jsonable, record_event, snapshot
from scoreline.governance.models import ChangeKind, ChangeRequest, ChangeState
from scoreline.kpis.actions.definitions import prepare_kpi_retirement, prepare_kpi_update
from scoreline.kpis.actions.measures import prepare_measure
from scoreline.kpis.actions.status_rules import prepare_status_rules
from scoreline.kpis.actions.targets import prepare_target
from scoreline.kpis.fields import STATUS_RULE_FIELDS, TARGET
from scoreline.kpis.models import Kpi
from scoreline.kpis.validation import RuleSpec
from scoreline.lib.errors import AccessDenied, Conflict, Invalid, NotFound
from scoreline.lib.fields import FieldType, field_names
from scoreline.lib.strict import parse_iso_date
from scoreline.lib.validation import require_text
from scoreline.org.models import OrgUnit, Person
from scoreline.planning.changes import Change, authorise
from scoreline.planning.control import (
    governing_period,
    require_direct_change_allowed,
    require_not_closed,
)
from scoreline.scoring.actions.objectives import prepare_objective_creation
from scoreline.scoring.actions.rescoring import rescore
from scoreline.scoring.actions.scorecards import (
    prepare_objective_weights,
    prepare_perspective_weight,
    prepare_scorecard_policy,
)
from scoreline.scoring.fields import SCORECARD_POLICY
from scoreline.strategy.actions.objectives import (
    prepare_objective_retirement,
    prepare_objective_update,
)
from scoreline.strategy.models import Objective, Perspective, Theme

__all__ = [
    "CHANGE_KINDS",
    "can_decide",
    "change_from_payload",
    "do_decide_change",
    "do_request_change",
    "governing_period",
    "require_direct_change_allowed",
]

# Perspective weights are governed like the other weights.
CHANGE_KINDS: tuple[str, ...] = tuple(ChangeKind.values)


# ---------------------------------------------------------------- payloads


def _date(payload: Mapping[str, Any], key: str) -> dt.date:
    value = payload.get(key)
    if isinstance(value, str):
        try:
            return parse_iso_date(value)
        except ValueError:
            pass
    raise Invalid.field(key, f"must be a date as YYYY-MM-DD, got {value!r}")


def _object_id(payload: Mapping[str, Any], key: str) -> int | None:
    value = payload.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid.field(key, f"must be an id, got {value!r}")
    return value


def _unit(payload: Mapping[str, Any], key: str = "unit_id") -> OrgUnit | None:
    pk = _object_id(payload, key)
    if pk is None:
        return None
    unit = OrgUnit.objects.filter(pk=pk).first()
    if unit is None:
        raise Invalid.field(key, f"no unit with id {pk}", code="not_found")
    return unit


def _person(payload: Mapping[str, Any], key: str = "person_id") -> Person | None:
    pk = _object_id(payload, key)
    if pk is None:
        return None
    person = Person.objects.filter(pk=pk).first()
    if person is None:
        raise Invalid.field(key, f"no person with id {pk}", code="not_found")
    return person


def _kpi(code: object, field: str = "subject") -> Kpi:
    kpi = Kpi.objects.filter(code=code).first() if isinstance(code, str) else None
    if kpi is None:
        raise Invalid.field(field, f"no KPI with code {code!r}", code="not_found")
    return kpi


def _objective(code: object, field: str = "subject") -> Objective:
    objective = Objective.objects.filter(code=code).first() if isinstance(code, str) else None
    if objective is None:
        raise Invalid.field(field, f"no objective with code {code!r}", code="not_found")
    return objective


def _by_code(model: type[Perspective | Theme], payload: Mapping[str, Any], key: str) -> Any:
    code = payload[key]
    if code is None:
        return None
    row = model.objects.filter(code=code).first() if isinstance(code, str) else None
    if row is None:
        raise Invalid.field(key, f"no {key} with code {code!r}", code="not_found")
    return row


def _objective_changes(payload: Mapping[str, Any]) -> dict[str, Any]:
    """An ``objective`` payload as the fields of an objective (references as rows)."""
    misnamed = sorted(payload.keys() & _REFERENT.keys())
    if misnamed:
        key = misnamed[0]
        raise Invalid.field(key, f"give {key}_id, the id of the {_REFERENT[key]}")
    changes = dict(payload)
    for key in payload.keys() & {"unit_id", "person_id", "owner_id"}:
        del changes[key]
        changes[key.removesuffix("_id")] = (
            _unit(payload, key) if key == "unit_id" else _person(payload, key)
        )
    if "parent" in payload:
        parent = payload["parent"]
        changes["parent"] = None if parent is None else _objective(parent, "parent")
    for key, model in (("perspective", Perspective), ("theme", Theme)):
        if key in payload:
            changes[key] = _by_code(model, payload, key)
    for key in payload.keys() & {"horizon_start", "horizon_end"}:
        changes[key] = _date(payload, key)
    return changes


_REFERENT = {"unit": "unit", "person": "person", "owner": "owner (a person)"}

_NEW_OBJECTIVE_REQUIRED = ("name", "perspective", "horizon_start", "horizon_end")


def _new_objective(code: str, payload: Mapping[str, Any], day: dt.date) -> Change:
    """A ``new_objective`` payload as the creation the page and the API make."""
    for key in _NEW_OBJECTIVE_REQUIRED:
        if payload.get(key) is None:
            raise Invalid.field(key, "is required")
    if payload.get("unit_id") is None and payload.get("person_id") is None:
        raise Invalid.field("unit_id", "give the unit's id, or person_id for an individual goal")
    return prepare_objective_creation(code, _objective_changes(payload), day)


def _only(payload: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(payload) - allowed)
    if unknown:
        raise Invalid.field(unknown[0], "is not part of this kind of change")


def _rules(payload: Mapping[str, Any]) -> list[RuleSpec]:
    _only(payload, {"rules"})
    given = payload.get("rules")
    if not isinstance(given, list) or not all(isinstance(rule, dict) for rule in given):
        raise Invalid.field("rules", "must be a list of rules")
    rules = []
    for index, rule in enumerate(given):
        unknown = sorted(set(rule) - set(STATUS_RULE_FIELDS))
        if unknown:
            raise Invalid.field(f"rules[{index}].{unknown[0]}", "is not part of a status rule")
        rules.append(
            RuleSpec(
                basis=str(rule.get("basis", "")),
                comparison=str(rule.get("comparison", "")),
                status=str(rule.get("status", "")),
                bound=rule.get("bound"),
                bound_upper=rule.get("bound_upper"),
            )
        )
    return rules


def change_from_payload(
    kind: str, subject: str, payload: Mapping[str, Any], day: dt.date
) -> Change:
    """The change a request describes, ready to check and apply (see the module's payloads)."""
    if kind == ChangeKind.KPI:
        kpi = _kpi(subject)
        if payload.get("retire") is True:
            _only(payload, {"retire"})
            return prepare_kpi_retirement(kpi, day)
        return prepare_kpi_update(kpi, payload, day)
    if kind == ChangeKind.TARGET:
        values = {key: value for key, value in payload.items() if key not in _TARGET_KEYS}
        for name in _TARGET_MONTHS:
            if name in values:
                values[name] = _date(payload, name)
        return prepare_target(
            _kpi(subject),
            unit=_unit(payload),
            person=_person(payload),
            period_start=_date(payload, "period_start"),
            values=values,
            day=day,
        )
    if kind == ChangeKind.MEASURE_WEIGHT:
        _only(payload, {"kpi", "weight", "remove"})
        kpi = _kpi(payload.get("kpi"), "kpi")
        if payload.get("remove") is True:
            return prepare_measure(_objective(subject), kpi, None, day)
        if "weight" not in payload:
            raise Invalid.field("weight", "give the new weight, or remove: true")
        return prepare_measure(_objective(subject), kpi, payload["weight"], day)
    if kind == ChangeKind.NEW_OBJECTIVE:
        return _new_objective(subject, payload, day)
    if kind == ChangeKind.OBJECTIVE:
        if not payload:
            raise Invalid.field("payload", "give the fields to change")
        if payload.get("retire") is True:
            _only(payload, {"retire"})
            return prepare_objective_retirement(_objective(subject), day)
        return prepare_objective_update(_objective(subject), _objective_changes(payload), day)
    if kind == ChangeKind.OBJECTIVE_WEIGHT:
        _only(payload, {"weight", "contribution_weight"})
        return prepare_objective_weights(
            _objective(subject), payload.get("weight"), payload.get("contribution_weight"), day
        )
    if kind == ChangeKind.STATUS_RULES:
        rules_of = _kpi(subject) if subject else None
        return prepare_status_rules(rules_of, _rules(payload), day)
    if kind == ChangeKind.PERSPECTIVE_WEIGHT:
        _only(payload, {"unit_id", "weight"})
        perspective = Perspective.objects.filter(code=subject).first()
        if perspective is None:
            raise Invalid.field("subject", f"no perspective with code {subject!r}", "not_found")
        if "weight" not in payload:
            raise Invalid.field("weight", "is required")
        return prepare_perspective_weight(perspective, _unit(payload), payload["weight"], day)
    if kind == ChangeKind.SCORECARD_POLICY:
        if payload.get("end") is True:
            _only(payload, {"end"})
            if not subject:
                raise Invalid.field(
                    "subject", "the default policy cannot be ended: give the unit's code"
                )
            return prepare_scorecard_policy(_policy_unit(subject), None, day)
        _only(payload, set(field_names(SCORECARD_POLICY)))
        for key in ("combine", "missing", "cap_at_100"):
            if key not in payload:
                raise Invalid.field(key, "is required")
        content = {
            spec.name: payload.get(spec.name, spec.default_value()) for spec in SCORECARD_POLICY
        }
        return prepare_scorecard_policy(_policy_unit(subject) if subject else None, content, day)
    raise Invalid.field("kind", f"{kind!r} is not one of {', '.join(CHANGE_KINDS)}")


def _policy_unit(code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        raise Invalid.field("subject", f"no unit with code {code!r}", "not_found")
    return unit


_TARGET_KEYS = {"unit_id", "person_id", "period_start"}
_TARGET_MONTHS = tuple(spec.name for spec in TARGET if spec.type is FieldType.MONTH)


# ---------------------------------------------------------------- requests and decisions


def _request_unit(change: Change, unit: OrgUnit | None) -> OrgUnit | None:
    """The unit whose approvers decide: the change's own, or one above it if asked."""
    if unit is None:
        return change.unit
    if change.unit is None:
        raise Invalid.field(
            "unit",
            "this change concerns the whole organisation: only approvers over every unit decide",
        )
    if not change.unit.path.startswith(unit.path):
        raise Invalid.field("unit", f"{unit.code} does not contain {change.unit.code}")
    return unit


def _may_approve(user: AnyUser, unit: OrgUnit | None) -> bool:
    if unit is None:
        return holds_everywhere(user, Capability.APPROVE_CHANGE)
    return holds_on_unit(user, Capability.APPROVE_CHANGE, unit)


def can_decide(user: AnyUser, request: ChangeRequest) -> bool:
    """Whether ``user`` may approve or reject ``request`` now."""
    return (
        request.state == ChangeState.PENDING
        and user.is_authenticated
        and request.requested_by_id != user.pk
        and _may_approve(user, request.unit)
    )


@transaction.atomic
def do_request_change(
    actor: AnyUser,
    kind: str,
    subject: str,
    payload: Mapping[str, Any],
    effective_from: dt.date,
    justification: str,
    unit: OrgUnit | None = None,
) -> ChangeRequest:
    """File a change for approval; it is checked now exactly as the direct change would be.

    The requester must hold the right to make the change directly. ``unit`` may widen the
    approvers to a unit above the one the change belongs to.
    """
    if kind not in CHANGE_KINDS:
        raise Invalid.field("kind", f"{kind!r} is not one of {', '.join(CHANGE_KINDS)}")
    if not isinstance(subject, str):
        raise Invalid.field("subject", "must be text")
    if not isinstance(payload, Mapping):
        raise Invalid.field("payload", "must be an object of fields")
    if not isinstance(effective_from, dt.date):
        raise Invalid.field("effective_from", "must be a date")
    justification = require_text("justification", justification)
    stored = jsonable(dict(payload))
    change = change_from_payload(kind, subject.strip(), stored, effective_from)
    authorise(actor, change)
    change.validate()
    if change.unchanged:
        raise Invalid.field("payload", "the change would change nothing", code="unchanged")
    require_not_closed(change.starts, change.until, field="effective_from")
    request = ChangeRequest.objects.create(
        kind=kind,
        subject=subject.strip(),
        payload=stored,
        effective_from=effective_from,
        justification=justification,
        unit=_request_unit(change, unit),
        requested_by=actor if isinstance(actor, User) else None,
    )
    record_event(
        actor,
        "change_request.create",
        "change_request",
        request.pk,
        after=snapshot(request),
        reason=justification,
    )
    return request


@transaction.atomic
def do_decide_change(
    actor: AnyUser, request_id: int, approve: bool, note: str = ""
) -> ChangeRequest:
    """Approve (apply) or reject a pending change request; a rejection needs a note.

    The request row is locked before its state is read, so of two approvals at once the
    second waits and then finds it decided (``Conflict``, code ``already_decided``): a
    change is applied exactly once.
    """
    request = ChangeRequest.objects.select_for_update().filter(pk=request_id).first()
    if request is None:
        raise NotFound("No such change request.")
    if not _may_approve(actor, request.unit):
        where = request.unit.name if request.unit is not None else "the whole organisation"
        raise AccessDenied(f"You need the right to approve changes over {where}.")
    if request.requested_by_id is not None and request.requested_by_id == actor.pk:
        raise AccessDenied("A change request is decided by someone other than its requester.")
    if request.state != ChangeState.PENDING:
        raise Conflict(
            f"the request was already {request.get_state_display().lower()}",
            code="already_decided",
        )
    if not isinstance(note, str):
        raise Invalid.field("note", "must be text")
    before = snapshot(request)
    affected: frozenset[int] | None = frozenset()
    if approve:
        change = change_from_payload(
            request.kind, request.subject, request.payload, request.effective_from
        )
        change.validate()
        require_not_closed(change.starts, change.until, field="effective_from")
        affected = change.affected
        change.apply(actor, reason=request.justification, source=f"change_request:{request.pk}")
        request.state = ChangeState.APPROVED
    else:
        require_text("note", note)
        request.state = ChangeState.REJECTED
    request.decided_by = actor if isinstance(actor, User) else None
    request.decided_at = timezone.now()
    request.decision_note = note.strip()
    request.save()
    record_event(
        actor,
        "change_request.approve" if approve else "change_request.reject",
        "change_request",
        request.pk,
        before=before,
        after=snapshot(request),
        reason=note.strip(),
    )
    if approve:
        rescore(affected)
    return request
