from cvxlint.project.schema import BUILTIN_INDEXES
from cvxlint.rulekit import Fix, Invalid, Rule, Severity, Valid, chains_on_schema_tables, js, reported_queries

from ..examples import SECOND_DB, SECOND_DB_PG
from .cvx701_unknown_table import ENTS_FILES, ENTS_SERVER, closest
from .cvx707_unknown_field import OWN_USERS, SIGN_IN

SERVER = 'import { query, action } from "./_generated/server";\nimport { v } from "convex/values";\n'
SCHEMA = ('import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
          'export default defineSchema({\n'
          '  messages: defineTable({ channel: v.string(), body: v.string(), embedding: v.array(v.float64()) })\n'
          '    .index("by_channel", ["channel"])\n'
          '    .index("by_body", { fields: ["body"], staged: true })\n'
          '    .searchIndex("search_body", { searchField: "body" })\n'
          '    .vectorIndex("by_embedding", { vectorField: "embedding", dimensions: 3 }),\n});\n')

ALERTS = ('import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
          'export default defineSchema({\n'
          '  alerts: defineTable({ isRead: v.boolean(), channel: v.string(), kind: v.string(), at: v.number() })\n'
          '    .index("by_channel", ["channel", "at"])\n'
          '    .index("by_read_status", ["isRead"])\n'
          '    .index("by_read_and_time", ["isRead", "at"])\n'
          '    .index("by_channel_read", ["channel", "isRead", "at"]),\n});\n')


def _suggest(ctx, facts, node, name, names, table=None, chain=None):
    guess, why = closest(name, [n for n in names if n]), ""
    fitting = _fitting_range(table, chain) if table is not None and chain is not None else None
    if fitting is not None and guess not in fitting[0]:
        # a close name over other fields would make the range throw (`by_chat_and_thread` for
        # a range on `chatId`, `isActive`): an index the range fits, closest-named first
        names_fit, fields = fitting
        guess = closest(name, names_fit) or next(iter(names_fit), None)
        why = f" (its fields start with {_listed(fields)}, as this range)" if guess else ""
    elif guess is None and table is not None and chain is not None:
        guess, why = _index_on_queried_fields(table, chain)
    if guess is None:
        return "", None
    return f'; did you mean "{guess}"{why}?', Fix.display_only(f'Use "{guess}"', ctx.edit(facts, node, f'"{guess}"'))


def _index_on_queried_fields(table, chain) -> tuple[str | None, str]:
    """An index of the table for the fields the query narrows on, when its name is like none:
    one whose fields start with the range's (`withIndex("by_x", (q) => q.eq("a", ..))`), or,
    with no range, one that starts with fields the `.filter` tests for equality (most of
    them first; the first declared among equals), and the words saying why."""
    indexes = [i for i in table.indexes if not i.staged and i.certain and i.name and i.fields]
    if chain.range:
        fields = [op.field for op in chain.range]
        if any(f is None for f in fields):
            return None, ""
        fit = next((i for i in indexes if i.fields[:len(fields)] == fields), None)
        return (fit.name, f" (its fields start with {_listed(fields)}, as this range)") if fit else (None, "")
    if chain.range is not None:
        return None, ""  # an empty range function
    tested = {name for f in chain.filters for name, _node, _value in f.eqs or (f.bounded[0] if f.bounded else ())}
    best, best_len = None, 0
    for i in indexes:
        n = next((k for k, f in enumerate(i.fields) if f not in tested), len(i.fields))
        if n > best_len:
            best, best_len = i, n
    if best is None:
        return None, ""
    return best.name, f" (on {_listed(best.fields[:best_len])}, which this query filters on)"


def _fitting_range(table, chain) -> tuple[list[str], list[str]] | None:
    """The indexes of the table (built-in ones too) whose fields start with those of the
    query's range, and those fields; None when the range cannot be read or an index's fields
    cannot be (a close name may fit it). Each index ends in `_creationTime`, as Convex adds it."""
    fields = [op.field for op in chain.range] if chain.range else []
    if not fields or any(f is None for f in fields) or not table.indexes_complete \
            or any(not i.staged and not i.certain for i in table.indexes):
        return None
    indexes = [(i.name, list(i.fields)) for i in table.indexes if not i.staged and i.name and i.fields]
    indexes += [(n, list(f)) for n, f in BUILTIN_INDEXES.items()]
    return [n for n, f in indexes if (f + ["_creationTime"])[:len(fields)] == fields], fields


def _listed(fields) -> str:
    return ", ".join(f"`{f}`" for f in fields)


