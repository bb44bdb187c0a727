from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from pathlib import Path
from random import Random
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from scoreline.engine import rollup as rollup_module
from scoreline.engine.errors import EngineInputError
from scoreline.engine.rollup import (
    Combine,
    Missing,
    RollupPlan,
    affected_nodes,
    rollup,
    rollup_subset,
)

GOLDEN = Path(__file__).parent / "golden"


@dataclass(frozen=True)
class Scorecard:
    n_nodes: int
    child: NDArray[np.intp]
    parent: NDArray[np.intp]
    weight: NDArray[np.float64]
    combine: NDArray[np.int8]
    missing: NDArray[np.int8]
    cap: NDArray[np.float64]

    def plan(self) -> RollupPlan:
        return RollupPlan(
            self.n_nodes,
            self.child,
            self.parent,
            self.weight,
            self.combine,
            self.missing,
            self.cap,
        )


@dataclass(frozen=True)
class NamedCard:
    names: list[str]
    plan: RollupPlan
    leaves: NDArray[np.float64]

    def score(self, result: NDArray[np.float64], name: str) -> float:
        return float(result[self.names.index(name)])


def _named_card(case: dict[str, Any]) -> NamedCard:
    names = [node["name"] for node in case["nodes"]]
    if "children_of_every_parent" in case:
        parents = [node["name"] for node in case["nodes"] if "combine" in node]
        edges = [
            {"child": child, "parent": parent, "weight": weight}
            for parent in parents
            for child, weight in case["children_of_every_parent"]
        ]
    else:
        edges = case["edges"]
    nodes = case["nodes"]

    def cap(node: dict[str, Any]) -> float:
        value = node.get("cap", 100.0)
        return math.inf if value is None else float(value)

    plan = RollupPlan(
        len(names),
        [names.index(edge["child"]) for edge in edges],
        [names.index(edge["parent"]) for edge in edges],
        [edge["weight"] for edge in edges],
        [Combine[node.get("combine", "WEIGHTED_MEAN")] for node in nodes],
        [Missing[node.get("missing", "SKIP")] for node in nodes],
        [cap(node) for node in nodes],
    )
    leaves = np.array([np.nan if node.get("leaf") is None else node["leaf"] for node in nodes])
    return NamedCard(names, plan, leaves)


