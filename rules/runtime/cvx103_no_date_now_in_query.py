from cvxlint.project.callgraph import kind_can_run
from cvxlint.syntax import scope
from cvxlint.rulekit import Invalid, Rule, Severity, Valid, describe_function, js, memoized, report_in_handler, reported_queries

from .common import time_read

SERVER = 'import { query, internalQuery, mutation } from "./_generated/server";\nimport { v } from "convex/values";\n'


def time_reads(reached, written=()):
    """`Date.now()`, `new Date()` without arguments, `performance.now()` in a reached function
    (not a parameter default the call that reached it fills in: `now = Date.now()` never runs,
    nor an argument of `console.*`: a time stamp in a log line does not change the result, nor
    one of the `written` spans: see `write_arguments`)."""
    calls = list(reached.func.all_calls())
    logged = [(a.start, a.end) for site in calls if (site.global_name or "").startswith("console.")
              for a in js.call_args(site.node)]
    for site in calls:
        what = time_read(site)
        if what is not None and not _default_passed(reached, site.node) \
                and not any(start <= site.node.start and site.node.end <= end for start, end in (*logged, *written)) \
                and not _only_logged(reached, site.node, logged):
            yield site, what


# expressions a time read may sit in and still be the value computed from it (`Date.now() - t`)
_ARITHMETIC = frozenset(["binary_expression", "parenthesized_expression", "unary_expression", "as_expression",
                         "non_null_expression"])


def _only_logged(reached, node, logged, depth: int = 0) -> bool:
    """Is the value of `node` (a time read) only ever logged? Held in a `const` (`const age =
    Date.now() - t`, the read inside arithmetic) whose every read is an argument of
    `console.*`, sits in the test of an `if` whose branches only log (`if (age > TTL)
    console.warn(...)`), or is itself held in such a `const` (`const stale = age > TTL`): the
    query's result does not depend on it (triage G53h P5). Also the read itself in such a test."""
    n = _built_into(node)
    p = n.parent
    if p is None or p.type != "variable_declarator" or n.field != "value":
        return _in_logging_test(n)
    name = p.child("name")
    decl = p.parent
    if name is None or name.type != "identifier" or decl is None or not decl.has_tok("const") or depth > 3:
        return False
    reads = [r for r in scope.reads_of(reached.func.node, name.text or "")
             if (ref := reached.facts.ref_of(r)) is not None and ref.kind == "local"]
    return bool(reads) and all(any(start <= r.start and r.end <= end for start, end in logged)
                               or _only_logged(reached, r, logged, depth + 1) for r in reads)


def _built_into(n):
    """The largest value built from `n` with nothing else done to it: arithmetic on it, a
    method of the time itself (`new Date().toISOString()`), an object, array or template
    holding it, `JSON.stringify` of those (a log line: `JSON.stringify({ ts: new Date()
    .toISOString(), ...fields })`, triage G55a P6)."""
    while (p := n.parent) is not None:
        if p.type in _ARITHMETIC or p.type in ("pair", "spread_element", "object", "array", "template_substitution",
                                                "template_string") and n.field != "key":
            n = p
        elif p.type == "member_expression" and n.field == "object" and p.parent is not None \
                and p.parent.type == "call_expression" and p.field == "function":
            n = p.parent  # `new Date().toISOString()`, `Date.now().toString()`
        elif p.type == "arguments" and p.parent is not None and p.parent.type == "call_expression" \
                and js.dotted_name(js.callee(p.parent)) == "JSON.stringify":
            n = p.parent
        else:
            return n
    return n


def _in_logging_test(n) -> bool:
    """Is `n` (a value `_built_into` gives) the condition of an `if` whose branches hold only
    `console.*` calls?"""
    p = n.parent
    if p is None or p.type != "if_statement" or n.field != "condition":
        return False
    branches = [b for b in (p.child("consequence"), p.child("alternative")) if b is not None]
    return all(_only_console(b) for b in branches)


def _only_console(n) -> bool:
    """A statement (or block, or `else` clause) of `console.*(...)` calls only."""
    if n.type in ("statement_block", "else_clause"):
        return all(_only_console(c) for c in n.children)
    if n.type == "expression_statement":
        call = js.unwrap(n.children[0]) if n.children else None
        callee = js.callee(call) if call is not None and call.type == "call_expression" else None
        obj = callee.child("object") if callee is not None and callee.type == "member_expression" else None
        return obj is not None and obj.type == "identifier" and obj.text == "console"
    return False


