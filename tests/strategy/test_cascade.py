from __future__ import annotations

import datetime as dt

import pytest

from scoreline.lib.errors import AccessDenied, Invalid
from scoreline.org.actions import do_create_unit
from scoreline.org.models import Country, Currency
from scoreline.scoring.actions.objectives import do_retire_objective, do_update_objective
from scoreline.strategy.queries import CascadeLevel, cascade_level
from tests.builders.enterprise import Enterprise
from tests.builders.strategy import DAY, MakeObjective, nothing_written, version

pytestmark = pytest.mark.django_db

LATER = dt.date(2025, 3, 1)


def test_objectives_cascade_from_the_group_down_to_an_individual_goal(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    group = make_objective("GRP-1", unit="GRP")
    uk = make_objective("UK-1", unit="UK", parent=group, contribution_weight=0.5)
    sales = make_objective("SALES-1", unit="SALES", parent=uk, actor="manager")
    team = make_objective("NORTH-1", unit="SALES-N", parent=sales, actor="manager")
    goal = make_objective("EMP-1", person="employee", parent=team, actor="manager")
    assert version(uk).contribution_weight == 0.5
    assert [version(o).parent for o in (uk, sales, team, goal)] == [group, uk, sales, team]


def test_a_child_may_share_its_parents_unit(make_objective: MakeObjective) -> None:
    parent = make_objective("SALES-1", unit="SALES")
    child = make_objective("SALES-2", unit="SALES", parent=parent)
    assert version(child).parent == parent


def test_a_parent_in_a_sibling_unit_is_refused_naming_both_units(
    make_objective: MakeObjective,
) -> None:
    finance = make_objective("FIN-1", unit="FIN")
    with nothing_written(), pytest.raises(Invalid) as error:
        make_objective("SALES-1", unit="SALES", parent=finance)
    assert error.value.code == "cascade"
    assert (
        "FIN-1 belongs to Finance, which is neither Sales nor a unit above it"
        in (error.value.fields["parent"][0])
    )


def test_a_parent_below_the_child_is_refused(make_objective: MakeObjective) -> None:
    team = make_objective("NORTH-1", unit="SALES-N")
    with nothing_written(), pytest.raises(Invalid) as error:
        make_objective("SALES-1", unit="SALES", parent=team)
    assert error.value.code == "cascade"


def test_a_parent_must_be_in_force_on_the_day(make_objective: MakeObjective) -> None:
    later = make_objective("GRP-1", unit="GRP", valid_from=dt.date(2024, 7, 1))
    with nothing_written(), pytest.raises(Invalid) as error:
        make_objective("UK-1", unit="UK", parent=later)
    assert error.value.code == "cascade"
    assert "GRP-1 is not in force on 2024-01-01" in error.value.fields["parent"][0]


def test_an_individual_goal_contributes_to_its_unit_or_one_above(
    make_objective: MakeObjective,
) -> None:
    sales = make_objective("SALES-1", unit="SALES")
    finance = make_objective("FIN-1", unit="FIN")
    goal = make_objective("EMP-1", person="employee", parent=sales)
    assert version(goal).parent == sales
    with nothing_written(), pytest.raises(Invalid) as error:
        make_objective("EMP-2", person="employee", parent=finance)
    assert "Sales North" in error.value.fields["parent"][0]


def test_an_individual_goal_cannot_lead_another_objective(make_objective: MakeObjective) -> None:
    goal = make_objective("EMP-1", person="employee")
    with nothing_written(), pytest.raises(Invalid) as error:
        make_objective("EMP-2", person="employee", parent=goal)
    assert "individual goal" in error.value.fields["parent"][0]


def test_the_cascade_never_climbs_back_up_the_levels(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    admin = enterprise.users["admin"]
    gb, gbp = Country.objects.get(code="GB"), Currency.objects.get(code="GBP")
    team = do_create_unit(
        admin,
        code="TIGER",
        name="Tiger team",
        kind="team",
        parent=enterprise.units["GRP"],
        country=gb,
        currency=gbp,
        valid_from=dt.date(2020, 1, 1),
    )
    operations = do_create_unit(
        admin,
        code="TIGER-OPS",
        name="Tiger operations",
        kind="department",
        parent=team,
        country=gb,
        currency=gbp,
        valid_from=dt.date(2020, 1, 1),
    )
    enterprise.units["TIGER"] = team
    enterprise.units["TIGER-OPS"] = operations
    parent = make_objective("TIGER-1", unit="TIGER")
    with nothing_written(), pytest.raises(Invalid) as error:
        make_objective("TIGER-OPS-1", unit="TIGER-OPS", parent=parent)
    assert "team objective and cannot lead a department one" in error.value.fields["parent"][0]


def test_cascade_levels_follow_the_unit_kinds() -> None:
    assert cascade_level("group") == cascade_level("legal_entity") == CascadeLevel.CORPORATE
    assert cascade_level("business_unit") == CascadeLevel.BUSINESS_UNIT
    assert cascade_level("department") == CascadeLevel.DEPARTMENT
    assert cascade_level("team") == CascadeLevel.TEAM
    assert cascade_level(None) == CascadeLevel.INDIVIDUAL


def test_a_cycle_in_the_cascade_is_refused_and_named(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    first = make_objective("SALES-A", unit="SALES")
    second = make_objective("SALES-B", unit="SALES", parent=first)
    third = make_objective("SALES-C", unit="SALES", parent=second)
    with nothing_written(), pytest.raises(Invalid) as error:
        do_update_objective(enterprise.users["manager"], first, effective=LATER, parent=third)
    assert error.value.code == "cycle"
    assert error.value.fields["parent"] == [
        "the cascade would have a cycle: SALES-A -> SALES-B -> SALES-C -> SALES-A"
    ]


def test_an_objective_cannot_be_its_own_parent(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    objective = make_objective("SALES-A", unit="SALES")
    with nothing_written(), pytest.raises(Invalid) as error:
        do_update_objective(enterprise.users["admin"], objective, effective=LATER, parent=objective)
    assert error.value.code == "cycle"


def test_moving_a_parent_below_its_children_is_refused_naming_them(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    parent = make_objective("SALES-1", unit="SALES")
    make_objective("SALES-2", unit="SALES", parent=parent)
    make_objective("EMP-1", person="employee", parent=parent)
    with nothing_written(), pytest.raises(Invalid) as error:
        do_update_objective(
            enterprise.users["admin"], parent, effective=LATER, unit=enterprise.units["SALES-N"]
        )
    assert error.value.fields["unit"] == [
        "SALES-2 could no longer contribute to SALES-1 in Sales North"
    ]


def test_a_new_parent_applies_from_the_day_of_the_change(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    group = make_objective("GRP-1", unit="GRP")
    sales = make_objective("SALES-1", unit="SALES")
    do_update_objective(enterprise.users["manager"], sales, effective=LATER, parent=group)
    assert version(sales, DAY).parent is None
    assert version(sales, LATER).parent == group


def test_an_objective_still_leading_others_cannot_be_retired(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    parent = make_objective("UK-1", unit="UK")
    make_objective("SALES-1", unit="SALES", parent=parent)
    make_objective("FIN-1", unit="FIN", parent=parent)
    with nothing_written(), pytest.raises(Invalid) as error:
        do_retire_objective(enterprise.users["ceo"], parent, effective=LATER)
    assert error.value.code == "has_children"
    assert error.value.fields["effective"] == ["UK-1 still leads FIN-1, SALES-1 in the cascade"]


def test_an_objective_is_retired_once_its_children_have_moved_on(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    parent = make_objective("UK-1", unit="UK")
    child = make_objective("SALES-1", unit="SALES", parent=parent)
    do_update_objective(enterprise.users["ceo"], child, effective=LATER, parent=None)
    do_retire_objective(enterprise.users["ceo"], parent, effective=LATER)
    assert version(child, DAY).parent == parent
    assert version(parent, DAY).valid_until == LATER


def test_a_manager_cannot_retire_the_objective_their_department_contributes_to(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    parent = make_objective("UK-1", unit="UK")
    with nothing_written(), pytest.raises(AccessDenied):
        do_retire_objective(enterprise.users["manager"], parent, effective=LATER)
