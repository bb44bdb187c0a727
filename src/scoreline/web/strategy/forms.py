"""Forms of the strategy pages: choosing the unit whose strategy is shown."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from scoreline.org.models import OrgUnit

__all__ = ["UnitPickerForm"]


class UnitChoiceField(forms.ModelChoiceField[OrgUnit]):
    def label_from_instance(self, obj: OrgUnit) -> str:
        indent = "\u2003" * max(obj.depth - 1, 0)
        return f"{indent}{obj.name} ({obj.code})"


class UnitPickerForm(forms.Form):
    """The unit a page is about, among the units the viewer may see (GET)."""

    unit = UnitChoiceField(queryset=OrgUnit.objects.none(), label="Unit", empty_label=None)

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units.order_by("path")
