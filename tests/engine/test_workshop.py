from __future__ import annotations

import doctest
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from scoreline.engine import workshop
from scoreline.engine.errors import EngineInputError
from scoreline.engine.workshop import agreed_weights, kendall_w, summarise_allocations

NAN = math.nan
GOLDEN = json.loads((Path(__file__).parent / "golden" / "kendall_w.json").read_text())
POINTS = np.array(
    [
        [40.0, 30.0, 20.0, 10.0],  # sales
        [10.0, 20.0, 30.0, 40.0],  # finance
        [35.0, 35.0, 20.0, 10.0],  # operations
    ]
)
DEPARTMENTS = ["sales", "finance", "operations"]
ITEMS = ["growth", "margin", "cash", "quality"]


def test_the_examples_in_the_docs_run() -> None:
    assert doctest.testmod(workshop).failed == 0


# --- Kendall's W --------------------------------------------------------------------


def test_the_golden_file_names_its_sources() -> None:
    for case in GOLDEN["cases"]:
        assert case["source"].strip()


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=lambda case: case["name"])
def test_kendall_w_matches_the_published_worked_examples(case: dict[str, Any]) -> None:
    result = kendall_w(case["scores"])
    assert result.w == pytest.approx(case["w"], abs=case["w_tolerance"])
    ranks = stats.rankdata(case["scores"], axis=1).sum(axis=0)
    assert ranks.tolist() == pytest.approx(case["rank_sums"])
    if "chi_square" in case:
        assert result.chi_square == pytest.approx(
            case["chi_square"], abs=case["chi_square_tolerance"]
        )
        assert result.p_value == pytest.approx(case["p_value"], abs=case["p_value_tolerance"])


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=lambda case: case["name"])
def test_a_workshop_scores_the_golden_rankings_the_same_once_scaled_to_100_points(
    case: dict[str, Any],
) -> None:
    scores = np.array(case["scores"], dtype=float)
    points = scores * 100.0 / scores.sum(axis=1, keepdims=True)
    summary = summarise_allocations(points)
    assert summary.concordance.w == pytest.approx(case["w"], abs=case["w_tolerance"])


def test_identical_rankings_agree_fully_and_reversed_ones_not_at_all() -> None:
    assert kendall_w([[1, 2, 3, 4], [10, 20, 30, 40], [0, 1, 5, 9]]).w == 1.0
    assert kendall_w([[1, 2, 3, 4], [4, 3, 2, 1]]).w == 0.0


def test_w_is_undefined_without_two_rankings_or_with_only_ties() -> None:
    assert math.isnan(kendall_w([[1, 2, 3]]).w)
    assert math.isnan(kendall_w([[1], [2]]).w)
    assert math.isnan(kendall_w([[5, 5, 5], [2, 2, 2]]).w)


def test_rows_with_nan_are_left_out_of_w() -> None:
    result = kendall_w(np.array([[1, 2, 3], [NAN, 1, 2], [1, 2, 3]]))
    assert result.raters == 2
    assert result.w == 1.0


def test_kendall_w_refuses_input_that_is_not_a_matrix() -> None:
    with pytest.raises(EngineInputError, match="2-D"):
        kendall_w([1, 2, 3])
    with pytest.raises(EngineInputError, match="finite"):
        kendall_w(np.array([[1, math.inf], [1, 2]]))


allocations = st.integers(2, 7).flatmap(
    lambda n_items: st.lists(
        st.lists(st.integers(0, 20), min_size=n_items, max_size=n_items).filter(
            lambda row: sum(row) > 0
        ),
        min_size=2,
        max_size=8,
    )
)


def _to_points(rows: list[list[int]]) -> npt.NDArray[np.float64]:
    raw = np.array(rows, dtype=np.float64)
    return raw * 100.0 / raw.sum(axis=1, keepdims=True)


@settings(max_examples=80, deadline=None)
@given(allocations)
def test_w_agrees_with_scipys_tie_corrected_friedman_statistic(rows: list[list[int]]) -> None:
    points = _to_points(rows)
    result = summarise_allocations(points).concordance
    if points.shape[1] < 3 or math.isnan(result.w):
        return
    friedman = stats.friedmanchisquare(*np.round(points, 9).T).statistic
    assert result.chi_square == pytest.approx(friedman, rel=1e-9, abs=1e-9)
    assert result.w == pytest.approx(friedman / (points.shape[0] * (points.shape[1] - 1)))


