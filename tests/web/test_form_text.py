"""Page forms cannot carry text that no database can hold: Django decodes a form's bytes with
replacement, so no unpaired surrogate reaches a field, and its text fields refuse NUL
characters beside the field."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from scoreline.lib.dates import today
from scoreline.lib.strict import text_problem
from scoreline.lib.versioned import version_on
from scoreline.strategy.models import Objective, ObjectiveVersion
from tests.builders.enterprise import Enterprise
from tests.builders.kpis import nothing_written
from tests.builders.pages import ClientFor
from tests.builders.strategy_pages import StrategyWorld

FORM = {
    "code": "sales-deliver",
    "name": "Deliver every order in Sales on time",
    "perspective": "internal-process",
    "parent": "deliver",
    "contribution_weight": "3",
    "weight": "2",
    "horizon_start": "2026-01-01",
    "horizon_end": "2029-01-01",
    "effective": today().isoformat(),
    "reason": "Sales plan",
}
SURROGATE_BYTES = "%ED%A0%80"  # what UTF-8 would make of U+D800, were it allowed


def posted(description: str) -> str:
    return urlencode(FORM) + "&description=" + description


def test_the_bytes_of_a_surrogate_in_a_form_arrive_as_replacement_characters(
    enterprise: Enterprise, world_web_strategy_plain: StrategyWorld, client_for: ClientFor
) -> None:
    url = reverse("strategy:objective-new", args=[enterprise.units["SALES"].pk])

    response = client_for("manager").generic(
        "POST",
        url,
        posted(f"On time{SURROGATE_BYTES}"),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 302, response.content
    version = version_on(
        ObjectiveVersion, today(), objective=Objective.objects.get(code="sales-deliver")
    )
    assert version is not None
    assert version.description.startswith("On time\ufffd")
    assert text_problem(version.description) is None


def test_a_nul_character_in_a_form_is_refused_beside_its_field(
    enterprise: Enterprise, world_web_strategy_plain: StrategyWorld, client_for: ClientFor
) -> None:
    url = reverse("strategy:objective-new", args=[enterprise.units["SALES"].pk])

    with nothing_written():
        response = client_for("manager").generic(
            "POST", url, posted("On%00time"), content_type="application/x-www-form-urlencoded"
        )

    assert response.status_code == 400
    assert 'data-field="description">Null characters are not allowed.' in response.content.decode()
