"""The SMART rules in force, and the SMART letters a KPI definition decides on its own.

Specific and measurable (S, M) depend only on the definition and the objectives it measures,
so a definition failing one of them configured as an error is refused when it is saved. The
other letters depend on targets and history that come later: they count in the KPI quality
audit (``scoreline.kpi_quality``), which adds those facts to :func:`definition_facts`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings as django_settings
from django.db.models import Count

from scoreline.engine.directions import DIRECTIONS
from scoreline.engine.smart import LETTERS, KpiFacts, SmartRules, Variant, check_kpis
from scoreline.kpis.models import Kpi, KpiVersion, ObjectiveMeasure
from scoreline.lib.dates import effective_on
from scoreline.lib.env import ConfigError
from scoreline.lib.errors import Invalid
from scoreline.org.models import Person
from scoreline.strategy.models import ObjectiveVersion

__all__ = ["DEFINITION_LETTERS", "definition_facts", "require_smart_definition", "smart_rules"]

# SMART letters a definition can fail on its own; the others depend on targets and objectives
# that come later, so they stay warnings on save and count only in the audit.
DEFINITION_LETTERS = frozenset({"S", "M"})


def smart_rules() -> SmartRules:
    """The SMART variant and error letters configured in the settings."""
    raw_variant = getattr(django_settings, "SCORELINE_SMART_VARIANT", "modern")
    try:
        variant = Variant(str(raw_variant).strip().lower())
    except ValueError:
        raise ConfigError(
            f"SCORELINE_SMART_VARIANT={raw_variant!r} is not one of "
            f"{', '.join(v.value for v in Variant)}"
        ) from None
    raw_errors = getattr(django_settings, "SCORELINE_SMART_ERRORS", "")
    items = raw_errors.split(",") if isinstance(raw_errors, str) else list(raw_errors)
    letters = {str(item).strip().upper() for item in items} - {""}
    unknown = sorted(letters - set(LETTERS))
    if unknown:
        raise ConfigError(
            f"SCORELINE_SMART_ERRORS={raw_errors!r}: {', '.join(unknown)} not among "
            f"{', '.join(LETTERS)}"
        )
    return SmartRules(variant=variant, error_letters=frozenset(letters))


def definition_facts(day: dt.date, versions: Sequence[KpiVersion]) -> list[KpiFacts]:
    """The facts of each definition on ``day`` that need no targets or values: wording,
    unit, formula or source, owner and steward, refresh cycle, the active objectives it
    measures. Targets and feasibility are left unknown (no current target period)."""
    ids = {v.kpi_id for v in versions if v.kpi_id is not None}
    active = ObjectiveVersion.objects.filter(effective_on(day)).values("objective_id")
    linked = dict(
        ObjectiveMeasure.objects.filter(effective_on(day), kpi_id__in=ids, objective_id__in=active)
        .values("kpi_id")
        .annotate(n=Count("objective_id", distinct=True))
        .values_list("kpi_id", "n")
    )
    codes = dict(Kpi.objects.filter(id__in=ids).values_list("id", "code"))
    people = Person.objects.in_bulk(
        {p for v in versions for p in (v.owner_id, v.steward_id) if p is not None}
    )

    def name(person_id: int | None) -> str | None:
        person = people.get(person_id) if person_id is not None else None
        return person.full_name if person is not None else None

    return [
        KpiFacts(
            code=codes[version.kpi_id] if version.kpi_id is not None else version.kpi.code,
            name=version.name,
            description=version.description,
            unit=version.unit,
            formula=version.formula or None,
            data_source=version.data_source or None,
            owner=name(version.owner_id),
            steward=name(version.steward_id),
            refresh_cycle=version.refresh_cycle or None,
            has_period=False,
            linked_active_objectives=linked.get(version.kpi_id, 0),
            kind=version.temporality,
            target=None,
            feasible_low=None,
            feasible_high=None,
            direction=DIRECTIONS[version.direction],
        )
        for version in versions
    ]


def require_smart_definition(kpi: Kpi, content: Mapping[str, Any], day: dt.date) -> None:
    """Refuse a definition failing a SMART letter configured as an error (S or M)."""
    draft = KpiVersion(kpi=kpi, valid_from=day, **content)
    report = check_kpis(definition_facts(day, [draft]), smart_rules())[0]
    failing = [
        check
        for check in report.checks
        if not check.passed and check.severity == "error" and check.letter in DEFINITION_LETTERS
    ]
    if failing:
        raise Invalid(
            "the definition fails the SMART check: "
            + "; ".join(f"{check.letter} ({check.name}): {check.message}" for check in failing),
            fields={"smart": [f"{check.letter}: {check.message}" for check in failing]},
            code="smart_check_failed",
        )
