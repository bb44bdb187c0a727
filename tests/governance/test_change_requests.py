from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connections

from scoreline.access.actions import do_grant_role
from scoreline.access.models import Role
from scoreline.governance.actions import (
    do_decide_change,
    do_request_change,
    governing_period,
    require_direct_change_allowed,
)
from scoreline.governance.models import ChangeRequest
from scoreline.governance.queries import change_requests_for
from scoreline.kpis.models import Kpi, KpiVersion, ObjectiveMeasure, StatusRule, Target
from scoreline.kpis.validation import RuleSpec
from scoreline.lib.dates import effective_on
from scoreline.lib.errors import AccessDenied, Conflict, Invalid
from scoreline.lib.versioned import version_on
from scoreline.scoring import pipeline
from scoreline.scoring.actions.definitions import do_set_measure, do_set_status_rules
from scoreline.scoring.actions.objectives import do_update_objective
from scoreline.scoring.actions.scorecards import do_end_scorecard_policy, do_set_scorecard_policy
from scoreline.scoring.models import PerspectiveWeight, ScorecardPolicy
from scoreline.strategy.models import Objective, ObjectiveVersion, Perspective
from tests.builders.enterprise import Enterprise
from tests.builders.kpis import (
    DAY,
    YEAR_END,
    YEAR_START,
    MakeKpi,
    MakeObjective,
    MakePeriod,
    events,
    nothing_written,
    set_target,
)

pytestmark = pytest.mark.django_db

EFFECTIVE = dt.date(2026, 4, 1)


@pytest.fixture
def open_year(make_period: MakePeriod) -> None:
    make_period("FY2026", YEAR_START, YEAR_END)


@pytest.fixture
def recomputed(monkeypatch: pytest.MonkeyPatch) -> list[set[int] | None]:
    """The KPI ids each recompute was asked for (None: everything)."""
    calls: list[set[int] | None] = []

    def record(*, kpi_ids: set[int] | None = None, as_of: dt.date | None = None) -> int:
        calls.append(kpi_ids)
        return 0

    monkeypatch.setattr(pipeline, "recompute", record)
    return calls


def request(
    enterprise: Enterprise,
    kind: str,
    subject: str,
    payload: dict[str, Any],
    *,
    actor: str = "steward",
    effective: dt.date = EFFECTIVE,
    justification: str = "The market moved",
    **fields: Any,
) -> ChangeRequest:
    return do_request_change(
        enterprise.users[actor], kind, subject, payload, effective, justification, **fields
    )


def test_the_open_period_governs_changes_that_reach_into_it(
    make_period: MakePeriod,
) -> None:
    assert governing_period(EFFECTIVE) is None
    require_direct_change_allowed(EFFECTIVE)
    period = make_period("FY2026", YEAR_START, YEAR_END)
    assert governing_period(EFFECTIVE) == period
    assert governing_period(DAY) == period
    assert governing_period(YEAR_END) is None
    assert governing_period(DAY, until=YEAR_START) is None
    with pytest.raises(Invalid) as error:
        require_direct_change_allowed(EFFECTIVE)
    assert error.value.code == "change_request_required"


def test_a_kpi_change_is_requested_then_applied_on_approval(
    enterprise: Enterprise,
    make_kpi: MakeKpi,
    open_year: None,
    recomputed: list[set[int] | None],
) -> None:
    kpi = make_kpi("revenue", name="Revenue", unit="EUR")
    doubled = make_kpi("doubled", unit="EUR", formula="revenue * 2")
    filed = request(enterprise, "kpi", "revenue", {"name": "Net revenue"})
    assert (filed.state, filed.unit, filed.requested_by) == (
        "pending",
        None,
        enterprise.users["steward"],
    )
    assert version_on(KpiVersion, EFFECTIVE, kpi=kpi).name == "Revenue"  # type: ignore[union-attr]
    assert len(events("change_request.create")) == 1

    decided = do_decide_change(enterprise.users["ceo"], filed.pk, True, "agreed")
    assert (decided.state, decided.decided_by, decided.decision_note) == (
        "approved",
        enterprise.users["ceo"],
        "agreed",
    )
    assert decided.decided_at is not None
    new = version_on(KpiVersion, EFFECTIVE, kpi=kpi)
    assert new is not None and (new.name, new.valid_from) == ("Net revenue", EFFECTIVE)
    assert (new.source, new.reason) == (f"change_request:{filed.pk}", "The market moved")
    (update,) = events("kpi.update")
    assert update.actor_username == "ceo"
    (approval,) = events("change_request.approve")
    assert approval.after is not None and approval.after["state"] == "approved"
    assert recomputed == [{kpi.pk, doubled.pk}]


