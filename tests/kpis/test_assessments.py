from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User

from scoreline.access.actions import do_grant_role
from scoreline.access.capabilities import Capability
from scoreline.access.models import Role, RoleCapability
from scoreline.kpis.models import Assessment, Kpi, KpiValue, Rubric, RubricLevel
from scoreline.kpis.validation import LevelSpec
from scoreline.lib.errors import AccessDenied, Invalid
from scoreline.scoring.actions.definitions import do_save_rubric
from scoreline.scoring.actions.values import do_record_assessment
from tests.builders.enterprise import Enterprise
from tests.builders.kpis import MONTH, MakeKpi, events, nothing_written

pytestmark = pytest.mark.django_db

LEVELS = [
    LevelSpec(1, "Rarely", "Avoids decisions and waits to be told"),
    LevelSpec(2, "Sometimes", "Decides within their own tasks"),
    LevelSpec(3, "Often", "Makes decisions for the team and explains them"),
    LevelSpec(4, "Always", "Sets direction others follow"),
]


def save_rubric(enterprise: Enterprise, actor: str = "steward", **fields: Any) -> Rubric:
    values: dict[str, Any] = {"code": "leadership", "name": "Leadership", "levels": LEVELS}
    return do_save_rubric(enterprise.users[actor], **(values | fields))


@pytest.fixture
def leadership(enterprise: Enterprise, make_kpi: MakeKpi) -> Kpi:
    rubric = save_rubric(enterprise)
    return make_kpi(
        "leadership",
        kind="qualitative",
        scoring="rubric",
        rubric=rubric,
        time_aggregation="average",
    )


def assess(
    enterprise: Enterprise,
    kpi: Kpi,
    level: Any,
    *,
    actor: str = "steward",
    person: str | None = "employee",
    unit: str | None = None,
    rater: str | None = None,
    evidence: str = "Ran the quarterly planning",
    period: dt.date = MONTH,
) -> Assessment:
    return do_record_assessment(
        enterprise.users[actor],
        kpi,
        period=period,
        level=level,
        evidence=evidence,
        unit=enterprise.units[unit] if unit else None,
        person=enterprise.people[person] if person else None,
        rater=enterprise.people[rater] if rater else None,
    )


def test_a_rubric_is_saved_with_anchored_levels_scored_evenly(enterprise: Enterprise) -> None:
    rubric = save_rubric(enterprise)
    levels = list(RubricLevel.objects.filter(rubric=rubric).order_by("level"))
    assert [(lv.level, lv.score) for lv in levels] == [
        (1, 0.0),
        (2, 100 / 3),
        (3, 200 / 3),
        (4, 100.0),
    ]
    assert levels[3].anchor == "Sets direction others follow"
    (event,) = events("rubric.save")
    assert event.before is None and event.after is not None and len(event.after["levels"]) == 4


def test_saving_a_rubric_again_replaces_its_levels(enterprise: Enterprise) -> None:
    save_rubric(enterprise)
    scored = [
        LevelSpec(lv.level, lv.label, lv.anchor, score=s)
        for lv, s in zip(LEVELS[:3], (10.0, 60.0, 90.0), strict=True)
    ]
    rubric = save_rubric(enterprise, levels=scored)
    assert list(rubric.levels.order_by("level").values_list("score", flat=True)) == [
        10.0,
        60.0,
        90.0,
    ]
    with nothing_written():
        save_rubric(enterprise, levels=scored)


@pytest.mark.parametrize(
    ("levels", "field"),
    [
        (LEVELS[:1], "levels"),
        ([LEVELS[0], LevelSpec(3, "Often", "Decides")], "levels"),
        ([LEVELS[0], LevelSpec(2, "Sometimes", "  ")], "levels[2].anchor"),
        ([LEVELS[0], LevelSpec(2, "", "Decides")], "levels[2].label"),
        ([LevelSpec(1, "A", "a", 50.0), LevelSpec(2, "B", "b", 40.0)], "levels[2].score"),
        ([LevelSpec(1, "A", "a", 0.0), LevelSpec(2, "B", "b", 140.0)], "levels[2].score"),
        ([LevelSpec(1, "A", "a", 0.0), LevelSpec(2, "B", "b")], "levels"),
    ],
)
def test_a_bad_rubric_is_refused_naming_the_level(
    enterprise: Enterprise, levels: list[LevelSpec], field: str
) -> None:
    with nothing_written(), pytest.raises(Invalid) as error:
        save_rubric(enterprise, levels=levels)
    assert field in error.value.fields, error.value.message


@pytest.mark.parametrize("persona", ["manager", "employee", "outsider"])
def test_rubrics_need_the_edit_kpi_right(enterprise: Enterprise, persona: str) -> None:
    with nothing_written(), pytest.raises(AccessDenied):
        save_rubric(enterprise, actor=persona)


