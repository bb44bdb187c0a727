"""The demo's workshops and change requests: written through the actions by personas who hold
the rights, in every state, so the workshop and change pages have something to show."""

from __future__ import annotations

import math

import numpy as np
import pytest
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from scoreline.demo.build import DemoPlan
from scoreline.demo.personas import PERSONAS
from scoreline.demo.workshops import spread_points
from scoreline.governance.models import ChangeRequest, ChangeState
from scoreline.kpis.models import Target
from scoreline.org.models import OrgUnit
from scoreline.strategy.models import (
    Workshop,
    WorkshopAllocation,
    WorkshopParticipant,
    WorkshopState,
    WorkshopSubject,
)
from tests.builders.demo import PASSWORD

pytestmark = pytest.mark.xdist_group("demo-300")


@pytest.fixture
def demo(world_demo_300: DemoPlan) -> DemoPlan:
    return world_demo_300


def client_of(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_points_are_spread_in_steps_of_five_by_largest_remainder() -> None:
    # Hamilton's method over 20 steps of 5: 9.4, 6.8 and 3.8 steps take 18 whole steps; the
    # two left go to the largest remainders (0.8 and 0.8), giving 9, 7 and 4 steps.
    assert spread_points(np.array([0.47, 0.34, 0.19])) == [45.0, 35.0, 20.0]


@given(st.lists(st.floats(0.01, 1.0), min_size=2, max_size=8))
def test_spread_points_always_total_a_hundred_in_steps_of_five(raw: list[float]) -> None:
    shares = np.array(raw) / sum(raw)
    points = spread_points(shares)
    assert math.isclose(sum(points), 100.0)
    assert all(value >= 0 and value % 5 == 0 for value in points)


def test_the_group_agreed_its_theme_priorities_from_every_company(demo: DemoPlan) -> None:
    workshop = Workshop.objects.get(state=WorkshopState.AGREED)
    assert workshop.unit.depth == 1 and workshop.subject == WorkshopSubject.THEMES
    assert workshop.facilitator is not None and workshop.facilitator.get_username() == "ceo"
    participants = list(workshop.participants.all())
    assert len(participants) >= 3
    for participant in participants:
        total = WorkshopAllocation.objects.filter(participant=participant).aggregate(Sum("points"))
        assert total["points__sum"] == 100.0
    weights = [item.agreed_weight for item in workshop.items.all()]
    assert all(weight is not None and weight >= 0 for weight in weights)
    assert workshop.agreed_method == "mean" and workshop.agreed_on is not None


def test_next_years_priorities_are_still_collecting_and_the_managers_department_is_waiting(
    demo: DemoPlan,
) -> None:
    workshop = Workshop.objects.get(state=WorkshopState.OPEN)
    participants = list(WorkshopParticipant.objects.filter(workshop=workshop))
    entered = {
        participant.pk
        for participant in participants
        if WorkshopAllocation.objects.filter(participant=participant).exists()
    }
    assert 0 < len(entered) < len(participants)
    managed = OrgUnit.objects.filter(manager__user__username="manager").first()
    waiting = [p for p in participants if p.department_id == getattr(managed, "pk", None)]
    assert waiting and waiting[0].pk not in entered
    assert workshop.items.count() >= 2


def test_change_requests_are_in_every_state_and_filed_and_decided_by_personas(
    demo: DemoPlan,
) -> None:
    requests = list(ChangeRequest.objects.select_related("requested_by", "decided_by"))
    assert {request.state for request in requests} == set(ChangeState.values)
    for request in requests:
        assert request.requested_by is not None
        assert request.requested_by.get_username() in PERSONAS
        assert len(request.justification) > 60
        if request.state == ChangeState.PENDING:
            assert request.decided_by is None
        else:
            assert request.decided_by is not None
            assert request.decided_by.get_username() == "ceo" != request.requested_by_id
            assert request.decision_note
    pending = ChangeRequest.objects.filter(state=ChangeState.PENDING)
    assert "steward" in set(pending.values_list("requested_by__username", flat=True))


def test_an_approved_request_is_applied_and_a_rejected_one_is_not(demo: DemoPlan) -> None:
    for state, applied in [(ChangeState.APPROVED, True), (ChangeState.REJECTED, False)]:
        request = ChangeRequest.objects.get(state=state)
        versions = Target.objects.filter(source=f"change_request:{request.pk}")
        assert versions.exists() is applied
        if applied:
            version = versions.get()
            assert version.target == request.payload["target"]
            assert version.valid_from == request.effective_from


def test_the_ceo_finds_the_pending_requests_to_decide_and_everyone_the_workshops(
    demo: DemoPlan,
) -> None:
    inbox = client_of("ceo").get(reverse("kpis:changes")).content.decode()
    for request in ChangeRequest.objects.filter(state=ChangeState.PENDING):
        assert request.justification.split(".")[0][:40] in inbox
    for persona in ("employee", "manager", "steward"):
        html = client_of(persona).get(reverse("strategy:workshops")).content.decode()
        for workshop in Workshop.objects.all():
            assert workshop.name in html
