"""Tables of the organisation. Effective-dated rows are valid from a day until a day (exclusive)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from treebeard.mp_tree import MP_Node

from scoreline.access.capabilities import FieldClass
from scoreline.lib.periods import Period, fiscal_period_of, fiscal_year_of


class Currency(models.Model):
    code = models.CharField(max_length=3, primary_key=True, help_text="ISO 4217 code")
    name = models.CharField(max_length=80)
    minor_units = models.PositiveSmallIntegerField(default=2)

    class Meta:
        verbose_name_plural = "currencies"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Country(models.Model):
    code = models.CharField(max_length=2, primary_key=True, help_text="ISO 3166-1 alpha-2 code")
    name = models.CharField(max_length=100)
    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name_plural = "countries"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class FxRate(models.Model):
    """Units of ``quote`` currency for one unit of ``base`` currency on a day."""

    base = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="+")
    quote = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="+")
    rate_date = models.DateField()
    rate = models.DecimalField(max_digits=20, decimal_places=10)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["base", "quote", "rate_date"], name="fx_rate_one_per_day"
            ),
            models.CheckConstraint(condition=Q(rate__gt=0), name="fx_rate_positive"),
            models.CheckConstraint(
                condition=~Q(base=F("quote")), name="fx_rate_distinct_currencies"
            ),
        ]
        indexes = [models.Index(fields=["base", "quote", "-rate_date"], name="fx_rate_lookup")]

    def __str__(self) -> str:
        return f"{self.base_id}/{self.quote_id} {self.rate_date}: {self.rate}"


class UnitKind(models.TextChoices):
    GROUP = "group", "Group"
    LEGAL_ENTITY = "legal_entity", "Legal entity"
    BUSINESS_UNIT = "business_unit", "Business unit"
    DEPARTMENT = "department", "Department"
    TEAM = "team", "Team"
    PROJECT = "project", "Project"
    SHARED_SERVICE_CENTRE = "shared_service_centre", "Shared service centre"
    JOINT_VENTURE = "joint_venture", "Joint venture"
    ACQUIRED_ENTITY = "acquired_entity", "Acquired entity"


class OrgUnit(MP_Node):
    """A node of the organisation tree; ``path`` orders and scopes everything below it."""

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=UnitKind.choices)
    manager = models.ForeignKey(
        "Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="managed_units"
    )
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="units")
    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="units")
    cost_centre = models.CharField(max_length=40, blank=True)
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True, help_text="First day no longer valid")

    class Meta:
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=F("valid_from")),
                name="org_unit_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class UnitVersion(models.Model):
    """One period of a unit's placement, name and manager: reorganisations keep their history."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="versions")
    parent = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=200)
    manager = models.ForeignKey(
        "Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["unit_id", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "valid_from"], name="unit_version_one_per_day"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=F("valid_from")),
                name="unit_version_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} from {self.valid_from}"


class PersonKind(models.TextChoices):
    EMPLOYEE = "employee", "Employee"
    CONTRACTOR = "contractor", "Contractor"


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NON_BINARY = "non_binary", "Non-binary"
    UNDISCLOSED = "undisclosed", "Undisclosed"


class Person(models.Model):
    """An employee or contractor. Pay and protected attributes are sensitive field classes."""

    # Shown only to those holding the field class's capability (pages, exports and the API).
    sensitive_fields: ClassVar[dict[FieldClass, tuple[str, ...]]] = {
        FieldClass.PAY: ("base_salary", "salary_currency"),
        FieldClass.PROTECTED: ("gender", "date_of_birth"),
    }

    employee_id = models.CharField(max_length=40, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    kind = models.CharField(max_length=16, choices=PersonKind.choices, default=PersonKind.EMPLOYEE)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(unique=True)
    job_title = models.CharField(max_length=120)
    job_family = models.CharField(max_length=80)
    job_level = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    grade = models.CharField(max_length=20)
    fte = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        default=Decimal("1.000"),
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("1"))],
    )
    hire_date = models.DateField()
    leave_date = models.DateField(null=True, blank=True)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="people")
    location = models.CharField(max_length=100, blank=True)
    primary_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="people")
    # Field class "pay"
    base_salary = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    salary_currency = models.ForeignKey(
        Currency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Field class "protected"
    gender = models.CharField(max_length=16, choices=Gender.choices, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name_plural = "people"
        constraints = [
            models.CheckConstraint(
                condition=Q(fte__gt=0) & Q(fte__lte=1), name="person_fte_in_range"
            ),
            models.CheckConstraint(
                condition=Q(leave_date__isnull=True) | Q(leave_date__gte=F("hire_date")),
                name="person_leaves_after_hire",
            ),
            models.CheckConstraint(
                condition=Q(base_salary__isnull=True) | Q(salary_currency__isnull=False),
                name="person_salary_has_currency",
            ),
        ]
        indexes = [models.Index(fields=["primary_unit", "last_name"], name="person_unit_name")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class LineKind(models.TextChoices):
    SOLID = "solid", "Solid (primary)"
    DOTTED = "dotted", "Dotted (functional)"
    PROJECT = "project", "Project"


class ReportingLine(models.Model):
    """A person reports to a manager with a weight; per person the weights in force sum to 100."""

    person_lookup = "person"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="reporting_lines")
    manager = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="line_reports")
    kind = models.CharField(max_length=16, choices=LineKind.choices)
    unit = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reporting_lines",
        help_text="The project or unit this line belongs to, when not the person's own",
    )
    weight = models.DecimalField(max_digits=5, decimal_places=2)
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["person_id", "valid_from", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gt=0) & Q(weight__lte=100), name="line_weight_in_range"
            ),
            models.CheckConstraint(condition=~Q(person=F("manager")), name="line_not_to_self"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=F("valid_from")),
                name="line_dates_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "valid_from"], name="line_person_from"),
            models.Index(fields=["manager", "valid_from"], name="line_manager_from"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} -> {self.manager_id} ({self.kind}, {self.weight})"


class PeriodType(models.TextChoices):
    MONTH = "month", "Monthly"
    QUARTER = "quarter", "Quarterly"


class FiscalCalendar(models.Model):
    """How a legal entity cuts its fiscal year into business periods; units below it inherit it."""

    legal_entity = models.OneToOneField(
        OrgUnit, on_delete=models.CASCADE, related_name="fiscal_calendar"
    )
    year_start_month = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    period_type = models.CharField(
        max_length=16, choices=PeriodType.choices, default=PeriodType.MONTH
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(year_start_month__gte=1) & Q(year_start_month__lte=12),
                name="fiscal_start_month_in_range",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.legal_entity_id}: year from month {self.year_start_month}, {self.period_type}"
        )

    def period_of(self, day: dt.date) -> Period:
        """The fiscal period (month or quarter) holding ``day``."""
        return fiscal_period_of(day, self.year_start_month, self.period_type)

    def year_of(self, day: dt.date) -> Period:
        return fiscal_year_of(day, self.year_start_month)
