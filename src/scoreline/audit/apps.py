from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "scoreline.audit"
    label = "audit"
    verbose_name = "Audit trail"
