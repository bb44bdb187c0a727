from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "scoreline.scoring"
    label = "scoring"
    verbose_name = "Scoring"
