"""Template filters every page may use without loading them (the templates' builtins)."""

from __future__ import annotations

import math

from django.template import Library

__all__ = ["register", "score_fill"]

register = Library()


@register.filter
def score_fill(score: float | None) -> str:
    """A background colour for a score: red at 0 through amber to green at 100, grey if none."""
    if score is None or not math.isfinite(score):
        return "hsl(220 14% 94%)"
    hue = round(max(0.0, min(score, 100.0)) * 1.2)
    return f"hsl({hue} 62% 90%)"
