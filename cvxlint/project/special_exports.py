"""What Convex takes from a special file's default export, and which HTTP routes it serves.

Convex reads the `default` of `http.ts` (its router) and `crons.ts` (its jobs). It serves the
one router `convex/http.ts` default-exports (https://docs.convex.dev/functions/http-actions):
a route added to another `httpRouter()` (a module's own `const http = httpRouter()` that is
never exported, a router made in a function) has no URL, and its handler never runs as a
route. Rules that speak of a route's URL (who can call it, how its path matches) skip such
routes; CVX801 reports them as ignored.

The served router may reach `http.ts` through calls that hand it back: convex-helpers'
`corsRouter(http).http`, and a project function that returns the router it is given
(`const http = withRateLimits(httpRouter())`, one that patches `http.route` or adds routes
of its own first). Both are the same `httpRouter()` object, so its routes are served.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..syntax import js
from ..syntax.tree import Node
from .callgraph import returned_values
from .definitions import Def, ExternalDef, Linker
from .facts import FileFacts

if TYPE_CHECKING:
    from .model import App, Project
    from .references import HttpRoute


def default_export_value(project: "Project", facts: FileFacts) -> "tuple[FileFacts, Node] | None":
    """(facts, node) of what the module's default export is, or None when there is none. An
    imported or re-exported default (`export { default } from "./infrastructure/crons"`) is
    followed to the module that writes it: Convex reads the bundled module's `default`."""
    for e in facts.exports:
        if e.name != "default" or e.type_only:
            continue
        if e.value is not None:
            return facts, e.value
        if e.local is not None:
            b = facts.bindings.get(e.local)
            if b is not None and b.value is not None:
                return facts, b.value
        if e.source is not None or e.local is not None and facts.import_of(e.local) is not None:
            d = project.linker.export_definition(facts, "default")
            if isinstance(d, Def):
                return d.facts, d.node
        return facts, e.node
    return None


# Factories that convex < 0.17 codegen also re-exported from `_generated/server`
# (`export const cronJobs = cronJobsGeneric`): apps of that era import them from there.
_GENERATED_FACTORIES = frozenset(["cronJobs"])


def made_by_factory(linker: Linker, facts: FileFacts, node: Node, factory: str) -> bool:
    """Does `node` evaluate to the result of `factory()` from convex/server (`httpRouter`,
    `cronJobs`; the old `_generated/server` re-export of `cronJobs` too), itself or handed back
    by a function it went through (`withLogging(httpRouter())`)?"""
    d = linker.value_of(*router_source(linker, facts, node)[:2])
    if not isinstance(d, Def) or d.path or d.node.type != "call_expression":
        return False
    fn = linker.value_of(d.facts, js.callee(d.node))
    return isinstance(fn, ExternalDef) and fn.name == factory and not fn.path and (
        fn.module == "convex/server" or fn.module == "generated:server" and factory in _GENERATED_FACTORIES)


def through_cors(linker: Linker, facts: FileFacts, node: Node) -> "tuple[FileFacts, Node]":
    """(facts, node) of the router behind convex-helpers' `corsRouter(http, {...}).http`, which
    is that same `httpRouter()` object; `node` itself otherwise."""
    n = js.unwrap(node)
    prop = n.child("property") if n is not None and n.type == "member_expression" else None
    if prop is None or prop.text != "http":
        return facts, node
    d = linker.value_of(facts, n.child("object"))
    if not isinstance(d, Def) or d.path or d.node.type != "call_expression":
        return facts, node
    fn = linker.value_of(d.facts, js.callee(d.node))
    args = js.call_args(d.node)
    if isinstance(fn, ExternalDef) and fn.module.startswith("convex-helpers") and fn.name == "corsRouter" and args:
        return d.facts, args[0]
    return facts, node


