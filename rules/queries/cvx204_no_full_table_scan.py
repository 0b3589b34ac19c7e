from cvxlint.rulekit import (Invalid, Rule, Severity, Valid, ents_range_advice, filter_anchor, filters_cvx202_reports,
                             names_missing_index, reported_queries)

from .common import ENTS_APP, ENTS_SERVER

SERVER = 'import { query, mutation } from "./_generated/server";\nimport { v } from "convex/values";\n'
BOOKS = ('import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
         'export default defineSchema({\n  books: defineTable({ author: v.string(), pages: v.number() })'
         '.index("by_author", ["author"]),\n});\n')


class NoFullTableScan(Rule):
    """A query that reads the whole table (or a whole index).

    ## What it does
    Flags a `ctx.db.query("t")` chain with no `withIndex`/`withSearchIndex` that ends in
    `.collect()` (or is walked to the end with `for await`, which is what `.collect()` does),
    or that has a `.filter()` (a filter with `.first()`, `.take(n)` or
    `.paginate()` still reads rows until enough match). Also flags `withIndex(name)` with no
    range followed by `.collect()` or such a loop; its advice is a range or a bound
    (`.take(n)`, `.first()`, `.paginate()`), since `.fullTableScan()` exists only on the query
    initializer, not after `withIndex`. A `for await` loop that can `break`,
    `return` or `throw` stops reading there, like `.take(n)`. Not flagged: an explicit `.fullTableScan()` (it states
    the intent), convex-helpers' `filter(query, ...)` ending in `.paginate()` (it reads one
    page, then filters it), `.first()`, `.unique()`, `.take(n)` and `.paginate()` without a filter
    (they stop early), queries on `ctx.db.system`, and queries whose index is added on only
    some paths (`if (x) q = q.withIndex(...)`). A `.filter` that an index of the schema already
    fits (or a built-in one: `db.get` for `_id`, `by_creation_time`), or one of equalities on
    declared fields that CVX202 names an index to add for, is CVX202's finding
    (`prefer-index-over-filter`: it names the index and rewrites the query, which ends the
    scan too; for an index to add it then warns of the scan), so this rule leaves it alone
    unless CVX202 is turned off. A query on a table or index the schema lacks is left to
    CVX701 and CVX703: it throws before it reads a row. Convex Ents reads count the same:
    `await ctx.table("t")` (and `.docs()`, `.map(fn)`, a query a handler returns) reads every
    row, as `.collect()` does; `ctx.table("t").filter(...)` scans (when an index, one an edge
    makes included, has exactly the filter's equalities, the message names it in Ents' form:
    `ctx.table("t", "roomId", (q) => q.eq("roomId", room))`; no fix); `ctx.table("t",
    "byX")` or `.order(dir, "byX")` with no range, read in full, reads the whole index.

    ## Why is this bad?
    The cost of the query grows with the table: more rows read, more bandwidth, more
    conflicts, and eventually the read limits (https://docs.convex.dev/database/reading-data/indexes/indexes-and-query-perf).

    ## Example
    ```ts
    await ctx.db.query("users").withIndex("by_score").collect();
    ```
    Use instead:
    ```ts
    await ctx.db.query("users").withIndex("by_score").order("desc").take(10);
    ```
    """

    code = "CVX204"
    name = "no-full-table-scan"
    severity = Severity.WARNING
    summary = "Query that reads a whole table or index (no index range)"
    # a whole-table `.filter` is this rule's finding (CVX201 leaves it here): the plugin's
    # comments for it must silence it (reported on the `.filter`, where they sit)
    plugin_rules = ("no-filter-in-query",)

    valid = [
        Valid(ENTS_SERVER + 'export const f = query({ args: { room: v.id("rooms") }, handler: async (ctx, { room }) => [\n'
              '  await ctx.table("pings", "roomId", (q) => q.eq("roomId", room)),\n'
              '  await ctx.table("pings").order("desc").take(10),\n'
              '  await ctx.table("pings").first(),\n'
              '  await ctx.table("pings").get(room as any),\n'
              '] });\n',
              files=ENTS_APP, note="Convex Ents: an index range, and reads that stop early"),
        Valid(SERVER + 'export const all = query({ args: {}, handler: async (ctx) => await ctx.db.query("bokos").collect() });\n',
              files={"convex/schema.ts": BOOKS}, note="a table the schema does not define: CVX701's finding"),
        # triage G47 P8: one bad index name got CVX703, CVX204 and CVX201
        Valid(SERVER + 'export const all = query({ args: {}, handler: async (ctx) =>\n'
              '  await ctx.db.query("books").withIndex("by_autor").collect() });\n',
              files={"convex/schema.ts": BOOKS}, note="an index the table lacks: CVX703's finding, `withIndex` throws"),
        Valid(SERVER + 'export const admins = query({ args: {}, handler: (ctx) =>\n  ctx.db.query("users")\n'
              '    // eslint-disable-next-line @convex-dev/no-filter-in-query -- a handful of rows\n'
              '    .filter((q) => q.eq(q.field("role"), "admin")).collect() });\n',
              note="the plugin's suppression comment for the filter is honoured"),
        Valid(SERVER + 'export const top = query({ args: {}, handler: (ctx) => ctx.db.query("users").withIndex("by_score").order("desc").take(10) });\n'),
        Valid(SERVER + 'export const all = query({ args: {}, handler: (ctx) => ctx.db.query("users").fullTableScan().collect() });\n',
              note="explicit intent"),
        Valid(SERVER + 'export const files = query({ args: {}, handler: (ctx) => ctx.db.system.query("_storage").collect() });\n'),
        Valid(SERVER + 'import { paginationOptsValidator } from "convex/server";\nimport { filter } from "convex-helpers/server/filter";\n'
              'export const page = query({ args: { paginationOpts: paginationOptsValidator, skip: v.optional(v.string()) },\n'
              '  handler: async (ctx, { paginationOpts, skip }) => {\n    let q;\n'
              '    if (skip) q = filter(ctx.db.query("users").order("desc"), (u) => u.name !== skip);\n'
              '    else q = ctx.db.query("users").order("desc");\n    return await q.paginate(paginationOpts);\n  },\n});\n',
              note="convex-helpers' filter pages first, then filters the page"),
        Valid(SERVER + 'export const one = query({ args: {}, handler: (ctx) => ctx.db.query("users").first() });\n'),
        Valid(SERVER + 'export const latest = query({ args: {}, handler: async (ctx) => {\n  const out = [];\n'
              '  for await (const b of ctx.db.query("books").withIndex("by_author").order("desc")) {\n'
              '    out.push(b);\n    if (out.length >= 10) break;\n  }\n  return out;\n}});\n',
              note="the loop stops after ten rows, like `.take(10)`"),
        Valid(SERVER + 'export const byAuthor = query({ args: { a: v.string() }, handler: (ctx, { a }) =>\n'
              '  ctx.db.query("books").filter((q) => q.eq(q.field("author"), a)).collect() });\n',
              files={"convex/schema.ts": BOOKS}, settings={"select": ["CVX202", "CVX204"]},
              note="an index fits the filter: CVX202 reports it and its rewrite ends the scan"),
        Valid(SERVER + 'export const long = query({ args: { n: v.number() }, handler: (ctx, { n }) =>\n'
              '  ctx.db.query("books").filter((q) => q.eq(q.field("pages"), n)).first() });\n',
              files={"convex/schema.ts": BOOKS}, settings={"select": ["CVX202", "CVX204"]},
              note="no index fits, CVX202 names one to add (and warns of the scan): one finding, not two"),
        Valid(SERVER + 'export const one = query({ args: { id: v.id("books"), at: v.number() }, handler: async (ctx, { id, at }) => [\n'
              '  await ctx.db.query("books").filter((q) => q.eq(q.field("_id"), id)).first(),\n'
              '  await ctx.db.query("books").filter((q) => q.eq(q.field("_creationTime"), at)).first(),\n]});\n',
              files={"convex/schema.ts": BOOKS}, settings={"select": ["CVX202", "CVX204"]},
              note="system fields: CVX202 points to `db.get` and `by_creation_time`, the built-in lookups"),
        Valid(SERVER + 'import { QueryCtx } from "./_generated/server";\n'
              'const books = (ctx: QueryCtx) => ctx.db.query("books");\n'
              'const byAuthor = (ctx: QueryCtx, a: string) => ctx.db.query("books").withIndex("by_author", (q) => q.eq("author", a));\n'
              'export const mine = query({ args: { a: v.string() }, handler: async (ctx, { a }) => [\n'
              '  ...(await books(ctx).withIndex("by_author", (q) => q.eq("author", a)).collect()),\n'
              '  ...(await byAuthor(ctx, a).collect()),\n] });\n',
              files={"convex/schema.ts": BOOKS},
              note="a helper's bare query narrowed by the caller, and a helper that narrows it itself"),
    ]
    invalid = [
        # triage G58a aspects-vtt: Convex Ents reads (an Ents query is a promise of all its rows)
        Invalid(ENTS_SERVER + 'export const f = query({ args: {}, handler: async (ctx) => [\n'
                '  await ctx.table("pings"),\n  await ctx.table("rooms").map((r) => r.title),\n] });\n',
                files=ENTS_APP, lines=[4, 5], message="without an index reads the whole table"),
        Invalid(ENTS_SERVER + 'export const f = query({ args: { n: v.number() }, handler: async (ctx, { n }) =>\n'
                '  await ctx.table("pings").filter((q) => q.gt(q.field("x"), n)).first() });\n',
                files=ENTS_APP, lines=[4], message='`.filter` on `ctx.table("pings")` without an index'),
        Invalid(ENTS_SERVER + 'export const f = query({ args: { room: v.id("rooms") }, handler: async (ctx, { room }) =>\n'
                '  await ctx.table("pings").filter((q) => q.eq(q.field("roomId"), room)).take(5) });\n',
                files=ENTS_APP, lines=[4], message='`ctx.table("pings", "roomId", (q) => q.eq("roomId", room))`',
                note="the index `.edge(\"room\")` makes, named as Ents names it (triage G61c P4): no fix"),
        Invalid(ENTS_SERVER + 'export const f = query({ args: {}, handler: async (ctx) =>\n'
                '  await ctx.table("pings").order("desc", "by_at") });\n',
                files=ENTS_APP, lines=[4], message='reads the whole `by_at` index',
                note="`.order(dir, index)` is `withIndex(index).order(dir)`: the whole index"),
        Invalid(ENTS_SERVER + 'export const f = query({ args: {}, handler: async (ctx) =>\n'
                '  await ctx.table("pings", "by_at") });\n',
                files=ENTS_APP, lines=[4], message='`await ctx.table("pings", "by_at")` reads the whole `by_at` index'),
        Invalid(SERVER + 'import { byAuthor, anyAuthor, newest } from "./lib/books";\n'
                'export const f = query({ args: { a: v.string() }, handler: async (ctx, { a }) => [\n'
                '  await byAuthor(ctx, a).collect(),\n  await anyAuthor(ctx).collect(),\n'
                '  await newest(ctx).take(5),\n  await newest(ctx).collect(),\n] });\n',
                files={"convex/schema.ts": BOOKS, "convex/lib/books.ts":
                       'import { QueryCtx } from "../_generated/server";\n'
                       'export const byAuthor = (ctx: QueryCtx, a: string) =>\n'
                       '  ctx.db.query("books").withIndex("by_author", (q) => q.eq("author", a));\n'
                       'export const anyAuthor = (ctx: QueryCtx) => ctx.db.query("books").withIndex("by_author");\n'
                       'export function newest(ctx: QueryCtx) {\n  return ctx.db.query("books").order("desc");\n}\n'},
                lines=[6, 8],
                note="a helper's query with steps (an index, an order) goes on in the caller: reported there, by what "
                     "the whole chain reads"),
        Invalid(SERVER + 'export const all = query({ args: {}, handler: (ctx) => ctx.db.query("users").withIndex("by_score").collect() });\n',
                lines=[3], message="whole index; give it a range, or bound the read with `.take(n)`, `.first()` or `.paginate()`",
                note="`.fullTableScan()` is no advice here: only the query initializer has it, not `withIndex`'s result"),

        Invalid(SERVER + 'export const admin = query({ args: {}, handler: (ctx) =>\n'
                '  ctx.db.query("users").filter((q) => q.eq(q.field("role"), "admin")).first() });\n', lines=[4]),
        Invalid(SERVER + 'export const admins = query({ args: {}, handler: (ctx) =>\n  ctx.db.query("users")\n'
                '    .filter((q) => q.eq(q.field("role"), "admin")).collect() });\n', lines=[5], message="`.filter`",
                note="reported on the `.filter`, where an eslint-disable for the plugin's no-filter-in-query sits"),
        Invalid(SERVER + 'export const wipe = mutation({ args: {}, handler: async ({ db }) => {\n'
                '  const rows = await db.query("users").collect();\n'
                '  await Promise.all(rows.map((r) => db.delete("users", r._id)));\n}});\n', lines=[4]),
        Invalid(SERVER + 'export const byAuthor = query({ args: { a: v.string() }, handler: (ctx, { a }) =>\n'
                '  ctx.db.query("books").filter((q) => q.eq(q.field("author"), a)).collect() });\n',
                files={"convex/schema.ts": BOOKS}, lines=[4],
                note="CVX202 is off here: the scan is this rule's finding again"),
        Invalid(SERVER + 'export const thick = query({ args: { n: v.number() }, handler: (ctx, { n }) =>\n'
                '  ctx.db.query("books").filter((q) => q.gt(q.field("pages"), n)).collect() });\n',
                files={"convex/schema.ts": BOOKS}, settings={"select": ["CVX202", "CVX204"]}, lines=[4],
                note="a range no index holds: the scan stays this rule's finding with CVX202 on"),
        Invalid(SERVER + 'export const count = query({ args: {}, handler: async (ctx) => {\n  let n = 0;\n'
                '  for await (const b of ctx.db.query("books")) if (b.pages > 100) n++;\n  return n;\n}});\n',
                lines=[5], message="`for await` over `query(\"books\")` without an index reads the whole table",
                note="async iteration to the end reads every row, as `.collect()` does"),
        # triage G27 P6: the message names the loop the code writes
        Invalid(SERVER + 'export const count = query({ args: {}, handler: async (ctx) => {\n  let n = 0;\n'
                '  for (const b of ctx.db.query("books")) if (b.pages > 100) n++;\n  return n;\n}});\n',
                lines=[5], message="`for ... of` (to become `for await`) over `query(\"books\")` without an index",
                note="a plain `for ... of` throws (CVX603); made `for await`, it reads the whole table"),
        Invalid(SERVER + 'export const pages = query({ args: {}, handler: async (ctx) => {\n  let n = 0;\n'
                '  for await (const b of ctx.db.query("books").withIndex("by_author").order("desc")) {\n'
                '    for (const w of [1, 2]) { if (w > b.pages) break; }\n    n += b.pages;\n  }\n  return n;\n}});\n',
                lines=[5], message="then `for await` over it, reads the whole index",
                note="the `break` leaves the inner loop only"),
        # triage G36 P5: the query starts in a helper that returns it, and goes on in the caller
        Invalid(SERVER + 'import { books, allBooks } from "./lib/books";\n'
                'export const all = query({ args: {}, handler: (ctx) => books(ctx).collect() });\n'
                'export const thick = query({ args: { n: v.number() }, handler: async (ctx, { n }) => {\n'
                '  const first = await (await allBooks(ctx)).filter((q) => q.gt(q.field("pages"), n)).first();\n'
                '  return [first, await books(ctx).take(5), await books(ctx).collect()];\n}});\n',
                files={"convex/schema.ts": BOOKS, "convex/lib/books.ts":
                       'import { QueryCtx } from "../_generated/server";\n'
                       'export function books(ctx: QueryCtx) {\n  return ctx.db.query("books");\n}\n'
                       'export async function allBooks(ctx: QueryCtx) {\n  const q = ctx.db.query("books");\n  return q;\n}\n'},
                lines=[4, 6, 7], message="without an index",
                note="reported in the caller, once per call of the helper; `.take(5)` reads five rows"),
        # triage G60e P1: an index name that is no literal at `withIndex` is shown as the code has it
        Invalid(SERVER + 'const BY_AUTHOR = "by_author";\n'
                'export const all = query({ args: {}, handler: (ctx) =>\n'
                '  ctx.db.query("books").withIndex(BY_AUTHOR).collect() });\n',
                files={"convex/schema.ts": BOOKS}, lines=[5], message='`withIndex("by_author")` without a range',
                note="a constant: its name"),
        Invalid(SERVER + 'import { ordered } from "./lib/books";\n'
                'export const all = query({ args: {}, handler: (ctx) => ordered(ctx, { index: "by_author" }).collect() });\n',
                files={"convex/schema.ts": BOOKS, "convex/lib/books.ts":
                       'import { QueryCtx } from "../_generated/server";\n'
                       'export function ordered(ctx: QueryCtx, cfg: { index: "by_author" }) {\n'
                       '  return ctx.db.query("books").withIndex(cfg.index);\n}\n'},
                lines=[4], message="`withIndex(cfg.index)` without a range",
                note="a helper's parameter: the argument as written"),
    ]

    def check_app(self, ctx, app):
        seen: set[int] = set()
        uses = reported_queries(ctx, app)
        # filters CVX202 points to an existing index for: its rewrite ends the scan as well
        indexed = filters_cvx202_reports(ctx, app, uses)
        schema = app.schema
        for ch in [*uses.chains, *uses.continued]:  # a helper's query with its index goes on in callers
            if not ch.scans_whole_table:
                continue
            if indexed and any(id(f.node) in indexed for f in ch.filters):
                continue
            if ch.table and not ch.table.startswith("_") and schema is not None and schema.knows_table(ch.table) is False:
                continue  # no such table (a typo): CVX701 says so, and the query fails before it scans
            if names_missing_index(app, ch):
                continue  # no such index: CVX703 says so, and `withIndex` throws before the query reads
            table = f'"{ch.table}"' if ch.table else "..."
            at = ch.start
            if ch.index_call is None:
                if ch.filters_whole_table:
                    why = f"`.filter` on `query({table})` without an index reads rows until enough match, up to the whole table"
                    at = filter_anchor(ch.filters[0])
                elif ch.reads_whole_range and not ch.filters:
                    why = (f"`query({table}).collect()` without an index reads the whole table" if ch.terminal == "collect"
                           else f"{ch.loop_text} over `query({table})` without an index reads the whole table")
                else:
                    continue
            elif ch.reads_whole_range:  # an index without a range
                then = "`.collect()`" if ch.terminal == "collect" else f"{ch.loop_text} over it"
                # `.fullTableScan()` exists only on the query initializer, not after `withIndex`
                # (and would drop the index's order): the read can only be narrowed or bounded
                why = (f'`withIndex({_index_shown(ctx, ch)})` without a range, then {then}, reads the whole index; give it '
                       "a range, or bound the read with `.take(n)`, `.first()` or `.paginate()`")
            else:
                continue
            if id(ch.start) in seen:
                continue
            seen.add(id(ch.start))
            if ch.index_call is None:
                why += "; narrow it with an index range, or add `.fullTableScan()` if it is meant"
            ctx.report(ch.facts, at, why)
        for call in uses.ents_calls:  # Convex Ents: `await ctx.table("t")` reads every row
            if not call.scans_whole_table or not call.table or names_missing_index(app, call):
                continue
            if schema is not None and schema.knows_table(call.table) is False:
                continue
            if call.index is None and call.filters:
                ctx.report(call.facts, filter_anchor(call.filters[0]),
                           f'`.filter` on `ctx.table("{call.table}")` without an index reads rows until enough match, '
                           f"up to the whole table; narrow it with an index range (`{ents_range_advice(app, call)}`)")
            elif call.index is None:
                ctx.report(call.facts, call.node,
                           f"{call.read_text} without an index reads the whole table; narrow it with an index range "
                           "or bound the read with `.take(n)`, `.first()` or `.paginate()`")
            elif call.reads_whole_range:
                ctx.report(call.facts, call.node,
                           f'{call.read_text} reads the whole `{call.index}` index (no range); give it a range, or '
                           "bound the read with `.take(n)`, `.first()` or `.paginate()`")


def _index_shown(ctx, ch) -> str:
    """The index a chain's `withIndex` names, as its message shows it: the name, when the
    argument always holds one (a literal or a constant), else the argument as written (a
    helper's parameter, `cfg.index`), which the user can find in the code."""
    node = ch.index_name_node
    name = ch.index if ch.index is not None else ctx.project.linker.const_string(ch.source_facts, node)
    if name is not None:
        return f'"{name}"'
    return ch.source_facts.one_line(node, 40) if node is not None else "..."
