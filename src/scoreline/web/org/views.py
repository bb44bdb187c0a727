"""The organisation browser: tree, unit, people directory and person pages, scoped by access."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateformat import format as date_format
from django.views.decorators.http import require_http_methods

from scoreline.access.actions import do_record_shown_fields
from scoreline.access.aggregates import Breakdown, unit_breakdowns, unit_head_counts
from scoreline.access.capabilities import Capability, FieldClass
from scoreline.access.scope import AnyUser, holds_on_unit, shown_field_classes
from scoreline.lib.dates import today
from scoreline.lib.errors import AccessDenied, Invalid
from scoreline.lib.tree import subtree_q
from scoreline.org.actions import do_set_reporting_lines
from scoreline.org.models import Gender, OrgUnit, Person, UnitVersion
from scoreline.org.queries import (
    active_people,
    current_lines_for,
    fiscal_calendar_of,
    people_for,
    people_in_subtree,
    reporting_lines_for,
    search_people,
    units_for,
)
from scoreline.scoring.queries import individual_scorecard
from scoreline.web.display import visible_names
from scoreline.web.org.forms import LinesChange

__all__ = [
    "PAGE_SIZE",
    "people_directory",
    "people_directory_context",
    "person_context",
    "person_detail",
    "person_lines",
    "tree",
    "tree_context",
    "unit_detail",
]

PAGE_SIZE = 50
SEARCH_MAX_LENGTH = 100


@dataclass(frozen=True)
class TreeRow:
    unit: OrgUnit
    indent: int
    head_count: int | None


def tree_context(user: AnyUser) -> dict[str, Any]:
    units = list(units_for(user))
    counts = unit_head_counts(user, active_people())
    top = min((unit.depth for unit in units), default=1)
    rows = [TreeRow(unit, unit.depth - top, counts.head_count(unit.pk)) for unit in units]
    return {"rows": rows, "min_group_size": settings.MIN_GROUP_SIZE}


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    return render(request, "org/tree.html", tree_context(request.user))


def _labelled_genders(breakdown: Breakdown) -> Breakdown:
    labels = dict(Gender.choices)
    groups = [
        replace(group, key=labels.get(group.key, "Not recorded")) for group in breakdown.groups
    ]
    return replace(breakdown, groups=groups)


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    visible = units_for(user)
    unit = get_object_or_404(visible, pk=pk)
    steplen = OrgUnit.steplen
    ancestors = visible.filter(
        path__in=[unit.path[: steplen * level] for level in range(1, unit.depth)]
    )
    children = visible.filter(subtree_q(unit.path), depth=unit.depth + 1)
    versions = (
        UnitVersion.objects.filter(unit=unit)
        .select_related("parent", "manager")
        .order_by("-valid_from")
    )
    people = Paginator(people_in_subtree(user, unit), PAGE_SIZE).get_page(request.GET.get("page"))
    calendar = fiscal_calendar_of(unit)
    day = today()
    context = {
        "unit": unit,
        "people_shown": visible_names(user, [unit.manager_id] if unit.manager_id else []),
        "fiscal_calendar": calendar,
        "fiscal_year": calendar.year_of(day) if calendar else None,
        "fiscal_period": calendar.period_of(day) if calendar else None,
        "ancestors": ancestors,
        "children": children,
        "versions": versions,
        "people": people,
        "by_grade": unit_breakdowns(user, active_people(), "grade").of(unit.pk),
        "by_gender": _labelled_genders(
            unit_breakdowns(
                user, active_people(), "gender", capability=Capability.VIEW_PROTECTED
            ).of(unit.pk)
        ),
        "min_group_size": settings.MIN_GROUP_SIZE,
    }
    return render(request, "org/unit.html", context)


def people_directory_context(request: HttpRequest) -> dict[str, Any]:
    search = request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    people = search_people(people_for(request.user), search)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return {"people": page, "search": search}


@login_required
def people_directory(request: HttpRequest) -> HttpResponse:
    return render(request, "org/people.html", people_directory_context(request))


def person_context(request: HttpRequest, person: Person) -> dict[str, Any]:
    """What the person page shows; records the read when pay or protected fields appear.

    ``person`` must come from ``people_for(request.user)``, which annotates what may be seen.
    """
    user = request.user
    shown = shown_field_classes(person)
    do_record_shown_fields(user, [person], channel="page")
    lines = list(current_lines_for(user, person).order_by("-weight", "kind"))
    reports = (
        reporting_lines_for(user, today())
        .filter(manager=person)
        .order_by("person__last_name", "person__first_name", "kind")
    )
    return {
        "person": person,
        "show_pay": FieldClass.PAY in shown,
        "show_protected": FieldClass.PROTECTED in shown,
        "lines": lines,
        # Managers' pages follow the people rules: only those the viewer may open are links.
        "people_shown": visible_names(user, [line.manager_id for line in lines]),
        "reports": reports,
        "is_self": person.user_id is not None and person.user_id == user.pk,
        "can_change_lines": holds_on_unit(user, Capability.MANAGE_ORG, person.primary_unit),
        "scorecard": individual_scorecard(user, person),
    }


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(people_for(request.user), pk=pk)
    return render(request, "org/person.html", person_context(request, person))


@login_required
@require_http_methods(["GET", "POST"])
def person_lines(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a person's reporting lines from a date on, for holders of "manage org" on them."""
    user = request.user
    person = get_object_or_404(people_for(user), pk=pk)
    if not holds_on_unit(user, Capability.MANAGE_ORG, person.primary_unit):
        raise PermissionDenied
    current = current_lines_for(user, person).select_related("manager", "unit")
    current = current.order_by("-weight", "kind")
    status = 200
    if request.method == "POST":
        change = LinesChange.from_post(user, request.POST)
        if change.is_valid():
            try:
                do_set_reporting_lines(
                    user, person, change.specs(), effective=change.effective, reason=change.reason
                )
            except AccessDenied as denied:
                raise PermissionDenied(denied.message) from denied
            except Invalid as invalid:
                change.add_action_errors(invalid)
            else:
                day = date_format(change.effective, "j M Y")
                messages.success(request, f"Reporting lines updated from {day}.")
                return redirect("org:person", pk=person.pk)
        status = 400
    else:
        change = LinesChange.for_lines(user, current)
    context = {"person": person, "change": change, "current": current}
    return render(request, "org/person_lines.html", context, status=status)
