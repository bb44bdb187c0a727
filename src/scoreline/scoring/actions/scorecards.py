"""How scorecards roll up: perspective and objective weights, and the scorecard policy of a
unit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from scoreline.access.capabilities import Capability
from scoreline.access.scope import AnyUser
from scoreline.audit.versions import save_or_end_audited_version
from scoreline.kpis.defaults import DEFAULT_CASCADE_SHARE
from scoreline.kpis.models import (
    ObjectiveMeasure,
)
from scoreline.lib.dates import effective_on
from scoreline.lib.errors import Invalid
from scoreline.lib.validation import check_share, check_weight
from scoreline.lib.versioned import version_on
from scoreline.org.models import OrgUnit
from scoreline.planning.changes import Change
from scoreline.scoring.actions.rescoring import carry_out
from scoreline.scoring.models import CombineRule, MissingPolicy, PerspectiveWeight, ScorecardPolicy
from scoreline.scoring.perspectives import perspective_weights_in_force
from scoreline.strategy.actions.objectives import apply_objective_weights
from scoreline.strategy.actions.shared import holder_unit, lock_objective
from scoreline.strategy.models import Objective, ObjectiveVersion, Perspective

__all__ = [
    "ObjectiveWeightChange",
    "PerspectiveWeightChange",
    "PolicyChange",
    "do_end_scorecard_policy",
    "do_set_objective_weights",
    "do_set_perspective_weight",
    "do_set_scorecard_policy",
    "prepare_objective_weights",
    "prepare_perspective_weight",
    "prepare_scorecard_policy",
]


@dataclass(kw_only=True)
class PerspectiveWeightChange(Change[PerspectiveWeight | None]):
    """A perspective's weight in a unit's scorecard (or the default); a weight of None ends
    it, and the perspective weighs as it would without one."""

    perspective: Perspective
    scorecard_unit: OrgUnit | None
    weight: float | None
    current: PerspectiveWeight | None

    @property
    def unchanged(self) -> bool:
        return (
            self.weight is not None
            and self.current is not None
            and self.current.weight == self.weight
        )

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
        if self.weight is None:
            if self.current is None:
                raise Invalid.field(
                    "weight",
                    f"{self.perspective.code} has no weight of its own here on "
                    f"{self.starts.isoformat()}",
                    code="not_in_force",
                )
        else:
            self.weight = check_weight("weight", self.weight)
        unit_id = self.scorecard_unit.pk if self.scorecard_unit is not None else None
        weights = perspective_weights_in_force(self.starts, [] if unit_id is None else [unit_id])
        after = weights.with_weight(unit_id, self.perspective.pk, self.weight)
        after.check(unit_id, Perspective.objects.values_list("pk", flat=True))

    def apply(self, actor: AnyUser, *, reason: str, source: str) -> PerspectiveWeight | None:
        return save_or_end_audited_version(
            actor,
            PerspectiveWeight,
            {"perspective": self.perspective, "unit": self.scorecard_unit},
            None if self.weight is None else {"weight": self.weight},
            day=self.starts,
            reason=reason,
            source=source,
            object_type="perspective_weight",
            actions=("perspective_weight.set", "perspective_weight.end"),
        )


def prepare_perspective_weight(
    perspective: Perspective, unit: OrgUnit | None, weight: float | None, day: dt.date
) -> PerspectiveWeightChange:
    """The weight of a perspective in ``unit``'s scorecard (None: the default) from ``day``;
    a ``weight`` of None ends the one in force."""
    identity = {"perspective": perspective, "unit": unit}
    return PerspectiveWeightChange(
        right=Capability.EDIT_STRATEGY,
        unit=unit,
        starts=day,
        governed=True,
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
    return carry_out(actor, change, reason=reason, source=source)


@dataclass(kw_only=True)
class PolicyChange(Change[ScorecardPolicy | None]):
    """How a unit's scorecard rolls up (or the default's); ``content`` None ends the unit's
    own policy, and the default applies again."""

    scorecard_unit: OrgUnit | None
    content: dict[str, Any] | None
    current: ScorecardPolicy | None

    @property
    def unchanged(self) -> bool:
        return (
            self.content is not None
            and self.current is not None
            and all(getattr(self.current, name) == value for name, value in self.content.items())
        )

    @property
    def affected(self) -> None:
        return None  # every scorecard under the unit rolls up anew

    def validate(self) -> None:
        if self.content is None:
            if self.current is None:
                where = self.scorecard_unit.name if self.scorecard_unit else "The default"
                raise Invalid.field(
                    "effective",
                    f"{where} has no scorecard policy of its own in force on "
                    f"{self.starts.isoformat()} to end",
                    code="not_in_force",
                )
            return
        combine, missing = self.content["combine"], self.content["missing"]
        if combine not in CombineRule.values:
            raise Invalid.field(
                "combine", f"{combine!r} is not one of {', '.join(CombineRule.values)}"
            )
        if missing not in MissingPolicy.values:
            raise Invalid.field(
                "missing", f"{missing!r} is not one of {', '.join(MissingPolicy.values)}"
            )
        if not isinstance(self.content["cap_at_100"], bool):
            raise Invalid.field("cap_at_100", "must be true or false")
        check_share("cascade_share", self.content.get("cascade_share"))

    def apply(self, actor: AnyUser, *, reason: str, source: str) -> ScorecardPolicy | None:
        return save_or_end_audited_version(
            actor,
            ScorecardPolicy,
            {"unit": self.scorecard_unit},
            self.content,
            day=self.starts,
            reason=reason,
            source=source,
            object_type="scorecard_policy",
            actions=("scorecard_policy.set", "scorecard_policy.end"),
        )


def prepare_scorecard_policy(
    unit: OrgUnit | None, content: dict[str, Any] | None, day: dt.date
) -> PolicyChange:
    """``unit``'s scorecard policy (None: the default) from ``day``: ``content`` holds the
    fields of :data:`~scoreline.scoring.fields.SCORECARD_POLICY` (``combine``, ``missing``,
    ``cap_at_100``, ``cascade_share``), or is None to end the unit's own. A policy cannot
    reach back into a closed period."""
    return PolicyChange(
        right=Capability.EDIT_STRATEGY,
        unit=unit,
        starts=day,
        governed=True,
        scorecard_unit=unit,
        content=content,
        current=version_on(ScorecardPolicy, day, unit=unit),
    )


@transaction.atomic
def do_set_scorecard_policy(
    actor: AnyUser,
    unit: OrgUnit | None,
    *,
    combine: str,
    missing: str,
    cap_at_100: bool,
    cascade_share: float = DEFAULT_CASCADE_SHARE,
    effective: dt.date,
    reason: str = "",
    source: str = "page",
) -> ScorecardPolicy | None:
    """How ``unit``'s scorecard rolls up (None: the organisation's default) from ``effective``:
    the rule that combines, missing data, the cap, and the share of contributing objectives
    in an objective that also has KPIs of its own.

    A policy cannot reach back into a closed period. Returns None when nothing changed.
    """
    content = {
        "combine": combine,
        "missing": missing,
        "cap_at_100": cap_at_100,
        "cascade_share": cascade_share,
    }
    change = prepare_scorecard_policy(unit, content, effective)
    return carry_out(actor, change, reason=reason, source=source)


@transaction.atomic
def do_end_scorecard_policy(
    actor: AnyUser, unit: OrgUnit, *, effective: dt.date, reason: str = "", source: str = "page"
) -> None:
    """End ``unit``'s own scorecard policy on ``effective`` (its last day is the day before):
    from then on the unit follows the organisation's default, and its scores are redone.

    Governed like setting one: refused in a closed period, and in an open one taken only by
    an approved change request. Refused when the unit has no policy of its own then.
    """
    carry_out(actor, prepare_scorecard_policy(unit, None, effective), reason=reason, source=source)


@dataclass(kw_only=True)
class ObjectiveWeightChange(Change[ObjectiveVersion]):
    """An objective's weight in its scorecard and/or its contribution weight in its parent."""

    objective: Objective
    current: ObjectiveVersion
    weight: float | None
    contribution_weight: float | None

    @property
    def unchanged(self) -> bool:
        return (self.weight is None or self.weight == self.current.weight) and (
            self.contribution_weight is None
            or self.contribution_weight == self.current.contribution_weight
        )

    @property
    def affected(self) -> frozenset[int]:
        """KPIs measuring the objective or any objective cascading into it."""
        objectives = {self.objective.pk}
        frontier = set(objectives)
        in_force = ObjectiveVersion.objects.filter(effective_on(self.starts))
        while frontier:
            children = set(
                in_force.filter(parent_id__in=frontier).values_list("objective_id", flat=True)
            )
            frontier = children - objectives
            objectives |= frontier
        measures = ObjectiveMeasure.objects.filter(
            effective_on(self.starts), objective_id__in=objectives
        )
        return frozenset(measures.values_list("kpi_id", flat=True))

    def validate(self) -> None:
        if self.weight is None and self.contribution_weight is None:
            raise Invalid.field("weight", "give a weight, a contribution weight or both")
        if self.weight is not None:
            self.weight = check_weight("weight", self.weight)
        if self.contribution_weight is not None:
            self.contribution_weight = check_weight("contribution_weight", self.contribution_weight)

    def apply(self, actor: AnyUser, *, reason: str, source: str) -> ObjectiveVersion:
        return apply_objective_weights(
            actor,
            self.objective,
            effective=self.starts,
            reason=reason,
            source=source,
            weight=self.weight,
            contribution_weight=self.contribution_weight,
        )