def _golden(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((GOLDEN / name).read_text())
    return loaded


FRAPPE = _golden("rollup_frappe_hrms_appraisal.json")
HAND = _golden("rollup_hand_checked.json")


@pytest.mark.parametrize("case", FRAPPE["cases"], ids=lambda case: case["frappe_test"])
def test_frappe_hrms_appraisal_scores_are_reproduced_by_weighted_means(
    case: dict[str, Any],
) -> None:
    card = _named_card(case)
    result = card.plan.apply(card.leaves)
    for row in case["expected"]:
        ours = card.score(result, row["node"]) * row["frappe_per_point"]
        tolerance = 0.5 * 10.0 ** -row["decimals"] + 1e-12
        assert abs(ours - row["frappe_value"]) <= tolerance, (row, ours)


@pytest.mark.parametrize("case", HAND["cases"], ids=lambda case: case["name"])
def test_hand_checked_roll_ups_come_out_as_worked_on_paper(case: dict[str, Any]) -> None:
    card = _named_card(case)
    result = card.plan.apply(card.leaves)
    for name, expected in case["expected"].items():
        if expected is None:
            assert math.isnan(card.score(result, name)), name
        else:
            assert card.score(result, name) == pytest.approx(expected, abs=1e-12), name


def test_hand_checked_cases_cover_every_combine_and_missing_pair() -> None:
    covered = {
        (node["combine"], node["missing"])
        for case in HAND["cases"]
        for node in case["nodes"]
        if "combine" in node
    }
    assert covered == {(combine.name, missing.name) for combine in Combine for missing in Missing}


# --- behaviour --------------------------------------------------------------------


def test_a_childless_node_keeps_its_leaf_score_and_a_parent_ignores_its_own() -> None:
    result = rollup(3, [40.0, 50.0, 99.0], [0], [2], [1.0])
    assert result.tolist() == [40.0, 50.0, 40.0]


def test_a_nan_weight_blanks_only_its_parent() -> None:
    result = rollup(4, [40.0, 60.0, np.nan, np.nan], [0, 1, 0], [2, 2, 3], [1.0, np.nan, 1.0])
    assert math.isnan(result[2])
    assert result[3] == 40.0


def test_a_nan_cap_blanks_its_node() -> None:
    result = rollup(2, [40.0, np.nan], [0], [1], [1.0], node_cap=[100.0, np.nan])
    assert result[0] == 40.0
    assert math.isnan(result[1])


def test_an_empty_scorecard_rolls_up_to_nothing() -> None:
    plan = RollupPlan(0, [], [], [])
    assert plan.n_levels == 0
    assert plan.apply(np.zeros(0)).shape == (0,)
    assert plan.apply(np.zeros((0, 3))).shape == (0, 3)


def test_levels_follow_the_longest_path_down() -> None:
    # 0 -> 1 -> 3 and 2 -> 3: node 3 sits above its highest child.
    plan = RollupPlan(4, [0, 1, 2], [1, 3, 3], 1.0)
    assert plan.levels.tolist() == [0, 1, 0, 2]
    assert plan.n_levels == 3


def test_periods_are_rolled_up_together_as_columns() -> None:
    plan = RollupPlan(3, [0, 1], [2, 2], [1.0, 3.0], node_combine=Combine.MINIMUM)
    leaves = np.array([[40.0, 90.0], [80.0, np.nan], [np.nan, np.nan]])
    assert plan.apply(leaves)[2].tolist() == [40.0, 90.0]


def test_many_periods_in_small_blocks_give_the_same_result_in_place_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(3)
    card = _random_card(rng, 60)
    leaves = rng.uniform(0, 100, (60, 7))
    leaves[rng.random((60, 7)) < 0.2] = np.nan
    whole = card.plan().apply(leaves)
    # One period per block: the blocks are rolled up side by side on threads.
    monkeypatch.setattr(rollup_module, "_BLOCK_ELEMENTS", 1)
    assert np.array_equal(card.plan().apply(leaves), whole, equal_nan=True)
    returned = card.plan().apply(leaves, inplace=True)
    assert np.shares_memory(returned, leaves)
    assert np.array_equal(leaves, whole, equal_nan=True)


def test_an_inplace_roll_up_of_a_list_is_refused() -> None:
    plan = RollupPlan(2, [0], [1], 1.0)
    with pytest.raises(EngineInputError, match="leaf_scores as a float64 ndarray"):
        plan.apply([1.0, 2.0], inplace=True)


def test_an_incremental_recompute_touches_only_the_changed_branch() -> None:
    plan = RollupPlan(6, [0, 1, 2, 3, 4], [4, 4, 5, 5, 5], 1.0)
    assert affected_nodes(plan, [0]).tolist() == [0, 4, 5]
    assert affected_nodes(plan, [2, 3]).tolist() == [2, 3, 5]
    assert affected_nodes(plan, []).tolist() == []


def test_an_inplace_recompute_writes_into_the_given_array() -> None:
    plan = RollupPlan(3, [0, 1], [2, 2], 1.0)
    current = plan.apply([[40.0], [60.0], [np.nan]])
    current[0, 0] = 80.0
    returned = rollup_subset(plan, current, affected_nodes(plan, [0]), inplace=True)
    assert current[2, 0] == 70.0
    assert np.shares_memory(returned, current)


def test_an_inplace_recompute_of_a_list_is_refused() -> None:
    plan = RollupPlan(2, [0], [1], 1.0)
    with pytest.raises(EngineInputError, match="float64 ndarray"):
        rollup_subset(plan, [1.0, 2.0], [1], inplace=True)


# --- refusals ---------------------------------------------------------------------


def test_a_negative_weight_is_refused_naming_the_parent() -> None:
    with pytest.raises(EngineInputError, match="parent 2: child weights must be >= 0"):
        RollupPlan(3, [0, 1], [2, 2], [1.0, -1.0])


def test_all_zero_weights_are_refused_naming_the_parent() -> None:
    with pytest.raises(EngineInputError, match="parent 3: its child weights are all zero"):
        RollupPlan(4, [0, 1, 0], [2, 3, 3], [1.0, 0.0, 0.0])


def test_an_infinite_weight_is_refused_naming_the_parent() -> None:
    with pytest.raises(EngineInputError, match="parent 1: child weights must be finite"):
        RollupPlan(2, [0], [1], [np.inf])


def test_a_cycle_is_refused_naming_a_node_on_it() -> None:
    # 4 -> 0 -> 1 -> 2 -> 0 and 2 -> 3: only 0, 1 and 2 are on the cycle.
    with pytest.raises(EngineInputError, match=r"cycle through node [012]$"):
        RollupPlan(5, [4, 0, 1, 2, 2], [0, 1, 2, 0, 3], 1.0)


def test_a_node_that_is_its_own_child_is_a_cycle() -> None:
    with pytest.raises(EngineInputError, match=r"cycle through node 1$"):
        RollupPlan(2, [0, 1], [1, 1], 1.0)


def test_a_repeated_edge_is_refused() -> None:
    with pytest.raises(EngineInputError, match="from child 0 to parent 1 appears twice"):
        RollupPlan(2, [0, 0], [1, 1], 1.0)


def test_an_edge_to_an_unknown_node_is_refused() -> None:
    with pytest.raises(EngineInputError, match=r"edge_parent\[1\] = 7 is not a node index"):
        RollupPlan(3, [0, 1], [2, 7], 1.0)


def test_edge_arrays_of_different_lengths_are_refused() -> None:
    with pytest.raises(EngineInputError, match="edge_child has 2 edges but edge_parent has 1"):
        RollupPlan(3, [0, 1], [2], 1.0)


def test_an_unknown_combine_code_is_refused() -> None:
    with pytest.raises(EngineInputError, match=r"node_combine\[1\] = 9 is not a Combine code"):
        RollupPlan(2, [0], [1], 1.0, node_combine=[1, 9])


def test_leaf_scores_of_the_wrong_length_are_refused() -> None:
    plan = RollupPlan(3, [0], [2], 1.0)
    with pytest.raises(EngineInputError, match="leaf_scores must have shape"):
        plan.apply([1.0, 2.0])


def test_fractional_node_indices_are_refused() -> None:
    with pytest.raises(EngineInputError, match="integer node indices"):
        RollupPlan(2, [0.5], [1], 1.0)


# --- properties -------------------------------------------------------------------


def _random_card(rng: np.random.Generator, n_nodes: int) -> Scorecard:
    """A random DAG: edges from lower to higher indices, then the labels shuffled."""
    lows, highs = np.triu_indices(n_nodes, k=1)
    keep = rng.random(lows.size) < min(1.0, 3.0 / n_nodes)
    relabel = rng.permutation(n_nodes)
    child, parent = relabel[lows[keep]], relabel[highs[keep]]
    return Scorecard(
        n_nodes,
        child.astype(np.intp),
        parent.astype(np.intp),
        rng.uniform(0.1, 10.0, child.size),
        rng.integers(1, 4, n_nodes).astype(np.int8),
        rng.integers(1, 4, n_nodes).astype(np.int8),
        np.where(rng.random(n_nodes) < 0.3, rng.uniform(20, 120, n_nodes), 100.0),
    )


scores = st.one_of(st.just(math.nan), st.floats(0.0, 100.0))


@st.composite
def scorecards(draw: st.DrawFn) -> Scorecard:
    n_nodes = draw(st.integers(1, 9))
    pairs = [(low, high) for high in range(n_nodes) for low in range(high)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True)) if pairs else []
    relabel = draw(st.permutations(range(n_nodes)))
    n_edges = len(chosen)
    return Scorecard(
        n_nodes,
        np.array([relabel[low] for low, _ in chosen], dtype=np.intp),
        np.array([relabel[high] for _, high in chosen], dtype=np.intp),
        np.array(draw(st.lists(st.floats(0.1, 10.0), min_size=n_edges, max_size=n_edges))),
        np.array(
            draw(st.lists(st.sampled_from(list(Combine)), min_size=n_nodes, max_size=n_nodes)),
            dtype=np.int8,
        ),
        np.array(
            draw(st.lists(st.sampled_from(list(Missing)), min_size=n_nodes, max_size=n_nodes)),
            dtype=np.int8,
        ),
        np.array(
            draw(
                st.lists(
                    st.sampled_from([100.0, math.inf, 50.0]), min_size=n_nodes, max_size=n_nodes
                )
            )
        ),
    )


