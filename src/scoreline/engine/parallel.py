"""Independent pieces of work spread over the machine's cores.

numpy lets go of the interpreter lock inside its loops, so threads running numpy
on separate pieces of an array use the cores in parallel without copying data
between processes. Work on pieces of a large array also stays in the processor's
caches and reuses memory, where one pass over the whole would touch fresh pages
for every temporary.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from scoreline.engine.errors import EngineInputError

__all__ = ["WORKERS", "each", "slices"]

T = TypeVar("T")
R = TypeVar("R")

# The cores this process may run on (a container may allow fewer than the machine has).
WORKERS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def slices(n: int, size: int) -> list[slice]:
    """``range(n)`` cut into consecutive slices of ``size`` (the last may be shorter).

    >>> slices(5, 2)
    [slice(0, 2, None), slice(2, 4, None), slice(4, 5, None)]
    """
    if size < 1:
        raise EngineInputError(f"a slice size must be at least 1, got {size}")
    return [slice(start, min(start + size, n)) for start in range(0, n, size)]


def each(work: Callable[[T], R], pieces: Iterable[T], *, workers: int | None = None) -> list[R]:
    """``work`` applied to every piece, in order, on up to ``workers`` threads (default:
    :data:`WORKERS`).

    The pieces must be independent: each may write only to its own part of any
    shared output. The first error raised by a piece is raised here.

    >>> each(lambda x: x * x, [1, 2, 3])
    [1, 4, 9]
    """
    items = list(pieces)
    workers = WORKERS if workers is None else workers
    if workers <= 1 or len(items) <= 1:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items))) as pool:
        return list(pool.map(work, items))
