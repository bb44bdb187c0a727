from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "scoreline.governance"
    label = "governance"
    verbose_name = "Governance"
