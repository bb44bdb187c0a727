from __future__ import annotations

import threading

import pytest
from django.db import connections, transaction

from scoreline.audit import verification
from scoreline.audit.chain import record_event
from scoreline.audit.models import AuditEvent
from scoreline.audit.verification import verify_chain

WRITERS = 4
EVENTS_EACH = 15


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_the_chain_a_single_line() -> None:
    start = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def write(writer: int) -> None:
        try:
            start.wait()
            for number in range(EVENTS_EACH):
                with transaction.atomic():
                    record_event(None, "test.concurrent", "writer", f"{writer}-{number}")
        except BaseException as error:  # reported to the main thread
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(writer,)) for writer in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, WRITERS * EVENTS_EACH + 1)
    )
    assert verify_chain().ok


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_verify_sees_the_chain_as_of_one_moment_while_writers_go_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for number in range(5):
        with transaction.atomic():
            record_event(None, "test.before", "thing", number)

    def write_one() -> None:
        with transaction.atomic():
            record_event(None, "test.during", "thing", "meanwhile")
        connections.close_all()

    walk = verification._Walk.run

    def write_between_the_head_and_the_events(self: verification._Walk) -> tuple[int, str] | None:
        writer = threading.Thread(target=write_one)
        writer.start()
        writer.join()
        return walk(self)

    monkeypatch.setattr(verification._Walk, "run", write_between_the_head_and_the_events)
    check = verify_chain()
    assert check.ok and check.checked == 5
    monkeypatch.undo()
    assert verify_chain().checked == 6
