from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from scoreline.engine.nodes import PAYLOAD, PERSPECTIVE_BITS, node_codes
from scoreline.kpis.models import ObjectiveMeasure
from scoreline.lib.dates import effective_on
from scoreline.lib.errors import AccessDenied, Invalid
from scoreline.lib.versioned import version_on
from scoreline.scoring.actions.definitions import do_remove_measure, do_set_measure
from scoreline.scoring.actions.scorecards import do_set_perspective_weight, do_set_scorecard_policy
from scoreline.scoring.loading import load_edges
from scoreline.scoring.models import PerspectiveWeight, ScorecardPolicy
from scoreline.scoring.queries import perspective_weights
from scoreline.strategy.models import Perspective
from tests.builders.enterprise import Enterprise
from tests.builders.kpis import (
    DAY,
    MakeKpi,
    MakeObjective,
    MakePeriod,
    events,
    nothing_written,
)

pytestmark = pytest.mark.django_db

LATER = dt.date(2025, 6, 1)


def test_a_manager_weighs_a_kpi_in_their_departments_objective(
    enterprise: Enterprise, make_kpi: MakeKpi, make_objective: MakeObjective
) -> None:
    objective = make_objective("SALES-GROW", unit="SALES")
    kpi = make_kpi("revenue")
    measure = do_set_measure(
        enterprise.users["manager"], objective, kpi, weight=2.0, effective=DAY, reason="key"
    )
    assert measure is not None and (measure.weight, measure.valid_from) == (2.0, DAY)
    (event,) = events("measure.set")
    assert event.after is not None and event.after["weight"] == 2.0
    changed = do_set_measure(
        enterprise.users["manager"], objective, kpi, weight=3.0, effective=LATER
    )
    assert changed is not None and changed.weight == 3.0
    first = version_on(ObjectiveMeasure, DAY, objective=objective, kpi=kpi)
    assert first is not None and first.valid_until == LATER
    with nothing_written():
        assert (
            do_set_measure(enterprise.users["manager"], objective, kpi, weight=3.0, effective=LATER)
            is None
        )


@pytest.mark.parametrize("persona", ["steward", "employee", "outsider"])
def test_weighing_a_kpi_needs_the_edit_strategy_right_on_the_objectives_unit(
    enterprise: Enterprise, make_kpi: MakeKpi, make_objective: MakeObjective, persona: str
) -> None:
    objective = make_objective("SALES-GROW", unit="SALES")
    kpi = make_kpi("revenue")
    with nothing_written(), pytest.raises(AccessDenied):
        do_set_measure(enterprise.users[persona], objective, kpi, weight=1.0, effective=DAY)


def test_a_manager_cannot_weigh_kpis_of_another_department(
    enterprise: Enterprise, make_kpi: MakeKpi, make_objective: MakeObjective
) -> None:
    objective = make_objective("FIN-COST", unit="FIN")
    kpi = make_kpi("costs")
    with nothing_written(), pytest.raises(AccessDenied):
        do_set_measure(enterprise.users["manager"], objective, kpi, weight=1.0, effective=DAY)


def test_an_individual_goal_is_weighed_on_the_persons_primary_unit(
    enterprise: Enterprise, make_kpi: MakeKpi, make_objective: MakeObjective
) -> None:
    goal = make_objective("EMP-CALLS", person="employee")
    kpi = make_kpi("calls")
    assert do_set_measure(enterprise.users["manager"], goal, kpi, weight=1.0, effective=DAY)
    with nothing_written(), pytest.raises(AccessDenied):
        do_set_measure(enterprise.users["employee"], goal, kpi, weight=2.0, effective=LATER)