class UnknownOrStagedIndex(Rule):
    """An index name that the table does not have, or that is still staged.

    ## What it does
    Flags `withIndex("name")` when the table has no such index (and it is not the built-in
    `by_creation_time` or `by_id`) or the index is declared `staged: true`;
    `withSearchIndex` on a name that is not a (non-staged) search index; and
    `ctx.vectorSearch("t", "name", ...)` on a name that is not a vector index. The same for
    Convex Ents: `ctx.table("t", "name", ...)`, `.get("name", value)` (and `getX`, `getMany`,
    `getManyX`), `.order("desc", "name")` and `.search("name", ...)` on `ctx.table("t")`; the
    indexes Ents itself makes (an `.edge("user")`'s `userId`, a unique `.field`) count. The
    same for the index convex-helpers' relationship helpers are given
    (`getOneFrom/getManyFrom(db, "t", "name", value)`, `getManyVia(db, "join", field, "name",
    value)`: an index of the join table). Also an app's own `users` table (replacing Convex
    Auth's) without the index the library's default `createOrUpdateUser` queries for one of
    the app's providers: "email" for Google, GitHub and email codes, "phone" for `Phone`. Index
    names held in variables and tables whose indexes cvxlint cannot all read are skipped.
    The message suggests the index whose name is closest; when no name is close, an index
    over the fields the query narrows on: its fields start with those of the range, or with
    no range, with fields the `.filter` tests for equality (`withIndex("by_isRead").filter(
    (q) => q.eq(q.field("isRead"), false))` on a table with `by_read_status: ["isRead"]`).

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
    The suggested index name is only a suggestion.
    """

    code = "CVX703"
    name = "unknown-or-staged-index"
    severity = Severity.ERROR
    summary = "`withIndex`/`withSearchIndex`/`vectorSearch` on an unknown or staged index"
    fix_availability = "sometimes"

    valid = [
        Valid(OWN_USERS, path="convex/schema.ts", files={"convex/auth.ts": SIGN_IN.replace("[Password, GitHub]", "[Password]")},
              note="`Password` without `verify` links no user by email"),
        Valid(OWN_USERS, path="convex/schema.ts", files={"convex/auth.ts": SIGN_IN.replace(
                  "GitHub]", "GitHub({ allowDangerousEmailAccountLinking: false })]")},
              note="an OAuth email taken as unverified is never looked up"),
        Valid(SERVER + 'import { getManyFrom, getOneFrom } from "convex-helpers/server/relationships";\n'
              'const BY = "by_chanel";\n'
              'export const f = query({ args: { id: v.id("messages"), i: v.string() }, handler: async (ctx, { id, i }) => [\n'
              '  await getOneFrom(ctx.db, "messages", "by_id", id, "_id"),\n'
              '  await getManyFrom(ctx.db, "messages", "by_creation_time", 0, "_creationTime"),\n'
              '  await getManyFrom(ctx.db, "messages", i as any, 0),\n'
              '  await getManyFrom(ctx.db, "archive", "by_chanel", 0),\n'
              '  await getManyFrom(ctx.db, "messages", "by_channel", "general"),\n'
              '  await getManyFrom(ctx.db, "messages", "channel", "general"),\n]});\n',
              files={"convex/schema.ts": SCHEMA},
              note="the built-in indexes through a relationship helper; a computed name; a table the schema lacks "
                   "(CVX701's); a field whose `by_` index convex-helpers before 0.1.9 queried"),
        Valid(SERVER + 'export const f = query({ args: {}, handler: (ctx) =>\n'
              '  ctx.db.query("messages").withIndex("by_creation_time").order("desc").take(5) });\n',
              files={"convex/schema.ts": SCHEMA}),
        Valid(SERVER + 'export const f = action({ args: {}, handler: (ctx) =>\n'
              '  ctx.vectorSearch("messages", "by_embedding", { vector: [1, 2, 3] }) });\n',
              files={"convex/schema.ts": SCHEMA}),
        Valid(ENTS_SERVER + 'export const byCook = query({ args: { cook: v.id("cooks") }, handler: async (ctx, { cook }) => {\n'
              '  const chef = await ctx.table("cooks").getX(cook);\n'
              '  const same = await ctx.table("cooks").get("handle", chef.handle);\n'
              '  return [same, await ctx.table("recipes", "cookId", (q) => q.eq("cookId", cook)).take(20)];\n}});\n',
              files=ENTS_FILES, note="Convex Ents: the index an `.edge` makes and a unique `.field`'s index"),
        # triage G55c P1 (tuca-noronha): the `else` branch's reads were taken for the `if` branch's builder
        Valid(SERVER + 'export const listing = query({ args: { crew: v.optional(v.string()), boats: v.boolean() },\n'
              '  handler: async (ctx, args) => {\n    let rows: any;\n    if (args.boats) {\n'
              '      rows = ctx.db.query("boats");\n'
              '      if (args.crew) rows = rows.withIndex("by_captain", (q: any) => q.eq("captain", args.crew));\n'
              '    } else {\n      rows = ctx.db.query("tours");\n'
              '      if (args.crew) rows = rows.withIndex("by_guide", (q: any) => q.eq("guide", args.crew));\n'
              '      rows = rows.filter((q: any) => q.eq(q.field("open"), true));\n    }\n'
              '    return await rows.take(10);\n  },\n});\n',
              files={"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\n'
                     'import { v } from "convex/values";\nexport default defineSchema({\n'
                     '  boats: defineTable({ captain: v.string() }).index("by_captain", ["captain"]),\n'
                     '  tours: defineTable({ guide: v.string(), open: v.boolean() }).index("by_guide", ["guide"]),\n});\n'},
              settings={"select": ["CVX703", "CVX707", "CVX211"]},
              note="a builder variable each branch of an `if` starts on its own table: each branch's steps are its own"),
    ]
    invalid = [
        Invalid(OWN_USERS, path="convex/schema.ts", files={"convex/auth.ts": SIGN_IN}, lines=[6],
                message='queries `users` by index "email" when someone signs in through `GitHub`',
                note="the override keeps `by_email`, not the library's `email` (triage G56c P4)"),
        # triage G55a P5: convex-helpers' relationship helpers name the index they query through
        Invalid(SERVER + 'import { getManyFrom, getManyVia, getOneFrom } from "convex-helpers/server/relationships";\n'
                'export const f = query({ args: { c: v.string() }, handler: async (ctx, { c }) => [\n'
                '  await getOneFrom(ctx.db, "messages", "by_chanel", c, "channel"),\n'
                '  await getManyFrom(ctx.db, "messages", "search_body", c, "body"),\n'
                '  await getManyVia(ctx.db, "messages", "author", "by_author", c),\n]});\n',
                files={"convex/schema.ts": SCHEMA.replace('embedding: v.array(v.float64()) }', 'embedding: v.array(v.float64()), author: v.id("users") }')
                       .replace('\n});', '\n  users: defineTable({ name: v.string() }),\n});')},
                lines=[5, 6, 7], note="getManyVia queries the join table's index"),
        # triage G47 P8: no index is named like "by_isRead", but one is on the filtered field
        Invalid(SERVER + 'export const f = query({ args: {}, handler: async (ctx) =>\n'
                '  await ctx.db.query("alerts").withIndex("by_isRead").filter((q) => q.eq(q.field("isRead"), false)).take(5) });\n',
                files={"convex/schema.ts": ALERTS}, lines=[4],
                message='did you mean "by_read_status" (on `isRead`, which this query filters on)?'),
        Invalid(SERVER + 'export const f = query({ args: { c: v.string() }, handler: async (ctx, { c }) =>\n'
                '  await ctx.db.query("alerts").withIndex("unread_in", (q) => q.eq("channel", c).eq("isRead", false)).take(5) });\n',
                files={"convex/schema.ts": ALERTS}, lines=[4], message='did you mean "by_channel_read"',
                note="the first index whose fields start with the range's"),
        Invalid(SERVER + 'export const f = query({ args: { c: v.string() }, handler: async (ctx, { c }) =>\n'
                '  await ctx.db.query("alerts").withIndex("by_read_and_times", (q) => q.eq("channel", c).eq("isRead", false)).take(5) });\n',
                files={"convex/schema.ts": ALERTS}, lines=[4],
                message='did you mean "by_channel_read" (its fields start with `channel`, `isRead`, as this range)?',
                note="a close name over other fields (`by_read_and_time`) would make the range throw"),
        Invalid(ENTS_SERVER + 'export const f = query({ args: { c: v.string(), h: v.string() }, handler: async (ctx, a) => [\n'
                '  await ctx.table("recipes", "byCuisin", (q) => q.eq("cuisine", a.c)).take(5),\n'
                '  await ctx.table("cooks").get("handel", a.h),\n'
                '  await ctx.table("recipes").order("desc", "byCuisine").take(5),\n]});\n',
                files=ENTS_FILES, lines=[4, 5], message="has no index",
                note="Convex Ents: the index of `ctx.table(t, index, range)` and of `.get(index, value)`"),
        Invalid(ENTS_SERVER + 'export const f = query({ args: { t: v.string() }, handler: (ctx, { t }) =>\n'
                '  ctx.table("recipes").search("byCuisine", (q) => q.search("title", t)).take(5) });\n',
                files=ENTS_FILES, lines=[4], message='"byCuisine" is not a search index of `recipes`',
                note="Convex Ents' `.search(index, filter)`"),
        Invalid(ENTS_SERVER + 'export const f = query({ args: { c: v.string() }, handler: (ctx, { c }) =>\n'
                '  ctx.table("recipes", "byCuisin", (q) => q.eq("cuisine", c)).take(5) });\n',
                files={**ENTS_FILES, "convex/schema.ts": ENTS_FILES["convex/schema.ts"].replace(
                    'defineEnt({ title: v.string(), cuisine: v.string() }).edge("cook")\n    .index("byCuisine", ["cuisine"])',
                    'defineEntFromTable(defineTable({ title: v.string(), cuisine: v.string() })\n'
                    '    .index("byCuisine", ["cuisine"])).edge("cook")').replace(
                    'import { defineEnt, ', 'import { defineTable } from "convex/server";\nimport { defineEnt, defineEntFromTable, ')},
                lines=[4], message='did you mean "byCuisine"',
                note="an ent made from a plain table (`defineEntFromTable`) has that table's indexes"),
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
        # triage G55a P4: the raw database a row-level-security builder keeps as `ctx.rawDb`
        Invalid('import { ownerQuery } from "./builders";\n'
                'export const recent = ownerQuery({ args: {}, handler: (ctx) =>\n'
                '  ctx.rawDb.query("messages").withIndex("by_chanel", (q) => q.eq("channel", "x")).take(5) });\n',
                files={"convex/schema.ts": SCHEMA, "convex/builders.ts": SECOND_DB, "convex/pg.ts": SECOND_DB_PG},
                lines=[3], message='has no index "by_chanel"'),
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
                self._db_index(ctx, ch.facts, ch.index_name_node, ch.index, table, chain=ch)
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
        for ent in reported_queries(ctx, app).ents_calls:
            table = schema.table(ent.table) if ent.table else None
            if table is None:
                continue
            if ent.index is not None:
                self._db_index(ctx, ent.facts, ent.index_name_node, ent.index, table, search_hint="use `.search`")
            if ent.search_index is not None:
                self._named(ctx, ent.facts, js.call_args(ent.search_call)[0], table, ent.search_index, "search")
        self._library_user_indexes(ctx, app)
        # convex-helpers' `getManyFrom(ctx.db, "t", "by_x", value)` and the like query `t`
        # through the index they name (getManyVia: the join table's)
        for rel in reported_queries(ctx, app).relationship_calls:
            table = schema.table(rel.table) if rel.table is not None else None
            if table is None or rel.index is None:
                continue
            if table.index(rel.index) is None and table.index("by_" + rel.index) is not None:
                continue  # convex-helpers before 0.1.9 took a field here and queried "by_<field>"
            self._db_index(ctx, rel.facts, rel.index_node, rel.index, table,
                           search_hint=f"`{rel.helper}` needs a database index")

    def _library_user_indexes(self, ctx, app):
        """The `users` index Convex Auth's default `createOrUpdateUser` queries for one of the
        app's providers (`email` to link an OAuth or email-code sign-in to an existing user),
        missing from the app's own `users` table: that sign-in throws at `withIndex`."""
        gaps = ctx.project.library_user_gaps(app)
        if gaps is None or not ctx.reported(gaps.table.facts):
            return
        key = gaps.table.key_node
        for index, providers in gaps.indexes.items():
            ctx.report(gaps.table.facts, key.child("key") or key,
                       f"Convex Auth's default `createOrUpdateUser` queries `users` by index \"{index}\" when someone "
                       f"signs in through {', '.join(f'`{p}`' for p in providers)}, and this `users` table has no such "
                       f'index: that sign-in throws; keep `.index("{index}", ["{index}"])` from `authTables`')

    def _db_index(self, ctx, facts, node, name, table, search_hint="use `withSearchIndex`", chain=None):
        idx = table.index(name)
        if idx is not None and idx.staged:
            ctx.report(facts, node, f'index "{name}" on `{table.name}` is staged: it cannot be queried until '
                       "`staged: true` is removed from schema.ts",
                       related=[ctx.related(idx.facts, idx.name_node or idx.node, "staged here")] if not table.external else [])
        if table.knows_index(name) is not False:
            return
        other = table.search_index(name) or table.vector_index(name)
        if other is not None:
            ctx.report(facts, node, f'"{name}" is a {other.kind} index on `{table.name}`, not a database index; '
                       + (search_hint if other.kind == "search" else "use `ctx.vectorSearch` in an action"))
            return
        names = [i.name for i in table.indexes if not i.staged] + list(BUILTIN_INDEXES)
        hint, fix = _suggest(ctx, facts, node, name, names, table, chain)
        ctx.report(facts, node, f'table `{table.name}` has no index "{name}"{hint}', fix=fix)

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
