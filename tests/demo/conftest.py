"""The demo tests read demos built once per test session (tests/builders/demo.py)."""

from __future__ import annotations

from tests.builders import demo
from tests.builders.worlds import WORLDS

world_demo_300 = WORLDS.fixture("demo_300", demo.demo_builder(300))
world_demo_200 = WORLDS.fixture("demo_200", demo.demo_builder(200))
world_demo_250_seed_1 = WORLDS.fixture("demo_250_seed_1", demo.demo_builder(250, seed=1))
world_demo_strategy = WORLDS.fixture(
    "demo_strategy", demo.rebuilt_strategy, parent="demo_200", fresh=demo.fresh_counts
)
