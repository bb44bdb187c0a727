"""Writes to the strategy: perspectives, themes, objectives and their cascade, the strategy map
and priority workshops. One transaction, a permission check and an audit event each.

Objectives are a stable identity (``Objective``) with effective-dated versions
(``ObjectiveVersion``). A version belongs to a unit (an objective) or to a person (an
individual goal) and may contribute to a parent objective in the cascade, which runs from
the corporate level down to individuals. Weights of objectives already in force are
governed: a change that would alter an open planning period goes through a change request,
and nothing may change inside a closed one.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q

from scoreline.access.capabilities import Capability
from scoreline.access.scope import (
    AnyUser,
    require_anywhere,
    require_everywhere,
    require_on_unit,
)
from scoreline.audit.chain import record_event, snapshot
from scoreline.engine.errors import EngineInputError
from scoreline.engine.graph import find_cycle
from scoreline.engine.workshop import agreed_weights
from scoreline.lib.dates import effective_on
from scoreline.lib.errors import Invalid
from scoreline.lib.versioned import end_version, save_version, version_fields, version_on
from scoreline.org.models import OrgUnit, Person
from scoreline.planning.control import require_direct_change_allowed
from scoreline.strategy.defaults import ESG_PERSPECTIVE
from scoreline.strategy.models import (
    EsgPillar,
    Objective,
    ObjectiveLink,
    ObjectiveVersion,
    Perspective,
    RequiredBy,
    Theme,
    Workshop,
    WorkshopAllocation,
    WorkshopItem,
    WorkshopParticipant,
    WorkshopState,
    WorkshopSubject,
)
from scoreline.strategy.queries import allocation_matrix, cascade_level

__all__ = [
    "AGREEMENT_METHODS",
    "OBJECTIVE_FIELDS",
    "ParticipantSpec",
    "apply_objective_weights",
    "do_add_esg_perspective",
    "do_agree_weights",
    "do_create_objective",
    "do_create_workshop",
    "do_link_objectives",
    "do_record_allocation",
    "do_retire_objective",
    "do_save_perspective",
    "do_save_theme",
    "do_unlink_objectives",
    "do_update_objective",
    "holder_unit",
]

# The content of an objective version a caller may set (foreign keys as model instances).
OBJECTIVE_FIELDS = (
    "name",
    "description",
    "perspective",
    "theme",
    "unit",
    "person",
    "owner",
    "parent",
    "contribution_weight",
    "weight",
    "horizon_start",
    "horizon_end",
    "esg_pillar",
    "disclosure_ref",
    "required_by",
)
_FOREIGN_KEYS = frozenset({"perspective", "theme", "unit", "person", "owner", "parent"})
# Changes to these alter scores of periods already running: they are governed.
GOVERNED_FIELDS = ("weight", "contribution_weight")
AGREEMENT_METHODS = ("mean", "median")
POINTS_TOTAL = 100.0
POINTS_TOLERANCE = 1e-6


def holder_unit(version: ObjectiveVersion) -> OrgUnit:
    """The unit an objective version belongs to: its own, or its person's primary unit."""
    if version.unit is not None:
        return version.unit
    assert version.person is not None  # a version holds exactly one of the two
    return version.person.primary_unit


def _require_edit(actor: AnyUser, version: ObjectiveVersion) -> None:
    require_on_unit(actor, Capability.EDIT_STRATEGY, holder_unit(version))


def _require_edit_objective(actor: AnyUser, objective: Objective, day: dt.date) -> None:
    """The edit right over an objective as it stands on ``day``, or as it last stood."""
    version = version_on(ObjectiveVersion, day, objective=objective)
    if version is None:
        version = ObjectiveVersion.objects.filter(objective=objective).order_by("valid_from").last()
    if version is None:
        require_everywhere(actor, Capability.EDIT_STRATEGY)
    else:
        _require_edit(actor, version)


def _fields_error(error: ValidationError) -> Invalid:
    fields = {
        name: [str(message) for message in messages]
        for name, messages in error.message_dict.items()
    }
    first_field, first_messages = next(iter(fields.items()))
    return Invalid(f"{first_field}: {first_messages[0]}", fields=fields)


