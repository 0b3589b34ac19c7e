from cvxlint.edits import string_literal
from cvxlint.project.schema import SYSTEM_TABLES
from cvxlint.rulekit import Fix, Invalid, Rule, Severity, Valid, reported_queries

SERVER = 'import { query, mutation } from "./_generated/server";\nimport { v } from "convex/values";\n'
SCHEMA = ('import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
          'export default defineSchema({\n'
          '  tasks: defineTable({ title: v.string(), owner: v.id("users") }).index("by_owner", ["owner"]),\n'
          '  users: defineTable({ name: v.string() }),\n});\n')
# `let` ids reset to undefined or null (triage G57c P6), and one also assigned another table's id
_RESET = (SERVER + 'export const pin = mutation({ args: { task: v.optional(v.id("tasks")), user: v.id("users") },\n'
          '  handler: async (ctx, args) => {\n'
          '    let task = args.task;\n'
          '    if (task) {\n'
          '      const row = await ctx.db.get(task);\n'
          '      if (!row) task = undefined;\n'
          '    }\n'
          '    const first = await ctx.db.query("tasks").first();\n'
          '    let last = first?._id ?? null;\n'
          '    while (last) {\n'
          '      await ctx.db.patch(last, { title: "pinned" });\n'
          '      last = null;\n'
          '    }\n'
          '    let mixed = args.task;\n'
          '    if (!mixed) mixed = undefined;\n'
          '    else if (args.user) mixed = args.user;\n'
          '    if (mixed) await ctx.db.get(mixed);\n'
          '  } });\n')
# A helper whose `return`s all give tasks (or none)
_VISIBLE = ('import { v } from "convex/values";\nimport { internalQuery, type QueryCtx } from "./_generated/server";\n'
            'import type { Doc } from "./_generated/dataModel";\n'
            'async function visible(ctx: QueryCtx, me: Doc<"tasks">, all: boolean) {\n'
            '  if (!all) return [me];\n  if (me.title === "x") return [];\n'
            '  const rows = await ctx.db.query("tasks").withIndex("by_owner", (q) => q.eq("owner", me.owner)).collect();\n'
            '  return rows.filter((t) => t.title !== "");\n}\n')
# ...and a function that reads the owners of what it returns (line 14)
_OWNERS = ('export const owners = internalQuery({ args: { id: v.id("tasks") }, handler: async (ctx, args) => {\n'
           '  const me = await ctx.db.get("tasks", args.id);\n  if (!me) return [];\n'
           '  const rows = await visible(ctx, me, true);\n'
           '  return await Promise.all(rows.map((t) => ctx.db.get(t.owner)));\n}});\n')
# a `return` only its cast tells the rows of
_CAST = 'return JSON.parse(me.title) as Doc<"tasks">[];'
# convex-helpers row-level security around ctx.db, as an app of convex-helpers' README writes it
RLS = ('import { customCtx, customMutation } from "convex-helpers/server/customFunctions";\n'
       'import { wrapDatabaseWriter } from "convex-helpers/server/rowLevelSecurity";\n'
       'import { mutation } from "./_generated/server";\n'
       'export const guardedMutation = customMutation(mutation, customCtx(async (ctx) => ({\n'
       '  db: wrapDatabaseWriter(ctx, ctx.db, { tasks: { modify: async () => true } }),\n})));\n')
_CHAT_SCHEMA = ('import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\n'
                'export default defineSchema({\n  chats: defineTable({ count: v.number() }),\n'
                '  messages: defineTable({ chatId: v.id("chats"), body: v.string() }),\n});\n')
_TRIGGERS = ('import {{ Triggers, type Change }} from "convex-helpers/server/triggers";\n'
             'import type {{ GenericMutationCtx }} from "convex/server";\nimport type {{ DataModel }} from "./_generated/dataModel";\n'
             'import {{ Registry }} from "./registry";\n'
             'async function onMessage(ctx: GenericMutationCtx<DataModel>, change: Change<DataModel, "messages">) {{\n'
             '  const message = change.newDoc;\n  if (!message) return;\n'
             '  const chat = await {get};\n  if (chat) await ctx.db.patch("chats", chat._id, {{ count: chat.count + 1 }});\n}}\n'
             'export const triggers = new Triggers<DataModel>();\ntriggers.register("messages", onMessage);\n'
             'triggers.register("messages", async (ctx, change) => {{\n'
             '  if (change.oldDoc) await {get2};\n}});\n'
             'new Registry().register("messages", async (ctx: GenericMutationCtx<DataModel>, change: any) => {{\n'
             '  await ctx.db.get(change.newDoc.chatId);\n}});\n')
# The first versions whose wrappers pass a table name on: before them `get(id)`,
# `patch(id, value)`, ... take the id first, so `get("tasks", id)` hands the inner db the
# name as the id (server/rowLevelSecurity.js and server/triggers.js of the npm tarballs).
# Triggers' `wrapDB` takes the name from 0.1.106, but until 0.1.108 a write naming a table
# that has no trigger registered throws (`for (const trigger of triggers.registered[tableName])`
# over undefined, in `_queueTriggers`; fixed by convex-helpers #881), rolling the mutation
# back, where the one-argument form skipped the triggers and wrote.
_NAME_FORWARDED = {"wrapDatabaseReader": "0.1.107", "wrapDatabaseWriter": "0.1.107", "Triggers.wrapDB": "0.1.108"}
LINKED = SCHEMA.replace('owner: v.id("users") }', 'owner: v.id("users"), next: v.optional(v.id("tasks")) }')
WALK = (SERVER + 'export const chain = query({ args: { first: v.id("tasks") }, handler: async (ctx, args) => {\n'
        '  const titles = [];\n'
        '  let cur = args.first;\n'
        '  while (cur) {\n'
        '    const task = await ctx.db.get(cur);\n'
        '    if (!task) break;\n'
        '    titles.push(task.title);\n'
        '    cur = task.next;\n'
        '  }\n'
        '  return titles;\n}});\n')
LIST_SCHEMA = SCHEMA.replace('\n});', '\n  lists: defineTable({ taskIds: v.array(v.id("tasks")), mixed: v.array(v.union(v.id("tasks"), v.id("users"))) }),\n});')


