"""What a custom builder (`customQuery(query, customization)`) does to `ctx`.

The customization is `customCtx(async (ctx) => ({ user, db: wrapped }))`, `NoOp`, or an
object `{ args, input: async (ctx, args) => ({ ctx: {...}, args: {...} }) }`. We read which
ctx members it adds or removes (`db: undefined`, as Convex Ents does) and which functions
run before the handler (the auth rules look inside them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..syntax import js
from ..syntax.tree import Node
from .builders import Builder, FactoryWrap, is_wrapper_package
from .definitions import Def, ExternalDef, Linker
from .evaluate import local_const
from .facts import FileFacts, FunctionInfo


@dataclass(slots=True)
class CtxChange:
    added: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)
    known: bool = True  # False when some layer could not be read
    functions: list[tuple[FileFacts, FunctionInfo]] = field(default_factory=list)  # run before the handler
    # convex-helpers wrappers the handler's `ctx.db` comes from: "wrapDatabaseReader",
    # "wrapDatabaseWriter" (row-level security), "Triggers.wrapDB"
    db_wrappers: set[str] = field(default_factory=set)


def ctx_change(linker: Linker, builder: Builder) -> CtxChange:
    out = CtxChange()
    if builder.factory is not None:
        _factory(builder.factory, out)
    for layer in builder.layers:
        _layer(linker, layer.facts, layer.customization, out)
    return out


def _factory(wrap: FactoryWrap, out: CtxChange) -> None:
    """A registering function's own handler runs first, then hands the author's handler a ctx:
    its own (`def.handler(ctx, args)`), or one it built (`def.handler({ ...ctx, user }, args)`).
    All of it counts as run before the handler: a check written after the call still throws
    before the query answers or the mutation commits."""
    info = wrap.facts.function_for(wrap.handler)
    if info is None:
        out.known = False
        return
    out.functions.append((wrap.facts, info))
    given = js.call_args(wrap.call)
    ctx = js.unwrap(given[0]) if given else None
    ctx_name = _param_name(info, 0)
    if ctx is not None and ctx.type == "identifier" and ctx_name is not None and ctx.text == ctx_name:
        return
    _ctx_keys(ctx, ctx_name, out)


def _layer(linker: Linker, facts: FileFacts, node: Node | None, out: CtxChange) -> None:
    node = js.unwrap(node)
    if node is None:
        return
    d = linker.value_of(facts, node)
    if isinstance(d, ExternalDef):
        if is_wrapper_package(d.module) and d.name == "NoOp":
            return
        out.known = False
        return
    if not isinstance(d, Def) or d.path:
        out.known = False
        return
    facts, node = d.facts, d.node
    if node.type == "call_expression":
        fn = linker.value_of(facts, js.callee(node))
        if isinstance(fn, ExternalDef) and is_wrapper_package(fn.module) and fn.name == "customCtx":
            args = js.call_args(node)
            if args and _is_triggers_wrap_db(linker, facts, args[0]):
                out.added.add("db")  # the same db, running the triggers on each write: no access check
                out.db_wrappers.add("Triggers.wrapDB")
                return
            inner = _function(linker, facts, args[0] if args else None)
            if inner is None:
                out.known = False
                return
            ffacts, finfo = inner
            out.functions.append(inner)
            _returned_keys(ffacts, finfo, None, out)
            _db_wrapper(linker, ffacts, finfo, None, out)
            return
        out.known = False
        return
    if node.type == "object":
        for p in js.object_props(node):
            if p.key == "input":
                inner = _function(linker, facts, p.value)
                if inner is None:
                    out.known = False
                    return
                ffacts, finfo = inner
                out.functions.append(inner)
                _returned_keys(ffacts, finfo, "ctx", out)
                _db_wrapper(linker, ffacts, finfo, "ctx", out)
        return
    out.known = False


def _is_triggers_wrap_db(linker: Linker, facts: FileFacts, node: Node) -> bool:
    """`triggers.wrapDB` of a convex-helpers `new Triggers()`: `customCtx(triggers.wrapDB)`."""
    return _wrapped_triggers(linker, facts, node) is not None


def _wrapped_triggers(linker: Linker, facts: FileFacts, node: Node | None) -> Node | None:
    """The `new Triggers()` expression whose `wrapDB` `node` is (`triggers.wrapDB`), or None."""
    node = js.unwrap(node)
    prop = node.child("property") if node is not None and node.type == "member_expression" else None
    if prop is None or prop.text != "wrapDB":
        return None
    d = linker.value_of(facts, node.child("object"))
    if not isinstance(d, Def) or d.path or d.node.type != "new_expression":
        return None
    cls = linker.value_of(d.facts, js.callee(d.node))
    if isinstance(cls, ExternalDef) and is_wrapper_package(cls.module) and cls.name == "Triggers" and not cls.path:
        return d.node
    return None


def triggers_only(linker: Linker, builder: Builder) -> list[Node] | None:
    """The `new Triggers()` expressions a wrapper installs, when installing them is all its
    layers do (`customMutation(rawMutation, customCtx(triggers.wrapDB))`); None when some
    layer adds anything else (auth, row-level security) or cannot be read."""
    out: list[Node] = []
    for layer in builder.layers:
        d = linker.value_of(layer.facts, layer.customization) if layer.customization is not None else None
        if not isinstance(d, Def) or d.path or d.node.type != "call_expression":
            return None
        fn = linker.value_of(d.facts, js.callee(d.node))
        args = js.call_args(d.node)
        if not (isinstance(fn, ExternalDef) and is_wrapper_package(fn.module) and fn.name == "customCtx") or not args:
            return None
        made = _wrapped_triggers(linker, d.facts, args[0])
        if made is None:
            return None
        out.append(made)
    return out or None


_RLS_WRAPPERS = ("wrapDatabaseReader", "wrapDatabaseWriter")


def _db_wrapper(linker: Linker, facts: FileFacts, func: FunctionInfo, under: str | None, out: CtxChange) -> None:
    """`db: wrapDatabaseReader(ctx, ctx.db, rules)` among the returned keys (also through a
    local: `const db = wrapDatabaseWriter(...)`, `{ db }`): convex-helpers' row-level security."""
    if func.body is None or "db" not in out.added:
        return
    for r in js.return_statements(func.node) if func.body.type == "statement_block" else [None]:
        o = js.unwrap(func.body if r is None else (r.children[0] if r.children else None))
        if o is not None and o.type == "await_expression" and o.children:
            o = js.unwrap(o.children[0])
        if under is not None and o is not None and o.type == "object":
            o = js.unwrap(js.object_get(o, under))
        value = js.unwrap(js.object_get(o, "db")) if o is not None and o.type == "object" else None
        if value is not None and value.type in ("identifier", "shorthand_property_identifier"):
            value = js.unwrap(local_const(facts, value)) or value
        if value is None:
            continue
        if value.type == "await_expression" and value.children:
            value = js.unwrap(value.children[0])
        if value is None or value.type != "call_expression":
            continue
        d = linker.value_of(facts, js.callee(value))
        if isinstance(d, ExternalDef) and is_wrapper_package(d.module) and d.name in _RLS_WRAPPERS and not d.path:
            out.db_wrappers.add(d.name)


