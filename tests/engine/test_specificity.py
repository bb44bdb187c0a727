from __future__ import annotations

import doctest
import itertools
import math

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from scoreline.engine import specificity
from scoreline.engine.errors import EngineInputError
from scoreline.engine.specificity import (
    classify_targets,
    current_level,
    feasible_range,
    reach_probability,
    robust_steps,
)

NAN = math.nan
# Crosses zero, so changes are absolute: +2, -1, +2, ... (7 rises of 2, 6 falls of 1).
ZIGZAG = np.array([0.0, 2, 1, 3, 2, 4, 3, 5, 4, 6, 5, 7, 6, 8])
# Strictly positive, so changes are relative.
MONTHLY = np.array([10.0, 11, 10, 12, 11, 12, 13, 12, 14, 13])


def test_the_examples_in_the_docs_run() -> None:
    assert doctest.testmod(specificity).failed == 0


# --- reach probability ------------------------------------------------------------


def test_the_probability_is_the_share_of_past_changes_that_would_reach_the_target() -> None:
    # From the last value 8: a rise of 2 reaches 9, a fall of 1 does not.
    assert reach_probability(ZIGZAG, 9.0, 1, 1)[0] == pytest.approx(7 / 13)
    assert reach_probability(ZIGZAG, 10.0, 1, 1)[0] == pytest.approx(7 / 13)
    assert reach_probability(ZIGZAG, 10.5, 1, 1)[0] == 0.0


def test_a_lower_is_better_target_is_reached_at_or_below_it() -> None:
    assert reach_probability(ZIGZAG, 7.0, 1, -1)[0] == pytest.approx(6 / 13)
    assert reach_probability(ZIGZAG, 6.5, 1, -1)[0] == 0.0
    assert reach_probability(ZIGZAG, 10.0, 1, -1)[0] == 1.0


def test_a_positive_series_moves_by_relative_changes() -> None:
    doubling = 2.0 ** np.arange(14)
    # Every month doubles, so next month is 2 ** 14; absolute changes would reach 12288.
    assert reach_probability(doubling, 2.0**14 * (1 - 1e-9), 1, 1)[0] == 1.0
    assert reach_probability(doubling, 2.0**14 * (1 + 1e-9), 1, 1)[0] == 0.0


LONG_ZIGZAG = np.concatenate([ZIGZAG, ZIGZAG[-1] + np.array([-1.0, 1, 0, 2, 1, 3])])


def test_the_observed_changes_over_the_horizon_are_used_when_there_are_enough() -> None:
    zigzag = LONG_ZIGZAG
    last = zigzag[-1]
    # Every two-period change in the history is exactly +1.
    assert reach_probability(zigzag, last + 1, 2, 1)[0] == 1.0
    assert reach_probability(zigzag, last + 1.5, 2, 1)[0] == 0.0


def test_too_few_horizon_changes_fall_back_to_summing_one_period_changes() -> None:
    zigzag = LONG_ZIGZAG
    rises = np.mean(np.diff(zigzag) > 0)
    # Forced convolution: two steps reach +2 or more only as two rises (+4).
    probability = reach_probability(zigzag, zigzag[-1] + 2, 2, 1, min_direct=100, max_atoms=400)[0]
    assert probability == pytest.approx(rises**2)


def test_the_convolution_matches_enumerating_every_combination() -> None:
    logs = np.log(MONTHLY[1:] / MONTHLY[:-1])
    sums = np.array([sum(combo) for combo in itertools.product(logs, repeat=3)])
    outcomes = MONTHLY[-1] * np.exp(sums)
    exact = np.mean(outcomes >= 15.0)
    assert reach_probability(MONTHLY, 15.0, 3, 1, max_atoms=1024)[0] == pytest.approx(exact)
    # Condensed to 256 outcomes per step, the answer stays close.
    assert reach_probability(MONTHLY, 15.0, 3, 1)[0] == pytest.approx(exact, abs=0.01)
    low, high = feasible_range(MONTHLY, 3, max_atoms=1024)
    expected = np.quantile(outcomes, [0.1, 0.9], method="hazen")
    assert (low[0], high[0]) == pytest.approx(tuple(expected))


