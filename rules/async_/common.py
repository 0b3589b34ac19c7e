"""Convex promises and query builders, read from the syntax of one file.

A *Convex promise* is what `ctx.db.insert/patch/replace/delete/get`, `ctx.scheduler.*`,
`ctx.run*`, `ctx.storage.*`, `ctx.vectorSearch` and the query terminals (`.collect()`,
`.take(n)`, `.first()`, `.unique()`, `.paginate()`) return. A *query builder* is a
`ctx.db.query("t")` chain that no terminal has consumed yet (it is only async-iterable).
`ctx` is any function parameter (destructured `{ db }` and aliases included), or a
parameter typed as a database reader/writer.
"""

from __future__ import annotations

from cvxlint.rulekit import js
from cvxlint.syntax import scope

SERVER = 'import { v } from "convex/values";\nimport { action, internalMutation, mutation, query } from "./_generated/server";\nimport { internal } from "./_generated/api";\n'
DB_METHODS = frozenset(["insert", "patch", "replace", "delete", "get"])
TERMINALS = frozenset(["collect", "take", "first", "unique", "paginate"])
BUILDER_METHODS = frozenset(["query", "withIndex", "withSearchIndex", "order", "filter", "fullTableScan"])
_ALWAYS_PROMISE = {("runQuery",), ("runMutation",), ("runAction",), ("vectorSearch",)}


def promise_call(facts, site) -> str | None:
    """A description ("`ctx.db.patch`") when the call returns a Convex promise, else None."""
    if site is None or site.is_new or not site.path:
        return None
    ref = site.ref
    path = site.path
    if ref is not None and ref.kind == "param":
        if path in _ALWAYS_PROMISE:
            return f"`ctx.{path[0]}`"
        if len(path) >= 2 and path[-2] == "db" and path[-1] in DB_METHODS:
            return f"`ctx.db.{path[-1]}`"
        if len(path) >= 2 and path[-3:-1] == ("db", "system") and path[-1] == "get":
            return "`ctx.db.system.get`"
        if len(path) == 2 and path[0] in ("scheduler", "storage"):
            return f"`ctx.{path[0]}.{path[1]}`"
        if len(path) == 1 and path[0] in DB_METHODS and _typed_db(ref):
            return f"`db.{path[0]}`"
    if path[-1] in TERMINALS and query_chain(facts, site.node) is not None:
        return f"`.{path[-1]}()`"
    return None


def _typed_db(ref) -> bool:
    f = ref.func
    if f is None or ref.index >= len(f.param_types):
        return False
    t = f.param_types[ref.index] or ""
    return "Database" in t


def query_chain(facts, node, depth: int = 0) -> list[str] | None:
    """Method names of a `ctx.db.query(...)` chain ending at `node` (["query", "withIndex", "take"]),
    following local variables; None when `node` is not such a chain."""
    methods: list[str] = []
    cur = js.unwrap(node)
    while cur is not None and depth < 12:
        if cur.type == "call_expression":
            callee = js.callee(cur)
            if callee is None or callee.type != "member_expression":
                return None
            prop = callee.child("property")
            name = prop.text if prop is not None else None
            if name is None:
                return None
            methods.append(name)
            obj = js.unwrap(callee.child("object"))
            if name == "query":
                if _is_db(obj):
                    methods.reverse()
                    return methods
                return None
            if name not in BUILDER_METHODS and name not in TERMINALS:
                return None
            cur = obj
        elif cur.type == "identifier":
            fn = js.enclosing_function(cur)
            found = scope.declarator_of(fn, cur.text or "") if fn is not None else None
            if found is None or found[0].child("name") is not found[1]:
                return None
            init = found[0].child("value")
            inner = query_chain(facts, init, depth + 1)
            if inner is None:
                return None
            methods.reverse()
            return inner + methods
        else:
            return None
    return None


def _is_db(obj) -> bool:
    if obj is None:
        return False
    if obj.type == "identifier":
        return obj.text == "db"
    if obj.type == "member_expression":
        prop = obj.child("property")
        return prop is not None and prop.text in ("db", "system")
    return False


def is_builder(facts, node) -> bool:
    """An unconsumed query builder: a query chain whose last method is not a terminal."""
    chain = query_chain(facts, node)
    return chain is not None and chain[-1] not in TERMINALS


def in_async_function(node) -> bool:
    f = js.enclosing_function(node)
    return f is not None and js.is_async(f)
