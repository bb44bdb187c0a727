"""The strategy world the strategy and KPI pages show, built through the real actions on
top of the shared enterprise, with months counted back from today so the scores are the
ones a visitor sees now."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from scoreline.governance.actions import do_request_change
from scoreline.governance.models import ChangeRequest
from scoreline.kpis.actions.definitions import do_create_kpi
from scoreline.kpis.models import Kpi
from scoreline.kpis.validation import RuleSpec
from scoreline.lib.dates import today
from scoreline.lib.months import add_months, month_start
from scoreline.planning.actions import do_create_period, do_open_period
from scoreline.scoring.actions.definitions import (
    do_set_measure,
    do_set_status_rules,
    do_set_target,
    do_update_kpi,
)
from scoreline.scoring.actions.objectives import do_create_objective, do_update_objective
from scoreline.scoring.actions.values import do_record_value
from scoreline.strategy.actions.links import do_link_objectives
from scoreline.strategy.actions.workshops import (
    ParticipantSpec,
    do_create_workshop,
    do_record_allocation,
)
from scoreline.strategy.models import Objective, Perspective, Workshop
from tests.builders.enterprise import Enterprise


@dataclass
class StrategyWorld:
    """What the strategy pages show: KPIs with a year of values, objectives, a workshop."""

    start: dt.date
    this_month: dt.date
    kpis: dict[str, Kpi] = field(default_factory=dict)
    objectives: dict[str, Objective] = field(default_factory=dict)
    workshop: Workshop | None = None
    request: ChangeRequest | None = None


def _kpi(world: Enterprise, code: str, start: dt.date, **fields: Any) -> Kpi:
    content: dict[str, Any] = {
        "name": code,
        "direction": "higher",
        "temporality": "lagging",
        "kind": "output",
        "time_aggregation": "average",
        "tree_aggregation": "none",
        "refresh_cycle": "monthly",
        "data_source": "Operations data warehouse",
        "owner": world.people["manager"],
        "steward": world.people["steward"],
        "scoring": "piecewise",
    } | fields
    return do_create_kpi(
        world.users["steward"], code=code, valid_from=start, reason="Catalogue set-up", **content
    )


# Monthly values, oldest first; the last one is last month's.
ON_TIME = [93.0, 91.0, 94.0, 96.0, 90.0, 88.0, 92.0, 95.0, 97.0, 93.0, 89.0, 94.5]
ON_TIME_NORTH = [90.0, 92.0, 95.0, 84.0]
PROMOTERS = [28.0, 31.0, 35.0, 33.0, 38.0, 41.0]
EMISSIONS = [104.0, 101.0, 97.0]
INJURIES = [1.4, 0.9, 0.7]
EMISSION_RULES = [
    RuleSpec("value", "le", "green", bound=100.0),
    RuleSpec("value", "le", "amber", bound=103.0),
    RuleSpec("value", "otherwise", "red"),
]


def build_strategy(
    world: Enterprise, *, with_values: bool = True, with_request: bool = True
) -> StrategyWorld:
    """KPIs, targets and (``with_values``) a year of values, the objectives of the group and
    Sales North, a workshop and, with ``with_request``, an open planning period with a change
    request awaiting approval."""
    this_month = month_start(today())
    start = add_months(this_month, -12)
    built = StrategyWorld(start=start, this_month=this_month)
    steward, ceo = world.users["steward"], world.users["ceo"]
    units = world.units

    on_time = _kpi(
        world, "on-time", start, name="On-time delivery rate", unit="%", kind="process",
        description="Share of orders delivered on the promised day",
    )  # fmt: skip
    promoters = _kpi(
        world, "promoters", start, name="Net promoter score", unit="points", scoring="linear",
        kind="quality", temporality="leading",
    )  # fmt: skip
    emissions = _kpi(
        world, "emissions", start, name="Scope 1 emissions", unit="tCO2e", direction="lower",
        kind="esg", scoring="percent_capped", esg_pillar="E", disclosure_ref="GRI 305-1",
        required_by="regulator",
    )  # fmt: skip
    injuries = _kpi(
        world, "injuries", start, name="Lost-time injury rate", unit="per 200k hours",
        direction="lower", kind="esg", scoring="banded", band_edges=[1.0, 2.0, 3.0],
        band_scores=[0.0, 40.0, 70.0, 100.0],
    )  # fmt: skip
    do_update_kpi(
        steward, injuries, effective=add_months(start, 1), reason="Safety board review",
        band_edges=[0.5, 1.0, 2.0],
    )  # fmt: skip
    built.kpis = {
        "on-time": on_time, "promoters": promoters, "emissions": emissions, "injuries": injuries,
    }  # fmt: skip
    span: dict[str, Any] = {"period_start": start, "period_end": add_months(this_month, 12)}
    for code in ("GRP", "SALES-N"):
        do_set_target(
            steward, on_time, unit=units[code], target_type="stay_above",
            threshold=85.0, target=92.0, stretch=97.0, **span,
        )  # fmt: skip
    do_set_target(
        steward, promoters, unit=units["GRP"], target_type="increase_to",
        threshold=20.0, target=40.0, **span,
    )  # fmt: skip
    do_set_target(
        steward, emissions, unit=units["GRP"], target_type="stay_below", target=100.0, **span
    )
    # Emissions have status rules of their own, on the tonnes themselves.
    do_set_status_rules(steward, emissions, EMISSION_RULES, effective=start)

    def record(kpi: Kpi, code: str, series: list[float]) -> None:
        first = add_months(this_month, -len(series))
        for offset, value in enumerate(series):
            do_record_value(
                steward, kpi, unit=units[code], period=add_months(first, offset), value=value,
                note="Checked against the monthly close",
            )  # fmt: skip

    if with_values:
        record(on_time, "GRP", ON_TIME)
        record(on_time, "SALES-N", ON_TIME_NORTH)
        record(promoters, "GRP", PROMOTERS)
        record(emissions, "GRP", EMISSIONS)
        record(injuries, "GRP", INJURIES)

    perspectives = {p.code: p for p in Perspective.objects.all()}
    horizon: dict[str, Any] = {"horizon_start": start, "horizon_end": add_months(this_month, 36)}

    def objective(code: str, name: str, perspective: str, **fields: Any) -> Objective:
        fields.setdefault("unit", units["GRP"])
        made = do_create_objective(
            ceo, code=code, name=name, perspective=perspectives[perspective],
            valid_from=start, reason="Strategy retreat", **horizon, **fields,
        )  # fmt: skip
        built.objectives[code] = made
        return made

    grow = objective("grow", "Grow profitable revenue", "financial")
    delight = objective("delight", "Delight our customers", "customer")
    deliver = objective("deliver", "Deliver on time", "internal-process")
    learn = objective("learn", "Build sales capability", "learning-growth")
    objective(
        "green", "Cut our emissions", "internal-process", esg_pillar="E",
        disclosure_ref="ESRS E1-6", required_by="regulator",
    )  # fmt: skip
    objective(
        "north-deliver", "Deliver on time in the north", "internal-process",
        unit=units["SALES-N"], parent=deliver, contribution_weight=2.0,
    )  # fmt: skip
    objective(
        "manager-goal", "Coach every seller monthly", "learning-growth", unit=None,
        person=world.people["manager"], parent=learn,
    )  # fmt: skip
    do_update_objective(
        ceo, delight, effective=add_months(start, 1), reason="Board review",
        name="Delight our customers everywhere",
    )  # fmt: skip
    for cause, effect in [(deliver, delight), (delight, grow), (learn, deliver)]:
        do_link_objectives(ceo, cause, effect, effective=start, reason="Strategy retreat")
    measures = [
        ("delight", promoters, 2.0),
        ("delight", on_time, 1.0),
        ("grow", promoters, 1.0),
        ("deliver", on_time, 1.0),
        ("green", emissions, 1.0),
        ("north-deliver", on_time, 1.0),
    ]
    for code, kpi, weight in measures:
        do_set_measure(ceo, built.objectives[code], kpi, weight=weight, effective=start)

    items = [grow, delight, deliver]
    participants = [
        ParticipantSpec(world.people["manager"], units["SALES"]),
        ParticipantSpec(world.people["steward"], units["FIN"]),
        ParticipantSpec(world.people["de0"], units["DE"]),
    ]
    workshop = do_create_workshop(
        ceo, name="Priorities for next year", unit=units["GRP"], subject="objectives",
        held_on=this_month, items=items, participants=participants,
    )  # fmt: skip
    spreads = [(50.0, 30.0, 20.0), (20.0, 30.0, 50.0), (40.0, 40.0, 20.0)]
    for participant, spread in zip(workshop.participants.all(), spreads, strict=True):
        do_record_allocation(ceo, participant, dict(zip(workshop.items.all(), spread, strict=True)))
    built.workshop = workshop

    if with_request:
        period = do_create_period(
            ceo, label="Current plan", start=start, end=add_months(this_month, 12)
        )
        do_open_period(ceo, period)
        built.request = do_request_change(
            steward, "kpi", "promoters", {"description": "From the quarterly survey"},
            this_month, "The survey moved to quarterly",
        )  # fmt: skip
    return built


def reread(built: StrategyWorld) -> StrategyWorld:
    """The same world with every instance read again from the database."""
    kpis = Kpi.objects.in_bulk([kpi.pk for kpi in built.kpis.values()])
    objectives = Objective.objects.in_bulk([o.pk for o in built.objectives.values()])
    return replace(
        built,
        kpis={code: kpis[kpi.pk] for code, kpi in built.kpis.items()},
        objectives={code: objectives[o.pk] for code, o in built.objectives.items()},
        workshop=Workshop.objects.get(pk=built.workshop.pk) if built.workshop else None,
        request=ChangeRequest.objects.get(pk=built.request.pk) if built.request else None,
    )


def build_plain_strategy(world: Enterprise) -> StrategyWorld:
    """The strategy without values and without an open period or a change request."""
    return build_strategy(world, with_values=False, with_request=False)


def objective_form(parent: str = "deliver", **fields: Any) -> dict[str, Any]:
    """A new Sales objective contributing to a group objective."""
    return {
        "code": "sales-deliver",
        "name": "Deliver every order in Sales on time",
        "description": "",
        "perspective": "internal-process",
        "theme": "",
        "owner": "",
        "parent": parent,
        "contribution_weight": "3",
        "weight": "2",
        "horizon_start": "2026-01-01",
        "horizon_end": "2029-01-01",
        "esg_pillar": "",
        "disclosure_ref": "",
        "required_by": "",
        "effective": today().isoformat(),
        "reason": "Sales plan",
    } | fields
