import difflib

from cvxlint.project.schema import SYSTEM_TABLES
from cvxlint.rulekit import Fix, Invalid, Rule, Severity, Valid, js, reported_queries

from ..examples import ENTS_QUERY_FUNCTIONS, ENTS_SERVER, SECOND_DB, SECOND_DB_PG

SERVER = 'import { query, mutation } from "./_generated/server";\nimport { v } from "convex/values";\n'
SCHEMA = ('import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
          'export default defineSchema({\n  messages: defineTable({ body: v.string() }),\n'
          '  channels: defineTable({ name: v.string() }),\n});\n')
# A Convex Ents app: `ctx.table` from a custom query builder, a schema whose `.edge("cook")` adds
# the field and index `cookId` and whose unique `.field("handle")` adds the index `handle`.
ENTS_FILES = {
    "convex/schema.ts": 'import { v } from "convex/values";\n'
                        'import { defineEnt, defineEntSchema, getEntDefinitions } from "convex-ents";\n'
                        'const schema = defineEntSchema({\n'
                        '  cooks: defineEnt({ name: v.string() }).field("handle", v.string(), { unique: true })\n'
                        '    .edges("recipes", { ref: true }),\n'
                        '  recipes: defineEnt({ title: v.string(), cuisine: v.string() }).edge("cook")\n'
                        '    .index("byCuisine", ["cuisine"])\n'
                        '    .searchIndex("searchTitle", { searchField: "title", filterFields: ["cuisine"] }),\n'
                        '});\nexport default schema;\nexport const entDefinitions = getEntDefinitions(schema);\n',
    "convex/functions.ts": ENTS_QUERY_FUNCTIONS,
}


def schema_applies(schema) -> bool:
    """Table names can be checked: a readable schema that lists every table and enforces names."""
    return schema is not None and schema.readable and not schema.open and schema.strict_table_name_types is not False


def closest(name: str, names) -> str | None:
    hits = difflib.get_close_matches(name, sorted(names), n=1, cutoff=0.75)
    return hits[0] if hits else None


