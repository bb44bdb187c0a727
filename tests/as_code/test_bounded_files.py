"""Strategy files are read within bounds: regular files only, a folder's files inside it, a
limit on bytes, keys and values and nesting that trips while reading, and at most so many
problems printed. Every test runs under an alarm, so a bound that fails cannot hang the
suite."""

from __future__ import annotations

import argparse
import datetime as dt
import doctest
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest

from scoreline.as_code.commands import main_plan
from scoreline.as_code.parse import parse_architecture
from scoreline.as_code.plan import plan_architecture
from scoreline.as_code.schema import SECTIONS
from scoreline.cli import main as cli_main
from scoreline.lib import limits
from tests.builders.enterprise import Enterprise

DAY = dt.date(2026, 3, 1)
EMPTY_SECTIONS = "".join(f"{spec.name}: []\n" for spec in SECTIONS)


@pytest.fixture(autouse=True)
def within_ten_seconds() -> Iterator[None]:
    def give_up(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError("reading the files did not stop within its bounds")

    previous = signal.signal(signal.SIGALRM, give_up)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder of empty section files: valid, with nothing in it."""
    path = tmp_path / "strategy"
    path.mkdir()
    for spec in SECTIONS:
        (path / spec.file_name).write_text("[]\n", encoding="utf-8")
    assert parse_architecture(path).errors == []
    return path


def problems(path: Path) -> list[tuple[str, int, str]]:
    return [(error.file, error.line, error.reason) for error in parse_architecture(path).errors]


def single_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "strategy.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_bounds_are_described_in_words() -> None:
    assert doctest.testmod(limits).failed == 0
    assert limits.describe_file_limits() == (
        "at most 8 MiB, 1,000,000 keys and values and 20 levels of nesting per file"
    )


# ---------------------------------------------------------------- which files are read


def test_a_link_to_dev_zero_is_refused_before_a_byte_is_read(tmp_path: Path) -> None:
    path = tmp_path / "strategy.yaml"
    path.symlink_to("/dev/zero")

    assert problems(path) == [
        (str(path), 0, "not a regular file (a device, a pipe or a folder): only files are read")
    ]


def test_a_section_file_linking_out_of_its_folder_is_refused(folder: Path) -> None:
    kpis = folder / "kpis.yaml"
    kpis.unlink()
    kpis.symlink_to("/dev/zero")

    assert problems(folder) == [
        (str(kpis), 0, "links to /dev/zero, outside the folder: only its own files are read")
    ]


def test_a_section_file_linking_to_another_file_of_its_folder_is_read(folder: Path) -> None:
    (folder / "drafts").mkdir()
    (folder / "drafts" / "themes.yaml").write_text(
        "- code: growth\n  name: Growth\n  description: ''\n", encoding="utf-8"
    )
    (folder / "themes.yaml").unlink()
    (folder / "themes.yaml").symlink_to(folder / "drafts" / "themes.yaml")

    parsed = parse_architecture(folder)

    assert parsed.errors == []
    assert [theme["code"] for theme in parsed.records["themes"]] == ["growth"]


def test_a_named_pipe_is_refused_without_waiting_for_a_writer(folder: Path) -> None:
    kpis = folder / "kpis.yaml"
    kpis.unlink()
    os.mkfifo(kpis)

    assert problems(folder) == [
        (str(kpis), 0, "not a regular file (a device, a pipe or a folder): only files are read")
    ]


def test_a_file_larger_than_the_limit_is_refused_after_reading_one_byte_past_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "strategy.yaml"
    with path.open("wb") as stream:
        stream.truncate(limits.MAX_FILE_BYTES + 1)  # sparse: no disk space, all zeros

    assert problems(path) == [(str(path), 0, "larger than 8 MiB, the limit for one file")]


def test_a_file_of_exactly_the_limit_is_read_and_one_byte_more_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 2**20)
    exactly = EMPTY_SECTIONS + "#" * (2**20 - len(EMPTY_SECTIONS) - 1) + "\n"
    path = single_file(tmp_path, exactly)
    assert path.stat().st_size == limits.MAX_FILE_BYTES
    assert problems(path) == []

    path.write_text(exactly + "\n", encoding="utf-8")

    assert problems(path) == [(str(path), 0, "larger than 1 MiB, the limit for one file")]


# ---------------------------------------------------------------- how much YAML is composed


def test_yaml_nested_100000_levels_deep_stops_at_the_limit_with_its_line(tmp_path: Path) -> None:
    depth = 100_000
    nested = "[" * depth + "]" * depth
    text = EMPTY_SECTIONS.replace("themes: []", f"themes:\n  {nested}")
    path = single_file(tmp_path, text)

    ((file, line, reason),) = problems(path)

    assert (file, line) == (str(path), text.splitlines().index(f"  {nested}") + 1)
    assert reason == "nested more than 20 levels deep, the limit for one file"


def test_nesting_up_to_the_limit_is_read(tmp_path: Path) -> None:
    # The file is a mapping (level 1) whose themes hold a list (level 2) of lists.
    lists = limits.MAX_YAML_DEPTH - 2
    fits = "[" * lists + "]" * lists

    def nesting_problems(themes: str) -> list[str]:
        text = EMPTY_SECTIONS.replace("themes: []", f"themes: [{themes}]")
        return [
            reason for _, _, reason in problems(single_file(tmp_path, text)) if "deep" in reason
        ]

    assert nesting_problems(fits) == []
    assert nesting_problems(f"[{fits}]") == [
        "nested more than 20 levels deep, the limit for one file"
    ]


def test_more_keys_and_values_than_the_limit_stop_reading_where_they_pass_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_YAML_NODES", 1_000)
    # The sections take 21 nodes (a mapping of 10 keys and 10 lists), each theme 7.
    themes = "".join(f"- code: t{n}\n  name: T\n  description: ''\n" for n in range(200))
    text = EMPTY_SECTIONS.replace("themes: []\n", "themes:\n" + themes)
    path = single_file(tmp_path, text)

    ((file, line, reason),) = problems(path)

    assert reason == "more than 1,000 keys and values, the limit for one file"
    assert file == str(path)
    lines = text.splitlines()
    assert lines[line - 1].startswith(("- code:", "  name:", "  description:"))
    assert 3 * 130 < line < 3 * 150


# ---------------------------------------------------------------- text and dates


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ('"Growth \\ud800"', "themes.name: holds an unpaired surrogate (U+D800)"),
        ('"Growth\\0"', "themes.name: must not contain NUL characters"),
    ],
)
def test_text_no_database_can_hold_is_refused_with_its_line(
    tmp_path: Path, value: str, reason: str
) -> None:
    text = EMPTY_SECTIONS.replace(
        "themes: []\n", f"themes:\n- code: growth\n  name: {value}\n  description: ''\n"
    )
    path = single_file(tmp_path, text)
    line = text.splitlines().index(f"  name: {value}") + 1

    ((file, at, found),) = problems(path)

    assert (file, at) == (str(path), line)
    assert found.startswith(reason)


@pytest.mark.parametrize("day", ["'2026-W01'", "'20260101'", "' 2026-01-01'", "20260101"])
def test_a_date_is_read_only_as_yyyy_mm_dd(folder: Path, day: str) -> None:
    (folder / "objectives.yaml").write_text(
        f"- code: grow\n  horizon_start: {day}\n", encoding="utf-8"
    )

    reasons = [reason for _, _, reason in problems(folder)]

    assert any(
        reason.startswith("objectives.horizon_start: expected a date (YYYY-MM-DD)")
        for reason in reasons
    ), reasons


# ---------------------------------------------------------------- what the commands print


def test_the_plan_command_prints_the_first_problems_and_counts_the_rest(
    enterprise: Enterprise, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    themes = "".join(f"- code: t{n}\n  colour: blue\n" for n in range(100))
    path = single_file(tmp_path, EMPTY_SECTIONS.replace("themes: []\n", "themes:\n" + themes))
    everything = [str(error) for error in plan_architecture(path, DAY).errors]
    assert len(everything) > 200  # an unknown key and a missing name in each theme, and more

    status = main_plan(argparse.Namespace(path=str(path), as_of=DAY))

    err = capsys.readouterr().err.splitlines()
    assert status == 1
    assert err == [
        *everything[: limits.MAX_SHOWN_PROBLEMS],
        f"... and {len(everything) - limits.MAX_SHOWN_PROBLEMS} more",
        f"scoreline: {len(everything)} problems in {path}; nothing was applied",
    ]


def test_the_command_line_refuses_a_week_date_for_as_of(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli_main(["strategy", "plan", str(tmp_path / "s.yaml"), "--as-of", "2026-W01"])

    assert exit_.value.code == 2
    assert (
        capsys.readouterr()
        .err.splitlines()[-1]
        .endswith("argument --as-of: expected a date as YYYY-MM-DD, got '2026-W01'")
    )
