"""Write the strategy and KPI architecture in force on a day as deterministic YAML.

The files hold the organisation-wide definitions: perspectives, themes, rubrics,
statuses, KPI definitions, status rule sets, scorecard policies and perspective weights,
the objectives of units with their measures, the strategy-map links between them, and
the targets of units. Individual goals and the targets of people are people data: they
are not exported, and applying the files leaves them alone.

The same architecture always gives the same bytes: records are sorted by their codes
(then dates), keys follow the fixed order of :mod:`.schema`, floats are written so that
they read back to the same value, and there are no timestamps or database ids.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml
from django.db.models import Q

from scoreline.as_code.schema import (
    SECTIONS,
    UNIT_OBJECTIVE,
    Records,
    SectionSpec,
    is_single_file,
)
from scoreline.kpis.fields import KPI, STATUS_RULE, TARGET, TARGET_START
from scoreline.kpis.models import KpiVersion, ObjectiveMeasure, Rubric, Status, StatusRule, Target
from scoreline.lib.dates import effective_on
from scoreline.lib.fields import FieldSpec, FieldType, values_of
from scoreline.scoring.fields import PERSPECTIVE_WEIGHT, SCORECARD_POLICY
from scoreline.scoring.models import PerspectiveWeight, ScorecardPolicy
from scoreline.strategy.models import ObjectiveLink, ObjectiveVersion, Perspective, Theme

__all__ = ["dump_file", "dump_section", "export_architecture", "normalise", "read_records"]


def _code_or_none(obj: Any) -> str | None:
    return None if obj is None else str(obj.code)


def _read_perspectives() -> list[dict[str, Any]]:
    return [
        {
            "code": row.code,
            "name": row.name,
            "description": row.description,
            "position": row.position,
            "is_esg": row.is_esg,
        }
        for row in Perspective.objects.order_by("code")
    ]


def _read_themes() -> list[dict[str, Any]]:
    return [
        {"code": row.code, "name": row.name, "description": row.description}
        for row in Theme.objects.order_by("code")
    ]


def _read_rubrics() -> list[dict[str, Any]]:
    records = []
    for rubric in Rubric.objects.order_by("code").prefetch_related("levels"):
        levels = sorted(rubric.levels.all(), key=lambda level: level.level)
        records.append(
            {
                "code": rubric.code,
                "name": rubric.name,
                "description": rubric.description,
                "levels": [
                    {
                        "level": level.level,
                        "label": level.label,
                        "score": level.score,
                        "anchor": level.anchor,
                    }
                    for level in levels
                ],
            }
        )
    return records


def _read_statuses() -> list[dict[str, Any]]:
    return [
        {"code": row.code, "name": row.name, "colour": row.colour, "position": row.position}
        for row in Status.objects.order_by("code")
    ]


def _kpi_versions(day: dt.date) -> list[KpiVersion]:
    versions = KpiVersion.objects.filter(effective_on(day)).select_related(
        "kpi", "owner", "steward", "rubric"
    )
    return sorted(versions, key=lambda version: version.kpi.code)


def _read_kpis(versions: list[KpiVersion]) -> list[dict[str, Any]]:
    return [{"code": version.kpi.code, **values_of(version, KPI)} for version in versions]


def _read_status_rules(day: dt.date, kpi_ids: set[int]) -> list[dict[str, Any]]:
    rules = (
        StatusRule.objects.filter(effective_on(day))
        .filter(Q(kpi__isnull=True) | Q(kpi_id__in=kpi_ids))
        .select_related("kpi", "status")
    )
    sets: dict[str | None, list[StatusRule]] = defaultdict(list)
    for rule in rules:
        sets[_code_or_none(rule.kpi)].append(rule)
    return [
        {
            "kpi": code,
            "rules": [
                values_of(rule, STATUS_RULE)
                for rule in sorted(sets[code], key=lambda rule: rule.position)
            ],
        }
        for code in sorted(sets, key=lambda code: (code is not None, code or ""))
    ]


def _read_scorecards(day: dt.date) -> list[dict[str, Any]]:
    policies = {
        _code_or_none(policy.unit): policy
        for policy in ScorecardPolicy.objects.filter(effective_on(day)).select_related("unit")
    }
    weights: dict[str | None, list[PerspectiveWeight]] = defaultdict(list)
    for weight in PerspectiveWeight.objects.filter(effective_on(day)).select_related(
        "unit", "perspective"
    ):
        weights[_code_or_none(weight.unit)].append(weight)
    records = []
    for code in sorted(set(policies) | set(weights), key=lambda code: (code is not None, code)):
        policy = policies.get(code)
        records.append(
            {
                "unit": code,
                "policy": None if policy is None else values_of(policy, SCORECARD_POLICY),
                "weights": [
                    values_of(weight, PERSPECTIVE_WEIGHT)
                    for weight in sorted(weights[code], key=lambda row: row.perspective.code)
                ],
            }
        )
    return records


def _objective_versions(day: dt.date) -> list[ObjectiveVersion]:
    versions = (
        ObjectiveVersion.objects.filter(effective_on(day), unit__isnull=False)
        .select_related("objective", "unit", "perspective", "theme", "owner", "parent")
        .order_by("objective__code")
    )
    return list(versions)


def _read_objectives(day: dt.date, versions: list[ObjectiveVersion]) -> list[dict[str, Any]]:
    objective_ids = {version.objective_id for version in versions}
    measures: dict[int, list[ObjectiveMeasure]] = defaultdict(list)
    for measure in ObjectiveMeasure.objects.filter(
        effective_on(day), objective_id__in=objective_ids
    ).select_related("kpi"):
        measures[measure.objective_id].append(measure)
    records = []
    for version in versions:
        records.append(
            {
                "code": version.objective.code,
                **values_of(version, UNIT_OBJECTIVE),
                "measures": [
                    {"kpi": measure.kpi.code, "weight": measure.weight}
                    for measure in sorted(
                        measures[version.objective_id], key=lambda row: row.kpi.code
                    )
                ],
            }
        )
    return records


def _read_links(day: dt.date, objective_ids: set[int]) -> list[dict[str, Any]]:
    links = ObjectiveLink.objects.filter(
        effective_on(day), cause_id__in=objective_ids, effect_id__in=objective_ids
    ).select_related("cause", "effect")
    pairs = sorted((link.cause.code, link.effect.code) for link in links)
    return [{"cause": cause, "effect": effect} for cause, effect in pairs]


def _read_targets(day: dt.date, kpi_ids: set[int]) -> list[dict[str, Any]]:
    targets = Target.objects.filter(
        effective_on(day), unit__isnull=False, kpi_id__in=kpi_ids
    ).select_related("kpi", "unit")
    records = []
    for target in targets:
        assert target.unit is not None  # unit targets only (filtered above)
        records.append(
            {
                "kpi": target.kpi.code,
                "unit": target.unit.code,
                **values_of(target, (TARGET_START, *TARGET)),
            }
        )
    return sorted(records, key=lambda row: (row["kpi"], row["unit"], row["period_start"]))


def read_records(day: dt.date) -> Records:
    """The architecture in force on ``day`` as section records (what the export writes).

    Rows that belong to something not exported are left out: status rules and targets of
    KPIs not in force, measures of objectives not exported, links with an end that is not
    an exported objective, and everything about individual goals and people's targets.
    """
    kpi_versions = _kpi_versions(day)
    kpi_ids = {version.kpi_id for version in kpi_versions}
    objective_versions = _objective_versions(day)
    objective_ids = {version.objective_id for version in objective_versions}
    records: Records = {
        "perspectives": _read_perspectives(),
        "themes": _read_themes(),
        "rubrics": _read_rubrics(),
        "statuses": _read_statuses(),
        "kpis": _read_kpis(kpi_versions),
        "status_rules": _read_status_rules(day, kpi_ids),
        "scorecards": _read_scorecards(day),
        "objectives": _read_objectives(day, objective_versions),
        "links": _read_links(day, objective_ids),
        "targets": _read_targets(day, kpi_ids),
    }
    return {
        spec.name: [normalise(spec.fields, row) for row in records[spec.name]] for spec in SECTIONS
    }


def _normalise_value(spec: FieldSpec, value: Any) -> Any:
    if value is None:
        return None
    if spec.type is FieldType.NUMBER:
        return float(value)
    if spec.type is FieldType.NUMBERS:
        return [float(item) for item in value]
    if spec.type is FieldType.INTEGER:
        return int(value)
    if spec.type is FieldType.RECORDS:
        return [normalise(spec.fields, item) for item in value]
    if spec.type is FieldType.RECORD:
        return normalise(spec.fields, value)
    return value


def normalise(fields: tuple[FieldSpec, ...], record: dict[str, Any]) -> dict[str, Any]:
    """A record with its keys in schema order and numbers as the schema types them.

    Float fields become floats (a JSON list holding ``1`` reads back as ``1.0``), so the
    same architecture always writes the same bytes.
    """
    return {spec.name: _normalise_value(spec, record[spec.name]) for spec in fields}


class _Dumper(yaml.SafeDumper):
    """Safe YAML with multi-line text as literal blocks, which read better in reviews."""


def _represent_text(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _represent_text)

_DUMP_OPTIONS: dict[str, Any] = {
    "sort_keys": False,
    "allow_unicode": True,
    "default_flow_style": False,
    "width": 1_000_000,
}


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, **_DUMP_OPTIONS)


def dump_section(spec: SectionSpec, records: Records) -> str:
    """One section's file: the list of its records."""
    return _dump(records[spec.name])


def dump_file(records: Records) -> str:
    """The single-file form: every section as a top-level key, in the schema's order."""
    return _dump({spec.name: records[spec.name] for spec in SECTIONS})


def export_architecture(path: Path, day: dt.date) -> list[Path]:
    """Write the architecture in force on ``day``; returns the files written.

    Parameters
    ----------
    path : Path
        A ``.yaml`` / ``.yml`` file receives every section as a top-level key; any
        other path is a folder (created if needed) receiving one file per section
        (``perspectives.yaml``, ``themes.yaml``, ... ``targets.yaml``).
    day : date
        The day whose definitions are written.

    Returns
    -------
    list of Path
        The files written, in section order.

    Examples
    --------
    >>> export_architecture(Path("strategy.yaml"), dt.date(2026, 1, 1))  # doctest: +SKIP
    [PosixPath('strategy.yaml')]
    """
    records = read_records(day)
    if is_single_file(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_file(records), encoding="utf-8", newline="\n")
        return [path]
    path.mkdir(parents=True, exist_ok=True)
    written = []
    for spec in SECTIONS:
        target = path / spec.file_name
        target.write_text(dump_section(spec, records), encoding="utf-8", newline="\n")
        written.append(target)
    return written
