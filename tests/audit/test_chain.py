from __future__ import annotations

import itertools

import pytest
from django.db import connection, transaction

from scoreline.audit.chain import GENESIS_HASH, record_event
from scoreline.audit.models import AuditEvent
from scoreline.audit.verification import verify_chain
from scoreline.cli import main
from tests.builders.enterprise import Enterprise

pytestmark = pytest.mark.django_db


def test_actions_write_a_chain_of_events_that_verifies(enterprise: Enterprise) -> None:
    events = list(AuditEvent.objects.order_by("seq"))
    assert len(events) > 20
    assert events[0].prev_hash == GENESIS_HASH
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(events))
    assert verify_chain().ok
    assert verify_chain().checked == len(events)


def test_an_event_records_who_did_what_to_which_object_with_before_and_after(
    enterprise: Enterprise,
) -> None:
    event = AuditEvent.objects.filter(
        action="org.unit.create", object_id=str(enterprise.units["FIN"].pk)
    ).get()
    assert event.actor_username == "admin"
    assert event.after is not None and event.after["code"] == "FIN"
    assert event.before is None


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError, match="inside the transaction"):
        record_event(None, "x", "y", 1)


def test_an_event_is_rolled_back_with_the_change_it_describes(db: None) -> None:
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        record_event(None, "test.event", "thing", 1)
        _ = 1 / 0
    assert not AuditEvent.objects.exists()
    assert verify_chain().ok


def _raw(sql: str, params: list[str | int]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_audit_verify_names_the_first_event_edited_in_the_table(
    enterprise: Enterprise, capsys: pytest.CaptureFixture[str]
) -> None:
    target = AuditEvent.objects.order_by("seq")[5]
    _raw(
        f"UPDATE {AuditEvent._meta.db_table} SET reason = %s WHERE id = %s",
        ["covered up", target.pk],
    )
    assert main(["audit", "verify"]) == 1
    assert f"#{target.seq}" in capsys.readouterr().err


def test_audit_verify_notices_a_deleted_event(
    enterprise: Enterprise, capsys: pytest.CaptureFixture[str]
) -> None:
    target = AuditEvent.objects.order_by("seq")[3]
    _raw(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [target.pk])
    assert main(["audit", "verify"]) == 1
    assert f"#{target.seq} is missing" in capsys.readouterr().err


def test_audit_verify_notices_the_newest_events_cut_off(enterprise: Enterprise) -> None:
    newest = AuditEvent.objects.order_by("-seq").first()
    assert newest is not None
    _raw(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [newest.pk])
    result = verify_chain()
    assert not result.ok and "missing" in result.problem


def test_audit_verify_passes_on_an_untouched_chain(
    enterprise: Enterprise, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "verify"]) == 0
    assert "audit chain intact" in capsys.readouterr().out
