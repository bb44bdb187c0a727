"""Authoring strategy in the pages: objectives in the cascade, their measures and weights,
perspective weights and priority workshops, through the actions the API uses.

Each form is tried by someone who holds the right (the manager over Sales, the ceo over the
group), by people of the organisation who do not (steward, employee: 403, and no link), and
by an outsider (404). Refused input is shown beside its field and writes nothing; a weight
change inside an open planning period is offered as a change request.
"""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from scoreline.governance.models import ChangeRequest
from scoreline.kpis.measures import measured_objective
from scoreline.lib.dates import today
from scoreline.lib.months import add_months
from scoreline.lib.versioned import version_on
from scoreline.scoring.models import PerspectiveWeight
from scoreline.strategy.actions.themes import do_save_theme
from scoreline.strategy.models import (
    Objective,
    ObjectiveVersion,
    Workshop,
    WorkshopAllocation,
    WorkshopState,
)
from tests.builders.enterprise import Enterprise
from tests.builders.kpis import events, nothing_written, recomputed_scores, stored_scores
from tests.builders.pages import ClientFor, map_url, objective_url, section
from tests.builders.strategy_pages import StrategyWorld, objective_form

DAY = today().isoformat()


def themes(world: Enterprise) -> None:
    for code, name in (("growth", "Growth"), ("excellence", "Operational excellence")):
        do_save_theme(world.users["admin"], code=code, name=name)


def new_objective_url(world: Enterprise, unit: str) -> str:
    return reverse("strategy:objective-new", args=[world.units[unit].pk])


def options(html: str, field: str) -> list[str]:
    select = html.split(f'name="{field}"')[1].split("</select>")[0]
    return [value for value in re.findall(r'<option value="([^"]*)"', select) if value]


def field_errors(html: str, field: str) -> list[str]:
    return re.findall(rf'<div class="field-error" data-field="{field}">([^<]*)</div>', html)


# ------------------------------------------------------------------------------ objectives


def test_the_manager_creates_a_sales_objective_under_a_group_objective(
    enterprise: Enterprise, world_web_strategy_plain: StrategyWorld, client_for: ClientFor
) -> None:
    manager = client_for("manager")
    url = new_objective_url(enterprise, "SALES")
    form = manager.get(url).content.decode()
    # Parents: objectives of Sales or a unit above; not the team's objective below it.
    assert set(options(form, "parent")) == {"deliver", "delight", "green", "grow", "learn"}
    assert "north-deliver" not in options(form, "parent")
    employee_ids = options(form, "owner")
    assert enterprise.people["manager"].employee_id in employee_ids
    assert enterprise.people["de0"].employee_id not in employee_ids  # another branch

    response = manager.post(url, objective_form())
    created = Objective.objects.get(code="sales-deliver")
    assert response.status_code == 302
    assert response["Location"] == reverse("strategy:objective", args=[created.pk])
    version = version_on(ObjectiveVersion, today(), objective=created)
    assert version is not None and version.unit == enterprise.units["SALES"]
    assert version.parent == world_web_strategy_plain.objectives["deliver"]
    assert (version.contribution_weight, version.weight) == (3.0, 2.0)
    assert [event.reason for event in events("objective.create")][-1] == "Sales plan"

    listed = section(manager.get(map_url(enterprise, "SALES")).content.decode(), "contributes-to")
    assert re.search(r"deliver</span>\s*<span[^>]*>contribution weight</span>\s*3", listed)


def test_a_refused_objective_is_shown_beside_its_fields_and_nothing_is_written(
    enterprise: Enterprise, world_web_strategy_plain: StrategyWorld, client_for: ClientFor
) -> None:
    manager = client_for("manager")
    url = new_objective_url(enterprise, "SALES")
    with nothing_written():
        taken = manager.post(url, objective_form(code="grow"))
        backwards = manager.post(url, objective_form(horizon_end="2025-01-01"))
        unknown_parent = manager.post(url, objective_form(parent="north-deliver"))
        blank_weight = manager.post(url, objective_form(weight=""))
    assert taken.status_code == 400
    assert "already exists" in field_errors(taken.content.decode(), "code")[0]
    assert "not after its start" in field_errors(backwards.content.decode(), "horizon_end")[0]
    assert field_errors(unknown_parent.content.decode(), "parent")  # not offered to Sales
    assert field_errors(blank_weight.content.decode(), "weight")
    assert not Objective.objects.filter(code="sales-deliver").exists()


