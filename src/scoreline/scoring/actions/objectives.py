"""An objective revised, retired or reweighed by a workshop, and the scores of the
scorecards it rolls into redone.

Strategy prepares the change (:mod:`scoreline.strategy.actions.objectives`); moving an
objective in the cascade, to another unit or perspective, reweighing it or ending it changes
how scorecards roll up, so the change is carried out here, where it is rescored in the same
transaction. A change of its wording alone rescores nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from scoreline.access.scope import AnyUser
from scoreline.scoring.actions.rescoring import carry_out, rescore
from scoreline.strategy.actions import workshops
from scoreline.strategy.actions.objectives import (
    prepare_objective_retirement,
    prepare_objective_update,
)
from scoreline.strategy.actions.shared import lock_objective
from scoreline.strategy.models import Objective, ObjectiveVersion, Workshop, WorkshopSubject

__all__ = ["do_agree_weights", "do_retire_objective", "do_update_objective"]


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
    actor: AnyUser, objective: Objective, *, effective: dt.date, reason: str = ""
) -> ObjectiveVersion:
    """End an objective on ``effective`` (its last day is the day before), with its map links,
    and rescore the scorecards it rolled into.

    Refused while objectives still contribute to it in the cascade from that day on: they
    must be moved or retired first.
    """
    change = prepare_objective_retirement(lock_objective(objective), effective)
    retired = carry_out(actor, change, reason=reason, source="page")
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
