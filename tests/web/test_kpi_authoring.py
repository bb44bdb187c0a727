"""Authoring KPIs in the pages: the catalogue's KPIs, targets and phasing, status rules,
scorecard policies, and the change request a form offers inside an open period."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django import forms
from django.test import Client
from django.urls import reverse

from scoreline.governance.models import ChangeRequest, ChangeState
from scoreline.kpis.fields import KPI, STATUS_RULE, TARGET
from scoreline.kpis.models import Kpi, KpiVersion, StatusRule, Target
from scoreline.lib.dates import effective_on, today
from scoreline.lib.months import add_months
from scoreline.scoring.models import ScorecardPolicy
from tests.builders.enterprise import Enterprise
from tests.builders.kpis import MakeKpi, MakePeriod, events, nothing_written
from tests.builders.pages import ClientFor, section
from tests.builders.strategy_pages import StrategyWorld

Plain = StrategyWorld


@pytest.fixture
def plain(enterprise: Enterprise, world_web_strategy_plain: StrategyWorld) -> StrategyWorld:
    """KPIs with targets at GRP and SALES-N, no values, no planning period."""
    return world_web_strategy_plain


def filled(client: Client, url: str, **changes: Any) -> dict[str, Any]:
    """The form a page shows, as a browser would post it back, with ``changes`` typed in."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    form: forms.Form = response.context["form"]
    data: dict[str, Any] = {}
    for field in form:
        value = field.field.prepare_value(field.value())
        if isinstance(value, bool):
            if value:
                data[field.html_name] = "on"
            continue
        if isinstance(value, dt.date):
            value = value.isoformat()
        data[field.html_name] = "" if value is None else value
    data.update({"reason": "Set in a test"} | changes)
    return {name: value for name, value in data.items() if value is not False}


def assert_refused(client: Client, url: str, posted: dict[str, str], status: int) -> None:
    """The page and a post to it answer ``status``, and the post writes nothing."""
    assert client.get(url).status_code == status
    with nothing_written():
        assert client.post(url, posted).status_code == status


def open_this_year(make_period: MakePeriod) -> None:
    year = dt.date(today().year, 1, 1)
    make_period("This year", year, add_months(year, 12))


def new_kpi_data(**changes: Any) -> dict[str, Any]:
    return {
        "code": "returns",
        "name": "Returned orders",
        "unit": "%",
        "direction": "lower",
        "temporality": "lagging",
        "kind": "quality",
        "time_aggregation": "average",
        "tree_aggregation": "average",
        "scoring": "linear",
        "effective": "2024-01-01",
        "reason": "New quality measure",
    } | changes


# ----------------------------------------------------------------------------- KPIs


def test_the_kpi_form_asks_for_every_field_of_the_kpi_specification_with_its_help(
    plain: StrategyWorld, client_for: ClientFor
) -> None:
    response = client_for("steward").get(reverse("kpis:kpi-new"))
    form = response.context["form"]
    assert [name for name in form.fields if name not in ("code", "effective", "reason")] == [
        spec.name for spec in KPI
    ]
    html = response.content.decode()
    assert "EUR, count, %, days, tCO2e..." in html  # the unit's description in the spec
    assert "Expression over other KPI codes" in html


