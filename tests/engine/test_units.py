from __future__ import annotations

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoreline.engine import units as units_module
from scoreline.engine.errors import EngineInputError
from scoreline.engine.formulas import parse_formula
from scoreline.engine.units import (
    DIMENSIONLESS_UNITS,
    UnitError,
    check_unit,
    format_unit,
    infer_unit,
    parse_unit,
)

UNITS = {
    "revenue": "EUR",
    "cost": "EUR",
    "cost_usd": "USD",
    "headcount": "count",
    "fte": "FTE",
    "done": "count",
    "planned": "count",
    "share": "%",
    "ratio": "ratio",
    "nps": "score",
    "lead_time": "days",
    "overtime": "hours",
    "emissions": "tCO2e",
    "energy": "kWh",
    "area": "m^2",
    "intensity": "tCO2e/EUR",
    "unitless": "",
}


def test_the_module_examples_run() -> None:
    assert doctest.testmod(units_module).failed == 0


@pytest.mark.parametrize(
    ("unit", "dims"),
    [
        ("EUR", {"EUR": 1}),
        (" EUR ", {"EUR": 1}),
        ("EUR/count", {"EUR": 1, "count": -1}),
        ("count/FTE", {"count": 1, "FTE": -1}),
        ("tCO2e/EUR", {"tCO2e": 1, "EUR": -1}),
        ("kWh", {"kWh": 1}),
        ("m^2", {"m": 2}),
        ("s^-1", {"s": -1}),
        ("1/day", {"day": -1}),
        ("EUR/(count*FTE)", {"EUR": 1, "count": -1, "FTE": -1}),
        ("EUR / count * FTE", {"EUR": 1, "count": -1, "FTE": -1}),
        ("kg*m^2/s^2", {"kg": 1, "m": 2, "s": -2}),
        ("EUR/EUR", {}),
        ("%/day", {"day": -1}),
        ("°C", {"°C": 1}),
        ("%", {}),
        ("ratio", {}),
        ("score", {}),
        ("", {}),
    ],
)
def test_unit_strings_read_into_dimension_maps(unit: str, dims: dict[str, int]) -> None:
    assert parse_unit(unit) == dims


def test_every_dimensionless_unit_has_no_dimension() -> None:
    assert {"", "%", "ratio", "score"} == DIMENSIONLESS_UNITS
    assert all(parse_unit(unit) == {} for unit in DIMENSIONLESS_UNITS)


@pytest.mark.parametrize(
    ("unit", "message"),
    [
        ("EUR/count/FTE", "more than one '/'"),
        ("EUR*", "empty factor"),
        ("/count", "empty factor"),
        ("EUR^x", "unreadable factor"),
        ("EUR^", "unreadable factor"),
        ("100/EUR", "a number '100' where a unit belongs"),
    ],
)
def test_an_unreadable_unit_is_refused(unit: str, message: str) -> None:
    with pytest.raises(UnitError, match=message):
        parse_unit(unit)


def test_a_unit_that_is_not_text_is_refused() -> None:
    with pytest.raises(UnitError, match="must be text"):
        parse_unit(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("dims", "unit"),
    [
        ({"count": -1, "EUR": 1}, "EUR/count"),
        ({"EUR": 1}, "EUR"),
        ({"day": -1}, "1/day"),
        ({"m": 2, "s": -2, "kg": 1}, "kg*m^2/s^2"),
        ({"EUR": 1, "count": -1, "FTE": -1}, "EUR/FTE*count"),
        ({"EUR": 0}, ""),
        ({}, ""),
    ],
)
def test_dimension_maps_are_written_canonically(dims: dict[str, int], unit: str) -> None:
    assert format_unit(dims) == unit


@given(
    st.dictionaries(
        st.sampled_from(["EUR", "count", "FTE", "m", "kWh", "tCO2e", "days"]),
        st.integers(-4, 4),
    )
)
def test_writing_then_reading_a_unit_gives_back_its_dimensions(dims: dict[str, int]) -> None:
    written = format_unit(dims)

    assert parse_unit(written) == {name: power for name, power in dims.items() if power}
    assert format_unit(parse_unit(written)) == written


# --- inference: golden examples ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("revenue / headcount", "EUR/count"),
        ("headcount / fte", "count/FTE"),
        ("revenue - cost", "EUR"),
        ("(revenue - cost) / revenue * 100", ""),
        ("done / planned", ""),
        ("emissions / revenue * 1000", "tCO2e/EUR"),
        ("intensity * revenue", "tCO2e"),
        ("emissions / energy", "tCO2e/kWh"),
        ("revenue + 1", "EUR"),
        ("1 - revenue", "EUR"),
        ("2 * revenue - 3 * cost", "EUR"),
        ("-revenue", "EUR"),
        ("revenue * revenue", "EUR^2"),
        ("revenue ** 2", "EUR^2"),
        ("revenue ** -1", "1/EUR"),
        ("area ** 0.5", "m"),
        ("sqrt(area)", "m"),
        ("sqrt(revenue * cost)", "EUR"),
        ("revenue ** 0", ""),
        ("1 / lead_time", "1/days"),
        ("abs(revenue - cost)", "EUR"),
        ("round(revenue, 2)", "EUR"),
        ("max(revenue, 0)", "EUR"),
        ("min(revenue, cost, 100)", "EUR"),
        ("clip(share, 0, 100)", ""),
        ("coalesce(revenue, cost, 0)", "EUR"),
        ("where(revenue > cost, revenue - cost, 0)", "EUR"),
        ("where(lead_time > 5, revenue, cost)", "EUR"),
        ("where(headcount, revenue / headcount, 0)", "EUR/count"),
        ("revenue > cost", ""),
        ("0 < share <= 100", ""),
        ("log(ratio) + exp(nps / 100)", ""),
        ("log(revenue / cost)", ""),
        ("share + ratio + nps + unitless", ""),
        ("(1 + ratio) ** (nps / 10)", ""),
        ("100", ""),
        ("2 * (3 + 4)", ""),
    ],
)
def test_the_unit_of_a_formula_follows_dimensional_analysis(text: str, unit: str) -> None:
    assert infer_unit(parse_formula(text), UNITS) == unit


