"""Running a priority workshop in the pages: setting it up, each department entering its
points, and agreeing the weights.

The department heads of the unit's subtree take part, each speaking for the department they
manage. A participant enters only their own row; whoever facilitates (the right to edit the
unit's strategy) may enter any row, as in the room, and agrees the weights.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from scoreline.access.scope import AnyUser
from scoreline.lib.dates import today
from scoreline.lib.errors import Invalid
from scoreline.org.models import OrgUnit
from scoreline.org.queries import people_for, units_for
from scoreline.scoring.actions.objectives import do_agree_weights
from scoreline.strategy.actions.workshops import (
    AGREEMENT_METHODS,
    POINTS_TOTAL,
    ParticipantSpec,
    do_create_workshop,
    do_record_allocation,
)
from scoreline.strategy.models import (
    Theme,
    Workshop,
    WorkshopParticipant,
    WorkshopState,
    WorkshopSubject,
)
from scoreline.strategy.queries import allocation_matrix, item_key, objectives_for, workshops_for
from scoreline.web.spec_forms import FiniteFloatField
from scoreline.web.strategy.authoring import DatedForm
from scoreline.web.strategy.editing import (
    EditPage,
    may_edit_strategy,
    posted,
    require_edit,
    serve_form,
)

__all__ = [
    "may_enter_points",
    "workshop_agree",
    "workshop_create",
    "workshop_points",
]


def _reason() -> forms.CharField:
    return forms.CharField(
        label="Reason",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the audit trail.",
    )


class WorkshopForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    subject = forms.ChoiceField(
        label="Weighs",
        choices=WorkshopSubject.choices,
        widget=forms.RadioSelect,
        help_text="Themes, or objectives of the unit and the units below it.",
    )
    held_on = forms.DateField(
        label="Held on", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    items = forms.MultipleChoiceField(
        label="Items on the table",
        widget=forms.CheckboxSelectMultiple,
        help_text="At least two, all of the kind the workshop weighs.",
    )
    departments = forms.MultipleChoiceField(
        label="Departments taking part",
        widget=forms.CheckboxSelectMultiple,
        help_text="Each is represented by its manager, who enters its points.",
    )
    reason = _reason()


class AgreementForm(DatedForm):
    method = forms.ChoiceField(
        label="Agree by",
        choices=[(method, f"The {method} of the points") for method in AGREEMENT_METHODS],
        widget=forms.RadioSelect,
        help_text="In a workshop on objectives, the agreed weights become the objectives' "
        "weights from the effective day.",
    )


def _workshop_choices(
    user: AnyUser, unit: OrgUnit
) -> tuple[dict[str, Any], dict[str, ParticipantSpec]]:
    """What a workshop of ``unit`` may weigh (by key) and the departments that may take part
    (units of its subtree with a manager the viewer may see, by code)."""
    items: dict[str, Any] = {f"theme:{t.code}": t for t in Theme.objects.order_by("name")}
    objectives = objectives_for(user, today()).filter(unit__path__startswith=unit.path)
    items |= {f"objective:{v.objective.code}": v for v in objectives.order_by("unit__path")}
    departments = (
        units_for(user)
        .filter(path__startswith=unit.path, manager__in=people_for(user))
        .order_by("path")
    )
    return items, {
        d.code: ParticipantSpec(person=d.manager, department=d)
        for d in departments
        if d.manager is not None
    }


def _item_label(item: Any) -> str:
    if isinstance(item, Theme):
        return item.name
    return f"{item.name} ({item.objective.code}) · {item.unit.name}"


def _collective_fields(invalid: Invalid) -> Invalid:
    """The action names items and participants by position; the form has one field each."""
    renamed = {"items": "items", "participants": "departments"}
    fields: dict[str, list[str]] = {}
    for name, reasons in invalid.fields.items():
        base = name.split("[")[0]
        fields.setdefault(renamed.get(base, name), []).extend(reasons)
    return Invalid(invalid.message, fields=fields, code=invalid.code)


@login_required
@require_http_methods(["GET", "POST"])
def workshop_create(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """Set up a priority workshop of a unit."""
    user = request.user
    unit = get_object_or_404(units_for(user), pk=unit_pk)
    require_edit(user, unit)
    items, departments = _workshop_choices(user, unit)
    form = WorkshopForm(posted(request), initial={"held_on": today()})
    items_field = form.fields["items"]
    assert isinstance(items_field, forms.MultipleChoiceField)
    items_field.choices = [
        (
            "Themes",
            [(key, _item_label(item)) for key, item in items.items() if key.startswith("theme:")],
        ),
        (
            "Objectives",
            [
                (key, _item_label(item))
                for key, item in items.items()
                if key.startswith("objective:")
            ],
        ),
    ]
    departments_field = form.fields["departments"]
    assert isinstance(departments_field, forms.MultipleChoiceField)
    departments_field.choices = [
        (code, f"{spec.department.name} · {spec.person}") for code, spec in departments.items()
    ]

    def write() -> tuple[str, str]:
        data = form.cleaned_data
        picked = [items[key] for key in data["items"]]
        try:
            workshop = do_create_workshop(
                user,
                name=data["name"],
                unit=unit,
                subject=data["subject"],
                held_on=data["held_on"],
                items=[item if isinstance(item, Theme) else item.objective for item in picked],
                participants=[departments[code] for code in data["departments"]],
                reason=data["reason"],
            )
        except Invalid as invalid:
            raise _collective_fields(invalid) from invalid
        return f"Workshop {workshop.name} set up.", reverse("strategy:workshop", args=[workshop.pk])

    page = EditPage(
        title=f"New priority workshop of {unit.name}",
        intro=f"Each department taking part spreads {POINTS_TOTAL:g} points over the items; "
        "the workshop then agrees the weights by the mean or the median of the points.",
        back=reverse("strategy:unit-map", args=[unit.pk]),
        back_label=f"Strategy map · {unit.name}",
        submit="Set up workshop",
    )
    return serve_form(request, form, page, write)


def may_enter_points(user: AnyUser, workshop: Workshop, participant: WorkshopParticipant) -> bool:
    """Whether ``user`` may enter ``participant``'s points: their own row, or any row for
    whoever facilitates; only while the workshop collects allocations."""
    own = user.is_authenticated and participant.person.user_id == user.pk
    return workshop.state == WorkshopState.OPEN and (own or may_edit_strategy(user, workshop.unit))


@login_required
@require_http_methods(["GET", "POST"])
def workshop_points(request: HttpRequest, pk: int, participant_pk: int) -> HttpResponse:
    """One department's points over the items of a workshop."""
    user = request.user
    workshop = get_object_or_404(workshops_for(user), pk=pk)
    participant = get_object_or_404(
        WorkshopParticipant.objects.select_related("person", "department"),
        pk=participant_pk,
        workshop=workshop,
    )
    if not may_enter_points(user, workshop, participant):
        raise PermissionDenied("Only the participant, or whoever facilitates, enters these points.")
    items, participants, rows = allocation_matrix(workshop)
    row = rows[[p.pk for p in participants].index(participant.pk)]
    form = forms.Form(posted(request))
    names = {
        version.objective_id: version.name
        for version in objectives_for(user, workshop.held_on).filter(
            objective_id__in=[item.objective_id for item in items if item.objective_id]
        )
    }
    for item, points in zip(items, row, strict=True):
        name = item.theme.name if item.theme is not None else names.get(item.objective_id or 0, "")
        form.fields[f"item_{item.pk}"] = FiniteFloatField(
            label=f"{name} ({item_key(item)})" if name else item_key(item),
            initial=None if points != points else points,  # NaN: nothing entered yet
        )
    form.fields["reason"] = _reason()

    def write() -> tuple[str, str]:
        points = {item: form.cleaned_data[f"item_{item.pk}"] for item in items}
        do_record_allocation(user, participant, points, reason=form.cleaned_data["reason"])
        return (
            f"Points of {participant.department.name} saved.",
            reverse("strategy:workshop", args=[workshop.pk]),
        )

    own = participant.person.user_id == user.pk
    page = EditPage(
        title=f"Points of {participant.department.name}" if not own else "Your points",
        intro=f"{workshop.name}: spread {POINTS_TOTAL:g} points over the items, more to what "
        f"matters more for {participant.department.name}. Entering again replaces the points "
        "given before.",
        back=reverse("strategy:workshop", args=[workshop.pk]),
        back_label=workshop.name,
        submit="Save points",
    )
    return serve_form(request, form, page, write)


@login_required
@require_http_methods(["GET", "POST"])
def workshop_agree(request: HttpRequest, pk: int) -> HttpResponse:
    """Close a workshop on the weights its points agree."""
    user = request.user
    workshop = get_object_or_404(workshops_for(user), pk=pk)
    require_edit(user, workshop.unit)
    form = AgreementForm(posted(request), initial={"method": "mean"})

    def write() -> tuple[str, str]:
        do_agree_weights(
            user,
            workshop,
            method=form.cleaned_data["method"],
            effective=form.cleaned_data["effective"],
            reason=form.cleaned_data["reason"],
        )
        return (
            f"{workshop.name} agreed its weights.",
            reverse("strategy:workshop", args=[workshop.pk]),
        )

    page = EditPage(
        title=f"Agree the weights of {workshop.name}",
        intro="Every participant must have entered their points. The agreed weight of each "
        "item is the mean or the median of its points, scaled to sum to 1.",
        back=reverse("strategy:workshop", args=[workshop.pk]),
        back_label=workshop.name,
        submit="Agree weights",
    )
    return serve_form(request, form, page, write)
