"""Bad input answers a 4xx naming the field and the reason, and writes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from scoreline.access.models import Grant
from scoreline.audit.models import AuditEvent
from scoreline.org.models import OrgUnit, Person, ReportingLine, UnitVersion
from tests.builders.api import ApiClient
from tests.builders.enterprise import Enterprise


@contextmanager
def nothing_written() -> Iterator[None]:
    def state() -> tuple[Any, ...]:
        return (
            AuditEvent.objects.count(),
            sorted(OrgUnit.objects.values_list("code", "path", "name", "manager_id")),
            UnitVersion.objects.count(),
            Person.objects.count(),
            sorted(ReportingLine.objects.values_list("pk", "valid_until")),
            Grant.objects.count(),
        )

    before = state()
    yield
    assert state() == before


def _new_unit(world: Enterprise, **changes: Any) -> dict[str, Any]:
    return {
        "code": "SALES-S",
        "name": "Sales South",
        "kind": "team",
        "parent_id": world.units["SALES"].pk,
        "country": "GB",
        "currency": "GBP",
        "valid_from": "2024-01-01",
        **changes,
    }


@pytest.fixture
def admin(api_as: Callable[[str | None], ApiClient]) -> ApiClient:
    return api_as("admin")


def test_moving_a_unit_under_its_own_descendant_is_a_cycle(
    admin: ApiClient, enterprise: Enterprise
) -> None:
    uk, sales_north = enterprise.units["UK"], enterprise.units["SALES-N"]

    with nothing_written():
        response = admin.patch(
            f"/units/{uk.pk}", {"effective": "2024-01-01", "parent_id": sales_north.pk}
        )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "cycle"
    assert "parent" in body["fields"]


def test_moving_a_unit_under_itself_is_a_cycle(admin: ApiClient, enterprise: Enterprise) -> None:
    sales = enterprise.units["SALES"]

    with nothing_written():
        response = admin.patch(
            f"/units/{sales.pk}", {"effective": "2024-01-01", "parent_id": sales.pk}
        )

    assert response.status_code == 400
    assert response.json()["code"] == "cycle"


def test_an_effective_date_not_after_the_current_version_overlaps(
    admin: ApiClient, enterprise: Enterprise
) -> None:
    sales = enterprise.units["SALES"]  # its current version starts on 2020-01-02

    with nothing_written():
        response = admin.patch(f"/units/{sales.pk}", {"effective": "2020-01-02", "name": "Renamed"})

    assert response.status_code == 400
    assert response.json()["code"] == "overlap"
    assert "effective" in response.json()["fields"]


def test_reporting_line_weights_must_sum_to_100(admin: ApiClient, enterprise: Enterprise) -> None:
    seller, manager, lead = (enterprise.people[key] for key in ["seller2", "manager", "lead"])
    lines = [
        {"manager_id": manager.pk, "kind": "solid", "weight": 60},
        {"manager_id": lead.pk, "kind": "dotted", "weight": 30},
    ]

    with nothing_written():
        response = admin.put(
            f"/people/{seller.pk}/reporting-lines", {"effective": "2024-01-01", "lines": lines}
        )

    assert response.status_code == 400
    assert "sum to 100" in response.json()["fields"]["lines"][0]


def test_reporting_lines_starting_before_existing_ones_overlap(
    admin: ApiClient, enterprise: Enterprise
) -> None:
    seller, manager = enterprise.people["seller2"], enterprise.people["manager"]
    lines = [{"manager_id": manager.pk, "kind": "solid", "weight": 100}]
    assert (
        admin.put(
            f"/people/{seller.pk}/reporting-lines", {"effective": "2024-06-01", "lines": lines}
        ).status_code
        == 200
    )

    with nothing_written():
        response = admin.put(
            f"/people/{seller.pk}/reporting-lines", {"effective": "2024-01-01", "lines": lines}
        )

    assert response.status_code == 400
    assert response.json()["code"] == "overlap"


def test_a_reporting_line_to_an_unknown_manager_names_the_line(
    admin: ApiClient, enterprise: Enterprise
) -> None:
    seller = enterprise.people["seller2"]
    lines = [{"manager_id": 987654, "kind": "solid", "weight": 100}]

    with nothing_written():
        response = admin.put(
            f"/people/{seller.pk}/reporting-lines", {"effective": "2024-01-01", "lines": lines}
        )

    assert response.status_code == 400
    assert "lines[0].manager_id" in response.json()["fields"]


def test_a_reporting_line_of_an_unknown_kind_names_the_line(
    admin: ApiClient, enterprise: Enterprise
) -> None:
    seller, manager = enterprise.people["seller2"], enterprise.people["manager"]
    lines = [{"manager_id": manager.pk, "kind": "sideways", "weight": 100}]

    with nothing_written():
        response = admin.put(
            f"/people/{seller.pk}/reporting-lines", {"effective": "2024-01-01", "lines": lines}
        )

    assert response.status_code == 400
    assert "lines[0].kind" in response.json()["fields"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"currency": "XYZ"}, "currency"),
        ({"country": "QQ"}, "country"),
        ({"kind": "empire"}, "kind"),
        ({"parent_id": 987654}, "parent_id"),
        ({"parent_id": "abc"}, "parent_id"),
        ({"parent_id": 10**30}, "parent_id"),
        ({"manager_id": 987654}, "manager_id"),
        ({"valid_from": "2024-13-45"}, "valid_from"),
        ({"valid_from": "01/02/2024"}, "valid_from"),
        ({"code": "x" * 41}, "code"),
        ({"code": "SALES"}, "code"),
        ({"nmae": "typo"}, "nmae"),
    ],
    ids=lambda value: str(value)[:30],
)
def test_creating_a_unit_with_a_bad_field_names_that_field(
    admin: ApiClient, enterprise: Enterprise, changes: dict[str, Any], field: str
) -> None:
    with nothing_written():
        response = admin.post("/units", _new_unit(enterprise, **changes))

    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body["fields"], body
    assert body["message"]


def test_a_missing_required_field_is_named(admin: ApiClient, enterprise: Enterprise) -> None:
    body = _new_unit(enterprise)
    del body["valid_from"]

    with nothing_written():
        response = admin.post("/units", body)

    assert response.status_code == 400
    assert "valid_from" in response.json()["fields"]


@pytest.mark.parametrize(
    "raw", [b"{not json", b"", b"[1, 2, 3]", b'"a string"', b"null"], ids=lambda raw: repr(raw)
)
def test_a_body_that_is_not_a_json_object_is_a_400(admin: ApiClient, raw: bytes) -> None:
    with nothing_written():
        response = admin.post("/units", raw)

    assert response.status_code == 400
    assert response.json()["code"] in {"malformed", "invalid"}


@pytest.mark.parametrize(
    ("path", "status", "field"),
    [
        ("/people/987654", 404, None),
        ("/people/abc", 400, "person_id"),
        ("/people/0", 400, "person_id"),
        ("/units/99999999999999999999999", 400, "unit_id"),
        ("/units/987654/headcount", 404, None),
        ("/people?page=0", 400, "page"),
        ("/people?page_size=zero", 400, "page_size"),
        ("/people?unit=987654", 400, "unit"),
        ("/grants/987654", 404, None),
    ],
)
def test_bad_ids_and_parameters_in_the_url_are_json_errors(
    admin: ApiClient, path: str, status: int, field: str | None
) -> None:
    response = admin.get(path) if not path.startswith("/grants") else admin.delete(path)

    assert response.status_code == status
    body = response.json()
    if status == 404:
        assert body["code"] == "not_found"
    else:
        assert body["code"] in {"invalid", "unknown"}
    if field:
        assert field in body["fields"]


def test_a_headcount_by_an_unknown_attribute_is_a_400(
    admin: ApiClient, enterprise: Enterprise
) -> None:
    response = admin.get(f"/units/{enterprise.units['SALES'].pk}/headcount?by=height")

    assert response.status_code == 400
    assert "by" in response.json()["fields"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"employee_id": "E00001"}, "employee_id"),
        ({"salary_currency": "XYZ", "base_salary": "1.00"}, "salary_currency"),
        ({"base_salary": "1000.00"}, "__all__"),
        ({"fte": "1.5"}, "fte"),
        ({"job_level": "three"}, "job_level"),
        ({"hire_date": None}, "hire_date"),
        ({"leave_date": "2019-01-01"}, "__all__"),
        ({"gender": "unknown"}, "gender"),
        ({"primary_unit_id": 987654}, "primary_unit_id"),
    ],
    ids=lambda value: str(value)[:30],
)
def test_changing_a_person_with_a_bad_field_names_that_field(
    admin: ApiClient, enterprise: Enterprise, changes: dict[str, Any], field: str
) -> None:
    # "__all__" names rules spanning fields (a salary needs its currency; leaving after joining).
    seller = enterprise.people["seller2"]
    if "base_salary" in changes and "salary_currency" not in changes:
        changes = {**changes, "salary_currency": None}

    with nothing_written():
        response = admin.patch(f"/people/{seller.pk}", changes)

    assert response.status_code == 400, response.content
    assert field in response.json()["fields"], response.json()


def test_granting_an_unknown_role_names_the_role(admin: ApiClient, enterprise: Enterprise) -> None:
    with nothing_written():
        response = admin.post(
            "/grants",
            {"user": "steward", "role": "overlord", "unit_id": enterprise.units["FIN"].pk},
        )

    assert response.status_code == 400
    assert "role" in response.json()["fields"]


def test_granting_to_an_unknown_user_names_the_user(
    admin: ApiClient, enterprise: Enterprise
) -> None:
    with nothing_written():
        response = admin.post(
            "/grants", {"user": "nobody", "role": "analyst", "unit_id": enterprise.units["FIN"].pk}
        )

    assert response.status_code == 400
    assert "user" in response.json()["fields"]


def test_granting_the_same_role_twice_is_a_400(admin: ApiClient, enterprise: Enterprise) -> None:
    with nothing_written():
        response = admin.post(
            "/grants",
            {"user": "steward", "role": "data_steward", "unit_id": enterprise.units["GRP"].pk},
        )

    assert response.status_code == 400
    assert response.json()["code"] == "duplicate"


def test_text_with_a_nul_character_is_refused_before_it_reaches_the_database(
    admin: ApiClient, enterprise: Enterprise
) -> None:
    seller = enterprise.people["seller2"]

    with nothing_written():
        body = admin.patch(f"/people/{seller.pk}", {"first_name": "A\x00B"}).json()
        search = admin.get("/people?q=%00")

    assert "first_name" in body["fields"]
    assert search.status_code == 400


def test_an_unknown_path_under_the_api_is_a_json_404(
    api_as: Callable[[str | None], ApiClient],
) -> None:
    response = api_as(None).get("/no-such-resource")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
