"""Formulas for derived KPIs: safe, element-wise arithmetic over other KPIs and measures.

A formula is a single arithmetic expression such as ``revenue / headcount`` or
``where(visits > 0, sales / visits, 0)``. It is parsed once with :func:`parse_formula`,
which walks the syntax tree and refuses anything outside a strict allow-list, then
evaluated on numpy arrays by a restricted ``simpleeval`` evaluator.

Language
--------
* Numbers: integer and decimal literals (``2``, ``0.5``, ``1e3``).
* Names: the codes of other KPIs and measures. A code used in a formula must be an
  identifier matching ``[A-Za-z_][A-Za-z0-9_]*`` that does not start with ``__``, is
  not a Python keyword and is not one of the function names below. A KPI whose code
  contains dots or dashes cannot be referred to by a formula; see
  :func:`is_valid_name`.
* Operators: ``+ - * /``, ``**`` (exponent at most :data:`MAX_EXPONENT` in absolute
  value), unary ``-`` and ``+``, comparisons ``< <= > >= == !=`` (chains such as
  ``0 < x <= 1`` allowed). A comparison gives 1.0 where true and 0.0 where false, for
  use inside ``where``.
* Functions (all element-wise): ``min(a, b, ...)`` and ``max(a, b, ...)`` of two or
  more values, ``abs(x)``, ``round(x)`` or ``round(x, digits)`` (half to even, digits
  a whole-number literal), ``sqrt(x)``, ``log(x)`` (natural), ``exp(x)``,
  ``clip(x, lo, hi)``, ``where(cond, a, b)`` (``a`` where ``cond`` is non-zero, else
  ``b``) and ``coalesce(a, b, ...)`` (the first value that is not NaN).

Everything else is refused when parsing, with the construct and its column named:
attribute access, subscripts, calls to anything but the functions above, keyword
arguments, strings, ``True``/``False``/``None``, lambdas, comprehensions, ``:=``,
``and``/``or``/``not``, ``if``/``else`` expressions, containers, ``//``, ``%``, bit
operators. Formulas are at most :data:`MAX_LENGTH` characters and
:data:`MAX_DEPTH` levels deep (a sum of more terms than that can be split with
parentheses). Columns count characters from 1 in the formula with surrounding
whitespace removed.

NaN policy
----------
A NaN input gives a NaN result wherever it is used: arithmetic, comparisons,
``min``/``max``, ``clip``, ``round``, ``**`` (even ``NaN ** 0`` and ``1 ** NaN``).
``coalesce`` replaces NaN, and ``where`` uses only the branch it picks (a NaN
condition gives NaN). Any result that is not finite becomes NaN: division by zero,
``log(0)``, ``sqrt`` or ``log`` of a negative number, overflow, an exponent beyond
:data:`MAX_EXPONENT` coming from data, and infinite inputs.

Examples
--------
>>> import numpy as np
>>> formula = parse_formula("where(visits > 0, sales / visits, 0)")
>>> sorted(formula.names)
['sales', 'visits']
>>> evaluate(formula, {"sales": np.array([10.0, 5.0]), "visits": np.array([4.0, 0.0])})
array([2.5, 0. ])
"""

from __future__ import annotations

import ast
import keyword
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

import numpy as np
import numpy.typing as npt
from simpleeval import InvalidExpression, SimpleEval

from scoreline.engine.errors import EngineInputError
from scoreline.engine.graph import CycleError, topological_order

__all__ = [
    "FUNCTION_NAMES",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "Formula",
    "FormulaError",
    "evaluate",
    "evaluate_all",
    "is_valid_name",
    "parse_formula",
]

FloatArray = npt.NDArray[np.float64]
ArrayLike = npt.ArrayLike

MAX_LENGTH = 10_000
"""Longest formula text accepted, in characters."""

MAX_DEPTH = 200
"""Deepest syntax tree accepted; keeps parsing and evaluation far from recursion limits."""

