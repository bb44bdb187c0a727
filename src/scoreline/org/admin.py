"""Django admin for setting up the organisation, scoped to what the administrator administers.

Units and people are saved through the organisation actions, so the audit trail and the
unit history are written exactly as for any other change. Reporting lines are only shown
here: they change as a set whose weights sum to 100 (see ``do_set_reporting_lines``).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from scoreline.access.actions import do_record_sensitive_read
from scoreline.access.admin import (
    ReferenceDataAdmin,
    ScopedAdmin,
    administered_units,
    may_administer,
)
from scoreline.access.capabilities import Capability, FieldClass
from scoreline.access.scope import visible_to
from scoreline.lib.dates import today
from scoreline.org.actions import (
    do_create_person,
    do_create_unit,
    do_save_reference_data,
    do_update_person,
    do_update_unit,
)
from scoreline.org.models import (
    Country,
    Currency,
    FiscalCalendar,
    FxRate,
    OrgUnit,
    Person,
    ReportingLine,
)

Shared = TypeVar("Shared", Currency, Country, FxRate)


class AuditedReferenceAdmin(ReferenceDataAdmin[Shared]):
    def save_model(self, request: HttpRequest, obj: Shared, form: Any, change: bool) -> None:
        do_save_reference_data(request.user, obj, reason="saved in administration")


@admin.register(Currency)
class CurrencyAdmin(AuditedReferenceAdmin[Currency]):
    list_display = ["code", "name", "minor_units"]
    search_fields = ["code", "name"]


@admin.register(Country)
class CountryAdmin(AuditedReferenceAdmin[Country]):
    list_display = ["code", "name", "currency"]
    search_fields = ["code", "name"]


@admin.register(FxRate)
class FxRateAdmin(AuditedReferenceAdmin[FxRate]):
    list_display = ["rate_date", "base", "quote", "rate"]
    list_filter = ["base", "quote"]
    date_hierarchy = "rate_date"


@admin.register(FiscalCalendar)
class FiscalCalendarAdmin(ScopedAdmin[FiscalCalendar]):
    list_display = ["legal_entity", "year_start_month", "period_type"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[FiscalCalendar]:
        units = administered_units(request.user).values("pk")
        return super().get_queryset(request).filter(legal_entity__in=units)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "legal_entity":
            kwargs["queryset"] = administered_units(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(
        self, request: HttpRequest, obj: FiscalCalendar, form: Any, change: bool
    ) -> None:
        do_save_reference_data(request.user, obj, reason="saved in administration")


class UnitForm(forms.ModelForm[OrgUnit]):
    """A unit with its parent; on a change, the day from which the change applies."""

    parent = forms.ModelChoiceField(
        queryset=OrgUnit.objects.none(), required=False, help_text="Empty for a top-level unit"
    )
    effective = forms.DateField(
        required=False,
        help_text="First day the change applies (today when empty); earlier versions are kept",
    )

    class Meta:
        model = OrgUnit
        fields = [
            "code",
            "name",
            "kind",
            "country",
            "currency",
            "manager",
            "cost_centre",
            "valid_from",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and "parent" in self.fields:
            parent = OrgUnit.objects.get_parent(self.instance)
            self.initial["parent"] = parent.pk if parent else None


CREATE_UNIT_FIELDS = [
    "code",
    "name",
    "kind",
    "parent",
    "country",
    "currency",
    "manager",
    "cost_centre",
    "valid_from",
]
CHANGE_UNIT_FIELDS = ["name", "parent", "manager", "cost_centre", "effective"]
UNIT_FIXED_FIELDS = ["code", "kind", "country", "currency", "valid_from", "valid_until"]


@admin.register(OrgUnit)
class OrgUnitAdmin(ScopedAdmin[OrgUnit]):
    form = UnitForm
    list_display = [
        "indented_name",
        "code",
        "kind",
        "manager",
        "country",
        "valid_from",
        "valid_until",
    ]
    list_filter = ["kind", "country"]
    search_fields = ["code", "name"]
    list_select_related = ["manager", "country"]
    ordering = ["path"]

    @admin.display(description="Unit", ordering="path")
    def indented_name(self, unit: OrgUnit) -> str:
        return "\u2003" * (unit.depth - 1) + unit.name

    def get_queryset(self, request: HttpRequest) -> QuerySet[OrgUnit]:
        return administered_units(request.user).select_related("manager", "country")

    def get_fields(self, request: HttpRequest, obj: OrgUnit | None = None) -> Any:
        return CHANGE_UNIT_FIELDS if obj else CREATE_UNIT_FIELDS

    def get_readonly_fields(self, request: HttpRequest, obj: OrgUnit | None = None) -> list[str]:
        return UNIT_FIXED_FIELDS if obj else []

    def get_fieldsets(self, request: HttpRequest, obj: OrgUnit | None = None) -> Any:
        fields = self.get_fields(request, obj) + list(self.get_readonly_fields(request, obj))
        return [(None, {"fields": fields})]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        kwargs["fields"] = self.get_fields(request, obj)
        form = super().get_form(request, obj, change, **kwargs)
        parent = form.base_fields["parent"]
        assert isinstance(parent, forms.ModelChoiceField)
        parent.queryset = administered_units(request.user, Capability.MANAGE_ORG)
        manager = form.base_fields.get("manager")
        if isinstance(manager, forms.ModelChoiceField):
            manager.queryset = visible_to(request.user, Person.objects.all())
        return form

    def save_model(self, request: HttpRequest, obj: OrgUnit, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            unit = do_create_unit(
                request.user,
                code=data["code"],
                name=data["name"],
                kind=data["kind"],
                parent=data["parent"],
                country=data["country"],
                currency=data["currency"],
                valid_from=data["valid_from"],
                manager=data["manager"],
                cost_centre=data["cost_centre"],
                reason="created in administration",
            )
            obj.pk = unit.pk
            return
        if not set(form.changed_data) - {"effective"}:
            return
        do_update_unit(
            request.user,
            obj,
            effective=data["effective"] or today(),
            name=data["name"],
            manager=data["manager"],
            parent=data["parent"],
            cost_centre=data["cost_centre"],
            reason="changed in administration",
        )


# Everything an administrator may set on a person (the audit trail records the same).
PERSON_FIELDS = [field.name for field in Person._meta.concrete_fields if not field.primary_key]


@admin.register(Person)
class PersonAdmin(ScopedAdmin[Person]):
    list_display = ["full_name", "employee_id", "job_title", "grade", "primary_unit", "country"]
    list_filter = ["kind", "country", "grade"]
    search_fields = ["first_name", "last_name", "employee_id", "email"]
    list_select_related = ["primary_unit", "country"]
    fieldsets = [
        (
            "Identity",
            {"fields": ["employee_id", "user", "kind", "first_name", "last_name", "email"]},
        ),
        (
            "Job",
            {
                "fields": [
                    "job_title",
                    "job_family",
                    "job_level",
                    "grade",
                    "fte",
                    "hire_date",
                    "leave_date",
                ]
            },
        ),
        ("Place", {"fields": ["country", "location", "primary_unit"]}),
        ("Pay", {"fields": ["base_salary", "salary_currency"]}),
        ("Protected attributes", {"fields": ["gender", "date_of_birth"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Person]:
        return visible_to(request.user, super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "primary_unit":
            kwargs["queryset"] = administered_units(request.user, Capability.MANAGE_ORG)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200 and may_administer(request):
            person = self.get_object(request, object_id)
            if person is not None:
                # The form shows pay and protected fields: record who looked.
                do_record_sensitive_read(
                    request.user, [person], [FieldClass.PAY, FieldClass.PROTECTED], channel="admin"
                )
        return response

    def save_model(self, request: HttpRequest, obj: Person, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            changes = {name: data[name] for name in form.changed_data if name in PERSON_FIELDS}
            if changes:
                do_update_person(request.user, obj, reason="changed in administration", **changes)
            return
        fields = {name: data[name] for name in PERSON_FIELDS if name in data}
        person = do_create_person(request.user, reason="created in administration", **fields)
        obj.pk = person.pk


@admin.register(ReportingLine)
class ReportingLineAdmin(ScopedAdmin[ReportingLine]):
    list_display = ["person", "manager", "kind", "weight", "unit", "valid_from", "valid_until"]
    list_filter = ["kind"]
    search_fields = ["person__last_name", "person__employee_id", "manager__last_name"]
    list_select_related = ["person", "manager", "unit"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReportingLine]:
        return visible_to(request.user, super().get_queryset(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


__all__ = [
    "CountryAdmin",
    "CurrencyAdmin",
    "FiscalCalendarAdmin",
    "FxRateAdmin",
    "OrgUnitAdmin",
    "PersonAdmin",
    "ReportingLineAdmin",
    "UnitForm",
]
