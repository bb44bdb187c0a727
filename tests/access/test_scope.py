from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from scoreline.access.capabilities import Capability
from scoreline.access.scope import field_access, holds_on_unit, visible_to, visible_units
from scoreline.org.actions import do_update_unit
from scoreline.org.models import OrgUnit, Person, ReportingLine
from tests.builders.enterprise import Enterprise

pytestmark = pytest.mark.django_db


def visible_keys(
    world: Enterprise, persona: str, capability: Capability = Capability.VIEW_PEOPLE
) -> set[str]:
    by_pk = {person.pk: key for key, person in world.people.items()}
    people = visible_to(world.users[persona], Person.objects.all(), capability)
    return {by_pk[pk] for pk in people.values_list("pk", flat=True)}


def can_see(row: Person, *field_classes: str) -> tuple[bool, ...]:
    """The ``can_see_<field class>`` flags that field_access annotated on a row."""
    return tuple(getattr(row, f"can_see_{field_class}") for field_class in field_classes)


def test_group_wide_roles_see_everybody(enterprise: Enterprise) -> None:
    for persona in ["admin", "ceo", "hr", "comp"]:
        assert visible_keys(enterprise, persona) == set(enterprise.people), persona


def test_a_unit_manager_sees_the_subtree_of_the_units_they_manage_and_nothing_else(
    enterprise: Enterprise,
) -> None:
    assert visible_keys(enterprise, "manager") == {"manager", "employee"} | {
        f"seller{i}" for i in range(5)
    }


def test_an_employee_sees_only_their_own_record(enterprise: Enterprise) -> None:
    assert visible_keys(enterprise, "employee") == {"employee"}
    assert visible_keys(enterprise, "steward") == {"steward"}


def test_an_outsider_and_an_inactive_user_see_nobody(enterprise: Enterprise) -> None:
    assert visible_keys(enterprise, "outsider") == set()
    ceo = enterprise.users["ceo"]
    ceo.is_active = False
    ceo.save()
    assert visible_keys(enterprise, "ceo") == set()


def test_a_project_lead_sees_the_people_on_dotted_lines_to_them(enterprise: Enterprise) -> None:
    lead = enterprise.people["lead"]
    lead.user = get_user_model().objects.create_user("lead", "lead@example.com", "x" * 12)
    lead.save()
    enterprise.users["lead"] = lead.user
    # Lead manages the project unit (nobody's primary unit but their own) and two dotted lines.
    assert visible_keys(enterprise, "lead") == {"lead", "seller0", "seller1"}


def test_pay_is_visible_to_compensation_and_executives_but_not_to_hr_or_managers(
    enterprise: Enterprise,
) -> None:
    everyone = set(enterprise.people)
    assert visible_keys(enterprise, "comp", Capability.VIEW_PAY) == everyone
    assert visible_keys(enterprise, "ceo", Capability.VIEW_PAY) == everyone
    assert visible_keys(enterprise, "hr", Capability.VIEW_PAY) == {"hr"}
    assert visible_keys(enterprise, "manager", Capability.VIEW_PAY) == {"manager"}


def test_field_access_marks_each_row_with_the_field_classes_the_user_may_see(
    enterprise: Enterprise,
) -> None:
    rows = field_access(
        enterprise.users["manager"], Person.objects.filter(primary_unit__code="SALES-N")
    )
    flags = {row.pk: can_see(row, "pay", "ratings", "protected") for row in rows}
    employee = enterprise.people["employee"].pk
    assert flags[employee] == (False, True, False)
    own = field_access(enterprise.users["employee"], Person.objects.filter(pk=employee)).get()
    assert can_see(own, "pay", "protected", "potential") == (True, True, False)


def test_reporting_lines_follow_the_visibility_of_their_person(enterprise: Enterprise) -> None:
    lines = visible_to(enterprise.users["manager"], ReportingLine.objects.all())
    assert {line.person_id for line in lines} == {
        enterprise.people[key].pk
        for key in ["manager", "employee", "seller0", "seller1", "seller2", "seller3", "seller4"]
    }


def test_a_model_without_people_data_cannot_be_scoped_by_mistake(enterprise: Enterprise) -> None:
    with pytest.raises(TypeError, match="holds no people data"):
        visible_to(enterprise.users["admin"], OrgUnit.objects.all())


