"""A parent's own measures and its cascaded children, mixed by an explicit share
(engine.rollup.split_shares): answers worked by hand, edge cases, and properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.typing import NDArray

from scoreline.engine.errors import EngineInputError
from scoreline.engine.rollup import Combine, Missing, RollupPlan, SharedGraph, split_shares

NAN = math.nan


def objective(
    own: list[float],
    cascaded: list[float],
    share: float,
    *,
    own_weights: list[float] | None = None,
    cascaded_weights: list[float] | None = None,
    combine: Combine = Combine.WEIGHTED_MEAN,
    missing: Missing = Missing.SKIP,
) -> tuple[float, SharedGraph, NDArray[np.float64]]:
    """One parent (the last node) with own children then cascaded ones: its score, the
    split graph and every node's score."""
    n_children = len(own) + len(cascaded)
    weights = (own_weights or [1.0] * len(own)) + (cascaded_weights or [1.0] * len(cascaded))
    shared = split_shares(
        n_children + 1,
        np.arange(n_children),
        np.full(n_children, n_children),
        weights,
        [False] * len(own) + [True] * len(cascaded),
        share,
    )
    leaves = shared.per_node([*own, *cascaded, NAN])
    scores = shared.plan(combine, missing).apply(leaves)
    return float(scores[n_children]), shared, scores


# ----------------------------------------------------------------------------- worked by hand


def test_many_children_at_100_no_longer_drown_the_own_kpis() -> None:
    # Four own KPIs at 80, weight 25 each, and 108 goals at 100, weight 1 each.
    # Pooled: (4 * 25 * 80 + 108 * 100) / (100 + 108) = 18800 / 208 = 90.38.
    # Split, share 30%: own 80, contributing 100 -> 0.7 * 80 + 0.3 * 100 = 56 + 30 = 86.
    score, _, _ = objective([80.0] * 4, [100.0] * 108, 0.3, own_weights=[25.0] * 4)
    assert score == pytest.approx(86.0)


def test_weights_stay_relative_within_each_part() -> None:
    # Own: (50 * 1 + 70 * 3) / 4 = 65; contributing: (60 * 1 + 90 * 2) / 3 = 80.
    # Share 40%: 0.6 * 65 + 0.4 * 80 = 39 + 32 = 71.
    score, shared, scores = objective(
        [50.0, 70.0], [60.0, 90.0], 0.4, own_weights=[1.0, 3.0], cascaded_weights=[1.0, 2.0]
    )
    assert score == pytest.approx(71.0)
    assert scores[shared.own].tolist() == pytest.approx([65.0])
    assert scores[shared.cascaded].tolist() == pytest.approx([80.0])


def test_a_parent_without_own_kpis_takes_its_childrens_score_whole() -> None:
    # No own KPIs: (60 * 1 + 90 * 2) / 3 = 80, whatever the share.
    score, shared, _ = objective([], [60.0, 90.0], 0.3, cascaded_weights=[1.0, 2.0])
    assert score == pytest.approx(80.0)
    assert shared.split.size == 0 and shared.n_nodes == 3
    assert shared.has_cascaded.tolist() == [False, False, True]


def test_a_parent_without_children_takes_its_own_score_whole() -> None:
    # No contributing objectives: (50 * 1 + 70 * 3) / 4 = 65, whatever the share.
    score, shared, _ = objective([50.0, 70.0], [], 1.0, own_weights=[1.0, 3.0])
    assert score == pytest.approx(65.0)
    assert shared.split.size == 0 and shared.has_own.tolist() == [False, False, True]


def test_own_kpis_without_a_score_leave_the_children_all_of_it_when_skipped() -> None:
    # Skip: the own part has no score, so contributing objectives (100) carry 100%.
    score, _, _ = objective([NAN, NAN], [100.0], 0.3)
    assert score == 100.0


def test_missing_children_leave_the_own_kpis_all_of_it_when_skipped() -> None:
    score, _, _ = objective([50.0, 70.0], [NAN], 0.3)
    assert score == pytest.approx(60.0)


