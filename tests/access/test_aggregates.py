from __future__ import annotations

import pytest
from django.db.models import Avg
from pytest_django import Settings

from scoreline.access.aggregates import Group, summarise_people
from scoreline.access.capabilities import Capability
from scoreline.lib.tree import subtree_q
from scoreline.org.models import Person
from tests.builders.enterprise import Enterprise

pytestmark = pytest.mark.django_db


def by_key(groups: list[Group]) -> dict[str, Group]:
    return {group.key: group for group in groups}


def test_small_groups_are_suppressed_for_someone_who_cannot_see_the_individuals(
    enterprise: Enterprise,
) -> None:
    uk = Person.objects.filter(subtree_q(enterprise.units["UK"].path, "primary_unit__path"))
    groups = by_key(summarise_people(enterprise.users["manager"], uk, "primary_unit__code"))
    # FIN has 3 people the manager cannot see: hidden. SALES-N has 6 (at least 5): shown.
    assert groups["FIN"].suppressed and groups["FIN"].count is None
    assert groups["SALES-N"].count == 6


def test_small_groups_stay_visible_to_someone_who_sees_every_member(enterprise: Enterprise) -> None:
    uk = Person.objects.filter(subtree_q(enterprise.units["UK"].path, "primary_unit__path"))
    groups = by_key(summarise_people(enterprise.users["hr"], uk, "primary_unit__code"))
    assert groups["FIN"].count == 3
    assert groups["SALES"].count == 1


def test_measures_are_hidden_with_their_group_and_judged_by_the_capability_behind_them(
    enterprise: Enterprise,
) -> None:
    everyone = Person.objects.all()
    pay_for_hr = by_key(
        summarise_people(
            enterprise.users["hr"],
            everyone,
            "primary_unit__code",
            capability=Capability.VIEW_PAY,
            measures={"average_salary": Avg("base_salary")},
        )
    )
    # HR sees the people but not their pay: a three-person average would reveal it.
    assert pay_for_hr["FIN"].measures["average_salary"] is None
    assert pay_for_hr["SALES-N"].measures["average_salary"] is not None
    pay_for_comp = by_key(
        summarise_people(
            enterprise.users["comp"],
            everyone,
            "primary_unit__code",
            capability=Capability.VIEW_PAY,
            measures={"average_salary": Avg("base_salary")},
        )
    )
    assert pay_for_comp["FIN"].measures["average_salary"] == pytest.approx(50_000)


def test_the_minimum_group_size_is_a_setting(enterprise: Enterprise, settings: Settings) -> None:
    settings.MIN_GROUP_SIZE = 7
    groups = by_key(
        summarise_people(enterprise.users["ceo"], Person.objects.all(), "primary_unit__code")
    )
    assert groups["SALES-N"].count == 6  # the CEO sees every individual
    groups = by_key(
        summarise_people(enterprise.users["employee"], Person.objects.all(), "primary_unit__code")
    )
    assert groups["SALES-N"].suppressed