def test_after_a_reorganisation_the_old_manager_loses_access_and_the_new_one_gains_it(
    enterprise: Enterprise,
) -> None:
    units, people, admin = enterprise.units, enterprise.people, enterprise.users["admin"]
    # The FIN manager is fin1, who has a login; DE is managed by de0, who has a login too.
    for unit_code, key in [("FIN", "fin1"), ("DE", "de0")]:
        person = people[key]
        person.user = get_user_model().objects.create_user(key, f"{key}@example.com", "x" * 12)
        person.save()
        enterprise.users[key] = person.user
        do_update_unit(admin, units[unit_code], effective=dt.date(2021, 1, 1), manager=person)
    units["SALES"].refresh_from_db()
    # SALES sits under UK; nobody manages UK, so give fin1 UK's management to own the old parent.
    do_update_unit(admin, units["UK"], effective=dt.date(2021, 1, 1), manager=people["fin1"])
    assert "seller3" in visible_keys(enterprise, "fin1")
    assert "seller3" not in visible_keys(enterprise, "de0")

    sales = OrgUnit.objects.get(code="SALES")
    do_update_unit(
        admin,
        sales,
        effective=dt.date(2022, 1, 1),
        parent=OrgUnit.objects.get(code="DE"),
        reason="Sales moves to Germany",
    )

    for key in ["fin1", "de0"]:
        enterprise.users[key] = get_user_model().objects.get(
            pk=enterprise.users[key].pk
        )  # fresh request
    assert "seller3" not in visible_keys(enterprise, "fin1")
    assert "seller3" in visible_keys(enterprise, "de0")
    assert holds_on_unit(
        enterprise.users["de0"], Capability.VIEW_PEOPLE, OrgUnit.objects.get(code="SALES-N")
    )


def test_members_see_the_whole_structure_and_grant_only_users_their_granted_subtrees(
    enterprise: Enterprise,
) -> None:
    from scoreline.access.actions import do_grant_role
    from scoreline.access.models import Role

    assert visible_units(enterprise.users["employee"]).count() == len(enterprise.units)
    assert visible_units(enterprise.users["outsider"]).count() == 0
    auditor = get_user_model().objects.create_user("auditor", "auditor@example.com", "x" * 12)
    do_grant_role(
        enterprise.users["admin"],
        auditor,
        Role.objects.get(code="analyst"),
        enterprise.units["SALES"],
    )
    assert set(visible_units(auditor).values_list("code", flat=True)) == {"SALES", "SALES-N"}


def test_a_group_wide_grant_does_not_reach_a_second_tree(enterprise: Enterprise) -> None:
    from scoreline.org.actions import do_create_person, do_create_unit

    admin, template = enterprise.users["admin"], enterprise.people["fin1"]
    other = do_create_unit(
        admin,
        code="OTHER",
        name="Other group",
        kind="group",
        parent=None,
        country=template.country,
        currency=template.primary_unit.currency,
        valid_from=dt.date(2020, 1, 1),
    )
    stranger = do_create_person(
        admin,
        employee_id="X1",
        first_name="Sam",
        last_name="Stranger",
        email="sam@example.com",
        job_title="x",
        job_family="x",
        job_level=1,
        grade="G1",
        hire_date=dt.date(2020, 1, 1),
        country=template.country,
        primary_unit=other,
    )
    ceo_sees = visible_to(enterprise.users["ceo"], Person.objects.all())
    assert stranger not in ceo_sees
    assert ceo_sees.count() == len(enterprise.people)
    assert stranger in visible_to(enterprise.users["admin"], Person.objects.all())


def test_people_in_a_subtree_are_scoped_whether_or_not_the_user_holds_the_whole_subtree(
    enterprise: Enterprise,
) -> None:
    from scoreline.access.scope import visible_in_subtree

    uk = enterprise.units["UK"]
    for persona, expected in [("hr", 10), ("manager", 7), ("employee", 1), ("outsider", 0)]:
        assert (
            visible_in_subtree(enterprise.users[persona], Person.objects.all(), uk).count()
            == expected
        ), persona
    sales_n = enterprise.units["SALES-N"]
    assert (
        visible_in_subtree(enterprise.users["manager"], Person.objects.all(), sales_n).count() == 6
    )
