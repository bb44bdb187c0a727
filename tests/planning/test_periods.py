from __future__ import annotations

import datetime as dt

import pytest

from scoreline.lib.errors import AccessDenied, Invalid
from scoreline.planning.actions import do_close_period, do_create_period, do_open_period
from tests.builders.enterprise import Enterprise
from tests.builders.kpis import YEAR_END, YEAR_START, events, nothing_written

pytestmark = pytest.mark.django_db


def test_a_period_goes_from_draft_to_open_to_closed(enterprise: Enterprise) -> None:
    ceo = enterprise.users["ceo"]
    period = do_create_period(ceo, label="FY2026", start=YEAR_START, end=YEAR_END)
    assert period.state == "draft"
    assert do_open_period(ceo, period, reason="plan agreed").state == "open"
    assert do_close_period(ceo, period).state == "closed"
    assert [len(events(action)) for action in ("period.create", "period.open", "period.close")] == [
        1,
        1,
        1,
    ]
    assert events("period.open")[0].reason == "plan agreed"


def test_a_period_moves_only_forwards(enterprise: Enterprise) -> None:
    ceo = enterprise.users["ceo"]
    period = do_create_period(ceo, label="FY2026", start=YEAR_START, end=YEAR_END)
    with nothing_written(), pytest.raises(Invalid) as error:
        do_close_period(ceo, period)
    assert error.value.code == "invalid_state"
    do_open_period(ceo, period)
    with nothing_written(), pytest.raises(Invalid) as error:
        do_open_period(ceo, period)
    assert error.value.code == "invalid_state"


def test_periods_do_not_overlap_and_end_after_they_start(enterprise: Enterprise) -> None:
    ceo = enterprise.users["ceo"]
    do_create_period(ceo, label="FY2026", start=YEAR_START, end=YEAR_END)
    with nothing_written(), pytest.raises(Invalid) as error:
        do_create_period(ceo, label="H2", start=dt.date(2026, 7, 1), end=dt.date(2027, 7, 1))
    assert error.value.code == "overlap"
    with nothing_written(), pytest.raises(Invalid) as error:
        do_create_period(ceo, label="FY2026", start=YEAR_END, end=dt.date(2028, 1, 1))
    assert error.value.code == "duplicate"
    with nothing_written(), pytest.raises(Invalid) as error:
        do_create_period(ceo, label="Backwards", start=YEAR_END, end=YEAR_END)
    assert "end" in error.value.fields


@pytest.mark.parametrize("persona", ["steward", "manager", "employee", "outsider"])
def test_periods_need_the_approve_change_right_everywhere(
    enterprise: Enterprise, persona: str
) -> None:
    user = enterprise.users[persona]
    with nothing_written(), pytest.raises(AccessDenied):
        do_create_period(user, label="FY2026", start=YEAR_START, end=YEAR_END)
    period = do_create_period(
        enterprise.users["admin"], label="FY2026", start=YEAR_START, end=YEAR_END
    )
    with nothing_written(), pytest.raises(AccessDenied):
        do_open_period(user, period)
    do_open_period(enterprise.users["admin"], period)
    with nothing_written(), pytest.raises(AccessDenied):
        do_close_period(user, period)