def _check_change_control(objective: Objective, day: dt.date) -> None:
    """Refuse a weight change from ``day`` that would alter a planning period in use.

    The new version runs until the objective's next later version, if any: only periods
    that span overlaps count. One reaching into a closed period is refused outright
    (``period_closed``); one reaching into an open period must go through a change request
    (``change_request_required``).
    """
    later = (
        ObjectiveVersion.objects.filter(objective=objective, valid_from__gt=day)
        .order_by("valid_from")
        .values_list("valid_from", flat=True)
        .first()
    )
    require_direct_change_allowed(day, later)


# Perspectives and themes ---------------------------------------------------------------------


def _require_text(field: str, value: str) -> None:
    if not value.strip():
        raise Invalid.field(field, "must not be empty")


@transaction.atomic
def do_save_perspective(
    actor: AnyUser,
    *,
    code: str,
    name: str,
    description: str = "",
    position: int | None = None,
    is_esg: bool = False,
    reason: str = "",
) -> Perspective:
    """Create the perspective ``code`` or change it; a new one goes last unless placed."""
    require_everywhere(actor, Capability.EDIT_STRATEGY)
    _require_text("name", name)
    perspective = Perspective.objects.select_for_update().filter(code=code).first()
    before = snapshot(perspective) if perspective is not None else None
    if perspective is None:
        if position is None:
            last = Perspective.objects.aggregate(last=Max("position"))["last"]
            position = 0 if last is None else last + 1
        perspective = Perspective(code=code, position=position)
    elif position is not None:
        perspective.position = position
    perspective.name, perspective.description, perspective.is_esg = name, description, is_esg
    try:
        perspective.full_clean(validate_unique=False)
    except ValidationError as error:
        raise _fields_error(error) from None
    perspective.save()
    action = "perspective.create" if before is None else "perspective.update"
    record_event(
        actor,
        action,
        "perspective",
        perspective.pk,
        before=before,
        after=snapshot(perspective),
        reason=reason,
    )
    return perspective


def do_add_esg_perspective(actor: AnyUser, *, reason: str = "") -> Perspective:
    """Add the environmental, social and governance perspective after the others."""
    code, name, description = ESG_PERSPECTIVE
    return do_save_perspective(
        actor, code=code, name=name, description=description, is_esg=True, reason=reason
    )


@transaction.atomic
def do_save_theme(
    actor: AnyUser, *, code: str, name: str, description: str = "", reason: str = ""
) -> Theme:
    """Create the strategic theme ``code`` or change its name and description."""
    require_everywhere(actor, Capability.EDIT_STRATEGY)
    _require_text("name", name)
    theme = Theme.objects.select_for_update().filter(code=code).first()
    before = snapshot(theme) if theme is not None else None
    theme = theme or Theme(code=code)
    theme.name, theme.description = name, description
    try:
        theme.full_clean(validate_unique=False)
    except ValidationError as error:
        raise _fields_error(error) from None
    theme.save()
    action = "theme.create" if before is None else "theme.update"
    record_event(
        actor, action, "theme", theme.pk, before=before, after=snapshot(theme), reason=reason
    )
    return theme


# Objectives -------------------------------------------------------------------------------------


def _attname(name: str) -> str:
    return f"{name}_id" if name in _FOREIGN_KEYS else name


def _content(version: ObjectiveVersion) -> dict[str, Any]:
    """The versioned content of an (unsaved) version, keyed by column (foreign keys as ids)."""
    return {_attname(name): getattr(version, _attname(name)) for name in OBJECTIVE_FIELDS}


def _check_values(draft: ObjectiveVersion) -> None:
    """Field rules with messages naming the field; the model's own checks run afterwards."""
    _require_text("name", draft.name)
    if (draft.unit_id is None) == (draft.person_id is None):
        raise Invalid(
            "an objective belongs to exactly one unit or, as an individual goal, one person",
            fields={
                "unit": ["set exactly one of unit and person"],
                "person": ["set exactly one of unit and person"],
            },
        )
    for field in GOVERNED_FIELDS:
        value = getattr(draft, field)
        if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
            raise Invalid.field(field, f"must be a finite number of at least 0, got {value!r}")
    if draft.horizon_start is None or draft.horizon_end is None:
        raise Invalid.field("horizon_end", "the horizon needs a start and an end")
    if draft.horizon_end <= draft.horizon_start:
        raise Invalid.field(
            "horizon_end",
            f"the horizon ends on {draft.horizon_end}, not after its start {draft.horizon_start}",
        )
    if draft.esg_pillar not in EsgPillar.values:
        raise Invalid.field("esg_pillar", f"unknown ESG pillar {draft.esg_pillar!r}")
    if draft.required_by not in RequiredBy.values:
        raise Invalid.field("required_by", f"unknown requirement {draft.required_by!r}")
    try:
        draft.full_clean(exclude=["objective"], validate_unique=False)
    except ValidationError as error:
        raise _fields_error(error) from None


