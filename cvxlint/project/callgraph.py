"""Calls from function handlers into plain helper functions, across files.

`reach(facts, handler)` lists every function a handler can run — itself, then the helpers
it calls (`await requireUser(ctx)`, `Users.get(ctx, id)`, `import * as lib ...; lib.f()`),
transitively — together with the chain of call sites that leads there and where the
handler's `ctx` went (which parameter of the helper receives it). A callback written inline
next to the ctx it is handed with (`stream(ctx, req, id, async (ctx, ...) => ...)`) is reached
too, with its parameter that receives the ctx (persistent-text-streaming's `stream` callback also
when held in a const or named). So is a method of an object of a project class
the function makes (`await new Repo(ctx).touch(id)`), with the field of `this` the class keeps
the ctx in when its constructor is given it. A name bound to what Effect-ts's `Effect.fn`
makes (`const f = Effect.fn("name")(function* (ctx) {...})`) calls that generator, with the
same arguments; a name holding what a project factory made (`const h = admit(impl)`, `admit`
returning `async (ctx, args) => {...; return fn(ctx, args)}`) calls that closure, in which
a call of the factory's parameter runs what the factory call gave it. Rules use this to
see, for example, that a query reaches `fetch` through `lib/remote.ts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..syntax import js
from ..syntax.tree import Node
from .definitions import Def, Linker, loaded_module
from .component_clients import stream_writer
from .evaluate import const_value, local_const
from .facts import CallSite, FileFacts, FunctionInfo, ParamUse, Ref

if TYPE_CHECKING:
    from .derived import Derivations


@dataclass(frozen=True, slots=True)  # one per function reached from each handler: many
class Reached:
    facts: FileFacts
    func: FunctionInfo
    via: tuple[tuple[FileFacts, CallSite], ...]  # helper calls leading here (empty for the start)
    ctx_index: int | None  # which parameter of `func` holds the handler's ctx (None: not passed)
    ctx_path: tuple[str, ...] = ()  # ...and which part of it: ("db",) when `ctx.db` was passed
    # where in that parameter it sits: ("ctx",) for `helper({ ctx, teamId })`, () for `helper(ctx)`
    ctx_at: tuple[str, ...] = ()
    # a method of an object made around the ctx (`new Repo(ctx).touch(id)`, the class keeping
    # it as `constructor(private ctx: MutationCtx)`): the field of `this` that holds it
    ctx_field: str | None = None
    # the closure a project factory returns, reached through a name holding what it made
    # (`const h = admit(impl)`, then `h(ctx, args)`): (file, the factory call, the factory),
    # so a call of the factory's parameter in it (`fn(ctx, args)`) runs what the call gave
    made_by: tuple[FileFacts, Node, FunctionInfo] | None = None

    @property
    def depth(self) -> int:
        return len(self.via)

    def on_ctx(self, path: tuple[str, ...]) -> tuple[str, ...] | None:
        """A member path read off parameter `ctx_index` as a path on the handler's ctx: with
        `({ ctx, teamId })`, ("ctx", "db", "query") -> ("db", "query"), ("teamId",) -> None."""
        n = len(self.ctx_at)
        return self.ctx_path + path[n:] if path[:n] == self.ctx_at else None

    def ctx_uses(self):
        """Member chains on the handler's ctx inside this function: (ParamUse, full path)."""
        if self.ctx_field is not None:
            for node, path in _this_field_chains(self.facts, self.func, self.ctx_field):
                yield ParamUse(node, Ref("param", self.ctx_field, self.func), path), path
        if self.ctx_index is None:
            return
        for use in self.func.all_param_uses():
            r = use.ref
            if r.func is self.func and r.index == self.ctx_index:
                path = self.on_ctx(use.path)
                if path is not None:
                    yield use, path

    def ctx_calls(self):
        """Calls on the handler's ctx inside this function: (CallSite, full path)."""
        if self.ctx_field is not None:
            for site in self.func.all_calls():
                if site.ref is None and not site.is_new and site.path[:1] == (self.ctx_field,) \
                        and _on_this(self.func, site.callee):
                    yield site, site.path[1:]
        if self.ctx_index is None:
            return
        for site in self.func.all_calls():
            r = site.ref
            if r is not None and r.kind == "param" and r.func is self.func and r.index == self.ctx_index:
                path = self.on_ctx(site.path)
                if path is not None:
                    yield site, path