MAX_EXPONENT = 1000.0
"""Largest absolute exponent for ``**``."""

_MAX_ROUND_DIGITS = 15
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class FormulaError(EngineInputError):
    """A formula that cannot be parsed, is not allowed, or lacks an input."""


# --- element-wise implementations -------------------------------------------------


def _floats(values: ArrayLike) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def _finite(values: ArrayLike) -> FloatArray:
    """Non-finite results (division by zero, overflow, log(0)) become NaN."""
    result = _floats(values)
    return np.where(np.isfinite(result), result, np.nan)


def _add(a: ArrayLike, b: ArrayLike) -> FloatArray:
    return _finite(np.add(a, b))


def _subtract(a: ArrayLike, b: ArrayLike) -> FloatArray:
    return _finite(np.subtract(a, b))


def _multiply(a: ArrayLike, b: ArrayLike) -> FloatArray:
    return _finite(np.multiply(a, b))


def _divide(a: ArrayLike, b: ArrayLike) -> FloatArray:
    return _finite(np.divide(a, b))


def _power(base: ArrayLike, exponent: ArrayLike) -> FloatArray:
    base_values, exponents = _floats(base), _floats(exponent)
    # IEEE pow gives 1 for NaN ** 0 and 1 ** NaN; the NaN policy wants NaN.
    usable = (np.abs(exponents) <= MAX_EXPONENT) & ~np.isnan(base_values)
    powers = np.power(base_values, np.where(usable, exponents, 0.0))
    return _finite(np.where(usable, powers, np.nan))


def _negate(a: ArrayLike) -> FloatArray:
    return _finite(np.negative(a))


def _positive(a: ArrayLike) -> FloatArray:
    return _finite(a)


def _comparison(
    compare: Callable[[FloatArray, FloatArray], Any],
) -> Callable[[ArrayLike, ArrayLike], FloatArray]:
    def apply(a: ArrayLike, b: ArrayLike) -> FloatArray:
        left, right = _floats(a), _floats(b)
        outcome = _floats(compare(left, right))
        return np.where(np.isnan(left) | np.isnan(right), np.nan, outcome)

    return apply


def _minimum(*values: ArrayLike) -> FloatArray:
    return _finite(reduce(np.minimum, (_floats(value) for value in values)))


def _maximum(*values: ArrayLike) -> FloatArray:
    return _finite(reduce(np.maximum, (_floats(value) for value in values)))


def _absolute(value: ArrayLike) -> FloatArray:
    return _finite(np.abs(value))


def _round(value: ArrayLike, digits: ArrayLike = 0) -> FloatArray:
    return _finite(np.round(_floats(value), int(_floats(digits))))


def _sqrt(value: ArrayLike) -> FloatArray:
    return _finite(np.sqrt(value))


def _log(value: ArrayLike) -> FloatArray:
    return _finite(np.log(value))


def _exp(value: ArrayLike) -> FloatArray:
    return _finite(np.exp(value))


def _clip(value: ArrayLike, low: ArrayLike, high: ArrayLike) -> FloatArray:
    low_values, high_values = _floats(low), _floats(high)
    clipped = np.minimum(np.maximum(_floats(value), low_values), high_values)
    return _finite(np.where(low_values > high_values, np.nan, clipped))


def _where(condition: ArrayLike, when_true: ArrayLike, when_false: ArrayLike) -> FloatArray:
    flags = _floats(condition)
    chosen = np.where(flags != 0, _floats(when_true), _floats(when_false))
    return _finite(np.where(np.isnan(flags), np.nan, chosen))


def _coalesce(*values: ArrayLike) -> FloatArray:
    def first_present(found: FloatArray, fallback: FloatArray) -> FloatArray:
        return np.where(np.isnan(found), fallback, found)

    return _finite(reduce(first_present, (_floats(value) for value in values)))


