from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from scoreline.access.tokens import user_for_token
from scoreline.cli import main
from tests.builders.enterprise import Enterprise


def run_cli(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    environment |= {"SCORELINE_DATA_DIR": str(tmp_path)} | env
    return subprocess.run(
        [sys.executable, "-m", "scoreline.cli", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"DATABASE_URL": "mysql://db/scoreline"},
            "configuration error: DATABASE_URL='mysql://db/scoreline': unsupported scheme",
        ),
        (
            {"SCORELINE_DEBUG": "perhaps"},
            "configuration error: SCORELINE_DEBUG='perhaps' is not a boolean",
        ),
        (
            {"SCORELINE_MIN_GROUP_SIZE": "0"},
            "configuration error: SCORELINE_MIN_GROUP_SIZE=0 is below the minimum of 1",
        ),
        (
            {"SCORELINE_AUDIT_KEY": "too-short"},
            "configuration error: SCORELINE_AUDIT_KEY is shorter than 32 characters",
        ),
        ({"DATABASE_URL": "postgres://nobody@127.0.0.1:9/scoreline"}, "database error:"),
    ],
)
def test_bad_settings_and_unreachable_databases_give_one_clear_line_and_a_failure_exit(
    env: dict[str, str], message: str, tmp_path: Path
) -> None:
    result = run_cli("migrate", env=env, tmp_path=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith(f"scoreline: {message}"), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_migrate_then_audit_verify_on_a_fresh_sqlite_file(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}"}
    assert run_cli("migrate", "--quiet", env=env, tmp_path=tmp_path).returncode == 0
    verified = run_cli("audit", "verify", env=env, tmp_path=tmp_path)
    assert verified.returncode == 0 and "0 events checked" in verified.stdout
    # The first checkpoint makes the audit key, readable by its owner only, in the data directory.
    taken = run_cli("audit", "checkpoint", env=env, tmp_path=tmp_path)
    checkpoints = tmp_path / "audit_checkpoints.jsonl"
    assert taken.stdout == f"checkpoint of event #0 appended to {checkpoints}\n", taken.stderr
    assert stat.S_IMODE((tmp_path / "audit_key").stat().st_mode) == 0o600
    verified = run_cli("audit", "verify", env=env, tmp_path=tmp_path)
    assert f"agrees with 1 checkpoint in {checkpoints}" in verified.stdout


@pytest.mark.django_db
def test_token_create_prints_a_working_token(
    enterprise: Enterprise, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token", "create", "manager", "--name", "nightly export"]) == 0
    secret = capsys.readouterr().out.strip()
    assert user_for_token(secret) == enterprise.users["manager"]


@pytest.mark.django_db
def test_token_create_for_an_unknown_user_fails_with_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["token", "create", "ghost"]) == 1
    assert capsys.readouterr().err.strip() == "scoreline: no user named 'ghost'"


@pytest.mark.django_db
def test_createuser_refuses_a_short_password_and_creates_a_login(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from django.contrib.auth import get_user_model

    monkeypatch.setenv("SCORELINE_NEW_PASSWORD", "short")
    assert main(["createuser", "dana"]) == 1
    assert "at least 8 characters" in capsys.readouterr().err
    monkeypatch.setenv("SCORELINE_NEW_PASSWORD", "a-long-enough-password")
    assert main(["createuser", "dana", "--email", "dana@example.com"]) == 0
    assert get_user_model().objects.get(username="dana").check_password("a-long-enough-password")


# Commands that stop before touching a database without tables (and serve stops before binding).
NEED_TABLES = [("kpis", "smart"), ("serve", "--port", "9")]


def test_a_command_on_a_database_without_tables_says_how_to_set_it_up(tmp_path: Path) -> None:
    database = tmp_path / "scoreline.sqlite3"
    missing = run_cli("token", "create", "ceo", env={}, tmp_path=tmp_path)
    assert not database.exists()  # asking created no empty database
    sqlite3.connect(database).close()
    empty = [run_cli(*command, env={}, tmp_path=tmp_path) for command in NEED_TABLES]
    for result in (missing, *empty):
        assert result.returncode == 1
        assert result.stderr == (
            f"scoreline: the database at {database} has no tables; "
            "run `make demo` or `scoreline migrate` first\n"
        )


def test_a_database_behind_the_code_is_named_with_the_command_that_upgrades_it(
    tmp_path: Path,
) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'old.sqlite3'}"}
    setup = "import django; django.setup(); from django.core.management import call_command; "
    older = subprocess.run(
        [sys.executable, "-c", setup + "call_command('migrate', 'auth', verbosity=0)"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "scoreline.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert older.returncode == 0, older.stderr
    result = run_cli("audit", "verify", env=env, tmp_path=tmp_path)
    assert result.returncode == 1
    assert "migrations to apply); run `scoreline migrate` first" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_make_token_uses_the_demo_database_and_asks_for_the_login() -> None:
    root = Path(__file__).resolve().parents[1]
    planned = subprocess.run(
        ["make", "-n", "-s", "token", "USER=ceo"], cwd=root, capture_output=True, text=True
    )
    assert planned.stdout.strip().endswith("scoreline token create ceo"), planned.stdout
    unnamed = subprocess.run(["make", "-n", "token"], cwd=root, capture_output=True, text=True)
    assert unnamed.returncode != 0 and "make token USER=ceo" in unnamed.stderr
