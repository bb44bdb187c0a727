"""Tests for scoreline.engine.status."""

import doctest
import json
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from scoreline.engine import status
from scoreline.engine.errors import EngineInputError
from scoreline.engine.status import Basis, Comparison, evaluate_status, evaluate_status_grouped

NAN = float("nan")
RED, AMBER, GREEN, NO_DATA = 0, 1, 2, 3

#: The default scheme: at least 100% of target is green, at least 90% amber, else red.
RAG: dict[str, Any] = {
    "rule_basis": [Basis.PERCENT_OF_TARGET, Basis.PERCENT_OF_TARGET],
    "rule_comparison": [Comparison.GE, Comparison.GE],
    "rule_bound": [100.0, 90.0],
    "rule_bound_upper": [NAN, NAN],
    "rule_status": [GREEN, AMBER],
    "fallback": RED,
}


def _rules(*rules: tuple[Basis, Comparison, float, float, int]) -> dict[str, Any]:
    basis, comparison, bound, upper, status_ = zip(*rules, strict=True)
    return {
        "rule_basis": list(basis),
        "rule_comparison": list(comparison),
        "rule_bound": list(bound),
        "rule_bound_upper": list(upper),
        "rule_status": list(status_),
    }


def test_the_docstring_examples_run() -> None:
    result = doctest.testmod(status, raise_on_error=False)
    assert result.attempted > 3
    assert result.failed == 0


# ---------------------------------------------------------------------------
# The default red / amber / green scheme


def test_the_default_scheme_turns_at_100_and_90_percent_of_target() -> None:
    values = [120.0, 100.0, 99.99, 90.0, 89.99, 0.0]
    statuses = evaluate_status(values, 100.0, NAN, **RAG)
    assert statuses.tolist() == [GREEN, GREEN, AMBER, AMBER, RED, RED]


def test_the_default_scheme_works_on_targets_per_element() -> None:
    statuses = evaluate_status([45.0, 45.0, 45.0], [40.0, 50.0, 60.0], NAN, **RAG)
    assert statuses.tolist() == [GREEN, AMBER, RED]


def test_a_missing_value_gets_the_fallback() -> None:
    assert evaluate_status([NAN], 100.0, NAN, **RAG).tolist() == [RED]


def test_a_missing_value_gets_the_dedicated_status_when_one_is_given() -> None:
    statuses = evaluate_status([NAN, 100.0], 100.0, NAN, **RAG, missing_status=NO_DATA)
    assert statuses.tolist() == [NO_DATA, GREEN]


def test_a_zero_or_negative_target_gives_no_percentage_and_so_the_fallback() -> None:
    statuses = evaluate_status([0.0, 5.0, -5.0], [0.0, 0.0, -5.0], NAN, **RAG)
    assert statuses.tolist() == [RED, RED, RED]


def test_the_caller_can_supply_its_own_percent_of_target_basis() -> None:
    # e.g. direction-aware attainment: 8 against a lower-is-better target of 10 is 120%
    statuses = evaluate_status([8.0, 8.0], 10.0, NAN, **RAG, percent_of_target=[120.0, 85.0])
    assert statuses.tolist() == [GREEN, RED]


def test_grouped_evaluation_takes_the_callers_percent_of_target_basis() -> None:
    statuses = evaluate_status_grouped(
        [8.0, 8.0],
        10.0,
        NAN,
        element_set=[1, 1],
        rule_set=[1, 1],
        percent_of_target=[95.0, 100.0],
        **RAG,
    )
    assert statuses.tolist() == [AMBER, GREEN]


def test_the_fallback_can_differ_per_element() -> None:
    rag = {**RAG, "fallback": np.array([RED, NO_DATA])}
    assert evaluate_status([10.0, 10.0], 100.0, NAN, **rag).tolist() == [RED, NO_DATA]


