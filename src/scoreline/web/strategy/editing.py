"""The pages that author strategy: an objective created, revised, reweighted or retired, the
KPIs measuring it, and the perspective weights of a unit's scorecard.

Each page answers 404 to a viewer who may not see its unit or objective and 403 to one who
may see it but not edit its strategy, before any form is read. A form goes through the
action the API uses; a refusal is shown beside its field and nothing is written. A change to
what scores a period (a new objective where a scorecard counts missing data, a move, a
weight, a retirement) refused because it would alter an open planning period is offered as a
change request (:mod:`scoreline.web.changes.proposals`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods

from scoreline.access.capabilities import Capability
from scoreline.access.scope import AnyUser, holds_on_unit
from scoreline.governance.models import ChangeKind
from scoreline.kpis.fields import MEASURE
from scoreline.kpis.measures import MeasureRow, measured_objective
from scoreline.lib.dates import today
from scoreline.lib.errors import AccessDenied, Invalid
from scoreline.lib.versioned import version_on
from scoreline.org.models import OrgUnit
from scoreline.org.queries import units_for
from scoreline.scoring.actions.definitions import do_remove_measure, do_set_measure
from scoreline.scoring.actions.objectives import (
    do_create_objective,
    do_retire_objective,
    do_update_objective,
)
from scoreline.scoring.actions.scorecards import (
    do_set_objective_weights,
    do_set_perspective_weight,
)
from scoreline.scoring.fields import PERSPECTIVE_WEIGHT
from scoreline.scoring.queries import perspective_weights
from scoreline.strategy.actions.objectives import WEIGHTS
from scoreline.strategy.actions.shared import holder_unit
from scoreline.strategy.models import Objective, ObjectiveVersion
from scoreline.strategy.queries import may_see_objective
from scoreline.web.changes.proposals import Proposal, Submission, submit_change
from scoreline.web.kpis.forms import add_action_errors
from scoreline.web.spec_forms import spec_initial
from scoreline.web.strategy.authoring import (
    CREATE_FIELDS,
    MEASURE_WEIGHT_FIELDS,
    REVISE_FIELDS,
    WEIGHT_FIELDS,
    DatedForm,
    dated_form,
    kpi_references,
    objective_form,
    objective_references,
    perspective_references,
    stored_initial,
)

__all__ = [
    "EditPage",
    "Governed",
    "may_edit_strategy",
    "measure_add",
    "measure_remove",
    "measure_weight",
    "objective_create",
    "objective_retire",
    "objective_revise",
    "objective_weights",
    "perspective_weights_page",
    "posted",
    "require_edit",
    "serve_form",
    "serve_governed",
]


def may_edit_strategy(user: AnyUser, unit: OrgUnit) -> bool:
    return holds_on_unit(user, Capability.EDIT_STRATEGY, unit)


def require_edit(user: AnyUser, unit: OrgUnit) -> None:
    if not may_edit_strategy(user, unit):
        raise PermissionDenied(
            f"You need the '{Capability.EDIT_STRATEGY.label}' right over {unit.name}."
        )


@dataclass(frozen=True)
class EditPage:
    """What an authoring page says around its form."""

    title: str
    intro: str
    back: str
    back_label: str
    submit: str
    extra: dict[str, Any] | None = None


Written = tuple[str, str]
"""What a write reports: the message shown, the page to go to next."""


def serve_form(
    request: HttpRequest, form: forms.Form, page: EditPage, write: Callable[[], Written]
) -> HttpResponse:
    """Show ``form``; once posted and valid, ``write`` through the action and go on. A refusal
    is put beside its field."""
    if request.method == "POST" and form.is_valid():
        try:
            message, next_url = write()
        except AccessDenied as denied:
            raise PermissionDenied(denied.message) from denied
        except Invalid as invalid:
            add_action_errors(form, invalid)
        else:
            messages.success(request, message)
            return redirect(next_url)
    return _form_page(request, form, page, None)


@dataclass(frozen=True)
class Governed:
    """A change that an open planning period takes only by approved request: the request it
    would be, the action's call (``direct``, None back when nothing changed), what to say once
    it is saved and the page to go to next (or what finds it once the change is made)."""

    proposal: Proposal
    direct: Callable[[], object]
    saved: str
    next_url: str | Callable[[], str]


def serve_governed(
    request: HttpRequest, form: forms.Form, page: EditPage, change: Callable[[], Governed]
) -> HttpResponse:
    """Show ``form``; once posted and valid, make the ``change`` directly or, refused because it
    reaches an open planning period, offer it as a change request (filed by a second submit)."""
    submission: Submission | None = None
    if request.method == "POST" and form.is_valid():
        governed = change()
        submission = submit_change(
            request, governed.proposal, governed.direct, place=form, saved=governed.saved
        )
        if submission.done:
            next_url = governed.next_url
            return redirect(next_url if isinstance(next_url, str) else next_url())
    return _form_page(request, form, page, submission)


def _form_page(
    request: HttpRequest, form: forms.Form, page: EditPage, submission: Submission | None
) -> HttpResponse:
    """The authoring page with its offer, if any; 400 after a POST that saved nothing."""
    offer = submission.offer if submission is not None else None
    context = {"page": page, "form": form, "offer": offer, **(page.extra or {})}
    status = 400 if request.method == "POST" else 200
    return render(request, "strategy/edit.html", context, status=status)


def posted(request: HttpRequest) -> Any:
    """What was posted (bound forms), or None to show an empty form."""
    return request.POST if request.method == "POST" else None


def _day(form: forms.Form) -> dt.date:
    day = form.cleaned_data["effective"]
    assert isinstance(day, dt.date)
    return day


def _dated(form: forms.Form) -> dict[str, Any]:
    """What a write from the page passes its action: the effective day, reason and source."""
    return {"effective": _day(form), "reason": form.cleaned_data["reason"], "source": "page"}


def _on(day: dt.date) -> str:
    return date_format(day, "j M Y")


# ---------------------------------------------------------------- objectives


def _editable_objective(request: HttpRequest, pk: int) -> tuple[Objective, ObjectiveVersion]:
    """The objective and its version in force today; 404 unless the viewer may see it, 403
    unless they may edit its unit's strategy."""
    objective = get_object_or_404(Objective, pk=pk)
    day = today()
    if not may_see_objective(request.user, objective, day):
        raise Http404
    version = version_on(ObjectiveVersion, day, objective=objective)
    if version is None:
        raise Http404  # retired: nothing left to edit
    require_edit(request.user, holder_unit(version))
    return objective, version


