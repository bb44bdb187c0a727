from __future__ import annotations

import pytest
from django.test import Client

from scoreline.audit.models import AuditEvent
from scoreline.demo.build import DEMO_BUILD_ACTION
from scoreline.demo.command import DEFAULT_PASSWORD, run_demo
from scoreline.org.models import OrgUnit, Person
from tests.builders.enterprise import Enterprise
from tests.builders.worlds import WORLDS

EMPLOYEES, SEED = 300, 11

# The demo a first run builds is built once for the tests that start from it; they stay on
# one test process.
pytestmark = pytest.mark.xdist_group("demo-command")


def demo(employees: int = EMPLOYEES, seed: int = SEED) -> int:
    return run_demo(employees=employees, seed=seed, serve=False, host="127.0.0.1", port=8000)


def _first_run(_: None) -> None:
    assert demo() == 0


world_demo_command = WORLDS.fixture("demo_command", _first_run)


@pytest.mark.django_db
def test_the_first_run_builds_the_demo_and_prints_the_logins(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SCORELINE_DEMO_PASSWORD", raising=False)
    assert demo() == 0
    output = capsys.readouterr().out
    assert "Building the demo enterprise" in output
    for login in ["admin", "ceo", "hr", "comp", "manager", "steward", "employee"]:
        assert login in output
    assert DEFAULT_PASSWORD in output
    assert Person.objects.count() == EMPLOYEES
    assert Client().login(username="manager", password=DEFAULT_PASSWORD)


@pytest.mark.usefixtures("world_demo_command")  # the first run
def test_a_second_run_reuses_the_database_without_building_again(
    capsys: pytest.CaptureFixture[str],
) -> None:
    units = list(OrgUnit.objects.values_list("pk", flat=True))
    capsys.readouterr()
    assert demo() == 0
    output = capsys.readouterr().out
    assert "Reusing the demo database at" in output
    assert "Building" not in output
    assert list(OrgUnit.objects.values_list("pk", flat=True)) == units
    assert AuditEvent.objects.filter(action=DEMO_BUILD_ACTION).count() == 1


@pytest.mark.usefixtures("world_demo_command")  # the first run
def test_a_run_with_other_parameters_says_so_and_keeps_the_existing_demo(
    capsys: pytest.CaptureFixture[str],
) -> None:
    capsys.readouterr()
    assert demo(employees=500, seed=SEED + 1) == 0
    output = " ".join(capsys.readouterr().out.split())
    assert f"built with --employees {EMPLOYEES} --seed {SEED}" in output
    assert f"not the --employees 500 --seed {SEED + 1}" in output
    assert Person.objects.count() == EMPLOYEES


@pytest.mark.django_db
def test_the_password_comes_from_the_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCORELINE_DEMO_PASSWORD", "another-demo-secret")
    demo()
    assert "another-demo-secret" in capsys.readouterr().out
    assert Client().login(username="ceo", password="another-demo-secret")
    assert not Client().login(username="ceo", password=DEFAULT_PASSWORD)


def test_an_organisation_not_built_by_the_demo_is_left_as_it_is(
    enterprise: Enterprise, capsys: pytest.CaptureFixture[str]
) -> None:
    people = Person.objects.count()
    assert demo() == 0
    assert "did not build" in capsys.readouterr().out
    assert Person.objects.count() == people
    assert not AuditEvent.objects.filter(action=DEMO_BUILD_ACTION).exists()
