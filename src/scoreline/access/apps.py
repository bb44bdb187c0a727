from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "scoreline.access"
    label = "access"
    verbose_name = "Access control"
