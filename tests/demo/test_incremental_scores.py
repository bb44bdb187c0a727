"""Values entered one at a time store the same scores as scoring everything from scratch,
bit for bit: the incremental path follows each value up to every node it affects, and
leaves every other stored score as a full recompute would write it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoreline.demo.build import DemoPlan
from scoreline.kpis.models import KpiValue, KpiVersion
from scoreline.lib.dates import today
from scoreline.lib.months import month_start
from scoreline.planning.control import closed_periods
from scoreline.scoring.actions.values import do_record_value
from scoreline.scoring.pipeline import recompute
from tests.builders.kpis import stored_scores

# The demo is built once for the tests of this group, which stay on one test process.
pytestmark = pytest.mark.xdist_group("demo-200")


def _open_values() -> list[KpiValue]:
    """The entered values of months no closed planning period holds, at units and people
    (calculated and rated KPIs take no entered values)."""
    closed_until = max((period.end for period in closed_periods()), default=dt.date.min)
    not_entered = KpiVersion.objects.filter(Q(scoring="rubric") | ~Q(formula=""))
    return list(
        KpiValue.objects.filter(period__gte=closed_until)
        .exclude(kpi_id__in=not_entered.values("kpi_id"))
        .select_related("kpi", "unit", "person")
        .order_by("id")
    )


class Candidates(list[KpiValue]):
    """The values a change may pick (shown by their number in a failing example)."""

    def __repr__(self) -> str:
        return f"<{len(self)} open values>"


@pytest.fixture
def candidates(world_demo_200: DemoPlan) -> Candidates:
    found = Candidates(_open_values())
    assert len({(v.kpi_id, v.unit_id is None) for v in found}) > 50  # KPIs at units and people
    return found


@settings(
    max_examples=4,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    changes=st.lists(
        st.tuples(st.integers(min_value=0), st.integers(min_value=0), st.booleans()),
        min_size=1,
        max_size=3,
    )
)
def test_values_entered_one_at_a_time_store_what_a_full_recompute_stores(
    candidates: Candidates, changes: list[tuple[int, int, bool]]
) -> None:
    """Each change enters at one KPI, subject and month a value the same KPI holds somewhere
    (the same value again, or another one that passes its checks), or enters it first in
    the month in progress, where every other unit expected to report is still missing (a
    sum over units must then wait for them, as a full recompute does)."""
    admin = User.objects.get(username="admin")
    this_month = month_start(today())
    with transaction.atomic():
        for pick, other, early in changes:
            entered = candidates[pick % len(candidates)]
            same_kpi = [v.value for v in candidates if v.kpi_id == entered.kpi_id]
            do_record_value(
                admin, entered.kpi, unit=entered.unit, person=entered.person,
                period=this_month if early else entered.period,
                value=same_kpi[other % len(same_kpi)], note="entered again",
            )  # fmt: skip
        incremental = stored_scores()
        recompute()
        assert incremental == stored_scores()
        transaction.set_rollback(True)
