from cvxlint.project.queries import loop_around, mutually_exclusive
from cvxlint.rulekit import Fix, Invalid, Rule, Severity, Valid, js, line_of, reported_queries

SERVER = 'import { query } from "./_generated/server";\nimport { v } from "convex/values";\n'


class NoReusedQueryBuilder(Rule):
    """A query builder held in a variable and consumed twice, or chained in an order that throws.

    ## What it does
    Flags a variable holding a database query (after `withIndex`, `order`, `filter`, ...)
    that is chained or consumed in two places that can both run (`base.first()` and then
    `base.collect()`, `base.filter(a)` and `base.filter(b)`), or once inside a loop that runs
    it again. Reassigning the variable in sequence (`let q = ...; if (x) q = q.filter(...);
    await q.collect()`) is the normal way to build a query and is not flagged; neither are
    uses in exclusive branches, nor reuse of a bare `ctx.db.query("t")`, which starts a new
    query on every call (convex's `QueryInitializerImpl` keeps no state).

    Also flags `withIndex`, `withSearchIndex` or `fullTableScan` after another step of the
    query (`ctx.db.query("t").filter(...).withIndex(...)`): only `ctx.db.query(...)` itself
    has them. TypeScript accepts it after `.filter`, whose type is `this`.

    ## Why is this bad?
    A query can be chained or iterated only once: the second use throws "A query can only be
    chained once and can't be chained after iteration begins." or "Iteration can only begin
    on a query once." `.filter` or `.order` on `ctx.db.query(...)` returns a query that has
    no `withIndex`, so a `withIndex` after them throws "withIndex is not a function".

    ## Example
    ```ts
    const base = ctx.db.query("tasks").withIndex("by_owner", (q) => q.eq("owner", me));
    const first = await base.first();
    const all = await base.collect();
    ```
    Use instead:
    ```ts
    const tasks = () => ctx.db.query("tasks").withIndex("by_owner", (q) => q.eq("owner", me));
    const first = await tasks().first();
    const all = await tasks().collect();
    ```

    ## Fix safety
    A builder used twice has no fix: which query each use wanted is for its author to say.
    A `withIndex`, `withSearchIndex` or `fullTableScan` after `filter`/`order` steps of the
    same expression moves to right after `ctx.db.query(...)`, the steps keeping their order
    and layout (`.withSearchIndex` not past an `.order`: search results keep their relevance
    order and have none). The fix is unsafe: a query that threw on every call returns rows
    after it, and callers may have been written around the error.
    """

    code = "CVX211"
    name = "no-reused-query-builder"
    severity = Severity.ERROR
    fix_availability = "sometimes"
    summary = "Query builder chained or consumed twice, or `withIndex` after another step (runtime error)"

    valid = [
        Valid(SERVER + 'export const list = query({ args: { desc: v.boolean() }, handler: async (ctx, args) => {\n'
              '  let q = ctx.db.query("tasks").withIndex("by_owner", (r) => r.eq("owner", "me"));\n'
              '  if (args.desc) q = q.order("desc") as typeof q;\n  return await q.take(10);\n}});\n',
              note="a reassignment through a cast: `typeof q` is a type, not a use"),
        Valid(SERVER + 'export const pending = query({ args: {}, handler: async (ctx) => {\n'
              '  const q = ctx.db.query("jobs").withIndex("by_status", (r) => r.eq("status", "pending"));\n'
              '  if (typeof q.take === "function") return await q.take(10);\n  return await q.collect();\n}});\n',
              note="reading a property is no use of the query"),
        Valid(SERVER + 'export const list = query({ args: { done: v.optional(v.boolean()) }, handler: async (ctx, args) => {\n'
              '  let q = ctx.db.query("tasks");\n'
              '  if (args.done !== undefined) q = q.filter((f) => f.eq(f.field("done"), args.done));\n'
              '  return await q.collect();\n}});\n'),
        Valid(SERVER + 'export const one = query({ args: { all: v.boolean() }, handler: async (ctx, args) => {\n'
              '  const base = ctx.db.query("tasks");\n'
              '  if (!args.all) return await base.first();\n'
              '  return await base.collect();\n}});\n', note="only one use runs"),
        Valid(SERVER + 'export const early = query({ args: { one: v.boolean() }, handler: async (ctx, args) => {\n'
              '  const mine = ctx.db.query("tasks").withIndex("by_owner", (q) => q.eq("owner", "me"));\n'
              '  if (args.one) {\n    const first = await mine.first();\n    return first ? [first] : [];\n  }\n'
              '  return await mine.collect();\n}});\n', note="an early return ends the first path"),
        Valid(SERVER + 'export const perOwner = query({ args: { owners: v.array(v.string()) }, handler: async (ctx, { owners }) => {\n'
              '  const tasks = ctx.db.query("tasks");\n'
              '  const first = await tasks.first();\n'
              '  const mine = await Promise.all(owners.map((o) => tasks.withIndex("by_owner", (q) => q.eq("owner", o)).first()));\n'
              '  return { first, mine };\n}});\n', note="a bare query initializer can be reused"),
        # triage G55c P2: the `else` branch's `withIndex` was read as following the `if` branch's
        Valid(SERVER + 'export const mine = query({ args: { who: v.string(), open: v.boolean() }, handler: async (ctx, args) => {\n'
              '  let q;\n  if (args.open) {\n'
              '    q = ctx.db.query("tickets").withIndex("by_owner", (r) => r.eq("owner", args.who));\n'
              '  } else {\n    q = ctx.db.query("archive");\n'
              '    q = q.withIndex("by_owner", (r) => r.eq("owner", args.who));\n  }\n'
              '  return await q.take(10);\n}});\n',
              note="a variable each branch of an `if` gives its own query: the else's `withIndex` is on a fresh query"),
        Valid(SERVER + 'export const find = query({ args: { shop: v.optional(v.string()), text: v.optional(v.string()) },\n'
              '  handler: async (ctx, args) => {\n    let q: any = ctx.db.query("offers");\n'
              '    if (!args.text && args.shop) q = q.withIndex("by_shop", (r: any) => r.eq("shop", args.shop));\n'
              '    if (args.shop) q = q.filter((f: any) => f.neq(f.field("hidden"), true));\n'
              '    if (args.text) q = q.withSearchIndex("search_title", (s: any) => s.search("title", args.text));\n'
              '    return await q.take(20);\n  },\n});\n',
              note="an index and a search that may each not run: their conditions may exclude each other"),
    ]
    invalid = [
        Invalid(SERVER + 'export const both = query({ args: {}, handler: async (ctx) => {\n'
                '  const base = ctx.db.query("tasks").withIndex("by_owner", (q) => q.eq("owner", "me"));\n'
                '  const first = await base.first();\n  const all = await base.collect();\n'
                '  return { first, all };\n}});\n', lines=[6]),
        Invalid(SERVER + 'export const perOwner = query({ args: { owners: v.array(v.string()) }, handler: async (ctx, { owners }) => {\n'
                '  const newest = ctx.db.query("tasks").order("desc");\n'
                '  return await Promise.all(owners.map((o) => newest.filter((q) => q.eq(q.field("owner"), o)).first()));\n}});\n',
                lines=[5], message="loop"),
        Invalid(SERVER + 'export const active = query({ args: { org: v.string() }, handler: (ctx, { org }) =>\n'
                '  ctx.db.query("crews")\n    .filter((q) => q.eq(q.field("companyId"), org))\n'
                '    .withIndex("by_active", (q) => q.eq("isActive", true))\n    .collect() });\n',
                lines=[6], message='`.withIndex()` after `.filter()` throws at run time ("withIndex is not a function")',
                output=SERVER + 'export const active = query({ args: { org: v.string() }, handler: (ctx, { org }) =>\n'
                '  ctx.db.query("crews")\n    .withIndex("by_active", (q) => q.eq("isActive", true))\n'
                '    .filter((q) => q.eq(q.field("companyId"), org))\n    .collect() });\n',
                note="web-treeshop-app's crews.ts: TypeScript accepts it, since `.filter` returns `this`"),
        Invalid(SERVER + 'export const latest = query({ args: { org: v.string() }, handler: (ctx, { org }) =>\n'
                '  ctx.db.query("crews").order("desc").filter((q) => q.eq(q.field("companyId"), org)).fullTableScan().take(5) });\n',
                lines=[4], message="`.fullTableScan()` after `.filter()`",
                output=SERVER + 'export const latest = query({ args: { org: v.string() }, handler: (ctx, { org }) =>\n'
                '  ctx.db.query("crews").fullTableScan().order("desc").filter((q) => q.eq(q.field("companyId"), org)).take(5) });\n',
                note="every step before it moves after it, in its order"),
        Invalid(SERVER + 'export const find = query({ args: { text: v.string() }, handler: (ctx, { text }) =>\n'
                '  ctx.db.query("posts").order("desc").withSearchIndex("search_body", (q) => q.search("body", text)).take(5) });\n',
                lines=[4], message="`.withSearchIndex()` after `.order()`",
                note="no fix: search results have no `order`"),
        Invalid(SERVER + 'export const recent = query({ args: {}, handler: async (ctx) => {\n'
                '  let q: any = ctx.db.query("crews").order("desc");\n'
                '  q = q.withIndex("by_active", (r: any) => r.eq("isActive", true));\n  return await q.take(5);\n}});\n',
                lines=[5], message="only `ctx.db.query(...)` itself has `withIndex`"),
        # triage G55c P5 (tuca-noronha's packageProposals): a conditional step between them hid it
        Invalid(SERVER + 'export const find = query({ args: { shop: v.string(), open: v.optional(v.boolean()), text: v.optional(v.string()) },\n'
                '  handler: async (ctx, args) => {\n'
                '    let q: any = ctx.db.query("offers").withIndex("by_shop", (r) => r.eq("shop", args.shop));\n'
                '    if (args.open !== undefined) q = q.filter((f: any) => f.eq(f.field("open"), args.open));\n'
                '    if (args.text) q = q.withSearchIndex("search_title", (s: any) => s.search("title", args.text));\n'
                '    return await q.take(20);\n  },\n});\n',
                lines=[7], message="`.withSearchIndex()` after `.withIndex()`",
                note="the search follows the `withIndex` whenever it runs, whichever filters run between them"),
    ]

    def check_app(self, ctx, app):
        done: set[int] = set()
        misplaced: set[int] = set()
        for ch in reported_queries(ctx, app).chains:
            wrong = ch.misplaced_source
            if wrong is not None and id(wrong[0].node) not in misplaced:
                misplaced.add(id(wrong[0].node))
                step, prev = wrong
                ctx.report(ch.facts, js.method_anchor(step.node),
                           f'`.{step.method}()` after `.{prev.method}()` throws at run time ("{step.method} is not a '
                           f'function"): only `ctx.db.query(...)` itself has `{step.method}`; call it right after '
                           "`query(...)`, before the other steps", fix=self._source_first(ctx, ch, step))
            uses = ch.builder_uses
            if not uses or id(uses[0]) in done or ch.builder_steps == 0:
                continue  # a bare `ctx.db.query("t")` is stateless: each use starts a new query
            done.add(id(uses[0]))
            facts = ch.facts
            for i, u in enumerate(uses):
                earlier = next((p for p in uses[:i] if not mutually_exclusive(p, u)), None)
                if earlier is not None:
                    ctx.report(facts, u, f"query builder `{ch.binding}` is used again here after line "
                               f"{line_of(facts, earlier)}; a query can "
                               "be chained or iterated only once (build a new one, e.g. with a function)",
                               related=[ctx.related(facts, earlier, "first use")])
                    continue
                decl_fn = js.enclosing_function(ch.start)
                loop = loop_around(u, decl_fn, facts)
                if loop is not None and not (loop.start <= ch.start.start < loop.end):
                    ctx.report(facts, u, f"query builder `{ch.binding}` is consumed inside a loop or callback that runs "
                               "more than once; a query can be chained or iterated only once")

    @staticmethod
    def _source_first(ctx, ch, source) -> "Fix | None":
        """Move a misplaced `withIndex`/`withSearchIndex`/`fullTableScan` right after
        `ctx.db.query(...)`, when the steps before it are `filter`/`order` calls of one
        expression: `q.filter(f).withIndex(i)` becomes `q.withIndex(i).filter(f)`. Each step
        moves with the line break and indent before its dot, so a multi-line chain keeps its
        layout. Not past an `order` for `withSearchIndex`: search results have no `order`.
        Unsafe: the query that threw on every call now returns rows."""
        steps = ch.steps[:ch.steps.index(source) + 1]
        inner = ch.call.node
        for step in steps:
            callee = js.callee(step.node)
            if step.conditional or callee is None or callee.type != "member_expression" \
                    or js.unwrap(callee.child("object")) is not inner:
                return None  # a step through a variable or a wrapper: no single expression to reorder
            inner = step.node
        between = steps[:-1]
        if not between or any(s.method not in ("filter", "order") for s in between) \
                or (source.method == "withSearchIndex" and any(s.method == "order" for s in between)):
            return None
        facts = ch.facts
        moved = facts.text((between[-1].node.end, source.node.end))
        rest = facts.text((ch.call.node.end, between[-1].node.end))
        return Fix.unsafe(f"Call `.{source.method}()` right after `query(...)`",
                          ctx.edit(facts, (ch.call.node.end, source.node.end), moved + rest))
