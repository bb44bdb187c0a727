from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from scoreline.engine.disclosure import Withheld, subtree_counts, withhold
from tests.builders.adversary import Knowledge

MINIMUM = 5
TOP = np.array([-1])


def test_a_small_group_is_hidden_with_the_next_smallest_so_neither_follows_from_the_total() -> None:
    hidden = withhold(np.array([[1, 10, 30]]), TOP, MINIMUM)
    assert hidden.cells.tolist() == [[True, True, False]]  # "other" is 11: 1 and 10 unknown
    assert not hidden.rows[0] and not hidden.totals[0]


def test_small_groups_take_others_with_them_until_the_merged_group_reaches_the_minimum() -> None:
    hidden = withhold(np.array([[1, 2, 3, 30]]), TOP, MINIMUM)
    assert hidden.cells.tolist() == [[True, True, True, False]]


def test_a_row_of_fewer_people_than_the_minimum_is_withheld_whole() -> None:
    hidden = withhold(np.array([[3, 1]]), TOP, MINIMUM)
    assert hidden.rows.tolist() == [True] and hidden.totals.tolist() == [True]
    assert hidden.cells.all()


def test_a_row_with_no_unseen_people_shows_everything() -> None:
    hidden = withhold(np.array([[0, 0], [0, 0]]), np.array([-1, 0]), MINIMUM)
    assert not hidden.cells.any() and not hidden.rows.any() and not hidden.totals.any()


def test_a_parents_own_small_group_is_not_left_for_subtraction_from_its_childrens() -> None:
    # A department whose head (key 0) is its only own member, over two teams of twelve.
    own = np.array([[1, 0], [6, 6], [6, 6]])
    hidden = withhold(own, np.array([-1, 0, 0]), MINIMUM)
    # Key 0: department 13 minus the teams' 12 would give the head away; both teams hide
    # key 0 (and key 1 with it), so the department's cells tell nothing about the head.
    assert not hidden.cells[0].any()
    assert hidden.cells[1:, 0].all()


def test_subtree_counts_add_each_unit_to_its_ancestors() -> None:
    own = np.array([[1, 0], [2, 3], [0, 4], [5, 5]])
    assert subtree_counts(own, np.array([-1, 0, 1, -1])).tolist() == [
        [3, 7],
        [2, 7],
        [0, 4],
        [5, 5],
    ]


@st.composite
def organisations(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """A forest of up to eight units and, per unit, the people of each pair of keys of two
    attributes (three values each), mostly few so that small groups abound."""
    size = draw(st.integers(1, 8))
    parent = np.array([-1] + [draw(st.integers(-1, unit - 1)) for unit in range(1, size)])
    people = draw(
        arrays(np.int64, (size, 3, 3), elements=st.sampled_from([0, 0, 0, 1, 1, 2, 3, 5, 8]))
    )
    return parent, people


def _members(parent: np.ndarray) -> np.ndarray:
    inside = np.eye(parent.size, dtype=bool)
    for unit in range(parent.size):
        ancestor = parent[unit]
        while ancestor >= 0:
            inside[ancestor, unit] = True
            ancestor = parent[ancestor]
    return inside


@settings(max_examples=60, derandomize=True)
@given(organisations())
def test_no_hidden_count_can_be_solved_from_every_breakdown_and_total_a_viewer_reads(
    organisation: tuple[np.ndarray, np.ndarray],
) -> None:
    """The adversary reads both breakdowns and the head counts of every unit and solves the
    linear system over the unknown people of each unit and pair of keys."""
    parent, people = organisation
    size = parent.size
    marginals = [people.sum(axis=2), people.sum(axis=1)]
    decisions = [withhold(own, parent, MINIMUM) for own in marginals]
    inside = _members(parent)
    knowledge = Knowledge(people.size)
    targets: list[np.ndarray] = []

    def cells(
        units: np.ndarray, attribute: int | None = None, keys: list[int] | None = None
    ) -> np.ndarray:
        pick = np.zeros((size, 3, 3))
        chosen = np.zeros((3, 3), dtype=bool)
        if attribute is None:
            chosen[:] = True
        elif attribute == 0:
            chosen[keys, :] = True
        else:
            chosen[:, keys] = True
        pick[np.ix_(units, np.arange(3), np.arange(3))] = chosen
        return pick.ravel()

    for unit in range(size):
        units = np.flatnonzero(inside[unit])
        everyone = cells(units)
        if decisions[0].totals[unit]:
            targets.append(everyone)
        else:
            knowledge.learn(everyone, people[units].sum())
        for attribute, (own, hidden) in enumerate(zip(marginals, decisions, strict=True)):
            assert isinstance(hidden, Withheld)
            counts = own[units].sum(axis=0)
            secret = [key for key in range(3) if hidden.cells[unit, key] or hidden.rows[unit]]
            for key in range(3):
                if key in secret:
                    targets.append(cells(units, attribute, [key]))
                else:
                    knowledge.learn(cells(units, attribute, [key]), counts[key])
                if 1 <= own[unit, key] < MINIMUM:
                    targets.append(cells(np.array([unit]), attribute, [key]))
            if secret and not hidden.rows[unit]:
                knowledge.learn(cells(units, attribute, secret), counts[secret].sum())
    truth = people.ravel()
    for target in targets:
        if target @ truth > 0:
            assert not knowledge.solves(target), np.flatnonzero(target)
