"""A chain written before events were sealed: anchored once with `scoreline audit seal`."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoreline.access.actions import do_create_token
from scoreline.audit.models import AuditEvent
from scoreline.audit.verification import SEAL_ACTION, take_checkpoint, verify_chain
from scoreline.cli import main
from tests.builders.enterprise import Enterprise
from tests.builders.tampering import raw, rewrite, strip_seals

pytestmark = pytest.mark.django_db


@pytest.fixture
def unsealed(enterprise: Enterprise) -> int:
    """The enterprise's chain as an older version left it: no event sealed. Its length."""
    strip_seals()
    return AuditEvent.objects.count()


def test_a_chain_from_before_sealing_does_not_pass_until_it_is_sealed(
    unsealed: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "verify"]) == 1
    assert capsys.readouterr().err == (
        f"audit chain not intact: none of the {unsealed} events carries a seal of the audit key: "
        "a chain written before events were sealed is anchored once with `scoreline audit seal`; "
        "a chain that was sealed has had its seals removed\n"
    )
    assert main(["audit", "seal"]) == 0
    assert capsys.readouterr().out == (
        f"sealed: events #1 to #{unsealed}, written before events were sealed, "
        f"are anchored by the seal of event #{unsealed + 1}\n"
    )
    seal = AuditEvent.objects.get(seq=unsealed + 1)
    assert seal.action == SEAL_ACTION and seal.seal
    assert seal.after == {
        "written_before_sealing": [1, unsealed],
        "last_hash": AuditEvent.objects.get(seq=unsealed).hash,
    }
    assert main(["audit", "verify"]) == 0
    assert (
        f"events #1 to #{unsealed} were written before events were sealed and are anchored by "
        f"the seal of #{unsealed + 1}; from #{unsealed + 1} on, events are sealed with audit key"
    ) in capsys.readouterr().out


def test_events_written_after_an_upgrade_anchor_the_older_ones_by_themselves(
    unsealed: int, enterprise: Enterprise
) -> None:
    ceo = enterprise.users["ceo"]
    do_create_token(ceo, ceo, "written after the upgrade")
    check = verify_chain()
    assert check.ok and check.sealed_from == unsealed + 1


def test_an_event_from_before_sealing_rewritten_afterwards_is_caught_by_the_seal_after_it(
    unsealed: int, checkpoints: Path
) -> None:
    assert main(["audit", "seal"]) == 0
    take_checkpoint()  # confirms the key, so a failing seal means a rewrite
    rewrite(5, "rewritten below the seal")
    check = verify_chain()
    assert (check.broken_seq, check.problem) == (
        unsealed + 1,
        f"event #{unsealed + 1} does not match its seal: it, or an event written before "
        "sealing, was rewritten and the hashes recomputed",
    )


def test_a_sealed_chain_needs_no_seal(
    enterprise: Enterprise, capsys: pytest.CaptureFixture[str]
) -> None:
    count = AuditEvent.objects.count()
    assert main(["audit", "seal"]) == 0
    assert (
        capsys.readouterr().out == "nothing to seal: the audit chain is empty or already sealed\n"
    )
    assert AuditEvent.objects.count() == count


def test_a_broken_chain_is_not_sealed(unsealed: int, capsys: pytest.CaptureFixture[str]) -> None:
    raw("UPDATE {events} SET reason = 'edited' WHERE seq = 3")
    assert main(["audit", "seal"]) == 1
    assert capsys.readouterr().err == (
        "scoreline: the audit chain does not verify, so it was not sealed: "
        "event #3 was altered after it was written\n"
    )
    assert AuditEvent.objects.count() == unsealed
