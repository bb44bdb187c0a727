"""Cause-and-effect links between objectives on the strategy map."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from scoreline.access.capabilities import Capability
from scoreline.access.scope import AnyUser
from scoreline.audit.chain import record_event
from scoreline.lib.dates import effective_on
from scoreline.lib.errors import Invalid
from scoreline.lib.versioned import end_version, save_version, version_fields, version_on
from scoreline.org.models import OrgUnit
from scoreline.planning.changes import Change, perform
from scoreline.strategy.actions.shared import holder_unit, lock_objective
from scoreline.strategy.models import (
    Objective,
    ObjectiveLink,
    ObjectiveVersion,
)
from scoreline.strategy.rules import check_acyclic

__all__ = [
    "LinkChange",
    "do_link_objectives",
    "do_unlink_objectives",
    "end_links",
    "prepare_link",
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


def _edit_unit(objective: Objective, day: dt.date) -> OrgUnit | None:
    """Where the right to edit an objective is held: its unit on ``day``, or as it last stood
    (None: nowhere known, so the whole organisation)."""
    version = version_on(ObjectiveVersion, day, objective=objective)
    if version is None:
        version = ObjectiveVersion.objects.filter(objective=objective).order_by("valid_from").last()
    return None if version is None else holder_unit(version)


@dataclass(kw_only=True)
class LinkChange(Change[ObjectiveLink | None]):
    """Draw (``drawn``) or remove the arrow "achieving ``cause`` drives ``effect``" from
    ``starts`` on; the map scores nothing, so any day will do."""

    cause: Objective
    effect: Objective
    drawn: bool
    current: ObjectiveLink | None = None

    @property
    def unchanged(self) -> bool:
        return self.drawn and self.current is not None

    @property
    def affected(self) -> frozenset[int]:
        return frozenset()

    def validate(self) -> None:
        day = self.starts
        if not self.drawn:
            self.current = version_on(ObjectiveLink, day, cause=self.cause, effect=self.effect)
            if self.current is None:
                raise Invalid.field(
                    "effect",
                    f"{self.cause.code} does not drive {self.effect.code} on {day}",
                    code="not_found",
                )
            return
        for field, objective in (("cause", self.cause), ("effect", self.effect)):
            if version_on(ObjectiveVersion, day, objective=objective) is None:
                raise Invalid.field(
                    field, f"{objective.code} is not in force on {day}", code="not_in_force"
                )
        if self.cause.pk == self.effect.pk:
            raise Invalid.field("effect", f"{self.cause.code} cannot drive itself", code="cycle")
        # Two new links can only close a cycle together through the links already in force
        # or as a pair between the same two objectives: holding both serialises such writers.
        # The edges are read after the locks, so they include what the previous holder wrote.
        pair = [self.cause.pk, self.effect.pk]
        list(Objective.objects.select_for_update().filter(pk__in=pair).order_by("pk"))
        in_force = ObjectiveLink.objects.filter(effective_on(day))
        list(in_force.select_for_update().order_by("pk"))
        self.current = version_on(ObjectiveLink, day, cause=self.cause, effect=self.effect)
        if self.current is not None:
            return
        edges = list(in_force.values_list("cause__code", "effect__code"))
        edges.append((self.cause.code, self.effect.code))
        check_acyclic(edges, field="effect", graph="the strategy map")

    def apply(self, actor: AnyUser, *, reason: str, source: str) -> ObjectiveLink | None:
        names = {"cause": self.cause.code, "effect": self.effect.code}
        if not self.drawn:
            assert self.current is not None
            before = {**names, "valid_from": self.current.valid_from}
            end_version(ObjectiveLink, self.starts, cause=self.cause, effect=self.effect)
            record_event(
                actor,
                "objective_link.end",
                "objective_link",
                self.current.pk,
                before={**before, "valid_until": self.current.valid_until},
                after={**before, "valid_until": self.starts},
                reason=reason,
            )
            return self.current
        _, link = save_version(
            ObjectiveLink,
            {"cause": self.cause, "effect": self.effect},
            {},
            day=self.starts,
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
            after={**names, "valid_from": self.starts},
            reason=reason,
        )
        return link


def prepare_link(cause: Objective, effect: Objective, day: dt.date, *, drawn: bool) -> LinkChange:
    """Draw the arrow from ``cause`` to ``effect`` from ``day`` on, or remove it (``drawn``
    False); the right to edit both objectives is needed."""
    units = [_edit_unit(cause, day), _edit_unit(effect, day)]
    known = tuple(unit for unit in units if unit is not None)
    return LinkChange(
        right=Capability.EDIT_STRATEGY,
        unit=known[0] if len(known) == len(units) else None,
        also_on=known[1:] if len(known) == len(units) else known,
        starts=day,
        governed=False,
        cause=cause,
        effect=effect,
        drawn=drawn,
    )


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
    change = prepare_link(cause, effect, effective, drawn=True)
    link = perform(actor, change, reason=reason, source=source) or change.current
    assert link is not None  # drawn now or already in force
    return link


@transaction.atomic
def do_unlink_objectives(
    actor: AnyUser, cause: Objective, effect: Objective, *, effective: dt.date, reason: str = ""
) -> ObjectiveLink:
    """Remove the arrow from ``cause`` to ``effect`` from ``effective`` on; earlier days keep it."""
    lock_objective(cause)
    change = prepare_link(cause, effect, effective, drawn=False)
    link = perform(actor, change, reason=reason, source="page")
    assert link is not None  # a removal always changes something
    return link
