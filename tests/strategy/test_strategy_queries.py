from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User

from scoreline.access.actions import do_grant_role
from scoreline.access.models import Role
from scoreline.kpis.measures import measured_objective, unmeasured_objectives
from scoreline.lib.errors import NotFound
from scoreline.scoring.actions.definitions import do_remove_measure, do_retire_kpi
from scoreline.scoring.actions.objectives import do_update_objective
from scoreline.strategy.actions.links import do_link_objectives
from scoreline.strategy.models import Objective
from scoreline.strategy.queries import CascadeLevel, objectives_for
from tests.builders.enterprise import Enterprise
from tests.builders.strategy import DAY, MakeObjective, make_kpi, measure

pytestmark = pytest.mark.django_db

LATER = dt.date(2025, 3, 1)


@pytest.fixture
def world(make_objective: MakeObjective) -> dict[str, Objective]:
    sales = make_objective("SALES-1", unit="SALES")
    return {
        "group": make_objective("GRP-1", unit="GRP"),
        "sales": sales,
        "north": make_objective("NORTH-1", unit="SALES-N", parent=sales),
        "german": make_objective("DE-1", unit="DE"),
        "employee": make_objective("EMP-1", person="employee", parent=sales),
        "seller": make_objective("SELLER-1", person="seller0", parent=sales),
        "finance": make_objective("FIN-GOAL", person="fin1"),
    }


def codes(user: User, day: dt.date = DAY) -> list[str]:
    return sorted(version.objective.code for version in objectives_for(user, day))


def analyst_on(enterprise: Enterprise, unit: str) -> User:
    user = User.objects.create_user("analyst", "analyst@example.com", "pw")
    do_grant_role(
        enterprise.users["admin"], user, Role.objects.get(code="analyst"), enterprise.units[unit]
    )
    return user


def test_members_see_every_units_objectives_but_only_their_own_goals(
    enterprise: Enterprise, world: dict[str, Objective]
) -> None:
    assert codes(enterprise.users["employee"]) == ["DE-1", "EMP-1", "GRP-1", "NORTH-1", "SALES-1"]


def test_a_manager_sees_the_goals_of_their_reports(
    enterprise: Enterprise, world: dict[str, Objective]
) -> None:
    assert codes(enterprise.users["manager"]) == [
        "DE-1",
        "EMP-1",
        "GRP-1",
        "NORTH-1",
        "SALES-1",
        "SELLER-1",
    ]


def test_hr_sees_every_goal(enterprise: Enterprise, world: dict[str, Objective]) -> None:
    assert codes(enterprise.users["hr"]) == sorted(o.code for o in world.values())


def test_a_login_granted_one_unit_sees_only_that_units_objectives(
    enterprise: Enterprise, world: dict[str, Objective]
) -> None:
    assert codes(analyst_on(enterprise, "DE")) == ["DE-1"]


def test_an_outsider_sees_no_objective(enterprise: Enterprise, world: dict[str, Objective]) -> None:
    assert codes(enterprise.users["outsider"]) == []


