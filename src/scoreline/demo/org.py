"""The demo's organisation tree: a group, its entities, business units, departments and teams.

Sizes scale with the head count: the number of business units, departments, sub-departments
and teams follows from how many people each part of the tree is meant to hold. Every draw
comes from the generator passed in, so one seed always gives the same tree.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np

from scoreline.demo.names import CITIES
from scoreline.org.models import PeriodType, UnitKind

__all__ = [
    "ENTITIES",
    "FUNCTIONS",
    "GROUP_COUNTRY",
    "GROUP_CURRENCY",
    "REFERENCE_DATE",
    "EntitySpec",
    "Function",
    "UnitPlan",
    "plan_units",
    "tree_step",
]

# Every date of the demo is fixed relative to this day, never read from the clock.
REFERENCE_DATE = dt.date(2026, 1, 1)
GROUP_FOUNDED = dt.date(2006, 1, 1)
GROUP_COUNTRY, GROUP_CURRENCY = "GB", "GBP"

# The tree's materialised paths: steps of four characters over 0-9A-Z, as treebeard writes them.
TREE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
TREE_STEPLEN = 4


@dataclass(frozen=True)
class Function:
    job_family: str
    job_noun: str
    code: str


FUNCTIONS: dict[str, Function] = {
    "Sales": Function("Sales", "Account Executive", "SAL"),
    "Engineering": Function("Engineering", "Software Engineer", "ENG"),
    "Manufacturing": Function("Operations", "Production Technician", "MFG"),
    "Supply Chain": Function("Operations", "Supply Chain Planner", "SCM"),
    "Customer Service": Function("Customer Operations", "Customer Service Advisor", "CSV"),
    "Product": Function("Product", "Product Manager", "PRD"),
    "Customer Success": Function("Customer Operations", "Customer Success Manager", "CSM"),
    "Marketing": Function("Marketing", "Marketing Specialist", "MKT"),
    "Finance": Function("Finance", "Financial Analyst", "FIN"),
    "Legal": Function("Legal", "Legal Counsel", "LEG"),
    "People": Function("Human Resources", "HR Advisor", "PPL"),
    "Strategy": Function("Strategy", "Strategy Analyst", "STR"),
    "HR Services": Function("Human Resources", "HR Business Partner", "HRS"),
    "Reward & Payroll": Function("Human Resources", "Reward Analyst", "REW"),
    "Finance Operations": Function("Finance", "Accountant", "FOP"),
    "IT Service Desk": Function("Technology", "IT Support Engineer", "ITS"),
    "Data Management": Function("Data", "Data Steward", "DAT"),
    "Project Delivery": Function("Project Management", "Project Manager", "PDL"),
    "Commercial": Function("Commercial", "Commercial Manager", "COM"),
    "Data Science": Function("Data", "Data Scientist", "DSC"),
}

# code, name, weight within a legal entity, departments (functions)
BUSINESS_UNITS: list[tuple[str, str, float, tuple[str, ...]]] = [
    ("IND", "Industrial Solutions", 0.45,
     ("Sales", "Engineering", "Manufacturing", "Supply Chain", "Customer Service")),
    ("DIG", "Digital Services", 0.33,
     ("Engineering", "Product", "Sales", "Customer Success", "Marketing")),
    ("COR", "Corporate Functions", 0.22, ("Finance", "Legal", "People", "Marketing", "Strategy")),
]  # fmt: skip

SUB_DEPARTMENTS = (
    "North", "South", "East", "West", "Central", "Metro", "Enterprise", "Strategic", "Core", "Growth",
)  # fmt: skip


@dataclass(frozen=True)
class EntitySpec:
    code: str
    name: str
    kind: str
    country: str
    currency: str
    share: float
    founded: dt.date
    fiscal_year_start: int
    period_type: str
    # Business units (legal entities) or a flat list of departments (the others).
    functions: tuple[str, ...] = ()


ENTITIES: list[EntitySpec] = [
    EntitySpec("UK", "Meridian Industries UK Ltd", UnitKind.LEGAL_ENTITY, "GB", "GBP", 0.28,
               dt.date(2006, 1, 1), 4, PeriodType.MONTH),
    EntitySpec("DE", "Meridian Industrie GmbH", UnitKind.LEGAL_ENTITY, "DE", "EUR", 0.20,
               dt.date(2009, 7, 1), 1, PeriodType.MONTH),
    EntitySpec("US", "Meridian Industries Inc.", UnitKind.LEGAL_ENTITY, "US", "USD", 0.24,
               dt.date(2011, 1, 1), 1, PeriodType.MONTH),
    EntitySpec("SG", "Meridian Asia Pacific Pte. Ltd.", UnitKind.LEGAL_ENTITY, "SG", "SGD", 0.08,
               dt.date(2016, 4, 1), 4, PeriodType.MONTH),
    EntitySpec("SSC", "Meridian Business Services sp. z o.o.", UnitKind.SHARED_SERVICE_CENTRE,
               "PL", "PLN", 0.10, dt.date(2018, 1, 1), 1, PeriodType.MONTH,
               ("HR Services", "Reward & Payroll", "Finance Operations", "IT Service Desk",
                "Data Management")),
    EntitySpec("JV", "Meridian Nordwind Energy B.V. (joint venture)", UnitKind.JOINT_VENTURE,
               "NL", "EUR", 0.05, dt.date(2021, 7, 1), 7, PeriodType.QUARTER,
               ("Project Delivery", "Engineering", "Commercial")),
    EntitySpec("ACQ", "Brightpath Analytics Inc.", UnitKind.ACQUIRED_ENTITY, "US", "USD", 0.05,
               dt.date(2025, 10, 1), 10, PeriodType.MONTH,
               ("Data Science", "Engineering", "Sales", "Customer Success")),
]  # fmt: skip

PROJECT_NAMES = (
    "Atlas", "Borealis", "Cobalt", "Delta", "Everest", "Falcon", "Granite", "Horizon", "Ion",
    "Juniper", "Kestrel", "Lumen", "Mistral", "Nimbus", "Orion", "Polaris", "Quartz", "Redwood",
    "Sierra", "Tundra", "Umber", "Vega", "Willow", "Zenith",
)  # fmt: skip

TEAM_SIZE = 11
SUB_DEPARTMENT_ABOVE = 700
SUB_DEPARTMENT_SIZE = 500


@dataclass(slots=True)
class UnitPlan:
    index: int
    code: str
    name: str
    kind: str
    parent: int | None
    country: str
    currency: str
    city: str
    valid_from: dt.date
    cost_centre: str
    function: str = ""
    weight: float = 0.0
    entity: int = 0
    children: list[int] = field(default_factory=list)
    path: str = ""
    members: int = 0

    @property
    def depth(self) -> int:
        return len(self.path) // TREE_STEPLEN


def tree_step(position: int) -> str:
    """The path step of the ``position``-th child (from 1), e.g. ``0001``, ``000A``, ``0010``."""
    digits = ""
    while position:
        position, rest = divmod(position, len(TREE_ALPHABET))
        digits = TREE_ALPHABET[rest] + digits
    if len(digits) > TREE_STEPLEN:
        raise ValueError("too many children under one unit for the tree's path step")
    return digits.rjust(TREE_STEPLEN, TREE_ALPHABET[0])


class _Tree:
    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.units: list[UnitPlan] = []
        self.cost_centres: dict[int, int] = {}

    def add(
        self,
        parent: UnitPlan | None,
        code: str,
        name: str,
        kind: str,
        *,
        weight: float,
        valid_from: dt.date,
        function: str = "",
        country: str = "",
        currency: str = "",
        city: str = "",
    ) -> UnitPlan:
        index = len(self.units)
        entity = parent.entity if parent is not None and parent.parent is not None else index
        counter = self.cost_centres.get(entity, 0) + 1
        self.cost_centres[entity] = counter
        unit = UnitPlan(
            index=index,
            code=code,
            name=name,
            kind=kind,
            parent=parent.index if parent else None,
            country=country or (parent.country if parent else GROUP_COUNTRY),
            currency=currency or (parent.currency if parent else GROUP_CURRENCY),
            city=city or (parent.city if parent else CITIES[GROUP_COUNTRY][0]),
            valid_from=valid_from,
            cost_centre="",
            function=function,
            weight=weight,
            entity=entity,
        )
        entity_code = self.units[entity].code if entity != index else code
        unit.cost_centre = f"{entity_code}-{counter:05d}"
        if parent is not None:
            parent.children.append(index)
            unit.path = parent.path + tree_step(len(parent.children))
        else:
            unit.path = tree_step(1)
        self.units.append(unit)
        return unit

    def jitter(self, count: int, spread: float = 0.3) -> list[float]:
        raw = self.rng.uniform(1 - spread, 1 + spread, size=count)
        return [float(value) for value in raw / raw.sum()]

    def later(self, start: dt.date, max_days: int) -> dt.date:
        """A day up to ``max_days`` after ``start``, and before the end of 2024."""
        day = start + dt.timedelta(days=int(self.rng.integers(0, max_days + 1)))
        return min(day, dt.date(2024, 12, 31)) if start < dt.date(2024, 12, 31) else start

    def city(self, country: str) -> str:
        cities = CITIES[country]
        return cities[int(self.rng.integers(0, len(cities)))]

    def department(self, parent: UnitPlan, code: str, function: str, weight: float) -> None:
        name = function if parent.kind != UnitKind.BUSINESS_UNIT else f"{parent.name} {function}"
        city = self.city(parent.country) if parent.kind == UnitKind.BUSINESS_UNIT else parent.city
        dept = self.add(
            parent, code, name, UnitKind.DEPARTMENT, weight=weight, function=function,
            valid_from=self.later(parent.valid_from, 365), city=city,
        )  # fmt: skip
        if weight > SUB_DEPARTMENT_ABOVE:
            count = math.ceil(weight / SUB_DEPARTMENT_SIZE)
            for number, share in enumerate(self.jitter(count, 0.2)):
                region = SUB_DEPARTMENTS[number % len(SUB_DEPARTMENTS)]
                if number >= len(SUB_DEPARTMENTS):
                    region += f" {number // len(SUB_DEPARTMENTS) + 1}"
                sub = self.add(
                    dept, f"{code}-R{number + 1}", f"{function} {region}", UnitKind.DEPARTMENT,
                    weight=weight * share, function=function,
                    valid_from=self.later(dept.valid_from, 2 * 365),
                )  # fmt: skip
                self.teams(sub)
        else:
            self.teams(dept)

    def teams(self, dept: UnitPlan) -> None:
        count = max(1, round(dept.weight / TEAM_SIZE))
        for number, share in enumerate(self.jitter(count, 0.25), start=1):
            self.add(
                dept, f"{dept.code}-T{number:02d}", f"{dept.name} Team {number}", UnitKind.TEAM,
                weight=dept.weight * share, function=dept.function,
                valid_from=self.later(dept.valid_from, 3 * 365),
            )  # fmt: skip


def plan_units(employees: int, rng: np.random.Generator) -> list[UnitPlan]:
    """The whole tree in depth-first order (parents before children), with paths and head counts."""
    tree = _Tree(rng)
    root = tree.add(
        None, "GRP", "Meridian Group", UnitKind.GROUP, weight=employees, valid_from=GROUP_FOUNDED,
        city="London",
    )  # fmt: skip
    for spec in ENTITIES:
        weight = employees * spec.share
        entity = tree.add(
            root, spec.code, spec.name, spec.kind, weight=weight, valid_from=spec.founded,
            country=spec.country, currency=spec.currency, city=CITIES[spec.country][0],
        )  # fmt: skip
        if spec.kind == UnitKind.LEGAL_ENTITY:
            count = min(3, max(1, int(weight // 40)))
            chosen = BUSINESS_UNITS[:count]
            total = sum(share for _, _, share, _ in chosen)
            for code, name, share, functions in chosen:
                bu_weight = weight * share / total
                unit = tree.add(
                    entity, f"{spec.code}-{code}", name, UnitKind.BUSINESS_UNIT, weight=bu_weight,
                    valid_from=tree.later(entity.valid_from, 2 * 365),
                    city=tree.city(spec.country),
                )  # fmt: skip
                departments = functions[: min(len(functions), max(1, int(bu_weight // 25)))]
                for function, dept_share in zip(
                    departments, tree.jitter(len(departments)), strict=True
                ):
                    code_of = f"{unit.code}-{FUNCTIONS[function].code}"
                    tree.department(unit, code_of, function, bu_weight * dept_share)
        else:
            for function, dept_share in zip(
                spec.functions, tree.jitter(len(spec.functions), 0.15), strict=True
            ):
                code_of = f"{spec.code}-{FUNCTIONS[function].code}"
                tree.department(entity, code_of, function, weight * dept_share)
    hosts = [index for index in root.children if tree.units[index].kind == UnitKind.LEGAL_ENTITY]
    for name in PROJECT_NAMES[: min(len(PROJECT_NAMES), max(3, employees // 300))]:
        host = tree.units[hosts[int(rng.integers(0, len(hosts)))]]
        start = dt.date(2023, 1, 1) + dt.timedelta(days=int(rng.integers(0, 2 * 365 + 240)))
        tree.add(
            root, f"PRJ-{name.upper()}", f"Project {name}", UnitKind.PROJECT, weight=0.0,
            valid_from=start, country=host.country, currency=host.currency, city=host.city,
        )  # fmt: skip
    _allocate_members(tree.units, employees, rng)
    return tree.units


def _allocate_members(units: list[UnitPlan], employees: int, rng: np.random.Generator) -> None:
    """Every unit has its head; teams share the rest by weight, at least two members each."""
    teams = [unit for unit in units if unit.kind == UnitKind.TEAM]
    spare = employees - len(units) - 2 * len(teams)
    if spare < 0:
        raise ValueError(f"{employees} people are too few for the demo's {len(units)} units")
    weights = np.array([unit.weight for unit in teams], dtype=np.float64)
    exact = spare * weights / weights.sum()
    whole = np.floor(exact).astype(np.int64)
    # Largest remainders first; ties broken by a random draw, never by the clock or hashing.
    order = np.lexsort((rng.random(len(teams)), -(exact - whole)))
    whole[order[: spare - int(whole.sum())]] += 1
    for unit, extra in zip(teams, whole, strict=True):
        unit.members = 2 + int(extra)
