"""The KPI pages: catalogue, KPI page with its chart, explained score and value entry, the
scorecard tree and the change-request inbox, each scoped by access."""

from __future__ import annotations

import re

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse

from scoreline.engine.scoring import Method, explain, score_piecewise
from scoreline.governance.actions import do_decide_change, do_request_change
from scoreline.governance.models import ChangeState
from scoreline.kpis.actions.definitions import do_create_kpi
from scoreline.kpis.models import KpiValue, KpiVersion
from scoreline.lib.months import add_months
from scoreline.scoring.actions.values import do_record_value
from scoreline.scoring.models import NodeKind, Score
from tests.builders.enterprise import Enterprise
from tests.builders.pages import (
    ClientFor,
    PageOf,
    analyst_on,
    assert_login_redirect,
    client_of,
    section,
)
from tests.builders.strategy_pages import ON_TIME, ON_TIME_NORTH, PROMOTERS, StrategyWorld


def kpi_url(strategy: StrategyWorld, code: str, world: Enterprise, unit: str) -> str:
    return reverse("kpis:kpi-unit", args=[strategy.kpis[code].pk, world.units[unit].pk])


def scorecard_url(world: Enterprise, unit: str) -> str:
    return reverse("kpis:scorecard-unit", args=[world.units[unit].pk])


def chart_of(html: str) -> str:
    return section(html, "history-chart").split("</svg>")[0]


# ----------------------------------------------------------------------------- catalogue


def test_the_catalogue_lists_every_kpi_in_force_for_members(
    strategy: StrategyWorld, page_of: PageOf
) -> None:
    html = page_of("employee", reverse("kpis:catalogue"))
    for name in ("On-time delivery rate", "Net promoter score", "Scope 1 emissions"):
        assert name in html


def test_an_outsider_may_not_read_the_catalogue(
    strategy: StrategyWorld, client_for: ClientFor
) -> None:
    client = client_for("outsider")
    html = client.get(reverse("kpis:catalogue")).content.decode()
    assert "no access to the KPI catalogue" in html and "On-time delivery rate" not in html
    assert client.get(reverse("kpis:kpi", args=[strategy.kpis["on-time"].pk])).status_code == 404


# ----------------------------------------------------------------------------- the KPI page


def test_the_kpi_page_shows_the_definition_and_its_smart_report(
    enterprise: Enterprise, strategy: StrategyWorld, page_of: PageOf
) -> None:
    html = page_of("ceo", kpi_url(strategy, "on-time", enterprise, "GRP"))
    assert "<h1>On-time delivery rate" in html
    assert "Share of orders delivered on the promised day" in html
    assert "Operations data warehouse" in html
    smart = section(html, "smart-report").split("</section>")[0]
    for word in ("Specific", "Measurable", "Achievable", "Relevant", "Time-bound"):
        assert word in smart


@pytest.mark.parametrize("persona", ["ceo", "steward", "employee"])
def test_a_banded_kpi_shows_its_bands_best_first_on_its_page_and_at_a_unit(
    enterprise: Enterprise, strategy: StrategyWorld, page_of: PageOf, persona: str
) -> None:
    injuries = strategy.kpis["injuries"]
    for url in (
        reverse("kpis:kpi", args=[injuries.pk]),
        kpi_url(strategy, "injuries", enterprise, "GRP"),
    ):
        html = page_of(persona, url)
        rows = re.findall(
            r"<tr><td>(.*?)</td><td class=\"num\">(.*?)</td></tr>", section(html, "bands")
        )
        assert rows == [
            ("At or below 0.5", "100"),
            ("Above 0.5 up to 1", "70"),
            ("Above 1 up to 2", "40"),
            ("Above 2", "0"),
        ]
        # The version history shows how the safety board moved the edges.
        versions = section(html, "versions")
        assert "1, 2, 3" in versions and "0.5, 1, 2" in versions


