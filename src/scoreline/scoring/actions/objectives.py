"""An objective created, revised, retired or reweighed by a workshop, and the scores of the
scorecards it rolls into redone.

Strategy prepares the change (:mod:`scoreline.strategy.actions.objectives`); moving an
objective in the cascade, to another unit or perspective, reweighing it or ending it changes
how scorecards roll up, so the change is carried out here, where it is rescored in the same
transaction. A change of its wording alone rescores nothing, and neither does a new
objective where its scorecards skip missing data (it has no score until measured).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Q

from scoreline.access.scope import AnyUser
from scoreline.lib.versioned import version_on
from scoreline.org.models import OrgUnit, Person
from scoreline.scoring.actions.rescoring import carry_out, rescore
from scoreline.scoring.models import MissingPolicy, ScorecardPolicy
from scoreline.strategy.actions import workshops
from scoreline.strategy.actions.objectives import (
    ObjectiveCreation,
    prepare_objective,
    prepare_objective_retirement,
    prepare_objective_update,
)
from scoreline.strategy.actions.shared import holder_unit, lock_objective
from scoreline.strategy.models import (
    Objective,
    ObjectiveVersion,
    Perspective,
    Theme,
    Workshop,
    WorkshopSubject,
)

__all__ = [
    "counts_missing",
    "do_agree_weights",
    "do_create_objective",
    "do_retire_objective",
    "do_update_objective",
    "prepare_objective_creation",
]


def counts_missing(units: set[int], day: dt.date) -> bool:
    """Whether a scorecard policy of ``units``, or the default, in force on ``day`` or later
    counts missing data (as zero, or blanking the parent) instead of skipping it."""
    policies = ScorecardPolicy.objects.filter(Q(unit__isnull=True) | Q(unit_id__in=units))
    policies = policies.filter(Q(valid_until__isnull=True) | Q(valid_until__gt=day))
    return policies.exclude(missing=MissingPolicy.SKIP).exists()


def prepare_objective_creation(
    code: str, fields: Mapping[str, Any], day: dt.date
) -> ObjectiveCreation:
    """A new objective (see :func:`~scoreline.strategy.actions.objectives.prepare_objective`)
    that knows whether it alters scores: it does where the scorecard of its unit (or its
    person's unit) or of its parent's unit counts missing data, as it has no score yet, and
    then it is governed (an open period takes it only by approved change request)."""
    change = prepare_objective(code, fields, day)
    draft = change.draft
    units = set()
    if draft.unit_id is not None or draft.person_id is not None:
        units.add(holder_unit(draft).pk)
    if draft.parent_id is not None:
        parent = version_on(ObjectiveVersion, day, objective_id=draft.parent_id)
        if parent is not None:
            units.add(holder_unit(parent).pk)
    change.counts_missing = counts_missing(units, day)
    change.governed = change.counts_missing
    return change


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
    """Create an objective of ``unit`` (or an individual goal of ``person``) from
    ``valid_from``, and rescore what it alters.

    Its first version places it in the cascade under ``parent``, which must be in force on
    that day and belong to the same unit or one above it (for an individual goal: the
    person's primary unit or one above it). Where a scorecard it rolls into counts missing
    data, the creation alters scores: inside an open planning period it then needs a change
    request (code ``change_request_required``), and a closed one refuses it
    (``period_closed``).
    """
    fields = {
        "name": name,
        "description": description,
        "perspective": perspective,
        "theme": theme,
        "unit": unit,
        "person": person,
        "owner": owner,
        "parent": parent,
        "contribution_weight": contribution_weight,
        "weight": weight,
        "horizon_start": horizon_start,
        "horizon_end": horizon_end,
        "esg_pillar": esg_pillar,
        "disclosure_ref": disclosure_ref,
        "required_by": required_by,
    }
    change = prepare_objective_creation(code, fields, valid_from)
    created = carry_out(actor, change, reason=reason, source=source)
    assert created is not None  # a creation always changes something
    return created


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

    ``changes`` names fields of :data:`~scoreline.strategy.fields.OBJECTIVE` (foreign keys
    as instances). A change of ``weight`` or ``contribution_weight`` that would alter an open
    planning period must go through a change request (code ``change_request_required``); one
    reaching into a closed period is refused (``period_closed``). A change of where the
    objective sits or weighs rescores every scorecard. Returns the version in force from
    ``effective``.
    """
    objective = lock_objective(objective)
    change = prepare_objective_update(objective, changes, effective)
    return carry_out(actor, change, reason=reason, source=source) or change.current


@transaction.atomic
def do_retire_objective(
    actor: AnyUser,
    objective: Objective,
    *,
    effective: dt.date,
    reason: str = "",
    source: str = "page",
) -> ObjectiveVersion:
    """End an objective on ``effective`` (its last day is the day before), with its map links,
    and rescore the scorecards it rolled into.

    Refused while objectives still contribute to it in the cascade from that day on: they
    must be moved or retired first. It changes how scorecards roll up, so inside an open
    planning period it needs a change request (code ``change_request_required``), and a
    closed one refuses it (``period_closed``).
    """
    change = prepare_objective_retirement(lock_objective(objective), effective)
    retired = carry_out(actor, change, reason=reason, source=source)
    assert retired is not None  # a retirement always changes something
    return retired


@transaction.atomic
def do_agree_weights(
    actor: AnyUser, workshop: Workshop, *, method: str, effective: dt.date, reason: str = ""
) -> Workshop:
    """Close a priority workshop on its agreed weights (see
    :func:`scoreline.strategy.actions.workshops.do_agree_weights`); weights agreed for
    objectives change how every scorecard rolls up, so the scores are redone."""
    agreed = workshops.do_agree_weights(
        actor, workshop, method=method, effective=effective, reason=reason
    )
    if agreed.subject == WorkshopSubject.OBJECTIVES:
        rescore(None)
    return agreed
