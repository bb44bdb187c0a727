"""Plain INSERTs for millions of rows, sent with ``executemany`` in batches.

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
        self.sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"

    def write(self, rows: Iterable[tuple[Any, ...]]) -> int:
        count = 0
        pending = iter(rows)
        with connection.cursor() as cursor:
            while batch := list(itertools.islice(pending, BATCH)):
                cursor.executemany(self.sql, batch)
                count += len(batch)
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
