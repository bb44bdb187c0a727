"""Looking up the user behind an API token."""

from __future__ import annotations

import hmac
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from scoreline.access.actions import TOKEN_PREFIX, token_digest
from scoreline.access.models import ApiToken

__all__ = ["user_for_token"]

# Writing last_used_at on every call would make each API read a write.
_TOUCH_EVERY = timedelta(minutes=5)


def user_for_token(secret: str) -> AbstractBaseUser | None:
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(prefix=parts[1], revoked_at__isnull=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.digest, token_digest(secret)):
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > _TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
