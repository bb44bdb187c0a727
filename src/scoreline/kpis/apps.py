from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "scoreline.kpis"
    label = "kpis"
    verbose_name = "KPIs"
