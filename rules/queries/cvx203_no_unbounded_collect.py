import itertools

from cvxlint.rulekit import Invalid, Rule, Severity, Valid, js, reported_queries

from .common import ENTS_APP, ENTS_SERVER


SERVER = ('import { query, internalMutation } from "./_generated/server";\nimport { v } from "convex/values";\n')


class NoUnboundedCollect(Rule):
    """`.collect()` on a query whose range is not bounded.

    ## What it does
    Flags `.collect()` on a database query that reads an unbounded number of rows (and a
    `for await` loop over one that nothing can leave early, which reads the same rows): no
    `withIndex` range with an `.eq`, no search index. A `withIndex` range that fixes at least
    one field with `.eq` counts as bounded (a one-to-few relation such as the messages of one
    channel), also when a generic helper names the index and the field at run time
    (`withIndex(index, (q) => q.eq(field, id))`); so do `.take(n)`, `.first()`, `.unique()`
    and `.paginate()`, which this rule never flags. Queries on `ctx.db.system` (admin tooling over `_storage`,
    `_scheduled_functions`) are left alone, and so is a `.collect()` that reads a whole table
    or index (no index, or `withIndex` without a range) while CVX204 (`no-full-table-scan`)
    is enabled: that rule reports it, once. The finding is a warning in public queries and info elsewhere (migrations,
    batch jobs and internal cleanup code collect on purpose). A Convex Ents query awaited as
    a whole (`await ctx.table("t", "byX", (q) => q.gt("at", t))`, `.docs()`, `.map(fn)`) is a
    `.collect()` of its range and is read the same way.

    ## Why is this bad?
    Everything collected counts toward the function's read limits and bandwidth; a query
    re-runs (and a mutation conflicts) whenever any collected row changes; and as the table
    grows the function eventually fails at the limits
    (https://docs.convex.dev/understanding/best-practices/#only-use-collect-with-a-small-number-of-results).

    ## Example
    ```ts
    export const all = query({ args: {}, handler: (ctx) => ctx.db.query("events").collect() });
    ```
    Use instead:
    ```ts
    export const page = query({
      args: { paginationOpts: paginationOptsValidator },
      handler: (ctx, args) => ctx.db.query("events").order("desc").paginate(args.paginationOpts),
    });
    ```

    ## Options
    - `boundedFields` (list of field names, default empty): when set, only an `.eq` on one of
      these fields makes a range bounded. Use it when some equality ranges are still large
      (`status`, `kind`) and only ranges such as `userId` are known to stay small.
    """

    code = "CVX203"
    name = "no-unbounded-collect"
    severity = Severity.WARNING
    summary = "`.collect()` on an unbounded query (warning in public queries, info elsewhere)"
    options = {"boundedFields": []}
    plugin_rules = ("no-collect-in-query",)

    valid = [
        Valid(ENTS_SERVER + 'export const f = query({ args: { room: v.id("rooms"), at: v.number() }, handler: async (ctx, a) => [\n'
              '  await ctx.table("pings", "roomId", (q) => q.eq("roomId", a.room)),\n'
              '  await ctx.table("pings", "by_at", (q) => q.gt("at", a.at)).take(20),\n'
              '] });\n',
              files=ENTS_APP, note="Convex Ents: a range with an `.eq`, and a bounded read"),
        Valid(ENTS_SERVER + 'export const all = query({ args: {}, handler: async (ctx) => ctx.table("pings").docs() });\n',
              files=ENTS_APP, settings={"extend_select": ["CVX204"]}, note="a whole-table Ents read is CVX204's"),
        Valid(SERVER + 'export const mine = query({ args: { owner: v.string() }, handler: (ctx, { owner }) =>\n'
              '  ctx.db.query("tasks").withIndex("by_owner", (q) => q.eq("owner", owner)).collect() });\n',
              note="a bounded index range (the plugin flags this)"),
        Valid(SERVER + 'export const latest = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").order("desc").take(20) });\n'),
        Valid(SERVER + 'export const all = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").collect() });\n',
              settings={"extend_select": ["CVX204"]}, note="a whole-table read is CVX204's finding when it is on"),
        Valid(SERVER + 'async function rowsOf(ctx: any, table: any, index: string, field: string, id: string) {\n'
              '  return await ctx.db.query(table).withIndex(index, (q: any) => q.eq(field, id)).collect();\n}\n'
              'export const tagsOf = internalMutation({ args: { partId: v.string() }, handler: (ctx, { partId }) =>\n'
              '  rowsOf(ctx, "partTags", "by_part", "partId", partId) });\n',
              note="an `.eq` on a field named at run time still bounds the range"),
    ]
    invalid = [
        # triage G58a aspects-vtt: an awaited Convex Ents query reads every row of its range
        Invalid(ENTS_SERVER + 'export const recent = query({ args: { at: v.number() }, handler: async (ctx, { at }) =>\n'
                '  await ctx.table("pings", "by_at", (q) => q.gt("at", at)) });\n',
                files=ENTS_APP, lines=[4],
                message='`await ctx.table("pings", "by_at", ...)` (the `by_at` range has no `.eq`) in public query'),
        Invalid(ENTS_SERVER + 'export const all = query({ args: {}, handler: async (ctx) => ctx.table("pings").docs() });\n',
                files=ENTS_APP, lines=[3], message='`ctx.table("pings")...docs(...)` (no index range)'),
        Invalid(SERVER + 'export const all = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").collect() });\n',
                lines=[3], message="public query"),
        Invalid(SERVER + 'export const all = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").fullTableScan().collect() });\n',
                settings={"extend_select": ["CVX204"]}, lines=[3], note="a scan marked as meant still collects every row"),
        Invalid(SERVER + 'export const purge = internalMutation({ args: {}, handler: async (ctx) => {\n'
                '  for (const t of await ctx.db.query("tasks").withIndex("by_done", (q) => q.gt("doneAt", 0)).collect()) {\n'
                '    await ctx.db.delete("tasks", t._id);\n  }\n}});\n',
                lines=[4]),
        Invalid(SERVER + 'export const purge = internalMutation({ args: {}, handler: async (ctx) => {\n'
                '  for await (const t of ctx.db.query("tasks").withIndex("by_done", (q) => q.gt("doneAt", 0))) {\n'
                '    await ctx.db.delete("tasks", t._id);\n  }\n}});\n',
                lines=[4], message="`for await` over `query(\"tasks\")` (the `by_done` range has no `.eq`)",
                note="walking the query to its end reads every row `.collect()` would"),
        Invalid(SERVER + 'export const mine = query({ args: { status: v.string() }, handler: (ctx, { status }) =>\n'
                '  ctx.db.query("tasks").withIndex("by_status", (q) => q.eq("status", status)).collect() });\n',
                options={"boundedFields": ["owner"]}, lines=[4]),
        Invalid(SERVER + 'async function since(ctx: any, table: any, index: string, at: number) {\n'
                '  return await ctx.db.query(table).withIndex(index, (q: any) => q.gt("at", at)).collect();\n}\n'
                'export const recent = internalMutation({ args: { at: v.number() }, handler: (ctx, { at }) =>\n'
                '  since(ctx, "events", "by_at", at) });\n',
                lines=[4], message="(the index range has no `.eq`)",
                note="an index named at run time, with a range that fixes nothing"),
    ]

    def check_app(self, ctx, app):
        bounded_fields = set(ctx.options.get("boundedFields") or [])
        # One finding per problem: a `.collect()` that reads a whole table or index is CVX204's
        # (unless that rule is off), whose advice (an index range) comes first.
        left_to_cvx204 = "CVX204" in ctx.settings.enabled_codes()
        seen: set[int] = set()
        for ch in reported_queries(ctx, app).chains:
            # Chains of an `if`/`else` that each assign the query meet at one `.collect()`:
            # the first one that reads every row is the finding there.
            if not ch.reads_whole_range or id(ch.terminal_node) in seen:
                continue
            if ch.search_call is not None or ch.index_conditional or ch.system:
                continue
            if left_to_cvx204 and ch.scans_whole_table:
                continue
            eqs = ch.range_eqs if ch.index_call is not None else []
            if ch.index_call is not None and any(op.field is None for op in _leading_eqs(ch.range)):
                # `q.eq(field, id)` in a helper given the field: still an equality, so bounded
                # (oemwdb's generic merge helpers); which field it is `boundedFields` cannot tell
                continue
            if eqs and (not bounded_fields or bounded_fields & set(eqs)):
                continue
            if ch.index_call is not None and not ch.range_known:
                continue
            seen.add(id(ch.terminal_node))
            table = f'"{ch.table}"' if ch.table else "..."
            index = f"the `{ch.index}` range" if ch.index is not None else "the index range"
            how = "no index range" if ch.index_call is None else (
                f"{index} fixes no bounded field" if eqs else f"{index} has no `.eq`")
            if ch.terminal == "collect":
                what, at = f"`.collect()` on `query({table})`", js.method_anchor(ch.terminal_node)
            else:  # a `for await` loop to the end of the query: reported on the query it walks
                what, at = f"{ch.loop_text} over `query({table})`", js.method_anchor(ch.terminal_node.child("right"))
            _report(ctx, ch.facts, at, ch.functions, f"{what} ({how})", ch.result_returned)
        for call in reported_queries(ctx, app).ents_calls:  # Convex Ents: an awaited query is `.collect()`
            if not call.reads_whole_range or left_to_cvx204 and call.scans_whole_table or not call.range_known:
                continue
            eqs = call.range_eqs
            if call.range and any(op.op == "eq" and op.field is None for op in _leading_eqs(call.range)):
                continue
            if eqs and (not bounded_fields or bounded_fields & set(eqs)):
                continue
            how = "no index range" if call.range is None else (
                f"the `{call.index}` range fixes no bounded field" if eqs else f"the `{call.index}` range has no `.eq`")
            _report(ctx, call.facts, call.node, call.functions, f"{call.read_text} ({how})", False)


def _report(ctx, facts, at, functions, what: str, returned: bool) -> None:
    """A warning in a public query (whose readers wait on every row), info elsewhere."""
    public = [fn for fn in functions if fn.kind == "query" and fn.is_public]
    if public:
        msg = f"{what} in public query `{public[0].display_name}` reads every matching row"
        if returned:
            msg += " and returns them all to the client"
        ctx.report(facts, at, msg + "; use `.take(n)` or `.paginate()`")
    else:
        ctx.report(facts, at, f"{what} reads every matching row; "
                   "fine for small tables and batch jobs, otherwise use `.take(n)` or `.paginate()`",
                   severity=Severity.INFO)


def _leading_eqs(ops):
    """The `.eq` calls a range starts with."""
    return list(itertools.takewhile(lambda op: op.op == "eq", ops or []))
