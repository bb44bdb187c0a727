"""Pages of computed lists, version histories and small output helpers the resources share."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from enum import Enum
from typing import Any, TypeVar

from ninja import Field, Schema

from scoreline.api.support import (
    MAX_PAGE_SIZE,
    PageQuery,
)
from scoreline.kpis.models import Status as StatusRow
from scoreline.lib.dates import today
from scoreline.lib.versioned import VersionChange

__all__ = [
    "ChangeOut",
    "HistoryOut",
    "HistoryPage",
    "T",
    "day_or_today",
    "history_out",
    "page_list",
    "plain",
    "worst_status",
]

T = TypeVar("T")


def page_list(rows: Sequence[T], page: PageQuery) -> tuple[list[T], int]:
    """One page of an already computed list and its length."""
    size = min(page.page_size, MAX_PAGE_SIZE)
    start = (page.page - 1) * size
    return list(rows[start : start + size]), len(rows)


def worst_status(codes: Iterable[str]) -> str:
    """The worst of some status codes (statuses are ordered worst first); "" if none."""
    given = {code for code in codes if code}
    if not given:
        return ""
    order = {code: position for code, position in StatusRow.objects.values_list("code", "position")}
    return min(given, key=lambda code: (order.get(code, math.inf), code))


def plain(value: Any) -> Any:
    """A choice given as an enum member as its stored value; anything else as it is."""
    return value.value if isinstance(value, Enum) else value


def day_or_today(as_of: dt.date | None) -> dt.date:
    return as_of if as_of is not None else today()


class ChangeOut(Schema):
    before: Any
    after: Any


class HistoryOut(Schema):
    valid_from: dt.date
    valid_until: dt.date | None
    author: str | None = Field(description="Username of who made the change")
    reason: str
    source: str
    recorded_at: dt.datetime
    changes: dict[str, ChangeOut] = Field(description="Fields changed from the version before")


class HistoryPage(Schema):
    items: list[HistoryOut]
    count: int


def history_out(entry: VersionChange, changes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One version of a definition as the history resources show it, with its readable
    ``changes`` (field -> before and after)."""
    version = entry.version
    return {
        "valid_from": version.valid_from,
        "valid_until": version.valid_until,
        "author": entry.author.get_username() if entry.author is not None else None,
        "reason": entry.reason,
        "source": entry.source,
        "recorded_at": version.recorded_at,
        "changes": changes,
    }