@dataclass(frozen=True)
class _FunctionSpec:
    implementation: Callable[..., FloatArray]
    min_args: int
    max_args: int | None  # None: no upper bound


_FUNCTIONS: dict[str, _FunctionSpec] = {
    "abs": _FunctionSpec(_absolute, 1, 1),
    "clip": _FunctionSpec(_clip, 3, 3),
    "coalesce": _FunctionSpec(_coalesce, 2, None),
    "exp": _FunctionSpec(_exp, 1, 1),
    "log": _FunctionSpec(_log, 1, 1),
    "max": _FunctionSpec(_maximum, 2, None),
    "min": _FunctionSpec(_minimum, 2, None),
    "round": _FunctionSpec(_round, 1, 2),
    "sqrt": _FunctionSpec(_sqrt, 1, 1),
    "where": _FunctionSpec(_where, 3, 3),
}

FUNCTION_NAMES: frozenset[str] = frozenset(_FUNCTIONS)
"""The functions a formula may call; these names cannot be used as codes."""

_OPERATORS: dict[type[ast.AST], Callable[..., FloatArray]] = {
    ast.Add: _add,
    ast.Sub: _subtract,
    ast.Mult: _multiply,
    ast.Div: _divide,
    ast.Pow: _power,
    ast.USub: _negate,
    ast.UAdd: _positive,
    ast.Lt: _comparison(np.less),
    ast.LtE: _comparison(np.less_equal),
    ast.Gt: _comparison(np.greater),
    ast.GtE: _comparison(np.greater_equal),
    ast.Eq: _comparison(np.equal),
    ast.NotEq: _comparison(np.not_equal),
}


# --- positions in the text ------------------------------------------------------


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(match.end() for match in _LINE_BREAK.finditer(text))
    return starts


def _char_index(text: str, lineno: int, col_offset: int) -> int:
    """Absolute character index of an ast position (its column counts UTF-8 bytes)."""
    starts = _line_starts(text)
    start = starts[lineno - 1]
    end = starts[lineno] if lineno < len(starts) else len(text)
    line_bytes = text[start:end].encode("utf-8")
    return start + len(line_bytes[:col_offset].decode("utf-8", errors="ignore"))


def _describe_index(text: str, index: int) -> str:
    starts = _line_starts(text)
    lineno = max(number for number, start in enumerate(starts, 1) if start <= index)
    column = index - starts[lineno - 1] + 1
    return f"col {column}" if len(starts) == 1 else f"line {lineno}, col {column}"


def _operator_index(text: str, left: ast.expr, right: ast.expr) -> int:
    """Index of the operator between two operands, past brackets, spaces and comments."""
    index = _char_index(text, left.end_lineno or left.lineno, left.end_col_offset or 0)
    stop = _char_index(text, right.lineno, right.col_offset)
    while index < stop:
        char = text[index]
        if char == "#":
            newline = _LINE_BREAK.search(text, index)
            index = newline.end() if newline else stop
        elif char in " \t\f\r\n\\()":
            index += 1
        else:
            return index
    return stop


def _node_index(text: str, node: ast.AST) -> int:
    if isinstance(node, ast.BinOp):
        return _operator_index(text, node.left, node.right)
    if isinstance(node, ast.Compare):
        return _operator_index(text, node.left, node.comparators[0])
    lineno: int = getattr(node, "lineno", 1)
    col_offset: int = getattr(node, "col_offset", 0)
    return _char_index(text, lineno, col_offset)


# --- the parsed formula -------------------------------------------------------------


