"""Access grants: roles held on units of the organisation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from scoreline.access.actions import do_grant_role, do_revoke_grant
from scoreline.access.capabilities import Capability
from scoreline.access.models import Grant, Role
from scoreline.access.scope import capability_paths, require_anywhere, visible_units
from scoreline.api.support import ERRORS, Id, Input, PageQuery, Text, page_of, request_user
from scoreline.lib.errors import Invalid, NotFound
from scoreline.lib.tree import subtrees_q
from scoreline.org.models import OrgUnit

__all__ = [
    "router",
]

router = Router()


class UnitRef(Schema):
    id: int
    code: str
    name: str


class GrantOut(Schema):
    id: int
    user_id: int
    username: str
    role: str
    role_name: str
    unit: UnitRef
    granted_by: str | None
    created_at: dt.datetime


class GrantPage(Schema):
    items: list[GrantOut]
    count: int


class GrantIn(Input):
    user: Id | str = Field(description="The user's id or username")
    role: str = Field(max_length=40, description="Role code, e.g. hr_partner")
    unit_id: Id = Field(description="The grant covers this unit and everything below it")
    reason: str = Field("", max_length=1000)


def unit_ref(unit: OrgUnit) -> dict[str, Any]:
    return {"id": unit.pk, "code": unit.code, "name": unit.name}


def grant_out(grant: Grant) -> dict[str, Any]:
    return {
        "id": grant.pk,
        "user_id": grant.user_id,
        "username": grant.user.get_username(),
        "role": grant.role.code,
        "role_name": grant.role.name,
        "unit": unit_ref(grant.unit),
        "granted_by": grant.granted_by.get_username() if grant.granted_by else None,
        "created_at": grant.created_at,
    }


def grants_for(user: User) -> QuerySet[Grant]:
    grants = Grant.objects.select_related("user", "role", "unit", "granted_by").order_by("pk")
    if getattr(user, "is_superuser", False):
        return grants
    in_scope = subtrees_q(capability_paths(user, Capability.MANAGE_ACCESS), "unit__path")
    return grants.filter(Q(user=user) | in_scope)


@router.get("/grants", response={200: GrantPage, **ERRORS}, tags=["access"])
def list_grants(
    request: HttpRequest,
    page: Query[PageQuery],
    user: Text | None = Query(None, max_length=150, description="Only this username's grants"),
) -> dict[str, Any]:
    """Grants within the caller's right to manage access, or else the caller's own."""
    grants = grants_for(request_user(request))
    if user:
        grants = grants.filter(user__username=user)
    items, count = page_of(grants, page)
    return {"items": [grant_out(grant) for grant in items], "count": count}


@router.post("/grants", response={201: GrantOut, **ERRORS}, tags=["access"])
def create_grant(request: HttpRequest, payload: GrantIn) -> Status:
    """Give a user a role over a unit and everything below it."""
    actor = request_user(request)
    require_anywhere(actor, Capability.MANAGE_ACCESS)
    users = get_user_model().objects
    target = (
        users.filter(pk=payload.user).first()
        if isinstance(payload.user, int)
        else users.filter(username=payload.user).first()
    )
    if target is None:
        raise Invalid.field("user", f"no user {payload.user!r}", code="unknown")
    role = Role.objects.filter(code=payload.role).first()
    if role is None:
        raise Invalid.field("role", f"no role {payload.role!r}", code="unknown")
    unit = visible_units(actor).filter(pk=payload.unit_id).first()
    if unit is None:
        raise Invalid.field("unit_id", f"no unit with id {payload.unit_id}", code="unknown")
    grant = do_grant_role(actor, target, role, unit, reason=payload.reason)
    return Status(201, grant_out(grants_for(actor).get(pk=grant.pk)))


@router.delete("/grants/{grant_id}", response={204: None, **ERRORS}, tags=["access"])
def revoke_grant(
    request: HttpRequest, grant_id: Id, reason: Text = Query("", max_length=1000)
) -> Status:
    """Revoke a grant (needs the right to manage access over its unit)."""
    actor = request_user(request)
    grant = grants_for(actor).filter(pk=grant_id).first()
    if grant is None:
        raise NotFound(f"No grant {grant_id}.")
    do_revoke_grant(actor, grant, reason=reason)
    return Status(204, None)
