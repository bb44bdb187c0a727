"""The KPI architecture over the API: catalogue, targets, rules, values, scores, scorecards
and change requests, each called by an allowed user, a colleague without the right and an
outsider, with bad input refused by field and governed changes going through a request."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest

from scoreline.audit.models import AuditEvent
from scoreline.engine.scoring import score_linear
from scoreline.governance.models import ChangeRequest, ChangeState
from scoreline.kpis.models import Kpi, KpiValue, KpiVersion, StatusRule, Target
from scoreline.planning.models import PeriodState, PlanningPeriod
from tests.builders.api import ApiClient
from tests.builders.architecture import DAY, NEW_KPI, SPAN_END, Architecture
from tests.builders.enterprise import Enterprise

# ---------------------------------------------------------------- tests

Clients = Callable[[str | None], ApiClient]


@contextmanager
def nothing_written() -> Iterator[None]:
    """The block leaves the KPI tables and the audit trail as they were."""

    def state() -> tuple[Any, ...]:
        return (
            AuditEvent.objects.count(),
            sorted(KpiVersion.objects.values_list("pk", "valid_until")),
            sorted(Target.objects.values_list("pk", "valid_until")),
            sorted(StatusRule.objects.values_list("pk", "valid_until")),
            sorted(KpiValue.objects.values_list("pk", "value", "note")),
            ChangeRequest.objects.filter(state=ChangeState.PENDING).count(),
            ChangeRequest.objects.count(),
        )

    before = state()
    yield
    assert state() == before


def codes(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["items"]]


def open_fy2024() -> PlanningPeriod:
    return PlanningPeriod.objects.create(
        label="FY2024", start=DAY, end=SPAN_END, state=PeriodState.OPEN
    )


# The catalogue


@pytest.mark.usefixtures("arch")
def test_the_catalogue_is_open_to_members_and_closed_to_outsiders(api_as: Clients) -> None:
    assert codes(api_as("employee").get("/kpis")) == ["LEAD", "NPS", "REVENUE", "SCOPE1"]
    assert codes(api_as("employee").get("/kpis?q=promoter")) == ["NPS"]
    assert codes(api_as("employee").get("/kpis?kind=qualitative")) == ["LEAD"]
    assert codes(api_as("outsider").get("/kpis")) == []


def test_a_steward_adds_a_kpi_with_its_smart_check(api_as: Clients, arch: Architecture) -> None:
    response = api_as("steward").post("/kpis", NEW_KPI)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["definition"]["code"] == "CHURN"
    assert body["definition"]["unit_of_measure"] == "%"
    assert [check["letter"] for check in body["smart"]["checks"]] == ["S", "M", "A", "R", "T"]
    churn = Kpi.objects.get(code="CHURN")
    event = AuditEvent.objects.get(action="kpi.create", object_id=str(churn.pk))
    assert (event.actor_username, event.reason) == ("steward", "New KPI")


@pytest.mark.parametrize("persona", ["manager", "hr", "ceo", "employee", "outsider"])
@pytest.mark.usefixtures("arch")
def test_adding_a_kpi_needs_the_kpi_right(api_as: Clients, persona: str) -> None:
    with nothing_written():
        response = api_as(persona).post("/kpis", NEW_KPI)
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"formula": "REVENUE.real"}, "formula"),
        ({"formula": "__import__('os')"}, "formula"),
        ({"formula": "REVENUE / NOPE"}, "formula"),
        ({"direction": "sideways"}, "direction"),
        ({"scoring": "banded", "band_edges": [10, 5], "band_scores": [0, 50, 100]}, "band_edges"),
        ({"scoring": "banded", "band_edges": [5, 10], "band_scores": [0, 50]}, "band_scores"),
        ({"scoring": "rubric", "direction": "higher"}, "rubric"),
        ({"rubric": "nope"}, "rubric"),
        ({"code": "HAS SPACE"}, "code"),
        ({"code": "REVENUE"}, "code"),
        ({"owner": "E99999"}, "owner"),
        ({"name": None}, "name"),
        ({"shoe_size": 9}, "shoe_size"),
    ],
)
@pytest.mark.usefixtures("arch")
def test_a_bad_kpi_is_refused_with_the_field_and_reason(
    api_as: Clients, changes: dict[str, Any], field: str
) -> None:
    with nothing_written():
        response = api_as("admin").post("/kpis", NEW_KPI | changes)
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body["fields"], body
    assert body["fields"][field][0]


@pytest.mark.usefixtures("arch")
def test_a_forbidden_formula_construct_is_named(api_as: Clients) -> None:
    response = api_as("admin").post("/kpis", NEW_KPI | {"formula": "REVENUE.real"})
    assert response.status_code == 400
    assert "attribute" in response.json()["fields"]["formula"][0].lower()


@pytest.mark.parametrize("formula", ["42", "2*3", "0/0"])
@pytest.mark.usefixtures("arch")
def test_a_formula_that_reads_no_kpi_is_refused_on_creation_and_on_change(
    api_as: Clients, formula: str
) -> None:
    with nothing_written():
        created = api_as("admin").post("/kpis", NEW_KPI | {"formula": formula})
        changed = api_as("admin").patch(
            "/kpis/REVENUE",
            {"effective_from": "2024-06-01", "reason": "Constant", "formula": formula},
        )
    for response in (created, changed):
        assert response.status_code == 400, response.content
        message = response.json()["fields"]["formula"][0]
        assert "must read at least one KPI" in message and "target" in message


@pytest.mark.usefixtures("arch")
def test_a_stored_formula_without_inputs_does_not_break_reading_the_kpi(
    api_as: Clients,
) -> None:
    # A row saved before such formulas were refused: the KPI reads, with no values.
    KpiVersion.objects.filter(kpi__code="NPS").update(formula="2*3")
    response = api_as("employee").get("/kpis/NPS")
    assert response.status_code == 200, response.content
    assert response.json()["definition"]["formula"] == "2*3"
    assert api_as("employee").get("/kpis/REVENUE").status_code == 200


# One KPI


@pytest.mark.usefixtures("arch")
def test_a_kpi_shows_its_definition_smart_check_and_explained_latest_scores(
    api_as: Clients,
) -> None:
    response = api_as("employee").get("/kpis/REVENUE")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["in_force"] is True
    assert body["definition"]["owner"] == "E00004"
    assert body["smart"]["code"] == "REVENUE"
    # February's values: SALES's own, and the units above it aggregated from it.
    latest = {score["unit"]: score for score in body["latest_scores"]}
    assert set(latest) == {"SALES", "UK", "GRP"}
    assert {score["period"] for score in latest.values()} == {"2024-02-01"}
    latest = latest["SALES"]
    assert latest["value"] == 95.0
    assert latest["status"] == "amber"
    assert latest["explanation"]["score"] == pytest.approx(latest["score"])
    assert latest["explanation"]["segment"] == "between red flag 80 and goal 100"


@pytest.mark.usefixtures("arch")
def test_a_rubric_kpi_lists_its_levels(api_as: Clients) -> None:
    body = api_as("employee").get("/kpis/LEAD").json()
    assert [level["level"] for level in body["rubric_levels"]] == [1, 2, 3, 4, 5]
    assert body["rubric_levels"][0]["anchor"] == "Observable behaviour 1"


@pytest.mark.parametrize(("persona", "code"), [("outsider", "REVENUE"), ("admin", "NOPE")])
@pytest.mark.usefixtures("arch")
def test_a_kpi_the_caller_cannot_see_is_not_found(api_as: Clients, persona: str, code: str) -> None:
    for tail in ["", "/history", "/targets", "/status-rules", "/values", "/scores"]:
        response = api_as(persona).get(f"/kpis/{code}{tail}")
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), tail


@pytest.mark.usefixtures("arch")
def test_a_definition_change_is_a_new_version_with_its_history(api_as: Clients) -> None:
    steward = api_as("steward")
    response = steward.patch(
        "/kpis/REVENUE",
        {"effective_from": "2024-06-01", "reason": "Ledger wording", "name": "Net revenue"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["definition"]["name"] == "Net revenue"

    history = steward.get("/kpis/REVENUE/history").json()
    assert history["count"] == 2
    assert history["items"][0]["valid_until"] == "2024-06-01"
    last = history["items"][1]
    assert (last["author"], last["reason"], last["source"]) == ("steward", "Ledger wording", "api")
    assert last["changes"] == {"name": {"before": "Revenue", "after": "Net revenue"}}
    assert steward.get("/kpis/REVENUE?as_of=2024-05-31").json()["definition"]["name"] == "Revenue"


@pytest.mark.parametrize(
    ("persona", "status"), [("manager", 403), ("ceo", 403), ("employee", 403), ("outsider", 404)]
)
@pytest.mark.usefixtures("arch")
def test_changing_a_definition_needs_the_kpi_right(
    api_as: Clients, persona: str, status: int
) -> None:
    with nothing_written():
        response = api_as(persona).patch(
            "/kpis/REVENUE", {"effective_from": "2024-06-01", "reason": "x", "name": "Y"}
        )
    assert response.status_code == status


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"direction": "range"}, "scoring"),
        ({"formula": "where(REVENUE, NPS"}, "formula"),
        ({"formula": "REVENUE * 2"}, "formula"),
        ({"scoring": None}, "scoring"),
        ({"effective_from": "2024-13-01"}, "effective_from"),
    ],
)
@pytest.mark.usefixtures("arch")
def test_a_bad_definition_change_is_refused_with_the_field(
    api_as: Clients, changes: dict[str, Any], field: str
) -> None:
    body = {"effective_from": "2024-06-01", "reason": "Change"} | changes
    with nothing_written():
        response = api_as("admin").patch("/kpis/NPS", body)
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]


def test_a_governed_change_goes_through_a_request_approved_by_someone_else(
    api_as: Clients, arch: Architecture
) -> None:
    open_fy2024()
    steward, ceo = api_as("steward"), api_as("ceo")
    change = {"effective_from": "2024-07-01", "reason": "Ledger wording", "name": "Sales revenue"}

    with nothing_written():
        refused = steward.patch("/kpis/REVENUE", change)
    assert refused.status_code == 400
    assert refused.json()["code"] == "change_request_required"

    filed = steward.post(
        "/change-requests",
        {
            "kind": "kpi",
            "subject": "REVENUE",
            "payload": {"name": "Sales revenue"},
            "effective_from": "2024-07-01",
            "justification": "Ledger wording",
        },
    )
    assert filed.status_code == 201, filed.content
    request_id = filed.json()["id"]
    assert (filed.json()["state"], filed.json()["can_decide"]) == ("pending", False)
    assert filed.json()["id"] in [
        item["id"] for item in steward.get("/change-requests").json()["items"]
    ]

    with nothing_written():
        assert (
            steward.post(f"/change-requests/{request_id}/decision", {"approve": True}).status_code
            == 403
        )
        assert (
            api_as("hr")
            .post(f"/change-requests/{request_id}/decision", {"approve": True})
            .status_code
            == 404
        )
    inbox = ceo.get("/change-requests?state=pending").json()["items"]
    assert {item["id"]: item["can_decide"] for item in inbox}[request_id] is True

    approved = ceo.post(
        f"/change-requests/{request_id}/decision", {"approve": True, "note": "Fine"}
    )
    assert approved.status_code == 200, approved.content
    assert (approved.json()["state"], approved.json()["decided_by"]) == ("approved", "ceo")

    assert ceo.get("/kpis/REVENUE?as_of=2024-07-01").json()["definition"]["name"] == "Sales revenue"
    assert ceo.get("/kpis/REVENUE?as_of=2024-06-30").json()["definition"]["name"] == "Revenue"
    last = ceo.get("/kpis/REVENUE/history").json()["items"][-1]
    assert last["source"] == f"change_request:{request_id}"
    assert AuditEvent.objects.filter(action="change_request.approve").count() == 1
    # Decided once: it stays in the approver's history, decided, and cannot be decided again.
    history = ceo.get("/change-requests?state=approved").json()["items"]
    assert [(item["id"], item["can_decide"]) for item in history] == [(request_id, False)]
    again = ceo.post(f"/change-requests/{request_id}/decision", {"approve": True})
    assert (again.status_code, again.json()["code"]) == (409, "already_decided")


def test_a_rejection_needs_a_note(api_as: Clients, arch: Architecture) -> None:
    path = f"/change-requests/{arch.change_request.pk}/decision"
    with nothing_written():
        response = api_as("ceo").post(path, {"approve": False})
    assert response.status_code == 400
    assert "note" in response.json()["fields"]
    rejected = api_as("ceo").post(path, {"approve": False, "note": "Keep the name"})
    assert (rejected.status_code, rejected.json()["state"]) == (200, "rejected")
    assert KpiVersion.objects.filter(kpi=arch.kpis["REVENUE"]).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "budget"}, "kind"),
        ({"subject": "NOPE"}, "subject"),
        ({"payload": {"name": ""}}, "name"),
        ({"payload": {"colour": "red"}}, "colour"),
        ({"justification": ""}, "justification"),
        ({"payload": {"name": "Same"}, "unit": "NOWHERE"}, "unit"),
    ],
)
@pytest.mark.usefixtures("arch")
def test_a_bad_change_request_is_refused_with_the_field(
    api_as: Clients, body: dict[str, Any], field: str
) -> None:
    request = {
        "kind": "kpi",
        "subject": "REVENUE",
        "payload": {"name": "Net revenue"},
        "effective_from": "2024-07-01",
        "justification": "Why not",
    } | body
    with nothing_written():
        response = api_as("steward").post("/change-requests", request)
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]


@pytest.mark.parametrize(("persona", "status"), [("manager", 403), ("outsider", 403)])
@pytest.mark.usefixtures("arch")
def test_requesting_a_change_needs_the_right_to_make_it(
    api_as: Clients, persona: str, status: int
) -> None:
    with nothing_written():
        response = api_as(persona).post(
            "/change-requests",
            {
                "kind": "kpi",
                "subject": "REVENUE",
                "payload": {"name": "Net revenue"},
                "effective_from": "2024-07-01",
                "justification": "Why not",
            },
        )
    assert response.status_code == status


@pytest.mark.usefixtures("arch")
def test_the_inbox_holds_what_the_caller_filed_or_may_decide(api_as: Clients) -> None:
    def ids(persona: str) -> int:
        return int(api_as(persona).get("/change-requests").json()["count"])

    assert (ids("steward"), ids("ceo"), ids("admin")) == (1, 1, 1)
    assert (ids("hr"), ids("manager"), ids("employee"), ids("outsider")) == (0, 0, 0, 0)


# Targets


@pytest.mark.usefixtures("arch")
def test_targets_are_listed_by_unit(api_as: Clients) -> None:
    rows = api_as("employee").get("/kpis/REVENUE/targets?unit=SALES").json()["items"]
    assert [(row["unit"], row["threshold"], row["target"]) for row in rows] == [
        ("SALES", 80.0, 100.0)
    ]
    assert api_as("employee").get("/kpis/REVENUE/targets").json()["count"] == 2
    assert api_as("employee").get("/kpis/REVENUE/targets?unit=NOWHERE").status_code == 404


def test_a_steward_sets_a_target_and_repeating_it_changes_nothing(
    api_as: Clients, arch: Architecture
) -> None:
    target = {
        "unit": "FIN",
        "period_start": "2024-01",
        "period_end": "2025-01",
        "target_type": "increase_to",
        "threshold": 50,
        "target": 70,
        "reason": "Plan",
    }
    created = api_as("steward").post("/kpis/REVENUE/targets", target)
    assert created.status_code == 201, created.content
    assert (created.json()["unit"], created.json()["target"]) == ("FIN", 70.0)
    with nothing_written():
        repeated = api_as("steward").post("/kpis/REVENUE/targets", target)
    assert repeated.status_code == 200, repeated.content
    assert repeated.json()["valid_from"] == "2024-01-01"


def test_a_persons_target_is_seen_by_the_person_not_by_colleagues(
    api_as: Clients, arch: Architecture
) -> None:
    created = api_as("admin").post(
        "/kpis/REVENUE/targets",
        {
            "person": "E00005",
            "period_start": "2024-01",
            "period_end": "2025-01",
            "target_type": "stay_above",
            "threshold": 5,
            "target": 10,
        },
    )
    assert created.status_code == 201, created.content
    mine = api_as("employee").get("/kpis/REVENUE/targets?person=E00005").json()
    assert [row["person"] for row in mine["items"]] == ["E00005"]
    assert api_as("steward").get("/kpis/REVENUE/targets?person=E00005").status_code == 404


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"threshold": 120, "target": 100}, {"threshold", "target"}),
        ({"threshold": None}, {"threshold"}),
        ({"target_type": "decrease_to"}, {"target_type"}),
        ({"target_type": "range", "range_low": 10, "range_high": 5}, {"target_type"}),
        ({"period_end": "2023-12"}, {"period_end"}),
        ({"period_start": "2024-1"}, {"period_start"}),
        ({"phasing": "seasonal", "profile": [0] * 12}, {"profile"}),
        ({"phasing": "seasonal", "profile": [1, 2]}, {"profile"}),
        ({"unit": None}, {"unit", "person"}),
        ({"person": "E00005"}, {"unit", "person"}),
    ],
)
@pytest.mark.usefixtures("arch")
def test_a_bad_target_is_refused_with_the_fields(
    api_as: Clients, changes: dict[str, Any], fields: set[str]
) -> None:
    target = {
        "unit": "FIN",
        "period_start": "2024-01",
        "period_end": "2025-01",
        "target_type": "increase_to",
        "threshold": 50,
        "target": 70,
    } | changes
    with nothing_written():
        response = api_as("admin").post("/kpis/REVENUE/targets", target)
    assert response.status_code == 400, response.content
    assert fields <= set(response.json()["fields"]), response.json()


def test_thresholds_in_the_wrong_order_name_both_fields(
    api_as: Clients, arch: Architecture
) -> None:
    response = api_as("steward").post(
        "/kpis/REVENUE/targets",
        {"unit": "FIN", "period_start": "2024-01", "period_end": "2025-01",
         "target_type": "increase_to", "threshold": 120, "target": 100, "stretch": 150},
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "threshold": ["must not be above target (100)"],
        "target": ["must not be below threshold"],
    }


@pytest.mark.parametrize(("persona", "status"), [("manager", 403), ("hr", 403), ("outsider", 404)])
@pytest.mark.usefixtures("arch")
def test_setting_a_target_needs_the_kpi_right(api_as: Clients, persona: str, status: int) -> None:
    with nothing_written():
        response = api_as(persona).post(
            "/kpis/REVENUE/targets",
            {"unit": "SALES", "period_start": "2025-01", "period_end": "2026-01",
             "target_type": "increase_to", "threshold": 50, "target": 70},
        )  # fmt: skip
    assert response.status_code == status


def test_revising_a_target_in_an_open_period_needs_a_change_request(
    api_as: Clients, arch: Architecture
) -> None:
    open_fy2024()
    with nothing_written():
        response = api_as("steward").post(
            "/kpis/REVENUE/targets",
            {"unit": "SALES", "period_start": "2024-01", "period_end": "2025-01",
             "target_type": "increase_to", "threshold": 85, "target": 105,
             "effective_from": "2024-06-01"},
        )  # fmt: skip
    assert (response.status_code, response.json()["code"]) == (400, "change_request_required")


# Status rules


@pytest.mark.usefixtures("arch")
def test_a_kpi_inherits_the_default_rules_until_it_has_its_own(api_as: Clients) -> None:
    inherited = api_as("employee").get("/kpis/NPS/status-rules").json()
    assert inherited["inherited"] is True
    assert [rule["status"] for rule in inherited["rules"]] == ["green", "amber", "red"]

    rules = [
        {"basis": "score", "comparison": "ge", "bound": 80, "status": "green"},
        {"basis": "score", "comparison": "between", "bound": 50, "bound_upper": 80,
         "status": "amber"},
        {"basis": "value", "comparison": "otherwise", "status": "red"},
    ]  # fmt: skip
    saved = api_as("steward").put(
        "/kpis/NPS/status-rules", {"rules": rules, "effective_from": "2024-01-01"}
    )
    assert saved.status_code == 200, saved.content
    assert saved.json()["inherited"] is False
    assert [rule["comparison"] for rule in saved.json()["rules"]] == ["ge", "between", "otherwise"]
    # NPS at SALES scored 90 in January: still green under the new rules.
    scores = api_as("steward").get("/kpis/NPS/scores?unit=SALES").json()["items"]
    assert [score["status"] for score in scores] == ["green"]


@pytest.mark.parametrize(
    ("rules", "field"),
    [
        ([{"basis": "value", "comparison": "otherwise", "status": "red"},
          {"basis": "score", "comparison": "ge", "bound": 80, "status": "green"}],
         "rules[0].comparison"),
        ([{"basis": "score", "comparison": "between", "bound": 80, "bound_upper": 50,
           "status": "amber"},
          {"basis": "value", "comparison": "otherwise", "status": "red"}],
         "rules[0].bound_upper"),
        ([{"basis": "score", "comparison": "ge", "status": "green"},
          {"basis": "value", "comparison": "otherwise", "status": "red"}], "rules[0].bound"),
        ([{"basis": "score", "comparison": "ge", "bound": 80, "status": "purple"},
          {"basis": "value", "comparison": "otherwise", "status": "red"}], "rules[0].status"),
        ([{"basis": "mood", "comparison": "otherwise", "status": "red"}], "rules[0].basis"),
        ([], "rules"),
    ],
)  # fmt: skip
@pytest.mark.usefixtures("arch")
def test_bad_status_rules_are_refused_with_the_field(
    api_as: Clients, rules: list[dict[str, Any]], field: str
) -> None:
    with nothing_written():
        response = api_as("admin").put(
            "/kpis/NPS/status-rules", {"rules": rules, "effective_from": "2024-01-01"}
        )
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"], response.json()


@pytest.mark.parametrize(("persona", "status"), [("manager", 403), ("ceo", 403), ("outsider", 404)])
@pytest.mark.usefixtures("arch")
def test_setting_status_rules_needs_the_kpi_right(
    api_as: Clients, persona: str, status: int
) -> None:
    rules = [{"basis": "value", "comparison": "otherwise", "status": "red"}]
    with nothing_written():
        response = api_as(persona).put(
            "/kpis/NPS/status-rules", {"rules": rules, "effective_from": "2024-01-01"}
        )
    assert response.status_code == status


# Values and assessments


@pytest.mark.usefixtures("arch")
def test_values_are_listed_for_a_unit_and_months(api_as: Clients) -> None:
    client = api_as("employee")
    both = client.get("/kpis/REVENUE/values?unit=SALES").json()
    assert [(row["period"], row["value"]) for row in both["items"]] == [
        ("2024-01-01", 110.0),
        ("2024-02-01", 95.0),
    ]
    february = client.get("/kpis/REVENUE/values?unit=SALES&months=2024-02").json()
    assert [row["value"] for row in february["items"]] == [95.0]
    assert client.get("/kpis/REVENUE/values?unit=SALES-N").json()["items"][0]["note"] == (
        "Two sellers on leave"
    )
    bad_month = client.get("/kpis/REVENUE/values?unit=SALES&months=2024-2")
    assert bad_month.status_code == 400
    assert "months[0]" in bad_month.json()["fields"]
    both_subjects = client.get("/kpis/REVENUE/values?unit=SALES&person=E00005")
    assert both_subjects.status_code == 400


def test_a_steward_enters_a_value_and_it_is_scored(api_as: Clients, arch: Architecture) -> None:
    steward = api_as("steward")
    response = steward.post(
        "/kpis/REVENUE/values",
        {"unit": "SALES-N", "period": "2024-03", "value": 105, "unit_of_measure": "GBP"},
    )
    assert response.status_code == 201, response.content
    assert (response.json()["period"], response.json()["entered_by"]) == ("2024-03-01", "steward")

    (score,) = steward.get("/kpis/REVENUE/scores?unit=SALES-N&months=2024-03").json()["items"]
    assert (score["value"], score["status"]) == (105.0, "green")
    assert score["explanation"]["score"] == pytest.approx(score["score"])


@pytest.mark.parametrize(
    ("raw", "field", "code"),
    [
        ('{"unit": "SALES", "period": "2024-03", "value": NaN}', "value", "invalid"),
        ('{"unit": "SALES", "period": "2024-03", "value": Infinity}', "value", "invalid"),
        ('{"unit": "SALES", "period": "2024-03", "value": -Infinity}', "value", "invalid"),
        ('{"unit": "SALES", "period": "2024-03", "value": "lots"}', "value", "invalid"),
        ('{"unit": "SALES", "period": "2024-03", "value": 100, "unit_of_measure": "EUR"}',
         "unit_of_measure", "unit_mismatch"),
        ('{"unit": "SALES", "period": "2024-03", "value": 50}', "note", "note_required"),
        ('{"unit": "SALES", "period": "2024-13", "value": 100}', "period", "invalid"),
        ('{"unit": "SALES", "period": "2024-03-15", "value": 100}', "period", "invalid"),
        ('{"unit": "SALES", "period": "9999-12", "value": 100}', "period", "invalid"),
        ('{"unit": "NOWHERE", "period": "2024-03", "value": 100}', "unit", "unknown"),
        ('{"period": "2024-03", "value": 100}', "unit", "invalid"),
    ],
)  # fmt: skip
@pytest.mark.usefixtures("arch")
def test_a_bad_value_is_refused_with_the_field(
    api_as: Clients, raw: str, field: str, code: str
) -> None:
    with nothing_written():
        response = api_as("steward").post("/kpis/REVENUE/values", raw)
    assert response.status_code == 400, response.content
    body = response.json()
    assert (body["code"], field in body["fields"]) == (code, True), body


@pytest.mark.usefixtures("arch")
def test_a_red_value_with_a_note_is_kept_with_its_note(api_as: Clients) -> None:
    response = api_as("steward").post(
        "/kpis/REVENUE/values",
        {"unit": "SALES", "period": "2024-03", "value": 50, "note": "Lost the biggest account"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["note"] == "Lost the biggest account"


@pytest.mark.usefixtures("arch")
def test_a_calculated_kpi_is_not_entered_by_hand(api_as: Clients) -> None:
    created = api_as("admin").post(
        "/kpis",
        NEW_KPI | {"code": "REV2", "unit_of_measure": "GBP", "direction": "higher",
                   "formula": "REVENUE * 2"},
    )  # fmt: skip
    assert created.status_code == 201, created.content
    with nothing_written():
        response = api_as("admin").post(
            "/kpis/REV2/values", {"unit": "SALES", "period": "2024-03", "value": 1}
        )
    assert (response.status_code, response.json()["code"]) == (400, "calculated")


@pytest.mark.parametrize(
    ("persona", "status"), [("manager", 403), ("hr", 403), ("ceo", 403), ("outsider", 404)]
)
@pytest.mark.usefixtures("arch")
def test_entering_values_needs_the_right(api_as: Clients, persona: str, status: int) -> None:
    with nothing_written():
        response = api_as(persona).post(
            "/kpis/REVENUE/values", {"unit": "SALES", "period": "2024-03", "value": 100}
        )
    assert response.status_code == status


def test_an_assessment_rates_a_rubric_kpi_with_evidence(
    api_as: Clients, arch: Architecture
) -> None:
    # SALES has no leadership target: the rating stands on its own.
    steward = api_as("steward")
    first = steward.post(
        "/kpis/LEAD/assessments",
        {"unit": "SALES", "period": "2024-03", "level": 4, "evidence": "Ran the kick-off"},
    )
    assert first.status_code == 201, first.content
    assert (first.json()["rater"], first.json()["value"]) == ("E00011", 4.0)
    second = api_as("admin").post(
        "/kpis/LEAD/assessments",
        {"unit": "SALES", "period": "2024-03", "level": 2, "evidence": "Missed reviews",
         "rater": "E00001"},
    )  # fmt: skip
    assert second.status_code == 201, second.content
    assert second.json()["value"] == 3.0
    (score,) = steward.get("/kpis/LEAD/scores?unit=SALES&months=2024-03").json()["items"]
    assert score["explanation"]["method"] == "rubric"
    assert score["explanation"]["score"] == pytest.approx(score["score"]) == pytest.approx(50.0)


@pytest.mark.parametrize(
    ("body", "field", "persona"),
    [
        ({"level": 9}, "level", "steward"),
        ({"level": -1}, "level", "steward"),
        ({"evidence": ""}, "evidence", "steward"),
        ({}, "rater", "admin"),
    ],
)
@pytest.mark.usefixtures("arch")
def test_a_bad_assessment_is_refused_with_the_field(
    api_as: Clients, body: dict[str, Any], field: str, persona: str
) -> None:
    assessment = {"unit": "SALES-N", "period": "2024-03", "level": 3, "evidence": "Seen"} | body
    with nothing_written():
        response = api_as(persona).post("/kpis/LEAD/assessments", assessment)
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]


@pytest.mark.usefixtures("arch")
def test_only_rubric_kpis_are_assessed(api_as: Clients) -> None:
    response = api_as("steward").post(
        "/kpis/REVENUE/assessments",
        {"unit": "SALES-N", "period": "2024-03", "level": 3, "evidence": "Seen"},
    )
    assert (response.status_code, response.json()["code"]) == (400, "not_rated")


@pytest.mark.parametrize(("persona", "status"), [("manager", 403), ("hr", 403), ("outsider", 404)])
@pytest.mark.usefixtures("arch")
def test_assessing_needs_the_right_to_enter_values(
    api_as: Clients, persona: str, status: int
) -> None:
    with nothing_written():
        response = api_as(persona).post(
            "/kpis/LEAD/assessments",
            {"unit": "SALES-N", "period": "2024-03", "level": 3, "evidence": "Seen"},
        )
    assert response.status_code == status


# Scores


@pytest.mark.usefixtures("arch")
def test_each_score_carries_the_engines_explanation_of_its_stored_inputs(
    api_as: Clients,
) -> None:
    items = api_as("manager").get("/kpis/NPS/scores?unit=SALES").json()["items"]
    (january,) = items
    assert january["inputs"]["threshold"] == 20.0
    explanation = january["explanation"]
    assert explanation["method"] == "piecewise"
    assert explanation["inputs"] == {"threshold": 20.0, "target": 40.0, "stretch": 60.0}
    assert explanation["segment"] == "between target 40 and stretch 60"
    assert explanation["score"] == pytest.approx(january["score"]) == pytest.approx(90.0)
    assert january["explanation_error"] is None


@pytest.mark.usefixtures("arch")
def test_a_banded_score_is_explained_from_the_definitions_bands(api_as: Clients) -> None:
    admin = api_as("admin")
    created = admin.post(
        "/kpis",
        NEW_KPI | {"code": "DEFECTS", "unit_of_measure": "count", "direction": "lower",
                   "scoring": "banded", "band_edges": [2, 5], "band_scores": [0, 50, 100]},
    )  # fmt: skip
    assert created.status_code == 201, created.content
    entered = admin.post(
        "/kpis/DEFECTS/values",
        {"unit": "SALES", "period": "2024-03", "value": 3, "note": "Two returns, one recall"},
    )
    assert entered.status_code == 201, entered.content

    (score,) = admin.get("/kpis/DEFECTS/scores?unit=SALES").json()["items"]
    explanation = score["explanation"]
    assert explanation["method"] == "banded"
    assert explanation["inputs"] == {
        "edge_0": 2.0, "edge_1": 5.0, "band_score_0": 0.0, "band_score_1": 50.0,
        "band_score_2": 100.0,
    }  # fmt: skip
    assert explanation["score"] == pytest.approx(score["score"])


@pytest.mark.usefixtures("arch")
def test_a_value_without_a_target_explains_why_it_has_no_score(api_as: Clients) -> None:
    (grp,) = api_as("admin").get("/kpis/NPS/scores?unit=GRP").json()["items"]
    assert grp["score"] is None
    assert grp["explanation"]["formula"] == "a parameter is missing, so there is no score"


@pytest.mark.parametrize(
    ("persona", "path", "status"),
    [
        ("steward", "/kpis/REVENUE/scores?person=E00005", 404),
        ("employee", "/kpis/REVENUE/scores?person=E00005", 200),
        ("outsider", "/kpis/REVENUE/scores?unit=SALES", 404),
        ("admin", "/kpis/REVENUE/scores?unit=NOWHERE", 404),
        ("admin", "/kpis/REVENUE/scores?unit=SALES&months=24-01", 400),
    ],
)
@pytest.mark.usefixtures("arch")
def test_scores_of_what_the_caller_cannot_see_are_not_found(
    api_as: Clients, persona: str, path: str, status: int
) -> None:
    assert api_as(persona).get(path).status_code == status


# Scorecards


@pytest.mark.usefixtures("arch")
def test_a_units_scorecard_is_a_tree_down_to_kpis_with_drill_down(api_as: Clients) -> None:
    response = api_as("employee").get("/scorecards/SALES?period=2024-01")

    assert response.status_code == 200, response.content
    card = response.json()
    assert (card["unit"], card["period"]) == ("SALES", "2024-01-01")
    lanes = {lane["code"]: lane for lane in card["perspectives"]}
    assert set(lanes) == {"financial", "customer"}
    assert lanes["customer"]["score"] == pytest.approx(90.0)
    (growth,) = lanes["financial"]["objectives"]
    assert growth["code"] == "SALES-GROW"
    assert growth["kpis"] == [
        {
            "code": "REVENUE",
            "name": "Revenue",
            "unit_of_measure": "GBP",
            "weight": 2.0,
            "value": 110.0,
            "target": 100.0,
            "score": pytest.approx(100 / 3 * 2.5),
            "status": "green",
            "status_by": None,
        }
    ]
    assert [child["code"] for child in growth["children"]] == ["SALES-N-CALLS"]
    assert growth["split"]["summary"] == "own KPIs 100% · contributing objectives 0%"
    # The unit's score is the weighted mean of its perspectives' (equal weights by default).
    assert card["score"] == pytest.approx((100 / 3 * 2.5 + 90.0) / 2)
    assert [child["code"] for child in card["children"]] == ["SALES-N"]


@pytest.mark.usefixtures("arch")
def test_the_scorecard_defaults_to_the_latest_complete_month(api_as: Clients) -> None:
    # February has revenue but not the promoter score: one of the two values SALES expects.
    card = api_as("manager").get("/scorecards/SALES").json()
    assert card["period"] == "2024-01-01"
    assert (card["provisional"], card["coverage"]["state"]) == (False, "complete")
    assert card["coverage"]["present"] == card["coverage"]["expected"]


@pytest.mark.usefixtures("arch")
def test_a_month_chosen_with_too_few_values_is_provisional_with_its_coverage(
    api_as: Clients,
) -> None:
    card = api_as("manager").get("/scorecards/SALES?period=2024-02").json()
    assert card["period"] == "2024-02-01"
    assert card["provisional"] is True
    coverage = card["coverage"]
    assert coverage["state"] == "provisional"
    assert coverage["present"] < coverage["expected"]
    assert coverage["percent"] == pytest.approx(100 * coverage["present"] / coverage["expected"])


@pytest.mark.parametrize(
    ("persona", "path", "status"),
    [
        ("outsider", "/scorecards/SALES", 404),
        ("admin", "/scorecards/NOWHERE", 404),
        ("admin", "/scorecards/SALES?period=2024-13", 400),
    ],
)
@pytest.mark.usefixtures("arch")
def test_a_scorecard_the_caller_cannot_see_or_name_is_refused(
    api_as: Clients, persona: str, path: str, status: int
) -> None:
    assert api_as(persona).get(path).status_code == status


# The whole surface


def test_the_openapi_schema_still_generates_with_every_resource(api_as: Clients) -> None:
    response = api_as(None).get("/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/v1/objectives/{code}",
        "/api/v1/strategy-map",
        "/api/v1/kpis/{code}/scores",
        "/api/v1/scorecards/{unit_code}",
        "/api/v1/change-requests/{request_id}/decision",
        "/api/v1/workshops/{workshop_id}/agreement",
    ]:
        assert path in paths


GARBAGE = [
    "{",
    "[]",
    '"text"',
    "null",
    '{"junk": NaN}',
    '{"value": 1e999, "weight": -1e999, "period": "9999-99"}',
    '{"code": "\\u0000", "name": "\\u0000"}',
    '{"payload": {"name": "\\u0000"}, "kind": "kpi"}',
]


def test_garbage_never_makes_a_server_error(api_as: Clients, arch: Architecture) -> None:
    from scoreline.api import api

    fill = {
        "{code}": "REVENUE",
        "{unit_code}": "SALES",
        "{workshop_id}": str(arch.workshop.pk),
        "{request_id}": str(arch.change_request.pk),
    }
    admin = api_as("admin")
    for path, operations in api.get_openapi_schema()["paths"].items():
        if not any(root in path for root in ("objectives", "kpis", "scorecards", "change-",
                                              "workshops", "strategy-map", "perspectives",
                                              "themes", "esg")):  # fmt: skip
            continue
        url = path
        for placeholder, value in fill.items():
            url = url.replace(placeholder, value)
        if "/objectives/" in url:
            url = url.replace("REVENUE", "SALES-GROW")
        if "/perspectives/" in url or "/themes/" in url:
            url = url.replace("REVENUE", "growth")
        for method in operations:
            bodies: list[str | None] = [None] if method == "get" else list(GARBAGE)
            for body in bodies:
                response = admin.call(method.upper(), url + "?months=x&as_of=y", body)
                assert response.status_code < 500, (method, url, body, response.content)
                assert response.status_code != 200 or method == "get", (method, url, body)


@pytest.mark.usefixtures("arch")
def test_target_specificity_lists_the_targets_in_force_with_their_reach(api_as: Clients) -> None:
    response = api_as("ceo").get("/kpis/REVENUE/target-specificity?as_of=2024-02-15")
    assert response.status_code == 200
    rows = {row["unit"]: row for row in response.json()}
    assert set(rows) == {"SALES", "SALES-N"}
    # Two months of history are too few to judge: the reach is unknown, not guessed.
    assert rows["SALES"]["classification"] == "unknown" and rows["SALES"]["probability"] is None
    assert rows["SALES"]["target"] is not None


@pytest.mark.usefixtures("arch")
def test_target_specificity_without_targets_in_force_is_empty(api_as: Clients) -> None:
    assert api_as("ceo").get("/kpis/REVENUE/target-specificity?as_of=2030-01-01").json() == []


@pytest.mark.usefixtures("arch")
def test_a_kpi_rolls_up_over_time_by_its_own_time_aggregation(api_as: Clients) -> None:
    response = api_as("ceo").get("/kpis/REVENUE/periods?unit=SALES&per=quarter")
    assert response.status_code == 200
    (quarter,) = response.json()
    # REVENUE averages over time: January 110 and February 95 against a flat target of 100.
    assert (quarter["months"], quarter["value"], quarter["target"]) == (2, 102.5, 100.0)
    expected = score_linear(np.array([102.5]), 80.0, 100.0)[0]
    assert quarter["score"] == pytest.approx(expected)
    assert quarter["label"].startswith("FY") and "-Q" in quarter["label"]
    yearly = api_as("ceo").get("/kpis/REVENUE/periods?unit=SALES&per=year").json()
    assert [year["value"] for year in yearly] == [102.5]


@pytest.mark.usefixtures("arch")
def test_periods_need_a_subject_and_a_known_period_kind(api_as: Clients) -> None:
    assert api_as("ceo").get("/kpis/REVENUE/periods").status_code == 400
    assert api_as("ceo").get("/kpis/REVENUE/periods?unit=SALES&per=week").status_code == 400


@pytest.mark.usefixtures("arch")
def test_a_persons_scorecard_lists_their_goals(api_as: Clients, enterprise: Enterprise) -> None:
    employee = enterprise.people["employee"].employee_id
    card = api_as("employee").get(f"/scorecards/people/{employee}?period=2024-01").json()
    assert card["person"] == employee and card["period"] == "2024-01-01"
    assert [goal["code"] for goal in card["goals"]] == ["EMP-GOAL"]


@pytest.mark.usefixtures("arch")
def test_a_persons_scorecard_is_hidden_from_who_may_not_see_their_ratings(
    api_as: Clients, enterprise: Enterprise
) -> None:
    employee = enterprise.people["employee"].employee_id
    assert api_as("steward").get(f"/scorecards/people/{employee}").status_code == 404
