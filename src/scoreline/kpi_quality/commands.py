"""Command-line subcommands of the KPI architecture: scores, audits, strategy as code and
the check of the stored rows.

Handlers import Django code only when they run, after the command line has set Django up.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from pathlib import Path

from scoreline.lib.limits import MAX_SHOWN_PROBLEMS, describe_file_limits
from scoreline.lib.strict import date_option

__all__ = ["add_subcommands"]


def cmd_scores_recompute(args: argparse.Namespace) -> int:
    from scoreline.scoring.pipeline import compute_as_of, recompute, summarise

    if args.as_of is None:
        written = recompute()
        print(f"recomputed and stored {written} scores")
        return 0
    # A past state is recomputed for reading; the stored (current) scores stay as they are.
    print(summarise(compute_as_of(args.as_of)))
    return 0


def cmd_kpis_smart(args: argparse.Namespace) -> int:
    from scoreline.kpi_quality.reports import smart_report

    reports = smart_report()
    if args.json:
        print(json.dumps([report.as_dict() for report in reports], indent=2))
    else:
        for report in reports:
            for check in report.checks:
                if not check.passed:
                    print(f"{report.code}  {check.letter} {check.severity}: {check.message}")
        failing = sum(1 for report in reports if not report.passed)
        print(f"{len(reports)} KPIs checked, {failing} with findings")
    return 1 if any(report.errors for report in reports) else 0


def cmd_kpis_redundancy(args: argparse.Namespace) -> int:
    from scoreline.kpi_quality.reports import redundancy_report

    pairs = redundancy_report()
    if args.json:
        print(json.dumps([pair.as_dict() for pair in pairs], indent=2))
    else:
        for pair in pairs:
            evidence = ", ".join(_evidence(signal) for signal in pair.signals)
            print(f"{pair.kind:<11} {pair.code_a} ~ {pair.code_b}: {evidence}. {pair.action}")
        print(f"{len(pairs)} pairs found")
    return 0


def cmd_kpis_specificity(args: argparse.Namespace) -> int:
    from scoreline.kpi_quality.reports import specificity_report

    rows = specificity_report(args.as_of)
    if args.json:
        print(json.dumps([row.as_dict() for row in rows], indent=2))
        return 0
    for row in rows:
        if row.classification in ("too_easy", "unrealistic"):
            print(
                f"{row.classification:<11} {row.code} at {row.unit}: target {row.target:g} "
                f"in {row.horizon} months from {row.last_value:g}; reached in "
                f"{row.probability:.0%} of its history (plausible {row.feasible_low:g} "
                f"to {row.feasible_high:g})"
            )
    flagged = sum(1 for row in rows if row.classification in ("too_easy", "unrealistic"))
    print(f"{len(rows)} targets judged, {flagged} flagged")
    return 0


def _evidence(signal: Mapping[str, object]) -> str:
    details = ", ".join(f"{k}={v}" for k, v in signal.items() if k != "signal")
    return f"{signal['signal']} ({details})" if details else str(signal["signal"])


def cmd_strategy_export(args: argparse.Namespace) -> int:
    from scoreline.as_code.commands import export_command

    return export_command(args.path, args.as_of)


def cmd_strategy_plan(args: argparse.Namespace) -> int:
    from scoreline.as_code.commands import plan_command

    return plan_command(args.path, args.as_of)


def cmd_strategy_apply(args: argparse.Namespace) -> int:
    from scoreline.as_code.commands import apply_command

    return apply_command(args.path, args.as_of, args.reason)


def cmd_check(args: argparse.Namespace) -> int:
    from scoreline.integrity.check import check_stored_rows
    from scoreline.lib.dates import today

    day = args.as_of or today()
    findings = check_stored_rows(day)
    for problem in findings.sorted():
        print(problem)
    where = f"{findings.rows} rows in force on {day.isoformat()}"
    if findings.problems:
        found = len(findings.problems)
        print(f"{found} {'problem' if found == 1 else 'problems'} in {where}")
        return 1
    print(f"no problems in {where}")
    return 0


def add_subcommands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    scores = sub.add_parser("scores", help="KPI scores and scorecards").add_subparsers(
        dest="scores_command", required=True
    )
    recompute = scores.add_parser(
        "recompute", help="score every value and roll up every scorecard, then store them"
    )
    recompute.add_argument(
        "--as-of",
        type=date_option,
        help="recompute with the definitions in force on DATE (YYYY-MM-DD) and print the result",
    )
    recompute.set_defaults(handler=cmd_scores_recompute)

    kpis = sub.add_parser("kpis", help="audits of the KPI set").add_subparsers(
        dest="kpis_command", required=True
    )
    smart = kpis.add_parser("smart", help="SMART check of every KPI in force")
    smart.add_argument("--json", action="store_true")
    smart.set_defaults(handler=cmd_kpis_smart)
    redundancy = kpis.add_parser("redundancy", help="duplicate and conflicting KPI pairs")
    redundancy.add_argument("--json", action="store_true")
    redundancy.set_defaults(handler=cmd_kpis_redundancy)
    specificity = kpis.add_parser(
        "specificity", help="how reachable each unit target is, from the KPI's own history"
    )
    specificity.add_argument(
        "--as-of", type=date_option, default=None, help="the day to judge on, YYYY-MM-DD"
    )
    specificity.add_argument("--json", action="store_true")
    specificity.set_defaults(handler=cmd_kpis_specificity)

    strategy = sub.add_parser("strategy", help="strategy as code (YAML)").add_subparsers(
        dest="strategy_command", required=True
    )
    for name, handler, text in (
        ("export", cmd_strategy_export, "write the strategy and KPI architecture as YAML"),
        ("plan", cmd_strategy_plan, "show the changes applying PATH would make"),
        ("apply", cmd_strategy_apply, "apply PATH atomically"),
    ):
        command = strategy.add_parser(name, help=text)
        if name == "export":
            command.add_argument("path", type=Path, help="a .yaml file or a folder")
        else:
            command.add_argument(
                "path",
                type=Path,
                help=f"a .yaml file, or a folder of section files lying inside it; "
                f"{describe_file_limits()}; prints the first {MAX_SHOWN_PROBLEMS} problems "
                "and counts the rest",
            )
        command.add_argument(
            "--as-of", type=date_option, default=None, help="the effective day, YYYY-MM-DD"
        )
        if name == "apply":
            command.add_argument("--reason", required=True, help="why, for the audit trail")
        command.set_defaults(handler=handler)

    check = sub.add_parser(
        "check", help="report every stored row that breaks a rule the actions enforce"
    )
    check.add_argument(
        "--as-of",
        type=date_option,
        default=None,
        help="check the rows in force on DATE, YYYY-MM-DD (default today)",
    )
    check.set_defaults(handler=cmd_check)
