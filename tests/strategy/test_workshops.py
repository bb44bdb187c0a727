from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User

from scoreline.access.actions import do_grant_role
from scoreline.access.models import Role
from scoreline.audit.models import AuditEvent
from scoreline.lib.errors import AccessDenied, Invalid, NotFound
from scoreline.scoring import pipeline
from scoreline.scoring.actions.objectives import do_agree_weights as agree_and_rescore
from scoreline.strategy.actions.themes import do_save_theme
from scoreline.strategy.actions.workshops import (
    ParticipantSpec,
    do_agree_weights,
    do_create_workshop,
    do_record_allocation,
)
from scoreline.strategy.models import (
    Objective,
    ObjectiveVersion,
    Workshop,
    WorkshopAllocation,
    WorkshopItem,
    WorkshopParticipant,
    WorkshopState,
)
from scoreline.strategy.queries import workshop_summary
from tests.builders.enterprise import Enterprise
from tests.builders.strategy import DAY, MakeObjective, nothing_written, open_fy2024, version

pytestmark = pytest.mark.django_db

AGREE_FROM = dt.date(2025, 1, 1)
# Sales, Finance and the UK entity itself spread their points over objectives A, B and C.
POINTS = {
    "Sales": [50.0, 30.0, 20.0],
    "Finance": [20.0, 30.0, 50.0],
    "Scoreline UK": [40.0, 40.0, 20.0],
}


@pytest.fixture
def objectives(make_objective: MakeObjective) -> list[Objective]:
    return [
        make_objective("UK-A", unit="UK"),
        make_objective("SALES-B", unit="SALES", perspective="customer"),
        make_objective("FIN-C", unit="FIN", perspective="internal-process"),
    ]


def participants(enterprise: Enterprise) -> list[ParticipantSpec]:
    units, people = enterprise.units, enterprise.people
    return [
        ParticipantSpec(people["manager"], units["SALES"]),
        ParticipantSpec(people["steward"], units["FIN"]),
        ParticipantSpec(people["hr"], units["UK"]),
    ]


def create(enterprise: Enterprise, objectives: list[Objective], actor: str = "ceo") -> Workshop:
    return do_create_workshop(
        enterprise.users[actor],
        name="UK priorities 2025",
        unit=enterprise.units["UK"],
        subject="objectives",
        held_on=DAY,
        items=objectives,
        participants=participants(enterprise),
    )


def participant(workshop: Workshop, department: str) -> WorkshopParticipant:
    return workshop.participants.get(department__name=department)


def allocate_all(enterprise: Enterprise, workshop: Workshop, skip: str = "") -> None:
    items = list(workshop.items.all())
    for department, points in POINTS.items():
        if department != skip:
            do_record_allocation(
                enterprise.users["ceo"],
                participant(workshop, department),
                dict(zip(items, points, strict=True)),
            )


def test_an_executive_sets_up_a_workshop_on_objectives(
    enterprise: Enterprise, objectives: list[Objective]
) -> None:
    workshop = create(enterprise, objectives)
    assert workshop.state == WorkshopState.OPEN
    assert workshop.facilitator == enterprise.users["ceo"]
    assert [item.objective for item in workshop.items.all()] == objectives
    assert [p.department.code for p in workshop.participants.all()] == ["SALES", "FIN", "UK"]
    event = AuditEvent.objects.get(action="workshop.create")
    assert event.after is not None and event.after["items"] == [o.pk for o in objectives]


@pytest.mark.parametrize("persona", ["manager", "employee", "outsider"])
def test_setting_up_a_workshop_needs_the_edit_strategy_right_on_its_unit(
    enterprise: Enterprise, objectives: list[Objective], persona: str
) -> None:
    with nothing_written(), pytest.raises(AccessDenied):
        create(enterprise, objectives, actor=persona)


def test_a_workshop_weighs_at_least_two_distinct_items(
    enterprise: Enterprise, objectives: list[Objective]
) -> None:
    for items in ([objectives[0]], [objectives[0], objectives[0]]):
        with nothing_written(), pytest.raises(Invalid) as error:
            create(enterprise, items)
        assert "items" in error.value.fields


def test_a_workshop_on_objectives_weighs_only_objectives_of_its_units(
    enterprise: Enterprise, objectives: list[Objective], make_objective: MakeObjective
) -> None:
    german = make_objective("DE-A", unit="DE")
    with nothing_written(), pytest.raises(Invalid) as error:
        create(enterprise, [*objectives, german])
    assert error.value.fields == {
        "items[3]": ["DE-A is not an objective of Scoreline UK or a unit below it"]
    }
    theme = do_save_theme(enterprise.users["ceo"], code="growth", name="Growth")
    with nothing_written(), pytest.raises(Invalid) as error:
        create(enterprise, [*objectives, theme])  # type: ignore[list-item]
    assert "items[3]" in error.value.fields


