"""Why a stored score is what it is, for pages and the API alike.

A KPI score: the engine re-derives it from the inputs stored beside it and the definition it
was computed with. An objective score: how it divided between the objective's own KPIs and
the objectives contributing to it (:func:`cascade_split`).
"""

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

__all__ = [
    "CascadeSplit",
    "ScoreExplanation",
    "SharePart",
    "cascade_split",
    "definitions_day",
    "explain_scores",
]


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


# ---------------------------------------------------------------- objectives

PART_LABELS = {"own_kpis": "own KPIs", "contributing": "contributing objectives"}


@dataclass(frozen=True)
class SharePart:
    """One part of an objective's score: its own KPIs, or the objectives contributing to it.

    ``share`` is what the part carried in the month (0 to 1), ``score`` its score (None when
    it had none that month).
    """

    part: str
    share: float
    score: float | None

    @property
    def label(self) -> str:
        return PART_LABELS[self.part]

    @property
    def percent(self) -> str:
        return percent(self.share)


@dataclass(frozen=True)
class CascadeSplit:
    """How a stored objective score divides between the objective's own KPIs and the
    objectives (and individual goals) contributing to it.

    ``cascade_share`` is the policy's share of contributing objectives; ``parts`` what each
    part carried in the month; ``weakest_link`` whether the objective took the lower part
    instead of mixing them; ``note`` why the shares differ from the policy's, if they do.
    """

    score: float
    cascade_share: float
    weakest_link: bool
    parts: tuple[SharePart, ...]
    note: str

    @property
    def summary(self) -> str:
        """The shares in words: "own KPIs 70% · contributing objectives 30%" (under the
        weakest link: "the lower of own KPIs and contributing objectives")."""
        if self.weakest_link and len(self.parts) > 1:
            taking_part = [part.label for part in self.parts if part.share > 0]
            return "the lower of " + " and ".join(taking_part)
        return " · ".join(f"{part.label} {percent(part.share)}" for part in self.parts)

    def part(self, name: str) -> SharePart | None:
        """The part named ``name`` ("own_kpis" or "contributing"), if the objective has it."""
        return next((part for part in self.parts if part.part == name), None)

    @property
    def own_kpis(self) -> SharePart | None:
        return self.part("own_kpis")

    @property
    def contributing(self) -> SharePart | None:
        return self.part("contributing")

    @property
    def policy_percent(self) -> str:
        """The policy's share of contributing objectives as a percentage."""
        return percent(self.cascade_share)

    @property
    def arithmetic(self) -> str:
        """The sum that gives the score, or the comparison under the weakest link."""
        counted = [part for part in self.parts if part.share > 0 and part.score is not None]
        if len(counted) < 2:
            return ""
        if self.weakest_link:
            terms = " and ".join(f"{part.label} {part.score:.1f}" for part in counted)
            return f"the lower of {terms}: {self.score:.1f}"
        terms = " + ".join(
            f"{percent(part.share)} \N{MULTIPLICATION SIGN} {part.score:.1f}" for part in counted
        )
        return f"{terms} = {self.score:.1f}"


def percent(share: float) -> str:
    """A share as a percentage with at most one decimal: 0.3 -> "30%", 1/3 -> "33.3%"."""
    return f"{share * 100:.1f}".removesuffix(".0") + "%"


def _optional(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def cascade_split(score: Score | None) -> CascadeSplit | None:
    """How an objective's stored score divides between its own KPIs and the objectives
    contributing to it (None for other scores, and for scores stored before the split was
    recorded)."""
    stored = score.explanation if score is not None else None
    if score is None or score.score is None or not isinstance(stored, dict):
        return None
    measured_by, share = stored.get("measured_by"), _optional(stored.get("cascade_share"))
    if measured_by not in ("own_kpis", "contributing", "both") or share is None:
        return None
    weakest = stored.get("combine") == "minimum"
    if measured_by != "both":
        alone = SharePart(measured_by, 1.0, score.score)
        why = (
            "no objective contributes to it"
            if measured_by == "own_kpis"
            else "it has no KPIs of its own"
        )
        return CascadeSplit(score.score, share, weakest, (alone,), why)
    own, contributing = _optional(stored.get("own_kpis")), _optional(stored.get("contributing"))
    shares, note = (1.0 - share, share), ""
    if (own is None and shares[0] > 0) or (contributing is None and shares[1] > 0):
        # Only a skipping policy stores a score with a part missing: the other carries it all.
        shares = (0.0, 1.0) if own is None else (1.0, 0.0)
        skipped = PART_LABELS["own_kpis" if own is None else "contributing"]
        note = f"the {skipped} have no score this month, so they are skipped"
    elif weakest:
        note = "weakest link: the lower of the parts that take part"
    parts = (
        SharePart("own_kpis", shares[0], own),
        SharePart("contributing", shares[1], contributing),
    )
    return CascadeSplit(score.score, share, weakest, parts, note)