def _parent_edges(day: dt.date, *, without: Objective | None) -> list[tuple[str, str]]:
    """(parent code, child code) of the cascade in force on ``day``, leaving one objective out."""
    versions = ObjectiveVersion.objects.filter(effective_on(day), parent__isnull=False)
    if without is not None:
        versions = versions.exclude(objective=without)
    return list(versions.values_list("parent__code", "objective__code"))


def _check_parent(draft: ObjectiveVersion, objective: Objective | None, day: dt.date) -> None:
    """The cascade rules for the parent of ``draft`` on ``day``."""
    if draft.parent_id is None:
        return
    parent = Objective.objects.get(pk=draft.parent_id)
    if objective is not None and parent.pk == objective.pk:
        raise Invalid.field("parent", f"{parent.code} cannot contribute to itself", code="cycle")
    parent_version = version_on(ObjectiveVersion, day, objective=parent)
    if parent_version is None:
        raise Invalid.field("parent", f"{parent.code} is not in force on {day}", code="cascade")
    if parent_version.unit is None:
        raise Invalid.field(
            "parent",
            f"{parent.code} is an individual goal; only a unit's objective can be a parent",
            code="cascade",
        )
    home = holder_unit(draft)
    if not home.path.startswith(parent_version.unit.path):
        whose = f"{draft.person}'s unit {home.name}" if draft.person_id else home.name
        raise Invalid.field(
            "parent",
            f"{parent.code} belongs to {parent_version.unit.name}, which is neither {whose} "
            "nor a unit above it",
            code="cascade",
        )
    parent_level = cascade_level(parent_version.unit.kind)
    child_level = cascade_level(draft.unit.kind if draft.unit is not None else None)
    if parent_level > child_level:
        raise Invalid.field(
            "parent",
            f"{parent.code} is a {parent_level.label} objective and cannot lead a "
            f"{child_level.label} one: the cascade runs corporate, business unit, department, "
            "team, individual",
            code="cascade",
        )
    if objective is not None:
        # A cycle runs through one unit only (every parent sits in the child's unit or above),
        # so holding the unit's row serialises the edits that could close one. The edges are
        # read after the lock, so they include whatever the previous holder committed.
        list(OrgUnit.objects.select_for_update().filter(pk=home.pk).values_list("pk"))
        edges = [*_parent_edges(day, without=objective), (parent.code, objective.code)]
        cycle = find_cycle(edges)
        if cycle is not None:
            raise Invalid.field(
                "parent",
                f"the cascade would have a cycle: {' -> '.join(cycle)}",
                code="cycle",
            )


def _check_children(draft: ObjectiveVersion, objective: Objective, day: dt.date) -> None:
    """After a move, every objective contributing to this one must still be allowed to."""
    children = ObjectiveVersion.objects.filter(effective_on(day), parent=objective).select_related(
        "objective", "unit", "person__primary_unit"
    )
    stranded = []
    for child in children:
        if draft.unit is None:
            stranded.append(child.objective.code)
            continue
        home = holder_unit(child)
        level = cascade_level(child.unit.kind if child.unit is not None else None)
        if not home.path.startswith(draft.unit.path) or cascade_level(draft.unit.kind) > level:
            stranded.append(child.objective.code)
    if stranded:
        where = draft.unit.name if draft.unit is not None else str(draft.person)
        raise Invalid.field(
            "unit",
            f"{', '.join(sorted(stranded))} could no longer contribute to {objective.code} "
            f"in {where}",
            code="cascade",
        )


