"""The organisation's default scorecard policy, and a unit's own policy ended, in the pages.

The default is set by those who may edit the strategy of every unit (the ceo, the admin);
members without that right (the manager of one department, the steward, an employee) and
outsiders get 403. A unit's own policy is ended by those who may edit the unit's strategy;
others who may see the unit get 403, outsiders 404. Refusals are shown beside their fields
and write nothing; inside an open planning period the change is offered as a request.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django import forms
from django.test import Client
from django.urls import reverse

from scoreline.governance.models import ChangeRequest
from scoreline.lib.dates import today
from scoreline.lib.months import add_months
from scoreline.lib.versioned import version_on
from scoreline.scoring.actions.scorecards import do_set_scorecard_policy
from scoreline.scoring.models import ScorecardPolicy
from tests.builders.enterprise import Enterprise
from tests.builders.kpis import MakePeriod, nothing_written
from tests.builders.pages import ClientFor, section
from tests.builders.strategy_pages import StrategyWorld

DEFAULT = reverse("kpis:scorecard-default-policy")
POLICY = {"combine": "sum", "missing": "zero", "cascade_share": "0.5", "reason": "Group rule"}
EARLIER = "2024-01-01"


@pytest.fixture
def plain(enterprise: Enterprise, world_web_strategy_plain: StrategyWorld) -> StrategyWorld:
    """Objectives and KPIs without values and without a planning period."""
    return world_web_strategy_plain


def field_errors(html: str, name: str) -> list[str]:
    start = f'<div class="field-error" data-field="{name}">'
    return [part.split("</div>")[0] for part in html.split(start)[1:]]


def posted_policy(client: Client, url: str, **changes: Any) -> dict[str, Any]:
    """The form as its page fills it, with ``changes``, as a browser posts it."""
    form: forms.Form = client.get(url).context["form"]
    data = {
        field.html_name: field.field.prepare_value(field.value())
        for field in form
        if field.value() not in (None, False)
    }
    data = {name: value.isoformat() if isinstance(value, dt.date) else value
            for name, value in data.items()}  # fmt: skip
    return data | {"effective": EARLIER} | POLICY | changes


def default_rule() -> tuple[str, str]:
    policy = version_on(ScorecardPolicy, today(), unit=None)
    assert policy is not None
    return policy.combine, policy.missing


def own_policy(enterprise: Enterprise, unit: str = "SALES") -> None:
    do_set_scorecard_policy(
        enterprise.users["ceo"], enterprise.units[unit], combine="minimum", missing="zero",
        cap_at_100=True, effective=dt.date(2024, 1, 1), reason="Stricter",
    )  # fmt: skip


def open_this_year(make_period: MakePeriod) -> None:
    year = dt.date(today().year, 1, 1)
    make_period("This year", year, add_months(year, 12))


def end_url(enterprise: Enterprise, unit: str = "SALES") -> str:
    return reverse("kpis:scorecard-policy-end", args=[enterprise.units[unit].pk])


# ---------------------------------------------------------------- the default policy


@pytest.mark.parametrize("persona", ["ceo", "admin"])
def test_the_default_policy_is_set_by_those_over_every_unit(
    enterprise: Enterprise, plain: StrategyWorld, client_for: ClientFor, persona: str
) -> None:
    client = client_for(persona)
    card = client.get(reverse("kpis:scorecard-unit", args=[enterprise.units["GRP"].pk]))
    assert f'href="{DEFAULT}"' in card.content.decode()
    page = client.get(DEFAULT).content.decode()
    assert "Every unit follows it today." in page
    assert "Weighted mean" in section(page, "in-force")
    response = client.post(DEFAULT, posted_policy(client, DEFAULT))
    assert response.status_code == 302
    stored = version_on(ScorecardPolicy, today(), unit=None)
    assert stored is not None
    assert (stored.combine, stored.missing, stored.cap_at_100, stored.cascade_share) == (
        "sum",
        "zero",
        True,  # kept as the form showed it
        0.5,
    )
    assert "Sum" in section(client.get(DEFAULT).content.decode(), "in-force")


@pytest.mark.parametrize("persona", ["manager", "steward", "employee", "outsider"])
def test_the_default_policy_is_refused_to_everyone_else(
    enterprise: Enterprise, plain: StrategyWorld, client_for: ClientFor, persona: str
) -> None:
    client = client_for(persona)
    if persona == "manager":  # the manager of one department: no link on its scorecard
        card = client.get(reverse("kpis:scorecard-unit", args=[enterprise.units["SALES"].pk]))
        assert 'data-testid="policy-link"' in card.content.decode()
        assert DEFAULT not in card.content.decode()
    assert client.get(DEFAULT).status_code == 403
    with nothing_written():
        posted = POLICY | {"effective": EARLIER, "cap_at_100": "on"}
        assert client.post(DEFAULT, posted).status_code == 403


def test_a_refused_default_policy_is_shown_beside_its_field(
    enterprise: Enterprise, plain: StrategyWorld, client_for: ClientFor
) -> None:
    client = client_for("ceo")
    with nothing_written():
        refused = client.post(DEFAULT, posted_policy(client, DEFAULT, cascade_share="1.5"))
    assert refused.status_code == 400
    assert field_errors(refused.content.decode(), "cascade_share")
    assert default_rule() == ("weighted_mean", "skip")


def test_the_default_policy_in_an_open_period_is_offered_as_a_request(
    enterprise: Enterprise, plain: StrategyWorld, client_for: ClientFor, make_period: MakePeriod
) -> None:
    open_this_year(make_period)
    client = client_for("ceo")
    data = posted_policy(client, DEFAULT, effective=today().isoformat())
    with nothing_written():
        offered = client.post(DEFAULT, data)
    offer = section(offered.content.decode(), "change-offer")
    assert "Scorecard policy of every unit (the default)" in offer
    filed = client.post(DEFAULT, data | {"file_request": "1", "justification": "One rule"})
    assert filed.status_code == 302
    request = ChangeRequest.objects.get()
    assert (request.kind, request.subject, request.unit) == ("scorecard_policy", "", None)
    assert request.payload["combine"] == "sum"
    assert default_rule() == ("weighted_mean", "skip")  # until someone else approves


# ---------------------------------------------------------------- ending a unit's own policy


def test_a_manager_ends_their_departments_own_policy(
    enterprise: Enterprise, plain: StrategyWorld, client_for: ClientFor
) -> None:
    client = client_for("manager")
    sales = enterprise.units["SALES"]
    policy_page = reverse("kpis:scorecard-policy", args=[sales.pk])
    assert end_url(enterprise) not in client.get(policy_page).content.decode()  # none to end
    own_policy(enterprise)
    assert end_url(enterprise) in client.get(policy_page).content.decode()
    page = client.get(end_url(enterprise)).content.decode()
    assert "Sales follows its own policy today." in page
    assert "Minimum (weakest link)" in section(page, "in-force")
    day = today().isoformat()
    response = client.post(end_url(enterprise), {"effective": day, "reason": "One rule"})
    assert response.status_code == 302
    assert version_on(ScorecardPolicy, today(), unit=sales) is None
    assert "follows the organisation&#x27;s default policy today" in (
        client.get(policy_page).content.decode()
    )


def test_a_unit_without_a_policy_of_its_own_is_told_there_is_nothing_to_end(
    enterprise: Enterprise, plain: StrategyWorld, client_for: ClientFor
) -> None:
    html = client_for("manager").get(end_url(enterprise)).content.decode()
    assert "has no policy of its own, today or later" in html
    assert "there is nothing to end" in html
    assert '<form method="post" class="edit-form"' not in html

    own_policy(enterprise)
    html = client_for("manager").get(end_url(enterprise)).content.decode()
    assert "follows its own policy today" in html
    assert '<form method="post" class="edit-form"' in html


def test_ending_a_policy_the_unit_does_not_have_is_refused_beside_the_day(
    enterprise: Enterprise, plain: StrategyWorld, client_for: ClientFor
) -> None:
    client = client_for("manager")
    with nothing_written():
        refused = client.post(end_url(enterprise), {"effective": EARLIER, "reason": "x"})
    assert refused.status_code == 400
    assert (
        "has no scorecard policy of its own"
        in field_errors(refused.content.decode(), "effective")[0]
    )


@pytest.mark.parametrize(
    ("persona", "unit", "status"),
    [("steward", "SALES", 403), ("employee", "SALES", 403), ("manager", "FIN", 403),
     ("outsider", "SALES", 404)],
)  # fmt: skip
def test_ending_a_policy_is_refused_to_those_who_may_not_edit_the_units_strategy(
    enterprise: Enterprise,
    plain: StrategyWorld,
    client_for: ClientFor,
    persona: str,
    unit: str,
    status: int,
) -> None:
    own_policy(enterprise, unit)
    client = client_for(persona)
    url = end_url(enterprise, unit)
    assert client.get(url).status_code == status
    with nothing_written():
        posted = {"effective": today().isoformat(), "reason": "x"}
        assert client.post(url, posted).status_code == status


def test_ending_a_policy_in_an_open_period_is_offered_as_a_request(
    enterprise: Enterprise, plain: StrategyWorld, client_for: ClientFor, make_period: MakePeriod
) -> None:
    own_policy(enterprise)
    open_this_year(make_period)
    client = client_for("manager")
    data = {"effective": today().isoformat(), "reason": "One rule"}
    with nothing_written():
        offered = client.post(end_url(enterprise), data)
    offer = section(offered.content.decode(), "change-offer")
    assert (
        '<span class="diff-field">Follows</span> <del>its own policy</del> &rarr; '
        "<ins>the organisation&#x27;s default</ins>" in offer
    )
    filed = client.post(
        end_url(enterprise), data | {"file_request": "1", "justification": "One rule"}
    )
    assert filed.status_code == 302
    request = ChangeRequest.objects.get()
    assert (request.kind, request.subject, request.payload) == (
        "scorecard_policy",
        "SALES",
        {"end": True},
    )
    assert version_on(ScorecardPolicy, today(), unit=enterprise.units["SALES"]) is not None
