"""Units of measure for KPI formulas: dimension checks, never conversions.

A unit string is a product of named base units, optionally divided by another
product: ``"EUR"``, ``"count"``, ``"EUR/count"``, ``"tCO2e/EUR"``, ``"kWh/m^2"``,
``"EUR/(count*FTE)"``. At most one ``/``; factors are joined with ``*``; ``^n``
raises a factor to a whole power (``"s^-1"``); ``"1/day"`` has no numerator. A base
unit is any run of characters without spaces, ``* / ^ ( )``; names are compared
exactly (``"EUR"`` and ``"USD"`` differ, and so do ``"days"`` and ``"hours"``: the
application converts currencies and time before formulas see the values).

``"%"``, ``"ratio"``, ``"score"`` and ``""`` are dimensionless. ``%`` and ``ratio``
are therefore interchangeable here: ``done / planned`` (count/count) may feed a KPI
declared in ``%``. This module never scales by 100; the application does, as it
does for every ``%`` KPI.

:func:`infer_unit` works out the unit of a formula's result from the units of the
codes it uses:

* ``+``, ``-``, comparisons, and the value arguments of ``min``, ``max``, ``clip``,
  ``coalesce`` and ``where`` need equal dimensions.
* Number literals are dimensionless but take the unit of the other side in ``+``,
  ``-``, comparisons and those functions, so ``x + 1`` and ``max(x, 0)`` keep the unit
  of ``x``. A formula made only of numbers takes whatever unit the KPI declares.
* ``*`` and ``/`` add and subtract exponents.
* ``**`` needs a number-literal exponent when the base has a dimension, and the
  resulting exponents must be whole (``area ** 0.5`` for ``m^2`` gives ``m``); a
  dimensionless base may take any dimensionless exponent.
* ``sqrt`` halves exponents (they must be even); ``log`` and ``exp`` need a
  dimensionless argument and give a dimensionless result; ``abs`` and ``round`` keep
  the unit; a comparison gives a dimensionless 0/1.

Examples
--------
>>> from scoreline.engine.formulas import parse_formula
>>> infer_unit(parse_formula("revenue / headcount"), {"revenue": "EUR", "headcount": "count"})
'EUR/count'
>>> check_unit(parse_formula("done / planned"), {"done": "count", "planned": "count"}, "%")
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from scoreline.engine.errors import EngineInputError
from scoreline.engine.formulas import Formula

__all__ = [
    "DIMENSIONLESS_UNITS",
    "UnitError",
    "check_unit",
    "format_unit",
    "infer_unit",
    "parse_unit",
]

DIMENSIONLESS_UNITS: frozenset[str] = frozenset({"", "%", "ratio", "score"})
"""Unit names with no dimension."""

_FACTOR = re.compile(r"([^\s*/^()]+)(?:\s*\^\s*([+-]?\d+))?\Z")
_WHOLE_TOLERANCE = 1e-9

Dimensions = tuple[tuple[str, int], ...]
"""A dimension map as sorted ``(base unit, exponent)`` pairs without zero exponents."""


class UnitError(EngineInputError):
    """A unit string that cannot be read, or a formula whose units do not fit."""


def _parse_product(text: str, unit: str, sign: int, dims: dict[str, int]) -> None:
    for raw in text.split("*"):
        factor = raw.strip()
        if not factor:
            raise UnitError(f"unit {unit!r} has an empty factor")
        match = _FACTOR.match(factor)
        if match is None:
            raise UnitError(f"unit {unit!r} has an unreadable factor {factor!r}")
        name, power = match.group(1), int(match.group(2) or 1)
        if name in DIMENSIONLESS_UNITS:
            continue
        if name.replace(".", "").isdigit():
            raise UnitError(f"unit {unit!r} has a number {name!r} where a unit belongs")
        dims[name] = dims.get(name, 0) + sign * power


def parse_unit(unit: str) -> dict[str, int]:
    """Read a unit string into a dimension map (base unit -> exponent).

    Parameters
    ----------
    unit : str
        E.g. ``"EUR/count"``. Dimensionless units (``"%"``, ``"ratio"``,
        ``"score"``, ``""``) give an empty map.

    Returns
    -------
    dict of str to int
        Non-zero exponents only.

    Raises
    ------
    UnitError
        The string cannot be read (more than one ``/``, an empty or numeric factor).

    Examples
    --------
    >>> parse_unit("EUR/(count*FTE)")
    {'EUR': 1, 'count': -1, 'FTE': -1}
    >>> parse_unit("%")
    {}
    """
    if not isinstance(unit, str):
        raise UnitError(f"a unit must be text, got {type(unit).__name__}")
    text = unit.strip()
    if text in DIMENSIONLESS_UNITS:
        return {}
    numerator, slash, denominator = text.partition("/")
    if "/" in denominator:
        raise UnitError(f"unit {unit!r} has more than one '/'")
    dims: dict[str, int] = {}
    if numerator.strip() != "1" or not slash:
        _parse_product(numerator, unit, 1, dims)
    if slash:
        denominator = denominator.strip()
        if denominator.startswith("(") and denominator.endswith(")"):
            denominator = denominator[1:-1]
        _parse_product(denominator, unit, -1, dims)
    return {name: power for name, power in dims.items() if power != 0}


def _factors(pairs: Iterable[tuple[str, int]]) -> str:
    return "*".join(name if power == 1 else f"{name}^{power}" for name, power in pairs)


def format_unit(dims: Mapping[str, int]) -> str:
    """Write a dimension map as a canonical unit string.

    Factors are sorted by name, positive exponents before the ``/``; a dimensionless
    map gives ``""``.

    Examples
    --------
    >>> format_unit({"count": -1, "EUR": 1})
    'EUR/count'
    >>> format_unit({"day": -1}), format_unit({"m": 2, "s": -2, "kg": 1}), format_unit({})
    ('1/day', 'kg*m^2/s^2', '')
    """
    ordered = sorted((name, power) for name, power in dims.items() if power != 0)
    numerator = _factors((name, power) for name, power in ordered if power > 0)
    denominator = _factors((name, -power) for name, power in ordered if power < 0)
    if not denominator:
        return numerator
    return f"{numerator or '1'}/{denominator}"


def _canonical(dims: Mapping[str, int]) -> Dimensions:
    return tuple(sorted((name, power) for name, power in dims.items() if power != 0))


def _show(dims: Dimensions) -> str:
    return format_unit(dict(dims)) or "dimensionless"


@dataclass(frozen=True)
class _Quantity:
    dims: Dimensions
    # Built from number literals only: takes the unit of what it meets in + and -.
    free: bool


def _literal(node: ast.expr) -> float | None:
    """The value of an optionally signed number literal, else None."""
    sign = 1.0
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        sign = -sign if isinstance(node.op, ast.USub) else sign
        node = node.operand
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    ):
        return sign * float(node.value)
    return None


def _scaled(dims: Dimensions, factor: float) -> Dimensions | None:
    """Exponents multiplied by ``factor``; None when one would not be whole."""
    scaled: dict[str, int] = {}
    for name, power in dims:
        value = power * factor
        if abs(value - round(value)) > _WHOLE_TOLERANCE:
            return None
        scaled[name] = round(value)
    return _canonical(scaled)


class _Inference:
    def __init__(self, formula: Formula, units: Mapping[str, Dimensions]) -> None:
        self.formula = formula
        self.units = units

    def fail(self, message: str, node: ast.AST) -> UnitError:
        return UnitError(f"{message} ({self.formula.locate(node)})")

    def same(self, quantities: list[_Quantity], what: str, node: ast.AST) -> _Quantity:
        """The common unit of operands that must match; literals adapt."""
        fixed = [quantity for quantity in quantities if not quantity.free]
        if not fixed:
            return _Quantity((), free=True)
        for quantity in fixed[1:]:
            if quantity.dims != fixed[0].dims:
                raise self.fail(f"{what} {_show(fixed[0].dims)} and {_show(quantity.dims)}", node)
        return _Quantity(fixed[0].dims, free=False)

    def infer(self, node: ast.AST) -> _Quantity:
        if isinstance(node, ast.Name):
            return _Quantity(self.units[node.id], free=False)
        if isinstance(node, ast.Constant):
            return _Quantity((), free=True)
        if isinstance(node, ast.UnaryOp):
            return self.infer(node.operand)
        if isinstance(node, ast.BinOp):
            return self.infer_binary(node)
        if isinstance(node, ast.Compare):
            operands = [self.infer(operand) for operand in (node.left, *node.comparators)]
            outcome = self.same(operands, "cannot compare", node)
            return _Quantity((), free=outcome.free)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return self.infer_call(node, node.func.id)
        raise self.fail(f"{type(node).__name__} has no unit", node)

    def infer_binary(self, node: ast.BinOp) -> _Quantity:
        left = self.infer(node.left)
        if isinstance(node.op, ast.Pow):
            return self.infer_power(node, left)
        right = self.infer(node.right)
        free = left.free and right.free
        if isinstance(node.op, ast.Add):
            return self.same([left, right], "cannot add", node)
        if isinstance(node.op, ast.Sub):
            return self.same([left, right], "cannot subtract", node)
        sign = 1 if isinstance(node.op, ast.Mult) else -1
        combined = dict(left.dims)
        for name, power in right.dims:
            combined[name] = combined.get(name, 0) + sign * power
        return _Quantity(_canonical(combined), free=free)

    def infer_power(self, node: ast.BinOp, base: _Quantity) -> _Quantity:
        exponent = self.infer(node.right)
        if exponent.dims:
            raise self.fail(f"an exponent must be dimensionless, got {_show(exponent.dims)}", node)
        literal = _literal(node.right)
        if literal is None:
            if base.dims:
                raise self.fail(f"{_show(base.dims)} can only be raised to a number literal", node)
            return _Quantity((), free=base.free and exponent.free)
        scaled = _scaled(base.dims, literal)
        if scaled is None:
            raise self.fail(
                f"{_show(base.dims)} ** {literal:g} does not give whole exponents", node
            )
        return _Quantity(scaled, free=base.free)

    def infer_call(self, node: ast.Call, name: str) -> _Quantity:
        arguments = [self.infer(argument) for argument in node.args]
        if name in ("abs", "round"):
            return arguments[0]
        if name in ("min", "max", "clip", "coalesce"):
            return self.same(arguments, f"{name}() needs one unit, got", node)
        if name == "where":
            return self.same(arguments[1:], "where() needs one unit, got", node)
        (argument,) = arguments
        if name == "sqrt":
            halved = _scaled(argument.dims, 0.5)
            if halved is None:
                raise self.fail(f"sqrt() of {_show(argument.dims)} has no whole unit", node)
            return _Quantity(halved, free=argument.free)
        # log and exp: parse_formula allows no other function.
        if argument.dims:
            raise self.fail(
                f"{name}() needs a dimensionless argument, got {_show(argument.dims)}", node
            )
        return argument


def _infer(formula: Formula, units: Mapping[str, str]) -> _Quantity:
    missing = sorted(name for name in formula.names if name not in units)
    if missing:
        raise UnitError(
            f"formula {formula.text!r} needs a unit for {', '.join(map(repr, missing))}"
        )
    dimensions = {name: _canonical(parse_unit(units[name])) for name in formula.names}
    return _Inference(formula, dimensions).infer(formula.tree.body)


def infer_unit(formula: Formula, units: Mapping[str, str]) -> str:
    """Work out the unit of a formula's result.

    Parameters
    ----------
    formula : Formula
        From :func:`scoreline.engine.formulas.parse_formula`.
    units : mapping of str to str
        The unit of every code the formula uses.

    Returns
    -------
    str
        The canonical unit (see :func:`format_unit`); ``""`` when dimensionless or
        when the formula is made only of numbers.

    Raises
    ------
    UnitError
        A code has no unit or an unreadable one, or the formula combines units that
        do not fit; the message names both units and the column.

    Examples
    --------
    >>> from scoreline.engine.formulas import parse_formula
    >>> units = {"emissions": "tCO2e", "revenue": "EUR", "cost": "USD"}
    >>> infer_unit(parse_formula("emissions / revenue * 1000"), units)
    'tCO2e/EUR'
    >>> infer_unit(parse_formula("revenue - cost"), units)
    Traceback (most recent call last):
    ...
    scoreline.engine.units.UnitError: cannot subtract EUR and USD (col 9)
    """
    return format_unit(dict(_infer(formula, units).dims))


def check_unit(formula: Formula, units: Mapping[str, str], declared: str) -> None:
    """Check that a formula gives the unit its KPI declares.

    Dimensionless results fit ``"%"``, ``"ratio"``, ``"score"`` and ``""`` alike; a
    formula made only of numbers fits any unit.

    Parameters
    ----------
    formula : Formula
        The KPI's formula.
    units : mapping of str to str
        The unit of every code the formula uses.
    declared : str
        The unit declared on the KPI.

    Raises
    ------
    UnitError
        The inferred and declared units differ, or :func:`infer_unit` fails.

    Examples
    --------
    >>> from scoreline.engine.formulas import parse_formula
    >>> check_unit(parse_formula("cost / staff"), {"cost": "EUR", "staff": "FTE"}, "EUR")
    Traceback (most recent call last):
    ...
    scoreline.engine.units.UnitError: formula 'cost / staff' gives EUR/FTE, but the KPI's unit is 'EUR'
    """
    expected = _canonical(parse_unit(declared))
    result = _infer(formula, units)
    if not result.free and result.dims != expected:
        raise UnitError(
            f"formula {formula.text!r} gives {_show(result.dims)}, "
            f"but the KPI's unit is {declared!r}"
        )
