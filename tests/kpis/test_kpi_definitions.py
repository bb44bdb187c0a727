from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from scoreline.kpis.models import KpiVersion
from scoreline.kpis.validation import LevelSpec
from scoreline.lib.errors import AccessDenied, Invalid
from scoreline.lib.versioned import version_on
from scoreline.scoring.actions.definitions import do_retire_kpi, do_save_rubric, do_update_kpi
from tests.builders.enterprise import Enterprise
from tests.builders.kpis import DAY, MakeKpi, MakePeriod, events, nothing_written

pytestmark = pytest.mark.django_db

LATER = dt.date(2025, 6, 1)


def test_the_data_steward_creates_a_kpi_with_its_first_definition(
    enterprise: Enterprise, make_kpi: MakeKpi
) -> None:
    kpi = make_kpi("revenue", name="Revenue", unit="EUR", owner=enterprise.people["manager"])
    version = KpiVersion.objects.get(kpi=kpi)
    assert (version.name, version.unit, version.valid_from, version.valid_until) == (
        "Revenue",
        "EUR",
        DAY,
        None,
    )
    assert version.owner == enterprise.people["manager"]
    assert version.author == enterprise.users["steward"]
    (event,) = events("kpi.create")
    assert event.object_id == str(kpi.pk)
    assert event.after is not None and event.after["name"] == "Revenue"


@pytest.mark.parametrize("persona", ["manager", "employee", "outsider"])
def test_creating_a_kpi_needs_the_edit_kpi_right(make_kpi: MakeKpi, persona: str) -> None:
    with nothing_written(), pytest.raises(AccessDenied):
        make_kpi("revenue", actor=persona)


def test_a_duplicate_kpi_code_is_refused(make_kpi: MakeKpi) -> None:
    make_kpi("revenue")
    with nothing_written(), pytest.raises(Invalid) as error:
        make_kpi("revenue")
    assert error.value.code == "duplicate" and "code" in error.value.fields


def test_a_kpi_code_with_spaces_is_refused(make_kpi: MakeKpi) -> None:
    with nothing_written(), pytest.raises(Invalid) as error:
        make_kpi("net revenue")
    assert "code" in error.value.fields


def test_an_unknown_field_is_refused_by_name(make_kpi: MakeKpi) -> None:
    with nothing_written(), pytest.raises(Invalid) as error:
        make_kpi("revenue", colour="blue")
    assert "colour" in error.value.fields


def test_an_update_starts_a_new_version_from_its_day(
    enterprise: Enterprise, make_kpi: MakeKpi
) -> None:
    kpi = make_kpi("revenue", name="Revenue")
    new = do_update_kpi(
        enterprise.users["steward"], kpi, effective=LATER, name="Net revenue", reason="renamed"
    )
    assert new is not None and (new.name, new.valid_from, new.reason) == (
        "Net revenue",
        LATER,
        "renamed",
    )
    old = version_on(KpiVersion, DAY, kpi=kpi)
    assert old is not None and (old.name, old.valid_until) == ("Revenue", LATER)
    (event,) = events("kpi.update")
    assert event.before is not None and event.after is not None
    assert (event.before["name"], event.after["name"]) == ("Revenue", "Net revenue")
    assert event.reason == "renamed"


def test_an_update_that_changes_nothing_writes_nothing(
    enterprise: Enterprise, make_kpi: MakeKpi
) -> None:
    kpi = make_kpi("revenue", name="Revenue")
    with nothing_written():
        assert (
            do_update_kpi(enterprise.users["steward"], kpi, effective=LATER, name="Revenue") is None
        )


@pytest.mark.parametrize("persona", ["manager", "employee", "outsider"])
def test_updating_a_kpi_needs_the_edit_kpi_right(
    enterprise: Enterprise, make_kpi: MakeKpi, persona: str
) -> None:
    kpi = make_kpi("revenue")
    with nothing_written(), pytest.raises(AccessDenied):
        do_update_kpi(enterprise.users[persona], kpi, effective=LATER, name="Other")


def test_a_kpi_before_its_first_day_cannot_be_updated(
    enterprise: Enterprise, make_kpi: MakeKpi
) -> None:
    kpi = make_kpi("revenue")
    with nothing_written(), pytest.raises(Invalid) as error:
        do_update_kpi(enterprise.users["steward"], kpi, effective=dt.date(2023, 1, 1), name="X")
    assert error.value.code == "not_in_force"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"direction": "higher", "scoring": "target_range"}, "scoring"),
        ({"direction": "range", "scoring": "linear"}, "scoring"),
        ({"direction": "sideways"}, "direction"),
        ({"scoring": "rubric"}, "rubric"),
        ({"scoring": "banded", "band_edges": [], "band_scores": [50]}, "band_edges"),
        ({"scoring": "banded", "band_edges": [20, 10], "band_scores": [0, 50, 100]}, "band_edges"),
        ({"scoring": "banded", "band_edges": [10, 20], "band_scores": [0, 100]}, "band_scores"),
        (
            {"scoring": "banded", "band_edges": [10, 20], "band_scores": [0, 50, 120]},
            "band_scores[2]",
        ),
        (
            # Worst band first: a lower-is-better KPI still lists its best band last.
            {
                "scoring": "banded",
                "direction": "lower",
                "band_edges": [10, 20],
                "band_scores": [100, 50, 0],
            },
            "band_scores[1]",
        ),
        (
            {"scoring": "banded", "band_edges": [10, float("nan")], "band_scores": [0, 50, 100]},
            "band_edges[1]",
        ),
        ({"band_edges": [10], "band_scores": [0, 100]}, "band_edges"),
        ({"name": "  "}, "name"),
        ({"time_aggregation": ""}, "time_aggregation"),
    ],
)
def test_a_definition_that_contradicts_itself_is_refused_naming_the_field(
    make_kpi: MakeKpi, fields: dict[str, Any], field: str
) -> None:
    with nothing_written(), pytest.raises(Invalid) as error:
        make_kpi("broken", **fields)
    assert field in error.value.fields, error.value.message