class UnknownTable(Rule):
    """A table name the schema does not define.

    ## What it does
    Flags string table names that are not in schema.ts (schema.js): in `ctx.db.query`, `insert`,
    `get/patch/replace/delete("t", id)`, `normalizeId`, `ctx.vectorSearch`, Convex Ents'
    `ctx.table("t")`, convex-helpers' relationship helpers (`getOneFrom/getManyFrom(db, "t",
    ...)`, `getManyVia`'s join table, `getAll(db, "t", ids)`), and `v.id("t")` anywhere in
    the functions directory. `_storage` and `_scheduled_functions` are valid in
    `v.id` (and through `db.system`, which CVX702 checks). Skipped when there is no
    schema.ts, when `strictTableNameTypes: false`, when the table list cannot be read
    completely (a spread cvxlint cannot follow), for computed names, and in files that never
    run (skipped by the bundler, like `cleanup.old.ts`, and imported by no module). A name
    under a `// @ts-expect-error` or `// @ts-ignore` line is left alone: TypeScript reports an
    unknown table too, and that comment is the author saying so (a migration reading a table
    the schema has dropped).

    ## Why is this bad?
    With `strictTableNameTypes` (the default) it is a type error; without type checking it
    shows up at run time as empty results, failed writes or ids that never validate
    (https://docs.convex.dev/database/schemas).

    ## Example
    ```ts
    await ctx.db.query("message").take(10); // the schema has "messages"
    ```
    Use instead:
    ```ts
    await ctx.db.query("messages").take(10);
    ```

    ## Fix safety
    The closest table name (by edit distance) is offered as a suggestion only: a typo is
    likely, but only the author knows which table was meant.
    """

    code = "CVX701"
    name = "unknown-table"
    severity = Severity.ERROR
    summary = "Table name not defined in schema.ts"
    fix_availability = "sometimes"

    valid = [
        Valid(SERVER + 'import { getManyFrom } from "convex-helpers/server/relationships";\n'
              'async function byName(ctx: any, table: "messages" | "channels", name: string) {\n'
              '  return await getManyFrom(ctx.db, table, "by_name", name);\n}\n'
              'export const f = query({ args: {}, handler: async (ctx) => [\n'
              '  await getManyFrom(ctx.db, "messages", "by_creation_time", 0, "_creationTime"),\n'
              '  await byName(ctx, "channels", "x"),\n]});\n',
              files={"convex/schema.ts": SCHEMA}, note="a relationship helper on a known table, or on a table the caller names"),
        Valid(SERVER + 'export const backfill = mutation({ args: {}, handler: async (ctx) => {\n'
              '  // @ts-expect-error the companies table was removed; this migration already ran\n'
              '  const rows = await ctx.db.query("companies").take(10);\n  return rows.length;\n}});\n',
              files={"convex/schema.ts": SCHEMA},
              note="the author acknowledges the type error an unknown table is"),
        Valid(SERVER + 'export const f = query({ args: { id: v.id("_storage") }, handler: (ctx) => ctx.db.query("messages").take(10) });\n',
              files={"convex/schema.ts": SCHEMA}),
        Valid(SERVER + 'export const f = query({ args: {}, handler: (ctx) => ctx.db.query("anything").take(10) });\n',
              files={"convex/schema.ts": SCHEMA.replace("});\n", "}, { strictTableNameTypes: false });\n")}),
        Valid(SERVER + 'export const f = query({ args: {}, handler: (ctx) => ctx.db.query("retiredTable").take(10) });\n',
              path="convex/cleanup.old.ts", files={"convex/schema.ts": SCHEMA},
              note="a file the bundler skips and nothing imports never runs (CVX805 reports it)"),
    ]
    invalid = [
        # triage G55a P5: convex-helpers' relationship helpers name the table they query
        Invalid(SERVER + 'import * as rel from "convex-helpers/server/relationships";\n'
                'import { getOneFrom as oneFrom } from "convex-helpers/server/relationships";\n'
                'export const f = query({ args: { c: v.id("channels") }, handler: async (ctx, { c }) => [\n'
                '  await oneFrom(ctx.db, "channel", "by_id", c, "_id"),\n'
                '  await rel.getManyVia(ctx.db, "message", "channel", "by_channel", c),\n'
                '  await rel.getAll(ctx.db, "channel", [c]),\n]});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[6, 7, 8], message="is not defined in schema.ts; did you mean",
                note="imported under another name or through a namespace; getManyVia's join table, getAll's named table"),
        Invalid(ENTS_SERVER + 'export const one = query({ args: { id: v.id("recipes") }, handler: (ctx, { id }) =>\n'
                '  ctx.table("recipe").get(id) });\n',
                files=ENTS_FILES, lines=[4], message='"recipe" in `ctx.table` is not defined in schema.ts; did you mean "recipes"',
                note="Convex Ents names the table in `ctx.table(...)`"),
        Invalid('export async function recent(ctx: any) {\n  return await ctx.db.query("message").take(10);\n}\n'
                'export function page({ ctx, size }: { ctx: any; size: number }) {\n  return recent(ctx);\n}\n',
                path="lib/chat.ts", lines=[2],
                files={"convex/schema.ts": SCHEMA, "convex/chat.ts": SERVER + 'import { page } from "../lib/chat";\n'
                       'export const list = query({ args: {}, handler: (ctx) => page({ ctx, size: 10 }) });\n'},
                note="the ctx handed on by a helper (outside convex/) that took it inside one object parameter"),
        Invalid(SERVER + 'export const f = query({ args: { c: v.id("channel") }, handler: (ctx) => ctx.db.query("message").take(10) });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[3, 3], message="not defined in schema.ts"),
        Invalid(SERVER + 'export const f = query({ args: {}, handler: (ctx) => ctx.db.query("message").take(10) });\n',
                files={"convex/schema.ts": SCHEMA, "convex/schema.js": '"use strict";\nexports.default = require("./schema.cjs");\n'},
                lines=[3], note="a compiled schema.js beside schema.ts: the CLI reads schema.ts"),
        Invalid(SERVER + 'const TABLES = Object.freeze({ message: "mesages" });\n'
                'export const f = query({ args: {}, handler: (ctx) => ctx.db.query(TABLES.message).take(10) });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[4], message='"mesages" in `query`',
                note="a name kept in a constant (no fix: the constant may serve elsewhere)"),
        Invalid(SERVER + 'export const g = mutation({ args: {}, handler: (ctx) => ctx.db.insert("users", { name: "x" }) });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[3]),
        Invalid('export async function recent(ctx: any) {\n  return await ctx.db.query("message").take(10);\n}\n',
                path="convex/chat.helpers.ts", lines=[2],
                files={"convex/schema.ts": SCHEMA, "convex/chat.ts": SERVER + 'import { recent } from "./chat.helpers";\n'
                       'export const list = query({ args: {}, handler: (ctx) => recent(ctx) });\n'},
                note="a helper file with two dots still runs when a module imports it"),
        Invalid('import { query } from "./_generated/server";\n'
                'export const recent = query({ args: {}, handler: (ctx) => ctx.db.query("message").take(10) });\n',
                path="convex/chat.extra.ts", lines=[2], files={"convex/schema.ts": SCHEMA, "convex/chat.ts": 'export { recent } from "./chat.extra";\n'},
                note="...or re-exports it"),
        Invalid('import { query } from "./_generated/server";\n'
                'export default query(async ({ db }) => await db.query("message").take(10));\n',
                path="convex/listMessages.js", lines=[2], convex="0.14.1",
                files={"convex/schema.ts": SCHEMA.replace('"convex/server"', '"convex/schema"')},
                note="convex 0.16 and older export defineSchema/defineTable only from convex/schema"),
        # triage G44 P8: a JavaScript app's schema
        Invalid('import { mutation } from "./_generated/server";\n'
                'export const post = mutation({ args: {}, handler: async (ctx) => { await ctx.db.insert("message", {}); } });\n',
                path="convex/chat.js", files={"convex/schema.js": SCHEMA}, lines=[2],
                message='not defined in schema.js; did you mean "messages"?'),
        Invalid(SERVER + 'import { typedV } from "convex-helpers/validators";\nimport schema from "./schema";\nconst vv = typedV(schema);\n'
                'export const f = query({ args: { c: vv.id("channel") }, handler: (ctx, { c }) => ctx.db.get(c) });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[6], message='"channel" in `vv.id`',
                note="convex-helpers' typedV(schema) validators name tables like `v` does"),
        # triage G55a P4 (cominsula keeps `rawDb: ctx.db` beside its row-level-security db)
        Invalid('import { ownerMutation, pgMutation } from "./builders";\n'
                'export const purge = ownerMutation({ args: {}, handler: async (ctx) => {\n'
                '  const old = await ctx.rawDb.query("message").take(10);\n'
                '  const { rawDb } = ctx;\n  await rawDb.insert("channel", { name: "x" });\n'
                '  await clear(ctx.rawDb);\n  return old.length;\n}});\n'
                'async function clear(db: any) {\n  await db.insert("mesages", { body: "" });\n}\n'
                'export const sync = pgMutation({ args: {}, handler: async (ctx) => {\n'
                '  await ctx.pgDb.insert("message", {});\n  await ctx.rawDb.insert("channel", {});\n}});\n',
                files={"convex/schema.ts": SCHEMA, "convex/builders.ts": SECOND_DB, "convex/pg.ts": SECOND_DB_PG},
                lines=[3, 5, 10], message="is not defined in schema.ts",
                note="a second database handle the builder adds (`rawDb: ctx.db`), also destructured and handed to "
                     "a helper; not another builder's `rawDb` nor a `pgDb` holding another database's client"),
    ]

    def check_app(self, ctx, app):
        schema = app.schema
        if not schema_applies(schema):
            return
        # the file as the app names it: schema.ts, or schema.js in a JavaScript app
        where_defined = schema.facts.path.replace("\\", "/").rsplit("/", 1)[-1]
        names = set(schema.tables)
        for call in reported_queries(ctx, app).calls:
            if call.system or call.table is None or call.table_node is None or not ctx.reported(call.facts):
                continue
            if not _may_run(app, call.facts):
                continue  # `tasks.old.ts`, skipped by the bundler and imported by nothing
            if call.table.startswith("_") or schema.knows_table(call.table) is not False:
                continue
            self._report(ctx, call.facts, call.table_node, call.table, names, where_defined, f"`{call.method}`")
        for ent in reported_queries(ctx, app).ents_calls:
            if ent.table is None or ent.table.startswith("_") or not ctx.reported(ent.facts):
                continue
            if _may_run(app, ent.facts) and schema.knows_table(ent.table) is False:
                self._report(ctx, ent.facts, ent.table_node, ent.table, names, where_defined, "`ctx.table`")
        for rel in reported_queries(ctx, app).relationship_calls:
            if rel.table is None or rel.table.startswith("_") or not ctx.reported(rel.facts):
                continue
            if _may_run(app, rel.facts) and schema.knows_table(rel.table) is False:
                self._report(ctx, rel.facts, rel.table_node, rel.table, names, where_defined, f"`{rel.helper}`")
        for module in app.modules.values():
            facts = module.facts
            if not ctx.reported(facts) or app.never_runs(module):
                continue
            for site, name_node, name in ctx.project.validators.id_calls(facts):
                if name is None or name in SYSTEM_TABLES or schema.knows_table(name) is not False:
                    continue
                self._report(ctx, facts, name_node, name, names, where_defined, f"`{site.path[0]}.id`")

    def _report(self, ctx, facts, node, name, names, where_defined, where):
        if _type_error_expected(facts, node):
            return  # `// @ts-expect-error companies was removed`: the author knows, and says so
        guess = closest(name, names)
        msg = f'table "{name}" in {where} is not defined in {where_defined}'
        fix = None
        if guess is not None:
            msg += f'; did you mean "{guess}"?'
            if js.string_value(node) is not None:  # not a constant's name: the constant may serve elsewhere
                fix = Fix.display_only(f'Use "{guess}"', ctx.edit(facts, node, f'"{guess}"'))
        ctx.report(facts, node, msg, fix=fix)


def _may_run(app, facts) -> bool:
    """Is `facts` code that may run: not a module the bundler skips and nothing imports?"""
    module = app.module_for(facts.path)
    return module is None or not app.never_runs(module)


def _type_error_expected(facts, node) -> bool:
    """Does a `// @ts-expect-error` or `// @ts-ignore` comment on the line above (or on the
    line itself) cover this name? TypeScript reports an unknown table too, so such a comment
    is the author acknowledging it (a migration that reads a table the schema has dropped)."""
    module = facts.module
    line = module.line_of(node.start)
    for c in module.comments:
        if ("@ts-expect-error" in c.text or "@ts-ignore" in c.text) and module.line_of(c.start) in (line - 1, line):
            return True
    return False