def _objective_url(objective: Objective) -> str:
    return reverse("strategy:objective", args=[objective.pk])


@login_required
@require_http_methods(["GET", "POST"])
def objective_create(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """A new objective of a unit, placed in the cascade under a parent with its weights."""
    user = request.user
    unit = get_object_or_404(units_for(user), pk=unit_pk)
    require_edit(user, unit)
    references = objective_references(user, unit)
    start = today().replace(month=1, day=1)
    initial = spec_initial({}, CREATE_FIELDS) | {
        "horizon_start": start,
        "horizon_end": start.replace(year=start.year + 3),
    }
    form = objective_form(CREATE_FIELDS, references, posted(request), initial)
    form.fields["code"].help_text = "A short unique code, such as SALES-CUST-01."
    form.fields["effective"].help_text = "The first day the objective is in force."

    back = reverse("strategy:unit-map", args=[unit.pk])

    def change() -> Governed:
        values = references.resolve(CREATE_FIELDS, form.cleaned_data)
        code, day = values.pop("code"), _day(form)
        made: list[Objective] = []

        def direct() -> Objective:
            made.append(
                do_create_objective(
                    user,
                    code=code,
                    unit=unit,
                    valid_from=day,
                    reason=form.cleaned_data["reason"],
                    source="page",
                    **values,
                )
            )
            return made[0]

        payload = {"unit_id": unit.pk, **_payload(values)}
        return Governed(
            Proposal(ChangeKind.NEW_OBJECTIVE, code, payload, day),
            direct,
            f"Objective {code} created.",
            lambda: _objective_url(made[0]) if made else back,
        )

    page = EditPage(
        title=f"New objective of {unit.name}",
        intro="Give the parent it contributes to with its contribution weight (its share "
        "among the parent's contributing objectives), and its weight in its perspective. "
        "Where a scorecard it rolls into counts missing data, a new objective changes scores: "
        "inside an open planning period that needs an approved change request.",
        back=back,
        back_label=f"Strategy map · {unit.name}",
        submit="Create objective",
    )
    return serve_governed(request, form, page, change)


@login_required
@require_http_methods(["GET", "POST"])
def objective_revise(request: HttpRequest, pk: int) -> HttpResponse:
    """Revise an objective from a day on (not its weights: they have their own page)."""
    user = request.user
    objective, version = _editable_objective(request, pk)
    references = objective_references(user, holder_unit(version), editing=version)
    form = objective_form(
        REVISE_FIELDS, references, posted(request), stored_initial(version, REVISE_FIELDS)
    )

    def change() -> Governed:
        changes, day = references.resolve(REVISE_FIELDS, form.cleaned_data), _day(form)
        before = version_on(ObjectiveVersion, day, objective=objective) or version
        return Governed(
            Proposal(ChangeKind.OBJECTIVE, objective.code, _requested(changes, before), day),
            lambda: do_update_objective(user, objective, **_dated(form), **changes),
            f"{objective.code} saved from {_on(day)}.",
            _objective_url(objective),
        )

    page = EditPage(
        title=f"Revise {version.name}",
        intro=f"{objective.code}: the changes apply from the effective day; the version in "
        "force until then stays in the history. Moving it to another parent or perspective "
        "changes how scorecards roll up: inside an open planning period that needs an "
        "approved change request. Weights are changed on their own page.",
        back=_objective_url(objective),
        back_label=objective.code,
        submit="Save revision",
    )
    return serve_governed(request, form, page, change)


def _requested(changes: dict[str, Any], before: ObjectiveVersion) -> dict[str, Any]:
    """The fields of ``changes`` that differ from ``before``, as an ``objective`` change
    request names them."""
    return _payload(
        {name: value for name, value in changes.items() if value != getattr(before, name)}
    )


def _payload(fields: dict[str, Any]) -> dict[str, Any]:
    """An objective's ``fields`` as a change request names them: parent, perspective and
    theme by code, the owner by id."""
    payload: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "owner":
            payload["owner_id"] = value.pk if value is not None else None
        elif name in ("parent", "perspective", "theme"):
            payload[name] = value.code if value is not None else None
        else:
            payload[name] = value
    return payload


@login_required
@require_http_methods(["GET", "POST"])
def objective_weights(request: HttpRequest, pk: int) -> HttpResponse:
    """An objective's weight and contribution weight; governed in open planning periods."""
    user = request.user
    objective, version = _editable_objective(request, pk)
    form = objective_form(
        WEIGHT_FIELDS, None, posted(request), stored_initial(version, WEIGHT_FIELDS)
    )
    if version.parent_id is None:
        form.fields[
            "contribution_weight"
        ].help_text = "Counts only once the objective contributes to a parent."

    def change() -> Governed:
        day, data = _day(form), form.cleaned_data
        before = version_on(ObjectiveVersion, day, objective=objective) or version
        changed = {name: data[name] for name in WEIGHTS if data[name] != getattr(before, name)}
        return Governed(
            Proposal(ChangeKind.OBJECTIVE_WEIGHT, objective.code, changed, day),
            lambda: do_set_objective_weights(
                user,
                objective,
                weight=data["weight"],
                contribution_weight=data["contribution_weight"],
                **_dated(form),
            ),
            f"Weights of {objective.code} saved from {_on(day)}.",
            _objective_url(objective),
        )

    page = EditPage(
        title=f"Weights of {version.name}",
        intro=f"{objective.code}: its weight among the objectives of its perspective, and "
        "its contribution weight in the objective it contributes to. Inside an open planning "
        "period a change needs an approved change request.",
        back=_objective_url(objective),
        back_label=objective.code,
        submit="Save weights",
    )
    return serve_governed(request, form, page, change)


@login_required
@require_http_methods(["GET", "POST"])
def objective_retire(request: HttpRequest, pk: int) -> HttpResponse:
    """End an objective on a day, with its strategy-map links."""
    user = request.user
    objective, version = _editable_objective(request, pk)
    form = DatedForm(posted(request))

    def change() -> Governed:
        day = _day(form)
        return Governed(
            Proposal(ChangeKind.OBJECTIVE, objective.code, {"retire": True}, day),
            lambda: do_retire_objective(
                user, objective, effective=day, reason=form.cleaned_data["reason"]
            ),
            f"{objective.code} ends on {_on(day)}.",
            reverse("strategy:unit-map", args=[holder_unit(version).pk]),
        )

    page = EditPage(
        title=f"Retire {version.name}",
        intro=f"{objective.code} stops on the effective day (its last day is the day before), "
        "with its cause-and-effect links; its history stays. Objectives still contributing "
        "to it must be moved or retired first. The scorecards it rolled into no longer count "
        "it: inside an open planning period that needs an approved change request.",
        back=_objective_url(objective),
        back_label=objective.code,
        submit="Retire objective",
    )
    return serve_governed(request, form, page, change)


# ---------------------------------------------------------------- measures


def _measure_proposal(
    objective: Objective, kpi_code: str, weight: float | None, day: dt.date
) -> Proposal:
    """The ``measure_weight`` request for a KPI measuring ``objective`` with ``weight``
    (None: removed)."""
    payload: dict[str, Any] = {"kpi": kpi_code}
    if weight is None:
        payload["remove"] = True
    else:
        payload["weight"] = weight
    return Proposal(ChangeKind.MEASURE_WEIGHT, objective.code, payload, day)


def _measure_row(request: HttpRequest, objective: Objective, kpi_pk: int) -> MeasureRow:
    rows = measured_objective(request.user, objective, today()).measures
    row = next((row for row in rows if row.kpi.pk == kpi_pk), None)
    if row is None:
        raise Http404
    return row


@login_required
@require_http_methods(["GET", "POST"])
def measure_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Measure an objective by one more KPI, with its weight."""
    user = request.user
    objective, version = _editable_objective(request, pk)
    measuring = [row.kpi.pk for row in measured_objective(user, objective, today()).measures]
    references = kpi_references(user, today(), leave_out=measuring)
    form = dated_form(MEASURE, references, posted(request), spec_initial({}, MEASURE))

    def change() -> Governed:
        values = references.resolve(MEASURE, form.cleaned_data)
        kpi, weight, day = values["kpi"], values["weight"], _day(form)
        return Governed(
            _measure_proposal(objective, kpi.code, weight, day),
            lambda: do_set_measure(user, objective, kpi, weight=weight, **_dated(form)),
            f"{kpi.code} measures {objective.code} from {_on(day)}.",
            _objective_url(objective),
        )

    page = EditPage(
        title=f"Add a KPI to {version.name}",
        intro=f"{objective.code} is scored from the KPIs measuring it, each counting by its "
        "weight relative to the others.",
        back=_objective_url(objective),
        back_label=objective.code,
        submit="Add KPI",
    )
    return serve_governed(request, form, page, change)


def _measure_change(request: HttpRequest, pk: int, kpi_pk: int, *, remove: bool) -> HttpResponse:
    """A new weight of a KPI measuring an objective, or (``remove``) its removal."""
    user = request.user
    objective, version = _editable_objective(request, pk)
    row = _measure_row(request, objective, kpi_pk)
    kpi, name = row.kpi, row.definition.name
    if remove:
        form: forms.Form = DatedForm(posted(request))
    else:
        form = dated_form(MEASURE_WEIGHT_FIELDS, None, posted(request), {"weight": row.weight})

    def change() -> Governed:
        day, common = _day(form), _dated(form)
        weight: float | None = None if remove else form.cleaned_data["weight"]

        def direct() -> object:
            if weight is None:
                return do_remove_measure(user, objective, kpi, **common)
            return do_set_measure(user, objective, kpi, weight=weight, **common)

        if weight is None:
            saved = f"{kpi.code} no longer measures {objective.code} from {_on(day)}."
        else:
            saved = f"Weight of {kpi.code} saved from {_on(day)}."
        proposal = _measure_proposal(objective, kpi.code, weight, day)
        return Governed(proposal, direct, saved, _objective_url(objective))

    if remove:
        title, submit = f"Remove {name} from {version.name}", "Remove KPI"
        intro = (
            f"From the effective day {objective.code} is no longer scored from {kpi.code}; "
            "its earlier months keep it."
        )
    else:
        title, submit = f"Weight of {name} in {version.name}", "Save weight"
        intro = (
            f"{kpi.code} counts in {objective.code} by its weight relative to the other KPIs "
            "measuring it."
        )
    page = EditPage(
        title=title,
        intro=f"{intro} Inside an open planning period the change needs an approved change "
        "request.",
        back=_objective_url(objective),
        back_label=objective.code,
        submit=submit,
    )
    return serve_governed(request, form, page, change)


@login_required
@require_http_methods(["GET", "POST"])
def measure_weight(request: HttpRequest, pk: int, kpi_pk: int) -> HttpResponse:
    """Change the weight of a KPI measuring an objective."""
    return _measure_change(request, pk, kpi_pk, remove=False)


@login_required
@require_http_methods(["GET", "POST"])
def measure_remove(request: HttpRequest, pk: int, kpi_pk: int) -> HttpResponse:
    """Stop measuring an objective by a KPI from a day on."""
    return _measure_change(request, pk, kpi_pk, remove=True)


# ---------------------------------------------------------------- perspective weights


@login_required
@require_http_methods(["GET", "POST"])
def perspective_weights_page(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """The weights of the perspectives in a unit's scorecard, and a form to change one."""
    user = request.user
    unit = get_object_or_404(units_for(user), pk=unit_pk)
    require_edit(user, unit)
    references = perspective_references()
    form = dated_form(PERSPECTIVE_WEIGHT, references, posted(request))
    here = reverse("strategy:perspective-weights", args=[unit.pk])

    def change() -> Governed:
        values = references.resolve(PERSPECTIVE_WEIGHT, form.cleaned_data)
        perspective, weight, day = values["perspective"], values["weight"], _day(form)
        return Governed(
            Proposal(
                ChangeKind.PERSPECTIVE_WEIGHT,
                perspective.code,
                {"unit_id": unit.pk, "weight": weight},
                day,
            ),
            lambda: do_set_perspective_weight(
                user, perspective, unit, weight=weight, **_dated(form)
            ),
            f"{perspective.name} weighs {weight:g} in {unit.name}'s scorecard from {_on(day)}.",
            here,
        )

    page = EditPage(
        title=f"Perspective weights of {unit.name}",
        intro="How much each perspective counts in the unit's scorecard, relative to the "
        "others. A unit without weights of its own follows the organisation's default; a "
        "perspective without any weight counts 1.",
        back=reverse("strategy:unit-map", args=[unit.pk]),
        back_label=f"Strategy map · {unit.name}",
        submit="Save weight",
        extra={"weights": perspective_weights(unit, today())},
    )
    return serve_governed(request, form, page, change)
