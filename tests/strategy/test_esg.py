from __future__ import annotations

import dataclasses

import pytest
from django.contrib.auth.models import User

from scoreline.access.actions import do_grant_role
from scoreline.access.models import Role
from scoreline.audit.models import AuditEvent
from scoreline.kpis.measures import esg_items
from scoreline.lib.errors import AccessDenied
from scoreline.strategy.actions.perspectives import do_add_esg_perspective
from scoreline.strategy.defaults import ESG_PERSPECTIVE
from scoreline.strategy.models import Perspective
from scoreline.strategy.queries import strategy_map
from tests.builders.enterprise import Enterprise
from tests.builders.strategy import DAY, MakeObjective, make_kpi, nothing_written, version

pytestmark = pytest.mark.django_db


def test_the_esg_perspective_is_added_after_the_classic_four(enterprise: Enterprise) -> None:
    perspective = do_add_esg_perspective(enterprise.users["ceo"], reason="CSRD")
    assert (perspective.code, perspective.name, perspective.is_esg) == (
        ESG_PERSPECTIVE[0],
        ESG_PERSPECTIVE[1],
        True,
    )
    assert list(Perspective.objects.values_list("code", flat=True)) == [
        "financial",
        "customer",
        "internal-process",
        "learning-growth",
        "esg",
    ]
    assert AuditEvent.objects.get(action="perspective.create").reason == "CSRD"


@pytest.mark.parametrize("persona", ["manager", "employee", "outsider"])
def test_adding_the_esg_perspective_needs_the_edit_strategy_right_everywhere(
    enterprise: Enterprise, persona: str
) -> None:
    with nothing_written(), pytest.raises(AccessDenied):
        do_add_esg_perspective(enterprise.users[persona])


def test_an_esg_objective_carries_its_pillar_disclosure_and_requirement(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    do_add_esg_perspective(enterprise.users["ceo"])
    emissions = make_objective(
        "GRP-CO2",
        unit="GRP",
        perspective="esg",
        esg_pillar="E",
        disclosure_ref="ESRS E1-6",
        required_by="regulator",
    )
    current = version(emissions)
    assert (current.esg_pillar, current.disclosure_ref, current.required_by) == (
        "E",
        "ESRS E1-6",
        "regulator",
    )
    lanes = strategy_map(enterprise.users["ceo"], enterprise.units["GRP"], DAY).lanes
    assert [v.objective.code for v in lanes[-1].objectives] == ["GRP-CO2"]


@pytest.fixture
def esg_world(enterprise: Enterprise, make_objective: MakeObjective) -> None:
    make_objective("GRP-CO2", unit="GRP", esg_pillar="E", disclosure_ref="GRI 305-1")
    make_objective("DE-BOARD", unit="DE", required_by="investor")
    make_objective("SALES-DIVERSITY", unit="SALES", esg_pillar="S")
    make_objective("SALES-GROW", unit="SALES")
    make_objective("EMP-ETHICS", person="employee", esg_pillar="G")
    make_kpi("SCOPE1", esg_pillar="E", disclosure_ref="ESRS E1-6", required_by="both")
    make_kpi("REVENUE")


def test_the_esg_view_lists_objectives_and_kpis_with_an_esg_mark_by_pillar(
    enterprise: Enterprise, esg_world: None
) -> None:
    items = esg_items(enterprise.users["hr"], DAY)
    assert [(item.pillar, item.kind, item.code) for item in items] == [
        ("E", "kpi", "SCOPE1"),
        ("E", "objective", "GRP-CO2"),
        ("S", "objective", "SALES-DIVERSITY"),
        ("G", "objective", "EMP-ETHICS"),
        ("", "objective", "DE-BOARD"),
    ]
    scope1 = items[0]
    assert (scope1.disclosure_ref, scope1.required_by, scope1.status) == ("ESRS E1-6", "both", "")
    assert (
        items[1].unit == enterprise.units["GRP"]
        and items[3].person == enterprise.people["employee"]
    )


def test_the_caller_fills_in_the_status_of_each_esg_item(
    enterprise: Enterprise, esg_world: None
) -> None:
    items = [
        dataclasses.replace(item, status="green")
        for item in esg_items(enterprise.users["ceo"], DAY)
    ]
    assert {item.status for item in items} == {"green"}


def test_the_esg_view_is_scoped_like_the_objectives(
    enterprise: Enterprise, esg_world: None
) -> None:
    employee_codes = [item.code for item in esg_items(enterprise.users["manager"], DAY)]
    assert "EMP-ETHICS" in employee_codes
    other_codes = [item.code for item in esg_items(enterprise.users["steward"], DAY)]
    assert "EMP-ETHICS" not in other_codes and "SCOPE1" in other_codes
    analyst = User.objects.create_user("analyst", "analyst@example.com", "pw")
    do_grant_role(
        enterprise.users["admin"], analyst, Role.objects.get(code="analyst"), enterprise.units["DE"]
    )
    assert [item.code for item in esg_items(analyst, DAY)] == ["SCOPE1", "DE-BOARD"]
    assert esg_items(enterprise.users["outsider"], DAY) == []
