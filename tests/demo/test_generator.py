from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count, Sum
from django.test import Client

from scoreline.access.capabilities import Capability
from scoreline.access.models import Grant
from scoreline.access.scope import capability_paths
from scoreline.audit.models import AuditEvent
from scoreline.audit.verification import verify_chain
from scoreline.demo.build import DEMO_BUILD_ACTION, DemoPlan, build_demo, plan_demo
from scoreline.demo.org import REFERENCE_DATE
from scoreline.demo.personas import PERSONA_GRANTS, PERSONAS
from scoreline.lib.dates import effective_on, today
from scoreline.lib.errors import Invalid
from scoreline.org.actions import do_create_unit
from scoreline.org.models import (
    FiscalCalendar,
    FxRate,
    LineKind,
    OrgUnit,
    Person,
    ReportingLine,
    UnitKind,
    UnitVersion,
)
from scoreline.org.queries import people_for
from tests.builders.demo import PASSWORD
from tests.builders.fingerprint import enterprise_fingerprint, wipe_enterprise

# The demo is built once for the tests of this group, which stay on one test process.
pytestmark = pytest.mark.xdist_group("demo-300")

EMPLOYEES, SEED = 300, 7


@pytest.fixture
def demo(world_demo_300: DemoPlan) -> DemoPlan:
    """The 300-person demo, built once for the tests that read it."""
    assert (world_demo_300.employees, world_demo_300.seed) == (EMPLOYEES, SEED)
    return world_demo_300


def test_the_same_seed_plans_the_same_enterprise() -> None:
    assert plan_demo(EMPLOYEES, SEED) == plan_demo(EMPLOYEES, SEED)


def test_a_different_seed_plans_a_different_enterprise() -> None:
    first, second = plan_demo(EMPLOYEES, SEED), plan_demo(EMPLOYEES, SEED + 1)
    assert [p.email for p in first.people] != [p.email for p in second.people]
    assert [p.base_salary for p in first.people] != [p.base_salary for p in second.people]


def test_a_head_count_below_the_minimum_is_refused_with_the_field_named() -> None:
    with pytest.raises(Invalid) as error:
        plan_demo(50, SEED)
    assert "employees" in error.value.fields


def test_building_twice_with_the_same_seed_writes_the_same_enterprise(demo: DemoPlan) -> None:
    first = enterprise_fingerprint()
    wipe_enterprise()
    build_demo(EMPLOYEES, SEED, password=PASSWORD)
    assert enterprise_fingerprint() == first


def test_building_with_another_seed_writes_another_enterprise(demo: DemoPlan) -> None:
    first = enterprise_fingerprint()
    wipe_enterprise()
    build_demo(EMPLOYEES, SEED + 1, password=PASSWORD)
    assert enterprise_fingerprint() != first


def test_the_demo_has_the_asked_number_of_people(demo: DemoPlan) -> None:
    assert Person.objects.count() == EMPLOYEES
    assert Person.objects.filter(kind="contractor", base_salary__isnull=True).exists()
    assert Person.objects.filter(fte__lt=1).exists()
    assert Person.objects.filter(leave_date__isnull=False).exists()


def test_everyone_but_the_ceo_has_exactly_one_solid_line_in_force_today(demo: DemoPlan) -> None:
    ceo = Person.objects.get(user__username="ceo")
    solid = ReportingLine.objects.filter(effective_on(today()), kind=LineKind.SOLID)
    per_person = dict(solid.values_list("person").annotate(count=Count("id")))
    present = Person.objects.filter(leave_date__isnull=True).exclude(pk=ceo.pk)
    assert set(per_person) == set(present.values_list("pk", flat=True))
    assert set(per_person.values()) == {1}
    assert not ReportingLine.objects.filter(person=ceo).exists()