class CallGraph:
    def __init__(self, linker: Linker, derived: "Derivations | None" = None, max_depth: int = 8):
        self.linker = linker
        self.derived = derived
        self.max_depth = max_depth
        self._callees: dict[int, tuple[FileFacts, FunctionInfo] | None] = {}
        self._methods: dict[int, tuple | None] = {}
        self._made_by: dict[int, tuple[FileFacts, Node, FunctionInfo]] = {}  # id(site) -> the factory call
        self._reach: dict[tuple, list[Reached]] = {}

    def callee(self, facts: FileFacts, site: CallSite) -> tuple[FileFacts, FunctionInfo] | None:
        """The project function a call site calls, if it is one we can see."""
        key = id(site)
        if key in self._callees:
            return self._callees[key]
        result = None
        r = site.ref
        if r is not None and not site.is_new:
            if r.kind == "local" and r.func is not None and len(site.path) == 1:
                for child in r.func.children:
                    if child.name == r.name and not (site.func is not None and child is site.func):
                        result = (facts, child)
                        break
            elif r.kind == "module" and site.callee is not None:
                d = self.linker.value_of(facts, site.callee)
                # `const f = Effect.fn("name")(function* (ctx) {...})`: `f(ctx)` runs the generator;
                # `const h = admit(impl)`: `h(ctx, args)` runs the closure `admit` returns
                result = _function_at(self.linker.function_run_by(d) or self._factory_closure(d, site) or d)
        if result is None and not site.is_new and facts.requires and _reads_loaded_module(self.linker, facts, site):
            # `const { notify } = await import("./lib/notify"); notify(ctx)`, `lib.f(ctx)` on a
            # `const lib = await import("./lib")`, `(await import("./lib")).f(ctx)`: the function
            # the module exports, as with a static import
            result = _function_at(self.linker.value_of(facts, site.callee))
        self._callees[key] = result
        return result

    def _factory_closure(self, d, site: CallSite) -> Def | None:
        """The closure a project factory returns, when `d` is a call of one (`admit(impl)`) and
        every use the closure makes of the factory's parameters is known: a direct call of a
        project function the call gave (`fn(ctx, args)`, with `impl`), or a read of a value
        that is no function (`definition.name`). A parameter handed on, or given a function
        the graph cannot see, may run the ctx anywhere: None, and the call stays one that hands
        the ctx to code not followed."""
        found = self.linker.factory_made(d)
        if found is None:
            return None
        factory, closure = found
        finfo = factory.facts.function_for(factory.node)
        cinfo = factory.facts.function_for(closure.node)
        if finfo is None or cinfo is None:
            return None
        args = js.call_args(d.node)
        called = set()
        for s in cinfo.all_calls():
            r = s.ref
            if r is None or r.kind != "param" or r.func is not finfo:
                continue
            if r.path or s.path or s.is_new or _given_function(self.linker, d.facts, args, r.index) is None:
                return None
            called.add(id(s.callee))
        for ident, r in factory.facts.parameter_reads(finfo, closure.node):
            if id(ident) not in called and not _given_data(self.linker, d.facts, args, r.index):
                return None
        self._made_by[id(site)] = (d.facts, d.node, finfo)
        return closure

    def target(self, r: Reached, site: CallSite) -> tuple[FileFacts, FunctionInfo] | None:
        """The project function a call site in `r.func` calls: `callee`, or, in the closure a
        factory returned (`r.made_by`), for a call of the factory's parameter, the function
        the factory call gave it (checked by `_factory_closure`)."""
        found = self.callee(r.facts, site)
        ref = site.ref
        if found is not None or r.made_by is None or ref is None or ref.kind != "param" or ref.func is not r.made_by[2]:
            return found
        facts, call, _factory = r.made_by
        given = _given_function(self.linker, facts, js.call_args(call), ref.index)
        info = given.facts.function_for(given.node) if given is not None else None
        return (given.facts, info) if info is not None else None

    def _bound_call(self, cur: Reached, site: CallSite) -> Reached | None:
        """A call of a factory's parameter in the closure it returned, as a `Reached`."""
        found = self.target(cur, site) if cur.made_by is not None else None
        if found is None:
            return None
        ctx_index, ctx_path, ctx_at = _ctx_flow(cur, site)
        return Reached(found[0], found[1], cur.via + ((cur.facts, site),), ctx_index, ctx_path, ctx_at)

    def method(self, facts: FileFacts, site: CallSite) -> tuple[FileFacts, FunctionInfo, Node, Node] | None:
        """The method a call on an object the function holds runs (`access.requireUser()`,
        `new Authz(ctx).viewer()`), when the object is made with `new` of a project class: in
        the call itself, in the function, or by a project function it calls (`const access =
        await getUserAuth(ctx)`, which returns `new Access(ctx)` or a const holding it).
        (facts, FunctionInfo, class body, the `new` expression) or None."""
        key = id(site)
        if key not in self._methods:
            self._methods[key] = self._method(facts, site)
        return self._methods[key]

    def _method(self, facts: FileFacts, site: CallSite):
        callee = site.callee
        if callee is None or callee.type != "member_expression" or site.is_new:
            return None
        holder = js.unwrap(callee.child("object"))
        name = callee.child("property")
        if holder is None or holder.type not in ("identifier", "new_expression") or name is None:
            return None
        if holder.type == "identifier" and (site.ref is None or site.ref.kind not in ("local", "module")):
            return None  # a global (`console.log`) or a parameter holds no object this code made
        # `new Authz(ctx).viewer()`, or a name holding the object
        made, where = (holder if holder.type == "new_expression" else _awaited(local_const(facts, holder))), facts
        if made is not None and made.type == "call_expression":
            d = self.linker.value_of(facts, js.callee(made))
            if not isinstance(d, Def) or d.path or not js.is_function(d.node):
                return None
            made, where = returned_new(d.facts, d.node), d.facts
        if made is None or made.type != "new_expression":
            return None
        cls = self.linker.value_of(where, js.callee(made))
        body = cls.node.child("body") if isinstance(cls, Def) and not cls.path and cls.node.type in (
            "class_declaration", "class", "abstract_class_declaration") else None
        found = self.class_method(cls.facts, body, name.text or "") if body is not None else None
        if found is None:
            return None
        mfacts, m = found
        info = mfacts.function_for(m)
        return (mfacts, info, body, made) if info is not None else None

    def class_method(self, facts: FileFacts, body: Node, name: str, depth: int = 0) -> tuple[FileFacts, Node] | None:
        """The instance method `name` of a class body, or of the project class it extends."""
        m = _method_named(body, name)
        if m is not None:
            return facts, m
        cls = body.parent
        heritage = cls.first("class_heritage") if cls is not None and depth < 8 else None
        ext = heritage.first("extends_clause") if heritage is not None else None
        d = self.linker.value_of(facts, ext.child("value")) if ext is not None else None
        if isinstance(d, Def) and not d.path and d.node.type in ("class_declaration", "class",
                                                                   "abstract_class_declaration"):
            base = d.node.child("body")
            return self.class_method(d.facts, base, name, depth + 1) if base is not None else None
        return None

    def _method_reached(self, cur: Reached, site: CallSite) -> Reached | None:
        """`new Repo(ctx).touch(id)` (or `repo.touch(id)` on a `const repo = new Repo(ctx)`):
        the method, with the field its class keeps the ctx in when this function hands the
        whole ctx to the constructor; `this.load()` in such a method: the class's own method,
        with the same field."""
        callee = site.callee
        chain = js.member_chain(callee) if callee is not None and site.ref is None and not site.is_new else None
        if chain is not None and chain[0].type == "this" and len(chain[1]) == 1 and _on_this(cur.func, callee):
            body = cur.func.node.parent
            found = self.class_method(cur.facts, body, chain[1][0]) if body is not None and body.type == "class_body" \
                else None
            info = found[0].function_for(found[1]) if found is not None else None
            if info is None:
                return None
            ctx_index, ctx_path, ctx_at = _ctx_flow(cur, site)
            return Reached(found[0], info, cur.via + ((cur.facts, site),), ctx_index, ctx_path, ctx_at,
                           ctx_field=cur.ctx_field)
        found = self.method(cur.facts, site)
        if found is None:
            return None
        # the ctx handed to the method as an argument (`game.runStep(ctx, ...)`), as to a function
        # (asked only of a method found: this runs for every call the graph cannot resolve)
        ctx_index, ctx_path, ctx_at = _ctx_flow(cur, site)
        mfacts, info, body, made = found
        field = None
        # the object made here (not by a factory elsewhere), given this function's whole ctx
        new_site = cur.func.site_of(made) if cur.ctx_index is not None else None
        if new_site is not None:
            given = next((i for i, a in enumerate(js.call_args(made)) if _ctx_value(cur, new_site, a) == ()), None)
            field = _field_of_param(_method_named(body, "constructor"), given) if given is not None else None
        return Reached(mfacts, info, cur.via + ((cur.facts, site),), ctx_index, ctx_path, ctx_at, ctx_field=field)

    def reach(self, facts: FileFacts, start: FunctionInfo, ctx_at: tuple[str, ...] = ()) -> list[Reached]:
        """`start` and every helper function it calls, transitively (breadth first). The ctx
        is `start`'s first parameter, or the part `ctx_at` of it (`c.env` of a Hono handler)."""
        key = (id(start), ctx_at)
        hit = self._reach.get(key)
        if hit is None:
            if self.derived is not None:  # helpers reached depend on `facts` and what it imports
                hit = self.derived.get(facts, ("reach", key), lambda: self._walk(facts, start, ctx_at))
            else:
                hit = self._walk(facts, start, ctx_at)
            self._reach[key] = hit
        return hit

    def _walk(self, facts: FileFacts, start: FunctionInfo, ctx_at: tuple[str, ...] = ()) -> list[Reached]:
        out = [Reached(facts, start, (), 0 if start.params else None, (), ctx_at)]
        seen = {id(start)}
        i = 0
        while i < len(out):
            cur = out[i]
            i += 1
            if cur.depth >= self.max_depth:
                continue
            calls = list(cur.func.all_calls())
            # Callbacks handed the ctx (`stream(ctx, req, id, async (ctx, ...) => ...)`) run
            # with it: their calls are walked as their own, where the ctx flows on from
            # their parameter.
            callbacks = []
            whole_ctx = cur.ctx_index is not None and not cur.ctx_path
            handed = _calls_given_functions(cur.func) if whole_ctx else ()
            for site in calls:
                # (persistent-text-streaming's callback may be named rather than written in place)
                if id(site.node) not in handed and not (whole_ctx and site.path[-1:] == ("stream",)):
                    continue
                for cb_facts, cb, index in self._ctx_callbacks(cur, site):
                    if id(cb) not in seen:
                        seen.add(id(cb))
                        callbacks.append(cb)
                        out.append(Reached(cb_facts, cb, cur.via, index))
            for site in calls:
                if callbacks and site.func is not None and any(site.func.is_inside(cb) for cb in callbacks):
                    continue
                target = self.callee(cur.facts, site)
                if target is None:
                    method = self._method_reached(cur, site) or self._bound_call(cur, site)
                    if method is not None and id(method.func) not in seen:
                        seen.add(id(method.func))
                        out.append(method)
                    continue
                tfacts, tfunc = target
                if tfunc.is_inside(cur.func):
                    continue
                ctx_index, ctx_path, ctx_at = _ctx_flow(cur, site)
                reached = Reached(tfacts, tfunc, cur.via + ((cur.facts, site),), ctx_index, ctx_path, ctx_at,
                                  made_by=self._made_by.get(id(site)))
                if id(tfunc) not in seen:
                    seen.add(id(tfunc))
                    out.append(reached)
                elif reached.made_by is not None:
                    # the closure of a factory made twice (`admit(a)`, `admit(b)`) is reached once;
                    # what the other call gave it runs too
                    for site2 in tfunc.all_calls():
                        bound = self._bound_call(reached, site2)
                        if bound is not None and id(bound.func) not in seen:
                            seen.add(id(bound.func))
                            out.append(bound)
        return out


    def _ctx_callbacks(self, cur: Reached, site: CallSite):
        """(function, index of its parameter that receives the ctx) for each function written
        inline as an argument of `site` that also hands on the whole ctx. Into a project
        function, the parameter it calls the callback with its ctx in (`fn(ctx)` in
        `withRetries(ctx, fn)`); into a library (a component client's `stream`), the first
        parameter, when its name or type says it is a ctx; persistent-text-streaming's
        `stream(ctx, request, streamId, write)` calls `write` with its ctx whatever its
        parameter is called, and wherever it is written (a const, a named function)."""
        if cur.ctx_index is None or cur.ctx_path:
            return
        args = js.call_args(site.node)
        writer = stream_writer(self.linker, cur.facts, site) if args and _ctx_value(cur, site, args[0]) == () else None
        if writer is not None:
            if writer[1].params:
                yield writer[0], writer[1], 0
            return
        inline = [(k, js.unwrap(a)) for k, a in enumerate(args) if js.is_function(js.unwrap(a))]
        if not inline:
            return
        given = next((i for i, a in enumerate(args) if _ctx_value(cur, site, a) == ()), None)
        if given is None:
            return
        target = self.callee(cur.facts, site)
        for k, node in inline:
            cb = cur.facts.function_for(node)
            if cb is None or not cb.params:
                continue
            if target is not None:
                index = _calls_param_with(target[1], k, given)
            else:
                index = 0 if _ctx_like(cb, 0, js.identifier_name(js.unwrap(args[given]))) else None
            if index is not None and index < len(cb.params):
                yield cur.facts, cb, index


