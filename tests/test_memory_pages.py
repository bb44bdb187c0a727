"""Scoreline asks numpy for plain memory pages unless the environment says otherwise."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PROBE = "import os, scoreline, numpy; print(os.environ['NUMPY_MADVISE_HUGEPAGE'])"


def _setting(**environment: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=env | environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_importing_scoreline_turns_numpys_huge_page_advice_off() -> None:
    assert _setting() == "0"


@pytest.mark.parametrize("explicit", ["0", "1"])
def test_an_explicit_setting_in_the_environment_wins(explicit: str) -> None:
    assert _setting(NUMPY_MADVISE_HUGEPAGE=explicit) == explicit
