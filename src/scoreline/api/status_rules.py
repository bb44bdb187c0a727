"""Status rules of a KPI, or the default set."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from scoreline.api.fields import AsOf, Code, Day, Reason
from scoreline.api.lookups import (
    visible_kpi,
)
from scoreline.api.pages import plain
from scoreline.api.specs import request_schema, response_schema, response_values
from scoreline.api.support import ERRORS, Input, request_user
from scoreline.kpis.fields import STATUS_RULE, STATUS_RULE_FIELDS
from scoreline.kpis.models import (
    Kpi,
    StatusRule,
)
from scoreline.kpis.validation import RuleSpec
from scoreline.lib.dates import effective_on, today
from scoreline.scoring.actions.definitions import do_set_status_rules

__all__ = [
    "router",
]

router = Router()


class RuleOut(response_schema(*STATUS_RULE)):  # type: ignore[misc]
    pass  # no docstring: it would become the schema's description in the OpenAPI document


class RulesOut(Schema):
    kpi: str
    day: dt.date
    inherited: bool = Field(description="True when the KPI has no rules of its own")
    valid_from: dt.date | None
    rules: list[RuleOut] = Field(description="In evaluation order: the first match wins")


class RuleIn(request_schema(*STATUS_RULE)):  # type: ignore[misc]
    pass  # no docstring: it would become the schema's description in the OpenAPI document


class RulesIn(Input):
    rules: list[RuleIn] = Field(max_length=50, description="The last one is the OTHERWISE rule")
    effective_from: Day
    reason: str = Reason


def rules_out(kpi: Kpi, day: dt.date) -> dict[str, Any]:
    in_force = StatusRule.objects.filter(effective_on(day)).select_related("status")
    own = list(in_force.filter(kpi=kpi).order_by("position"))
    rules = own or list(in_force.filter(kpi__isnull=True).order_by("position"))
    return {
        "kpi": kpi.code,
        "day": day,
        "inherited": not own,
        "valid_from": max((rule.valid_from for rule in rules), default=None),
        "rules": [response_values(rule, STATUS_RULE) for rule in rules],
    }


@router.get("/kpis/{code}/status-rules", response={200: RulesOut, **ERRORS}, tags=["kpis"])
def get_status_rules(request: HttpRequest, code: Code, as_of: Day | None = AsOf) -> dict[str, Any]:
    """The ordered status rules of the KPI, or the default rules it inherits."""
    user = request_user(request)
    return rules_out(visible_kpi(user, code), as_of or today())


@router.put("/kpis/{code}/status-rules", response={200: RulesOut, **ERRORS}, tags=["kpis"])
def set_status_rules(request: HttpRequest, code: Code, payload: RulesIn) -> dict[str, Any]:
    """Replace the KPI's ordered rule set from ``effective_from`` on."""
    user = request_user(request)
    kpi = visible_kpi(user, code)
    do_set_status_rules(
        user,
        kpi,
        [
            RuleSpec(**{name: plain(getattr(rule, name)) for name in STATUS_RULE_FIELDS})
            for rule in payload.rules
        ],
        effective=payload.effective_from,
        reason=payload.reason,
        source="api",
    )
    return rules_out(kpi, payload.effective_from)