def test_the_chart_draws_each_months_value_over_the_target_band(
    enterprise: Enterprise, strategy: StrategyWorld, page_of: PageOf
) -> None:
    chart = chart_of(page_of("ceo", kpi_url(strategy, "on-time", enterprise, "GRP")))
    assert chart.count('<circle class="chart-point"') == len(ON_TIME)
    assert chart.count('<polygon class="chart-band"') == 1
    assert chart.count('<polyline class="chart-target"') == 1
    assert chart.count('<polyline class="chart-line"') == 1
    # Points are placed by value: the highest month sits highest on the chart (smallest y).
    ys = [float(y) for y in re.findall(r'class="chart-point" cx="[^"]+" cy="([^"]+)"', chart)]
    assert ys.index(min(ys)) == ON_TIME.index(max(ON_TIME))
    # Colours follow the stored statuses (the default green is #1e8449).
    assert 'fill="#1e8449"' in chart


def test_the_chart_shows_at_most_the_last_36_months(
    enterprise: Enterprise, strategy: StrategyWorld, page_of: PageOf
) -> None:
    steward = enterprise.users["steward"]
    first = add_months(strategy.this_month, -40)
    kpi = do_create_kpi(
        steward, code="calls", valid_from=first, name="Calls answered", unit="count",
        direction="higher", temporality="lagging", kind="output", time_aggregation="sum",
        tree_aggregation="none", scoring="percent_capped",
    )  # fmt: skip
    # The span reaches into the open plan: the first target goes through a change request.
    payload = {
        "unit_id": enterprise.units["DE"].pk, "period_start": first.isoformat(),
        "period_end": add_months(strategy.this_month, 1).isoformat(),
        "target_type": "stay_above", "target": 41.0 * 100,
    }  # fmt: skip
    filed = do_request_change(steward, "target", "calls", payload, first, "Call centre history")
    do_decide_change(enterprise.users["ceo"], filed.pk, True)
    for offset in range(40):
        do_record_value(
            steward, kpi, unit=enterprise.units["DE"], period=add_months(first, offset),
            value=90.0 + offset, note="ok",
        )  # fmt: skip
    html = page_of("ceo", reverse("kpis:kpi-unit", args=[kpi.pk, enterprise.units["DE"].pk]))
    chart = chart_of(html)
    assert chart.count('<circle class="chart-point"') == 36
    latest = add_months(first, 39)
    assert f"{latest:%b} {latest:%Y}: 129" in chart
    assert f"{add_months(first, 3):%b} {add_months(first, 3):%Y}: 93" not in chart


def test_the_latest_score_is_explained_from_its_stored_inputs(
    enterprise: Enterprise, strategy: StrategyWorld, page_of: PageOf
) -> None:
    html = page_of("ceo", kpi_url(strategy, "on-time", enterprise, "GRP"))
    panel = section(html, "score-explanation").split("</section>")[0]
    params = {"threshold": 85.0, "target": 92.0, "stretch": 97.0}
    expected = explain(Method.PIECEWISE, ON_TIME[-1], params, 1)
    assert expected["formula"] in panel
    assert str(expected["segment"]).capitalize() in panel
    stored = Score.objects.get(
        kind=NodeKind.KPI,
        kpi=strategy.kpis["on-time"],
        unit=enterprise.units["GRP"],
        period=add_months(strategy.this_month, -1),
    )
    assert stored.score == pytest.approx(expected["score"])
    assert f'<span class="score-number">{stored.score:.1f}</span>' in panel


def test_the_page_at_another_unit_shows_that_units_values(
    enterprise: Enterprise, strategy: StrategyWorld, page_of: PageOf
) -> None:
    html = page_of("employee", kpi_url(strategy, "on-time", enterprise, "SALES-N"))
    assert chart_of(html).count('<circle class="chart-point"') == len(ON_TIME_NORTH)
    assert "History at Sales North" in html
    # The last north value is short of the threshold: a score of zero.
    zero = float(score_piecewise(np.array([ON_TIME_NORTH[-1]]), 85.0, 92.0, 97.0, direction=1)[0])
    assert zero == 0.0
    assert '<span class="score-number">0.0</span>' in section(html, "score-explanation")


