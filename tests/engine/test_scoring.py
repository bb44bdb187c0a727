"""Tests for scoreline.engine.scoring."""

import doctest
import json
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from scoreline.engine import scoring
from scoreline.engine.directions import HIGHER_IS_BETTER, LOWER_IS_BETTER, TARGET_RANGE
from scoreline.engine.errors import EngineInputError
from scoreline.engine.scoring import (
    GOAL_SCORE,
    RED_FLAG_SCORE,
    Method,
    band_ranges,
    even_rubric_scores,
    explain,
    range_tolerance,
    score_banded,
    score_by_method,
    score_linear,
    score_percent_of_target,
    score_piecewise,
    score_rubric,
    score_target_range,
)

GOLDEN = Path(__file__).parent / "golden"
NAN = float("nan")
FloatArray = npt.NDArray[np.float64]


def _golden(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((GOLDEN / name).read_text())
    return data


def _ids(cases: list[dict[str, Any]]) -> list[str]:
    return [
        "-".join(f"{k}={case[k]}" for k in case if k not in {"origin", "abs_tolerance"})
        for case in cases
    ]


# ---------------------------------------------------------------------------
# Golden values from named outside sources

SPIDER = _golden("spider_impact_goal_red_flag.json")
PERCENT = _golden("percent_of_target.json")


def test_the_golden_files_name_their_sources() -> None:
    assert SPIDER["source"]["url"].startswith("https://")
    assert {case["origin"] for case in SPIDER["cases"]} <= {"stated", "derived"}
    keys = {source["key"] for source in PERCENT["sources"]}
    assert all(source["url"].startswith("https://") for source in PERCENT["sources"])
    assert {case["source"] for case in PERCENT["cases"]} <= keys


@pytest.mark.parametrize("case", SPIDER["cases"], ids=_ids(SPIDER["cases"]))
def test_spider_impact_goal_red_flag_examples_are_reproduced(case: dict[str, Any]) -> None:
    score = score_linear(case["value"], case["red_flag"], case["goal"])
    assert case["expected_score"] == pytest.approx(10 * case["source_score"])
    assert float(score) == pytest.approx(case["expected_score"], abs=case["abs_tolerance"])


@pytest.mark.parametrize("case", PERCENT["cases"], ids=_ids(PERCENT["cases"]))
def test_percent_of_target_examples_from_named_sources_are_reproduced(
    case: dict[str, Any],
) -> None:
    direction = PERCENT["direction_codes"][case["direction"]]
    score = score_percent_of_target(
        case["value"], case["target"], direction=direction, cap=case["cap"]
    )
    assert float(score) == pytest.approx(case["expected_score"], rel=1e-12)


def test_the_docstring_examples_run() -> None:
    result = doctest.testmod(scoring, raise_on_error=False)
    assert result.attempted > 10
    assert result.failed == 0


# ---------------------------------------------------------------------------
# Linear (goal / red flag)


def test_linear_scores_the_red_flag_and_goal_at_a_third_and_two_thirds() -> None:
    scores = score_linear([500.0, 700.0], 500.0, 700.0)
    np.testing.assert_allclose(scores, [RED_FLAG_SCORE, GOAL_SCORE])


def test_linear_reads_a_goal_below_the_red_flag_as_lower_is_better() -> None:
    scores = score_linear([300.0, 500.0, 700.0, 900.0], red_flag=700.0, goal=500.0)
    np.testing.assert_allclose(scores, [100.0, GOAL_SCORE, RED_FLAG_SCORE, 0.0])


def test_linear_refuses_a_red_flag_equal_to_its_goal() -> None:
    with pytest.raises(EngineInputError, match=r"red_flag equals goal.*\(element 1:"):
        score_linear([1.0, 2.0], [1.0, 5.0], [2.0, 5.0])


def test_linear_without_extension_stays_between_the_red_flag_and_goal_scores() -> None:
    scores = score_linear([0.0, 550.0, 10_000.0], 500.0, 700.0, extend=False)
    np.testing.assert_allclose(scores, [RED_FLAG_SCORE, 100.0 / 3.0 * 1.25, GOAL_SCORE])


def test_linear_clips_to_the_given_bounds_and_can_run_unbounded() -> None:
    assert float(score_linear(1100.0, 500.0, 700.0, upper=120.0)) == pytest.approx(120.0)
    unbounded = score_linear([100.0, 1100.0], 500.0, 700.0, lower=-np.inf, upper=np.inf)
    np.testing.assert_allclose(unbounded, [-100.0 / 3.0, 400.0 / 3.0])


def test_linear_refuses_a_lower_bound_above_the_upper_bound() -> None:
    with pytest.raises(EngineInputError, match="lower"):
        score_linear([1.0], 0.0, 1.0, lower=50.0, upper=40.0)


def test_linear_refuses_an_infinite_threshold() -> None:
    with pytest.raises(EngineInputError, match="goal must be finite"):
        score_linear([1.0], 0.0, np.inf)


def test_linear_gives_nan_for_a_missing_value_or_threshold() -> None:
    scores = score_linear([NAN, 600.0, 600.0], [500.0, NAN, 500.0], [700.0, 700.0, NAN])
    assert np.isnan(scores).all()


def test_linear_keeps_the_shape_of_scalar_input() -> None:
    assert score_linear(600.0, 500.0, 700.0).shape == ()


def test_linear_refuses_shapes_that_do_not_broadcast() -> None:
    with pytest.raises(EngineInputError, match="shapes do not match"):
        score_linear([1.0, 2.0, 3.0], [0.0, 0.0], 5.0)


# ---------------------------------------------------------------------------
# Piecewise


def test_piecewise_scores_the_threshold_target_and_stretch_at_50_80_100() -> None:
    scores = score_piecewise(
        [99.9, 100.0, 110.0, 120.0, 135.0, 150.0, 400.0], 100.0, 120.0, 150.0, direction=1
    )
    np.testing.assert_allclose(scores, [0.0, 50.0, 65.0, 80.0, 90.0, 100.0, 100.0])


def test_piecewise_mirrors_for_lower_is_better() -> None:
    scores = score_piecewise(
        [20.1, 20.0, 15.0, 10.0, 7.5, 5.0, -3.0], 20.0, 10.0, 5.0, direction=LOWER_IS_BETTER
    )
    np.testing.assert_allclose(scores, [0.0, 50.0, 65.0, 80.0, 90.0, 100.0, 100.0])


def test_piecewise_takes_a_direction_per_element() -> None:
    scores = score_piecewise(
        [135.0, 15.0], [100.0, 20.0], [120.0, 10.0], [150.0, 5.0], direction=[1, -1]
    )
    np.testing.assert_allclose(scores, [90.0, 65.0])


def test_piecewise_names_a_threshold_not_below_the_target() -> None:
    with pytest.raises(EngineInputError, match=r"threshold must be below target .*element 0"):
        score_piecewise([1.0], 120.0, 120.0, 150.0, direction=1)


def test_piecewise_names_a_target_not_below_the_stretch() -> None:
    with pytest.raises(EngineInputError, match="target must be below stretch"):
        score_piecewise([1.0], 100.0, 160.0, 150.0, direction=1)


def test_piecewise_names_a_threshold_not_above_the_target_for_lower_is_better() -> None:
    with pytest.raises(EngineInputError, match="threshold must be above target for a lower"):
        score_piecewise([1.0], 5.0, 10.0, 2.0, direction=-1)


def test_piecewise_refuses_the_range_direction() -> None:
    with pytest.raises(EngineInputError, match="direction"):
        score_piecewise([1.0], 1.0, 2.0, 3.0, direction=TARGET_RANGE)


def test_piecewise_gives_nan_for_missing_inputs_without_checking_their_order() -> None:
    scores = score_piecewise([NAN, 5.0, 5.0], [1.0, NAN, 1.0], 2.0, [3.0, 3.0, NAN], direction=1)
    assert np.isnan(scores).all()


# ---------------------------------------------------------------------------
# Banded


def test_banded_gives_the_next_band_on_reaching_an_edge() -> None:
    scores = score_banded(
        [5.0, 10.0, 19.9, 20.0, 99.0], [10.0, 20.0], [0.0, 60.0, 100.0], direction=1
    )
    np.testing.assert_array_equal(scores, [0.0, 60.0, 60.0, 100.0, 100.0])


def test_banded_reads_the_bands_from_the_top_for_lower_is_better() -> None:
    scores = score_banded(
        [5.0, 10.0, 10.1, 20.0, 20.1], [10.0, 20.0], [0.0, 60.0, 100.0], direction=-1
    )
    np.testing.assert_array_equal(scores, [100.0, 100.0, 60.0, 60.0, 0.0])


@pytest.mark.parametrize(
    ("direction", "probes"),
    [(1, [-1.0, 0.0, 29.9, 30.0]), (-1, [2.5, 2.0, 0.6, 0.5])],
)
def test_the_words_for_each_band_say_which_values_score_it(
    direction: int, probes: list[float]
) -> None:
    edges = [0.0, 30.0] if direction == 1 else [0.5, 2.0]
    words = band_ranges(edges, direction)
    # One probe per band (the last two on either side of the top edge), scored by band index.
    bands = score_banded(probes, edges, [0.0, 1.0, 2.0], direction=direction).tolist()
    assert bands == [0.0, 1.0, 1.0, 2.0]
    if direction == 1:
        assert words == ["below 0", "from 0 up to 30", "at or above 30"]
    else:
        assert words == ["above 2", "above 0.5 up to 2", "at or below 0.5"]


def test_banded_refuses_edges_that_do_not_ascend() -> None:
    with pytest.raises(EngineInputError, match="strictly ascending"):
        score_banded([1.0], [10.0, 10.0], [0.0, 50.0, 100.0], direction=1)
    with pytest.raises(EngineInputError, match="strictly ascending"):
        score_banded([1.0], [20.0, 10.0], [0.0, 50.0, 100.0], direction=1)


def test_banded_refuses_a_band_score_count_that_does_not_fit_the_edges() -> None:
    with pytest.raises(EngineInputError, match="len\\(edges\\) \\+ 1 = 3"):
        score_banded([1.0], [10.0, 20.0], [0.0, 100.0], direction=1)


def test_banded_refuses_band_scores_outside_0_to_100() -> None:
    with pytest.raises(EngineInputError, match=r"within 0..100"):
        score_banded([1.0], [10.0], [0.0, 120.0], direction=1)


def test_banded_refuses_the_range_direction() -> None:
    with pytest.raises(EngineInputError, match="direction"):
        score_banded([1.0], [10.0], [0.0, 100.0], direction=0)


def test_banded_gives_nan_for_a_missing_value() -> None:
    scores = score_banded([NAN, 15.0], [10.0], [0.0, 100.0], direction=1)
    np.testing.assert_array_equal(scores, [NAN, 100.0])


# ---------------------------------------------------------------------------
# Target range


def test_target_range_scores_100_inside_and_falls_to_0_at_the_tolerance() -> None:
    scores = score_target_range(
        [17.0, 18.0, 19.0, 20.0, 22.0, 24.0, 25.0, 26.0, 30.0], 20.0, 24.0, 2.0
    )
    np.testing.assert_allclose(scores, [0.0, 0.0, 50.0, 100.0, 100.0, 100.0, 50.0, 0.0, 0.0])


def test_target_range_accepts_a_single_point_target() -> None:
    np.testing.assert_allclose(score_target_range([5.0, 6.0], 5.0, 5.0, 4.0), [100.0, 75.0])


def test_a_range_too_narrow_to_halve_scores_100_inside_and_0_one_float_outside() -> None:
    # Half of 5e-324 rounds to 0; the derived tolerance is the smallest positive float.
    batch = _subnormal_range_batch()
    np.testing.assert_array_equal(score_by_method(**batch), [100.0, 100.0, 0.0, NAN])
    out = explain(Method.TARGET_RANGE, 1e-323, {"low": 0.0, "high": 5e-324}, TARGET_RANGE)
    assert out["score"] == 0.0 and out["inputs"]["tolerance"] == 5e-324


def test_target_range_refuses_low_above_high() -> None:
    with pytest.raises(EngineInputError, match="low must not exceed high"):
        score_target_range([1.0], 5.0, 4.0, 1.0)


@pytest.mark.parametrize("tolerance", [0.0, -1.0])
def test_target_range_refuses_a_tolerance_that_is_not_positive(tolerance: float) -> None:
    with pytest.raises(EngineInputError, match="tolerance must be positive"):
        score_target_range([1.0], 4.0, 5.0, tolerance)


# ---------------------------------------------------------------------------
# Percent of target


def test_percent_of_target_caps_at_100_by_default() -> None:
    scores = score_percent_of_target([50.0, 100.0, 150.0], 100.0, direction=1)
    np.testing.assert_allclose(scores, [50.0, 100.0, 100.0])


def test_percent_of_target_uses_a_custom_cap() -> None:
    scores = score_percent_of_target([150.0, 110.0], 100.0, direction=1, cap=120.0)
    np.testing.assert_allclose(scores, [120.0, 110.0])


def test_percent_of_target_for_lower_is_better_floors_at_0() -> None:
    scores = score_percent_of_target([5.0, 10.0, 15.0, 25.0], 10.0, direction=-1, cap=None)
    np.testing.assert_allclose(scores, [150.0, 100.0, 50.0, 0.0])


def test_percent_of_target_floors_a_negative_ratio_at_0() -> None:
    assert float(score_percent_of_target(-5.0, 10.0, direction=1)) == 0.0


def test_percent_of_a_zero_or_negative_target_is_no_score() -> None:
    scores = score_percent_of_target(
        [0.0, 5.0, -5.0, 5.0], [0.0, 0.0, -10.0, 10.0], direction=[1, -1, 1, 1]
    )
    np.testing.assert_array_equal(scores, [NAN, NAN, NAN, 50.0])


def test_percent_of_target_refuses_an_infinite_target() -> None:
    with pytest.raises(EngineInputError, match="target must be finite"):
        score_percent_of_target([1.0], np.inf, direction=1)


@pytest.mark.parametrize("cap", [0.0, -10.0, NAN])
def test_percent_of_target_refuses_a_cap_that_is_not_positive(cap: float) -> None:
    with pytest.raises(EngineInputError, match="cap must be positive"):
        score_percent_of_target([1.0], 2.0, direction=1, cap=cap)


def test_percent_of_target_refuses_float_direction_codes() -> None:
    with pytest.raises(EngineInputError, match="integer codes"):
        score_percent_of_target([1.0], 2.0, direction=1.0)


# ---------------------------------------------------------------------------
# Rubric


def test_even_rubric_scores_run_from_0_to_100() -> None:
    np.testing.assert_allclose(even_rubric_scores(3), [0.0, 50.0, 100.0])


def test_a_one_level_rubric_is_refused() -> None:
    with pytest.raises(EngineInputError, match="at least 2 levels"):
        even_rubric_scores(1)


def test_rubric_maps_each_level_to_its_score() -> None:
    scores = score_rubric([4.0, 1.0, NAN, 2.0], [10.0, 40.0, 70.0, 100.0])
    np.testing.assert_array_equal(scores, [100.0, 10.0, NAN, 40.0])


@pytest.mark.parametrize("level", [0.0, 6.0, 0.5, -1.0])
def test_rubric_refuses_a_level_outside_1_to_n(level: float) -> None:
    with pytest.raises(EngineInputError, match="from 1 to 5"):
        score_rubric([1.0, level], even_rubric_scores(5))


def test_a_mean_rubric_level_scores_between_its_neighbours() -> None:
    scores = score_rubric([2.5, 4.25], [10.0, 40.0, 70.0, 100.0, 100.0])
    np.testing.assert_allclose(scores, [55.0, 100.0])


# ---------------------------------------------------------------------------
# Dispatcher


def _mixed() -> dict[str, Any]:
    return {
        "method": np.array(
            [
                Method.LINEAR,
                Method.LINEAR,
                Method.PIECEWISE,
                Method.TARGET_RANGE,
                Method.PERCENT_CAPPED,
                Method.PERCENT_UNCAPPED,
                Method.PIECEWISE,
            ]
        ),
        "values": np.array([600.0, 8.0, 135.0, 26.0, 150.0, 150.0, NAN]),
        "red_flag": np.array([500.0, 10.0, NAN, NAN, NAN, NAN, NAN]),
        "goal": np.array([700.0, 5.0, NAN, NAN, NAN, NAN, NAN]),
        "threshold": np.array([NAN, NAN, 100.0, NAN, NAN, NAN, 1.0]),
        "target": np.array([NAN, NAN, 120.0, NAN, 100.0, 100.0, 2.0]),
        "stretch": np.array([NAN, NAN, 150.0, NAN, NAN, NAN, 3.0]),
        "low": np.array([NAN, NAN, NAN, 20.0, NAN, NAN, NAN]),
        "high": np.array([NAN, NAN, NAN, 24.0, NAN, NAN, NAN]),
        "direction": np.array([1, -1, 1, 0, 1, 1, 1]),
    }


def test_the_dispatcher_scores_each_element_by_its_own_method() -> None:
    scores = score_by_method(**_mixed())
    np.testing.assert_allclose(scores, [50.0, 140.0 / 3.0, 90.0, 0.0, 100.0, 150.0, NAN])


def test_the_dispatcher_derives_the_target_range_tolerance_from_the_range_width() -> None:
    arrays = _mixed()
    arrays["values"][3] = 25.0  # range 20..24, tolerance (24 - 20) / 2 = 2: 1 outside scores 50
    assert score_by_method(**arrays)[3] == pytest.approx(50.0)


@pytest.mark.parametrize("method", [Method.BANDED, Method.RUBRIC])
def test_the_dispatcher_refuses_methods_that_need_a_per_kpi_table(method: Method) -> None:
    arrays = _mixed()
    arrays["method"][4] = method
    with pytest.raises(EngineInputError, match=f"{method.name} needs a per-KPI table.*element 4"):
        score_by_method(**arrays)


@pytest.mark.parametrize("method", [Method.BANDED, Method.RUBRIC])
def test_the_dispatcher_can_leave_tabled_methods_to_the_caller(method: Method) -> None:
    arrays = _mixed()
    arrays["method"][4] = method
    scores = score_by_method(**arrays, leave_tabled=True)
    np.testing.assert_allclose(scores, [50.0, 140.0 / 3.0, 90.0, 0.0, NAN, 150.0, NAN])


def test_the_dispatcher_refuses_an_unknown_method_code() -> None:
    arrays = _mixed()
    arrays["method"][2] = 99
    with pytest.raises(EngineInputError, match="unknown method code 99 at element 2"):
        score_by_method(**arrays)


def test_the_dispatcher_refuses_arrays_of_different_lengths() -> None:
    arrays = _mixed()
    arrays["stretch"] = arrays["stretch"][:-1]
    with pytest.raises(EngineInputError, match=r"stretch \(6,\)"):
        score_by_method(**arrays)


def test_the_dispatcher_refuses_a_linear_direction_that_contradicts_the_thresholds() -> None:
    arrays = _mixed()
    arrays["direction"][1] = HIGHER_IS_BETTER
    with pytest.raises(EngineInputError, match="element 1 has direction 1"):
        score_by_method(**arrays)


def test_the_dispatcher_needs_the_range_direction_for_target_range() -> None:
    arrays = _mixed()
    arrays["direction"][3] = HIGHER_IS_BETTER
    with pytest.raises(
        EngineInputError, match=r"target-range scoring needs a direction.*element 3"
    ):
        score_by_method(**arrays)


def test_the_dispatcher_refuses_an_empty_range() -> None:
    arrays = _mixed()
    arrays["high"][3] = 20.0
    with pytest.raises(EngineInputError, match=r"low below high.*element 3"):
        score_by_method(**arrays)


def test_the_dispatcher_names_errors_by_position_in_the_whole_array() -> None:
    arrays = _mixed()
    arrays["stretch"][2] = 110.0
    with pytest.raises(EngineInputError, match=r"target must be below stretch.*element 2"):
        score_by_method(**arrays)


def test_the_dispatcher_handles_an_empty_batch() -> None:
    empty = np.array([])  # float64, as numpy builds an empty list
    scores = score_by_method(empty, *([empty] * 8), direction=empty)
    assert scores.shape == (0,)


# ---------------------------------------------------------------------------
# Explain


def test_explain_linear_shows_the_segment_and_the_arithmetic() -> None:
    out = explain(Method.LINEAR, 600.0, {"red_flag": 500.0, "goal": 700.0}, 1)
    assert out["method"] == "linear"
    assert out["segment"] == "between red flag 500 and goal 700"
    assert out["formula"] == "100/3 * (1 + (600 - 500) / (700 - 500)) = 50"
    assert out["score"] == pytest.approx(50.0)
    assert out["inputs"] == {"red_flag": 500.0, "goal": 700.0}


def test_explain_linear_says_when_the_score_was_limited() -> None:
    out = explain(Method.LINEAR, 1000.0, {"red_flag": 500.0, "goal": 700.0}, 1)
    assert out["segment"] == "at or past the full-score point 900"
    assert out["formula"].endswith("= 116.67, limited to 100")
    assert out["score"] == 100.0


def test_explain_piecewise_names_the_gate() -> None:
    out = explain(Method.PIECEWISE, 25.0, {"threshold": 20.0, "target": 10.0, "stretch": 5.0}, -1)
    assert out["segment"] == "short of threshold 20 (gate)"
    assert out["score"] == 0.0
    assert out["direction"] == "lower"


def test_explain_target_range_shows_the_distance() -> None:
    out = explain(Method.TARGET_RANGE, 25.0, {"low": 20.0, "high": 24.0}, 0)
    assert out["segment"] == "above the range by 1 (high 24)"
    assert out["formula"] == "100 * (1 - 1 / 2) = 50"
    assert out["inputs"]["tolerance"] == 2.0


def test_explain_percent_shows_the_cap() -> None:
    out = explain(Method.PERCENT_CAPPED, 75.0, {"target": 50.0}, 1)
    assert out["segment"] == "150% of target 50"
    assert out["formula"] == "100 * 75 / 50 = 150, limited to 100"
    assert out["score"] == 100.0


def test_explain_banded_names_the_band() -> None:
    params = {
        "edge_0": 10.0,
        "edge_1": 20.0,
        "band_score_0": 0.0,
        "band_score_1": 60.0,
        "band_score_2": 100.0,
    }
    assert explain(Method.BANDED, 15.0, params, 1)["segment"] == "band 1: from 10 up to 20"
    lower = explain(Method.BANDED, 15.0, params, -1)
    assert lower["segment"] == "band 1: above 10 up to 20"
    assert lower["score"] == 60.0


def test_explain_rubric_names_the_level() -> None:
    params = {"level_score_1": 0.0, "level_score_2": 50.0, "level_score_3": 100.0}
    out = explain(Method.RUBRIC, 2.0, params, 1)
    assert out["segment"] == "level 2 of 3"
    assert out["score"] == 50.0


def test_explain_says_why_a_zero_target_has_no_percentage() -> None:
    out = explain(Method.PERCENT_UNCAPPED, 5.0, {"target": 0.0}, -1)
    assert out["segment"] == "target 0 is not positive"
    assert out["score"] is None
    json.dumps(out, allow_nan=False)


def test_explain_of_a_missing_value_is_json_without_nan() -> None:
    out = explain(Method.LINEAR, NAN, {"red_flag": 500.0, "goal": 700.0}, 1)
    assert out["score"] is None
    assert out["value"] is None
    assert out["segment"] == "no value"
    json.dumps(out, allow_nan=False)


def test_explain_refuses_missing_parameters() -> None:
    with pytest.raises(EngineInputError, match="stretch"):
        explain(Method.PIECEWISE, 1.0, {"threshold": 1.0, "target": 2.0}, 1)


def test_explain_refuses_gaps_in_numbered_parameters() -> None:
    with pytest.raises(EngineInputError, match="without gaps"):
        explain(Method.RUBRIC, 1.0, {"level_score_1": 0.0, "level_score_3": 100.0}, 1)


def test_explain_refuses_an_unknown_method() -> None:
    with pytest.raises(EngineInputError, match="unknown method code 42"):
        explain(42, 1.0, {}, 1)


def test_explain_agrees_with_the_dispatcher() -> None:
    arrays = _mixed()
    scores = score_by_method(**arrays)
    names = ("red_flag", "goal", "threshold", "target", "stretch", "low", "high")
    for i in range(arrays["method"].size):
        params = {name: float(arrays[name][i]) for name in names}
        out = explain(
            int(arrays["method"][i]),
            float(arrays["values"][i]),
            params,
            int(arrays["direction"][i]),
        )
        json.dumps(out, allow_nan=False)
        if np.isnan(scores[i]):
            assert out["score"] is None
        else:
            assert out["score"] == pytest.approx(scores[i])


# ---------------------------------------------------------------------------
# Properties

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
values_lists = st.lists(finite, min_size=1, max_size=40)
directions = st.sampled_from([HIGHER_IS_BETTER, LOWER_IS_BETTER])


@st.composite
def ascending(draw: st.DrawFn, n: int) -> list[float]:
    """n strictly ascending finite floats."""
    return sorted(draw(st.lists(finite, min_size=n, max_size=n, unique=True)))


def _arr(xs: list[float]) -> FloatArray:
    return np.array(xs, dtype=np.float64)


def _within_0_100(scores: FloatArray) -> bool:
    kept = scores[~np.isnan(scores)]
    return bool(np.all((kept >= 0.0) & (kept <= 100.0)))


def _monotone(values: FloatArray, scores: FloatArray, direction: int) -> bool:
    ordered = scores[np.argsort(values, kind="stable")]
    steps = np.diff(ordered) * direction
    return bool(np.all(steps >= 0.0))


@given(values_lists, ascending(2), directions, st.booleans())
def test_linear_scores_are_bounded_and_monotone(
    values: list[float], pair: list[float], direction: int, extend: bool
) -> None:
    red, goal = pair if direction == HIGHER_IS_BETTER else pair[::-1]
    v = _arr(values)
    scores = score_linear(v, red, goal, extend=extend)
    assert _within_0_100(scores)
    assert _monotone(v, scores, direction)


@given(values_lists, ascending(3), directions)
def test_piecewise_scores_are_bounded_and_monotone(
    values: list[float], breakpoints: list[float], direction: int
) -> None:
    th, tg, stretch = breakpoints if direction == HIGHER_IS_BETTER else breakpoints[::-1]
    v = _arr(values)
    scores = score_piecewise(v, th, tg, stretch, direction=direction)
    assert _within_0_100(scores)
    assert _monotone(v, scores, direction)


@given(
    values_lists,
    ascending(3),
    st.lists(st.floats(0.0, 100.0), min_size=4, max_size=4),
    directions,
)
def test_banded_scores_are_bounded_and_monotone_for_ordered_band_scores(
    values: list[float], edges: list[float], band_scores: list[float], direction: int
) -> None:
    v = _arr(values)
    scores = score_banded(v, edges, sorted(band_scores), direction=direction)
    assert _within_0_100(scores)
    assert _monotone(v, scores, direction)


@given(values_lists, ascending(2), st.floats(1e-3, 1e6))
def test_target_range_scores_are_bounded(
    values: list[float], edges: list[float], tolerance: float
) -> None:
    assert _within_0_100(score_target_range(_arr(values), edges[0], edges[1], tolerance))


@given(
    st.integers(-(10**6), 10**6),
    st.integers(0, 10**6),
    st.integers(0, 10**6),
    st.integers(1, 10**6),
)
def test_target_range_is_symmetric_about_the_range(
    low: int, width: int, distance: int, tolerance: int
) -> None:
    high = low + width
    below, above = score_target_range([low - distance, high + distance], low, high, tolerance)
    assert below == above


@given(values_lists, st.floats(1e-3, 1e6), directions, st.booleans())
def test_percent_of_target_is_monotone_and_bounded_when_capped(
    values: list[float], target: float, direction: int, capped: bool
) -> None:
    v = _arr(values)
    scores = score_percent_of_target(v, target, direction=direction, cap=100.0 if capped else None)
    assert _monotone(v, scores, direction)
    assert np.all(scores >= 0.0)
    if capped:
        assert _within_0_100(scores)


@given(st.lists(st.integers(1, 7), min_size=1, max_size=30), st.integers(2, 7))
def test_rubric_scores_are_bounded_and_monotone_in_level(levels: list[int], n: int) -> None:
    lv = _arr([min(level, n) for level in levels])
    scores = score_rubric(lv, even_rubric_scores(n))
    assert _within_0_100(scores)
    assert _monotone(lv, scores, HIGHER_IS_BETTER)


@given(st.lists(st.booleans(), min_size=1, max_size=30), finite)
def test_a_missing_value_gives_a_missing_score_in_every_method(
    missing: list[bool], value: float
) -> None:
    v = np.where(missing, NAN, value)
    outs = [
        score_linear(v, 1.0, 2.0),
        score_piecewise(v, 1.0, 2.0, 3.0, direction=1),
        score_banded(v, [1.0], [0.0, 100.0], direction=-1),
        score_target_range(v, 1.0, 2.0, 1.0),
        score_percent_of_target(v, 2.0, direction=-1),
        score_percent_of_target(v, 2.0, direction=1, cap=None),
        score_rubric(np.where(missing, NAN, 1.0), [0.0, 100.0]),
    ]
    for scores in outs:
        np.testing.assert_array_equal(np.isnan(scores), missing)


@given(st.lists(st.booleans(), min_size=1, max_size=30), finite)
def test_a_missing_parameter_gives_a_missing_score_in_every_method(
    missing: list[bool], value: float
) -> None:
    def gap(x: float) -> FloatArray:
        return np.where(missing, NAN, x)

    outs = [
        score_linear(value, gap(1.0), 2.0),
        score_linear(value, 1.0, gap(2.0)),
        score_piecewise(value, gap(1.0), 2.0, 3.0, direction=1),
        score_piecewise(value, 3.0, gap(2.0), 1.0, direction=-1),
        score_piecewise(value, 1.0, 2.0, gap(3.0), direction=1),
        score_target_range(value, gap(1.0), 2.0, 1.0),
        score_target_range(value, 1.0, 2.0, gap(1.0)),
        score_percent_of_target(value, gap(2.0), direction=1),
    ]
    for scores in outs:
        np.testing.assert_array_equal(np.isnan(scores), missing)


@st.composite
def mixed_batches(draw: st.DrawFn) -> dict[str, Any]:
    """A batch of elements with random dispatchable methods and valid parameters."""
    n = draw(st.integers(1, 25))
    rows = []
    for _ in range(n):
        method = draw(
            st.sampled_from(
                [
                    Method.LINEAR,
                    Method.PIECEWISE,
                    Method.TARGET_RANGE,
                    Method.PERCENT_CAPPED,
                    Method.PERCENT_UNCAPPED,
                ]
            )
        )
        direction = draw(directions)
        value = draw(st.one_of(finite, st.just(NAN)))
        row = dict.fromkeys(
            ("red_flag", "goal", "threshold", "target", "stretch", "low", "high"), NAN
        )
        if method is Method.LINEAR:
            a, b = draw(ascending(2))
            row["red_flag"], row["goal"] = (a, b) if direction == HIGHER_IS_BETTER else (b, a)
        elif method is Method.PIECEWISE:
            a, b, c = draw(ascending(3))
            row["threshold"], row["target"], row["stretch"] = (
                (a, b, c) if direction == HIGHER_IS_BETTER else (c, b, a)
            )
        elif method is Method.TARGET_RANGE:
            direction = TARGET_RANGE
            row["low"], row["high"] = draw(ascending(2))
        else:
            row["target"] = draw(st.floats(0.0, 1e6))
        rows.append({"method": int(method), "direction": direction, "values": value, **row})
    columns: dict[str, Any] = {key: np.array([row[key] for row in rows]) for key in rows[0]}
    return columns


def _subnormal_range_batch() -> dict[str, Any]:
    """Target ranges 0..5e-324, the narrowest a float holds (hypothesis once drew one)."""
    n = 4
    columns: dict[str, Any] = {
        key: np.full(n, NAN) for key in ("red_flag", "goal", "threshold", "target", "stretch")
    }
    columns |= {
        "method": np.full(n, int(Method.TARGET_RANGE)),
        "direction": np.full(n, TARGET_RANGE),
        "values": np.array([0.0, 5e-324, 1e-323, NAN]),
        "low": np.zeros(n),
        "high": np.full(n, 5e-324),
    }
    return columns


@settings(max_examples=150)
@given(mixed_batches())
@example(_subnormal_range_batch())
def test_the_dispatcher_equals_the_individual_methods(batch: dict[str, Any]) -> None:
    scores = score_by_method(**batch)
    m, v, d = batch["method"], batch["values"], batch["direction"]
    expected = np.full(m.size, NAN)
    for method in np.unique(m):
        rows = m == method
        if method == Method.LINEAR:
            expected[rows] = score_linear(v[rows], batch["red_flag"][rows], batch["goal"][rows])
        elif method == Method.PIECEWISE:
            expected[rows] = score_piecewise(
                v[rows],
                batch["threshold"][rows],
                batch["target"][rows],
                batch["stretch"][rows],
                direction=d[rows],
            )
        elif method == Method.TARGET_RANGE:
            low, high = batch["low"][rows], batch["high"][rows]
            expected[rows] = score_target_range(v[rows], low, high, range_tolerance(low, high))
        else:
            cap = 100.0 if method == Method.PERCENT_CAPPED else None
            expected[rows] = score_percent_of_target(
                v[rows], batch["target"][rows], direction=d[rows], cap=cap
            )
    np.testing.assert_array_equal(scores, expected)
