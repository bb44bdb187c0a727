"""Who may see what: deny by default, scoped by subtree path, answered in SQL.

A user holds a capability over the subtree of a unit through an explicit grant, or through
the manager role on the units they manage. Line managers (solid, dotted or project) hold
the manager role's capabilities over the people who report to them, and everybody holds
the self-service capabilities over their own record. Nothing is filtered row by row in
Python: every rule becomes one ``Q`` on the query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When

from scoreline.access.capabilities import SELF_SERVICE, Capability, FieldClass
from scoreline.access.models import Grant, RoleCapability
from scoreline.lib.dates import effective_on, today
from scoreline.lib.errors import AccessDenied
from scoreline.lib.tree import minimal_roots, subtree_q, subtrees_q
from scoreline.org.models import OrgUnit, Person, ReportingLine

__all__ = [
    "AnyUser",
    "capability_paths",
    "field_access",
    "holds_any_grant",
    "holds_anywhere",
    "holds_everywhere",
    "holds_on_unit",
    "is_active",
    "is_member",
    "people_q",
    "require_anywhere",
    "require_everywhere",
    "require_on_unit",
    "sees_every_unit",
    "shown_field_classes",
    "visible_in_subtree",
    "visible_to",
    "visible_units",
]

AnyUser = User | AnonymousUser
M = TypeVar("M", bound=models.Model)

MANAGER_ROLE = "manager"


def is_active(user: AnyUser | None) -> bool:
    """A logged-in user whose account is active."""
    return user is not None and user.is_authenticated and bool(getattr(user, "is_active", False))


def _uid(user: AnyUser) -> int:
    """The id of a user already checked to be active (anonymous users have none)."""
    return cast(int, user.pk)


def _is_superuser(user: AnyUser) -> bool:
    return bool(getattr(user, "is_superuser", False))


@dataclass(frozen=True)
class _Facts:
    """What decides a user's access, read once per request in four small queries."""

    granted_paths: dict[str, list[str]]
    managed_paths: list[str]
    manager_role: frozenset[str]
    has_person: bool
    has_grant: bool
    tree_roots: frozenset[str]


def _facts(user: AnyUser) -> _Facts:
    """Kept on the user object, so the answers live exactly as long as one request."""
    facts: _Facts | None = getattr(user, "_scoreline_access", None)
    if facts is None:
        uid = _uid(user)
        granted: dict[str, list[str]] = {}
        grants = Grant.objects.filter(user_id=uid).values_list(
            "role__capabilities__capability", "unit__path"
        )
        for capability, path in grants:
            granted.setdefault(capability, []).append(path)
        facts = _Facts(
            granted_paths=granted,
            managed_paths=list(
                OrgUnit.objects.filter(effective_on(today()), manager__user_id=uid).values_list(
                    "path", flat=True
                )
            ),
            manager_role=frozenset(
                RoleCapability.objects.filter(role__code=MANAGER_ROLE).values_list(
                    "capability", flat=True
                )
            ),
            has_person=Person.objects.filter(user_id=uid).exists(),
            has_grant=bool(grants),
            tree_roots=frozenset(OrgUnit.objects.filter(depth=1).values_list("path", flat=True)),
        )
        user._scoreline_access = facts  # type: ignore[union-attr]
    return facts


def capability_paths(user: AnyUser, capability: Capability) -> list[str]:
    """Roots of the subtrees over which ``user`` holds ``capability`` (overlaps removed)."""
    if not is_active(user):
        return []
    facts = _facts(user)
    paths = list(facts.granted_paths.get(capability, []))
    if capability in facts.manager_role:
        paths += facts.managed_paths
    return minimal_roots(paths)


def holds_anywhere(user: AnyUser, capability: Capability) -> bool:
    return is_active(user) and (_is_superuser(user) or bool(capability_paths(user, capability)))


def holds_everywhere(user: AnyUser, capability: Capability) -> bool:
    """Whether ``user`` holds ``capability`` over every tree of the organisation."""
    if not is_active(user):
        return False
    if _is_superuser(user):
        return True
    roots = _facts(user).tree_roots
    return bool(roots) and roots.issubset(capability_paths(user, capability))


def holds_on_unit(user: AnyUser, capability: Capability, unit: OrgUnit) -> bool:
    """Whether ``user`` holds ``capability`` over ``unit`` (granted on it or on an ancestor)."""
    if not is_active(user):
        return False
    if _is_superuser(user):
        return True
    return any(unit.path.startswith(root) for root in capability_paths(user, capability))


def holds_any_grant(user: AnyUser) -> bool:
    return is_active(user) and _facts(user).has_grant


def sees_every_unit(user: AnyUser) -> bool:
    """Whether ``user`` may see every unit: a superuser, a viewer over the whole organisation,
    or any member of it (units are not secret from the people who work in them)."""
    if not is_active(user):
        return False
    if _is_superuser(user) or holds_everywhere(user, Capability.VIEW_ORG):
        return True
    return Person.objects.filter(user_id=_uid(user)).exists()