def _function(linker: Linker, facts: FileFacts, node: Node | None) -> tuple[FileFacts, FunctionInfo] | None:
    node = js.unwrap(node)
    if node is None:
        return None
    if not js.is_function(node):
        d = linker.value_of(facts, node)
        if not isinstance(d, Def) or d.path or not js.is_function(d.node):
            return None
        facts, node = d.facts, d.node
    info = facts.function_for(node)
    return (facts, info) if info is not None else None


def _returned_keys(facts: FileFacts, func: FunctionInfo, under: str | None, out: CtxChange) -> None:
    """Keys of the object(s) the function returns (under `under` when given: `{ ctx: {...} }`)."""
    body = func.body
    if body is None:
        out.known = False
        return
    if body.type != "statement_block":
        objs = [body]
    else:
        objs = [r.children[0] for r in js.return_statements(func.node) if r.children]
    if not objs:
        return
    for o in objs:
        o = js.unwrap(o)
        if o is not None and o.type == "await_expression" and o.children:
            o = js.unwrap(o.children[0])
        ctx_name = _param_name(func, 0)
        if under is not None:
            o = js.unwrap(js.object_get(o, under)) if o is not None and o.type == "object" else None
            if o is not None and o.type in ("identifier", "shorthand_property_identifier") and o.text == ctx_name:
                continue  # `({ ctx, args })`: ctx passed on unchanged
        _ctx_keys(o, ctx_name, out)


def _ctx_keys(o: Node | None, ctx_name: str | None, out: CtxChange) -> None:
    """The members an object built as the handler's ctx (`{ ...ctx, user, db: undefined }`)
    adds to or removes from the builder's own `ctx_name`."""
    if o is None or o.type != "object":
        out.known = False
        return
    for p in js.object_props(o):
        if p.spread:
            v = js.unwrap(p.value)
            if v is not None and v.type == "identifier" and v.text == ctx_name:
                continue
            out.known = False
            continue
        if p.key is None:
            out.known = False
            continue
        v = js.unwrap(p.value)
        if v is not None and v.type == "undefined":
            out.removed.add(p.key)
        else:
            out.added.add(p.key)


def _param_name(func: FunctionInfo, i: int) -> str | None:
    if i >= len(func.params):
        return None
    pat = js.param_pattern(func.params[i])
    return pat.text if pat is not None and pat.type == "identifier" else None