# --- inference: refusals ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("revenue + cost_usd", "cannot add EUR and USD (col 9)"),
        ("revenue - headcount", "cannot subtract EUR and count (col 9)"),
        ("lead_time + overtime", "cannot add days and hours (col 11)"),
        ("revenue / headcount + revenue", "cannot add EUR/count and EUR (col 21)"),
        ("revenue + share", "cannot add EUR and dimensionless (col 9)"),
        ("revenue > headcount", "cannot compare EUR and count (col 9)"),
        ("0 < revenue < headcount", "cannot compare EUR and count (col 3)"),
        ("max(revenue, cost_usd)", "max() needs one unit, got EUR and USD (col 1)"),
        ("min(0, revenue, lead_time)", "min() needs one unit, got EUR and days"),
        ("clip(revenue, 0, headcount)", "clip() needs one unit, got EUR and count"),
        ("coalesce(revenue, cost_usd)", "coalesce() needs one unit, got EUR and USD"),
        (
            "1 + where(share > 1, revenue, cost_usd)",
            "where() needs one unit, got EUR and USD (col 5)",
        ),
        ("where(revenue > headcount, 1, 0)", "cannot compare EUR and count (col 15)"),
        ("sqrt(revenue)", "sqrt() of EUR has no whole unit (col 1)"),
        ("revenue ** 0.5", "EUR ** 0.5 does not give whole exponents (col 9)"),
        ("log(revenue)", "log() needs a dimensionless argument, got EUR (col 1)"),
        ("exp(lead_time)", "exp() needs a dimensionless argument, got days"),
        ("revenue ** ratio", "EUR can only be raised to a number literal (col 9)"),
        ("ratio ** revenue", "an exponent must be dimensionless, got EUR (col 7)"),
        ("revenue ** (1 + 1)", "EUR can only be raised to a number literal"),
    ],
)
def test_a_formula_whose_units_do_not_fit_is_refused_naming_both(text: str, message: str) -> None:
    with pytest.raises(UnitError) as caught:
        infer_unit(parse_formula(text), UNITS)

    assert message in str(caught.value)
    assert isinstance(caught.value, EngineInputError)


def test_a_code_without_a_unit_is_refused() -> None:
    with pytest.raises(UnitError, match=r"needs a unit for 'mystery', 'other'"):
        infer_unit(parse_formula("revenue + mystery * other"), UNITS)


def test_a_code_with_an_unreadable_unit_is_refused() -> None:
    with pytest.raises(UnitError, match="more than one '/'"):
        infer_unit(parse_formula("x"), {"x": "a/b/c"})


# --- check against the declared unit -----------------------------------------------------


@pytest.mark.parametrize("declared", ["%", "ratio", "score", ""])
def test_a_dimensionless_result_fits_every_dimensionless_unit(declared: str) -> None:
    check_unit(parse_formula("done / planned"), UNITS, declared)


@pytest.mark.parametrize(
    ("text", "declared"),
    [
        ("revenue / headcount", "EUR/count"),
        ("revenue / headcount", " EUR / count "),
        ("emissions / revenue", "tCO2e/EUR"),
        ("headcount / fte", "count/FTE"),
        ("revenue - cost", "EUR"),
        ("100", "EUR"),
        ("100", "%"),
    ],
)
def test_a_formula_fits_the_unit_it_produces(text: str, declared: str) -> None:
    check_unit(parse_formula(text), UNITS, declared)


@pytest.mark.parametrize(
    ("text", "declared", "message"),
    [
        (
            "revenue / fte",
            "EUR",
            "formula 'revenue / fte' gives EUR/FTE, but the KPI's unit is 'EUR'",
        ),
        ("done / planned", "count", "gives dimensionless, but the KPI's unit is 'count'"),
        ("revenue", "%", "gives EUR, but the KPI's unit is '%'"),
        ("revenue", "USD", "gives EUR, but the KPI's unit is 'USD'"),
    ],
)
def test_a_formula_that_does_not_give_the_declared_unit_is_refused(
    text: str, declared: str, message: str
) -> None:
    with pytest.raises(UnitError) as caught:
        check_unit(parse_formula(text), UNITS, declared)

    assert message in str(caught.value)


def test_an_unreadable_declared_unit_is_refused() -> None:
    with pytest.raises(UnitError, match="empty factor"):
        check_unit(parse_formula("100"), UNITS, "EUR*")


def test_check_unit_reports_unit_clashes_inside_the_formula() -> None:
    with pytest.raises(UnitError, match="cannot add EUR and USD"):
        check_unit(parse_formula("revenue + cost_usd"), UNITS, "EUR")