def test_a_rejection_needs_a_note_and_applies_nothing(
    enterprise: Enterprise, make_kpi: MakeKpi, open_year: None
) -> None:
    kpi = make_kpi("revenue", name="Revenue")
    filed = request(enterprise, "kpi", "revenue", {"name": "Net revenue"})
    with nothing_written(), pytest.raises(Invalid) as error:
        do_decide_change(enterprise.users["ceo"], filed.pk, False, " ")
    assert "note" in error.value.fields
    decided = do_decide_change(enterprise.users["ceo"], filed.pk, False, "Not this year")
    assert decided.state == "rejected"
    assert KpiVersion.objects.filter(kpi=kpi).count() == 1
    assert len(events("change_request.reject")) == 1


def test_a_decided_request_cannot_be_decided_again(
    enterprise: Enterprise, make_kpi: MakeKpi, open_year: None
) -> None:
    make_kpi("revenue", name="Revenue")
    filed = request(enterprise, "kpi", "revenue", {"name": "Net revenue"})
    do_decide_change(enterprise.users["ceo"], filed.pk, True)
    for approve in (True, False):
        with nothing_written(), pytest.raises(Conflict) as error:
            do_decide_change(enterprise.users["admin"], filed.pk, approve, "again")
        assert (error.value.code, error.value.status) == ("already_decided", 409)


def test_the_requester_cannot_decide_their_own_request(
    enterprise: Enterprise, make_kpi: MakeKpi, open_year: None
) -> None:
    make_kpi("revenue", name="Revenue")
    filed = request(enterprise, "kpi", "revenue", {"name": "Net revenue"}, actor="admin")
    with nothing_written(), pytest.raises(AccessDenied):
        do_decide_change(enterprise.users["admin"], filed.pk, True)
    assert do_decide_change(enterprise.users["ceo"], filed.pk, True).state == "approved"


@pytest.mark.parametrize("persona", ["steward", "manager", "employee", "outsider"])
def test_deciding_needs_the_approve_change_right(
    enterprise: Enterprise, make_kpi: MakeKpi, open_year: None, persona: str
) -> None:
    make_kpi("revenue", name="Revenue")
    filed = request(enterprise, "kpi", "revenue", {"name": "Net revenue"}, actor="admin")
    for approve in (True, False):
        with nothing_written(), pytest.raises(AccessDenied):
            do_decide_change(enterprise.users[persona], filed.pk, approve, "no")


@pytest.mark.parametrize("persona", ["ceo", "manager", "employee", "outsider"])
def test_requesting_needs_the_right_to_make_the_change(
    enterprise: Enterprise, make_kpi: MakeKpi, open_year: None, persona: str
) -> None:
    make_kpi("revenue", name="Revenue")
    with nothing_written(), pytest.raises(AccessDenied):
        request(enterprise, "kpi", "revenue", {"name": "Net revenue"}, actor=persona)


@pytest.mark.parametrize(
    ("kind", "subject", "payload", "field"),
    [
        ("kpi", "revenue", {"direction": "sideways"}, "direction"),
        ("kpi", "revenue", {"colour": "blue"}, "colour"),
        ("kpi", "missing", {"name": "X"}, "subject"),
        ("kpi", "revenue", {"name": "Revenue"}, "payload"),
        ("budget", "revenue", {"name": "X"}, "kind"),
        ("target", "revenue", {"unit_id": None, "period_start": "2026-01-01"}, "unit"),
        (
            "target",
            "revenue",
            {"person_id": 10**9, "period_start": "2026-01-01", "period_end": "2027-01-01"},
            "person_id",
        ),
        ("status_rules", "revenue", {"rules": []}, "rules"),
        ("status_rules", "revenue", {"rules": "green"}, "rules"),
        ("measure_weight", "NOPE", {"kpi": "revenue", "weight": 1.0}, "subject"),
    ],
)
def test_a_request_is_checked_as_the_direct_change_would_be(
    enterprise: Enterprise,
    make_kpi: MakeKpi,
    open_year: None,
    kind: str,
    subject: str,
    payload: dict[str, Any],
    field: str,
) -> None:
    make_kpi("revenue", name="Revenue")
    with nothing_written(), pytest.raises(Invalid) as error:
        request(enterprise, kind, subject, payload)
    assert field in error.value.fields, error.value.message