def test_negative_weights_and_all_zero_weights_are_refused(
    enterprise: Enterprise, make_kpi: MakeKpi, make_objective: MakeObjective
) -> None:
    objective = make_objective("SALES-GROW", unit="SALES")
    revenue, margin = make_kpi("revenue"), make_kpi("margin")
    manager = enterprise.users["manager"]
    with nothing_written(), pytest.raises(Invalid) as error:
        do_set_measure(manager, objective, revenue, weight=-1.0, effective=DAY)
    assert "weight" in error.value.fields and "negative" in error.value.message
    with nothing_written(), pytest.raises(Invalid) as error:
        do_set_measure(manager, objective, revenue, weight=float("nan"), effective=DAY)
    assert "weight" in error.value.fields
    with nothing_written(), pytest.raises(Invalid) as error:
        do_set_measure(manager, objective, revenue, weight=0.0, effective=DAY)
    assert "zero" in error.value.message
    do_set_measure(manager, objective, revenue, weight=1.0, effective=DAY)
    do_set_measure(manager, objective, margin, weight=0.0, effective=DAY)
    with nothing_written(), pytest.raises(Invalid):
        do_set_measure(manager, objective, revenue, weight=0.0, effective=LATER)
    with nothing_written(), pytest.raises(Invalid):
        do_remove_measure(manager, objective, revenue, effective=LATER)


def test_removing_a_measure_ends_it(
    enterprise: Enterprise, make_kpi: MakeKpi, make_objective: MakeObjective
) -> None:
    objective = make_objective("SALES-GROW", unit="SALES")
    kpi = make_kpi("revenue")
    manager = enterprise.users["manager"]
    do_set_measure(manager, objective, kpi, weight=1.0, effective=DAY)
    do_remove_measure(manager, objective, kpi, effective=LATER, reason="dropped")
    assert not ObjectiveMeasure.objects.filter(effective_on(LATER), objective=objective).exists()
    (event,) = events("measure.remove")
    assert event.reason == "dropped"
    with nothing_written(), pytest.raises(Invalid):
        do_remove_measure(manager, objective, kpi, effective=LATER)


def test_a_new_or_changed_measure_in_an_open_period_needs_a_change_request(
    enterprise: Enterprise,
    make_kpi: MakeKpi,
    make_objective: MakeObjective,
    make_period: MakePeriod,
) -> None:
    objective = make_objective("SALES-GROW", unit="SALES")
    revenue, margin = make_kpi("revenue"), make_kpi("margin")
    manager = enterprise.users["manager"]
    do_set_measure(manager, objective, revenue, weight=1.0, effective=DAY)
    make_period("FY2025", dt.date(2025, 1, 1), dt.date(2026, 1, 1))
    with nothing_written(), pytest.raises(Invalid) as error:
        do_set_measure(manager, objective, revenue, weight=2.0, effective=LATER)
    assert error.value.code == "change_request_required"
    with nothing_written(), pytest.raises(Invalid) as error:
        do_remove_measure(manager, objective, revenue, effective=LATER)
    assert error.value.code == "change_request_required"
    # A new measure changes the objective's score in the open period as much as a new weight.
    with nothing_written(), pytest.raises(Invalid) as error:
        do_set_measure(manager, objective, margin, weight=1.0, effective=LATER)
    assert error.value.code == "change_request_required"


def test_perspective_weights_of_a_unit_and_the_default(enterprise: Enterprise) -> None:
    financial = Perspective.objects.get(code="financial")
    ceo = enterprise.users["ceo"]
    assert do_set_perspective_weight(ceo, financial, None, weight=2.0, effective=DAY)
    own = do_set_perspective_weight(
        enterprise.users["manager"], financial, enterprise.units["SALES"], weight=3.0, effective=DAY
    )
    assert own is not None and own.unit == enterprise.units["SALES"]
    assert PerspectiveWeight.objects.count() == 2
    assert len(events("perspective_weight.set")) == 2


@pytest.mark.parametrize("persona", ["manager", "steward", "employee", "outsider"])
def test_the_default_perspective_weights_need_the_edit_strategy_right_everywhere(
    enterprise: Enterprise, persona: str
) -> None:
    financial = Perspective.objects.get(code="financial")
    with nothing_written(), pytest.raises(AccessDenied):
        do_set_perspective_weight(
            enterprise.users[persona], financial, None, weight=2.0, effective=DAY
        )


