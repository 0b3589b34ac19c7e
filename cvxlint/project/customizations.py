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
    # other members that hold the database: `{ rawDb: ctx.db, db: wrapDatabaseWriter(...) }`
    # keeps the raw one for the flows that must cross row-level security. Member -> the
    # wrappers of that handle (as `db_wrappers`; none for the raw `ctx.db`)
    db_aliases: dict[str, set[str]] = field(default_factory=dict)

    def wrappers_of(self, member: str) -> set[str]:
        """The convex-helpers wrappers of the database handle `ctx.<member>` ("db" or an alias)."""
        return self.db_wrappers if member == "db" else self.db_aliases.get(member, set())


def ctx_change(linker: Linker, builder: Builder) -> CtxChange:
    out = CtxChange()
    if builder.factory is not None:
        _factory(builder.factory, out)
    for layer in builder.layers:
        _layer(linker, layer.facts, layer.customization, out)
    _db_aliases(linker, builder, out)
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


@dataclass(slots=True)
class _LayerRead:
    """What one customization is: the functions that make the handler's ctx, each with where
    in what it returns the ctx is (None: the whole value, as `customCtx`'s; "ctx": `input`'s
    `{ ctx: {...}, args }`), or `customCtx(triggers.wrapDB)`."""
    functions: list[tuple[FileFacts, FunctionInfo, str | None]] = field(default_factory=list)
    triggers: bool = False
    known: bool = True


def _read_layer(linker: Linker, facts: FileFacts, node: Node | None) -> _LayerRead:
    out = _LayerRead()
    node = js.unwrap(node)
    if node is None:
        return out
    d = linker.value_of(facts, node)
    if isinstance(d, ExternalDef):
        out.known = is_wrapper_package(d.module) and d.name == "NoOp"
        return out
    if not isinstance(d, Def) or d.path:
        out.known = False
        return out
    facts, node = d.facts, d.node
    if node.type == "call_expression":
        fn = linker.value_of(facts, js.callee(node))
        if isinstance(fn, ExternalDef) and is_wrapper_package(fn.module) and fn.name == "customCtx":
            args = js.call_args(node)
            if args and _is_triggers_wrap_db(linker, facts, args[0]):
                out.triggers = True
                return out
            inner = _function(linker, facts, args[0] if args else None)
            if inner is None:
                out.known = False
            else:
                out.functions.append((*inner, None))
            return out
        out.known = False
        return out
    if node.type == "object":
        for p in js.object_props(node):
            if p.key == "input":
                inner = _function(linker, facts, p.value)
                if inner is None:
                    out.known = False
                    return out
                out.functions.append((*inner, "ctx"))
        return out
    out.known = False
    return out


def _layer(linker: Linker, facts: FileFacts, node: Node | None, out: CtxChange) -> None:
    read = _read_layer(linker, facts, node)
    out.known = out.known and read.known
    if read.triggers:
        out.added.add("db")  # the same db, running the triggers on each write: no access check
        out.db_wrappers.add("Triggers.wrapDB")
    for ffacts, finfo, under in read.functions:
        out.functions.append((ffacts, finfo))
        _returned_keys(ffacts, finfo, under, out)
        out.db_wrappers |= _db_wrappers(linker, ffacts, finfo, under)


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


def ents_table_only(linker: Linker, builder: Builder) -> bool:
    """Does the wrapper only give Convex Ents' `ctx.table` over the plain ent definitions
    (`customCtx(async (ctx) => ({ table: entsTableFactory(ctx, entDefinitions), db: undefined }))`,
    also handing the raw ctx on: `internal: ctx`)? It installs no trigger and no rule (Ents'
    rules come from `addEntRules`, through definitions made by `getEntDefinitionsWithRules`),
    and checks no identity: code run without it skips nothing but the `ctx.table` API."""
    return _every_customization(linker, builder, lambda facts, func: _gives_ents_table_only(linker, facts, func))


def _every_customization(linker: Linker, builder: Builder, judge) -> bool:
    """Is the builder made of readable `customCtx` layers, with no triggers, each of whose
    functions `judge(facts, func)` accepts?"""
    if builder.factory is not None or not builder.layers:
        return False
    for layer in builder.layers:
        read = _read_layer(linker, layer.facts, layer.customization)
        if not read.known or read.triggers or not read.functions:
            return False
        for facts, func, under in read.functions:
            if under is not None or not judge(facts, func):
                return False
    return True