def test_the_version_history_shows_what_an_approved_change_altered(
    enterprise: Enterprise, strategy: StrategyWorld, client_for: ClientFor, page_of: PageOf
) -> None:
    assert strategy.request is not None
    url = reverse("kpis:decide", args=[strategy.request.pk])
    response = client_for("ceo").post(url, {"decision": "approve", "note": "Agreed"})
    assert response.status_code == 302
    html = page_of("employee", reverse("kpis:kpi", args=[strategy.kpis["promoters"].pk]))
    versions = section(html, "versions").split("</table>")[0]
    assert "<ins>From the quarterly survey</ins>" in versions
    assert "The survey moved to quarterly" in versions  # the justification is the reason
    assert f"change_request:{strategy.request.pk}" in versions
    assert "Created" in versions


def test_the_unit_picker_leads_to_the_kpi_at_the_chosen_unit(
    enterprise: Enterprise, strategy: StrategyWorld, client_for: ClientFor
) -> None:
    url = reverse("kpis:kpi", args=[strategy.kpis["on-time"].pk])
    client = client_for("employee")
    html = client.get(url).content.decode()
    picker = html.split('name="unit"')[1].split("</select>")[0]
    assert "Group (GRP)" in picker and "Sales North (SALES-N)" in picker
    assert "Finance" not in picker  # no value or target there
    response = client.get(url, {"unit": str(enterprise.units["SALES-N"].pk)})
    assert response.status_code == 302
    assert response["Location"] == kpi_url(strategy, "on-time", enterprise, "SALES-N")
    analyst = client_of(analyst_on(enterprise, "DE"))
    assert analyst.get(url, {"unit": str(enterprise.units["GRP"].pk)}).status_code == 404


@pytest.mark.parametrize("visitor", ["analyst", "outsider"])
def test_a_kpi_at_a_unit_the_visitor_may_not_see_is_not_found(
    enterprise: Enterprise, strategy: StrategyWorld, client_for: ClientFor, visitor: str
) -> None:
    client = (
        client_of(analyst_on(enterprise, "DE")) if visitor == "analyst" else client_for(visitor)
    )
    assert client.get(kpi_url(strategy, "on-time", enterprise, "GRP")).status_code == 404


def test_the_kpi_page_opens_where_the_visitor_may_see_values(
    enterprise: Enterprise, strategy: StrategyWorld
) -> None:
    # The analyst may see Scoreline GmbH only, where the KPI has no value: no chart, no score.
    client = client_of(analyst_on(enterprise, "DE"))
    html = client.get(reverse("kpis:kpi", args=[strategy.kpis["on-time"].pk])).content.decode()
    assert 'data-testid="history-chart"' not in html
    assert "No values you may see." in html
    assert "No score yet" in html


# ----------------------------------------------------------------------------- value entry


def post_value(
    client: Client, url: str, *, period: str, value: str, note: str = ""
) -> tuple[int, str]:
    response = client.post(url, {"period": period, "value": value, "note": note})
    return response.status_code, response.content.decode()


def test_a_steward_enters_a_value_and_it_is_scored(
    enterprise: Enterprise, strategy: StrategyWorld, client_for: ClientFor
) -> None:
    url = kpi_url(strategy, "on-time", enterprise, "GRP")
    month = strategy.this_month
    client = client_for("steward")
    status, _ = post_value(client, url, period=f"{month:%Y-%m}", value="95.5")
    assert status == 302
    stored = KpiValue.objects.get(
        kpi=strategy.kpis["on-time"], unit=enterprise.units["GRP"], period=month
    )
    assert (stored.value, stored.source) == (95.5, "manual")
    score = Score.objects.get(
        kind=NodeKind.KPI, kpi=strategy.kpis["on-time"], unit=enterprise.units["GRP"], period=month
    )
    assert score.status == "green"
    html = client.get(url).content.decode()
    assert f"Value for {month:%B %Y} at Group saved." in html