def _audit_version(
    actor: AnyUser,
    action: str,
    objective: Objective,
    before: ObjectiveVersion | None,
    after: ObjectiveVersion | None,
    reason: str,
) -> None:
    record_event(
        actor,
        action,
        "objective",
        objective.pk,
        before={"code": objective.code, **version_fields(before)} if before is not None else None,
        after={"code": objective.code, **version_fields(after)} if after is not None else None,
        reason=reason,
    )


@transaction.atomic
def do_create_objective(
    actor: AnyUser,
    *,
    code: str,
    name: str,
    perspective: Perspective,
    horizon_start: dt.date,
    horizon_end: dt.date,
    valid_from: dt.date,
    unit: OrgUnit | None = None,
    person: Person | None = None,
    description: str = "",
    theme: Theme | None = None,
    owner: Person | None = None,
    parent: Objective | None = None,
    contribution_weight: float = 1.0,
    weight: float = 1.0,
    esg_pillar: str = "",
    disclosure_ref: str = "",
    required_by: str = "",
    reason: str = "",
    source: str = "page",
) -> Objective:
    """Create an objective of ``unit`` (or an individual goal of ``person``) from ``valid_from``.

    Its first version places it in the cascade under ``parent``, which must be in force on
    that day and belong to the same unit or one above it (for an individual goal: the
    person's primary unit or one above it).
    """
    draft = ObjectiveVersion(
        name=name,
        description=description,
        perspective=perspective,
        theme=theme,
        unit=unit,
        person=person,
        owner=owner,
        parent=parent,
        contribution_weight=contribution_weight,
        weight=weight,
        horizon_start=horizon_start,
        horizon_end=horizon_end,
        esg_pillar=esg_pillar,
        disclosure_ref=disclosure_ref,
        required_by=required_by,
        valid_from=valid_from,
    )
    if unit is not None:
        require_on_unit(actor, Capability.EDIT_STRATEGY, unit)
    if person is not None:
        require_on_unit(actor, Capability.EDIT_STRATEGY, person.primary_unit)
    if unit is None and person is None:
        require_anywhere(actor, Capability.EDIT_STRATEGY)
    _require_text("code", code)
    if Objective.objects.filter(code=code).exists():
        raise Invalid.field(
            "code", f"an objective with code {code!r} already exists", code="duplicate"
        )
    try:
        Objective(code=code).full_clean(validate_unique=False)
    except ValidationError as error:
        raise _fields_error(error) from None
    _check_values(draft)
    _check_parent(draft, None, valid_from)
    try:
        with transaction.atomic():
            objective = Objective.objects.create(code=code)
    except IntegrityError:
        # Another writer took the code between the check above and this insert.
        raise Invalid.field(
            "code", f"an objective with code {code!r} already exists", code="duplicate"
        ) from None
    _, version = save_version(
        ObjectiveVersion,
        {"objective": objective},
        _content(draft),
        day=valid_from,
        author=actor,
        reason=reason,
        source=source,
    )
    _audit_version(actor, "objective.create", objective, None, version, reason)
    return objective


def _current_version(objective: Objective, day: dt.date) -> ObjectiveVersion:
    current = version_on(ObjectiveVersion, day, objective=objective)
    if current is None:
        raise Invalid.field(
            "effective", f"{objective.code} is not in force on {day}", code="not_in_force"
        )
    return current


def _write_version(
    actor: AnyUser,
    objective: Objective,
    current: ObjectiveVersion,
    changes: Mapping[str, Any],
    *,
    effective: dt.date,
    reason: str,
    source: str,
    governed: bool,
) -> ObjectiveVersion:
    """Validate and store ``current`` with ``changes`` applied as the version from ``effective``."""
    unknown = sorted(set(changes) - set(OBJECTIVE_FIELDS))
    if unknown:
        raise Invalid.field(unknown[0], "not a field of an objective")
    draft = ObjectiveVersion(objective=objective, valid_from=effective)
    for name in OBJECTIVE_FIELDS:
        attname = _attname(name)
        setattr(draft, attname, getattr(current, attname))
    for name, value in changes.items():
        setattr(draft, name, value)
    content = _content(draft)
    changed = {name for name, value in content.items() if getattr(current, name) != value}
    if not changed:
        return current
    if "person_id" in changed and draft.person is not None:
        require_on_unit(actor, Capability.EDIT_STRATEGY, draft.person.primary_unit)
    if "unit_id" in changed and draft.unit is not None:
        require_on_unit(actor, Capability.EDIT_STRATEGY, draft.unit)
    _check_values(draft)
    if governed and changed & set(GOVERNED_FIELDS):
        _check_change_control(objective, effective)
    if changed & {"parent_id", "unit_id", "person_id"}:
        _check_parent(draft, objective, effective)
        _check_children(draft, objective, effective)
    before, after = save_version(
        ObjectiveVersion,
        {"objective": objective},
        content,
        day=effective,
        author=actor,
        reason=reason,
        source=source,
    )
    assert after is not None  # the content differs from the version in force
    _audit_version(actor, "objective.update", objective, before, after, reason)
    return after


