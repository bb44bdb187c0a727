"""The retire and create forms inside an open planning period: a retirement, and a new
objective where a scorecard counts missing data, are offered as change requests showing what
they would change, filed, and approved by someone else in the inbox; under the default
policy, which skips missing data, a new objective is created directly."""

from __future__ import annotations

from django.urls import reverse

from scoreline.governance.models import ChangeRequest
from scoreline.lib.dates import today
from scoreline.lib.months import add_months
from scoreline.lib.versioned import version_on
from scoreline.planning.actions import do_create_period, do_open_period
from scoreline.scoring.actions.scorecards import do_set_scorecard_policy
from scoreline.strategy.models import Objective, ObjectiveVersion
from tests.builders.enterprise import Enterprise
from tests.builders.kpis import nothing_written, recomputed_scores, stored_scores
from tests.builders.pages import ClientFor, section
from tests.builders.strategy_pages import StrategyWorld, objective_form

DAY = today().isoformat()
JUSTIFIED = {"file_request": "1", "justification": "The plan changed"}


def _approve_in_inbox(client_for: ClientFor, request: ChangeRequest, line: str) -> None:
    ceo = client_for("ceo")
    inbox = ceo.get(reverse("kpis:changes")).content.decode()
    assert line in section(inbox, "decidable")
    approved = ceo.post(reverse("kpis:decide", args=[request.pk]), {"decision": "approve"})
    assert approved.status_code == 302


def test_a_retirement_in_an_open_period_is_filed_approved_by_someone_else_and_rescored(
    strategy: StrategyWorld, client_for: ClientFor
) -> None:
    since = add_months(strategy.this_month, -3)
    north = strategy.objectives["north-deliver"]
    retire = reverse("strategy:objective-retire", args=[north.pk])
    posted = {"effective": since.isoformat(), "reason": "Folded into delivery"}
    manager = client_for("manager")
    before = recomputed_scores()
    with nothing_written():
        offered = manager.post(retire, posted)
    assert offered.status_code == 400
    html = offered.content.decode()
    assert "the period Current plan is open" in html
    on = f"{since.day} {since:%b %Y}"
    line = (
        f'<span class="diff-field">In force</span> <del>since {strategy.start.day} '
        f"{strategy.start:%b %Y}</del> &rarr; <ins>retired from {on}</ins>"
    )
    assert line in section(html, "change-diff")
    assert "Objective north-deliver (Deliver on time in the north)</strong>" in section(
        html, "change-offer"
    )

    assert manager.post(retire, posted | JUSTIFIED).status_code == 302
    request = ChangeRequest.objects.get(kind="objective")
    assert (request.subject, request.payload) == ("north-deliver", {"retire": True})
    assert stored_scores() == before  # nothing changes until someone else approves
    assert version_on(ObjectiveVersion, today(), objective=north) is not None

    _approve_in_inbox(client_for, request, line)
    assert version_on(ObjectiveVersion, since, objective=north) is None
    stored = stored_scores()
    assert stored == recomputed_scores()
    assert not any(key[2] == north.pk and key[6] >= since for key in stored)
    # "deliver" no longer counts the north's punctuality from that month on.
    deliver = strategy.objectives["deliver"].pk
    moved = [key for key in before if key[2] == deliver and key[6] >= since]
    assert moved and all(stored[key] != before[key] for key in moved)


def test_a_new_objective_under_the_default_policy_is_created_directly_in_an_open_period(
    enterprise: Enterprise, strategy: StrategyWorld, client_for: ClientFor
) -> None:
    before = stored_scores()
    url = reverse("strategy:objective-new", args=[enterprise.units["SALES"].pk])
    response = client_for("manager").post(url, objective_form())
    created = Objective.objects.get(code="sales-deliver")
    assert response.status_code == 302
    assert response["Location"] == reverse("strategy:objective", args=[created.pk])
    assert not ChangeRequest.objects.filter(kind="new_objective").exists()
    assert stored_scores() == before  # skipped while it has no data: no score moves


def test_a_new_objective_counted_as_missing_is_offered_filed_and_approved(
    enterprise: Enterprise, world_web_strategy_plain: StrategyWorld, client_for: ClientFor
) -> None:
    ceo, sales = enterprise.users["ceo"], enterprise.units["SALES"]
    do_set_scorecard_policy(
        ceo, sales, combine="weighted_mean", missing="zero", cap_at_100=True,
        effective=world_web_strategy_plain.start,
    )  # fmt: skip
    period = do_create_period(
        ceo, label="Current plan", start=world_web_strategy_plain.start,
        end=add_months(world_web_strategy_plain.this_month, 12),
    )  # fmt: skip
    do_open_period(ceo, period)
    url = reverse("strategy:objective-new", args=[sales.pk])
    manager = client_for("manager")
    with nothing_written():
        offered = manager.post(url, objective_form())
    assert offered.status_code == 400
    html = offered.content.decode()
    on = f"{today().day} {today():%b %Y}"
    assert f"New objective sales-deliver in Sales under deliver from {on}" in html
    diff = section(html, "change-diff").split("</ul>")[0]
    line = (
        '<span class="diff-field">Contribution weight</span> <del>\u2014</del> &rarr; <ins>3</ins>'
    )
    assert line in diff
    assert "<ins>Deliver every order in Sales on time</ins>" in diff

    filed = manager.post(url, objective_form() | JUSTIFIED)
    assert filed.status_code == 302
    assert filed["Location"] == reverse("strategy:unit-map", args=[sales.pk])
    request = ChangeRequest.objects.get(kind="new_objective")
    assert request.subject == "sales-deliver"
    assert request.payload["unit_id"] == sales.pk
    assert (request.payload["parent"], request.payload["contribution_weight"]) == ("deliver", 3.0)
    assert not Objective.objects.filter(code="sales-deliver").exists()

    _approve_in_inbox(client_for, request, line)
    created = Objective.objects.get(code="sales-deliver")
    version = version_on(ObjectiveVersion, today(), objective=created)
    assert version is not None and version.unit == sales
    assert version.source == f"change_request:{request.pk}"
    assert stored_scores() == recomputed_scores()
