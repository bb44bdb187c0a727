"""Sums up the tree wait for every expected contribution: which subtrees are complete."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoreline.engine import subtrees
from scoreline.engine.aggregation import TreeAggregation, aggregate_tree_entries, ancestors_csr
from scoreline.engine.errors import EngineInputError
from scoreline.engine.subtrees import bottom_reporters, complete_subtrees, holder_depths

# The worked example of the issue: GRP > UK, DE; UK > UK-SAL, UK-OPS; a target at every unit.
GRP, UK, DE, UK_SAL, UK_OPS = range(5)
PARENT = [-1, GRP, GRP, UK, UK]
INDPTR, INDEX = ancestors_csr(PARENT)
EVERYONE = np.arange(5)
MONTH = np.zeros(5, dtype=np.int64)


def complete(units: list[int], held: dict[int, float]) -> list[bool]:
    """Whether each unit's sum may stand in the month, with ``held`` the values reported."""
    held_units = list(held)
    result = complete_subtrees(
        units, [0] * len(units), EVERYONE, MONTH, held_units, [0] * len(held), INDPTR, INDEX
    )
    return [bool(flag) for flag in result]


def sums(held: dict[int, float]) -> dict[int, float]:
    """Every unit's subtree sum, each value standing for its own subtree."""
    units, _, total = aggregate_tree_entries(
        list(held), [0] * len(held), list(held.values()), INDPTR, INDEX, TreeAggregation.SUM,
        stop_at_holders=True,
    )  # fmt: skip
    return dict(zip(units.tolist(), total.tolist(), strict=True))


def test_the_module_examples_hold() -> None:
    assert doctest.testmod(subtrees).failed == 0


def test_one_team_in_leaves_its_entity_and_the_group_without_a_sum() -> None:
    assert complete([UK, GRP], {UK_SAL: 40.0}) == [False, False]


def test_the_entity_is_summed_once_both_teams_are_in_and_the_group_waits_for_de() -> None:
    held = {UK_SAL: 40.0, UK_OPS: 25.0}
    assert complete([UK, GRP], held) == [True, False]
    assert sums(held)[UK] == 65.0


def test_de_reporting_its_own_total_completes_the_group_with_the_sum_of_all() -> None:
    held = {UK_SAL: 40.0, UK_OPS: 25.0, DE: 70.0}
    assert complete([UK, GRP], held) == [True, True]
    assert sums(held)[GRP] == 135.0


def test_a_total_reported_above_the_teams_covers_them() -> None:
    held = {UK: 66.0, DE: 70.0}
    assert complete([GRP], held) == [True]
    assert sums(held)[GRP] == 136.0


def test_a_total_and_its_parts_are_not_added_twice() -> None:
    held = {UK: 66.0, UK_SAL: 40.0, UK_OPS: 25.0, DE: 70.0}
    assert sums(held)[GRP] == 136.0


def test_a_value_above_a_unit_does_not_complete_the_unit() -> None:
    # The group's own total says nothing about how it splits: UK still waits for UK-OPS.
    assert complete([UK], {GRP: 200.0, UK_SAL: 40.0}) == [False]


def test_a_unit_expected_to_report_waits_for_its_own_value_whatever_lies_below() -> None:
    # Only DE and UK are expected; a team below UK reported, UK did not.
    expected = [UK, DE]
    result = complete_subtrees(
        [UK, GRP], [0, 0], expected, [0, 0], [UK_SAL, DE], [0, 0], INDPTR, INDEX
    )
    assert result.tolist() == [False, False]


def test_a_subtree_where_nobody_is_expected_has_nothing_to_wait_for() -> None:
    result = complete_subtrees([UK, GRP], [0, 0], [DE], [0], [UK_SAL], [0], INDPTR, INDEX)
    assert result.tolist() == [True, False]
    assert complete_subtrees([GRP], [0], [], [], [UK_SAL], [0], INDPTR, INDEX).tolist() == [True]


