"""Fixtures of the strategy tests: state made through the real actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from scoreline.scoring.actions.objectives import do_create_objective
from scoreline.strategy.models import Objective, Perspective
from tests.builders.enterprise import Enterprise
from tests.builders.strategy import DAY, HORIZON, MakeObjective


@pytest.fixture
def make_objective(enterprise: Enterprise) -> MakeObjective:
    """Create an objective as the admin: ``make_objective("C1", unit="GRP", parent=...)``."""

    def make(
        code: str,
        *,
        unit: str | None = None,
        person: str | None = None,
        perspective: str = "financial",
        actor: str = "admin",
        valid_from: dt.date = DAY,
        **fields: Any,
    ) -> Objective:
        return do_create_objective(
            enterprise.users[actor],
            code=code,
            name=fields.pop("name", f"Objective {code}"),
            perspective=Perspective.objects.get(code=perspective),
            unit=enterprise.units[unit] if unit else None,
            person=enterprise.people[person] if person else None,
            horizon_start=HORIZON[0],
            horizon_end=HORIZON[1],
            valid_from=valid_from,
            **fields,
        )

    return make
