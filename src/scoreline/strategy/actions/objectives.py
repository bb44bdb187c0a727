"""Objectives and individual goals: created, revised and retired as effective-dated
versions, with their place in the cascade checked.

A creation, revision or retirement can change how scorecards roll up, so it is carried out,
and rescored, by :mod:`scoreline.scoring.actions.objectives`; this module prepares it."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from scoreline.access.capabilities import Capability
from scoreline.access.scope import AnyUser
from scoreline.audit.chain import record_event
from scoreline.lib.dates import effective_on
from scoreline.lib.errors import Invalid
from scoreline.lib.fields import column
from scoreline.lib.validation import fields_error
from scoreline.lib.versioned import end_version, save_version, version_fields, version_on
from scoreline.org.models import OrgUnit
from scoreline.planning.changes import Change
from scoreline.strategy.actions.links import end_links
from scoreline.strategy.actions.shared import (
    holder_unit,
    lock_objective,
    require_nonblank,
)
from scoreline.strategy.fields import OBJECTIVE, OBJECTIVE_FIELDS
from scoreline.strategy.models import (
    EsgPillar,
    Objective,
    ObjectiveVersion,
    RequiredBy,
)
from scoreline.strategy.rules import check_acyclic, check_parent_version, check_placement

__all__ = [
    "GOVERNED_FIELDS",
    "PLACEMENT",
    "WEIGHTS",
    "ObjectiveCreation",
    "ObjectiveRetirement",
    "ObjectiveUpdate",
    "apply_objective_weights",
    "audit_version",
    "current_version",
    "prepare_objective",
    "prepare_objective_retirement",
    "prepare_objective_update",
]

WEIGHTS = ("weight", "contribution_weight")
"""An objective's weight in its perspective and its contribution weight in its parent."""

PLACEMENT = ("parent", "unit", "person", "perspective")
"""Where an objective sits: a change of these moves it (in the cascade, to another unit or
person, to another perspective)."""

GOVERNED_FIELDS = (*WEIGHTS, *PLACEMENT)
"""Changes to these alter how scorecards roll up on the days they reach: they are governed."""

_GOVERNED_COLUMNS = frozenset(column(spec) for spec in OBJECTIVE if spec.name in GOVERNED_FIELDS)


def _content(version: ObjectiveVersion) -> dict[str, Any]:
    """The versioned content of an (unsaved) version, keyed by column (foreign keys as ids)."""
    return {column(spec): getattr(version, column(spec)) for spec in OBJECTIVE}


def _check_values(draft: ObjectiveVersion) -> None:
    """Field rules with messages naming the field; the model's own checks run afterwards."""
    require_nonblank("name", draft.name)
    if (draft.unit_id is None) == (draft.person_id is None):
        raise Invalid(
            "an objective belongs to exactly one unit or, as an individual goal, one person",
            fields={
                "unit": ["set exactly one of unit and person"],
                "person": ["set exactly one of unit and person"],
            },
        )
    for field in WEIGHTS:
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
        raise fields_error(error) from None


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
    home = holder_unit(draft)
    check_parent_version(
        parent.code,
        version_on(ObjectiveVersion, day, objective=parent),
        day,
        home,
        draft.unit,
        str(draft.person) if draft.person_id else "",
    )
    if objective is not None:
        # A cycle runs through one unit only (every parent sits in the child's unit or above),
        # so holding the unit's row serialises the edits that could close one. The edges are
        # read after the lock, so they include whatever the previous holder committed.
        list(OrgUnit.objects.select_for_update().filter(pk=home.pk).values_list("pk"))
        edges = [*_parent_edges(day, without=objective), (parent.code, objective.code)]
        check_acyclic(edges, field="parent", graph="the cascade")


def _check_children(draft: ObjectiveVersion, objective: Objective, day: dt.date) -> None:
    """Every objective contributing to this one must still be allowed to."""
    children = ObjectiveVersion.objects.filter(effective_on(day), parent=objective).select_related(
        "objective", "unit", "person__primary_unit"
    )
    stranded = []
    for child in children:
        if draft.unit is None:
            stranded.append(child.objective.code)
            continue
        try:
            check_placement(objective.code, draft.unit, holder_unit(child), child.unit)
        except Invalid:
            stranded.append(child.objective.code)
    if stranded:
        where = draft.unit.name if draft.unit is not None else str(draft.person)
        raise Invalid.field(
            "unit",
            f"{', '.join(sorted(stranded))} could no longer contribute to {objective.code} "
            f"in {where}",
            code="cascade",
        )


