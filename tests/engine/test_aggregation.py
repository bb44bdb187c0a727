from __future__ import annotations

import math
from random import Random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.typing import NDArray

from scoreline.engine.aggregation import (
    TimeAggregation,
    TreeAggregation,
    aggregate_time,
    aggregate_tree,
    aggregate_tree_entries,
    ancestors_csr,
)
from scoreline.engine.errors import EngineInputError

NAN = math.nan
MONTHS = np.array([10.0, 20.0, NAN, 40.0, NAN, 60.0, NAN, NAN, NAN, 5.0, 15.0, 10.0])
QUARTER = np.repeat(np.arange(4), 3)


# --- time -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        (TimeAggregation.SUM, [30.0, 100.0, NAN, 30.0]),
        (TimeAggregation.AVERAGE, [15.0, 50.0, NAN, 10.0]),
        (TimeAggregation.LAST, [20.0, 60.0, NAN, 10.0]),
        (TimeAggregation.MIN, [10.0, 40.0, NAN, 5.0]),
        (TimeAggregation.MAX, [20.0, 60.0, NAN, 15.0]),
    ],
)
def test_months_fold_into_quarters_ignoring_missing_months(
    how: TimeAggregation, expected: list[float]
) -> None:
    result = aggregate_time(MONTHS, QUARTER, 4, how)
    assert np.array_equal(result, expected, equal_nan=True)


def test_a_group_without_periods_is_missing() -> None:
    result = aggregate_time([1.0, 2.0], [0, 2], 3, TimeAggregation.SUM)
    assert np.array_equal(result, [1.0, NAN, 2.0], equal_nan=True)


def test_last_takes_the_greatest_order_not_the_last_column() -> None:
    result = aggregate_time([7.0, 9.0, 8.0], [0, 0, 0], 1, TimeAggregation.LAST, order=[3, 1, 2])
    assert result.tolist() == [7.0]


def test_last_breaks_ties_in_order_by_the_later_column() -> None:
    result = aggregate_time([7.0, 9.0], [0, 0], 1, TimeAggregation.LAST, order=[1, 1])
    assert result.tolist() == [9.0]


def test_last_leaves_out_periods_without_an_order() -> None:
    result = aggregate_time([7.0, 9.0], [0, 0], 1, TimeAggregation.LAST, order=[1, NAN])
    assert result.tolist() == [7.0]
    alone = aggregate_time([NAN, 9.0], [0, 0], 1, TimeAggregation.LAST, order=[1, NAN])
    assert math.isnan(alone[0])


def test_each_series_can_have_its_own_time_rule() -> None:
    values = np.vstack([MONTHS, MONTHS * 2])
    result = aggregate_time(
        values, QUARTER, 4, np.array([TimeAggregation.LAST, TimeAggregation.SUM])
    )
    assert np.array_equal(
        result, [[20.0, 60.0, NAN, 10.0], [60.0, 200.0, NAN, 60.0]], equal_nan=True
    )


def test_no_periods_give_missing_groups() -> None:
    result = aggregate_time(np.zeros((2, 0)), np.zeros(0, dtype=int), 2, TimeAggregation.SUM)
    assert result.shape == (2, 2)
    assert np.isnan(result).all()


def test_a_group_index_out_of_range_is_refused() -> None:
    with pytest.raises(EngineInputError, match=r"group_index\[1\] = 4 is outside 0..3"):
        aggregate_time([1.0, 2.0], [0, 4], 4, TimeAggregation.SUM)


def test_a_group_index_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(EngineInputError, match="group_index has 1 entries"):
        aggregate_time([1.0, 2.0], [0], 1, TimeAggregation.SUM)


def test_an_unknown_time_rule_is_refused() -> None:
    with pytest.raises(EngineInputError, match="7 is not a TimeAggregation code"):
        aggregate_time([1.0], [0], 1, 7)


def test_one_rule_per_series_needs_series() -> None:
    with pytest.raises(EngineInputError, match="one code or one per series"):
        aggregate_time([1.0, 2.0], [0, 0], 1, [1, 2])


