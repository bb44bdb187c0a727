"""Tables of the KPI catalogue: versioned definitions, rubrics, targets and status rules;
values and assessments as entered."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from scoreline.lib.constraints import dates_ordered, exactly_one_set
from scoreline.lib.versioned import Versioned
from scoreline.org.models import OrgUnit, Person
from scoreline.strategy.models import EsgPillar, Objective, RequiredBy


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"
    RANGE = "range", "Within a target range"


class Temporality(models.TextChoices):
    LEADING = "leading", "Leading"
    LAGGING = "lagging", "Lagging"


class KpiKind(models.TextChoices):
    OUTPUT = "output", "Output"
    PROCESS = "process", "Process health"
    QUALITY = "quality", "Quality"
    ESG = "esg", "ESG"
    QUALITATIVE = "qualitative", "Qualitative"


class TimeAggregation(models.TextChoices):
    SUM = "sum", "Sum"
    AVERAGE = "average", "Average"
    LAST = "last", "Last value"
    MIN = "min", "Minimum"
    MAX = "max", "Maximum"


class TreeAggregation(models.TextChoices):
    SUM = "sum", "Sum"
    AVERAGE = "average", "Average"
    HEADCOUNT_WEIGHTED = "headcount_weighted", "Headcount-weighted average"
    MIN = "min", "Minimum"
    MAX = "max", "Maximum"
    NONE = "none", "Not aggregated"


class RefreshCycle(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUAL = "annual", "Annual"


class ScoringMethod(models.TextChoices):
    LINEAR = "linear", "Linear between red flag and goal"
    PIECEWISE = "piecewise", "Piecewise through threshold, target and stretch"
    BANDED = "banded", "Banded"
    TARGET_RANGE = "target_range", "Target range (best in the middle)"
    PERCENT_CAPPED = "percent_capped", "Percent of target, capped at 100"
    PERCENT_UNCAPPED = "percent_uncapped", "Percent of target, uncapped"
    RUBRIC = "rubric", "Rubric level"


class Rubric(models.Model):
    """A rating scale with behavioural anchors for qualitative KPIs (e.g. leadership 1-5)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class RubricLevel(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="levels")
    level = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=80)
    anchor = models.TextField(help_text="The observable behaviour that earns this level")
    score = models.FloatField(help_text="Score on the 0-100 scale")

    class Meta:
        ordering = ["rubric_id", "level"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "level"], name="rubric_level_once"),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=100), name="rubric_score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level}: {self.label}"


