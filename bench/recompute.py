"""The full recompute as its user runs it (``scoreline scores recompute``): reading the
values and definitions, computing, deleting the old scores, storing every new one and
committing, against a raw bulk write of the same rows into a table of the same definition
(its columns, constraints and indexes), measured in the same run: ``COPY`` on PostgreSQL,
one ``executemany`` transaction on SQLite.

The baseline's rows are the stored scores themselves, dumped to a file before the clock
starts, so that it times the write alone.
"""

from __future__ import annotations

import datetime as dt
import gc
import marshal
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from rich.console import Console

from bench.report import Measure, Report
from bench.scoring import Memory

TABLE = "kpis_score"
COPY_TABLE = "bench_score_copy"
CHUNK = 50_000
GOAL_RATIO = 2.0


def _create_copy_table() -> None:
    """An empty table defined as the scores' table is: columns, constraints, indexes."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE TABLE {COPY_TABLE} (LIKE {TABLE} INCLUDING ALL)")
            return
        cursor.execute(
            "SELECT type, sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL "
            "ORDER BY type DESC",  # the table before its indexes
            [TABLE],
        )
        for kind, sql in cursor.fetchall():
            renamed = re.sub(rf'"?\b{TABLE}\b"?', f'"{COPY_TABLE}"', sql)
            if kind == "index":
                renamed = re.sub(r'INDEX "?(\w+)"?', rf'INDEX "{COPY_TABLE}_\1"', renamed, count=1)
            cursor.execute(renamed)


def _drop_copy_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {COPY_TABLE}")


def _dump(path: Path) -> int:
    """Write every stored score to ``path`` in the form the baseline sends it; the count."""
    count = 0
    with connection.cursor() as cursor, path.open("wb") as out:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {TABLE} TO STDOUT") as copy:
                for data in copy:
                    out.write(data)
            cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")
            return int(cursor.fetchone()[0])
        cursor.execute(f"SELECT * FROM {TABLE}")
        while rows := cursor.fetchmany(CHUNK):
            # As SQLite holds them: dates and times as ISO text, as Django's adapters send them.
            marshal.dump([tuple(map(_as_stored, row)) for row in rows], out)
            count += len(rows)
    return count


def _as_stored(value: object) -> object:
    return (
        value.isoformat(" ")
        if isinstance(value, dt.datetime)
        else (value.isoformat() if isinstance(value, dt.date) else value)
    )


def _chunks(path: Path) -> Iterator[list[tuple[Any, ...]]]:
    with path.open("rb") as source:
        while True:
            try:
                yield marshal.load(source)
            except EOFError:
                return


def _raw_write(path: Path) -> float:
    """Seconds to write the dumped rows into the copy table in one transaction."""
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with (
                path.open("rb") as source,
                cursor.cursor.copy(f"COPY {COPY_TABLE} FROM STDIN") as copy,
            ):
                while data := source.read(1 << 20):
                    copy.write(data)
        else:
            sql = None
            for rows in _chunks(path):
                if sql is None:
                    marks = ", ".join(["%s"] * len(rows[0]))
                    sql = f"INSERT INTO {COPY_TABLE} VALUES ({marks})"
                cursor.executemany(sql, rows)
    return time.perf_counter() - started


def run(report: Report, console: Console) -> None:
    from scoreline.scoring.pipeline import recompute

    memory = Memory()
    gc.collect()
    console.print("Recompute: `scores recompute` end to end (read, compute, store, commit)")
    start_mb = memory.start()
    started = time.perf_counter()
    written = recompute()
    seconds = time.perf_counter() - started
    peak_mb = memory.peak()
    console.print(f"  {seconds:.1f} s for {written:,} scores, peak {peak_mb:,.0f} MB")

    console.print("Baseline: a raw bulk write of the same rows into a table of the same DDL")
    with tempfile.TemporaryDirectory(prefix="scoreline-bench-rows-") as folder:
        dumped = Path(folder) / "scores"
        rows = _dump(dumped)
        _drop_copy_table()
        _create_copy_table()
        try:
            raw_seconds = _raw_write(dumped)
        finally:
            _drop_copy_table()
    console.print(f"  {raw_seconds:.1f} s for {rows:,} rows")

    ratio = seconds / raw_seconds if raw_seconds else float("nan")
    report.notes["recompute"] = {
        "scores_written": written,
        "seconds": round(seconds, 2),
        "raw_write_rows": rows,
        "raw_write_seconds": round(raw_seconds, 2),
        "peak_mb": round(peak_mb, 1),
        "start_mb": round(start_mb, 1),
    }
    write = "COPY" if connection.vendor == "postgresql" else "one executemany transaction"
    report.add(
        Measure(
            "recompute",
            f"full recompute end to end ({written:,} scores)",
            "s",
            seconds,
            raw_seconds,
            f"raw bulk write of the same rows ({write}) into a table of the same DDL",
        )
    )
    report.add(
        Measure("recompute", "peak memory (RSS)", "MB", peak_mb, start_mb, "RSS at the start")
    )
    report.check(
        f"full recompute at most {GOAL_RATIO:g}x a raw bulk write of its rows",
        f"{ratio:.2f}x",
        ratio <= GOAL_RATIO,
    )
    report.check("peak memory of the recompute under 3 GB", f"{peak_mb:,.0f} MB", peak_mb < 3072)
