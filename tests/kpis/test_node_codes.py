"""Scorecard graph nodes as int64 codes: a stored score row finds its node, and every code
reads back as the key storage uses."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from scoreline.scoring.loading import NODE_KINDS, node_key, node_kinds, stored_nodes

ids = st.integers(1, 2**20)


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