def _function_at(d) -> tuple[FileFacts, FunctionInfo] | None:
    """The project function a definition is written as, if it is one."""
    if isinstance(d, Def) and not d.path and js.is_function(d.node):
        info = d.facts.function_for(d.node)
        if info is not None:
            return d.facts, info
    return None


def _reads_loaded_module(linker: Linker, facts: FileFacts, site: CallSite) -> bool:
    """Does the callee start at a module the function loads itself (`await import("./lib")`,
    `require`), held in a `const` or written in place?"""
    chain = js.member_chain(site.callee) if site.callee is not None else None
    if chain is None:
        return False
    root = chain[0]
    if root.type == "identifier":
        return site.ref is not None and site.ref.kind == "local" and linker.loaded_by_function(facts, root) is not None
    return site.ref is None and bool(chain[1]) and loaded_module(root) is not None


def _given_function(linker: Linker, facts: FileFacts, args: list[Node], index: int) -> Def | None:
    """The project function a call gives as its argument `index` (written there or named)."""
    if index >= len(args) or any(a.type == "spread_element" for a in args[: index + 1]):
        return None
    d = linker.value_of(facts, args[index])
    return d if isinstance(d, Def) and not d.path and js.is_function(d.node) else None


_DATA_TYPES = frozenset({"string", "template_string", "number", "true", "false", "null", "undefined"})


