"""Change requests: a change to a definition in force in an open period, decided by a second person."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from scoreline.org.models import OrgUnit


class ChangeKind(models.TextChoices):
    KPI = "kpi", "KPI definition"
    TARGET = "target", "Target"
    MEASURE_WEIGHT = "measure_weight", "KPI weight in an objective"
    NEW_OBJECTIVE = "new_objective", "New objective"
    OBJECTIVE = "objective", "Objective (revision, move or retirement)"
    OBJECTIVE_WEIGHT = "objective_weight", "Objective weight"
    PERSPECTIVE_WEIGHT = "perspective_weight", "Perspective weight"
    STATUS_RULES = "status_rules", "Status rules"
    SCORECARD_POLICY = "scorecard_policy", "Scorecard policy"


class ChangeState(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved and applied"
    REJECTED = "rejected", "Rejected"


class ChangeRequest(models.Model):
    """A proposed change to a definition in force in an open period, awaiting a second person."""

    kind = models.CharField(max_length=20, choices=ChangeKind.choices)
    subject = models.CharField(max_length=200, help_text="What is changed, e.g. a KPI code")
    payload = models.JSONField(help_text="The proposed fields")
    effective_from = models.DateField()
    justification = models.TextField()
    unit = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The unit whose approvers may decide (none: approvers over every unit)",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(
        max_length=10, choices=ChangeState.choices, default=ChangeState.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        db_table = "kpis_changerequest"
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["state", "requested_at"], name="change_request_inbox")]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} ({self.state})"
