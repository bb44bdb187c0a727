"""Rubrics: rating scales with behavioural anchors for qualitative KPIs."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scoreline.access.capabilities import Capability
from scoreline.access.scope import (
    AnyUser,
    require_anywhere,
)
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

__all__ = ["SavedRubric", "save_rubric"]


_SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")


def _rubric_state(rubric: Rubric) -> dict[str, Any]:
    return {
        **snapshot(rubric),
        "levels": [
            {"level": lv.level, "label": lv.label, "anchor": lv.anchor, "score": lv.score}
            for lv in rubric.levels.order_by("level")
        ],
    }


@dataclass(frozen=True)
class SavedRubric:
    """A rubric as saved, and the KPIs rated on it whose scores its new levels change."""

    rubric: Rubric
    rescore: frozenset[int]


def save_rubric(
    actor: AnyUser,
    *,
    code: str,
    name: str,
    levels: Sequence[LevelSpec],
    description: str = "",
    reason: str = "",
) -> SavedRubric:
    """Create a rubric or replace its levels; every level needs a behavioural anchor.

    Level scores default to an even spread from 0 to 100. A level in use by assessments
    cannot be dropped. Runs inside the caller's transaction.
    """
    require_anywhere(actor, Capability.EDIT_KPI)
    check_model_fields(Rubric, {"code": code, "name": name, "description": description})
    require_text("name", name)
    if not _SLUG.match(code):
        raise Invalid.field("code", "use letters, digits, '-' and '_' only")
    scores = validate_rubric_levels(levels)
    rubric = Rubric.objects.select_for_update().filter(code=code).first()
    before = _rubric_state(rubric) if rubric is not None else None
    if rubric is None:
        rubric = Rubric.objects.create(code=code, name=name.strip(), description=description)
    else:
        used = (
            Assessment.objects.filter(kpi__versions__rubric=rubric, level__gt=len(levels))
            .values_list("level", flat=True)
            .first()
        )
        if used is not None:
            raise Invalid.field(
                "levels", f"level {used} is used by assessments and cannot be dropped", "in_use"
            )
        rubric.name, rubric.description = name.strip(), description
        rubric.save()
        rubric.levels.all().delete()
    ordered = sorted(levels, key=lambda level: level.level)
    RubricLevel.objects.bulk_create(
        RubricLevel(
            rubric=rubric,
            level=level.level,
            label=level.label.strip(),
            anchor=level.anchor.strip(),
            score=score,
        )
        for level, score in zip(ordered, scores, strict=True)
    )
    after = _rubric_state(rubric)
    if after == before:
        return SavedRubric(rubric, frozenset())
    record_event(
        actor, "rubric.save", "rubric", rubric.pk, before=before, after=after, reason=reason
    )
    if before is None or before["levels"] == after["levels"]:
        return SavedRubric(rubric, frozenset())
    rated = KpiVersion.objects.filter(rubric=rubric).values_list("kpi_id", flat=True)
    return SavedRubric(rubric, frozenset(rated))
