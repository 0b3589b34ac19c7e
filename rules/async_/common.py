"""Convex promises and query builders, read from the syntax of one file.

A *Convex promise* is what `ctx.db.insert/patch/replace/delete/get`, `ctx.scheduler.*`,
`ctx.run*`, `ctx.storage.*`, `ctx.vectorSearch` and the query terminals (`.collect()`,
`.take(n)`, `.first()`, `.unique()`, `.paginate()`) return. A *query builder* is a
`ctx.db.query("t")` chain that no terminal has consumed yet (it is only async-iterable).
`ctx` is any function parameter (destructured `{ db }` and aliases included), or a
parameter typed as a database reader/writer.
"""

from __future__ import annotations

from cvxlint.project.definitions import Def
from cvxlint.rulekit import js, memoized
from cvxlint.syntax import scope

SERVER = 'import { v } from "convex/values";\nimport { action, internalMutation, mutation, query } from "./_generated/server";\nimport { internal } from "./_generated/api";\n'
# A mutation builder that adds Convex Ents' `ctx.table` (`./schema` exports the ent definitions).
ENTS = ('import { v } from "convex/values";\nimport { entsTableFactory } from "convex-ents";\n'
        'import { customCtx, customMutation } from "convex-helpers/server/customFunctions";\n'
        'import { mutation as baseMutation } from "./_generated/server";\nimport { entDefinitions } from "./schema";\n'
        'const mutation = customMutation(baseMutation, customCtx(async (ctx) => ({ table: entsTableFactory(ctx, entDefinitions) })));\n')
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
        if len(path) >= 2 and path[0] == "env" and ref.index == 0:
            path = path[1:]  # a Hono route's `(c) => c.env.runMutation(...)`: `c.env` is the action ctx
        what = ctx_promise(facts, site, path)
        if what is not None:
            return what
        if len(path) == 1 and path[0] in DB_METHODS and _typed_db(ref):
            return f"`db.{path[0]}`"
    if path[-1] in TERMINALS and query_chain(facts, site.node) is not None:
        return f"`.{path[-1]}()`"
    return None


def given_ctx(ctx, facts, site) -> str | None:
    """A call handed the function's `ctx` that returns a promise: a project function declared
    `async` (`touch(ctx, id)`), or a method of a component client
    (`aggregate.insertIfDoesNotExist(ctx, doc)` on `new TableAggregate(components.x, ...)`)."""
    if site is None or site.is_new or site.func is None:
        return None
    args = js.call_args(site.node)
    first = js.unwrap(args[0]) if args else None
    if first is None or first.type != "identifier":
        return None
    ref = site.func.lookup(first.text or "")
    if ref is None or ref.kind != "param" or ref.path or not (ref.index == 0 or first.text == "ctx"):
        return None
    name = facts.text(site.callee) if site.callee is not None else "this call"
    target = ctx.project.callgraph.callee(facts, site)
    if target is not None:
        return f"`{name}(...)` (async)" if target[1].is_async else None
    callee = site.callee
    if callee is not None and callee.type == "member_expression":
        d = ctx.project.linker.value_of(facts, callee.child("object"))
        if isinstance(d, Def) and not d.path and d.node.type == "new_expression" \
                and "components." in d.facts.text(d.node):
            return f"`{name}` (a component call)"
    return None


def ctx_promise(facts, site, path: tuple[str, ...]) -> str | None:
    """A description when `site` calls member `path` of a ctx and that returns a Convex promise."""
    if path in _ALWAYS_PROMISE:
        return _as_written(facts, site, f"ctx.{path[0]}")
    if len(path) >= 2 and path[-2] == "db" and path[-1] in DB_METHODS:
        return _as_written(facts, site, f"ctx.db.{path[-1]}")
    if len(path) >= 2 and path[-3:-1] == ("db", "system") and path[-1] == "get":
        return _as_written(facts, site, "ctx.db.system.get")
    if len(path) == 2 and path[0] in ("scheduler", "storage"):
        return _as_written(facts, site, f"ctx.{path[0]}.{path[1]}")
    return None


def _as_written(facts, site, usual: str) -> str:
    """The callee quoted as the code writes it (`runMutation` from a destructured `{
    runMutation }`, `db.patch`), `usual` when it is no plain chain of names."""
    text = facts.one_line(site.callee) if site.callee is not None else ""
    if not text or len(text) > 60 or not all(p.isidentifier() for p in text.split(".")):
        text = usual
    return f"`{text}`"


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


# --- what kind of collection an expression holds ---------------------------------------------

# Methods whose result is a new array (on an array receiver; a query builder's `.filter` is not).
_ARRAY_RESULT_METHODS = frozenset(["map", "filter", "flatMap", "flat", "slice", "concat", "toSorted",
                                   "toReversed", "toSpliced"])
