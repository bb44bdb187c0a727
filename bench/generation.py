"""Scenario: generating the demo enterprise, against bulk-inserting as many bare rows.

The enterprise includes its strategy (objectives, KPIs, targets, individual goals and 36
months of values), which the scoring scenario scores.
"""

from __future__ import annotations

import resource
import time
from typing import TYPE_CHECKING

from django.db import transaction
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bench.report import Measure, Report

if TYPE_CHECKING:
    from scoreline.demo.build import DemoPlan

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


def _build_strategy(plan: DemoPlan, progress: Progress) -> dict[str, int] | None:
    """Write the demo's strategy unless the demo build already did; returns its counts."""
    from scoreline.audit.models import AuditEvent
    from scoreline.demo.build import GROUP_FISCAL_START
    from scoreline.demo.strategy import STRATEGY_ACTION, build_strategy
    from scoreline.org.models import OrgUnit, Person

    if AuditEvent.objects.filter(action=STRATEGY_ACTION).exists():
        return None
    unit_ids = dict(OrgUnit.objects.values_list("code", "id"))
    person_ids = dict(Person.objects.values_list("employee_id", "id"))
    counts = build_strategy(
        plan,
        [unit_ids[unit.code] for unit in plan.units],
        [person_ids[person.employee_id] for person in plan.people],
        fiscal_start=GROUP_FISCAL_START,
        progress=progress,
    )
    return counts.as_dict()


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
        started = time.perf_counter()
        strategy = _build_strategy(plan, progress)
        strategy_seconds = time.perf_counter() - started
    rss_demo = _peak_rss_mb()
    if strategy is None:
        # The demo build wrote the strategy itself: its time is in the demo's.
        console.print("The demo build wrote the strategy")
    else:
        console.print(
            f"Strategy written by the bench after the demo build ({strategy_seconds:.0f} s): "
            f"{strategy['unit_values'] + strategy['person_values']:,} values"
        )

    console.print(f"Baseline: bulk-inserting {report.employees:,} bare rows")
    bare_seconds = _bare_rows(report.employees)

    report.notes["generated"] = {
        "units": len(plan.units),
        "people": len(plan.people),
        "reporting_lines": len(plan.lines),
        "fx_rates": len(plan.rates),
    }
    if strategy is not None:
        report.notes["strategy"] = strategy | {"seconds": round(strategy_seconds, 1)}
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
    if strategy is not None:
        rows = sum(strategy.values())
        report.add(
            Measure(
                "demo generation",
                f"strategy ({rows:,} rows)",
                "s",
                strategy_seconds,
                bare_seconds * rows / report.employees,
                f"{rows:,} bare rows, ORM bulk_create (scaled from {report.employees:,})",
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
