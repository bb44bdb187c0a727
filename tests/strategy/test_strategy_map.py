from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User

from scoreline.access.actions import do_grant_role
from scoreline.access.models import Role
from scoreline.audit.models import AuditEvent
from scoreline.lib.errors import AccessDenied, Invalid
from scoreline.scoring.actions.objectives import do_retire_objective
from scoreline.strategy.actions.links import do_link_objectives, do_unlink_objectives
from scoreline.strategy.actions.perspectives import do_save_perspective
from scoreline.strategy.actions.themes import do_save_theme
from scoreline.strategy.models import ObjectiveLink, Perspective, Theme
from scoreline.strategy.queries import strategy_map
from tests.builders.enterprise import Enterprise
from tests.builders.strategy import DAY, MakeObjective, nothing_written

pytestmark = pytest.mark.django_db

LATER = dt.date(2025, 3, 1)


def analyst_on(enterprise: Enterprise, unit: str) -> User:
    """A login without a person, allowed to see one unit's subtree only."""
    user = User.objects.create_user("analyst", "analyst@example.com", "pw")
    do_grant_role(
        enterprise.users["admin"], user, Role.objects.get(code="analyst"), enterprise.units[unit]
    )
    return user


def test_an_executive_adds_a_perspective_after_the_others(enterprise: Enterprise) -> None:
    perspective = do_save_perspective(
        enterprise.users["ceo"], code="people", name="People", reason="Board decision"
    )
    assert list(Perspective.objects.values_list("code", flat=True))[-1] == "people"
    assert perspective.position == 4
    event = AuditEvent.objects.get(action="perspective.create")
    assert event.reason == "Board decision"


def test_saving_an_existing_perspective_changes_it_in_place(enterprise: Enterprise) -> None:
    do_save_perspective(enterprise.users["ceo"], code="customer", name="Clients", position=9)
    customer = Perspective.objects.get(code="customer")
    assert (customer.name, customer.position) == ("Clients", 9)
    event = AuditEvent.objects.get(action="perspective.update")
    assert event.before is not None and event.before["name"] == "Customer"


@pytest.mark.parametrize("persona", ["manager", "hr", "outsider"])
def test_perspectives_and_themes_need_the_edit_strategy_right_everywhere(
    enterprise: Enterprise, persona: str
) -> None:
    with nothing_written(), pytest.raises(AccessDenied):
        do_save_perspective(enterprise.users[persona], code="people", name="People")
    with nothing_written(), pytest.raises(AccessDenied):
        do_save_theme(enterprise.users[persona], code="growth", name="Growth")


def test_an_executive_saves_a_theme_and_renames_it(enterprise: Enterprise) -> None:
    do_save_theme(enterprise.users["ceo"], code="growth", name="Growth")
    do_save_theme(enterprise.users["ceo"], code="growth", name="Profitable growth")
    assert Theme.objects.get(code="growth").name == "Profitable growth"
    actions = list(AuditEvent.objects.filter(object_type="theme").values_list("action", flat=True))
    assert actions == ["theme.create", "theme.update"]


def test_a_perspective_without_a_name_is_refused(enterprise: Enterprise) -> None:
    with nothing_written(), pytest.raises(Invalid) as error:
        do_save_perspective(enterprise.users["ceo"], code="people", name="")
    assert "name" in error.value.fields