def test_a_request_needs_a_justification(
    enterprise: Enterprise, make_kpi: MakeKpi, open_year: None
) -> None:
    make_kpi("revenue", name="Revenue")
    with nothing_written(), pytest.raises(Invalid) as error:
        request(enterprise, "kpi", "revenue", {"name": "Net"}, justification="  ")
    assert "justification" in error.value.fields


def test_a_target_revision_is_decided_by_approvers_over_its_unit(
    enterprise: Enterprise,
    make_kpi: MakeKpi,
    make_period: MakePeriod,
    recomputed: list[set[int] | None],
) -> None:
    kpi = make_kpi("revenue")
    set_target(enterprise, kpi, actor="admin")
    make_period("FY2026", YEAR_START, YEAR_END)
    do_grant_role(
        enterprise.users["admin"],
        enterprise.users["hr"],
        Role.objects.get(code="executive"),
        enterprise.units["SALES"],
    )
    payload = {
        "unit_id": enterprise.units["SALES"].pk,
        "period_start": "2026-01-01",
        "period_end": "2027-01-01",
        "target_type": "stay_above",
        "threshold": 80.0,
        "target": 110.0,
        "stretch": 120.0,
    }
    filed = request(enterprise, "target", "revenue", payload)
    assert filed.unit == enterprise.units["SALES"]
    catalogue = request(enterprise, "kpi", "revenue", {"name": "Net revenue"})
    with nothing_written(), pytest.raises(AccessDenied):
        do_decide_change(enterprise.users["hr"], catalogue.pk, True)
    recomputed.clear()
    do_decide_change(enterprise.users["hr"], filed.pk, True)
    identity = {"kpi": kpi, "unit": enterprise.units["SALES"], "period_start": YEAR_START}
    revised = version_on(Target, EFFECTIVE, **identity)
    assert revised is not None and (revised.target, revised.valid_from) == (110.0, EFFECTIVE)
    assert revised.source == f"change_request:{filed.pk}"
    assert recomputed == [{kpi.pk}]


def test_a_request_may_go_to_approvers_of_a_unit_above_but_not_elsewhere(
    enterprise: Enterprise, make_kpi: MakeKpi, make_period: MakePeriod
) -> None:
    kpi = make_kpi("revenue")
    set_target(enterprise, kpi, actor="admin")
    make_period("FY2026", YEAR_START, YEAR_END)
    payload = {
        "unit_id": enterprise.units["SALES"].pk,
        "period_start": "2026-01-01",
        "period_end": "2027-01-01",
        "target_type": "stay_above",
        "threshold": 80.0,
        "target": 110.0,
        "stretch": 120.0,
    }
    filed = request(enterprise, "target", "revenue", payload, unit=enterprise.units["UK"])
    assert filed.unit == enterprise.units["UK"]
    with nothing_written(), pytest.raises(Invalid) as error:
        request(enterprise, "target", "revenue", payload, unit=enterprise.units["FIN"])
    assert "unit" in error.value.fields
    with nothing_written(), pytest.raises(Invalid):
        request(enterprise, "kpi", "revenue", {"name": "X"}, unit=enterprise.units["SALES"])


