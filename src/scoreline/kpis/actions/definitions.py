"""KPI definitions: adding a KPI, and the changes that revise or retire its definition."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import Q

from scoreline.access.capabilities import Capability
from scoreline.access.scope import (
    AnyUser,
)
from scoreline.audit.chain import record_event
from scoreline.audit.versions import end_audited_version, save_audited_version, version_record
from scoreline.engine.formulas import FormulaError, parse_formula
from scoreline.engine.graph import descendants
from scoreline.kpis.actions.shared import checked_source, definition_in_force
from scoreline.kpis.fields import KPI
from scoreline.kpis.models import (
    Kpi,
    KpiVersion,
)
from scoreline.kpis.smart import require_smart_definition
from scoreline.kpis.validation import (
    validate_kpi_code,
    validate_kpi_content,
)
from scoreline.lib.dates import effective_on
from scoreline.lib.errors import Invalid
from scoreline.lib.fields import FieldType, column
from scoreline.lib.versioned import (
    save_version,
)
from scoreline.planning.changes import Change, perform

__all__ = [
    "KPI_FIELDS",
    "KpiCreation",
    "KpiRetirement",
    "KpiUpdate",
    "do_create_kpi",
    "kpi_fields",
    "prepare_kpi",
    "prepare_kpi_retirement",
    "prepare_kpi_update",
]


# The versioned content of a KPI, by attribute name (foreign keys as ids).
KPI_FIELDS = tuple(column(spec) for spec in KPI)


_KPI_ALIASES = {spec.name: column(spec) for spec in KPI if spec.type is FieldType.REF}


def kpi_fields(given: Mapping[str, Any]) -> dict[str, Any]:
    """KPI fields by attribute name; instances given for owner, steward and rubric become ids."""
    content: dict[str, Any] = {}
    for name, value in given.items():
        attname = _KPI_ALIASES.get(name, name)
        if attname not in KPI_FIELDS:
            raise Invalid.field(name, "not a field of a KPI")
        if isinstance(value, models.Model):
            value = value.pk
        elif isinstance(value, tuple):
            value = list(value)
        content[attname] = value
    return content


def _kpi_content(version: KpiVersion) -> dict[str, Any]:
    return {name: getattr(version, name) for name in KPI_FIELDS}


def _formula_edges(day: dt.date) -> list[tuple[str, str]]:
    """(referenced code, formula KPI code) of the formulas in force on ``day``."""
    edges: list[tuple[str, str]] = []
    rows = KpiVersion.objects.filter(effective_on(day)).exclude(formula="")
    for code, formula in rows.values_list("kpi__code", "formula"):
        try:
            names = parse_formula(formula).names
        except FormulaError:
            continue
        edges.extend((name, code) for name in names)
    return edges


def _with_dependents(kpi: Kpi, day: dt.date) -> frozenset[int]:
    """The KPI and every formula KPI calculated from it, directly or not."""
    codes = descendants(_formula_edges(day), kpi.code)
    ids = set(Kpi.objects.filter(code__in=codes).values_list("pk", flat=True))
    return frozenset(ids | {kpi.pk})


@dataclass(kw_only=True)
class KpiUpdate(Change[KpiVersion | None]):
    kpi: Kpi
    current: KpiVersion
    content: dict[str, Any]

    @property
    def unchanged(self) -> bool:
        return all(getattr(self.current, name) == value for name, value in self.content.items())

    @property
    def affected(self) -> frozenset[int]:
        return _with_dependents(self.kpi, self.starts)

    def validate(self) -> None:
        validate_kpi_content(self.content, code=self.kpi.code, day=self.starts, kpi_id=self.kpi.pk)
        require_smart_definition(self.kpi, self.content, self.starts)

    def apply(self, actor: AnyUser, *, reason: str, source: str) -> KpiVersion | None:
        return save_audited_version(
            actor,
            KpiVersion,
            {"kpi": self.kpi},
            self.content,
            day=self.starts,
            reason=reason,
            source=source,
            action="kpi.update",
            object_type="kpi",
            object_id=self.kpi.pk,
        )


def prepare_kpi_update(kpi: Kpi, changes: Mapping[str, Any], day: dt.date) -> KpiUpdate:
    """The version in force on ``day`` with ``changes`` applied, as the version from ``day``."""
    current = definition_in_force(kpi, day)
    return KpiUpdate(
        right=Capability.EDIT_KPI,
        unit=None,
        shared=True,
        starts=day,
        governed=True,
        kpi=kpi,
        current=current,
        content={**_kpi_content(current), **kpi_fields(changes)},
    )


@dataclass(kw_only=True)
class KpiRetirement(Change[KpiVersion]):
    kpi: Kpi
    current: KpiVersion

    @property
    def unchanged(self) -> bool:
        return False

    @property
    def affected(self) -> frozenset[int]:
        return frozenset({self.kpi.pk})

    def validate(self) -> None:
        later = KpiVersion.objects.filter(kpi=self.kpi, valid_from__gt=self.starts).first()
        if later is not None:
            raise Invalid.field(
                "effective",
                f"{self.kpi.code} has a version from {later.valid_from.isoformat()}; "
                "retire it from that day or later",
            )
        users = KpiVersion.objects.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=self.starts)
        ).exclude(kpi=self.kpi)
        dependents = sorted(
            {
                code
                for code, formula in users.exclude(formula="").values_list("kpi__code", "formula")
                if self.kpi.code in _names(formula)
            }
        )
        if dependents:
            raise Invalid.field(
                "kpi",
                f"{self.kpi.code} is used by the formulas of {', '.join(dependents)}",
                code="in_use",
            )

    def apply(self, actor: AnyUser, *, reason: str, source: str) -> KpiVersion:
        end_audited_version(
            actor,
            KpiVersion,
            {"kpi": self.kpi},
            day=self.starts,
            reason=reason,
            source=source,
            action="kpi.retire",
            object_type="kpi",
            object_id=self.kpi.pk,
        )
        return self.current


def _names(formula: str) -> frozenset[str]:
    try:
        return parse_formula(formula).names
    except FormulaError:
        return frozenset()


def prepare_kpi_retirement(kpi: Kpi, day: dt.date) -> KpiRetirement:
    return KpiRetirement(
        right=Capability.EDIT_KPI,
        unit=None,
        shared=True,
        starts=day,
        governed=True,
        kpi=kpi,
        current=definition_in_force(kpi, day),
    )


@dataclass(kw_only=True)
class KpiCreation(Change[Kpi]):
    """A new KPI in the catalogue with its first definition, in force from ``starts``."""

    code: str
    content: dict[str, Any]

    @property
    def unchanged(self) -> bool:
        return False

    @property
    def affected(self) -> frozenset[int]:
        return frozenset()  # no target scores it yet

    def validate(self) -> None:
        self.code = validate_kpi_code(self.code)
        if Kpi.objects.filter(code=self.code).exists():
            raise Invalid.field(
                "code", f"a KPI with code {self.code!r} already exists", code="duplicate"
            )
        validate_kpi_content(self.content, code=self.code, day=self.starts, kpi_id=None)
        require_smart_definition(Kpi(code=self.code), self.content, self.starts)

    def apply(self, actor: AnyUser, *, reason: str, source: str) -> Kpi:
        kpi = Kpi.objects.create(code=self.code)
        _, version = save_version(
            KpiVersion,
            {"kpi": kpi},
            self.content,
            day=self.starts,
            author=actor,
            reason=reason,
            source=source,
        )
        record_event(
            actor, "kpi.create", "kpi", kpi.pk, after=version_record(version), reason=reason
        )
        return kpi


def prepare_kpi(code: str, fields: Mapping[str, Any], day: dt.date) -> KpiCreation:
    """A new KPI ``code`` defined by ``fields`` (:data:`KPI_FIELDS`; owner, steward and rubric
    may be instances) from ``day``. A new KPI changes no running scorecard."""
    defaults = {
        f.attname: f.get_default()
        for f in KpiVersion._meta.concrete_fields
        if f.attname in KPI_FIELDS
    }
    return KpiCreation(
        right=Capability.EDIT_KPI,
        unit=None,
        shared=True,
        starts=day,
        governed=False,
        code=code,
        content={**defaults, **kpi_fields(fields)},
    )


@transaction.atomic
def do_create_kpi(
    actor: AnyUser,
    *,
    code: str,
    valid_from: dt.date,
    reason: str = "",
    source: str = "page",
    **fields: Any,
) -> Kpi:
    """Add a KPI to the catalogue with its first definition, in force from ``valid_from``.

    ``fields`` are :data:`KPI_FIELDS` (owner, steward and rubric may be given as instances).
    """
    change = prepare_kpi(code, fields, valid_from)
    created = perform(actor, change, reason=reason, source=checked_source(source))
    assert created is not None  # a creation always changes something
    return created
