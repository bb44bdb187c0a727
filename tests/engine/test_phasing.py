from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoreline.engine.errors import EngineInputError
from scoreline.engine.phasing import Phasing, phase_periods, phase_targets, profile_shares

NAN = math.nan
amounts = st.floats(-1e6, 1e6)
period_counts = st.integers(1, 24)
# Weights are zero or normal numbers: a subnormal weight scaled down becomes zero, which is a
# different profile, not a scaled one.
weights = st.one_of(st.just(0.0), st.floats(1e-6, 100.0))
profiles = st.lists(weights, min_size=1, max_size=24).filter(lambda weights: sum(weights) > 0)


def test_a_level_target_holds_in_every_period() -> None:
    assert phase_targets(95.0, 3, Phasing.FLAT).tolist() == [95.0, 95.0, 95.0]


def test_an_additive_total_is_split_evenly() -> None:
    assert phase_targets(1200.0, 12, Phasing.FLAT, additive=True).tolist() == [100.0] * 12


def test_a_ramp_runs_from_the_start_in_the_first_period_to_the_end_in_the_last() -> None:
    result = phase_targets(100.0, 5, Phasing.LINEAR_RAMP, start_value=60.0)
    assert result.tolist() == [60.0, 70.0, 80.0, 90.0, 100.0]


def test_a_one_period_ramp_reaches_the_end_at_once() -> None:
    assert phase_targets(100.0, 1, Phasing.LINEAR_RAMP, start_value=60.0).tolist() == [100.0]


def test_an_additive_ramp_grows_by_equal_steps_and_adds_up_to_the_total() -> None:
    # 10 + 20 + 30 + 40 = 100 with a first-period amount of 10.
    result = phase_targets(100.0, 4, Phasing.LINEAR_RAMP, start_value=10.0, additive=True)
    assert result.tolist() == [10.0, 20.0, 30.0, 40.0]


def test_a_seasonal_total_follows_the_profile() -> None:
    # A retail year: quiet first quarter, strong fourth.
    profile = [2, 2, 3, 3]
    result = phase_targets(1000.0, 4, Phasing.SEASONAL, profile=profile, additive=True)
    assert result.tolist() == [200.0, 200.0, 300.0, 300.0]


def test_a_seasonal_level_averages_to_the_value() -> None:
    result = phase_targets(90.0, 4, Phasing.SEASONAL, profile=[1, 1, 1, 5])
    assert result.tolist() == [45.0, 45.0, 45.0, 225.0]


def test_many_targets_are_phased_at_once() -> None:
    result = phase_targets([120.0, 60.0], 3, Phasing.FLAT, additive=True)
    assert result.tolist() == [[40.0, 40.0, 40.0], [20.0, 20.0, 20.0]]


def test_each_target_can_have_its_own_profile() -> None:
    result = phase_targets(
        [10.0, 20.0], 2, Phasing.SEASONAL, profile=[[1, 1], [1, 3]], additive=True
    )
    assert result.tolist() == [[5.0, 5.0], [5.0, 15.0]]


def test_missing_inputs_give_missing_targets_for_their_row_only() -> None:
    ramp = phase_targets([NAN, 10.0, 30.0], 2, Phasing.LINEAR_RAMP, start_value=[0.0, 0.0, NAN])
    assert np.isnan(ramp[[0, 2]]).all()
    assert ramp[1].tolist() == [0.0, 10.0]
    seasonal = phase_targets(
        [10.0, 10.0], 2, Phasing.SEASONAL, profile=[[1.0, NAN], [1.0, 1.0]], additive=True
    )
    assert np.isnan(seasonal[0]).all()
    assert seasonal[1].tolist() == [5.0, 5.0]


def test_a_ramp_without_a_start_is_refused() -> None:
    with pytest.raises(EngineInputError, match="LINEAR_RAMP needs a start_value"):
        phase_targets(100.0, 3, Phasing.LINEAR_RAMP)


def test_a_start_for_a_flat_target_is_refused() -> None:
    with pytest.raises(EngineInputError, match="start_value is only used by LINEAR_RAMP"):
        phase_targets(100.0, 3, Phasing.FLAT, start_value=1.0)


def test_a_seasonal_target_without_a_profile_is_refused() -> None:
    with pytest.raises(EngineInputError, match="SEASONAL needs a profile"):
        phase_targets(100.0, 3, Phasing.SEASONAL)


def test_a_profile_for_a_ramp_is_refused() -> None:
    with pytest.raises(EngineInputError, match="profile is only used by SEASONAL"):
        phase_targets(100.0, 3, Phasing.LINEAR_RAMP, start_value=0.0, profile=[1, 1, 1])


def test_a_profile_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(EngineInputError, match=r"one weight per period \(12\)"):
        phase_targets(100.0, 12, Phasing.SEASONAL, profile=[1, 2, 3])


def test_a_negative_profile_weight_is_refused() -> None:
    with pytest.raises(EngineInputError, match="finite and >= 0"):
        phase_targets(100.0, 2, Phasing.SEASONAL, profile=[1, -1])


def test_a_profile_of_zeros_is_refused() -> None:
    with pytest.raises(EngineInputError, match="must not all be zero"):
        phase_targets(100.0, 2, Phasing.SEASONAL, profile=[0, 0])


def test_starts_that_do_not_match_the_targets_are_refused() -> None:
    with pytest.raises(EngineInputError, match="start_value must have one entry per target"):
        phase_targets([1.0, 2.0], 2, Phasing.LINEAR_RAMP, start_value=[0.0, 0.0, 0.0])


