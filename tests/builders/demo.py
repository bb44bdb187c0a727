"""The demo enterprise and strategy, built once for the demo tests that read them."""

from __future__ import annotations

import copy
from typing import Any

from scoreline.demo.build import GROUP_FISCAL_START, DemoPlan, build_demo
from scoreline.demo.strategy import StrategyCounts, build_strategy
from scoreline.governance.models import ChangeRequest
from scoreline.kpis.models import Rubric
from scoreline.org.models import OrgUnit, Person
from scoreline.scoring.models import PerspectiveWeight, ScorecardPolicy
from scoreline.strategy.models import Theme, Workshop
from tests.builders.fingerprint import wipe_strategy

PASSWORD = "demo-password-for-tests"
SEED = 7


def demo_builder(employees: int, seed: int = SEED) -> Any:
    def build(_: None) -> DemoPlan:
        return build_demo(employees, seed, password=PASSWORD)

    return build


def build_strategy_again(plan: DemoPlan) -> StrategyCounts:
    """Write the demo's strategy again over the demo enterprise, for the counts it returns."""
    units = dict(OrgUnit.objects.values_list("code", "id"))
    people = dict(Person.objects.values_list("employee_id", "id"))
    return build_strategy(
        plan,
        [units[unit.code] for unit in plan.units],
        [people[person.employee_id] for person in plan.people],
        fiscal_start=GROUP_FISCAL_START,
    )


def rebuilt_strategy(plan: DemoPlan) -> tuple[DemoPlan, StrategyCounts]:
    # The demo builds its strategy; it is built again here for the counts it returns.
    wipe_strategy()
    return plan, build_strategy_again(plan)


def fresh_counts(built: tuple[DemoPlan, StrategyCounts]) -> tuple[DemoPlan, StrategyCounts]:
    plan, counts = built
    return plan, copy.copy(counts)


def wipe_architecture() -> None:
    """The organisation alone, as a fresh database holds it: the demo's strategy and every
    catalogue row it wrote removed (the installation's default rules and policy stay)."""
    ChangeRequest.objects.all().delete()
    Workshop.objects.all().delete()
    wipe_strategy()
    PerspectiveWeight.objects.all().delete()
    ScorecardPolicy.objects.filter(unit__isnull=False).delete()
    Rubric.objects.all().delete()
    Theme.objects.all().delete()
