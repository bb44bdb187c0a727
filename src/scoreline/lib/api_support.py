"""The API's plumbing: who is calling, JSON errors for every failure, and paged lists.

Every error leaves as ``{"code": ..., "message": ..., "fields": {field: [reason, ...]}}``
with a 4xx status, whatever raised it: an action (``Invalid``, ``AccessDenied``,
``NotFound``), the input validation of django-ninja, a model's ``full_clean`` or a
request that failed authentication.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from scoreline.access.tokens import user_for_token
from scoreline.lib.errors import AccessDenied, Invalid, NotFound

__all__ = [
    "API_AUTH",
    "ERRORS",
    "MAX_PAGE_SIZE",
    "BearerTokenAuth",
    "ErrorOut",
    "Id",
    "PageQuery",
    "SessionCsrfAuth",
    "install_error_handlers",
    "page_of",
    "request_user",
]

M = TypeVar("M", bound=models.Model)

# Ids are 64-bit on both databases; anything larger is bad input, not a database error.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
# Deep pages are never useful and a huge offset would overflow the database's integers.
MAX_PAGE = 1_000_000

_SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; a wrong or revoked token is refused outright."""

    def authenticate(self, request: HttpRequest, token: str) -> AbstractBaseUser:
        user = user_for_token(token.strip())
        if user is None:
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

    def authenticate(self, request: HttpRequest, key: str | None) -> AbstractBaseUser | None:
        user = request.user
        if not user.is_authenticated or not isinstance(user, AbstractBaseUser):
            return None
        if request.method not in _SAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(403, "CSRF check failed: send the X-CSRFToken header with the session.")
        return user


API_AUTH = [BearerTokenAuth(), SessionCsrfAuth()]


def request_user(request: HttpRequest) -> AbstractBaseUser:
    """The authenticated caller (set by one of the API_AUTH classes)."""
    user = getattr(request, "auth", None)
    if not isinstance(user, AbstractBaseUser):
        raise AuthenticationError()
    return user


class ErrorOut(Schema):
    code: str = Field(
        description="Machine-readable reason, e.g. invalid, cycle, overlap, not_found"
    )
    message: str
    fields: dict[str, list[str]] = Field(
        default_factory=dict, description="Reasons per input field at fault"
    )


# For the OpenAPI document: what every authenticated operation may answer besides success.
ERRORS: dict[int, type[ErrorOut]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1")
    page_size: int = Field(
        DEFAULT_PAGE_SIZE, ge=1, description=f"Items per page (at most {MAX_PAGE_SIZE})"
    )


def page_of(queryset: QuerySet[M], page: PageQuery) -> tuple[list[M], int]:
    """One page of ``queryset`` and the total number of rows."""
    size = min(page.page_size, MAX_PAGE_SIZE)
    start = (page.page - 1) * size
    return list(queryset[start : start + size]), queryset.count()


def _error(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    fields: dict[str, list[str]] | None = None,
) -> HttpResponse:
    body = {"code": code, "message": message, "fields": fields or {}}
    response = api.create_response(request, body, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="scoreline"'
    return response


def _field_name(loc: Sequence[Any]) -> str:
    """``("body", "payload", "lines", 0, "weight")`` -> ``lines[0].weight``."""
    parts = list(loc)
    source = parts.pop(0) if parts else "body"
    if source == "body" and parts:
        parts.pop(0)  # the name of the body parameter
    if not parts:
        return "body" if source == "body" else str(source)
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name


_HTTP_CODES = {400: "malformed", 401: "unauthenticated", 403: "forbidden", 404: "not_found"}


def install_error_handlers(api: NinjaAPI) -> None:
    """Make every failure a JSON error with a code, a message and the fields at fault."""

    def invalid(request: HttpRequest, exc: Invalid) -> HttpResponse:
        return _error(api, request, exc.status, exc.code, exc.message, exc.fields)

    def denied(request: HttpRequest, exc: AccessDenied) -> HttpResponse:
        return _error(api, request, exc.status, exc.code, exc.message)

    def not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
        return _error(api, request, exc.status, exc.code, exc.message)

    def http404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return _error(api, request, 404, "not_found", "Not found.")

    def validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields: dict[str, list[str]] = {}
        for error in exc.errors:
            fields.setdefault(_field_name(error.get("loc", ())), []).append(
                str(error.get("msg", "invalid value"))
            )
        names = ", ".join(fields) or "the request"
        return _error(api, request, 400, "invalid", f"Invalid input in {names}.", fields)

    def model_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            fields = {
                ("body" if name == NON_FIELD_ERRORS else name): [str(m) for m in messages]
                for name, messages in exc.message_dict.items()
            }
        else:
            fields = {"body": [str(message) for message in exc.messages]}
        names = ", ".join(fields)
        return _error(api, request, 400, "invalid", f"Invalid input in {names}.", fields)

    def conflict(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        return _error(api, request, 409, "conflict", "The change conflicts with existing data.")

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = _HTTP_CODES.get(exc.status_code, "error")
        message = exc.message
        if isinstance(exc, AuthenticationError) and message == "Unauthorized":
            message = "Authentication required: send a bearer token or log in."
        return _error(api, request, exc.status_code, code, message)

    api.add_exception_handler(Invalid, invalid)
    api.add_exception_handler(AccessDenied, denied)
    api.add_exception_handler(NotFound, not_found)
    api.add_exception_handler(Http404, http404)
    api.add_exception_handler(NinjaValidationError, validation)
    api.add_exception_handler(DjangoValidationError, model_validation)
    api.add_exception_handler(IntegrityError, conflict)
    api.add_exception_handler(HttpError, http_error)