def _reference_time(
    values: NDArray[np.float64], groups: NDArray[np.intp], n_groups: int, how: TimeAggregation
) -> list[float]:
    out = []
    for group in range(n_groups):
        present = [value for value, g in zip(values, groups, strict=True) if g == group]
        present = [value for value in present if not math.isnan(value)]
        if not present:
            out.append(NAN)
        elif how == TimeAggregation.SUM:
            out.append(math.fsum(present))
        elif how == TimeAggregation.AVERAGE:
            out.append(math.fsum(present) / len(present))
        elif how == TimeAggregation.LAST:
            out.append(present[-1])
        elif how == TimeAggregation.MIN:
            out.append(min(present))
        else:
            out.append(max(present))
    return out


periods = st.lists(
    st.tuples(st.one_of(st.just(NAN), st.floats(-1e6, 1e6)), st.integers(0, 4)), max_size=20
)


@given(periods, st.sampled_from(list(TimeAggregation)))
def test_time_aggregation_matches_a_plain_loop(
    rows: list[tuple[float, int]], how: TimeAggregation
) -> None:
    values = np.array([value for value, _ in rows])
    groups = np.array([group for _, group in rows], dtype=np.intp)
    result = aggregate_time(values, groups, 5, how)
    assert np.allclose(result, _reference_time(values, groups, 5, how), equal_nan=True)


@given(periods, st.sampled_from(list(TimeAggregation)), st.randoms(use_true_random=False))
def test_shuffling_periods_with_their_order_changes_nothing(
    rows: list[tuple[float, int]], how: TimeAggregation, random: Random
) -> None:
    values = np.array([value for value, _ in rows])
    groups = np.array([group for _, group in rows], dtype=np.intp)
    shuffle = list(range(len(rows)))
    random.shuffle(shuffle)
    order = np.arange(len(rows), dtype=np.float64)
    before = aggregate_time(values, groups, 5, how, order=order)
    after = aggregate_time(values[shuffle], groups[shuffle], 5, how, order=order[shuffle])
    assert np.allclose(before, after, equal_nan=True)


@given(periods)
def test_the_average_lies_between_the_minimum_and_the_maximum(
    rows: list[tuple[float, int]],
) -> None:
    values = np.array([value for value, _ in rows])
    groups = np.array([group for _, group in rows], dtype=np.intp)
    low = aggregate_time(values, groups, 5, TimeAggregation.MIN)
    mean = aggregate_time(values, groups, 5, TimeAggregation.AVERAGE)
    high = aggregate_time(values, groups, 5, TimeAggregation.MAX)
    seen = ~np.isnan(mean)
    assert np.array_equal(seen, ~np.isnan(low))
    assert (low[seen] - 1e-6 <= mean[seen]).all()
    assert (mean[seen] <= high[seen] + 1e-6).all()


# --- tree -------------------------------------------------------------------------

#        0
#      /   \
#     1     2
#    / \     \
#   3   4     5
PARENT = np.array([-1, 0, 0, 1, 1, 2])


def test_ancestors_list_the_unit_first_then_up_to_the_root() -> None:
    indptr, index = ancestors_csr(PARENT)
    lists = [index[indptr[unit] : indptr[unit + 1]].tolist() for unit in range(6)]
    assert lists == [[0], [1, 0], [2, 0], [3, 1, 0], [4, 1, 0], [5, 2, 0]]


def test_a_forest_keeps_its_trees_apart() -> None:
    indptr, index = ancestors_csr([-1, -1, 1])
    assert indptr.tolist() == [0, 1, 2, 4]
    assert index.tolist() == [0, 1, 2, 1]


def test_parents_in_a_cycle_are_refused_naming_a_unit_on_it() -> None:
    with pytest.raises(EngineInputError, match=r"cycle through unit [12]$"):
        ancestors_csr([-1, 2, 1, 2])


def test_a_parent_out_of_range_is_refused() -> None:
    with pytest.raises(EngineInputError, match=r"parent\[1\] = 5 is outside -1..2"):
        ancestors_csr([-1, 5, 0])


