"""Every error under /api/ is the API's JSON error, whoever answered it.

The API's own handlers (``support.install_error_handlers``) explain the errors raised while
an operation runs. Around them the framework answers on its own: a path under /api/ that is
not the API's, a method the path does not take, an exception no handler caught (Django's
500 page). Those leave here as ``{"code", "message", "fields"}`` too, with their status and
headers, so a client never has to parse HTML.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse

from scoreline.api.support import code_of_status, error_body
from scoreline.lib.request_id import current_request_id

__all__ = ["JsonErrorsMiddleware"]

# Headers of the framework's answer that tell the client something about the error.
_KEPT_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After")
JSON = "application/json; charset=utf-8"


def _is_api(request: HttpRequest) -> bool:
    return request.path_info == "/api" or request.path_info.startswith("/api/")


def _message(request: HttpRequest, response: HttpResponse) -> str:
    status = response.status_code
    if status == HTTPStatus.NOT_FOUND:
        return f"There is no resource at {request.path}."
    if status == HTTPStatus.METHOD_NOT_ALLOWED:
        allowed = ", ".join(sorted(part.strip() for part in response.get("Allow", "").split(",")))
        return f"{request.method} is not allowed on {request.path}; allowed: {allowed or 'none'}."
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        return (
            "Something went wrong on the server and the error has been logged "
            f"(request id {current_request_id() or 'unknown'})."
        )
    try:
        return f"{HTTPStatus(status).phrase}."
    except ValueError:
        return f"The request failed with status {status}."


class JsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < HTTPStatus.BAD_REQUEST
            or not _is_api(request)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        status = response.status_code
        answer = JsonResponse(
            error_body(code_of_status(status), _message(request, response)),
            status=status,
            content_type=JSON,
        )
        for header in _KEPT_HEADERS:
            if header in response:
                answer[header] = response[header]
        return answer