def test_a_steward_adds_a_kpi_through_the_form(plain: StrategyWorld, client_for: ClientFor) -> None:
    response = client_for("steward").post(reverse("kpis:kpi-new"), new_kpi_data())
    kpi = Kpi.objects.get(code="returns")
    assert response.status_code == 302 and response["Location"] == reverse(
        "kpis:kpi", args=[kpi.pk]
    )
    version = KpiVersion.objects.get(kpi=kpi)
    assert (version.name, version.direction, version.valid_from) == (
        "Returned orders",
        "lower",
        dt.date(2024, 1, 1),
    )
    assert version.source == "page" and version.reason == "New quality measure"
    assert [event.object_id for event in events("kpi.create")][-1] == str(kpi.pk)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"code": "on-time"}, "code", "already exists"),
        ({"scoring": "banded"}, "band_edges", "at least one band edge"),
        ({"scoring": "banded", "band_edges": "1, 2", "band_scores": "0, 50, 120"},
         "band_scores", "item 3: must be within 0..100"),
        ({"formula": "missing_kpi * 2"}, "formula", "not a KPI in force"),
        ({"name": "   "}, "name", "required"),
    ],
)  # fmt: skip
def test_a_refused_kpi_is_shown_beside_its_field_and_nothing_is_written(
    plain: StrategyWorld, client_for: ClientFor, changes: dict[str, str], field: str, message: str
) -> None:
    with nothing_written():
        response = client_for("steward").post(reverse("kpis:kpi-new"), new_kpi_data(**changes))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field]), errors


def test_a_steward_revises_a_definition_and_a_hidden_owner_stays(
    plain: StrategyWorld, client_for: ClientFor
) -> None:
    kpi = plain.kpis["on-time"]
    client = client_for("steward")
    url = reverse("kpis:kpi-revise", args=[kpi.pk])
    # The steward may not see the owner (the manager): the form keeps them, unnamed.
    html = client.get(url).content.decode()
    assert "Unchanged (not visible to you)" in html
    data = filled(client, url, name="On-time delivery (promised day)")
    response = client.post(url, data)
    assert response.status_code == 302
    latest = KpiVersion.objects.filter(kpi=kpi).order_by("valid_from").last()
    assert latest is not None and latest.valid_from == today()
    assert latest.name == "On-time delivery (promised day)"
    first = KpiVersion.objects.filter(kpi=kpi).order_by("valid_from").first()
    assert first is not None and latest.owner_id == first.owner_id is not None


def test_retiring_a_kpi_ends_its_definition(plain: StrategyWorld, client_for: ClientFor) -> None:
    kpi = plain.kpis["emissions"]
    url = reverse("kpis:kpi-retire", args=[kpi.pk])
    response = client_for("steward").post(url, {"effective": today().isoformat(), "reason": "Gone"})
    assert response.status_code == 302
    assert not KpiVersion.objects.filter(effective_on(today()), kpi=kpi).exists()


def test_kpi_forms_are_linked_only_for_those_who_may_edit_kpis(
    plain: StrategyWorld, client_for: ClientFor
) -> None:
    kpi = plain.kpis["on-time"]
    page = reverse("kpis:kpi", args=[kpi.pk])
    steward = client_for("steward")
    assert reverse("kpis:kpi-new") in steward.get(reverse("kpis:catalogue")).content.decode()
    html = steward.get(page).content.decode()
    for name in ("kpis:kpi-revise", "kpis:kpi-retire", "kpis:status-rules"):
        assert reverse(name, args=[kpi.pk]) in html
    assert 'data-testid="target-picker"' in html
    for persona in ("manager", "employee", "ceo"):
        client = client_for(persona)
        assert reverse("kpis:kpi-new") not in client.get(reverse("kpis:catalogue")).content.decode()
        html = client.get(page).content.decode()
        assert reverse("kpis:kpi-revise", args=[kpi.pk]) not in html
        assert 'data-testid="target-picker"' not in html and "?start=" not in html


@pytest.mark.parametrize("name", ["kpi-revise", "kpi-retire", "status-rules", "kpi-new"])
@pytest.mark.parametrize(
    ("persona", "status"), [("manager", 403), ("employee", 403), ("outsider", 404)]
)
def test_kpi_forms_refuse_members_without_the_right_and_hide_the_kpi_from_outsiders(
    plain: StrategyWorld, client_for: ClientFor, name: str, persona: str, status: int
) -> None:
    name = f"kpis:{name}"
    url = (
        reverse(name) if name == "kpis:kpi-new" else reverse(name, args=[plain.kpis["on-time"].pk])
    )
    if name == "kpis:kpi-new" and persona == "outsider":
        status = 403  # no KPI to hide: the right is what is missing
    posted = new_kpi_data(name="Taken over", effective=today().isoformat())
    assert_refused(client_for(persona), url, posted, status)


