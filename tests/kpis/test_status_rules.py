from __future__ import annotations

import datetime as dt

import pytest

from scoreline.kpis.defaults import DEFAULTS_FROM
from scoreline.kpis.models import StatusRule
from scoreline.kpis.validation import RuleSpec
from scoreline.lib.dates import effective_on
from scoreline.lib.errors import AccessDenied, Invalid
from scoreline.scoring.actions.definitions import do_set_status_rules
from tests.builders.enterprise import Enterprise
from tests.builders.kpis import DAY, MakeKpi, MakePeriod, events, nothing_written

pytestmark = pytest.mark.django_db

LATER = dt.date(2025, 6, 1)

TWO_RULES = [
    RuleSpec("percent_of_target", "ge", "green", bound=95.0),
    RuleSpec("value", "otherwise", "red"),
]
THREE_RULES = [
    RuleSpec("score", "ge", "green", bound=80.0),
    RuleSpec("score", "between", "amber", bound=50.0, bound_upper=80.0),
    RuleSpec("value", "otherwise", "red"),
]


def rules_on(kpi_id: int | None, day: dt.date) -> list[tuple[str, str, float | None, str]]:
    rows = StatusRule.objects.filter(effective_on(day))
    rows = rows.filter(kpi__isnull=True) if kpi_id is None else rows.filter(kpi_id=kpi_id)
    rows = rows.order_by("position")
    return [(r.basis, r.comparison, r.bound, r.status.code) for r in rows]


def test_a_kpi_gets_its_own_ordered_rule_set(enterprise: Enterprise, make_kpi: MakeKpi) -> None:
    kpi = make_kpi("revenue")
    rules = do_set_status_rules(enterprise.users["steward"], kpi, THREE_RULES, effective=DAY)
    assert rules is not None and [rule.position for rule in rules] == [0, 1, 2]
    assert rules_on(kpi.pk, DAY) == [
        ("score", "ge", 80.0, "green"),
        ("score", "between", 50.0, "amber"),
        ("value", "otherwise", None, "red"),
    ]
    (event,) = events("status_rules.set")
    assert event.before == {"rules": []} and event.after is not None
    assert len(event.after["rules"]) == 3


def test_replacing_a_rule_set_replaces_every_rule_from_its_day(
    enterprise: Enterprise, make_kpi: MakeKpi
) -> None:
    kpi = make_kpi("revenue")
    steward = enterprise.users["steward"]
    do_set_status_rules(steward, kpi, THREE_RULES, effective=DAY)
    do_set_status_rules(steward, kpi, TWO_RULES, effective=LATER)
    assert len(rules_on(kpi.pk, DAY)) == 3
    assert rules_on(kpi.pk, LATER) == [
        ("percent_of_target", "ge", 95.0, "green"),
        ("value", "otherwise", None, "red"),
    ]
    with nothing_written():
        assert do_set_status_rules(steward, kpi, TWO_RULES, effective=LATER) is None


def test_the_default_set_is_replaced_when_no_kpi_is_named(enterprise: Enterprise) -> None:
    assert len(rules_on(None, DAY)) == 3
    do_set_status_rules(enterprise.users["steward"], None, TWO_RULES, effective=LATER)
    assert len(rules_on(None, DEFAULTS_FROM)) == 3
    assert rules_on(None, LATER)[0] == ("percent_of_target", "ge", 95.0, "green")


@pytest.mark.parametrize(
    ("rules", "field"),
    [
        ([], "rules"),
        ([RuleSpec("value", "ge", "green", bound=1.0)], "rules[0].comparison"),
        (
            [RuleSpec("value", "otherwise", "red"), RuleSpec("value", "ge", "green", bound=1.0)],
            "rules[0].comparison",
        ),
        (
            [RuleSpec("value", "otherwise", "red"), RuleSpec("value", "otherwise", "amber")],
            "rules[0].comparison",
        ),
        (
            [
                RuleSpec("score", "between", "amber", bound=80.0, bound_upper=50.0),
                RuleSpec("value", "otherwise", "red"),
            ],
            "rules[0].bound_upper",
        ),
        (
            [
                RuleSpec("score", "between", "amber", bound=50.0, bound_upper=50.0),
                RuleSpec("value", "otherwise", "red"),
            ],
            "rules[0].bound_upper",
        ),
        (
            [
                RuleSpec("score", "between", "amber", bound=50.0),
                RuleSpec("value", "otherwise", "red"),
            ],
            "rules[0].bound_upper",
        ),
        (
            [RuleSpec("score", "ge", "green"), RuleSpec("value", "otherwise", "red")],
            "rules[0].bound",
        ),
        (
            [
                RuleSpec("score", "ge", "green", bound=float("nan")),
                RuleSpec("value", "otherwise", "red"),
            ],
            "rules[0].bound",
        ),
        (
            [RuleSpec("score", "ge", "purple", bound=1.0), RuleSpec("value", "otherwise", "red")],
            "rules[0].status",
        ),
        (
            [RuleSpec("mood", "ge", "green", bound=1.0), RuleSpec("value", "otherwise", "red")],
            "rules[0].basis",
        ),
        ([RuleSpec("value", "otherwise", "red", bound=3.0)], "rules[0].bound"),
    ],
)
def test_a_bad_rule_set_is_refused_naming_the_rule(
    enterprise: Enterprise, make_kpi: MakeKpi, rules: list[RuleSpec], field: str
) -> None:
    kpi = make_kpi("revenue")
    with nothing_written(), pytest.raises(Invalid) as error:
        do_set_status_rules(enterprise.users["steward"], kpi, rules, effective=DAY)
    assert field in error.value.fields, error.value.message


@pytest.mark.parametrize("persona", ["ceo", "manager", "employee", "outsider"])
def test_status_rules_need_the_edit_kpi_right(
    enterprise: Enterprise, make_kpi: MakeKpi, persona: str
) -> None:
    kpi = make_kpi("revenue")
    with nothing_written(), pytest.raises(AccessDenied):
        do_set_status_rules(enterprise.users[persona], kpi, TWO_RULES, effective=DAY)
    with nothing_written(), pytest.raises(AccessDenied):
        do_set_status_rules(enterprise.users[persona], None, TWO_RULES, effective=LATER)


def test_setting_rules_in_an_open_period_needs_a_change_request_first_set_included(
    enterprise: Enterprise, make_kpi: MakeKpi, make_period: MakePeriod
) -> None:
    kpi = make_kpi("revenue")
    other = make_kpi("costs")
    steward = enterprise.users["steward"]
    do_set_status_rules(steward, kpi, THREE_RULES, effective=DAY)
    make_period("FY2025", dt.date(2025, 1, 1), dt.date(2026, 1, 1))
    for subject in (kpi, None):
        with nothing_written(), pytest.raises(Invalid) as error:
            do_set_status_rules(steward, subject, TWO_RULES, effective=LATER)
        assert error.value.code == "change_request_required"
    # A KPI's first own set recolours its months as much as a revision: governed too.
    with nothing_written(), pytest.raises(Invalid) as error:
        do_set_status_rules(steward, other, TWO_RULES, effective=LATER)
    assert error.value.code == "change_request_required"
