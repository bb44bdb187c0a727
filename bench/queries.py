"""Scenario: scoped reads on the generated enterprise, against the same reads unscoped."""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable

from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from rich.console import Console

from bench.report import Measure, Report, median_seconds

PAGE = 50
ORDER = ("last_name", "first_name", "id")


def _fresh(user: User) -> User:
    """The user as a new request sees it: no answers cached from an earlier run."""
    clone = copy.copy(user)
    clone.__dict__.pop("_scoreline_access", None)
    return clone


def _query_count(work: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        work()
    return len(captured.captured_queries)


def _subtree_near(target: int) -> tuple[str, int]:
    """The unit whose subtree holds the number of people closest to ``target``."""
    from scoreline.org.models import OrgUnit, Person

    per_unit = Counter(
        dict(
            Person.objects.values_list("primary_unit__path")
            .annotate(count=Count("id"))
            .values_list("primary_unit__path", "count")
        )
    )
    below: Counter[str] = Counter()
    for path, count in per_unit.items():
        for end in range(OrgUnit.steplen, len(path) + 1, OrgUnit.steplen):
            below[path[:end]] += count
    path = min(below, key=lambda candidate: (abs(below[candidate] - target), candidate))
    return path, below[path]


def _plan(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            return [str(row[-1]) for row in cursor.fetchall()]
        cursor.execute(f"EXPLAIN {sql}")
        return [str(row[0]) for row in cursor.fetchall()]


def _compare(
    report: Report,
    name: str,
    detail: str,
    measured: Callable[[], object],
    baseline: Callable[[], object],
    baseline_name: str,
    repeats: int,
) -> None:
    """Time ``measured`` against ``baseline`` (median milliseconds) and count their queries."""
    report.add(
        Measure(
            name,
            detail,
            "ms",
            1000 * median_seconds(measured, repeats),
            1000 * median_seconds(baseline, repeats),
            baseline_name,
            _query_count(measured),
            _query_count(baseline),
        )
    )


def run(report: Report, console: Console, repeats: int) -> None:
    from scoreline.lib.tree import subtree_q
    from scoreline.org.models import OrgUnit, Person
    from scoreline.org.queries import people_for, people_in_subtree

    manager = User.objects.get(username="manager")
    ceo = User.objects.get(username="ceo")

    def scoped_page() -> list[Person]:
        return list(people_for(_fresh(manager)).order_by(*ORDER)[:PAGE])

    def raw_page() -> list[Person]:
        return list(Person.objects.order_by(*ORDER)[:PAGE])

    def scoped_total() -> int:
        return people_for(_fresh(manager)).count()

    def raw_total() -> int:
        return Person.objects.count()

    console.print(f"Timing a manager's first page of {PAGE} people ({repeats} runs)")
    _compare(
        report,
        "manager's people",
        f"page of {PAGE}",
        scoped_page,
        raw_page,
        "unscoped page",
        repeats,
    )
    visible = scoped_total()
    report.notes["manager_visible_people"] = visible
    _compare(
        report,
        "manager's people",
        f"total count ({visible:,})",
        scoped_total,
        raw_total,
        "unscoped count",
        repeats,
    )

    with CaptureQueriesContext(connection) as captured:
        scoped_page()
    page_sql = captured.captured_queries[-1]["sql"]
    report.notes["manager_page_sql"] = page_sql
    report.notes["manager_page_plan"] = _plan(page_sql)

    path, size = _subtree_near(max(report.employees // 10, 1))
    unit = OrgUnit.objects.get(path=path)

    def scoped_subtree() -> int:
        return people_in_subtree(_fresh(ceo), unit).count()

    def raw_subtree() -> int:
        return Person.objects.filter(subtree_q(unit.path, "primary_unit__path")).count()

    console.print(f"Timing the head count of {unit.name} ({size:,} people, {repeats} runs)")
    assert scoped_subtree() == raw_subtree() == size
    _compare(
        report,
        "subtree head count",
        f"{unit.code} ({size:,} people)",
        scoped_subtree,
        raw_subtree,
        "unscoped count",
        repeats,
    )
    with CaptureQueriesContext(connection) as captured:
        scoped_subtree()
    count_sql = captured.captured_queries[-1]["sql"]
    plan = _plan(count_sql)

    def scoped_sql_alone() -> object:
        with connection.cursor() as cursor:
            cursor.execute(count_sql)
            return cursor.fetchone()

    _compare(
        report,
        "subtree head count",
        "its final SQL alone, scope resolved",
        scoped_sql_alone,
        raw_subtree,
        "unscoped count",
        repeats,
    )
    report.notes["subtree_count_sql"] = count_sql
    report.notes["subtree_count_plan"] = plan
    for title, lines in [
        ("the scoped subtree count", plan),
        ("the manager's page", report.notes["manager_page_plan"]),
    ]:
        console.print(f"[bold]Query plan of {title}[/]")
        for line in lines:
            console.print(f"  {line}")
