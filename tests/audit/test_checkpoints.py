"""Checkpoints: the sealed head of the chain in a file outside the database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_django import Settings

from scoreline.audit.checkpoints import CheckpointError
from scoreline.audit.models import AuditEvent
from scoreline.audit.seals import audit_key
from scoreline.audit.verification import take_checkpoint, verify_chain
from scoreline.cli import main
from scoreline.lib.env import ConfigError
from scoreline.lib.errors import Invalid
from tests.builders.enterprise import Enterprise
from tests.builders.tampering import cut_tail, delete_everything, raw, rewrite

pytestmark = pytest.mark.django_db


def _last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True)[0]


def test_a_checkpoint_appends_the_sealed_head_to_the_file(
    enterprise: Enterprise, checkpoints: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    last = AuditEvent.objects.order_by("-seq")[0]
    assert main(["audit", "checkpoint"]) == 0
    assert capsys.readouterr().out == (
        f"checkpoint of event #{last.seq} appended to {checkpoints}\n"
    )
    assert main(["audit", "checkpoint"]) == 0
    lines = [json.loads(line) for line in checkpoints.read_text().splitlines()]
    key = audit_key()
    assert key is not None and len(lines) == 2
    assert {(line["seq"], line["hash"], line["key_id"]) for line in lines} == {
        (last.seq, last.hash, key.id)
    }
    capsys.readouterr()
    assert main(["audit", "verify"]) == 0
    assert f"agrees with 2 checkpoints in {checkpoints}" in capsys.readouterr().out


def test_deleting_every_event_and_the_head_is_found_against_the_last_checkpoint(
    enterprise: Enterprise, checkpoints: Path, settings: Settings, tmp_path: Path
) -> None:
    last = take_checkpoint().seq
    delete_everything()
    # Without the checkpoint, an empty chain is all there is to see.
    settings.AUDIT_CHECKPOINTS = tmp_path / "never-written.jsonl"
    assert verify_chain().ok and verify_chain().checked == 0
    settings.AUDIT_CHECKPOINTS = checkpoints
    check = verify_chain()
    assert check.broken_seq == 1
    assert check.problem.startswith(f"events #1 to #{last} are missing: the checkpoint of ")
    assert check.problem.endswith(f"saw the chain reach #{last}")


def test_events_cut_off_the_end_after_a_checkpoint_are_found(
    enterprise: Enterprise, checkpoints: Path
) -> None:
    last = take_checkpoint().seq
    kept = cut_tail(3)
    check = verify_chain()
    assert (check.broken_seq, check.checked) == (kept + 1, kept)
    assert f"events #{kept + 1} to #{last} are missing" in check.problem


def test_a_rewrite_resealed_with_a_stolen_key_is_still_named_by_the_checkpoint(
    enterprise: Enterprise, checkpoints: Path
) -> None:
    first = take_checkpoint().seq
    stolen = audit_key()
    assert stolen is not None
    rewrite(4, "the key leaked, the checkpoint file did not", stolen_key=stolen)
    check = verify_chain()
    assert check.broken_seq == first
    assert check.problem.startswith(f"event #{first} differs from the checkpoint of ")
    assert check.problem.endswith(f"an event from #1 to #{first} was rewritten")


def test_an_altered_checkpoint_line_is_named(enterprise: Enterprise, checkpoints: Path) -> None:
    take_checkpoint()
    line = json.loads(checkpoints.read_text())
    line["seq"] += 5
    checkpoints.write_text(json.dumps(line) + "\n")
    with pytest.raises(CheckpointError) as refused:
        verify_chain()
    assert str(refused.value) == (
        f"the audit checkpoints {checkpoints}, line 1 does not match its seal: it was altered"
    )


def test_a_line_that_is_not_a_checkpoint_fails_verify_with_one_line_naming_it(
    enterprise: Enterprise, checkpoints: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    take_checkpoint()
    with checkpoints.open("a") as file:
        file.write('{"seq": "twelve"}\n')
    assert main(["audit", "verify"]) == 1
    assert capsys.readouterr().err == (
        f"scoreline: the audit checkpoints {checkpoints}, line 2 is not a checkpoint "
        "(a JSON object with seq, hash, taken_at, key_id, seal)\n"
    )


def test_checkpoints_sealed_with_another_key_say_so(
    enterprise: Enterprise, checkpoints: Path, settings: Settings
) -> None:
    take_checkpoint()
    sealed_with = audit_key()
    settings.AUDIT_KEY = "a-different-key-of-at-least-thirty-two-chars"
    in_use = audit_key()
    assert sealed_with is not None and in_use is not None
    with pytest.raises(CheckpointError, match="line 1 was sealed with audit key") as refused:
        verify_chain()
    assert f"key {sealed_with.id}, but the key in use (SCORELINE_AUDIT_KEY) is {in_use.id}" in str(
        refused.value
    )


def test_checkpoints_without_any_key_ask_for_it(
    enterprise: Enterprise, checkpoints: Path, settings: Settings, tmp_path: Path
) -> None:
    take_checkpoint()
    settings.AUDIT_KEY = ""
    settings.AUDIT_KEY_FILE = tmp_path / "gone"
    with pytest.raises(ConfigError, match="line 1 is sealed, but there is no audit key"):
        verify_chain()


def test_no_checkpoint_is_taken_of_a_chain_that_does_not_verify(
    enterprise: Enterprise, checkpoints: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw("UPDATE {events} SET reason = 'edited' WHERE seq = 2")
    with pytest.raises(Invalid, match="no checkpoint taken, as the audit chain does not verify"):
        take_checkpoint()
    assert main(["audit", "checkpoint"]) == 1
    assert "event #2 was altered after it was written" in capsys.readouterr().err
    assert not checkpoints.exists()


def test_an_intact_chain_without_checkpoints_says_how_to_take_one(
    enterprise: Enterprise, checkpoints: Path
) -> None:
    check = verify_chain()
    assert check.ok and check.checked == _last_seq()
    assert check.notes[1] == (
        f"no checkpoint in {checkpoints} yet: `scoreline audit checkpoint` takes one"
    )