def audit_version(
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


def _duplicate(code: str) -> Invalid:
    return Invalid.field("code", f"an objective with code {code!r} already exists", "duplicate")


@dataclass(kw_only=True)
class ObjectiveCreation(Change[Objective]):
    """A new objective (or individual goal) with its first version, placed in the cascade.

    No KPI measures it yet, so it has no score. Where the scorecards it rolls into skip
    missing data that alters nothing; where one counts missing data (as zero, or blanking
    the parent) it alters its parent's score and all above: ``counts_missing`` says so (set
    by scoring, which knows the policies), and then the creation is governed like any other
    change to what scores a period, and every score is redone.
    """

    code: str
    draft: ObjectiveVersion
    counts_missing: bool = False

    @property
    def unchanged(self) -> bool:
        return False

    @property
    def affected(self) -> frozenset[int] | None:
        return None if self.counts_missing else frozenset()

    def validate(self) -> None:
        require_nonblank("code", self.code)
        if Objective.objects.filter(code=self.code).exists():
            raise _duplicate(self.code)
        try:
            Objective(code=self.code).full_clean(validate_unique=False)
        except ValidationError as error:
            raise fields_error(error) from None
        _check_values(self.draft)
        _check_parent(self.draft, None, self.starts)

    def apply(self, actor: AnyUser, *, reason: str, source: str) -> Objective:
        try:
            with transaction.atomic():
                objective = Objective.objects.create(code=self.code)
        except IntegrityError:
            # Another writer took the code between the check and this insert.
            raise _duplicate(self.code) from None
        _, version = save_version(
            ObjectiveVersion,
            {"objective": objective},
            _content(self.draft),
            day=self.starts,
            author=actor,
            reason=reason,
            source=source,
        )
        audit_version(actor, "objective.create", objective, None, version, reason)
        return objective


def prepare_objective(code: str, fields: Mapping[str, Any], day: dt.date) -> ObjectiveCreation:
    """A new objective ``code`` from ``day``: ``fields`` of :data:`OBJECTIVE_FIELDS` (foreign
    keys as instances); ``unit``, or ``person`` for an individual goal, says where."""
    unknown = sorted(set(fields) - set(OBJECTIVE_FIELDS))
    if unknown:
        raise Invalid.field(unknown[0], "not a field of an objective")
    draft = ObjectiveVersion(valid_from=day, **fields)
    unit = draft.unit if draft.unit is not None else None
    if unit is None and draft.person is not None:
        unit = draft.person.primary_unit
    return ObjectiveCreation(
        right=Capability.EDIT_STRATEGY,
        unit=unit,
        shared=unit is None,
        starts=day,
        governed=False,
        code=code,
        draft=draft,
    )


def current_version(objective: Objective, day: dt.date) -> ObjectiveVersion:
    current = version_on(ObjectiveVersion, day, objective=objective)
    if current is None:
        raise Invalid.field(
            "effective", f"{objective.code} is not in force on {day}", code="not_in_force"
        )
    return current


def _next_version_start(objective: Objective, day: dt.date) -> dt.date | None:
    return (
        ObjectiveVersion.objects.filter(objective=objective, valid_from__gt=day)
        .order_by("valid_from")
        .values_list("valid_from", flat=True)
        .first()
    )


@dataclass(kw_only=True)
class ObjectiveUpdate(Change[ObjectiveVersion]):
    """The version in force with some fields changed, as the version from ``starts``.

    A change of weight or contribution weight, or a move (another parent, unit, person or
    perspective), is governed up to the objective's next version; a move to another unit
    needs the right at both ends. The whole version is checked, its place in
    the cascade included, whatever changed: no save keeps a parent the rules refuse.
    """

    objective: Objective
    current: ObjectiveVersion
    draft: ObjectiveVersion

    @property
    def changed(self) -> frozenset[str]:
        return frozenset(
            name
            for name, value in _content(self.draft).items()
            if getattr(self.current, name) != value
        )

    @property
    def unchanged(self) -> bool:
        return not self.changed

    @property
    def affected(self) -> frozenset[int] | None:
        # Where the objective sits or weighs changes how scorecards roll up.
        scored = {"weight", "contribution_weight", "parent_id", "unit_id", "person_id"}
        return None if self.changed & (scored | {"perspective_id"}) else frozenset()

    def validate(self) -> None:
        # The whole object, not only what changed: a save never keeps a broken placement.
        _check_values(self.draft)
        _check_parent(self.draft, self.objective, self.starts)
        _check_children(self.draft, self.objective, self.starts)

    def apply(self, actor: AnyUser, *, reason: str, source: str) -> ObjectiveVersion:
        before, after = save_version(
            ObjectiveVersion,
            {"objective": self.objective},
            _content(self.draft),
            day=self.starts,
            author=actor,
            reason=reason,
            source=source,
        )
        assert after is not None  # the content differs from the version in force
        audit_version(actor, "objective.update", self.objective, before, after, reason)
        return after


def prepare_objective_update(
    objective: Objective, changes: Mapping[str, Any], day: dt.date
) -> ObjectiveUpdate:
    """The version in force on ``day`` with ``changes`` (fields of :data:`OBJECTIVE_FIELDS`,
    foreign keys as instances) applied, from ``day`` on."""
    unknown = sorted(set(changes) - set(OBJECTIVE_FIELDS))
    if unknown:
        raise Invalid.field(unknown[0], "not a field of an objective")
    current = current_version(objective, day)
    draft = ObjectiveVersion(objective=objective, valid_from=day)
    for spec in OBJECTIVE:
        setattr(draft, column(spec), getattr(current, column(spec)))
    for name, value in changes.items():
        setattr(draft, name, value)
    change = ObjectiveUpdate(
        right=Capability.EDIT_STRATEGY,
        unit=holder_unit(current),
        starts=day,
        until=_next_version_start(objective, day),
        governed=False,
        objective=objective,
        current=current,
        draft=draft,
    )
    if change.changed & _GOVERNED_COLUMNS:
        change.governed = True
    moved = change.changed & {"unit_id", "person_id"}
    if moved and (draft.unit is not None or draft.person is not None):
        change.also_on = (holder_unit(draft),)
    return change


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
    objective = lock_objective(objective)
    changes: dict[str, Any] = {}
    if weight is not None:
        changes["weight"] = weight
    if contribution_weight is not None:
        changes["contribution_weight"] = contribution_weight
    change = prepare_objective_update(objective, changes, effective)
    change.validate()
    if change.unchanged:
        return change.current
    return change.apply(actor, reason=reason, source=source)


@dataclass(kw_only=True)
class ObjectiveRetirement(Change[ObjectiveVersion]):
    """The objective ends on ``starts`` (its last day is the day before), with its map links.

    The scorecards it rolled into lose it from that day on, so the retirement is governed."""

    objective: Objective
    current: ObjectiveVersion

    @property
    def unchanged(self) -> bool:
        return False

    @property
    def affected(self) -> None:
        return None  # the scorecards it rolled up into change

    def validate(self) -> None:
        children = set(
            ObjectiveVersion.objects.filter(parent=self.objective)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=self.starts))
            .values_list("objective__code", flat=True)
        )
        if children:
            raise Invalid.field(
                "effective",
                f"{self.objective.code} still leads {', '.join(sorted(children))} in the cascade",
                code="has_children",
            )
        later = _next_version_start(self.objective, self.starts)
        if later is not None:
            raise Invalid.field(
                "effective",
                f"{self.objective.code} has a version starting on {later}, after {self.starts}",
                code="later_version",
            )

    def apply(self, actor: AnyUser, *, reason: str, source: str) -> ObjectiveVersion:
        current = self.current
        before = {
            "code": self.objective.code,
            **version_fields(current),
            "valid_until": current.valid_until,
        }
        end_links(actor, self.objective, self.starts, reason)
        end_version(ObjectiveVersion, self.starts, objective=self.objective)
        record_event(
            actor,
            "objective.retire",
            "objective",
            self.objective.pk,
            before=before,
            after={**before, "valid_until": self.starts},
            reason=reason,
        )
        return current


def prepare_objective_retirement(objective: Objective, day: dt.date) -> ObjectiveRetirement:
    """End ``objective`` on ``day``; refused while objectives still contribute to it."""
    current = current_version(objective, day)
    return ObjectiveRetirement(
        right=Capability.EDIT_STRATEGY,
        unit=holder_unit(current),
        starts=day,
        governed=True,
        objective=objective,
        current=current,
    )
