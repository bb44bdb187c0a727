"""`scoreline kpis smart` and `scoreline kpis redundancy` over the planted architecture."""

from __future__ import annotations

import json

import pytest
from pytest_django import Settings

from scoreline.cli import main
from scoreline.kpis.models import KpiVersion
from tests.builders.audits import (
    PLANTED_PAIRS,
    PLANTED_SMART,
    SPEC,
    Architecture,
    set_monthly_target,
)
from tests.builders.enterprise import Enterprise

pytestmark = pytest.mark.django_db


def test_kpis_smart_json_reports_every_kpi_and_succeeds_when_no_letter_is_an_error(
    architecture: Architecture, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["kpis", "smart", "--json"]) == 0
    reports = json.loads(capsys.readouterr().out)
    assert [report["code"] for report in reports] == sorted(SPEC)
    failing = {
        report["code"]: [check["letter"] for check in report["checks"] if not check["passed"]]
        for report in reports
        if not report["passed"]
    }
    assert failing == PLANTED_SMART
    assert {report["variant"] for report in reports} == {"modern"}
    assert all(check["severity"] == "warning" for r in reports for check in r["checks"])


def test_kpis_smart_fails_when_a_letter_configured_as_an_error_fails(
    architecture: Architecture, capsys: pytest.CaptureFixture[str], settings: Settings
) -> None:
    settings.SCORELINE_SMART_ERRORS = "A"
    assert main(["kpis", "smart", "--json"]) == 1
    reports = {report["code"]: report for report in json.loads(capsys.readouterr().out)}
    assert [code for code, report in reports.items() if report["errors"]] == ["FIN-DSO"]
    assert reports["FIN-DSO"]["checks"][2] | {"message": ""} == {
        "letter": "A",
        "name": "Achievable",
        "passed": False,
        "severity": "error",
        "message": "",
        "hint": "Name the person accountable for the result.",
    }


def test_kpis_smart_succeeds_when_only_letters_configured_as_warnings_fail(
    architecture: Architecture, capsys: pytest.CaptureFixture[str], settings: Settings
) -> None:
    settings.SCORELINE_SMART_ERRORS = "M,T"
    assert main(["kpis", "smart"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines == [
        "CUS-LOYALTY  S warning: 1 vague word in the name or description: improve.",
        "FIN-DSO  A warning: There is no owner.",
        f"{len(SPEC)} KPIs checked, 2 with findings",
    ]


def test_kpis_redundancy_json_lists_exactly_the_planted_pairs(
    architecture: Architecture, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["kpis", "redundancy", "--json"]) == 0
    pairs = json.loads(capsys.readouterr().out)
    assert {(p["code_a"], p["code_b"], p["kind"]) for p in pairs} == PLANTED_PAIRS
    for pair in pairs:
        assert pair["signals"][0]["signal"] == "correlation"
        assert pair["signals"][0]["periods"] == 24
        assert pair["cross_function"] is True and pair["action"]


def test_kpis_redundancy_prints_each_pair_with_its_evidence(
    architecture: Architecture, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["kpis", "redundancy"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and lines[-1] == "2 pairs found"
    duplicate = next(line for line in lines if line.startswith("duplicate"))
    assert "FIN-REVENUE ~ SAL-ORDERS: correlation (r=" in duplicate
    assert "periods=24)" in duplicate


def test_a_malformed_audit_setting_fails_with_one_configuration_line(
    architecture: Architecture, capsys: pytest.CaptureFixture[str], settings: Settings
) -> None:
    settings.SCORELINE_SMART_VARIANT = "classic"
    assert main(["kpis", "smart", "--json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(
        "scoreline: configuration error: SCORELINE_SMART_VARIANT='classic' is not one of"
    )
    assert len(captured.err.strip().splitlines()) == 1


def test_kpis_specificity_prints_the_flagged_targets_with_their_numbers(
    architecture: Architecture, enterprise: Enterprise, capsys: pytest.CaptureFixture[str]
) -> None:
    set_monthly_target(enterprise, architecture, "SAL-ORDERS", 500.0)
    assert main(["kpis", "specificity"]) == 0
    out = capsys.readouterr().out.splitlines()
    flagged = [line for line in out if line.startswith(("too_easy", "unrealistic"))]
    assert len(flagged) == 1 and flagged[0].startswith("too_easy    SAL-ORDERS at ")
    assert "reached in 100% of its history" in flagged[0]
    assert out[-1] == f"{len(SPEC)} targets judged, 1 flagged"


def test_kpis_specificity_json_lists_every_target(
    architecture: Architecture, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["kpis", "specificity", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert sorted(row["code"] for row in rows) == sorted(SPEC)
    assert {row["classification"] for row in rows} == {"specific"}


def test_the_audits_survive_a_stored_formula_that_reads_no_kpi(
    architecture: Architecture, capsys: pytest.CaptureFixture[str]
) -> None:
    # A row saved before such formulas were refused calculates nothing and breaks nothing.
    KpiVersion.objects.filter(kpi__code="HR-ABSENCE").update(formula="0/0")
    assert main(["kpis", "smart", "--json"]) == 0
    assert sorted(report["code"] for report in json.loads(capsys.readouterr().out)) == sorted(SPEC)
    assert main(["kpis", "redundancy", "--json"]) == 0
    pairs = json.loads(capsys.readouterr().out)
    assert {(p["code_a"], p["code_b"], p["kind"]) for p in pairs} == PLANTED_PAIRS
