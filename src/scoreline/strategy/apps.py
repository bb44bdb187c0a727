from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "scoreline.strategy"
    label = "strategy"
    verbose_name = "Strategy"
