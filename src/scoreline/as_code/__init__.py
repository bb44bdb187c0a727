"""Strategy as code: the strategy and KPI architecture as reviewable YAML files.

:func:`export_architecture` writes what is in force on a day, :func:`plan_architecture`
compares files with it, and :func:`apply_architecture` makes files the architecture from a
day, in one audited transaction. The files hold organisation-wide definitions and the
objectives and targets of units; individual goals and people's targets are people data
and never appear in them.
"""

from scoreline.as_code.apply import ArchitectureInvalid, apply_architecture
from scoreline.as_code.export import export_architecture
from scoreline.as_code.load import Loaded, load_architecture
from scoreline.as_code.plan import FieldChange, Plan, PlannedChange, plan_architecture
from scoreline.as_code.schema import ArchitectureError

__all__ = [
    "ArchitectureError",
    "ArchitectureInvalid",
    "FieldChange",
    "Loaded",
    "Plan",
    "PlannedChange",
    "apply_architecture",
    "export_architecture",
    "load_architecture",
    "plan_architecture",
]
