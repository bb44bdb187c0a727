"""Strict readings of outside input: ISO dates only, and only text that can be stored."""

from __future__ import annotations

import argparse
import datetime as dt
import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoreline.lib import strict
from scoreline.lib.strict import date_option, parse_iso_date, text_problem


def test_the_examples_in_the_docstrings_hold() -> None:
    assert doctest.testmod(strict).failed == 0


@given(st.dates())
def test_every_date_reads_back_from_its_iso_text(day: dt.date) -> None:
    assert parse_iso_date(day.isoformat()) == day


@pytest.mark.parametrize(
    "text",
    [
        "2026-W01",  # a week date, which date.fromisoformat reads as 2025-12-29
        "2026-W01-1",
        "20260101",  # compact, which date.fromisoformat reads too
        "2026-001",  # an ordinal date
        "2026-1-1",
        "2026-01-01T00:00:00",
        "2026-01-01 ",
        "2026-01-01\n",
        "\uff12\uff10\uff12\uff16-01-01",  # full-width digits
        "0",
        "",
    ],
)
def test_only_yyyy_mm_dd_is_a_date(text: str) -> None:
    with pytest.raises(ValueError, match="expected a date as YYYY-MM-DD"):
        parse_iso_date(text)


def test_a_day_the_calendar_does_not_have_is_named() -> None:
    with pytest.raises(ValueError, match="'2026-02-30' is not a date: day is out of range"):
        parse_iso_date("2026-02-30")


def test_a_date_option_refuses_a_week_date_as_a_usage_error() -> None:
    assert date_option("2026-01-31") == dt.date(2026, 1, 31)
    with pytest.raises(argparse.ArgumentTypeError, match="got '2026-W01'"):
        date_option("2026-W01")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a\x00b", "must not contain NUL characters"),
        ("a\ud800b", "holds an unpaired surrogate (U+D800), which is not a character"),
        ("\udfff", "holds an unpaired surrogate (U+DFFF), which is not a character"),
    ],
)
def test_text_no_database_can_hold_is_named(text: str, problem: str) -> None:
    assert text_problem(text) == problem


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00")))
def test_any_other_text_can_be_stored(text: str) -> None:
    assert text_problem(text) is None
    text.encode("utf-8")