def _given_data(linker: Linker, facts: FileFacts, args: list[Node], index: int) -> bool:
    """Does a call give its argument `index` as a value that holds no function: left out, a
    literal, or an object literal (written there or a constant) with no function in it?"""
    if any(a.type == "spread_element" for a in args[: index + 1]):
        return False
    if index >= len(args):
        return True
    d = linker.value_of(facts, args[index])
    if not isinstance(d, Def) or d.path:
        return False
    if d.node.type == "object":
        return all(not p.spread and p.value is not None and p.value.type != "method_definition"
                   and not js.is_function(js.unwrap(p.value)) for p in js.object_props(d.node))
    return d.node.type in _DATA_TYPES


def _method_named(body: Node | None, name: str) -> Node | None:
    """The instance method `name` of a class body."""
    for m in body.children if body is not None else ():
        key = m.child("name") if m.type == "method_definition" else None
        if key is not None and key.text == name and not m.has_tok("static"):
            return m
    return None


def _field_of_param(ctor: Node | None, index: int) -> str | None:
    """The field of `this` the constructor keeps its parameter `index` in: a parameter
    property (`constructor(private ctx: MutationCtx)`) or `this.ctx = ctx` in its body."""
    params = js.function_params(ctor) if ctor is not None else []
    if index >= len(params):
        return None
    p = params[index]
    name = js.identifier_name(js.param_pattern(p))
    if name is None:
        return None
    if js.is_parameter_property(p):
        return name
    body = ctor.child("body")
    for n in body.walk() if body is not None else ():
        if n.type == "assignment_expression" and js.identifier_name(n.child("right")) == name:
            chain = js.member_chain(n.child("left"))
            if chain is not None and chain[0].type == "this" and len(chain[1]) == 1:
                return chain[1][0]
    return None


def _on_this(func: FunctionInfo, node: Node | None) -> bool:
    """Is `node` a member chain on the `this` of `func` (not of a nested non-arrow function)?"""
    chain = js.member_chain(node) if node is not None else None
    if chain is None or chain[0].type != "this":
        return False
    f = js.enclosing_function(chain[0])
    while f is not None and f.type == "arrow_function":
        f = js.enclosing_function(f)
    return f is func.node


def _this_field_chains(facts: FileFacts, func: FunctionInfo, field: str):
    """Maximal member chains `this.<field>.a.b` in `func`: (node, ("a", "b"))."""
    for n in facts.module.nodes_in(func.node, "member_expression"):
        o = js.outer(n)
        if o.parent is not None and o.parent.type == "member_expression" and o.field == "object":
            continue
        chain = js.member_chain(n)
        if chain is not None and chain[0].type == "this" and chain[1][:1] == [field] and _on_this(func, n):
            yield n, tuple(chain[1][1:])


def _awaited(n: Node | None) -> Node | None:
    """`await x` -> `x` (and the wrappers around either)."""
    n = js.unwrap(n)
    if n is not None and n.type == "await_expression" and n.children:
        n = js.unwrap(n.children[0])
    return n