@st.composite
def cards_with_leaves(draw: st.DrawFn) -> tuple[Scorecard, NDArray[np.float64]]:
    card = draw(scorecards())
    leaves = draw(st.lists(scores, min_size=card.n_nodes, max_size=card.n_nodes))
    return card, np.array(leaves)


def _close(left: NDArray[np.float64], right: NDArray[np.float64]) -> bool:
    return bool(np.allclose(left, right, rtol=1e-9, atol=1e-9, equal_nan=True))


@given(cards_with_leaves(), st.floats(1e-3, 1e3), st.data())
def test_scaling_one_parents_weights_changes_nothing(
    card_and_leaves: tuple[Scorecard, NDArray[np.float64]], factor: float, data: st.DataObject
) -> None:
    card, leaves = card_and_leaves
    chosen = data.draw(st.integers(0, card.n_nodes - 1))
    scaled = replace(
        card, weight=np.where(card.parent == chosen, card.weight * factor, card.weight)
    )
    assert _close(scaled.plan().apply(leaves), card.plan().apply(leaves))


@given(cards_with_leaves(), st.randoms(use_true_random=False))
def test_the_order_of_the_edges_changes_nothing(
    card_and_leaves: tuple[Scorecard, NDArray[np.float64]], random: Random
) -> None:
    card, leaves = card_and_leaves
    order = list(range(card.child.size))
    random.shuffle(order)
    shuffled = replace(
        card, child=card.child[order], parent=card.parent[order], weight=card.weight[order]
    )
    assert np.array_equal(shuffled.plan().apply(leaves), card.plan().apply(leaves), equal_nan=True)


