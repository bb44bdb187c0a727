"""The forms that author strategy in the pages: objectives, their weights and measures, and
the perspective weights of a unit's scorecard.

Each form is built from its definition's field specification
(:func:`~scoreline.web.spec_forms.spec_form`), so it asks for the fields the API and the
strategy files take. Reference fields offer only what the viewer may see and may use, and
the codes that come back are turned into rows from that same offer, never looked up anew.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from scoreline.access.scope import AnyUser
from scoreline.kpis.fields import MEASURE
from scoreline.kpis.queries import kpis_for
from scoreline.lib.dates import today
from scoreline.lib.fields import FieldSpec, FieldType, code, values_of
from scoreline.org.models import OrgUnit
from scoreline.org.queries import people_for
from scoreline.strategy.actions.objectives import WEIGHTS
from scoreline.strategy.fields import OBJECTIVE
from scoreline.strategy.models import Objective, ObjectiveVersion, Perspective, Theme
from scoreline.strategy.queries import objectives_for
from scoreline.web.spec_forms import Options, spec_form, spec_initial

__all__ = [
    "CREATE_FIELDS",
    "MEASURE_WEIGHT_FIELDS",
    "REVISE_FIELDS",
    "WEIGHT_FIELDS",
    "DatedForm",
    "References",
    "dated_form",
    "kpi_references",
    "objective_form",
    "objective_references",
    "perspective_references",
    "stored_initial",
]

_PLACE = ("unit", "person")  # where an objective belongs: the page it is authored from
CREATE_FIELDS: tuple[FieldSpec, ...] = (
    code("code", Objective._meta.get_field("code").max_length or 60),
    *(spec for spec in OBJECTIVE if spec.name not in _PLACE),
)
"""A new objective of the unit the page is about: its code and content."""

REVISE_FIELDS = tuple(spec for spec in OBJECTIVE if spec.name not in (*_PLACE, *WEIGHTS))
"""What a revision changes, its parent and perspective included (a move, governed); the
weights have a form of their own."""

WEIGHT_FIELDS = tuple(spec for spec in OBJECTIVE if spec.name in WEIGHTS)
"""An objective's weight in its scorecard and its contribution weight in its parent."""

MEASURE_WEIGHT_FIELDS = tuple(spec for spec in MEASURE if spec.name != "kpi")
"""The weight of a KPI already measuring an objective."""

_DATED = ("effective", "reason")


class DatedForm(forms.Form):
    """A definition's fields, then the day the change takes effect and why."""

    effective = forms.DateField(
        label="Effective from",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The first day the change applies; the version before stays in the history.",
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the history with the change.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields([name for name in self.fields if name not in _DATED])
        self.fields["effective"].initial = today()


@dataclass(frozen=True)
class References:
    """What a form's reference fields offer: for each kind (``perspective``, ``person``...),
    code -> (label, row)."""

    rows: Mapping[str, Mapping[str, tuple[str, Any]]]

    def options(self) -> Options:
        return {
            kind: [(key, label) for key, (label, _) in rows.items()]
            for kind, rows in self.rows.items()
        }

    def resolve(self, fields: Iterable[FieldSpec], cleaned: Mapping[str, Any]) -> dict[str, Any]:
        """The cleaned values of ``fields``, references as the rows offered (None if empty)."""
        values: dict[str, Any] = {}
        for spec in fields:
            value = cleaned[spec.name]
            if spec.type is FieldType.REF:
                value = self.rows[spec.ref][value][1] if value else None
            values[spec.name] = value
        return values


# What the pages say about an objective's place in the cascade and its weights.
_HELP = {
    "parent": "An objective of this unit or of a unit above it that this one contributes to.",
    "contribution_weight": "Its share in the parent's score, relative to the other "
    "objectives contributing to the parent.",
    "weight": "Its share in its perspective, relative to the unit's other objectives there.",
    "owner": "Someone in this unit, below it or above it.",
}


def dated_form(
    fields: Iterable[FieldSpec],
    references: References | None = None,
    data: Mapping[str, Any] | None = None,
    initial: dict[str, Any] | None = None,
) -> DatedForm:
    form_class = spec_form(fields, references.options() if references else {}, base=DatedForm)
    form = form_class(data, initial=initial)
    assert isinstance(form, DatedForm)
    return form


def objective_form(
    fields: Iterable[FieldSpec],
    references: References | None,
    data: Mapping[str, Any] | None,
    initial: dict[str, Any],
) -> DatedForm:
    """A form of some of an objective's fields, saying what its cascade fields mean."""
    form = dated_form(fields, references, data, initial)
    for name, help_text in _HELP.items():
        if name in form.fields:
            form.fields[name].help_text = help_text
    return form


def stored_initial(row: object, fields: Iterable[FieldSpec]) -> dict[str, Any]:
    """A stored definition's fields as a form's initial data."""
    listed = tuple(fields)
    return spec_initial(values_of(row, listed), listed)


def _line_of(unit: OrgUnit) -> QuerySet[OrgUnit]:
    """``unit`` and the units above it (their paths are the prefixes of its path)."""
    step = OrgUnit.steplen
    return OrgUnit.objects.filter(
        path__in=[unit.path[:end] for end in range(step, len(unit.path) + 1, step)]
    )


def _perspectives() -> dict[str, tuple[str, Any]]:
    return {p.code: (p.name, p) for p in Perspective.objects.order_by("position", "code")}


def objective_references(
    user: AnyUser, unit: OrgUnit, *, editing: ObjectiveVersion | None = None
) -> References:
    """What an objective of ``unit`` may refer to: any perspective and theme; as owner, a
    person the viewer may see in the unit, below it or above it; as parent, an objective in
    force today of the unit or a unit above it that the viewer may see (not itself)."""
    line = _line_of(unit)
    people = people_for(user).filter(
        Q(primary_unit__path__startswith=unit.path) | Q(primary_unit__in=line)
    )
    if editing is not None and editing.owner_id is not None:
        people = people | people_for(user).filter(pk=editing.owner_id)
    parents = (
        objectives_for(user, today())
        .filter(unit__in=line)
        .order_by("unit__path", "objective__code")
    )
    if editing is not None:
        parents = parents.exclude(objective_id=editing.objective_id)
    return References(
        {
            "perspective": _perspectives(),
            "theme": {t.code: (t.name, t) for t in Theme.objects.order_by("name")},
            "person": {
                p.employee_id: (f"{p.full_name} ({p.employee_id})", p)
                for p in people.order_by("last_name", "first_name")
            },
            "objective": {
                v.objective.code: (f"{v.name} ({v.objective.code}) · {v.unit.name}", v.objective)
                for v in parents
                if v.unit is not None
            },
        }
    )


def kpi_references(user: AnyUser, day: dt.date, *, leave_out: Iterable[int] = ()) -> References:
    """The KPIs in force the viewer may see in the catalogue, but those in ``leave_out``."""
    versions = kpis_for(user, day).exclude(kpi_id__in=list(leave_out))
    return References({"kpi": {v.kpi.code: (f"{v.name} ({v.kpi.code})", v.kpi) for v in versions}})


def perspective_references() -> References:
    return References({"perspective": _perspectives()})
