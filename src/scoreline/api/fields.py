"""Parameter and field types the API resources share: codes, days, months, reasons, as-of days.

Days and months are read only from their ISO text (``2024-03-31``, ``2024-03``), in a body
as in a query: pydantic on its own would also read ``0`` as 1 January 1970 and
``2024-03-31T00:00`` as a day.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Query
from pydantic import BeforeValidator, WithJsonSchema

from scoreline.api.support import (
    Text,
)
from scoreline.lib.strict import ISO_DATE_PATTERN, parse_iso_date

__all__ = [
    "MONTH_PATTERN",
    "AsOf",
    "Code",
    "CodePath",
    "Day",
    "Month",
    "MonthsQuery",
    "PersonQuery",
    "Reason",
    "UnitQuery",
    "parse_day",
    "parse_month",
]

Reason = Field("", max_length=1000, description="Why the change is made (kept in the audit trail)")


AsOf = Query(None, description="The day whose definitions apply, YYYY-MM-DD (default: today)")


MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


def _iso_text(value: object, form: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be given as text, {form}, got {value!r}")
    return value


def parse_day(value: object) -> object:
    """``"2024-03-31"`` -> that day; a day already read is kept; anything else is refused."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    return parse_iso_date(_iso_text(value, "YYYY-MM-DD"))


Day = Annotated[
    dt.date,
    BeforeValidator(parse_day),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "pattern": ISO_DATE_PATTERN,
            "examples": ["2024-03-31"],
        }
    ),
]
"""A calendar day given as ``YYYY-MM-DD``."""


Code = Annotated[Text, Field(max_length=60, description="An objective's or KPI's code")]
"""A code in a path."""


def parse_month(value: object) -> object:
    """``"2024-03"`` -> 1 March 2024; a month already read is kept; anything else is refused.

    A month runs until the first day of the next one, so December 9999, whose end is no
    date, is refused too.
    """
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    year, dash, month = _iso_text(value, "YYYY-MM").partition("-")
    if not (len(year) == 4 and dash and len(month) == 2 and year.isdigit() and month.isdigit()):
        raise ValueError("must be a month as YYYY-MM")
    if not 1 <= int(month) <= 12 or (year, month) in {("0000", month), ("9999", "12")}:
        raise ValueError("must be a month from 0001-01 to 9999-11")
    return dt.date(int(year), int(month), 1)


Month = Annotated[
    dt.date,
    BeforeValidator(parse_month),
    WithJsonSchema({"type": "string", "pattern": MONTH_PATTERN, "examples": ["2024-03"]}),
]
"""A calendar month given as ``YYYY-MM``; the value is its first day."""


CodePath = Annotated[str, Field(max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")]


UnitQuery = Query(None, max_length=40, description="Unit code")


PersonQuery = Query(None, max_length=40, description="Employee id of a person")


MonthsQuery = Query(None, description="Months as YYYY-MM (repeat the parameter for several)")
