"""An objective's retirement, and its creation where a scorecard counts missing data, alter
scores: an open planning period takes them only by approved change request (kinds
``objective`` with ``{"retire": true}`` and ``new_objective``), a closed one refuses them,
and under the default policy, which skips missing data, a new objective is made directly."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from scoreline.governance.actions import do_decide_change, do_request_change
from scoreline.governance.models import ChangeRequest, ChangeState
from scoreline.lib.errors import AccessDenied, Invalid
from scoreline.lib.versioned import version_on
from scoreline.scoring.actions.objectives import do_create_objective, do_retire_objective
from scoreline.scoring.actions.scorecards import do_set_scorecard_policy
from scoreline.strategy.models import Objective, ObjectiveVersion, Perspective
from tests.builders.enterprise import Enterprise
from tests.builders.kpis import (
    MakePeriod,
    events,
    nothing_written,
    recomputed_scores,
    stored_scores,
)
from tests.builders.measured import (
    FEBRUARY,
    HORIZON,
    JANUARY,
    START,
    objective_score,
)

pytestmark = pytest.mark.django_db

YEAR_END = dt.date(2026, 1, 1)


@pytest.fixture
def grow(measured_grow: Objective) -> Objective:
    """The group's objective, measured by one KPI at 80% of its target (score 80), in March
    2025."""
    return measured_grow


def _request(
    enterprise: Enterprise,
    kind: str,
    subject: str,
    payload: dict[str, Any],
    actor: str = "ceo",
    effective: dt.date = FEBRUARY,
) -> ChangeRequest:
    return do_request_change(
        enterprise.users[actor], kind, subject, payload, effective, "The plan changed"
    )


def _new_child(enterprise: Enterprise, **fields: Any) -> dict[str, Any]:
    """A ``new_objective`` payload: the UK's objective contributing to ``grow``."""
    return {
        "name": "Grow the UK",
        "perspective": "financial",
        "unit_id": enterprise.units["UK"].pk,
        "parent": "grow",
        "horizon_start": "2025-01-01",
        "horizon_end": "2026-01-01",
    } | fields


def _count_missing_as_zero(enterprise: Enterprise) -> None:
    do_set_scorecard_policy(
        enterprise.users["admin"], None, combine="weighted_mean", missing="zero",
        cap_at_100=True, effective=START,
    )  # fmt: skip


# ------------------------------------------------------------------------------ retirement


@pytest.mark.parametrize(("state", "code"), [("open", "change_request_required"), ("closed", "period_closed")])  # fmt: skip
def test_retiring_an_objective_directly_is_refused_in_an_open_or_closed_period(
    enterprise: Enterprise, grow: Objective, make_period: MakePeriod, state: str, code: str
) -> None:
    make_period("FY2025", START, YEAR_END, state=state)
    with nothing_written(), pytest.raises(Invalid) as refused:
        do_retire_objective(enterprise.users["ceo"], grow, effective=FEBRUARY, reason="Done")
    assert refused.value.code == code and "effective" in refused.value.fields
    if state == "closed":
        with nothing_written(), pytest.raises(Invalid) as requested:
            _request(enterprise, "objective", "grow", {"retire": True})
        assert requested.value.code == "period_closed"


def test_an_objective_is_retired_by_request_approved_by_someone_else_and_rescored(
    enterprise: Enterprise, grow: Objective, make_period: MakePeriod
) -> None:
    make_period("FY2025", START, YEAR_END)
    before = stored_scores()
    filed = _request(enterprise, "objective", "grow", {"retire": True})
    assert (filed.unit, filed.state) == (enterprise.units["GRP"], ChangeState.PENDING)
    assert stored_scores() == before  # nothing changes until someone else approves
    with pytest.raises(AccessDenied):
        do_decide_change(enterprise.users["ceo"], filed.pk, True)

    do_decide_change(enterprise.users["admin"], filed.pk, True)
    assert version_on(ObjectiveVersion, FEBRUARY, objective=grow) is None
    january = version_on(ObjectiveVersion, JANUARY, objective=grow)
    assert january is not None and january.valid_until == FEBRUARY
    # January keeps the objective's score of 80; from February it rolls into nothing.
    assert objective_score(grow, JANUARY) == 80.0
    assert objective_score(grow, FEBRUARY) is None
    assert stored_scores() == recomputed_scores()
    [retired] = events("objective.retire")
    assert retired.reason == "The plan changed"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"retire": True, "name": "Gone"}, "name"),
        ({"retire": "yes"}, "retire"),
    ],
)
def test_a_bad_retirement_request_names_the_field_and_files_nothing(
    enterprise: Enterprise,
    grow: Objective,
    make_period: MakePeriod,
    payload: dict[str, Any],
    field: str,
) -> None:
    make_period("FY2025", START, YEAR_END)
    with nothing_written(), pytest.raises(Invalid) as refused:
        _request(enterprise, "objective", "grow", payload)
    assert field in refused.value.fields