def test_the_cascade_rule_of_the_action_is_shown_on_the_parent_field(
    enterprise: Enterprise, world_web_strategy_plain: StrategyWorld, client_for: ClientFor
) -> None:
    # The team's objective is offered to the team (same unit) but cannot lead the group.
    url = reverse(
        "strategy:objective-revise", args=[world_web_strategy_plain.objectives["deliver"].pk]
    )
    ceo = client_for("ceo")
    assert "north-deliver" not in options(ceo.get(url).content.decode(), "parent")
    north = world_web_strategy_plain.objectives["north-deliver"]
    revise = reverse("strategy:objective-revise", args=[north.pk])
    assert "north-deliver" not in options(ceo.get(revise).content.decode(), "parent")


def test_revising_an_objective_keeps_the_version_before_in_the_history(
    enterprise: Enterprise, world_web_strategy_plain: StrategyWorld, client_for: ClientFor
) -> None:
    north = world_web_strategy_plain.objectives["north-deliver"]
    manager = client_for("manager")
    url = reverse("strategy:objective-revise", args=[north.pk])
    form = manager.get(url).content.decode()
    assert 'value="Deliver on time in the north"' in form
    assert 'name="weight"' not in form  # weights have their own, governed form
    fields = {
        "name": "Deliver every northern order on time",
        "description": "",
        "perspective": "internal-process",
        "theme": "",
        "owner": enterprise.people["manager"].employee_id,
        "parent": "deliver",
        "horizon_start": world_web_strategy_plain.start.isoformat(),
        "horizon_end": "2030-01-01",
        "esg_pillar": "",
        "disclosure_ref": "",
        "required_by": "",
        "effective": DAY,
        "reason": "Clearer name",
    }
    assert manager.post(url, fields).status_code == 302
    version = version_on(ObjectiveVersion, today(), objective=north)
    assert version is not None
    assert (version.name, version.owner) == (fields["name"], enterprise.people["manager"])
    assert ObjectiveVersion.objects.filter(objective=north).count() == 2


def test_weights_change_directly_outside_planning_periods(
    enterprise: Enterprise, world_web_strategy_plain: StrategyWorld, client_for: ClientFor
) -> None:
    north = world_web_strategy_plain.objectives["north-deliver"]
    url = reverse("strategy:objective-weights", args=[north.pk])
    manager = client_for("manager")
    assert 'value="2.0"' in manager.get(url).content.decode()  # contribution weight today
    with nothing_written():
        negative = manager.post(url, {"weight": "-1", "contribution_weight": "2", "effective": DAY})
    assert "cannot be negative" in field_errors(negative.content.decode(), "weight")[0]
    response = manager.post(
        url, {"weight": "1", "contribution_weight": "5", "effective": DAY, "reason": "Focus"}
    )
    assert response.status_code == 302
    version = version_on(ObjectiveVersion, today(), objective=north)
    assert version is not None and version.contribution_weight == 5.0
    assert not ChangeRequest.objects.exists()


def test_retiring_an_objective_is_refused_while_others_contribute_to_it(
    enterprise: Enterprise, world_web_strategy_plain: StrategyWorld, client_for: ClientFor
) -> None:
    ceo = client_for("ceo")
    deliver = world_web_strategy_plain.objectives["deliver"]
    with nothing_written():
        refused = ceo.post(
            reverse("strategy:objective-retire", args=[deliver.pk]), {"effective": DAY}
        )
    assert "still leads north-deliver" in field_errors(refused.content.decode(), "effective")[0]
    green = world_web_strategy_plain.objectives["green"]
    retired = ceo.post(
        reverse("strategy:objective-retire", args=[green.pk]),
        {"effective": DAY, "reason": "Folded into delivery"},
    )
    assert retired.status_code == 302
    assert version_on(ObjectiveVersion, today(), objective=green) is None


