from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from scoreline.access.actions import do_grant_role
from scoreline.access.models import Role
from scoreline.kpis.models import Target
from scoreline.lib.errors import AccessDenied, Invalid
from scoreline.lib.versioned import version_on
from tests.builders.enterprise import Enterprise
from tests.builders.kpis import (
    YEAR_END,
    YEAR_START,
    MakeKpi,
    MakePeriod,
    events,
    nothing_written,
    set_target,
)

pytestmark = pytest.mark.django_db

MID_YEAR = dt.date(2026, 7, 1)


def test_the_data_steward_sets_a_units_target_for_the_year(
    enterprise: Enterprise, make_kpi: MakeKpi
) -> None:
    kpi = make_kpi("revenue")
    target = set_target(enterprise, kpi, reason="plan")
    assert target is not None
    assert (target.unit, target.period_start, target.period_end, target.valid_from) == (
        enterprise.units["SALES"],
        YEAR_START,
        YEAR_END,
        YEAR_START,
    )
    assert (target.threshold, target.target, target.stretch) == (80.0, 100.0, 120.0)
    (event,) = events("target.set")
    assert event.after is not None and event.after["target"] == 100.0


def test_a_persons_target_is_set_on_their_primary_unit(
    enterprise: Enterprise, make_kpi: MakeKpi
) -> None:
    kpi = make_kpi("calls")
    target = set_target(enterprise, kpi, person="employee")
    assert target is not None and target.person == enterprise.people["employee"]
    assert target.unit is None


@pytest.mark.parametrize("persona", ["manager", "employee", "outsider"])
def test_setting_a_target_needs_the_edit_kpi_right(
    enterprise: Enterprise, make_kpi: MakeKpi, persona: str
) -> None:
    kpi = make_kpi("revenue")
    with nothing_written(), pytest.raises(AccessDenied):
        set_target(enterprise, kpi, actor=persona)
    with nothing_written(), pytest.raises(AccessDenied):
        set_target(enterprise, kpi, actor=persona, person="seller0")


def test_the_edit_kpi_right_on_a_team_covers_its_targets_and_no_others(
    enterprise: Enterprise, make_kpi: MakeKpi
) -> None:
    do_grant_role(
        enterprise.users["admin"],
        enterprise.users["employee"],
        Role.objects.get(code="data_steward"),
        enterprise.units["SALES-N"],
    )
    kpi = make_kpi("revenue")
    assert set_target(enterprise, kpi, actor="employee", unit="SALES-N") is not None
    assert set_target(enterprise, kpi, actor="employee", person="seller1") is not None
    with nothing_written(), pytest.raises(AccessDenied):
        set_target(enterprise, kpi, actor="employee", unit="FIN")
    with nothing_written(), pytest.raises(AccessDenied):
        set_target(enterprise, kpi, actor="employee", person="fin1")


@pytest.mark.parametrize(
    ("direction", "scoring", "target_type"),
    [
        ("higher", "linear", "stay_below"),
        ("higher", "linear", "decrease_to"),
        ("higher", "linear", "range"),
        ("lower", "linear", "stay_above"),
        ("lower", "linear", "increase_to"),
        ("range", "target_range", "stay_above"),
    ],
)
def test_the_target_type_must_suit_the_kpis_direction(
    enterprise: Enterprise, make_kpi: MakeKpi, direction: str, scoring: str, target_type: str
) -> None:
    kpi = make_kpi("measure", direction=direction, scoring=scoring)
    with nothing_written(), pytest.raises(Invalid) as error:
        set_target(enterprise, kpi, target_type=target_type, range_low=1.0, range_high=2.0)
    assert "target_type" in error.value.fields
    assert direction in error.value.message


