from __future__ import annotations

import doctest
import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoreline.engine import redundancy
from scoreline.engine.errors import EngineInputError
from scoreline.engine.redundancy import RedundancySettings, RedundantPair, find_redundancy

NAN = math.nan
MONTHS = np.arange(24.0)
RNG = np.random.default_rng(7)
NOISE = RNG.normal(size=(8, 24))


@dataclass
class Catalogue:
    """A small KPI catalogue with one column per KPI attribute."""

    codes: list[str]
    names: list[str]
    series: list[npt.NDArray[np.float64]]
    directions: list[int]
    functions: list[str] = field(default_factory=list)
    descriptions: list[str] = field(default_factory=list)
    formulas: list[str | None] = field(default_factory=list)
    sources: list[str | None] = field(default_factory=list)

    def run(self, settings: RedundancySettings | None = None) -> list[RedundantPair]:
        count = len(self.codes)
        return find_redundancy(
            codes=self.codes,
            names=self.names,
            descriptions=self.descriptions or [""] * count,
            formulas=self.formulas or [None] * count,
            sources=self.sources or [None] * count,
            directions=np.array(self.directions),
            functions=self.functions or ["sales"] * count,
            series=np.vstack(self.series),
            settings=settings,
        )


def pair(pairs: list[RedundantPair], a: str, b: str) -> RedundantPair:
    return next(p for p in pairs if {p.code_a, p.code_b} == {a, b})


def signals(found: RedundantPair) -> list[str]:
    return [str(s["signal"]) for s in found.signals]


def test_the_examples_in_the_docs_run() -> None:
    assert doctest.testmod(redundancy).failed == 0


# --- correlation ----------------------------------------------------------------------


def test_correlations_use_the_periods_both_kpis_have() -> None:
    series = NOISE[:4].copy() + np.arange(4)[:, None]
    series[0, :5] = NAN
    series[1, 3:9] = NAN
    series[2, 20:] = NAN
    series[3, ::7] = NAN
    catalogue = Catalogue(
        codes=["A", "B", "C", "D"],
        names=["Alpha one", "Bravo two", "Charlie three", "Delta four"],
        series=list(series),
        directions=[1, 1, 1, 1],
    )
    # A tiny threshold reports every correlation, so each can be compared.
    pairs = catalogue.run(RedundancySettings(threshold=1e-12, min_periods=3))
    assert len(pairs) == 6
    for found in pairs:
        i, j = "ABCD".index(found.code_a), "ABCD".index(found.code_b)
        both = np.isfinite(series[i]) & np.isfinite(series[j])
        expected = np.corrcoef(series[i, both], series[j, both])[0, 1]
        evidence = found.signals[0]
        assert evidence["signal"] == "correlation"
        assert evidence["r"] == pytest.approx(expected, abs=1e-12)
        assert evidence["periods"] == both.sum()


def test_kpis_that_move_together_and_improve_together_are_duplicates() -> None:
    catalogue = Catalogue(
        codes=["SAL-1", "FIN-9"],
        names=["Net sales", "Revenue booked"],
        series=[100 + 5 * MONTHS + NOISE[0], 300 + 15 * MONTHS + NOISE[1]],
        directions=[1, 1],
        functions=["sales", "finance"],
    )
    (found,) = catalogue.run()
    assert (found.code_a, found.code_b, found.kind) == ("FIN-9", "SAL-1", "duplicate")
    assert signals(found) == ["correlation"]
    assert float(found.signals[0]["r"]) > 0.99 and found.signals[0]["periods"] == 24
    assert found.cross_function
    assert "retire" in found.action


def test_churn_falling_as_retention_rises_is_a_duplicate_not_a_conflict() -> None:
    catalogue = Catalogue(
        codes=["churn", "retention"],
        names=["Customer churn rate", "Retention of clients"],
        series=[20 - MONTHS / 2, 80 + MONTHS / 2],
        directions=[-1, 1],
    )
    (found,) = catalogue.run()
    assert found.kind == "duplicate"
    assert found.signals[0]["r"] == pytest.approx(-1.0)


