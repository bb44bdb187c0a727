"""The one list of capabilities and the built-in roles that bundle them."""

from __future__ import annotations

from django.db import models

__all__ = ["BUILTIN_ROLES", "SELF_SERVICE", "Capability", "FieldClass"]


class Capability(models.TextChoices):
    VIEW_ORG = "view_org", "See the organisation structure"
    VIEW_PEOPLE = "view_people", "See people's records"
    VIEW_PAY = "view_pay", "See pay"
    VIEW_RATINGS = "view_ratings", "See performance ratings"
    VIEW_POTENTIAL = "view_potential", "See potential assessments"
    VIEW_PROTECTED = "view_protected", "See protected attributes (gender, date of birth)"
    MANAGE_ORG = "manage_org", "Change units, people and reporting lines"
    MANAGE_ACCESS = "manage_access", "Grant and revoke roles"
    EDIT_STRATEGY = "edit_strategy", "Edit objectives, the strategy map and workshops"
    EDIT_KPI = "edit_kpi", "Edit KPI definitions and targets"
    ENTER_VALUES = "enter_values", "Enter and correct KPI values"
    APPROVE_CHANGE = "approve_change", "Approve change requests"
    MANAGE_CYCLE = "manage_cycle", "Run review and pay cycles"
    MANAGE_PAY = "manage_pay", "Change pay and merit budgets"
    VIEW_AUDIT = "view_audit", "Read the audit trail"
    ADMINISTER = "administer", "Administer the system"


class FieldClass(models.TextChoices):
    """Sensitive groups of fields, each shown only with its capability (pages, exports and API)."""

    PAY = "pay", "Pay"
    RATINGS = "ratings", "Ratings"
    POTENTIAL = "potential", "Potential"
    PROTECTED = "protected", "Protected attributes"

    @property
    def capability(self) -> Capability:
        return _FIELD_CLASS_CAPABILITY[self]


_FIELD_CLASS_CAPABILITY = {
    FieldClass.PAY: Capability.VIEW_PAY,
    FieldClass.RATINGS: Capability.VIEW_RATINGS,
    FieldClass.POTENTIAL: Capability.VIEW_POTENTIAL,
    FieldClass.PROTECTED: Capability.VIEW_PROTECTED,
}

C = Capability
# What everybody holds over their own record.
SELF_SERVICE = frozenset({C.VIEW_PEOPLE, C.VIEW_PAY, C.VIEW_RATINGS, C.VIEW_PROTECTED})

# code -> (name, capabilities). Installed by a migration; administrators may add roles.
BUILTIN_ROLES: dict[str, tuple[str, frozenset[Capability]]] = {
    "administrator": ("Administrator", frozenset(Capability)),
    "executive": (
        "Executive",
        frozenset(
            {
                C.VIEW_ORG,
                C.VIEW_PEOPLE,
                C.VIEW_PAY,
                C.VIEW_RATINGS,
                C.VIEW_POTENTIAL,
                C.APPROVE_CHANGE,
                C.EDIT_STRATEGY,
            }
        ),
    ),
    "hr_partner": (
        "HR partner",
        frozenset(
            {
                C.VIEW_ORG,
                C.VIEW_PEOPLE,
                C.VIEW_RATINGS,
                C.VIEW_POTENTIAL,
                C.VIEW_PROTECTED,
                C.MANAGE_ORG,
                C.MANAGE_CYCLE,
            }
        ),
    ),
    "compensation_manager": (
        "Compensation manager",
        frozenset({C.VIEW_ORG, C.VIEW_PEOPLE, C.VIEW_PAY, C.VIEW_RATINGS, C.MANAGE_PAY}),
    ),
    "manager": (
        "Manager",
        frozenset({C.VIEW_ORG, C.VIEW_PEOPLE, C.VIEW_RATINGS, C.VIEW_POTENTIAL, C.EDIT_STRATEGY}),
    ),
    "data_steward": ("Data steward", frozenset({C.VIEW_ORG, C.EDIT_KPI, C.ENTER_VALUES})),
    "analyst": ("Analyst", frozenset({C.VIEW_ORG})),
    "employee": ("Employee", frozenset({C.VIEW_ORG})),
}