def test_months_are_judged_apart() -> None:
    result = complete_subtrees(
        [UK, UK], [0, 1], [UK_SAL, UK_OPS, UK_SAL], [0, 0, 1], [UK_SAL, UK_SAL], [0, 1],
        INDPTR, INDEX,
    )  # fmt: skip
    assert result.tolist() == [False, True]


def test_entries_that_are_not_integer_groups_of_one_length_are_refused() -> None:
    with pytest.raises(EngineInputError, match="groups must hold integers"):
        bottom_reporters([1], [0.5], INDPTR, INDEX)
    with pytest.raises(EngineInputError, match="one length"):
        holder_depths([1, 2], [0], [1], [0], INDPTR, INDEX)
    with pytest.raises(EngineInputError, match=">= 0"):
        complete_subtrees([1], [-1], [1], [0], [1], [0], INDPTR, INDEX)
    with pytest.raises(EngineInputError, match="unit"):
        bottom_reporters([9], [0], INDPTR, INDEX)


# --- against walking each subtree ------------------------------------------------


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[int], set[int], set[int]]:
    """A tree (parents before children), the units expected and the units holding values."""
    n = draw(st.integers(1, 9))
    parent = [-1] + [draw(st.integers(0, i - 1)) for i in range(1, n)]
    expected = draw(st.sets(st.integers(0, n - 1)))
    held = draw(st.sets(st.integers(0, n - 1)))
    return parent, expected, held


def _path_up(parent: list[int], unit: int) -> list[int]:
    path = [unit]
    while parent[path[-1]] >= 0:
        path.append(parent[path[-1]])
    return path


def _walked(parent: list[int], expected: set[int], held: set[int], unit: int) -> bool:
    """Complete by the definition: every expected unit at or below ``unit`` with no
    expected unit below it has a holder on its way up, before ``unit`` is reached."""
    below = [v for v in range(len(parent)) if unit in _path_up(parent, v)]
    bottom = [
        r
        for r in below
        if r in expected and not any(r in _path_up(parent, v)[1:] for v in expected)
    ]
    return all(
        any(h in held for h in _path_up(parent, r)[: _path_up(parent, r).index(unit)])
        for r in bottom
    )


@given(cases())
def test_completeness_matches_walking_each_subtree(
    case: tuple[list[int], set[int], set[int]],
) -> None:
    parent, expected, held = case
    indptr, index = ancestors_csr(parent)
    units = np.arange(len(parent))
    found = complete_subtrees(
        units, np.zeros(len(parent), dtype=np.int64), sorted(expected), [0] * len(expected),
        sorted(held), [0] * len(held), indptr, index,
    )  # fmt: skip
    assert found.tolist() == [_walked(parent, expected, held, u) for u in units.tolist()]


@given(cases(), st.lists(st.floats(-1e3, 1e3), min_size=9, max_size=9))
def test_a_sum_stopping_at_holders_adds_the_values_nearest_to_each_unit(
    case: tuple[list[int], set[int], set[int]], numbers: list[float]
) -> None:
    parent, _, held = case
    indptr, index = ancestors_csr(parent)
    holders = sorted(held)
    units, _, total = aggregate_tree_entries(
        holders, [0] * len(holders), [numbers[h] for h in holders], indptr, index,
        TreeAggregation.SUM, stop_at_holders=True,
    )  # fmt: skip
    got = dict(zip(units.tolist(), total.tolist(), strict=True))
    for unit in range(len(parent)):
        # The holders at or below the unit with no holder after them up to the unit, itself
        # included (a unit holding a value gets its own).
        nearest = [
            h
            for h in holders
            if unit in (path := _path_up(parent, h))
            and not any(v in held for v in path[1 : path.index(unit) + 1])
        ]
        if nearest:
            assert got[unit] == pytest.approx(sum(numbers[h] for h in nearest))
        else:
            assert unit not in got