def test_the_result_keeps_the_shape_of_scalar_input() -> None:
    result = evaluate_status(100.0, 100.0, NAN, **RAG)
    assert result.shape == ()
    assert int(result) == GREEN


# ---------------------------------------------------------------------------
# Rule semantics


def test_the_first_matching_rule_wins() -> None:
    rules = _rules(
        (Basis.VALUE, Comparison.GE, 50.0, NAN, AMBER),
        (Basis.VALUE, Comparison.GE, 80.0, NAN, GREEN),
    )
    # 90 matches both rules; the first listed gives the status.
    assert evaluate_status([90.0], NAN, NAN, **rules, fallback=RED).tolist() == [AMBER]


def test_between_includes_the_lower_bound_and_excludes_the_upper() -> None:
    rules = _rules((Basis.VALUE, Comparison.BETWEEN, 10.0, 20.0, GREEN))
    statuses = evaluate_status([9.99, 10.0, 19.99, 20.0], NAN, NAN, **rules, fallback=RED)
    assert statuses.tolist() == [RED, GREEN, GREEN, RED]


@pytest.mark.parametrize(
    ("comparison", "expected"),
    [
        (Comparison.GE, [RED, GREEN, GREEN]),
        (Comparison.GT, [RED, RED, GREEN]),
        (Comparison.LE, [GREEN, GREEN, RED]),
        (Comparison.LT, [GREEN, RED, RED]),
    ],
)
def test_each_comparison_treats_the_bound_as_documented(
    comparison: Comparison, expected: list[int]
) -> None:
    rules = _rules((Basis.VALUE, comparison, 10.0, NAN, GREEN))
    assert evaluate_status([9.0, 10.0, 11.0], NAN, NAN, **rules, fallback=RED).tolist() == expected


def test_rules_can_read_the_score() -> None:
    rules = _rules(
        (Basis.SCORE, Comparison.GE, 66.7, NAN, GREEN),
        (Basis.SCORE, Comparison.GE, 33.3, NAN, AMBER),
    )
    statuses = evaluate_status(
        [1.0, 1.0, 1.0, 1.0], NAN, [80.0, 50.0, 10.0, NAN], **rules, fallback=RED
    )
    assert statuses.tolist() == [GREEN, AMBER, RED, RED]


def test_rules_on_different_bases_mix_in_one_set() -> None:
    rules = _rules(
        (Basis.VALUE, Comparison.LT, 0.0, NAN, RED),
        (Basis.PERCENT_OF_TARGET, Comparison.GE, 100.0, NAN, GREEN),
        (Basis.SCORE, Comparison.GE, 50.0, NAN, AMBER),
    )
    statuses = evaluate_status(
        [-1.0, 120.0, 80.0, 80.0], 100.0, [99.0, 0.0, 60.0, 40.0], **rules, fallback=NO_DATA
    )
    assert statuses.tolist() == [RED, GREEN, AMBER, NO_DATA]


def test_an_empty_batch_gives_an_empty_result() -> None:
    empty = np.array([])  # float64, as numpy builds an empty list
    assert evaluate_status(empty, empty, empty, **{**RAG, "fallback": empty}).shape == (0,)
    grouped = evaluate_status_grouped(
        empty, empty, empty, element_set=empty, rule_set=[0, 0], **{**RAG, "fallback": empty}
    )
    assert grouped.shape == (0,)


def test_no_rules_give_every_element_the_fallback() -> None:
    rules: dict[str, Any] = {
        "rule_basis": np.array([], dtype=np.int64),
        "rule_comparison": np.array([], dtype=np.int64),
        "rule_bound": np.array([]),
        "rule_bound_upper": np.array([]),
        "rule_status": np.array([], dtype=np.int64),
    }
    assert evaluate_status([1.0, NAN], NAN, NAN, **rules, fallback=RED).tolist() == [RED, RED]


# ---------------------------------------------------------------------------
# Validation