def prepare_objective_weights(
    objective: Objective, weight: Any, contribution_weight: Any, day: dt.date
) -> ObjectiveWeightChange:
    """A change of ``objective``'s weight and/or contribution weight from ``day`` on."""
    current = version_on(ObjectiveVersion, day, objective=objective)
    if current is None:
        raise Invalid.field(
            "effective_from", f"{objective.code} is not in force on {day.isoformat()}"
        )
    return ObjectiveWeightChange(
        right=Capability.EDIT_STRATEGY,
        unit=holder_unit(current),
        starts=day,
        governed=True,
        objective=objective,
        current=current,
        weight=weight,
        contribution_weight=contribution_weight,
    )


@transaction.atomic
def do_set_objective_weights(
    actor: AnyUser,
    objective: Objective,
    *,
    effective: dt.date,
    weight: float | None = None,
    contribution_weight: float | None = None,
    reason: str = "",
    source: str = "page",
) -> ObjectiveVersion | None:
    """Change ``objective``'s weight and/or contribution weight from ``effective`` on and
    rescore the scorecards they roll up into.

    Governed: a change that would alter an open planning period is refused with the code
    ``change_request_required`` (file an ``objective_weight`` request instead). Returns the
    version in force from ``effective``, or None when nothing changed.
    """
    objective = lock_objective(objective)
    change = prepare_objective_weights(objective, weight, contribution_weight, effective)
    return carry_out(actor, change, reason=reason, source=source)