VALUES = np.array([NAN, 10.0, 40.0, 20.0, NAN, 30.0])
HEADCOUNT = np.array([5.0, 1.0, 3.0, 2.0, 4.0, 1.0])


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        (TreeAggregation.SUM, [100.0, 30.0, 70.0, 20.0, NAN, 30.0]),
        (TreeAggregation.AVERAGE, [25.0, 15.0, 35.0, 20.0, NAN, 30.0]),
        # Unit 0: (10*1 + 40*3 + 20*2 + 30*1) / (1 + 3 + 2 + 1) = 200 / 7.
        (TreeAggregation.HEADCOUNT_WEIGHTED, [200 / 7, 50 / 3, 150 / 4, 20.0, NAN, 30.0]),
        (TreeAggregation.MIN, [10.0, 10.0, 30.0, 20.0, NAN, 30.0]),
        (TreeAggregation.MAX, [40.0, 20.0, 40.0, 20.0, NAN, 30.0]),
        (TreeAggregation.NONE, VALUES.tolist()),
    ],
)
def test_every_unit_aggregates_its_whole_subtree(
    how: TreeAggregation, expected: list[float]
) -> None:
    indptr, index = ancestors_csr(PARENT)
    result = aggregate_tree(VALUES, indptr, index, how, headcount=HEADCOUNT)
    assert np.allclose(result, expected, equal_nan=True, rtol=1e-14, atol=0)


def test_periods_aggregate_up_the_tree_as_columns() -> None:
    indptr, index = ancestors_csr(PARENT)
    both = np.column_stack([VALUES, VALUES * 2])
    result = aggregate_tree(both, indptr, index, TreeAggregation.SUM)
    assert np.array_equal(result[:, 1], 2 * result[:, 0], equal_nan=True)


def test_a_unit_without_headcount_is_left_out_of_the_weighted_mean() -> None:
    indptr, index = ancestors_csr([-1, 0, 0])
    result = aggregate_tree(
        [NAN, 80.0, 20.0], indptr, index, TreeAggregation.HEADCOUNT_WEIGHTED, [1.0, 3.0, NAN]
    )
    assert result[0] == 80.0
    assert math.isnan(result[2])


def test_a_headcount_weighted_mean_without_headcount_is_refused() -> None:
    indptr, index = ancestors_csr(PARENT)
    with pytest.raises(EngineInputError, match="needs a headcount"):
        aggregate_tree(VALUES, indptr, index, TreeAggregation.HEADCOUNT_WEIGHTED)


def test_a_negative_headcount_is_refused() -> None:
    indptr, index = ancestors_csr([-1, 0])
    with pytest.raises(EngineInputError, match="headcount must be finite and >= 0"):
        aggregate_tree([1.0, 2.0], indptr, index, TreeAggregation.HEADCOUNT_WEIGHTED, [1, -1])


def test_an_ancestor_list_without_the_unit_itself_is_refused() -> None:
    with pytest.raises(EngineInputError, match="unit 1's ancestors must list the unit itself"):
        aggregate_tree([1.0, 2.0], [0, 1, 2], [0, 0], TreeAggregation.SUM)


def test_an_ancestor_listed_twice_is_refused() -> None:
    with pytest.raises(EngineInputError, match="unit 1 lists ancestor 0 twice"):
        aggregate_tree([1.0, 2.0], [0, 1, 4], [0, 1, 0, 0], TreeAggregation.SUM)


def test_ancestor_rows_that_do_not_match_the_units_are_refused() -> None:
    with pytest.raises(EngineInputError, match="must have 3 entries"):
        aggregate_tree([1.0, 2.0], [0, 2], [0, 1], TreeAggregation.SUM)


def test_an_unknown_tree_rule_is_refused() -> None:
    indptr, index = ancestors_csr([-1])
    with pytest.raises(EngineInputError, match="0 is not a TreeAggregation code"):
        aggregate_tree([1.0], indptr, index, 0)


@st.composite
def forests(draw: st.DrawFn) -> NDArray[np.intp]:
    """A random forest: each unit's parent comes earlier, then the labels shuffled."""
    n_units = draw(st.integers(1, 12))
    earlier = [draw(st.integers(-1, unit - 1)) for unit in range(n_units)]
    relabel = draw(st.permutations(range(n_units)))
    parent = np.full(n_units, -1, dtype=np.intp)
    for unit, up in enumerate(earlier):
        parent[relabel[unit]] = -1 if up < 0 else relabel[up]
    return parent


