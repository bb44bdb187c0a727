from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "scoreline.planning"
    label = "planning"
    verbose_name = "Planning"
