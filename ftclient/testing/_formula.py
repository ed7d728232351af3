"""A safe evaluator for the multi grader's ``calculate_output`` formula.

The formula is parsed with :func:`ast.parse` (which never runs code) and only this grammar is
accepted: numbers, names of sub-grader scores, ``+ - * /``, ``**`` and ``^`` (both power, as in
the graders guide, with power's precedence), unary ``+``/``-``, parentheses and the functions
``min``, ``max``, ``abs``, ``floor``, ``ceil``, ``exp``, ``sqrt`` and ``log``. Anything else is
a :class:`FormulaError`.
Evaluation is a walk over the checked tree in floating point, so ``10 ** 10 ** 10`` overflows
instead of building a huge integer.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["Formula", "FormulaError"]

MAX_FORMULA_CHARS = 1000

_FUNCTIONS: dict[str, tuple[Callable[..., Any], int, int | None]] = {
    "min": (lambda *args: min(args), 1, None),
    "max": (lambda *args: max(args), 1, None),
    "abs": (abs, 1, 1),
    "floor": (math.floor, 1, 1),
    "ceil": (math.ceil, 1, 1),
    "exp": (math.exp, 1, 1),
    "sqrt": (math.sqrt, 1, 1),
    "log": (math.log, 1, 1),
}
_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}


class FormulaError(ValueError):
    """The formula does not parse, names something unknown, or cannot be evaluated.

    ``stage`` is ``"parse"`` for the first two and ``"evaluate"`` for the last.
    """

    def __init__(self, message: str, stage: str = "parse") -> None:
        super().__init__(message)
        self.stage = stage


class Formula:
    """A checked ``calculate_output`` expression."""

    def __init__(self, text: str) -> None:
        """Parse and check ``text``.

        Raises:
            FormulaError: the text is not an expression of the accepted grammar.
        """
        if len(text) > MAX_FORMULA_CHARS:
            raise FormulaError(f"formula is longer than {MAX_FORMULA_CHARS} characters")
        try:
            # ``^`` is power in the graders guide; as ``**`` it also gets power's precedence.
            tree = ast.parse(text.strip().replace("^", "**"), mode="eval")
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            raise FormulaError(f"formula does not parse: {text!r}") from exc
        self.text = text
        self.names: set[str] = set()
        self._root = tree.body
        self._check(self._root)

    def _check(self, node: ast.expr) -> None:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise FormulaError(f"unsupported constant {node.value!r}")
        elif isinstance(node, ast.Name):
            self.names.add(node.id)
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY:
                raise FormulaError(f"unsupported operator {type(node.op).__name__}")
            self._check(node.left)
            self._check(node.right)
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.UAdd, ast.USub)):
                raise FormulaError(f"unsupported operator {type(node.op).__name__}")
            self._check(node.operand)
        elif isinstance(node, ast.Call):
            self._check_call(node)
        else:
            raise FormulaError(f"unsupported syntax {type(node).__name__}")

    def _check_call(self, node: ast.Call) -> None:
        if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS:
            allowed = ", ".join(sorted(_FUNCTIONS))
            raise FormulaError(f"unsupported function call (allowed: {allowed})")
        _, low, high = _FUNCTIONS[node.func.id]
        if node.keywords or len(node.args) < low or (high is not None and len(node.args) > high):
            raise FormulaError(f"wrong arguments to {node.func.id}()")
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise FormulaError("unsupported syntax Starred")
            self._check(arg)

    def evaluate(self, values: Mapping[str, float]) -> float:
        """Compute the formula with ``values`` bound to the names.

        Raises:
            FormulaError: a name has no value (stage ``parse``), or the arithmetic fails
                (division by zero, overflow, math domain error; stage ``evaluate``).
        """
        missing = sorted(self.names - values.keys())
        if missing:
            raise FormulaError(f"unknown name(s) in formula: {', '.join(missing)}")
        try:
            result = self._eval(self._root, values)
        except (ArithmeticError, ValueError, TypeError) as exc:
            raise FormulaError(f"formula cannot be evaluated: {exc}", "evaluate") from exc
        if not math.isfinite(result):
            raise FormulaError("formula result is not a finite number", "evaluate")
        return result

    def _eval(self, node: ast.expr, values: Mapping[str, float]) -> float:
        if isinstance(node, ast.Constant):
            return float(node.value)  # type: ignore[arg-type]  # checked in _check
        if isinstance(node, ast.Name):
            return float(values[node.id])
        if isinstance(node, ast.BinOp):
            operation = _BINARY[type(node.op)]
            return float(operation(self._eval(node.left, values), self._eval(node.right, values)))
        if isinstance(node, ast.UnaryOp):
            operand = self._eval(node.operand, values)
            return -operand if isinstance(node.op, ast.USub) else operand
        assert isinstance(node, ast.Call)
        assert isinstance(node.func, ast.Name)
        function = _FUNCTIONS[node.func.id][0]
        return float(function(*(self._eval(arg, values) for arg in node.args)))
