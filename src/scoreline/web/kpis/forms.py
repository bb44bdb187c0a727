"""Forms of the KPI pages: months, manual value entry and decisions on change requests.

The forms only parse what was typed; the rules (rights, red values need a note, closed
periods, the KPI's unit) are the actions', whose refusals are put back on the fields here.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from django import forms

from scoreline.lib.errors import Invalid
from scoreline.lib.months import month_start

__all__ = [
    "NOTE_MAX_LENGTH",
    "DecisionForm",
    "MonthForm",
    "ValueEntryForm",
    "add_action_errors",
    "month_label",
    "parse_month",
]

NOTE_MAX_LENGTH = 2000
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> dt.date | None:
    """``"2025-03"`` as 1 March 2025; None for anything else."""
    match = _MONTH.match(text.strip())
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and dt.MINYEAR <= year <= dt.MAXYEAR):
        return None
    return dt.date(year, month, 1)


def month_label(month: dt.date) -> str:
    """The value of an ``<input type="month">``: ``"2025-03"``."""
    return f"{month.year:04d}-{month.month:02d}"


class MonthField(forms.CharField):
    """A month typed as ``YYYY-MM`` (what ``<input type="month">`` sends), as its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})
    default_error_messages = {"invalid": "Enter a month as YYYY-MM, for example 2025-03."}

    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        if isinstance(value, dt.date):
            return month_start(value)
        text = super().to_python(value)
        if not text:
            return None
        month = parse_month(text)
        if month is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return month

    def prepare_value(self, value: Any) -> Any:
        return month_label(value) if isinstance(value, dt.date) else value


class MonthForm(forms.Form):
    """The month a scorecard is shown for (GET)."""

    month = MonthField(label="Month", required=False)


class ValueEntryForm(forms.Form):
    """A KPI's actual for one month at the unit the page shows."""

    period = MonthField(label="Month")
    value = forms.CharField(
        label="Value",
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when the value is red: say why.",
    )

    def clean_value(self) -> float:
        text = str(self.cleaned_data.get("value", "")).strip()
        try:
            number = float(text)
        except ValueError:
            raise forms.ValidationError("Enter a number, such as 12.5.", code="invalid") from None
        if not math.isfinite(number):
            raise forms.ValidationError(
                "Enter a finite number: NaN and infinity are not values.", code="not_finite"
            )
        return number


class DecisionForm(forms.Form):
    """Approve or reject one change request; a rejection says why."""

    decision = forms.ChoiceField(
        label="Decision", choices=[("approve", "Approve"), ("reject", "Reject")]
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required to reject.",
    )

    @property
    def approves(self) -> bool:
        return bool(self.cleaned_data["decision"] == "approve")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        if cleaned.get("decision") == "reject" and not str(cleaned.get("note", "")).strip():
            self.add_error("note", forms.ValidationError("A rejection needs a note saying why."))
        return cleaned


_ITEM = re.compile(r"^(\w+)\[(\d+)\]$")


def add_action_errors(form: forms.Form, invalid: Invalid) -> None:
    """Show an action's refusal on the fields it names (the rest above the form); an item of
    a list field (``profile[3]``) is shown on the field, naming the item."""
    placed = False
    for key, reasons in invalid.fields.items():
        item = _ITEM.match(key)
        name = item.group(1) if item and item.group(1) in form.fields else key
        known = name in form.fields
        for reason in reasons:
            message = reason if known else f"{key}: {reason}"
            if item and known:
                message = f"item {int(item.group(2)) + 1}: {reason}"
            form.add_error(
                name if known else None, forms.ValidationError(message, code=invalid.code)
            )
        placed = True
    if not placed:
        form.add_error(None, forms.ValidationError(invalid.message, code=invalid.code))
