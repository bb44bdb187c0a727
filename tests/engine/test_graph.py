from __future__ import annotations

import doctest
import pickle
import random
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoreline.engine import graph
from scoreline.engine.errors import EngineInputError
from scoreline.engine.graph import (
    CycleError,
    ancestors,
    descendants,
    find_cycle,
    topological_order,
)

KEYS = st.sampled_from([f"k{index}" for index in range(8)])
EDGE_LISTS = st.lists(st.tuples(KEYS, KEYS), max_size=20)


@st.composite
def acyclic_edges(draw: st.DrawFn) -> list[tuple[str, str]]:
    """Edges that only run from a lower rank to a higher one, so never a cycle."""
    ranks = draw(st.permutations([f"k{index}" for index in range(8)]))
    pairs = draw(
        st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)).filter(lambda p: p[0] < p[1]))
    )
    return [(ranks[low], ranks[high]) for low, high in pairs]


def test_the_module_examples_run() -> None:
    assert doctest.testmod(graph).failed == 0


def test_dependencies_come_first() -> None:
    edges = [("revenue", "margin"), ("cost", "margin"), ("margin", "bonus")]

    assert topological_order(["bonus", "cost", "margin", "revenue"], edges) == [
        "cost",
        "revenue",
        "margin",
        "bonus",
    ]


def test_keys_only_named_in_edges_are_ordered_too() -> None:
    assert topological_order([], [("a", "b")]) == ["a", "b"]


def test_unconnected_nodes_are_ordered_by_key() -> None:
    assert topological_order(["c", "a", "b"], []) == ["a", "b", "c"]


def test_repeated_edges_count_once() -> None:
    assert topological_order(["a"], [("a", "b"), ("a", "b")]) == ["a", "b"]


def test_a_cycle_is_refused_with_the_cycle_in_the_message() -> None:
    with pytest.raises(CycleError, match=r"cycle in the graph: a -> b -> a") as caught:
        topological_order(["a", "b", "c"], [("a", "b"), ("b", "a"), ("b", "c")])

    assert caught.value.cycle == ["a", "b", "a"]
    assert isinstance(caught.value, EngineInputError)
    assert isinstance(caught.value, ValueError)


def test_a_self_loop_is_a_cycle() -> None:
    assert find_cycle([("a", "a")]) == ["a", "a"]
    with pytest.raises(CycleError, match="a -> a"):
        topological_order(["a"], [("a", "a")])


def test_the_cycle_reported_is_the_one_behind_the_blocked_keys() -> None:
    edges = [("start", "x"), ("x", "y"), ("y", "z"), ("z", "x"), ("z", "end")]

    with pytest.raises(CycleError) as caught:
        topological_order([], edges)

    assert caught.value.cycle == ["x", "y", "z", "x"]


def test_find_cycle_gives_none_for_an_acyclic_graph() -> None:
    assert find_cycle([("a", "b"), ("b", "c"), ("a", "c")]) is None
    assert find_cycle([]) is None


def test_find_cycle_is_the_same_whatever_the_edge_order() -> None:
    edges = [("d", "e"), ("e", "d"), ("a", "b"), ("b", "c"), ("c", "a")]
    shuffled = edges[:]
    random.Random(4).shuffle(shuffled)

    assert find_cycle(edges) == find_cycle(shuffled) == ["a", "b", "c", "a"]


def test_a_cycle_error_survives_pickling() -> None:
    error = pickle.loads(pickle.dumps(CycleError(["a", "b", "a"], "the cascade")))

    assert error.cycle == ["a", "b", "a"]
    assert str(error) == "cycle in the cascade: a -> b -> a"


@pytest.mark.parametrize("edge", [("a",), ("a", "b", "c"), "ab", ("a", 1), None])
def test_a_malformed_edge_is_refused(edge: object) -> None:
    with pytest.raises(EngineInputError, match="an edge must be a pair of string keys"):
        find_cycle([edge])  # type: ignore[list-item]


def test_a_node_that_is_not_a_string_is_refused() -> None:
    with pytest.raises(EngineInputError, match="a node must be a string key"):
        topological_order([1], [])  # type: ignore[list-item]


def test_long_chains_do_not_hit_the_recursion_limit() -> None:
    keys = [f"n{index:05d}" for index in range(5000)]
    chain = list(pairwise(keys))

    assert topological_order([], chain) == keys
    assert find_cycle(chain) is None
    assert find_cycle([*chain, (keys[-1], keys[0])]) == [*keys, keys[0]]
    assert len(descendants(chain, keys[0])) == 4999


def test_descendants_are_what_depends_on_a_key() -> None:
    edges = [("revenue", "margin"), ("cost", "margin"), ("margin", "bonus"), ("x", "y")]

    assert descendants(edges, ["revenue"]) == {"margin", "bonus"}
    assert descendants(edges, "cost") == {"margin", "bonus"}
    assert descendants(edges, ["bonus"]) == set()


def test_ancestors_are_what_a_key_depends_on() -> None:
    edges = [("revenue", "margin"), ("cost", "margin"), ("margin", "bonus"), ("x", "y")]

    assert ancestors(edges, ["bonus"]) == {"margin", "revenue", "cost"}
    assert ancestors(edges, "revenue") == set()


def test_a_start_is_its_own_descendant_only_through_a_cycle_or_another_start() -> None:
    assert descendants([("a", "b"), ("b", "a")], "a") == {"a", "b"}
    assert descendants([("a", "b")], ["a", "b"]) == {"b"}
    assert ancestors([("a", "b")], ["a", "b"]) == {"a"}


def test_unknown_starts_reach_nothing() -> None:
    assert descendants([("a", "b")], ["zzz"]) == set()
    assert ancestors([("a", "b")], ["zzz"]) == set()


@given(acyclic_edges(), st.randoms(use_true_random=False))
def test_an_order_respects_every_edge_and_ignores_edge_order(
    edges: list[tuple[str, str]], shuffler: random.Random
) -> None:
    order = topological_order(["k0"], edges)
    position = {key: index for index, key in enumerate(order)}
    shuffled = edges[:]
    shuffler.shuffle(shuffled)

    assert all(position[source] < position[target] for source, target in edges)
    assert len(order) == len(set(order))
    assert topological_order(["k0"], shuffled) == order


@given(EDGE_LISTS)
def test_a_found_cycle_is_made_of_edges_and_exists_exactly_when_no_order_does(
    edges: list[tuple[str, str]],
) -> None:
    cycle = find_cycle(edges)
    if cycle is None:
        topological_order([], edges)
    else:
        assert cycle[0] == cycle[-1]
        assert len(set(cycle[:-1])) == len(cycle) - 1
        assert all(pair in set(edges) for pair in pairwise(cycle))
        with pytest.raises(CycleError):
            topological_order([], edges)


@given(EDGE_LISTS, KEYS, KEYS)
def test_descendants_and_ancestors_mirror_each_other(
    edges: list[tuple[str, str]], first: str, second: str
) -> None:
    assert (second in descendants(edges, first)) == (first in ancestors(edges, second))