def test_missing_periods_break_the_changes_around_them() -> None:
    gappy = np.concatenate([ZIGZAG, [NAN]])
    assert reach_probability(gappy, 9.0, 1, 1)[0] == pytest.approx(7 / 13)
    inner = ZIGZAG.copy()
    inner[5] = NAN  # the changes into and out of the gap are dropped
    changes = np.diff(inner)
    rises = np.sum(changes[np.isfinite(changes)] > 0)
    assert reach_probability(inner, 9.0, 1, 1, min_direct=11)[0] == pytest.approx(rises / 11)


def test_a_short_history_has_no_probability() -> None:
    assert math.isnan(reach_probability(ZIGZAG[:6], 9.0, 1, 1)[0])  # 5 changes
    assert not math.isnan(reach_probability(ZIGZAG[:7], 9.0, 1, 1)[0])  # 6 changes
    assert math.isnan(reach_probability(ZIGZAG[:7], 9.0, 1, 1, min_changes=7)[0])
    assert math.isnan(reach_probability(np.full(20, NAN), 9.0, 1, 1)[0])


def test_a_missing_target_direction_or_a_range_direction_gives_nan() -> None:
    result = reach_probability(np.vstack([ZIGZAG] * 3), [NAN, 9.0, 9.0], 1, [1, NAN, 0])
    assert np.isnan(result).all()


def test_many_series_are_answered_like_one_at_a_time() -> None:
    histories = np.vstack([ZIGZAG, -ZIGZAG, np.linspace(5, 30, 14), MONTHLY.tolist() + [NAN] * 4])
    targets = np.array([9.0, -7.0, 31.0, 14.0])
    directions = np.array([1, -1, 1, -1])
    together = reach_probability(histories, targets, 3, directions)
    alone = [
        reach_probability(h, t, 3, d)[0]
        for h, t, d in zip(histories, targets, directions, strict=True)
    ]
    assert np.allclose(together, alone, equal_nan=True)


def test_one_series_can_be_asked_about_several_targets() -> None:
    result = reach_probability(ZIGZAG, [9.0, 10.5], 1, 1)
    assert result == pytest.approx([7 / 13, 0.0])


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"horizon": 0}, "horizon"),
        ({"horizon": 1.5}, "horizon"),
        ({"horizon": True}, "horizon"),
        ({"direction": 2}, "direction"),
        ({"target": [1.0, 2.0, 3.0]}, "broadcast"),
        ({"history": np.zeros((2, 2, 2))}, "history"),
        ({"history": np.zeros((2, 0))}, "no periods"),
        ({"min_changes": 0}, "min_changes"),
    ],
)
def test_structurally_wrong_input_is_refused(kwargs: dict[str, object], problem: str) -> None:
    arguments: dict[str, object] = {
        "history": np.vstack([ZIGZAG, ZIGZAG]),
        "target": 9.0,
        "horizon": 1,
        "direction": 1,
    }
    arguments.update(kwargs)
    with pytest.raises(EngineInputError, match=problem):
        reach_probability(**arguments)  # type: ignore[arg-type]


# --- feasible range ---------------------------------------------------------------


def test_the_feasible_range_is_a_pair_of_quantiles_of_the_outcomes() -> None:
    outcomes = ZIGZAG[-1] + np.diff(ZIGZAG)
    low, high = feasible_range(ZIGZAG, 1)
    expected = np.quantile(outcomes, [0.1, 0.9], method="hazen")
    assert (low[0], high[0]) == pytest.approx(tuple(expected))
    low, high = feasible_range(ZIGZAG, 1, low_q=0.0, high_q=1.0)
    assert (low[0], high[0]) == (7.0, 10.0)


def test_a_short_history_has_no_feasible_range() -> None:
    short = np.concatenate([ZIGZAG[:5], np.full(9, NAN)])
    low, high = feasible_range(np.vstack([short, ZIGZAG]), 1)
    assert math.isnan(low[0]) and math.isnan(high[0])
    assert np.isfinite([low[1], high[1]]).all()