@dataclass(frozen=True)
class Formula:
    """A parsed formula; build it with :func:`parse_formula`.

    Attributes
    ----------
    text : str
        The formula text, surrounding whitespace removed.
    names : frozenset of str
        The KPI and measure codes it refers to.
    tree : ast.Expression
        The validated syntax tree (not part of equality; do not modify).

    Examples
    --------
    >>> parse_formula("a + b") == parse_formula("  a + b ")
    True
    """

    text: str
    names: frozenset[str]
    tree: ast.Expression = field(compare=False, repr=False)

    def locate(self, node: ast.AST) -> str:
        """Where a node of :attr:`tree` sits in :attr:`text`, for messages.

        Binary operations and comparisons point at their (first) operator, other
        nodes at their first character: ``"col 5"``, or ``"line 2, col 3"`` when the
        text spans several lines.

        Examples
        --------
        >>> formula = parse_formula("x + y")
        >>> formula.locate(formula.tree.body)
        'col 3'
        """
        return _describe_index(self.text, _node_index(self.text, node))


def is_valid_name(code: str) -> bool:
    """Whether a KPI or measure code can be referred to in a formula.

    Examples
    --------
    >>> is_valid_name("revenue_eur"), is_valid_name("rev.eur"), is_valid_name("min")
    (True, False, False)
    """
    return (
        bool(_NAME.match(code))
        and not code.startswith("__")
        and not keyword.iskeyword(code)
        and code not in FUNCTION_NAMES
    )


_FORBIDDEN: dict[type[ast.AST], str] = {
    ast.Attribute: "attribute access is not allowed",
    ast.Subscript: "subscripts are not allowed",
    ast.Slice: "slices are not allowed",
    ast.Lambda: "lambda functions are not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.NamedExpr: "assignment expressions (:=) are not allowed",
    ast.BoolOp: "'and' / 'or' are not allowed (use where(cond, a, b))",
    ast.IfExp: "if/else expressions are not allowed (use where(cond, a, b))",
    ast.JoinedStr: "strings are not allowed",
    ast.List: "lists are not allowed",
    ast.Tuple: "tuples are not allowed",
    ast.Set: "sets are not allowed",
    ast.Dict: "dicts are not allowed",
    ast.Starred: "starred arguments are not allowed",
    ast.Await: "await is not allowed",
    ast.Yield: "yield is not allowed",
    ast.YieldFrom: "yield is not allowed",
}

_OPERATOR_SYMBOLS: dict[type[ast.AST], str] = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.Not: "not",
    ast.Invert: "~",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
}

_CONSTANT_KINDS: dict[type, str] = {
    str: "strings are not allowed",
    bytes: "bytes are not allowed",
    bool: "True and False are not allowed (use 1 and 0)",
    complex: "complex numbers are not allowed",
    type(None): "None is not allowed",
    type(Ellipsis): "'...' is not allowed",
}


def _signed_literal(node: ast.expr) -> float | None:
    """The value of a number literal, optionally signed, else None."""
    sign = 1.0
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        sign = -sign if isinstance(node.op, ast.USub) else sign
        node = node.operand
    value = _number_value(node.value) if isinstance(node, ast.Constant) else None
    return None if value is None else sign * value


