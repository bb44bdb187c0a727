from __future__ import annotations

from pathlib import Path

import pytest

from scoreline.lib.env import ConfigError, env_bool, env_int, parse_database_url


def test_a_postgres_url_becomes_a_postgres_database(monkeypatch: pytest.MonkeyPatch) -> None:
    database = parse_database_url("postgres://app:s%40cret@db.internal:5433/scoreline")
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["USER"], database["PASSWORD"], database["HOST"], database["PORT"]) == (
        "app",
        "s@cret",
        "db.internal",
        5433,
    )
    assert database["NAME"] == "scoreline"


def test_a_sqlite_url_becomes_an_embedded_database_in_wal_mode() -> None:
    database = parse_database_url("sqlite:////srv/scoreline/db.sqlite3")
    assert database["NAME"] == str(Path("/srv/scoreline/db.sqlite3"))
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("mysql://x/y", "unsupported scheme"),
        ("postgres://host:5432/", "database name is missing"),
        ("postgres://host:port/db", "port is not a number"),
        ("sqlite://", "a SQLite URL is"),
        ("nonsense", "unsupported scheme"),
    ],
)
def test_a_malformed_database_url_is_rejected_with_the_reason(url: str, reason: str) -> None:
    with pytest.raises(ConfigError, match=reason) as error:
        parse_database_url(url)
    assert "DATABASE_URL" in str(error.value)


def test_booleans_accept_the_usual_spellings_and_reject_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FLAG", "Yes")
    assert env_bool("FLAG", False) is True
    monkeypatch.setenv("FLAG", "off")
    assert env_bool("FLAG", True) is False
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ConfigError, match="FLAG='maybe' is not a boolean"):
        env_bool("FLAG", False)


def test_integers_fail_loudly_on_garbage_and_on_values_below_the_minimum(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SIZE", "seven")
    with pytest.raises(ConfigError, match="SIZE='seven' is not an integer"):
        env_int("SIZE", 5)
    monkeypatch.setenv("SIZE", "0")
    with pytest.raises(ConfigError, match="below the minimum of 1"):
        env_int("SIZE", 5, minimum=1)
    monkeypatch.delenv("SIZE")
    assert env_int("SIZE", 5) == 5
