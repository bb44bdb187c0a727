"""Coverage of a scorecard: counts of values below each node, the ratio, month states."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoreline.engine.coverage import (
    Cycle,
    MonthState,
    counting_plan,
    coverage_ratio,
    due,
    month_states,
)
from scoreline.engine.errors import EngineInputError

# A scorecard: KPIs 0..3; objective 4 <- KPIs 0, 1 (weights 1, 2); objective 5 <- KPIs 1, 2
# (KPI 1 shared) and KPI 3 at weight 0; unit 6 <- objectives 4, 5.
N, CHILD, PARENT, WEIGHT = 7, [0, 1, 1, 2, 3, 4, 5], [4, 4, 5, 5, 5, 6, 6], [1, 2, 1, 1, 0, 1, 1]


def test_counts_add_up_every_path_from_a_leaf_and_leave_out_weightless_edges() -> None:
    plan = counting_plan(N, CHILD, PARENT, WEIGHT)
    counts = plan.apply(np.array([1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0]))
    # KPI 1 reaches the unit through both objectives; KPI 3 weighs nothing and counts nothing.
    assert counts.tolist() == [1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 4.0]


def test_counts_of_many_months_at_once_equal_one_month_at_a_time() -> None:
    plan = counting_plan(N, CHILD, PARENT, WEIGHT)
    months = np.array([[1, 0, 1], [1, 1, 0], [0, 0, 1], [1, 1, 1], [0, 0, 0], [0, 0, 0], [0, 0, 0]])
    together = plan.apply(months.astype(float))
    for column in range(3):
        assert together[:, column].tolist() == plan.apply(months[:, column] * 1.0).tolist()


def test_the_ratio_is_record_completeness_of_iso_iec_25024() -> None:
    # ISO/IEC 25024:2015, Com-I-1 record completeness: X = A / B, A the data items with a
    # value, B the data items required; 0 <= X <= 1 and 1 is complete.
    assert coverage_ratio([8], [10]).tolist() == [0.8]
    assert coverage_ratio([10], [10]).tolist() == [1.0]
    assert coverage_ratio([0], [10]).tolist() == [0.0]
    assert np.isnan(coverage_ratio([0], [0])[0])  # nothing required: undefined


@given(st.lists(st.tuples(st.integers(0, 500), st.integers(0, 500)), min_size=1, max_size=20))
def test_the_ratio_is_between_zero_and_one_whenever_values_are_expected(
    pairs: list[tuple[int, int]],
) -> None:
    present = np.array([min(a, b) for a, b in pairs], dtype=float)
    expected = np.array([max(a, b) for a, b in pairs], dtype=float)
    ratio = coverage_ratio(present, expected)
    wanted = expected > 0
    assert ((ratio[wanted] >= 0) & (ratio[wanted] <= 1)).all()
    assert np.isnan(ratio[~wanted]).all()


def test_monthly_values_are_due_every_month_quarterly_ones_each_quarter_annual_ones_once() -> None:
    offsets = np.arange(12)
    assert due(np.full(12, Cycle.MONTHLY), offsets, 12).all()
    assert np.flatnonzero(due(np.full(12, Cycle.QUARTERLY), offsets, 12)).tolist() == [2, 5, 8, 11]
    assert np.flatnonzero(due(np.full(12, Cycle.ANNUAL), offsets, 12)).tolist() == [11]
    # A span that is not whole quarters closes with its last month.
    assert np.flatnonzero(due(np.full(7, Cycle.QUARTERLY), np.arange(7), 7)).tolist() == [2, 5, 6]
    with pytest.raises(EngineInputError, match="cycle"):
        due([9], [0], 12)


def test_a_month_is_complete_sufficient_or_provisional() -> None:
    present = [10, 96, 94, 10, 0, 3]
    expected = [10, 100, 100, 10, 0, 10]
    ended = [True, True, True, False, True, False]
    states = month_states(present, expected, ended, 0.95).tolist()
    assert states == [
        MonthState.COMPLETE,  # ended, all in
        MonthState.SUFFICIENT,  # ended, 96% >= 95%
        MonthState.PROVISIONAL,  # ended, 94% < 95%
        MonthState.PROVISIONAL,  # all in, but the month is not over
        MonthState.COMPLETE,  # ended, nothing was expected
        MonthState.PROVISIONAL,
    ]
    with pytest.raises(EngineInputError, match="threshold"):
        month_states([1], [1], [True], 0.0)
