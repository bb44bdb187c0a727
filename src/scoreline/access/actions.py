"""Writes to access control: grants, tokens and the record of who read sensitive data."""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from scoreline.access.capabilities import Capability, FieldClass
from scoreline.access.models import ApiToken, Grant, Role
from scoreline.access.scope import AnyUser, require_on_unit, shown_field_classes
from scoreline.audit.chain import record_event
from scoreline.lib.errors import AccessDenied, Invalid
from scoreline.org.models import OrgUnit, Person

__all__ = [
    "TOKEN_PREFIX",
    "do_create_token",
    "do_grant_role",
    "do_record_sensitive_read",
    "do_record_shown_fields",
    "do_revoke_grant",
    "do_revoke_token",
    "token_digest",
]

TOKEN_PREFIX = "sl"


def _grant_facts(grant: Grant) -> dict[str, object]:
    return {"user": grant.user_id, "role": grant.role.code, "unit": grant.unit.code}


@transaction.atomic
def do_grant_role(
    actor: AnyUser, user: User, role: Role, unit: OrgUnit, *, reason: str = ""
) -> Grant:
    require_on_unit(actor, Capability.MANAGE_ACCESS, unit)
    if Grant.objects.filter(user=user, role=role, unit=unit).exists():
        raise Invalid.field(
            "role", f"{user} already holds {role.code} on {unit.code}", code="duplicate"
        )
    grant = Grant.objects.create(
        user=user, role=role, unit=unit, granted_by=actor if actor.is_authenticated else None
    )
    record_event(
        actor, "access.grant.create", "grant", grant.pk, after=_grant_facts(grant), reason=reason
    )
    return grant


@transaction.atomic
def do_revoke_grant(actor: AnyUser, grant: Grant, *, reason: str = "") -> None:
    require_on_unit(actor, Capability.MANAGE_ACCESS, grant.unit)
    before = _grant_facts(grant)
    grant_id = grant.pk
    grant.delete()
    record_event(actor, "access.grant.revoke", "grant", grant_id, before=before, reason=reason)


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def do_create_token(actor: AnyUser, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for ``user``; the returned secret is shown once and never stored."""
    if actor.pk != user.pk and not getattr(actor, "is_superuser", False):
        raise AccessDenied("Only administrators create tokens for other users.")
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user, name=name, prefix=prefix, digest=token_digest(secret)
    )
    record_event(
        actor,
        "access.token.create",
        "api_token",
        token.pk,
        after={"user": user.pk, "name": name, "prefix": prefix},
    )
    return token, secret


@transaction.atomic
def do_revoke_token(actor: AnyUser, token: ApiToken) -> None:
    if actor.pk != token.user_id and not getattr(actor, "is_superuser", False):
        raise AccessDenied("Only administrators revoke other users' tokens.")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record_event(
        actor, "access.token.revoke", "api_token", token.pk, after={"prefix": token.prefix}
    )


def do_record_shown_fields(viewer: AnyUser, rows: Iterable[Person], *, channel: str) -> None:
    """Record the sensitive fields shown with rows from ``field_access``: one event per set."""
    shown: dict[frozenset[FieldClass], list[Person]] = defaultdict(list)
    for row in rows:
        classes = shown_field_classes(row)
        if classes:
            shown[classes].append(row)
    for classes, people in shown.items():
        do_record_sensitive_read(viewer, people, classes, channel=channel)


@transaction.atomic
def do_record_sensitive_read(
    viewer: AnyUser, people: Iterable[Person], field_classes: Iterable[FieldClass], *, channel: str
) -> None:
    """Record that ``viewer`` was shown sensitive fields of these people (page, API or export)."""
    person_ids = sorted({person.pk for person in people})
    classes = sorted({field_class.value for field_class in field_classes})
    if not person_ids or not classes:
        return
    object_id = str(person_ids[0]) if len(person_ids) == 1 else f"{len(person_ids)} people"
    record_event(
        viewer,
        "read.sensitive",
        "person",
        object_id,
        after={"people": person_ids, "field_classes": classes, "channel": channel},
    )
