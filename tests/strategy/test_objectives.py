from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from scoreline.audit.models import AuditEvent
from scoreline.lib.errors import AccessDenied, Invalid
from scoreline.scoring.actions.objectives import do_retire_objective, do_update_objective
from scoreline.strategy.models import ObjectiveVersion, Perspective
from tests.builders.enterprise import Enterprise
from tests.builders.strategy import (
    DAY,
    MakeObjective,
    closed_fy2023,
    nothing_written,
    open_fy2024,
    planning_period,
    version,
)

pytestmark = pytest.mark.django_db

LATER = dt.date(2025, 3, 1)


def test_a_manager_creates_an_objective_for_their_department(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    objective = make_objective("SALES-GROW", unit="SALES", actor="manager", weight=2.0)
    current = version(objective)
    assert (current.unit, current.weight, current.valid_until) == (
        enterprise.units["SALES"],
        2.0,
        None,
    )
    assert current.author == enterprise.users["manager"]
    event = AuditEvent.objects.get(action="objective.create", object_id=str(objective.pk))
    assert event.before is None and event.after is not None
    assert event.after["code"] == "SALES-GROW" and event.after["weight"] == 2.0


@pytest.mark.parametrize("persona", ["hr", "employee", "outsider"])
def test_creating_an_objective_needs_the_edit_strategy_right_on_its_unit(
    make_objective: MakeObjective, persona: str
) -> None:
    with nothing_written(), pytest.raises(AccessDenied):
        make_objective("SALES-GROW", unit="SALES", actor=persona)


def test_a_manager_cannot_create_an_objective_above_their_department(
    make_objective: MakeObjective,
) -> None:
    with nothing_written(), pytest.raises(AccessDenied):
        make_objective("UK-GROW", unit="UK", actor="manager")


def test_an_individual_goal_is_created_by_the_persons_manager(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    goal = make_objective("EMP-CALLS", person="employee", actor="manager")
    assert version(goal).person == enterprise.people["employee"]
    with nothing_written(), pytest.raises(AccessDenied):
        make_objective("FIN-GOAL", person="fin1", actor="manager")
    with nothing_written(), pytest.raises(AccessDenied):
        make_objective("EMP-OTHER", person="employee", actor="hr")


def test_an_objective_belongs_to_exactly_one_unit_or_person(
    make_objective: MakeObjective,
) -> None:
    with nothing_written(), pytest.raises(Invalid) as error:
        make_objective("BOTH", unit="SALES", person="employee")
    assert set(error.value.fields) == {"unit", "person"}
    with nothing_written(), pytest.raises(Invalid):
        make_objective("NEITHER")


def test_a_duplicate_objective_code_is_refused(make_objective: MakeObjective) -> None:
    make_objective("GRP-1", unit="GRP")
    with nothing_written(), pytest.raises(Invalid) as error:
        make_objective("GRP-1", unit="UK")
    assert error.value.code == "duplicate" and "code" in error.value.fields


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("weight", -1.0),
        ("weight", float("nan")),
        ("contribution_weight", float("inf")),
        ("esg_pillar", "X"),
        ("required_by", "auditor"),
        ("name", " "),
    ],
)
def test_bad_field_values_are_refused_naming_the_field(
    make_objective: MakeObjective, field: str, value: object
) -> None:
    with nothing_written(), pytest.raises(Invalid) as error:
        make_objective("BAD", unit="GRP", **{field: value})
    assert field in error.value.fields