def test_a_move_in_an_open_period_is_filed_approved_by_someone_else_and_rescored(
    strategy: StrategyWorld, client_for: ClientFor
) -> None:
    since = add_months(strategy.this_month, -3)
    north = strategy.objectives["north-deliver"]
    deliver = strategy.objectives["deliver"].pk
    before = recomputed_scores()
    current = version_on(ObjectiveVersion, today(), objective=north)
    assert current is not None
    fields = {
        "name": "Deliver on time in the north",
        "description": "",
        "perspective": "internal-process",
        "theme": "",
        "owner": "",
        "parent": "",
        "horizon_start": strategy.start.isoformat(),
        "horizon_end": current.horizon_end.isoformat(),
        "esg_pillar": "",
        "disclosure_ref": "",
        "required_by": "",
        "effective": since.isoformat(),
        "reason": "The north reports on its own",
    }
    revise = reverse("strategy:objective-revise", args=[north.pk])
    manager = client_for("manager")
    with nothing_written():
        offered = manager.post(revise, fields)
    assert offered.status_code == 400  # the open period takes a move only by request
    move_line = '<span class="diff-field">Parent</span> <del>deliver</del> &rarr; <ins>\u2014</ins>'
    assert move_line in section(offered.content.decode(), "change-diff")
    justified = {"file_request": "1", "justification": "The north reports on its own"}
    assert manager.post(revise, fields | justified).status_code == 302
    request = ChangeRequest.objects.get(kind="objective")
    assert (request.subject, request.payload) == ("north-deliver", {"parent": None})
    assert stored_scores() == before  # nothing moves until someone else approves
    inbox = client_for("ceo").get(reverse("kpis:changes")).content.decode()
    assert move_line in section(inbox, "decidable")
    decide = reverse("kpis:decide", args=[request.pk])
    assert client_for("ceo").post(decide, {"decision": "approve"}).status_code == 302
    version = version_on(ObjectiveVersion, today(), objective=north)
    assert version is not None and version.parent is None
    stored = stored_scores()
    assert stored == recomputed_scores()
    # "deliver" no longer counts the north's punctuality from that month on.
    moved = [key for key in before if key[2] == deliver and key[6] >= since]
    assert moved and all(stored[key] != before[key] for key in moved)


# ------------------------------------------------------------------------------ measures


def test_a_kpi_is_added_to_an_objective_reweighted_and_removed(
    enterprise: Enterprise, world_web_strategy_plain: StrategyWorld, client_for: ClientFor
) -> None:
    north = world_web_strategy_plain.objectives["north-deliver"]
    promoters = world_web_strategy_plain.kpis["promoters"]
    manager = client_for("manager")
    add = reverse("strategy:measure-new", args=[north.pk])
    offered = options(manager.get(add).content.decode(), "kpi")
    assert "promoters" in offered and "on-time" not in offered  # on-time measures it already

    assert (
        manager.post(add, {"kpi": "promoters", "weight": "2", "effective": DAY}).status_code == 302
    )

    def weights() -> dict[str, float]:
        rows = measured_objective(enterprise.users["ceo"], north, today()).measures
        return {row.kpi.code: row.weight for row in rows}

    assert weights() == {"on-time": 1.0, "promoters": 2.0}
    change = reverse("strategy:measure-weight", args=[north.pk, promoters.pk])
    assert manager.post(change, {"weight": "4", "effective": DAY}).status_code == 302
    assert weights() == {"on-time": 1.0, "promoters": 4.0}
    remove = reverse("strategy:measure-remove", args=[north.pk, promoters.pk])
    assert manager.post(remove, {"effective": DAY}).status_code == 302
    assert weights() == {"on-time": 1.0}
    assert manager.get(change).status_code == 404  # no longer measuring it