def test_weights_change_by_request(
    enterprise: Enterprise,
    make_kpi: MakeKpi,
    make_objective: MakeObjective,
    make_period: MakePeriod,
    recomputed: list[set[int] | None],
) -> None:
    objective = make_objective("SALES-GROW", unit="SALES", weight=1.0)
    kpi = make_kpi("revenue")
    do_set_measure(enterprise.users["manager"], objective, kpi, weight=1.0, effective=DAY)
    make_period("FY2026", YEAR_START, YEAR_END)
    measure = request(
        enterprise,
        "measure_weight",
        "SALES-GROW",
        {"kpi": "revenue", "weight": 2.5},
        actor="manager",
    )
    weight = request(enterprise, "objective_weight", "SALES-GROW", {"weight": 3.0}, actor="manager")
    assert measure.unit == weight.unit == enterprise.units["SALES"]
    with nothing_written(), pytest.raises(AccessDenied):
        request(enterprise, "objective_weight", "SALES-GROW", {"weight": 3.0}, actor="steward")
    ceo = enterprise.users["ceo"]
    recomputed.clear()
    do_decide_change(ceo, measure.pk, True)
    do_decide_change(ceo, weight.pk, True)
    current = version_on(ObjectiveMeasure, EFFECTIVE, objective=objective, kpi=kpi)
    assert current is not None and current.weight == 2.5
    version = version_on(ObjectiveVersion, EFFECTIVE, objective=objective)
    assert version is not None and (version.weight, version.source) == (
        3.0,
        f"change_request:{weight.pk}",
    )
    assert recomputed == [{kpi.pk}, {kpi.pk}]


def test_a_measure_is_removed_by_request(
    enterprise: Enterprise,
    make_kpi: MakeKpi,
    make_objective: MakeObjective,
    make_period: MakePeriod,
) -> None:
    objective = make_objective("SALES-GROW", unit="SALES")
    kpi = make_kpi("revenue")
    do_set_measure(enterprise.users["manager"], objective, kpi, weight=1.0, effective=DAY)
    make_period("FY2026", YEAR_START, YEAR_END)
    filed = request(
        enterprise,
        "measure_weight",
        "SALES-GROW",
        {"kpi": "revenue", "remove": True},
        actor="manager",
    )
    do_decide_change(enterprise.users["ceo"], filed.pk, True)
    assert not ObjectiveMeasure.objects.filter(
        effective_on(EFFECTIVE), objective=objective
    ).exists()


def test_status_rules_and_perspective_weights_change_by_request(
    enterprise: Enterprise,
    make_kpi: MakeKpi,
    open_year: None,
    recomputed: list[set[int] | None],
) -> None:
    rules = {
        "rules": [
            {"basis": "score", "comparison": "ge", "bound": 75, "status": "green"},
            {"basis": "value", "comparison": "otherwise", "status": "red"},
        ]
    }
    defaults = request(enterprise, "status_rules", "", rules)
    financial = Perspective.objects.get(code="financial")
    do_set_perspective = request(
        enterprise, "perspective_weight", "financial", {"unit_id": None, "weight": 2.0}, actor="ceo"
    )
    do_decide_change(enterprise.users["admin"], defaults.pk, True)
    do_decide_change(enterprise.users["admin"], do_set_perspective.pk, True)
    in_force = StatusRule.objects.filter(effective_on(EFFECTIVE), kpi__isnull=True)
    assert [(rule.comparison, rule.bound) for rule in in_force.order_by("position")] == [
        ("ge", 75.0),
        ("otherwise", None),
    ]
    weight = PerspectiveWeight.objects.get(perspective=financial, unit__isnull=True)
    assert (weight.weight, weight.valid_from) == (2.0, EFFECTIVE)
    assert recomputed == [None, None]


def test_a_first_status_rule_set_in_an_open_period_needs_a_request_too(
    enterprise: Enterprise, make_kpi: MakeKpi, open_year: None
) -> None:
    """A KPI without rules of its own is coloured by the default set: its first set recolours
    the months of the open period as much as a revision does."""
    kpi = make_kpi("revenue")
    rules = [RuleSpec("score", "ge", "green", bound=60.0), RuleSpec("value", "otherwise", "red")]
    with nothing_written(), pytest.raises(Invalid) as refused:
        do_set_status_rules(enterprise.users["steward"], kpi, rules, effective=EFFECTIVE)
    assert refused.value.code == "change_request_required"

    payload = {
        "rules": [
            {"basis": "score", "comparison": "ge", "bound": 60, "status": "green"},
            {"basis": "value", "comparison": "otherwise", "status": "red"},
        ]
    }
    filed = request(enterprise, "status_rules", "revenue", payload)
    do_decide_change(enterprise.users["ceo"], filed.pk, True)
    in_force = StatusRule.objects.filter(effective_on(EFFECTIVE), kpi=kpi).order_by("position")
    assert [(rule.comparison, rule.valid_from) for rule in in_force] == [
        ("ge", EFFECTIVE),
        ("otherwise", EFFECTIVE),
    ]


