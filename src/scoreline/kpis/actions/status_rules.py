"""Status rules: the ordered rules that turn a value or score into red, amber or green."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from scoreline.access.capabilities import Capability
from scoreline.access.scope import (
    AnyUser,
)
from scoreline.audit.chain import record_event
from scoreline.kpis.models import (
    Kpi,
    StatusRule,
)
from scoreline.kpis.validation import (
    RuleSpec,
    validate_status_rules,
)
from scoreline.lib.dates import effective_on
from scoreline.lib.versioned import (
    end_version,
    save_version,
)
from scoreline.planning.changes import Change

__all__ = ["StatusRulesChange", "prepare_status_rules"]


def _ruleversion_record(rule: StatusRule) -> dict[str, Any]:
    return {
        "basis": rule.basis,
        "comparison": rule.comparison,
        "bound": rule.bound,
        "bound_upper": rule.bound_upper,
        "status_id": rule.status_id,
    }


@dataclass(kw_only=True)
class StatusRulesChange(Change[list[StatusRule]]):
    kpi: Kpi | None
    rules: list[RuleSpec]
    current: list[StatusRule]
    contents: list[dict[str, Any]] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return [_ruleversion_record(rule) for rule in self.current] == self.contents

    @property
    def affected(self) -> frozenset[int] | None:
        return frozenset({self.kpi.pk}) if self.kpi is not None else None

    def validate(self) -> None:
        statuses = validate_status_rules(self.rules)
        self.contents = [
            {
                "basis": rule.basis,
                "comparison": rule.comparison,
                "bound": None if rule.bound is None else float(rule.bound),
                "bound_upper": None if rule.bound_upper is None else float(rule.bound_upper),
                "status_id": statuses[rule.status].pk,
            }
            for rule in self.rules
        ]

    def apply(self, actor: AnyUser, *, reason: str, source: str) -> list[StatusRule]:
        for position, content in enumerate(self.contents):
            save_version(
                StatusRule,
                {"kpi": self.kpi, "position": position},
                content,
                day=self.starts,
                author=actor,
                reason=reason,
                source=source,
            )
        for rule in self.current[len(self.contents) :]:
            end_version(StatusRule, self.starts, kpi=self.kpi, position=rule.position)
        after = _rules_on(self.kpi, self.starts)
        record_event(
            actor,
            "status_rules.set",
            "status_rules",
            self.kpi.pk if self.kpi is not None else "default",
            before={"rules": [_ruleversion_record(rule) for rule in self.current]},
            after={
                "rules": [_ruleversion_record(rule) for rule in after],
                "valid_from": self.starts,
            },
            reason=reason,
        )
        return after


def _rules_on(kpi: Kpi | None, day: dt.date) -> list[StatusRule]:
    return list(StatusRule.objects.filter(effective_on(day), kpi=kpi).order_by("position"))


def prepare_status_rules(
    kpi: Kpi | None, rules: Sequence[RuleSpec], day: dt.date
) -> StatusRulesChange:
    """Replace a KPI's ordered rule set (None: the default set) from ``day`` on."""
    return StatusRulesChange(
        right=Capability.EDIT_KPI,
        unit=None,
        shared=True,
        starts=day,
        governed=True,
        kpi=kpi,
        rules=list(rules),
        current=_rules_on(kpi, day),
    )