def returned_values(fn: Node) -> list[Node]:
    """What a function returns: its `return` values, or an arrow's expression body."""
    body = fn.child("body")
    if body is not None and body.type != "statement_block":
        return [body]
    return [ret.children[0] for ret in js.return_statements(fn) if ret.children]


def returned_new(facts: FileFacts, fn: Node) -> Node | None:
    """The `new C(...)` a function returns on every `return`, directly or through a local
    const (`const a = new Access(ctx); await a.load(); return a`), or None."""
    made = []
    for value in map(_awaited, returned_values(fn)):
        if value is not None and value.type == "identifier":
            value = _awaited(local_const(facts, value))
        if value is None or value.type != "new_expression":
            return None
        made.append(value)
    return made[0] if made and len({facts.text(js.callee(m)) for m in made}) == 1 else None


def _calls_given_functions(func: FunctionInfo) -> set[int]:
    """id() of the calls in `func` that are given a function written inline as an argument
    (the only ones that can hand a callback the ctx): found from `func`'s nested functions,
    few, rather than from the arguments of every call."""
    out: set[int] = set()
    todo = list(func.children)  # nested ones too: `all_calls` reaches into them
    while todo:
        child = todo.pop()
        todo.extend(child.children)
        o = js.outer(child.node)
        if o.parent is not None and o.parent.type == "arguments" and o.parent.parent is not None:
            out.add(id(o.parent.parent))
    return out


def _calls_param_with(func: FunctionInfo, k: int, given: int) -> int | None:
    """The argument position at which `func` passes its parameter `given` when it calls its
    parameter `k` (`fn(ctx)` -> 0), or None."""
    for site in func.all_calls():
        r = site.ref
        if r is None or r.kind != "param" or r.func is not func or r.index != k or r.path or site.path:
            continue
        for j, a in enumerate(js.call_args(site.node)):
            name = js.identifier_name(js.unwrap(a))
            ref = site.func.lookup(name) if name and site.func is not None else None
            if ref is not None and ref.kind == "param" and ref.func is func and ref.index == given and not ref.path:
                return j
    return None


def _ctx_like(func: FunctionInfo, index: int, outer: str | None) -> bool:
    """Parameter `index` of `func` is named like the ctx handed in with it, or typed as a ctx."""
    pat = js.param_pattern(func.params[index])
    name = js.identifier_name(pat) if pat is not None else None
    if name is not None and (name == outer or name in ("ctx", "context")):
        return True
    ptype = func.param_types[index] if index < len(func.param_types) else None
    return ptype is not None and (ptype.split("<")[0].strip() in _KINDS_OF_CTX_TYPE)


def _ctx_flow(cur: Reached, site: CallSite) -> tuple[int | None, tuple[str, ...], tuple[str, ...]]:
    """Which argument of `site` carries the handler's ctx (or a part of it, like `ctx.db`),
    which part, and where in the argument: `helper(ctx.db)` -> (0, ("db",), ()),
    `helper({ ctx, teamId })` -> (0, (), ("ctx",)), a helper taking one object parameter."""
    if cur.ctx_index is None:
        return None, (), ()
    for i, arg in enumerate(js.call_args(site.node)):
        path = _ctx_value(cur, site, arg)
        if path is not None:
            return i, path, ()
        for prop in js.object_props(arg):
            path = _ctx_value(cur, site, prop.value) if prop.key is not None and not prop.spread else None
            if path is not None:
                return i, path, (prop.key,)
    return None, (), ()


def _ctx_value(cur: Reached, site: CallSite, expr) -> tuple[str, ...] | None:
    """The part of the handler's ctx `expr` is (() for the ctx itself), or None."""
    a = js.unwrap(expr)
    if a is None or site.func is None:
        return None
    if a.type == "shorthand_property_identifier":  # `{ ctx }`
        root, props = a, []
    else:
        chain = js.member_chain(a)
        if chain is None or chain[0].type != "identifier":
            return None
        root, props = chain
    ref = site.func.lookup(root.text or "")
    if ref is not None and ref.kind == "param" and ref.func is cur.func and ref.index == cur.ctx_index:
        return cur.on_ctx(ref.path + tuple(props))
    return None




# --- code for one kind of function only ----------------------------------------------------------
# A helper shared by queries, mutations and actions tests what its ctx has (`"db" in ctx`,
# `"runAction" in ctx`, `isActionCtx(ctx)`): one side of the test never runs for a given kind.

ALL_KINDS = frozenset(["query", "mutation", "action", "httpAction"])
# The top-level members of each kind's ctx (convex 1.48 server/registration.d.ts: GenericQueryCtx,
# GenericMutationCtx, GenericActionCtx, which HTTP actions get too). The one table of what a
# ctx has: what a member test (`"scheduler" in ctx`) tells about the kind, and what CVX107
# flags, both come from it.
CTX_MEMBERS = {
    "query": frozenset(["db", "auth", "storage", "runQuery", "meta"]),
    "mutation": frozenset(["db", "auth", "storage", "runQuery", "meta", "scheduler", "runMutation"]),
    "action": frozenset(["auth", "storage", "runQuery", "meta", "scheduler", "runMutation", "runAction",
                         "vectorSearch"]),
}
CTX_MEMBERS["httpAction"] = CTX_MEMBERS["action"]
# member -> the kinds whose ctx has it; testing one every kind has tells the kinds nothing
KINDS_WITH_MEMBER = {m: frozenset(k for k, ms in CTX_MEMBERS.items() if m in ms)
                     for m in frozenset().union(*CTX_MEMBERS.values())}