def _subtree(parent: NDArray[np.intp], top: int) -> list[int]:
    members = []
    for unit in range(parent.size):
        walker = unit
        while walker >= 0 and walker != top:
            walker = int(parent[walker])
        if walker == top:
            members.append(unit)
    return members


@given(forests(), st.data(), st.sampled_from(list(TreeAggregation)))
def test_tree_aggregation_matches_walking_each_subtree(
    parent: NDArray[np.intp], data: st.DataObject, how: TreeAggregation
) -> None:
    n_units = parent.size
    values = np.array(
        data.draw(
            st.lists(
                st.one_of(st.just(NAN), st.floats(0.0, 100.0)), min_size=n_units, max_size=n_units
            )
        )
    )
    headcount = np.array(
        data.draw(st.lists(st.floats(0.5, 50.0), min_size=n_units, max_size=n_units))
    )
    indptr, index = ancestors_csr(parent)
    result = aggregate_tree(values, indptr, index, how, headcount=headcount)
    for unit in range(n_units):
        members = [m for m in _subtree(parent, unit) if not math.isnan(values[m])]
        if how == TreeAggregation.NONE:
            expected = values[unit]
        elif not members:
            expected = NAN
        elif how == TreeAggregation.SUM:
            expected = math.fsum(values[members])
        elif how == TreeAggregation.AVERAGE:
            expected = math.fsum(values[members]) / len(members)
        elif how == TreeAggregation.HEADCOUNT_WEIGHTED:
            expected = math.fsum(values[members] * headcount[members]) / math.fsum(
                headcount[members]
            )
        elif how == TreeAggregation.MIN:
            expected = min(values[members])
        else:
            expected = max(values[members])
        assert np.allclose(result[unit], expected, equal_nan=True), (unit, how)


@given(forests(), st.data(), st.sampled_from(list(TreeAggregation)))
def test_sparse_entries_aggregate_as_the_dense_grid_does(
    parent: NDArray[np.intp], data: st.DataObject, how: TreeAggregation
) -> None:
    n_units, n_groups = parent.size, 3
    cell = st.one_of(st.just(NAN), st.floats(0.0, 100.0))
    grid = np.array(
        data.draw(
            st.lists(
                st.lists(cell, min_size=n_groups, max_size=n_groups),
                min_size=n_units,
                max_size=n_units,
            )
        )
    )
    headcount = np.array(
        data.draw(st.lists(st.floats(0.0, 50.0), min_size=n_units, max_size=n_units))
    )
    indptr, index = ancestors_csr(parent)
    dense = aggregate_tree(grid, indptr, index, how, headcount=headcount)
    unit, group = np.nonzero(np.ones_like(grid, dtype=bool))
    shuffle = np.array(data.draw(st.permutations(range(unit.size))), dtype=np.intp)
    unit, group = unit[shuffle], group[shuffle]
    got_unit, got_group, got = aggregate_tree_entries(
        unit, group, grid[unit, group], indptr, index, how, headcount=headcount
    )
    sparse = np.full_like(grid, NAN)
    sparse[got_unit, got_group] = got
    assert np.allclose(sparse, dense, equal_nan=True)
    # Only (unit, group) pairs whose subtree holds a value come back, sorted by group.
    assert not np.isnan(grid[unit, group]).all() or got.size == 0
    assert (np.diff(got_group * n_units + got_unit) > 0).all()


def test_sparse_entries_check_their_lengths_and_the_tree() -> None:
    indptr, index = ancestors_csr([-1, 0])
    with pytest.raises(EngineInputError, match="one element per entry"):
        aggregate_tree_entries([1], [0, 0], [1.0], indptr, index, TreeAggregation.SUM)
    with pytest.raises(EngineInputError, match="unit"):
        aggregate_tree_entries([2], [0], [1.0], indptr, index, TreeAggregation.SUM)
    with pytest.raises(EngineInputError, match="itself"):
        aggregate_tree_entries([1], [0], [1.0], [0, 1, 2], [0, 0], TreeAggregation.SUM)
