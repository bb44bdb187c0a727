from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django import Settings


@pytest.fixture
def checkpoints(settings: Settings, tmp_path: Path) -> Path:
    """The test's own checkpoint file (none is written until a checkpoint is taken)."""
    path = tmp_path / "audit_checkpoints.jsonl"
    settings.AUDIT_CHECKPOINTS = path
    return path
