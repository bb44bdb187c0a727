"""The KPI audits over the demo enterprise find exactly the defects its generator plants."""

from __future__ import annotations

import pytest

from scoreline.demo.build import DemoPlan
from scoreline.demo.strategy import (
    PLANTED_CONFLICTS,
    PLANTED_DUPLICATES,
    PLANTED_SMART_FAILURES,
)
from scoreline.kpi_quality.reports import redundancy_report, smart_report

# The demo is built once for the tests of this group, which stay on one test process.
pytestmark = pytest.mark.xdist_group("demo-200")

EMPLOYEES, SEED = 200, 7


@pytest.fixture
def demo(world_demo_200: DemoPlan) -> DemoPlan:
    """The 200-person demo, built once for the tests that read it."""
    assert (world_demo_200.employees, world_demo_200.seed) == (EMPLOYEES, SEED)
    return world_demo_200


def test_the_smart_audit_finds_exactly_the_planted_smart_failures(demo: DemoPlan) -> None:
    reports = smart_report()
    failing = {
        report.code: "".join(check.letter for check in report.checks if not check.passed)
        for report in reports
        if not report.passed
    }
    assert failing == PLANTED_SMART_FAILURES


def test_the_redundancy_audit_finds_exactly_the_planted_pairs(demo: DemoPlan) -> None:
    planted = sorted(
        [(*sorted(pair), "duplicate") for pair in PLANTED_DUPLICATES]
        + [(*sorted(pair), "conflicting") for pair in PLANTED_CONFLICTS]
    )
    found = sorted((pair.code_a, pair.code_b, pair.kind) for pair in redundancy_report())
    assert found == planted