def test_one_improving_as_the_other_worsens_is_a_conflict() -> None:
    catalogue = Catalogue(
        codes=["discount", "margin"],
        names=["Average discount granted", "Gross margin"],
        series=[2 + MONTHS / 10 + NOISE[0] / 100, 40 - MONTHS / 2],
        directions=[1, 1],
        functions=["sales", "finance"],
    )
    (found,) = catalogue.run()
    assert found.kind == "conflicting"
    assert "align the directions and targets between sales and finance" in found.action


def test_target_range_kpis_get_no_correlation_verdict() -> None:
    catalogue = Catalogue(
        codes=["A", "B"],
        names=["Stock cover days", "Warehouse fill"],
        series=[MONTHS, MONTHS * 2],
        directions=[0, 1],
    )
    assert catalogue.run() == []


def test_a_correlation_needs_enough_shared_periods() -> None:
    short = np.where(MONTHS < 11, MONTHS, NAN)
    catalogue = Catalogue(
        codes=["A", "B"],
        names=["Alpha count", "Bravo total"],
        series=[short, short * 3],
        directions=[1, 1],
    )
    assert catalogue.run() == []
    assert len(catalogue.run(RedundancySettings(min_periods=11))) == 1


def test_a_weak_correlation_is_not_a_signal() -> None:
    catalogue = Catalogue(
        codes=["A", "B"],
        names=["Alpha count", "Bravo total"],
        series=[NOISE[0], NOISE[0] + NOISE[1]],  # r is about 0.7
        directions=[1, 1],
    )
    assert catalogue.run() == []
    assert len(catalogue.run(RedundancySettings(threshold=0.5))) == 1


def test_a_constant_or_missing_series_has_no_correlation() -> None:
    catalogue = Catalogue(
        codes=["A", "B", "C"],
        names=["Alpha count", "Bravo total", "Charlie sum"],
        series=[np.full(24, 3.0), np.full(24, NAN), MONTHS],
        directions=[1, 1, 1],
    )
    assert catalogue.run() == []


# --- wording and definitions -------------------------------------------------------------


def test_similar_names_are_a_duplicate_signal() -> None:
    catalogue = Catalogue(
        codes=["A", "B", "C"],
        names=["Customer churn rate", "Churn rate (customers)", "Employee turnover"],
        series=[NOISE[0], NOISE[1], NOISE[2]],
        directions=[-1, -1, -1],
        functions=["sales", "service", "hr"],
    )
    (found,) = catalogue.run()
    assert (found.code_a, found.code_b) == ("A", "B")
    assert signals(found) == ["name"]
    assert 85 <= float(found.signals[0]["similarity"]) <= 100
    assert found.strength == pytest.approx(float(found.signals[0]["similarity"]) / 100)
    assert "rename" in found.action
    similarity = float(found.signals[0]["similarity"])
    assert catalogue.run(RedundancySettings(name_threshold=similarity)) != []
    assert catalogue.run(RedundancySettings(name_threshold=similarity + 0.01)) == []


def test_identical_definitions_are_duplicates_whatever_their_names() -> None:
    catalogue = Catalogue(
        codes=["A", "B"],
        names=["Alpha count", "Bravo total"],
        series=[NOISE[0], NOISE[1]],
        directions=[1, 1],
        formulas=["won / (won + lost)", " won/(won+lost) "],
        sources=["CRM.Opportunities ", "crm.opportunities"],
        functions=["sales", "marketing"],
    )
    (found,) = catalogue.run()
    assert signals(found) == ["formula", "source"]
    assert found.kind == "duplicate" and found.strength == 1.0
    assert (
        found.action == "Identical definitions: merge into one KPI shared by sales and marketing."
    )


def test_the_same_definition_with_opposite_directions_is_a_conflict() -> None:
    catalogue = Catalogue(
        codes=["A", "B"],
        names=["Alpha count", "Bravo total"],
        series=[NOISE[0], NOISE[1]],
        directions=[1, -1],
        formulas=["overtime_hours / hours", "overtime_hours/hours"],
    )
    (found,) = catalogue.run()
    assert found.kind == "conflicting"
    assert "opposite directions" in found.action