def _gives_ents_table_only(linker: Linker, facts: FileFacts, func: FunctionInfo) -> bool:
    """One `customCtx` function: it calls nothing but `entsTableFactory(ctx, definitions)` over
    `getEntDefinitions(schema)`, and every object it returns holds that `table`, and besides it
    only `db: undefined`, the ctx spread, or the ctx (or a member of it) under another name."""
    if any(not _plain_ents_table(linker, facts, site.node) for site in func.all_calls()):
        return False
    if func.body is None:
        return False
    returns = [func.body] if func.body.type != "statement_block" else js.return_statements(func.node)
    objects = list(_returned_ctx_objects(func, None))
    if not objects or len(objects) != len(returns):
        return False
    for o in objects:
        table = False
        for p in js.object_props(o):
            value = _member_value(facts, p.value)
            if p.key == "table" and not p.spread:
                table = value is not None and _plain_ents_table(linker, facts, value)
            elif not (p.key == "db" and value is not None and value.type == "undefined") \
                    and not _given_ctx(facts, func, value):
                return False
        if not table:
            return False
    return True


# what Convex's own ctx holds: a customization returning one of these replaces it
_CTX_MEMBERS = frozenset(["db", "auth", "storage", "scheduler", "runQuery", "runMutation", "runAction",
                          "vectorSearch"])


def adds_helpers_only(linker: Linker, builder: Builder) -> bool:
    """Does the wrapper only add convenience members to ctx, built from `ctx.db`
    (`customCtx((ctx) => ({ q: createQueryFacade(ctx.db, schema) }))`)? Every layer is a
    `customCtx` function that returns object literals of new keys only (no `db`, `auth` or other
    member of Convex's ctx replaced or hidden), reads nothing of ctx but `ctx.db`, and neither
    awaits nor throws in its own body (an identity check is awaited; row-level security and
    triggers replace `db`): it checks no one and installs nothing, so code run without it skips
    nothing but the helpers (triage G62b P1, sailbow's query facade)."""
    return _every_customization(linker, builder, _adds_helpers_only)


def _adds_helpers_only(facts: FileFacts, func: FunctionInfo) -> bool:
    if func.body is None:
        return False
    returns = [func.body] if func.body.type != "statement_block" else js.return_statements(func.node)
    objects = list(_returned_ctx_objects(func, None))
    if not objects or len(objects) != len(returns):
        return False
    if any(p.spread or p.key is None or p.key in _CTX_MEMBERS for o in objects for p in js.object_props(o)):
        return False
    # the helpers it builds (nested functions) run only when the handler calls them
    if any(facts.enclosing_function(n) is func
           for n in facts.module.nodes_in(func.body, "await_expression", "throw_statement")):
        return False
    for ident, ref in facts.parameter_reads(func, func.node):
        if ref.index != 0 or (*ref.path, *_members_read(ident))[:1] != ("db",):
            return False  # the whole ctx, or `ctx.auth`, handed to code that may check the caller
    return True


def _members_read(ident: Node) -> tuple[str, ...]:
    """The member names read off `ident` (`ctx.db.query` -> ("db", "query"))."""
    out: list[str] = []
    n = ident
    while n.parent is not None and n.parent.type == "member_expression":
        obj, prop = n.parent.child("object"), n.parent.child("property")
        if obj is None or (obj.start, obj.end) != (n.start, n.end) or prop is None:
            break
        out.append(prop.text or "")
        n = n.parent
    return tuple(out)


def _plain_ents_table(linker: Linker, facts: FileFacts, call: Node) -> bool:
    """`entsTableFactory(ctx, definitions)` of convex-ents, the definitions made by its
    `getEntDefinitions(schema)` (no rules added)."""
    if call.type != "call_expression":
        return False
    args = js.call_args(call)
    if not _ents_export(linker, facts, js.callee(call), "entsTableFactory") or len(args) != 2:
        return False
    defs = linker.value_of(facts, args[1])
    made = js.unwrap(defs.node) if isinstance(defs, Def) and not defs.path else None
    return made is not None and made.type == "call_expression" \
        and _ents_export(linker, defs.facts, js.callee(made), "getEntDefinitions")


def _ents_export(linker: Linker, facts: FileFacts, node: Node | None, name: str) -> bool:
    d = linker.value_of(facts, node)
    return isinstance(d, ExternalDef) and d.module == "convex-ents" and d.name == name and not d.path


def _given_ctx(facts: FileFacts, func: FunctionInfo, value: Node | None) -> bool:
    """The ctx the customization is given, or a member of it (`internal: ctx`, `...ctx`)."""
    chain = js.member_chain(value) if value is not None else None
    ref = facts.ref_of(chain[0]) if chain is not None else None
    return ref is not None and ref.kind == "param" and ref.func is func and ref.index == 0


_RLS_WRAPPERS = ("wrapDatabaseReader", "wrapDatabaseWriter")


def _returned_ctx_objects(func: FunctionInfo, under: str | None):
    """The object literals the customization function returns as the handler's ctx (under
    `under` when given: `{ ctx: {...} }`), each unwrapped (also of `await`)."""
    if func.body is None:
        return
    for r in js.return_statements(func.node) if func.body.type == "statement_block" else [None]:
        o = js.unwrap(func.body if r is None else (r.children[0] if r.children else None))
        if o is not None and o.type == "await_expression" and o.children:
            o = js.unwrap(o.children[0])
        if under is not None and o is not None and o.type == "object":
            o = js.unwrap(js.object_get(o, under))
        if o is not None and o.type == "object":
            yield o


