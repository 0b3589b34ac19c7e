"""Values that come from Convex Ents (`convex-ents`), read from the code that makes them.

An Ents *query* is `ctx.table("t")` (also `ctx.table("t", "byX", (q) => ...)`), an ent's edge
(`ent.edge("tags")`, `ent.edgeX("owner")`), and any method chained on one of them without an
`await` between (`.filter(...)`, `.order(...)`, `.getX(id)`, `.map(fn)`). None of these is an
array: each is a promise-like that reads when awaited, and its `map(fn)` is Ents' own, which
returns one promise of `await Promise.all(rows.map(fn))` (convex-ents src/functions.ts). So
an Ents `map(async ...)` needs no `Promise.all`, and wrapping one in it throws (a promise is
not iterable).

An *ent* is what awaiting an Ents query gives (`await ctx.table("users").getX(id)`), held in a
`const`, or returned by a helper of the app (`const me = await currentUser(ctx)`, where
`currentUser` returns `ctx.table("users").getX(...)` or `null`). Its `.edge(...)` is an Ents
query. In an app whose schema is `defineEntSchema`, any `.edge("name")`/`.edgeX("name")` call
is taken for one too: the ent it is called on may come from where we do not follow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..syntax import js
from ..syntax.tree import Node
from .evaluate import local_const

if TYPE_CHECKING:
    from .facts import FileFacts
    from .model import App, Module

_EDGE_METHODS = frozenset(["edge", "edgeX"])
_DEPTH = 8


def ents_query(module: "Module", node: Node | None) -> bool:
    """Is `node` (an expression of `module`) an Ents query (see the module doc)? Its `.map(fn)`
    is then no array method, and it is no array to wrap in `Promise.all`."""
    app = module.app
    if not app.uses_ents:
        return False
    return _query(app, module.facts, node, 0)


def _query(app: "App", facts: "FileFacts", node: Node | None, depth: int) -> bool:
    cur = js.unwrap(node)
    while cur is not None and depth <= _DEPTH:
        if cur.type == "identifier":
            value = _const_value(facts, cur)
            return value is not None and _query(app, facts, value, depth + 1)
        if cur.type == "member_expression":
            cur = js.unwrap(cur.child("object"))
            continue
        if cur.type != "call_expression":
            return False
        callee = js.unwrap(js.callee(cur))
        if callee is None:
            return False
        if _table_call(facts, cur, callee):
            return True
        if callee.type == "member_expression":
            prop = callee.child("property")
            if prop is not None and prop.text in _EDGE_METHODS and _edge_of_ent(app, facts, cur, callee, depth):
                return True
            cur = js.unwrap(callee.child("object"))
            continue
        # a helper that is not async and returns a query (`notesOf(ctx).map(...)`); an async
        # one returns a promise, whose awaiting reads the query
        helper = _helper(app, facts, cur)
        return helper is not None and not helper[1].is_async \
            and _every_return(helper[0], helper[1].node, lambda f, r: _query(app, f, r, depth + 1))
    return False


def _table_call(facts: "FileFacts", call: Node, callee: Node) -> bool:
    """`ctx.table(...)` on a parameter `ctx`, or `table(...)` destructured from one."""
    if callee.type == "identifier":
        ref = facts.ref_of(callee)
        return ref is not None and ref.kind == "param" and ref.path == ("table",)
    if callee.type != "member_expression":
        return False
    prop, obj = callee.child("property"), js.unwrap(callee.child("object"))
    if prop is None or prop.text != "table" or obj is None or obj.type != "identifier":
        return False
    ref = facts.ref_of(obj)
    return ref is not None and ref.kind == "param"


def _edge_of_ent(app: "App", facts: "FileFacts", call: Node, callee: Node, depth: int) -> bool:
    """Is `x.edge("name")` an ent's edge: a name given, and an Ents schema or an ent `x`?"""
    args = js.call_args(call)
    if not args or js.string_value(args[0]) is None:
        return False
    schema = app.schema
    if schema is not None and schema.ents:
        return True
    return _ent(app, facts, callee.child("object"), depth + 1)


def _ent(app: "App", facts: "FileFacts", node: Node | None, depth: int) -> bool:
    """Is `node` an ent (or ents): the awaited result of an Ents query, a `const` holding one,
    or what a helper of the app returns when all it returns (but `null`) is one?"""
    cur = js.unwrap(node)
    if cur is None or depth > _DEPTH:
        return False
    if cur.type == "await_expression":
        inner = js.unwrap(cur.children[0]) if cur.children else None
        return _query(app, facts, inner, depth + 1) or _ent(app, facts, inner, depth + 1)
    if cur.type == "identifier":
        value = _const_value(facts, cur)
        return value is not None and _ent(app, facts, value, depth + 1)
    if cur.type == "call_expression":
        helper = _helper(app, facts, cur)
        return helper is not None and _every_return(
            helper[0], helper[1].node,
            lambda f, r: _ent(app, f, r, depth + 1) or (helper[1].is_async and _query(app, f, r, depth + 1)))
    return False


def _const_value(facts: "FileFacts", ident: Node) -> Node | None:
    """The initializer of the local `const` that `ident` reads; None for a name declared twice
    in its function (which declaration is read depends on the block)."""
    ref = facts.ref_of(ident)
    if ref is None or ref.func is None or (ident.text or "") in ref.func.redeclared:
        return None
    return local_const(facts, ident)


def _helper(app: "App", facts: "FileFacts", call: Node):
    """The project function `call` calls: (its file, its FunctionInfo), or None."""
    func = facts.enclosing_function(call)
    site = func.site_of(call) if func is not None else None
    if site is None:
        site = next((s for s in facts.all_calls() if s.node is call), None)
    return app.project.callgraph.callee(facts, site) if site is not None else None


def _every_return(facts: "FileFacts", fn: Node, test) -> bool:
    """Does `fn` return something, and does `test(facts, value)` hold for every value it
    returns other than `null`/`undefined` (a helper's "not found")?"""
    body = fn.child("body")
    if body is not None and body.type != "statement_block":
        values = [body]
    else:
        values = [r.children[0] for r in js.return_statements(fn) if r.children]
    values = [v for v in values if (js.unwrap(v) or v).type not in ("null", "undefined")]
    return bool(values) and all(test(facts, v) for v in values)