def test_zero_periods_are_refused() -> None:
    with pytest.raises(EngineInputError, match="n_periods must be >= 1"):
        phase_targets(100.0, 0, Phasing.FLAT)


def test_an_unknown_phasing_is_refused() -> None:
    with pytest.raises(EngineInputError, match="4 is not a Phasing code"):
        phase_targets(100.0, 3, 4)


# --- properties -------------------------------------------------------------------


@given(amounts, period_counts)
def test_a_flat_level_is_constant(value: float, n_periods: int) -> None:
    assert (phase_targets(value, n_periods, Phasing.FLAT) == value).all()


@given(amounts, amounts, period_counts)
def test_ramp_endpoints_are_exact(end: float, start: float, n_periods: int) -> None:
    result = phase_targets(end, n_periods, Phasing.LINEAR_RAMP, start_value=start)
    assert result[-1] == end
    if n_periods > 1:
        assert result[0] == start


@given(amounts, amounts, st.integers(2, 24))
def test_a_level_ramp_moves_by_equal_steps(end: float, start: float, n_periods: int) -> None:
    steps = np.diff(phase_targets(end, n_periods, Phasing.LINEAR_RAMP, start_value=start))
    assert np.allclose(steps, (end - start) / (n_periods - 1), rtol=1e-9, atol=1e-6)


@given(amounts, amounts, period_counts, profiles, st.sampled_from(list(Phasing)))
def test_additive_phasing_sums_back_to_the_total(
    total: float, start: float, n_periods: int, profile: list[float], how: Phasing
) -> None:
    if how == Phasing.SEASONAL:
        n_periods = len(profile)
        result = phase_targets(total, n_periods, how, profile=profile, additive=True)
    elif how == Phasing.LINEAR_RAMP:
        result = phase_targets(total, n_periods, how, start_value=start, additive=True)
        assert result[0] == (total if n_periods == 1 else start)
    else:
        result = phase_targets(total, n_periods, how, additive=True)
    scale = max(abs(total), abs(start) * n_periods, 1.0)
    assert math.fsum(result) == pytest.approx(total, abs=1e-9 * scale)


@given(amounts, profiles)
def test_a_seasonal_level_averages_back_to_the_value(value: float, profile: list[float]) -> None:
    result = phase_targets(value, len(profile), Phasing.SEASONAL, profile=profile)
    assert float(np.mean(result)) == pytest.approx(value, abs=1e-9 * max(abs(value), 1.0))


@given(amounts, profiles, st.floats(0.01, 100.0))
def test_scaling_the_profile_changes_nothing(
    value: float, profile: list[float], factor: float
) -> None:
    weights = np.array(profile)
    for additive in (False, True):
        plain = phase_targets(
            value, weights.size, Phasing.SEASONAL, profile=weights, additive=additive
        )
        scaled = phase_targets(
            value, weights.size, Phasing.SEASONAL, profile=weights * factor, additive=additive
        )
        assert np.allclose(plain, scaled, rtol=1e-9, atol=1e-9)


@given(st.lists(amounts, min_size=1, max_size=5), st.lists(amounts, min_size=1, max_size=5))
def test_phasing_many_targets_equals_phasing_each(ends: list[float], starts: list[float]) -> None:
    size = min(len(ends), len(starts))
    together = phase_targets(ends[:size], 6, Phasing.LINEAR_RAMP, start_value=starts[:size])
    for row in range(size):
        alone = phase_targets(ends[row], 6, Phasing.LINEAR_RAMP, start_value=starts[row])
        assert np.array_equal(together[row], alone)


@given(amounts, amounts, profiles, st.sampled_from(list(Phasing)), st.booleans(), st.data())
def test_one_period_of_a_plan_is_that_period_of_the_whole_plan(
    value: float,
    start: float,
    profile: list[float],
    how: Phasing,
    additive: bool,
    data: st.DataObject,
) -> None:
    n = len(profile)
    whole = phase_targets(
        value, n, how, additive=additive,
        start_value=start if how == Phasing.LINEAR_RAMP else None,
        profile=profile if how == Phasing.SEASONAL else None,
    )  # fmt: skip
    period = data.draw(st.integers(0, n - 1))
    share = profile_shares(profile, n)[period]
    one = phase_periods(value, n, period, how, start_value=start, share=share, additive=additive)
    assert float(one) == whole[period] or (math.isnan(one) and math.isnan(whole[period]))


def test_plans_of_different_lengths_and_methods_phase_in_one_call() -> None:
    # Months 0 and 11 of a flat 1,200 a year; month 1 of a 3-month ramp 60 -> 90 (level);
    # month 0 of a one-month additive ramp holding the whole 50.
    result = phase_periods(
        [1200.0, 1200.0, 90.0, 50.0], [12, 12, 3, 1], [0, 11, 1, 0], [1, 1, 2, 2],
        start_value=[NAN, NAN, 60.0, 10.0], additive=[True, True, False, True],
    )  # fmt: skip
    assert result.tolist() == [100.0, 100.0, 75.0, 50.0]


@pytest.mark.parametrize(
    ("n_periods", "period", "how", "message"),
    [
        (12, 12, 1, "within its plan"),
        (0, 0, 1, "within its plan"),
        (12, -1, 1, "within its plan"),
        (12, 0, 9, "9 is not a Phasing code"),
    ],
)
def test_a_period_outside_its_plan_or_an_unknown_method_is_refused(
    n_periods: int, period: int, how: int, message: str
) -> None:
    with pytest.raises(EngineInputError, match=message):
        phase_periods(1.0, n_periods, period, how)