def test_leavers_had_one_solid_line_that_ends_on_their_leave_date(demo: DemoPlan) -> None:
    for leaver in Person.objects.filter(leave_date__isnull=False):
        assert leaver.leave_date is not None
        before = leaver.leave_date - dt.timedelta(days=1)
        lines = ReportingLine.objects.filter(effective_on(before), person=leaver)
        assert [line.kind for line in lines] == [LineKind.SOLID]
        assert not ReportingLine.objects.filter(effective_on(leaver.leave_date), person=leaver)


def test_line_weights_in_force_sum_to_100_on_every_day_a_line_starts(demo: DemoPlan) -> None:
    lines_by_person: dict[int, list[ReportingLine]] = defaultdict(list)
    for line in ReportingLine.objects.all():
        lines_by_person[line.person_id].append(line)
    for lines in lines_by_person.values():
        for day in {line.valid_from for line in lines}:
            in_force = [
                line
                for line in lines
                if line.valid_from <= day and (line.valid_until is None or line.valid_until > day)
            ]
            assert sum(line.weight for line in in_force) == Decimal(100)
            assert [line.kind for line in in_force].count(LineKind.SOLID) == 1
    totals = ReportingLine.objects.filter(effective_on(today())).values("person")
    assert {row["total"] for row in totals.annotate(total=Sum("weight"))} == {Decimal(100)}


def test_every_unit_has_a_manager_in_the_unit_or_above_and_a_matching_version(
    demo: DemoPlan,
) -> None:
    versions = {version.unit_id: version for version in UnitVersion.objects.all()}
    for unit in OrgUnit.objects.select_related("manager__primary_unit"):
        assert unit.manager is not None, unit.code
        assert unit.path.startswith(unit.manager.primary_unit.path), unit.code
        version = versions[unit.pk]
        parent = OrgUnit.objects.get_parent(unit)
        assert version.manager_id == unit.manager_id
        assert version.parent_id == (parent.pk if parent else None)
        assert (version.valid_from, version.valid_until) == (unit.valid_from, None)


def test_the_tree_is_sound_and_grows_through_the_normal_actions(demo: DemoPlan) -> None:
    assert OrgUnit.objects.find_problems() == ([], [], [], [], [])
    admin = get_user_model().objects.get(username="admin")
    team_parent = OrgUnit.objects.get(code="UK-IND-SAL")
    added = do_create_unit(
        admin, code="UK-IND-SAL-NEW", name="New team", kind=UnitKind.TEAM, parent=team_parent,
        country=team_parent.country, currency=team_parent.currency, valid_from=REFERENCE_DATE,
    )  # fmt: skip
    assert OrgUnit.objects.get_parent(added) == team_parent
    assert OrgUnit.objects.find_problems() == ([], [], [], [], [])


def test_the_group_spans_three_countries_and_currencies_with_the_special_units(
    demo: DemoPlan,
) -> None:
    root = OrgUnit.objects.get(depth=1)
    assert root.kind == UnitKind.GROUP
    entities = OrgUnit.objects.filter(kind=UnitKind.LEGAL_ENTITY)
    assert entities.count() >= 3
    assert len({entity.country_id for entity in entities}) >= 3
    assert len({entity.currency_id for entity in entities}) >= 3
    for kind in [UnitKind.BUSINESS_UNIT, UnitKind.DEPARTMENT, UnitKind.TEAM]:
        assert OrgUnit.objects.filter(kind=kind).exists()
    assert OrgUnit.objects.filter(kind=UnitKind.SHARED_SERVICE_CENTRE).count() == 1
    assert OrgUnit.objects.filter(kind=UnitKind.JOINT_VENTURE).count() == 1
    acquired = OrgUnit.objects.get(kind=UnitKind.ACQUIRED_ENTITY)
    assert REFERENCE_DATE - dt.timedelta(days=365) < acquired.valid_from < REFERENCE_DATE
    assert OrgUnit.objects.filter(kind=UnitKind.PROJECT).count() >= 3


