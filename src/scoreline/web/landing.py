"""The landing page: each persona lands on its own view, chosen from what the user holds."""

from __future__ import annotations

import enum
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import (
    QuerySet,
)
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from scoreline.access.capabilities import Capability
from scoreline.access.models import Grant
from scoreline.access.scope import AnyUser, capability_paths, holds_any_grant, holds_anywhere
from scoreline.lib.dates import effective_on, today
from scoreline.lib.tree import subtrees_q
from scoreline.org.models import OrgUnit, Person, ReportingLine
from scoreline.org.queries import (
    managed_units_of,
    people_for,
    reporting_lines_for,
    team_of,
    units_for,
)
from scoreline.org.summaries import organisation_summary, pay_by_grade
from scoreline.web.org.views import (
    PAGE_SIZE,
    people_directory_context,
    person_context,
    tree_context,
)

__all__ = ["Landing", "home", "landing_for"]


class Landing(enum.Enum):
    ADMIN = "admin"
    COMPENSATION = "compensation"
    EXECUTIVE = "executive"
    HR = "hr"
    MANAGER = "manager"
    STEWARD = "steward"
    EMPLOYEE = "employee"
    OUTSIDER = "outsider"


def _own_person(user: AnyUser) -> Person | None:
    return Person.objects.filter(user_id=user.pk).first() if user.is_authenticated else None


def _leads_anyone(person: Person) -> bool:
    day = today()
    return (
        OrgUnit.objects.filter(effective_on(day), manager=person).exists()
        or ReportingLine.objects.filter(effective_on(day), manager=person).exists()
    )


def landing_for(user: AnyUser) -> Landing:
    """The view a user starts on, from the capabilities their roles carry (most specific first)."""
    if holds_anywhere(user, Capability.ADMINISTER):
        return Landing.ADMIN
    if holds_anywhere(user, Capability.MANAGE_PAY):
        return Landing.COMPENSATION
    if holds_anywhere(user, Capability.APPROVE_CHANGE):
        return Landing.EXECUTIVE
    if holds_anywhere(user, Capability.MANAGE_ORG) or holds_anywhere(
        user, Capability.VIEW_PROTECTED
    ):
        return Landing.HR
    person = _own_person(user)
    if person is not None and _leads_anyone(person):
        return Landing.MANAGER
    if holds_any_grant(user):
        return Landing.STEWARD
    if person is not None:
        return Landing.EMPLOYEE
    return Landing.OUTSIDER


def _admin_overview(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    grants = Grant.objects.all()
    if not getattr(user, "is_superuser", False):
        grants = grants.filter(
            subtrees_q(capability_paths(user, Capability.ADMINISTER), "unit__path")
        )
    return {
        "unit_count": units_for(user).count(),
        "people_count": people_for(user).count(),
        "grant_count": grants.count(),
        "line_count": reporting_lines_for(user, today()).count(),
    }


def _team(request: HttpRequest, me: Person) -> dict[str, Any]:
    page = Paginator(team_of(request.user, me), PAGE_SIZE).get_page(request.GET.get("page"))
    return {"me": me, "managed_units": managed_units_of(me), "team": page}


def _render_landing(request: HttpRequest, landing: Landing) -> HttpResponse:
    context: dict[str, Any] = {"landing": landing.value, "min_group_size": settings.MIN_GROUP_SIZE}
    if landing is Landing.ADMIN:
        return render(request, "home/admin.html", context | _admin_overview(request))
    if landing is Landing.COMPENSATION:
        return render(request, "home/pay.html", context | {"tables": pay_by_grade(request.user)})
    if landing is Landing.EXECUTIVE:
        return render(request, "home/executive.html", context | organisation_summary(request.user))
    if landing is Landing.HR:
        return render(request, "org/people.html", context | people_directory_context(request))
    me = _own_person(request.user)
    if landing is Landing.MANAGER and me is not None:
        return render(request, "home/team.html", context | _team(request, me))
    if landing is Landing.STEWARD:
        return render(request, "org/tree.html", context | tree_context(request.user))
    if landing is Landing.EMPLOYEE and me is not None:
        own: QuerySet[Person] = people_for(request.user).filter(pk=me.pk)
        return render(request, "org/person.html", context | person_context(request, own.get()))
    return render(request, "home/outsider.html", context)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return _render_landing(request, landing_for(request.user))