@pytest.mark.parametrize(("low_q", "high_q"), [(0.9, 0.1), (0.5, 0.5), (-0.1, 0.9), (0.1, 1.1)])
def test_quantiles_out_of_order_are_refused(low_q: float, high_q: float) -> None:
    with pytest.raises(EngineInputError, match="quantiles"):
        feasible_range(ZIGZAG, 1, low_q, high_q)


# --- robustness to one new value --------------------------------------------------

# Three years of a rate drifting up with noise, as a KPI page sees it.
NOISY = 75.0 + np.cumsum(np.random.default_rng(3).normal(0.1, 1.0, 36))


def test_the_fences_are_tukeys_far_out_fences_on_hyndman_and_fan_quartiles() -> None:
    # Definition 7 of Hyndman & Fan (1996): Q(p) = x[j] + g (x[j+1] - x[j]) with
    # j + g = 1 + (n - 1) p. Sorted, the first row is -1 1 2 3 4 5 6 9 100 (n = 9), so
    # Q1 = x[3] = 2, Q3 = x[7] = 6 and the upper far-out fence 6 + 3 * 4 = 18; the second
    # is -100 -1 1 2 3 4 5 6 9, so Q1 = 1, Q3 = 5 and the lower fence 1 - 3 * 4 = -11.
    steps = np.array([[3.0, -1, 4, 1, 5, 9, 2, 6, 100], [3.0, -1, 4, 1, 5, 9, 2, 6, -100]])
    fenced = robust_steps(steps)
    assert fenced[0].tolist() == [3.0, -1, 4, 1, 5, 9, 2, 6, 18]
    assert fenced[1].tolist() == [3.0, -1, 4, 1, 5, 9, 2, 6, -11]


def test_equal_changes_draw_no_fence_and_missing_ones_stay_missing() -> None:
    fenced = robust_steps([[1.0, 1, 1, 1, 50, NAN]])
    assert fenced[0, :5].tolist() == [1.0, 1, 1, 1, 50] and math.isnan(fenced[0, 5])


def test_the_level_is_the_latest_value_unless_a_fenced_change_outvotes_it() -> None:
    values = np.array([[10.0, 11, 12, 13, 14], [10.0, 11, 12, 13, 90]])
    steps = np.array([[1.0, 1, 1, 1], [1.0, 1, 1, 2]])
    assert current_level(values, steps).tolist() == [14.0, 15.0]
    # Across a gap a value is carried by the mean change: 12 + 2 * 1 = 14 and 11 + 3 * 1.
    gappy = np.array([[10.0, 11, 12, NAN, 90]])
    assert current_level(gappy, np.array([[1.0, 1, NAN, NAN]])).tolist() == [14.0]


@pytest.mark.parametrize("extreme", [1e3, 1e6, 1e12, -1e6])
def test_one_extreme_new_value_moves_the_range_a_bounded_amount(extreme: float) -> None:
    low, high = feasible_range(NOISY, 4)
    new_low, new_high = feasible_range(np.r_[NOISY, NOISY[-1] + extreme], 3)
    # No further than the range is wide, however extreme the value is.
    width = high[0] - low[0]
    assert abs(new_low[0] - low[0]) <= width and abs(new_high[0] - high[0]) <= width


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(np.float64, st.integers(8, 30), elements=st.floats(-100, 100)),
    st.integers(1, 6),
)
def test_how_far_one_outlier_moves_the_answer_does_not_grow_with_its_size(
    history: npt.NDArray[np.float64], horizon: int
) -> None:
    # A zero makes the changes absolute; beyond every fence, any outlier is the fence.
    far, farther = (np.r_[0.0, history, 1e6 * size] for size in (1.0, 1000.0))
    steps = np.diff(far)
    q1, q3 = np.quantile(steps, [0.25, 0.75])
    assume(q3 > q1)  # with half the changes equal no fence can be drawn
    assert np.allclose(feasible_range(far, horizon), feasible_range(farther, horizon))
    assert np.allclose(
        reach_probability(far, 50.0, horizon, 1),
        reach_probability(farther, 50.0, horizon, 1),
        equal_nan=True,
    )


