from cvxlint.rulekit import (Invalid, Rule, Severity, Valid, ents_range_advice, filter_anchor, filters_cvx202_reports,
                             names_missing_index, reported_queries)

from .common import ENTS_APP, ENTS_SERVER

SERVER = 'import { query, mutation } from "./_generated/server";\nimport { v } from "convex/values";\n'


class NoFilterInQuery(Rule):
    """`.filter(...)` on a database query.

    ## What it does
    Flags `.filter(q => ...)` on a `ctx.db.query(...)` chain — also on a query held in a
    variable (`let q = ctx.db.query("t"); q = q.filter(...)`), on `ctx` passed to helpers or
    destructured, and convex-helpers' `filter(query, predicate)`, which scans just the same.
    Array `.filter` on collected results is not a query filter and is left alone, and so are
    queries on `ctx.db.system` (`_storage`, `_scheduled_functions`): system tables take no
    index of the app's, and filtering in code after `.take(n)` would change the result.

    The finding is info instead of a warning when the query already narrows the rows with a
    `withIndex` range that has an `.eq`: the filter then only runs over that range. Queries
    ending in `.paginate()` are not flagged: filtering a paginated query keeps page sizes
    right, which is the documented exception. After a range that only bounds a field (no
    `.eq`), the message says so and names the index that would take the filter's equalities
    (them, then the bounded field). On a search query (`withSearchIndex`) the
    advice is the search's own filter (`q.search(...).eq(...)` on `filterFields`), since a
    search cannot take `withIndex`. A filter on a chain that throws before it reads
    (`.filter(...).withIndex(...)`: `withIndex` exists only on `ctx.db.query(...)`) is left to
    CVX211, which reports that chain, and one on an index the table lacks (`withIndex`
    throws before it reads) to CVX703.

    ## Why is this bad?
    `.filter` does not reduce the rows Convex reads: every row in the query's range is
    scanned and counts toward the read limits, and the query re-runs when any of them
    changes. An index range (or filtering in code, which costs the same and is clearer) is
    the better tool (https://docs.convex.dev/understanding/best-practices/#avoid-filter-on-database-queries).
    When an index of the schema fits the filter's equalities, or CVX202 names one to add for
    them, the finding is CVX202's (it names the index and offers the `withIndex` rewrite),
    and this rule says nothing more about that filter unless CVX202 is turned off. Likewise a filter on a query with no index
    at all is CVX204's finding (`no-full-table-scan`: it reads rows until enough pass, up to
    the whole table) while CVX204 is on; this rule then speaks of filters over an index range
    and of search filters. Convex Ents' `ctx.table("t", "byX", range).filter(...)` is read
    like its `withIndex(...).filter(...)` form, and `.order(dir, "byX").filter(...)` like
    `withIndex("byX").order(dir).filter(...)`.

    ## Example
    ```ts
    const books = await ctx.db.query("books").filter((q) => q.eq(q.field("author"), author)).collect();
    ```
    Use instead:
    ```ts
    const books = await ctx.db.query("books").withIndex("by_author", (q) => q.eq("author", author)).collect();
    ```
    """

    code = "CVX201"
    name = "no-filter-in-query"
    severity = Severity.WARNING
    summary = "`.filter()` on a database query (it scans every row of the range)"
    plugin_rules = ("no-filter-in-query",)

    valid = [
        Valid(ENTS_SERVER + 'export const f = query({ args: { n: v.number() }, handler: async (ctx, { n }) =>\n'
              '  await ctx.table("pings").filter((q) => q.gt(q.field("x"), n)).first() });\n',
              files=ENTS_APP, settings={"extend_select": ["CVX204"]},
              note="Convex Ents: a filter on the whole table is CVX204's finding while it is on"),
        # triage G47 P8: one bad index name got CVX703, CVX204 and CVX201
        Valid(SERVER + 'export const unread = query({ args: {}, handler: async (ctx) =>\n'
              '  await ctx.db.query("alerts").withIndex("by_isRead").filter((q) => q.eq(q.field("isRead"), false)).take(20) });\n',
              files={"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\n'
                     'import { v } from "convex/values";\nexport default defineSchema({\n'
                     '  alerts: defineTable({ isRead: v.boolean(), kind: v.string() }).index("by_kind", ["kind"]),\n});\n'},
              note="an index the table lacks: CVX703's finding, `withIndex` throws before the filter reads"),
        Valid('import { internalQuery } from "./_generated/server";\n'
              'export const pending = internalQuery({ args: {}, handler: (ctx) =>\n'
              '  ctx.db.system.query("_scheduled_functions").filter((q) => q.eq(q.field("state.kind"), "pending")).take(100) });\n',
              note="a system table: no index on `state.kind` can be added, and CVX203/CVX204 leave it alone too"),
        Valid(SERVER + 'export const byAuthor = query({ args: { a: v.string() }, handler: (ctx, { a }) =>\n'
              '  ctx.db.query("books").filter((q) => q.eq(q.field("author"), a)).collect() });\n',
              files={"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\n'
                     'import { v } from "convex/values";\nexport default defineSchema({\n'
                     '  books: defineTable({ author: v.string() }).index("by_author", ["author"]),\n});\n'},
              settings={"select": ["CVX201", "CVX202"]},
              note="an index fits the filter: CVX202 reports it (and rewrites it), once"),
        # triage G60d P1 (gs2's anomalies): not "filtering in code costs the same"
        Valid(SERVER + 'export const hour = query({ args: { a: v.number() }, handler: (ctx, { a }) =>\n'
              '  ctx.db.query("games").withIndex("by_finished", (q) => q.gte("finishedAt", a))\n'
              '    .filter((q) => q.lt(q.field("finishedAt"), a + 3600)).take(50) });\n',
              files={"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\n'
                     'import { v } from "convex/values";\nexport default defineSchema({\n'
                     '  games: defineTable({ finishedAt: v.number() }).index("by_finished", ["finishedAt"]),\n});\n'},
              settings={"select": ["CVX201", "CVX202"]},
              note="the filter bounds the range's field from the other side: the range can hold both bounds, "
                   "which CVX202 reports (and rewrites)"),
        Valid(SERVER + 'export const inPrint = query({ args: {}, handler: (ctx) =>\n'
              '  ctx.db.query("books").filter((q) => q.eq(q.field("inPrint"), true)).collect() });\n',
              files={"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\n'
                     'import { v } from "convex/values";\nexport default defineSchema({ books: defineTable({ inPrint: v.boolean() }) });\n'},
              settings={"select": ["CVX201", "CVX202"]},
              note="no index fits: CVX202 names one to add (and rewrites the query), once"),
        Valid(SERVER + 'export const thick = query({ args: { n: v.number() }, handler: (ctx, { n }) =>\n'
              '  ctx.db.query("books").filter((q) => q.gt(q.field("pages"), n)).first() });\n',
              settings={"select": ["CVX201", "CVX204"]},
              note="no index at all: CVX204 reports the scan, once"),
        Valid(SERVER + 'export const one = query({ args: { a: v.string(), t: v.string() }, handler: (ctx, x) =>\n'
              '  ctx.db.query("tags").withIndex("by_a", (q) => q.eq("a", x.a)).filter((q) => q.eq(q.field("t"), x.t)).first() });\n',
              files={"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
                     'export default defineSchema({ tags: defineTable({ a: v.string(), t: v.string() })\n'
                     '  .index("by_a", ["a"]).index("by_a_t", ["a", "t"]) });\n'},
              settings={"select": ["CVX201", "CVX202"]},
              note="CVX202 names the longer index that holds the filter too: one finding, not an info beside it"),
        Valid(SERVER + 'export const active = query({ args: { org: v.string() }, handler: (ctx, { org }) =>\n'
              '  ctx.db.query("crews").filter((q) => q.eq(q.field("org"), org))\n'
              '    .withIndex("by_active", (q) => q.eq("active", true)).collect() });\n',
              note="`withIndex` after `.filter` throws, so no range narrows anything: CVX211 reports the chain"),
        Valid(SERVER + 'export const list = query({ args: {}, handler: async (ctx) => {\n'
              '  const rows = await ctx.db.query("books").take(20);\n'
              '  return rows.filter((b) => b.inPrint);\n}});\n', note="array filter on results"),
        Valid(SERVER + 'import { paginationOptsValidator } from "convex/server";\n'
              'export const since = query({ args: { from: v.optional(v.number()), paginationOpts: paginationOptsValidator },\n'
              '  handler: async (ctx, args) => {\n    const base = ctx.db.query("books");\n'
              '    const q = args.from !== undefined ? base.filter((f) => f.gte(f.field("year"), args.from!)) : base;\n'
              '    return await q.paginate(args.paginationOpts);\n}});\n',
              note="a builder chosen by `?:`, then paginated"),
        Valid(SERVER + 'import { paginationOptsValidator } from "convex/server";\n'
              'export const page = query({ args: { paginationOpts: paginationOptsValidator, all: v.boolean() },\n'
              '  handler: async (ctx, { paginationOpts, all }) => {\n    let q;\n'
              '    if (!all) q = ctx.db.query("books").filter((f) => f.eq(f.field("inPrint"), true));\n'
              '    else q = ctx.db.query("books");\n    return await q.paginate(paginationOpts);\n  },\n});\n',
              note="paginated, through a variable each branch of an if assigns"),
        Valid(SERVER + 'import { paginationOptsValidator } from "convex/server";\n'
              'export const page = query({ args: { paginationOpts: paginationOptsValidator }, handler: async (ctx, args) =>\n'
              '  ctx.db.query("books").filter((q) => q.eq(q.field("inPrint"), true)).paginate(args.paginationOpts) });\n',
              note="filter with paginate is the documented exception"),
        Valid(SERVER + 'const db = { query: (t: string) => ({ filter: (f: unknown) => [] }) };\n'
              'export const other = () => db.query("x").filter(() => true);\n', note="not a Convex database"),
    ]
    invalid = [
        # triage G58a: a Convex Ents filter reads each row of the range it is given
        Invalid(ENTS_SERVER + 'export const f = query({ args: { room: v.id("rooms"), at: v.number() }, handler: async (ctx, a) => [\n'
                '  await ctx.table("pings", "roomId", (q) => q.eq("roomId", a.room)).filter((q) => q.gt(q.field("x"), 1)),\n'
                '  await ctx.table("pings", "by_at", (q) => q.gt("at", a.at)).filter((q) => q.gt(q.field("x"), 1)).first(),\n'
                '] });\n',
                files=ENTS_APP, lines=[4, 5], message="`.filter` on `ctx.table(\"pings\""),
        Invalid(ENTS_SERVER + 'export const f = query({ args: { room: v.id("rooms") }, handler: async (ctx, { room }) =>\n'
                '  await ctx.table("pings").order("desc", "by_at").filter((q) => q.eq(q.field("roomId"), room)).take(10) });\n',
                files=ENTS_APP, lines=[4], message="scans every row it reads",
                note="Ents' `.order(dir, index)` reads that index, as `withIndex(index).order(dir)` (jim's workouts, triage G61c P4); "
                     "with `.paginate()` it is left alone, as the `withIndex` form is"),
        Invalid(SERVER + 'import { byAuthor } from "./lib/books";\n'
                'export const f = query({ args: { a: v.string(), n: v.number() }, handler: (ctx, { a, n }) =>\n'
                '  byAuthor(ctx, a).filter((q) => q.gt(q.field("pages"), n)).collect() });\n',
                files={"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
                       'export default defineSchema({\n  books: defineTable({ author: v.string(), pages: v.number() })'
                       '.index("by_author", ["author"]),\n});\n',
                       "convex/lib/books.ts": 'import { QueryCtx } from "../_generated/server";\n'
                       'export const byAuthor = (ctx: QueryCtx, a: string) =>\n'
                       '  ctx.db.query("books").withIndex("by_author", (q) => q.eq("author", a));\n'},
                lines=[5], message="already narrows",
                note="the range a helper's query has, filtered in the caller"),
        Invalid(SERVER + 'export const find = query({ args: { text: v.string(), status: v.string() }, handler: (ctx, args) =>\n'
                '  ctx.db.query("clients").withSearchIndex("search_name", (q) => q.search("name", args.text))\n'
                '    .filter((q) => q.eq(q.field("status"), args.status)).take(20) });\n',
                lines=[5], message="into the search", note="a search query takes its filter in the search, not `withIndex`"),
        # triage G55c P5: the search step comes after the filter, so the filter is not on a search
        Invalid(SERVER + 'export const find = query({ args: { text: v.optional(v.string()), status: v.optional(v.string()) },\n'
                '  handler: async (ctx, args) => {\n    let q: any = ctx.db.query("clients");\n'
                '    if (args.status) q = q.filter((f: any) => f.eq(f.field("status"), args.status));\n'
                '    if (args.text) q = q.withSearchIndex("search_name", (s: any) => s.search("name", args.text));\n'
                '    return await q.take(20);\n  },\n});\n',
                lines=[6], message="scans every row it reads",
                note="a filter before a search step that may follow it: not \"on the search query\""),
        Invalid(SERVER + 'export const since = query({ args: { o: v.string(), to: v.optional(v.number()) }, handler: (ctx, { o, to }) =>\n'
                '  ctx.db.query("books").withIndex("by_org_at", (ix) => {\n    const eq = ix.eq("org", o);\n'
                '    if (to !== undefined) return eq.lte("at", to);\n    return eq;\n  })\n'
                '    .filter((f) => f.eq(f.field("inPrint"), true)).take(10) });\n',
                lines=[9], message="range already narrows", note="every path of the range starts with .eq: info"),
        # triage G51a claude-comms: the range kept in a `let` that branches only extend
        Invalid(SERVER + 'export const since = query({ args: { o: v.string(), to: v.optional(v.number()) }, handler: (ctx, { o, to }) =>\n'
                '  ctx.db.query("books").withIndex("by_org_at", (ix) => {\n    let range = ix.eq("org", o);\n'
                '    if (to !== undefined) range = range.lte("at", to);\n    return range;\n  })\n'
                '    .filter((f) => f.eq(f.field("inPrint"), true)).take(10) });\n',
                lines=[9], message="range already narrows", note="every path of the range starts with .eq: info"),
        Invalid(SERVER + 'export const since = query({ args: { o: v.string(), p: v.string() }, handler: (ctx, { o, p }) =>\n'
                '  ctx.db.query("books").withIndex("by_org_at", (ix) => {\n    let range = ix.eq("org", o);\n'
                '    if (p) range = ix.gte("at", 0);\n    return range;\n  })\n'
                '    .filter((f) => f.eq(f.field("inPrint"), true)).take(10) });\n',
                lines=[9], message="scans every row", note="a branch gives the `let` another range: no sure `.eq`"),
        Invalid(SERVER + 'export const one = query({ args: { e: v.string(), t: v.optional(v.string()) }, handler: (ctx, args) =>\n'
                '  ctx.db.query("messages").withIndex("by_e_t", (q) =>\n'
                '    args.t === undefined ? q.eq("e", args.e) : q.eq("e", args.e).eq("t", args.t))\n'
                '    .filter((f) => f.eq(f.field("status"), "ok")).first() });\n',
                lines=[6], message="range already narrows", note="a range chosen by `?:`, each side starting with .eq"),
        Invalid(SERVER + 'export const byAuthor = query({ args: { author: v.string() }, handler: async (ctx, { author }) => {\n'
                '  return await ctx.db.query("books").filter((q) => q.eq(q.field("author"), author)).collect();\n}});\n',
                lines=[4]),
        Invalid(SERVER + 'export const search = query({ args: { shelf: v.string(), min: v.number() }, handler: async ({ db }, args) => {\n'
                '  let q = db.query("books");\n'
                '  if (args.min > 0) q = q.filter((x) => x.gte(x.field("pages"), args.min));\n'
                '  return await q.take(10);\n}});\n',
                lines=[5], message="scans"),
        Invalid(SERVER + 'import { filter } from "convex-helpers/server/filter";\n'
                'export const long = query({ args: {}, handler: async (ctx) =>\n'
                '  filter(ctx.db.query("books"), (b) => b.title.length > 40).take(5) });\n',
                lines=[5]),
        Invalid(SERVER + 'import { countShelf } from "./lib/shelves";\n'
                'export const count = query({ args: { shelf: v.string() }, handler: async (ctx, { shelf }) => countShelf(ctx, shelf) });\n',
                files={"convex/lib/shelves.ts": 'export async function countShelf(ctx: any, shelf: string) {\n'
                       '  const rows = await ctx.db\n    .query("books")\n'
                       '    .withIndex("by_shelf", (q: any) => q.eq("shelf", shelf))\n'
                       '    .filter((q: any) => q.eq(q.field("inPrint"), true))\n    .collect();\n'
                       '  return rows.length;\n}\n'},
                path="convex/lib/shelves.ts", lines=[5], message="already narrows"),
        Invalid(SERVER + 'export const since = query({ args: { since: v.optional(v.number()) }, handler: (ctx, { since }) =>\n'
                '  ctx.db.query("games").withIndex("by_finished", (q) =>\n'
                '    since === undefined ? q.gte("finishedAt", 0) : q.gte("finishedAt", since))\n'
                '    .filter((q) => q.eq(q.field("ranked"), true)).take(50) });\n',
                lines=[6], message="the `by_finished` range only bounds `finishedAt` (no `.eq` before it), so every row "
                "within the bound is read and the filter still reads each of them; an index on `ranked` then `finishedAt`",
                note="a range with only a bound (wizard-duel's leaderboard): it exists, so no \"use `withIndex`\""),
        Invalid(SERVER + 'export const short = query({ args: { since: v.number() }, handler: (ctx, { since }) =>\n'
                '  ctx.db.query("games").withIndex("by_finished", (q) => q.gt("finishedAt", since))\n'
                '    .filter((q) => q.lt(q.field("moves"), 20)).take(50) });\n',
                lines=[5], message="only bounds `finishedAt` (no `.eq` before it), so every row within the bound is read "
                "and the filter still reads each of them; filtering in code costs the same",
                note="no index can take a second bound after the first"),
    ]

    def check_app(self, ctx, app):
        seen: dict[int, bool] = {}  # filter node -> some chain with it does not end in paginate
        found = {}
        uses = reported_queries(ctx, app)
        # filters CVX202 points to an existing index for: one finding per filter, not two
        indexed = filters_cvx202_reports(ctx, app, uses)
        # filters on a query no index narrows: CVX204 reports that scan (one finding per filter)
        scans = set()
        cvx204_on = "CVX204" in ctx.settings.enabled_codes()
        for ch in [*uses.chains, *uses.continued]:  # a helper's query with its index goes on in callers
            if ch.misplaced_source is not None:
                continue  # `.filter(...).withIndex(...)` throws before it reads a row: CVX211's finding
            if ch.system:
                continue  # `ctx.db.system.query("_scheduled_functions")`: no index of ours can exist (as CVX203/204)
            if names_missing_index(app, ch):
                continue  # `withIndex` on an index the table lacks throws before a row is read: CVX703's finding
            for f in ch.filters:
                key = id(f.node)
                found[key] = (ch, f)
                seen[key] = seen.get(key, False) or ch.terminal != "paginate"
                if cvx204_on and ch.filters_whole_table:
                    scans.add(key)
        for key, (ch, f) in found.items():
            if not seen[key] or key in indexed or key in scans:
                continue
            table = f'"{ch.table}"' if ch.table else "..."
            what = "convex-helpers `filter()`" if f.helper else "`.filter`"
            if ch.searches_before(f.node):
                # a search query cannot take `withIndex`; its own filter is the search filter
                ctx.report(ch.facts, filter_anchor(f),
                           f"{what} on the search query on `query({table})` checks each result it reads; "
                           "put equality tests on the search index's `filterFields` into the search "
                           "(`q.search(...).eq(\"field\", x)`), or filter the results in code")
            elif ch.index_call is not None and (ch.range_eqs or ch.range_sure_eqs) and not ch.index_conditional:
                ctx.report(ch.facts, filter_anchor(f),
                           f"{what} on `query({table})`: the `withIndex` range already narrows the rows; "
                           "the filter still reads each of them", severity=Severity.INFO)
            elif ch.index_call is not None and not ch.index_conditional and ch.range_bound_only is not None:
                # the range is there, so "use withIndex" misleads: say what it reads and what
                # index would take the filter (its equalities, then the bounded field)
                bound = ch.range_bound_only
                index = f"`{ch.index}` range" if ch.index else "`withIndex` range"
                eqs = list(dict.fromkeys(name for name, _node, _value in f.eqs or [] if name != bound))
                advice = ("an index on " + ", ".join(f"`{name}`" for name in eqs) + f" then `{bound}` would read "
                          "only the rows that pass, or filter in code") if eqs else "filtering in code costs the same"
                ctx.report(ch.facts, filter_anchor(f),
                           f"{what} on `query({table})`: the {index} only bounds `{bound}` (no `.eq` before it), so "
                           f"every row within the bound is read and the filter still reads each of them; {advice}")
            else:
                ctx.report(ch.facts, filter_anchor(f),
                           f"{what} on `query({table})` scans every row it reads; use an index range "
                           "(`withIndex`) or filter in code")
        for call in uses.ents_calls:  # Convex Ents: `ctx.table("t", "byX", range).filter(...)`
            if not call.filters or call.terminal == "paginate" or names_missing_index(app, call):
                continue
            if call.index is None and cvx204_on:
                continue  # a scan of the table: CVX204's finding
            if call.range and call.range_eqs:
                ctx.report(call.facts, filter_anchor(call.filters[0]),
                           f"`.filter` on `{call.shown}`: the index range already narrows the rows; "
                           "the filter still reads each of them", severity=Severity.INFO)
            else:
                ctx.report(call.facts, filter_anchor(call.filters[0]),
                           f"`.filter` on `{call.shown}` scans every row it reads; use an index range "
                           f"(`{ents_range_advice(app, call)}`) or filter in code")