@pytest.mark.parametrize("upper", [10.0, 5.0, NAN])
def test_a_between_rule_needs_its_bound_below_its_upper_bound(upper: float) -> None:
    rules = _rules(
        (Basis.VALUE, Comparison.GE, 50.0, NAN, GREEN),
        (Basis.VALUE, Comparison.BETWEEN, 10.0, upper, AMBER),
    )
    with pytest.raises(EngineInputError, match="rule 1: BETWEEN needs bound < bound_upper"):
        evaluate_status([1.0], NAN, NAN, **rules, fallback=RED)


def test_a_rule_without_a_bound_is_refused() -> None:
    rules = _rules((Basis.VALUE, Comparison.GE, NAN, NAN, GREEN))
    with pytest.raises(EngineInputError, match=r"rule 0: no bound \(NaN\)"):
        evaluate_status([1.0], NAN, NAN, **rules, fallback=RED)


def test_an_unknown_basis_is_refused() -> None:
    rules = {**_rules((Basis.VALUE, Comparison.GE, 1.0, NAN, GREEN)), "rule_basis": [9]}
    with pytest.raises(EngineInputError, match="rule 0: unknown basis code"):
        evaluate_status([1.0], NAN, NAN, **rules, fallback=RED)


def test_an_unknown_comparison_is_refused() -> None:
    rules = {**_rules((Basis.VALUE, Comparison.GE, 1.0, NAN, GREEN)), "rule_comparison": [0]}
    with pytest.raises(EngineInputError, match="rule 0: unknown comparison code"):
        evaluate_status([1.0], NAN, NAN, **rules, fallback=RED)


def test_rule_arrays_of_different_lengths_are_refused() -> None:
    rules = {**RAG, "rule_status": [GREEN]}
    with pytest.raises(EngineInputError, match="one length"):
        evaluate_status([1.0], 1.0, NAN, **rules)


def test_element_arrays_that_do_not_broadcast_are_refused() -> None:
    with pytest.raises(EngineInputError, match="do not broadcast"):
        evaluate_status([1.0, 2.0], [1.0, 2.0, 3.0], NAN, **RAG)


def test_float_status_codes_are_refused() -> None:
    rules = {**RAG, "rule_status": [2.0, 1.0]}
    with pytest.raises(EngineInputError, match="rule_status must hold integers"):
        evaluate_status([1.0], 1.0, NAN, **rules)


# ---------------------------------------------------------------------------
# Golden: SAP Strategy Management letter grades

SAP = json.loads((Path(__file__).parent / "golden" / "sap_letter_grade_status.json").read_text())


@pytest.mark.parametrize("case", SAP["cases"], ids=[str(c) for c in SAP["cases"]])
def test_sap_letter_grade_examples_are_reproduced(case: dict[str, Any]) -> None:
    index = {name: i for i, name in enumerate(SAP["statuses"])}
    rules = SAP["rules"]
    statuses = evaluate_status(
        [case["value"]],
        [case["target"]],
        NAN,
        rule_basis=[Basis[r["basis"]] for r in rules],
        rule_comparison=[Comparison[r["comparison"]] for r in rules],
        rule_bound=[r["bound"] for r in rules],
        rule_bound_upper=[NAN if r["bound_upper"] is None else r["bound_upper"] for r in rules],
        rule_status=[index[r["status"]] for r in rules],
        fallback=index[SAP["fallback"]],
    )
    assert SAP["statuses"][int(statuses[0])] == case["expected_status"]


# ---------------------------------------------------------------------------
# Grouped rule sets