def test_a_scorecard_policy_changes_by_request_in_an_open_period(
    enterprise: Enterprise, open_year: None, recomputed: list[set[int] | None]
) -> None:
    sales = enterprise.units["SALES"]
    policy: dict[str, Any] = {"combine": "minimum", "missing": "zero", "cap_at_100": False}
    with nothing_written(), pytest.raises(Invalid) as refused:
        do_set_scorecard_policy(
            enterprise.users["ceo"],
            sales,
            combine="minimum",
            missing="zero",
            cap_at_100=False,
            effective=EFFECTIVE,
            reason="stricter",
        )
    assert refused.value.code == "change_request_required"

    filed = request(enterprise, "scorecard_policy", "SALES", policy, actor="ceo")
    assert filed.unit == sales
    do_decide_change(enterprise.users["admin"], filed.pk, True)
    stored = version_on(ScorecardPolicy, EFFECTIVE, unit=sales)
    assert stored is not None
    assert (stored.combine, stored.missing, stored.cap_at_100, stored.source) == (
        "minimum",
        "zero",
        False,
        f"change_request:{filed.pk}",
    )
    assert recomputed == [None]
    with nothing_written(), pytest.raises(Invalid) as bad:
        request(enterprise, "scorecard_policy", "SALES", {**policy, "combine": "best"}, actor="ceo")
    assert "combine" in bad.value.fields


def test_a_scorecard_policy_request_carries_the_share_of_contributing_objectives(
    enterprise: Enterprise, open_year: None, recomputed: list[set[int] | None]
) -> None:
    sales = enterprise.units["SALES"]
    policy: dict[str, Any] = {
        "combine": "weighted_mean",
        "missing": "skip",
        "cap_at_100": True,
        "cascade_share": 0.5,
    }
    filed = request(enterprise, "scorecard_policy", "SALES", policy, actor="ceo")
    do_decide_change(enterprise.users["admin"], filed.pk, True)
    stored = version_on(ScorecardPolicy, EFFECTIVE, unit=sales)
    assert stored is not None and stored.cascade_share == 0.5
    with nothing_written(), pytest.raises(Invalid) as bad:
        request(
            enterprise, "scorecard_policy", "SALES", {**policy, "cascade_share": 1.5}, actor="ceo"
        )
    assert "cascade_share" in bad.value.fields
    # Left out, the share is the default one.
    without = {key: value for key, value in policy.items() if key != "cascade_share"}
    filed = request(enterprise, "scorecard_policy", "SALES", without, actor="ceo")
    do_decide_change(enterprise.users["admin"], filed.pk, True)
    stored = version_on(ScorecardPolicy, EFFECTIVE, unit=sales)
    assert stored is not None and stored.cascade_share == 0.3


def test_decided_requests_stay_in_the_history_of_whoever_may_see_them(
    enterprise: Enterprise, make_kpi: MakeKpi, open_year: None
) -> None:
    make_kpi("revenue", name="Revenue")
    approved = request(enterprise, "kpi", "revenue", {"name": "Net revenue"})
    do_decide_change(enterprise.users["ceo"], approved.pk, True)
    rejected = request(enterprise, "kpi", "revenue", {"name": "Turnover"})
    do_decide_change(enterprise.users["admin"], rejected.pk, False, "Keep the name")
    pending = request(enterprise, "kpi", "revenue", {"name": "Sales"})

    def seen(persona: str) -> dict[int, str]:
        rows = change_requests_for(enterprise.users[persona])
        return dict(rows.values_list("pk", "state"))

    everything = {approved.pk: "approved", rejected.pk: "rejected", pending.pk: "pending"}
    assert seen("steward") == everything  # filed them
    assert seen("ceo") == everything  # approves over the whole organisation
    assert seen("manager") == {}  # no approval right, filed nothing
    assert seen("outsider") == {}


def test_a_kpi_is_retired_by_request(
    enterprise: Enterprise, make_kpi: MakeKpi, open_year: None
) -> None:
    kpi = make_kpi("revenue")
    filed = request(enterprise, "kpi", "revenue", {"retire": True})
    do_decide_change(enterprise.users["ceo"], filed.pk, True)
    assert version_on(KpiVersion, EFFECTIVE, kpi=kpi) is None
    assert KpiVersion.objects.get(kpi=kpi).valid_until == EFFECTIVE