def test_thresholds_must_run_upwards_for_a_higher_is_better_kpi(
    enterprise: Enterprise, make_kpi: MakeKpi
) -> None:
    kpi = make_kpi("revenue", scoring="piecewise")
    with nothing_written(), pytest.raises(Invalid) as error:
        set_target(enterprise, kpi, threshold=120.0, target=100.0, stretch=130.0)
    assert set(error.value.fields) == {"threshold", "target"}
    assert "threshold (120)" in error.value.message and "target (100)" in error.value.message
    with nothing_written(), pytest.raises(Invalid) as error:
        set_target(enterprise, kpi, threshold=80.0, target=100.0, stretch=90.0)
    assert set(error.value.fields) == {"target", "stretch"}


def test_thresholds_must_run_downwards_for_a_lower_is_better_kpi(
    enterprise: Enterprise, make_kpi: MakeKpi
) -> None:
    kpi = make_kpi("defects", direction="lower", scoring="piecewise")
    with nothing_written(), pytest.raises(Invalid) as error:
        set_target(enterprise, kpi, target_type="stay_below")
    assert set(error.value.fields) == {"threshold", "target"}
    assert "lower-is-better" in error.value.message
    target = set_target(
        enterprise, kpi, target_type="decrease_to", threshold=20.0, target=10.0, stretch=5.0
    )
    assert target is not None


def test_the_scoring_method_gets_the_thresholds_it_needs(
    enterprise: Enterprise, make_kpi: MakeKpi
) -> None:
    piecewise = make_kpi("piecewise_kpi", scoring="piecewise")
    with nothing_written(), pytest.raises(Invalid) as error:
        set_target(enterprise, piecewise, stretch=None)
    assert "stretch" in error.value.fields
    linear = make_kpi("linear_kpi", scoring="linear")
    with nothing_written(), pytest.raises(Invalid) as error:
        set_target(enterprise, linear, threshold=None)
    assert "threshold" in error.value.fields
    percent = make_kpi("percent_kpi", scoring="percent_capped")
    with nothing_written(), pytest.raises(Invalid) as error:
        set_target(enterprise, percent, threshold=None, target=0.0, stretch=None)
    assert "target" in error.value.fields


def test_a_range_target_needs_a_low_below_its_high(
    enterprise: Enterprise, make_kpi: MakeKpi
) -> None:
    kpi = make_kpi("temperature", direction="range", scoring="target_range")
    with nothing_written(), pytest.raises(Invalid) as error:
        set_target(enterprise, kpi, target_type="range", range_low=24.0, range_high=20.0)
    assert set(error.value.fields) == {"range_low", "range_high"}
    with nothing_written(), pytest.raises(Invalid) as error:
        set_target(enterprise, kpi, target_type="range", range_low=20.0)
    assert "range_high" in error.value.fields
    target = set_target(enterprise, kpi, target_type="range", range_low=20.0, range_high=24.0)
    assert target is not None and (target.range_low, target.range_high) == (20.0, 24.0)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"threshold": float("nan")}, "threshold"),
        ({"target": float("inf")}, "target"),
        ({"phasing": "seasonal", "profile": [1.0] * 11}, "profile"),
        ({"phasing": "seasonal", "profile": [1.0] * 11 + [-1.0]}, "profile[11]"),
        ({"phasing": "seasonal", "profile": [0.0] * 12}, "profile"),
        ({"phasing": "seasonal", "profile": [1.0] * 11 + [float("nan")]}, "profile[11]"),
        ({"phasing": "flat", "profile": [1.0] * 12}, "profile"),
        ({"phasing": "linear_ramp"}, "baseline"),
        ({"phasing": "weekly"}, "phasing"),
        ({"period_end": dt.date(2026, 12, 15)}, "period_end"),
        ({"period_end": YEAR_START}, "period_end"),
        ({"period_start": dt.date(2026, 1, 2)}, "period_start"),
    ],
)
def test_a_bad_target_is_refused_naming_the_field(
    enterprise: Enterprise, make_kpi: MakeKpi, fields: dict[str, Any], field: str
) -> None:
    kpi = make_kpi("revenue")
    with nothing_written(), pytest.raises(Invalid) as error:
        set_target(enterprise, kpi, **fields)
    assert field in error.value.fields, error.value.message