# --- classification ---------------------------------------------------------------


def test_targets_are_classified_by_their_probability_with_inclusive_bounds() -> None:
    codes = classify_targets([0.95, 0.9, 0.5, 0.1, 0.05, NAN])
    assert codes.tolist() == [
        "too_easy",
        "specific",
        "specific",
        "specific",
        "unrealistic",
        "unknown",
    ]


def test_the_classification_thresholds_can_be_moved() -> None:
    codes = classify_targets(np.array([[0.75, 0.3]]), floor=0.4, ceiling=0.7)
    assert codes.tolist() == [["too_easy", "unrealistic"]]


@pytest.mark.parametrize(("floor", "ceiling"), [(0.9, 0.1), (0.5, 0.5), (-0.1, 0.5)])
def test_classification_thresholds_out_of_order_are_refused(floor: float, ceiling: float) -> None:
    with pytest.raises(EngineInputError, match="thresholds"):
        classify_targets([0.5], floor, ceiling)


def test_a_probability_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(EngineInputError, match=r"\[0, 1\]"):
        classify_targets([1.2])


# --- properties -------------------------------------------------------------------

histories = hnp.arrays(
    np.float64,
    st.tuples(st.integers(1, 4), st.integers(8, 30)),
    elements=st.one_of(st.integers(-1000, 1000).map(float), st.just(NAN)),
)


@settings(max_examples=60, deadline=None)
@given(histories, st.integers(1, 6), st.sampled_from([1, -1]), st.data())
def test_probability_is_bounded_and_monotone_in_the_target(
    history: npt.NDArray[np.float64], horizon: int, direction: int, data: st.DataObject
) -> None:
    low, high = sorted(
        data.draw(st.lists(st.floats(-2e3, 2e3, allow_nan=False), min_size=2, max_size=2))
    )
    p_low = reach_probability(history, low, horizon, direction)
    p_high = reach_probability(history, high, horizon, direction)
    known = np.isfinite(p_low)
    assert np.array_equal(known, np.isfinite(p_high))
    assert ((p_low[known] >= 0) & (p_low[known] <= 1)).all()
    if direction == 1:
        assert (p_high[known] <= p_low[known] + 1e-12).all()
    else:
        assert (p_high[known] >= p_low[known] - 1e-12).all()


@settings(max_examples=40, deadline=None)
@given(histories, st.integers(1, 4), st.floats(0.01, 100.0))
def test_the_feasible_range_is_ordered_and_scales_with_the_series(
    history: npt.NDArray[np.float64], horizon: int, scale: float
) -> None:
    low, high = feasible_range(history, horizon)
    known = np.isfinite(low)
    assert (low[known] <= high[known] + 1e-9 * np.abs(high[known])).all()
    scaled_low, scaled_high = feasible_range(history * scale, horizon)
    assert np.allclose(scaled_low, low * scale, rtol=1e-7, atol=1e-7, equal_nan=True)
    assert np.allclose(scaled_high, high * scale, rtol=1e-7, atol=1e-7, equal_nan=True)


@settings(max_examples=30, deadline=None)
@given(histories, st.data())
def test_reordering_the_series_reorders_the_answers(
    history: npt.NDArray[np.float64], data: st.DataObject
) -> None:
    order = np.array(data.draw(st.permutations(range(history.shape[0]))), dtype=np.intp)
    targets = np.linspace(-100, 100, history.shape[0])
    result = reach_probability(history, targets, 2, 1)
    shuffled = reach_probability(history[order], targets[order], 2, 1)
    assert np.allclose(shuffled, result[order], equal_nan=True)


def test_a_series_of_one_period_has_no_change_to_fence_and_no_range() -> None:
    """A KPI whose first value was just entered: nothing to learn from yet, and no error."""
    assert robust_steps(np.empty((2, 0))).shape == (2, 0)
    low, high = feasible_range(np.array([[90.0]]), 1)
    assert np.isnan(low).all() and np.isnan(high).all()
