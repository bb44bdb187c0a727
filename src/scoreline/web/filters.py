"""Template filters every page may use without loading them (the templates' builtins)."""

from __future__ import annotations

import math

from django.template import Library

from scoreline.kpis.defaults import BELOW_BANDS, SCORE_BANDS
from scoreline.scoring.models import Score
from scoreline.scoring.queries import Coverage, coverage_of

__all__ = ["band_of", "coverage", "register", "score_bands", "score_fill"]

register = Library()

# Light fills of the default statuses, behind a score.
FILLS = {"green": "hsl(140 45% 88%)", "amber": "hsl(38 85% 87%)", "red": "hsl(6 70% 90%)"}
NO_SCORE_FILL = "hsl(220 14% 94%)"


def band_of(score: float) -> str:
    """The status a score gets by the score bands."""
    return next((code for bound, code in SCORE_BANDS if score >= bound), BELOW_BANDS)


@register.filter
def score_fill(score: float | None) -> str:
    """A background colour for a score: the light fill of its status by the score bands,
    grey if none."""
    if score is None or not math.isfinite(score):
        return NO_SCORE_FILL
    return FILLS.get(band_of(score), NO_SCORE_FILL)


@register.filter
def coverage(score: Score | None) -> Coverage | None:
    """The coverage stored with a roll-up score (values present against values expected)."""
    return coverage_of(score)


@register.simple_tag
def score_bands() -> str:
    """The score bands in words: "green from 66.7, amber from 33.3, red below"."""
    bands = [f"{code} from {bound:.1f}" for bound, code in SCORE_BANDS]
    return ", ".join([*bands, f"{BELOW_BANDS} below"])
