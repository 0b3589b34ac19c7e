from cvxlint.rulekit import (Invalid, Rule, Severity, Valid, describe_function, report_in_handler,
                             reported_functions, reported_queries)

HEAD = ('import { v } from "convex/values";\nimport { mutation } from "./_generated/server";\n')
SIGNED_IN = ('import { v } from "convex/values";\nimport { mutation } from "./_generated/server";\n'
             'import { getAuthUserId } from "@convex-dev/auth/server";\n')
SCHEMA = {"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\n'
          'import { v } from "convex/values";\n'
          'export default defineSchema({\n'
          '  users: defineTable({ name: v.string(), role: v.string() }),\n'
          '  posts: defineTable({ authorId: v.id("users"), title: v.string(), done: v.boolean() })\n'
          '    .index("by_author", ["authorId"]),\n'
          '  files: defineTable({ ownerId: v.id("users"), url: v.string() }),\n'
          '  drafts: defineTable({ ownerId: v.id("users"), body: v.string() }).index("by_owner", ["ownerId"]),\n'
          '});\n'}
# project helpers: one that wipes the table it is given, a sign-in guard, an admin guard
LIB = {"convex/lib/wipe.ts": 'import { MutationCtx } from "../_generated/server";\n'
       'import { getAuthUserId } from "@convex-dev/auth/server";\n'
       'export async function clearTable(ctx: MutationCtx, table: "posts" | "files") {\n'
       '  const rows = await ctx.db.query(table).collect();\n'
       '  for (const row of rows) {\n'
       '    await ctx.db.delete(row._id);\n'
       '  }\n'
       '}\n'
       'export async function requireUser(ctx: MutationCtx) {\n'
       '  const me = await getAuthUserId(ctx);\n'
       '  if (me === null) throw new Error("sign in");\n'
       '  return me;\n'
       '}\n'
       'export async function requireStaff(ctx: MutationCtx) {\n'
       '  const me = await getAuthUserId(ctx);\n'
       '  const user = me === null ? null : await ctx.db.get(me);\n'
       '  if (user?.role !== "staff") throw new Error("staff only");\n'
       '}\n'
       'export async function requireSignedIn(ctx: MutationCtx) {\n'
       '  const me = await getAuthUserId(ctx);\n'
       '  const user = me === null ? null : await ctx.db.get(me);\n'
       '  if (!user || !user.role.startsWith("editor")) throw new Error("editors only");\n'
       '}\n'}
BUILDERS = {"convex/lib/builders.ts": 'import { customMutation, customCtx } from "convex-helpers/server/customFunctions";\n'
            'import { mutation } from "../_generated/server";\n'
            'import { getAuthUserId } from "@convex-dev/auth/server";\n'
            'export const adminMutation = customMutation(mutation, customCtx(async (ctx) => {\n'
            '  const me = await getAuthUserId(ctx);\n'
            '  const user = me === null ? null : await ctx.db.get(me);\n'
            '  if (user?.role !== "admin") throw new Error("admins only");\n'
            '  return { user };\n'
            '}));\n'
            'export const userMutation = customMutation(mutation, customCtx(async (ctx) => {\n'
            '  const identity = await ctx.auth.getUserIdentity();\n'
            '  if (!identity) throw new Error("sign in");\n'
            '  return { identity };\n'
            '}));\n'}