def _lock(objective: Objective) -> Objective:
    return Objective.objects.select_for_update().get(pk=objective.pk)


@transaction.atomic
def do_update_objective(
    actor: AnyUser,
    objective: Objective,
    *,
    effective: dt.date,
    reason: str = "",
    source: str = "page",
    **changes: Any,
) -> ObjectiveVersion:
    """Change an objective from ``effective`` on; the version before stays as history.

    ``changes`` names fields of :data:`OBJECTIVE_FIELDS` (foreign keys as instances). A change
    of ``weight`` or ``contribution_weight`` that would alter an open planning period must go
    through a change request (code ``change_request_required``); one reaching into a closed
    period is refused (``period_closed``). Returns the version in force from ``effective``.
    """
    objective = _lock(objective)
    current = _current_version(objective, effective)
    _require_edit(actor, current)
    return _write_version(
        actor,
        objective,
        current,
        changes,
        effective=effective,
        reason=reason,
        source=source,
        governed=True,
    )


@transaction.atomic
def apply_objective_weights(
    actor: AnyUser,
    objective: Objective,
    *,
    effective: dt.date,
    reason: str,
    source: str,
    weight: float | None = None,
    contribution_weight: float | None = None,
) -> ObjectiveVersion:
    """Write an approved weight change without change control or a permission check.

    Only for applying a change request that was approved, inside the approval's transaction:
    the approval is the permission. Returns the version in force from ``effective``.
    """
    objective = _lock(objective)
    current = _current_version(objective, effective)
    changes: dict[str, Any] = {}
    if weight is not None:
        changes["weight"] = weight
    if contribution_weight is not None:
        changes["contribution_weight"] = contribution_weight
    return _write_version(
        actor,
        objective,
        current,
        changes,
        effective=effective,
        reason=reason,
        source=source,
        governed=False,
    )


def _end_links(actor: AnyUser, objective: Objective, day: dt.date, reason: str) -> None:
    links = ObjectiveLink.objects.filter(effective_on(day)).filter(
        Q(cause=objective) | Q(effect=objective)
    )
    for link in list(links):
        record_event(
            actor,
            "objective_link.end",
            "objective_link",
            link.pk,
            before={**version_fields(link), "valid_until": link.valid_until},
            after={**version_fields(link), "valid_until": day},
            reason=reason,
        )
        end_version(ObjectiveLink, day, cause_id=link.cause_id, effect_id=link.effect_id)


@transaction.atomic
def do_retire_objective(
    actor: AnyUser, objective: Objective, *, effective: dt.date, reason: str = ""
) -> ObjectiveVersion:
    """End an objective on ``effective`` (its last day is the day before), with its map links.

    Refused while objectives still contribute to it in the cascade from that day on: they
    must be moved or retired first.
    """
    objective = _lock(objective)
    current = _current_version(objective, effective)
    _require_edit(actor, current)
    children = set(
        ObjectiveVersion.objects.filter(parent=objective)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=effective))
        .values_list("objective__code", flat=True)
    )
    if children:
        raise Invalid.field(
            "effective",
            f"{objective.code} still leads {', '.join(sorted(children))} in the cascade",
            code="has_children",
        )
    later = ObjectiveVersion.objects.filter(objective=objective, valid_from__gt=effective).first()
    if later is not None:
        raise Invalid.field(
            "effective",
            f"{objective.code} has a version starting on {later.valid_from}, after {effective}",
            code="later_version",
        )
    before = {"code": objective.code, **version_fields(current), "valid_until": current.valid_until}
    _end_links(actor, objective, effective, reason)
    end_version(ObjectiveVersion, effective, objective=objective)
    record_event(
        actor,
        "objective.retire",
        "objective",
        objective.pk,
        before=before,
        after={**before, "valid_until": effective},
        reason=reason,
    )
    return current