def test_each_department_speaks_once_and_from_inside_the_workshops_unit(
    enterprise: Enterprise, objectives: list[Objective]
) -> None:
    units, people = enterprise.units, enterprise.people
    for specs in (
        [
            ParticipantSpec(people["manager"], units["SALES"]),
            ParticipantSpec(people["employee"], units["SALES"]),
        ],
        [ParticipantSpec(people["de0"], units["DE"])],
        [],
    ):
        with nothing_written(), pytest.raises(Invalid):
            do_create_workshop(
                enterprise.users["ceo"],
                name="Bad",
                unit=units["UK"],
                subject="objectives",
                held_on=DAY,
                items=objectives,
                participants=specs,
            )


def test_an_allocation_is_recorded_and_replaces_the_previous_one(
    enterprise: Enterprise, objectives: list[Objective]
) -> None:
    workshop = create(enterprise, objectives)
    sales = participant(workshop, "Sales")
    a, b, c = workshop.items.all()
    do_record_allocation(enterprise.users["ceo"], sales, {a: 100.0})
    do_record_allocation(enterprise.users["ceo"], sales, {a: 60.0, b: 40.0}, reason="Second go")
    stored = dict(
        WorkshopAllocation.objects.filter(participant=sales).values_list("item", "points")
    )
    assert stored == {a.pk: 60.0, b.pk: 40.0, c.pk: 0.0}
    event = AuditEvent.objects.filter(action="workshop.allocate").latest("seq")
    assert event.before is not None and event.before["points"][str(a.pk)] == 100.0
    assert event.reason == "Second go"


def test_a_participant_records_their_own_allocation(
    enterprise: Enterprise, objectives: list[Objective]
) -> None:
    workshop = create(enterprise, objectives)
    a, b, _ = workshop.items.all()
    do_record_allocation(
        enterprise.users["manager"], participant(workshop, "Sales"), {a: 70, b: 30}
    )
    with nothing_written(), pytest.raises(AccessDenied):
        do_record_allocation(
            enterprise.users["manager"], participant(workshop, "Finance"), {a: 70, b: 30}
        )


@pytest.mark.parametrize("persona", ["employee", "outsider"])
def test_recording_an_allocation_for_someone_else_needs_the_edit_strategy_right(
    enterprise: Enterprise, objectives: list[Objective], persona: str
) -> None:
    workshop = create(enterprise, objectives)
    a, b, _ = workshop.items.all()
    with nothing_written(), pytest.raises(AccessDenied):
        do_record_allocation(
            enterprise.users[persona], participant(workshop, "Sales"), {a: 50, b: 50}
        )


def test_points_that_do_not_total_100_are_refused_naming_the_participant(
    enterprise: Enterprise, objectives: list[Objective]
) -> None:
    workshop = create(enterprise, objectives)
    a, b, _ = workshop.items.all()
    sales = participant(workshop, "Sales")
    with nothing_written(), pytest.raises(Invalid) as error:
        do_record_allocation(enterprise.users["ceo"], sales, {a: 50.0, b: 40.0})
    assert error.value.fields["points"] == [
        f"{enterprise.people['manager']} (Sales) allocates 90 points; the points must total 100"
    ]


@pytest.mark.parametrize("bad", [-10.0, float("nan"), float("inf")])
def test_negative_or_non_finite_points_are_refused(
    enterprise: Enterprise, objectives: list[Objective], bad: float
) -> None:
    workshop = create(enterprise, objectives)
    a, b, _ = workshop.items.all()
    with nothing_written(), pytest.raises(Invalid) as error:
        do_record_allocation(
            enterprise.users["ceo"], participant(workshop, "Sales"), {a: 110.0, b: bad}
        )
    assert str(enterprise.people["manager"]) in error.value.fields["points"][0]


def test_points_on_an_item_of_another_workshop_are_refused(
    enterprise: Enterprise, objectives: list[Objective]
) -> None:
    workshop, other = create(enterprise, objectives), create(enterprise, objectives)
    foreign = other.items.first()
    assert foreign is not None
    with nothing_written(), pytest.raises(Invalid):
        do_record_allocation(
            enterprise.users["ceo"], participant(workshop, "Sales"), {foreign: 100}
        )


