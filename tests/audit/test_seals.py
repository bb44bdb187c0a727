"""The seals: a chain rewritten with recomputed hashes, by someone without the audit key."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest
from django.db import DataError, connection, transaction
from pytest_django import Settings

from scoreline.audit.chain import EVENT_SEAL, event_hash, record_event
from scoreline.audit.models import AuditEvent
from scoreline.audit.seals import audit_key, sealing_key
from scoreline.audit.verification import verify_chain
from scoreline.cli import main
from scoreline.lib.env import ConfigError
from tests.builders.enterprise import Enterprise
from tests.builders.tampering import raw, rewrite, strip_seals

pytestmark = pytest.mark.django_db


def test_every_event_is_sealed_with_the_audit_key(enterprise: Enterprise) -> None:
    key = audit_key()
    assert key is not None
    events = list(AuditEvent.objects.order_by("seq"))
    assert all(key.holds(EVENT_SEAL, event.hash, event.seal) for event in events)
    check = verify_chain()
    assert check.ok and check.sealed_from == 1
    assert f"every event is sealed with audit key {key.id}" in check.notes[0]


def test_a_rewritten_event_with_recomputed_hashes_and_head_is_named(
    enterprise: Enterprise, capsys: pytest.CaptureFixture[str]
) -> None:
    target = AuditEvent.objects.order_by("seq")[7].seq
    rewrite(target, "nothing happened here")
    # Every hash holds again and the head names the new last hash: the hashes alone are fooled.
    events = list(AuditEvent.objects.order_by("seq"))
    assert all(event_hash(event) == event.hash for event in events)
    assert AuditEvent.objects.get(seq=target).reason == "nothing happened here"
    assert main(["audit", "verify"]) == 1
    assert capsys.readouterr().err == (
        f"audit chain broken at event #{target}: event #{target} does not match its seal: "
        "it was rewritten and the hashes recomputed\n"
    )


def test_a_seal_removed_from_one_event_is_named(enterprise: Enterprise) -> None:
    target = AuditEvent.objects.order_by("seq")[4].seq
    strip_seals(target, target)
    check = verify_chain()
    assert (check.broken_seq, check.problem) == (
        target,
        f"event #{target} has lost its seal (events are sealed from #1)",
    )


def test_a_chain_stripped_of_every_seal_and_rewritten_does_not_pass(
    enterprise: Enterprise,
) -> None:
    strip_seals()
    rewrite(3, "rewritten once the seals were gone")
    check = verify_chain()
    assert not check.ok and check.unsealed
    assert "none of the" in check.problem and "carries a seal of the audit key" in check.problem


@pytest.mark.parametrize("stored", ["garbage", "2024-13-45 10:00:00"])
def test_an_unreadable_occurred_at_names_the_event_instead_of_crashing(
    enterprise: Enterprise, capsys: pytest.CaptureFixture[str], stored: str
) -> None:
    target = AuditEvent.objects.order_by("seq")[2].seq
    if connection.vendor == "postgresql":
        # A timestamp column refuses the text outright; the chain stays as it was.
        with pytest.raises(DataError), transaction.atomic():
            raw("UPDATE {events} SET occurred_at = %s WHERE seq = %s", [stored, target])
        assert verify_chain().ok
        return
    raw("UPDATE {events} SET occurred_at = %s WHERE seq = %s", [stored, target])
    assert main(["audit", "verify"]) == 1
    error = capsys.readouterr().err
    assert error.startswith(
        f"audit chain broken at event #{target}: event #{target} cannot be read"
    )
    assert "Traceback" not in error and len(error.splitlines()) == 1


def test_a_key_other_than_the_one_that_sealed_the_chain_is_told_apart_from_a_rewrite(
    enterprise: Enterprise, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.AUDIT_KEY = "another-key-that-is-long-enough-to-be-used"
    assert main(["audit", "verify"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("audit chain broken at event #1: event #1 does not match its seal")
    assert "the audit key in use (SCORELINE_AUDIT_KEY, key " in error
    assert "is not the one that sealed the chain" in error


def test_a_missing_key_is_named_with_where_to_put_it_back(
    enterprise: Enterprise, settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.AUDIT_KEY = ""
    settings.AUDIT_KEY_FILE = tmp_path / "audit_key"
    assert main(["audit", "verify"]) == 1
    assert capsys.readouterr().err == (
        "scoreline: configuration error: the audit trail is sealed from event #1, but there is "
        f"no audit key: set SCORELINE_AUDIT_KEY or restore {tmp_path / 'audit_key'} from your "
        "backup\n"
    )
    assert not (tmp_path / "audit_key").exists()  # checking never makes up a key


def test_the_first_event_creates_a_key_file_only_its_owner_can_read(
    settings: Settings, tmp_path: Path
) -> None:
    settings.AUDIT_KEY = ""
    settings.AUDIT_KEY_FILE = tmp_path / "keys" / "audit_key"
    with transaction.atomic():
        event = record_event(None, "test.event", "thing", 1)
    key_file = tmp_path / "keys" / "audit_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key_file.read_text()) == 64
    key = audit_key()
    assert key is not None and key.origin == str(key_file)
    assert key.holds(EVENT_SEAL, event.hash, event.seal)
    assert list(tmp_path.joinpath("keys").iterdir()) == [key_file]  # no temporary file left


def test_processes_creating_the_key_at_once_all_get_the_same_key(
    settings: Settings, tmp_path: Path
) -> None:
    settings.AUDIT_KEY = ""
    settings.AUDIT_KEY_FILE = tmp_path / "audit_key"
    start, ids = threading.Barrier(8), []

    def create() -> None:
        start.wait()
        ids.append(sealing_key().id)

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(ids) == 8 and len(set(ids)) == 1


def test_a_key_file_that_lost_its_key_is_named(settings: Settings, tmp_path: Path) -> None:
    settings.AUDIT_KEY = ""
    settings.AUDIT_KEY_FILE = tmp_path / "audit_key"
    (tmp_path / "audit_key").write_text("short\n")
    with pytest.raises(ConfigError, match=r"audit_key holds fewer than 32 characters"):
        audit_key()