# The strategy map ------------------------------------------------------------------------------


def _link_versions(
    actor: AnyUser, cause: Objective, effect: Objective, day: dt.date
) -> tuple[ObjectiveVersion, ObjectiveVersion]:
    for objective in (cause, effect):
        _require_edit_objective(actor, objective, day)
    versions = []
    for field, objective in (("cause", cause), ("effect", effect)):
        version = version_on(ObjectiveVersion, day, objective=objective)
        if version is None:
            raise Invalid.field(
                field, f"{objective.code} is not in force on {day}", code="not_in_force"
            )
        versions.append(version)
    return versions[0], versions[1]


@transaction.atomic
def do_link_objectives(
    actor: AnyUser,
    cause: Objective,
    effect: Objective,
    *,
    effective: dt.date,
    reason: str = "",
    source: str = "page",
) -> ObjectiveLink:
    """Draw the arrow "achieving ``cause`` drives ``effect``" on the map from ``effective``.

    The links in force that day must stay free of cycles; linking twice changes nothing.
    """
    _link_versions(actor, cause, effect, effective)
    if cause.pk == effect.pk:
        raise Invalid.field("effect", f"{cause.code} cannot drive itself", code="cycle")
    # Two new links can only close a cycle together through the links already in force or
    # as a pair between the same two objectives: holding both serialises such writers. The
    # edges are read after the locks, so they include what the previous holder committed.
    list(Objective.objects.select_for_update().filter(pk__in=[cause.pk, effect.pk]).order_by("pk"))
    list(ObjectiveLink.objects.select_for_update().filter(effective_on(effective)).order_by("pk"))
    existing = version_on(ObjectiveLink, effective, cause=cause, effect=effect)
    if existing is not None:
        return existing
    edges = list(
        ObjectiveLink.objects.filter(effective_on(effective)).values_list(
            "cause__code", "effect__code"
        )
    )
    cycle = find_cycle([*edges, (cause.code, effect.code)])
    if cycle is not None:
        raise Invalid.field(
            "effect", f"the strategy map would have a cycle: {' -> '.join(cycle)}", code="cycle"
        )
    _, link = save_version(
        ObjectiveLink,
        {"cause": cause, "effect": effect},
        {},
        day=effective,
        author=actor,
        reason=reason,
        source=source,
    )
    assert link is not None  # no link was in force
    record_event(
        actor,
        "objective_link.create",
        "objective_link",
        link.pk,
        after={"cause": cause.code, "effect": effect.code, "valid_from": effective},
        reason=reason,
    )
    return link


@transaction.atomic
def do_unlink_objectives(
    actor: AnyUser, cause: Objective, effect: Objective, *, effective: dt.date, reason: str = ""
) -> ObjectiveLink:
    """Remove the arrow from ``cause`` to ``effect`` from ``effective`` on; earlier days keep it."""
    for objective in (cause, effect):
        _require_edit_objective(actor, objective, effective)
    _lock(cause)
    link = version_on(ObjectiveLink, effective, cause=cause, effect=effect)
    if link is None:
        raise Invalid.field(
            "effect", f"{cause.code} does not drive {effect.code} on {effective}", code="not_found"
        )
    before = {"cause": cause.code, "effect": effect.code, "valid_from": link.valid_from}
    end_version(ObjectiveLink, effective, cause=cause, effect=effect)
    record_event(
        actor,
        "objective_link.end",
        "objective_link",
        link.pk,
        before={**before, "valid_until": link.valid_until},
        after={**before, "valid_until": effective},
        reason=reason,
    )
    return link


# Priority workshops ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ParticipantSpec:
    """A participant of a workshop and the department they speak for."""

    person: Person
    department: OrgUnit


