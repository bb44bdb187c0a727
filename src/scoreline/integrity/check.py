"""Every check of the stored rows, run together for ``scoreline check``."""

from __future__ import annotations

import datetime as dt

from scoreline.integrity.findings import Findings
from scoreline.integrity.kpis import (
    check_definitions,
    check_measures,
    check_rubrics,
    check_status_rules,
    check_targets,
)
from scoreline.integrity.scorecards import check_perspective_weights_in_force
from scoreline.integrity.strategy import check_cascade, check_map

__all__ = ["check_stored_rows"]


def check_stored_rows(day: dt.date) -> Findings:
    """The rows in force on ``day`` (rubrics: as they stand), each judged by the rules the
    actions would apply to it, with how many rows were read."""
    findings = Findings()
    check_cascade(day, findings)
    check_map(day, findings)
    check_definitions(day, findings)
    check_targets(day, findings)
    check_status_rules(day, findings)
    check_rubrics(findings)
    check_measures(day, findings)
    check_perspective_weights_in_force(day, findings)
    return findings