# ----------------------------------------------------------------------------- targets


def target_url(plain: StrategyWorld, world: Enterprise, unit: str, code: str = "on-time") -> str:
    return reverse("kpis:target", args=[plain.kpis[code].pk, world.units[unit].pk])


def test_a_steward_sets_a_seasonal_target_at_a_unit(
    enterprise: Enterprise, plain: StrategyWorld, client_for: ClientFor
) -> None:
    client = client_for("steward")
    url = target_url(plain, enterprise, "SALES")
    form = client.get(url).context["form"]
    assert [name for name in form.fields if name not in ("effective", "reason")] == [
        "period_start",
        *(spec.name for spec in TARGET),
    ]
    data = filled(
        client, url, period_start="2030-01", period_end="2031-01", target_type="stay_above",
        threshold="85", target="92", stretch="97", phasing="seasonal",
        profile="1, 1, 1, 1, 1, 2, 2, 1, 1, 1, 1, 1",
    )  # fmt: skip
    response = client.post(url, data)
    kpi, unit = plain.kpis["on-time"], enterprise.units["SALES"]
    assert response["Location"] == reverse("kpis:kpi-unit", args=[kpi.pk, unit.pk])
    target = Target.objects.get(kpi=kpi, unit=unit, period_start=dt.date(2030, 1, 1))
    assert target.phasing == "seasonal" and target.profile[5] == 2.0
    assert (target.threshold, target.target, target.stretch) == (85.0, 92.0, 97.0)
    assert target.valid_from == dt.date(2030, 1, 1)  # empty effective: from the span's start


def test_a_range_target_takes_its_low_and_high_ends(
    enterprise: Enterprise, plain: StrategyWorld, client_for: ClientFor, make_kpi: MakeKpi
) -> None:
    kpi = make_kpi("temp", direction="range", scoring="target_range", time_aggregation="average")
    url = reverse("kpis:target", args=[kpi.pk, enterprise.units["FIN"].pk])
    client = client_for("steward")
    data = filled(client, url, target_type="range", range_low="18", range_high="22")
    assert client.post(url, data).status_code == 302
    target = Target.objects.get(kpi=kpi)
    assert (target.range_low, target.range_high, target.target) == (18.0, 22.0, None)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"phasing": "seasonal", "profile": "1, 2, 3"}, "profile", "needs 12 monthly weights"),
        ({"profile": "1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1", "phasing": "seasonal"},
         "profile", "item 12: cannot be negative"),
        ({"stretch": "90"}, "stretch", "must not be below target"),
        ({"period_end": "2020-01"}, "period_end", "must end after it starts"),
        ({"phasing": "linear_ramp"}, "baseline", "starts from a baseline"),
    ],
)  # fmt: skip
def test_a_refused_target_is_shown_beside_its_field_and_nothing_is_written(
    enterprise: Enterprise,
    plain: StrategyWorld,
    client_for: ClientFor,
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    client = client_for("steward")
    url = target_url(plain, enterprise, "SALES")
    given = {"target_type": "stay_above", "threshold": "85", "target": "92", "stretch": "97"}
    data = filled(client, url, **(given | changes))
    with nothing_written():
        response = client.post(url, data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field]), errors


