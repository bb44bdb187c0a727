"""The strategy over the API: objectives, the cascade, the map, perspectives, themes, ESG and
workshops, each called by an allowed user, a colleague without the right and an outsider."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from scoreline.audit.models import AuditEvent
from scoreline.governance.models import ChangeRequest
from scoreline.kpis.models import ObjectiveMeasure
from scoreline.planning.models import PeriodState, PlanningPeriod
from scoreline.strategy.models import (
    Objective,
    ObjectiveLink,
    ObjectiveVersion,
    Perspective,
    Theme,
    Workshop,
    WorkshopAllocation,
)
from tests.builders.api import ApiClient
from tests.builders.architecture import NEW_OBJECTIVE, Architecture
from tests.builders.kpis import recomputed_scores, stored_scores

Clients = Callable[[str | None], ApiClient]


@contextmanager
def nothing_written() -> Iterator[None]:
    """The block leaves the strategy tables and the audit trail as they were."""

    def state() -> tuple[int, ...]:
        return tuple(
            model.objects.count()
            for model in (
                AuditEvent,
                ObjectiveVersion,
                ObjectiveLink,
                ObjectiveMeasure,
                Perspective,
                Theme,
                Workshop,
                WorkshopAllocation,
                ChangeRequest,
            )
        )

    before = state()
    yield
    assert state() == before


def codes(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["items"]]


def open_fy2024() -> PlanningPeriod:
    return PlanningPeriod.objects.create(
        label="FY2024", start=dt.date(2024, 1, 1), end=dt.date(2025, 1, 1), state=PeriodState.OPEN
    )


# Objectives: lists


@pytest.mark.usefixtures("arch")
def test_each_persona_lists_the_objectives_it_may_see(api_as: Clients) -> None:
    everything = ["GRP-CO2", "GRP-GROW", "SALES-GROW", "SALES-NPS", "SALES-N-CALLS", "EMP-GOAL"]
    assert sorted(codes(api_as("admin").get("/objectives"))) == sorted(everything)
    # The employee sees every unit's objectives and their own goal.
    assert sorted(codes(api_as("employee").get("/objectives"))) == sorted(everything)
    # The steward may not see the employee's ratings, so not their individual goal either.
    assert "EMP-GOAL" not in codes(api_as("steward").get("/objectives"))
    assert codes(api_as("outsider").get("/objectives")) == []


@pytest.mark.usefixtures("arch")
def test_objectives_are_filtered_by_unit_perspective_and_missing_kpis(api_as: Clients) -> None:
    ceo = api_as("ceo")
    assert codes(ceo.get("/objectives?unit=SALES")) == ["SALES-GROW", "SALES-NPS"]
    assert codes(ceo.get("/objectives?perspective=customer")) == ["SALES-NPS"]
    assert sorted(codes(ceo.get("/objectives?unmeasured=true"))) == [
        "EMP-GOAL",
        "GRP-GROW",
        "SALES-N-CALLS",
    ]
    response = ceo.get("/objectives?unit=NOWHERE")
    assert response.status_code == 400
    assert response.json()["fields"] == {"unit": ["no unit with code 'NOWHERE'"]}


# Objectives: create


def test_a_manager_creates_an_objective_in_their_subtree(
    api_as: Clients, arch: Architecture
) -> None:
    response = api_as("manager").post("/objectives", NEW_OBJECTIVE)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["objective"]["code"] == "SALES-N-VISITS"
    assert body["objective"]["level"] == "team"
    assert body["parent"]["code"] == "SALES-GROW"
    assert body["measured"] is False
    created = Objective.objects.get(code="SALES-N-VISITS")
    event = AuditEvent.objects.get(action="objective.create", object_id=str(created.pk))
    assert (event.actor_username, event.reason) == ("manager", "Kick-off")


@pytest.mark.parametrize(
    ("persona", "unit", "status"),
    [("manager", "FIN", 403), ("hr", "SALES-N", 403), ("steward", "SALES-N", 403),
     ("outsider", "SALES-N", 403)],
)  # fmt: skip
@pytest.mark.usefixtures("arch")
def test_creating_an_objective_needs_the_strategy_right_on_its_unit(
    api_as: Clients, persona: str, unit: str, status: int
) -> None:
    with nothing_written():
        response = api_as(persona).post("/objectives", NEW_OBJECTIVE | {"unit": unit})
    assert response.status_code == status
    assert response.json()["code"] == "forbidden"


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"weight": -1}, "weight", "invalid"),
        ({"contribution_weight": -0.5}, "contribution_weight", "invalid"),
        ({"horizon_end": "2023-01-01"}, "horizon_end", "invalid"),
        ({"perspective": "nowhere"}, "perspective", "unknown"),
        ({"unit": None}, "unit", "invalid"),
        ({"parent": "EMP-GOAL"}, "parent", "cascade"),
        ({"esg_pillar": "X"}, "esg_pillar", "invalid"),
        ({"colour": "blue"}, "colour", "invalid"),
        ({"code": ""}, "code", "invalid"),
        ({"code": "GRP-GROW"}, "code", "duplicate"),
    ],
)
@pytest.mark.usefixtures("arch")
def test_a_bad_objective_is_refused_with_the_field_and_reason(
    api_as: Clients, changes: dict[str, Any], field: str, code: str
) -> None:
    with nothing_written():
        response = api_as("admin").post("/objectives", NEW_OBJECTIVE | changes)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == code
    assert field in body["fields"]
    assert body["fields"][field][0]


# Objectives: detail, history and changes


def test_an_objective_shows_its_cascade_links_kpis_and_explained_score(
    api_as: Clients, arch: Architecture
) -> None:
    response = api_as("employee").get("/objectives/SALES-GROW")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["in_force"] is True
    assert body["parent"]["code"] == "GRP-GROW"
    assert [child["code"] for child in body["children"]] == ["SALES-N-CALLS"]
    assert [cause["code"] for cause in body["causes"]] == ["SALES-NPS"]
    assert body["effects"] == []
    assert [(m["kpi"], m["weight"]) for m in body["measures"]] == [("REVENUE", 2.0)]
    latest = body["latest_score"]
    assert latest["period"] == "2024-02-01"
    # One KPI: the objective scores what REVENUE scores (95 between 80 and 100 -> 58.33).
    assert latest["score"] == pytest.approx(100 / 3 * (1 + 15 / 20))
    assert latest["explanation"]["combine"] == "weighted_mean"
    # SALES-N-CALLS contributes but has no score: skipped, the own KPI carries it all.
    assert latest["split"] == {
        "cascade_share": 0.3,
        "weakest_link": False,
        "parts": [
            {"part": "own_kpis", "label": "own KPIs", "share": 1.0,
             "score": pytest.approx(latest["score"])},
            {"part": "contributing", "label": "contributing objectives", "share": 0.0,
             "score": None},
        ],
        "summary": "own KPIs 100% · contributing objectives 0%",
        "arithmetic": "",
        "note": "the contributing objectives have no score this month, so they are skipped",
    }  # fmt: skip
    assert latest["measures"] == [
        {
            "code": "REVENUE",
            "weight": 2.0,
            "score": pytest.approx(latest["score"]),
            "status": "amber",
        }
    ]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("employee", 200), ("manager", 200), ("hr", 200), ("steward", 404), ("comp", 200),
     ("outsider", 404)],
)  # fmt: skip
@pytest.mark.usefixtures("arch")
def test_an_individual_goal_is_seen_only_by_those_who_may_see_the_persons_ratings(
    api_as: Clients, persona: str, status: int
) -> None:
    assert api_as(persona).get("/objectives/EMP-GOAL").status_code == status


@pytest.mark.usefixtures("arch")
def test_an_unknown_objective_is_not_found(api_as: Clients) -> None:
    response = api_as("admin").get("/objectives/NOPE")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.usefixtures("arch")
def test_a_code_with_a_nul_character_is_bad_input(api_as: Clients) -> None:
    response = api_as("admin").get("/objectives/A%00B")
    assert response.status_code == 400
    assert "code" in response.json()["fields"]


@pytest.mark.usefixtures("arch")
def test_a_change_is_a_new_version_with_author_reason_and_diff(api_as: Clients) -> None:
    response = api_as("manager").patch(
        "/objectives/SALES-GROW",
        {
            "effective_from": "2024-07-01",
            "reason": "Sharper wording",
            "name": "Grow sales by a tenth",
            "theme": "growth",
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["objective"]["name"] == "Grow sales by a tenth"

    history = api_as("ceo").get("/objectives/SALES-GROW/history").json()
    assert history["count"] == 2
    first, second = history["items"]
    assert (first["valid_from"], first["valid_until"]) == ("2024-01-01", "2024-07-01")
    assert second["author"] == "manager"
    assert second["reason"] == "Sharper wording"
    assert second["source"] == "api"
    assert second["changes"] == {
        "name": {"before": "Objective SALES-GROW", "after": "Grow sales by a tenth"},
        "theme": {"before": None, "after": "growth"},
    }
    # The old version still answers for days before the change.
    before = api_as("ceo").get("/objectives/SALES-GROW?as_of=2024-03-01").json()
    assert before["objective"]["name"] == "Objective SALES-GROW"


@pytest.mark.parametrize(
    ("persona", "status", "code"),
    [("steward", 403, "forbidden"), ("hr", 403, "forbidden"), ("employee", 403, "forbidden"),
     ("outsider", 404, "not_found")],
)  # fmt: skip
@pytest.mark.usefixtures("arch")
def test_changing_an_objective_needs_the_strategy_right(
    api_as: Clients, persona: str, status: int, code: str
) -> None:
    with nothing_written():
        response = api_as(persona).patch(
            "/objectives/SALES-GROW", {"effective_from": "2024-07-01", "reason": "x", "name": "Y"}
        )
    assert (response.status_code, response.json()["code"]) == (status, code)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"weight": -2}, "weight"),
        ({"weight": None}, "weight"),
        ({"reason": ""}, "reason"),
        ({"parent": "SALES-N-CALLS"}, "parent"),
        ({"owner": "E99999"}, "owner"),
    ],
)
@pytest.mark.usefixtures("arch")
def test_a_bad_change_is_refused_with_the_field(
    api_as: Clients, changes: dict[str, Any], field: str
) -> None:
    body = {"effective_from": "2024-07-01", "reason": "Change"} | changes
    with nothing_written():
        response = api_as("admin").patch("/objectives/SALES-GROW", body)
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]


def test_a_change_of_the_description_alone_is_refused_while_the_parent_breaks_the_cascade(
    api_as: Clients, arch: Architecture
) -> None:
    # A team's objective leading a department's, written past the actions as a bulk load might.
    ObjectiveVersion.objects.filter(objective=arch.objectives["SALES-NPS"]).update(
        parent=arch.objectives["SALES-N-CALLS"]
    )
    body = {"effective_from": "2024-07-01", "reason": "Clearer", "description": "Promoters"}
    with nothing_written():
        response = api_as("admin").patch("/objectives/SALES-NPS", body)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "cascade"
    assert response.json()["fields"]["parent"] == [
        "SALES-N-CALLS belongs to Sales North, which is neither Sales nor a unit above it"
    ]


def test_moving_an_objective_in_the_cascade_rescores_the_scorecards_it_rolls_into(
    api_as: Clients, arch: Architecture
) -> None:
    before = recomputed_scores()
    body = {
        "effective_from": "2024-01-01",
        "reason": "Customers drive growth",
        "parent": "GRP-GROW",
    }
    response = api_as("admin").patch("/objectives/SALES-NPS", body)
    assert response.status_code == 200, response.content
    stored = stored_scores()
    assert stored == recomputed_scores()
    # GRP-GROW now rolls up SALES-NPS beside SALES-GROW: its January score moved.
    grow = arch.objectives["GRP-GROW"].pk
    january = [key for key in before if key[2] == grow and key[6] == dt.date(2024, 1, 1)]
    assert january and all(stored[key] != before[key] for key in january)


def test_a_weight_change_in_an_open_period_goes_through_a_change_request(
    api_as: Clients, arch: Architecture
) -> None:
    open_fy2024()
    manager, ceo = api_as("manager"), api_as("ceo")
    change = {"effective_from": "2024-06-01", "reason": "Growth first", "weight": 3}

    with nothing_written():
        refused = manager.patch("/objectives/SALES-GROW", change)
    assert refused.status_code == 400
    assert refused.json()["code"] == "change_request_required"
    assert "effective" in refused.json()["fields"]

    filed = manager.post(
        "/change-requests",
        {
            "kind": "objective_weight",
            "subject": "SALES-GROW",
            "payload": {"weight": 3},
            "effective_from": "2024-06-01",
            "justification": "Growth first",
        },
    )
    assert filed.status_code == 201, filed.content
    request_id = filed.json()["id"]
    assert filed.json()["unit"] == "SALES"

    own = manager.post(f"/change-requests/{request_id}/decision", {"approve": True})
    assert own.status_code == 403
    approved = ceo.post(f"/change-requests/{request_id}/decision", {"approve": True, "note": "Yes"})
    assert approved.status_code == 200, approved.content
    assert approved.json()["state"] == "approved"

    detail = ceo.get("/objectives/SALES-GROW?as_of=2024-06-01").json()
    assert detail["objective"]["weight"] == 3.0
    last = ceo.get("/objectives/SALES-GROW/history").json()["items"][-1]
    assert last["source"] == f"change_request:{request_id}"
    assert last["changes"] == {"weight": {"before": 1.0, "after": 3.0}}


@pytest.mark.parametrize(("persona", "status"), [("steward", 403), ("outsider", 403)])
@pytest.mark.usefixtures("arch")
def test_filing_a_move_needs_the_strategy_right(api_as: Clients, persona: str, status: int) -> None:
    open_fy2024()
    move = {
        "kind": "objective",
        "subject": "SALES-NPS",
        "payload": {"parent": "GRP-GROW"},
        "effective_from": "2024-06-01",
        "justification": "Customers drive growth",
    }
    with nothing_written():
        assert api_as(persona).post("/change-requests", move).status_code == status


def test_a_move_in_an_open_period_goes_through_a_change_request_and_rescores(
    api_as: Clients, arch: Architecture
) -> None:
    open_fy2024()
    before = recomputed_scores()
    manager, ceo = api_as("manager"), api_as("ceo")
    body = {"effective_from": "2024-01-01", "reason": "Customers drive growth"}
    with nothing_written():
        refused = manager.patch("/objectives/SALES-NPS", body | {"parent": "GRP-GROW"})
    assert refused.status_code == 400
    assert refused.json()["code"] == "change_request_required"
    assert stored_scores() == before

    filed = manager.post(
        "/change-requests",
        {
            "kind": "objective",
            "subject": "SALES-NPS",
            "payload": {"parent": "GRP-GROW"},
            "effective_from": "2024-01-01",
            "justification": "Customers drive growth",
        },
    )
    assert filed.status_code == 201, filed.content
    request_id = filed.json()["id"]
    approved = ceo.post(f"/change-requests/{request_id}/decision", {"approve": True})
    assert approved.status_code == 200, approved.content
    detail = ceo.get("/objectives/SALES-NPS?as_of=2024-01-01").json()
    assert detail["objective"]["parent"] == "GRP-GROW"
    stored = stored_scores()
    assert stored == recomputed_scores()
    # GRP-GROW now rolls up SALES-NPS beside SALES-GROW: its January score moved.
    grow = arch.objectives["GRP-GROW"].pk
    january = [key for key in before if key[2] == grow and key[6] == dt.date(2024, 1, 1)]
    assert january and all(stored[key] != before[key] for key in january)


# The strategy map: links


def test_a_link_is_drawn_and_removed_from_a_day_on(api_as: Clients, arch: Architecture) -> None:
    manager = api_as("manager")
    drawn = manager.post(
        "/objectives/SALES-N-CALLS/links",
        {"effect": "SALES-NPS", "effective_from": "2024-03-01", "reason": "Calls lift NPS"},
    )
    assert drawn.status_code == 201, drawn.content
    assert drawn.json() == {
        "cause": "SALES-N-CALLS",
        "effect": "SALES-NPS",
        "valid_from": "2024-03-01",
        "valid_until": None,
    }
    effects = manager.get("/objectives/SALES-N-CALLS").json()["effects"]
    assert [effect["code"] for effect in effects] == ["SALES-NPS"]

    removed = manager.delete(
        "/objectives/SALES-N-CALLS/links?effect=SALES-NPS&effective_from=2024-09-01&reason=Done"
    )
    assert removed.status_code == 200, removed.content
    assert removed.json()["valid_until"] == "2024-09-01"
    assert manager.get("/objectives/SALES-N-CALLS").json()["effects"] == []
    in_june = manager.get("/objectives/SALES-N-CALLS?as_of=2024-06-01").json()
    assert [effect["code"] for effect in in_june["effects"]] == ["SALES-NPS"]


@pytest.mark.usefixtures("arch")
def test_a_link_closing_a_cycle_is_refused(api_as: Clients) -> None:
    with nothing_written():
        response = api_as("manager").post(
            "/objectives/SALES-GROW/links", {"effect": "SALES-NPS", "effective_from": "2024-03-01"}
        )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "cycle"
    assert "SALES-GROW -> SALES-NPS -> SALES-GROW" in body["fields"]["effect"][0]


@pytest.mark.parametrize(("persona", "status"), [("steward", 403), ("hr", 403), ("outsider", 404)])
@pytest.mark.usefixtures("arch")
def test_drawing_a_link_needs_the_strategy_right(
    api_as: Clients, persona: str, status: int
) -> None:
    with nothing_written():
        response = api_as(persona).post(
            "/objectives/SALES-N-CALLS/links",
            {"effect": "SALES-NPS", "effective_from": "2024-03-01"},
        )
    assert response.status_code == status


@pytest.mark.usefixtures("arch")
def test_removing_a_link_that_is_not_there_names_the_effect(api_as: Clients) -> None:
    response = api_as("admin").delete(
        "/objectives/SALES-GROW/links?effect=SALES-NPS&effective_from=2024-03-01"
    )
    assert response.status_code == 400
    assert "effect" in response.json()["fields"]


# Measures (KPI weights in an objective)


@pytest.mark.usefixtures("arch")
def test_a_kpi_is_weighted_into_an_objective_and_removed_again(api_as: Clients) -> None:
    manager = api_as("manager")
    added = manager.post(
        "/objectives/SALES-N-CALLS/measures",
        {"kpi": "NPS", "weight": 1.5, "effective_from": "2024-01-01", "reason": "Measure it"},
    )
    assert added.status_code == 200, added.content
    assert [(m["kpi"], m["weight"]) for m in added.json()["items"]] == [("NPS", 1.5)]
    assert "SALES-N-CALLS" not in codes(manager.get("/objectives?unmeasured=true"))

    removed = manager.delete("/objectives/SALES-N-CALLS/measures?kpi=NPS&effective_from=2024-04-01")
    assert removed.status_code == 200, removed.content
    assert removed.json() == {"items": [], "count": 0}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kpi": "REVENUE", "weight": -1}, "weight"),
        ({"kpi": "REVENUE", "weight": 0}, "weight"),
        ({"kpi": "NOPE", "weight": 1}, "kpi"),
    ],
    ids=["negative", "all zero", "unknown kpi"],
)
@pytest.mark.usefixtures("arch")
def test_bad_kpi_weights_are_refused_with_the_field(
    api_as: Clients, body: dict[str, Any], field: str
) -> None:
    with nothing_written():
        response = api_as("admin").post(
            "/objectives/SALES-GROW/measures", body | {"effective_from": "2024-03-01"}
        )
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]


@pytest.mark.parametrize(("persona", "status"), [("steward", 403), ("outsider", 404)])
@pytest.mark.usefixtures("arch")
def test_weighting_kpis_needs_the_strategy_right(
    api_as: Clients, persona: str, status: int
) -> None:
    with nothing_written():
        response = api_as(persona).post(
            "/objectives/SALES-GROW/measures",
            {"kpi": "NPS", "weight": 1, "effective_from": "2024-03-01"},
        )
    assert response.status_code == status


# The strategy map


@pytest.mark.usefixtures("arch")
def test_the_strategy_map_shows_a_units_objectives_by_perspective_with_arrows(
    api_as: Clients,
) -> None:
    response = api_as("employee").get("/strategy-map?unit=SALES")

    assert response.status_code == 200, response.content
    body = response.json()
    lanes = {lane["perspective"]: [o["code"] for o in lane["objectives"]] for lane in body["lanes"]}
    assert lanes == {
        "financial": ["SALES-GROW"],
        "customer": ["SALES-NPS"],
        "internal-process": [],
        "learning-growth": [],
    }
    assert body["links"] == [{"cause": "SALES-NPS", "effect": "SALES-GROW"}]


@pytest.mark.parametrize(
    ("persona", "path"),
    [("outsider", "/strategy-map?unit=SALES"), ("admin", "/strategy-map?unit=NOWHERE")],
)
@pytest.mark.usefixtures("arch")
def test_a_map_of_a_unit_the_caller_cannot_see_is_not_found(
    api_as: Clients, persona: str, path: str
) -> None:
    assert api_as(persona).get(path).status_code == 404


@pytest.mark.usefixtures("arch")
def test_a_map_without_a_unit_names_the_missing_parameter(api_as: Clients) -> None:
    response = api_as("admin").get("/strategy-map")
    assert response.status_code == 400
    assert "unit" in response.json()["fields"]


# Perspectives and themes


@pytest.mark.usefixtures("arch")
def test_the_perspectives_are_listed_in_order_and_extended_by_an_executive(
    api_as: Clients,
) -> None:
    assert codes(api_as("employee").get("/perspectives")) == [
        "financial",
        "customer",
        "internal-process",
        "learning-growth",
    ]
    added = api_as("ceo").put(
        "/perspectives/esg",
        {"name": "Environmental, social and governance", "is_esg": True, "reason": "CSRD"},
    )
    assert added.status_code == 200, added.content
    assert added.json() == {
        "code": "esg",
        "name": "Environmental, social and governance",
        "description": "",
        "position": 4,
        "is_esg": True,
    }
    assert codes(api_as("employee").get("/perspectives"))[-1] == "esg"
    assert codes(api_as("outsider").get("/perspectives")) == []


@pytest.mark.parametrize("persona", ["manager", "steward", "hr", "outsider"])
@pytest.mark.usefixtures("arch")
def test_perspectives_and_themes_need_the_strategy_right_everywhere(
    api_as: Clients, persona: str
) -> None:
    client = api_as(persona)
    with nothing_written():
        assert client.put("/perspectives/esg", {"name": "ESG"}).status_code == 403
        assert client.put("/themes/people", {"name": "People"}).status_code == 403


@pytest.mark.usefixtures("arch")
def test_themes_are_listed_and_saved(api_as: Clients) -> None:
    assert codes(api_as("manager").get("/themes")) == ["efficiency", "growth"]
    saved = api_as("admin").put("/themes/growth", {"name": "Profitable growth"})
    assert saved.status_code == 200, saved.content
    assert saved.json()["name"] == "Profitable growth"
    bad = api_as("admin").put("/themes/has%20space", {"name": "Spaced"})
    assert bad.status_code == 400
    blank = api_as("admin").put("/themes/people", {"name": ""})
    assert blank.status_code == 400
    assert "name" in blank.json()["fields"]


# ESG


@pytest.mark.usefixtures("arch")
def test_the_esg_view_lists_marked_objectives_and_kpis_with_their_status(
    api_as: Clients,
) -> None:
    response = api_as("ceo").get("/esg")

    assert response.status_code == 200, response.content
    items = {(item["kind"], item["code"]): item for item in response.json()["items"]}
    assert set(items) == {("objective", "GRP-CO2"), ("kpi", "SCOPE1")}
    co2 = items["objective", "GRP-CO2"]
    assert (co2["pillar"], co2["disclosure_ref"], co2["unit"]) == ("E", "ESRS E1-6", "GRP")
    # 130 t against a ceiling of 100 t: red, in the only month scored.
    assert (co2["status"], co2["period"]) == ("red", "2024-01-01")
    assert items["kpi", "SCOPE1"]["status"] == "red"
    assert api_as("outsider").get("/esg").json() == {"items": [], "count": 0}


# Workshops


def workshop_path(arch: Architecture, tail: str = "") -> str:
    return f"/workshops/{arch.workshop.pk}{tail}"


def test_workshops_are_listed_for_those_who_see_their_unit(
    api_as: Clients, arch: Architecture
) -> None:
    listed = api_as("employee").get("/workshops").json()
    assert [item["id"] for item in listed["items"]] == [arch.workshop.pk]
    assert api_as("outsider").get("/workshops").json() == {"items": [], "count": 0}


def test_a_manager_sets_up_a_workshop_on_objectives(api_as: Clients, arch: Architecture) -> None:
    response = api_as("manager").post(
        "/workshops",
        {
            "name": "Sales objectives",
            "unit": "SALES",
            "subject": "objectives",
            "held_on": "2024-02-01",
            "items": ["SALES-GROW", "SALES-NPS"],
            "participants": [
                {"person": "E00004", "department": "SALES"},
                {"person": "E00005", "department": "SALES-N"},
            ],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert [item["code"] for item in body["items"]] == ["SALES-GROW", "SALES-NPS"]
    assert body["waiting"] == ["E00004", "E00005"]
    assert body["state"] == "open"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"items": ["growth"]}, "items"),
        ({"items": ["growth", "nope"]}, "items[1]"),
        ({"participants": [{"person": "E00004", "department": "FIN"}]}, "participants[0]"),
        ({"subject": "budgets"}, "subject"),
    ],
)
@pytest.mark.usefixtures("arch")
def test_a_bad_workshop_is_refused_with_the_field(
    api_as: Clients, changes: dict[str, Any], field: str
) -> None:
    body = {
        "name": "Themes",
        "unit": "SALES",
        "subject": "themes",
        "held_on": "2024-02-01",
        "items": ["growth", "efficiency"],
        "participants": [{"person": "E00004", "department": "SALES"}],
    } | changes
    with nothing_written():
        response = api_as("admin").post("/workshops", body)
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]


def test_the_summary_shows_kendalls_w_and_the_disagreeing_pair(
    api_as: Clients, arch: Architecture
) -> None:
    # The manager ranks the themes the other way round from the employee: 20/80 and 70/30.
    summary = api_as("employee").get(workshop_path(arch)).json()

    assert summary["waiting"] == []
    assert [p["points"] for p in summary["participants"]] == [[20.0, 80.0], [70.0, 30.0]]
    assert summary["summary"]["concordance"]["w"] == pytest.approx(0.0)
    (pair,) = summary["summary"]["disagreements"]
    assert {pair["participant_a"], pair["participant_b"]} == {"Sales", "Sales North"}
    assert pair["points_moved"] == pytest.approx(50.0)
    assert pair["spearman_rho"] == pytest.approx(-1.0)


def test_a_participant_changes_their_spread_and_the_workshop_agrees(
    api_as: Clients, arch: Architecture
) -> None:
    manager = api_as("manager")
    recorded = manager.post(
        workshop_path(arch, "/allocations"),
        {"participant": "E00004", "points": {"growth": 60, "efficiency": 40}, "reason": "Rethink"},
    )
    assert recorded.status_code == 200, recorded.content
    assert recorded.json()["participants"][0]["points"] == [60.0, 40.0]
    assert recorded.json()["summary"]["concordance"]["w"] == pytest.approx(1.0)

    agreed = manager.post(
        workshop_path(arch, "/agreement"), {"method": "mean", "effective_from": "2024-02-01"}
    )
    assert agreed.status_code == 200, agreed.content
    assert agreed.json()["state"] == "agreed"
    weights = [item["agreed_weight"] for item in agreed.json()["items"]]
    assert weights == pytest.approx([0.65, 0.35])
    again = manager.post(
        workshop_path(arch, "/agreement"), {"method": "mean", "effective_from": "2024-02-01"}
    )
    assert (again.status_code, again.json()["code"]) == (400, "workshop_agreed")


@pytest.mark.parametrize(
    ("points", "field"),
    [
        ({"growth": 50, "efficiency": 40}, "points"),
        ({"growth": 120, "efficiency": -20}, "points"),
        ({"growth": 50, "nope": 50}, "points.nope"),
    ],
)
def test_allocations_that_do_not_total_100_are_refused(
    api_as: Clients, arch: Architecture, points: dict[str, float], field: str
) -> None:
    with nothing_written():
        response = api_as("employee").post(
            workshop_path(arch, "/allocations"), {"participant": "E00005", "points": points}
        )
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]


def test_agreement_waits_for_every_participant(api_as: Clients, arch: Architecture) -> None:
    manager = api_as("manager")
    created = manager.post(
        "/workshops",
        {
            "name": "Second round",
            "unit": "SALES",
            "subject": "themes",
            "held_on": "2024-03-01",
            "items": ["growth", "efficiency"],
            "participants": [{"person": "E00004", "department": "SALES"}],
        },
    )
    assert created.status_code == 201, created.content
    with nothing_written():
        response = manager.post(
            f"/workshops/{created.json()['id']}/agreement",
            {"method": "median", "effective_from": "2024-03-01"},
        )
    assert (response.status_code, response.json()["code"]) == (400, "incomplete")
    assert "participants" in response.json()["fields"]


@pytest.mark.parametrize(
    ("persona", "status"), [("steward", 403), ("employee", 403), ("outsider", 404)]
)
def test_recording_someone_elses_allocation_needs_the_strategy_right(
    api_as: Clients, arch: Architecture, persona: str, status: int
) -> None:
    with nothing_written():
        response = api_as(persona).post(
            workshop_path(arch, "/allocations"),
            {"participant": "E00004", "points": {"growth": 50, "efficiency": 50}},
        )
    assert response.status_code == status


def test_an_unknown_workshop_is_not_found(api_as: Clients, arch: Architecture) -> None:
    assert api_as("admin").get(f"/workshops/{arch.workshop.pk + 100}").status_code == 404
    assert api_as("outsider").get(workshop_path(arch)).status_code == 404