def handed_back(linker: Linker, facts: FileFacts, call: Node) -> "tuple[Def, int] | None":
    """(the function, the parameter's index) when `call` calls a project function that returns
    one of its parameters, the same one on every `return` (`function withLogging(http) { ...;
    return http; }`): the call's value is that argument. An async function hands back a
    promise, not its argument."""
    fn = linker.value_of(facts, js.callee(call))
    if not isinstance(fn, Def) or fn.path or not js.is_function(fn.node) or js.is_async(fn.node):
        return None
    info = fn.facts.function_for(fn.node)
    indexes = set()
    for value in returned_values(fn.node):
        value = js.unwrap(value)
        ref = info.lookup(value.text or "") if info is not None and value is not None and value.type == "identifier" \
            else None
        if ref is None or ref.kind != "param" or ref.path or ref.func is not info:
            return None
        indexes.add(ref.index)
    if len(indexes) != 1:
        return None
    index = indexes.pop()
    return (fn, index) if index < len(js.call_args(call)) else None


def router_source(linker: Linker, facts: FileFacts, node: Node) -> "tuple[FileFacts, Node, list[tuple[Def, int]]]":
    """(facts, node) of the router `node` is, through `corsRouter(http).http` and project
    functions that hand their router argument back (`withLogging(httpRouter())`), and those
    functions with the index of the parameter the router went through."""
    wrappers: list[tuple[Def, int]] = []
    for _ in range(8):
        behind = through_cors(linker, facts, node)
        if behind[1] is not node:
            facts, node = behind
            continue
        d = linker.value_of(facts, node)
        back = handed_back(linker, d.facts, d.node) if isinstance(d, Def) and not d.path \
            and d.node.type == "call_expression" else None
        if back is None:
            break
        wrappers.append(back)
        facts, node = d.facts, js.call_args(d.node)[back[1]]
    return facts, node, wrappers


def _served(project: "Project", app: "App") -> "tuple[Def | None, list[tuple[Def, int]]]":
    """(the router `http.ts` default-exports, the functions it went through on the way), or
    (None, []) when the app has no `http.ts`, it exports nothing, or nothing we can read."""
    memo = app.__dict__.setdefault("_served_router", {})
    if "value" not in memo:
        http = app.special_module("http")
        exported = default_export_value(project, http.facts) if http is not None else None
        facts, node, wrappers = router_source(project.linker, *exported) if exported is not None else (None, None, [])
        target = project.linker.value_of(facts, node) if facts is not None else None
        memo["value"] = (target, wrappers) if isinstance(target, Def) else (None, [])
    return memo["value"]


def served_router(project: "Project", app: "App") -> Def | None:
    """The value `http.ts` default-exports (through `corsRouter(http).http` and functions that
    hand their router back), when it is a definition we can read; None when the app has no
    `http.ts` or it exports nothing."""
    return _served(project, app)[0]


def served_router_parameter(project: "Project", app: "App", facts: FileFacts, ident: Node) -> bool:
    """Is `ident` (the `http` of `http.route(...)` inside a function) the parameter through
    which the router `http.ts` serves was handed to a function that hands it back?"""
    ref = facts.ref_of(ident) if ident.type == "identifier" else None
    if ref is None or ref.kind != "param" or ref.path or ref.func is None:
        return False
    return any(fn.node is ref.func.node and index == ref.index for fn, index in _served(project, app)[1])


def router_served(project: "Project", app: "App", facts: FileFacts, receiver: Node | None) -> bool:
    """Does Convex serve the routes added to `receiver` (the `http` of `http.route({...})`, an
    `httpRouter()` of `app`): is it the router `http.ts` default-exports, itself or as the
    parameter of a function it went through?"""
    if receiver is None:
        return False
    target = served_router(project, app)
    if target is None:
        return False
    r = js.unwrap(receiver)
    if r is not None and served_router_parameter(project, app, facts, r):
        return True
    router = project.linker.value_of(*router_source(project.linker, facts, receiver)[:2])
    return isinstance(router, Def) and router.node is target.node


def route_served(project: "Project", app: "App", route: "HttpRoute") -> bool:
    """Does Convex serve `route`? A Hono app's route is taken to be served (what serves the app,
    `new HttpRouterWithHono(app)`, is not read here); an `httpRouter()` route when its router
    is the one `http.ts` default-exports."""
    if route.on_hono:
        return True
    callee = route.call.child("function")
    return router_served(project, app, route.facts, callee.child("object") if callee is not None else None)