def test_a_seasonal_profile_has_twelve_monthly_weights(
    enterprise: Enterprise, make_kpi: MakeKpi
) -> None:
    kpi = make_kpi("revenue")
    profile = [1.0] * 11 + [3.0]
    target = set_target(enterprise, kpi, phasing="seasonal", profile=profile)
    assert target is not None and target.profile == profile


def test_spans_of_one_kpi_and_unit_do_not_overlap(
    enterprise: Enterprise, make_kpi: MakeKpi
) -> None:
    kpi = make_kpi("revenue")
    set_target(enterprise, kpi)
    with nothing_written(), pytest.raises(Invalid) as error:
        set_target(
            enterprise, kpi, period_start=dt.date(2026, 7, 1), period_end=dt.date(2027, 7, 1)
        )
    assert error.value.code == "overlap"
    assert set_target(enterprise, kpi, unit="FIN") is not None


def test_a_revised_target_is_a_new_version_and_an_unchanged_one_writes_nothing(
    enterprise: Enterprise, make_kpi: MakeKpi
) -> None:
    kpi = make_kpi("revenue")
    set_target(enterprise, kpi)
    with nothing_written():
        assert set_target(enterprise, kpi) is None
    revised = set_target(enterprise, kpi, target=110.0, effective=MID_YEAR)
    assert revised is not None and revised.valid_from == MID_YEAR
    identity = {"kpi": kpi, "unit": enterprise.units["SALES"], "period_start": YEAR_START}
    first = version_on(Target, YEAR_START, **identity)
    assert first is not None and (first.target, first.valid_until) == (100.0, MID_YEAR)
    event = events("target.set")[-1]
    assert event.before is not None and event.after is not None
    assert (event.before["target"], event.after["target"]) == (100.0, 110.0)


def test_a_version_starting_after_its_span_is_refused(
    enterprise: Enterprise, make_kpi: MakeKpi
) -> None:
    kpi = make_kpi("revenue")
    with nothing_written(), pytest.raises(Invalid) as error:
        set_target(enterprise, kpi, effective=YEAR_END)
    assert "effective" in error.value.fields


def test_setting_or_revising_a_target_in_an_open_period_needs_a_change_request(
    enterprise: Enterprise, make_kpi: MakeKpi, make_period: MakePeriod
) -> None:
    kpi = make_kpi("revenue")
    set_target(enterprise, kpi)
    set_target(enterprise, kpi, period_start=YEAR_END, period_end=dt.date(2028, 1, 1), target=105.0)
    make_period("FY2026", YEAR_START, YEAR_END)
    with nothing_written(), pytest.raises(Invalid) as error:
        set_target(enterprise, kpi, target=110.0, effective=MID_YEAR)
    assert error.value.code == "change_request_required"
    # A first target scores the months of the open period too; next year's are outside it.
    with nothing_written(), pytest.raises(Invalid) as error:
        set_target(enterprise, kpi, unit="FIN")
    assert error.value.code == "change_request_required"
    assert (
        set_target(
            enterprise,
            kpi,
            period_start=YEAR_END,
            period_end=dt.date(2028, 1, 1),
            target=106.0,
            effective=MID_YEAR,
        )
        is not None
    )


def test_a_target_in_a_closed_period_is_refused(
    enterprise: Enterprise, make_kpi: MakeKpi, make_period: MakePeriod
) -> None:
    kpi = make_kpi("revenue")
    make_period("FY2025", dt.date(2025, 1, 1), YEAR_START, "closed")
    with nothing_written(), pytest.raises(Invalid) as error:
        set_target(enterprise, kpi, period_start=dt.date(2025, 1, 1), period_end=YEAR_START)
    assert error.value.code == "period_closed"
