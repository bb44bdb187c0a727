from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "scoreline.org"
    label = "org"
    verbose_name = "Organisation"
