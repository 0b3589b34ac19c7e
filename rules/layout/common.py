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


# The numeric range of each field of a 5-field cron string (weekday 7 is Sunday too).
_CRON_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12), ("weekday", 0, 7))


def cron_string_problem(s: str) -> str | None:
    """Why a 5-field cron string cannot run: a number outside its field's range, a step of 0,
    a range that runs backwards (None: nothing wrong that we can tell; names such as `MON`
    and `JAN` are left to the server)."""
    for (field, lo, hi), part in zip(_CRON_FIELDS, s.split()):
        for item in part.split(","):
            base, _, step = item.partition("/")
            if step and step.isdigit() and int(step) == 0:
                return f"a step of 0 in the {field} field"
            bounds = [b for b in base.split("-") if b.isdigit()]
            for b in bounds:
                if not lo <= int(b) <= hi:
                    return f"{b} is outside the {field} field's {lo}-{hi}"
            if len(bounds) == 2 and base.count("-") == 1 and int(bounds[0]) > int(bounds[1]):
                return f"the {field} range {base} runs backwards"
    return None
