"""Shared readings for the family-1 (runtime) rules."""

from __future__ import annotations

from cvxlint.project.callgraph import kind_can_run
from cvxlint.rulekit import global_calls, helper_kinds, js, reported_functions, workflow_handlers


def global_calls_in_queries_and_mutations(ctx, app, *names: str):
    """(fn, reached, site) for each call of one of the globals `names` ("fetch",
    "crypto.subtle.generateKey") in a query or mutation handler or a helper it reaches.
    Only functions whose handler file is reported on: findings go there (report_in_handler).
    Not a call where a test of the ctx rules the handler's kind out (`if ("runAction" in ctx)`
    in a helper shared with actions)."""
    for fn in reported_functions(ctx, app):
        if fn.kind in ("query", "mutation"):
            for r in ctx.project.reach(fn):
                for site in global_calls(r, *names):
                    if kind_can_run(fn.kind, r, site.node):
                        yield fn, r, site


def global_calls_in_workflows(ctx, app, *names: str):
    """(what to call the workflow, reached, site) for each call of one of the globals `names`
    in a workflow's handler or a helper it reaches (`workflow_handlers`): code that runs inside
    a mutation, with what a mutation cannot do."""
    for reached, what in workflow_handlers(ctx, app):
        for r in reached:
            for site in global_calls(r, *names):
                if kind_can_run("mutation", r, site.node):
                    yield what, r, site


def shared_with_actions(ctx, app, reached) -> bool:
    """`reached` is a helper that actions call too: what it does may only run on their path."""
    return bool(reached.depth) and bool(helper_kinds(ctx, app).get(id(reached.func), set()) & {"action", "httpAction"})


def time_read(site) -> str | None:
    """"`Date.now()`", "`performance.now()`" or "`new Date()`" (no arguments) when the call reads the clock."""
    g = site.global_name
    if g in ("Date.now", "performance.now") and not site.is_new:
        return f"`{g}()`"
    if g == "Date" and site.is_new and not js.call_args(site.node):
        return "`new Date()`"
    return None
