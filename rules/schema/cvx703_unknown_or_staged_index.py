from cvxlint.project.schema import BUILTIN_INDEXES
from cvxlint.rulekit import Fix, Invalid, Rule, Severity, Valid, chains_on_schema_tables, js, reported_queries

from .cvx701_unknown_table import closest

SERVER = 'import { query, action } from "./_generated/server";\nimport { v } from "convex/values";\n'
SCHEMA = ('import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
          'export default defineSchema({\n'
          '  messages: defineTable({ channel: v.string(), body: v.string(), embedding: v.array(v.float64()) })\n'
          '    .index("by_channel", ["channel"])\n'
          '    .index("by_body", { fields: ["body"], staged: true })\n'
          '    .searchIndex("search_body", { searchField: "body" })\n'
          '    .vectorIndex("by_embedding", { vectorField: "embedding", dimensions: 3 }),\n});\n')


def _suggest(ctx, facts, node, name, names):
    guess = closest(name, [n for n in names if n])
    if guess is None:
        return "", None
    return f'; did you mean "{guess}"?', Fix.display_only(f'Use "{guess}"', ctx.edit(facts, node, f'"{guess}"'))


class UnknownOrStagedIndex(Rule):
    """An index name that the table does not have, or that is still staged.

    ## What it does
    Flags `withIndex("name")` when the table has no such index (and it is not the built-in
    `by_creation_time` or `by_id`) or the index is declared `staged: true`;
    `withSearchIndex` on a name that is not a (non-staged) search index; and
    `ctx.vectorSearch("t", "name", ...)` on a name that is not a vector index. Index names
    held in variables and tables whose indexes cvxlint cannot all read are skipped.

    ## Why is this bad?
    An unknown index throws at run time; a staged index cannot be queried until `staged` is
    removed (https://docs.convex.dev/database/reading-data/indexes/#staged-indexes).

    ## Example
    ```ts
    ctx.db.query("messages").withIndex("by_chanel", (q) => q.eq("channel", c))
    ```
    Use instead:
    ```ts
    ctx.db.query("messages").withIndex("by_channel", (q) => q.eq("channel", c))
    ```

    ## Fix safety
    The nearest index name is only a suggestion.
    """

    code = "CVX703"
    name = "unknown-or-staged-index"
    severity = Severity.ERROR
    summary = "`withIndex`/`withSearchIndex`/`vectorSearch` on an unknown or staged index"
    fix_availability = "sometimes"

    valid = [
        Valid(SERVER + 'export const f = query({ args: {}, handler: (ctx) =>\n'
              '  ctx.db.query("messages").withIndex("by_creation_time").order("desc").take(5) });\n',
              files={"convex/schema.ts": SCHEMA}),
        Valid(SERVER + 'export const f = action({ args: {}, handler: (ctx) =>\n'
              '  ctx.vectorSearch("messages", "by_embedding", { vector: [1, 2, 3] }) });\n',
              files={"convex/schema.ts": SCHEMA}),
    ]
    invalid = [
        Invalid('import { query, QueryCtx } from "./_generated/server";\nimport { v } from "convex/values";\n'
                'async function latest({ ctx, c }: { ctx: QueryCtx; c: string }) {\n'
                '  return await ctx.db.query("messages").withIndex("by_chanel", (q) => q.eq("channel", c)).take(5);\n}\n'
                'export const f = query({ args: { c: v.string() }, handler: (ctx, { c }) => latest({ ctx, c }) });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[4], message="by_channel",
                note="a helper taking the ctx inside one object parameter"),
        Invalid(SERVER + 'export const f = query({ args: { c: v.string() }, handler: (ctx, { c }) =>\n'
                '  ctx.db.query("messages").withIndex("by_chanel", (q) => q.eq("channel", c)).take(5) });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[4], message="by_channel"),
        Invalid(SERVER + 'export const f = query({ args: { b: v.string() }, handler: (ctx, { b }) =>\n'
                '  ctx.db.query("messages").withIndex("by_body", (q) => q.eq("body", b)).take(5) });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[4], message="staged"),
        Invalid(SERVER + 'export const f = query({ args: { b: v.string() }, handler: (ctx, { b }) =>\n'
                '  ctx.db.query("messages").withSearchIndex("by_channel", (q) => q.search("body", b)).take(5) });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[4], message="not a search index"),
        Invalid(SERVER + 'export const f = query({ args: { c: v.optional(v.string()) }, handler: async (ctx, { c }) => {\n'
                '  let q: any = ctx.db.query("messages");\n'
                '  if (c) q = q.withIndex("by_chanel", (r: any) => r.eq("channel", c));\n'
                '  else q = q.withIndex("by_creation_time");\n'
                '  return await q.take(5);\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[5], message="by_channel",
                note="the index of one branch of a reassigned builder, not only the last `withIndex` written"),
    ]

    def check_app(self, ctx, app):
        schema = app.schema
        if schema is None or not schema.readable:
            return
        seen: set[int] = set()
        for ch, table in chains_on_schema_tables(ctx, app):
            if ch.system:
                continue
            if ch.index is not None and id(ch.index_call) not in seen:
                seen.add(id(ch.index_call))
                self._db_index(ctx, ch, table)
            if ch.search_index is not None and id(ch.search_call) not in seen:
                seen.add(id(ch.search_call))
                self._named(ctx, ch.facts, js.call_args(ch.search_call)[0], table, ch.search_index, "search")
        for call in reported_queries(ctx, app).calls:
            if call.method != "vectorSearch" or call.table is None or len(call.args) < 2:
                continue
            table = schema.table(call.table)
            name = js.string_value(call.args[1])
            if table is not None and name is not None:
                self._named(ctx, call.facts, call.args[1], table, name, "vector")

    def _db_index(self, ctx, ch, table):
        name = ch.index
        if name in BUILTIN_INDEXES:
            return
        idx = table.index(name)
        node = ch.index_name_node
        if idx is not None:
            if idx.staged:
                ctx.report(ch.facts, node, f'index "{name}" on `{table.name}` is staged: it cannot be queried until '
                           "`staged: true` is removed from schema.ts",
                           related=[ctx.related(idx.facts, idx.name_node or idx.node, "staged here")] if not table.external else [])
            return
        if not table.indexes_complete:
            return
        other = table.search_index(name) or table.vector_index(name)
        if other is not None:
            ctx.report(ch.facts, node, f'"{name}" is a {other.kind} index on `{table.name}`, not a database index; '
                       + ("use `withSearchIndex`" if other.kind == "search" else "use `ctx.vectorSearch` in an action"))
            return
        names = [i.name for i in table.indexes if not i.staged] + list(BUILTIN_INDEXES)
        hint, fix = _suggest(ctx, ch.facts, node, name, names)
        ctx.report(ch.facts, node, f'table `{table.name}` has no index "{name}"{hint}', fix=fix)

    def _named(self, ctx, facts, node, table, name, kind):
        idx = table.search_index(name) if kind == "search" else table.vector_index(name)
        if idx is not None:
            if idx.staged:
                ctx.report(facts, node, f'{kind} index "{name}" on `{table.name}` is staged and cannot be queried yet')
            return
        if not table.indexes_complete:
            return
        pool = table.search_indexes if kind == "search" else table.vector_indexes
        names = [i.name for i in pool if not i.staged]
        hint, fix = _suggest(ctx, facts, node, name, names)
        what = "search index" if kind == "search" else "vector index"
        ctx.report(facts, node, f'"{name}" is not a {what} of `{table.name}`{hint}', fix=fix)