class NoBulkDeleteBehindSignIn(Rule):
    """Public mutation that deletes every row of a table after checking only that the caller is signed in.

    ## What it does
    Flags `ctx.db.delete(row._id)` for each `row` of a query that reads a whole table
    (`ctx.db.query("t")` with no index range, or `.fullTableScan()`, and no filter but one
    comparing fields with literals; through `.collect()`, `.take(n)`, `.paginate(...)` or
    `for await`), in the handler of a public mutation or in a helper it calls (also a helper
    given the table's name, `clearTable(ctx, "posts")`), when the only thing that admits the
    caller is that someone is signed in: an identity fetch (`ctx.auth.getUserIdentity()`,
    `getAuthUserId(ctx)`), an auth guard given only ctx (`requireUser(ctx)`) or a custom
    builder's `ctx.user`, tested for presence only (`if (!identity) throw`). Reported once per
    table, on the delete (or on the call that names the table).

    Silent when anything may admit fewer callers or keep fewer rows:
    - a role check: `if (user.role !== "admin") throw`, `ADMINS.includes(identity.email)`, a
      guard named for a role or given more than ctx (`requireAdmin(ctx)`,
      `requireMember(ctx, args.teamId)`), a builder that restricts roles (`adminMutation`), a
      guard whose body tests more than presence;
    - rows scoped to the caller or to an argument: an index range (`withIndex("by_user", (q)
      => q.eq("userId", me))`), a filter comparing a field with something other than a literal,
      a JS `.filter(...)` of the rows, a branch in the loop (`if (row.ownerId !== me) continue`);
    - a capability argument, a shared secret, a test-only switch or a `process.env` test,
      row-level security, a check run through `ctx.runQuery`, ctx handed to code we cannot read;
    - internal mutations, components, functions marked `// cvxlint-public`. A delete by an
      argument's id is CVX408's business.

    Only `delete` is read: a `patch` of every row (marking all as read) is often meant.

    ## Why is this bad?
    Authentication is not authorization. Anyone who can sign in (an open sign-up, any Google
    account) can call a public mutation from the browser console and empty the table. A
    reset or cleanup meant for the site's owner needs a role check, or belongs in an internal
    mutation run from the dashboard or `npx convex run`
    (https://docs.convex.dev/understanding/best-practices/#use-some-form-of-access-control-for-all-public-functions).

    ## Example
    ```ts
    export const deleteEverything = mutation({ args: {},
      handler: async (ctx) => {
        if ((await ctx.auth.getUserIdentity()) === null) throw new Error("sign in");
        for (const a of await ctx.db.query("articles").collect()) await ctx.db.delete(a._id);
      } });
    ```
    Use instead:
    ```ts
    export const deleteEverything = internalMutation({ args: {},
      handler: async (ctx) => {
        for (const a of await ctx.db.query("articles").collect()) await ctx.db.delete(a._id);
      } });
    ```

    ## Notes
    Not in the catalog of /work/shared/reference/convex-rules.md; added after triage G48b
    (jknm-convex `articles:delete_everything`).
    """

    code = "CVX409"
    name = "no-bulk-delete-behind-sign-in"
    severity = Severity.WARNING
    summary = "Public mutation deletes every row of a table after checking only that the caller is signed in"

    valid = [
        # rows scoped to the caller through an index
        Valid(SIGNED_IN + 'export const clearMine = mutation({ args: {},\n'
              '  handler: async (ctx) => {\n'
              '    const me = await getAuthUserId(ctx);\n'
              '    if (me === null) throw new Error("sign in");\n'
              '    const mine = await ctx.db.query("drafts").withIndex("by_owner", (q) => q.eq("ownerId", me)).collect();\n'
              '    for (const d of mine) await ctx.db.delete(d._id);\n'
              '  } });\n', files=SCHEMA),
        # ... through a filter that compares a field with the caller
        Valid(SIGNED_IN + 'export const clearMine = mutation({ args: {},\n'
              '  handler: async (ctx) => {\n'
              '    const me = await getAuthUserId(ctx);\n'
              '    if (!me) throw new Error("sign in");\n'
              '    const mine = await ctx.db.query("files").filter((q) => q.eq(q.field("ownerId"), me)).collect();\n'
              '    await Promise.all(mine.map((f) => ctx.db.delete(f._id)));\n'
              '  } });\n', files=SCHEMA),
        # ... or a JS filter of the rows read
        Valid(SIGNED_IN + 'export const clearMine = mutation({ args: {},\n'
              '  handler: async (ctx) => {\n'
              '    const me = await getAuthUserId(ctx);\n'
              '    if (!me) throw new Error("sign in");\n'
              '    const all = await ctx.db.query("files").collect();\n'
              '    for (const f of all.filter((f) => f.ownerId === me)) await ctx.db.delete(f._id);\n'
              '  } });\n', files=SCHEMA),
        # a role check in the handler
        Valid(SIGNED_IN + 'export const reset = mutation({ args: {},\n'
              '  handler: async (ctx) => {\n'
              '    const me = await getAuthUserId(ctx);\n'
              '    const user = me === null ? null : await ctx.db.get(me);\n'
              '    if (!user || user.role !== "admin") throw new Error("admins only");\n'
              '    for (const p of await ctx.db.query("posts").collect()) await ctx.db.delete(p._id);\n'
              '  } });\n', files=SCHEMA),
        # ... computed first, then tested
        Valid(SIGNED_IN + 'export const reset = mutation({ args: {},\n'
              '  handler: async (ctx) => {\n'
              '    const me = await getAuthUserId(ctx);\n'
              '    if (!me) throw new Error("sign in");\n'
              '    const user = await ctx.db.get(me);\n'
              '    const isAdmin = user?.role === "admin";\n'
              '    if (!isAdmin) throw new Error("admins only");\n'
              '    for (const p of await ctx.db.query("posts").collect()) await ctx.db.delete(p._id);\n'
              '  } });\n', files=SCHEMA),
        # an allow-list of the caller's email
        Valid(HEAD + 'const OWNERS = ["me@example.com"];\n'
              'export const reset = mutation({ args: {},\n'
              '  handler: async (ctx) => {\n'
              '    const identity = await ctx.auth.getUserIdentity();\n'
              '    if (!identity || !OWNERS.includes(identity.email ?? "")) throw new Error("owners only");\n'
              '    for (const p of await ctx.db.query("posts").collect()) await ctx.db.delete(p._id);\n'
              '  } });\n', files=SCHEMA),
        # an admin builder
        Valid('import { adminMutation } from "./lib/builders";\n'
              'export const reset = adminMutation({ args: {},\n'
              '  handler: async (ctx) => {\n'
              '    for (const p of await ctx.db.query("posts").collect()) await ctx.db.delete(p._id);\n'
              '  } });\n', files={**SCHEMA, **BUILDERS}),
        # a guard named for a role, and a guard whose body tests the caller's role
        Valid('import { mutation } from "./_generated/server";\n'
              'import { requireStaff, requireSignedIn } from "./lib/wipe";\n'
              'export const reset = mutation({ args: {},\n'
              '  handler: async (ctx) => {\n'
              '    await requireStaff(ctx);\n'
              '    for (const p of await ctx.db.query("posts").collect()) await ctx.db.delete(p._id);\n'
              '  } });\n'
              'export const resetFiles = mutation({ args: {},\n'
              '  handler: async (ctx) => {\n'
              '    await requireSignedIn(ctx);\n'
              '    for (const f of await ctx.db.query("files").collect()) await ctx.db.delete(f._id);\n'
              '  } });\n', files={**SCHEMA, **LIB}),
        # a builder that admits anyone signed in, and a test of the caller's email it adds
        Valid('import { userMutation } from "./lib/builders";\n'
              'export const reset = userMutation({ args: {},\n'
              '  handler: async (ctx) => {\n'
              '    if (ctx.identity.email !== "owner@example.com") throw new Error("owner only");\n'
              '    for (const p of await ctx.db.query("posts").collect()) await ctx.db.delete(p._id);\n'
              '  } });\n', files={**SCHEMA, **BUILDERS}),
        # guards of a package we cannot read: named for a role, or given more than ctx
        Valid('import { v } from "convex/values";\nimport { mutation } from "./_generated/server";\n'
              'import { requireAdmin, checkAccess } from "@acme/convex-auth";\n'
              'export const reset = mutation({ args: {},\n'
              '  handler: async (ctx) => {\n'
              '    await requireAdmin(ctx);\n'
              '    for (const p of await ctx.db.query("posts").collect()) await ctx.db.delete(p._id);\n'
              '  } });\n'
              'export const resetFiles = mutation({ args: { area: v.string() },\n'
              '  handler: async (ctx, args) => {\n'
              '    await checkAccess(ctx, args.area);\n'
              '    for (const f of await ctx.db.query("files").collect()) await ctx.db.delete(f._id);\n'
              '  } });\n', files=SCHEMA),
        # internal: run from the dashboard or the CLI
        Valid('import { internalMutation } from "./_generated/server";\n'
              'export const reset = internalMutation({ args: {},\n'
              '  handler: async (ctx) => {\n'
              '    for (const p of await ctx.db.query("posts").collect()) await ctx.db.delete(p._id);\n'
              '  } });\n', files=SCHEMA),
        # a test-only switch
        Valid(HEAD + 'export const reset = mutation({ args: {},\n'
              '  handler: async (ctx) => {\n'
              '    if (process.env.IS_TEST === undefined) throw new Error("tests only");\n'
              '    const identity = await ctx.auth.getUserIdentity();\n'
              '    if (!identity) throw new Error("sign in");\n'
              '    for (const p of await ctx.db.query("posts").collect()) await ctx.db.delete(p._id);\n'
              '  } });\n', files=SCHEMA),
        # rows found by an argument's id: CVX408's business
        Valid(SIGNED_IN + 'export const drop = mutation({ args: { ids: v.array(v.id("posts")) },\n'
              '  handler: async (ctx, { ids }) => {\n'
              '    if ((await getAuthUserId(ctx)) === null) throw new Error("sign in");\n'
              '    for (const id of ids) await ctx.db.delete(id);\n'
              '  } });\n', files=SCHEMA),
        # a per-row ownership check inside the loop
        Valid(SIGNED_IN + 'export const clearMine = mutation({ args: {},\n'
              '  handler: async (ctx) => {\n'
              '    const me = await getAuthUserId(ctx);\n'
              '    if (me === null) throw new Error("sign in");\n'
              '    for (const f of await ctx.db.query("files").collect()) {\n'
              '      if (f.ownerId !== me) continue;\n'
              '      await ctx.db.delete(f._id);\n'
              '    }\n'
              '  } });\n', files=SCHEMA),
        # only the caller's own rows, read through the index of a table keyed by user
        Valid(SIGNED_IN + 'export const clearMine = mutation({ args: {},\n'
              '  handler: async (ctx) => {\n'
              '    const me = await getAuthUserId(ctx);\n'
              '    if (me === null) throw new Error("sign in");\n'
              '    for await (const d of ctx.db.query("drafts").withIndex("by_owner", (q) => q.eq("ownerId", me))) {\n'
              '      await ctx.db.delete(d._id);\n'
              '    }\n'
              '  } });\n', files=SCHEMA),
        # a filter on an argument: the rows of one list, not the table
        Valid(SIGNED_IN + 'export const clearAuthor = mutation({ args: { authorId: v.id("users") },\n'
              '  handler: async (ctx, args) => {\n'
              '    if ((await getAuthUserId(ctx)) === null) throw new Error("sign in");\n'
              '    const rows = await ctx.db.query("posts").filter((q) => q.eq(q.field("authorId"), args.authorId)).collect();\n'
              '    for (const p of rows) await ctx.db.delete(p._id);\n'
              '  } });\n', files=SCHEMA),
        # no check at all: CVX401's case
        Valid(HEAD + 'export const reset = mutation({ args: {},\n'
              '  handler: async (ctx) => {\n'
              '    for (const p of await ctx.db.query("posts").collect()) await ctx.db.delete(p._id);\n'
              '  } });\n', files=SCHEMA),
        # a branch in the loop picks the rows (completed ones)
        Valid(SIGNED_IN + 'export const clearDone = mutation({ args: {},\n'
              '  handler: async (ctx) => {\n'
              '    if ((await getAuthUserId(ctx)) === null) throw new Error("sign in");\n'
              '    const rows = await ctx.db.query("posts").collect();\n'
              '    await Promise.all(rows.map((p) => p.done && ctx.db.delete(p._id)));\n'
              '  } });\n', files=SCHEMA),
    ]
    invalid = [
        # triage G48b jknm-convex articles:delete_everything (repro p5)
        Invalid(HEAD + 'export const deleteEverything = mutation({ args: {},\n'
                '  handler: async (ctx) => {\n'
                '    const identity = await ctx.auth.getUserIdentity();\n'
                '    if (!identity) throw new Error("must be signed in");\n'
                '    for (const p of await ctx.db.query("posts").fullTableScan().collect()) await ctx.db.delete("posts", p._id);\n'
                '    const files = await ctx.db.query("files").collect();\n'
                '    for (const f of files) {\n'
                '      await ctx.db.delete(f._id);\n'
                '    }\n'
                '  } });\n', files=SCHEMA, lines=[7, 10], message="any signed-in user can empty it"),
        # a helper given the table's name, after a sign-in guard
        Invalid('import { mutation } from "./_generated/server";\n'
                'import { clearTable, requireUser } from "./lib/wipe";\n'
                'export const reset = mutation({ args: {},\n'
                '  handler: async (ctx) => {\n'
                '    await requireUser(ctx);\n'
                '    await clearTable(ctx, "posts");\n'
                '    await clearTable(ctx, "files");\n'
                '  } });\n', files={**SCHEMA, **LIB}, lines=[6, 7], message="then deletes every row of the"),
        # every row visited with `for await`, and a page of rows, by their destructured `_id`
        Invalid(SIGNED_IN + 'export const reset = mutation({ args: { cursor: v.union(v.string(), v.null()) },\n'
                '  handler: async (ctx, args) => {\n'
                '    const me = await getAuthUserId(ctx);\n'
                '    if (me === null) throw new Error("sign in");\n'
                '    for await (const row of ctx.db.query("posts")) {\n'
                '      await ctx.db.delete(row._id);\n'
                '    }\n'
                '    const { page } = await ctx.db.query("files").paginate({ cursor: args.cursor, numItems: 100 });\n'
                '    await Promise.all(page.map(({ _id }) => ctx.db.delete(_id)));\n'
                '  } });\n', files=SCHEMA, lines=[9, 12]),
        # a builder that admits anyone signed in
        Invalid('import { userMutation } from "./lib/builders";\n'
                'export const reset = userMutation({ args: {},\n'
                '  handler: async (ctx) => {\n'
                '    for (const p of await ctx.db.query("posts").collect()) await ctx.db.delete(p._id);\n'
                '  } });\n', files={**SCHEMA, **BUILDERS}, lines=[4]),
        # a branch after the delete picks no rows
        Invalid(SIGNED_IN + 'export const clearFiles = mutation({ args: {},\n'
                '  handler: async (ctx) => {\n'
                '    if ((await getAuthUserId(ctx)) === null) throw new Error("sign in");\n'
                '    let removed = 0;\n'
                '    for (const f of await ctx.db.query("files").collect()) {\n'
                '      await ctx.db.delete(f._id);\n'
                '      removed++;\n'
                '      if (removed % 100 === 0) console.log(removed);\n'
                '    }\n'
                '  } });\n', files=SCHEMA, lines=[9]),
        # a filter on a literal still leaves every user's rows
        Invalid(SIGNED_IN + 'export const clearDone = mutation({ args: {},\n'
                '  handler: async (ctx) => {\n'
                '    const user = await getAuthUserId(ctx);\n'
                '    if (user === null) throw new Error("sign in");\n'
                '    const done = await ctx.db.query("posts").filter((q) => q.eq(q.field("done"), true)).take(500);\n'
                '    for (const p of done) await ctx.db.delete(p._id);\n'
                '  } });\n', files=SCHEMA, lines=[9]),
    ]

    def check_app(self, ctx, app):
        queries = reported_queries(ctx, app)
        for fn in reported_functions(ctx, app):  # findings sit in the handler's file
            for w in ctx.project.access_analysis.whole_table_deletes(fn, queries):
                report_in_handler(
                    ctx, fn, w.reached, w.node,
                    f"{describe_function(fn)} checks only that the caller is signed in, then deletes every row "
                    f"of the `{w.table}` table: any signed-in user can empty it. Check a role first (an admin "
                    f"check), or make it an internal mutation and run it from the dashboard or `npx convex run`",
                    at_node_when_own_helper=True)
