"""Cause-and-effect links between objectives on the strategy map."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q

from scoreline.access.scope import (
    AnyUser,
)
from scoreline.audit.chain import record_event
from scoreline.engine.graph import find_cycle
from scoreline.lib.dates import effective_on
from scoreline.lib.errors import Invalid
from scoreline.lib.versioned import end_version, save_version, version_fields, version_on
from scoreline.strategy.actions.shared import lock_objective, require_edit_objective
from scoreline.strategy.models import (
    Objective,
    ObjectiveLink,
    ObjectiveVersion,
)

__all__ = [
    "do_link_objectives",
    "do_unlink_objectives",
    "end_links",
]


def end_links(actor: AnyUser, objective: Objective, day: dt.date, reason: str) -> None:
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


def _link_versions(
    actor: AnyUser, cause: Objective, effect: Objective, day: dt.date
) -> tuple[ObjectiveVersion, ObjectiveVersion]:
    for objective in (cause, effect):
        require_edit_objective(actor, objective, day)
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
        require_edit_objective(actor, objective, effective)
    lock_objective(cause)
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
