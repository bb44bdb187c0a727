"""The reporting-lines form: rows chosen by employee ID and unit code, checked against what the
user may see, turned into line specifications for the action."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms import BaseFormSet, formset_factory

from scoreline.access.scope import AnyUser
from scoreline.lib.dates import today
from scoreline.lib.errors import Invalid
from scoreline.org.actions import LineSpec
from scoreline.org.models import LineKind, OrgUnit, Person, ReportingLine
from scoreline.org.queries import people_for, units_for

__all__ = ["MAX_LINES", "LineForm", "LinesChange"]

MAX_LINES = 20
EXTRA_ROWS = 2
_ROW_FIELD = re.compile(r"^lines\[(\d+)\]\.(\w+)$")
# The action names a row's fields as the API does; the form's fields have these names.
_FIELD_ALIASES = {"manager_id": "manager", "unit_id": "unit"}


class LineForm(forms.Form):
    """One line: the manager by employee ID, its kind, its weight and, for project lines, a unit.

    A row with neither manager, weight nor unit is empty and ignored.
    """

    manager = forms.CharField(
        label="Manager's employee ID",
        max_length=Person._meta.get_field("employee_id").max_length,
        required=False,
        widget=forms.TextInput(attrs={"class": "mono", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(label="Line", choices=LineKind.choices, initial=LineKind.DOTTED)
    weight = forms.DecimalField(
        label="Weight (%)",
        max_digits=5,
        decimal_places=2,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    unit = forms.CharField(
        label="Unit code",
        max_length=OrgUnit._meta.get_field("code").max_length,
        required=False,
        widget=forms.TextInput(attrs={"class": "mono", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_manager(self) -> Person | None:
        employee_id = str(self.cleaned_data.get("manager") or "").strip()
        if not employee_id:
            return None
        manager = people_for(self.user).filter(employee_id=employee_id).first()
        if manager is None:
            raise forms.ValidationError(
                "Nobody you can see has the employee ID %(value)s.",
                code="unknown",
                params={"value": employee_id},
            )
        return manager

    def clean_unit(self) -> OrgUnit | None:
        code = str(self.cleaned_data.get("unit") or "").strip()
        if not code:
            return None
        unit = units_for(self.user).filter(code=code).first()
        if unit is None:
            raise forms.ValidationError(
                "No unit you can see has the code %(value)s.",
                code="unknown",
                params={"value": code},
            )
        return unit

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        if self.is_blank():
            return cleaned
        if not self.has_error("manager") and cleaned.get("manager") is None:
            self.add_error("manager", forms.ValidationError("Enter the manager's employee ID."))
        if not self.has_error("weight") and cleaned.get("weight") is None:
            self.add_error("weight", forms.ValidationError("Enter a weight."))
        return cleaned

    def is_blank(self) -> bool:
        """Nothing typed in the manager, weight or unit boxes (the kind always has a value)."""
        if not self.is_bound:
            return False
        return not any(
            str(self.data.get(self.add_prefix(name), "")).strip()
            for name in ("manager", "weight", "unit")
        )

    def manager_name(self) -> str:
        """The chosen manager's name, to read beside the employee ID."""
        cleaned = getattr(self, "cleaned_data", {})
        manager = cleaned.get("manager") if isinstance(cleaned, dict) else None
        if isinstance(manager, Person):
            return manager.full_name
        if not self.is_bound:
            return str(self.initial.get("manager_name", ""))
        return ""

    def spec(self) -> LineSpec:
        manager = self.cleaned_data["manager"]
        assert isinstance(manager, Person)
        return LineSpec(
            manager=manager,
            kind=self.cleaned_data["kind"],
            weight=self.cleaned_data["weight"],
            unit=self.cleaned_data.get("unit"),
        )


LineFormSet = formset_factory(
    LineForm,
    extra=EXTRA_ROWS,
    can_delete=True,
    max_num=MAX_LINES,
    absolute_max=MAX_LINES,
    validate_max=True,
)


class ChangeDetailsForm(forms.Form):
    effective = forms.DateField(
        label="Effective from",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
    )
    reason = forms.CharField(
        label="Reason",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the audit trail.",
    )


@dataclass
class LinesChange:
    """The whole page's input: the rows, the effective date and the reason."""

    details: ChangeDetailsForm
    lines: BaseFormSet[LineForm]
    _used: list[LineForm] | None = None

    @classmethod
    def for_lines(cls, user: AnyUser, current: Iterable[ReportingLine]) -> LinesChange:
        """An unbound form pre-filled with ``current`` and starting today."""
        initial = [
            {
                "manager": line.manager.employee_id,
                "manager_name": line.manager.full_name,
                "kind": line.kind,
                "weight": format(line.weight.normalize(), "f"),
                "unit": line.unit.code if line.unit else "",
            }
            for line in current
        ]
        return cls(
            details=ChangeDetailsForm(initial={"effective": today()}),
            lines=LineFormSet(initial=initial, prefix="lines", form_kwargs={"user": user}),
        )

    @classmethod
    def from_post(cls, user: AnyUser, data: Mapping[str, Any]) -> LinesChange:
        return cls(
            details=ChangeDetailsForm(data=data),
            lines=LineFormSet(data=data, prefix="lines", form_kwargs={"user": user}),
        )

    def is_valid(self) -> bool:
        details_ok = self.details.is_valid()
        lines_ok = self.lines.is_valid()
        return details_ok and lines_ok

    @property
    def effective(self) -> dt.date:
        effective = self.details.cleaned_data["effective"]
        assert isinstance(effective, dt.date)
        return effective

    @property
    def reason(self) -> str:
        return str(self.details.cleaned_data["reason"])

    def _rows(self) -> list[LineForm]:
        if self._used is None:
            # The rows that make up the new set of lines: neither removed nor left empty.
            removed = {id(form) for form in self.lines.deleted_forms}
            self._used = [
                form for form in self.lines.forms if id(form) not in removed and not form.is_blank()
            ]
        return self._used

    def specs(self) -> list[LineSpec]:
        """The lines to set, in row order; valid only after ``is_valid()``."""
        return [form.spec() for form in self._rows()]

    def add_action_errors(self, error: Invalid) -> None:
        """Show the action's refusal: a row's field where it names one, else on the whole form."""
        rows = self._rows()
        for key, reasons in (error.fields or {"": [error.message]}).items():
            target = self._target(key, rows)
            for reason in reasons:
                if target is None:
                    self.details.add_error(None, reason)
                else:
                    form, field = target
                    form.add_error(field, reason)

    def _target(self, key: str, rows: list[LineForm]) -> tuple[forms.Form, str] | None:
        if key in self.details.fields:
            return self.details, key
        match = _ROW_FIELD.match(key)
        if match is None:
            return None
        index, field = int(match.group(1)), _FIELD_ALIASES.get(match.group(2), match.group(2))
        if index < len(rows) and field in rows[index].fields:
            return rows[index], field
        return None

    def problems(self) -> list[str]:
        """Errors about the form as a whole, shown above it."""
        return [*self.lines.non_form_errors(), *self.details.non_field_errors()]

    def has_row_errors(self) -> bool:
        return any(form.errors for form in self.lines.forms)