def _member_value(facts: FileFacts, value: Node | None) -> Node | None:
    """A returned member's value, through a local const (`const db = wrapDatabaseWriter(...)`,
    `{ db }`) and `await`."""
    value = js.unwrap(value)
    if value is not None and value.type in ("identifier", "shorthand_property_identifier"):
        value = js.unwrap(local_const(facts, value)) or value
    if value is not None and value.type == "await_expression" and value.children:
        value = js.unwrap(value.children[0])
    return value


def _rls_wrapper(linker: Linker, facts: FileFacts, value: Node | None) -> str | None:
    """"wrapDatabaseReader" / "wrapDatabaseWriter" when `value` calls that convex-helpers function."""
    if value is None or value.type != "call_expression":
        return None
    d = linker.value_of(facts, js.callee(value))
    if isinstance(d, ExternalDef) and is_wrapper_package(d.module) and d.name in _RLS_WRAPPERS and not d.path:
        return d.name
    return None


def _db_wrappers(linker: Linker, facts: FileFacts, func: FunctionInfo, under: str | None) -> set[str]:
    """`db: wrapDatabaseReader(ctx, ctx.db, rules)` among the returned keys (also through a
    local: `const db = wrapDatabaseWriter(...)`, `{ db }`): convex-helpers' row-level security."""
    out: set[str] = set()
    for o in _returned_ctx_objects(func, under):
        wrapper = _rls_wrapper(linker, facts, _member_value(facts, js.object_get(o, "db")))
        if wrapper is not None:
            out.add(wrapper)
    return out


def _db_aliases(linker: Linker, builder: Builder, out: CtxChange) -> None:
    """Members other than `db` that a customization sets to the database (`rawDb: ctx.db`,
    `adminDb: wrapDatabaseWriter(ctx, ctx.db, rules)`, `audited: triggers.wrapDB(ctx).db`):
    `out.db_aliases`. Told by the value, never by the name (`pgDb: drizzle(...)` is no Convex
    database), and only when every return sets it so; a later layer setting the member to
    anything else (or `undefined`) drops it. The layers run innermost first, each given the
    ctx the one before made: a `ctx.db` it keeps is as wrapped as the layers before left it."""
    db_wrappers: set[str] = set()  # of the `ctx.db` the next layer is given
    for layer in reversed(builder.layers):
        read = _read_layer(linker, layer.facts, layer.customization)
        if read.triggers:
            db_wrappers.add("Triggers.wrapDB")
        for facts, func, under in read.functions:
            for key, wrappers in _layer_db_aliases(linker, facts, func, under, db_wrappers).items():
                if wrappers is None:
                    out.db_aliases.pop(key, None)
                else:
                    out.db_aliases[key] = wrappers
            db_wrappers |= _db_wrappers(linker, facts, func, under)


def _layer_db_aliases(linker: Linker, facts: FileFacts, func: FunctionInfo, under: str | None,
                      db_wrappers: set[str]) -> dict[str, set[str] | None]:
    """The members other than `db` one customization function returns: each with the wrappers
    of the database it holds (`db_wrappers`: those of the `ctx.db` it is given), None when some
    return sets it to anything else."""
    found: dict[str, set[str] | None] = {}
    for o in _returned_ctx_objects(func, under):
        for p in js.object_props(o):
            if p.spread or p.key is None or p.key == "db":
                continue
            value = _member_value(facts, p.value)
            if _is_own_db(facts, func, value):
                wrappers = set(db_wrappers)
            elif (wrapper := _rls_wrapper(linker, facts, value)) is not None:
                wrappers = {wrapper}
            elif _triggers_db(linker, facts, value):
                wrappers = {"Triggers.wrapDB"}
            else:
                found[p.key] = None
                continue
            if p.key not in found:
                found[p.key] = wrappers
            elif found[p.key] is not None:
                found[p.key] |= wrappers
    return found


def _is_own_db(facts: FileFacts, func: FunctionInfo, value: Node | None) -> bool:
    """Is `value` the `db` of the ctx the customization is given (`ctx.db`, or `db` destructured
    from it: `async ({ db }) => ({ rawDb: db })`)?"""
    chain = js.member_chain(value) if value is not None else None
    ref = facts.ref_of(chain[0]) if chain is not None else None
    return ref is not None and ref.kind == "param" and ref.func is func and ref.index == 0 \
        and (*ref.path, *chain[1]) == ("db",)


def _triggers_db(linker: Linker, facts: FileFacts, value: Node | None) -> bool:
    """`triggers.wrapDB(ctx).db` of a convex-helpers `new Triggers()`."""
    if value is None or value.type != "member_expression":
        return False
    prop, obj = value.child("property"), js.unwrap(value.child("object"))
    return prop is not None and prop.text == "db" and obj is not None and obj.type == "call_expression" \
        and _wrapped_triggers(linker, facts, js.callee(obj)) is not None


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
