from __future__ import annotations

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher

from scoreline.access.actions import do_create_token, do_revoke_token
from scoreline.access.models import ApiToken
from scoreline.access.tokens import user_for_token
from scoreline.lib.errors import AccessDenied
from tests.builders.enterprise import Enterprise

pytestmark = pytest.mark.django_db


def test_a_token_identifies_its_user_and_only_its_digest_is_stored(enterprise: Enterprise) -> None:
    manager = enterprise.users["manager"]
    token, secret = do_create_token(manager, manager, "reporting script")
    assert user_for_token(secret) == manager
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret not in {stored.digest, stored.prefix, stored.name}
    assert stored.last_used_at is not None


def test_a_revoked_or_altered_token_identifies_nobody(enterprise: Enterprise) -> None:
    manager = enterprise.users["manager"]
    token, secret = do_create_token(manager, manager, "script")
    assert user_for_token(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
    assert user_for_token("not-a-token") is None
    do_revoke_token(manager, token)
    assert user_for_token(secret) is None


def test_a_token_of_a_deactivated_user_identifies_nobody(enterprise: Enterprise) -> None:
    manager = enterprise.users["manager"]
    _, secret = do_create_token(manager, manager, "script")
    manager.is_active = False
    manager.save()
    assert user_for_token(secret) is None


def test_only_administrators_create_tokens_for_someone_else(enterprise: Enterprise) -> None:
    with pytest.raises(AccessDenied):
        do_create_token(enterprise.users["manager"], enterprise.users["employee"], "sneaky")
    _, secret = do_create_token(
        enterprise.users["admin"], enterprise.users["employee"], "on behalf"
    )
    assert user_for_token(secret) == enterprise.users["employee"]


def test_passwords_are_hashed_with_argon2_in_production() -> None:
    from scoreline import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    hasher = Argon2PasswordHasher()
    encoded = hasher.encode("secret", hasher.salt())
    assert encoded.startswith("argon2$") and hasher.verify("secret", encoded)
