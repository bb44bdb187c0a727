"""Results of a run: one row per measure, printed as a table and written as JSON."""

from __future__ import annotations

import json
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass
class Measure:
    scenario: str
    measure: str
    unit: str
    value: float
    baseline: float
    baseline_label: str
    queries: int | None = None
    baseline_queries: int | None = None

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline else float("nan")


@dataclass
class Goal:
    """A target a run is held to, with what was measured against it."""

    statement: str
    measured: str
    met: bool


@dataclass
class Report:
    employees: int
    seed: int
    database: str
    measures: list[Measure] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)
    goals: list[Goal] = field(default_factory=list)

    def add(self, measure: Measure) -> None:
        self.measures.append(measure)

    def check(self, statement: str, measured: str, met: bool) -> None:
        self.goals.append(Goal(statement, measured, met))

    def print(self, console: Console) -> None:
        table = Table(title=f"Scoreline benchmarks: {self.employees:,} people, {self.database}")
        table.add_column("Measure")
        table.add_column("Value", justify="right")
        table.add_column("Baseline", justify="right")
        table.add_column("Ratio", justify="right")
        table.add_column("Queries", justify="right")
        for m in self.measures:
            queries = "" if m.queries is None else f"{m.queries} / {m.baseline_queries}"
            table.add_row(
                f"{m.scenario}: {m.measure}\n[dim]baseline: {m.baseline_label}[/]",
                f"{m.value:,.4g} {m.unit}",
                f"{m.baseline:,.4g} {m.unit}",
                f"{m.ratio:.2f}x",
                queries,
            )
        console.print(table)
        console.print("[dim]Queries: run by the measured code / by the baseline.[/]")
        if self.goals:
            goals = Table(title="Goals")
            goals.add_column("Goal")
            goals.add_column("Measured")
            goals.add_column("Met", justify="center")
            for goal in self.goals:
                goals.add_row(
                    goal.statement, goal.measured, "[green]yes[/]" if goal.met else "[red]no[/]"
                )
            console.print(goals)

    def write(self) -> Path:
        RESULTS_DIR.mkdir(exist_ok=True)
        path = RESULTS_DIR / "latest.json"
        body = {
            "employees": self.employees,
            "seed": self.seed,
            "database": self.database,
            "python": platform.python_version(),
            "machine": platform.machine(),
            "measures": [asdict(m) | {"ratio": m.ratio} for m in self.measures],
            "goals": [asdict(g) for g in self.goals],
            "notes": self.notes,
        }
        path.write_text(json.dumps(body, indent=2, default=str) + "\n")
        return path


def median_seconds(work: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``work`` over ``repeats`` runs, after one warm-up run."""
    work()
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)
