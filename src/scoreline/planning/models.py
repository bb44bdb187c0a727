"""Planning periods: draft, open (definitions change by request) and closed."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q


class PeriodState(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class PlanningPeriod(models.Model):
    """A performance period (usually a fiscal year). Once open, definitions change by request."""

    label = models.CharField(max_length=40, unique=True)
    start = models.DateField()
    end = models.DateField(help_text="First day after the period")
    state = models.CharField(max_length=8, choices=PeriodState.choices, default=PeriodState.DRAFT)

    class Meta:
        db_table = "kpis_planningperiod"
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="planning_period_ordered")
        ]

    def __str__(self) -> str:
        return self.label