def write_arguments(ctx, app) -> dict[str, list[tuple[int, int]]]:
    """file path -> the argument spans of every `db.insert/patch/replace` call. A query's
    `ctx.db` has no such method: the call throws a TypeError once its arguments are evaluated,
    whatever they hold, so a time read there never reaches a query's result (the write in a
    query is CVX107's error). Such helpers are shared with mutations, where the time is fine."""

    def compute():
        out: dict[str, list[tuple[int, int]]] = {}
        # the time reads asked about are in functions reported on, whose uses these include
        for call in reported_queries(ctx, app).calls:
            if call.method in ("insert", "patch", "replace") and not call.system:
                out.setdefault(call.facts.path, []).extend((a.start, a.end) for a in call.args)
        return out

    return memoized(ctx, ("cvx103_write_arguments", id(app)), compute)


def _default_passed(reached, node) -> bool:
    """Is `node` the default of a parameter that the call reaching this helper passes?"""
    if not reached.via:
        return False
    for i, param in enumerate(reached.func.params):
        default = param.child("value")
        if default is not None and default.start <= node.start and node.end <= default.end:
            return len(js.call_args(reached.via[-1][1].node)) > i
    return False


class NoDateNowInQuery(Rule):
    """Reading the current time in a query.

    ## What it does
    Flags `Date.now()`, `new Date()` without arguments and `performance.now()` inside query
    handlers and the helpers they call (also inside `withIndex` ranges). A read inside a
    helper is reported once, at the helper, naming the queries that reach it; a parameter
    default (`now = Date.now()`) only when some query's call leaves that argument out; never
    in the arguments of `console.*`, where the time is only logged, nor in those of
    `ctx.db.insert/patch/replace` (a helper shared with mutations: in a query that write
    throws before the time can reach the result, and CVX107 reports it), nor where a test of
    the ctx rules queries out (`"scheduler" in ctx ? Date.now() : null`, as for CVX107). Internal
    queries get info instead of a warning: nobody subscribes to them directly.

    ## Why is this bad?
    A query's result is cached and pushed to subscribers until the data it read changes.
    Time passing does not re-run it, so a query that compares against "now" goes stale, and
    Convex invalidates its cache more often
    (https://docs.convex.dev/understanding/best-practices/#date-in-queries). In mutations
    and actions reading the clock is fine.

    ## Example
    ```ts
    export const active = query({ args: {}, handler: async (ctx) =>
      ctx.db.query("posts").withIndex("by_expires", (q) => q.gt("expiresAt", Date.now())).take(50) });
    ```
    Use instead: take a coarse time as an argument, or keep an `isExpired` flag current with a
    scheduled mutation:
    ```ts
    export const active = query({ args: { now: v.number() }, handler: async (ctx, { now }) =>
      ctx.db.query("posts").withIndex("by_expires", (q) => q.gt("expiresAt", now)).take(50) });
    ```
    """

    code = "CVX103"
    name = "no-date-now-in-query"
    severity = Severity.WARNING
    summary = "`Date.now()`/`new Date()` in a query (results go stale)"

    valid = [
        Valid(SERVER + 'const TTL = 600000;\nexport const models = query({ args: {}, handler: async (ctx) => {\n'
              '  const cached = await ctx.db.query("cache").first();\n  if (!cached) return [];\n'
              '  const age = Date.now() - cached.updatedAt;\n'
              '  if (age > TTL) {\n    console.warn(`cache is ${Math.round(age / 60000)} minutes old`);\n  }\n'
              '  return cached.models;\n} });\n',
              note="the time only decides whether to log: the result does not depend on it (triage G53h P5)"),
        Valid(SERVER + 'function emit(event: string, fields: Record<string, unknown>) {\n'
              '  const line = JSON.stringify({ event, ts: new Date().toISOString(), ...fields });\n'
              '  console.log(line);\n}\n'
              'export const list = query({ args: {}, handler: async (ctx) => {\n'
              '  const notes = await ctx.db.query("notes").take(20);\n  emit("notes_listed", { count: notes.length });\n'
              '  return notes;\n} });\n',
              note="a structured log line: the time reaches only `console.log` (triage G55a P6)"),
        Valid(SERVER + 'const TTL = 600000;\nexport const models = query({ args: {}, handler: async (ctx) => {\n'
              '  const cached = await ctx.db.query("cache").first();\n  if (!cached) return [];\n'
              '  const age = Date.now() - cached.updatedAt;\n  const stale = age > TTL;\n'
              '  if (stale) console.warn("cache age", age);\n  return cached.models;\n} });\n',
              note="through a second const"),
        Valid(SERVER.replace("mutation }", "mutation, action, type QueryCtx, type ActionCtx }")
              + 'async function lookup(ctx: QueryCtx | ActionCtx, cur: string) {\n'
              '  const checkedAt = "scheduler" in ctx ? Date.now() : null;\n'
              '  if (!("db" in ctx)) return { cur, rate: null, checkedAt, at: new Date() };\n'
              '  const row = await ctx.db.query("rates").withIndex("by_cur", (q) => q.eq("cur", cur)).unique();\n'
              '  return { cur, rate: row?.rate ?? null, checkedAt };\n}\n'
              'export const get = query({ args: { cur: v.string() }, handler: async (ctx, { cur }) => await lookup(ctx, cur) });\n'
              'export const check = action({ args: { cur: v.string() }, handler: async (ctx, { cur }) => await lookup(ctx, cur) });\n',
              note="a helper shared with an action reads the time only where its ctx has `scheduler` or lacks `db`: "
                   "never in a query"),
        Valid(SERVER + 'export const touch = mutation({ args: { id: v.id("posts") }, handler: async (ctx, { id }) => {\n'
              '  await ctx.db.patch("posts", id, { at: Date.now() });\n}});\n'),
        Valid(SERVER + 'export const day = query({ args: { ts: v.number() }, handler: async (_ctx, { ts }) => new Date(ts).getDay() });\n'),
        Valid(SERVER + 'function isStale(at: number, now = Date.now()) {\n  return now - at > 60_000;\n}\n'
              'export const fresh = query({ args: { now: v.number() }, handler: async (ctx, { now }) =>\n'
              '  (await ctx.db.query("posts").take(20)).filter((p) => !isStale(p._creationTime, now)) });\n',
              note="the query passes the time: the default never runs"),
        Valid(SERVER + 'export const get = query({ args: { id: v.id("posts") }, handler: async (ctx, { id }) => {\n'
              '  console.log("posts:get", { id, at: new Date().toISOString() });\n'
              '  return await ctx.db.get("posts", id);\n}});\n',
              note="a time stamp only logged: the result does not depend on it"),
        Valid(SERVER + 'async function ensureProfile(ctx: any, owner: string) {\n'
              '  const found = await ctx.db.query("profiles").withIndex("by_owner", (q: any) => q.eq("owner", owner)).unique();\n'
              '  if (found) return found;\n'
              '  return await ctx.db.get(await ctx.db.insert("profiles", { owner, joinedAt: Date.now() }));\n}\n'
              'export const profile = query({ args: { owner: v.string() }, handler: (ctx, { owner }) => ensureProfile(ctx, owner) });\n'
              'export const join = mutation({ args: { owner: v.string() }, handler: (ctx, { owner }) => ensureProfile(ctx, owner) });\n',
              note="the time only goes into a write: in the query that insert throws whatever it holds (CVX107's error)"),
    ]
    invalid = [
        Invalid(SERVER + 'const TTL = 600000;\nexport const models = query({ args: {}, handler: async (ctx) => {\n'
                '  const cached = await ctx.db.query("cache").first();\n  if (!cached) return [];\n'
                '  const age = Date.now() - cached.updatedAt;\n'
                '  if (age > TTL) {\n    console.warn("stale cache");\n    return [];\n  }\n'
                '  return cached.models;\n} });\n',
                lines=[7], note="the branch the time decides also returns: the result depends on it"),
        Invalid(SERVER + 'export const models = query({ args: {}, handler: async (ctx) => {\n'
                '  const cached = await ctx.db.query("cache").first();\n'
                '  const age = Date.now() - (cached?.updatedAt ?? 0);\n  console.log("age", age);\n'
                '  return { models: cached?.models ?? [], age };\n} });\n',
                lines=[5], note="logged, and returned too"),
        Invalid(SERVER + 'export const snapshot = query({ args: {}, handler: async (ctx) => {\n'
                '  const count = (await ctx.db.query("notes").take(100)).length;\n'
                '  const line = JSON.stringify({ count, at: new Date().toISOString() });\n'
                '  console.log(line);\n  return line;\n} });\n',
                lines=[5], note="a log line the query also returns"),
        Invalid(SERVER + 'class Clock {\n  stamp() { return Date.now(); }\n}\n'
                'export const age = query({ args: {}, handler: async () => {\n'
                '  const clock = new Clock();\n  return clock.stamp();\n}});\n',
                lines=[4], note="a method of an object held in a local"),
        Invalid(SERVER + 'const listLive = (table: "posts" | "events") => query({ args: {}, handler: async (ctx) =>\n'
                '  ctx.db.query(table).withIndex("by_expires", (q) => q.gt("expiresAt", Date.now())).take(50) });\n'
                'export const livePosts = listLive("posts");\nexport const liveEvents = listLive("events");\n',
                lines=[4, 4], note="functions a factory registers: its handler is read like any other"),
        Invalid(SERVER + 'function isStale(at: number, now = Date.now()) {\n  return now - at > 60_000;\n}\n'
                'export const fresh = query({ args: {}, handler: async (ctx) =>\n'
                '  (await ctx.db.query("posts").take(20)).filter((p) => !isStale(p._creationTime)) });\n',
                lines=[3], note="the default runs when the query leaves it out"),
        Invalid(SERVER + 'export const active = query({ args: {}, handler: async (ctx) =>\n'
                '  ctx.db.query("posts").withIndex("by_expires", (q) => q.gt("expiresAt", Date.now())).take(50) });\n',
                lines=[4]),
        Invalid(SERVER + 'function today() {\n  return new Date().toISOString().slice(0, 10);\n}\n'
                'export const todays = internalQuery({ args: {}, handler: async (ctx) => today() });\n', lines=[4]),
        Invalid('export async function isMember(ctx: any) {\n'
                '  const m = await ctx.db.query("members").first();\n  return m !== null && m.expiresAt > Date.now();\n}\n',
                path="convex/lib/access.ts", lines=[3], message="`example:a`, `example:b`",
                files={"convex/example.ts": SERVER + 'import { isMember } from "./lib/access";\n'
                       'export const a = query({ args: {}, handler: async (ctx) => isMember(ctx) });\n'
                       'export const b = query({ args: {}, handler: async (ctx) => isMember(ctx) });\n'},
                note="one finding at the shared helper"),
    ]

    def check_app(self, ctx, app):
        # Time read in a shared helper: one finding at the helper, naming the queries that
        # reach it (a permission helper called by 300 queries is one thing to fix, not 300).
        in_helpers: dict[int, tuple] = {}
        written = write_arguments(ctx, app)
        for fn in app.functions:
            if fn.kind != "query":
                continue
            for r in ctx.project.reach(fn):
                if not ctx.reported(r.facts):
                    continue  # every finding about `r` sits in its file
                for site, what in time_reads(r, written.get(r.facts.path, ())):
                    if not kind_can_run(fn.kind, r, site.node):
                        continue  # `"scheduler" in ctx ? Date.now() : null`: queries take the other side
                    if r.depth == 0:
                        report_in_handler(
                            ctx, fn, r, site.node,
                            f"{what} in {describe_function(fn)}: the result is cached and will not update as time "
                            "passes; pass the time in as an argument or store a flag",
                            severity=Severity.INFO if fn.is_internal else None,
                        )
                    else:
                        entry = in_helpers.setdefault(id(site.node), (r, site, what, []))
                        entry[3].append((fn, r))
        for r, site, what, callers in in_helpers.values():
            names = sorted({fn.display_name for fn, _ in callers})
            shown = ", ".join(f"`{n}`" for n in names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            public = any(not fn.is_internal for fn, _ in callers)
            helper = r.func.name or "this helper"
            related = [ctx.related(cr.via[0][0], cr.via[0][1].node, f"called from {describe_function(fn)}")
                       for fn, cr in callers[:5]]
            ctx.report(
                r.facts, site.node,
                f"{what} in `{helper}`, reached from quer{'y' if len(names) == 1 else 'ies'} {shown}: query results are "
                "cached and will not update as time passes; pass the time in as an argument or store a flag",
                severity=None if public else Severity.INFO,
                related=related,
            )
