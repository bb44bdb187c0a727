"""Field checks shared by every app: each turns bad input into ``Invalid`` naming the field."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from scoreline.lib.errors import Invalid

__all__ = [
    "check_finite",
    "check_model_fields",
    "check_not_all_zero",
    "check_share",
    "check_weight",
    "fail",
    "fields_error",
    "optional_finite",
    "require_month_start",
    "require_text",
    "show",
]


def fail(field: str, reason: str, code: str = "invalid") -> Invalid:
    return Invalid.field(field, reason, code=code)


def fields_error(error: ValidationError) -> Invalid:
    """A model's validation error as ``Invalid`` naming each field."""
    fields = {
        name: [str(message) for message in messages]
        for name, messages in error.message_dict.items()
    }
    first_field, first_messages = next(iter(fields.items()))
    return Invalid(f"{first_field}: {first_messages[0]}", fields=fields)


def show(value: float) -> str:
    return f"{value:g}"


def check_finite(field: str, value: object) -> float:
    """The value as a float; NaN, infinities and anything not a number are refused."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(field, f"must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise fail(field, f"must be a finite number, got {number}")
    return number


def optional_finite(field: str, value: object) -> float | None:
    return None if value is None else check_finite(field, value)


def check_weight(field: str, value: object) -> float:
    """A weight: a finite number of zero or more."""
    weight = check_finite(field, value)
    if weight < 0:
        raise fail(field, f"a weight cannot be negative, got {show(weight)}")
    return weight


def check_share(field: str, value: object) -> float:
    """A share: a finite number from 0 to 1."""
    share = check_finite(field, value)
    if not 0 <= share <= 1:
        raise fail(field, f"a share lies between 0 and 1, got {show(share)}")
    return share


def check_not_all_zero(field: str, weights: Iterable[float]) -> None:
    """Weights that share something out must not all be zero (an empty set is fine)."""
    given = list(weights)
    if given and not any(weight > 0 for weight in given):
        raise fail(field, "the weights would all be zero: at least one must be above zero")


def require_text(field: str, value: object) -> str:
    """Text that must not be blank; returned stripped."""
    if not isinstance(value, str) or not value.strip():
        raise fail(field, "is required")
    return value.strip()


def require_month_start(field: str, day: object) -> dt.date:
    """A date that is the first day of a month (the monthly grain of values and targets)."""
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise fail(field, f"must be a date, got {day!r}")
    if day.day != 1:
        raise fail(field, f"must be the first day of a month, got {day.isoformat()}")
    if day >= dt.date(dt.MAXYEAR, 12, 1):
        raise fail(field, f"{day.isoformat()} is beyond the last month a period can end after")
    return day


def check_model_fields(model: type[models.Model], content: Mapping[str, Any]) -> None:
    """Type, length and choice checks of a model's fields, keyed by attribute name.

    Blank text and empty choices are allowed only where the model allows them.
    """
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    for name, value in content.items():
        field = by_attname.get(name)
        if field is None:
            raise fail(name, f"unknown field of {model._meta.verbose_name}")
        if isinstance(field, models.ForeignKey):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise fail(name, f"must be an id, got {value!r}")
            if value is None and not field.null:
                raise fail(name, "is required")
            continue
        if isinstance(field, models.CharField | models.TextField):
            if not isinstance(value, str):
                raise fail(name, f"must be text, got {value!r}")
            if not value and not field.blank:
                raise fail(name, "is required")
            if field.max_length is not None and len(value) > field.max_length:
                raise fail(name, f"must be at most {field.max_length} characters")
            allowed = [str(choice) for choice, _ in field.flatchoices]
            if value and allowed and value not in allowed:
                raise fail(name, f"{value!r} is not one of {', '.join(allowed)}")
            continue
        if isinstance(field, models.FloatField):
            if value is None:
                if not field.null:
                    raise fail(name, "is required")
                continue
            check_finite(name, value)
            continue
        if isinstance(field, models.BooleanField) and not isinstance(value, bool):
            raise fail(name, f"must be true or false, got {value!r}")