@settings(max_examples=80, deadline=None)
@given(allocations, st.data())
def test_w_is_bounded_and_ignores_the_order_of_participants_and_items(
    rows: list[list[int]], data: st.DataObject
) -> None:
    points = _to_points(rows)
    w = summarise_allocations(points).concordance.w
    assert math.isnan(w) or 0.0 <= w <= 1.0
    people = data.draw(st.permutations(range(points.shape[0])))
    items = data.draw(st.permutations(range(points.shape[1])))
    shuffled = summarise_allocations(points[np.ix_(people, items)]).concordance.w
    assert (math.isnan(w) and math.isnan(shuffled)) or shuffled == pytest.approx(w)


# --- summary ------------------------------------------------------------------------


def test_each_item_gets_its_spread_of_points() -> None:
    summary = summarise_allocations(POINTS, DEPARTMENTS, ITEMS)
    assert summary.items == tuple(ITEMS)
    assert summary.mean == pytest.approx(POINTS.mean(axis=0))
    assert summary.median == pytest.approx([35.0, 30.0, 20.0, 10.0])
    assert summary.std == pytest.approx(POINTS.std(axis=0, ddof=1))
    assert summary.minimum == pytest.approx([10.0, 20.0, 20.0, 10.0])
    assert summary.maximum == pytest.approx([40.0, 35.0, 30.0, 40.0])
    q75, q25 = np.percentile(POINTS, [75, 25], axis=0)
    assert summary.iqr == pytest.approx(q75 - q25)


def test_the_pairs_that_disagree_most_come_first() -> None:
    pairs = summarise_allocations(POINTS, DEPARTMENTS, ITEMS).disagreements
    assert [(p.participant_a, p.participant_b) for p in pairs] == [
        ("sales", "finance"),
        ("finance", "operations"),
        ("sales", "operations"),
    ]
    # Sales would have to move 30 + 10 points to finance's allocation.
    assert pairs[0].points_moved == pytest.approx(40.0)
    assert pairs[0].spearman_rho == pytest.approx(-1.0)
    assert pairs[1].points_moved == pytest.approx(40.0)
    assert pairs[2].points_moved == pytest.approx(5.0)
    rho = stats.spearmanr(POINTS[1], POINTS[2]).statistic
    assert pairs[1].spearman_rho == pytest.approx(rho)
    assert (pairs[1].row_a, pairs[1].row_b) == (1, 2)


def test_equal_points_moved_put_the_less_correlated_pair_first() -> None:
    points = np.array([[50.0, 50.0, 0.0], [0.0, 50.0, 50.0], [50.0, 0.0, 50.0]])
    pairs = summarise_allocations(points).disagreements
    assert all(p.points_moved == pytest.approx(50.0) for p in pairs)
    rhos = [p.spearman_rho for p in pairs]
    assert rhos == sorted(rhos)


def test_a_participant_who_spread_points_evenly_has_no_rank_correlation() -> None:
    points = np.array([[25.0, 25.0, 25.0, 25.0], [40.0, 30.0, 20.0, 10.0]])
    pair = summarise_allocations(points).disagreements[0]
    assert math.isnan(pair.spearman_rho)
    assert pair.points_moved == pytest.approx(20.0)


def test_a_participant_without_an_allocation_is_left_out() -> None:
    with_missing = np.vstack([POINTS, np.full(4, NAN)])
    summary = summarise_allocations(with_missing, [*DEPARTMENTS, "hr"], ITEMS)
    reference = summarise_allocations(POINTS, DEPARTMENTS, ITEMS)
    assert summary.participants == tuple(DEPARTMENTS)
    assert summary.mean == pytest.approx(reference.mean)
    assert summary.concordance == reference.concordance
    assert summary.disagreements == reference.disagreements


def test_nobody_allocating_gives_missing_statistics() -> None:
    summary = summarise_allocations(np.full((2, 3), NAN))
    assert np.isnan(summary.mean).all() and np.isnan(summary.std).all()
    assert math.isnan(summary.concordance.w)
    assert summary.disagreements == ()
    assert np.isnan(agreed_weights(np.full((2, 3), NAN))).all()


