"""The forms that author KPIs, targets, status rules and scorecard policies in the pages.

Each form is built from the definition's field specification (:mod:`scoreline.kpis.fields`,
:mod:`scoreline.scoring.fields`) with :func:`~scoreline.web.spec_forms.spec_form`, plus the
day the change takes effect and its reason. References offer only what the viewer may see;
what a form parsed becomes the keywords of the action and the payload of a change request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from django import forms
from django.forms import BaseFormSet, formset_factory

from scoreline.access.capabilities import Capability
from scoreline.access.scope import AnyUser, capability_paths
from scoreline.kpis.fields import KPI, STATUS_RULE, STATUS_RULE_FIELDS, TARGET, TARGET_START
from scoreline.kpis.models import Rubric, Status, StatusRule
from scoreline.kpis.validation import RuleSpec
from scoreline.lib.errors import Invalid
from scoreline.lib.fields import FieldSpec, FieldType, values_of
from scoreline.lib.tree import subtrees_q
from scoreline.org.models import Person
from scoreline.org.queries import people_for, units_for
from scoreline.scoring.fields import SCORECARD_POLICY
from scoreline.web.kpis.forms import add_action_errors
from scoreline.web.spec_forms import Options, spec_form, spec_initial

__all__ = [
    "DETAILS",
    "KEEP",
    "MAX_RULES",
    "RulesChange",
    "action_values",
    "kpi_form",
    "kpi_references",
    "payload_of",
    "policy_form",
    "rule_rows",
    "target_form",
    "units_where",
]

KEEP = "~unchanged"
"""The choice that keeps a reference the viewer may not see as it is."""

DETAILS = ("effective", "reason")
MAX_RULES = 50
EXTRA_RULES = 2
TARGET_SPAN = (TARGET_START, *TARGET)


def units_where(user: AnyUser, capability: Capability) -> Any:
    """The units the viewer may see over which they hold ``capability``."""
    units = units_for(user)
    if user.is_superuser:
        return units
    paths = capability_paths(user, capability)
    return units.filter(subtrees_q(paths)) if paths else units.none()


class ChangeDetails(forms.Form):
    """When a change takes effect and why; shown after the definition's own fields."""

    effective = forms.DateField(
        label="Effective from",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        help_text="The first day the new version is in force; earlier days keep the old one.",
    )
    reason = forms.CharField(
        label="Reason",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept with the version and in the audit trail.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields([name for name in self.fields if name not in DETAILS])


class NewKpiDetails(ChangeDetails):
    code = forms.CharField(
        label="Code",
        max_length=60,
        help_text="Names the KPI for good, in formulas, files and the API: letters, digits, "
        "'_', '.' or '-'.",
        widget=forms.TextInput(attrs={"class": "mono", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["effective"].label = "In force from"
        self.fields[
            "effective"
        ].help_text = "The first day of its definition: values and targets start from there."
        self.order_fields(["code"])


class TargetDetails(ChangeDetails):
    effective = forms.DateField(
        label="Effective from",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        help_text="Leave empty to apply from the first month of the span, so that every "
        "month of it is scored against this version.",
    )


def kpi_references(user: AnyUser) -> Options:
    """The people the viewer may see and the rubrics, for a KPI's owner, steward and rubric."""
    people = [
        (person.employee_id, f"{person.full_name} ({person.employee_id})")
        for person in people_for(user)
        .select_related(None)
        .only("employee_id", "first_name", "last_name")
    ]
    rubrics = [(rubric.code, rubric.name) for rubric in Rubric.objects.order_by("name")]
    return {"person": people, "rubric": rubrics}


def _keep_hidden(form: forms.Form, fields: Iterable[FieldSpec], current: Mapping[str, Any]) -> None:
    """A reference in force that the viewer may not see stays as it is, unnamed."""
    for spec in fields:
        value = current.get(spec.name)
        field = form.fields[spec.name]
        if spec.type is not FieldType.REF or not value or not isinstance(field, forms.ChoiceField):
            continue
        offered = _offered(field)
        if value not in {str(code) for code, _ in offered}:
            field.choices = [(KEEP, "Unchanged (not visible to you)"), *offered]
            form.initial[spec.name] = KEEP


def _offered(field: forms.ChoiceField) -> list[tuple[Any, Any]]:
    """A choice field's (value, label) pairs (spec forms give flat lists)."""
    return list(cast("Iterable[tuple[Any, Any]]", field.choices))


def kpi_form(
    user: AnyUser,
    data: Mapping[str, Any] | None,
    current: Mapping[str, Any] | None,
    initial: Mapping[str, Any] | None = None,
) -> forms.Form:
    """A KPI's definition: a new one (``current`` None, with its code) or a revision."""
    base = NewKpiDetails if current is None else ChangeDetails
    form_class = spec_form(KPI, kpi_references(user), base=base)
    values = _initial({**(current or {}), **(initial or {})}, KPI)
    form = form_class(data, initial=values)
    _keep_hidden(form, KPI, current or {})
    return form


def target_form(
    data: Mapping[str, Any] | None, initial: Mapping[str, Any] | None = None
) -> forms.Form:
    """A target over a span at a unit: the span's first month, then the target's fields."""
    form_class = spec_form(TARGET_SPAN, base=TargetDetails)
    return form_class(data, initial=_initial(initial or {}, TARGET_SPAN))


def policy_form(data: Mapping[str, Any] | None, initial: Mapping[str, Any]) -> forms.Form:
    form_class = spec_form(SCORECARD_POLICY, base=ChangeDetails)
    return form_class(data, initial=_initial(initial, SCORECARD_POLICY))


def _initial(values: Mapping[str, Any], fields: Sequence[FieldSpec]) -> dict[str, Any]:
    """A definition's values and the change's details as a form's initial data."""
    return {**values, **spec_initial(values, fields)}


def action_values(
    user: AnyUser,
    fields: Iterable[FieldSpec],
    cleaned: Mapping[str, Any],
    current: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The fields as an action takes them: references as rows among what the viewer may see,
    empty optional choices as their default. With ``current`` (plain values), only the fields
    that differ from it."""
    values: dict[str, Any] = {}
    for spec in fields:
        value = cleaned.get(spec.name)
        if value == KEEP:
            continue
        if value in ("", None) and spec.type is FieldType.CHOICE and not spec.required:
            value = spec.default_value()
        if current is not None and current.get(spec.name) == value:
            continue
        if spec.type is FieldType.REF:
            value = _reference(user, spec, value)
        values[spec.name] = value
    return values


def _reference(user: AnyUser, spec: FieldSpec, code: str | None) -> Person | Rubric | None:
    if not code:
        return None
    if spec.ref == "person":
        return people_for(user).get(employee_id=code)
    return Rubric.objects.get(code=code)


def payload_of(values: Mapping[str, Any]) -> dict[str, Any]:
    """Action keywords as a change request's payload: rows by id."""
    return {name: getattr(value, "pk", value) for name, value in values.items()}


# ---------------------------------------------------------------- status rules


_RULE_KEY = re.compile(r"^rules\[(\d+)\]\.(\w+)$")


class RuleRow(forms.Form):
    """One rule; an unused row (every box empty) is ignored."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ChoiceField) and field.required:
                field.choices = [("", "\u2014"), *_offered(field)]


def _rule_formset(extra: int) -> type[BaseFormSet[forms.Form]]:
    statuses = [(status.code, status.name) for status in Status.objects.all()]
    row = spec_form(STATUS_RULE, {"status": statuses}, base=RuleRow)
    return formset_factory(
        row,
        extra=extra,
        can_order=True,
        can_delete=True,
        max_num=MAX_RULES,
        absolute_max=MAX_RULES,
        validate_max=True,
    )


class RulesChange:
    """The rule editor: the rules in force as numbered rows, empty rows to add more, the
    effective day and the reason."""

    prefix = "rules"

    def __init__(
        self,
        data: Mapping[str, Any] | None,
        current: Sequence[Mapping[str, Any]],
        *,
        add_row: bool = False,
    ) -> None:
        if data is not None and add_row:
            key = f"{self.prefix}-TOTAL_FORMS"
            data = {**data, key: str(min(int(data.get(key) or 0) + 1, MAX_RULES))}
        self.rows = _rule_formset(EXTRA_RULES)(data, initial=list(current), prefix=self.prefix)
        self.details = ChangeDetails(data)
        self.problems: list[str] = []

    def is_valid(self) -> bool:
        rows_ok = self.rows.is_valid()
        return self.details.is_valid() and rows_ok

    def _used(self) -> list[forms.Form]:
        return list(self.rows.ordered_forms)

    def specs(self) -> list[RuleSpec]:
        """The rules in evaluation order; valid only after ``is_valid()``."""
        return [
            RuleSpec(**{name: form.cleaned_data[name] for name in STATUS_RULE_FIELDS})
            for form in self._used()
        ]

    def payload(self) -> dict[str, Any]:
        return {"rules": [vars(rule).copy() for rule in self.specs()]}

    def add_action_errors(self, invalid: Invalid) -> None:
        """A rule's refusal beside its row's field; the rest above the table."""
        rows = self._used()
        unplaced: dict[str, list[str]] = {}
        for key, reasons in invalid.fields.items():
            match = _RULE_KEY.match(key)
            index = int(match.group(1)) if match else -1
            if match and index < len(rows) and match.group(2) in rows[index].fields:
                for reason in reasons:
                    rows[index].add_error(match.group(2), reason)
            else:
                unplaced[key] = list(reasons)
        if unplaced or not invalid.fields:
            add_action_errors(
                self.details, Invalid(invalid.message, fields=unplaced, code=invalid.code)
            )
        self.problems = [*self.rows.non_form_errors()]

    def has_row_errors(self) -> bool:
        return any(form.errors for form in self.rows.forms)


def rule_rows(rules: Iterable[StatusRule]) -> list[dict[str, Any]]:
    """Stored rules as the editor's rows."""
    return [spec_initial(values_of(rule, STATUS_RULE), STATUS_RULE) for rule in rules]
