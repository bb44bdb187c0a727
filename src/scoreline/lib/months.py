"""Month arithmetic on dates: the grain of KPI values, targets and scores is the month.

A month is named by its first day (``2026-03-01``) or by its index, the months since
year 0 (``2026 * 12 + 2``), which makes consecutive months consecutive integers: the
form in which months travel as arrays.

>>> add_months(dt.date(2026, 11, 15), 3)
datetime.date(2027, 2, 1)
>>> month_of(month_index(dt.date(2026, 3, 31)))
datetime.date(2026, 3, 1)
"""

from __future__ import annotations

import calendar
import datetime as dt

__all__ = [
    "add_months",
    "month_end",
    "month_index",
    "month_of",
    "month_start",
    "months_between",
    "next_month",
]


def month_index(day: dt.date) -> int:
    """Months since year 0: consecutive integers for consecutive months.

    >>> month_index(dt.date(2026, 1, 31)) - month_index(dt.date(2025, 12, 1))
    1
    """
    return day.year * 12 + day.month - 1


def month_of(index: int) -> dt.date:
    """The first day of the month with ``index`` (:func:`month_index`).

    >>> month_of(2026 * 12)
    datetime.date(2026, 1, 1)
    """
    return dt.date(index // 12, index % 12 + 1, 1)


def month_start(day: dt.date) -> dt.date:
    """The first day of ``day``'s month.

    >>> month_start(dt.date(2026, 3, 31))
    datetime.date(2026, 3, 1)
    """
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after (or before, if negative) ``day``'s.

    >>> add_months(dt.date(2026, 1, 20), -1)
    datetime.date(2025, 12, 1)
    """
    return month_of(month_index(day) + months)


def months_between(first: dt.date, later: dt.date) -> int:
    """How many months ``later``'s month comes after ``first``'s (negative if before).

    >>> months_between(dt.date(2025, 11, 30), dt.date(2026, 2, 1))
    3
    """
    return month_index(later) - month_index(first)


def next_month(day: dt.date) -> dt.date:
    """The first day of the month after the one ``day`` falls in.

    >>> next_month(dt.date(2026, 12, 31))
    datetime.date(2027, 1, 1)
    """
    return add_months(day, 1)


def month_end(day: dt.date) -> dt.date:
    """The last day of ``day``'s month.

    >>> month_end(dt.date(2028, 2, 1))
    datetime.date(2028, 2, 29)
    """
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])
