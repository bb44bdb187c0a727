"""Summaries about people for the landing pages: small groups are always suppressed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Case, DecimalField, IntegerField, Value, When

from scoreline.access.aggregates import Group, summarise_people
from scoreline.access.capabilities import Capability
from scoreline.access.scope import AnyUser, capability_paths
from scoreline.lib.tree import subtree_q, subtrees_q
from scoreline.org.models import OrgUnit, UnitKind
from scoreline.org.queries import active_people, units_for

__all__ = ["EntityRow", "PayTable", "organisation_summary", "pay_by_grade"]

ENTITY_KINDS = [UnitKind.LEGAL_ENTITY, UnitKind.JOINT_VENTURE, UnitKind.ACQUIRED_ENTITY]


@dataclass(frozen=True)
class EntityRow:
    unit: OrgUnit | None
    head_count: Group


def organisation_summary(user: AnyUser) -> dict[str, Any]:
    """Head counts by legal entity and by kind of person, small groups suppressed."""
    # Deepest first, so a person in an entity nested inside another counts for the inner one.
    entities = list(units_for(user).filter(kind__in=ENTITY_KINDS).order_by("-depth", "path"))
    entity_of = Case(
        *[
            When(subtree_q(unit.path, "primary_unit__path"), then=Value(unit.pk))
            for unit in entities
        ],
        default=Value(None),
        output_field=IntegerField(),
    )
    groups = summarise_people(user, active_people().annotate(entity=entity_of), "entity")
    by_pk = {unit.pk: unit for unit in entities}
    rows = sorted(
        (EntityRow(by_pk.get(group.key), group) for group in groups),
        key=lambda row: (row.unit is None, row.unit.path if row.unit else ""),
    )
    everyone = active_people().annotate(everyone=Value(1, output_field=IntegerField()))
    total = summarise_people(user, everyone, "everyone")
    return {
        "entities": rows,
        "by_kind": summarise_people(user, active_people(), "kind"),
        "total": total[0] if total else None,
        "unit_count": units_for(user).count(),
    }


@dataclass(frozen=True)
class PayTable:
    currency: str
    grades: list[Group]


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
