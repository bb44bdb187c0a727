"""A small enterprise built through the real actions: the shared test world.

    GRP  Group (GB, GBP)                 ceo manages
    ├── UK  Scoreline UK (legal entity)
    │   ├── SALES  Sales (department)    manager manages
    │   │   └── SALES-N  Sales North (team): employee + 5 colleagues
    │   └── FIN  Finance (department)    3 people, steward works here
    ├── DE  Scoreline GmbH (legal entity, DE, EUR): 3 people
    └── PRJ  Project Atlas (project)     dotted lines from two sales people

Users: admin (superuser), ceo (executive on GRP), hr (HR partner on GRP),
comp (compensation manager on GRP), manager (manages SALES), steward (data steward
on GRP), employee (no grant), outsider (a login with no person and no grant).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import User

from scoreline.access.actions import do_grant_role
from scoreline.access.models import Role
from scoreline.org.actions import LineSpec, do_create_person, do_create_unit, do_set_reporting_lines
from scoreline.org.models import Country, Currency, OrgUnit, Person

PASSWORD = "correct-horse-battery"
START = dt.date(2020, 1, 1)
PERSONAS = ["admin", "ceo", "hr", "comp", "manager", "steward", "employee", "outsider"]


@dataclass
class Enterprise:
    users: dict[str, User] = field(default_factory=dict)
    units: dict[str, OrgUnit] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)


def build_enterprise() -> Enterprise:
    world = Enterprise()
    admin = User.objects.create_superuser("admin", "admin@example.com", PASSWORD)
    world.users["admin"] = admin
    for name in PERSONAS[1:]:
        world.users[name] = User.objects.create_user(name, f"{name}@example.com", PASSWORD)

    gb, de = Country.objects.get(code="GB"), Country.objects.get(code="DE")
    gbp, eur = Currency.objects.get(code="GBP"), Currency.objects.get(code="EUR")

    def unit(
        code: str,
        name: str,
        kind: str,
        parent: str | None,
        country: Country = gb,
        currency: Currency = gbp,
    ) -> None:
        world.units[code] = do_create_unit(
            admin,
            code=code,
            name=name,
            kind=kind,
            parent=world.units.get(parent) if parent else None,
            country=country,
            currency=currency,
            valid_from=START,
        )

    unit("GRP", "Group", "group", None)
    unit("UK", "Scoreline UK", "legal_entity", "GRP")
    unit("SALES", "Sales", "department", "UK")
    unit("SALES-N", "Sales North", "team", "SALES")
    unit("FIN", "Finance", "department", "UK")
    unit("DE", "Scoreline GmbH", "legal_entity", "GRP", de, eur)
    unit("PRJ", "Project Atlas", "project", "GRP")

    counter = iter(range(1, 10_000))

    def person(
        key: str,
        unit_code: str,
        *,
        user: str | None = None,
        gender: str = "female",
        salary: int = 50_000,
    ) -> Person:
        number = next(counter)
        home = world.units[unit_code]
        created = do_create_person(
            admin,
            employee_id=f"E{number:05d}",
            user=world.users[user] if user else None,
            first_name=key.capitalize(),
            last_name=f"Person{number}",
            email=f"{key}{number}@example.com",
            job_title="Specialist",
            job_family="Operations",
            job_level=3,
            grade="G3",
            fte=Decimal("1"),
            hire_date=START,
            country=home.country,
            primary_unit=home,
            base_salary=Decimal(salary),
            salary_currency=home.currency,
            gender=gender,
            date_of_birth=dt.date(1985, 5, number % 28 + 1),
        )
        world.people[key] = created
        return created

    person("ceo", "GRP", user="ceo", salary=250_000)
    person("hr", "GRP", user="hr")
    person("comp", "GRP", user="comp")
    person("manager", "SALES", user="manager", salary=90_000)
    person("employee", "SALES-N", user="employee", salary=45_000)
    for index in range(5):
        person(f"seller{index}", "SALES-N", gender="male" if index % 2 else "female")
    person("steward", "FIN", user="steward")
    person("fin1", "FIN")
    person("fin2", "FIN")
    for index in range(3):
        person(f"de{index}", "DE")
    person("lead", "PRJ")

    for code, key in [("GRP", "ceo"), ("SALES", "manager"), ("PRJ", "lead")]:
        from scoreline.org.actions import do_update_unit

        world.units[code] = do_update_unit(
            admin,
            world.units[code],
            effective=START + dt.timedelta(days=1),
            manager=world.people[key],
        )

    ceo, manager, lead = world.people["ceo"], world.people["manager"], world.people["lead"]
    solid_to = {
        key: ceo
        for key in ["hr", "comp", "manager", "steward", "fin1", "fin2", "de0", "de1", "de2", "lead"]
    }
    solid_to |= {
        key: manager for key in ["employee", "seller0", "seller1", "seller2", "seller3", "seller4"]
    }
    for key, boss in solid_to.items():
        lines = [LineSpec(manager=boss, kind="solid", weight=Decimal(100))]
        if key in {"seller0", "seller1"}:
            lines = [
                LineSpec(manager=boss, kind="solid", weight=Decimal(60)),
                LineSpec(manager=lead, kind="project", weight=Decimal(40), unit=world.units["PRJ"]),
            ]
        do_set_reporting_lines(admin, world.people[key], lines, effective=START)

    roles = {role.code: role for role in Role.objects.all()}
    for user, role in [
        ("ceo", "executive"),
        ("hr", "hr_partner"),
        ("comp", "compensation_manager"),
        ("steward", "data_steward"),
    ]:
        do_grant_role(admin, world.users[user], roles[role], world.units["GRP"])
    for key in world.units:
        world.units[key].refresh_from_db()
    return world


def reread(world: Enterprise) -> Enterprise:
    """The same enterprise with every instance read again from the database by primary key,
    so that what one test changes in memory never reaches another."""
    users = User.objects.in_bulk([user.pk for user in world.users.values()])
    units = OrgUnit.objects.in_bulk([unit.pk for unit in world.units.values()])
    people = Person.objects.in_bulk([person.pk for person in world.people.values()])
    return Enterprise(
        users={key: users[user.pk] for key, user in world.users.items()},
        units={key: units[unit.pk] for key, unit in world.units.items()},
        people={key: people[person.pk] for key, person in world.people.items()},
    )
