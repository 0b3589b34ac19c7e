"""Shared readings of http.ts and crons.ts for the family-8 rules."""

from __future__ import annotations

from cvxlint.project.definitions import Def, ExternalDef
from cvxlint.rulekit import js


def made_by(project, facts, node, factory: str) -> bool:
    """Does `node` evaluate to the result of `factory()` from convex/server (httpRouter, cronJobs)?"""
    d = project.linker.value_of(facts, node)
    if not isinstance(d, Def) or d.path or d.node.type != "call_expression":
        return False
    fn = project.linker.value_of(d.facts, js.callee(d.node))
    return isinstance(fn, ExternalDef) and fn.module == "convex/server" and fn.name == factory and not fn.path


def through_cors(project, facts, node):
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


def method_calls(project, facts, factory: str, methods: tuple[str, ...]):
    """Calls `x.method(...)` at module scope where `x` was made by `factory()`."""
    for site in facts.module_calls:
        callee = site.callee
        if callee is None or callee.type != "member_expression":
            continue
        prop = callee.child("property")
        if prop is None or prop.text not in methods:
            continue
        if made_by(project, facts, callee.child("object"), factory):
            yield site, prop.text


def default_export_value(project, facts):
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