def test_grouped_rule_sets_apply_each_elements_own_rules() -> None:
    statuses = evaluate_status_grouped(
        [95.0, 95.0, 95.0, 95.0],
        100.0,
        NAN,
        element_set=[10, 20, 30, 10],
        rule_set=[20, 10, 20, 10],
        rule_basis=[Basis.PERCENT_OF_TARGET] * 4,
        rule_comparison=[Comparison.GE] * 4,
        # set 10: >= 100 green, >= 90 amber; set 20: >= 95 green, >= 80 amber
        rule_bound=[95.0, 100.0, 80.0, 90.0],
        rule_bound_upper=[NAN] * 4,
        rule_status=[GREEN, GREEN, AMBER, AMBER],
        fallback=RED,
    )
    # set 30 has no rules, so its element gets the fallback
    assert statuses.tolist() == [AMBER, GREEN, RED, AMBER]


def test_grouped_evaluation_keeps_the_order_of_rules_within_a_set() -> None:
    statuses = evaluate_status_grouped(
        [90.0],
        NAN,
        NAN,
        element_set=[1],
        rule_set=[1, 2, 1],
        rule_basis=[Basis.VALUE] * 3,
        rule_comparison=[Comparison.GE] * 3,
        rule_bound=[50.0, 0.0, 80.0],
        rule_bound_upper=[NAN] * 3,
        rule_status=[AMBER, RED, GREEN],
        fallback=RED,
    )
    assert statuses.tolist() == [AMBER]


def test_grouped_evaluation_gives_missing_values_the_dedicated_status() -> None:
    statuses = evaluate_status_grouped(
        [NAN, 200.0],
        100.0,
        NAN,
        element_set=[1, 1],
        rule_set=[1],
        rule_basis=[Basis.PERCENT_OF_TARGET],
        rule_comparison=[Comparison.GE],
        rule_bound=[100.0],
        rule_bound_upper=[NAN],
        rule_status=[GREEN],
        fallback=RED,
        missing_status=NO_DATA,
    )
    assert statuses.tolist() == [NO_DATA, GREEN]


def test_grouped_evaluation_refuses_a_rule_set_array_of_another_length() -> None:
    with pytest.raises(EngineInputError, match="rule_set must have one entry per rule"):
        evaluate_status_grouped([1.0], 1.0, NAN, element_set=[1], rule_set=[1], **RAG)


def test_grouped_evaluation_validates_its_rules() -> None:
    rules = _rules((Basis.VALUE, Comparison.BETWEEN, 5.0, 5.0, GREEN))
    with pytest.raises(EngineInputError, match="BETWEEN"):
        evaluate_status_grouped([1.0], NAN, NAN, element_set=[1], rule_set=[1], **rules, fallback=0)


bounds = st.sampled_from([-10.0, 0.0, 10.0, 50.0, 90.0, 100.0, 110.0])


@st.composite
def rule_sets(draw: st.DrawFn) -> dict[str, npt.NDArray[Any]]:
    """Interleaved rules of up to four sets, each rule valid."""
    n = draw(st.integers(0, 12))
    rows = []
    for _ in range(n):
        comparison = draw(st.sampled_from(list(Comparison)))
        bound = draw(bounds)
        upper = (
            bound + draw(st.sampled_from([5.0, 20.0])) if comparison == Comparison.BETWEEN else NAN
        )
        rows.append(
            (
                draw(st.integers(0, 3)),
                draw(st.sampled_from(list(Basis))),
                comparison,
                bound,
                upper,
                draw(st.integers(0, 5)),
            )
        )
    cols = list(zip(*rows, strict=True)) if rows else [()] * 6
    return {
        "rule_set": np.array(cols[0], dtype=np.int64),
        "rule_basis": np.array(cols[1], dtype=np.int64),
        "rule_comparison": np.array(cols[2], dtype=np.int64),
        "rule_bound": np.array(cols[3], dtype=np.float64),
        "rule_bound_upper": np.array(cols[4], dtype=np.float64),
        "rule_status": np.array(cols[5], dtype=np.int64),
    }


element_numbers = st.one_of(st.just(NAN), st.sampled_from([-10.0, 0.0, 10.0, 50.0, 95.0, 100.0]))