_ARRAY_FACTORIES = frozenset(["Object.keys", "Object.values", "Object.entries", "Array.from", "Array.of"])
_TYPE_KINDS = {"Array": "array", "ReadonlyArray": "array", "Map": "map", "ReadonlyMap": "map",
               "Set": "set", "ReadonlySet": "set"}
_CONSTRUCTOR_KINDS = {"Array": "array", "Map": "map", "Set": "set"}


def collection_kind(ctx, facts, node, func, depth: int = 0) -> str | None:
    """"array", "map" or "set" when the expression `node` (read inside function `func`, None at
    module scope) is known to hold one, else None. Known arrays: array literals, the result of
    `.map/.filter/...` (not on a query builder), `Object.keys/values/entries`, `Array.from/of`,
    `await` of a query's `.collect()`/`.take(n)` or of `Promise.all(...)`, `.page` of an awaited
    `.paginate()`, names declared or typed `T[]`/`Array<T>`/a tuple, and `args` fields whose
    validator is `v.array(...)`. Maps and sets: `new Map/Set(...)` and names typed `Map<>`/`Set<>`."""
    if node is None or depth > 8:
        return None
    if node.type in ("as_expression", "satisfies_expression"):  # `x as string[]` says what x is
        typed = type_kind(next((c for c in node.children if js.is_type_node(c)), None))
        if typed is not None:
            return typed
    node = js.unwrap(node)
    if node is None:
        return None
    t = node.type
    if t == "array":
        return "array"
    if t == "new_expression":
        ctor = node.child("constructor")
        if ctor is not None and ctor.type == "identifier" and _is_global(facts, func, ctor.text or ""):
            return _CONSTRUCTOR_KINDS.get(ctor.text or "")
        return None
    if t == "call_expression":
        callee = js.callee(node)
        name = js.dotted_name(callee)
        if name in _ARRAY_FACTORIES and _is_global(facts, func, name.split(".")[0]):
            return "array"
        if name == "Array" and _is_global(facts, func, "Array"):
            return "array"
        if callee is not None and callee.type == "member_expression":
            prop = callee.child("property")
            if prop is not None and prop.text in _ARRAY_RESULT_METHODS:
                receiver = callee.child("object")
                if query_chain(facts, receiver) is not None:
                    return None
                return "array" if collection_kind(ctx, facts, receiver, func, depth + 1) in ("array", None) else None
        return None
    if t == "await_expression":
        inner = js.unwrap(node.children[0]) if node.children else None
        if inner is None or inner.type != "call_expression":
            return None
        chain = query_chain(facts, inner)
        if chain is not None:
            return "array" if chain[-1] in ("collect", "take") else None
        name = js.dotted_name(js.callee(inner))
        if name in ("Promise.all", "Promise.allSettled") and _is_global(facts, func, "Promise"):
            return "array"
        return None
    if t == "identifier":
        return _name_kind(ctx, facts, node, func, depth)
    if t == "member_expression":
        prop = node.child("property")
        obj = js.unwrap(node.child("object"))
        if prop is not None and prop.text == "page" and _is_paginate_result(facts, obj, func):
            return "array"
        chain = js.member_chain(node)
        if chain is None or chain[0].type != "identifier" or func is None:
            return None
        ref = func.lookup(chain[0].text or "")
        if ref is not None and ref.kind == "param":
            return _arg_kind(ctx, facts, ref, tuple(chain[1]))
    return None


def type_kind(type_node) -> str | None:
    """"array" / "map" / "set" for a type annotation that says so (`T[]`, `readonly T[]`,
    `Array<T>`, a tuple, `Map<K, V>`, `Set<T>`); None for anything else (unions included)."""
    n = type_node
    while n is not None and n.type in ("type_annotation", "parenthesized_type", "readonly_type"):
        n = next((c for c in n.children if js.is_type_node(c) or c.type.endswith("type")), None)
    if n is None:
        return None
    if n.type in ("array_type", "tuple_type"):
        return "array"
    if n.type == "generic_type":
        name = n.child("name")
        return _TYPE_KINDS.get(name.text or "") if name is not None and name.type == "type_identifier" else None
    return None


def _is_global(facts, func, name: str) -> bool:
    """`name` is not declared in the file (so `Map`, `Array`, `Object` are the built-ins)."""
    if func is not None and func.lookup(name) is not None:
        return False
    return name not in facts.bindings and facts.import_of(name) is None