# The ctx types a type predicate names (`(ctx): ctx is ActionCtx => ...`)
_KINDS_OF_CTX_TYPE = {
    "QueryCtx": frozenset(["query"]), "GenericQueryCtx": frozenset(["query"]),
    "MutationCtx": frozenset(["mutation"]), "GenericMutationCtx": frozenset(["mutation"]),
    "ActionCtx": frozenset(["action", "httpAction"]), "GenericActionCtx": frozenset(["action", "httpAction"]),
}


def kind_can_run(kind: str, r: Reached, node=None) -> bool:
    """Can a `kind` handler run the helper call chain leading to `r` (and `node` in `r.func`)?
    False when one of those calls sits where a test of the ctx (`"db" in ctx`) rules that
    kind out."""
    sites = [site.node for _facts, site in r.via]
    if node is not None:
        sites.append(node)
    for n in sites:
        kinds = _kinds_reaching(n)
        if kinds is not None and kind not in kinds:
            return False
    return True


def _kinds_reaching(node) -> frozenset | None:
    """The kinds of ctx under which `node` runs, by the ctx tests around it in its function;
    None: any."""
    for cond, holds in js.guarding_conditions(node):
        t = _kinds_where(cond, holds)
        if t is not None:
            return t
    return None


def _kinds_where(cond, holds: bool) -> frozenset | None:
    """The kinds under which `cond` can be `holds`: a ctx test joined by `&&`/`||` with other
    conditions (`if (acct && "scheduler" in ctx)` runs its body in mutations and actions
    only; its else branch in every kind). None: any."""
    cond = js.unwrap(cond)
    if cond is None:
        return None
    if cond.type == "unary_expression" and cond.has_tok("!") and cond.children:
        return _kinds_where(cond.children[0], not holds)
    if cond.type == "binary_expression" and (cond.has_tok("&&") or cond.has_tok("||")):
        sides = [_kinds_where(cond.child(f), holds) for f in ("left", "right")]
        if cond.has_tok("&&") == holds:
            # every side holds (`a && b` true) or fails (`a || b` false): each known side narrows
            known = [k for k in sides if k is not None]
            return frozenset.intersection(*known) if known else None
        # one side is enough: only when both sides are known
        return None if None in sides else sides[0] | sides[1]
    t = _ctx_test(cond)
    if t is None:
        return None
    return t if holds else ALL_KINDS - t


def _ctx_test(cond, depth: int = 0) -> frozenset | None:
    """The kinds for which a condition about the ctx holds: `"db" in ctx` (or `ctx.db`,
    `ctx.db?.query`) -> queries and mutations, `"runAction" in ctx` -> actions, `!(...)` the
    others, a call of a type predicate written in the same file (`isActionCtx(ctx)`, `(ctx):
    ctx is ActionCtx => ...`) what it tests; anything else -> None."""
    cond = js.unwrap(cond)
    if cond is None:
        return None
    if cond.type == "unary_expression" and cond.has_tok("!") and cond.children:
        inner = _ctx_test(cond.children[0], depth)
        return None if inner is None else ALL_KINDS - inner
    if cond.type == "binary_expression" and cond.has_tok("in"):
        member = js.string_value(cond.child("left"))
        right = js.unwrap(cond.child("right"))
        if right is not None and right.type == "identifier":
            # `meta` left out: every kind has it, and `"meta" in row` is common on plain objects
            return KINDS_WITH_MEMBER.get(member or "") if member != "meta" else None
        return None
    if cond.type == "member_expression":
        # `if (ctx.db)`, `if (ctx.db?.query)`: a helper shared by all kinds asking for a database
        chain = js.member_chain(cond)
        if chain is not None and chain[0].type == "identifier" and chain[1]:
            kinds = KINDS_WITH_MEMBER.get(chain[1][0])
            if kinds is not None and kinds != ALL_KINDS and len(chain[1]) <= (2 if chain[1][0] == "db" else 1):
                return kinds
        return None
    if cond.type == "call_expression" and depth == 0:
        return _predicate_test(cond)
    return None


def _predicate_test(call) -> frozenset | None:
    """`isActionCtx(ctx)`: the kinds a type predicate declared in the same file lets through."""
    callee = js.callee(call)
    if callee is None or callee.type != "identifier" or len(js.call_args(call)) != 1:
        return None
    fn = _top_level_function(call, callee.text or "")
    if fn is None:
        return None
    # what the body tests decides at run time (`(ctx): ctx is ActionCtx => "runQuery" in ctx`
    # holds for every kind); the declared predicate when the body cannot be read
    body = fn.child("body")
    if body is not None and body.type == "statement_block":
        stmts = body.children
        body = stmts[0].children[0] if len(stmts) == 1 and stmts[0].type == "return_statement" \
            and stmts[0].children else None
    tested = _ctx_test(body, depth=1) if body is not None else None
    if tested is not None:
        return tested
    ret = fn.child("return_type")
    pred = ret.first("type_predicate") if ret is not None else None
    if pred is None:
        return None
    kinds = [_KINDS_OF_CTX_TYPE.get(n.text or "") for n in pred.walk() if n.type == "type_identifier"]
    return frozenset().union(*kinds) if kinds and all(k is not None for k in kinds) else None


def _top_level_function(node, name: str):
    """The function declared at the top level of `node`'s file under `name` (`function f`,
    `const f = () => ...`, exported or not), or None."""
    root = node
    while root.parent is not None:
        root = root.parent
    for st in root.children:
        decl = st.child("declaration") if st.type == "export_statement" else st
        if decl is None:
            continue
        if decl.type == "function_declaration" and decl.child("name") is not None and decl.child("name").text == name:
            return decl
        if decl.type == "lexical_declaration" and decl.has_tok("const"):
            for d in decl.children:
                if d.type == "variable_declarator" and d.child("name") is not None and d.child("name").text == name:
                    v = js.unwrap(d.child("value"))
                    return v if v is not None and js.is_function(v) else None
    return None