def test_the_entry_form_is_shown_only_to_those_who_may_enter_values(
    enterprise: Enterprise, strategy: StrategyWorld, page_of: PageOf
) -> None:
    url = kpi_url(strategy, "on-time", enterprise, "GRP")
    assert "Save value" in page_of("steward", url)
    for visitor in ("ceo", "manager", "employee"):
        assert "Save value" not in page_of(visitor, url)


@pytest.mark.parametrize("visitor", ["ceo", "manager", "employee"])
def test_entering_a_value_without_the_right_is_forbidden(
    enterprise: Enterprise, strategy: StrategyWorld, client_for: ClientFor, visitor: str
) -> None:
    url = kpi_url(strategy, "on-time", enterprise, "GRP")
    before = KpiValue.objects.count()
    status, _ = post_value(
        client_for(visitor), url, period=f"{strategy.this_month:%Y-%m}", value="95"
    )
    assert status == 403
    assert KpiValue.objects.count() == before


def test_entering_a_value_where_the_visitor_sees_nothing_is_not_found(
    enterprise: Enterprise, strategy: StrategyWorld, client_for: ClientFor
) -> None:
    url = kpi_url(strategy, "on-time", enterprise, "GRP")
    status, _ = post_value(client_for("outsider"), url, period="2025-01", value="95")
    assert status == 404
    assert Client().post(url, {"period": "2025-01", "value": "95"}).status_code == 302


def test_a_red_value_without_a_note_is_refused_on_the_form(
    enterprise: Enterprise, strategy: StrategyWorld, client_for: ClientFor
) -> None:
    url = kpi_url(strategy, "on-time", enterprise, "GRP")
    before = KpiValue.objects.count()
    status, html = post_value(
        client_for("steward"), url, period=f"{strategy.this_month:%Y-%m}", value="70"
    )
    assert status == 400
    assert '<div class="field-error" data-field="note">a red value needs a note' in html
    assert 'value="70"' in html  # what was typed stays on the form
    assert KpiValue.objects.count() == before
    status, _ = post_value(
        client_for("steward"), url, period=f"{strategy.this_month:%Y-%m}", value="70",
        note="Carrier strike",
    )  # fmt: skip
    assert status == 302


@pytest.mark.parametrize("typed", ["nan", "NaN", "inf", "-Infinity"])
def test_nan_and_infinity_are_refused_on_the_form(
    enterprise: Enterprise, strategy: StrategyWorld, client_for: ClientFor, typed: str
) -> None:
    url = kpi_url(strategy, "on-time", enterprise, "GRP")
    before = KpiValue.objects.count()
    status, html = post_value(
        client_for("steward"), url, period=f"{strategy.this_month:%Y-%m}", value=typed, note="x"
    )
    assert status == 400
    assert '<div class="field-error" data-field="value">Enter a finite number' in html
    assert KpiValue.objects.count() == before


@pytest.mark.parametrize(
    ("period", "value", "field", "message"),
    [
        ("2025-13", "90", "period", "Enter a month as YYYY-MM"),
        ("", "90", "period", "This field is required."),
        ("2025-01", "ninety", "value", "Enter a number"),
        ("2025-01", "", "value", "This field is required."),
    ],
)
def test_a_malformed_month_or_value_is_refused_on_the_form(
    enterprise: Enterprise,
    strategy: StrategyWorld,
    client_for: ClientFor,
    period: str,
    value: str,
    field: str,
    message: str,
) -> None:
    url = kpi_url(strategy, "on-time", enterprise, "GRP")
    status, html = post_value(client_for("steward"), url, period=period, value=value)
    assert status == 400
    assert f'<div class="field-error" data-field="{field}">{message}' in html


