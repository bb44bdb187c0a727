"""KPI definitions, targets, status rules, rubrics and measures as stored, judged by the
checks the KPI actions run before they write."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from scoreline.integrity.findings import Findings
from scoreline.kpis.actions.definitions import KPI_FIELDS
from scoreline.kpis.actions.shared import definition_in_force
from scoreline.kpis.actions.targets import TARGET_FIELDS
from scoreline.kpis.models import (
    KpiVersion,
    ObjectiveMeasure,
    Rubric,
    StatusRule,
    Target,
)
from scoreline.kpis.validation import (
    LevelSpec,
    RuleSpec,
    check_spans_apart,
    validate_kpi_content,
    validate_rubric_levels,
    validate_status_rules,
    validate_target_content,
)
from scoreline.lib.dates import effective_on
from scoreline.lib.errors import Invalid
from scoreline.lib.validation import check_not_all_zero, check_weight

__all__ = [
    "check_definitions",
    "check_measures",
    "check_rubrics",
    "check_status_rules",
    "check_targets",
]


def check_definitions(day: dt.date, findings: Findings) -> None:
    """Each KPI definition in force on ``day``, whole, as a revision from that day would be
    checked: shape, rubric, people, and a formula over KPIs in force, in units, acyclic."""
    versions = findings.read_in_force(KpiVersion, day, ("kpi",), ("kpi__code",))
    for version in versions:
        content = {name: getattr(version, name) for name in KPI_FIELDS}
        try:
            validate_kpi_content(content, code=version.kpi.code, day=day, kpi_id=version.kpi_id)
        except Invalid as error:
            findings.refused("kpi", version.kpi.code, error)


def _target_code(target: Target) -> str:
    if target.unit is not None:
        subject = target.unit.code
    else:
        assert target.person is not None  # a target belongs to exactly one of the two
        subject = target.person.employee_id
    return f"{target.kpi.code}@{subject}/{target.period_start.isoformat()}"


def check_targets(day: dt.date, findings: Findings) -> None:
    """Each target in force on ``day`` against the KPI definition it was set under (in force
    when the version took effect, or when its span starts if later): type, order of
    threshold, target and stretch, range, phasing; and no two spans of a KPI and subject
    overlapping."""
    definitions: dict[int, list[KpiVersion]] = defaultdict(list)
    for version in KpiVersion.objects.select_related("kpi").order_by("valid_from"):
        definitions[version.kpi_id].append(version)
    targets = findings.read_in_force(
        Target, day, ("kpi", "unit", "person"), ("kpi_id", "unit_id", "person_id", "period_start")
    )
    spans: dict[tuple[int, int | None, int | None], list[tuple[dt.date, dt.date]]] = defaultdict(
        list
    )
    for target in targets:
        code = _target_code(target)
        content = {name: getattr(target, name) for name in TARGET_FIELDS}
        starts = max(target.valid_from, target.period_start)
        in_force = [v for v in definitions[target.kpi_id] if v.in_force_on(starts)]
        subject = (target.kpi_id, target.unit_id, target.person_id)
        try:
            version = in_force[0] if in_force else definition_in_force(target.kpi, starts, "kpi")
            validate_target_content(version, target.period_start, content)
            check_spans_apart(target.period_start, target.period_end, spans[subject])
        except Invalid as error:
            findings.refused("target", code, error)
        spans[subject].append((target.period_start, target.period_end))


def check_status_rules(day: dt.date, findings: Findings) -> None:
    """Each rule set in force on ``day`` (a KPI's own, and the default): one OTHERWISE
    fallback, last; bounds where the comparison needs them; known statuses."""
    rules = findings.read_in_force(StatusRule, day, ("kpi", "status"), ("kpi_id", "position"))
    sets: dict[str, list[RuleSpec]] = defaultdict(list)
    for rule in rules:
        owner = rule.kpi.code if rule.kpi is not None else "default"
        sets[owner].append(
            RuleSpec(rule.basis, rule.comparison, rule.status.code, rule.bound, rule.bound_upper)
        )
    for owner, specs in sorted(sets.items()):
        try:
            validate_status_rules(specs)
        except Invalid as error:
            findings.refused("status_rules", owner, error)


def check_rubrics(findings: Findings) -> None:
    """Each rubric's levels: numbered 1 to n, anchored, scores rising within 0..100."""
    rubrics = list(Rubric.objects.prefetch_related("levels").order_by("code"))
    findings.read(len(rubrics))
    for rubric in rubrics:
        levels = [
            LevelSpec(level.level, level.label, level.anchor, level.score)
            for level in rubric.levels.all()
        ]
        findings.read(len(levels))
        try:
            validate_rubric_levels(levels)
        except Invalid as error:
            findings.refused("rubric", rubric.code, error)


def check_measures(day: dt.date, findings: Findings) -> None:
    """The measures in force on ``day``: each KPI in force, no weight negative, and the
    weights of an objective's measures not all zero."""
    in_force = set(KpiVersion.objects.filter(effective_on(day)).values_list("kpi_id", flat=True))
    measures = findings.read_in_force(
        ObjectiveMeasure, day, ("objective", "kpi"), ("objective__code", "kpi__code")
    )
    weights: dict[str, list[float]] = defaultdict(list)
    for measure in measures:
        objective = measure.objective.code
        try:
            if measure.kpi_id not in in_force:
                definition_in_force(measure.kpi, day, "kpi")
            weights[objective].append(check_weight("weight", measure.weight))
        except Invalid as error:
            findings.refused("measure", f"{objective}/{measure.kpi.code}", error)
    for objective, given in weights.items():
        try:
            check_not_all_zero("weight", given)
        except Invalid as error:
            findings.refused("measures", objective, error)
