"""Millions of rows written fast: COPY on PostgreSQL, plain INSERTs sent with
``executemany`` in batches elsewhere.

``bulk_create`` compiles every value of every row in Python, which dominates the cost at
millions of rows; here the caller passes values already adapted for the database (dates,
timestamps and JSON through the connection's own adapters, once each).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Field, Model

__all__ = ["BATCH", "BulkInsert", "db_date", "db_datetime", "db_json"]

BATCH = 5_000


class BulkInsert:
    """INSERT rows of ``fields`` (model field names) into ``model``'s table."""

    def __init__(self, model: type[Model], fields: Sequence[str]) -> None:
        quote = connection.ops.quote_name
        columns = ", ".join(quote(_field(model, name).column) for name in fields)
        marks = ", ".join(["%s"] * len(fields))
        table = quote(model._meta.db_table)
        self.sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
        self.copy = f"COPY {table} ({columns}) FROM STDIN"

    def write(self, rows: Iterable[tuple[Any, ...]]) -> int:
        """Write ``rows`` inside the caller's transaction; returns how many were written."""
        if connection.vendor == "postgresql":
            return self._copy(rows)
        count = 0
        pending = iter(rows)
        with connection.cursor() as cursor:
            while batch := list(itertools.islice(pending, BATCH)):
                cursor.executemany(self.sql, batch)
                count += len(batch)
        return count

    def _copy(self, rows: Iterable[tuple[Any, ...]]) -> int:
        count = 0
        with connection.cursor() as cursor, cursor.cursor.copy(self.copy) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count


def db_date(day: dt.date | None) -> Any:
    return connection.ops.adapt_datefield_value(day)


def db_datetime(moment: dt.datetime | None) -> Any:
    return connection.ops.adapt_datetimefield_value(moment)


def db_json(model: type[Model], name: str, value: Any) -> Any:
    return _field(model, name).get_db_prep_save(value, connection)


def _field(model: type[Model], name: str) -> Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, Field):
        raise TypeError(f"{model.__name__}.{name} is not a concrete field")
    return field