def test_a_calculated_kpi_has_no_entry_form_and_refuses_a_posted_value(
    enterprise: Enterprise, strategy: StrategyWorld, client_for: ClientFor
) -> None:
    kpi = do_create_kpi(
        enterprise.users["steward"], code="promoters-doubled", valid_from=strategy.start,
        name="Promoter score doubled", unit="points", formula="2 * promoters",
        direction="higher", temporality="leading", kind="quality",
        time_aggregation="average", tree_aggregation="none", scoring="percent_capped",
    )  # fmt: skip
    url = reverse("kpis:kpi-unit", args=[kpi.pk, enterprise.units["GRP"].pk])
    client = client_for("steward")
    assert "Save value" not in client.get(url).content.decode()
    status, html = post_value(client, url, period=f"{strategy.this_month:%Y-%m}", value="90")
    assert status == 400
    assert "is calculated from its formula" in html


# ----------------------------------------------------------------------------- scorecards


def test_the_scorecard_shows_perspectives_objectives_and_kpis_with_their_scores(
    enterprise: Enterprise, strategy: StrategyWorld, page_of: PageOf
) -> None:
    html = page_of("ceo", scorecard_url(enterprise, "GRP"))
    last_month = add_months(strategy.this_month, -1)
    assert f"{last_month:%B %Y}" in html  # the latest month with a score
    unit_score = Score.objects.get(
        kind=NodeKind.UNIT, unit=enterprise.units["GRP"], period=last_month
    )
    assert unit_score.score is not None
    assert f"{unit_score.score:.1f}" in section(html, "unit-score").split("</div>")[0]
    tree = section(html, "scorecard").split("Units below")[0]
    order = [
        "Financial",
        "Grow profitable revenue",
        "Net promoter score",
        "Customer",
        "Delight our customers everywhere",
        "Internal process",
        "Deliver on time",
        "Deliver on time in the north",
        "On-time delivery rate",
        "Cut our emissions",
        "Scope 1 emissions",
        "Learning and growth",
        "Build sales capability",
    ]
    position = 0
    for name in order:  # each appears after the one before
        position = tree.index(name, position)
    assert "No KPI" in tree  # "Build sales capability"


def test_the_scorecard_drills_down_to_the_units_below_and_to_the_pages(
    enterprise: Enterprise, strategy: StrategyWorld, page_of: PageOf
) -> None:
    html = page_of("ceo", scorecard_url(enterprise, "GRP"))
    children = section(html, "child-units").split("</table>")[0]
    for code in ("UK", "DE", "PRJ"):
        assert scorecard_url(enterprise, code) in children
    kpi_link = kpi_url(strategy, "on-time", enterprise, "GRP")
    assert f'href="{kpi_link}"' in html
    objective = reverse("strategy:objective", args=[strategy.objectives["grow"].pk])
    assert f'href="{objective}"' in html
    north = page_of("employee", scorecard_url(enterprise, "SALES-N"))
    assert "Deliver on time in the north" in north and "Grow profitable revenue" not in north


def test_the_month_picker_shows_an_earlier_month(
    enterprise: Enterprise, strategy: StrategyWorld, page_of: PageOf
) -> None:
    early = add_months(strategy.this_month, -len(ON_TIME))  # before any promoter score
    assert len(PROMOTERS) < len(ON_TIME)
    html = page_of("ceo", f"{scorecard_url(enterprise, 'GRP')}?month={early:%Y-%m}")
    assert f"{early:%B %Y}" in html
    tree = section(html, "scorecard").split("Units below")[0]
    row = tree.split("Net promoter score")[1].split("</tr>")[0]
    assert "No score" in row
    row = tree.split("On-time delivery rate")[1].split("</tr>")[0]
    assert "score-number" in row