def _name_kind(ctx, facts, ident, func, depth: int) -> str | None:
    name = ident.text or ""
    ref = func.lookup(name) if func is not None else None
    if ref is None:  # module scope
        b = facts.bindings.get(name)
        if b is None or b.path or b.node.type != "variable_declarator":
            return None
        return _declarator_kind(ctx, facts, b.node, b.kind != "const", facts.module.root, None, name, depth)
    if ref.func is None:
        return None
    # a block between the read and the function may declare the name again (`const xs =
    # args.names; { const xs = new Set(xs); xs.forEach(...) }`): that binding is the one read
    binding = _binding_in_scope(ref.func.node, name, ident)
    if binding is not None:
        pat = binding.child("name") if binding.type == "variable_declarator" else None
        if pat is not None and ref.kind == "param" and ref.path and _takes_param_path(binding, name, ref):
            return _arg_kind(ctx, facts, ref, ())  # `const { names } = args` is the argument's field
        if pat is None or pat.type != "identifier":
            return None  # destructured, or not a variable (a function, a loop variable)
        reassignable = binding.parent.type != "lexical_declaration" or not binding.parent.has_tok("const")
        return _declarator_kind(ctx, facts, binding, reassignable, ref.func.node, ref.func, name, depth)
    if ref.kind == "param":
        if ref.path:
            return _arg_kind(ctx, facts, ref, ())
        if ref.index < len(ref.func.params):
            return type_kind(ref.func.params[ref.index].child("type"))
    return None  # a `var` of another block, or a name we cannot place


def _declarator_kind(ctx, facts, decl, reassignable: bool, scope_root, func, name: str, depth: int) -> str | None:
    typed = type_kind(decl.child("type"))
    if typed is not None:
        return typed
    if reassignable and any(a.type == "assignment_expression" and js.identifier_name(a.child("left")) == name
                            for a in scope_root.walk()):
        return None  # `let x = []; x = other` may hold something else
    return collection_kind(ctx, facts, decl.child("value"), func, depth + 1)


def _takes_param_path(declarator, name: str, ref) -> bool:
    """Does `declarator` bind `name` to the parameter field `ref` stands for (`const { names }
    = args` for `args.names`)?"""
    chain = js.member_chain(js.unwrap(declarator.child("value")))
    params = ref.func.params
    param = js.param_pattern(params[ref.index]) if ref.index < len(params) else None
    if chain is None or param is None or param.type != "identifier" or chain[0].text != param.text:
        return False
    path = next((p for bound, _n, p in js.pattern_names(declarator.child("name")) if bound == name), None)
    return path is not None and (*chain[1], *path) == ref.path


def _binding_in_scope(func_node, name: str, ident):
    """What binds `name` where `ident` reads it: the nearest declaration out from `ident`, up
    to function `func_node`: a `variable_declarator`, or the loop, `catch` clause, function or
    class that binds it. None when no block in between declares it (a parameter, or an alias
    of one that `extract.py` recorded as such)."""
    n = ident.parent
    while n is not None and n is not func_node:
        if n.type in ("for_in_statement", "for_statement", "catch_clause"):
            head = [c for c in n.children if c.field in ("left", "initializer", "parameter")]
            if any(name == bound for h in head for bound in _names_declared(h)):
                return n
        if n.type in ("statement_block", "switch_body", "program"):
            for stmt in n.children:
                if stmt.type in ("function_declaration", "class_declaration"):
                    named = stmt.child("name")
                    if named is not None and named.text == name:
                        return stmt
                if stmt.type in ("lexical_declaration", "variable_declaration"):
                    for d in stmt.children:
                        if d.type == "variable_declarator" and name in _names_declared(d):
                            return d
        n = n.parent
    return None


def _names_declared(n) -> list[str]:
    """The names a declarator, a declaration or a binding pattern binds."""
    if n.type in ("lexical_declaration", "variable_declaration"):
        return [x for d in n.children if d.type == "variable_declarator" for x in _names_declared(d)]
    if n.type == "variable_declarator":
        return scope.bound_names(n)
    return [x for x, _node, _path in js.pattern_names(n)]


def _arg_kind(ctx, facts, ref, props: tuple[str, ...]) -> str | None:
    """The kind of `args.a.b` from the registered function's args validator (`v.array(...)`)."""
    path = ref.path + props
    if ref.index != 1 or not path:
        return None
    fn = _handlers(ctx).get(id(ref.func))
    if fn is None:
        return None
    val = ctx.project.args_validator(fn)
    for p in path:
        val = val.field(p) if val is not None else None
    return "array" if val is not None and val.required().kind == "array" else None


def _handlers(ctx) -> dict:
    """id(handler FunctionInfo) -> RegisteredFunction, for every registered function."""
    return memoized(ctx, "async: functions by handler",
                    lambda: {id(fn.handler): fn for app in ctx.project.apps for fn in app.functions
                             if fn.handler is not None})


def _is_paginate_result(facts, obj, func) -> bool:
    """`(await q.paginate(opts))`, or a const holding it."""
    if obj is not None and obj.type == "identifier" and func is not None:
        ref = func.lookup(obj.text or "")
        found = scope.declarator_of(ref.func.node, obj.text or "") if ref is not None and ref.kind == "local" \
            and ref.func is not None else None
        if found is None or found[0].child("name") is not found[1]:
            return False
        obj = js.unwrap(found[0].child("value"))
    if obj is None or obj.type != "await_expression" or not obj.children:
        return False
    chain = query_chain(facts, obj.children[0])
    return chain is not None and chain[-1] == "paginate"