def test_a_manager_links_two_objectives_of_their_department(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    cause = make_objective("SALES-TRAIN", unit="SALES", perspective="learning-growth")
    effect = make_objective("SALES-GROW", unit="SALES")
    link = do_link_objectives(enterprise.users["manager"], cause, effect, effective=DAY)
    assert (link.cause, link.effect, link.valid_until) == (cause, effect, None)
    event = AuditEvent.objects.get(action="objective_link.create")
    assert event.after == {
        "cause": "SALES-TRAIN",
        "effect": "SALES-GROW",
        "valid_from": DAY.isoformat(),
    }


@pytest.mark.parametrize("persona", ["hr", "employee", "outsider"])
def test_linking_objectives_needs_the_edit_strategy_right(
    enterprise: Enterprise, make_objective: MakeObjective, persona: str
) -> None:
    cause = make_objective("SALES-TRAIN", unit="SALES")
    effect = make_objective("SALES-GROW", unit="SALES")
    with nothing_written(), pytest.raises(AccessDenied):
        do_link_objectives(enterprise.users[persona], cause, effect, effective=DAY)


def test_a_link_across_units_needs_the_right_on_both(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    cause = make_objective("SALES-GROW", unit="SALES")
    effect = make_objective("FIN-CASH", unit="FIN")
    with nothing_written(), pytest.raises(AccessDenied):
        do_link_objectives(enterprise.users["manager"], cause, effect, effective=DAY)
    do_link_objectives(enterprise.users["ceo"], cause, effect, effective=DAY)


def test_a_cycle_in_the_strategy_map_is_refused_and_named(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    a, b, c = (make_objective(f"SALES-{x}", unit="SALES") for x in "ABC")
    manager = enterprise.users["manager"]
    do_link_objectives(manager, a, b, effective=DAY)
    do_link_objectives(manager, b, c, effective=DAY)
    with nothing_written(), pytest.raises(Invalid) as error:
        do_link_objectives(manager, c, a, effective=DAY)
    assert error.value.code == "cycle"
    assert error.value.fields["effect"] == [
        "the strategy map would have a cycle: SALES-A -> SALES-B -> SALES-C -> SALES-A"
    ]


def test_only_links_in_force_on_the_day_can_close_a_cycle(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    a, b = make_objective("SALES-A", unit="SALES"), make_objective("SALES-B", unit="SALES")
    manager = enterprise.users["manager"]
    do_link_objectives(manager, a, b, effective=DAY)
    do_unlink_objectives(manager, a, b, effective=LATER)
    do_link_objectives(manager, b, a, effective=LATER)
    assert ObjectiveLink.objects.filter(cause=b, effect=a, valid_from=LATER).exists()


def test_an_objective_cannot_drive_itself(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    a = make_objective("SALES-A", unit="SALES")
    with nothing_written(), pytest.raises(Invalid) as error:
        do_link_objectives(enterprise.users["manager"], a, a, effective=DAY)
    assert error.value.code == "cycle"


def test_linking_twice_changes_nothing(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    a, b = make_objective("SALES-A", unit="SALES"), make_objective("SALES-B", unit="SALES")
    first = do_link_objectives(enterprise.users["manager"], a, b, effective=DAY)
    with nothing_written():
        again = do_link_objectives(enterprise.users["manager"], a, b, effective=LATER)
    assert again == first


def test_a_link_to_an_objective_not_in_force_is_refused(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    a = make_objective("SALES-A", unit="SALES")
    b = make_objective("SALES-B", unit="SALES", valid_from=LATER)
    with nothing_written(), pytest.raises(Invalid) as error:
        do_link_objectives(enterprise.users["manager"], a, b, effective=DAY)
    assert "effect" in error.value.fields


def test_unlinking_keeps_the_link_on_earlier_days(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    a, b = make_objective("SALES-A", unit="SALES"), make_objective("SALES-B", unit="SALES")
    do_link_objectives(enterprise.users["manager"], a, b, effective=DAY)
    do_unlink_objectives(enterprise.users["manager"], a, b, effective=LATER, reason="No longer")
    link = ObjectiveLink.objects.get(cause=a, effect=b)
    assert link.valid_until == LATER
    assert AuditEvent.objects.get(action="objective_link.end").reason == "No longer"


@pytest.mark.parametrize("persona", ["hr", "employee", "outsider"])
def test_unlinking_needs_the_edit_strategy_right(
    enterprise: Enterprise, make_objective: MakeObjective, persona: str
) -> None:
    a, b = make_objective("SALES-A", unit="SALES"), make_objective("SALES-B", unit="SALES")
    do_link_objectives(enterprise.users["manager"], a, b, effective=DAY)
    with nothing_written(), pytest.raises(AccessDenied):
        do_unlink_objectives(enterprise.users[persona], a, b, effective=LATER)


def test_unlinking_objectives_that_are_not_linked_is_refused(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    a, b = make_objective("SALES-A", unit="SALES"), make_objective("SALES-B", unit="SALES")
    with nothing_written(), pytest.raises(Invalid) as error:
        do_unlink_objectives(enterprise.users["manager"], a, b, effective=LATER)
    assert error.value.code == "not_found"


def test_retiring_an_objective_ends_its_links(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    a, b = make_objective("SALES-A", unit="SALES"), make_objective("SALES-B", unit="SALES")
    do_link_objectives(enterprise.users["manager"], a, b, effective=DAY)
    do_retire_objective(enterprise.users["manager"], b, effective=LATER)
    assert ObjectiveLink.objects.get(cause=a, effect=b).valid_until == LATER


def test_the_strategy_map_lays_a_units_objectives_out_by_perspective(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    train = make_objective("SALES-TRAIN", unit="SALES", perspective="learning-growth")
    grow = make_objective("SALES-GROW", unit="SALES", perspective="financial")
    serve = make_objective("SALES-SERVE", unit="SALES", perspective="customer")
    finance = make_objective("FIN-CASH", unit="FIN")
    admin = enterprise.users["admin"]
    do_link_objectives(admin, train, serve, effective=DAY)
    do_link_objectives(admin, serve, grow, effective=DAY)
    do_link_objectives(admin, grow, finance, effective=DAY)
    shown = strategy_map(enterprise.users["employee"], enterprise.units["SALES"], DAY)
    lanes = {
        lane.perspective.code: [v.objective.code for v in lane.objectives] for lane in shown.lanes
    }
    assert list(lanes) == ["financial", "customer", "internal-process", "learning-growth"]
    assert lanes == {
        "financial": ["SALES-GROW"],
        "customer": ["SALES-SERVE"],
        "internal-process": [],
        "learning-growth": ["SALES-TRAIN"],
    }
    arrows = [(link.cause.objective.code, link.effect.objective.code) for link in shown.links]
    assert arrows == [("SALES-SERVE", "SALES-GROW"), ("SALES-TRAIN", "SALES-SERVE")]


def test_the_strategy_map_shows_the_day_asked_for(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    a = make_objective("SALES-A", unit="SALES")
    b = make_objective("SALES-B", unit="SALES", valid_from=LATER)
    do_link_objectives(enterprise.users["admin"], a, b, effective=LATER)
    before = strategy_map(enterprise.users["manager"], enterprise.units["SALES"], DAY)
    after = strategy_map(enterprise.users["manager"], enterprise.units["SALES"], LATER)
    assert [v.objective.code for v in before.lanes[0].objectives] == ["SALES-A"]
    assert before.links == []
    assert [v.objective.code for v in after.lanes[0].objectives] == ["SALES-A", "SALES-B"]
    assert len(after.links) == 1


def test_the_strategy_map_is_shown_only_to_those_who_may_see_the_unit(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    make_objective("SALES-A", unit="SALES")
    analyst = analyst_on(enterprise, "DE")
    with pytest.raises(AccessDenied):
        strategy_map(analyst, enterprise.units["SALES"], DAY)
    with pytest.raises(AccessDenied):
        strategy_map(enterprise.users["outsider"], enterprise.units["SALES"], DAY)
    assert strategy_map(analyst, enterprise.units["DE"], DAY).links == []
