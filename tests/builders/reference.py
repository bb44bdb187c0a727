"""The rows that data migrations install, installed again after a flush emptied them."""

from __future__ import annotations

from importlib import import_module

from django.apps import apps as django_apps

# Rows installed by data migrations. A transactional test empties every table when it ends,
# these rows too, so the transactional tests that follow install them again (idempotently).
REFERENCE_DATA_MIGRATIONS = [
    "scoreline.org.migrations.0002_countries_currencies",
    "scoreline.access.migrations.0002_builtin_roles",
    "scoreline.access.migrations.0003_strategy_capability",
    "scoreline.strategy.migrations.0002_default_perspectives",
    "scoreline.kpis.migrations.0002_default_statuses_rules_policy",
    "scoreline.scoring.migrations.0002_default_policy",
]


def install_reference_data() -> None:
    for module in REFERENCE_DATA_MIGRATIONS:
        import_module(module).install(django_apps, None)
