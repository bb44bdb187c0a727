"""Scorecard graph nodes as int64 codes: a stored score row finds its node, and every code
reads back as the key storage uses."""

from __future__ import annotations

import doctest

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from scoreline.engine import nodes
from scoreline.engine.nodes import (
    NODE_KINDS,
    PERSPECTIVE_BITS,
    leaf_codes,
    node_codes,
    node_key,
    node_kinds,
    stored_nodes,
    subject_code,
)

ids = st.integers(1, 2**20)


def test_the_examples_run() -> None:
    assert doctest.testmod(nodes).failed == 0


@given(ids, ids, ids, ids, ids)
def test_every_kind_of_stored_row_reads_back_as_its_key(
    kpi: int, objective: int, perspective: int, unit: int, person: int
) -> None:
    kinds = np.array(["kpi", "kpi", "objective", "perspective", "unit", "person"])
    rows = {
        "kpi": [kpi, kpi, 0, 0, 0, 0],
        "objective": [0, 0, objective, 0, 0, 0],
        "perspective": [0, 0, 0, perspective % 2**19 + 1, 0, 0],
        "unit": [unit, 0, 0, unit, unit, 0],
        "person": [0, person, 0, 0, 0, person],
    }
    codes = stored_nodes(kinds, *(np.array(rows[name], dtype=np.int64) for name in rows))
    assert [node_key(int(code)) for code in codes] == [
        ("kpi", kpi, ("u", unit)),
        ("kpi", kpi, ("p", person)),
        ("objective", objective),
        ("perspective", unit, perspective % 2**19 + 1),
        ("unit", unit),
        ("person", person),
    ]
    assert [NODE_KINDS[k] for k in node_kinds(codes)] == list(kinds)
    # Leaves sort first, so a graph finds them as the head of its sorted codes.
    assert codes[:2].max() < codes[2:].min()


@given(ids, ids, ids, ids)
def test_codes_built_by_kind_are_the_codes_of_the_stored_rows(
    kpi: int, unit: int, person: int, perspective: int
) -> None:
    one = np.array([1], dtype=np.int64)
    unit_, person_, kpi_ = one * unit, one * person, one * kpi
    perspective_ = one * (perspective % 2**19 + 1)
    none = np.zeros(1, dtype=np.int64)
    assert leaf_codes(kpi_, unit_, none) == stored_nodes(
        np.array(["kpi"]), kpi_, none, none, unit_, none
    )
    assert node_codes("perspective", (unit_ << PERSPECTIVE_BITS) | perspective_) == stored_nodes(
        np.array(["perspective"]), none, none, perspective_, unit_, none
    )
    assert node_codes("person", person_) == stored_nodes(
        np.array(["person"]), none, none, none, none, person_
    )


@given(st.lists(st.tuples(ids, st.booleans()), max_size=20))
def test_subject_codes_are_distinct_for_distinct_subjects(subjects: list[tuple[int, bool]]) -> None:
    ids_ = np.array([i for i, _ in subjects], dtype=np.int64)
    is_unit = np.array([u for _, u in subjects], dtype=bool)
    codes = subject_code(np.where(is_unit, ids_, 0), np.where(is_unit, 0, ids_))
    assert len(set(codes.tolist())) == len(set(subjects))
    assert ((codes % 2 == 0) == is_unit).all()