@pytest.mark.parametrize(
    ("persona", "unit", "status"),
    [("manager", "SALES", 403), ("employee", "SALES", 403), ("ceo", "GRP", 403),
     ("outsider", "SALES", 404)],
)  # fmt: skip
def test_the_target_form_refuses_those_without_the_right_over_the_unit(
    enterprise: Enterprise,
    plain: StrategyWorld,
    client_for: ClientFor,
    persona: str,
    unit: str,
    status: int,
) -> None:
    posted = {"period_start": "2030-01", "period_end": "2031-01", "target_type": "stay_above",
              "threshold": "1", "target": "2", "stretch": "3", "reason": "x"}  # fmt: skip
    assert_refused(client_for(persona), target_url(plain, enterprise, unit), posted, status)


def test_revising_a_target_in_an_open_period_offers_a_request_with_its_diff_and_files_it(
    enterprise: Enterprise, plain: StrategyWorld, client_for: ClientFor, make_period: MakePeriod
) -> None:
    open_this_year(make_period)
    kpi, unit = plain.kpis["on-time"], enterprise.units["GRP"]
    client = client_for("steward")
    start = plain.start
    url = target_url(plain, enterprise, "GRP") + f"?start={start:%Y-%m}"
    data = filled(client, url, target="95")
    with nothing_written():
        refused = client.post(url, data)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "a change request is required" in " ".join(refused.context["form"].errors["effective"])
    offer = section(html, "change-offer")
    assert "<del>92</del> &rarr; <ins>95</ins>" in offer and "Target" in offer

    filed = client.post(url, data | {"file_request": "1", "justification": "New contract"})
    assert filed.status_code == 302
    request = ChangeRequest.objects.get(kind="target")
    assert (request.subject, request.unit, request.state) == ("on-time", unit, ChangeState.PENDING)
    assert request.payload["target"] == 95.0 and request.payload["period_start"] == str(start)
    assert Target.objects.get(kpi=kpi, unit=unit, valid_until__isnull=True).target == 92.0

    # The approver reads the same diff in the inbox.
    inbox = client_for("ceo").get(reverse("kpis:changes")).content.decode()
    waiting = section(inbox, "decidable").split("</article>")[0]
    assert "New contract" in waiting and "<del>92</del> &rarr; <ins>95</ins>" in waiting


def test_filing_without_a_justification_is_refused_beside_it(
    enterprise: Enterprise, plain: StrategyWorld, client_for: ClientFor, make_period: MakePeriod
) -> None:
    open_this_year(make_period)
    client = client_for("steward")
    url = target_url(plain, enterprise, "GRP") + f"?start={plain.start:%Y-%m}"
    data = filled(client, url, target="95") | {"file_request": "1", "justification": " "}
    with nothing_written():
        response = client.post(url, data)
    assert response.status_code == 400
    assert "justification" in response.context["offer"].form.errors


# ----------------------------------------------------------------------------- status rules


def rules_data(rows: list[dict[str, str]], **extra: str) -> dict[str, str]:
    data = {
        "rules-TOTAL_FORMS": str(len(rows)),
        "rules-INITIAL_FORMS": str(len(rows)),
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "50",
        "effective": "2024-01-01",
        "reason": "Sharper colours",
    }
    for index, row in enumerate(rows):
        data |= {f"rules-{index}-{name}": value for name, value in row.items()}
        data[f"rules-{index}-ORDER"] = str(index + 1)
    return data | extra


GREEN = {"basis": "score", "comparison": "ge", "bound": "80", "bound_upper": "", "status": "green"}
AMBER = {"basis": "score", "comparison": "between", "bound": "50", "bound_upper": "80",
         "status": "amber"}  # fmt: skip
RED = {"basis": "score", "comparison": "otherwise", "bound": "", "bound_upper": "", "status": "red"}