def test_an_assessment_makes_the_value_the_mean_level_with_its_lineage(
    enterprise: Enterprise, leadership: Kpi
) -> None:
    first = assess(enterprise, leadership, 2)
    assert first.rater == enterprise.people["steward"]
    second = assess(enterprise, leadership, 4, rater="manager")
    value = KpiValue.objects.get(kpi=leadership, person=enterprise.people["employee"])
    assert (value.value, value.source, value.period) == (3.0, "assessment", MONTH)
    assert value.lineage == {"assessments": [first.pk, second.pk]}
    assert len(events("assessment.record")) == 2


def test_a_rater_changing_their_level_replaces_their_assessment(
    enterprise: Enterprise, leadership: Kpi
) -> None:
    assess(enterprise, leadership, 2)
    assess(enterprise, leadership, 3, evidence="Led the reorganisation")
    assessment = Assessment.objects.get(kpi=leadership)
    assert (assessment.level, assessment.evidence) == (3, "Led the reorganisation")
    assert KpiValue.objects.get(kpi=leadership).value == 3.0
    event = events("assessment.record")[-1]
    assert event.before is not None and event.before["level"] == 2


def test_a_fractional_mean_level_is_kept_as_the_value(
    enterprise: Enterprise, leadership: Kpi
) -> None:
    assess(enterprise, leadership, 3)
    assess(enterprise, leadership, 4, rater="manager")
    assert KpiValue.objects.get(kpi=leadership).value == 3.5


def test_a_unit_can_be_assessed_too(enterprise: Enterprise, leadership: Kpi) -> None:
    assess(enterprise, leadership, 4, person=None, unit="SALES")
    assert KpiValue.objects.get(kpi=leadership, unit=enterprise.units["SALES"]).value == 4.0


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"level": 5}, "level"),
        ({"level": 0}, "level"),
        ({"level": 2.5}, "level"),
        ({"evidence": "  "}, "evidence"),
        ({"period": dt.date(2026, 3, 2)}, "period"),
    ],
)
def test_a_bad_assessment_is_refused_naming_the_field(
    enterprise: Enterprise, leadership: Kpi, fields: dict[str, Any], field: str
) -> None:
    values: dict[str, Any] = {"level": 3} | fields
    level = values.pop("level")
    with nothing_written(), pytest.raises(Invalid) as error:
        assess(enterprise, leadership, level, **values)
    assert field in error.value.fields, error.value.message


def test_only_rubric_kpis_are_assessed(
    enterprise: Enterprise, leadership: Kpi, make_kpi: MakeKpi
) -> None:
    revenue = make_kpi("revenue")
    with nothing_written(), pytest.raises(Invalid) as error:
        assess(enterprise, revenue, 3)
    assert error.value.code == "not_rated"


def test_a_rater_must_be_a_person(enterprise: Enterprise, leadership: Kpi) -> None:
    with nothing_written(), pytest.raises(Invalid) as error:
        assess(enterprise, leadership, 3, actor="admin")
    assert "rater" in error.value.fields
    assert (
        assess(enterprise, leadership, 3, actor="admin", rater="hr").rater
        == enterprise.people["hr"]
    )


def test_naming_another_rater_needs_the_edit_kpi_right(
    enterprise: Enterprise, leadership: Kpi
) -> None:
    role = Role.objects.create(code="recorder", name="Recorder")
    RoleCapability.objects.create(role=role, capability=Capability.ENTER_VALUES)
    recorder: User = enterprise.users["employee"]
    do_grant_role(enterprise.users["admin"], recorder, role, enterprise.units["SALES"])
    assert (
        assess(enterprise, leadership, 2, actor="employee", person="seller0").rater
        == (enterprise.people["employee"])
    )
    with nothing_written(), pytest.raises(AccessDenied):
        assess(enterprise, leadership, 2, actor="employee", person="seller0", rater="manager")


@pytest.mark.parametrize("persona", ["manager", "employee", "outsider"])
def test_assessing_needs_the_enter_values_right(
    enterprise: Enterprise, leadership: Kpi, persona: str
) -> None:
    with nothing_written(), pytest.raises(AccessDenied):
        assess(enterprise, leadership, 3, actor=persona, person="seller0")


def test_a_level_in_use_cannot_be_dropped_from_its_rubric(
    enterprise: Enterprise, leadership: Kpi
) -> None:
    assess(enterprise, leadership, 4)
    with nothing_written(), pytest.raises(Invalid) as error:
        save_rubric(enterprise, levels=LEVELS[:3])
    assert error.value.code == "in_use"