@given(
    st.sampled_from([Combine.WEIGHTED_MEAN, Combine.MINIMUM]),
    st.sampled_from(list(Missing)),
    st.floats(0.0, 100.0),
    st.lists(st.floats(0.01, 100.0), min_size=1, max_size=12),
)
def test_equal_children_give_the_parent_their_score(
    combine: Combine, missing: Missing, score: float, weights: list[float]
) -> None:
    n_children = len(weights)
    result = rollup(
        n_children + 1,
        [score] * n_children + [math.nan],
        list(range(n_children)),
        [n_children] * n_children,
        weights,
        combine,
        missing,
    )
    assert result[-1] == pytest.approx(score, rel=1e-12, abs=1e-12)


@given(st.lists(st.tuples(scores, st.floats(0.01, 100.0)), min_size=1, max_size=12))
def test_a_weighted_mean_lies_between_its_lowest_and_highest_child(
    children: list[tuple[float, float]],
) -> None:
    values = np.array([value for value, _ in children])
    n_children = values.size
    result = rollup(
        n_children + 1,
        [*values, math.nan],
        list(range(n_children)),
        [n_children] * n_children,
        [weight for _, weight in children],
        Combine.WEIGHTED_MEAN,
        Missing.SKIP,
    )[-1]
    present = values[~np.isnan(values)]
    if present.size == 0:
        assert math.isnan(result)
    else:
        assert present.min() - 1e-9 <= result <= present.max() + 1e-9


@given(scorecards(), st.data())
def test_skip_and_zero_agree_when_nothing_is_missing(card: Scorecard, data: st.DataObject) -> None:
    leaves = np.array(
        data.draw(st.lists(st.floats(0.0, 100.0), min_size=card.n_nodes, max_size=card.n_nodes))
    )
    skipping = replace(card, missing=np.full(card.n_nodes, Missing.SKIP, dtype=np.int8))
    zeroing = replace(card, missing=np.full(card.n_nodes, Missing.ZERO, dtype=np.int8))
    assert _close(skipping.plan().apply(leaves), zeroing.plan().apply(leaves))


@given(cards_with_leaves())
def test_no_node_scores_above_its_cap(
    card_and_leaves: tuple[Scorecard, NDArray[np.float64]],
) -> None:
    card, leaves = card_and_leaves
    result = card.plan().apply(leaves)
    scored = ~np.isnan(result)
    assert (result[scored] <= card.cap[scored]).all()


@given(cards_with_leaves(), st.data())
def test_an_incremental_recompute_equals_a_full_roll_up(
    card_and_leaves: tuple[Scorecard, NDArray[np.float64]], data: st.DataObject
) -> None:
    card, leaves = card_and_leaves
    plan = card.plan()
    current = plan.apply(leaves)
    changed = data.draw(st.lists(st.integers(0, card.n_nodes - 1), max_size=3, unique=True))
    new_values = data.draw(st.lists(scores, min_size=len(changed), max_size=len(changed)))
    new_leaves = leaves.copy()
    new_leaves[changed] = new_values
    current[changed] = new_values
    recomputed = rollup_subset(plan, current, affected_nodes(plan, changed))
    assert np.array_equal(recomputed, plan.apply(new_leaves), equal_nan=True)


@settings(max_examples=50)
@given(cards_with_leaves(), st.data())
def test_a_two_dimensional_roll_up_equals_one_roll_up_per_period(
    card_and_leaves: tuple[Scorecard, NDArray[np.float64]], data: st.DataObject
) -> None:
    card, first = card_and_leaves
    second = np.array(data.draw(st.lists(scores, min_size=card.n_nodes, max_size=card.n_nodes)))
    plan = card.plan()
    together = plan.apply(np.column_stack([first, second]))
    assert np.array_equal(together[:, 0], plan.apply(first), equal_nan=True)
    assert np.array_equal(together[:, 1], plan.apply(second), equal_nan=True)
