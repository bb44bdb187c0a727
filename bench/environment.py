"""A throwaway database for one benchmark run, chosen before Django reads its settings."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def prepare(database_url: str | None) -> Path:
    """Point Scoreline at a fresh data directory and database; returns the directory."""
    directory = Path(tempfile.mkdtemp(prefix="scoreline-bench-"))
    os.environ["SCORELINE_DATA_DIR"] = str(directory)
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{directory / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "scoreline.settings"
    import django

    django.setup()
    return directory
