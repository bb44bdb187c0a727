"""A digest of everything the demo writes, keyed by natural keys (never by database ids)."""

from __future__ import annotations

import hashlib
import json

from django.contrib.auth import get_user_model

from scoreline.access.models import Grant
from scoreline.governance.models import ChangeRequest
from scoreline.kpis.models import (
    Assessment,
    Kpi,
    KpiValue,
    KpiVersion,
    ObjectiveMeasure,
    StatusRule,
    Target,
)
from scoreline.org.models import (
    FiscalCalendar,
    FxRate,
    OrgUnit,
    Person,
    ReportingLine,
    UnitVersion,
)
from scoreline.planning.models import PlanningPeriod
from scoreline.strategy.models import (
    Objective,
    ObjectiveLink,
    ObjectiveVersion,
    Workshop,
    WorkshopAllocation,
    WorkshopItem,
)


def enterprise_fingerprint() -> str:
    parts: list[object] = [
        list(
            OrgUnit.objects.order_by("code").values_list(
                "code",
                "name",
                "kind",
                "path",
                "manager__employee_id",
                "country_id",
                "currency_id",
                "cost_centre",
                "valid_from",
                "valid_until",
            )
        ),
        list(
            UnitVersion.objects.order_by("unit__code", "valid_from").values_list(
                "unit__code", "parent__code", "name", "manager__employee_id", "valid_from"
            )
        ),
        list(
            Person.objects.order_by("employee_id").values_list(
                "employee_id",
                "kind",
                "first_name",
                "last_name",
                "email",
                "job_title",
                "job_family",
                "job_level",
                "grade",
                "fte",
                "hire_date",
                "leave_date",
                "country_id",
                "location",
                "primary_unit__code",
                "base_salary",
                "salary_currency_id",
                "gender",
                "date_of_birth",
                "user__username",
            )
        ),
        list(
            ReportingLine.objects.order_by(
                "person__employee_id", "valid_from", "kind", "manager__employee_id"
            ).values_list(
                "person__employee_id",
                "manager__employee_id",
                "kind",
                "unit__code",
                "weight",
                "valid_from",
                "valid_until",
            )
        ),
        list(
            FxRate.objects.order_by("base_id", "quote_id", "rate_date").values_list(
                "base_id", "quote_id", "rate_date", "rate"
            )
        ),
        list(
            FiscalCalendar.objects.order_by("legal_entity__code").values_list(
                "legal_entity__code", "year_start_month", "period_type"
            )
        ),
        list(
            Grant.objects.order_by("user__username", "role__code").values_list(
                "user__username", "role__code", "unit__code"
            )
        ),
        list(
            get_user_model()
            .objects.order_by("username")
            .values_list("username", "email", "first_name", "last_name", "is_staff", "is_superuser")
        ),
        *_activity(),
    ]
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


def _activity() -> list[object]:
    """The workshops with their allocations, and the change requests with their decisions."""
    return [
        list(
            Workshop.objects.order_by("name").values_list(
                "name", "unit__code", "subject", "held_on", "state", "agreed_method", "agreed_on"
            )
        ),
        list(
            WorkshopItem.objects.order_by(
                "workshop__name", "theme__code", "objective__code"
            ).values_list("workshop__name", "theme__code", "objective__code", "agreed_weight")
        ),
        list(
            WorkshopAllocation.objects.order_by(
                "participant__workshop__name",
                "participant__person__employee_id",
                "item__theme__code",
                "item__objective__code",
            ).values_list(
                "participant__workshop__name",
                "participant__person__employee_id",
                "participant__department__code",
                "item__theme__code",
                "item__objective__code",
                "points",
            )
        ),
        [
            (*row, _natural(payload))
            for *row, payload in ChangeRequest.objects.order_by(
                "kind", "subject", "justification"
            ).values_list(
                "kind",
                "subject",
                "effective_from",
                "justification",
                "unit__code",
                "requested_by__username",
                "state",
                "decided_by__username",
                "decision_note",
                "payload",
            )
        ],
    ]


def _natural(payload: dict[str, object]) -> dict[str, object]:
    """A change request's payload with the unit it names by code instead of by id."""
    unit_id = payload.get("unit_id")
    if not isinstance(unit_id, int):
        return payload
    return {**payload, "unit_id": OrgUnit.objects.get(pk=unit_id).code}


def wipe_enterprise() -> None:
    """Remove what the demo wrote, so another build can run in the same test database."""
    wipe_strategy()
    Grant.objects.all().delete()
    ReportingLine.objects.all().delete()
    UnitVersion.objects.all().delete()
    FiscalCalendar.objects.all().delete()
    FxRate.objects.all().delete()
    OrgUnit.objects.update(manager=None)
    Person.objects.all().delete()
    OrgUnit.objects.all().delete()
    get_user_model().objects.all().delete()


def wipe_strategy() -> None:
    """Remove the strategy the demo wrote (the installation's default rules stay)."""
    Workshop.objects.all().delete()
    ChangeRequest.objects.all().delete()
    for model in (KpiValue, Assessment, Target, StatusRule, ObjectiveMeasure, ObjectiveLink):
        model.objects.filter(**({"kpi__isnull": False} if model is StatusRule else {})).delete()
    ObjectiveVersion.objects.all().delete()
    Objective.objects.all().delete()
    KpiVersion.objects.all().delete()
    Kpi.objects.all().delete()
    PlanningPeriod.objects.all().delete()
