"""Scenario: generating the demo enterprise, against bulk-inserting as many bare rows.

The enterprise includes its strategy (objectives, KPIs, targets, individual goals and 36
months of values), which the scoring scenario scores.
"""

from __future__ import annotations

import resource
import time

from django.db import transaction
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bench.report import Measure, Report

BATCH = 2_000


def _peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux: the process's high-water mark so far.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _bare_rows(count: int) -> float:
    """Seconds to bulk-insert ``count`` rows of a three-column table through the ORM."""
    from scoreline.access.models import LoginFailure

    started = time.perf_counter()
    with transaction.atomic():
        rows = [
            LoginFailure(username=f"user{number}", address="127.0.0.1") for number in range(count)
        ]
        LoginFailure.objects.bulk_create(rows, batch_size=BATCH)
    elapsed = time.perf_counter() - started
    LoginFailure.objects.all().delete()
    return elapsed


def _strategy_counts() -> dict[str, int]:
    """The rows the demo build wrote for its strategy, from the build's audit event."""
    from scoreline.audit.models import AuditEvent
    from scoreline.demo.strategy import STRATEGY_ACTION

    event = AuditEvent.objects.filter(action=STRATEGY_ACTION).order_by("-seq").first()
    if event is None or not isinstance(event.after, dict):
        return {}
    return {name: n for name, n in event.after.items() if isinstance(n, int) and name != "seed"}


def run(report: Report, console: Console) -> None:
    from scoreline.demo.build import build_demo

    # The generation runs first, so the process's high-water mark is its own.
    rss_idle = _peak_rss_mb()
    console.print(f"Generating the demo enterprise with {report.employees:,} people")
    with Progress(
        TextColumn("{task.description:<30}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        started = time.perf_counter()
        plan = build_demo(report.employees, report.seed, password="bench", progress=progress)
        demo_seconds = time.perf_counter() - started
    rss_demo = _peak_rss_mb()
    strategy = _strategy_counts()
    values = strategy.get("unit_values", 0) + strategy.get("person_values", 0)
    console.print(f"The demo holds its strategy: {values:,} KPI values")

    console.print(f"Baseline: bulk-inserting {report.employees:,} bare rows")
    bare_seconds = _bare_rows(report.employees)

    report.notes["generated"] = {
        "units": len(plan.units),
        "people": len(plan.people),
        "reporting_lines": len(plan.lines),
        "fx_rates": len(plan.rates),
    }
    report.notes["strategy"] = strategy
    report.notes["peak_rss_mb"] = {
        "idle_after_setup": round(rss_idle, 1),
        "after_generation": round(rss_demo, 1),
        "after_bare_rows": round(_peak_rss_mb(), 1),
    }
    report.add(
        Measure(
            "demo generation",
            "wall time",
            "s",
            demo_seconds,
            bare_seconds,
            f"{report.employees:,} bare rows, ORM bulk_create",
        )
    )
    rows = len(plan.units) + len(plan.people) + len(plan.lines) + len(plan.rates)
    rows += sum(strategy.values())
    report.add(
        Measure(
            "demo generation",
            f"wall time, strategy included ({rows:,} rows)",
            "s",
            demo_seconds,
            bare_seconds * rows / report.employees,
            f"{rows:,} bare rows, ORM bulk_create (timed for {report.employees:,}, scaled)",
        )
    )
    report.add(
        Measure(
            "demo generation",
            "peak memory (RSS)",
            "MB",
            rss_demo,
            rss_idle,
            "idle process after setup",
        )
    )
