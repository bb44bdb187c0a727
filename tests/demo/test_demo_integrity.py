"""Demos of several sizes and seeds break no rule the actions enforce: ``scoreline check``
finds nothing over their history, and their architecture survives export, apply on a fresh
database and export again byte for byte.

The round trip reads and writes every definition through the actions, so the suite runs it
on the smallest demo; the larger ones (``--employees 400 --seed 7``, ``1000 --seed 2``) are
checked the same way by hand, to keep the suite fast.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.db.models import Min

from scoreline.as_code import apply_architecture, export_architecture
from scoreline.demo.build import DemoPlan
from scoreline.integrity.check import check_stored_rows
from scoreline.kpis.models import Target
from scoreline.lib.dates import today
from tests.builders.demo import wipe_architecture

pytestmark = pytest.mark.django_db


def _demo(world: str, group: str, label: str) -> object:
    """A demo world as a parameter: committed before the test, on the test process of the
    other tests that read it, so each demo is built once."""
    marks = [pytest.mark.world(world), pytest.mark.xdist_group(group)]
    return pytest.param(f"world_{world}", marks=marks, id=label)


DEMOS = [
    _demo("demo_200", "demo-200", "200-seed-7"),
    _demo("demo_250_seed_1", "demo-250", "250-seed-1"),
    _demo("demo_300", "demo-300", "300-seed-7"),
]


def _history(day: dt.date) -> list[dt.date]:
    """The day and the same day of the two years before, within the demo's 36 months."""
    return [day, *(dt.date(day.year - years, day.month, 1) for years in (1, 2))]


@pytest.mark.parametrize("world", DEMOS)
def test_the_demo_breaks_no_rule_on_any_day_of_its_history(
    request: pytest.FixtureRequest, world: str
) -> None:
    plan: DemoPlan = request.getfixturevalue(world)
    for day in _history(today()):
        findings = check_stored_rows(day)
        assert [str(problem) for problem in findings.sorted()] == [], (plan.seed, day)
        assert findings.rows > 0


@pytest.mark.parametrize("world", DEMOS[:1])
def test_the_demo_survives_export_apply_on_a_fresh_database_and_export(
    request: pytest.FixtureRequest, world: str, tmp_path: Path
) -> None:
    request.getfixturevalue(world)
    day = today()
    original = tmp_path / "original.yaml"
    export_architecture(original, day)
    # The export holds the targets of past years; a version is written from a day before its
    # span ends, so the fresh database receives the files from the demo's first month.
    first = Target.objects.filter(unit__isnull=False).aggregate(first=Min("period_start"))["first"]
    wipe_architecture()

    applied = apply_architecture(original, first, reason="round trip")

    assert applied.count("create") > 300 and applied.count("update") == 0
    again = tmp_path / "again.yaml"
    export_architecture(again, day)
    assert again.read_bytes() == original.read_bytes()