def test_rubric_scoring_needs_the_direction_higher(
    enterprise: Enterprise, make_kpi: MakeKpi
) -> None:
    rubric = do_save_rubric(
        enterprise.users["steward"],
        code="leadership",
        name="Leadership",
        levels=[LevelSpec(1, "Low", "Rarely leads"), LevelSpec(2, "High", "Leads others")],
    )
    make_kpi("leading", scoring="rubric", rubric=rubric, kind="qualitative")
    with nothing_written(), pytest.raises(Invalid) as error:
        make_kpi("lagging", scoring="rubric", rubric=rubric, direction="lower")
    assert "direction" in error.value.fields


def test_banded_scoring_takes_ascending_edges_and_one_score_more(make_kpi: MakeKpi) -> None:
    kpi = make_kpi("nps", scoring="banded", band_edges=(0, 30), band_scores=(0, 50, 100))
    version = KpiVersion.objects.get(kpi=kpi)
    assert (version.band_edges, version.band_scores) == ([0, 30], [0, 50, 100])


def test_a_formula_kpi_is_calculated_from_kpis_in_force(make_kpi: MakeKpi) -> None:
    make_kpi("revenue", unit="EUR")
    make_kpi("headcount", unit="count")
    kpi = make_kpi("revenue_per_head", unit="EUR/count", formula="revenue / headcount")
    assert KpiVersion.objects.get(kpi=kpi).formula == "revenue / headcount"


def test_a_formula_that_does_not_parse_is_refused(make_kpi: MakeKpi) -> None:
    make_kpi("revenue", unit="EUR")
    with nothing_written(), pytest.raises(Invalid) as error:
        make_kpi("bad", unit="EUR", formula="revenue.real")
    assert "formula" in error.value.fields
    assert "attribute access" in error.value.message


def test_a_formula_must_name_existing_kpis(make_kpi: MakeKpi) -> None:
    make_kpi("revenue", unit="EUR")
    with nothing_written(), pytest.raises(Invalid) as error:
        make_kpi("margin", unit="EUR", formula="revenue - costs")
    assert error.value.code == "unknown_code" and "'costs'" in error.value.message


def test_a_formula_must_give_the_kpis_unit(make_kpi: MakeKpi) -> None:
    make_kpi("revenue", unit="EUR")
    make_kpi("headcount", unit="count")
    with nothing_written(), pytest.raises(Invalid) as error:
        make_kpi("revenue_per_head", unit="EUR", formula="revenue / headcount")
    assert error.value.code == "unit_mismatch" and "formula" in error.value.fields
    with nothing_written(), pytest.raises(Invalid) as error:
        make_kpi("mixed", unit="EUR", formula="revenue + headcount")
    assert error.value.code == "unit_mismatch"


def test_a_kpi_cannot_change_to_a_unit_its_dependent_formulas_do_not_fit(
    enterprise: Enterprise, make_kpi: MakeKpi
) -> None:
    revenue = make_kpi("revenue", unit="EUR")
    make_kpi("headcount", unit="count")
    make_kpi("revenue_per_head", unit="EUR/count", formula="revenue / headcount")
    with nothing_written(), pytest.raises(Invalid) as error:
        do_update_kpi(enterprise.users["steward"], revenue, effective=LATER, unit="USD")
    assert error.value.code == "unit_mismatch" and "unit" in error.value.fields
    assert "revenue_per_head" in error.value.message


def test_a_formula_referring_to_itself_is_a_cycle(make_kpi: MakeKpi) -> None:
    with nothing_written(), pytest.raises(Invalid) as error:
        make_kpi("growth", formula="growth + 1")
    assert error.value.code == "cycle" and "growth -> growth" in error.value.message


def test_formulas_across_kpis_must_stay_acyclic(enterprise: Enterprise, make_kpi: MakeKpi) -> None:
    make_kpi("a", unit="EUR")
    make_kpi("b", unit="EUR", formula="a * 2")
    c = make_kpi("c", unit="EUR", formula="b + 1")
    a = KpiVersion.objects.get(kpi__code="a").kpi
    with nothing_written(), pytest.raises(Invalid) as error:
        do_update_kpi(enterprise.users["steward"], a, effective=LATER, formula="c - 1")
    assert error.value.code == "cycle"
    assert "a -> b -> c -> a" in error.value.message
    assert c.code == "c"


