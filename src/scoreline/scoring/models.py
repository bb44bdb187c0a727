"""Tables of scoring: how scorecards roll up (policies, perspective weights) and the
scores computed for every scorecard node and month, with their explanations."""

from __future__ import annotations

from typing import Any

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
    """A computed score of one scorecard node in one month, with what explains it.

    A KPI row keeps the inputs it was scored against (the phased threshold, target, stretch
    and range, and the attainment) and what its definition said (method, direction, what
    its status follows). A roll-up row keeps its policy (combine, missing, cap; for an
    objective the share of contributing objectives and what measures it), its coverage
    counts and, for an objective measured both ways, the scores of its two parts. Plain
    columns, not a JSON document, so that millions of rows are written fast (decision 8);
    :attr:`explanation` gives them as one dict for pages and the API.
    """

    kind = models.CharField(max_length=12, choices=NodeKind.choices)
    # Foreign keys without an index each: the composite indexes below serve every query.
    kpi = models.ForeignKey(
        Kpi, null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    objective = models.ForeignKey(
        Objective, null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    perspective = models.ForeignKey(
        Perspective, null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    unit = models.ForeignKey(
        OrgUnit, null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    person = models.ForeignKey(
        Person, null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    period = models.DateField()
    value = models.FloatField(null=True, help_text="The KPI value scored (KPI nodes)")
    score = models.FloatField(null=True, help_text="0-100; empty when the data is missing")
    status = models.CharField(max_length=20, blank=True)
    definitions_as_of = models.DateField(
        null=True, help_text="The day whose definitions the score was computed with"
    )
    # KPI rows: how the value was scored.
    method = models.CharField(max_length=16, blank=True)
    direction = models.CharField(max_length=8, blank=True)
    status_by = models.CharField(
        max_length=64, blank=True, help_text="What the status follows; empty: the score bands"
    )
    threshold = models.FloatField(null=True)
    target = models.FloatField(null=True)
    stretch = models.FloatField(null=True)
    low = models.FloatField(null=True)
    high = models.FloatField(null=True)
    attainment = models.FloatField(null=True, help_text="Percent of target, direction-aware")
    # Roll-up rows: how the children were combined, and the values below them.
    combine = models.CharField(max_length=16, blank=True)
    missing = models.CharField(max_length=8, blank=True)
    cap = models.FloatField(null=True, help_text="Empty: no cap")
    cascade_share = models.FloatField(null=True)
    measured_by = models.CharField(max_length=16, blank=True)
    values_present = models.IntegerField(null=True)
    values_expected = models.IntegerField(null=True)
    own_kpis = models.FloatField(null=True)
    contributing = models.FloatField(null=True)
    computed_at = models.DateTimeField()

    class Meta:
        db_table = "kpis_score"
        ordering = ["kind", "period", "id"]
        # Each index holds only the rows that name its leading id (see decision 8 for the
        # queries each one serves).
        indexes = [
            models.Index(
                fields=["unit", "kind", "period"],
                name="score_unit_kind_period",
                condition=Q(unit__isnull=False),
            ),
            models.Index(
                fields=["person", "kind", "period"],
                name="score_person_kind_period",
                condition=Q(person__isnull=False),
            ),
            models.Index(
                fields=["objective", "period"],
                name="score_objective_period",
                condition=Q(objective__isnull=False),
            ),
            models.Index(
                fields=["kpi", "unit", "person", "period"],
                name="score_kpi_period",
                condition=Q(kpi__isnull=False),
            ),
            models.Index(
                fields=["perspective"],
                name="score_perspective",
                condition=Q(perspective__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period}: {self.score}"

    @property
    def explanation(self) -> dict[str, Any]:
        """What the score was computed from, as pages and the API show it."""
        day = self.definitions_as_of.isoformat() if self.definitions_as_of else None
        if self.kind == NodeKind.KPI:
            return {
                "method": self.method,
                "direction": self.direction,
                "inputs": {name: getattr(self, name) for name in SCORING_INPUTS},
                "attainment": self.attainment,
                "status_by": self.status_by or None,
                "definitions_as_of": day,
            }
        said: dict[str, Any] = {
            "combine": self.combine,
            "missing": self.missing,
            "cap": self.cap,
            "definitions_as_of": day,
            "values_present": self.values_present,
            "values_expected": self.values_expected,
        }
        if self.kind == NodeKind.OBJECTIVE:
            said |= {"cascade_share": self.cascade_share, "measured_by": self.measured_by}
        if self.measured_by == "both":
            said |= {"own_kpis": self.own_kpis, "contributing": self.contributing}
        return said


#: The targets a KPI value is scored against, phased to its month.
SCORING_INPUTS = ("threshold", "target", "stretch", "low", "high")


class ScoringRules(models.Model):
    """The version of the scoring rules the stored scores follow (one row at most).

    A full recompute records it; see :mod:`scoreline.scoring.freshness`.
    """

    version = models.PositiveIntegerField()
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"scoring rules {self.version}, computed {self.computed_at:%Y-%m-%d %H:%M}"