def test_a_missing_kpi_counts_as_zero_only_when_the_policy_says_so() -> None:
    # Zero: own (0 * 1 + 70 * 3) / 4 = 52.5; 0.7 * 52.5 + 0.3 * 100 = 36.75 + 30 = 66.75.
    score, _, _ = objective([NAN, 70.0], [100.0], 0.3, own_weights=[1.0, 3.0], missing=Missing.ZERO)
    assert score == pytest.approx(66.75)
    # Skip: own 70 (the missing KPI left out); 0.7 * 70 + 0.3 * 100 = 49 + 30 = 79.
    skipped, _, _ = objective([NAN, 70.0], [100.0], 0.3, own_weights=[1.0, 3.0])
    assert skipped == pytest.approx(79.0)


def test_every_own_kpi_missing_counts_zero_under_zero() -> None:
    # Zero: own 0; 0.7 * 0 + 0.3 * 100 = 30.
    score, _, _ = objective([NAN], [100.0], 0.3, missing=Missing.ZERO)
    assert score == pytest.approx(30.0)


def test_a_missing_kpi_blanks_the_parent_under_blank() -> None:
    score, _, _ = objective([NAN, 70.0], [100.0], 0.3, missing=Missing.BLANK)
    assert math.isnan(score)
    # With a share of 0 the children take no part, so a missing child blanks nothing.
    own_only, _, _ = objective([50.0, 70.0], [NAN], 0.0, missing=Missing.BLANK)
    assert own_only == 60.0


def test_the_weakest_link_takes_the_lower_part_that_takes_part() -> None:
    # Own min(50, 70) = 50, contributing min(100, 90) = 90: the lower part is 50.
    assert objective([50.0, 70.0], [100.0, 90.0], 0.3, combine=Combine.MINIMUM)[0] == 50.0
    # Share 1: only the contributing part takes part.
    assert objective([50.0, 70.0], [100.0, 90.0], 1.0, combine=Combine.MINIMUM)[0] == 90.0


def test_points_that_add_up_are_added_within_each_part_then_mixed() -> None:
    # Own 30 + 40 = 70; contributing 60 + 60 = 120, capped at 100.
    # 0.7 * 70 + 0.3 * 100 = 49 + 30 = 79.
    score, _, _ = objective([30.0, 40.0], [60.0, 60.0], 0.3, combine=Combine.SUM)
    assert score == pytest.approx(79.0)


def test_a_cascade_of_three_levels_splits_every_parent_with_both_kinds() -> None:
    # Node 0 (KPI, 40) measures objective 3; node 1 (KPI, 100) measures objective 4, which
    # contributes to 3; node 2 (KPI, 80) measures objective 5, which contributes to 4.
    # Objective 5: 80. Objective 4: 0.5 * 100 + 0.5 * 80 = 90.
    # Objective 3: 0.5 * 40 + 0.5 * 90 = 65.
    shared = split_shares(
        6, [0, 1, 2, 4, 5], [3, 4, 5, 3, 4], 1.0, [False, False, False, True, True], 0.5
    )
    scores = shared.plan().apply(shared.per_node([40.0, 100.0, 80.0, NAN, NAN, NAN]))
    assert shared.split.tolist() == [3, 4]
    assert scores[[5, 4, 3]].tolist() == pytest.approx([80.0, 90.0, 65.0])


def test_the_mixing_edges_carry_the_share_and_the_rest() -> None:
    shared = split_shares(3, [0, 1], [2, 2], [2.0, 5.0], [False, True], [0.0, 0.0, 0.3])
    mixing = np.isin(shared.edge_child, [*shared.own, *shared.cascaded])
    assert shared.edge_weight[mixing].tolist() == pytest.approx([0.7, 0.3])
    # The original edges keep their weights and move to the parts.
    assert shared.edge_weight[~mixing].tolist() == [2.0, 5.0]
    assert shared.edge_parent[~mixing].tolist() == [3, 4]


def test_zero_weight_children_do_not_make_a_part() -> None:
    shared = split_shares(3, [0, 1], [2, 2], [0.0, 1.0], [False, True], 0.3)
    assert shared.split.size == 0
    assert shared.plan().apply([50.0, 80.0, NAN]).tolist() == [50.0, 80.0, 80.0]


# ----------------------------------------------------------------------------- refusals


@pytest.mark.parametrize("share", [-0.1, 1.5, NAN, math.inf])
def test_a_share_outside_0_to_1_is_refused_naming_the_node(share: float) -> None:
    with pytest.raises(EngineInputError, match="node 2: its share must lie between 0 and 1"):
        split_shares(3, [0, 1], [2, 2], 1.0, [False, True], [0.3, 0.3, share])