def test_an_approval_reaching_into_a_period_closed_since_is_refused(
    enterprise: Enterprise, make_kpi: MakeKpi, make_period: MakePeriod
) -> None:
    from scoreline.planning.actions import do_close_period

    make_kpi("revenue", name="Revenue")
    period = make_period("FY2026", YEAR_START, YEAR_END)
    filed = request(enterprise, "kpi", "revenue", {"name": "Net revenue"})
    do_close_period(enterprise.users["admin"], period)
    with nothing_written(), pytest.raises(Invalid) as error:
        do_decide_change(enterprise.users["ceo"], filed.pk, True)
    assert error.value.code == "period_closed"
    assert ChangeRequest.objects.get(pk=filed.pk).state == "pending"
    with nothing_written(), pytest.raises(Invalid) as error:
        request(enterprise, "kpi", "revenue", {"name": "Gross revenue"})
    assert error.value.code == "period_closed"


def test_a_direct_change_of_rules_still_works_outside_the_open_period(
    enterprise: Enterprise, make_kpi: MakeKpi, open_year: None
) -> None:
    kpi = make_kpi("revenue")
    rules = [RuleSpec("score", "ge", "green", bound=60.0), RuleSpec("value", "otherwise", "red")]
    assert do_set_status_rules(enterprise.users["steward"], kpi, rules, effective=YEAR_END)


APPROVERS = ("ceo", "admin")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_apply_the_change_once(
    enterprise: Enterprise, make_kpi: MakeKpi, make_period: MakePeriod
) -> None:
    kpi: Kpi = make_kpi("revenue", name="Revenue")
    make_period("FY2026", YEAR_START, YEAR_END)
    filed = request(enterprise, "kpi", "revenue", {"name": "Net revenue"})
    start = threading.Barrier(len(APPROVERS))
    outcomes: list[str] = []
    failures: list[BaseException] = []

    def approve(persona: str) -> None:
        try:
            start.wait()
            do_decide_change(enterprise.users[persona], filed.pk, True)
            outcomes.append("approved")
        except Invalid as error:
            outcomes.append(error.code)
        except BaseException as error:  # reported to the main thread
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(persona,)) for persona in APPROVERS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert sorted(outcomes) == ["already_decided", "approved"]
    assert KpiVersion.objects.filter(kpi=kpi).count() == 2
    assert len(events("change_request.approve")) == 1
    assert len(events("kpi.update")) == 1


def test_a_move_of_an_objective_changes_only_by_request_in_an_open_period(
    enterprise: Enterprise,
    make_objective: MakeObjective,
    open_year: None,
    recomputed: list[set[int] | None],
) -> None:
    grow = make_objective("GRP-GROW", unit="GRP")
    care = make_objective("GRP-CARE", unit="GRP", perspective="customer")
    sales = make_objective("SALES-GROW", unit="SALES", parent=grow)
    manager = enterprise.users["manager"]
    for move in ({"parent": care}, {"perspective": Perspective.objects.get(code="customer")}):
        with nothing_written(), pytest.raises(Invalid) as refused:
            do_update_objective(manager, sales, effective=EFFECTIVE, **move)
        assert refused.value.code == "change_request_required"
    # Its wording is no move: it changes directly, and rescores nothing.
    do_update_objective(manager, sales, effective=EFFECTIVE, name="Grow sales faster")
    assert recomputed == []

    filed = request(enterprise, "objective", "SALES-GROW", {"parent": "GRP-CARE"}, actor="manager")
    assert filed.unit == enterprise.units["SALES"]
    with nothing_written(), pytest.raises(AccessDenied):
        request(enterprise, "objective", "SALES-GROW", {"parent": "GRP-CARE"}, actor="steward")
    do_decide_change(enterprise.users["ceo"], filed.pk, True)
    version = version_on(ObjectiveVersion, EFFECTIVE, objective=sales)
    assert version is not None
    assert (version.parent, version.name, version.source) == (
        care,
        "Grow sales faster",
        f"change_request:{filed.pk}",
    )
    # The old parent loses what the new one gains: every scorecard is redone.
    assert recomputed == [None]


