"""Scorecard pages tell one story: a status follows the score beside it by the score bands,
or says what it follows; a month whose data is still arriving is provisional, with its
coverage shown, and pages open on the latest month with enough data."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from scoreline.governance.actions import do_decide_change, do_request_change
from scoreline.lib.months import add_months
from scoreline.scoring.actions.values import do_record_value
from scoreline.scoring.models import NodeKind, Score
from scoreline.scoring.pipeline import recompute
from tests.builders.enterprise import PASSWORD, Enterprise
from tests.builders.pages import PageOf, objective_url, section
from tests.builders.strategy_pages import EMISSIONS, StrategyWorld

# The score bands: the goal / red flag scale of goal-and-red-flag scoring puts the goal at
# 6.67 and the red flag at 3.33 of 10 (Spider Impact's default scoring), green and amber from
# there: on Scoreline's 0..100 scale, 200/3 and 100/3.
GREEN_FROM, AMBER_FROM = 200 / 3, 100 / 3

BADGE = re.compile(r'<span class="score-badge[^"]*"[^>]*>.*?</span></span>', re.S)


def band(score: float) -> str:
    return "green" if score >= GREEN_FROM else "amber" if score >= AMBER_FROM else "red"


def badges(html: str) -> list[tuple[str, float | None, str, str]]:
    """Every score badge of a page: status, score, the number shown and the stated reason."""
    found = []
    for badge in BADGE.findall(html):
        status = re.search(r'data-status="([^"]*)"', badge)
        score = re.search(r'data-score="([^"]*)"', badge)
        shown = re.search(r'class="score-number">([^<]*)<', badge)
        reason = re.search(r'class="status-by[^"]*">([^<]*)<', badge)
        found.append(
            (
                status.group(1) if status else "",
                float(score.group(1)) if score else None,
                shown.group(1) if shown else "",
                reason.group(1) if reason else "",
            )
        )
    return found


def scorecard_url(world: Enterprise, unit: str, month: dt.date | None = None) -> str:
    url = reverse("kpis:scorecard-unit", args=[world.units[unit].pk])
    return f"{url}?month={month:%Y-%m}" if month else url


def test_every_status_shown_follows_its_score_by_the_bands_or_says_what_it_follows(
    enterprise: Enterprise, strategy: StrategyWorld, page_of: PageOf
) -> None:
    months = [add_months(strategy.this_month, -offset) for offset in range(1, len(EMISSIONS) + 1)]
    pages = [
        page_of("ceo", scorecard_url(enterprise, unit, m))
        for unit in ("GRP", "SALES-N")
        for m in months
    ]
    pages += [
        page_of("ceo", objective_url(strategy, code)) for code in ("green", "delight", "deliver")
    ]
    shown = [badge for html in pages for badge in badges(html)]
    reasons = set()
    for status, score, number, reason in shown:
        if score is not None:
            assert number == f"{score:.1f}"
        if reason:
            reasons.add(reason)
        else:
            assert score is not None, (status, number)
            assert status == band(score), (status, score)
    # Emissions go by their tonnes: 104 t is red, 101 t amber, 97 t green, whatever the score.
    assert reasons == {"status by value"}
    by_value = {s for s, _, _, reason in shown if reason}
    assert by_value == {"red", "amber", "green"}
    # Objectives, perspectives and units carry statuses too, and the page names the bands.
    assert len([b for b in shown if not b[3]]) > 3 * len(pages)
    assert "green from 66.7, amber from 33.3, red below" in pages[0]


def test_the_kpi_page_says_what_a_status_follows(
    enterprise: Enterprise, strategy: StrategyWorld, page_of: PageOf
) -> None:
    emissions = reverse(
        "kpis:kpi-unit", args=[strategy.kpis["emissions"].pk, enterprise.units["GRP"].pk]
    )
    on_time = reverse(
        "kpis:kpi-unit", args=[strategy.kpis["on-time"].pk, enterprise.units["GRP"].pk]
    )
    explained = section(page_of("ceo", emissions), "score-explanation")
    assert "by value (this KPI's own status rules)" in explained
    assert "follows the score (green from 66.7" in section(
        page_of("ceo", on_time), "score-explanation"
    )


@pytest.fixture
def early_value(enterprise: Enterprise, strategy: StrategyWorld) -> float:
    """One value for the month in progress: the promoter score far below its target."""
    do_record_value(
        enterprise.users["steward"], strategy.kpis["promoters"], unit=enterprise.units["GRP"],
        period=strategy.this_month, value=5.0, note="First survey responses only",
    )  # fmt: skip
    return 5.0


def test_one_early_value_leaves_the_scorecard_on_the_last_complete_month(
    enterprise: Enterprise, strategy: StrategyWorld, page_of: PageOf, early_value: float
) -> None:
    last_month = add_months(strategy.this_month, -1)
    html = page_of("ceo", scorecard_url(enterprise, "GRP"))
    assert f"{last_month:%B %Y}" in html
    assert 'data-state="complete"' in html
    assert 'data-testid="provisional"' not in html


def test_the_month_in_progress_is_provisional_with_its_coverage(
    enterprise: Enterprise, strategy: StrategyWorld, page_of: PageOf, early_value: float
) -> None:
    html = page_of("ceo", scorecard_url(enterprise, "GRP", strategy.this_month))
    assert 'data-testid="provisional"' in html
    coverage = section(html, "coverage").split("</div>")[0]
    assert 'data-state="provisional"' in coverage
    match = re.search(r"(\d+) of (\d+) values? expected", coverage)
    assert match is not None
    present, expected = int(match.group(1)), int(match.group(2))
    # Only the promoter score is in (once for each of the two objectives it measures).
    assert present == 2 < expected
    assert "the month is not over" in coverage
    assert f"Latest month with enough data: {add_months(strategy.this_month, -1):%B %Y}" in coverage


def test_a_month_without_any_value_says_so_and_points_to_the_last_month_with_data(
    enterprise: Enterprise, strategy: StrategyWorld, page_of: PageOf
) -> None:
    html = page_of("ceo", scorecard_url(enterprise, "GRP", strategy.this_month))
    coverage = section(html, "coverage").split("</div>")[0]
    assert 'data-state="empty"' in coverage
    assert f"Nothing has been entered for {strategy.this_month:%B %Y}" in coverage
    assert f"Latest month with enough data: {add_months(strategy.this_month, -1):%B %Y}" in coverage


def test_the_api_defaults_to_the_last_complete_month_and_labels_the_month_in_progress(
    enterprise: Enterprise, strategy: StrategyWorld, early_value: float
) -> None:
    client = Client()
    assert client.login(username="ceo", password=PASSWORD)
    card = client.get("/api/v1/scorecards/GRP").json()
    assert card["period"] == f"{add_months(strategy.this_month, -1):%Y-%m}-01"
    assert card["provisional"] is False
    now = client.get(f"/api/v1/scorecards/GRP?period={strategy.this_month:%Y-%m}").json()
    assert now["provisional"] is True
    assert now["coverage"]["state"] == "provisional"
    assert now["coverage"]["present"] == 2
    # Missing values are skipped, not counted as zero: the score is the promoter score's own,
    # 5 points on the line through the red flag (20 points: 100/3) and the goal (40: 200/3).
    lanes = {lane["code"]: lane for lane in now["perspectives"]}
    assert lanes["financial"]["score"] == pytest.approx(100 / 3 - 15 * (100 / 3) / 20)
    assert lanes["financial"]["status"] == "red"
    assert lanes["internal-process"]["score"] is None


def _coverage_stored() -> dict[tuple[str, int | None, int | None, dt.date], tuple[int, int]]:
    rows = Score.objects.exclude(kind=NodeKind.KPI)
    return {
        (row.kind, row.objective_id, row.unit_id, row.period): (
            row.explanation["values_present"],
            row.explanation["values_expected"],
        )
        for row in rows
    }


def test_values_entered_one_by_one_store_the_coverage_a_full_recompute_gives(
    enterprise: Enterprise, strategy: StrategyWorld, early_value: float
) -> None:
    # A correction in a complete month, and a second value in the month in progress.
    steward, grp = enterprise.users["steward"], enterprise.units["GRP"]
    last_month = add_months(strategy.this_month, -1)
    do_record_value(
        steward, strategy.kpis["on-time"], unit=grp, period=last_month, value=80.0,
        note="Corrected after the audit",
    )  # fmt: skip
    do_record_value(
        steward, strategy.kpis["emissions"], unit=grp, period=strategy.this_month, value=30.0
    )
    incremental = _coverage_stored()
    recompute()
    assert incremental == _coverage_stored()
    assert incremental[("unit", None, grp.pk, strategy.this_month)][0] == 3


def test_a_policy_that_counts_missing_values_as_zero_is_followed(
    enterprise: Enterprise, strategy: StrategyWorld, early_value: float
) -> None:
    grp = enterprise.units["GRP"]
    skipped = Score.objects.get(kind=NodeKind.UNIT, unit=grp, period=strategy.this_month).score
    # The month is in an open period: the policy goes through a change request.
    policy = {"combine": "weighted_mean", "missing": "zero", "cap_at_100": True}
    request = do_request_change(
        enterprise.users["ceo"], "scorecard_policy", "GRP", policy, strategy.this_month,
        "Missing data scores nothing",
    )  # fmt: skip
    do_decide_change(enterprise.users["admin"], request.pk, approve=True)
    zeroed = Score.objects.get(kind=NodeKind.UNIT, unit=grp, period=strategy.this_month).score
    # Only the promoter score (p) is in. Skipping the rest, every node above it scores p.
    # Counting the rest as zero: "delight" is (2p + 0) / 3 with on-time at weight 1, "grow"
    # p, and of the four perspectives with objectives two score 0: (p + 2p/3 + 0 + 0) / 4.
    assert skipped is not None and skipped > 0
    assert zeroed == pytest.approx(skipped * 5 / 12)


def test_the_strategy_map_shows_the_latest_score_of_a_month_with_enough_data(
    enterprise: Enterprise, strategy: StrategyWorld, page_of: PageOf, early_value: float
) -> None:
    html = page_of("ceo", reverse("strategy:unit-map", args=[enterprise.units["GRP"].pk]))
    card = html.split('data-objective="grow"')[1].split("</a>")[0]
    assert f"{add_months(strategy.this_month, -1):%b %Y}" in card
    assert f"{strategy.this_month:%b %Y}" not in card
