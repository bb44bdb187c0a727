"""The recompute after one value reads the organisation on the day the full recompute
reads it, so both store the same scores."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine

from scoreline.kpis.actions.definitions import do_create_kpi
from scoreline.lib.months import month_index
from scoreline.org.models import Person
from scoreline.scoring.actions.definitions import do_set_target
from scoreline.scoring.actions.values import do_record_value
from scoreline.scoring.models import NodeKind, Score
from scoreline.scoring.pipeline import definition_days, recompute
from tests.builders.enterprise import Enterprise
from tests.builders.kpis import stored_scores

START = dt.date(2025, 1, 1)
NOW = dt.datetime(2025, 4, 20, 12, 0, tzinfo=dt.UTC)
JANUARY, FEBRUARY, MARCH = dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)


@pytest.fixture(autouse=True)
def _april_2025() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _group_value(month: dt.date) -> float | None:
    row = Score.objects.get(kind=NodeKind.KPI, unit__code="GRP", period=month)
    return row.value


def test_one_value_weighs_units_by_the_headcount_the_full_recompute_uses(
    enterprise: Enterprise,
) -> None:
    """Engagement is averaged over units weighted by their people. Finance has three
    people until one leaves on 1 March; the Group's score reads headcounts at the end of
    March (the last month holding values), for January too."""
    admin, units = enterprise.users["admin"], enterprise.units
    engagement = do_create_kpi(
        admin, code="engagement", name="Engagement", unit="points", direction="higher",
        temporality="lagging", kind="quality", time_aggregation="average",
        tree_aggregation="headcount_weighted", refresh_cycle="monthly",
        data_source="Pulse survey", scoring="percent_capped", valid_from=START,
    )  # fmt: skip
    do_set_target(
        admin, engagement, unit=units["GRP"], target_type="stay_above", target=100.0,
        period_start=START, period_end=dt.date(2026, 1, 1),
    )  # fmt: skip
    leaver = Person.objects.filter(primary_unit=units["FIN"]).order_by("id").first()
    assert leaver is not None
    Person.objects.filter(pk=leaver.pk).update(leave_date=MARCH)
    for month in (JANUARY, FEBRUARY, MARCH):
        for unit, value in (("FIN", 80.0), ("DE", 60.0)):
            do_record_value(admin, engagement, unit=units[unit], period=month, value=value)
    recompute()
    # Finance 2 people at 80, GmbH 3 at 60: (2 * 80 + 3 * 60) / 5 = 68 (with Finance's three
    # people of January it would be 70).
    assert _group_value(JANUARY) == pytest.approx(68.0)
    full = stored_scores()

    do_record_value(admin, engagement, unit=units["FIN"], period=JANUARY, value=80.0, note="again")

    assert _group_value(JANUARY) == pytest.approx(68.0)
    assert stored_scores() == full


def test_a_run_of_months_is_read_on_one_day_whichever_of_its_months_are_asked_for(
    enterprise: Enterprise,
) -> None:
    admin, units = enterprise.users["admin"], enterprise.units
    sales = do_create_kpi(
        admin, code="sales", name="Sales", unit="EUR", direction="higher",
        temporality="lagging", kind="output", time_aggregation="sum", tree_aggregation="sum",
        refresh_cycle="monthly", data_source="ERP", scoring="percent_capped", valid_from=START,
    )  # fmt: skip
    for month in (JANUARY, FEBRUARY):
        do_record_value(admin, sales, unit=units["DE"], period=month, value=1.0)
    january, february = month_index(JANUARY), month_index(FEBRUARY)
    end_of_february = dt.date(2025, 2, 28)
    assert definition_days([january, february], NOW.date()) == [
        (end_of_february, [january, february])
    ]
    assert definition_days([january], NOW.date()) == [(end_of_february, [january])]
    # Before February's value is entered, January is read at its own end.
    assert definition_days([january], dt.date(2025, 1, 20)) == [(dt.date(2025, 1, 20), [january])]