def test_objectives_are_listed_as_they_stand_on_the_day(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    make_objective("GRP-1", unit="GRP")
    make_objective("GRP-2", unit="GRP", valid_from=LATER)
    assert codes(enterprise.users["ceo"], DAY) == ["GRP-1"]
    assert codes(enterprise.users["ceo"], LATER) == ["GRP-1", "GRP-2"]
    assert codes(enterprise.users["ceo"], dt.date(2023, 1, 1)) == []


def test_objectives_can_be_listed_for_one_unit(
    enterprise: Enterprise, world: dict[str, Objective]
) -> None:
    listed = objectives_for(enterprise.users["ceo"], DAY, unit=enterprise.units["SALES"])
    assert [version.objective.code for version in listed] == ["SALES-1"]


def test_the_detail_shows_each_version_with_what_it_changed_who_and_why(
    enterprise: Enterprise, world: dict[str, Objective]
) -> None:
    sales = world["sales"]
    do_update_objective(
        enterprise.users["manager"], sales, effective=LATER, name="Sell more", reason="Plan B"
    )
    detail = measured_objective(enterprise.users["employee"], sales, LATER)
    assert detail.version is not None and detail.version.name == "Sell more"
    first, second = detail.history
    assert first.changes["name"] == (None, "Objective SALES-1")
    assert second.changes == {"name": ("Objective SALES-1", "Sell more")}
    assert (second.author, second.reason, second.source) == (
        enterprise.users["manager"],
        "Plan B",
        "page",
    )
    assert detail.level == CascadeLevel.DEPARTMENT
    assert measured_objective(enterprise.users["employee"], sales, DAY).version.name == (  # type: ignore[union-attr]
        "Objective SALES-1"
    )


def test_the_detail_shows_the_cascade_around_the_objective_as_far_as_the_user_may_see(
    enterprise: Enterprise, world: dict[str, Objective]
) -> None:
    do_update_objective(
        enterprise.users["ceo"], world["sales"], effective=DAY, parent=world["group"]
    )
    employee_view = measured_objective(enterprise.users["employee"], world["sales"], DAY)
    manager_view = measured_objective(enterprise.users["manager"], world["sales"], DAY)
    assert employee_view.parent is not None and employee_view.parent.objective == world["group"]
    assert [v.objective.code for v in employee_view.children] == ["EMP-1", "NORTH-1"]
    assert [v.objective.code for v in manager_view.children] == ["EMP-1", "NORTH-1", "SELLER-1"]


def test_the_detail_shows_links_in_and_out(
    enterprise: Enterprise, world: dict[str, Objective]
) -> None:
    admin = enterprise.users["admin"]
    do_link_objectives(admin, world["north"], world["sales"], effective=DAY)
    do_link_objectives(admin, world["sales"], world["group"], effective=DAY)
    detail = measured_objective(enterprise.users["employee"], world["sales"], DAY)
    assert [v.objective.code for v in detail.causes] == ["NORTH-1"]
    assert [v.objective.code for v in detail.effects] == ["GRP-1"]


def test_the_detail_lists_the_kpis_measuring_the_objective(
    enterprise: Enterprise, world: dict[str, Objective]
) -> None:
    revenue, margin = make_kpi("REVENUE"), make_kpi("MARGIN")
    measure(world["sales"], revenue, weight=2.0)
    measure(world["sales"], margin, weight=1.0)
    detail = measured_objective(enterprise.users["employee"], world["sales"], DAY)
    assert [(row.kpi.code, row.weight) for row in detail.measures] == [
        ("MARGIN", 1.0),
        ("REVENUE", 2.0),
    ]
    assert detail.measured
    assert not measured_objective(enterprise.users["employee"], world["group"], DAY).measured


def test_the_detail_of_an_objective_out_of_sight_is_not_found(
    enterprise: Enterprise, world: dict[str, Objective]
) -> None:
    with pytest.raises(NotFound):
        measured_objective(enterprise.users["employee"], world["seller"], DAY)
    with pytest.raises(NotFound):
        measured_objective(enterprise.users["outsider"], world["sales"], DAY)
    with pytest.raises(NotFound):
        measured_objective(analyst_on(enterprise, "DE"), world["sales"], DAY)
    assert measured_objective(enterprise.users["manager"], world["seller"], DAY).version is not None


def test_objectives_without_a_measuring_kpi_are_flagged(
    enterprise: Enterprise, world: dict[str, Objective]
) -> None:
    measure(world["sales"], make_kpi("REVENUE"))
    measure(world["german"], make_kpi("HEADCOUNT", day=LATER), day=LATER)
    flagged = [v.objective.code for v in unmeasured_objectives(enterprise.users["employee"], DAY)]
    assert flagged == ["DE-1", "EMP-1", "GRP-1", "NORTH-1"]


def test_a_measure_by_a_retired_kpi_no_longer_counts(
    enterprise: Enterprise, world: dict[str, Objective]
) -> None:
    ebit = make_kpi("EBIT")
    measure(world["group"], ebit)
    do_retire_kpi(enterprise.users["admin"], ebit, effective=LATER)
    assert "GRP-1" not in [
        v.objective.code for v in unmeasured_objectives(enterprise.users["ceo"], DAY)
    ]
    assert "GRP-1" in [
        v.objective.code for v in unmeasured_objectives(enterprise.users["ceo"], LATER)
    ]
    assert measured_objective(enterprise.users["ceo"], world["group"], LATER).measures == []


def test_an_objective_is_unmeasured_again_once_its_last_measure_ends(
    enterprise: Enterprise, world: dict[str, Objective]
) -> None:
    revenue = make_kpi("REVENUE")
    measure(world["sales"], revenue)
    do_remove_measure(enterprise.users["admin"], world["sales"], revenue, effective=LATER)
    flagged_before = [v.objective.code for v in unmeasured_objectives(enterprise.users["ceo"], DAY)]
    flagged_after = [
        v.objective.code for v in unmeasured_objectives(enterprise.users["ceo"], LATER)
    ]
    assert "SALES-1" not in flagged_before and "SALES-1" in flagged_after


def test_unmeasured_objectives_are_scoped_like_every_list(
    enterprise: Enterprise, world: dict[str, Objective]
) -> None:
    assert list(unmeasured_objectives(enterprise.users["outsider"], DAY)) == []
    flagged = [v.objective.code for v in unmeasured_objectives(analyst_on(enterprise, "DE"), DAY)]
    assert flagged == ["DE-1"]