def test_one_participant_has_no_spread_and_no_pairs() -> None:
    summary = summarise_allocations(POINTS[:1])
    assert summary.mean == pytest.approx(POINTS[0])
    assert np.isnan(summary.std).all()
    assert summary.disagreements == ()


def test_the_summary_is_json_ready() -> None:
    points = np.array([[25.0, 25.0, 25.0, 25.0], [40.0, 30.0, 20.0, 10.0]])
    text = json.dumps(summarise_allocations(points, ["a", "b"], ITEMS).as_dict(), allow_nan=False)
    loaded = json.loads(text)
    assert loaded["items"][0] == {
        "item": "growth",
        "mean": 32.5,
        "median": 32.5,
        "std": pytest.approx(np.std([25.0, 40.0], ddof=1)),
        "min": 25.0,
        "max": 40.0,
        "iqr": 7.5,
    }
    assert loaded["disagreements"][0]["spearman_rho"] is None


# --- validation ---------------------------------------------------------------------


def test_a_negative_allocation_is_refused_naming_the_participant() -> None:
    points = POINTS.copy()
    points[2] = [50.0, 60.0, -10.0, 0.0]
    with pytest.raises(EngineInputError, match=r"participant row 2 \(operations\).*negative"):
        summarise_allocations(points, DEPARTMENTS, ITEMS)


def test_a_row_not_summing_to_100_is_refused_naming_the_participant() -> None:
    points = POINTS.copy()
    points[1, 0] += 0.01
    with pytest.raises(EngineInputError, match=r"participant row 1 \(finance\) allocates 100.01"):
        summarise_allocations(points, DEPARTMENTS, ITEMS)


def test_rounding_within_a_millionth_of_a_point_is_accepted() -> None:
    points = np.array([[100 / 3, 100 / 3, 100 / 3 + 5e-7]])
    assert summarise_allocations(points).mean == pytest.approx(points[0])


@pytest.mark.parametrize(
    ("points", "participants", "items", "problem"),
    [
        (np.zeros(3), None, None, "2-D"),
        (np.zeros((0, 3)), None, None, "2-D"),
        (POINTS, ["a", "b"], None, "participant labels"),
        (POINTS, None, ["a", "b"], "item labels"),
        (POINTS, None, ["a", "a", "b", "c"], "unique"),
        (np.array([[math.inf, 0.0]]), None, None, "infinite"),
    ],
)
def test_malformed_workshops_are_refused(
    points: npt.NDArray[np.float64],
    participants: list[str] | None,
    items: list[str] | None,
    problem: str,
) -> None:
    with pytest.raises(EngineInputError, match=problem):
        summarise_allocations(points, participants, items)


# --- agreed weights -----------------------------------------------------------------


def test_mean_weights_are_the_average_share_of_points() -> None:
    assert agreed_weights(POINTS) == pytest.approx(POINTS.mean(axis=0) / 100.0)


def test_median_weights_are_renormalised_to_sum_to_one() -> None:
    medians = np.array([35.0, 30.0, 20.0, 10.0])
    assert agreed_weights(POINTS, "median") == pytest.approx(medians / medians.sum())


def test_median_weights_are_undefined_when_every_median_is_zero() -> None:
    points = np.array([[100.0, 0.0, 0.0], [0.0, 100.0, 0.0], [0.0, 0.0, 100.0]])
    assert np.isnan(agreed_weights(points, "median")).all()


def test_an_unknown_weighting_method_is_refused() -> None:
    with pytest.raises(EngineInputError, match="method"):
        agreed_weights(POINTS, "mode")  # type: ignore[arg-type]


def test_agreed_weights_validate_like_the_summary() -> None:
    with pytest.raises(EngineInputError, match="participant row 0"):
        agreed_weights([[60.0, 50.0]])


@settings(max_examples=60, deadline=None)
@given(allocations, st.sampled_from(["mean", "median"]))
def test_agreed_weights_are_non_negative_and_sum_to_one(rows: list[list[int]], method: str) -> None:
    weights = agreed_weights(_to_points(rows), method)  # type: ignore[arg-type]
    if np.isnan(weights).any():
        assert method == "median" and np.isnan(weights).all()
        return
    assert (weights >= 0).all()
    assert weights.sum() == pytest.approx(1.0)
