"""Forms built from field specifications ask for the fields the API and the files take."""

from __future__ import annotations

import datetime as dt

from scoreline.kpis.fields import KPI, TARGET
from scoreline.lib.fields import field_names
from scoreline.web.spec_forms import spec_form, spec_initial


def test_a_target_form_has_the_target_fields_in_order_and_parses_them() -> None:
    form_class = spec_form(TARGET)
    form = form_class(
        {
            "period_end": "2027-01",
            "target_type": "stay_above",
            "threshold": "80",
            "target": "90.5",
            "stretch": "",
            "range_low": "",
            "range_high": "",
            "baseline": "",
            "phasing": "seasonal",
            "profile": "1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1",
        }
    )
    assert tuple(form.fields) == field_names(TARGET)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["period_end"] == dt.date(2027, 1, 1)
    assert (form.cleaned_data["target"], form.cleaned_data["stretch"]) == (90.5, None)
    assert form.cleaned_data["profile"][2] == 2.0


def test_bad_input_is_named_on_its_field() -> None:
    form = spec_form(TARGET)(
        {
            "period_end": "next year",
            "target_type": "somewhere",
            "target": "nan",
            "profile": "1, two",
        }
    )
    assert not form.is_valid()
    assert {"period_end", "target_type", "target", "profile"} <= set(form.errors)
    assert "finite" in form.errors["target"][0]


def test_references_offer_the_given_options_and_an_empty_choice_when_optional() -> None:
    people = [("E1", "Ada Lovelace (E1)")]
    form = spec_form(KPI, {"person": people})(initial=spec_initial({"owner": "E1"}, KPI))
    assert list(form.fields["owner"].choices) == [("", "—"), *people]  # type: ignore[attr-defined]
    assert form.initial["owner"] == "E1"
    assert form.initial["band_edges"] == []
