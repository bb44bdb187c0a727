"""Load and validate strategy files: every problem at once, as file, line and reason."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from scoreline.as_code.checks import check_architecture
from scoreline.as_code.parse import parse_architecture
from scoreline.as_code.schema import ArchitectureError, Records

__all__ = ["Loaded", "load_architecture"]


@dataclass(frozen=True)
class Loaded:
    """The records of the files and the problems found; use the records only when
    ``errors`` is empty."""

    records: Records
    errors: tuple[ArchitectureError, ...]
    sections: dict[str, tuple[str, int]]

    @property
    def ok(self) -> bool:
        return not self.errors


def load_architecture(path: Path, day: dt.date) -> Loaded:
    """Read the files at ``path`` and check them as the architecture in force from ``day``.

    Parameters
    ----------
    path : Path
        One ``.yaml`` / ``.yml`` file with every section, or a folder of section files.
    day : date
        The day the files would take effect (individual goals in force that day keep
        their codes).

    Returns
    -------
    Loaded
        Records typed by :mod:`.schema`, and every problem sorted by file and line:
        unknown or missing keys, wrong types and values, references to missing
        definitions, units or people, formulas that do not parse or fit their unit,
        cycles in formulas, the cascade or the strategy map, duplicate codes, bad weights
        and thresholds out of order.

    Examples
    --------
    >>> loaded = load_architecture(Path("strategy.yaml"), dt.date(2026, 1, 1))  # doctest: +SKIP
    >>> [str(error) for error in loaded.errors]  # doctest: +SKIP
    ["strategy.yaml:14: kpis.direction: unknown value 'up' (allowed: 'higher', ...)"]
    """
    parsed = parse_architecture(path)
    if not parsed.unreadable:
        check_architecture(parsed, day)
    return Loaded(
        records=parsed.records, errors=tuple(sorted(parsed.errors)), sections=parsed.sections
    )
