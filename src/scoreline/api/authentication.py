"""How API callers authenticate: a bearer token, or the browser session with its CSRF token."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from scoreline.access.tokens import user_for_token

__all__ = ["API_AUTH", "BearerTokenAuth", "SessionCsrfAuth"]

_SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; a wrong or revoked token is refused outright."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        user = user_for_token(token.strip())
        if not isinstance(user, User):
            # No fall-back to the session: a client that sent a token meant to use it.
            raise AuthenticationError(401, "The API token is invalid or has been revoked.")
        request.user = user
        return user


class SessionCsrfAuth(APIKeyCookie):
    """The browser's Django session; unsafe methods must carry the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        # The CSRF check runs in authenticate, and only for a logged-in session: an
        # anonymous request must get 401, not a CSRF 403.
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        if not isinstance(user, User) or not user.is_authenticated:
            return None
        if request.method not in _SAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(403, "CSRF check failed: send the X-CSRFToken header with the session.")
        return user


API_AUTH = [BearerTokenAuth(), SessionCsrfAuth()]