def _check_items(
    unit: OrgUnit, subject: str, items: Sequence[Theme | Objective], day: dt.date
) -> None:
    if len(items) < 2:
        raise Invalid.field("items", "a workshop weighs at least two items")
    expected = Theme if subject == WorkshopSubject.THEMES else Objective
    for index, item in enumerate(items):
        if not isinstance(item, expected):
            raise Invalid.field(f"items[{index}]", f"a workshop on {subject} weighs only {subject}")
    keys = [item.pk for item in items]
    if len(set(keys)) != len(keys):
        raise Invalid.field("items", "an item appears twice")
    if expected is Objective:
        for index, item in enumerate(items):
            assert isinstance(item, Objective)
            version = version_on(ObjectiveVersion, day, objective=item)
            if version is None:
                raise Invalid.field(f"items[{index}]", f"{item.code} is not in force on {day}")
            if version.unit is None or not version.unit.path.startswith(unit.path):
                raise Invalid.field(
                    f"items[{index}]",
                    f"{item.code} is not an objective of {unit.name} or a unit below it",
                )


def _check_participants(unit: OrgUnit, participants: Sequence[ParticipantSpec]) -> None:
    if not participants:
        raise Invalid.field("participants", "a workshop needs at least one participant")
    people: set[int] = set()
    departments: set[int] = set()
    for index, spec in enumerate(participants):
        field = f"participants[{index}]"
        if spec.person.pk in people:
            raise Invalid.field(field, f"{spec.person} takes part twice")
        if spec.department.pk in departments:
            raise Invalid.field(field, f"{spec.department.name} already has a participant")
        if not spec.department.path.startswith(unit.path):
            raise Invalid.field(
                field, f"{spec.department.name} is not {unit.name} or a unit below it"
            )
        people.add(spec.person.pk)
        departments.add(spec.department.pk)


@transaction.atomic
def do_create_workshop(
    actor: AnyUser,
    *,
    name: str,
    unit: OrgUnit,
    subject: str,
    held_on: dt.date,
    items: Sequence[Theme | Objective],
    participants: Sequence[ParticipantSpec],
    reason: str = "",
) -> Workshop:
    """Set up a priority workshop of ``unit`` on themes or on objectives of the unit's subtree."""
    require_on_unit(actor, Capability.EDIT_STRATEGY, unit)
    _require_text("name", name)
    if subject not in WorkshopSubject.values:
        raise Invalid.field("subject", f"unknown subject {subject!r}: themes or objectives")
    _check_items(unit, subject, items, held_on)
    _check_participants(unit, participants)
    workshop = Workshop.objects.create(
        name=name,
        unit=unit,
        subject=subject,
        held_on=held_on,
        facilitator=actor if isinstance(actor, User) else None,
    )
    for item in items:
        if isinstance(item, Theme):
            WorkshopItem.objects.create(workshop=workshop, theme=item)
        else:
            WorkshopItem.objects.create(workshop=workshop, objective=item)
    for spec in participants:
        WorkshopParticipant.objects.create(
            workshop=workshop, person=spec.person, department=spec.department
        )
    record_event(
        actor,
        "workshop.create",
        "workshop",
        workshop.pk,
        after={
            **snapshot(workshop),
            "items": [item.pk for item in items],
            "participants": [[spec.person.pk, spec.department.pk] for spec in participants],
        },
        reason=reason,
    )
    return workshop


def _locked_workshop(workshop: Workshop) -> Workshop:
    return Workshop.objects.select_for_update().select_related("unit").get(pk=workshop.pk)


def _require_open(workshop: Workshop) -> None:
    if workshop.state != WorkshopState.OPEN:
        raise Invalid(f"{workshop.name} has already agreed its weights", code="workshop_agreed")


def _participant_label(participant: WorkshopParticipant) -> str:
    return f"{participant.person} ({participant.department.name})"