def is_member(user: AnyUser) -> bool:
    """A user linked to a person of the organisation, or holding any grant, or a superuser."""
    if not is_active(user):
        return False
    return _is_superuser(user) or _facts(user).has_person or _facts(user).has_grant


def people_q(user: AnyUser, capability: Capability, person_lookup: str = "") -> Q:
    """A filter selecting rows about the people over whom ``user`` holds ``capability``.

    ``person_lookup`` leads from the filtered model to its person ("" for Person itself).
    """
    prefix = f"{person_lookup}__" if person_lookup else ""
    if not is_active(user):
        return Q(pk__in=[])
    if _is_superuser(user):
        return Q(**{f"{prefix}pk__isnull": False})
    if holds_everywhere(user, capability):
        return Q(**{f"{prefix}pk__isnull": False})
    # One list of person ids, the union of what each rule allows. Each branch is served by
    # an index; an OR of the rules instead would make the database scan every person.
    branches: list[QuerySet[Any]] = []
    paths = capability_paths(user, capability)
    if paths:
        units = OrgUnit.objects.filter(subtrees_q(paths)).values("pk")
        branches.append(Person.objects.filter(primary_unit_id__in=units).values("pk"))
    if capability in SELF_SERVICE:
        branches.append(Person.objects.filter(user_id=_uid(user)).values("pk"))
    if capability in _facts(user).manager_role:
        line_reports = ReportingLine.objects.filter(
            effective_on(today()), manager__user_id=_uid(user)
        ).values("person_id")
        branches.append(line_reports)
    if not branches:
        return Q(pk__in=[])
    # A union may not hold ORDER BY clauses, and the models' default orderings would add them.
    first, *rest = (branch.order_by() for branch in branches)
    people = first.union(*rest) if rest else first
    return Q(**{f"{prefix}pk__in": people})


def _person_lookup(model: type[models.Model]) -> str:
    if model is Person:
        return ""
    lookup = getattr(model, "person_lookup", None)
    if lookup is None:
        raise TypeError(f"{model.__name__} holds no people data (set person_lookup on the model)")
    return str(lookup)


def visible_to(
    user: AnyUser, queryset: QuerySet[M], capability: Capability = Capability.VIEW_PEOPLE
) -> QuerySet[M]:
    """The rows of ``queryset`` about people ``user`` may see with ``capability``. Deny by default."""
    query = people_q(user, capability, _person_lookup(queryset.model))
    return queryset.filter(query)


def visible_in_subtree(
    user: AnyUser,
    queryset: QuerySet[M],
    unit: OrgUnit,
    capability: Capability = Capability.VIEW_PEOPLE,
) -> QuerySet[M]:
    """The rows of ``queryset`` about people in ``unit``'s subtree that ``user`` may see."""
    lookup = _person_lookup(queryset.model)
    prefix = f"{lookup}__" if lookup else ""
    rows = queryset.filter(subtree_q(unit.path, f"{prefix}primary_unit__path"))
    if holds_on_unit(user, capability, unit):
        return rows  # the whole subtree is in scope: the scope adds nothing to the filter
    return rows.filter(people_q(user, capability, lookup))


def visible_units(user: AnyUser) -> QuerySet[OrgUnit]:
    """Members see the whole structure; grant-only users see the subtrees they were granted."""
    if not is_active(user):
        return OrgUnit.objects.none()
    if _is_superuser(user) or _facts(user).has_person:
        return OrgUnit.objects.all()
    granted = _facts(user).granted_paths.values()
    return OrgUnit.objects.filter(subtrees_q(path for paths in granted for path in paths))


def field_access(user: AnyUser, queryset: QuerySet[M]) -> QuerySet[M]:
    """Annotate each row with ``can_see_<field class>`` booleans, decided in the same query."""
    lookup = _person_lookup(queryset.model)
    annotations = {
        f"can_see_{field_class.value}": Case(
            When(people_q(user, field_class.capability, lookup), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
        for field_class in FieldClass
    }
    return queryset.annotate(**annotations)


def shown_field_classes(row: models.Model) -> frozenset[FieldClass]:
    """The sensitive field classes of a row from ``field_access`` that may be shown."""
    declared = getattr(type(row), "sensitive_fields", {})
    return frozenset(
        field_class
        for field_class in declared
        if getattr(row, f"can_see_{field_class.value}", False)
    )


def require_on_unit(user: AnyUser, capability: Capability, unit: OrgUnit) -> None:
    """Raise AccessDenied unless ``user`` holds ``capability`` over ``unit``."""
    if not holds_on_unit(user, capability, unit):
        raise AccessDenied(f"You need the '{capability.label}' right on {unit.name}.")


def require_everywhere(user: AnyUser, capability: Capability) -> None:
    if not holds_everywhere(user, capability):
        raise AccessDenied(f"You need the '{capability.label}' right over the whole organisation.")


def require_anywhere(user: AnyUser, capability: Capability) -> None:
    if not holds_anywhere(user, capability):
        raise AccessDenied(f"You need the '{capability.label}' right.")
