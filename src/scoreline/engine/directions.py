"""Directions of a measure: which way is better.

A direction is a small int so that arrays of directions vectorise:
``HIGHER_IS_BETTER`` (1), ``LOWER_IS_BETTER`` (-1) and ``TARGET_RANGE`` (0, best
inside a band).
"""

__all__ = ["DIRECTIONS", "HIGHER_IS_BETTER", "LOWER_IS_BETTER", "TARGET_RANGE"]

HIGHER_IS_BETTER = 1
LOWER_IS_BETTER = -1
TARGET_RANGE = 0

DIRECTIONS: dict[str, int] = {
    "higher": HIGHER_IS_BETTER,
    "lower": LOWER_IS_BETTER,
    "range": TARGET_RANGE,
}
