"""``scoreline demo``: migrate, build the demo enterprise once, print the logins, serve."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from scoreline.demo.build import BuildParameters, build_demo, recorded_build
from scoreline.demo.personas import describe_personas
from scoreline.demo.strategy import strategy_summary
from scoreline.lib.env import env_str
from scoreline.org.models import OrgUnit
from scoreline.scoring.freshness import refresh_if_stale
from scoreline.server import serve as serve_forever

__all__ = ["DEFAULT_PASSWORD", "database_location", "run_demo"]

DEFAULT_PASSWORD = "scoreline-demo"


def database_location() -> str:
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        return str(database["NAME"])
    host = database.get("HOST") or "localhost"
    port = f":{database['PORT']}" if database.get("PORT") else ""
    return f"postgres://{host}{port}/{database['NAME']}"


def _how_to_rebuild() -> str:
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        return f"delete the data directory {settings.DATA_DIR}"
    return "drop and recreate the database"


def run_demo(*, employees: int, seed: int, serve: bool, host: str, port: int) -> int:
    console = Console()
    password = env_str("SCORELINE_DEMO_PASSWORD", DEFAULT_PASSWORD)
    connection.ensure_connection()
    with console.status("Preparing the database tables"):
        call_command("migrate", interactive=False, verbosity=0)
    location = database_location()
    built = recorded_build()
    if built is None and OrgUnit.objects.exists():
        console.print(
            f"The database at {location} already holds an organisation that the demo did not "
            "build: it is used as it is."
        )
    elif built is None:
        _build(console, employees, seed, password, location)
    else:
        _reuse(console, built, BuildParameters(employees, seed), password, location)
    refresh_if_stale(console.print)
    _print_logins(console, password)
    if not serve:
        return 0
    serve_forever(host, port)
    return 0


def _build(console: Console, employees: int, seed: int, password: str, location: str) -> None:
    console.print(f"Building the demo enterprise: {employees:,} people, seed {seed}, in {location}")
    started = time.perf_counter()
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description:<30}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        plan = build_demo(employees, seed, password=password, progress=progress)
    console.print(
        f"Built {len(plan.units):,} units, {len(plan.people):,} people and "
        f"{len(plan.lines):,} reporting lines in {time.perf_counter() - started:.1f} s."
    )
    console.print(strategy_summary() or "")


def _reuse(
    console: Console,
    built: BuildParameters,
    asked: BuildParameters,
    password: str,
    location: str,
) -> None:
    console.print(
        f"Reusing the demo database at {location} ({built.employees:,} people, seed {built.seed})."
    )
    if built != asked:
        console.print(
            f"[bold yellow]Note:[/] it was built with --employees {built.employees} "
            f"--seed {built.seed}, not the --employees {asked.employees} --seed {asked.seed} "
            f"asked for now, and is kept as it is. To build it again, {_how_to_rebuild()} "
            "and run the demo again."
        )
    admin = get_user_model().objects.filter(username="admin").first()
    if admin is not None and not admin.check_password(password):
        console.print(
            "[bold yellow]Note:[/] the demo logins keep the password they were built with; "
            "SCORELINE_DEMO_PASSWORD has changed since."
        )


def _print_logins(console: Console, password: str) -> None:
    table = Table(title="Demo logins", title_justify="left")
    table.add_column("Login", style="bold")
    table.add_column("Person")
    table.add_column("Sees")
    for line in describe_personas():
        table.add_row(line.login, line.who, line.role)
    console.print(table)
    console.print(f"Password for every demo login: [bold]{password}[/]")
