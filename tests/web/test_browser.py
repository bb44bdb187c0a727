"""A real browser signs in through the form and follows links, against a live server."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from scoreline.kpis.actions.definitions import do_create_kpi
from scoreline.lib.dates import today
from scoreline.planning.actions import do_create_period, do_open_period
from scoreline.scoring.actions.objectives import do_create_objective
from scoreline.strategy.models import Perspective
from tests.builders.enterprise import PASSWORD, Enterprise, build_enterprise
from tests.builders.reference import install_reference_data
from tests.builders.strategy_pages import build_strategy

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
# beside one unless told the calls are synchronous, which they are here.
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

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
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
def world(live_server: Any) -> Enterprise:
    install_reference_data()
    return build_enterprise()


def sign_in(browser: Any, base_url: str, username: str) -> Any:
    page = browser.new_page()
    page.goto(f"{base_url}/")
    assert "/login/" in page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def test_a_manager_signs_in_lands_on_their_team_and_never_sees_pay(
    browser: Any, live_server: Any, world: Enterprise
) -> None:
    page = sign_in(browser, live_server.url, "manager")
    assert page.locator("h1").inner_text() == "My team"
    assert page.get_by_test_id("user-name").inner_text() == "manager"

    page.get_by_role("link", name="Sales North").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("Sales North")
    assert page.locator("#composition").is_visible()

    employee = world.people["employee"]
    page.get_by_role("link", name=employee.full_name).click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith(employee.full_name)
    body = page.content()
    assert "Base salary" not in body and "45,000" not in body
    assert page.locator("[data-field-class=pay]").count() == 0

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert "/login/" in page.url
    page.close()


def test_a_compensation_manager_sees_pay_on_the_person_page(
    browser: Any, live_server: Any, world: Enterprise
) -> None:
    page = sign_in(browser, live_server.url, "comp")
    assert page.locator("h1").inner_text() == "Pay overview"
    employee = world.people["employee"]
    page.goto(f"{live_server.url}/org/people/{employee.pk}/")
    pay = page.locator("[data-field-class=pay]")
    assert pay.is_visible()
    assert "45,000 GBP" in pay.inner_text()
    page.close()


def test_a_manager_creates_an_objective_under_a_group_objective_and_measures_it(
    browser: Any, live_server: Any, world: Enterprise
) -> None:
    start = dt.date(today().year, 1, 1)
    do_create_objective(
        world.users["ceo"], code="GRP-CUST", name="Delight our customers", unit=world.units["GRP"],
        perspective=Perspective.objects.get(code="customer"), horizon_start=start,
        horizon_end=start.replace(year=start.year + 3), valid_from=start,
    )  # fmt: skip
    do_create_kpi(
        world.users["steward"], code="nps", name="Net promoter score", direction="higher",
        temporality="leading", kind="quality", time_aggregation="average",
        tree_aggregation="none", scoring="linear", valid_from=start,
    )  # fmt: skip

    page = sign_in(browser, live_server.url, "manager")
    page.goto(f"{live_server.url}/strategy/units/{world.units['SALES'].pk}/")
    page.get_by_role("link", name="New objective").click()
    page.fill("input[name=code]", "SALES-CUST")
    page.fill("input[name=name]", "Win back lapsed customers")
    page.select_option("select[name=perspective]", "customer")
    page.select_option("select[name=parent]", "GRP-CUST")
    page.fill("input[name=contribution_weight]", "3")
    page.get_by_role("button", name="Create objective").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Win back lapsed customers"
    assert (
        "Delight our customers"
        in page.locator("section", has=page.get_by_role("heading", name="Cascade")).inner_text()
    )

    page.get_by_role("link", name="Add a KPI").first.click()
    page.select_option("select[name=kpi]", "nps")
    page.fill("input[name=weight]", "2")
    page.get_by_role("button", name="Add KPI").click()
    page.wait_for_load_state()
    assert "Net promoter score" in page.get_by_test_id("measures").inner_text()

    page.get_by_role("link", name="Strategy map · Sales").click()
    page.wait_for_load_state()
    assert page.locator('[data-objective="SALES-CUST"]').count() == 1
    row = page.locator("tr", has_text="Win back lapsed customers")
    assert "GRP-CUST contribution weight 3" in " ".join(
        row.get_by_test_id("contributes-to").inner_text().split()
    )


def test_a_steward_authors_a_kpi_and_target_and_a_revision_is_approved_by_the_ceo(
    browser: Any, live_server: Any, world: Enterprise
) -> None:
    year = dt.date(today().year, 1, 1)
    sales = world.units["SALES"]
    page = sign_in(browser, live_server.url, "steward")
    page.goto(f"{live_server.url}/kpis/")
    page.get_by_role("link", name="Add a KPI").click()
    page.fill("#id_code", "returns-handled")
    page.fill("#id_name", "Returns handled within two days")
    page.fill("#id_unit", "%")
    page.select_option("#id_direction", "higher")
    page.select_option("#id_scoring", "linear")
    page.select_option("#id_time_aggregation", "average")  # a rate: months are not summed
    page.fill("#id_effective", year.isoformat())
    page.fill("#id_reason", "Service promise")
    page.get_by_role("button", name="Add the KPI").click()
    assert page.locator("h1").inner_text() == "Returns handled within two days"

    page.select_option("#target-unit", str(sales.pk))
    page.get_by_role("button", name="Set a target").click()
    page.fill("#id_period_start", f"{year:%Y-%m}")
    page.fill("#id_period_end", f"{year.year + 1}-01")
    page.select_option("#id_target_type", "stay_above")
    page.fill("#id_threshold", "80")
    page.fill("#id_target", "100")
    page.fill("#id_reason", "This year's plan")
    page.get_by_role("button", name="Save the target").click()
    assert "Target of returns-handled at Sales saved" in page.locator(".messages").inner_text()

    page.fill("#id_value", "90")
    page.get_by_role("button", name="Save value").click()
    assert "50.0" in page.get_by_test_id("score-explanation").inner_text()  # (90-80)/(100-80)

    admin = world.users["admin"]
    period = do_create_period(
        admin, label="This year", start=year, end=dt.date(year.year + 1, 1, 1)
    )
    do_open_period(admin, period)
    page.get_by_test_id("targets").get_by_role("link", name="Revise").click()
    page.fill("#id_target", "90")
    page.fill("#id_reason", "Two-day promise")
    page.get_by_role("button", name="Save the target").click()
    offer = page.get_by_test_id("change-offer")
    assert "100 → 90" in offer.inner_text()
    page.fill("#id_justification", "Two-day promise starts in the spring")
    page.get_by_role("button", name="File the change request").click()
    assert "filed" in page.locator(".messages").inner_text()
    kpi_page = page.url
    page.close()

    page = sign_in(browser, live_server.url, "ceo")
    page.goto(f"{live_server.url}/kpis/changes/")
    waiting = page.get_by_test_id("decidable")
    assert "100 → 90" in waiting.inner_text()
    waiting.get_by_role("button", name="Approve and apply").click()
    assert "approved and applied" in page.locator(".messages").inner_text()
    page.goto(kpi_page)
    assert "100.0" in page.get_by_test_id("score-explanation").inner_text()  # (90-80)/(90-80)
    page.close()


def test_a_manager_moves_an_objective_by_a_request_the_ceo_approves(
    browser: Any, live_server: Any, world: Enterprise
) -> None:
    start = dt.date(today().year, 1, 1)
    ceo, admin = world.users["ceo"], world.users["admin"]
    customer = Perspective.objects.get(code="customer")
    horizon: dict[str, Any] = {
        "horizon_start": start,
        "horizon_end": start.replace(year=start.year + 3),
    }
    parents = {}
    for code, name in (("GRP-CUST", "Delight our customers"), ("GRP-GROW", "Grow revenue")):
        parents[code] = do_create_objective(
            ceo, code=code, name=name, unit=world.units["GRP"], perspective=customer,
            valid_from=start, **horizon,
        )  # fmt: skip
    moved = do_create_objective(
        ceo, code="SALES-CUST", name="Win back lapsed customers", unit=world.units["SALES"],
        perspective=customer, parent=parents["GRP-CUST"], valid_from=start, **horizon,
    )  # fmt: skip
    period = do_create_period(
        admin, label="This year", start=start, end=start.replace(year=start.year + 1)
    )
    do_open_period(admin, period)

    page = sign_in(browser, live_server.url, "manager")
    page.goto(f"{live_server.url}/strategy/objectives/{moved.pk}/")
    page.get_by_test_id("edit-links").get_by_role("link", name="Revise").click()
    page.select_option("select[name=parent]", "GRP-GROW")
    page.get_by_role("button", name="Save revision").click()
    offer = page.get_by_test_id("change-offer")
    assert "Parent GRP-CUST → GRP-GROW" in " ".join(offer.inner_text().split())
    page.fill("#id_justification", "Lapsed customers are a revenue play")
    page.get_by_role("button", name="File the change request").click()
    assert "filed" in page.locator(".messages").inner_text()
    cascade = page.locator("section", has=page.get_by_role("heading", name="Cascade"))
    assert "Delight our customers" in cascade.inner_text()  # not moved until approved
    page.close()

    page = sign_in(browser, live_server.url, "ceo")
    page.goto(f"{live_server.url}/kpis/changes/")
    waiting = page.get_by_test_id("decidable")
    assert "Parent GRP-CUST → GRP-GROW" in " ".join(waiting.inner_text().split())
    waiting.get_by_role("button", name="Approve and apply").click()
    assert "approved and applied" in page.locator(".messages").inner_text()
    page.goto(f"{live_server.url}/strategy/objectives/{moved.pk}/")
    cascade = page.locator("section", has=page.get_by_role("heading", name="Cascade"))
    assert "Grow revenue" in cascade.inner_text()
    assert "Delight our customers" not in cascade.inner_text()
    page.close()


def test_a_manager_retires_an_objective_by_a_request_the_ceo_approves(
    browser: Any, live_server: Any, world: Enterprise
) -> None:
    start = dt.date(today().year, 1, 1)
    ceo, admin = world.users["ceo"], world.users["admin"]
    customer = Perspective.objects.get(code="customer")
    since_last_year = start.replace(year=start.year - 1)  # so that it may end any day this year
    horizon: dict[str, Any] = {
        "horizon_start": since_last_year,
        "horizon_end": start.replace(year=start.year + 3),
        "valid_from": since_last_year,
    }
    parent = do_create_objective(
        ceo, code="GRP-CUST", name="Delight our customers", unit=world.units["GRP"],
        perspective=customer, **horizon,
    )  # fmt: skip
    retired = do_create_objective(
        ceo, code="SALES-CUST", name="Win back lapsed customers", unit=world.units["SALES"],
        perspective=customer, parent=parent, **horizon,
    )  # fmt: skip
    period = do_create_period(
        admin, label="This year", start=start, end=start.replace(year=start.year + 1)
    )
    do_open_period(admin, period)
    since = f"since 1 Jan {since_last_year.year}"

    page = sign_in(browser, live_server.url, "manager")
    page.goto(f"{live_server.url}/strategy/objectives/{retired.pk}/")
    page.get_by_test_id("edit-links").get_by_role("link", name="Retire").click()
    page.fill("#id_reason", "Folded into the customer programme")
    page.get_by_role("button", name="Retire objective").click()
    offer = page.get_by_test_id("change-offer")
    assert f"In force {since} → retired from" in " ".join(offer.inner_text().split())
    page.fill("#id_justification", "The customer programme covers it")
    page.get_by_role("button", name="File the change request").click()
    assert "filed" in page.locator(".messages").inner_text()
    page.goto(f"{live_server.url}/strategy/objectives/{retired.pk}/")
    assert "Not in force" not in page.locator("h1").inner_text()  # until approved
    page.close()

    page = sign_in(browser, live_server.url, "ceo")
    page.goto(f"{live_server.url}/kpis/changes/")
    waiting = page.get_by_test_id("decidable")
    assert f"In force {since} → retired from" in " ".join(waiting.inner_text().split())
    waiting.get_by_role("button", name="Approve and apply").click()
    assert "approved and applied" in page.locator(".messages").inner_text()
    page.goto(f"{live_server.url}/strategy/objectives/{retired.pk}/")
    assert "Not in force" in page.locator("h1").inner_text()
    page.close()


def test_the_ceo_sets_the_default_scorecard_policy(
    browser: Any, live_server: Any, world: Enterprise
) -> None:
    page = sign_in(browser, live_server.url, "ceo")
    page.goto(f"{live_server.url}/kpis/scorecards/{world.units['GRP'].pk}/")
    page.get_by_test_id("default-policy-link").click()
    assert page.locator("h1").inner_text() == "Default scorecard policy"
    page.select_option("#id_combine", "minimum")
    page.fill("#id_cascade_share", "1.5")
    page.fill("#id_reason", "The weakest part decides")
    page.get_by_role("button", name="Save the default policy").click()
    assert page.locator('.field-error[data-field="cascade_share"]').is_visible()
    page.fill("#id_cascade_share", "0.4")
    page.get_by_role("button", name="Save the default policy").click()
    assert "applies from" in page.locator(".messages").inner_text()
    assert "Minimum (weakest link)" in page.get_by_test_id("in-force").inner_text()
    page.close()


# Who looks, and the pages the crawl does not reach by links: the admin's, the API's
# documentation and an error page. The administrator reaches nearly every kind of page;
# the others then visit their landing page and the kinds that only they are shown.
POLICY_VISITS = {
    "admin": ["/admin/", "/admin/access/grant/", "/admin/access/grant/add/", "/admin/auth/user/"],
    "ceo": ["/api/v1/docs", "/no-such-page/"],
    "steward": [],
    "manager": [],
    "comp": [],
    "employee": [],
}
NOT_CRAWLED = ("/static/", "/admin/", "/api/", "/logout/")


def page_kind(url: str) -> str:
    """A page's path with its numbers left out, and its query's keys: one visit per kind."""
    parts = urlsplit(url)
    keys = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


def same_site_links(page: Any, base_url: str) -> list[str]:
    found = []
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    for href in hrefs:
        parts = urlsplit(urljoin(page.url, href))
        link = parts.path + (f"?{parts.query}" if parts.query else "")
        if base_url.endswith(parts.netloc) and not link.startswith(NOT_CRAWLED):
            found.append(link)
    return found


def visit_every_kind_of_page(page: Any, base_url: str, extra: list[str], visited: set[str]) -> None:
    """From the page shown, follow the site's links to one page of each kind not visited."""
    queue = deque([*extra, *same_site_links(page, base_url)])
    while queue:
        path = queue.popleft()
        if page_kind(path) in visited:
            continue
        visited.add(page_kind(path))
        page.goto(base_url + path)
        queue.extend(same_site_links(page, base_url))


def watch_policy(context: Any, violations: list[str]) -> None:
    """Collect what Chromium's console reports as refused by the Content-Security-Policy."""

    def note(message: Any) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"{message.page.url if message.page else ''}: {message.text}")

    context.on("console", note)


def test_no_page_breaks_the_content_security_policy(
    browser: Any, live_server: Any, world: Enterprise
) -> None:
    build_strategy(world)
    violations: list[str] = []
    visited = {page_kind("/")}
    for persona, extra in POLICY_VISITS.items():
        context = browser.new_context()
        watch_policy(context, violations)
        page = sign_in(context, live_server.url, persona)  # the sign-in and landing pages
        visit_every_kind_of_page(page, live_server.url, extra, visited)
        context.close()
    assert not violations, "\n".join(violations)
    assert len(visited) > 40, sorted(visited)

    # The watch does catch a violation: a style set on the page is refused and reported.
    context = browser.new_context()
    watch_policy(context, violations)
    page = sign_in(context, live_server.url, "employee")
    page.evaluate("document.body.setAttribute('style', 'color: red')")
    page.wait_for_timeout(100)
    assert violations and "style-src" in violations[0], violations
    context.close()
