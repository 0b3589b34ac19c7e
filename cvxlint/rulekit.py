"""Helpers shared by rules: everything a rule needs besides the model itself.

Import rule-writing names from here:

    from cvxlint.rulekit import Rule, Valid, Invalid, Severity, Fix, js, report_in_handler
"""

from __future__ import annotations

from pathlib import Path

from . import edits  # noqa: F401  (import edits for fixes: add a specifier, a new import line)
from .diagnostics import Applicability, Edit, Fix, Related, Severity  # noqa: F401
from .engine.rule import Invalid, Rule, RuleContext, Valid  # noqa: F401
from .project.builders import RegisteredFunction
from .project.callgraph import Reached
from .project.facts import CallSite, FileFacts
from .syntax import js  # noqa: F401
from .syntax.tree import Node

def memoized(ctx: RuleContext, key, compute):
    """Compute a derived fact once per run and share it between rules."""
    memo = ctx.project.memo
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def per_file(ctx: RuleContext, facts: FileFacts, what, compute):
    """Compute a value from one file once, and keep it while that file and the files it
    imports are unchanged: the language server's next runs reuse it (project/derived.py).
    Only for values read from `facts` and what it imports, never from the app's other files,
    its schema or its registered functions."""
    return ctx.project.derived.get(facts, what, compute)


def reported_queries(ctx: RuleContext, app):
    """`app.queries`, or in a run that reports on some files only (`RuleContext.reported`),
    the database uses of the functions that touch those files: enough for checks whose
    findings sit on a query or on another query of the same function, at a fraction of the
    cost in the editor. Checks that need every use of the app (unused indexes) read
    `app.queries`."""
    if ctx.reports_everything or "queries" in vars(app):  # the whole one is built already
        return app.queries
    from .project.queries import DatabaseUses

    return memoized(ctx, ("reported_queries", id(app)), lambda: DatabaseUses.build(ctx.project, app, ctx.reported))


def reported_index_files(ctx: RuleContext, schema) -> bool:
    """Does the run report on a file that defines one of the schema's indexes? Checks whose
    findings sit on index definitions, and that need every query of the app to decide
    them, return early when not."""
    return any(ctx.reported(i.facts) for t in schema.tables.values() for i in t.indexes)


def chains_on_schema_tables(ctx: RuleContext, app):
    """(chain, table) for each query chain of `app` (`reported_queries`) on a table its schema
    declares; nothing when the app has no schema we can read (rules that compare queries
    with the schema)."""
    schema = app.schema
    if schema is None or not schema.readable:
        return
    for ch in reported_queries(ctx, app).chains:
        table = schema.table(ch.table) if ch.table else None
        if table is not None:
            yield ch, table


def helper_kinds(ctx: RuleContext, app) -> dict[int, set[str]]:
    """For every helper function (by id) the kinds of registered functions that reach it."""

    def compute():
        out: dict[int, set[str]] = {}
        for fn in app.functions:
            for r in ctx.project.reach(fn):
                if r.depth:
                    out.setdefault(id(r.func), set()).add(fn.kind)
        return out

    return memoized(ctx, ("helper_kinds", id(app)), compute)


def global_calls(reached: Reached, *names: str):
    """Call sites in a reached function whose callee is one of the given globals ("fetch", "Date.now")."""
    for site in reached.func.all_calls():
        g = site.global_name
        if g is not None and g in names:
            yield site


__all__ = [
    "Applicability", "Edit", "Fix", "Related", "Severity", "Invalid", "Rule", "RuleContext", "Valid", "js",
    "report_in_handler", "describe_function", "rel", "line_of", "memoized", "helper_kinds", "global_calls",
    "describe_uses", "use_related", "name_node",
]


def rel(ctx: RuleContext, path: str) -> str:
    """A path for messages: relative to the app's root when possible."""
    p = Path(path)
    for app in ctx.project.apps:
        if p.is_relative_to(app.root):
            return p.relative_to(app.root).as_posix()
    return p.name


def line_of(facts: FileFacts, node: Node) -> int:
    return facts.module.line_of(node.start) + 1


def describe_function(fn: RegisteredFunction) -> str:
    vis = "internal " if fn.is_internal and fn.kind != "httpAction" else ""
    kind = {"httpAction": "HTTP action"}.get(fn.kind, fn.kind)
    return f"{vis}{kind} `{fn.display_name}`"


def reported_handler(ctx: RuleContext, fn: RegisteredFunction) -> bool:
    """Will findings in `fn`'s handler file be shown (`RuleContext.reported`)? Checks whose
    findings about `fn` all go there (`report_in_handler`) skip the others' analysis."""
    return ctx.reported(ctx.project.handler_facts(fn))


def report_in_handler(
    ctx: RuleContext,
    fn: RegisteredFunction,
    reached: Reached,
    node: Node,
    message: str,
    *,
    severity: Severity | None = None,
    fix: Fix | None = None,
):
    """Report `node` found in `reached` (the handler or a helper it calls).

    In the handler itself the finding sits on the node. Inside a helper it sits on the
    handler's call that leads there, with the helper's line (and the calls in between) as
    related locations, so the finding is where the function's author can act on it.
    """
    if reached.depth == 0:
        return ctx.report(reached.facts, node, message, severity=severity, fix=fix)
    first_facts, first_site = reached.via[0]
    related = []
    for f, site in reached.via[1:]:
        related.append(ctx.related(f, site.node, f"calls `{callee_text(f, site)}`"))
    related.append(ctx.related(reached.facts, node, "here"))
    helper = reached.func.name or "a helper"
    where = f"{rel(ctx, reached.facts.path)}:{line_of(reached.facts, node)}"
    return ctx.report(
        first_facts,
        first_site.node,
        f"{message} (through `{helper}`, {where})",
        related=related,
        severity=severity,
    )


def callee_text(facts: FileFacts, site: CallSite, unknown: str = "?") -> str:
    """The callee of a call as written, on one line (`ctx.runQuery`)."""
    return " ".join(facts.text(site.callee).split()) if site.callee is not None else unknown


def describe_uses(ctx: RuleContext, uses, limit: int = 6) -> str:
    """"`useQuery` (src/App.tsx:6), `ctx.scheduler.runAfter` (convex/messages.ts:40)" — the
    callers a finding names (see `App.callers`)."""
    parts = []
    for u in sorted(uses, key=lambda u: (u.path, u.start))[:limit]:
        parts.append(f"{u.describe()} ({rel(ctx, u.path)}:{u.line})")
    more = len(uses) - limit
    if more > 0:
        parts.append(f"and {more} more")
    return ", ".join(parts)


def use_related(ctx: RuleContext, uses, message: str = "called here"):
    """Related locations for every use (capped), for output formats that show them."""
    return [ctx.related(u.path, (u.start, u.end), message) for u in uses[:20]]


def name_node(fn: RegisteredFunction) -> Node:
    """Where findings about a whole registered function go: the name it is declared under
    (`list` in `export const list = query(...)`), else the registrar call."""
    p = js.outer(fn.call).parent
    if p is not None and p.type == "variable_declarator" and p.child("name") is not None:
        return p.child("name")
    return fn.call