def test_agreeing_by_the_mean_sets_the_objective_weights_from_the_day(
    enterprise: Enterprise, objectives: list[Objective]
) -> None:
    workshop = create(enterprise, objectives)
    allocate_all(enterprise, workshop)
    agreed = do_agree_weights(
        enterprise.users["ceo"], workshop, method="mean", effective=AGREE_FROM, reason="Board"
    )
    assert (agreed.state, agreed.agreed_method, agreed.agreed_on) == ("agreed", "mean", AGREE_FROM)
    expected = [110 / 300, 100 / 300, 90 / 300]
    weights = [item.agreed_weight for item in WorkshopItem.objects.filter(workshop=workshop)]
    assert weights == pytest.approx(expected)
    for objective, weight in zip(objectives, expected, strict=True):
        new = version(objective, AGREE_FROM)
        assert new.weight == pytest.approx(weight)
        assert new.source == f"workshop:{workshop.pk}"
        assert "UK priorities 2025" in new.reason and new.valid_from == AGREE_FROM
        assert version(objective, DAY).weight == 1.0
    assert AuditEvent.objects.filter(action="objective.update").count() == 3
    assert AuditEvent.objects.get(action="workshop.agree").reason == "Board"


def test_agreed_objective_weights_rescore_every_scorecard_and_theme_weights_none(
    enterprise: Enterprise, objectives: list[Objective], monkeypatch: pytest.MonkeyPatch
) -> None:
    recomputed: list[object] = []

    def record(**asked: object) -> int:
        recomputed.append(asked.get("kpi_ids"))
        return 0

    monkeypatch.setattr(pipeline, "recompute", record)
    workshop = create(enterprise, objectives)
    allocate_all(enterprise, workshop)
    agree_and_rescore(enterprise.users["ceo"], workshop, method="mean", effective=AGREE_FROM)
    assert recomputed == [None]

    ceo = enterprise.users["ceo"]
    themes = [do_save_theme(ceo, code=code, name=code.title()) for code in ("growth", "focus")]
    on_themes = do_create_workshop(
        ceo, name="Themes", unit=enterprise.units["GRP"], subject="themes", held_on=DAY,
        items=themes,
        participants=[ParticipantSpec(enterprise.people["manager"], enterprise.units["SALES"])],
    )  # fmt: skip
    growth, focus = on_themes.items.all()
    do_record_allocation(ceo, on_themes.participants.get(), {growth: 60, focus: 40})
    agree_and_rescore(ceo, on_themes, method="mean", effective=DAY)
    assert recomputed == [None]  # theme weights score nothing


def test_agreeing_by_the_median_renormalises_the_medians(
    enterprise: Enterprise, objectives: list[Objective]
) -> None:
    workshop = create(enterprise, objectives)
    allocate_all(enterprise, workshop)
    do_agree_weights(enterprise.users["ceo"], workshop, method="median", effective=AGREE_FROM)
    weights = [item.agreed_weight for item in WorkshopItem.objects.filter(workshop=workshop)]
    assert weights == pytest.approx([40 / 90, 30 / 90, 20 / 90])


def test_agreeing_waits_for_every_participant(
    enterprise: Enterprise, objectives: list[Objective]
) -> None:
    workshop = create(enterprise, objectives)
    allocate_all(enterprise, workshop, skip="Finance")
    with nothing_written(), pytest.raises(Invalid) as error:
        do_agree_weights(enterprise.users["ceo"], workshop, method="mean", effective=AGREE_FROM)
    assert error.value.code == "incomplete"
    assert error.value.fields["participants"] == [
        f"no allocation yet from {enterprise.people['steward']} (Finance)"
    ]


def test_agreed_weights_in_an_open_period_need_a_change_request(
    enterprise: Enterprise, objectives: list[Objective]
) -> None:
    workshop = create(enterprise, objectives)
    allocate_all(enterprise, workshop)
    open_fy2024()
    with nothing_written(), pytest.raises(Invalid) as error:
        do_agree_weights(
            enterprise.users["ceo"], workshop, method="mean", effective=dt.date(2024, 6, 1)
        )
    assert error.value.code == "change_request_required"
    assert ObjectiveVersion.objects.count() == 3
    assert Workshop.objects.get(pk=workshop.pk).state == WorkshopState.OPEN


def test_an_unknown_agreement_method_is_refused(
    enterprise: Enterprise, objectives: list[Objective]
) -> None:
    workshop = create(enterprise, objectives)
    allocate_all(enterprise, workshop)
    with nothing_written(), pytest.raises(Invalid) as error:
        do_agree_weights(enterprise.users["ceo"], workshop, method="mode", effective=AGREE_FROM)
    assert "method" in error.value.fields