def test_the_rule_editor_starts_from_the_default_set_and_saves_the_kpis_own(
    plain: StrategyWorld, client_for: ClientFor
) -> None:
    kpi = plain.kpis["on-time"]
    client = client_for("steward")
    url = reverse("kpis:status-rules", args=[kpi.pk])
    response = client.get(url)
    html = response.content.decode()
    assert "Score at least 66.6667: Green" in section(html, "in-force")
    rows = response.context["change"].rows
    assert list(rows.forms[0].fields)[: len(STATUS_RULE)] == [spec.name for spec in STATUS_RULE]
    assert len(rows.forms) == 3 + 2  # the three default rules and two empty rows

    assert client.post(url, rules_data([GREEN, AMBER, RED])).status_code == 302
    own = StatusRule.objects.filter(kpi=kpi).order_by("position")
    assert [(r.comparison, r.bound, r.bound_upper, r.status.code) for r in own] == [
        ("ge", 80.0, None, "green"),
        ("between", 50.0, 80.0, "amber"),
        ("otherwise", None, None, "red"),
    ]


def test_rows_are_saved_in_the_order_of_their_numbers(
    plain: StrategyWorld, client_for: ClientFor
) -> None:
    kpi = plain.kpis["on-time"]
    data = rules_data([RED, GREEN], **{"rules-0-ORDER": "9"})
    assert (
        client_for("steward").post(reverse("kpis:status-rules", args=[kpi.pk]), data).status_code
        == 302
    )
    own = StatusRule.objects.filter(kpi=kpi).order_by("position")
    assert [rule.status.code for rule in own] == ["green", "red"]


def test_add_a_row_gives_one_more_empty_row_and_saves_nothing(
    plain: StrategyWorld, client_for: ClientFor
) -> None:
    url = reverse("kpis:status-rules", args=[plain.kpis["on-time"].pk])
    with nothing_written():
        response = client_for("steward").post(url, rules_data([GREEN, RED], add_row="1"))
    assert response.status_code == 200
    assert len(response.context["change"].rows.forms) == 3


def test_a_misplaced_fallback_is_refused_beside_its_row(
    plain: StrategyWorld, client_for: ClientFor
) -> None:
    url = reverse("kpis:status-rules", args=[plain.kpis["on-time"].pk])
    with nothing_written():
        response = client_for("steward").post(url, rules_data([RED, GREEN]))
    assert response.status_code == 400
    first = response.context["change"].rows.forms[0]
    assert "must be the last rule" in " ".join(first.errors["comparison"])


def test_the_default_set_is_edited_from_the_catalogue(
    plain: StrategyWorld, client_for: ClientFor
) -> None:
    client = client_for("steward")
    url = reverse("kpis:default-status-rules")
    assert url in client.get(reverse("kpis:catalogue")).content.decode()
    assert client.post(url, rules_data([GREEN, RED])).status_code == 302
    default = StatusRule.objects.filter(effective_on(today()), kpi=None).order_by("position")
    assert [rule.status.code for rule in default] == ["green", "red"]
    assert client_for("manager").post(url, rules_data([GREEN, RED])).status_code == 403
    assert client_for("outsider").get(url).status_code == 404


def test_new_rules_in_an_open_period_are_filed_as_a_request(
    plain: StrategyWorld, client_for: ClientFor, make_period: MakePeriod
) -> None:
    open_this_year(make_period)
    kpi = plain.kpis["on-time"]
    url = reverse("kpis:status-rules", args=[kpi.pk])
    client = client_for("steward")
    data = rules_data([GREEN, RED], effective=today().isoformat())
    with nothing_written():
        refused = client.post(url, data)
    offer = section(refused.content.decode(), "change-offer")
    assert (
        "<del>Score at least 66.6667: Green</del> &rarr; <ins>Score at least 80: Green</ins>"
        in offer
    )
    assert (
        client.post(url, data | {"file_request": "1", "justification": "Agreed"}).status_code == 302
    )
    request = ChangeRequest.objects.get(kind="status_rules")
    assert request.payload["rules"][0] == {"basis": "score", "comparison": "ge", "bound": 80.0,
                                           "bound_upper": None, "status": "green"}  # fmt: skip


# ----------------------------------------------------------------------------- policies


