"""Retiring and creating objectives through the API under change control: a retirement, and
a new objective where a scorecard counts missing data, answer ``change_request_required``
inside an open planning period and are filed at ``/change-requests`` instead."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from scoreline.planning.models import PeriodState, PlanningPeriod
from scoreline.scoring.actions.scorecards import do_set_scorecard_policy
from scoreline.scoring.models import NodeKind, Score
from tests.builders.api import ApiClient
from tests.builders.architecture import DAY, NEW_OBJECTIVE, Architecture
from tests.builders.enterprise import Enterprise
from tests.builders.kpis import nothing_written, recomputed_scores, stored_scores

pytestmark = pytest.mark.django_db

Clients = Callable[[str | None], ApiClient]

FEBRUARY = dt.date(2024, 2, 1)
RETIRE = {"effective_from": "2024-02-01", "reason": "Folded into growth"}


def _fy2024(state: str = PeriodState.OPEN) -> PlanningPeriod:
    return PlanningPeriod.objects.create(
        label="FY2024", start=DAY, end=dt.date(2025, 1, 1), state=state
    )


def _file(client: ApiClient, kind: str, subject: str, payload: dict[str, Any]) -> Any:
    return client.post(
        "/change-requests",
        {
            "kind": kind,
            "subject": subject,
            "payload": payload,
            "effective_from": "2024-01-01" if kind == "new_objective" else "2024-02-01",
            "justification": "The plan changed",
        },
    )


def _new_visits(enterprise: Enterprise, **fields: Any) -> dict[str, Any]:
    """The ``new_objective`` payload of the API's NEW_OBJECTIVE body."""
    return {
        "name": NEW_OBJECTIVE["name"],
        "perspective": NEW_OBJECTIVE["perspective"],
        "unit_id": enterprise.units["SALES-N"].pk,
        "parent": NEW_OBJECTIVE["parent"],
        "horizon_start": NEW_OBJECTIVE["horizon_start"],
        "horizon_end": NEW_OBJECTIVE["horizon_end"],
    } | fields


def _objective_months(code: str) -> set[dt.date]:
    rows = Score.objects.filter(kind=NodeKind.OBJECTIVE, objective__code=code)
    return set(rows.values_list("period", flat=True))


# ------------------------------------------------------------------------------ retirement


@pytest.mark.usefixtures("arch")
def test_an_objective_is_retired_directly_outside_planning_periods(api_as: Clients) -> None:
    response = api_as("manager").post("/objectives/SALES-NPS/retirement", RETIRE)
    assert response.status_code == 200, response.content
    assert response.json()["in_force"] is False
    assert response.json()["objective"]["valid_until"] == "2024-02-01"
    assert stored_scores() == recomputed_scores()


@pytest.mark.parametrize(
    ("persona", "subject", "status"),
    [
        ("steward", "SALES-NPS", 403),
        ("employee", "SALES-NPS", 403),
        ("outsider", "SALES-NPS", 404),
        ("manager", "GRP-CO2", 403),  # the group's objective: above the manager's unit
    ],
)
@pytest.mark.usefixtures("arch")
def test_retiring_needs_the_strategy_right_over_the_objectives_unit(
    api_as: Clients, persona: str, subject: str, status: int
) -> None:
    with nothing_written():
        response = api_as(persona).post(f"/objectives/{subject}/retirement", RETIRE)
    assert response.status_code == status


@pytest.mark.usefixtures("arch")
def test_a_retirement_with_a_bad_day_or_while_leading_others_is_refused_with_the_field(
    api_as: Clients,
) -> None:
    manager = api_as("manager")
    with nothing_written():
        leading = manager.post("/objectives/SALES-GROW/retirement", RETIRE)
        bad_day = manager.post("/objectives/SALES-NPS/retirement", {"effective_from": "soon"})
        unknown = manager.post("/objectives/SALES-NPS/retirement", RETIRE | {"colour": "red"})
    assert leading.status_code == 400 and leading.json()["code"] == "has_children"
    assert "effective" in leading.json()["fields"]
    assert bad_day.status_code == 400 and "effective_from" in str(bad_day.json()["fields"])
    assert unknown.status_code == 400 and "colour" in str(unknown.json()["fields"])


