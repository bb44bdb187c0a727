"""The page where HR changes a person's reporting lines: the form, its refusals and who may use it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.test import Client
from django.urls import reverse

from scoreline.access.actions import do_grant_role
from scoreline.access.models import Role
from scoreline.audit.models import AuditEvent
from scoreline.lib.dates import effective_on, today
from scoreline.org.actions import LineSpec, do_set_reporting_lines
from scoreline.org.models import Person, ReportingLine
from tests.builders.enterprise import PASSWORD, START, Enterprise

ClientFor = Callable[[str | None], Client]
PageOf = Callable[[str | None, str], str]
Row = dict[str, str]

FROM = dt.date(2024, 3, 1)
VISITORS = ["admin", "ceo", "hr", "comp", "manager", "steward", "employee", "outsider", "anonymous"]
# Only holders of "manage org" over the person reach the page; those who cannot see the
# person at all are told it does not exist.
EXPECTED = {
    "admin": 200,
    "hr": 200,
    "ceo": 403,
    "comp": 403,
    "manager": 403,
    "employee": 403,
    "steward": 404,
    "outsider": 404,
}


def lines_url(world: Enterprise, key: str) -> str:
    return reverse("org:person-lines", args=[world.people[key].pk])


def person_url(world: Enterprise, key: str) -> str:
    return reverse("org:person", args=[world.people[key].pk])


def row(person: Person, kind: str, weight: str, unit: str = "") -> Row:
    return {"manager": person.employee_id, "kind": kind, "weight": weight, "unit": unit}


def form_data(
    rows: list[Row], effective: str = FROM.isoformat(), reason: str = "Joins Project Atlas"
) -> dict[str, str]:
    data = {
        "lines-TOTAL_FORMS": str(len(rows)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "20",
        "effective": effective,
        "reason": reason,
    }
    for index, values in enumerate(rows):
        data |= {f"lines-{index}-{name}": value for name, value in values.items()}
    return data


def matrix_rows(world: Enterprise) -> list[Row]:
    return [
        row(world.people["manager"], "solid", "70"),
        row(world.people["lead"], "project", "30", "PRJ"),
    ]


def written() -> tuple[int, int]:
    return ReportingLine.objects.count(), AuditEvent.objects.count()


def lines_on(person: Person, day: dt.date) -> set[tuple[int, str, Decimal, int | None]]:
    return {
        (line.manager_id, line.kind, line.weight, line.unit_id)
        for line in ReportingLine.objects.filter(effective_on(day), person=person)
    }


def refused(response: HttpResponseBase, *texts: str) -> str:
    assert isinstance(response, HttpResponse)
    assert response.status_code == 400
    html = response.content.decode()
    for text in texts:
        assert text in html, text
    return html


def test_an_hr_partner_sets_a_solid_and_a_project_line_from_a_date(
    enterprise: Enterprise, client_for: ClientFor
) -> None:
    employee, manager = enterprise.people["employee"], enterprise.people["manager"]
    lead, project = enterprise.people["lead"], enterprise.units["PRJ"]
    client = client_for("hr")

    response = client.post(lines_url(enterprise, "employee"), form_data(matrix_rows(enterprise)))

    assert response.status_code == 302
    assert response["Location"] == person_url(enterprise, "employee")
    assert lines_on(employee, FROM) == {
        (manager.pk, "solid", Decimal(70), None),
        (lead.pk, "project", Decimal(30), project.pk),
    }
    assert lines_on(employee, FROM - dt.timedelta(days=1)) == {
        (manager.pk, "solid", Decimal(100), None)
    }
    history = ReportingLine.objects.get(person=employee, valid_from=START)
    assert history.valid_until == FROM
    event = AuditEvent.objects.get(
        action="org.lines.set", object_id=str(employee.pk), actor_username="hr"
    )
    assert event.reason == "Joins Project Atlas"
    assert (
        "Reporting lines updated from 1 Mar 2024."
        in client.get(response["Location"]).content.decode()
    )


def test_the_form_opens_with_the_lines_in_force_today_two_empty_rows_and_today_as_the_date(
    enterprise: Enterprise, page_of: PageOf
) -> None:
    html = page_of("hr", lines_url(enterprise, "seller0"))
    manager, lead = enterprise.people["manager"], enterprise.people["lead"]
    assert f'value="{manager.employee_id}"' in html and manager.full_name in html
    assert f'value="{lead.employee_id}"' in html and lead.full_name in html
    assert 'value="60"' in html and 'value="40"' in html and 'value="PRJ"' in html
    assert 'name="lines-TOTAL_FORMS" value="4"' in html
    assert f'value="{today().isoformat()}"' in html


def test_a_line_can_be_removed_by_ticking_its_remove_box(
    enterprise: Enterprise, client_for: ClientFor
) -> None:
    seller, manager = enterprise.people["seller0"], enterprise.people["manager"]
    rows = [
        row(manager, "solid", "100"),
        {**row(enterprise.people["lead"], "project", "40", "PRJ"), "DELETE": "on"},
        {"manager": "", "kind": "dotted", "weight": "", "unit": ""},
    ]
    response = client_for("hr").post(lines_url(enterprise, "seller0"), form_data(rows))
    assert response.status_code == 302
    assert lines_on(seller, FROM) == {(manager.pk, "solid", Decimal(100), None)}


def test_weights_that_do_not_sum_to_100_are_refused_and_nothing_is_written(
    enterprise: Enterprise, client_for: ClientFor
) -> None:
    rows = [
        row(enterprise.people["manager"], "solid", "60"),
        row(enterprise.people["lead"], "project", "30", "PRJ"),
    ]
    before = written()
    response = client_for("hr").post(lines_url(enterprise, "employee"), form_data(rows))
    refused(response, "weights must sum to 100, got 90")
    assert written() == before


def test_an_unknown_employee_id_is_refused_on_its_row_naming_the_value(
    enterprise: Enterprise, client_for: ClientFor
) -> None:
    rows = [
        row(enterprise.people["manager"], "solid", "70"),
        {"manager": "E99999", "kind": "dotted", "weight": "30", "unit": ""},
    ]
    before = written()
    response = client_for("hr").post(lines_url(enterprise, "employee"), form_data(rows))
    refused(response, "Nobody you can see has the employee ID E99999.")
    assert written() == before


def test_an_unknown_unit_code_is_refused_naming_the_value(
    enterprise: Enterprise, client_for: ClientFor
) -> None:
    rows = [
        row(enterprise.people["manager"], "solid", "70"),
        row(enterprise.people["lead"], "project", "30", "NOPE"),
    ]
    response = client_for("hr").post(lines_url(enterprise, "employee"), form_data(rows))
    refused(response, "No unit you can see has the code NOPE.")


def test_a_date_before_the_lines_in_force_start_is_refused_as_an_overlap(
    enterprise: Enterprise, client_for: ClientFor
) -> None:
    employee, manager = enterprise.people["employee"], enterprise.people["manager"]
    do_set_reporting_lines(
        enterprise.users["admin"],
        employee,
        [LineSpec(manager=manager, kind="solid", weight=Decimal(100))],
        effective=FROM,
    )
    before = written()
    response = client_for("hr").post(
        lines_url(enterprise, "employee"),
        form_data(matrix_rows(enterprise), effective="2023-06-01"),
    )
    refused(response, "overlapping effective dates: lines already start on 2024-03-01")
    assert written() == before


def test_two_solid_lines_are_refused(enterprise: Enterprise, client_for: ClientFor) -> None:
    rows = [
        row(enterprise.people["manager"], "solid", "50"),
        row(enterprise.people["ceo"], "solid", "50"),
    ]
    before = written()
    response = client_for("hr").post(lines_url(enterprise, "employee"), form_data(rows))
    refused(response, "exactly one solid (primary) line is required, got 2")
    assert written() == before


def test_a_refusal_about_one_line_is_shown_beside_that_line(
    enterprise: Enterprise, client_for: ClientFor
) -> None:
    rows = [
        row(enterprise.people["manager"], "solid", "100"),
        row(enterprise.people["employee"], "dotted", "0"),
    ]
    html = refused(
        client_for("hr").post(lines_url(enterprise, "employee"), form_data(rows)),
        '<div class="field-error">a person cannot report to themselves</div>',
        '<div class="field-error">weight must be above 0 and at most 100, got 0</div>',
    )
    assert "Some lines need attention" in html


BAD_INPUT: dict[str, Callable[[dict[str, str]], object]] = {
    "weight abc": lambda data: data.update({"lines-0-weight": "abc"}),
    "weight 1e309": lambda data: data.update({"lines-0-weight": "1e309"}),
    "weight NaN": lambda data: data.update({"lines-0-weight": "NaN"}),
    "weight -inf": lambda data: data.update({"lines-0-weight": "-inf"}),
    "weight 100.001": lambda data: data.update({"lines-0-weight": "100.001"}),
    "weight with a thousand digits": lambda data: data.update({"lines-0-weight": "9" * 1000}),
    "unknown kind": lambda data: data.update({"lines-0-kind": "boss"}),
    "missing kind": lambda data: data.pop("lines-0-kind"),
    "manager but no weight": lambda data: data.pop("lines-1-weight"),
    "weight but no manager": lambda data: data.update({"lines-1-manager": ""}),
    "employee id too long": lambda data: data.update({"lines-0-manager": "E" * 500}),
    "impossible date": lambda data: data.update({"effective": "2024-02-30"}),
    "year zero": lambda data: data.update({"effective": "0000-01-01"}),
    "date in another format": lambda data: data.update({"effective": "1/3/2024"}),
    "date before hire": lambda data: data.update({"effective": "2019-12-31"}),
    "missing date": lambda data: data.pop("effective"),
    "missing reason": lambda data: data.pop("reason"),
    "no rows": lambda data: data.update({"lines-TOTAL_FORMS": "0"}),
    "negative form count": lambda data: data.update({"lines-TOTAL_FORMS": "-3"}),
    "huge form count": lambda data: data.update({"lines-TOTAL_FORMS": "1000000000"}),
    "form count not a number": lambda data: data.update({"lines-TOTAL_FORMS": "many"}),
    "missing management form": lambda data: data.pop("lines-TOTAL_FORMS"),
}


@pytest.mark.parametrize("spoil", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_is_refused_with_a_400_and_nothing_is_written(
    spoil: Callable[[dict[str, str]], object], enterprise: Enterprise, client_for: ClientFor
) -> None:
    data = form_data(matrix_rows(enterprise))
    spoil(data)
    before = written()
    refused(client_for("hr").post(lines_url(enterprise, "employee"), data))
    assert written() == before


def test_a_tampered_initial_form_count_changes_nothing(
    enterprise: Enterprise, client_for: ClientFor
) -> None:
    data = form_data(matrix_rows(enterprise)) | {"lines-INITIAL_FORMS": "1000000000"}
    response = client_for("hr").post(lines_url(enterprise, "employee"), data)
    assert response.status_code == 302
    assert len(lines_on(enterprise.people["employee"], FROM)) == 2


def test_more_rows_than_the_limit_are_refused(
    enterprise: Enterprise, client_for: ClientFor
) -> None:
    people = [enterprise.people[key] for key in ["ceo", "hr", "comp", "steward", "fin1"]]
    rows = [row(people[index % 5], "dotted", "4") for index in range(25)]
    refused(
        client_for("hr").post(lines_url(enterprise, "employee"), form_data(rows)),
        "Please submit at most 20 forms.",
    )


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_the_page_answers_each_visitor_as_the_access_rules_say(
    method: str, visitor: str, enterprise: Enterprise, client_for: ClientFor
) -> None:
    url = lines_url(enterprise, "employee")
    client = client_for(None if visitor == "anonymous" else visitor)
    before = written()
    if method == "get":
        response = client.get(url)
    else:
        response = client.post(url, form_data(matrix_rows(enterprise)))
    if visitor == "anonymous":
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={url}"
    elif method == "post" and EXPECTED[visitor] == 200:
        assert response.status_code == 302
    else:
        assert response.status_code == EXPECTED[visitor]
    if response.status_code == 403:
        assert "Not allowed" in response.content.decode()
    if response.status_code != 302 or visitor == "anonymous":
        assert written() == before


def test_the_right_to_change_lines_follows_the_unit_the_role_is_granted_on(
    enterprise: Enterprise, client_for: ClientFor
) -> None:
    roles = {role.code: role for role in Role.objects.all()}
    admin = enterprise.users["admin"]
    partner = User.objects.create_user("sales-hr", "sales-hr@example.com", PASSWORD)
    do_grant_role(admin, partner, roles["hr_partner"], enterprise.units["SALES"])
    do_grant_role(admin, partner, roles["executive"], enterprise.units["GRP"])
    client = Client()
    assert client.login(username="sales-hr", password=PASSWORD)
    assert client.get(lines_url(enterprise, "employee")).status_code == 200
    assert client.get(lines_url(enterprise, "fin1")).status_code == 403
    assert client.get(person_url(enterprise, "fin1")).status_code == 200


def test_the_person_page_links_to_the_form_only_for_those_who_may_change_lines(
    enterprise: Enterprise, page_of: PageOf
) -> None:
    link = f'href="{lines_url(enterprise, "employee")}"'
    assert link in page_of("hr", person_url(enterprise, "employee"))
    assert link in page_of("admin", person_url(enterprise, "employee"))
    assert link not in page_of("manager", person_url(enterprise, "employee"))
    assert link not in page_of("employee", person_url(enterprise, "employee"))
    assert "Change reporting lines" not in page_of("ceo", person_url(enterprise, "employee"))
