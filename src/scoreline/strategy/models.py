"""Tables of the strategy: perspectives, themes, objectives (versioned), the map and workshops."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from scoreline.lib.constraints import dates_ordered, exactly_one_set
from scoreline.lib.versioned import Versioned
from scoreline.org.models import OrgUnit, Person


class EsgPillar(models.TextChoices):
    NONE = "", "None"
    ENVIRONMENTAL = "E", "Environmental"
    SOCIAL = "S", "Social"
    GOVERNANCE = "G", "Governance"


class RequiredBy(models.TextChoices):
    NONE = "", "Not required"
    REGULATOR = "regulator", "Regulator"
    INVESTOR = "investor", "Investor"
    BOTH = "both", "Regulator and investor"


class Perspective(models.Model):
    """A balanced-scorecard perspective; the four classic ones are installed, others addable."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    is_esg = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class Theme(models.Model):
    """A strategic theme, translated into measurable outcomes by the objectives under it."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Objective(models.Model):
    """The stable identity of an objective or an individual goal; content lives in versions."""

    code = models.CharField(max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class ObjectiveVersion(Versioned):
    """One effective-dated state of an objective: placement in the cascade, owner, weights."""

    identity_field = "objective"

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="versions")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    perspective = models.ForeignKey(Perspective, on_delete=models.PROTECT, related_name="+")
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # An objective belongs to a unit; an individual goal to a person (exactly one of the two).
    unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    parent = models.ForeignKey(
        Objective,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The objective this one contributes to in the cascade",
    )
    contribution_weight = models.FloatField(
        default=1.0, help_text="Relative weight of this objective within its parent"
    )
    weight = models.FloatField(
        default=1.0, help_text="Relative weight within its unit's (or person's) perspective"
    )
    horizon_start = models.DateField()
    horizon_end = models.DateField(help_text="First day after the horizon")
    esg_pillar = models.CharField(max_length=1, choices=EsgPillar.choices, blank=True)
    disclosure_ref = models.CharField(
        max_length=60, blank=True, help_text="Disclosure reference such as GRI 305-1 or ESRS E1-6"
    )
    required_by = models.CharField(max_length=16, choices=RequiredBy.choices, blank=True)

    class Meta:
        ordering = ["objective_id", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["objective", "valid_from"], name="objective_version_one_per_day"
            ),
            dates_ordered("objective_version_dates_ordered"),
            exactly_one_set("unit", "person", "objective_unit_or_person"),
            models.CheckConstraint(
                condition=Q(contribution_weight__gte=0) & Q(weight__gte=0),
                name="objective_weights_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(horizon_end__gt=F("horizon_start")), name="objective_horizon_ordered"
            ),
        ]
        indexes = [models.Index(fields=["unit", "valid_from"], name="objective_unit_from")]

    def __str__(self) -> str:
        return f"{self.name} from {self.valid_from}"


class ObjectiveLink(Versioned):
    """A cause-and-effect arrow of the strategy map: achieving ``cause`` drives ``effect``."""

    cause = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="effects")
    effect = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="causes")

    class Meta:
        ordering = ["cause_id", "effect_id", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["cause", "effect", "valid_from"], name="objective_link_one_per_day"
            ),
            models.CheckConstraint(condition=~Q(cause=F("effect")), name="objective_link_not_self"),
            dates_ordered("objective_link_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.cause_id} -> {self.effect_id}"


class WorkshopSubject(models.TextChoices):
    THEMES = "themes", "Themes"
    OBJECTIVES = "objectives", "Objectives"


class WorkshopState(models.TextChoices):
    OPEN = "open", "Collecting allocations"
    AGREED = "agreed", "Weights agreed"


class Workshop(models.Model):
    """A priority workshop: department leads each spread 100 points over themes or objectives."""

    name = models.CharField(max_length=200)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="workshops")
    subject = models.CharField(max_length=16, choices=WorkshopSubject.choices)
    held_on = models.DateField()
    state = models.CharField(
        max_length=16, choices=WorkshopState.choices, default=WorkshopState.OPEN
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    agreed_method = models.CharField(max_length=16, blank=True, help_text="mean or median")
    agreed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-held_on", "id"]

    def __str__(self) -> str:
        return self.name


class WorkshopItem(models.Model):
    """One theme or objective on the table; ``agreed_weight`` is set when the workshop agrees."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="items")
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agreed_weight = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["workshop_id", "id"]
        constraints = [exactly_one_set("theme", "objective", "workshop_item_theme_or_objective")]

    def __str__(self) -> str:
        return str(self.theme or self.objective)


class WorkshopParticipant(models.Model):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["workshop_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "person"], name="workshop_participant_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} for {self.department_id}"


class WorkshopAllocation(models.Model):
    participant = models.ForeignKey(
        WorkshopParticipant, on_delete=models.CASCADE, related_name="allocations"
    )
    item = models.ForeignKey(WorkshopItem, on_delete=models.CASCADE, related_name="allocations")
    points = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "item"], name="allocation_once"),
            models.CheckConstraint(
                condition=Q(points__gte=0) & Q(points__lte=100), name="allocation_points_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}: {self.points} on {self.item_id}"
