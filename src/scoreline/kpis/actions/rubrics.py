"""Rubrics: rating scales with behavioural anchors for qualitative KPIs."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from scoreline.access.capabilities import Capability
from scoreline.access.scope import AnyUser
from scoreline.audit.chain import record_event, snapshot
from scoreline.kpis.models import (
    Assessment,
    KpiVersion,
    Rubric,
    RubricLevel,
)
from scoreline.kpis.validation import (
    LevelSpec,
    validate_rubric_levels,
)
from scoreline.lib.errors import Invalid
from scoreline.lib.validation import (
    check_model_fields,
    require_text,
)
from scoreline.planning.changes import Change

__all__ = ["RubricChange", "prepare_rubric"]


_SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")


def _rubric_state(rubric: Rubric) -> dict[str, Any]:
    return {
        **snapshot(rubric),
        "levels": [
            {"level": lv.level, "label": lv.label, "anchor": lv.anchor, "score": lv.score}
            for lv in rubric.levels.order_by("level")
        ],
    }


def _levels_state(levels: Sequence[LevelSpec], scores: Sequence[float]) -> list[dict[str, Any]]:
    ordered = sorted(levels, key=lambda level: level.level)
    return [
        {
            "level": level.level,
            "label": level.label.strip(),
            "anchor": level.anchor.strip(),
            "score": score,
        }
        for level, score in zip(ordered, scores, strict=True)
    ]


@dataclass(kw_only=True)
class RubricChange(Change[Rubric | None]):
    """Create a rubric or replace its levels, or (``levels`` None) remove it.

    Every level needs a behavioural anchor; level scores default to an even spread from 0
    to 100. A level in use by assessments cannot be dropped, nor a rubric KPIs rate on.
    """

    code: str
    name: str
    description: str
    levels: Sequence[LevelSpec] | None
    current: Rubric | None
    after: list[dict[str, Any]] = field(default_factory=list)

    @property
    def before(self) -> dict[str, Any] | None:
        return None if self.current is None else _rubric_state(self.current)

    def _state(self) -> dict[str, Any]:
        row = {"code": self.code, "name": self.name.strip(), "description": self.description}
        return {**row, "levels": self.after}

    @property
    def unchanged(self) -> bool:
        before = self.before
        if before is None or self.levels is None:
            return False
        return {name: before[name] for name in ("code", "name", "description", "levels")} == (
            self._state()
        )

    @property
    def affected(self) -> frozenset[int]:
        """The KPIs rated on the rubric, when its level scores change."""
        before = self.before
        if before is None or self.levels is None or before["levels"] == self.after:
            return frozenset()
        rated = KpiVersion.objects.filter(rubric=self.current).values_list("kpi_id", flat=True)
        return frozenset(rated)

    def validate(self) -> None:
        if self.levels is None:
            if self.current is None:
                raise Invalid.field("code", f"no rubric {self.code!r}", code="not_found")
            if KpiVersion.objects.filter(rubric=self.current).exists():
                raise Invalid.field("code", f"KPIs rate on {self.code}", code="in_use")
            return
        content = {"code": self.code, "name": self.name, "description": self.description}
        check_model_fields(Rubric, content)
        require_text("name", self.name)
        if not _SLUG.match(self.code):
            raise Invalid.field("code", "use letters, digits, '-' and '_' only")
        self.after = _levels_state(self.levels, validate_rubric_levels(self.levels))
        if self.current is not None:
            used = (
                Assessment.objects.filter(
                    kpi__versions__rubric=self.current, level__gt=len(self.levels)
                )
                .values_list("level", flat=True)
                .first()
            )
            if used is not None:
                raise Invalid.field(
                    "levels",
                    f"level {used} is used by assessments and cannot be dropped",
                    "in_use",
                )

    def apply(self, actor: AnyUser, *, reason: str, source: str) -> Rubric | None:
        before = self.before
        if self.levels is None:
            assert self.current is not None
            pk = self.current.pk
            self.current.delete()
            record_event(actor, "rubric.remove", "rubric", pk, before=before, reason=reason)
            return None
        rubric = self.current or Rubric(code=self.code)
        rubric.name, rubric.description = self.name.strip(), self.description
        rubric.save()
        rubric.levels.all().delete()
        RubricLevel.objects.bulk_create(RubricLevel(rubric=rubric, **level) for level in self.after)
        record_event(
            actor,
            "rubric.save",
            "rubric",
            rubric.pk,
            before=before,
            after=_rubric_state(rubric),
            reason=reason,
        )
        return rubric


def prepare_rubric(
    code: str,
    *,
    name: str = "",
    levels: Sequence[LevelSpec] | None,
    description: str = "",
    day: dt.date | None = None,
) -> RubricChange:
    """Create or change the rubric ``code``, or with ``levels`` None remove it. Rubrics are
    shared by the whole catalogue: the right to edit KPIs anywhere is enough."""
    return RubricChange(
        right=Capability.EDIT_KPI,
        unit=None,
        shared=True,
        starts=day or dt.date.today(),
        governed=False,
        code=code,
        name=name,
        description=description,
        levels=levels,
        current=Rubric.objects.select_for_update().filter(code=code).first(),
    )