@pytest.mark.parametrize("persona", ["manager", "employee", "outsider"])
def test_agreeing_weights_needs_the_edit_strategy_right_on_the_workshops_unit(
    enterprise: Enterprise, objectives: list[Objective], persona: str
) -> None:
    workshop = create(enterprise, objectives)
    allocate_all(enterprise, workshop)
    with nothing_written(), pytest.raises(AccessDenied):
        do_agree_weights(enterprise.users[persona], workshop, method="mean", effective=AGREE_FROM)


def test_an_agreed_workshop_takes_no_more_allocations_or_agreements(
    enterprise: Enterprise, objectives: list[Objective]
) -> None:
    workshop = create(enterprise, objectives)
    allocate_all(enterprise, workshop)
    do_agree_weights(enterprise.users["ceo"], workshop, method="mean", effective=AGREE_FROM)
    a, b, _ = workshop.items.all()
    with nothing_written(), pytest.raises(Invalid) as error:
        do_record_allocation(
            enterprise.users["ceo"], participant(workshop, "Sales"), {a: 50, b: 50}
        )
    assert error.value.code == "workshop_agreed"
    with nothing_written(), pytest.raises(Invalid):
        do_agree_weights(enterprise.users["ceo"], workshop, method="median", effective=AGREE_FROM)


def test_a_workshop_on_themes_agrees_weights_for_the_themes(enterprise: Enterprise) -> None:
    ceo = enterprise.users["ceo"]
    themes = [do_save_theme(ceo, code=code, name=code.title()) for code in ("growth", "efficiency")]
    workshop = do_create_workshop(
        ceo,
        name="Themes",
        unit=enterprise.units["GRP"],
        subject="themes",
        held_on=DAY,
        items=themes,
        participants=[ParticipantSpec(enterprise.people["manager"], enterprise.units["SALES"])],
    )
    growth, efficiency = workshop.items.all()
    do_record_allocation(ceo, workshop.participants.get(), {growth: 75, efficiency: 25})
    do_agree_weights(ceo, workshop, method="mean", effective=DAY)
    growth.refresh_from_db()
    assert growth.agreed_weight == pytest.approx(0.75)
    assert ObjectiveVersion.objects.count() == 0


def test_the_summary_shows_agreement_and_the_most_disagreeing_departments(
    enterprise: Enterprise, objectives: list[Objective]
) -> None:
    workshop = create(enterprise, objectives)
    allocate_all(enterprise, workshop)
    shown = workshop_summary(enterprise.users["ceo"], workshop)
    summary = shown.summary
    assert summary.items == ("UK-A", "SALES-B", "FIN-C")
    assert summary.participants == ("Sales", "Finance", "Scoreline UK")
    assert list(summary.mean) == pytest.approx([110 / 3, 100 / 3, 30.0])
    assert list(summary.median) == pytest.approx([40.0, 30.0, 20.0])
    # Ranks 3-2-1, 1-2-3 and 2.5-2.5-1: S = 1.5, tie term 6, W = 12 * 1.5 / (9 * 24 - 3 * 6).
    assert summary.concordance.w == pytest.approx(1 / 11)
    worst = summary.disagreements[0]
    assert (worst.participant_a, worst.participant_b, worst.points_moved) == (
        "Sales",
        "Finance",
        30.0,
    )
    assert shown.points == [POINTS["Sales"], POINTS["Finance"], POINTS["Scoreline UK"]]
    assert shown.waiting == []


def test_the_summary_lists_who_has_not_allocated_yet(
    enterprise: Enterprise, objectives: list[Objective]
) -> None:
    workshop = create(enterprise, objectives)
    allocate_all(enterprise, workshop, skip="Finance")
    shown = workshop_summary(enterprise.users["employee"], workshop)
    assert [p.department.name for p in shown.waiting] == ["Finance"]
    assert shown.summary.participants == ("Sales", "Scoreline UK")


def test_the_summary_is_hidden_from_those_who_cannot_see_the_unit(
    enterprise: Enterprise, objectives: list[Objective]
) -> None:
    workshop = create(enterprise, objectives)
    analyst = User.objects.create_user("analyst", "analyst@example.com", "pw")
    do_grant_role(
        enterprise.users["admin"], analyst, Role.objects.get(code="analyst"), enterprise.units["DE"]
    )
    for user in (analyst, enterprise.users["outsider"]):
        with pytest.raises(NotFound):
            workshop_summary(user, workshop)


def test_before_any_allocation_the_summary_shows_everyone_waiting(
    enterprise: Enterprise, objectives: list[Objective]
) -> None:
    workshop = create(enterprise, objectives)
    shown = workshop_summary(enterprise.users["ceo"], workshop)
    assert [p.department.code for p in shown.waiting] == ["SALES", "FIN", "UK"]
    assert shown.summary.participants == () and shown.summary.disagreements == ()