@pytest.mark.parametrize(
    ("formulas", "sources", "reported"),
    [
        (["a/b", "a/b"], [None, None], True),
        ([None, None], ["erp.gl", "erp.gl"], True),
        (["a/b", "a/b"], ["erp.gl", "crm.orders"], False),
        (["a/b", "c/d"], ["erp.gl", "erp.gl"], False),
        (["a/b", None], ["erp.gl", "erp.gl"], False),
        ([None, None], [None, None], False),
    ],
)
def test_sharing_a_formula_or_a_source_alone_is_not_enough(
    formulas: list[str | None], sources: list[str | None], reported: bool
) -> None:
    catalogue = Catalogue(
        codes=["A", "B"],
        names=["Alpha count", "Bravo total"],
        series=[NOISE[0], NOISE[1]],
        directions=[1, 1],
        formulas=formulas,
        sources=sources,
    )
    assert bool(catalogue.run()) is reported


def test_a_shared_source_is_reported_as_evidence_on_a_pair_found_otherwise() -> None:
    catalogue = Catalogue(
        codes=["A", "B"],
        names=["Net sales", "Sales revenue"],
        series=[MONTHS, MONTHS * 2 + 1],
        directions=[1, 1],
        formulas=["sum(amount)", "sum(net_amount)"],
        sources=["erp.gl", "erp.gl"],
    )
    (found,) = catalogue.run()
    assert signals(found)[0] == "correlation"
    assert "source" in signals(found) and "formula" not in signals(found)


def test_descriptions_with_the_same_words_are_a_signal_by_default() -> None:
    catalogue = Catalogue(
        codes=["A", "B", "C"],
        names=["Alpha count", "Bravo total", "Charlie sum"],
        series=[NOISE[0], NOISE[1], NOISE[2]],
        directions=[1, 1, 1],
        descriptions=[
            "Orders shipped on time, as a share of all orders.",
            "As a share of all orders: orders shipped on time",
            "Orders shipped late, as a share of all orders.",
        ],
    )
    (found,) = catalogue.run()
    assert (found.code_a, found.code_b) == ("A", "B")
    assert found.signals == [{"signal": "description", "similarity": 100.0}]
    fuzzy = catalogue.run(RedundancySettings(description_threshold=80.0))
    assert len(fuzzy) == 3
    assert all(signals(p) == ["description"] for p in fuzzy)


def test_blank_descriptions_are_never_similar() -> None:
    catalogue = Catalogue(
        codes=["A", "B"],
        names=["Alpha count", "Bravo total"],
        series=[NOISE[0], NOISE[1]],
        directions=[1, 1],
        descriptions=["", "  "],
    )
    assert catalogue.run() == []
    assert catalogue.run(RedundancySettings(description_threshold=0.0)) == []


# --- functions, order and output ----------------------------------------------------------


def test_pairs_within_one_function_can_be_left_out() -> None:
    catalogue = Catalogue(
        codes=["A", "B", "C"],
        names=["Net sales", "Sales net", "Net sales value"],
        series=[NOISE[0], NOISE[1], NOISE[2]],
        directions=[1, 1, 1],
        functions=["sales", "sales", "finance"],
    )
    everything = catalogue.run()
    assert len(everything) == 3
    assert not pair(everything, "A", "B").cross_function
    across = catalogue.run(RedundancySettings(cross_function_only=True))
    assert {(p.code_a, p.code_b) for p in across} == {("A", "C"), ("B", "C")}
    assert all(p.cross_function for p in across)


def test_pairs_with_more_evidence_come_first_then_stronger_then_by_code() -> None:
    series = [MONTHS, MONTHS * 2 + NOISE[0] / 50, NOISE[1], NOISE[2], NOISE[3]]
    catalogue = Catalogue(
        codes=["E", "D", "C", "B", "A"],
        names=["Net sales", "Net sales value", "Customer churn", "Churn of customers", "Zeta"],
        series=series,
        directions=[1, 1, -1, -1, 1],
    )
    pairs = catalogue.run()
    assert [(p.code_a, p.code_b) for p in pairs] == [("D", "E"), ("B", "C")]
    assert signals(pairs[0]) == ["correlation", "name"]
    assert "merge into one KPI" in pairs[0].action


def test_equal_evidence_is_ordered_by_codes() -> None:
    catalogue = Catalogue(
        codes=["Z", "Y", "X", "W"],
        names=["Alpha count", "Bravo total", "Charlie sum", "Delta mean"],
        series=[NOISE[0], NOISE[1], NOISE[2], NOISE[3]],
        directions=[1, 1, 1, 1],
        sources=["s1", "s1", "s2", "s2"],
    )
    pairs = catalogue.run()
    assert [(p.code_a, p.code_b) for p in pairs] == [("W", "X"), ("Y", "Z")]


