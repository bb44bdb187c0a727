"""Why a stored KPI score is what it is: the engine re-derives it from the inputs stored beside
it and the definition it was computed with. The KPI page and the API explain scores alike."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from scoreline.engine.directions import DIRECTIONS
from scoreline.engine.errors import EngineInputError
from scoreline.engine.scoring import explain
from scoreline.kpis.models import Direction, KpiVersion, ScoringMethod
from scoreline.kpis.queries import kpi_version_on
from scoreline.scoring.engine_codes import METHOD
from scoreline.scoring.models import Score

__all__ = ["ScoreExplanation", "definitions_day", "explain_scores"]


@dataclass(frozen=True)
class ScoreExplanation:
    """A stored KPI score explained: the engine's account of it, or why there is none.

    ``engine`` is :func:`scoreline.engine.scoring.explain`'s answer as a whole, and its parts
    stand in ``value``, ``inputs``, ``segment``, ``formula`` and ``result``; ``error`` says why
    the score cannot be explained, when it cannot.
    """

    score: Score
    definition: KpiVersion | None
    method: str = ""
    direction: str = ""
    engine: dict[str, Any] | None = None
    value: float | None = None
    inputs: dict[str, float | None] = field(default_factory=dict)
    segment: str = ""
    formula: str = ""
    result: float | None = None
    attainment: float | None = None
    error: str | None = None

    @property
    def problem(self) -> str:
        """The reason a reader is given when the score cannot be explained."""
        if self.error is None:
            return ""
        if self.definition is None:
            return "No definition of the KPI was in force."
        return f"The score cannot be explained: {self.error}"


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else math.nan


def _table(version: KpiVersion | None) -> dict[str, float]:
    """Band edges and scores, and rubric level scores by level, of the definition used."""
    if version is None:
        return {}
    params = {f"edge_{i}": float(edge) for i, edge in enumerate(version.band_edges)}
    params |= {f"band_score_{i}": float(score) for i, score in enumerate(version.band_scores)}
    if version.rubric is not None:
        levels = version.rubric.levels.order_by("level")
        params |= {f"level_score_{lv.level}": lv.score for lv in levels}
    return params


def definitions_day(score: Score) -> dt.date:
    """The day whose definitions the score was computed with (its month, if not recorded)."""
    text = (score.explanation or {}).get("definitions_as_of")
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        return score.period


def explain_scores(scores: list[Score]) -> list[ScoreExplanation]:
    """Explain KPI scores, reading each definition they used once."""
    definitions: dict[tuple[int, dt.date], KpiVersion | None] = {}
    tables: dict[tuple[int, dt.date], dict[str, float]] = {}
    out = []
    for score in scores:
        assert score.kpi is not None  # KPI scores always name their KPI
        key = (score.kpi.pk, definitions_day(score))
        if key not in definitions:
            definitions[key] = kpi_version_on(score.kpi, key[1])
            tables[key] = _table(definitions[key])
        out.append(_explain(score, definitions[key], tables[key]))
    return out


def _explain(score: Score, version: KpiVersion | None, table: dict[str, float]) -> ScoreExplanation:
    stored = score.explanation if isinstance(score.explanation, dict) else {}
    inputs = stored.get("inputs") or {}
    recorded = stored.get("attainment")
    attainment = float(recorded) if isinstance(recorded, int | float) else None
    method_code, direction_code = str(stored.get("method")), str(stored.get("direction"))
    method, direction = METHOD.get(method_code), DIRECTIONS.get(direction_code)
    if method is None or direction is None:
        return ScoreExplanation(
            score, version, attainment=attainment, error="the score records no scoring method"
        )
    params = {
        "red_flag": _number(inputs.get("threshold")),
        "goal": _number(inputs.get("target")),
        "threshold": _number(inputs.get("threshold")),
        "target": _number(inputs.get("target")),
        "stretch": _number(inputs.get("stretch")),
        "low": _number(inputs.get("low")),
        "high": _number(inputs.get("high")),
        **table,
    }
    method_label = ScoringMethod(method_code).label
    direction_label = Direction(direction_code).label
    try:
        engine = explain(method, _number(score.value), params, direction)
    except EngineInputError as error:
        return ScoreExplanation(
            score,
            version,
            method=method_label,
            direction=direction_label,
            attainment=attainment,
            error=str(error),
        )
    return ScoreExplanation(
        score,
        version,
        method=method_label,
        direction=direction_label,
        engine=engine,
        value=engine["value"],
        inputs=engine["inputs"],
        segment=engine["segment"],
        formula=engine["formula"],
        result=engine["score"],
        attainment=attainment,
    )
