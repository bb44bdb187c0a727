"""Targets of a KPI at a unit or for a person over a span of months."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from scoreline.access.capabilities import Capability
from scoreline.access.scope import (
    AnyUser,
)
from scoreline.audit.versions import end_audited_version, save_audited_version
from scoreline.kpis.actions.shared import definition_in_force, home_unit
from scoreline.kpis.fields import TARGET, TARGET_FIELDS
from scoreline.kpis.models import (
    Kpi,
    Target,
)
from scoreline.kpis.validation import (
    check_spans_apart,
    validate_target_content,
)
from scoreline.lib.errors import Invalid
from scoreline.lib.validation import (
    require_month_start,
)
from scoreline.lib.versioned import (
    version_on,
)
from scoreline.org.models import OrgUnit, Person
from scoreline.planning.changes import Change

__all__ = ["TargetChange", "TargetEnd", "prepare_target", "prepare_target_end"]


@dataclass(kw_only=True)
class TargetChange(Change[Target | None]):
    kpi: Kpi
    subject_unit: OrgUnit | None
    person: Person | None
    period_start: dt.date
    day: dt.date
    content: dict[str, Any]
    current: Target | None

    @property
    def identity(self) -> dict[str, Any]:
        return {
            "kpi": self.kpi,
            "unit": self.subject_unit,
            "person": self.person,
            "period_start": self.period_start,
        }

    @property
    def unchanged(self) -> bool:
        return self.current is not None and all(
            getattr(self.current, name) == value for name, value in self.content.items()
        )

    @property
    def affected(self) -> frozenset[int]:
        return frozenset({self.kpi.pk})

    def validate(self) -> None:
        period_end = self.content["period_end"]
        version = definition_in_force(self.kpi, self.starts, "kpi")
        validate_target_content(version, self.period_start, self.content)
        if self.day >= period_end:
            raise Invalid.field(
                "effective",
                f"{self.day.isoformat()} is not before the end of the span "
                f"({period_end.isoformat()}): the version would never apply",
            )
        spans = (
            Target.objects.filter(kpi=self.kpi, unit=self.subject_unit, person=self.person)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=self.day))
            .values_list("period_start", "period_end")
        )
        check_spans_apart(self.period_start, period_end, spans)

    def apply(self, actor: AnyUser, *, reason: str, source: str) -> Target | None:
        return save_audited_version(
            actor,
            Target,
            self.identity,
            self.content,
            day=self.day,
            reason=reason,
            source=source,
            action="target.set",
            object_type="target",
        )


def prepare_target(
    kpi: Kpi,
    *,
    unit: OrgUnit | None,
    person: Person | None,
    period_start: dt.date,
    values: Mapping[str, Any],
    day: dt.date | None,
) -> TargetChange:
    """A target version for a KPI at a unit (or for a person) over a span of months.

    ``values`` holds fields of :data:`~scoreline.kpis.fields.TARGET` (the others take their
    defaults); ``day`` is the day the version takes effect (None: the start of the span).
    The change alters the span's months from that day on.
    """
    home = home_unit(unit, person)
    require_month_start("period_start", period_start)
    require_month_start("period_end", values.get("period_end"))
    unknown = sorted(set(values) - set(TARGET_FIELDS))
    if unknown:
        raise Invalid.field(unknown[0], "not a field of a target")
    defaults = {spec.name: None if spec.required else spec.default_value() for spec in TARGET}
    content = {**defaults, **values}
    if isinstance(content["profile"], tuple):
        content["profile"] = list(content["profile"])
    if content["profile"] is None:
        content["profile"] = []
    effective = day or period_start
    identity = {"kpi": kpi, "unit": unit, "person": person, "period_start": period_start}
    current = version_on(Target, effective, **identity)
    period_end = content["period_end"]
    ends = [period_end] + ([current.period_end] if current is not None else [])
    return TargetChange(
        right=Capability.EDIT_KPI,
        unit=home,
        starts=max(effective, period_start),
        until=max(ends),
        governed=True,
        kpi=kpi,
        subject_unit=unit,
        person=person,
        period_start=period_start,
        day=effective,
        content=content,
        current=current,
    )


@dataclass(kw_only=True)
class TargetEnd(Change[Target]):
    """The target of a span ends on ``day``: from then on the span has none."""

    kpi: Kpi
    identity: dict[str, Any]
    day: dt.date
    current: Target | None

    @property
    def unchanged(self) -> bool:
        return False

    @property
    def affected(self) -> frozenset[int]:
        return frozenset({self.kpi.pk})

    def validate(self) -> None:
        if self.current is None:
            raise Invalid.field(
                "period_start",
                f"{self.kpi.code} has no target for this span on {self.day.isoformat()}",
                code="not_in_force",
            )

    def apply(self, actor: AnyUser, *, reason: str, source: str) -> Target:
        assert self.current is not None
        end_audited_version(
            actor,
            Target,
            self.identity,
            day=self.day,
            reason=reason,
            source=source,
            action="target.end",
            object_type="target",
        )
        return self.current


def prepare_target_end(
    kpi: Kpi, *, unit: OrgUnit | None, person: Person | None, period_start: dt.date, day: dt.date
) -> TargetEnd:
    """End the target of ``kpi`` at ``unit`` (or for ``person``) over the span starting
    ``period_start``, from ``day`` on; the months of the span from then on change."""
    identity = {"kpi": kpi, "unit": unit, "person": person, "period_start": period_start}
    current = version_on(Target, day, **identity)
    return TargetEnd(
        right=Capability.EDIT_KPI,
        unit=home_unit(unit, person),
        starts=max(day, period_start),
        until=None if current is None else current.period_end,
        governed=True,
        kpi=kpi,
        identity=identity,
        day=day,
        current=current,
    )
