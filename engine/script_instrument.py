"""Compiling the budgets into diagram code: ticks in loops, comprehensions and functions; guards for big operations.

Runs on the tree RestrictedPython has already checked and transformed (so the names it inserts, which start
with ``_``, are never refused and can never be written by a script):

- ``_tick_()`` at the start of every ``for``/``while`` body and function body, as the first condition of
  every comprehension step, and in front of every lambda body: the run's CPU time and memory are checked
  there (``RunBudget.tick``);
- ``a * b``, ``a ** b``, ``a << b``, ``a + b``, ``a % b`` become guard calls that estimate the result first;
- f-strings become ``_fstr_(… _fmt_(value, conversion, spec) …)``; ``*x`` and ``**x`` in displays and calls
  go through ``_star_`` / ``_starmap_``;
- a bare ``except:`` becomes ``except Exception:`` so that it cannot catch the budget's stop.
"""

from __future__ import annotations

import ast
from typing import Any, TypeVar

from .script_limits import TICK

_Tree = TypeVar("_Tree", ast.Module, ast.Expression)

_BINOP_GUARDS: dict[type[ast.operator], str] = {
    ast.Add: "_add_",
    ast.Mult: "_mul_",
    ast.Pow: "_pow_",
    ast.LShift: "_lshift_",
    ast.Mod: "_mod_",
}


def _number(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) in (int, float, complex)


def _call(name: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=list(args), keywords=[])


class _Instrumenter(ast.NodeTransformer):
    def _tick_first(self, body: list[ast.stmt]) -> None:
        body.insert(0, ast.copy_location(ast.Expr(_call(TICK)), body[0]))

    def visit_For(self, node: ast.For) -> Any:
        self.generic_visit(node)
        self._tick_first(node.body)
        return node

    def visit_While(self, node: ast.While) -> Any:
        self.generic_visit(node)
        self._tick_first(node.body)
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> Any:
        self.generic_visit(node)
        self._tick_first(node.body)
        return node

    def visit_Lambda(self, node: ast.Lambda) -> Any:
        self.generic_visit(node)
        # ``_tick_()`` returns True: ``True and body`` is the body's value.
        node.body = ast.copy_location(ast.BoolOp(op=ast.And(), values=[_call(TICK), node.body]), node.body)
        return node

    def visit_comprehension(self, node: ast.comprehension) -> Any:
        self.generic_visit(node)
        node.ifs.insert(0, ast.copy_location(_call(TICK), node.iter))
        return node

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        self.generic_visit(node)
        guard = _BINOP_GUARDS.get(type(node.op))
        if guard is None or (isinstance(node.op, ast.Add) and (_number(node.left) or _number(node.right))):
            return node  # ``x + 1`` adds numbers or fails: it never concatenates
        return ast.copy_location(_call(guard, node.left, node.right), node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> Any:
        parts: list[ast.expr] = []
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                spec = self.visit(value.format_spec) if value.format_spec is not None else ast.Constant("")
                formatted = _call("_fmt_", self.visit(value.value), ast.Constant(value.conversion), spec)
                parts.append(ast.copy_location(formatted, value))
            else:
                parts.append(value)
        return ast.copy_location(_call("_fstr_", *parts), node)

    def visit_Starred(self, node: ast.Starred) -> Any:
        self.generic_visit(node)
        if isinstance(node.ctx, ast.Load):
            node.value = ast.copy_location(_call("_star_", node.value), node.value)
        return node

    def visit_Dict(self, node: ast.Dict) -> Any:
        self.generic_visit(node)
        node.values = [
            ast.copy_location(_call("_starmap_", value), value) if key is None else value
            for key, value in zip(node.keys, node.values, strict=True)
        ]
        return node

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> Any:
        self.generic_visit(node)
        if node.type is None:
            node.type = ast.copy_location(ast.Name(id="Exception", ctx=ast.Load()), node)
        return node


def instrument(tree: _Tree) -> _Tree:
    """``tree`` with the budget's ticks and guards compiled in (locations filled for the new nodes)."""
    result: _Tree = ast.fix_missing_locations(_Instrumenter().visit(tree))
    return result
