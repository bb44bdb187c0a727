"""What a check of the stored rows found: the problems, one per row, and how many rows it read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from django.db import models

from scoreline.lib.dates import effective_on
from scoreline.lib.errors import Invalid

M = TypeVar("M", bound=models.Model)

__all__ = ["Findings", "Problem"]


@dataclass(frozen=True, order=True)
class Problem:
    """A stored row that breaks a rule: its kind (``objective``, ``target``...), a code that
    finds it, and the rule's message."""

    kind: str
    code: str
    reason: str

    def __str__(self) -> str:
        return f"{self.kind} {self.code}: {self.reason}"


@dataclass
class Findings:
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)

    def read(self, rows: int) -> None:
        self.rows += rows

    def read_in_force(
        self, model: type[M], day: dt.date, related: Sequence[str], order: Sequence[str]
    ) -> list[M]:
        """The rows of a versioned ``model`` in force on ``day``, counted as read."""
        rows = list(
            model._default_manager.filter(effective_on(day))
            .select_related(*related)
            .order_by(*order)
        )
        self.read(len(rows))
        return rows

    def refused(self, kind: str, code: str, error: Invalid) -> None:
        """The row ``kind code`` breaks the rule that raised ``error``."""
        self.problems.append(Problem(kind, code, error.message))

    def sorted(self) -> list[Problem]:
        return sorted(self.problems)
