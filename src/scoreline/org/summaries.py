"""Summaries about people for the landing pages: small groups are always hidden."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, DecimalField

from scoreline.access.aggregates import Breakdown, summarise_people, unit_head_counts
from scoreline.access.capabilities import Capability
from scoreline.access.scope import AnyUser, capability_paths
from scoreline.lib.tree import subtrees_q
from scoreline.org.models import OrgUnit, UnitKind
from scoreline.org.queries import active_people, units_for

__all__ = ["EntityRow", "PayTable", "organisation_summary", "pay_by_grade"]

ENTITY_KINDS = [UnitKind.LEGAL_ENTITY, UnitKind.JOINT_VENTURE, UnitKind.ACQUIRED_ENTITY]


@dataclass(frozen=True)
class EntityRow:
    unit: OrgUnit
    head_count: int | None


def organisation_summary(user: AnyUser) -> dict[str, Any]:
    """Head counts of the organisation and of each legal entity with the units below it, and
    the split by kind of person: all with small groups hidden as every aggregate hides them."""
    counts = unit_head_counts(user, active_people())
    entities = units_for(user).filter(kind__in=ENTITY_KINDS).order_by("path")
    tops = [
        counts.head_count(pk) for pk in OrgUnit.objects.filter(depth=1).values_list("pk", flat=True)
    ]
    return {
        "entities": [EntityRow(unit, counts.head_count(unit.pk)) for unit in entities],
        "by_kind": summarise_people(user, active_people(), "kind"),
        "total": None if None in tops else sum(top or 0 for top in tops),
        "unit_count": units_for(user).count(),
    }


@dataclass(frozen=True)
class PayTable:
    currency: str
    grades: Breakdown


def pay_by_grade(user: AnyUser) -> list[PayTable]:
    """Average base salary by grade, one table per currency, over the user's pay scope."""
    in_scope = active_people().filter(
        subtrees_q(capability_paths(user, Capability.VIEW_PAY), "primary_unit__path"),
        base_salary__isnull=False,
    )
    currencies = (
        in_scope.order_by("salary_currency").values_list("salary_currency", flat=True).distinct()
    )
    tables = [
        PayTable(
            currency=str(code),
            grades=summarise_people(
                user,
                in_scope.filter(salary_currency=code),
                "grade",
                capability=Capability.VIEW_PAY,
                measures={"average": Avg("base_salary", output_field=DecimalField())},
            ),
        )
        for code in currencies
    ]
    return tables
