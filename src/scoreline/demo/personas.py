"""The demo's logins: one per way of using Scoreline, each linked to a person and a grant."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from scoreline.access.models import Grant, Role
from scoreline.demo.org import UnitPlan
from scoreline.demo.people import EMAIL_DOMAIN, PersonPlan
from scoreline.org.models import OrgUnit, Person, PersonKind, UnitKind

__all__ = [
    "PERSONAS",
    "PERSONA_GRANTS",
    "PersonaLine",
    "choose_personas",
    "create_personas",
    "describe_personas",
]

PERSONAS = ("admin", "ceo", "hr", "comp", "manager", "steward", "employee")
# Roles granted on the whole group. The manager needs none: heading a unit gives the manager role.
PERSONA_GRANTS = {
    "ceo": "executive",
    "hr": "hr_partner",
    "comp": "compensation_manager",
    "steward": "data_steward",
}
ROLE_OF = {
    "admin": "superuser: administration and every record",
    "ceo": "executive over the whole group",
    "hr": "HR partner over the whole group",
    "comp": "compensation manager over the whole group",
    "manager": "manager of a department and its teams",
    "steward": "data steward over the whole group",
    "employee": "employee: their own record",
}
SERVICE_OF = {"hr": "HR Services", "comp": "Reward & Payroll", "steward": "Data Management"}


def _below(units: list[UnitPlan], top: int) -> set[int]:
    prefix = units[top].path
    return {unit.index for unit in units if unit.path.startswith(prefix)}


def _first_member(people: list[PersonPlan], within: set[int]) -> int:
    for person in people:
        if (
            person.unit in within
            and person.heads is None
            and person.kind == PersonKind.EMPLOYEE
            and person.leave_date is None
        ):
            return person.index
    raise ValueError("the demo has no suitable employee for a persona")


def choose_personas(units: list[UnitPlan], people: list[PersonPlan]) -> dict[str, int]:
    """Person index of each persona except ``admin``, who is a login without a person."""
    heads = {person.heads: person.index for person in people if person.heads is not None}
    uk = next(unit for unit in units if unit.code == "UK")
    department = next(
        unit
        for unit in units
        if unit.kind == UnitKind.DEPARTMENT
        and unit.entity == uk.index
        and unit.children
        and all(units[child].kind == UnitKind.TEAM for child in unit.children)
    )
    chosen = {
        "ceo": heads[0],
        "manager": heads[department.index],
        "employee": _first_member(people, set(department.children)),
    }
    ssc = next(unit for unit in units if unit.kind == UnitKind.SHARED_SERVICE_CENTRE)
    for persona, service in SERVICE_OF.items():
        unit = next(u for u in units if u.entity == ssc.index and u.function == service)
        chosen[persona] = _first_member(people, _below(units, unit.index))
    return chosen


def create_personas(
    chosen: dict[str, int], person_ids: list[int], root: OrgUnit, password_hash: str
) -> dict[str, User]:
    """Users with an already hashed password, linked to their people, with their grants."""
    users: dict[str, User] = {}
    for name in PERSONAS:
        user = get_user_model()(
            username=name,
            email=f"{name}@{EMAIL_DOMAIN}",
            password=password_hash,
            is_staff=name == "admin",
            is_superuser=name == "admin",
        )
        if name in chosen:
            person = Person.objects.get(pk=person_ids[chosen[name]])
            user.first_name, user.last_name = person.first_name, person.last_name
            user.save()
            Person.objects.filter(pk=person.pk).update(user=user)
        else:
            user.first_name, user.last_name = "Demo", "Administrator"
            user.save()
        users[name] = user
    roles = {role.code: role for role in Role.objects.filter(code__in=PERSONA_GRANTS.values())}
    for name, role_code in PERSONA_GRANTS.items():
        Grant.objects.create(
            user=users[name], role=roles[role_code], unit=root, granted_by=users["admin"]
        )
    return users


@dataclass(frozen=True)
class PersonaLine:
    login: str
    who: str
    role: str


def describe_personas() -> list[PersonaLine]:
    """The demo logins as they stand in the database, for printing at start."""
    logins = get_user_model().objects.filter(username__in=PERSONAS)
    users = {user.get_username(): user for user in logins}
    people = {
        person.user_id: person
        for person in Person.objects.filter(user__in=users.values()).select_related("primary_unit")
    }
    lines = []
    for name in PERSONAS:
        user = users.get(name)
        if user is None:
            continue
        person = people.get(user.pk)
        who = (
            f"{person.full_name}, {person.job_title} ({person.primary_unit.name})"
            if person is not None
            else "no person record"
        )
        lines.append(PersonaLine(name, who, ROLE_OF[name]))
    return lines
