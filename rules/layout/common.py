"""Shared readings of http.ts and crons.ts for the family-8 rules."""

from __future__ import annotations

from cvxlint.project.special_exports import made_by_factory
from cvxlint.rulekit import js


def made_by(project, facts, node, factory: str) -> bool:
    """Does `node` evaluate to the result of `factory()` from convex/server (httpRouter, cronJobs),
    itself or handed back by a function it went through (`withLogging(httpRouter())`)?"""
    return made_by_factory(project.linker, facts, node, factory)


def method_calls(project, facts, factory: str, methods: tuple[str, ...], in_item_callbacks: bool = False):
    """Calls `x.method(...)` at module scope where `x` was made by `factory()`; with
    `in_item_callbacks`, also those in the callback of a module-scope `LIST.forEach(...)` /
    `.map(...)`, which runs when the module loads just as a `for` loop's body does."""
    sites = list(facts.module_calls)
    if in_item_callbacks:
        sites += [site for f in facts.functions if js.enclosing_function(f.node) is None
                  and each_item_callback(f.node) is not None for site in f.calls]
    for site in sites:
        callee = site.callee
        if callee is None or callee.type != "member_expression":
            continue
        prop = callee.child("property")
        if prop is None or prop.text not in methods:
            continue
        if made_by(project, facts, callee.child("object"), factory):
            yield site, prop.text


def each_item_callback(fn) -> tuple[object, object] | None:
    """(the `LIST.forEach(...)` / `.map(...)` call, `LIST`) when function `fn` is the callback
    it runs once per item, else None."""
    args = fn.parent
    call = args.parent if args is not None and args.type == "arguments" else None
    callee = js.callee(call) if call is not None and call.type == "call_expression" else None
    if callee is None or callee.type != "member_expression" or js.call_args(call)[:1] != [fn]:
        return None
    prop = callee.child("property")
    return (call, callee.child("object")) if prop is not None and prop.text in ("forEach", "map") else None


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
