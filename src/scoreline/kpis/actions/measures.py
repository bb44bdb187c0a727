"""Measures: a KPI measuring an objective, with its weight in the objective's score."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from scoreline.access.capabilities import Capability
from scoreline.access.scope import (
    AnyUser,
)
from scoreline.audit.versions import save_or_end_audited_version
from scoreline.kpis.actions.shared import definition_in_force
from scoreline.kpis.models import (
    Kpi,
    ObjectiveMeasure,
)
from scoreline.lib.dates import effective_on
from scoreline.lib.errors import Invalid
from scoreline.lib.validation import (
    check_not_all_zero,
    check_weight,
)
from scoreline.lib.versioned import (
    version_on,
)
from scoreline.planning.changes import Change
from scoreline.strategy.actions.shared import holder_unit
from scoreline.strategy.models import Objective, ObjectiveVersion

__all__ = ["MeasureChange", "prepare_measure"]


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
class MeasureChange(Change[ObjectiveMeasure | None]):
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
            definition_in_force(self.kpi, self.starts, "kpi")
            weights.append(self.weight)
        check_not_all_zero("weight", weights)

    def apply(self, actor: AnyUser, *, reason: str, source: str) -> ObjectiveMeasure | None:
        return save_or_end_audited_version(
            actor,
            ObjectiveMeasure,
            {"objective": self.objective, "kpi": self.kpi},
            None if self.weight is None else {"weight": self.weight},
            day=self.starts,
            reason=reason,
            source=source,
            object_type="objective_measure",
            actions=("measure.set", "measure.remove"),
        )


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
        governed=True,
        objective=objective,
        kpi=kpi,
        weight=weight,
        current=version_on(ObjectiveMeasure, day, **identity),
    )