def test_a_manager_sets_the_scorecard_policy_of_their_department(
    enterprise: Enterprise, plain: StrategyWorld, client_for: ClientFor
) -> None:
    sales = enterprise.units["SALES"]
    client = client_for("manager")
    card = client.get(reverse("kpis:scorecard-unit", args=[sales.pk])).content.decode()
    url = reverse("kpis:scorecard-policy", args=[sales.pk])
    assert url in card
    page = client.get(url).content.decode()
    assert "Skip and re-normalise the weights" in section(page, "in-force")  # the default
    data = filled(client, url, combine="minimum", missing="zero", effective="2024-01-01")
    data.pop("cap_at_100", None)
    assert client.post(url, data).status_code == 302
    policy = ScorecardPolicy.objects.get(unit=sales)
    assert (policy.combine, policy.missing, policy.cap_at_100) == ("minimum", "zero", False)


@pytest.mark.parametrize(
    ("persona", "unit", "status"),
    [("steward", "SALES", 403), ("employee", "SALES", 403), ("manager", "FIN", 403),
     ("outsider", "SALES", 404)],
)  # fmt: skip
def test_the_policy_form_refuses_those_who_may_not_edit_the_units_strategy(
    enterprise: Enterprise,
    plain: StrategyWorld,
    client_for: ClientFor,
    persona: str,
    unit: str,
    status: int,
) -> None:
    client = client_for(persona)
    target = enterprise.units[unit]
    if status == 403:
        card = client.get(reverse("kpis:scorecard-unit", args=[target.pk])).content.decode()
        assert 'data-testid="policy-link"' not in card
    url = reverse("kpis:scorecard-policy", args=[target.pk])
    posted = {"combine": "sum", "missing": "zero", "effective": "2024-01-01", "reason": "x"}
    assert_refused(client, url, posted, status)


def test_a_policy_in_an_open_period_shows_what_would_change(
    enterprise: Enterprise, plain: StrategyWorld, client_for: ClientFor, make_period: MakePeriod
) -> None:
    open_this_year(make_period)
    url = reverse("kpis:scorecard-policy", args=[enterprise.units["SALES"].pk])
    client = client_for("manager")
    data = filled(client, url, combine="sum")
    with nothing_written():
        refused = client.post(url, data)
    offer = section(refused.content.decode(), "change-offer")
    assert "<del>Weighted mean</del> &rarr; <ins>Sum</ins>" in offer
    assert "Missing" not in offer  # unchanged fields are not listed


# ----------------------------------------------------------------------------- the inbox


def test_the_inbox_shows_what_a_pending_request_would_change(
    strategy: StrategyWorld, client_for: ClientFor
) -> None:
    inbox = client_for("ceo").get(reverse("kpis:changes")).content.decode()
    waiting = section(inbox, "decidable").split("</article>")[0]
    assert "Definition of promoters" in waiting
    assert (
        '<span class="diff-field">Description</span> <del>\u2014</del> &rarr; '
        "<ins>From the quarterly survey</ins>" in waiting
    )
    mine = section(
        client_for("steward").get(reverse("kpis:changes")).content.decode(), "own-requests"
    )
    assert "<ins>From the quarterly survey</ins>" in mine


def test_a_target_whose_span_lies_in_a_closed_period_offers_no_revision(
    enterprise: Enterprise, plain: StrategyWorld, client_for: ClientFor, make_period: MakePeriod
) -> None:
    kpi, unit = plain.kpis["on-time"], enterprise.units["GRP"]
    target = Target.objects.get(kpi=kpi, unit=unit, valid_until__isnull=True)
    page = reverse("kpis:kpi-unit", args=[kpi.pk, unit.pk])
    client = client_for("steward")

    def row() -> str:
        return section(client.get(page).content.decode(), "targets").split("</table>")[0]

    assert "Revise" in row()
    make_period("Whole span", target.period_start, target.period_end, "closed")
    assert "Revise" not in row() and "Whole span is closed" in row()
