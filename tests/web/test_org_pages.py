"""The organisation browser: tree, unit page, people directory; everything scoped by access."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from scoreline.org.actions import do_update_unit
from tests.builders.enterprise import Enterprise

PageOf = Callable[[str | None, str], str]


def unit_url(world: Enterprise, code: str) -> str:
    return reverse("org:unit", args=[world.units[code].pk])


def test_the_tree_lists_every_unit_indented_with_kind_manager_and_head_count(
    enterprise: Enterprise, page_of: PageOf
) -> None:
    html = page_of("steward", reverse("org:tree"))
    for unit in enterprise.units.values():
        assert unit.name in html
    assert 'class="tree-node depth-3"' in html  # Sales North sits three levels below the group
    assert "Shared service centre" not in html and "Legal entity" in html
    assert enterprise.people["manager"].full_name in html
    # The steward (data steward) sees no one: the group's seventeen show, units of fewer
    # than five (Finance) are hidden, and so is all it would take to subtract them.
    assert '<td class="num">17</td>' in html
    assert ">hidden</span>" in html


def test_an_outsider_sees_an_empty_tree_and_an_empty_directory(
    enterprise: Enterprise, page_of: PageOf
) -> None:
    tree = page_of("outsider", reverse("org:tree"))
    assert "no access to any part of the organisation" in tree
    assert enterprise.units["GRP"].name not in tree
    directory = page_of("outsider", reverse("org:people"))
    assert "No one matches." in directory
    assert "Person" not in directory.split("<tbody>")[1]


def test_the_unit_page_shows_details_children_people_and_history(
    enterprise: Enterprise, page_of: PageOf
) -> None:
    html = page_of("hr", unit_url(enterprise, "SALES"))
    assert "Sales North" in html  # the child unit
    assert enterprise.people["seller3"].full_name in html  # people of the whole subtree
    assert enterprise.people["manager"].full_name in html
    assert "Scoreline UK" in html  # breadcrumb
    assert (
        "1 Jan 2020" in html and "2 Jan 2020" in html
    )  # two versions: created, then given a manager
    assert html.count('class="tag tag-current"') == 1


def test_a_reorganisation_shows_in_the_unit_history(
    enterprise: Enterprise, page_of: PageOf
) -> None:
    do_update_unit(
        enterprise.users["admin"],
        enterprise.units["SALES-N"],
        effective=dt.date(2023, 4, 1),
        parent=enterprise.units["DE"],
        name="Sales North (DE)",
    )
    html = page_of("hr", unit_url(enterprise, "SALES-N"))
    assert "Sales North (DE)" in html and "1 Apr 2023" in html
    assert "Scoreline GmbH" in html


def test_the_unit_page_lists_only_the_people_the_viewer_may_see(
    enterprise: Enterprise, page_of: PageOf
) -> None:
    html = page_of("employee", unit_url(enterprise, "SALES-N"))
    assert enterprise.people["employee"].full_name in html
    assert enterprise.people["seller0"].full_name not in html
    assert "1 person" in html


def test_team_composition_hides_small_gender_groups_from_a_manager(
    enterprise: Enterprise, page_of: PageOf
) -> None:
    # Sales: manager, employee and three sellers are women, two sellers are men. The men
    # are too few, and the women are merged with them so that 7 - 5 gives nothing away.
    html = page_of("manager", unit_url(enterprise, "SALES"))
    composition = html.split('id="composition"')[1].split("</section>")[0]
    assert "Female" not in composition and "Male" not in composition
    assert 'Other groups, merged</span></td><td class="num">7</td>' in composition
    assert '<td>G3</td><td class="num">7</td>' in composition


def test_team_composition_shows_small_groups_to_those_who_may_see_protected_attributes(
    enterprise: Enterprise, page_of: PageOf
) -> None:
    html = page_of("hr", unit_url(enterprise, "SALES"))
    composition = html.split('id="composition"')[1].split("</section>")[0]
    assert '<td>Male</td><td class="num">2</td>' in composition
    assert "Other groups, merged" not in composition


def test_the_directory_searches_by_name(enterprise: Enterprise, page_of: PageOf) -> None:
    html = page_of("hr", reverse("org:people") + "?q=seller")
    for index in range(5):
        assert enterprise.people[f"seller{index}"].full_name in html
    assert enterprise.people["ceo"].full_name not in html
    assert "5 people" in html
    both = page_of("hr", reverse("org:people") + "?q=fin+person12")
    assert "1 person" in both


def test_the_directory_is_paginated(
    enterprise: Enterprise, page_of: PageOf, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("scoreline.web.org.views.PAGE_SIZE", 5)
    first = page_of("hr", reverse("org:people"))
    assert "Page 1 of 4" in first and "?page=2" in first
    last = page_of("hr", reverse("org:people") + "?page=4&q=")
    assert "Page 4 of 4" in last
    searched = page_of("hr", reverse("org:people") + "?q=person")
    assert "?page=2&amp;q=person" in searched


def test_the_directory_of_a_manager_holds_their_team_and_themselves(
    enterprise: Enterprise, page_of: PageOf
) -> None:
    html = page_of("manager", reverse("org:people"))
    assert "7 people" in html
    assert enterprise.people["ceo"].full_name not in html


def test_the_navigation_shows_the_user_and_a_sign_out_button(
    enterprise: Enterprise, page_of: PageOf
) -> None:
    html = page_of("hr", reverse("org:tree"))
    assert 'data-testid="user-name">hr<' in html
    assert f'action="{reverse("logout")}"' in html
    assert f'href="{reverse("org:people")}"' in html
    assert f'href="{reverse("admin:index")}"' not in html
    assert f'href="{reverse("admin:index")}"' in page_of("admin", reverse("org:tree"))


def test_a_unit_or_person_that_does_not_exist_is_not_found(
    enterprise: Enterprise, client_for: Callable[[str | None], Client]
) -> None:
    client = client_for("admin")
    assert client.get(reverse("org:unit", args=[999_999])).status_code == 404
    assert client.get(reverse("org:person", args=[999_999])).status_code == 404


def test_a_unit_page_names_the_fiscal_year_and_period_it_reports_in(
    enterprise: Enterprise, page_of: PageOf
) -> None:
    import time_machine

    from scoreline.org.actions import do_save_reference_data
    from scoreline.org.models import FiscalCalendar

    do_save_reference_data(
        enterprise.users["admin"],
        FiscalCalendar(
            legal_entity=enterprise.units["UK"], year_start_month=4, period_type="month"
        ),
    )
    with time_machine.travel(dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC), tick=False):
        html = page_of("employee", unit_url(enterprise, "SALES-N"))
    assert "FY2027: 1 Apr 2026 to 1 Apr 2027" in html and "from Scoreline UK" in html
    assert "FY2027-M08 (monthly periods)" in html


@pytest.mark.parametrize(
    "query",
    ["?q=%00", "?q=Person%00", "?page=99999999999999999999", "?page=abc&q=" + "x" * 500],
)
def test_odd_search_input_never_breaks_the_people_directory(
    enterprise: Enterprise, client_for: Callable[[str | None], Client], query: str
) -> None:
    response = client_for("hr").get(reverse("org:people") + query)
    assert response.status_code == 200


@pytest.mark.parametrize("kind", ["unit", "person", "person-lines"])
def test_ids_beyond_any_integer_column_answer_not_found(
    enterprise: Enterprise, client_for: Callable[[str | None], Client], kind: str
) -> None:
    response = client_for("hr").get(reverse(f"org:{kind}", args=[10**30]))
    assert response.status_code == 404