@settings(max_examples=200)
@given(
    rule_sets(),
    st.lists(
        st.tuples(st.integers(0, 4), element_numbers, element_numbers, element_numbers),
        min_size=1,
        max_size=20,
    ),
    st.one_of(st.none(), st.just(NO_DATA)),
)
def test_grouped_evaluation_equals_evaluating_each_set_alone(
    rules: dict[str, npt.NDArray[Any]],
    elements: list[tuple[int, float, float, float]],
    missing_status: int | None,
) -> None:
    sets = np.array([e[0] for e in elements], dtype=np.int64)
    values, targets, scores = (np.array([e[i] for e in elements]) for i in (1, 2, 3))
    grouped = evaluate_status_grouped(
        values,
        targets,
        scores,
        element_set=sets,
        **rules,
        fallback=RED,
        missing_status=missing_status,
    )
    for set_id in np.unique(sets):
        mine = sets == set_id
        own = rules["rule_set"] == set_id
        alone = evaluate_status(
            values[mine],
            targets[mine],
            scores[mine],
            rule_basis=rules["rule_basis"][own],
            rule_comparison=rules["rule_comparison"][own],
            rule_bound=rules["rule_bound"][own],
            rule_bound_upper=rules["rule_bound_upper"][own],
            rule_status=rules["rule_status"][own],
            fallback=RED,
            missing_status=missing_status,
        )
        np.testing.assert_array_equal(grouped[mine], alone)


@given(st.lists(st.one_of(st.just(NAN), st.floats(-1e6, 1e6)), min_size=1, max_size=30))
def test_a_missing_basis_never_matches_a_rule(values: list[float]) -> None:
    rules = _rules(
        (Basis.VALUE, Comparison.GE, -np.inf, NAN, GREEN),
        (Basis.VALUE, Comparison.LE, np.inf, NAN, AMBER),
    )
    statuses = evaluate_status(values, NAN, NAN, **rules, fallback=RED)
    np.testing.assert_array_equal(statuses == RED, np.isnan(values))


edge_numbers = st.one_of(
    st.sampled_from([-np.inf, np.inf, 0.0, -0.0, 1.0, np.nextafter(1.0, 2.0)]),
    st.floats(-1e300, 1e300),
)


@given(
    st.lists(st.one_of(edge_numbers, st.just(NAN)), min_size=1, max_size=20),
    st.sampled_from(list(Comparison)),
    edge_numbers,
    st.floats(0.0, 1e300, exclude_min=True),
)
@example([np.inf, 1.0], Comparison.GT, np.inf, 1.0)
@example([-np.inf, 1.0], Comparison.LT, -np.inf, 1.0)
@example([np.inf], Comparison.BETWEEN, 0.0, np.inf)
def test_each_comparison_matches_the_plain_comparison_even_at_infinity(
    values: list[float], comparison: Comparison, bound: float, width: float
) -> None:
    upper = bound + width if comparison == Comparison.BETWEEN else NAN
    # bound + width may round back to bound (or bound be infinite): not a valid rule
    assume(comparison != Comparison.BETWEEN or bound < upper)
    x = np.array(values)
    expected = {
        Comparison.GE: x >= bound,
        Comparison.GT: x > bound,
        Comparison.LE: x <= bound,
        Comparison.LT: x < bound,
        Comparison.BETWEEN: (x >= bound) & (x < upper),
    }[comparison]
    rules = _rules((Basis.VALUE, comparison, bound, upper, GREEN))
    statuses = evaluate_status(x, NAN, NAN, **rules, fallback=RED)
    np.testing.assert_array_equal(statuses == GREEN, expected)
    grouped = evaluate_status_grouped(
        x,
        NAN,
        NAN,
        element_set=np.zeros(x.size, dtype=np.int64),
        rule_set=[0],
        **rules,
        fallback=RED,
    )
    np.testing.assert_array_equal(grouped, statuses)