def _number_value(value: object) -> float | None:
    """A number literal's value as a float; None for anything else (bools included)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


class _Validator:
    """Walks a parsed tree, refusing anything outside the allow-list; collects names."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.names: set[str] = set()

    def fail(self, message: str, index: int) -> FormulaError:
        return FormulaError(f"{message} ({_describe_index(self.text, index)})")

    def at(self, node: ast.AST) -> int:
        return _node_index(self.text, node)

    def check(self, node: ast.AST, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise FormulaError(f"formula is nested too deeply (more than {MAX_DEPTH} levels)")
        if isinstance(node, ast.Name):
            self.check_name(node)
        elif isinstance(node, ast.Constant):
            self.check_constant(node)
        elif isinstance(node, ast.UnaryOp):
            self.check_operator(node.op, self.at(node))
            self.check(node.operand, depth + 1)
        elif isinstance(node, ast.BinOp):
            self.check_operator(node.op, self.at(node))
            if isinstance(node.op, ast.Pow):
                self.check_exponent(node)
            self.check(node.left, depth + 1)
            self.check(node.right, depth + 1)
        elif isinstance(node, ast.Compare):
            left = node.left
            for operation, comparator in zip(node.ops, node.comparators, strict=True):
                self.check_operator(operation, _operator_index(self.text, left, comparator))
                left = comparator
            for operand in (node.left, *node.comparators):
                self.check(operand, depth + 1)
        elif isinstance(node, ast.Call):
            self.check_call(node, depth)
        else:
            message = _FORBIDDEN.get(type(node), f"{type(node).__name__} is not allowed")
            raise self.fail(message, self.at(node))

    def check_name(self, node: ast.Name) -> None:
        if node.id in FUNCTION_NAMES:
            raise self.fail(f"function {node.id!r} must be called", self.at(node))
        if node.id.startswith("__"):
            raise self.fail(f"names starting with '__' are not allowed: {node.id}", self.at(node))
        if not _NAME.match(node.id):
            raise self.fail(
                f"name {node.id!r} is not a valid code (use letters, digits and _)",
                self.at(node),
            )
        self.names.add(node.id)

    def check_constant(self, node: ast.Constant) -> None:
        kind = type(node.value)
        if kind in _CONSTANT_KINDS:
            raise self.fail(_CONSTANT_KINDS[kind], self.at(node))
        value = _number_value(node.value)
        if value is None:
            raise self.fail(f"{kind.__name__} literals are not allowed", self.at(node))
        if not math.isfinite(value):
            raise self.fail("number is too large", self.at(node))

    def check_operator(self, operator: ast.AST, index: int) -> None:
        if type(operator) not in _OPERATORS:
            symbol = _OPERATOR_SYMBOLS.get(type(operator), type(operator).__name__)
            raise self.fail(f"operator {symbol!r} is not allowed", index)

    def check_exponent(self, node: ast.BinOp) -> None:
        exponent = _signed_literal(node.right)
        if exponent is not None and abs(exponent) > MAX_EXPONENT:
            raise self.fail(
                f"exponent {exponent:g} is too large (at most {MAX_EXPONENT:g} in absolute value)",
                self.at(node),
            )

    def check_call(self, node: ast.Call, depth: int) -> None:
        if not isinstance(node.func, ast.Name):
            self.check(node.func, depth + 1)
            raise self.fail("only named functions can be called", self.at(node))
        name = node.func.id
        spec = _FUNCTIONS.get(name)
        if spec is None:
            allowed = ", ".join(sorted(FUNCTION_NAMES))
            raise self.fail(
                f"calling {name!r} is not allowed (functions: {allowed})", self.at(node)
            )
        if node.keywords:
            raise self.fail(f"{name}() takes no keyword arguments", self.at(node.keywords[0]))
        count = len(node.args)
        if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
            if spec.max_args is None:
                expected = f"at least {spec.min_args}"
            elif spec.max_args == spec.min_args:
                expected = str(spec.min_args)
            else:
                expected = f"{spec.min_args} to {spec.max_args}"
            raise self.fail(
                f"{name}() takes {expected} argument{'' if expected == '1' else 's'}, got {count}",
                self.at(node.func),
            )
        if name == "round" and count == 2:
            digits = _signed_literal(node.args[1])
            if digits is None or not digits.is_integer() or abs(digits) > _MAX_ROUND_DIGITS:
                raise self.fail(
                    "round()'s digits must be a whole-number literal from "
                    f"-{_MAX_ROUND_DIGITS} to {_MAX_ROUND_DIGITS}",
                    self.at(node.args[1]),
                )
        for argument in node.args:
            self.check(argument, depth + 1)


def parse_formula(text: str) -> Formula:
    """Parse and validate a formula.

    Parameters
    ----------
    text : str
        The formula, e.g. ``"sales / visits"``. Surrounding whitespace is ignored.

    Returns
    -------
    Formula
        The text, the codes it refers to and its validated syntax tree.

    Raises
    ------
    FormulaError
        A syntax error, a construct outside the allow-list (naming it and its
        column), a formula that is empty, too long or nested too deeply.

    Examples
    --------
    >>> sorted(parse_formula("max(a, b) / 2").names)
    ['a', 'b']
    >>> parse_formula("a.real")
    Traceback (most recent call last):
    ...
    scoreline.engine.formulas.FormulaError: attribute access is not allowed (col 1)
    """
    if not isinstance(text, str):
        raise FormulaError(f"a formula must be text, got {type(text).__name__}")
    stripped = text.strip()
    if not stripped:
        raise FormulaError("formula is empty")
    if len(stripped) > MAX_LENGTH:
        raise FormulaError(
            f"formula is too long ({len(stripped)} characters, at most {MAX_LENGTH})"
        )
    try:
        tree = ast.parse(stripped, mode="eval")
    except SyntaxError as error:
        where = f" (col {error.offset})" if error.offset else ""
        raise FormulaError(f"syntax error: {error.msg}{where}") from None
    except (MemoryError, RecursionError):
        raise FormulaError(f"formula is nested too deeply (more than {MAX_DEPTH} levels)") from None
    except ValueError as error:  # e.g. NUL characters
        raise FormulaError(f"syntax error: {error}") from None
    validator = _Validator(stripped)
    validator.check(tree.body, 1)
    return Formula(text=stripped, names=frozenset(validator.names), tree=tree)


# --- evaluation -------------------------------------------------------------------


class _ArrayEvaluator(SimpleEval):
    """simpleeval restricted to the formula node types, operators and functions.

    ``parse_formula`` already refuses everything else; the restricted node table
    means a hand-built tree cannot reach attributes, subscripts or other callables.
    """

    def __init__(self, names: Mapping[str, FloatArray]) -> None:
        super().__init__(
            operators=dict(_OPERATORS),
            functions={name: spec.implementation for name, spec in _FUNCTIONS.items()},
            names=dict(names),
        )
        self.nodes = {
            ast.Name: self._eval_name,
            ast.Constant: self._eval_number,
            ast.UnaryOp: self._eval_unaryop,
            ast.BinOp: self._eval_binop,
            ast.Compare: self._eval_comparison,
            ast.Call: self._eval_call,
        }

    def _eval_number(self, node: ast.Constant) -> FloatArray:
        # Floats, never Python ints: no unbounded integer arithmetic.
        value = _number_value(node.value)
        if value is None:
            raise FormulaError(f"{type(node.value).__name__} literals are not allowed")
        return _floats(value)

    def _eval_comparison(self, node: ast.Compare) -> FloatArray:
        # simpleeval short-circuits chains with Python truth, which arrays do not have.
        left = self._eval(node.left)
        outcome: FloatArray | None = None
        for operation, comparator in zip(node.ops, node.comparators, strict=True):
            right = self._eval(comparator)
            step = self.operators[type(operation)](left, right)
            outcome = step if outcome is None else np.multiply(outcome, step)
            left = right
        assert outcome is not None  # a Compare node has at least one operator
        return outcome


def _as_input(name: str, value: ArrayLike) -> FloatArray:
    try:
        values = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise FormulaError(f"input {name!r} is not numeric") from None
    return np.where(np.isfinite(values), values, np.nan)


def evaluate(formula: Formula, inputs: Mapping[str, ArrayLike]) -> FloatArray:
    """Evaluate a formula element-wise.

    Parameters
    ----------
    formula : Formula
        From :func:`parse_formula`.
    inputs : mapping of str to array or float
        A value for every code in ``formula.names``; arrays broadcast together,
        scalars broadcast. Other entries are ignored.

    Returns
    -------
    numpy.ndarray
        float64, the broadcast shape of the inputs the formula uses (0-d when it uses
        none). NaN where the result is missing or not finite (see the module's NaN
        policy).

    Raises
    ------
    FormulaError
        An input is missing or not numeric, or the inputs' shapes do not broadcast.

    Examples
    --------
    >>> import numpy as np
    >>> evaluate(parse_formula("coalesce(a / b, 0)"), {"a": np.array([1.0, 1.0]), "b": 0.5})
    array([2., 2.])
    >>> evaluate(parse_formula("a / b"), {"a": np.array([1.0, 0.0]), "b": 0.0})
    array([nan, nan])
    """
    missing = sorted(name for name in formula.names if name not in inputs)
    if missing:
        raise FormulaError(
            f"formula {formula.text!r} needs a value for {', '.join(map(repr, missing))}"
        )
    arrays = {name: _as_input(name, inputs[name]) for name in sorted(formula.names)}
    try:
        shape = np.broadcast_shapes(*(values.shape for values in arrays.values()))
    except ValueError:
        shapes = ", ".join(f"{name} {values.shape}" for name, values in arrays.items())
        raise FormulaError(
            f"inputs of formula {formula.text!r} have shapes that do not match: {shapes}"
        ) from None
    evaluator = _ArrayEvaluator(arrays)
    try:
        with np.errstate(all="ignore"):
            result = evaluator.eval(formula.text, previously_parsed=formula.tree.body)
    except InvalidExpression as error:
        raise FormulaError(f"formula {formula.text!r} cannot be evaluated: {error}") from None
    return np.array(np.broadcast_to(result, shape), dtype=np.float64)


def evaluate_all(
    formulas: Mapping[str, Formula], base: Mapping[str, FloatArray]
) -> dict[str, FloatArray]:
    """Evaluate derived KPIs in dependency order.

    Parameters
    ----------
    formulas : mapping of str to Formula
        Derived KPI code -> its formula. A formula may refer to base codes and to
        other derived codes.
    base : mapping of str to array
        Values of measured KPIs and measures. A code may not be both a base value and
        a formula.

    Returns
    -------
    dict of str to numpy.ndarray
        The derived KPIs only, in dependency order (dependencies first).

    Raises
    ------
    CycleError
        Formulas refer to each other in a cycle; the message reads
        ``cycle in formula references: a -> b -> a`` where ``a`` refers to ``b``.
    FormulaError
        A formula refers to a code that is neither a base value nor a formula, a code
        is given both ways, or an evaluation fails (the message names the KPI).

    Examples
    --------
    >>> import numpy as np
    >>> derived = {
    ...     "margin": parse_formula("profit / revenue"),
    ...     "profit": parse_formula("revenue - cost"),
    ... }
    >>> result = evaluate_all(derived, {"revenue": np.array([200.0]), "cost": np.array([150.0])})
    >>> list(result), result["margin"]
    (['profit', 'margin'], array([0.25]))
    """
    both = sorted(set(formulas) & set(base))
    if both:
        raise FormulaError(
            f"{', '.join(map(repr, both))} given both as a formula and as a base value"
        )
    for code in sorted(formulas):
        names = formulas[code].names
        unknown = sorted(name for name in names if name not in formulas and name not in base)
        if unknown:
            raise FormulaError(
                f"formula for {code!r} refers to unknown {', '.join(map(repr, unknown))}"
            )
    edges = [
        (name, code)
        for code, formula in formulas.items()
        for name in formula.names
        if name in formulas
    ]
    try:
        order = topological_order(formulas, edges)
    except CycleError as error:
        # Edges run from a code to the formulas using it; show "a refers to b" instead.
        raise CycleError(error.cycle[::-1], "formula references") from None
    values: dict[str, ArrayLike] = dict(base)
    results: dict[str, FloatArray] = {}
    for code in order:
        try:
            results[code] = evaluate(formulas[code], values)
        except FormulaError as error:
            raise FormulaError(f"{code}: {error}") from None
        values[code] = results[code]
    return results
