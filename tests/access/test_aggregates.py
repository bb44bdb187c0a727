from __future__ import annotations

import pytest
from django.db.models import Avg
from pytest_django import Settings

from scoreline.access.aggregates import Breakdown, summarise_people, unit_breakdowns
from scoreline.access.capabilities import Capability
from scoreline.org.models import Person
from scoreline.org.queries import active_people
from tests.builders.enterprise import Enterprise

pytestmark = pytest.mark.django_db


def counts(breakdown: Breakdown) -> dict[str, int]:
    return {group.key: group.count for group in breakdown.groups}


def test_small_groups_are_merged_into_other_without_their_names(enterprise: Enterprise) -> None:
    # The employee sees only themselves: every unit but Sales North holds fewer than five
    # others, so those are merged: 3 + 1 + 3 + 3 + 1 = 11, and none of them is named.
    by_unit = summarise_people(
        enterprise.users["employee"], Person.objects.all(), "primary_unit__code"
    )
    assert counts(by_unit) == {"SALES-N": 6}
    assert by_unit.other == 11 and by_unit.total == 17


def test_a_lone_small_group_takes_the_next_smallest_with_it_so_the_total_does_not_give_it_away(
    enterprise: Enterprise,
) -> None:
    # By gender, as the CEO who may not see it: 15 women and 2 men. Hiding only the men
    # would leave 17 - 15; the women are merged with them.
    by_gender = summarise_people(
        enterprise.users["ceo"],
        Person.objects.all(),
        "gender",
        capability=Capability.VIEW_PROTECTED,
    )
    assert by_gender.groups == [] and by_gender.other == 17


def test_everything_is_shown_to_someone_who_sees_every_member(enterprise: Enterprise) -> None:
    by_unit = summarise_people(enterprise.users["hr"], Person.objects.all(), "primary_unit__code")
    assert counts(by_unit)["FIN"] == 3 and counts(by_unit)["SALES"] == 1
    assert by_unit.other is None


def test_measures_are_hidden_with_their_group_and_judged_by_the_capability_behind_them(
    enterprise: Enterprise,
) -> None:
    def pay_as(persona: str) -> Breakdown:
        return summarise_people(
            enterprise.users[persona],
            Person.objects.all(),
            "primary_unit__code",
            capability=Capability.VIEW_PAY,
            measures={"average_salary": Avg("base_salary")},
        )

    # HR sees the people but not their pay: a three-person average would reveal it.
    for_hr = pay_as("hr")
    assert "FIN" not in counts(for_hr)
    assert for_hr.groups[0].measures["average_salary"] is not None  # Sales North, six people
    for_comp = {group.key: group for group in pay_as("comp").groups}
    assert for_comp["FIN"].measures["average_salary"] == pytest.approx(50_000)


def test_the_minimum_group_size_is_a_setting(enterprise: Enterprise, settings: Settings) -> None:
    settings.MIN_GROUP_SIZE = 7
    everyone = Person.objects.all()
    assert (
        counts(summarise_people(enterprise.users["ceo"], everyone, "primary_unit__code"))["SALES-N"]
        == 6
    )  # the CEO sees every individual
    for_employee = summarise_people(enterprise.users["employee"], everyone, "primary_unit__code")
    assert for_employee.groups == [] and for_employee.other == 17


def test_a_unit_of_one_shows_no_split_and_no_key_to_someone_who_cannot_see_its_member(
    enterprise: Enterprise,
) -> None:
    project = enterprise.units["PRJ"]  # one member, its manager, whose name anyone may read
    for by, right in [("gender", Capability.VIEW_PROTECTED), ("grade", Capability.VIEW_PEOPLE)]:
        hidden = unit_breakdowns(
            enterprise.users["employee"], active_people(), by, capability=right
        )
        assert hidden.of(project.pk).withheld and hidden.of(project.pk).groups == []
        assert hidden.head_count(project.pk) is None
    shown = unit_breakdowns(
        enterprise.users["hr"], active_people(), "gender", capability=Capability.VIEW_PROTECTED
    )
    assert counts(shown.of(project.pk)) == {"female": 1} and shown.head_count(project.pk) == 1


def test_a_parents_count_minus_its_childrens_does_not_give_a_hidden_child_away(
    enterprise: Enterprise,
) -> None:
    # The manager sees all of Sales but none of Finance (three people) under the same
    # Scoreline UK: showing UK's ten would leave Finance's three by subtraction.
    counts_for_manager = unit_breakdowns(enterprise.users["manager"], active_people(), "grade")
    assert counts_for_manager.head_count(enterprise.units["SALES"].pk) == 7
    assert counts_for_manager.head_count(enterprise.units["FIN"].pk) is None
    assert counts_for_manager.head_count(enterprise.units["UK"].pk) is None
    assert counts_for_manager.of(enterprise.units["UK"].pk).withheld
