"""Values entered one at a time store the same scores as scoring everything from scratch,
bit for bit: the incremental path follows each value up to every node it affects, and
leaves every other stored score as a full recompute would write it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoreline.demo.build import DemoPlan
from scoreline.kpis.models import KpiValue
from scoreline.planning.control import closed_periods
from scoreline.scoring.actions.values import do_record_value
from scoreline.scoring.pipeline import recompute
from tests.builders.kpis import stored_scores

# The demo is built once for the tests of this group, which stay on one test process.
pytestmark = pytest.mark.xdist_group("demo-200")

# What a steward does to a value: enters it again as it was, corrects it slightly, misses
# by a wide margin, or records a zero.
FACTORS = (1.0, 1.05, 0.5, 3.0, 0.0)


def _open_values() -> list[KpiValue]:
    """The values of months no closed planning period holds, at units and at people."""
    closed_until = max((period.end for period in closed_periods()), default=dt.date.min)
    return list(
        KpiValue.objects.filter(period__gte=closed_until)
        .select_related("kpi", "unit", "person")
        .order_by("id")
    )


@pytest.fixture
def candidates(world_demo_200: DemoPlan) -> list[KpiValue]:
    found = _open_values()
    assert len({(v.kpi_id, v.unit_id is None) for v in found}) > 50  # KPIs at units and people
    return found


@settings(
    max_examples=6,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    changes=st.lists(
        st.tuples(st.integers(min_value=0), st.sampled_from(FACTORS)), min_size=1, max_size=3
    )
)
def test_values_entered_one_at_a_time_store_what_a_full_recompute_stores(
    candidates: list[KpiValue], changes: list[tuple[int, float]]
) -> None:
    admin = User.objects.get(username="admin")
    with transaction.atomic():
        for pick, factor in changes:
            entered = candidates[pick % len(candidates)]
            do_record_value(
                admin, entered.kpi, unit=entered.unit, person=entered.person,
                period=entered.period, value=entered.value * factor, note="entered again",
            )  # fmt: skip
        incremental = stored_scores()
        recompute()
        assert incremental == stored_scores()
        transaction.set_rollback(True)
