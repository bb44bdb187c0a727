"""Tables of scoring: how scorecards roll up (policies, perspective weights) and the
scores computed for every scorecard node and month, with their explanations."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from scoreline.kpis.defaults import DEFAULT_CASCADE_SHARE
from scoreline.kpis.models import Kpi
from scoreline.lib.constraints import dates_ordered
from scoreline.lib.versioned import Versioned
from scoreline.org.models import OrgUnit, Person
from scoreline.strategy.models import Objective, Perspective


class CombineRule(models.TextChoices):
    WEIGHTED_MEAN = "weighted_mean", "Weighted mean"
    SUM = "sum", "Sum"
    MINIMUM = "minimum", "Minimum (weakest link)"


class MissingPolicy(models.TextChoices):
    SKIP = "skip", "Skip and re-normalise the weights"
    ZERO = "zero", "Count as zero"
    BLANK = "blank", "Blank the parent"


class ScorecardPolicy(Versioned):
    """How a unit's scorecard rolls up; the row without a unit is the organisation's default."""

    unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    combine = models.CharField(max_length=16, choices=CombineRule.choices)
    missing = models.CharField(max_length=8, choices=MissingPolicy.choices)
    cap_at_100 = models.BooleanField(default=True)
    cascade_share = models.FloatField(
        default=DEFAULT_CASCADE_SHARE,
        help_text=(
            "Share of the contributing objectives in the score of an objective that also has "
            "KPIs of its own (0 to 1); its own KPIs carry the rest"
        ),
    )

    class Meta:
        db_table = "kpis_scorecardpolicy"
        ordering = ["unit_id", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "valid_from"], name="scorecard_policy_one_per_day"
            ),
            dates_ordered("scorecard_policy_dates_ordered"),
            models.CheckConstraint(
                condition=Q(cascade_share__gte=0) & Q(cascade_share__lte=1),
                name="scorecard_policy_cascade_share_is_a_share",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.unit_id or 'default'}: {self.combine}, missing {self.missing}, "
            f"contributing objectives {self.cascade_share:.0%}"
        )


class PerspectiveWeight(Versioned):
    """The weight of a perspective in a unit's scorecard (no unit: the default weights)."""

    perspective = models.ForeignKey(Perspective, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    weight = models.FloatField()

    class Meta:
        db_table = "kpis_perspectiveweight"
        ordering = ["unit_id", "perspective_id", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["perspective", "unit", "valid_from"], name="perspective_weight_one_per_day"
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=0), name="perspective_weight_not_negative"
            ),
            dates_ordered("perspective_weight_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.perspective_id} in {self.unit_id or 'default'}: {self.weight}"


class NodeKind(models.TextChoices):
    KPI = "kpi", "KPI"
    OBJECTIVE = "objective", "Objective"
    PERSPECTIVE = "perspective", "Perspective"
    UNIT = "unit", "Unit scorecard"
    PERSON = "person", "Individual scorecard"


class Score(models.Model):
    """A computed score of one scorecard node in one month, with its explanation."""

    kind = models.CharField(max_length=12, choices=NodeKind.choices)
    kpi = models.ForeignKey(Kpi, null=True, on_delete=models.CASCADE, related_name="+")
    objective = models.ForeignKey(Objective, null=True, on_delete=models.CASCADE, related_name="+")
    perspective = models.ForeignKey(
        Perspective, null=True, on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(OrgUnit, null=True, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, null=True, on_delete=models.CASCADE, related_name="+")
    period = models.DateField()
    value = models.FloatField(null=True, help_text="The KPI value scored (KPI nodes)")
    score = models.FloatField(null=True, help_text="0-100; empty when the data is missing")
    status = models.CharField(max_length=20, blank=True)
    explanation = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    class Meta:
        db_table = "kpis_score"
        ordering = ["kind", "period", "id"]
        indexes = [
            models.Index(fields=["kind", "unit", "period"], name="score_unit_period"),
            models.Index(fields=["objective", "period"], name="score_objective_period"),
            models.Index(fields=["kpi", "unit", "person", "period"], name="score_kpi_period"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period}: {self.score}"


class ScoringRules(models.Model):
    """The version of the scoring rules the stored scores follow (one row at most).

    A full recompute records it; see :mod:`scoreline.scoring.freshness`.
    """

    version = models.PositiveIntegerField()
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"scoring rules {self.version}, computed {self.computed_at:%Y-%m-%d %H:%M}"
