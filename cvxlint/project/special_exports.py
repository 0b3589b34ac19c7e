"""What Convex takes from a special file's default export, and which HTTP routes it serves.

Convex reads the `default` of `http.ts` (its router) and `crons.ts` (its jobs). It serves the
one router `convex/http.ts` default-exports (https://docs.convex.dev/functions/http-actions):
a route added to another `httpRouter()` (a module's own `const http = httpRouter()` that is
never exported, a router made in a function) has no URL, and its handler never runs as a
route. Rules that speak of a route's URL (who can call it, how its path matches) skip such
routes; CVX801 reports them as ignored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..syntax import js
from ..syntax.tree import Node
from .definitions import Def, ExternalDef
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


def through_cors(project: "Project", facts: FileFacts, node: Node) -> "tuple[FileFacts, Node]":
    """(facts, node) of the router behind convex-helpers' `corsRouter(http, {...}).http`, which
    is that same `httpRouter()` object; `node` itself otherwise."""
    n = js.unwrap(node)
    prop = n.child("property") if n is not None and n.type == "member_expression" else None
    if prop is None or prop.text != "http":
        return facts, node
    d = project.linker.value_of(facts, n.child("object"))
    if not isinstance(d, Def) or d.path or d.node.type != "call_expression":
        return facts, node
    fn = project.linker.value_of(d.facts, js.callee(d.node))
    args = js.call_args(d.node)
    if isinstance(fn, ExternalDef) and fn.module.startswith("convex-helpers") and fn.name == "corsRouter" and args:
        return d.facts, args[0]
    return facts, node


def served_router(project: "Project", app: "App") -> Def | None:
    """The value `http.ts` default-exports (through `corsRouter(http).http`), when it is a
    definition we can read; None when the app has no `http.ts` or it exports nothing."""
    memo = app.__dict__.setdefault("_served_router", {})
    if "value" not in memo:
        http = app.special_module("http")
        exported = default_export_value(project, http.facts) if http is not None else None
        target = project.linker.value_of(*through_cors(project, *exported)) if exported is not None else None
        memo["value"] = target if isinstance(target, Def) else None
    return memo["value"]


def router_served(project: "Project", app: "App", facts: FileFacts, receiver: Node | None) -> bool:
    """Does Convex serve the routes added to `receiver` (the `http` of `http.route({...})`, an
    `httpRouter()` of `app`): is it the router `http.ts` default-exports?"""
    router = project.linker.value_of(facts, receiver) if receiver is not None else None
    target = served_router(project, app)
    return isinstance(router, Def) and target is not None and router.node is target.node


def route_served(project: "Project", app: "App", route: "HttpRoute") -> bool:
    """Does Convex serve `route`? A Hono app's route is taken to be served (what serves the app,
    `new HttpRouterWithHono(app)`, is not read here); an `httpRouter()` route when its router
    is the one `http.ts` default-exports."""
    if route.on_hono:
        return True
    callee = route.call.child("function")
    return router_served(project, app, route.facts, callee.child("object") if callee is not None else None)
