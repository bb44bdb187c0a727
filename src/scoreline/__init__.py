"""Scoreline: performance management from strategy to people."""

import os

__version__ = "0.1.0"

# Scoring allocates many large, short-lived arrays. numpy asks Linux for transparent huge
# pages for those, and where the kernel grants them only on request ("madvise") it may
# first compact memory, which makes the first touch of fresh memory several times slower
# on a busy machine. Plain pages cost the same every time. numpy reads this once, when it
# is imported, and an explicit setting in the environment wins.
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
