"""The ``scoreline strategy export|plan|apply PATH`` commands.

Each returns the exit status. Problems in the files are printed one per line as
``file:line: reason`` on standard error (the first ``MAX_SHOWN_PROBLEMS``, then how many
more), followed by a one-line summary; a refusal (a change in a closed or open period, a
missing reason) is raised for the command line to print as its one line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from scoreline.as_code.schema import count
from scoreline.lib.limits import MAX_SHOWN_PROBLEMS

__all__ = [
    "apply_command",
    "export_command",
    "main_apply",
    "main_export",
    "main_plan",
    "plan_command",
]


def _day(as_of: dt.date | None) -> dt.date:
    from scoreline.lib.dates import today

    return as_of if as_of is not None else today()


def _print_problems(errors: tuple[object, ...], path: Path) -> None:
    """Each problem on its own line, up to ``MAX_SHOWN_PROBLEMS``; the rest are counted."""
    for error in errors[:MAX_SHOWN_PROBLEMS]:
        print(error, file=sys.stderr)
    if len(errors) > MAX_SHOWN_PROBLEMS:
        print(f"... and {len(errors) - MAX_SHOWN_PROBLEMS} more", file=sys.stderr)
    print(
        f"scoreline: {count(len(errors), 'problem')} in {path}; nothing was applied",
        file=sys.stderr,
    )


def export_command(path: Path, as_of: dt.date | None) -> int:
    """Write the architecture in force on ``as_of`` (default today) to PATH."""
    from scoreline.as_code.export import export_architecture

    day = _day(as_of)
    written = export_architecture(Path(path), day)
    print(
        f"exported the architecture in force on {day.isoformat()} to {count(len(written), 'file')}:"
    )
    for file in written:
        print(f"  {file}")
    return 0


def plan_command(path: Path, as_of: dt.date | None) -> int:
    """Print what applying PATH from ``as_of`` would change; 1 when the files have problems."""
    from scoreline.as_code.plan import plan_architecture

    plan = plan_architecture(Path(path), _day(as_of))
    if plan.errors:
        _print_problems(plan.errors, Path(path))
        return 1
    print(plan.render())
    return 0


def apply_command(path: Path, as_of: dt.date | None, reason: str | None) -> int:
    """Apply PATH from ``as_of`` for ``reason``; prints the plan applied."""
    from scoreline.as_code.apply import ArchitectureInvalid, apply_architecture

    try:
        plan = apply_architecture(Path(path), _day(as_of), reason=reason or "")
    except ArchitectureInvalid as error:
        _print_problems(error.errors, Path(path))
        return 1
    print(plan.render())
    if not plan.is_empty:
        print(f"applied {count(len(plan.changes), 'change')}")
    return 0


def main_export(args: argparse.Namespace) -> int:
    """``export_command`` from parsed arguments (``path``, ``as_of``)."""
    return export_command(Path(args.path), getattr(args, "as_of", None))


def main_plan(args: argparse.Namespace) -> int:
    """``plan_command`` from parsed arguments (``path``, ``as_of``)."""
    return plan_command(Path(args.path), getattr(args, "as_of", None))


def main_apply(args: argparse.Namespace) -> int:
    """``apply_command`` from parsed arguments (``path``, ``as_of``, ``reason``)."""
    return apply_command(
        Path(args.path), getattr(args, "as_of", None), getattr(args, "reason", None)
    )