class ExplicitTableIds(Rule):
    """`db.get/patch/replace/delete(id)` without the table name.

    ## What it does
    In apps on convex 1.31 or newer (the version that added the table-name-first forms),
    flags the old forms `ctx.db.get(id)`, `ctx.db.patch(id, value)`, `ctx.db.replace(id,
    value)` and `ctx.db.delete(id)` on a Convex database — `ctx.db`, a destructured `db`,
    `db` passed to a helper, and `ctx.db.system.get(id)` (the official plugin misses the last
    three). Apps whose convex version is older or unknown get no finding. `Map.get`,
    `String.replace` and other objects' methods are never matched: the receiver must be the
    database.

    The table is inferred without TypeScript from: an `Id<"t">` annotation or cast (also
    qualified, `import("./_generated/dataModel").Id<"t">`), a member typed so in an object
    type the code annotates or casts to (`const p = data as { userId: Id<"users"> }`, then
    `p.userId`; also destructured), a
    `v.id("t")` argument of the function, a document read from table "t" (`doc._id`, also an element of the rows a query collected:
    `rows[i]!._id`, `rows.find(...)`, or of a name typed `Doc<"t">[]`: `for (const d of
    merged)` with `const merged: Doc<"t">[] = []`, or destructured from the object a project helper returns:
    `const { profile } = await requireOwner(ctx)`, or an element of the rows a project helper returns when
    every `return` agrees (`return [me]`, `return []`, `return rows.filter(...)`), or assigned to a `let` declared empty or
    `null`: `found = rows.find(...) ?? null`, or destructured from reads run in parallel:
    `const [task, rows] = await Promise.all([ctx.db.get(id), query.collect()])`, also the
    documents of `await Promise.all(ids.map((id) => ctx.db.get(id)))`, and those convex-helpers'
    relationship helpers return: `getOneFrom/getManyFrom(db, "t", ...)`, `getManyVia`'s target
    table, `getAll(db, ids)`'s ids' table), a
    document field declared `v.id("t")` in the schema (`message.author`), the id an
    `insert("t", ...)` returned, and an element of an array of ids of one table (an argument
    `v.array(v.id("t"))`, a schema field `v.array(v.id("t"))` of a document read from a known
    table, a name typed `Id<"t">[]`, also `| undefined`: `for (const id of ids ?? [])`), a member of a type alias or interface of the file that a
    parameter is typed with (`job: Assignment`, `type Assignment = { taskId: Id<"tasks"> }`),
    either of two documents of one table (`(await a.first()) ?? (await b.first())`,
    `rows.find(...) ?? rows[0]`) or ids of one table (`args.ownerId ?? task.ownerId`, also a
    `let` assigned so: `leadId = leadId ?? project.leadId`, and one a loop steps along a linked list
    of one table: `let cur = list.headId; while (cur) { const item = await ctx.db.get(cur); cur =
    item.nextId; }`, when supposing `cur` holds that table's ids every value assigned is one), a key of a `Map<Id<"t">, ...>` (`for (const [id] of m)`,
    `m.keys()`) or a value of a `Map<K, Id<"t">>` (`m.get(k)`, `for (const [, id] of m)`,
    `m.values()`, also spread or through `Array.from`), and the parameter of `ids.map((id) => ...)` (and `forEach`,
    `filter`, `flatMap`, `some`, `every`, `find`), `for (const id of ids)`, `ids[i]`. When
    the id's table is a type parameter (`id: Id<T>`, also a parameter typed by the return
    type of the function returning it: `get: async (ctx, id) => ...` in `function
    make<T>(tableName: T): Repo<T> { return { get } }` with `interface Repo<R> { get(ctx,
    id: Id<R>) }` in the file), the table name is the one parameter typed `T` in scope: the
    message names it (`db.get(tableName, ...)`); so it is for the id an `insert(tableName,
    ...)` of a parameter returned. Without such a parameter the finding is info: the table
    is chosen by the caller; so it is for an id typed `Id<any>`, whose message says to type it.
    Ids held in a `Set<Id<"t">>` (or `new Set<Id<"t">>()`), mapped out of documents
    (`docs.map((d) => d.ownerId)` of a `v.id("t")` field) or kept in a Map made from entries
    (`new Map(docs.map((d) => [d.name, d.ownerId]))`) are read the same way, and so is a
    document taken out of a Map made from query results (`byKey.get(k)` with `new
    Map(rows.map((r) => [r.key, r]))`) when nothing `.set`s another value in it.

    A table-name-first call whose id belongs to another table (`ctx.db.get("shelves",
    bookId)` with `bookId: v.id("books")`, inferred the same way) is an error in any convex
    version: the backend checks the id against the named table and throws.

    ## Why is this bad?
    The table-name-first form is the recommended one and the old one is going to be
    deprecated (convex 1.31 changelog; https://docs.convex.dev/understanding/best-practices/#always-include-the-table-name-when-calling-ctxdb-functions).
    The backend also checks that the id belongs to the named table.

    ## Example
    ```ts
    await ctx.db.patch(taskId, { done: true });
    ```
    Use instead:
    ```ts
    await ctx.db.patch("tasks", taskId, { done: true });
    ```

    ## Fix safety
    Inserting the inferred table name is safe: the backend checks the name against the id,
    and the inference only uses facts written in the code. No fix is offered when the table
    cannot be inferred, when a `let` may hold ids of several tables (it is assigned again
    from another table, or declared `Id<"a"> | Id<"b">`: the message names them), or when the inferred table is not in the schema (a `v.id("accounts")`
    where the schema has `authAccounts`: the type is what needs fixing), nor when the
    database comes through a parameter whose type the code writes out (`ctx: { db: { get:
    (id) => ... } }`: its `get` takes one argument, so the rewrite would not compile; info).
    Unsafe when `ctx.db` is convex-helpers' row-level security (`wrapDatabaseReader/Writer`,
    before convex-helpers 0.1.107) or triggers' `wrapDB` (before 0.1.108), or the app's
    convex-helpers version is unknown: those wrappers take the id as their first argument and
    pass only it on, so the rewritten call would read or write nothing (or the wrong row),
    and the types do not catch it; triggers' `wrapDB` of 0.1.106 and 0.1.107 takes the name
    but then throws for a table with no trigger registered. Update convex-helpers first.
    Naming a parameter `tableName: T` for an id typed `Id<T>` is unsafe: tsc accepts it for a
    generic `T` (convex 1.31.0 and 1.48.0), but a caller may give `T` a union of tables and
    pass one table's name with another table's id, which the backend then rejects where the
    one-argument form read the row. The parameter an `insert(tableName, ...)` that made the
    id was given names the id's own table: safe (a parameter assigned again is not named).
    """

    code = "CVX711"
    name = "explicit-table-ids"
    severity = Severity.WARNING
    summary = "`db.get/patch/replace/delete(id)` without the table name (convex >= 1.31)"
    fix_availability = "sometimes"
    plugin_rules = ("explicit-table-ids",)

    valid = [
        Valid(SERVER + 'export const f = query({ args: { id: v.id("tasks") }, handler: (ctx, { id }) => ctx.db.get(id) });\n',
              convex="1.30.0", note="the two-argument form does not exist before 1.31"),
        Valid(SERVER + 'export const f = query({ args: { id: v.id("tasks") }, handler: (ctx, { id }) => ctx.db.get(id) });\n',
              convex=None, note="unknown convex version"),
        Valid(SERVER + 'export const f = query({ args: { key: v.string() }, handler: (ctx, { key }) => {\n'
              '  const m = new Map<string, number>();\n  return m.get(key) ?? key.replace("a", "b");\n}});\n'),
        Valid(SERVER + 'import type { Id, TableNames } from "./_generated/dataModel";\n'
              'async function load<T extends TableNames>(ctx, table: T, id: Id<T>) { return await ctx.db.get(table, id); }\n'
              'export const f = query({ args: { id: v.union(v.id("tasks"), v.id("users")), raw: v.string() },\n'
              '  handler: async (ctx, { id, raw }) => [await ctx.db.get("tasks", id as any), await load(ctx, "users", id as any),\n'
              '    await ctx.db.get("users", ctx.db.normalizeId("users", raw)!)] });\n',
              files={"convex/schema.ts": SCHEMA},
              note="ids of either table, a table chosen by the caller, a normalized string: nothing certain"),
    ]
    invalid = [
        # triage G60a P11: convex-helpers trigger handlers: `change.newDoc` is a document of the table
        Invalid(_TRIGGERS.format(get='ctx.db.get(message.chatId)', get2='ctx.db.get(change.oldDoc.chatId)'),
                files={"convex/schema.ts": _CHAT_SCHEMA}, lines=[8, 14, 17],
                output=_TRIGGERS.format(get='ctx.db.get("chats", message.chatId)',
                                        get2='ctx.db.get("chats", change.oldDoc.chatId)'),
                note="a handler typed `Change<DataModel, \"messages\">`, and one written in "
                     "`triggers.register(\"messages\", ...)`; not one given to another class's `register`"),
        # triage G55a P3 (sasayaki): documents convex-helpers' relationship helpers return
        Invalid(SERVER + 'import { getAll, getManyFrom, getManyVia, getOneFrom } from "convex-helpers/server/relationships";\n'
                'export const wipe = mutation({ args: { owner: v.id("users"), team: v.string(), ids: v.array(v.id("tasks")) },\n'
                '  handler: async (ctx, args) => {\n'
                '    const mine = await getManyFrom(ctx.db, "tasks", "by_owner", args.owner);\n'
                '    for (const t of mine) await ctx.db.delete(t._id);\n'
                '    const first = await getOneFrom(ctx.db, "tasks", "by_owner", args.owner, "owner");\n'
                '    if (first) await ctx.db.patch(first._id, { title: "" });\n'
                '    for (const u of await getManyVia(ctx.db, "members", "user", "by_team", args.team)) if (u) await ctx.db.patch(u._id, { name: "" });\n'
                '    for (const t of await getAll(ctx.db, args.ids)) if (t) await ctx.db.delete(t._id);\n  },\n});\n',
                files={"convex/schema.ts": SCHEMA.replace('\n});', '\n  members: defineTable({ user: v.id("users"), team: v.string() }).index("by_team", ["team"]),\n});')},
                lines=[7, 9, 10, 11], note="getManyVia: the table the join table's field holds ids of; getAll: the ids' table",
                output=SERVER + 'import { getAll, getManyFrom, getManyVia, getOneFrom } from "convex-helpers/server/relationships";\n'
                'export const wipe = mutation({ args: { owner: v.id("users"), team: v.string(), ids: v.array(v.id("tasks")) },\n'
                '  handler: async (ctx, args) => {\n'
                '    const mine = await getManyFrom(ctx.db, "tasks", "by_owner", args.owner);\n'
                '    for (const t of mine) await ctx.db.delete("tasks", t._id);\n'
                '    const first = await getOneFrom(ctx.db, "tasks", "by_owner", args.owner, "owner");\n'
                '    if (first) await ctx.db.patch("tasks", first._id, { title: "" });\n'
                '    for (const u of await getManyVia(ctx.db, "members", "user", "by_team", args.team)) if (u) await ctx.db.patch("users", u._id, { name: "" });\n'
                '    for (const t of await getAll(ctx.db, args.ids)) if (t) await ctx.db.delete("tasks", t._id);\n  },\n});\n'),
        # triage G48b P5: an id in an object nested in a document
        Invalid('import type { QueryCtx } from "./_generated/server";\nimport type { Doc } from "./_generated/dataModel";\n'
                'export async function badge(ctx: QueryCtx, task: Doc<"tasks">) {\n'
                '  return task.review?.by ? await ctx.db.get(task.review.by) : null;\n}\n',
                files={"convex/schema.ts": SCHEMA.replace('owner: v.id("users") }',
                                                          'owner: v.id("users"),\n    review: v.optional(v.object({ by: v.id("users"), note: v.string() })) }')},
                lines=[4], message='write `db.get("users", ...)`',
                output='import type { QueryCtx } from "./_generated/server";\nimport type { Doc } from "./_generated/dataModel";\n'
                'export async function badge(ctx: QueryCtx, task: Doc<"tasks">) {\n'
                '  return task.review?.by ? await ctx.db.get("users", task.review.by) : null;\n}\n'),
        # triage G56b P5 (opsuite's getVisibleMemberships): a helper with several `return`s of one table's rows
        Invalid(_VISIBLE + _OWNERS, files={"convex/schema.ts": SCHEMA}, lines=[14], message='write `db.get("users", ...)`',
                output=_VISIBLE + _OWNERS.replace("get(t.owner)", 'get("users", t.owner)'),
                note="`[me]`, `[]` and the filtered rows of a query on the table agree"),
        Invalid(_VISIBLE.replace("return [];", 'return [await ctx.db.query("users").first()];') + _OWNERS,
                files={"convex/schema.ts": SCHEMA}, lines=[14], message="could not tell the table",
                note="one `return` gives a user: the rows may be of either table"),
        Invalid(_VISIBLE.replace("return [];", _CAST) + _OWNERS,
                files={"convex/schema.ts": SCHEMA}, lines=[14], message='write `db.get("users", ...)`',
                output=_VISIBLE.replace("return [];", _CAST) + _OWNERS.replace("get(t.owner)", 'get("users", t.owner)'),
                note="a value cast to an array of documents: the type says"),
        # triage G40 P3 (Ballon-Boutique's cart: `duplicates: CartItemDoc[]`, `type CartItemDoc = Doc<"cartItems">`)
        Invalid('import { MutationCtx } from "./_generated/server";\nimport { Doc } from "./_generated/dataModel";\n'
                'type TaskDoc = Doc<"tasks">;\n'
                'export async function rename(ctx: MutationCtx, task: TaskDoc) {\n  await ctx.db.patch(task._id, { title: task.title.trim() });\n}\n'
                'export async function purge(ctx: MutationCtx, done: TaskDoc[], old: ReadonlyArray<Doc<"tasks">>) {\n'
                '  for (const t of done) await ctx.db.delete(t._id);\n'
                '  for (const t of old) await ctx.db.delete(t._id);\n}\n',
                files={"convex/schema.ts": SCHEMA}, lines=[5, 8, 9], message='("tasks", ...)',
                note="a document typed through a local alias, or taken from a parameter typed as an array of documents",
                output='import { MutationCtx } from "./_generated/server";\nimport { Doc } from "./_generated/dataModel";\n'
                'type TaskDoc = Doc<"tasks">;\n'
                'export async function rename(ctx: MutationCtx, task: TaskDoc) {\n  await ctx.db.patch("tasks", task._id, { title: task.title.trim() });\n}\n'
                'export async function purge(ctx: MutationCtx, done: TaskDoc[], old: ReadonlyArray<Doc<"tasks">>) {\n'
                '  for (const t of done) await ctx.db.delete("tasks", t._id);\n'
                '  for (const t of old) await ctx.db.delete("tasks", t._id);\n}\n'),
        # triage G37 P6 (MartAI onboarding.ts): the `auth` object `convexAuth()` returns
        Invalid(SERVER + 'import { auth } from "./auth";\n'
                'export const me = query({ args: {}, handler: async (ctx) => {\n'
                '  const userId = await auth.getUserId(ctx);\n  return userId === null ? null : await ctx.db.get(userId);\n}});\n',
                files={"convex/schema.ts": SCHEMA, "convex/auth.ts": 'import { convexAuth } from "@convex-dev/auth/server";\n'
                       'export const { auth, signIn, signOut, store } = convexAuth({ providers: [] });\n'},
                lines=[6], message='write `db.get("users", ...)`',
                output=SERVER + 'import { auth } from "./auth";\n'
                'export const me = query({ args: {}, handler: async (ctx) => {\n'
                '  const userId = await auth.getUserId(ctx);\n'
                '  return userId === null ? null : await ctx.db.get("users", userId);\n}});\n'),
        # triage G29 #1/#2: a name declared again in an inner block or a for...of is another variable
        Invalid(SERVER + 'export const tidy = mutation({\n'
                '  args: { id: v.id("tasks"), user: v.id("users"), others: v.array(v.id("users")) },\n'
                '  handler: async (ctx, args) => {\n    const id = args.id;\n'
                '    {\n      const id = args.user;\n      await ctx.db.patch(id, { name: "x" });\n    }\n'
                '    for (const id of args.others) await ctx.db.get(id);\n    await ctx.db.delete(id);\n  },\n});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[9, 11, 12],
                output=SERVER + 'export const tidy = mutation({\n'
                '  args: { id: v.id("tasks"), user: v.id("users"), others: v.array(v.id("users")) },\n'
                '  handler: async (ctx, args) => {\n    const id = args.id;\n'
                '    {\n      const id = args.user;\n      await ctx.db.patch("users", id, { name: "x" });\n    }\n'
                '    for (const id of args.others) await ctx.db.get("users", id);\n    await ctx.db.delete("tasks", id);\n'
                '  },\n});\n'),
        # triage G24 P8 (neonbinder): ids whose table a type annotation or a validator names
        Invalid(SERVER + 'import type { MutationCtx } from "./_generated/server";\n'
                'import type { Id } from "./_generated/dataModel";\n'
                'async function rename(ctx: MutationCtx, todo: ReadonlyArray<{ userId: Id<"users"> }>) {\n'
                '  for (const item of todo) await ctx.db.patch(item.userId, { name: "x" });\n'
                "}\n"
                "export const sweep = mutation({\n"
                '  args: { moves: v.optional(v.array(v.object({ taskId: v.id("tasks"), title: v.string() }))) },\n'
                "  handler: async (ctx, args) => {\n"
                '    const queue: Array<{ id: Id<"tasks">; depth: number }> = [];\n'
                '    const stack: Id<"users">[] = [];\n'
                "    const { id } = queue.shift()!;\n"
                "    await ctx.db.delete(id);\n"
                "    const next = stack.pop()!;\n"
                "    await ctx.db.get(next);\n"
                "    for (const { id: taskId } of queue) await ctx.db.delete(taskId);\n"
                "    for (const m of args.moves ?? []) await ctx.db.patch(m.taskId, { title: m.title });\n"
                '    const rows = await ctx.db.query("tasks").take(10);\n'
                "    const sorted = [...rows].sort((a, b) => a.title.localeCompare(b.title));\n"
                '    await ctx.db.patch(sorted[0]._id, { title: "first" });\n'
                "    await rename(ctx, []);\n"
                "  },\n"
                "});\n",
                files={"convex/schema.ts": SCHEMA}, lines=[6, 14, 16, 17, 18, 21],
                note="the element type of an annotated array (a parameter or a local; taken with `shift()`/`pop()`, "
                     "iterated, destructured), an element of an array argument, a spread copy of query rows",
                output=SERVER + 'import type { MutationCtx } from "./_generated/server";\n'
                'import type { Id } from "./_generated/dataModel";\n'
                'async function rename(ctx: MutationCtx, todo: ReadonlyArray<{ userId: Id<"users"> }>) {\n'
                '  for (const item of todo) await ctx.db.patch("users", item.userId, { name: "x" });\n'
                "}\n"
                "export const sweep = mutation({\n"
                '  args: { moves: v.optional(v.array(v.object({ taskId: v.id("tasks"), title: v.string() }))) },\n'
                "  handler: async (ctx, args) => {\n"
                '    const queue: Array<{ id: Id<"tasks">; depth: number }> = [];\n'
                '    const stack: Id<"users">[] = [];\n'
                "    const { id } = queue.shift()!;\n"
                '    await ctx.db.delete("tasks", id);\n'
                "    const next = stack.pop()!;\n"
                '    await ctx.db.get("users", next);\n'
                '    for (const { id: taskId } of queue) await ctx.db.delete("tasks", taskId);\n'
                '    for (const m of args.moves ?? []) await ctx.db.patch("tasks", m.taskId, { title: m.title });\n'
                '    const rows = await ctx.db.query("tasks").take(10);\n'
                "    const sorted = [...rows].sort((a, b) => a.title.localeCompare(b.title));\n"
                '    await ctx.db.patch("tasks", sorted[0]._id, { title: "first" });\n'
                "    await rename(ctx, []);\n"
                "  },\n"
                "});\n"),
        # triage G11: a table-first call naming the wrong table (convex 1.31+ only has the form)
        Invalid(SERVER + 'export const f = mutation({ args: { taskId: v.id("tasks"), userId: v.id("users") },\n'
                '  handler: async (ctx, { taskId, userId }) => {\n'
                '    const user = await ctx.db.get("tasks", userId);\n'
                '    await ctx.db.patch("users", taskId, { title: "x" });\n'
                '    await ctx.db.patch("tasks", taskId, { title: "y" });\n'
                '    const owner = await ctx.db.get("users", userId);\n'
                '    return [user, owner];\n  } });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[5, 6], message="the backend checks the id against",
                convex=None, note="any version: the two-argument form names the table, the id is of another"),
        Invalid(SERVER + 'async function requireUser(ctx, name: string) {\n'
                '  const user = await ctx.db.query("users").filter((q) => q.eq(q.field("name"), name)).first();\n'
                '  if (!user) throw new Error("no user");\n  return { user, name };\n}\n'
                'export const rename = mutation({ args: { name: v.string() }, handler: async (ctx, args) => {\n'
                '  const { user } = await requireUser(ctx, args.name);\n'
                '  await ctx.db.patch(user._id, { name: args.name + "!" });\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[10],
                note="a document destructured from the object a same-file helper returns",
                output=SERVER + 'async function requireUser(ctx, name: string) {\n'
                '  const user = await ctx.db.query("users").filter((q) => q.eq(q.field("name"), name)).first();\n'
                '  if (!user) throw new Error("no user");\n  return { user, name };\n}\n'
                'export const rename = mutation({ args: { name: v.string() }, handler: async (ctx, args) => {\n'
                '  const { user } = await requireUser(ctx, args.name);\n'
                '  await ctx.db.patch("users", user._id, { name: args.name + "!" });\n}});\n'),
        Invalid(SERVER + 'async function either(ctx, id: string) {\n'
                '  const task = await ctx.db.query("tasks").first();\n'
                '  if (task) return { doc: task };\n'
                '  return { doc: await ctx.db.query("users").first() };\n}\n'
                'export const touch = mutation({ args: { id: v.string() }, handler: async (ctx, args) => {\n'
                '  const { doc } = await either(ctx, args.id);\n'
                '  if (doc) await ctx.db.patch(doc._id, {});\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[10], message="could not tell the table",
                note="the helper's returns disagree on the table: no fix"),
        # triage G27 P1: a `let` that may hold ids of two tables gets no fix (the first value's
        # table fails tsc and the backend's id check whenever the other branch ran)
        Invalid(SERVER + 'import type { Id } from "./_generated/dataModel";\n'
                'export const discard = mutation({ args: { task: v.id("tasks"), user: v.id("users"), both: v.boolean() },\n'
                '  handler: async (ctx, args) => {\n'
                '    let target: Id<"tasks"> | Id<"users"> = args.task;\n'
                '    if (args.both) target = args.user;\n'
                '    await ctx.db.delete(target);\n'
                '    let other = args.user;\n'
                '    if (!args.both) other = args.task;\n'
                '    await ctx.db.get(other);\n'
                '    const either: Id<"tasks"> | Id<"users"> = args.task;\n'
                '    await ctx.db.get(either);\n'
                '  } });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[8, 11, 13], message="may hold an id of `tasks` or `users`",
                note="reassigned from another table, or declared with a union of id types: no fix"),
        Invalid(SERVER + 'export const drop = mutation({ args: { task: v.id("tasks") }, handler: async (ctx, args) => {\n'
                '  let doc = await ctx.db.get("tasks", args.task);\n'
                '  if (!doc) doc = await ctx.db.query("users").first();\n'
                '  if (doc) await ctx.db.delete(doc._id);\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[6], message="could not tell the table",
                note="a document `let` reassigned from another table: no fix"),
        # triage G51a P4 (claude-comms' job groups): a `let` a loop steps along a linked list of one table
        Invalid(WALK, files={"convex/schema.ts": LINKED}, lines=[7], message='write `db.get("tasks", ...)`',
                output=WALK.replace("ctx.db.get(cur)", 'ctx.db.get("tasks", cur)')),
        Invalid(SERVER + 'export const hop = query({ args: { first: v.id("tasks") }, handler: async (ctx, args) => {\n'
                '  let cur = args.first;\n'
                '  for (let i = 0; i < 3 && cur; i++) {\n'
                '    const row = await ctx.db.get(cur);\n'
                '    cur = row?.owner;\n'
                '  }\n}});\n',
                files={"convex/schema.ts": LINKED}, lines=[6], message="could not tell the table",
                note="the second step holds a `users` id: no fix"),
        Invalid(SERVER + 'export const upsert = mutation({ args: { id: v.optional(v.id("tasks")) }, handler: async (ctx, args) => {\n'
                '  let id = args.id;\n'
                '  if (!id) id = await ctx.db.insert("tasks", { title: "new", owner: "u" as any });\n'
                '  await ctx.db.patch(id, { title: "seen" });\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[6],
                note="a `let` every assignment of which is an id of one table",
                output=SERVER + 'export const upsert = mutation({ args: { id: v.optional(v.id("tasks")) }, handler: async (ctx, args) => {\n'
                '  let id = args.id;\n'
                '  if (!id) id = await ctx.db.insert("tasks", { title: "new", owner: "u" as any });\n'
                '  await ctx.db.patch("tasks", id, { title: "seen" });\n}});\n'),
        # triage G57c P6 (Harness workspaces.ts): a `let` reset to `undefined` or `null` holds no
        # other table's id; one also assigned another table's id still gets no fix
        Invalid(_RESET, files={"convex/schema.ts": SCHEMA}, lines=[7, 13, 19],
                note="reset to undefined/null: fixed; also assigned a users id: no fix",
                output=_RESET.replace("ctx.db.get(task)", 'ctx.db.get("tasks", task)')
                .replace("ctx.db.patch(last,", 'ctx.db.patch("tasks", last,')),
        # triage G27 P5 (Elevenprocess/backend_convex's 22 unfixed calls): a member of a type
        # alias or interface of the file, `??` between two documents of one table, the keys of
        # a `Map<Id<"t">, ...>`
        Invalid(SERVER + 'import type { MutationCtx } from "./_generated/server";\n'
                'import type { Id } from "./_generated/dataModel";\n'
                'type Assignment = { taskId: Id<"tasks">; note?: string };\n'
                'interface Owner { userId: Id<"users"> }\n'
                'async function close(ctx: MutationCtx, job: Assignment, { userId }: Owner) {\n'
                '  await ctx.db.patch(job.taskId, { title: "closed" });\n'
                '  await ctx.db.get(userId);\n}\n'
                'export const tidy = mutation({ args: { title: v.string() }, handler: async (ctx, args) => {\n'
                '  const hit = (await ctx.db.query("tasks").filter((q) => q.eq(q.field("title"), args.title)).first())\n'
                '    ?? (await ctx.db.query("tasks").first());\n'
                '  if (hit) await ctx.db.patch(hit._id, { title: "seen" });\n'
                '  const byOwner = new Map<Id<"users">, number>();\n'
                '  const rows = await ctx.db.query("tasks").take(20);\n'
                '  for (const row of rows) byOwner.set(row.owner, (byOwner.get(row.owner) ?? 0) + 1);\n'
                '  for (const [owner, count] of byOwner) if (count > 5) await ctx.db.get(owner);\n'
                '  for (const owner of byOwner.keys()) await ctx.db.get(owner);\n'
                '  const pick = rows.find((t) => t.title === args.title) ?? rows[0];\n'
                '  if (pick) await ctx.db.delete(pick._id);\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[8, 9, 14, 18, 19, 21],
                output=SERVER + 'import type { MutationCtx } from "./_generated/server";\n'
                'import type { Id } from "./_generated/dataModel";\n'
                'type Assignment = { taskId: Id<"tasks">; note?: string };\n'
                'interface Owner { userId: Id<"users"> }\n'
                'async function close(ctx: MutationCtx, job: Assignment, { userId }: Owner) {\n'
                '  await ctx.db.patch("tasks", job.taskId, { title: "closed" });\n'
                '  await ctx.db.get("users", userId);\n}\n'
                'export const tidy = mutation({ args: { title: v.string() }, handler: async (ctx, args) => {\n'
                '  const hit = (await ctx.db.query("tasks").filter((q) => q.eq(q.field("title"), args.title)).first())\n'
                '    ?? (await ctx.db.query("tasks").first());\n'
                '  if (hit) await ctx.db.patch("tasks", hit._id, { title: "seen" });\n'
                '  const byOwner = new Map<Id<"users">, number>();\n'
                '  const rows = await ctx.db.query("tasks").take(20);\n'
                '  for (const row of rows) byOwner.set(row.owner, (byOwner.get(row.owner) ?? 0) + 1);\n'
                '  for (const [owner, count] of byOwner) if (count > 5) await ctx.db.get("users", owner);\n'
                '  for (const owner of byOwner.keys()) await ctx.db.get("users", owner);\n'
                '  const pick = rows.find((t) => t.title === args.title) ?? rows[0];\n'
                '  if (pick) await ctx.db.delete("tasks", pick._id);\n}});\n'),
        Invalid(SERVER + 'import type { Id } from "./_generated/dataModel";\n'
                'export const pick = mutation({ args: {}, handler: async (ctx) => {\n'
                '  const byKey = new Map<string, string>();\n'
                '  for (const [, id] of byKey) await ctx.db.get(id as any);\n'
                '  for (const [key] of byKey) await ctx.db.get(key as any);\n'
                '  const a = (await ctx.db.query("tasks").first()) ?? (await ctx.db.query("users").first());\n'
                '  if (a) await ctx.db.delete(a._id);\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[6, 7, 9], message="could not tell the table",
                note="no fix: a Map's values or keys typed `string`, `??` between documents of two tables"),
        Invalid(SERVER + 'import type { Id } from "./_generated/dataModel";\n'
                'export const greet = mutation({ args: { names: v.array(v.string()) }, handler: async (ctx, args) => {\n'
                '  const byTitle = new Map<string, Id<"users">>();\n'
                '  for (const task of await ctx.db.query("tasks").take(50)) byTitle.set(task.title, task.owner);\n'
                '  for (const name of args.names) if (byTitle.has(name)) await ctx.db.get(byTitle.get(name)!);\n'
                '  for (const [, owner] of byTitle) await ctx.db.get(owner);\n'
                '  for (const [title, owner] of byTitle.entries()) await ctx.db.patch(owner, { name: title });\n'
                '  for (const owner of [...byTitle.values()]) await ctx.db.get(owner);\n'
                '  await Promise.all(Array.from(byTitle.values()).map((owner) => ctx.db.get(owner)));\n'
                '  await Promise.all(Array.from(byTitle.values(), (owner) => owner).map((owner) => ctx.db.delete(owner)));\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[7, 8, 9, 10, 11, 12],
                output=SERVER + 'import type { Id } from "./_generated/dataModel";\n'
                'export const greet = mutation({ args: { names: v.array(v.string()) }, handler: async (ctx, args) => {\n'
                '  const byTitle = new Map<string, Id<"users">>();\n'
                '  for (const task of await ctx.db.query("tasks").take(50)) byTitle.set(task.title, task.owner);\n'
                '  for (const name of args.names) if (byTitle.has(name)) await ctx.db.get("users", byTitle.get(name)!);\n'
                '  for (const [, owner] of byTitle) await ctx.db.get("users", owner);\n'
                '  for (const [title, owner] of byTitle.entries()) await ctx.db.patch("users", owner, { name: title });\n'
                '  for (const owner of [...byTitle.values()]) await ctx.db.get("users", owner);\n'
                '  await Promise.all(Array.from(byTitle.values()).map((owner) => ctx.db.get("users", owner)));\n'
                '  await Promise.all(Array.from(byTitle.values(), (owner) => owner).map((owner) => ctx.db.delete(owner)));\n}});\n',
                note="the values of a `Map<string, Id<\"t\">>`: read with `get`, iterated, spread, copied; "
                     "`Array.from` with a mapping function may make anything of them"),
        # triage G38 P4 (jobkompass-v3 jobLeads.ts, savoirinvestir workspaces.ts): ids in a Set, mapped
        # out of documents, in a Map made from entries
        Invalid(SERVER + 'import type { Id } from "./_generated/dataModel";\n'
                'export const sweep = mutation({ args: {}, handler: async (ctx) => {\n'
                '  const rows = await ctx.db.query("tasks").take(50);\n'
                '  const seen = new Set<Id<"users">>();\n'
                '  for (const row of rows) seen.add(row.owner);\n'
                '  for (const owner of seen) await ctx.db.get(owner);\n'
                '  for (const owner of new Set(rows.map((row) => row.owner))) await ctx.db.get(owner);\n'
                '  const owners = rows.map((row) => row.owner);\n'
                '  for (const owner of owners) await ctx.db.patch(owner, { name: "seen" });\n'
                '  const byTitle = new Map(rows.map((row) => [row.title, row.owner] as const));\n'
                '  for (const owner of byTitle.values()) await ctx.db.get(owner);\n'
                '  const byId = new Map(rows.map((row) => [row._id, row]));\n'
                '  for (const id of byId.keys()) await ctx.db.delete(id);\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[8, 9, 11, 13, 15],
                output=SERVER + 'import type { Id } from "./_generated/dataModel";\n'
                'export const sweep = mutation({ args: {}, handler: async (ctx) => {\n'
                '  const rows = await ctx.db.query("tasks").take(50);\n'
                '  const seen = new Set<Id<"users">>();\n'
                '  for (const row of rows) seen.add(row.owner);\n'
                '  for (const owner of seen) await ctx.db.get("users", owner);\n'
                '  for (const owner of new Set(rows.map((row) => row.owner))) await ctx.db.get("users", owner);\n'
                '  const owners = rows.map((row) => row.owner);\n'
                '  for (const owner of owners) await ctx.db.patch("users", owner, { name: "seen" });\n'
                '  const byTitle = new Map(rows.map((row) => [row.title, row.owner] as const));\n'
                '  for (const owner of byTitle.values()) await ctx.db.get("users", owner);\n'
                '  const byId = new Map(rows.map((row) => [row._id, row]));\n'
                '  for (const id of byId.keys()) await ctx.db.delete("tasks", id);\n}});\n',
                note="a `Set<Id<\"t\">>`, `new Set(...)` of ids, `docs.map((d) => d.owner)`, a Map made from entries"),
        Invalid(SERVER + 'import type { Id } from "./_generated/dataModel";\n'
                'export const sweep = mutation({ args: {}, handler: async (ctx) => {\n'
                '  const rows = await ctx.db.query("tasks").take(50);\n'
                '  const mixed = rows.map((row) => {\n    if (row.title) return row.owner;\n    return row._id;\n  });\n'
                '  for (const id of mixed) await ctx.db.get(id);\n'
                '  const byTitle = new Map(rows.map((row) => [row.title, row.title]));\n'
                '  for (const id of byTitle.values()) await ctx.db.get(id as Id<any>);\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[10, 12],
                note="no fix: a callback returning ids of two tables; a Map made from entries whose values are no ids"),
        # triage G58a P6 (tp2's goals): a document taken out of a Map of query results
        Invalid(SERVER + 'export const rank = mutation({ args: { titles: v.array(v.string()) }, handler: async (ctx, { titles }) => {\n'
                '  const rows = await ctx.db.query("tasks").take(50);\n'
                '  const byTitle = new Map(rows.map((row) => [row.title, row]));\n'
                '  const task = byTitle.get(titles[0]);\n'
                '  if (task) await ctx.db.patch(task._id, { title: "first" });\n'
                '  const mixed = new Map(rows.map((row) => [row.title, row]));\n'
                '  const me = await ctx.db.query("users").first();\n'
                '  if (me) mixed.set(me.name, me as any);\n'
                '  const other = mixed.get(titles[1]);\n'
                '  if (other) await ctx.db.patch(other._id, { title: "second" });\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[7, 12],
                output=SERVER + 'export const rank = mutation({ args: { titles: v.array(v.string()) }, handler: async (ctx, { titles }) => {\n'
                '  const rows = await ctx.db.query("tasks").take(50);\n'
                '  const byTitle = new Map(rows.map((row) => [row.title, row]));\n'
                '  const task = byTitle.get(titles[0]);\n'
                '  if (task) await ctx.db.patch("tasks", task._id, { title: "first" });\n'
                '  const mixed = new Map(rows.map((row) => [row.title, row]));\n'
                '  const me = await ctx.db.query("users").first();\n'
                '  if (me) mixed.set(me.name, me as any);\n'
                '  const other = mixed.get(titles[1]);\n'
                '  if (other) await ctx.db.patch(other._id, { title: "second" });\n}});\n',
                note="`byTitle.get(...)` of a Map made from the rows; no fix once another document is `.set` in it"),
        Invalid('import type { QueryCtx } from "./_generated/server";\nimport type { Id } from "./_generated/dataModel";\n'
                'export async function owned(ctx: QueryCtx, id: Id<any>, owner: string) {\n'
                '  const doc = await ctx.db.get(id);\n  return doc?.owner === owner ? doc : null;\n}\n',
                files={"convex/schema.ts": SCHEMA}, lines=[4], message="the id's type is `Id<any>`",
                note="`Id<any>` is no type parameter: no table name for a caller to pass in (info)"),
        # triage G13 (xstudio): rows from a same-file helper whose every `return` reads one table
        Invalid(SERVER + 'import type { Id } from "./_generated/dataModel";\nimport type { QueryCtx } from "./_generated/server";\n'
                'async function recentTasks(ctx: QueryCtx, owner: Id<"users"> | undefined, limit: number) {\n'
                '  if (owner) {\n'
                '    const mine = await ctx.db.query("tasks").withIndex("by_owner", (q) => q.eq("owner", owner)).take(limit);\n'
                '    if (mine.length > 0) return mine;\n'
                '    const all = await ctx.db.query("tasks").order("desc").take(limit * 4);\n'
                '    return all.filter((t) => t.title !== "").slice(0, limit);\n  }\n'
                '  return await ctx.db.query("tasks").order("desc").take(limit);\n}\n'
                'export const archive = mutation({ args: { owner: v.optional(v.id("users")) }, handler: async (ctx, args) => {\n'
                '  const rows = await recentTasks(ctx, args.owner, 20);\n'
                '  for (const row of rows) await ctx.db.patch(row._id, { title: "archived" });\n'
                '  await Promise.all((await recentTasks(ctx, undefined, 5)).map((t) => ctx.db.delete(t._id)));\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[16, 17],
                note="rows a same-file helper returns: every `return` gives rows of `tasks`",
                output=SERVER + 'import type { Id } from "./_generated/dataModel";\nimport type { QueryCtx } from "./_generated/server";\n'
                'async function recentTasks(ctx: QueryCtx, owner: Id<"users"> | undefined, limit: number) {\n'
                '  if (owner) {\n'
                '    const mine = await ctx.db.query("tasks").withIndex("by_owner", (q) => q.eq("owner", owner)).take(limit);\n'
                '    if (mine.length > 0) return mine;\n'
                '    const all = await ctx.db.query("tasks").order("desc").take(limit * 4);\n'
                '    return all.filter((t) => t.title !== "").slice(0, limit);\n  }\n'
                '  return await ctx.db.query("tasks").order("desc").take(limit);\n}\n'
                'export const archive = mutation({ args: { owner: v.optional(v.id("users")) }, handler: async (ctx, args) => {\n'
                '  const rows = await recentTasks(ctx, args.owner, 20);\n'
                '  for (const row of rows) await ctx.db.patch("tasks", row._id, { title: "archived" });\n'
                '  await Promise.all((await recentTasks(ctx, undefined, 5)).map((t) => ctx.db.delete("tasks", t._id)));\n}});\n'),
        Invalid(SERVER + 'import type { QueryCtx } from "./_generated/server";\n'
                'async function someRows(ctx: QueryCtx, people: boolean) {\n'
                '  if (people) return await ctx.db.query("users").take(10);\n'
                '  return await ctx.db.query("tasks").take(10);\n}\n'
                'export const wipe = mutation({ args: { people: v.boolean() }, handler: async (ctx, args) => {\n'
                '  for (const row of await someRows(ctx, args.people)) await ctx.db.delete(row._id);\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[9], message="could not tell the table",
                note="one of the helper's returns reads another table: no fix"),
        # triage G20 (BaseBlocks, agent-ui, truss): reads run in parallel, their results destructured
        Invalid(SERVER + 'export const settle = mutation({ args: { id: v.id("tasks"), ids: v.array(v.id("tasks")) }, handler: async (ctx, args) => {\n'
                '  const [task, people, , newest] = await Promise.all([\n'
                '    ctx.db.get(args.id),\n'
                '    ctx.db.query("users").take(5),\n'
                '    // read, then dropped: the pattern skips it\n'
                '    ctx.db.query("tasks").first(),\n'
                '    ctx.db.query("users").order("desc").first(),\n'
                '  ]);\n'
                '  if (task) await ctx.db.patch(task._id, { title: "settled" });\n'
                '  for (const person of people) await ctx.db.patch(person._id, { name: "x" });\n'
                '  if (newest) await ctx.db.delete(newest._id);\n'
                '  const [created] = await Promise.all([ctx.db.insert("tasks", { title: "y", owner: "u" as any })]);\n'
                '  await ctx.db.delete(created);\n'
                '  const loaded = await Promise.all(args.ids.map((id) => ctx.db.get(id)));\n'
                '  for (const row of loaded) if (row) await ctx.db.delete(row._id);\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[5, 11, 12, 13, 15, 16, 17],
                note="names destructured from `await Promise.all([...])` (a hole skips an element; a comma in a "
                     "comment separates none), and the "
                     "documents of `Promise.all(ids.map(...))`",
                output=SERVER + 'export const settle = mutation({ args: { id: v.id("tasks"), ids: v.array(v.id("tasks")) }, handler: async (ctx, args) => {\n'
                '  const [task, people, , newest] = await Promise.all([\n'
                '    ctx.db.get("tasks", args.id),\n'
                '    ctx.db.query("users").take(5),\n'
                '    // read, then dropped: the pattern skips it\n'
                '    ctx.db.query("tasks").first(),\n'
                '    ctx.db.query("users").order("desc").first(),\n'
                '  ]);\n'
                '  if (task) await ctx.db.patch("tasks", task._id, { title: "settled" });\n'
                '  for (const person of people) await ctx.db.patch("users", person._id, { name: "x" });\n'
                '  if (newest) await ctx.db.delete("users", newest._id);\n'
                '  const [created] = await Promise.all([ctx.db.insert("tasks", { title: "y", owner: "u" as any })]);\n'
                '  await ctx.db.delete("tasks", created);\n'
                '  const loaded = await Promise.all(args.ids.map((id) => ctx.db.get("tasks", id)));\n'
                '  for (const row of loaded) if (row) await ctx.db.delete("tasks", row._id);\n}});\n'),
        Invalid(SERVER + 'export const mixed = mutation({ args: { id: v.id("tasks"), uid: v.id("users") }, handler: async (ctx, args) => {\n'
                '  const earlier = [ctx.db.get("users", args.uid)];\n'
                '  const [first, second] = await Promise.all([...earlier, ctx.db.get("tasks", args.id)]);\n'
                '  const both = await Promise.all([args.id, args.uid].map((id, i) => i ? ctx.db.get("users", args.uid) : ctx.db.get("tasks", args.id)));\n'
                '  if (first && second) await ctx.db.patch(second._id, {});\n'
                '  for (const doc of both) if (doc) await ctx.db.delete(doc._id);\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[7, 8], message="could not tell the table",
                note="no fix: an element after a spread, documents of two tables"),
        Invalid('import { v } from "convex/values";\nimport { guardedMutation } from "./rls";\n'
                'export const finish = guardedMutation({ args: { id: v.id("tasks") }, handler: async (ctx, { id }) => {\n'
                '  await ctx.db.patch(id, { title: "done" });\n}});\n',
                files={"convex/schema.ts": SCHEMA, "convex/rls.ts": RLS,
                       "package.json": '{"dependencies": {"convex": "1.31.0", "convex-helpers": "0.1.100"}}'},
                lines=[4], message="once convex-helpers is 0.1.107 or newer",
                output='import { v } from "convex/values";\nimport { guardedMutation } from "./rls";\n'
                       'export const finish = guardedMutation({ args: { id: v.id("tasks") }, handler: async (ctx, { id }) => {\n'
                       '  await ctx.db.patch("tasks", id, { title: "done" });\n}});\n',
                note="row-level security from convex-helpers 0.1.100 would take the name for the id: unsafe"),
        Invalid("import { query } from './_generated/server';\nimport { v } from 'convex/values';\n"
                "export const one = query({ args: { id: v.id('tasks') }, handler: (ctx, { id }) => ctx.db.get(id) });\n",
                files={"convex/schema.ts": SCHEMA}, lines=[3],
                output="import { query } from './_generated/server';\nimport { v } from 'convex/values';\n"
                "export const one = query({ args: { id: v.id('tasks') }, handler: (ctx, { id }) => ctx.db.get('tasks', id) });\n",
                note="the table name in the quotes the file uses (Prettier's singleQuote)"),
        Invalid('import { query } from "./_generated/server";\nimport { vv } from "./lib/vv";\n'
                'export const one = query({ args: { id: vv.id("tasks") }, handler: (ctx, { id }) => ctx.db.get(id) });\n',
                files={"convex/schema.ts": SCHEMA, "convex/lib/vv.ts": 'import { typedV } from "convex-helpers/validators";\n'
                       'import schema from "../schema";\nexport const vv = typedV(schema);\n'}, lines=[3],
                output='import { query } from "./_generated/server";\nimport { vv } from "./lib/vv";\n'
                'export const one = query({ args: { id: vv.id("tasks") }, handler: (ctx, { id }) => ctx.db.get("tasks", id) });\n',
                note="convex-helpers' typedV(schema), imported: `vv.id` names the table as `v.id` does"),
        Invalid('import type { Doc, Id } from "./_generated/dataModel";\n'
                'export async function siteOf(ctx: { db: { get: (id: Id<"tasks">) => Promise<Doc<"tasks"> | null> } }, id: Id<"tasks">) {\n'
                '  return await ctx.db.get(id);\n}\n', files={"convex/schema.ts": SCHEMA}, lines=[3],
                message="hand-written type allows it",
                note="ctx typed by hand with a one-argument `get`: the rewrite would not compile (TS2554), so no fix"),
        Invalid(SERVER + 'import type { Id } from "./_generated/dataModel";\nimport type { DatabaseReader } from "./_generated/server";\n'
                'async function siteOf(ctx: { db: DatabaseReader }, id: Id<"tasks">) {\n'
                '  return await ctx.db.get(id);\n}\n'
                'export const site = query({ args: { id: v.id("tasks") }, handler: (ctx, { id }) => siteOf(ctx, id) });\n',
                files={"convex/schema.ts": SCHEMA}, lines=[6],
                output=SERVER + 'import type { Id } from "./_generated/dataModel";\nimport type { DatabaseReader } from "./_generated/server";\n'
                'async function siteOf(ctx: { db: DatabaseReader }, id: Id<"tasks">) {\n'
                '  return await ctx.db.get("tasks", id);\n}\n'
                'export const site = query({ args: { id: v.id("tasks") }, handler: (ctx, { id }) => siteOf(ctx, id) });\n',
                note="an object type whose `db` is Convex's own still takes the table name"),
        Invalid(SERVER + 'export const rename = mutation({ args: { id: v.id("acounts"), name: v.string() }, handler: async (ctx, { id, name }) => {\n'
                '  await ctx.db.patch(id, { name });\n}});\n', files={"convex/schema.ts": SCHEMA}, lines=[4],
                message="which the schema does not define", note="no fix: the id names a table the schema lacks"),
        Invalid('import type { MutationCtx } from "./_generated/server";\n'
                'import type { Doc, TableNames } from "./_generated/dataModel";\n'
                'import type { WithoutSystemFields } from "convex/server";\n'
                'export async function create<T extends TableNames>(ctx: MutationCtx, tableName: T, data: WithoutSystemFields<Doc<T>>) {\n'
                '  const id = await ctx.db.insert(tableName, data);\n  return await ctx.db.get(id);\n}\n',
                lines=[6], message="write `db.get(tableName, ...)`",
                output='import type { MutationCtx } from "./_generated/server";\n'
                'import type { Doc, TableNames } from "./_generated/dataModel";\n'
                'import type { WithoutSystemFields } from "convex/server";\n'
                'export async function create<T extends TableNames>(ctx: MutationCtx, tableName: T, data: WithoutSystemFields<Doc<T>>) {\n'
                '  const id = await ctx.db.insert(tableName, data);\n  return await ctx.db.get(tableName, id);\n}\n',
                note="the id of an insert into a table the caller names: that same parameter names it (safe)"),
        # triage G47 P4 (mom-convex's repository factory): the table name is a parameter typed
        # with the id's type parameter, whether the id's type is written on the parameter or
        # comes from the return type `Repo<T>`: one message, one (unsafe) fix
        Invalid('import type { MutationCtx, QueryCtx } from "./_generated/server";\n'
                'import type { Doc, Id, TableNames } from "./_generated/dataModel";\n'
                'interface Repo<R extends TableNames> {\n  one(ctx: QueryCtx, id: Id<R>): Promise<Doc<R> | null>;\n'
                '  drop: (ctx: MutationCtx, id: Id<R>) => Promise<void>;\n}\n'
                'export function repoOf<T extends TableNames>(name: T): Repo<T> {\n'
                '  return { one: async (ctx, id) => await ctx.db.get(id), async drop(ctx, id) { await ctx.db.delete(id); } };\n}\n'
                'export function typedRepoOf<T extends TableNames>(name: T) {\n'
                '  return { one: async (ctx: QueryCtx, id: Id<T>) => await ctx.db.get(id) };\n}\n'
                'export const pick = async <T extends TableNames>(ctx: QueryCtx, name: T, ids: Id<T>[]) => {\n'
                '  for (const id of ids) await ctx.db.get(id);\n};\n',
                files={"convex/schema.ts": SCHEMA}, lines=[8, 8, 11, 14],
                message="the id's table is the one `name` names",
                output='import type { MutationCtx, QueryCtx } from "./_generated/server";\n'
                'import type { Doc, Id, TableNames } from "./_generated/dataModel";\n'
                'interface Repo<R extends TableNames> {\n  one(ctx: QueryCtx, id: Id<R>): Promise<Doc<R> | null>;\n'
                '  drop: (ctx: MutationCtx, id: Id<R>) => Promise<void>;\n}\n'
                'export function repoOf<T extends TableNames>(name: T): Repo<T> {\n'
                '  return { one: async (ctx, id) => await ctx.db.get(name, id), async drop(ctx, id) { await ctx.db.delete(name, id); } };\n}\n'
                'export function typedRepoOf<T extends TableNames>(name: T) {\n'
                '  return { one: async (ctx: QueryCtx, id: Id<T>) => await ctx.db.get(name, id) };\n}\n'
                'export const pick = async <T extends TableNames>(ctx: QueryCtx, name: T, ids: Id<T>[]) => {\n'
                '  for (const id of ids) await ctx.db.get(name, id);\n};\n'),
        Invalid('import type { QueryCtx } from "./_generated/server";\n'
                'import type { Id, TableNames } from "./_generated/dataModel";\n'
                'interface Repo<R extends TableNames> {\n  one(ctx: QueryCtx, id: Id<R>): Promise<unknown>;\n}\n'
                'export function repoOf<T extends TableNames>(): Repo<T> {\n'
                '  return { one: async (ctx, id) => await ctx.db.get(id) };\n}\n'
                'export function pairOf<T extends TableNames>(a: T, b: T) {\n'
                '  return async (ctx: QueryCtx, id: Id<T>) => await ctx.db.get(id);\n}\n'
                'export function renamed<T extends TableNames>(name: T) {\n'
                '  return async (ctx: QueryCtx, id: Id<T>) => { const name = "tasks"; return await ctx.db.get(id); };\n}\n'
                'export function moved<T extends TableNames>(name: T, other: T) {\n'
                '  name = other;\n  return async (ctx: QueryCtx, id: Id<T>) => await ctx.db.get(id);\n}\n'
                'export function inner<T extends TableNames>(name: T) {\n'
                '  return <T extends TableNames>(ctx: QueryCtx, id: Id<T>) => ctx.db.get(id);\n}\n',
                files={"convex/schema.ts": SCHEMA}, lines=[7, 10, 13, 17, 20], message="pass the table name in from the caller",
                note="no value holds the table (none, two, one hidden by a local, one assigned again, another `T`): info, no fix"),
        Invalid(SERVER + 'export const touch = mutation({ args: { title: v.string() }, handler: async (ctx, { title }) => {\n'
                '  let existing;\n  if (title) existing = await ctx.db.query("tasks").withIndex("by_owner").filter((q) => q.eq(q.field("title"), title)).first();\n'
                '  if (existing) await ctx.db.patch(existing._id, { title });\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[6],
                output=SERVER + 'export const touch = mutation({ args: { title: v.string() }, handler: async (ctx, { title }) => {\n'
                '  let existing;\n  if (title) existing = await ctx.db.query("tasks").withIndex("by_owner").filter((q) => q.eq(q.field("title"), title)).first();\n'
                '  if (existing) await ctx.db.patch("tasks", existing._id, { title });\n}});\n',
                note="a `let` assigned later, in a branch"),
        Invalid(SERVER + 'export const accept = mutation({ args: { title: v.string() }, handler: async (ctx, { title }) => {\n'
                '  let found = null;\n  const open = await ctx.db.query("tasks").take(20);\n'
                '  found = open.find((t) => t.title === title) ?? null;\n'
                '  if (found) await ctx.db.patch(found._id, { title: title + "!" });\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[7],
                output=SERVER + 'export const accept = mutation({ args: { title: v.string() }, handler: async (ctx, { title }) => {\n'
                '  let found = null;\n  const open = await ctx.db.query("tasks").take(20);\n'
                '  found = open.find((t) => t.title === title) ?? null;\n'
                '  if (found) await ctx.db.patch("tasks", found._id, { title: title + "!" });\n}});\n',
                note="a `let` declared `null`, assigned an element of a query's rows or null (process-control)"),
        Invalid(SERVER + 'export const touch = mutation({ args: {}, handler: async (ctx) => {\n'
                '  let picked = null;\n  picked = await ctx.db.query("tasks").first();\n'
                '  if (!picked) ({ picked } = { picked: await ctx.db.query("users").first() });\n'
                '  if (picked) await ctx.db.patch(picked._id, {});\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[7], message="could not tell the table",
                note="no fix: the `let` is also assigned by destructuring, which is not read"),
        Invalid(SERVER + 'import type { Id } from "./_generated/dataModel";\n'
                'export const seen = mutation({ args: { payload: v.any() }, handler: async (ctx, args) => {\n'
                '  const event = args.payload as { taskId: Id<"tasks">; by: { userId: Id<"users"> } };\n'
                '  await ctx.db.patch(event.taskId, { title: "seen" });\n'
                '  const { taskId: again, by: { userId } } = args.payload as { taskId: Id<"tasks">; by: { userId: Id<"users"> } };\n'
                '  const viewer: { id: Id<"users"> } = { id: userId };\n'
                '  return [await ctx.db.get(again), await ctx.db.get(event.by.userId), await ctx.db.get(viewer.id),\n'
                '    await ctx.db.get((args.payload as { ownerId: Id<"users"> }).ownerId)];\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[6, 9, 9, 9, 10],
                output=SERVER + 'import type { Id } from "./_generated/dataModel";\n'
                'export const seen = mutation({ args: { payload: v.any() }, handler: async (ctx, args) => {\n'
                '  const event = args.payload as { taskId: Id<"tasks">; by: { userId: Id<"users"> } };\n'
                '  await ctx.db.patch("tasks", event.taskId, { title: "seen" });\n'
                '  const { taskId: again, by: { userId } } = args.payload as { taskId: Id<"tasks">; by: { userId: Id<"users"> } };\n'
                '  const viewer: { id: Id<"users"> } = { id: userId };\n'
                '  return [await ctx.db.get("tasks", again), await ctx.db.get("users", event.by.userId), await ctx.db.get("users", viewer.id),\n'
                '    await ctx.db.get("users", (args.payload as { ownerId: Id<"users"> }).ownerId)];\n}});\n',
                note="members of an object type the code casts to or annotates, also destructured (churchfeed's "
                     "notification payloads)"),
        Invalid(SERVER + 'import type { Id } from "./_generated/dataModel";\n'
                'type Base = { kind: string };\n'
                'export const seen = mutation({ args: { payload: v.any() }, handler: async (ctx, args) => {\n'
                '  const one = args.payload as { ref: Id<"tasks"> | Id<"users"> };\n'
                '  const two = args.payload as Base & { taskId: Id<"tasks"> };\n'
                '  const three = args.payload as { inner: { taskId: Id<"tasks"> }; taskId: any };\n'
                '  return [await ctx.db.get(one.ref), await ctx.db.get(two.taskId), await ctx.db.get(three.taskId)];\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[9, 9, 9], message="could not tell the table",
                note="no fix: a member typed with ids of two tables, an intersection, an `Id` only in a nested member"),
        Invalid(SERVER + 'export const done = mutation({ args: { id: v.id("tasks") }, handler: async (ctx, args) => {\n'
                '  const task = await ctx.db.get(args.id);\n'
                '  if (task) await ctx.db.patch(task._id, { title: "done" });\n'
                '  const owner = task ? await ctx.db.get(task.owner) : null;\n  return owner;\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[4, 5, 6],
                output=SERVER + 'export const done = mutation({ args: { id: v.id("tasks") }, handler: async (ctx, args) => {\n'
                '  const task = await ctx.db.get("tasks", args.id);\n'
                '  if (task) await ctx.db.patch("tasks", task._id, { title: "done" });\n'
                '  const owner = task ? await ctx.db.get("users", task.owner) : null;\n  return owner;\n}});\n'),
        Invalid(SERVER + 'import type { Id } from "./_generated/dataModel";\n'
                'export async function remove({ db }: { db: any }, id: Id<"tasks">) {\n  await db.delete(id);\n}\n'
                'export const clear = mutation({ args: {}, handler: async (ctx) => {\n'
                '  for (const t of await ctx.db.query("tasks").take(100)) await ctx.db.delete(t._id);\n'
                '  const fresh = await ctx.db.insert("tasks", { title: "x", owner: "u" as any });\n'
                '  await remove(ctx, fresh);\n  await ctx.db.replace(fresh, { title: "y", owner: "u" as any });\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[5, 8, 11],
                output=SERVER + 'import type { Id } from "./_generated/dataModel";\n'
                'export async function remove({ db }: { db: any }, id: Id<"tasks">) {\n  await db.delete("tasks", id);\n}\n'
                'export const clear = mutation({ args: {}, handler: async (ctx) => {\n'
                '  for (const t of await ctx.db.query("tasks").take(100)) await ctx.db.delete("tasks", t._id);\n'
                '  const fresh = await ctx.db.insert("tasks", { title: "x", owner: "u" as any });\n'
                '  await remove(ctx, fresh);\n  await ctx.db.replace("tasks", fresh, { title: "y", owner: "u" as any });\n}});\n'),
        Invalid(SERVER + 'export const renumber = mutation({ args: {}, handler: async (ctx) => {\n  const rows = (await ctx.db.query("tasks").collect()).sort((a, b) => a.title.localeCompare(b.title));\n  for (let i = 0; i < rows.length; i++) await ctx.db.patch(rows[i]!._id, { title: `${i}` });\n  if (rows.length) await ctx.db.delete(rows[0]._id);\n  const first = rows[0]!;\n  const mine = rows.find((t) => t.title === "mine");\n  await ctx.db.get(first.owner);\n  if (mine) await ctx.db.delete(mine._id);\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[5, 6, 9, 10],
                note="an element of the rows a query collected (`rows[i]`, `rows[0]!`, `rows.find(...)`) is a document of its table",
                output=SERVER + 'export const renumber = mutation({ args: {}, handler: async (ctx) => {\n  const rows = (await ctx.db.query("tasks").collect()).sort((a, b) => a.title.localeCompare(b.title));\n  for (let i = 0; i < rows.length; i++) await ctx.db.patch("tasks", rows[i]!._id, { title: `${i}` });\n  if (rows.length) await ctx.db.delete("tasks", rows[0]._id);\n  const first = rows[0]!;\n  const mine = rows.find((t) => t.title === "mine");\n  await ctx.db.get("users", first.owner);\n  if (mine) await ctx.db.delete("tasks", mine._id);\n}});\n'),
        Invalid(SERVER + 'export const clear = mutation({ args: { owner: v.optional(v.id("users")) }, handler: async (ctx, { owner }) => {\n  const rows = owner\n    ? await ctx.db.query("tasks").withIndex("by_owner", (q) => q.eq("owner", owner)).collect()\n    : await ctx.db.query("tasks").take(100);\n  for (const t of rows) await ctx.db.delete(t._id);\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[7], note="rows from either of two queries of one table",
                output=SERVER + 'export const clear = mutation({ args: { owner: v.optional(v.id("users")) }, handler: async (ctx, { owner }) => {\n  const rows = owner\n    ? await ctx.db.query("tasks").withIndex("by_owner", (q) => q.eq("owner", owner)).collect()\n    : await ctx.db.query("tasks").take(100);\n  for (const t of rows) await ctx.db.delete("tasks", t._id);\n}});\n'),
        Invalid(SERVER + 'export const url = query({ args: { s: v.string() }, handler: async (ctx, { s }) =>\n'
                '  ctx.db.system.get(s as any) });\n', lines=[4], message="could not tell the table"),
        Invalid(SERVER + 'export const pair = query({ args: { s: v.string(), u: v.string() }, handler: async (ctx, { s, u }) => {\n'
                '  const task = await ctx.db.get(s as import("./_generated/dataModel").Id<"tasks">);\n'
                '  const owner: import("./_generated/dataModel").Id<"users"> = u as any;\n'
                '  return [task, await ctx.db.get(owner)];\n}});\n',
                lines=[4, 6], note="`Id` through an import type (the grammar misreads the cast)",
                output=SERVER + 'export const pair = query({ args: { s: v.string(), u: v.string() }, handler: async (ctx, { s, u }) => {\n'
                '  const task = await ctx.db.get("tasks", s as import("./_generated/dataModel").Id<"tasks">);\n'
                '  const owner: import("./_generated/dataModel").Id<"users"> = u as any;\n'
                '  return [task, await ctx.db.get("users", owner)];\n}});\n'),
        Invalid(SERVER + 'import type { Id } from "./_generated/dataModel";\n'
                'export const one = query({ args: { u: v.string() }, handler: async (ctx, args) => {\n'
                '  const owner = args.u as Id<"users">;\n  return await ctx.db.get(owner);\n}});\n',
                lines=[6], note="a local cast from a string argument",
                output=SERVER + 'import type { Id } from "./_generated/dataModel";\n'
                'export const one = query({ args: { u: v.string() }, handler: async (ctx, args) => {\n'
                '  const owner = args.u as Id<"users">;\n  return await ctx.db.get("users", owner);\n}});\n'),
        Invalid(SERVER + 'export const many = query({ args: { ids: v.array(v.id("tasks")), owners: v.optional(v.array(v.id("users"))) },\n'
                '  handler: async (ctx, args) => {\n'
                '    const tasks = await Promise.all(args.ids.map((id) => ctx.db.get(id)));\n'
                '    const first = await ctx.db.get(args.ids[0]);\n'
                '    for (const owner of args.owners ?? []) await ctx.db.get(owner);\n'
                '    return [tasks, first];\n}});\n'
                'export const drop = mutation({ args: { ids: v.array(v.id("tasks")) }, handler: async (ctx, { ids }) => {\n'
                '  const rest = ids.slice(1);\n'
                '  await Promise.all(rest.filter((id) => id !== ids[0]).map((id) => ctx.db.delete(id)));\n}});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[5, 6, 7, 12],
                output=SERVER + 'export const many = query({ args: { ids: v.array(v.id("tasks")), owners: v.optional(v.array(v.id("users"))) },\n'
                '  handler: async (ctx, args) => {\n'
                '    const tasks = await Promise.all(args.ids.map((id) => ctx.db.get("tasks", id)));\n'
                '    const first = await ctx.db.get("tasks", args.ids[0]);\n'
                '    for (const owner of args.owners ?? []) await ctx.db.get("users", owner);\n'
                '    return [tasks, first];\n}});\n'
                'export const drop = mutation({ args: { ids: v.array(v.id("tasks")) }, handler: async (ctx, { ids }) => {\n'
                '  const rest = ids.slice(1);\n'
                '  await Promise.all(rest.filter((id) => id !== ids[0]).map((id) => ctx.db.delete("tasks", id)));\n}});\n',
                note="elements of a `v.array(v.id(...))` argument: callbacks, `for...of`, `ids[i]`"),
        Invalid(SERVER + 'import type { QueryCtx } from "./_generated/server";\n'
                'import type { Id } from "./_generated/dataModel";\n'
                'export const open = query({ args: { id: v.id("lists") }, handler: async (ctx, args) => {\n'
                '  const list = await ctx.db.get(args.id);\n  if (!list) return null;\n'
                '  const { taskIds } = list;\n'
                '  for (const taskId of taskIds) await ctx.db.get(taskId);\n'
                '  return await Promise.all(list.taskIds.map((taskId) => ctx.db.get(taskId)));\n}});\n'
                'export async function loadAll(ctx: QueryCtx, ids: readonly Id<"tasks">[]) {\n'
                '  const out = [];\n  for (const id of ids) out.push(await ctx.db.get(id));\n  return out;\n}\n',
                files={"convex/schema.ts": LIST_SCHEMA}, lines=[6, 9, 10, 14],
                output=SERVER + 'import type { QueryCtx } from "./_generated/server";\n'
                'import type { Id } from "./_generated/dataModel";\n'
                'export const open = query({ args: { id: v.id("lists") }, handler: async (ctx, args) => {\n'
                '  const list = await ctx.db.get("lists", args.id);\n  if (!list) return null;\n'
                '  const { taskIds } = list;\n'
                '  for (const taskId of taskIds) await ctx.db.get("tasks", taskId);\n'
                '  return await Promise.all(list.taskIds.map((taskId) => ctx.db.get("tasks", taskId)));\n}});\n'
                'export async function loadAll(ctx: QueryCtx, ids: readonly Id<"tasks">[]) {\n'
                '  const out = [];\n  for (const id of ids) out.push(await ctx.db.get("tasks", id));\n  return out;\n}\n',
                note="elements of a schema field `v.array(v.id(...))` and of a parameter typed `Id<\"t\">[]`"),
        Invalid(SERVER + 'export const some = query({ args: { id: v.id("lists"), meta: v.any(), ids: v.array(v.string()) },\n'
                '  handler: async (ctx, args) => {\n'
                '    const list = await ctx.db.get("lists", args.id);\n'
                '    const meta = args.meta as any;\n'
                '    for (const id of meta.taskIds) await ctx.db.get(id);\n'
                '    await Promise.all((list?.mixed ?? []).map((id) => ctx.db.get(id)));\n'
                '    return args.ids.map((s) => ({ s })).map(({ s }) => ctx.db.get(s as any));\n}});\n',
                files={"convex/schema.ts": LIST_SCHEMA}, lines=[7, 8, 9], message="could not tell the table",
                note="no fix: an untyped array, ids of two tables, elements remapped by `.map`"),
        # triage G50a P3 (a Linear clone's search and agent tools, a CRM's bootstrap)
        Invalid(SERVER + 'import type { Doc, Id } from "./_generated/dataModel";\n'
                'export const owners = mutation({\n'
                '  args: { task: v.optional(v.id("tasks")), owner: v.optional(v.id("users")), backup: v.id("users") },\n'
                '  handler: async (ctx, args) => {\n'
                '    const picked: Doc<"tasks">[] = [];\n'
                '    picked.push(...(await ctx.db.query("tasks").take(5)));\n'
                '    for (const t of picked) await ctx.db.get(t.owner);\n'
                '    const ping = async (ids: Set<Id<"users">> | undefined) => {\n'
                '      for (const id of ids ?? []) await ctx.db.patch(id, { name: "seen" });\n'
                '    };\n'
                '    await ping(undefined);\n'
                '    let owner = args.owner;\n'
                '    if (args.task !== undefined) {\n'
                '      const task = await ctx.db.get("tasks", args.task);\n'
                '      if (task) owner = owner ?? task.owner;\n'
                '    }\n'
                '    await ctx.db.get(owner!);\n'
                '    return await ctx.db.get(args.owner ?? args.backup);\n'
                '  },\n});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[9, 11, 19, 20], message='("users", ...)',
                note="an element of a local typed `Doc<\"t\">[]`, of a callback's `Set<Id<\"t\">> | undefined`, "
                     "a `let` that keeps its id or takes one of the same table, either of two ids of one table",
                output=SERVER + 'import type { Doc, Id } from "./_generated/dataModel";\n'
                'export const owners = mutation({\n'
                '  args: { task: v.optional(v.id("tasks")), owner: v.optional(v.id("users")), backup: v.id("users") },\n'
                '  handler: async (ctx, args) => {\n'
                '    const picked: Doc<"tasks">[] = [];\n'
                '    picked.push(...(await ctx.db.query("tasks").take(5)));\n'
                '    for (const t of picked) await ctx.db.get("users", t.owner);\n'
                '    const ping = async (ids: Set<Id<"users">> | undefined) => {\n'
                '      for (const id of ids ?? []) await ctx.db.patch("users", id, { name: "seen" });\n'
                '    };\n'
                '    await ping(undefined);\n'
                '    let owner = args.owner;\n'
                '    if (args.task !== undefined) {\n'
                '      const task = await ctx.db.get("tasks", args.task);\n'
                '      if (task) owner = owner ?? task.owner;\n'
                '    }\n'
                '    await ctx.db.get("users", owner!);\n'
                '    return await ctx.db.get("users", args.owner ?? args.backup);\n'
                '  },\n});\n'),
        Invalid(SERVER + 'import type { Doc, Id } from "./_generated/dataModel";\n'
                'export const mixed = mutation({\n'
                '  args: { task: v.id("tasks"), owner: v.optional(v.id("users")), raw: v.string() },\n'
                '  handler: async (ctx, args) => {\n'
                '    const picked: Doc<"tasks">[] | Doc<"users">[] = [];\n'
                '    for (const d of picked) await ctx.db.get(d._id);\n'
                '    const ping = async (ids: Set<Id<"users">> | Id<"tasks">[]) => {\n'
                '      for (const id of ids) await ctx.db.get(id);\n'
                '    };\n'
                '    await ping([]);\n'
                '    let who = args.owner;\n'
                '    who = who ?? (args.raw as any);\n'
                '    await ctx.db.get(who!);\n'
                '    await ctx.db.get(args.owner ?? args.task);\n'
                '  },\n});\n',
                files={"convex/schema.ts": SCHEMA}, lines=[8, 10, 15, 16], message="could not tell the table",
                note="no fix: arrays of either table, a `let` that may take an untyped value, ids of two tables"),
    ]

    def check_app(self, ctx, app):
        uses = reported_queries(ctx, app)
        self._wrong_table(ctx, uses)
        if app.convex_at_least("1.31.0") is not True:
            return
        for call in uses.calls:
            if call.method not in ("get", "patch", "replace", "delete") or call.explicit:
                continue
            id_node = call.id_node
            if id_node is None:
                continue
            where = f"db.system.{call.method}" if call.system else f"db.{call.method}"
            table = uses.table_of(call.facts, id_node)
            holder = uses.table_name_holder(call.facts, id_node, call.node) if table is None \
                and uses.is_dynamic_id(call.facts, id_node) and not uses.is_any_id(call.facts, id_node) else None
            if table is not None and call.system != (table in SYSTEM_TABLES):
                table = None
            if table is not None and not call.system and app.schema is not None \
                    and app.schema.knows_table(table) is False:
                # `v.id("accounts")` where the schema has `authAccounts`: writing the name
                # would only move the mistake (CVX701 reports the table)
                ctx.report(call.facts, call.node, f'`{where}` without the table name; the id is typed as table '
                           f'`{table}`, which the schema does not define: fix the id\'s type, then name its table')
            elif table is not None and call.hand_typed:
                ctx.report(call.facts, call.node, f'`{where}` without the table name: write `{where}("{table}", ...)` '
                           "once the parameter's hand-written type allows it (it declares its own `db` methods, "
                           "so the rewrite alone would not compile)", severity=Severity.INFO)
            elif table is not None:
                edit = ctx.edit(call.facts, (id_node.start, id_node.start), string_literal(call.facts, table) + ", ")
                wrapper = _old_db_wrapper(ctx, app, call)
                if wrapper is None:
                    ctx.report(call.facts, call.node, f'`{where}` without the table name: write `{where}("{table}", ...)`',
                               fix=Fix.safe(f'Add the table name "{table}"', edit))
                else:
                    ctx.report(call.facts, call.node, f'`{where}` without the table name: write `{where}("{table}", ...)` '
                               f"once convex-helpers is {_NAME_FORWARDED[wrapper]} or newer (`ctx.db` here is its "
                               f"`{wrapper}`, which in older versions passes on only the first argument, so the "
                               "table name would be taken for the id)",
                               fix=Fix.unsafe(f'Add the table name "{table}"', edit))
            elif holder is not None and call.hand_typed:
                ctx.report(call.facts, call.node, f"`{where}` without the table name: write `{where}({holder[0]}, ...)` "
                           "once the parameter's hand-written type allows it (it declares its own `db` methods, "
                           "so the rewrite alone would not compile)", severity=Severity.INFO)
            elif holder is not None:
                name, inserted_there = holder
                edit = ctx.edit(call.facts, (id_node.start, id_node.start), name + ", ")
                wrapper = _old_db_wrapper(ctx, app, call)
                message = f"`{where}` without the table name: write `{where}({name}, ...)`"
                if inserted_there and wrapper is None:
                    ctx.report(call.facts, call.node, message + f" (the id comes from `insert({name}, ...)`)",
                               fix=Fix.safe(f"Add the table name `{name}`", edit))
                elif inserted_there:
                    ctx.report(call.facts, call.node, message + f" once convex-helpers is {_NAME_FORWARDED[wrapper]} "
                               f"or newer (`ctx.db` here is its `{wrapper}`, which in older versions passes on only "
                               "the first argument, so the table name would be taken for the id)",
                               fix=Fix.unsafe(f"Add the table name `{name}`", edit))
                else:
                    ctx.report(call.facts, call.node, message + f": the id's table is the one `{name}` names",
                               fix=Fix.unsafe(f"Add the table name `{name}`", edit))
            elif uses.is_any_id(call.facts, id_node):
                ctx.report(call.facts, call.node, f"`{where}` without the table name; the id's type is `Id<any>`, so "
                           "cvxlint cannot tell its table: type it `Id<\"t\">`, or add the table name by hand",
                           severity=Severity.INFO)
            elif uses.is_dynamic_id(call.facts, id_node):
                ctx.report(call.facts, call.node, f"`{where}` without the table name; the id's table is a type parameter "
                           "here, so pass the table name in from the caller", severity=Severity.INFO)
            elif alternatives := uses.id_alternatives(call.facts, id_node):
                tables = ", ".join(f"`{t}`" for t in alternatives[:-1]) + f" or `{alternatives[-1]}`"
                ctx.report(call.facts, call.node, f"`{where}` without the table name; `{call.facts.one_line(id_node, 40)}` "
                           f"may hold an id of {tables} here, so no one table name fits (write one call per table)")
            else:
                ctx.report(call.facts, call.node, f"`{where}` without the table name (cvxlint could not tell the "
                           "table; add it by hand)")


    @staticmethod
    def _wrong_table(ctx, uses):
        """`get/patch/replace/delete("t", id)` with an id cvxlint knows is of another table.
        No fix: which of the two is wrong (the name or the id passed) is the author's call."""
        for call in uses.calls:
            if call.method not in ("get", "patch", "replace", "delete") or not call.explicit or call.table is None:
                continue
            id_node = call.id_node
            table = uses.table_of(call.facts, id_node) if id_node is not None else None
            if table is None or table == call.table or uses.is_dynamic_id(call.facts, id_node):
                continue
            where = f"db.system.{call.method}" if call.system else f"db.{call.method}"
            ctx.report(call.facts, call.table_node or call.node,
                       f'`{where}("{call.table}", ...)` is given an `Id<"{table}">` (`{call.facts.one_line(id_node, 40)}`): '
                       f'the backend checks the id against the named table and throws; name `"{table}"`, or pass an '
                       f'id of `{call.table}`', severity=Severity.ERROR)


def _old_db_wrapper(ctx, app, call) -> str | None:
    """The convex-helpers wrapper of the database handle (`ctx.db`, or a second one the
    builder adds: the raw `rawDb: ctx.db` is no wrapper) in a function reaching this call
    that takes the id first (its version is older than `_NAME_FORWARDED`, or unknown), or None."""
    for fn in call.functions:
        if fn.builder is None:
            continue
        for wrapper in sorted(ctx.project.ctx_change(fn.builder).wrappers_of(call.db_member(fn))):
            if app.package_at_least("convex-helpers", _NAME_FORWARDED[wrapper]) is not True:
                return wrapper
    return None
