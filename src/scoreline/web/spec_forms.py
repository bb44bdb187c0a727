"""Forms built from a definition's field specification, so a page asks for the very fields the
API and the strategy files take (see :mod:`scoreline.lib.fields`).

A form only parses what was typed: references arrive as codes among the options the page
offers (what the viewer may see), numbers as floats, lists of numbers as comma-separated
text. The rules are the actions'; :func:`~scoreline.web.kpis.forms.add_action_errors` puts
their refusals back on the fields.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from enum import Enum
from typing import Any

from django import forms

from scoreline.lib.fields import FieldSpec, FieldType
from scoreline.web.kpis.forms import MonthField

__all__ = ["NumbersField", "Options", "field_label", "spec_form", "spec_initial"]

Options = Mapping[str, Sequence[tuple[str, str]]]
"""For each kind of reference (``unit``, ``person``, ``perspective``...), the (code, label)
pairs a form offers."""


class NumbersField(forms.CharField):
    """A list of finite numbers typed as ``1, 2.5, 3``."""

    default_error_messages = {"invalid": "Enter numbers separated by commas, such as 1, 2.5, 3."}

    def __init__(self, *, max_items: int | None = None, **kwargs: Any) -> None:
        self.max_items = max_items
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[float]:  # type: ignore[override]
        if isinstance(value, list | tuple):
            return [float(item) for item in value]
        text = super().to_python(value) or ""
        if not text.strip():
            return []
        try:
            numbers = [float(item) for item in text.split(",")]
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not all(math.isfinite(number) for number in numbers):
            raise forms.ValidationError("Enter finite numbers only.", code="not_finite")
        if self.max_items is not None and len(numbers) > self.max_items:
            raise forms.ValidationError(f"Enter at most {self.max_items} numbers.", code="too_many")
        return numbers

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(f"{item:g}" for item in value)
        return value


class FiniteFloatField(forms.FloatField):
    """A number; NaN and infinity are refused."""

    def to_python(self, value: Any) -> float | None:  # type: ignore[override]
        number = super().to_python(value)
        if number is not None and not math.isfinite(number):
            raise forms.ValidationError("Enter a finite number.", code="not_finite")
        return number


# Labels a field's name does not spell out by itself.
_LABELS = {"kpi": "KPI", "esg_pillar": "ESG pillar", "disclosure_ref": "Disclosure reference"}


def field_label(spec: FieldSpec) -> str:
    """How a page names a field: ``cap_at_100`` as "Cap at 100", ``esg_pillar`` as "ESG pillar"."""
    return _LABELS.get(spec.name) or spec.name.replace("_", " ").capitalize()


def _choices(spec: FieldSpec) -> list[tuple[str, str]]:
    labels: dict[str, str] = {}
    if spec.enum is not None:
        for member in spec.enum:
            labels[str(member.value)] = str(getattr(member, "label", member.value))
    return [(value, labels.get(value, value or "—")) for value in spec.choices]


def _field(spec: FieldSpec, options: Options) -> forms.Field:
    required = spec.required and not spec.nullable
    common: dict[str, Any] = {
        "label": field_label(spec),
        "required": required,
        # A reference's description says which code to type; a page offers names instead.
        "help_text": "" if spec.type is FieldType.REF else spec.description,
    }
    kind = spec.type
    if kind in (FieldType.TEXT, FieldType.CODE):
        if spec.max_length is None:  # long text
            common["widget"] = forms.Textarea(attrs={"rows": 2})
        return forms.CharField(max_length=spec.max_length, strip=True, **common)
    if kind is FieldType.NUMBER:
        # A number that cannot be null cannot be left empty either (a weight, say).
        return FiniteFloatField(**{**common, "required": not spec.nullable})
    if kind is FieldType.INTEGER:
        return forms.IntegerField(min_value=0, **common)
    if kind is FieldType.BOOLEAN:
        return forms.BooleanField(**{**common, "required": False})
    if kind is FieldType.DATE:
        return forms.DateField(
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common
        )
    if kind is FieldType.MONTH:
        return MonthField(**common)
    if kind is FieldType.NUMBERS:
        return NumbersField(max_items=spec.max_length, **{**common, "required": False})
    if kind is FieldType.CHOICE:
        return forms.ChoiceField(choices=_choices(spec), **common)
    if kind is FieldType.REF:
        # The description names the code the API and the files take; the form offers names.
        offered = [("", "—")] if not required else []
        common["help_text"] = ""
        return forms.ChoiceField(choices=[*offered, *options.get(spec.ref, ())], **common)
    raise ValueError(f"{spec.name}: a {kind.value} field has no form field")


def spec_form(
    fields: Iterable[FieldSpec],
    options: Options | None = None,
    *,
    base: type[forms.Form] = forms.Form,
) -> type[forms.Form]:
    """A form class with one field per spec, in order; references offer ``options``."""
    attrs = {spec.name: _field(spec, options or {}) for spec in fields}
    return type("SpecForm", (base,), attrs)


def spec_initial(values: Mapping[str, Any], fields: Iterable[FieldSpec]) -> dict[str, Any]:
    """A definition's plain values (references as codes) as a form's initial data."""
    initial: dict[str, Any] = {}
    for spec in fields:
        value = values.get(spec.name, spec.default_value())
        initial[spec.name] = value.value if isinstance(value, Enum) else value
    return initial
