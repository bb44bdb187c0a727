"""Bounds on what is read from files, so that no file can cost unbounded time or memory.

The strategy files of the demo enterprise (2,000 people) come to 450 KB, 41,000 keys and
values and 6 levels of nesting in one file; a folder of section files splits the same
across ten. The bounds leave about twenty times that room per file; reading a file at the
bounds takes up to about two minutes and 1 GB of memory.
"""

from __future__ import annotations

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_SHOWN_PROBLEMS",
    "MAX_YAML_DEPTH",
    "MAX_YAML_NODES",
    "describe_file_limits",
]

MAX_FILE_BYTES = 8 * 1024 * 1024
"""The most bytes one file may hold (8 MiB)."""

MAX_YAML_NODES = 1_000_000
"""The most keys and values (YAML nodes) one file may hold."""

MAX_YAML_DEPTH = 20
"""The deepest nesting of lists and mappings a file may have."""

MAX_SHOWN_PROBLEMS = 50
"""The most problems a command prints one per line; it counts the rest."""


def describe_file_limits() -> str:
    """The bounds of one file in words, for help texts.

    >>> describe_file_limits()
    'at most 8 MiB, 1,000,000 keys and values and 20 levels of nesting per file'
    """
    return (
        f"at most {MAX_FILE_BYTES // 2**20} MiB, {MAX_YAML_NODES:,} keys and values "
        f"and {MAX_YAML_DEPTH} levels of nesting per file"
    )
