from __future__ import annotations

from scoreline.lib.tree import minimal_roots


def test_paths_inside_other_paths_are_dropped_from_the_roots() -> None:
    assert minimal_roots(["00010002", "0001", "0002", "00020001000A", "0003"]) == [
        "0001",
        "0002",
        "0003",
    ]


def test_no_paths_give_no_roots() -> None:
    assert minimal_roots([]) == []
