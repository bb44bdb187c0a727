"""Changes to catalogue entries: rows named by a code and kept without versions (perspectives,
themes, statuses). They score nothing on their own, so no planning period constrains them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import models

from scoreline.access.capabilities import Capability
from scoreline.access.scope import AnyUser
from scoreline.audit.chain import record_event, snapshot
from scoreline.lib.errors import Invalid
from scoreline.lib.validation import fields_error
from scoreline.planning.changes import Change

__all__ = ["EntryChange", "prepare_entry"]

Entry = TypeVar("Entry", bound=models.Model)


@dataclass(kw_only=True)
class EntryChange(Change[Entry | None], Generic[Entry]):
    """Create or change the entry ``code`` with ``values``, or (``values`` None) remove it.

    Its audit events are ``<noun>.create``, ``<noun>.update`` and ``<noun>.remove``.
    """

    model: type[Entry]
    noun: str
    code: str
    values: Mapping[str, Any] | None
    current: Entry | None

    @property
    def unchanged(self) -> bool:
        return (
            self.values is not None
            and self.current is not None
            and all(getattr(self.current, name) == value for name, value in self.values.items())
        )

    @property
    def affected(self) -> frozenset[int]:
        return frozenset()

    def _draft(self) -> Entry:
        draft = self.model(pk=self.current.pk if self.current is not None else None)
        if self.current is not None:
            for field in self.model._meta.concrete_fields:
                setattr(draft, field.attname, getattr(self.current, field.attname))
        draft.code = self.code  # type: ignore[attr-defined]
        for name, value in (self.values or {}).items():
            setattr(draft, name, value)
        return draft

    def validate(self) -> None:
        if self.values is None:
            if self.current is None:
                raise Invalid.field("code", f"no {self.noun} {self.code!r}", code="not_found")
            return
        name = self.values.get("name")
        if isinstance(name, str) and not name.strip():
            raise Invalid.field("name", "must not be empty")
        try:
            self._draft().full_clean(validate_unique=False)
        except ValidationError as error:
            raise fields_error(error) from None

    def apply(self, actor: AnyUser, *, reason: str, source: str) -> Entry | None:
        before = snapshot(self.current) if self.current is not None else None
        if self.values is None:
            assert self.current is not None
            pk = self.current.pk
            self.current.delete()
            record_event(actor, f"{self.noun}.remove", self.noun, pk, before=before, reason=reason)
            return None
        entry = self._draft()
        entry.save()
        action = "create" if before is None else "update"
        record_event(
            actor,
            f"{self.noun}.{action}",
            self.noun,
            entry.pk,
            before=before,
            after=snapshot(entry),
            reason=reason,
        )
        return entry


def prepare_entry(
    model: type[Entry],
    code: str,
    values: Mapping[str, Any] | None,
    *,
    right: Capability,
    shared: bool,
    day: dt.date | None = None,
) -> EntryChange[Entry]:
    """Create, change or (``values`` None) remove the entry ``code`` of ``model``.

    The right is needed over the whole organisation, or with ``shared`` anywhere.
    """
    noun = model._meta.model_name
    assert noun is not None
    return EntryChange(
        right=right,
        unit=None,
        shared=shared,
        starts=day or dt.date.today(),
        governed=False,
        model=model,
        noun=noun,
        code=code,
        values=None if values is None else dict(values),
        current=model._default_manager.select_for_update().filter(code=code).first(),
    )
