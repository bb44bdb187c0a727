"""Who the caller is: their login, their person and what they may do where."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from scoreline.access.capabilities import SELF_SERVICE, Capability
from scoreline.access.scope import capability_paths
from scoreline.api.grants import GrantOut, UnitRef, grant_out, grants_for, unit_ref
from scoreline.api.support import ERRORS, request_user
from scoreline.lib.dates import effective_on, today
from scoreline.org.models import OrgUnit, Person

__all__ = [
    "router",
]

router = Router()


class PersonRef(Schema):
    id: int
    full_name: str
    employee_id: str
    primary_unit_id: int


class CapabilityScope(Schema):
    capability: Capability
    label: str
    units: list[UnitRef] = Field(description="Held over these units and everything below them")


class MeOut(Schema):
    id: int
    username: str
    is_superuser: bool
    person: PersonRef | None
    grants: list[GrantOut]
    managed_units: list[UnitRef]
    capabilities: list[CapabilityScope]
    own_record: list[Capability] = Field(description="What the caller holds over their own record")


@router.get("/me", response={200: MeOut, **ERRORS}, tags=["access"])
def me(request: HttpRequest) -> dict[str, Any]:
    """Who the caller is, their person record and what they may do where."""
    user = request_user(request)
    person = Person.objects.filter(user=user).first()
    superuser = bool(getattr(user, "is_superuser", False))
    roots = list(OrgUnit.objects.get_root_nodes()) if superuser else []
    capabilities = []
    for capability in Capability:
        if superuser:
            units = roots
        else:
            paths = capability_paths(user, capability)
            units = list(OrgUnit.objects.filter(path__in=paths)) if paths else []
        if units:
            capabilities.append(
                {
                    "capability": capability,
                    "label": capability.label,
                    "units": [unit_ref(unit) for unit in units],
                }
            )
    managed = OrgUnit.objects.filter(effective_on(today()), manager__user=user) if person else []
    return {
        "id": user.pk,
        "username": user.get_username(),
        "is_superuser": superuser,
        "person": (
            {
                "id": person.pk,
                "full_name": person.full_name,
                "employee_id": person.employee_id,
                "primary_unit_id": person.primary_unit_id,
            }
            if person
            else None
        ),
        "grants": [grant_out(grant) for grant in grants_for(user).filter(user=user)],
        "managed_units": [unit_ref(unit) for unit in managed],
        "capabilities": capabilities,
        "own_record": sorted(SELF_SERVICE) if person else [],
    }