def test_a_retirement_is_refused_while_an_objective_still_contributes(
    enterprise: Enterprise, grow: Objective, make_period: MakePeriod
) -> None:
    do_create_objective(
        enterprise.users["admin"], code="grow-uk", name="Grow the UK", parent=grow,
        perspective=Perspective.objects.get(code="financial"), unit=enterprise.units["UK"],
        **HORIZON,
    )  # fmt: skip
    make_period("FY2025", START, YEAR_END)
    with nothing_written(), pytest.raises(Invalid) as refused:
        _request(enterprise, "objective", "grow", {"retire": True})
    assert refused.value.code == "has_children" and "effective" in refused.value.fields
    with nothing_written(), pytest.raises(Invalid) as unknown:
        _request(enterprise, "objective", "no-such", {"retire": True})
    assert "subject" in unknown.value.fields


@pytest.mark.parametrize("persona", ["manager", "steward", "employee", "outsider"])
def test_requesting_a_retirement_needs_the_strategy_right_over_its_unit(
    enterprise: Enterprise, grow: Objective, make_period: MakePeriod, persona: str
) -> None:
    make_period("FY2025", START, YEAR_END)
    with nothing_written(), pytest.raises(AccessDenied):
        _request(enterprise, "objective", "grow", {"retire": True}, actor=persona)


# ------------------------------------------------------------------------------ creation


def test_under_the_default_policy_a_new_objective_is_made_directly_in_an_open_period(
    enterprise: Enterprise, grow: Objective, make_period: MakePeriod
) -> None:
    make_period("FY2025", START, YEAR_END)
    before = stored_scores()
    created = do_create_objective(
        enterprise.users["ceo"], code="grow-uk", name="Grow the UK", parent=grow,
        perspective=Perspective.objects.get(code="financial"), unit=enterprise.units["UK"],
        **HORIZON,
    )  # fmt: skip
    assert created.code == "grow-uk"
    assert stored_scores() == before == recomputed_scores()  # it skips, so nothing moves


@pytest.mark.parametrize(("state", "code"), [("open", "change_request_required"), ("closed", "period_closed")])  # fmt: skip
def test_a_new_objective_that_would_count_as_missing_is_refused_directly_in_a_period(
    enterprise: Enterprise, grow: Objective, make_period: MakePeriod, state: str, code: str
) -> None:
    _count_missing_as_zero(enterprise)
    make_period("FY2025", START, YEAR_END, state=state)
    with nothing_written(), pytest.raises(Invalid) as refused:
        do_create_objective(
            enterprise.users["ceo"], code="grow-uk", name="Grow the UK", parent=grow,
            perspective=Perspective.objects.get(code="financial"), unit=enterprise.units["UK"],
            **HORIZON,
        )  # fmt: skip
    assert refused.value.code == code
    if state == "closed":
        with nothing_written(), pytest.raises(Invalid) as requested:
            _request(enterprise, "new_objective", "grow-uk", _new_child(enterprise))
        assert requested.value.code == "period_closed"


def test_a_new_objective_is_created_by_request_approved_by_someone_else_and_rescored(
    enterprise: Enterprise, grow: Objective, make_period: MakePeriod
) -> None:
    _count_missing_as_zero(enterprise)
    make_period("FY2025", START, YEAR_END)
    payload = _new_child(enterprise, contribution_weight=2.0, description="Twice the weight")
    filed = _request(enterprise, "new_objective", "grow-uk", payload, effective=JANUARY)
    assert filed.unit == enterprise.units["UK"]
    assert not Objective.objects.filter(code="grow-uk").exists()
    assert objective_score(grow) == 80.0

    do_decide_change(enterprise.users["admin"], filed.pk, True)
    created = Objective.objects.get(code="grow-uk")
    version = version_on(ObjectiveVersion, JANUARY, objective=created)
    assert version is not None
    assert (version.parent, version.unit, version.contribution_weight, version.source) == (
        grow,
        enterprise.units["UK"],
        2.0,
        f"change_request:{filed.pk}",
    )
    # Decision 7: own KPIs 70%, contributing objectives 30%; the child without data counts
    # 0 under "zero": 0.7 * 80 + 0.3 * 0 = 56.
    assert objective_score(grow) == 56.0
    assert stored_scores() == recomputed_scores()
    [created_event] = events("objective.create")[-1:]
    assert created_event.after is not None and created_event.after["code"] == "grow-uk"