def test_the_unit_picker_of_the_scorecard_redirects_to_the_chosen_unit(
    enterprise: Enterprise, strategy: StrategyWorld, client_for: ClientFor
) -> None:
    response = client_for("ceo").get(
        reverse("kpis:scorecard"), {"unit": str(enterprise.units["DE"].pk), "month": "2025-03"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{scorecard_url(enterprise, 'DE')}?month=2025-03"


def test_a_malformed_month_is_refused_with_a_400(
    enterprise: Enterprise, strategy: StrategyWorld, client_for: ClientFor
) -> None:
    response = client_for("ceo").get(scorecard_url(enterprise, "GRP"), {"month": "March"})
    assert response.status_code == 400
    assert "Enter a month as YYYY-MM" in response.content.decode()


def test_a_scorecard_outside_the_visitors_reach_is_not_found(
    enterprise: Enterprise, strategy: StrategyWorld, client_for: ClientFor
) -> None:
    analyst = client_of(analyst_on(enterprise, "DE"))
    assert analyst.get(scorecard_url(enterprise, "GRP")).status_code == 404
    assert analyst.get(scorecard_url(enterprise, "DE")).status_code == 200
    outsider = client_for("outsider")
    assert outsider.get(scorecard_url(enterprise, "GRP")).status_code == 404
    html = outsider.get(reverse("kpis:scorecard")).content.decode()
    assert "no access to the scorecard of any unit" in html


# ----------------------------------------------------------------------------- change requests


def test_an_approver_sees_the_pending_request_and_approves_it(
    strategy: StrategyWorld, client_for: ClientFor
) -> None:
    assert strategy.request is not None
    client = client_for("ceo")
    inbox = client.get(reverse("kpis:changes")).content.decode()
    waiting = section(inbox, "decidable").split("</article>")[0]
    assert "The survey moved to quarterly" in waiting and "promoters" in waiting
    response = client.post(
        reverse("kpis:decide", args=[strategy.request.pk]), {"decision": "approve", "note": ""}
    )
    assert response.status_code == 302
    strategy.request.refresh_from_db()
    assert strategy.request.state == ChangeState.APPROVED
    version = KpiVersion.objects.filter(kpi=strategy.kpis["promoters"]).order_by("valid_from")
    assert version.last() is not None and version.last().description == (  # type: ignore[union-attr]
        "From the quarterly survey"
    )
    assert 'data-testid="decidable"' not in client.get(reverse("kpis:changes")).content.decode()


def test_a_decided_request_stays_in_the_approvers_history_with_who_decided_and_why(
    strategy: StrategyWorld, client_for: ClientFor
) -> None:
    assert strategy.request is not None
    ceo, admin = client_for("ceo"), client_for("admin")
    admin.post(
        reverse("kpis:decide", args=[strategy.request.pk]),
        {"decision": "reject", "note": "Keep it monthly"},
    )

    history = section(ceo.get(reverse("kpis:changes")).content.decode(), "request-history")
    rejected = section(
        ceo.get(reverse("kpis:changes") + "?state=rejected").content.decode(), "request-history"
    )
    pending = section(
        ceo.get(reverse("kpis:changes") + "?state=pending").content.decode(), "request-history"
    )

    for html in (history, rejected):
        row = html.split("</table>")[0]
        assert "The survey moved to quarterly" in row and "Rejected" in row
        assert "admin" in row and "Keep it monthly" in row and "steward" in row
    assert "The survey moved to quarterly" not in pending.split("</table>")[0]


def test_a_rejection_without_a_note_is_refused_on_the_form(
    strategy: StrategyWorld, client_for: ClientFor
) -> None:
    assert strategy.request is not None
    response = client_for("ceo").post(
        reverse("kpis:decide", args=[strategy.request.pk]), {"decision": "reject", "note": " "}
    )
    assert response.status_code == 400
    assert '<div class="field-error" data-field="note">A rejection needs a note' in (
        response.content.decode()
    )
    strategy.request.refresh_from_db()
    assert strategy.request.state == ChangeState.PENDING


def test_a_rejection_with_a_note_reaches_the_requester(
    strategy: StrategyWorld, client_for: ClientFor
) -> None:
    assert strategy.request is not None
    response = client_for("ceo").post(
        reverse("kpis:decide", args=[strategy.request.pk]),
        {"decision": "reject", "note": "Keep it monthly"},
    )
    assert response.status_code == 302
    own = client_for("steward").get(reverse("kpis:changes")).content.decode()
    mine = section(own, "own-requests").split("</table>")[0]
    assert "Rejected" in mine and "Keep it monthly" in mine and "ceo" in mine


def test_the_requester_sees_their_request_but_may_not_decide_it(
    strategy: StrategyWorld, client_for: ClientFor
) -> None:
    assert strategy.request is not None
    client = client_for("steward")
    inbox = client.get(reverse("kpis:changes")).content.decode()
    assert 'data-testid="decidable"' not in inbox
    assert "The survey moved to quarterly" in section(inbox, "own-requests")
    url = reverse("kpis:decide", args=[strategy.request.pk])
    assert client.post(url, {"decision": "approve"}).status_code == 403
    strategy.request.refresh_from_db()
    assert strategy.request.state == ChangeState.PENDING


@pytest.mark.parametrize("visitor", ["manager", "employee", "outsider"])
def test_a_request_the_visitor_may_neither_decide_nor_see_is_not_found(
    strategy: StrategyWorld, client_for: ClientFor, visitor: str
) -> None:
    assert strategy.request is not None
    client = client_for(visitor)
    assert (
        "The survey moved to quarterly" not in client.get(reverse("kpis:changes")).content.decode()
    )
    url = reverse("kpis:decide", args=[strategy.request.pk])
    assert client.post(url, {"decision": "approve"}).status_code == 404
    strategy.request.refresh_from_db()
    assert strategy.request.state == ChangeState.PENDING


def test_a_decided_request_cannot_be_decided_again(
    strategy: StrategyWorld, client_for: ClientFor
) -> None:
    assert strategy.request is not None
    url = reverse("kpis:decide", args=[strategy.request.pk])
    assert client_for("ceo").post(url, {"decision": "approve"}).status_code == 302
    again = client_for("admin").post(url, {"decision": "reject", "note": "no"})
    assert again.status_code == 409
    assert "the request was already approved and applied" in again.content.decode()
    strategy.request.refresh_from_db()
    assert strategy.request.state == ChangeState.APPROVED


# ----------------------------------------------------------------------------- anonymous


def test_every_kpi_page_sends_an_anonymous_visitor_to_sign_in(
    enterprise: Enterprise, strategy: StrategyWorld
) -> None:
    assert strategy.request is not None
    client = Client()
    for url in [
        reverse("kpis:catalogue"),
        reverse("kpis:kpi", args=[strategy.kpis["on-time"].pk]),
        kpi_url(strategy, "on-time", enterprise, "GRP"),
        reverse("kpis:scorecard"),
        scorecard_url(enterprise, "GRP"),
        reverse("kpis:changes"),
    ]:
        assert_login_redirect(client, url)
    response = client.post(
        reverse("kpis:decide", args=[strategy.request.pk]), {"decision": "approve"}
    )
    assert response.status_code == 302


def test_the_kpi_page_judges_how_reachable_its_targets_are(
    enterprise: Enterprise, strategy: StrategyWorld, page_of: PageOf
) -> None:
    html = page_of("ceo", kpi_url(strategy, "on-time", enterprise, "GRP"))
    reach = section(html, "target-reach").split("</table>")[0]
    assert reach.count("<tr>") == 2  # the header and the one target in force
    assert any(
        judgement in reach
        for judgement in ("Too easy", "Unrealistic stretch", "Specific", "Too little history")
    )


def test_the_kpi_page_rolls_the_months_up_by_fiscal_quarter(
    enterprise: Enterprise, strategy: StrategyWorld, page_of: PageOf
) -> None:
    html = page_of("ceo", kpi_url(strategy, "on-time", enterprise, "GRP"))
    quarters = section(html, "quarters").split("</table>")[0]
    assert quarters.count("<tr>") >= 2 and "FY" in quarters and "-Q" in quarters
