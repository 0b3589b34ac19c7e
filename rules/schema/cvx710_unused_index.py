from cvxlint.rulekit import Invalid, Rule, Severity, Valid, reported_index_files, unused_indexes

HEAD = 'import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
SCHEMA = HEAD + ('export default defineSchema({\n  tasks: defineTable({ owner: v.string(), done: v.boolean(), title: v.string() })\n'
                 '    .index("by_owner", ["owner"])\n    .index("by_done", ["done"])\n'
                 '    .searchIndex("search_title", { searchField: "title" }),\n});\n')


# a table's children deleted by convex-cascading-delete, which queries `to` through the index `via`
CASCADE = {"convex/cascade.ts": 'import { defineCascadeRules } from "convex-cascading-delete";\n'
                                'const ownerRules = [{ to: "{table}", via: "by_owner", field: "owner" }];\n'
                                'export const cascadeRules = defineCascadeRules({ users: ownerRules });\n',
           "convex/example.ts": 'import { query } from "./_generated/server";\n'
                                'export const a = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withIndex("by_done", (q) => q.eq("done", true)).take(1) });\n'
                                'export const c = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withSearchIndex("search_title", (q) => q.search("title", "x")).take(1) });\n'}


class UnusedIndex(Rule):
    """An index no query in the project uses.

    ## What it does
    Flags indexes (also search and vector indexes) that no `withIndex`,
    `withSearchIndex`, `ctx.vectorSearch` or Convex Ents `ctx.table("t", "by_x", ...)` in the
    app names, and whose name appears in no
    call argument or constant anywhere in the functions directory (which covers helpers
    such as convex-helpers' `getManyFrom(db, table, "by_x", ...)`; the field names and
    values of range and filter steps, `q.eq("x", v)`, `q.field("x")`, and the arguments of
    `console.*` do not count: an index named after its field would always look used). Only tables the app's
    own code queries are checked (an index name written as a string literal type counts as
    used, for generic helpers that take the index as a parameter; so does an object literal whose
    values name a table and one of its indexes, a rule handed to a library that queries it, as
    convex-cascading-delete's `{ to: "posts", via: "by_author", field: "authorId" }`): a table it never queries is read somewhere cvxlint cannot
    see (a library such as a Better Auth adapter, another app, a dashboard). Staged indexes
    (being built for a coming release), indexes a `.filter` (or a JS filter over collected
    rows) could use instead (CVX202 says to query through them), tables
    defined by packages, and a package's own indexes on a table the app redefines (the
    `"email"` index of `users` over `...authTables`) are skipped. So is a schema passed to
    a function of an npm package (Better Auth's `createApi(schema, ...)` in a local
    component): the library may pick any of its indexes by field name at runtime.
    Packages that read a schema's validators only (`convex`, `convex-helpers`' `typedV`,
    `convex-test`, Convex Ents' `getEntDefinitions`) do not count.
    An index name the code computes counts as every name it can hold when those are known
    (a constant, or a key of a constant map: `BY_KIND[kind]`); when they are not (a name
    picked at run time from a registry, a parameter), no index of that kind on that table
    is reported, and on every table when the queried table is computed too (only those
    starting with the fields its range names: Convex rejects any other).

    ## Why is this bad?
    Every index costs storage (about one more copy of the table) and slows each write
    (https://docs.convex.dev/understanding/best-practices/#check-for-redundant-indexes).
    Other repositories or dashboards may still use it, so this is advice, not a fix.

    ## Example
    ```ts
    defineTable({ owner: v.string(), done: v.boolean() }).index("by_owner", ["owner"]).index("by_done", ["done"])
    // only by_owner is queried
    ```
    Use instead:
    ```ts
    defineTable({ owner: v.string(), done: v.boolean() }).index("by_owner", ["owner"])
    ```
    """

    code = "CVX710"
    name = "unused-index"
    severity = Severity.INFO
    summary = "Index that no query uses"

    valid = [
        # each example reports on schema.ts, where this rule's findings go
        Valid(SCHEMA, path="convex/schema.ts",
              files={**CASCADE, "convex/cascade.ts": CASCADE["convex/cascade.ts"].replace("{table}", "tasks")},
              note="an index named beside its table in an object handed to a library, which queries it"),
        Valid(SCHEMA, path="convex/schema.ts",
              files={"convex/example.ts": 'import { query } from "./_generated/server";\nimport { getManyFrom } from "convex-helpers/server/relationships";\n'
                     'export const a = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withIndex("by_owner", (q) => q.eq("owner", "x")).take(1) });\n'
                     'export const b = query({ args: {}, handler: (ctx) => getManyFrom(ctx.db, "tasks", "by_done", false) });\n'
                     'export const c = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withSearchIndex("search_title", (q) => q.search("title", "x")).take(1) });\n'}),
        Valid(SCHEMA, path="convex/schema.ts",
              files={"convex/example.ts": 'import { query } from "./_generated/server";\n'
                     'type TaskIndex = "by_owner" | "by_done";\n'
                     'export async function first(ctx: any, index: TaskIndex, value: unknown) {\n'
                     '  return await ctx.db.query("tasks").withIndex(index, (q: any) => q.eq(index === "by_owner" ? "owner" : "done", value)).first();\n}\n'
                     'export const c = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withSearchIndex("search_title", (q) => q.search("title", "x")).take(1) });\n'},
              note="index names passed to a generic helper"),
        Valid(SCHEMA, path="convex/schema.ts",
              files={"convex/example.ts": 'import { mutation } from "./_generated/server";\n'
                     'export const add = mutation({ args: {}, handler: (ctx) => ctx.db.insert("tasks", { owner: "o", done: false, title: "t" }) });\n'},
              note="a table the app never queries is read elsewhere"),
        Valid('import { defineSchema, defineTable } from "convex/server";\n'
              'import { authTables } from "@convex-dev/auth/server";\nimport { v } from "convex/values";\n'
              'export default defineSchema({\n  ...authTables,\n'
              '  users: defineTable({ name: v.optional(v.string()), email: v.optional(v.string()) })\n'
              '    .index("email", ["email"]).index("by_name", ["name"]),\n});\n', path="convex/schema.ts",
              files={"convex/example.ts": 'import { query } from "./_generated/server";\n'
                     'export const me = query({ args: {}, handler: (ctx) => ctx.db.query("users").withIndex("by_name", (q) => q.eq("name", "x")).first() });\n'},
              note="@convex-dev/auth reads a redefined users table by its \"email\" index"),
        Valid(SCHEMA, path="convex/schema.ts",
              files={"convex/tasks.ts": 'import { internalMutation, query } from "./_generated/server";\n'
                     'export const firstOpen = internalMutation({ args: {}, handler: (ctx) =>\n'
                     '  ctx.db.query("tasks").filter((q) => q.eq(q.field("done"), false)).first() });\n'
                     'export const a = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withIndex("by_owner", (q) => q.eq("owner", "x")).take(1) });\n'
                     'export const c = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withSearchIndex("search_title", (q) => q.search("title", "x")).take(1) });\n'},
              note="a filter that could use the index (CVX202 says to query through it) wants it"),
        Valid(SCHEMA, path="convex/schema.ts",
              files={"convex/tasks.ts": 'import { query } from "./_generated/server";\n'
                     'export const mine = query({ args: {}, handler: (ctx) => ctx.db.query("tasks")\n'
                     '  .filter((q) => q.and(q.eq(q.field("done"), false), q.eq(q.field("title"), "x"))).take(5) });\n'
                     'export const a = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withIndex("by_owner", (q) => q.eq("owner", "x")).take(1) });\n'
                     'export const c = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withSearchIndex("search_title", (q) => q.search("title", "x")).take(1) });\n'},
              note="CVX202 says to narrow with it (it holds some of the filtered fields): wanted too"),
        Valid(SCHEMA.replace('.index("by_done", ["done"])', '.index("by_done", ["done"])\n    .index("by_title", ["title"])'),
              path="convex/schema.ts",
              files={"convex/tasks.ts": 'import { query } from "./_generated/server";\n'
                     'export const mine = query({ args: {}, handler: (ctx) => ctx.db.query("tasks")\n'
                     '  .filter((q) => q.and(q.eq(q.field("owner"), "x"), q.eq(q.field("title"), "t"))).take(5) });\n'
                     'export const a = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withIndex("by_owner", (q) => q.eq("owner", "x")).take(1) });\n'
                     'export const d = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withIndex("by_done", (q) => q.eq("done", true)).take(1) });\n'
                     'export const c = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withSearchIndex("search_title", (q) => q.search("title", "x")).take(1) });\n'},
              note="of two indexes that each hold one filtered field, the one CVX202 narrows with (`by_title`: "
                   "`owner` is an owner's id) is the wanted one"),
        Valid(SCHEMA.replace('.index("by_done", ["done"])', '.index("by_owner_done", ["owner", "done"])'), path="convex/schema.ts",
              files={"convex/tasks.ts": 'import { query } from "./_generated/server";\n'
                     'export const openOf = query({ args: {}, handler: (ctx) => ctx.db.query("tasks")\n'
                     '  .withIndex("by_owner", (q) => q.eq("owner", "x")).filter((q) => q.eq(q.field("done"), false)).collect() });\n'
                     'export const c = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withSearchIndex("search_title", (q) => q.search("title", "x")).take(1) });\n'},
              note="a longer index that a filter after a shorter range could use"),
        Valid(SCHEMA.replace('.index("by_done", ["done"])', '.index("by_owner_done", ["owner", "done"])'), path="convex/schema.ts",
              files={"convex/tasks.ts": 'import { query } from "./_generated/server";\n'
                     'export const openOf = query({ args: {}, handler: (ctx) => ctx.db.query("tasks")\n'
                     '  .filter((q) => q.eq(q.field("owner"), "x")).filter((q) => q.eq(q.field("done"), false)).collect() });\n'
                     'export const a = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withIndex("by_owner", (q) => q.eq("owner", "x")).take(1) });\n'
                     'export const c = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withSearchIndex("search_title", (q) => q.search("title", "x")).take(1) });\n'},
              note="chained equality filters (one `q.and`) that the index covers want it"),
        Valid(SCHEMA, path="convex/schema.ts",
              files={"convex/adapter.ts": 'import { createApi } from "@convex-dev/better-auth";\nimport schema from "./schema";\n'
                     'export const { findOne, findMany } = createApi(schema, () => ({}));\n',
                     "convex/tasks.ts": 'import { query } from "./_generated/server";\n'
                     'export const a = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withIndex("by_owner", (q) => q.eq("owner", "x")).take(1) });\n'},
              note="a library handed the schema picks indexes by field name at runtime"),
        Valid(SCHEMA, path="convex/schema.ts",
              files={"convex/indexes.ts": 'export const INDEXES_OF: Record<string, { name: string; field: string }[]> = {\n'
                     '  tasks: [{ name: "by_owner", field: "owner" }, { name: "by_done", field: "done" }],\n};\n',
                     "convex/lookup.ts": 'import { query } from "./_generated/server";\nimport { v } from "convex/values";\n'
                     'import { INDEXES_OF } from "./indexes";\n'
                     'export const lookup = query({ args: { table: v.string(), field: v.string(), value: v.string() }, handler: async (ctx, args) => {\n'
                     '  const index = INDEXES_OF[args.table].find((i) => i.field === args.field);\n'
                     '  if (!index) return [];\n'
                     '  return await ctx.db.query(args.table as any).withIndex(index.name, (q: any) => q.eq(args.field, args.value)).take(10);\n}});\n'
                     'export const c = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withSearchIndex("search_title", (q) => q.search("title", "x")).take(1) });\n'},
              note="index names picked at run time from a registry, on a table picked at run time: any index may be read"),
    ]
    invalid = [
        Invalid(SCHEMA, path="convex/schema.ts", lines=[5],
                files={**CASCADE, "convex/cascade.ts": CASCADE["convex/cascade.ts"].replace("{table}", "notes")},
                message='"by_owner" on `tasks`',
                note="the object names another table: `tasks`' index of that name is not the one queried"),
        Invalid(HEAD + 'export default defineSchema({\n'
                '  tasks: defineTable({ user: v.string() }).index("by_user", ["user"]),\n'
                '  holdings: defineTable({ user: v.string(), symbol: v.string() })\n'
                '    .index("by_user", ["user"])\n    .index("by_user_symbol", ["user", "symbol"]),\n});\n',
                path="convex/schema.ts", lines=[6],
                files={"convex/q.ts": 'import { query } from "./_generated/server";\n'
                       'export const a = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withIndex("by_user", (q) => q.eq("user", "x")).take(9) });\n'
                       'export const b = query({ args: {}, handler: (ctx) =>\n'
                       '  ctx.db.query("holdings").withIndex("by_user_symbol", (q) => q.eq("user", "x")).take(9) });\n'},
                note="another table's `withIndex(\"by_user\")` does not use this table's index of the same name"),
        Invalid(SCHEMA, path="convex/schema.ts", lines=[6, 7],
                files={"convex/tasks.ts": 'import { query } from "./_generated/server";\n'
                       'export const a = query({ args: {}, handler: (ctx) =>\n'
                       '  ctx.db.query("tasks").withIndex("by_owner", (q) => q.eq("owner", "x")).take(1) });\n'}),
        Invalid(SCHEMA, path="convex/schema.ts", lines=[6],
                files={"convex/tasks.ts": 'import { query } from "./_generated/server";\nimport { typedV } from "convex-helpers/validators";\n'
                       'import schema from "./schema";\nexport const vv = typedV(schema);\n'
                       'export const a = query({ args: { owner: vv.string() }, handler: (ctx, args) =>\n'
                       '  ctx.db.query("tasks").withIndex("by_owner", (q) => q.eq("owner", args.owner)).take(1) });\n'
                       'export const c = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withSearchIndex("search_title", (q) => q.search("title", "x")).take(1) });\n'},
                note="typedV reads the schema's validators, not its indexes"),
        Invalid(SCHEMA, path="convex/schema.ts", lines=[6],
                files={"convex/schema.test.ts": 'import { expect, test } from "vitest";\nimport schema from "./schema";\n'
                       'test("schema", () => { expect(schema).toBeDefined(); });\n',
                       "convex/tasks.ts": 'import { query } from "./_generated/server";\n'
                       'export const a = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withIndex("by_owner", (q) => q.eq("owner", "x")).take(1) });\n'
                       'export const c = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withSearchIndex("search_title", (q) => q.search("title", "x")).take(1) });\n'},
                note="a test handing the schema to `expect` queries nothing on the deployment"),
        Invalid('import { defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
                'export const tasks = defineTable({ owner: v.string(), done: v.boolean() })\n'
                '  .index("by_owner", ["owner"])\n  .index("by_done", ["done"]);\n',
                path="convex/tables/tasks.ts", lines=[5],
                files={"convex/schema.ts": 'import { defineSchema } from "convex/server";\nimport { tasks } from "./tables/tasks";\n'
                       'export default defineSchema({ tasks: tasks });\n',
                       "convex/tasks.ts": 'import { query } from "./_generated/server";\n'
                       'export const a = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withIndex("by_owner", (q) => q.eq("owner", "x")).take(1) });\n'},
                note="a table defined in its own file: its `.index(\"by_done\", ...)` is a definition, not a use"),
        Invalid(SCHEMA, path="convex/schema.ts", lines=[6],
                files={"convex/tasks.ts": 'import { query } from "./_generated/server";\nimport { v } from "convex/values";\n'
                       'const INDEX_FOR = { mine: "by_owner" } as const;\n'
                       'export const a = query({ args: { by: v.literal("mine") }, handler: (ctx, { by }) =>\n'
                       '  ctx.db.query("tasks").withIndex(INDEX_FOR[by], (q) => q.eq("owner", "x")).take(1) });\n'
                       'export const c = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withSearchIndex("search_title", (q) => q.search("title", "x")).take(1) });\n'},
                note="a computed name read from a constant map can only be one of its names: `by_done` is not among them"),
        Invalid(SCHEMA, path="convex/schema.ts", lines=[6],
                files={"convex/tasks.ts": 'import { query } from "./_generated/server";\nimport { v } from "convex/values";\n'
                       'async function firstOf(ctx: any, table: any, index: any, owner: string) {\n'
                       '  return await ctx.db.query(table).withIndex(index, (q: any) => q.eq("owner", owner)).first();\n}\n'
                       'export const a = query({ args: { owner: v.string() }, handler: (ctx, { owner }) => firstOf(ctx, "tasks", "by_owner", owner) });\n'
                       'export const c = query({ args: {}, handler: (ctx) => ctx.db.query("tasks").withSearchIndex("search_title", (q) => q.search("title", "x")).take(1) });\n'},
                note="a name and a table the model cannot tell, but a range on `owner`: only an index starting with it can be read"),
        Invalid(HEAD + 'export default defineSchema({\n'
                '  likes: defineTable({ member: v.string(), post: v.string() }).index("member_post", ["member", "post"]),\n'
                '  posts: defineTable({ board: v.string(), post: v.string(), score: v.number() })\n'
                '    .index("board", ["board"])\n    .index("post", ["post"])\n    .index("score", ["score"]),\n});\n',
                path="convex/schema.ts", lines=[7, 8],
                files={"convex/posts.ts": 'import { query } from "./_generated/server";\n'
                       'export const liked = query({ args: {}, handler: (ctx) => ctx.db.query("likes")\n'
                       '  .withIndex("member_post", (q) => q.eq("member", "m").eq("post", "p")).first() });\n'
                       'export const top = query({ args: {}, handler: async (ctx) => {\n'
                       '  const rows = await ctx.db.query("posts").withIndex("board", (q) => q.eq("board", "b"))\n'
                       '    .filter((q) => q.gt(q.field("score"), 0)).take(9);\n'
                       '  console.log("score", rows.length);\n  return rows;\n} });\n'},
                note="indexes named after their field: the field names of ranges, filters and log lines are no uses"),
        Invalid('import { defineEnt, defineEntSchema, getEntDefinitions } from "convex-ents";\nimport { v } from "convex/values";\n'
                'const schema = defineEntSchema({\n'
                '  jobs: defineEnt({ org: v.string(), kind: v.string(), at: v.number() })\n'
                '    .index("by_org", ["org"])\n    .index("by_kind_at", ["kind", "at"]),\n'
                '  runs: defineEnt({ kind: v.string() }).index("by_kind_at", ["kind"]),\n});\n'
                'export default schema;\nexport const entDefinitions = getEntDefinitions(schema);\n',
                path="convex/schema.ts", lines=[6],
                files={"convex/jobs.ts": 'import { query } from "./_generated/server";\nimport { v } from "convex/values";\n'
                       'export const forOrg = query({ args: { org: v.string() }, handler: (ctx: any, { org }) =>\n'
                       '  ctx.table("jobs", "by_org", (q: any) => q.eq("org", org)).take(20) });\n'
                       'export const runsOf = query({ args: { kind: v.string() }, handler: (ctx: any, { kind }) =>\n'
                       '  ctx.table("runs", "by_kind_at", (q: any) => q.eq("kind", kind)).take(20) });\n'},
                note="Ents' `getEntDefinitions` reads the schema, it queries no index; `ctx.table(t, index)` uses `t`'s index only"),
    ]

    def check_app(self, ctx, app):
        schema = app.schema
        if schema is None or not schema.readable or not reported_index_files(ctx, schema):
            return
        for table, idx in unused_indexes(ctx, app):
            kind = {"db": "index", "search": "search index", "vector": "vector index"}[idx.kind]
            ctx.report(idx.facts, idx.name_node or idx.node,
                       f'{kind} "{idx.name}" on `{table.name}` is not used by any query in this app; '
                       "it still costs storage and write time")