def test_project_and_dotted_lines_form_a_weighted_matrix(demo: DemoPlan) -> None:
    project_lines = ReportingLine.objects.filter(kind=LineKind.PROJECT)
    assert project_lines.exists()
    assert set(project_lines.values_list("unit__kind", flat=True)) == {UnitKind.PROJECT}
    assert ReportingLine.objects.filter(kind=LineKind.DOTTED).exists()
    secondary = ReportingLine.objects.filter(effective_on(today())).exclude(kind=LineKind.SOLID)
    assert set(secondary.values_list("weight", flat=True)) <= {
        Decimal(20),
        Decimal(30),
        Decimal(40),
    }
    matrix_people = secondary.values("person").distinct().count()
    assert 0.05 * EMPLOYEES < matrix_people < 0.2 * EMPLOYEES


def test_companies_have_fiscal_calendars_and_their_currencies_have_monthly_rates(
    demo: DemoPlan,
) -> None:
    companies = OrgUnit.objects.exclude(
        kind__in=[UnitKind.BUSINESS_UNIT, UnitKind.DEPARTMENT, UnitKind.TEAM, UnitKind.PROJECT]
    )
    assert set(FiscalCalendar.objects.values_list("legal_entity", flat=True)) == set(
        companies.values_list("pk", flat=True)
    )
    assert FiscalCalendar.objects.get(legal_entity__code="UK").year_start_month == 4
    currencies = set(OrgUnit.objects.values_list("currency_id", flat=True))
    pairs = FxRate.objects.values("base", "quote").annotate(months=Count("id"))
    assert len(pairs) == len(currencies) * (len(currencies) - 1)
    assert {pair["months"] for pair in pairs} == {36}


def test_personas_exist_with_their_grants_and_can_log_in(demo: DemoPlan) -> None:
    users = {user.username: user for user in get_user_model().objects.all()}
    assert set(PERSONAS) <= set(users)
    assert users["admin"].is_superuser and users["admin"].is_staff
    root = OrgUnit.objects.get(depth=1)
    for persona, role in PERSONA_GRANTS.items():
        assert Grant.objects.filter(user=users[persona], role__code=role, unit=root).exists()
    assert not Grant.objects.filter(user__username__in=["manager", "employee"]).exists()
    for persona in PERSONAS:
        assert Client().login(username=persona, password=PASSWORD), persona


def test_personas_hold_the_places_their_views_need(demo: DemoPlan) -> None:
    linked = Person.objects.filter(user__isnull=False).select_related("user", "primary_unit")
    people = {person.user.get_username(): person for person in linked if person.user}
    root = OrgUnit.objects.get(depth=1)
    assert root.manager == people["ceo"]
    hr_unit = people["hr"].primary_unit
    ssc = OrgUnit.objects.get(kind=UnitKind.SHARED_SERVICE_CENTRE)
    assert hr_unit.path.startswith(ssc.path) and "HR" in hr_unit.name

    manager = people["manager"]
    department = OrgUnit.objects.get(manager=manager)
    assert department.kind == UnitKind.DEPARTMENT
    assert set(OrgUnit.objects.get_children(department).values_list("kind", flat=True)) == {
        UnitKind.TEAM
    }
    assert manager.user is not None
    assert department.path in capability_paths(manager.user, Capability.VIEW_PEOPLE)
    employee = people["employee"]
    assert OrgUnit.objects.get_parent(employee.primary_unit) == department
    assert people_for(manager.user).filter(pk=employee.pk).exists()


def test_the_build_is_recorded_in_the_audit_chain(demo: DemoPlan) -> None:
    event = AuditEvent.objects.get(action=DEMO_BUILD_ACTION)
    assert event.after is not None
    assert (event.after["employees"], event.after["seed"]) == (EMPLOYEES, SEED)
    assert event.after["people"] == EMPLOYEES
    assert verify_chain().ok
