"""Template filters every page may use without loading them (the templates' builtins)."""

from __future__ import annotations

import math

from django.template import Library

from scoreline.kpis.defaults import BELOW_BANDS, SCORE_BANDS
from scoreline.scoring.models import Score
from scoreline.scoring.queries import Coverage, coverage_of

__all__ = ["band_of", "coverage", "depth_class", "register", "score_bands", "score_fill_class"]

register = Library()

# The style sheet's classes (scoreline.css): pages carry no inline styles, which the
# Content-Security-Policy refuses. Light fills of the default statuses, behind a score:
FILL_CLASSES = {"green": "fill-green", "amber": "fill-amber", "red": "fill-red"}
NO_SCORE_FILL = "fill-none"
# Indents of a tree: levels deeper than this are drawn at this depth.
MAX_DEPTH_CLASS = 12


def band_of(score: float) -> str:
    """The status a score gets by the score bands."""
    return next((code for bound, code in SCORE_BANDS if score >= bound), BELOW_BANDS)


@register.filter
def score_fill_class(score: float | None) -> str:
    """The class of a score's background: the light fill of its status by the score bands,
    grey if none."""
    if score is None or not math.isfinite(score):
        return NO_SCORE_FILL
    return FILL_CLASSES.get(band_of(score), NO_SCORE_FILL)


@register.filter
def depth_class(depth: int) -> str:
    """The class that indents a row of a tree ``depth`` levels: ``depth-3``."""
    return f"depth-{min(max(depth, 0), MAX_DEPTH_CLASS)}"


@register.filter
def coverage(score: Score | None) -> Coverage | None:
    """The coverage stored with a roll-up score (values present against values expected)."""
    return coverage_of(score)


@register.simple_tag
def score_bands() -> str:
    """The score bands in words: "green from 66.7, amber from 33.3, red below"."""
    bands = [f"{code} from {bound:.1f}" for bound, code in SCORE_BANDS]
    return ", ".join([*bands, f"{BELOW_BANDS} below"])
