from __future__ import annotations

import threading

import pytest
from django.db import connections, transaction

from scoreline.audit.chain import record_event, verify_chain
from scoreline.audit.models import AuditEvent

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
