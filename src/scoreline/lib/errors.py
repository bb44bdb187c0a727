"""Errors raised by actions, shown as a 4xx with the code, the reason and the fields at fault."""

from __future__ import annotations

__all__ = ["AccessDenied", "Conflict", "Invalid", "NotFound"]


class Invalid(Exception):
    """Input that breaks a rule; nothing was written."""

    status = 400

    def __init__(
        self, message: str, *, fields: dict[str, list[str]] | None = None, code: str = "invalid"
    ) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.code = code

    @classmethod
    def field(cls, field: str, reason: str, code: str = "invalid") -> Invalid:
        return cls(f"{field}: {reason}", fields={field: [reason]}, code=code)


class Conflict(Invalid):
    """Input that was valid but came too late: the state it assumed has changed (409)."""

    status = 409


class AccessDenied(Exception):
    """The user lacks the capability for this action on this object."""

    status = 403

    def __init__(self, message: str = "You do not have the right to do this.") -> None:
        super().__init__(message)
        self.message = message
        self.code = "forbidden"


class NotFound(Exception):
    """The object does not exist or is not visible to the user (the two are not told apart)."""

    status = 404

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message)
        self.message = message
        self.code = "not_found"