def test_the_objective_page_links_the_forms_only_for_those_who_may_edit(
    enterprise: Enterprise, world_web_strategy_plain: StrategyWorld, client_for: ClientFor
) -> None:
    north = world_web_strategy_plain.objectives["north-deliver"]
    page = objective_url(world_web_strategy_plain, "north-deliver")
    for persona in ("manager", "ceo"):
        html = client_for(persona).get(page).content.decode()
        assert reverse("strategy:objective-weights", args=[north.pk]) in html, persona
        assert reverse("strategy:measure-new", args=[north.pk]) in html, persona
    for persona in ("steward", "employee"):
        html = client_for(persona).get(page).content.decode()
        assert 'data-testid="edit-links"' not in html, persona
        assert "/measures/" not in html, persona
    sales_map = map_url(enterprise, "SALES")
    assert (
        new_objective_url(enterprise, "SALES")
        in client_for("manager").get(sales_map).content.decode()
    )
    assert 'data-testid="edit-links"' not in client_for("employee").get(sales_map).content.decode()
    # The manager may not edit the group's strategy.
    group_map = client_for("manager").get(map_url(enterprise, "GRP")).content.decode()
    assert 'data-testid="edit-links"' not in group_map


def _form_urls(enterprise: Enterprise, built: StrategyWorld) -> list[str]:
    north = built.objectives["north-deliver"]
    on_time = built.kpis["on-time"]
    sales = enterprise.units["SALES"].pk
    return [
        reverse("strategy:objective-new", args=[sales]),
        reverse("strategy:perspective-weights", args=[sales]),
        reverse("strategy:workshop-new", args=[sales]),
        reverse("strategy:objective-revise", args=[north.pk]),
        reverse("strategy:objective-weights", args=[north.pk]),
        reverse("strategy:objective-retire", args=[north.pk]),
        reverse("strategy:measure-new", args=[north.pk]),
        reverse("strategy:measure-weight", args=[north.pk, on_time.pk]),
        reverse("strategy:measure-remove", args=[north.pk, on_time.pk]),
    ]


def test_every_form_answers_403_to_colleagues_without_the_right_and_404_to_outsiders(
    enterprise: Enterprise, world_web_strategy_plain: StrategyWorld, client_for: ClientFor
) -> None:
    clients = {name: client_for(name) for name in ("manager", "steward", "employee", "outsider")}
    weights = {"weight": "9", "contribution_weight": "9", "effective": DAY}
    for url in _form_urls(enterprise, world_web_strategy_plain):
        assert clients["manager"].get(url).status_code == 200, url
        with nothing_written():
            for persona, expected in (("steward", 403), ("employee", 403), ("outsider", 404)):
                client: Client = clients[persona]
                assert client.get(url).status_code == expected, (persona, url)
                posted = client.post(url, objective_form() | weights)
                assert posted.status_code == expected, (persona, url)
    assert not Objective.objects.filter(code="sales-deliver").exists()
    # The manager's right covers Sales and below, not the group.
    group_new = new_objective_url(enterprise, "GRP")
    assert clients["manager"].post(group_new, objective_form()).status_code == 403


# ------------------------------------------------------------------------------ governed weights


def test_a_weight_change_in_an_open_period_is_offered_as_a_change_request(
    enterprise: Enterprise, strategy: StrategyWorld, client_for: ClientFor
) -> None:
    deliver = strategy.objectives["deliver"]
    url = reverse("strategy:objective-weights", args=[deliver.pk])
    ceo = client_for("ceo")
    change = {"weight": "3", "contribution_weight": "1", "effective": DAY, "reason": "Focus"}
    with nothing_written():
        offered = ceo.post(url, change)
        unjustified = ceo.post(url, change | {"file_request": "1", "justification": " "})
    html = offered.content.decode()
    assert offered.status_code == 400
    diff = section(html, "change-diff").split("</ul>")[0]
    assert re.findall(r'<span class="diff-field">([^<]+)</span>', diff) == ["Weight"]
    assert "<del>1</del>" in diff and "<ins>3</ins>" in diff
    assert field_errors(unjustified.content.decode(), "justification")

    filed = ceo.post(url, change | {"file_request": "1", "justification": "Delivery first"})
    assert filed.status_code == 302
    request = ChangeRequest.objects.get(kind="objective_weight")
    assert (request.kind, request.subject, request.payload) == (
        "objective_weight",
        "deliver",
        {"weight": 3.0},
    )
    assert request.justification == "Delivery first"
    version = version_on(ObjectiveVersion, today(), objective=deliver)
    assert version is not None and version.weight == 1.0  # unchanged until approved