def test_a_new_objective_request_goes_to_approvers_over_its_unit(
    enterprise: Enterprise, grow: Objective, make_period: MakePeriod
) -> None:
    _count_missing_as_zero(enterprise)
    make_period("FY2025", START, YEAR_END)
    sales = _new_child(enterprise, unit_id=enterprise.units["SALES"].pk)
    filed = _request(enterprise, "new_objective", "sales-grow", sales, actor="manager")
    assert filed.unit == enterprise.units["SALES"]
    for persona in ("manager", "steward", "employee", "outsider"):
        with nothing_written(), pytest.raises(AccessDenied):
            do_decide_change(enterprise.users[persona], filed.pk, True)
    do_decide_change(enterprise.users["ceo"], filed.pk, True)
    assert Objective.objects.filter(code="sales-grow").exists()


@pytest.mark.parametrize("persona", ["steward", "employee", "outsider"])
def test_requesting_a_new_objective_needs_the_strategy_right_over_its_unit(
    enterprise: Enterprise, grow: Objective, make_period: MakePeriod, persona: str
) -> None:
    _count_missing_as_zero(enterprise)
    make_period("FY2025", START, YEAR_END)
    with nothing_written(), pytest.raises(AccessDenied):
        _request(enterprise, "new_objective", "grow-uk", _new_child(enterprise), actor=persona)


@pytest.mark.parametrize(
    ("subject", "changes", "field"),
    [
        ("grow-uk", {"name": None}, "name"),
        ("grow-uk", {"name": 5}, "name"),
        ("grow-uk", {"perspective": None}, "perspective"),
        ("grow-uk", {"perspective": "no-such"}, "perspective"),
        ("grow-uk", {"horizon_start": None}, "horizon_start"),
        ("grow-uk", {"horizon_end": "next year"}, "horizon_end"),
        ("grow-uk", {"horizon_end": "2024-01-01"}, "horizon_end"),
        ("grow-uk", {"unit_id": None}, "unit_id"),
        ("grow-uk", {"unit_id": "UK"}, "unit_id"),
        ("grow-uk", {"unit": "UK"}, "unit"),
        ("grow-uk", {"parent": "no-such"}, "parent"),
        ("grow-uk", {"weight": "heavy"}, "weight"),
        ("grow-uk", {"contribution_weight": -1}, "contribution_weight"),
        ("grow-uk", {"colour": "red"}, "colour"),
        ("grow", {}, "code"),
        ("", {}, "code"),
    ],
)
def test_a_bad_new_objective_request_names_the_field_and_files_nothing(
    enterprise: Enterprise,
    grow: Objective,
    make_period: MakePeriod,
    subject: str,
    changes: dict[str, Any],
    field: str,
) -> None:
    _count_missing_as_zero(enterprise)
    make_period("FY2025", START, YEAR_END)
    with nothing_written(), pytest.raises(Invalid) as refused:
        _request(enterprise, "new_objective", subject, _new_child(enterprise, **changes))
    assert field in refused.value.fields, refused.value.fields


def test_an_approval_rebuilds_the_creation_and_refuses_a_code_taken_since(
    enterprise: Enterprise, grow: Objective, make_period: MakePeriod
) -> None:
    make_period("FY2025", START, YEAR_END)
    # Under the default policy the creation is free; a request for it may still be filed.
    filed = _request(enterprise, "new_objective", "grow-uk", _new_child(enterprise))
    do_create_objective(
        enterprise.users["ceo"], code="grow-uk", name="Grow the UK first", parent=grow,
        perspective=Perspective.objects.get(code="financial"), unit=enterprise.units["UK"],
        **HORIZON,
    )  # fmt: skip
    with pytest.raises(Invalid) as refused:
        do_decide_change(enterprise.users["admin"], filed.pk, True)
    assert refused.value.code == "duplicate" and "code" in refused.value.fields
