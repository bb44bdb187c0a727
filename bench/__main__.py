"""``python -m bench [--employees N] [--quick] [--scenarios S,...]``: run the scenarios and write
the results."""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys

from rich.console import Console

from bench import environment

SCENARIOS = ("queries", "scoring", "recompute")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeats", type=int, default=21, help="timed runs per query")
    parser.add_argument(
        "--quick", action="store_true", help="10,000 people and 5 runs per query: a smoke run"
    )
    parser.add_argument(
        "--database-url",
        help="an empty database to use instead of a temporary SQLite file (e.g. PostgreSQL)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    parser.add_argument(
        "--scenarios",
        default=",".join(SCENARIOS),
        help=f"comma-separated scenarios to run after generating the demo ({', '.join(SCENARIOS)})",
    )
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.scenarios.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(SCENARIOS))
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(unknown)}")
    employees = 10_000 if args.quick else args.employees
    repeats = 5 if args.quick else args.repeats

    directory = environment.prepare(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    from bench import generation, queries, recompute, scoring
    from bench.report import Report

    console = Console()
    database = connection.vendor + (
        "" if connection.vendor != "sqlite" else f" {sqlite3.sqlite_version}"
    )
    report = Report(employees=employees, seed=args.seed, database=database)
    try:
        with console.status("Creating the tables"):
            call_command("migrate", interactive=False, verbosity=0)
        generation.run(report, console)
        if "queries" in chosen:
            queries.run(report, console, repeats)
        if "scoring" in chosen:
            scoring.run(report, console)
        if "recompute" in chosen:
            recompute.run(report, console)
    finally:
        connection.close()
        if not args.keep:
            shutil.rmtree(directory, ignore_errors=True)
    report.print(console)
    console.print(f"Results written to {report.write()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