class Kpi(models.Model):
    """The stable identity of a KPI; its definition lives in effective-dated versions."""

    code = models.CharField(max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "KPI"

    def __str__(self) -> str:
        return self.code


class KpiVersion(Versioned):
    identity_field = "kpi"

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="versions")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=40, blank=True, help_text="EUR, count, %, days, tCO2e...")
    direction = models.CharField(max_length=8, choices=Direction.choices)
    temporality = models.CharField(max_length=8, choices=Temporality.choices)
    kind = models.CharField(max_length=16, choices=KpiKind.choices)
    function = models.CharField(max_length=60, blank=True, help_text="Business function")
    formula = models.TextField(blank=True, help_text="Expression over other KPI codes")
    time_aggregation = models.CharField(max_length=8, choices=TimeAggregation.choices)
    tree_aggregation = models.CharField(max_length=20, choices=TreeAggregation.choices)
    refresh_cycle = models.CharField(max_length=10, choices=RefreshCycle.choices, blank=True)
    data_source = models.CharField(max_length=200, blank=True)
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    steward = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scoring = models.CharField(max_length=20, choices=ScoringMethod.choices)
    band_edges = models.JSONField(default=list, blank=True, help_text="Banded scoring: edges")
    band_scores = models.JSONField(default=list, blank=True, help_text="One more than edges")
    rubric = models.ForeignKey(
        Rubric, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    esg_pillar = models.CharField(max_length=1, choices=EsgPillar.choices, blank=True)
    disclosure_ref = models.CharField(max_length=60, blank=True)
    required_by = models.CharField(max_length=16, choices=RequiredBy.choices, blank=True)

    class Meta:
        ordering = ["kpi_id", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "valid_from"], name="kpi_version_one_per_day"),
            dates_ordered("kpi_version_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.name} from {self.valid_from}"


class ObjectiveMeasure(Versioned):
    """A KPI measuring an objective, with its relative weight in the objective's score."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="measures")
    kpi = models.ForeignKey(Kpi, on_delete=models.PROTECT, related_name="measures")
    weight = models.FloatField(default=1.0)

    class Meta:
        ordering = ["objective_id", "kpi_id", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["objective", "kpi", "valid_from"], name="measure_one_per_day"
            ),
            models.CheckConstraint(condition=Q(weight__gte=0), name="measure_weight_not_negative"),
            dates_ordered("measure_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.kpi_id} measures {self.objective_id} ({self.weight})"


class TargetType(models.TextChoices):
    STAY_ABOVE = "stay_above", "Stay above"
    STAY_BELOW = "stay_below", "Stay below"
    INCREASE_TO = "increase_to", "Increase to"
    DECREASE_TO = "decrease_to", "Decrease to"
    RANGE = "range", "Stay within a range"


class Phasing(models.TextChoices):
    FLAT = "flat", "Flat"
    LINEAR_RAMP = "linear_ramp", "Linear ramp"
    SEASONAL = "seasonal", "Seasonal profile"


class Target(Versioned):
    """Threshold, target and stretch for a KPI at a unit (or person) over a span of months.

    The span (usually a fiscal year) is phased into monthly targets: flat, ramped from the
    baseline, or shaped by a seasonal profile of twelve weights.
    """

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    period_start = models.DateField(help_text="First month of the span")
    period_end = models.DateField(help_text="First month after the span")
    target_type = models.CharField(max_length=16, choices=TargetType.choices)
    threshold = models.FloatField(null=True, blank=True, help_text="Red flag / minimum")
    target = models.FloatField(null=True, blank=True)
    stretch = models.FloatField(null=True, blank=True)
    range_low = models.FloatField(null=True, blank=True)
    range_high = models.FloatField(null=True, blank=True)
    baseline = models.FloatField(null=True, blank=True, help_text="Start of a linear ramp")
    phasing = models.CharField(max_length=16, choices=Phasing.choices, default=Phasing.FLAT)
    profile = models.JSONField(default=list, blank=True, help_text="Seasonal weights")

    class Meta:
        ordering = ["kpi_id", "unit_id", "person_id", "period_start", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "unit", "period_start", "valid_from"],
                condition=Q(person__isnull=True),
                name="target_unit_version_one_per_day",
            ),
            models.UniqueConstraint(
                fields=["kpi", "person", "period_start", "valid_from"],
                condition=Q(unit__isnull=True),
                name="target_person_version_one_per_day",
            ),
            exactly_one_set("unit", "person", "target_unit_or_person"),
            models.CheckConstraint(
                condition=Q(period_end__gt=F("period_start")), name="target_span_ordered"
            ),
            dates_ordered("target_dates_ordered"),
        ]
        indexes = [models.Index(fields=["kpi", "unit", "period_start"], name="target_lookup")]

    def __str__(self) -> str:
        return f"{self.kpi_id} {self.period_start}: {self.target}"


class Status(models.Model):
    """A configurable status (red, amber, green by default) with its display colour."""

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=60)
    colour = models.CharField(max_length=7, help_text="#rrggbb")
    position = models.PositiveSmallIntegerField(default=0, help_text="Worst first")

    class Meta:
        ordering = ["position", "code"]
        verbose_name_plural = "statuses"

    def __str__(self) -> str:
        return self.name


class RuleBasis(models.TextChoices):
    VALUE = "value", "Absolute value"
    PERCENT_OF_TARGET = "percent_of_target", "Percent of target"
    SCORE = "score", "Score"


class RuleComparison(models.TextChoices):
    GE = "ge", "at least"
    GT = "gt", "above"
    LE = "le", "at most"
    LT = "lt", "below"
    BETWEEN = "between", "from ... up to"
    OTHERWISE = "otherwise", "otherwise (fallback)"


class StatusRule(Versioned):
    """One rule of an ordered set; a KPI's own set replaces the default set (``kpi`` empty)."""

    kpi = models.ForeignKey(
        Kpi, null=True, blank=True, on_delete=models.CASCADE, related_name="status_rules"
    )
    position = models.PositiveSmallIntegerField()
    basis = models.CharField(max_length=20, choices=RuleBasis.choices)
    comparison = models.CharField(max_length=10, choices=RuleComparison.choices)
    bound = models.FloatField(null=True, blank=True)
    bound_upper = models.FloatField(null=True, blank=True)
    status = models.ForeignKey(Status, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["kpi_id", "valid_from", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "position", "valid_from"], name="status_rule_one_per_day"
            ),
            dates_ordered("status_rule_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.basis} {self.comparison} {self.bound} -> {self.status_id}"


class ValueSource(models.TextChoices):
    MANUAL = "manual", "Entered by hand"
    IMPORT = "import", "Imported"
    FORMULA = "formula", "Calculated by formula"
    ASSESSMENT = "assessment", "Rubric assessments"
    CONNECTOR = "connector", "Connector"
    DEMO = "demo", "Demo generator"


class KpiValue(models.Model):
    """The actual of a KPI for a unit or a person in a month, with where it came from."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="values")
    unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    period = models.DateField(help_text="First day of the month")
    value = models.FloatField()
    source = models.CharField(max_length=12, choices=ValueSource.choices)
    lineage = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kpi_id", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "unit", "period"],
                condition=Q(person__isnull=True),
                name="kpi_value_unit_once",
            ),
            models.UniqueConstraint(
                fields=["kpi", "person", "period"],
                condition=Q(unit__isnull=True),
                name="kpi_value_person_once",
            ),
            exactly_one_set("unit", "person", "kpi_value_unit_or_person"),
        ]

    def __str__(self) -> str:
        return f"{self.kpi_id} {self.period}: {self.value}"


class Assessment(models.Model):
    """A named rater's rubric level for a qualitative KPI, with the evidence behind it."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="assessments")
    unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    period = models.DateField()
    rater = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField()
    evidence = models.TextField()
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kpi_id", "period", "rater_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "unit", "person", "period", "rater"], name="assessment_once"
            ),
            exactly_one_set("unit", "person", "assessment_unit_or_person"),
        ]

    def __str__(self) -> str:
        return f"{self.kpi_id} {self.period} by {self.rater_id}: {self.level}"
