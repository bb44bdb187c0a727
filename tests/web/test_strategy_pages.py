"""The strategy pages: strategy map, objective page, workshops and the ESG view, scoped by access.

The strategy world below is built through the real actions on top of the shared enterprise,
with months counted back from today so the scores are the ones a visitor sees now.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse

from scoreline.engine.scoring import Method, explain, score_linear, score_piecewise
from scoreline.engine.workshop import summarise_allocations
from scoreline.strategy.actions.workshops import (
    ParticipantSpec,
    do_agree_weights,
    do_create_workshop,
    do_record_allocation,
)
from tests.builders.enterprise import PASSWORD, Enterprise, build_enterprise
from tests.builders.pages import (
    ClientFor,
    PageOf,
    analyst_on,
    assert_login_redirect,
    client_of,
    map_url,
    objective_url,
    section,
)
from tests.builders.reference import install_reference_data
from tests.builders.strategy_pages import (
    ON_TIME,
    ON_TIME_NORTH,
    PROMOTERS,
    StrategyWorld,
    build_strategy,
)
from tests.builders.worlds import WORLDS

# ----------------------------------------------------------------------------- strategy map


def test_the_map_shows_the_perspectives_as_rows_and_the_units_objectives_as_cards(
    enterprise: Enterprise, strategy: StrategyWorld, page_of: PageOf
) -> None:
    html = page_of("ceo", map_url(enterprise, "GRP"))
    figure = section(html, "strategy-map").split("</svg>")[0]
    labels = re.findall(r'<text class="map-lane-label">(.*?)</text>', figure)
    lanes = [" ".join(re.findall(r">([^<]+)<", label)) for label in labels]
    assert lanes == ["Financial", "Customer", "Internal process", "Learning and growth"]
    cards = re.findall(r'data-objective="([^"]+)"', figure)
    assert sorted(cards) == ["delight", "deliver", "green", "grow", "learn"]
    # The team's objective and the manager's individual goal are not on the group's map.
    assert "Deliver on time in the north" not in html and "Coach every seller" not in html


def test_each_card_is_coloured_by_the_status_of_the_objectives_latest_score(
    enterprise: Enterprise, strategy: StrategyWorld, page_of: PageOf
) -> None:
    html = page_of("ceo", map_url(enterprise, "GRP"))
    # "Grow" is measured by the promoter score alone, linear between 20 and 40: 41 last month.
    expected = float(score_linear(np.array([PROMOTERS[-1]]), 20.0, 40.0)[0])
    card = html.split('data-objective="grow"')[1].split("</a>")[0]
    assert f"Score {expected:.1f}" in card
    assert expected >= 200 / 3  # at or above the goal's score: the green band
    assert 'class="fill-green"' in card
    assert "green from 66.7, amber from 33.3, red below" in html
    unscored = html.split('data-objective="learn"')[1].split("</a>")[0]
    assert 'class="fill-none"' in unscored  # grey: nothing to score


def test_cause_and_effect_links_are_drawn_and_listed(
    enterprise: Enterprise, strategy: StrategyWorld, page_of: PageOf
) -> None:
    html = page_of("ceo", map_url(enterprise, "GRP"))
    assert html.count('class="map-link"') == 3
    listed = section(html, "map-links").split("</table>")[0]
    rows = [re.sub(r"<[^>]+>|\s+", " ", row).split() for row in listed.split("<tr>")[2:]]
    assert len(rows) == 3
    assert "Deliver on time drives Delight our customers everywhere" in html


def test_objectives_no_kpi_measures_are_flagged(
    enterprise: Enterprise, strategy: StrategyWorld, page_of: PageOf
) -> None:
    html = page_of("ceo", map_url(enterprise, "GRP"))
    flagged = section(html, "unmeasured").split("</section>")[0]
    assert "Build sales capability" in flagged
    assert "Grow profitable revenue" not in flagged
    assert 'class="map-card map-card-unmeasured" data-objective="learn"' in html


def test_the_map_without_a_unit_opens_on_the_viewers_own_unit_and_the_picker_changes_it(
    enterprise: Enterprise, strategy: StrategyWorld, client_for: ClientFor
) -> None:
    client = client_for("employee")
    html = client.get(reverse("strategy:map")).content.decode()
    assert "Strategy map · Sales North" in html
    assert "Deliver on time in the north" in html and "Grow profitable revenue" not in html
    group = enterprise.units["GRP"]
    response = client.get(reverse("strategy:map"), {"unit": group.pk})
    assert response.status_code == 302
    assert response["Location"] == map_url(enterprise, "GRP")
    html = client.get(response["Location"]).content.decode()
    assert "Grow profitable revenue" in html and "Deliver on time in the north" not in html


def test_a_user_who_may_see_one_subtree_gets_404_for_the_rest_of_the_map(
    enterprise: Enterprise, strategy: StrategyWorld
) -> None:
    client = client_of(analyst_on(enterprise, "DE"))
    assert client.get(map_url(enterprise, "GRP")).status_code == 404
    assert (
        client.get(reverse("strategy:map"), {"unit": enterprise.units["GRP"].pk}).status_code == 404
    )
    html = client.get(reverse("strategy:map")).content.decode()
    assert "Strategy map · Scoreline GmbH" in html
    assert "Grow profitable revenue" not in html


def test_an_outsider_sees_no_strategy_and_gets_404_for_a_units_map(
    enterprise: Enterprise, strategy: StrategyWorld, client_for: ClientFor
) -> None:
    client = client_for("outsider")
    html = client.get(reverse("strategy:map")).content.decode()
    assert "no access to the strategy of any unit" in html
    assert client.get(map_url(enterprise, "GRP")).status_code == 404


# ----------------------------------------------------------------------------- objectives


def test_the_objective_page_shows_the_version_the_kpis_and_the_history_with_diffs(
    strategy: StrategyWorld, page_of: PageOf
) -> None:
    html = page_of("ceo", objective_url(strategy, "delight"))
    assert "<h1>Delight our customers everywhere" in html
    measures = section(html, "measures").split("</table>")[0]
    assert "Net promoter score" in measures and "On-time delivery rate" in measures
    assert "67%" in measures and "33%" in measures  # weights 2 and 1
    history = section(html, "history").split("</table>")[0]
    assert "Board review" in history and "ceo" in history
    assert (
        "<del>Delight our customers</del> &rarr; <ins>Delight our customers everywhere</ins>"
        in (history)
    )
    assert "Created" in history


def test_the_objective_page_shows_the_cascade_with_contribution_weights(
    strategy: StrategyWorld, page_of: PageOf
) -> None:
    html = page_of("ceo", objective_url(strategy, "deliver"))
    children = section(html, "cascade-children").split("</table>")[0]
    assert "Deliver on time in the north" in children
    assert '<td class="num">2</td>' in children and "100%" in children
    north = page_of("ceo", objective_url(strategy, "north-deliver"))
    assert "Contributes to" in north and "Deliver on time</a>" in north
    assert "contribution weight 2" in north


def on_time_score(value: float) -> float:
    """On-time delivery scored against its target: piecewise over 85, 92 and 97."""
    return float(score_piecewise(np.array([value]), 85.0, 92.0, 97.0, direction=1)[0])


def test_the_latest_kpi_scores_of_an_objective_are_shown_with_their_status(
    strategy: StrategyWorld, page_of: PageOf
) -> None:
    html = page_of("ceo", objective_url(strategy, "deliver"))
    measures = section(html, "measures").split("</table>")[0]
    expected = on_time_score(ON_TIME[-1])
    assert f'<span class="score-number">{expected:.1f}</span>' in measures
    assert "status-green" in measures


def test_the_objective_page_shows_the_share_of_its_own_kpis_and_contributing_objectives(
    strategy: StrategyWorld, page_of: PageOf
) -> None:
    html = page_of("ceo", objective_url(strategy, "deliver"))
    split = section(html, "score-split").split("</div>")[0]
    # "Deliver" is measured by on-time delivery at the group (94.5 last month) and Sales
    # North's objective contributes to it (84): 70% and 30% by the default policy.
    own, north = on_time_score(ON_TIME[-1]), on_time_score(ON_TIME_NORTH[-1])
    assert "Own KPIs 70% · contributing objectives 30%" in split
    assert (
        f"70% \N{MULTIPLICATION SIGN} {own:.1f} + 30% \N{MULTIPLICATION SIGN} {north:.1f} = {0.7 * own + 0.3 * north:.1f}"
        in split
    )
    assert 'Measured by <span class="small muted">· 70% of the score</span>' in html
    assert 'Contributing objectives <span class="small muted">· 30% of the score</span>' in html
    # Sales North's objective has no contributing objectives: its own KPIs carry it all.
    north_page = page_of("ceo", objective_url(strategy, "north-deliver"))
    assert "Own KPIs 100%" in section(north_page, "score-split")


def test_an_unmeasured_objective_says_so_on_its_page(
    strategy: StrategyWorld, page_of: PageOf
) -> None:
    html = page_of("ceo", objective_url(strategy, "learn"))
    assert "No KPI measures this objective" in html


@pytest.mark.parametrize(("visitor", "status"), [("manager", 200), ("ceo", 200), ("hr", 200)])
def test_an_individual_goal_is_shown_to_the_person_and_those_who_may_see_their_ratings(
    strategy: StrategyWorld, client_for: ClientFor, visitor: str, status: int
) -> None:
    response = client_for(visitor).get(objective_url(strategy, "manager-goal"))
    assert response.status_code == status
    assert "Coach every seller monthly" in response.content.decode()


@pytest.mark.parametrize("visitor", ["employee", "steward", "outsider"])
def test_an_individual_goal_is_not_found_for_anyone_else(
    strategy: StrategyWorld, client_for: ClientFor, visitor: str
) -> None:
    assert client_for(visitor).get(objective_url(strategy, "manager-goal")).status_code == 404


def test_an_objective_of_another_subtree_is_not_found(
    enterprise: Enterprise, strategy: StrategyWorld
) -> None:
    client = client_of(analyst_on(enterprise, "DE"))
    assert client.get(objective_url(strategy, "grow")).status_code == 404
    assert client.get(reverse("strategy:objective", args=[999_999])).status_code == 404


# ----------------------------------------------------------------------------- workshops


def test_the_workshop_page_shows_allocations_statistics_agreement_and_conflicts(
    strategy: StrategyWorld, page_of: PageOf
) -> None:
    assert strategy.workshop is not None
    html = page_of("ceo", reverse("strategy:workshop", args=[strategy.workshop.pk]))
    points = [[50.0, 30.0, 20.0], [20.0, 30.0, 50.0], [40.0, 40.0, 20.0]]
    summary = summarise_allocations(points, ["Sales", "Finance", "Scoreline GmbH"])
    assert f"{summary.concordance.w:.3f}" in section(html, "kendall-w").split("</div>")[0]
    stats = section(html, "item-stats").split("</table>")[0]
    for j in range(3):
        assert f'<td class="num">{summary.mean[j]:.1f}</td>' in stats
        assert f'<td class="num">{summary.median[j]:.1f}</td>' in stats
        assert f'<td class="num">{summary.std[j]:.1f}</td>' in stats
    conflicts = section(html, "disagreements").split("</table>")[0]
    first = summary.disagreements[0]
    top_row = conflicts.split("<tbody>")[1].split("</tr>")[0]
    assert f"{first.participant_a} and {first.participant_b}" in top_row
    assert f"{first.points_moved:.1f}" in top_row
    allocations = section(html, "allocations").split("</table>")[0]
    assert allocations.count('<td class="num">50</td>') == 2
    assert "No weights agreed yet." in html


def test_a_workshop_with_one_allocation_shows_no_spread_rather_than_nan(
    enterprise: Enterprise, strategy: StrategyWorld, page_of: PageOf
) -> None:
    ceo, units = enterprise.users["ceo"], enterprise.units
    workshop = do_create_workshop(
        ceo,
        name="Early allocations",
        unit=units["GRP"],
        subject="objectives",
        held_on=strategy.this_month,
        items=[strategy.objectives["grow"], strategy.objectives["delight"]],
        participants=[
            ParticipantSpec(enterprise.people["manager"], units["SALES"]),
            ParticipantSpec(enterprise.people["steward"], units["FIN"]),
        ],
    )
    first = workshop.participants.first()
    assert first is not None
    do_record_allocation(ceo, first, dict(zip(workshop.items.all(), (60.0, 40.0), strict=True)))
    stats = section(page_of("ceo", reverse("strategy:workshop", args=[workshop.pk])), "item-stats")
    stats = stats.split("</table>")[0]
    assert "nan" not in stats
    assert '<td class="num">60.0</td>' in stats and '<td class="num">—</td>' in stats


@pytest.mark.world("web_strategy_plain")
def test_agreed_weights_appear_once_the_workshop_agrees(
    enterprise: Enterprise, page_of: PageOf
) -> None:
    built = WORLDS.get("web_strategy_plain", enterprise)
    assert built.workshop is not None
    do_agree_weights(
        enterprise.users["ceo"], built.workshop, method="median", effective=built.this_month
    )
    html = page_of("ceo", reverse("strategy:workshop", args=[built.workshop.pk]))
    stats = section(html, "item-stats").split("</table>")[0]
    # Medians 40, 30, 20 re-normalised.
    for weight in (40 / 90, 30 / 90, 20 / 90):
        assert f"{weight:.3f}" in stats
    assert "Weights agreed by the median" in html


def test_workshops_are_listed_and_shown_only_to_those_who_may_see_the_unit(
    enterprise: Enterprise, strategy: StrategyWorld, client_for: ClientFor
) -> None:
    assert strategy.workshop is not None
    url = reverse("strategy:workshop", args=[strategy.workshop.pk])
    listing = client_for("employee").get(reverse("strategy:workshops")).content.decode()
    assert "Priorities for next year" in listing
    assert client_for("employee").get(url).status_code == 200
    analyst = client_of(analyst_on(enterprise, "DE"))
    assert analyst.get(url).status_code == 404
    assert (
        "Priorities for next year"
        not in analyst.get(reverse("strategy:workshops")).content.decode()
    )
    assert client_for("outsider").get(url).status_code == 404


# ----------------------------------------------------------------------------- ESG


def test_the_esg_view_lists_objectives_and_kpis_with_pillar_disclosure_requirement_and_status(
    strategy: StrategyWorld, page_of: PageOf
) -> None:
    html = page_of("ceo", reverse("strategy:esg"))
    table = section(html, "esg-items").split("</table>")[0]
    rows = table.split("<tbody>")[1].split("</tr>")[:-1]
    assert len(rows) == 2
    kpi_row = next(row for row in rows if "Scope 1 emissions" in row)
    objective_row = next(row for row in rows if "Cut our emissions" in row)
    assert "Environmental" in kpi_row and "GRI 305-1" in kpi_row and "Regulator" in kpi_row
    assert "status-green" in kpi_row  # 97 t against a ceiling of 100
    assert "ESRS E1-6" in objective_row and "Regulator" in objective_row
    assert "100.0" in objective_row
    assert "2 required by a regulator or investors" in html


def test_the_esg_view_shows_only_what_the_viewer_may_see(
    enterprise: Enterprise, strategy: StrategyWorld, client_for: ClientFor
) -> None:
    analyst = client_of(analyst_on(enterprise, "DE")).get(reverse("strategy:esg")).content.decode()
    assert "Scope 1 emissions" in analyst  # the catalogue is shared
    assert "Cut our emissions" not in analyst  # the group's objective is not
    assert "status-green" not in analyst.split('data-testid="esg-items"')[1]  # nor its scores
    outsider = client_for("outsider").get(reverse("strategy:esg")).content.decode()
    assert "No ESG objective or KPI you may see." in outsider


# ----------------------------------------------------------------------------- anonymous


def test_every_strategy_page_sends_an_anonymous_visitor_to_sign_in(
    enterprise: Enterprise, strategy: StrategyWorld
) -> None:
    assert strategy.workshop is not None
    client = Client()
    for url in [
        reverse("strategy:map"),
        map_url(enterprise, "GRP"),
        objective_url(strategy, "grow"),
        reverse("strategy:workshops"),
        reverse("strategy:workshop", args=[strategy.workshop.pk]),
        reverse("strategy:esg"),
    ]:
        assert_login_redirect(client, url)


# ----------------------------------------------------------------------------- in a browser

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run beside
# one unless told the calls are synchronous, which they are here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_world(live_server: Any) -> StrategyWorld:
    install_reference_data()
    return build_strategy(build_enterprise(), with_request=False)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_ceo_opens_the_strategy_map_and_a_kpi_with_its_chart_and_explained_score(
    browser: Any, live_server: Any, live_world: StrategyWorld
) -> None:
    page = browser.new_page()
    page.goto(f"{live_server.url}/")
    assert "/login/" in page.url
    page.fill("input[name=username]", "ceo")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()

    page.get_by_role("link", name="Strategy", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Strategy map · Group"
    strategy_map = page.locator("svg[data-testid=strategy-map]")
    assert strategy_map.is_visible()
    assert strategy_map.locator("a.map-card").count() == 5
    assert strategy_map.locator("line.map-link").count() == 3

    strategy_map.locator('a[data-objective="deliver"]').click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Deliver on time")
    page.get_by_role("link", name="On-time delivery rate").click()
    page.wait_for_load_state()
    assert f"/kpis/{live_world.kpis['on-time'].pk}/units/" in page.url
    assert page.locator("h1").inner_text() == "On-time delivery rate"
    chart = page.locator("svg[data-testid=history-chart]")
    assert chart.is_visible()
    assert chart.locator("circle.chart-point").count() == len(ON_TIME)
    assert chart.locator("polygon.chart-band").count() == 1
    explanation = page.get_by_test_id("score-explanation")
    assert explanation.is_visible()
    expected = explain(
        Method.PIECEWISE, ON_TIME[-1], {"threshold": 85.0, "target": 92.0, "stretch": 97.0}, 1
    )
    assert expected["formula"] in explanation.inner_text()
    page.close()