def test_measure_and_perspective_weights_in_an_open_period_become_change_requests(
    enterprise: Enterprise, strategy: StrategyWorld, client_for: ClientFor
) -> None:
    north = strategy.objectives["north-deliver"]
    on_time = strategy.kpis["on-time"]
    manager = client_for("manager")
    measure = reverse("strategy:measure-weight", args=[north.pk, on_time.pk])
    offered = manager.post(measure, {"weight": "2", "effective": DAY}).content.decode()
    assert "Weight of On-time delivery rate (on-time)" in section(offered, "change-diff")
    justified = {"file_request": "1", "justification": "Punctuality matters most"}
    manager.post(measure, {"weight": "2", "effective": DAY} | justified)
    weights = reverse("strategy:perspective-weights", args=[enterprise.units["SALES"].pk])
    page = manager.get(weights).content.decode()
    assert "counts 1" in section(page, "perspective-weights")
    posted = {"perspective": "customer", "weight": "2", "effective": DAY} | justified
    assert manager.post(weights, posted).status_code == 302
    requests = {
        row.kind: (row.subject, row.payload)
        for row in ChangeRequest.objects.filter(requested_by=enterprise.users["manager"])
    }
    assert requests == {
        "measure_weight": ("north-deliver", {"kpi": "on-time", "weight": 2.0}),
        "perspective_weight": (
            "customer",
            {"unit_id": enterprise.units["SALES"].pk, "weight": 2.0},
        ),
    }
    assert not PerspectiveWeight.objects.filter(unit=enterprise.units["SALES"]).exists()


def test_an_offered_perspective_weight_shows_the_weight_the_scorecard_counts_today(
    enterprise: Enterprise, strategy: StrategyWorld, client_for: ClientFor
) -> None:
    url = reverse("strategy:perspective-weights", args=[enterprise.units["SALES"].pk])
    change = {"perspective": "customer", "weight": "2", "effective": DAY, "reason": "Focus"}
    with nothing_written():
        offered = client_for("manager").post(url, change)
    assert offered.status_code == 400
    diff = section(offered.content.decode(), "change-diff").split("</ul>")[0]
    # Sales has no weights of its own and there is no default: the perspective counts 1.
    assert (
        '<span class="diff-field">Weight of Customer</span> <del>1 (none set)</del> &rarr; '
        "<ins>2</ins>"
    ) in diff


def test_perspective_weights_are_set_directly_outside_planning_periods(
    enterprise: Enterprise, world_web_strategy_plain: StrategyWorld, client_for: ClientFor
) -> None:
    sales = enterprise.units["SALES"]
    url = reverse("strategy:perspective-weights", args=[sales.pk])
    manager = client_for("manager")
    with nothing_written():
        zero = manager.post(url, {"perspective": "customer", "weight": "-2", "effective": DAY})
    assert field_errors(zero.content.decode(), "weight")
    response = manager.post(url, {"perspective": "customer", "weight": "2", "effective": DAY})
    assert response.status_code == 302
    table = section(manager.get(url).content.decode(), "perspective-weights").split("</table>")[0]
    customer = table.split("Customer")[1].split("</tr>")[0]
    assert ">2<" in customer and "this unit" in customer


# ------------------------------------------------------------------------------ workshops