def test_a_formula_cannot_use_a_kpi_that_is_retired_later(
    enterprise: Enterprise, make_kpi: MakeKpi
) -> None:
    old = make_kpi("old_sales", unit="EUR")
    do_retire_kpi(enterprise.users["steward"], old, effective=LATER)
    with nothing_written(), pytest.raises(Invalid) as error:
        make_kpi("derived", unit="EUR", formula="old_sales * 2")
    assert error.value.code == "unknown_code" and LATER.isoformat() in error.value.message


def test_retiring_a_kpi_ends_its_definition(enterprise: Enterprise, make_kpi: MakeKpi) -> None:
    kpi = make_kpi("revenue")
    ended = do_retire_kpi(enterprise.users["steward"], kpi, effective=LATER, reason="obsolete")
    assert ended.valid_from == DAY
    assert KpiVersion.objects.get(kpi=kpi).valid_until == LATER
    assert version_on(KpiVersion, LATER, kpi=kpi) is None
    (event,) = events("kpi.retire")
    assert event.reason == "obsolete" and event.before is not None


def test_a_kpi_used_by_a_formula_cannot_be_retired(
    enterprise: Enterprise, make_kpi: MakeKpi
) -> None:
    revenue = make_kpi("revenue", unit="EUR")
    make_kpi("double_revenue", unit="EUR", formula="revenue * 2")
    with nothing_written(), pytest.raises(Invalid) as error:
        do_retire_kpi(enterprise.users["steward"], revenue, effective=LATER)
    assert error.value.code == "in_use" and "double_revenue" in error.value.message


@pytest.mark.parametrize("persona", ["ceo", "employee", "outsider"])
def test_retiring_a_kpi_needs_the_edit_kpi_right(
    enterprise: Enterprise, make_kpi: MakeKpi, persona: str
) -> None:
    kpi = make_kpi("revenue")
    with nothing_written(), pytest.raises(AccessDenied):
        do_retire_kpi(enterprise.users[persona], kpi, effective=LATER)


def test_changing_a_kpi_in_an_open_period_needs_a_change_request(
    enterprise: Enterprise, make_kpi: MakeKpi, make_period: MakePeriod
) -> None:
    kpi = make_kpi("revenue")
    make_period("FY2025", dt.date(2025, 1, 1), dt.date(2026, 1, 1))
    with nothing_written(), pytest.raises(Invalid) as error:
        do_update_kpi(enterprise.users["steward"], kpi, effective=LATER, name="Other")
    assert error.value.code == "change_request_required" and "FY2025" in error.value.message
    with nothing_written(), pytest.raises(Invalid) as error:
        do_retire_kpi(enterprise.users["steward"], kpi, effective=LATER)
    assert error.value.code == "change_request_required"
    after = do_update_kpi(
        enterprise.users["steward"], kpi, effective=dt.date(2026, 1, 1), name="Other"
    )
    assert after is not None


def test_changing_a_kpi_back_into_a_closed_period_is_refused(
    enterprise: Enterprise, make_kpi: MakeKpi, make_period: MakePeriod
) -> None:
    kpi = make_kpi("revenue")
    make_period("FY2024", dt.date(2024, 1, 1), dt.date(2025, 1, 1), "closed")
    with nothing_written(), pytest.raises(Invalid) as error:
        do_update_kpi(enterprise.users["steward"], kpi, effective=dt.date(2024, 6, 1), name="X")
    assert error.value.code == "period_closed"


def test_a_new_kpi_in_an_open_period_needs_no_change_request(
    make_kpi: MakeKpi, make_period: MakePeriod
) -> None:
    make_period("FY2025", dt.date(2025, 1, 1), dt.date(2026, 1, 1))
    kpi = make_kpi("fresh", valid_from=LATER)
    assert KpiVersion.objects.get(kpi=kpi).valid_from == LATER


def test_a_definition_failing_a_smart_letter_configured_as_an_error_is_refused(
    make_kpi: MakeKpi, settings: Any
) -> None:
    settings.SCORELINE_SMART_ERRORS = "M"
    with nothing_written(), pytest.raises(Invalid) as error:
        make_kpi("revenue", unit="", data_source="", formula="")
    assert error.value.code == "smart_check_failed"
    assert error.value.fields["smart"][0].startswith("M: ")


def test_smart_findings_are_only_warnings_unless_configured(make_kpi: MakeKpi) -> None:
    kpi = make_kpi("revenue", unit="", data_source="", formula="")
    assert KpiVersion.objects.get(kpi=kpi).unit == ""


def test_an_update_that_breaks_a_smart_error_letter_is_refused(
    enterprise: Enterprise, make_kpi: MakeKpi, settings: Any
) -> None:
    kpi = make_kpi("revenue", unit="EUR")
    settings.SCORELINE_SMART_ERRORS = "M"
    with nothing_written(), pytest.raises(Invalid) as error:
        do_update_kpi(enterprise.users["steward"], kpi, effective=LATER, unit="", data_source="")
    assert error.value.code == "smart_check_failed"