def test_a_pair_is_json_ready() -> None:
    catalogue = Catalogue(
        codes=["SAL-1", "FIN-9"],
        names=["Net sales", "Net sales"],
        series=[MONTHS, MONTHS * 2],
        directions=[1, 1],
        functions=["sales", "finance"],
    )
    (found,) = catalogue.run()
    data = json.loads(json.dumps(found.as_dict(), allow_nan=False))
    assert data["code_a"] == "FIN-9" and data["function_a"] == "finance"
    assert data["signals"] == [
        {"signal": "correlation", "r": pytest.approx(1.0), "periods": 24},
        {"signal": "name", "similarity": 100.0},
    ]


def test_fewer_than_two_kpis_have_no_pairs() -> None:
    assert Catalogue(codes=["A"], names=["A"], series=[MONTHS], directions=[1]).run() == []


@settings(max_examples=25, deadline=None)
@given(st.permutations(range(8)))
def test_the_result_does_not_depend_on_the_input_order(order: list[int]) -> None:
    base = np.vstack(
        [MONTHS, MONTHS * 3, -MONTHS, NOISE[0], NOISE[0] * 2, NOISE[1], NOISE[2], NOISE[3]]
    )
    codes = ["a", "b", "c", "d", "e", "f", "g", "h"]
    names = ["Net sales", "Net sales value", "Cost", "Churn rate", "Churn rate %", "F", "G", "H"]
    directions = [1, 1, 1, -1, -1, 1, 1, -1]
    functions = ["s", "f", "f", "s", "o", "o", "s", "f"]
    sources: list[str | None] = [None, None, "x", "x", None, None, "y", "y"]

    def run(index: list[int]) -> list[dict[str, Any]]:
        return [
            p.as_dict()
            for p in find_redundancy(
                [codes[i] for i in index],
                [names[i] for i in index],
                [""] * 8,
                [None] * 8,
                [sources[i] for i in index],
                np.array([directions[i] for i in index]),
                [functions[i] for i in index],
                base[index],
            )
        ]

    reference = run(list(range(8)))
    shuffled = run(order)
    assert [(p["code_a"], p["code_b"], p["kind"]) for p in shuffled] == [
        (p["code_a"], p["code_b"], p["kind"]) for p in reference
    ]
    for got, want in zip(shuffled, reference, strict=True):
        assert got["signals"] == [
            {k: pytest.approx(v) if isinstance(v, float) else v for k, v in s.items()}
            for s in want["signals"]
        ]


# --- validation ------------------------------------------------------------------------


def _arguments(**changes: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "codes": ["A", "B"],
        "names": ["Alpha", "Bravo"],
        "descriptions": ["", ""],
        "formulas": [None, None],
        "sources": [None, None],
        "directions": np.array([1, 1]),
        "functions": ["sales", "finance"],
        "series": np.zeros((2, 12)),
    }
    arguments.update(changes)
    return arguments


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"codes": ["A", "A"]}, "unique"),
        ({"names": ["Alpha"]}, "names has 1 entries for 2 KPIs"),
        ({"functions": ["sales", None]}, "functions must be strings"),
        ({"formulas": [None, 3]}, "formulas must be strings or None"),
        ({"directions": np.array([1, 2])}, "directions"),
        ({"directions": np.array([1])}, "directions has shape"),
        ({"series": np.zeros((3, 12))}, "series has shape"),
        ({"series": np.zeros(12)}, "series has shape"),
    ],
)
def test_mismatched_input_is_refused(changes: dict[str, Any], problem: str) -> None:
    with pytest.raises(EngineInputError, match=problem):
        find_redundancy(**_arguments(**changes))


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"threshold": 0.0}, "threshold"),
        ({"threshold": 1.5}, "threshold"),
        ({"name_threshold": 101.0}, "name_threshold"),
        ({"description_threshold": -1.0}, "description_threshold"),
        ({"min_periods": 2}, "min_periods"),
    ],
)
def test_settings_out_of_range_are_refused(changes: dict[str, Any], problem: str) -> None:
    with pytest.raises(EngineInputError, match=problem):
        RedundancySettings(**changes)
