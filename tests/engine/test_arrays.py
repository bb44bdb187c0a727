"""Engine inputs as float arrays: numbers pass through, anything else is refused by name."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoreline.engine import aggregation, arrays, phasing, rollup, scoring, status
from scoreline.engine.arrays import as_floats
from scoreline.engine.errors import EngineInputError


def test_the_examples_run() -> None:
    assert doctest.testmod(arrays).failed == 0


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=20))
def test_numbers_pass_through_unchanged(values: list[float]) -> None:
    array = np.array(values, dtype=np.float64)
    converted = as_floats(values, "values")
    assert converted.dtype == np.float64 and converted.tobytes() == array.tobytes()
    assert as_floats(array, "values") is array


def test_the_refusal_names_the_argument_and_quotes_the_reason_unless_told_not_to() -> None:
    with pytest.raises(EngineInputError, match=r"^weights must be numbers: could not convert"):
        as_floats(["heavy"], "weights")
    with pytest.raises(EngineInputError, match=r"^weights must be numeric$"):
        as_floats(["heavy"], "weights", cause=False)


def test_too_many_dimensions_are_refused_when_a_limit_is_given() -> None:
    assert as_floats([[1.0]], "share", max_ndim=2).shape == (1, 1)
    with pytest.raises(EngineInputError, match=r"^share must have at most 1 dimensions$"):
        as_floats([[1.0]], "share", max_ndim=1)


def test_each_engine_module_keeps_its_own_wording() -> None:
    with pytest.raises(EngineInputError, match=r"^values must be numeric$"):
        scoring.score_linear(["x"], 0.0, 1.0)
    with pytest.raises(EngineInputError, match=r"^profile must be numbers: "):
        phasing.profile_shares(["x"], 1)
    with pytest.raises(EngineInputError, match=r"^values must be 1-D or 2-D, got shape \(\)$"):
        aggregation.aggregate_time(1.0, np.array([0]), 1, aggregation.TimeAggregation.SUM)
    plan = rollup.RollupPlan(1, np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    with pytest.raises(EngineInputError, match=r"^leaf_scores must be numbers: "):
        plan.apply(np.array([["x"]], dtype=object))
    with pytest.raises(EngineInputError, match=r"^values must be numeric$"):
        status.evaluate_status(
            ["x"], [1.0], [1.0], [status.Basis.VALUE], [status.Comparison.GE], [0.0], [np.nan],
            [0], 0,
        )  # fmt: skip