def test_a_horizon_that_ends_before_it_starts_is_refused(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    from scoreline.scoring.actions.objectives import do_create_objective

    with nothing_written(), pytest.raises(Invalid) as error:
        do_create_objective(
            enterprise.users["admin"],
            code="BACKWARDS",
            name="Backwards",
            perspective=Perspective.objects.get(code="customer"),
            unit=enterprise.units["GRP"],
            horizon_start=dt.date(2025, 1, 1),
            horizon_end=dt.date(2024, 1, 1),
            valid_from=DAY,
        )
    assert "horizon_end" in error.value.fields


def test_an_update_adds_a_version_and_keeps_the_old_one_as_history(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    objective = make_objective("SALES-GROW", unit="SALES")
    updated = do_update_objective(
        enterprise.users["manager"],
        objective,
        effective=LATER,
        name="Grow sales faster",
        perspective=Perspective.objects.get(code="customer"),
        reason="New plan",
    )
    versions = list(ObjectiveVersion.objects.filter(objective=objective).order_by("valid_from"))
    assert [v.name for v in versions] == ["Objective SALES-GROW", "Grow sales faster"]
    assert versions[0].valid_until == LATER and versions[1] == updated
    assert updated.reason == "New plan" and updated.author == enterprise.users["manager"]
    event = AuditEvent.objects.get(action="objective.update", object_id=str(objective.pk))
    assert event.before is not None and event.after is not None
    assert (event.before["name"], event.after["name"]) == (
        "Objective SALES-GROW",
        "Grow sales faster",
    )
    assert event.reason == "New plan"


@pytest.mark.parametrize("persona", ["hr", "employee", "outsider"])
def test_updating_an_objective_needs_the_edit_strategy_right(
    enterprise: Enterprise, make_objective: MakeObjective, persona: str
) -> None:
    objective = make_objective("SALES-GROW", unit="SALES")
    with nothing_written(), pytest.raises(AccessDenied):
        do_update_objective(enterprise.users[persona], objective, effective=LATER, name="Mine")


def test_moving_an_objective_needs_the_right_on_the_new_unit_too(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    objective = make_objective("SALES-GROW", unit="SALES")
    with nothing_written(), pytest.raises(AccessDenied):
        do_update_objective(
            enterprise.users["manager"], objective, effective=LATER, unit=enterprise.units["FIN"]
        )


def test_an_update_that_changes_nothing_writes_nothing(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    objective = make_objective("SALES-GROW", unit="SALES")
    with nothing_written():
        do_update_objective(
            enterprise.users["manager"], objective, effective=LATER, name="Objective SALES-GROW"
        )


def test_an_unknown_field_is_refused(enterprise: Enterprise, make_objective: MakeObjective) -> None:
    objective = make_objective("SALES-GROW", unit="SALES")
    with nothing_written(), pytest.raises(Invalid) as error:
        do_update_objective(enterprise.users["admin"], objective, effective=LATER, colour="red")
    assert "colour" in error.value.fields


def test_a_weight_change_in_an_open_period_needs_a_change_request(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    objective = make_objective("SALES-GROW", unit="SALES")
    open_fy2024()
    changes: list[dict[str, Any]] = [{"weight": 3.0}, {"contribution_weight": 0.5}]
    for change in changes:
        with nothing_written(), pytest.raises(Invalid) as error:
            do_update_objective(
                enterprise.users["manager"], objective, effective=dt.date(2024, 6, 1), **change
            )
        assert error.value.code == "change_request_required"
        assert "FY2024" in error.value.message


def test_a_weight_change_before_an_open_period_would_alter_it_and_is_governed(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    objective = make_objective("SALES-GROW", unit="SALES")
    planning_period("FY2025", dt.date(2025, 1, 1), dt.date(2026, 1, 1), "open")
    with nothing_written(), pytest.raises(Invalid) as error:
        do_update_objective(
            enterprise.users["manager"], objective, effective=dt.date(2024, 6, 1), weight=3.0
        )
    assert error.value.code == "change_request_required"


def test_a_weight_change_in_a_closed_period_is_refused(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    objective = make_objective("SALES-GROW", unit="SALES", valid_from=dt.date(2023, 1, 1))
    closed_fy2023()
    with nothing_written(), pytest.raises(Invalid) as error:
        do_update_objective(
            enterprise.users["manager"], objective, effective=dt.date(2023, 6, 1), weight=3.0
        )
    assert error.value.code == "period_closed"


def test_a_weight_change_after_every_period_in_use_goes_through_directly(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    objective = make_objective("SALES-GROW", unit="SALES")
    open_fy2024()
    planning_period("FY2025", dt.date(2025, 1, 1), dt.date(2026, 1, 1), "draft")
    updated = do_update_objective(
        enterprise.users["manager"], objective, effective=dt.date(2025, 1, 1), weight=3.0
    )
    assert updated.weight == 3.0 and version(objective, DAY).weight == 1.0


def test_fields_other_than_weights_change_freely_in_an_open_period(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    objective = make_objective("SALES-GROW", unit="SALES")
    open_fy2024()
    updated = do_update_objective(
        enterprise.users["manager"],
        objective,
        effective=dt.date(2024, 6, 1),
        description="Now with a description",
        owner=enterprise.people["manager"],
    )
    assert updated.owner == enterprise.people["manager"]


def test_an_objective_not_in_force_on_the_day_cannot_be_updated(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    objective = make_objective("SALES-GROW", unit="SALES")
    with nothing_written(), pytest.raises(Invalid) as error:
        do_update_objective(
            enterprise.users["admin"], objective, effective=dt.date(2023, 1, 1), name="Early"
        )
    assert error.value.code == "not_in_force"


def test_retiring_an_objective_ends_its_version_on_the_day(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    objective = make_objective("SALES-GROW", unit="SALES")
    do_retire_objective(enterprise.users["manager"], objective, effective=LATER, reason="Done")
    current = ObjectiveVersion.objects.get(objective=objective)
    assert current.valid_until == LATER
    event = AuditEvent.objects.get(action="objective.retire", object_id=str(objective.pk))
    assert event.reason == "Done" and event.after is not None
    assert event.after["valid_until"] == LATER.isoformat()


@pytest.mark.parametrize("persona", ["hr", "employee", "outsider"])
def test_retiring_an_objective_needs_the_edit_strategy_right(
    enterprise: Enterprise, make_objective: MakeObjective, persona: str
) -> None:
    objective = make_objective("SALES-GROW", unit="SALES")
    with nothing_written(), pytest.raises(AccessDenied):
        do_retire_objective(enterprise.users[persona], objective, effective=LATER)


def test_an_objective_with_a_later_version_is_not_retired_before_it(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    objective = make_objective("SALES-GROW", unit="SALES")
    do_update_objective(enterprise.users["admin"], objective, effective=LATER, name="Renamed")
    with nothing_written(), pytest.raises(Invalid) as error:
        do_retire_objective(enterprise.users["admin"], objective, effective=dt.date(2024, 6, 1))
    assert error.value.code == "later_version"


def test_a_weight_change_ending_before_an_open_period_goes_through_directly(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    objective = make_objective("SALES-GROW", unit="SALES")
    manager = enterprise.users["manager"]
    do_update_objective(manager, objective, effective=dt.date(2024, 9, 1), name="Renamed")
    planning_period("FY2025", dt.date(2025, 1, 1), dt.date(2026, 1, 1), "open")
    changed = do_update_objective(manager, objective, effective=dt.date(2024, 6, 1), weight=3.0)
    assert (changed.weight, changed.valid_until) == (3.0, dt.date(2024, 9, 1))
