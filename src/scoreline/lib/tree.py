"""Subtree filters on materialised paths that use a plain B-tree index on both databases.

A ``startswith`` filter becomes ``LIKE 'x%'``, which PostgreSQL only serves from an index
with a pattern operator class and SQLite only with a case-insensitive column. Paths hold
only ``0-9A-Z``, so the subtree of ``p`` is exactly the range ``p <= path <= p + 'ZZZ…'``,
which every collation orders the same way and any index on the path column serves.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

__all__ = ["PATH_MAX_LENGTH", "minimal_roots", "subtree_q", "subtrees_q"]

PATH_MAX_LENGTH = 255
_LAST_CHAR = "Z"


def subtree_q(path: str, lookup: str = "path") -> Q:
    """Rows whose path lies in the subtree rooted at ``path`` (the root included)."""
    upper = path + _LAST_CHAR * (PATH_MAX_LENGTH - len(path))
    return Q(**{f"{lookup}__gte": path, f"{lookup}__lte": upper})


def minimal_roots(paths: Iterable[str]) -> list[str]:
    """Drop every path that lies inside another one of the set: the union stays the same."""
    roots: list[str] = []
    for path in sorted(set(paths)):
        if not roots or not path.startswith(roots[-1]):
            roots.append(path)
    return roots


def subtrees_q(paths: Iterable[str], lookup: str = "path") -> Q:
    """The union of several subtrees; an empty set of paths matches nothing."""
    query = Q(pk__in=[])
    for path in minimal_roots(paths):
        query |= subtree_q(path, lookup)
    return query