# --- code that never runs on a deployment -------------------------------------------------------
# The Convex CLI bundles every function, in both runtimes, with esbuild's
# `define: { "process.env.NODE_ENV": '"production"' }` (convex 1.48 src/bundler/debugBundle.ts,
# `innerEsbuild`): on every deployment, dev ones included, `process.env.NODE_ENV` is the literal
# "production", whatever the deployment's environment variables say. So a branch under
# `process.env.NODE_ENV === "test"` (or `=== "development"`, `!== "production"`) is dead code
# there, which esbuild's syntax minification drops; only a test runner that loads the sources
# (convex-test under vitest, which sets NODE_ENV=test) runs it. Not `process.env.IS_TEST` or
# other switches: those are deployment variables, and a dev deployment may set them.
DEPLOYED_NODE_ENV = "production"


def runs_on_deployment(r: Reached, node=None) -> bool:
    """Can a deployment run the helper call chain leading to `r` (and `node` in `r.func`)?
    False when one of those calls sits in a branch that `process.env.NODE_ENV` rules out on
    every deployment: code written for a test runner."""
    sites = [(f, site.node) for f, site in r.via]
    if node is not None:
        sites.append((r.facts, node))
    return not any(_dead_on_deployment(f, n) for f, n in sites)


def _dead_on_deployment(facts: FileFacts, node) -> bool:
    """Is `node` in a branch (an `if`, a `?:`, the right of `&&`/`||`, the statements after an
    `if (...) return`) that a test of `process.env.NODE_ENV` keeps from running on a deployment?
    A function written in such a branch is dead too: it can only be made there."""
    if "process" in facts.bindings:
        return False
    child = node
    for a in node.ancestors():
        if a.type in ("if_statement", "ternary_expression") and child.field in ("consequence", "alternative"):
            if _on_deployment(facts, a.child("condition")) is (child.field == "alternative"):
                return True
        elif a.type == "binary_expression" and child.field == "right" and (a.has_tok("&&") or a.has_tok("||")):
            if _on_deployment(facts, a.child("left")) is a.has_tok("||"):
                return True  # `isTest && ctx.db.insert(...)`
        elif a.type == "statement_block":
            for prev in a.children:
                if prev is child:
                    break
                if prev.type == "if_statement" and prev.child("alternative") is None \
                        and js.always_exits(prev.child("consequence")) and _on_deployment(facts, prev.child("condition")):
                    return True  # after `if (process.env.NODE_ENV === "production") return`
        child = a
    return False


def _on_deployment(facts: FileFacts, cond, depth: int = 0):
    """The value `cond` has on every deployment when it tests `process.env.NODE_ENV` against a
    string (also negated, joined by `&&`/`||`, or through a `const` holding such a test:
    `const isTest = process.env.NODE_ENV === "test"`); None when it depends on anything else."""
    cond = js.unwrap(cond)
    if cond is None or depth > 3:
        return None
    if cond.type == "unary_expression" and cond.has_tok("!") and cond.children:
        inner = _on_deployment(facts, cond.children[0], depth)
        return None if inner is None else not inner
    if cond.type == "binary_expression" and (cond.has_tok("&&") or cond.has_tok("||")):
        left, right = (_on_deployment(facts, cond.child(f), depth) for f in ("left", "right"))
        decisive = cond.has_tok("||")  # the side value that decides alone: true for `||`
        if left is decisive or right is decisive:
            return decisive
        return None if left is None or right is None else not decisive
    if cond.type == "binary_expression" and any(cond.has_tok(op) for op in ("===", "==", "!==", "!=")):
        sides = [js.unwrap(cond.child("left")), js.unwrap(cond.child("right"))]
        for env, other in (sides, sides[::-1]):
            value = js.string_value(other)
            if js.dotted_name(env) == "process.env.NODE_ENV" and value is not None:
                return (value == DEPLOYED_NODE_ENV) == (cond.has_tok("===") or cond.has_tok("=="))
        return None
    if cond.type == "identifier":
        init = const_value(facts, cond)
        return _on_deployment(facts, init, depth + 1) if init is not None else None
    return None


# --- code a literal argument turns off -----------------------------------------------------------
# A helper shared by queries and mutations often writes only when asked to:
# `getUser(ctx, { createIfMissing = false })` returns before its `ctx.db.insert` unless the flag
# is set, and every query passes `{ createIfMissing: false }` (or leaves it out, or hands on its
# own option that its callers set so). With the literal each call in the handler's reach gives,
# the guard decides: the write is dead for that handler. Any other value (a variable, an
# argument, a spread) keeps the code live.

_UNSET = object()  # an argument or option left out: `undefined`, so its default applies
_MAX_FLAG_DEPTH = 4


def turned_off_by_arguments(graph: CallGraph, reach: list[Reached], r: Reached, node) -> bool:
    """Does a guard around `node` in `r.func` (`if (!opts.create) return`, `if (flag) {...}`)
    on a parameter fail at every call the functions of `reach` (one handler's) make, by the
    literal each passes, directly or through its own callers' literals?"""
    for cond, holds in js.guarding_conditions(node):
        cond = js.unwrap(cond)
        while cond is not None and cond.type == "unary_expression" and cond.has_tok("!") and cond.children:
            cond, holds = js.unwrap(cond.children[0]), not holds
        flag = _flag_of(r.facts, cond)
        if flag is None:
            continue
        values = _param_values(graph, reach, flag, 0)
        if values is not None and values and all(_truthy(v) != holds for v in values):
            return True
    return False