def test_cascaded_flags_must_be_booleans_one_per_edge() -> None:
    with pytest.raises(EngineInputError, match="edge_cascaded must hold booleans"):
        split_shares(3, [0, 1], [2, 2], 1.0, [0, 1], 0.3)
    with pytest.raises(EngineInputError, match="edge_cascaded must be one value or one per edge"):
        split_shares(3, [0, 1], [2, 2], 1.0, [False], 0.3)


def test_per_node_rules_of_the_wrong_length_are_refused() -> None:
    shared = split_shares(3, [0, 1], [2, 2], 1.0, [False, True], 0.3)
    with pytest.raises(EngineInputError, match="node_cap must have one entry per node"):
        shared.plan(node_cap=[100.0, 100.0])


# ----------------------------------------------------------------------------- properties

scores = st.one_of(st.just(NAN), st.floats(0.0, 100.0))
weights = st.floats(0.1, 10.0)


@st.composite
def objectives(draw: st.DrawFn) -> dict[str, object]:
    n_own = draw(st.integers(1, 5))
    n_cascaded = draw(st.integers(1, 5))
    return {
        "own": draw(st.lists(scores, min_size=n_own, max_size=n_own)),
        "cascaded": draw(st.lists(scores, min_size=n_cascaded, max_size=n_cascaded)),
        "own_weights": draw(st.lists(weights, min_size=n_own, max_size=n_own)),
        "cascaded_weights": draw(st.lists(weights, min_size=n_cascaded, max_size=n_cascaded)),
        "combine": draw(st.sampled_from(list(Combine))),
        "missing": draw(st.sampled_from(list(Missing))),
    }


@given(objectives(), st.floats(0.0, 1.0))
def test_the_two_shares_sum_to_one(case: dict[str, object], share: float) -> None:
    _, shared, _ = objective(share=share, **case)  # type: ignore[arg-type]
    mixing = np.isin(shared.edge_child, [*shared.own, *shared.cascaded])
    assert math.fsum(shared.edge_weight[mixing]) == pytest.approx(1.0, abs=1e-15)


@given(objectives(), st.floats(0.0, 1.0))
def test_the_score_lies_between_the_own_score_and_the_childrens(
    case: dict[str, object], share: float
) -> None:
    score, shared, nodes = objective(share=share, **case)  # type: ignore[arg-type]
    own, cascaded = float(nodes[shared.own][0]), float(nodes[shared.cascaded][0])
    if math.isnan(own) or math.isnan(cascaded):
        # A part without a score: the other carries it all (skip, re-normalising its weight,
        # which may round in the last place) or the parent has none.
        present = cascaded if math.isnan(own) else own
        assert math.isnan(score) or score == pytest.approx(present, rel=1e-12)
        return
    assert min(own, cascaded) - 1e-9 <= score <= max(own, cascaded) + 1e-9


@pytest.mark.parametrize(("share", "left_out"), [(0.0, "cascaded"), (1.0, "own")])
@given(case=objectives())
def test_a_share_of_0_gives_exactly_the_own_score_and_1_the_childrens(
    share: float, left_out: str, case: dict[str, object]
) -> None:
    score, _, _ = objective(share=share, **case)  # type: ignore[arg-type]
    alone_case = dict(case, **{left_out: [], f"{left_out}_weights": []})
    alone, _, _ = objective(share=share, **alone_case)  # type: ignore[arg-type]
    assert score == alone or (math.isnan(score) and math.isnan(alone))


def test_an_unsplit_graph_rolls_up_as_the_plain_plan_does() -> None:
    rng = np.random.default_rng(7)
    child, parent = np.array([0, 1, 2, 3]), np.array([4, 4, 5, 5])
    weight = rng.uniform(0.5, 2.0, 4)
    shared = split_shares(6, child, parent, weight, False, 0.3)
    leaves = np.concatenate([rng.uniform(0, 100, 4), [NAN, NAN]])
    plain = RollupPlan(6, child, parent, weight).apply(leaves)
    assert shared.n_nodes == 6
    assert shared.plan().apply(leaves).tolist() == plain.tolist()
