"""The KPI architecture the API tests run against: strategy and KPIs of the test enterprise,
built through the real actions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from scoreline.governance.actions import do_request_change
from scoreline.governance.models import ChangeRequest
from scoreline.kpis.actions.definitions import do_create_kpi
from scoreline.kpis.models import Kpi
from scoreline.kpis.validation import LevelSpec
from scoreline.scoring.actions.definitions import do_save_rubric, do_set_measure, do_set_target
from scoreline.scoring.actions.objectives import do_create_objective
from scoreline.scoring.actions.values import do_record_value
from scoreline.strategy.actions.links import do_link_objectives
from scoreline.strategy.actions.themes import do_save_theme
from scoreline.strategy.actions.workshops import (
    ParticipantSpec,
    do_create_workshop,
    do_record_allocation,
)
from scoreline.strategy.models import Objective, Perspective, Workshop
from tests.builders.enterprise import Enterprise

DAY = dt.date(2024, 1, 1)
HORIZON_END = dt.date(2027, 1, 1)
SPAN_END = dt.date(2025, 1, 1)

# Bodies of a new KPI and a new objective for the API, valid against the architecture.
NEW_KPI = {
    "code": "CHURN",
    "valid_from": "2024-01-01",
    "name": "Customer churn rate",
    "description": "Share of customers lost in the month",
    "unit_of_measure": "%",
    "direction": "lower",
    "temporality": "lagging",
    "kind": "output",
    "time_aggregation": "average",
    "tree_aggregation": "average",
    "scoring": "linear",
    "data_source": "crm.churn",
    "reason": "New KPI",
}
NEW_OBJECTIVE = {
    "code": "SALES-N-VISITS",
    "name": "Visit every key account each quarter",
    "perspective": "customer",
    "unit": "SALES-N",
    "parent": "SALES-GROW",
    "horizon_start": "2024-01-01",
    "horizon_end": "2025-01-01",
    "valid_from": "2024-01-01",
    "reason": "Kick-off",
}


@dataclass
class Architecture:
    """What :func:`build_architecture` made, for the tests to refer to."""

    objectives: dict[str, Objective]
    kpis: dict[str, Kpi]
    workshop: Workshop
    change_request: ChangeRequest


def build_architecture(world: Enterprise) -> Architecture:
    """Strategy and KPIs of the test enterprise, built through the real actions.

        GRP-GROW (GRP, financial, theme growth)
        └── SALES-GROW (SALES, financial) measured by REVENUE (weight 2)
            └── SALES-N-CALLS (SALES-N, internal process, unmeasured)
                └── EMP-GOAL (the employee's individual goal)
        SALES-NPS (SALES, customer) measured by NPS, drives SALES-GROW on the map
        GRP-CO2 (GRP, financial, ESG pillar E) measured by SCOPE1

    REVENUE has targets at SALES and SALES-N for 2024 and values in January and February;
    LEAD is rated on a five-level rubric, with a target of level 3 at SALES-N. In a themes
    workshop of SALES both participants have allocated (growth gets 20 points from the
    manager, 70 from the employee). The steward has requested renaming REVENUE.
    """
    admin = world.users["admin"]
    units, people = world.units, world.people
    growth = do_save_theme(admin, code="growth", name="Growth")
    efficiency = do_save_theme(admin, code="efficiency", name="Efficiency")
    perspectives = {p.code: p for p in Perspective.objects.all()}

    def objective(code: str, perspective: str = "financial", **fields: Any) -> Objective:
        return do_create_objective(
            admin,
            code=code,
            name=f"Objective {code}",
            perspective=perspectives[perspective],
            horizon_start=DAY,
            horizon_end=HORIZON_END,
            valid_from=DAY,
            **fields,
        )

    grp = objective("GRP-GROW", unit=units["GRP"], theme=growth)
    sales = objective("SALES-GROW", unit=units["SALES"], parent=grp)
    nps = objective("SALES-NPS", "customer", unit=units["SALES"])
    calls = objective("SALES-N-CALLS", "internal-process", unit=units["SALES-N"], parent=sales)
    goal = objective("EMP-GOAL", "learning-growth", person=people["employee"], parent=calls)
    co2 = objective("GRP-CO2", unit=units["GRP"], esg_pillar="E", disclosure_ref="ESRS E1-6")
    do_link_objectives(admin, nps, sales, effective=DAY)

    def kpi(code: str, **fields: Any) -> Kpi:
        content: dict[str, Any] = {
            "name": f"KPI {code}",
            "direction": "higher",
            "temporality": "lagging",
            "kind": "output",
            "time_aggregation": "average",
            "tree_aggregation": "average",
            "scoring": "linear",
        } | fields
        return do_create_kpi(admin, code=code, valid_from=DAY, **content)

    revenue = kpi(
        "REVENUE",
        name="Revenue",
        unit="GBP",
        owner=people["manager"],
        data_source="erp.revenue",
        refresh_cycle="monthly",
    )
    nps_kpi = kpi("NPS", name="Net promoter score", unit="points", scoring="piecewise")
    scope1 = kpi(
        "SCOPE1", name="Scope 1 emissions", unit="tCO2e", direction="lower", esg_pillar="E"
    )
    rubric = do_save_rubric(
        admin,
        code="leadership",
        name="Leadership",
        levels=[LevelSpec(i, f"Level {i}", f"Observable behaviour {i}") for i in range(1, 6)],
    )
    lead = kpi(
        "LEAD",
        name="Leadership",
        unit="level",
        kind="qualitative",
        scoring="rubric",
        rubric=rubric,
        tree_aggregation="none",
    )
    do_set_measure(admin, sales, revenue, weight=2.0, effective=DAY)
    do_set_measure(admin, nps, nps_kpi, weight=1.0, effective=DAY)
    do_set_measure(admin, co2, scope1, weight=1.0, effective=DAY)

    def target(measure: Kpi, unit: str, **numbers: Any) -> None:
        do_set_target(
            admin, measure, unit=units[unit], period_start=DAY, period_end=SPAN_END, **numbers
        )

    target(revenue, "SALES", target_type="increase_to", threshold=80.0, target=100.0)
    target(revenue, "SALES-N", target_type="increase_to", threshold=80.0, target=100.0)
    target(nps_kpi, "SALES", target_type="stay_above", threshold=20.0, target=40.0, stretch=60.0)
    target(scope1, "GRP", target_type="decrease_to", threshold=120.0, target=100.0)
    target(lead, "SALES-N", target_type="stay_above", target=3.0)
    for unit, month, value, note in [
        ("SALES", 1, 110.0, ""),
        ("SALES", 2, 95.0, ""),
        ("SALES-N", 1, 60.0, "Two sellers on leave"),
    ]:
        do_record_value(
            admin, revenue, period=dt.date(2024, month, 1), value=value, unit=units[unit], note=note
        )
    do_record_value(admin, nps_kpi, period=dt.date(2024, 1, 1), value=50.0, unit=units["SALES"])
    do_record_value(admin, scope1, period=dt.date(2024, 1, 1), value=130.0, unit=units["GRP"],
                    note="Boiler fault")  # fmt: skip

    workshop = do_create_workshop(
        admin,
        name="Priorities 2024",
        unit=units["SALES"],
        subject="themes",
        held_on=DAY,
        items=[growth, efficiency],
        participants=[
            ParticipantSpec(people["manager"], units["SALES"]),
            ParticipantSpec(people["employee"], units["SALES-N"]),
        ],
    )
    items = {item.theme.code: item for item in workshop.items.all() if item.theme is not None}
    for key, growth_points in [("manager", 20.0), ("employee", 70.0)]:
        do_record_allocation(
            world.users[key],
            workshop.participants.get(person=people[key]),
            {items["growth"]: growth_points, items["efficiency"]: 100.0 - growth_points},
        )
    request = do_request_change(
        world.users["steward"],
        "kpi",
        "REVENUE",
        {"name": "Net revenue"},
        dt.date(2024, 6, 1),
        "Match the ledger's wording",
    )
    return Architecture(
        objectives={o.code: o for o in (grp, sales, nps, calls, goal, co2)},
        kpis={k.code: k for k in (revenue, nps_kpi, scope1, lead)},
        workshop=workshop,
        change_request=request,
    )


def reread(arch: Architecture) -> Architecture:
    """The same architecture with every instance read again from the database."""
    objectives = Objective.objects.in_bulk([o.pk for o in arch.objectives.values()])
    kpis = Kpi.objects.in_bulk([k.pk for k in arch.kpis.values()])
    return replace(
        arch,
        objectives={code: objectives[o.pk] for code, o in arch.objectives.items()},
        kpis={code: kpis[k.pk] for code, k in arch.kpis.items()},
        workshop=Workshop.objects.get(pk=arch.workshop.pk),
        change_request=ChangeRequest.objects.get(pk=arch.change_request.pk),
    )
