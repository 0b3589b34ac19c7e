"""No module defines the same function or class twice at one level: the later definition
silently replaces the earlier for every caller (auth.py had two `_is_ctx`, and the access
analysis' older callers got the CVX402 one's meaning)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([*ROOT.glob("cvxlint/**/*.py"), *ROOT.glob("rules/**/*.py"), *ROOT.glob("tests/*.py")])


def _redefined(body, where: str):
    seen: dict[str, int] = {}
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            # a property's setter and typing overloads repeat the name on purpose
            repeats = any(isinstance(d, ast.Attribute) and d.attr in ("setter", "deleter")
                          or isinstance(d, ast.Name) and d.id == "overload" for d in node.decorator_list)
            if node.name in seen and not repeats:
                yield f"{where}{node.name} (lines {seen[node.name]} and {node.lineno})"
            seen[node.name] = node.lineno
            if isinstance(node, ast.ClassDef):
                yield from _redefined(node.body, f"{where}{node.name}.")


@pytest.mark.parametrize("path", SOURCES, ids=[str(p.relative_to(ROOT)) for p in SOURCES])
def test_no_definition_is_replaced_by_a_later_one(path):
    assert list(_redefined(ast.parse(path.read_text("utf-8")).body, "")) == []