def _truthy(v) -> bool:
    return v is not _UNSET and bool(v)


def _flag_of(facts: FileFacts, expr):
    """(function, parameter index, option key or None, default literal) when `expr` reads a
    parameter as it was passed: `flag`, `opts.flag`, `opts?.flag`, a name destructured from
    the parameter list (`{ flag = false }`) or from the parameter in a `const` (`const { flag =
    false } = opts ?? {}`); None otherwise, and for a name the function assigns."""
    if expr is None:
        return None
    if expr.type == "member_expression":
        chain = js.member_chain(expr)
        if chain is None or len(chain[1]) != 1 or chain[0].type != "identifier":
            return None
        ref = facts.ref_of(chain[0])
        if ref is None or ref.kind != "param" or ref.path or ref.func is None:
            return None
        return ref.func, ref.index, chain[1][0], _UNSET
    if expr.type not in ("identifier", "shorthand_property_identifier"):
        return None
    ref = facts.ref_of(expr)
    if ref is None or ref.func is None or _assigned(facts, ref.func, ref.name):
        return None
    if ref.kind == "param" and len(ref.path) <= 1 and ref.index < len(ref.func.params):
        pattern = ref.func.params[ref.index]
        if not ref.path:  # `flag = false`
            return ref.func, ref.index, None, _default_of(pattern.child("value"))
        return ref.func, ref.index, ref.path[0], _pattern_default(js.param_pattern(pattern), ref.path[0])
    if ref.kind == "local" and ref.func.body is not None:
        for decl in facts.module.nodes_in(ref.func.body, "variable_declarator"):
            pat = decl.child("name")
            if js.enclosing_function(decl) is not ref.func.node or pat is None or pat.type != "object_pattern" \
                    or decl.parent is None or not decl.parent.has_tok("const"):
                continue
            if not any(name == ref.name and path == [name] for name, _n, path in js.pattern_names(pat)):
                continue
            source = js.unwrap(decl.child("value"))
            if source is not None and source.type == "binary_expression" and (source.has_tok("??") or source.has_tok("||")):
                empty = js.unwrap(source.child("right"))  # `opts ?? {}`: the options, or none
                if empty is None or empty.type != "object" or js.object_props(empty):
                    return None
                source = js.unwrap(source.child("left"))
            whole = _flag_of(facts, source) if source is not None and source.type == "identifier" else None
            if whole is None or whole[2] is not None:
                return None
            return whole[0], whole[1], ref.name, _pattern_default(pat, ref.name)
    return None


def _assigned(facts: FileFacts, func: FunctionInfo, name: str) -> bool:
    if func.body is None:
        return True
    for n in facts.module.nodes_in(func.body, "assignment_expression"):
        left = n.child("left")
        if left is not None and left.type == "identifier" and left.text == name:
            return True
    return False


def _default_of(value):
    """A default value's literal (`_UNSET`: no default, `...`: not a literal)."""
    if value is None or js.is_undefined(value):
        return _UNSET
    return js.literal_value(value)


def _pattern_default(pat, key: str):
    """The default a destructuring pattern gives `key` (`{ key = false }`): a literal,
    `_UNSET` when it gives none, `...` when it is not a literal."""
    if pat is None:
        return ...
    for c in pat.children:
        if c.type == "object_assignment_pattern":
            left = c.child("left")
            if left is not None and left.text == key:
                return _default_of(c.child("right"))
    return _UNSET


def _param_values(graph: CallGraph, reach: list[Reached], flag, depth: int) -> set | None:
    """The values parameter `flag` (an option of it when it names a key) takes at the calls of
    its function from `reach`, defaults applied; None when one of them is not a literal, or the
    function is reached other than by a call we can read."""
    func, index, key, default = flag
    if depth > _MAX_FLAG_DEPTH or default is ...:
        return None
    entered = [x for x in reach if x.func is func]
    calls = [(x.facts, site) for x in reach for site in x.func.all_calls()
             if (found := graph.callee(x.facts, site)) is not None and found[1] is func]
    called = {id(site) for _f, site in calls}
    if not calls or not entered or any(not x.via or id(x.via[-1][1]) not in called for x in entered):
        return None
    out: set = set()
    for facts, site in calls:
        args = js.call_args(site.node)
        if any(a.type == "spread_element" for a in args[: index + 1]):
            return None
        arg = js.unwrap(args[index]) if index < len(args) else None
        if key is not None and arg is not None and not js.is_undefined(arg):
            if arg.type != "object" or any(p.spread or p.key is None for p in js.object_props(arg)):
                return None
            arg = js.final_entry(arg, key)  # None: the option left out
        values = _values(graph, reach, facts, arg, depth)
        if values is None:
            return None
        out |= {default if v is _UNSET else v for v in values}
    return out


def _values(graph: CallGraph, reach: list[Reached], facts: FileFacts, expr, depth: int) -> set | None:
    expr = js.unwrap(expr) if expr is not None and expr.type != "shorthand_property_identifier" else expr
    if expr is None or js.is_undefined(expr):
        return {_UNSET}
    v = js.literal_value(expr)
    if v is not ...:
        return {v}
    flag = _flag_of(facts, expr)
    if flag is not None:
        return _param_values(graph, reach, flag, depth + 1)
    init = const_value(facts, expr) if expr.type == "identifier" else None
    v = js.literal_value(init) if init is not None else ...
    return {v} if v is not ... else None
