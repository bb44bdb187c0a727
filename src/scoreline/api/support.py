"""The API's plumbing: who is calling, JSON errors for every failure, and paged lists.

Every error leaves as ``{"code": ..., "message": ..., "fields": {field: [reason, ...]}}``
with a 4xx status, whatever raised it: an action (``Invalid``, ``AccessDenied``,
``NotFound``), the input validation of django-ninja, a model's ``full_clean``, a
request that failed authentication or a body over the size limit. What the framework
answers around the API (a method a path does not take, an uncaught exception) is made the
same shape by ``api.middleware``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import AfterValidator, ConfigDict, Strict

from scoreline.api.body import UnstorableValue
from scoreline.lib.errors import AccessDenied, Invalid, NotFound

__all__ = [
    "ERRORS",
    "MAX_PAGE_SIZE",
    "Choice",
    "DecimalNumber",
    "ErrorOut",
    "Id",
    "Input",
    "PageQuery",
    "Text",
    "code_of_status",
    "error_body",
    "install_error_handlers",
    "page_of",
    "request_user",
]

M = TypeVar("M", bound=models.Model)

# Ids are 64-bit on both databases; anything larger is bad input, not a database error.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _without_nul(value: str) -> str:
    # PostgreSQL cannot store NUL characters; refuse them here rather than fail at the database.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Text = Annotated[str, AfterValidator(_without_nul)]


E = TypeVar("E", bound=Enum)
Choice = Annotated[E, Strict(False)]
"""A choice of a request body, given by its value (``Choice[UnitKind]``): strict
validation would want a member of the class itself."""

DecimalNumber = Annotated[Decimal, Strict(False)]
"""An exact number of a request body, given as a JSON number or as its text (``"12.50"``):
strict validation would want a ``Decimal`` itself. ``true`` is still no number."""


class Input(Schema):
    """A request body: unknown fields are errors and every value must have its field's type.

    A misspelt field must be an error, not a silently ignored change; and ``true`` is no
    number, ``1`` no true, ``"5"`` no count (pydantic's strict mode). Dates and months are
    read from their ISO text by their own types (``Day``, ``Month``); text that cannot be
    stored never gets this far (:mod:`.body`).
    """

    model_config = ConfigDict(extra="forbid", strict=True)


DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
# Deep pages are never useful and a huge offset would overflow the database's integers.
MAX_PAGE = 1_000_000


def request_user(request: HttpRequest) -> User:
    """The authenticated caller (set by one of the API_AUTH classes)."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
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


def error_body(
    code: str, message: str, fields: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    """The JSON of every API error."""
    return {"code": code, "message": message, "fields": fields or {}}


def _error(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    fields: dict[str, list[str]] | None = None,
) -> HttpResponse:
    response = api.create_response(request, error_body(code, message, fields), status=status)
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


_HTTP_CODES = {
    400: "malformed",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    500: "server_error",
}


def code_of_status(status: int) -> str:
    """The error code of an HTTP status that no more particular reason explains."""
    return _HTTP_CODES.get(status, "error")


Problem = tuple[int, str, str, dict[str, list[str]]]


def _validation_problem(exc: NinjaValidationError) -> Problem:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        name = _field_name(error.get("loc", ()))
        message = str(error.get("msg", "invalid value"))
        # pydantic puts this before the reasons of our own validators; they speak for themselves.
        fields.setdefault(name, []).append(message.removeprefix("Value error, "))
    return 400, "invalid", f"Invalid input in {', '.join(fields) or 'the request'}.", fields


def _model_validation_problem(exc: DjangoValidationError) -> Problem:
    if hasattr(exc, "error_dict"):
        fields = {
            name: [str(message) for message in messages]
            for name, messages in exc.message_dict.items()
        }
    else:
        fields = {NON_FIELD_ERRORS: [str(message) for message in exc.messages]}
    return 400, "invalid", f"Invalid input in {', '.join(fields)}.", fields


def _http_problem(exc: HttpError) -> Problem:
    if isinstance(exc.__cause__, UnstorableValue):  # raised reading the body
        field, reason = exc.__cause__.field, exc.__cause__.reason
        return 400, "invalid", f"Invalid input in {field}.", {field: [reason]}
    message = exc.message
    if isinstance(exc, AuthenticationError) and message == "Unauthorized":
        message = "Authentication required: send a bearer token or log in."
    return exc.status_code, code_of_status(exc.status_code), message, {}


def _too_large_problem() -> Problem:
    limit: int = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    reason = f"larger than the limit of {limit} bytes"
    return 413, "too_large", f"The request body is {reason}.", {"body": [reason]}


def _problem(exc: object) -> Problem:
    """Status, code, message and fields for an exception raised while serving a request."""
    if isinstance(exc, Invalid):
        return exc.status, exc.code, exc.message, exc.fields
    if isinstance(exc, AccessDenied | NotFound):
        return exc.status, exc.code, exc.message, {}
    if isinstance(exc, Http404):
        return 404, "not_found", "Not found.", {}
    if isinstance(exc, NinjaValidationError):
        return _validation_problem(exc)
    if isinstance(exc, DjangoValidationError):
        return _model_validation_problem(exc)
    if isinstance(exc, IntegrityError):
        return 409, "conflict", "The change conflicts with existing data.", {}
    if isinstance(exc, HttpError):
        return _http_problem(exc)
    if isinstance(exc, RequestDataTooBig):
        return _too_large_problem()
    raise TypeError(f"no JSON error for {exc!r}")


HANDLED: tuple[type[Exception], ...] = (
    Invalid,
    AccessDenied,
    NotFound,
    Http404,
    NinjaValidationError,
    DjangoValidationError,
    IntegrityError,
    HttpError,
    RequestDataTooBig,
)


def install_error_handlers(api: NinjaAPI) -> None:
    """Make every failure a JSON error with a code, a message and the fields at fault."""

    def handle(request: HttpRequest, exc: Exception | type[Exception]) -> HttpResponse:
        status, code, message, fields = _problem(exc)
        return _error(api, request, status, code, message, fields)

    for exception_class in HANDLED:
        api.add_exception_handler(exception_class, handle)