def test_a_move_to_another_unit_needs_the_right_over_both_units(
    enterprise: Enterprise, make_objective: MakeObjective, open_year: None
) -> None:
    make_objective("SALES-GROW", unit="SALES")
    to_finance = {"unit_id": enterprise.units["FIN"].pk}
    with nothing_written(), pytest.raises(AccessDenied):
        request(enterprise, "objective", "SALES-GROW", to_finance, actor="manager")
    filed = request(enterprise, "objective", "SALES-GROW", to_finance, actor="ceo")
    do_decide_change(enterprise.users["admin"], filed.pk, True)
    objective = Objective.objects.get(code="SALES-GROW")
    version = version_on(ObjectiveVersion, EFFECTIVE, objective=objective)
    assert version is not None and version.unit == enterprise.units["FIN"]


def test_a_move_is_refused_in_a_closed_period_directly_and_by_request(
    enterprise: Enterprise, make_objective: MakeObjective, make_period: MakePeriod
) -> None:
    grow = make_objective("GRP-GROW", unit="GRP")
    make_objective("GRP-CARE", unit="GRP")
    sales = make_objective("SALES-GROW", unit="SALES", parent=grow)
    make_period("FY2025", dt.date(2025, 1, 1), YEAR_START, state="closed")
    in_closed = dt.date(2025, 6, 1)
    care = Objective.objects.get(code="GRP-CARE")
    with nothing_written(), pytest.raises(Invalid) as direct:
        do_update_objective(enterprise.users["ceo"], sales, effective=in_closed, parent=care)
    assert direct.value.code == "period_closed"
    with nothing_written(), pytest.raises(Invalid) as requested:
        request(
            enterprise, "objective", "SALES-GROW", {"parent": "GRP-CARE"}, actor="ceo",
            effective=in_closed,
        )  # fmt: skip
    assert requested.value.code == "period_closed"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "payload"),
        ({"parent": "NO-SUCH"}, "parent"),
        ({"parent": 7}, "parent"),
        ({"perspective": "no-such"}, "perspective"),
        ({"unit_id": "SALES"}, "unit_id"),
        ({"owner_id": 999_999}, "owner_id"),
        ({"horizon_end": "next year"}, "horizon_end"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_objective_request_names_the_field_and_files_nothing(
    enterprise: Enterprise,
    make_objective: MakeObjective,
    open_year: None,
    payload: dict[str, Any],
    field: str,
) -> None:
    make_objective("SALES-GROW", unit="SALES")
    with nothing_written(), pytest.raises(Invalid) as refused:
        request(enterprise, "objective", "SALES-GROW", payload, actor="manager")
    assert field in refused.value.fields


def test_a_units_own_scorecard_policy_is_ended_by_request_in_an_open_period(
    enterprise: Enterprise, make_period: MakePeriod, recomputed: list[set[int] | None]
) -> None:
    sales, ceo = enterprise.units["SALES"], enterprise.users["ceo"]
    policy: dict[str, Any] = {"combine": "minimum", "missing": "zero", "cap_at_100": True}
    do_set_scorecard_policy(ceo, sales, effective=DAY, reason="strict", **policy)
    make_period("FY2026", YEAR_START, YEAR_END)
    with nothing_written(), pytest.raises(Invalid) as refused:
        do_end_scorecard_policy(ceo, sales, effective=EFFECTIVE, reason="back to the default")
    assert refused.value.code == "change_request_required"
    with nothing_written(), pytest.raises(Invalid) as default:
        request(enterprise, "scorecard_policy", "", {"end": True}, actor="ceo")
    assert "subject" in default.value.fields
    with nothing_written(), pytest.raises(Invalid) as none_left:
        request(enterprise, "scorecard_policy", "FIN", {"end": True}, actor="ceo")
    assert none_left.value.code == "not_in_force" and "effective" in none_left.value.fields

    filed = request(enterprise, "scorecard_policy", "SALES", {"end": True}, actor="manager")
    recomputed.clear()
    do_decide_change(ceo, filed.pk, True)
    assert version_on(ScorecardPolicy, EFFECTIVE, unit=sales) is None
    before = version_on(ScorecardPolicy, EFFECTIVE - dt.timedelta(days=1), unit=sales)
    assert before is not None and before.valid_until == EFFECTIVE
    assert recomputed == [None]
