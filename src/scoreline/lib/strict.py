"""Strict readings of outside input: dates only as ISO ``YYYY-MM-DD``, text only as can be stored.

Python's own readers are generous: ``date.fromisoformat`` takes week dates (``2026-W01``)
and compact dates (``20260101``), and JSON or YAML escapes make unpaired surrogates
(``\\ud800``) and NUL characters that no database column can hold. Every way in (the API,
the command line, strategy files) reads through these instead.

>>> parse_iso_date("2026-01-31")
datetime.date(2026, 1, 31)
>>> parse_iso_date("2026-W01")
Traceback (most recent call last):
...
ValueError: expected a date as YYYY-MM-DD, got '2026-W01'
>>> text_problem("caf\\u00e9") is None
True
>>> text_problem("\\ud800")
'holds an unpaired surrogate (U+D800), which is not a character'
"""

from __future__ import annotations

import argparse
import datetime as dt
import re

__all__ = ["ISO_DATE_PATTERN", "date_option", "parse_iso_date", "text_problem"]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
ISO_DATE_PATTERN = f"^{_ISO_DATE.pattern}$"
"""The form of a date, as a JSON Schema ``pattern``."""
_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_iso_date(text: str) -> dt.date:
    """A calendar date written ``YYYY-MM-DD``; anything else raises ``ValueError``."""
    if not _ISO_DATE.fullmatch(text):
        raise ValueError(f"expected a date as YYYY-MM-DD, got {text!r}")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:  # a day the calendar does not have, as 2026-02-30
        raise ValueError(f"{text!r} is not a date: {error}") from None


def date_option(text: str) -> dt.date:
    """``parse_iso_date`` as an ``argparse`` type: a bad date is a usage error."""
    try:
        return parse_iso_date(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored, or None when it can.

    PostgreSQL refuses NUL characters, and an unpaired surrogate cannot be encoded as
    UTF-8 at all, so either would fail only at the database (or when the answer is sent).
    """
    if "\x00" in text:
        return "must not contain NUL characters"
    surrogate = _SURROGATE.search(text)
    if surrogate is not None:
        code = ord(surrogate.group())
        return f"holds an unpaired surrogate (U+{code:04X}), which is not a character"
    return None
