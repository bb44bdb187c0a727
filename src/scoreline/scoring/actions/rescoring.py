"""The direct path of every governed change: admit it, apply it, rescore what it alters."""

from __future__ import annotations

from typing import TypeVar

from scoreline.access.scope import AnyUser
from scoreline.kpis.actions.shared import checked_source
from scoreline.planning.changes import Change, admit
from scoreline.scoring import pipeline

__all__ = ["carry_out", "rescore"]

Applied = TypeVar("Applied")


def rescore(kpi_ids: frozenset[int] | None) -> None:
    """Recompute the scores a change affects (``None``: every KPI)."""
    if kpi_ids is not None and not kpi_ids:
        return
    pipeline.recompute(kpi_ids=set(kpi_ids) if kpi_ids is not None else None)


def carry_out(
    actor: AnyUser, change: Change[Applied], *, reason: str, source: str
) -> Applied | None:
    """Admit ``change`` (right, rules, periods), apply it and rescore what it alters, inside
    the caller's transaction; None when it would change nothing (nothing is written)."""
    if not admit(actor, change):
        return None
    applied = change.apply(actor, reason=reason, source=checked_source(source))
    rescore(change.affected)
    return applied
