"""The landing page: each persona lands on its own view, chosen from what the user holds."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import (
    Avg,
    Case,
    DecimalField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from scoreline.access.aggregates import Group, summarise_people
from scoreline.access.capabilities import Capability
from scoreline.access.models import Grant
from scoreline.access.scope import AnyUser, capability_paths, holds_anywhere
from scoreline.lib.dates import effective_on, today
from scoreline.lib.tree import subtree_q, subtrees_q
from scoreline.org.models import OrgUnit, Person, ReportingLine, UnitKind
from scoreline.org.queries import people_for, reporting_lines_for, units_for
from scoreline.org.views import (
    PAGE_SIZE,
    active_people,
    people_directory_context,
    person_context,
    tree_context,
)

__all__ = ["Landing", "home", "landing_for"]

ENTITY_KINDS = [UnitKind.LEGAL_ENTITY, UnitKind.JOINT_VENTURE, UnitKind.ACQUIRED_ENTITY]


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
    if user.is_authenticated and Grant.objects.filter(user_id=user.pk).exists():
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


@dataclass(frozen=True)
class EntityRow:
    unit: OrgUnit | None
    head_count: Group


def _organisation_summary(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    # Deepest first, so a person in an entity nested inside another counts for the inner one.
    entities = list(units_for(user).filter(kind__in=ENTITY_KINDS).order_by("-depth", "path"))
    entity_of = Case(
        *[
            When(subtree_q(unit.path, "primary_unit__path"), then=Value(unit.pk))
            for unit in entities
        ],
        default=Value(None),
        output_field=IntegerField(),
    )
    groups = summarise_people(user, active_people().annotate(entity=entity_of), "entity")
    by_pk = {unit.pk: unit for unit in entities}
    rows = sorted(
        (EntityRow(by_pk.get(group.key), group) for group in groups),
        key=lambda row: (row.unit is None, row.unit.path if row.unit else ""),
    )
    everyone = active_people().annotate(everyone=Value(1, output_field=IntegerField()))
    total = summarise_people(user, everyone, "everyone")
    return {
        "entities": rows,
        "by_kind": summarise_people(user, active_people(), "kind"),
        "total": total[0] if total else None,
        "unit_count": units_for(user).count(),
    }


@dataclass(frozen=True)
class PayTable:
    currency: str
    grades: list[Group]


def _pay_overview(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    in_scope = active_people().filter(
        subtrees_q(capability_paths(user, Capability.VIEW_PAY), "primary_unit__path"),
        base_salary__isnull=False,
    )
    currencies = (
        in_scope.order_by("salary_currency").values_list("salary_currency", flat=True).distinct()
    )
    tables = [
        PayTable(
            currency=str(code),
            grades=summarise_people(
                user,
                in_scope.filter(salary_currency=code),
                "grade",
                capability=Capability.VIEW_PAY,
                measures={"average": Avg("base_salary", output_field=DecimalField())},
            ),
        )
        for code in currencies
    ]
    return {"tables": tables}


def _team(request: HttpRequest, me: Person) -> dict[str, Any]:
    """People seen through the units I manage and the lines reporting to me; direct reports first."""
    day = today()
    managed = OrgUnit.objects.filter(effective_on(day), manager=me).order_by("path")
    my_lines = ReportingLine.objects.filter(effective_on(day), manager=me)
    mine = my_lines.filter(person=OuterRef("pk")).order_by("-weight")
    team = (
        people_for(request.user)
        .filter(
            subtrees_q(managed.values_list("path", flat=True), "primary_unit__path")
            | Q(pk__in=my_lines.values("person_id"))
        )
        .exclude(pk=me.pk)
        .annotate(
            line_kind=Subquery(mine.values("kind")[:1]),
            line_weight=Subquery(mine.values("weight")[:1]),
            closeness=Case(
                When(Exists(mine.filter(kind="solid")), then=Value(0)),
                When(Exists(mine), then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
        )
        .order_by("closeness", "last_name", "first_name", "pk")
    )
    page = Paginator(team, PAGE_SIZE).get_page(request.GET.get("page"))
    return {"me": me, "managed_units": managed, "team": page}


def _render_landing(request: HttpRequest, landing: Landing) -> HttpResponse:
    context: dict[str, Any] = {"landing": landing.value, "min_group_size": settings.MIN_GROUP_SIZE}
    if landing is Landing.ADMIN:
        return render(request, "home/admin.html", context | _admin_overview(request))
    if landing is Landing.COMPENSATION:
        return render(request, "home/pay.html", context | _pay_overview(request))
    if landing is Landing.EXECUTIVE:
        return render(request, "home/executive.html", context | _organisation_summary(request))
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