def test_perspective_weights_cannot_all_be_zero(enterprise: Enterprise) -> None:
    ceo = enterprise.users["ceo"]
    perspectives = list(Perspective.objects.order_by("position"))
    for perspective in perspectives[:-1]:
        do_set_perspective_weight(ceo, perspective, None, weight=0.0, effective=DAY)
    with nothing_written(), pytest.raises(Invalid) as error:
        do_set_perspective_weight(ceo, perspectives[-1], None, weight=0.0, effective=DAY)
    assert "weight" in error.value.fields
    with nothing_written(), pytest.raises(Invalid):
        do_set_perspective_weight(ceo, perspectives[0], None, weight=-2.0, effective=DAY)


def test_a_scorecard_policy_is_set_for_a_unit(enterprise: Enterprise) -> None:
    policy = do_set_scorecard_policy(
        enterprise.users["manager"],
        enterprise.units["SALES"],
        combine="minimum",
        missing="zero",
        cap_at_100=False,
        effective=DAY,
    )
    assert policy is not None and (policy.combine, policy.missing, policy.cap_at_100) == (
        "minimum",
        "zero",
        False,
    )
    with nothing_written(), pytest.raises(Invalid) as error:
        do_set_scorecard_policy(
            enterprise.users["manager"],
            enterprise.units["SALES"],
            combine="median",
            missing="zero",
            cap_at_100=False,
            effective=DAY,
        )
    assert "combine" in error.value.fields
    with nothing_written(), pytest.raises(AccessDenied):
        do_set_scorecard_policy(
            enterprise.users["manager"],
            None,
            combine="sum",
            missing="skip",
            cap_at_100=True,
            effective=DAY,
        )
    assert ScorecardPolicy.objects.filter(unit__isnull=True).count() == 1


@pytest.mark.parametrize("persona", ["steward", "employee", "outsider"])
def test_a_units_scorecard_policy_needs_the_edit_strategy_right_on_it(
    enterprise: Enterprise, persona: str
) -> None:
    with nothing_written(), pytest.raises(AccessDenied):
        do_set_scorecard_policy(
            enterprise.users[persona],
            enterprise.units["SALES"],
            combine="sum",
            missing="skip",
            cap_at_100=True,
            effective=DAY,
        )


def test_a_scorecard_policy_cannot_reach_into_a_closed_period(
    enterprise: Enterprise, make_period: MakePeriod
) -> None:
    make_period("FY2025", dt.date(2025, 1, 1), dt.date(2026, 1, 1), "closed")
    with nothing_written(), pytest.raises(Invalid) as error:
        do_set_scorecard_policy(
            enterprise.users["ceo"],
            None,
            combine="sum",
            missing="skip",
            cap_at_100=True,
            effective=LATER,
        )
    assert error.value.code == "period_closed"


def test_the_roll_up_weighs_perspectives_as_the_weights_page_shows_them(
    enterprise: Enterprise, make_objective: MakeObjective
) -> None:
    admin, sales = enterprise.users["admin"], enterprise.units["SALES"]
    perspectives = {p.code: p for p in Perspective.objects.all()}
    for code in perspectives:
        make_objective(f"SALES-{code}", unit="SALES", perspective=code)
    do_set_perspective_weight(admin, perspectives["customer"], None, weight=3.0, effective=DAY)
    do_set_perspective_weight(admin, perspectives["financial"], None, weight=5.0, effective=DAY)
    do_set_perspective_weight(admin, perspectives["financial"], sales, weight=2.0, effective=DAY)
    shown = {
        line.perspective.code: (line.weight, line.source)
        for line in perspective_weights(sales, DAY)
    }
    # Its own weight first, else the default, else 1.
    assert shown == {
        "financial": (2.0, "own"),
        "customer": (3.0, "default"),
        "internal-process": (1.0, ""),
        "learning-growth": (1.0, ""),
    }
    edges = load_edges(DAY, unit_ids=[sales.pk])
    into_sales = edges.parent == node_codes("unit", np.array([sales.pk]))[0]
    perspective_of = (edges.child[into_sales] & PAYLOAD) & ((1 << PERSPECTIVE_BITS) - 1)
    used = dict(zip(perspective_of.tolist(), edges.weight[into_sales].tolist(), strict=True))
    assert used == {perspectives[code].pk: weight for code, (weight, _) in shown.items()}