def test_a_workshop_is_set_up_and_each_department_enters_its_own_points(
    enterprise: Enterprise, world_web_strategy_plain: StrategyWorld, client_for: ClientFor
) -> None:
    themes(enterprise)
    ceo, manager = client_for("ceo"), client_for("manager")
    url = reverse("strategy:workshop-new", args=[enterprise.units["GRP"].pk])
    setup = {
        "name": "Customer or delivery",
        "subject": "objectives",
        "held_on": DAY,
        "items": ["objective:delight", "objective:deliver"],
        "departments": ["SALES", "PRJ"],
    }
    form = ceo.get(url).content.decode()
    assert 'value="SALES"' in form and 'value="FIN"' not in form  # Finance has no manager
    with nothing_written():
        mixed = ceo.post(url, setup | {"items": ["objective:delight", "theme:growth"]})
    assert mixed.status_code == 400 and field_errors(mixed.content.decode(), "items")
    response = ceo.post(url, setup)
    workshop = Workshop.objects.get(name="Customer or delivery")
    assert response["Location"] == reverse("strategy:workshop", args=[workshop.pk])
    sales, project = workshop.participants.order_by("department__path")
    assert sales.person == enterprise.people["manager"]

    page = reverse("strategy:workshop", args=[workshop.pk])
    own = reverse("strategy:workshop-points", args=[workshop.pk, sales.pk])
    other = reverse("strategy:workshop-points", args=[workshop.pk, project.pk])
    fresh = manager.get(page).content.decode()
    assert "nan" not in section(fresh, "item-stats").split("</table>")[0]  # nothing entered yet
    assert "waiting for the points of 2 of 2 departments" in fresh
    links = re.findall(
        r'href="([^"]+)" data-testid="enter-points"', manager.get(page).content.decode()
    )
    assert links == [own]
    assert manager.get(other).status_code == 403
    assert client_for("employee").get(own).status_code == 403
    assert client_for("outsider").get(own).status_code == 404
    items = list(workshop.items.order_by("id"))
    fields = {f"item_{item.pk}": points for item, points in zip(items, ("70", "20"), strict=True)}
    allocations = WorkshopAllocation.objects.count()
    refused = manager.post(own, fields)
    assert "must total 100" in refused.content.decode()
    assert WorkshopAllocation.objects.count() == allocations
    fields[f"item_{items[1].pk}"] = "30"
    assert manager.post(own, fields).status_code == 302
    assert ceo.post(other, dict(zip(fields, ("40", "60"), strict=True))).status_code == 302

    agree = reverse("strategy:workshop-agree", args=[workshop.pk])
    assert manager.post(agree, {"method": "mean", "effective": DAY}).status_code == 403
    assert ceo.post(agree, {"method": "mean", "effective": DAY}).status_code == 302
    workshop.refresh_from_db()
    assert workshop.state == WorkshopState.AGREED
    # Mean of (70, 40) and (30, 60) points, out of 100.
    assert [item.agreed_weight for item in workshop.items.order_by("id")] == [0.55, 0.45]
    delight = version_on(
        ObjectiveVersion, today(), objective=world_web_strategy_plain.objectives["delight"]
    )
    assert delight is not None and delight.weight == 0.55
    shown = manager.get(page).content.decode()
    assert "0.550" in section(shown, "item-stats") and 'data-testid="enter-points"' not in shown


def test_agreeing_is_refused_until_every_department_has_entered_its_points(
    enterprise: Enterprise, world_web_strategy_plain: StrategyWorld, client_for: ClientFor
) -> None:
    themes(enterprise)
    ceo = client_for("ceo")
    url = reverse("strategy:workshop-new", args=[enterprise.units["GRP"].pk])
    ceo.post(
        url,
        {
            "name": "Half done",
            "subject": "themes",
            "held_on": DAY,
            "items": ["theme:growth", "theme:excellence"],
            "departments": ["SALES"],
        },
    )
    workshop = Workshop.objects.get(name="Half done")
    html = ceo.post(
        reverse("strategy:workshop-agree", args=[workshop.pk]),
        {"method": "median", "effective": DAY},
    ).content.decode()
    assert "no allocation yet from" in html
    workshop.refresh_from_db()
    assert workshop.state == WorkshopState.OPEN
