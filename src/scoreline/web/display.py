"""Display helpers every page package shares: months shown, status colours, version histories
with their changes described, names of people the reader may see."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.utils.dateformat import format as date_format

from scoreline.access.scope import AnyUser
from scoreline.kpis.models import Status
from scoreline.lib.months import add_months, month_start
from scoreline.lib.versioned import VersionChange
from scoreline.org.queries import people_for, units_for
from scoreline.scoring.models import CombineRule, Score
from scoreline.strategy.models import Objective, Perspective, Theme

__all__ = [
    "HISTORY_MONTHS",
    "FieldChange",
    "StatusStyle",
    "VersionLine",
    "combine_label",
    "describe_value",
    "number_or_nan",
    "objective_names",
    "recent_months",
    "related_ids",
    "status_palette",
    "version_lines",
    "visible_names",
]


HISTORY_MONTHS = 36


_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def recent_months(last: dt.date, count: int = HISTORY_MONTHS) -> list[dt.date]:
    """The ``count`` months ending with ``last``'s month, oldest first."""
    end = month_start(last)
    return [add_months(end, offset) for offset in range(1 - count, 1)]


@dataclass(frozen=True)
class StatusStyle:
    code: str
    name: str
    colour: str


def status_palette() -> list[StatusStyle]:
    """The configured statuses (red, amber, green by default), worst first, with colours safe
    to put in a style sheet (anything but ``#rrggbb`` shows grey)."""
    return [
        StatusStyle(
            status.code,
            status.name,
            status.colour if _COLOUR.match(status.colour) else "#8a94a6",
        )
        for status in Status.objects.all()
    ]


def combine_label(score: Score | None) -> str:
    """How a stored roll-up score combined its parts, in words ("Weighted mean")."""
    stored = score.explanation if score is not None and isinstance(score.explanation, dict) else {}
    code = stored.get("combine")
    return str(CombineRule(code).label) if code in CombineRule.values else ""


def number_or_nan(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else math.nan


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class VersionLine:
    """One version of a definition with who made it, why, and what it changed."""

    version: Any
    author: str
    first: bool
    changes: list[FieldChange]


def describe_value(
    model: type[Model], name: str, value: Any, names: Mapping[str, Mapping[int, str]]
) -> str:
    """A version field's value as a reader wants it: labels for choices, names for ids."""
    if value is None or value == "" or value == []:
        return "\u2014"
    if isinstance(value, list):  # JSON lists (band edges, profiles) are not choices
        return ", ".join(_plain(item) for item in value)
    model_field = model._meta.get_field(name)
    if model_field.is_relation:
        return names.get(name, {}).get(value, "Not visible to you")
    choices = dict(getattr(model_field, "flatchoices", None) or ())
    if value in choices:
        return str(choices[value])
    if isinstance(value, dt.date):
        return date_format(value, "j M Y")
    return _plain(value)


def _plain(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _label(model: type[Model], name: str) -> str:
    verbose = getattr(model._meta.get_field(name), "verbose_name", name)
    return str(verbose).capitalize()


def version_lines(
    model: type[Model],
    history: Sequence[VersionChange],
    names: Mapping[str, Mapping[int, str]],
    *,
    skip: frozenset[str] = frozenset(),
) -> list[VersionLine]:
    """The versions of a definition, newest first, each with its changes described."""
    lines = []
    for index, change in enumerate(history):
        author = change.version.author
        lines.append(
            VersionLine(
                version=change.version,
                author=author.get_username() if author is not None else "system",
                first=index == 0,
                changes=[
                    FieldChange(
                        _label(model, name),
                        describe_value(model, name, old, names),
                        describe_value(model, name, new, names),
                    )
                    for name, (old, new) in change.changes.items()
                    if name not in skip
                ],
            )
        )
    return list(reversed(lines))


def related_ids(history: Sequence[VersionChange], name: str) -> set[int]:
    """Every id a foreign key ``name`` took across a history."""
    return {
        value
        for change in history
        for value in change.changes.get(name, ())
        if isinstance(value, int)
    }


def visible_names(user: AnyUser, ids: Iterable[int]) -> dict[int, str]:
    """Full names of those of ``ids`` the viewer may see."""
    return {person.pk: person.full_name for person in people_for(user).filter(pk__in=list(ids))}


def objective_names(user: AnyUser, ids: Callable[[str], set[int]]) -> dict[str, Mapping[int, str]]:
    """What an objective version's references (``ids`` of each) are called, for a reader:
    perspectives and themes by name, parents by code, units and people the reader may see."""
    people = visible_names(user, ids("person") | ids("owner"))
    return {
        "perspective": dict(
            Perspective.objects.filter(pk__in=ids("perspective")).values_list("pk", "name")
        ),
        "theme": dict(Theme.objects.filter(pk__in=ids("theme")).values_list("pk", "name")),
        "unit": dict(units_for(user).filter(pk__in=ids("unit")).values_list("pk", "name")),
        "parent": dict(Objective.objects.filter(pk__in=ids("parent")).values_list("pk", "code")),
        "person": people,
        "owner": people,
    }