@transaction.atomic
def do_record_allocation(
    actor: AnyUser,
    participant: WorkshopParticipant,
    points: Mapping[WorkshopItem, float],
    *,
    reason: str = "",
) -> list[WorkshopAllocation]:
    """Record how a participant spreads 100 points over the items, replacing any earlier spread.

    Items left out get no points. The facilitating side (edit-strategy right on the workshop's
    unit) records for anyone; a participant may record their own.
    """
    participant = WorkshopParticipant.objects.select_related("person", "department").get(
        pk=participant.pk
    )
    workshop = _locked_workshop(participant.workshop)
    own = getattr(actor, "is_authenticated", False) and participant.person.user_id == actor.pk
    if not own:
        require_on_unit(actor, Capability.EDIT_STRATEGY, workshop.unit)
    _require_open(workshop)
    items = {item.pk: item for item in workshop.items.all()}
    label = _participant_label(participant)
    spread: dict[int, float] = dict.fromkeys(items, 0.0)
    for item, value in points.items():
        if item.pk not in items:
            raise Invalid.field("points", f"item {item} is not on the table of {workshop.name}")
        if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
            raise Invalid.field(
                "points",
                f"{label} gives {value!r} points to {item}: points are finite and not negative",
            )
        spread[item.pk] = float(value)
    total = math.fsum(spread.values())
    if abs(total - POINTS_TOTAL) > POINTS_TOLERANCE:
        raise Invalid.field(
            "points",
            f"{label} allocates {total:g} points; the points must total 100",
            code="points_total",
        )
    previous = {
        str(row.item_id): row.points
        for row in WorkshopAllocation.objects.filter(participant=participant)
    }
    WorkshopAllocation.objects.filter(participant=participant).delete()
    rows = WorkshopAllocation.objects.bulk_create(
        WorkshopAllocation(participant=participant, item_id=item_id, points=value)
        for item_id, value in spread.items()
    )
    record_event(
        actor,
        "workshop.allocate",
        "workshop_participant",
        participant.pk,
        before={"workshop": workshop.pk, "points": previous} if previous else None,
        after={
            "workshop": workshop.pk,
            "points": {str(key): value for key, value in spread.items()},
        },
        reason=reason,
    )
    return rows


@transaction.atomic
def do_agree_weights(
    actor: AnyUser,
    workshop: Workshop,
    *,
    method: str,
    effective: dt.date,
    reason: str = "",
) -> Workshop:
    """Close the workshop on the weights agreed by ``method`` (mean or median of the points).

    Every item gets its agreed weight; in a workshop on objectives these become the
    objectives' weights from ``effective`` (weight changes, so under change control).
    """
    workshop = _locked_workshop(workshop)
    require_on_unit(actor, Capability.EDIT_STRATEGY, workshop.unit)
    _require_open(workshop)
    if method not in AGREEMENT_METHODS:
        raise Invalid.field("method", f"unknown method {method!r}: mean or median")
    items, participants, rows = allocation_matrix(workshop)
    missing = [
        _participant_label(participant)
        for participant, row in zip(participants, rows, strict=True)
        if any(math.isnan(points) for points in row)
    ]
    if missing:
        raise Invalid.field(
            "participants", f"no allocation yet from {', '.join(missing)}", code="incomplete"
        )
    chosen: Literal["mean", "median"] = "mean" if method == "mean" else "median"
    try:
        weights = [float(weight) for weight in agreed_weights(rows, chosen)]
    except EngineInputError as error:
        raise Invalid.field("points", str(error)) from error
    if not all(math.isfinite(weight) for weight in weights):
        raise Invalid.field(
            "method",
            f"the {method} of the points is 0 for every item: no weights to agree",
            code="no_agreement",
        )
    source = f"workshop:{workshop.pk}"
    why = f"Agreed in workshop {workshop.name} ({method})" + (f": {reason}" if reason else "")
    if workshop.subject == WorkshopSubject.OBJECTIVES:
        currents = [
            (item.objective, _current_version(_lock(item.objective), effective))
            for item in items
            if item.objective is not None
        ]
        for (objective, current), weight in zip(currents, weights, strict=True):
            _require_edit(actor, current)
            if current.weight != weight:
                _check_change_control(objective, effective)
        for (objective, current), weight in zip(currents, weights, strict=True):
            _write_version(
                actor,
                objective,
                current,
                {"weight": weight},
                effective=effective,
                reason=why,
                source=source,
                governed=False,
            )
    for item, weight in zip(items, weights, strict=True):
        item.agreed_weight = weight
        item.save(update_fields=["agreed_weight"])
    before = snapshot(workshop)
    workshop.state = WorkshopState.AGREED
    workshop.agreed_method = method
    workshop.agreed_on = effective
    workshop.save(update_fields=["state", "agreed_method", "agreed_on"])
    record_event(
        actor,
        "workshop.agree",
        "workshop",
        workshop.pk,
        before=before,
        after={**snapshot(workshop), "weights": {str(i.pk): i.agreed_weight for i in items}},
        reason=reason,
    )
    return workshop
