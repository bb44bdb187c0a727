"""An adversary reads, as each persona, every head count of the organisation tree and every
pair of breakdowns the API gives, with what they know of the people they may see, and tries
to solve for any group hidden from them (see tests/builders/adversary.py)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from scoreline.access.capabilities import Capability
from scoreline.access.scope import people_q
from scoreline.org.models import OrgUnit
from scoreline.org.queries import active_people
from scoreline.web.org.views import tree_context
from tests.builders.adversary import Knowledge
from tests.builders.api import ApiClient
from tests.builders.enterprise import Enterprise

pytestmark = pytest.mark.django_db

BREAKDOWNS = ["grade", "gender", "job_family", "country"]


def _key(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


@dataclass
class Reading:
    """What one persona reads: head counts, breakdowns, and the people they may see."""

    units: list[OrgUnit]
    heads: dict[int, int | None]
    breakdowns: dict[tuple[int, str], Any]
    people: list[dict[str, Any]]
    seen: dict[str, set[int]]


@dataclass
class Pair:
    """The unknowns of one pair of breakdowns: people per unit and pair of keys."""

    first: str
    second: str
    keys: dict[str, list[str | None]]
    inside: np.ndarray

    @property
    def shape(self) -> tuple[int, int, int]:
        return (len(self.inside), len(self.keys[self.first]), len(self.keys[self.second]))

    def cells(self, row: int, by: str | None = None, chosen: tuple[str | None, ...] = ()) -> Any:
        """The unknowns of unit ``row``'s subtree with keys ``chosen`` of ``by`` (or all)."""
        mask = np.ones(self.shape[1:], dtype=bool)
        if by is not None:
            picked = np.array([key in chosen for key in self.keys[by]])
            mask &= picked[:, None] if by == self.first else picked[None, :]
        pick = np.zeros(self.shape)
        pick[self.inside[row]] = mask
        return pick.ravel()


def _read(persona: str, enterprise: Enterprise, client: ApiClient) -> Reading:
    user = enterprise.users[persona]
    units = list(OrgUnit.objects.order_by("path"))
    rights = {
        by: Capability.VIEW_PROTECTED if by == "gender" else Capability.VIEW_PEOPLE
        for by in BREAKDOWNS
    }
    return Reading(
        units=units,
        heads={row.unit.pk: row.head_count for row in tree_context(user)["rows"]},
        breakdowns={
            (unit.pk, by): client.get(f"/units/{unit.pk}/headcount?by={by}").json()
            for unit in units
            for by in BREAKDOWNS
        },
        people=list(active_people().values("pk", "primary_unit_id", *BREAKDOWNS)),
        seen={
            by: set(active_people().filter(people_q(user, right)).values_list("pk", flat=True))
            for by, right in rights.items()
        },
    )


def _solved(reading: Reading, first: str, second: str) -> list[tuple[str, str, int, float]]:
    units = reading.units
    pair = Pair(
        first,
        second,
        {
            by: sorted({_key(person[by]) for person in reading.people}, key=str)
            for by in (first, second)
        },
        np.array([[other.path.startswith(unit.path) for other in units] for unit in units]),
    )
    row_of = {unit.pk: row for row, unit in enumerate(units)}
    truth, floor = np.zeros(pair.shape), np.zeros(pair.shape)
    for person in reading.people:
        at = (
            row_of[person["primary_unit_id"]],
            pair.keys[first].index(_key(person[first])),
            pair.keys[second].index(_key(person[second])),
        )
        truth[at] += 1
        if person["pk"] in reading.seen[first] and person["pk"] in reading.seen[second]:
            floor[at] += 1
    knowledge = Knowledge(truth.size)
    for index in np.flatnonzero(floor):
        one = np.zeros(truth.size)
        one[index] = 1
        knowledge.learn_at_least(one, floor.ravel()[index])
    targets = []
    for row, unit in enumerate(units):
        head = reading.heads.get(unit.pk)
        if head is None:
            targets.append((unit.code, "head count", pair.cells(row)))
        else:
            knowledge.learn(pair.cells(row), head)
        for by in (first, second):
            body = reading.breakdowns[unit.pk, by]
            for group in body["groups"]:
                knowledge.learn(pair.cells(row, by, (group["key"],)), group["count"])
            shown = [group["key"] for group in body["groups"]]
            hidden = [key for key in pair.keys[by] if key not in shown]
            if not body["withheld"]:
                knowledge.learn(pair.cells(row, by, tuple(hidden)), body["other"] or 0)
            targets += [(unit.code, f"{by}={key}", pair.cells(row, by, (key,))) for key in hidden]
    return [
        (code, what, row, float(target @ truth.ravel()))
        for row, (code, what, target) in enumerate(targets)
        if target @ truth.ravel() > 0 and knowledge.solves(target)
    ]


@pytest.mark.parametrize("persona", ["employee", "manager", "steward", "ceo", "comp"])
def test_no_hidden_group_can_be_solved_from_the_counts_a_persona_reads(
    persona: str, enterprise: Enterprise, api_as: Callable[[str | None], ApiClient]
) -> None:
    reading = _read(persona, enterprise, api_as(persona))
    assert any(body["withheld"] or body["other"] for body in reading.breakdowns.values())
    for first, second in itertools.combinations(BREAKDOWNS, 2):
        assert _solved(reading, first, second) == [], (first, second)