def test_a_retirement_in_an_open_period_goes_through_a_change_request_and_rescores(
    api_as: Clients, arch: Architecture
) -> None:
    _fy2024()
    manager, ceo = api_as("manager"), api_as("ceo")
    before = stored_scores()
    with nothing_written():
        refused = manager.post("/objectives/SALES-NPS/retirement", RETIRE)
    assert refused.status_code == 400
    assert refused.json()["code"] == "change_request_required"

    filed = _file(manager, "objective", "SALES-NPS", {"retire": True})
    assert filed.status_code == 201, filed.content
    assert (filed.json()["unit"], filed.json()["payload"]) == ("SALES", {"retire": True})
    request_id = filed.json()["id"]
    assert (
        manager.post(f"/change-requests/{request_id}/decision", {"approve": True}).status_code
        == 403
    )
    assert stored_scores() == before
    approved = ceo.post(f"/change-requests/{request_id}/decision", {"approve": True})
    assert approved.status_code == 200, approved.content
    assert approved.json()["state"] == "approved"

    detail = ceo.get("/objectives/SALES-NPS?as_of=2024-02-01").json()
    assert detail["in_force"] is False
    assert stored_scores() == recomputed_scores()
    assert all(month < FEBRUARY for month in _objective_months("SALES-NPS"))


def test_a_retirement_in_a_closed_period_is_refused_directly_and_by_request(
    api_as: Clients, arch: Architecture
) -> None:
    _fy2024(PeriodState.CLOSED)
    manager = api_as("manager")
    with nothing_written():
        direct = manager.post("/objectives/SALES-NPS/retirement", RETIRE)
        requested = _file(manager, "objective", "SALES-NPS", {"retire": True})
    assert direct.json()["code"] == requested.json()["code"] == "period_closed"


# ------------------------------------------------------------------------------ creation


def test_under_the_default_policy_a_new_objective_is_created_directly_in_an_open_period(
    api_as: Clients, arch: Architecture
) -> None:
    _fy2024()
    created = api_as("manager").post("/objectives", NEW_OBJECTIVE)
    assert created.status_code == 201, created.content


def test_a_new_objective_counted_as_missing_goes_through_a_change_request_and_rescores(
    api_as: Clients, arch: Architecture, enterprise: Enterprise
) -> None:
    do_set_scorecard_policy(
        enterprise.users["admin"], enterprise.units["SALES"], combine="weighted_mean",
        missing="zero", cap_at_100=True, effective=DAY,
    )  # fmt: skip
    _fy2024()
    manager, ceo = api_as("manager"), api_as("ceo")
    before = stored_scores()
    # SALES-NPS has no contributing objective yet: a first one, without data, counts zero.
    under_nps = {"parent": "SALES-NPS"}
    with nothing_written():
        refused = manager.post("/objectives", NEW_OBJECTIVE | under_nps)
    assert refused.status_code == 400
    assert refused.json()["code"] == "change_request_required"

    filed = _file(manager, "new_objective", "SALES-N-VISITS", _new_visits(enterprise, **under_nps))
    assert filed.status_code == 201, filed.content
    assert filed.json()["unit"] == "SALES-N"
    assert api_as("steward").post(
        f"/change-requests/{filed.json()['id']}/decision", {"approve": True}
    ).status_code in (403, 404)
    approved = ceo.post(f"/change-requests/{filed.json()['id']}/decision", {"approve": True})
    assert approved.status_code == 200, approved.content

    detail = ceo.get("/objectives/SALES-N-VISITS?as_of=2024-01-01")
    assert detail.status_code == 200
    assert detail.json()["parent"]["code"] == "SALES-NPS"
    stored = stored_scores()
    assert stored == recomputed_scores()
    # Decision 7: its own KPIs now carry 70% of SALES-NPS, the new objective (zero) 30%.
    nps = arch.objectives["SALES-NPS"].pk
    [january] = [key for key in before if key[2] == nps and key[6] == DAY]
    own = before[january]
    assert own is not None and stored[january] == pytest.approx(0.7 * own)


@pytest.mark.parametrize(("persona", "status"), [("steward", 403), ("outsider", 403)])
def test_filing_a_new_objective_needs_the_strategy_right(
    api_as: Clients, arch: Architecture, enterprise: Enterprise, persona: str, status: int
) -> None:
    _fy2024()
    with nothing_written():
        response = _file(
            api_as(persona), "new_objective", "SALES-N-VISITS", _new_visits(enterprise)
        )
    assert response.status_code == status


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": None}, "name"),
        ({"perspective": "no-such"}, "perspective"),
        ({"unit_id": None}, "unit_id"),
        ({"parent": "NO-SUCH"}, "parent"),
        ({"horizon_end": "2023-01-01"}, "horizon_end"),
    ],
)
def test_a_bad_new_objective_request_is_refused_with_the_field(
    api_as: Clients,
    arch: Architecture,
    enterprise: Enterprise,
    fields: dict[str, Any],
    field: str,
) -> None:
    _fy2024()
    with nothing_written():
        response = _file(
            api_as("manager"), "new_objective", "SALES-N-VISITS", _new_visits(enterprise, **fields)
        )
    assert response.status_code == 400
    assert field in response.json()["fields"]
